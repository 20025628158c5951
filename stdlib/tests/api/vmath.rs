//! The vectorisable `exp`/`log1p` ([`hbmc_stdlib::vmath`]) and the batched
//! densities built on them ([`hbmc_stdlib::dist::batch`]) against mpmath
//! values (`vmath/reference.rs`, made by `vmath/reference.py`) and against
//! the scalar densities, in ulps, over extreme arguments.

#[path = "vmath/reference.rs"]
mod reference;

use hbmc_stdlib::dist::batch::{
    bernoulli_logit_lpmf_batch, bernoulli_logit_lpmf_one, hbm_bernoulli_logit_lpmf_batch,
    hbm_bernoulli_logit_lpmf_grad_batch, hbm_poisson_log_lpmf_grad_batch, hbm_poisson_log_uncounted_lpmf_batch,
    hbm_poisson_log_uncounted_lpmf_grad_batch, poisson_log_lpmf_batch, poisson_log_lpmf_one,
};
use hbmc_stdlib::dist::poisson_log_uncounted_lpmf_grad;
use hbmc_stdlib::dist::poisson_log_lpmf_grad;
use hbmc_stdlib::dist::bernoulli_logit_lpmf_grad;
use hbmc_stdlib::vmath::{self, Fused, Plain};
use reference::{BERNOULLI_LOGIT, EXP, LOG1P_UNIT, POISSON_LOG};

/// Distance in units in the last place of `r` (the spacing of doubles at
/// |r|, the smallest subnormal near 0); 0 when both are equal (also for
/// equal infinities), infinite when one is NaN.
fn ulps(a: f64, r: f64) -> f64 {
    if a == r {
        return 0.0;
    }
    if a.is_nan() || r.is_nan() || a.is_infinite() || r.is_infinite() {
        return f64::INFINITY;
    }
    let spacing = {
        let m = r.abs();
        let next = f64::from_bits(m.to_bits() + 1);
        next - m
    };
    (a - r).abs() / spacing
}

fn fma_available() -> bool {
    hbmc_stdlib::dist::batch::has_avx2_fma()
}

#[test]
fn exp_within_one_ulp_of_mpmath_including_subnormal_results() {
    let mut worst: f64 = 0.0;
    for &(x, r) in EXP {
        let plain = vmath::exp::<Plain, f64>(x);
        assert!(ulps(plain, r) <= 1.0, "exp({x:e}) = {plain:e}, mpmath {r:e}: {} ulp", ulps(plain, r));
        worst = worst.max(ulps(plain, r));
        if fma_available() {
            let fused = vmath::exp::<Fused, f64>(x);
            assert!(ulps(fused, r) <= 1.0, "fused exp({x:e}) = {fused:e}, mpmath {r:e}");
        }
    }
    // The table is not all exact: a test that cannot fail would say 0.
    assert!(worst > 0.0);
}

#[test]
fn exp_at_its_limits() {
    assert_eq!(vmath::exp::<Plain, f64>(0.0), 1.0);
    assert_eq!(vmath::exp::<Plain, f64>(-746.0), 0.0);
    assert_eq!(vmath::exp::<Plain, f64>(-1e300), 0.0);
    assert_eq!(vmath::exp::<Plain, f64>(f64::NEG_INFINITY), 0.0);
    assert_eq!(vmath::exp::<Plain, f64>(710.0), f64::INFINITY);
    assert_eq!(vmath::exp::<Plain, f64>(1e300), f64::INFINITY);
    assert_eq!(vmath::exp::<Plain, f64>(f64::INFINITY), f64::INFINITY);
    assert!(vmath::exp::<Plain, f64>(f64::NAN).is_nan());
    // Largest finite result and smallest subnormal one, as libm.
    assert_eq!(vmath::exp::<Plain, f64>(709.782712893384), 709.782712893384f64.exp());
    assert_eq!(vmath::exp::<Plain, f64>(-745.0), (-745.0f64).exp());
}

#[test]
fn log1p_unit_within_one_ulp_of_mpmath() {
    for &(x, r) in LOG1P_UNIT {
        let inv_u = 1.0 / (1.0 + x);
        let plain = vmath::log1p_unit::<Plain, f64>(x, inv_u);
        assert!(ulps(plain, r) <= 1.0, "log1p({x:e}) = {plain:e}, mpmath {r:e}: {} ulp", ulps(plain, r));
        if fma_available() {
            let fused = vmath::log1p_unit::<Fused, f64>(x, inv_u);
            assert!(ulps(fused, r) <= 1.0, "fused log1p({x:e}) = {fused:e}, mpmath {r:e}");
        }
    }
}

#[test]
fn bernoulli_logit_elements_within_two_ulp_of_mpmath_at_extreme_logits() {
    for &(n, alpha, value, partial) in BERNOULLI_LOGIT {
        let (v, d) = bernoulli_logit_lpmf_one(n, alpha);
        assert!(ulps(v, value) <= 2.0, "bernoulli_logit({n} | {alpha:e}) = {v:e}, mpmath {value:e}");
        assert!(ulps(d, partial) <= 2.0, "d bernoulli_logit({n} | {alpha:e}) = {d:e}, mpmath {partial:e}");
    }
    // The dispatched kernel (AVX2 + FMA where the CPU has them) on the
    // whole table at once: every partial, and the sum against the sum of
    // the references.
    let n: Vec<f64> = BERNOULLI_LOGIT.iter().map(|r| r.0).collect();
    let alpha: Vec<f64> = BERNOULLI_LOGIT.iter().map(|r| r.1).collect();
    let mut partials = vec![f64::NAN; n.len()];
    let sum = bernoulli_logit_lpmf_batch(&n, &alpha, Some(&mut partials));
    for (i, &(n, alpha, _, partial)) in BERNOULLI_LOGIT.iter().enumerate() {
        assert!(ulps(partials[i], partial) <= 2.0, "batch partial at ({n}, {alpha:e}) = {:e}, mpmath {partial:e}", partials[i]);
    }
    let reference: f64 = BERNOULLI_LOGIT.iter().map(|r| r.2).sum();
    assert!((sum - reference).abs() <= 1e-14 * reference.abs(), "sum {sum:e}, reference {reference:e}");
}

/// A fixed pseudo-random sequence (splitmix64), uniform in [0, 1).
fn uniforms(seed: u64, len: usize) -> Vec<f64> {
    let mut s = seed;
    (0..len)
        .map(|_| {
            s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

#[test]
fn batch_matches_the_scalar_density_element_by_element() {
    // 1,003 elements (not a multiple of the lane count or the block), log-odds
    // spread over ±40 and a few at ±800.
    let u = uniforms(7, 2 * 1003);
    let n: Vec<f64> = u[..1003].iter().map(|&v| if v < 0.4 { 1.0 } else { 0.0 }).collect();
    let alpha: Vec<f64> = u[1003..]
        .iter()
        .enumerate()
        .map(|(i, &v)| if i % 97 == 0 { 1600.0 * v - 800.0 } else { 80.0 * v - 40.0 })
        .collect();
    let mut partials = vec![0.0; n.len()];
    // SAFETY: the slices have n.len() elements and do not overlap.
    let sum = unsafe { hbm_bernoulli_logit_lpmf_grad_batch(n.len() as i64, n.as_ptr(), alpha.as_ptr(), partials.as_mut_ptr()) };
    let mut scalar_sum = 0.0;
    for i in 0..n.len() {
        let (v, [d]) = bernoulli_logit_lpmf_grad(n[i] as i64, alpha[i]);
        scalar_sum += v;
        assert!(ulps(partials[i], d) <= 4.0, "partial {i}: batch {:e}, scalar {d:e}", partials[i]);
        let (v1, _) = bernoulli_logit_lpmf_one(n[i], alpha[i]);
        assert!(ulps(v1, v) <= 4.0, "value {i}: batch element {v1:e}, scalar {v:e}");
    }
    assert!((sum - scalar_sum).abs() <= 1e-13 * scalar_sum.abs(), "sum {sum}, scalar {scalar_sum}");
    // SAFETY: as above.
    let value_only = unsafe { hbm_bernoulli_logit_lpmf_batch(n.len() as i64, n.as_ptr(), alpha.as_ptr()) };
    assert_eq!(value_only, sum, "the value-only kernel sums the same values in the same order");
}

#[test]
fn batch_rejects_invalid_elements_with_zero_partials() {
    // A count outside {0, 1}, a NaN log-odds, and the -inf of a certain
    // wrong outcome: the sum is -inf, those partials 0, the others kept.
    let n = [1.0, 2.0, 0.0, 1.0, -1.0, 0.5, 1.0];
    let alpha = [0.3, 0.3, f64::NAN, f64::NEG_INFINITY, 0.3, 0.3, f64::INFINITY];
    let mut partials = [f64::NAN; 7];
    let sum = bernoulli_logit_lpmf_batch(&n, &alpha, Some(&mut partials));
    assert_eq!(sum, f64::NEG_INFINITY);
    assert_eq!(partials[1..6], [0.0; 5]);
    assert!(ulps(partials[0], bernoulli_logit_lpmf_grad(1, 0.3).1[0]) <= 4.0);
    // n = 1 at +inf log-odds is certain: value 0, partial 0.
    assert_eq!(partials[6], 0.0);
    assert_eq!(bernoulli_logit_lpmf_one(1.0, f64::INFINITY), (-0.0, 0.0));
    assert_eq!(bernoulli_logit_lpmf_one(0.0, f64::NEG_INFINITY), (-0.0, -0.0));
    // Empty and malformed calls.
    assert_eq!(bernoulli_logit_lpmf_batch(&[], &[], None), 0.0);
    // SAFETY: a negative length is rejected before any pointer is read.
    let bad = unsafe { hbm_bernoulli_logit_lpmf_grad_batch(-1, std::ptr::null(), std::ptr::null(), std::ptr::null_mut()) };
    assert_eq!(bad, f64::NEG_INFINITY);
}

/// Time per element of the batched kernel and of the scalar density, for
/// reading `hbmc bench` figures (not a test of speed: it asserts nothing
/// about time). The fastest of many short batches is reported, so that time
/// spent descheduled on a busy machine drops out.
/// `cargo test --release -p hbmc-stdlib --test api vmath:: -- --ignored --nocapture`
#[test]
#[ignore]
fn kernel_time_per_element() {
    let len = 2000;
    let u = uniforms(3, 2 * len);
    let n: Vec<f64> = u[..len].iter().map(|&v| if v < 0.4 { 1.0 } else { 0.0 }).collect();
    let alpha: Vec<f64> = u[len..].iter().map(|&v| 6.0 * v - 3.0).collect();
    let mut partials = vec![0.0; len];
    let (batches, reps) = (400, 5);
    let mut s = 0.0;
    let mut fastest = |f: &mut dyn FnMut() -> f64| {
        let mut best = f64::INFINITY;
        for _ in 0..batches {
            let t = std::time::Instant::now();
            for _ in 0..reps {
                s += f();
            }
            best = best.min(t.elapsed().as_secs_f64() * 1e9 / (reps * len) as f64);
        }
        best
    };
    let batch = fastest(&mut || bernoulli_logit_lpmf_batch(std::hint::black_box(&n), &alpha, Some(&mut partials)));
    let scalar = fastest(&mut || {
        let mut s = 0.0;
        for i in 0..len {
            let (v, [d]) = bernoulli_logit_lpmf_grad(std::hint::black_box(n[i]) as i64, alpha[i]);
            s += v;
            partials[i] = d;
        }
        s
    });
    println!("batched {batch:.2} ns/element, scalar {scalar:.2} ns/element (checksum {s})");
    assert!(s.is_finite());
}

/// poisson_log's value n α − e^α − ln n! can cancel, so it is compared in
/// units of the largest term: within 4 ulp of that (the rounding of the
/// terms), and its partial n − e^α likewise.
#[test]
fn poisson_log_within_a_few_ulp_of_its_largest_term() {
    let n: Vec<f64> = POISSON_LOG.iter().map(|r| r.0).collect();
    let alpha: Vec<f64> = POISSON_LOG.iter().map(|r| r.1).collect();
    let mut partials = vec![f64::NAN; n.len()];
    let sum = poisson_log_lpmf_batch(&n, &alpha, Some(&mut partials));
    let spacing = |x: f64| f64::from_bits(x.abs().to_bits() + 1) - x.abs();
    for (i, &(n, alpha, value, partial, big)) in POISSON_LOG.iter().enumerate() {
        let (v, d) = poisson_log_lpmf_one(n, alpha);
        let tol = 4.0 * spacing(big);
        assert!((v - value).abs() <= tol, "poisson_log({n} | {alpha}) = {v:e}, mpmath {value:e}");
        assert!((d - partial).abs() <= tol, "d poisson_log({n} | {alpha}) = {d:e}, mpmath {partial:e}");
        assert!((partials[i] - partial).abs() <= tol, "batch partial at ({n}, {alpha}) = {:e}, mpmath {partial:e}", partials[i]);
        // And the scalar density, for the conventions.
        let (sv, [sd]) = poisson_log_lpmf_grad(n as i64, alpha);
        assert!((v - sv).abs() <= tol && (d - sd).abs() <= tol, "({n}, {alpha}): batch ({v:e}, {d:e}), scalar ({sv:e}, {sd:e})");
    }
    // The table's values near e^709 overflow any sum: compare the sum of
    // the rows below α = 100 on their own.
    let rows: Vec<usize> = (0..n.len()).filter(|&i| alpha[i] < 100.0).collect();
    let (n_small, a_small): (Vec<f64>, Vec<f64>) = rows.iter().map(|&i| (n[i], alpha[i])).unzip();
    let small = poisson_log_lpmf_batch(&n_small, &a_small, None);
    let reference: f64 = rows.iter().map(|&i| POISSON_LOG[i].2).sum();
    assert!((small - reference).abs() <= 1e-14 * reference.abs(), "sum {small:e}, reference {reference:e}");
    assert_eq!(sum, f64::NEG_INFINITY, "the whole table's sum overflows");
}

/// Without its count terms, the batch is the scalar density without them
/// element by element, and the full batch is it plus -ln n! per element:
/// what `lower/counted_densities.rs` relies on.
#[test]
fn poisson_log_without_count_terms_is_the_full_batch_less_them() {
    let u = uniforms(11, 2 * 517);
    // Counts 0..40 and log-rates over [-5, 5], a few invalid elements.
    let mut n: Vec<f64> = u[..517].iter().map(|&v| (40.0 * v).floor()).collect();
    let alpha: Vec<f64> = u[517..].iter().map(|&v| 10.0 * v - 5.0).collect();
    let mut partials = vec![f64::NAN; n.len()];
    // SAFETY: the slices have n.len() elements and do not overlap.
    let sum = unsafe { hbm_poisson_log_uncounted_lpmf_grad_batch(n.len() as i64, n.as_ptr(), alpha.as_ptr(), partials.as_mut_ptr()) };
    let mut full_partials = vec![f64::NAN; n.len()];
    let full = poisson_log_lpmf_batch(&n, &alpha, Some(&mut full_partials));
    let mut by_element = 0.0;
    let mut counts = 0.0;
    for i in 0..n.len() {
        let (v, [d]) = poisson_log_uncounted_lpmf_grad(n[i] as i64, alpha[i]);
        by_element += v;
        counts += hbmc_stdlib::special::lgamma(n[i] + 1.0);
        // n − e^α cancels: within 4 ulp of its larger term, as above.
        let big = n[i].max(alpha[i].exp());
        let tol = 4.0 * (f64::from_bits(big.to_bits() + 1) - big);
        assert!((partials[i] - d).abs() <= tol, "partial {i}: batch {:e}, scalar {d:e}", partials[i]);
        assert_eq!(partials[i], full_partials[i], "the partials do not depend on the count term");
    }
    assert!((sum - by_element).abs() <= 1e-13 * by_element.abs(), "sum {sum}, by element {by_element}");
    assert!((sum - counts - full).abs() <= 1e-13 * full.abs(), "uncounted {sum} - counts {counts} against full {full}");
    // SAFETY: as above.
    let value_only = unsafe { hbm_poisson_log_uncounted_lpmf_batch(n.len() as i64, n.as_ptr(), alpha.as_ptr()) };
    assert_eq!(value_only, sum);
    // An invalid count still makes the sum -inf.
    n[3] = -1.0;
    assert_eq!(unsafe { hbm_poisson_log_uncounted_lpmf_batch(n.len() as i64, n.as_ptr(), alpha.as_ptr()) }, f64::NEG_INFINITY);
}

#[test]
fn poisson_log_conventions_match_the_scalar_density() {
    // Invalid counts, NaN and +inf log-rates, the zero rate, overflow of e^α.
    let cases = [
        (0.0, f64::NEG_INFINITY),
        (2.0, f64::NEG_INFINITY),
        (-1.0, 0.5),
        (3.0, f64::NAN),
        (3.0, f64::INFINITY),
        (3.0, 710.0),
        (0.0, 1e300),
        (5.0, -1e300),
        (4.0, 1.3),
    ];
    for (n, alpha) in cases {
        let (sv, [sd]) = poisson_log_lpmf_grad(n as i64, alpha);
        let (v, d) = poisson_log_lpmf_one(n, alpha);
        assert!(v == sv || ulps(v, sv) <= 4.0, "({n}, {alpha}): value {v}, scalar {sv}");
        assert!(d == sd || ulps(d, sd) <= 4.0, "({n}, {alpha}): partial {d}, scalar {sd}");
        let mut p = [f64::NAN];
        // SAFETY: one element each.
        let s = unsafe { hbm_poisson_log_lpmf_grad_batch(1, [n].as_ptr(), [alpha].as_ptr(), p.as_mut_ptr()) };
        assert!(s == sv || ulps(s, sv) <= 4.0, "({n}, {alpha}): batch value {s}, scalar {sv}");
        assert!(p[0] == sd || ulps(p[0], sd) <= 4.0, "({n}, {alpha}): batch partial {}, scalar {sd}", p[0]);
    }
}

/// Arguments that reach every branch of the element functions: zero,
/// tiny, moderate and huge magnitudes of both signs, the thresholds of the
/// `exp` clamp and of `log1p`'s range split, infinities and NaN.
fn extreme_arguments() -> Vec<f64> {
    let mut xs = vec![0.0, -0.0, 5e-324, -5e-324, 1e-300, -1e-300, 1e-10, -1e-10, 0.5, -0.5, 0.8813735870195429];
    xs.extend([1.0, -1.0, 5.0, -5.0, 20.0, -20.0, 36.7, -36.7, 40.0, -40.0, 100.0, -100.0, 700.0, -700.0]);
    xs.extend([708.4, -708.4, 709.8, -709.8, 745.0, -745.0, 745.2, -745.2, 746.0, -746.0, 800.0, -800.0, 1e300, -1e300]);
    xs.extend([f64::INFINITY, f64::NEG_INFINITY, f64::NAN, f64::MAX, f64::MIN, f64::MIN_POSITIVE]);
    let u = uniforms(11, 200);
    xs.extend(u[..100].iter().map(|&v| 80.0 * v - 40.0));
    xs.extend(u[100..].iter().map(|&v| 2000.0 * v - 1000.0));
    xs
}

/// Checks SIMD code of `width` lanes against the scalar fused code, bit
/// for bit, over extreme arguments: `lanes(x, n)` gives `exp(x)`, the sum of
/// both kernels' values at (n, x) and the sum of their partials, per lane.
#[cfg(target_arch = "x86_64")]
fn lanes_equal_the_scalar_fused_code(width: usize, lanes: &dyn Fn(&[f64], &[f64]) -> [Vec<f64>; 3]) {
    use hbmc_stdlib::dist::batch::{bernoulli_logit_element, poisson_log_element};
    let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
    let xs = extreme_arguments();
    let counts = [0.0, 1.0, 2.0, 0.5, -1.0, 3.0, 1000.0, f64::NAN];
    let mut checked = 0;
    for (g, group) in xs.chunks_exact(width).enumerate() {
        let n: Vec<f64> = (0..width).map(|j| counts[(g + j) % counts.len()]).collect();
        let [e, v, d] = lanes(group, &n);
        for j in 0..width {
            let (x, nj) = (group[j], n[j]);
            assert!(same(e[j], vmath::exp::<Fused, f64>(x)), "exp({x:e}): lanes {:e}", e[j]);
            let (bv, bd) = bernoulli_logit_element::<Fused, f64>(nj, x);
            let (pv, pd) = poisson_log_element::<Fused, f64>(nj, x);
            assert!(same(v[j], bv + pv), "values at ({nj}, {x:e}): lanes {:e}, scalar {:e}", v[j], bv + pv);
            assert!(same(d[j], bd + pd), "partials at ({nj}, {x:e}): lanes {:e}, scalar {:e}", d[j], bd + pd);
            checked += 1;
        }
    }
    assert!(checked >= 200);
}

/// The AVX2 code (eight elements in two registers, explicit intrinsics)
/// computes exactly what the scalar code with fused multiply-adds computes:
/// `exp` and both kernels' elements, bit for bit, over extreme arguments.
#[cfg(target_arch = "x86_64")]
#[test]
fn avx2_lanes_equal_the_scalar_fused_code_bit_for_bit() {
    use hbmc_stdlib::dist::batch::{bernoulli_logit_element, poisson_log_element};
    use hbmc_stdlib::vmath::avx2::{F64x8, WIDTH};
    if !fma_available() {
        eprintln!("skipped: this CPU has no AVX2 + FMA");
        return;
    }
    #[target_feature(enable = "avx2,fma")]
    unsafe fn lanes(x: &[f64], n: &[f64]) -> [Vec<f64>; 3] {
        // SAFETY: the caller checked AVX2 + FMA; x and n have WIDTH elements.
        let (x, n) = unsafe { (F64x8::load(x), F64x8::load(n)) };
        let (bv, bd) = bernoulli_logit_element::<Fused, F64x8>(n, x);
        let (pv, pd) = poisson_log_element::<Fused, F64x8>(n, x);
        [vmath::exp::<Fused, F64x8>(x), bv + pv, bd + pd].map(|r| r.to_array().to_vec())
    }
    // SAFETY: checked above.
    lanes_equal_the_scalar_fused_code(WIDTH, &|x, n| unsafe { lanes(x, n) });
}

/// The AVX-512 code (sixteen elements in two registers, mask registers for
/// comparisons) likewise. Skipped (passes) on a CPU without AVX-512.
#[cfg(target_arch = "x86_64")]
#[test]
fn avx512_lanes_equal_the_scalar_fused_code_bit_for_bit() {
    use hbmc_stdlib::dist::batch::{bernoulli_logit_element, poisson_log_element};
    use hbmc_stdlib::vmath::avx512::{self, F64x16, WIDTH};
    if !avx512::available() {
        eprintln!("skipped: this CPU has no AVX-512");
        return;
    }
    #[target_feature(enable = "avx512f,avx512dq,fma")]
    unsafe fn lanes(x: &[f64], n: &[f64]) -> [Vec<f64>; 3] {
        // SAFETY: the caller checked AVX-512; x and n have WIDTH elements.
        let (x, n) = unsafe { (F64x16::load(x), F64x16::load(n)) };
        let (bv, bd) = bernoulli_logit_element::<Fused, F64x16>(n, x);
        let (pv, pd) = poisson_log_element::<Fused, F64x16>(n, x);
        [vmath::exp::<Fused, F64x16>(x), bv + pv, bd + pd].map(|r| r.to_array().to_vec())
    }
    // SAFETY: checked above.
    lanes_equal_the_scalar_fused_code(WIDTH, &|x, n| unsafe { lanes(x, n) });
}

/// The dispatched kernels on arrays of every length from 0 to 40 (full
/// groups, padded last groups, several blocks with 300): each partial
/// equals the scalar element's with the kernel's rounding, and the sum
/// equals the sum of the elements' values in the kernel's order.
#[test]
fn kernels_agree_with_their_elements_at_every_length() {
    use hbmc_stdlib::dist::batch::{bernoulli_logit_element, poisson_log_element};
    let xs = extreme_arguments();
    let finite: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite() && x.abs() < 50.0).collect();
    for len in (0..=40).chain([300]) {
        let alpha: Vec<f64> = (0..len).map(|i| finite[(7 * i) % finite.len()]).collect();
        let n: Vec<f64> = (0..len).map(|i| ((i * 5) % 3 % 2) as f64).collect();
        let mut p = vec![f64::NAN; len];
        let sum = bernoulli_logit_lpmf_batch(&n, &alpha, Some(&mut p));
        let mut acc = [0.0f64; 8];
        for i in 0..len {
            let (v, d) = if fma_available() { bernoulli_logit_element::<Fused, f64>(n[i], alpha[i]) } else { bernoulli_logit_element::<Plain, f64>(n[i], alpha[i]) };
            assert_eq!(p[i].to_bits(), d.to_bits(), "len {len}, element {i}");
            acc[(i % 64) % 8] += v;
        }
        let reference = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
        if len <= 64 {
            assert_eq!(sum.to_bits(), reference.to_bits(), "bernoulli_logit sum, len {len}");
        } else {
            assert!((sum - reference).abs() <= 1e-13 * reference.abs(), "bernoulli_logit sum, len {len}");
        }
        let counts: Vec<f64> = (0..len).map(|i| (i % 4) as f64).collect();
        let mut p = vec![f64::NAN; len];
        poisson_log_lpmf_batch(&counts, &alpha, Some(&mut p));
        for i in 0..len {
            let d = if fma_available() { poisson_log_element::<Fused, f64>(counts[i], alpha[i]).1 } else { poisson_log_element::<Plain, f64>(counts[i], alpha[i]).1 };
            assert_eq!(p[i].to_bits(), d.to_bits(), "poisson_log len {len}, element {i}");
        }
    }
}

/// The kernel's sum of one block (64 elements, four AVX-512 groups, eight
/// AVX2 ones) adds element i into running sum i mod 8 in the order of the
/// elements, whichever SIMD width computes them. The data (log-odds over
/// ±40, seed 23: most seeds' sums come out the same in both orders) make
/// another order show in the bits, which the second check confirms.
#[test]
fn kernel_sums_a_block_in_element_order() {
    use hbmc_stdlib::dist::batch::bernoulli_logit_element;
    let u = uniforms(23, 128);
    let alpha: Vec<f64> = u[..64].iter().map(|&v| 80.0 * v - 40.0).collect();
    let n: Vec<f64> = u[64..].iter().map(|&v| if v < 0.5 { 1.0 } else { 0.0 }).collect();
    let sum = bernoulli_logit_lpmf_batch(&n, &alpha, None);
    let mut acc = [0.0f64; 8];
    for i in 0..64 {
        let v = if fma_available() { bernoulli_logit_element::<Fused, f64>(n[i], alpha[i]).0 } else { bernoulli_logit_element::<Plain, f64>(n[i], alpha[i]).0 };
        acc[i % 8] += v;
    }
    let reference = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
    assert_eq!(sum.to_bits(), reference.to_bits(), "sum {sum:e}, reference {reference:e}");
    // The same values added in another order (each group of 16's halves
    // swapped) give other bits: the check above can tell orders apart.
    let mut swapped = [0.0f64; 8];
    for g in 0..4 {
        for half in [8, 0] {
            for k in 0..8 {
                let i = 16 * g + half + k;
                let v = if fma_available() { bernoulli_logit_element::<Fused, f64>(n[i], alpha[i]).0 } else { bernoulli_logit_element::<Plain, f64>(n[i], alpha[i]).0 };
                swapped[k] += v;
            }
        }
    }
    let other = ((swapped[0] + swapped[4]) + (swapped[2] + swapped[6])) + ((swapped[1] + swapped[5]) + (swapped[3] + swapped[7]));
    assert_ne!(other.to_bits(), reference.to_bits(), "the data make the order visible");
}

/// `hbm_sum_batch` adds in its documented order (element i into sum i mod
/// 8, the sums pairwise), so its result is reproducible to the bit; bad
/// calls give NaN.
#[test]
fn sum_batch_adds_in_its_fixed_order() {
    use hbmc_stdlib::dist::batch::{hbm_sum_batch, sum_batch};
    let u = uniforms(5, 1000);
    // Magnitudes spread over many orders, so that the order matters.
    let x: Vec<f64> = u.iter().enumerate().map(|(i, &v)| (v - 0.5) * 10f64.powi((i % 17) as i32 - 8)).collect();
    for len in [0, 1, 7, 8, 9, 63, 1000] {
        let mut acc = [0.0f64; 8];
        for (i, v) in x[..len].iter().enumerate() {
            acc[i % 8] += v;
        }
        let reference = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
        assert_eq!(sum_batch(&x[..len]).to_bits(), reference.to_bits(), "len {len}");
        // SAFETY: x has at least len elements.
        let c = unsafe { hbm_sum_batch(x.as_ptr(), len as i64) };
        assert_eq!(c.to_bits(), reference.to_bits(), "C form, len {len}");
    }
    let naive: f64 = x.iter().sum();
    assert_ne!(sum_batch(&x).to_bits(), naive.to_bits(), "the data make the order visible");
    // SAFETY: a negative length and a null pointer are rejected before any read.
    unsafe {
        assert!(hbm_sum_batch(x.as_ptr(), -1).is_nan());
        assert!(hbm_sum_batch(std::ptr::null(), 3).is_nan());
        assert_eq!(hbm_sum_batch(std::ptr::null(), 0), 0.0);
    }
}

/// binomial_logit's batch (without ln C(m, n)) against the scalar density,
/// element by element, over counts 0..=30, trials up to 40 and log-odds
/// from the extreme arguments: the same conventions (an invalid element's
/// value is -inf and its partial 0), and values and partials within 4 ulp
/// of their largest term (the scalar takes `ln_1p` and `1 / (1 + e)` from
/// the standard library, the kernel its own straight-line forms).
#[test]
fn binomial_logit_batch_matches_the_scalar_density_element_by_element() {
    use hbmc_stdlib::dist::batch::{binomial_logit_uncounted_lpmf_batch, binomial_logit_uncounted_lpmf_one};
    use hbmc_stdlib::dist::binomial_logit_uncounted_lpmf_grad;
    let alpha_all = extreme_arguments();
    let u = uniforms(29, 2 * alpha_all.len());
    let m: Vec<f64> = u[..alpha_all.len()].iter().map(|&v| (41.0 * v).floor()).collect();
    let mut n: Vec<f64> = m.iter().zip(&u[alpha_all.len()..]).map(|(&m, &v)| ((m + 1.0) * v).floor().min(30.0)).collect();
    // Invalid counts: negative, above the trials.
    n[5] = -1.0;
    n[9] = m[9] + 1.0;
    let mut partials = vec![f64::NAN; n.len()];
    let sum = binomial_logit_uncounted_lpmf_batch(&n, &m, &alpha_all, Some(&mut partials));
    let spacing = |x: f64| f64::from_bits(x.abs().to_bits() + 1) - x.abs();
    let mut finite_sum = 0.0;
    let mut all_finite = true;
    for i in 0..n.len() {
        let (v, d) = binomial_logit_uncounted_lpmf_one(n[i], m[i], alpha_all[i]);
        let (sv, [sd]) = binomial_logit_uncounted_lpmf_grad(n[i] as i64, m[i] as i64, alpha_all[i]);
        let at = format!("({}, {}, {:e})", n[i], m[i], alpha_all[i]);
        if sv == f64::NEG_INFINITY {
            assert_eq!(v, f64::NEG_INFINITY, "{at}: value {v:e}, scalar -inf");
            assert_eq!((d, partials[i]), (0.0, 0.0), "{at}: an invalid element has a zero partial");
            all_finite = false;
            continue;
        }
        let big = (n[i] * alpha_all[i].abs()).max(m[i] * alpha_all[i].abs()).max(m[i]);
        let tol = 4.0 * spacing(big.max(1.0));
        assert!(v == sv || (v - sv).abs() <= tol, "{at}: value {v:e}, scalar {sv:e}");
        assert!(d == sd || (d - sd).abs() <= tol, "{at}: partial {d:e}, scalar {sd:e}");
        assert!(partials[i] == sd || (partials[i] - sd).abs() <= tol, "{at}: kernel partial {:e}, scalar {sd:e}", partials[i]);
        if alpha_all[i].abs() < 1e3 {
            finite_sum += v;
        }
    }
    assert!(!all_finite && sum == f64::NEG_INFINITY, "an invalid element makes the sum -inf");
    // The valid elements of moderate log-odds (the huge ones' sum
    // overflows) alone sum to the sum of their values.
    let valid: Vec<usize> =
        (0..n.len()).filter(|&i| alpha_all[i].abs() < 1e3 && binomial_logit_uncounted_lpmf_one(n[i], m[i], alpha_all[i]).0.is_finite()).collect();
    let pick = |x: &[f64]| valid.iter().map(|&i| x[i]).collect::<Vec<f64>>();
    let s = binomial_logit_uncounted_lpmf_batch(&pick(&n), &pick(&m), &pick(&alpha_all), None);
    assert!((s - finite_sum).abs() <= 1e-12 * finite_sum.abs(), "sum {s:e}, by element {finite_sum:e}");
}

/// The kernel's binomial_logit by its definition, n ln σ(α) + (m − n)
/// ln(1 − σ(α)), with its partial n − m σ(α), written out in the test for
/// moderate log-odds (where the naive forms are accurate).
#[test]
fn binomial_logit_batch_equals_its_definition() {
    use hbmc_stdlib::dist::batch::binomial_logit_uncounted_lpmf_batch;
    let u = uniforms(31, 3 * 257);
    let m: Vec<f64> = u[..257].iter().map(|&v| (25.0 * v).floor()).collect();
    let n: Vec<f64> = m.iter().zip(&u[257..514]).map(|(&m, &v)| ((m + 1.0) * v).floor()).collect();
    let alpha: Vec<f64> = u[514..].iter().map(|&v| 16.0 * v - 8.0).collect();
    let mut partials = vec![f64::NAN; n.len()];
    let sum = binomial_logit_uncounted_lpmf_batch(&n, &m, &alpha, Some(&mut partials));
    let mut reference = 0.0;
    for i in 0..n.len() {
        let p = 1.0 / (1.0 + (-alpha[i]).exp());
        reference += n[i] * p.ln() + (m[i] - n[i]) * (1.0 - p).ln();
        let d = n[i] - m[i] * p;
        assert!((partials[i] - d).abs() <= 1e-12 * m[i].max(1.0), "partial {i}: {:e} against {d:e}", partials[i]);
    }
    assert!((sum - reference).abs() <= 1e-11 * reference.abs(), "sum {sum:e}, definition {reference:e}");
}

/// The dispatched binomial kernel (AVX-512, AVX2 or plain, as the CPU has)
/// gives, at every length from 0 to 40 and at 300 (padded last groups,
/// several blocks), each partial bit for bit as its element with the
/// kernel's rounding; the C-ABI forms agree with it and refuse a null
/// trials array.
#[test]
fn binomial_logit_kernel_equals_its_element_at_every_length() {
    use hbmc_stdlib::dist::batch::{
        binomial_logit_uncounted_element, binomial_logit_uncounted_lpmf_batch, hbm_binomial_logit_uncounted_lpmf_batch,
        hbm_binomial_logit_uncounted_lpmf_grad_batch,
    };
    let xs = extreme_arguments();
    for len in (0..=40).chain([300]) {
        let alpha: Vec<f64> = (0..len).map(|i| xs[(7 * i) % xs.len()]).filter(|x| !x.is_nan()).chain(std::iter::repeat(0.3)).take(len).collect();
        let m: Vec<f64> = (0..len).map(|i| (i % 7) as f64).collect();
        let n: Vec<f64> = (0..len).map(|i| (((i * 3) % 5) as f64).min(m[i])).collect();
        let mut p = vec![f64::NAN; len];
        let sum = binomial_logit_uncounted_lpmf_batch(&n, &m, &alpha, Some(&mut p));
        let mut by_element = 0.0;
        for i in 0..len {
            let (v, d) = if fma_available() {
                binomial_logit_uncounted_element::<Fused, f64>(n[i], m[i], alpha[i])
            } else {
                binomial_logit_uncounted_element::<Plain, f64>(n[i], m[i], alpha[i])
            };
            assert_eq!(p[i].to_bits(), d.to_bits(), "len {len}, element {i}: ({}, {}, {:e})", n[i], m[i], alpha[i]);
            by_element += v;
        }
        assert!(sum == by_element || (sum - by_element).abs() <= 1e-12 * by_element.abs(), "len {len}: sum {sum:e}, by element {by_element:e}");
        let mut q = vec![f64::NAN; len];
        // SAFETY: every slice has len elements; q does not overlap them.
        let c_sum = unsafe { hbm_binomial_logit_uncounted_lpmf_grad_batch(len as i64, n.as_ptr(), m.as_ptr(), alpha.as_ptr(), q.as_mut_ptr()) };
        // SAFETY: as above.
        let c_value = unsafe { hbm_binomial_logit_uncounted_lpmf_batch(len as i64, n.as_ptr(), m.as_ptr(), alpha.as_ptr()) };
        assert_eq!((c_sum.to_bits(), c_value.to_bits()), (sum.to_bits(), sum.to_bits()), "len {len}");
        assert!(q.iter().zip(&p).all(|(a, b)| a.to_bits() == b.to_bits()), "len {len}");
        if len > 0 {
            // SAFETY: a null trials array is refused before any read.
            let refused = unsafe { hbm_binomial_logit_uncounted_lpmf_batch(len as i64, n.as_ptr(), std::ptr::null(), alpha.as_ptr()) };
            assert_eq!(refused, f64::NEG_INFINITY);
        }
    }
}

/// The batched elementwise functions (`hbm_exp_batch`,
/// `hbm_log1p_exp_grad_batch`) at every length from 0 to 40 and at 300
/// (padded last groups) write each element bit for bit as the scalar code
/// with the kernel's rounding computes it ([`vmath::exp`],
/// [`vmath::log1p_exp_and_inv_logit`]), which is within 1 ulp of the
/// standard library's `exp` and within 2 ulp of `log1p_exp` and
/// `inv_logit` written out (moderate arguments); bad calls write nothing
/// and give NaN.
#[test]
fn batched_elementwise_functions_equal_their_elements() {
    use hbmc_stdlib::dist::batch::{hbm_exp_batch, hbm_log1p_exp_grad_batch};
    let xs = extreme_arguments();
    for len in (0..=40).chain([300]) {
        let x: Vec<f64> = (0..len).map(|i| xs[(11 * i + 3) % xs.len()]).collect();
        let (mut e, mut l, mut s) = (vec![f64::NAN; len], vec![f64::NAN; len], vec![f64::NAN; len]);
        // SAFETY: every slice has len elements; none overlap.
        let (r1, r2) = unsafe { (hbm_exp_batch(len as i64, x.as_ptr(), e.as_mut_ptr()), hbm_log1p_exp_grad_batch(len as i64, x.as_ptr(), l.as_mut_ptr(), s.as_mut_ptr())) };
        assert_eq!((r1, r2), (0.0, 0.0));
        let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
        for i in 0..len {
            let (ee, (ll, ss)) = if fma_available() {
                (vmath::exp::<Fused, f64>(x[i]), vmath::log1p_exp_and_inv_logit::<Fused, f64>(x[i]))
            } else {
                (vmath::exp::<Plain, f64>(x[i]), vmath::log1p_exp_and_inv_logit::<Plain, f64>(x[i]))
            };
            assert!(same(e[i], ee) && same(l[i], ll) && same(s[i], ss), "len {len}, x = {:e}: ({:e}, {:e}, {:e}) against ({ee:e}, {ll:e}, {ss:e})", x[i], e[i], l[i], s[i]);
            if x[i].is_finite() && x[i].abs() < 30.0 {
                assert!(ulps(e[i], x[i].exp()) <= 1.0, "exp({:e}) = {:e}, std {:e}", x[i], e[i], x[i].exp());
                let (l_ref, s_ref) = ((x[i].exp()).ln_1p(), 1.0 / (1.0 + (-x[i]).exp()));
                assert!(ulps(l[i], l_ref) <= 2.0 && ulps(s[i], s_ref) <= 2.0, "log1p_exp({:e}) = ({:e}, {:e}), written out ({l_ref:e}, {s_ref:e})", x[i], l[i], s[i]);
            }
        }
    }
    let mut out = [7.0f64; 4];
    // SAFETY: a negative length and a null input are refused before any access.
    let refused = unsafe { [hbm_exp_batch(-1, [1.0].as_ptr(), out.as_mut_ptr()), hbm_exp_batch(4, std::ptr::null(), out.as_mut_ptr())] };
    assert!(refused.iter().all(|r| r.is_nan()) && out == [7.0; 4], "bad calls write nothing and give NaN");
}

/// Positive and negative doubles spread over every exponent (random bit
/// patterns), the special values, and numbers near 1 and −1: the inputs
/// of the `log`/`log1p` sweeps.
fn log_arguments() -> Vec<f64> {
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let mut xs = vec![0.0, -0.0, 1.0, -1.0, 2.0, 0.5, f64::MIN_POSITIVE, 5e-324, f64::MAX, f64::INFINITY, f64::NEG_INFINITY, f64::NAN];
    xs.extend([0.7071067811865475, 0.7071067811865476, 1.4142135623730951, -0.2928932188134524, 0.41421356237309503, -0.9999999999999999]);
    for _ in 0..20_000 {
        let bits = next();
        // Any finite double of either sign (exponent field below 0x7ff).
        let x = f64::from_bits(bits % (0x7ff0_0000_0000_0000u64) | (bits & (1 << 63)));
        xs.push(x);
    }
    for i in 0..2_000 {
        let u = (next() >> 11) as f64 / (1u64 << 53) as f64;
        xs.push(1.0 + (u - 0.5) * 1e-3 * (i % 7) as f64);
        xs.push(-1.0 + u * 1e-6 * (i % 5) as f64);
        xs.push(4.0 * u - 1.0);
    }
    xs
}

/// `vmath::log` and `vmath::log1p` within 1 ulp of mpmath values over the
/// whole range (subnormal arguments, values near 1 and near −1, the
/// huge ones), with and without fused multiply-adds.
#[test]
fn log_and_log1p_within_one_ulp_of_mpmath() {
    use reference::{LOG, LOG1P};
    let mut worst: f64 = 0.0;
    for (table, name, plain, fused) in [
        (LOG, "log", vmath::log::<Plain, f64> as fn(f64) -> f64, vmath::log::<Fused, f64> as fn(f64) -> f64),
        (LOG1P, "log1p", vmath::log1p::<Plain, f64>, vmath::log1p::<Fused, f64>),
    ] {
        for &(x, r) in table {
            let p = plain(x);
            assert!(ulps(p, r) <= 1.0, "{name}({x:e}) = {p:e}, mpmath {r:e}: {} ulp", ulps(p, r));
            worst = worst.max(ulps(p, r));
            if fma_available() {
                let f = fused(x);
                assert!(ulps(f, r) <= 1.0, "fused {name}({x:e}) = {f:e}, mpmath {r:e}: {} ulp", ulps(f, r));
            }
        }
    }
    assert!(worst > 0.0, "the tables are not all exact");
}

/// Element by element against the standard library's `ln` and `ln_1p`
/// over 26,000 arguments spread over every exponent of both signs: the
/// same special values (NaN below the domain and for NaN, −inf at the
/// pole, +inf at +inf, exact 0 at 1 and 0) and within 1 ulp elsewhere
/// (both are within 1 ulp of the exact value, so this also bounds what a
/// wrong reduction would show: thousands of ulp).
#[test]
fn log_and_log1p_match_the_standard_library_over_the_whole_range() {
    let same_special = |a: f64, b: f64| (a.is_nan() && b.is_nan()) || a == b;
    let mut worst: f64 = 0.0;
    for x in log_arguments() {
        for (name, ours, std) in [("log", vmath::log::<Plain, f64>(x), x.ln()), ("log1p", vmath::log1p::<Plain, f64>(x), x.ln_1p())] {
            if !std.is_finite() || std == 0.0 {
                assert!(same_special(ours, std), "{name}({x:e}) = {ours:e}, std {std:e}");
                continue;
            }
            let u = ulps(ours, std);
            assert!(u <= 1.0, "{name}({x:e}) = {ours:e}, std {std:e}: {u} ulp");
            worst = worst.max(u);
        }
    }
    assert!(worst > 0.0);
}

/// The AVX2 and AVX-512 code of `log`, `log1p` and the batched maps'
/// elements gives the scalar fused code's bits (the AVX-512 half skipped
/// on a CPU without it).
#[cfg(target_arch = "x86_64")]
#[test]
fn log_lanes_equal_the_scalar_fused_code_bit_for_bit() {
    use hbmc_stdlib::vmath::avx2::F64x8;
    use hbmc_stdlib::vmath::avx512::{self, F64x16};
    let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
    let xs = log_arguments();
    let check = |width: usize, lanes: &dyn Fn(&[f64]) -> [Vec<f64>; 2]| {
        for group in xs.chunks_exact(width) {
            let [l, p] = lanes(group);
            for j in 0..width {
                let x = group[j];
                assert!(same(l[j], vmath::log::<Fused, f64>(x)), "log({x:e}): lane {:e}", l[j]);
                assert!(same(p[j], vmath::log1p::<Fused, f64>(x)), "log1p({x:e}): lane {:e}", p[j]);
            }
        }
    };
    if fma_available() {
        #[target_feature(enable = "avx2,fma")]
        unsafe fn lanes8(x: &[f64]) -> [Vec<f64>; 2] {
            // SAFETY: the caller checked AVX2 + FMA; x has WIDTH elements.
            let x = unsafe { F64x8::load(x) };
            [vmath::log::<Fused, F64x8>(x), vmath::log1p::<Fused, F64x8>(x)].map(|r| r.to_array().to_vec())
        }
        // SAFETY: checked above.
        check(8, &|x| unsafe { lanes8(x) });
    } else {
        eprintln!("skipped: this CPU has no AVX2 + FMA");
    }
    if avx512::available() {
        #[target_feature(enable = "avx512f,avx512dq,fma")]
        unsafe fn lanes16(x: &[f64]) -> [Vec<f64>; 2] {
            // SAFETY: the caller checked AVX-512; x has WIDTH elements.
            let x = unsafe { F64x16::load(x) };
            [vmath::log::<Fused, F64x16>(x), vmath::log1p::<Fused, F64x16>(x)].map(|r| r.to_array().to_vec())
        }
        // SAFETY: checked above.
        check(16, &|x| unsafe { lanes16(x) });
    } else {
        eprintln!("skipped: this CPU has no AVX-512");
    }
}

/// `hbm_log_batch`, `hbm_log1p_batch` and `hbm_log1p_d1_batch` at every
/// length from 0 to 40 and at 300 (padded last groups) write each element
/// as the scalar code with the kernel's rounding computes it (`log1p_d1`
/// bit for bit as the scalar `hbm_log1p_d1`); bad calls write nothing and
/// give NaN.
#[test]
fn batched_log_functions_equal_their_elements() {
    use hbmc_stdlib::dist::batch::{hbm_log1p_batch, hbm_log1p_d1_batch, hbm_log_batch};
    let xs = log_arguments();
    let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
    for len in (0..=40).chain([300]) {
        let x: Vec<f64> = (0..len).map(|i| xs[(13 * i + 5) % xs.len()]).collect();
        let (mut l, mut p, mut d) = (vec![7.0; len], vec![7.0; len], vec![7.0; len]);
        // SAFETY: every slice has len elements; none overlap.
        let r = unsafe {
            [hbm_log_batch(len as i64, x.as_ptr(), l.as_mut_ptr()), hbm_log1p_batch(len as i64, x.as_ptr(), p.as_mut_ptr()), hbm_log1p_d1_batch(len as i64, x.as_ptr(), d.as_mut_ptr())]
        };
        assert_eq!(r, [0.0; 3]);
        for i in 0..len {
            let (ll, pp) = if fma_available() {
                (vmath::log::<Fused, f64>(x[i]), vmath::log1p::<Fused, f64>(x[i]))
            } else {
                (vmath::log::<Plain, f64>(x[i]), vmath::log1p::<Plain, f64>(x[i]))
            };
            assert!(same(l[i], ll) && same(p[i], pp), "len {len}, x = {:e}: ({:e}, {:e}) against ({ll:e}, {pp:e})", x[i], l[i], p[i]);
            assert!(same(d[i], hbmc_stdlib::scalar::hbm_log1p_d1(x[i])), "log1p_d1({:e}) = {:e}", x[i], d[i]);
        }
    }
    let mut out = [7.0f64; 4];
    // SAFETY: a negative length and a null input are refused before any access.
    let refused = unsafe { [hbm_log_batch(-1, [1.0].as_ptr(), out.as_mut_ptr()), hbm_log1p_batch(4, std::ptr::null(), out.as_mut_ptr()), hbm_log1p_d1_batch(4, [1.0; 4].as_ptr(), std::ptr::null_mut())] };
    assert!(refused.iter().all(|r| r.is_nan()) && out == [7.0; 4], "bad calls write nothing and give NaN");
}

/// `vmath::lgamma_positive` and `digamma_positive` (the batched kernels'
/// vector code) against the scalar `special::lgamma` and `digamma` over
/// (0, 1e300]: tiny arguments, both sides of every branch point (0.5,
/// 1.5, 2.5, 10), the roots of lgamma (1, 2) and of digamma (1.4616...),
/// and random arguments on a log scale. Within 4 ulp of the scalar value
/// or 2e-16 absolute (near a root, where the value itself is tiny and
/// both forms are only that accurate); the batched calls route poles,
/// negative arguments, infinities and NaN to the scalar functions.
#[test]
fn lgamma_and_digamma_match_the_scalar_functions() {
    use hbmc_stdlib::dist::batch::{hbm_digamma_batch, hbm_lgamma_batch, hbm_lgamma_d1_batch};
    use hbmc_stdlib::special::{digamma, lgamma};
    let mut xs = vec![5e-324, 1e-300, 1e-10, 0.1, 0.49999999999999994, 0.5, 1.0, 1.4616321449683622, 1.4999999999999998, 1.5, 2.0, 2.5, 2.5000000000000004];
    xs.extend([3.0, 7.5, 9.999999999999998, 10.0, 10.000000000000002, 100.0, 1e5, 1e10, 1e100, 1e300]);
    let mut s = 0x1234_5678_9ABC_DEF1u64;
    for _ in 0..20_000 {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        let u = (s >> 11) as f64 / (1u64 << 53) as f64;
        xs.push(10f64.powf(-6.0 + 12.0 * u));
        xs.push(1.0 + (u - 0.5) * 1e-3);
        xs.push(2.0 + (u - 0.5) * 1e-3);
        xs.push(12.0 * u);
    }
    let close = |a: f64, r: f64| ulps(a, r) <= 4.0 || (a - r).abs() <= 2e-16;
    let mut worst: f64 = 0.0;
    for &x in &xs {
        for (name, ours, scalar) in [
            ("lgamma", vmath::lgamma_positive::<Plain, f64>(x), lgamma(x)),
            ("digamma", vmath::digamma_positive::<Plain, f64>(x), digamma(x)),
        ] {
            assert!(close(ours, scalar), "{name}({x:e}) = {ours:e}, scalar {scalar:e}: {} ulp", ulps(ours, scalar));
            if ours.abs() > 1e-3 {
                worst = worst.max(ulps(ours, scalar));
            }
            if fma_available() {
                let fused = if name == "lgamma" { vmath::lgamma_positive::<Fused, f64>(x) } else { vmath::digamma_positive::<Fused, f64>(x) };
                assert!(close(fused, scalar), "fused {name}({x:e}) = {fused:e}, scalar {scalar:e}");
            }
        }
    }
    assert!(worst > 0.0);
    // The batched calls: the vector code inside the domain, the scalar
    // functions outside it, at every length.
    let mut args = vec![0.0, -0.0, -1.0, -2.5, -1e-3, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 3.7, 0.25, 1e-8, 42.0];
    args.extend(xs.iter().take(40));
    let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
    for len in (0..=args.len()).chain([300]) {
        let x: Vec<f64> = (0..len).map(|i| args[(7 * i + 3) % args.len()]).collect();
        let (mut l, mut d, mut p) = (vec![7.0; len], vec![7.0; len], vec![7.0; len]);
        // SAFETY: every slice has len elements; none overlap.
        let r = unsafe { [hbm_lgamma_batch(len as i64, x.as_ptr(), l.as_mut_ptr()), hbm_lgamma_d1_batch(len as i64, x.as_ptr(), d.as_mut_ptr()), hbm_digamma_batch(len as i64, x.as_ptr(), p.as_mut_ptr())] };
        assert_eq!(r, [0.0; 3]);
        for i in 0..len {
            let xi = x[i];
            let (el, ed) = if xi > 0.0 && xi < f64::INFINITY {
                if fma_available() {
                    (vmath::lgamma_positive::<Fused, f64>(xi), vmath::digamma_positive::<Fused, f64>(xi))
                } else {
                    (vmath::lgamma_positive::<Plain, f64>(xi), vmath::digamma_positive::<Plain, f64>(xi))
                }
            } else {
                (lgamma(xi), digamma(xi))
            };
            assert!(same(l[i], el) && same(d[i], ed) && same(p[i], ed), "len {len}, x = {xi:e}: ({:e}, {:e}, {:e}) against ({el:e}, {ed:e})", l[i], d[i], p[i]);
        }
    }
}
