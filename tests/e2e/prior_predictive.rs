//! MODELS.md 4: prior and posterior predictive draws (`y_rep`) of the
//! Electric Company models. `hbmc run --prior` drops the likelihood, so
//! the draws are of the prior and `y_rep` is prior predictive. Under
//! electric_intercept's priors (all N(0, 1) or half-N(0, 1), z_alpha
//! standard normal) a classroom's standardised y_rep has mean 0 and
//! variance Var(mu_alpha) + E[sigma_alpha^2] + t Var(theta) + x^2 Var(beta_x)
//! + E[sigma_y^2] = 3 + t + x^2: the closed form the draws must match.

use crate::common;
use common::fit;

/// The standardised pre_test (population sd, as the model's transformed
/// data) and treatment of each classroom.
fn electric_x_t() -> Vec<(f64, f64)> {
    let (pre, t) = (common::electric_numbers("pre_test"), common::electric_numbers("treatment"));
    let mean = pre.iter().sum::<f64>() / pre.len() as f64;
    let sd = common::population_sd(&pre);
    pre.iter().zip(t).map(|(p, t)| ((p - mean) / sd, t)).collect()
}

#[test]
fn prior_predictive_draws_match_the_closed_form() {
    let data = ["examples/data/electric.csv"];
    let prior = fit("electric_intercept", &data, &["--prior"], 4);
    assert_eq!(prior.divergences, 0.0, "prior sampling diverged");
    let rows = electric_x_t();
    for i in [0, 1, 50, 100, 150, 191] {
        let (x, t) = rows[i];
        let row = prior.row(&format!("y_rep.{}", i + 1));
        let sd = (3.0 + t + x * x).sqrt();
        // The mean within 4 Monte Carlo errors; the sd within 10% (its own
        // Monte Carlo error is a few percent for these heavy-tailed sums of
        // products).
        assert!(row.mean.abs() < 4.0 * row.mcse_mean, "y_rep[{}]: prior predictive mean {} (mcse {})", i + 1, row.mean, row.mcse_mean);
        assert!((row.sd / sd - 1.0).abs() < 0.1, "y_rep[{}]: prior predictive sd {}, closed form {sd}", i + 1, row.sd);
    }
    // The posterior predictive of the same classroom is far narrower: the
    // data pin it down.
    let posterior = fit("electric_intercept", &data, &["--adapt-delta", "0.9"], 4);
    let (p, q) = (prior.row("y_rep.1").sd, posterior.row("y_rep.1").sd);
    assert!(q < p / 3.0, "posterior predictive sd {q} should be far below the prior predictive {p}");
}

#[test]
fn covariance_models_sample_their_priors() {
    for model in ["electric_covariance", "electric_covariance_lkj"] {
        let prior = fit(model, &["examples/data/electric.csv"], &["--prior"], 4);
        assert_eq!(prior.divergences, 0.0, "{model}: prior sampling diverged");
        // sigma_y ~ half-N(0, 1): mean sqrt(2 / pi).
        let row = prior.row("sigma_y.1");
        let expected = (2.0 / std::f64::consts::PI).sqrt();
        assert!((row.mean - expected).abs() < 4.0 * row.mcse_mean, "{model}: prior mean of sigma_y {} vs {expected}", row.mean);
        assert!(prior.row("y_rep.1").sd > 0.5, "{model}: y_rep is not drawn from the prior");
    }
}
