//! The sampler against posteriors known in closed form. Tolerances are in
//! Monte Carlo standard errors (MCSE from the ESS of the draws): 4 MCSE for
//! single quantities (two-sided p about 6e-5), 4.5 MCSE where 100 or more
//! quantities are checked at once (Bonferroni). Seeds are fixed.

use crate::common;

use common::*;
use hbmc_runtime::*;

/// y_i ~ N(mu, sigma) with sigma known, mu ~ N(m0, s0): the posterior of mu
/// is normal with precision 1/s0^2 + n/sigma^2.
#[test]
fn conjugate_normal_normal() {
    let y = [2.1, 1.4, 3.3, 0.2, 2.8, 1.9, 2.4, 3.9, 1.1, 2.2, 1.7, 2.9];
    let (m0, s0, sigma) = (0.0, 2.0, 1.5);
    let n = y.len() as f64;
    let sum_y: f64 = y.iter().sum();
    let post_prec = 1.0 / (s0 * s0) + n / (sigma * sigma);
    let post_mean = (m0 / (s0 * s0) + sum_y / (sigma * sigma)) / post_prec;
    let post_var = 1.0 / post_prec;

    let make = |_c: usize| {
        PlainModel::new(
            FnDensity::new(1, move |x: &[f64], g: &mut [f64]| {
                let mu = x[0];
                let mut lp = -0.5 * (mu - m0).powi(2) / (s0 * s0);
                g[0] = -(mu - m0) / (s0 * s0);
                for yi in &y {
                    lp -= 0.5 * (yi - mu).powi(2) / (sigma * sigma);
                    g[0] += (yi - mu) / (sigma * sigma);
                }
                Ok(lp)
            }),
            "mu",
        )
    };
    let settings = SamplerSettings { seed: 20240601, threads: 2, ..Default::default() };
    let run = run_memory(make, &settings);
    let m = moments(&run.draws(), "mu");
    assert_within("posterior mean", m.mean, post_mean, m.mcse_mean, 4.0);
    assert_within("posterior variance", m.var, post_var, m.mcse_var, 4.0);
    assert_eq!(run.total_divergences(), 0);
    for c in &run.chains {
        // Adaptation works: the acceptance statistic is near or above the
        // 0.8 target (Stan too ends above the target on low-dimensional
        // Gaussians, since the final step size exp(x_bar) is smaller than
        // the dual-averaging iterates).
        assert!((0.7..0.97).contains(&c.mean_accept_stat), "accept {}", c.mean_accept_stat);
        assert!(c.ebfmi > 0.5, "E-BFMI {}", c.ebfmi);
    }
}

/// A Gaussian with AR(1) correlation `rho^|i-j|` and scales `d_i`: its
/// precision matrix is tridiagonal, so the gradient is O(dim).
struct Ar1Gaussian {
    d: Vec<f64>,
    rho: f64,
}

impl Ar1Gaussian {
    fn cov(&self, i: usize, j: usize) -> f64 {
        self.d[i] * self.d[j] * self.rho.powi((i as i32 - j as i32).abs())
    }
}

impl LogDensity for Ar1Gaussian {
    fn dim(&self) -> usize {
        self.d.len()
    }

    fn logp_grad(&mut self, x: &[f64], g: &mut [f64]) -> Result<f64, LogDensityError> {
        // u = D^{-1} x; R^{-1} = 1/(1-rho^2) * tridiag(-rho; 1, 1+rho^2, ..., 1; -rho)
        let n = x.len();
        let r = self.rho;
        let c = 1.0 / (1.0 - r * r);
        let u: Vec<f64> = x.iter().zip(&self.d).map(|(xi, di)| xi / di).collect();
        let mut lp = 0.0;
        for i in 0..n {
            let diag = if i == 0 || i == n - 1 { 1.0 } else { 1.0 + r * r };
            let mut pu = diag * u[i];
            if i > 0 {
                pu -= r * u[i - 1];
            }
            if i + 1 < n {
                pu -= r * u[i + 1];
            }
            pu *= c;
            lp -= 0.5 * u[i] * pu;
            g[i] = -pu / self.d[i];
        }
        Ok(lp)
    }
}

#[test]
fn correlated_gaussian_100_dims_diag_metric() {
    let dim = 100;
    let d: Vec<f64> = (0..dim).map(|i| (0.3f64.ln() + (10.0f64).ln() * i as f64 / (dim - 1) as f64).exp()).collect();
    let target = Ar1Gaussian { d: d.clone(), rho: 0.7 };
    let names: Vec<String> = (1..=dim).map(|i| format!("x.{i}")).collect();
    let make = |_c: usize| PlainModel::with_names(Ar1Gaussian { d: d.clone(), rho: 0.7 }, names.clone());
    let settings = SamplerSettings { seed: 7, threads: 2, ..Default::default() };
    let run = run_memory(make, &settings);
    let draws = run.draws();
    for (i, name) in names.iter().enumerate() {
        let m = moments(&draws, name);
        assert_within(&format!("mean of x.{}", i + 1), m.mean, 0.0, m.mcse_mean, 4.5);
        assert_within(&format!("variance of x.{}", i + 1), m.var, target.cov(i, i), m.mcse_var, 4.5);
    }
    // Stan's adaptation (the default) estimates the marginal variances
    // themselves (within the noise of a 500-draw window: 25% relative).
    for c in &run.chains {
        let Some(InvMetric::Diag(inv)) = &c.inv_metric else { panic!("diagonal metric expected") };
        for (i, v) in inv.iter().enumerate() {
            let rel = v / target.cov(i, i);
            assert!((0.75..1.33).contains(&rel), "chain {} inv metric {i}: ratio {rel}", c.chain);
        }
    }
    // nutpie's adapted diagonal metric tends to
    // sqrt(var(x_i) / var(grad_i)) = sqrt(Sigma_ii / P_ii), P the precision:
    // with the AR(1) precision of the standardised u, P_ii = p_ii / d_i^2
    // with p_ii = 1 / (1 - rho^2) at the ends and (1 + rho^2) / (1 - rho^2)
    // inside, so the ratio to the marginal variance is 1 / sqrt(p_ii)
    // (within the noise of a window of a few hundred draws: 25% relative).
    let nutpie = SamplerSettings { adapt: AdaptSettings { method: AdaptMethod::Nutpie, ..Default::default() }, ..settings };
    let run = run_memory(make, &nutpie);
    let rho2 = 0.7f64 * 0.7;
    for c in &run.chains {
        let Some(InvMetric::Diag(inv)) = &c.inv_metric else { panic!("diagonal metric expected") };
        for (i, v) in inv.iter().enumerate() {
            let p_ii = if i == 0 || i == dim - 1 { 1.0 / (1.0 - rho2) } else { (1.0 + rho2) / (1.0 - rho2) };
            let rel = v / target.cov(i, i) * p_ii.sqrt();
            assert!((0.75..1.33).contains(&rel), "nutpie: chain {} inv metric {i}: ratio {rel}", c.chain);
        }
    }
    // And nutpie's draws are right too.
    let draws = run.draws();
    for (i, name) in names.iter().enumerate() {
        let m = moments(&draws, name);
        assert_within(&format!("nutpie: mean of x.{}", i + 1), m.mean, 0.0, m.mcse_mean, 4.5);
        assert_within(&format!("nutpie: variance of x.{}", i + 1), m.var, target.cov(i, i), m.mcse_var, 4.5);
    }
}

/// Dense Gaussian given by its covariance (precision computed here).
struct DenseGaussian {
    prec: Vec<f64>,
    n: usize,
}

impl LogDensity for DenseGaussian {
    fn dim(&self) -> usize {
        self.n
    }

    fn logp_grad(&mut self, x: &[f64], g: &mut [f64]) -> Result<f64, LogDensityError> {
        let n = self.n;
        let mut lp = 0.0;
        for i in 0..n {
            let px: f64 = (0..n).map(|j| self.prec[i * n + j] * x[j]).sum();
            g[i] = -px;
            lp -= 0.5 * x[i] * px;
        }
        Ok(lp)
    }
}

/// Inverse of a symmetric positive-definite matrix by Gauss-Jordan.
fn invert(a: &[f64], n: usize) -> Vec<f64> {
    let mut m = a.to_vec();
    let mut inv = vec![0.0; n * n];
    for i in 0..n {
        inv[i * n + i] = 1.0;
    }
    for col in 0..n {
        let p = m[col * n + col];
        for j in 0..n {
            m[col * n + j] /= p;
            inv[col * n + j] /= p;
        }
        for r in 0..n {
            if r != col {
                let f = m[r * n + col];
                for j in 0..n {
                    m[r * n + j] -= f * m[col * n + j];
                    inv[r * n + j] -= f * inv[col * n + j];
                }
            }
        }
    }
    inv
}

/// The covariance of the 10-d tests: correlation 0.9 between every pair,
/// scales 0.5, 1, ..., 5 (row-major `n x n`).
fn equicorrelated_cov(n: usize) -> Vec<f64> {
    let scales: Vec<f64> = (0..n).map(|i| 0.5 + 0.5 * i as f64).collect();
    let mut cov = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            let r = if i == j { 1.0 } else { 0.9 };
            cov[i * n + j] = r * scales[i] * scales[j];
        }
    }
    cov
}

/// The smallest bulk ESS of `x.1..=x.n` per leapfrog step of the run.
fn min_ess_per_leapfrog_step(r: &RunResult, n: usize) -> f64 {
    let d = r.draws();
    let col = d.column_by_name("n_leapfrog__").expect("sampler column");
    let steps: f64 = col.iter().flat_map(|c| c.iter().copied()).sum();
    let min_ess = (1..=n)
        .map(|i| ess_bulk(&d.column_by_name(&format!("x.{i}")).expect("column")))
        .fold(f64::INFINITY, f64::min);
    eprintln!("min ess {min_ess} steps {steps}");
    min_ess / steps
}

#[test]
fn strongly_correlated_gaussian_dense_metric() {
    let n = 10;
    let cov = equicorrelated_cov(n);
    let prec = invert(&cov, n);
    let make = |_c: usize| PlainModel::new(DenseGaussian { prec: prec.clone(), n }, "x");
    let dense = SamplerSettings {
        seed: 11,
        threads: 2,
        metric: MetricKind::Dense,
        adapt: AdaptSettings { method: AdaptMethod::Stan, ..Default::default() },
        ..Default::default()
    };
    let run = run_memory(make, &dense);
    let draws = run.draws();
    for i in 0..n {
        let m = moments(&draws, &format!("x.{}", i + 1));
        assert_within(&format!("dense: mean of x.{}", i + 1), m.mean, 0.0, m.mcse_mean, 4.0);
        assert_within(&format!("dense: variance of x.{}", i + 1), m.var, cov[i * n + i], m.mcse_var, 4.0);
    }
    // The adapted dense metric approximates the covariance, off-diagonals too.
    for c in &run.chains {
        let Some(InvMetric::Dense { values, .. }) = &c.inv_metric else { panic!("dense metric expected") };
        for i in 0..n {
            for j in 0..n {
                let rel = values[i * n + j] / cov[i * n + j];
                assert!((0.7..1.4).contains(&rel), "chain {} metric ({i},{j}) ratio {rel}", c.chain);
            }
        }
    }
    // With the metric matching the correlation the sampler is far more
    // efficient: compare the smallest bulk ESS per leapfrog step (the
    // diagonal metric leaves a condition number of 91).
    let diag = SamplerSettings { metric: MetricKind::Diag, ..dense.clone() };
    let run_diag = run_memory(make, &diag);
    let efficiency = |r: &RunResult| min_ess_per_leapfrog_step(r, n);
    let (ed, eg) = (efficiency(&run), efficiency(&run_diag));
    assert!(ed > 3.0 * eg, "dense {ed} vs diag {eg} min ESS per leapfrog step");
}

/// `--adapt low-rank --step-size-jitter 0.15` (the candidate default of issue 11.2)
/// on the equicorrelated Gaussian of the dense test: right moments, and
/// fewer leapfrog steps per effective draw than Stan's diagonal adaptation
/// (the low-rank directions carry the correlation the diagonal misses).
#[test]
fn strongly_correlated_gaussian_low_rank_metric() {
    let n = 10;
    let cov = equicorrelated_cov(n);
    let prec = invert(&cov, n);
    let make = |_c: usize| PlainModel::new(DenseGaussian { prec: prec.clone(), n }, "x");
    let low_rank = SamplerSettings {
        seed: 13,
        threads: 2,
        step_size_jitter: 0.15,
        adapt: AdaptSettings { method: AdaptMethod::LowRank, ..Default::default() },
        ..Default::default()
    };
    let run = run_memory(make, &low_rank);
    let draws = run.draws();
    for i in 0..n {
        let m = moments(&draws, &format!("x.{}", i + 1));
        assert_within(&format!("low-rank: mean of x.{}", i + 1), m.mean, 0.0, m.mcse_mean, 4.0);
        assert_within(&format!("low-rank: variance of x.{}", i + 1), m.var, cov[i * n + i], m.mcse_var, 4.0);
    }
    assert_eq!(run.total_divergences(), 0);
    let stan = SamplerSettings { step_size_jitter: 0.0, adapt: AdaptSettings::default(), ..low_rank.clone() };
    let run_stan = run_memory(make, &stan);
    let efficiency = |r: &RunResult| min_ess_per_leapfrog_step(r, n);
    let (el, es) = (efficiency(&run), efficiency(&run_stan));
    assert!(el > 3.0 * es, "low-rank {el} vs Stan's diagonal {es} min ESS per leapfrog step");
}

/// x ~ Gamma(shape a, rate b), sampled as y = log x with the Jacobian:
/// log p(y) = a*y - b*exp(y). The output column is x itself.
struct LogGamma {
    a: f64,
    b: f64,
}

impl LogDensity for LogGamma {
    fn dim(&self) -> usize {
        1
    }

    fn logp_grad(&mut self, y: &[f64], g: &mut [f64]) -> Result<f64, LogDensityError> {
        let ey = y[0].exp();
        g[0] = self.a - self.b * ey;
        Ok(self.a * y[0] - self.b * ey)
    }
}

impl OutputMap for LogGamma {
    fn column_names(&self) -> Vec<String> {
        vec!["x".into()]
    }

    fn write_columns(&mut self, y: &[f64], _rng: &mut ChainRng, out: &mut Vec<f64>) -> Result<(), LogDensityError> {
        out.push(y[0].exp());
        Ok(())
    }
}

#[test]
fn gamma_on_log_scale_with_jacobian() {
    let (a, b) = (3.0, 2.0);
    let settings = SamplerSettings { seed: 99, threads: 2, ..Default::default() };
    let run = run_memory(|_| LogGamma { a, b }, &settings);
    let m = moments(&run.draws(), "x");
    assert_within("E[x]", m.mean, a / b, m.mcse_mean, 4.0);
    assert_within("Var[x]", m.var, a / (b * b), m.mcse_var, 4.0);
}
