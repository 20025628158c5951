//! Batched log masses: one call for a block of observations, returning the
//! sum of their log masses and writing each observation's partial.
//!
//! A likelihood loop whose only transcendental work is one density per
//! observation is split by the compiler (`compiler/src/ir/batch.rs`) into a
//! pass that writes the arguments to scratch arrays, one call here per
//! block, and a pass that scatters the partials. Here the per-element math
//! is straight-line code ([`crate::vmath`]) in a loop without a reduction,
//! so it compiles to SIMD: with AVX2 and FMA (checked once at run time)
//! 4 observations per instruction, otherwise the same code without FMA.
//!
//! Each kernel agrees with its scalar density in [`super::discrete`] to a
//! few ulp per observation (value and partial), with the same conventions:
//! an invalid argument (a count outside the support, a NaN log-odds) makes
//! its value `-inf` and its partial 0, and a non-finite value has a zero
//! partial. Integer arguments arrive as `f64` (exact below 2^53).

use crate::vmath::{self, MulAdd};

/// Elements handled per inner block: the per-element values live in a
/// stack array of this size before they are summed.
const BLOCK: usize = 64;

/// One density of two arguments (an integer as `f64` and one real): value
/// and partial of a single element, written so that a loop over elements
/// vectorises (a trait rather than a closure, so that it is inlined into
/// the code compiled for AVX2).
trait Element {
    fn one<M: MulAdd>(n: f64, alpha: f64) -> (f64, f64);
    /// A term of the value that depends on `n` alone and is not straight-line
    /// code (a library call that would stop vectorisation), subtracted from
    /// each value in a scalar loop after the vector one.
    const HAS_COUNT_TERM: bool = false;
    fn count_term(_n: f64) -> f64 {
        0.0
    }
}

/// poisson_log(n | α): n α − e^α − ln n!.
struct PoissonLog;

impl Element for PoissonLog {
    #[inline(always)]
    fn one<M: MulAdd>(n: f64, alpha: f64) -> (f64, f64) {
        let e = vmath::exp::<M>(alpha);
        // As the scalar density: ((n α) − e^α), then − ln n! (count_term).
        let mut v = n * alpha - e;
        let mut d = n - e;
        // α = −inf is λ = 0: all mass at n = 0 (value 0, partial 0).
        let zero_rate = alpha == f64::NEG_INFINITY;
        v = if zero_rate { if n == 0.0 { 0.0 } else { f64::NEG_INFINITY } } else { v };
        d = if zero_rate { 0.0 } else { d };
        let valid = n >= 0.0 && n == n.floor() && !alpha.is_nan() && alpha != f64::INFINITY;
        let v = if valid && !v.is_nan() { v } else { f64::NEG_INFINITY };
        let d = if v.is_finite() && !d.is_nan() { d } else { 0.0 };
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
    fn one<M: MulAdd>(n: f64, alpha: f64) -> (f64, f64) {
        bernoulli_logit_one::<M>(n, alpha)
    }
}

/// Value and partial of bernoulli_logit(n | α) for one element.
#[inline(always)]
fn bernoulli_logit_one<M: MulAdd>(n: f64, alpha: f64) -> (f64, f64) {
    // With s = +1 for n = 1 and -1 for n = 0 and t = -s α:
    // log p = -ln(1 + e^t), d/dα log p = s σ(t).
    let s = if n == 1.0 { 1.0 } else { -1.0 };
    let t = -s * alpha;
    let (l, sigma) = vmath::log1p_exp_and_inv_logit::<M>(t);
    let valid = (n == 0.0 || n == 1.0) && !alpha.is_nan();
    let lp = if valid { -l } else { f64::NEG_INFINITY };
    // lp is -inf exactly when t = +inf (or invalid): zero partial then.
    let d = if lp > f64::NEG_INFINITY { s * sigma } else { 0.0 };
    (lp, d)
}

/// The kernel body: sums `one(n[i], alpha[i])` over all i in a fixed order
/// (blocks of [`BLOCK`] in 4 running sums) and writes the partials when
/// `partials` is given.
#[inline(always)]
fn sum_over<E: Element, M: MulAdd>(n: &[f64], alpha: &[f64], mut partials: Option<&mut [f64]>) -> f64 {
    let mut acc = [0.0f64; 4];
    let mut values = [0.0f64; BLOCK];
    let mut start = 0;
    while start < n.len() {
        let end = (start + BLOCK).min(n.len());
        let len = end - start;
        let (nb, ab) = (&n[start..end], &alpha[start..end]);
        match partials.as_deref_mut() {
            Some(p) => {
                let pb = &mut p[start..end];
                for j in 0..len {
                    let (v, d) = E::one::<M>(nb[j], ab[j]);
                    values[j] = v;
                    pb[j] = d;
                }
            }
            None => {
                for j in 0..len {
                    values[j] = E::one::<M>(nb[j], ab[j]).0;
                }
            }
        }
        if E::HAS_COUNT_TERM {
            for (v, &nj) in values[..len].iter_mut().zip(nb) {
                *v -= E::count_term(nj);
            }
        }
        for (j, v) in values[..len].iter().enumerate() {
            acc[j % 4] += v;
        }
        start = end;
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

/// The sum of bernoulli_logit(n[i] | alpha[i]) with the partials (∂α) in
/// `partials` when given. The slices have equal lengths.
pub fn bernoulli_logit_lpmf_batch(n: &[f64], alpha: &[f64], partials: Option<&mut [f64]>) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA (checked just above).
        return unsafe { bernoulli_logit_avx2(n, alpha, partials) };
    }
    sum_over::<BernoulliLogit, vmath::Plain>(n, alpha, partials)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn bernoulli_logit_avx2(n: &[f64], alpha: &[f64], partials: Option<&mut [f64]>) -> f64 {
    sum_over::<BernoulliLogit, vmath::Fused>(n, alpha, partials)
}

/// The sum of poisson_log(n[i] | alpha[i]) with the partials (∂α) in
/// `partials` when given. The slices have equal lengths.
pub fn poisson_log_lpmf_batch(n: &[f64], alpha: &[f64], partials: Option<&mut [f64]>) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA (checked just above).
        return unsafe { poisson_log_avx2(n, alpha, partials) };
    }
    sum_over::<PoissonLog, vmath::Plain>(n, alpha, partials)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn poisson_log_avx2(n: &[f64], alpha: &[f64], partials: Option<&mut [f64]>) -> f64 {
    sum_over::<PoissonLog, vmath::Fused>(n, alpha, partials)
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

/// poisson_log's element (value with ln n!, partial), without SIMD dispatch.
pub fn poisson_log_lpmf_one(n: f64, alpha: f64) -> (f64, f64) {
    let (v, d) = PoissonLog::one::<vmath::Plain>(n, alpha);
    (v - PoissonLog::count_term(n), d)
}

/// The scalar element function of each kernel, without SIMD dispatch, for
/// tests that compare an element with the scalar density.
pub fn bernoulli_logit_lpmf_one(n: f64, alpha: f64) -> (f64, f64) {
    bernoulli_logit_one::<vmath::Plain>(n, alpha)
}
