//! Standard normal variates by the ziggurat method (Marsaglia and Tsang,
//! 2000, "The Ziggurat Method for Generating Random Variables", with 256
//! layers), written here so that a seed's draws do not depend on the
//! version of `rand_distr`.
//!
//! The area under `f(x) = exp(-x^2 / 2)` on `x >= 0` is cut into 256
//! layers of equal area `V`: layer 0 is the rectangle `[0, R] x [0, f(R)]`
//! plus the tail beyond `R`, and layer `i >= 1` the rectangle
//! `[0, x_i] x [f(x_i), f(x_{i+1})]`, with `x_1 = R > x_2 > ... > x_256 = 0`
//! (`x_0 = V / f(R)`, the width a rectangle of area `V` and height `f(R)`
//! would have). A draw picks a layer and a point `x` uniformly in
//! `(-x_i, x_i)`: when `|x| < x_{i+1}` (about 99% of draws) the point lies
//! under the curve and `x` is returned at once, which costs one 64-bit
//! random number and no transcendental function (the polar method needs
//! two random numbers and a logarithm per pair and rejects a fifth).
//! Otherwise a wedge test, or in layer 0 Marsaglia's tail method, decides.

use std::sync::OnceLock;

use super::ChainRng;

/// Number of layers.
const LAYERS: usize = 256;
/// Right edge of the base rectangle (Marsaglia and Tsang's value for 256 layers).
const R: f64 = 3.654_152_885_361_009;
/// Area of every layer (same source).
const V: f64 = 4.928_673_233_99e-3;

/// Layer edges `x_0..=x_256` and the curve's heights `f(x_i)` at them.
pub(super) struct Tables {
    x: [f64; LAYERS + 1],
    f: [f64; LAYERS + 1],
}

fn density(x: f64) -> f64 {
    (-0.5 * x * x).exp()
}

impl Tables {
    fn new() -> Self {
        let mut x = [0.0; LAYERS + 1];
        x[0] = V / density(R);
        x[1] = R;
        for i in 1..LAYERS - 1 {
            // The next edge: the height where layer `i` (width x_i) has area V.
            x[i + 1] = (-2.0 * (V / x[i] + density(x[i])).ln()).sqrt();
        }
        // The top layer ends at the mode (the recursion gives ~0 up to
        // rounding, possibly the square root of a tiny negative number).
        x[LAYERS] = 0.0;
        let mut f = [0.0; LAYERS + 1];
        for (fi, xi) in f.iter_mut().zip(&x) {
            *fi = density(*xi);
        }
        Tables { x, f }
    }
}

/// The tables, computed on first use.
#[inline]
pub(super) fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(Tables::new)
}

/// A standard normal variate drawn from `rng`.
#[inline]
pub(super) fn std_normal(rng: &mut ChainRng) -> f64 {
    let t = tables();
    let b = rng.next_bits();
    fast(t, b).unwrap_or_else(|| slow(t, b, rng))
}

/// Fills `out` with standard normal variates drawn from `rng`, in order
/// (the same numbers as calling [`std_normal`] for each element).
#[inline]
pub(super) fn fill(rng: &mut ChainRng, out: &mut [f64]) {
    let t = tables();
    for o in out {
        let b = rng.next_bits();
        *o = match fast(t, b) {
            Some(x) => x,
            None => slow(t, b, rng),
        };
    }
}

/// The draw that the 64 random bits `b` give when it falls inside its
/// layer's inner rectangle (about 99% of the time): the low 8 bits pick
/// the layer, the high 53 a point in `(-1, 1)`.
#[inline(always)]
fn fast(t: &Tables, b: u64) -> Option<f64> {
    let i = (b & 0xff) as usize;
    let x = ((b >> 11) as f64 * (2.0 / (1u64 << 53) as f64) - 1.0) * t.x[i];
    if x.abs() < t.x[i + 1] {
        Some(x)
    } else {
        None
    }
}

/// The rest of a draw whose first bits `b` fell outside the inner
/// rectangle: the wedge test of its layer (or the tail from layer 0),
/// then fresh tries until one is accepted.
#[cold]
#[inline(never)]
fn slow(t: &Tables, mut b: u64, rng: &mut ChainRng) -> f64 {
    loop {
        let i = (b & 0xff) as usize;
        let u = (b >> 11) as f64 * (2.0 / (1u64 << 53) as f64) - 1.0;
        let x = u * t.x[i];
        if x.abs() < t.x[i + 1] {
            return x;
        }
        if i == 0 {
            return tail(u, rng);
        }
        // The wedge between the inner rectangle and the layer's edge: a
        // uniform height within the layer, accepted under the curve.
        let y = t.f[i] + rng.uniform() * (t.f[i + 1] - t.f[i]);
        if y < density(x) {
            return x;
        }
        b = rng.next_bits();
    }
}

/// A draw from the normal tail beyond `R`, with the sign of `u`
/// (Marsaglia's method: exponential proposals, accepted with probability
/// `exp(-x^2 / 2)` relative to their envelope).
#[cold]
fn tail(u: f64, rng: &mut ChainRng) -> f64 {
    loop {
        // 1 - uniform is in (0, 1], so both logarithms are finite.
        let x = -(1.0 - rng.uniform()).ln() / R;
        let y = -(1.0 - rng.uniform()).ln();
        if y + y >= x * x {
            return if u < 0.0 { -(R + x) } else { R + x };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Standard normal CDF by Simpson's rule on the density from -10
    /// (an independent oracle, accurate to ~1e-10 here).
    fn normal_cdf(z: f64) -> f64 {
        let (a, n) = (-10.0, 2_000);
        let h = (z - a) / n as f64;
        let mut s = density(a) + density(z);
        for k in 1..n {
            s += density(a + k as f64 * h) * if k % 2 == 1 { 4.0 } else { 2.0 };
        }
        s * h / 3.0 / (2.0 * std::f64::consts::PI).sqrt()
    }

    #[test]
    fn layers_have_equal_areas_and_end_at_the_mode() {
        let t = tables();
        // Layer 0: base rectangle plus tail = V; the tail's area is
        // sqrt(pi/2) erfc(R / sqrt 2), here by the CDF.
        let tail_area = (1.0 - normal_cdf(R)) * (2.0 * std::f64::consts::PI).sqrt();
        let base = R * density(R) + tail_area;
        assert!((base / V - 1.0).abs() < 1e-7, "base layer area {base} vs {V}");
        for i in 1..LAYERS {
            let area = t.x[i] * (t.f[i + 1] - t.f[i]);
            assert!((area / V - 1.0).abs() < 1e-6, "layer {i}: area {area} vs {V}");
            assert!(t.x[i + 1] < t.x[i], "edges decrease at {i}");
        }
        assert_eq!(t.f[LAYERS], 1.0);
    }

    #[test]
    fn fill_gives_the_numbers_of_single_draws() {
        let (mut a, mut b) = (ChainRng::new(3, 0, 0), ChainRng::new(3, 0, 0));
        let mut filled = vec![0.0; 5000];
        fill(&mut a, &mut filled);
        let single: Vec<f64> = (0..5000).map(|_| b.std_normal()).collect();
        assert_eq!(filled, single);
        assert_eq!(a, b);
    }

    #[test]
    fn draws_follow_the_normal_distribution() {
        let mut rng = ChainRng::new(7, 0, 0);
        let n = 2_000_000;
        // Counts below each point of a grid on [-5, 5] (1000 cells).
        let (lo, cells) = (-5.0, 1000);
        let width = 10.0 / cells as f64;
        let mut count = vec![0u64; cells + 2];
        for _ in 0..n {
            let z = rng.std_normal();
            let k = ((z - lo) / width).floor();
            count[(k.clamp(-1.0, cells as f64) + 1.0) as usize] += 1;
        }
        // Kolmogorov-Smirnov distance on the grid against the exact CDF:
        // 1.63 / sqrt(n) is the 1% critical value (smaller on a grid).
        let (mut below, mut d) = (count[0], 0.0f64);
        for j in 0..=cells {
            let edge = lo + j as f64 * width;
            d = d.max((below as f64 / n as f64 - normal_cdf(edge)).abs());
            below += count[j + 1];
        }
        assert!(d < 1.63 / (n as f64).sqrt(), "KS distance {d}");
        // The tails beyond 2 (wedges), R (layer 0) and 4 (the tail method)
        // are as frequent as they should be, within 4 standard errors.
        let mut rng = ChainRng::new(8, 0, 0);
        let z: Vec<f64> = (0..n).map(|_| rng.std_normal()).collect();
        for cut in [2.0, R, 4.0] {
            let p = 2.0 * (1.0 - normal_cdf(cut));
            let got = z.iter().filter(|x| x.abs() > cut).count() as f64;
            let sd = (n as f64 * p * (1.0 - p)).sqrt();
            assert!((got - n as f64 * p).abs() < 4.0 * sd, "|z| > {cut}: {got} vs {}", n as f64 * p);
        }
    }
}
