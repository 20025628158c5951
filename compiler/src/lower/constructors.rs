//! Small functions of Stan's library lowered straight to IR: the vector
//! constructors (`linspaced_*` and `linspaced_int_array`, `one_hot_*`, `zeros_*`, `ones_*`,
//! `uniform_simplex`), `fma`, and the integer functions `choose` and `rank`,
//! and `lmgamma` (a sum of `lgamma`s).

use super::{LowerError, LowerResult, Lowerer};
use crate::check::typed::TypedExpr;
use crate::ir::{BinaryOp, CallArg, CmpOp, ScalarType, Stmt, Value};

/// The functions this module lowers.
pub(super) fn is_constructor(func: &str) -> bool {
    sized_constructor(func) || matches!(func, "fma" | "choose" | "lmgamma" | "rank")
}

/// The constructors whose first argument is their size.
pub(super) fn sized_constructor(func: &str) -> bool {
    matches!(
        func,
        "linspaced_vector" | "linspaced_row_vector" | "linspaced_array" | "linspaced_int_array" | "one_hot_vector" | "one_hot_row_vector"
            | "one_hot_array" | "one_hot_int_array" | "zeros_vector" | "zeros_row_vector" | "zeros_array"
            | "zeros_int_array" | "ones_vector" | "ones_row_vector" | "ones_array" | "ones_int_array" | "uniform_simplex"
    )
}

impl Lowerer<'_> {
    /// Element `idx` of one of this module's functions.
    pub(super) fn constructor_elem(&mut self, func: &str, args: &[TypedExpr], idx: &[Value], e: &TypedExpr) -> LowerResult<Value> {
        let int = func.ends_with("int_array");
        let real = |this: &mut Self, x: f64| if int { this.fb.i64(x as i64) } else { this.fb.f64(x) };
        match func {
            "zeros_vector" | "zeros_row_vector" | "zeros_array" | "zeros_int_array" => Ok(real(self, 0.0)),
            "ones_vector" | "ones_row_vector" | "ones_array" | "ones_int_array" => Ok(real(self, 1.0)),
            "uniform_simplex" => {
                let n = self.const_int(&args[0])?;
                Ok(self.fb.f64(1.0 / n.max(1) as f64))
            }
            "one_hot_vector" | "one_hot_row_vector" | "one_hot_array" | "one_hot_int_array" => {
                let n = self.const_int(&args[0])?.max(0) as usize;
                let k = self.scalar(&args[1])?;
                let one_i = self.fb.i64(1);
                let k0 = self.fb.binary(BinaryOp::Sub, k, one_i);
                let k0 = self.range_check(k0, n, e)?;
                let hot = self.fb.cmp(CmpOp::Eq, idx[0], k0);
                let (one, zero) = (real(self, 1.0), real(self, 0.0));
                Ok(self.fb.select(hot, one, zero))
            }
            "linspaced_vector" | "linspaced_row_vector" | "linspaced_array" => {
                let n = self.const_int(&args[0])?;
                let lo = self.scalar(&args[1])?;
                let hi = self.scalar(&args[2])?;
                let (lo, hi) = (self.fb.to_f64(lo), self.fb.to_f64(hi));
                if n <= 1 {
                    // Stan: a single point is the upper end.
                    return Ok(hi);
                }
                let i = self.fb.to_f64(idx[0]);
                let steps = self.fb.f64((n - 1) as f64);
                let span = self.fb.binary(BinaryOp::Sub, hi, lo);
                let frac = self.fb.binary(BinaryOp::Div, i, steps);
                let step = self.fb.binary(BinaryOp::Mul, span, frac);
                Ok(self.fb.binary(BinaryOp::Add, lo, step))
            }
            "linspaced_int_array" => self.linspaced_int(&args[0], &args[1], &args[2], idx[0]),
            "fma" => {
                let mut v = Vec::new();
                for a in args {
                    let x = self.operand_elem(&e.ty, a, idx)?;
                    v.push(self.fb.to_f64(x));
                }
                let ab = self.fb.binary(BinaryOp::Mul, v[0], v[1]);
                Ok(self.fb.binary(BinaryOp::Add, ab, v[2]))
            }
            "lmgamma" => {
                let k = self.const_int(&args[0])?;
                if !(0..=10_000).contains(&k) {
                    return Err(LowerError::unsupported(e.span, format!("`lmgamma` of dimension {k}")));
                }
                let x = self.scalar(&args[1])?;
                let x = self.fb.to_f64(x);
                let lgamma = self.func("hbm_lgamma", e)?;
                let kf = k as f64;
                let mut total = self.fb.f64(kf * (kf - 1.0) * 0.25 * std::f64::consts::PI.ln());
                for j in 1..=k {
                    let shift = self.fb.f64((1.0 - j as f64) * 0.5);
                    let arg = self.fb.binary(BinaryOp::Add, x, shift);
                    let lg = self.fb.call(lgamma.clone(), vec![CallArg::Value(arg)]);
                    total = self.fb.binary(BinaryOp::Add, total, lg);
                }
                Ok(total)
            }
            "choose" => self.choose(&args[0], &args[1]),
            "rank" => self.rank(&args[0], &args[1], e),
            _ => Err(LowerError::unsupported(e.span, format!("the function `{func}`"))),
        }
    }

    /// C(n, k) in integers, r <- r (n - i) / (i + 1) for i < k (exact at
    /// every step); 0 when k > n; rejects negative arguments and results
    /// beyond Stan's 32-bit int.
    fn choose(&mut self, n: &TypedExpr, k: &TypedExpr) -> LowerResult<Value> {
        let n = self.scalar(n)?;
        let k = self.scalar(k)?;
        let zero = self.fb.i64(0);
        let neg_n = self.fb.cmp(CmpOp::Lt, n, zero);
        let neg_k = self.fb.cmp(CmpOp::Lt, k, zero);
        let negative = self.fb.binary(BinaryOp::Or, neg_n, neg_k);
        self.reject_if(negative, "choose: the arguments must be non-negative");
        let cell = self.temp_buffer("choose", ScalarType::I64, 1);
        let one = self.fb.i64(1);
        self.fb.store(cell, zero, one);
        let too_many = self.fb.cmp(CmpOp::Gt, k, n);
        let end = self.fb.select(too_many, zero, k);
        let i = self.fb.fresh(ScalarType::I64);
        self.fb.open();
        let r = self.fb.load(cell, zero, ScalarType::I64);
        let factor = self.fb.binary(BinaryOp::Sub, n, i);
        let up = self.fb.binary(BinaryOp::Mul, r, factor);
        let i1 = self.fb.binary(BinaryOp::Add, i, one);
        let next = self.fb.binary(BinaryOp::Div, up, i1);
        self.fb.store(cell, zero, next);
        let max = self.fb.i64(i64::from(i32::MAX));
        let over = self.fb.cmp(CmpOp::Gt, next, max);
        self.reject_if(over, "choose: the result is larger than the largest int");
        let body = self.fb.close();
        self.fb.emit(Stmt::For { var: i, start: zero, end, body });
        let r = self.fb.load(cell, zero, ScalarType::I64);
        Ok(self.fb.select(too_many, zero, r))
    }

    /// Element `i` of `linspaced_int_array(n, low, high)`, as Stan (Eigen's
    /// integer `LinSpaced`): `low + i * ((high - low) / (n - 1))` when the
    /// range has at least `n` values (`high` lowered to the last value
    /// reached), else each value repeated: `low + i / ((n + high - low) /
    /// (high - low + 1))`; one element is `high`. Rejects `high < low`.
    fn linspaced_int(&mut self, n: &TypedExpr, lo: &TypedExpr, hi: &TypedExpr, i: Value) -> LowerResult<Value> {
        let n = self.const_int(n)?;
        let lo = self.scalar(lo)?;
        let hi = self.scalar(hi)?;
        let below = self.fb.cmp(CmpOp::Lt, hi, lo);
        self.reject_if(below, "linspaced_int_array: high must be at least low");
        if n <= 1 {
            return Ok(hi);
        }
        let one = self.fb.i64(1);
        let nv = self.fb.i64(n);
        let range = self.fb.binary(BinaryOp::Sub, hi, lo);
        // Both divisors are at least 1 whenever high >= low (n >= 2); the
        // max keeps a rejected call's division defined.
        let count = self.fb.binary(BinaryOp::Add, range, one);
        let count = self.fb.binary(BinaryOp::Max, count, one);
        let repeat = self.fb.cmp(CmpOp::Lt, count, nv);
        let n_range = self.fb.binary(BinaryOp::Add, nv, range);
        let divisor = self.fb.binary(BinaryOp::Div, n_range, count);
        let divisor = self.fb.binary(BinaryOp::Max, divisor, one);
        let steps = self.fb.i64(n - 1);
        let step = self.fb.binary(BinaryOp::Div, range, steps);
        let repeated = self.fb.binary(BinaryOp::Div, i, divisor);
        let spaced = self.fb.binary(BinaryOp::Mul, i, step);
        let offset = self.fb.select(repeat, repeated, spaced);
        Ok(self.fb.binary(BinaryOp::Add, lo, offset))
    }

    /// `rank(v, s)`: how many elements of `v` are less than `v[s]`.
    fn rank(&mut self, v: &TypedExpr, s: &TypedExpr, e: &TypedExpr) -> LowerResult<Value> {
        let n = self.shape(v)?.first().copied().unwrap_or(0);
        let s = self.scalar(s)?;
        let one = self.fb.i64(1);
        let s0 = self.fb.binary(BinaryOp::Sub, s, one);
        let s0 = self.range_check(s0, n, e)?;
        let pivot = self.elem(v, &[s0])?;
        let cell = self.temp_buffer("rank", ScalarType::I64, 1);
        let zero = self.fb.i64(0);
        self.fb.store(cell, zero, zero);
        self.loop_n(n, |this, i| {
            let x = this.elem(v, &[i])?;
            let less = this.fb.cmp(CmpOp::Lt, x, pivot);
            let c = this.fb.load(cell, zero, ScalarType::I64);
            let c = this.fb.binary(BinaryOp::Add, c, less);
            this.fb.store(cell, zero, c);
            Ok(())
        })?;
        Ok(self.fb.load(cell, zero, ScalarType::I64))
    }
}
