//! The `exp` of a GP covariance's fill runs in the stdlib's SIMD kernel
//! (`compiler/src/ir/batch.rs`, a rectangular nest split in blocks of whole
//! rows), and the reverse sweep reads the forward sweep's `exp` from a
//! tape instead of calling it again (`compiler/src/ad/value_tape.rs`).
//! For each stationary kernel with an `exp`, of one point set (N x N) and
//! of two (N x M): the batched module's covariance cells, log density and
//! gradient equal the scalar form's (the same module before
//! `batch_likelihood_loops`) to 1e-12 relative, at sizes that fill no
//! block, several blocks and a partial last one, a single point, and no
//! point at all; the IR holds the batched call exactly where the nest has
//! enough cells and no scalar `exp` is left in its loops; and the JIT
//! passes the oracles (JIT = interpreter, gradient = finite differences).
//! The same for the nests of elementwise functions of a matrix
//! expression (`exp(a + b * X)` stored, and summed with a `log` of it).

use crate::common;

use hbmc_compiler::interp;
use hbmc_compiler::ir::batch::batch_likelihood_loops;
use hbmc_compiler::ir::print::function_to_string;
use hbmc_compiler::ir::{Arena, FunctionKind};
use hbmc_compiler::lower::{LowerOptions, LoweredModel};

/// Kernels with an `exp` of each cell, and the extra arguments they take.
const KERNELS: &[(&str, &str)] = &[
    ("gp_exp_quad_cov", ""),
    ("gp_exponential_cov", ""),
    ("gp_matern32_cov", ""),
    ("gp_matern52_cov", ""),
    ("gp_periodic_cov", ", 1.7"),
];

/// A GP regression on `x` (the benchmark's, benches/gp/gp.hbm) plus a
/// cross-covariance with the points `z`, with kernel `kernel`.
fn model(kernel: &str, extra: &str) -> String {
    format!(
        r#"
data {{
  int<lower=0> N;
  int<lower=0> M;
  array[N] real x;
  array[M] real z;
  vector[N] y;
}}
parameters {{
  real<lower=0> rho;
  real<lower=0> alpha;
  real<lower=0> sigma;
}}
model {{
  matrix[N, N] K = {kernel}(x, alpha, rho{extra});
  matrix[N, M] C = {kernel}(x, z, alpha, rho{extra});
  for (n in 1:N) {{
    K[n, n] = K[n, n] + square(sigma);
  }}
  matrix[N, N] L = cholesky_decompose(K);
  rho ~ inv_gamma(5, 5);
  alpha ~ std_normal();
  sigma ~ std_normal();
  y ~ multi_normal_cholesky(rep_vector(0, N), L);
  target += -0.5 * dot_self(to_vector(C));
}}
"#
    )
}

/// Data with `n` points `x` (irregularly spaced) and `m` points `z`.
fn data(n: usize, m: usize) -> String {
    let x: Vec<String> = (0..n).map(|i| format!("{}", 0.37 * i as f64 + 0.05 * ((i * 7) % 5) as f64)).collect();
    let z: Vec<String> = (0..m).map(|j| format!("{}", 0.41 * j as f64 - 1.3)).collect();
    let y: Vec<String> = (0..n).map(|i| format!("{}", (0.9 * i as f64).sin())).collect();
    format!(r#"{{"N": {n}, "M": {m}, "x": [{}], "z": [{}], "y": [{}]}}"#, x.join(", "), z.join(", "), y.join(", "))
}

/// The model lowered and differentiated with the data as the CLI does;
/// batched when `batched`.
fn lowered(source: &str, json: &str, batched: bool) -> LoweredModel {
    let mut m = common::differentiated(source, json, LowerOptions::default());
    if batched {
        batch_likelihood_loops(&mut m.module);
    }
    m
}

/// The elements of the `Work` buffer of the local matrix `name` in
/// `work`, if it has one (a matrix read only elementwise, or empty, has
/// none).
fn cells<'a>(m: &LoweredModel, work: &'a [f64], name: &str) -> Option<&'a [f64]> {
    let b = m.module.buffers.iter().find(|b| b.name == name && b.arena == Arena::Work)?;
    Some(&work[b.offset..b.offset + b.len])
}

fn assert_close(what: &str, p: f64, q: f64) {
    assert!((p - q).abs() <= 1e-12 * q.abs(), "{what}: {p} batched, {q} scalar");
}

/// The batched module's log density, the cells of its local matrices
/// `locals` (each with its size, 0 for one the lowering may leave
/// unstored) and its gradient equal the scalar form's to 1e-12 relative at
/// 4 random points; `case` names the model in a failure.
fn assert_batched_equals_scalar(case: &str, source: &str, json: &str, locals: &[(&str, usize)]) {
    let (batched, scalar) = (lowered(source, json, true), lowered(source, json, false));
    let (mut a, mut b) = (common::model_arenas(&batched), common::model_arenas(&scalar));
    let mut g = hbmc_stdlib::ChainRng::new(29 + json.len() as u64, 0);
    for point in 0..4 {
        let x: Vec<f64> = (0..batched.dim).map(|_| 2.0 * g.uniform() - 1.0).collect();
        a.params.copy_from_slice(&x);
        b.params.copy_from_slice(&x);
        let la = interp::run(&batched.module, FunctionKind::LogDensity, &mut a, None).expect("batched log density runs");
        let lb = interp::run(&scalar.module, FunctionKind::LogDensity, &mut b, None).expect("scalar log density runs");
        assert_close(&format!("{case}, point {point}: log density"), la, lb);
        for &(name, len) in locals {
            let (p, q) = (cells(&batched, &a.work, name), cells(&scalar, &b.work, name));
            assert_eq!(p.map(<[f64]>::len), q.map(<[f64]>::len), "{case}: {name}");
            // A matrix a library routine reads is stored.
            if len > 0 {
                assert_eq!(p.map(<[f64]>::len), Some(len), "{case}: {name}");
            }
            for (i, (p, q)) in p.unwrap_or(&[]).iter().zip(q.unwrap_or(&[])).enumerate() {
                assert_close(&format!("{case}, point {point}: {name}[{i}]"), *p, *q);
            }
        }
        let ga = interp::run(&batched.module, FunctionKind::Gradient, &mut a, None).expect("batched gradient runs");
        let gb = interp::run(&scalar.module, FunctionKind::Gradient, &mut b, None).expect("scalar gradient runs");
        assert_close(&format!("{case}, point {point}: gradient's log density"), ga, gb);
        for (i, (p, q)) in a.grad.iter().zip(&b.grad).enumerate() {
            assert_close(&format!("{case}, point {point}: d/dx[{i}]"), *p, *q);
        }
    }
}

#[test]
fn batched_covariances_equal_the_scalar_form() {
    // Cells: 0; 1; 49 and 21 (under the split's 64); 2809 in blocks of 4
    // rows of 53 (13 blocks and one of a single row) and 3710 in blocks of
    // 3 rows of 70 (17 and one of 2 rows).
    for (n, m) in [(0, 0), (1, 1), (7, 3), (53, 70)] {
        for &(kernel, extra) in KERNELS {
            // `C` is read elementwise: stored or not, as the lowering likes.
            let locals = [("K", n * n), ("C", 0)];
            assert_batched_equals_scalar(&format!("{kernel}, N = {n}, M = {m}"), &model(kernel, extra), &data(n, m), &locals);
        }
    }
}

/// Elementwise functions of a matrix expression: a local `exp` matrix (a
/// fill as the covariances'), and sums of `exp` and of `log(1 + exp)`
/// (a batched `log` of the batched `exp`; the sums' fixed-element
/// accumulations summed per block).
const MATRIX_MAPS: &str = r#"
data {
  int<lower=0> N;
  int<lower=0> M;
  matrix[N, M] X;
}
parameters {
  real a;
  real<lower=0> b;
}
model {
  matrix[N, M] E = exp(a + b * X);
  target += -0.1 * sum(E) + 0.5 * sum(log1p_exp(E));
  target += -sum(exp(a + b * X)) + 0.5 * sum(log(1 + exp(a - X)));
  a ~ normal(0, 1);
  b ~ lognormal(0, 1);
}
"#;

fn matrix_data(n: usize, m: usize) -> String {
    let rows: Vec<String> = (0..n).map(|i| format!("[{}]", (0..m).map(|j| format!("{}", 0.05 * i as f64 - 0.03 * j as f64)).collect::<Vec<_>>().join(", "))).collect();
    format!(r#"{{"N": {n}, "M": {m}, "X": [{}]}}"#, rows.join(", "))
}

#[test]
fn batched_matrix_maps_equal_the_scalar_form_and_pass_the_oracles() {
    // 740 cells in blocks of 12 rows of 20 (3 and one of a single row);
    // 15 cells, not split.
    for (n, m, batches) in [(37, 20, 4), (5, 3, 0)] {
        let json = matrix_data(n, m);
        let case = format!("N = {n}, M = {m}");
        assert_batched_equals_scalar(&case, MATRIX_MAPS, &json, &[("E", 0)]);
        let batched = lowered(MATRIX_MAPS, &json, true);
        let func = batched.module.function(FunctionKind::Gradient).expect("a gradient");
        let ir = function_to_string(&batched.module, func);
        // The forward sweep's: the `exp` of E's fill and of both sums,
        // the `log` of the second (the reverse reads the `exp`s from
        // tapes; E's `log1p_exp` has no batched form without its
        // derivative).
        let calls = ["hbm_exp_batch", "hbm_log_batch"].iter().map(|f| common::calls(&ir, f)).sum::<usize>();
        assert_eq!(calls, batches, "{case}:\n{ir}");
        if batches > 0 {
            assert!(common::calls(&ir, "hbm_sum_batch") > 0, "{case}: no sum deferred:\n{ir}");
        }
        common::oracle::check_example_json(&format!("matrix_maps_{n}"), MATRIX_MAPS, &json).unwrap_or_else(|e| panic!("{case}: {e}"));
    }
}

#[test]
fn covariance_fills_call_the_batched_exp_and_the_reverse_reads_a_tape() {
    for &(kernel, extra) in KERNELS {
        let source = model(kernel, extra);
        for (n, m, split) in [(7, 3, false), (53, 70, true)] {
            let batched = lowered(&source, &data(n, m), true);
            for kind in [FunctionKind::LogDensity, FunctionKind::Gradient] {
                let func = batched.module.function(kind).expect("the function");
                let ir = function_to_string(&batched.module, func);
                // One batched call per covariance (K and C) when split.
                let expected = if split { 2 } else { 0 };
                assert_eq!(common::calls(&ir, "hbm_exp_batch"), expected, "{kernel}, N = {n}, M = {m}, {kind:?}:\n{ir}");
                // The scalar calls left: the three parameters' constraining
                // transforms; the fills' own where not split, once in
                // the forward sweep (the reverse reads them from a tape).
                let scalar = if split { 3 } else { 5 };
                assert_eq!(common::calls(&ir, "hbm_exp"), scalar, "{kernel}, N = {n}, M = {m}, {kind:?}:\n{ir}");
            }
        }
    }
}

#[test]
fn batched_covariances_pass_the_oracles() {
    for &(kernel, extra) in KERNELS {
        common::oracle::check_example_json(&format!("gp_batched_{kernel}"), &model(kernel, extra), &data(53, 70)).unwrap_or_else(|e| panic!("{kernel}: {e}"));
    }
}
