//! Loop invariants computed once (`compiler/src/ir/licm.rs`): in
//! `for (n in 1:N) y[n] ~ normal(alpha + beta * x[n], sigma);` the scale's
//! `log` and reciprocal leave the loop, in the log density and in the
//! gradient generated from it, and what must stay (a load of a buffer the
//! loop writes, an integer division, a load at an index that varies) stays.
//! Every corpus program with data gives the same log density and gradient
//! with and without the pass, in the reference interpreter, and the same
//! generated quantities.

use crate::common;

use hbmc_compiler::ad::differentiate_with_data;
use hbmc_compiler::bind::{bind_data, read_source};
use hbmc_compiler::front_end;
use hbmc_compiler::interp;
use hbmc_compiler::ir::arenas::Arenas;
use hbmc_compiler::ir::FunctionKind;
use hbmc_compiler::lower::{lower_model_with, LowerOptions, LoweredModel};
use std::path::Path;

const REGRESSION: &str = "data { int N; vector[N] x; vector[N] y; }
parameters { real alpha; real beta; real<lower=0> sigma; }
model {
  alpha ~ normal(0, 1); beta ~ normal(0, 1); sigma ~ exponential(1);
  for (n in 1:N) y[n] ~ normal(alpha + beta * x[n], sigma);
}
";

const REGRESSION_DATA: &str = r#"{"N": 4, "x": [0.1, -0.5, 1.2, 0.3], "y": [1.0, 0.2, 3.1, 1.4]}"#;

/// The indentation of the first line of `ir` holding `what` (a loop's body
/// is indented two spaces more than the loop).
fn depth_of(ir: &str, what: &str) -> usize {
    let line = ir.lines().find(|l| l.contains(what)).unwrap_or_else(|| panic!("no `{what}` in\n{ir}"));
    line.len() - line.trim_start().len()
}

#[test]
fn the_scale_of_a_likelihood_loop_is_taken_once() {
    for kind in [FunctionKind::LogDensity, FunctionKind::Gradient] {
        let ir = common::function_ir(REGRESSION, REGRESSION_DATA, kind);
        // Top level of the function body: two spaces.
        assert_eq!(depth_of(&ir, "call hbm_log("), 2, "{kind:?}: the scale's log is in a loop:\n{ir}");
        assert_eq!(ir.matches("call hbm_log(").count(), 1, "{kind:?}: the log is taken more than once:\n{ir}");
        assert!(depth_of(&ir, "load data.y[") > 2, "{kind:?}: the observations are read in the loop:\n{ir}");
    }
}

#[test]
fn what_varies_or_may_trap_stays_in_the_loop() {
    // `s[1]` is written in its loop (each load must see the last write),
    // `K %/% M` would divide by zero before a loop that runs no iteration
    // when M is 0, and `sigma[g[n]]` is read at an index that varies.
    let source = "data { int N; int K; int M; array[N] int<lower=1, upper=2> g; vector[N] y; }
parameters { vector<lower=0>[2] sigma; }
model {
  vector[2] s = rep_vector(0, 2);
  for (n in 1:N) {
    s[1] = s[1] + 1;
    target += -square(y[n] - s[1]);
  }
  for (n in 1:N) y[n] ~ normal(K %/% M, 1);
  for (n in 1:N) y[n] ~ normal(0, sigma[g[n]]);
}
";
    let data = r#"{"N": 3, "K": 7, "M": 2, "g": [1, 2, 2], "y": [0.5, 1.5, -0.3]}"#;
    let ir = common::function_ir(source, data, FunctionKind::LogDensity);
    let loop_depth = depth_of(&ir, "load data.y[");
    assert!(loop_depth > 2, "the observations are read outside a loop:\n{ir}");
    for what in ["load work.s[", "div ", "load work.sigma["] {
        let depths: Vec<usize> = ir.lines().filter(|l| l.contains(what)).map(|l| l.len() - l.trim_start().len()).collect();
        assert!(!depths.is_empty() && depths.iter().all(|&d| d == loop_depth), "`{what}` left its loop:\n{ir}");
    }
    common::oracle::check_example_json("licm_stays", source, data).unwrap_or_else(|e| panic!("{e}"));
}

/// The User's Guide's two-component mixture: `log_mix` is lowered as
/// `log_sum_exp(log θ + lp1, log1m θ + lp2)`, so θ's two logs leave the
/// loop over observations; its value is the library's `log_mix` at every
/// point, θ at and outside [0, 1] included.
#[test]
fn a_mixtures_log_theta_is_taken_once_and_log_mix_keeps_its_value() {
    let source = "data { int N; vector[N] y; }
parameters { real<lower=0, upper=1> theta; real a; real b; }
model {
  for (n in 1:N) target += log_mix(theta, normal_lpdf(y[n] | a, 1), normal_lpdf(y[n] | b, 2));
}
";
    let data = r#"{"N": 5, "y": [0.1, -1.2, 2.5, 0.7, 3.3]}"#;
    for kind in [FunctionKind::LogDensity, FunctionKind::Gradient] {
        let ir = common::function_ir(source, data, kind);
        for call in ["call hbm_log(", "call hbm_log1m("] {
            assert_eq!(depth_of(&ir, call), 2, "{kind:?}: `{call}` is in the loop:\n{ir}");
        }
        assert!(depth_of(&ir, "call hbm_log_sum_exp") > 2, "{kind:?}: the mixture is not summed per observation:\n{ir}");
    }
    common::oracle::check_example_json("licm_log_mix", source, data).unwrap_or_else(|e| panic!("{e}"));
    // The value at the edges, against the library's scalar `log_mix`: a
    // model whose only term is log_mix of data.
    let single = "data { real t; real p; real q; int p_inf; } parameters { real z; }
model { z ~ std_normal(); target += log_mix(t, p_inf ? negative_infinity() : p, q); }";
    for (t, p, q) in [(0.3, -1.0, -2.5), (0.0, -1.0, -2.5), (1.0, -1.0, -2.5), (0.5, f64::NEG_INFINITY, -3.0), (1.5, -1.0, -2.0), (-0.1, -1.0, -2.0)] {
        let p_inf = i32::from(p == f64::NEG_INFINITY);
        let json = format!(r#"{{"t": {t}, "p": {}, "q": {q}, "p_inf": {p_inf}}}"#, if p_inf == 1 { 0.0 } else { p });
        let model = common::oracle::bind_json("licm_log_mix_edges", single, &json, hbmc::model::Engine::Jit).unwrap_or_else(|e| panic!("{e}"));
        let got = model.evaluator().log_density(&[0.0]).map(|v| v + 0.5 * (2.0 * std::f64::consts::PI).ln());
        let want = hbmc_stdlib::special::log_mix(t, p, q);
        match got {
            Ok(v) => assert!(v == want || (v.is_nan() && want.is_nan()) || (v - want).abs() <= 1e-15 * want.abs().max(1.0), "log_mix({t}, {p}, {q}) = {v}, library {want}"),
            // A NaN term is refused as the library's NaN would be.
            Err(e) => assert!(want.is_nan(), "log_mix({t}, {p}, {q}): {}, library {want}", e.message),
        }
    }
}

/// `student_t` is lowered as IR (`lower/student_t.rs`): with scalar ν and
/// σ its normalising term (`lgamma_half_diff`, two logs) leaves the loop
/// over observations, in the log density and the gradient; its value is
/// the library's `student_t_lpdf` at ordinary and invalid points.
#[test]
fn a_student_t_likelihood_normalises_once_and_keeps_the_librarys_value() {
    let source = "data { int N; vector[N] x; vector[N] y; }
parameters { real alpha; real beta; real<lower=0> sigma; real<lower=1> nu; }
model { nu ~ gamma(2, 0.1); y ~ student_t(nu, alpha + beta * x, sigma); }
";
    for kind in [FunctionKind::LogDensity, FunctionKind::Gradient] {
        let ir = common::function_ir(source, REGRESSION_DATA, kind);
        assert_eq!(depth_of(&ir, "call hbm_lgamma_half_diff("), 2, "{kind:?}: the normalisation is in the loop:\n{ir}");
        assert!(depth_of(&ir, "call hbm_log1p(") > 2, "{kind:?}: no log1p per observation:\n{ir}");
    }
    common::oracle::check_example_json("licm_student_t", source, REGRESSION_DATA).unwrap_or_else(|e| panic!("{e}"));
    // One term of data, against the library.
    let single = "data { real y; real nu; real mu; real sigma; int y_inf; } parameters { real z; }
model { z ~ std_normal(); target += student_t_lpdf(y_inf ? positive_infinity() : y | nu, mu, sigma); }";
    let cases = [
        (0.3, 4.0, 0.1, 1.5, 0),
        (-12.0, 1.0, 2.0, 0.5, 0),
        (1e3, 3.0, -2.0, 0.01, 0),
        (0.5, 1e6, 0.0, 1.0, 0),
        (0.5, 25.0, 0.0, 2.0, 0),
        (0.5, 0.0, 0.0, 1.0, 0),
        (0.5, -1.0, 0.0, 1.0, 0),
        (0.5, 3.0, 0.0, 0.0, 0),
        (0.5, 3.0, 0.0, -1.0, 0),
        (0.0, 3.0, 0.0, 1.0, 1),
    ];
    for (y, nu, mu, sigma, y_inf) in cases {
        let json = format!(r#"{{"y": {y}, "nu": {nu}, "mu": {mu}, "sigma": {sigma}, "y_inf": {y_inf}}}"#);
        let model = common::oracle::bind_json("licm_student_t_edges", single, &json, hbmc::model::Engine::Jit).unwrap_or_else(|e| panic!("{e}"));
        let got = model.evaluator().log_density(&[0.0]).map(|v| v + 0.5 * (2.0 * std::f64::consts::PI).ln());
        let yy = if y_inf == 1 { f64::INFINITY } else { y };
        let want = hbmc_stdlib::dist::continuous::student_t_lpdf(yy, nu, mu, sigma);
        match got {
            Ok(v) => assert!(
                v == want || (v - want).abs() <= 1e-14 * want.abs().max(1.0),
                "student_t({yy} | {nu}, {mu}, {sigma}) = {v}, library {want}"
            ),
            Err(e) => panic!("student_t({yy} | {nu}, {mu}, {sigma}): {}, library {want}", e.message),
        }
    }
}

/// The deepest indentation of a line of `ir` holding `what` (0 if none).
fn deepest(ir: &str, what: &str) -> usize {
    ir.lines().filter(|l| l.contains(what)).map(|l| l.len() - l.trim_start().len()).max().unwrap_or(0)
}

#[test]
fn a_k_mixtures_logs_are_tabulated_over_k() {
    let root = common::root();
    let source = std::fs::read_to_string(root.join("tests/stan_corpus/mixture_k.stan")).expect("corpus program");
    let data = std::fs::read_to_string(root.join("tests/stan_corpus/mixture_k.json")).expect("its data");
    for kind in [FunctionKind::LogDensity, FunctionKind::Gradient, FunctionKind::Generate] {
        let ir = common::function_ir(&source, &data, kind);
        // The function body is at 2 spaces, a loop's body at 4, a loop in a
        // loop at 6: the logs of theta[k] and sigma[k] are taken in the
        // table's own loop (4), and only log_sum_exp's log (4) is in the
        // observation loop.
        assert!(ir.contains("table#"), "{kind:?}: no table:\n{ir}");
        assert_eq!(deepest(&ir, "call hbm_log("), 4, "{kind:?}: a log inside the (n, k) loops:\n{ir}");
        assert!(deepest(&ir, "load work.table#") >= 6, "{kind:?}: the tables are not read in the inner loop:\n{ir}");
    }
}

#[test]
fn a_scale_read_through_the_group_index_is_tabulated_over_groups() {
    let root = common::root();
    let source = std::fs::read_to_string(root.join("tests/stan_corpus/grouped_scales_loop.stan")).expect("corpus program");
    let data = std::fs::read_to_string(root.join("tests/stan_corpus/grouped_scales_loop.json")).expect("its data");
    for kind in [FunctionKind::LogDensity, FunctionKind::Gradient, FunctionKind::Generate] {
        let ir = common::function_ir(&source, &data, kind);
        // `log(sigma[g[n]])` is taken in the table's loop over sigma, before
        // the observation loop, which loads it at the group index.
        let observation_loop = ir.lines().position(|l| l.contains("load data.y[")).expect("the observation loop");
        let log_line = ir.lines().position(|l| l.contains("call hbm_log(")).expect("a log");
        assert!(log_line < observation_loop && ir.matches("call hbm_log(").count() == 1, "{kind:?}: a log per observation:\n{ir}");
        assert!(ir.contains("load work.table#"), "{kind:?}: no table read:\n{ir}");
    }
}

#[test]
fn an_lda_likelihoods_logs_over_gathered_parameters_are_tabulated_before_both_loops() {
    // `log(theta[doc[n], k]) + log(phi[k, w[n]])` in `for (n) for (k)`:
    // the index varies with both loops, so the tables are over the whole
    // of theta and phi, filled before the observation loop, which is
    // longer than both (on the earlier code, a log per (n, k): four logs
    // deep in the two loops).
    let root = common::root();
    let source = std::fs::read_to_string(root.join("tests/stan_corpus/lda.stan")).expect("corpus program");
    let data = std::fs::read_to_string(root.join("tests/stan_corpus/lda.json")).expect("its data");
    for kind in [FunctionKind::LogDensity, FunctionKind::Gradient] {
        let ir = common::function_ir(&source, &data, kind);
        assert!(ir.contains("load work.table#"), "{kind:?}: no table read:\n{ir}");
        // The observation loop: the top-level `for` (at two spaces) around
        // the first read of `doc`.
        let lines: Vec<&str> = ir.lines().collect();
        let indent = |l: &str| l.len() - l.trim_start().len();
        let read = lines.iter().position(|l| l.contains("int_data.doc[")).expect("doc is read");
        let start = (0..read).rev().find(|&i| lines[i].starts_with("  for ")).expect("a loop around it");
        let end = (start + 1..lines.len()).find(|&i| indent(lines[i]) == indent(lines[start]) && lines[i].trim() == "}").expect("its end");
        // Inside its inner loop (deeper than the loop's own body, where
        // log_sum_exp takes its log).
        let logs_per_n_k = lines[start..end].iter().filter(|l| l.contains("call hbm_log(") && indent(l) > indent(lines[start]) + 2).count();
        assert_eq!(logs_per_n_k, 0, "{kind:?}: a log per (n, k):\n{}", lines[start..end].join("\n"));
    }
}

#[test]
fn what_an_outer_loop_writes_or_transformed_data_bound_is_not_tabulated() {
    // `w` is written in the observation loop (its table would be stale);
    // `K2`, from transformed data, is not known when the model is compiled.
    let source = "data { int K; int N; array[N] real y; }
transformed data { int K2 = K; }
parameters { vector<lower=0>[K] w; vector<lower=0>[K] s; }
model {
  vector[K] v = w;
  for (n in 1:N) {
    v[1] = n;
    for (k in 1:K) target += log(v[k]) * y[n];
    for (k in 1:K2) target += log(s[k]) * y[n];
  }
}
";
    let data = r#"{"K": 3, "N": 4, "y": [0.5, 1.5, -1.0, 2.0]}"#;
    let ir = common::function_ir(source, data, FunctionKind::LogDensity);
    assert!(!ir.contains("table#"), "a table was made:\n{ir}");
    assert_eq!(deepest(&ir, "call hbm_log("), 6, "the logs left their loops:\n{ir}");
}

fn lowered(source: &str, data: &[&Path], options: LowerOptions) -> Result<LoweredModel, String> {
    let fe = front_end(source);
    let program = fe.typed.ok_or_else(|| format!("{:?}", fe.diagnostics))?;
    let sources = data
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).map_err(|e| e.to_string())?;
            read_source(&p.to_string_lossy(), &text).map_err(|d| format!("{d:?}"))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let (bound, diags) = bind_data(&program, &sources);
    let bound = bound.ok_or_else(|| format!("{diags:?}"))?;
    let mut m = lower_model_with(&program, &bound, options).map_err(|d| format!("{d:?}"))?;
    differentiate_with_data(&mut m.module, &m.data_init, &m.int_data_init).map_err(|e| e.to_string())?;
    Ok(m)
}

/// Interpreter arenas with the data and transformed data in place (drawn
/// with a fixed seed where transformed data draw).
fn arenas(m: &LoweredModel) -> Result<Arenas, String> {
    let mut a = Arenas::new(&m.module.arena_sizes);
    a.data[..m.data_init.len()].copy_from_slice(&m.data_init);
    a.int_data[..m.int_data_init.len()].copy_from_slice(&m.int_data_init);
    let mut rng = hbmc_stdlib::ChainRng::new(11, 0);
    interp::run(&m.module, FunctionKind::TransformedData, &mut a, Some(&mut rng)).map_err(|e| e.to_string())?;
    Ok(a)
}

/// The number of statements inside loops of the log density.
fn statements_in_loops(m: &LoweredModel) -> usize {
    use hbmc_compiler::ir::Stmt;
    fn count(stmts: &[Stmt], in_loop: bool) -> usize {
        stmts
            .iter()
            .map(|s| {
                usize::from(in_loop)
                    + match s {
                        Stmt::For { body, .. } => count(body, true),
                        Stmt::While { cond_block, body, .. } => count(cond_block, true) + count(body, true),
                        Stmt::If { then, otherwise, .. } => count(then, in_loop) + count(otherwise, in_loop),
                        _ => 0,
                    }
            })
            .sum()
    }
    let f = m.module.functions.iter().find(|f| f.kind == FunctionKind::LogDensity).expect("a log density");
    count(&f.body, false)
}

/// One program lowered with a pass (`with`) and without it (`without`),
/// compared in the reference interpreter at 5 points: the same log density
/// and gradient (1e-12) and bit-identical generated quantities; each
/// difference goes into `failures`. Whether `changed_by` says the pass
/// changed the program; None when it was not compared (it lowers in
/// neither form, or in one only: a failure).
fn compare_program(
    name: &str,
    source: &str,
    files: &[&Path],
    with: LowerOptions,
    without: LowerOptions,
    changed_by: &impl Fn(&LoweredModel, &LoweredModel) -> bool,
    failures: &mut Vec<String>,
) -> Option<bool> {
    let (hoisted, reference) = match (lowered(source, files, with), lowered(source, files, without)) {
        (Ok(a), Ok(b)) => (a, b),
        // Programs that do not lower with their data are the oracles'
        // business (tests/e2e/stan_programs.rs); both forms must agree.
        (Err(_), Err(_)) => return None,
        (a, b) => {
            failures.push(format!("{name}: lowers {} with the pass, {} without", a.is_ok(), b.is_ok()));
            return None;
        }
    };
    let changed = changed_by(&hoisted, &reference);
    let (mut a, mut b) = match (arenas(&hoisted), arenas(&reference)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(ea), Err(eb)) if ea == eb => return Some(changed),
        (a, b) => {
            failures.push(format!("{name}: transformed data {:?} with the pass, {:?} without", a.err(), b.err()));
            return Some(changed);
        }
    };
    let mut g = hbmc_stdlib::ChainRng::new(7, 0);
    for point in 0..5 {
        let x: Vec<f64> = (0..hoisted.dim).map(|_| 3.0 * g.uniform() - 1.5).collect();
        // The generated quantities, drawn with the same generator: the
        // same draws (random draws never move).
        a.params.copy_from_slice(&x);
        b.params.copy_from_slice(&x);
        let (mut ra, mut rb) = (hbmc_stdlib::ChainRng::new(point, 1), hbmc_stdlib::ChainRng::new(point, 1));
        let ga = interp::run(&hoisted.module, FunctionKind::Generate, &mut a, Some(&mut ra)).map(f64::to_bits).map_err(|e| e.to_string());
        let gb = interp::run(&reference.module, FunctionKind::Generate, &mut b, Some(&mut rb)).map(f64::to_bits).map_err(|e| e.to_string());
        let same_bits = |p: &f64, q: &f64| p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan());
        if ga != gb || !a.out.iter().zip(&b.out).all(|(p, q)| same_bits(p, q)) {
            failures.push(format!("{name}, point {point}: generated quantities differ ({ga:?} with the pass, {gb:?} without)"));
        }
        for kind in [FunctionKind::LogDensity, FunctionKind::Gradient] {
            a.params.copy_from_slice(&x);
            b.params.copy_from_slice(&x);
            a.grad.iter_mut().for_each(|v| *v = 0.0);
            b.grad.iter_mut().for_each(|v| *v = 0.0);
            let la = interp::run(&hoisted.module, kind, &mut a, None);
            let lb = interp::run(&reference.module, kind, &mut b, None);
            let (la, lb) = match (la, lb) {
                (Ok(la), Ok(lb)) => (la, lb),
                (Err(ea), Err(eb)) if ea.to_string() == eb.to_string() => return None,
                (la, lb) => {
                    failures.push(format!("{name}, point {point}, {kind:?}: {la:?} with the pass, {lb:?} without"));
                    continue;
                }
            };
            let same = |p: f64, q: f64| p == q || (p.is_nan() && q.is_nan()) || (p - q).abs() <= 1e-12 * q.abs().max(1.0);
            if !same(la, lb) {
                failures.push(format!("{name}, point {point}, {kind:?}: {la} with the pass, {lb} without"));
            }
            if kind == FunctionKind::Gradient {
                for (i, (p, q)) in a.grad.iter().zip(&b.grad).enumerate() {
                    if !same(*p, *q) {
                        failures.push(format!("{name}, point {point}: d/dx[{i}] {p} with the pass, {q} without"));
                    }
                }
            }
        }
    }
    Some(changed)
}

/// Every corpus program with data through [`compare_program`]. Returns the programs compared, those `changed`
/// says the pass changed, and the differences.
fn compare_on_the_corpus(with: LowerOptions, without: LowerOptions, changed_by: impl Fn(&LoweredModel, &LoweredModel) -> bool) -> (usize, usize, Vec<String>) {
    let root = common::root();
    let mut paths = Vec::new();
    for dir in ["tests/stan_corpus", "tests/stan_corpus/pdb"] {
        let entries = std::fs::read_dir(root.join(dir)).expect("corpus folder");
        paths.extend(entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|e| e == "stan")));
    }
    paths.sort();
    let (mut compared, mut changed) = (0, 0);
    let mut failures = Vec::new();
    for path in &paths {
        let name = path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let source = std::fs::read_to_string(path).expect("readable program");
        let files = common::oracle::data_files(&root, &source);
        if files.is_empty() {
            continue;
        }
        let files: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
        if let Some(c) = compare_program(&name, &source, &files, with, without, &changed_by, &mut failures) {
            compared += 1;
            changed += usize::from(c);
        }
    }
    (compared, changed, failures)
}

#[test]
fn every_corpus_program_has_the_same_density_and_gradient_with_invariants_hoisted() {
    // Tables (`ir::tabulate`) off in both: this is licm's test.
    let base = LowerOptions { tabulate_inner_invariants: false, ..LowerOptions::default() };
    let without = LowerOptions { hoist_loop_invariants: false, ..base };
    let moved = |a: &LoweredModel, b: &LoweredModel| statements_in_loops(a) < statements_in_loops(b);
    let (compared, changed, failures) = compare_on_the_corpus(base, without, moved);
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
    eprintln!("{changed} of {compared} corpus programs have statements moved out of loops");
    assert!(compared >= 80, "only {compared} corpus programs compared");
    // The pass must have something to do on real programs.
    assert!(changed >= 20, "the pass moved statements out of loops in only {changed} of {compared} programs");
}

/// The number of tables `ir::tabulate` made in a model.
fn tables(m: &LoweredModel) -> usize {
    m.module.buffers.iter().filter(|b| b.name.starts_with("table#")).count()
}

#[test]
fn every_corpus_program_has_the_same_density_and_gradient_with_tables() {
    let with = LowerOptions::default();
    let without = LowerOptions { tabulate_inner_invariants: false, ..with };
    let (compared, changed, failures) = compare_on_the_corpus(with, without, |a, _| tables(a) > 0);
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
    eprintln!("{changed} of {compared} corpus programs have tables");
    assert!(compared >= 80, "only {compared} corpus programs compared");
    assert!(changed >= 2, "tables in only {changed} of {compared} programs");
}

/// The number of tables and sums `ir::data_tables` made in a model.
fn data_tables(m: &LoweredModel) -> usize {
    m.module.buffers.iter().filter(|b| b.name.starts_with("data_table#") || b.name.starts_with("data_sum#")).count()
}

#[test]
fn every_corpus_program_has_the_same_density_and_gradient_with_data_terms_computed_once() {
    let with = LowerOptions::default();
    let without = LowerOptions { tabulate_data_terms: false, ..with };
    let (compared, changed, failures) = compare_on_the_corpus(with, without, |a, _| data_tables(a) > 0);
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
    eprintln!("{changed} of {compared} corpus programs have data terms computed when the data are bound");
    assert!(compared >= 80, "only {compared} corpus programs compared");
    assert!(changed >= 3, "data terms computed once in only {changed} of {compared} programs");
}

#[test]
fn data_terms_of_a_loop_are_computed_once_and_what_reads_parameters_stays() {
    // `lgamma(y[n] + 1)` and `log(x[n])` depend on the data alone: the first
    // is only added to the target (summed once when the data are bound),
    // the second multiplies a parameter (a table, loaded per observation).
    // `log(x[n] + sigma)` reads a parameter and stays.
    let source = "data { int N; array[N] int y; vector<lower=0>[N] x; }
parameters { real<lower=0> sigma; }
model {
  for (n in 1:N) {
    target += -lgamma(y[n] + 1);
    target += sigma * log(x[n]) - log(x[n] + sigma);
  }
}
";
    let data = r#"{"N": 5, "y": [0, 3, 1, 7, 2], "x": [0.5, 1.5, 2.0, 0.1, 3.0]}"#;
    let td = common::function_ir(source, data, FunctionKind::TransformedData);
    assert!(td.contains("call hbm_lgamma(") && td.contains("data.data_sum#"), "lgamma is not summed with the data:\n{td}");
    assert!(td.contains("data.data_table#"), "log(x) is not tabulated:\n{td}");
    for kind in [FunctionKind::LogDensity, FunctionKind::Gradient] {
        let ir = common::function_ir(source, data, kind);
        assert!(!ir.contains("hbm_lgamma"), "{kind:?} still takes lgamma:\n{ir}");
        assert_eq!(ir.matches("call hbm_log(").count(), 1, "{kind:?}: log(x[n]) is still taken, or log(x[n] + sigma) is not:\n{ir}");
        assert_eq!(depth_of(&ir, "load data.data_sum#"), 2, "{kind:?}: the sum is added in the loop:\n{ir}");
        assert!(depth_of(&ir, "load data.data_table#") > 2, "{kind:?}: the table is not read per observation:\n{ir}");
    }
}

#[test]
fn data_terms_under_a_condition_in_a_loop_are_tabulated_and_the_condition_still_decides() {
    // `poisson_lpmf(y[n] | ...)` under a data condition keeps its
    // `lgamma(y[n] + 1)`, and `log(x[n])` / `lgamma(y[n] + 2)` sit in the
    // branches of a condition that reads a parameter: each value goes into
    // a table filled for every observation, and the `if` still decides
    // whether it is added (never summed ahead of the loop); the same
    // density and gradient as without the pass.
    let source = "data { int N; array[N] int y; vector<lower=0>[N] x; }
parameters { real<lower=0> lambda; real mu; }
model {
  mu ~ normal(0, 1);
  for (n in 1:N) {
    if (y[n] > 0)
      target += poisson_lpmf(y[n] | lambda * x[n]);
    if (mu > x[n])
      target += log(x[n]) * mu;
    else
      target += -lgamma(y[n] + 2);
  }
}
";
    let data = r#"{"N": 6, "y": [0, 3, 1, 7, 0, 2], "x": [0.5, 1.5, 2.0, 0.1, 3.0, 0.7]}"#;
    let td = common::function_ir(source, data, FunctionKind::TransformedData);
    assert!(td.contains("call hbm_lgamma(") && td.contains("call hbm_log(") && td.contains("data.data_table#"), "the terms are not tabulated with the data:\n{td}");
    assert!(!td.contains("data.data_sum#"), "a term under a condition is summed ahead of the loop:\n{td}");
    for kind in [FunctionKind::LogDensity, FunctionKind::Gradient] {
        let ir = common::function_ir(source, data, kind);
        assert!(!ir.contains("hbm_lgamma") && !ir.contains("call hbm_log("), "{kind:?} still takes lgamma or log per observation:\n{ir}");
        assert!(depth_of(&ir, "load data.data_table#") > 4, "{kind:?}: the table is not read in the branch:\n{ir}");
    }
    let without = LowerOptions { tabulate_data_terms: false, ..LowerOptions::default() };
    let ir = common::function_ir_with(source, data, FunctionKind::LogDensity, without);
    assert!(ir.contains("hbm_lgamma") && ir.contains("call hbm_log("), "without the pass the terms are in the loop (the test's premise):\n{ir}");
    let dir = common::scratch("data-table-in-branch");
    let path = dir.join("branch.json");
    std::fs::write(&path, data).expect("data written");
    let mut failures = Vec::new();
    let changed = compare_program("branch", source, &[path.as_path()], LowerOptions::default(), without, &|a, _| data_tables(a) > 0, &mut failures);
    assert_eq!(changed, Some(true), "not compared or not changed: {failures:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn posteriordbs_leuk_and_mh_take_no_data_only_function_per_gradient() {
    // leuk_model's `lgamma(dN[i, j] + 1)` (under `if (Y[i, j] != 0)` in
    // the i loop inside the j loop) and Mh_model's `lchoose(T, y[i])`
    // (under `if (y[i] > 0)`) depend on the data alone (Mh's `lchoose(T,
    // 0)` of the other branch is a constant, taken once before the loop).
    for (program, data, symbol) in [("pdb/leuk_model.stan", "pdb/leuk.json", "hbm_lgamma"), ("pdb/Mh_model.stan", "pdb/capture_counts.json", "hbm_lchoose")] {
        let source = common::corpus::source(program);
        let data = std::fs::read_to_string(common::corpus::path(data)).expect("corpus data");
        for kind in [FunctionKind::LogDensity, FunctionKind::Gradient] {
            let ir = common::function_ir(&source, &data, kind);
            // Top level of the function body (two spaces) is once per gradient.
            let in_loops = ir.lines().filter(|l| l.contains(symbol) && l.len() - l.trim_start().len() > 2).count();
            assert_eq!(in_loops, 0, "{program} {kind:?} still calls {symbol} in a loop:\n{ir}");
        }
    }
}

#[test]
fn a_data_term_of_an_inner_loop_that_reads_the_outer_loop_is_tabulated_over_both() {
    // A count marginalised out (posteriordb's Survey): `binomial_lpmf(k |
    // n, theta)` over every possible count `n`, in a branch of the n loop.
    // Its `lchoose(n, k[i])` depends on the data and on both loops'
    // variables: one table of (nmax - 1) x m values, read in the inner
    // loop, and no lchoose per gradient; the same density and gradient as
    // without the pass.
    let source = "data { int nmax; int m; array[m] int k; }
transformed data { int nmin = max(k); }
parameters { real<lower=0, upper=1> theta; }
model {
  vector[nmax] lp;
  for (n in 1:nmax) {
    if (n < nmin) lp[n] = negative_infinity();
    else lp[n] = binomial_lpmf(k | n, theta);
  }
  target += log_sum_exp(lp);
}
";
    let data = r#"{"nmax": 40, "m": 3, "k": [4, 9, 6]}"#;
    let td = common::function_ir(source, data, FunctionKind::TransformedData);
    assert!(td.contains("call hbm_lchoose(") && td.contains("data.data_table#"), "lchoose is not tabulated with the data:\n{td}");
    for kind in [FunctionKind::LogDensity, FunctionKind::Gradient] {
        let ir = common::function_ir(source, data, kind);
        assert!(!ir.contains("hbm_lchoose"), "{kind:?} still takes lchoose:\n{ir}");
        assert!(depth_of(&ir, "load data.data_table#") >= 2 + 3 * 2, "{kind:?}: the inner loop does not read the table:\n{ir}");
    }
    let without = LowerOptions { tabulate_data_terms: false, ..LowerOptions::default() };
    let ir = common::function_ir_with(source, data, FunctionKind::LogDensity, without);
    assert!(ir.contains("hbm_lchoose"), "without the pass lchoose is in the loop (the test's premise):\n{ir}");
    let dir = common::scratch("data-table-two-loops");
    let path = dir.join("survey.json");
    std::fs::write(&path, data).expect("data written");
    let mut failures = Vec::new();
    let changed = compare_program("survey", source, &[path.as_path()], LowerOptions::default(), without, &|a, _| data_tables(a) > 0, &mut failures);
    assert_eq!(changed, Some(true), "not compared or not changed: {failures:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn an_hmms_transition_logs_are_tabulated_over_both_states() {
    // posteriordb's hmm_example: `log(theta[j, k])` inside `for (t) for (k)
    // for (j)` varies with (j, k) alone: one table of K x K values before
    // the t loop, read in the j loop, and no log of theta per (t, k, j).
    let source = common::corpus::source("pdb/hmm_example.stan");
    let data = std::fs::read_to_string(common::corpus::path("pdb/hmm.json")).expect("hmm data");
    for kind in [FunctionKind::LogDensity, FunctionKind::Gradient] {
        let ir = common::function_ir(&source, &data, kind);
        let three_deep = 2 + 3 * 2;
        let logs_in_j = ir.lines().filter(|l| l.contains("call hbm_log(") && l.len() - l.trim_start().len() >= three_deep).count();
        assert_eq!(logs_in_j, 0, "{kind:?}: a log is taken per (t, k, j):\n{ir}");
        assert!(depth_of(&ir, "= load work.table#") >= three_deep, "{kind:?}: the j loop does not read the table:\n{ir}");
    }
    let without = LowerOptions { tabulate_inner_invariants: false, ..LowerOptions::default() };
    let ir = common::function_ir_with(&source, &data, FunctionKind::LogDensity, without);
    let logs_in_j = ir.lines().filter(|l| l.contains("call hbm_log(") && l.len() - l.trim_start().len() >= 8).count();
    assert!(logs_in_j > 0, "without tables the log is in the j loop (the test's premise):\n{ir}");
}
