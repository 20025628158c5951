//! Function calls: elementwise math, index remapping helpers, reductions,
//! densities as expressions (`f_lpdf(y | ...)`) and `_rng` draws.

use super::{LowerError, LowerResult, Lowerer};
use crate::check::signatures::{self, DensitySuffix, BINARY_MATH, UNARY_MATH};
use super::stmt::Cumulative;
use super::Storage;
use super::unrolled::MAX_UNROLLED_LOG_SUM_EXP;
use crate::check::typed::{TypedExpr, TypedExprKind, TypedIndex};
use crate::check::types::ElemType;
use crate::ir::{BinaryOp, BufferId, CallArg, CmpOp, MessagePart, ScalarType, Stmt, UnaryOp, Value};

/// Functions whose whole result a stdlib routine writes into a buffer
/// (lowered by [`Lowerer::fill_call`], never element by element).
pub(crate) fn is_buffer_function(name: &str) -> bool {
    matches!(
        name,
        "cholesky_decompose" | "multiply_lower_tri_self_transpose" | "softmax" | "log_softmax" | "non_centered_mvn"
            | "mdivide_left_tri_low" | "inverse" | "inverse_spd" | "matrix_exp" | "sort_asc" | "sort_desc" | "eigenvalues_sym"
            | "eigenvectors_sym" | "sort_indices_asc" | "sort_indices_desc" | "hmm_hidden_state_prob" | "hmm_latent_rng"
            | "qr_thin_Q" | "qr_thin_R" | "qr_Q" | "qr_R" | "singular_values" | "svd_U" | "svd_V" | "generalized_inverse"
    ) || is_multivariate_rng(name)
        || super::csr::is_csr_function(name)
        || crate::check::ode::split_ode_call(name).is_some_and(|(solver, _)| solver != "integrate_1d")
}

/// The multivariate draws: one library call writes a whole vector (or
/// matrix), so they are computed whole and never element by element.
fn is_multivariate_rng(name: &str) -> bool {
    matches!(
        name,
        "multi_normal_rng" | "multi_normal_cholesky_rng" | "multi_student_t_rng" | "multi_student_t_cholesky_rng"
            | "lkj_corr_cholesky_rng" | "lkj_corr_rng" | "dirichlet_rng" | "multinomial_rng" | "multinomial_logit_rng"
            | "wishart_rng" | "inv_wishart_rng" | "wishart_cholesky_rng" | "inv_wishart_cholesky_rng"
            | "dirichlet_multinomial_rng"
    )
}

/// A container argument passed to a library routine by pointer: its
/// buffer, the offset of its first element, and its shape.
#[derive(Clone, Debug)]
pub(crate) struct PtrArg {
    pub buf: BufferId,
    pub offset: Value,
    pub shape: Vec<usize>,
}

impl PtrArg {
    /// The pointer as a call argument.
    pub fn arg(&self) -> CallArg {
        CallArg::Buffer { buf: self.buf, offset: self.offset }
    }
}

/// Unary functions that are one native instruction.
fn native_unary(name: &str) -> Option<UnaryOp> {
    Some(match name {
        "sqrt" => UnaryOp::Sqrt,
        "fabs" => UnaryOp::Abs,
        "floor" => UnaryOp::Floor,
        "ceil" => UnaryOp::Ceil,
        "trunc" => UnaryOp::Trunc,
        "round" => UnaryOp::Round,
        _ => return None,
    })
}

impl Lowerer<'_> {
    /// The concrete shape of a call's result.
    pub fn call_shape(&mut self, func: &str, args: &[TypedExpr], e: &TypedExpr) -> LowerResult<Vec<usize>> {
        if e.ty.is_scalar() || (e.ty.array.is_empty() && e.ty.elem == ElemType::Complex) {
            return Ok(Vec::new());
        }
        match func {
            // Complex functions keep their argument's shape.
            "get_real" | "get_imag" | "conj" => return self.shape(&args[0]),
            "eigenvalues" => return Ok(vec![self.shape(&args[0])?.first().copied().unwrap_or(0)]),
            "eigenvectors" => return self.shape(&args[0]),
            _ => {}
        }
        if let Some((solver, _)) = crate::check::ode::split_ode_call(func) {
            return self.ode_shape(solver, args);
        }
        if UNARY_MATH.contains(&func) || func == "abs" || func == signatures::PROMOTE_TO_REAL {
            return self.shape(&args[0]);
        }
        let refs: Vec<&TypedExpr> = args.iter().collect();
        if BINARY_MATH.contains(&func)
            || matches!(func, "non_centered" | "add" | "subtract" | "elt_multiply" | "elt_divide")
            || (func == "log_sum_exp" && args.len() == 2)
        {
            return self.broadcast_shape(&e.ty, &refs, e);
        }
        match func {
            // The draw has the location's shape: a vector, or an array of them.
            "multi_normal_rng" | "multi_normal_cholesky_rng" | "dirichlet_rng" | "multinomial_rng" | "multinomial_logit_rng"
            | "dirichlet_multinomial_rng" => {
                return self.shape(&args[0])
            }
            // nu, then the location: the draw has its shape.
            "multi_student_t_rng" | "multi_student_t_cholesky_rng" => return self.shape(&args[1]),
            "lkj_corr_cholesky_rng" | "lkj_corr_rng" => {
                let k = self.const_int(&args[0])?.max(0) as usize;
                return Ok(vec![k, k]);
            }
            // The scale's shape.
            "wishart_rng" | "inv_wishart_rng" | "wishart_cholesky_rng" | "inv_wishart_cholesky_rng" => return self.shape(&args[1]),
            _ => {}
        }
        if let Some((_, DensitySuffix::Rng)) = signatures::split_density_name(func) {
            return self.broadcast_shape(&e.ty, &refs, e);
        }
        if super::linalg_fns::is_composite(func) {
            let expanded = self.expand_composite(func, args, e)?;
            return self.shape(&expanded);
        }
        if super::csr::is_csr_function(func) {
            return self.csr_shape(func, args);
        }
        // Every axis of the argument's type, or an error: an unknown shape
        // (see `shape`) has none to take.
        let arg_shape = |this: &mut Self, k: usize| {
            let s = this.shape(&args[k])?;
            if s.len() < args[k].ty.axes().len() {
                return Err(LowerError::unsupported(args[k].span, "a shape that cannot be determined"));
            }
            Ok(s)
        };
        Ok(match func {
            "rep_vector" | "rep_row_vector" => vec![self.const_int(&args[1])? as usize],
            "rep_matrix" if args.len() == 3 => vec![self.const_int(&args[1])? as usize, self.const_int(&args[2])? as usize],
            "rep_matrix" => {
                let s = arg_shape(self, 0)?;
                let k = self.const_int(&args[1])? as usize;
                match args[0].ty.elem {
                    ElemType::Vector(_) => vec![s[0], k],
                    _ => vec![k, s[0]],
                }
            }
            "rep_array" => {
                let mut s = Vec::new();
                for a in &args[1..] {
                    s.push(self.const_int(a)? as usize);
                }
                s.extend(arg_shape(self, 0)?);
                s
            }
            "to_vector" | "to_row_vector" | "to_array_1d" => vec![arg_shape(self, 0)?.iter().product()],
            "diag_pre_multiply" | "diag_post_multiply" => arg_shape(self, if func == "diag_pre_multiply" { 1 } else { 0 })?,
            "col" => vec![arg_shape(self, 0)?[0]],
            "row" => vec![arg_shape(self, 0)?[1]],
            "diagonal" => vec![arg_shape(self, 0)?[0]],
            "diag_matrix" => {
                let n = arg_shape(self, 0)?[0];
                vec![n, n]
            }
            "segment" => vec![self.const_int(&args[2])? as usize],
            "head" | "tail" => vec![self.const_int(&args[1])? as usize],
            "transpose" => {
                let mut s = arg_shape(self, 0)?;
                s.reverse();
                s
            }
            "cholesky_decompose" | "softmax" | "log_softmax" => arg_shape(self, 0)?,
            "multiply_lower_tri_self_transpose" => {
                let r = arg_shape(self, 0)?[0];
                vec![r, r]
            }
            "mdivide_left_tri_low" => arg_shape(self, 1)?,
            "inverse" | "inverse_spd" | "matrix_exp" | "sort_asc" | "sort_desc" | "eigenvectors_sym" => arg_shape(self, 0)?,
            "sort_indices_asc" | "sort_indices_desc" => vec![arg_shape(self, 0)?.iter().product()],
            "eigenvalues_sym" => vec![arg_shape(self, 0)?[0]],
            "quantile" => arg_shape(self, 1)?,
            "qr_thin_Q" | "qr_thin_R" | "qr_Q" | "qr_R" | "singular_values" | "svd_U" | "svd_V" | "generalized_inverse" => {
                let (m, n) = match arg_shape(self, 0)?[..] {
                    [m, n] => (m, n),
                    _ => return Err(LowerError::unsupported(e.span, format!("`{func}` of an argument that is not a matrix"))),
                };
                let k = m.min(n);
                match func {
                    "qr_thin_Q" | "svd_U" => vec![m, k],
                    "qr_thin_R" => vec![k, n],
                    "qr_Q" => vec![m, m],
                    "qr_R" => vec![m, n],
                    "singular_values" => vec![k],
                    "svd_V" => vec![n, k],
                    _ => vec![n, m],
                }
            }
            "hmm_hidden_state_prob" => arg_shape(self, 0)?,
            "hmm_latent_rng" => vec![arg_shape(self, 0)?.get(1).copied().unwrap_or(0)],
            "dims" => vec![arg_shape(self, 0)?.len()],
            "non_centered_mvn" => arg_shape(self, 3)?,
            "sub_col" | "sub_row" => vec![self.const_int(&args[3])?.max(0) as usize],
            "block" => vec![self.const_int(&args[3])?.max(0) as usize, self.const_int(&args[4])?.max(0) as usize],
            "reverse" => arg_shape(self, 0)?,
            _ if super::concat_fns::is_concat_function(func) => return self.concat_shape(func, args, e),
            _ if super::constructors::sized_constructor(func) => vec![self.const_int(&args[0])?.max(0) as usize],
            "fma" => return self.broadcast_shape(&e.ty, &refs, e),
            "quad_form_diag" | "add_diag" | "symmetrize_from_lower_tri" | "to_array_2d" => arg_shape(self, 0)?,
            "gp_exp_quad_cov" | "cov_exp_quad" | "gp_exponential_cov" | "gp_matern32_cov" | "gp_matern52_cov"
            | "gp_periodic_cov" | "gp_dot_prod_cov" => {
                // Two point sets when the second argument is one (not a real).
                let n1 = arg_shape(self, 0)?[0];
                let n2 = if !args[1].ty.is_scalar() { arg_shape(self, 1)?[0] } else { n1 };
                vec![n1, n2]
            }
            _ => return Err(LowerError::unsupported(e.span, format!("the function `{func}`"))),
        })
    }

    /// One element of a call's result.
    pub fn call_elem(&mut self, e: &TypedExpr, func: &str, args: &[TypedExpr], idx: &[Value]) -> LowerResult<Value> {
        if let Some(("integrate_1d", f)) = crate::check::ode::split_ode_call(func) {
            return self.integral_value(f, args, e);
        }
        if let Some(v) = self.complex_real_call(func, args, idx, e)? {
            return Ok(v);
        }
        if let Some(index) = self.user_function(func) {
            return self.user_call(index, args, e);
        }
        if is_multivariate_rng(func) {
            // Reading it element by element would make one draw per
            // element, each from a different vector.
            return Err(LowerError::unsupported(e.span, format!("`{func}` inside a larger expression; assign the draw to a variable first")));
        }
        if matches!(func, "categorical_rng" | "categorical_logit_rng" | "poisson_binomial_rng") {
            return self.categorical_draw(func, &args[0], idx, e);
        }
        if matches!(func, "ordered_logistic_rng" | "ordered_probit_rng") {
            return self.ordinal_draw(func, &args[0], &args[1], e);
        }
        if func == "quantile" {
            return self.quantile_elem(&args[0], &args[1], idx, e);
        }
        if let Some((dist, suffix)) = signatures::split_density_name(func) {
            return match suffix {
                DensitySuffix::Rng => self.rng_elem(e, dist, args, idx),
                DensitySuffix::Lcdf => self.density_sum(dist, Cumulative::Lcdf, &args[0], &args[1..], e),
                DensitySuffix::Lccdf => self.density_sum(dist, Cumulative::Lccdf, &args[0], &args[1..], e),
                DensitySuffix::Cdf => {
                    // Stan's `_cdf` of containers is the product of the
                    // elements' cdfs: e to the sum of their logs.
                    let log = self.density_sum(dist, Cumulative::Lcdf, &args[0], &args[1..], e)?;
                    let exp = self.func("hbm_exp", e)?;
                    Ok(self.fb.call(exp, vec![CallArg::Value(log)]))
                }
                DensitySuffix::Lupdf | DensitySuffix::Lupmf => {
                    self.density_sum(dist, Cumulative::UnnormalisedDensity, &args[0], &args[1..], e)
                }
                _ => self.density_sum(dist, Cumulative::Density, &args[0], &args[1..], e),
            };
        }
        if super::linalg_fns::is_composite(func) && !super::linalg_fns::is_composite_matrix(func, args) {
            let expanded = self.expand_composite(func, args, e)?;
            return self.lower_expansion(&expanded, |this, x| this.scalar(x));
        }
        if super::linalg_fns::is_composite(func) {
            // A matrix result: computed whole, once per statement.
            let storage = self.materialize(e)?;
            let at = self.offset(&storage, idx);
            return Ok(self.fb.load(storage.buf, at, storage.ty));
        }
        if func == "trace" {
            return self.trace(&args[0]);
        }
        if matches!(func, "determinant" | "log_determinant") {
            if let Some(v) = self.try_small_determinant(func, &args[0])? {
                return Ok(v);
            }
            let a = self.pointer_arg(&args[0])?;
            let n = square_size(&a.shape, func, e)?;
            let nv = self.fb.i64(n as i64);
            let f = self.func(&format!("hbm_{func}"), e)?;
            return Ok(self.fb.call(f, vec![a.arg(), CallArg::Value(nv)]));
        }
        if func == "non_centered_mvn" && self.hoisted_storage(e).is_none() {
            // Element by element where read when `K` is small (a local
            // fused by `try_fuse_local_product`): a few multiply-adds each.
            if let Some(v) = self.small_non_centered_mvn_elem(args, idx)? {
                return Ok(v);
            }
        }
        if is_buffer_function(func) {
            // Computed whole by a library routine, then read.
            let storage = self.materialize(e)?;
            let at = self.offset(&storage, idx);
            return Ok(self.fb.load(storage.buf, at, storage.ty));
        }
        if func == signatures::PROMOTE_TO_REAL {
            let v = self.elem(&args[0], idx)?;
            return Ok(self.fb.to_f64(v));
        }
        if let Some(op) = native_unary(func) {
            let v = self.elem(&args[0], idx)?;
            let v = self.fb.to_f64(v);
            return Ok(self.fb.unary(op, v));
        }
        if func == "square" {
            // x * x, as the library routine computes it, without the call
            // (and with the multiply's adjoint instead of `_d1`'s).
            let v = self.elem(&args[0], idx)?;
            let v = self.fb.to_f64(v);
            return Ok(self.fb.binary(BinaryOp::Mul, v, v));
        }
        if func == "pow" && args.len() == 2 && super::expr::is_literal_two(&args[1]) {
            // `pow(x, 2)` is `x ^ 2` (`BinOp::Pow`): x * x, the same bits,
            // without the call and its `_grad` partials (which take a log
            // for the constant exponent's).
            let v = self.operand_elem(&e.ty, &args[0], idx)?;
            let v = self.fb.to_f64(v);
            return Ok(self.fb.binary(BinaryOp::Mul, v, v));
        }
        if func == "abs" {
            let v = self.elem(&args[0], idx)?;
            if self.fb.type_of(v) == ScalarType::F64 {
                return Ok(self.fb.unary(UnaryOp::Abs, v));
            }
            let zero = self.fb.i64(0);
            let neg = self.fb.cmp(CmpOp::Lt, v, zero);
            let minus = self.fb.unary(UnaryOp::Neg, v);
            return Ok(self.fb.select(neg, minus, v));
        }
        if UNARY_MATH.contains(&func) {
            let v = self.elem(&args[0], idx)?;
            let v = self.fb.to_f64(v);
            let f = self.func(&format!("hbm_{func}"), e)?;
            return Ok(self.fb.call(f, vec![CallArg::Value(v)]));
        }
        if BINARY_MATH.contains(&func) || (func == "log_sum_exp" && args.len() == 2) {
            let a = self.operand_elem(&e.ty, &args[0], idx)?;
            let b = self.operand_elem(&e.ty, &args[1], idx)?;
            let (a, b) = (self.fb.to_f64(a), self.fb.to_f64(b));
            let f = self.func(&format!("hbm_{func}"), e)?;
            return Ok(self.fb.call(f, vec![CallArg::Value(a), CallArg::Value(b)]));
        }
        match func {
            "log_mix" if args.len() == 2 => self.log_mix_containers(args, e),
            "hmm_marginal" => self.hmm_marginal(args, e),
            "log_mix" if args.len() == 3 => {
                // ln(θ e^{lp1} + (1-θ) e^{lp2}) = log_sum_exp(log θ + lp1,
                // log1m θ + lp2), the library's own formula, as IR: in a
                // mixture's loop over observations θ is the same for every
                // one, and `ir::licm` takes its two logs (and, in the
                // gradient, their derivatives) once instead of per
                // observation. θ outside [0, 1] gives NaN either way.
                let theta = self.scalar(&args[0])?;
                let theta = self.fb.to_f64(theta);
                let lp1 = self.scalar(&args[1])?;
                let lp1 = self.fb.to_f64(lp1);
                let lp2 = self.scalar(&args[2])?;
                let lp2 = self.fb.to_f64(lp2);
                let log_theta = self.lib_call("hbm_log", &[theta], e)?;
                let log1m_theta = self.lib_call("hbm_log1m", &[theta], e)?;
                let a = self.fb.binary(BinaryOp::Add, log_theta, lp1);
                let b = self.fb.binary(BinaryOp::Add, log1m_theta, lp2);
                self.lib_call("hbm_log_sum_exp", &[a, b], e)
            }
            "log_mix" | "inc_beta" | "inv_inc_beta" => {
                let mut vals = Vec::new();
                for a in args {
                    let v = self.scalar(a)?;
                    vals.push(CallArg::Value(self.fb.to_f64(v)));
                }
                let f = self.func(&format!("hbm_{func}"), e)?;
                Ok(self.fb.call(f, vals))
            }
            "min" | "max" if args.len() == 2 => {
                let a = self.scalar(&args[0])?;
                let b = self.scalar(&args[1])?;
                let both_int = self.fb.type_of(a) == ScalarType::I64 && self.fb.type_of(b) == ScalarType::I64;
                let (a, b) = if both_int { (a, b) } else { (self.fb.to_f64(a), self.fb.to_f64(b)) };
                Ok(self.fb.binary(if func == "min" { BinaryOp::Min } else { BinaryOp::Max }, a, b))
            }
            "size" | "num_elements" | "rows" | "cols" => {
                let n = self.const_int(e)?;
                Ok(self.fb.i64(n))
            }
            "dims" => {
                // The sizes are known when lowering: the element at idx is
                // picked from them by a chain of selects.
                let sizes = self.shape(&args[0])?;
                let mut v = self.fb.i64(sizes.last().map_or(0, |&n| n as i64));
                for (k, &n) in sizes.iter().enumerate().rev().skip(1) {
                    let at = self.fb.i64(k as i64);
                    let here = self.fb.cmp(CmpOp::Eq, idx[0], at);
                    let nv = self.fb.i64(n as i64);
                    v = self.fb.select(here, nv, v);
                }
                Ok(v)
            }
            "sum" | "mean" | "sd" | "variance" | "dot_self" | "log_sum_exp" | "min" | "max" | "prod" | "dot_product" => {
                self.reduction(func, args, e)
            }
            "rep_vector" | "rep_row_vector" | "rep_matrix" if args[0].ty.is_scalar() => self.scalar(&args[0]),
            "rep_matrix" => {
                let k = match args[0].ty.elem {
                    ElemType::Vector(_) => idx[0],
                    _ => idx[1],
                };
                self.elem(&args[0], &[k])
            }
            "rep_array" => {
                let n_sizes = args.len() - 1;
                self.elem(&args[0], &idx[n_sizes..])
            }
            "to_vector" | "to_row_vector" | "to_array_1d" => {
                let s = self.shape(&args[0])?;
                match s.len() {
                    0 => self.scalar(&args[0]),
                    1 => self.elem(&args[0], idx),
                    2 if args[0].ty.array.is_empty() => {
                        // Column-major, as Stan's to_vector(matrix). A
                        // matrix variable is stored column-major, so its
                        // element i is at offset i: no index arithmetic.
                        if let TypedExprKind::Var(v) = &args[0].kind {
                            if let Some(st) = self.storage.get(v).filter(|st| st.array_rank == 0 && st.shape == s).cloned() {
                                return Ok(self.fb.load(st.buf, idx[0], st.ty));
                            }
                        }
                        // Likewise a matrix element of an array variable
                        // (`to_vector(u_raw[g])`): its element i is i past
                        // its first.
                        if let TypedExprKind::Index { base, indices, zipped } = &args[0].kind {
                            if let TypedExprKind::Var(v) = &base.kind {
                                let st = self.storage.get(v).cloned();
                                let singles = indices.iter().all(|i| matches!(i, crate::check::typed::TypedIndex::Single(_)));
                                if let Some(st) = st.filter(|st| singles && st.array_rank == indices.len() && st.shape[st.array_rank..] == s[..]) {
                                    let zero = self.fb.i64(0);
                                    let first = self.base_index(&args[0], &base.ty, &st.shape, indices, zipped, &[zero, zero])?;
                                    let first = self.offset(&st, &first);
                                    let at = self.fb.binary(BinaryOp::Add, first, idx[0]);
                                    return Ok(self.fb.load(st.buf, at, st.ty));
                                }
                            }
                        }
                        let rows = self.fb.i64(s[0] as i64);
                        let r = self.fb.binary(BinaryOp::Rem, idx[0], rows);
                        let c = self.fb.binary(BinaryOp::Div, idx[0], rows);
                        self.elem(&args[0], &[r, c])
                    }
                    _ => {
                        let at = self.flat_array_index(&s, args[0].ty.array.len(), idx[0]);
                        self.elem(&args[0], &at)
                    }
                }
            }
            "non_centered" | "add" | "subtract" | "elt_multiply" | "elt_divide" => {
                let parts: Vec<Value> = args
                    .iter()
                    .map(|a| self.operand_elem(&e.ty, a, idx))
                    .collect::<LowerResult<_>>()?;
                let parts: Vec<Value> = parts.into_iter().map(|v| self.fb.to_f64(v)).collect();
                Ok(match func {
                    "non_centered" => {
                        let scaled = self.fb.binary(BinaryOp::Mul, parts[1], parts[2]);
                        self.fb.binary(BinaryOp::Add, parts[0], scaled)
                    }
                    "add" => self.fb.binary(BinaryOp::Add, parts[0], parts[1]),
                    "subtract" => self.fb.binary(BinaryOp::Sub, parts[0], parts[1]),
                    "elt_multiply" => self.fb.binary(BinaryOp::Mul, parts[0], parts[1]),
                    _ => self.fb.binary(BinaryOp::Div, parts[0], parts[1]),
                })
            }
            "diag_pre_multiply" => {
                let d = self.elem(&args[0], &idx[..1])?;
                let m = self.elem(&args[1], idx)?;
                let (d, m) = (self.fb.to_f64(d), self.fb.to_f64(m));
                Ok(self.fb.binary(BinaryOp::Mul, d, m))
            }
            "diag_post_multiply" => {
                let m = self.elem(&args[0], idx)?;
                let d = self.elem(&args[1], &idx[1..2])?;
                let (d, m) = (self.fb.to_f64(d), self.fb.to_f64(m));
                Ok(self.fb.binary(BinaryOp::Mul, m, d))
            }
            "col" | "row" => {
                let k = self.scalar(&args[1])?;
                let one = self.fb.i64(1);
                let k0 = self.fb.binary(BinaryOp::Sub, k, one);
                let n = self.shape(&args[0])?[if func == "col" { 1 } else { 0 }];
                let k0 = self.range_check(k0, n, e)?;
                let full = if func == "col" { [idx[0], k0] } else { [k0, idx[0]] };
                self.elem(&args[0], &full)
            }
            "diagonal" => self.elem(&args[0], &[idx[0], idx[0]]),
            "diag_matrix" => {
                let same = self.fb.cmp(CmpOp::Eq, idx[0], idx[1]);
                let v = self.elem(&args[0], &idx[..1])?;
                let v = self.fb.to_f64(v);
                let zero = self.fb.f64(0.0);
                Ok(self.fb.select(same, v, zero))
            }
            "transpose" => {
                let rev: Vec<Value> = idx.iter().rev().copied().collect();
                self.elem(&args[0], &rev)
            }
            "segment" | "head" | "tail" => {
                let len = self.shape(&args[0])?[0];
                let n = self.const_int(&args[args.len() - 1])?;
                let start0 = match func {
                    "segment" => self.const_int(&args[1])? - 1,
                    "head" => 0,
                    _ => len as i64 - n,
                };
                if start0 < 0 || start0 + n > len as i64 || n < 0 {
                    return Err(LowerError::unsupported(e.span, format!("`{func}` outside its container (size {len})")));
                }
                let s = self.fb.i64(start0);
                let i = self.fb.binary(BinaryOp::Add, s, idx[0]);
                self.elem(&args[0], &[i])
            }
            "reverse" => {
                // The outermost index counted from the end.
                let len = self.shape(&args[0])?[0];
                let last = self.fb.i64(len as i64 - 1);
                let mut at = idx.to_vec();
                at[0] = self.fb.binary(BinaryOp::Sub, last, idx[0]);
                self.elem(&args[0], &at)
            }
            _ if super::constructors::is_constructor(func) => self.constructor_elem(func, args, idx, e),
            "sub_col" | "sub_row" | "block" | "quad_form_diag" | "add_diag" | "gp_exp_quad_cov" | "cov_exp_quad" | "gp_exponential_cov"
            | "gp_matern32_cov" | "gp_matern52_cov" | "gp_periodic_cov" | "gp_dot_prod_cov" | "symmetrize_from_lower_tri"
            | "to_array_2d" => {
                self.matrix_function_elem(func, args, idx, e)
            }
            _ if super::concat_fns::is_concat_function(func) => self.concat_elem(func, args, idx, e),
            "is_inf" | "is_nan" => {
                let v = self.scalar(&args[0])?;
                let v = self.fb.to_f64(v);
                // NaN is the one value unequal to itself (unordered compares).
                let yes = if func == "is_nan" {
                    self.fb.cmp(CmpOp::Ne, v, v)
                } else {
                    let size = self.fb.unary(UnaryOp::Abs, v);
                    let inf = self.fb.f64(f64::INFINITY);
                    self.fb.cmp(CmpOp::Eq, size, inf)
                };
                let (one, none) = (self.fb.i64(1), self.fb.i64(0));
                Ok(self.fb.select(yes, one, none))
            }
            "int_step" => {
                // 1 when the argument is positive, else 0 (also for NaN).
                let v = self.scalar(&args[0])?;
                let zero = if self.fb.type_of(v) == ScalarType::I64 { self.fb.i64(0) } else { self.fb.f64(0.0) };
                let positive = self.fb.cmp(CmpOp::Gt, v, zero);
                let (one, none) = (self.fb.i64(1), self.fb.i64(0));
                Ok(self.fb.select(positive, one, none))
            }
            "to_int" => {
                let v = self.scalar(&args[0])?;
                if self.fb.type_of(v) == ScalarType::I64 {
                    return Ok(v);
                }
                let f = self.func("hbm_to_int", e)?;
                let i = self.fb.call(f, vec![CallArg::Value(v)]);
                let sentinel = self.fb.i64(i64::MIN);
                let bad = self.fb.cmp(CmpOp::Eq, i, sentinel);
                self.reject_if(bad, "to_int: the value is NaN or outside the range of int");
                Ok(i)
            }
            "pi" => Ok(self.fb.f64(std::f64::consts::PI)),
            "e" => Ok(self.fb.f64(std::f64::consts::E)),
            "sqrt2" => Ok(self.fb.f64(std::f64::consts::SQRT_2)),
            "not_a_number" => Ok(self.fb.f64(f64::NAN)),
            "positive_infinity" => Ok(self.fb.f64(f64::INFINITY)),
            "negative_infinity" => Ok(self.fb.f64(f64::NEG_INFINITY)),
            "machine_precision" => Ok(self.fb.f64(f64::EPSILON)),
            _ => Err(LowerError::unsupported(e.span, format!("the function `{func}`"))),
        }
    }

    /// Reductions of a container (or of two, for `dot_product`) to a scalar.
    fn reduction(&mut self, func: &str, args: &[TypedExpr], e: &TypedExpr) -> LowerResult<Value> {
        let x = &args[0];
        let shape = self.shape(x)?;
        let n: usize = shape.iter().product();
        if func == "log_sum_exp" && (1..=MAX_UNROLLED_LOG_SUM_EXP).contains(&n) {
            let values = self.elements_once(x, &[], &shape)?;
            return self.log_sum_exp_of(&values, e);
        }
        let int = e.ty.is_int_valued();
        let ty = if int { ScalarType::I64 } else { ScalarType::F64 };
        let acc = self.temp_buffer(func, ty, 1);
        let at = self.fb.i64(0);
        let init = match (func, int) {
            ("prod", true) => self.fb.i64(1),
            ("prod", false) => self.fb.f64(1.0),
            ("min", false) => self.fb.f64(f64::INFINITY),
            ("max", false) => self.fb.f64(f64::NEG_INFINITY),
            (_, true) => self.fb.i64(0),
            _ => self.fb.f64(0.0),
        };
        self.fb.store(acc, at, init);
        match func {
            "sum" | "mean" | "dot_self" | "dot_product" => {
                let y = args.get(1);
                self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
                    let v = this.elem(x, idx)?;
                    let v = if int { v } else { this.fb.to_f64(v) };
                    let term = match (func, y) {
                        ("dot_self", _) => this.fb.binary(BinaryOp::Mul, v, v),
                        ("dot_product", Some(y)) => {
                            let w = this.elem(y, idx)?;
                            let w = this.fb.to_f64(w);
                            this.fb.binary(BinaryOp::Mul, v, w)
                        }
                        _ => v,
                    };
                    this.fb.accumulate(acc, at, term);
                    Ok(())
                })?;
                let total = self.fb.load(acc, at, ty);
                if func == "mean" {
                    let count = self.fb.f64(n as f64);
                    return Ok(self.fb.binary(BinaryOp::Div, total, count));
                }
                Ok(total)
            }
            "min" | "max" if n > 0 => {
                let values = self.materialize_flat(x)?;
                let cmp = if func == "min" { CmpOp::Lt } else { CmpOp::Gt };
                let v = self.extreme_element(&values, n, cmp)?;
                Ok(if int { v } else { self.fb.to_f64(v) })
            }
            "prod" | "min" | "max" => {
                let op = match func {
                    "prod" => BinaryOp::Mul,
                    "min" => BinaryOp::Min,
                    _ => BinaryOp::Max,
                };
                self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
                    let v = this.elem(x, idx)?;
                    let v = if int { v } else { this.fb.to_f64(v) };
                    let cur = this.fb.load(acc, at, ty);
                    let next = this.fb.binary(op, cur, v);
                    this.fb.store(acc, at, next);
                    Ok(())
                })?;
                Ok(self.fb.load(acc, at, ty))
            }
            // One element varies by 0 in Stan (not 0 / 0), its gradient 0.
            "variance" | "sd" if n == 1 => Ok(self.fb.f64(0.0)),
            "variance" | "sd" => {
                // Two passes: the mean, then squared deviations (n - 1 in
                // the denominator, as Stan).
                let mean_acc = self.temp_buffer("mean", ScalarType::F64, 1);
                let zero = self.fb.f64(0.0);
                self.fb.store(mean_acc, at, zero);
                self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
                    let v = this.elem(x, idx)?;
                    let v = this.fb.to_f64(v);
                    this.fb.accumulate(mean_acc, at, v);
                    Ok(())
                })?;
                let total = self.fb.load(mean_acc, at, ScalarType::F64);
                let count = self.fb.f64(n as f64);
                let mean = self.fb.binary(BinaryOp::Div, total, count);
                self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
                    let v = this.elem(x, idx)?;
                    let v = this.fb.to_f64(v);
                    let d = this.fb.binary(BinaryOp::Sub, v, mean);
                    let d2 = this.fb.binary(BinaryOp::Mul, d, d);
                    this.fb.accumulate(acc, at, d2);
                    Ok(())
                })?;
                let ss = self.fb.load(acc, at, ScalarType::F64);
                let denom = self.fb.f64(n as f64 - 1.0);
                let var = self.fb.binary(BinaryOp::Div, ss, denom);
                Ok(if func == "sd" { self.fb.unary(UnaryOp::Sqrt, var) } else { var })
            }
            // Of no elements, as Stan: -inf.
            "log_sum_exp" if n == 0 => Ok(self.fb.f64(f64::NEG_INFINITY)),
            "log_sum_exp" => {
                let values = self.materialize_flat(x)?;
                self.log_sum_exp_of_buffer(&values, n, e)
            }
            _ => Err(LowerError::unsupported(e.span, format!("the reduction `{func}`"))),
        }
    }

    /// `log_sum_exp` of the first `n > 0` elements of a flat buffer: one
    /// library call with its adjoint rule (a loop finding the largest
    /// element would be replayed by the reverse sweep). Integers are
    /// copied into reals first.
    pub(super) fn log_sum_exp_of_buffer(&mut self, values: &Storage, n: usize, at: &TypedExpr) -> LowerResult<Value> {
        let buf = match values.ty {
            ScalarType::F64 => values.buf,
            _ => {
                let reals = self.temp_buffer("log_sum_exp", ScalarType::F64, n);
                self.loop_n(n, |this, i| {
                    let v = this.fb.load(values.buf, i, values.ty);
                    let v = this.fb.to_f64(v);
                    this.fb.store(reals, i, v);
                    Ok(())
                })?;
                reals
            }
        };
        let f = self.func("hbm_log_sum_exp_vec", at)?;
        let first = self.fb.i64(0);
        let len = self.fb.i64(n as i64);
        Ok(self.fb.call(f, vec![CallArg::Buffer { buf, offset: first }, CallArg::Value(len)]))
    }

    /// The extreme element (by `cmp`: `Gt` the largest, `Lt` the smallest)
    /// of the first `n > 0` elements of a flat buffer: its position in an
    /// integer cell, then one load, so no real value is carried between
    /// iterations and the gradient goes to the chosen element.
    fn extreme_element(&mut self, values: &Storage, n: usize, cmp: CmpOp) -> LowerResult<Value> {
        let best = self.temp_buffer("argbest", ScalarType::I64, 1);
        let zero = self.fb.i64(0);
        self.fb.store(best, zero, zero);
        self.loop_n(n, |this, i| {
            let b = this.fb.load(best, zero, ScalarType::I64);
            let cur = this.fb.load(values.buf, b, values.ty);
            let v = this.fb.load(values.buf, i, values.ty);
            let better = this.fb.cmp(cmp, v, cur);
            let next = this.fb.select(better, i, b);
            this.fb.store(best, zero, next);
            Ok(())
        })?;
        let b = self.fb.load(best, zero, ScalarType::I64);
        Ok(self.fb.load(values.buf, b, values.ty))
    }

    /// A container's elements in a flat buffer (its own buffer when it is a
    /// variable, whose layout is then used as is).
    pub(super) fn materialize_flat(&mut self, e: &TypedExpr) -> LowerResult<super::Storage> {
        if let crate::check::typed::TypedExprKind::Var(v) = &e.kind {
            if let Some(s) = self.storage.get(v) {
                return Ok(s.clone());
            }
        }
        self.materialize(e)
    }

    /// The indices of element `flat` of a container of shape `shape` (its
    /// first `array_rank` axes array axes) in Stan's order of
    /// `to_array_1d`: array axes row-major (the last fastest), and inside
    /// each element a vector's index or a matrix's column-major position.
    fn flat_array_index(&mut self, shape: &[usize], array_rank: usize, flat: Value) -> Vec<Value> {
        let (array, elem) = shape.split_at(array_rank.min(shape.len()));
        // A size of 0 leaves no element to index: 1 keeps the divisions
        // defined in code that never runs.
        let elem_len = self.fb.i64(elem.iter().product::<usize>().max(1) as i64);
        let mut outer = self.fb.binary(BinaryOp::Div, flat, elem_len);
        let inner = self.fb.binary(BinaryOp::Rem, flat, elem_len);
        let mut at = vec![inner; shape.len()];
        for (k, &n) in array.iter().enumerate().rev() {
            let n = self.fb.i64(n.max(1) as i64);
            at[k] = self.fb.binary(BinaryOp::Rem, outer, n);
            outer = self.fb.binary(BinaryOp::Div, outer, n);
        }
        if let [rows, _] = elem {
            let rows = self.fb.i64((*rows).max(1) as i64);
            at[array_rank] = self.fb.binary(BinaryOp::Rem, inner, rows);
            at[array_rank + 1] = self.fb.binary(BinaryOp::Div, inner, rows);
        }
        at
    }

    /// One draw of a vectorised `_rng` at `idx`.
    fn rng_elem(&mut self, e: &TypedExpr, dist: &signatures::Distribution, args: &[TypedExpr], idx: &[Value]) -> LowerResult<Value> {
        if dist.multivariate {
            return Err(LowerError::unsupported(e.span, format!("`{}_rng`", dist.name)));
        }
        let mut call_args = vec![CallArg::Rng];
        for (a, (_, shape)) in args.iter().zip(dist.params) {
            let v = self.operand_elem(&e.ty, a, idx)?;
            let v = if *shape == signatures::ArgShape::Ints { v } else { self.fb.to_f64(v) };
            call_args.push(CallArg::Value(v));
        }
        let f = self.func(&format!("hbm_{}_rng", dist.name), e)?;
        Ok(self.fb.call(f, call_args))
    }
}

impl Lowerer<'_> {
    /// Sorts `x` (a vector, row vector or 1-D array) into `dst` by ranks:
    /// element j goes to place r_j = #{k : x_k before x_j} + #{k < j :
    /// x_k = x_j} (a stable sort, ties in their order, as Stan's). Writes
    /// the 1-based index j + 1 there (`sort_indices_*`) or x_j itself (the
    /// int `sort_asc`/`sort_desc`, which have no gradient to carry).
    /// Quadratic in the length, with no library call.
    fn fill_by_rank(&mut self, dst: &Storage, x: &TypedExpr, descending: bool, indices: bool) -> LowerResult<()> {
        let n: usize = self.shape(x)?.iter().product();
        let cell = self.temp_buffer("sort_rank", ScalarType::I64, 1);
        let before = if descending { CmpOp::Gt } else { CmpOp::Lt };
        self.loop_n(n, |this, j| {
            let zero = this.fb.i64(0);
            this.fb.store(cell, zero, zero);
            let xj = this.elem(x, &[j])?;
            this.loop_n(n, |this, k| {
                let xk = this.elem(x, &[k])?;
                let strictly = this.fb.cmp(before, xk, xj);
                let tie = this.fb.cmp(CmpOp::Eq, xk, xj);
                let earlier = this.fb.cmp(CmpOp::Lt, k, j);
                let tie_before = this.fb.binary(BinaryOp::And, tie, earlier);
                let counts = this.fb.binary(BinaryOp::Or, strictly, tie_before);
                let zero = this.fb.i64(0);
                let c = this.fb.load(cell, zero, ScalarType::I64);
                let c = this.fb.binary(BinaryOp::Add, c, counts);
                this.fb.store(cell, zero, c);
                Ok(())
            })?;
            let zero = this.fb.i64(0);
            let place = this.fb.load(cell, zero, ScalarType::I64);
            let value = if indices {
                let one = this.fb.i64(1);
                this.fb.binary(BinaryOp::Add, j, one)
            } else {
                xj
            };
            this.fb.store(dst.buf, place, value);
            Ok(())
        })
    }

    /// `multinomial_rng(theta, N)` (or `multinomial_logit_rng(gamma, N)`,
    /// theta = softmax(gamma), or `dirichlet_multinomial_rng(alpha, N)`,
    /// theta a `dirichlet_rng(alpha)` draw) into `dst`: sequential binomial draws, count
    /// k ~ binomial(N - earlier counts, theta_k / (1 - earlier theta)),
    /// the last category taking what remains. Rejects a negative N or a
    /// theta that is not a simplex (within 1e-8, as Stan checks).
    fn fill_multinomial_draw(&mut self, dst: &Storage, func: &str, args: &[TypedExpr], e: &TypedExpr) -> LowerResult<()> {
        let k = match self.shape(&args[0])?.as_slice() {
            [k] => *k,
            s => return Err(LowerError::unsupported(e.span, format!("`{func}` of a container of shape {s:?}"))),
        };
        let theta = if func != "multinomial_rng" {
            // theta = softmax(gamma), or a dirichlet_rng(alpha) draw.
            let inner = if func == "multinomial_logit_rng" { "softmax" } else { "dirichlet_rng" };
            let theta = TypedExpr {
                kind: TypedExprKind::Call { func: inner.into(), args: vec![args[0].clone()] },
                ty: args[0].ty.clone(),
                level: args[0].level,
                span: args[0].span,
            };
            self.materialize(&theta)?
        } else {
            self.materialize(&args[0])?
        };
        let n = self.scalar(&args[1])?;
        // The trials left (I64); [the probability mass left, theta's sum] (F64).
        let left = self.temp_buffer("multinomial_left", ScalarType::I64, 1);
        let mass = self.temp_buffer("multinomial_mass", ScalarType::F64, 2);
        let (zero, one) = (self.fb.i64(0), self.fb.i64(1));
        let negative = self.fb.cmp(CmpOp::Lt, n, zero);
        self.reject_if(negative, &format!("{func}: the number of trials must be non-negative"));
        let fzero = self.fb.f64(0.0);
        self.fb.store(mass, one, fzero);
        self.loop_n(k, |this, i| {
            let at = this.offset(&theta, &[i]);
            let t = this.fb.load(theta.buf, at, ScalarType::F64);
            let fzero = this.fb.f64(0.0);
            let bad = this.fb.cmp(CmpOp::Lt, t, fzero);
            this.reject_if(bad, &format!("{func}: the probabilities must be non-negative"));
            let one = this.fb.i64(1);
            this.fb.accumulate(mass, one, t);
            Ok(())
        })?;
        let total = self.fb.load(mass, one, ScalarType::F64);
        let fone = self.fb.f64(1.0);
        let off = self.fb.binary(BinaryOp::Sub, total, fone);
        let off = self.fb.unary(UnaryOp::Abs, off);
        let tol = self.fb.f64(1e-8);
        let within = self.fb.cmp(CmpOp::Le, off, tol);
        let not_simplex = self.fb.cmp(CmpOp::Eq, within, zero);
        self.reject_if(not_simplex, &format!("{func}: the probabilities must sum to 1"));
        self.fb.store(left, zero, n);
        let fone = self.fb.f64(1.0);
        self.fb.store(mass, zero, fone);
        let binomial = self.func("hbm_binomial_rng", e)?;
        let last = self.fb.i64(k as i64 - 1);
        self.loop_n(k, |this, i| {
            let zero = this.fb.i64(0);
            let remaining = this.fb.load(left, zero, ScalarType::I64);
            let at = this.offset(&theta, &[i]);
            let t = this.fb.load(theta.buf, at, ScalarType::F64);
            let m = this.fb.load(mass, zero, ScalarType::F64);
            // p = min(1, theta_i / mass left), 1 for the last category.
            let p = this.fb.binary(BinaryOp::Div, t, m);
            let fone = this.fb.f64(1.0);
            let p = this.fb.binary(BinaryOp::Min, p, fone);
            let fzero = this.fb.f64(0.0);
            let p = this.fb.binary(BinaryOp::Max, p, fzero);
            // No mass left (trailing zero probabilities): no trials either.
            let some_mass = this.fb.cmp(CmpOp::Gt, m, fzero);
            let p = this.fb.select(some_mass, p, fzero);
            let is_last = this.fb.cmp(CmpOp::Eq, i, last);
            let p = this.fb.select(is_last, fone, p);
            let count = this.fb.call(binomial.clone(), vec![CallArg::Rng, CallArg::Value(remaining), CallArg::Value(p)]);
            let count = this.fb.select(is_last, remaining, count);
            this.fb.store(dst.buf, i, count);
            let rest = this.fb.binary(BinaryOp::Sub, remaining, count);
            this.fb.store(left, zero, rest);
            let m_rest = this.fb.binary(BinaryOp::Sub, m, t);
            this.fb.store(mass, zero, m_rest);
            Ok(())
        })
    }

    /// Writes a buffer function's whole result into `dst` (which has the
    /// call's shape) with the stdlib routine that computes it.
    pub fn fill_call(&mut self, dst: &Storage, func: &str, args: &[TypedExpr], e: &TypedExpr) -> LowerResult<()> {
        if let Some((solver, f)) = crate::check::ode::split_ode_call(func) {
            return self.fill_ode(dst, solver, f, args, e);
        }
        if super::csr::is_csr_function(func) {
            return self.fill_csr(dst, func, args);
        }
        let out = CallArg::Buffer { buf: dst.buf, offset: self.fb.i64(0) };
        match func {
            "cholesky_decompose" => {
                let a = self.pointer_arg(&args[0])?;
                let n = square_size(&a.shape, func, e)?;
                let n = self.fb.i64(n as i64);
                let f = self.func("hbm_cholesky_decompose", e)?;
                let status = self.fb.call(f, vec![a.arg(), CallArg::Value(n), out]);
                self.reject_unless_zero(status, "cholesky_decompose: the matrix is not symmetric positive definite");
            }
            "multiply_lower_tri_self_transpose" => {
                let l = self.pointer_arg(&args[0])?;
                let n = square_size(&l.shape, func, e)?;
                let n = self.fb.i64(n as i64);
                let f = self.func("hbm_multiply_lower_tri_self_transpose", e)?;
                let status = self.fb.call(f, vec![l.arg(), CallArg::Value(n), out]);
                self.reject_unless_zero(status, "multiply_lower_tri_self_transpose: bad argument");
            }
            "softmax" | "log_softmax" => {
                let x = self.pointer_arg(&args[0])?;
                let n = self.fb.i64(x.shape[0] as i64);
                let f = self.func(&format!("hbm_{func}"), e)?;
                let status = self.fb.call(f, vec![x.arg(), CallArg::Value(n), out]);
                self.reject_unless_zero(status, &format!("{func}: bad argument"));
            }
            "non_centered_mvn" => self.fill_non_centered_mvn(dst, args, e)?,
            "matrix_exp" => {
                let a = self.pointer_arg(&args[0])?;
                let n = square_size(&a.shape, func, e)?;
                let nv = self.fb.i64(n as i64);
                let f = self.func("hbm_matrix_exp", e)?;
                let status = self.fb.call(f, vec![a.arg(), CallArg::Value(nv), out]);
                self.reject_unless_zero(status, "matrix_exp: the matrix is not finite");
            }
            "inverse" | "inverse_spd" => {
                let a = self.pointer_arg(&args[0])?;
                let n = square_size(&a.shape, func, e)?;
                let nv = self.fb.i64(n as i64);
                let f = self.func("hbm_inverse", e)?;
                let status = self.fb.call(f, vec![a.arg(), CallArg::Value(nv), out]);
                self.reject_unless_zero(status, &format!("{func}: the matrix is singular"));
            }
            "multinomial_rng" | "multinomial_logit_rng" | "dirichlet_multinomial_rng" => self.fill_multinomial_draw(dst, func, args, e)?,
            "hmm_hidden_state_prob" => self.fill_hmm_hidden_state_prob(dst, args, e)?,
            "hmm_latent_rng" => self.fill_hmm_latent_draw(dst, args, e)?,
            "sort_indices_asc" | "sort_indices_desc" => self.fill_by_rank(dst, &args[0], func.ends_with("desc"), true)?,
            "sort_asc" | "sort_desc" if args[0].ty.is_int_valued() => {
                self.fill_by_rank(dst, &args[0], func.ends_with("desc"), false)?
            }
            "sort_asc" | "sort_desc" => {
                let x = self.pointer_arg(&args[0])?;
                let n = self.fb.i64(x.shape.iter().product::<usize>() as i64);
                let f = self.func(&format!("hbm_{func}"), e)?;
                let status = self.fb.call(f, vec![x.arg(), CallArg::Value(n), out]);
                self.reject_unless_zero(status, &format!("{func}: bad argument"));
            }
            "eigenvalues_sym" | "eigenvectors_sym" => {
                let a = self.pointer_arg(&args[0])?;
                let n = square_size(&a.shape, func, e)?;
                let nv = self.fb.i64(n as i64);
                let f = self.func(&format!("hbm_{func}"), e)?;
                let status = self.fb.call(f, vec![a.arg(), CallArg::Value(nv), out]);
                self.reject_unless_zero(status, &format!("{func}: the matrix is not symmetric or has a non-finite element"));
            }
            "qr_thin_Q" | "qr_thin_R" | "qr_Q" | "qr_R" | "singular_values" | "svd_U" | "svd_V" | "generalized_inverse" => {
                self.fill_decomposition(func, &args[0], out, e)?
            }
            "mdivide_left_tri_low" => {
                let l = self.pointer_arg(&args[0])?;
                let b = self.pointer_arg(&args[1])?;
                let n = square_size(&l.shape, func, e)?;
                let ncols = b.shape.get(1).copied().unwrap_or(1);
                if b.shape.first() != Some(&n) {
                    return Err(LowerError::unsupported(e.span, format!("`mdivide_left_tri_low` of a {n} x {n} matrix and a right side of shape {:?}", b.shape)));
                }
                let (nv, cv) = (self.fb.i64(n as i64), self.fb.i64(ncols as i64));
                let f = self.func("hbm_mdivide_left_tri_low", e)?;
                let status = self.fb.call(f, vec![l.arg(), CallArg::Value(nv), b.arg(), CallArg::Value(cv), out]);
                self.reject_unless_zero(status, "mdivide_left_tri_low: the triangular matrix has a zero or non-finite diagonal");
            }

            "multi_normal_rng" | "multi_normal_cholesky_rng" | "multi_student_t_rng" | "multi_student_t_cholesky_rng" => {
                // multi_student_t's nu comes first, before the normal's arguments.
                let student = func.starts_with("multi_student_t");
                let nu = if student {
                    let nu = self.scalar(&args[0])?;
                    Some(self.fb.to_f64(nu))
                } else {
                    None
                };
                let args = if student { &args[1..] } else { args };
                let m = self.pointer_arg(&args[1])?;
                let k = square_size(&m.shape, func, e)?;
                let mu = self.vectors_arg(&args[0], k, e)?;
                let f = self.func(&format!("hbm_{func}"), e)?;
                let what = if func.ends_with("cholesky_rng") { "the Cholesky factor is not valid" } else { "the covariance is not symmetric positive definite" };
                let message = if student {
                    format!("{func}: nu is not positive and finite, the location is not finite or {what}")
                } else {
                    format!("{func}: the location is not finite or {what}")
                };
                self.repeat(mu.count, |this, i| {
                    let (loc, kv) = (this.vector_at(&mu, k, i), this.fb.i64(k as i64));
                    let at = this.fb.binary(BinaryOp::Mul, i, kv);
                    let draw = CallArg::Buffer { buf: dst.buf, offset: at };
                    let mut call_args = vec![CallArg::Rng];
                    call_args.extend(nu.map(CallArg::Value));
                    call_args.extend([loc, m.arg(), CallArg::Value(kv), draw]);
                    let status = this.fb.call(f, call_args);
                    this.reject_unless_zero(status, &message);
                    Ok(())
                })?;
            }
            "dirichlet_rng" => {
                let alpha = self.pointer_arg(&args[0])?;
                let [k] = alpha.shape[..] else {
                    return Err(LowerError::unsupported(e.span, "`dirichlet_rng` of an array of vectors; draw one vector at a time"));
                };
                let kv = self.fb.i64(k as i64);
                let f = self.func("hbm_dirichlet_rng", e)?;
                let status = self.fb.call(f, vec![CallArg::Rng, alpha.arg(), CallArg::Value(kv), out]);
                self.reject_unless_zero(status, "dirichlet_rng: every concentration must be positive and finite");
            }
            "wishart_rng" | "inv_wishart_rng" | "wishart_cholesky_rng" | "inv_wishart_cholesky_rng" => {
                let s = self.pointer_arg(&args[1])?;
                let k = square_size(&s.shape, func, e)?;
                let nu = self.scalar(&args[0])?;
                let nu = self.fb.to_f64(nu);
                let kv = self.fb.i64(k as i64);
                let f = self.func(&format!("hbm_{func}"), e)?;
                let status = self.fb.call(f, vec![CallArg::Rng, CallArg::Value(nu), s.arg(), CallArg::Value(kv), out]);
                let what = if func.contains("cholesky") { "a Cholesky factor" } else { "symmetric positive definite" };
                self.reject_unless_zero(status, &format!("{func}: nu must exceed K - 1 and the scale must be {what}"));
            }
            "lkj_corr_cholesky_rng" => {
                let k = square_size(&dst.shape, func, e)?;
                let eta = self.scalar(&args[1])?;
                let eta = self.fb.to_f64(eta);
                let kv = self.fb.i64(k as i64);
                let f = self.func("hbm_lkj_corr_cholesky_rng", e)?;
                let status = self.fb.call(f, vec![CallArg::Rng, CallArg::Value(kv), CallArg::Value(eta), out]);
                self.reject_unless_zero(status, "lkj_corr_cholesky_rng: eta must be positive and finite");
            }
            "lkj_corr_rng" => {
                // L L' of a drawn Cholesky factor.
                let k = square_size(&dst.shape, func, e)?;
                let eta = self.scalar(&args[1])?;
                let eta = self.fb.to_f64(eta);
                let kv = self.fb.i64(k as i64);
                let factor = self.temp_buffer("lkj_factor", ScalarType::F64, k * k);
                let zero = self.fb.i64(0);
                let draw = self.func("hbm_lkj_corr_cholesky_rng", e)?;
                let status = self.fb.call(draw, vec![CallArg::Rng, CallArg::Value(kv), CallArg::Value(eta), CallArg::Buffer { buf: factor, offset: zero }]);
                self.reject_unless_zero(status, "lkj_corr_rng: eta must be positive and finite");
                let product = self.func("hbm_multiply_lower_tri_self_transpose", e)?;
                let status = self.fb.call(product, vec![CallArg::Buffer { buf: factor, offset: zero }, CallArg::Value(kv), out]);
                self.reject_unless_zero(status, "lkj_corr_rng: the drawn factor is not valid");
            }
            _ => return Err(LowerError::unsupported(e.span, format!("the function `{func}`"))),
        }
        Ok(())
    }

    /// `mu + diag_pre_multiply(tau, L) * z`, with `z` a vector or a matrix
    /// of one column per group: two library calls, then `mu` added per row.
    fn fill_non_centered_mvn(&mut self, dst: &Storage, args: &[TypedExpr], e: &TypedExpr) -> LowerResult<()> {
        let tau = self.pointer_arg(&args[1])?;
        let l = self.pointer_arg(&args[2])?;
        let z = self.pointer_arg(&args[3])?;
        let k = square_size(&l.shape, "non_centered_mvn", e)?;
        let groups = z.shape.get(1).copied().unwrap_or(1);
        if tau.shape != [k] || z.shape.first() != Some(&k) {
            let msg = format!("`non_centered_mvn` with tau {:?}, L {:?} and z {:?}: tau must have K elements, L be K x K and z have K rows", tau.shape, l.shape, z.shape);
            return Err(LowerError::sizes(e.span, msg));
        }
        if self.try_fill_small_non_centered_mvn(dst, args, k, groups)? {
            return Ok(());
        }
        let scaled = self.temp_buffer("diag_pre_multiply", ScalarType::F64, k * k);
        let product = self.temp_buffer("product", ScalarType::F64, k * groups);
        let (kv, gv) = (self.fb.i64(k as i64), self.fb.i64(groups as i64));
        let zero = self.fb.i64(0);
        let f = self.func("hbm_diag_pre_multiply", e)?;
        let scaled_arg = CallArg::Buffer { buf: scaled, offset: zero };
        let status = self.fb.call(f, vec![tau.arg(), l.arg(), CallArg::Value(kv), CallArg::Value(kv), scaled_arg.clone()]);
        self.reject_unless_zero(status, "non_centered_mvn: bad argument");
        let f = self.func("hbm_multiply", e)?;
        let product_arg = CallArg::Buffer { buf: product, offset: zero };
        let status = self.fb.call(
            f,
            vec![scaled_arg, z.arg(), CallArg::Value(kv), CallArg::Value(kv), CallArg::Value(gv), product_arg],
        );
        self.reject_unless_zero(status, "non_centered_mvn: bad argument");
        let mu = &args[0];
        let shape = dst.shape.clone();
        self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
            let at = this.offset(dst, idx);
            let p = this.fb.load(product, at, ScalarType::F64);
            let m = this.elem(mu, &idx[..1])?;
            let m = this.fb.to_f64(m);
            let v = this.fb.binary(BinaryOp::Add, m, p);
            this.fb.store(dst.buf, at, v);
            Ok(())
        })
    }

    /// A real container as a pointer: a variable's own buffer, an element
    /// of an array variable (`x[i]`, at its offset, no copy), or else a
    /// fresh buffer the expression is computed into.
    pub(crate) fn pointer_arg(&mut self, e: &TypedExpr) -> LowerResult<PtrArg> {
        if let Some(p) = self.pointer_in_place(e)? {
            return Ok(p);
        }
        let shape = self.shape(e)?;
        let buf = self.temp_buffer("operand", ScalarType::F64, shape.iter().product());
        let storage = Storage { buf, shape: shape.clone(), array_rank: e.ty.array.len(), ty: ScalarType::F64 };
        self.fill(&storage, e)?;
        let offset = self.fb.i64(0);
        Ok(PtrArg { buf, offset, shape })
    }

    /// The elements of a real container where they already are, in some
    /// order, when they fill one contiguous part of a buffer: what
    /// [`Self::pointer_in_place`] finds, also under `to_vector`,
    /// `to_row_vector` and `to_array_1d` (which only reorder them). For
    /// routines whose result does not depend on the elements' order.
    pub(crate) fn elements_in_place(&mut self, e: &TypedExpr) -> LowerResult<Option<PtrArg>> {
        match &e.kind {
            TypedExprKind::Call { func, args }
                if args.len() == 1 && matches!(func.as_str(), "to_vector" | "to_row_vector" | "to_array_1d") =>
            {
                self.elements_in_place(&args[0])
            }
            _ => self.pointer_in_place(e),
        }
    }

    /// A real container as a pointer without a copy: a variable's own
    /// buffer, or an element of an array variable (`x[i]`, at its offset);
    /// `None` for anything else.
    fn pointer_in_place(&mut self, e: &TypedExpr) -> LowerResult<Option<PtrArg>> {
        match &e.kind {
            TypedExprKind::Var(v) if !self.scalars.contains_key(v) => {
                if let Some(s) = self.storage.get(v).cloned().filter(|s| s.ty == ScalarType::F64) {
                    let offset = self.fb.i64(0);
                    return Ok(Some(PtrArg { buf: s.buf, offset, shape: s.shape }));
                }
            }
            TypedExprKind::Index { base, indices, zipped } => {
                if let TypedExprKind::Var(v) = &base.kind {
                    let storage = self.storage.get(v).cloned().filter(|s| s.ty == ScalarType::F64);
                    let whole_elements = indices.len() <= storage.as_ref().map_or(0, |s| s.array_rank)
                        && indices.iter().all(|i| matches!(i, TypedIndex::Single(_)));
                    if let (Some(s), true) = (storage, whole_elements) {
                        // The first element of the selected part: index 0
                        // on every axis left in the result.
                        let rest = s.shape.len() - indices.len();
                        let zeros: Vec<Value> = (0..rest).map(|_| self.fb.i64(0)).collect();
                        let base_idx = self.base_index(e, &base.ty, &s.shape, indices, zipped, &zeros)?;
                        let offset = self.offset(&s, &base_idx);
                        return Ok(Some(PtrArg { buf: s.buf, offset, shape: s.shape[indices.len()..].to_vec() }));
                    }
                }
            }
            _ => {}
        }
        Ok(None)
    }

    /// Rejects the evaluation with `message` when `cond` (an I64 boolean) holds.
    pub(crate) fn reject_if(&mut self, cond: Value, message: &str) {
        self.fb.emit(Stmt::If { cond, then: vec![Stmt::Reject(vec![MessagePart::Text(message.into())])], otherwise: Vec::new() });
    }

    /// Rejects the evaluation with `message` unless a routine's status is 0.
    pub(crate) fn reject_unless_zero(&mut self, status: Value, message: &str) {
        let zero = self.fb.i64(0);
        let bad = self.fb.cmp(CmpOp::Ne, status, zero);
        self.fb.emit(Stmt::If { cond: bad, then: vec![Stmt::Reject(vec![MessagePart::Text(message.into())])], otherwise: Vec::new() });
    }

    /// Runs `body` for element `i` of `0..n`: in a loop, or once with a
    /// constant 0 when `n` is 1 (no loop for the AD to recompute).
    pub(crate) fn repeat(&mut self, n: usize, body: impl FnOnce(&mut Self, Value) -> LowerResult<()>) -> LowerResult<()> {
        if n == 1 {
            let zero = self.fb.i64(0);
            body(self, zero)
        } else {
            self.loop_n(n, body)
        }
    }
}

impl Lowerer<'_> {
    /// Element `idx` of `quantile(x, p)` (data only, checked): the
    /// quantile of `x` at the scalar `p` or at `p[idx]`; a NaN (empty `x`,
    /// a NaN in it, `p` outside [0, 1]) rejects, as Stan does.
    fn quantile_elem(&mut self, x: &TypedExpr, p: &TypedExpr, idx: &[Value], e: &TypedExpr) -> LowerResult<Value> {
        let xs = self.pointer_arg(x)?;
        let n = self.fb.i64(xs.shape.iter().product::<usize>() as i64);
        let p = if p.ty.is_scalar() { self.scalar(p)? } else { self.elem(p, idx)? };
        let p = self.fb.to_f64(p);
        let f = self.func("hbm_quantile", e)?;
        let q = self.fb.call(f, vec![xs.arg(), CallArg::Value(n), CallArg::Value(p)]);
        let nan = self.fb.cmp(CmpOp::Ne, q, q);
        self.reject_if(nan, "quantile: x must have elements and no NaN, and p must lie in [0, 1]");
        Ok(q)
    }

    /// The QR and singular value decompositions and the Moore–Penrose
    /// inverse of a matrix `a` (stdlib `qr` and `svd`), written into `out`.
    /// A square or wide matrix's full Q is its thin Q, which has a
    /// gradient; only a tall matrix's full Q (whose trailing columns are
    /// any orthonormal completion) has none.
    fn fill_decomposition(&mut self, func: &str, a: &TypedExpr, out: CallArg, e: &TypedExpr) -> LowerResult<()> {
        let a = self.pointer_arg(a)?;
        let [m, n] = a.shape[..] else {
            return Err(LowerError::unsupported(e.span, format!("`{func}` of an argument that is not a matrix")));
        };
        let k = m.min(n);
        let (symbol, with_k) = match func {
            "qr_Q" if m <= n => ("hbm_qr_thin_q", true),
            "qr_Q" => ("hbm_qr_q", false),
            "qr_R" if m <= n => ("hbm_qr_thin_r", true),
            "qr_R" => ("hbm_qr_r", false),
            "qr_thin_Q" => ("hbm_qr_thin_q", true),
            "qr_thin_R" => ("hbm_qr_thin_r", true),
            "singular_values" => ("hbm_singular_values", true),
            "svd_U" => ("hbm_svd_u", true),
            "svd_V" => ("hbm_svd_v", true),
            _ => ("hbm_generalized_inverse", false),
        };
        let (mv, nv) = (self.fb.i64(m as i64), self.fb.i64(n as i64));
        let mut call_args = vec![a.arg(), CallArg::Value(mv), CallArg::Value(nv)];
        if with_k {
            call_args.push(CallArg::Value(self.fb.i64(k as i64)));
        }
        call_args.push(out);
        let f = self.func(symbol, e)?;
        let status = self.fb.call(f, call_args);
        self.reject_unless_zero(status, &format!("{func}: the matrix is empty or has a non-finite element"));
        Ok(())
    }
}

/// `K` of a `K × K` matrix shape; non-square matrices are refused.
fn square_size(shape: &[usize], func: &str, e: &TypedExpr) -> LowerResult<usize> {
    match shape {
        [r, c] if r == c => Ok(*r),
        _ => Err(LowerError::unsupported(e.span, format!("`{func}` of a non-square matrix ({shape:?})"))),
    }
}
