//! Warmup adaptation end to end: the metric nutpie's adaptation ends with,
//! and what `--adapt` changes, on Gaussians whose variances are known.

use crate::common;

use common::*;
use hbmc_runtime::*;

/// `x_i ~ N(0, s_i^2)` independently.
struct ScaledGaussian {
    scales: Vec<f64>,
}

impl LogDensity for ScaledGaussian {
    fn dim(&self) -> usize {
        self.scales.len()
    }

    fn logp_grad(&mut self, x: &[f64], g: &mut [f64]) -> Result<f64, LogDensityError> {
        let mut lp = 0.0;
        for ((xi, gi), si) in x.iter().zip(g.iter_mut()).zip(&self.scales) {
            lp -= 0.5 * (xi / si).powi(2);
            *gi = -xi / (si * si);
        }
        Ok(lp)
    }
}

fn scaled_gaussian(scales: Vec<f64>) -> impl Fn(usize) -> PlainModel<ScaledGaussian> + Sync {
    move |_chain: usize| PlainModel::new(ScaledGaussian { scales: scales.clone() }, "x")
}

fn nutpie() -> AdaptSettings {
    AdaptSettings { method: AdaptMethod::Nutpie, ..Default::default() }
}

fn scales() -> Vec<f64> {
    // 1e-2, 1e-1.5, ..., 1e2: nine scales, variances over eight decades.
    (0..9).map(|k| 10f64.powf(-2.0 + 0.5 * k as f64)).collect()
}

/// After warmup the inverse metric is the posterior variance. For a
/// Gaussian with diagonal covariance the estimate `sqrt(var(x) / var(grad))`
/// is exact on any sample (the gradient is `-x / s^2`), so it must equal
/// `s^2` to rounding; the identity start is off by up to 1e4.
#[test]
fn nutpie_adaptation_finds_the_variances_of_a_badly_scaled_gaussian() {
    let s = scales();
    let settings = SamplerSettings { seed: 3, threads: 2, adapt: nutpie(), ..Default::default() };
    let run = run_memory(scaled_gaussian(s.clone()), &settings);
    for c in &run.chains {
        let Some(InvMetric::Diag(inv)) = &c.inv_metric else { panic!("chain {}: diagonal metric expected", c.chain) };
        for (v, si) in inv.iter().zip(&s) {
            let ratio = v / (si * si);
            assert!((ratio - 1.0).abs() < 1e-9, "chain {}: inverse metric {v} for variance {}", c.chain, si * si);
        }
    }
    // And the draws are right: variances within 4.5 MCSE (9 checks).
    let draws = run.draws();
    for (i, si) in s.iter().enumerate() {
        let m = moments(&draws, &format!("x.{}", i + 1));
        assert_within(&format!("variance of x.{}", i + 1), m.var, si * si, m.mcse_var, 4.5);
    }
    assert_eq!(run.total_divergences(), 0);
}

/// `x_i ~ Logistic(0, s_i)` independently: `var(x) = pi^2 s^2 / 3` and the
/// gradient `-tanh(x / 2s) / s` is `-(2F(x) - 1) / s`, uniform on
/// `(-1/s, 1/s)`, so `var(grad) = 1 / (3 s^2)` and the estimate tends to
/// `pi s^2`. Here it is a noisy estimate: the last foreground window holds
/// about 350 draws (498..850 of 1000); the variance of x has a relative sd
/// near 10% (excess kurtosis 1.2), that of the gradient 5%, the square root
/// of their ratio about 6%; 25% is about 4 sd, over 36 estimates.
struct ScaledLogistic {
    scales: Vec<f64>,
}

impl LogDensity for ScaledLogistic {
    fn dim(&self) -> usize {
        self.scales.len()
    }

    fn logp_grad(&mut self, x: &[f64], g: &mut [f64]) -> Result<f64, LogDensityError> {
        let mut lp = 0.0;
        for ((xi, gi), si) in x.iter().zip(g.iter_mut()).zip(&self.scales) {
            let u = xi / si;
            // log p = -|u| - 2 log(1 + exp(-|u|)), symmetric and stable.
            lp -= u.abs() + 2.0 * (-u.abs()).exp().ln_1p();
            *gi = -(0.5 * u).tanh() / si;
        }
        Ok(lp)
    }
}

#[test]
fn nutpie_adaptation_scales_a_non_gaussian_target_by_its_fisher_estimate() {
    let s = scales();
    let settings = SamplerSettings { seed: 8, threads: 2, adapt: nutpie(), ..Default::default() };
    let make = |_chain: usize| PlainModel::new(ScaledLogistic { scales: s.clone() }, "x");
    let run = run_memory(make, &settings);
    for c in &run.chains {
        let Some(InvMetric::Diag(inv)) = &c.inv_metric else { panic!("chain {}: diagonal metric expected", c.chain) };
        for (v, si) in inv.iter().zip(&s) {
            let expected = std::f64::consts::PI * si * si;
            assert!((v / expected - 1.0).abs() < 0.25, "chain {}: inverse metric {v}, expected {expected}", c.chain);
        }
    }
    let draws = run.draws();
    for (i, si) in s.iter().enumerate() {
        let m = moments(&draws, &format!("x.{}", i + 1));
        let var = std::f64::consts::PI.powi(2) * si * si / 3.0;
        assert_within(&format!("variance of x.{}", i + 1), m.var, var, m.mcse_var, 4.5);
    }
}

/// Stan's adaptation stays available and also scales the metric; both
/// methods give the same kind of result on this target, and nutpie's
/// needs fewer gradients for its warmup (it adapts from the first draws
/// instead of after a 75-draw buffer, and its metric is better early).
#[test]
fn stan_adaptation_is_kept_and_nutpie_warms_up_with_fewer_gradients() {
    let s = scales();
    let stan = SamplerSettings { seed: 4, threads: 2, ..Default::default() };
    assert_eq!(stan.adapt.method, AdaptMethod::Stan, "Stan's adaptation is the default");
    let nutpie = SamplerSettings { adapt: nutpie(), ..stan.clone() };
    let run_n = run_memory(scaled_gaussian(s.clone()), &nutpie);
    let run_s = run_memory(scaled_gaussian(s.clone()), &stan);
    for c in &run_s.chains {
        let Some(InvMetric::Diag(inv)) = &c.inv_metric else { panic!("diagonal metric expected") };
        for (v, si) in inv.iter().zip(&s) {
            // Stan's estimate: the last window's draws only (500), regularised.
            assert!((v / (si * si) - 1.0).abs() < 0.3, "stan: inverse metric {v} for variance {}", si * si);
        }
    }
    let warm = |r: &RunResult| r.chains.iter().map(|c| c.warmup_gradient_evals).sum::<u64>();
    assert!(warm(&run_n) < warm(&run_s), "warmup gradients: nutpie {} vs stan {}", warm(&run_n), warm(&run_s));
    // The two runs differ (the method is really switched).
    assert_ne!(run_n.chains[0].inv_metric, run_s.chains[0].inv_metric);
}

/// A dense metric with nutpie's adaptation is refused with a clear message.
#[test]
fn nutpie_adaptation_with_a_dense_metric_is_an_error() {
    let settings = SamplerSettings { metric: MetricKind::Dense, adapt: nutpie(), ..Default::default() };
    match settings.validate() {
        Err(RunError::InvalidSettings(m)) => assert!(m.contains("diagonal"), "{m}"),
        other => panic!("expected an invalid-settings error, got {other:?}"),
    }
    let stan = SamplerSettings { adapt: AdaptSettings::default(), ..settings };
    assert!(stan.validate().is_ok());
}

/// nutpie's adaptation keeps the seed contract: the same draws whatever the
/// number of threads, and a different seed gives different draws.
#[test]
fn nutpie_adaptation_draws_do_not_depend_on_threads() {
    let s = scales();
    let one = SamplerSettings { seed: 12, threads: 1, warmup: 200, draws: 100, adapt: nutpie(), ..Default::default() };
    let two = SamplerSettings { threads: 2, ..one.clone() };
    let a = run_memory(scaled_gaussian(s.clone()), &one);
    let b = run_memory(scaled_gaussian(s.clone()), &two);
    assert_eq!(a.draws().chains, b.draws().chains);
    let grads = |r: &RunResult| r.chains.iter().map(|c| c.gradient_evals).collect::<Vec<_>>();
    assert_eq!(grads(&a), grads(&b));
    let c = run_memory(scaled_gaussian(s), &SamplerSettings { seed: 13, ..two });
    assert_ne!(a.draws().chains, c.draws().chains);
}
