//! Stan's `reduce_sum` and `reduce_sum_static` end to end: equal to the
//! same model written without them (their value is the partial sum over
//! the whole array), JIT = interpreter and gradient = finite differences,
//! a simulated regression fitted back, and the errors of bad calls.

mod common;
use common::hbmc;
use hbmc::model::{Engine, Model};
use hbmc_compiler::bind::read_source;

/// `tests/stan_corpus/NAME`.
fn corpus(name: &str) -> std::path::PathBuf {
    common::root().join("tests/stan_corpus").join(name)
}

fn source(name: &str) -> String {
    std::fs::read_to_string(corpus(name)).expect("corpus program")
}

/// reduce_sum.stan and reduce_sum_by_hand.stan have the same parameters,
/// so the same unconstrained point: their log densities and gradients
/// agree at 20 random points, in both engines.
#[test]
fn reduce_sum_equals_the_same_model_in_plain_stan() {
    let data = [corpus("reduce_sum.json")];
    for engine in [Engine::Jit, Engine::Interpreter] {
        let bind = |name: &str| Model::compile(name, &source(name)).expect("compiles").bind_files(&data, engine).expect("binds");
        let (reduced, by_hand) = (bind("reduce_sum.stan"), bind("reduce_sum_by_hand.stan"));
        assert_eq!(reduced.dim(), by_hand.dim());
        let (mut a, mut b) = (reduced.evaluator(), by_hand.evaluator());
        let mut rng = hbmc_stdlib::ChainRng::new(7, 0);
        let dim = reduced.dim();
        for point in 0..20 {
            let x: Vec<f64> = (0..dim).map(|_| 4.0 * rng.uniform() - 2.0).collect();
            let (mut ga, mut gb) = (vec![0.0; dim], vec![0.0; dim]);
            let la = a.log_density_gradient(&x, &mut ga).expect("reduce_sum density");
            let lb = b.log_density_gradient(&x, &mut gb).expect("plain density");
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
fn reduce_sum_passes_the_oracles() {
    common::oracle::check_example("reduce_sum", &source("reduce_sum.stan"), &[corpus("reduce_sum.json")]).expect("oracles");
}

/// The regression of make_reduce_sum.py (beta = (0.3, -1.2), a = 1, b =
/// 0.5, sigma = 0.7) is recovered: each truth within 4 posterior sds of
/// its posterior mean. The generated quantities' `reduce_sum` of a
/// normalised `_lpdf` equals `normal_lpdf` of the whole array at every draw.
#[test]
fn a_simulated_regression_through_reduce_sum_is_recovered() {
    let dir = common::scratch("reduce-sum-fit");
    let out = hbmc(
        &dir,
        &["run", &corpus("reduce_sum.stan").display().to_string(), "--data", &corpus("reduce_sum.json").display().to_string(),
          "--chains", "2", "--warmup", "300", "--draws", "300", "--seed", "5", "--quiet", "--output", "fit"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csvs: Vec<_> = (1..=2)
        .map(|c| hbmc_runtime::read_cmdstan_csv(dir.join(format!("fit_{c}.csv"))).expect("chain read back"))
        .collect();
    let column = |name: &str| -> Vec<f64> {
        csvs.iter().flat_map(|c| c.draws[c.column_index(name).unwrap_or_else(|| panic!("no column {name}"))].clone()).collect()
    };
    for (name, truth) in [("beta.1", 0.3), ("beta.2", -1.2), ("a", 1.0), ("b", 0.5), ("sigma", 0.7)] {
        let v = column(name);
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
        assert!((mean - truth).abs() < 4.0 * sd, "{name}: posterior mean {mean} (sd {sd}), truth {truth}");
    }
    let check = column("ll_check");
    assert!(check.iter().all(|v| v.abs() < 1e-9), "reduce_sum of normal_lpdf vs normal_lpdf: {:?}", &check[..3]);
}

/// The codes of every error `source` gives.
fn error_codes(source: &str) -> Vec<(&'static str, String)> {
    let fe = hbmc_compiler::front_end(source);
    fe.diagnostics.iter().filter(|d| d.is_error()).map(|d| (d.code, d.message.clone())).collect()
}

/// reduce_sum.stan with `from` replaced by `to` (which must occur).
fn edited(from: &str, to: &str) -> String {
    let s = source("reduce_sum.stan");
    assert!(s.contains(from), "{from}");
    s.replacen(from, to, 1)
}

#[test]
fn a_partial_sum_with_the_wrong_signature_is_refused() {
    let cases = [
        // start as a real
        (edited("y_slice, int start, int end, vector x, vector beta", "y_slice, real start, int end, vector x, vector beta"), "start and end"),
        // the slice not an array
        (edited("real partial_normal(array[] real y_slice", "real partial_normal(real y_slice"), "must be an array"),
        // one shared argument too many
        (edited("y_real, 1, x, a, b, sigma", "y_real, 1, x, a, b, sigma, sigma"), "takes 4 shared argument(s)"),
        // a vector result
        (edited("real partial_normal(", "vector partial_normal(").replace("return normal_lpdf(y_slice | a + b * x[start:end], sigma);", "return x;"), "must return `real`"),
    ];
    for (src, why) in cases {
        let errors = error_codes(&src);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, "E0013", "{errors:?}");
        assert!(errors[0].1.contains(why), "{why}: {}", errors[0].1);
    }
}

#[test]
fn shared_arguments_must_have_the_declared_types() {
    // `beta` (a vector) where `real a` is declared: refused as such, not
    // as whatever the body then does with it.
    let errors = error_codes(&edited("y_real, 1, x, a, b, sigma", "y_real, 1, x, beta, b, sigma"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "E1002");
    assert!(errors[0].1.contains("declares `real a`"), "{}", errors[0].1);
    // The sliced array of the wrong element type.
    let errors = error_codes(&edited("reduce_sum(partial_bernoulli_lupmf, y_bin,", "reduce_sum(partial_bernoulli_lupmf, y_real,"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].1.contains("sliced argument") && errors[0].1.contains("array[] int"), "{}", errors[0].1);
    // A real grainsize.
    let errors = error_codes(&edited("y_real, 1, x", "y_real, 1.5, x"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].1.contains("grainsize") && errors[0].1.contains("`int`"), "{}", errors[0].1);
}

#[test]
fn bad_calls_are_refused() {
    // A grainsize below 1 written in the program.
    let errors = error_codes(&edited("y_real, 1, x", "y_real, 0, x"));
    assert!(errors.len() == 1 && errors[0].1.contains("at least 1, but is 0"), "{errors:?}");
    // Not a user function.
    let errors = error_codes(&edited("reduce_sum_static(partial_normal,", "reduce_sum_static(normal_lpdf,"));
    assert!(errors.len() == 1 && errors[0].1.contains("must name a function of the `functions` block"), "{errors:?}");
    // `_lupdf` outside the model block.
    let errors = error_codes(&edited("reduce_sum(partial_normal_lpdf,", "reduce_sum(partial_normal_lupdf,"));
    assert!(errors.len() == 1 && errors[0].0 == "E0013" && errors[0].1.contains("only in the model block"), "{errors:?}");
    // Too few arguments.
    let errors = error_codes(&edited("reduce_sum_static(partial_normal, y_real, 1, x, a, b, sigma)", "reduce_sum_static(partial_normal, y_real)"));
    assert!(errors.len() == 1 && errors[0].1.contains("takes `(f, x, grainsize, ...)`"), "{errors:?}");
}

/// A grainsize from the data below 1 rejects the evaluation with Stan's
/// reason, in both engines.
#[test]
fn a_grainsize_below_one_in_the_data_rejects_the_evaluation() {
    let model = Model::compile("g", &edited("int<lower=1> grainsize;", "int grainsize;")).expect("compiles");
    let json = std::fs::read_to_string(corpus("reduce_sum.json")).expect("data").replace("\"grainsize\": 16", "\"grainsize\": 0");
    let data = read_source("d.json", &json).expect("reads");
    for engine in [Engine::Jit, Engine::Interpreter] {
        let bound = model.bind(std::slice::from_ref(&data), engine).expect("binds");
        let err = bound.evaluator().log_density(&vec![0.1; bound.dim()]).expect_err("rejected");
        assert!(err.message.contains("reduce_sum: grainsize must be at least 1, but is 0"), "{engine:?}: {}", err.message);
    }
}
