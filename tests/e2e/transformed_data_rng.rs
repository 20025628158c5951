//! `_rng` functions in `transformed data` (Stan allows them there: a
//! program simulating its own data): drawn once per binding from the
//! run's seed, the same values in every chain, in both engines, and again
//! the same with the same seed; a size computed from such a draw sizes the
//! program with the values the block then computes.

use crate::common;

use hbmc::model::{Engine, Model};

const PROGRAM: &str = r#"
transformed data {
  real x = normal_rng(0, 1);
  int K = 2 + poisson_rng(3);
  array[K] int k;
  for (i in 1:K) k[i] = poisson_rng(4);
}
parameters { real mu; }
model { mu ~ normal(x, 1); }
generated quantities { real x_out = x; int k_sum = sum(k); int k_len = K; }
"#;

/// `x_out`, `k_sum` and `k_len` of every draw of a 2-chain run with `seed`.
fn run(seed: u64) -> Vec<[f64; 3]> {
    let dir = common::scratch(&format!("td-rng-{seed}"));
    std::fs::write(dir.join("td.stan"), PROGRAM).expect("writes");
    std::fs::write(dir.join("empty.json"), "{}").expect("writes");
    let seed = seed.to_string();
    let args = ["run", "td.stan", "--data", "empty.json", "--chains", "2", "--warmup", "100", "--draws", "50", "--seed", &seed, "--quiet", "--output", "fit"];
    let out = common::hbmc(&dir, &args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut rows = Vec::new();
    for c in 1..=2 {
        let csv = hbmc_runtime::read_cmdstan_csv(dir.join(format!("fit_{c}.csv"))).expect("chain read back");
        let col = |name: &str| csv.draws[csv.column_index(name).unwrap_or_else(|| panic!("no column {name}"))].clone();
        let (x, s, n) = (col("x_out"), col("k_sum"), col("k_len"));
        rows.extend((0..x.len()).map(|i| [x[i], s[i], n[i]]));
    }
    rows
}

#[test]
fn transformed_data_draws_come_from_the_runs_seed() {
    let a = run(11);
    assert_eq!(a.len(), 100);
    assert!(a.iter().all(|r| r == &a[0]), "every draw of both chains sees the same transformed data: {:?} vs {:?}", a[0], a.iter().find(|r| *r != &a[0]));
    let [x, k_sum, k_len] = a[0];
    assert!(x.is_finite() && k_sum >= 0.0 && k_len >= 2.0, "{:?}", a[0]);
    assert_eq!(run(11)[0], a[0], "the same seed draws the same transformed data");
    let others: Vec<[f64; 3]> = (12..16).map(|s| run(s)[0]).collect();
    assert!(others.iter().all(|r| r[0] != x), "other seeds draw other values of x: {x} and {others:?}");
}

#[test]
fn both_engines_draw_the_same_transformed_data() {
    let model = Model { transformed_data_seed: 7, ..Model::compile("td", PROGRAM).expect("checks") };
    let sources = [hbmc::bind::read_source("empty.json", "{}").expect("reads")];
    let gq = |engine: Engine| {
        let bound = model.bind(&sources, engine).unwrap_or_else(|e| panic!("{engine:?} binds: {e:?}"));
        let mut eval = bound.evaluator();
        let mut out = Vec::new();
        eval.write_draw(&[0.25], &mut hbmc_stdlib::ChainRng::new(1, 0), &mut out).expect("draw written");
        out
    };
    let (jit, interp) = (gq(Engine::Jit), gq(Engine::Interpreter));
    assert_eq!(jit, interp, "JIT and interpreter see the same transformed data");
    // mu, x_out, k_sum, k_len: x_out is a standard normal draw.
    assert_eq!(jit.len(), 4, "{jit:?}");
    assert!(jit[1] != 0.0 && jit[1].abs() < 8.0, "{jit:?}");
}

#[test]
fn predict_sees_the_fits_transformed_data() {
    let dir = common::scratch("td-rng-predict");
    std::fs::write(dir.join("td.stan"), PROGRAM).expect("writes");
    std::fs::write(dir.join("empty.json"), "{}").expect("writes");
    let fit = common::hbmc(&dir, &["run", "td.stan", "--data", "empty.json", "--chains", "1", "--warmup", "100", "--draws", "20", "--seed", "9", "--quiet", "--output", "fit"]);
    assert!(fit.status.success(), "{}", String::from_utf8_lossy(&fit.stderr));
    let pred = common::hbmc(&dir, &["predict", "td.stan", "--fit", "fit", "--data", "empty.json", "--seed", "3", "--output", "pred"]);
    assert!(pred.status.success(), "{}", String::from_utf8_lossy(&pred.stderr));
    let x = |file: &str| {
        let csv = hbmc_runtime::read_cmdstan_csv(dir.join(file)).expect("read back");
        csv.draws[csv.column_index("x_out").expect("x_out")].clone()
    };
    let (fitted, predicted) = (x("fit_1.csv"), x("pred_1.csv"));
    assert_eq!(predicted.len(), 20);
    assert!(predicted.iter().all(|v| *v == fitted[0]), "predict's x {predicted:?} against the fit's {}", fitted[0]);
}
