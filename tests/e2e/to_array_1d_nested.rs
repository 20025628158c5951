//! `to_array_1d` of multi-dimensional arrays (issue 13): row-major, the
//! last index fastest, as Stan flattens them.

use crate::common;
use common::corpus;

/// Flattened 2-D (parameter) and 3-D (data) arrays give the log density
/// and gradient of the same elements indexed by hand.
#[test]
fn to_array_1d_of_nested_arrays_reads_them_row_major() {
    corpus::assert_same_density("to_array_1d_nested.stan", "to_array_1d_nested_closed.stan", "to_array_1d_nested.json", 34, 1e-12);
}
