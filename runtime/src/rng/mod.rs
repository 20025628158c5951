//! The per-chain random number generator.
//!
//! [`ChainRng`] is xoshiro256++ (Blackman and Vigna, 2019), seeded by
//! splitmix64 from `(seed, chain, stream)`. It is implemented here rather than
//! taken from `rand` so that the same seed gives the same draws whatever the
//! version of `rand` (whose `SmallRng`/`StdRng` algorithms may change between
//! releases). Normal and uniform variates used by the sampler are also drawn
//! by code in this module (normals by the ziggurat method, [`ziggurat`]),
//! for the same reason.
//!
//! `ChainRng` implements [`rand::RngCore`], so models can use any `rand` or
//! `rand_distr` distribution for their generated quantities; such draws are
//! reproducible only as long as those crates keep their algorithms.

use rand::RngCore;

mod ziggurat;

/// Stream number of the sampler's own generator (momentum, tree directions,
/// multinomial choices, initial points).
pub const STREAM_SAMPLER: u64 = 0;
/// Stream number of the generator handed to [`crate::OutputMap::write_columns`]
/// (generated quantities), kept separate so that adding a generated quantity
/// does not change the draws of the parameters.
pub const STREAM_OUTPUT: u64 = 1;

/// One step of splitmix64: advances `state` and returns the next output.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256++ generator, one per chain and stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainRng {
    s: [u64; 4],
}

impl ChainRng {
    /// The generator for `chain` (0-based) and `stream` (see [`STREAM_SAMPLER`],
    /// [`STREAM_OUTPUT`]) of a run with seed `seed`. Depends on these three
    /// numbers only, never on thread count or scheduling.
    pub fn new(seed: u64, chain: u64, stream: u64) -> Self {
        let mut h = seed;
        let a = splitmix64(&mut h);
        let mut h2 = a ^ chain.wrapping_mul(0xD605_BBB5_8C8A_BBBB);
        let b = splitmix64(&mut h2);
        let mut h3 = b ^ stream.wrapping_mul(0xA24B_AED4_963E_E407);
        let mut s = [0u64; 4];
        for word in s.iter_mut() {
            *word = splitmix64(&mut h3);
        }
        if s == [0; 4] {
            // xoshiro's one forbidden state; splitmix64 outputs make this
            // practically impossible, but keep the generator valid regardless.
            s[0] = 1;
        }
        ChainRng { s }
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_bits(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A uniform draw in `[0, 1)` with 53 random bits.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        (self.next_bits() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform draw in `(low, high)`-ish: `low + (high - low) * u`, `u` in `[0, 1)`.
    pub fn uniform_range(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.uniform()
    }

    /// A standard normal draw (the ziggurat method: one 64-bit number for
    /// about 99% of draws).
    #[inline]
    pub fn std_normal(&mut self) -> f64 {
        ziggurat::std_normal(self)
    }

    /// Fills `out` with standard normal draws (the numbers that as many
    /// calls of [`ChainRng::std_normal`] give, in a tighter loop).
    pub fn fill_std_normal(&mut self, out: &mut [f64]) {
        ziggurat::fill(self, out)
    }
}

impl RngCore for ChainRng {
    fn next_u32(&mut self) -> u32 {
        (self.next_bits() >> 32) as u32
    }

    fn next_u64(&mut self) -> u64 {
        self.next_bits()
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next_bits().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xoshiro_reference_output() {
        // Reference values of xoshiro256++ from state [1, 2, 3, 4]
        // (as in the authors' reference implementation).
        let mut rng = ChainRng { s: [1, 2, 3, 4] };
        // First two outputs worked by hand: rotl(1+4, 23)+1 and rotl(7+6<<45, 23)+7.
        let expected = [41943041u64, 58720359];
        for e in expected {
            assert_eq!(rng.next_bits(), e);
        }
    }

    #[test]
    fn streams_and_chains_differ_and_repeat() {
        let a = ChainRng::new(42, 0, 0).next_bits();
        assert_eq!(a, ChainRng::new(42, 0, 0).next_bits());
        assert_ne!(a, ChainRng::new(42, 1, 0).next_bits());
        assert_ne!(a, ChainRng::new(42, 0, 1).next_bits());
        assert_ne!(a, ChainRng::new(43, 0, 0).next_bits());
    }

    #[test]
    fn normal_moments() {
        let mut rng = ChainRng::new(1, 0, 0);
        let n = 200_000;
        let (mut s1, mut s2) = (0.0, 0.0);
        for _ in 0..n {
            let z = rng.std_normal();
            s1 += z;
            s2 += z * z;
        }
        let mean = s1 / n as f64;
        let var = s2 / n as f64 - mean * mean;
        // sd of mean is 1/sqrt(n) = 0.0022; of the variance sqrt(2/n) = 0.0032.
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.015, "var {var}");
    }
}
