//! Work a density's terms share, done once or not at all. A normal density
//! whose scale is `exp(z)` (`y ~ normal(0, exp(h / 2))`, the stochastic
//! volatility model's likelihood) takes `log σ` as `z`: no `log` call per
//! term in the gradient (it was 18% of that gradient's time at T = 1000).
//! A truncated density with scalar parameters computes its normalisation
//! once, not per element (2.4x on `truncated_normal.stan`). Values and
//! gradients are checked by the oracles on the corpus programs
//! (`stochastic_volatility.stan`, `truncated_normal.stan`).

use crate::common;

#[test]
fn the_log_of_an_exponential_scale_is_not_computed() {
    let data = std::fs::read_to_string(common::root().join("tests/stan_corpus/timeseries.json")).expect("data");
    let source = std::fs::read_to_string(common::root().join("tests/stan_corpus/stochastic_volatility.stan")).expect("model");
    let logs = |ir: &str| ir.matches("call hbm_log(").count();
    let ir = common::gradient_ir(&source, &data);
    assert!(ir.contains("call hbm_exp("), "the scale is still exp(h / 2)");
    // The same density with the scale as a variable takes its log (the
    // other logs are the bounds' and the priors').
    let named = source.replace("y ~ normal(0, exp(h / 2));", "vector[N] s = exp(h / 2);\n  y ~ normal(0, s);");
    assert_ne!(named, source);
    let with_log = logs(&common::gradient_ir(&named, &data));
    assert!(with_log > logs(&ir), "a log of the exponential scale is computed ({} logs, {with_log} with the scale named)", logs(&ir));
}

/// The indentation of the first line of `ir` holding `what` (the printer
/// indents a loop's body by two more spaces than the loop).
fn depth_of(ir: &str, what: &str) -> usize {
    let line = ir.lines().find(|l| l.contains(what)).unwrap_or_else(|| panic!("no `{what}` in\n{ir}"));
    line.len() - line.trim_start().len()
}

#[test]
fn a_truncation_with_scalar_parameters_is_normalised_once() {
    let data = r#"{"N": 5, "y": [0.5, 1.2, 0.1, 2.5, 0.7], "L": 0.0}"#;
    let model = |sigma: &str| {
        format!(
            "data {{ int N; vector[N] y; real L; }}\nparameters {{ real mu; vector<lower=0>[N] s; }}\n\
             model {{ mu ~ normal(0, 1); s ~ lognormal(0, 1); y ~ normal(mu, {sigma}) T[L, ]; }}\n"
        )
    };
    // Scalar parameters: the lccdf before the loop over y.
    let once = common::gradient_ir(&model("s[1]"), data);
    let per_element = common::gradient_ir(&model("s"), data);
    let call = "hbm_normal_lccdf";
    assert!(depth_of(&once, call) < depth_of(&once, "hbm_normal_lpdf"), "the normalisation is computed per element:\n{once}");
    // A vector scale: one per element, inside the loop.
    assert_eq!(depth_of(&per_element, call), depth_of(&per_element, "hbm_normal_lpdf"));
}
