//! Euclidean Hamiltonian dynamics: the metric (diagonal or dense), phase-space
//! points, the leapfrog integrator, and the energy.
//!
//! As in Stan, the potential is `V(q) = -log p(q)` and the kinetic energy is
//! `K(p) = p' M^{-1} p / 2`, with momenta drawn from `N(0, M)`. What is
//! adapted and reported is the *inverse* metric `M^{-1}`.
//!
//! With a diagonal metric, `Point::p` holds the *whitened* momentum
//! `p' = M^{-1/2} p` (drawn as a standard normal), so that the velocity is
//! `p'` itself, the kinetic energy `p' . p' / 2` and every U-turn sum a plain
//! dot product of momenta: the leapfrog's passes read no metric and write no
//! velocity (see `kernels`). The dynamics are Stan's; only the
//! coordinates of the momentum differ.
//!
//! A low-rank metric `M^{-1} = S (I + U (L - I) U') S` (`U` orthonormal,
//! a few columns) is whitened the same way, by its square root
//! `A = S (I + U (sqrt(L) - I) U')` (`A A' = M^{-1}`): `Point::p` holds
//! `pi = A' p`, a standard normal, the kick is `pi += h A' g = h (S g +
//! U (sqrt(L) - 1) U' S g)` and the drift `q += 2h A pi = 2h S (pi + U
//! (sqrt(L) - 1) U' pi)`. `U' pi` is kept beside the momentum
//! (`Point::proj`, moved by each kick) and `U' S g` beside the gradient
//! (`Point::grad_proj`), so a step reads the directions in one projection
//! of the new gradient and in the fused kick-and-drift pass, and the
//! energy and U-turn sums are the diagonal metric's (`v . rho =
//! (A pi) . (A^{-T} sum pi) = pi . sum pi`).
//!
//! Dense metrics keep the momentum `p` and its velocity `M^{-1} p` in
//! `Point::v`, and `M^{-1}` times the gradient in `Point::w`: a kick
//! `p += h g` moves the velocity by `h w`, so a leapfrog step multiplies by
//! the metric once (the new gradient's), not twice.

use super::aligned::AlignedVec;
use crate::density::{LogDensity, LogDensityError};
use crate::rng::ChainRng;

/// An inverse metric (inverse mass matrix), as adapted and as written to the
/// CSV adaptation block.
#[derive(Clone, Debug, PartialEq)]
pub enum InvMetric {
    /// The diagonal of a diagonal inverse metric.
    Diag(Vec<f64>),
    /// A dense symmetric positive-definite inverse metric, row-major,
    /// `dim * dim` values.
    Dense {
        /// Matrix dimension.
        dim: usize,
        /// Row-major values.
        values: Vec<f64>,
    },
}

impl InvMetric {
    /// The unit metric of the given kind and dimension.
    pub fn identity(kind: MetricKind, dim: usize) -> Self {
        match kind {
            MetricKind::Diag => InvMetric::Diag(vec![1.0; dim]),
            MetricKind::Dense => {
                let mut values = vec![0.0; dim * dim];
                for i in 0..dim {
                    values[i * dim + i] = 1.0;
                }
                InvMetric::Dense { dim, values }
            }
        }
    }

    /// Dimension of the space the metric acts on.
    pub fn dim(&self) -> usize {
        match self {
            InvMetric::Diag(d) => d.len(),
            InvMetric::Dense { dim, .. } => *dim,
        }
    }

    /// The kind of this metric.
    pub fn kind(&self) -> MetricKind {
        match self {
            InvMetric::Diag(_) => MetricKind::Diag,
            InvMetric::Dense { .. } => MetricKind::Dense,
        }
    }
}

/// Which metric to adapt: Stan's `diag_e` or `dense_e`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    /// Diagonal metric (CmdStan's default, `diag_e`).
    Diag,
    /// Dense metric (`dense_e`).
    Dense,
}

impl MetricKind {
    /// CmdStan's name for the metric: `diag_e` or `dense_e`.
    pub fn cmdstan_name(self) -> &'static str {
        match self {
            MetricKind::Diag => "diag_e",
            MetricKind::Dense => "dense_e",
        }
    }
}

/// The metric in the form the integrator uses.
#[derive(Clone, Debug)]
pub(crate) enum Metric {
    Diag {
        inv: Vec<f64>,
        /// `sqrt(inv)`: a whitened momentum's velocity in `q` per unit.
        sqrt_inv: Vec<f64>,
    },
    Dense {
        dim: usize,
        inv: Vec<f64>,
        /// Lower Cholesky factor `L` of the inverse metric (`inv = L L'`).
        chol: Vec<f64>,
    },
    /// A diagonal metric modified in a few directions (adapted only).
    LowRank(crate::adapt::LowRankInvMetric),
}

impl Metric {
    /// Builds the metric; fails if it is not finite and positive definite.
    pub(crate) fn new(inv_metric: &InvMetric) -> Result<Self, String> {
        match inv_metric {
            InvMetric::Diag(inv) => {
                if let Some(bad) = inv.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
                    return Err(format!("inverse metric has a non-positive or non-finite element {bad}"));
                }
                let sqrt_inv = inv.iter().map(|v| v.sqrt()).collect();
                Ok(Metric::Diag { inv: inv.clone(), sqrt_inv })
            }
            InvMetric::Dense { dim, values } => {
                let n = *dim;
                if values.len() != n * n {
                    return Err(format!("dense inverse metric needs {} values, got {}", n * n, values.len()));
                }
                let chol = cholesky(values, n)
                    .ok_or_else(|| "dense inverse metric is not positive definite".to_string())?;
                Ok(Metric::Dense { dim: n, inv: values.clone(), chol })
            }
        }
    }

    /// A low-rank metric; one that keeps no direction becomes the plain
    /// diagonal metric, whose trajectory takes the whitened fast path.
    pub(crate) fn low_rank(m: crate::adapt::LowRankInvMetric) -> Result<Self, String> {
        m.validate()?;
        if m.vals.is_empty() {
            return Metric::new(&InvMetric::Diag(m.diagonal()));
        }
        Ok(Metric::LowRank(m))
    }

    pub(crate) fn to_inv_metric(&self) -> InvMetric {
        match self {
            Metric::Diag { inv, .. } => InvMetric::Diag(inv.clone()),
            Metric::Dense { dim, inv, .. } => InvMetric::Dense { dim: *dim, values: inv.clone() },
            // Reported (and resumed from) as its diagonal.
            Metric::LowRank(m) => InvMetric::Diag(m.diagonal()),
        }
    }

    /// Whether momenta are whitened (diagonal and low-rank metrics, see
    /// the module documentation): their velocity in the whitened
    /// coordinates is the momentum itself.
    #[inline]
    pub(crate) fn white(&self) -> bool {
        !matches!(self, Metric::Dense { .. })
    }

    /// The diagonal scale of a whitened step (`sqrt(M^{-1})` of a diagonal
    /// metric, `S` of a low-rank one); `None` for a dense metric.
    fn white_scale(&self) -> Option<&[f64]> {
        match self {
            Metric::Diag { sqrt_inv, .. } => Some(sqrt_inv),
            Metric::LowRank(m) => Some(&m.scale),
            Metric::Dense { .. } => None,
        }
    }

    /// `out = M^{-1} p` (Stan's `dtau_dp`, the "sharp" momentum); for a
    /// whitened momentum (diagonal and low-rank metrics), `out = p`, its
    /// velocity in the whitened coordinates.
    #[inline]
    pub(crate) fn velocity(&self, p: &[f64], out: &mut [f64]) {
        match self {
            Metric::Diag { .. } | Metric::LowRank(_) => out.copy_from_slice(p),
            Metric::Dense { dim, inv, .. } => {
                for (i, o) in out.iter_mut().enumerate() {
                    let row = &inv[i * dim..(i + 1) * dim];
                    *o = dot(row, p);
                }
            }
        }
    }

    /// Draws a momentum `p ~ N(0, M)` into `p` (for a diagonal or low-rank
    /// metric, the whitened momentum `~ N(0, I)`).
    pub(crate) fn sample_momentum(&self, rng: &mut ChainRng, p: &mut [f64]) {
        match self {
            Metric::Diag { .. } | Metric::LowRank(_) => rng.fill_std_normal(p),
            Metric::Dense { dim, chol, .. } => {
                // Solve L' p = z: then Cov(p) = (L L')^{-1} = M.
                let n = *dim;
                rng.fill_std_normal(p);
                for i in (0..n).rev() {
                    let mut s = p[i];
                    for k in i + 1..n {
                        s -= chol[k * n + i] * p[k];
                    }
                    p[i] = s / chol[i * n + i];
                }
            }
        }
    }
}

/// Lower Cholesky factor of a symmetric positive-definite row-major matrix,
/// or `None` if it is not positive definite (or not finite).
pub(crate) fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if !(s > 0.0 && s.is_finite()) {
                    return None;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    Some(l)
}

pub(crate) use super::kernels::dot;
use super::kernels::{
    first_half_general, kick_drift, kick_fused, kick_general, kick_kinetic, DirTerms, GeneralStep, KickOut, MAX_DIRS,
};

/// A point in phase space with its cached log density, gradient and velocity.
#[derive(Clone, Debug)]
pub(crate) struct Point {
    /// Position (unconstrained parameters).
    pub q: AlignedVec,
    /// Momentum (whitened with a diagonal or low-rank metric, see the
    /// module documentation).
    pub p: AlignedVec,
    /// `M^{-1} p` with a dense metric. Whitened momenta are their own
    /// velocities; the trajectory's fast path leaves `v` stale,
    /// [`Hamiltonian::leapfrog`] and [`Hamiltonian::refresh_momentum`]
    /// copy `p` into it.
    pub v: AlignedVec,
    /// Gradient of the log density at `q`.
    pub grad: AlignedVec,
    /// `M^{-1} grad` with a dense metric (unused with the others): a
    /// leapfrog step updates the velocity by it, since
    /// `M^{-1} (p + h grad) = v + h M^{-1} grad`, so a step multiplies by
    /// the metric once, not twice.
    pub w: AlignedVec,
    /// Log density at `q`; `-inf` when the evaluation failed.
    pub logp: f64,
    /// With a low-rank metric, `U' p` (the whitened momentum's coordinates
    /// along the metric's directions), in the first `rank` places.
    pub proj: [f64; MAX_DIRS],
    /// With a low-rank metric, `U' S grad`, in the first `rank` places.
    pub grad_proj: [f64; MAX_DIRS],
}

impl Point {
    pub(crate) fn new(dim: usize) -> Self {
        Point {
            q: AlignedVec::zeros(dim),
            p: AlignedVec::zeros(dim),
            v: AlignedVec::zeros(dim),
            grad: AlignedVec::zeros(dim),
            w: AlignedVec::zeros(dim),
            logp: f64::NEG_INFINITY,
            proj: [0.0; MAX_DIRS],
            grad_proj: [0.0; MAX_DIRS],
        }
    }

    /// Copies all fields without reallocating.
    pub(crate) fn copy_from(&mut self, other: &Point) {
        self.q.copy_from_slice(&other.q);
        self.p.copy_from_slice(&other.p);
        self.v.copy_from_slice(&other.v);
        self.grad.copy_from_slice(&other.grad);
        self.w.copy_from_slice(&other.w);
        self.logp = other.logp;
        self.proj = other.proj;
        self.grad_proj = other.grad_proj;
    }

    /// Hamiltonian `H = -log p(q) + p' M^{-1} p / 2` from `p` and `v`
    /// (both current); NaN becomes `+inf`. See [`Hamiltonian::energy`].
    pub(crate) fn energy(&self) -> f64 {
        let h = -self.logp + 0.5 * dot(&self.p, &self.v);
        if h.is_nan() {
            f64::INFINITY
        } else {
            h
        }
    }
}

/// The density, the metric and the bookkeeping of evaluations for one chain.
pub(crate) struct Hamiltonian<'a, D: LogDensity> {
    pub density: &'a mut D,
    pub metric: Metric,
    /// `(eps / 2) sqrt(M^{-1})` for the step size `eps` of the current
    /// transition and its negative (forward, backward), for a diagonal
    /// metric; set by [`Hamiltonian::prepare_steps`].
    scale_fwd: AlignedVec,
    scale_bck: AlignedVec,
    /// The `eps / 2` the scales were computed for (NaN: none yet).
    scale_half: f64,
    /// Number of gradient evaluations so far.
    pub n_evals: u64,
    /// The first non-recoverable error met, if any; the chain stops on it.
    pub fatal: Option<LogDensityError>,
    /// The most recent recoverable error message (for diagnostics).
    pub last_error: Option<String>,
}

impl<'a, D: LogDensity> Hamiltonian<'a, D> {
    pub(crate) fn new(density: &'a mut D, metric: Metric) -> Self {
        Hamiltonian {
            density,
            metric,
            scale_fwd: AlignedVec::default(),
            scale_bck: AlignedVec::default(),
            scale_half: f64::NAN,
            n_evals: 0,
            fatal: None,
            last_error: None,
        }
    }

    /// Evaluates log density and gradient at `point.q`. A NaN or infinite
    /// value, a non-finite gradient, or an error sets `logp = -inf`.
    pub(crate) fn evaluate(&mut self, point: &mut Point) {
        self.evaluate_value(point);
        if !point.grad.iter().all(|g| g.is_finite()) {
            point.logp = f64::NEG_INFINITY;
        }
    }

    /// [`Hamiltonian::evaluate`] without the check of the gradient, for
    /// callers that check it in a pass of their own.
    fn evaluate_value(&mut self, point: &mut Point) {
        self.n_evals += 1;
        match self.density.logp_grad(&point.q, &mut point.grad) {
            Ok(lp) if lp.is_finite() => point.logp = lp,
            Ok(_) => point.logp = f64::NEG_INFINITY,
            Err(e) => {
                point.logp = f64::NEG_INFINITY;
                if e.recoverable {
                    self.last_error = Some(e.message);
                } else if self.fatal.is_none() {
                    self.fatal = Some(e);
                }
            }
        }
    }

    /// Recomputes the velocity `M^{-1} p` of `point`.
    pub(crate) fn update_velocity(&self, point: &mut Point) {
        self.metric.velocity(&point.p, &mut point.v);
    }

    /// Draws a fresh momentum for `point` and updates its velocity (and
    /// what the metric keeps of the gradient, `M^{-1} grad` or `U' S grad`:
    /// the metric may have changed since the gradient was evaluated).
    pub(crate) fn refresh_momentum(&self, point: &mut Point, rng: &mut ChainRng) {
        self.metric.sample_momentum(rng, &mut point.p);
        self.update_velocity(point);
        if let Metric::LowRank(m) = &self.metric {
            point.proj = m.project(&point.p);
        }
        self.update_grad_velocity(point);
    }

    /// `point.w = M^{-1} point.grad` with a dense metric, `point.grad_proj
    /// = U' S point.grad` with a low-rank one.
    fn update_grad_velocity(&self, point: &mut Point) {
        match &self.metric {
            Metric::Diag { .. } => {}
            Metric::Dense { .. } => self.metric.velocity(&point.grad, &mut point.w),
            Metric::LowRank(m) => point.grad_proj = m.project_scaled(&point.grad),
        }
    }

    /// The directions' terms of the first half of a step of size `2 h`
    /// from `src` with a low-rank metric (none otherwise), and `U'` of the
    /// momentum it reaches.
    fn first_half_dirs(&self, src: &Point, h: f64) -> (DirTerms<'_>, [f64; MAX_DIRS]) {
        let Metric::LowRank(m) = &self.metric else {
            return (DirTerms::default(), [0.0; MAX_DIRS]);
        };
        let mut alpha = src.proj;
        let kick = m.half_kick(h, &src.grad_proj, &mut alpha);
        let (u, stride) = m.dir_lines();
        (DirTerms { u, stride, kick, drift: m.drift(&alpha) }, alpha)
    }

    /// The directions' terms of the second half kick of a step of size
    /// `2 h` at `dst` with a low-rank metric (none otherwise), moving
    /// `dst.proj`; with `next`, also those of the following step's first
    /// half from `dst` (the same kick, from the same gradient, and the drift
    /// of the momentum it reaches, whose `U'` goes into `next.proj`).
    fn second_half_dirs(&self, dst: &mut Point, h: f64, next: Option<&mut Point>) -> DirTerms<'_> {
        let Metric::LowRank(m) = &self.metric else {
            return DirTerms::default();
        };
        let kick = m.half_kick(h, &dst.grad_proj, &mut dst.proj);
        let Some(nx) = next else {
            let (u, stride) = m.dir_lines();
            return DirTerms { u, stride, kick, ..DirTerms::default() };
        };
        // The next step's first half is the one a step from `dst` takes
        // (the same arithmetic as `leapfrog`); its kick equals this one's.
        let (dirs, alpha) = self.first_half_dirs(dst, h);
        nx.proj = alpha;
        dirs
    }

    /// Computes the per-coordinate step scales of a diagonal metric (or a
    /// low-rank metric's diagonal part `S`) for step size `eps` (both
    /// directions). Called at the start of every transition, as the metric
    /// and the step size change between them
    /// (the metric is a public field, so no cache can see it change).
    pub(crate) fn prepare_steps(&mut self, eps: f64) {
        let half = 0.5 * eps;
        if let Some(sqrt_inv) = self.metric.white_scale() {
            if self.scale_fwd.len() != sqrt_inv.len() {
                self.scale_fwd = AlignedVec::zeros(sqrt_inv.len());
                self.scale_bck = AlignedVec::zeros(sqrt_inv.len());
            }
            for ((f, b), s) in self.scale_fwd.iter_mut().zip(self.scale_bck.iter_mut()).zip(sqrt_inv) {
                (*f, *b) = (half * s, -half * s);
            }
            self.scale_half = half;
        }
    }

    /// The scales of a step of size `eps` from [`Hamiltonian::prepare_steps`].
    #[inline]
    fn scales(&self, eps: f64) -> &[f64] {
        // Invariant: `transition` prepares the scales for its step size
        // before any step; only the sign of `eps` varies within it.
        debug_assert_eq!(self.scale_half, (0.5 * eps).abs(), "step scales not prepared for this step size");
        if eps > 0.0 {
            &self.scale_fwd
        } else {
            &self.scale_bck
        }
    }

    /// Hamiltonian `H = -log p(q) + K` of `point`, from its momentum alone
    /// with a diagonal or low-rank metric (whose `v` the trajectory leaves
    /// stale); NaN becomes `+inf`.
    pub(crate) fn energy(&self, point: &Point) -> f64 {
        if self.metric.white() {
            let h = -point.logp + 0.5 * dot(&point.p, &point.p);
            if h.is_nan() {
                f64::INFINITY
            } else {
                h
            }
        } else {
            point.energy()
        }
    }

    /// One leapfrog step of size `eps` (negative to go back in time); `v`
    /// is current afterwards with every metric. With a diagonal or low-rank
    /// metric the same arithmetic as the trajectory's [`Hamiltonian::step`].
    pub(crate) fn leapfrog(&mut self, point: &mut Point, eps: f64) {
        let half = 0.5 * eps;
        if let Some(sqrt_inv) = self.metric.white_scale() {
            let c: Vec<f64> = sqrt_inv.iter().map(|s| half * s).collect();
            let (mut q, mut p) = (AlignedVec::zeros(c.len()), AlignedVec::zeros(c.len()));
            let (dirs, alpha) = self.first_half_dirs(point, half);
            kick_drift(&point.q, &point.p, &point.grad, &c, &dirs, &mut q, &mut p);
            (point.q, point.p, point.proj) = (q, p, alpha);
            self.evaluate_value(point);
            self.update_grad_velocity(point);
            let dirs = self.second_half_dirs(point, half, None);
            let kinetic2 = kick_kinetic(&mut point.p, &point.grad, &c, &dirs);
            if !kinetic2.is_finite() {
                point.logp = f64::NEG_INFINITY;
            }
            point.v.copy_from_slice(&point.p);
            return;
        }
        let n = point.q.len();
        let (mut q, mut p, mut v) = (AlignedVec::zeros(n), AlignedVec::zeros(n), AlignedVec::zeros(n));
        first_half_general(&point.q, &point.p, &point.v, &point.grad, &point.w, half, &mut q, &mut p, &mut v);
        (point.q, point.p, point.v) = (q, p, v);
        self.evaluate(point);
        self.update_grad_velocity(point);
        let Point { p, v, grad, w, .. } = point;
        kick_general::<false, false>(p, grad, half, &mut GeneralStep { v, w, ..GeneralStep::default() });
    }

    /// One leapfrog step of a trajectory from `src` into `dst`, returning
    /// the energy of `dst` (NaN mapped to `+inf`) and whether a two-state
    /// subtree passes its U-turn check. The arithmetic is exactly that of
    /// [`Hamiltonian::leapfrog`] followed by [`Hamiltonian::energy`], element
    /// by element and in the same order, so the result is bit-identical;
    /// with a diagonal metric the kick, kinetic energy (and what follows)
    /// are one pass, `dst.v` is not written, and `src` is not copied.
    ///
    /// `drifted`: `dst.q` and `dst.p` already hold this step's first half
    /// (written by the previous step's `next`). `pair`: `src` and `dst`
    /// form a two-state subtree; `pair` receives its summed momentum, and
    /// the check (for two states Stan's three checks are the same one:
    /// `v_dst . rho > 0` and `v_src . rho > 0`) is returned; without it the
    /// second value is `true`. `next`: a state that receives the first half
    /// of the following step from `dst` with the same `eps`, in the same
    /// pass; the third value says whether it was written. With
    /// [`StepCheck::Quad`] (whitened momenta only) the pair is the final
    /// half of a four-state node, whose check (Stan's three, six sums) is the fourth
    /// value (`true` otherwise) and whose summed momentum is written; the
    /// pair's own summed momentum is not. All bit-identical to the separate
    /// passes and [`joined_sums`].
    pub(crate) fn step(
        &mut self,
        src: &Point,
        dst: &mut Point,
        eps: f64,
        drifted: bool,
        check: StepCheck<'_>,
        next: Option<&mut Point>,
    ) -> (f64, bool, bool, bool) {
        if !self.metric.white() {
            return self.step_general(src, dst, eps, drifted, check, next);
        }
        let half = 0.5 * eps;
        if !drifted {
            let (dirs, alpha) = self.first_half_dirs(src, half);
            kick_drift(&src.q, &src.p, &src.grad, self.scales(eps), &dirs, &mut dst.q, &mut dst.p);
            dst.proj = alpha;
        }
        self.evaluate_value(dst);
        self.update_grad_velocity(dst);
        let mut next = next;
        let dirs = self.second_half_dirs(dst, half, next.as_deref_mut());
        let c = self.scales(eps);
        let Point { q, p, grad, .. } = &mut *dst;
        let mut out = KickOut { q: &q[..], dirs, ..KickOut::default() };
        let (has_pair, has_outer) = match check {
            StepCheck::None => (false, false),
            StepCheck::Pair(rho) => {
                out.p_a = &src.p[..];
                out.rho = rho;
                (true, false)
            }
            StepCheck::Quad(node) => {
                out.p_a = &src.p[..];
                out.outer_rho = node.rho;
                out.outer_rho_a = node.rho_a;
                out.p_first = node.p_first;
                out.p_a_end = node.p_a_end;
                (true, true)
            }
        };
        let has_next = next.is_some();
        if let Some(nx) = next {
            out.q_next = &mut nx.q[..];
            out.p_next = &mut nx.p[..];
        }
        let s = match (has_pair, has_outer, has_next) {
            (false, _, false) => kick_fused::<false, false, false>(p, grad, c, &mut out),
            (false, _, true) => kick_fused::<false, true, false>(p, grad, c, &mut out),
            (true, false, false) => kick_fused::<true, false, false>(p, grad, c, &mut out),
            (true, false, true) => kick_fused::<true, true, false>(p, grad, c, &mut out),
            (true, true, false) => kick_fused::<true, false, true>(p, grad, c, &mut out),
            (true, true, true) => kick_fused::<true, true, true>(p, grad, c, &mut out),
        };
        let no_u_turn = !has_pair || (s.v_last_rho > 0.0 && s.v_first_rho > 0.0);
        let outer_no_u_turn = !has_outer || s.outer.iter().all(|x| *x > 0.0);
        (finish_energy(dst, s.kinetic2), no_u_turn, has_next, outer_no_u_turn)
    }

    /// [`Hamiltonian::step`] with a dense metric: the same
    /// passes as [`Hamiltonian::leapfrog`], the second half kick fused with
    /// the energy, a two-state U-turn check and the next step's first half
    /// ([`kick_general`]); one product by the metric per step.
    fn step_general(
        &mut self,
        src: &Point,
        dst: &mut Point,
        eps: f64,
        drifted: bool,
        check: StepCheck<'_>,
        next: Option<&mut Point>,
    ) -> (f64, bool, bool, bool) {
        let half = 0.5 * eps;
        if !drifted {
            let Point { q, p, v, .. } = &mut *dst;
            first_half_general(&src.q, &src.p, &src.v, &src.grad, &src.w, half, q, p, v);
        }
        // No pass of its own checks the gradient: a non-finite element
        // makes `p . v` non-finite, which `finish_energy` tests.
        self.evaluate_value(dst);
        self.update_grad_velocity(dst);
        let Point { q, p, v, grad, w, .. } = &mut *dst;
        let mut st = GeneralStep { v, w, q, ..GeneralStep::default() };
        let pair = match check {
            StepCheck::None => false,
            StepCheck::Pair(rho) => {
                (st.p_a, st.v_a, st.rho) = (&src.p, &src.v, rho);
                true
            }
            // Invariant: the trajectory asks for the four-state check
            // only with whitened momenta (`Builder::white`).
            StepCheck::Quad(_) => unreachable!("four-state check in the step's pass with a dense metric"),
        };
        let has_next = next.is_some();
        if let Some(nx) = next {
            (st.q_next, st.p_next, st.v_next) = (&mut nx.q, &mut nx.p, &mut nx.v);
        }
        let s = match (pair, has_next) {
            (false, false) => kick_general::<false, false>(p, grad, half, &mut st),
            (false, true) => kick_general::<false, true>(p, grad, half, &mut st),
            (true, false) => kick_general::<true, false>(p, grad, half, &mut st),
            (true, true) => kick_general::<true, true>(p, grad, half, &mut st),
        };
        let no_u_turn = !pair || (s.v_last_rho > 0.0 && s.v_first_rho > 0.0);
        (finish_energy(dst, s.kinetic2), no_u_turn, has_next, true)
    }
}

/// What a trajectory step checks in its pass besides its energy (see
/// [`Hamiltonian::step`]).
pub(crate) enum StepCheck<'o> {
    /// Nothing: the step is not the second of a two-state subtree.
    None,
    /// The step is the second of a two-state subtree, whose summed
    /// momentum goes into the slice.
    Pair(&'o mut [f64]),
    /// The step is the second of a two-state subtree that is the final
    /// half of a four-state node (whitened momenta only).
    Quad(QuadNode<'o>),
}

/// The four-state node of [`StepCheck::Quad`]: `rho` receives its summed
/// momentum; `rho_a` is its initial pair's summed momentum, `p_first` and
/// `p_a_end` the momenta of that pair's two states.
pub(crate) struct QuadNode<'o> {
    pub rho: &'o mut [f64],
    pub rho_a: &'o [f64],
    pub p_first: &'o [f64],
    pub p_a_end: &'o [f64],
}

/// The energy `-logp + kinetic2 / 2` of a state just kicked, NaN mapped to
/// `+inf` as in [`Hamiltonian::energy`]. A non-finite `kinetic2` (which is what a
/// non-finite gradient gives, see [`kick_kinetic`]) marks the evaluation
/// failed (`logp = -inf`), as [`Hamiltonian::evaluate`] does; the energy is
/// `+inf` either way.
#[inline]
fn finish_energy(dst: &mut Point, kinetic2: f64) -> f64 {
    if !kinetic2.is_finite() {
        dst.logp = f64::NEG_INFINITY;
    }
    let h = -dst.logp + 0.5 * kinetic2;
    if h.is_nan() {
        f64::INFINITY
    } else {
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dense path's leapfrog (one product by the metric per step,
    /// `v += h M^{-1} g`) and the low-rank path's (whitened momenta, see the
    /// module documentation) follow the textbook one (`v = M^{-1} p` after
    /// each half kick) on a correlated Gaussian over 300 steps; the
    /// low-rank state's momentum is `A^{-T} pi = S^{-1} (pi + U (L^{-1/2}
    /// - 1) U' pi)`, its energy `-log p + p' M^{-1} p / 2`.
    #[test]
    fn leapfrog_with_the_gradient_velocity_follows_the_textbook_one() {
        use crate::density::FnDensity;
        let dim = 6;
        // Precision matrix of the target: tridiagonal, positive definite.
        let prec = |i: usize, j: usize| if i == j { 2.0 + 0.3 * i as f64 } else if i.abs_diff(j) == 1 { -0.9 } else { 0.0 };
        let logp = move |x: &[f64], g: &mut [f64]| {
            let mut lp = 0.0;
            for i in 0..dim {
                g[i] = -(0..dim).map(|j| prec(i, j) * x[j]).sum::<f64>();
                lp += 0.5 * x[i] * g[i];
            }
            Ok(lp)
        };
        let mut values = vec![0.0; dim * dim];
        for i in 0..dim {
            for j in 0..dim {
                values[i * dim + j] = if i == j { 1.0 + 0.2 * i as f64 } else { 0.3 / (1.0 + i.abs_diff(j) as f64) };
            }
        }
        let inv = InvMetric::Dense { dim, values: values.clone() };
        let low_rank = crate::adapt::LowRankInvMetric::new(
            (0..dim).map(|i| 0.9 + 0.1 * i as f64).collect(),
            (0..dim).map(|i| if i < 2 { 0.5f64.sqrt() } else { 0.0 }).collect(),
            vec![5.0],
        );
        // The momentum `p` of a state: itself, or from the whitened one.
        let momentum = |metric: &Metric, z: &Point| -> Vec<f64> {
            let Metric::LowRank(m) = metric else { return z.p.to_vec() };
            let c: Vec<f64> = m.vals.iter().enumerate().map(|(j, l)| {
                (1.0 / l.sqrt() - 1.0) * (0..dim).map(|i| m.vecs[j * dim + i] * z.p[i]).sum::<f64>()
            }).collect();
            (0..dim).map(|i| (z.p[i] + (0..c.len()).map(|j| m.vecs[j * dim + i] * c[j]).sum::<f64>()) / m.scale[i]).collect()
        };
        for metric in [Metric::new(&inv).expect("positive definite"), Metric::low_rank(low_rank).expect("valid")] {
            let mut density = FnDensity::new(dim, logp);
            let mut ham = Hamiltonian::new(&mut density, metric.clone());
            let mut rng = ChainRng::new(5, 0, 0);
            let mut z = Point::new(dim);
            z.q.iter_mut().enumerate().for_each(|(i, q)| *q = 0.4 - 0.15 * i as f64);
            ham.evaluate(&mut z);
            ham.refresh_momentum(&mut z, &mut rng);
            // The textbook leapfrog alongside, with the low-rank metric
            // written out as the dense matrix it is.
            let m_inv: Vec<f64> = match &metric {
                Metric::LowRank(m) => (0..dim * dim).map(|k| {
                    let (i, j) = (k / dim, k % dim);
                    let low: f64 = (0..m.vals.len()).map(|r| (m.vals[r] - 1.0) * m.vecs[r * dim + i] * m.vecs[r * dim + j]).sum();
                    m.scale[i] * m.scale[j] * (if i == j { 1.0 } else { 0.0 } + low)
                }).collect(),
                _ => values.clone(),
            };
            let velocity = |v: &mut [f64], p: &[f64]| {
                for i in 0..dim {
                    v[i] = (0..dim).map(|j| m_inv[i * dim + j] * p[j]).sum();
                }
            };
            let (mut q, mut p) = (z.q.clone(), momentum(&metric, &z));
            let mut g = z.grad.clone();
            let mut v = vec![0.0; dim];
            let (eps, h) = (0.11, 0.055);
            for step in 0..300 {
                ham.leapfrog(&mut z, eps);
                p.iter_mut().zip(&g).for_each(|(p, g)| *p += h * g);
                velocity(&mut v, &p);
                q.iter_mut().zip(&v).for_each(|(q, v)| *q += eps * v);
                logp(&q, &mut g).expect("finite");
                p.iter_mut().zip(&g).for_each(|(p, g)| *p += h * g);
                velocity(&mut v, &p);
                let pz = momentum(&metric, &z);
                for i in 0..dim {
                    assert!((z.q[i] - q[i]).abs() < 1e-10 && (pz[i] - p[i]).abs() < 1e-10, "step {step}: {:?} {:?}", z.q, q);
                }
                let kinetic2: f64 = p.iter().zip(&v).map(|(p, v)| p * v).sum();
                let energy = -z.logp + 0.5 * kinetic2;
                assert!((ham.energy(&z) - energy).abs() < 1e-10, "step {step}: energy {} against {energy}", ham.energy(&z));
                if !metric.white() {
                    assert!((0..dim).all(|i| (z.v[i] - v[i]).abs() < 1e-10), "step {step}: velocity {:?} against {v:?}", z.v);
                }
            }
        }
    }

    #[test]
    fn cholesky_and_dense_momentum_covariance() {
        // inv metric [[2, 1], [1, 2]] => M = inv = [[2,-1],[-1,2]]/3.
        let inv = InvMetric::Dense { dim: 2, values: vec![2.0, 1.0, 1.0, 2.0] };
        let m = Metric::new(&inv).expect("positive definite");
        let mut rng = ChainRng::new(3, 0, 0);
        let n = 100_000;
        let mut c = [0.0; 3];
        let mut p = [0.0; 2];
        for _ in 0..n {
            m.sample_momentum(&mut rng, &mut p);
            c[0] += p[0] * p[0];
            c[1] += p[0] * p[1];
            c[2] += p[1] * p[1];
        }
        let c: Vec<f64> = c.iter().map(|x| x / n as f64).collect();
        // sd of each estimate is about sqrt(2/n)*0.67 = 0.003.
        assert!((c[0] - 2.0 / 3.0).abs() < 0.015, "{c:?}");
        assert!((c[1] + 1.0 / 3.0).abs() < 0.015, "{c:?}");
        assert!((c[2] - 2.0 / 3.0).abs() < 0.015, "{c:?}");
        assert!(Metric::new(&InvMetric::Dense { dim: 2, values: vec![1.0, 2.0, 2.0, 1.0] }).is_err());
        assert!(Metric::new(&InvMetric::Diag(vec![1.0, f64::NAN])).is_err());
    }
}
