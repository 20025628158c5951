//! The public embedding API (`hbmc::model`): the JIT agrees with the
//! reference interpreter, and initial values round-trip through the
//! constraint transforms.

use hbmc::model::{BoundModel, Engine, Model};
use std::path::PathBuf;

fn bound(model: &str, data: &str, engine: Engine) -> BoundModel {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(root.join(model)).expect("model file");
    let m = Model::compile(model, &source).unwrap_or_else(|e| panic!("{model}: {e:?}"));
    m.bind_files(&[root.join(data)], engine).unwrap_or_else(|e| panic!("{model}: {e:?}"))
}


#[test]
fn jit_equals_the_interpreter_at_twenty_random_points() {
    let jit = bound("examples/electric_intercept.hbm", "examples/data/electric.csv", Engine::Jit);
    let interp = bound("examples/electric_intercept.hbm", "examples/data/electric.csv", Engine::Interpreter);
    assert_eq!(jit.engine(), Engine::Jit);
    let (mut a, mut b) = (jit.evaluator(), interp.evaluator());
    let mut g = hbmc_stdlib::ChainRng::new(3, 0);
    for _ in 0..20 {
        let x: Vec<f64> = (0..jit.dim()).map(|_| 4.0 * g.uniform() - 2.0).collect();
        let (mut ga, mut gb) = (vec![0.0; jit.dim()], vec![0.0; jit.dim()]);
        let la = a.log_density_gradient(&x, &mut ga).expect("jit");
        let lb = b.log_density_gradient(&x, &mut gb).expect("interpreter");
        assert!((la - lb).abs() <= 1e-10 * lb.abs().max(1.0), "log density {la} vs {lb}");
        for (p, q) in ga.iter().zip(&gb) {
            assert!((p - q).abs() <= 1e-10 * q.abs().max(1.0), "gradient {p} vs {q}");
        }
        // The gradient function sums the target in another order (fused
        // loops run backwards), so the two agree to rounding, not bitwise.
        let l = a.log_density(&x).expect("jit");
        assert!((l - la).abs() <= 1e-12 * la.abs().max(1.0), "log density {l} vs gradient function's {la}");
    }
}

#[test]
fn initial_values_round_trip_through_the_transforms() {
    let m = bound("examples/electric_intercept.hbm", "examples/data/electric.csv", Engine::Jit);
    let mut eval = m.evaluator();
    let mut rng = hbmc_stdlib::ChainRng::new(5, 0);
    let base = vec![0.3; m.dim()];
    let inits = serde_json::json!({ "sigma_y": [0.5, 0.25, 2.0, 0.125], "theta": [1.5, -0.5, 0.0, 3.0] });
    let x = eval.unconstrain_json(&inits, &base, &mut rng).expect("inits unconstrain");
    let mut draw = Vec::new();
    eval.write_draw(&x, &mut rng, &mut draw).expect("draw");
    let col = |name: &str| m.output_names().iter().position(|n| n == name).expect("column");
    assert!((draw[col("sigma_y.2")] - 0.25).abs() < 1e-12);
    assert!((draw[col("sigma_y.3")] - 2.0).abs() < 1e-12);
    assert!((draw[col("theta.4")] - 3.0).abs() < 1e-12);
    // A parameter the inits do not name keeps the base point's value.
    let beta_offset = m.params().iter().find(|p| p.name == "beta_x").expect("beta_x").offset;
    assert_eq!(x[beta_offset], 0.3);
    // A value outside the constraint is refused with a message naming it.
    let bad = serde_json::json!({ "sigma_y": [0.5, -1.0, 2.0, 0.125] });
    let err = eval.unconstrain_json(&bad, &base, &mut rng).expect_err("negative sd refused");
    assert!(err.message.contains("sigma_y"), "{}", err.message);
}
