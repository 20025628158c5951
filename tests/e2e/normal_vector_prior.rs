//! A normal density over a whole vector whose elements are in place in a
//! buffer, with one scalar location and scale, is one call of the
//! stdlib's vectorised kernel (`hbm_normal_sum_vec`, lowered in
//! `compiler/src/lower/normal.rs`), and its gradient is the kernel's
//! adjoint rule. Each form below is checked three ways: the IR calls the
//! kernel (or, for the forms that must not, does not), the JIT's log
//! density equals the reference interpreter's, and its gradient equals
//! finite differences (`common::oracle`), which covers the adjoints of
//! the variate, of a parameter location and of a parameter scale.

use crate::common;

use common::oracle::check_example;
use std::path::PathBuf;
use std::process::Command;

/// One model with every form: a parameter vector under `std_normal`, a
/// parameter vector under `normal(mu, sigma)` with parameter `mu` and
/// `sigma`, an element of an array of matrices under `to_vector(..) ~
/// normal(0, 2)`, data under `normal(mu, sigma)` (the variate is data, the
/// location and scale are not), a `normal_lpdf` term in an expression, and
/// two forms that keep the per-term code: a vector shorter than the
/// kernel's minimum and a vector location.
const MODEL: &str = r#"
data {
  int<lower=1> N;
  vector[N] y;
}
parameters {
  vector[20] z;
  vector[24] x;
  real mu;
  real<lower=0> sigma;
  array[3] matrix[2, 9] u;
  vector[5] short;
  vector[16] near;
}
model {
  z ~ std_normal();
  x ~ normal(mu, sigma);
  for (g in 1:3) {
    to_vector(u[g]) ~ normal(0, 2);
  }
  y ~ normal(mu, sigma);
  target += 0.5 * normal_lpdf(z | 0.3, 1.5);
  short ~ normal(0, 1);
  near ~ normal(x[1:16], 1);
  mu ~ normal(0, 1);
  sigma ~ normal(0, 1);
}
"#;

fn data() -> String {
    let y: Vec<String> = (0..30).map(|i| format!("{:.4}", 0.8 * ((i * 7) as f64).sin() + 0.2)).collect();
    format!(r#"{{"N": 30, "y": [{}]}}"#, y.join(", "))
}

/// The model and data files in a directory of the test's own (`test`):
/// the tests run in parallel, and one rewriting a file another is reading
/// made the reader see it empty.
fn files(test: &str) -> (PathBuf, PathBuf) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("normal_vector_prior").join(test);
    std::fs::create_dir_all(&dir).expect("a scratch directory in the target directory");
    let (model, data_file) = (dir.join("model.stan"), dir.join("data.json"));
    std::fs::write(&model, MODEL).expect("model written");
    std::fs::write(&data_file, data()).expect("data written");
    (model, data_file)
}

#[test]
fn whole_vector_normal_densities_pass_the_oracles() {
    let (_, data_file) = files("oracles");
    check_example("normal_vector_prior", MODEL, &[data_file]).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn whole_vector_normal_densities_call_the_kernel_and_only_they_do() {
    let (model, data_file) = files("kernel_calls");
    let out = Command::new(env!("CARGO_BIN_EXE_hbmc"))
        .args(["check", model.to_str().expect("utf-8 path"), "--data", data_file.to_str().expect("utf-8 path"), "--emit", "ir"])
        .output()
        .expect("the hbmc binary built by cargo runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ir = String::from_utf8_lossy(&out.stdout);
    let log_density: String = ir.split("fn ").find(|f| f.starts_with("log_density")).expect("a log_density function").to_string();
    let calls: Vec<&str> = log_density.lines().filter(|l| l.contains("call hbm_normal_sum_vec(")).collect();
    // z, x, u[g] (one call in the loop), y, and the normal_lpdf term; not
    // `short` (5 < 16 elements) nor `near` (a vector location).
    assert_eq!(calls.len(), 5, "{}", calls.join("\n"));
    for (buffer, why) in [("params.z", "z ~ std_normal()"), ("params.x", "x ~ normal(mu, sigma)"), ("params.u", "to_vector(u[g])"), ("data.y", "y ~ normal(mu, sigma)")] {
        assert!(calls.iter().any(|c| c.contains(&format!("&{buffer}"))), "no kernel call for {why}:\n{}", calls.join("\n"));
    }
    for buffer in ["params.short", "params.near"] {
        assert!(!calls.iter().any(|c| c.contains(&format!("&{buffer}"))), "{buffer} should keep the per-term code");
    }
    let gradient: String = ir.split("fn ").find(|f| f.starts_with("gradient")).expect("a gradient function").to_string();
    assert_eq!(gradient.matches("call hbm_normal_sum_vec_adj(").count(), 5, "one adjoint call per kernel call");
}
