//! `hbmc run --threads-per-chain`: a likelihood large enough to be cut into
//! chunks (`ir::chunks`) gives bit-identical draws on 1, 2 and 3 threads
//! per chain, and `hbmc bench --threads-per-chain` checks the same for one
//! gradient.

use crate::common;
use common::hbmc;
use std::fmt::Write as _;
use std::path::Path;

/// A multilevel logit (the Mundlak model's likelihood, no generated
/// quantities so that the files stay small).
const MODEL: &str = r#"
dims { obs; group; }
data {
  array[obs] group g;
  vector[obs] x;
  vector[group] z;
  array[obs] int<lower=0, upper=1> y;
}
parameters {
  real abar;
  real bxy;
  real bzy;
  real<lower=0> tau;
  vector[group] z_a;
}
model {
  abar ~ normal(0, 1);
  bxy ~ normal(0, 1);
  bzy ~ normal(0, 1);
  tau ~ exponential(1);
  z_a ~ std_normal();
  y ~ bernoulli_logit(abar + tau * z_a[g] + bxy * x + bzy * z[g]);
}
"#;

/// Observations: enough for the likelihood loop to be chunked.
const N: usize = 20_000;
const GROUPS: usize = 30;

/// Simulated data (a fixed linear congruential generator, so the file is
/// the same on every run).
fn data() -> String {
    let mut state: u64 = 12345;
    let mut uniform = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let z: Vec<f64> = (0..GROUPS).map(|_| 2.0 * uniform() - 1.0).collect();
    let (mut g, mut x, mut y) = (String::new(), String::new(), String::new());
    for i in 0..N {
        let grp = i % GROUPS;
        let xi = 2.0 * uniform() - 1.0;
        let eta = -0.5 + 0.8 * xi + z[grp];
        let yi = u8::from(uniform() < 1.0 / (1.0 + (-eta).exp()));
        let sep = if i == 0 { "" } else { "," };
        let _ = write!(g, "{sep}{}", grp + 1);
        let _ = write!(x, "{sep}{xi}");
        let _ = write!(y, "{sep}{yi}");
    }
    let z: Vec<String> = z.iter().map(f64::to_string).collect();
    format!(r#"{{"g": [{g}], "x": [{x}], "z": [{}], "y": [{y}]}}"#, z.join(","))
}

fn without_timing(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().filter(|l| !l.contains("Elapsed") && !l.contains("seconds")).collect::<Vec<_>>().join("\n")
}

#[test]
fn same_seed_same_draws_on_one_two_and_three_threads_per_chain() {
    let dir = common::scratch("threads-per-chain");
    std::fs::write(dir.join("model.hbm"), MODEL).expect("model written");
    std::fs::write(dir.join("data.json"), data()).expect("data written");

    // The loop is chunked (otherwise the comparison below proves nothing).
    let out = hbmc(&dir, &["check", "model.hbm", "--data", "data.json", "--emit", "ir"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ir = String::from_utf8_lossy(&out.stdout);
    assert!(ir.contains("run_chunks gradient_chunk0"), "the likelihood loop of {N} observations is not chunked");

    let common = ["run", "model.hbm", "--data", "data.json", "--chains", "2", "--threads", "1", "--warmup", "15", "--draws", "10", "--max-depth", "4", "--seed", "7", "--quiet"];
    for threads in ["1", "2", "3"] {
        let prefix = format!("t{threads}/fit");
        let mut args = common.to_vec();
        args.extend(["--threads-per-chain", threads, "--output", &prefix]);
        let out = hbmc(&dir, &args);
        assert!(out.status.success(), "--threads-per-chain {threads}: {}", String::from_utf8_lossy(&out.stderr));
    }
    for chain in 1..=2 {
        let one = without_timing(&dir.join(format!("t1/fit_{chain}.csv")));
        assert!(one.lines().filter(|l| !l.starts_with('#')).count() > 10, "chain {chain} has its draws");
        for threads in ["2", "3"] {
            let other = without_timing(&dir.join(format!("t{threads}/fit_{chain}.csv")));
            assert!(one == other, "chain {chain}: draws on {threads} threads per chain differ from one thread's");
        }
    }

    // `hbmc bench` compares one gradient on 1 and 2 threads bitwise.
    let out = hbmc(&dir, &["bench", "model.hbm", "--data", "data.json", "--threads-per-chain", "2", "--batches", "3"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("bitwise equal to one thread's"), "{text}");
    assert!(text.contains("the speed of one thread"), "{text}");
}

#[test]
fn zero_threads_per_chain_is_a_usage_error() {
    let dir = common::scratch("threads-per-chain-zero");
    std::fs::write(dir.join("model.hbm"), MODEL).expect("model written");
    let out = hbmc(&dir, &["run", "model.hbm", "--threads-per-chain", "0"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--threads-per-chain must be at least 1"), "{err}");
}
