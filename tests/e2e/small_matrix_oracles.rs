//! Small fixed-size matrices unrolled in lowering (`compiler/src/lower/
//! small_matrix.rs`), for every size K = 1..6, on a generated model that
//! uses every unrolled routine: the oracles (JIT log density = the
//! reference interpreter's, JIT gradient = finite differences); the log
//! density and gradient equal those of the same model lowered through the
//! library routines (`unroll_small_matrices: false`), which finite
//! differences alone cannot show (a wrong formula has a consistent
//! gradient); and a check that the routines were unrolled (the lowered log
//! density calls none of their library routines), so that the oracles test
//! the unrolled code.

use crate::common;

use hbmc_compiler::bind::{bind_data, read_source};
use hbmc_compiler::front_end;
use hbmc_compiler::ir::print::function_to_string;
use hbmc_compiler::ir::FunctionKind;
use hbmc_compiler::ad::differentiate;
use hbmc_compiler::interp;
use hbmc_compiler::ir::batch::batch_likelihood_loops;
use hbmc_compiler::lower::{lower_model_with, LowerOptions, LoweredModel};

/// The largest size unrolled (`small_matrix::MAX_SMALL`).
const MAX_K: usize = 6;
/// Columns of the wide matrices: more than `MAX_K`, so products with them
/// take the small-inner-size path rather than whole unrolling.
const N: usize = 7;

/// A model using, at size K: matrix products (matrix × matrix, matrix ×
/// vector, row vector × matrix, vector × row vector, small × wide, wide
/// transposed × vector), transposes, `diag_matrix`, `diag_pre_multiply`,
/// `quad_form_diag`, `multiply_lower_tri_self_transpose`,
/// `non_centered_mvn` (of a matrix and of a vector, and locals of it
/// read by rows),
/// `cholesky_decompose`, `mdivide_left_tri_low` (of a matrix and of a
/// vector), `mdivide_right_tri_low`, `log_determinant` and `determinant`
/// of a Cholesky factor, matrix and
/// vector literals, reads at run-time indices, and `multi_normal_cholesky`
/// with a small factor (declared and not, one and many variates); the
/// `cholesky_factor_corr` transform with its log-Jacobian and
/// `lkj_corr_cholesky` of it; `beta` with literal shapes (`beta.rs`, not a
/// matrix routine, but unrolled under the same option), a shape of 1 too.
fn model(k: usize) -> String {
    let rows: Vec<String> = (1..=k)
        .map(|i| {
            let items: Vec<String> = (1..=k).map(|j| if i == j { "1".to_string() } else { format!("0.1 * mu[{i}] * r[{j}]") }).collect();
            format!("[{}]", items.join(", "))
        })
        .collect();
    let literal_matrix = format!("[{}]", rows.join(", "));
    // Every row of two locals computed where read (`fused_product.rs`):
    // one with a correlation-factor parameter, one with a small value.
    let fused_rows: String = (1..=k)
        .map(|i| format!("    target += -0.0{i} * dot_self(F[{i}]) + 0.1 * sum(G[{i}]);\n"))
        .collect();
    let literal_vector = format!("[{}]'", (1..=k).map(|i| format!("y[1, {i}]")).collect::<Vec<_>>().join(", "));
    format!(
        r#"
data {{ int<lower=1> K; int<lower=1> N; array[N] vector[K] y; matrix[K, N] X; }}
parameters {{
  vector<lower=0>[K] sigma;
  cholesky_factor_corr[K] L_Omega;
  matrix[K, K] A;
  vector[K] mu;
  row_vector[K] r;
  matrix[K, N] Z;
  vector<lower=0, upper=1>[K] pb;
}}
transformed parameters {{
  matrix[K, K] Sigma_tp = diag_pre_multiply(sigma, L_Omega) * diag_pre_multiply(sigma, L_Omega)';
}}
model {{
  matrix[K, K] D = diag_matrix(sigma);
  matrix[K, K] Omega = multiply_lower_tri_self_transpose(L_Omega);
  matrix[K, K] S = D * Omega * D + A * A';
  matrix[K, K] L = cholesky_decompose(S);
  matrix[K, K] P = diag_pre_multiply(sigma, L_Omega);
  matrix[K, K] M = {literal_matrix};
  vector[K] v = L * mu;
  row_vector[K] w = r * P';
  matrix[K, K] O = v * r;
  matrix[K, N] E = L * Z;
  vector[N] q = X' * v;
  matrix[K, K] Q = quad_form_diag(Omega, sigma);
  matrix[K, K] W = mdivide_left_tri_low(L, A);
  vector[K] u = mdivide_left_tri_low(L, mu);
  row_vector[K] t = mdivide_right_tri_low(r, L);
  matrix[K, N] U = non_centered_mvn(mu, sigma, L_Omega, Z);
  vector[K] U1 = non_centered_mvn(r', sigma, L, mu);
  sigma ~ lognormal(0, 1);
  L_Omega ~ lkj_corr_cholesky(2);
  pb ~ beta(20, 5);
  pb[1] ~ beta(1, 2.5);
  pb[K] ~ beta(0.5, 1);
  to_vector(A) ~ normal(0, 1);
  mu ~ normal(0, 1);
  r ~ normal(0, 1);
  to_vector(Z) ~ normal(0, 1);
  y ~ multi_normal_cholesky(mu, L);
  for (n in 1:N) {{
    y[n] ~ multi_normal_cholesky(v, P);
  }}
  {literal_vector} ~ multi_normal_cholesky(M * mu, cholesky_decompose(Sigma_tp + diag_matrix(rep_vector(1, K))));
  target += 0.1 * dot_product(w, v) + 0.01 * sum(O) + 0.1 * sum(r * L);
  target += -0.5 * dot_self(to_vector(E - X)) - 0.01 * dot_self(q);
  target += 0.01 * sum(Q) - 0.01 * dot_self(to_vector(W)) + 0.1 * dot_product(u, mu) - 0.05 * dot_self(t);
  target += -0.02 * dot_self(to_vector(U)) + 0.1 * sum(U1);
  target += 0.3 * log_determinant(L) + 0.1 * determinant(L) - 0.2 * log_determinant(cholesky_decompose(S));
  {{
    matrix[K, N] F = non_centered_mvn(mu, sigma, L_Omega, Z);
    matrix[K, N] G = non_centered_mvn(r', sigma, L, X);
{fused_rows}  }}
  for (i in 1:K) {{
    for (j in 1:K) {{
      target += -0.05 * square(L[i, j]) + 0.02 * S[j, i] - 0.01 * square(M[i, j] + Sigma_tp[i, j]);
    }}
  }}
}}
"#
    )
}

/// Data of size K: N variates near 0, and a K × N matrix.
fn data(k: usize) -> String {
    let y: Vec<String> = (0..N)
        .map(|n| format!("[{}]", (0..k).map(|i| format!("{:.3}", 0.3 * ((n * 7 + i * 3) as f64).sin())).collect::<Vec<_>>().join(", ")))
        .collect();
    let x: Vec<String> = (0..k)
        .map(|i| format!("[{}]", (0..N).map(|n| format!("{:.3}", 0.5 * ((n * 5 + i * 11) as f64).cos())).collect::<Vec<_>>().join(", ")))
        .collect();
    format!(r#"{{"K": {k}, "N": {N}, "y": [{}], "X": [{}]}}"#, y.join(", "), x.join(", "))
}

/// The library routines the unrolled code replaces.
const REPLACED: &[&str] = &[
    "hbm_cholesky_decompose",
    "hbm_multiply_lower_tri_self_transpose",
    "hbm_multi_normal_cholesky_lpdf",
    "hbm_mdivide_left_tri_low",
    "hbm_log_determinant",
    "hbm_determinant",
    "hbm_diag_pre_multiply",
    "hbm_cholesky_factor_corr_constrain",
    "hbm_lkj_corr_cholesky_lpdf",
    "hbm_beta_lpdf",
];

/// The model of size K lowered with or without unrolling, differentiated
/// and batched as the CLI runs it.
fn lowered(k: usize, unroll_small_matrices: bool) -> LoweredModel {
    let (source, json) = (model(k), data(k));
    let fe = front_end(&source);
    let program = fe.typed.unwrap_or_else(|| panic!("K = {k}: model checks: {:?}", fe.diagnostics));
    let src = read_source("d.json", &json).unwrap_or_else(|d| panic!("K = {k}: data reads: {d:?}"));
    let (bound, diags) = bind_data(&program, &[src]);
    let bound = bound.unwrap_or_else(|| panic!("K = {k}: data bind: {diags:?}"));
    let mut m = lower_model_with(&program, &bound, LowerOptions { unroll_small_matrices, ..LowerOptions::default() })
        .unwrap_or_else(|d| panic!("K = {k}: lowering: {d:?}"));
    differentiate(&mut m.module).unwrap_or_else(|e| panic!("K = {k}: AD: {e}"));
    batch_likelihood_loops(&mut m.module);
    m
}

#[test]
fn unrolled_small_matrices_equal_the_library_routines_for_every_size() {
    for k in 1..=MAX_K {
        let (small, library) = (lowered(k, true), lowered(k, false));
        assert_eq!(small.dim, library.dim);
        let (mut a, mut b) = (common::model_arenas(&small), common::model_arenas(&library));
        let mut g = hbmc_stdlib::ChainRng::new(17 + k as u64, 0);
        for point in 0..10 {
            let x: Vec<f64> = (0..small.dim).map(|_| 3.0 * g.uniform() - 1.5).collect();
            a.params.copy_from_slice(&x);
            b.params.copy_from_slice(&x);
            let la = interp::run(&small.module, FunctionKind::Gradient, &mut a, None).expect("unrolled gradient runs");
            let lb = interp::run(&library.module, FunctionKind::Gradient, &mut b, None).expect("library gradient runs");
            assert!((la - lb).abs() <= 1e-10 * lb.abs().max(1.0), "K = {k}, point {point}: log density {la} unrolled, {lb} by the library");
            for (i, (p, q)) in a.grad.iter().zip(&b.grad).enumerate() {
                assert!((p - q).abs() <= 1e-9 * q.abs().max(1.0), "K = {k}, point {point}: d/dx[{i}] {p} unrolled, {q} by the library");
            }
        }
    }
}

#[test]
fn small_matrix_routines_are_unrolled_for_every_size() {
    for k in 1..=MAX_K {
        let unrolled = lowered(k, true);
        let func = unrolled.module.function(FunctionKind::LogDensity).unwrap_or_else(|| panic!("K = {k}: no log density"));
        let density = function_to_string(&unrolled.module, func);
        for name in REPLACED {
            assert!(!density.contains(&format!("call {name}(")), "K = {k}: the log density calls {name}:\n{density}");
        }
        // The locals read by rows have no buffer.
        for local in ["work.F", "work.G"] {
            assert!(!density.contains(local), "K = {k}: the log density stores {local}:\n{density}");
        }
        // The reference of the comparison above does call them.
        let library = lowered(k, false);
        let func = library.module.function(FunctionKind::LogDensity).unwrap_or_else(|| panic!("K = {k}: no log density"));
        let reference = function_to_string(&library.module, func);
        for name in REPLACED {
            assert!(reference.contains(&format!("call {name}(")), "K = {k}: the library lowering does not call {name}");
        }
    }
}

#[test]
fn small_matrix_routines_pass_the_oracles_for_every_size() {
    let dir = common::scratch("small-matrix-oracles");
    let mut failures = Vec::new();
    for k in 1..=MAX_K {
        let path = dir.join(format!("k{k}.json"));
        std::fs::write(&path, data(k)).expect("data file written");
        if let Err(e) = common::oracle::check_example(&format!("small_matrix_k{k}"), &model(k), &[path]) {
            failures.push(format!("K = {k}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
