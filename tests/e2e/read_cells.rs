//! Transformed parameters stored, in the log density, only at the cells
//! the data say it reads (`compiler/src/lower/read_cells.rs`): the log
//! density and gradient equal those of the same model storing every cell
//! (`only_cells_read: false`), the gradient function's value equals the
//! log density's (each target term of a nested loop in a fused loop added
//! once, `compiler/src/ad/reverse.rs`), the store was in fact restricted
//! (the lookup tables exist), and the oracles hold (JIT = interpreter,
//! gradient = finite differences). Models: the dims form of
//! `examples/electric_covariance.hbm` (zipped multi-indices, a per-grade
//! loop of small-matrix work) and a plain Stan one (reads in a loop at
//! data-indexed positions, a `[:, g]` and a trailing free axis, a
//! transformed parameter read whole that must stay whole), one whose
//! reads are at transformed data index lists in loops whose bounds are
//! transformed data read at an enclosing loop's variable, and the
//! conditional covariance examples (the same form).

use crate::common;

use hbmc_compiler::ad::differentiate;
use hbmc_compiler::bind::{bind_data, read_source, DataSource};
use hbmc_compiler::front_end;
use hbmc_compiler::interp;
use hbmc_compiler::ir::batch::batch_likelihood_loops;
use hbmc_compiler::ir::{BufferId, FunctionKind, Stmt};
use hbmc_compiler::lower::{lower_model_with, LowerOptions, LoweredModel};

/// Plain Stan: `a` and `b` are read at 8 of their 15 cells; `c` is read
/// whole, so it is stored whole.
const PLAIN: &str = r#"
data {
  int<lower=1> N;
  int<lower=1> G;
  int<lower=1> P;
  array[N] int<lower=1, upper=G> gg;
  array[N] int<lower=1, upper=P> pp;
  vector[N] y;
}
parameters {
  vector[G] mu;
  matrix[P, G] z;
  array[G] vector[P] w;
}
transformed parameters {
  matrix[P, G] a;
  array[G] vector[P] b;
  matrix[P, G] c;
  for (g in 1:G) {
    a[:, g] = mu[g] + 0.5 * z[:, g];
    b[g] = exp(0.3 * w[g]) - mu[g];
    c[:, g] = 0.1 * z[:, g];
  }
}
model {
  mu ~ normal(0, 1);
  to_vector(z) ~ normal(0, 1);
  for (g in 1:G) {
    w[g] ~ normal(0, 1);
  }
  for (n in 1:N) {
    y[n] ~ normal(a[pp[n], gg[n]] + b[gg[n], pp[n]], 1);
  }
  target += -0.5 * dot_self(to_vector(c));
}
"#;

const PLAIN_DATA: &str = r#"{"N": 10, "G": 3, "P": 5,
  "gg": [1, 1, 2, 2, 3, 3, 1, 2, 3, 3],
  "pp": [1, 2, 3, 3, 4, 5, 1, 2, 5, 4],
  "y": [0.3, -0.2, 1.1, 0.7, -0.5, 0.2, 0.4, 0.9, -1.0, 0.1]}"#;

/// Plain Stan with transformed data index lists: `a` is read only at the
/// (p, g) cells some observation is in, through `first[g]:last[g]` and a
/// local `int p = cell_p[k]`: 6 of its 15 cells. The loop over the other
/// cells (`empty_p`) stores only where nothing reads: the log density
/// leaves it out.
const LISTS: &str = r#"
data {
  int<lower=1> N;
  int<lower=1> G;
  int<lower=1> P;
  array[N] int<lower=1, upper=G> gg;
  array[N] int<lower=1, upper=P> pp;
}
transformed data {
  array[P, G] int seen;
  for (g in 1:G) {
    for (p in 1:P) {
      seen[p, g] = 0;
    }
  }
  for (n in 1:N) {
    seen[pp[n], gg[n]] = 1;
  }
  int n_cells = 0;
  for (g in 1:G) {
    for (p in 1:P) {
      n_cells += seen[p, g];
    }
  }
  array[n_cells] int cell_p;
  array[P * G - n_cells] int empty_p;
  array[G] int first;
  array[G] int last;
  array[G] int empty_first;
  array[G] int empty_last;
  {
    int k = 0;
    int e = 0;
    for (g in 1:G) {
      first[g] = k + 1;
      empty_first[g] = e + 1;
      for (p in 1:P) {
        if (seen[p, g] == 1) {
          k += 1;
          cell_p[k] = p;
        } else {
          e += 1;
          empty_p[e] = p;
        }
      }
      last[g] = k;
      empty_last[g] = e;
    }
  }
}
parameters {
  vector[G] mu;
  matrix[P, G] z;
}
transformed parameters {
  matrix[P, G] a;
  for (g in 1:G) {
    a[:, g] = mu[g] + 0.5 * z[:, g];
    for (k in first[g]:last[g]) {
      int p = cell_p[k];
      a[p, g] = exp(0.2 * z[p, g]) + mu[g];
    }
    for (k in empty_first[g]:empty_last[g]) {
      int p = empty_p[k];
      a[p, g] = log1p_exp(z[p, g]) - mu[g];
    }
  }
}
model {
  mu ~ normal(0, 1);
  to_vector(z) ~ normal(0, 1);
  for (g in 1:G) {
    for (k in first[g]:last[g]) {
      int p = cell_p[k];
      target += -square(a[p, g] - 0.3 * g);
    }
  }
}
"#;

const LISTS_DATA: &str = r#"{"N": 7, "G": 3, "P": 5,
  "gg": [1, 1, 2, 3, 3, 3, 1],
  "pp": [2, 4, 5, 1, 3, 3, 2]}"#;

/// The model lowered with or without the restriction, differentiated and
/// batched as the CLI runs it.
fn lowered(source: &str, data: Vec<DataSource>, only_cells_read: bool) -> LoweredModel {
    let fe = front_end(source);
    let program = fe.typed.unwrap_or_else(|| panic!("model checks: {:?}", fe.diagnostics));
    let (bound, diags) = bind_data(&program, &data);
    let bound = bound.unwrap_or_else(|| panic!("data bind: {diags:?}"));
    let mut m = lower_model_with(&program, &bound, LowerOptions { only_cells_read, ..LowerOptions::default() }).unwrap_or_else(|d| panic!("lowering: {d:?}"));
    differentiate(&mut m.module).unwrap_or_else(|e| panic!("AD: {e}"));
    batch_likelihood_loops(&mut m.module);
    m
}

/// The number of stores into `name` in the log density function.
fn log_density_stores(m: &LoweredModel, name: &str) -> usize {
    fn count(stmts: &[Stmt], buf: &[BufferId]) -> usize {
        stmts
            .iter()
            .map(|s| match s {
                Stmt::Store { buf: b, .. } => usize::from(buf.contains(b)),
                Stmt::For { body, .. } => count(body, buf),
                Stmt::If { then, otherwise, .. } => count(then, buf) + count(otherwise, buf),
                Stmt::While { cond_block, body, .. } => count(cond_block, buf) + count(body, buf),
                _ => 0,
            })
            .sum()
    }
    let bufs: Vec<BufferId> = (0..m.module.buffers.len()).map(|i| BufferId(i as u32)).filter(|&b| m.module.buffer(b).name == name).collect();
    assert!(!bufs.is_empty(), "no buffer {name}: {:?}", m.module.buffers.iter().map(|b| &b.name).collect::<Vec<_>>());
    let f = m.module.functions.iter().find(|f| f.kind == FunctionKind::LogDensity).expect("a log density");
    count(&f.body, &bufs)
}

/// Names of the lookup tables made for restricted stores.
fn tables(m: &LoweredModel) -> Vec<String> {
    m.module.buffers.iter().filter(|b| b.name.ends_with(".read_cells")).map(|b| b.name.clone()).collect()
}

/// Value and gradient at random points equal with and without the
/// restriction; returns the restricted model's table names.
fn compare(name: &str, source: &str, data: impl Fn() -> Vec<DataSource>) -> Vec<String> {
    let (only, all) = (lowered(source, data(), true), lowered(source, data(), false));
    assert_eq!(only.dim, all.dim);
    assert!(tables(&all).is_empty(), "{name}: the reference lowering restricted a store");
    let (mut a, mut b) = (common::model_arenas(&only), common::model_arenas(&all));
    let mut g = hbmc_stdlib::ChainRng::new(2026, 0);
    for point in 0..10 {
        let x: Vec<f64> = (0..only.dim).map(|_| 3.0 * g.uniform() - 1.5).collect();
        a.params.copy_from_slice(&x);
        b.params.copy_from_slice(&x);
        let la = interp::run(&only.module, FunctionKind::Gradient, &mut a, None).expect("restricted gradient runs");
        let lb = interp::run(&all.module, FunctionKind::Gradient, &mut b, None).expect("reference gradient runs");
        assert!((la - lb).abs() <= 1e-12 * lb.abs().max(1.0), "{name}, point {point}: log density {la} restricted, {lb} whole");
        // The gradient function's value is the log density's: target
        // terms that only its reverse sweep adds (fused loops, nested
        // loops of them) are added once each.
        let mut c = common::model_arenas(&only);
        c.params.copy_from_slice(&x);
        let lc = interp::run(&only.module, FunctionKind::LogDensity, &mut c, None).expect("log density runs");
        assert!((la - lc).abs() <= 1e-12 * lc.abs().max(1.0), "{name}, point {point}: gradient function's value {la}, log density {lc}");
        for (i, (p, q)) in a.grad.iter().zip(&b.grad).enumerate() {
            assert!((p - q).abs() <= 1e-12 * q.abs().max(1.0), "{name}, point {point}: d/dx[{i}] {p} restricted, {q} whole");
        }
    }
    tables(&only)
}

#[test]
fn electric_covariance_stores_only_the_cells_its_likelihood_reads() {
    let root = common::root();
    let source = std::fs::read_to_string(root.join("examples/electric_covariance.hbm")).expect("example reads");
    let csv = std::fs::read_to_string(root.join("examples/data/electric.csv")).expect("data reads");
    let mut names = compare("electric_covariance", &source, || vec![read_source("electric.csv", &csv).expect("data parses")]);
    names.sort();
    assert_eq!(names, ["alpha.read_cells", "theta.read_cells"]);
}

#[test]
fn plain_stan_reads_in_a_loop_restrict_the_stores_and_a_whole_read_does_not() {
    let mut names = compare("plain", PLAIN, || vec![read_source("d.json", PLAIN_DATA).expect("data parses")]);
    names.sort();
    assert_eq!(names, ["a.read_cells", "b.read_cells"]);
}

#[test]
fn reads_at_transformed_data_lists_restrict_the_stores_and_unread_ones_go() {
    let data = || vec![read_source("d.json", LISTS_DATA).expect("data parses")];
    let names = compare("lists", LISTS, data);
    assert_eq!(names, ["a.read_cells"]);
    // The loop over the cells nothing reads is left out: one store of `a`
    // fewer (the restricted `a[:, g]` and the loop over the cells read
    // stay).
    let (only, all) = (lowered(LISTS, data(), true), lowered(LISTS, data(), false));
    assert_eq!((log_density_stores(&only, "a"), log_density_stores(&all, "a")), (2, 3));
}

#[test]
fn the_conditional_examples_store_only_the_cells_read() {
    let root = common::root();
    let csv = std::fs::read_to_string(root.join("examples/data/electric.csv")).expect("data reads");
    for example in ["electric_covariance_conditional", "electric_covariance_lkj_conditional"] {
        let source = std::fs::read_to_string(root.join(format!("examples/{example}.hbm"))).expect("example reads");
        let data = || vec![read_source("electric.csv", &csv).expect("data parses")];
        compare(example, &source, data);
        // The loop over the cells no observation is in goes: one store of
        // each left, in the loop over the cells with observations.
        let (only, all) = (lowered(&source, data(), true), lowered(&source, data(), false));
        for name in ["alpha", "theta"] {
            assert_eq!((log_density_stores(&only, name), log_density_stores(&all, name)), (1, 2), "{example}: {name}");
        }
    }
}

#[test]
fn restricted_stores_pass_the_oracles() {
    common::oracle::check_example_json("read_cells_plain", PLAIN, PLAIN_DATA).unwrap_or_else(|e| panic!("{e}"));
    common::oracle::check_example_json("read_cells_lists", LISTS, LISTS_DATA).unwrap_or_else(|e| panic!("{e}"));
}

/// A loop bounded by the size of a transformed parameter (`for (i in
/// 1:size(r))`, as a foreach loop over an array of tuples becomes) reads
/// every row of the transformed parameter it indexes: on 7aac5c9 the
/// read-cell analysis took the size of a variable not laid out yet as 1
/// and stored only the first row, a wrong log density.
#[test]
fn a_loop_bounded_by_a_transformed_parameters_size_reads_every_cell() {
    let model = |bound: &str| {
        format!(
            "data {{ int N; array[N] vector[2] marks; }}
             parameters {{ vector[2] beta; }}
             transformed parameters {{
               array[N] real r;
               array[N] vector[2] shifted;
               for (n in 1:N) {{ shifted[n] = marks[n] + beta; r[n] = 1; }}
             }}
             model {{ for (i in 1:{bound}) target += -0.5 * dot_self(shifted[i]); }}"
        )
    };
    let data = r#"{"N": 3, "marks": [[1.0, 2.0], [0.5, -1.0], [3.0, 0.25]]}"#;
    for engine in [hbmc::model::Engine::Jit, hbmc::model::Engine::Interpreter] {
        let sized = common::oracle::bind_json("size-bound", &model("size(r)"), data, engine).expect("binds");
        let counted = common::oracle::bind_json("n-bound", &model("N"), data, engine).expect("binds");
        common::corpus::assert_same_density_bound("size(r)", &sized, "N", &counted, 3, 1e-12);
    }
}
