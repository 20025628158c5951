//! The trajectory's passes over a state (leapfrog updates, kinetic energy,
//! U-turn sums), each with a portable version and an AVX version chosen at
//! run time (`is_x86_feature_detected!`, so no `-C target-cpu` is needed).
//!
//! Every sum is taken in [`LANES`] partial sums: element `i` goes into sum
//! `i % LANES` (the last `n % LANES` elements into sums `0..`), each sum in
//! element order, and the partial sums are combined by [`lanes_sum`]. Both
//! versions do the same multiplications and additions in that order (no
//! fused multiply-add), so they give the same bits, and a seed gives the same
//! draws on machines with and without AVX.

/// Number of partial sums: four, one AVX register of `f64`s per sum, so the
/// additions of a sum form four independent chains.
pub(crate) const LANES: usize = 4;

/// The partial sums combined in a fixed order.
#[inline(always)]
pub(crate) fn lanes_sum(acc: [f64; LANES]) -> f64 {
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn has_avx() -> bool {
    std::arch::is_x86_feature_detected!("avx")
}

/// Dot product in the order described in the module documentation.
#[inline]
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    #[cfg(target_arch = "x86_64")]
    if has_avx() {
        // SAFETY: AVX was detected on this CPU.
        return unsafe { avx::dot(a, b) };
    }
    let mut acc = [0.0; LANES];
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        acc[i % LANES] += x * y;
    }
    lanes_sum(acc)
}

/// The six dot products of Stan's three U-turn checks over two neighbouring
/// parts `a` (before) and `b` (after) of a trajectory (see
/// `tree::no_u_turn_joined`), writing `rho_a + rho_b` into `rho`. Returns,
/// in order: `v_last . rho`, `v_first . rho`, `v_b_beg . (rho_a + p_b_beg)`,
/// `v_first . (rho_a + p_b_beg)`, `v_last . (rho_b + p_a_end)`,
/// `v_a_end . (rho_b + p_a_end)`. All slices have the length of `rho`.
#[allow(clippy::too_many_arguments)]
#[inline]
pub(crate) fn joined_sums(
    rho: &mut [f64],
    rho_a: &[f64],
    rho_b: &[f64],
    v_first: &[f64],
    v_last: &[f64],
    p_a_end: &[f64],
    v_a_end: &[f64],
    p_b_beg: &[f64],
    v_b_beg: &[f64],
) -> [f64; 6] {
    let n = rho.len();
    let s = JoinedInputs {
        rho_a: &rho_a[..n],
        rho_b: &rho_b[..n],
        v_first: &v_first[..n],
        v_last: &v_last[..n],
        p_a_end: &p_a_end[..n],
        v_a_end: &v_a_end[..n],
        p_b_beg: &p_b_beg[..n],
        v_b_beg: &v_b_beg[..n],
    };
    #[cfg(target_arch = "x86_64")]
    if has_avx() {
        // SAFETY: AVX was detected on this CPU; every slice has length n.
        return unsafe { avx::joined_sums(rho, &s) };
    }
    let mut acc = [[0.0; LANES]; 6];
    for i in 0..n {
        joined_element(rho, &s, i, i % LANES, &mut acc);
    }
    acc.map(lanes_sum)
}

/// The inputs of [`joined_sums`], all of one length.
pub(crate) struct JoinedInputs<'a> {
    rho_a: &'a [f64],
    rho_b: &'a [f64],
    v_first: &'a [f64],
    v_last: &'a [f64],
    p_a_end: &'a [f64],
    v_a_end: &'a [f64],
    p_b_beg: &'a [f64],
    v_b_beg: &'a [f64],
}

#[inline(always)]
fn joined_element(rho: &mut [f64], s: &JoinedInputs<'_>, i: usize, l: usize, acc: &mut [[f64; LANES]; 6]) {
    let (a, b) = (s.rho_a[i], s.rho_b[i]);
    let sum = a + b;
    rho[i] = sum;
    acc[0][l] += s.v_last[i] * sum;
    acc[1][l] += s.v_first[i] * sum;
    let ea = a + s.p_b_beg[i];
    acc[2][l] += s.v_b_beg[i] * ea;
    acc[3][l] += s.v_first[i] * ea;
    let eb = b + s.p_a_end[i];
    acc[4][l] += s.v_last[i] * eb;
    acc[5][l] += s.v_a_end[i] * eb;
}

/// The leapfrog's first half kick and drift with a diagonal inverse metric
/// `inv`: `p = sp + half g`, `q = sq + eps inv p`.
#[allow(clippy::too_many_arguments)]
#[inline]
pub(crate) fn kick_drift(
    sq: &[f64],
    sp: &[f64],
    sg: &[f64],
    inv: &[f64],
    dq: &mut [f64],
    dp: &mut [f64],
    half: f64,
    eps: f64,
) {
    #[cfg(target_arch = "x86_64")]
    if has_avx() {
        // SAFETY: AVX was detected on this CPU.
        return unsafe { avx::kick_drift(sq, sp, sg, inv, dq, dp, half, eps) };
    }
    kick_drift_body(sq, sp, sg, inv, dq, dp, half, eps)
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn kick_drift_body(
    sq: &[f64],
    sp: &[f64],
    sg: &[f64],
    inv: &[f64],
    dq: &mut [f64],
    dp: &mut [f64],
    half: f64,
    eps: f64,
) {
    let n = dq.len();
    // Equal lengths let the compiler drop the bounds checks and vectorise.
    let (sq, sp, sg, inv, dp) = (&sq[..n], &sp[..n], &sg[..n], &inv[..n], &mut dp[..n]);
    for i in 0..n {
        let p = sp[i] + half * sg[i];
        dp[i] = p;
        dq[i] = sq[i] + eps * (p * inv[i]);
    }
}

/// The leapfrog's second half kick alone ([`kick_fused`] with nothing
/// fused): `p += half g`, `v = inv p`; twice the kinetic energy `p . v`.
#[cfg(test)]
pub(crate) fn kick_kinetic(p: &mut [f64], v: &mut [f64], g: &[f64], inv: &[f64], half: f64) -> f64 {
    let mut none = KickOut::default();
    kick_fused::<false, false>(p, v, g, inv, half, &mut none).kinetic2
}

/// Sums of [`kick_fused`]: twice the kinetic energy of the kicked state
/// `b`, and (for a pair) the U-turn sums `v_b . rho` and `v_a . rho`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct PairSums {
    pub kinetic2: f64,
    pub v_last_rho: f64,
    pub v_first_rho: f64,
}

/// What [`kick_fused`] writes besides the kicked state: with `PAIR`, the
/// summed momentum `rho = p_a + p_b` of a two-state subtree whose first
/// state is `(p_a, v_a)`; with `NEXT`, the next leapfrog step's first half
/// from the kicked state at `q`: `p_next = p + half g` and
/// `q_next = q + eps inv p_next`. Unused slices are empty.
#[derive(Default)]
pub(crate) struct KickOut<'a> {
    pub p_a: &'a [f64],
    pub v_a: &'a [f64],
    pub rho: &'a mut [f64],
    pub q: &'a [f64],
    pub q_next: &'a mut [f64],
    pub p_next: &'a mut [f64],
    pub eps: f64,
}

/// The second half kick of a leapfrog step fused with, when `PAIR`, the U-turn sums of a
/// two-state subtree (for two states the three checks of [`joined_sums`]
/// coincide: each of its six sums equals one of `v_b . rho`, `v_a . rho`
/// bit for bit, since `x + y == y + x`), and when `NEXT`, the first half of
/// the next leapfrog step (bit-identical to [`kick_drift`] from the kicked
/// state: `half g` is the same product). One pass over the arrays.
///
/// The second half kick is `p += half g`, `v = inv p`, returning twice the
/// kinetic energy `p . v` (with a diagonal inverse metric `inv`). There is
/// no separate check that `g` is finite: with `p` finite before the kick,
/// `half != 0` and `inv` positive and finite, a non-finite `g[i]` makes
/// `p[i] v[i] = inv[i] p[i]^2` infinite or NaN, and so the kinetic sum; the
/// caller tests that sum instead (one scalar test, not one per element).
#[inline]
pub(crate) fn kick_fused<const PAIR: bool, const NEXT: bool>(
    p: &mut [f64],
    v: &mut [f64],
    g: &[f64],
    inv: &[f64],
    half: f64,
    out: &mut KickOut<'_>,
) -> PairSums {
    let n = p.len();
    let a = FusedArrays {
        g: &g[..n],
        inv: &inv[..n],
        p_a: if PAIR { &out.p_a[..n] } else { &[] },
        v_a: if PAIR { &out.v_a[..n] } else { &[] },
        q: if NEXT { &out.q[..n] } else { &[] },
    };
    let v = &mut v[..n];
    let rho: &mut [f64] = if PAIR { &mut out.rho[..n] } else { &mut [] };
    let (q_next, p_next): (&mut [f64], &mut [f64]) =
        if NEXT { (&mut out.q_next[..n], &mut out.p_next[..n]) } else { (&mut [], &mut []) };
    let eps = out.eps;
    #[cfg(target_arch = "x86_64")]
    if has_avx() {
        // SAFETY: AVX was detected on this CPU; every slice used has length n.
        return unsafe { avx::kick_fused::<PAIR, NEXT>(p, v, &a, half, rho, q_next, p_next, eps) };
    }
    let mut acc = [[0.0; LANES]; 3];
    for i in 0..n {
        fused_element::<PAIR, NEXT>(p, v, &a, half, rho, q_next, p_next, eps, i, i % LANES, &mut acc);
    }
    PairSums { kinetic2: lanes_sum(acc[0]), v_last_rho: lanes_sum(acc[1]), v_first_rho: lanes_sum(acc[2]) }
}

/// The read-only inputs of [`kick_fused`], all of one length (or empty
/// when unused).
pub(crate) struct FusedArrays<'a> {
    g: &'a [f64],
    inv: &'a [f64],
    p_a: &'a [f64],
    v_a: &'a [f64],
    q: &'a [f64],
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn fused_element<const PAIR: bool, const NEXT: bool>(
    p: &mut [f64],
    v: &mut [f64],
    a: &FusedArrays<'_>,
    half: f64,
    rho: &mut [f64],
    q_next: &mut [f64],
    p_next: &mut [f64],
    eps: f64,
    i: usize,
    l: usize,
    acc: &mut [[f64; LANES]; 3],
) {
    let hg = half * a.g[i];
    let pi = p[i] + hg;
    let vi = pi * a.inv[i];
    p[i] = pi;
    v[i] = vi;
    acc[0][l] += pi * vi;
    if PAIR {
        let sum = a.p_a[i] + pi;
        rho[i] = sum;
        acc[1][l] += vi * sum;
        acc[2][l] += a.v_a[i] * sum;
    }
    if NEXT {
        let pn = pi + hg;
        p_next[i] = pn;
        q_next[i] = a.q[i] + eps * (pn * a.inv[i]);
    }
}

#[cfg(target_arch = "x86_64")]
mod avx {
    //! The AVX versions; callers check that the CPU has AVX.
    use super::{fused_element, joined_element, lanes_sum, FusedArrays, JoinedInputs, PairSums, LANES};
    use std::arch::x86_64::*;

    #[inline(always)]
    unsafe fn lanes(x: __m256d) -> [f64; LANES] {
        let mut out = [0.0; LANES];
        _mm256_storeu_pd(out.as_mut_ptr(), x);
        out
    }

    #[inline(always)]
    unsafe fn load(s: &[f64], i: usize) -> __m256d {
        _mm256_loadu_pd(s.as_ptr().add(i))
    }

    #[target_feature(enable = "avx")]
    pub(super) unsafe fn dot(a: &[f64], b: &[f64]) -> f64 {
        let n = a.len();
        let whole = n / LANES * LANES;
        let mut acc = _mm256_setzero_pd();
        let mut i = 0;
        while i < whole {
            acc = _mm256_add_pd(acc, _mm256_mul_pd(load(a, i), load(b, i)));
            i += LANES;
        }
        let mut acc = lanes(acc);
        for i in whole..n {
            acc[i - whole] += a[i] * b[i];
        }
        lanes_sum(acc)
    }

    #[target_feature(enable = "avx")]
    pub(super) unsafe fn joined_sums(rho: &mut [f64], s: &JoinedInputs<'_>) -> [f64; 6] {
        let n = rho.len();
        let whole = n / LANES * LANES;
        let mut acc = [_mm256_setzero_pd(); 6];
        let mut i = 0;
        while i < whole {
            let (a, b) = (load(s.rho_a, i), load(s.rho_b, i));
            let sum = _mm256_add_pd(a, b);
            _mm256_storeu_pd(rho.as_mut_ptr().add(i), sum);
            let (v_first, v_last) = (load(s.v_first, i), load(s.v_last, i));
            acc[0] = _mm256_add_pd(acc[0], _mm256_mul_pd(v_last, sum));
            acc[1] = _mm256_add_pd(acc[1], _mm256_mul_pd(v_first, sum));
            let ea = _mm256_add_pd(a, load(s.p_b_beg, i));
            acc[2] = _mm256_add_pd(acc[2], _mm256_mul_pd(load(s.v_b_beg, i), ea));
            acc[3] = _mm256_add_pd(acc[3], _mm256_mul_pd(v_first, ea));
            let eb = _mm256_add_pd(b, load(s.p_a_end, i));
            acc[4] = _mm256_add_pd(acc[4], _mm256_mul_pd(v_last, eb));
            acc[5] = _mm256_add_pd(acc[5], _mm256_mul_pd(load(s.v_a_end, i), eb));
            i += LANES;
        }
        let mut out = [[0.0; LANES]; 6];
        for (o, a) in out.iter_mut().zip(acc) {
            *o = lanes(a);
        }
        for i in whole..n {
            joined_element(rho, s, i, i - whole, &mut out);
        }
        out.map(lanes_sum)
    }

    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx")]
    pub(super) unsafe fn kick_drift(
        sq: &[f64],
        sp: &[f64],
        sg: &[f64],
        inv: &[f64],
        dq: &mut [f64],
        dp: &mut [f64],
        half: f64,
        eps: f64,
    ) {
        // Element-wise, no sums: the compiler vectorises the portable loop.
        super::kick_drift_body(sq, sp, sg, inv, dq, dp, half, eps)
    }

    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx")]
    pub(super) unsafe fn kick_fused<const PAIR: bool, const NEXT: bool>(
        p: &mut [f64],
        v: &mut [f64],
        a: &FusedArrays<'_>,
        half: f64,
        rho: &mut [f64],
        q_next: &mut [f64],
        p_next: &mut [f64],
        eps: f64,
    ) -> PairSums {
        let n = p.len();
        let whole = n / LANES * LANES;
        let h = _mm256_set1_pd(half);
        let e = _mm256_set1_pd(eps);
        let mut acc = [_mm256_setzero_pd(); 3];
        let mut i = 0;
        while i < whole {
            let hg = _mm256_mul_pd(h, load(a.g, i));
            let pi = _mm256_add_pd(load(p, i), hg);
            let inv = load(a.inv, i);
            let vi = _mm256_mul_pd(pi, inv);
            _mm256_storeu_pd(p.as_mut_ptr().add(i), pi);
            _mm256_storeu_pd(v.as_mut_ptr().add(i), vi);
            acc[0] = _mm256_add_pd(acc[0], _mm256_mul_pd(pi, vi));
            if PAIR {
                let sum = _mm256_add_pd(load(a.p_a, i), pi);
                _mm256_storeu_pd(rho.as_mut_ptr().add(i), sum);
                acc[1] = _mm256_add_pd(acc[1], _mm256_mul_pd(vi, sum));
                acc[2] = _mm256_add_pd(acc[2], _mm256_mul_pd(load(a.v_a, i), sum));
            }
            if NEXT {
                let pn = _mm256_add_pd(pi, hg);
                _mm256_storeu_pd(p_next.as_mut_ptr().add(i), pn);
                let qn = _mm256_add_pd(load(a.q, i), _mm256_mul_pd(e, _mm256_mul_pd(pn, inv)));
                _mm256_storeu_pd(q_next.as_mut_ptr().add(i), qn);
            }
            i += LANES;
        }
        let mut out = [[0.0; LANES]; 3];
        for (o, acc) in out.iter_mut().zip(acc) {
            *o = lanes(acc);
        }
        for i in whole..n {
            fused_element::<PAIR, NEXT>(p, v, a, half, rho, q_next, p_next, eps, i, i - whole, &mut out);
        }
        PairSums { kinetic2: lanes_sum(out[0]), v_last_rho: lanes_sum(out[1]), v_first_rho: lanes_sum(out[2]) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize, seed: f64) -> Vec<f64> {
        (0..n).map(|i| ((i as f64 + seed) * 0.7318).sin() * (1.0 + i as f64 * 0.01)).collect()
    }

    /// The portable order, written out: element i into partial sum i % 4,
    /// except the tail, which restarts at sum 0.
    fn dot_by_definition(a: &[f64], b: &[f64]) -> f64 {
        let n = a.len();
        let whole = n / LANES * LANES;
        let mut acc = [0.0; LANES];
        for i in 0..n {
            let l = if i < whole { i % LANES } else { i - whole };
            acc[l] += a[i] * b[i];
        }
        lanes_sum(acc)
    }

    #[test]
    fn dot_has_the_documented_order_on_every_length() {
        for n in 0..23 {
            let (a, b) = (data(n, 1.0), data(n, 2.0));
            assert_eq!(dot(&a, &b).to_bits(), dot_by_definition(&a, &b).to_bits(), "n = {n}");
        }
    }

    #[test]
    fn joined_sums_equal_separate_dot_products() {
        for n in [1, 3, 4, 7, 8, 13, 404] {
            let v: Vec<Vec<f64>> = (0..8).map(|k| data(n, k as f64 * 3.1)).collect();
            let mut rho = vec![0.0; n];
            let got = joined_sums(&mut rho, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
            let sum: Vec<f64> = v[0].iter().zip(&v[1]).map(|(a, b)| a + b).collect();
            let ea: Vec<f64> = v[0].iter().zip(&v[6]).map(|(a, b)| a + b).collect();
            let eb: Vec<f64> = v[1].iter().zip(&v[4]).map(|(a, b)| a + b).collect();
            let want = [
                dot(&v[3], &sum),
                dot(&v[2], &sum),
                dot(&v[7], &ea),
                dot(&v[2], &ea),
                dot(&v[3], &eb),
                dot(&v[5], &eb),
            ];
            assert_eq!(rho, sum);
            for k in 0..6 {
                assert_eq!(got[k].to_bits(), want[k].to_bits(), "n = {n}, sum {k}");
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn pair(p: &mut [f64], v: &mut [f64], g: &[f64], inv: &[f64], half: f64, p_a: &[f64], v_a: &[f64], rho: &mut [f64]) -> PairSums {
        let mut out = KickOut { p_a, v_a, rho, ..KickOut::default() };
        kick_fused::<true, false>(p, v, g, inv, half, &mut out)
    }

    #[test]
    fn kick_fused_next_half_equals_kick_drift_from_the_kicked_state() {
        for n in [1, 3, 4, 7, 8, 13, 404] {
            let (p0, g, q) = (data(n, 1.0), data(n, 2.0), data(n, 5.0));
            let inv: Vec<f64> = data(n, 3.0).iter().map(|x| x.abs() + 0.5).collect();
            let (p_a, v_a) = (data(n, 4.0), data(n, 6.0));
            let (half, eps) = (-0.035, -0.07);
            // Separately: the kick, then the next step's first half.
            let (mut p_want, mut v_want) = (p0.clone(), vec![0.0; n]);
            let k = kick_kinetic(&mut p_want, &mut v_want, &g, &inv, half);
            let (mut qn_want, mut pn_want) = (vec![0.0; n], vec![0.0; n]);
            kick_drift(&q, &p_want, &g, &inv, &mut qn_want, &mut pn_want, half, eps);
            let mut rho_want = vec![0.0; n];
            let pair_want = pair(&mut p0.clone(), &mut vec![0.0; n], &g, &inv, half, &p_a, &v_a, &mut rho_want);
            for with_pair in [false, true] {
                let (mut p, mut v, mut rho, mut qn, mut pn) = (p0.clone(), vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
                let mut out = KickOut { p_a: &p_a, v_a: &v_a, rho: &mut rho, q: &q, q_next: &mut qn, p_next: &mut pn, eps };
                let s = if with_pair {
                    kick_fused::<true, true>(&mut p, &mut v, &g, &inv, half, &mut out)
                } else {
                    kick_fused::<false, true>(&mut p, &mut v, &g, &inv, half, &mut out)
                };
                assert_eq!((&p, &v, &qn, &pn), (&p_want, &v_want, &qn_want, &pn_want), "n = {n}");
                assert_eq!(s.kinetic2.to_bits(), k.to_bits(), "n = {n}");
                if with_pair {
                    assert_eq!(s, pair_want, "n = {n}");
                    assert_eq!(rho, rho_want, "n = {n}");
                }
            }
        }
    }

    #[test]
    fn kick_kinetic_sums_and_is_not_finite_for_non_finite_gradients() {
        for n in [2, 5, 8, 11] {
            let (p0, g, inv) = (data(n, 1.0), data(n, 2.0), data(n, 3.0).iter().map(|x| x.abs() + 0.5).collect::<Vec<_>>());
            let (mut p, mut v) = (p0.clone(), vec![0.0; n]);
            let k = kick_kinetic(&mut p, &mut v, &g, &inv, 0.05);
            let p_want: Vec<f64> = p0.iter().zip(&g).map(|(p, g)| p + 0.05 * g).collect();
            let v_want: Vec<f64> = p_want.iter().zip(&inv).map(|(p, m)| p * m).collect();
            assert_eq!(p, p_want);
            assert_eq!(v, v_want);
            assert_eq!(k.to_bits(), dot_by_definition(&p_want, &v_want).to_bits());
            assert!(k.is_finite());
            for bad in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
                for at in [0, n - 1] {
                    let mut g_bad = g.clone();
                    g_bad[at] = bad;
                    let (mut p, mut v) = (p0.clone(), vec![0.0; n]);
                    assert!(!kick_kinetic(&mut p, &mut v, &g_bad, &inv, 0.05).is_finite(), "n = {n}, {bad} at {at}");
                    // The fused pair kernel sums the same kinetic energy.
                    let (mut p, mut v, mut rho) = (p0.clone(), vec![0.0; n], vec![0.0; n]);
                    let s = pair(&mut p, &mut v, &g_bad, &inv, 0.05, &g, &inv, &mut rho);
                    assert!(!s.kinetic2.is_finite(), "pair: n = {n}, {bad} at {at}");
                }
            }
        }
    }

    #[test]
    fn pair_kernel_equals_kick_then_joined_sums() {
        for n in [1, 3, 4, 7, 8, 13, 404] {
            let (p0, g, p_a) = (data(n, 1.0), data(n, 2.0), data(n, 4.0));
            let inv: Vec<f64> = data(n, 3.0).iter().map(|x| x.abs() + 0.5).collect();
            let v_a: Vec<f64> = p_a.iter().zip(&inv).map(|(p, m)| p * m).collect();
            // Separately: the kick, then the six sums with `a` and `b` single states.
            let (mut p_b, mut v_b) = (p0.clone(), vec![0.0; n]);
            let k = kick_kinetic(&mut p_b, &mut v_b, &g, &inv, -0.03);
            let mut rho_want = vec![0.0; n];
            let six = joined_sums(&mut rho_want, &p_a, &p_b, &v_a, &v_b, &p_a, &v_a, &p_b, &v_b);
            // Fused.
            let (mut p, mut v, mut rho) = (p0.clone(), vec![0.0; n], vec![0.0; n]);
            let s = pair(&mut p, &mut v, &g, &inv, -0.03, &p_a, &v_a, &mut rho);
            assert_eq!((p, v, rho), (p_b, v_b, rho_want), "n = {n}");
            assert_eq!(s.kinetic2.to_bits(), k.to_bits(), "n = {n}");
            for (j, x) in six.iter().enumerate() {
                let want = match j {
                    0 | 2 | 4 => s.v_last_rho,
                    _ => s.v_first_rho,
                };
                assert_eq!(x.to_bits(), want.to_bits(), "n = {n}, sum {j}");
            }
        }
    }
}
