//! Counts through rising factorials, and partials nobody reads left out.
//!
//! `dirichlet_multinomial(n | alpha)` is lowered as ln N! - Σ ln n_k! +
//! Σ ln alpha_k^(n_k) - ln A^(N) (`compiler/src/lower/dirichlet_multinomial.rs`):
//! with counts (data) the reverse sweep takes `log_rising_factorial`'s
//! x-partial alone, a sum of reciprocals, where Stan's form took `lbeta`'s
//! value and partials (`lgamma`s and `digamma`s of the parameters) twice
//! per count (BENCHMARKS.md, "dirichlet_multinomial through rising
//! factorials": 4.4x fewer instructions per gradient on the posteriordb
//! program). A `_grad` call of which one partial is read becomes that
//! partial's `_d<k>` call: `pow(x, c)` with data `c` takes no `ln x`.
//! Values and gradients are checked by the JIT = interpreter and
//! gradient = finite-difference oracles.

use crate::common;

use common::calls;

const DM_MODEL: &str = r#"
data { int N; int K; array[N, K] int y; }
parameters { simplex[K] p; real<lower=0> conc; }
model {
  conc ~ gamma(2, 0.1);
  for (n in 1:N) y[n] ~ dirichlet_multinomial(conc * p);
}
"#;

// A zero count, a row of zeros (N = 0) and a count of 40 (past the
// 32 factors the stdlib multiplies out: the lgamma difference).
const DM_DATA: &str = r#"{"N": 4, "K": 3, "y": [[6, 11, 0], [0, 0, 0], [9, 3, 8], [40, 1, 2]]}"#;

#[test]
fn dirichlet_multinomial_takes_the_rising_factorials_partial_alone() {
    common::oracle::check_example_json("dm_rising", DM_MODEL, DM_DATA).unwrap_or_else(|e| panic!("{e}"));
    let ir = common::gradient_ir(DM_MODEL, DM_DATA);
    for gone in ["hbm_lbeta", "hbm_lbeta_grad", "hbm_lbeta_d1", "hbm_log_rising_factorial_d2", "hbm_lgamma_d1", "hbm_digamma"] {
        assert_eq!(calls(&ir, gone), 0, "`{gone}` in the gradient:\n{ir}");
    }
    // The reverse loop over the counts takes the x-partial alone; the
    // row's ln A^(N), in the fused loop over rows, value and partials in
    // one call.
    assert_eq!(calls(&ir, "hbm_log_rising_factorial_d1"), 1, "{ir}");
    assert_eq!(calls(&ir, "hbm_log_rising_factorial_grad"), 1, "{ir}");
}

#[test]
fn dirichlet_multinomial_is_stans_lbeta_form() {
    // ln N - Σ ln n_k + lbeta(A, N) - Σ_{n_k > 0} lbeta(a_k, n_k), with
    // the stdlib's lbeta (itself checked against mpmath), in both engines.
    let source = r#"
data { array[3] int y; vector[3] a; }
parameters { real mu; }
model { mu ~ normal(0, 1); }
generated quantities { real lp = dirichlet_multinomial_lpmf(y | a); }
"#;
    use hbmc_stdlib::special::lbeta;
    let cases = [([6.0, 11.0, 0.0], [0.3, 1.7, 2.5]), ([40.0, 1.0, 2.0], [12.5, 0.01, 3.0]), ([1.0, 0.0, 0.0], [1e-3, 5.0, 7.0]), ([3.0, 2.0, 5.0], [1e7, 2e6, 3.5])];
    for (y, a) in cases {
        let data = format!(r#"{{"y": [{}, {}, {}], "a": [{:e}, {:e}, {:e}]}}"#, y[0], y[1], y[2], a[0], a[1], a[2]);
        let n: f64 = y.iter().sum();
        let a_sum: f64 = a.iter().sum();
        let mut want = n.ln() + lbeta(a_sum, n);
        for k in 0..3 {
            if y[k] > 0.0 {
                want -= y[k].ln() + lbeta(a[k], y[k]);
            }
        }
        for (engine, out) in common::oracle::draw_in_both_engines("dm_value", source, &data, &[0.0], 1) {
            let got = out.value("lp");
            assert!((got - want).abs() <= 1e-11 * want.abs().max(1.0), "{engine:?} y {y:?}, a {a:?}: {got} vs Stan's form {want}");
        }
    }
}

const MULTINOMIAL_MODEL: &str = r#"
data { int K; array[K] int y; }
parameters { vector[K] eta; }
model { eta ~ normal(0, 1); y ~ multinomial_logit(eta); }
"#;

#[test]
fn multinomial_takes_no_derivative_of_its_data_factorials() {
    let data = r#"{"K": 3, "y": [4, 0, 7]}"#;
    common::oracle::check_example_json("multinomial_counts", MULTINOMIAL_MODEL, data).unwrap_or_else(|e| panic!("{e}"));
    let ir = common::gradient_ir(MULTINOMIAL_MODEL, data);
    assert_eq!(calls(&ir, "hbm_lgamma_d1"), 0, "d lgamma(N + 1) / dN of the data N:\n{ir}");
}

const POW_MODEL: &str = r#"
data { real c; vector[3] x; }
parameters { real<lower=0> s; real b; }
model {
  target += -pow(s, c) + pow(s, b) - b * b;
  x ~ normal(0, s);
}
"#;

#[test]
fn pow_with_a_data_exponent_takes_no_log() {
    let data = r#"{"c": 1.7, "x": [0.3, -1.2, 0.8]}"#;
    common::oracle::check_example_json("pow_data_exponent", POW_MODEL, data).unwrap_or_else(|e| panic!("{e}"));
    let ir = common::gradient_ir(POW_MODEL, data);
    // pow(s, c): the base's partial alone; pow(s, b): both partials.
    assert_eq!(calls(&ir, "hbm_pow_d1"), 1, "{ir}");
    assert_eq!(calls(&ir, "hbm_pow_grad"), 1, "{ir}");
    assert_eq!(calls(&ir, "hbm_pow_d2"), 0, "{ir}");
}
