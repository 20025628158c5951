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
//! Within the `transformed data` block itself sizes stay data-only: a
//! transformed data variable's final value need not be its value at the
//! point of a later declaration in that block.

use super::{layout, Lowerer, SymbolTable};
use crate::bind::{BoundData, DataStorage, DataValue};
use crate::check::typed::{TypedProgram, VarId};
use crate::diagnostics::Diagnostic;
use crate::interp;
use crate::ir::arenas::Arenas;
use crate::ir::{FunctionKind, ScalarType};
use crate::syntax::ast::BlockKind;
use std::collections::HashSet;

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
pub(super) fn with_transformed_data(program: &TypedProgram, bound: &BoundData, symbols: &SymbolTable) -> Result<BoundData, Vec<Diagnostic>> {
    let mut l = Lowerer::new(program, bound, bound, symbols);
    l.lay_out_data().map_err(|e| vec![e.into_diagnostic()])?;
    l.lower_transformed_data().map_err(|e| vec![e.into_diagnostic()])?;
    let mut arenas = Arenas::new(&l.module.arena_sizes);
    arenas.data[..l.data_init.len()].copy_from_slice(&l.data_init);
    arenas.int_data[..l.int_data_init.len()].copy_from_slice(&l.int_data_init);
    interp::run(&l.module, FunctionKind::TransformedData, &mut arenas, None).map_err(|e| {
        vec![Diagnostic::error("E4052", format!("transformed data could not be computed to size the program: {e}"))
            .with_help("sizes in later blocks depend on transformed data, which are computed when the data are bound")]
    })?;
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
        let ext = with_transformed_data(&p, &bound, &SymbolTable::from_stdlib()).expect("runs");
        let id = |name: &str| p.vars.iter().position(|v| v.name == name).expect("declared");
        assert_eq!(ext.value(id("K")).and_then(DataValue::as_int), Some(3));
        assert_eq!(ext.value(id("M")).and_then(DataValue::ints), Some(&[3, 6][..]));
        assert_eq!(ext.value(id("v")).and_then(DataValue::reals), Some(&[1.5, 3.0][..]));
        assert_eq!(ext.value(id("N")), bound.value(id("N")));
    }
}
