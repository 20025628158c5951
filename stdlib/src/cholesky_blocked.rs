//! The Cholesky factorisation by columns and by blocks of columns.
//!
//! Both work in place on a copy of A's lower triangle in L (column-major,
//! `n × n`). The column form ([`factor_columns`]) is left-looking: column c
//! is updated by whole contiguous columns k < c of L (axpy), then scaled by
//! its pivot. The blocked form ([`cholesky_lower_blocked`]) takes block
//! columns of width `nb`: first the whole block column is updated by every
//! earlier column at once, a matrix product `L[j0.., j0..j1] -= L[j0.., ..j0]
//! L[j0..j1, ..j0]ᵀ` computed in 4 × 4 register tiles ([`subtract_product`]),
//! so each element loaded from L is used four times instead of once; then
//! the column form finishes the block column (its diagonal block and the
//! triangular solve of the panel below it), using only columns inside the
//! block. Lengths are checked by the callers.

use crate::linalg::LinalgError;

/// Rows and columns of one register tile of [`subtract_product`].
const TILE: usize = 4;

/// Copies the lower triangle of `a` into `l` and zeroes the upper triangle.
pub(crate) fn copy_lower(a: &[f64], n: usize, l: &mut [f64]) {
    for j in 0..n {
        let col = &mut l[j * n..(j + 1) * n];
        col[..j].iter_mut().for_each(|x| *x = 0.0);
        col[j..].copy_from_slice(&a[j + j * n..(j + 1) * n]);
    }
}

/// Finishes columns `j0..j1` of L in place, given that every column before
/// `j0` is final and has already been subtracted from them: column c
/// subtracts the columns k in `j0..c` (rows c..n) in that order, then is
/// divided by the square root of its pivot. Errors at the first pivot that is
/// not positive and finite.
pub(crate) fn factor_columns(
    l: &mut [f64],
    n: usize,
    j0: usize,
    j1: usize,
) -> Result<(), LinalgError> {
    for j in j0..j1 {
        let (done, rest) = l.split_at_mut(j * n);
        let col = &mut rest[j..n];
        for k in j0..j {
            let lk = &done[k * n + j..(k + 1) * n];
            let ljk = lk[0];
            for (c, &x) in col.iter_mut().zip(lk) {
                *c -= x * ljk;
            }
        }
        let s = col[0];
        if !(s > 0.0) || !s.is_finite() {
            return Err(LinalgError::NotPositiveDefinite { index: j });
        }
        let d = s.sqrt();
        col[0] = d;
        for c in &mut col[1..] {
            *c /= d;
        }
    }
    Ok(())
}

/// The blocked left-looking Cholesky factorisation of the lower triangle of
/// `a` into `l`, with block columns of width `nb` (>= 1).
pub(crate) fn cholesky_lower_blocked(
    a: &[f64],
    n: usize,
    l: &mut [f64],
    nb: usize,
) -> Result<(), LinalgError> {
    copy_lower(a, n, l);
    let nb = nb.max(1);
    let mut j0 = 0;
    while j0 < n {
        let j1 = (j0 + nb).min(n);
        subtract_product(l, n, j0, j1);
        factor_columns(l, n, j0, j1)?;
        j0 = j1;
    }
    Ok(())
}

/// `L[c.., c] -= Σ_{k < j0} L[c.., k] L[c, k]` for every column c in
/// `j0..j1` (the lower part of the block column only: the upper triangle of
/// L stays zero). Columns go four at a time; for each such group, rows go
/// four at a time from the group's first column, each 4 × 4 tile of sums kept
/// in registers over all k (the four rows and the four columns' multipliers
/// are both four contiguous numbers of column k), then subtracted once.
fn subtract_product(l: &mut [f64], n: usize, j0: usize, j1: usize) {
    if j0 == 0 {
        return;
    }
    let mut c0 = j0;
    while c0 < j1 {
        let w = (j1 - c0).min(TILE);
        if w < TILE {
            for c in c0..j1 {
                subtract_product_column(l, n, j0, c);
            }
            return;
        }
        let mut i = c0;
        while i + TILE <= n {
            let mut acc = [[0.0f64; TILE]; TILE];
            for k in 0..j0 {
                let base = k * n;
                let x: &[f64; TILE] = tile_at(l, base + i);
                let y: &[f64; TILE] = tile_at(l, base + c0);
                for (q, &yq) in y.iter().enumerate() {
                    for (p, &xp) in x.iter().enumerate() {
                        acc[q][p] += xp * yq;
                    }
                }
            }
            for (q, accq) in acc.iter().enumerate() {
                let c = c0 + q;
                let col = &mut l[c * n..(c + 1) * n];
                for (p, &s) in accq.iter().enumerate() {
                    // Only the first tile of a group crosses the diagonal.
                    if i + p >= c {
                        col[i + p] -= s;
                    }
                }
            }
            i += TILE;
        }
        // The last fewer-than-four rows, one at a time.
        for r in i..n {
            for c in c0..c0 + TILE {
                if r >= c {
                    let mut s = 0.0;
                    for k in 0..j0 {
                        s += l[r + k * n] * l[c + k * n];
                    }
                    l[r + c * n] -= s;
                }
            }
        }
        c0 += TILE;
    }
}

/// The update of [`subtract_product`] for one column c (rows c..n), for the
/// last fewer-than-four columns of a block.
fn subtract_product_column(l: &mut [f64], n: usize, j0: usize, c: usize) {
    let (done, rest) = l.split_at_mut(j0 * n);
    let col = &mut rest[(c - j0) * n + c..(c - j0 + 1) * n];
    for k in 0..j0 {
        let lk = &done[k * n + c..(k + 1) * n];
        let lck = lk[0];
        for (x, &v) in col.iter_mut().zip(lk) {
            *x -= v * lck;
        }
    }
}

/// The four numbers of `l` from `at`, as an array reference (the callers
/// keep `at + 4 <= l.len()`: rows i + 4 <= n, columns c0 + 4 <= j1 <= n).
fn tile_at(l: &[f64], at: usize) -> &[f64; TILE] {
    let s = &l[at..at + TILE];
    // A slice of exactly TILE numbers always converts.
    s.try_into().unwrap_or(&[0.0; TILE])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random SPD matrix: B Bᵀ + n I from an LCG.
    fn spd(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut b = vec![0.0; n * n];
        for x in &mut b {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *x = ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0;
        }
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                let mut v = 0.0;
                for k in 0..n {
                    v += b[i + k * n] * b[j + k * n];
                }
                a[i + j * n] = v + if i == j { n as f64 * 0.1 + 0.5 } else { 0.0 };
            }
        }
        a
    }

    fn unblocked(a: &[f64], n: usize) -> Vec<f64> {
        let mut l = vec![0.0; n * n];
        copy_lower(a, n, &mut l);
        factor_columns(&mut l, n, 0, n).unwrap();
        l
    }

    #[test]
    fn blocked_equals_unblocked_to_rounding() {
        let sizes: Vec<usize> = (1..=40)
            .chain([47, 63, 64, 65, 97, 128, 131, 200, 257, 300])
            .collect();
        for &n in &sizes {
            let a = spd(n, n as u64);
            let want = unblocked(&a, n);
            let scale = want.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            for nb in [1, 3, 4, 7, 8, 16, 32, 64] {
                let mut got = vec![f64::NAN; n * n];
                cholesky_lower_blocked(&a, n, &mut got, nb).unwrap();
                for j in 0..n {
                    for i in 0..n {
                        let (g, w) = (got[i + j * n], want[i + j * n]);
                        if i < j {
                            assert_eq!(g, 0.0, "upper ({i},{j}) n={n} nb={nb}");
                        } else {
                            assert!(
                                (g - w).abs() <= 1e-12 * scale,
                                "n={n} nb={nb} ({i},{j}): {g} vs {w}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn blocked_reports_the_failing_pivot() {
        for &(n, bad) in &[(10usize, 7usize), (70, 3), (70, 50), (130, 129)] {
            let mut a = spd(n, 1);
            // A negative diagonal entry: that pivot is A[bad,bad] minus a
            // sum of squares, so negative, and every earlier one is fine.
            a[bad + bad * n] = -1.0;
            let mut l = vec![0.0; n * n];
            let got = cholesky_lower_blocked(&a, n, &mut l, 32);
            assert!(
                matches!(got, Err(LinalgError::NotPositiveDefinite { index }) if index == bad),
                "n={n} bad={bad}: {got:?}"
            );
        }
    }
}
