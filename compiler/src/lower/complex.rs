//! Complex values: two `f64`s, the real part then the imaginary part.
//!
//! A complex variable's buffer holds its elements in Stan's order, each as
//! the pair (re, im): its storage shape is the declared one with an axis of
//! size 2 (the part) inserted as the first element axis, so that the
//! layout rules (arrays row-major, elements column-major) put the two parts
//! of an element side by side. `complex_vector[n]` is stored as `[2, n]`,
//! `array[k] complex` as `[k, 2]`, `complex_matrix[m, n]` as `[2, m, n]`.
//! Everything else (`shape`, the output's column names) sees the declared
//! shape.
//!
//! An expression of complex type is lowered by [`Lowerer::complex_elem`]
//! into its two parts at a multi-index. Variables and indexing reuse the
//! ordinary element path with the part to read set in
//! `Lowerer::complex_part`, which the load of a complex variable adds to
//! its index. The result is plain IR on `f64` values and library calls, so
//! the interpreter and the JIT run it unchanged. Complex values exist only
//! in transformed data and generated quantities (the checker's rule), so
//! nothing here is differentiated.

use super::{LowerError, LowerResult, Lowerer, Storage};
use crate::check::typed::{TypedExpr, TypedExprKind, TypedIndex};
use crate::check::types::Type;
use crate::ir::{BinaryOp, CallArg, CmpOp, UnaryOp, Value};
use crate::syntax::ast::{BinOp, UnOp};

/// The storage shape of a variable of type `ty` and declared shape `shape`:
/// for a complex type, the part axis inserted after the array axes.
pub(crate) fn storage_shape(ty: &Type, shape: &[usize]) -> Vec<usize> {
    let mut out = shape.to_vec();
    if ty.is_complex_valued() {
        out.insert(ty.array.len().min(out.len()), 2);
    }
    out
}

/// The declared shape of a complex variable's storage (the part axis
/// removed); other storage is returned as it is.
pub(crate) fn declared_shape(ty: &Type, storage: &Storage) -> Vec<usize> {
    let mut out = storage.shape.clone();
    if ty.is_complex_valued() && storage.shape.len() > storage.array_rank {
        out.remove(storage.array_rank);
    }
    out
}

/// The functions whose result is complex and written whole by one library
/// call into a complex variable.
fn is_complex_buffer_function(name: &str) -> bool {
    matches!(name, "eigenvalues" | "eigenvectors")
}

impl Lowerer<'_> {
    /// The storage index of part `part` of the element at `idx` (a full
    /// index of the declared shape) of a complex variable.
    pub(crate) fn complex_storage_index(&mut self, storage: &Storage, idx: &[Value], part: usize, at: &TypedExpr) -> LowerResult<Vec<Value>> {
        if idx.len() < storage.array_rank {
            return Err(LowerError::unsupported(at.span, "a complex array taken whole inside an expression; index it to its elements"));
        }
        let mut full = idx.to_vec();
        let p = self.fb.i64(part as i64);
        full.insert(storage.array_rank, p);
        Ok(full)
    }

    /// The real and imaginary parts of the complex expression `e` at `idx`
    /// (a real or int expression gives imaginary part zero).
    pub(crate) fn complex_elem(&mut self, e: &TypedExpr, idx: &[Value]) -> LowerResult<(Value, Value)> {
        use TypedExprKind as K;
        if !e.ty.is_complex_valued() {
            let v = self.elem(e, idx)?;
            let re = self.fb.to_f64(v);
            let im = self.fb.f64(0.0);
            return Ok((re, im));
        }
        match &e.kind {
            K::Var(_) | K::Index { .. } => {
                let saved = self.complex_part;
                self.complex_part = Some(0);
                let re = self.elem(e, idx);
                self.complex_part = Some(1);
                let im = self.elem(e, idx);
                self.complex_part = saved;
                Ok((re?, im?))
            }
            K::Unary { op: UnOp::Plus, operand } => self.complex_elem(operand, idx),
            K::Unary { op: UnOp::Transpose, operand } => {
                let reversed: Vec<Value> = idx.iter().rev().copied().collect();
                self.complex_elem(operand, &reversed)
            }
            K::Unary { op: UnOp::Neg, operand } => {
                let (re, im) = self.complex_elem(operand, idx)?;
                Ok((self.fb.unary(UnaryOp::Neg, re), self.fb.unary(UnaryOp::Neg, im)))
            }
            K::Binary { op, lhs, rhs } => {
                let (a, b) = self.complex_operand(e, lhs, idx)?;
                let (c, d) = self.complex_operand(e, rhs, idx)?;
                self.complex_binary(*op, (a, b), (c, d), e)
            }
            K::Call { func, args } => match (func.as_str(), args.as_slice()) {
                ("to_complex", _) => {
                    let part = |this: &mut Self, k: usize| -> LowerResult<Value> {
                        match args.get(k) {
                            Some(a) => {
                                let v = this.scalar(a)?;
                                Ok(this.fb.to_f64(v))
                            }
                            None => Ok(this.fb.f64(0.0)),
                        }
                    };
                    let re = part(self, 0)?;
                    let im = part(self, 1)?;
                    Ok((re, im))
                }
                ("conj", [z]) => {
                    let (re, im) = self.complex_elem(z, idx)?;
                    Ok((re, self.fb.unary(UnaryOp::Neg, im)))
                }
                _ => Err(LowerError::unsupported(
                    e.span,
                    format!("`{func}` inside a larger expression; assign its result to a complex variable first"),
                )),
            },
            K::ArrayExpr(items) if !items.is_empty() && !idx.is_empty() => {
                // `{z, w}`: every item's element, the one at `idx[0]` chosen.
                let mut chosen: Option<(Value, Value)> = None;
                for (k, item) in items.iter().enumerate().rev() {
                    let (re, im) = self.complex_elem(item, &idx[1..])?;
                    chosen = Some(match chosen {
                        None => (re, im),
                        Some((r0, i0)) => {
                            let kv = self.fb.i64(k as i64);
                            let here = self.fb.cmp(CmpOp::Eq, idx[0], kv);
                            (self.fb.select(here, re, r0), self.fb.select(here, im, i0))
                        }
                    });
                }
                chosen.ok_or_else(|| LowerError::unsupported(e.span, "an empty array of complex values"))
            }
            _ => Err(LowerError::unsupported(e.span, "this complex expression; build it with `to_complex` or assign its parts to complex variables")),
        }
    }

    /// The element of an operand of the elementwise complex operation `e`
    /// that the result's element at `idx` reads (a scalar operand's only
    /// one).
    fn complex_operand(&mut self, e: &TypedExpr, operand: &TypedExpr, idx: &[Value]) -> LowerResult<(Value, Value)> {
        let axes = operand.ty.axes();
        if idx.is_empty() || axes.is_empty() {
            return self.complex_elem(operand, &[]);
        }
        let map = super::expr::axis_map(&e.ty.axes(), &axes)
            .ok_or_else(|| LowerError::unsupported(operand.span, "an operand whose shape does not align"))?;
        let sub: Vec<Value> = map.iter().map(|&r| idx[r]).collect();
        self.complex_elem(operand, &sub)
    }

    /// `(a + bi) op (c + di)` for `+ - * /` (the checker allows no other).
    fn complex_binary(&mut self, op: BinOp, (a, b): (Value, Value), (c, d): (Value, Value), e: &TypedExpr) -> LowerResult<(Value, Value)> {
        let fb = &mut self.fb;
        Ok(match op {
            BinOp::Add => (fb.binary(BinaryOp::Add, a, c), fb.binary(BinaryOp::Add, b, d)),
            BinOp::Sub => (fb.binary(BinaryOp::Sub, a, c), fb.binary(BinaryOp::Sub, b, d)),
            BinOp::Mul | BinOp::EltMul => {
                let (ac, bd) = (fb.binary(BinaryOp::Mul, a, c), fb.binary(BinaryOp::Mul, b, d));
                let (ad, bc) = (fb.binary(BinaryOp::Mul, a, d), fb.binary(BinaryOp::Mul, b, c));
                (fb.binary(BinaryOp::Sub, ac, bd), fb.binary(BinaryOp::Add, ad, bc))
            }
            BinOp::Div | BinOp::EltDiv => {
                // ((ac + bd) + (bc - ad) i) / (c² + d²); a zero divisor
                // gives NaN parts, as std::complex does without checks.
                let (cc, dd) = (fb.binary(BinaryOp::Mul, c, c), fb.binary(BinaryOp::Mul, d, d));
                let den = fb.binary(BinaryOp::Add, cc, dd);
                let (ac, bd) = (fb.binary(BinaryOp::Mul, a, c), fb.binary(BinaryOp::Mul, b, d));
                let (bc, ad) = (fb.binary(BinaryOp::Mul, b, c), fb.binary(BinaryOp::Mul, a, d));
                let re = fb.binary(BinaryOp::Add, ac, bd);
                let im = fb.binary(BinaryOp::Sub, bc, ad);
                (fb.binary(BinaryOp::Div, re, den), fb.binary(BinaryOp::Div, im, den))
            }
            _ => return Err(LowerError::unsupported(e.span, format!("`{}` of complex values", op.symbol()))),
        })
    }

    /// A real function of a complex argument at `idx` (`get_real`,
    /// `get_imag`, `abs`, `arg`, `norm`), or `None` when `func` is not one
    /// or its argument is not complex.
    pub(crate) fn complex_real_call(&mut self, func: &str, args: &[TypedExpr], idx: &[Value], e: &TypedExpr) -> LowerResult<Option<Value>> {
        let [z] = args else { return Ok(None) };
        if !z.ty.is_complex_valued() || !matches!(func, "get_real" | "get_imag" | "abs" | "arg" | "norm") {
            return Ok(None);
        }
        let (re, im) = self.complex_elem(z, idx)?;
        Ok(Some(match func {
            "get_real" => re,
            "get_imag" => im,
            "abs" => {
                let f = self.func("hbm_hypot", e)?;
                self.fb.call(f, vec![CallArg::Value(re), CallArg::Value(im)])
            }
            "arg" => {
                let f = self.func("hbm_atan2", e)?;
                self.fb.call(f, vec![CallArg::Value(im), CallArg::Value(re)])
            }
            _ => {
                let rr = self.fb.binary(BinaryOp::Mul, re, re);
                let ii = self.fb.binary(BinaryOp::Mul, im, im);
                self.fb.binary(BinaryOp::Add, rr, ii)
            }
        }))
    }

    /// `dst = e` for a whole complex variable: one library call for
    /// `eigenvalues`/`eigenvectors`, else element by element, both parts of
    /// an element computed before either is stored.
    pub(crate) fn store_whole_complex(&mut self, dst: &Storage, dst_ty: &Type, e: &TypedExpr) -> LowerResult<()> {
        if let TypedExprKind::Call { func, args } = &e.kind {
            if is_complex_buffer_function(func) {
                let a = self.pointer_arg(&args[0])?;
                let n = match a.shape.as_slice() {
                    [r, c] if r == c => *r,
                    shape => return Err(LowerError::unsupported(e.span, format!("`{func}` of a non-square matrix ({shape:?})"))),
                };
                let nv = self.fb.i64(n as i64);
                let zero = self.fb.i64(0);
                let f = self.func(&format!("hbm_{func}"), e)?;
                let status = self.fb.call(f, vec![a.arg(), CallArg::Value(nv), CallArg::Buffer { buf: dst.buf, offset: zero }]);
                self.reject_unless_zero(status, &format!("{func}: the matrix has a non-finite element, or the QR iteration did not converge"));
                return Ok(());
            }
        }
        let shape = declared_shape(dst_ty, dst);
        self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
            let (re, im) = this.complex_elem(e, idx)?;
            this.store_complex(dst, idx, (re, im), e)
        })
    }

    /// Stores both parts at the element `idx` (declared shape) of `dst`.
    fn store_complex(&mut self, dst: &Storage, idx: &[Value], (re, im): (Value, Value), at: &TypedExpr) -> LowerResult<()> {
        for (part, v) in [(0, re), (1, im)] {
            let full = self.complex_storage_index(dst, idx, part, at)?;
            let o = self.offset(dst, &full);
            self.fb.store(dst.buf, o, v);
        }
        Ok(())
    }

    /// `base[indices] = value` for a complex variable `base`.
    pub(crate) fn assign_indexed_complex(
        &mut self,
        lhs: &TypedExpr,
        base: &TypedExpr,
        storage: &Storage,
        indices: &[TypedIndex],
        zipped: &[Vec<usize>],
        value: &TypedExpr,
    ) -> LowerResult<()> {
        let base_shape = declared_shape(&base.ty, storage);
        let shape = self.shape(lhs)?;
        // Stan evaluates the right side first: a right side that reads the
        // variable is computed whole before any store.
        if super::stmt::mentions_buffer(value, storage, &self.storage) && !shape.is_empty() {
            return Err(LowerError::unsupported(lhs.span, "assigning part of a complex container a value that reads the same container"));
        }
        self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
            let (re, im) = this.complex_elem(value, idx)?;
            let base_idx = this.base_index(lhs, &base.ty, &base_shape, indices, zipped, idx)?;
            this.store_complex(storage, &base_idx, (re, im), lhs)
        })
    }

    /// The part of a complex variable's element a load reads: the index
    /// into its storage, or an error when no part was asked for (a complex
    /// value where the program needs a real one, which the checker rules
    /// out).
    pub(crate) fn complex_load_index(&mut self, storage: &Storage, idx: &[Value], at: &TypedExpr) -> LowerResult<Vec<Value>> {
        let part = self
            .complex_part
            .ok_or_else(|| LowerError::unsupported(at.span, "a complex value where a real one is needed; take `get_real`/`get_imag` of it"))?;
        self.complex_storage_index(storage, idx, part, at)
    }

}
