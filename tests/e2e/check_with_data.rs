//! `hbmc check --data` compiles the program with its data as `hbmc run`
//! does before its first draw, so errors found only once sizes are known
//! (the gradient's E5002, a rejecting `transformed data` block's E4054)
//! are reported by `check` with their codes; before, `check` said "ok" and
//! `run` failed.

use crate::common::{hbmc, scratch};

const DATA: &str = r#"{"N": 3, "y": [1, 2, 3]}"#;

/// `hbmc check m.stan --data d.json EXTRA...` in a scratch folder: the
/// exit code, stdout and stderr.
fn check(name: &str, source: &str, extra: &[&str]) -> (i32, String, String) {
    let dir = scratch(name);
    std::fs::write(dir.join("m.stan"), source).expect("scratch is writable");
    std::fs::write(dir.join("d.json"), DATA).expect("scratch is writable");
    let mut args = vec!["check", "m.stan", "--data", "d.json"];
    args.extend_from_slice(extra);
    let out = hbmc(&dir, &args);
    let _ = std::fs::remove_dir_all(&dir);
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn an_error_of_the_gradient_is_reported_by_check() {
    let source = "data { int N; vector[N] y; }
parameters { real mu; }
model { y ~ normal(mu, 1); real t = target(); target += 0 * t; }";
    let (code, _, err) = check("check-gradient", source, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("E5002") && err.contains("`target()`"), "{err}");
    // Without data there are no sizes, so nothing is compiled.
    let dir = scratch("check-gradient-nodata");
    std::fs::write(dir.join("m.stan"), source).expect("scratch is writable");
    let out = hbmc(&dir, &["check", "m.stan"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn transformed_data_that_reject_the_data_are_a_coded_error() {
    let source = r#"data { int N; vector[N] y; }
transformed data { if (sum(y) > 5) reject("sum of y too large: ", sum(y)); }
parameters { real mu; }
model { y ~ normal(mu, 1); }"#;
    let (code, out, err) = check("check-td", source, &["--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON diagnostics");
    let first = &json[0];
    assert_eq!(first["code"], "E4054", "{out}");
    assert!(first["message"].as_str().is_some_and(|m| m.contains("sum of y too large: 6")), "{out}");
    // `run` gives the same code before sampling.
    let dir = scratch("check-td-run");
    std::fs::write(dir.join("m.stan"), source).expect("scratch is writable");
    std::fs::write(dir.join("d.json"), DATA).expect("scratch is writable");
    let run = hbmc(&dir, &["run", "m.stan", "--data", "d.json", "--quiet", "--output", "fit"]);
    let _ = std::fs::remove_dir_all(&dir);
    let run_err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{run_err}");
    assert!(run_err.contains("E4054"), "{run_err}");
}

#[test]
fn a_program_that_compiles_checks_clean_and_still_emits_its_ir() {
    let source = "data { int N; vector[N] y; }
parameters { real mu; }
model { y ~ normal(mu, 1); print(\"lp = \", target()); }";
    let (code, out, err) = check("check-ok", source, &[]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert!(err.contains("ok"), "{err}");
    let (code, ir, err) = check("check-ok-ir", source, &["--emit", "ir"]);
    assert_eq!(code, 0, "{err}");
    assert!(ir.contains("buffer b1 data.y"), "{ir}");
}
