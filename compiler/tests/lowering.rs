//! Lowering checked against hand-written log densities: the IR of a model,
//! run by the reference interpreter, must give the same log density as the
//! model written out by hand in Rust, at random unconstrained points.

use hbmc_compiler::bind::{bind_data, read_source};
use hbmc_compiler::front_end;
use hbmc_compiler::interp;
use hbmc_compiler::ir::arenas::Arenas;
use hbmc_compiler::ir::FunctionKind;
use hbmc_compiler::lower::{lower_model, LoweredModel};

const ELECTRIC_MODEL: &str = include_str!("../../examples/electric_intercept.hbm");
const ELECTRIC_CSV: &str = include_str!("../../examples/data/electric.csv");


fn lower(source: &str, data_name: &str, data: &str) -> LoweredModel {
    let fe = front_end(source);
    let program = fe.typed.unwrap_or_else(|| panic!("model checks: {:?}", fe.diagnostics));
    let src = read_source(data_name, data).expect("data reads");
    let (bound, diags) = bind_data(&program, &[src]);
    let bound = bound.unwrap_or_else(|| panic!("data bind: {diags:?}"));
    lower_model(&program, &bound).unwrap_or_else(|d| panic!("lowering failed: {d:?}"))
}

/// Arenas with data filled in and transformed data computed.
fn arenas_for(model: &LoweredModel) -> Arenas {
    let mut arenas = Arenas::new(&model.module.arena_sizes);
    arenas.data[..model.data_init.len()].copy_from_slice(&model.data_init);
    arenas.int_data[..model.int_data_init.len()].copy_from_slice(&model.int_data_init);
    interp::run(&model.module, FunctionKind::TransformedData, &mut arenas, None).expect("transformed data run");
    arenas
}

/// The model written by hand (also the benchmark baseline), std only.
#[path = "../../benches/baselines/electric.rs"]
mod baseline;

#[test]
fn electric_intercept_log_density_matches_the_hand_written_one() {
    let model = lower(ELECTRIC_MODEL, "electric.csv", ELECTRIC_CSV);
    hbmc_compiler::ir::verify::verify(&model.module).unwrap_or_else(|e| panic!("IR does not verify: {e:?}"));
    assert_eq!(model.dim, 4 * 5 + 96 * 4);
    let mut by_hand = baseline::Electric::from_csv(ELECTRIC_CSV);
    assert_eq!(by_hand.dim(), model.dim, "the hand-written layout matches");
    let mut unused_grad = vec![0.0; model.dim];
    let mut arenas = arenas_for(&model);
    let mut g = hbmc_stdlib::ChainRng::new(11, 0);
    for _ in 0..20 {
        let u: Vec<f64> = (0..model.dim).map(|_| 4.0 * g.uniform() - 2.0).collect();
        arenas.params.copy_from_slice(&u);
        let lp = interp::run(&model.module, FunctionKind::LogDensity, &mut arenas, None).expect("log density runs");
        let expected = by_hand.log_density_gradient(&u, &mut unused_grad);
        let rel = (lp - expected).abs() / expected.abs().max(1.0);
        assert!(rel < 1e-12, "lowered {lp} vs by hand {expected} (relative {rel:e})");
    }
}

#[test]
fn electric_intercept_output_names_follow_cmdstan() {
    let model = lower(ELECTRIC_MODEL, "electric.csv", ELECTRIC_CSV);
    assert_eq!(model.output_names[0], "mu_alpha.1");
    assert!(model.output_names.contains(&"z_alpha.96.4".to_string()));
    assert!(model.output_labels.contains(&"theta[grade=2]".to_string()));
    let alpha_first = model.output_names.iter().position(|n| n == "alpha.1.1").expect("alpha column");
    assert_eq!(model.output_names[alpha_first + 1], "alpha.2.1", "column-major");
    assert_eq!(model.output_names.len(), model.output_order.len());
}

#[test]
fn a_matrix_product_in_a_likelihood_is_computed_once_not_per_element() {
    let source = r#"
dims { obs; covariate; }
data { matrix[obs, covariate] X; vector[obs] y; }
parameters { vector[covariate] beta; real<lower=0> sigma; }
model { y ~ normal(X * beta, sigma); }
"#;
    let data = r#"{"X": [[1, 2], [3, 4], [5, 6]], "y": [1, 2, 3]}"#;
    let model = lower(source, "d.json", data);
    let f = model.module.function(FunctionKind::LogDensity).expect("log density");
    let text = hbmc_compiler::ir::print::function_to_string(&model.module, f);
    // The product's loops (rows, then the dot product over covariates) and
    // then the loop over obs: never a loop three deep, which is what the
    // product computed inside the obs loop looked like.
    let deepest = text.lines().filter(|l| l.trim_start().starts_with("for ")).map(|l| l.len() - l.trim_start().len()).max();
    let shallowest = text.lines().filter(|l| l.trim_start().starts_with("for ")).map(|l| l.len() - l.trim_start().len()).min();
    let (deepest, shallowest) = (deepest.expect("loops"), shallowest.expect("loops"));
    assert!(deepest - shallowest <= 4, "loops nested more than two deep:\n{text}");
}
