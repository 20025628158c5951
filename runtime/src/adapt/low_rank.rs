//! A low-rank modified diagonal metric estimated from draws and gradients
//! (the idea of nutpie's `low_rank_modified_mass_matrix`, Seyboldt et al.,
//! "Preconditioning Hamiltonian Monte Carlo by minimising Fisher
//! divergence"), written from its public description.
//!
//! The inverse metric is `S (I + U (L - I) U') S`: `S` the diagonal of
//! square roots of the gradient-based diagonal estimate
//! `sqrt(var(draws) / var(grads))` ([`super::grad_diag`]), `U` a few
//! orthonormal directions and `L` their eigenvalues. In the coordinates
//! scaled by `S`, a Gaussian posterior with covariance `C` has draws of
//! covariance `C` and gradients of covariance `C^-1`; the estimate is the
//! matrix `X` with `X G X = D` (the geometric mean of `D` and `G^-1`, `D`
//! and `G` the draws' and the gradients' covariances) restricted to a small
//! subspace: the leading directions of `D` (long, correlated directions the
//! diagonal misses) and of `G` (short ones). Only eigenvalues of `X` away
//! from 1 (beyond a cutoff) are kept, so the metric stays the diagonal one
//! where that is good enough. Velocity and momentum cost `O(dim * rank)`.

use super::grad_diag::{GradDiagAdaptation, GradDiagSettings, GradDiagStep};
use super::sym_eigen::{mat_mul, sym_apply, sym_eigen};
use crate::nuts::hamiltonian::InvMetric;
use crate::nuts::aligned::AlignedVec;
use crate::nuts::kernels::{self, scale_project};
use crate::rng::ChainRng;

/// Largest number of directions kept (their projections live in fixed arrays on the stack).
pub const MAX_RANK: usize = 16;

/// `$obj.$method::<R>(args)` for the rank `R = $rank` (at most
/// [`MAX_RANK`]), so that the loops over the directions are unrolled and
/// their sums stay in registers.
macro_rules! by_rank {
    ($rank:expr, $obj:ident . $method:ident $args:tt) => {
        by_rank!(@arms $rank, $obj.$method $args, 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16)
    };
    (@arms $rank:expr, $obj:ident . $method:ident $args:tt, $($r:literal)*) => {
        match $rank {
            $($r => $obj.$method::<$r> $args,)*
            _ => unreachable!("validate() keeps the rank at most MAX_RANK"),
        }
    };
}

/// Settings of the low-rank estimate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LowRankSettings {
    /// Directions kept at most (at most [`MAX_RANK`]).
    pub rank: usize,
    /// An eigenvalue `l` is kept when `l > cutoff` or `l < 1 / cutoff`.
    pub cutoff: f64,
    /// Added to the diagonal of the projected covariances.
    pub gamma: f64,
    /// Directions searched in the draws and in the gradients each.
    pub search: usize,
    /// Subspace-iteration sweeps for the leading directions.
    pub sweeps: usize,
}

impl Default for LowRankSettings {
    fn default() -> Self {
        LowRankSettings { rank: 6, cutoff: 2.0, gamma: 1e-5, search: 8, sweeps: 3 }
    }
}

/// The inverse metric `S (I + U (L - I) U') S` (see the module doc).
#[derive(Clone, Debug, PartialEq)]
pub struct LowRankInvMetric {
    /// The diagonal of `S` (square roots of the diagonal estimate).
    pub scale: Vec<f64>,
    /// The directions `U`, one after the other: `vecs[j * dim + i]` is
    /// coordinate `i` of direction `j` (`rank * dim` values).
    pub vecs: Vec<f64>,
    /// The eigenvalues `L`, one per direction.
    pub vals: Vec<f64>,
    /// `sqrt(L)`: the whitened trajectory moves by `A = S (I + U
    /// (sqrt(L) - I) U')`, a square root of the inverse metric.
    root_vals: Vec<f64>,
    /// The trajectory's copies of `scale` and of the directions, each
    /// direction starting a cache line (`stride` apart, the gaps zero), as
    /// the passes over a state read them ([`crate::nuts::aligned`]).
    lines: DirLines,
}

/// [`LowRankInvMetric`]'s arrays laid out for the trajectory's passes.
#[derive(Clone, Debug, PartialEq)]
struct DirLines {
    scale: AlignedVec,
    dirs: AlignedVec,
    stride: usize,
}

impl DirLines {
    fn new(scale: &[f64], vecs: &[f64]) -> Self {
        let n = scale.len();
        let stride = n.div_ceil(8) * 8;
        let rank = if n == 0 { 0 } else { vecs.len() / n };
        let mut dirs = AlignedVec::zeros(rank * stride);
        for (j, u) in vecs.chunks_exact(n.max(1)).take(rank).enumerate() {
            dirs[j * stride..j * stride + n].copy_from_slice(u);
        }
        let mut s = AlignedVec::zeros(n);
        s.copy_from_slice(scale);
        DirLines { scale: s, dirs, stride }
    }
}

impl LowRankInvMetric {
    /// The metric `S (I + U (L - I) U') S` from the diagonal of `S`, the
    /// directions (laid out as [`LowRankInvMetric::vecs`]) and `L`.
    pub fn new(scale: Vec<f64>, vecs: Vec<f64>, vals: Vec<f64>) -> Self {
        let root_vals = vals.iter().map(|l| l.sqrt()).collect();
        let lines = DirLines::new(&scale, &vecs);
        LowRankInvMetric { scale, vecs, vals, root_vals, lines }
    }

    /// The directions as the trajectory's passes read them, and the
    /// distance between their starts ([`crate::nuts::kernels::DirTerms`]).
    pub(crate) fn dir_lines(&self) -> (&[f64], usize) {
        (&self.lines.dirs, self.lines.stride)
    }

    fn dim(&self) -> usize {
        self.scale.len()
    }

    /// Checks sizes, finiteness and positivity.
    pub fn validate(&self) -> Result<(), String> {
        let d = self.dim();
        if self.vals.len() > MAX_RANK || self.vecs.len() != self.vals.len() * d {
            return Err(format!("low-rank metric of rank {} has {} vector values", self.vals.len(), self.vecs.len()));
        }
        if self.root_vals.len() != self.vals.len() || !self.scale.iter().chain(&self.vals).all(|v| v.is_finite() && *v > 0.0)
            || !self.vecs.iter().all(|v| v.is_finite())
        {
            return Err("low-rank metric has a non-positive or non-finite element".to_string());
        }
        Ok(())
    }

    /// `U' S x`, the directions' coordinates of `S x`, in the first `rank`
    /// places.
    pub(crate) fn project_scaled(&self, x: &[f64]) -> [f64; MAX_RANK] {
        by_rank!(self.vals.len(), self.project_scaled_rank(x))
    }

    fn project_scaled_rank<const R: usize>(&self, x: &[f64]) -> [f64; MAX_RANK] {
        let mut out = [0.0; MAX_RANK];
        let l = &self.lines;
        out[..R].copy_from_slice(&scale_project::<R>(&l.scale, x, &l.dirs, l.stride));
        out
    }

    /// `U' x`, in the first `rank` places.
    pub(crate) fn project(&self, x: &[f64]) -> [f64; MAX_RANK] {
        let n = x.len();
        let mut out = [0.0; MAX_RANK];
        let (dirs, stride) = self.dir_lines();
        for (j, o) in out.iter_mut().enumerate().take(self.vals.len()) {
            *o = kernels::dot(&dirs[j * stride..j * stride + n], x);
        }
        out
    }

    /// A half kick `h A' g` of the whitened trajectory, given `b = U' S g`
    /// ([`LowRankInvMetric::project_scaled`] of the gradient): returns the
    /// directions' coefficients `h (sqrt(L) - 1) b` of the kick (which
    /// adds `h S g` besides) and moves `alpha = U' pi` (the momentum's
    /// coordinates, kept beside it) by `h sqrt(L) b`, what the kick adds
    /// to them.
    pub(crate) fn half_kick(&self, h: f64, b: &[f64; MAX_RANK], alpha: &mut [f64; MAX_RANK]) -> [f64; MAX_RANK] {
        let mut kick = [0.0; MAX_RANK];
        for (j, r) in self.root_vals.iter().enumerate() {
            let hb = h * b[j];
            kick[j] = (r - 1.0) * hb;
            alpha[j] = r.mul_add(hb, alpha[j]);
        }
        kick
    }

    /// The directions' coefficients `(sqrt(L) - 1) alpha` of a drift by
    /// `A pi = S (pi + U (sqrt(L) - 1) alpha)`.
    pub(crate) fn drift(&self, alpha: &[f64; MAX_RANK]) -> [f64; MAX_RANK] {
        let mut drift = [0.0; MAX_RANK];
        for (j, r) in self.root_vals.iter().enumerate() {
            drift[j] = (r - 1.0) * alpha[j];
        }
        drift
    }

    /// The diagonal of the inverse metric (what the CSV's adaptation block
    /// reports for a run with a diagonal metric).
    pub fn diagonal(&self) -> Vec<f64> {
        let n = self.dim();
        self.scale
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut d = 1.0;
                for (j, l) in self.vals.iter().enumerate() {
                    let u = self.vecs[j * n + i];
                    d += (l - 1.0) * u * u;
                }
                d * s * s
            })
            .collect()
    }
}

/// Dot product in four partial sums (so that it vectorises; inlined, so
/// that it is compiled with its caller's features, see
/// [`estimate_low_rank`]).
#[inline(always)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let whole = n / 4 * 4;
    let mut acc = [0.0; 4];
    // The chunk iterators zipped by value (random access), not by
    // reference: their bookkeeping per chunk of four was most of the
    // estimate's instructions.
    for (x, y) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
        for l in 0..4 {
            acc[l] += x[l] * y[l];
        }
    }
    let tail: f64 = a[whole..].iter().zip(&b[whole..]).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Orthonormalises the columns (each a `dim`-vector in `cols`) by modified
/// Gram-Schmidt, twice, dropping columns that are (nearly) in the span of
/// the earlier ones.
fn orthonormalize(cols: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = Vec::with_capacity(cols.len());
    for mut c in cols {
        let norm0 = dot(&c, &c).sqrt();
        if !(norm0 > 0.0 && norm0.is_finite()) {
            continue;
        }
        for _ in 0..2 {
            for q in &out {
                let r = dot(q, &c);
                for (ci, qi) in c.iter_mut().zip(q) {
                    *ci -= r * qi;
                }
            }
        }
        let norm = dot(&c, &c).sqrt();
        if norm > 1e-8 * norm0 {
            c.iter_mut().for_each(|x| *x /= norm);
            out.push(c);
        }
    }
    out
}

/// Leading `m` directions of `R' R` for the `n x dim` row-major matrix `r`,
/// by subspace iteration from a fixed start. Inlined into
/// [`estimate_low_rank`]'s forms, so compiled with their features.
/// Starts from `start` (the previous estimate's directions), filled up
/// with fixed pseudo-random vectors (no draw from the chain's stream).
#[inline(always)]
fn leading_directions(
    r: &[f64],
    n: usize,
    dim: usize,
    m: usize,
    sweeps: usize,
    start: &[Vec<f64>],
) -> Vec<Vec<f64>> {
    let mut fill = ChainRng::new(0x10f7_a11c, 0, 0);
    let mut v: Vec<Vec<f64>> = start.iter().filter(|u| u.len() == dim).take(m).cloned().collect();
    while v.len() < m {
        v.push((0..dim).map(|_| fill.std_normal()).collect());
    }
    let mut t = vec![0.0; n];
    for _ in 0..sweeps {
        v = orthonormalize(v);
        for col in v.iter_mut() {
            for (k, tk) in t.iter_mut().enumerate() {
                *tk = dot(&r[k * dim..(k + 1) * dim], col);
            }
            col.iter_mut().for_each(|x| *x = 0.0);
            for (k, tk) in t.iter().enumerate() {
                for (c, x) in col.iter_mut().zip(&r[k * dim..(k + 1) * dim]) {
                    *c += tk * x;
                }
            }
        }
    }
    orthonormalize(v)
}

/// `Q' R' R Q / n + gamma I` for the basis `q` (k columns). Inlined as
/// [`leading_directions`] is.
#[inline(always)]
fn projected_covariance(r: &[f64], n: usize, dim: usize, q: &[Vec<f64>], gamma: f64) -> Vec<f64> {
    let k = q.len();
    let mut proj = vec![0.0; n * k];
    for i in 0..n {
        let row = &r[i * dim..(i + 1) * dim];
        for (j, qj) in q.iter().enumerate() {
            proj[i * k + j] = dot(row, qj);
        }
    }
    let mut c = vec![0.0; k * k];
    for i in 0..n {
        for a in 0..k {
            for b in 0..k {
                c[a * k + b] += proj[i * k + a] * proj[i * k + b];
            }
        }
    }
    for a in 0..k {
        for b in 0..k {
            c[a * k + b] /= n as f64;
        }
        c[a * k + a] += gamma;
    }
    c
}

/// The leading directions found by the last estimate, where the next one
/// starts its search (they move little from one window to the next).
#[derive(Clone, Debug, Default)]
pub struct WarmStart {
    draws: Vec<Vec<f64>>,
    grads: Vec<Vec<f64>>,
}

/// Estimates the low-rank metric from `n` draws and their gradients (each
/// `n * dim`, row per draw). `None` when there are too few draws or the
/// result is not a valid metric.
///
/// Compiled for AVX where the CPU has it: the estimate was an eighth of
/// the instructions of a default one-chain `hbmc run` of electric_intercept
/// (its subspace iteration most), and its sums (four partial sums, a separate multiply
/// and add per term) run in registers twice as wide in the same order, so
/// the same bits: a seed gives the same draws on every x86-64.
pub fn estimate_low_rank(
    draws: &[f64],
    grads: &[f64],
    dim: usize,
    settings: LowRankSettings,
    warm: &mut WarmStart,
) -> Option<LowRankInvMetric> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: AVX was detected on this CPU.
        return unsafe { estimate_low_rank_avx(draws, grads, dim, settings, warm) };
    }
    estimate_low_rank_with(draws, grads, dim, settings, warm)
}

/// [`estimate_low_rank_with`] compiled for AVX.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn estimate_low_rank_avx(
    draws: &[f64],
    grads: &[f64],
    dim: usize,
    settings: LowRankSettings,
    warm: &mut WarmStart,
) -> Option<LowRankInvMetric> {
    estimate_low_rank_with(draws, grads, dim, settings, warm)
}

/// [`estimate_low_rank`]'s computation, inlined into its forms.
#[inline(always)]
fn estimate_low_rank_with(
    draws: &[f64],
    grads: &[f64],
    dim: usize,
    settings: LowRankSettings,
    warm: &mut WarmStart,
) -> Option<LowRankInvMetric> {
    let n = draws.len().checked_div(dim)?;
    if n < 3 || grads.len() != draws.len() {
        return None;
    }
    let mut mean_q = vec![0.0; dim];
    let mut mean_g = vec![0.0; dim];
    for i in 0..n {
        for j in 0..dim {
            mean_q[j] += draws[i * dim + j];
            mean_g[j] += grads[i * dim + j];
        }
    }
    mean_q.iter_mut().chain(mean_g.iter_mut()).for_each(|m| *m /= n as f64);
    let mut var_q = vec![0.0; dim];
    let mut var_g = vec![0.0; dim];
    for i in 0..n {
        for j in 0..dim {
            var_q[j] += (draws[i * dim + j] - mean_q[j]).powi(2);
            var_g[j] += (grads[i * dim + j] - mean_g[j]).powi(2);
        }
    }
    let scale: Vec<f64> = var_q
        .iter()
        .zip(&var_g)
        .map(|(vq, vg)| {
            let v = (vq / vg).sqrt();
            if v.is_finite() && v > 0.0 {
                v.clamp(1e-10, 1e10).sqrt()
            } else {
                1.0
            }
        })
        .collect();
    let mut xs = vec![0.0; n * dim];
    let mut gs = vec![0.0; n * dim];
    for i in 0..n {
        for j in 0..dim {
            xs[i * dim + j] = (draws[i * dim + j] - mean_q[j]) / scale[j];
            gs[i * dim + j] = (grads[i * dim + j] - mean_g[j]) * scale[j];
        }
    }
    let m = settings.search.min(dim).min(n - 1).max(1);
    warm.draws = leading_directions(&xs, n, dim, m, settings.sweeps, &warm.draws);
    warm.grads = leading_directions(&gs, n, dim, m, settings.sweeps, &warm.grads);
    let q = orthonormalize(warm.draws.iter().chain(&warm.grads).cloned().collect());
    let k = q.len();
    if k == 0 {
        return None;
    }
    let a = projected_covariance(&xs, n, dim, &q, settings.gamma);
    let b = projected_covariance(&gs, n, dim, &q, settings.gamma);
    // X = A^1/2 (A^1/2 B A^1/2)^-1/2 A^1/2 solves X B X = A.
    let (av, ae) = sym_eigen(a, k);
    if av.iter().any(|v| !(*v > 0.0)) {
        return None;
    }
    let a_half = sym_apply(&av, &ae, f64::sqrt);
    let inner = mat_mul(&mat_mul(&a_half, &b, k), &a_half, k);
    let (iv, ie) = sym_eigen(inner, k);
    if iv.iter().any(|v| !(*v > 0.0)) {
        return None;
    }
    let inner_inv_half = sym_apply(&iv, &ie, |x| 1.0 / x.sqrt());
    let x = mat_mul(&mat_mul(&a_half, &inner_inv_half, k), &a_half, k);
    let (xv, xe) = sym_eigen(x, k);
    let cutoff = settings.cutoff.max(1.0);
    let mut keep: Vec<usize> = (0..k).filter(|&j| xv[j] > cutoff || xv[j] < 1.0 / cutoff).collect();
    keep.sort_by(|&i, &j| xv[j].ln().abs().total_cmp(&xv[i].ln().abs()));
    keep.truncate(settings.rank.min(MAX_RANK));
    let r = keep.len();
    let mut vecs = vec![0.0; r * dim];
    let mut vals = Vec::with_capacity(r);
    for (slot, &j) in keep.iter().enumerate() {
        for (c, qc) in q.iter().enumerate() {
            let w = xe[c * k + j];
            for (i, qi) in qc.iter().enumerate() {
                vecs[slot * dim + i] += w * qi;
            }
        }
        vals.push(xv[j]);
    }
    let metric = LowRankInvMetric::new(scale, vecs, vals);
    metric.validate().ok().map(|_| metric)
}

/// The metric the chain must install after a warmup draw.
#[derive(Clone, Debug, PartialEq)]
pub enum MetricUpdate {
    /// A diagonal inverse metric (the early phase).
    Diag(InvMetric),
    /// A low-rank modified diagonal metric.
    LowRank(LowRankInvMetric),
}

/// nutpie's gradient-based schedule ([`GradDiagAdaptation`]) with the
/// low-rank metric: the early phase adapts the diagonal after every draw;
/// from the main phase on, the metric is re-estimated, low-rank, from the
/// foreground window's draws and gradients at every window switch, every
/// `refresh` draws between them, and at the last draw before the final
/// (step-size only) phase.
#[derive(Clone, Debug)]
pub struct LowRankAdaptation {
    inner: GradDiagAdaptation,
    settings: LowRankSettings,
    dim: usize,
    draw: usize,
    early_end: usize,
    refresh: usize,
    since_update: usize,
    /// Draws and gradients of the foreground and background windows.
    fg_q: Vec<f64>,
    fg_g: Vec<f64>,
    bg_q: Vec<f64>,
    bg_g: Vec<f64>,
    update: Option<MetricUpdate>,
    warm: WarmStart,
}

impl LowRankAdaptation {
    /// As [`GradDiagAdaptation::new`].
    pub fn new(
        dim: usize,
        num_warmup: usize,
        diag: GradDiagSettings,
        settings: LowRankSettings,
        q0: &[f64],
        grad0: &[f64],
    ) -> Self {
        let inner = GradDiagAdaptation::new(dim, num_warmup, diag, q0, grad0);
        let early_end = ((diag.early_fraction * num_warmup as f64) as usize).min(inner.final_start());
        LowRankAdaptation {
            inner,
            settings,
            dim,
            draw: 0,
            early_end,
            refresh: 100,
            since_update: 0,
            fg_q: q0.to_vec(),
            fg_g: grad0.to_vec(),
            bg_q: q0.to_vec(),
            bg_g: grad0.to_vec(),
            update: None,
            warm: WarmStart::default(),
        }
    }

    /// The starting metric (from the initial gradient).
    pub fn initial_inv_metric(&self) -> InvMetric {
        self.inner.inv_metric()
    }

    /// The metric to install after the last [`LowRankAdaptation::step`]
    /// that reported `metric_changed`.
    pub fn take_update(&mut self) -> Option<MetricUpdate> {
        self.update.take()
    }

    /// Advances by one warmup draw (as [`GradDiagAdaptation::step`], with
    /// its step-size restarts); `reinit_step_size` is also set when the
    /// first low-rank metric replaces the diagonal one.
    pub fn step(&mut self, sample: Option<(&[f64], &[f64])>) -> GradDiagStep {
        let draw = self.draw;
        self.draw += 1;
        let in_phase = self.inner.in_metric_phase();
        let mut st = self.inner.step(sample);
        if !in_phase {
            return st;
        }
        if let Some((q, g)) = sample {
            self.fg_q.extend_from_slice(q);
            self.fg_g.extend_from_slice(g);
            self.bg_q.extend_from_slice(q);
            self.bg_g.extend_from_slice(g);
        }
        if st.switched {
            std::mem::swap(&mut self.fg_q, &mut self.bg_q);
            std::mem::swap(&mut self.fg_g, &mut self.bg_g);
            self.bg_q.clear();
            self.bg_g.clear();
        }
        if draw < self.early_end {
            if st.metric_changed {
                self.update = Some(MetricUpdate::Diag(self.inner.inv_metric()));
            }
            return st;
        }
        self.since_update += 1;
        let last = draw + 1 == self.inner.final_start();
        st.metric_changed = false;
        st.reinit_step_size = sample.is_some() && self.inner.scheduled_step_size_restart(draw);
        if st.switched || last || self.since_update >= self.refresh || draw == self.early_end {
            if let Some(m) = estimate_low_rank(&self.fg_q, &self.fg_g, self.dim, self.settings, &mut self.warm) {
                st.reinit_step_size |= draw == self.early_end;
                st.metric_changed = true;
                self.update = Some(MetricUpdate::LowRank(m));
            }
            self.since_update = 0;
        }
        st
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `out = M^{-1} p = S (t + U (L - 1) U' t)` with `t = S p`, written
    /// out plainly: the oracle of the estimate and of the whitened steps.
    fn inverse_metric_times(m: &LowRankInvMetric, p: &[f64], out: &mut [f64]) {
        let n = p.len();
        let t: Vec<f64> = p.iter().zip(&m.scale).map(|(p, s)| p * s).collect();
        out.copy_from_slice(&t);
        for (j, l) in m.vals.iter().enumerate() {
            let u = &m.vecs[j * n..(j + 1) * n];
            let c = (l - 1.0) * u.iter().zip(&t).map(|(u, t)| u * t).sum::<f64>();
            out.iter_mut().zip(u).for_each(|(o, u)| *o += c * u);
        }
        out.iter_mut().zip(&m.scale).for_each(|(o, s)| *o *= s);
    }

    #[test]
    fn dot_is_four_partial_sums_in_order_then_the_tail() {
        for n in 0..14 {
            let a: Vec<f64> = (0..n).map(|i| (i as f64 * 0.7).sin() * 1e3).collect();
            let b: Vec<f64> = (0..n).map(|i| (i as f64 * 1.3).cos() / 7.0).collect();
            let mut acc = [0.0; 4];
            for i in 0..n / 4 * 4 {
                acc[i % 4] += a[i] * b[i];
            }
            let mut tail = 0.0;
            for i in n / 4 * 4..n {
                tail += a[i] * b[i];
            }
            let want = (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail;
            assert_eq!(dot(&a, &b).to_bits(), want.to_bits(), "n = {n}");
        }
    }

    #[test]
    fn the_estimate_has_the_same_bits_with_every_instruction_set() {
        let bits = |m: &LowRankInvMetric| [&m.scale, &m.vecs, &m.vals].map(|v| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
        let dirs = |w: &WarmStart| [&w.draws, &w.grads].map(|v| v.iter().flatten().map(|x| x.to_bits()).collect::<Vec<_>>());
        // Lengths with and without a tail of the four partial sums, a
        // rank-deficient sample (directions dropped) and a warm start.
        let mut estimated = 0;
        for (n, dim, rho) in [(50, 13, 0.9), (200, 404, 0.99), (4, 9, 0.9), (40, 6, 0.5)] {
            let (draws, grads, _) = gaussian_sample(dim, n, rho);
            let (mut w_dispatched, mut w_plain) = (WarmStart::default(), WarmStart::default());
            for round in 0..2 {
                let a = estimate_low_rank(&draws, &grads, dim, LowRankSettings::default(), &mut w_dispatched);
                let b = estimate_low_rank_with(&draws, &grads, dim, LowRankSettings::default(), &mut w_plain);
                assert_eq!(a.as_ref().map(bits), b.as_ref().map(bits), "n {n}, dim {dim}, round {round}");
                assert_eq!(dirs(&w_dispatched), dirs(&w_plain), "n {n}, dim {dim}, round {round}");
                estimated += usize::from(a.is_some_and(|m| !m.vals.is_empty()));
            }
        }
        assert!(estimated >= 4, "only {estimated} estimates kept a direction: the test compares too little");
    }

    #[test]
    fn trajectory_directions_start_cache_lines() {
        for n in [1, 7, 8, 404] {
            let rank = 3;
            let vecs: Vec<f64> = (0..rank * n).map(|k| k as f64 + 0.5).collect();
            let m = LowRankInvMetric::new(vec![1.5; n], vecs.clone(), vec![2.0, 3.0, 0.5]);
            let (dirs, stride) = m.dir_lines();
            assert!(stride >= n && stride % 8 == 0, "n = {n}: stride {stride}");
            assert_eq!(dirs.len(), rank * stride);
            for j in 0..rank {
                let u = &dirs[j * stride..(j + 1) * stride];
                assert_eq!(u.as_ptr() as usize % 64, 0, "n = {n}, direction {j}");
                assert_eq!(&u[..n], &vecs[j * n..(j + 1) * n]);
                assert!(u[n..].iter().all(|x| *x == 0.0));
            }
            // The projections read the laid-out copy: the same as from `vecs`.
            let x: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
            let p = m.project(&x);
            for j in 0..rank {
                let want: f64 = vecs[j * n..(j + 1) * n].iter().zip(&x).map(|(u, x)| u * x).sum();
                assert!((p[j] - want).abs() <= 1e-9 * want.abs().max(1.0), "n = {n}: {} against {want}", p[j]);
            }
        }
    }

    /// Draws and gradients of a correlated Gaussian (2 correlated
    /// coordinates with rho = 0.99 among `dim`, scales varied).
    fn gaussian_sample(dim: usize, n: usize, rho: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let scales: Vec<f64> = (0..dim).map(|i| 0.5 + i as f64 * 0.3).collect();
        let mut rng = ChainRng::new(5, 0, 0);
        let mut draws = Vec::new();
        let mut grads = Vec::new();
        let det = 1.0 - rho * rho;
        for _ in 0..n {
            let z: Vec<f64> = (0..dim).map(|_| rng.std_normal()).collect();
            let mut x: Vec<f64> = z.clone();
            x[1] = rho * z[0] + det.sqrt() * z[1];
            // Standardised coordinates y; gradient of -y' C^-1 y / 2.
            let mut gy = x.iter().map(|v| -v).collect::<Vec<_>>();
            gy[0] = -(x[0] - rho * x[1]) / det;
            gy[1] = -(x[1] - rho * x[0]) / det;
            for j in 0..dim {
                draws.push(x[j] * scales[j]);
                grads.push(gy[j] / scales[j]);
            }
        }
        (draws, grads, scales)
    }

    #[test]
    fn finds_the_correlated_direction() {
        let dim = 12;
        let rho = 0.99;
        let (draws, grads, scales) = gaussian_sample(dim, 200, rho);
        let m = estimate_low_rank(&draws, &grads, dim, LowRankSettings::default(), &mut WarmStart::default()).expect("a metric");
        // Two directions: the long (1 + rho) and the short (1 - rho), in the
        // diagonal-scaled coordinates, relative to the diagonal's scale.
        assert_eq!(m.vals.len(), 2, "{:?}", m.vals);
        // The full inverse metric applied to unit vectors must be close to
        // the true covariance.
        let mut cov = vec![0.0; dim * dim];
        for i in 0..dim {
            cov[i * dim + i] = scales[i] * scales[i];
        }
        cov[1] = rho * scales[0] * scales[1];
        cov[dim] = cov[1];
        let mut out = vec![0.0; dim];
        for j in 0..dim {
            let mut e = vec![0.0; dim];
            e[j] = 1.0;
            inverse_metric_times(&m, &e, &mut out);
            for i in 0..dim {
                let want = cov[i * dim + j];
                let tol = 0.25 * scales[i] * scales[j];
                assert!((out[i] - want).abs() < tol, "({i},{j}): {} vs {want}", out[i]);
            }
        }
        // The diagonal matches the velocity of unit vectors.
        let diag = m.diagonal();
        for j in 0..dim {
            let mut e = vec![0.0; dim];
            e[j] = 1.0;
            inverse_metric_times(&m, &e, &mut out);
            assert!((diag[j] - out[j]).abs() < 1e-12 * diag[j].max(1.0));
        }
    }

    /// The whitened trajectory moves by `A` (drift) and `A'` (kick) with
    /// `A A' = M^{-1}`, so its standard normal momenta are `N(0, M)` ones
    /// in the original coordinates: `A A' e_j` through the functions the
    /// trajectory uses equals `M^{-1} e_j`.
    #[test]
    fn whitened_steps_factor_the_metric() {
        let dim = 6;
        let (draws, grads, _) = gaussian_sample(dim, 300, 0.95);
        let m = estimate_low_rank(&draws, &grads, dim, LowRankSettings::default(), &mut WarmStart::default()).expect("a metric");
        assert!(!m.vals.is_empty(), "the sample is correlated");
        let rank = m.vals.len();
        let add_dirs = |x: &mut [f64], coef: &[f64; MAX_RANK]| {
            for (j, c) in coef.iter().enumerate().take(rank) {
                for (i, xi) in x.iter_mut().enumerate() {
                    *xi += m.vecs[j * dim + i] * c;
                }
            }
        };
        let mut want = vec![0.0; dim];
        for k in 0..dim {
            let mut e = vec![0.0; dim];
            e[k] = 1.0;
            // A' e = S e + U (sqrt(L) - 1) U' S e: a kick with h = 1.
            let b = m.project_scaled(&e);
            let kick = m.half_kick(1.0, &b, &mut [0.0; MAX_RANK]);
            let mut y: Vec<f64> = e.iter().zip(&m.scale).map(|(e, s)| e * s).collect();
            add_dirs(&mut y, &kick);
            // A y = S (y + U (sqrt(L) - 1) U' y): a drift.
            let drift = m.drift(&m.project(&y));
            add_dirs(&mut y, &drift);
            y.iter_mut().zip(&m.scale).for_each(|(y, s)| *y *= s);
            inverse_metric_times(&m, &e, &mut want);
            for i in 0..dim {
                assert!((y[i] - want[i]).abs() < 1e-12 * want[i].abs().max(1.0), "({i},{k}) {} vs {}", y[i], want[i]);
            }
        }
    }

    #[test]
    fn uncorrelated_gaussian_keeps_the_diagonal() {
        let dim = 8;
        let (draws, grads, _) = gaussian_sample(dim, 400, 0.0);
        let m = estimate_low_rank(&draws, &grads, dim, LowRankSettings::default(), &mut WarmStart::default()).expect("a metric");
        assert!(m.vals.is_empty(), "{:?}", m.vals);
    }
}
