//! Stan's sparse matrix functions in compressed row storage (`w` the
//! nonzero values row by row, `v` their 1-based columns, `u` where each
//! row starts in `w`): the arguments that must be data, because lowering
//! reads their values to lay out and check the sparse structure.

use super::typed::{Level, TypedExpr};
use super::Checker;
use crate::diagnostics::Diagnostic;

/// The arguments of a sparse function that must be data, with their
/// names for the message.
fn data_arguments(func: &str) -> &'static [(usize, &'static str)] {
    match func {
        "csr_matrix_times_vector" | "csr_to_dense_matrix" => &[(0, "m"), (1, "n"), (3, "v"), (4, "u")],
        // The result's size is the matrix's number of nonzero entries.
        "csr_extract_w" | "csr_extract_v" | "csr_extract_u" => &[(0, "a")],
        _ => &[],
    }
}

impl Checker {
    /// Reports (E1002) each argument of a sparse function call that must be
    /// data and is not; false when one was reported.
    pub(super) fn check_csr_data_args(&mut self, func: &str, args: &[TypedExpr]) -> bool {
        let mut ok = true;
        for &(k, name) in data_arguments(func) {
            let Some(arg) = args.get(k).filter(|a| a.level != Level::Data) else { continue };
            let why = if func.starts_with("csr_extract") {
                "the result has one element per nonzero entry, so its values must be known with the data"
            } else {
                "the sparse structure is read and checked once the data are bound"
            };
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

/// The message for `csr_extract(a)`, which returns a tuple `(w, v, u)`:
/// hbmc has no tuples.
pub fn tuple_refusal(func: &str) -> Option<&'static str> {
    (func == "csr_extract").then_some("call `csr_extract_w(a)`, `csr_extract_v(a)` and `csr_extract_u(a)` for the three parts")
}
