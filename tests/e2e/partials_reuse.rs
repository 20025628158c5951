//! Value and partial of a library call taken once where the gradient
//! needs both. `exp(x)`'s partial is its own value (no second `exp` in
//! the reverse sweep). A loop whose reverse computes its terms (a fused
//! likelihood loop) takes `log1p_exp`, the negative binomial's coefficient
//! and the like through their `_grad` forms, value and partial in one call
//! (2.3x fewer instructions per gradient on a negative-binomial
//! regression with the coefficient's product form; BENCHMARKS.md, "Value
//! and partial in one call"); where a recomputed loop needs the partial
//! alone, the cheaper `_d<k>` call is kept. Values and gradients are
//! checked by the JIT = interpreter and gradient = finite-difference
//! oracles on each program.

use crate::common;

use common::calls;

const EXP_MODEL: &str = r#"
data { int N; vector[N] x; }
parameters { real a; real<lower=0> s; }
model {
  target += -exp(a) + a;
  s ~ exponential(1);
  x ~ normal(a, s);
}
"#;

const XS: &str = r#"{"N": 4, "x": [0.3, -1.1, 0.8, 2.0]}"#;

#[test]
fn the_partial_of_exp_is_its_value() {
    common::oracle::check_example_json("exp_partial", EXP_MODEL, XS).unwrap_or_else(|e| panic!("{e}"));
    let ir = common::gradient_ir(EXP_MODEL, XS);
    assert!(calls(&ir, "hbm_exp") >= 1, "the forward sweep takes exp(a):\n{ir}");
    assert_eq!(calls(&ir, "hbm_exp_d1"), 0, "the reverse sweep takes exp(a) again:\n{ir}");
}

const NB_MODEL: &str = r#"
data { int N; vector[N] x; array[N] int y; }
parameters { real a; real b; real<lower=0> phi; }
model {
  a ~ normal(0, 2); b ~ normal(0, 2); phi ~ gamma(2, 0.5);
  for (n in 1:N) {
    y[n] ~ neg_binomial_2_log(a + b * x[n], phi);
    target += log_inv_logit(a - x[n]);
  }
}
"#;

const NB_DATA: &str = r#"{"N": 6, "x": [0.3, -1.1, 0.8, 2.0, -0.4, 1.3], "y": [0, 3, 1, 12, 0, 40]}"#;

#[test]
fn a_fused_loop_takes_value_and_partial_in_one_call() {
    common::oracle::check_example_json("nb_grad_forms", NB_MODEL, NB_DATA).unwrap_or_else(|e| panic!("{e}"));
    let ir = common::gradient_ir(NB_MODEL, NB_DATA);
    for (grad, d) in [
        ("hbm_log1p_exp_grad", "hbm_log1p_exp_d1"),
        ("hbm_nb_lchoose_grad", "hbm_nb_lchoose_d2"),
        ("hbm_log_inv_logit_grad", "hbm_log_inv_logit_d1"),
    ] {
        assert_eq!(calls(&ir, grad), 1, "one `{grad}` in the loop:\n{ir}");
        assert_eq!(calls(&ir, d), 0, "`{d}` beside `{grad}`:\n{ir}");
    }
}

const TRANSFORMED_MODEL: &str = r#"
data { int N; vector[N] x; }
parameters { real a; }
transformed parameters {
  vector[N] z;
  for (n in 1:N) z[n] = log1p_exp(a * x[n]) + inv_logit(a - x[n]);
}
model { a ~ normal(0, 1); x ~ normal(z, 1); }
"#;

#[test]
fn a_recomputed_loop_that_needs_the_partial_alone_calls_it_alone() {
    common::oracle::check_example_json("partials_alone", TRANSFORMED_MODEL, XS).unwrap_or_else(|e| panic!("{e}"));
    let ir = common::gradient_ir(TRANSFORMED_MODEL, XS);
    // The forward loop takes values and partials in one `_grad` call each
    // and keeps the partials on call tapes, even over 4 iterations
    // (`value_tape::MIN_CALL_SLOTS`); the reverse loop, which took the
    // partials alone (`_d1`: log1p_exp's one `exp`, inv_logit's one
    // `exp`), loads them and calls nothing.
    assert!(ir.contains("work.tape.calls."), "{ir}");
    for f in ["hbm_log1p_exp", "hbm_inv_logit"] {
        assert_eq!(calls(&ir, &format!("{f}_d1")), 0, "{ir}");
        assert_eq!(calls(&ir, &format!("{f}_grad")), 1, "{ir}");
        assert_eq!(calls(&ir, f), 0, "{ir}");
    }
}

/// Survey_model's shape: a mixture over `n` whose components are sums of
/// density terms. The reverse sweep's recomputation of an iteration added
/// the terms into the scratch sum again, which nothing reads then (the
/// forward sweep added it to the target; the adjoint of a sum does not
/// need it): those additions, and the library calls that made them, go
/// (`ad/prune.rs`); the reverse loop took each density's partial alone
/// (no logarithms), and now loads it: the loop runs 30 times, enough for
/// the forward sweep to keep its calls' partials (`ad/value_tape.rs`).
/// Before, each term was computed three more times in the reverse sweep,
/// by its `_grad` call each time.
const MIXTURE_OVER_N: &str = r#"
data { int nmax; int m; array[m] int k; array[m] int z; }
parameters { real<lower=0, upper=1> theta; }
transformed parameters {
  vector[nmax] lp;
  for (n in 1:nmax) {
    if (n < max(k))
      lp[n] = negative_infinity();
    else
      lp[n] = binomial_lpmf(k | n, theta) + bernoulli_lpmf(z | theta / 2);
  }
}
model { target += log_sum_exp(lp); }
"#;

const MIXTURE_DATA: &str = r#"{"nmax": 30, "m": 3, "k": [5, 7, 9], "z": [0, 1, 1]}"#;

#[test]
fn a_recomputed_sum_of_density_terms_nothing_reads_goes() {
    common::oracle::check_example_json("mixture_over_n", MIXTURE_OVER_N, MIXTURE_DATA).unwrap_or_else(|e| panic!("{e}"));
    let ir = common::gradient_ir(MIXTURE_OVER_N, MIXTURE_DATA);
    for density in ["hbm_binomial_uncounted_lpmf", "hbm_bernoulli_lpmf"] {
        let partial = if density.starts_with("hbm_binomial") { "_d3" } else { "_d2" };
        // One call in all: the forward sweep's, value and partial.
        assert_eq!(calls(&ir, &format!("{density}_grad")), 1, "the forward sweep's `{density}_grad`:\n{ir}");
        assert_eq!(calls(&ir, density), 0, "`{density}` without its partial:\n{ir}");
        assert_eq!(calls(&ir, &format!("{density}{partial}")), 0, "the reverse sweep's partial alone:\n{ir}");
    }
}
