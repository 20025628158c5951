//! Batched log masses: one call for a block of observations, returning the
//! sum of their log masses and writing each observation's partial; and
//! batched elementwise functions (`exp`, `log1p_exp`, `log`, `log1p` and
//! its derivative) for the same loops,
//! writing each element's value (and derivative).
//!
//! A likelihood loop whose only transcendental work is one density per
//! observation is split by the compiler (`compiler/src/ir/batch.rs`) into a
//! pass that writes the arguments to scratch arrays, one call here per
//! block, and a pass that scatters the partials. Here the per-element math
//! is straight-line code ([`crate::vmath`]) in a loop without a reduction,
//! so it compiles to SIMD: with AVX-512 (checked once at run time) 8
//! observations per instruction, with AVX2 and FMA 4, otherwise the same
//! code without FMA. The AVX-512 and AVX2 kernels give the same bits.
//!
//! Each kernel agrees with its scalar density in [`super::discrete`] to a
//! few ulp per observation (value and partial), with the same conventions:
//! an invalid argument (a count outside the support, a NaN log-odds) makes
//! its value `-inf` and its partial 0, and a non-finite value has a zero
//! partial. Integer arguments arrive as `f64` (exact below 2^53).

#[cfg(target_arch = "x86_64")]
use crate::vmath::avx2::{self, F64x8};
#[cfg(target_arch = "x86_64")]
use crate::vmath::avx512::{self, F64x16};
use crate::vmath::{self, MulAdd, Real};

/// Elements handled per inner block: the per-element values live in a
/// stack array of this size before they are summed.
const BLOCK: usize = 64;

/// One density of an integer `n` (as `f64`), for some densities a second
/// integer `m` (binomial's trials; [`Element::TRIALS`]), and one real
/// `alpha`: value and partial (∂α) of one element or of a group side by
/// side (a trait rather than a closure, so that it is inlined into the
/// code compiled for AVX2).
trait Element {
    /// Whether the density reads `m` (otherwise it is given zeros).
    const TRIALS: bool = false;
    fn one<M: MulAdd, R: Real>(n: R, m: R, alpha: R) -> (R, R);
    /// A term of the value that depends on `n` alone and is not straight-line
    /// code (a library call that would stop vectorisation), subtracted from
    /// each value in a scalar loop after the vector one.
    const HAS_COUNT_TERM: bool = false;
    fn count_term(_n: f64) -> f64 {
        0.0
    }
}

/// poisson_log(n | α) without −ln n!: n α − e^α.
struct PoissonLogUncounted;

impl Element for PoissonLogUncounted {
    #[inline(always)]
    fn one<M: MulAdd, R: Real>(n: R, _m: R, alpha: R) -> (R, R) {
        PoissonLog::one::<M, R>(n, _m, alpha)
    }
}

/// Whether an element is finite (NaN compares false).
#[inline(always)]
fn finite<R: Real>(x: R) -> R::Mask {
    R::and(x.lt(R::splat(f64::INFINITY)), R::splat(f64::NEG_INFINITY).lt(x))
}

/// poisson_log(n | α): n α − e^α − ln n!.
struct PoissonLog;

impl Element for PoissonLog {
    #[inline(always)]
    fn one<M: MulAdd, R: Real>(n: R, _m: R, alpha: R) -> (R, R) {
        let c = R::splat;
        let e = vmath::exp::<M, R>(alpha);
        // As the scalar density: ((n α) − e^α), then − ln n! (count_term).
        let v = n * alpha - e;
        let d = n - e;
        // α = −inf is λ = 0: all mass at n = 0 (value 0, partial 0).
        let zero_rate = alpha.eq(c(f64::NEG_INFINITY));
        let v = R::select(zero_rate, R::select(n.eq(c(0.0)), c(0.0), c(f64::NEG_INFINITY)), v);
        let d = R::select(zero_rate, c(0.0), d);
        let count = R::and(n.ge(c(0.0)), n.is_integral());
        let valid = R::and(count, R::not(R::or(alpha.is_nan(), alpha.eq(c(f64::INFINITY)))));
        let v = R::select(R::and(valid, R::not(v.is_nan())), v, c(f64::NEG_INFINITY));
        let d = R::select(R::and(finite(v), R::not(d.is_nan())), d, c(0.0));
        (v, d)
    }
    const HAS_COUNT_TERM: bool = true;
    fn count_term(n: f64) -> f64 {
        if n >= 0.0 {
            crate::special::lgamma(n + 1.0)
        } else {
            0.0
        }
    }
}

/// bernoulli_logit(n | α).
struct BernoulliLogit;

impl Element for BernoulliLogit {
    #[inline(always)]
    fn one<M: MulAdd, R: Real>(n: R, _m: R, alpha: R) -> (R, R) {
        let c = R::splat;
        // With s = +1 for n = 1 and -1 for n = 0 and t = -s α:
        // log p = -ln(1 + e^t), d/dα log p = s σ(t).
        let is_one = n.eq(c(1.0));
        let s = R::select(is_one, c(1.0), c(-1.0));
        let t = -s * alpha;
        let (l, sigma) = vmath::log1p_exp_and_inv_logit::<M, R>(t);
        let valid = R::and(R::or(n.eq(c(0.0)), is_one), R::not(alpha.is_nan()));
        let lp = R::select(valid, -l, c(f64::NEG_INFINITY));
        // lp is -inf exactly when t = +inf (or invalid): zero partial then.
        let d = R::select(c(f64::NEG_INFINITY).lt(lp), s * sigma, c(0.0));
        (lp, d)
    }
}

/// binomial_logit(n | m, α) without its count term ln C(m, n): with
/// e = e^{-|α|} and t = ln(1 + e), ln σ(α) and ln(1 − σ(α)) are −t and
/// −α − t for α ≥ 0 (α − t and −t below), as the scalar density takes
/// them; a zero count's term is zero (not 0 · −∞).
struct BinomialLogitUncounted;

impl Element for BinomialLogitUncounted {
    const TRIALS: bool = true;
    #[inline(always)]
    fn one<M: MulAdd, R: Real>(n: R, m: R, alpha: R) -> (R, R) {
        let c = R::splat;
        let e = vmath::exp::<M, R>(-alpha.abs());
        let inv_u = c(1.0) / (c(1.0) + e);
        let t = vmath::log1p_unit::<M, R>(e, inv_u);
        let (upper, lower) = (inv_u, e * inv_u);
        let positive = alpha.ge(c(0.0));
        let log_p = R::select(positive, -t, alpha - t);
        let log_q = R::select(positive, -alpha - t, -t);
        let (p, q) = (R::select(positive, upper, lower), R::select(positive, lower, upper));
        let rest = m - n;
        let a = R::select(n.eq(c(0.0)), c(0.0), n * log_p);
        let b = R::select(rest.eq(c(0.0)), c(0.0), rest * log_q);
        let v = a + b;
        let d = n * q - rest * p;
        let counts = R::and(R::and(n.ge(c(0.0)), n.is_integral()), R::and(m.is_integral(), m.ge(n)));
        let valid = R::and(counts, R::not(alpha.is_nan()));
        let v = R::select(R::and(valid, R::not(v.is_nan())), v, c(f64::NEG_INFINITY));
        let d = R::select(R::and(finite(v), R::not(d.is_nan())), d, c(0.0));
        (v, d)
    }
}

/// Elements per running sum: the value of element i goes to sum i mod
/// `SUMS`, whichever [`Group`] computes it, so both kernels add in the same
/// order.
const SUMS: usize = 8;
// A group's elements go to consecutive running sums (`Group::add_to`).
const _: () = assert!(BLOCK % SUMS == 0);
#[cfg(target_arch = "x86_64")]
const _: () = assert!(SUMS % avx2::WIDTH == 0);
#[cfg(target_arch = "x86_64")]
const _: () = assert!(BLOCK % avx512::WIDTH == 0 && avx512::WIDTH % SUMS == 0);

/// What the kernel loop computes at once: one `f64`, or [`F64x8`] with AVX2.
trait Group: Real {
    /// Elements per group (divides [`SUMS`] and [`BLOCK`]).
    const WIDTH: usize;
    /// The first `WIDTH` elements of `src`.
    ///
    /// # Safety
    /// As [`F64x8::load`] for that type; none for `f64`.
    unsafe fn load(src: &[f64]) -> Self;
    /// Writes the first `WIDTH` elements of `dst`.
    fn store(self, dst: &mut [f64]);
    /// Adds element k to `acc[(at + k) mod SUMS]`, in the order of the
    /// elements (`at + WIDTH <= SUMS`, or `at = 0` and WIDTH a multiple of
    /// SUMS).
    fn add_to(self, acc: &mut [f64; SUMS], at: usize);
}

impl Group for f64 {
    const WIDTH: usize = 1;
    #[inline(always)]
    unsafe fn load(src: &[f64]) -> f64 {
        src[0]
    }
    #[inline(always)]
    fn store(self, dst: &mut [f64]) {
        dst[0] = self;
    }
    #[inline(always)]
    fn add_to(self, acc: &mut [f64; SUMS], at: usize) {
        acc[at] += self;
    }
}

#[cfg(target_arch = "x86_64")]
impl Group for F64x8 {
    const WIDTH: usize = avx2::WIDTH;
    #[inline(always)]
    unsafe fn load(src: &[f64]) -> F64x8 {
        // SAFETY: forwarded caller contract.
        unsafe { F64x8::load(src) }
    }
    #[inline(always)]
    fn store(self, dst: &mut [f64]) {
        F64x8::store(self, dst)
    }
    #[inline(always)]
    fn add_to(self, acc: &mut [f64; SUMS], at: usize) {
        let dst = &mut acc[at..at + avx2::WIDTH];
        // SAFETY: an F64x8 exists only where AVX2 and FMA are available
        // (`avx2` module docs); `dst` has WIDTH elements.
        let sum = unsafe { F64x8::load(dst) } + self;
        sum.store(dst);
    }
}

#[cfg(target_arch = "x86_64")]
impl Group for F64x16 {
    const WIDTH: usize = avx512::WIDTH;
    #[inline(always)]
    unsafe fn load(src: &[f64]) -> F64x16 {
        // SAFETY: forwarded caller contract.
        unsafe { F64x16::load(src) }
    }
    #[inline(always)]
    fn store(self, dst: &mut [f64]) {
        F64x16::store(self, dst)
    }
    #[inline(always)]
    fn add_to(self, acc: &mut [f64; SUMS], at: usize) {
        // A group starts at a multiple of 16, so `at` is 0.
        debug_assert_eq!(at, 0);
        self.add_to_eight(acc);
    }
}

/// The kernel body: sums `one(n[i], alpha[i])` over all i in a fixed order
/// (element i into running sum i mod [`SUMS`], the sums added pairwise at
/// the end) and writes the partials when `partials` is given. A block's
/// last group, when short, is computed padded (n = 0, α = 0, whose values
/// are finite) and only its real elements are kept.
///
/// # Safety
/// `G::load` may be called (for [`F64x8`]: the CPU has AVX2 and FMA and
/// the caller is compiled with them; for [`F64x16`] likewise AVX-512).
#[inline(always)]
unsafe fn sum_over<E: Element, M: MulAdd, G: Group>(n: &[f64], m: &[f64], alpha: &[f64], mut partials: Option<&mut [f64]>) -> f64 {
    let zeros = [0.0f64; BLOCK];
    let mut acc = [0.0f64; SUMS];
    let mut values = [0.0f64; BLOCK];
    let mut scratch = [0.0f64; BLOCK];
    let mut start = 0;
    while start < n.len() {
        let end = (start + BLOCK).min(n.len());
        let len = end - start;
        let (nb, ab) = (&n[start..end], &alpha[start..end]);
        let mb = if E::TRIALS { &m[start..end] } else { &zeros[..len] };
        let pb: &mut [f64] = match partials.as_deref_mut() {
            Some(p) => &mut p[start..end],
            None => &mut scratch[..len],
        };
        let full = len - len % G::WIDTH;
        let mut j = 0;
        while j < full {
            // SAFETY: caller contract; j + WIDTH <= full <= len elements remain.
            let (nj, mj, aj) = unsafe { (G::load(&nb[j..]), G::load(&mb[j..]), G::load(&ab[j..])) };
            let (v, d) = E::one::<M, G>(nj, mj, aj);
            // Element j goes to sum j mod SUMS: a group starts at a multiple
            // of its width (BLOCK is a multiple of SUMS), so its elements
            // go to consecutive sums, in the same order as the loop below.
            if E::HAS_COUNT_TERM {
                v.store(&mut values[j..]);
            } else {
                v.add_to(&mut acc, j % SUMS);
            }
            d.store(&mut pb[j..]);
            j += G::WIDTH;
        }
        // The values of the loop above are summed already (or stored).
        let summed = if E::HAS_COUNT_TERM { 0 } else { full };
        if full < len {
            let mut pad = [[0.0f64; BLOCK]; 3];
            pad[0][..len - full].copy_from_slice(&nb[full..]);
            pad[1][..len - full].copy_from_slice(&ab[full..]);
            pad[2][..len - full].copy_from_slice(&mb[full..]);
            // SAFETY: caller contract; each padded array has BLOCK >= WIDTH elements.
            let (nj, mj, aj) = unsafe { (G::load(&pad[0]), G::load(&pad[2]), G::load(&pad[1])) };
            let (v, d) = E::one::<M, G>(nj, mj, aj);
            v.store(&mut pad[0]);
            d.store(&mut pad[1]);
            values[full..len].copy_from_slice(&pad[0][..len - full]);
            pb[full..].copy_from_slice(&pad[1][..len - full]);
        }
        if E::HAS_COUNT_TERM {
            for (v, &nj) in values[..len].iter_mut().zip(nb) {
                *v -= E::count_term(nj);
            }
        }
        for (j, v) in values[..len].iter().enumerate().skip(summed) {
            acc[j % SUMS] += v;
        }
        start = end;
    }
    pairwise(acc)
}

/// The running sums added pairwise: sum i + width/2 into sum i, halving
/// the width.
#[inline(always)]
fn pairwise(mut acc: [f64; SUMS]) -> f64 {
    let mut width = SUMS;
    while width > 1 {
        width /= 2;
        for i in 0..width {
            acc[i] += acc[i + width];
        }
    }
    acc[0]
}

/// The sum of bernoulli_logit(n[i] | alpha[i]) with the partials (∂α) in
/// `partials` when given. The slices have equal lengths.
pub fn bernoulli_logit_lpmf_batch(n: &[f64], alpha: &[f64], partials: Option<&mut [f64]>) -> f64 {
    sum_with_best_isa::<BernoulliLogit>(n, &[], alpha, partials)
}

/// The sum of poisson_log(n[i] | alpha[i]) with the partials (∂α) in
/// `partials` when given. The slices have equal lengths.
pub fn poisson_log_lpmf_batch(n: &[f64], alpha: &[f64], partials: Option<&mut [f64]>) -> f64 {
    sum_with_best_isa::<PoissonLog>(n, &[], alpha, partials)
}

/// [`poisson_log_lpmf_batch`] without the count terms -ln n[i]! (the
/// scalar [`super::discrete::poisson_log_uncounted_lpmf_grad`]'s batch).
pub fn poisson_log_uncounted_lpmf_batch(n: &[f64], alpha: &[f64], partials: Option<&mut [f64]>) -> f64 {
    sum_with_best_isa::<PoissonLogUncounted>(n, &[], alpha, partials)
}

/// The sum of binomial_logit(n[i] | m[i], alpha[i]) without the count
/// terms ln C(m[i], n[i]) (the scalar
/// [`super::discrete::binomial_logit_uncounted_lpmf_grad`]'s batch), with
/// the partials (∂α) in `partials` when given. The slices have equal
/// lengths.
pub fn binomial_logit_uncounted_lpmf_batch(n: &[f64], m: &[f64], alpha: &[f64], partials: Option<&mut [f64]>) -> f64 {
    sum_with_best_isa::<BinomialLogitUncounted>(n, m, alpha, partials)
}

/// binomial_logit's element (value without ln C(m, n), partial), without
/// SIMD dispatch, for tests that compare it with the scalar density.
pub fn binomial_logit_uncounted_lpmf_one(n: f64, m: f64, alpha: f64) -> (f64, f64) {
    BinomialLogitUncounted::one::<vmath::Plain, f64>(n, m, alpha)
}

/// binomial_logit's element on any [`Real`], as the kernels compute it
/// (as [`bernoulli_logit_element`]).
pub fn binomial_logit_uncounted_element<M: MulAdd, R: Real>(n: R, m: R, alpha: R) -> (R, R) {
    BinomialLogitUncounted::one::<M, R>(n, m, alpha)
}

/// [`sum_over`] in the widest kernel this CPU runs.
fn sum_with_best_isa<E: Element>(n: &[f64], m: &[f64], alpha: &[f64], partials: Option<&mut [f64]>) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if avx512::available() {
        // SAFETY: the CPU has AVX-512 F and DQ and FMA (checked just above).
        return unsafe { sum_avx512::<E>(n, m, alpha, partials) };
    }
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA (checked just above).
        return unsafe { sum_avx2::<E>(n, m, alpha, partials) };
    }
    // SAFETY: `f64` groups need nothing.
    unsafe { sum_over::<E, vmath::Plain, f64>(n, m, alpha, partials) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn sum_avx2<E: Element>(n: &[f64], m: &[f64], alpha: &[f64], partials: Option<&mut [f64]>) -> f64 {
    // SAFETY: compiled with AVX2 and FMA, which the caller checked.
    unsafe { sum_over::<E, vmath::Fused, F64x8>(n, m, alpha, partials) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx2,fma")]
unsafe fn sum_avx512<E: Element>(n: &[f64], m: &[f64], alpha: &[f64], partials: Option<&mut [f64]>) -> f64 {
    // SAFETY: compiled with AVX-512 F and DQ and FMA, which the caller checked.
    unsafe { sum_over::<E, vmath::Fused, F64x16>(n, m, alpha, partials) }
}

/// Whether this CPU runs the AVX2 + FMA kernels (detected once).
#[cfg(target_arch = "x86_64")]
pub fn has_avx2_fma() -> bool {
    use std::sync::OnceLock;
    static HAS: OnceLock<bool> = OnceLock::new();
    *HAS.get_or_init(|| is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"))
}

/// Whether this CPU runs the AVX2 + FMA kernels (never off x86-64).
#[cfg(not(target_arch = "x86_64"))]
pub fn has_avx2_fma() -> bool {
    false
}

/// An elementwise function of the loops the compiler batches
/// (`compiler/src/ir/batch.rs`): value, and with `PARTIAL` the derivative,
/// of one element or of a group side by side, straight-line so that it
/// vectorises.
trait Map {
    const PARTIAL: bool;
    fn one<M: MulAdd, R: Real>(x: R) -> (R, R);
    /// Whether some elements' values come from [`Map::scalar`] instead,
    /// in a scalar loop after the vector one.
    const FIXUP: bool = false;
    /// The value of an element outside the vector code's domain (`None`
    /// inside it).
    fn scalar(_x: f64) -> Option<f64> {
        None
    }
}

/// `exp` ([`vmath::exp`]: within 1 ulp, subnormal results included).
struct ExpMap;

impl Map for ExpMap {
    const PARTIAL: bool = false;
    #[inline(always)]
    fn one<M: MulAdd, R: Real>(x: R) -> (R, R) {
        (vmath::exp::<M, R>(x), R::splat(0.0))
    }
}

/// `log1p_exp` and its derivative `inv_logit`
/// ([`vmath::log1p_exp_and_inv_logit`]).
struct Log1pExpMap;

impl Map for Log1pExpMap {
    const PARTIAL: bool = true;
    #[inline(always)]
    fn one<M: MulAdd, R: Real>(x: R) -> (R, R) {
        vmath::log1p_exp_and_inv_logit::<M, R>(x)
    }
}

/// `log` ([`vmath::log`]).
struct LogMap;

impl Map for LogMap {
    const PARTIAL: bool = false;
    #[inline(always)]
    fn one<M: MulAdd, R: Real>(x: R) -> (R, R) {
        (vmath::log::<M, R>(x), R::splat(0.0))
    }
}

/// `log1p` ([`vmath::log1p`]).
struct Log1pMap;

impl Map for Log1pMap {
    const PARTIAL: bool = false;
    #[inline(always)]
    fn one<M: MulAdd, R: Real>(x: R) -> (R, R) {
        (vmath::log1p::<M, R>(x), R::splat(0.0))
    }
}

/// `log1p`'s derivative 1 / (1 + x), as the scalar `hbm_log1p_d1`
/// computes it (the same two operations, so the same bits).
struct Log1pD1Map;

impl Map for Log1pD1Map {
    const PARTIAL: bool = false;
    #[inline(always)]
    fn one<M: MulAdd, R: Real>(x: R) -> (R, R) {
        let c = R::splat;
        (c(1.0) / (c(1.0) + x), c(0.0))
    }
}

/// `lgamma` ([`vmath::lgamma_positive`] for 0 < x < inf, the scalar
/// function elsewhere: poles, negative arguments, infinities, NaN).
struct LgammaMap;

impl Map for LgammaMap {
    const PARTIAL: bool = false;
    #[inline(always)]
    fn one<M: MulAdd, R: Real>(x: R) -> (R, R) {
        (vmath::lgamma_positive::<M, R>(x), R::splat(0.0))
    }
    const FIXUP: bool = true;
    fn scalar(x: f64) -> Option<f64> {
        (!(x > 0.0 && x < f64::INFINITY)).then(|| crate::special::lgamma(x))
    }
}

/// `digamma`, lgamma's derivative (as [`LgammaMap`]).
struct DigammaMap;

impl Map for DigammaMap {
    const PARTIAL: bool = false;
    #[inline(always)]
    fn one<M: MulAdd, R: Real>(x: R) -> (R, R) {
        (vmath::digamma_positive::<M, R>(x), R::splat(0.0))
    }
    const FIXUP: bool = true;
    fn scalar(x: f64) -> Option<f64> {
        (!(x > 0.0 && x < f64::INFINITY)).then(|| crate::special::digamma(x))
    }
}

/// Writes `E`'s value of each `x[i]` to `value[i]` and, with
/// `E::PARTIAL`, its derivative to `partial[i]`; a short last group is
/// computed padded (zeros) and only its real elements kept, so every
/// element is computed by the same code whatever its place.
///
/// # Safety
/// As [`sum_over`]: `G::load` may be called.
#[inline(always)]
unsafe fn map_over<E: Map, M: MulAdd, G: Group>(x: &[f64], value: &mut [f64], partial: &mut [f64]) {
    let full = x.len() - x.len() % G::WIDTH;
    let mut j = 0;
    while j < full {
        // SAFETY: caller contract; j + WIDTH <= full elements remain.
        let (v, d) = E::one::<M, G>(unsafe { G::load(&x[j..]) });
        v.store(&mut value[j..]);
        if E::PARTIAL {
            d.store(&mut partial[j..]);
        }
        j += G::WIDTH;
    }
    if full < x.len() {
        let rest = x.len() - full;
        let mut pad = [[0.0f64; BLOCK]; 3];
        pad[0][..rest].copy_from_slice(&x[full..]);
        // SAFETY: caller contract; the padded array has BLOCK >= WIDTH elements.
        let (v, d) = E::one::<M, G>(unsafe { G::load(&pad[0]) });
        v.store(&mut pad[1]);
        d.store(&mut pad[2]);
        value[full..].copy_from_slice(&pad[1][..rest]);
        if E::PARTIAL {
            partial[full..].copy_from_slice(&pad[2][..rest]);
        }
    }
    if E::FIXUP {
        for (v, &xi) in value.iter_mut().zip(x) {
            if let Some(s) = E::scalar(xi) {
                *v = s;
            }
        }
    }
}

/// [`map_over`] in the widest kernel this CPU runs.
fn map_with_best_isa<E: Map>(x: &[f64], value: &mut [f64], partial: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if avx512::available() {
        // SAFETY: the CPU has AVX-512 F and DQ and FMA (checked just above).
        return unsafe { map_avx512::<E>(x, value, partial) };
    }
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA (checked just above).
        return unsafe { map_avx2::<E>(x, value, partial) };
    }
    // SAFETY: `f64` groups need nothing.
    unsafe { map_over::<E, vmath::Plain, f64>(x, value, partial) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn map_avx2<E: Map>(x: &[f64], value: &mut [f64], partial: &mut [f64]) {
    // SAFETY: compiled with AVX2 and FMA, which the caller checked.
    unsafe { map_over::<E, vmath::Fused, F64x8>(x, value, partial) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx2,fma")]
unsafe fn map_avx512<E: Map>(x: &[f64], value: &mut [f64], partial: &mut [f64]) {
    // SAFETY: compiled with AVX-512 F and DQ and FMA, which the caller checked.
    unsafe { map_over::<E, vmath::Fused, F64x16>(x, value, partial) }
}

/// `exp` of each element of `x` into `value` (equal lengths), as
/// [`vmath::exp`] computes it.
pub fn exp_batch(x: &[f64], value: &mut [f64]) {
    map_with_best_isa::<ExpMap>(x, &mut value[..x.len()], &mut [])
}

/// `log1p_exp` of each element of `x` into `value` and its derivative
/// `inv_logit` into `partial` (equal lengths).
pub fn log1p_exp_grad_batch(x: &[f64], value: &mut [f64], partial: &mut [f64]) {
    map_with_best_isa::<Log1pExpMap>(x, &mut value[..x.len()], &mut partial[..x.len()])
}

/// `log` of each element of `x` into `value` (equal lengths), as
/// [`vmath::log`] computes it.
pub fn log_batch(x: &[f64], value: &mut [f64]) {
    map_with_best_isa::<LogMap>(x, &mut value[..x.len()], &mut [])
}

/// `log1p` of each element of `x` into `value` (equal lengths), as
/// [`vmath::log1p`] computes it.
pub fn log1p_batch(x: &[f64], value: &mut [f64]) {
    map_with_best_isa::<Log1pMap>(x, &mut value[..x.len()], &mut [])
}

/// 1 / (1 + x) of each element of `x` into `value` (equal lengths):
/// `log1p`'s derivative, bit for bit as the scalar `hbm_log1p_d1`.
pub fn log1p_d1_batch(x: &[f64], value: &mut [f64]) {
    map_with_best_isa::<Log1pD1Map>(x, &mut value[..x.len()], &mut [])
}

/// `lgamma` of each element of `x` into `value` (equal lengths): the
/// vector code for 0 < x < inf, the scalar function elsewhere.
pub fn lgamma_batch(x: &[f64], value: &mut [f64]) {
    map_with_best_isa::<LgammaMap>(x, &mut value[..x.len()], &mut [])
}

/// `digamma` of each element of `x` into `value` (as [`lgamma_batch`]).
pub fn digamma_batch(x: &[f64], value: &mut [f64]) {
    map_with_best_isa::<DigammaMap>(x, &mut value[..x.len()], &mut [])
}

/// C-ABI form of [`lgamma_batch`] (as [`hbm_exp_batch`]).
///
/// # Safety
/// As [`hbm_exp_batch`].
pub unsafe extern "C" fn hbm_lgamma_batch(len: i64, x: *const f64, value: *mut f64) -> f64 {
    // SAFETY: forwarded caller contract.
    unsafe { map_abi(len, x, value, lgamma_batch) }
}

/// C-ABI form of [`digamma_batch`] for the derivative `hbm_lgamma_d1`
/// (as [`hbm_exp_batch`]).
///
/// # Safety
/// As [`hbm_exp_batch`].
pub unsafe extern "C" fn hbm_lgamma_d1_batch(len: i64, x: *const f64, value: *mut f64) -> f64 {
    // SAFETY: forwarded caller contract.
    unsafe { map_abi(len, x, value, digamma_batch) }
}

/// C-ABI form of [`digamma_batch`] for `hbm_digamma` (as
/// [`hbm_exp_batch`]).
///
/// # Safety
/// As [`hbm_exp_batch`].
pub unsafe extern "C" fn hbm_digamma_batch(len: i64, x: *const f64, value: *mut f64) -> f64 {
    // SAFETY: forwarded caller contract.
    unsafe { map_abi(len, x, value, digamma_batch) }
}

/// The C-ABI form of a one-output batched map: checks the length and
/// pointers (NaN for a negative `len` or a null pointer with a positive
/// one, nothing written) and runs `f`, giving 0.
///
/// # Safety
/// As [`hbm_exp_batch`].
unsafe fn map_abi(len: i64, x: *const f64, value: *mut f64, f: fn(&[f64], &mut [f64])) -> f64 {
    let Ok(len) = usize::try_from(len) else { return f64::NAN };
    if len == 0 {
        return 0.0;
    }
    if x.is_null() || value.is_null() {
        return f64::NAN;
    }
    // SAFETY: caller contract.
    let (x, value) = unsafe { (std::slice::from_raw_parts(x, len), std::slice::from_raw_parts_mut(value, len)) };
    f(x, value);
    0.0
}

/// C-ABI form of [`log_batch`] (as [`hbm_exp_batch`]).
///
/// # Safety
/// As [`hbm_exp_batch`].
pub unsafe extern "C" fn hbm_log_batch(len: i64, x: *const f64, value: *mut f64) -> f64 {
    // SAFETY: forwarded caller contract.
    unsafe { map_abi(len, x, value, log_batch) }
}

/// C-ABI form of [`log1p_batch`] (as [`hbm_exp_batch`]).
///
/// # Safety
/// As [`hbm_exp_batch`].
pub unsafe extern "C" fn hbm_log1p_batch(len: i64, x: *const f64, value: *mut f64) -> f64 {
    // SAFETY: forwarded caller contract.
    unsafe { map_abi(len, x, value, log1p_batch) }
}

/// C-ABI form of [`log1p_d1_batch`] (as [`hbm_exp_batch`]).
///
/// # Safety
/// As [`hbm_exp_batch`].
pub unsafe extern "C" fn hbm_log1p_d1_batch(len: i64, x: *const f64, value: *mut f64) -> f64 {
    // SAFETY: forwarded caller contract.
    unsafe { map_abi(len, x, value, log1p_d1_batch) }
}

/// C-ABI form of [`exp_batch`]: `len` values from `x` to `value`. Returns
/// 0, or NaN (nothing written) for a negative `len` or a null pointer
/// with a positive one.
///
/// # Safety
/// `x` must be valid for `len` reads and `value` for `len` writes, not
/// overlapping.
pub unsafe extern "C" fn hbm_exp_batch(len: i64, x: *const f64, value: *mut f64) -> f64 {
    let Ok(len) = usize::try_from(len) else { return f64::NAN };
    if len == 0 {
        return 0.0;
    }
    if x.is_null() || value.is_null() {
        return f64::NAN;
    }
    // SAFETY: caller contract.
    let (x, value) = unsafe { (std::slice::from_raw_parts(x, len), std::slice::from_raw_parts_mut(value, len)) };
    exp_batch(x, value);
    0.0
}

/// C-ABI form of [`log1p_exp_grad_batch`] (as [`hbm_exp_batch`], with
/// `partial` valid for `len` writes too).
///
/// # Safety
/// As [`hbm_exp_batch`]; `partial` overlaps nothing either.
pub unsafe extern "C" fn hbm_log1p_exp_grad_batch(len: i64, x: *const f64, value: *mut f64, partial: *mut f64) -> f64 {
    let Ok(len) = usize::try_from(len) else { return f64::NAN };
    if len == 0 {
        return 0.0;
    }
    if x.is_null() || value.is_null() || partial.is_null() {
        return f64::NAN;
    }
    // SAFETY: caller contract.
    let (x, value, partial) =
        unsafe { (std::slice::from_raw_parts(x, len), std::slice::from_raw_parts_mut(value, len), std::slice::from_raw_parts_mut(partial, len)) };
    log1p_exp_grad_batch(x, value, partial);
    0.0
}

/// The slices of a batched call, or `None` for a negative length or a null
/// pointer with a positive length.
///
/// # Safety
/// Each non-null pointer must be valid for `len` elements, and `partials`
/// must not overlap the inputs.
unsafe fn slices<'a>(len: i64, n: *const f64, alpha: *const f64, partials: *mut f64) -> Option<(&'a [f64], &'a [f64], Option<&'a mut [f64]>)> {
    let len = usize::try_from(len).ok()?;
    if len == 0 {
        return Some((&[], &[], None));
    }
    if n.is_null() || alpha.is_null() {
        return None;
    }
    // SAFETY: caller contract.
    let (n, alpha) = unsafe { (std::slice::from_raw_parts(n, len), std::slice::from_raw_parts(alpha, len)) };
    // SAFETY: caller contract.
    let partials = (!partials.is_null()).then(|| unsafe { std::slice::from_raw_parts_mut(partials, len) });
    Some((n, alpha, partials))
}

/// C-ABI form of [`bernoulli_logit_lpmf_batch`] with partials: the sum of
/// `len` log masses; writes `len` partials to `partials`. A negative `len`
/// or a null input gives `-inf`.
///
/// # Safety
/// `n` and `alpha` must be valid for `len` reads and `partials` for `len`
/// writes (or null), not overlapping them.
pub unsafe extern "C" fn hbm_bernoulli_logit_lpmf_grad_batch(len: i64, n: *const f64, alpha: *const f64, partials: *mut f64) -> f64 {
    // SAFETY: forwarded caller contract.
    match unsafe { slices(len, n, alpha, partials) } {
        Some((n, alpha, p)) => bernoulli_logit_lpmf_batch(n, alpha, p),
        None => f64::NEG_INFINITY,
    }
}

/// C-ABI form of [`bernoulli_logit_lpmf_batch`] without partials.
///
/// # Safety
/// `n` and `alpha` must be valid for `len` reads.
pub unsafe extern "C" fn hbm_bernoulli_logit_lpmf_batch(len: i64, n: *const f64, alpha: *const f64) -> f64 {
    // SAFETY: forwarded caller contract.
    match unsafe { slices(len, n, alpha, std::ptr::null_mut()) } {
        Some((n, alpha, _)) => bernoulli_logit_lpmf_batch(n, alpha, None),
        None => f64::NEG_INFINITY,
    }
}

/// C-ABI form of [`poisson_log_lpmf_batch`] with partials (as
/// [`hbm_bernoulli_logit_lpmf_grad_batch`]).
///
/// # Safety
/// As [`hbm_bernoulli_logit_lpmf_grad_batch`].
pub unsafe extern "C" fn hbm_poisson_log_lpmf_grad_batch(len: i64, n: *const f64, alpha: *const f64, partials: *mut f64) -> f64 {
    // SAFETY: forwarded caller contract.
    match unsafe { slices(len, n, alpha, partials) } {
        Some((n, alpha, p)) => poisson_log_lpmf_batch(n, alpha, p),
        None => f64::NEG_INFINITY,
    }
}

/// C-ABI form of [`poisson_log_lpmf_batch`] without partials.
///
/// # Safety
/// `n` and `alpha` must be valid for `len` reads.
pub unsafe extern "C" fn hbm_poisson_log_lpmf_batch(len: i64, n: *const f64, alpha: *const f64) -> f64 {
    // SAFETY: forwarded caller contract.
    match unsafe { slices(len, n, alpha, std::ptr::null_mut()) } {
        Some((n, alpha, _)) => poisson_log_lpmf_batch(n, alpha, None),
        None => f64::NEG_INFINITY,
    }
}

/// C-ABI form of [`poisson_log_uncounted_lpmf_batch`] with partials (as
/// [`hbm_bernoulli_logit_lpmf_grad_batch`]).
///
/// # Safety
/// As [`hbm_bernoulli_logit_lpmf_grad_batch`].
pub unsafe extern "C" fn hbm_poisson_log_uncounted_lpmf_grad_batch(len: i64, n: *const f64, alpha: *const f64, partials: *mut f64) -> f64 {
    // SAFETY: forwarded caller contract.
    match unsafe { slices(len, n, alpha, partials) } {
        Some((n, alpha, p)) => poisson_log_uncounted_lpmf_batch(n, alpha, p),
        None => f64::NEG_INFINITY,
    }
}

/// C-ABI form of [`poisson_log_uncounted_lpmf_batch`] without partials.
///
/// # Safety
/// `n` and `alpha` must be valid for `len` reads.
pub unsafe extern "C" fn hbm_poisson_log_uncounted_lpmf_batch(len: i64, n: *const f64, alpha: *const f64) -> f64 {
    // SAFETY: forwarded caller contract.
    match unsafe { slices(len, n, alpha, std::ptr::null_mut()) } {
        Some((n, alpha, _)) => poisson_log_uncounted_lpmf_batch(n, alpha, None),
        None => f64::NEG_INFINITY,
    }
}

/// C-ABI form of [`binomial_logit_uncounted_lpmf_batch`] with partials:
/// the sum of `len` log masses; writes `len` partials to `partials`. A
/// negative `len` or a null input gives `-inf`.
///
/// # Safety
/// `n`, `m` and `alpha` must be valid for `len` reads and `partials` for
/// `len` writes (or null), not overlapping them.
pub unsafe extern "C" fn hbm_binomial_logit_uncounted_lpmf_grad_batch(len: i64, n: *const f64, m: *const f64, alpha: *const f64, partials: *mut f64) -> f64 {
    if len > 0 && m.is_null() {
        return f64::NEG_INFINITY;
    }
    // SAFETY: forwarded caller contract.
    match unsafe { slices(len, n, alpha, partials) } {
        // SAFETY: caller contract (m valid for len reads, checked non-null).
        Some((n, alpha, p)) => binomial_logit_uncounted_lpmf_batch(n, unsafe { trials(m, n.len()) }, alpha, p),
        None => f64::NEG_INFINITY,
    }
}

/// C-ABI form of [`binomial_logit_uncounted_lpmf_batch`] without partials.
///
/// # Safety
/// `n`, `m` and `alpha` must be valid for `len` reads.
pub unsafe extern "C" fn hbm_binomial_logit_uncounted_lpmf_batch(len: i64, n: *const f64, m: *const f64, alpha: *const f64) -> f64 {
    // SAFETY: forwarded caller contract.
    unsafe { hbm_binomial_logit_uncounted_lpmf_grad_batch(len, n, m, alpha, std::ptr::null_mut()) }
}

/// The trials of a binomial batch: `len` values at `m` (empty for none).
///
/// # Safety
/// `m` is non-null and valid for `len` reads when `len > 0`.
unsafe fn trials<'a>(m: *const f64, len: usize) -> &'a [f64] {
    if len == 0 {
        return &[];
    }
    // SAFETY: caller contract.
    unsafe { std::slice::from_raw_parts(m, len) }
}

/// The sum of `x` in the kernels' fixed order (element i into running sum
/// i mod 8, the sums added pairwise).
pub fn sum_batch(x: &[f64]) -> f64 {
    let mut acc = [0.0f64; SUMS];
    let mut chunks = x.chunks_exact(SUMS);
    for c in &mut chunks {
        for (a, v) in acc.iter_mut().zip(c) {
            *a += v;
        }
    }
    for (a, v) in acc.iter_mut().zip(chunks.remainder()) {
        *a += v;
    }
    pairwise(acc)
}

/// C-ABI form of [`sum_batch`]: the sum of `len` values, for the compiler's
/// batched loops, which add an observation's contribution to a fixed
/// gradient element into scratch and the block's sum once. A negative
/// `len` or a null `x` with a positive one gives NaN.
///
/// # Safety
/// `x` must be valid for `len` reads.
pub unsafe extern "C" fn hbm_sum_batch(x: *const f64, len: i64) -> f64 {
    let Ok(len) = usize::try_from(len) else { return f64::NAN };
    if len == 0 {
        return 0.0;
    }
    if x.is_null() {
        return f64::NAN;
    }
    // SAFETY: caller contract.
    sum_batch(unsafe { std::slice::from_raw_parts(x, len) })
}

/// bernoulli_logit's element (value, partial) on any [`Real`], as the
/// kernels compute it: for tests that compare the AVX2 code with the scalar
/// code of the same rounding (`M`) bit for bit.
pub fn bernoulli_logit_element<M: MulAdd, R: Real>(n: R, alpha: R) -> (R, R) {
    BernoulliLogit::one::<M, R>(n, R::splat(0.0), alpha)
}

/// poisson_log's element (value without − ln n!, partial) on any [`Real`],
/// as [`bernoulli_logit_element`].
pub fn poisson_log_element<M: MulAdd, R: Real>(n: R, alpha: R) -> (R, R) {
    PoissonLog::one::<M, R>(n, R::splat(0.0), alpha)
}

/// poisson_log's element (value with ln n!, partial), without SIMD dispatch.
pub fn poisson_log_lpmf_one(n: f64, alpha: f64) -> (f64, f64) {
    let (v, d) = PoissonLog::one::<vmath::Plain, f64>(n, 0.0, alpha);
    (v - PoissonLog::count_term(n), d)
}

/// The scalar element function of each kernel, without SIMD dispatch, for
/// tests that compare an element with the scalar density.
pub fn bernoulli_logit_lpmf_one(n: f64, alpha: f64) -> (f64, f64) {
    BernoulliLogit::one::<vmath::Plain, f64>(n, 0.0, alpha)
}
