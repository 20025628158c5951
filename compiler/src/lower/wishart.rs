//! The covariance-matrix densities written as expressions over functions
//! the lowering already differentiates (`cholesky_decompose`, the
//! triangular solves, `lmgamma`, `lognormal`, `lkj_corr`), so their
//! gradients come from those functions' rules. With `A = Σ ln diag L_W`,
//! `B = Σ ln diag L_S` (the factors' log diagonals, half the log
//! determinants):
//!
//! ```text
//! wishart(W | nu, S)     = (nu-K-1) A - ½ |L_S^-1 L_W|² - nu K/2 ln 2 - nu B - lmgamma(K, nu/2)
//! inv_wishart(W | nu, S) = nu B - (nu+K+1) A - ½ |L_W^-1 L_S|² - nu K/2 ln 2 - lmgamma(K, nu/2)
//! ```
//!
//! (`|X|²` the squared Frobenius norm: tr(S^-1 W) and tr(S W^-1)). The
//! `_cholesky` forms take the factors and add the Jacobian of L ↦ L L',
//! `K ln 2 + Σ_k (K-k+1) ln L_kk`. `nu <= K - 1` gives `-inf` (Stan
//! rejects), and a matrix that is not positive definite is rejected by its
//! Cholesky decomposition.
//!
//! `multi_gp(y | Sigma, w)` (row k of y ~ N(0, Sigma / w_k)) with `Z =
//! L^-1 y'`: `-KN/2 ln 2π - K Σ ln diag L + N/2 Σ ln w - ½ Σ_k w_k |Z_k|²`;
//! `lkj_cov(y | mu, sigma, eta)`: lognormal(sqrt(diag y) | mu, sigma) plus
//! lkj_corr of y scaled to a correlation matrix (Stan's definition).

use super::linalg_fns::{call, node, transposed};
use super::stmt::Sink;
use super::{LowerError, LowerResult, Lowerer};
use crate::check::typed::{TypedExpr, TypedExprKind};
use crate::check::types::{Axis, Type};
use crate::ir::CmpOp;
use crate::syntax::ast::BinOp;

/// The densities this module lowers.
pub(super) fn is_matrix_density(name: &str) -> bool {
    matches!(
        name,
        "wishart" | "inv_wishart" | "wishart_cholesky" | "inv_wishart_cholesky" | "multi_gp" | "multi_gp_cholesky" | "lkj_cov"
    )
}

fn real(x: f64, like: &TypedExpr) -> TypedExpr {
    node(TypedExprKind::RealLit(x), Type::real(), like)
}

fn binary(op: BinOp, a: TypedExpr, b: TypedExpr, like: &TypedExpr) -> TypedExpr {
    let ty = if a.ty.is_scalar() { b.ty.clone() } else { a.ty.clone() };
    let ty = if ty.is_int_valued() { Type::real() } else { ty };
    node(TypedExprKind::Binary { op, lhs: Box::new(a), rhs: Box::new(b) }, ty, like)
}

fn add(a: TypedExpr, b: TypedExpr, like: &TypedExpr) -> TypedExpr {
    binary(BinOp::Add, a, b, like)
}

fn sub(a: TypedExpr, b: TypedExpr, like: &TypedExpr) -> TypedExpr {
    binary(BinOp::Sub, a, b, like)
}

fn mul(a: TypedExpr, b: TypedExpr, like: &TypedExpr) -> TypedExpr {
    binary(BinOp::Mul, a, b, like)
}

/// `sum(log(diagonal(l)))`: half the log determinant of `l l'`.
fn log_diagonal_sum(l: &TypedExpr, like: &TypedExpr) -> TypedExpr {
    let v = Type::vector(Axis::Anon);
    let diag = call("diagonal", vec![l.clone()], v.clone(), like);
    call("sum", vec![call("log", vec![diag], v, like)], Type::real(), like)
}

/// The squared Frobenius norm `sum(square(x))` of a matrix.
fn frobenius2(x: TypedExpr, like: &TypedExpr) -> TypedExpr {
    let ty = x.ty.clone();
    call("sum", vec![call("square", vec![x], ty, like)], Type::real(), like)
}

fn cholesky(m: &TypedExpr, like: &TypedExpr) -> TypedExpr {
    call("cholesky_decompose", vec![m.clone()], m.ty.clone(), like)
}

/// `l^-1 b` for a lower-triangular l.
fn solve_lower(l: TypedExpr, b: TypedExpr, like: &TypedExpr) -> TypedExpr {
    let ty = b.ty.clone();
    call("mdivide_left_tri_low", vec![l, b], ty, like)
}

impl Lowerer<'_> {
    /// The term of one matrix density (its variate is one matrix).
    pub(super) fn matrix_density_terms(&mut self, name: &str, variate: &TypedExpr, params: &[TypedExpr], sink: Sink, at: &TypedExpr) -> LowerResult<()> {
        let shape = self.shape(variate)?;
        let (rows, cols) = match shape.as_slice() {
            [r, c] => (*r, *c),
            s => return Err(LowerError::unsupported(at.span, format!("`{name}` of a variate of shape {s:?}"))),
        };
        let lp = match name {
            "multi_gp" | "multi_gp_cholesky" => self.multi_gp(name, variate, params, rows, cols, at)?,
            "lkj_cov" => self.lkj_cov(variate, params, rows, cols, at)?,
            _ => {
                self.expect_square(name, "the variate", &shape, at)?;
                let scale_shape = self.shape(&params[1])?;
                if scale_shape != shape {
                    return Err(LowerError::sizes(
                        at.span,
                        format!("`{name}` with a {rows}x{cols} variate but a {scale_shape:?} scale matrix (they must be the same size)"),
                    ));
                }
                return self.wishart(name, variate, params, rows, sink, at);
            }
        };
        let v = self.scalar(&lp)?;
        self.emit_term(sink, v);
        Ok(())
    }

    fn expect_square(&mut self, name: &str, what: &str, shape: &[usize], at: &TypedExpr) -> LowerResult<()> {
        match shape {
            [r, c] if r == c => Ok(()),
            s => Err(LowerError::sizes(at.span, format!("`{name}` with {what} of shape {s:?} (it must be square)"))),
        }
    }

    /// The four Wishart densities; `-inf` unless nu > K - 1.
    fn wishart(&mut self, name: &str, variate: &TypedExpr, params: &[TypedExpr], k: usize, sink: Sink, at: &TypedExpr) -> LowerResult<()> {
        let (nu, scale) = (&params[0], &params[1]);
        let factors = name.ends_with("_cholesky");
        let (l_w, l_s) = if factors { (variate.clone(), scale.clone()) } else { (cholesky(variate, at), cholesky(scale, at)) };
        let kf = k as f64;
        let log_w = log_diagonal_sum(&l_w, at);
        let log_s = log_diagonal_sum(&l_s, at);
        let nu_r = nu.clone();
        let inverse = name.starts_with("inv_");
        let mut lp = if inverse {
            // nu B - (nu+K+1) A - ½ |L_W^-1 L_S|²
            let a = mul(add(nu_r.clone(), real(kf + 1.0, at), at), log_w, at);
            let quad = frobenius2(solve_lower(l_w.clone(), l_s, at), at);
            sub(sub(mul(nu_r.clone(), log_s, at), a, at), mul(real(0.5, at), quad, at), at)
        } else {
            // (nu-K-1) A - ½ |L_S^-1 L_W|² - nu B
            let a = mul(sub(nu_r.clone(), real(kf + 1.0, at), at), log_w, at);
            let quad = frobenius2(solve_lower(l_s, l_w.clone(), at), at);
            sub(sub(a, mul(real(0.5, at), quad, at), at), mul(nu_r.clone(), log_s, at), at)
        };
        // - nu K/2 ln 2 - lmgamma(K, nu/2)
        lp = sub(lp, mul(real(0.5 * kf * std::f64::consts::LN_2, at), nu_r.clone(), at), at);
        let k_int = node(TypedExprKind::IntLit(k as i64), Type::int(), at);
        let half_nu = mul(real(0.5, at), nu_r.clone(), at);
        lp = sub(lp, call("lmgamma", vec![k_int, half_nu], Type::real(), at), at);
        if factors {
            // The Jacobian of L -> L L': K ln 2 + Σ_k (K-k+1) ln L_kk.
            let v = Type::vector(Axis::Anon);
            let diag = call("diagonal", vec![l_w], v.clone(), at);
            let logs = call("log", vec![diag], v.clone(), at);
            let k_size = node(TypedExprKind::IntLit(k as i64), Type::int(), at);
            let weights = call("linspaced_vector", vec![k_size, real(kf, at), real(1.0, at)], v, at);
            let jacobian = call("dot_product", vec![logs, weights], Type::real(), at);
            lp = add(lp, add(real(kf * std::f64::consts::LN_2, at), jacobian, at), at);
        }
        let value = self.scalar(&lp)?;
        let nu_v = self.scalar(nu)?;
        let nu_v = self.fb.to_f64(nu_v);
        let least = self.fb.f64(kf - 1.0);
        let ok = self.fb.cmp(CmpOp::Gt, nu_v, least);
        let minus_inf = self.fb.f64(f64::NEG_INFINITY);
        let term = self.fb.select(ok, value, minus_inf);
        self.emit_term(sink, term);
        Ok(())
    }

    /// `multi_gp(y | Sigma, w)` / `multi_gp_cholesky(y | L, w)` for a K x N y.
    fn multi_gp(&mut self, name: &str, y: &TypedExpr, params: &[TypedExpr], k: usize, n: usize, at: &TypedExpr) -> LowerResult<TypedExpr> {
        let (matrix, w) = (&params[0], &params[1]);
        let m_shape = self.shape(matrix)?;
        if m_shape != [n, n] {
            return Err(LowerError::sizes(
                at.span,
                format!("`{name}` with a {k}x{n} variate but a {m_shape:?} kernel matrix (it must be {n}x{n})"),
            ));
        }
        let w_shape = self.shape(w)?;
        if w_shape != [k] {
            return Err(LowerError::sizes(at.span, format!("`{name}` with {k} rows but {w_shape:?} weights (one per row)")));
        }
        let l = if name == "multi_gp" { cholesky(matrix, at) } else { matrix.clone() };
        let z = solve_lower(l.clone(), transposed(y), at);
        let norms = call("columns_dot_self", vec![z], Type::row_vector(Axis::Anon), at);
        let quad = call("dot_product", vec![norms, w.clone()], Type::real(), at);
        let v = Type::vector(Axis::Anon);
        let log_w = call("sum", vec![call("log", vec![w.clone()], v, at)], Type::real(), at);
        let (kf, nf) = (k as f64, n as f64);
        let constant = real(-0.5 * kf * nf * (2.0 * std::f64::consts::PI).ln(), at);
        let lp = sub(constant, mul(real(kf, at), log_diagonal_sum(&l, at), at), at);
        let lp = add(lp, mul(real(0.5 * nf, at), log_w, at), at);
        Ok(sub(lp, mul(real(0.5, at), quad, at), at))
    }

    /// `lkj_cov(y | mu, sigma, eta)`: lognormal standard deviations and an
    /// LKJ correlation matrix.
    fn lkj_cov(&mut self, y: &TypedExpr, params: &[TypedExpr], rows: usize, cols: usize, at: &TypedExpr) -> LowerResult<TypedExpr> {
        self.expect_square("lkj_cov", "the variate", &[rows, cols], at)?;
        for p in &params[..2] {
            if !p.ty.is_scalar() && self.shape(p)? != [rows] {
                return Err(LowerError::sizes(at.span, format!("`lkj_cov` of a {rows}x{rows} matrix needs mu and sigma of size {rows} (or reals)")));
            }
        }
        let v = Type::vector(Axis::Anon);
        let sds = call("sqrt", vec![call("diagonal", vec![y.clone()], v.clone(), at)], v.clone(), at);
        let scales = call("lognormal_lpdf", vec![sds.clone(), params[0].clone(), params[1].clone()], Type::real(), at);
        let corr = call("quad_form_diag", vec![y.clone(), call("inv", vec![sds], v, at)], y.ty.clone(), at);
        let lkj = call("lkj_corr_lpdf", vec![corr, params[2].clone()], Type::real(), at);
        Ok(add(scales, lkj, at))
    }
}
