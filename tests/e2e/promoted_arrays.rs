//! An `array[] int` given for an `array[] real` parameter of a user
//! function (and `array[,] int` for `array[,] real`) is promoted, as Stan
//! promotes it (issue 13): the body computes in reals, so `sum(x) /
//! size(x)` is the mean and `x[1] / 2` a half, not integer divisions; the
//! `int` elements of a tuple given for `real` ones likewise. The corpus
//! program's log density and gradient equal those of its twin written in
//! reals, in the JIT and the interpreter; its generated
//! quantities have the values the data give; the promotion counts in
//! overload resolution.

use crate::common;
use common::corpus;
use hbmc::model::Engine;
use hbmc_stdlib::ChainRng;

#[test]
fn promoted_calls_have_the_density_and_gradient_of_their_real_twin() {
    corpus::assert_same_density(
        "functions_promoted_arrays.stan",
        "functions_promoted_arrays_closed.stan",
        "functions_promoted_arrays.json",
        17,
        1e-9,
    );
}

/// counts = (3, 7, 1, 2), grid = ((1, 2, 4), (3, 5, 6)): the mean 13 / 4 =
/// 3.25 (not 3), a half of 3 is 1.5 (not 1), the grid's mean 21 / 6 = 3.5
/// (not 3), `{1, 2}` averages 1.5, 7 / 3, the int overload's spread 6 and
/// the real one's 6 / 2; in transformed data too.
#[test]
fn generated_quantities_divide_reals() {
    let source = corpus::source("functions_promoted_arrays.stan");
    let data = std::fs::read_to_string(corpus::path("functions_promoted_arrays.json")).expect("data");
    for (engine, out) in common::oracle::draw_in_both_engines("promoted", &source, &data, &[0.3, -0.2], 1) {
        let value = |name: &str| out.value(name);
        let got: Vec<f64> = ["mean_counts", "half_first", "grid_avg", "literal_avg", "spread_int", "spread_real", "td"].iter().map(|n| value(n)).collect();
        assert_eq!(got, [3.25, 1.5, 3.5, 1.5, 6.0, 3.0, 3.25], "{engine:?}");
        assert!((value("by_three") - 7.0 / 3.0).abs() < 1e-15, "{engine:?}: {}", value("by_three"));
        // tsum((3, 1.5)) = 3 / 2 + 1.5, tsum((3, 2)) = 3.5 (not 3), and
        // tmean((N + 1, counts)) = 5 / 2 + 13 / 4.
        let tuples: Vec<f64> = ["tuple_var", "tuple_literal", "tuple_arrays"].iter().map(|n| value(n)).collect();
        assert_eq!(tuples, [3.0, 3.5, 5.75], "{engine:?}");
    }
}

/// A tuple whose promotion cannot be written element by element (an array
/// of tuples, a tuple a call returns) is refused, never passed with its
/// `int` elements.
#[test]
fn a_tuple_promotion_that_cannot_be_written_is_refused() {
    let errors = corpus::errors(
        "functions {
           real first(array[] tuple(real, real) ts) { return ts[1].1 / 2; }
           real tsum(tuple(real, real) t) { return t.1 / 2 + t.2; }
           tuple(int, real) make(int k) { return (k, 0.5); }
         }
         data { array[2] tuple(int, real) ts; } transformed data { real a = first(ts); real b = tsum(make(3)); }
         parameters { real mu; } model { mu ~ normal(a + b, 1); }",
    );
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors.iter().all(|(code, _)| *code == "E0013"), "{errors:?}");
    assert!(errors[0].1.contains("which hbmc cannot do for an array of tuples yet"), "{}", errors[0].1);
    assert!(errors[1].1.contains("which hbmc cannot do for a tuple a call returns yet"), "{}", errors[1].1);
}

/// No integer-division warning (W0001) comes from a promoted argument's
/// uses in the body.
#[test]
fn a_promoted_array_gives_no_integer_division_warning() {
    let fe = hbmc_compiler::front_end(&corpus::source("functions_promoted_arrays.stan"));
    assert!(fe.diagnostics.is_empty(), "{:?}", fe.diagnostics);
}

/// Overloads count an `array[] int` given for `array[] real` as one
/// promotion: `f(array[] real, int)` (one) beats `f(array[] real, real)`
/// (two), and `g(array[] int, real)` ties `g(array[] real, int)`.
#[test]
fn an_array_promotion_counts_in_overload_resolution() {
    let source = "functions {
          real f(array[] real x, int k) { return sum(x) / k; }
          real f(array[] real x, real y) { return -1; }
          real g(array[] int n, real y) { return 1; }
          real g(array[] real x, int k) { return 2; }
        }
        data { array[3] int n; } parameters { real mu; }
        model { mu ~ normal(f(n, 2), 1); }
        generated quantities { real a = f(n, 2); }";
    let m = common::oracle::bind_json("promoted-overloads", source, r#"{"n": [1, 2, 4]}"#, Engine::Jit).expect("binds");
    let mut out = Vec::new();
    m.evaluator().write_draw(&[0.0], &mut ChainRng::new(1, 0), &mut out).expect("draw");
    assert_eq!(out[m.output_names().iter().position(|n| n == "a").expect("a")], 3.5);
    let errors = corpus::errors(&source.replace("real a = f(n, 2);", "real a = f(n, 2); real b = g(n, 2);"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].0 == "E0013" && errors[0].1.contains("fits more than one definition of `g` equally well"), "{errors:?}");
}
