//! `append_row`, `append_col`, `rows_dot_product`, `columns_dot_product`
//! (and `rows_dot_self`, `columns_dot_self`), `cumulative_sum` and `to_matrix`, computed element by element so that they fuse
//! into the loop that reads them and the AD differentiates their
//! arithmetic (a `select` between the two parts, a sum of products, a
//! masked sum). Element `i` of `cumulative_sum` sums the whole argument
//! with the elements past `i` masked out: O(n²) for the whole result, but
//! no value is carried from one element to the next, so the fused,
//! tape-free adjoint applies.

use super::{LowerError, LowerResult, Lowerer};
use crate::check::typed::TypedExpr;
use crate::check::types::ElemType;
use crate::ir::{BinaryOp, CmpOp, ScalarType, Value};

/// Whether `func` is one of this module's functions.
pub(crate) fn is_concat_function(func: &str) -> bool {
    matches!(
        func,
        "append_row" | "append_col" | "rows_dot_product" | "columns_dot_product" | "rows_dot_self" | "columns_dot_self"
            | "cumulative_sum" | "to_matrix"
    )
}

/// `rows_dot_self(x)` is `rows_dot_product(x, x)` (columns alike).
fn dot_self_as_product(func: &str) -> Option<&'static str> {
    match func {
        "rows_dot_self" => Some("rows_dot_product"),
        "columns_dot_self" => Some("columns_dot_product"),
        _ => None,
    }
}

/// How many rows (append_row) or columns (append_col) one argument adds
/// to a matrix result, or how many elements to a vector result.
fn along(elem: &ElemType, shape: &[usize], rows: bool, matrix_result: bool) -> usize {
    match (elem, shape) {
        (ElemType::Matrix(..), [r, c]) => {
            if rows {
                *r
            } else {
                *c
            }
        }
        // A row vector stacked under a matrix (or a vector beside one) is
        // one row (column); in a vector result, its length.
        (ElemType::Vector(_) | ElemType::RowVector(_), [n]) if !matrix_result => *n,
        _ => 1,
    }
}

impl Lowerer<'_> {
    /// The shape of one of this module's calls.
    pub(super) fn concat_shape(&mut self, func: &str, args: &[TypedExpr], e: &TypedExpr) -> LowerResult<Vec<usize>> {
        if let Some(func) = dot_self_as_product(func) {
            return self.concat_shape(func, &[args[0].clone(), args[0].clone()], e);
        }
        let a = self.shape(&args[0])?;
        if func == "to_matrix" {
            return self.to_matrix_shape(args, &a, e);
        }
        if func == "cumulative_sum" {
            return match a.as_slice() {
                [n] => Ok(vec![*n]),
                _ => Err(LowerError::unsupported(e.span, "`cumulative_sum` of a multi-dimensional array")),
            };
        }
        let b = self.shape(&args[1])?;
        match func {
            "append_row" | "append_col" => {
                let rows = func == "append_row";
                let matrix_result = matches!(e.ty.elem, ElemType::Matrix(..));
                if !matrix_result {
                    let n = |t: &TypedExpr, s: &[usize]| if t.ty.is_scalar() { 1 } else { s.first().copied().unwrap_or(1) };
                    return Ok(vec![n(&args[0], &a) + n(&args[1], &b)]);
                }
                // The other axis: columns of append_row, rows of append_col.
                let across = |t: &TypedExpr, s: &[usize]| match (t.ty.elem, s) {
                    (ElemType::Matrix(..), [r, c]) => Some(if rows { *c } else { *r }),
                    (ElemType::Vector(_) | ElemType::RowVector(_), [n]) => Some(*n),
                    _ => None,
                };
                let (x, y) = (across(&args[0], &a), across(&args[1], &b));
                if x != y || x.is_none() {
                    return Err(LowerError::unsupported(
                        e.span,
                        format!(
                            "`{func}` of parts with {} {} and {}: they must have the same number",
                            if rows { "columns" } else { "rows" },
                            x.map_or("?".into(), |v| v.to_string()),
                            y.map_or("?".into(), |v| v.to_string())
                        ),
                    ));
                }
                let other = x.unwrap_or(0);
                let total = along(&args[0].ty.elem, &a, rows, true) + along(&args[1].ty.elem, &b, rows, true);
                Ok(if rows { vec![total, other] } else { vec![other, total] })
            }
            _ => {
                if a != b {
                    return Err(LowerError::unsupported(e.span, format!("`{func}` of arguments of shapes {a:?} and {b:?}")));
                }
                match (func, args[0].ty.elem, a.as_slice()) {
                    ("rows_dot_product", ElemType::Matrix(..), [r, _]) => Ok(vec![*r]),
                    ("columns_dot_product", ElemType::Matrix(..), [_, c]) => Ok(vec![*c]),
                    ("rows_dot_product", ElemType::Vector(_), [n]) | ("columns_dot_product", ElemType::RowVector(_), [n]) => {
                        Ok(vec![*n])
                    }
                    // A row vector is one row (a vector one column): one
                    // element, the whole dot product.
                    ("rows_dot_product", ElemType::RowVector(_), [_]) | ("columns_dot_product", ElemType::Vector(_), [_]) => {
                        Ok(vec![1])
                    }
                    _ => Err(LowerError::unsupported(e.span, format!("`{func}` of arguments of shape {a:?}"))),
                }
            }
        }
    }

    /// Element `idx` of one of this module's calls.
    pub(super) fn concat_elem(&mut self, func: &str, args: &[TypedExpr], idx: &[Value], e: &TypedExpr) -> LowerResult<Value> {
        if let Some(func) = dot_self_as_product(func) {
            return self.concat_elem(func, &[args[0].clone(), args[0].clone()], idx, e);
        }
        match func {
            "append_row" | "append_col" => self.append_elem(func == "append_row", args, idx, e),
            "cumulative_sum" => self.cumulative_sum_elem(&args[0], idx[0], e),
            "to_matrix" => self.to_matrix_elem(args, idx),
            _ => self.rows_columns_dot(func == "rows_dot_product", args, idx),
        }
    }

    /// `idx` of `append_row(a, b)` (rows) or `append_col(a, b)`: `a`'s
    /// element before the seam, `b`'s after it. Both parts are read at
    /// clamped, in-range positions and one is selected, so the AD sends
    /// the adjoint to the part the element came from.
    fn append_elem(&mut self, rows: bool, args: &[TypedExpr], idx: &[Value], e: &TypedExpr) -> LowerResult<Value> {
        let matrix_result = matches!(e.ty.elem, ElemType::Matrix(..));
        // Position along the joined axis and, for a matrix, across it.
        let (pos, across) = match (matrix_result, rows) {
            (false, _) => (idx[0], None),
            (true, true) => (idx[0], Some(idx[1])),
            (true, false) => (idx[1], Some(idx[0])),
        };
        let a_shape = self.shape(&args[0])?;
        let n0 = along(&args[0].ty.elem, &a_shape, rows, matrix_result);
        let seam = self.fb.i64(n0 as i64);
        let last_a = self.fb.i64(n0.saturating_sub(1) as i64);
        let zero = self.fb.i64(0);
        let in_a = self.fb.binary(BinaryOp::Min, pos, last_a);
        let past = self.fb.binary(BinaryOp::Sub, pos, seam);
        let in_b = self.fb.binary(BinaryOp::Max, past, zero);
        let a = self.append_part(&args[0], rows, in_a, across)?;
        let b = self.append_part(&args[1], rows, in_b, across)?;
        let (a, b) = (self.fb.to_f64(a), self.fb.to_f64(b));
        let first = self.fb.cmp(CmpOp::Lt, pos, seam);
        Ok(self.fb.select(first, a, b))
    }

    /// One part's element at `pos` along the joined axis (and `across`).
    fn append_part(&mut self, part: &TypedExpr, rows: bool, pos: Value, across: Option<Value>) -> LowerResult<Value> {
        if part.ty.is_scalar() {
            return self.scalar(part);
        }
        match (part.ty.elem, across) {
            (ElemType::Matrix(..), Some(q)) => self.elem(part, &if rows { [pos, q] } else { [q, pos] }),
            // A row vector under a matrix (a vector beside one): the
            // position across the seam indexes it.
            (_, Some(q)) => self.elem(part, &[q]),
            (_, None) => self.elem(part, &[pos]),
        }
    }

    /// Element `idx[0]` of `rows_dot_product` (row `i` of `a .* b`
    /// summed) or `columns_dot_product` (column `j` summed).
    fn rows_columns_dot(&mut self, rows: bool, args: &[TypedExpr], idx: &[Value]) -> LowerResult<Value> {
        let shape = self.shape(&args[0])?;
        let one_element = match args[0].ty.elem {
            ElemType::RowVector(_) => rows,
            ElemType::Vector(_) => !rows,
            _ => false,
        };
        if shape.len() == 1 && !one_element {
            let a = self.elem(&args[0], idx)?;
            let b = self.elem(&args[1], idx)?;
            let (a, b) = (self.fb.to_f64(a), self.fb.to_f64(b));
            return Ok(self.fb.binary(BinaryOp::Mul, a, b));
        }
        // The one element of a row vector's rows (a vector's columns)
        // sums the whole of `a .* b`; a matrix's sums one row or column.
        let k = if one_element { shape[0] } else if rows { shape[1] } else { shape[0] };
        let acc = self.temp_buffer(if rows { "rows_dot" } else { "columns_dot" }, ScalarType::F64, 1);
        let at = self.fb.i64(0);
        let zero = self.fb.f64(0.0);
        self.fb.store(acc, at, zero);
        let fixed = idx[0];
        self.loop_n(k, |this, p| {
            let (row_major, column_major) = ([fixed, p], [p, fixed]);
            let full: &[Value] = if one_element { &row_major[1..] } else if rows { &row_major } else { &column_major };
            let a = this.elem(&args[0], full)?;
            let b = this.elem(&args[1], full)?;
            let (a, b) = (this.fb.to_f64(a), this.fb.to_f64(b));
            let ab = this.fb.binary(BinaryOp::Mul, a, b);
            this.fb.accumulate(acc, at, ab);
            Ok(())
        })?;
        Ok(self.fb.load(acc, at, ScalarType::F64))
    }

    /// Element `i` of `cumulative_sum(x)`: the sum of `x[j]` for `j <= i`.
    fn cumulative_sum_elem(&mut self, x: &TypedExpr, i: Value, e: &TypedExpr) -> LowerResult<Value> {
        let n = self.shape(x)?.first().copied().unwrap_or(0);
        let int = e.ty.is_int_valued();
        let ty = if int { ScalarType::I64 } else { ScalarType::F64 };
        let acc = self.temp_buffer("cumulative_sum", ty, 1);
        let at = self.fb.i64(0);
        let zero = if int { self.fb.i64(0) } else { self.fb.f64(0.0) };
        self.fb.store(acc, at, zero);
        self.loop_n(n, |this, j| {
            let v = this.elem(x, &[j])?;
            let v = if int { v } else { this.fb.to_f64(v) };
            let keep = this.fb.cmp(CmpOp::Le, j, i);
            let part = this.fb.select(keep, v, zero);
            this.fb.accumulate(acc, at, part);
            Ok(())
        })?;
        Ok(self.fb.load(acc, at, ty))
    }

    /// `to_matrix(x)` of a vector (one column), row vector (one row) or
    /// matrix; `to_matrix(x, m, n)` of a 1-D container or a matrix, filled
    /// column-major as Stan does, with `m * n` its number of elements.
    fn to_matrix_shape(&mut self, args: &[TypedExpr], a: &[usize], e: &TypedExpr) -> LowerResult<Vec<usize>> {
        if args.len() == 1 {
            return Ok(match (args[0].ty.elem, a) {
                (ElemType::Vector(_), [n]) => vec![*n, 1],
                (ElemType::RowVector(_), [n]) => vec![1, *n],
                _ => a.to_vec(),
            });
        }
        let m = self.const_int(&args[1])?;
        let n = self.const_int(&args[2])?;
        let len: usize = a.iter().product();
        if a.len() > 2 || (a.len() == 2 && !args[0].ty.array.is_empty()) {
            return Err(LowerError::unsupported(e.span, "`to_matrix` of a multi-dimensional array"));
        }
        if m < 0 || n < 0 || (m * n) as usize != len {
            return Err(LowerError::sizes(
                e.span,
                format!("`to_matrix(x, {m}, {n})` of {len} elements: m * n must equal the number of elements"),
            ));
        }
        Ok(vec![m as usize, n as usize])
    }

    /// Element `(i, j)` of `to_matrix`.
    fn to_matrix_elem(&mut self, args: &[TypedExpr], idx: &[Value]) -> LowerResult<Value> {
        let a = self.shape(&args[0])?;
        if args.len() == 1 {
            return match a.len() {
                1 => self.elem(&args[0], &[if matches!(args[0].ty.elem, ElemType::Vector(_)) { idx[0] } else { idx[1] }]),
                _ => self.elem(&args[0], idx),
            };
        }
        // Column-major position k = i + j * m of the result, read from the
        // argument in its own column-major order; with `col_major` 0
        // (Stan's 4-argument form), row-major: k = i * n + j.
        let m = self.const_int(&args[1])?;
        let mv = self.fb.i64(m);
        let col = self.fb.binary(BinaryOp::Mul, idx[1], mv);
        let mut k = self.fb.binary(BinaryOp::Add, idx[0], col);
        if let Some(order) = args.get(3) {
            let n = self.const_int(&args[2])?;
            let nv = self.fb.i64(n);
            let row = self.fb.binary(BinaryOp::Mul, idx[0], nv);
            let row_major = self.fb.binary(BinaryOp::Add, row, idx[1]);
            let col_major = self.scalar(order)?;
            let zero = self.fb.i64(0);
            let by_rows = self.fb.cmp(CmpOp::Eq, col_major, zero);
            k = self.fb.select(by_rows, row_major, k);
        }
        match a.as_slice() {
            [_] => self.elem(&args[0], &[k]),
            [rows, _] => {
                let r = self.fb.i64(*rows as i64);
                let i = self.fb.binary(BinaryOp::Rem, k, r);
                let j = self.fb.binary(BinaryOp::Div, k, r);
                self.elem(&args[0], &[i, j])
            }
            _ => Err(LowerError::unsupported(args[0].span, "`to_matrix` of a multi-dimensional array")),
        }
    }
}
