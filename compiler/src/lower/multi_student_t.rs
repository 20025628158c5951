//! `multi_student_t(y | nu, mu, Sigma)` and `multi_student_t_cholesky(y |
//! nu, mu, L)` lowered onto the library's multi-normal Cholesky density
//! (whose AD rule they reuse):
//!
//! ```text
//! lp = lgamma((nu + K)/2) - lgamma(nu/2) - K/2 ln(nu pi) - sum_i ln L[i, i]
//!      - (nu + K)/2 ln(1 + q/nu),
//! ```
//!
//! with `L = cholesky_decompose(Sigma)` (or the factor given) and the
//! quadratic form `q = (y - mu)' Sigma^-1 (y - mu)` recovered from
//! `multi_normal_cholesky_lpdf(y | mu, L) = -K/2 ln 2 pi - sum_i ln L[i, i] - q/2`.
//! A `nu` that is not positive makes the term `-inf` (the draw is rejected).

use super::stmt::Sink;
use super::{LowerError, LowerResult, Lowerer};
use crate::check::typed::{TypedExpr, TypedExprKind};
use crate::ir::{BinaryOp, CallArg, CmpOp, ScalarType};

impl Lowerer<'_> {
    /// One term per variate vector (a vector, or each of an array, paired
    /// with the location or each location of an array of them).
    pub(super) fn multi_student_t_terms(&mut self, name: &str, variate: &TypedExpr, params: &[TypedExpr], sink: Sink, at: &TypedExpr) -> LowerResult<()> {
        let (nu, mu, matrix) = (&params[0], &params[1], &params[2]);
        let factor = if name == "multi_student_t" {
            TypedExpr {
                kind: TypedExprKind::Call { func: "cholesky_decompose".into(), args: vec![matrix.clone()] },
                ty: matrix.ty.clone(),
                level: matrix.level,
                span: matrix.span,
            }
        } else {
            matrix.clone()
        };
        let l = self.pointer_arg(&factor)?;
        let k = match l.shape.as_slice() {
            [r, c] if r == c => *r,
            s => return Err(LowerError::unsupported(at.span, format!("`{name}` with a non-square matrix {s:?}"))),
        };
        let y = self.vectors_arg(variate, k, at)?;
        let mu = self.vectors_arg(mu, k, at)?;
        let count = match (y.count, mu.count) {
            (a, b) if a == b || b == 1 => a,
            (1, b) => b,
            (a, b) => return Err(LowerError::unsupported(at.span, format!("`{name}` with {a} variates but {b} locations"))),
        };
        let mvn = self.func("hbm_multi_normal_cholesky_lpdf", at)?;
        let log = self.func("hbm_log", at)?;
        let log1p = self.func("hbm_log1p", at)?;
        let lgamma = self.func("hbm_lgamma", at)?;
        let nu = self.scalar(nu)?;
        let nu = self.fb.to_f64(nu);
        let kf = k as f64;
        // sum_i ln L[i, i], once for all variates.
        let mut log_det = self.fb.f64(0.0);
        for i in 0..k {
            let at_ii = self.fb.i64((i + i * k) as i64);
            let at_ii = self.fb.binary(BinaryOp::Add, l.offset, at_ii);
            let lii = self.fb.load(l.buf, at_ii, ScalarType::F64);
            let ln = self.fb.call(log.clone(), vec![CallArg::Value(lii)]);
            log_det = self.fb.binary(BinaryOp::Add, log_det, ln);
        }
        // The constant and nu's terms: lgamma((nu+K)/2) - lgamma(nu/2) - K/2 ln(nu pi) - log_det.
        let half = self.fb.f64(0.5);
        let kv = self.fb.f64(kf);
        let nu_k = self.fb.binary(BinaryOp::Add, nu, kv);
        let half_nu_k = self.fb.binary(BinaryOp::Mul, half, nu_k);
        let half_nu = self.fb.binary(BinaryOp::Mul, half, nu);
        let lg_top = self.fb.call(lgamma.clone(), vec![CallArg::Value(half_nu_k)]);
        let lg_bottom = self.fb.call(lgamma, vec![CallArg::Value(half_nu)]);
        let ln_nu = self.fb.call(log, vec![CallArg::Value(nu)]);
        let ln_nu_pi = {
            let ln_pi = self.fb.f64(std::f64::consts::PI.ln());
            self.fb.binary(BinaryOp::Add, ln_nu, ln_pi)
        };
        let half_k = self.fb.f64(0.5 * kf);
        let scaled = self.fb.binary(BinaryOp::Mul, half_k, ln_nu_pi);
        let mut base = self.fb.binary(BinaryOp::Sub, lg_top, lg_bottom);
        base = self.fb.binary(BinaryOp::Sub, base, scaled);
        base = self.fb.binary(BinaryOp::Sub, base, log_det);
        // -K/2 ln 2 pi - log_det: the multi-normal density without its quadratic form.
        let normal_const = {
            let c = self.fb.f64(-0.5 * kf * (2.0 * std::f64::consts::PI).ln());
            self.fb.binary(BinaryOp::Sub, c, log_det)
        };
        let positive = {
            let zero = self.fb.f64(0.0);
            self.fb.cmp(CmpOp::Gt, nu, zero)
        };
        self.repeat(count, |this, i| {
            let yi = this.vector_at(&y, k, i);
            let mi = this.vector_at(&mu, k, i);
            let kn = this.fb.i64(k as i64);
            let lp = this.fb.call(mvn, vec![yi, mi, l.arg(), CallArg::Value(kn)]);
            // q = 2 (normal_const - lp).
            let two = this.fb.f64(2.0);
            let diff = this.fb.binary(BinaryOp::Sub, normal_const, lp);
            let q = this.fb.binary(BinaryOp::Mul, two, diff);
            let q_nu = this.fb.binary(BinaryOp::Div, q, nu);
            let l1p = this.fb.call(log1p, vec![CallArg::Value(q_nu)]);
            let tail = this.fb.binary(BinaryOp::Mul, half_nu_k, l1p);
            let term = this.fb.binary(BinaryOp::Sub, base, tail);
            let minus_inf = this.fb.f64(f64::NEG_INFINITY);
            let term = this.fb.select(positive, term, minus_inf);
            this.emit_term(sink, term);
            Ok(())
        })
    }
}
