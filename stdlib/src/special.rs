//! Scalar special functions and their derivatives, written to stay accurate at
//! extreme arguments (the sampler visits them during warm-up).
//!
//! Conventions: every function takes and returns `f64`, never panics, and
//! returns NaN only where the mathematical function is undefined (as Stan
//! does). The derivative of `f` is `f_d1` (or `f_d1`, `f_d2`, ... for several
//! arguments), documented next to `f`.

// The series constants keep every digit they were computed to (mpmath).
#![allow(clippy::excessive_precision)]

use std::f64::consts::{LN_2, PI};

/// ln(2π)/2.
pub const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;
/// ln(π).
pub const LN_PI: f64 = 1.144_729_885_849_400_2;
/// 1/sqrt(2π), the standard normal density at 0.
pub const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;
/// 1 - γ (Euler–Mascheroni): the linear coefficient of ln Γ(2+z).
pub(crate) const ONE_MINUS_EULER: f64 = 0.422_784_335_098_467_139_4;

/// c_k = (-1)^k (ζ(k) - 1) / k for k = 2..=33, so that
/// ln Γ(2+z) = (1-γ) z + Σ c_k z^k. Because ζ(k) - 1 ~ 2^-k the series
/// converges for |z| < 2; on |z| <= 0.5 the terms fall like 4^-k, so 32 terms
/// reach full double precision. Values computed with mpmath at 40 digits.
pub(crate) const LGAMMA2_SERIES: [f64; 32] = [
    0.322_467_033_424_113_218_24,
    -0.067_352_301_053_198_095_133,
    0.020_580_808_427_784_547_879,
    -0.007_385_551_028_673_985_266_3,
    0.002_890_510_330_741_523_285_8,
    -0.001_192_753_911_703_260_977_1,
    0.000_509_669_524_743_042_422_34,
    -0.000_223_154_758_453_579_379_76,
    0.000_099_457_512_781_808_533_715,
    -0.000_044_926_236_738_133_141_7,
    0.000_020_507_212_775_670_691_553,
    -0.000_009_439_488_275_268_395_904,
    0.000_004_374_866_789_907_487_804_2,
    -0.000_002_039_215_753_801_366_236_8,
    0.000_000_955_141_213_040_741_983_29,
    -0.000_000_449_246_919_876_456_604_33,
    0.000_000_212_071_848_055_546_658_69,
    -0.000_000_100_432_248_239_680_996_09,
    0.000_000_047_698_101_693_639_805_658,
    -0.000_000_022_711_094_608_943_164_91,
    0.000_000_010_838_659_214_896_954_091,
    -0.000_000_005_183_475_041_970_046_655_1,
    0.000_000_002_483_674_543_802_478_317_2,
    -0.000_000_001_192_140_140_586_091_207_4,
    0.000_000_000_573_136_724_167_886_201_33,
    -0.000_000_000_275_952_288_512_423_314_52,
    0.000_000_000_133_047_643_742_444_894_81,
    -0.000_000_000_064_229_645_638_381_000_221,
    0.000_000_000_031_044_247_747_322_272_762,
    -0.000_000_000_015_021_384_080_754_142_171,
    0.000_000_000_007_275_974_480_239_079_662_5,
    -0.000_000_000_003_527_742_476_575_915_083_6,
];

/// Below this, lgamma/digamma/trigamma recur into [1.5, 2.5]; at or above it
/// the asymptotic (Stirling) series is accurate to double precision.
pub(crate) const STIRLING_MIN: f64 = 10.0;

/// ln Γ(2+z) for |z| <= 0.5 (series; relative accuracy holds near the root z=0).
fn lgamma2_series(z: f64) -> f64 {
    let mut acc = 0.0;
    for c in LGAMMA2_SERIES.iter().rev() {
        acc = acc * z + c;
    }
    z * (ONE_MINUS_EULER + z * acc)
}

/// ψ(2+z) for |z| <= 0.5, the term-wise derivative of `lgamma2_series`.
fn digamma2_series(z: f64) -> f64 {
    let mut acc = 0.0;
    for (i, c) in LGAMMA2_SERIES.iter().enumerate().rev() {
        acc = acc * z + (i as f64 + 2.0) * c;
    }
    ONE_MINUS_EULER + z * acc
}

/// ψ'(2+z) for |z| <= 0.5, the term-wise second derivative.
fn trigamma2_series(z: f64) -> f64 {
    let mut acc = 0.0;
    for (i, c) in LGAMMA2_SERIES.iter().enumerate().rev() {
        let k = i as f64 + 2.0;
        acc = acc * z + k * (k - 1.0) * c;
    }
    acc
}

/// sin(πx) with exact argument reduction, so that poles of Γ at negative
/// integers come out as exact zeros.
fn sinpi(x: f64) -> f64 {
    let r = x - x.round(); // exact: |r| <= 0.5
    let s = (PI * r).sin();
    // sin(π(n + r)) = (-1)^n sin(πr)
    if (x.round() as i64) % 2 == 0 {
        s
    } else {
        -s
    }
}

/// Σ_{k} B_2k / (2k (2k-1) x^(2k-1)): ln Γ(x) minus Stirling's formula.
/// Valid (to double precision) for x >= 10.
pub fn lgamma_stirling_diff(x: f64) -> f64 {
    if x.is_infinite() {
        return 0.0;
    }
    let r = 1.0 / x;
    let r2 = r * r;
    r * (1.0 / 12.0
        + r2 * (-1.0 / 360.0
            + r2 * (1.0 / 1260.0
                + r2 * (-1.0 / 1680.0
                    + r2 * (1.0 / 1188.0
                        + r2 * (-691.0 / 360_360.0
                            + r2 * (1.0 / 156.0 + r2 * (-3617.0 / 122_400.0))))))))
}

/// ln|Γ(x)|, accurate to a few ulp over x > 0 (relative accuracy is kept near
/// the roots x = 1 and x = 2) and valid for negative non-integers.
/// +inf at the poles x = 0, -1, -2, ...; NaN for NaN.
pub fn lgamma(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        if x == x.floor() {
            return f64::INFINITY;
        }
        if x == f64::NEG_INFINITY {
            return f64::INFINITY;
        }
        // Reflection: Γ(x)Γ(1-x) = π / sin(πx).
        return LN_PI - sinpi(x).abs().ln() - lgamma(1.0 - x);
    }
    if x < 0.5 {
        // Γ(x) = Γ(x+2) / (x (x+1)), keeping the series argument z = x small.
        return lgamma2_series(x) - x.ln_1p() - x.ln();
    }
    if x < 1.5 {
        // ln Γ(x) = ln Γ(2+(x-1)) - ln x.
        return lgamma2_series(x - 1.0) - x.ln();
    }
    if x <= 2.5 {
        return lgamma2_series(x - 2.0);
    }
    if x < STIRLING_MIN {
        // Recur down into [1.5, 2.5]: Γ(x) = Γ(x-n) Π (x-i).
        let mut y = x;
        let mut prod = 1.0;
        while y > 2.5 {
            y -= 1.0;
            prod *= y;
        }
        return lgamma2_series(y - 2.0) + prod.ln();
    }
    (x - 0.5) * x.ln() - x + HALF_LN_2PI + lgamma_stirling_diff(x)
}

/// The digamma function ψ(x) = d/dx ln Γ(x) (the derivative of [`lgamma`]).
/// NaN at the poles x = 0, -1, -2, ...
pub fn digamma(x: f64) -> f64 {
    if x.is_nan() || x == f64::NEG_INFINITY {
        return f64::NAN;
    }
    if x == f64::INFINITY {
        return f64::INFINITY;
    }
    if x <= 0.0 {
        if x == x.floor() {
            return f64::NAN;
        }
        // ψ(1-x) - ψ(x) = π cot(πx)
        let r = x - x.round();
        return digamma(1.0 - x) - PI / (PI * r).tan();
    }
    if x < 1.5 {
        // ψ(x) = ψ(x+1) - 1/x; for tiny x the 1/x term dominates.
        let mut y = x;
        let mut acc = 0.0;
        while y < 1.5 {
            acc -= 1.0 / y;
            y += 1.0;
        }
        return digamma2_series(y - 2.0) + acc;
    }
    if x <= 2.5 {
        return digamma2_series(x - 2.0);
    }
    if x < STIRLING_MIN {
        let mut y = x;
        let mut acc = 0.0;
        while y > 2.5 {
            y -= 1.0;
            acc += 1.0 / y;
        }
        return digamma2_series(y - 2.0) + acc;
    }
    let r = 1.0 / x;
    let r2 = r * r;
    x.ln()
        - 0.5 * r
        - r2 * (1.0 / 12.0
            + r2 * (-1.0 / 120.0
                + r2 * (1.0 / 252.0
                    + r2 * (-1.0 / 240.0
                        + r2 * (1.0 / 132.0
                            + r2 * (-691.0 / 32_760.0
                                + r2 * (1.0 / 12.0 + r2 * (-3617.0 / 8160.0))))))))
}

/// The trigamma function ψ'(x) (the derivative of [`digamma`]).
pub fn trigamma(x: f64) -> f64 {
    if x.is_nan() || x == f64::NEG_INFINITY {
        return f64::NAN;
    }
    if x == f64::INFINITY {
        return 0.0;
    }
    if x <= 0.0 {
        if x == x.floor() {
            return f64::NAN;
        }
        // ψ'(1-x) + ψ'(x) = π² / sin²(πx)
        let s = sinpi(x);
        return PI * PI / (s * s) - trigamma(1.0 - x);
    }
    if x < 1.5 {
        let mut y = x;
        let mut acc = 0.0;
        while y < 1.5 {
            acc += 1.0 / (y * y);
            y += 1.0;
        }
        return trigamma2_series(y - 2.0) + acc;
    }
    if x <= 2.5 {
        return trigamma2_series(x - 2.0);
    }
    if x < STIRLING_MIN {
        let mut y = x;
        let mut acc = 0.0;
        while y > 2.5 {
            y -= 1.0;
            acc -= 1.0 / (y * y);
        }
        return trigamma2_series(y - 2.0) + acc;
    }
    let r = 1.0 / x;
    let r2 = r * r;
    r + 0.5 * r2
        + r * r2
            * (1.0 / 6.0
                + r2 * (-1.0 / 30.0
                    + r2 * (1.0 / 42.0
                        + r2 * (-1.0 / 30.0
                            + r2 * (5.0 / 66.0
                                + r2 * (-691.0 / 2730.0
                                    + r2 * (7.0 / 6.0 + r2 * (-3617.0 / 510.0))))))))
}

/// ln B(a, b) = ln Γ(a) + ln Γ(b) - ln Γ(a+b), computed without the
/// catastrophic cancellation of that formula when a or b is large
/// (Stirling differences, as Stan's `lbeta`). NaN for a or b < 0.
pub fn lbeta(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() || a < 0.0 || b < 0.0 {
        return f64::NAN;
    }
    let (x, y) = if a < b { (a, b) } else { (b, a) };
    if x == 0.0 {
        return f64::INFINITY;
    }
    if y.is_infinite() {
        return f64::NEG_INFINITY;
    }
    if y < STIRLING_MIN {
        return lgamma(x) + lgamma(y) - lgamma(x + y);
    }
    let x_over_xy = x / (x + y);
    if x < STIRLING_MIN {
        // y large, x small: the Stirling parts of ln Γ(y) - ln Γ(x+y) in closed form.
        let diff = lgamma_stirling_diff(y) - lgamma_stirling_diff(x + y);
        let stirling = (y - 0.5) * (-x_over_xy).ln_1p() + x * (1.0 - (x + y).ln());
        return stirling + lgamma(x) + diff;
    }
    let diff = lgamma_stirling_diff(x) + lgamma_stirling_diff(y) - lgamma_stirling_diff(x + y);
    let stirling =
        (x - 0.5) * x_over_xy.ln() + y * (-x_over_xy).ln_1p() + HALF_LN_2PI - 0.5 * y.ln();
    stirling + diff
}

/// ∂/∂a ln B(a, b) = ψ(a) - ψ(a+b).
pub fn lbeta_d1(a: f64, b: f64) -> f64 {
    digamma(a) - digamma(a + b)
}

/// ∂/∂b ln B(a, b) = ψ(b) - ψ(a+b).
pub fn lbeta_d2(a: f64, b: f64) -> f64 {
    digamma(b) - digamma(a + b)
}

/// The largest count `n` for which [`log_rising_factorial`] multiplies the
/// terms x, x+1, ..., x+n-1 out instead of differencing `lgamma`: at 32
/// terms the product (two flops a term, a compare, one `ln`) still costs
/// less than two `lgamma`s below [`STIRLING_MIN`] (a 32-term series each),
/// and its error grows with n (about n/2 ulp of the product).
pub const RISING_TERMS_MAX: f64 = 32.0;

/// Above this the running product is folded into the sum of logs: with
/// each factor below 2^64 ([`rising_by_terms`]), four of them multiply to
/// under 2^256, and 1e200 (about 2^664) times that stays finite, for the
/// product and its derivative alike.
const RISING_FOLD: f64 = 1e200;

/// Whether `x + j` for j < n is summed term by term: n a whole number in
/// [0, [`RISING_TERMS_MAX`]], x a normal positive number below 2^64 (so
/// that 1/x is finite and no factor reaches 2^65). False for NaN. Checked
/// first: it implies the domain check, which then only the other
/// arguments pay.
fn rising_by_terms(x: f64, n: f64) -> bool {
    // `n as u32` truncates: equal to n for a whole n in range (no libm
    // `floor` call, which baseline x86-64 has no instruction for).
    n >= 0.0 && n <= RISING_TERMS_MAX && (n as u32) as f64 == n && x >= f64::MIN_POSITIVE && x < 1.8e19
}

/// ln(x (x+1) ... (x+n-1)) for [`rising_by_terms`] arguments: the product
/// of the factors, four at a time (two independent products, so the
/// multiplies overlap), folded into a log when it grows large. Exact but
/// for rounding: each factor x + j and each product rounds once, so the
/// error is about n * 2^-52 absolute, plus the rounding of the `ln`s.
fn rising_log_product(x: f64, n: f64) -> f64 {
    let (mut logs, mut p) = (0.0, 1.0);
    // j counts whole numbers in f64: exact, and x + j rounds once.
    let (mut j, end) = (0.0, n);
    while j + 4.0 <= end {
        p *= ((x + j) * (x + (j + 1.0))) * ((x + (j + 2.0)) * (x + (j + 3.0)));
        j += 4.0;
        if p > RISING_FOLD {
            logs += p.ln();
            p = 1.0;
        }
    }
    while j < end {
        p *= x + j;
        j += 1.0;
    }
    logs + p.ln()
}

/// Σ_{j<n} 1/(x+j) = ψ(x+n) - ψ(x) for [`rising_by_terms`] arguments, as
/// P'/P of the product P = Π (x+j) with P' = dP/dx carried alongside, four
/// factors at a time (a block's product q = (t0 t1)(t2 t3) has q' =
/// (t0+t1)(t2 t3) + (t0 t1)(t2+t3)), one division in all. Every quantity
/// is positive, so nothing cancels: relative error about 2n * 2^-52.
fn rising_log_product_d1(x: f64, n: f64) -> f64 {
    let (mut sum, mut p, mut dp) = (0.0, 1.0, 0.0);
    let (mut j, end) = (0.0, n);
    while j + 4.0 <= end {
        let (t0, t1, t2, t3) = (x + j, x + (j + 1.0), x + (j + 2.0), x + (j + 3.0));
        let (a, b) = (t0 * t1, t2 * t3);
        let (q, dq) = (a * b, (t0 + t1) * b + a * (t2 + t3));
        dp = dp * q + p * dq;
        p *= q;
        j += 4.0;
        // P'/P <= 1/x + n, and x may be as small as MIN_POSITIVE: P' can
        // outgrow P.
        if p > RISING_FOLD || dp > RISING_FOLD {
            sum += dp / p;
            p = 1.0;
            dp = 0.0;
        }
    }
    while j < end {
        let t = x + j;
        dp = dp * t + p;
        p *= t;
        j += 1.0;
    }
    sum + dp / p
}

/// Stan's domain of the rising factorial: finite x > 0 and n >= 0.
fn rising_domain(x: f64, n: f64) -> bool {
    x > 0.0 && n >= 0.0 && x.is_finite() && n.is_finite()
}

/// ln Γ(x+n) - ln Γ(x) (Stan's `log_rising_factorial`), NaN unless x > 0
/// and n >= 0 are finite. For a whole n up to [`RISING_TERMS_MAX`] (counts,
/// the common case) it is the log of the product x (x+1) ... (x+n-1),
/// which neither calls `lgamma` nor cancels when x is large.
pub fn log_rising_factorial(x: f64, n: f64) -> f64 {
    if rising_by_terms(x, n) {
        return rising_log_product(x, n);
    }
    if !rising_domain(x, n) {
        return f64::NAN;
    }
    lgamma(x + n) - lgamma(x)
}

/// ∂/∂x of [`log_rising_factorial`]: ψ(x+n) - ψ(x), a sum of n reciprocals
/// for the whole n it multiplies out.
pub fn log_rising_factorial_d1(x: f64, n: f64) -> f64 {
    if rising_by_terms(x, n) {
        return rising_log_product_d1(x, n);
    }
    if !rising_domain(x, n) {
        return f64::NAN;
    }
    digamma(x + n) - digamma(x)
}

/// ∂/∂n of [`log_rising_factorial`]: ψ(x+n).
pub fn log_rising_factorial_d2(x: f64, n: f64) -> f64 {
    if !rising_domain(x, n) {
        return f64::NAN;
    }
    digamma(x + n)
}

/// B(a, b) = Γ(a) Γ(b) / Γ(a+b) (Stan's `beta`), as e^(ln B) so that
/// large arguments neither overflow nor cancel. NaN for a or b < 0.
pub fn beta(a: f64, b: f64) -> f64 {
    lbeta(a, b).exp()
}

/// ∂/∂a B(a, b) = B(a, b) (ψ(a) - ψ(a+b)); ∂/∂b by symmetry.
pub fn beta_partials(a: f64, b: f64) -> [f64; 2] {
    let value = beta(a, b);
    [value * lbeta_d1(a, b), value * lbeta_d2(a, b)]
}

/// ln C(n, k), the real-valued binomial coefficient (Stan's `lchoose`),
/// written as -ln(n+1) - ln B(n-k+1, k+1) so it stays accurate for large n.
/// NaN unless n > -1 and -1 <= k <= n+1.
pub fn lchoose(n: f64, k: f64) -> f64 {
    if n.is_nan() || k.is_nan() || n <= -1.0 || k < -1.0 || k > n + 1.0 {
        return f64::NAN;
    }
    if k == 0.0 || k == n {
        return 0.0;
    }
    -(n + 1.0).ln() - lbeta(n - k + 1.0, k + 1.0)
}

/// ∂/∂n ln C(n, k) = ψ(n+1) - ψ(n-k+1).
pub fn lchoose_d1(n: f64, k: f64) -> f64 {
    digamma(n + 1.0) - digamma(n - k + 1.0)
}

/// ∂/∂k ln C(n, k) = ψ(n-k+1) - ψ(k+1).
pub fn lchoose_d2(n: f64, k: f64) -> f64 {
    digamma(n - k + 1.0) - digamma(k + 1.0)
}

/// ln(1 + e^x) (softplus), exact to rounding for all x (no overflow at
/// x = 800, no underflow trouble at x = -800). Derivative: [`inv_logit`].
pub fn log1p_exp(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// [`log1p_exp`] and its derivative [`inv_logit`] from one `exp`: with
/// e = e^{-|x|}, ln(1 + e^x) = max(x, 0) + ln(1 + e) and σ(x) = 1/(1 + e)
/// for x > 0, e/(1 + e) otherwise (both forms as [`log1p_exp`] and
/// [`inv_logit`] take them).
pub fn log1p_exp_grad(x: f64) -> (f64, f64) {
    if x > 0.0 {
        let e = (-x).exp();
        (x + e.ln_1p(), 1.0 / (1.0 + e))
    } else {
        let e = x.exp();
        (e.ln_1p(), e / (1.0 + e))
    }
}

/// ln(1 - e^x) for x <= 0 (-inf at 0, NaN for x > 0). Switches between the two
/// stable forms at x = -ln 2 (Mächler 2012). Derivative: [`log1m_exp_d1`].
pub fn log1m_exp(x: f64) -> f64 {
    if x > 0.0 || x.is_nan() {
        f64::NAN
    } else if x == 0.0 {
        f64::NEG_INFINITY
    } else if x > -LN_2 {
        (-x.exp_m1()).ln()
    } else {
        (-x.exp()).ln_1p()
    }
}

/// d/dx ln(1 - e^x) = -1 / (e^-x - 1).
pub fn log1m_exp_d1(x: f64) -> f64 {
    -1.0 / (-x).exp_m1()
}

/// ln(e^a + e^b) without overflow. Partials: [`log_sum_exp_grad`].
pub fn log_sum_exp(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    if a == f64::INFINITY || b == f64::INFINITY {
        return f64::INFINITY;
    }
    let m = a.max(b);
    m + (-(a - b).abs()).exp().ln_1p()
}

/// (∂/∂a, ∂/∂b) of ln(e^a + e^b): the softmax weights of (a, b).
pub fn log_sum_exp_grad(a: f64, b: f64) -> [f64; 2] {
    if a == f64::NEG_INFINITY && b == f64::NEG_INFINITY {
        return [0.0, 0.0];
    }
    if a == b {
        return [0.5, 0.5];
    }
    [inv_logit(a - b), inv_logit(b - a)]
}

/// ln Σ e^{x_i} over a slice; -inf for an empty slice.
pub fn log_sum_exp_slice(xs: &[f64]) -> f64 {
    let m = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m.is_infinite() {
        return m;
    }
    let s: f64 = xs.iter().map(|x| (x - m).exp()).sum();
    m + s.ln()
}

/// ln(e^a - e^b) for a >= b (-inf if a == b, NaN if a < b).
pub fn log_diff_exp(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() || a < b {
        return f64::NAN;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    if a == b {
        return f64::NEG_INFINITY;
    }
    a + log1m_exp(b - a)
}

/// (∂/∂a, ∂/∂b) of ln(e^a - e^b).
pub fn log_diff_exp_grad(a: f64, b: f64) -> [f64; 2] {
    if b == f64::NEG_INFINITY {
        return [1.0, 0.0];
    }
    [-1.0 / (b - a).exp_m1(), -1.0 / (a - b).exp_m1()]
}

/// The logistic sigmoid 1/(1+e^-x), computed without overflow on either side.
pub fn inv_logit(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// [`inv_logit`] and its derivative [`inv_logit_d1`] from one `exp`: with
/// e = e^{-|x|}, σ(|x|) = 1/(1 + e) and σ(-|x|) = e/(1 + e), the value is
/// one of them and the derivative their product (the same forms, so the
/// same bits, as the two functions).
pub fn inv_logit_grad(x: f64) -> (f64, f64) {
    let e = (-x.abs()).exp();
    let (upper, lower) = (1.0 / (1.0 + e), e / (1.0 + e));
    (if x >= 0.0 { upper } else { lower }, upper * lower)
}

/// d/dx inv_logit(x) = σ(x) σ(-x) (product form keeps relative accuracy in the tails).
pub fn inv_logit_d1(x: f64) -> f64 {
    inv_logit(x) * inv_logit(-x)
}

/// ln(p / (1 - p)); NaN outside [0, 1].
pub fn logit(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    p.ln() - (-p).ln_1p()
}

/// d/dp logit(p) = 1 / (p (1 - p)).
pub fn logit_d1(p: f64) -> f64 {
    1.0 / (p * (1.0 - p))
}

/// ln σ(x) = -ln(1 + e^-x). Derivative σ(-x).
pub fn log_inv_logit(x: f64) -> f64 {
    -log1p_exp(-x)
}

/// ln(1 - σ(x)) = -ln(1 + e^x). Derivative -σ(x).
pub fn log1m_inv_logit(x: f64) -> f64 {
    -log1p_exp(x)
}

/// ln(1 - x); NaN for x > 1. Derivative -1/(1-x).
pub fn log1m(x: f64) -> f64 {
    if x > 1.0 {
        return f64::NAN;
    }
    (-x).ln_1p()
}

// --- error function (port of fdlibm's s_erf.c) ---------------------------
//
// ====================================================
// Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
//
// Developed at SunPro, a Sun Microsystems, Inc. business.
// Permission to use, copy, modify, and distribute this
// software is freely granted, provided that this notice
// is preserved.
// ====================================================
//
// Rational approximations on [0, 0.84375], [0.84375, 1.25], and for erfc on
// [1.25, 1/0.35] and [1/0.35, 28] of ln(x erfc(x)) + x² + 0.5625, each with
// error below 2^-57; this keeps erfc's relative accuracy deep into the tail,
// which is what Phi needs.

const ERX: f64 = 8.45062911510467529297e-01;
const EFX: f64 = 1.28379167095512586316e-01;
const PP: [f64; 5] = [
    1.28379167095512558561e-01,
    -3.25042107247001499370e-01,
    -2.84817495755985104766e-02,
    -5.77027029648944159157e-03,
    -2.37630166566501626084e-05,
];
const QQ: [f64; 5] = [
    3.97917223959155352819e-01,
    6.50222499887672944485e-02,
    5.08130628187576562776e-03,
    1.32494738004321644526e-04,
    -3.96022827877536812320e-06,
];
const PA: [f64; 7] = [
    -2.36211856075265944077e-03,
    4.14856118683748331666e-01,
    -3.72207876035701323847e-01,
    3.18346619901161753674e-01,
    -1.10894694282396677476e-01,
    3.54783043256182359371e-02,
    -2.16637559486879084300e-03,
];
const QA: [f64; 6] = [
    1.06420880400844228286e-01,
    5.40397917702171048937e-01,
    7.18286544141962662868e-02,
    1.26171219808761642112e-01,
    1.36370839120290507362e-02,
    1.19844998467991074170e-02,
];
const RA: [f64; 8] = [
    -9.86494403484714822705e-03,
    -6.93858572707181764372e-01,
    -1.05586262253232909814e+01,
    -6.23753324503260060396e+01,
    -1.62396669462573470355e+02,
    -1.84605092906711035994e+02,
    -8.12874355063065934246e+01,
    -9.81432934416914548592e+00,
];
const SA: [f64; 8] = [
    1.96512716674392571292e+01,
    1.37657754143519042600e+02,
    4.34565877475229228821e+02,
    6.45387271733267880336e+02,
    4.29008140027567833386e+02,
    1.08635005541779435134e+02,
    6.57024977031928170135e+00,
    -6.04244152148580987438e-02,
];
const RB: [f64; 7] = [
    -9.86494292470009928597e-03,
    -7.99283237680523006574e-01,
    -1.77579549177547519889e+01,
    -1.60636384855821916062e+02,
    -6.37566443368389627722e+02,
    -1.02509513161107724954e+03,
    -4.83519191608651397019e+02,
];
const SB: [f64; 7] = [
    3.03380607434824582924e+01,
    3.25792512996573918826e+02,
    1.53672958608443695994e+03,
    3.19985821950859553908e+03,
    2.55305040643316442583e+03,
    4.74528541206955367215e+02,
    -2.24409524465858183362e+01,
];

/// Horner evaluation of c[0] + c[1] s + ... .
fn poly(c: &[f64], s: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, ci| acc * s + ci)
}

/// 1 + s (c[0] + c[1] s + ...), the denominators of the fdlibm fits.
fn poly1(c: &[f64], s: f64) -> f64 {
    1.0 + s * poly(c, s)
}

/// erfc(x) for x >= 1.25 via exp(-x² - 0.5625 + R/S) / x, splitting x² so the
/// exponent is exact to double precision.
fn erfc_tail(x: f64) -> f64 {
    if x >= 28.0 {
        return 0.0;
    }
    let s = 1.0 / (x * x);
    let (r, d) = if x < 1.0 / 0.35 {
        (poly(&RA, s), poly1(&SA, s))
    } else {
        (poly(&RB, s), poly1(&SB, s))
    };
    // z has the low 32 bits cleared, so z*z is exact.
    let z = f64::from_bits(x.to_bits() & 0xffff_ffff_0000_0000);
    (-z * z - 0.5625).exp() * ((z - x) * (z + x) + r / d).exp() / x
}

/// The error function.
pub fn erf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let ax = x.abs();
    let r = if ax < 0.84375 {
        if ax < 1.0 / (1u64 << 28) as f64 {
            ax + EFX * ax
        } else {
            let z = ax * ax;
            ax + ax * (poly(&PP, z) / poly1(&QQ, z))
        }
    } else if ax < 1.25 {
        let s = ax - 1.0;
        ERX + poly(&PA, s) / poly1(&QA, s)
    } else if ax >= 6.0 {
        1.0
    } else {
        1.0 - erfc_tail(ax)
    };
    r.copysign(x)
}

/// The complementary error function 1 - erf(x), with full relative accuracy
/// for large positive x (down to underflow near x = 26.5).
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let ax = x.abs();
    let neg = x < 0.0;
    if ax < 0.84375 {
        let z = ax * ax;
        let y = poly(&PP, z) / poly1(&QQ, z);
        let t = if ax < 0.25 {
            ax + ax * y
        } else {
            0.5 + (ax * y + (ax - 0.5))
        };
        return if neg { 1.0 + t } else { 1.0 - t };
    }
    if ax < 1.25 {
        let s = ax - 1.0;
        let pq = poly(&PA, s) / poly1(&QA, s);
        return if neg { 1.0 + ERX + pq } else { 1.0 - ERX - pq };
    }
    let t = erfc_tail(ax);
    if neg {
        2.0 - t
    } else {
        t
    }
}

/// d/dx erf(x) = 2/√π e^{-x²}.
pub fn erf_d1(x: f64) -> f64 {
    std::f64::consts::FRAC_2_SQRT_PI * (-x * x).exp()
}

/// The standard normal CDF Φ(x) = erfc(-x/√2)/2, accurate in the lower tail
/// (Φ(-37) ≈ 5.7e-300) and exactly 0 below -37.5 and 1 above 8.3, as Stan.
pub fn phi(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < -37.5 {
        return 0.0;
    }
    0.5 * erfc(-x * std::f64::consts::FRAC_1_SQRT_2)
}

/// The standard normal density, d/dx Φ(x).
pub fn phi_d1(x: f64) -> f64 {
    INV_SQRT_2PI * (-0.5 * x * x).exp()
}

/// Quantile of the lower tail for 0 < p <= 0.5: Abramowitz–Stegun 26.2.23
/// start (error < 4.5e-4) polished by Halley steps on the accurate Φ.
fn inv_phi_lower(p: f64) -> f64 {
    let t = (-2.0 * p.ln()).sqrt();
    let mut x = -(t
        - (2.515517 + t * (0.802853 + t * 0.010328))
            / (1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308))));
    for _ in 0..6 {
        let f = phi(x) - p;
        let d = phi_d1(x);
        if d == 0.0 {
            break;
        }
        let u = f / d;
        // Halley: the curvature of Φ is -x φ(x).
        let step = u / (1.0 + 0.5 * x * u);
        x -= step;
        if step.abs() <= 1e-15 * x.abs().max(1e-300) {
            break;
        }
    }
    x
}

/// The standard normal quantile Φ⁻¹(p); -inf at 0, +inf at 1, NaN outside [0, 1].
pub fn inv_phi(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    if p == 0.5 {
        return 0.0;
    }
    if p < 0.5 {
        inv_phi_lower(p)
    } else {
        // 1 - p is exact for p in [0.5, 1] (Sterbenz).
        -inv_phi_lower(1.0 - p)
    }
}

/// -1/e, where the two real branches of the Lambert W function meet.
const LAMBERT_BRANCH_POINT: f64 = -0.36787944117144233;

/// The principal branch W₀ of the Lambert W function (the w >= -1 with
/// w e^w = x), for x >= -1/e; NaN below (Stan's `lambert_w0`).
pub fn lambert_w0(x: f64) -> f64 {
    if x.is_nan() || x < LAMBERT_BRANCH_POINT {
        return f64::NAN;
    }
    if x == f64::INFINITY {
        return f64::INFINITY;
    }
    if x == 0.0 {
        return 0.0;
    }
    let w = if x < -0.25 {
        lambert_branch_series(x, 1.0)
    } else if x < 3.0 {
        x.ln_1p()
    } else {
        let l1 = x.ln();
        let l2 = l1.ln();
        l1 - l2 + l2 / l1
    };
    lambert_halley(x, w)
}

/// The lower branch W₋₁ of the Lambert W function (the w <= -1 with
/// w e^w = x), for -1/e <= x < 0; -inf at 0, NaN elsewhere (Stan's
/// `lambert_wm1`).
pub fn lambert_wm1(x: f64) -> f64 {
    if x.is_nan() || !(LAMBERT_BRANCH_POINT..=0.0).contains(&x) {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    let w = if x < -0.25 {
        lambert_branch_series(x, -1.0)
    } else {
        // The asymptote at 0-: ln(-x) - ln(-ln(-x)) + ...
        let l1 = (-x).ln();
        let l2 = (-l1).ln();
        l1 - l2 + l2 / l1
    };
    lambert_halley(x, w)
}

/// W about the branch point: -1 + p - p²/3 + 11p³/72, p = ±√(2(e x + 1))
/// (+ for W₀, - for W₋₁).
fn lambert_branch_series(x: f64, sign: f64) -> f64 {
    let p = sign * (2.0 * (std::f64::consts::E * x + 1.0)).max(0.0).sqrt();
    -1.0 + p * (1.0 + p * (-1.0 / 3.0 + p * 11.0 / 72.0))
}

/// Halley steps on w e^w - x from `w`; at the branch point (w = -1, where
/// the steps divide by 1 + w) the start is kept.
fn lambert_halley(x: f64, mut w: f64) -> f64 {
    for _ in 0..64 {
        let ew = w.exp();
        let f = w * ew - x;
        let wp1 = w + 1.0;
        let denom = ew * wp1 - (w + 2.0) * f / (2.0 * wp1);
        if wp1 == 0.0 || !denom.is_finite() || denom == 0.0 {
            break;
        }
        let step = f / denom;
        w -= step;
        if step.abs() <= 2.0 * f64::EPSILON * w.abs() {
            break;
        }
    }
    w
}

/// dW/dx = 1 / (e^W (1 + W)) of either branch, given its value W (finite
/// at x = 0, infinite at the branch point).
pub fn lambert_w_d1(w: f64) -> f64 {
    1.0 / (w.exp() * (1.0 + w))
}

/// erfc⁻¹(x) for x in [0, 2] (Stan's `inv_erfc`): -Φ⁻¹(x/2)/√2, with
/// erfc⁻¹(x) = -erfc⁻¹(2 - x) above 1 so that x near 2 keeps its digits
/// (2 - x is exact there, while Φ⁻¹ near 1 is not). +inf at 0, -inf at 2,
/// NaN outside.
pub fn inv_erfc(x: f64) -> f64 {
    if x > 1.0 {
        return -inv_erfc(2.0 - x);
    }
    -inv_phi(0.5 * x) * std::f64::consts::FRAC_1_SQRT_2
}

/// d/dx erfc⁻¹(x) = -(√π / 2) e^(y²), y = erfc⁻¹(x).
pub fn inv_erfc_d1(x: f64) -> f64 {
    let y = inv_erfc(x);
    -0.5 * std::f64::consts::PI.sqrt() * (y * y).exp()
}

/// Φ⁻¹(e^lp), the standard normal quantile of a log probability (Stan's
/// `std_normal_log_qf`): -inf at lp = -inf, +inf at 0, NaN above 0. Below
/// lp = -680, where e^lp nears the smallest normal double, Newton steps on
/// ln Φ(x) = lp from the tail guess -√(-2 lp); ln Φ is increasing and
/// concave, so the steps approach the root from below and cannot overshoot.
pub fn inv_phi_log(lp: f64) -> f64 {
    if lp.is_nan() || lp > 0.0 {
        return f64::NAN;
    }
    if lp == 0.0 {
        return f64::INFINITY;
    }
    if lp == f64::NEG_INFINITY {
        return f64::NEG_INFINITY;
    }
    if lp > -std::f64::consts::LN_2 {
        // 1 - p = -expm1(lp) keeps its digits as p nears 1.
        return -inv_phi_lower(-lp.exp_m1());
    }
    if lp > -680.0 {
        return inv_phi_lower(lp.exp());
    }
    let mut x = -(-2.0 * lp).sqrt();
    for _ in 0..60 {
        let step = (log_phi(x) - lp) / log_phi_d1(x);
        x -= step;
        if step.abs() <= 1e-15 * x.abs() {
            break;
        }
    }
    x
}

/// d/dlp Φ⁻¹(e^lp) = 1 / (d/dx ln Φ(x)) at x = Φ⁻¹(e^lp), without the
/// underflow of e^lp / φ(x).
pub fn inv_phi_log_d1(lp: f64) -> f64 {
    1.0 / log_phi_d1(inv_phi_log(lp))
}

/// d/dp Φ⁻¹(p) = 1 / φ(Φ⁻¹(p)).
pub fn inv_phi_d1(p: f64) -> f64 {
    1.0 / phi_d1(inv_phi(p))
}

/// log_mix(θ, lp1, lp2) = ln(θ e^{lp1} + (1-θ) e^{lp2}); NaN for θ outside [0, 1].
pub fn log_mix(theta: f64, lp1: f64, lp2: f64) -> f64 {
    if !(0.0..=1.0).contains(&theta) {
        return f64::NAN;
    }
    log_sum_exp(theta.ln() + lp1, log1m(theta) + lp2)
}

/// (∂/∂θ, ∂/∂lp1, ∂/∂lp2) of [`log_mix`].
pub fn log_mix_grad(theta: f64, lp1: f64, lp2: f64) -> [f64; 3] {
    let f = log_mix(theta, lp1, lp2);
    if !f.is_finite() {
        return [0.0, 0.0, 0.0];
    }
    let e1 = (lp1 - f).exp();
    let e2 = (lp2 - f).exp();
    [e1 - e2, theta * e1, (1.0 - theta) * e2]
}

/// x ln y with the convention 0 ln 0 = 0 (Stan's `multiply_log`).
pub fn multiply_log(x: f64, y: f64) -> f64 {
    if x == 0.0 && y == 0.0 {
        0.0
    } else {
        x * y.ln()
    }
}

/// Multivariate log-gamma ln Γ_k(x) = k(k-1)/4 ln π + Σ_{j=1..k} ln Γ(x + (1-j)/2).
pub fn lmgamma(k: u32, x: f64) -> f64 {
    let kf = k as f64;
    let mut r = kf * (kf - 1.0) * 0.25 * LN_PI;
    for j in 1..=k {
        r += lgamma(x + (1.0 - j as f64) * 0.5);
    }
    r
}

/// d/dx ln Γ_k(x) = Σ ψ(x + (1-j)/2).
pub fn lmgamma_d1(k: u32, x: f64) -> f64 {
    (1..=k).map(|j| digamma(x + (1.0 - j as f64) * 0.5)).sum()
}

/// ln Φ(z), the log of the standard normal CDF, accurate in both tails: the
/// upper tail as ln(1 - Φ(-z)), the far lower tail (z < -30, where Φ is
/// below 1e-197) by the asymptotic series of Mills' ratio
/// ln Φ(z) = -z²/2 - ln(-z) - ½ ln 2π + ln(1 - 1/z² + 3/z⁴ - ...).
/// Derivative: [`log_phi_d1`].
pub fn log_phi(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    if z >= 0.0 {
        return log1m(phi(-z));
    }
    if z > -30.0 {
        return phi(z).ln();
    }
    if z == f64::NEG_INFINITY {
        return f64::NEG_INFINITY;
    }
    -0.5 * z * z - (-z).ln() - HALF_LN_2PI + mills_series(z).ln()
}

/// 1 - 1/z² + 3/z⁴ - 15/z⁶ + ..., through the z⁻¹⁴ term (below 1e-16 for
/// |z| >= 30).
fn mills_series(z: f64) -> f64 {
    let r = 1.0 / (z * z);
    1.0 - r * (1.0 - 3.0 * r * (1.0 - 5.0 * r * (1.0 - 7.0 * r * (1.0 - 9.0 * r * (1.0 - 11.0 * r * (1.0 - 13.0 * r))))))
}

/// d/dz ln Φ(z) = φ(z)/Φ(z) (the inverse Mills ratio of -z), without
/// underflow in the lower tail (≈ -z there).
pub fn log_phi_d1(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    if z == f64::INFINITY {
        return 0.0;
    }
    if z < -30.0 {
        return -z / mills_series(z);
    }
    (-0.5 * z * z - HALF_LN_2PI - log_phi(z)).exp()
}

/// (ln P(a, x), ln Q(a, x)): the logs of the regularised lower and upper
/// incomplete gamma functions, a > 0, x >= 0 (NaN otherwise). The series
/// for P where x < a + 1, else the continued fraction for Q (Lentz), each
/// with its prefactor x^a e^-x / Γ(a) taken in logs so that neither
/// underflows; the other one is ln(1 - e^that).
pub fn log_gamma_pq(a: f64, x: f64) -> (f64, f64) {
    if !(a > 0.0) || !(x >= 0.0) || a.is_infinite() {
        return (f64::NAN, f64::NAN);
    }
    if x == 0.0 {
        return (f64::NEG_INFINITY, 0.0);
    }
    if x.is_infinite() {
        return (0.0, f64::NEG_INFINITY);
    }
    let log_pre = a * x.ln() - x - lgamma(a);
    if x < a + 1.0 {
        let (mut sum, mut term, mut ap) = (1.0, 1.0, a);
        for _ in 0..100_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term < sum * 1e-17 {
                break;
            }
        }
        let lp = (log_pre + (sum / a).ln()).min(0.0);
        (lp, log1m_exp(lp))
    } else {
        const TINY: f64 = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..100_000 {
            let fi = i as f64;
            let an = -fi * (fi - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-16 {
                break;
            }
        }
        let lq = (log_pre + h.ln()).min(0.0);
        (log1m_exp(lq), lq)
    }
}

/// The regularised lower incomplete gamma function P(a, x) (Stan's `gamma_p`).
pub fn gamma_p(a: f64, x: f64) -> f64 {
    log_gamma_pq(a, x).0.exp()
}

/// The regularised upper incomplete gamma function Q(a, x) (Stan's `gamma_q`).
pub fn gamma_q(a: f64, x: f64) -> f64 {
    log_gamma_pq(a, x).1.exp()
}

/// ψ''(x), the tetragamma function (the derivative of [`trigamma`]): the
/// recurrence ψ''(x) = ψ''(x + 1) - 2/x³ up to x >= 10, then the
/// asymptotic series -1/x² - 1/x³ - 1/(2x⁴) + 1/(6x⁶) - 1/(6x⁸) + 3/(10x¹⁰)
/// - 5/(6x¹²). NaN at the poles (0, -1, -2, ...).
pub fn tetragamma(x: f64) -> f64 {
    if x.is_nan() || (x <= 0.0 && x == x.floor()) {
        return f64::NAN;
    }
    let mut x = x;
    let mut acc = 0.0;
    while x < STIRLING_MIN {
        acc -= 2.0 / (x * x * x);
        x += 1.0;
    }
    let r = 1.0 / x;
    let r2 = r * r;
    let series = -r2 - r2 * r - 0.5 * r2 * r2
        + r2 * r2 * r2 * (1.0 / 6.0 + r2 * (-1.0 / 6.0 + r2 * (3.0 / 10.0 + r2 * (-5.0 / 6.0))));
    acc + series
}

/// Γ(x): e^{ln Γ(x)} for x > 0, by reflection π / (sin(πx) Γ(1 - x)) below;
/// NaN at the poles. Derivative Γ(x) ψ(x).
pub fn tgamma(x: f64) -> f64 {
    if x.is_nan() || (x <= 0.0 && x == x.floor()) {
        return f64::NAN;
    }
    if x > 0.0 {
        lgamma(x).exp()
    } else {
        PI / (sinpi(x) * lgamma(1.0 - x).exp())
    }
}

/// (∂P/∂a, ∂P/∂x) of the regularised lower incomplete gamma P(a, x):
/// ∂P/∂x = x^{a-1} e^{-x} / Γ(a), and ∂P/∂a by the term-wise derivative of
/// P = Σ_n x^{a+n} e^{-x} / Γ(a+n+1), whose terms carry ln x - ψ(a+n+1).
pub fn gamma_p_grad(a: f64, x: f64) -> [f64; 2] {
    if !(a > 0.0) || !(x >= 0.0) || a.is_infinite() || x.is_infinite() {
        return [f64::NAN, f64::NAN];
    }
    if x == 0.0 {
        return [0.0, if a == 1.0 { 1.0 } else if a < 1.0 { f64::INFINITY } else { 0.0 }];
    }
    let lx = x.ln();
    let dx = ((a - 1.0) * lx - x - lgamma(a)).exp();
    let mut term = (a * lx - x - lgamma(a + 1.0)).exp();
    let mut psi = digamma(a + 1.0);
    let mut da = 0.0;
    let mut n = 0.0;
    loop {
        let piece = term * (lx - psi);
        da += piece;
        n += 1.0;
        if (n > x && piece.abs() <= 1e-17 * da.abs().max(1e-300)) || n > 1e6 || term == 0.0 && n > x {
            break;
        }
        psi += 1.0 / (a + n);
        term *= x / (a + n);
    }
    [da, dx]
}

/// Nodes and weights of 64-point Gauss–Laguerre quadrature (∫₀^∞ e^{-u}
/// f(u) du ≈ Σ wᵢ f(uᵢ)), computed once by Newton's method on the Laguerre
/// polynomials from the usual initial guesses (Numerical Recipes' `gaulag`).
fn gauss_laguerre() -> &'static ([f64; 64], [f64; 64]) {
    static RULE: std::sync::OnceLock<([f64; 64], [f64; 64])> = std::sync::OnceLock::new();
    RULE.get_or_init(|| {
        const N: usize = 64;
        let nf = N as f64;
        let (mut x, mut w) = ([0.0; N], [0.0; N]);
        let mut z = 0.0f64;
        for i in 0..N {
            z = match i {
                0 => 3.0 / (1.0 + 2.4 * nf),
                1 => z + 15.0 / (1.0 + 2.5 * nf),
                _ => {
                    let ai = (i - 1) as f64;
                    z + (1.0 + 2.55 * ai) / (1.9 * ai) * (z - x[i - 2])
                }
            };
            let mut pp = 0.0;
            for _ in 0..100 {
                let (mut p1, mut p2) = (1.0, 0.0);
                for j in 0..N {
                    let p3 = p2;
                    p2 = p1;
                    let jf = j as f64;
                    p1 = ((2.0 * jf + 1.0 - z) * p2 - jf * p3) / (jf + 1.0);
                }
                pp = (nf * p1 - nf * p2) / z;
                let step = p1 / pp;
                z -= step;
                if step.abs() <= 1e-15 * z.abs() {
                    break;
                }
            }
            // The weight from the derivative at the root and L_{n-1}.
            let (mut p1, mut p2) = (1.0, 0.0);
            for j in 0..N - 1 {
                let p3 = p2;
                p2 = p1;
                let jf = j as f64;
                p1 = ((2.0 * jf + 1.0 - z) * p2 - jf * p3) / (jf + 1.0);
            }
            x[i] = z;
            w[i] = -1.0 / (pp * nf * p1);
        }
        (x, w)
    })
}

/// ∂/∂a ln Q(a, x) for the upper tail, where the series for ∂P/∂a would
/// cancel: ln Q = ln Γ(a, x) - ln Γ(a), and ∂/∂a ln Γ(a, x) is the mean of
/// ln T under the density ∝ t^{a-1} e^{-t} on (x, ∞); with t = x + u both
/// integrals are Gauss–Laguerre sums of (1 + u/x)^{a-1} (times ln(x + u)),
/// whose common factor cancels in the ratio.
pub fn log_gamma_q_d_a(a: f64, x: f64) -> f64 {
    let (nodes, weights) = gauss_laguerre();
    let (mut num, mut den) = (0.0, 0.0);
    for (u, w) in nodes.iter().zip(weights) {
        let f = w * ((a - 1.0) * (u / x).ln_1p()).exp();
        num += f * (x + u).ln();
        den += f;
    }
    num / den - digamma(a)
}

/// Nodes and weights of 20-point Gauss–Legendre quadrature on [-1, 1],
/// computed once by Newton's method on the Legendre polynomial from the
/// usual initial guesses cos(π(i + 3/4)/(n + 1/2)) (Numerical Recipes'
/// `gauleg`).
fn gauss_legendre() -> &'static ([f64; 20], [f64; 20]) {
    static RULE: std::sync::OnceLock<([f64; 20], [f64; 20])> = std::sync::OnceLock::new();
    RULE.get_or_init(|| {
        const N: usize = 20;
        let nf = N as f64;
        let (mut x, mut w) = ([0.0; N], [0.0; N]);
        for i in 0..N / 2 {
            let mut z = (std::f64::consts::PI * (i as f64 + 0.75) / (nf + 0.5)).cos();
            let mut pp = 1.0;
            for _ in 0..100 {
                let (mut p1, mut p2) = (1.0, 0.0);
                for j in 0..N {
                    let p3 = p2;
                    p2 = p1;
                    let jf = j as f64;
                    p1 = ((2.0 * jf + 1.0) * z * p2 - jf * p3) / (jf + 1.0);
                }
                pp = nf * (z * p1 - p2) / (z * z - 1.0);
                let step = p1 / pp;
                z -= step;
                if step.abs() <= 1e-16 {
                    break;
                }
            }
            x[i] = -z;
            x[N - 1 - i] = z;
            w[i] = 2.0 / ((1.0 - z * z) * pp * pp);
            w[N - 1 - i] = w[i];
        }
        (x, w)
    })
}

/// (1/2π) ∫₀^a e^{-h²(1+x²)/2} / (1+x²) dx for 0 <= a <= 1, h >= 0: panels
/// of width at most 1/(2 max(h, 1)) (the integrand's scale in x is 1/h),
/// each with 20-point Gauss–Legendre, up to x = 12/h beyond which the
/// integrand is below e^{-72} of its peak.
fn owens_t_integral(h: f64, a: f64) -> f64 {
    let upper = if h > 0.0 { a.min(12.0 / h) } else { a };
    if upper <= 0.0 {
        return 0.0;
    }
    let width = 0.5 / h.max(1.0);
    let panels = (upper / width).ceil().max(1.0) as usize;
    let step = upper / panels as f64;
    let (nodes, weights) = gauss_legendre();
    let mut sum = 0.0;
    for p in 0..panels {
        let mid = (p as f64 + 0.5) * step;
        for (u, w) in nodes.iter().zip(weights) {
            let x = mid + 0.5 * step * u;
            let q = 1.0 + x * x;
            sum += w * (-0.5 * h * h * q).exp() / q;
        }
    }
    sum * 0.5 * step / (2.0 * std::f64::consts::PI)
}

/// Owen's T function T(h, a) = (1/2π) ∫₀^a e^{-h²(1+x²)/2} / (1+x²) dx:
/// odd in a, even in h. For a > 1, Owen's (1956) identity
/// T(h, a) = ½[Φ(h) Q(ah) + Φ(ah) Q(h)] - T(ah, 1/a) (h >= 0, Q = 1 - Φ),
/// written without the difference 1 - Φ so that the tails keep their digits.
pub fn owens_t(h: f64, a: f64) -> f64 {
    if h.is_nan() || a.is_nan() {
        return f64::NAN;
    }
    if a < 0.0 {
        return -owens_t(h, -a);
    }
    let h = h.abs();
    if a <= 1.0 {
        return owens_t_integral(h, a);
    }
    if a.is_infinite() {
        return 0.5 * phi(-h);
    }
    let ah = a * h;
    0.5 * (phi(h) * phi(-ah) + phi(ah) * phi(-h)) - owens_t_integral(ah, 1.0 / a)
}

/// The partials (∂h, ∂a) of [`owens_t`]: -φ(h) erf(ah/√2) / 2 and
/// e^{-h²(1+a²)/2} / (2π(1+a²)).
pub fn owens_t_grad(h: f64, a: f64) -> [f64; 2] {
    let q = 1.0 + a * a;
    [
        -0.5 * (-0.5 * h * h).exp() / (2.0 * std::f64::consts::PI).sqrt() * erf(a * h * std::f64::consts::FRAC_1_SQRT_2),
        (-0.5 * h * h * q).exp() / (2.0 * std::f64::consts::PI * q),
    ]
}
