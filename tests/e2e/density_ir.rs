//! Univariate densities lowered as IR instead of one library call per
//! element (`compiler/src/lower/neg_binomial_2.rs`, `positive_densities.rs`,
//! `location_scale.rs`): `neg_binomial_2(_log)`, `lognormal`, `gamma`,
//! `exponential`, `weibull`, `inv_gamma`, `cauchy`, `double_exponential`,
//! `skew_double_exponential`, `logistic`, `gumbel`.
//!
//! Oracles: the library's own scalar density and partials
//! (`hbmc_stdlib::dist`) at ordinary, edge and invalid points, in the JIT
//! and the reference interpreter; the sum of library terms for every form
//! a program may write (a loop of `target += _lpdf`, a vectorised call with
//! a broadcast parameter, `_lupdf`, `~`, with the terms `~` drops written
//! by hand from Stan's term lists); JIT = interpreter and gradient = finite
//! differences on a regression with constrained parameters. And the IR:
//! the terms of scalar parameters alone leave the loop over observations.

use crate::common;

use hbmc::bind::read_source;
use hbmc::model::{BoundModel, DensityOptions, Engine, Model};
use hbmc_compiler::ir::FunctionKind;
use hbmc_stdlib::dist;
use hbmc_stdlib::special::{HALF_LN_2PI, LN_PI};
use std::f64::consts::LN_2;
use std::f64::{INFINITY as INF, NAN};

/// A continuous density: its name, the library's value and partials
/// (variate first), the points to compare at (variate, then parameters),
/// the constant `~` drops for a data variate and parameter arguments, and
/// whether it drops `-ln y` too (lognormal).
struct Continuous {
    name: &'static str,
    lib: fn(&[f64]) -> (f64, Vec<f64>),
    points: Vec<Vec<f64>>,
    dropped_constant: f64,
    drops_log_y: bool,
    /// Parameter values for the forms (valid), and data to go with them.
    params: Vec<f64>,
    y: Vec<f64>,
}

fn v3(r: (f64, [f64; 3])) -> (f64, Vec<f64>) {
    (r.0, r.1.to_vec())
}

/// The parameters' declarations and their names as arguments, for a
/// density of `k` arguments (the variate counted).
fn declare_params(k: usize) -> (String, String) {
    let names: Vec<String> = (1..k).map(|i| format!("p{i}")).collect();
    let decls: Vec<String> = names.iter().map(|n| format!("real {n};")).collect();
    (decls.join(" "), names.join(", "))
}

fn continuous() -> Vec<Continuous> {
    let loc_scale_points = vec![
        vec![0.3, 0.1, 1.5],
        vec![-12.0, 2.0, 0.5],
        vec![1e3, -2.0, 0.01],
        vec![-1e3, 2.0, 0.01],
        vec![0.5, 0.5, 1.0],
        vec![0.5, 0.0, 1e-300],
        vec![0.5, 0.0, 0.0],
        vec![0.5, 0.0, -1.0],
        vec![INF, 0.0, 1.0],
        vec![0.5, INF, 1.0],
        vec![0.5, 0.0, INF],
        vec![NAN, 0.0, 1.0],
        vec![0.5, 0.0, NAN],
    ];
    let real_y = vec![0.3, -1.2, 2.0, 0.9, 5.5];
    let pos_y = vec![0.3, 1.2, 2.0, 0.9, 5.5];
    vec![
        Continuous {
            name: "lognormal",
            lib: |a| v3(dist::lognormal_lpdf_grad(a[0], a[1], a[2])),
            points: vec![
                vec![1.3, 0.2, 0.7],
                vec![1e-300, 0.0, 1.0],
                vec![50.0, 3.0, 0.01],
                vec![0.0, 0.0, 1.0],
                vec![-1.0, 0.0, 1.0],
                vec![1.0, 0.0, 0.0],
                vec![1.0, 0.0, -1.0],
                vec![1.0, INF, 1.0],
                vec![INF, 0.0, 1.0],
                vec![NAN, 0.0, 1.0],
            ],
            dropped_constant: HALF_LN_2PI,
            drops_log_y: true,
            params: vec![0.4, 0.8],
            y: pos_y.clone(),
        },
        Continuous {
            name: "gamma",
            lib: |a| v3(dist::gamma_lpdf_grad(a[0], a[1], a[2])),
            points: vec![
                vec![1.3, 2.5, 0.7],
                vec![0.0, 1.0, 2.0],
                vec![0.0, 2.0, 1.0],
                vec![1e-8, 0.01, 3.0],
                vec![200.0, 150.0, 0.8],
                vec![-0.5, 2.0, 1.0],
                vec![1.0, 0.0, 1.0],
                vec![1.0, 2.0, -1.0],
                vec![INF, 2.0, 1.0],
                vec![1.0, INF, 1.0],
                vec![NAN, 2.0, 1.0],
            ],
            dropped_constant: 0.0,
            drops_log_y: false,
            params: vec![2.5, 1.5],
            y: pos_y.clone(),
        },
        Continuous {
            name: "exponential",
            lib: |a| {
                let (v, g) = dist::exponential_lpdf_grad(a[0], a[1]);
                (v, g.to_vec())
            },
            points: vec![vec![1.3, 0.7], vec![0.0, 2.0], vec![1e5, 1e-4], vec![-1.0, 1.0], vec![1.0, 0.0], vec![1.0, -2.0], vec![INF, 1.0], vec![1.0, INF], vec![NAN, 1.0]],
            dropped_constant: 0.0,
            drops_log_y: false,
            params: vec![0.7],
            y: pos_y.clone(),
        },
        Continuous {
            name: "weibull",
            lib: |a| v3(dist::weibull_lpdf_grad(a[0], a[1], a[2])),
            points: vec![
                vec![1.3, 1.5, 0.8],
                vec![0.0, 1.0, 2.0],
                vec![0.0, 2.0, 1.0],
                vec![1e3, 0.3, 10.0],
                vec![0.01, 8.0, 3.0],
                vec![-1.0, 1.5, 1.0],
                vec![1.0, 0.0, 1.0],
                vec![1.0, 1.5, -1.0],
                vec![INF, 1.5, 1.0],
                vec![1.0, 1.5, NAN],
            ],
            dropped_constant: 0.0,
            drops_log_y: false,
            params: vec![1.5, 2.0],
            y: pos_y.clone(),
        },
        Continuous {
            name: "inv_gamma",
            lib: |a| v3(dist::inv_gamma_lpdf_grad(a[0], a[1], a[2])),
            points: vec![
                vec![1.3, 2.5, 0.7],
                vec![1e-3, 1.0, 1.0],
                vec![1e4, 0.5, 30.0],
                vec![0.0, 1.0, 1.0],
                vec![-1.0, 1.0, 1.0],
                vec![1.0, 0.0, 1.0],
                vec![1.0, 1.0, -1.0],
                vec![INF, 1.0, 1.0],
                vec![1.0, NAN, 1.0],
            ],
            dropped_constant: 0.0,
            drops_log_y: false,
            params: vec![2.5, 1.5],
            y: pos_y,
        },
        Continuous {
            name: "cauchy",
            lib: |a| v3(dist::cauchy_lpdf_grad(a[0], a[1], a[2])),
            points: loc_scale_points.clone(),
            dropped_constant: LN_PI,
            drops_log_y: false,
            params: vec![0.4, 1.3],
            y: real_y.clone(),
        },
        Continuous {
            name: "double_exponential",
            lib: |a| v3(dist::double_exponential_lpdf_grad(a[0], a[1], a[2])),
            points: loc_scale_points.clone(),
            dropped_constant: LN_2,
            drops_log_y: false,
            params: vec![0.4, 1.3],
            y: real_y.clone(),
        },
        Continuous {
            name: "skew_double_exponential",
            lib: |a| {
                let (v, g) = dist::skew_double_exponential_lpdf_grad(a[0], a[1], a[2], a[3]);
                (v, g.to_vec())
            },
            // Above, below and at μ (the library's branch at y = μ), an
            // extreme quantile, then each invalid argument.
            points: vec![
                vec![0.3, 0.1, 1.5, 0.3],
                vec![-12.0, 2.0, 0.5, 0.9],
                vec![0.1, 0.1, 1.5, 0.3],
                vec![1e3, -2.0, 0.01, 1e-6],
                vec![0.5, 0.0, 1.0, 0.0],
                vec![0.5, 0.0, 1.0, 1.0],
                vec![0.5, 0.0, 1.0, -0.2],
                vec![0.5, 0.0, 1.0, NAN],
                vec![0.5, 0.0, 0.0, 0.5],
                vec![INF, 0.0, 1.0, 0.5],
                vec![0.5, INF, 1.0, 0.5],
                vec![NAN, 0.0, 1.0, 0.5],
            ],
            // +ln 2 is the only term of no argument.
            dropped_constant: -LN_2,
            drops_log_y: false,
            params: vec![0.4, 1.3, 0.3],
            y: real_y.clone(),
        },
        Continuous {
            name: "logistic",
            lib: |a| v3(dist::logistic_lpdf_grad(a[0], a[1], a[2])),
            points: loc_scale_points.clone(),
            dropped_constant: 0.0,
            drops_log_y: false,
            params: vec![0.4, 1.3],
            y: real_y.clone(),
        },
        Continuous {
            name: "gumbel",
            lib: |a| v3(dist::gumbel_lpdf_grad(a[0], a[1], a[2])),
            points: loc_scale_points,
            dropped_constant: 0.0,
            drops_log_y: false,
            params: vec![0.4, 1.3],
            y: real_y,
        },
    ]
}

fn bind(source: &str, json: &str, engine: Engine, propto: bool) -> BoundModel {
    let model = Model::compile("density_ir", source).unwrap_or_else(|e| panic!("{e:?}\n{source}"));
    let sources = vec![read_source("d.json", json).expect("valid JSON")];
    model.bind_with_density(&sources, engine, DensityOptions { jacobian: true, propto }).unwrap_or_else(|e| panic!("{e:?}\n{source}"))
}

/// `a` equals `b` to a few ulps (both -∞, both +∞ count as equal).
fn same_value(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 4e-15 * a.abs().max(b.abs()).max(1.0)
}

/// A gradient component of AD against the library's closed form.
fn same_partial(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

/// The value and gradient of `b` at `x`, the gradient `None` where the
/// value is not finite (the draw is rejected: its gradient is not used).
fn evaluate(b: &BoundModel, x: &[f64]) -> (f64, Option<Vec<f64>>) {
    let mut e = b.evaluator();
    let v = e.log_density(x).unwrap_or_else(|err| panic!("at {x:?}: {}", err.message));
    if !v.is_finite() {
        return (v, None);
    }
    let mut g = vec![0.0; x.len()];
    let vg = e.log_density_gradient(x, &mut g).unwrap_or_else(|err| panic!("at {x:?}: {}", err.message));
    assert!(same_value(v, vg), "at {x:?}: the gradient function's value {vg} is not the log density's {v}");
    (v, Some(g))
}

/// The log density and gradient of `source` call no library density.
fn assert_lowered_as_ir(source: &str, json: &str) {
    for kind in [FunctionKind::LogDensity, FunctionKind::Gradient] {
        let ir = common::function_ir(source, json, kind);
        assert!(!ir.contains("_lpdf") && !ir.contains("_lpmf"), "{source} {kind:?}: a library density is called:\n{ir}");
    }
}

/// Compares one program's value and gradient with the library's at `x`.
fn compare(what: &str, engine: Engine, x: &[f64], got: (f64, Option<Vec<f64>>), want: (f64, Vec<f64>)) {
    let (v, g) = got;
    assert!(same_value(v, want.0) || (v.is_nan() && want.0.is_nan()), "{what} {engine:?} at {x:?}: {v}, library {}", want.0);
    // Partials where the library's are finite (at gamma(0 | 1, β) its ∂α
    // is ln 0 = -∞).
    if let Some(g) = g {
        if want.1.iter().all(|p| p.is_finite()) {
            for (i, (a, b)) in g.iter().zip(&want.1).enumerate() {
                assert!(same_partial(*a, *b), "{what} {engine:?} at {x:?}: ∂{i} = {a}, library {b}");
            }
        }
    }
}

#[test]
fn each_continuous_density_is_the_librarys_at_ordinary_edge_and_invalid_points() {
    for c in continuous() {
        let (decls, params) = declare_params(c.points[0].len());
        // In a loop: a scalar term at the top level stays a library call.
        let source = format!("parameters {{ real y; {decls} }} model {{ for (i in 1:1) target += {}_lpdf(y | {params}); }}", c.name);
        assert_lowered_as_ir(&source, "{}");
        for engine in [Engine::Jit, Engine::Interpreter] {
            let b = bind(&source, "{}", engine, false);
            for x in &c.points {
                compare(c.name, engine, x, evaluate(&b, x), (c.lib)(x));
            }
        }
    }
}

#[test]
fn neg_binomial_2_is_the_librarys_at_ordinary_edge_and_invalid_points() {
    let points: [(i64, f64, f64); 10] = [
        (3, 1.2, 4.0),
        (0, -1.0, 0.5),
        (50, 3.0, 1e6),
        (70, 4.0, 2.5),
        (7, 2.0, 1e-3),
        (2, 0.5, 1e12),
        (3, 1.0, 0.0),
        (3, 1.0, -1.0),
        (3, INF, 1.0),
        (-1, 1.0, 1.0),
    ];
    for log_scale in [true, false] {
        let name = if log_scale { "neg_binomial_2_log" } else { "neg_binomial_2" };
        let source = format!("data {{ int n; }} parameters {{ real p1; real p2; }} model {{ for (i in 1:1) target += {name}_lpmf(n | p1, p2); }}");
        assert_lowered_as_ir(&source, r#"{"n": 3}"#);
        for (n, eta, phi) in points {
            let json = format!(r#"{{"n": {n}}}"#);
            // The mean-scale form at μ = e^η, and at μ <= 0 for η = ∞.
            let loc = if log_scale { eta } else if eta.is_finite() { eta.exp() } else { -1.0 };
            let want = if log_scale { dist::neg_binomial_2_log_lpmf_grad(n, loc, phi) } else { dist::neg_binomial_2_lpmf_grad(n, loc, phi) };
            for engine in [Engine::Jit, Engine::Interpreter] {
                let b = bind(&source, &json, engine, false);
                let x = [loc, phi];
                compare(&format!("{name}({n} | ..)"), engine, &x, evaluate(&b, &x), (want.0, want.1.to_vec()));
            }
        }
    }
}

/// Every way a program writes the density gives the library's sum:
/// a loop of `target += _lpdf`, one vectorised call, a vectorised call
/// with a vector (broadcast) first parameter, `_lupdf` (all of it without
/// propto, as `~` with it), and `~` vectorised and in a loop, which drop
/// the terms of no parameter.
#[test]
fn every_form_of_a_continuous_density_sums_the_librarys_terms() {
    for c in continuous() {
        let k = c.params.len();
        let n = c.y.len();
        let x: Vec<f64> = (0..n).map(|i| 0.1 * i as f64 - 0.2).collect();
        let json = format!(r#"{{"N": {n}, "y": {:?}, "x": {:?}}}"#, c.y, x);
        let (decls, names) = declare_params(k + 1);
        let decl = format!("data {{ int N; vector[N] y; vector[N] x; }} parameters {{ {decls} }}");
        // The parameters after the first, each with its comma.
        let rest = names.strip_prefix("p1").unwrap_or_default().to_string();
        let d = c.name;
        let full = |p1: f64, p: &[f64], i: usize| -> (f64, Vec<f64>) {
            let mut args = vec![c.y[i], p1];
            args.extend_from_slice(&p[1..]);
            (c.lib)(&args)
        };
        // Minus the terms Stan drops for a data variate.
        let dropped: f64 = c.y.iter().map(|y| c.dropped_constant + if c.drops_log_y { y.ln() } else { 0.0 }).sum();
        // (source, broadcast first parameter, whether it may drop terms)
        let forms = [
            (format!("for (n in 1:N) target += {d}_lpdf(y[n] | p1{rest});"), false, false),
            (format!("target += {d}_lpdf(y | p1{rest});"), false, false),
            (format!("target += {d}_lpdf(y | p1 + 0.1 * x{rest});"), true, false),
            (format!("for (n in 1:N) target += {d}_lpdf(y[n] | p1 + 0.1 * x[n]{rest});"), true, false),
            (format!("target += {d}_lupdf(y | p1{rest});"), false, true),
            (format!("y ~ {d}(p1{rest});"), false, true),
            (format!("for (n in 1:N) y[n] ~ {d}(p1{rest});"), false, true),
            (format!("y ~ {d}(p1 + 0.1 * x{rest});"), true, true),
        ];
        for ((statement, broadcast, drops), propto) in forms.iter().flat_map(|f| [(f, false), (f, true)]) {
            let source = format!("{decl} model {{ {statement} }}");
            for engine in [Engine::Jit, Engine::Interpreter] {
                let b = bind(&source, &json, engine, propto);
                let p = &c.params;
                let mut want = 0.0;
                let mut want_g = vec![0.0; k];
                for i in 0..n {
                    let p1 = if *broadcast { p[0] + 0.1 * x[i] } else { p[0] };
                    let (v, g) = full(p1, p, i);
                    want += v;
                    for j in 0..k {
                        want_g[j] += g[j + 1];
                    }
                }
                // Up to a constant, the dropped terms are not added.
                let want = if *drops && propto { want + dropped } else { want };
                let (v, g) = evaluate(&b, p);
                assert!((v - want).abs() <= 1e-13 * want.abs().max(1.0), "{source} {engine:?}: {v}, library {want}");
                let g = g.unwrap_or_else(|| panic!("{source}: no gradient at {p:?}"));
                for j in 0..k {
                    assert!(same_partial(g[j], want_g[j]), "{source} {engine:?}: ∂{j} = {}, library {}", g[j], want_g[j]);
                }
            }
        }
    }
}

/// The count regressions' forms: the loop, the vectorised call with a
/// broadcast location, `~` (which drops nothing when φ is a parameter).
#[test]
fn every_form_of_neg_binomial_2_sums_the_librarys_terms() {
    let k = [0i64, 3, 1, 7, 12];
    let x = [0.3, -1.2, 2.0, 0.9, 0.1];
    let json = r#"{"N": 5, "k": [0, 3, 1, 7, 12], "x": [0.3, -1.2, 2.0, 0.9, 0.1]}"#;
    let decl = "data { int N; array[N] int k; vector[N] x; } parameters { real a; real<lower=0> phi; }";
    let (a, phi) = (0.7, 3.5);
    for (name, loc) in [("neg_binomial_2_log", "a + 0.5 * x"), ("neg_binomial_2", "exp(a + 0.5 * x)")] {
        let loc_n = loc.replace("* x", "* x[n]");
        let forms = [
            format!("for (n in 1:N) target += {name}_lpmf(k[n] | {loc_n}, phi);"),
            format!("target += {name}_lpmf(k | {loc}, phi);"),
            format!("k ~ {name}({loc}, phi);"),
            format!("for (n in 1:N) k[n] ~ {name}({loc_n}, phi);"),
        ];
        let (mut want, mut want_a, mut want_phi) = (0.0, 0.0, 0.0);
        for i in 0..5 {
            let eta = a + 0.5 * x[i];
            let (v, g, d_eta) = if name == "neg_binomial_2_log" {
                let (v, g) = dist::neg_binomial_2_log_lpmf_grad(k[i], eta, phi);
                (v, g, g[0])
            } else {
                let (v, g) = dist::neg_binomial_2_lpmf_grad(k[i], eta.exp(), phi);
                (v, g, g[0] * eta.exp())
            };
            want += v;
            want_a += d_eta;
            want_phi += g[1];
        }
        for statement in forms {
            let source = format!("{decl} model {{ {statement} }}");
            for engine in [Engine::Jit, Engine::Interpreter] {
                let b = bind(&source, json, engine, false);
                // Unconstrained φ is ln φ; the Jacobian adds ln φ.
                let (v, g) = evaluate(&b, &[a, phi.ln()]);
                let g = g.expect("finite");
                let v = v - phi.ln();
                assert!((v - want).abs() <= 1e-13 * want.abs().max(1.0), "{source} {engine:?}: {v}, library {want}");
                assert!(same_partial(g[0], want_a), "{source} {engine:?}: ∂a = {}, library {want_a}", g[0]);
                assert!(same_partial(g[1], want_phi * phi + 1.0), "{source} {engine:?}: ∂ln φ = {}, library {}", g[1], want_phi * phi + 1.0);
            }
        }
    }
}

/// JIT = interpreter and gradient = finite differences on regressions
/// with constrained parameters, at 20 random points.
#[test]
fn regressions_pass_the_jit_and_finite_difference_oracles() {
    let json = r#"{"N": 6, "x": [0.3, -1.2, 2.0, 0.9, 0.1, -0.4], "y": [0.8, -1.5, 3.9, 2.1, 1.2, 0.0], "y_pos": [0.3, 1.2, 2.0, 0.9, 5.5, 0.05], "k": [0, 3, 1, 7, 12, 2]}"#;
    let decl = "data { int N; vector[N] x; vector[N] y; vector[N] y_pos; array[N] int k; }
parameters { real a; real b; real<lower=0> s; }";
    let statements = [
        "for (n in 1:N) k[n] ~ neg_binomial_2_log(a + b * x[n], s);",
        "for (n in 1:N) target += neg_binomial_2_lpmf(k[n] | exp(a + b * x[n]), s);",
        "for (n in 1:N) y_pos[n] ~ lognormal(a + b * x[n], s);",
        "for (n in 1:N) target += gamma_lpdf(y_pos[n] | s, s * exp(-(a + b * x[n])));",
        "for (n in 1:N) y_pos[n] ~ exponential(s * exp(a + b * x[n]));",
        "for (n in 1:N) y_pos[n] ~ weibull(s, exp(a + b * x[n]));",
        "for (n in 1:N) target += inv_gamma_lpdf(y_pos[n] | s, exp(a + b * x[n]));",
        "for (n in 1:N) y[n] ~ cauchy(a + b * x[n], s);",
        "for (n in 1:N) y[n] ~ double_exponential(a + b * x[n], s);",
        "for (n in 1:N) y[n] ~ logistic(a + b * x[n], s);",
        "for (n in 1:N) y[n] ~ gumbel(a + b * x[n], s);",
        "for (n in 1:N) y[n] ~ skew_double_exponential(a + b * x[n], s, inv_logit(b));",
    ];
    for (i, statement) in statements.iter().enumerate() {
        let source = format!("{decl}\nmodel {{ a ~ normal(0, 1); b ~ normal(0, 1); s ~ gamma(2, 1); {statement} }}");
        common::oracle::check_example_json(&format!("density_ir_{i}"), &source, json).unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
}

/// The indentation of each line of `ir` holding `what` (a loop's body is
/// indented two spaces more than the loop; the function body two).
fn depths(ir: &str, what: &str) -> Vec<usize> {
    ir.lines().filter(|l| l.contains(what)).map(|l| l.len() - l.trim_start().len()).collect()
}

/// With scalar parameters, the terms of the parameters alone are computed
/// once, before the loop over observations, in the log density and the
/// gradient: ln σ (ln φ, ln β, ln α), lnΓ(α); what stays in the loop is
/// what reads an observation.
#[test]
fn the_terms_of_scalar_parameters_leave_the_loop() {
    let json = r#"{"N": 4, "y": [0.3, 1.2, 2.0, 0.9], "k": [0, 3, 1, 7], "x": [0.1, -0.5, 1.2, 0.3]}"#;
    let decl = "data { int N; vector[N] y; array[N] int k; vector[N] x; } parameters { real a; real<lower=0> p; real<lower=0> q; }";
    // (statement, the hoisted call, its count, the number of `hbm_log`
    // calls left in the loop)
    let cases = [
        ("for (n in 1:N) k[n] ~ neg_binomial_2_log(a + x[n], p);", "call hbm_log(", 1, 0),
        // ln y depends on the data alone in lognormal, weibull, inv_gamma
        // and gamma (whose xlog(α - 1, y), `log(α == 1 ? 1 : y)`, is taken
        // as `α == 1 ? 0 : log y`: `FnBuilder::log_parts`): computed when
        // they are bound (`ir::data_tables`), no log left in the loop.
        ("for (n in 1:N) y[n] ~ lognormal(a + x[n], p);", "call hbm_log(", 1, 0),
        ("for (n in 1:N) target += gamma_lpdf(y[n] | p, q);", "call hbm_lgamma(", 1, 0),
        ("for (n in 1:N) y[n] ~ exponential(p);", "call hbm_log(", 1, 0),
        ("for (n in 1:N) y[n] ~ weibull(p, q);", "call hbm_log(", 2, 0),
        ("for (n in 1:N) y[n] ~ inv_gamma(p, q);", "call hbm_lgamma(", 1, 0),
        ("for (n in 1:N) y[n] ~ cauchy(a + x[n], p);", "call hbm_log(", 1, 0),
        ("for (n in 1:N) y[n] ~ double_exponential(a + x[n], p);", "call hbm_log(", 1, 0),
        ("for (n in 1:N) y[n] ~ logistic(a + x[n], p);", "call hbm_log(", 1, 0),
        ("for (n in 1:N) y[n] ~ gumbel(a + x[n], p);", "call hbm_log(", 1, 0),
        // ln σ, ln τ and ln(1 - τ) (of τ = inv_logit(q), the lowering's
        // log_inv_logit and log1m_inv_logit): a quantile regression's loop
        // is a compare, a select and products.
        ("for (n in 1:N) y[n] ~ skew_double_exponential(a + x[n], p, inv_logit(q));", "call hbm_log(", 1, 0),
        ("for (n in 1:N) y[n] ~ skew_double_exponential(a + x[n], p, inv_logit(q));", "call hbm_log1m_inv_logit(", 1, 0),
    ];
    for (statement, hoisted, count, logs_in_loop) in cases {
        let source = format!("{decl} model {{ {statement} }}");
        for kind in [FunctionKind::LogDensity, FunctionKind::Gradient] {
            let ir = common::function_ir(&source, json, kind);
            // The gradient's forward sweep makes a top-level call of a
            // parameter in its `_grad` form (`Gen::call_with_partials`).
            let grad_form = hoisted.replace('(', "_grad(");
            let at_top = depths(&ir, hoisted).iter().chain(&depths(&ir, &grad_form)).filter(|&&d| d == 2).count();
            assert!(at_top >= count, "{statement} {kind:?}: {at_top} `{hoisted}` at the top level, {count} expected:\n{ir}");
            let in_loop = depths(&ir, "call hbm_log(").iter().filter(|&&d| d > 2).count();
            assert_eq!(in_loop, logs_in_loop, "{statement} {kind:?}: `hbm_log` calls in the loop:\n{ir}");
            assert!(depths(&ir, "call hbm_lgamma(").iter().all(|&d| d == 2), "{statement} {kind:?}: lgamma in the loop:\n{ir}");
            assert!(!ir.contains("_lpdf") && !ir.contains("_lpmf"), "{statement} {kind:?}: a library density is called:\n{ir}");
        }
    }
}

/// A single scalar term at the top level (a prior) shares nothing with
/// other terms: it stays one library call, which measured as fast
/// (`benches/loops/regression_loop.stan`'s `sigma ~ exponential(1)`).
#[test]
fn a_scalar_prior_stays_a_library_call() {
    let source = "parameters { real<lower=0> s; } model { s ~ exponential(1); }";
    for kind in [FunctionKind::LogDensity, FunctionKind::Gradient] {
        let ir = common::function_ir(source, "{}", kind);
        assert!(ir.contains("call hbm_exponential_lpdf"), "{kind:?}: the prior is not a library call:\n{ir}");
    }
}
