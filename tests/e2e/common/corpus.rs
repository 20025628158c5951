//! The Stan programs of `tests/stan_corpus`: their paths and sources, the
//! errors a source gives, two programs' log densities compared, and a fit
//! read back.

use hbmc::model::{BoundModel, Engine, Model};
use std::path::PathBuf;

/// `tests/stan_corpus/NAME`.
pub fn path(name: &str) -> PathBuf {
    super::root().join("tests/stan_corpus").join(name)
}

/// The text of `tests/stan_corpus/NAME`.
pub fn source(name: &str) -> String {
    std::fs::read_to_string(path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The code and message of every error `source` gives at `hbmc check`.
pub fn errors(source: &str) -> Vec<(&'static str, String)> {
    let fe = hbmc_compiler::front_end(source);
    fe.diagnostics.iter().filter(|d| d.is_error()).map(|d| (d.code, d.message.clone())).collect()
}

/// Two corpus programs with the same parameters (so the same
/// unconstrained point) and the data file `data`: their log densities
/// agree to 1e-10 and their gradients to `grad_tol` (relative to
/// max(1, |gradient|)) at 20 random points, in the JIT and in the
/// interpreter (whose gradient is the IR's reverse sweep, run without
/// Cranelift).
pub fn assert_same_density(a: &str, b: &str, data: &str, seed: u64, grad_tol: f64) {
    let files = [path(data)];
    for engine in [Engine::Jit, Engine::Interpreter] {
        let bind = |name: &str| Model::compile(name, &source(name)).expect("compiles").bind_files(&files, engine).expect("binds");
        assert_same_density_bound(&format!("{engine:?} {a}"), &bind(a), b, &bind(b), seed, grad_tol);
    }
}

/// [`assert_same_density`] of two bound models (`a` and `b` name them in
/// the messages).
pub fn assert_same_density_bound(a: &str, first: &BoundModel, b: &str, second: &BoundModel, seed: u64, grad_tol: f64) {
    assert_eq!(first.dim(), second.dim(), "{a} and {b} have different parameters");
    let (mut ea, mut eb) = (first.evaluator(), second.evaluator());
    let mut rng = hbmc_stdlib::ChainRng::new(seed, 0);
    let dim = first.dim();
    for point in 0..20 {
        let x: Vec<f64> = (0..dim).map(|_| 4.0 * rng.uniform() - 2.0).collect();
        let (mut ga, mut gb) = (vec![0.0; dim], vec![0.0; dim]);
        let la = ea.log_density_gradient(&x, &mut ga).unwrap_or_else(|e| panic!("{a}: {}", e.message));
        let lb = eb.log_density_gradient(&x, &mut gb).unwrap_or_else(|e| panic!("{b}: {}", e.message));
        assert!((la - lb).abs() <= 1e-10 * lb.abs().max(1.0), "point {point}: {a} {la} vs {b} {lb}");
        for i in 0..dim {
            let scale = ga[i].abs().max(gb[i].abs()).max(1.0);
            assert!((ga[i] - gb[i]).abs() <= grad_tol * scale, "point {point}, d/dx[{i}]: {a} {} vs {b} {}", ga[i], gb[i]);
        }
    }
}

/// The chains of a fit, read back.
pub struct Fit {
    pub csvs: Vec<hbmc_runtime::StanCsv>,
}

impl Fit {
    /// A column's draws over every chain.
    pub fn column(&self, name: &str) -> Vec<f64> {
        self.csvs.iter().flat_map(|c| c.draws[c.column_index(name).unwrap_or_else(|| panic!("no column {name}"))].clone()).collect()
    }

    /// Each truth within 4 posterior sds of its posterior mean.
    pub fn assert_recovers(&self, truths: &[(&str, f64)]) {
        for (name, truth) in truths {
            let v = self.column(name);
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
            assert!((mean - truth).abs() < 4.0 * sd, "{name}: posterior mean {mean} (sd {sd}), truth {truth}");
        }
    }
}

/// Fits a corpus program to a corpus data file through the binary: 2
/// chains of 300 warmup and 300 draws, seed 5.
pub fn fit(model: &str, data: &str) -> Fit {
    let dir = super::scratch(&format!("corpus-fit-{model}"));
    let out = super::hbmc(
        &dir,
        &["run", &path(model).display().to_string(), "--data", &path(data).display().to_string(),
          "--chains", "2", "--warmup", "300", "--draws", "300", "--seed", "5", "--quiet", "--output", "fit"],
    );
    assert!(out.status.success(), "{model}: {}", String::from_utf8_lossy(&out.stderr));
    let csvs = (1..=2)
        .map(|c| hbmc_runtime::read_cmdstan_csv(dir.join(format!("fit_{c}.csv"))).expect("chain read back"))
        .collect();
    Fit { csvs }
}
