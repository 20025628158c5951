//! Library functions some of whose arguments must be data: the sparse
//! functions' structure (lowering reads and checks it once the data are
//! bound) and `quantile` (data only in Stan: it has no derivative).

use super::typed::{Level, TypedExpr};
use super::Checker;
use crate::diagnostics::Diagnostic;

/// The arguments of `func` that must be data, with their names for the
/// message, and why.
fn data_arguments(func: &str) -> (&'static [(usize, &'static str)], &'static str) {
    match func {
        "csr_matrix_times_vector" | "csr_to_dense_matrix" => {
            (&[(0, "m"), (1, "n"), (3, "v"), (4, "u")], "the sparse structure is read and checked once the data are bound")
        }
        "csr_extract_w" | "csr_extract_v" | "csr_extract_u" => (
            &[(0, "a")],
            "the result has one element per nonzero entry, so its values must be known with the data",
        ),
        "quantile" => (&[(0, "x"), (1, "p")], "Stan's `quantile` takes data only: it has no derivative"),
        _ => (&[], ""),
    }
}

impl Checker {
    /// Reports (E1002) each argument of a call that must be data and is
    /// not; false when one was reported.
    pub(super) fn check_data_args(&mut self, func: &str, args: &[TypedExpr]) -> bool {
        let (names, why) = data_arguments(func);
        let mut ok = true;
        for &(k, name) in names {
            let Some(arg) = args.get(k).filter(|a| a.level != Level::Data) else { continue };
            self.report(
                Diagnostic::error("E1002", format!("argument `{name}` of `{func}` must be data"))
                    .with_label(arg.span, "depends on parameters")
                    .with_help(why),
            );
            ok = false;
        }
        ok
    }
}
