//! Stan 2.37's matrix constraint types: `sum_to_zero_matrix` against Stan's
//! own double loop (written out below from its definition), the stochastic
//! matrices against one simplex per column or row, round trips, constraint
//! satisfaction, log-Jacobians against finite-difference determinants,
//! adjoints against finite differences, and the inverse's errors.
use crate::common;
use common::*;
use hbmc_stdlib::transform::*;

/// Stan's `sum_to_zero_constrain` for an `(n-1) × (m-1)` free matrix, as
/// stan-dev/math writes it (one pass over the free values with running
/// sums), column-major: an independent route to the same value.
fn stan_sum_to_zero_matrix(x: &[f64], n1: usize, m1: usize) -> Vec<f64> {
    let (n, m) = (n1 + 1, m1 + 1);
    let mut z = vec![0.0; n * m];
    let at = |i: usize, j: usize| i + j * n;
    let mut beta = vec![0.0; n1];
    for j in (0..m1).rev() {
        let mut ax_previous = 0.0;
        let a_j = 1.0 / ((j as f64 + 1.0) * (j as f64 + 2.0)).sqrt();
        let b_j = (j as f64 + 1.0) * a_j;
        for i in (0..n1).rev() {
            let a_i = 1.0 / ((i as f64 + 1.0) * (i as f64 + 2.0)).sqrt();
            let b_i = (i as f64 + 1.0) * a_i;
            let xij = x[i + j * n1];
            let b_i_x = b_i * xij - ax_previous;
            z[at(i, j)] = b_j * b_i_x - beta[i];
            beta[i] += a_j * b_i_x;
            z[at(n1, j)] -= z[at(i, j)];
            z[at(i, m1)] -= z[at(i, j)];
            ax_previous += a_i * xij;
        }
        z[at(n1, m1)] -= z[at(n1, j)];
    }
    z
}

type Make = fn(usize, usize) -> Box<dyn Transform>;

fn sum_to_zero_matrix(rows: usize, cols: usize) -> Box<dyn Transform> {
    Box::new(SumToZeroMatrix { rows, cols })
}
fn column_stochastic(rows: usize, cols: usize) -> Box<dyn Transform> {
    Box::new(ColumnStochastic { rows, cols })
}
fn row_stochastic(rows: usize, cols: usize) -> Box<dyn Transform> {
    Box::new(RowStochastic { rows, cols })
}

fn column(y: &[f64], rows: usize, j: usize) -> Vec<f64> {
    y[j * rows..(j + 1) * rows].to_vec()
}
fn row(y: &[f64], rows: usize, cols: usize, i: usize) -> Vec<f64> {
    (0..cols).map(|j| y[i + j * rows]).collect()
}

#[test]
fn sum_to_zero_matrix_is_stans_transform() {
    let mut rng = test_rng(5);
    for (n, m) in [(2, 2), (3, 4), (5, 3), (1, 4), (4, 1), (6, 6)] {
        let t = SumToZeroMatrix { rows: n, cols: m };
        assert_eq!(t.free_len(), (n - 1) * (m - 1));
        let x: Vec<f64> = (0..t.free_len()).map(|_| unif(&mut rng, -2.0, 2.0)).collect();
        let mut y = vec![f64::NAN; n * m];
        assert_eq!(t.constrain(&x, &mut y), 0.0, "no Jacobian term");
        let want = stan_sum_to_zero_matrix(&x, n - 1, m - 1);
        for (k, (a, b)) in y.iter().zip(&want).enumerate() {
            assert!((a - b).abs() < 1e-13, "{n}x{m} element {k}: {a} vs Stan's {b}");
        }
        for j in 0..m {
            assert!(column(&y, n, j).iter().sum::<f64>().abs() < 1e-12);
        }
        for i in 0..n {
            assert!(row(&y, n, m, i).iter().sum::<f64>().abs() < 1e-12);
        }
        // Isometric: the free values' length is the matrix's.
        let norm = |v: &[f64]| v.iter().map(|a| a * a).sum::<f64>();
        assert_close(norm(&y), norm(&x), 1e-12, "isometry");
    }
}

#[test]
fn stochastic_matrices_are_a_simplex_per_column_or_row() {
    let mut rng = test_rng(6);
    for (n, m) in [(3, 2), (2, 4), (4, 4), (1, 3), (3, 1)] {
        let cols = ColumnStochastic { rows: n, cols: m };
        let x: Vec<f64> = (0..cols.free_len()).map(|_| unif(&mut rng, -2.0, 2.0)).collect();
        let mut y = vec![0.0; n * m];
        let lj = cols.constrain(&x, &mut y);
        let s = Simplex { k: n };
        let mut want_lj = 0.0;
        for j in 0..m {
            let mut part = vec![0.0; n];
            want_lj += s.constrain(&x[j * (n - 1)..(j + 1) * (n - 1)], &mut part);
            assert_eq!(column(&y, n, j), part, "column {j} of {n}x{m}");
        }
        assert_close(lj, want_lj, 1e-14, "column-stochastic log-Jacobian");

        let rows = RowStochastic { rows: n, cols: m };
        // Stan's free matrix is n × (m - 1), column-major.
        let x: Vec<f64> = (0..rows.free_len()).map(|_| unif(&mut rng, -2.0, 2.0)).collect();
        let lj = rows.constrain(&x, &mut y);
        let s = Simplex { k: m };
        let mut want_lj = 0.0;
        for i in 0..n {
            let free: Vec<f64> = (0..m - 1).map(|c| x[i + c * n]).collect();
            let mut part = vec![0.0; m];
            want_lj += s.constrain(&free, &mut part);
            assert_eq!(row(&y, n, m, i), part, "row {i} of {n}x{m}");
        }
        assert_close(lj, want_lj, 1e-14, "row-stochastic log-Jacobian");
    }
}

/// The free coordinates of a stochastic matrix (all but the last element of
/// each simplex), in which the log-Jacobian is a log-determinant.
fn stochastic_free_coordinates(name: &str, y: &[f64], n: usize, m: usize) -> Vec<f64> {
    if name == "column_stochastic" {
        (0..m).flat_map(|j| column(y, n, j)[..n - 1].to_vec()).collect()
    } else {
        (0..m - 1).flat_map(|j| column(y, n, j)).collect()
    }
}

#[test]
fn matrix_transforms_round_trip_with_correct_jacobians_and_adjoints() {
    let mut rng = test_rng(7);
    let cases: [(&str, Make); 3] = [
        ("sum_to_zero_matrix", sum_to_zero_matrix),
        ("column_stochastic", column_stochastic),
        ("row_stochastic", row_stochastic),
    ];
    for (name, make) in cases {
        for (n, m) in [(2, 2), (2, 3), (3, 2), (3, 4), (4, 3)] {
            let t = make(n, m);
            let x: Vec<f64> = (0..t.free_len()).map(|_| unif(&mut rng, -1.5, 1.5)).collect();
            let mut y = vec![0.0; t.constrained_len()];
            let lj = t.constrain(&x, &mut y);
            let mut back = vec![0.0; t.free_len()];
            t.unconstrain(&y, &mut back).unwrap_or_else(|e| panic!("{name} {n}x{m}: {e}"));
            for (a, b) in back.iter().zip(&x) {
                assert!((a - b).abs() < 1e-9, "{name} {n}x{m} round trip {back:?} vs {x:?}");
            }
            if name != "sum_to_zero_matrix" {
                let g = |z: &[f64]| {
                    let mut yy = vec![0.0; t.constrained_len()];
                    t.constrain(z, &mut yy);
                    stochastic_free_coordinates(name, &yy, n, m)
                };
                let jac = fd_jacobian(&g, &x);
                let k = x.len();
                let flat: Vec<f64> = jac.iter().flat_map(|c| c.iter().copied()).collect();
                assert_eq!(flat.len(), k * k, "{name} Jacobian is not square");
                let ld = log_abs_det(&flat, k);
                assert!((ld - lj).abs() < 1e-7, "{name} {n}x{m}: log-Jacobian {lj} vs FD {ld}");
            }
            // adjoint: ∇ₓ (a·y + w·lj), accumulated onto what grad held
            let a: Vec<f64> = (0..t.constrained_len()).map(|_| unif(&mut rng, -1.0, 1.0)).collect();
            let w = unif(&mut rng, 0.5, 1.5);
            let f = |z: &[f64]| {
                let mut yy = vec![0.0; t.constrained_len()];
                let l = t.constrain(z, &mut yy);
                yy.iter().zip(&a).map(|(u, v)| u * v).sum::<f64>() + w * l
            };
            let mut grad = vec![0.25; x.len()];
            t.constrain_adjoint(&x, &a, w, &mut grad);
            grad.iter_mut().for_each(|g| *g -= 0.25);
            assert_grad(&f, &x, &grad, &format!("{name} {n}x{m} adjoint"));
        }
    }
}

#[test]
fn matrix_unconstrain_names_the_broken_row_or_column() {
    // 2 × 2, column-major: columns (0.5, 0.5) and (0.3, 0.6).
    let mut out = vec![0.0; 2];
    let e = ColumnStochastic { rows: 2, cols: 2 }.unconstrain(&[0.5, 0.5, 0.3, 0.6], &mut out).unwrap_err();
    assert!(e.to_string().contains("column 2 is not a simplex"), "{e}");
    let e = RowStochastic { rows: 2, cols: 2 }.unconstrain(&[0.5, 0.5, 0.5, 0.6], &mut out).unwrap_err();
    assert!(e.to_string().contains("row 2 is not a simplex"), "{e}");
    let mut one = vec![0.0; 1];
    // Columns sum to zero, rows do not.
    let e = SumToZeroMatrix { rows: 2, cols: 2 }.unconstrain(&[1.0, -1.0, 1.0, -1.0], &mut one).unwrap_err();
    assert!(e.to_string().contains("row 1 sums to 2"), "{e}");
    assert!(SumToZeroMatrix { rows: 2, cols: 2 }.unconstrain(&[1.0, -1.0, -1.0, 1.0], &mut one).is_ok());
    assert!(matches!(
        SumToZeroMatrix { rows: 2, cols: 2 }.unconstrain(&[1.0, -1.0], &mut one),
        Err(TransformError::Length { .. })
    ));
    // Wrong sizes never panic.
    let mut y = vec![0.0; 4];
    assert!(RowStochastic { rows: 2, cols: 2 }.constrain(&[0.0], &mut y).is_nan());
    assert!(SumToZeroMatrix { rows: 0, cols: 3 }.constrain(&[], &mut []).is_nan());
}
