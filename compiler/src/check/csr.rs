//! Stan's sparse matrix functions in compressed row storage (`w` the
//! nonzero values row by row, `v` their 1-based columns, `u` where each
//! row starts in `w`): `csr_extract`, which returns a tuple, refused. The
//! arguments that must be data are in [`super::data_args`].

/// The message for `csr_extract(a)`, which returns a tuple `(w, v, u)`:
/// hbmc has no tuples.
pub fn tuple_refusal(func: &str) -> Option<&'static str> {
    (func == "csr_extract").then_some("call `csr_extract_w(a)`, `csr_extract_v(a)` and `csr_extract_u(a)` for the three parts")
}
