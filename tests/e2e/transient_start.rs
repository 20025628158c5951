//! A start far in the tails: an ARMA(1, 1) whose random start has an
//! explosive coefficient (`|theta| > 1` makes the errors grow like
//! `theta^T`, the log density about -1e40 and its gradient larger still).
//! Stan's adaptation leaves such a start; the gradient-based ones (the
//! default low-rank, and nutpie's) used to stay there, their metric
//! estimated from the enormous gradients of the fall (posteriordb's arma11
//! with its real data: R-hat 1.5, `lp__` near -1e76 in a chain). Through
//! the binary, with data simulated here.

use crate::common;
use common::{hbmc, scratch};

const ARMA11: &str = "
data {
  int<lower=1> T;
  array[T] real y;
}
parameters {
  real mu;
  real phi;
  real theta;
  real<lower=0> sigma;
}
model {
  vector[T] nu;
  vector[T] err;
  mu ~ normal(0, 10);
  phi ~ normal(0, 2);
  theta ~ normal(0, 2);
  sigma ~ cauchy(0, 2.5);
  nu[1] = mu + phi * mu;
  err[1] = y[1] - nu[1];
  for (t in 2:T) {
    nu[t] = mu + phi * y[t - 1] + theta * err[t - 1];
    err[t] = y[t] - nu[t];
  }
  err ~ normal(0, sigma);
}
";

/// `T` draws of an ARMA(1, 1) with mean 0.5, `phi` 0.6, `theta` 0.3 and
/// noise sd 0.2, from a fixed generator (xorshift and Box-Muller).
fn arma_data(t: usize) -> String {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut uniform = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let mut normal = || (-2.0 * uniform().ln()).sqrt() * (2.0 * std::f64::consts::PI * uniform()).cos();
    let (mu, phi, theta, sigma) = (0.5, 0.6, 0.3, 0.2);
    let mut y = Vec::with_capacity(t);
    let (mut prev_y, mut prev_err) = (mu, 0.0);
    for _ in 0..t {
        let err = sigma * normal();
        let v = mu + phi * (prev_y - mu) + theta * prev_err + err;
        y.push(format!("{v:.6}"));
        prev_y = v;
        prev_err = err;
    }
    format!("{{\"T\": {t}, \"y\": [{}]}}", y.join(", "))
}

#[test]
fn the_default_adaptation_leaves_an_explosive_start() {
    let dir = scratch("transient-start");
    std::fs::write(dir.join("arma11.stan"), ARMA11).expect("model written");
    std::fs::write(dir.join("arma11.json"), arma_data(200)).expect("data written");
    for (seed, adapt) in [("1", "low-rank"), ("3", "low-rank"), ("1", "nutpie")] {
        let out = hbmc(
            &dir,
            &["run", "arma11.stan", "--data", "arma11.json", "--seed", seed, "--adapt", adapt, "--warmup", "1000", "--draws", "500", "--quiet", "--output", "fit", "--overwrite"],
        );
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "{stdout}\n{stderr}");
        // Every chain reaches the posterior: no chain left far below the
        // others, and the chains agree.
        assert!(!stderr.contains("energies lie far above"), "seed {seed}, {adapt}: {stderr}");
        let worst = stdout.lines().find(|l| l.starts_with("Worst of all")).unwrap_or_else(|| panic!("no worst line:\n{stdout}"));
        let rhat: f64 = worst
            .split("R-hat ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|r| r.replace(',', "").parse().ok())
            .unwrap_or_else(|| panic!("no R-hat in `{worst}`"));
        assert!(rhat < 1.05, "seed {seed}, {adapt}: {worst}");
    }
}
