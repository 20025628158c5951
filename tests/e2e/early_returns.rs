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

#[test]
fn containers_returned_early_inside_expressions_have_the_closed_forms_and_their_gradients() {
    corpus::assert_same_density(
        "functions_return_containers.stan",
        "functions_return_containers_closed.stan",
        "functions_return_containers.json",
        31,
        1e-9,
    );
}

/// The functions of the value test: `scale_first` returns from inside its
/// loop, `doubled` returns a value using it, `outer_or_diag` returns a
/// matrix before its end, `sign_by` returns from an `if` whose condition
/// uses one.
const CONTAINER_FUNCTIONS: &str = "
    vector scale_first(vector v, vector x, real cut) {
      for (i in 1:rows(x)) { if (x[i] > cut) return v * x[i]; }
      return v;
    }
    vector doubled(vector v, vector x, real cut) {
      vector[rows(v)] u = v;
      if (cut > 100) return u;
      return 2 * scale_first(u, x, cut);
    }
    matrix outer_or_diag(vector v, int k) {
      if (k > 0) return v * v';
      matrix[rows(v), rows(v)] d = diag_matrix(v);
      return d;
    }
    vector sign_by(vector v, vector x, real cut) {
      vector[rows(v)] u = v;
      if (max(scale_first(u, x, cut)) > 3) return u;
      return -u;
    }";

/// x = (0.3, -1.2, 2.5, 0.8): the first entry above 1 is 2.5, none is
/// above 3. In transformed data a = 2 * 2.5 x + x = 6 x (sum 14.4) and the
/// `if` sees sum(2.5 x) = 6 > 0, so t = 1 and mu's mean is 15.4. At
/// mu = 0.5 the generated quantities are g = 5 x - 0.5, h = sum(x x') +
/// sum(diag(x)) * 0.5 = 2.4^2 + 1.2, q = max(2.5 x) + max(x) = 6.25 + 2.5,
/// r = -x (max(2.5 x) = 6.25 > 3) plus -x (max(x) = 2.5 <= 3). The
/// loops see max(x) = 2.5 for k = 1, 2 (a return after the function's
/// loop) and 6.25 for k = 3, 4 (a return from inside it, where the
/// `continue` or `break` of the copy must still reach the caller's loop):
/// b skips k = 1 (2.5 > 2) and 3 (6.25 > 6), so b = 2 + 4; c breaks at
/// k = 3 (6.25 > 4.5), so c = 1 + 2 + 3.
#[test]
fn copied_statements_compute_the_hand_computed_values_in_transformed_data_and_generated_quantities() {
    let source = format!(
        "functions {{ {CONTAINER_FUNCTIONS} }}
        data {{ int N; vector[N] x; }}
        transformed data {{
          vector[N] a = 2 * scale_first(x, x, 1.0) + scale_first(x, x, 3.0);
          real t = 0;
          if (sum(scale_first(x, x, 1.0)) > 0) t = 1; else t = -1;
        }}
        parameters {{ real mu; }}
        model {{ target += normal_lpdf(mu | sum(a) + t, 1); }}
        generated quantities {{
          vector[N] g = doubled(x, x, 1.0) - mu;
          real h = sum(outer_or_diag(x, 1)) + sum(outer_or_diag(x, 0)) * mu;
          real q = 0;
          for (k in 1:2) q += max(scale_first(x, x, k == 1 ? 1.0 : 3.0));
          vector[N] r = -sign_by(x, x, 1.0) + sign_by(x, x, 3.0);
          real b = 0;
          for (k in 1:4) {{
            if (max(scale_first(x, x, k <= 2 ? 3.0 : 1.0)) > 2 * k) continue;
            b += k;
          }}
          real c = 0;
          for (k in 1:4) {{
            c += k;
            if (max(scale_first(x, x, k <= 2 ? 3.0 : 1.0)) > k + 1.5) break;
          }}
        }}"
    );
    let x = [0.3, -1.2, 2.5, 0.8];
    let mut want: Vec<f64> = vec![0.5];
    want.extend(x.iter().map(|v| 5.0 * v - 0.5));
    want.push(2.4 * 2.4 + 2.4 * 0.5);
    want.push(6.25 + 2.5);
    want.extend(x.iter().map(|v| -2.0 * v));
    want.push(6.0);
    want.push(6.0);
    for engine in [Engine::Jit, Engine::Interpreter] {
        let bound = common::oracle::bind_json("containers_values", &source, r#"{"N": 4, "x": [0.3, -1.2, 2.5, 0.8]}"#, engine).expect("binds");
        let mut e = bound.evaluator();
        let lp = e.log_density(&[0.5]).expect("evaluates");
        let lp_want = -0.5 * (0.5f64 - 15.4).powi(2) - 0.5 * (2.0 * std::f64::consts::PI).ln();
        assert!((lp - lp_want).abs() < 1e-9, "{engine:?}: {lp} vs {lp_want}");
        let mut out = Vec::new();
        e.write_draw(&[0.5], &mut hbmc_stdlib::ChainRng::new(1, 0), &mut out).expect("draws");
        assert_eq!(bound.output_names().len(), want.len(), "{:?}", bound.output_names());
        for ((name, got), w) in bound.output_names().iter().zip(&out).zip(&want) {
            assert!((got - w).abs() < 1e-12, "{engine:?} {name}: {got} vs {w}");
        }
    }
}

/// What a copy cannot keep right stays an error saying how to rewrite it:
/// a `while` condition (evaluated on every trip) and a returned draw that
/// the statement would read twice (read once, it is fine).
#[test]
fn copies_that_would_change_meaning_stay_errors() {
    let functions = "functions {
        vector flip(vector v) { for (i in 1:rows(v)) { if (v[i] > 0) return v; } return -v; }
        vector jitter_rng(vector v) { for (i in 1:rows(v)) { if (v[i] > 0) return v + normal_rng(0, 1); } return v; }
        real spread(vector u) { return max(u) - min(u); }
      }
      parameters { vector[2] mu; }";
    let errors = corpus::errors(&format!("{functions} model {{ real s = 0; while (sum(flip(mu)) > s) s += 1; }}"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].1.contains("`flip` returns a `vector` from before the end of its body, and its value is used in a `while` condition"), "{errors:?}");
    let errors = corpus::errors(&format!("{functions} model {{ }} generated quantities {{ real s = spread(jitter_rng(mu)); real t = sum(jitter_rng(mu)); }}"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].1.contains("reads it more than once, and the returned value draws a random number"), "{errors:?}");
}

/// A body of `if`s and `return`s folds into a `?:`; when an arm calls a
/// function with statements it is lowered with its returns instead, so
/// only the arm taken runs them. x = (0.3, -1.2, 2.5, 0.8): `twice(x, 0)`
/// is 2 * 2.5 x (the first entry above 1), `twice(x, 1)` is x, and the
/// scalar `last_big(x, 0)` is 3 (the index of 2.5), `last_big(x, 1)` 0.
#[test]
fn a_folded_body_whose_arm_has_statements_is_lowered_with_its_returns() {
    let source = format!(
        "functions {{
          {CONTAINER_FUNCTIONS}
          vector twice(vector v, int k) {{
            if (k == 0) return 2 * scale_first(v, v, 1.0);
            return v;
          }}
          int big_at(vector v) {{
            for (i in 1:rows(v)) {{ if (v[i] > 1) return i; }}
            return 0;
          }}
          real last_big(vector v, int k) {{
            if (k == 0) return big_at(v) * 1.0;
            return 0;
          }}
        }}
        data {{ int N; vector[N] x; }}
        parameters {{ real mu; }}
        model {{ mu ~ normal(0, 1); }}
        generated quantities {{
          vector[N] a = twice(x, 0) + mu;
          vector[N] b = twice(x, 1) * mu;
          real c = last_big(x, 0) + last_big(x, 1);
        }}"
    );
    let x = [0.3, -1.2, 2.5, 0.8];
    let mut want: Vec<f64> = vec![0.5];
    want.extend(x.iter().map(|v| 5.0 * v + 0.5));
    want.extend(x.iter().map(|v| v * 0.5));
    want.push(3.0);
    for engine in [Engine::Jit, Engine::Interpreter] {
        let bound = common::oracle::bind_json("folded_arms", &source, r#"{"N": 4, "x": [0.3, -1.2, 2.5, 0.8]}"#, engine).expect("binds");
        let mut out = Vec::new();
        bound.evaluator().write_draw(&[0.5], &mut hbmc_stdlib::ChainRng::new(1, 0), &mut out).expect("draws");
        assert_eq!(out.len(), want.len(), "{:?}", bound.output_names());
        for ((name, got), w) in bound.output_names().iter().zip(&out).zip(&want) {
            assert!((got - w).abs() < 1e-12, "{engine:?} {name}: {got} vs {w}");
        }
    }
}
