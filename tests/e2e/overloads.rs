//! Overloaded user functions (Stan 2.29, issue 13): calls resolved by the
//! arguments' types and count, `_lpdf`/`_lpmf` overloads chosen by `~`,
//! forward declarations matched by signature. The corpus program's log
//! density and gradient equal those of a twin with each call written out
//! as the overload it must take (every overload computing something
//! different, a wrong choice shows), in the JIT and in the interpreter; the
//! calls no definition fits, or more than one fits equally, are errors that
//! name the argument types and the definitions. (The corpus oracles, JIT =
//! interpreter and gradient = finite differences, run the program too.)

use crate::common;
use common::corpus;
use hbmc::model::Engine;

#[test]
fn each_call_takes_its_overload_in_the_density_and_gradient() {
    corpus::assert_same_density(
        "functions_overloaded.stan",
        "functions_overloaded_closed.stan",
        "functions_overloaded.json",
        33,
        1e-9,
    );
}

/// `weight(3)` takes `weight(int)` (3 + 0.5), `weight(3.0)` takes
/// `weight(real)` (2 * 3), `kernel` with one and two arguments, the
/// recursive `fib(int)` (fib(10) = 55) and `fib(real)` (2 * 1.5), the
/// early-returning `first_positive(vector)` (y[2:] = (-1.2, 0.8, 2.1)
/// gives 0.8) and `first_positive(real)` (-xs[2] = 0.25), and `half(N - 1)`
/// taking `half(real)` with N - 1 = 3 promoted (1.5, not 3 / 2 = 1).
#[test]
fn generated_quantities_take_the_overload_of_their_literals() {
    let source = corpus::source("functions_overloaded.stan");
    let data = std::fs::read_to_string(corpus::path("functions_overloaded.json")).expect("data");
    for (engine, out) in common::oracle::draw_in_both_engines("overloaded", &source, &data, &[0.1; 6], 1) {
        let value = |name: &str| out.value(name);
        assert_eq!(value("by_int"), 3.5, "{engine:?}");
        assert_eq!(value("by_real"), 6.0, "{engine:?}");
        let d: f64 = 0.7;
        let want = (-d).exp() + 10.0 * (-d / 2.0).exp();
        assert!((value("by_count") - want).abs() < 1e-14, "{engine:?}: {} vs {want}", value("by_count"));
        let rest: Vec<f64> = ["fib_n", "fib_x", "first_y", "first_x", "half_n"].iter().map(|n| value(n)).collect();
        assert_eq!(rest, [55.0, 3.0, 0.8, 0.25, 1.5], "{engine:?}");
    }
}

const CENTER: &str = "functions {
  real center(real x, real m) { return x - m; }
  vector center(vector x, real m) { return x - m; }
  void show(real x) { print(x); }
  void show(vector v) { print(v); }
  real f_lpdf(real y, real m) { return -square(y - m); }
  real f_lpdf(vector y, real m) { return -dot_self(y - m); }
}
data { array[3] int counts; matrix[2, 2] M; }
parameters { real mu; vector[2] v; }
model {";

/// `CENTER` with `body` as the model block's statements.
fn errors_of(body: &str) -> Vec<(&'static str, String)> {
    corpus::errors(&format!("{CENTER} {body} }}"))
}

#[test]
fn a_call_no_definition_takes_names_its_argument_types_and_the_definitions() {
    let errors = errors_of("target += sum(center(counts, mu)); show(M[1]); v ~ f(v);");
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors.iter().all(|(code, _)| *code == "E0013"), "{errors:?}");
    assert!(errors[0].1.contains("no definition of `center` takes these arguments: `center(array[] int, real)`"), "{}", errors[0].1);
    assert!(errors[1].1.contains("`show(row_vector)`"), "{}", errors[1].1);
    assert!(errors[2].1.contains("no definition of `f_lpdf` or `f_lpmf`") && errors[2].1.contains("`vector ~ f(vector)`"), "{}", errors[2].1);
    let fe = hbmc_compiler::front_end(&format!("{CENTER} target += sum(center(counts, mu)); }}"));
    let help = fe.diagnostics[0].help.join(" ");
    assert!(help.contains("`real center(real x, real m)`, `vector center(vector x, real m)`"), "{help}");
}

#[test]
fn calls_chosen_by_indexing_transposes_and_nested_calls_check_cleanly() {
    let errors = errors_of("show(M[1]'); show(M[:, 1]); show(M[1, 2]); show(center(v, 1)); show(center(mu, 1)); v ~ f(mu); mu ~ f(1);");
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn an_ambiguous_call_is_refused_and_an_exact_one_is_not() {
    let errors = corpus::errors(
        "functions { real mix(int a, real b) { return a + b; } real mix(real a, int b) { return a - b; } }
         parameters { real mu; } model { mu ~ normal(mix(1, 2.0) + mix(1.5, 2), 1); target += mix(1, 2); }",
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "E0013");
    assert!(errors[0].1.contains("the call `mix(int, int)` fits more than one definition of `mix` equally well"), "{}", errors[0].1);
}

#[test]
fn the_same_argument_types_twice_stay_defined_twice_among_overloads() {
    let errors = corpus::errors(
        "functions { real scale(real x) { return 2 * x; } vector scale(vector v) { return 2 * v; }
           real scale(real y) { return y + y; } real scale(real x, real k); }
         parameters { real mu; } model { mu ~ normal(scale(1.0), 1); }",
    );
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!((errors[0].0, errors[0].1.as_str()), ("E0011", "the function `scale` is defined twice"));
    assert_eq!((errors[1].0, errors[1].1.as_str()), ("E0011", "the function `scale` is declared but never defined"));
}

#[test]
fn an_argument_of_unknown_type_that_would_decide_is_refused_not_guessed() {
    let errors = corpus::errors(
        "functions { real shrink(real x) { return x / 2; } real shrink(vector v) { return sum(v) / 2; }
           real keep(real x, real y) { return x; } real keep(real x, vector y) { return x; } }
         data { vector[2] m; } parameters { real mu; } model { target += shrink(mu) + keep(mu, 1); }
         generated quantities { real a = keep(1, normal_rng(m, 1)[1]); real b = shrink(normal_rng(m, 1)[2]); real c = shrink(poisson_rng(3)); }",
    );
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors.iter().all(|(code, m)| *code == "E0013" && m.contains("whose type is not known before type checking")), "{errors:?}");
}

/// The run-time message of an overload that ends without a value names the
/// function as written (not its internal name).
#[test]
fn an_overload_that_ends_without_a_value_is_named_as_written_at_run_time() {
    let source = "functions { real first(vector v) { for (i in 1:rows(v)) { return v[i]; } } real first(real x) { return x; } }
        data { int N; vector[N] v; } transformed data { real f = first(v) + first(1.0); }
        parameters { real mu; } model { mu ~ normal(f, 1); }";
    for engine in [Engine::Jit, Engine::Interpreter] {
        let err = common::oracle::bind_json("first", source, r#"{"N": 0, "v": []}"#, engine).err().expect("an empty vector fails");
        assert!(err.contains("the function `first` reached the end of its body without returning a value"), "{engine:?}: {err}");
    }
}

/// Tuple arguments choose by their declared element types: g(a) = mu + 1,
/// g(b) = mu + 10 sum(v), g(pair(mu)) = mu + 2 mu, g(mu) = -mu; in all
/// 4 mu + 1 + 10 * 0.75.
#[test]
fn tuple_arguments_take_the_overload_of_their_element_types() {
    let source = "functions {
          real g(tuple(real, real) t) { return t.1 + t.2; }
          real g(tuple(real, vector) t) { return t.1 + 10 * sum(t.2); }
          real g(real x) { return -x; }
          tuple(real, real) pair(real x) { return (x, 2 * x); }
        }
        data { vector[2] v; } parameters { real mu; }
        model { tuple(real, real) a = (mu, 1.0); tuple(real, vector[2]) b = (mu, v); target += g(a) + g(b) + g(pair(mu)) + g(mu); }";
    for engine in [Engine::Jit, Engine::Interpreter] {
        let bound = common::oracle::bind_json("tuples", source, r#"{"v": [0.5, 0.25]}"#, engine).expect("binds");
        let mut e = bound.evaluator();
        for mu in [-1.5, 0.25, 2.0] {
            let lp = e.log_density(&[mu]).expect("evaluates");
            let want = 4.0 * mu + 1.0 + 7.5;
            assert!((lp - want).abs() < 1e-12, "{engine:?} mu = {mu}: {lp} vs {want}");
        }
    }
}

/// A user function named like a library function overloads it (Stan
/// 2.29): each call takes the user's definition when one fits its
/// arguments and the library's otherwise (E0013 on 76b228b: the user's
/// `inv_logit` "takes 2 argument(s), but 1 were given"). The log density
/// and gradient equal those of the calls written out, in both engines.
#[test]
fn a_user_function_overloads_a_library_function() {
    let overloaded = "functions {
          real hypot(real x, int k) { return k * x; }
          real inv_logit(real x, real s) { return 1 / (1 + exp(-x / s)); }
        }
        parameters { real mu; real<lower=0> s; }
        model {
          target += -square(hypot(mu, 2)) - hypot(mu, 3.0) + log(inv_logit(mu)) + log(inv_logit(mu, s)) - s;
        }";
    let written_out = "parameters { real mu; real<lower=0> s; }
        model { target += -square(2 * mu) - sqrt(square(mu) + 9) + log_inv_logit(mu) + log_inv_logit(mu / s) - s; }";
    for engine in [Engine::Jit, Engine::Interpreter] {
        let a = common::oracle::bind_json("library-overload", overloaded, "{}", engine).unwrap_or_else(|e| panic!("binds: {e}"));
        let b = common::oracle::bind_json("written-out", written_out, "{}", engine).unwrap_or_else(|e| panic!("binds: {e}"));
        corpus::assert_same_density_bound(&format!("{engine:?} overloaded"), &a, "written out", &b, 29, 1e-9);
    }
}

/// What stanc refuses of a library function's name is refused with the
/// rule: a definition with the library's own argument types, and one of a
/// function taking functions (`reduce_sum`, the ODE solvers, ...), are
/// E0011; a call both the library and a definition (by promoting an
/// `int`) take is E0013, not guessed.
#[test]
fn what_stan_refuses_of_a_library_name_is_an_error() {
    let log1p = "functions { real log1p(real x) { return log(1 + x); } }
        parameters { real<lower=0> mu; } model { target += -log1p(mu); }";
    let errors = corpus::errors(log1p);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "E0011");
    assert!(errors[0].1.contains("the library already defines `real log1p(real x)`"), "{}", errors[0].1);
    let reduce = "functions { real reduce_sum(real x) { return x; } }
        parameters { real mu; } model { target += -reduce_sum(mu); }";
    let errors = corpus::errors(reduce);
    assert!(errors.iter().any(|(c, m)| *c == "E0011" && m.contains("`reduce_sum` is a library function that takes functions")), "{errors:?}");
    let ambiguous = "functions { real hypot(real x, int k) { return k * x; } }
        parameters { real mu; } model { target += hypot(mu, 2) + hypot(1, 2); }";
    let errors = corpus::errors(ambiguous);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "E0013");
    assert!(errors[0].1.contains("the call `hypot(int, int)` fits both the library's `hypot`"), "{}", errors[0].1);
}
