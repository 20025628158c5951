//! Blocks sized by two different run-time lengths (docs/language.md,
//! "Run-time lengths"; E5001 on 76b228b): a loop body with a local of
//! each of two ragged kinds, and user functions whose locals are sized by
//! two arguments, are compiled once per pair of lengths the data hold.
//! The corpus program `ragged_two_lengths` (whose oracles, JIT =
//! interpreter and gradient = finite differences, run with the corpus)
//! has the density and gradient of its twin written element by element,
//! its generated quantities are the ones computed here from the data, and
//! pairs beyond the copies allowed are E5001 naming both lengths.

use crate::common;
use common::corpus;
use common::hbmc;

/// The subjects' blocks copied per `(na[g], nb[g])` give the density and
/// gradient of the same likelihood taken element by element.
#[test]
fn a_block_sized_by_two_lengths_has_the_element_by_element_density() {
    corpus::assert_same_density("ragged_two_lengths.stan", "ragged_two_lengths_closed.stan", "ragged_two_lengths.json", 36, 1e-9);
}

/// At one draw, each subject's largest absolute residual (a local sized
/// by both lengths, `append_row` of the two kinds) is the one computed
/// here from the data and the draw's parameters, and the user density
/// equals the library's, in the JIT and in the interpreter.
#[test]
fn a_local_sized_by_two_lengths_holds_both_kinds() {
    let source = corpus::source("ragged_two_lengths.stan");
    let data_text = std::fs::read_to_string(corpus::path("ragged_two_lengths.json")).expect("data");
    let data: serde_json::Value = serde_json::from_str(&data_text).expect("json");
    let ints = |k: &str| -> Vec<usize> { data[k].as_array().expect("array").iter().map(|v| v.as_u64().expect("int") as usize).collect() };
    let reals = |k: &str| -> Vec<f64> { data[k].as_array().expect("array").iter().map(|v| v.as_f64().expect("number")).collect() };
    let (na, nb, ya, yb) = (ints("na"), ints("nb"), reals("ya"), reals("yb"));
    // mu, log tau, delta, log sigma, then the ten alphas.
    let x: Vec<f64> = (0..14).map(|i| 0.3 - 0.07 * i as f64).collect();
    let delta = x[2];
    for (engine, out) in common::oracle::draw_in_both_engines("two-lengths", &source, &data_text, &x, 1) {
        let (mut pa, mut pb) = (0, 0);
        for g in 0..na.len() {
            let alpha = x[4 + g];
            let a = ya[pa..pa + na[g]].iter().map(|y| (y - alpha).abs());
            let b = yb[pb..pb + nb[g]].iter().map(|y| (y - alpha - delta).abs());
            let want = a.chain(b).fold(0.0f64, f64::max);
            let got = out.value(&format!("worst.{}", g + 1));
            assert!((got - want).abs() < 1e-12, "{engine:?} subject {}: {got} vs {want}", g + 1);
            pa += na[g];
            pb += nb[g];
        }
        assert!(out.value("ll_diff").abs() < 1e-9, "{engine:?}: {}", out.value("ll_diff"));
    }
}

/// Two lengths taking more pairs of values than the copies allowed are
/// E5001 naming both, the number of pairs and the limit; 40 pairs
/// compile.
#[test]
fn pairs_of_lengths_beyond_the_copies_are_error_e5001_naming_them() {
    let dir = common::scratch("ragged-two-lengths-too-many");
    let model = "data { int N; array[N] int na; array[N] int nb; }
parameters { vector[N] b; }
model {
  b ~ normal(0, 1);
  for (n in 1:N) {
    vector[na[n]] u = rep_vector(b[n], na[n]);
    vector[nb[n]] v = rep_vector(-b[n], nb[n]);
    target += -0.01 * (dot_self(u) + dot_self(v));
  }
}
";
    std::fs::write(dir.join("m.stan"), model).expect("model");
    let write_data = |n: usize| {
        let na: Vec<String> = (0..n).map(|k| (k % 40 + 1).to_string()).collect();
        let nb: Vec<String> = (0..n).map(|k| (k / 40 + 1).to_string()).collect();
        std::fs::write(dir.join("d.json"), format!(r#"{{"N": {n}, "na": [{}], "nb": [{}]}}"#, na.join(", "), nb.join(", "))).expect("data");
    };
    // 1100 distinct pairs (na, nb): (1..40) by (1..28).
    write_data(1100);
    let out = hbmc(&dir, &["gradcheck", "m.stan", "--data", "d.json"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("E5001") && err.contains("`na[n]` and `nb[n]`") && err.contains("1100 distinct combinations") && err.contains("1024 copies"),
        "{err}"
    );
    write_data(40);
    let out = hbmc(&dir, &["gradcheck", "m.stan", "--data", "d.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A local sized by another local of the block (`vector[rows(u)] w;`
/// after `vector[n[g]] u`) is sized by the one length once that is
/// replaced, not a second length (E5001 on 76b228b): the block is copied
/// per `n[g]` and has the density of the same terms written with
/// `log_sum_exp`.
#[test]
fn a_size_read_from_a_local_of_the_block_is_not_a_second_length() {
    let data = r#"{"G": 3, "n": [2, 3, 2], "pos": [1, 3, 6], "N": 7}"#;
    let head = "data { int G; array[G] int n; array[G] int pos; int N; } parameters { vector[N] b; } ";
    let copied = format!(
        "{head}model {{ b ~ normal(0, 1); for (g in 1:G) {{ vector[n[g]] u = softmax(segment(b, pos[g], n[g])); \
         vector[rows(u)] w = cumulative_sum(u); target += w[1]; }} }}"
    );
    let written = format!("{head}model {{ b ~ normal(0, 1); for (g in 1:G) target += exp(b[pos[g]] - log_sum_exp(segment(b, pos[g], n[g]))); }}");
    for engine in [hbmc::model::Engine::Jit, hbmc::model::Engine::Interpreter] {
        let a = common::oracle::bind_json("copied", &copied, data, engine).unwrap_or_else(|e| panic!("binds: {e}"));
        let b = common::oracle::bind_json("written", &written, data, engine).unwrap_or_else(|e| panic!("binds: {e}"));
        corpus::assert_same_density_bound(&format!("{engine:?} copied"), &a, "written", &b, 45, 1e-10);
    }
}
