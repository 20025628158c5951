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

struct Electric {
    grade: Vec<usize>,
    pair: Vec<usize>,
    t: Vec<f64>,
    x: Vec<f64>,
    y: Vec<f64>,
}

fn electric_data() -> Electric {
    let mut rows = Vec::new();
    for line in ELECTRIC_CSV.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let num = |i: usize| f[i].trim_matches('"').parse::<f64>().expect("number");
        rows.push((num(1), num(2), num(3) as usize, num(4), num(6) as usize));
    }
    let standardise = |v: Vec<f64>| {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
        v.into_iter().map(|x| (x - mean) / sd).collect::<Vec<_>>()
    };
    // Pair labels are sorted numerically (bind's rule), so pair k is the
    // k-th smallest pair_id value.
    let mut pair_ids: Vec<usize> = rows.iter().map(|r| r.4).collect();
    pair_ids.sort_unstable();
    pair_ids.dedup();
    Electric {
        grade: rows.iter().map(|r| r.2 - 1).collect(),
        pair: rows.iter().map(|r| pair_ids.iter().position(|&p| p == r.4).expect("pair")).collect(),
        t: rows.iter().map(|r| r.3).collect(),
        x: standardise(rows.iter().map(|r| r.1).collect()),
        y: standardise(rows.iter().map(|r| r.0).collect()),
    }
}

fn normal_lpdf(y: f64, mu: f64, sigma: f64) -> f64 {
    let z = (y - mu) / sigma;
    -0.5 * z * z - sigma.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln()
}

/// The electric_intercept log density (with Jacobians) written by hand,
/// from the unconstrained vector laid out in declaration order.
fn electric_by_hand(d: &Electric, u: &[f64]) -> f64 {
    let (g, p) = (4, 96);
    let mu_alpha = &u[0..g];
    let sigma_alpha_u = &u[g..2 * g];
    let z = &u[2 * g..2 * g + p * g];
    let rest = 2 * g + p * g;
    let theta = &u[rest..rest + g];
    let beta = &u[rest + g..rest + 2 * g];
    let sigma_y_u = &u[rest + 2 * g..rest + 3 * g];
    let sigma_alpha: Vec<f64> = sigma_alpha_u.iter().map(|v| v.exp()).collect();
    let sigma_y: Vec<f64> = sigma_y_u.iter().map(|v| v.exp()).collect();
    let mut lp: f64 = sigma_alpha_u.iter().sum::<f64>() + sigma_y_u.iter().sum::<f64>();
    for k in 0..g {
        lp += normal_lpdf(mu_alpha[k], 0.0, 1.0)
            + normal_lpdf(sigma_alpha[k], 0.0, 1.0)
            + normal_lpdf(theta[k], 0.0, 1.0)
            + normal_lpdf(beta[k], 0.0, 1.0)
            + normal_lpdf(sigma_y[k], 0.0, 1.0);
    }
    lp += z.iter().map(|v| normal_lpdf(*v, 0.0, 1.0)).sum::<f64>();
    for i in 0..d.y.len() {
        let (gi, pi) = (d.grade[i], d.pair[i]);
        let alpha = mu_alpha[gi] + sigma_alpha[gi] * z[pi + gi * p];
        let mu = alpha + theta[gi] * d.t[i] + beta[gi] * d.x[i];
        lp += normal_lpdf(d.y[i], mu, sigma_y[gi]);
    }
    lp
}

#[test]
fn electric_intercept_log_density_matches_the_hand_written_one() {
    let model = lower(ELECTRIC_MODEL, "electric.csv", ELECTRIC_CSV);
    hbmc_compiler::ir::verify::verify(&model.module).unwrap_or_else(|e| panic!("IR does not verify: {e:?}"));
    assert_eq!(model.dim, 4 * 5 + 96 * 4);
    let data = electric_data();
    let mut arenas = arenas_for(&model);
    let mut g = hbmc_stdlib::ChainRng::new(11, 0);
    for _ in 0..20 {
        let u: Vec<f64> = (0..model.dim).map(|_| 4.0 * g.uniform() - 2.0).collect();
        arenas.params.copy_from_slice(&u);
        let lp = interp::run(&model.module, FunctionKind::LogDensity, &mut arenas, None).expect("log density runs");
        let expected = electric_by_hand(&data, &u);
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
