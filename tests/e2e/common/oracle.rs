//! The oracles on one model with its data: at 20 random points the JIT's
//! log density equals the reference interpreter's to 1e-10 relative, and
//! the JIT's gradient equals a central finite difference of the log
//! density to 1e-6 relative (at a second, smaller step where the first
//! crosses a kink of the density).

use hbmc::model::{BoundModel, Engine, Model, ModelError};
use std::path::{Path, PathBuf};

/// The files of the `// data: PATH` lines of a model, from `root`.
pub fn data_files(root: &Path, source: &str) -> Vec<PathBuf> {
    source
        .lines()
        .filter_map(|l| l.trim().strip_prefix("// data:"))
        // The path, without a note after it (`// data: x.json (from y.csv)`).
        .filter_map(|p| p.split_whitespace().next())
        .map(|p| root.join(p))
        .collect()
}

fn bind(name: &str, source: &str, data: &[PathBuf], engine: Engine) -> Result<BoundModel, String> {
    let model = Model::compile(name, source).map_err(|e| format!("{e:?}"))?;
    model.bind_files(data, engine).map_err(diagnostics_text)
}

/// A binding error as text: the diagnostics' messages, `; `-separated.
fn diagnostics_text(e: ModelError) -> String {
    match e {
        ModelError::Diagnostics(d) => d.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

/// [`check_example`] with the data given as JSON text, written to a
/// scratch file of its own (named after `name`).
pub fn check_example_json(name: &str, source: &str, data_json: &str) -> Result<(), String> {
    check_example(name, source, &[json_file(name, data_json)?])
}

/// The model bound to JSON data given as text, for `engine`, for tests
/// that evaluate it at points of their own (read in memory: tests running
/// at once may bind different data under one name).
pub fn bind_json(name: &str, source: &str, data_json: &str, engine: Engine) -> Result<BoundModel, String> {
    let model = Model::compile(name, source).map_err(|e| format!("{e:?}"))?;
    let data = hbmc_compiler::bind::read_source("data.json", data_json).map_err(|d| format!("{d:?}"))?;
    model.bind(&[data], engine).map_err(diagnostics_text)
}

/// One draw's outputs (the CSV's model columns), looked up by name.
pub struct DrawOutputs {
    names: Vec<String>,
    values: Vec<f64>,
}

impl DrawOutputs {
    /// The value of output `name`; panics naming it if there is none.
    pub fn value(&self, name: &str) -> f64 {
        let at = self.names.iter().position(|n| n == name).unwrap_or_else(|| panic!("no output {name}"));
        self.values[at]
    }
}

/// The outputs of one draw of `source` bound to `data_json`, at the
/// unconstrained point `x` with the generator seeded `seed`, in the JIT
/// and then the interpreter: for tests of generated values in both engines.
pub fn draw_in_both_engines(name: &str, source: &str, data_json: &str, x: &[f64], seed: u64) -> Vec<(Engine, DrawOutputs)> {
    [Engine::Jit, Engine::Interpreter]
        .into_iter()
        .map(|engine| {
            let m = bind_json(name, source, data_json, engine).unwrap_or_else(|e| panic!("{name} binds ({engine:?}): {e}"));
            let mut values = Vec::new();
            m.evaluator()
                .write_draw(x, &mut hbmc_stdlib::ChainRng::new(seed, 0), &mut values)
                .unwrap_or_else(|e| panic!("{name} draws ({engine:?}): {e:?}"));
            (engine, DrawOutputs { names: m.output_names().to_vec(), values })
        })
        .collect()
}

/// `data_json` in a scratch file of its own, named after `name`.
fn json_file(name: &str, data_json: &str) -> Result<PathBuf, String> {
    let path = super::scratch(&format!("oracle-{name}")).join("d.json");
    std::fs::write(&path, data_json).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// Both oracles at 20 points; `Err` says which failed where.
pub fn check_example(name: &str, source: &str, data: &[PathBuf]) -> Result<(), String> {
    if data.is_empty() {
        return Err("no `// data:` line".into());
    }
    let jit = bind(name, source, data, Engine::Jit)?;
    let interp = bind(name, source, data, Engine::Interpreter)?;
    let (mut a, mut b) = (jit.evaluator(), interp.evaluator());
    let mut g = hbmc_stdlib::ChainRng::new(name.len() as u64, 0);
    let dim = jit.dim();
    for point in 0..20 {
        let x: Vec<f64> = (0..dim).map(|_| 3.0 * g.uniform() - 1.5).collect();
        let la = a.log_density(&x).map_err(|e| e.message)?;
        let lb = b.log_density(&x).map_err(|e| e.message)?;
        if (la - lb).abs() > 1e-10 * lb.abs().max(1.0) {
            return Err(format!("point {point}: JIT log density {la} vs interpreter {lb}"));
        }
        let mut grad = vec![0.0; dim];
        // The gradient's sweep computes the value too (terms of fused loops
        // only there): it must be the log density's.
        let lg = a.log_density_gradient(&x, &mut grad).map_err(|e| e.message)?;
        if (lg - la).abs() > 1e-10 * la.abs().max(1.0) {
            return Err(format!("point {point}: JIT gradient function's value {lg} vs log density {la}"));
        }
        for i in 0..dim {
            // A density with a kink (the asymmetric Laplace of the quantile
            // models at y = mu) is not smooth across it: a step that crosses
            // some observation's kink misses the derivative by a part of
            // the jump. A second, 1000 times smaller step only crosses a
            // kink with a probability about 1000 times smaller, while a
            // wrong derivative stays wrong at every step.
            let mut fd_at = |h: f64| {
                let mut f = |d: f64| {
                    let mut y = x.clone();
                    y[i] += d;
                    a.log_density(&y).unwrap_or(f64::NAN)
                };
                (8.0 * (f(h) - f(-h)) - (f(2.0 * h) - f(-2.0 * h))) / (12.0 * h)
            };
            let scale = x[i].abs().max(1.0);
            let err = |fd: f64| (grad[i] - fd).abs() / grad[i].abs().max(fd.abs()).max(1.0);
            let fd = fd_at(1e-3 * scale);
            if !(err(fd) < 1e-6) {
                let fd_small = fd_at(1e-6 * scale);
                if !(err(fd_small) < 1e-6) {
                    return Err(format!("point {point}: d/dx[{i}] JIT {} vs finite differences {fd} (step 1e-3) and {fd_small} (step 1e-6)", grad[i]));
                }
            }
        }
    }
    Ok(())
}

