//! Branch-free `exp` and `log1p` for the batched likelihood kernels
//! ([`crate::dist::batch`]).
//!
//! libm's `exp` and `log1p` branch on their argument and are opaque calls,
//! so a loop that calls them runs one element at a time. These versions are
//! straight-line code (compares become selects, the exponent is built with
//! integer bit operations), so a loop over an array of arguments compiles
//! to SIMD code: 4 lanes with AVX2. Accuracy is libm's class (about 1 ulp;
//! `stdlib/tests/api/vmath.rs` checks them against mpmath values), including
//! subnormal results of `exp`.
//!
//! Each function is generic over [`MulAdd`], so that the same source gives
//! fused multiply-adds in code compiled for FMA and plain ones elsewhere,
//! and over [`Real`]: `f64` for one element, eight elements side by side
//! in AVX2 registers ([`avx2::F64x8`]) or sixteen in AVX-512 registers
//! ([`avx512::F64x16`]). All run the same operations in the same order, so
//! they agree to the bit.

/// Applies a two-argument intrinsic to both halves of a two-register SIMD
/// type (`lo` and `hi`) of [`avx2`] or [`avx512`].
#[cfg(target_arch = "x86_64")]
macro_rules! both {
    ($t:ident, $f:ident, $a:expr, $b:expr) => {{
        let (a, b) = ($a, $b);
        // SAFETY: a value of the type exists only where the instructions
        // it is made of are available (the modules' docs).
        unsafe { $t { lo: $f(a.lo, b.lo), hi: $f(a.hi, b.hi) } }
    }};
}

/// The arithmetic operators of a two-register SIMD type, element by
/// element, from its add, sub, mul, div and xor intrinsics (negation flips
/// the sign bit).
#[cfg(target_arch = "x86_64")]
macro_rules! two_register_ops {
    ($t:ident: $add:ident, $sub:ident, $mul:ident, $div:ident, $xor:ident) => {
        impl std::ops::Add for $t {
            type Output = $t;
            #[inline(always)]
            fn add(self, o: $t) -> $t {
                both!($t, $add, self, o)
            }
        }
        impl std::ops::Sub for $t {
            type Output = $t;
            #[inline(always)]
            fn sub(self, o: $t) -> $t {
                both!($t, $sub, self, o)
            }
        }
        impl std::ops::Mul for $t {
            type Output = $t;
            #[inline(always)]
            fn mul(self, o: $t) -> $t {
                both!($t, $mul, self, o)
            }
        }
        impl std::ops::Div for $t {
            type Output = $t;
            #[inline(always)]
            fn div(self, o: $t) -> $t {
                both!($t, $div, self, o)
            }
        }
        impl std::ops::Neg for $t {
            type Output = $t;
            #[inline(always)]
            fn neg(self) -> $t {
                both!($t, $xor, self, <$t as Real>::splat(-0.0))
            }
        }
    };
}

/// The [`Real`] impl of a two-register SIMD type: the methods that are the
/// same for every width from its intrinsics (comparisons through the
/// type's own `cmp`), then the type's own items (`is_integral`, the mask
/// operations, `select`, `exp2_halves`).
#[cfg(target_arch = "x86_64")]
macro_rules! two_register_real {
    ($t:ident: $mask:ty, $set1:ident, $fmadd:ident, $andnot:ident, $max:ident, $min:ident; $($own:tt)*) => {
        impl Real for $t {
            type Mask = $mask;
            #[inline(always)]
            fn splat(x: f64) -> $t {
                // SAFETY: features as the module docs say.
                unsafe { $t { lo: $set1(x), hi: $set1(x) } }
            }
            #[inline(always)]
            fn mul_add<M: MulAdd>(self, b: $t, c: $t) -> $t {
                if M::FUSED {
                    // SAFETY: features as the module docs say.
                    unsafe { $t { lo: $fmadd(self.lo, b.lo, c.lo), hi: $fmadd(self.hi, b.hi, c.hi) } }
                } else {
                    self * b + c
                }
            }
            #[inline(always)]
            fn abs(self) -> $t {
                both!($t, $andnot, <$t>::splat(-0.0), self)
            }
            #[inline(always)]
            fn max(self, o: $t) -> $t {
                // vmaxpd gives its second operand when either is NaN;
                // f64::max gives the one that is not NaN.
                let m = both!($t, $max, self, o);
                <$t>::select(o.is_nan(), self, m)
            }
            #[inline(always)]
            fn min(self, o: $t) -> $t {
                let m = both!($t, $min, self, o);
                <$t>::select(o.is_nan(), self, m)
            }
            #[inline(always)]
            fn max_or_other(self, o: $t) -> $t {
                both!($t, $max, self, o)
            }
            #[inline(always)]
            fn min_or_other(self, o: $t) -> $t {
                both!($t, $min, self, o)
            }
            #[inline(always)]
            fn lt(self, o: $t) -> $mask {
                self.cmp::<_CMP_LT_OQ>(o)
            }
            #[inline(always)]
            fn ge(self, o: $t) -> $mask {
                self.cmp::<_CMP_GE_OQ>(o)
            }
            #[inline(always)]
            fn eq(self, o: $t) -> $mask {
                self.cmp::<_CMP_EQ_OQ>(o)
            }
            #[inline(always)]
            fn is_nan(self) -> $mask {
                self.cmp::<_CMP_UNORD_Q>(self)
            }
            $($own)*
        }
    };
}

#[cfg(target_arch = "x86_64")]
pub mod avx2;
#[cfg(target_arch = "x86_64")]
pub mod avx512;
pub mod gamma;
pub mod real;

pub use gamma::{digamma_positive, lgamma_positive};
pub use real::Real;

/// How `a * b + c` is evaluated in the polynomials.
pub trait MulAdd {
    /// Whether `mul_add` rounds once.
    const FUSED: bool;
    /// `a * b + c`.
    fn mul_add(a: f64, b: f64, c: f64) -> f64;
}

/// One rounding (`vfmadd`): only for code compiled with the `fma` target
/// feature, where `f64::mul_add` is an instruction rather than a libm call.
pub struct Fused;

impl MulAdd for Fused {
    const FUSED: bool = true;
    #[inline(always)]
    fn mul_add(a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }
}

/// Two roundings: a multiply, then an add (any target).
pub struct Plain;

impl MulAdd for Plain {
    const FUSED: bool = false;
    #[inline(always)]
    fn mul_add(a: f64, b: f64, c: f64) -> f64 {
        a * b + c
    }
}

/// ln 2 split for Cody-Waite reduction: `LN2_HI` has 21 trailing zero bits,
/// so `k * LN2_HI` is exact for every |k| < 2^21 (fdlibm's constants).
const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
/// 1.5 * 2^52: adding it rounds a number of magnitude < 2^51 to an integer,
/// which then sits in the low mantissa bits.
const ROUND_SHIFT: f64 = 6_755_399_441_055_744.0;

/// e^x for every f64 x: NaN for NaN, 0 below -745.2 (with subnormal results
/// above it), +inf above 709.8.
///
/// x = k ln 2 + r with |r| <= ln 2 / 2; e^r by its Taylor polynomial to
/// degree 13 (truncation error below 5e-18 relative); 2^k applied as two
/// factors 2^k1 2^k2, both normal, so that a subnormal result is rounded
/// only once.
#[inline(always)]
pub fn exp<M: MulAdd, R: Real>(x: R) -> R {
    let c = R::splat;
    // Outside [-746, 710] the result is 0 or inf anyway; the clamp keeps k
    // within the two-factor scaling below. A NaN becomes -746 here and is
    // passed through at the end.
    let xc = x.max_or_other(c(-746.0)).min_or_other(c(710.0));
    let shifted = xc.mul_add::<M>(c(std::f64::consts::LOG2_E), c(ROUND_SHIFT));
    let k = shifted - c(ROUND_SHIFT);
    let r = (-k).mul_add::<M>(c(LN2_LO), (-k).mul_add::<M>(c(LN2_HI), xc));
    // q(r) = sum of r^i / (i + 2)! for i in 0..=11 by Estrin's scheme
    // (pairs, then powers r^2 and r^4), so the chain of dependent
    // operations is 4 deep rather than Horner's 11: the kernels are bound by
    // this latency, not by the number of operations. Then
    // e^r = 1 + (r + r^2 q(r)).
    let r2 = r * r;
    let r4 = r2 * r2;
    let p01 = c(1.0 / 6.0).mul_add::<M>(r, c(0.5));
    let p23 = c(1.0 / 120.0).mul_add::<M>(r, c(1.0 / 24.0));
    let p45 = c(1.0 / 5_040.0).mul_add::<M>(r, c(1.0 / 720.0));
    let p67 = c(1.0 / 362_880.0).mul_add::<M>(r, c(1.0 / 40_320.0));
    let p89 = c(1.0 / 39_916_800.0).mul_add::<M>(r, c(1.0 / 3_628_800.0));
    let p1011 = c(1.0 / 6_227_020_800.0).mul_add::<M>(r, c(1.0 / 479_001_600.0));
    let q03 = p23.mul_add::<M>(r2, p01);
    let q47 = p67.mul_add::<M>(r2, p45);
    let q811 = p1011.mul_add::<M>(r2, p89);
    let q = q811.mul_add::<M>(r4, q47).mul_add::<M>(r4, q03);
    let p = c(1.0) + q.mul_add::<M>(r2, r);
    // k is an integer in [-1076, 1025]: 2^k as two normal factors.
    let (s1, s2) = R::exp2_halves(shifted, ROUND_SHIFT);
    let y = p * s1 * s2;
    R::select(x.is_nan(), x, y)
}

/// fdlibm's `log1p` coefficients: ln(1+f) = f - f^2/2 + s (f^2/2 + R(s^2))
/// with s = f / (2 + f).
const LG1: f64 = 6.666_666_666_666_735_130e-1;
const LG2: f64 = 3.999_999_999_940_941_908e-1;
const LG3: f64 = 2.857_142_874_366_239_149e-1;
const LG4: f64 = 2.222_219_843_214_978_396e-1;
const LG5: f64 = 1.818_357_216_161_805_012e-1;
const LG6: f64 = 1.531_383_769_920_937_332e-1;
const LG7: f64 = 1.479_819_860_511_658_591e-1;
/// Just below √2 − 1 (fdlibm's 0x3fda827a): from here on 1 + x is halved.
const SQRT2_M1: f64 = 0.414_213_538_169_860_84;

/// ln(1 + x) for x in [0, 1] (the range of e^(-|t|) in `log1p_exp`), given
/// `inv_u` = 1 / fl(1 + x), which the callers need anyway for a partial.
///
/// fdlibm's `log1p` restricted to that range, branch-free: below √2 − 1 it
/// works on x itself (k = 0); above, on f = (1 + x)/2 − 1 (exact) with k = 1
/// and the rounding error of 1 + x as a correction term.
#[inline(always)]
pub fn log1p_unit<M: MulAdd, R: Real>(x: R, inv_u: R) -> R {
    let c = R::splat;
    let u = c(1.0) + x;
    let big = x.ge(c(SQRT2_M1));
    let f = R::select(big, c(0.5) * u - c(1.0), x);
    let corr = R::select(big, (x - (u - c(1.0))) * inv_u, c(0.0));
    let dk = R::select(big, c(1.0), c(0.0));
    let hfsq = c(0.5) * f * f;
    let s = f / (c(2.0) + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * w.mul_add::<M>(w.mul_add::<M>(c(LG6), c(LG4)), c(LG2));
    let t2 = z * w.mul_add::<M>(w.mul_add::<M>(w.mul_add::<M>(c(LG7), c(LG5)), c(LG3)), c(LG1));
    let r = t2 + t1;
    s * (hfsq + r) + dk.mul_add::<M>(c(LN2_LO), corr) - hfsq + f + dk * c(LN2_HI)
}

/// fdlibm's `log` and `log1p` core: k ln 2 + ln(1 + f) + `corr`, for f in
/// [√2/2 − 1, √2 − 1] and an integer k, with fdlibm's order of operations
/// (k ln 2 in two parts, the small terms added first).
#[inline(always)]
fn log_core<M: MulAdd, R: Real>(f: R, k: R, corr: R) -> R {
    let c = R::splat;
    let hfsq = c(0.5) * f * f;
    let s = f / (c(2.0) + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * w.mul_add::<M>(w.mul_add::<M>(c(LG6), c(LG4)), c(LG2));
    let t2 = z * w.mul_add::<M>(w.mul_add::<M>(w.mul_add::<M>(c(LG7), c(LG5)), c(LG3)), c(LG1));
    let r = t2 + t1;
    k * c(LN2_HI) - ((hfsq - s.mul_add::<M>(hfsq + r, k.mul_add::<M>(c(LN2_LO), corr))) - f)
}

/// ln x for every f64 x: −inf at ±0, NaN below 0 and for NaN, +inf at
/// +inf; subnormal x included (scaled by 2^54 first).
///
/// fdlibm's `log`, branch-free: x = 2^k m with m in [√2/2, √2) from the
/// bits ([`Real::split_exponent`]), then ln(1 + f) with f = m − 1 (exact)
/// by its polynomial in s = f / (2 + f).
#[inline(always)]
pub fn log<M: MulAdd, R: Real>(x: R) -> R {
    let c = R::splat;
    let tiny = x.lt(c(f64::MIN_POSITIVE));
    let (k, m) = R::select(tiny, x * c(TWO_54), x).split_exponent();
    let k = k - R::select(tiny, c(54.0), c(0.0));
    let y = log_core::<M, R>(m - c(1.0), k, c(0.0));
    let y = R::select(x.eq(c(f64::INFINITY)), x, y);
    let y = R::select(x.eq(c(0.0)), c(f64::NEG_INFINITY), y);
    R::select(R::or(x.lt(c(0.0)), x.is_nan()), c(f64::NAN), y)
}

/// 2^54, which makes a subnormal number normal.
const TWO_54: f64 = 18_014_398_509_481_984.0;

/// ln(1 + x) for every f64 x: −inf at −1, NaN below −1 and for NaN, +inf
/// at +inf.
///
/// fdlibm's `log1p`, branch-free: where u = fl(1 + x) = 2^k m has k = 0 (x
/// in about [−0.29, 0.41]) the polynomial takes x itself; elsewhere f =
/// m − 1 (exact), with the rounding error of u as the correction
/// (1 − (u − x)) / u for k > 0 and (x − (u − 1)) / u below, as fdlibm.
#[inline(always)]
pub fn log1p<M: MulAdd, R: Real>(x: R) -> R {
    let c = R::splat;
    let u = c(1.0) + x;
    let (k, m) = u.split_exponent();
    let near = k.eq(c(0.0));
    let f = R::select(near, x, m - c(1.0));
    let corr = R::select(c(0.0).lt(k), c(1.0) - (u - x), x - (u - c(1.0))) / u;
    let corr = R::select(near, c(0.0), corr);
    let y = log_core::<M, R>(f, k, corr);
    let y = R::select(x.eq(c(f64::INFINITY)), x, y);
    let y = R::select(x.eq(c(-1.0)), c(f64::NEG_INFINITY), y);
    R::select(R::or(x.lt(c(-1.0)), x.is_nan()), c(f64::NAN), y)
}

/// ln(1 + e^t) and σ(t) = 1 / (1 + e^(-t)) together, for any non-NaN t:
/// with e = e^(-|t|) in (0, 1], ln(1 + e^t) = max(t, 0) + ln(1 + e) and
/// σ(t) = (t > 0 ? 1 : e) / (1 + e). The one reciprocal serves both.
#[inline(always)]
pub fn log1p_exp_and_inv_logit<M: MulAdd, R: Real>(t: R) -> (R, R) {
    let c = R::splat;
    let e = exp::<M, R>(-t.abs());
    let inv_u = c(1.0) / (c(1.0) + e);
    // (For a NaN t, e and so l are NaN whichever max.)
    let l = t.max_or_other(c(0.0)) + log1p_unit::<M, R>(e, inv_u);
    let sigma = R::select(c(0.0).lt(t), inv_u, e * inv_u);
    (l, sigma)
}
