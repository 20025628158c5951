//! Sizes computed from the data are checked when the model is compiled
//! with its data: a negative size is the data's error E4051 (it was E5001,
//! "not supported by the compiler yet"), and sizes whose product is past
//! Stan's largest `int` are E4053 (before, lowering walked every one of
//! 2^62 elements and never returned).

use hbmc::model::{Engine, Model, ModelError};
use std::sync::mpsc;
use std::time::Duration;

const SIZED: &str = "data { int K; int M; }
parameters { vector[K] beta; real mu; }
transformed parameters { matrix[K, M] B = rep_matrix(beta, M); }
model { beta ~ normal(0, 1); mu ~ normal(0, 1); }
generated quantities { array[M, K] real z; }";

/// The codes and messages of binding `SIZED` to `data`, or `None` when it
/// binds; a minute at most (the old code never returned on huge sizes).
fn bind_codes(data: &'static str) -> Option<Vec<(&'static str, String)>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let model = Model::compile("sized", SIZED).unwrap_or_else(|e| panic!("{e:?}"));
        let source = hbmc_compiler::bind::read_source("d.json", data).expect("valid JSON");
        let out = match model.bind(&[source], Engine::Jit) {
            Ok(_) => None,
            Err(ModelError::Diagnostics(d)) => Some(d.into_iter().map(|d| (d.code, d.message)).collect()),
            Err(e) => panic!("{data}: {e:?}"),
        };
        let _ = tx.send(out);
    });
    rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| panic!("{data}: binding did not return within a minute"))
}

#[test]
fn a_negative_size_from_the_data_is_a_data_error() {
    let d = bind_codes(r#"{"K": -3, "M": 2}"#).expect("refused");
    assert!(d.iter().any(|(c, m)| *c == "E4051" && m.contains("the size of `beta` is -3")), "{d:?}");
}

#[test]
fn sizes_past_the_largest_int_are_refused_without_walking_them() {
    for (data, name) in [
        (r#"{"K": 4611686018427387904, "M": 2}"#, "`beta`"),
        // Each size fits an int; their product does not.
        (r#"{"K": 100000, "M": 100000}"#, "`B`"),
    ] {
        let d = bind_codes(data).expect("refused");
        assert!(d.iter().any(|(c, m)| *c == "E4053" && m.starts_with(name) && m.contains("2147483647")), "{data}: {d:?}");
    }
    assert_eq!(bind_codes(r#"{"K": 3, "M": 2}"#), None, "small sizes bind");
}
