//! Matrix functions computed element by element, so that they fuse into
//! the loop that reads them and the AD differentiates their arithmetic:
//! `sub_col`, `sub_row`, `quad_form_diag`, `add_diag` and the squared
//! exponential covariance `gp_exp_quad_cov` (and its old name
//! `cov_exp_quad`). (Small fixed-size `quad_form_diag` may instead be
//! unrolled by `small_matrix`; this is the general form.)

use super::{LowerError, LowerResult, Lowerer};
use crate::check::typed::TypedExpr;
use crate::ir::{BinaryOp, CallArg, CmpOp, ScalarType, Value};

impl Lowerer<'_> {
    /// Element `idx` of one of this module's functions.
    pub(super) fn matrix_function_elem(&mut self, func: &str, args: &[TypedExpr], idx: &[Value], e: &TypedExpr) -> LowerResult<Value> {
        match func {
            "sub_col" | "sub_row" => {
                let shape = self.shape(&args[0])?;
                let one = self.fb.i64(1);
                let i = self.scalar(&args[1])?;
                let j = self.scalar(&args[2])?;
                let mut i0 = self.fb.binary(BinaryOp::Sub, i, one);
                let mut j0 = self.fb.binary(BinaryOp::Sub, j, one);
                // The block runs down a column (sub_col) or along a row.
                if func == "sub_col" {
                    i0 = self.fb.binary(BinaryOp::Add, i0, idx[0]);
                } else {
                    j0 = self.fb.binary(BinaryOp::Add, j0, idx[0]);
                }
                self.range_check(i0, shape[0], e)?;
                self.range_check(j0, shape[1], e)?;
                self.elem(&args[0], &[i0, j0])
            }
            "quad_form_diag" => {
                let m = self.elem(&args[0], idx)?;
                let vi = self.elem(&args[1], &idx[..1])?;
                let vj = self.elem(&args[1], &idx[1..2])?;
                let (m, vi, vj) = (self.fb.to_f64(m), self.fb.to_f64(vi), self.fb.to_f64(vj));
                let left = self.fb.binary(BinaryOp::Mul, vi, m);
                Ok(self.fb.binary(BinaryOp::Mul, left, vj))
            }
            "add_diag" => {
                let shape = self.shape(&args[0])?;
                if shape.len() != 2 || shape[0] != shape[1] {
                    return Err(LowerError::unsupported(e.span, format!("`add_diag` of a non-square matrix ({shape:?})")));
                }
                if !args[1].ty.is_scalar() && self.shape(&args[1])? != [shape[0]] {
                    return Err(LowerError::unsupported(e.span, "`add_diag` with a vector whose size is not the matrix's"));
                }
                let m = self.elem(&args[0], idx)?;
                let m = self.fb.to_f64(m);
                let d = if args[1].ty.is_scalar() { self.scalar(&args[1])? } else { self.elem(&args[1], &idx[..1])? };
                let d = self.fb.to_f64(d);
                let on = self.fb.cmp(CmpOp::Eq, idx[0], idx[1]);
                let zero = self.fb.f64(0.0);
                let add = self.fb.select(on, d, zero);
                Ok(self.fb.binary(BinaryOp::Add, m, add))
            }
            _ => self.exp_quad_elem(args, idx, e),
        }
    }

    /// `alpha^2 exp(-|x1[i] - x2[j]|^2 / (2 rho^2))`.
    fn exp_quad_elem(&mut self, args: &[TypedExpr], idx: &[Value], e: &TypedExpr) -> LowerResult<Value> {
        let (x1, x2, alpha, rho) = match args {
            [x, a, r] => (x, x, a, r),
            [x1, x2, a, r] => (x1, x2, a, r),
            _ => return Err(LowerError::unsupported(e.span, "`gp_exp_quad_cov` with these arguments")),
        };
        let d2 = if x1.ty.elem.is_scalar() {
            let a = self.elem(x1, &idx[..1])?;
            let b = self.elem(x2, &idx[1..2])?;
            let (a, b) = (self.fb.to_f64(a), self.fb.to_f64(b));
            let d = self.fb.binary(BinaryOp::Sub, a, b);
            self.fb.binary(BinaryOp::Mul, d, d)
        } else {
            let k = self.shape(x1)?.get(1).copied().unwrap_or(0);
            if self.shape(x2)?.get(1).copied() != Some(k) {
                return Err(LowerError::unsupported(e.span, "`gp_exp_quad_cov` of points of different sizes"));
            }
            let acc = self.temp_buffer("sq_dist", ScalarType::F64, 1);
            let at = self.fb.i64(0);
            let zero = self.fb.f64(0.0);
            self.fb.store(acc, at, zero);
            self.loop_n(k, |this, p| {
                let a = this.elem(x1, &[idx[0], p])?;
                let b = this.elem(x2, &[idx[1], p])?;
                let (a, b) = (this.fb.to_f64(a), this.fb.to_f64(b));
                let d = this.fb.binary(BinaryOp::Sub, a, b);
                let dd = this.fb.binary(BinaryOp::Mul, d, d);
                this.fb.accumulate(acc, at, dd);
                Ok(())
            })?;
            self.fb.load(acc, at, ScalarType::F64)
        };
        let a = self.scalar(alpha)?;
        let r = self.scalar(rho)?;
        let (a, r) = (self.fb.to_f64(a), self.fb.to_f64(r));
        let a2 = self.fb.binary(BinaryOp::Mul, a, a);
        let r2 = self.fb.binary(BinaryOp::Mul, r, r);
        let minus_half = self.fb.f64(-0.5);
        let scaled = self.fb.binary(BinaryOp::Div, d2, r2);
        let arg = self.fb.binary(BinaryOp::Mul, minus_half, scaled);
        let exp = self.func("hbm_exp", e)?;
        let k = self.fb.call(exp, vec![CallArg::Value(arg)]);
        Ok(self.fb.binary(BinaryOp::Mul, a2, k))
    }
}
