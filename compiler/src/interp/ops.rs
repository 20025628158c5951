//! The meaning of every native IR operation, written once in plain Rust.
//! This is the specification the Cranelift lowering must match bit for bit
//! (its tests compare the two on every operation).
//!
//! Choices where IEEE or C leave room:
//! - F64 `Min`/`Max` follow Cranelift's `fmin`/`fmax` (IEEE 754-2019
//!   `minimum`/`maximum`): NaN if either operand is NaN, and -0 < +0. Stan's
//!   `fmin`/`fmax` (which return the other operand when one is NaN) are the
//!   stdlib calls `hbm_fmin`/`hbm_fmax`, not these ops.
//! - `Round` rounds half away from zero (Stan's and C's `round`), not to even.
//! - I64 `Add`/`Sub`/`Mul`/`Neg`/`Abs` wrap on overflow; `Div`/`Rem` by zero
//!   reject the evaluation ([`DIV_BY_ZERO`]); `i64::MIN / -1` wraps to
//!   `i64::MIN` and `i64::MIN % -1` is 0.
//! - `And`/`Or`/`Not` are logical: any non-zero operand is true; results are 0/1.
//! - F64 comparisons are ordered except `Ne` (true when either is NaN), as
//!   Rust's operators.

use crate::interp::message::Scalar;
use crate::ir::{BinaryOp, CmpOp, UnaryOp};

/// The rejection message of an integer division or remainder by zero.
pub const DIV_BY_ZERO: &str = "integer division by zero";

/// Why an operation has no result.
#[derive(Clone, Debug, PartialEq)]
pub enum OpError {
    /// Operand types the operation does not accept.
    Type,
    /// Integer division or remainder by zero.
    DivByZero,
}

/// IEEE 754-2019 `minimum`.
pub fn fminimum(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a < b {
        a
    } else if b < a {
        b
    } else if a.is_sign_negative() {
        // a == b: only the sign of zero can differ; -0 is the minimum.
        a
    } else {
        b
    }
}

/// IEEE 754-2019 `maximum`.
pub fn fmaximum(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a > b {
        a
    } else if b > a {
        b
    } else if a.is_sign_positive() {
        a
    } else {
        b
    }
}

/// A unary operation.
pub fn unary(op: UnaryOp, x: Scalar) -> Result<Scalar, OpError> {
    use Scalar::{F64, I64};
    Ok(match (op, x) {
        (UnaryOp::Neg, F64(x)) => F64(-x),
        (UnaryOp::Neg, I64(x)) => I64(x.wrapping_neg()),
        (UnaryOp::Abs, F64(x)) => F64(x.abs()),
        (UnaryOp::Abs, I64(x)) => I64(x.wrapping_abs()),
        (UnaryOp::Sqrt, F64(x)) => F64(x.sqrt()),
        (UnaryOp::Floor, F64(x)) => F64(x.floor()),
        (UnaryOp::Ceil, F64(x)) => F64(x.ceil()),
        (UnaryOp::Trunc, F64(x)) => F64(x.trunc()),
        (UnaryOp::Round, F64(x)) => F64(x.round()),
        (UnaryOp::Not, I64(x)) => I64((x == 0) as i64),
        (UnaryOp::ToF64, I64(x)) => F64(x as f64),
        _ => return Err(OpError::Type),
    })
}

/// A binary operation.
pub fn binary(op: BinaryOp, a: Scalar, b: Scalar) -> Result<Scalar, OpError> {
    use Scalar::{F64, I64};
    Ok(match (a, b) {
        (F64(a), F64(b)) => F64(match op {
            BinaryOp::Add => a + b,
            BinaryOp::Sub => a - b,
            BinaryOp::Mul => a * b,
            BinaryOp::Div => a / b,
            BinaryOp::Min => fminimum(a, b),
            BinaryOp::Max => fmaximum(a, b),
            BinaryOp::Rem | BinaryOp::And | BinaryOp::Or => return Err(OpError::Type),
        }),
        (I64(a), I64(b)) => I64(match op {
            BinaryOp::Add => a.wrapping_add(b),
            BinaryOp::Sub => a.wrapping_sub(b),
            BinaryOp::Mul => a.wrapping_mul(b),
            BinaryOp::Div if b == 0 => return Err(OpError::DivByZero),
            BinaryOp::Div => a.wrapping_div(b),
            BinaryOp::Rem if b == 0 => return Err(OpError::DivByZero),
            BinaryOp::Rem => a.wrapping_rem(b),
            BinaryOp::Min => a.min(b),
            BinaryOp::Max => a.max(b),
            BinaryOp::And => (a != 0 && b != 0) as i64,
            BinaryOp::Or => (a != 0 || b != 0) as i64,
        }),
        _ => return Err(OpError::Type),
    })
}

/// A comparison; the result is 0 or 1.
pub fn compare(op: CmpOp, a: Scalar, b: Scalar) -> Result<i64, OpError> {
    use Scalar::{F64, I64};
    let r = match (a, b) {
        (F64(a), F64(b)) => match op {
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
        },
        (I64(a), I64(b)) => match op {
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
        },
        _ => return Err(OpError::Type),
    };
    Ok(r as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_max_ieee2019() {
        assert!(fminimum(f64::NAN, 1.0).is_nan());
        assert!(fmaximum(1.0, f64::NAN).is_nan());
        assert!(fminimum(0.0, -0.0).is_sign_negative());
        assert!(fminimum(-0.0, 0.0).is_sign_negative());
        assert!(fmaximum(-0.0, 0.0).is_sign_positive());
        assert_eq!(fminimum(1.0, 2.0), 1.0);
        assert_eq!(fmaximum(1.0, 2.0), 2.0);
    }

    #[test]
    fn integer_edge_cases() {
        use Scalar::I64;
        assert_eq!(
            binary(BinaryOp::Div, I64(7), I64(0)),
            Err(OpError::DivByZero)
        );
        assert_eq!(
            binary(BinaryOp::Div, I64(i64::MIN), I64(-1)),
            Ok(I64(i64::MIN))
        );
        assert_eq!(binary(BinaryOp::Rem, I64(i64::MIN), I64(-1)), Ok(I64(0)));
        assert_eq!(binary(BinaryOp::Rem, I64(-7), I64(2)), Ok(I64(-1)));
        assert_eq!(binary(BinaryOp::And, I64(2), I64(3)), Ok(I64(1)));
        assert_eq!(
            unary(UnaryOp::Round, Scalar::F64(2.5)),
            Ok(Scalar::F64(3.0))
        );
        assert_eq!(
            unary(UnaryOp::Round, Scalar::F64(-2.5)),
            Ok(Scalar::F64(-3.0))
        );
        assert_eq!(unary(UnaryOp::Sqrt, I64(4)), Err(OpError::Type));
    }
}
