//! Run-time-length vectors (`lower/ragged.rs`): a ragged slice, `segment`,
//! `tail` and `sub_col` whose lengths change inside a loop are taken
//! element by element. The log density is checked against the same sums
//! written out by hand, and bad bounds reject the evaluation with a message
//! instead of reading out of bounds.

use hbmc_compiler::bind::{bind_data, read_source};
use hbmc_compiler::front_end;
use hbmc_compiler::interp;
use hbmc_compiler::ir::arenas::Arenas;
use hbmc_compiler::ir::FunctionKind;
use hbmc_compiler::lower::{lower_model, LoweredModel};

fn lower(source: &str, data: &str) -> LoweredModel {
    let fe = front_end(source);
    let program = fe.typed.unwrap_or_else(|| panic!("model checks: {:?}", fe.diagnostics));
    let (bound, diags) = bind_data(&program, &[read_source("d.json", data).expect("data reads")]);
    let bound = bound.unwrap_or_else(|| panic!("data bind: {diags:?}"));
    lower_model(&program, &bound).unwrap_or_else(|d| panic!("lowering failed: {d:?}"))
}

/// The log density at `params` (unconstrained), by the interpreter.
fn log_density(model: &LoweredModel, params: &[f64]) -> Result<f64, String> {
    let mut arenas = Arenas::new(&model.module.arena_sizes);
    arenas.data[..model.data_init.len()].copy_from_slice(&model.data_init);
    arenas.int_data[..model.int_data_init.len()].copy_from_slice(&model.int_data_init);
    interp::run(&model.module, FunctionKind::TransformedData, &mut arenas, None).map_err(|e| e.to_string())?;
    arenas.params.copy_from_slice(params);
    interp::run(&model.module, FunctionKind::LogDensity, &mut arenas, None).map_err(|e| e.to_string())
}

const RAGGED: &str = r#"
data { int G; array[G] int n; int N; vector[N] y; int T; vector[T] w; matrix[T, 2] M; }
transformed data {
  array[G] int pos;
  pos[1] = 1;
  for (g in 2:G) pos[g] = pos[g - 1] + n[g - 1];
}
parameters { vector[G] a; vector[T] z; }
model {
  for (g in 1:G) {
    y[pos[g]:(pos[g] + n[g] - 1)] ~ normal(a[g], 1);
    target += a[g] * sum(segment(y, pos[g], n[g]));
  }
  for (i in 2:T) target += z[i] * dot_product(sub_col(M, 1, 2, i - 1), tail(w, i - 1));
}
"#;

const DATA: &str = r#"{"G": 4, "n": [2, 0, 3, 1], "N": 6, "y": [0.5, -1.0, 2.0, 0.25, 1.5, -0.75],
  "T": 4, "w": [1.0, 2.0, 3.0, 4.0], "M": [[9, 1], [9, 2], [9, 3], [9, 4]]}"#;

/// The same log density written out: each group's slice of `y`, the
/// segment sums, and the convolution of `M[1:i-1, 2]` with the last
/// `i - 1` elements of `w`.
fn by_hand(a: &[f64], z: &[f64]) -> f64 {
    let n = [2usize, 0, 3, 1];
    let y = [0.5, -1.0, 2.0, 0.25, 1.5, -0.75];
    let w = [1.0, 2.0, 3.0, 4.0];
    let m2 = [1.0, 2.0, 3.0, 4.0];
    let half_log_2pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
    let mut lp = 0.0;
    let mut pos = 0;
    for g in 0..4 {
        let group = &y[pos..pos + n[g]];
        lp += group.iter().map(|v| -0.5 * (v - a[g]).powi(2) - half_log_2pi).sum::<f64>();
        lp += a[g] * group.iter().sum::<f64>();
        pos += n[g];
    }
    for i in 2..=4 {
        let conv: f64 = (0..i - 1).map(|k| m2[k] * w[4 - (i - 1) + k]).sum();
        lp += z[i - 1] * conv;
    }
    lp
}

#[test]
fn ragged_slices_segments_and_convolutions_match_the_sums_written_out() {
    let model = lower(RAGGED, DATA);
    let mut g = hbmc_stdlib::ChainRng::new(13, 0);
    for _ in 0..5 {
        let u: Vec<f64> = (0..model.dim).map(|_| 4.0 * g.uniform() - 2.0).collect();
        let lp = log_density(&model, &u).expect("log density runs");
        let expected = by_hand(&u[..4], &u[4..]);
        assert!((lp - expected).abs() < 1e-12 * expected.abs().max(1.0), "lowered {lp} vs by hand {expected}");
    }
}

/// A slice reaching past the end of its vector rejects with the index and
/// the range it must lie in (Stan's message), in the interpreter.
#[test]
fn a_slice_past_the_end_rejects() {
    let data = DATA.replace(r#""n": [2, 0, 3, 1]"#, r#""n": [2, 0, 3, 2]"#);
    let model = lower(RAGGED, &data);
    let err = log_density(&model, &vec![0.1; model.dim]).expect_err("index 7 of 6 elements");
    assert!(err.contains("index 7 out of range") && err.contains("between 1 and 6"), "{err}");
}

/// Two run-time-length operands of different sizes reject with Stan's
/// "must match in size", naming both sizes.
#[test]
fn operands_of_different_lengths_reject() {
    let source = r#"
data { int N; vector[N] y; array[2] int lo; array[2] int hi; }
parameters { real mu; }
model { for (j in 1:2) y[lo[j]:hi[j]] ~ normal(mu + y[1:hi[j]], 1); }
"#;
    let ok = lower(source, r#"{"N": 3, "y": [1, 2, 3], "lo": [1, 1], "hi": [2, 3]}"#);
    assert!(log_density(&ok, &[0.2]).is_ok());
    let bad = lower(source, r#"{"N": 3, "y": [1, 2, 3], "lo": [1, 2], "hi": [2, 3]}"#);
    let err = log_density(&bad, &[0.2]).expect_err("2 elements against 3");
    assert!(err.contains("normal") && err.contains("must match in size") && err.contains('2') && err.contains('3'), "{err}");
}

/// A slice whose upper bound is below its lower one is empty, as in Stan:
/// no terms, and two such slices of different "negative" widths agree.
#[test]
fn a_reversed_slice_is_empty() {
    let source = r#"
data { int N; vector[N] y; array[2] int lo; array[2] int hi; array[2] int lo2; array[2] int hi2; }
parameters { real mu; }
model { for (j in 1:2) y[lo[j]:hi[j]] ~ normal(mu + y[lo2[j]:hi2[j]], 1); }
"#;
    let data = r#"{"N": 3, "y": [1, 2, 3], "lo": [3, 1], "hi": [1, 2], "lo2": [5, 2], "hi2": [2, 3]}"#;
    let model = lower(source, data);
    let mu = 0.3;
    let lp = log_density(&model, &[mu]).expect("empty slices run");
    // Only j = 2 has terms: y[1:2] against mu + y[2:3].
    let half_log_2pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
    let expected: f64 = [(1.0, 2.0), (2.0, 3.0)].iter().map(|(y, m)| -0.5 * (y - (mu + m)) * (y - (mu + m)) - half_log_2pi).sum();
    assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
}

/// The Stan manual's ragged idiom, a position carried from group to group
/// (`segment(y, pos, s[k]) ~ ...; pos = pos + s[k];`), against the sum
/// written out.
#[test]
fn the_manual_ragged_idiom_with_a_carried_position_matches_the_sum() {
    let source = r#"
data { int N; int K; vector[N] y; array[K] int s; }
parameters { vector[K] mu; }
model {
  int pos;
  pos = 1;
  for (k in 1:K) {
    segment(y, pos, s[k]) ~ normal(mu[k], 2);
    pos = pos + s[k];
  }
}
"#;
    let model = lower(source, r#"{"N": 6, "K": 3, "y": [1, 2, 3, 4, 5, 6], "s": [2, 1, 3]}"#);
    let mu = [0.5, -1.0, 2.5];
    let lp = log_density(&model, &mu).expect("runs");
    let groups: [&[f64]; 3] = [&[1.0, 2.0], &[3.0], &[4.0, 5.0, 6.0]];
    let norm = (2.0f64).ln() + 0.5 * (2.0 * std::f64::consts::PI).ln();
    let expected: f64 = groups.iter().zip(mu).flat_map(|(g, m)| g.iter().map(move |y| -0.5 * ((y - m) / 2.0).powi(2) - norm)).sum();
    assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
}

/// A user function whose local is sized by its argument.
const TWICE: &str = r#"
functions {
  vector twice(vector eta) {
    vector[rows(eta)] y;
    for (n in 1:rows(eta)) y[n] = 2 * eta[n];
    return y;
  }
}
"#;

/// A user function's local sized by its argument (`vector[rows(eta)] y;`)
/// called with elementwise arithmetic of a data vector and parameters
/// (`twice(a + x)`, `twice(x .* x * b)`, `twice(-x)`): the argument's length
/// is the data vector's, a constant, as for `twice(x)` (this was E5001,
/// "`rows(a + x)` is not read from the data").
#[test]
fn a_local_sized_by_an_elementwise_argument_has_the_argument_length() {
    let source = TWICE.to_string() + r#"
data { int N; vector[N] x; }
parameters { real a; real b; }
model {
  target += sum(twice(a + x));
  target += dot_product(x, twice(x .* x * b));
  target += max(twice(-x));
}
"#;
    let model = lower(&source, r#"{"N": 3, "x": [1.0, -2.0, 0.5]}"#);
    let (a, b) = (0.75, -1.5);
    let x = [1.0, -2.0, 0.5];
    let expected = x.iter().map(|v| 2.0 * (a + v)).sum::<f64>()
        + x.iter().map(|v| v * 2.0 * v * v * b).sum::<f64>()
        + x.iter().map(|v| -2.0 * v).fold(f64::NEG_INFINITY, f64::max);
    let lp = log_density(&model, &[a, b]).expect("runs");
    assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
}

/// The same call with a column of a local whose size changes from one
/// iteration to the next (`Z[:, 1]`, `col(Z, 2)` of `matrix[n[k], 2] Z`)
/// is refused with E5001 naming the length; it panicked ("index out of
/// bounds") taking the column of a shape not known before lowering.
#[test]
fn a_local_sized_by_a_column_of_a_run_time_sized_local_is_refused_not_a_panic() {
    let source = TWICE.to_string() + r#"
data { int G; array[G] int n; vector[5] x; }
parameters { real a; }
model {
  for (k in 1:G) {
    matrix[n[k], 2] Z = rep_matrix(head(x, n[k]), 2);
    target += sum(twice(Z[:, 1] * a));
    target += sum(twice(col(Z, 2) + a));
  }
}
"#;
    let fe = front_end(&source);
    let program = fe.typed.unwrap_or_else(|| panic!("model checks: {:?}", fe.diagnostics));
    let (bound, diags) = bind_data(&program, &[read_source("d.json", r#"{"G": 3, "n": [2, 3, 2], "x": [1, 2, 3, 4, 5]}"#).expect("data reads")]);
    let bound = bound.unwrap_or_else(|| panic!("data bind: {diags:?}"));
    let diags = lower_model(&program, &bound).err().expect("refused");
    assert!(diags.iter().any(|d| d.code == "E5001" && d.message.contains("rows(Z[:, 1] * a)")), "{diags:?}");
}
