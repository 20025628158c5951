//! Declared constraints of transformed data, transformed parameters and
//! generated quantities are checked at the end of their block, as Stan
//! does: a bound on a transformed parameter truncates the posterior, a
//! transformed parameter that is not of its type rejects every proposal,
//! transformed data out of bounds refuse the data, and a generated
//! quantity that breaks its constraint makes that draw's outputs NaN.
use crate::common;
use common::hbmc;

fn write_model(dir: &std::path::Path, source: &str) -> String {
    let path = dir.join("model.stan");
    std::fs::write(&path, source).expect("scratch model");
    path.display().to_string()
}

fn column(dir: &std::path::Path, chain: usize, name: &str) -> Vec<f64> {
    let csv = hbmc_runtime::read_cmdstan_csv(dir.join(format!("fit_{chain}.csv"))).expect("chain read back");
    csv.draws[csv.column_index(name).expect(name)].clone()
}

/// `real<lower=0> t = x` with `x ~ normal(0, 1)`: Stan rejects every
/// proposal with x < 0, so x is half-normal (mean √(2/π) = 0.798, sd
/// √(1 - 2/π) = 0.603). Without the check x would be a standard normal.
#[test]
fn a_bound_on_a_transformed_parameter_truncates_the_posterior() {
    let dir = common::scratch("declared-tp-bound");
    let model = write_model(
        &dir,
        "parameters { real x; }\ntransformed parameters { real<lower=0> t = x; }\nmodel { x ~ normal(0, 1); }\n",
    );
    let out = hbmc(&dir, &["run", &model, "--chains", "2", "--warmup", "500", "--draws", "1000", "--seed", "3", "--quiet", "--output", "fit"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let x: Vec<f64> = (1..=2).flat_map(|c| column(&dir, c, "x")).collect();
    assert!(x.iter().all(|v| *v >= 0.0), "a draw below the transformed parameter's bound");
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let (m, s) = ((2.0 / std::f64::consts::PI).sqrt(), (1.0 - 2.0 / std::f64::consts::PI).sqrt());
    // The rejections at x < 0 make about half the transitions divergent and
    // the step size small (about 0.06), so the effective sample size is a
    // few hundred, not the 2000 draws: the tolerances are 4 Monte Carlo
    // errors at the run's own bulk ESS (the summary's `x` row).
    let row: Vec<&str> = stdout.lines().find(|l| l.starts_with("x ")).unwrap_or_else(|| panic!("no row of x:\n{stdout}")).split_whitespace().collect();
    let ess: f64 = row[7].replace(',', "").parse().unwrap_or_else(|_| panic!("ESS_bulk of `{}`", row.join(" ")));
    assert!(ess > 100.0, "ESS {ess}: the run mixes too little to test the truncation");
    assert!((mean - m).abs() < 4.0 * s / ess.sqrt(), "mean {mean}, half-normal {m} (ESS {ess})");
    // The sd's relative error is sqrt((kurtosis - 1) / (4 ESS)); the
    // half-normal's kurtosis is 3.87.
    assert!((sd / s - 1.0).abs() < 4.0 * (2.87 / (4.0 * ess)).sqrt(), "sd {sd}, half-normal {s} (ESS {ess})");
}

/// A transformed parameter declared `simplex` that is not one rejects every
/// proposal; the failure names it and what a simplex is.
#[test]
fn a_transformed_parameter_not_of_its_type_rejects() {
    let dir = common::scratch("declared-tp-simplex");
    let model = write_model(
        &dir,
        "parameters { simplex[3] s; }\ntransformed parameters { simplex[3] twice = 2 * s; }\nmodel { }\n",
    );
    let out = hbmc(&dir, &["run", &model, "--chains", "1", "--warmup", "20", "--draws", "20", "--seed", "3", "--quiet", "--output", "fit"]);
    assert!(!out.status.success(), "a transformed parameter that is never a simplex sampled");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("transformed parameter `twice` is not a valid simplex: a simplex has non-negative elements that sum to 1"),
        "{err}"
    );
}

/// Transformed data out of their bounds are refused before sampling.
#[test]
fn transformed_data_out_of_bounds_are_refused() {
    let dir = common::scratch("declared-td-bound");
    let model = write_model(
        &dir,
        "transformed data { array[2] int<lower=0, upper=5> k = {3, 7}; }\nparameters { real x; }\nmodel { x ~ normal(0, 1); }\n",
    );
    let out = hbmc(&dir, &["run", &model, "--chains", "1", "--seed", "3", "--quiet", "--output", "fit"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("an element of transformed data `k` is 7, but must be less than or equal to 5"), "{err}");
}

/// A generated quantity that breaks its bound makes that draw's outputs
/// NaN (as a `reject` there, and as Stan's failed `write_array`), and only
/// that draw's: `g = x` with `x ~ normal(0, 1)` fails about half the time.
#[test]
fn a_generated_quantity_out_of_bounds_makes_its_draw_nan() {
    let dir = common::scratch("declared-gq-bound");
    let model = write_model(
        &dir,
        "parameters { real x; }\nmodel { x ~ normal(0, 1); }\ngenerated quantities { real<lower=0> g = x; }\n",
    );
    let out = hbmc(&dir, &["run", &model, "--chains", "1", "--warmup", "300", "--draws", "600", "--seed", "3", "--quiet", "--output", "fit"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let g = column(&dir, 1, "g");
    let failed = g.iter().filter(|v| v.is_nan()).count() as f64 / g.len() as f64;
    assert!((0.35..0.65).contains(&failed), "{failed} of the draws failed the bound");
    assert!(g.iter().filter(|v| !v.is_nan()).all(|v| *v >= 0.0));
}
