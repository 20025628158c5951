//! The regularized incomplete beta function I_x(a, b) in logs, both tails,
//! with partials in a, b and x: the value behind Stan's `inc_beta` and the
//! cdfs of the beta, student_t, binomial and negative binomial families.
//!
//! The tail nearer its end is computed directly by the continued fraction
//! of Numerical Recipes' `betacf` (modified Lentz), which converges fast for
//! x < (a+1)/(a+b+2); the other tail by the symmetry
//! I_x(a, b) = 1 - I_{1-x}(b, a). The partials in a and b come from running
//! the same continued fraction on dual numbers (forward mode), those of the
//! prefactor x^a (1-x)^b / (a B(a, b)) in closed form.

use crate::special as sp;

/// A value with its partials in (a, b).
type Dual = crate::dual::Dual<2>;

/// Keeps a Lentz denominator away from zero.
fn guard(mut x: Dual) -> Dual {
    const TINY: f64 = 1e-300;
    if x.v.abs() < TINY {
        x.v = TINY;
    }
    x
}

/// The continued fraction of I_x(a, b) (Numerical Recipes 6.4, `betacf`)
/// as a dual number in (a, b); valid and fast for x < (a+1)/(a+b+2).
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> Dual {
    let da = Dual::arg(a, 0);
    let db = Dual::arg(b, 1);
    let one = Dual::constant(1.0);
    let qab = da.add(db);
    let qap = da.add(one);
    let qam = da.add(Dual::constant(-1.0));
    let mut c = one;
    let mut d = guard(one.add(qab.scale(-x).div(qap))).recip();
    let mut h = d;
    for m in 1..20_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        // Even step: m (b - m) x / ((a - 1 + 2m)(a + 2m)).
        let aa = db.add(Dual::constant(-m)).scale(m * x).div(qam.add(Dual::constant(m2)).mul(da.add(Dual::constant(m2))));
        d = guard(one.add(aa.mul(d))).recip();
        c = guard(one.add(aa.div(c)));
        h = h.mul(d).mul(c);
        // Odd step: -(a + m)(a + b + m) x / ((a + 2m)(a + 1 + 2m)).
        let aa = da
            .add(Dual::constant(m))
            .mul(qab.add(Dual::constant(m)))
            .scale(-x)
            .div(da.add(Dual::constant(m2)).mul(qap.add(Dual::constant(m2))));
        d = guard(one.add(aa.mul(d))).recip();
        c = guard(one.add(aa.div(c)));
        let del = d.mul(c);
        h = h.mul(del);
        let settled = |g: f64, of: f64| g.abs() <= 1e-16 * (1.0 + of.abs());
        if (del.v - 1.0).abs() <= 1e-16 && settled(del.d[0], h.d[0] / h.v) && settled(del.d[1], h.d[1] / h.v) {
            break;
        }
    }
    h
}

/// ln I_x(a, b) for x below the switch point, with partials (∂a, ∂b, ∂x);
/// `xc` is 1 - x (passed separately so that it keeps its digits).
fn log_lower_tail(a: f64, b: f64, x: f64, xc: f64) -> (f64, [f64; 3]) {
    let h = beta_continued_fraction(a, b, x);
    let (lx, lxc) = (x.ln(), xc.ln());
    let lb = sp::lbeta(a, b);
    let v = a * lx + b * lxc - a.ln() - lb + h.v.ln();
    let dx = ((a - 1.0) * lx + (b - 1.0) * lxc - lb - v).exp();
    let da = lx - 1.0 / a - sp::lbeta_d1(a, b) + h.d[0] / h.v;
    let db = lxc - sp::lbeta_d2(a, b) + h.d[1] / h.v;
    (v, [da, db, dx])
}

/// ln I_x(a, b) and ln(1 - I_x(a, b)), each with its partials (∂a, ∂b, ∂x).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogIncBeta {
    /// ln I_x(a, b) and its partials.
    pub lower: (f64, [f64; 3]),
    /// ln(1 - I_x(a, b)) and its partials.
    pub upper: (f64, [f64; 3]),
}

/// Both tails of I_x(a, b) in logs, for a, b > 0 and x in [0, 1] with
/// xc = 1 - x (given by the caller when it has it more accurately than
/// 1 - x). `None` for invalid arguments.
pub fn log_inc_beta(a: f64, b: f64, x: f64, xc: f64) -> Option<LogIncBeta> {
    if !(a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite() && (0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&xc)) {
        return None;
    }
    let ninf = f64::NEG_INFINITY;
    if x == 0.0 {
        return Some(LogIncBeta { lower: (ninf, [0.0; 3]), upper: (0.0, [0.0; 3]) });
    }
    if xc == 0.0 {
        return Some(LogIncBeta { lower: (0.0, [0.0; 3]), upper: (ninf, [0.0; 3]) });
    }
    // The tail taken directly, and the other from ln(1 - e^v): ∂ ln(1 - e^v) = -e^v/(1 - e^v) ∂v.
    let complement = |(v, g): (f64, [f64; 3])| -> (f64, [f64; 3]) {
        let w = sp::log1m_exp(v);
        let r = -(v - w).exp();
        (w, [r * g[0], r * g[1], r * g[2]])
    };
    if x < (a + 1.0) / (a + b + 2.0) {
        let lower = log_lower_tail(a, b, x, xc);
        Some(LogIncBeta { lower, upper: complement(lower) })
    } else {
        // 1 - I_x(a, b) = I_{1-x}(b, a): swap the shape partials, negate ∂x.
        let (v, [db, da, dxc]) = log_lower_tail(b, a, xc, x);
        let upper = (v, [da, db, -dxc]);
        Some(LogIncBeta { lower: complement(upper), upper })
    }
}

/// Stan's `inc_beta(a, b, x)`: I_x(a, b); NaN for invalid arguments.
pub fn inc_beta(a: f64, b: f64, x: f64) -> f64 {
    log_inc_beta(a, b, x, 1.0 - x).map_or(f64::NAN, |r| r.lower.0.exp())
}

/// Stan's `inv_inc_beta(a, b, p)`: the x in [0, 1] with I_x(a, b) = p
/// (NaN for a or b not positive and finite, or p outside [0, 1]). Newton's
/// method on I_x - p, kept inside a bracket that bisection shrinks when a
/// step would leave it.
pub fn inv_inc_beta(a: f64, b: f64, p: f64) -> f64 {
    if !(a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite() && (0.0..=1.0).contains(&p)) {
        return f64::NAN;
    }
    if p == 0.0 || p == 1.0 {
        return p;
    }
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    // Start at the mean.
    let mut x = a / (a + b);
    for _ in 0..400 {
        let [_, _, dx] = inc_beta_grad(a, b, x);
        let f = inc_beta(a, b, x) - p;
        if f == 0.0 {
            return x;
        }
        if f > 0.0 {
            hi = x;
        } else {
            lo = x;
        }
        let newton = x - f / dx;
        let next = if newton > lo && newton < hi && newton.is_finite() { newton } else { 0.5 * (lo + hi) };
        if (next - x).abs() <= 4.0 * f64::EPSILON * x.abs() || hi - lo <= f64::MIN_POSITIVE {
            return next;
        }
        x = next;
    }
    x
}

/// The partials (∂a, ∂b, ∂p) of [`inv_inc_beta`], by the implicit function
/// theorem on I_x(a, b) = p: ∂x/∂p = 1 / ∂I/∂x, ∂x/∂a = -(∂I/∂a) / (∂I/∂x),
/// and likewise for b.
pub fn inv_inc_beta_grad(a: f64, b: f64, p: f64) -> [f64; 3] {
    let x = inv_inc_beta(a, b, p);
    if x.is_nan() {
        return [f64::NAN; 3];
    }
    let [da, db, dx] = inc_beta_grad(a, b, x);
    [-da / dx, -db / dx, 1.0 / dx]
}

/// The partials (∂a, ∂b, ∂x) of [`inc_beta`] (NaN for invalid arguments).
pub fn inc_beta_grad(a: f64, b: f64, x: f64) -> [f64; 3] {
    match log_inc_beta(a, b, x, 1.0 - x) {
        Some(LogIncBeta { lower: (v, g), .. }) => {
            let i = v.exp();
            [i * g[0], i * g[1], i * g[2]]
        }
        None => [f64::NAN; 3],
    }
}
