//! Stan's sparse matrix functions in compressed row storage: an `m x n`
//! matrix as its nonzero values `w` row by row, their 1-based columns `v`,
//! and `u`, where row `i`'s values start in `w` (`u[m + 1] - u[1]` is the
//! number of nonzeros).
//!
//! `v` and `u` are data (the checker requires it), so their values are
//! known here: the structure is checked once, when the data are bound
//! (E5003 naming the bad argument, where Stan would reject every
//! evaluation), and copied 0-based into constant tables. The product
//! `csr_matrix_times_vector` is then IR arithmetic, one multiply-add per
//! nonzero, which the AD differentiates in `w` and `b` (its adjoint in
//! `b` is the sparse transposed product). `csr_to_dense_matrix` sums each
//! row's entries of the element's column (a column given twice in a row is
//! refused: Stan keeps the last one, a sum would not). `csr_extract_*`
//! take a matrix whose values are known with the data (its number of
//! nonzeros sizes the result) and read its nonzero entries through a
//! constant table of their positions.

use super::{LowerError, LowerResult, Lowerer, Storage};
use crate::check::typed::{TypedExpr, TypedExprKind};
use crate::bind::DataStorage;
use crate::ir::{BinaryOp, BufferId, CmpOp, ScalarType, Value};

/// Whether `func` is one of the sparse functions lowered here.
pub(crate) fn is_csr_function(func: &str) -> bool {
    matches!(func, "csr_matrix_times_vector" | "csr_to_dense_matrix" | "csr_extract_w" | "csr_extract_v" | "csr_extract_u")
}

/// The nonzero entries of a dense data matrix, row by row.
struct Pattern {
    /// Each nonzero's column-major offset in the matrix.
    positions: Vec<i64>,
    /// Stan's `csr_extract_v`: each nonzero's 1-based column.
    v: Vec<i64>,
    /// Stan's `csr_extract_u`: where each row starts in `w`, 1-based.
    u: Vec<i64>,
}

/// A checked sparse structure as 0-based constant tables.
struct Structure {
    /// `u - 1`, `m + 1` entries: row `i` is `w[starts[i]..starts[i + 1]]`.
    starts: BufferId,
    /// `v - 1`, one column per nonzero.
    columns: BufferId,
    /// The columns, to check for repeats.
    v: Vec<i64>,
    u: Vec<i64>,
}

impl Lowerer<'_> {
    /// The shape of a sparse function's result.
    pub(super) fn csr_shape(&mut self, func: &str, args: &[TypedExpr]) -> LowerResult<Vec<usize>> {
        Ok(match func {
            "csr_matrix_times_vector" => vec![self.csr_size(&args[0], "m", func)?],
            "csr_to_dense_matrix" => vec![self.csr_size(&args[0], "m", func)?, self.csr_size(&args[1], "n", func)?],
            "csr_extract_u" => vec![self.pattern(&args[0], func)?.u.len()],
            _ => vec![self.pattern(&args[0], func)?.positions.len()],
        })
    }

    /// Computes a sparse function's whole result into `dst`.
    pub(super) fn fill_csr(&mut self, dst: &Storage, func: &str, args: &[TypedExpr]) -> LowerResult<()> {
        match func {
            "csr_matrix_times_vector" => self.fill_csr_product(dst, args),
            "csr_to_dense_matrix" => self.fill_csr_dense(dst, args),
            _ => {
                let p = self.pattern(&args[0], func)?;
                if func == "csr_extract_w" {
                    let a = self.pointer_arg(&args[0])?;
                    let table = self.int_table(&format!("{func}.positions"), &p.positions);
                    self.loop_n(p.positions.len(), |this, k| {
                        let at = this.fb.load(table, k, ScalarType::I64);
                        let at = this.fb.binary(BinaryOp::Add, a.offset, at);
                        let x = this.fb.load(a.buf, at, ScalarType::F64);
                        this.fb.store(dst.buf, k, x);
                        Ok(())
                    })
                } else {
                    let values = if func == "csr_extract_v" { &p.v } else { &p.u };
                    let table = self.int_table(func, values);
                    self.loop_n(values.len(), |this, k| {
                        let x = this.fb.load(table, k, ScalarType::I64);
                        this.fb.store(dst.buf, k, x);
                        Ok(())
                    })
                }
            }
        }
    }

    /// `csr_matrix_times_vector(m, n, w, v, u, b)`: for each row, the sum
    /// over its nonzeros of `w[k] * b[v[k]]`.
    fn fill_csr_product(&mut self, dst: &Storage, args: &[TypedExpr]) -> LowerResult<()> {
        let func = "csr_matrix_times_vector";
        let (m, n) = (self.csr_size(&args[0], "m", func)?, self.csr_size(&args[1], "n", func)?);
        let nb = self.shape(&args[5])?.iter().product::<usize>();
        if nb != n {
            return Err(LowerError::sizes(args[5].span, format!("`{func}`: `b` has {nb} elements, but the matrix has n = {n} columns")));
        }
        let s = self.csr_structure(func, m, n, args)?;
        let w = self.pointer_arg(&args[2])?;
        let b = self.pointer_arg(&args[5])?;
        let acc = self.temp_buffer("csr_row", ScalarType::F64, 1);
        let zero_i = self.fb.i64(0);
        self.loop_n(m, |this, i| {
            let zero = this.fb.f64(0.0);
            this.fb.store(acc, zero_i, zero);
            this.row_loop(&s, i, |this, k| {
                let c = this.fb.load(s.columns, k, ScalarType::I64);
                let wk = this.fb.binary(BinaryOp::Add, w.offset, k);
                let wk = this.fb.load(w.buf, wk, ScalarType::F64);
                let bc = this.fb.binary(BinaryOp::Add, b.offset, c);
                let bc = this.fb.load(b.buf, bc, ScalarType::F64);
                let term = this.fb.binary(BinaryOp::Mul, wk, bc);
                this.fb.accumulate(acc, zero_i, term);
                Ok(())
            })?;
            let row = this.fb.load(acc, zero_i, ScalarType::F64);
            this.fb.store(dst.buf, i, row);
            Ok(())
        })
    }

    /// `csr_to_dense_matrix(m, n, w, v, u)`: element `(i, j)` is the sum
    /// over row `i`'s nonzeros of `w[k]` where `v[k]` is `j` (at most one).
    fn fill_csr_dense(&mut self, dst: &Storage, args: &[TypedExpr]) -> LowerResult<()> {
        let func = "csr_to_dense_matrix";
        let (m, n) = (self.csr_size(&args[0], "m", func)?, self.csr_size(&args[1], "n", func)?);
        let s = self.csr_structure(func, m, n, args)?;
        for row in s.u.windows(2) {
            let cols = &s.v[(row[0] - s.u[0]) as usize..(row[1] - s.u[0]) as usize];
            if let Some(c) = cols.iter().enumerate().find_map(|(k, c)| cols[..k].contains(c).then_some(c)) {
                let msg = format!("`{func}`: `v` gives column {c} twice in one row (Stan keeps the last value, hbmc refuses the repeat)");
                return Err(LowerError::sizes(args[3].span, msg));
            }
        }
        let w = self.pointer_arg(&args[2])?;
        let acc = self.temp_buffer("csr_entry", ScalarType::F64, 1);
        let zero_i = self.fb.i64(0);
        let rows = self.fb.i64(m as i64);
        self.loop_n(n, |this, j| {
            this.loop_n(m, |this, i| {
                let zero = this.fb.f64(0.0);
                this.fb.store(acc, zero_i, zero);
                this.row_loop(&s, i, |this, k| {
                    let c = this.fb.load(s.columns, k, ScalarType::I64);
                    let here = this.fb.cmp(CmpOp::Eq, c, j);
                    let here = this.fb.to_f64(here);
                    let wk = this.fb.binary(BinaryOp::Add, w.offset, k);
                    let wk = this.fb.load(w.buf, wk, ScalarType::F64);
                    let term = this.fb.binary(BinaryOp::Mul, here, wk);
                    this.fb.accumulate(acc, zero_i, term);
                    Ok(())
                })?;
                let x = this.fb.load(acc, zero_i, ScalarType::F64);
                let cj = this.fb.binary(BinaryOp::Mul, j, rows);
                let at = this.fb.binary(BinaryOp::Add, i, cj);
                this.fb.store(dst.buf, at, x);
                Ok(())
            })
        })
    }

    /// `for k in starts[i]..starts[i + 1] { body(k) }`.
    fn row_loop(&mut self, s: &Structure, i: Value, body: impl FnOnce(&mut Self, Value) -> LowerResult<()>) -> LowerResult<()> {
        let start = self.fb.load(s.starts, i, ScalarType::I64);
        let one = self.fb.i64(1);
        let next = self.fb.binary(BinaryOp::Add, i, one);
        let end = self.fb.load(s.starts, next, ScalarType::I64);
        self.loop_range(start, end, body)
    }

    /// `m` or `n`: a positive int of the data, as Stan requires.
    fn csr_size(&mut self, e: &TypedExpr, name: &str, func: &str) -> LowerResult<usize> {
        let k = self.const_int(e)?;
        usize::try_from(k)
            .ok()
            .filter(|&k| k > 0)
            .ok_or_else(|| LowerError::sizes(e.span, format!("`{func}`: `{name}` is {k}, but it must be positive")))
    }

    /// Checks `(w, v, u)` (`args[2..5]`) as the structure of an `m x n`
    /// matrix, as Stan does, and makes its 0-based tables.
    fn csr_structure(&mut self, func: &str, m: usize, n: usize, args: &[TypedExpr]) -> LowerResult<Structure> {
        let nw = self.shape(&args[2])?.iter().product::<usize>();
        let v = self.known_ints(&args[3], "v", func)?;
        let u = self.known_ints(&args[4], "u", func)?;
        let bad = |k: usize, msg: String| Err(LowerError::sizes(args[k].span, format!("`{func}`: {msg}")));
        if u.len() != m + 1 {
            return bad(4, format!("`u` has {} elements, but m + 1 = {}", u.len(), m + 1));
        }
        if v.len() != nw {
            return bad(3, format!("`v` has {} elements, but `w` has {nw}: one column per nonzero value", v.len()));
        }
        if let Some(k) = u.windows(2).position(|p| p[1] < p[0]) {
            return bad(4, format!("`u` decreases from u[{}] = {} to u[{}] = {}", k + 1, u[k], k + 2, u[k + 1]));
        }
        if u[0] < 1 || u[m] - u[0] != nw as i64 {
            return bad(4, format!("`u` runs from {} to {}, but it must start at 1 or more and end `size(w)` = {nw} later", u[0], u[m]));
        }
        if let Some(k) = v.iter().position(|&c| c < 1 || c > n as i64) {
            return bad(3, format!("`v[{}]` is {}, but the columns are 1 to n = {n}", k + 1, v[k]));
        }
        let starts: Vec<i64> = u.iter().map(|&x| x - u[0]).collect();
        let columns: Vec<i64> = v.iter().map(|&c| c - 1).collect();
        let starts_buf = self.int_table(&format!("{func}.u"), &starts);
        let columns_buf = self.int_table(&format!("{func}.v"), &columns);
        Ok(Structure { starts: starts_buf, columns: columns_buf, v, u })
    }

    /// The values of an int array known when the data are bound: a data
    /// (or transformed data) variable, or `csr_extract_v`/`_u` of a data
    /// matrix.
    fn known_ints(&mut self, e: &TypedExpr, name: &str, func: &str) -> LowerResult<Vec<i64>> {
        match &e.kind {
            TypedExprKind::Var(var) => {
                if let Some(DataStorage::Ints(xs)) = self.bound.value(*var).map(|d| &d.storage) {
                    return Ok(xs.clone());
                }
            }
            TypedExprKind::Call { func: inner, args } if inner == "csr_extract_v" || inner == "csr_extract_u" => {
                let p = self.pattern(&args[0], inner)?;
                return Ok(if inner == "csr_extract_v" { p.v } else { p.u });
            }
            _ => {}
        }
        Err(LowerError::unsupported(e.span, format!("`{name}` of `{func}` that is not a data variable (its values are checked when the data are bound)")))
    }

    /// The nonzero entries of a matrix whose values are known when the
    /// data are bound (a data or transformed data variable).
    fn pattern(&mut self, a: &TypedExpr, func: &str) -> LowerResult<Pattern> {
        let value = match &a.kind {
            TypedExprKind::Var(var) => self.bound.value(*var),
            _ => None,
        };
        let Some(value) = value.filter(|d| d.shape.len() == 2) else {
            return Err(LowerError::unsupported(a.span, format!("`{func}` of a matrix that is not a data variable (its nonzero entries size the result)")));
        };
        let (rows, cols) = (value.shape[0], value.shape[1]);
        let mut p = Pattern { positions: Vec::new(), v: Vec::new(), u: vec![1] };
        for r in 0..rows {
            for c in 0..cols {
                // Stan's `sparseView()` keeps every entry that is not exactly 0.
                let at = r + c * rows;
                if value.storage.real(at).is_some_and(|x| x != 0.0) {
                    p.positions.push(at as i64);
                    p.v.push(c as i64 + 1);
                }
            }
            p.u.push(p.positions.len() as i64 + 1);
        }
        Ok(p)
    }
}
