//! `normal` and `std_normal` log densities as IR instead of stdlib calls,
//! with the work that depends on the scale alone hoisted out of the loop
//! over terms.
//!
//! A term is `-z²/2 - c` with `z = (y - μ)·w`, `w = 1/σ` and
//! `c = log σ + log √(2π)`. `w` and `c` are computed before the loop:
//! constants for a literal σ (and `std_normal`), once for a scalar σ, and
//! once per element of σ's variable when σ is that variable or an indexed
//! read of it (`sigma_y[grade]`: once per member of `grade`, not once per
//! observation); only other scales get them per term. A `c` shared by all
//! terms is added once, times their number. The loop then makes
//! no call, and the AD differentiates plain arithmetic: the partials are
//! those of the stdlib's `normal_lpdf_grad`.
//!
//! An invalid scale (σ ≤ 0 or NaN) gives `w = 0` and `c = +∞`, so its terms
//! are -∞, as the stdlib's `normal_lpdf` returns.

use super::stmt::Sink;
use super::{LowerResult, Lowerer, Storage};
use crate::check::typed::{TypedExpr, TypedExprKind, VarId};
use crate::check::types::Type;
use crate::ir::{BinaryOp, CallArg, CmpOp, ScalarType, Value};
use hbmc_stdlib::special::HALF_LN_2PI;

/// Where a normal density's `w = 1/σ` and `c = log σ + log √(2π)` come from.
enum Scale {
    /// Known at compile time.
    Const { w: f64, c: f64 },
    /// Computed once before the loop (a scalar σ).
    Once { w: Value, c: Value },
    /// Computed for every element of the variable σ reads, into buffers
    /// laid out as the variable; a term reads them as σ's expression
    /// would read the variable.
    PerElement { var: VarId, w: Storage, c: Storage },
    /// Computed in each term.
    PerTerm,
}

/// The fewest terms worth a kernel call: below it the per-term IR (about
/// 17 instructions a term in a reverse loop) costs less than the call and
/// its adjoint's setup.
const MIN_IN_PLACE_TERMS: usize = 16;

/// `w` and `c` of a compile-time scale.
fn const_parts(sigma: f64) -> (f64, f64) {
    if sigma > 0.0 {
        (1.0 / sigma, sigma.ln() + HALF_LN_2PI)
    } else {
        (0.0, f64::INFINITY)
    }
}

impl Lowerer<'_> {
    /// The terms of `variate ~ normal(params)` (or `std_normal()`).
    pub(super) fn normal_terms(&mut self, variate: &TypedExpr, params: &[TypedExpr], sink: Sink, at: &TypedExpr) -> LowerResult<()> {
        let (frame, shape) = self.density_frame(variate, params, at)?;
        let scale = match params.get(1) {
            None => {
                let (w, c) = const_parts(1.0);
                Scale::Const { w, c }
            }
            Some(sigma) => self.hoisted_scale(sigma, at)?,
        };
        // A `c` shared by every term is added once, times the number of
        // terms (an invalid scale's +∞ still gives -∞).
        let terms = super::layout::element_count(&shape);
        match &scale {
            Scale::Const { c, .. } if terms > 0 => {
                let total = self.fb.f64(-(terms as f64) * c);
                self.emit_term(sink, total);
            }
            Scale::Once { c, .. } if terms > 0 => {
                let n = self.fb.f64(-(terms as f64));
                let total = self.fb.binary(BinaryOp::Mul, n, *c);
                self.emit_term(sink, total);
            }
            _ => {}
        }
        if let Some(sum) = self.normal_sum_in_place(variate, params, &scale, terms, at)? {
            self.emit_term(sink, sum);
            return Ok(());
        }
        self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
            let y = this.operand_elem(&frame, variate, idx)?;
            let y = this.fb.to_f64(y);
            let d = match params.first() {
                Some(mu) => {
                    let m = this.operand_elem(&frame, mu, idx)?;
                    let m = this.fb.to_f64(m);
                    this.fb.binary(BinaryOp::Sub, y, m)
                }
                None => y,
            };
            // `c` is `None` where it was added before the loop.
            let (w, c) = match &scale {
                Scale::Const { w, .. } if *w == 1.0 => (None, None),
                Scale::Const { w, .. } => (Some(this.fb.f64(*w)), None),
                Scale::Once { w, .. } => (Some(*w), None),
                Scale::PerElement { var, w, c } => {
                    let w = this.read_instead(*var, w, &frame, &params[1], idx)?;
                    let c = this.read_instead(*var, c, &frame, &params[1], idx)?;
                    (Some(w), Some(c))
                }
                Scale::PerTerm => {
                    // σ = exp(z): log σ is z, no `log` call
                    // (`FnBuilder::log_parts`).
                    let s = this.operand_elem(&frame, &params[1], idx)?;
                    let s = this.fb.to_f64(s);
                    let (w, c) = this.scale_parts(s, at)?;
                    (Some(w), Some(c))
                }
            };
            let z = match w {
                Some(w) => this.fb.binary(BinaryOp::Mul, d, w),
                None => d,
            };
            let z2 = this.fb.binary(BinaryOp::Mul, z, z);
            let half = this.fb.f64(-0.5);
            let q = this.fb.binary(BinaryOp::Mul, half, z2);
            let term = match c {
                Some(c) => this.fb.binary(BinaryOp::Sub, q, c),
                None => q,
            };
            this.emit_term(sink, term);
            Ok(())
        })
    }

    /// The quadratic terms `Σ -((y - μ)·w)²/2` as one call of the stdlib's
    /// vectorised kernel (`hbm_normal_sum_vec`, with its adjoint rule),
    /// when the variate's elements are in place in a buffer (a parameter
    /// vector, `to_vector(z[g])`), at least [`MIN_IN_PLACE_TERMS`] of them,
    /// μ is one scalar (or absent) and `w` is the same for every term;
    /// `None` otherwise: the terms are then IR arithmetic, which fuses
    /// with the loops around it.
    fn normal_sum_in_place(&mut self, variate: &TypedExpr, params: &[TypedExpr], scale: &Scale, terms: usize, at: &TypedExpr) -> LowerResult<Option<Value>> {
        if terms < MIN_IN_PLACE_TERMS || params.first().is_some_and(|mu| !mu.ty.is_scalar()) {
            return Ok(None);
        }
        if !matches!(scale, Scale::Const { .. } | Scale::Once { .. }) {
            return Ok(None);
        }
        let Some(x) = self.elements_in_place(variate)? else { return Ok(None) };
        if x.shape.iter().product::<usize>() != terms {
            return Ok(None);
        }
        let w = match scale {
            Scale::Const { w, .. } => self.fb.f64(*w),
            Scale::Once { w, .. } => *w,
            // Refused above.
            Scale::PerElement { .. } | Scale::PerTerm => return Ok(None),
        };
        let mu = match params.first() {
            Some(mu) => {
                let m = self.scalar(mu)?;
                self.fb.to_f64(m)
            }
            None => self.fb.f64(0.0),
        };
        let f = self.func("hbm_normal_sum_vec", at)?;
        let n = self.fb.i64(terms as i64);
        Ok(Some(self.fb.call(f, vec![x.arg(), CallArg::Value(n), CallArg::Value(mu), CallArg::Value(w)])))
    }

    /// Where `w` and `c` of the scale expression `sigma` are computed.
    fn hoisted_scale(&mut self, sigma: &TypedExpr, at: &TypedExpr) -> LowerResult<Scale> {
        use TypedExprKind as K;
        match &sigma.kind {
            K::RealLit(x) => {
                let (w, c) = const_parts(*x);
                return Ok(Scale::Const { w, c });
            }
            K::IntLit(x) => {
                let (w, c) = const_parts(*x as f64);
                return Ok(Scale::Const { w, c });
            }
            _ => {}
        }
        if sigma.ty.is_scalar() {
            let s = self.scalar(sigma)?;
            let s = self.fb.to_f64(s);
            let (w, c) = self.scale_parts(s, at)?;
            return Ok(Scale::Once { w, c });
        }
        let var = match &sigma.kind {
            K::Var(v) => Some(*v),
            K::Index { base, .. } => match base.kind {
                K::Var(v) => Some(v),
                _ => None,
            },
            _ => None,
        };
        let storage = var.filter(|v| !self.scalars.contains_key(v)).and_then(|v| self.storage.get(&v).cloned());
        let (Some(var), Some(storage)) = (var, storage) else { return Ok(Scale::PerTerm) };
        if storage.ty != ScalarType::F64 {
            return Ok(Scale::PerTerm);
        }
        let len = super::layout::element_count(&storage.shape);
        let w = Storage { buf: self.temp_buffer("normal_inv_scale", ScalarType::F64, len), ..storage.clone() };
        let c = Storage { buf: self.temp_buffer("normal_log_scale", ScalarType::F64, len), ..storage.clone() };
        self.loop_n(len, |this, i| {
            let s = this.fb.load(storage.buf, i, ScalarType::F64);
            let (wv, cv) = this.scale_parts(s, at)?;
            this.fb.store(w.buf, i, wv);
            this.fb.store(c.buf, i, cv);
            Ok(())
        })?;
        Ok(Scale::PerElement { var, w, c })
    }

    /// `w = 1/σ` and `c = log σ + log √(2π)`, or 0 and +∞ when σ is not
    /// positive.
    fn scale_parts(&mut self, s: Value, at: &TypedExpr) -> LowerResult<(Value, Value)> {
        let log = self.func("hbm_log", at)?;
        let l = self.fb.call(log, vec![CallArg::Value(s)]);
        Ok(self.parts_of_scale(s, l))
    }

    /// `w` and `c` from σ and its log.
    fn parts_of_scale(&mut self, s: Value, log_s: Value) -> (Value, Value) {
        let zero = self.fb.f64(0.0);
        let ok = self.fb.cmp(CmpOp::Gt, s, zero);
        let one = self.fb.f64(1.0);
        let inv = self.fb.binary(BinaryOp::Div, one, s);
        let w = self.fb.select(ok, inv, zero);
        let k = self.fb.f64(HALF_LN_2PI);
        let lk = self.fb.binary(BinaryOp::Add, log_s, k);
        let inf = self.fb.f64(f64::INFINITY);
        let c = self.fb.select(ok, lk, inf);
        (w, c)
    }

    /// The element of `e` at `idx`, reading `replacement` wherever `e`
    /// reads the variable `var` (a buffer laid out as the variable).
    fn read_instead(&mut self, var: VarId, replacement: &Storage, frame: &Type, e: &TypedExpr, idx: &[Value]) -> LowerResult<Value> {
        let saved = self.storage.insert(var, replacement.clone());
        let v = self.operand_elem(frame, e, idx);
        match saved {
            Some(s) => self.storage.insert(var, s),
            None => self.storage.remove(&var),
        };
        let v = v?;
        Ok(self.fb.to_f64(v))
    }
}
