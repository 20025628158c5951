//! The log density up to a constant (`DensityOptions::propto`, BridgeStan's
//! `propto=true`): sampling statements and `_lupdf`/`_lupmf` drop the terms
//! Stan's math library drops (`include_summand`), and nothing else.
//!
//! Oracles: the dropped amount (full minus propto) written by hand from
//! Stan's term lists for each distribution and the data; the propto value
//! itself written by hand for a few models; on examples, the difference is
//! the same at every point and the gradients are equal; the reference
//! interpreter computes the same propto density as the JIT.

use hbmc::model::{BoundModel, DensityOptions, Engine, Model};
use hbmc_stdlib::special::{lchoose, lgamma, HALF_LN_2PI};
use std::path::PathBuf;

/// The model bound to JSON data, with the log density `propto` and
/// `jacobian` ask for.
fn bind(source: &str, json: &str, propto: bool, jacobian: bool, engine: Engine) -> BoundModel {
    let model = Model::compile("propto_test", source).unwrap_or_else(|e| panic!("{e:?}\n{source}"));
    let sources = if json.is_empty() { Vec::new() } else { vec![hbmc::bind::read_source("data.json", json).expect("valid JSON data")] };
    model
        .bind_with_density(&sources, engine, DensityOptions { jacobian, propto })
        .unwrap_or_else(|e| panic!("{e:?}\n{source}"))
}

/// Log density and gradient at `theta`.
fn eval(b: &BoundModel, theta: &[f64]) -> (f64, Vec<f64>) {
    let mut e = b.evaluator();
    let mut g = vec![0.0; b.dim()];
    let lp = e.log_density_gradient(theta, &mut g).expect("evaluates");
    let lp_only = e.log_density(theta).expect("evaluates");
    assert!((lp - lp_only).abs() <= 1e-12 * lp.abs().max(1.0), "{lp} vs {lp_only}");
    (lp, g)
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 1e-10 * a.abs().max(b.abs()).max(1.0), "{what}: {a} vs {b}");
}

/// A few points of the unconstrained space.
fn points(dim: usize) -> Vec<Vec<f64>> {
    [0.3, -0.7, 1.1].iter().map(|&s| (0..dim).map(|i| 0.8 * (0.9 * i as f64 + 3.0 * s).sin()).collect()).collect()
}

/// Checks, without Jacobians, that propto minus full is `removed` (minus
/// the sum of the dropped terms) at every point, that the gradients are equal, and that propto's value is
/// `propto_value(theta)` when one is given.
/// The propto density written by hand, at an unconstrained point.
type Closed<'a> = &'a dyn Fn(&[f64]) -> f64;

fn check(source: &str, json: &str, removed: f64, propto_value: Option<Closed<'_>>) {
    let full = bind(source, json, false, false, Engine::Jit);
    let propto = bind(source, json, true, false, Engine::Jit);
    let interpreted = bind(source, json, true, false, Engine::Interpreter);
    for theta in points(full.dim()) {
        let (lf, gf) = eval(&full, &theta);
        let (lp, gp) = eval(&propto, &theta);
        let (li, gi) = eval(&interpreted, &theta);
        close(lp, li, &format!("JIT vs interpreter on\n{source}"));
        for (a, b) in gp.iter().zip(&gi) {
            close(*a, *b, &format!("JIT vs interpreter gradient on\n{source}"));
        }
        close(lp - lf, removed, &format!("dropped terms of\n{source}\nat {theta:?}"));
        for (a, b) in gf.iter().zip(&gp) {
            close(*a, *b, &format!("gradient of\n{source}"));
        }
        if let Some(v) = propto_value {
            close(lp, v(&theta), &format!("propto value of\n{source}\nat {theta:?}"));
        }
    }
}

const Y: [f64; 4] = [0.3, -1.2, 2.0, 0.9];
const S: [f64; 4] = [0.5, 1.5, 2.0, 0.8];

#[test]
fn normal_drops_log_sqrt_two_pi_always_and_log_sigma_when_sigma_is_data() {
    let json = r#"{"N": 4, "y": [0.3, -1.2, 2.0, 0.9], "s": [0.5, 1.5, 2.0, 0.8]}"#;
    // Data scale: both constants go; the propto density is -z²/2 alone.
    let data_scale = "data { int N; vector[N] y; vector<lower=0>[N] s; } parameters { real mu; } model { y ~ normal(mu, s); }";
    let dropped: f64 = S.iter().map(|s| HALF_LN_2PI + s.ln()).sum();
    let value = |t: &[f64]| -> f64 { Y.iter().zip(&S).map(|(y, s)| -0.5 * ((y - t[0]) / s).powi(2)).sum() };
    check(data_scale, json, dropped, Some(&value));
    // The same, one element at a time: the dropped terms read the loop
    // variable, so they are computed in the log density (elsewhere they
    // are computed once, with the transformed data).
    let in_loop = "data { int N; vector[N] y; vector<lower=0>[N] s; } parameters { real mu; } model { for (i in 1:N) y[i] ~ normal(mu, s[i]); }";
    check(in_loop, json, dropped, Some(&value));
    // A parameter scale keeps -log σ.
    let param_scale = "data { int N; vector[N] y; } parameters { real mu; real<lower=0> sigma; } model { y ~ normal(mu, sigma); }";
    let value = |t: &[f64]| -> f64 {
        let sigma = t[1].exp();
        Y.iter().map(|y| -sigma.ln() - 0.5 * ((y - t[0]) / sigma).powi(2)).sum()
    };
    check(param_scale, json, 4.0 * HALF_LN_2PI, Some(&value));
    // A real local of the model block is an autodiff value in Stan, even
    // when it holds a number: -log s is kept.
    let local_scale = "data { int N; vector[N] y; } parameters { real mu; } model { real s = 2; y ~ normal(mu, s); }";
    check(local_scale, json, 4.0 * HALF_LN_2PI, None);
}

#[test]
fn discrete_distributions_drop_their_combinatorial_constants() {
    let k = [0i64, 3, 1, 7];
    let n = [4i64, 5, 2, 9];
    let json = r#"{"N": 4, "k": [0, 3, 1, 7], "n": [4, 5, 2, 9], "x": [0.3, -1.2, 2.0, 0.9]}"#;
    let decl = "data { int N; array[N] int k; array[N] int n; vector[N] x; }";
    let poisson = format!("{decl} parameters {{ real<lower=0> lambda; }} model {{ k ~ poisson(lambda); }}");
    let value = |t: &[f64]| -> f64 { k.iter().map(|&k| k as f64 * t[0] - t[0].exp()).sum() };
    check(&poisson, json, k.iter().map(|&k| lgamma(k as f64 + 1.0)).sum(), Some(&value));
    let poisson_log = format!("{decl} parameters {{ real a; }} model {{ k ~ poisson_log(a + x); }}");
    check(&poisson_log, json, k.iter().map(|&k| lgamma(k as f64 + 1.0)).sum(), None);
    let binomial = format!("{decl} parameters {{ real<lower=0, upper=1> theta; }} model {{ k ~ binomial(n, theta); }}");
    let choose: f64 = k.iter().zip(&n).map(|(&k, &n)| lchoose(n as f64, k as f64)).sum();
    check(&binomial, json, -choose, None);
    check(&format!("{decl} parameters {{ real a; }} model {{ k ~ binomial_logit(n, a); }}"), json, -choose, None);
    // Every term of bernoulli depends on its probability: nothing drops.
    let bernoulli = "data { int N; array[N] int z; vector[N] x; } parameters { real a; real b; } model { z ~ bernoulli_logit(a + b * x); }";
    check(bernoulli, r#"{"N": 4, "z": [0, 1, 1, 0], "x": [0.3, -1.2, 2.0, 0.9]}"#, 0.0, None);
    // neg_binomial_2 with a data φ drops ln C(n + φ - 1, n) only.
    let phi = 2.5;
    let nb = format!("{decl} parameters {{ real<lower=0> mu; }} model {{ k ~ neg_binomial_2(mu, 2.5); }}");
    let value = |t: &[f64]| -> f64 {
        let mu = t[0].exp();
        k.iter().map(|&k| k as f64 * mu.ln() - phi * (mu / phi).ln_1p() - k as f64 * (mu + phi).ln()).sum()
    };
    check(&nb, json, -k.iter().map(|&k| lchoose(k as f64 + phi - 1.0, k as f64)).sum::<f64>(), Some(&value));
}

/// The distributions added for issue 13 drop Stan's terms: each model
/// has one parameter and data for the rest, so the dropped amount is the
/// term list of Stan's math library (`include_summand`) on the data.
#[test]
fn later_distributions_drop_the_terms_stan_drops() {
    let y = [0.3f64, 1.2, 2.0, 0.9];
    let k = [0i64, 3, 1, 7];
    let json = r#"{"N": 4, "y": [0.3, 1.2, 2.0, 0.9], "p": [0.3, 0.6, 0.2, 0.9], "k": [0, 3, 1, 7]}"#;
    let decl = "data { int N; vector[N] y; vector[N] p; array[N] int k; }";
    let model = |params: &str, statement: &str| format!("{decl} parameters {{ {params} }} model {{ {statement} }}");
    let sum_ln_y: f64 = y.iter().map(|y| y.ln()).sum();
    let (ln2, ln_2pi) = (std::f64::consts::LN_2, (2.0 * std::f64::consts::PI).ln());
    let cases: Vec<(String, f64)> = vec![
        // -½ log 2π and -log ω
        (model("real xi;", "y ~ skew_normal(xi, 1.5, 0.7);"), 4.0 * (HALF_LN_2PI + 1.5f64.ln())),
        // -log 2 and log λ
        (model("real mu;", "y ~ exp_mod_normal(mu, 1.5, 0.7);"), 4.0 * (ln2 - 0.7f64.ln())),
        // log α and -(α + 1) log y; α log y_min stays with y_min
        (model("real<lower=0, upper=0.3> m;", "y ~ pareto(m, 2.5);"), -(4.0 * 2.5f64.ln() - 3.5 * sum_ln_y)),
        // log α and -log λ
        (model("real<upper=0.3> mu;", "y ~ pareto_type_2(mu, 1.5, 2.5);"), -4.0 * (2.5f64.ln() - 1.5f64.ln())),
        // log α and -(α + 1) log y; α log σ stays with σ
        (model("real<lower=0> sigma;", "y ~ frechet(2.5, sigma);"), -(4.0 * 2.5f64.ln() - 3.5 * sum_ln_y)),
        // log β - β log α, for a parameter variate
        (model("real<lower=0> z;", "z ~ loglogistic(1.5, 2.5);"), -(2.5f64.ln() - 2.5 * 1.5f64.ln())),
        // -(ν/2 log 2 + lgamma(ν/2)), for a parameter variate
        (model("real<lower=0> z;", "z ~ chi_square(3.5);"), 1.75 * ln2 + lgamma(1.75)),
        (model("real<lower=0> z;", "z ~ inv_chi_square(3.5);"), 1.75 * ln2 + lgamma(1.75)),
        // ν/2 log(ν/2) - lgamma(ν/2) and -(ν/2 + 1) log y; ν log s stays
        (
            model("real<lower=0> s;", "y ~ scaled_inv_chi_square(3.5, s);"),
            -(4.0 * (1.75 * 1.75f64.ln() - lgamma(1.75)) - 2.75 * sum_ln_y),
        ),
        // -log 2π and -log I0(κ)
        (
            model("real mu;", "y ~ von_mises(mu, 2.0);"),
            4.0 * (ln_2pi + hbmc_stdlib::bessel::log_bessel_i0(2.0)),
        ),
        // lgamma(κ); the terms of μ stay
        (model("real<lower=0, upper=1> mu;", "p ~ beta_proportion(mu, 5.0);"), -4.0 * lgamma(5.0)),
        // ln C(n + α - 1, n)
        (
            model("real<lower=0> b;", "k ~ neg_binomial(2.5, b);"),
            -k.iter().map(|&k| lchoose(k as f64 + 1.5, k as f64)).sum::<f64>(),
        ),
        // -lgamma(n + 1)
        (
            model("real<lower=0> r;", "k ~ beta_neg_binomial(r, 2.0, 3.0);"),
            k.iter().map(|&k| lgamma(k as f64 + 1.0)).sum::<f64>(),
        ),
        // Only int arguments: the whole density goes.
        (model("real mu;", "mu ~ normal(0, 1); k ~ discrete_range(0, 10);"), HALF_LN_2PI + 4.0 * 11f64.ln()),
    ];
    for (source, removed) in &cases {
        check(source, json, *removed, None);
    }
    // multi_normal_prec with a data precision Ω: -K/2 ln 2π and ½ ln|Ω| go.
    let mvn = "data { vector[2] z; matrix[2, 2] W; } parameters { vector[2] mu; } model { z ~ multi_normal_prec(mu, W); }";
    let det = 2.0 * 1.0 - 0.3 * 0.3;
    check(mvn, r#"{"z": [0.4, -1.0], "W": [[2, 0.3], [0.3, 1]]}"#, ln_2pi - 0.5 * f64::ln(det), None);
    // dirichlet_multinomial with a parameter α: ln N - Σ ln n_k goes.
    let dm = "data { array[3] int n; } parameters { simplex[3] s; } model { n ~ dirichlet_multinomial(3 * s); }";
    check(dm, r#"{"n": [3, 0, 5]}"#, -(8f64.ln() - 3f64.ln() - 5f64.ln()), None);
}

#[test]
fn terms_of_several_arguments_drop_only_when_all_of_them_are_data() {
    let json = r#"{"N": 4, "y": [0.3, 1.2, 2.0, 0.9], "a": 1.7, "nu": 4.5, "s": 0.8}"#;
    let y: [f64; 4] = [0.3, 1.2, 2.0, 0.9];
    let decl = "data { int N; vector<lower=0>[N] y; real a; real nu; real s; }";
    // gamma(a, β) with data a: -lgamma(a) and (a-1) log y go; a log β and
    // -β y stay.
    let gamma = format!("{decl} parameters {{ real<lower=0> beta; }} model {{ y ~ gamma(a, beta); }}");
    let dropped: f64 = y.iter().map(|y| lgamma(1.7) - 0.7 * y.ln()).sum();
    let value = |t: &[f64]| -> f64 {
        let beta = t[0].exp();
        y.iter().map(|y| 1.7 * beta.ln() - beta * y).sum()
    };
    check(&gamma, json, dropped, Some(&value));
    // student_t with data ν and σ: all but the kernel go.
    let student = format!("{decl} parameters {{ real mu; }} model {{ y ~ student_t(nu, mu, s); }}");
    let nu: f64 = 4.5;
    let per = 0.5 * std::f64::consts::PI.ln() - (lgamma((nu + 1.0) / 2.0) - lgamma(nu / 2.0) - 0.5 * nu.ln()) + 0.8f64.ln();
    let value = |t: &[f64]| -> f64 { y.iter().map(|y| -(nu + 1.0) / 2.0 * (((y - t[0]) / 0.8f64).powi(2) / nu).ln_1p()).sum() };
    check(&student, json, 4.0 * per, Some(&value));
    // beta(a, b) with data a: -lgamma(a) and (a-1) log y go; lgamma(a+b)
    // stays.
    let beta_src = "data { int N; vector<lower=0, upper=1>[N] p; } parameters { real<lower=0> b; } model { p ~ beta(1.7, b); }";
    let p = [0.2, 0.5, 0.9, 0.35];
    let dropped: f64 = p.iter().map(|p: &f64| lgamma(1.7) - 0.7 * p.ln()).sum();
    let value = |t: &[f64]| -> f64 {
        let b = t[0].exp();
        p.iter().map(|p: &f64| -lgamma(b) + (b - 1.0) * (-p).ln_1p() + lgamma(1.7 + b)).sum()
    };
    check(beta_src, r#"{"N": 4, "p": [0.2, 0.5, 0.9, 0.35]}"#, dropped, Some(&value));
    // lognormal with a data σ: -log √(2π), -log σ and -log y go.
    let lognormal = format!("{decl} parameters {{ real mu; }} model {{ y ~ lognormal(mu, s); }}");
    let dropped: f64 = y.iter().map(|y| HALF_LN_2PI + 0.8f64.ln() + y.ln()).sum();
    check(&lognormal, json, dropped, None);
    // exponential with a parameter rate and data y: nothing goes.
    check(&format!("{decl} parameters {{ real<lower=0> r; }} model {{ y ~ exponential(r); }}"), json, 0.0, None);
}

#[test]
fn target_plus_lpdf_keeps_everything_and_lupdf_and_data_only_statements_drop() {
    let json = r#"{"N": 4, "y": [0.3, -1.2, 2.0, 0.9], "x": 0.6}"#;
    let source = "data { int N; vector[N] y; real x; } parameters { real mu; } model {\n\
                  x ~ normal(0, 1);\n\
                  target += normal_lpdf(y | mu, 1);\n\
                  target += normal_lupdf(y | mu, 2);\n}";
    let dropped = (HALF_LN_2PI + 0.5 * 0.36) + 4.0 * (HALF_LN_2PI + 2f64.ln());
    check(source, json, dropped, None);
    // Truncation: a statement on data alone drops its density but keeps
    // the normalisation by the interval's probability (ln 2 here).
    let truncated = "data { real x; } parameters { real mu; } model { mu ~ normal(0, 1); x ~ normal(0, 1) T[0, ]; }";
    check(truncated, json, HALF_LN_2PI + (HALF_LN_2PI + 0.5 * 0.36), Some(&|t: &[f64]| -0.5 * t[0] * t[0] + 2f64.ln()));
}

#[test]
fn user_densities_pass_propto_to_their_lupdf_calls_as_stan_does() {
    // `y ~ foo(...)` and `foo_lupdf` call the body up to a constant, so its
    // `normal_lupdf` drops; `foo_lpdf` calls it normalised, so it keeps.
    let json = r#"{"N": 4, "y": [0.3, -1.2, 2.0, 0.9]}"#;
    let source = "functions { real foo_lpdf(vector y, real mu) { return normal_lupdf(y | mu, 2); }\n\
                  real bar_lpdf(vector y, real mu) { real lp = 0; for (i in 1:2) { lp += 0.5 * foo_lupdf(y | mu); } return lp; } }\n\
                  data { int N; vector[N] y; } parameters { real mu; } model {\n\
                  y ~ foo(mu);\n\
                  target += foo_lpdf(y | mu);\n\
                  target += foo_lupdf(y | mu);\n\
                  target += bar_lpdf(y | mu);\n\
                  target += bar_lupdf(y | mu);\n}";
    let per = 4.0 * (HALF_LN_2PI + 2f64.ln());
    check(source, json, 3.0 * per, None);
}

#[test]
fn multivariate_densities_drop_their_data_constants() {
    // multi_normal_cholesky with a data factor: -K/2 log 2π and -Σ log L_ii
    // per vector.
    let json = r#"{"y": [[0.3, -1.2], [2.0, 0.9]], "L": [[1.5, 0.0], [0.4, 0.7]], "alpha": [1.5, 2.0, 3.5], "eta": 2.5}"#;
    let mvn = "data { array[2] vector[2] y; cholesky_factor_cov[2] L; } parameters { vector[2] mu; } model { y ~ multi_normal_cholesky(mu, L); }";
    check(mvn, json, 2.0 * (2.0 * HALF_LN_2PI + 1.5f64.ln() + 0.7f64.ln()), None);
    let mvn_cov = "data { array[2] vector[2] y; cholesky_factor_cov[2] L; } parameters { vector[2] mu; } model { y ~ multi_normal(mu, multiply_lower_tri_self_transpose(L)); }";
    check(mvn_cov, json, 2.0 * (2.0 * HALF_LN_2PI + 1.5f64.ln() + 0.7f64.ln()), None);
    // With a parameter scale only -K/2 log 2π per vector goes.
    let mvn_param = "data { array[2] vector[2] y; } parameters { vector[2] mu; cholesky_factor_corr[2] L; } model { y ~ multi_normal_cholesky(mu, L); }";
    check(mvn_param, json, 2.0 * 2.0 * HALF_LN_2PI, None);
    // dirichlet with a data α: lgamma(Σα) - Σ lgamma(α).
    let dirichlet = "data { vector[3] alpha; } parameters { simplex[3] theta; } model { theta ~ dirichlet(alpha); }";
    check(dirichlet, json, -(lgamma(7.0) - lgamma(1.5) - lgamma(2.0) - lgamma(3.5)), None);
    // lkj_corr_cholesky with a data η: its normalising constant, which is
    // the whole density at the identity (the unconstrained origin).
    let lkj = "data { real eta; } parameters { cholesky_factor_corr[3] L; } model { L ~ lkj_corr_cholesky(eta); }";
    let full = bind(lkj, json, false, false, Engine::Jit);
    let constant = eval(&full, &vec![0.0; full.dim()]).0;
    assert!(constant.abs() > 0.1, "the LKJ constant of η = 2.5, K = 3 is not 0");
    check(lkj, json, -constant, None);
    // multinomial: the coefficient lgamma(1 + Σn) - Σ lgamma(n + 1).
    let multinomial = "data { array[3] int n; } parameters { simplex[3] theta; } model { n ~ multinomial(theta); }";
    let dropped = lgamma(1.0 + 9.0) - lgamma(3.0) - lgamma(4.0) - lgamma(5.0);
    check(multinomial, r#"{"n": [2, 3, 4]}"#, -dropped, None);
}

/// Every example with its data file (`// data:` line).
fn examples() -> Vec<(String, String, PathBuf)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for name in ["electric_intercept", "variance_components", "multilevel_logit", "electric_covariance_lkj", "panel_wages_random", "quantile_treatment"] {
        let source = std::fs::read_to_string(root.join(format!("examples/{name}.hbm"))).expect("example");
        let data = source.lines().find_map(|l| l.trim().strip_prefix("// data:")).expect("a data line").trim().to_string();
        out.push((name.to_string(), source, root.join(data)));
    }
    out
}

/// On examples: propto differs from the full density by the same amount at
/// every point, with the same gradient, and the interpreter agrees with the
/// JIT on the propto density.
#[test]
fn on_examples_propto_is_a_constant_shift_with_the_same_gradient() {
    for (name, source, data) in examples() {
        let model = Model::compile(&name, &source).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let sources = hbmc::model::read_data_files(&[data]).expect("data");
        let full = model.bind(&sources, Engine::Jit).expect("binds");
        let propto = model.bind_with_density(&sources, Engine::Jit, DensityOptions { jacobian: true, propto: true }).expect("binds");
        let mut shift = None;
        for theta in points(full.dim()) {
            let (lf, gf) = eval(&full, &theta);
            let (lp, gp) = eval(&propto, &theta);
            let d = lf - lp;
            let first = *shift.get_or_insert(d);
            assert!((d - first).abs() <= 1e-9 * lf.abs().max(1.0), "{name}: shift {d} here, {first} at the first point");
            for (i, (a, b)) in gf.iter().zip(&gp).enumerate() {
                assert!((a - b).abs() <= 1e-9 * a.abs().max(1.0), "{name}: gradient {i}: {a} vs {b}");
            }
        }
        assert!(shift.is_some_and(|s| s != 0.0), "{name}: every example drops some constant");
        if name == "electric_intercept" || name == "electric_covariance_lkj" {
            let interp = model.bind_with_density(&sources, Engine::Interpreter, DensityOptions { jacobian: true, propto: true }).expect("binds");
            for theta in points(full.dim()) {
                let (a, ga) = eval(&propto, &theta);
                let (b, gb) = eval(&interp, &theta);
                assert!((a - b).abs() <= 1e-10 * b.abs().max(1.0), "{name}: JIT {a} vs interpreter {b}");
                for (p, q) in ga.iter().zip(&gb) {
                    assert!((p - q).abs() <= 1e-10 * q.abs().max(1.0), "{name}: gradient {p} vs {q}");
                }
            }
        }
    }
}
