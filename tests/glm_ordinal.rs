//! `binomial_logit_glm` and `ordered_logistic_glm` end to end: equal to
//! the two densities written out in plain Stan, JIT = interpreter and
//! gradient = finite differences, a simulated data set fitted back, every
//! form Stan has against the density of its linear predictor, and the
//! errors of bad calls.

mod common;
use common::hbmc;
use hbmc::model::{Engine, Model, ModelError};
use hbmc_compiler::bind::read_source;

/// `tests/stan_corpus/NAME`.
fn corpus(name: &str) -> std::path::PathBuf {
    common::root().join("tests/stan_corpus").join(name)
}

fn source(name: &str) -> String {
    std::fs::read_to_string(corpus(name)).expect("corpus program")
}

/// glm_ordinal.stan and glm_ordinal_by_hand.stan (the binomial and
/// ordered logistic log densities written out with `lchoose`,
/// `log1p_exp` and `inv_logit`) have the same parameters: their log
/// densities and gradients agree at 20 random points, in both engines.
#[test]
fn the_glms_equal_their_densities_written_out() {
    let data = [corpus("glm_ordinal.json")];
    for engine in [Engine::Jit, Engine::Interpreter] {
        let bind = |name: &str| Model::compile(name, &source(name)).expect("compiles").bind_files(&data, engine).expect("binds");
        let (glm, by_hand) = (bind("glm_ordinal.stan"), bind("glm_ordinal_by_hand.stan"));
        assert_eq!(glm.dim(), by_hand.dim());
        let (mut a, mut b) = (glm.evaluator(), by_hand.evaluator());
        let mut rng = hbmc_stdlib::ChainRng::new(5, 0);
        let dim = glm.dim();
        for point in 0..20 {
            let x: Vec<f64> = (0..dim).map(|_| 4.0 * rng.uniform() - 2.0).collect();
            let (mut ga, mut gb) = (vec![0.0; dim], vec![0.0; dim]);
            let la = a.log_density_gradient(&x, &mut ga).expect("GLM density");
            let lb = b.log_density_gradient(&x, &mut gb).expect("written-out density");
            assert!((la - lb).abs() <= 1e-10 * lb.abs().max(1.0), "{engine:?} point {point}: {la} vs {lb}");
            for i in 0..dim {
                let scale = ga[i].abs().max(gb[i].abs()).max(1.0);
                assert!((ga[i] - gb[i]).abs() <= 1e-10 * scale, "{engine:?} point {point}, d/dx[{i}]: {} vs {}", ga[i], gb[i]);
            }
        }
    }
}

/// JIT = interpreter and gradient = finite differences at 20 points.
#[test]
fn the_glms_pass_the_oracles() {
    common::oracle::check_example("glm_ordinal", &source("glm_ordinal.stan"), &[corpus("glm_ordinal.json")]).expect("oracles");
}

/// The coefficients and cutpoints make_glm_ordinal.py simulated with are
/// recovered (each within 4 posterior sds of its posterior mean), and at
/// every draw each other form of the two GLMs (one row vector, one
/// outcome for every row, one row for every outcome, a vector `alpha`)
/// equals the density of its linear predictor.
#[test]
fn a_simulated_binomial_and_ordinal_regression_is_recovered() {
    let dir = common::scratch("glm-ordinal-fit");
    let out = hbmc(
        &dir,
        &["run", &corpus("glm_ordinal.stan").display().to_string(), "--data", &corpus("glm_ordinal.json").display().to_string(),
          "--chains", "2", "--warmup", "300", "--draws", "300", "--seed", "5", "--quiet", "--output", "fit"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csvs: Vec<_> = (1..=2)
        .map(|c| hbmc_runtime::read_cmdstan_csv(dir.join(format!("fit_{c}.csv"))).expect("chain read back"))
        .collect();
    let column = |name: &str| -> Vec<f64> {
        csvs.iter().flat_map(|c| c.draws[c.column_index(name).unwrap_or_else(|| panic!("no column {name}"))].clone()).collect()
    };
    let truths = [
        ("alpha", -0.3), ("beta.1", 0.8), ("beta.2", 0.4), ("gamma.1", 1.0), ("gamma.2", -0.5),
        ("cuts.1", -1.0), ("cuts.2", 0.5), ("cuts.3", 2.0),
    ];
    for (name, truth) in truths {
        let v = column(name);
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
        assert!((mean - truth).abs() < 4.0 * sd, "{name}: posterior mean {mean} (sd {sd}), truth {truth}");
    }
    for check in ["one_bin", "rows_bin", "one_ord", "same_y_ord", "same_x_ord"] {
        let v = column(check);
        assert!(v.iter().all(|d| d.abs() < 1e-9), "{check}: {:?}", &v[..3]);
    }
}

/// The codes and messages of every error `source` gives at `hbmc check`.
fn errors(source: &str) -> Vec<(&'static str, String)> {
    let fe = hbmc_compiler::front_end(source);
    fe.diagnostics.iter().filter(|d| d.is_error()).map(|d| (d.code, d.message.clone())).collect()
}

fn edited(from: &str, to: &str) -> String {
    let s = source("glm_ordinal.stan");
    assert!(s.contains(from), "{from}");
    s.replacen(from, to, 1)
}

#[test]
fn bad_glm_calls_are_refused() {
    // The trials left out.
    let e = errors(&edited("binomial_logit_glm(trials, x, alpha, beta);", "binomial_logit_glm(x, alpha, beta);"));
    assert!(e.len() == 1 && e[0].0 == "E1002" && e[0].1.contains("takes 4 arguments after `|`, but 3 are given"), "{e:?}");
    // An intercept given to ordered_logistic_glm, which has none.
    let e = errors(&edited("ordered_logistic_glm_lupmf(y_ord | x, gamma, cuts)", "ordered_logistic_glm_lupmf(y_ord | x, alpha, gamma, cuts)"));
    assert!(e.len() == 1 && e[0].0 == "E1002" && e[0].1.contains("takes 3 arguments"), "{e:?}");
    // x a vector.
    let e = errors(&edited("ordered_logistic_glm_lupmf(y_ord | x, gamma, cuts)", "ordered_logistic_glm_lupmf(y_ord | gamma, gamma, cuts)"));
    assert!(e.len() == 1 && e[0].1.contains("it must be a matrix"), "{e:?}");
    // Stan has no draw from a GLM.
    let e = errors(&edited("real one_bin =", "array[N] int draw = binomial_logit_glm_rng(trials, x, alpha, beta);\n  real one_bin ="));
    assert!(e.len() == 1 && e[0].0 == "E1003" && e[0].1.contains("Stan has no draw from a GLM"), "{e:?}");
}

/// Sizes that disagree, known once the data are bound, are refused before
/// sampling (E5003): coefficients that do not match the columns of `x`,
/// and outcomes that do not match its rows.
#[test]
fn sizes_that_disagree_are_refused_with_the_data() {
    let data = read_source("d.json", &std::fs::read_to_string(corpus("glm_ordinal.json")).expect("data")).expect("reads");
    let refused = |src: &str| {
        let model = Model::compile("m", src).expect("checks");
        match model.bind(std::slice::from_ref(&data), Engine::Interpreter) {
            Err(ModelError::Diagnostics(d)) => d.iter().map(|d| (d.code, d.message.clone())).collect::<Vec<_>>(),
            _ => panic!("not refused"),
        }
    };
    let d = refused(&edited("vector[K] gamma;", "vector[K + 1] gamma;"));
    assert!(d.iter().any(|(c, m)| *c == "E5003" && m.contains("columns")), "{d:?}");
    let d = refused(&edited("y_bin ~ binomial_logit_glm(trials, x, alpha, beta);", "y_bin[2:N] ~ binomial_logit_glm(trials[2:N], x, alpha, beta);"));
    assert!(d.iter().any(|(c, _)| *c == "E5003"), "{d:?}");
    let d = refused(&edited("ordered_logistic_glm_lupmf(y_ord | x, gamma, cuts)", "ordered_logistic_glm_lupmf(y_ord[2:N] | x, gamma, cuts)"));
    assert!(d.iter().any(|(c, _)| *c == "E5003"), "{d:?}");
}
