//! Stan's hidden Markov model functions end to end: `hmm_marginal` against
//! the forward algorithm written in plain Stan, `hmm_hidden_state_prob`
//! and `hmm_latent_rng` against the enumeration of every state path, and
//! a simulated HMM fitted back.

use crate::common;
use common::corpus;
use common::hbmc;

/// hmm_gaussian_marginal.stan (hmm_marginal) and hmm_gaussian_forward.stan
/// (the forward algorithm by hand, with log_sum_exp and carried values)
/// have the same parameters, so the same unconstrained point: their log
/// densities and gradients agree at 20 random points, in both engines.
#[test]
fn hmm_marginal_equals_the_forward_algorithm_in_plain_stan() {
    corpus::assert_same_density("hmm_gaussian_marginal.stan", "hmm_gaussian_forward.stan", "timeseries.json", 3, 1e-9);
}

/// P(x_n = k | y) of hmm_posteriors.stan's 3-state, 4-step HMM, by
/// enumerating its 81 state paths in mpmath (40 digits;
/// `hmm_state_prob` of tests/stan_corpus/library_values.py), row k.
const STATE_PROB: [[f64; 4]; 3] = [
    [0.40942252521308688, 0.48612648763953312, 0.15135749657844144, 0.33591281446606221],
    [0.52046473533081836, 0.25643191712397665, 0.70145279238583036, 0.62209756680271833],
    [0.070112739456094768, 0.25744159523649023, 0.1471897110357282, 0.041989618731219459],
];

/// Through the binary (no parameters: each draw runs the generated
/// quantities): `hmm_hidden_state_prob` is the enumerated posterior in
/// every draw, each column (the distribution of one step's state) sums to
/// 1, and over 4000 `hmm_latent_rng` draws each state's frequency at each
/// step is within 5 binomial standard deviations sqrt(p (1 - p) / 4000) of
/// its posterior probability (the draws are independent, so a count is
/// binomial; 5 sd bound a false alarm below 6e-7 per cell, 7e-6 over the
/// 12 cells, and the seed is fixed).
#[test]
fn hidden_state_probabilities_and_latent_draws_match_the_enumeration() {
    let dir = common::scratch("hmm-posteriors");
    let model = corpus::path("hmm_posteriors.stan").display().to_string();
    let m = 4000;
    let out = hbmc(&dir, &["run", &model, "--chains", "1", "--draws", &m.to_string(), "--seed", "9", "--quiet", "--output", "fit"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = hbmc_runtime::read_cmdstan_csv(dir.join("fit_1.csv")).expect("read back");
    let col = |name: &str| csv.draws[csv.column_index(name).unwrap_or_else(|| panic!("no column {name}"))].clone();
    for n in 1..=4 {
        let mut column_sum = 0.0;
        for k in 1..=3 {
            let want = STATE_PROB[k - 1][n - 1];
            let prob = col(&format!("prob.{k}.{n}"));
            assert!(prob.iter().all(|p| (p - want).abs() < 1e-14), "prob[{k}, {n}] {:?} vs {want}", &prob[..3]);
            column_sum += prob[0];
        }
        assert!((column_sum - 1.0).abs() < 1e-14, "column {n} sums to {column_sum}");
        let z = col(&format!("z.{n}"));
        for k in 1..=3 {
            let want = STATE_PROB[k - 1][n - 1];
            let freq = z.iter().filter(|s| **s == k as f64).count() as f64 / m as f64;
            let sd = (want * (1.0 - want) / m as f64).sqrt();
            assert!((freq - want).abs() <= 5.0 * sd, "z[{n}] = {k}: frequency {freq} vs {want} (sd {sd})");
        }
        assert!(z.iter().all(|s| [1.0, 2.0, 3.0].contains(s)));
    }
}

/// hmm_fit.json was simulated by make_hmm.py: 200 steps of a 2-state
/// Gaussian HMM with mu = (-1, 2), sigma = 0.8, Gamma = [[0.9, 0.1],
/// [0.15, 0.85]]. The fit recovers them (each truth within 4 posterior
/// standard deviations of its posterior mean), and the states' posteriors
/// and latent draws find the simulated states: with the means 3.75 sd
/// apart, the average posterior probability of the true state, and the
/// share of drawn states equal to it, exceed 0.9.
#[test]
fn a_simulated_hmm_is_recovered() {
    let dir = common::scratch("hmm-fit");
    let (model, data) = (corpus::path("hmm_gaussian_marginal.stan"), corpus::path("hmm_fit.json"));
    let out = hbmc(
        &dir,
        &["run", &model.display().to_string(), "--data", &data.display().to_string(), "--chains", "2", "--warmup", "300",
          "--draws", "300", "--seed", "5", "--quiet", "--output", "fit"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csvs: Vec<_> = (1..=2)
        .map(|c| hbmc_runtime::read_cmdstan_csv(dir.join(format!("fit_{c}.csv"))).expect("chain read back"))
        .collect();
    let column = |name: &str| -> Vec<f64> {
        csvs.iter().flat_map(|c| c.draws[c.column_index(name).unwrap_or_else(|| panic!("no column {name}"))].clone()).collect()
    };
    let mean_sd = |v: &[f64]| {
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        (mean, (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt())
    };
    for (name, truth) in [("mu.1", -1.0), ("mu.2", 2.0), ("sigma", 0.8), ("Gamma_rows.1.1", 0.9), ("Gamma_rows.2.2", 0.85)] {
        let (mean, sd) = mean_sd(&column(name));
        assert!((mean - truth).abs() < 4.0 * sd, "{name}: posterior mean {mean} (sd {sd}), truth {truth}");
    }
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&data).expect("data")).expect("json");
    let truth: Vec<usize> = json["z_true"].as_array().expect("z_true").iter().filter_map(|v| v.as_u64()).map(|v| v as usize).collect();
    let (mut prob_sum, mut agree) = (0.0, 0.0);
    for (n, state) in truth.iter().enumerate() {
        prob_sum += mean_sd(&column(&format!("state_prob.{state}.{}", n + 1))).0;
        let z = column(&format!("z.{}", n + 1));
        agree += z.iter().filter(|s| **s == *state as f64).count() as f64 / z.len() as f64;
    }
    let n = truth.len() as f64;
    assert!(prob_sum / n > 0.9, "average posterior probability of the true state {}", prob_sum / n);
    assert!(agree / n > 0.9, "share of drawn states equal to the true ones {}", agree / n);
}
