//! `gaussian_dlm_obs` (the Kalman filter, `syntax/dlm.rs`), `V` a matrix
//! or a vector of variances: JIT = interpreter and gradient = finite
//! differences, equal at every draw of a fit to the multivariate normal
//! density of all the observations at once (built from the model's
//! definition in generated quantities), `~` and `_lupdf` without the
//! constant `-r T log(2 pi) / 2` that `_lpdf` keeps, and bad arguments
//! refused.

use crate::common;
use common::corpus::{self, errors, source};
use hbmc::model::{Engine, Model};
use hbmc_compiler::bind::read_source;

/// JIT = interpreter and gradient = finite differences at 20 points.
#[test]
fn the_kalman_filter_passes_the_oracles() {
    common::oracle::check_example("gaussian_dlm_obs", &source("gaussian_dlm_obs.stan"), &[corpus::path("gaussian_dlm_obs.json")])
        .expect("oracles");
}

/// At every draw, each form equals the direct multivariate normal density.
#[test]
fn the_filter_equals_the_joint_multivariate_normal() {
    let fit = corpus::fit("gaussian_dlm_obs.stan", "gaussian_dlm_obs.json");
    for (form, direct) in [("matrix_form", "matrix_direct"), ("vector_form", "vector_direct")] {
        let (a, b) = (fit.column(form), fit.column(direct));
        assert!(!a.is_empty());
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() <= 1e-9 * y.abs().max(1.0), "{form} {x} vs {direct} {y}");
        }
    }
}

/// `~` (and `_lupdf`) drop `-r T log(2 pi) / 2`, as Stan's do; `_lpdf`
/// keeps it: the two programs' log densities differ by exactly that at
/// every point (r = 2 observations at T = 4 times).
#[test]
fn tilde_drops_the_constant_that_lpdf_keeps() {
    let base = source("gaussian_dlm_obs.stan");
    let tilde = "y ~ gaussian_dlm_obs(F, G, diag_matrix(rep_vector(square(sigma), 2)) + 0.1, W, m0, C0);";
    assert!(base.contains(tilde));
    let lpdf = base.replace(tilde, "target += gaussian_dlm_obs_lpdf(y | F, G, diag_matrix(rep_vector(square(sigma), 2)) + 0.1, W, m0, C0);");
    let data = read_source("d.json", &std::fs::read_to_string(corpus::path("gaussian_dlm_obs.json")).expect("data")).expect("reads");
    let bind = |src: &str| Model::compile("dlm", src).expect("compiles").bind(std::slice::from_ref(&data), Engine::Jit).expect("binds");
    let (a, b) = (bind(&base), bind(&lpdf));
    let (mut ea, mut eb) = (a.evaluator(), b.evaluator());
    let constant = -0.5 * 2.0 * 4.0 * (2.0 * std::f64::consts::PI).ln();
    for k in 0..5 {
        let x: Vec<f64> = (0..a.dim()).map(|i| 0.3 * (i as f64) - 0.2 * k as f64).collect();
        let (la, lb) = (ea.log_density(&x).expect("tilde"), eb.log_density(&x).expect("lpdf"));
        assert!((lb - la - constant).abs() < 1e-9, "{lb} - {la} != {constant}");
    }
}

#[test]
fn bad_arguments_are_refused() {
    let base = source("gaussian_dlm_obs.stan");
    // V an array.
    let e = errors(&base.replace("gaussian_dlm_obs_lupdf(z | H, G, square(tau), W, m0, C0)", "gaussian_dlm_obs_lupdf(z | H, G, {1.0, 2.0}, W, m0, C0)"));
    assert!(e.len() == 1 && e[0].0 == "E1002" && e[0].1.contains("needs `V` a matrix or a vector"), "{e:?}");
    // y a vector.
    let e = errors("parameters { vector[2] y; } model { target += gaussian_dlm_obs_lpdf(y | [[1, 0], [0, 1]], [[1, 0], [0, 1]], [1, 1]', [[1, 0], [0, 1]], [0, 0]', [[1, 0], [0, 1]]); }");
    assert!(e.len() == 1 && e[0].1.contains("needs `y` a matrix, but it is `vector"), "{e:?}");
    // C0 left out.
    let e = errors(&base.replacen("square(tau), W, m0, C0)", "square(tau), W, m0)", 1));
    assert!(e.len() == 1 && e[0].1.contains("takes 6 arguments after `|`, but 5 are given"), "{e:?}");
    // F of the wrong size for y: refused when the data are bound (E5003),
    // pointing at the program's use of the distribution, not inside the
    // filter.
    let wrong = base.replace("y ~ gaussian_dlm_obs(F, G,", "y ~ gaussian_dlm_obs(H, G,");
    let data = read_source("d.json", &std::fs::read_to_string(corpus::path("gaussian_dlm_obs.json")).expect("data")).expect("reads");
    let Err(hbmc::model::ModelError::Diagnostics(d)) = Model::compile("dlm", &wrong).expect("compiles").bind(&[data], Engine::Interpreter) else {
        panic!("not refused");
    };
    let at = wrong.find("y ~ gaussian_dlm_obs(H").expect("use");
    assert!(
        d.iter().any(|d| d.code == "E5003" && d.labels.iter().all(|l| l.span.start == at) && d.notes.iter().any(|n| n.contains("Kalman filter"))),
        "{d:?}"
    );
}
