//! The check of MODELS.md for seed 003 (hierarchical heterogeneous
//! effects): on data simulated by `hbmc simulate` with chosen true values
//! (the command in the example's header), the fit recovers lambda, how each
//! modifier changes the effect, and theta, each group's intercept.

use crate::common;
use common::{assert_near, assert_recovers, fit, read_json, truth_columns};

#[test]
fn heterogeneous_effects_recovers_lambda_and_theta() {
    let model = "heterogeneous_effects";
    let f = fit(model, &["examples/data/heterogeneous_effects.json"], &[], 2003);
    let truth = read_json("examples/data/heterogeneous_effects.truth.json");
    assert_recovers(model, &f, &truth, &["alpha", "alpha_g", "beta", "lambda", "sigma_theta", "theta", "sigma"]);
    // Each treated group's effect against the control group (group 1).
    let theta = truth_columns("theta", &truth["theta"]);
    for (k, (_, t)) in theta.iter().enumerate().skip(1) {
        assert_near(model, &f, &format!("effect.{}", k + 1), t - theta[0].1);
    }
    // The modifiers' effects are learned, not the prior's: the posterior
    // sd of each lambda is well below the prior's 1.
    for m in 1..=3 {
        let sd = f.row(&format!("lambda.{m}")).sd;
        assert!(sd < 0.5, "lambda[{m}]: posterior sd {sd} is hardly below the prior's");
    }
}
