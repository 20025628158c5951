//! The quadratic part of a normal density summed over a whole vector with
//! one location and one scale: `Σ -((x_i - μ)·w)² / 2` with `w = 1/σ`.
//!
//! The compiler lowers `x ~ normal(μ, σ)` to plain IR arithmetic, one term
//! per element. That is best where the terms fuse with the code around them,
//! but a long prior on a parameter vector (`z ~ std_normal()` over the
//! 768 effects of a per-group covariance model) then costs ~17 instructions
//! per element, and every term waits for the previous one's addition to
//! the target. Here the sum runs in eight independent running sums that
//! the compiler vectorises (AVX2 where the CPU has it), and the adjoint is
//! one pass. The terms `-log σ - log √(2π)` are not included: the compiler
//! adds them once for all elements.

use crate::ffi::{slice, slice_mut};

/// Running sums: element i goes to sum i mod SUMS, so the AVX2 and the
/// plain code add in the same order and give the same bits.
const SUMS: usize = 8;
#[cfg(target_arch = "x86_64")]
const _: () = assert!(SUMS == crate::vmath::avx2::WIDTH);

/// `Σ -((x_i - μ)·w)² / 2`.
pub fn normal_sum(x: &[f64], mu: f64, w: f64) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if super::batch::has_avx2_fma() {
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe { normal_sum_avx2(x, mu, w) };
    }
    normal_sum_plain(x, mu, w)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn normal_sum_avx2(x: &[f64], mu: f64, w: f64) -> f64 {
    normal_sum_plain(x, mu, w)
}

#[inline(always)]
fn normal_sum_plain(x: &[f64], mu: f64, w: f64) -> f64 {
    let mut acc = [0.0f64; SUMS];
    let mut chunks = x.chunks_exact(SUMS);
    for c in &mut chunks {
        for (a, &v) in acc.iter_mut().zip(c) {
            let z = (v - mu) * w;
            *a += z * z;
        }
    }
    for (a, &v) in acc.iter_mut().zip(chunks.remainder()) {
        let z = (v - mu) * w;
        *a += z * z;
    }
    // Pairwise: (0+4, 1+5, 2+6, 3+7), then (0+2, 1+3), then 0+1.
    let mut width = SUMS;
    while width > 1 {
        width /= 2;
        for i in 0..width {
            acc[i] += acc[i + width];
        }
    }
    -0.5 * acc[0]
}

/// Reverse mode of [`normal_sum`] with adjoint `g`: accumulates
/// `g ∂/∂x_i = -g w² (x_i - μ)` into `x_adj` and returns
/// `(g ∂/∂μ, g ∂/∂w) = (g w² Σ (x_i - μ), -g w Σ (x_i - μ)²)`.
pub fn normal_sum_adj(x: &[f64], mu: f64, w: f64, g: f64, x_adj: &mut [f64]) -> (f64, f64) {
    #[cfg(target_arch = "x86_64")]
    if super::batch::has_avx2_fma() {
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe { normal_sum_adj_avx2(x, mu, w, g, x_adj) };
    }
    normal_sum_adj_plain(x, mu, w, g, x_adj)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn normal_sum_adj_avx2(x: &[f64], mu: f64, w: f64, g: f64, x_adj: &mut [f64]) -> (f64, f64) {
    // Written with the vector type: left to LLVM, the two running sums'
    // lanes were interleaved into shuffles (5.6 instructions an element).
    use crate::vmath::avx2::F64x8;
    use crate::vmath::real::Real;
    let k = g * w * w;
    let (mu_v, k_v) = (F64x8::splat(mu), F64x8::splat(k));
    let (mut d1, mut d2) = (F64x8::splat(0.0), F64x8::splat(0.0));
    let done = x.len().min(x_adj.len()) / SUMS * SUMS;
    for (c, a) in x[..done].chunks_exact(SUMS).zip(x_adj[..done].chunks_exact_mut(SUMS)) {
        // SAFETY: AVX2 and FMA are present (the caller checked); both
        // chunks have SUMS = WIDTH elements.
        let (xv, av) = unsafe { (F64x8::load(c), F64x8::load(a)) };
        let d = xv - mu_v;
        (av - k_v * d).store(a);
        d1 = d1 + d;
        d2 = d2 + d * d;
    }
    adj_tail(&x[done..], &mut x_adj[done..], mu, w, g, d1.to_array(), d2.to_array())
}

#[inline(always)]
fn normal_sum_adj_plain(x: &[f64], mu: f64, w: f64, g: f64, x_adj: &mut [f64]) -> (f64, f64) {
    let k = g * w * w;
    let (mut d1, mut d2) = ([0.0f64; SUMS], [0.0f64; SUMS]);
    let done = x.len().min(x_adj.len()) / SUMS * SUMS;
    for (c, a) in x[..done].chunks_exact(SUMS).zip(x_adj[..done].chunks_exact_mut(SUMS)) {
        for j in 0..SUMS {
            let d = c[j] - mu;
            a[j] -= k * d;
            d1[j] += d;
            d2[j] += d * d;
        }
    }
    adj_tail(&x[done..], &mut x_adj[done..], mu, w, g, d1, d2)
}

/// The last `len % SUMS` elements, then the sums of the lanes, in the same
/// order on both paths.
#[inline(always)]
fn adj_tail(x: &[f64], x_adj: &mut [f64], mu: f64, w: f64, g: f64, mut d1: [f64; SUMS], mut d2: [f64; SUMS]) -> (f64, f64) {
    let k = g * w * w;
    for (j, (&v, a)) in x.iter().zip(x_adj.iter_mut()).enumerate() {
        let d = v - mu;
        *a -= k * d;
        d1[j] += d;
        d2[j] += d * d;
    }
    let (s1, s2): (f64, f64) = (d1.iter().sum(), d2.iter().sum());
    (k * s1, -g * w * s2)
}

/// C form of [`normal_sum`]; NaN for a negative `n` or a null `x`.
///
/// # Safety
/// `x` valid for `n` reads.
pub unsafe extern "C" fn hbm_normal_sum_vec(x: *const f64, n: i64, mu: f64, w: f64) -> f64 {
    let Ok(n) = usize::try_from(n) else { return f64::NAN };
    // SAFETY: caller contract.
    match unsafe { slice(x, n) } {
        Some(x) => normal_sum(x, mu, w),
        None => f64::NAN,
    }
}

/// C form of [`normal_sum_adj`]: accumulates into `x_adj[..n]`, `*mu_adj`
/// and `*w_adj`; returns 0, or 2 for a negative `n` or a null pointer.
///
/// # Safety
/// `x` and `x_adj` valid for `n` values, `mu_adj` and `w_adj` for one;
/// `x_adj` does not overlap the others.
pub unsafe extern "C" fn hbm_normal_sum_vec_adj(
    x: *const f64,
    n: i64,
    mu: f64,
    w: f64,
    g: f64,
    x_adj: *mut f64,
    mu_adj: *mut f64,
    w_adj: *mut f64,
) -> i32 {
    let Ok(n) = usize::try_from(n) else { return 2 };
    // SAFETY: caller contract.
    let (Some(x), Some(xa), Some(ma), Some(wa)) =
        (unsafe { slice(x, n) }, unsafe { slice_mut(x_adj, n) }, unsafe { slice_mut(mu_adj, 1) }, unsafe { slice_mut(w_adj, 1) })
    else {
        return 2;
    };
    let (dm, dw) = normal_sum_adj(x, mu, w, g, xa);
    ma[0] += dm;
    wa[0] += dw;
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(n: usize) -> Vec<f64> {
        (0..n).map(|i| ((i as f64) * 0.7).sin() * 2.0 + 0.1 * i as f64).collect()
    }

    /// The value is the sum of the scalar normal density's quadratic term.
    #[test]
    fn value_is_the_sum_of_the_terms() {
        for n in [0, 1, 7, 8, 9, 30, 203] {
            let x = points(n);
            let (mu, sigma) = (0.3, 1.7);
            let want: f64 = x
                .iter()
                .map(|&v| crate::dist::continuous::normal_lpdf(v, mu, sigma) + sigma.ln() + crate::special::HALF_LN_2PI)
                .sum();
            let got = normal_sum(&x, mu, 1.0 / sigma);
            assert!((got - want).abs() <= 1e-12 * (1.0 + want.abs()), "n {n}: {got} vs {want}");
        }
    }

    /// The AVX2 path (where the CPU has it) gives the plain path's bits.
    #[test]
    fn dispatch_gives_the_plain_bits() {
        let x = points(203);
        let mut a = vec![0.5; 203];
        let mut b = a.clone();
        assert_eq!(normal_sum(&x, 0.2, 1.3).to_bits(), normal_sum_plain(&x, 0.2, 1.3).to_bits());
        let ra = normal_sum_adj(&x, 0.2, 1.3, 0.9, &mut a);
        let rb = normal_sum_adj_plain(&x, 0.2, 1.3, 0.9, &mut b);
        assert_eq!(ra, rb);
        assert_eq!(a, b);
    }

    /// Every partial against a central finite difference of the value.
    #[test]
    fn adjoint_matches_finite_differences() {
        let n = 19;
        let x = points(n);
        let (mu, w, g) = (-0.4, 0.8, 1.5);
        let mut xa = vec![0.25; n];
        let (dm, dw) = normal_sum_adj(&x, mu, w, g, &mut xa);
        let h = 1e-6;
        let f = |x: &[f64], mu: f64, w: f64| g * normal_sum(x, mu, w);
        for i in 0..n {
            let (mut up, mut down) = (x.clone(), x.clone());
            up[i] += h;
            down[i] -= h;
            let fd = (f(&up, mu, w) - f(&down, mu, w)) / (2.0 * h);
            assert!((xa[i] - 0.25 - fd).abs() < 1e-6, "x[{i}]: {} vs {fd}", xa[i] - 0.25);
        }
        let fd_mu = (f(&x, mu + h, w) - f(&x, mu - h, w)) / (2.0 * h);
        let fd_w = (f(&x, mu, w + h) - f(&x, mu, w - h)) / (2.0 * h);
        assert!((dm - fd_mu).abs() < 1e-5 * (1.0 + fd_mu.abs()), "{dm} vs {fd_mu}");
        assert!((dw - fd_w).abs() < 1e-5 * (1.0 + fd_w.abs()), "{dw} vs {fd_w}");
    }

    /// Bad sizes and null pointers are reported, not dereferenced.
    #[test]
    fn c_forms_refuse_bad_input() {
        let x = [1.0, 2.0];
        let (mut xa, mut m, mut w) = ([0.0; 2], 0.0, 0.0);
        // SAFETY: valid pointers for the lengths given, or null.
        unsafe {
            assert!(hbm_normal_sum_vec(x.as_ptr(), -1, 0.0, 1.0).is_nan());
            assert!(hbm_normal_sum_vec(std::ptr::null(), 2, 0.0, 1.0).is_nan());
            assert_eq!(hbm_normal_sum_vec(x.as_ptr(), 2, 0.0, 1.0), -2.5);
            assert_eq!(hbm_normal_sum_vec_adj(x.as_ptr(), 2, 0.0, 1.0, 1.0, std::ptr::null_mut(), &mut m, &mut w), 2);
            assert_eq!(hbm_normal_sum_vec_adj(x.as_ptr(), 2, 0.0, 1.0, 1.0, xa.as_mut_ptr(), &mut m, &mut w), 0);
        }
        assert_eq!(xa, [-1.0, -2.0]);
        assert_eq!((m, w), (3.0, -5.0));
    }
}
