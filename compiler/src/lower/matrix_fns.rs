//! Matrix functions computed element by element, so that they fuse into
//! the loop that reads them and the AD differentiates their arithmetic:
//! `sub_col`, `sub_row`, `block`, `quad_form_diag`, `add_diag`,
//! `symmetrize_from_lower_tri`, `to_array_2d` and the stationary
//! GP covariances: squared exponential `gp_exp_quad_cov` (and its old name
//! `cov_exp_quad`), `gp_exponential_cov`, `gp_matern32_cov`,
//! `gp_matern52_cov` and `gp_periodic_cov`, and the dot-product
//! covariance `gp_dot_prod_cov`. (Small fixed-size
//! `quad_form_diag` may instead be unrolled by `small_matrix`; this is the
//! general form.)

use super::{LowerError, LowerResult, Lowerer};
use crate::check::typed::TypedExpr;
use crate::ir::{BinaryOp, CallArg, CmpOp, ScalarType, UnaryOp, Value};

impl Lowerer<'_> {
    /// Element `idx` of one of this module's functions.
    pub(super) fn matrix_function_elem(&mut self, func: &str, args: &[TypedExpr], idx: &[Value], e: &TypedExpr) -> LowerResult<Value> {
        match func {
            "sub_col" | "sub_row" | "block" => {
                let shape = self.shape(&args[0])?;
                let one = self.fb.i64(1);
                let i = self.scalar(&args[1])?;
                let j = self.scalar(&args[2])?;
                let mut i0 = self.fb.binary(BinaryOp::Sub, i, one);
                let mut j0 = self.fb.binary(BinaryOp::Sub, j, one);
                // The block runs down a column (sub_col), along a row
                // (sub_row) or over both (block).
                if func != "sub_row" {
                    i0 = self.fb.binary(BinaryOp::Add, i0, idx[0]);
                }
                if func == "sub_row" {
                    j0 = self.fb.binary(BinaryOp::Add, j0, idx[0]);
                } else if func == "block" {
                    j0 = self.fb.binary(BinaryOp::Add, j0, idx[1]);
                }
                let i0 = self.range_check(i0, shape[0], e)?;
                let j0 = self.range_check(j0, shape[1], e)?;
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
                    return Err(LowerError::sizes(e.span, format!("`add_diag` of a non-square matrix ({shape:?})")));
                }
                if !args[1].ty.is_scalar() && self.shape(&args[1])? != [shape[0]] {
                    return Err(LowerError::sizes(e.span, "`add_diag` with a vector whose size is not the matrix's"));
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
            // The lower triangle read across the diagonal.
            "symmetrize_from_lower_tri" => {
                let shape = self.shape(&args[0])?;
                if shape.len() != 2 || shape[0] != shape[1] {
                    return Err(LowerError::unsupported(e.span, format!("`symmetrize_from_lower_tri` of a non-square matrix ({shape:?})")));
                }
                let here = self.elem(&args[0], idx)?;
                let mirrored = self.elem(&args[0], &[idx[1], idx[0]])?;
                let (here, mirrored) = (self.fb.to_f64(here), self.fb.to_f64(mirrored));
                let lower = self.fb.cmp(CmpOp::Ge, idx[0], idx[1]);
                Ok(self.fb.select(lower, here, mirrored))
            }
            "to_array_2d" => self.elem(&args[0], idx),
            _ => self.gp_kernel_elem(func, args, idx, e),
        }
    }

    /// Element `idx` of a stationary GP covariance of the squared distance
    /// d² = |x1[i] - x2[j]|² (d its square root): squared exponential
    /// `alpha² exp(-d² / (2 rho²))`; exponential `alpha² exp(-d / rho)`;
    /// Matérn 3/2 `alpha² (1 + √3 d / rho) exp(-√3 d / rho)`; Matérn 5/2
    /// `alpha² (1 + √5 d / rho + 5 d² / (3 rho²)) exp(-√5 d / rho)`;
    /// periodic (with period `p`, the last argument)
    /// `alpha² exp(-2 sin²(π d / p) / rho²)`.
    fn gp_kernel_elem(&mut self, func: &str, args: &[TypedExpr], idx: &[Value], e: &TypedExpr) -> LowerResult<Value> {
        if func == "gp_dot_prod_cov" {
            return self.gp_dot_prod_elem(args, idx, e);
        }
        let periodic = func == "gp_periodic_cov";
        let (points, params) = args.split_at(args.len() - if periodic { 3 } else { 2 });
        let (x1, x2) = match points {
            [x] => (x, x),
            [x1, x2] => (x1, x2),
            _ => return Err(LowerError::unsupported(e.span, format!("`{func}` with these arguments"))),
        };
        let exp = self.func("hbm_exp", e)?;
        let exp_of = |this: &mut Self, x: Value| this.fb.call(exp.clone(), vec![CallArg::Value(x)]);
        // `rho` an array of reals: one length scale per coordinate (the
        // checker admits it for vector points and the exp_quad, exponential
        // and Matérn kernels). The distance is then `|(x1 - x2) ./ rho|`
        // and the kernel is the same function of it with rho = 1.
        let ard = !params[1].ty.array.is_empty();
        let pair = if ard { PointPair::ScaledSquaredDistance(&params[1]) } else { PointPair::SquaredDistance };
        let d2 = self.point_pair_elem(func, x1, x2, idx, pair, e)?;
        let a = self.scalar(&params[0])?;
        let r = if ard { self.fb.f64(1.0) } else { self.scalar(&params[1])? };
        let (a, r) = (self.fb.to_f64(a), self.fb.to_f64(r));
        let a2 = self.fb.binary(BinaryOp::Mul, a, a);
        let k = match func {
            "gp_exp_quad_cov" | "cov_exp_quad" => {
                // (An ARD kernel's rho is the constant 1.)
                let r2 = if ard { r } else { self.fb.binary(BinaryOp::Mul, r, r) };
                let minus_half = self.fb.f64(-0.5);
                let scaled = self.times_reciprocal(d2, r2);
                let arg = self.fb.binary(BinaryOp::Mul, minus_half, scaled);
                exp_of(self, arg)
            }
            "gp_periodic_cov" => {
                let p = self.scalar(&params[2])?;
                let p = self.fb.to_f64(p);
                let d = self.distance_of(d2);
                let pi = self.fb.f64(std::f64::consts::PI);
                let pi_d = self.fb.binary(BinaryOp::Mul, pi, d);
                let angle = self.times_reciprocal(pi_d, p);
                let sin = self.func("hbm_sin", e)?;
                let s = self.fb.call(sin, vec![CallArg::Value(angle)]);
                let s2 = self.fb.binary(BinaryOp::Mul, s, s);
                let r2 = self.fb.binary(BinaryOp::Mul, r, r);
                let minus_two = self.fb.f64(-2.0);
                let num = self.fb.binary(BinaryOp::Mul, minus_two, s2);
                let arg = self.times_reciprocal(num, r2);
                exp_of(self, arg)
            }
            _ => {
                // exponential, Matérn 3/2 and 5/2: in t = c d / rho.
                let c = match func {
                    "gp_matern32_cov" => 3f64.sqrt(),
                    "gp_matern52_cov" => 5f64.sqrt(),
                    _ => 1.0,
                };
                let d = self.distance_of(d2);
                let c = self.fb.f64(c);
                let cd = self.fb.binary(BinaryOp::Mul, c, d);
                let t = self.times_reciprocal(cd, r);
                let minus_t = self.fb.unary(UnaryOp::Neg, t);
                let decay = exp_of(self, minus_t);
                let one = self.fb.f64(1.0);
                let poly = match func {
                    "gp_matern32_cov" => self.fb.binary(BinaryOp::Add, one, t),
                    // 1 + t + t² / 3 (t² = 5 d² / rho²).
                    "gp_matern52_cov" => {
                        let t2 = self.fb.binary(BinaryOp::Mul, t, t);
                        let third = self.fb.f64(1.0 / 3.0);
                        let t2_3 = self.fb.binary(BinaryOp::Mul, t2, third);
                        let p = self.fb.binary(BinaryOp::Add, one, t);
                        self.fb.binary(BinaryOp::Add, p, t2_3)
                    }
                    _ => one,
                };
                self.fb.binary(BinaryOp::Mul, poly, decay)
            }
        };
        Ok(self.fb.binary(BinaryOp::Mul, a2, k))
    }

    /// `x / d` as `x * (1 / d)`: `d` is a kernel parameter, the same for
    /// every cell, so `ir::licm` computes its reciprocal once before the
    /// fill and each cell multiplies (a division per cell, and another per
    /// cell in the reverse sweep, cost more than the covariance's batched
    /// `exp`). The result may differ from `x / d` in the last bit. `x`
    /// itself when `d` is the constant 1 (the length scale of an ARD
    /// kernel, whose distance is already scaled).
    fn times_reciprocal(&mut self, x: Value, d: Value) -> Value {
        if self.fb.const_f64(d) == Some(1.0) {
            return x;
        }
        let one = self.fb.f64(1.0);
        let inv = self.fb.binary(BinaryOp::Div, one, d);
        self.fb.binary(BinaryOp::Mul, x, inv)
    }

    /// `sqrt(d2)`, with derivative 0 at `d2 = 0` (where the square root
    /// has none): the square root reads 1 there and its value is not
    /// selected, so no infinite partial meets a zero one (a NaN) when the
    /// points are parameters. Stan's kernels likewise give a point's own
    /// entry `alpha²` with no derivative in the point.
    fn distance_of(&mut self, d2: Value) -> Value {
        let zero = self.fb.f64(0.0);
        let one = self.fb.f64(1.0);
        let apart = self.fb.cmp(CmpOp::Gt, d2, zero);
        let safe = self.fb.select(apart, d2, one);
        let root = self.fb.unary(UnaryOp::Sqrt, safe);
        self.fb.select(apart, root, zero)
    }

    /// Element `idx` of `gp_dot_prod_cov(x1[, x2], sigma)`: `sigma² +
    /// x1[i] . x2[j]`.
    fn gp_dot_prod_elem(&mut self, args: &[TypedExpr], idx: &[Value], e: &TypedExpr) -> LowerResult<Value> {
        let (x1, x2, sigma) = match args {
            [x, s] => (x, x, s),
            [x1, x2, s] => (x1, x2, s),
            _ => return Err(LowerError::unsupported(e.span, "`gp_dot_prod_cov` with these arguments")),
        };
        let dot = self.point_pair_elem("gp_dot_prod_cov", x1, x2, idx, PointPair::Dot, e)?;
        let s = self.scalar(sigma)?;
        let s = self.fb.to_f64(s);
        let s2 = self.fb.binary(BinaryOp::Mul, s, s);
        Ok(self.fb.binary(BinaryOp::Add, s2, dot))
    }

    /// `|x1[i] - x2[j]|²` or `x1[i] . x2[j]` of two arrays of points (reals
    /// or vectors).
    fn point_pair_elem(&mut self, func: &str, x1: &TypedExpr, x2: &TypedExpr, idx: &[Value], pair: PointPair, e: &TypedExpr) -> LowerResult<Value> {
        let term = |this: &mut Self, a: Value, b: Value, p: Option<Value>| -> LowerResult<Value> {
            Ok(match pair {
                PointPair::SquaredDistance => {
                    let d = this.fb.binary(BinaryOp::Sub, a, b);
                    this.fb.binary(BinaryOp::Mul, d, d)
                }
                PointPair::ScaledSquaredDistance(scales) => {
                    // Points that are vectors always pass the coordinate.
                    let p = p.ok_or_else(|| LowerError::unsupported(e.span, format!("`{func}` with a length scale per coordinate of real points")))?;
                    let l = this.elem(scales, &[p])?;
                    let l = this.fb.to_f64(l);
                    let d = this.fb.binary(BinaryOp::Sub, a, b);
                    let d = this.fb.binary(BinaryOp::Div, d, l);
                    this.fb.binary(BinaryOp::Mul, d, d)
                }
                PointPair::Dot => this.fb.binary(BinaryOp::Mul, a, b),
            })
        };
        let sum = if x1.ty.elem.is_scalar() {
            let a = self.elem(x1, &idx[..1])?;
            let b = self.elem(x2, &idx[1..2])?;
            let (a, b) = (self.fb.to_f64(a), self.fb.to_f64(b));
            term(self, a, b, None)?
        } else {
            let k = self.shape(x1)?.get(1).copied().unwrap_or(0);
            if self.shape(x2)?.get(1).copied() != Some(k) {
                return Err(LowerError::sizes(e.span, format!("`{func}` of points of different sizes")));
            }
            if let PointPair::ScaledSquaredDistance(scales) = pair {
                if self.shape(scales)?.first().copied() != Some(k) {
                    return Err(LowerError::sizes(e.span, format!("`{func}` needs one length scale per coordinate: {} length scales for points of size {k}", self.shape(scales)?.first().copied().unwrap_or(0))));
                }
            }
            let acc = self.temp_buffer("sq_dist", ScalarType::F64, 1);
            let at = self.fb.i64(0);
            let zero = self.fb.f64(0.0);
            self.fb.store(acc, at, zero);
            self.loop_n(k, |this, p| {
                let a = this.elem(x1, &[idx[0], p])?;
                let b = this.elem(x2, &[idx[1], p])?;
                let (a, b) = (this.fb.to_f64(a), this.fb.to_f64(b));
                let t = term(this, a, b, Some(p))?;
                this.fb.accumulate(acc, at, t);
                Ok(())
            })?;
            self.fb.load(acc, at, ScalarType::F64)
        };
        Ok(sum)
    }
}

/// What [`Lowerer::point_pair_elem`] sums over the coordinates of two points.
#[derive(Clone, Copy)]
enum PointPair<'a> {
    SquaredDistance,
    /// `((a - b) / l[p])²` with `l` one length scale per coordinate.
    ScaledSquaredDistance(&'a TypedExpr),
    Dot,
}
