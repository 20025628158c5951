//! Tuples end to end (`tests/stan_corpus/tuples.stan`): the program that
//! uses them has the log density and gradient of the same program written
//! without them, its output columns carry CmdStan's names for tuple slots
//! (`theta:2.1`) with the values the tuples held, and tuple data are read
//! from JSON objects with keys "1", "2".

use crate::common;
use common::corpus::{self, errors, source};

/// tuples.stan and tuples_by_hand.stan (qr_thin and svd called through
/// their parts, the tuple parameter as two parameters) have equal log
/// densities and gradients at 20 points, in the JIT and the interpreter.
#[test]
fn a_program_with_tuples_has_the_density_of_the_same_program_without() {
    corpus::assert_same_density("tuples.stan", "tuples_by_hand.stan", "tuples.json", 17, 1e-10);
}

/// JIT = interpreter and gradient = finite differences at 20 points.
#[test]
fn the_tuple_program_passes_the_oracles() {
    common::oracle::check_example("tuples", &source("tuples.stan"), &[corpus::path("tuples.json")]).expect("oracles");
}

/// The tuple parameter, transformed parameter and generated quantity are
/// written under CmdStan's column names, in declaration order, and each
/// element holds what the program put in it at every draw.
#[test]
fn tuple_outputs_have_cmdstan_column_names_and_their_values() {
    let fit = corpus::fit("tuples.stan", "tuples.json");
    let names = &fit.csvs[0].column_names;
    let tuple_columns: Vec<&str> = names.iter().map(String::as_str).filter(|n| n.contains(':')).collect();
    assert_eq!(
        tuple_columns,
        ["theta:1", "theta:2.1", "theta:2.2", "moments:1", "moments:2", "draw:1", "draw:2:1", "draw:2:2.1", "draw:2:2.2"]
    );
    let (mu, theta1) = (fit.column("mu"), fit.column("theta:1"));
    let (t21, t22) = (fit.column("theta:2.1"), fit.column("theta:2.2"));
    assert!(theta1.iter().all(|t| *t > 0.0), "theta.1 has <lower=0>");
    for (i, m) in fit.column("moments:1").iter().enumerate() {
        assert!((m - (mu[i] + theta1[i])).abs() < 1e-12, "moments.1 = mu + theta.1 at draw {i}");
    }
    for (i, m) in fit.column("moments:2").iter().enumerate() {
        assert!((m - (t21[i] + t22[i])).abs() < 1e-12, "moments.2 = sum(theta.2) at draw {i}");
    }
    assert_eq!(fit.column("draw:1"), mu);
    assert!(fit.column("draw:2:1").iter().all(|v| *v == 2.0), "pair.1 of tuples.json is 2");
    assert_eq!(fit.column("draw:2:2.1"), t21);
    assert_eq!(fit.column("draw:2:2.2"), t22);
}

/// A data tuple missing an element is refused with the element named as
/// the program writes it.
#[test]
fn a_data_tuple_with_a_missing_element_is_refused() {
    let model = hbmc::model::Model::compile("tuples", &source("tuples.stan")).expect("compiles");
    let text = std::fs::read_to_string(corpus::path("tuples.json")).expect("data");
    let broken = text.replacen(r#""pair": {"1": 2, "#, r#""pair": {"#, 1);
    assert_ne!(broken, text, "the edit applies");
    let dir = common::scratch("tuples-missing-element");
    let path = dir.join("broken.json");
    std::fs::write(&path, broken).expect("scratch file");
    let err = model.bind_files(&[path], hbmc::model::Engine::Interpreter).err().expect("refused");
    let text = format!("{err:?}");
    assert!(text.contains("`pair.1`") && text.contains(r#"`\"pair\": {\"1\": ...}`"#), "{text}");
}

/// The refusals name what is wrong.
#[test]
fn misused_tuples_are_refused_at_check() {
    let src = |body: &str| format!("transformed data {{ tuple(real, int) t = (1.5, 2); {body} }} parameters {{ real mu; }} model {{ mu ~ normal(0, 1); }}");
    let e = errors(&src("real x = t.3;"));
    assert!(e.len() == 1 && e[0].0 == "E1013" && e[0].1.contains("no element `.3`"), "{e:?}");
    let e = errors(&src("t = (1.5, 2.5);"));
    assert!(e.len() == 1 && e[0].0 == "E1004", "{e:?}");
    let e = errors(&src("real y = t;"));
    assert!(e.len() == 1 && e[0].0 == "E1013" && e[0].1.contains("`t` is a tuple"), "{e:?}");
    let e = errors(&src("real a; real b; (a, b) = (1, 2, 3);"));
    assert!(e.len() == 1 && e[0].0 == "E1013" && e[0].1.contains("3 elements"), "{e:?}");
}

/// The `_lp` function returning a tuple adds its terms once per call (two
/// calls: twice), its elements from that one run: the density and
/// gradient of tuple_rng_lp.stan are those of the program written out by
/// hand, at 20 points, in the JIT and the interpreter.
#[test]
fn a_tuple_lp_function_adds_to_the_target_once_per_call() {
    corpus::assert_same_density("tuple_rng_lp.stan", "tuple_rng_lp_by_hand.stan", "tuple_rng_lp.json", 23, 1e-10);
}

/// JIT = interpreter and gradient = finite differences at 20 points (the
/// transformed data's `_rng` checks run at binding).
#[test]
fn the_tuple_rng_lp_program_passes_the_oracles() {
    common::oracle::check_example("tuple_rng_lp", &source("tuple_rng_lp.stan"), &[corpus::path("tuple_rng_lp.json")]).expect("oracles");
}

/// The checks of one draw of tuple_rng_lp.stan's generated quantities:
/// each `_rng` tuple's elements come from one normal draw (`(x, (x, -x))`
/// equal and opposite, as drawn twice they would not be), the swap reads
/// its arguments before assigning them (`a - b` is 1), and the tuple
/// function given a draw got one draw (`twice.2 = 2 twice.1`), and a call
/// inside an expression gives elements of one draw (`zero`).
fn assert_one_draw(col: &dyn Fn(&str) -> f64, what: &str) {
    for t in ["d", "r"] {
        let (x, x2, neg) = (col(&format!("{t}:1")), col(&format!("{t}:2:1")), col(&format!("{t}:2:2")));
        assert!(x == x2 && neg == -x, "{what}: {t} = ({x}, ({x2}, {neg}))");
    }
    let (a, b) = (col("a"), col("b"));
    assert!((a - b - 1.0).abs() < 1e-12, "{what}: (a, b) = ({a}, {b}) after the swap of (1, 2) plus one noise");
    let (t1, t2) = (col("twice:1"), col("twice:2"));
    assert!(t2 == 2.0 * t1, "{what}: twice = ({t1}, {t2})");
    assert_eq!(col("zero"), 0.0, "{what}: x + (-x) of one call inside an expression");
}

/// Through `hbmc run`: at every draw of the CSV the elements of each
/// `_rng` tuple come from one draw, and the draws vary.
#[test]
fn tuple_rng_elements_come_from_one_draw_in_the_csv() {
    let fit = corpus::fit("tuple_rng_lp.stan", "tuple_rng_lp.json");
    let names = &fit.csvs[0].column_names;
    let columns: Vec<(String, Vec<f64>)> =
        ["d:1", "d:2:1", "d:2:2", "r:1", "r:2:1", "r:2:2", "a", "b", "twice:1", "twice:2", "zero"].iter().map(|n| (n.to_string(), fit.column(n))).collect();
    assert!(names.iter().any(|n| n == "d:2:2"), "{names:?}");
    let draws = columns[0].1.len();
    assert_eq!(draws, 600);
    for i in 0..draws {
        let col = |name: &str| columns.iter().find(|(n, _)| n == name).map(|(_, v)| v[i]).unwrap_or(f64::NAN);
        assert_one_draw(&col, &format!("draw {i}"));
    }
    let mut d1 = columns[0].1.clone();
    d1.sort_by(f64::total_cmp);
    d1.dedup();
    assert!(d1.len() > 500, "the draws vary: {} distinct of {draws}", d1.len());
}

/// In the interpreter and the JIT: the same checks at 50 draws from one
/// point, and the two engines draw the same values from the same seed.
#[test]
fn tuple_rng_elements_come_from_one_draw_in_both_engines() {
    let model = hbmc::model::Model::compile("tuple_rng_lp", &source("tuple_rng_lp.stan")).expect("compiles");
    let files = [corpus::path("tuple_rng_lp.json")];
    let mut outputs = Vec::new();
    for engine in [hbmc::model::Engine::Interpreter, hbmc::model::Engine::Jit] {
        let bound = model.bind_files(&files, engine).expect("binds");
        let names = bound.output_names().to_vec();
        let theta = vec![0.3; bound.dim()];
        let mut ev = bound.evaluator();
        let mut rng = hbmc_stdlib::ChainRng::new(11, 0);
        let mut all = Vec::new();
        for k in 0..50 {
            let mut out = Vec::new();
            ev.write_draw(&theta, &mut rng, &mut out).expect("draw");
            let col = |name: &str| out[names.iter().position(|n| n == name).unwrap_or_else(|| panic!("no column {name}"))];
            assert_one_draw(&col, &format!("{engine:?} draw {k}"));
            all.push(out);
        }
        outputs.push(all);
    }
    assert_eq!(outputs[0], outputs[1], "the interpreter and the JIT drew different values");
}

/// `reject` (and `print`, which renders the same way) writes containers
/// as Stan's `stan_print` does, with no spaces: a tuple `(a,b)`, a vector
/// `[a,b]`, a matrix row by row, an array of vectors nested, an array of
/// tuples (nested ones included) tuple by tuple; in both engines.
#[test]
fn containers_and_tuples_print_as_stan_prints_them() {
    use hbmc::model::{Engine, Model, ModelError};
    let program = r#"
transformed data {
  tuple(real, vector[2]) t = (1.5, [2, 3]');
  array[2] tuple(int, vector[2]) at;
  at[1] = (1, [0.5, 1]');
  at[2] = (2, [-1, 4]');
  matrix[2, 3] m = [[1, 2, 3], [4, 5, 6]];
  array[2] vector[2] av = {[1, 2]', [3, 4]'};
  array[3, 2] int grid = {{1, 2}, {3, 4}, {5, 6}};
  array[2] tuple(real, tuple(int, row_vector[2])) nested;
  nested[1] = (0.25, (7, [1, 2]));
  nested[2] = (0.5, (8, [3, 4]));
  reject("t=", t, " at=", at, " m=", m, " av=", av, " grid=", grid, " nested=", nested);
}
parameters { real x; }
model { x ~ std_normal(); }
"#;
    let want = "t=(1.5,[2,3]) at=[(1,[0.5,1]),(2,[-1,4])] m=[[1,2,3],[4,5,6]] av=[[1,2],[3,4]] grid=[[1,2],[3,4],[5,6]] \
                nested=[(0.25,(7,[1,2])),(0.5,(8,[3,4]))]";
    let model = Model::compile("tuple_print", program).expect("compiles");
    for engine in [Engine::Jit, Engine::Interpreter] {
        let message = match model.bind(&[], engine) {
            Err(ModelError::Diagnostics(d)) => d.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("; "),
            Err(e) => e.to_string(),
            Ok(_) => panic!("{engine:?}: the reject did not stop binding"),
        };
        assert!(message.contains(want), "{engine:?}: {message}");
    }
}
