//! The embedding API: a model compiled from source, bound to data, and
//! evaluated on the unconstrained scale — what `hbmc run`, `hbmc gradcheck`
//! and `hbmc bench` use, and what another binary can use the same way.
//!
//! ```no_run
//! use hbmc::model::{Engine, Model};
//! let source = std::fs::read_to_string("examples/electric_intercept.hbm").unwrap();
//! let model = Model::compile("electric_intercept", &source).unwrap();
//! let bound = model.bind_files(&["examples/data/electric.csv".into()], Engine::Jit).unwrap();
//! let mut eval = bound.evaluator();
//! let theta = vec![0.1; bound.dim()];
//! let mut grad = vec![0.0; bound.dim()];
//! let lp = eval.log_density_gradient(&theta, &mut grad).unwrap();
//! println!("log density {lp}, first partial {}", grad[0]);
//! ```

use hbmc_compiler::ad::differentiate_with_data;
use hbmc_compiler::bind::{self, BoundData, DataSource};
use hbmc_compiler::check::typed::TypedProgram;
use hbmc_compiler::codegen::{self, ChunkPool, CompiledModule};
use hbmc_compiler::diagnostics::{has_errors, Diagnostic};
use hbmc_compiler::interp;
use hbmc_compiler::ir::arenas::Arenas;
use hbmc_compiler::ir::FunctionKind;
use hbmc_compiler::lower::{lower_model_with, LowerOptions, LoweredModel, ParamLayout};
pub use hbmc_compiler::lower::{OdeControls, TRANSFORMED_DATA_SEED};
use hbmc_stdlib::ChainRng;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Why a model could not be made or evaluated.
#[derive(Debug)]
pub enum ModelError {
    /// Problems with the source or the data, with their spans.
    Diagnostics(Vec<Diagnostic>),
    /// A file could not be read.
    Io(String),
    /// The gradient or native code could not be generated.
    Codegen(String),
}

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelError::Diagnostics(d) => write!(f, "{} problem(s) in the model or data", d.len()),
            ModelError::Io(m) | ModelError::Codegen(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for ModelError {}

/// Why one evaluation failed. A rejection (a `reject`, an index out of
/// range, a NaN where the sampler cannot use one) is recoverable: the
/// sampler treats the proposal as rejected.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalError {
    pub message: String,
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for EvalError {}

/// How compiled functions are run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Native code from Cranelift (the product).
    Jit,
    /// The reference interpreter of the IR (the oracle: slow, checked).
    Interpreter,
}

/// Which log density a bound model computes (BridgeStan's flags).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DensityOptions {
    /// Add the log-Jacobians of the constraining transforms.
    pub jacobian: bool,
    /// Up to a constant: sampling statements and `_lupdf`/`_lupmf` drop
    /// their terms that do not depend on parameters, as Stan's `propto`.
    pub propto: bool,
}

impl Default for DensityOptions {
    /// The full density with Jacobians: what `hbmc run` samples.
    fn default() -> DensityOptions {
        DensityOptions { jacobian: true, propto: false }
    }
}

/// Reads data files (JSON or CSV) into sources for [`Model::bind`].
pub fn read_data_files(files: &[PathBuf]) -> Result<Vec<DataSource>, ModelError> {
    let mut sources = Vec::new();
    let mut diagnostics = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file)
            .map_err(|e| ModelError::Io(format!("cannot read data file `{}`: {e}", file.display())))?;
        match bind::read_source(&file.display().to_string(), &text) {
            Ok(s) => sources.push(s),
            Err(d) => diagnostics.extend(d),
        }
    }
    if has_errors(&diagnostics) {
        return Err(ModelError::Diagnostics(diagnostics));
    }
    Ok(sources)
}

/// A checked model, not yet bound to data.
#[derive(Debug)]
pub struct Model {
    pub name: String,
    pub program: TypedProgram,
    /// Warnings from checking.
    pub warnings: Vec<Diagnostic>,
    /// Seed of what `_rng` functions draw in `transformed data`: drawn once
    /// per binding, the same values for every chain (CmdStan seeds them with
    /// the run's seed); `hbmc run --seed` and `hbmc simulate --seed` set it,
    /// [`TRANSFORMED_DATA_SEED`] otherwise.
    pub transformed_data_seed: u64,
}

impl Model {
    /// Parses and checks source text.
    pub fn compile(name: &str, source: &str) -> Result<Model, ModelError> {
        let fe = hbmc_compiler::front_end(source);
        match fe.typed {
            Some(program) if !has_errors(&fe.diagnostics) => {
                Ok(Model { name: name.to_string(), program, warnings: fe.diagnostics, transformed_data_seed: TRANSFORMED_DATA_SEED })
            }
            _ => Err(ModelError::Diagnostics(fe.diagnostics)),
        }
    }

    /// A model from an already checked (or transformed) program, such as a
    /// simulation program.
    pub fn from_program(name: &str, program: TypedProgram) -> Model {
        Model { name: name.to_string(), program, warnings: Vec::new(), transformed_data_seed: TRANSFORMED_DATA_SEED }
    }

    /// Reads data files (JSON or CSV) and binds them.
    pub fn bind_files(&self, files: &[PathBuf], engine: Engine) -> Result<BoundModel, ModelError> {
        self.bind(&read_data_files(files)?, engine)
    }

    /// The dims that parameters run over, in the order the model declares
    /// them. Draws of a fit are matched to other data by position along
    /// these, so `hbmc predict` gives them the fit's members.
    pub fn parameter_dims(&self) -> Vec<String> {
        use hbmc_compiler::check::types::Axis;
        use hbmc_compiler::syntax::ast::BlockKind;
        let p = &self.program;
        let mut used = vec![false; p.dims.dims.len()];
        for d in p.decls(BlockKind::Parameters) {
            for axis in p.var(d.var).ty.axes() {
                if let Axis::Dim(id) = axis {
                    used[id] = true;
                }
            }
        }
        p.dims.dims.iter().zip(used).filter(|(_, u)| *u).map(|(info, _)| info.name.clone()).collect()
    }

    /// Binds data sources, lowers, differentiates and compiles.
    pub fn bind(&self, sources: &[DataSource], engine: Engine) -> Result<BoundModel, ModelError> {
        self.bind_with_jacobian(sources, engine, true)
    }

    /// As [`Model::bind`]; with `jacobian` false the log density (and its
    /// gradient) leaves out the log-Jacobians of the constraining
    /// transforms, as BridgeStan's `jacobian=false` asks.
    pub fn bind_with_jacobian(&self, sources: &[DataSource], engine: Engine, jacobian: bool) -> Result<BoundModel, ModelError> {
        self.bind_with_density(sources, engine, DensityOptions { jacobian, propto: false })
    }

    /// As [`Model::bind`], with the log density [`DensityOptions`] ask for
    /// (with or without Jacobians, full or up to a constant).
    pub fn bind_with_density(&self, sources: &[DataSource], engine: Engine, density: DensityOptions) -> Result<BoundModel, ModelError> {
        let DensityOptions { jacobian, propto } = density;
        self.bind_lowered(sources, engine, LowerOptions { jacobian, propto, ..self.lower_options() })
    }

    /// As [`Model::bind`], with every ODE solve at `controls` instead of
    /// the program's tolerances: for `hbmc gradcheck`, whose finite
    /// differences would otherwise measure the solver's error.
    pub fn bind_with_ode_controls(&self, sources: &[DataSource], engine: Engine, controls: OdeControls) -> Result<BoundModel, ModelError> {
        self.bind_lowered(sources, engine, LowerOptions { ode_controls: Some(controls), ..self.lower_options() })
    }

    /// The default lowering with this model's seed of `transformed data`.
    fn lower_options(&self) -> LowerOptions {
        LowerOptions { transformed_data_seed: self.transformed_data_seed, ..LowerOptions::default() }
    }

    fn bind_lowered(&self, sources: &[DataSource], engine: Engine, options: LowerOptions) -> Result<BoundModel, ModelError> {
        let started = Instant::now();
        let (bound, diagnostics) = bind::bind_data(&self.program, sources);
        let bound = match bound {
            Some(b) if !has_errors(&diagnostics) => b,
            _ => return Err(ModelError::Diagnostics(diagnostics)),
        };
        let mut lowered = lower_model_with(&self.program, &bound, options).map_err(ModelError::Diagnostics)?;
        differentiate_with_data(&mut lowered.module, &lowered.data_init, &lowered.int_data_init).map_err(|e| {
            ModelError::Diagnostics(vec![Diagnostic::error(e.code(), format!("cannot differentiate the model: {e}"))])
        })?;
        hbmc_compiler::ir::batch::batch_likelihood_loops(&mut lowered.module);
        hbmc_compiler::ir::chunks::chunk_large_loops(&mut lowered.module);
        // After the chunks, which would split a loop's product.
        hbmc_compiler::ir::log_products::log_products(&mut lowered.module);
        // After AD, whose derivatives are the original form's.
        hbmc_compiler::ir::root_squares::squared_reciprocal_roots(&mut lowered.module);
        let jit = match engine {
            Engine::Jit => Some(codegen::compile(&lowered.module).map_err(|e| ModelError::Codegen(format!("{e}")))?),
            Engine::Interpreter => None,
        };
        // Transformed data are computed once, here; every evaluator starts
        // from these arenas.
        let mut template = Arenas::new(&lowered.module.arena_sizes);
        template.data[..lowered.data_init.len()].copy_from_slice(&lowered.data_init);
        template.int_data[..lowered.int_data_init.len()].copy_from_slice(&lowered.int_data_init);
        let mut rng = hbmc_compiler::lower::transformed_data_rng(self.transformed_data_seed);
        run_function(jit.as_ref(), &lowered, FunctionKind::TransformedData, &mut template, Some(&mut rng)).map_err(|e| {
            ModelError::Diagnostics(vec![Diagnostic::error("E4054", format!("transformed data could not be computed from the data: {}", e.message))
                .with_help("the `transformed data` block rejects these data or fails on them (a `reject`, an index out of range, a failed constraint); check the data against what the block expects")])
        })?;
        let dim_names = self.program.dims.dims.iter().map(|d| d.name.clone()).collect();
        let output_dims = self.output_dims();
        let core = Core { dim_names, output_dims, lowered, jit, bound, template, output_names: OnceLock::new(), output_labels: OnceLock::new() };
        Ok(BoundModel { core: Arc::new(core), compile_time: started.elapsed(), data_warnings: diagnostics })
    }

    /// Parameters, transformed parameters and generated quantities with
    /// the dim of each axis, in output order.
    fn output_dims(&self) -> Vec<(String, Vec<Option<String>>)> {
        use hbmc_compiler::check::types::Axis;
        use hbmc_compiler::syntax::ast::BlockKind;
        let p = &self.program;
        [BlockKind::Parameters, BlockKind::TransformedParameters, BlockKind::GeneratedQuantities]
            .into_iter()
            .flat_map(|b| p.decls(b))
            .map(|d| {
                let info = p.var(d.var);
                let axes = info
                    .ty
                    .axes()
                    .into_iter()
                    .map(|a| match a {
                        Axis::Dim(id) => Some(p.dims.get(id).name.clone()),
                        Axis::Anon => None,
                    })
                    .collect();
                (info.name.clone(), axes)
            })
            .collect()
    }
}

/// Runs one function of a lowered model on either engine.
fn run_function(
    jit: Option<&CompiledModule>,
    lowered: &LoweredModel,
    kind: FunctionKind,
    arenas: &mut Arenas,
    rng: Option<&mut ChainRng>,
) -> Result<f64, EvalError> {
    match jit {
        Some(jit) => jit.call(kind, arenas, rng).map_err(|e| EvalError { message: e.to_string() }),
        None => interp::run(&lowered.module, kind, arenas, rng).map_err(|e| EvalError { message: e.to_string() }),
    }
}

/// What every evaluator of one bound model shares.
#[derive(Debug)]
struct Core {
    /// Dim names, by dim id.
    dim_names: Vec<String>,
    /// Each output variable with the dim (or `None`) of each axis.
    output_dims: Vec<(String, Vec<Option<String>>)>,
    lowered: LoweredModel,
    jit: Option<CompiledModule>,
    bound: BoundData,
    /// Arenas with data and transformed data filled in.
    template: Arenas,
    /// The lowered model's output names and labels, built on first use.
    output_names: OnceLock<Vec<String>>,
    output_labels: OnceLock<Vec<String>>,
}

/// A model bound to data: compiled, ready to evaluate.
#[derive(Debug, Clone)]
pub struct BoundModel {
    core: Arc<Core>,
    /// Binding, lowering, AD and code generation.
    pub compile_time: Duration,
    /// Warnings of binding the data (such as E4011/E4012, data the model
    /// does not declare, which is ignored).
    pub data_warnings: Vec<Diagnostic>,
}

impl BoundModel {
    /// The number of unconstrained parameters.
    pub fn dim(&self) -> usize {
        self.core.lowered.dim
    }

    /// Each parameter's place in the unconstrained vector.
    pub fn params(&self) -> &[ParamLayout] {
        &self.core.lowered.params
    }

    /// Names of the unconstrained coordinates (`sigma.1` for the first
    /// unconstrained value of `sigma`).
    pub fn unconstrained_names(&self) -> Vec<String> {
        let mut names = Vec::with_capacity(self.dim());
        for p in self.params() {
            if p.len == 1 && p.shape.is_empty() {
                names.push(p.name.clone());
            } else {
                names.extend((1..=p.len).map(|i| format!("{}.{i}", p.name)));
            }
        }
        names
    }

    /// CmdStan names of the output columns (constrained parameters,
    /// transformed parameters, generated quantities).
    pub fn output_names(&self) -> &[String] {
        self.core.output_names.get_or_init(|| self.core.lowered.output_names())
    }

    /// The same columns labelled with dims, for summaries.
    pub fn output_labels(&self) -> &[String] {
        self.core.output_labels.get_or_init(|| self.core.lowered.output_labels())
    }

    /// The names of the dims, by dim id.
    pub fn dim_names(&self) -> &[String] {
        &self.core.dim_names
    }

    /// Each output variable with the dim (or `None`) of each axis, as JSON
    /// for the dims file written beside the draws.
    pub fn output_dims(&self) -> serde_json::Value {
        let map: serde_json::Map<String, serde_json::Value> =
            self.core.output_dims.iter().map(|(n, d)| (n.clone(), serde_json::json!(d))).collect();
        serde_json::Value::Object(map)
    }

    /// The bound data (dim sizes and labels).
    pub fn data(&self) -> &BoundData {
        &self.core.bound
    }

    /// The lowered IR, for `--emit ir` and tests.
    pub fn lowered(&self) -> &LoweredModel {
        &self.core.lowered
    }

    /// Which engine runs this model.
    pub fn engine(&self) -> Engine {
        if self.core.jit.is_some() { Engine::Jit } else { Engine::Interpreter }
    }

    /// A fresh evaluator with its own scratch memory (one per thread).
    pub fn evaluator(&self) -> Evaluator {
        Evaluator { core: self.core.clone(), arenas: self.core.template.clone(), pool: None }
    }

    /// Whether the gradient has likelihood loops large enough to be cut
    /// into chunks (`ir::chunks`), which `threads` > 1 can share.
    pub fn has_chunked_loops(&self) -> bool {
        self.core.lowered.module.functions.iter().any(|f| matches!(f.kind, FunctionKind::GradientChunk(_)))
    }

    /// A fresh evaluator whose gradient runs the chunks of large likelihood
    /// loops on `threads` threads in all (its own caller included; a pool
    /// of `threads - 1` workers kept for its life). Values and gradients
    /// are bitwise the same for every `threads`: the chunks are fixed by
    /// the data and summed in a fixed order. Without chunked loops, or with
    /// the interpreter, or with `threads` <= 1, no thread is started.
    pub fn evaluator_with_threads(&self, threads: usize) -> Result<Evaluator, ModelError> {
        let mut eval = self.evaluator();
        if threads > 1 && self.core.jit.is_some() && self.has_chunked_loops() {
            let pool = ChunkPool::new(threads)
                .map_err(|e| ModelError::Codegen(format!("cannot start {threads} threads for a chain: {e}")))?;
            eval.pool = Some(pool);
        }
        Ok(eval)
    }
}

/// Evaluates one bound model; owns its scratch memory, so each thread has
/// its own.
#[derive(Debug)]
pub struct Evaluator {
    core: Arc<Core>,
    arenas: Arenas,
    /// Threads for the chunks of large likelihood loops, if more than one.
    pool: Option<ChunkPool>,
}

impl Evaluator {
    fn run(&mut self, kind: FunctionKind, rng: Option<&mut ChainRng>) -> Result<f64, EvalError> {
        match (&self.core.jit, &self.pool) {
            (Some(jit), Some(pool)) => jit
                .call_with_pool(kind, &mut self.arenas, rng, Some(pool))
                .map_err(|e| EvalError { message: e.to_string() }),
            _ => run_function(self.core.jit.as_ref(), &self.core.lowered, kind, &mut self.arenas, rng),
        }
    }

    /// The threads that evaluate the gradient (1 without a pool).
    pub fn threads(&self) -> usize {
        self.pool.as_ref().map_or(1, ChunkPool::threads)
    }

    fn set_params(&mut self, theta: &[f64]) -> Result<(), EvalError> {
        self.check_params(theta)?;
        self.arenas.params.copy_from_slice(theta);
        Ok(())
    }

    /// Checks that `theta` has one value per unconstrained parameter.
    fn check_params(&self, theta: &[f64]) -> Result<(), EvalError> {
        if theta.len() != self.arenas.params.len() {
            return Err(EvalError {
                message: format!("expected {} unconstrained values, got {}", self.arenas.params.len(), theta.len()),
            });
        }
        Ok(())
    }

    /// The log density (with Jacobians) at an unconstrained point.
    pub fn log_density(&mut self, theta: &[f64]) -> Result<f64, EvalError> {
        self.set_params(theta)?;
        self.run(FunctionKind::LogDensity, None)
    }

    /// The log density and its gradient.
    pub fn log_density_gradient(&mut self, theta: &[f64], grad: &mut [f64]) -> Result<f64, EvalError> {
        self.check_params(theta)?;
        if grad.len() != theta.len() {
            return Err(EvalError { message: format!("the gradient buffer has {} slots for {} values", grad.len(), theta.len()) });
        }
        // The compiled gradient reads `theta` and writes `grad` in place of
        // the arenas' (no copies); the interpreter runs on the arenas.
        if let Some(jit) = &self.core.jit {
            if let Some(result) = jit.gradient_into(&mut self.arenas, theta, grad, self.pool.as_ref()) {
                return result.map_err(|e| EvalError { message: e.to_string() });
            }
        }
        self.set_params(theta)?;
        let lp = self.run(FunctionKind::Gradient, None)?;
        grad.copy_from_slice(&self.arenas.grad);
        Ok(lp)
    }

    /// An unconstrained point from initial values on the constrained scale
    /// (a JSON object as CmdStan reads inits: parameter names to numbers or
    /// nested lists, matrices as lists of rows). Parameters the object does
    /// not give keep the values of `base` (a random point), as CmdStan does.
    pub fn unconstrain_json(&mut self, inits: &serde_json::Value, base: &[f64], rng: &mut ChainRng) -> Result<Vec<f64>, EvalError> {
        let fail = |message: String| EvalError { message };
        let obj = inits.as_object().ok_or_else(|| fail("initial values must be a JSON object of parameter names".into()))?;
        // A tuple parameter is split into its elements (`t:1`, `t:2`); its
        // initial value is CmdStan's JSON of it (objects with keys "1", "2").
        let mut params: Vec<&str> = self.core.lowered.params.iter().map(|p| p.name.split(':').next().unwrap_or_default()).collect();
        params.dedup();
        let unknown: Vec<&String> = obj.keys().filter(|k| !params.contains(&k.as_str())).collect();
        if !unknown.is_empty() {
            return Err(fail(format!(
                "the initial values name {} that {} not parameters (parameters: {})",
                unknown.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "),
                if unknown.len() == 1 { "is" } else { "are" },
                params.join(", ")
            )));
        }
        // The constrained values of the base point, then the given ones over them.
        self.set_params(base)?;
        self.run(FunctionKind::Generate, Some(rng))?;
        let core = self.core.clone();
        for (k, column) in core.output_names.get_or_init(|| core.lowered.output_names()).iter().enumerate() {
            use hbmc_compiler::lower::layout::ColumnStep;
            let (name, steps) = hbmc_compiler::lower::layout::column_steps(column).ok_or_else(|| fail(format!("bad column `{column}`")))?;
            let Some(given) = obj.get(name) else { continue };
            let mut v = given;
            for step in steps {
                let next = match step {
                    ColumnStep::Index(i) => v.as_array().and_then(|a| a.get(i - 1)),
                    ColumnStep::Slot(k) => v.as_object().and_then(|o| o.get(&k.to_string())),
                };
                v = next.ok_or_else(|| {
                    fail(format!("the initial value of `{name}` has the wrong shape: no element for `{column}`"))
                })?;
            }
            let x = v.as_f64().ok_or_else(|| {
                fail(format!("the initial value of `{column}` must be a number, not {v}"))
            })?;
            self.arenas.out[core.lowered.output_order[k]] = x;
        }
        self.run(FunctionKind::Unconstrain, None)?;
        Ok(self.arenas.params.clone())
    }

    /// An unconstrained point from a fitted draw: the constrained value of
    /// every parameter column (CmdStan names such as `alpha.3.2`), looked up
    /// with `value`. A parameter column `value` does not know is an error:
    /// the fit must match the model and its dims.
    pub fn unconstrain_columns(&mut self, value: impl Fn(&str) -> Option<f64>) -> Result<Vec<f64>, EvalError> {
        let core = self.core.clone();
        let params: Vec<&str> = core.lowered.params.iter().map(|p| p.name.as_str()).collect();
        for (k, column) in core.output_names.get_or_init(|| core.lowered.output_names()).iter().enumerate() {
            let base = hbmc_compiler::lower::layout::element_variable(column);
            if !params.contains(&base.as_str()) {
                continue;
            }
            let x = value(column).ok_or_else(|| EvalError {
                message: format!("the fit has no column `{column}` (a parameter of the model with this data)"),
            })?;
            self.arenas.out[core.lowered.output_order[k]] = x;
        }
        self.run(FunctionKind::Unconstrain, None)?;
        Ok(self.arenas.params.clone())
    }

    /// The output draw at an unconstrained point, in CmdStan column order:
    /// constrained parameters, transformed parameters, generated quantities.
    pub fn write_draw(&mut self, theta: &[f64], rng: &mut ChainRng, out: &mut Vec<f64>) -> Result<(), EvalError> {
        self.set_params(theta)?;
        self.run(FunctionKind::Generate, Some(rng))?;
        out.clear();
        out.extend(self.core.lowered.output_order.iter().map(|&i| self.arenas.out[i]));
        Ok(())
    }
}
