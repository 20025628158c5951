//! Matrix functions that are compositions of products, transposes and the
//! triangular solve the lowering already has (so their gradients come from
//! the product's loops and the solve's AD rule): `tcrossprod(x) = x * x'`,
//! `crossprod(x) = x' * x`, `quad_form(A, B) = B' * A * B` (and
//! `quad_form_sym`), `trace_quad_form(A, B) = trace(B' * A * B)`,
//! `trace_gen_quad_form(D, A, B) = trace(D * B' * A * B)`,
//! `matrix_power(A, n)` of a power known once the data are (`n - 1`
//! products, the identity for 0), and
//! `mdivide_right_tri_low(b, L) = b * L^-1`, with `L^-1` the triangular
//! solve of the identity (which reads only the lower triangle, as Stan),
//! `mdivide_left_spd`/`mdivide_right_spd` by two triangular solves with
//! the Cholesky factor, `mdivide_left(A, b) = A^-1 b` and
//! `mdivide_right(b, A) = b A^-1` (also written `A \ b` and `b / A`), and `matrix_exp_multiply(A, B) = matrix_exp(A) * B`
//! (`scale_matrix_exp_multiply(t, A, B)` with `t * A`).
//! Also `identity_matrix(n) = diag_matrix(rep_vector(1, n))` and
//! `squared_distance(a, b) = dot_self(a - b)` (`distance` its square root),
//! `norm2(x) = sqrt(dot_self(x))`, `norm1(x) = sum(fabs(x))`,
//! `log_determinant_spd(A) = 2 sum(log(diagonal(L)))` and
//! `chol2inv(L) = (L^-1)' L^-1` (`(L L')^-1`), with `L` A's Cholesky factor.
//! The call is computed whole, once per statement (see `hoist`).

use super::{LowerError, LowerResult, Lowerer};
use crate::check::signatures;
use crate::check::typed::{TypedExpr, TypedExprKind};
use crate::check::types::{Axis, Type};
use crate::ir::{ScalarType, Value};
use crate::syntax::ast::{BinOp, UnOp};

/// The functions this module expands.
pub(super) fn is_composite(func: &str) -> bool {
    matches!(
        func,
        "tcrossprod" | "crossprod" | "quad_form" | "quad_form_sym" | "trace_quad_form" | "trace_gen_quad_form" | "mdivide_right_tri_low"
            | "identity_matrix" | "squared_distance" | "distance" | "mdivide_left_spd" | "mdivide_right_spd"
            | "matrix_exp_multiply" | "scale_matrix_exp_multiply" | "matrix_power" | "norm1" | "norm2"
            | "log_determinant_spd" | "chol2inv" | "mdivide_left" | "mdivide_right"
    )
}

/// Whether the composite's value is a matrix (computed into a buffer) rather than a scalar.
pub(super) fn is_composite_matrix(func: &str, args: &[TypedExpr]) -> bool {
    match func {
        "quad_form" | "quad_form_sym" => !args[1].ty.is_scalar() && matches!(args[1].ty.elem, crate::check::types::ElemType::Matrix(..)),
        "trace_quad_form" | "trace_gen_quad_form" | "squared_distance" | "distance" | "norm1" | "norm2" | "log_determinant_spd" => false,
        _ => is_composite(func),
    }
}

pub(super) fn node(kind: TypedExprKind, ty: Type, like: &TypedExpr) -> TypedExpr {
    TypedExpr { kind, ty, level: like.level, span: like.span }
}

pub(super) fn transposed(x: &TypedExpr) -> TypedExpr {
    let ty = signatures::transpose(&x.ty).unwrap_or_else(|| x.ty.clone());
    node(TypedExprKind::Unary { op: UnOp::Transpose, operand: Box::new(x.clone()) }, ty, x)
}

fn product(a: TypedExpr, b: TypedExpr, like: &TypedExpr) -> TypedExpr {
    let ty = signatures::multiply(&a.ty, &b.ty).unwrap_or_else(|| like.ty.clone());
    node(TypedExprKind::Binary { op: BinOp::Mul, lhs: Box::new(a), rhs: Box::new(b) }, ty, like)
}

pub(super) fn call(func: &str, args: Vec<TypedExpr>, ty: Type, like: &TypedExpr) -> TypedExpr {
    node(TypedExprKind::Call { func: func.into(), args }, ty, like)
}

/// `x` read as a vector (a row vector or a real array alike).
fn as_vector(x: &TypedExpr, like: &TypedExpr) -> TypedExpr {
    call("to_vector", vec![x.clone()], Type::vector(Axis::Anon), like)
}

/// The `size` x `size` identity, `diag_matrix(rep_vector(1, size))`.
fn identity(size: TypedExpr, like: &TypedExpr) -> TypedExpr {
    let one = node(TypedExprKind::RealLit(1.0), Type::real(), like);
    let ones = call("rep_vector", vec![one, size], Type::vector(Axis::Anon), like);
    call("diag_matrix", vec![ones], Type::matrix(Axis::Anon, Axis::Anon), like)
}

/// `squared_distance(a, b)`: `square(a - b)` of reals, `dot_self(a - b)`
/// of vectors (a row vector and a vector alike: both read as vectors).
fn squared_distance(a: &TypedExpr, b: &TypedExpr, like: &TypedExpr) -> TypedExpr {
    let (a, b, ty) = if a.ty.is_scalar() {
        (a.clone(), b.clone(), Type::real())
    } else {
        (as_vector(a, like), as_vector(b, like), Type::vector(Axis::Anon))
    };
    let scalar = ty.is_scalar();
    let diff = node(TypedExprKind::Binary { op: BinOp::Sub, lhs: Box::new(a), rhs: Box::new(b) }, ty, like);
    call(if scalar { "square" } else { "dot_self" }, vec![diff], Type::real(), like)
}

/// `A^-1 b` for a symmetric positive-definite A by its Cholesky factor
/// (which rejects an A that is not): `L^-T (L^-1 b)`, the transposed solve
/// written as `((L^-1 b)' L^-1)'`.
fn spd_solve(a: &TypedExpr, b: &TypedExpr, like: &TypedExpr) -> TypedExpr {
    let l = call("cholesky_decompose", vec![a.clone()], a.ty.clone(), like);
    let half = call("mdivide_left_tri_low", vec![l.clone(), b.clone()], b.ty.clone(), like);
    let half_t = transposed(&half);
    let ty = half_t.ty.clone();
    transposed(&call("mdivide_right_tri_low", vec![half_t, l], ty, like))
}

impl Lowerer<'_> {
    /// The composite's expression in terms of products and solves.
    pub(super) fn expand_composite(&mut self, func: &str, args: &[TypedExpr], e: &TypedExpr) -> LowerResult<TypedExpr> {
        Ok(match func {
            "tcrossprod" => product(args[0].clone(), transposed(&args[0]), e),
            "crossprod" => product(transposed(&args[0]), args[0].clone(), e),
            "quad_form" | "quad_form_sym" => product(product(transposed(&args[1]), args[0].clone(), e), args[1].clone(), e),
            "trace_quad_form" => {
                let inner = product(product(transposed(&args[1]), args[0].clone(), e), args[1].clone(), e);
                call("trace", vec![inner], Type::real(), e)
            }
            "trace_gen_quad_form" => {
                let quad = product(product(transposed(&args[2]), args[1].clone(), e), args[2].clone(), e);
                call("trace", vec![product(args[0].clone(), quad, e)], Type::real(), e)
            }
            "matrix_power" => self.matrix_power(args, e)?,
            "identity_matrix" => {
                let mut id = identity(args[0].clone(), e);
                id.ty = e.ty.clone();
                id
            }
            "mdivide_left_spd" => spd_solve(&args[0], &args[1], e),
            // `A \ b` and `b / A`: A's inverse (LU with pivoting, which
            // rejects a singular A) times b.
            "mdivide_left" => product(call("inverse", vec![args[0].clone()], args[0].ty.clone(), e), args[1].clone(), e),
            "mdivide_right" => product(args[0].clone(), call("inverse", vec![args[1].clone()], args[1].ty.clone(), e), e),
            // matrix_exp(A) * B and matrix_exp(t * A) * B.
            "matrix_exp_multiply" => product(call("matrix_exp", vec![args[0].clone()], args[0].ty.clone(), e), args[1].clone(), e),
            "scale_matrix_exp_multiply" => {
                let scaled = node(
                    TypedExprKind::Binary { op: BinOp::Mul, lhs: Box::new(args[0].clone()), rhs: Box::new(args[1].clone()) },
                    args[1].ty.clone(),
                    e,
                );
                product(call("matrix_exp", vec![scaled], args[1].ty.clone(), e), args[2].clone(), e)
            }
            // b A^-1 = (A^-1 b')' for a symmetric A.
            "mdivide_right_spd" => transposed(&spd_solve(&args[1], &transposed(&args[0]), e)),
            "squared_distance" => squared_distance(&args[0], &args[1], e),
            "log_determinant_spd" => {
                // The factor rejects an A that is not positive definite, as Stan.
                let l = call("cholesky_decompose", vec![args[0].clone()], args[0].ty.clone(), e);
                let v = Type::vector(Axis::Anon);
                let logs = call("log", vec![call("diagonal", vec![l], v.clone(), e)], v, e);
                let two = node(TypedExprKind::RealLit(2.0), Type::real(), e);
                let sum = call("sum", vec![logs], Type::real(), e);
                node(TypedExprKind::Binary { op: BinOp::Mul, lhs: Box::new(two), rhs: Box::new(sum) }, Type::real(), e)
            }
            "chol2inv" => {
                let inverse = self.lower_tri_inverse(&args[0], e)?;
                product(transposed(&inverse), inverse, e)
            }
            "norm1" | "norm2" => {
                // Row vectors and arrays read as vectors, as in squared_distance.
                let x = as_vector(&args[0], e);
                if func == "norm2" {
                    call("sqrt", vec![call("dot_self", vec![x], Type::real(), e)], Type::real(), e)
                } else {
                    call("sum", vec![call("fabs", vec![x], Type::vector(Axis::Anon), e)], Type::real(), e)
                }
            }
            "distance" => {
                let d2 = squared_distance(&args[0], &args[1], e);
                call("sqrt", vec![d2], Type::real(), e)
            }
            _ => {
                // mdivide_right_tri_low(b, L) = b * L^-1.
                let inverse = self.lower_tri_inverse(&args[1], e)?;
                product(args[0].clone(), inverse, e)
            }
        })
    }

    /// `L^-1` as the triangular solve of the identity (which reads only
    /// `L`'s lower triangle, as Stan).
    fn lower_tri_inverse(&mut self, l: &TypedExpr, e: &TypedExpr) -> LowerResult<TypedExpr> {
        let k = self.shape(l)?.first().copied().unwrap_or(0);
        let size = node(TypedExprKind::IntLit(k as i64), Type::int(), e);
        Ok(call("mdivide_left_tri_low", vec![l.clone(), identity(size, e)], l.ty.clone(), e))
    }

    /// `matrix_power(A, n)`: `A * (A * ... A)`, `n - 1` products, or the
    /// identity for `n = 0`. The power must be known once the data are
    /// (a literal, data or transformed data), as the products are laid out
    /// at compile time.
    fn matrix_power(&mut self, args: &[TypedExpr], e: &TypedExpr) -> LowerResult<TypedExpr> {
        /// Most products laid out for one call.
        const MAX_POWER: i64 = 64;
        let n = self.const_int(&args[1]).map_err(|_| {
            LowerError::unsupported(e.span, "`matrix_power` with a power that is not known once the data are (a literal, data or transformed data)")
        })?;
        if n < 0 {
            return Err(LowerError::sizes(e.span, format!("`matrix_power` of power {n}: the power must be at least 0")));
        }
        if n > MAX_POWER {
            return Err(LowerError::unsupported(e.span, format!("`matrix_power` of power {n} (at most {MAX_POWER})")));
        }
        let a = &args[0];
        if n == 0 {
            let k = self.shape(a)?.first().copied().unwrap_or(0);
            let size = node(TypedExprKind::IntLit(k as i64), Type::int(), e);
            return Ok(call("identity_matrix", vec![size], a.ty.clone(), e));
        }
        let mut power = a.clone();
        for _ in 1..n {
            power = product(a.clone(), power, e);
        }
        Ok(power)
    }

    /// `trace(m)`: the sum of the diagonal.
    pub(super) fn trace(&mut self, m: &TypedExpr) -> LowerResult<Value> {
        let shape = self.shape(m)?;
        let n = shape.iter().copied().min().unwrap_or(0);
        let acc = self.temp_buffer("trace", ScalarType::F64, 1);
        let at = self.fb.i64(0);
        let zero = self.fb.f64(0.0);
        self.fb.store(acc, at, zero);
        self.loop_n(n, |this, i| {
            let v = this.elem(m, &[i, i])?;
            let v = this.fb.to_f64(v);
            this.fb.accumulate(acc, at, v);
            Ok(())
        })?;
        Ok(self.fb.load(acc, at, ScalarType::F64))
    }
}
