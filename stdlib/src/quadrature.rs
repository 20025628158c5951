//! Double-exponential quadrature of `int_a^b f(x) dx` for Stan's
//! `integrate_1d`, with several integrands at once (the value and its
//! derivatives in the parameters share the nodes).
//!
//! The interval is mapped to the whole line by a change of variable whose
//! integrand decays double exponentially, then summed by the trapezoid rule
//! with halving steps until two successive sums agree to the relative
//! tolerance:
//! - `[a, b]` finite: tanh-sinh, `x = c + h tanh(pi/2 sinh t)`;
//! - `[a, inf)` and `(-inf, b]`: exp-sinh, `x = a + exp(pi/2 sinh t)`;
//! - `(-inf, inf)`: sinh-sinh, `x = sinh(pi/2 sinh t)`.
//!
//! On a finite interval the integrand also gets `xc`, Stan's complement:
//! `a - x` where `x` is nearer `a`, `b - x` where it is nearer `b`,
//! computed from the node without the rounding of the subtraction (so an
//! integrand singular at an end stays accurate); on an infinite one `xc`
//! is NaN, as in Stan. Errors are values ([`QuadError`]).

use std::f64::consts::FRAC_PI_2;
use std::fmt;

/// Why an integral failed; the message says what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub enum QuadError {
    /// `a > b`, or a bound is NaN.
    Bounds { a: f64, b: f64 },
    /// The relative tolerance is not positive and finite.
    Tolerance(f64),
    /// The integrand gave NaN or infinity inside the interval.
    NotFinite { x: f64 },
    /// The finest step did not bring two successive sums within the
    /// tolerance.
    NotConverged { error: f64, norm: f64, tol: f64 },
    /// The integrand does not decay toward the ends of the interval (in
    /// the mapped variable): the integral diverges, or its singularity is
    /// too strong for the nodes.
    NotDecaying,
}

impl fmt::Display for QuadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuadError::Bounds { a, b } => write!(f, "the lower limit {a} must be less than or equal to the upper limit {b}"),
            QuadError::Tolerance(t) => write!(f, "the relative tolerance is {t}; it must be positive and finite"),
            QuadError::NotFinite { x } => write!(f, "the integrand is NaN or infinite at x = {x}"),
            QuadError::NotConverged { error, norm, tol } => write!(
                f,
                "the error estimate of the integral, {error:e}, exceeds the relative tolerance {tol:e} times the norm of the integral, {norm:e}"
            ),
            QuadError::NotDecaying => {
                write!(f, "the integrand does not decay toward the ends of the interval: the integral may diverge")
            }
        }
    }
}

/// The step of the first sum; each level halves it.
const FIRST_STEP: f64 = 0.5;
/// Levels below which no sum is accepted (step 1/16), and the last.
const MIN_LEVEL: u32 = 3;
const MAX_LEVEL: u32 = 9;
/// The sums run over `|t| <= T_MAX`: beyond it the weights of every map
/// underflow or the nodes leave the range of `f64`.
const T_MAX: f64 = 6.5;

/// A node of the map: the abscissa, its complement, the weight `dx/dt`,
/// and whether it lies at the very end of the interval (where a
/// non-finite integrand is the end's singularity, not an error).
struct Node {
    x: f64,
    xc: f64,
    w: f64,
    at_end: bool,
}

/// The node of the map of `[a, b]` at `t`.
fn node(a: f64, b: f64, t: f64) -> Option<Node> {
    let u = FRAC_PI_2 * t.sinh();
    let dudt = FRAC_PI_2 * t.cosh();
    let node = match (a.is_finite(), b.is_finite()) {
        (true, true) => {
            let half = 0.5 * (b - a);
            // 1 - |tanh u| = 2 / (1 + e^{2|u|}), without cancellation.
            let e = (-2.0 * u.abs()).exp();
            let d = (b - a) * e / (1.0 + e);
            let sech2 = 4.0 * e / ((1.0 + e) * (1.0 + e));
            let (x, xc) = if u <= 0.0 { (a + d, -d) } else { (b - d, d) };
            Node { x, xc, w: half * dudt * sech2, at_end: x <= a || x >= b || t.abs() > 3.0 }
        }
        (true, false) => {
            let s = u.exp();
            Node { x: a + s, xc: f64::NAN, w: dudt * s, at_end: s == 0.0 || t.abs() > 3.0 }
        }
        (false, true) => {
            let s = u.exp();
            Node { x: b - s, xc: f64::NAN, w: dudt * s, at_end: s == 0.0 || t.abs() > 3.0 }
        }
        (false, false) => Node { x: u.sinh(), xc: f64::NAN, w: dudt * u.cosh(), at_end: t.abs() > 3.0 },
    };
    (node.w.is_finite() && node.w > 0.0 && node.x.is_finite()).then_some(node)
}

/// `int_a^b f(x) dx` for the `m` integrands `f(x, xc, out)` writes into
/// `out`, each to the relative tolerance `rel_tol` (of its own magnitude,
/// or of the integral of its absolute value where it cancels to about 0).
pub fn integrate<F: FnMut(f64, f64, &mut [f64])>(mut f: F, a: f64, b: f64, m: usize, rel_tol: f64) -> Result<Vec<f64>, QuadError> {
    if a.is_nan() || b.is_nan() || a > b {
        return Err(QuadError::Bounds { a, b });
    }
    if !(rel_tol > 0.0 && rel_tol.is_finite()) {
        return Err(QuadError::Tolerance(rel_tol));
    }
    if a == b {
        return Ok(vec![0.0; m]);
    }
    let mut sum = vec![0.0; m];
    let mut abs_sum = vec![0.0; m];
    let mut vals = vec![0.0; m];
    // The largest terms in the outer band of `t`, where a convergent
    // integral's terms are negligible.
    let mut edge = vec![0.0f64; m];
    let mut add = |t: f64, sum: &mut [f64], abs_sum: &mut [f64]| -> Result<(), QuadError> {
        let Some(nd) = node(a, b, t) else { return Ok(()) };
        vals.fill(0.0);
        f(nd.x, nd.xc, &mut vals);
        if vals.iter().any(|v| !v.is_finite()) {
            if nd.at_end {
                // A singularity the nodes reach only by rounding.
                return Ok(());
            }
            return Err(QuadError::NotFinite { x: nd.x });
        }
        for c in 0..m {
            sum[c] += nd.w * vals[c];
            abs_sum[c] += (nd.w * vals[c]).abs();
            if t.abs() >= T_MAX - 1.0 {
                edge[c] = edge[c].max((nd.w * vals[c]).abs());
            }
        }
        Ok(())
    };
    let mut h = FIRST_STEP;
    let k_max = (T_MAX / h).floor() as i64;
    for k in -k_max..=k_max {
        add(k as f64 * h, &mut sum, &mut abs_sum)?;
    }
    let mut previous: Vec<f64> = sum.iter().map(|s| s * h).collect();
    // A component's scale: its integral, or a part of the integral of its
    // absolute value where it cancels to about 0 (a derivative odd about
    // the middle of the interval); and the rounding of its sum.
    let scale = |c: usize, current: &[f64], abs_sum: &[f64], h: f64| current[c].abs().max(1e-3 * abs_sum[c] * h);
    let rounding = |c: usize, abs_sum: &[f64], h: f64| 64.0 * f64::EPSILON * abs_sum[c] * h;
    let mut worst: (f64, f64) = (f64::INFINITY, 0.0);
    let mut last = previous.clone();
    for level in 1..=MAX_LEVEL {
        h *= 0.5;
        // The new nodes: odd multiples of the new step.
        let k_max = (T_MAX / h).floor() as i64;
        let mut k = -k_max | 1;
        while k <= k_max {
            add(k as f64 * h, &mut sum, &mut abs_sum)?;
            k += 2;
        }
        let current: Vec<f64> = sum.iter().map(|s| s * h).collect();
        let mut converged = true;
        worst = (0.0, 0.0);
        for c in 0..m {
            let norm = scale(c, &current, &abs_sum, h);
            let error = (current[c] - previous[c]).abs();
            if error > rel_tol * norm && error > rounding(c, &abs_sum, h) {
                converged = false;
                if worst.1 == 0.0 || error / norm.max(f64::MIN_POSITIVE) > worst.0 / worst.1.max(f64::MIN_POSITIVE) {
                    worst = (error, norm);
                }
            }
        }
        last = current.clone();
        if converged && level >= MIN_LEVEL {
            break;
        }
        previous = current;
    }
    drop(add);
    // Terms still large at the ends of the range: the truncated sum is not
    // the integral.
    for c in 0..m {
        if edge[c] > rel_tol * scale(c, &last, &abs_sum, h) && edge[c] > rounding(c, &abs_sum, h) {
            return Err(QuadError::NotDecaying);
        }
    }
    if worst.0 > 0.0 {
        return Err(QuadError::NotConverged { error: worst.0, norm: worst.1, tol: rel_tol });
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(f: impl Fn(f64, f64) -> f64, a: f64, b: f64, tol: f64) -> f64 {
        integrate(|x, xc, out: &mut [f64]| out[0] = f(x, xc), a, b, 1, tol).expect("integrates")[0]
    }

    /// Closed forms on each kind of interval.
    #[test]
    fn closed_forms_on_every_kind_of_interval() {
        let theta: f64 = 0.7;
        // int_0^1 exp(theta x) = (e^theta - 1) / theta.
        let got = one(|x, _| (theta * x).exp(), 0.0, 1.0, 1e-10);
        assert!((got - (theta.exp() - 1.0) / theta).abs() < 1e-14, "{got}");
        // int_2^inf exp(-x) = e^-2.
        let got = one(|x, _| (-x).exp(), 2.0, f64::INFINITY, 1e-10);
        assert!((got - (-2.0f64).exp()).abs() < 1e-14, "{got}");
        // int_-inf^0 1 / (1 + x^2) = pi / 2.
        let got = one(|x, _| 1.0 / (1.0 + x * x), f64::NEG_INFINITY, 0.0, 1e-10);
        assert!((got - FRAC_PI_2).abs() < 1e-13, "{got}");
        // int exp(-x^2 / 2) over the line = sqrt(2 pi).
        let got = one(|x, _| (-0.5 * x * x).exp(), f64::NEG_INFINITY, f64::INFINITY, 1e-10);
        assert!((got - (2.0 * std::f64::consts::PI).sqrt()).abs() < 1e-13, "{got}");
        assert_eq!(one(|x, _| x, 1.0, 1.0, 1e-8), 0.0);
    }

    /// An integrand singular at both ends, written with `xc` near the
    /// upper end: the beta function B(1/2, 1/2) = pi.
    #[test]
    fn end_singularities_through_the_complement() {
        let f = |x: f64, xc: f64| {
            let one_minus_x = if x > 0.5 { xc } else { 1.0 - x };
            x.powf(-0.5) * one_minus_x.powf(-0.5)
        };
        let got = one(f, 0.0, 1.0, 1e-10);
        assert!((got - std::f64::consts::PI).abs() < 1e-9, "{got}");
        // xc is a - x near a and b - x near b.
        let mut seen = Vec::new();
        integrate(|x, xc, out: &mut [f64]| { seen.push((x, xc)); out[0] = 1.0 }, 2.0, 3.0, 1, 1e-8).expect("integrates");
        for (x, xc) in seen {
            let want = if x - 2.0 <= 3.0 - x { 2.0 - x } else { 3.0 - x };
            assert!((xc - want).abs() <= 1e-15, "x {x}: xc {xc} vs {want}");
        }
    }

    #[test]
    fn bad_calls_are_errors() {
        let f = |_: f64, _: f64, out: &mut [f64]| out[0] = 1.0;
        assert_eq!(integrate(f, 1.0, 0.0, 1, 1e-8), Err(QuadError::Bounds { a: 1.0, b: 0.0 }));
        assert_eq!(integrate(f, 0.0, 1.0, 1, 0.0), Err(QuadError::Tolerance(0.0)));
        let nan = |x: f64, _: f64, out: &mut [f64]| out[0] = if x > 0.3 { f64::NAN } else { 1.0 };
        assert!(matches!(integrate(nan, 0.0, 1.0, 1, 1e-8), Err(QuadError::NotFinite { .. })));
        // 1 / x on (0, 1] and 1 / (1 + |x|) on the line diverge.
        let diverges = |x: f64, _: f64, out: &mut [f64]| out[0] = 1.0 / x;
        let e = integrate(diverges, 0.0, 1.0, 1, 1e-8);
        assert!(matches!(e, Err(QuadError::NotDecaying | QuadError::NotConverged { .. })), "{e:?}");
        let diverges = |x: f64, _: f64, out: &mut [f64]| out[0] = 1.0 / (1.0 + x.abs());
        let e = integrate(diverges, f64::NEG_INFINITY, f64::INFINITY, 1, 1e-8);
        assert!(matches!(e, Err(QuadError::NotDecaying | QuadError::NotConverged { .. })), "{e:?}");
    }
}
