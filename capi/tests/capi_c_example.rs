//! The C example (`capi/examples/example.c`) compiled with the system C
//! compiler against the shipped header and a model library, run, and its
//! printed values checked against hbmc's own API. Skipped, with a message,
//! when there is no C compiler.

mod common;

use common::{build_library, examples, scratch};
use hbmc::model::{DensityOptions, Engine, Model};
use std::process::Command;

fn c_compiler() -> Option<String> {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    Command::new(&cc).arg("--version").output().ok().filter(|o| o.status.success()).map(|_| cc)
}

#[test]
fn the_c_example_prints_what_the_embedding_api_computes() {
    let Some(cc) = c_compiler() else {
        eprintln!("SKIPPED: no C compiler (`cc`, or $CC) found; the C example was not compiled");
        return;
    };
    let dir = scratch("c-example");
    let root = common::root();
    let (name, source, data) = examples().into_iter().find(|(n, _, _)| n == "electric_intercept").expect("example");
    let library = build_library(&dir, &name, &source);
    let exe = dir.join("example");
    let compiled = Command::new(&cc)
        .arg(root.join("capi/examples/example.c"))
        .arg("-std=c99")
        .arg("-Wall")
        .arg("-Werror")
        .arg("-I")
        .arg(root.join("capi/include"))
        .arg(&library)
        .arg(format!("-Wl,-rpath,{}", dir.display()))
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("the C compiler runs");
    assert!(compiled.status.success(), "cc failed:\n{}", String::from_utf8_lossy(&compiled.stderr));

    let run = Command::new(&exe).arg(&data).output().expect("the example runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "the example failed:\n{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    let values = |key: &str| -> Vec<String> {
        stdout.lines().filter_map(|l| l.strip_prefix(&format!("{key}="))).map(str::to_string).collect()
    };
    let numbers = |key: &str| -> Vec<f64> { values(key).iter().map(|v| v.parse().expect("a number")).collect() };

    // The example asks for propto=true, as BridgeStan's clients do by default.
    let density = DensityOptions { jacobian: true, propto: true };
    let bound = Model::compile(&name, &source)
        .and_then(|m| m.bind_with_density(&hbmc::model::read_data_files(std::slice::from_ref(&data))?, Engine::Jit, density))
        .expect("binds");
    let theta = vec![0.1; bound.dim()];
    let mut grad = vec![0.0; bound.dim()];
    let lp = bound.evaluator().log_density_gradient(&theta, &mut grad).expect("evaluates");

    assert_eq!(values("version"), ["2.9.0"]);
    assert_eq!(values("name"), [name.as_str()]);
    assert_eq!(values("param_unc_num"), [bound.dim().to_string()]);
    assert_eq!(values("unc_names"), [bound.unconstrained_names().join(",")]);
    // %.17g prints a double exactly, so the values must be equal.
    assert_eq!(numbers("lp"), [lp]);
    assert_eq!(numbers("grad"), grad);
    let back = numbers("back");
    assert_eq!(back.len(), theta.len());
    for (b, t) in back.iter().zip(&theta) {
        assert!((b - t).abs() < 1e-12, "round trip gave {b} for {t}");
    }
    assert_eq!(numbers("theta").len(), values("names")[0].split(',').count());
    assert!(values("hessian_error")[0].contains("Hessians"));
}
