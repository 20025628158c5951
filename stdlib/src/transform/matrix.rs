//! Stan 2.37's matrix constraint types, each a vector transform applied
//! along one or both axes of an `N × M` matrix:
//! - `sum_to_zero_matrix[N, M]`: every row and every column sums to zero;
//!   the free values are an `(N-1) × (M-1)` matrix `x`, and the value is
//!   `P_N V_N x V_Mᵀ P_Mᵀ`, with `V_K` the sum-to-zero vector transform's
//!   basis (applied to the columns, then the rows: the two commute) and
//!   `P_K` the cyclic shift moving the first row last: stan-dev/math's
//!   matrix loop builds its basis with the "minus the sum" element last,
//!   the vector transform with it first. No Jacobian term;
//! - `column_stochastic_matrix[N, M]`: every column a `simplex[N]`, from an
//!   `(N-1) × M` free matrix;
//! - `row_stochastic_matrix[N, M]`: every row a `simplex[M]`, from an
//!   `N × (M-1)` free matrix.
//!
//! Free and constrained matrices are column-major, as Stan's unconstrained
//! vector lists them, so a point means the same here as in Stan.

use super::{
    check_len, sizes_ok, sum_to_zero, sum_to_zero_adjoint, sum_to_zero_free, violation, Simplex, Transform,
    TransformError,
};
use crate::linalg::CONSTRAINT_TOLERANCE;

/// Copies row `i` of a column-major matrix with `rows` rows into `out`
/// (one element per column).
fn gather_row(m: &[f64], rows: usize, i: usize, out: &mut [f64]) {
    for (j, v) in out.iter_mut().enumerate() {
        *v = m[i + j * rows];
    }
}

/// Writes `row` into row `i` of a column-major matrix with `rows` rows.
fn scatter_row(row: &[f64], rows: usize, i: usize, m: &mut [f64]) {
    for (j, v) in row.iter().enumerate() {
        m[i + j * rows] = *v;
    }
}

/// Moves the first row and the first column of `from` (`n × m`,
/// column-major) to the end: `to[i, j] = from[(i + 1) % n, (j + 1) % m]`.
/// Its inverse is [`unshift`].
fn shift(from: &[f64], n: usize, m: usize, to: &mut [f64]) {
    for j in 0..m {
        for i in 0..n {
            to[i + j * n] = from[(i + 1) % n + ((j + 1) % m) * n];
        }
    }
}

/// The inverse of [`shift`].
fn unshift(from: &[f64], n: usize, m: usize, to: &mut [f64]) {
    for j in 0..m {
        for i in 0..n {
            to[(i + 1) % n + ((j + 1) % m) * n] = from[i + j * n];
        }
    }
}

/// `sum_to_zero_matrix[rows, cols]` (no Jacobian term: the map is linear
/// and isometric).
#[derive(Debug, Clone, Copy)]
pub struct SumToZeroMatrix {
    /// N, the constrained rows.
    pub rows: usize,
    /// M, the constrained columns.
    pub cols: usize,
}

impl Transform for SumToZeroMatrix {
    fn free_len(&self) -> usize {
        self.rows.saturating_sub(1) * self.cols.saturating_sub(1)
    }
    fn constrained_len(&self) -> usize {
        self.rows * self.cols
    }
    fn constrain(&self, x: &[f64], out: &mut [f64]) -> f64 {
        let (n, m) = (self.rows, self.cols);
        if !sizes_ok(self, x, out) || n == 0 || m == 0 {
            return f64::NAN;
        }
        if n == 1 || m == 1 {
            // No free values: a single row or column of zeros.
            out.iter_mut().for_each(|v| *v = 0.0);
            return 0.0;
        }
        // Each free column (n - 1 values) to a column of n summing to zero.
        let mut by_cols = vec![0.0; n * (m - 1)];
        for (free, col) in x.chunks_exact(n - 1).zip(by_cols.chunks_exact_mut(n)) {
            sum_to_zero(free, col);
        }
        // Then each row (m - 1 values) to a row of m summing to zero.
        let (mut free_row, mut row) = (vec![0.0; m - 1], vec![0.0; m]);
        let mut full = vec![0.0; n * m];
        for i in 0..n {
            gather_row(&by_cols, n, i, &mut free_row);
            sum_to_zero(&free_row, &mut row);
            scatter_row(&row, n, i, &mut full);
        }
        shift(&full, n, m, out);
        0.0
    }
    fn unconstrain(&self, y: &[f64], out: &mut [f64]) -> Result<(), TransformError> {
        let (n, m) = (self.rows, self.cols);
        check_len(y, self.constrained_len())?;
        check_len(out, self.free_len())?;
        if let Some(i) = y.iter().position(|v| !v.is_finite()) {
            return Err(violation("sum_to_zero_matrix", format!("element {} is {}", i + 1, y[i])));
        }
        for j in 0..m {
            let s: f64 = y[j * n..(j + 1) * n].iter().sum();
            if !(s.abs() <= CONSTRAINT_TOLERANCE) {
                return Err(violation("sum_to_zero_matrix", format!("column {} sums to {s}, not 0", j + 1)));
            }
        }
        let mut row = vec![0.0; m];
        for i in 0..n {
            gather_row(y, n, i, &mut row);
            let s: f64 = row.iter().sum();
            if !(s.abs() <= CONSTRAINT_TOLERANCE) {
                return Err(violation("sum_to_zero_matrix", format!("row {} sums to {s}, not 0", i + 1)));
            }
        }
        if n < 2 || m < 2 {
            return Ok(());
        }
        // Rows back to m - 1 values, then columns back to n - 1.
        let mut full = vec![0.0; n * m];
        unshift(y, n, m, &mut full);
        let mut by_cols = vec![0.0; n * (m - 1)];
        let mut free_row = vec![0.0; m - 1];
        for i in 0..n {
            gather_row(&full, n, i, &mut row);
            sum_to_zero_free(&row, &mut free_row);
            scatter_row(&free_row, n, i, &mut by_cols);
        }
        for (col, free) in by_cols.chunks_exact(n).zip(out.chunks_exact_mut(n - 1)) {
            sum_to_zero_free(col, free);
        }
        Ok(())
    }
    fn constrain_adjoint(&self, x: &[f64], out_adj: &[f64], _w: f64, grad: &mut [f64]) {
        let (n, m) = (self.rows, self.cols);
        if !sizes_ok(self, x, out_adj) || grad.len() != x.len() || n < 2 || m < 2 {
            return;
        }
        // The transpose of each step, in reverse order.
        let mut full_adj = vec![0.0; n * m];
        unshift(out_adj, n, m, &mut full_adj);
        let mut by_cols_adj = vec![0.0; n * (m - 1)];
        let (mut row_adj, mut free_row_adj) = (vec![0.0; m], vec![0.0; m - 1]);
        for i in 0..n {
            gather_row(&full_adj, n, i, &mut row_adj);
            free_row_adj.iter_mut().for_each(|v| *v = 0.0);
            sum_to_zero_adjoint(&row_adj, &mut free_row_adj);
            scatter_row(&free_row_adj, n, i, &mut by_cols_adj);
        }
        for (col_adj, g) in by_cols_adj.chunks_exact(n).zip(grad.chunks_exact_mut(n - 1)) {
            sum_to_zero_adjoint(col_adj, g);
        }
    }
}

/// Whether a column-stochastic or a row-stochastic matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Axis {
    Columns,
    Rows,
}

/// A matrix whose columns (or rows) are simplexes: one [`Simplex`] per
/// column (or row), its log-Jacobian the sum of theirs.
#[derive(Debug, Clone, Copy)]
struct Stochastic {
    rows: usize,
    cols: usize,
    axis: Axis,
}

impl Stochastic {
    fn name(&self) -> &'static str {
        match self.axis {
            Axis::Columns => "column_stochastic_matrix",
            Axis::Rows => "row_stochastic_matrix",
        }
    }
    /// The simplex of each column (or row), and how many there are.
    fn parts(&self) -> (Simplex, usize) {
        match self.axis {
            Axis::Columns => (Simplex { k: self.rows }, self.cols),
            Axis::Rows => (Simplex { k: self.cols }, self.rows),
        }
    }
    fn free_len(&self) -> usize {
        let (s, count) = self.parts();
        s.free_len() * count
    }
    fn constrained_len(&self) -> usize {
        self.rows * self.cols
    }
    fn constrain(&self, x: &[f64], out: &mut [f64]) -> f64 {
        let (s, count) = self.parts();
        if x.len() != self.free_len() || out.len() != self.constrained_len() || s.k == 0 {
            return f64::NAN;
        }
        match self.axis {
            Axis::Columns => {
                let f = s.free_len();
                (0..count).map(|i| s.constrain(&x[i * f..(i + 1) * f], &mut out[i * s.k..(i + 1) * s.k])).sum()
            }
            Axis::Rows => {
                let (mut free, mut row) = (vec![0.0; s.free_len()], vec![0.0; s.k]);
                (0..count)
                    .map(|i| {
                        gather_row(x, self.rows, i, &mut free);
                        let lj = s.constrain(&free, &mut row);
                        scatter_row(&row, self.rows, i, out);
                        lj
                    })
                    .sum()
            }
        }
    }
    fn unconstrain(&self, y: &[f64], out: &mut [f64]) -> Result<(), TransformError> {
        check_len(y, self.constrained_len())?;
        check_len(out, self.free_len())?;
        let (s, count) = self.parts();
        let (mut part, mut free) = (vec![0.0; s.k], vec![0.0; s.free_len()]);
        let what = match self.axis {
            Axis::Columns => "column",
            Axis::Rows => "row",
        };
        for i in 0..count {
            match self.axis {
                Axis::Columns => part.copy_from_slice(&y[i * s.k..(i + 1) * s.k]),
                Axis::Rows => gather_row(y, self.rows, i, &mut part),
            }
            s.unconstrain(&part, &mut free).map_err(|e| match e {
                TransformError::Violation { reason, .. } => {
                    violation(self.name(), format!("{what} {} is not a simplex: {reason}", i + 1))
                }
                other => other,
            })?;
            match self.axis {
                Axis::Columns => out[i * free.len()..(i + 1) * free.len()].copy_from_slice(&free),
                Axis::Rows => scatter_row(&free, self.rows, i, out),
            }
        }
        Ok(())
    }
    fn constrain_adjoint(&self, x: &[f64], out_adj: &[f64], w: f64, grad: &mut [f64]) {
        let (s, count) = self.parts();
        if x.len() != self.free_len() || out_adj.len() != self.constrained_len() || grad.len() != x.len() || s.k < 2 {
            return;
        }
        let f = s.free_len();
        match self.axis {
            Axis::Columns => {
                for i in 0..count {
                    let part = i * f..(i + 1) * f;
                    s.constrain_adjoint(&x[part.clone()], &out_adj[i * s.k..(i + 1) * s.k], w, &mut grad[part]);
                }
            }
            Axis::Rows => {
                let (mut free, mut adj, mut g) = (vec![0.0; f], vec![0.0; s.k], vec![0.0; f]);
                for i in 0..count {
                    gather_row(x, self.rows, i, &mut free);
                    gather_row(out_adj, self.rows, i, &mut adj);
                    gather_row(grad, self.rows, i, &mut g);
                    s.constrain_adjoint(&free, &adj, w, &mut g);
                    scatter_row(&g, self.rows, i, grad);
                }
            }
        }
    }
}

macro_rules! stochastic_type {
    ($(#[$doc:meta])* $t:ident, $axis:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $t {
            /// N, the rows.
            pub rows: usize,
            /// M, the columns.
            pub cols: usize,
        }
        impl $t {
            fn stochastic(&self) -> Stochastic {
                Stochastic { rows: self.rows, cols: self.cols, axis: $axis }
            }
        }
        impl Transform for $t {
            fn free_len(&self) -> usize {
                self.stochastic().free_len()
            }
            fn constrained_len(&self) -> usize {
                self.stochastic().constrained_len()
            }
            fn constrain(&self, x: &[f64], out: &mut [f64]) -> f64 {
                self.stochastic().constrain(x, out)
            }
            fn unconstrain(&self, y: &[f64], out: &mut [f64]) -> Result<(), TransformError> {
                self.stochastic().unconstrain(y, out)
            }
            fn constrain_adjoint(&self, x: &[f64], out_adj: &[f64], w: f64, grad: &mut [f64]) {
                self.stochastic().constrain_adjoint(x, out_adj, w, grad)
            }
        }
    };
}

stochastic_type!(
    /// `column_stochastic_matrix[rows, cols]`: every column a simplex.
    ColumnStochastic,
    Axis::Columns
);
stochastic_type!(
    /// `row_stochastic_matrix[rows, cols]`: every row a simplex.
    RowStochastic,
    Axis::Rows
);
