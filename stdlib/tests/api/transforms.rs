//! Constraint transforms: round trips, constraint satisfaction, log-Jacobians
//! against finite-difference determinants, adjoints and bound partials
//! against finite differences, and inverse-transform errors.
#![allow(clippy::excessive_precision)] // reference values keep their mpmath digits
use crate::common;
use common::*;
use hbmc_stdlib::transform::*;

/// The free coordinates of a constrained value, in which Stan's log-Jacobian
/// is the log-determinant of the transform (None: no square Jacobian to check).
type Pick = Option<fn(&[f64], usize) -> Vec<f64>>;

fn strict_lower(y: &[f64], k: usize) -> Vec<f64> {
    let mut v = vec![];
    for j in 0..k {
        for i in j + 1..k {
            v.push(y[i + j * k]);
        }
    }
    v
}

fn lower(y: &[f64], k: usize) -> Vec<f64> {
    let mut v = vec![];
    for j in 0..k {
        for i in j..k {
            v.push(y[i + j * k]);
        }
    }
    v
}

fn all_but_last(y: &[f64], _k: usize) -> Vec<f64> {
    y[..y.len() - 1].to_vec()
}

fn all(y: &[f64], _k: usize) -> Vec<f64> {
    y.to_vec()
}

/// Checks that y satisfies the constraint named by `name`.
fn check_constraint(name: &str, y: &[f64], k: usize) {
    let tol = 1e-12;
    match name {
        "simplex" => {
            assert!(
                y.iter().all(|v| *v > 0.0),
                "simplex has non-positive element: {y:?}"
            );
            assert!(
                (y.iter().sum::<f64>() - 1.0).abs() < tol,
                "simplex sums to {}",
                y.iter().sum::<f64>()
            );
        }
        "sum_to_zero" => assert!(y.iter().sum::<f64>().abs() < tol),
        "ordered" => assert!(y.windows(2).all(|w| w[0] < w[1]), "not ordered: {y:?}"),
        "positive_ordered" => assert!(y[0] > 0.0 && y.windows(2).all(|w| w[0] < w[1])),
        "unit_vector" => assert!((y.iter().map(|v| v * v).sum::<f64>() - 1.0).abs() < tol),
        "cholesky_factor_corr" | "cholesky_factor_cov" => {
            for r in 0..k {
                assert!(y[r + r * k] > 0.0, "diagonal must be positive");
                for c in r + 1..k {
                    assert_eq!(y[r + c * k], 0.0, "upper triangle must be zero");
                }
                if name == "cholesky_factor_corr" {
                    let n: f64 = (0..k).map(|c| y[r + c * k].powi(2)).sum();
                    assert!((n - 1.0).abs() < tol, "row {r} has squared norm {n}");
                }
            }
        }
        "corr_matrix" | "cov_matrix" => {
            for i in 0..k {
                for j in 0..k {
                    assert!((y[i + j * k] - y[j + i * k]).abs() < tol, "not symmetric");
                }
                if name == "corr_matrix" {
                    assert!((y[i + i * k] - 1.0).abs() < tol, "unit diagonal");
                }
            }
            let mut l = vec![0.0; k * k];
            hbmc_stdlib::linalg::cholesky_decompose(y, k, &mut l).expect("positive definite");
        }
        _ => unreachable!(),
    }
}

/// Builds the transform of size K.
type Maker = Box<dyn Fn(usize) -> Box<dyn Transform>>;

fn cases() -> Vec<(&'static str, Maker, Pick)> {
    vec![
        (
            "simplex",
            Box::new(|k| Box::new(Simplex { k }) as Box<dyn Transform>),
            Some(all_but_last),
        ),
        (
            "sum_to_zero",
            Box::new(|k| Box::new(SumToZero { k }) as Box<dyn Transform>),
            None,
        ),
        (
            "ordered",
            Box::new(|k| Box::new(Ordered { k }) as Box<dyn Transform>),
            Some(all),
        ),
        (
            "positive_ordered",
            Box::new(|k| Box::new(PositiveOrdered { k }) as Box<dyn Transform>),
            Some(all),
        ),
        (
            "unit_vector",
            Box::new(|k| Box::new(UnitVector { k }) as Box<dyn Transform>),
            None,
        ),
        (
            "cholesky_factor_corr",
            Box::new(|k| Box::new(CholeskyFactorCorr { k }) as Box<dyn Transform>),
            Some(strict_lower),
        ),
        (
            "cholesky_factor_cov",
            Box::new(|k| Box::new(CholeskyFactorCov { k }) as Box<dyn Transform>),
            Some(lower),
        ),
        (
            "corr_matrix",
            Box::new(|k| Box::new(CorrMatrix { k }) as Box<dyn Transform>),
            Some(strict_lower),
        ),
        (
            "cov_matrix",
            Box::new(|k| Box::new(CovMatrix { k }) as Box<dyn Transform>),
            Some(lower),
        ),
    ]
}

#[test]
fn vector_transforms_round_trip_satisfy_constraints_and_have_correct_jacobians() {
    let mut rng = test_rng(11);
    for (name, make, pick) in cases() {
        for k in 1..=5usize {
            let t = make(k);
            if t.free_len() == 0 && name != "cholesky_factor_corr" && name != "corr_matrix" {
                continue;
            }
            for _ in 0..3 {
                let x: Vec<f64> = (0..t.free_len())
                    .map(|_| unif(&mut rng, -1.5, 1.5))
                    .collect();
                let mut y = vec![0.0; t.constrained_len()];
                let lj = t.constrain(&x, &mut y);
                assert!(lj.is_finite(), "{name}[{k}] log-Jacobian {lj}");
                check_constraint(name, &y, k);
                // round trip (unit_vector's inverse is only defined up to scale)
                let mut back = vec![0.0; t.free_len()];
                t.unconstrain(&y, &mut back)
                    .unwrap_or_else(|e| panic!("{name}[{k}]: {e}"));
                if name != "unit_vector" {
                    for i in 0..x.len() {
                        assert!(
                            (back[i] - x[i]).abs() < 1e-9,
                            "{name}[{k}] round trip {back:?} vs {x:?}"
                        );
                    }
                }
                // log-Jacobian = log|det ∂(free coordinates of y)/∂x|
                if let Some(p) = pick {
                    let g = |z: &[f64]| {
                        let mut yy = vec![0.0; t.constrained_len()];
                        t.constrain(z, &mut yy);
                        p(&yy, k)
                    };
                    let jac = fd_jacobian(&g, &x);
                    let n = x.len();
                    let flat: Vec<f64> = jac.iter().flat_map(|c| c.iter().copied()).collect();
                    assert_eq!(flat.len(), n * n, "{name}[{k}] Jacobian is not square");
                    let ld = log_abs_det(&flat, n);
                    assert!(
                        (ld - lj).abs() < 1e-7,
                        "{name}[{k}]: log-Jacobian {lj} vs FD log|det J| {ld}"
                    );
                }
                if name == "sum_to_zero" {
                    assert_eq!(lj, 0.0);
                }
                // adjoint: ∇ₓ (a·y + w·lj)
                let a: Vec<f64> = (0..t.constrained_len())
                    .map(|_| unif(&mut rng, -1.0, 1.0))
                    .collect();
                let w = unif(&mut rng, 0.5, 1.5);
                let f = |z: &[f64]| {
                    let mut yy = vec![0.0; t.constrained_len()];
                    let l = t.constrain(z, &mut yy);
                    yy.iter().zip(&a).map(|(u, v)| u * v).sum::<f64>() + w * l
                };
                let mut grad = vec![0.25; x.len()]; // checks accumulation too
                t.constrain_adjoint(&x, &a, w, &mut grad);
                grad.iter_mut().for_each(|g| *g -= 0.25);
                assert_grad(&f, &x, &grad, &format!("{name}[{k}] adjoint"));
            }
        }
    }
}

#[test]
fn simplex_matches_stan_ilr_definition() {
    // softmax(V x) with V's columns the orthonormal ILR basis: for K = 3,
    // z = (x1/√2 + x2/√6, -x1/√2 + x2/√6, -2 x2/√6).
    let x = [0.3, -0.8];
    let z = [
        x[0] / 2f64.sqrt() + x[1] / 6f64.sqrt(),
        -x[0] / 2f64.sqrt() + x[1] / 6f64.sqrt(),
        -2.0 * x[1] / 6f64.sqrt(),
    ];
    let s: f64 = z.iter().map(|v| v.exp()).sum();
    let mut y = [0.0; 3];
    let lj = Simplex { k: 3 }.constrain(&x, &mut y);
    for i in 0..3 {
        assert_close(y[i], z[i].exp() / s, 1e-14, "ILR simplex");
    }
    assert_close(
        lj,
        y.iter().map(|v| v.ln()).sum::<f64>() + 0.5 * 3f64.ln(),
        1e-13,
        "ILR log-Jacobian",
    );
    // x = 0 is the centre of the simplex
    let mut c = [0.0; 4];
    Simplex { k: 4 }.constrain(&[0.0; 3], &mut c);
    assert!(c.iter().all(|v| (v - 0.25).abs() < 1e-15));
}

#[test]
fn unconstrain_reports_violations() {
    let mut out = vec![0.0; 2];
    let e = Simplex { k: 3 }
        .unconstrain(&[0.5, 0.4, 0.2], &mut out)
        .unwrap_err();
    assert!(e.to_string().contains("sum to"), "{e}");
    assert!(Simplex { k: 3 }
        .unconstrain(&[0.5, 0.5, 0.0], &mut out)
        .is_err());
    assert!(matches!(
        Simplex { k: 3 }.unconstrain(&[0.5, 0.5], &mut out),
        Err(TransformError::Length { .. })
    ));
    let mut o3 = vec![0.0; 3];
    let e = Ordered { k: 3 }
        .unconstrain(&[1.0, 3.0, 2.0], &mut o3)
        .unwrap_err();
    assert!(e.to_string().contains("element 3"), "{e}");
    assert!(PositiveOrdered { k: 3 }
        .unconstrain(&[-1.0, 3.0, 4.0], &mut o3)
        .is_err());
    assert!(UnitVector { k: 3 }
        .unconstrain(&[1.0, 1.0, 0.0], &mut o3)
        .is_err());
    let mut o1 = vec![0.0; 1];
    assert!(CorrMatrix { k: 2 }
        .unconstrain(&[1.0, 1.5, 1.5, 1.0], &mut o1)
        .is_err());
    assert!(CorrMatrix { k: 2 }
        .unconstrain(&[2.0, 0.5, 0.5, 1.0], &mut o1)
        .is_err());
    assert!(CholeskyFactorCorr { k: 2 }
        .unconstrain(&[1.0, 0.6, 0.0, 0.9], &mut o1)
        .is_err());
    let e = CovMatrix { k: 2 }
        .unconstrain(&[1.0, 2.0, 0.0, 1.0], &mut o3)
        .unwrap_err();
    assert!(e.to_string().contains("symmetric"), "{e}");
    assert!(CovMatrix { k: 2 }
        .unconstrain(&[1.0, 2.0, 2.0, 1.0], &mut o3)
        .is_err());
    assert!(CholeskyFactorCov { k: 2 }
        .unconstrain(&[1.0, 2.0, 0.5, -1.0], &mut o3)
        .is_err());
    assert!(lower_unconstrain(0.0, 0.0).is_err());
    assert!(upper_unconstrain(2.0, 1.0).is_err());
    assert!(lower_upper_unconstrain(1.0, 0.0, 1.0).is_err());
    assert!(offset_multiplier_unconstrain(1.0, 0.0, -1.0).is_err());
    // wrong sizes never panic
    let mut y = vec![0.0; 3];
    assert!(Simplex { k: 3 }.constrain(&[0.0], &mut y).is_nan());
    let mut g = vec![0.0; 1];
    CovMatrix { k: 3 }.constrain_adjoint(&[0.0], &[0.0], 1.0, &mut g);
}

/// A scalar transform as a function of (x, bound1, bound2).
type Scalar = fn(f64, f64, f64) -> ScalarConstrained;

#[test]
fn scalar_bounds_values_partials_and_round_trips() {
    type Case = (&'static str, Scalar, [(f64, f64); 3]);
    let cases: Vec<Case> = vec![
        (
            "lower",
            |x, a, _| lower_constrain(x, a),
            [(-3.0, 3.0), (-5.0, 5.0), (0.0, 0.0)],
        ),
        (
            "upper",
            |x, a, _| upper_constrain(x, a),
            [(-3.0, 3.0), (-5.0, 5.0), (0.0, 0.0)],
        ),
        (
            "lower_upper",
            lower_upper_constrain,
            [(-6.0, 6.0), (-5.0, -1.0), (0.0, 4.0)],
        ),
        (
            "offset_multiplier",
            offset_multiplier_constrain,
            [(-3.0, 3.0), (-5.0, 5.0), (0.1, 4.0)],
        ),
    ];
    let mut rng = test_rng(5);
    for (name, f, ranges) in cases {
        for _ in 0..8 {
            let p: Vec<f64> = ranges
                .iter()
                .map(|&(lo, hi)| if lo == hi { lo } else { unif(&mut rng, lo, hi) })
                .collect();
            let r = f(p[0], p[1], p[2]);
            let val = |z: &[f64]| f(z[0], z[1], z[2]).value;
            let lj = |z: &[f64]| f(z[0], z[1], z[2]).log_jac;
            // unused third slot stays 0 in both the partials and the FD
            assert_grad(&val, &p, &r.d_value, name);
            assert_grad(&lj, &p, &r.d_log_jac, &format!("{name} log-Jacobian"));
            // log_jac = ln |dy/dx|
            assert_close(
                r.log_jac,
                r.d_value[0].abs().ln(),
                1e-12,
                &format!("{name} log|dy/dx|"),
            );
            let back = match name {
                "lower" => lower_unconstrain(r.value, p[1]),
                "upper" => upper_unconstrain(r.value, p[1]),
                "lower_upper" => lower_upper_unconstrain(r.value, p[1], p[2]),
                _ => offset_multiplier_unconstrain(r.value, p[1], p[2]),
            }
            .unwrap();
            assert!((back - p[0]).abs() < 1e-9, "{name} round trip");
        }
    }
    // extreme x keeps y strictly inside and the log-Jacobian finite
    let r = lower_upper_constrain(40.0, 0.0, 1.0);
    assert!(r.value <= 1.0 && r.log_jac.is_finite());
    let r = lower_upper_constrain(-800.0, 0.0, 1.0);
    assert!(r.value >= 0.0 && r.log_jac.is_finite());
    // infinite bounds degrade to one-sided transforms with the partial in its own slot
    let r = lower_upper_constrain(0.3, f64::NEG_INFINITY, 2.0);
    assert_eq!(
        (r.value, r.d_value[1], r.d_value[2]),
        (2.0 - 0.3f64.exp(), 0.0, 1.0)
    );
    assert_eq!(
        lower_upper_constrain(0.3, f64::NEG_INFINITY, f64::INFINITY).value,
        0.3
    );
    assert_eq!(lower_constrain(0.3, f64::NEG_INFINITY).log_jac, 0.0);
    // invalid bounds reject
    assert_eq!(
        lower_upper_constrain(0.0, 2.0, 1.0).log_jac,
        f64::NEG_INFINITY
    );
    assert_eq!(
        offset_multiplier_constrain(0.0, 0.0, 0.0).log_jac,
        f64::NEG_INFINITY
    );
}
