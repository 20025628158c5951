//! Branch-free `lgamma` and `digamma` for positive finite arguments, for the
//! batched elementwise calls of likelihood loops (the shape of a gamma or
//! negative binomial density per observation).
//!
//! Each is [`crate::special`]'s scalar function with its branches made
//! selects: every lane computes the series around 2 (reached by at most
//! two steps up or eight steps down, each step a select) and the Stirling
//! series, and keeps the one its argument's range uses; one [`super::log`]
//! serves both. The same operations on the same operands as the scalar
//! code, apart from `log` itself, so the values agree with it to a few ulp
//! (`stdlib/tests/api/vmath.rs`), relative accuracy near the roots included.
//! Arguments outside (0, inf) are the caller's to route to the scalar
//! functions (`crate::dist::batch` does).

use super::{log, MulAdd, Real};
use crate::special::{HALF_LN_2PI, LGAMMA2_SERIES, ONE_MINUS_EULER, STIRLING_MIN};

/// Steps down from (2.5, [`STIRLING_MIN`]) into [1.5, 2.5].
const STEPS_DOWN: usize = 8;
// From just below STIRLING_MIN, STEPS_DOWN steps reach 2.5.
const _: () = assert!(STIRLING_MIN - STEPS_DOWN as f64 <= 2.5);

/// `special::lgamma2_series` (ln Γ(2 + z) for |z| <= 0.5) by Horner's rule.
#[inline(always)]
fn lgamma2_series<M: MulAdd, R: Real>(z: R) -> R {
    let c = R::splat;
    let mut acc = c(0.0);
    for k in LGAMMA2_SERIES.iter().rev() {
        acc = acc.mul_add::<M>(z, c(*k));
    }
    z * z.mul_add::<M>(acc, c(ONE_MINUS_EULER))
}

/// `special::digamma2_series` (ψ(2 + z) for |z| <= 0.5).
#[inline(always)]
fn digamma2_series<M: MulAdd, R: Real>(z: R) -> R {
    let c = R::splat;
    let mut acc = c(0.0);
    for (i, k) in LGAMMA2_SERIES.iter().enumerate().rev() {
        acc = acc.mul_add::<M>(z, c((i as f64 + 2.0) * k));
    }
    z.mul_add::<M>(acc, c(ONE_MINUS_EULER))
}

/// ln Γ(x) for 0 < x < inf (any other lane gives some number).
#[inline(always)]
pub fn lgamma_positive<M: MulAdd, R: Real>(x: R) -> R {
    let c = R::splat;
    let below_half = x.lt(c(0.5));
    let below = x.lt(c(1.5));
    let stirling = x.ge(c(STIRLING_MIN));
    // Γ(x) = Γ(x - n) (x - 1) ... (x - n) with x - n in [1.5, 2.5].
    let mut y = x;
    let mut prod = c(1.0);
    for _ in 0..STEPS_DOWN {
        let step = c(2.5).lt(y);
        let down = y - c(1.0);
        y = R::select(step, down, y);
        prod = R::select(step, prod * down, prod);
    }
    let z = R::select(below_half, x, R::select(below, x - c(1.0), y - c(2.0)));
    // The one logarithm: of x (1 + x) below 0.5 (Γ(x) = Γ(x + 2) / (x (x
    // + 1))), of x below 1.5 and in Stirling's range, of the product in
    // between (1 in [1.5, 2.5], whose log is 0).
    let arg = R::select(below_half, x * (c(1.0) + x), R::select(R::or(below, stirling), x, prod));
    let l = log::<M, R>(arg);
    let series = lgamma2_series::<M, R>(z) + R::select(below, -l, l);
    let r = c(1.0) / x;
    let r2 = r * r;
    let mut diff = c(-3617.0 / 122_400.0);
    for k in [1.0 / 156.0, -691.0 / 360_360.0, 1.0 / 1188.0, -1.0 / 1680.0, 1.0 / 1260.0, -1.0 / 360.0, 1.0 / 12.0] {
        diff = diff.mul_add::<M>(r2, c(k));
    }
    let big = (x - c(0.5)) * l - x + c(HALF_LN_2PI) + r * diff;
    R::select(stirling, big, series)
}

/// ψ(x) = d/dx ln Γ(x) for 0 < x < inf (any other lane gives some number).
#[inline(always)]
pub fn digamma_positive<M: MulAdd, R: Real>(x: R) -> R {
    let c = R::splat;
    // ψ(x) = ψ(x + 1) - 1/x, up to twice, into [1.5, 2.5] ...
    let mut y = x;
    let mut acc = c(0.0);
    for _ in 0..2 {
        let step = y.lt(c(1.5));
        acc = R::select(step, acc - c(1.0) / y, acc);
        y = R::select(step, y + c(1.0), y);
    }
    // ... or ψ(x) = ψ(x - 1) + 1/(x - 1) down into it.
    for _ in 0..STEPS_DOWN {
        let step = c(2.5).lt(y);
        let down = y - c(1.0);
        y = R::select(step, down, y);
        acc = R::select(step, acc + c(1.0) / down, acc);
    }
    let series = digamma2_series::<M, R>(y - c(2.0)) + acc;
    let r = c(1.0) / x;
    let r2 = r * r;
    let mut tail = c(-3617.0 / 8160.0);
    for k in [1.0 / 12.0, -691.0 / 32_760.0, 1.0 / 132.0, -1.0 / 240.0, 1.0 / 252.0, -1.0 / 120.0, 1.0 / 12.0] {
        tail = tail.mul_add::<M>(r2, c(k));
    }
    let big = log::<M, R>(x) - c(0.5) * r - r2 * tail;
    R::select(x.ge(c(STIRLING_MIN)), big, series)
}
