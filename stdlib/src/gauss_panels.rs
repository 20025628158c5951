//! Adaptive Gauss–Legendre quadrature of smooth integrands with several
//! components at once (a value and its derivatives share the nodes).
//!
//! Each panel is summed by the 10- and the 20-point rules; where they
//! disagree by more than the tolerance the panel is halved. The 20-point
//! sum is kept, so an accepted panel is far more accurate than the test
//! that accepted it. The nodes of a panel depend smoothly on its ends, so
//! the result is a smooth function of the integrand's parameters except
//! where the panels change, and there it moves by about the error of the
//! 20-point sums: derivatives taken under the integral with the same
//! panels agree with finite differences of the value.

use std::sync::OnceLock;

/// Deepest halving: panels of 2^-24 of the interval are accepted as they are.
const MAX_DEPTH: u32 = 24;

/// Nodes and weights of the `n`-point Gauss–Legendre rule on [-1, 1], by
/// Newton's method on the Legendre polynomial from the starting guesses
/// cos(π(i + 3/4)/(n + 1/2)).
fn rule(n: usize) -> (Vec<f64>, Vec<f64>) {
    let nf = n as f64;
    let (mut x, mut w) = (vec![0.0; n], vec![0.0; n]);
    for i in 0..n.div_ceil(2) {
        let mut z = (std::f64::consts::PI * (i as f64 + 0.75) / (nf + 0.5)).cos();
        let mut dp = 1.0;
        for _ in 0..100 {
            let (mut p1, mut p2) = (1.0, 0.0);
            for j in 0..n {
                let p3 = p2;
                p2 = p1;
                let jf = j as f64;
                p1 = ((2.0 * jf + 1.0) * z * p2 - jf * p3) / (jf + 1.0);
            }
            dp = nf * (z * p1 - p2) / (z * z - 1.0);
            let step = p1 / dp;
            z -= step;
            if step.abs() <= 1e-16 {
                break;
            }
        }
        x[i] = -z;
        x[n - 1 - i] = z;
        w[i] = 2.0 / ((1.0 - z * z) * dp * dp);
        w[n - 1 - i] = w[i];
    }
    (x, w)
}

/// The 10- and 20-point rules, computed once.
fn rules() -> &'static [(Vec<f64>, Vec<f64>); 2] {
    static RULES: OnceLock<[(Vec<f64>, Vec<f64>); 2]> = OnceLock::new();
    RULES.get_or_init(|| [rule(10), rule(20)])
}

/// The 10- and 20-point sums of `f` over `[a, b]`, and the 20-point sum
/// of each component's absolute value.
fn panel<const M: usize>(f: &mut impl FnMut(f64) -> [f64; M], a: f64, b: f64) -> ([f64; M], [f64; M], [f64; M]) {
    let [(x10, w10), (x20, w20)] = rules();
    let (c, h) = (0.5 * (a + b), 0.5 * (b - a));
    let (mut low, mut high, mut abs) = ([0.0; M], [0.0; M], [0.0; M]);
    for (x, w) in x10.iter().zip(w10) {
        let v = f(c + h * x);
        for k in 0..M {
            low[k] += h * w * v[k];
        }
    }
    for (x, w) in x20.iter().zip(w20) {
        let v = f(c + h * x);
        for k in 0..M {
            high[k] += h * w * v[k];
            abs[k] += h * w * v[k].abs();
        }
    }
    (low, high, abs)
}

/// `∫_a^b f`, each of the `M` components to `rel_tol` of the integral of
/// its absolute value over the whole interval (so a derivative that
/// cancels to about 0 does not demand an absurd accuracy), or to
/// `abs_tol`, whichever is larger (so a part that is negligible in a
/// larger sum, of which the caller knows the scale, is not refined for
/// nothing). `a < b`.
pub fn integrate<const M: usize>(mut f: impl FnMut(f64) -> [f64; M], a: f64, b: f64, rel_tol: f64, abs_tol: f64) -> [f64; M] {
    let (low, high, abs) = panel(&mut f, a, b);
    // The whole interval's absolute integrals set the scale.
    let scale = abs.map(|s| (rel_tol * s).max(abs_tol));
    let mut total = [0.0; M];
    refine(&mut f, a, b, b - a, (low, high), &scale, 0, &mut total);
    total
}

/// Adds the panel `[a, b]`'s sum to `total`, halving it while its two
/// rules disagree by more than its share (its width over the whole
/// interval's `width`) of `scale`.
#[allow(clippy::too_many_arguments)]
fn refine<const M: usize>(
    f: &mut impl FnMut(f64) -> [f64; M],
    a: f64,
    b: f64,
    width: f64,
    (low, high): ([f64; M], [f64; M]),
    scale: &[f64; M],
    depth: u32,
    total: &mut [f64; M],
) {
    let share = (b - a) / width;
    let good = (0..M).all(|k| (high[k] - low[k]).abs() <= scale[k] * share);
    if good || depth >= MAX_DEPTH {
        for k in 0..M {
            total[k] += high[k];
        }
        return;
    }
    let mid = 0.5 * (a + b);
    let (l1, h1, _) = panel(f, a, mid);
    let (l2, h2, _) = panel(f, mid, b);
    refine(f, a, mid, width, (l1, h1), scale, depth + 1, total);
    refine(f, mid, b, width, (l2, h2), scale, depth + 1, total);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_integrate_polynomials_of_their_degree_exactly() {
        // ∫_0^2 x^k dx = 2^{k+1}/(k+1): 10 points are exact to degree 19.
        for k in 0..20 {
            let [v] = integrate(|x| [x.powi(k)], 0.0, 2.0, 1e-12, 0.0);
            let want = 2f64.powi(k + 1) / (k + 1) as f64;
            assert!((v - want).abs() <= 1e-13 * want, "x^{k}: {v} vs {want}");
        }
    }

    #[test]
    fn a_narrow_peak_is_found_by_halving() {
        // ∫_0^1 of a Gaussian of width 0.02 centred at 0.3: √(2π) 0.02
        // (the tails beyond the ends are below e^-120).
        let s = 0.02;
        let [v, d] = integrate(|x| { let e = (-(x - 0.3) * (x - 0.3) / (2.0 * s * s)).exp(); [e, (x - 0.3) * e] }, 0.0, 1.0, 1e-10, 0.0);
        let want = (2.0 * std::f64::consts::PI).sqrt() * s;
        assert!((v - want).abs() < 1e-12 * want, "{v} vs {want}");
        // The first moment about the centre vanishes by symmetry.
        assert!(d.abs() < 1e-12 * s * want, "{d}");
    }
}
