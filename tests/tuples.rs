//! Tuples end to end (`tests/stan_corpus/tuples.stan`): the program that
//! uses them has the log density and gradient of the same program written
//! without them, its output columns carry CmdStan's names for tuple slots
//! (`theta:2.1`) with the values the tuples held, and tuple data are read
//! from JSON objects with keys "1", "2".

mod common;
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
