//! Run-time lengths of many distinct values passed whole to functions
//! (docs/language.md, "Run-time lengths"): the corpus programs
//! `ragged_many_choice` (200 set sizes) and `ragged_many_intercepts` (60
//! group sizes), which the corpus oracles also check (JIT = interpreter,
//! gradient = finite differences), against a closed form and a known
//! truth; and the gradient of the copies per length saving nothing of the
//! copies not taken.

use crate::common;
use common::corpus;
use hbmc::model::Engine;

/// The log density of `ragged_many_intercepts` at `(mu, log_tau,
/// log_sigma)` in closed form: group g's observations are normal with
/// covariance sigma^2 I + tau^2 J, whose determinant is sigma^(2(n-1))
/// (sigma^2 + n tau^2) and whose inverse is (I - tau^2 / (sigma^2 + n
/// tau^2) J) / sigma^2 (Sherman-Morrison).
fn intercepts_closed_form(n: &[usize], y: &[f64], theta: [f64; 3]) -> f64 {
    let (mu, tau2, sigma2) = (theta[0], (2.0 * theta[1]).exp(), (2.0 * theta[2]).exp());
    let mut pos = 0;
    let mut total = 0.0;
    for &k in n {
        let r: Vec<f64> = y[pos..pos + k].iter().map(|v| v - mu).collect();
        pos += k;
        let kf = k as f64;
        let big = sigma2 + kf * tau2;
        let log_det = (kf - 1.0) * sigma2.ln() + big.ln();
        let (ss, s) = (r.iter().map(|v| v * v).sum::<f64>(), r.iter().sum::<f64>());
        let quad = (ss - tau2 / big * s * s) / sigma2;
        total += -0.5 * (kf * (2.0 * std::f64::consts::PI).ln() + log_det + quad);
    }
    total
}

/// 60 groups of 60 distinct sizes (twice the 32 copies hbmc allowed
/// before, E5001 on 7aac5c9): `multi_normal_cholesky` of each group's
/// `segment`, compiled once per size, gives the closed-form likelihood in
/// the JIT and the interpreter.
#[test]
fn sixty_group_sizes_give_the_closed_form_likelihood() {
    let source = corpus::source("ragged_many_intercepts.stan");
    let data_text = std::fs::read_to_string(corpus::path("ragged_many_intercepts.json")).expect("data");
    let data = common::read_json(&corpus::path("ragged_many_intercepts.json").display().to_string());
    let n: Vec<usize> = data["n"].as_array().expect("n").iter().map(|v| v.as_u64().expect("int") as usize).collect();
    let y: Vec<f64> = data["y"].as_array().expect("y").iter().map(|v| v.as_f64().expect("number")).collect();
    let mut distinct = n.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 60);
    for engine in [Engine::Jit, Engine::Interpreter] {
        let bound = common::oracle::bind_json("ragged-many-intercepts", &source, &data_text, engine).unwrap_or_else(|e| panic!("binds: {e}"));
        let mut eval = bound.evaluator();
        for theta in [[2.0, (0.8f64).ln(), (0.4f64).ln()], [1.5, 0.3, -1.2], [2.4, -0.7, -0.5]] {
            let got = eval.log_density(&theta).expect("evaluates");
            let want = intercepts_closed_form(&n, &y, theta);
            assert!((got - want).abs() <= 1e-9 * want.abs(), "{engine:?} at {theta:?}: {got} vs closed form {want}");
        }
    }
}

/// 200 choice sets of 200 distinct sizes (2 to 201 alternatives) recover
/// the coefficient `make_ragged_many.py` simulated with.
#[test]
fn two_hundred_set_sizes_recover_the_coefficient() {
    let fit = corpus::fit("ragged_many_choice.stan", "ragged_many_choice.json");
    fit.assert_recovers(&[("b", 1.0)]);
    let b = fit.column("b");
    let mean = b.iter().sum::<f64>() / b.len() as f64;
    // 200 sets of up to 201 alternatives pin b down closely.
    assert!((mean - 1.0).abs() < 0.25, "posterior mean of b {mean}");
}

/// The gradient keeps no copy of a buffer around the copies per length
/// (`.before` snapshots): each copy's locals are written before they are
/// read, so its reverse recomputes them from any value. On 7aac5c9 every
/// iteration copied every copy's matrices, taken or not (35 ms per
/// gradient for 64 group sizes, 3.5 ms now: BENCHMARKS.md, 2026-12-07).
#[test]
fn the_gradient_saves_nothing_around_the_copies() {
    let source = corpus::source("ragged_many_intercepts.stan");
    let data = r#"{"G": 3, "n": [7, 9, 8], "N": 24, "y": [4.3, 1.3, 2.4, 2.1, 2.8, 0.6, 1.6, 1.2, 0.9, 1.2, 1.5, 1.7,
                                                        1.1, 2.4, 1.5, -1.2, 3.2, 1.6, 1.3, 2.3, 2.2, 2.1, 1.1, 2.2]}"#;
    let ir = common::gradient_ir(&source, data);
    // Three copies, each differentiating its own density.
    assert_eq!(common::calls(&ir, "hbm_multi_normal_cholesky_lpdf_adj"), 3, "{ir}");
    assert!(!ir.contains(".before"), "{ir}");
}
