//! A normal density whose scale is `exp(z)` (`y ~ normal(0, exp(h / 2))`,
//! the stochastic volatility model's likelihood) takes `log σ` as `z`:
//! no `log` call per term in the gradient (it was 18% of that gradient's
//! time at T = 1000). The value and gradient are checked by the oracles
//! on `tests/stan_corpus/stochastic_volatility.stan`.

mod common;

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
