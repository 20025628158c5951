//! Leave-one-out cross-validation by Pareto-smoothed importance sampling
//! (PSIS-LOO) and model comparison, computed as ArviZ (`az.loo`,
//! `az.compare`) computes them:
//!
//! - Vehtari, Gelman & Gabry (2017), "Practical Bayesian model evaluation
//!   using leave-one-out cross-validation and WAIC", Statistics and
//!   Computing 27: elpd_loo (their eq. 4, 10), p_loo (eq. 15), standard
//!   errors (eq. 23-24) and the comparison's paired standard error.
//! - Vehtari, Simpson, Gelman, Yao & Gabry (2024), "Pareto smoothed
//!   importance sampling", JMLR 25: the tail length, the smoothing by
//!   expected order statistics, and the sample-size-dependent Pareto k
//!   threshold `min(1 - 1/log10(S), 0.7)`.
//! - Zhang & Stephens (2009), "A new and efficient estimation method for
//!   the generalized Pareto distribution", Technometrics 51, with the
//!   weakly informative prior of `loo`'s `gpdfit` (k shrunk toward 0.5 with
//!   the weight of 10 observations).
//!
//! Choices, all ArviZ's:
//! - Relative efficiency `r_eff` is one number per fit, 1 by default
//!   ([`LooOptions::default`]); it only changes the tail length.
//!   (ArviZ's own default is the mean relative ESS of the posterior's
//!   parameters; `loo` in R uses one ESS per observation.)
//! - Standard errors use the population variance: `se = sqrt(n var(x))`
//!   with divisor `n` (`np.var`), where `loo` in R divides by `n - 1`.
//! - The comparison's weights are pseudo-BMA weights (ArviZ's
//!   `method="pseudo-BMA"`): `exp(elpd_m - elpd_best)`, normalised. Stacking
//!   weights (ArviZ's default) are not computed.
//! - Pareto k categories: good `k <= good_k`, bad `good_k < k <= 1`, very
//!   bad `k > 1`, where `good_k = min(1 - 1/log10(S), 0.7)` (0.7 from
//!   S = 2154 draws on). A tail of 4 draws or fewer cannot be fitted and
//!   gives `k = inf` (very bad) with unsmoothed weights.

use crate::draws::Draws;
use std::fmt::{self, Write as _};

/// An error in the input of LOO or of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum LooError {
    /// The draws have no column `variable` or `variable.*`.
    NoLogLik {
        /// The pointwise log-likelihood variable looked for.
        variable: String,
    },
    /// Fewer than 2 draws.
    TooFewDraws {
        /// The number of draws.
        draws: usize,
    },
    /// Observations with different numbers of draws.
    RaggedDraws {
        /// The observation (column name) with the odd count.
        observation: String,
        /// Its number of draws.
        draws: usize,
        /// The number of draws of the first observation.
        expected: usize,
    },
    /// A log-likelihood value that is NaN or infinite.
    NonFinite {
        /// The observation (column name).
        observation: String,
        /// The draw, counted from 1 over all chains in order.
        draw: usize,
        /// The value.
        value: f64,
    },
    /// A relative efficiency that is not a positive number.
    BadReff(f64),
    /// Models compared on different numbers of observations.
    DifferentObservations {
        /// The first model's name and number of observations.
        first: (String, usize),
        /// The differing model's name and number of observations.
        other: (String, usize),
    },
    /// A comparison of no models.
    NoModels,
}

impl fmt::Display for LooError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LooError::NoLogLik { variable } => write!(
                f,
                "no `{variable}` columns in the draws: add `vector[obs] {variable}` (or `array[obs] real {variable}`) \
                 to generated quantities with the pointwise log density"
            ),
            LooError::TooFewDraws { draws } => write!(f, "PSIS-LOO needs at least 2 draws, got {draws}"),
            LooError::RaggedDraws { observation, draws, expected } => {
                write!(f, "`{observation}` has {draws} draws where the first observation has {expected}")
            }
            LooError::NonFinite { observation, draw, value } => {
                write!(f, "`{observation}` is {value} in draw {draw}; the pointwise log-likelihood must be finite")
            }
            LooError::BadReff(r) => write!(f, "relative efficiency must be a positive number, got {r}"),
            LooError::DifferentObservations { first, other } => write!(
                f,
                "models have different numbers of observations: `{}` has {}, `{}` has {}; \
                 LOO comparisons need the same data",
                first.0, first.1, other.0, other.1
            ),
            LooError::NoModels => write!(f, "no models to compare"),
        }
    }
}

impl std::error::Error for LooError {}

/// The pointwise log-likelihood of one fit: `values[obs][draw]`, draws of
/// all chains concatenated.
#[derive(Clone, Debug, PartialEq)]
pub struct LogLik {
    /// One name per observation (the CSV column, e.g. `log_lik.3`).
    pub names: Vec<String>,
    /// `values[obs][draw]`.
    pub values: Vec<Vec<f64>>,
}

impl LogLik {
    /// Checks that there is at least one observation, every observation
    /// has the same number (at least 2) of draws, and every value is finite.
    pub fn new(names: Vec<String>, values: Vec<Vec<f64>>) -> Result<LogLik, LooError> {
        if values.is_empty() || names.len() != values.len() {
            return Err(LooError::NoLogLik { variable: "log_lik".into() });
        }
        let expected = values[0].len();
        for (name, column) in names.iter().zip(&values) {
            if column.len() != expected {
                return Err(LooError::RaggedDraws { observation: name.clone(), draws: column.len(), expected });
            }
            if let Some((d, &v)) = column.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(LooError::NonFinite { observation: name.clone(), draw: d + 1, value: v });
            }
        }
        if expected < 2 {
            return Err(LooError::TooFewDraws { draws: expected });
        }
        Ok(LogLik { names, values })
    }

    /// The columns `variable` (a scalar) or `variable.i`, `variable.i.j`, ...
    /// of `draws`, in column order, with the chains concatenated.
    pub fn from_draws(draws: &Draws, variable: &str) -> Result<LogLik, LooError> {
        let prefix = format!("{variable}.");
        let columns: Vec<usize> = (0..draws.column_names.len())
            .filter(|&j| draws.column_names[j] == variable || draws.column_names[j].starts_with(&prefix))
            .collect();
        if columns.is_empty() {
            return Err(LooError::NoLogLik { variable: variable.into() });
        }
        let names = columns.iter().map(|&j| draws.column_names[j].clone()).collect();
        let values = columns.iter().map(|&j| draws.column(j).concat()).collect();
        LogLik::new(names, values)
    }

    /// Number of observations.
    pub fn n_obs(&self) -> usize {
        self.values.len()
    }

    /// Number of draws (all chains).
    pub fn n_draws(&self) -> usize {
        self.values.first().map_or(0, Vec::len)
    }
}

/// A generalized Pareto distribution fitted to exceedances.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GpdFit {
    /// Shape `k` (ξ), after the prior adjustment toward 0.5.
    pub k: f64,
    /// Scale `σ`.
    pub sigma: f64,
}

/// Fits a generalized Pareto distribution (location 0) to positive
/// exceedances sorted ascending: the profile-likelihood-weighted posterior
/// mean of Zhang & Stephens (2009) over `30 + floor(sqrt(n))` grid points of
/// `b = -k/σ`, then `loo`'s weakly informative prior, which shrinks `k`
/// toward 0.5 with the weight of 10 observations (Vehtari et al. 2024,
/// appendix C). `None` when the data admit no fit: fewer than 2 values, or
/// a degenerate grid that leaves no finite, positive scale.
pub fn gpd_fit(sorted: &[f64]) -> Option<GpdFit> {
    const PRIOR_BS: f64 = 3.0;
    const PRIOR_K: f64 = 10.0;
    let n = sorted.len();
    if n < 2 {
        return None;
    }
    let b = zhang_stephens_grid(sorted, PRIOR_BS);
    let weights = profile_weights(sorted, &b);
    let kept: Vec<(f64, f64)> =
        b.iter().zip(&weights).filter(|(_, &w)| w >= 10.0 * f64::EPSILON).map(|(&b, &w)| (b, w)).collect();
    let total: f64 = kept.iter().map(|(_, w)| w).sum();
    // `total` may be NaN or 0 when every grid point was dropped.
    if kept.is_empty() || total.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let b_post: f64 = kept.iter().map(|(b, w)| b * (w / total)).sum();
    let k_hat = mean_log1p(sorted, b_post);
    let sigma = -k_hat / b_post;
    // Zhang & Stephens: σ = -k/b at the posterior mean of b; the prior
    // then moves k, not σ (as `gpdfit`, `wip = TRUE`).
    let k = (n as f64 * k_hat + PRIOR_K * 0.5) / (n as f64 + PRIOR_K);
    (k.is_finite() && sigma.is_finite() && sigma > 0.0).then_some(GpdFit { k, sigma })
}

/// Zhang & Stephens's grid of `b = -k/σ`: `1/x_(n) + (1 - sqrt(m/(j - 1/2)))
/// / (3 x_(q))` for `j = 1..m`, with `x_(q)` the first quartile
/// (`prior_bs = 3` is their prior's scale).
fn zhang_stephens_grid(sorted: &[f64], prior_bs: f64) -> Vec<f64> {
    let n = sorted.len();
    let m = 30 + (n as f64).sqrt() as usize;
    let quartile = sorted[((n as f64 / 4.0 + 0.5) as usize).saturating_sub(1)];
    let x_max = sorted[n - 1];
    (1..=m)
        .map(|j| (1.0 - (m as f64 / (j as f64 - 0.5)).sqrt()) / (prior_bs * quartile) + 1.0 / x_max)
        .collect()
}

/// Normalised profile likelihoods of the grid: with `k(b) = mean log(1 -
/// b x)`, `L(b) = n (log(-b/k) - k - 1)` and weight `1 / Σ_l exp(L_l - L_j)`.
/// NaN (a `b` of exactly 0) gives weight NaN, later dropped.
fn profile_weights(sorted: &[f64], b: &[f64]) -> Vec<f64> {
    let n = sorted.len() as f64;
    let log_lik: Vec<f64> = b
        .iter()
        .map(|&bj| {
            let k = mean_log1p(sorted, bj);
            n * ((-(bj / k)).ln() - k - 1.0)
        })
        .collect();
    log_lik.iter().map(|&lj| 1.0 / log_lik.iter().map(|&ll| (ll - lj).exp()).sum::<f64>()).collect()
}

/// `mean_i log(1 - b x_i)`: the shape `k` given `b` (Zhang & Stephens's
/// `k(θ)`, sign as in `loo`).
fn mean_log1p(x: &[f64], b: f64) -> f64 {
    x.iter().map(|&xi| (-b * xi).ln_1p()).sum::<f64>() / x.len() as f64
}

/// Quantile function of the generalized Pareto distribution with location
/// 0: `σ ((1 - p)^(-k) - 1) / k`, `-σ log(1 - p)` at `k = 0`.
pub fn gpd_quantile(p: f64, k: f64, sigma: f64) -> f64 {
    if k.abs() < f64::EPSILON {
        -(-p).ln_1p() * sigma
    } else {
        (-k * (-p).ln_1p()).exp_m1() / k * sigma
    }
}

/// `log Σ exp(x)`, shifted by the maximum so that it neither overflows nor
/// underflows.
pub fn log_sum_exp(x: &[f64]) -> f64 {
    let max = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return max;
    }
    max + x.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
}

/// Tail length of PSIS: `M = ceil(min(S/5, 3 sqrt(S / r_eff)))`
/// (Vehtari et al. 2024, section 3.2; ArviZ's `cutoff_ind`).
pub fn tail_length(n_draws: usize, r_eff: f64) -> usize {
    let s = n_draws as f64;
    (s / 5.0).min(3.0 * (s / r_eff).sqrt()).ceil() as usize
}

/// The Pareto k above which PSIS estimates are unreliable with `S` draws:
/// `min(1 - 1/log10(S), 0.7)` (Vehtari et al. 2024, section 3.2.4; the
/// `good_k` of ArviZ).
pub fn good_k_threshold(n_draws: usize) -> f64 {
    (1.0 - 1.0 / (n_draws as f64).log10()).min(0.7)
}

/// Pareto-smoothed importance weights of one observation.
#[derive(Clone, Debug, PartialEq)]
pub struct Psis {
    /// Smoothed, normalised log weights (`log Σ exp = 0`), in draw order.
    pub log_weights: Vec<f64>,
    /// The fitted Pareto shape of the ratios' tail (`inf` when the tail has
    /// 4 draws or fewer, or the fit failed; the weights are then raw).
    pub pareto_k: f64,
}

/// Pareto-smoothed importance sampling of log ratios (Vehtari et al. 2024,
/// algorithm 1): the `M` largest ratios above the cutoff (the `(M+1)`-th
/// largest) are replaced by the expected order statistics of a generalized
/// Pareto distribution fitted to their exceedances, truncated at the largest
/// raw ratio, and all are normalised.
pub fn psis(log_ratios: &[f64], r_eff: f64) -> Psis {
    let max = log_ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    // Shift by the maximum so the largest ratio is 1 (avoids overflow in
    // the exceedances); normalisation undoes it.
    let mut x: Vec<f64> = log_ratios.iter().map(|r| r - max).collect();
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let m = tail_length(x.len(), r_eff);
    let pareto_k = if x.len() > m { smooth_tail(&mut x, &order, m) } else { f64::INFINITY };
    let norm = log_sum_exp(&x);
    x.iter_mut().for_each(|v| *v -= norm);
    Psis { log_weights: x, pareto_k }
}

/// Replaces the tail of `x` (log ratios with maximum 0; `order` sorts it
/// ascending) by smoothed values and returns the fitted k.
fn smooth_tail(x: &mut [f64], order: &[usize], m: usize) -> f64 {
    // The cutoff is floored at the log of the smallest normal double so
    // that its exponential is positive (ArviZ's `cutoffmin`).
    let cutoff = x[order[x.len() - m - 1]].max(f64::MIN_POSITIVE.ln());
    let tail: Vec<usize> = order.iter().copied().filter(|&i| x[i] > cutoff).collect();
    if tail.len() <= 4 {
        return f64::INFINITY;
    }
    let exp_cutoff = cutoff.exp();
    let exceedances: Vec<f64> = tail.iter().map(|&i| x[i].exp() - exp_cutoff).collect();
    let Some(fit) = gpd_fit(&exceedances) else { return f64::INFINITY };
    let n = tail.len() as f64;
    for (j, &i) in tail.iter().enumerate() {
        // Expected order statistics approximated by quantiles at
        // (j - 1/2)/M (Vehtari et al. 2024, eq. 4), truncated at the
        // largest raw ratio, log 1 = 0.
        let p = (j as f64 + 0.5) / n;
        x[i] = (gpd_quantile(p, fit.k, fit.sigma) + exp_cutoff).ln().min(0.0);
    }
    fit.k
}

/// Options of [`loo`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LooOptions {
    /// Relative efficiency `ESS / S` of the draws, used only for the tail
    /// length. Default 1 (independent draws).
    pub r_eff: f64,
}

impl Default for LooOptions {
    fn default() -> Self {
        LooOptions { r_eff: 1.0 }
    }
}

/// LOO of one observation.
#[derive(Clone, Debug, PartialEq)]
pub struct PointwiseLoo {
    /// The observation's column name.
    pub name: String,
    /// `log Σ_s w_s p(y_i | θ_s)` with PSIS weights.
    pub elpd_loo: f64,
    /// `log mean_s p(y_i | θ_s)`.
    pub lppd: f64,
    /// `lppd - elpd_loo`.
    pub p_loo: f64,
    /// Pareto k of the importance ratios.
    pub pareto_k: f64,
}

/// Counts of Pareto k per category.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KCounts {
    /// `k <= good_k`.
    pub good: usize,
    /// `good_k < k <= 1`.
    pub bad: usize,
    /// `k > 1` (or not finite).
    pub very_bad: usize,
}

/// PSIS-LOO of one fit.
#[derive(Clone, Debug, PartialEq)]
pub struct Loo {
    /// Σ_i elpd_loo_i (Vehtari et al. 2017, eq. 10).
    pub elpd_loo: f64,
    /// `sqrt(n var(elpd_loo_i))`, population variance (eq. 23, as ArviZ).
    pub se: f64,
    /// Effective number of parameters, `lppd - elpd_loo` (eq. 15).
    pub p_loo: f64,
    /// Log pointwise predictive density of the data, Σ_i lppd_i.
    pub lppd: f64,
    /// Number of draws.
    pub n_draws: usize,
    /// The threshold of good Pareto k for this number of draws.
    pub good_k: f64,
    /// The relative efficiency used.
    pub r_eff: f64,
    /// One entry per observation.
    pub pointwise: Vec<PointwiseLoo>,
}

/// PSIS-LOO of a fit from its pointwise log-likelihood: the log ratios of
/// observation i are `-log p(y_i | θ_s)` (Vehtari et al. 2017, eq. 7).
pub fn loo(log_lik: &LogLik, options: &LooOptions) -> Result<Loo, LooError> {
    let r_eff = options.r_eff;
    if !(r_eff.is_finite() && r_eff > 0.0) {
        return Err(LooError::BadReff(r_eff));
    }
    let n_draws = log_lik.n_draws();
    if n_draws < 2 {
        return Err(LooError::TooFewDraws { draws: n_draws });
    }
    let pointwise: Vec<PointwiseLoo> =
        log_lik.names.iter().zip(&log_lik.values).map(|(name, ll)| loo_point(name, ll, r_eff)).collect();
    let elpd_i: Vec<f64> = pointwise.iter().map(|p| p.elpd_loo).collect();
    let elpd_loo = elpd_i.iter().sum::<f64>();
    let lppd = pointwise.iter().map(|p| p.lppd).sum::<f64>();
    Ok(Loo {
        elpd_loo,
        se: sum_se(&elpd_i),
        p_loo: lppd - elpd_loo,
        lppd,
        n_draws,
        good_k: good_k_threshold(n_draws),
        r_eff,
        pointwise,
    })
}

/// LOO of one observation from its log-likelihood draws.
fn loo_point(name: &str, log_lik: &[f64], r_eff: f64) -> PointwiseLoo {
    let ratios: Vec<f64> = log_lik.iter().map(|v| -v).collect();
    let Psis { log_weights, pareto_k } = psis(&ratios, r_eff);
    // elpd_loo_i = log Σ_s w_s p(y_i | θ_s) with normalised weights (eq. 10).
    let weighted: Vec<f64> = log_weights.iter().zip(log_lik).map(|(w, l)| w + l).collect();
    let elpd_loo = log_sum_exp(&weighted);
    let lppd = log_sum_exp(log_lik) - (log_lik.len() as f64).ln();
    PointwiseLoo { name: name.to_string(), elpd_loo, lppd, p_loo: lppd - elpd_loo, pareto_k }
}

/// Standard error of a sum of `n` pointwise terms: `sqrt(n var(x))`, with
/// the population variance as ArviZ (`np.var`).
fn sum_se(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (n * var).sqrt()
}

impl Loo {
    /// Number of observations.
    pub fn n_obs(&self) -> usize {
        self.pointwise.len()
    }

    /// Counts of Pareto k per category (see the module documentation).
    pub fn k_counts(&self) -> KCounts {
        let mut c = KCounts::default();
        for p in &self.pointwise {
            if p.pareto_k <= self.good_k {
                c.good += 1;
            } else if p.pareto_k <= 1.0 {
                c.bad += 1;
            } else {
                c.very_bad += 1;
            }
        }
        c
    }

    /// The observations whose Pareto k exceeds `good_k`, whose elpd_loo_i
    /// is unreliable.
    pub fn high_k(&self) -> Vec<&PointwiseLoo> {
        // A NaN k (no fit) counts as high.
        self.pointwise.iter().filter(|p| p.pareto_k.is_nan() || p.pareto_k > self.good_k).collect()
    }

    /// Whether any Pareto k exceeds `good_k` (ArviZ's `warning`).
    pub fn warning(&self) -> bool {
        !self.high_k().is_empty()
    }

    /// The estimates and the Pareto k table, laid out as ArviZ prints them.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Computed from {} draws and {} observations.\n", self.n_draws, self.n_obs());
        let _ = writeln!(out, "          Estimate       SE");
        let _ = writeln!(out, "elpd_loo  {:8.2}  {:7.2}", self.elpd_loo, self.se);
        let _ = writeln!(out, "p_loo     {:8.2}        -", self.p_loo);
        let c = self.k_counts();
        let n = self.n_obs().max(1) as f64;
        let pct = |x: usize| 100.0 * x as f64 / n;
        let g = format!("{:.2}", self.good_k);
        let _ = writeln!(out, "\nPareto k diagnostic values:");
        let _ = writeln!(out, "{:<28}{:>5}  {:>6}", "", "Count", "Pct.");
        let rows = [
            (format!("(-Inf, {g}]"), "(good)", c.good),
            (format!("({g}, 1]"), "(bad)", c.bad),
            ("(1, Inf)".to_string(), "(very bad)", c.very_bad),
        ];
        for (range, label, count) in rows {
            let _ = writeln!(out, "{range:>14}  {label:<12}{count:>5}  {:>5.1}%", pct(count));
        }
        out
    }
}

/// One row of a model comparison, with ArviZ's columns.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareRow {
    /// The model's name.
    pub name: String,
    /// 0 for the best model (ArviZ counts from 0).
    pub rank: usize,
    /// The model's elpd_loo.
    pub elpd_loo: f64,
    /// The model's p_loo.
    pub p_loo: f64,
    /// `elpd_loo(best) - elpd_loo(model)`, 0 for the best.
    pub elpd_diff: f64,
    /// Pseudo-BMA weight, `exp(elpd_loo - elpd_loo(best))` normalised.
    pub weight: f64,
    /// The model's standard error of elpd_loo.
    pub se: f64,
    /// Standard error of `elpd_diff` from the paired pointwise
    /// differences, `sqrt(n var(elpd_i(best) - elpd_i(model)))`; 0 for the
    /// best.
    pub dse: f64,
    /// Whether any of the model's Pareto k exceeds its `good_k`.
    pub warning: bool,
    /// Number of observations whose Pareto k exceeds `good_k`.
    pub n_high_k: usize,
}

/// Ranks models by elpd_loo, best first (ties keep the given order), and
/// computes the differences to the best, their paired standard errors
/// (Vehtari et al. 2017, eq. 24) and pseudo-BMA weights, as ArviZ's
/// `compare(..., method="pseudo-BMA")`. Models must have the same number of
/// observations (the same data).
pub fn compare(models: &[(&str, &Loo)]) -> Result<Vec<CompareRow>, LooError> {
    let Some(&(first_name, first)) = models.first() else { return Err(LooError::NoModels) };
    if let Some(&(name, other)) = models.iter().find(|(_, l)| l.n_obs() != first.n_obs()) {
        return Err(LooError::DifferentObservations {
            first: (first_name.to_string(), first.n_obs()),
            other: (name.to_string(), other.n_obs()),
        });
    }
    let mut ranked: Vec<(&str, &Loo)> = models.to_vec();
    ranked.sort_by(|a, b| b.1.elpd_loo.total_cmp(&a.1.elpd_loo));
    let best = ranked[0].1;
    let z: Vec<f64> = ranked.iter().map(|(_, l)| (l.elpd_loo - best.elpd_loo).exp()).collect();
    let z_total: f64 = z.iter().sum();
    Ok(ranked
        .iter()
        .zip(&z)
        .enumerate()
        .map(|(rank, ((name, l), zi))| {
            let diff: Vec<f64> =
                best.pointwise.iter().zip(&l.pointwise).map(|(b, m)| b.elpd_loo - m.elpd_loo).collect();
            CompareRow {
                name: name.to_string(),
                rank,
                elpd_loo: l.elpd_loo,
                p_loo: l.p_loo,
                elpd_diff: diff.iter().sum(),
                weight: zi / z_total,
                se: l.se,
                dse: sum_se(&diff),
                warning: l.warning(),
                n_high_k: l.high_k().len(),
            }
        })
        .collect())
}

/// The comparison as a table with ArviZ's columns plus the number of high
/// Pareto k, two decimals.
pub fn compare_table(rows: &[CompareRow]) -> String {
    let header = ["", "rank", "elpd_loo", "p_loo", "elpd_diff", "weight", "se", "dse", "warning", "high_k"];
    let mut cells: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for r in rows {
        cells.push(vec![
            r.name.clone(),
            r.rank.to_string(),
            format!("{:.2}", r.elpd_loo),
            format!("{:.2}", r.p_loo),
            format!("{:.2}", r.elpd_diff),
            format!("{:.3}", r.weight),
            format!("{:.2}", r.se),
            format!("{:.2}", r.dse),
            if r.warning { "True".into() } else { "False".into() },
            r.n_high_k.to_string(),
        ]);
    }
    let widths: Vec<usize> =
        (0..header.len()).map(|j| cells.iter().map(|row| row[j].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in &cells {
        let mut line = format!("{:<w$}", row[0], w = widths[0]);
        for (c, w) in row.iter().zip(&widths).skip(1) {
            let _ = write!(line, "  {c:>w$}");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    //! Reference values come from ArviZ 0.23.4 (`az.loo(idata, pointwise=True,
    //! reff=...)`, `az.compare(..., method="pseudo-BMA")` and
    //! `arviz.stats.stats._gpdfit`) run on the same matrices: the fixtures
    //! are generated here and in the Python script by the same splitmix64 +
    //! Box-Muller generator, so only ArviZ's results are embedded.
    use super::*;

    /// splitmix64, written out identically in the reference script.
    struct SplitMix(u64);

    impl SplitMix {
        fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn uniform(&mut self) -> f64 {
            ((self.next_u64() >> 11) as f64 + 0.5) / 9_007_199_254_740_992.0
        }
        fn normal(&mut self) -> f64 {
            let (u1, u2) = (self.uniform(), self.uniform());
            (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
        }
    }

    fn normal_lpdf(y: f64, mu: f64, sigma: f64) -> f64 {
        let z = (y - mu) / sigma;
        -0.5 * (2.0 * std::f64::consts::PI).ln() - sigma.ln() - 0.5 * z * z
    }

    /// Twelve observations, the last an outlier at 6.
    fn data() -> Vec<f64> {
        let mut rng = SplitMix(1);
        let mut y: Vec<f64> = (0..12).map(|_| rng.normal()).collect();
        y[11] = 6.0;
        y
    }

    fn mean_sd(y: &[f64]) -> (f64, f64) {
        let n = y.len() as f64;
        let mean = y.iter().sum::<f64>() / n;
        (mean, (y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt())
    }

    /// Pointwise normal log densities of `y` at draws `mu ~ N(mu_c, mu_sd)`,
    /// `log sigma ~ N(log sigma_c, sigma_sd)`.
    fn fixture(seed: u64, y: &[f64], draws: usize, mu: (f64, f64), sigma: (f64, f64)) -> LogLik {
        let mut rng = SplitMix(seed);
        let mut values = vec![Vec::with_capacity(draws); y.len()];
        for _ in 0..draws {
            let m = mu.0 + mu.1 * rng.normal();
            let s = sigma.0 * (sigma.1 * rng.normal()).exp();
            for (column, &yi) in values.iter_mut().zip(y) {
                column.push(normal_lpdf(yi, m, s));
            }
        }
        let names = (1..=y.len()).map(|i| format!("log_lik.{i}")).collect();
        LogLik::new(names, values).expect("valid fixture")
    }

    fn wide() -> LogLik {
        let y = data();
        let (mean, sd) = mean_sd(&y);
        fixture(2, &y, 400, (mean, sd / (y.len() as f64).sqrt()), (sd, 0.2))
    }

    fn narrow() -> LogLik {
        fixture(3, &data(), 400, (0.0, 0.1), (1.0, 0.1))
    }

    fn shifted() -> LogLik {
        fixture(4, &data(), 400, (1.5, 0.3), (1.2, 0.1))
    }

    fn small() -> LogLik {
        let y = data();
        let (mean, sd) = mean_sd(&y);
        fixture(5, &y, 100, (mean, 0.3), (sd, 0.2))
    }

    struct Reference {
        elpd: f64,
        se: f64,
        p: f64,
        good_k: f64,
        k: &'static [f64],
        elpd_i: &'static [f64],
    }

    const WIDE: Reference = Reference {
        elpd: -29.14598565484294,
        se: 7.445412014779421,
        p: 5.160809362331417,
        good_k: 0.6156891065798796,
        k: &[
            0.16673380654163492, 0.21054137490335506, 0.15942241086898268, 0.31262257891937717, 0.06241867119490169,
            0.7246369586893056, 0.7239275704672667, 0.1080161941651814, 0.01877991508569487, 0.10034097994818843,
            0.5595636691493667, 1.6098096544501175,
        ],
        elpd_i: &[
            -1.6855964187097232, -1.7307658392432153, -1.6626685653402689, -1.8159365630687008, -1.6298604325442412,
            -2.070993009448279, -2.1749079227707755, -1.626343855919477, -1.6333190662028914, -1.626580185676513,
            -1.9568229404450896, -9.532190855473765,
        ],
    };

    const NARROW: Reference = Reference {
        elpd: -40.08092784692566,
        se: 23.316989730936985,
        p: 10.558658242175206,
        good_k: 0.6156891065798796,
        k: &[
            0.07614444745575236, 0.06784731848109297, -0.059116581504674644, -0.15283493783269142,
            -0.054609744013736236, 0.10122993397768754, 0.047551631347492074, -0.05081582681620768,
            0.0170138087729974, -0.00029783073244235174, 0.3705405027994174, 1.7892000320638197,
        ],
        elpd_i: &[
            -0.9278266700619948, -0.9546805518809647, -0.932259935865912, -1.0598831289452972, -1.0202002662276612,
            -1.50981482520005, -1.7153750181885128, -1.134041877734198, -0.9964506985708503, -1.1422596547738486,
            -3.109310470422879, -25.578824749053492,
        ],
    };

    const SHIFTED: Reference = Reference {
        elpd: -33.84697362527631,
        se: 8.161909367442423,
        p: 4.427213652359683,
        good_k: 0.6156891065798796,
        k: &[
            0.496770114239537, 0.45159583202454534, 0.46927443269905006, 0.4155918251741593, 0.44690499806601836,
            0.5310279449409955, 0.5281433646421393, 0.35402811357100566, 0.487800747538209, 0.38385464067510383,
            0.3308782524822397, 0.8685845002410941,
        ],
        elpd_i: &[
            -2.0099488622131245, -2.260093921777667, -1.8635881798923597, -2.666776738518511, -1.55685292923227,
            -3.6866562007637125, -4.062000433928619, -1.4061584054733256, -1.605064820175043, -1.3981531274019199,
            -1.2428649473381217, -10.088815058561641,
        ],
    };

    /// One chain of 100 draws: tail of 20, `good_k = 1 - 1/log10(100) = 0.5`.
    const SMALL: Reference = Reference {
        elpd: -26.305402604067474,
        se: 4.99376043470359,
        p: 2.300954470905886,
        good_k: 0.5,
        k: &[
            -0.395313537069597, -0.36282504810166444, -0.35285660053562445, 0.020005607277835312,
            -0.0955764964150478, 0.289358477574822, 0.30305075381389945, -0.09530571259390909, -0.148003050079177,
            -0.0906203747914643, 0.4234325053635217, 0.9395601223460036,
        ],
        elpd_i: &[],
    };

    /// `az.loo(wide, reff=0.5)`: tail of 80 draws instead of 60.
    const WIDE_REFF_HALF: Reference = Reference {
        elpd: -29.23656499412492,
        se: 7.532044135739054,
        p: 5.251388701613397,
        good_k: 0.6156891065798796,
        k: &[
            0.07901239949365245, 0.1166367629961441, 0.147824414005153, 0.2503020580267971, 0.08239471884033205,
            0.5922357102371143, 0.5756369633379794, 0.01947657002782285, 0.08042710976748152, 0.006514942532925024,
            0.42093940018237735, 1.6156747454011786,
        ],
        elpd_i: &[],
    };

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-3)
    }

    fn check(loo: &Loo, r: &Reference) {
        let tol = 1e-9;
        assert!(close(loo.elpd_loo, r.elpd, tol), "elpd_loo {} vs ArviZ {}", loo.elpd_loo, r.elpd);
        assert!(close(loo.se, r.se, tol), "se {} vs ArviZ {}", loo.se, r.se);
        assert!(close(loo.p_loo, r.p, tol), "p_loo {} vs ArviZ {}", loo.p_loo, r.p);
        assert!(close(loo.good_k, r.good_k, 1e-12));
        for (p, &k) in loo.pointwise.iter().zip(r.k) {
            assert!((p.pareto_k - k).abs() < 1e-9, "{}: k {} vs ArviZ {k}", p.name, p.pareto_k);
        }
        for (p, &e) in loo.pointwise.iter().zip(r.elpd_i) {
            assert!(close(p.elpd_loo, e, tol), "{}: elpd_i {} vs ArviZ {e}", p.name, p.elpd_loo);
        }
    }

    #[test]
    fn fixture_data_matches_the_reference_script() {
        let y = data();
        assert_eq!(y[0], -0.028249746095854695);
        assert_eq!(y[10], 2.033328143244894);
    }

    #[test]
    fn loo_matches_arviz() {
        let opts = LooOptions::default();
        check(&loo(&wide(), &opts).unwrap(), &WIDE);
        check(&loo(&narrow(), &opts).unwrap(), &NARROW);
        check(&loo(&shifted(), &opts).unwrap(), &SHIFTED);
        check(&loo(&small(), &opts).unwrap(), &SMALL);
        check(&loo(&wide(), &LooOptions { r_eff: 0.5 }).unwrap(), &WIDE_REFF_HALF);
    }

    #[test]
    fn k_counts_use_the_sample_size_threshold() {
        let w = loo(&wide(), &LooOptions::default()).unwrap();
        // ArviZ prints 9 good, 2 bad, 1 very bad for this fit.
        assert_eq!(w.k_counts(), KCounts { good: 9, bad: 2, very_bad: 1 });
        let high: Vec<&str> = w.high_k().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(high, ["log_lik.6", "log_lik.7", "log_lik.12"]);
        let s = loo(&small(), &LooOptions::default()).unwrap();
        assert_eq!(s.k_counts(), KCounts { good: 11, bad: 1, very_bad: 0 });
        assert!(w.to_table().contains("(-Inf, 0.62]  (good)          9   75.0%"), "{}", w.to_table());
    }

    #[test]
    fn compare_matches_arviz_pseudo_bma() {
        let opts = LooOptions::default();
        let (w, n, s) = (loo(&wide(), &opts).unwrap(), loo(&narrow(), &opts).unwrap(), loo(&shifted(), &opts).unwrap());
        let rows = compare(&[("narrow", &n), ("wide", &w), ("shifted", &s)]).unwrap();
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["wide", "shifted", "narrow"]);
        // (elpd_diff, weight, dse) from az.compare(..., method="pseudo-BMA").
        let reference = [
            (0.0, 0.990978017139934, 0.0),
            (4.700987970433375, 0.009004319270424273, 2.530992742327322),
            (10.934942192082723, 1.766358964153861e-05, 15.903465542069922),
        ];
        for (i, (row, (diff, weight, dse))) in rows.iter().zip(reference).enumerate() {
            assert_eq!(row.rank, i);
            assert!(close(row.elpd_diff, diff, 1e-9), "{}: elpd_diff {} vs {diff}", row.name, row.elpd_diff);
            assert!((row.weight - weight).abs() < 1e-12, "{}: weight {} vs {weight}", row.name, row.weight);
            assert!(close(row.dse, dse, 1e-9), "{}: dse {} vs {dse}", row.name, row.dse);
            assert!(row.warning);
        }
        assert_eq!(rows[0].se, w.se);
        assert_eq!(rows[2].p_loo, n.p_loo);
        assert_eq!(rows[0].n_high_k, 3);
        let table = compare_table(&rows);
        assert!(table.lines().nth(1).unwrap().starts_with("wide     "), "{table}");
    }

    #[test]
    fn compare_rejects_different_observations_and_nothing() {
        let opts = LooOptions::default();
        let w = loo(&wide(), &opts).unwrap();
        let mut fewer = wide();
        fewer.names.pop();
        fewer.values.pop();
        let f = loo(&fewer, &opts).unwrap();
        let err = compare(&[("a", &w), ("b", &f)]).unwrap_err();
        assert_eq!(err, LooError::DifferentObservations { first: ("a".into(), 12), other: ("b".into(), 11) });
        assert_eq!(compare(&[]).unwrap_err(), LooError::NoModels);
    }

    #[test]
    fn ranking_puts_the_data_generating_model_first() {
        // y ~ N(0, 1); the good model's draws sit near the truth, the bad
        // one's mean is 2 off.
        let mut rng = SplitMix(11);
        let y: Vec<f64> = (0..50).map(|_| rng.normal()).collect();
        let good = loo(&fixture(12, &y, 1000, (0.0, 0.14), (1.0, 0.1)), &LooOptions::default()).unwrap();
        let bad = loo(&fixture(13, &y, 1000, (2.0, 0.14), (1.0, 0.1)), &LooOptions::default()).unwrap();
        let rows = compare(&[("bad", &bad), ("good", &good)]).unwrap();
        assert_eq!(rows[0].name, "good");
        assert!(rows[1].elpd_diff > 4.0 * rows[1].dse, "{}", compare_table(&rows));
        assert_eq!(good.k_counts().good, 50);
    }

    /// `n` draws of a generalized Pareto distribution by inversion, sorted.
    fn gpd_sample(seed: u64, n: usize, k: f64, sigma: f64) -> Vec<f64> {
        let mut rng = SplitMix(seed);
        let mut x: Vec<f64> = (0..n).map(|_| sigma * ((1.0 - rng.uniform()).powf(-k) - 1.0) / k).collect();
        x.sort_by(f64::total_cmp);
        x
    }

    #[test]
    fn gpd_fit_recovers_k_and_matches_arviz() {
        // (seed, true k, ArviZ's _gpdfit k, sigma) on 2000 draws, sigma = 1.
        let cases = [(6, 0.3, 0.297777090927204, 0.9620430880981551), (7, 0.8, 0.7724055483574385, 0.955108944958107)];
        for (seed, k, arviz_k, arviz_sigma) in cases {
            let fit = gpd_fit(&gpd_sample(seed, 2000, k, 1.0)).unwrap();
            assert!(close(fit.k, arviz_k, 1e-9) && close(fit.sigma, arviz_sigma, 1e-9), "{fit:?}");
            // The standard error of k-hat is about (1 + k)/sqrt(n) (Zhang &
            // Stephens 2009): 0.03 and 0.04 here; allow 3 of them.
            assert!((fit.k - k).abs() < 3.0 * (1.0 + k) / 2000f64.sqrt(), "k {k}: {fit:?}");
            assert!((fit.sigma - 1.0).abs() < 0.15, "k {k}: {fit:?}");
        }
    }

    #[test]
    fn psis_weights_are_normalised_and_truncated() {
        let ll = wide();
        let ratios: Vec<f64> = ll.values[11].iter().map(|v| -v).collect();
        let p = psis(&ratios, 1.0);
        assert!(log_sum_exp(&p.log_weights).abs() < 1e-12);
        // Smoothing keeps the order of the ratios: the body is unchanged and
        // the tail gets increasing quantiles above the cutoff.
        let mut order: Vec<usize> = (0..ratios.len()).collect();
        order.sort_by(|&a, &b| ratios[a].total_cmp(&ratios[b]));
        assert!(order.windows(2).all(|w| p.log_weights[w[0]] <= p.log_weights[w[1]]));
        assert!(p.pareto_k > 1.0);
        assert_eq!(tail_length(400, 1.0), 60);
        assert_eq!(tail_length(100, 1.0), 20);
        assert_eq!(tail_length(4000, 1.0), 190);
    }

    #[test]
    fn tiny_tails_give_infinite_k_and_raw_weights() {
        let ratios = [0.1, -0.3, 0.7, 0.2, -1.0, 0.5, 0.0, 0.3, -0.2, 0.4];
        let p = psis(&ratios, 1.0);
        assert!(p.pareto_k.is_infinite());
        let norm = log_sum_exp(&ratios);
        for (w, r) in p.log_weights.iter().zip(ratios) {
            assert!((w - (r - norm)).abs() < 1e-12);
        }
    }

    #[test]
    fn bad_input_is_an_error() {
        let names = vec!["log_lik.1".to_string()];
        assert!(matches!(
            LogLik::new(names.clone(), vec![vec![0.0, f64::NAN]]),
            Err(LooError::NonFinite { draw: 2, .. })
        ));
        assert!(matches!(LogLik::new(names.clone(), vec![vec![0.0]]), Err(LooError::TooFewDraws { draws: 1 })));
        assert!(matches!(LogLik::new(names.clone(), vec![vec![0.0, f64::NEG_INFINITY]]), Err(LooError::NonFinite { draw: 2, .. })));
        let two = LogLik::new(names, vec![vec![0.0, -1.0]]).unwrap();
        assert_eq!(loo(&two, &LooOptions { r_eff: 0.0 }).unwrap_err(), LooError::BadReff(0.0));
        let draws = Draws { column_names: vec!["lp__".into(), "mu".into()], chains: vec![vec![vec![0.0; 3], vec![1.0; 3]]] };
        let err = LogLik::from_draws(&draws, "log_lik").unwrap_err();
        assert!(err.to_string().contains("add `vector[obs] log_lik` (or `array[obs] real log_lik`) to generated quantities"));
    }

    #[test]
    fn log_lik_columns_are_picked_from_draws_and_chains_concatenated() {
        let draws = Draws {
            column_names: vec!["lp__".into(), "log_lik.1".into(), "log_likely".into(), "log_lik.2".into()],
            chains: vec![
                vec![vec![0.0; 2], vec![-1.0, -2.0], vec![9.0; 2], vec![-3.0, -4.0]],
                vec![vec![0.0; 2], vec![-5.0, -6.0], vec![9.0; 2], vec![-7.0, -8.0]],
            ],
        };
        let ll = LogLik::from_draws(&draws, "log_lik").unwrap();
        assert_eq!(ll.names, ["log_lik.1", "log_lik.2"]);
        assert_eq!(ll.values, [vec![-1.0, -2.0, -5.0, -6.0], vec![-3.0, -4.0, -7.0, -8.0]]);
    }
}
