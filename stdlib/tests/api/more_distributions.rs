//! The distributions added for Stan programs (skew_normal, exp_mod_normal,
//! pareto, pareto_type_2, frechet, loglogistic, chi_square, inv_chi_square,
//! scaled_inv_chi_square) and the gumbel and rayleigh cdfs: values against
//! mpmath, the two tails summing to one, the cdf's derivative being the
//! density, normalisation, and the `_rng`s against the densities' moments.
//! Partials against finite differences are in `derivatives.rs` (every
//! registered symbol has a domain there).
#![allow(clippy::excessive_precision)] // reference values keep their mpmath digits
use crate::common;
use common::*;
use hbmc_stdlib::dist::*;
use hbmc_stdlib::ChainRng;

/// The value of one of the functions under test by name.
fn value(name: &str, a: &[f64]) -> f64 {
    match (name, a) {
        ("skew_normal_lpdf", [y, b, c, d]) => skew_normal_lpdf(*y, *b, *c, *d),
        ("skew_normal_lcdf", [y, b, c, d]) => skew_normal_lcdf(*y, *b, *c, *d),
        ("skew_normal_lccdf", [y, b, c, d]) => skew_normal_lccdf(*y, *b, *c, *d),
        ("exp_mod_normal_lpdf", [y, b, c, d]) => exp_mod_normal_lpdf(*y, *b, *c, *d),
        ("exp_mod_normal_lcdf", [y, b, c, d]) => exp_mod_normal_lcdf(*y, *b, *c, *d),
        ("exp_mod_normal_lccdf", [y, b, c, d]) => exp_mod_normal_lccdf(*y, *b, *c, *d),
        ("pareto_lpdf", [y, b, c]) => pareto_lpdf(*y, *b, *c),
        ("pareto_lcdf", [y, b, c]) => pareto_lcdf(*y, *b, *c),
        ("pareto_lccdf", [y, b, c]) => pareto_lccdf(*y, *b, *c),
        ("pareto_type_2_lpdf", [y, b, c, d]) => pareto_type_2_lpdf(*y, *b, *c, *d),
        ("pareto_type_2_lcdf", [y, b, c, d]) => pareto_type_2_lcdf(*y, *b, *c, *d),
        ("pareto_type_2_lccdf", [y, b, c, d]) => pareto_type_2_lccdf(*y, *b, *c, *d),
        ("frechet_lpdf", [y, b, c]) => frechet_lpdf(*y, *b, *c),
        ("frechet_lcdf", [y, b, c]) => frechet_lcdf(*y, *b, *c),
        ("frechet_lccdf", [y, b, c]) => frechet_lccdf(*y, *b, *c),
        ("loglogistic_lpdf", [y, b, c]) => loglogistic_lpdf(*y, *b, *c),
        ("loglogistic_lcdf", [y, b, c]) => loglogistic_lcdf(*y, *b, *c),
        ("loglogistic_lccdf", [y, b, c]) => loglogistic_lccdf(*y, *b, *c),
        ("chi_square_lpdf", [y, b]) => chi_square_lpdf(*y, *b),
        ("chi_square_lcdf", [y, b]) => chi_square_lcdf(*y, *b),
        ("chi_square_lccdf", [y, b]) => chi_square_lccdf(*y, *b),
        ("inv_chi_square_lpdf", [y, b]) => inv_chi_square_lpdf(*y, *b),
        ("inv_chi_square_lcdf", [y, b]) => inv_chi_square_lcdf(*y, *b),
        ("inv_chi_square_lccdf", [y, b]) => inv_chi_square_lccdf(*y, *b),
        ("scaled_inv_chi_square_lpdf", [y, b, c]) => scaled_inv_chi_square_lpdf(*y, *b, *c),
        ("scaled_inv_chi_square_lcdf", [y, b, c]) => scaled_inv_chi_square_lcdf(*y, *b, *c),
        ("scaled_inv_chi_square_lccdf", [y, b, c]) => scaled_inv_chi_square_lccdf(*y, *b, *c),
        ("gumbel_lpdf", [y, b, c]) => gumbel_lpdf(*y, *b, *c),
        ("gumbel_lcdf", [y, b, c]) => gumbel_lcdf(*y, *b, *c),
        ("gumbel_lccdf", [y, b, c]) => gumbel_lccdf(*y, *b, *c),
        ("rayleigh_lpdf", [y, b]) => rayleigh_lpdf(*y, *b),
        ("rayleigh_lcdf", [y, b]) => rayleigh_lcdf(*y, *b),
        ("rayleigh_lccdf", [y, b]) => rayleigh_lccdf(*y, *b),
        ("skew_double_exponential_lpdf", [y, b, c, d]) => skew_double_exponential_lpdf(*y, *b, *c, *d),
        ("skew_double_exponential_lcdf", [y, b, c, d]) => skew_double_exponential_lcdf(*y, *b, *c, *d),
        ("skew_double_exponential_lccdf", [y, b, c, d]) => skew_double_exponential_lccdf(*y, *b, *c, *d),
        _ => panic!("no function {name} of {} arguments", a.len()),
    }
}

/// Reference values: `python3 stdlib/tests/reference/more_dist_ref.py`
/// (mpmath 1.3.0 at 50 digits: each density from its definition, the cdfs
/// in closed form or by quadrature of the density), the output pasted.
#[test]
fn values_match_mpmath() {
    let cases: &[(&str, &[f64], f64)] = &[
        ("skew_normal_lpdf", &[1.3, -0.4, 2.1, 1.5], -1.4145362911150792949),
        ("skew_normal_lcdf", &[1.3, -0.4, 2.1, 1.5], -0.51428665351101894908),
        ("skew_normal_lccdf", &[1.3, -0.4, 2.1, 1.5], -0.91112154424675479274),
        ("skew_normal_lpdf", &[-2.0, 0.5, 1.2, -3.0], -2.5782517985327974136),
        ("skew_normal_lcdf", &[-2.0, 0.5, 1.2, -3.0], -3.2908861806643712504),
        ("skew_normal_lccdf", &[-2.0, 0.5, 1.2, -3.0], -0.03793122928913577269),
        ("skew_normal_lpdf", &[0.7, 0.0, 1.0, 0.0], -1.1639385332046727107),
        ("skew_normal_lcdf", &[0.7, 0.0, 1.0, 0.0], -0.277023942277131263),
        ("skew_normal_lccdf", &[0.7, 0.0, 1.0, 0.0], -1.4189677615315315793),
        ("skew_normal_lpdf", &[-1.5, 0.2, 0.8, 4.0], -41.457856729548183213),
        ("skew_normal_lccdf", &[-1.5, 0.2, 0.8, 4.0], -2.1359819420865892745e-20),
        ("skew_normal_lcdf", &[-1.5, 0.2, 0.8, 4.0], -45.292775392898013342),
        // Thin tails, where Φ(-z) + 2T(z, α) cancels (was -inf or digits lost).
        ("skew_normal_lccdf", &[3.0, 0.0, 1.0, -2.0], -28.21144295604376498),
        ("skew_normal_lccdf", &[2.5, 0.0, 1.0, -1.0], -10.163296554557380997),
        ("skew_normal_lccdf", &[6.0, 0.0, 1.0, -0.5], -26.887217318225618637),
        ("skew_normal_lccdf", &[10.0, 0.0, 1.0, -3.0], -509.15419733250126866),
        ("skew_normal_lccdf", &[40.0, 0.0, 1.0, -1.0], -1609.21688402750436),
        ("skew_normal_lccdf", &[2.9, 0.4, 0.5, -1.5], -46.613163672206655274),
        ("skew_normal_lccdf", &[2.0, 0.0, 1.0, -0.3], -4.5196426197162708071),
        ("skew_normal_lcdf", &[-3.0, 0.0, 1.0, 2.0], -28.21144295604376498),
        ("skew_normal_lcdf", &[-6.0, 0.0, 1.0, 0.5], -26.887217318225618637),
        ("skew_normal_lcdf", &[-40.0, 0.0, 1.0, 1.0], -1609.21688402750436),
        ("skew_normal_lcdf", &[-1.6, 0.4, 0.5, 3.0], -87.337536506498145082),
        ("exp_mod_normal_lpdf", &[1.3, -0.4, 2.1, 1.5], -1.826200228949026408),
        ("exp_mod_normal_lcdf", &[1.3, -0.4, 2.1, 1.5], -0.38046493014757641672),
        ("exp_mod_normal_lccdf", &[1.3, -0.4, 2.1, 1.5], -1.1505695992343029632),
        ("exp_mod_normal_lpdf", &[-2.0, 0.5, 1.2, 3.0], -3.7568686202996584359),
        ("exp_mod_normal_lcdf", &[-2.0, 0.5, 1.2, 3.0], -4.5259120725282191382),
        ("exp_mod_normal_lccdf", &[-2.0, 0.5, 1.2, 3.0], -0.010883851713421455367),
        ("exp_mod_normal_lpdf", &[8.0, 0.0, 0.5, 0.4], -4.0962907318741551851),
        ("exp_mod_normal_lcdf", &[8.0, 0.0, 0.5, 0.4], -0.042475084204973204168),
        ("exp_mod_normal_lccdf", &[8.0, 0.0, 0.5, 0.4], -3.1800000000000001754),
        ("pareto_lpdf", &[2.5, 1.2, 3.0], -2.0195859684466468017),
        ("pareto_lcdf", &[2.5, 1.2, 3.0], -0.11719920611802027229),
        ("pareto_lccdf", &[2.5, 1.2, 3.0], -2.2019075252406014279),
        ("pareto_lpdf", &[1.3, 1.2, 0.7], -0.67506910377769907289),
        ("pareto_lcdf", &[1.3, 1.2, 0.7], -2.9097540296648022131),
        ("pareto_lccdf", &[1.3, 1.2, 0.7], -0.05602989537147554434),
        ("pareto_type_2_lpdf", &[2.5, 0.5, 1.7, 3.0], -2.5428342367460941917),
        ("pareto_type_2_lcdf", &[2.5, 0.5, 1.7, 3.0], -0.1020252703559011956),
        ("pareto_type_2_lccdf", &[2.5, 0.5, 1.7, 3.0], -2.3331137057640251347),
        ("pareto_type_2_lpdf", &[0.6, 0.5, 2.0, 0.8], -1.0041130273791325983),
        ("pareto_type_2_lcdf", &[0.6, 0.5, 2.0, 0.8], -3.2628226786608692182),
        ("pareto_type_2_lccdf", &[0.6, 0.5, 2.0, 0.8], -0.03903213133554559616),
        ("frechet_lpdf", &[1.3, 2.5, 1.7], -0.63094104356455654066),
        ("frechet_lcdf", &[1.3, 2.5, 1.7], -1.9555274774579187294),
        ("frechet_lccdf", &[1.3, 2.5, 1.7], -0.15255674584856201211),
        ("frechet_lpdf", &[4.0, 1.2, 0.6], -3.5831551005267883023),
        ("frechet_lcdf", &[4.0, 1.2, 0.6], -0.10263831433779475009),
        ("frechet_lccdf", &[4.0, 1.2, 0.6], -2.3274242349108880849),
        ("loglogistic_lpdf", &[1.3, 2.5, 1.7], -1.4122757241565612674),
        ("loglogistic_lcdf", &[1.3, 2.5, 1.7], -1.3961073526712846433),
        ("loglogistic_lccdf", &[1.3, 2.5, 1.7], -0.28443235807995590802),
        ("loglogistic_lpdf", &[4.0, 1.2, 3.6], -4.4657142424890749356),
        ("loglogistic_lcdf", &[4.0, 1.2, 3.6], -0.013025815628939422735),
        ("loglogistic_lccdf", &[4.0, 1.2, 3.6], -4.3473279112023092363),
        ("chi_square_lpdf", &[1.3, 2.5], -1.352571073161245726),
        ("chi_square_lcdf", &[1.3, 2.5], -1.0082787383176295168),
        ("chi_square_lccdf", &[1.3, 2.5], -0.45388847562279174443),
        ("inv_chi_square_lpdf", &[1.3, 2.5], -1.7430971189453580215),
        ("inv_chi_square_lcdf", &[1.3, 2.5], -0.24478138886558876538),
        ("inv_chi_square_lccdf", &[1.3, 2.5], -1.5272851165938652201),
        ("chi_square_lpdf", &[7.0, 3.0], -3.4459834586770160892),
        ("chi_square_lcdf", &[7.0, 3.0], -0.074613393315213162153),
        ("chi_square_lccdf", &[7.0, 3.0], -2.6325099953127196129),
        ("inv_chi_square_lpdf", &[7.0, 3.0], -5.8551424772715274331),
        ("inv_chi_square_lcdf", &[7.0, 3.0], -0.01385608667766043671),
        ("inv_chi_square_lccdf", &[7.0, 3.0], -4.2859507152976784718),
        ("scaled_inv_chi_square_lpdf", &[1.3, 2.5, 0.8], -1.3863618131574192703),
        ("scaled_inv_chi_square_lcdf", &[1.3, 2.5, 0.8], -0.42580348813593672353),
        ("scaled_inv_chi_square_lccdf", &[1.3, 2.5, 0.8], -1.0591359346610737519),
        ("scaled_inv_chi_square_lpdf", &[0.2, 6.0, 1.1], -8.5376975859932672376),
        ("scaled_inv_chi_square_lcdf", &[0.2, 6.0, 1.1], -12.935818602936356252),
        ("scaled_inv_chi_square_lccdf", &[0.2, 6.0, 1.1], -2.4101600596933240799e-6),
        ("gumbel_lcdf", &[1.3, 0.5, 1.7], -0.62463472800027441502),
        ("gumbel_lccdf", &[1.3, 0.5, 1.7], -0.76670110982617786756),
        ("gumbel_lcdf", &[-3.0, 0.5, 0.9], -48.856571274987246673),
        ("gumbel_lccdf", &[-3.0, 0.5, 0.9], -6.0514672958775830479e-22),
        ("rayleigh_lcdf", &[1.3, 1.7], -1.3723093565094937568),
        ("rayleigh_lccdf", &[1.3, 1.7], -0.29238754325259519096),
        ("rayleigh_lcdf", &[0.05, 2.0], -8.0710623347188073908),
        ("rayleigh_lccdf", &[0.05, 2.0], -0.00031250000000000003469),
        ("skew_double_exponential_lcdf", &[1.3, 0.5, 1.7, 0.3], -0.75036379815703201352),
        ("skew_double_exponential_lccdf", &[1.3, 0.5, 1.7, 0.3], -0.63902788511520296389),
        ("skew_double_exponential_lcdf", &[-2.0, 0.5, 0.9, 0.8], -1.3342546624253205372),
        ("skew_double_exponential_lccdf", &[-2.0, 0.5, 0.9, 0.8], -0.30564835759176429803),
    ];
    for (name, args, want) in cases {
        assert_close(value(name, args), *want, 1e-12, &format!("{name}{args:?}"));
    }
}

/// Parameter points per family (variate first) for the tail and density checks.
fn families() -> Vec<(&'static str, Vec<f64>, f64, f64)> {
    let inf = f64::INFINITY;
    vec![
        ("skew_normal", vec![0.5, 1.3, 2.5], -inf, inf),
        ("skew_normal", vec![-0.3, 0.8, -1.5], -inf, inf),
        ("exp_mod_normal", vec![0.5, 1.3, 0.7], -inf, inf),
        ("pareto", vec![1.2, 2.5], 1.2, inf),
        ("pareto_type_2", vec![0.5, 1.7, 3.0], 0.5, inf),
        ("frechet", vec![2.5, 1.7], 0.0, inf),
        ("loglogistic", vec![2.5, 3.7], 0.0, inf),
        ("chi_square", vec![3.5], 0.0, inf),
        ("inv_chi_square", vec![4.5], 0.0, inf),
        ("scaled_inv_chi_square", vec![4.5, 0.8], 0.0, inf),
        ("gumbel", vec![0.5, 1.3], -inf, inf),
        ("rayleigh", vec![1.7], 0.0, inf),
        ("skew_double_exponential", vec![0.5, 1.3, 0.3], -inf, inf),
        ("skew_double_exponential", vec![-0.5, 0.8, 0.85], -inf, inf),
    ]
}

/// Where a family's density has a kink the quadrature must not straddle:
/// the skew double exponential's location.
fn kink(name: &str, params: &[f64]) -> Option<f64> {
    (name == "skew_double_exponential").then(|| params[0])
}

/// ∫_a^b f, in two pieces when a kink lies inside.
fn integrate_pieces(f: impl Fn(f64) -> f64 + Copy, a: f64, b: f64, kink: Option<f64>) -> f64 {
    match kink {
        Some(k) if a < k && k < b => integrate(f, a, k) + integrate(f, k, b),
        _ => integrate(f, a, b),
    }
}

fn with_variate(y: f64, params: &[f64]) -> Vec<f64> {
    std::iter::once(y).chain(params.iter().copied()).collect()
}

/// exp(lcdf) + exp(lccdf) = 1, ∂y lcdf = e^{lpdf - lcdf} (finite differences
/// of the lcdf) and the lcdf is the integral of the density, at points
/// across each support.
/// In the thin tails (integrated, not from Owen's T) the partials are
/// still those of the value, and the value is continuous where the method
/// changes (the switch is at three digits left of Owen's T form).
#[test]
fn skew_normal_thin_tail_partials_and_continuity() {
    let points: &[[f64; 4]] = &[[3.0, 0.0, 1.0, -2.0], [10.0, 0.5, 1.5, -3.0], [2.2, 0.1, 0.7, -0.8], [40.0, 0.0, 1.0, -1.0]];
    for x in points {
        let (_, g) = skew_normal_lccdf_grad(x[0], x[1], x[2], x[3]);
        assert_grad(&|a: &[f64]| skew_normal_lccdf(a[0], a[1], a[2], a[3]), x, &g, "skew_normal_lccdf");
        let m = [-x[0], -x[1], x[2], -x[3]];
        let (_, g) = skew_normal_lcdf_grad(m[0], m[1], m[2], m[3]);
        assert_grad(&|a: &[f64]| skew_normal_lcdf(a[0], a[1], a[2], a[3]), &m, &g, "skew_normal_lcdf");
        assert_close(skew_normal_lcdf(m[0], m[1], m[2], m[3]), skew_normal_lccdf(x[0], x[1], x[2], x[3]), 1e-13, "mirror");
    }
    // Along y at α = -1, the value is smooth across the switch: the second
    // differences of ln P(Y > y) on a fine grid stay small and of one sign.
    let f = |y: f64| skew_normal_lccdf(y, 0.0, 1.0, -1.0);
    let h = 0.01;
    for k in 0..400 {
        let y = 0.5 + k as f64 * h;
        let second = (f(y + h) - 2.0 * f(y) + f(y - h)) / (h * h);
        assert!(second < 0.0 && second > -3.0, "ln P(Y > {y}) not smooth and concave: second difference {second}");
    }
}

#[test]
fn tails_sum_to_one_and_the_cdf_is_the_integral_of_the_density() {
    for (name, params, lo, _) in families() {
        let lpdf = format!("{name}_lpdf");
        let lcdf = format!("{name}_lcdf");
        let lccdf = format!("{name}_lccdf");
        for y in [0.3, 1.1, 2.7, 6.0] {
            let y = if lo.is_finite() { lo + y } else { y - 2.0 };
            let args = with_variate(y, &params);
            let (l, u) = (value(&lcdf, &args), value(&lccdf, &args));
            assert_close(l.exp() + u.exp(), 1.0, 1e-12, &format!("{name} tails at {args:?}"));
            let slope = fd(|t| value(&lcdf, &with_variate(t, &params)), y);
            assert_close(slope, (value(&lpdf, &args) - l).exp(), 1e-6, &format!("{name} cdf slope at {args:?}"));
            let start = if lo.is_finite() { lo } else { -f64::INFINITY };
            let mass = integrate_pieces(|t| value(&lpdf, &with_variate(t, &params)).exp(), start, y, kink(name, &params));
            assert_close(mass, l.exp(), 1e-9, &format!("{name} cdf = integral of the density at {args:?}"));
        }
    }
}

/// Each density integrates to one over its support.
#[test]
fn densities_integrate_to_one() {
    for (name, params, lo, hi) in families() {
        let lpdf = format!("{name}_lpdf");
        let total = integrate_pieces(|t| value(&lpdf, &with_variate(t, &params)).exp(), lo, hi, kink(name, &params));
        assert_close(total, 1.0, 1e-9, &format!("{name} mass"));
    }
}

/// Beyond the support and at invalid parameters: Stan's conventions.
#[test]
fn outside_the_support_and_invalid_parameters() {
    assert_eq!(pareto_lpdf_grad(1.0, 1.2, 2.0), (f64::NEG_INFINITY, [0.0; 3]));
    assert_eq!(pareto_lcdf_grad(1.0, 1.2, 2.0), (f64::NEG_INFINITY, [0.0; 3]));
    assert_eq!(pareto_lccdf_grad(1.0, 1.2, 2.0), (0.0, [0.0; 3]));
    assert_eq!(pareto_type_2_lccdf(f64::INFINITY, 0.0, 1.0, 2.0), f64::NEG_INFINITY);
    assert_eq!(frechet_lcdf(-1.0, 2.0, 1.0), f64::NEG_INFINITY);
    assert_eq!(loglogistic_lccdf(0.0, 2.0, 1.0), 0.0);
    assert_eq!(skew_normal_lpdf(0.0, 0.0, -1.0, 1.0), f64::NEG_INFINITY);
    assert_eq!(exp_mod_normal_lpdf(0.0, 0.0, 1.0, 0.0), f64::NEG_INFINITY);
    assert_eq!(chi_square_lpdf_grad(1.0, -1.0), (f64::NEG_INFINITY, [0.0; 2]));
    assert_eq!(scaled_inv_chi_square_lcdf(1.0, 2.0, 0.0), f64::NEG_INFINITY);
    assert_eq!(rayleigh_lcdf_grad(0.0, 1.0), (f64::NEG_INFINITY, [0.0; 2]));
    assert_eq!(skew_normal_lcdf(f64::INFINITY, 0.0, 1.0, 2.0), 0.0);
}

/// Sample mean and variance of 20,000 draws within 5 standard errors of the
/// density's moments (by quadrature of our own lpdf).
#[test]
fn rngs_match_their_densities() {
    let mut rng = ChainRng::new(77, 0);
    type Draw = Box<dyn Fn(&mut ChainRng) -> f64>;
    let inf = f64::INFINITY;
    let cases: Vec<(&str, Vec<f64>, Draw, f64, f64)> = vec![
        ("skew_normal", vec![0.5, 1.3, 2.5], Box::new(|r| skew_normal_rng(r, 0.5, 1.3, 2.5).unwrap()), -inf, inf),
        ("exp_mod_normal", vec![0.5, 1.3, 0.7], Box::new(|r| exp_mod_normal_rng(r, 0.5, 1.3, 0.7).unwrap()), -inf, inf),
        ("pareto", vec![1.2, 4.5], Box::new(|r| pareto_rng(r, 1.2, 4.5).unwrap()), 1.2, inf),
        ("pareto_type_2", vec![0.5, 1.7, 5.0], Box::new(|r| pareto_type_2_rng(r, 0.5, 1.7, 5.0).unwrap()), 0.5, inf),
        ("frechet", vec![5.5, 1.7], Box::new(|r| frechet_rng(r, 5.5, 1.7).unwrap()), 0.0, inf),
        ("loglogistic", vec![2.5, 6.0], Box::new(|r| loglogistic_rng(r, 2.5, 6.0).unwrap()), 0.0, inf),
        ("chi_square", vec![3.5], Box::new(|r| chi_square_rng(r, 3.5).unwrap()), 0.0, inf),
        ("inv_chi_square", vec![9.5], Box::new(|r| inv_chi_square_rng(r, 9.5).unwrap()), 0.0, inf),
        ("scaled_inv_chi_square", vec![9.5, 0.8], Box::new(|r| scaled_inv_chi_square_rng(r, 9.5, 0.8).unwrap()), 0.0, inf),
    ];
    const N: usize = 20_000;
    for (name, params, draw, lo, hi) in &cases {
        let lpdf = format!("{name}_lpdf");
        let p = |t: f64| value(&lpdf, &with_variate(t, params)).exp();
        let mean = integrate(|t| t * p(t), *lo, *hi);
        let var = integrate(|t| (t - mean).powi(2) * p(t), *lo, *hi);
        let xs: Vec<f64> = (0..N).map(|_| draw(&mut rng)).collect();
        let n = N as f64;
        let m = xs.iter().sum::<f64>() / n;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
        let m4 = xs.iter().map(|x| (x - m).powi(4)).sum::<f64>() / n;
        let (se_m, se_v) = ((var / n).sqrt(), ((m4 - v * v).max(0.0) / n).sqrt());
        assert!((m - mean).abs() < 5.0 * se_m, "{name}: mean {m} vs {mean} (se {se_m})");
        assert!((v - var).abs() < 5.0 * se_v, "{name}: variance {v} vs {var} (se {se_v})");
    }
    assert!(pareto_rng(&mut rng, -1.0, 2.0).is_err());
    assert!(skew_normal_rng(&mut rng, 0.0, 1.0, f64::NAN).is_err());
}

/// ordered_logistic_rng / ordered_probit_rng: the frequency of each outcome
/// within 5 standard errors of P(k) = F(eta - c[k-1]) - F(eta - c[k]).
#[test]
fn ordinal_rngs_match_their_probabilities() {
    let mut rng = ChainRng::new(78, 0);
    let cuts = [-1.0, 0.5, 2.0];
    let eta = 0.3;
    const N: usize = 20_000;
    let logistic = |x: f64| 1.0 / (1.0 + (-x).exp());
    let normal = |x: f64| hbmc_stdlib::special::phi(x);
    for (name, f) in [("ordered_logistic", &logistic as &dyn Fn(f64) -> f64), ("ordered_probit", &normal)] {
        let mut counts = [0usize; 4];
        for _ in 0..N {
            let k = if name == "ordered_logistic" {
                ordered_logistic_rng(&mut rng, eta, &cuts).unwrap()
            } else {
                ordered_probit_rng(&mut rng, eta, &cuts).unwrap()
            };
            counts[(k - 1) as usize] += 1;
        }
        for k in 0..4 {
            let above = if k == 0 { 1.0 } else { f(eta - cuts[k - 1]) };
            let below = if k == 3 { 0.0 } else { f(eta - cuts[k]) };
            let p = above - below;
            let freq = counts[k] as f64 / N as f64;
            let se = (p * (1.0 - p) / N as f64).sqrt();
            assert!((freq - p).abs() < 5.0 * se, "{name}: P({}) = {p}, frequency {freq}", k + 1);
        }
    }
    assert!(ordered_logistic_rng(&mut rng, 0.0, &[1.0, 0.5]).is_err());
    assert!(ordered_probit_rng(&mut rng, f64::NAN, &[1.0]).is_err());
}

/// The von Mises cdf (Stan's algorithm: scipy's series below κ = 49, a
/// normal approximation from κ = 50) against the integral of the density
/// from -π, by `scipy.integrate.quad` (scipy 1.17.1, epsrel 1e-13) of
/// `exp(κ (cos(t - μ) - 1)) / (2π ive(0, κ))`, the output pasted. With μ
/// outside [-π, π] (7.0) and y below the cut (y = -3, μ = 2.9) the
/// wrapping is exercised. The normal approximation is Stan's and scipy's,
/// not exact: against the integral it is off by 3.0e-6 at κ = 50, 2.0e-6 at
/// 60 and 6.9e-7 at 100 (scipy's `vonmises.cdf`, the same algorithm, at 41
/// points of [-1, 1]), hence the looser bound there.
#[test]
fn von_mises_cdf_matches_the_integral_of_its_density() {
    let cases: [([f64; 3], f64); 8] = [
        ([0.3, -0.4, 2.1], 0.8145810568131001),
        ([1.3, 0.5, 0.7], 0.7483141894286767),
        ([-2.0, 1.0, 5.0], 0.00011851400259626698),
        ([2.5, -3.0, 10.0], 0.6792432993279807),
        ([0.1, 0.0, 30.0], 0.7071836545855809),
        ([-0.05, 0.02, 60.0], 0.2942646487879695),
        ([0.2, 7.0, 1.5], 0.3076890873360042),
        ([-3.0, 2.9, 3.0], 0.08007005068807617),
    ];
    for ([y, mu, k], want) in cases {
        let cdf = von_mises_lcdf(y, mu, k).exp();
        let ccdf = von_mises_lccdf(y, mu, k).exp();
        let tol = if k >= 50.0 { 5e-6 } else { 1e-11 };
        assert!((cdf - want).abs() <= tol, "von_mises_cdf({y} | {mu}, {k}) = {cdf}, integral {want}");
        assert!((cdf + ccdf - 1.0).abs() <= 1e-14, "tails of ({y} | {mu}, {k}) sum to {}", cdf + ccdf);
        // The cdf's y-partial is the density, to the series' accuracy
        // (measured: 7e-14 at (-2 | 1, 5), where the density is 4e-5;
        // 2e-12 at (0.1 | 0, 30), where it is 1.87); the approximation's
        // derivative is not the density.
        if k < 49.0 {
            let (lc, g) = von_mises_lcdf_grad(y, mu, k);
            let density = von_mises_lpdf(y, mu, k).exp();
            let tol = 1e-11 * density + 1e-13;
            assert!((g[0] * lc.exp() - density).abs() <= tol, "∂y of ({y} | {mu}, {k}): {} against {density}", g[0] * lc.exp());
            // Moving μ moves the density under the fixed lower end -π.
            let at_end = von_mises_lpdf(-std::f64::consts::PI, mu, k).exp();
            let d_mu = -(density - at_end);
            assert!((g[1] * lc.exp() - d_mu).abs() <= tol, "∂μ at ({y} | {mu}, {k})");
        }
    }
    // The ends of the support, and what Stan rejects.
    assert_eq!(von_mises_lcdf(-std::f64::consts::PI, 0.3, 2.0), f64::NEG_INFINITY);
    assert_eq!(von_mises_lcdf(std::f64::consts::PI, 0.3, 2.0), 0.0);
    for (y, mu, k) in [(3.5, 0.0, 1.0), (0.0, f64::NAN, 1.0), (0.0, 0.0, 0.0), (0.0, 0.0, -1.0), (0.0, 0.0, f64::INFINITY)] {
        assert_eq!(von_mises_lcdf_grad(y, mu, k), (f64::NEG_INFINITY, [0.0; 3]), "({y} | {mu}, {k})");
    }
    // Continuous across the blend of series and approximation.
    let (below, above) = (von_mises_lcdf(0.1, 0.0, 49.0 - 1e-9), von_mises_lcdf(0.1, 0.0, 49.0 + 1e-9));
    assert!((below - above).abs() <= 1e-8, "{below} against {above} at κ = 49");
    let (below, above) = (von_mises_lcdf(0.1, 0.0, 50.0 - 1e-9), von_mises_lcdf(0.1, 0.0, 50.0 + 1e-9));
    assert!((below - above).abs() <= 1e-8, "{below} against {above} at κ = 50");
}
