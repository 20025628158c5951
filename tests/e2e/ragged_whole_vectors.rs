//! Run-time-length vectors passed whole to functions (docs/language.md,
//! "Run-time lengths"): the corpus programs `ragged_choice`,
//! `ragged_random_intercepts` and `ragged_mixture` (whose log densities
//! and gradients the corpus oracles check) fitted, their generated
//! quantities compared with the library's own functions, and the lengths
//! hbmc cannot compile, or the data make wrong, refused with a message
//! naming them.

use crate::common;
use common::corpus;
use common::hbmc;
use hbmc::model::Engine;

/// The conditional logit with choice sets of 2 to 6 alternatives (each
/// set's `categorical_logit` compiled once per set size) recovers the
/// coefficients `make_ragged_whole.py` simulated with, and its log
/// likelihood by `categorical_logit_lpmf` equals the chosen utility less
/// `log_sum_exp` taken element by element, at every draw.
#[test]
fn a_choice_model_with_ragged_choice_sets_recovers_its_coefficients() {
    let fit = corpus::fit("ragged_choice.stan", "ragged_choice.json");
    fit.assert_recovers(&[("b1", 1.0), ("b2", -0.7)]);
    let diff = fit.column("ll_diff");
    assert!(diff.iter().all(|d| d.abs() < 1e-9), "{diff:?}");
    // A probability of the most likely alternative of a set of 2 to 6.
    let p = fit.column("p_max.1");
    assert!(p.iter().all(|&p| (1.0 / 6.0..=1.0).contains(&p)), "{p:?}");
}

/// Random intercepts integrated out (`multi_normal_cholesky` of each
/// group's `segment`, its mean and covariance built from the run-time
/// length) recover mu, tau and sigma; the same likelihood through slices
/// `y[first[g]:last[g]]` (two lengths in one statement) agrees, and each
/// group's `sd` over a slice is the sample sd of its observations.
#[test]
fn random_intercepts_over_ragged_groups_recover_their_scales() {
    let fit = corpus::fit("ragged_random_intercepts.stan", "ragged_random_intercepts.json");
    fit.assert_recovers(&[("mu", 2.0), ("tau", 0.8), ("sigma", 0.4)]);
    let diff = fit.column("ll_diff");
    assert!(diff.iter().all(|d| d.abs() < 1e-9), "{diff:?}");
    let data = common::read_json(&corpus::path("ragged_random_intercepts.json").display().to_string());
    let nums = |k: &str| -> Vec<f64> { data[k].as_array().expect("array").iter().map(|v| v.as_f64().expect("number")).collect() };
    let (y, n) = (nums("y"), nums("n"));
    let mut pos = 0;
    for (g, &len) in n.iter().enumerate() {
        let group = &y[pos..pos + len as usize];
        pos += len as usize;
        let want = if group.len() == 1 { 0.0 } else { common::population_sd(group) * (group.len() as f64 / (group.len() as f64 - 1.0)).sqrt() };
        let got = fit.column(&format!("y_sd.{}", g + 1));
        assert!(got.iter().all(|s| (s - want).abs() < 1e-9), "group {}: {} vs {want}", g + 1, got[0]);
    }
}

/// Every reduction taken element by element over a `segment` of run-time
/// length (`log_sum_exp`, `max`, `min`, `prod`, `variance`, `sd`, `max` of
/// an int array) equals the library function on a local vector holding
/// the same elements, and the mixture's likelihood with `log_softmax`
/// weights (copied per number of components) equals the model's.
#[test]
fn element_by_element_reductions_equal_the_library_functions() {
    let dir = common::scratch("ragged-mixture-reductions");
    let (model, data) = (corpus::path("ragged_mixture.stan"), corpus::path("ragged_mixture.json"));
    let out = hbmc(&dir, &["run", &model.display().to_string(), "--data", &data.display().to_string(), "--chains", "1", "--warmup", "200", "--draws", "100", "--seed", "3", "--quiet", "--output", "fit"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = hbmc_runtime::read_cmdstan_csv(dir.join("fit_1.csv")).expect("read back");
    let mut checked = 0;
    for (j, name) in csv.column_names.iter().enumerate() {
        if name.starts_with("d_") || name == "ll_diff" {
            let worst = csv.draws[j].iter().fold(0.0f64, |w, d| w.max(d.abs()));
            assert!(worst < 1e-9, "{name}: {worst}");
            checked += 1;
        }
    }
    // Seven reductions of 5 groups, and the likelihood.
    assert_eq!(checked, 7 * 5 + 1);
}

/// The model and data of a test, bound for `engine` (the evaluation is
/// what is checked, not the binding).
fn bound(source: &str, data: &str, engine: Engine) -> hbmc::model::BoundModel {
    common::oracle::bind_json("ragged", source, data, engine).unwrap_or_else(|e| panic!("binds: {e}"))
}

/// A `segment` whose end is past its vector rejects the evaluation with
/// Stan's message, in a statement copied per length and in a reduction
/// taken element by element alike, in the JIT and the interpreter; with
/// the data in range the same program evaluates.
#[test]
fn a_segment_out_of_range_rejects_the_evaluation() {
    let source = "data { int N; array[2] int pos; array[2] int len; }
        parameters { vector[N] b; }
        model {
          b ~ normal(0, 1);
          for (g in 1:2) target += max(softmax(segment(b, pos[g], len[g])));
          for (g in 1:2) target += log_sum_exp(segment(b, pos[g], len[g]));
        }";
    for engine in [Engine::Jit, Engine::Interpreter] {
        let good = bound(source, r#"{"N": 5, "pos": [1, 3], "len": [2, 3]}"#, engine);
        assert!(good.evaluator().log_density(&[0.1, 0.2, 0.3, 0.4, 0.5]).is_ok());
        let bad = bound(source, r#"{"N": 5, "pos": [1, 4], "len": [2, 3]}"#, engine);
        let err = bad.evaluator().log_density(&[0.1, 0.2, 0.3, 0.4, 0.5]).expect_err("rejected");
        assert!(err.message.contains("segment: i + n - 1 is 6 but must be at most the size of the vector, 5"), "{engine:?}: {}", err.message);
        // A negative length: Stan's message, not a read before the vector.
        let negative = bound(source, r#"{"N": 5, "pos": [1, 2], "len": [2, -1]}"#, engine);
        let err = negative.evaluator().log_density(&[0.1, 0.2, 0.3, 0.4, 0.5]).expect_err("rejected");
        assert!(err.message.contains("segment: n is -1 but must be nonnegative"), "{engine:?}: {}", err.message);
    }
}

/// Reductions of an empty segment follow Stan: `max` is -inf and
/// `log_sum_exp` -inf (so the target is -inf), `variance` is an error
/// naming the function.
#[test]
fn reductions_of_an_empty_segment_follow_stan() {
    let template = "data { int N; int m; }
        parameters { vector[N] b; }
        model { b ~ normal(0, 1); for (g in 1:1) target += REDUCTION(segment(b, 1, m + g - 1)); }";
    let data = r#"{"N": 3, "m": 0}"#;
    for (reduction, want) in [("max", Some(f64::NEG_INFINITY)), ("log_sum_exp", Some(f64::NEG_INFINITY)), ("variance", None)] {
        let source = template.replace("REDUCTION", reduction);
        for engine in [Engine::Jit, Engine::Interpreter] {
            let got = bound(&source, data, engine).evaluator().log_density(&[0.1, 0.2, 0.3]);
            match want {
                Some(v) => assert_eq!(got.as_ref().ok().copied(), Some(v), "{reduction} {engine:?}: {:?}", got.err().map(|e| e.message)),
                None => {
                    let message = got.expect_err("rejected").message;
                    assert!(message.contains("variance: the vector has size 0"), "{engine:?}: {message}");
                }
            }
        }
    }
}

/// A length taking more distinct values than the copies allowed is E5001
/// naming the length, its number of values and the limit, as is one whose
/// values are not known from the data.
#[test]
fn lengths_beyond_the_copies_are_error_e5001_naming_them() {
    let dir = common::scratch("ragged-too-many-lengths");
    let model = "data { int N; array[N] int len; }\nparameters { vector[1100] b; }\nmodel {\n  b ~ normal(0, 1);\n  for (n in 1:N) target += max(softmax(segment(b, 1, len[n])));\n}\n";
    std::fs::write(dir.join("m.stan"), model).expect("model");
    let lens: Vec<String> = (1..=1100).map(|k| k.to_string()).collect();
    std::fs::write(dir.join("d.json"), format!(r#"{{"N": 1100, "len": [{}]}}"#, lens.join(", "))).expect("data");
    let out = hbmc(&dir, &["gradcheck", "m.stan", "--data", "d.json"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("E5001") && err.contains("`len[n]`") && err.contains("takes 1100 distinct values") && err.contains("1024 copies"), "{err}");
    // 40 lengths of 40 distinct values compile (E5001 on 7aac5c9, whose
    // limit was 32).
    let model = model.replace("1100", "40");
    std::fs::write(dir.join("m.stan"), model).expect("model");
    let forty: Vec<String> = (1..=40).map(|k| k.to_string()).collect();
    std::fs::write(dir.join("d.json"), format!(r#"{{"N": 40, "len": [{}]}}"#, forty.join(", "))).expect("data");
    let out = hbmc(&dir, &["gradcheck", "m.stan", "--data", "d.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    // A length counted in the model: not known when the data are bound.
    let counted = "data { int N; }\nparameters { vector[N] b; }\nmodel {\n  int m = 0;\n  for (n in 1:N) {\n    m += 1;\n    target += max(softmax(head(b, m)));\n  }\n}\n";
    std::fs::write(dir.join("c.stan"), counted).expect("model");
    std::fs::write(dir.join("c.json"), r#"{"N": 3}"#).expect("data");
    let out = hbmc(&dir, &["gradcheck", "c.stan", "--data", "c.json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("E5001") && err.contains("`m`") && err.contains("not known when the data are bound"), "{err}");
}

/// A block with a local sized by a run-time length is copied for every
/// value the length takes, 0 included, though the copy for 0 sits in a
/// branch that length never takes and indexes its empty local at a
/// constant (`lp[1] = ...`, as BPA's Jolly-Seber `js_super_lp` does under
/// `if (first[i] == 1) ... else`). It compiles (was "invalid IR: constant
/// index 0 is out of range for buffer `lp__r1` of length 0" in the JIT)
/// and both engines give the log density written out.
#[test]
fn a_copy_for_length_zero_indexing_its_local_in_a_branch_not_taken_compiles() {
    let source = "data { int N; array[N] int m; vector[N] y; }
        parameters { real mu; }
        model {
          for (i in 1:N) {
            if (m[i] == 1) {
              y[i] ~ normal(mu, 1);
            } else if (m[i] >= 2) {
              vector[m[i]] lp;
              lp[1] = normal_lpdf(y[i] | mu, 1);
              for (k in 2:m[i]) lp[k] = normal_lpdf(y[i] | mu + k, 1);
              target += log_sum_exp(lp);
            }
          }
        }";
    let data = r#"{"N": 4, "m": [0, 1, 2, 3], "y": [0.5, -1.0, 2.0, 0.3]}"#;
    let mu = 0.4;
    let normal = |y: f64, m: f64| -0.5 * (y - m) * (y - m) - 0.5 * (2.0 * std::f64::consts::PI).ln();
    let lse = |v: &[f64]| {
        let top = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        top + v.iter().map(|x| (x - top).exp()).sum::<f64>().ln()
    };
    let expected = normal(-1.0, mu) + lse(&[normal(2.0, mu), normal(2.0, mu + 2.0)]) + lse(&[normal(0.3, mu), normal(0.3, mu + 2.0), normal(0.3, mu + 3.0)]);
    for engine in [Engine::Jit, Engine::Interpreter] {
        let lp = bound(source, data, engine).evaluator().log_density(&[mu]).unwrap_or_else(|e| panic!("{engine:?}: {}", e.message));
        assert!((lp - expected).abs() < 1e-12, "{engine:?}: {lp} vs {expected}");
    }
}
