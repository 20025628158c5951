//! A `log` taken in parts where that saves a call, when the IR is built
//! (`FnBuilder::log_parts`): `log(exp(z))` is `z`; `log(a / exp(z))` and
//! `log(a * exp(z))` are `log a ∓ z`, with `log a` taken once when `a` is
//! the same for every element; `log(c ? 1 : y)` is `c ? 0 : log y`, whose
//! `log y` of data goes into a table; `log(inv_logit(z))` and
//! `log1m(inv_logit(z))` are one call each, `log_inv_logit(z)` and
//! `log1m_inv_logit(z)`. On 1,000-observation loops: 1.39x
//! fewer instructions per gradient on a heteroskedastic normal with scale
//! `exp(c + d x)`, 1.63-1.73x on a gamma regression with a log link
//! (BENCHMARKS.md, "A log in parts"). Each program is also checked by the
//! JIT = interpreter and gradient = finite-difference oracles.

use crate::common;

use common::calls;

/// The `log` calls inside the gradient's loops (one per element).
fn logs_in_loops(ir: &str) -> usize {
    let mut depth = 0usize;
    let mut n = 0;
    for line in ir.lines() {
        let t = line.trim();
        if t.starts_with("for ") {
            depth += 1;
        } else if t == "}" {
            depth = depth.saturating_sub(1);
        } else if depth > 0 && t.contains("call hbm_log(") {
            n += 1;
        }
    }
    n
}

const XS: &str = r#"{"N": 4, "x": [0.3, -1.1, 0.8, 2.0]}"#;

const EXP_SCALE_MODEL: &str = r#"
data { int N; vector[N] x; }
parameters { real a; real c; real d; }
model {
  a ~ normal(0, 1); c ~ normal(0, 1); d ~ normal(0, 1);
  for (n in 1:N) x[n] ~ normal(a, exp(c + d * n));
  target += log(exp(a - c));
}
"#;

#[test]
fn the_log_of_an_exp_is_its_argument() {
    common::oracle::check_example_json("log_of_exp", EXP_SCALE_MODEL, XS).unwrap_or_else(|e| panic!("{e}"));
    let ir = common::gradient_ir(EXP_SCALE_MODEL, XS);
    assert!(calls(&ir, "hbm_exp") >= 1, "the scale's exp is taken:\n{ir}");
    assert_eq!(calls(&ir, "hbm_log"), 0, "a log of an exp is taken:\n{ir}");
}

const GAMMA_MODEL: &str = r#"
data { int N; vector[N] x; vector[N] y; }
parameters { real a; real b; real<lower=0> phi; }
model {
  a ~ normal(0, 1); b ~ normal(0, 1); phi ~ gamma(2, 1);
  for (n in 1:N) y[n] ~ gamma(phi, phi / exp(a + b * x[n]));
  y ~ gamma(phi + 1, (phi + 1) * exp(-a - b * x));
  target += log(2.5 * exp(a)) + log(phi / 4);
}
"#;

const GAMMA_DATA: &str = r#"{"N": 5, "x": [0.3, -1.1, 0.8, 2.0, -0.2], "y": [1.2, 0.4, 2.5, 7.1, 0.9]}"#;

#[test]
fn a_gamma_regressions_rate_takes_no_log_per_element() {
    common::oracle::check_example_json("log_parts_gamma", GAMMA_MODEL, GAMMA_DATA).unwrap_or_else(|e| panic!("{e}"));
    let ir = common::gradient_ir(GAMMA_MODEL, GAMMA_DATA);
    assert_eq!(logs_in_loops(&ir), 0, "a log per element:\n{ir}");
}

/// Where a side's log is not free, the one `log` call stays: the
/// parts would take two.
#[test]
fn a_product_of_two_parameters_keeps_one_log() {
    const M: &str = r#"
data { int N; vector[N] x; }
parameters { real<lower=0> s; real<lower=0> t; }
model { s ~ gamma(2, 1); t ~ gamma(2, 1); target += log(s * t) - s * t; }
"#;
    common::oracle::check_example_json("log_parts_kept", M, XS).unwrap_or_else(|e| panic!("{e}"));
    let ir = common::gradient_ir(M, XS);
    assert_eq!(calls(&ir, "hbm_log"), 1, "log(s * t) in parts:\n{ir}");
}

const INV_LOGIT_MODEL: &str = r#"
data { int N; vector[N] x; }
parameters { real a; real b; }
model {
  a ~ normal(0, 1); b ~ normal(0, 1);
  for (n in 1:N) target += (x[n] > 0) * log(inv_logit(a + b * x[n])) + (x[n] <= 0) * log1m(inv_logit(a + b * x[n]));
}
"#;

const LOGIT_MODEL: &str = r#"
data { int N; vector[N] x; }
parameters { real a; real b; }
model {
  a ~ normal(0, 1); b ~ normal(0, 1);
  for (n in 1:N) (x[n] > 0) ~ bernoulli_logit(a + b * x[n]);
}
"#;

#[test]
fn the_log_of_an_inv_logit_is_one_call() {
    common::oracle::check_example_json("log_inv_logit", INV_LOGIT_MODEL, XS).unwrap_or_else(|e| panic!("{e}"));
    let ir = common::gradient_ir(INV_LOGIT_MODEL, XS);
    assert_eq!(calls(&ir, "hbm_log") + calls(&ir, "hbm_log1m") + calls(&ir, "hbm_inv_logit"), 0, "log of inv_logit in two calls:\n{ir}");
    assert!(calls(&ir, "hbm_log_inv_logit") + calls(&ir, "hbm_log_inv_logit_grad") >= 1, "no log_inv_logit:\n{ir}");
    for engine in [hbmc::model::Engine::Jit, hbmc::model::Engine::Interpreter] {
        let bind = |s: &str| common::oracle::bind_json("log_inv_logit", s, XS, engine).unwrap_or_else(|e| panic!("{e}"));
        common::corpus::assert_same_density_bound("log(inv_logit(.))", &bind(INV_LOGIT_MODEL), "bernoulli_logit", &bind(LOGIT_MODEL), 3, 1e-9);
    }
}
