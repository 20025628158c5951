//! Early `return`s in user functions (issue 13): from inside `for` and
//! `while` loops (nested too), `if` arms and void `_lp` functions, in every
//! block. Each corpus program has the log density and gradient of a
//! program computing the same thing in closed form or from answers given
//! in its data, in the JIT and in the interpreter; the bin search's model
//! is fitted; the bodies Stan accepts but that can end without a value
//! stop with an error; and what stays an error is reported. (The corpus
//! oracles, JIT = interpreter and gradient = finite differences, run every
//! one of the programs too.)

use crate::common;
use common::corpus;
use hbmc::model::Engine;

#[test]
fn a_bin_search_that_returns_from_its_loop_picks_the_bins_of_the_data() {
    corpus::assert_same_density("functions_return_bins.stan", "functions_return_bins_closed.stan", "functions_return_bins.json", 28, 1e-12);
}

#[test]
fn returns_from_loops_over_parameters_have_the_closed_forms_and_their_gradients() {
    corpus::assert_same_density(
        "functions_return_series.stan",
        "functions_return_series_closed.stan",
        "functions_return_series.json",
        28,
        1e-9,
    );
}

#[test]
fn returns_from_nested_loops_and_into_a_declared_vector_give_the_data_s_answers() {
    corpus::assert_same_density(
        "functions_return_nested.stan",
        "functions_return_nested_closed.stan",
        "functions_return_nested.json",
        28,
        1e-12,
    );
}

/// functions_return_bins.json: 60 Poisson counts with log rates
/// (0.2, 0.9, 1.5, 1.1, 0.4) in the five bins of x; the fit recovers them,
/// the bin of x_new = 0.61 is 4 in every draw, and the rejection sampler's
/// draws are all above its bound.
#[test]
fn a_fit_through_the_bin_search_recovers_the_simulated_rates() {
    let fit = corpus::fit("functions_return_bins.stan", "functions_return_bins.json");
    fit.assert_recovers(&[
        ("log_rate.1", 0.2),
        ("log_rate.2", 0.9),
        ("log_rate.3", 1.5),
        ("log_rate.4", 1.1),
        ("log_rate.5", 0.4),
    ]);
    assert!(fit.column("bin_new").iter().all(|b| *b == 4.0));
    for (rate, log_rate) in fit.column("rate_new").iter().zip(fit.column("log_rate.4")) {
        assert!((rate - log_rate.exp()).abs() <= 1e-6 * rate, "{rate} vs exp({log_rate})");
    }
    let tail = fit.column("tail_draw");
    assert!(tail.iter().all(|z| *z > 0.0), "a draw at or below 0");
    let distinct: std::collections::HashSet<u64> = tail.iter().map(|z| z.to_bits()).collect();
    assert!(distinct.len() > tail.len() / 2, "the draws repeat");
}

/// Stan takes a loop whose body always returns to return; when it runs no
/// iteration the function has no value, and the program stops saying so.
#[test]
fn a_loop_that_runs_no_iteration_leaves_no_value_and_stops_the_program() {
    let source = "functions { real first(vector v) { for (i in 1:rows(v)) { return v[i]; } } }
        data { int N; vector[N] v; } transformed data { real f = first(v); }
        parameters { real mu; } model { mu ~ normal(f, 1); }";
    for engine in [Engine::Jit, Engine::Interpreter] {
        let bound = common::oracle::bind_json("first", source, r#"{"N": 2, "v": [1.5, -3]}"#, engine).expect("binds");
        let mut e = bound.evaluator();
        // normal(0.5 | 1.5, 1): f is v[1].
        let lp = e.log_density(&[0.5]).expect("evaluates");
        let want = -0.5 - 0.5 * (2.0 * std::f64::consts::PI).ln();
        assert!((lp - want).abs() < 1e-12, "{engine:?}: {lp} vs {want}");
        let err = common::oracle::bind_json("first", source, r#"{"N": 0, "v": []}"#, engine).err().expect("an empty vector fails");
        assert!(err.contains("`first` reached the end of its body without returning a value"), "{engine:?}: {err}");
    }
}

#[test]
fn a_path_without_a_return_and_a_return_without_a_value_stay_errors() {
    let errors = corpus::errors(
        "functions {
           real first_positive(vector v) { for (i in 1:rows(v)) { if (v[i] > 0) return v[i]; } }
           real nothing(real x) { while (x > 0) { return; } return x; }
         }
         parameters { vector[2] mu; } model { target += first_positive(mu) + nothing(mu[1]); }",
    );
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].0, "E0011");
    assert!(errors[0].1.contains("`first_positive` does not return a value on every path"), "{}", errors[0].1);
    assert_eq!(errors[1].0, "E0011");
    assert!(errors[1].1.contains("`return;` without a value in `nothing`"), "{}", errors[1].1);
}

/// A container returned early has no sizes before type checking: it must
/// be assigned to a variable (whose sizes are declared), not used inside
/// an expression.
#[test]
fn a_vector_returned_early_is_assigned_not_used_inside_an_expression() {
    let functions = "functions { vector flip(vector v) { for (i in 1:rows(v)) { if (v[i] > 0) return v; } return -v; } }
        parameters { vector[2] mu; }";
    let errors = corpus::errors(&format!("{functions} model {{ target += -dot_self(flip(mu)); }}"));
    assert!(
        errors.iter().any(|(code, m)| *code == "E0013" && m.contains("`flip` returns a `vector` from before the end of its body")),
        "{errors:?}"
    );
    let assigned = corpus::errors(&format!("{functions} model {{ vector[2] f = flip(mu); target += -dot_self(f); }}"));
    assert!(assigned.is_empty(), "{assigned:?}");
}
