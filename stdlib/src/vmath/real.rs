//! The number types the [`crate::vmath`] functions are written over: `f64`
//! (one element; loops over it vectorise as the compiler sees fit) and, on
//! x86-64, [`super::avx2::F64x8`] (eight elements in two AVX2 registers).
//! The same source gives the scalar functions the tests compare with mpmath
//! and the kernels' code.

use super::MulAdd;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// Arithmetic, comparisons and bit-level exponent construction on one
/// element or on a group of them, element by element.
pub trait Real: Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self> + Neg<Output = Self> {
    /// The outcome of a comparison, per element.
    type Mask: Copy;
    /// Every element `x`.
    fn splat(x: f64) -> Self;
    /// `self * b + c`, fused or not as `M` says.
    fn mul_add<M: MulAdd>(self, b: Self, c: Self) -> Self;
    /// |self|.
    fn abs(self) -> Self;
    /// `f64::max` per element (a NaN operand gives the other one).
    fn max(self, other: Self) -> Self;
    /// `f64::min` per element (a NaN operand gives the other one).
    fn min(self, other: Self) -> Self;
    /// `self` where it is greater than `other`, else `other` (so `other`
    /// when either is NaN, and for ±0 against ±0): x86's `maxpd` rule, one
    /// instruction where [`Real::max`] takes three.
    fn max_or_other(self, other: Self) -> Self;
    /// `self` where it is less than `other`, else `other` (`minpd`'s rule).
    fn min_or_other(self, other: Self) -> Self;
    /// `self < other`.
    fn lt(self, other: Self) -> Self::Mask;
    /// `self >= other`.
    fn ge(self, other: Self) -> Self::Mask;
    /// `self == other`.
    fn eq(self, other: Self) -> Self::Mask;
    /// Whether an element is NaN.
    fn is_nan(self) -> Self::Mask;
    /// Whether an element equals its floor (an integer or ±inf).
    fn is_integral(self) -> Self::Mask;
    /// Both masks.
    fn and(a: Self::Mask, b: Self::Mask) -> Self::Mask;
    /// Either mask.
    fn or(a: Self::Mask, b: Self::Mask) -> Self::Mask;
    /// Not the mask.
    fn not(a: Self::Mask) -> Self::Mask;
    /// Per element, `then` where `mask` holds, else `otherwise`.
    fn select(mask: Self::Mask, then: Self, otherwise: Self) -> Self;
    /// Given `shifted` = k + 1.5 * 2^52 with k an integer in [-1076, 1025]
    /// (k in its low mantissa bits), the two normal powers of two 2^k1 and
    /// 2^k2 with k1 + k2 = k.
    fn exp2_halves(shifted: Self, round_shift: f64) -> (Self, Self);
    /// For a positive normal `self`: (k, m) with `self` = 2^k m, k an
    /// integer (as `f64`) and m in [√2/2, √2) (the split of fdlibm's
    /// `log`). Any other input gives some pair of numbers (no trap).
    fn split_exponent(self) -> (Self, Self);
}

/// Bits of a double just below √2/2: the smallest mantissa of
/// [`Real::split_exponent`]'s range [√2/2, √2).
pub(crate) const SPLIT_OFF: u64 = 0x3fe6_a09e_667f_3bcd;
/// Bits of 1.5 * 2^52: adding a small integer k to them gives the bits of
/// 1.5 * 2^52 + k.
pub(crate) const ROUND_SHIFT_BITS: u64 = 0x4338_0000_0000_0000;

/// The scalar form of [`Real::split_exponent`]. The vector forms run the
/// same integer operations per lane.
#[inline(always)]
pub(crate) fn split_exponent_one(x: f64) -> (f64, f64) {
    let ix = x.to_bits();
    // The top 12 bits of ix - OFF are k in two's complement (the sign
    // and exponent fields); made signed with an xor and a subtraction,
    // since AVX2 has no 64-bit arithmetic shift.
    let top = ix.wrapping_sub(SPLIT_OFF) >> 52;
    let k = (top ^ 0x800).wrapping_sub(0x800);
    let m = f64::from_bits(ix.wrapping_sub(top << 52));
    let k = f64::from_bits(ROUND_SHIFT_BITS.wrapping_add(k)) - f64::from_bits(ROUND_SHIFT_BITS);
    (k, m)
}

/// The scalar form of [`Real::exp2_halves`].
#[inline(always)]
pub(crate) fn exp2_halves_one(shifted: f64, round_shift: f64) -> (f64, f64) {
    // k + 2^51 sits in the low bits; biased by 1076, k is >= 0, so the
    // halving is a logical shift (AVX2 has no 64-bit arithmetic shift).
    let kb = (shifted.to_bits() as i64) - (round_shift.to_bits() as i64) + 1076;
    let k1 = (kb as u64 >> 1) as i64 - 538;
    let k2 = (kb - 1076) - k1;
    (f64::from_bits(((k1 + 1023) as u64) << 52), f64::from_bits(((k2 + 1023) as u64) << 52))
}

impl Real for f64 {
    type Mask = bool;
    #[inline(always)]
    fn splat(x: f64) -> f64 {
        x
    }
    #[inline(always)]
    fn mul_add<M: MulAdd>(self, b: f64, c: f64) -> f64 {
        M::mul_add(self, b, c)
    }
    #[inline(always)]
    fn abs(self) -> f64 {
        f64::abs(self)
    }
    #[inline(always)]
    fn max(self, other: f64) -> f64 {
        f64::max(self, other)
    }
    #[inline(always)]
    fn min(self, other: f64) -> f64 {
        f64::min(self, other)
    }
    #[inline(always)]
    fn max_or_other(self, other: f64) -> f64 {
        if self > other {
            self
        } else {
            other
        }
    }
    #[inline(always)]
    fn min_or_other(self, other: f64) -> f64 {
        if self < other {
            self
        } else {
            other
        }
    }
    #[inline(always)]
    fn lt(self, other: f64) -> bool {
        self < other
    }
    #[inline(always)]
    fn ge(self, other: f64) -> bool {
        self >= other
    }
    #[inline(always)]
    fn eq(self, other: f64) -> bool {
        self == other
    }
    #[inline(always)]
    fn is_nan(self) -> bool {
        f64::is_nan(self)
    }
    #[inline(always)]
    fn is_integral(self) -> bool {
        self == self.floor()
    }
    #[inline(always)]
    fn and(a: bool, b: bool) -> bool {
        a & b
    }
    #[inline(always)]
    fn or(a: bool, b: bool) -> bool {
        a | b
    }
    #[inline(always)]
    fn not(a: bool) -> bool {
        !a
    }
    #[inline(always)]
    fn select(mask: bool, then: f64, otherwise: f64) -> f64 {
        if mask {
            then
        } else {
            otherwise
        }
    }
    #[inline(always)]
    fn exp2_halves(shifted: f64, round_shift: f64) -> (f64, f64) {
        exp2_halves_one(shifted, round_shift)
    }
    #[inline(always)]
    fn split_exponent(self) -> (f64, f64) {
        split_exponent_one(self)
    }
}
