//! MODELS.md 3 through `hbmc predict`: the counterfactual average treatment
//! effect of the Electric Company fit on a prediction grid (pre_test over
//! its range x every classroom's pair and grade x T in {0, 1}) agrees, draw
//! for draw, with the `ate_cf` the model computes in generated quantities
//! and with theta; and new data whose pairs differ from the fit's is
//! refused rather than matched to the wrong intercepts.

mod common;
use common::{fit_to, hbmc, root};
use hbmc_runtime::read_cmdstan_csv;
use std::path::Path;

/// The Electric Company rows: (post_test, pre_test, grade, treatment, pair_id).
fn electric_rows() -> Vec<(f64, f64, String, String, String)> {
    let text = std::fs::read_to_string(root().join("examples/data/electric.csv")).expect("electric.csv");
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().expect("header").split(',').map(|h| h.trim_matches('"').to_string()).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let (post, pre, grade, t, pair) = (col("post_test"), col("pre_test"), col("grade"), col("treatment"), col("pair_id"));
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let num = |i: usize| f[i].parse::<f64>().expect("number");
            (num(post), num(pre), f[grade].to_string(), f[t].to_string(), f[pair].to_string())
        })
        .collect()
}

/// Writes a grid: for every classroom (in the data's order, so that the
/// dims' members come in the fit's order) and each of five pre_test values
/// spanning the data's range, one row with treatment `t`.
fn write_grid(path: &Path, t: u8, rows: &[(f64, f64, String, String, String)]) -> Vec<String> {
    let (lo, hi) = rows.iter().fold((f64::MAX, f64::MIN), |(lo, hi), r| (lo.min(r.1), hi.max(r.1)));
    let mut csv = String::from("post_test,pre_test,grade,treatment,pair_id\n");
    let mut grades = Vec::new();
    for (post, _, grade, _, pair) in rows {
        for k in 0..5 {
            let pre = lo + (hi - lo) * k as f64 / 4.0;
            csv.push_str(&format!("{post},{pre},{grade},{t},{pair}\n"));
            grades.push(grade.clone());
        }
    }
    std::fs::write(path, csv).expect("grid");
    grades
}

#[test]
fn predicted_ate_on_a_grid_equals_the_models_own() {
    let dir = std::env::temp_dir().join(format!("hbmc-electric-predict-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    let fit_prefix = dir.join("fit");
    let fit = fit_to("electric_intercept", &["examples/data/electric.csv"], &["--adapt-delta", "0.9"], 3, &fit_prefix);
    assert_eq!(fit.divergences, 0.0);

    let rows = electric_rows();
    let n = rows.len() as f64;
    let post_mean = rows.iter().map(|r| r.0).sum::<f64>() / n;
    let post_sd = (rows.iter().map(|r| (r.0 - post_mean).powi(2)).sum::<f64>() / n).sqrt();
    let mut preds = Vec::new();
    let mut grades = Vec::new();
    for t in [1u8, 0] {
        let grid = dir.join(format!("grid_T{t}.csv"));
        grades = write_grid(&grid, t, &rows);
        let out_prefix = dir.join(format!("pred_T{t}"));
        // The same seed for both: the y_rep of T = 1 and T = 0 share their
        // noise (common random numbers), so their difference is the
        // difference of the means exactly.
        let out = hbmc(
            &root(),
            &["predict", "examples/electric_intercept.hbm", "--fit", &fit_prefix.display().to_string(), "--data", &grid.display().to_string()]
                .into_iter()
                .chain(["--seed", "9", "--output", &out_prefix.display().to_string()])
                .collect::<Vec<_>>(),
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let chains: Vec<_> = (1..=4).map(|c| read_cmdstan_csv(dir.join(format!("pred_T{t}_{c}.csv"))).expect("predictions")).collect();
        preds.push(chains);
    }
    let fit_chains: Vec<_> = (1..=4).map(|c| read_cmdstan_csv(dir.join(format!("fit_{c}.csv"))).expect("fit")).collect();
    let mut compared = 0;
    for (c, fit_chain) in fit_chains.iter().enumerate() {
        let (p1, p0) = (&preds[0][c], &preds[1][c]);
        for g in 1..=4 {
            let cf = fit_chain.column_index(&format!("ate_cf.{g}")).expect("ate_cf");
            let theta = fit_chain.column_index(&format!("theta.{g}")).expect("theta");
            let rows_in: Vec<usize> = (0..grades.len()).filter(|&i| grades[i] == g.to_string()).collect();
            assert!(!rows_in.is_empty());
            let cols: Vec<(usize, usize)> = rows_in
                .iter()
                .map(|i| {
                    let name = format!("y_rep.{}", i + 1);
                    (p1.column_index(&name).expect("y_rep"), p0.column_index(&name).expect("y_rep"))
                })
                .collect();
            for d in 0..fit_chain.num_draws() {
                let diff: f64 = cols.iter().map(|&(a, b)| p1.draws[a][d] - p0.draws[b][d]).sum::<f64>() / cols.len() as f64;
                let predicted = diff * post_sd;
                let own = fit_chain.draws[cf][d];
                let from_theta = fit_chain.draws[theta][d] * post_sd;
                assert!((predicted - own).abs() < 1e-8 * (1.0 + own.abs()), "chain {c} draw {d} grade {g}: grid ATE {predicted}, ate_cf {own}");
                assert!((own - from_theta).abs() < 1e-8 * (1.0 + own.abs()), "chain {c} draw {d} grade {g}: ate_cf {own}, theta * sd {from_theta}");
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 4 * 4 * 500);

    // New data without the first pair: its pairs no longer line up with
    // the fit's intercepts by position, so it is refused, naming the dim.
    let first_pair = rows[0].4.clone();
    let fewer: Vec<_> = rows.iter().filter(|r| r.4 != first_pair).cloned().collect();
    let grid = dir.join("grid_fewer_pairs.csv");
    write_grid(&grid, 1, &fewer);
    let out = hbmc(
        &root(),
        &["predict", "examples/electric_intercept.hbm", "--fit", &fit_prefix.display().to_string(), "--data", &grid.display().to_string(), "--output"]
            .into_iter()
            .chain([dir.join("bad").display().to_string().as_str()])
            .collect::<Vec<_>>(),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("dim `pair` of the new data does not match the fit's"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
