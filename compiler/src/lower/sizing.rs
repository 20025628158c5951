//! Sizes that depend on transformed data.
//!
//! Transformed data are computed once, before any parameter is read, so
//! their values are constants by the time parameters, transformed
//! parameters, model locals and generated quantities are laid out. When
//! such a size (or a `rep_vector` length, a `segment` bound, ...) mentions a
//! transformed data variable, lowering first builds the `TransformedData`
//! function alone, runs it with the reference interpreter, and lowers the
//! rest of the program against the data extended with those values.
//!
//! Within the `transformed data` block, and in local blocks anywhere, a
//! size may read:
//! - an int scalar declared with a value and never assigned again
//!   (`int Kc = K - 1; matrix[N, Kc] Xc;`): its value is that expression
//!   wherever it is read, so the size is folded from it;
//! - any transformed data variable computed by earlier top-level
//!   statements of the block (`int n = 0; for (...) n += 1; vector[n] v;`):
//!   its final value need not be its value at the later declaration, so
//!   the statements before that declaration are lowered and run alone.

use super::{layout, Lowerer, SymbolTable};
use crate::bind::{BoundData, DataStorage, DataValue};
use crate::bind::decl_shape;
use crate::check::typed::{Size, TypedDecl, TypedExpr, TypedProgram, TypedStmt, TypedStmtKind, VarId};
use crate::diagnostics::Diagnostic;
use crate::interp;
use crate::ir::arenas::Arenas;
use crate::ir::{FunctionKind, ScalarType};
use crate::syntax::ast::BlockKind;
use std::collections::{HashMap, HashSet};

/// Every int scalar declared with a value and never assigned afterwards,
/// in any block, with its value expression.
pub(super) fn constant_int_inits(program: &TypedProgram, assigned: &HashSet<VarId>) -> HashMap<VarId, TypedExpr> {
    fn walk(s: &TypedStmt, program: &TypedProgram, assigned: &HashSet<VarId>, out: &mut HashMap<VarId, TypedExpr>) {
        match &s.kind {
            TypedStmtKind::Decl(d) => {
                let info = program.var(d.var);
                if let (Some(init), true, true, false) =
                    (&d.init, info.ty.is_int_valued(), d.sizes.is_empty(), assigned.contains(&d.var))
                {
                    out.insert(d.var, init.clone());
                }
            }
            TypedStmtKind::For { body, .. }
            | TypedStmtKind::ForDim { body, .. }
            | TypedStmtKind::ForEach { body, .. }
            | TypedStmtKind::While { body, .. } => walk(body, program, assigned, out),
            TypedStmtKind::If { then, otherwise, .. } => {
                walk(then, program, assigned, out);
                if let Some(o) = otherwise {
                    walk(o, program, assigned, out);
                }
            }
            TypedStmtKind::Block(stmts) => stmts.iter().for_each(|s| walk(s, program, assigned, out)),
            _ => {}
        }
    }
    let mut out = HashMap::new();
    for b in &program.blocks {
        for s in &b.stmts {
            walk(s, program, assigned, &mut out);
        }
    }
    out
}

impl Lowerer<'_> {
    /// The value expression of an int scalar that is never assigned after
    /// its declaration.
    pub(super) fn constant_int(&self, var: VarId) -> Option<TypedExpr> {
        self.constant_ints.get(&var).cloned()
    }

    /// The shape of a declaration whose sizes are not data-only: folded
    /// from constant ints, or else, for a top-level transformed data
    /// declaration, from the values the statements before it compute.
    /// `Err` holds why those statements could not be run, when that is
    /// the reason (a `reject`, an index out of range), for the message.
    pub(super) fn shape_from_earlier_values(&mut self, decl: &TypedDecl) -> Result<Vec<usize>, Option<String>> {
        let folded: Option<Vec<usize>> = decl
            .sizes
            .iter()
            .map(|s| match s {
                Size::Dim(d) => self.bound.dim_sizes.get(*d).copied(),
                Size::Expr(e) => self.const_int(e).ok().and_then(|n| usize::try_from(n).ok()),
            })
            .collect();
        if let Some(shape) = folded {
            return Ok(shape);
        }
        let Some(stmts) = self.program.block(BlockKind::TransformedData).map(|b| &b.stmts) else { return Err(None) };
        let Some(at) = stmts.iter().position(|s| matches!(&s.kind, TypedStmtKind::Decl(d) if d.var == decl.var)) else { return Err(None) };
        let earlier = match run_transformed_data(self.program, self.bound, self.symbols, at, self.transformed_data_seed) {
            Ok(earlier) => earlier,
            Err(EarlyRunError::Run(e)) => return Err(Some(e)),
            Err(EarlyRunError::Lower(_)) => return Err(None),
        };
        decl_shape(self.program, &earlier, decl).map_err(|_| None)
    }
}

/// Whether a block after `transformed data` mentions an integer
/// transformed data variable: only then can a size depend on one, and only
/// then is the transformed data run at lowering time.
pub(super) fn reads_transformed_data_ints(program: &TypedProgram) -> bool {
    let ints: HashSet<VarId> = program
        .decls(BlockKind::TransformedData)
        .map(|d| d.var)
        .filter(|&v| program.var(v).ty.is_int_valued())
        .collect();
    if ints.is_empty() {
        return false;
    }
    let later = [BlockKind::Parameters, BlockKind::TransformedParameters, BlockKind::Model, BlockKind::GeneratedQuantities];
    program
        .blocks
        .iter()
        .filter(|b| later.contains(&b.kind))
        .flat_map(|b| b.stmts.iter())
        .any(|s| s.mentions(|v| ints.contains(&v)))
}

/// The bound data extended with the value of every top-level transformed
/// data variable, computed by the reference interpreter.
pub(super) fn with_transformed_data(program: &TypedProgram, bound: &BoundData, symbols: &SymbolTable, seed: u64) -> Result<BoundData, Vec<Diagnostic>> {
    run_transformed_data(program, bound, symbols, usize::MAX, seed).map_err(|e| match e {
        EarlyRunError::Lower(e) => vec![e.into_diagnostic()],
        EarlyRunError::Run(e) => vec![Diagnostic::error("E4052", format!("transformed data could not be computed to size the program: {e}"))
            .with_help("sizes in later blocks depend on transformed data, which are computed when the data are bound")],
    })
}

/// Why transformed data could not be computed at lowering time.
enum EarlyRunError {
    Lower(super::LowerError),
    Run(String),
}

/// The bound data extended with the value of every top-level transformed
/// data variable after the first `upto` top-level statements of the block
/// (all of them with `usize::MAX`), computed by the reference interpreter.
fn run_transformed_data(program: &TypedProgram, bound: &BoundData, symbols: &SymbolTable, upto: usize, seed: u64) -> Result<BoundData, EarlyRunError> {
    let mut l = Lowerer::new(program, bound, bound, symbols);
    // Sizes inside the block come from earlier runs of it with the same draws.
    l.transformed_data_seed = seed;
    l.lower_user_functions().map_err(EarlyRunError::Lower)?;
    l.lay_out_data().map_err(EarlyRunError::Lower)?;
    l.lower_transformed_data_upto(upto).map_err(EarlyRunError::Lower)?;
    let mut arenas = Arenas::new(&l.module.arena_sizes);
    arenas.data[..l.data_init.len()].copy_from_slice(&l.data_init);
    arenas.int_data[..l.int_data_init.len()].copy_from_slice(&l.int_data_init);
    let mut rng = super::transformed_data_rng(seed);
    interp::run(&l.module, FunctionKind::TransformedData, &mut arenas, Some(&mut rng)).map_err(|e| EarlyRunError::Run(e.to_string()))?;
    let mut extended = bound.clone();
    for decl in program.decls(BlockKind::TransformedData) {
        // Every top-level transformed data declaration got global storage
        // in `lower_transformed_data`.
        let Some(storage) = l.globals.get(&decl.var) else { continue };
        let start = l.module.buffer(storage.buf).offset;
        let range = start..start + layout::element_count(&storage.shape);
        let values = match storage.ty {
            ScalarType::I64 => DataStorage::Ints(arenas.int_data[range].to_vec()),
            ScalarType::F64 => DataStorage::Reals(arenas.data[range].to_vec()),
        };
        let value = DataValue { shape: storage.shape.clone(), array_rank: storage.array_rank, storage: values };
        if let Some(slot) = extended.values.get_mut(decl.var) {
            *slot = Some(value);
        }
    }
    Ok(extended)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bind::{bind_data, read_source};

    fn program(source: &str) -> TypedProgram {
        let fe = crate::front_end(source);
        fe.typed.unwrap_or_else(|| panic!("checks: {:?}", fe.diagnostics))
    }

    /// The transformed data are run at lowering time only when a later
    /// block reads one of their ints.
    #[test]
    fn only_ints_read_after_transformed_data_trigger_the_early_run() {
        let reads = "data { int N; } transformed data { int K = N - 1; } parameters { vector[K] b; } model { }";
        let loop_only = "data { int N; } transformed data { int K = N - 1; } parameters { real a; } model { for (i in 1:K) a ~ normal(0, 1); }";
        let unused = "data { int N; } transformed data { int K = N - 1; real x = K; } parameters { vector[N] b; } model { b ~ normal(x, 1); }";
        let no_td = "data { int N; } parameters { vector[N] b; } model { }";
        assert!(reads_transformed_data_ints(&program(reads)));
        assert!(reads_transformed_data_ints(&program(loop_only)));
        assert!(!reads_transformed_data_ints(&program(unused)));
        assert!(!reads_transformed_data_ints(&program(no_td)));
    }

    /// Every top-level transformed data variable gets its computed value,
    /// ints and reals, scalars and containers.
    #[test]
    fn transformed_data_values_extend_the_bound_data() {
        let p = program("data { int N; } transformed data { int K = N - 1; array[2] int M = {K, 2 * K}; vector[2] v = [1.5, K]'; }");
        let (bound, diags) = bind_data(&p, &[read_source("d.json", r#"{"N": 4}"#).expect("reads")]);
        let bound = bound.unwrap_or_else(|| panic!("binds: {diags:?}"));
        let ext = with_transformed_data(&p, &bound, &SymbolTable::from_stdlib(), crate::lower::TRANSFORMED_DATA_SEED).expect("runs");
        let id = |name: &str| p.vars.iter().position(|v| v.name == name).expect("declared");
        assert_eq!(ext.value(id("K")).and_then(DataValue::as_int), Some(3));
        assert_eq!(ext.value(id("M")).and_then(DataValue::ints), Some(&[3, 6][..]));
        assert_eq!(ext.value(id("v")).and_then(DataValue::reals), Some(&[1.5, 3.0][..]));
        assert_eq!(ext.value(id("N")), bound.value(id("N")));
    }
}
