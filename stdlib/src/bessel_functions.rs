//! Stan's Bessel functions with their derivatives in the real argument:
//! `bessel_first_kind` J_n(x) and `bessel_second_kind` Y_n(x) (libm's
//! `jn`/`yn`), `modified_bessel_first_kind` I_n(z),
//! `modified_bessel_second_kind` K_n(z) and `log_modified_bessel_first_kind`
//! ln I_v(z) (also in the real order v).
//!
//! ln I_v(z) sums the power series Σ_k (z²/4)^k / (k! Γ(k+v+1)) (positive
//! terms: no cancellation), rescaled as it grows so that no partial sum
//! overflows, up to z = [`HANKEL_FROM`]; beyond it, and when z > v², Hankel's
//! expansion. K_n(z) is the trapezoid rule on K_n(z) = ∫₀^∞ e^{-z cosh t}
//! cosh(nt) dt, whose integrand is analytic and falls off doubly
//! exponentially: the rule's error falls like e^{-π²/h}, so a step h no
//! wider than the integrand's peak gives full precision with a few dozen
//! terms.
//!
//! The order of the int-order functions arrives as an f64 (the functions
//! are binary math functions of the JIT); it is rounded to the nearest int,
//! and their partial in it is 0 (an int is never a parameter).

use crate::special::{digamma, lgamma};

/// Where ln I_v(z) hands over from the series to Hankel's expansion (which
/// also needs z > v²: its terms shrink until k ≈ 2z, far past full precision).
const HANKEL_FROM: f64 = 500.0;

/// A partial sum this large is scaled down (and its scale kept as a log).
const RESCALE_ABOVE: f64 = 1e250;

/// The order as an int (Stan's int orders reach the library as f64).
fn order(n: f64) -> i32 {
    n.round().clamp(i32::MIN as f64, i32::MAX as f64) as i32
}

/// J_n(x).
pub fn bessel_first_kind(n: f64, x: f64) -> f64 {
    libm::jn(order(n), x)
}

/// Partials of J_n(x): 0 in n, (J_{n-1}(x) - J_{n+1}(x))/2 in x.
pub fn bessel_first_kind_partials(n: f64, x: f64) -> [f64; 2] {
    let n = order(n);
    [0.0, 0.5 * (libm::jn(n - 1, x) - libm::jn(n + 1, x))]
}

/// Y_n(x) for x > 0 (NaN for x <= 0, where Stan rejects).
pub fn bessel_second_kind(n: f64, x: f64) -> f64 {
    if !(x > 0.0) {
        return f64::NAN;
    }
    libm::yn(order(n), x)
}

/// Partials of Y_n(x): 0 in n, (Y_{n-1}(x) - Y_{n+1}(x))/2 in x.
pub fn bessel_second_kind_partials(n: f64, x: f64) -> [f64; 2] {
    if !(x > 0.0) {
        return [0.0, f64::NAN];
    }
    let n = order(n);
    [0.0, 0.5 * (libm::yn(n - 1, x) - libm::yn(n + 1, x))]
}

/// ln I_v(z) and its partials in v and z, for v >= 0, z > 0.
fn log_i_with_partials(v: f64, z: f64) -> (f64, f64, f64) {
    if z > HANKEL_FROM && z > v * v {
        hankel_log_i(v, z)
    } else {
        series_log_i(v, z)
    }
}

/// The power series of I_v(z) (v ln(z/2) - ln Γ(v+1) factored out), with
/// the sums that give its derivatives: Σ t_k ψ(k+v+1) for v and Σ k t_k
/// for z.
fn series_log_i(v: f64, z: f64) -> (f64, f64, f64) {
    let q = 0.25 * z * z;
    let (mut t, mut sum, mut psi_sum, mut k_sum) = (1.0, 1.0, 0.0, 0.0);
    let mut log_scale = 0.0;
    let psi0 = digamma(v + 1.0);
    let mut psi = psi0;
    psi_sum += psi * t;
    for k in 1..1_000_000 {
        let kf = k as f64;
        t *= q / (kf * (kf + v));
        psi += 1.0 / (kf + v);
        sum += t;
        psi_sum += psi * t;
        k_sum += kf * t;
        if sum > RESCALE_ABOVE {
            t /= RESCALE_ABOVE;
            sum /= RESCALE_ABOVE;
            psi_sum /= RESCALE_ABOVE;
            k_sum /= RESCALE_ABOVE;
            log_scale += RESCALE_ABOVE.ln();
        }
        // Past the largest term (k(k+v) > q) the rest is below t/(1-ratio).
        if kf * (kf + v) > q && t < 1e-17 * sum {
            break;
        }
    }
    let log_i = v * (0.5 * z).ln() - lgamma(v + 1.0) + sum.ln() + log_scale;
    let d_v = (0.5 * z).ln() - psi_sum / sum;
    let d_z = (v + 2.0 * k_sum / sum) / z;
    (log_i, d_v, d_z)
}

/// Hankel's expansion I_v(z) ≈ e^z/√(2πz) Σ_k (-1)^k a_k(v)/z^k, with its
/// derivatives in μ = 4v² and in z carried term by term.
fn hankel_log_i(v: f64, z: f64) -> (f64, f64, f64) {
    let mu = 4.0 * v * v;
    let (mut t, mut dt_mu) = (1.0, 0.0);
    let (mut sum, mut d_mu, mut d_z) = (1.0, 0.0, 0.0);
    for k in 1..200 {
        let kf = k as f64;
        let odd = 2.0 * kf - 1.0;
        let ratio = -(mu - odd * odd) / (8.0 * kf * z);
        let next = t * ratio;
        if next.abs() > t.abs() && t != 0.0 {
            break; // the asymptotic series starts to diverge
        }
        dt_mu = dt_mu * ratio - t / (8.0 * kf * z);
        t = next;
        sum += t;
        d_mu += dt_mu;
        d_z += -kf * t / z;
        // Both series must have converged: for a half-integer order the
        // value's terms vanish from some k on, the μ-derivative's do not.
        if t.abs() < 1e-17 * sum.abs() && dt_mu.abs() <= 1e-17 * d_mu.abs() {
            break;
        }
    }
    let log_i = z - 0.5 * (2.0 * std::f64::consts::PI * z).ln() + sum.ln();
    (log_i, d_mu * 8.0 * v / sum, 1.0 - 0.5 / z + d_z / sum)
}

/// ln I_v(z) for v >= 0 and z >= 0 (NaN outside, where Stan rejects).
pub fn log_modified_bessel_first_kind(v: f64, z: f64) -> f64 {
    if !(v >= 0.0 && z >= 0.0) || v.is_infinite() {
        return f64::NAN;
    }
    if z == 0.0 {
        return if v == 0.0 { 0.0 } else { f64::NEG_INFINITY };
    }
    if z.is_infinite() {
        return f64::INFINITY;
    }
    log_i_with_partials(v, z).0
}

/// Partials of ln I_v(z) in v and z.
pub fn log_modified_bessel_first_kind_partials(v: f64, z: f64) -> [f64; 2] {
    if !(v >= 0.0 && z > 0.0) || v.is_infinite() || z.is_infinite() {
        return [f64::NAN, f64::NAN];
    }
    let (_, d_v, d_z) = log_i_with_partials(v, z);
    [d_v, d_z]
}

/// I_n(z) for an int order n and any real z (I_{-n} = I_n,
/// I_n(-z) = (-1)^n I_n(z)).
pub fn modified_bessel_first_kind(n: f64, z: f64) -> f64 {
    let n = order(n).unsigned_abs();
    if z.is_nan() {
        return f64::NAN;
    }
    if z == 0.0 {
        return if n == 0 { 1.0 } else { 0.0 };
    }
    let value = log_modified_bessel_first_kind(n as f64, z.abs()).exp();
    if z < 0.0 && n % 2 == 1 {
        -value
    } else {
        value
    }
}

/// Partials of I_n(z): 0 in n, (I_{n-1}(z) + I_{n+1}(z))/2 in z.
pub fn modified_bessel_first_kind_partials(n: f64, z: f64) -> [f64; 2] {
    let n = order(n) as f64;
    [0.0, 0.5 * (modified_bessel_first_kind(n - 1.0, z) + modified_bessel_first_kind(n + 1.0, z))]
}

/// K_n(z) for z > 0 by the trapezoid rule on ∫₀^∞ e^{-z cosh t} cosh(nt) dt,
/// each term taken relative to the largest (so neither e^{-z} nor a large
/// cosh(nt) under- or overflows before the end).
fn k_by_trapezoid(n: u32, z: f64) -> f64 {
    let nf = n as f64;
    // The integrand peaks at sinh t = n/z, where its curvature is
    // √(z² + n²): the step resolves the peak's width.
    let h = (0.5 / (z * z + nf * nf).sqrt().sqrt()).min(0.25);
    let peak_t = (nf / z).asinh();
    let log_f = |t: f64| -z * (t.cosh() - 1.0) + nf * t + (0.5 * (1.0 + (-2.0 * nf * t).exp())).ln();
    let top = log_f(peak_t);
    let mut sum = 0.5 * (log_f(0.0) - top).exp();
    for k in 1..100_000 {
        let t = k as f64 * h;
        let term = (log_f(t) - top).exp();
        sum += term;
        if t > peak_t && term < 1e-18 * sum {
            break;
        }
    }
    h * sum * (top - z).exp()
}

/// K_n(z) for an int order n and z > 0 (K_{-n} = K_n; NaN for z <= 0).
pub fn modified_bessel_second_kind(n: f64, z: f64) -> f64 {
    if !(z > 0.0) {
        return f64::NAN;
    }
    if z.is_infinite() {
        return 0.0;
    }
    k_by_trapezoid(order(n).unsigned_abs(), z)
}

/// Partials of K_n(z): 0 in n, -(K_{n-1}(z) + K_{n+1}(z))/2 in z.
pub fn modified_bessel_second_kind_partials(n: f64, z: f64) -> [f64; 2] {
    let n = order(n) as f64;
    [0.0, -0.5 * (modified_bessel_second_kind(n - 1.0, z) + modified_bessel_second_kind(n + 1.0, z))]
}
