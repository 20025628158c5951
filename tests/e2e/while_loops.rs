//! Gradients through `while` loops and `break`/`continue` whose values
//! depend on parameters (issue 13): each loop program of
//! `tests/stan_corpus/` has the log density and gradient of a program
//! computing the same thing in closed form (the series of exp(x) and
//! exp(x), Newton's iteration and Cardano's formula, a truncated series
//! and the library's I0, loops with `break`/`continue` and the same sums
//! without them), and a simulated truth is recovered through Newton's
//! iteration. (The corpus oracles, JIT = interpreter and gradient =
//! finite differences, run every one of them too.)

use crate::common;
use common::{corpus, hbmc};

#[test]
fn the_series_of_exp_in_a_while_loop_is_exp_and_so_is_its_gradient() {
    corpus::assert_same_density("while_series_exp.stan", "while_series_exp_closed.stan", "while_series.json", 13, 1e-12);
}

#[test]
fn newtons_iteration_in_a_while_loop_has_the_gradient_of_cardanos_root() {
    corpus::assert_same_density("while_newton.stan", "while_newton_closed.stan", "while_newton.json", 13, 1e-9);
}

#[test]
fn loops_left_by_break_have_the_gradients_of_their_closed_forms() {
    corpus::assert_same_density("loop_break.stan", "loop_break_closed.stan", "loop_break.json", 13, 1e-9);
}

#[test]
fn loops_with_continue_have_the_gradients_of_the_same_sums_without_it() {
    corpus::assert_same_density("loop_continue.stan", "loop_continue_closed.stan", "loop_continue.json", 13, 1e-12);
}

/// while_newton.json: 40 draws of normal(z, 0.3) with z = 2, the root of
/// z^3 + z = a at a = 10 (so the truth is a = 10, sigma = 0.3). The fit,
/// whose every gradient goes through Newton's iteration, recovers both
/// within 4 posterior standard deviations of the posterior mean, with no
/// divergences.
#[test]
fn a_fit_through_newtons_iteration_recovers_the_simulated_truth() {
    let dir = common::scratch("while-newton-fit");
    let (model, data) = (corpus::path("while_newton.stan"), corpus::path("while_newton.json"));
    let out = hbmc(
        &dir,
        &["run", &model.display().to_string(), "--data", &data.display().to_string(), "--chains", "2", "--warmup", "400",
          "--draws", "400", "--seed", "11", "--quiet", "--output", "fit"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("divergen"), "{stderr}");
    let draws = |name: &str| -> Vec<f64> {
        (1..=2)
            .flat_map(|c| {
                let csv = hbmc_runtime::read_cmdstan_csv(dir.join(format!("fit_{c}.csv"))).expect("chain read back");
                let j = csv.column_index(name).unwrap_or_else(|| panic!("no column {name}"));
                csv.draws[j].clone()
            })
            .collect()
    };
    for (name, truth) in [("a", 10.0), ("sigma", 0.3), ("z", 2.0)] {
        let x = draws(name);
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        assert!((mean - truth).abs() <= 4.0 * sd, "{name}: posterior mean {mean} (sd {sd}) vs truth {truth}");
    }
    // z is Newton's root of the drawn a in every draw.
    for (a, z) in draws("a").iter().zip(draws("z")) {
        assert!((z * z * z + z - a).abs() <= 1e-9 * a.abs().max(1.0), "z = {z} does not solve z^3 + z = {a}");
    }
}
