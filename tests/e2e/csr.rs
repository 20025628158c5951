//! The sparse `csr_*` functions end to end: the product equal to the
//! dense matrix `csr_to_dense_matrix` builds times the vector (log density
//! and gradient), JIT = interpreter and gradient = finite differences,
//! every function against its dense form at every draw of a fit that
//! recovers the simulated coefficients, and bad sparse structures refused
//! with the data, naming the argument.

use crate::common;
use common::corpus::{self, errors, source};
use hbmc::model::{Engine, Model, ModelError};
use hbmc_compiler::bind::read_source;

/// csr.stan and csr_dense.stan (the product as `csr_to_dense_matrix(...)
/// * beta`) have the same parameters: equal log densities and gradients
/// (in `w` through `scale`, and in `beta`) at 20 points, in both engines.
#[test]
fn the_sparse_product_equals_the_dense_product() {
    corpus::assert_same_density("csr.stan", "csr_dense.stan", "csr.json", 13, 1e-10);
}

/// JIT = interpreter and gradient = finite differences at 20 points.
#[test]
fn the_sparse_product_passes_the_oracles() {
    common::oracle::check_example("csr", &source("csr.stan"), &[corpus::path("csr.json")]).expect("oracles");
}

/// make_csr.py's coefficients are recovered, and at every draw the
/// product equals `X * beta` with X the dense data matrix, the dense
/// matrix built from (w, v, u) equals X, and `csr_extract_*` of X give the
/// (w, v, u) make_csr.py wrote.
#[test]
fn a_sparse_regression_is_recovered_and_every_function_matches_its_dense_form() {
    let fit = corpus::fit("csr.stan", "csr.json");
    fit.assert_recovers(&[("beta.1", 1.0), ("beta.2", -0.5), ("beta.3", 0.25), ("beta.4", 2.0), ("beta.5", -1.0)]);
    for check in ["product", "dense", "extract", "extracted_product"] {
        let v = fit.column(check);
        assert!(v.iter().all(|d| d.abs() < 1e-12), "{check}: {:?}", &v[..3]);
    }
}

fn edited(from: &str, to: &str) -> String {
    let s = source("csr.stan");
    assert!(s.contains(from), "{from}");
    s.replacen(from, to, 1)
}

/// The diagnostics of binding `src` to csr.json with `member` replaced by
/// `value`.
fn refused(src: &str, member: &str, value: &str) -> Vec<(&'static str, String)> {
    let text = std::fs::read_to_string(corpus::path("csr.json")).expect("data");
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("json");
    json[member] = serde_json::from_str(value).expect("value");
    let data = read_source("d.json", &json.to_string()).expect("reads");
    let model = Model::compile("m", src).expect("checks");
    match model.bind(std::slice::from_ref(&data), Engine::Interpreter) {
        Err(ModelError::Diagnostics(d)) => d.iter().map(|d| (d.code, d.message.clone())).collect(),
        _ => panic!("not refused"),
    }
}

/// A sparse structure Stan would reject at every evaluation is refused
/// when the data are bound (E5003), with the argument named.
#[test]
fn bad_sparse_structures_are_refused_with_the_data() {
    let text = std::fs::read_to_string(corpus::path("csr.json")).expect("data");
    let json: serde_json::Value = serde_json::from_str(&text).expect("json");
    let u: Vec<i64> = json["u"].as_array().expect("u").iter().map(|x| x.as_i64().expect("int")).collect();
    let v: Vec<i64> = json["v"].as_array().expect("v").iter().map(|x| x.as_i64().expect("int")).collect();
    let show = |xs: &[i64]| format!("{xs:?}");
    // Only the model's product: the generated quantities would refuse the
    // same data first.
    let src = source("csr_dense.stan").replace("csr_to_dense_matrix(N, K, w .* scale, v, u) * beta", "csr_matrix_times_vector(N, K, w .* scale, v, u, beta)");
    // A column past n.
    let mut bad = v.clone();
    bad[3] = 6;
    let d = refused(&src, "v", &show(&bad));
    assert!(d.iter().any(|(c, m)| *c == "E5003" && m.contains("`v[4]` is 6, but the columns are 1 to n = 5")), "{d:?}");
    // u decreasing (rows 2 and 3 swapped starts).
    let mut bad = u.clone();
    bad.swap(1, 2);
    let d = refused(&src, "u", &show(&bad));
    assert!(d.iter().any(|(c, m)| *c == "E5003" && m.contains("`u` decreases")), "{d:?}");
    // u not ending size(w) after its start.
    let mut bad = u.clone();
    *bad.last_mut().expect("u") -= 1;
    let d = refused(&src, "u", &show(&bad));
    assert!(d.iter().any(|(c, m)| *c == "E5003" && m.contains("end `size(w)`")), "{d:?}");
    // b not as long as n.
    let d = refused(&src.replace("vector[K] beta;", "vector[K + 1] beta;"), "N", "40");
    assert!(d.iter().any(|(c, m)| *c == "E5003" && m.contains("`b` has 6 elements, but the matrix has n = 5 columns")), "{d:?}");
    // u of size other than m + 1.
    let d = refused(&src.replace("csr_matrix_times_vector(N, K,", "csr_matrix_times_vector(N - 1, K,"), "N", "40");
    assert!(d.iter().any(|(c, m)| *c == "E5003" && m.contains("`u` has 41 elements, but m + 1 = 40")), "{d:?}");
    // A column twice in one row of csr_to_dense_matrix (Stan keeps the
    // last, a sum would not).
    let mut bad = v.clone();
    bad[1] = bad[0];
    let d = refused(&source("csr_dense.stan"), "v", &show(&bad));
    assert!(d.iter().any(|(c, m)| *c == "E5003" && m.contains("twice in one row")), "{d:?}");
}

#[test]
fn bad_sparse_calls_are_refused_at_check() {
    // csr_extract returns a tuple, which a vector cannot hold.
    let e = errors(&edited("real product =", "vector[nz] t = csr_extract(X);\n  real product ="));
    assert!(e.len() == 1 && e[0].0 == "E1013" && e[0].1.contains("returns a tuple"), "{e:?}");
    // A parameter matrix for csr_extract_w, whose size is its nonzero count.
    let e = errors(&edited("real product =", "vector[nz] t = csr_extract_w(rep_matrix(sigma, N, K));\n  real product ="));
    assert!(e.len() == 1 && e[0].0 == "E1002" && e[0].1.contains("argument `a` of `csr_extract_w` must be data"), "{e:?}");
    // Wrong argument types.
    let e = errors(&edited("csr_matrix_times_vector(N, K, w .* scale, v, u, beta)", "csr_matrix_times_vector(N, K, w .* scale, v, u)"));
    assert!(e.len() == 1 && e[0].0 == "E1002", "{e:?}");
}
