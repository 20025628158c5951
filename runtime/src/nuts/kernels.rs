//! The trajectory's passes over a state (leapfrog updates, kinetic energy,
//! U-turn sums, the low-rank metric's projection), each with a portable
//! version and AVX + FMA and AVX-512 versions chosen at run time
//! (`is_x86_feature_detected!`, so no `-C target-cpu` is needed).
//!
//! With a diagonal metric the momenta are held *whitened*: `p' = M^{-1/2} p`
//! (see [`super::hamiltonian`]), so the velocity is the momentum itself and
//! no pass multiplies by the metric or stores a velocity. A leapfrog step of
//! size `eps` then reads one array `c = (eps / 2) sqrt(M^{-1})`: the kick is
//! `p' += c g`, the drift `q += 2 c p'`. A low-rank metric's momenta are
//! whitened too; its kick and drift add a few directions' terms
//! ([`DirTerms`]) in the same passes.
//!
//! Every sum is taken in [`LANES`] partial sums: element `i` goes into sum
//! `i % LANES`, each sum in element order, and the partial sums are combined
//! by [`lanes_sum`]. Every product that is added to something is a fused
//! multiply-add (one rounding): `f64::mul_add` in the portable version,
//! `vfmadd` in the vector versions. All versions do the same operations in
//! the same order, so they give the same bits, and a seed gives the same
//! draws on every x86-64 machine. (Without hardware FMA, `f64::mul_add` is a library
//! call: correct, but slow.)

/// Number of partial sums: eight, one AVX-512 register (two AVX
/// registers) of `f64`s per sum, so the additions of a sum form eight
/// independent chains: a sum over a few hundred elements is otherwise
/// bound by the latency of its chain of multiply-adds, not their throughput.
pub(crate) const LANES: usize = 8;

/// The partial sums combined in a fixed order: `l` with `l + 4`, then in
/// pairs.
#[inline(always)]
pub(crate) fn lanes_sum(acc: [f64; LANES]) -> f64 {
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
}

/// Most directions a low-rank metric keeps ([`crate::adapt::low_rank::MAX_RANK`]).
pub(crate) const MAX_DIRS: usize = crate::adapt::low_rank::MAX_RANK;

/// The low-rank metric's terms of a whitened step (see
/// [`super::hamiltonian`]): the directions `u` (`rank * stride` values,
/// direction `j` at `u[j * stride..j * stride + n]`, its own cache lines
/// when `stride` is a multiple of eight and `u` starts a line; empty for
/// a diagonal metric) and the
/// coefficients of direction `j` in the kick (`kick[j]`) and in the drift
/// (`drift[j]`). Element `i` of a kick adds `k_i = sum_j u_j[i] kick[j]`
/// to the kicked momentum, and a drift moves by the momentum plus `d_i =
/// sum_j u_j[i] drift[j]`, each sum a chain of multiply-adds from zero in
/// direction order. With no directions nothing is added: every pass is
/// the diagonal metric's, bit for bit.
#[derive(Clone, Copy, Default)]
pub(crate) struct DirTerms<'a> {
    pub u: &'a [f64],
    pub stride: usize,
    pub kick: [f64; MAX_DIRS],
    pub drift: [f64; MAX_DIRS],
}

impl DirTerms<'_> {
    /// The number of directions, for arrays of length `n`: panics unless
    /// every direction has its `n` elements (which the vector kernels'
    /// unchecked loads rely on).
    #[inline(always)]
    fn rank(&self, n: usize) -> usize {
        if self.u.is_empty() {
            return 0;
        }
        assert!(self.stride >= n && self.u.len() % self.stride == 0, "directions laid out for fewer than {n} elements");
        self.u.len() / self.stride
    }

    /// The kick's and the drift's terms `(k_i, d_i)` of element `i`.
    #[inline(always)]
    fn terms(&self, rank: usize, i: usize) -> (f64, f64) {
        let (mut k, mut d) = (0.0, 0.0);
        for j in 0..rank {
            let u = self.u[j * self.stride + i];
            k = u.mul_add(self.kick[j], k);
            d = u.mul_add(self.drift[j], d);
        }
        (k, d)
    }
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn has_avx_fma() -> bool {
    isa_allowed(1) && std::arch::is_x86_feature_detected!("avx") && std::arch::is_x86_feature_detected!("fma")
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn has_avx512() -> bool {
    isa_allowed(2) && std::arch::is_x86_feature_detected!("avx512f")
}

#[cfg(test)]
thread_local! {
    /// The widest version the kernels may use on this thread (0 portable,
    /// 1 AVX, 2 AVX-512), so that tests check every version the CPU has.
    static ISA_LIMIT: std::cell::Cell<u8> = const { std::cell::Cell::new(2) };
}

#[cfg(test)]
fn isa_allowed(level: u8) -> bool {
    ISA_LIMIT.with(|l| l.get() >= level)
}

#[cfg(not(test))]
#[inline(always)]
fn isa_allowed(_level: u8) -> bool {
    true
}

/// Dot product in the order described in the module documentation.
#[inline]
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    #[cfg(target_arch = "x86_64")]
    if has_avx512() {
        // SAFETY: AVX-512F was detected on this CPU; the slices' lengths are those the AVX call below needs.
        return unsafe { avx512::dot(a, b) };
    }
    #[cfg(target_arch = "x86_64")]
    if has_avx_fma() {
        // SAFETY: AVX and FMA were detected on this CPU.
        return unsafe { avx::dot(a, b) };
    }
    let mut acc = [0.0; LANES];
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        acc[i % LANES] = x.mul_add(*y, acc[i % LANES]);
    }
    lanes_sum(acc)
}

/// The low-rank metric's projection of a scaled vector
/// ([`crate::adapt::LowRankInvMetric`]): `c[j] = u_j . (s * x)` for the `R`
/// directions `u_j = u[j * stride..j * stride + n]` (`n = x.len()`), the
/// product `s * x` elementwise, each sum in the order of [`dot`].
#[inline]
pub(crate) fn scale_project<const R: usize>(s: &[f64], x: &[f64], u: &[f64], stride: usize) -> [f64; R] {
    let n = x.len();
    assert!(R == 0 || stride >= n, "directions laid out for fewer than {n} elements");
    let (s, u) = (&s[..n], &u[..R * stride]);
    #[cfg(target_arch = "x86_64")]
    if has_avx512() {
        // SAFETY: AVX-512F was detected on this CPU; the slices' lengths are those the AVX call below needs.
        return unsafe { avx512::scale_project::<R>(s, x, u, stride) };
    }
    #[cfg(target_arch = "x86_64")]
    if has_avx_fma() {
        // SAFETY: AVX and FMA were detected on this CPU; `s`, `x` have length n, `u` R * stride, stride >= n.
        return unsafe { avx::scale_project::<R>(s, x, u, stride) };
    }
    let mut acc = [[0.0; LANES]; R];
    for i in 0..n {
        scale_project_element::<R>(s, x, u, stride, i, i % LANES, &mut acc);
    }
    acc.map(lanes_sum)
}

#[inline(always)]
fn scale_project_element<const R: usize>(
    s: &[f64],
    x: &[f64],
    u: &[f64],
    stride: usize,
    i: usize,
    l: usize,
    acc: &mut [[f64; LANES]; R],
) {
    let ti = s[i] * x[i];
    for (j, a) in acc.iter_mut().enumerate() {
        a[l] = u[j * stride + i].mul_add(ti, a[l]);
    }
}

/// The six dot products of Stan's three U-turn checks over two neighbouring
/// parts `a` (before) and `b` (after) of a trajectory (see
/// `tree::no_u_turn_joined`), writing `rho_a + rho_b` into `rho`. Returns,
/// in order: `v_last . rho`, `v_first . rho`, `v_b_beg . (rho_a + p_b_beg)`,
/// `v_first . (rho_a + p_b_beg)`, `v_last . (rho_b + p_a_end)`,
/// `v_a_end . (rho_b + p_a_end)`. All slices have the length of `rho`.
/// For whitened momenta (velocity = momentum) use [`joined_sums_white`].
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
    joined_dispatch::<false>(rho, &s)
}

/// [`joined_sums`] for whitened momenta, where each state's velocity is its
/// momentum: `p_first`, `p_last` stand for `v_first`, `v_last`, and
/// `p_a_end`, `p_b_beg` for their own velocities. Six arrays are read, not
/// eight; the bits are those of [`joined_sums`] given the momenta as
/// velocities.
#[inline]
pub(crate) fn joined_sums_white(
    rho: &mut [f64],
    rho_a: &[f64],
    rho_b: &[f64],
    p_first: &[f64],
    p_last: &[f64],
    p_a_end: &[f64],
    p_b_beg: &[f64],
) -> [f64; 6] {
    let n = rho.len();
    let s = JoinedInputs {
        rho_a: &rho_a[..n],
        rho_b: &rho_b[..n],
        v_first: &p_first[..n],
        v_last: &p_last[..n],
        p_a_end: &p_a_end[..n],
        v_a_end: &p_a_end[..n],
        p_b_beg: &p_b_beg[..n],
        v_b_beg: &p_b_beg[..n],
    };
    joined_dispatch::<true>(rho, &s)
}

/// The AVX+FMA kernel when the CPU has both, else the portable one (the
/// same bits); `WHITE`: the velocities of `s` are its momenta.
#[inline]
fn joined_dispatch<const WHITE: bool>(rho: &mut [f64], s: &JoinedInputs) -> [f64; 6] {
    #[cfg(target_arch = "x86_64")]
    if has_avx512() {
        // SAFETY: AVX-512F was detected on this CPU; every slice of `s`
        // has the length of `rho` (both callers cut them to it).
        return unsafe { avx512::joined_sums::<WHITE>(rho, s) };
    }
    #[cfg(target_arch = "x86_64")]
    if has_avx_fma() {
        // SAFETY: AVX and FMA were detected on this CPU; every slice of `s`
        // has the length of `rho` (both callers cut them to it).
        return unsafe { avx::joined_sums::<WHITE>(rho, s) };
    }
    joined_portable(rho, s)
}

fn joined_portable(rho: &mut [f64], s: &JoinedInputs<'_>) -> [f64; 6] {
    let mut acc = [[0.0; LANES]; 6];
    for i in 0..rho.len() {
        joined_element(rho, s, i, i % LANES, &mut acc);
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
    acc[0][l] = s.v_last[i].mul_add(sum, acc[0][l]);
    acc[1][l] = s.v_first[i].mul_add(sum, acc[1][l]);
    let ea = a + s.p_b_beg[i];
    acc[2][l] = s.v_b_beg[i].mul_add(ea, acc[2][l]);
    acc[3][l] = s.v_first[i].mul_add(ea, acc[3][l]);
    let eb = b + s.p_a_end[i];
    acc[4][l] = s.v_last[i].mul_add(eb, acc[4][l]);
    acc[5][l] = s.v_a_end[i].mul_add(eb, acc[5][l]);
}

/// The leapfrog's first half kick and drift for whitened momenta, with
/// `c = (eps / 2) sqrt(M^{-1})`: `p = sp + c g`, `q = sq + c (p + p)`
/// (that is `sq + eps sqrt(M^{-1}) p`, with one rounding). With a
/// low-rank metric's directions `d`, the kick adds `k_i` to `dp` and the
/// drift moves by `dp + d_i` ([`DirTerms`]).
#[inline]
pub(crate) fn kick_drift(sq: &[f64], sp: &[f64], sg: &[f64], c: &[f64], d: &DirTerms<'_>, dq: &mut [f64], dp: &mut [f64]) {
    let n = dq.len();
    let (sq, sp, sg, c, dp) = (&sq[..n], &sp[..n], &sg[..n], &c[..n], &mut dp[..n]);
    let rank = d.rank(n);
    #[cfg(target_arch = "x86_64")]
    if has_avx512() {
        // SAFETY: AVX-512F was detected on this CPU; the slices' lengths are those the AVX call below needs.
        return unsafe { avx512::kick_drift(sq, sp, sg, c, d, dq, dp) };
    }
    #[cfg(target_arch = "x86_64")]
    if has_avx_fma() {
        // SAFETY: AVX and FMA were detected on this CPU; every slice has length n, `d.u` at least rank * n.
        return unsafe { avx::kick_drift(sq, sp, sg, c, d, dq, dp) };
    }
    for i in 0..n {
        kick_drift_element(sq, sp, sg, c, d, rank, dq, dp, i);
    }
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn kick_drift_element(
    sq: &[f64],
    sp: &[f64],
    sg: &[f64],
    c: &[f64],
    d: &DirTerms<'_>,
    rank: usize,
    dq: &mut [f64],
    dp: &mut [f64],
    i: usize,
) {
    let mut p = c[i].mul_add(sg[i], sp[i]);
    let mut y = p;
    if rank > 0 {
        let (k, dr) = d.terms(rank, i);
        p += k;
        y = p + dr;
    }
    dp[i] = p;
    dq[i] = c[i].mul_add(y + y, sq[i]);
}

/// The leapfrog's second half kick alone ([`kick_fused`] with nothing
/// fused): `p += c g`; twice the kinetic energy `p . p`.
pub(crate) fn kick_kinetic(p: &mut [f64], g: &[f64], c: &[f64], d: &DirTerms<'_>) -> f64 {
    let mut none = KickOut { dirs: *d, ..KickOut::default() };
    kick_fused::<false, false, false>(p, g, c, &mut none).kinetic2
}

/// Sums of [`kick_fused`]: twice the kinetic energy of the kicked state
/// `b`, and (for a pair) the U-turn sums `p_b . rho` and `p_a . rho`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct PairSums {
    pub kinetic2: f64,
    pub v_last_rho: f64,
    pub v_first_rho: f64,
    /// With `OUTER`, the six sums of the four-state node, in the order of
    /// [`joined_sums`]; zero otherwise.
    pub outer: [f64; 6],
}

/// Accumulators of [`kick_fused`]: kinetic energy, the pair's two sums,
/// the outer node's six.
const FUSED_SUMS: usize = 9;

impl PairSums {
    /// The sums from their partial sums; those a kernel without `PAIR`
    /// or `OUTER` did not accumulate are left zero.
    #[inline(always)]
    fn from_lanes<const PAIR: bool, const OUTER: bool>(acc: &[[f64; LANES]; FUSED_SUMS]) -> Self {
        let mut s = PairSums { kinetic2: lanes_sum(acc[0]), ..PairSums::default() };
        if PAIR {
            s.v_last_rho = lanes_sum(acc[1]);
            s.v_first_rho = lanes_sum(acc[2]);
        }
        if OUTER {
            s.outer = [3, 4, 5, 6, 7, 8].map(|k| lanes_sum(acc[k]));
        }
        s
    }
}

/// What [`kick_fused`] writes besides the kicked state: with `PAIR`, the
/// summed momentum `rho = p_a + p_b` of a two-state subtree whose first
/// state has momentum `p_a`; with `NEXT`, the next leapfrog step's first
/// half from the kicked state at `q`: `p_next = p + c g` and
/// `q_next = q + c (p_next + p_next)`. Unused slices are empty.
///
/// With `OUTER`, the pair `(a, b)` is the final half of a four-state node
/// whose initial half has summed momentum `outer_rho_a`, first state
/// momentum `p_first` and last state momentum `p_a_end`: the pass also
/// computes that node's six U-turn sums ([`joined_sums_white`] with the
/// pair's summed momentum as `rho_b`, bit for bit) and writes the node's
/// summed momentum into `outer_rho`; the pair's own `rho` is then not
/// written (nothing reads it).
#[derive(Default)]
pub(crate) struct KickOut<'a> {
    pub p_a: &'a [f64],
    pub rho: &'a mut [f64],
    pub q: &'a [f64],
    pub q_next: &'a mut [f64],
    pub p_next: &'a mut [f64],
    pub outer_rho: &'a mut [f64],
    pub outer_rho_a: &'a [f64],
    pub p_first: &'a [f64],
    pub p_a_end: &'a [f64],
    /// The low-rank metric's terms: `dirs.kick` of this kick (and, with
    /// `NEXT`, of the next, from the same gradient), `dirs.drift` of the
    /// next step's drift.
    pub dirs: DirTerms<'a>,
}

/// The second half kick of a leapfrog step (whitened momenta) fused with,
/// when `PAIR`, the U-turn sums of a two-state subtree (for two states the
/// three checks of [`joined_sums`] coincide: each of its six sums equals
/// one of `p_b . rho`, `p_a . rho` bit for bit, since `x + y == y + x`), and
/// when `NEXT`, the first half of the next leapfrog step (bit-identical to
/// [`kick_drift`] from the kicked state). One pass over the arrays.
///
/// The kick is `p += c g`, returning twice the kinetic energy `p . p`.
/// There is no separate check that `g` is finite: with `p` finite before
/// the kick and `c` nonzero and finite, a non-finite `g[i]` makes `p[i]^2`
/// infinite or NaN, and so the kinetic sum; the caller tests that sum
/// instead (one scalar test, not one per element).
/// `OUTER` needs `PAIR`.
#[inline]
pub(crate) fn kick_fused<const PAIR: bool, const NEXT: bool, const OUTER: bool>(
    p: &mut [f64],
    g: &[f64],
    c: &[f64],
    out: &mut KickOut<'_>,
) -> PairSums {
    const { assert!(PAIR || !OUTER, "the outer node's sums need the pair's") };
    let n = p.len();
    let a = FusedArrays {
        g: &g[..n],
        c: &c[..n],
        p_a: if PAIR { &out.p_a[..n] } else { &[] },
        q: if NEXT { &out.q[..n] } else { &[] },
        outer_rho_a: if OUTER { &out.outer_rho_a[..n] } else { &[] },
        p_first: if OUTER { &out.p_first[..n] } else { &[] },
        p_a_end: if OUTER { &out.p_a_end[..n] } else { &[] },
        dirs: out.dirs,
        rank: out.dirs.rank(n),
    };
    let mut w = FusedOutputs {
        rho: if PAIR && !OUTER { &mut out.rho[..n] } else { &mut [] },
        q_next: if NEXT { &mut out.q_next[..n] } else { &mut [] },
        p_next: if NEXT { &mut out.p_next[..n] } else { &mut [] },
        outer_rho: if OUTER { &mut out.outer_rho[..n] } else { &mut [] },
    };
    #[cfg(target_arch = "x86_64")]
    if has_avx512() {
        // SAFETY: AVX-512F was detected on this CPU; the slices' lengths are those the AVX call below needs.
        return unsafe { avx512::kick_fused::<PAIR, NEXT, OUTER>(p, &a, &mut w) };
    }
    #[cfg(target_arch = "x86_64")]
    if has_avx_fma() {
        // SAFETY: AVX and FMA were detected on this CPU; every slice used has length n, the directions rank * n.
        return unsafe { avx::kick_fused::<PAIR, NEXT, OUTER>(p, &a, &mut w) };
    }
    let mut acc = [[0.0; LANES]; FUSED_SUMS];
    for i in 0..n {
        fused_element::<PAIR, NEXT, OUTER>(p, &a, &mut w, i, i % LANES, &mut acc);
    }
    PairSums::from_lanes::<PAIR, OUTER>(&acc)
}

/// The read-only inputs of [`kick_fused`], all of one length (or empty
/// when unused).
pub(crate) struct FusedArrays<'a> {
    g: &'a [f64],
    c: &'a [f64],
    p_a: &'a [f64],
    q: &'a [f64],
    outer_rho_a: &'a [f64],
    p_first: &'a [f64],
    p_a_end: &'a [f64],
    dirs: DirTerms<'a>,
    rank: usize,
}

/// The arrays [`kick_fused`] writes besides the kicked momentum, all of
/// one length (or empty when unused).
pub(crate) struct FusedOutputs<'a> {
    rho: &'a mut [f64],
    q_next: &'a mut [f64],
    p_next: &'a mut [f64],
    outer_rho: &'a mut [f64],
}

#[inline(always)]
fn fused_element<const PAIR: bool, const NEXT: bool, const OUTER: bool>(
    p: &mut [f64],
    a: &FusedArrays<'_>,
    w: &mut FusedOutputs<'_>,
    i: usize,
    l: usize,
    acc: &mut [[f64; LANES]; FUSED_SUMS],
) {
    let (c, g) = (a.c[i], a.g[i]);
    let (k, dr) = a.dirs.terms(a.rank, i);
    let mut pi = c.mul_add(g, p[i]);
    if a.rank > 0 {
        pi += k;
    }
    p[i] = pi;
    acc[0][l] = pi.mul_add(pi, acc[0][l]);
    if PAIR {
        let pa = a.p_a[i];
        let sum = pa + pi;
        if !OUTER {
            w.rho[i] = sum;
        }
        acc[1][l] = pi.mul_add(sum, acc[1][l]);
        acc[2][l] = pa.mul_add(sum, acc[2][l]);
        if OUTER {
            // `joined_element` with rho_a = outer_rho_a, rho_b = sum,
            // v_last = pi, v_first = p_first, p_b_beg = pa.
            let (ra, pf, pe) = (a.outer_rho_a[i], a.p_first[i], a.p_a_end[i]);
            let s = ra + sum;
            w.outer_rho[i] = s;
            acc[3][l] = pi.mul_add(s, acc[3][l]);
            acc[4][l] = pf.mul_add(s, acc[4][l]);
            let ea = ra + pa;
            acc[5][l] = pa.mul_add(ea, acc[5][l]);
            acc[6][l] = pf.mul_add(ea, acc[6][l]);
            let eb = sum + pe;
            acc[7][l] = pi.mul_add(eb, acc[7][l]);
            acc[8][l] = pe.mul_add(eb, acc[8][l]);
        }
    }
    if NEXT {
        let mut pn = c.mul_add(g, pi);
        let mut y = pn;
        if a.rank > 0 {
            pn += k;
            y = pn + dr;
        }
        w.p_next[i] = pn;
        w.q_next[i] = c.mul_add(y + y, a.q[i]);
    }
}

/// The arrays of a step of the dense metric's path
/// ([`kick_general`]): the state's velocity `v` and `w = M^{-1} g`; with
/// `PAIR`, the first state's momentum `p_a` and velocity `v_a` of a
/// two-state subtree, and `rho` for its summed momentum; with `NEXT`, the
/// position `q` and the next state's `q_next`, `p_next`, `v_next`.
#[derive(Default)]
pub(crate) struct GeneralStep<'a> {
    pub v: &'a mut [f64],
    pub w: &'a [f64],
    pub p_a: &'a [f64],
    pub v_a: &'a [f64],
    pub rho: &'a mut [f64],
    pub q: &'a [f64],
    pub q_next: &'a mut [f64],
    pub p_next: &'a mut [f64],
    pub v_next: &'a mut [f64],
}

/// The second half kick of a leapfrog step with a dense metric,
/// `p += h g`, `v += h w` (`w = M^{-1} g`, so `v` stays `M^{-1} p`
/// without a product by the metric), returning twice the kinetic energy
/// `p . v` in the order of [`dot`]; when `PAIR`, the U-turn sums of a
/// two-state subtree (`v . rho`, `v_a . rho`: for two states the six sums
/// of [`joined_sums`] are these two, bit for bit) with `rho = p_a + p`
/// written; when `NEXT`, the first half of the next step from the kicked
/// state, `p_next = p + h g`, `v_next = v + h w`, `q_next = q + 2h v_next`
/// ([`first_half_general`] bit for bit). One pass over the arrays.
#[inline]
pub(crate) fn kick_general<const PAIR: bool, const NEXT: bool>(
    p: &mut [f64],
    g: &[f64],
    h: f64,
    s: &mut GeneralStep<'_>,
) -> PairSums {
    let n = p.len();
    let g = &g[..n];
    let _ = (&s.v[..n], &s.w[..n]);
    if PAIR {
        let _ = (&s.p_a[..n], &s.v_a[..n], &s.rho[..n]);
    }
    if NEXT {
        let _ = (&s.q[..n], &s.q_next[..n], &s.p_next[..n], &s.v_next[..n]);
    }
    #[cfg(target_arch = "x86_64")]
    if has_avx512() {
        // SAFETY: AVX-512F was detected on this CPU; the slices' lengths are those the AVX call below needs.
        return unsafe { avx512::kick_general::<PAIR, NEXT>(p, g, h, s) };
    }
    #[cfg(target_arch = "x86_64")]
    if has_avx_fma() {
        // SAFETY: AVX and FMA were detected on this CPU; every slice used has length n (checked above).
        return unsafe { avx::kick_general::<PAIR, NEXT>(p, g, h, s) };
    }
    let mut acc = [[0.0; LANES]; FUSED_SUMS];
    for i in 0..n {
        general_element::<PAIR, NEXT>(p, g, h, s, i, i % LANES, &mut acc);
    }
    PairSums::from_lanes::<PAIR, false>(&acc)
}

#[inline(always)]
fn general_element<const PAIR: bool, const NEXT: bool>(
    p: &mut [f64],
    g: &[f64],
    h: f64,
    s: &mut GeneralStep<'_>,
    i: usize,
    l: usize,
    acc: &mut [[f64; LANES]; FUSED_SUMS],
) {
    let (gi, wi) = (g[i], s.w[i]);
    let pi = h.mul_add(gi, p[i]);
    let vi = h.mul_add(wi, s.v[i]);
    p[i] = pi;
    s.v[i] = vi;
    acc[0][l] = pi.mul_add(vi, acc[0][l]);
    if PAIR {
        let sum = s.p_a[i] + pi;
        s.rho[i] = sum;
        acc[1][l] = vi.mul_add(sum, acc[1][l]);
        acc[2][l] = s.v_a[i].mul_add(sum, acc[2][l]);
    }
    if NEXT {
        let pn = h.mul_add(gi, pi);
        let vn = h.mul_add(wi, vi);
        s.p_next[i] = pn;
        s.v_next[i] = vn;
        s.q_next[i] = (h + h).mul_add(vn, s.q[i]);
    }
}

/// The first half of a leapfrog step with a dense metric from
/// the state `(q, p, v, g, w)`: `p_next = p + h g`, `v_next = v + h w`,
/// `q_next = q + 2h v_next`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn first_half_general(
    q: &[f64],
    p: &[f64],
    v: &[f64],
    g: &[f64],
    w: &[f64],
    h: f64,
    q_next: &mut [f64],
    p_next: &mut [f64],
    v_next: &mut [f64],
) {
    let n = q_next.len();
    let (q, p, v, g, w, p_next, v_next) = (&q[..n], &p[..n], &v[..n], &g[..n], &w[..n], &mut p_next[..n], &mut v_next[..n]);
    #[cfg(target_arch = "x86_64")]
    if has_avx512() {
        // SAFETY: AVX-512F was detected on this CPU; the slices' lengths are those the AVX call below needs.
        return unsafe { avx512::first_half_general(q, p, v, g, w, h, q_next, p_next, v_next) };
    }
    #[cfg(target_arch = "x86_64")]
    if has_avx_fma() {
        // SAFETY: AVX and FMA were detected on this CPU; every slice has length n.
        return unsafe { avx::first_half_general(q, p, v, g, w, h, q_next, p_next, v_next) };
    }
    for i in 0..n {
        let pn = h.mul_add(g[i], p[i]);
        let vn = h.mul_add(w[i], v[i]);
        p_next[i] = pn;
        v_next[i] = vn;
        q_next[i] = (h + h).mul_add(vn, q[i]);
    }
}

/// Runs `$body` with `$i` bound to the start of every whole register of
/// `$n` elements, in order (four per loop iteration: the loop's count,
/// compare and branch were a tenth of a kick pass's instructions at two),
/// and evaluates to where the scalar tail starts. With `unroll = false`,
/// one register per iteration (for bodies with loops of their own).
///
/// A macro, not a function taking a closure: LLVM kept the larger closures
/// out of line (the four-state node's pass on AVX, the one whose vector is
/// two registers), so each register's pass was a call whose sums went
/// through memory and whose arrays were reloaded from their structs.
#[cfg(target_arch = "x86_64")]
macro_rules! each_register {
    ($n:expr, |$i:ident| $body:block) => {
        each_register!($n, unroll = true, |$i| $body)
    };
    ($n:expr, unroll = $unroll:expr, |$i:ident| $body:block) => {{
        let n: usize = $n;
        let whole = n / LANES * LANES;
        let quads = if $unroll { n / (4 * LANES) * (4 * LANES) } else { 0 };
        let mut start = 0;
        while start < quads {
            {
                let $i = start;
                $body
            }
            {
                let $i = start + LANES;
                $body
            }
            {
                let $i = start + 2 * LANES;
                $body
            }
            {
                let $i = start + 3 * LANES;
                $body
            }
            start += 4 * LANES;
        }
        while start < whole {
            let $i = start;
            $body
            start += LANES;
        }
        whole
    }};
}

/// The kernels' vector versions, written once over a vector `V` of
/// [`LANES`] numbers and its operations (`zero`, `splat`, `load`, `store`,
/// `add`, `mul`, `fmadd`, `lanes`), which the module that expands the
/// macro defines, and compiled with the target feature `$feature`. Loops
/// take four vectors per iteration (one with the low-rank directions),
/// then one at a time, then the scalar tail (`each_register!`); each
/// vector's products go into the partial sums in element order, as in the
/// portable loops, so every version gives the same bits.
#[cfg(target_arch = "x86_64")]
macro_rules! vector_kernels {
    ($feature:literal) => {
        use super::{
            fused_element, general_element, joined_element, kick_drift_element, lanes_sum, scale_project_element,
            DirTerms, FusedArrays, FusedOutputs, GeneralStep, JoinedInputs, PairSums, FUSED_SUMS, LANES,
        };

        #[target_feature(enable = $feature)]
        pub(super) unsafe fn dot(a: &[f64], b: &[f64]) -> f64 {
            let mut acc = zero();
            let whole = each_register!(a.len(), |i| { acc = fmadd(load(a, i), load(b, i), acc) });
            let mut acc = lanes(acc);
            for i in whole..a.len() {
                acc[i - whole] = a[i].mul_add(b[i], acc[i - whole]);
            }
            lanes_sum(acc)
        }

        /// `WHITE`: the velocities are the momenta (`v_first`, `v_last` hold
        /// momenta, `v_a_end`, `v_b_beg` equal `p_a_end`, `p_b_beg`), so six
        /// arrays are read.
        #[target_feature(enable = $feature)]
        pub(super) unsafe fn joined_sums<const WHITE: bool>(rho: &mut [f64], s: &JoinedInputs<'_>) -> [f64; 6] {
            let n = rho.len();
            let mut acc = [zero(); 6];
            let whole = each_register!(n, |i| {
                let (a, b) = (load(s.rho_a, i), load(s.rho_b, i));
                let sum = add(a, b);
                store(rho, i, sum);
                let (v_first, v_last) = (load(s.v_first, i), load(s.v_last, i));
                acc[0] = fmadd(v_last, sum, acc[0]);
                acc[1] = fmadd(v_first, sum, acc[1]);
                let p_b_beg = load(s.p_b_beg, i);
                let v_b_beg = if WHITE { p_b_beg } else { load(s.v_b_beg, i) };
                let ea = add(a, p_b_beg);
                acc[2] = fmadd(v_b_beg, ea, acc[2]);
                acc[3] = fmadd(v_first, ea, acc[3]);
                let p_a_end = load(s.p_a_end, i);
                let v_a_end = if WHITE { p_a_end } else { load(s.v_a_end, i) };
                let eb = add(b, p_a_end);
                acc[4] = fmadd(v_last, eb, acc[4]);
                acc[5] = fmadd(v_a_end, eb, acc[5]);
            });
            let mut out = [[0.0; LANES]; 6];
            for (o, a) in out.iter_mut().zip(acc) {
                *o = lanes(a);
            }
            for i in whole..n {
                joined_element(rho, s, i, i - whole, &mut out);
            }
            out.map(lanes_sum)
        }

        #[target_feature(enable = $feature)]
        pub(super) unsafe fn scale_project<const R: usize>(s: &[f64], x: &[f64], u: &[f64], stride: usize) -> [f64; R] {
            let n = x.len();
            let mut acc = [zero(); R];
            let whole = each_register!(n, |i| {
                let ti = mul(load(s, i), load(x, i));
                for (j, a) in acc.iter_mut().enumerate() {
                    *a = fmadd(load(u, j * stride + i), ti, *a);
                }
            });
            let mut out = [[0.0; LANES]; R];
            for (o, a) in out.iter_mut().zip(acc) {
                *o = lanes(a);
            }
            for i in whole..n {
                scale_project_element::<R>(s, x, u, stride, i, i - whole, &mut out);
            }
            out.map(lanes_sum)
        }

        #[allow(clippy::too_many_arguments)]
        #[target_feature(enable = $feature)]
        pub(super) unsafe fn first_half_general(
            q: &[f64],
            p: &[f64],
            v: &[f64],
            g: &[f64],
            w: &[f64],
            h: f64,
            q_next: &mut [f64],
            p_next: &mut [f64],
            v_next: &mut [f64],
        ) {
            let n = q_next.len();
            let (hv, h2) = (splat(h), splat(h + h));
            let whole = each_register!(n, |i| {
                let pn = fmadd(hv, load(g, i), load(p, i));
                let vn = fmadd(hv, load(w, i), load(v, i));
                store(p_next, i, pn);
                store(v_next, i, vn);
                store(q_next, i, fmadd(h2, vn, load(q, i)));
            });
            for i in whole..n {
                let pn = h.mul_add(g[i], p[i]);
                let vn = h.mul_add(w[i], v[i]);
                p_next[i] = pn;
                v_next[i] = vn;
                q_next[i] = (h + h).mul_add(vn, q[i]);
            }
        }

        #[target_feature(enable = $feature)]
        pub(super) unsafe fn kick_general<const PAIR: bool, const NEXT: bool>(
            p: &mut [f64],
            g: &[f64],
            h: f64,
            s: &mut GeneralStep<'_>,
        ) -> PairSums {
            let n = p.len();
            let hv = splat(h);
            let h2 = splat(h + h);
            let mut acc = [zero(); 3];
            let whole = each_register!(n, |i| {
                let (gi, wi) = (load(g, i), load(s.w, i));
                let pi = fmadd(hv, gi, load(p, i));
                let vi = fmadd(hv, wi, load(s.v, i));
                store(p, i, pi);
                store(s.v, i, vi);
                if NEXT {
                    let pn = fmadd(hv, gi, pi);
                    let vn = fmadd(hv, wi, vi);
                    store(s.p_next, i, pn);
                    store(s.v_next, i, vn);
                    store(s.q_next, i, fmadd(h2, vn, load(s.q, i)));
                }
                acc[0] = fmadd(pi, vi, acc[0]);
                if PAIR {
                    let sum = add(load(s.p_a, i), pi);
                    store(s.rho, i, sum);
                    acc[1] = fmadd(vi, sum, acc[1]);
                    acc[2] = fmadd(load(s.v_a, i), sum, acc[2]);
                }
            });
            let mut out = [[0.0; LANES]; FUSED_SUMS];
            for (o, a) in out.iter_mut().zip(acc) {
                *o = lanes(a);
            }
            for i in whole..n {
                general_element::<PAIR, NEXT>(p, g, h, s, i, i - whole, &mut out);
            }
            PairSums::from_lanes::<PAIR, false>(&out)
        }

        #[target_feature(enable = $feature)]
        pub(super) unsafe fn kick_drift(
            sq: &[f64],
            sp: &[f64],
            sg: &[f64],
            c: &[f64],
            d: &DirTerms<'_>,
            dq: &mut [f64],
            dp: &mut [f64],
        ) {
            let n = dq.len();
            let rank = d.rank(n);
            // One register per iteration with directions (see `fused_pass`).
            let whole = each_register!(n, unroll = rank == 0, |i| {
                let ci = load(c, i);
                let mut p = fmadd(ci, load(sg, i), load(sp, i));
                let mut y = p;
                if rank > 0 {
                    let (k, dr) = dir_terms::<true>(d, rank, i);
                    p = add(p, k);
                    y = add(p, dr);
                }
                store(dp, i, p);
                store(dq, i, fmadd(ci, add(y, y), load(sq, i)));
            });
            for i in whole..n {
                kick_drift_element(sq, sp, sg, c, d, rank, dq, dp, i);
            }
        }

        /// [`DirTerms::terms`] of the register at `i` (the drift's only
        /// when `DRIFT`, zero otherwise).
        #[inline(always)]
        unsafe fn dir_terms<const DRIFT: bool>(d: &DirTerms<'_>, rank: usize, i: usize) -> (V, V) {
            let (mut k, mut dr) = (zero(), zero());
            for j in 0..rank {
                let u = load(d.u, j * d.stride + i);
                k = fmadd(u, splat(d.kick[j]), k);
                if DRIFT {
                    dr = fmadd(u, splat(d.drift[j]), dr);
                }
            }
            (k, dr)
        }

        #[target_feature(enable = $feature)]
        pub(super) unsafe fn kick_fused<const PAIR: bool, const NEXT: bool, const OUTER: bool>(
            p: &mut [f64],
            a: &FusedArrays<'_>,
            w: &mut FusedOutputs<'_>,
        ) -> PairSums {
            // The diagonal metric's pass (no directions) compiled apart:
            // with the directions' loop and branch in the same body, the
            // register allocator spilled the sums of every variant.
            if a.rank > 0 {
                fused_pass::<PAIR, NEXT, OUTER, true>(p, a, w)
            } else {
                fused_pass::<PAIR, NEXT, OUTER, false>(p, a, w)
            }
        }

        /// [`kick_fused`]'s pass, with (`DIRS`) or without the low-rank
        /// metric's directions; inlined into it (so compiled with its
        /// features).
        #[inline(always)]
        unsafe fn fused_pass<const PAIR: bool, const NEXT: bool, const OUTER: bool, const DIRS: bool>(
            p: &mut [f64],
            a: &FusedArrays<'_>,
            w: &mut FusedOutputs<'_>,
        ) -> PairSums {
            let n = p.len();
            let mut acc = [zero(); FUSED_SUMS];
            // The low-rank metric's body has a loop over the directions: four
            // copies of it per iteration were slower than one.
            let whole = each_register!(n, unroll = !DIRS, |i| {
                let (c, g) = (load(a.c, i), load(a.g, i));
                let mut pi = fmadd(c, g, load(p, i));
                let (mut k, mut dr) = (zero(), zero());
                if DIRS {
                    (k, dr) = dir_terms::<NEXT>(&a.dirs, a.rank, i);
                    pi = add(pi, k);
                }
                store(p, i, pi);
                // The next step's half first, so that `c` and `g` are free
                // before the sums (the outer node's nine sums and their
                // inputs nearly fill the 16 registers; a loop of one register
                // per iteration, without the spills, was slower).
                if NEXT {
                    let mut pn = fmadd(c, g, pi);
                    let mut y = pn;
                    if DIRS {
                        pn = add(pn, k);
                        y = add(pn, dr);
                    }
                    store(w.p_next, i, pn);
                    store(w.q_next, i, fmadd(c, add(y, y), load(a.q, i)));
                }
                acc[0] = fmadd(pi, pi, acc[0]);
                if PAIR {
                    let pa = load(a.p_a, i);
                    let sum = add(pa, pi);
                    if !OUTER {
                        store(w.rho, i, sum);
                    }
                    acc[1] = fmadd(pi, sum, acc[1]);
                    acc[2] = fmadd(pa, sum, acc[2]);
                    if OUTER {
                        let (ra, pf, pe) = (load(a.outer_rho_a, i), load(a.p_first, i), load(a.p_a_end, i));
                        let s = add(ra, sum);
                        store(w.outer_rho, i, s);
                        acc[3] = fmadd(pi, s, acc[3]);
                        acc[4] = fmadd(pf, s, acc[4]);
                        let ea = add(ra, pa);
                        acc[5] = fmadd(pa, ea, acc[5]);
                        acc[6] = fmadd(pf, ea, acc[6]);
                        let eb = add(sum, pe);
                        acc[7] = fmadd(pi, eb, acc[7]);
                        acc[8] = fmadd(pe, eb, acc[8]);
                    }
                }
            });
            let mut out = [[0.0; LANES]; FUSED_SUMS];
            for (o, acc) in out.iter_mut().zip(acc) {
                *o = lanes(acc);
            }
            for i in whole..n {
                fused_element::<PAIR, NEXT, OUTER>(p, a, w, i, i - whole, &mut out);
            }
            PairSums::from_lanes::<PAIR, OUTER>(&out)
        }
    };
}

#[cfg(target_arch = "x86_64")]
mod avx {
    //! The AVX + FMA versions (a vector is two AVX registers); callers
    //! check that the CPU has both.
    use std::arch::x86_64::*;

    #[derive(Clone, Copy)]
    struct V(__m256d, __m256d);

    #[inline(always)]
    unsafe fn zero() -> V {
        V(_mm256_setzero_pd(), _mm256_setzero_pd())
    }

    #[inline(always)]
    unsafe fn splat(x: f64) -> V {
        V(_mm256_set1_pd(x), _mm256_set1_pd(x))
    }

    #[inline(always)]
    unsafe fn load(s: &[f64], i: usize) -> V {
        V(_mm256_loadu_pd(s.as_ptr().add(i)), _mm256_loadu_pd(s.as_ptr().add(i + 4)))
    }

    #[inline(always)]
    unsafe fn store(s: &mut [f64], i: usize, x: V) {
        _mm256_storeu_pd(s.as_mut_ptr().add(i), x.0);
        _mm256_storeu_pd(s.as_mut_ptr().add(i + 4), x.1);
    }

    #[inline(always)]
    unsafe fn add(a: V, b: V) -> V {
        V(_mm256_add_pd(a.0, b.0), _mm256_add_pd(a.1, b.1))
    }

    #[inline(always)]
    unsafe fn mul(a: V, b: V) -> V {
        V(_mm256_mul_pd(a.0, b.0), _mm256_mul_pd(a.1, b.1))
    }

    /// `a * b + c`, one rounding.
    #[inline(always)]
    unsafe fn fmadd(a: V, b: V, c: V) -> V {
        V(_mm256_fmadd_pd(a.0, b.0, c.0), _mm256_fmadd_pd(a.1, b.1, c.1))
    }

    #[inline(always)]
    unsafe fn lanes(x: V) -> [f64; LANES] {
        let mut out = [0.0; LANES];
        _mm256_storeu_pd(out.as_mut_ptr(), x.0);
        _mm256_storeu_pd(out.as_mut_ptr().add(4), x.1);
        out
    }

    vector_kernels!("avx,fma");
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    //! The AVX-512 versions (a vector is one register); callers check that
    //! the CPU has AVX-512F.
    use std::arch::x86_64::*;

    type V = __m512d;

    #[inline(always)]
    unsafe fn zero() -> V {
        _mm512_setzero_pd()
    }

    #[inline(always)]
    unsafe fn splat(x: f64) -> V {
        _mm512_set1_pd(x)
    }

    #[inline(always)]
    unsafe fn load(s: &[f64], i: usize) -> V {
        _mm512_loadu_pd(s.as_ptr().add(i))
    }

    #[inline(always)]
    unsafe fn store(s: &mut [f64], i: usize, x: V) {
        _mm512_storeu_pd(s.as_mut_ptr().add(i), x)
    }

    #[inline(always)]
    unsafe fn add(a: V, b: V) -> V {
        _mm512_add_pd(a, b)
    }

    #[inline(always)]
    unsafe fn mul(a: V, b: V) -> V {
        _mm512_mul_pd(a, b)
    }

    /// `a * b + c`, one rounding.
    #[inline(always)]
    unsafe fn fmadd(a: V, b: V, c: V) -> V {
        _mm512_fmadd_pd(a, b, c)
    }

    #[inline(always)]
    unsafe fn lanes(x: V) -> [f64; LANES] {
        let mut out = [0.0; LANES];
        _mm512_storeu_pd(out.as_mut_ptr(), x);
        out
    }

    vector_kernels!("avx512f");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `f` with each vector version of the kernels (those the CPU
    /// lacks fall back to the next narrower one) and the portable one.
    fn each_isa(f: impl Fn()) {
        for level in [0, 1, 2] {
            ISA_LIMIT.with(|l| l.set(level));
            f();
        }
        ISA_LIMIT.with(|l| l.set(2));
    }

    fn data(n: usize, seed: f64) -> Vec<f64> {
        (0..n).map(|i| ((i as f64 + seed) * 0.7318).sin() * (1.0 + i as f64 * 0.01)).collect()
    }

    /// A scale array `c` (positive or negative, as for either direction).
    fn scale(n: usize, half: f64) -> Vec<f64> {
        data(n, 3.0).iter().map(|x| half * (x.abs() + 0.5).sqrt()).collect()
    }

    /// The portable order, written out: element i into partial sum i % 4,
    /// each product fused with its addition.
    fn dot_by_definition(a: &[f64], b: &[f64]) -> f64 {
        let mut acc = [0.0; LANES];
        for i in 0..a.len() {
            acc[i % LANES] = a[i].mul_add(b[i], acc[i % LANES]);
        }
        lanes_sum(acc)
    }

    /// [`kick_fused`] element by element (the portable loop), to compare
    /// the AVX version's bits with.
    fn kick_fused_portable<const PAIR: bool, const NEXT: bool, const OUTER: bool>(
        p: &mut [f64],
        g: &[f64],
        c: &[f64],
        out: &mut KickOut<'_>,
    ) -> PairSums {
        let n = p.len();
        let a = FusedArrays {
            g,
            c,
            p_a: out.p_a,
            q: out.q,
            outer_rho_a: out.outer_rho_a,
            p_first: out.p_first,
            p_a_end: out.p_a_end,
            dirs: out.dirs,
            rank: out.dirs.rank(n),
        };
        let mut w = FusedOutputs {
            rho: &mut *out.rho,
            q_next: &mut *out.q_next,
            p_next: &mut *out.p_next,
            outer_rho: &mut *out.outer_rho,
        };
        let mut acc = [[0.0; LANES]; FUSED_SUMS];
        for i in 0..n {
            fused_element::<PAIR, NEXT, OUTER>(p, &a, &mut w, i, i % LANES, &mut acc);
        }
        PairSums::from_lanes::<PAIR, OUTER>(&acc)
    }

    const LENGTHS: [usize; 10] = [0, 1, 3, 4, 7, 8, 12, 13, 17, 404];

    /// `rank` directions of `n` elements laid out `stride` apart, the
    /// gaps NaN: a kernel that reads them gives NaN.
    fn padded_dirs(rank: usize, n: usize, stride: usize, seed: f64) -> Vec<f64> {
        (0..rank)
            .flat_map(|j| {
                let mut d = data(n, seed + j as f64);
                d.resize(stride, f64::NAN);
                d
            })
            .collect()
    }

    #[test]
    fn low_rank_passes_have_the_documented_order() {
        each_isa(|| {
            for n in LENGTHS {
                let (s, x) = (scale(n, 1.0), data(n, 1.0));
                let stride = n + 5;
                let u = padded_dirs(3, n, stride, 7.0);
                let c = scale_project::<3>(&s, &x, &u, stride);
                let t_def: Vec<f64> = s.iter().zip(&x).map(|(a, b)| a * b).collect();
                for (j, cj) in c.iter().enumerate() {
                    let uj = &u[j * stride..j * stride + n];
                    assert_eq!(cj.to_bits(), dot_by_definition(uj, &t_def).to_bits(), "n = {n}");
                }
            }
        });
    }

    #[test]
    fn general_kick_equals_its_separate_passes() {
        each_isa(|| {
            let h = -0.037;
            for n in LENGTHS {
                let (p0, v0, g, w) = (data(n, 1.0), data(n, 2.0), data(n, 3.0), data(n, 4.0));
                let (p_a, v_a, q) = (data(n, 5.0), data(n, 6.0), data(n, 8.0));
                let (mut p, mut v) = (p0.clone(), v0.clone());
                let (mut rho, mut q_next, mut p_next, mut v_next) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
                let mut st = GeneralStep {
                    v: &mut v,
                    w: &w,
                    p_a: &p_a,
                    v_a: &v_a,
                    rho: &mut rho,
                    q: &q,
                    q_next: &mut q_next,
                    p_next: &mut p_next,
                    v_next: &mut v_next,
                };
                let sums = kick_general::<true, true>(&mut p, &g, h, &mut st);
                let p_def: Vec<f64> = (0..n).map(|i| h.mul_add(g[i], p0[i])).collect();
                let v_def: Vec<f64> = (0..n).map(|i| h.mul_add(w[i], v0[i])).collect();
                assert_eq!((&p, &v), (&p_def, &v_def), "n = {n}");
                assert_eq!(sums.kinetic2.to_bits(), dot_by_definition(&p_def, &v_def).to_bits());
                let rho_def: Vec<f64> = p_a.iter().zip(&p_def).map(|(a, b)| a + b).collect();
                assert_eq!(rho, rho_def);
                assert_eq!(sums.v_last_rho.to_bits(), dot_by_definition(&v_def, &rho_def).to_bits());
                assert_eq!(sums.v_first_rho.to_bits(), dot_by_definition(&v_a, &rho_def).to_bits());
                // The next step's first half, as from the kicked state.
                let (mut q2, mut p2, mut v2) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
                first_half_general(&q, &p_def, &v_def, &g, &w, h, &mut q2, &mut p2, &mut v2);
                assert_eq!((&q_next, &p_next, &v_next), (&q2, &p2, &v2), "n = {n}");
                for i in 0..n {
                    assert_eq!(q2[i].to_bits(), (2.0 * h).mul_add(v2[i], q[i]).to_bits());
                }
            }
        });
    }

    #[test]
    fn dot_has_the_documented_order_on_every_length() {
        each_isa(|| {
            for n in 0..35 {
                let (a, b) = (data(n, 1.0), data(n, 2.0));
                assert_eq!(dot(&a, &b).to_bits(), dot_by_definition(&a, &b).to_bits(), "n = {n}");
            }
        });
    }

    #[test]
    fn joined_sums_equal_separate_dot_products_and_the_portable_loop() {
        each_isa(|| {
            for n in LENGTHS {
                let v: Vec<Vec<f64>> = (0..8).map(|k| data(n, k as f64 * 3.1)).collect();
                let mut rho = vec![0.0; n];
                let got = joined_sums(&mut rho, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
                let sum: Vec<f64> = v[0].iter().zip(&v[1]).map(|(a, b)| a + b).collect();
                let ea: Vec<f64> = v[0].iter().zip(&v[6]).map(|(a, b)| a + b).collect();
                let eb: Vec<f64> = v[1].iter().zip(&v[4]).map(|(a, b)| a + b).collect();
                let want = [
                    dot_by_definition(&v[3], &sum),
                    dot_by_definition(&v[2], &sum),
                    dot_by_definition(&v[7], &ea),
                    dot_by_definition(&v[2], &ea),
                    dot_by_definition(&v[3], &eb),
                    dot_by_definition(&v[5], &eb),
                ];
                assert_eq!(rho, sum);
                for k in 0..6 {
                    assert_eq!(got[k].to_bits(), want[k].to_bits(), "n = {n}, sum {k}");
                }
                // Whitened: the momenta are the velocities.
                let mut rho_w = vec![0.0; n];
                let white = joined_sums_white(&mut rho_w, &v[0], &v[1], &v[2], &v[3], &v[4], &v[6]);
                let mut rho_g = vec![0.0; n];
                let generic = joined_sums(&mut rho_g, &v[0], &v[1], &v[2], &v[3], &v[4], &v[4], &v[6], &v[6]);
                assert_eq!(rho_w, sum);
                assert_eq!(white.map(f64::to_bits), generic.map(f64::to_bits), "n = {n}");
            }
        });
    }

    #[test]
    fn kick_fused_next_half_equals_kick_drift_from_the_kicked_state() {
        each_isa(|| {
            for (n, rank) in LENGTHS.iter().flat_map(|&n| [(n, 0), (n, 3)]) {
                let stride = n + 3;
                let u = padded_dirs(rank, n, stride, 7.0);
                let mut dirs = DirTerms { u: &u, stride, ..DirTerms::default() };
                for j in 0..rank {
                    (dirs.kick[j], dirs.drift[j]) = (0.3 - 0.2 * j as f64, -0.7 + 0.4 * j as f64);
                }
                let (p0, g, q) = (data(n, 1.0), data(n, 2.0), data(n, 5.0));
                let c = scale(n, -0.035);
                let p_a = data(n, 4.0);
                // Separately: the kick, then the next step's first half.
                let mut p_want = p0.clone();
                let k = kick_kinetic(&mut p_want, &g, &c, &dirs);
                let (mut qn_want, mut pn_want) = (vec![0.0; n], vec![0.0; n]);
                kick_drift(&q, &p_want, &g, &c, &dirs, &mut qn_want, &mut pn_want);
                let mut rho_want = vec![0.0; n];
                let mut pair_out = KickOut { p_a: &p_a, rho: &mut rho_want, dirs, ..KickOut::default() };
                let pair_want = kick_fused::<true, false, false>(&mut p0.clone(), &g, &c, &mut pair_out);
                for with_pair in [false, true] {
                    let (mut p, mut rho, mut qn, mut pn) = (p0.clone(), vec![0.0; n], vec![0.0; n], vec![0.0; n]);
                    let mut out = KickOut { p_a: &p_a, rho: &mut rho, q: &q, q_next: &mut qn, p_next: &mut pn, dirs, ..KickOut::default() };
                    let s = if with_pair {
                        kick_fused::<true, true, false>(&mut p, &g, &c, &mut out)
                    } else {
                        kick_fused::<false, true, false>(&mut p, &g, &c, &mut out)
                    };
                    // The same bits from the portable loop.
                    let (mut p2, mut rho2, mut qn2, mut pn2) = (p0.clone(), vec![0.0; n], vec![0.0; n], vec![0.0; n]);
                    let mut out2 =
                        KickOut { p_a: &p_a, rho: &mut rho2, q: &q, q_next: &mut qn2, p_next: &mut pn2, dirs, ..KickOut::default() };
                    let s2 = if with_pair {
                        kick_fused_portable::<true, true, false>(&mut p2, &g, &c, &mut out2)
                    } else {
                        kick_fused_portable::<false, true, false>(&mut p2, &g, &c, &mut out2)
                    };
                    assert_eq!((&p, &qn, &pn), (&p_want, &qn_want, &pn_want), "n = {n}, rank {rank}");
                    assert_eq!((&p2, &qn2, &pn2), (&p_want, &qn_want, &pn_want), "portable, n = {n}, rank {rank}");
                    assert_eq!(s.kinetic2.to_bits(), k.to_bits(), "n = {n}, rank {rank}");
                    assert_eq!(s, s2, "portable, n = {n}, rank {rank}");
                    if with_pair {
                        assert_eq!(rho2, rho, "n = {n}, rank {rank}");
                        assert_eq!(s, PairSums { kinetic2: k, ..pair_want }, "n = {n}, rank {rank}");
                        assert_eq!(rho, rho_want, "n = {n}, rank {rank}");
                    }
                }
            }
        });
    }

    /// With a low-rank metric's directions, the first half of a step is
    /// the formula written out: `p' = (p + c g) + sum_j u_j kick_j`,
    /// `q' = q + 2 c (p' + sum_j u_j drift_j)`, the sums in direction order.
    #[test]
    fn kick_drift_adds_the_directions_terms_in_order() {
        each_isa(|| {
            for n in LENGTHS {
                let rank = 2;
                let (q, p, g, u) = (data(n, 1.0), data(n, 2.0), data(n, 3.0), data(rank * n, 4.0));
                let c = scale(n, 0.04);
                let mut dirs = DirTerms { u: &u, stride: n, ..DirTerms::default() };
                dirs.kick[..2].copy_from_slice(&[0.25, -0.5]);
                dirs.drift[..2].copy_from_slice(&[1.5, 0.125]);
                let (mut dq, mut dp) = (vec![0.0; n], vec![0.0; n]);
                kick_drift(&q, &p, &g, &c, &dirs, &mut dq, &mut dp);
                for i in 0..n {
                    let pi = c[i].mul_add(g[i], p[i]) + u[n + i].mul_add(-0.5, u[i] * 0.25);
                    let y = pi + u[n + i].mul_add(0.125, u[i] * 1.5);
                    assert_eq!(dp[i].to_bits(), pi.to_bits(), "n = {n}, i = {i}");
                    assert_eq!(dq[i].to_bits(), c[i].mul_add(y + y, q[i]).to_bits(), "n = {n}, i = {i}");
                }
            }
        });
    }

    #[test]
    fn kick_drift_is_the_leapfrog_first_half() {
        each_isa(|| {
            for n in LENGTHS {
                let (q, p, g) = (data(n, 1.0), data(n, 2.0), data(n, 4.0));
                let half = 0.021;
                let sqrt_inv: Vec<f64> = data(n, 3.0).iter().map(|x| (x.abs() + 0.5).sqrt()).collect();
                let c: Vec<f64> = sqrt_inv.iter().map(|s| half * s).collect();
                let (mut dq, mut dp) = (vec![0.0; n], vec![0.0; n]);
                kick_drift(&q, &p, &g, &c, &DirTerms::default(), &mut dq, &mut dp);
                for i in 0..n {
                    // p + (eps/2) L g, then q + eps L p, each within a rounding.
                    let p_half = p[i] + half * sqrt_inv[i] * g[i];
                    let q_new = q[i] + 2.0 * half * sqrt_inv[i] * p_half;
                    assert!((dp[i] - p_half).abs() <= 1e-15 * (1.0 + p_half.abs()), "p, n = {n}, i = {i}");
                    assert!((dq[i] - q_new).abs() <= 1e-15 * (1.0 + q_new.abs()), "q, n = {n}, i = {i}");
                    // Bit for bit what the element definition gives.
                    assert_eq!(dp[i].to_bits(), c[i].mul_add(g[i], p[i]).to_bits());
                    assert_eq!(dq[i].to_bits(), c[i].mul_add(dp[i] + dp[i], q[i]).to_bits());
                }
            }
        });
    }

    #[test]
    fn kick_kinetic_sums_and_is_not_finite_for_non_finite_gradients() {
        each_isa(|| {
            for n in [2, 5, 8, 11, 19] {
                let (p0, g, c) = (data(n, 1.0), data(n, 2.0), scale(n, 0.05));
                let mut p = p0.clone();
                let k = kick_kinetic(&mut p, &g, &c, &DirTerms::default());
                let p_want: Vec<f64> = (0..n).map(|i| c[i].mul_add(g[i], p0[i])).collect();
                assert_eq!(p, p_want);
                assert_eq!(k.to_bits(), dot_by_definition(&p_want, &p_want).to_bits());
                assert!(k.is_finite());
                for bad in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
                    for at in [0, n - 1] {
                        let mut g_bad = g.clone();
                        g_bad[at] = bad;
                        assert!(!kick_kinetic(&mut p0.clone(), &g_bad, &c, &DirTerms::default()).is_finite(), "n = {n}, {bad} at {at}");
                        // The fused pair kernel sums the same kinetic energy.
                        let mut rho = vec![0.0; n];
                        let mut out = KickOut { p_a: &g, rho: &mut rho, ..KickOut::default() };
                        let s = kick_fused::<true, false, false>(&mut p0.clone(), &g_bad, &c, &mut out);
                        assert!(!s.kinetic2.is_finite(), "pair: n = {n}, {bad} at {at}");
                    }
                }
            }
        });
    }

    #[test]
    fn pair_kernel_equals_kick_then_joined_sums() {
        each_isa(|| {
            for n in LENGTHS {
                let (p0, g, p_a) = (data(n, 1.0), data(n, 2.0), data(n, 4.0));
                let c = scale(n, -0.03);
                // Separately: the kick, then the six sums with `a` and `b` single states.
                let mut p_b = p0.clone();
                let k = kick_kinetic(&mut p_b, &g, &c, &DirTerms::default());
                let mut rho_want = vec![0.0; n];
                let six = joined_sums_white(&mut rho_want, &p_a, &p_b, &p_a, &p_b, &p_a, &p_b);
                // Fused.
                let (mut p, mut rho) = (p0.clone(), vec![0.0; n]);
                let mut out = KickOut { p_a: &p_a, rho: &mut rho, ..KickOut::default() };
                let s = kick_fused::<true, false, false>(&mut p, &g, &c, &mut out);
                assert_eq!((p, rho), (p_b, rho_want), "n = {n}");
                assert_eq!(s.kinetic2.to_bits(), k.to_bits(), "n = {n}");
                for (j, x) in six.iter().enumerate() {
                    let want = match j {
                        0 | 2 | 4 => s.v_last_rho,
                        _ => s.v_first_rho,
                    };
                    assert_eq!(x.to_bits(), want.to_bits(), "n = {n}, sum {j}");
                }
            }
        });
    }

    #[test]
    fn outer_node_sums_equal_joined_sums_of_the_four_states() {
        each_isa(|| {
            for n in LENGTHS {
                let (p0, g, p_a, q) = (data(n, 1.0), data(n, 2.0), data(n, 4.0), data(n, 5.0));
                let (rho_a, p_first, p_a_end) = (data(n, 6.0), data(n, 7.0), data(n, 8.0));
                let c = scale(n, 0.04);
                // Separately: the pair's pass, then the node's six sums.
                let mut p_b = p0.clone();
                let mut rho_pair = vec![0.0; n];
                let mut pair_out = KickOut { p_a: &p_a, rho: &mut rho_pair, ..KickOut::default() };
                let pair = kick_fused::<true, false, false>(&mut p_b, &g, &c, &mut pair_out);
                let mut rho_want = vec![0.0; n];
                let six = joined_sums_white(&mut rho_want, &rho_a, &rho_pair, &p_first, &p_b, &p_a_end, &p_a);
                for next in [false, true] {
                    let (mut p, mut rho_node, mut qn, mut pn) = (p0.clone(), vec![0.0; n], vec![0.0; n], vec![0.0; n]);
                    let mut out = KickOut {
                        p_a: &p_a,
                        q: &q,
                        q_next: &mut qn,
                        p_next: &mut pn,
                        outer_rho: &mut rho_node,
                        outer_rho_a: &rho_a,
                        p_first: &p_first,
                        p_a_end: &p_a_end,
                        ..KickOut::default()
                    };
                    let s = if next {
                        kick_fused::<true, true, true>(&mut p, &g, &c, &mut out)
                    } else {
                        kick_fused::<true, false, true>(&mut p, &g, &c, &mut out)
                    };
                    assert_eq!(p, p_b, "n = {n}");
                    assert_eq!(rho_node, rho_want, "n = {n}");
                    assert_eq!(s.outer.map(f64::to_bits), six.map(f64::to_bits), "n = {n}");
                    assert_eq!((s.kinetic2, s.v_last_rho, s.v_first_rho), (pair.kinetic2, pair.v_last_rho, pair.v_first_rho));
                    // The portable loop gives the same bits.
                    let (mut p2, mut rho2, mut qn2, mut pn2) = (p0.clone(), vec![0.0; n], vec![0.0; n], vec![0.0; n]);
                    let mut out2 = KickOut {
                        p_a: &p_a,
                        q: &q,
                        q_next: &mut qn2,
                        p_next: &mut pn2,
                        outer_rho: &mut rho2,
                        outer_rho_a: &rho_a,
                        p_first: &p_first,
                        p_a_end: &p_a_end,
                        ..KickOut::default()
                    };
                    let s2 = if next {
                        kick_fused_portable::<true, true, true>(&mut p2, &g, &c, &mut out2)
                    } else {
                        kick_fused_portable::<true, false, true>(&mut p2, &g, &c, &mut out2)
                    };
                    assert_eq!((s2, &p2, &rho2, &qn2, &pn2), (s, &p, &rho_node, &qn, &pn), "portable, n = {n}");
                }
            }
        });
    }
}
