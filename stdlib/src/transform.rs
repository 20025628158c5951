//! Stan's constraint transforms (Stan Reference Manual, "Constraint
//! Transforms"), with log-Jacobians, inverses and reverse-mode rules.
//!
//! Unconstrained vectors use Stan's element order, so a point means the same
//! thing here as in Stan:
//! - scalar bounds: lower `lb + e^x`, upper `ub - e^x`, lower+upper
//!   `lb + (ub-lb) inv_logit(x)`, affine `offset + multiplier x`;
//! - `simplex[K]`: the isometric log-ratio transform Stan uses since
//!   stan-dev/math#3171 (Stan 2.37): `softmax(sum_to_zero_constrain(x))`,
//!   log-Jacobian `Σ ln y_k + ½ ln K` (it replaced stick-breaking);
//! - `sum_to_zero_vector[K]`: Stan's ILR-based sum-to-zero transform;
//! - `ordered[K]`, `positive_ordered[K]`: first element (or its log), then
//!   logs of the increments;
//! - `unit_vector[K]`: `x/‖x‖`, "log-Jacobian" `-½ xᵀx` (as Stan);
//! - `cholesky_factor_corr[K]`: canonical partial correlations `tanh(x)`,
//!   row-major over the strict lower triangle (Stan's `cholesky_corr_constrain`);
//! - `corr_matrix[K]`: the same partial correlations in column-major order
//!   (Stan's `read_corr_L`) with the Jacobian to the correlations themselves;
//! - `cholesky_factor_cov[K]`: row-major lower triangle, diagonal as logs;
//! - `cov_matrix[K]`: the same factor L, then L Lᵀ.
//!
//! Matrices are column-major `K × K` slices. The reverse-mode rule
//! `constrain_adjoint(x, ȳ, w, ḡ)` accumulates
//! `ḡ += ȳᵀ ∂y/∂x + w ∂(log_jacobian)/∂x`.
//!
//! Invalid bounds (lb >= ub, a multiplier <= 0, NaN) give a NaN value and a
//! `-inf` log-Jacobian, so the log density rejects the point (Stan throws).
//! A `constrain` with wrongly sized slices returns NaN and writes nothing; an
//! adjoint with wrongly sized slices does nothing.

use crate::ffi::{slice, slice_mut};
use crate::linalg::{
    cholesky_lower, multiply_lower_tri_self_transpose, multiply_lower_tri_self_transpose_adj,
    CONSTRAINT_TOLERANCE,
};
use crate::special::{inv_logit, logit};
use std::f64::consts::LN_2;

pub mod check;
mod matrix;
pub use matrix::{ColumnStochastic, RowStochastic, SumToZeroMatrix};

/// Why an unconstrain (inverse transform) failed.
#[derive(Debug, Clone, PartialEq)]
pub enum TransformError {
    /// A slice has the wrong length.
    Length {
        /// Its required length.
        expected: usize,
        /// Its actual length.
        got: usize,
    },
    /// The value violates the constraint; `reason` says how.
    Violation {
        /// The constraint, e.g. `"simplex"`.
        transform: &'static str,
        /// What is wrong, e.g. "elements sum to 1.2, not 1".
        reason: String,
    },
}

impl std::fmt::Display for TransformError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransformError::Length { expected, got } => {
                write!(f, "expected {expected} values, got {got}")
            }
            TransformError::Violation { transform, reason } => {
                write!(f, "not a valid {transform}: {reason}")
            }
        }
    }
}

impl std::error::Error for TransformError {}

fn violation(transform: &'static str, reason: String) -> TransformError {
    TransformError::Violation { transform, reason }
}

fn check_len(s: &[f64], expected: usize) -> Result<(), TransformError> {
    if s.len() == expected {
        Ok(())
    } else {
        Err(TransformError::Length {
            expected,
            got: s.len(),
        })
    }
}

// --- scalar bounds --------------------------------------------------------------

/// Result of a scalar bound transform, laid out for the C ABI (8 × f64).
/// Index 0 of `d_value`/`d_log_jac` is the unconstrained x, 1 and 2 the bound
/// arguments in declaration order (lower, upper; or offset, multiplier);
/// unused slots are 0.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ScalarConstrained {
    /// The constrained value y.
    pub value: f64,
    /// ln |dy/dx|.
    pub log_jac: f64,
    /// ∂y/∂(x, bound1, bound2).
    pub d_value: [f64; 3],
    /// ∂log_jac/∂(x, bound1, bound2).
    pub d_log_jac: [f64; 3],
}

impl ScalarConstrained {
    fn identity(x: f64) -> Self {
        ScalarConstrained {
            value: x,
            log_jac: 0.0,
            d_value: [1.0, 0.0, 0.0],
            d_log_jac: [0.0; 3],
        }
    }
    fn invalid() -> Self {
        ScalarConstrained {
            value: f64::NAN,
            log_jac: f64::NEG_INFINITY,
            ..Default::default()
        }
    }
}

/// `<lower=lb>`: y = lb + e^x, log_jac = x; identity when lb = -inf.
pub fn lower_constrain(x: f64, lb: f64) -> ScalarConstrained {
    if lb.is_nan() || lb == f64::INFINITY {
        return ScalarConstrained::invalid();
    }
    if lb == f64::NEG_INFINITY {
        return ScalarConstrained::identity(x);
    }
    let e = x.exp();
    ScalarConstrained {
        value: lb + e,
        log_jac: x,
        d_value: [e, 1.0, 0.0],
        d_log_jac: [1.0, 0.0, 0.0],
    }
}

/// Inverse of [`lower_constrain`]: x = ln(y - lb); y must exceed lb.
pub fn lower_unconstrain(y: f64, lb: f64) -> Result<f64, TransformError> {
    if lb == f64::NEG_INFINITY {
        return Ok(y);
    }
    if !(y > lb) || y.is_infinite() {
        return Err(violation(
            "lower bound",
            format!("value {y} is not above the lower bound {lb}"),
        ));
    }
    Ok((y - lb).ln())
}

/// `<upper=ub>`: y = ub - e^x, log_jac = x; identity when ub = +inf.
/// `d_value[1]` is ∂y/∂ub.
pub fn upper_constrain(x: f64, ub: f64) -> ScalarConstrained {
    if ub.is_nan() || ub == f64::NEG_INFINITY {
        return ScalarConstrained::invalid();
    }
    if ub == f64::INFINITY {
        return ScalarConstrained::identity(x);
    }
    let e = x.exp();
    ScalarConstrained {
        value: ub - e,
        log_jac: x,
        d_value: [-e, 1.0, 0.0],
        d_log_jac: [1.0, 0.0, 0.0],
    }
}

/// Inverse of [`upper_constrain`]: x = ln(ub - y); y must be below ub.
pub fn upper_unconstrain(y: f64, ub: f64) -> Result<f64, TransformError> {
    if ub == f64::INFINITY {
        return Ok(y);
    }
    if !(y < ub) || y.is_infinite() {
        return Err(violation(
            "upper bound",
            format!("value {y} is not below the upper bound {ub}"),
        ));
    }
    Ok((ub - y).ln())
}

/// `<lower=lb, upper=ub>`: y = lb + (ub-lb) inv_logit(x),
/// log_jac = ln(ub-lb) + ln σ(x) + ln(1-σ(x)); infinite bounds fall back to the
/// one-sided transforms (the partial of the infinite bound is 0).
pub fn lower_upper_constrain(x: f64, lb: f64, ub: f64) -> ScalarConstrained {
    if lb.is_nan() || ub.is_nan() || !(lb < ub) {
        return ScalarConstrained::invalid();
    }
    match (lb == f64::NEG_INFINITY, ub == f64::INFINITY) {
        (true, true) => return ScalarConstrained::identity(x),
        (true, false) => {
            let mut r = upper_constrain(x, ub);
            r.d_value[2] = r.d_value[1];
            r.d_value[1] = 0.0;
            return r;
        }
        (false, true) => return lower_constrain(x, lb),
        (false, false) => {}
    }
    let diff = ub - lb;
    let s = inv_logit(x);
    let sm = inv_logit(-x); // 1 - s without cancellation
                            // Anchor at the nearer bound so y stays strictly inside for large |x|.
    let value = if x > 0.0 {
        ub - diff * sm
    } else {
        lb + diff * s
    };
    let log_jac = diff.ln() - x.abs() - 2.0 * (-x.abs()).exp().ln_1p();
    ScalarConstrained {
        value,
        log_jac,
        d_value: [diff * s * sm, sm, s],
        d_log_jac: [sm - s, -1.0 / diff, 1.0 / diff],
    }
}

/// Inverse of [`lower_upper_constrain`]: x = logit((y-lb)/(ub-lb)); y strictly inside.
pub fn lower_upper_unconstrain(y: f64, lb: f64, ub: f64) -> Result<f64, TransformError> {
    if !(lb < ub) {
        return Err(violation(
            "bounded value",
            format!("lower bound {lb} is not below upper bound {ub}"),
        ));
    }
    match (lb == f64::NEG_INFINITY, ub == f64::INFINITY) {
        (true, true) => return Ok(y),
        (true, false) => return upper_unconstrain(y, ub),
        (false, true) => return lower_unconstrain(y, lb),
        (false, false) => {}
    }
    if !(y > lb && y < ub) {
        return Err(violation(
            "bounded value",
            format!("value {y} is not strictly inside ({lb}, {ub})"),
        ));
    }
    Ok(logit((y - lb) / (ub - lb)))
}

/// `<offset=μ, multiplier=σ>`: y = μ + σ x, log_jac = ln σ.
pub fn offset_multiplier_constrain(x: f64, offset: f64, multiplier: f64) -> ScalarConstrained {
    if !offset.is_finite() || !(multiplier > 0.0) || !multiplier.is_finite() {
        return ScalarConstrained::invalid();
    }
    ScalarConstrained {
        value: offset + multiplier * x,
        log_jac: multiplier.ln(),
        d_value: [multiplier, 1.0, x],
        d_log_jac: [0.0, 0.0, 1.0 / multiplier],
    }
}

/// Inverse of [`offset_multiplier_constrain`]: x = (y - μ)/σ.
pub fn offset_multiplier_unconstrain(
    y: f64,
    offset: f64,
    multiplier: f64,
) -> Result<f64, TransformError> {
    if !offset.is_finite() || !(multiplier > 0.0) || !multiplier.is_finite() {
        return Err(violation(
            "offset/multiplier",
            format!(
                "offset {offset} must be finite and multiplier {multiplier} positive and finite"
            ),
        ));
    }
    if !y.is_finite() {
        return Err(violation(
            "offset/multiplier",
            format!("value {y} is not finite"),
        ));
    }
    Ok((y - offset) / multiplier)
}

// --- vector and matrix transforms ------------------------------------------------

/// A constraint transform between a free vector and a constrained value.
pub trait Transform {
    /// Number of unconstrained values.
    fn free_len(&self) -> usize;
    /// Number of constrained values (K·K for matrices).
    fn constrained_len(&self) -> usize;
    /// Writes y = f(x) into `out` and returns ln|J| (Stan's Jacobian term).
    fn constrain(&self, x: &[f64], out: &mut [f64]) -> f64;
    /// Writes x = f⁻¹(y); errors name the violated constraint.
    fn unconstrain(&self, y: &[f64], out: &mut [f64]) -> Result<(), TransformError>;
    /// `grad += out_adjᵀ ∂y/∂x + jacobian_weight ∂ln|J|/∂x`.
    fn constrain_adjoint(&self, x: &[f64], out_adj: &[f64], jacobian_weight: f64, grad: &mut [f64]);
}

/// True when the slices fit the transform (guards every method).
fn sizes_ok<T: Transform + ?Sized>(t: &T, x: &[f64], y: &[f64]) -> bool {
    x.len() == t.free_len() && y.len() == t.constrained_len()
}

/// Stan's `sum_to_zero_constrain`: the K-1 free values are coordinates in an
/// orthonormal basis of {z : Σ z = 0} (isometric log-ratio construction).
fn sum_to_zero(x: &[f64], z: &mut [f64]) {
    let n = x.len();
    z.iter_mut().for_each(|v| *v = 0.0);
    let mut sum_w = 0.0;
    for i in (1..=n).rev() {
        let fi = i as f64;
        let w = x[i - 1] / (fi * (fi + 1.0)).sqrt();
        sum_w += w;
        z[i - 1] += sum_w;
        z[i] -= w * fi;
    }
}

/// Adjoint of [`sum_to_zero`] (a linear map): x̄_i += (Σ_{j<i} z̄_j - i z̄_i)/√(i(i+1)).
fn sum_to_zero_adjoint(z_adj: &[f64], grad: &mut [f64]) {
    let mut prefix = 0.0;
    for i in 1..=grad.len() {
        prefix += z_adj[i - 1];
        let fi = i as f64;
        grad[i - 1] += (prefix - fi * z_adj[i]) / (fi * (fi + 1.0)).sqrt();
    }
}

/// Inverse of [`sum_to_zero`] for a vector that sums to zero.
fn sum_to_zero_free(z: &[f64], x: &mut [f64]) {
    let n = x.len();
    if n == 0 {
        return;
    }
    let nf = n as f64;
    let mut w = -z[n] / nf;
    x[n - 1] = w * (nf * (nf + 1.0)).sqrt();
    let mut suffix = w; // Σ_{i > j} w_i
    for j in (1..n).rev() {
        let fj = j as f64;
        w = (suffix - z[j]) / fj;
        x[j - 1] = w * (fj * (fj + 1.0)).sqrt();
        suffix += w;
    }
}

/// `sum_to_zero_vector[K]` (Stan's ILR-based transform; no Jacobian term).
#[derive(Debug, Clone, Copy)]
pub struct SumToZero {
    /// K, the constrained length.
    pub k: usize,
}

impl Transform for SumToZero {
    fn free_len(&self) -> usize {
        self.k.saturating_sub(1)
    }
    fn constrained_len(&self) -> usize {
        self.k
    }
    fn constrain(&self, x: &[f64], out: &mut [f64]) -> f64 {
        if !sizes_ok(self, x, out) || self.k == 0 {
            return f64::NAN;
        }
        sum_to_zero(x, out);
        0.0
    }
    fn unconstrain(&self, y: &[f64], out: &mut [f64]) -> Result<(), TransformError> {
        check_len(y, self.constrained_len())?;
        check_len(out, self.free_len())?;
        let s: f64 = y.iter().sum();
        if !(s.abs() <= CONSTRAINT_TOLERANCE) || y.iter().any(|v| !v.is_finite()) {
            return Err(violation(
                "sum_to_zero_vector",
                format!("elements sum to {s}, not 0"),
            ));
        }
        if self.k > 0 {
            sum_to_zero_free(y, out);
        }
        Ok(())
    }
    fn constrain_adjoint(&self, x: &[f64], out_adj: &[f64], _w: f64, grad: &mut [f64]) {
        if !sizes_ok(self, grad, out_adj) || x.len() != self.free_len() || self.k == 0 {
            return;
        }
        sum_to_zero_adjoint(out_adj, grad);
    }
}

/// `simplex[K]`: y = softmax(sum_to_zero(x)), ln|J| = Σ ln y_k + ½ ln K
/// (Stan's ILR simplex; the Jacobian is that of the first K-1 coordinates).
#[derive(Debug, Clone, Copy)]
pub struct Simplex {
    /// K, the constrained length.
    pub k: usize,
}

impl Transform for Simplex {
    fn free_len(&self) -> usize {
        self.k.saturating_sub(1)
    }
    fn constrained_len(&self) -> usize {
        self.k
    }
    fn constrain(&self, x: &[f64], out: &mut [f64]) -> f64 {
        if !sizes_ok(self, x, out) || self.k == 0 {
            return f64::NAN;
        }
        sum_to_zero(x, out);
        let lse = crate::special::log_sum_exp_slice(out);
        out.iter_mut().for_each(|z| *z = (*z - lse).exp());
        // Σ ln y_k = Σ z_k - K lse = -K lse because Σ z_k = 0.
        -(self.k as f64) * lse + 0.5 * (self.k as f64).ln()
    }
    fn unconstrain(&self, y: &[f64], out: &mut [f64]) -> Result<(), TransformError> {
        check_len(y, self.constrained_len())?;
        check_len(out, self.free_len())?;
        if self.k == 0 {
            return Err(violation(
                "simplex",
                "a simplex needs at least one element".into(),
            ));
        }
        let s: f64 = y.iter().sum();
        if !((s - 1.0).abs() <= CONSTRAINT_TOLERANCE) {
            return Err(violation("simplex", format!("elements sum to {s}, not 1")));
        }
        if let Some(i) = y.iter().position(|v| !(*v > 0.0)) {
            return Err(violation(
                "simplex",
                format!("element {} is {}; every element must be > 0 to have a finite unconstrained value", i + 1, y[i]),
            ));
        }
        let logs: Vec<f64> = y.iter().map(|v| v.ln()).collect();
        let mean = logs.iter().sum::<f64>() / self.k as f64;
        let z: Vec<f64> = logs.iter().map(|l| l - mean).collect();
        sum_to_zero_free(&z, out);
        Ok(())
    }
    fn constrain_adjoint(&self, x: &[f64], out_adj: &[f64], w: f64, grad: &mut [f64]) {
        if !sizes_ok(self, x, out_adj) || grad.len() != x.len() || self.k == 0 {
            return;
        }
        let mut y = vec![0.0; self.k];
        self.constrain(x, &mut y);
        let dot: f64 = y.iter().zip(out_adj).map(|(a, b)| a * b).sum();
        let kf = self.k as f64;
        // softmax adjoint, plus the Jacobian -K lse(z) whose gradient is -K y.
        let z_adj: Vec<f64> = (0..self.k)
            .map(|i| y[i] * (out_adj[i] - dot) - w * kf * y[i])
            .collect();
        sum_to_zero_adjoint(&z_adj, grad);
    }
}

/// `ordered[K]`: y_1 = x_1, y_k = y_{k-1} + e^{x_k}; ln|J| = Σ_{k>1} x_k.
#[derive(Debug, Clone, Copy)]
pub struct Ordered {
    /// K.
    pub k: usize,
}

/// `positive_ordered[K]`: y_1 = e^{x_1}, y_k = y_{k-1} + e^{x_k}; ln|J| = Σ x_k.
#[derive(Debug, Clone, Copy)]
pub struct PositiveOrdered {
    /// K.
    pub k: usize,
}

fn ordered_constrain(x: &[f64], out: &mut [f64], positive: bool) -> f64 {
    let mut lj = 0.0;
    for i in 0..x.len() {
        if i == 0 {
            out[0] = if positive { x[0].exp() } else { x[0] };
            if positive {
                lj += x[0];
            }
        } else {
            out[i] = out[i - 1] + x[i].exp();
            lj += x[i];
        }
    }
    lj
}

fn ordered_unconstrain(y: &[f64], out: &mut [f64], positive: bool) -> Result<(), TransformError> {
    let name = if positive {
        "positive_ordered"
    } else {
        "ordered"
    };
    for i in 0..y.len() {
        if !y[i].is_finite() {
            return Err(violation(name, format!("element {} is {}", i + 1, y[i])));
        }
        if i == 0 {
            if positive {
                if !(y[0] > 0.0) {
                    return Err(violation(
                        name,
                        format!("element 1 is {}, not positive", y[0]),
                    ));
                }
                out[0] = y[0].ln();
            } else {
                out[0] = y[0];
            }
        } else {
            if !(y[i] > y[i - 1]) {
                return Err(violation(
                    name,
                    format!(
                        "element {} ({}) is not greater than element {} ({})",
                        i + 1,
                        y[i],
                        i,
                        y[i - 1]
                    ),
                ));
            }
            out[i] = (y[i] - y[i - 1]).ln();
        }
    }
    Ok(())
}

fn ordered_adjoint(x: &[f64], out_adj: &[f64], w: f64, grad: &mut [f64], positive: bool) {
    // ȳ accumulated from the end: y_k feeds every later element.
    let mut acc = 0.0;
    for i in (0..x.len()).rev() {
        acc += out_adj[i];
        if i == 0 && !positive {
            grad[0] += acc;
        } else {
            grad[i] += acc * x[i].exp() + w;
        }
    }
}

macro_rules! impl_ordered {
    ($t:ty, $positive:expr) => {
        impl Transform for $t {
            fn free_len(&self) -> usize {
                self.k
            }
            fn constrained_len(&self) -> usize {
                self.k
            }
            fn constrain(&self, x: &[f64], out: &mut [f64]) -> f64 {
                if !sizes_ok(self, x, out) {
                    return f64::NAN;
                }
                ordered_constrain(x, out, $positive)
            }
            fn unconstrain(&self, y: &[f64], out: &mut [f64]) -> Result<(), TransformError> {
                check_len(y, self.k)?;
                check_len(out, self.k)?;
                ordered_unconstrain(y, out, $positive)
            }
            fn constrain_adjoint(&self, x: &[f64], out_adj: &[f64], w: f64, grad: &mut [f64]) {
                if !sizes_ok(self, x, out_adj) || grad.len() != self.k {
                    return;
                }
                ordered_adjoint(x, out_adj, w, grad, $positive)
            }
        }
    };
}
impl_ordered!(Ordered, false);
impl_ordered!(PositiveOrdered, true);

/// `unit_vector[K]`: y = x/‖x‖; Stan adds -½ xᵀx as its "Jacobian" so that
/// the radius has a proper distribution.
#[derive(Debug, Clone, Copy)]
pub struct UnitVector {
    /// K.
    pub k: usize,
}

impl Transform for UnitVector {
    fn free_len(&self) -> usize {
        self.k
    }
    fn constrained_len(&self) -> usize {
        self.k
    }
    fn constrain(&self, x: &[f64], out: &mut [f64]) -> f64 {
        if !sizes_ok(self, x, out) {
            return f64::NAN;
        }
        let r2: f64 = x.iter().map(|v| v * v).sum();
        if !(r2 > 0.0) || !r2.is_finite() {
            out.iter_mut().for_each(|v| *v = f64::NAN);
            return f64::NEG_INFINITY;
        }
        let r = r2.sqrt();
        out.iter_mut().zip(x).for_each(|(o, v)| *o = v / r);
        -0.5 * r2
    }
    fn unconstrain(&self, y: &[f64], out: &mut [f64]) -> Result<(), TransformError> {
        check_len(y, self.k)?;
        check_len(out, self.k)?;
        let r2: f64 = y.iter().map(|v| v * v).sum();
        if !((r2 - 1.0).abs() <= CONSTRAINT_TOLERANCE) {
            return Err(violation(
                "unit_vector",
                format!("squared norm is {r2}, not 1"),
            ));
        }
        out.copy_from_slice(y);
        Ok(())
    }
    fn constrain_adjoint(&self, x: &[f64], out_adj: &[f64], w: f64, grad: &mut [f64]) {
        if !sizes_ok(self, x, out_adj) || grad.len() != self.k {
            return;
        }
        let r2: f64 = x.iter().map(|v| v * v).sum();
        if !(r2 > 0.0) || !r2.is_finite() {
            return;
        }
        let r = r2.sqrt();
        let dot: f64 = x.iter().zip(out_adj).map(|(a, b)| a * b).sum::<f64>() / r;
        for i in 0..self.k {
            let y = x[i] / r;
            grad[i] += (out_adj[i] - y * dot) / r - w * x[i];
        }
    }
}

// --- Cholesky factors of correlation matrices (canonical partial correlations) ---

/// 1 - tanh²(x) = sech²(x), computed without cancellation for large |x|.
fn sech2(x: f64) -> f64 {
    let e = (-2.0 * x.abs()).exp();
    4.0 * e / ((1.0 + e) * (1.0 + e))
}

/// ln(1 - tanh²(x)), stable for large |x|.
fn log_sech2(x: f64) -> f64 {
    2.0 * (LN_2 - x.abs() - (-2.0 * x.abs()).exp().ln_1p())
}

/// Position in x of the partial correlation of (row r, column c), c < r, for
/// row-major (`cholesky_factor_corr`) or column-major (`corr_matrix`) order.
fn cpc_index(k: usize, r: usize, c: usize, column_major: bool) -> usize {
    if column_major {
        // columns 0..c hold (k-1) + (k-2) + ... entries
        c * (2 * k - c - 1) / 2 + (r - c - 1)
    } else {
        r * (r - 1) / 2 + c
    }
}

/// The Cholesky factor of a correlation matrix from free values (partial
/// correlations z = tanh(x)): per row r, L[r,c] = z_rc √p_c with
/// p_c = Π_{c'<c} (1 - z_rc'²), and L[r,r] = √p_r.
fn cpc_cholesky(x: &[f64], k: usize, column_major: bool, l: &mut [f64]) {
    l.iter_mut().for_each(|v| *v = 0.0);
    if k == 0 {
        return;
    }
    l[0] = 1.0;
    for r in 1..k {
        let mut p: f64 = 1.0;
        for c in 0..r {
            let xi = x[cpc_index(k, r, c, column_major)];
            l[r + c * k] = xi.tanh() * p.sqrt();
            p *= sech2(xi);
        }
        l[r + r * k] = p.sqrt();
    }
}

/// Reverse mode of [`cpc_cholesky`] plus the Jacobian: accumulates into
/// `grad` the contribution of L̄ and of `w · Σ coef(r, c) ln(1 - z_rc²)`.
fn cpc_cholesky_adjoint(
    x: &[f64],
    k: usize,
    column_major: bool,
    l_adj: &[f64],
    w: f64,
    coef: impl Fn(usize, usize) -> f64,
    grad: &mut [f64],
) {
    let mut p = vec![0.0; k];
    for r in 1..k {
        // p[c] = Π_{c' < c} (1 - z²), c = 0..=r
        p[0] = 1.0;
        for c in 0..r {
            p[c + 1] = p[c] * sech2(x[cpc_index(k, r, c, column_major)]);
        }
        let pr = p[r];
        let mut pbar = if pr > 0.0 {
            l_adj[r + r * k] * 0.5 / pr.sqrt()
        } else {
            0.0
        };
        for c in (0..r).rev() {
            let idx = cpc_index(k, r, c, column_major);
            let z = x[idx].tanh();
            let om = sech2(x[idx]);
            let sp = p[c].sqrt();
            let lb = l_adj[r + c * k];
            let zbar = lb * sp + pbar * p[c] * (-2.0 * z);
            pbar = pbar * om + if sp > 0.0 { lb * z * 0.5 / sp } else { 0.0 };
            // dz/dx = 1 - z²; d ln(1 - z²)/dx = -2z
            grad[idx] += zbar * om + w * coef(r, c) * (-2.0 * z);
        }
    }
}

/// Σ coef(r, c) ln(1 - tanh²(x_rc)): the log-Jacobian of a CPC transform.
fn cpc_log_jacobian(
    x: &[f64],
    k: usize,
    column_major: bool,
    coef: impl Fn(usize, usize) -> f64,
) -> f64 {
    let mut lj = 0.0;
    for r in 1..k {
        for c in 0..r {
            lj += coef(r, c) * log_sech2(x[cpc_index(k, r, c, column_major)]);
        }
    }
    lj
}

/// Partial correlations of a Cholesky factor of a correlation matrix, as
/// free values (atanh), in the given order. Checks the factor.
fn cholesky_corr_free(
    l: &[f64],
    k: usize,
    column_major: bool,
    name: &'static str,
    out: &mut [f64],
) -> Result<(), TransformError> {
    for r in 0..k {
        let mut ss = 0.0;
        for c in 0..k {
            let v = l[r + c * k];
            if c > r && v != 0.0 {
                return Err(violation(
                    name,
                    format!(
                        "element ({}, {}) above the diagonal is {v}, not 0",
                        r + 1,
                        c + 1
                    ),
                ));
            }
            if !v.is_finite() {
                return Err(violation(
                    name,
                    format!("element ({}, {}) is {v}", r + 1, c + 1),
                ));
            }
            if c <= r {
                ss += v * v;
            }
        }
        if !(l[r + r * k] > 0.0) {
            return Err(violation(
                name,
                format!(
                    "diagonal element {} is {}, not positive",
                    r + 1,
                    l[r + r * k]
                ),
            ));
        }
        if !((ss - 1.0).abs() <= CONSTRAINT_TOLERANCE) {
            return Err(violation(
                name,
                format!("row {} has squared norm {ss}, not 1", r + 1),
            ));
        }
    }
    for r in 1..k {
        let mut ss: f64 = 0.0;
        for c in 0..r {
            let v = l[r + c * k];
            let z = v / (1.0 - ss).sqrt();
            if !(z.abs() < 1.0) {
                return Err(violation(
                    name,
                    format!(
                        "partial correlation at ({}, {}) is {z}, not in (-1, 1)",
                        r + 1,
                        c + 1
                    ),
                ));
            }
            out[cpc_index(k, r, c, column_major)] = z.atanh();
            ss += v * v;
        }
    }
    Ok(())
}

/// Shared shape of the K × K matrix transforms.
fn matrix_sizes(k: usize) -> (usize, usize) {
    (k * k.saturating_sub(1) / 2, k * k)
}

/// `cholesky_factor_corr[K]`: Stan's `cholesky_corr_constrain` (partial
/// correlations row-major). ln|J| is that of x ↦ the strict lower triangle of L:
/// Σ ln(1 - z²) + ½ Σ_r Σ_{c<r} (r-1-c) ln(1 - z_rc²).
#[derive(Debug, Clone, Copy)]
pub struct CholeskyFactorCorr {
    /// K.
    pub k: usize,
}

fn chol_corr_coef(r: usize, c: usize) -> f64 {
    1.0 + 0.5 * (r - 1 - c) as f64
}

impl Transform for CholeskyFactorCorr {
    fn free_len(&self) -> usize {
        matrix_sizes(self.k).0
    }
    fn constrained_len(&self) -> usize {
        matrix_sizes(self.k).1
    }
    fn constrain(&self, x: &[f64], out: &mut [f64]) -> f64 {
        if !sizes_ok(self, x, out) {
            return f64::NAN;
        }
        cpc_cholesky(x, self.k, false, out);
        cpc_log_jacobian(x, self.k, false, chol_corr_coef)
    }
    fn unconstrain(&self, y: &[f64], out: &mut [f64]) -> Result<(), TransformError> {
        check_len(y, self.constrained_len())?;
        check_len(out, self.free_len())?;
        cholesky_corr_free(y, self.k, false, "cholesky_factor_corr", out)
    }
    fn constrain_adjoint(&self, x: &[f64], out_adj: &[f64], w: f64, grad: &mut [f64]) {
        if !sizes_ok(self, x, out_adj) || grad.len() != x.len() {
            return;
        }
        cpc_cholesky_adjoint(x, self.k, false, out_adj, w, chol_corr_coef, grad);
    }
}

/// `corr_matrix[K]`: Ω = L Lᵀ with L from partial correlations in column-major
/// order (Stan's `corr_matrix_constrain` / `read_corr_L`). ln|J| is that of
/// x ↦ the strict lower triangle of Ω: Σ ln(1 - z²) + ½ Σ (K-2-c) ln(1 - z_rc²).
#[derive(Debug, Clone, Copy)]
pub struct CorrMatrix {
    /// K.
    pub k: usize,
}

impl CorrMatrix {
    fn coef(&self) -> impl Fn(usize, usize) -> f64 {
        let k = self.k;
        move |_r, c| 1.0 + 0.5 * (k - 2 - c) as f64
    }
}

impl Transform for CorrMatrix {
    fn free_len(&self) -> usize {
        matrix_sizes(self.k).0
    }
    fn constrained_len(&self) -> usize {
        matrix_sizes(self.k).1
    }
    fn constrain(&self, x: &[f64], out: &mut [f64]) -> f64 {
        if !sizes_ok(self, x, out) {
            return f64::NAN;
        }
        let mut l = vec![0.0; self.constrained_len()];
        cpc_cholesky(x, self.k, true, &mut l);
        // Lengths are K·K by construction, so this cannot fail.
        let _ = multiply_lower_tri_self_transpose(&l, self.k, out);
        for i in 0..self.k {
            out[i + i * self.k] = 1.0; // exact unit diagonal (rows of L have unit norm)
        }
        cpc_log_jacobian(x, self.k, true, self.coef())
    }
    fn unconstrain(&self, y: &[f64], out: &mut [f64]) -> Result<(), TransformError> {
        check_len(y, self.constrained_len())?;
        check_len(out, self.free_len())?;
        let k = self.k;
        for i in 0..k {
            if !((y[i + i * k] - 1.0).abs() <= CONSTRAINT_TOLERANCE) {
                return Err(violation(
                    "corr_matrix",
                    format!("diagonal element {} is {}, not 1", i + 1, y[i + i * k]),
                ));
            }
        }
        let mut l = vec![0.0; k * k];
        cov_cholesky(y, k, "corr_matrix", &mut l)?;
        // Renormalise rows so tiny diagonal deviations do not leave |z| >= 1.
        for r in 0..k {
            let n: f64 = (0..=r)
                .map(|c| l[r + c * k] * l[r + c * k])
                .sum::<f64>()
                .sqrt();
            (0..=r).for_each(|c| l[r + c * k] /= n);
        }
        cholesky_corr_free(&l, k, true, "corr_matrix", out)
    }
    fn constrain_adjoint(&self, x: &[f64], out_adj: &[f64], w: f64, grad: &mut [f64]) {
        if !sizes_ok(self, x, out_adj) || grad.len() != x.len() {
            return;
        }
        let k = self.k;
        let mut l = vec![0.0; k * k];
        cpc_cholesky(x, k, true, &mut l);
        // The diagonal of Ω is the constant 1, so its adjoint is dropped.
        let mut oa = out_adj.to_vec();
        (0..k).for_each(|i| oa[i + i * k] = 0.0);
        let mut l_adj = vec![0.0; k * k];
        // Lengths are K·K by construction.
        let _ = multiply_lower_tri_self_transpose_adj(&l, k, &oa, &mut l_adj);
        cpc_cholesky_adjoint(x, k, true, &l_adj, w, self.coef(), grad);
    }
}

/// Cholesky factor of a symmetric positive-definite matrix, with errors named
/// for the constraint being checked.
fn cov_cholesky(
    y: &[f64],
    k: usize,
    name: &'static str,
    l: &mut [f64],
) -> Result<(), TransformError> {
    for j in 0..k {
        for i in 0..k {
            let v = y[i + j * k];
            if !v.is_finite() {
                return Err(violation(
                    name,
                    format!("element ({}, {}) is {v}", i + 1, j + 1),
                ));
            }
            if i > j && !((v - y[j + i * k]).abs() <= CONSTRAINT_TOLERANCE) {
                return Err(violation(
                    name,
                    format!("not symmetric at ({}, {})", i + 1, j + 1),
                ));
            }
        }
    }
    cholesky_lower(y, k, l).map_err(|e| violation(name, e.to_string()))
}

/// Writes a lower-triangular factor row-major with log diagonal (Stan's order).
fn cholesky_free_rowmajor(l: &[f64], k: usize, out: &mut [f64]) {
    let mut i = 0;
    for r in 0..k {
        for c in 0..r {
            out[i] = l[r + c * k];
            i += 1;
        }
        out[i] = l[r + r * k].ln();
        i += 1;
    }
}

/// Builds L from free values row-major with exp diagonal; returns Σ diag x.
fn cholesky_from_rowmajor(x: &[f64], k: usize, l: &mut [f64]) -> f64 {
    l.iter_mut().for_each(|v| *v = 0.0);
    let mut i = 0;
    let mut lj = 0.0;
    for r in 0..k {
        for c in 0..r {
            l[r + c * k] = x[i];
            i += 1;
        }
        l[r + r * k] = x[i].exp();
        lj += x[i];
        i += 1;
    }
    lj
}

/// Maps L̄ back to free values, adding `w · diag_coef(r)` on diagonal entries.
fn cholesky_rowmajor_adjoint(
    x: &[f64],
    k: usize,
    l_adj: &[f64],
    w: f64,
    diag_coef: impl Fn(usize) -> f64,
    grad: &mut [f64],
) {
    let mut i = 0;
    for r in 0..k {
        for c in 0..r {
            grad[i] += l_adj[r + c * k];
            i += 1;
        }
        grad[i] += l_adj[r + r * k] * x[i].exp() + w * diag_coef(r);
        i += 1;
    }
}

/// `cholesky_factor_cov[K]`: lower-triangular L with positive diagonal; free
/// values row-major, diagonal as logs; ln|J| = Σ diagonal free values.
#[derive(Debug, Clone, Copy)]
pub struct CholeskyFactorCov {
    /// K.
    pub k: usize,
}

impl Transform for CholeskyFactorCov {
    fn free_len(&self) -> usize {
        self.k * (self.k + 1) / 2
    }
    fn constrained_len(&self) -> usize {
        self.k * self.k
    }
    fn constrain(&self, x: &[f64], out: &mut [f64]) -> f64 {
        if !sizes_ok(self, x, out) {
            return f64::NAN;
        }
        cholesky_from_rowmajor(x, self.k, out)
    }
    fn unconstrain(&self, y: &[f64], out: &mut [f64]) -> Result<(), TransformError> {
        check_len(y, self.constrained_len())?;
        check_len(out, self.free_len())?;
        let k = self.k;
        for c in 0..k {
            for r in 0..k {
                let v = y[r + c * k];
                if !v.is_finite() {
                    return Err(violation(
                        "cholesky_factor_cov",
                        format!("element ({}, {}) is {v}", r + 1, c + 1),
                    ));
                }
                if c > r && v != 0.0 {
                    return Err(violation(
                        "cholesky_factor_cov",
                        format!(
                            "element ({}, {}) above the diagonal is {v}, not 0",
                            r + 1,
                            c + 1
                        ),
                    ));
                }
            }
            if !(y[c + c * k] > 0.0) {
                return Err(violation(
                    "cholesky_factor_cov",
                    format!(
                        "diagonal element {} is {}, not positive",
                        c + 1,
                        y[c + c * k]
                    ),
                ));
            }
        }
        cholesky_free_rowmajor(y, k, out);
        Ok(())
    }
    fn constrain_adjoint(&self, x: &[f64], out_adj: &[f64], w: f64, grad: &mut [f64]) {
        if !sizes_ok(self, x, out_adj) || grad.len() != x.len() {
            return;
        }
        cholesky_rowmajor_adjoint(x, self.k, out_adj, w, |_| 1.0, grad);
    }
}

/// `cov_matrix[K]`: Σ = L Lᵀ with L as in [`CholeskyFactorCov`];
/// ln|J| = K ln 2 + Σ_k (K - k + 1) ln L_kk (k from 0), the Jacobian of
/// x ↦ the lower triangle of Σ (Stan's `cov_matrix_constrain`).
#[derive(Debug, Clone, Copy)]
pub struct CovMatrix {
    /// K.
    pub k: usize,
}

impl Transform for CovMatrix {
    fn free_len(&self) -> usize {
        self.k * (self.k + 1) / 2
    }
    fn constrained_len(&self) -> usize {
        self.k * self.k
    }
    fn constrain(&self, x: &[f64], out: &mut [f64]) -> f64 {
        if !sizes_ok(self, x, out) {
            return f64::NAN;
        }
        let k = self.k;
        let mut l = vec![0.0; k * k];
        cholesky_from_rowmajor(x, k, &mut l);
        // Lengths are K·K by construction.
        let _ = multiply_lower_tri_self_transpose(&l, k, out);
        let mut lj = k as f64 * LN_2;
        let mut i = 0;
        for r in 0..k {
            i += r;
            lj += (k - r + 1) as f64 * x[i];
            i += 1;
        }
        lj
    }
    fn unconstrain(&self, y: &[f64], out: &mut [f64]) -> Result<(), TransformError> {
        check_len(y, self.constrained_len())?;
        check_len(out, self.free_len())?;
        let mut l = vec![0.0; self.k * self.k];
        cov_cholesky(y, self.k, "cov_matrix", &mut l)?;
        cholesky_free_rowmajor(&l, self.k, out);
        Ok(())
    }
    fn constrain_adjoint(&self, x: &[f64], out_adj: &[f64], w: f64, grad: &mut [f64]) {
        if !sizes_ok(self, x, out_adj) || grad.len() != x.len() {
            return;
        }
        let k = self.k;
        let mut l = vec![0.0; k * k];
        cholesky_from_rowmajor(x, k, &mut l);
        let mut l_adj = vec![0.0; k * k];
        // Lengths are K·K by construction.
        let _ = multiply_lower_tri_self_transpose_adj(&l, k, out_adj, &mut l_adj);
        cholesky_rowmajor_adjoint(x, k, &l_adj, w, |r| (k - r + 1) as f64, grad);
    }
}

/// Cholesky factor of a correlation matrix from partial correlations
/// `cpcs` (in (-1, 1), column-major order, Stan's `read_corr_L` without
/// Jacobian); used by `lkj_corr_cholesky_rng`.
pub(crate) fn read_corr_l(cpcs: &[f64], k: usize, l: &mut [f64]) {
    let x: Vec<f64> = cpcs.iter().map(|z| z.atanh()).collect();
    cpc_cholesky(&x, k, true, l);
}

// --- C ABI ---------------------------------------------------------------------------

macro_rules! c_scalar_transform {
    ($c:ident, $cu:ident, $f:ident, $fu:ident; $($b:ident),+) => {
        #[doc = concat!("C form of [`", stringify!($f), "`]: returns the value and writes the full record to `out` (if non-null).")]
        ///
        /// # Safety
        /// `out` must be null or valid for one `ScalarConstrained` write.
        pub unsafe extern "C" fn $c(x: f64, $($b: f64,)+ out: *mut ScalarConstrained) -> f64 {
            let r = $f(x, $($b),+);
            if !out.is_null() {
                // SAFETY: caller contract.
                unsafe { *out = r };
            }
            r.value
        }
        #[doc = concat!("C form of [`", stringify!($fu), "`]; NaN when the value violates the constraint.")]
        pub extern "C" fn $cu(y: f64, $($b: f64),+) -> f64 {
            $fu(y, $($b),+).unwrap_or(f64::NAN)
        }
    };
}
c_scalar_transform!(hbm_lower_constrain, hbm_lower_unconstrain, lower_constrain, lower_unconstrain; lb);
c_scalar_transform!(hbm_upper_constrain, hbm_upper_unconstrain, upper_constrain, upper_unconstrain; ub);
c_scalar_transform!(hbm_lower_upper_constrain, hbm_lower_upper_unconstrain, lower_upper_constrain, lower_upper_unconstrain; lb, ub);
c_scalar_transform!(hbm_offset_multiplier_constrain, hbm_offset_multiplier_unconstrain, offset_multiplier_constrain, offset_multiplier_unconstrain; offset, multiplier);

/// A size argument from JIT code (None if negative or huge).
fn size_arg(n: i64) -> Option<usize> {
    usize::try_from(n).ok().filter(|n| *n <= 1 << 16)
}

/// The C forms of a transform built by `$make` from its size arguments
/// (`k`, or `rows, cols`): `constrain`, `constrain_adjoint` (accumulating)
/// and `unconstrain`.
macro_rules! c_transform {
    ($c:ident, $ca:ident, $cu:ident, ($($size:ident),+), $make:expr) => {
        #[doc = concat!("C form of `constrain` for the transform built by `", stringify!($make), "`: writes `out`, returns the log-Jacobian (NaN on bad input).")]
        ///
        /// # Safety
        /// `x` and `out` valid for the transform's free and constrained lengths.
        pub unsafe extern "C" fn $c(x: *const f64, $($size: i64,)+ out: *mut f64) -> f64 {
            let Some(t) = (|| Some($make($(size_arg($size)?),+)))() else { return f64::NAN };
            // SAFETY: caller contract.
            match unsafe { (slice(x, t.free_len()), slice_mut(out, t.constrained_len())) } {
                (Some(x), Some(o)) => t.constrain(x, o),
                _ => f64::NAN,
            }
        }
        #[doc = concat!("C form of `constrain_adjoint` (accumulates into `grad`) for `", stringify!($make), "`; returns 0, or 2 on bad input.")]
        ///
        /// # Safety
        /// `x`, `grad` valid for the free length, `out_adj` for the constrained length.
        pub unsafe extern "C" fn $ca(x: *const f64, $($size: i64,)+ out_adj: *const f64, jacobian_weight: f64, grad: *mut f64) -> i32 {
            let Some(t) = (|| Some($make($(size_arg($size)?),+)))() else { return 2 };
            // SAFETY: caller contract.
            match unsafe { (slice(x, t.free_len()), slice(out_adj, t.constrained_len()), slice_mut(grad, t.free_len())) } {
                (Some(x), Some(a), Some(g)) => {
                    t.constrain_adjoint(x, a, jacobian_weight, g);
                    0
                }
                _ => 2,
            }
        }
        #[doc = concat!("C form of `unconstrain` for `", stringify!($make), "`: 0 ok, 1 constraint violated, 2 bad input.")]
        ///
        /// # Safety
        /// `y` valid for the constrained length, `out` for the free length.
        pub unsafe extern "C" fn $cu(y: *const f64, $($size: i64,)+ out: *mut f64) -> i32 {
            let Some(t) = (|| Some($make($(size_arg($size)?),+)))() else { return 2 };
            // SAFETY: caller contract.
            match unsafe { (slice(y, t.constrained_len()), slice_mut(out, t.free_len())) } {
                (Some(y), Some(o)) => match t.unconstrain(y, o) {
                    Ok(()) => 0,
                    Err(TransformError::Violation { .. }) => 1,
                    Err(TransformError::Length { .. }) => 2,
                },
                _ => 2,
            }
        }
    };
}
c_transform!(
    hbm_simplex_constrain,
    hbm_simplex_constrain_adj,
    hbm_simplex_unconstrain,
    (k),
    |k| Simplex { k }
);
c_transform!(
    hbm_sum_to_zero_constrain,
    hbm_sum_to_zero_constrain_adj,
    hbm_sum_to_zero_unconstrain,
    (k),
    |k| SumToZero { k }
);
c_transform!(
    hbm_ordered_constrain,
    hbm_ordered_constrain_adj,
    hbm_ordered_unconstrain,
    (k),
    |k| Ordered { k }
);
c_transform!(
    hbm_positive_ordered_constrain,
    hbm_positive_ordered_constrain_adj,
    hbm_positive_ordered_unconstrain,
    (k),
    |k| PositiveOrdered { k }
);
c_transform!(
    hbm_unit_vector_constrain,
    hbm_unit_vector_constrain_adj,
    hbm_unit_vector_unconstrain,
    (k),
    |k| UnitVector { k }
);
c_transform!(
    hbm_cholesky_factor_corr_constrain,
    hbm_cholesky_factor_corr_constrain_adj,
    hbm_cholesky_factor_corr_unconstrain,
    (k),
    |k| CholeskyFactorCorr { k }
);
c_transform!(
    hbm_cholesky_factor_cov_constrain,
    hbm_cholesky_factor_cov_constrain_adj,
    hbm_cholesky_factor_cov_unconstrain,
    (k),
    |k| CholeskyFactorCov { k }
);
c_transform!(
    hbm_corr_matrix_constrain,
    hbm_corr_matrix_constrain_adj,
    hbm_corr_matrix_unconstrain,
    (k),
    |k| CorrMatrix { k }
);
c_transform!(
    hbm_cov_matrix_constrain,
    hbm_cov_matrix_constrain_adj,
    hbm_cov_matrix_unconstrain,
    (k),
    |k| CovMatrix { k }
);

c_transform!(
    hbm_sum_to_zero_matrix_constrain,
    hbm_sum_to_zero_matrix_constrain_adj,
    hbm_sum_to_zero_matrix_unconstrain,
    (rows, cols),
    |rows, cols| SumToZeroMatrix { rows, cols }
);
c_transform!(
    hbm_column_stochastic_matrix_constrain,
    hbm_column_stochastic_matrix_constrain_adj,
    hbm_column_stochastic_matrix_unconstrain,
    (rows, cols),
    |rows, cols| ColumnStochastic { rows, cols }
);
c_transform!(
    hbm_row_stochastic_matrix_constrain,
    hbm_row_stochastic_matrix_constrain_adj,
    hbm_row_stochastic_matrix_unconstrain,
    (rows, cols),
    |rows, cols| RowStochastic { rows, cols }
);
