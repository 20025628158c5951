//! The per-chain random number generator handed to JIT code as an opaque
//! pointer, and the error type of the `_rng` functions.

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

/// One chain's random number generator (ChaCha12 via [`StdRng`]).
///
/// JIT code receives it as `*mut ChainRng` and passes it on to the
/// `hbm_*_rng` functions untouched. Same seed and chain id give the same
/// stream on every run, whatever the number of threads.
#[derive(Debug, Clone)]
pub struct ChainRng {
    inner: StdRng,
}

/// SplitMix64 finaliser: decorrelates (seed, chain) pairs that differ in few bits.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl ChainRng {
    /// The generator for chain `chain` of a run seeded with `seed`.
    pub fn new(seed: u64, chain: u64) -> Self {
        let mut key = [0u8; 32];
        let words = [
            splitmix64(seed),
            splitmix64(seed ^ splitmix64(chain)),
            splitmix64(chain.wrapping_add(0x5851_f42d_4c95_7f2d)),
            splitmix64(seed.rotate_left(17) ^ chain),
        ];
        for (i, w) in words.iter().enumerate() {
            key[8 * i..8 * i + 8].copy_from_slice(&w.to_le_bytes());
        }
        ChainRng {
            inner: StdRng::from_seed(key),
        }
    }
}

impl ChainRng {
    /// A uniform draw in [0, 1) with 53 random bits: random points for
    /// initial values, gradient checks and tests.
    pub fn uniform(&mut self) -> f64 {
        (self.inner.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

impl RngCore for ChainRng {
    fn next_u32(&mut self) -> u32 {
        self.inner.next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        self.inner.fill_bytes(dst)
    }
}

/// A `_rng` call with parameters outside the distribution's domain (Stan
/// throws here; generated code turns it into a rejection with this message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RngError {
    /// The distribution, e.g. `"normal"`.
    pub distribution: &'static str,
    /// What is wrong, e.g. `"scale must be positive and finite"`.
    pub reason: &'static str,
}

impl std::fmt::Display for RngError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}_rng: {}", self.distribution, self.reason)
    }
}

impl std::error::Error for RngError {}

/// Shorthand for the `Err` of a `_rng` function.
pub(crate) fn bad(distribution: &'static str, reason: &'static str) -> RngError {
    RngError {
        distribution,
        reason,
    }
}
