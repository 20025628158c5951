//! The Cholesky factor of a small correlation matrix and its LKJ density,
//! unrolled.
//!
//! A `cholesky_factor_corr[K]` parameter is otherwise one stdlib transform
//! call per array element (and one `_adj` call in the gradient), and `L ~
//! lkj_corr_cholesky(eta)` one density call that recomputes the LKJ
//! normalising constant (`lgamma`s per row) forward and again in the
//! reverse sweep, with a `digamma`s for the adjoint of `eta`. For `K` at
//! most [`MAX_SMALL`] both are straight-line scalar IR that the AD
//! differentiates like any scalar code: per partial correlation one
//! `tanh`, one `exp` and one `log1p`; per diagonal element of the factor
//! one `log`; the constant is computed here when `eta` is data.

use super::small_matrix::MAX_SMALL;
use super::stmt::Sink;
use super::{LowerError, LowerResult, Lowerer, Storage};
use crate::check::typed::{Constraint, TypedExpr};
use crate::ir::{BinaryOp, CallArg, FuncRef, ScalarType, Stmt, UnaryOp, Value};
use crate::syntax::span::Span;

/// `ln 2`.
const LN_2: f64 = std::f64::consts::LN_2;

impl Lowerer<'_> {
    /// `count` elements of a `cholesky_factor_corr[k]` parameter from their
    /// `free` unconstrained values each, as the stdlib's transform (the
    /// canonical partial correlations `z = tanh(x)` row by row: `L[r, c] =
    /// z_rc √p_c`, `p_c = Π_{c' < c} (1 - z_rc'²)`, `L[r, r] = √p_r`) and
    /// its log-Jacobian `Σ (1 + (r - 1 - c) / 2) ln(1 - z_rc²)` (0-based),
    /// with `1 - z²` and its log computed from `e^{-2|x|}` so that they do
    /// not cancel to 0 for large `|x|`. `false` when `k` is not small.
    pub(super) fn try_constrain_small_cholesky_corr(
        &mut self,
        span: Span,
        (k, count, free): (usize, usize, usize),
        unconstrained: &Storage,
        constrained: &Storage,
        jacobian: bool,
    ) -> LowerResult<bool> {
        // (An empty factor, `cholesky_factor_corr[0]`, is the library's.)
        if !self.unroll_small || !(1..=MAX_SMALL).contains(&k) {
            return Ok(false);
        }
        let tanh = self.library(span, "hbm_tanh")?;
        let exp = self.library(span, "hbm_exp")?;
        let log1p = self.library(span, "hbm_log1p")?;
        self.repeat(count, |this, i| {
            let free_v = this.fb.i64(free as i64);
            let x0 = this.fb.binary(BinaryOp::Mul, i, free_v);
            let kk = this.fb.i64((k * k) as i64);
            let y0 = this.fb.binary(BinaryOp::Mul, i, kk);
            let zero = this.fb.f64(0.0);
            let mut l = vec![zero; k * k];
            l[0] = this.fb.f64(1.0);
            let mut log_jac: Option<Value> = None;
            for r in 1..k {
                // Π (1 - z²) so far; `None` is the empty product 1.
                let mut p: Option<Value> = None;
                for c in 0..r {
                    let at = this.fb.i64((r * (r - 1) / 2 + c) as i64);
                    let at = this.fb.binary(BinaryOp::Add, x0, at);
                    let x = this.fb.load(unconstrained.buf, at, ScalarType::F64);
                    let z = this.fb.call(tanh.clone(), vec![CallArg::Value(x)]);
                    let (sech2, log_sech2) = this.sech2_and_log(x, &exp, &log1p);
                    l[r + c * k] = match p {
                        None => z,
                        Some(p) => {
                            let s = this.fb.unary(UnaryOp::Sqrt, p);
                            this.fb.binary(BinaryOp::Mul, z, s)
                        }
                    };
                    p = Some(match p {
                        None => sech2,
                        Some(p) => this.fb.binary(BinaryOp::Mul, p, sech2),
                    });
                    let coef = 1.0 + 0.5 * (r - 1 - c) as f64;
                    let term = if coef == 1.0 {
                        log_sech2
                    } else {
                        let cv = this.fb.f64(coef);
                        this.fb.binary(BinaryOp::Mul, cv, log_sech2)
                    };
                    log_jac = Some(match log_jac {
                        None => term,
                        Some(s) => this.fb.binary(BinaryOp::Add, s, term),
                    });
                }
                // r >= 1, so the row had at least one partial correlation.
                let p = p.unwrap_or(l[0]);
                l[r + r * k] = this.fb.unary(UnaryOp::Sqrt, p);
            }
            for (n, v) in l.into_iter().enumerate() {
                let at = this.fb.i64(n as i64);
                let at = this.fb.binary(BinaryOp::Add, y0, at);
                this.fb.store(constrained.buf, at, v);
            }
            if let (true, Some(lj)) = (jacobian, log_jac) {
                this.fb.emit(Stmt::AddTarget(lj));
            }
            Ok(())
        })?;
        Ok(true)
    }

    /// `1 - tanh²(x)` as `4e / (1 + e)²` and its log as `2 (ln 2 - |x| -
    /// ln(1 + e))`, with `e = exp(-2|x|)` (the stdlib's `sech2` and
    /// `log_sech2`). Both are even in `x` with a zero derivative at 0, so
    /// the derivative of `|x|` there does not matter.
    fn sech2_and_log(&mut self, x: Value, exp: &FuncRef, log1p: &FuncRef) -> (Value, Value) {
        let a = self.fb.unary(UnaryOp::Abs, x);
        let m2 = self.fb.f64(-2.0);
        let m2a = self.fb.binary(BinaryOp::Mul, m2, a);
        let e = self.fb.call(exp.clone(), vec![CallArg::Value(m2a)]);
        let one = self.fb.f64(1.0);
        let d = self.fb.binary(BinaryOp::Add, one, e);
        let d2 = self.fb.binary(BinaryOp::Mul, d, d);
        let four = self.fb.f64(4.0);
        let four_e = self.fb.binary(BinaryOp::Mul, four, e);
        let sech2 = self.fb.binary(BinaryOp::Div, four_e, d2);
        let lg = self.fb.call(log1p.clone(), vec![CallArg::Value(e)]);
        let ln2 = self.fb.f64(LN_2);
        let t = self.fb.binary(BinaryOp::Sub, ln2, a);
        let t = self.fb.binary(BinaryOp::Sub, t, lg);
        let two = self.fb.f64(2.0);
        (sech2, self.fb.binary(BinaryOp::Mul, two, t))
    }

    /// `L ~ lkj_corr_cholesky(eta)` for a small `cholesky_factor_corr`
    /// parameter `L` (valid by construction, so the library's checks of it
    /// cannot fail) and `eta` fixed by the data: `ln c_K(eta) + Σ_{i>=1}
    /// (K - i - 1 + 2 eta - 2) ln L_ii` (0-based), the constant computed
    /// here by the library routine itself (its density at the identity).
    /// `false` when it does not apply (the caller calls the library).
    pub(super) fn try_small_lkj_corr_cholesky(&mut self, variate: &TypedExpr, eta: &TypedExpr, sink: Sink) -> LowerResult<bool> {
        if !self.unroll_small || self.cholesky_factor_param(variate) != Some(Constraint::CholeskyFactorCorr) {
            return Ok(false);
        }
        let k = match self.shape(variate)?.as_slice() {
            [r, c] if r == c && (1..=MAX_SMALL).contains(r) => *r,
            _ => return Ok(false),
        };
        // A non-positive or non-finite eta: the library's -inf.
        let Some(eta) = crate::bind::const_real_of_data(self.bound, eta).filter(|e| e.is_finite() && *e > 0.0) else { return Ok(false) };
        let identity: Vec<f64> = (0..k * k).map(|n| if n % (k + 1) == 0 { 1.0 } else { 0.0 }).collect();
        let constant = hbmc_stdlib::dist::multivariate::lkj_corr_cholesky_lpdf(&identity, eta);
        if !constant.is_finite() {
            return Ok(false);
        }
        let log = self.library(variate.span, "hbm_log")?;
        let mut term = self.fb.f64(constant);
        for i in 1..k {
            let coef = (k - i - 1) as f64 + 2.0 * eta - 2.0;
            if coef == 0.0 {
                continue;
            }
            let iv = self.fb.i64(i as i64);
            let d = self.elem(variate, &[iv, iv])?;
            let d = self.fb.to_f64(d);
            let ld = self.fb.call(log.clone(), vec![CallArg::Value(d)]);
            let cv = self.fb.f64(coef);
            let t = self.fb.binary(BinaryOp::Mul, cv, ld);
            term = self.fb.binary(BinaryOp::Add, term, t);
        }
        self.emit_term(sink, term);
        Ok(true)
    }

    /// A stdlib function by symbol, or an error naming it.
    fn library(&self, span: Span, symbol: &str) -> LowerResult<FuncRef> {
        self.symbols.get(symbol).ok_or_else(|| LowerError::unsupported(span, format!("the library function `{symbol}`")))
    }
}
