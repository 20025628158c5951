//! Foreach loops over arrays of vectors, matrices, arrays and tuples (issue 13):
//! `for (v in xs)` takes each element of the outermost array in order, in
//! every block, over data, parameters, transformed parameters, a slice, an
//! array literal and a user function's result, nested. The corpus program's
//! log density and gradient equal those of its twin written with indices,
//! in the JIT and the interpreter (the corpus oracles, JIT = interpreter and
//! gradient = finite differences, run it too); its generated quantities
//! have the values the data give; diagnostics in a loop's body point at the
//! user's source; the loops that need a copy of each element (the body
//! assigns the array, the array is drawn at random) copy it as Stan does.

use crate::common;
use common::corpus;
use hbmc::model::Engine;

#[test]
fn each_loop_has_the_density_and_gradient_of_its_indexed_twin() {
    corpus::assert_same_density("foreach_containers.stan", "foreach_containers_closed.stan", "foreach_containers.json", 41, 1e-9);
}

/// From foreach_containers.json: the rows of `ys` sum to 6.5 + 3.75 + 1.5
/// - 0.75 = 11, `counts` to 22, the traces of `Ms` are 3 + 2.5 + 2, the
/// first elements of `x` sum to 0.3 + 2.1 - 0.9 + 0.7 = 2.2 over 4 rows of
/// 3, the rows of `counts` start with 1 then 4 (in order: 14, not 41), and
/// the transformed parameter `theta_sum` is the sum of the parameter
/// array's elements (unconstrained coordinates 4 to 12).
#[test]
fn generated_quantities_read_each_element_in_order() {
    let source = corpus::source("foreach_containers.stan");
    let data = std::fs::read_to_string(corpus::path("foreach_containers.json")).expect("data");
    let x: Vec<f64> = (0..14).map(|k| 0.1 * k as f64 - 0.4).collect();
    for (engine, out) in common::oracle::draw_in_both_engines("foreach", &source, &data, &x, 1) {
        let value = |name: &str| out.value(name);
        assert_eq!(value("ys_total"), 11.0, "{engine:?}");
        assert_eq!(value("counts_total"), 22.0, "{engine:?}");
        assert_eq!(value("trace_sum"), 7.5, "{engine:?}");
        assert!((value("first_elements") - 2.2).abs() < 1e-12, "{engine:?}: {}", value("first_elements"));
        assert_eq!(value("x_rows"), 12.0, "{engine:?}");
        assert_eq!(value("first_of_rows"), 14.0, "{engine:?}");
        let theta: f64 = x[4..13].iter().sum();
        assert!((value("theta_sum") - theta).abs() < 1e-12, "{engine:?}: {} vs {theta}", value("theta_sum"));
    }
}

/// The loop variable stays read-only (E3003), and an error in the body
/// points at the loop variable as written.
#[test]
fn diagnostics_in_the_body_point_at_the_source() {
    let source = "data { array[2] vector[3] xs; } parameters { real mu; }
        model { for (v in xs) { v[1] = mu; } for (w in xs) { real r = w; } }";
    let fe = hbmc_compiler::front_end(source);
    let errors: Vec<_> = fe.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].code, "E3003");
    assert!(errors[0].message.contains("cannot assign to `v`: it is a loop variable"), "{}", errors[0].message);
    assert_eq!(errors[1].code, "E1004");
    let at = source.find("= w;").expect("the read of w") + 2;
    assert!(errors[1].labels.iter().any(|l| l.span.start == at && l.span.end == at + 1), "{:?}", errors[1].labels);
}

/// Stan copies each element as its iteration starts. A body that assigns
/// the array it loops over sees, in each iteration, the element as it was
/// when the iteration began: zs = (x1, x2, x1) with zs[3] = 2 zs[3] + v in
/// each iteration gives v[1] = 1, 3, then 2 (2 + 1) + 3 = 9, so g = 13 (a
/// read in place would give 1 + 3 + 27, a copy taken before the loop 1 + 3
/// + 1). An array drawn at random is drawn whole at each iteration: a
/// vector's two elements come from one draw (correlation 0.999999, so they
/// differ by about 0.0014; from two draws, by about 1.4), and reading one
/// twice gives one value.
#[test]
fn loops_that_need_a_copy_of_each_element_copy_it_as_stan_does() {
    let source = "data { array[2] vector[2] x; } parameters { real mu; } model { mu ~ normal(0, 1); }
        generated quantities {
          array[3] vector[2] zs = x[{1, 2, 1}];
          real g = 0;
          real gap = 0;
          real twice = 0;
          int n = 0;
          for (v in zs) { zs[3] = zs[3] * 2 + v; g += v[1]; }
          for (v in multi_normal_rng(rep_array(rep_vector(0, 2), 50), [[1, 0.999999], [0.999999, 1]])) {
            gap = fmax(gap, abs(v[1] - v[2]));
            twice = fmax(twice, abs(v[1] - v[1]));
            n += 1;
          }
        }";
    for (engine, out) in common::oracle::draw_in_both_engines("foreach-copy", source, r#"{"x": [[1, 2], [3, 4]]}"#, &[0.0], 3) {
        let value = |name: &str| out.value(name);
        assert_eq!(value("g"), 13.0, "{engine:?}");
        assert_eq!((value("n"), value("twice")), (50.0, 0.0), "{engine:?}");
        assert!(value("gap") > 0.0 && value("gap") < 0.02, "{engine:?}: {}", value("gap"));
    }
}

/// Foreach loops over arrays of tuples (data tuples of int, real and
/// vector elements, nested tuples, a transformed parameter, a function's
/// argument) have the log density and gradient of the same loops written
/// with indices, in the JIT and the interpreter (E1013 on 7aac5c9).
#[test]
fn loops_over_arrays_of_tuples_have_the_density_of_their_indexed_twin() {
    corpus::assert_same_density("foreach_tuples.stan", "foreach_tuples_indexed.stan", "foreach_tuples.json", 43, 1e-9);
}

/// From foreach_tuples.json: the pairs' products sum to 3 - 1.5 + 2 =
/// 3.5, the nested tuples' ints and vectors to 3 + 0 + 4.5 = 7.5; a body
/// that assigns its array reads each element as it was when its
/// iteration began (10 + 40 + 160 = 210: see the program).
#[test]
fn loops_over_arrays_of_tuples_read_each_element_as_stan_does() {
    let source = corpus::source("foreach_tuples.stan");
    let data = std::fs::read_to_string(corpus::path("foreach_tuples.json")).expect("data");
    for (engine, out) in common::oracle::draw_in_both_engines("foreach-tuples", &source, &data, &[0.3, -0.2, 0.5], 1) {
        assert_eq!(out.value("pair_total"), 3.5, "{engine:?}");
        assert_eq!(out.value("nested_total"), 7.5, "{engine:?}");
        assert_eq!(out.value("seen"), 210.0, "{engine:?}");
    }
}

/// A foreach loop over a row of a two-dimensional array of tuples
/// (`for (p in pairs[k])`, E1013 on 76b228b) has the log density and
/// gradient of the same loop written with indices, in the JIT and the
/// interpreter; one whose row is chosen by an index that is not a
/// variable or a literal (`pairs[first[1]]`, read afresh at each use) is
/// still refused at `hbmc check` (E1013), naming it, never read wrongly.
#[test]
fn a_loop_over_a_row_of_an_array_of_tuples_equals_its_indexed_twin() {
    let data = r#"{"pairs": [[{"1": 0.5, "2": [1.0, 2.0]}, {"1": -1.0, "2": [0.5, 0.0]}, {"1": 2.0, "2": [-1.5, 1.0]}],
                             [{"1": 1.5, "2": [0.0, 3.0]}, {"1": 0.2, "2": [2.0, 2.0]}, {"1": -0.7, "2": [1.0, -1.0]}]],
                   "first": [2]}"#;
    let head = "data { array[2, 3] tuple(real, vector[2]) pairs; array[1] int first; } parameters { real mu; } ";
    let rows = format!("{head}model {{ for (k in 1:2) for (p in pairs[k]) target += normal_lpdf(p.1 | mu, 1) + sum(p.2) * mu; \
                        for (p in pairs[2]) target += -square(p.2[1] - mu); }}");
    let indexed = format!("{head}model {{ for (k in 1:2) for (j in 1:3) target += normal_lpdf(pairs[k, j].1 | mu, 1) + sum(pairs[k, j].2) * mu; \
                           for (j in 1:3) target += -square(pairs[2, j].2[1] - mu); }}");
    for engine in [Engine::Jit, Engine::Interpreter] {
        let a = common::oracle::bind_json("rows", &rows, data, engine).unwrap_or_else(|e| panic!("binds: {e}"));
        let b = common::oracle::bind_json("indexed", &indexed, data, engine).unwrap_or_else(|e| panic!("binds: {e}"));
        corpus::assert_same_density_bound(&format!("{engine:?} rows"), &a, "indexed", &b, 44, 1e-10);
    }
    let errors = corpus::errors(&format!("{head}model {{ for (p in pairs[first[1]]) target += normal_lpdf(p.1 | mu, 1); }}"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "E1013");
    assert!(errors[0].1.contains("a foreach loop over `pairs[...]`, an array of tuples that is not a variable, is not supported yet"), "{}", errors[0].1);
}
