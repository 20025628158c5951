//! The modified Bessel functions of the first kind of orders 0 and 1 in the
//! forms the von Mises distribution needs: ln I₀(κ) and the ratio
//! I₁(κ)/I₀(κ) (the derivative of ln I₀), for κ >= 0.
//!
//! Below [`SERIES_LIMIT`] the power series Σ (κ²/4)^k / (k! (k+ν)!) (all
//! terms positive, so no cancellation); above it Hankel's asymptotic
//! expansion I_ν(κ) ≈ e^κ/√(2πκ) Σ (-1)^k a_k(ν)/κ^k, whose terms fall
//! below 1e-17 of the first well before they start to grow.

/// Where the series hands over to the asymptotic expansion.
const SERIES_LIMIT: f64 = 30.0;

/// Σ_k q^k / (k! (k+ν)!) for ν = 0 or 1, q = κ²/4.
fn series(q: f64, nu: u32) -> f64 {
    let mut term = 1.0;
    let mut sum = term;
    for k in 1..500 {
        let k = k as f64;
        term *= q / (k * (k + nu as f64));
        sum += term;
        if term < 1e-17 * sum {
            break;
        }
    }
    sum
}

/// Σ_k (-1)^k a_k(ν)/κ^k of Hankel's expansion (e^κ/√(2πκ) factored out).
fn hankel(kappa: f64, nu: u32) -> f64 {
    let mu = 4.0 * (nu * nu) as f64;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..60 {
        let odd = (2 * k - 1) as f64;
        term *= -(mu - odd * odd) / (k as f64 * 8.0 * kappa);
        sum += term;
        if term.abs() < 1e-17 * sum.abs() {
            break;
        }
    }
    sum
}

/// ln I₀(κ) for κ >= 0 (NaN for κ < 0 or NaN).
pub fn log_bessel_i0(kappa: f64) -> f64 {
    if !(kappa >= 0.0) {
        return f64::NAN;
    }
    if kappa.is_infinite() {
        return f64::INFINITY;
    }
    if kappa < SERIES_LIMIT {
        series(0.25 * kappa * kappa, 0).ln()
    } else {
        kappa - 0.5 * (2.0 * std::f64::consts::PI * kappa).ln() + hankel(kappa, 0).ln()
    }
}

/// I₁(κ)/I₀(κ) = d ln I₀(κ)/dκ, for κ >= 0 (NaN for κ < 0 or NaN).
pub fn bessel_i1_over_i0(kappa: f64) -> f64 {
    if !(kappa >= 0.0) {
        return f64::NAN;
    }
    if kappa.is_infinite() {
        return 1.0;
    }
    if kappa < SERIES_LIMIT {
        let q = 0.25 * kappa * kappa;
        0.5 * kappa * series(q, 1) / series(q, 0)
    } else {
        hankel(kappa, 1) / hankel(kappa, 0)
    }
}
