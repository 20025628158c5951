//! Stage 5: the typed program and its bound data lowered to the IR.
//!
//! Lowering runs after binding, so every size is a constant (sizes that
//! depend on transformed data too: see [`sizing`]). Each variable
//! gets a buffer ([`Storage`]): data in the `Data`/`IntData` arenas (filled
//! from the bound data), unconstrained parameters in `Params`, constrained
//! parameters and transformed parameters in `Work` for the log density and
//! in `Out` for the output draw, generated quantities in `Out`.
//!
//! Container expressions are lowered **element by element**: an expression
//! is asked for its element at a multi-index (`expr::lower_elem`), so that
//! `y ~ normal(alpha[pair, grade] + theta[grade] .* t, sigma[grade])`
//! becomes one loop over `obs` with no temporary vectors. Only what cannot
//! be computed element by element (reductions, matrix products) is
//! materialised into a `Work` buffer first.
//!
//! The functions made here are `LogDensity`, `Generate` and
//! `TransformedData`; the `Gradient` function is made from `LogDensity` by
//! the AD pass.

pub(crate) mod builder;
mod beta;
mod call;
mod complex;
mod concat_fns;
mod constructors;
mod csr;
mod declared_constraints;
mod density_ir;
mod dirichlet_multinomial;
mod draw;
mod expr;
mod fill;
mod foreach_copies;
mod fused_product;
mod hoist;
mod inline;
pub mod layout;
mod linalg_fns;
mod link_forms;
mod location_scale;
mod marginalise;
mod matrix_fns;
mod multi_student_t;
mod neg_binomial_2;
mod student_t;
mod normal;
mod ode;
mod algebra;
mod integral;
mod ordinal;
mod positive_densities;
mod propto;
mod counted_densities;
mod simplex;
mod single_assignment;
mod ragged;
mod ranges;
mod read_cells;
mod sizing;
mod small_lkj;
mod small_matrix;
mod stmt;
mod symbols;
mod transform;
mod tuple_columns;
mod unrolled;
mod user_functions;
mod wishart;

use crate::bind::{decl_shape, BoundData, DataStorage};
use crate::check::typed::{TypedDecl, TypedExpr, TypedProgram, VarId};
use crate::diagnostics::Diagnostic;
use crate::ir::{Arena, BufferId, FunctionKind, Module, ScalarType, Value};
use crate::syntax::ast::BlockKind;
use crate::syntax::span::Span;
use builder::FnBuilder;
use std::collections::{HashMap, HashSet};
pub use symbols::SymbolTable;

/// Where one variable's values live in the function being lowered.
#[derive(Clone, Debug, PartialEq)]
pub struct Storage {
    pub buf: BufferId,
    /// Every axis, array axes first.
    pub shape: Vec<usize>,
    /// How many leading axes are array axes.
    pub array_rank: usize,
    pub ty: ScalarType,
}

/// One parameter's place in the unconstrained vector.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamLayout {
    pub var: VarId,
    pub name: String,
    /// Offset and length in the unconstrained vector.
    pub offset: usize,
    pub len: usize,
    /// The constrained shape.
    pub shape: Vec<usize>,
}

/// A model lowered to IR with its memory layout and initial contents.
#[derive(Clone, Debug)]
pub struct LoweredModel {
    pub module: Module,
    /// The initial `Data` and `IntData` arenas: data values; transformed
    /// data are filled by running the `TransformedData` function.
    pub data_init: Vec<f64>,
    pub int_data_init: Vec<i64>,
    pub params: Vec<ParamLayout>,
    /// The number of unconstrained parameters.
    pub dim: usize,
    /// The output variables (parameters, transformed parameters, generated
    /// quantities) in output order, from which the column names are built.
    pub outputs: Vec<layout::OutputVar>,
    /// For each output column (CmdStan order), its index in the `Out` arena.
    pub output_order: Vec<usize>,
}

impl LoweredModel {
    /// CmdStan column names of the output draw, in CmdStan order (built on
    /// each call: see [`layout::OutputVar`]).
    pub fn output_names(&self) -> Vec<String> {
        self.outputs.iter().flat_map(layout::OutputVar::cmdstan_names).collect()
    }

    /// The same columns labelled with dims (`theta[grade=2]`).
    pub fn output_labels(&self) -> Vec<String> {
        self.outputs.iter().flat_map(layout::OutputVar::labelled_names).collect()
    }
}

/// Why lowering failed: a construct this version cannot compile yet, an
/// invariant the checker should have guaranteed, arguments whose sizes
/// (known once the data are bound) disagree, transformed data that fail
/// where a size is computed from them, or parameter bounds the data put in
/// the wrong order.
#[derive(Clone, Debug, PartialEq)]
pub struct LowerError {
    pub span: Span,
    pub message: String,
    pub kind: LowerErrorKind,
}

/// Whose fault a [`LowerError`] is, which fixes its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LowerErrorKind {
    /// Not supported by this version (E5001).
    Unsupported,
    /// The arguments' sizes disagree (E5003): the program is wrong, not hbmc.
    Sizes,
    /// The transformed data statements run to size a declaration failed
    /// (E4052): the program or its data is wrong, not hbmc.
    TransformedData,
    /// A parameter's lower bound from the data is not below its upper
    /// (E4033): the data are wrong.
    BoundsOrder,
    /// A size the data make negative (E4051): the data are wrong.
    NegativeSize,
    /// Sizes the data make so large that the variable could not be held
    /// (E4053): the data are wrong, or the program sizes by the wrong value.
    TooLarge,
}

impl LowerError {
    /// A construct not yet supported by lowering.
    pub fn unsupported(span: Span, what: impl Into<String>) -> LowerError {
        LowerError { span, message: what.into(), kind: LowerErrorKind::Unsupported }
    }

    /// The transformed data statements before a declaration, run to
    /// compute its size, failed with `why`.
    pub fn transformed_data(span: Span, why: impl Into<String>) -> LowerError {
        LowerError { span, message: why.into(), kind: LowerErrorKind::TransformedData }
    }

    /// Arguments of sizes the function does not accept together (`what`
    /// names them and says what would be right). Stan rejects these when
    /// the program runs; here every size is known once the data are bound.
    pub fn sizes(span: Span, what: impl Into<String>) -> LowerError {
        LowerError { span, message: what.into(), kind: LowerErrorKind::Sizes }
    }

    /// A parameter's bounds that the data put in the wrong order.
    pub fn bounds_order(span: Span, what: impl Into<String>) -> LowerError {
        LowerError { span, message: what.into(), kind: LowerErrorKind::BoundsOrder }
    }

    /// A declared size that the data make negative (`what` says which).
    pub fn negative_size(span: Span, what: impl Into<String>) -> LowerError {
        LowerError { span, message: what.into(), kind: LowerErrorKind::NegativeSize }
    }

    /// A variable whose sizes make more elements than [`MAX_ELEMENTS`].
    pub fn too_large(span: Span, what: impl Into<String>) -> LowerError {
        LowerError { span, message: what.into(), kind: LowerErrorKind::TooLarge }
    }

    fn into_diagnostic(self) -> Diagnostic {
        match self.kind {
            LowerErrorKind::NegativeSize => Diagnostic::error("E4051", self.message)
                .with_label(self.span, "this size is negative")
                .with_help("sizes must be 0 or more; check the data this size is computed from"),
            LowerErrorKind::TooLarge => Diagnostic::error("E4053", self.message)
                .with_label(self.span, "declared here")
                .with_help(format!(
                    "a variable holds at most {MAX_ELEMENTS} elements (Stan's largest `int`, 16 GiB of reals); check the data its sizes are computed from"
                )),
            LowerErrorKind::TransformedData => {
                Diagnostic::error("E4052", format!("transformed data could not be computed to size the program: {}", self.message))
                    .with_label(self.span, "its size is computed by the statements before it")
                    .with_help("the transformed data statements before this declaration fail with these data")
            }
            LowerErrorKind::Sizes => Diagnostic::error("E5003", format!("the arguments' sizes disagree: {}", self.message))
                .with_label(self.span, "these sizes do not go together")
                .with_help("the sizes come from the data; Stan would reject every evaluation of this call"),
            LowerErrorKind::BoundsOrder => Diagnostic::error("E4033", self.message)
                .with_label(self.span, "these bounds")
                .with_help("a bounded parameter needs lower < upper (Stan's lub_constrain rejects the model otherwise): check the data that give them"),
            LowerErrorKind::Unsupported => Diagnostic::error("E5001", format!("not supported by the compiler yet: {}", self.message))
                .with_label(self.span, "cannot be compiled yet")
                .with_help("`hbmc check` accepts this program, but code generation for it is not implemented yet; see docs/language.md"),
        }
    }
}

/// The most elements one variable may hold: Stan's largest `int`, so no
/// size Stan accepts is refused, and sizes past it (a mistyped or
/// overflowed size in the data) get an error, not hours of lowering or an
/// allocation that fails.
pub const MAX_ELEMENTS: usize = i32::MAX as usize;

/// Result of lowering steps.
pub type LowerResult<T> = Result<T, LowerError>;

/// Lowers a checked program with its bound data.
pub fn lower_model(program: &TypedProgram, bound: &BoundData) -> Result<LoweredModel, Vec<Diagnostic>> {
    lower_model_with(program, bound, LowerOptions::default())
}

/// Choices of how to lower.
#[derive(Clone, Copy, Debug)]
pub struct LowerOptions {
    /// Whether the log density adds the log-Jacobians of the parameters'
    /// constraining transforms; without them it is the density of the
    /// constrained parameters at the point, as BridgeStan's
    /// `jacobian=false` and optimisation want it.
    pub jacobian: bool,
    /// Small fixed-size matrices are held in values and their routines
    /// unrolled (`small_matrix`); off, they take the library routines, the
    /// reference the unrolled code is tested against (same results).
    pub unroll_small_matrices: bool,
    /// Whether the log density is up to a constant, as Stan's `propto`:
    /// sampling statements and `_lupdf`/`_lupmf` drop their terms that do
    /// not depend on parameters (see `lower/propto.rs`). Off, every term is kept
    /// (the full log density, what `hbmc run` samples).
    pub propto: bool,
    /// Whether the log density stores a transformed parameter only at the
    /// cells it reads, when the data fix them (`read_cells`); off, every
    /// cell is stored, the reference this is tested against.
    pub only_cells_read: bool,
    /// Every ODE solve at these controls (relative tolerance, absolute
    /// tolerance, maximum steps) instead of the program's: `hbmc
    /// gradcheck` solves tightly so that finite differences measure the
    /// gradient rather than the solver's error.
    pub ode_controls: Option<OdeControls>,
    /// Whether the log density's loop invariants are computed once, before
    /// their loops (`ir::licm`); off, every statement stays where it was
    /// lowered, the reference this is tested against.
    pub hoist_loop_invariants: bool,
    /// Compute what an inner loop computes the same in every iteration of
    /// the loop around it into tables before that loop (`ir::tabulate`;
    /// default true). Tests turn it off to compare.
    pub tabulate_inner_invariants: bool,
    /// Compute what the log density's loops compute from the data alone
    /// (`lgamma(n + 1)`, `log(y)`) into tables when the data are bound
    /// (`ir::data_tables`; default true). Tests turn it off to compare.
    pub tabulate_data_terms: bool,
    /// Seed of what `_rng` functions draw in `transformed data`
    /// ([`transformed_data_rng`]), here for the run that sizes the program
    /// from them; default [`TRANSFORMED_DATA_SEED`].
    pub transformed_data_seed: u64,
    /// Whether an `if` whose condition the bound data fix lowers only the
    /// arm taken (default true). Off for the systems of the solvers
    /// (`lower/ode.rs`), whose data are placeholders the solver overwrites
    /// at run time (the time, the arguments).
    pub fold_data_conditions: bool,
}

/// The seed of `transformed data`'s draws when none is given.
pub const TRANSFORMED_DATA_SEED: u64 = 0;

/// The generator `transformed data` draws from with `seed`: one stream for
/// every chain (as CmdStan draws them once, from the run's seed), apart
/// from the chains' own streams (numbered from 0), and the same wherever
/// the block runs (sizing the program, then binding), so both see the same
/// values.
pub fn transformed_data_rng(seed: u64) -> hbmc_stdlib::ChainRng {
    hbmc_stdlib::ChainRng::new(seed, u64::MAX)
}

/// An ODE solver's relative and absolute tolerances and step limit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OdeControls {
    /// Relative tolerance.
    pub rel_tol: f64,
    /// Absolute tolerance.
    pub abs_tol: f64,
    /// Most steps between two output times.
    pub max_num_steps: f64,
}

impl Default for LowerOptions {
    fn default() -> LowerOptions {
        LowerOptions { jacobian: true, unroll_small_matrices: true, propto: false, only_cells_read: true, ode_controls: None, hoist_loop_invariants: true, tabulate_inner_invariants: true, tabulate_data_terms: true, transformed_data_seed: TRANSFORMED_DATA_SEED, fold_data_conditions: true }
    }
}

/// [`lower_model`] with explicit [`LowerOptions`].
pub fn lower_model_with(program: &TypedProgram, bound: &BoundData, options: LowerOptions) -> Result<LoweredModel, Vec<Diagnostic>> {
    let symbols = SymbolTable::from_stdlib();
    // `int t; t = e;` as `int t = e;`, held in a value.
    let moved = single_assignment::declare_at_single_assignments(program);
    let program = moved.as_ref().unwrap_or(program);
    let extended;
    let sized = if sizing::reads_transformed_data_ints(program) {
        extended = sizing::with_transformed_data(program, bound, &symbols, options.transformed_data_seed)?;
        &extended
    } else {
        bound
    };
    // Run-time-length vectors taken element by element become loops first.
    let mut first = Lowerer::new(program, bound, sized, &symbols);
    first.transformed_data_seed = options.transformed_data_seed;
    let rewritten = ragged::rewrite(&mut first, sized, bound).map_err(|e| {
        let mut diags = vec![e.into_diagnostic()];
        if let Some(home) = program.prelude_home {
            home.relocate(&mut diags);
        }
        diags
    })?;
    let program = rewritten.as_ref().unwrap_or(program);
    let mut l = Lowerer::new(program, bound, sized, &symbols);
    l.transformed_data_seed = options.transformed_data_seed;
    l.jacobian = options.jacobian;
    l.unroll_small = options.unroll_small_matrices;
    l.propto = options.propto;
    l.only_cells_read = options.only_cells_read;
    l.ode_controls = options.ode_controls;
    l.fold_conditions = options.fold_data_conditions;
    l.lower_all().map_err(|e| {
        let mut diags = vec![e.into_diagnostic()];
        if let Some(home) = program.prelude_home {
            home.relocate(&mut diags);
        }
        diags
    })?;
    let mut lowered = l.finish();
    if options.hoist_loop_invariants {
        // Before AD, so that the gradient is generated from the hoisted form.
        crate::ir::licm::hoist_loop_invariants(&mut lowered.module);
    }
    if options.tabulate_data_terms {
        // After licm, which moves what is the same in every iteration, and
        // before the inner-loop tables, which would take data-only values
        // into tables filled on every evaluation.
        crate::ir::data_tables::tabulate_data_terms(&mut lowered.module, &lowered.int_data_init);
    }
    if options.tabulate_inner_invariants {
        // After licm, which leaves what varies with the inner loop alone.
        crate::ir::tabulate::tabulate_inner_invariants(&mut lowered.module, &lowered.int_data_init);
    }
    Ok(lowered)
}

/// The lowering state shared by every function of the module.
pub(crate) struct Lowerer<'a> {
    pub program: &'a TypedProgram,
    /// The data that sizes and constants are read from: the bound data
    /// while transformed data are lowered, then `sized`.
    pub bound: &'a BoundData,
    /// The bound data with the values of transformed data when later sizes
    /// depend on them (see [`sizing`]), else the bound data.
    sized: &'a BoundData,
    pub symbols: &'a SymbolTable,
    pub module: Module,
    data_init: Vec<f64>,
    int_data_init: Vec<i64>,
    /// Storage of global variables shared by all functions (data,
    /// transformed data, unconstrained parameters).
    globals: HashMap<VarId, Storage>,
    /// Storage visible in the function being built.
    pub storage: HashMap<VarId, Storage>,
    /// Variables held in SSA values (loop variables, single-assignment scalars).
    pub scalars: HashMap<VarId, Value>,
    /// Shapes of every declared variable, evaluated once.
    shapes: HashMap<VarId, Vec<usize>>,
    pub fb: FnBuilder,
    params: Vec<ParamLayout>,
    pub outputs: Vec<(VarId, BufferId)>,
    /// Variables assigned anywhere after their declaration.
    pub assigned: HashSet<VarId>,
    /// Subexpressions of the statement being lowered already computed into
    /// a buffer ahead of its element loop (see `hoist`), by address: the
    /// typed program outlives the lowering and is not moved during it.
    hoisted: HashMap<*const TypedExpr, Storage>,
    /// Transformed parameters the function computes where they are read
    /// (see [`inline`]), with their defining expressions.
    pub inlined: HashMap<VarId, crate::check::typed::TypedExpr>,
    /// Local vectors filled by a loop that the function computes where
    /// they are read (see [`fill`]).
    filled: HashMap<VarId, fill::FilledLocal>,
    /// Transformed parameters the log density stores only at the cells it
    /// reads (see [`read_cells`]).
    read_cells: HashMap<VarId, read_cells::ReadCells>,
    /// Statements of the transformed parameters (by span) the log density
    /// leaves out: they store only at cells it never reads (see
    /// [`read_cells`]).
    unread_stores: HashSet<(usize, usize)>,
    /// Inclusive ranges of the values of loop variables with constant
    /// bounds (see [`ranges`]).
    loop_ranges: HashMap<VarId, (i64, i64)>,
    /// Smallest and largest value of each integer data variable, computed
    /// when first asked (see [`ranges`]).
    data_ranges: HashMap<VarId, Option<(i64, i64)>>,
    /// 1-based index values made from a 0-based one (`i + 1`, see
    /// [`fill`]), with that 0-based value, so that indexing by them does
    /// not subtract the 1 again.
    one_based: HashMap<Value, Value>,
    /// Int scalars declared with a value and never assigned again, with
    /// that value: sizes may read them (see [`sizing`]).
    constant_ints: HashMap<VarId, TypedExpr>,
    /// Whether the log density adds the transforms' log-Jacobians.
    pub jacobian: bool,
    /// Small local vectors and matrices held in values ([`small_matrix`]).
    small: HashMap<VarId, small_matrix::SmallValue>,
    /// Small subexpressions of the statement being lowered, computed into
    /// values ahead of its element loop (as `hoisted`).
    hoisted_small: HashMap<*const TypedExpr, small_matrix::SmallValue>,
    /// Variables used as the factor of `multi_normal_cholesky`.
    factor_vars: HashSet<VarId>,
    /// `Σ log L_ii` of those held in values, computed where declared.
    factor_facts: HashMap<VarId, small_matrix::FactorFacts>,
    /// Whether small matrices are unrolled ([`LowerOptions`]).
    unroll_small: bool,
    /// Whether transformed parameters are stored only at the cells read
    /// ([`LowerOptions`]).
    only_cells_read: bool,
    /// [`LowerOptions::fold_data_conditions`].
    fold_conditions: bool,
    /// Whether sampling statements drop their constant terms ([`LowerOptions`]).
    pub propto: bool,
    /// The ODE controls every solve takes instead of the program's ([`LowerOptions`]).
    ode_controls: Option<OdeControls>,
    /// The seed of `transformed data`'s draws ([`LowerOptions`]).
    transformed_data_seed: u64,
    /// Dropped terms of data only, computed with the transformed data
    /// once the log density is lowered (`propto`).
    deferred_constants: Vec<propto::DeferredConstant>,
    /// The ODE system of each ODE call already lowered (by its solver,
    /// number of output times and program, `lower/ode.rs`), so that every
    /// function of the module solves the same one.
    ode_systems: HashMap<String, usize>,
    /// While a complex value's part is read through the ordinary element
    /// path: 0 the real part, 1 the imaginary part (see [`complex`]).
    complex_part: Option<usize>,
}

impl<'a> Lowerer<'a> {
    fn new(program: &'a TypedProgram, bound: &'a BoundData, sized: &'a BoundData, symbols: &'a SymbolTable) -> Lowerer<'a> {
        let assigned = assigned_vars(program);
        Lowerer {
            constant_ints: sizing::constant_int_inits(program, &assigned),
            program,
            bound,
            sized,
            symbols,
            module: Module { buffers: Vec::new(), arena_sizes: Default::default(), functions: Vec::new(), odes: Vec::new() },
            data_init: Vec::new(),
            int_data_init: Vec::new(),
            globals: HashMap::new(),
            storage: HashMap::new(),
            scalars: HashMap::new(),
            shapes: HashMap::new(),
            fb: FnBuilder::new(FunctionKind::LogDensity),
            params: Vec::new(),
            outputs: Vec::new(),
            assigned,
            hoisted: HashMap::new(),
            inlined: HashMap::new(),
            jacobian: true,
            small: HashMap::new(),
            hoisted_small: HashMap::new(),
            factor_vars: small_matrix::cholesky_factor_vars(program),
            factor_facts: HashMap::new(),
            unroll_small: true,
            only_cells_read: true,
            fold_conditions: true,
            propto: false,
            ode_controls: None,
            transformed_data_seed: TRANSFORMED_DATA_SEED,
            deferred_constants: Vec::new(),
            ode_systems: HashMap::new(),
            filled: HashMap::new(),
            read_cells: HashMap::new(),
            unread_stores: HashSet::new(),
            loop_ranges: HashMap::new(),
            data_ranges: HashMap::new(),
            one_based: HashMap::new(),
            complex_part: None,
        }
    }

    fn lower_all(&mut self) -> LowerResult<()> {
        self.lower_user_functions()?;
        self.lay_out_data()?;
        self.lower_transformed_data()?;
        self.bound = self.sized;
        self.lay_out_params()?;
        self.lower_function(FunctionKind::LogDensity)?;
        self.lower_deferred_constants()?;
        self.lower_function(FunctionKind::Generate)?;
        self.lower_unconstrain()?;
        Ok(())
    }

    fn finish(self) -> LoweredModel {
        let dim = self.module.arena_sizes.params;
        let mut outputs = Vec::new();
        let mut order = Vec::new();
        let dim_labels = |d: usize| self.bound.dim_labels(d).map(<[String]>::to_vec);
        // Tuples' element variables, written together in CmdStan's order
        // where the first of them comes.
        let by_name: HashMap<&str, (VarId, BufferId)> =
            self.outputs.iter().map(|&(v, b)| (self.program.var(v).name.as_str(), (v, b))).collect();
        let leaf = |name: &str| {
            let &(var, buf) = by_name.get(name)?;
            let info = self.program.var(var);
            let shape = self.shapes.get(&var).cloned().unwrap_or_default();
            Some(tuple_columns::Leaf {
                var: layout::OutputVar::new(&info.name, &info.ty, &shape, &self.program.dims, &dim_labels),
                ty: info.ty.clone(),
                base: self.module.buffer(buf).offset,
            })
        };
        let mut tuple_of: HashMap<&str, usize> = HashMap::new();
        let mut tuples = Vec::new();
        for t in &self.program.tuple_outputs {
            if let Some(columns) = tuple_columns::tuple_columns(t, &leaf) {
                for l in t.node.leaves() {
                    tuple_of.insert(l, tuples.len());
                }
                tuples.push((t, Some(columns)));
            }
        }
        for (var, buf) in &self.outputs {
            let info = self.program.var(*var);
            if let Some(&k) = tuple_of.get(info.name.as_str()) {
                if let Some(columns) = tuples[k].1.take() {
                    order.extend(columns.positions);
                    let mut v = layout::OutputVar::new(&tuples[k].0.name, &crate::check::types::Type::real(), &[], &self.program.dims, &dim_labels);
                    v.tuple = Some((columns.names, columns.labels));
                    outputs.push(v);
                }
                continue;
            }
            let shape = self.shapes.get(var).cloned().unwrap_or_default();
            let rank = info.ty.array.len();
            let base = self.module.buffer(*buf).offset;
            outputs.push(layout::OutputVar::new(&info.name, &info.ty, &shape, &self.program.dims, &dim_labels));
            if info.ty.is_complex_valued() {
                // Each element's real then imaginary part (CmdStan's
                // `z.1.real`, `z.1.imag`), elements in CmdStan order.
                let stored = complex::storage_shape(&info.ty, &shape);
                layout::for_each_index(&shape, |ix| {
                    for part in 1..=2 {
                        let mut full = ix.to_vec();
                        full.insert(rank, part);
                        order.push(base + layout::memory_offset(&stored, rank, &full));
                    }
                });
                continue;
            }
            layout::for_each_index(&shape, |ix| order.push(base + layout::memory_offset(&shape, rank, ix)));
        }
        LoweredModel {
            module: self.module,
            data_init: self.data_init,
            int_data_init: self.int_data_init,
            params: self.params,
            dim,
            outputs,
            output_order: order,
        }
    }

    /// The declared shape of a variable that has no storage yet (the
    /// run-time-length rewrite reads sizes before any is laid out), when
    /// its declaration's sizes are known when the model is compiled (see
    /// [`Lowerer::shape_of_decl`]); `None` for other sizes (a local sized
    /// in a loop).
    fn declared_shape(&mut self, var: VarId) -> Option<Vec<usize>> {
        if let Some(s) = self.shapes.get(&var) {
            return Some(s.clone());
        }
        let program = self.program;
        let mut found = None;
        for s in program.blocks.iter().flat_map(|b| &b.stmts) {
            s.for_each_stmt(&mut |t| match &t.kind {
                crate::check::typed::TypedStmtKind::Decl(d) if d.var == var => found = Some(d),
                _ => {}
            });
        }
        // As a laid-out variable's: from the data, or from earlier values
        // (an inlined function's local sized by `size(x)` of an argument).
        self.shape_of_decl(found?).ok()
    }

    /// The declared shape of a variable (every axis).
    pub fn shape_of_decl(&mut self, decl: &TypedDecl) -> LowerResult<Vec<usize>> {
        if let Some(s) = self.shapes.get(&decl.var) {
            return Ok(s.clone());
        }
        let shape = match decl_shape(self.program, self.bound, decl) {
            Ok(shape) => shape,
            // A negative size is the data's fault, not a size the compiler
            // cannot compute.
            Err(d) if d.code == "E4051" => {
                let span = d.labels.first().map_or(decl.span, |l| l.span);
                return Err(LowerError::negative_size(span, d.message));
            }
            Err(d) => self.shape_from_earlier_values(decl).map_err(|run_error| {
                // An inlined user function's locals are renamed `name__fN`.
                let name = &self.program.var(decl.var).name;
                let message = match (name.split_once("__f"), run_error) {
                    (Some((local, _)), _) => format!(
                        "the local `{local}` of a user function is sized by an argument whose size changes from call to call in a way not supported: such a local is compiled once per size when the size is one length read from the data (as `m[ii[n]]`) taking at most {} values (docs/language.md, \"Run-time lengths\")", ragged::MAX_LENGTHS
                    ),
                    (None, Some(e)) => return LowerError::transformed_data(decl.span, format!("the size of `{name}`: {e}")),
                    (None, None) => format!("a size that is not a constant of the data and transformed data ({})", d.message),
                };
                LowerError::unsupported(decl.span, message)
            })?,
        };
        let elements = shape.iter().try_fold(1usize, |n, &k| n.checked_mul(k)).filter(|&n| n <= MAX_ELEMENTS);
        if elements.is_none() && !shape.contains(&0) {
            let name = &self.program.var(decl.var).name;
            let sizes: Vec<String> = shape.iter().map(usize::to_string).collect();
            return Err(LowerError::too_large(
                decl.span,
                format!("`{name}` would hold more than {MAX_ELEMENTS} elements: its sizes are [{}]", sizes.join(", ")),
            ));
        }
        self.shapes.insert(decl.var, shape.clone());
        Ok(shape)
    }

    /// The scalar type of a variable's elements.
    pub fn elem_type(&self, var: VarId) -> ScalarType {
        if self.program.var(var).ty.is_int_valued() {
            ScalarType::I64
        } else {
            ScalarType::F64
        }
    }

    /// Data: one buffer per variable, filled from the bound values.
    fn lay_out_data(&mut self) -> LowerResult<()> {
        let decls: Vec<TypedDecl> = self.program.decls(BlockKind::Data).cloned().collect();
        for decl in &decls {
            let shape = self.shape_of_decl(decl)?;
            let info = self.program.var(decl.var);
            let ty = self.elem_type(decl.var);
            let value = self
                .bound
                .value(decl.var)
                .ok_or_else(|| LowerError::unsupported(decl.span, format!("data variable `{}` has no bound value", info.name)))?;
            let shape = complex::storage_shape(&info.ty, &shape);
            let len = layout::element_count(&shape);
            let (arena, buf) = match ty {
                ScalarType::I64 => (Arena::IntData, self.module.add_buffer(&info.name, Arena::IntData, len)),
                ScalarType::F64 => (Arena::Data, self.module.add_buffer(&info.name, Arena::Data, len)),
            };
            match (&value.storage, arena) {
                (DataStorage::Ints(v), Arena::IntData) => self.int_data_init.extend_from_slice(v),
                (DataStorage::Ints(v), _) => self.data_init.extend(v.iter().map(|&x| x as f64)),
                (DataStorage::Reals(v), _) => self.data_init.extend_from_slice(v),
            }
            let storage = Storage { buf, shape, array_rank: info.ty.array.len(), ty };
            self.globals.insert(decl.var, storage);
        }
        Ok(())
    }

    /// Transformed data: buffers in the data arenas, filled by the
    /// `TransformedData` function (run once when the model is bound).
    fn lower_transformed_data(&mut self) -> LowerResult<()> {
        self.lower_transformed_data_upto(usize::MAX)
    }

    /// [`Self::lower_transformed_data`] for the first `upto` top-level
    /// statements of the block only.
    fn lower_transformed_data_upto(&mut self, upto: usize) -> LowerResult<()> {
        self.begin_function(FunctionKind::TransformedData);
        let stmts = self.program.block(BlockKind::TransformedData).map(|b| b.stmts.clone()).unwrap_or_default();
        for s in stmts.iter().take(upto) {
            if let crate::check::typed::TypedStmtKind::Decl(decl) = &s.kind {
                let shape = self.shape_of_decl(decl)?;
                let ty = self.elem_type(decl.var);
                let info = self.program.var(decl.var);
                let arena = if ty == ScalarType::I64 { Arena::IntData } else { Arena::Data };
                let shape = complex::storage_shape(&info.ty, &shape);
                let len = layout::element_count(&shape);
                let buf = self.module.add_buffer(&info.name, arena, len);
                match arena {
                    Arena::IntData => self.int_data_init.extend(std::iter::repeat_n(0, len)),
                    _ => self.data_init.extend(std::iter::repeat_n(f64::NAN, len)),
                }
                let storage = Storage { buf, shape, array_rank: info.ty.array.len(), ty };
                self.globals.insert(decl.var, storage.clone());
                self.storage.insert(decl.var, storage);
                self.lower_decl_init(decl)?;
            } else {
                self.lower_stmt(s)?;
            }
        }
        // Stan checks declared constraints once, at the end of the block: a
        // prefix run (sizing a later declaration) stops before statements
        // that fill an earlier constrained variable (`array[N_pos]
        // int<lower=1> n_pos;` filled by a loop further down), so checking
        // them here would reject valid programs.
        if upto >= stmts.len() {
            self.check_declared_constraints(&stmts, "transformed data")?;
        }
        self.end_function();
        Ok(())
    }

    /// Unconstrained parameters, one buffer each in `Params`.
    fn lay_out_params(&mut self) -> LowerResult<()> {
        let decls: Vec<TypedDecl> = self.program.decls(BlockKind::Parameters).cloned().collect();
        for decl in &decls {
            let shape = self.shape_of_decl(decl)?;
            let info = self.program.var(decl.var);
            let len = layout::unconstrained_len(&decl.constraint, &shape, info.ty.array.len());
            let buf = self.module.add_buffer(format!("{}.unconstrained", info.name), Arena::Params, len);
            let offset = self.module.buffer(buf).offset;
            self.params.push(ParamLayout { var: decl.var, name: info.name.clone(), offset, len, shape: shape.clone() });
            self.globals.insert(decl.var, Storage { buf, shape, array_rank: info.ty.array.len(), ty: ScalarType::F64 });
        }
        Ok(())
    }

    fn begin_function(&mut self, kind: FunctionKind) {
        self.fb = FnBuilder::new(kind);
        self.storage = self.globals.clone();
        self.scalars.clear();
        self.inlined.clear();
        self.small.clear();
        self.factor_facts.clear();
        self.filled.clear();
        self.read_cells.clear();
        self.loop_ranges.clear();
        self.one_based.clear();
    }

    fn end_function(&mut self) {
        let fb = std::mem::replace(&mut self.fb, FnBuilder::new(FunctionKind::LogDensity));
        self.module.functions.push(fb.finish());
    }

    /// The kind of the function being built.
    pub fn kind(&self) -> FunctionKind {
        self.fb.kind()
    }

    /// `LogDensity`: transforms, transformed parameters, model.
    /// `Generate`: transforms into `Out`, transformed parameters and
    /// generated quantities into `Out`.
    fn lower_function(&mut self, kind: FunctionKind) -> LowerResult<()> {
        self.begin_function(kind);
        if kind == FunctionKind::LogDensity && self.only_cells_read {
            self.plan_read_cells()?;
        }
        let mut int_outputs: Vec<(Storage, BufferId)> = Vec::new();
        let params: Vec<TypedDecl> = self.program.decls(BlockKind::Parameters).cloned().collect();
        for decl in &params {
            self.lower_param_transform(decl)?;
        }
        for block in [BlockKind::TransformedParameters, BlockKind::Model, BlockKind::GeneratedQuantities] {
            if kind == FunctionKind::LogDensity && block == BlockKind::GeneratedQuantities {
                continue;
            }
            if kind == FunctionKind::Generate && block == BlockKind::Model {
                continue;
            }
            let stmts = self.program.block(block).map(|b| b.stmts.clone()).unwrap_or_default();
            let fused = if block == BlockKind::Model { self.plan_filled_locals(&stmts) } else { HashSet::new() };
            for (i, s) in stmts.iter().enumerate() {
                // A local fused into its reader or a transformed parameter
                // inlined into its uses is never stored: its sizes are
                // checked against its value here.
                if let crate::check::typed::TypedStmtKind::Decl(decl) = &s.kind {
                    self.check_decl_init_sizes(decl)?;
                }
                if fused.contains(&i) {
                    continue;
                }
                match &s.kind {
                    crate::check::typed::TypedStmtKind::Decl(decl)
                        if kind == FunctionKind::LogDensity && block == BlockKind::TransformedParameters && {
                            let model = self.program.block(BlockKind::Model).map(|b| b.stmts.as_slice()).unwrap_or_default();
                            let later: Vec<&crate::check::typed::TypedStmt> = stmts[i + 1..].iter().chain(model).collect();
                            self.inline_transformed_parameter(decl, &later)
                        } =>
                    {
                        if let Some(init) = &decl.init {
                            self.inlined.insert(decl.var, init.clone());
                        }
                    }
                    crate::check::typed::TypedStmtKind::Decl(decl) if block != BlockKind::Model => {
                        let arena = if kind == FunctionKind::Generate { Arena::Out } else { Arena::Work };
                        let storage = self.declare_block_var(decl, arena)?;
                        if kind == FunctionKind::Generate {
                            if storage.ty == ScalarType::I64 {
                                let out = self.module.add_buffer(&self.program.var(decl.var).name, Arena::Out, layout::element_count(&storage.shape));
                                int_outputs.push((storage.clone(), out));
                                self.outputs.push((decl.var, out));
                            } else {
                                self.outputs.push((decl.var, storage.buf));
                            }
                        }
                        self.lower_decl_init(decl)?;
                    }
                    _ => self.lower_stmt(s)?,
                }
            }
            match block {
                BlockKind::TransformedParameters => self.check_declared_constraints(&stmts, "transformed parameter")?,
                BlockKind::GeneratedQuantities => self.check_declared_constraints(&stmts, "generated quantity")?,
                _ => {}
            }
        }
        for (ints, out) in int_outputs {
            let len = layout::element_count(&ints.shape);
            self.loop_n(len, |this, i| {
                let v = this.fb.load(ints.buf, i, ScalarType::I64);
                let x = this.fb.to_f64(v);
                this.fb.store(out, i, x);
                Ok(())
            })?;
        }
        self.end_function();
        Ok(())
    }

    /// Gives a block-level variable a buffer of its own in `arena`.
    pub fn declare_block_var(&mut self, decl: &TypedDecl, arena: Arena) -> LowerResult<Storage> {
        self.declare_var(decl, arena, 0)
    }

    /// Storage for a local of a statement block (in `Work`), of one element
    /// at least: a local of no elements can still be indexed at a constant
    /// in code that never runs (`lp[1] = ...` in the copy of a block for a
    /// run-time length of 0, under `if (n == 1) ... else`), where the range
    /// check rejects first and the access is given index 0 (see
    /// [`Lowerer::range_check`]), which must lie in the buffer.
    pub fn declare_local_var(&mut self, decl: &TypedDecl) -> LowerResult<Storage> {
        self.declare_var(decl, Arena::Work, 1)
    }

    /// Storage for a declaration, its buffer at least `min_len` long.
    fn declare_var(&mut self, decl: &TypedDecl, arena: Arena, min_len: usize) -> LowerResult<Storage> {
        let shape = self.shape_of_decl(decl)?;
        let info = self.program.var(decl.var);
        let ty = self.elem_type(decl.var);
        let arena = match (ty, arena) {
            // Integer outputs are computed in `IntWork` with integer
            // semantics and copied into `Out` at the end of `Generate`.
            (ScalarType::I64, Arena::Work | Arena::Out) => Arena::IntWork,
            (_, a) => a,
        };
        let shape = complex::storage_shape(&info.ty, &shape);
        let buf = self.module.add_buffer(&info.name, arena, layout::element_count(&shape).max(min_len));
        let storage = Storage { buf, shape, array_rank: info.ty.array.len(), ty };
        self.storage.insert(decl.var, storage.clone());
        Ok(storage)
    }
}

/// Every variable that some assignment writes (the root of its left side).
fn assigned_vars(program: &TypedProgram) -> HashSet<VarId> {
    let mut out = HashSet::new();
    for s in program.blocks.iter().flat_map(|b| &b.stmts) {
        s.for_each_stmt(&mut |s| {
            if let crate::check::typed::TypedStmtKind::Assign { lhs, .. } = &s.kind {
                out.extend(assignment_root(lhs));
            }
        });
    }
    out
}

/// The variable an assignment's left side writes (`x` of `x[i, j]`).
fn assignment_root(e: &crate::check::typed::TypedExpr) -> Option<VarId> {
    match &e.kind {
        crate::check::typed::TypedExprKind::Var(v) => Some(*v),
        crate::check::typed::TypedExprKind::Index { base, .. } => assignment_root(base),
        _ => None,
    }
}
