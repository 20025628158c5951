//! Lowering checked against hand-written log densities: the IR of a model,
//! run by the reference interpreter, must give the same log density as the
//! model written out by hand in Rust, at random unconstrained points.

use hbmc_compiler::bind::{bind_data, read_source};
use hbmc_compiler::front_end;
use hbmc_compiler::interp;
use hbmc_compiler::ir::arenas::Arenas;
use hbmc_compiler::ir::FunctionKind;
use hbmc_compiler::lower::{lower_model, LoweredModel};

const ELECTRIC_MODEL: &str = include_str!("../../../examples/electric_intercept.hbm");
const ELECTRIC_CSV: &str = include_str!("../../../examples/data/electric.csv");


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
#[path = "../../../benches/baselines/electric.rs"]
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
    assert_eq!(model.output_names()[0], "mu_alpha.1");
    assert!(model.output_names().contains(&"z_alpha.96.4".to_string()));
    assert!(model.output_labels().contains(&"theta[grade=2]".to_string()));
    let alpha_first = model.output_names().iter().position(|n| n == "alpha.1.1").expect("alpha column");
    assert_eq!(model.output_names()[alpha_first + 1], "alpha.2.1", "column-major");
    assert_eq!(model.output_names().len(), model.output_order.len());
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

/// Depth of the deepest loop nest of the log density (1 for a single loop).
fn loop_depth(model: &LoweredModel) -> usize {
    let f = model.module.function(FunctionKind::LogDensity).expect("log density");
    let text = hbmc_compiler::ir::print::function_to_string(&model.module, f);
    let indents: Vec<usize> = text.lines().filter(|l| l.trim_start().starts_with("for ")).map(|l| l.len() - l.trim_start().len()).collect();
    let (deepest, shallowest) = (indents.iter().max().expect("loops"), indents.iter().min().expect("loops"));
    (deepest - shallowest) / 2 + 1
}

/// `quad_form`, `trace_quad_form` and `mdivide_left_spd` are expanded into
/// products and solves during lowering; the expansion's inner products
/// (and a `crossprod` argument's) are computed once, not once per element
/// read. Before, the inner product was refilled inside the outer one's
/// element loops: loops six deep, and `quad_form(crossprod(X), P)` took
/// 0.45 s per gradient at N = 40 (13.6 us now). Same log density as the
/// products written out.
#[test]
fn composite_matrix_functions_compute_their_inner_products_once() {
    let data = r#"{"N": 9, "X": [[1, 0.5], [0.2, -1], [0.3, 2], [1.5, 0.1], [-0.7, 0.4], [0.9, 0.9], [0.1, -0.3], [2, 1], [-1, 0.6]]}"#;
    let program = |quad: &str, spd: &str| {
        format!(
            "data {{ int N; matrix[N, 2] X; }}\nparameters {{ matrix[N, 2] M; matrix[2, N] P; }}\n\
             model {{ to_vector(M) ~ normal(0, 1); to_vector(P) ~ normal(0, 1);\n\
             target += 1e-3 * sum({quad}) + 1e-3 * sum({spd}); }}\n"
        )
    };
    let composite = lower(
        &program("quad_form(crossprod(X), P)) + 1e-3 * trace_quad_form(crossprod(M), M'", "mdivide_left_spd(add_diag(crossprod(M), 1), P)"),
        "d.json",
        data,
    );
    let written_out = lower(
        &program("P' * (X' * X) * P) + 1e-3 * trace(M * (M' * M) * M'", "mdivide_left_spd(add_diag(M' * M, 1), P)"),
        "d.json",
        data,
    );
    assert!(loop_depth(&composite) <= 3, "composite loops {} deep", loop_depth(&composite));
    assert_same_log_density(&composite, &written_out, "composites against their products");
}

/// A size that is a transformed data int lowers exactly as the same model
/// with that size given as data: same layout, log density and outputs.
#[test]
fn sizes_from_transformed_data_lower_as_sizes_from_data() {
    let body = r#"
parameters { vector[K] b; matrix[M[2], M[1]] c; }
transformed parameters { vector[K] d = b + 1; }
model {
  vector[K] diffs;
  for (i in 1:K) {
    diffs[i] = y[i + 1] - y[i] - d[i];
  }
  diffs ~ normal(0, 1);
  to_vector(c) ~ normal(0, 1);
}
generated quantities {
  vector[M[1] + K] twice;
  for (i in 1:K) {
    twice[i] = b[i];
    twice[K + i] = d[i];
  }
  real ones = sum(rep_vector(1, K));
}
"#;
    let from_td = format!("data {{ int N; vector[N] y; }}\ntransformed data {{ int K = N - 1; array[2] int M = {{K, 2}}; }}\n{body}");
    let from_data = format!("data {{ int N; vector[N] y; int K; array[2] int M; }}\n{body}");
    let y = "[0.3, 0.1, -0.4, 0.8, 1.1]";
    let a = lower(&from_td, "d.json", &format!(r#"{{"N": 5, "y": {y}}}"#));
    let b = lower(&from_data, "d.json", &format!(r#"{{"N": 5, "y": {y}, "K": 4, "M": [4, 2]}}"#));
    hbmc_compiler::ir::verify::verify(&a.module).unwrap_or_else(|e| panic!("IR does not verify: {e:?}"));
    assert_eq!(a.dim, 4 + 2 * 4);
    assert_eq!(a.dim, b.dim);
    assert_eq!(a.output_names(), b.output_names());
    assert!(a.output_names().contains(&"twice.8".to_string()), "{:?}", a.output_names());
    let (mut aa, mut ab) = (arenas_for(&a), arenas_for(&b));
    let mut g = hbmc_stdlib::ChainRng::new(5, 0);
    for _ in 0..5 {
        let u: Vec<f64> = (0..a.dim).map(|_| 4.0 * g.uniform() - 2.0).collect();
        aa.params.copy_from_slice(&u);
        ab.params.copy_from_slice(&u);
        let la = interp::run(&a.module, FunctionKind::LogDensity, &mut aa, None).expect("log density runs");
        let lb = interp::run(&b.module, FunctionKind::LogDensity, &mut ab, None).expect("log density runs");
        assert_eq!(la, lb);
        interp::run(&a.module, FunctionKind::Generate, &mut aa, None).expect("generate runs");
        interp::run(&b.module, FunctionKind::Generate, &mut ab, None).expect("generate runs");
        let out = |m: &LoweredModel, ar: &Arenas| m.output_order.iter().map(|&i| ar.out[i]).collect::<Vec<f64>>();
        assert_eq!(out(&a, &aa), out(&b, &ab));
    }
}

/// Transformed data that fail while the program is being sized are an
/// error naming the failure, not a crash.
#[test]
fn failing_transformed_data_that_size_the_program_are_reported() {
    let source = "data { int N; } transformed data { int K = N - 1; if (K < 1) reject(\"too short\"); } parameters { vector[K] b; } model { b ~ normal(0, 1); }";
    let fe = front_end(source);
    let program = fe.typed.unwrap_or_else(|| panic!("model checks: {:?}", fe.diagnostics));
    let (bound, _) = bind_data(&program, &[read_source("d.json", r#"{"N": 1}"#).expect("data reads")]);
    let diags = lower_model(&program, &bound.expect("binds")).expect_err("rejects");
    assert!(diags.iter().any(|d| d.code == "E4052" && d.message.contains("too short")), "{diags:?}");
}

/// Many draws of the multivariate `_rng`s in generated quantities: the
/// sample means and covariances of `multi_normal_rng` and
/// `multi_normal_cholesky_rng` are within Monte Carlo error of μ and Σ;
/// every `lkj_corr_cholesky_rng` draw is lower triangular with L L' of unit
/// diagonal, and its correlations have the LKJ marginal variance.
#[test]
fn multivariate_draws_have_the_distribution_of_their_parameters() {
    let source = r#"
data { vector[3] mu; cov_matrix[3] Sigma; }
parameters { real unused; }
model { unused ~ normal(0, 1); }
generated quantities {
  matrix[3, 3] L = cholesky_decompose(Sigma);
  vector[3] y = multi_normal_rng(mu, Sigma);
  vector[3] z = multi_normal_cholesky_rng(mu, L);
  matrix[3, 3] R = lkj_corr_cholesky_rng(3, 2.0);
}
"#;
    let mu = [1.0, -2.0, 0.5];
    let sigma = [[2.0, 0.6, -0.4], [0.6, 1.0, 0.3], [-0.4, 0.3, 0.5]];
    let data = format!(r#"{{"mu": {mu:?}, "Sigma": {sigma:?}}}"#);
    let model = lower(source, "d.json", &data);
    hbmc_compiler::ir::verify::verify(&model.module).unwrap_or_else(|e| panic!("IR does not verify: {e:?}"));
    let mut arenas = arenas_for(&model);
    let column = |name: &str| {
        let k = model.output_names().iter().position(|n| n == name).unwrap_or_else(|| panic!("no column {name}"));
        model.output_order[k]
    };
    let vec_cols = |v: &str| (1..=3).map(|i| column(&format!("{v}.{i}"))).collect::<Vec<_>>();
    let (ycols, zcols) = (vec_cols("y"), vec_cols("z"));
    let rcols: Vec<Vec<usize>> = (1..=3).map(|i| (1..=3).map(|j| column(&format!("R.{i}.{j}"))).collect()).collect();
    let n = 4000;
    let mut rng = hbmc_stdlib::ChainRng::new(2026, 1);
    let (mut ys, mut zs, mut corr) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..n {
        interp::run(&model.module, FunctionKind::Generate, &mut arenas, Some(&mut rng)).expect("generate runs");
        let out = &arenas.out;
        ys.push(ycols.iter().map(|&c| out[c]).collect::<Vec<f64>>());
        zs.push(zcols.iter().map(|&c| out[c]).collect::<Vec<f64>>());
        let r: Vec<Vec<f64>> = rcols.iter().map(|row| row.iter().map(|&c| out[c]).collect()).collect();
        for i in 0..3 {
            for j in i + 1..3 {
                assert_eq!(r[i][j], 0.0, "the LKJ draw is lower triangular: {r:?}");
            }
            let norm: f64 = (0..3).map(|j| r[i][j] * r[i][j]).sum();
            assert!((norm - 1.0).abs() < 1e-12, "diag(L L') = {norm} in {r:?}");
            assert!(r[i][i] > 0.0, "positive diagonal: {r:?}");
        }
        // Correlations (L L')[i, j] below the diagonal.
        let c = |i: usize, j: usize| (0..3).map(|k| r[i][k] * r[j][k]).sum::<f64>();
        corr.push([c(1, 0), c(2, 0), c(2, 1)]);
    }
    let nf = n as f64;
    for (name, draws) in [("multi_normal_rng", &ys), ("multi_normal_cholesky_rng", &zs)] {
        let mean: Vec<f64> = (0..3).map(|j| draws.iter().map(|d| d[j]).sum::<f64>() / nf).collect();
        for j in 0..3 {
            let se = (sigma[j][j] / nf).sqrt();
            assert!((mean[j] - mu[j]).abs() < 4.0 * se, "{name}: mean[{j}] {} vs {} (se {se})", mean[j], mu[j]);
            for k in 0..=j {
                let cov = draws.iter().map(|d| (d[j] - mean[j]) * (d[k] - mean[k])).sum::<f64>() / (nf - 1.0);
                // The sample covariance of normals has variance (Σjj Σkk + Σjk²) / n.
                let se = ((sigma[j][j] * sigma[k][k] + sigma[j][k] * sigma[j][k]) / nf).sqrt();
                assert!((cov - sigma[j][k]).abs() < 4.0 * se, "{name}: cov[{j},{k}] {cov} vs {} (se {se})", sigma[j][k]);
            }
        }
    }
    // LKJ(η) in K dims: (r + 1) / 2 ~ Beta(a, a), a = η - 1 + K/2, so r has
    // mean 0 and variance 1 / (2a + 1); the sample variance has standard
    // error σ² sqrt((κ - 1) / n), with kurtosis κ = 3 - 6 / (2a + 3).
    let a = 2.0 - 1.0 + 1.5;
    let var = 1.0 / (2.0 * a + 1.0);
    let kurtosis = 3.0 - 6.0 / (2.0 * a + 3.0);
    for p in 0..3 {
        let mean = corr.iter().map(|c| c[p]).sum::<f64>() / nf;
        assert!(mean.abs() < 4.0 * (var / nf).sqrt(), "LKJ correlation {p}: mean {mean}");
        let v = corr.iter().map(|c| c[p] * c[p]).sum::<f64>() / nf;
        let se = var * ((kurtosis - 1.0) / nf).sqrt();
        assert!((v - var).abs() < 4.0 * se, "LKJ correlation {p}: variance {v} vs {var} (se {se})");
    }
}

/// A non-square `cholesky_factor_cov[3, 2]` follows Stan's transform: free
/// values row by row, the top 2 × 2 lower triangle with its diagonal as
/// logs (the log-Jacobian is their sum), then the third row as is.
#[test]
fn non_square_cholesky_factor_cov_is_stans_transform() {
    let model = lower("parameters { cholesky_factor_cov[3, 2] L; } model { }", "d.json", "{}");
    hbmc_compiler::ir::verify::verify(&model.module).unwrap_or_else(|e| panic!("IR does not verify: {e:?}"));
    assert_eq!(model.dim, 3 + 2);
    let mut arenas = arenas_for(&model);
    let x = [0.3, -1.2, -0.4, 2.5, 0.7];
    arenas.params.copy_from_slice(&x);
    let lp = interp::run(&model.module, FunctionKind::LogDensity, &mut arenas, None).expect("log density runs");
    assert!((lp - (x[0] + x[2])).abs() < 1e-15, "log-Jacobian {lp}");
    interp::run(&model.module, FunctionKind::Generate, &mut arenas, None).expect("generate runs");
    let value = |r: usize, c: usize| {
        let k = model.output_names().iter().position(|n| *n == format!("L.{r}.{c}")).expect("column");
        arenas.out[model.output_order[k]]
    };
    let expected = [[x[0].exp(), 0.0], [x[1], x[2].exp()], [x[3], x[4]]];
    for r in 0..3 {
        for c in 0..2 {
            assert_eq!(value(r + 1, c + 1), expected[r][c], "L[{}, {}]", r + 1, c + 1);
        }
    }
}

/// Whether a function stores into a buffer of this name anywhere.
fn stores_into(model: &LoweredModel, kind: FunctionKind, name: &str) -> bool {
    use hbmc_compiler::ir::Stmt;
    fn walk(stmts: &[Stmt], model: &LoweredModel, name: &str) -> bool {
        stmts.iter().any(|s| match s {
            Stmt::Store { buf, .. } => model.module.buffer(*buf).name == name,
            Stmt::For { body, .. } => walk(body, model, name),
            Stmt::If { then, otherwise, .. } => walk(then, model, name) || walk(otherwise, model, name),
            Stmt::While { cond_block, body, .. } => walk(cond_block, model, name) || walk(body, model, name),
            _ => false,
        })
    }
    walk(&model.module.function(kind).expect("function").body, model, name)
}

/// A transformed parameter read in fewer terms than it has elements is
/// computed where it is read in the log density (and still stored for the
/// output); the log density equals that of the same model with the
/// transformed parameter stored (forced by a constraint that always holds).
/// Read in more terms than it has elements, it is stored.
#[test]
fn cheap_transformed_parameters_are_computed_where_read() {
    let body = |decl: &str| {
        format!(
            r#"
dims {{ obs; g; p; }}
data {{ array[obs] g gi; array[obs] p pi; vector[obs] y; }}
parameters {{ vector[g] mu; vector<lower=0>[g] s; matrix[p, g] z; real<lower=0> sy; }}
transformed parameters {{ {decl} a = non_centered(mu, s, z); }}
model {{
  to_vector(z) ~ std_normal();
  mu ~ normal(0, 1);
  s ~ normal(0, 1);
  y ~ normal(a[pi, gi] + 0.5 * mu[gi], sy);
}}
"#
        )
    };
    let data = r#"{"gi": [1, 2, 3, 1, 2], "pi": [1, 1, 2, 3, 3], "y": [0.1, 0.4, -0.3, 1.0, 0.2], "dims": {"g": 3, "p": 3}}"#;
    let inlined = lower(&body("matrix[p, g]"), "d.json", data);
    let stored = lower(&body("matrix<lower=-1e300>[p, g]"), "d.json", data);
    assert!(!stores_into(&inlined, FunctionKind::LogDensity, "a"), "5 reads of 9 cells: computed where read");
    assert!(stores_into(&inlined, FunctionKind::Generate, "a"), "the output still has every cell");
    assert!(stores_into(&stored, FunctionKind::LogDensity, "a"), "a constrained transformed parameter is stored");
    assert_eq!(inlined.output_names(), stored.output_names());
    let (mut ai, mut as_) = (arenas_for(&inlined), arenas_for(&stored));
    let mut g = hbmc_stdlib::ChainRng::new(3, 0);
    for _ in 0..5 {
        let u: Vec<f64> = (0..inlined.dim).map(|_| 3.0 * g.uniform() - 1.5).collect();
        ai.params.copy_from_slice(&u);
        as_.params.copy_from_slice(&u);
        let li = interp::run(&inlined.module, FunctionKind::LogDensity, &mut ai, None).expect("log density runs");
        let ls = interp::run(&stored.module, FunctionKind::LogDensity, &mut as_, None).expect("log density runs");
        assert!((li - ls).abs() <= 1e-13 * ls.abs().max(1.0), "inlined {li} vs stored {ls}");
    }
    // A 3 x 3 transformed parameter read in 10 terms (twice per
    // observation) is cheaper stored.
    let twice = body("matrix[p, g]").replace("+ 0.5 * mu[gi]", "+ 0.5 * a[pi, gi]");
    let many = lower(&twice, "d.json", data);
    assert!(stores_into(&many, FunctionKind::LogDensity, "a"), "10 reads of 9 cells: stored");
}

/// The normal density lowered as IR equals the stdlib's `normal_lpdf`
/// summed over the terms, for every place its scale's parts are computed
/// (a literal, a scalar, an indexed vector, an expression per term, and
/// `std_normal`), and is -∞ for a scale that is not positive.
#[test]
fn inlined_normal_equals_the_stdlib_density() {
    use hbmc_stdlib::dist::continuous::normal_lpdf;
    let source = r#"
data { int N; vector[N] y; array[N] int<lower=1, upper=2> k; real s; vector[2] v; }
parameters { real mu; }
model {
  y ~ normal(mu, 2.5);
  y ~ normal(mu, s);
  y ~ normal(mu, v[k]);
  y ~ normal(mu, v[k] * s + 0.5);
  y ~ std_normal();
  target += normal_lpdf(y | 1, s);
}
"#;
    let y = [0.3, -1.2, 2.0];
    let k = [1usize, 2, 2];
    let (s, v) = (1.7, [0.4, 3.0]);
    let data = |s: f64| format!(r#"{{"N": 3, "y": {y:?}, "k": {k:?}, "s": {s}, "v": {v:?}}}"#);
    let model = lower(source, "d.json", &data(s));
    let mut arenas = arenas_for(&model);
    for mu in [-0.7, 0.0, 1.3] {
        arenas.params[0] = mu;
        let lp = interp::run(&model.module, FunctionKind::LogDensity, &mut arenas, None).expect("log density runs");
        let mut expected = 0.0;
        for i in 0..3 {
            let vk = v[k[i] - 1];
            expected += normal_lpdf(y[i], mu, 2.5) + normal_lpdf(y[i], mu, s) + normal_lpdf(y[i], mu, vk);
            expected += normal_lpdf(y[i], mu, vk * s + 0.5) + normal_lpdf(y[i], 0.0, 1.0) + normal_lpdf(y[i], 1.0, s);
        }
        assert!((lp - expected).abs() <= 1e-13 * expected.abs(), "mu = {mu}: {lp} vs {expected}");
    }
    for bad in [0.0, -1.0] {
        let model = lower(source, "d.json", &data(bad));
        let mut arenas = arenas_for(&model);
        let lp = interp::run(&model.module, FunctionKind::LogDensity, &mut arenas, None).expect("log density runs");
        assert_eq!(lp, f64::NEG_INFINITY, "scale {bad}");
    }
}

/// Whether a function rejects anywhere (an index check or a `reject`).
fn has_reject(model: &LoweredModel, kind: FunctionKind) -> bool {
    use hbmc_compiler::ir::Stmt;
    fn walk(stmts: &[Stmt]) -> bool {
        stmts.iter().any(|s| match s {
            Stmt::Reject(_) => true,
            Stmt::For { body, .. } => walk(body),
            Stmt::If { then, otherwise, .. } => walk(then) || walk(otherwise),
            Stmt::While { cond_block, body, .. } => walk(cond_block) || walk(body),
            _ => false,
        })
    }
    walk(&model.module.function(kind).expect("function").body)
}

/// The log densities of two lowered models at the same random points.
fn assert_same_log_density(a: &LoweredModel, b: &LoweredModel, what: &str) {
    assert_eq!(a.dim, b.dim, "{what}: same parameters");
    let (mut aa, mut ab) = (arenas_for(a), arenas_for(b));
    let mut g = hbmc_stdlib::ChainRng::new(17, 0);
    for _ in 0..5 {
        let u: Vec<f64> = (0..a.dim).map(|_| 3.0 * g.uniform() - 1.5).collect();
        aa.params.copy_from_slice(&u);
        ab.params.copy_from_slice(&u);
        let la = interp::run(&a.module, FunctionKind::LogDensity, &mut aa, None).expect("log density runs");
        let lb = interp::run(&b.module, FunctionKind::LogDensity, &mut ab, None).expect("log density runs");
        assert!((la - lb).abs() <= 1e-12 * lb.abs().max(1.0), "{what}: {la} vs {lb}");
    }
}

const FILLED_DATA: &str = r#"{"N": 6, "J": 3, "g": [1, 2, 3, 3, 1, 2], "x": [0.5, -1.0, 2.0, 0.1, 0.0, 1.5],
  "y": [0.3, -0.2, 1.1, 0.7, -1.4, 0.9]}"#;

/// A plain-Stan model: `mu` filled in a loop, updated whole, and observed.
fn filled_model(fill: &str, after: &str, read: &str) -> String {
    format!(
        r#"
data {{ int N; int J; array[N] int<lower=1, upper=J> g; vector[N] x; vector[N] y; }}
parameters {{ vector[J] a; real b; real<lower=0> s; }}
model {{
  vector[N] mu;
  a ~ normal(0, 1);
  b ~ normal(0, 1);
  s ~ normal(0, 1);
  {fill}
  {after}
  {read}
}}
"#
    )
}

/// A local vector filled by a loop, updated with `+=`/`-=` and read once
/// whole by a sampling statement is computed inside the sampling
/// statement's loop (no buffer of N, no index checks: `g` is within `a`'s
/// axis and `n` within `1:N`), with the log density of the same model
/// written as one vectorised statement. Read twice, it is stored.
#[test]
fn loop_filled_locals_are_computed_where_read() {
    let fused = lower(
        &filled_model("for (n in 1:N) mu[n] = a[g[n]] + b * x[n];", "mu += 0.5 * x; mu -= x;", "y ~ normal(mu, s);"),
        "d.json",
        FILLED_DATA,
    );
    hbmc_compiler::ir::verify::verify(&fused.module).unwrap_or_else(|e| panic!("IR does not verify: {e:?}"));
    assert!(!fused.module.buffers.iter().any(|b| b.name == "mu"), "no buffer for the fused local");
    assert!(
        !fused.module.buffers.iter().any(|b| b.len == 6 && matches!(b.arena, hbmc_compiler::ir::Arena::Work)),
        "no work buffer of N"
    );
    assert!(!has_reject(&fused, FunctionKind::LogDensity), "indices proven in range are not checked");
    let vectorised = lower(&filled_model("", "", "y ~ normal(a[g] + b * x + 0.5 * x - x, s);"), "d.json", FILLED_DATA);
    assert_same_log_density(&fused, &vectorised, "fused vs vectorised");
    // As the location inside elementwise arithmetic, with a block body.
    let nested = lower(&filled_model("for (n in 1:N) { mu[n] = a[g[n]]; }", "", "y ~ normal(2 * mu + b, s);"), "d.json", FILLED_DATA);
    assert!(!nested.module.buffers.iter().any(|b| b.name == "mu"), "fused inside elementwise arithmetic");
    let nested_vec = lower(&filled_model("", "", "y ~ normal(2 * a[g] + b, s);"), "d.json", FILLED_DATA);
    assert_same_log_density(&nested, &nested_vec, "nested fused vs vectorised");
    // Read twice: stored, and still the same density.
    let twice = lower(
        &filled_model("for (n in 1:N) mu[n] = a[g[n]] + b * x[n];", "", "y ~ normal(mu, s); target += -0.5 * dot_self(mu);"),
        "d.json",
        FILLED_DATA,
    );
    assert!(twice.module.buffers.iter().any(|b| b.name == "mu"), "read twice: stored");
    let twice_vec = lower(&filled_model("", "", "y ~ normal(a[g] + b * x, s); target += -0.5 * dot_self(a[g] + b * x);"), "d.json", FILLED_DATA);
    assert_same_log_density(&twice, &twice_vec, "stored vs vectorised");
    // A loop that does not cover every element is not a fill.
    let partial = lower(
        &filled_model("mu = rep_vector(0, N); for (n in 2:N) mu[n] = a[g[n]];", "", "y ~ normal(mu, s);"),
        "d.json",
        FILLED_DATA,
    );
    assert!(partial.module.buffers.iter().any(|b| b.name == "mu"), "a partial fill is stored");
    // Declared with an elementwise value and updated: fused too.
    let whole_source = filled_model("", "mu += rep_vector(b, N);", "y ~ normal(mu, s);").replace("vector[N] mu;", "vector[N] mu = a[g] + b * x;");
    let whole = lower(&whole_source, "d.json", FILLED_DATA);
    assert!(!whole.module.buffers.iter().any(|b| b.name == "mu"), "a declared value is fused");
    let whole_vec = lower(&filled_model("", "", "y ~ normal(a[g] + b * x + b, s);"), "d.json", FILLED_DATA);
    assert_same_log_density(&whole, &whole_vec, "declared value fused vs vectorised");
    // A declared value with a reduction in it is computed once, stored.
    let reduced = lower(&whole_source.replace("a[g] + b * x", "a[g] + sum(a) * x"), "d.json", FILLED_DATA);
    assert!(reduced.module.buffers.iter().any(|b| b.name == "mu"), "not elementwise: stored");
}

/// Index checks are left out only where the data prove them: data outside
/// the indexed axis keep the check, and the log density rejects.
#[test]
fn index_checks_are_kept_unless_the_data_prove_them() {
    let source = r#"
data { int N; int J; array[N] int g; vector[N] y; }
parameters { vector[J] a; }
model { for (n in 1:N) y[n] ~ normal(a[g[n]], 1); }
"#;
    let inside = lower(source, "d.json", r#"{"N": 3, "J": 2, "g": [1, 2, 2], "y": [0.1, 0.2, 0.3]}"#);
    assert!(!has_reject(&inside, FunctionKind::LogDensity), "every g within 1..J");
    let outside = lower(source, "d.json", r#"{"N": 3, "J": 2, "g": [1, 3, 2], "y": [0.1, 0.2, 0.3]}"#);
    assert!(has_reject(&outside, FunctionKind::LogDensity), "g = 3 is outside 1..2");
    let mut arenas = arenas_for(&outside);
    assert!(interp::run(&outside.module, FunctionKind::LogDensity, &mut arenas, None).is_err(), "the out-of-range index rejects");
    // A loop past the data's length keeps the check on `n`.
    let past = source.replace("1:N", "1:(N + 1)");
    let past = lower(&past, "d.json", r#"{"N": 3, "J": 2, "g": [1, 2, 2], "y": [0.1, 0.2, 0.3]}"#);
    assert!(has_reject(&past, FunctionKind::LogDensity), "n = N + 1 is outside y");
}

const ELECTRIC_STAN: &str = include_str!("../../../examples/stan/electric_intercept.stan");
const ELECTRIC_JSON: &str = include_str!("../../../examples/stan/electric.json");

/// The plain-Stan Electric Company model lowers to the single pass of the
/// dims form: no `mu` (N) or `alpha` (pairs x grades) buffer in the log
/// density, no index checks, and the same log density as the hand-written
/// model.
#[test]
fn plain_stan_electric_lowers_to_the_fused_pass() {
    let model = lower(ELECTRIC_STAN, "electric.json", ELECTRIC_JSON);
    assert!(!model.module.buffers.iter().any(|b| b.name == "mu"), "mu is fused");
    assert!(!stores_into(&model, FunctionKind::LogDensity, "alpha"), "alpha is computed where read");
    assert!(stores_into(&model, FunctionKind::Generate, "alpha"), "the output still has alpha");
    assert!(!has_reject(&model, FunctionKind::LogDensity), "no index checks");
    let dims = lower(ELECTRIC_MODEL, "electric.csv", ELECTRIC_CSV);
    assert_same_log_density(&model, &dims, "plain Stan vs dims");
}
