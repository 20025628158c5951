//! `hbmc loo` end to end through the binary, on small CmdStan CSV fits
//! written here: the per-fit estimates and Pareto k table, the comparison
//! ranked as ArviZ ranks it, and the errors (missing files, no `log_lik`,
//! different observations). The expected numbers are ArviZ 0.23.4's
//! `az.loo(..., reff=1.0)` and `az.compare(..., method="pseudo-BMA")` on
//! these files.

use crate::common;
use common::hbmc;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

const Y: [f64; 8] = [2.1, 1.4, 3.0, 2.2, 1.7, 2.8, 2.5, 9.0];
const SAMPLER: &str = "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__";

fn scratch(name: &str) -> PathBuf {
    common::scratch(&format!("loo-{name}"))
}

fn normal_lpdf(y: f64, mu: f64, sigma: f64) -> f64 {
    let z = (y - mu) / sigma;
    -0.5 * (2.0 * std::f64::consts::PI).ln() - sigma.ln() - 0.5 * z * z
}

/// Fractional part of `0.5 + k a`: a low-discrepancy sequence standing in
/// for posterior draws (reproducible with no random number generator).
fn frac(k: usize, a: f64) -> f64 {
    (0.5 + k as f64 * a) % 1.0
}

/// Writes `PREFIX_1.csv`, `PREFIX_2.csv` (200 draws each) of a normal model
/// of `y` with draws `mu(u1)`, `sigma(u2)`, and with `log_lik` columns when
/// `with_log_lik`.
fn write_fit(dir: &Path, prefix: &str, y: &[f64], params: fn(f64, f64) -> (f64, f64), with_log_lik: bool) {
    for chain in 0..2 {
        let mut csv = String::from("# model = test\n# method = sample (Default)\n");
        csv.push_str(SAMPLER);
        csv.push_str(",mu,sigma");
        if with_log_lik {
            for i in 1..=y.len() {
                let _ = write!(csv, ",log_lik.{i}");
            }
        }
        csv.push('\n');
        for s in 0..200 {
            let k = chain * 200 + s;
            let (mu, sigma) = params(frac(k, 0.618_033_988_749_894_9), frac(k, 0.754_877_666_246_692_7));
            let _ = write!(csv, "-10,0.9,0.5,2,3,0,11,{mu},{sigma}");
            if with_log_lik {
                for &yi in y {
                    let _ = write!(csv, ",{}", normal_lpdf(yi, mu, sigma));
                }
            }
            csv.push('\n');
        }
        std::fs::write(dir.join(format!("{prefix}_{}.csv", chain + 1)), csv).expect("csv written");
    }
}

/// Mean near the data, spread out.
fn located(u1: f64, u2: f64) -> (f64, f64) {
    (2.4 + 1.6 * (u1 - 0.5), 2.5 * (0.5 * (u2 - 0.5)).exp())
}

/// Mean fixed at 0, so a wider sigma.
fn at_zero(_u1: f64, u2: f64) -> (f64, f64) {
    (0.0, 3.6 * (0.4 * (u2 - 0.5)).exp())
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn two_fits_estimates_k_table_and_comparison() {
    let dir = scratch("compare");
    std::fs::create_dir_all(dir.join("fits")).unwrap();
    write_fit(&dir.join("fits"), "zero", &Y, at_zero, true);
    write_fit(&dir.join("fits"), "located", &Y, located, true);
    // The worse fit first on the command line: the table must rank it second.
    let out = hbmc(&dir, &["loo", "fits/zero", "fits/located"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", stderr(&out));
    // ArviZ: located elpd_loo -19.3237 (se 3.9507, p_loo 1.1756), zero
    // -22.5024 (se 3.0060, p_loo 0.4134); good_k = 1 - 1/log10(400) = 0.62;
    // every k below 0.23.
    assert!(text.contains("fits/located:\nComputed from 400 draws and 8 observations."), "{text}");
    assert!(text.contains("elpd_loo    -19.32     3.95\np_loo         1.18        -"), "{text}");
    assert!(text.contains("elpd_loo    -22.50     3.01\np_loo         0.41        -"), "{text}");
    assert!(text.contains("  (-Inf, 0.62]  (good)          8  100.0%"), "{text}");
    // Comparison: elpd_diff 3.1787, dse 0.9968, pseudo-BMA weights 0.9600 and 0.0400.
    let table: Vec<&str> = text.lines().skip_while(|l| !l.starts_with("Model comparison")).skip(1).collect();
    assert_eq!(
        table,
        [
            "              rank  elpd_loo  p_loo  elpd_diff  weight    se   dse  warning  high_k",
            "fits/located     0    -19.32   1.18       0.00   0.960  3.95  0.00    False       0",
            "fits/zero        1    -22.50   0.41       3.18   0.040  3.01  1.00    False       0",
        ],
        "{text}"
    );
    // The same fits given as explicit file lists.
    let out = hbmc(&dir, &["loo", "--files", "fits/located_1.csv,fits/located_2.csv", "fits/zero"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("fits/located     0    -19.32"), "{}", stdout(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn high_k_observations_are_named() {
    let dir = scratch("highk");
    // A narrow fit far from the outlier at 9: its importance ratios have a
    // heavy tail (ArviZ: k = 1.5927 for it, below 0 for the others).
    write_fit(&dir, "narrow", &Y, |u1, u2| (2.2 + 0.4 * (u1 - 0.5), 0.7 * (0.3 * (u2 - 0.5)).exp()), true);
    let out = hbmc(&dir, &["loo", "narrow"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("warning: `narrow`: Pareto k above 0.62 for 1 of 8 observations: log_lik.8 (k = 1.59)."), "{err}");
    assert!(stdout(&out).contains("(1, Inf)  (very bad)      1   12.5%"), "{}", stdout(&out));
    assert!(!stdout(&out).contains("Model comparison"), "one fit, no comparison");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn errors_and_exit_codes() {
    let dir = scratch("errors");
    write_fit(&dir, "plain", &Y, located, false);
    write_fit(&dir, "full", &Y, located, true);
    write_fit(&dir, "short", &Y[..7], located, true);

    let out = hbmc(&dir, &["loo", "missing"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no files `missing_<n>.csv`"), "{}", stderr(&out));

    let out = hbmc(&dir, &["loo"]);
    assert_eq!(out.status.code(), Some(2));

    let out = hbmc(&dir, &["loo", "full", "plain", "--files", "full_1.csv,full_2.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("the fit `full` is named twice"), "{}", stderr(&out));

    let out = hbmc(&dir, &["loo", "full_1.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("name the fit by its prefix `full`"), "{}", stderr(&out));

    let out = hbmc(&dir, &["loo", "full", "plain"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "fit `plain`: no `log_lik` columns in the draws: add `vector[obs] log_lik` (or `array[obs] real log_lik`) \
             to generated quantities"
        ),
        "{}",
        stderr(&out)
    );

    let out = hbmc(&dir, &["loo", "full", "short"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("`full` has 8, `short` has 7"), "{}", stderr(&out));

    let out = hbmc(&dir, &["loo", "full", "--r-eff", "0"]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
