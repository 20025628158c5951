//! One constructed model behind the C ABI: the bound model, the strings
//! BridgeStan hands out (owned here, freed with the model), and a pool of
//! evaluators so several threads can evaluate at once.

use hbmc::check::typed::TypedProgram;
use hbmc::model::{BoundModel, DensityOptions, Engine, Evaluator, Model, ModelError};
use hbmc::model_library::EmbeddedModel;
use hbmc::syntax::ast::BlockKind;
use hbmc_stdlib::ChainRng;
use std::collections::HashSet;
use std::ffi::CString;
use std::sync::{Mutex, OnceLock};

/// The flags of a log-density call, as BridgeStan passes them.
#[derive(Clone, Copy, Debug)]
pub struct DensityFlags {
    /// Up to a constant: sampling statements and `_lupdf`/`_lupmf` drop
    /// the terms that do not depend on parameters, as Stan does.
    pub propto: bool,
    /// Include the log-Jacobian of the constraining transforms.
    pub jacobian: bool,
}

/// A model compiled from its embedded source and bound to data.
pub struct ApiModel {
    bound: BoundModel,
    /// The checked model and its data, kept to compile the other log
    /// densities (without Jacobians, up to a constant) when a call first
    /// asks for one.
    model: Model,
    sources: Vec<hbmc::bind::DataSource>,
    /// Those other log densities, by [`variant_index`] (slot 0, the full
    /// density with Jacobians, is `bound` and stays empty).
    variants: [OnceLock<Result<BoundModel, String>>; 4],
    name: CString,
    info: CString,
    /// `bs_param_names` for each (include_tp, include_gq).
    names: [[CString; 2]; 2],
    unc_names: CString,
    /// Output columns of parameters, transformed parameters, generated
    /// quantities: the output draw is these three runs in this order.
    counts: [usize; 3],
    /// Names of the parameter columns (CmdStan style), for `bs_param_unconstrain`.
    param_columns: Vec<String>,
    /// Idle evaluators of each log density (by [`variant_index`]); a call
    /// takes one (or makes one) and puts it back.
    pools: [Mutex<Vec<Evaluator>>; 4],
}

// Calls come from any thread (BridgeStan's contract); this fails to compile
// if a part of the model stops being shareable.
const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<ApiModel>();
};

/// Makes a C string of text that cannot contain NUL (names, messages
/// built here); a NUL would be replaced rather than lose the string.
pub fn c_string(text: &str) -> CString {
    CString::new(text.replace('\0', "\u{fffd}")).unwrap_or_default()
}

impl ApiModel {
    /// Compiles the embedded source and binds the data: `data` is a path to
    /// a JSON (or CSV) file, a JSON string, or empty for no data.
    pub fn construct(embedded: &EmbeddedModel, data: &str) -> Result<ApiModel, String> {
        let report = |e: ModelError| match e {
            ModelError::Diagnostics(d) => hbmc::diagnostics::render_all(&d, &embedded.name, &embedded.source, false),
            other => other.to_string(),
        };
        let model = Model::compile(&embedded.name, &embedded.source).map_err(report)?;
        let sources = read_data(data).map_err(report)?;
        let bound = model.bind(&sources, Engine::Jit).map_err(report)?;
        let counts = column_counts(&model.program, &bound)?;
        let outputs = bound.output_names();
        let names = [false, true].map(|tp| {
            [false, true].map(|gq| {
                let (p, t, g) = (counts[0], counts[1], counts[2]);
                let mut cols: Vec<&str> = outputs[..p].iter().map(String::as_str).collect();
                if tp {
                    cols.extend(outputs[p..p + t].iter().map(String::as_str));
                }
                if gq {
                    cols.extend(outputs[p + t..p + t + g].iter().map(String::as_str));
                }
                c_string(&cols.join(","))
            })
        });
        let info = format!(
            "hbmc {} (BridgeStan C ABI {}.{}.{}); model `{}` compiled at construction by hbmc's Cranelift JIT; \
             STAN_THREADS=true (a model may be used from several threads at once); \
             propto=true (Stan's dropped constants) and jacobian=false: each compiled at its first use; \
             Hessians: not supported; print output is discarded",
            env!("CARGO_PKG_VERSION"),
            crate::BS_MAJOR,
            crate::BS_MINOR,
            crate::BS_PATCH,
            embedded.name
        );
        Ok(ApiModel {
            name: c_string(&embedded.name),
            info: c_string(&info),
            names,
            unc_names: c_string(&bound.unconstrained_names().join(",")),
            counts,
            param_columns: outputs[..counts[0]].to_vec(),
            pools: std::array::from_fn(|_| Mutex::new(Vec::new())),
            bound,
            model,
            sources,
            variants: std::array::from_fn(|_| OnceLock::new()),
        })
    }

    /// The model's name.
    pub fn name(&self) -> &CString {
        &self.name
    }

    /// What this library is and supports.
    pub fn info(&self) -> &CString {
        &self.info
    }

    /// Comma-separated output column names.
    pub fn param_names(&self, include_tp: bool, include_gq: bool) -> &CString {
        &self.names[include_tp as usize][include_gq as usize]
    }

    /// Comma-separated unconstrained coordinate names.
    pub fn param_unc_names(&self) -> &CString {
        &self.unc_names
    }

    /// The number of output columns.
    pub fn param_num(&self, include_tp: bool, include_gq: bool) -> usize {
        self.counts[0] + if include_tp { self.counts[1] } else { 0 } + if include_gq { self.counts[2] } else { 0 }
    }

    /// The number of unconstrained coordinates.
    pub fn param_unc_num(&self) -> usize {
        self.bound.dim()
    }

    /// Runs `f` with an evaluator of its own, so calls from several threads
    /// do not share scratch memory.
    fn with_evaluator<R>(&self, f: impl FnOnce(&mut Evaluator) -> R) -> R {
        self.with_evaluator_of(&self.bound, &self.pools[0], f)
    }

    fn with_evaluator_of<R>(&self, bound: &BoundModel, pool: &Mutex<Vec<Evaluator>>, f: impl FnOnce(&mut Evaluator) -> R) -> R {
        // A poisoned lock only means another call panicked between pop and
        // push; the pool itself is still a valid list of evaluators.
        let idle = pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut evaluator = idle.unwrap_or_else(|| bound.evaluator());
        let result = f(&mut evaluator);
        pool.lock().unwrap_or_else(|e| e.into_inner()).push(evaluator);
        result
    }

    /// Runs `f` with an evaluator of the log density the flags ask for:
    /// the full density with Jacobians was compiled at construction; each
    /// other one (without Jacobians, up to a constant) is compiled at the
    /// first call that asks for it and kept for later ones.
    fn with_density<R>(&self, flags: DensityFlags, f: impl FnOnce(&mut Evaluator) -> R) -> Result<R, String> {
        let slot = variant_index(flags);
        if slot == 0 {
            return Ok(self.with_evaluator(f));
        }
        let bound = self.variants[slot]
            .get_or_init(|| {
                let density = DensityOptions { jacobian: flags.jacobian, propto: flags.propto };
                self.model.bind_with_density(&self.sources, Engine::Jit, density).map_err(|e| {
                    format!(
                        "the log density with jacobian={} and propto={} could not be compiled: {e}",
                        flags.jacobian, flags.propto
                    )
                })
            })
            .as_ref()
            .map_err(Clone::clone)?;
        Ok(self.with_evaluator_of(bound, &self.pools[slot], f))
    }

    /// The log density at an unconstrained point.
    pub fn log_density(&self, flags: DensityFlags, theta_unc: &[f64]) -> Result<f64, String> {
        self.with_density(flags, |e| e.log_density(theta_unc))?.map_err(|e| e.message)
    }

    /// The log density and its gradient.
    pub fn log_density_gradient(&self, flags: DensityFlags, theta_unc: &[f64], grad: &mut [f64]) -> Result<f64, String> {
        self.with_density(flags, |e| e.log_density_gradient(theta_unc, grad))?.map_err(|e| e.message)
    }

    /// The constrained output columns selected by the flags.
    pub fn param_constrain(
        &self,
        include_tp: bool,
        include_gq: bool,
        theta_unc: &[f64],
        out: &mut [f64],
        rng: Option<&mut ChainRng>,
    ) -> Result<(), String> {
        // Without generated quantities the draw's RNG use does not reach
        // the columns returned, so a fixed generator serves.
        let mut fixed = ChainRng::new(0, 0);
        let rng = match (rng, include_gq) {
            (Some(r), _) => r,
            (None, false) => &mut fixed,
            (None, true) => return Err("an RNG (from bs_rng_construct) is needed when include_gq is true".into()),
        };
        let mut draw = Vec::new();
        self.with_evaluator(|e| e.write_draw(theta_unc, rng, &mut draw)).map_err(|e| e.message)?;
        let [p, t, g] = self.counts;
        let mut selected: Vec<f64> = draw[..p].to_vec();
        if include_tp {
            selected.extend_from_slice(&draw[p..p + t]);
        }
        if include_gq {
            selected.extend_from_slice(&draw[p + t..p + t + g]);
        }
        out.copy_from_slice(&selected);
        Ok(())
    }

    /// The unconstrained point of constrained parameter values (in the
    /// order of `bs_param_names(m, false, false)`).
    pub fn param_unconstrain(&self, theta: &[f64], theta_unc: &mut [f64]) -> Result<(), String> {
        let point = self.with_evaluator(|e| {
            e.unconstrain_columns(|column| self.param_columns.iter().position(|c| c == column).map(|i| theta[i]))
        });
        theta_unc.copy_from_slice(&point.map_err(|e| e.message)?);
        Ok(())
    }

    /// The unconstrained point of parameter values given as JSON (every
    /// parameter named).
    pub fn param_unconstrain_json(&self, json: &str, theta_unc: &mut [f64]) -> Result<(), String> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| format!("the parameter values are not valid JSON: {e}"))?;
        let given: HashSet<&str> = value.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
        let missing: Vec<&str> =
            self.bound.params().iter().map(|p| p.name.as_str()).filter(|n| !given.contains(n)).collect();
        if value.is_object() && !missing.is_empty() {
            return Err(format!("the JSON gives no value for the parameter(s) {}", missing.join(", ")));
        }
        let base = vec![0.0; self.param_unc_num()];
        let mut rng = ChainRng::new(0, 0);
        let point = self.with_evaluator(|e| e.unconstrain_json(&value, &base, &mut rng)).map_err(|e| e.message)?;
        theta_unc.copy_from_slice(&point);
        Ok(())
    }

    /// An initial point: the parameters `json` gives, the others uniform in
    /// (-radius, radius) on the unconstrained scale, retried until the log
    /// density is finite.
    pub fn param_initialize(
        &self,
        json: Option<&str>,
        rng: &mut ChainRng,
        radius: f64,
        max_tries: i32,
        flags: DensityFlags,
        theta_unc: &mut [f64],
    ) -> Result<(), String> {
        let value = match json {
            Some(j) => Some(serde_json::from_str::<serde_json::Value>(j).map_err(|e| format!("the parameter values are not valid JSON: {e}"))?),
            None => None,
        };
        let mut last = String::from("max_tries must be at least 1");
        for _ in 0..max_tries.max(0) {
            let base: Vec<f64> = (0..self.param_unc_num()).map(|_| radius * (2.0 * rng.uniform() - 1.0)).collect();
            let point = match &value {
                Some(v) => self.with_evaluator(|e| e.unconstrain_json(v, &base, rng)).map_err(|e| e.message)?,
                None => base,
            };
            match self.log_density(flags, &point) {
                Ok(lp) if lp.is_finite() => {
                    theta_unc.copy_from_slice(&point);
                    return Ok(());
                }
                Ok(lp) => last = format!("the log density was {lp}"),
                Err(e) => last = e,
            }
        }
        Err(format!("no initial point with a finite log density in {max_tries} tries (last: {last})"))
    }
}

/// The slot of a log density among an [`ApiModel`]'s variants: 0 the full
/// density with Jacobians (compiled at construction), then without
/// Jacobians, up to a constant, and both.
fn variant_index(flags: DensityFlags) -> usize {
    usize::from(!flags.jacobian) + 2 * usize::from(flags.propto)
}

/// Reads BridgeStan's `data` argument.
fn read_data(data: &str) -> Result<Vec<hbmc::bind::DataSource>, ModelError> {
    let trimmed = data.trim();
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    let lower = trimmed.to_ascii_lowercase();
    if !trimmed.starts_with('{') && (lower.ends_with(".json") || lower.ends_with(".csv")) {
        return hbmc::model::read_data_files(&[trimmed.into()]);
    }
    hbmc::bind::read_source("data.json", data).map(|s| vec![s]).map_err(ModelError::Diagnostics)
}

/// How many output columns belong to parameters, transformed parameters
/// and generated quantities; checks that they come in that order, which
/// `bs_param_names` and `bs_param_constrain` rely on.
fn column_counts(program: &TypedProgram, bound: &BoundModel) -> Result<[usize; 3], String> {
    let block_names = |b: BlockKind| -> HashSet<String> { program.decls(b).map(|d| program.var(d.var).name.clone()).collect() };
    let blocks = [
        block_names(BlockKind::Parameters),
        block_names(BlockKind::TransformedParameters),
        block_names(BlockKind::GeneratedQuantities),
    ];
    let mut counts = [0usize; 3];
    let mut current = 0;
    for column in bound.output_names() {
        let base = hbmc::lower::layout::element_variable(&column);
        let block = blocks.iter().position(|b| b.contains(&base)).ok_or_else(|| {
            format!("internal error: output column `{column}` belongs to no output block")
        })?;
        if block < current {
            return Err(format!("internal error: output column `{column}` is out of block order"));
        }
        current = block;
        counts[block] += 1;
    }
    Ok(counts)
}
