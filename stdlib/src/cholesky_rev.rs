//! Reverse mode of the Cholesky factorisation, by columns and by blocks of
//! columns (Murray 2016, "Differentiation of the Cholesky decomposition",
//! the level-2 and the blocked level-3 algorithms).
//!
//! Both work in place on W, an `n × n` column-major copy of L̄ (lower
//! triangle): when a column of W is done it holds that column of Ā (lower
//! triangle, the convention of `cholesky_decompose_adj`), and the columns
//! before it hold L̄ plus what the later columns passed back.

/// The level-2 reverse over columns `j0..j1` of W, from the last: for column
/// j, with d = L[j,j], c = L[j+1..j1, j], r = L[j, j0..j], B = L[j+1..j1,
/// j0..j] and t̄ = c̄ / d: d̄ -= t̄·c, B̄ -= t̄ rᵀ, r̄ -= Bᵀ t̄ + (d̄ / d) r, and
/// the column becomes Ā: t̄ below the diagonal, d̄ / 2d on it. Rows and
/// columns outside `j0..j1` are neither read nor written, so over `0..n` this
/// is the whole unblocked reverse, and over one block of the blocked reverse
/// it is that block's diagonal part.
pub(crate) fn rev_columns(l: &[f64], w: &mut [f64], n: usize, j0: usize, j1: usize) {
    for j in (j0..j1).rev() {
        let d = l[j + j * n];
        let c = &l[j * n + j + 1..j * n + j1];
        // t̄ = c̄ / d is stored over c̄ (c̄ is not read again).
        let (left, right) = w.split_at_mut(j * n);
        let col_j = &mut right[..n];
        let mut dbar = col_j[j];
        let tbar = &mut col_j[j + 1..j1];
        for (t, &ci) in tbar.iter_mut().zip(c) {
            *t /= d;
            dbar -= *t * ci;
        }
        let sb = dbar / (2.0 * d);
        col_j[j] = sb;
        let tbar = &col_j[j + 1..j1];
        for k in j0..j {
            let r_k = l[j + k * n];
            let b_col = &l[k * n + j + 1..k * n + j1];
            let wk = &mut left[k * n..(k + 1) * n];
            // r̄_k -= B[:,k]·t̄ + 2 s̄ r_k;  B̄[:,k] -= r_k t̄
            let mut dot = 0.0;
            for ((bb, &bv), &t) in wk[j + 1..j1].iter_mut().zip(b_col).zip(tbar) {
                dot += bv * t;
                *bb -= r_k * t;
            }
            wk[j] -= dot + 2.0 * sb * r_k;
        }
    }
}

/// The blocked reverse: block columns of width `nb` from the last. For the
/// block `j..k`, with R = L[j..k, ..j], D = L[j..k, j..k], B = L[k.., ..j]
/// and C = L[k.., j..k] (forward: D = chol(A₂₂ − R Rᵀ), C = (A₃₂ − B Rᵀ)
/// D⁻ᵀ): X̄ = C̄ D⁻¹ (this is Ā₃₂), B̄ -= X̄ R, D̄ -= tril(X̄ᵀ C), then the
/// level-2 reverse of the block turns D̄ into Ȳ = Ā₂₂, and R̄ -= X̄ᵀ B +
/// (Ȳ + Ȳᵀ) R.
pub(crate) fn rev_blocked(l: &[f64], w: &mut [f64], n: usize, nb: usize) {
    let nb = nb.max(1);
    let mut k = n;
    while k > 0 {
        let j = k.saturating_sub(nb);
        solve_right_lower(l, w, n, j, k);
        if k < n {
            subtract_xbar_r(l, w, n, j, k);
            subtract_xbar_t_c(l, w, n, j, k);
        }
        rev_columns(l, w, n, j, k);
        if j > 0 {
            subtract_from_rbar(l, w, n, j, k);
        }
        k = j;
    }
}

/// C̄ ← C̄ D⁻¹ in place (rows k.., columns j..k of W): X̄ D = C̄ is solved
/// by columns from the last, each a contiguous column operation.
fn solve_right_lower(l: &[f64], w: &mut [f64], n: usize, j: usize, k: usize) {
    if k == n {
        return;
    }
    for c in (j..k).rev() {
        let (left, right) = w.split_at_mut((c + 1) * n);
        let col_c = &mut left[c * n + k..(c + 1) * n];
        for q in c + 1..k {
            let dqc = l[q + c * n];
            let xq = &right[(q - c - 1) * n + k..(q - c) * n];
            for (x, &v) in col_c.iter_mut().zip(xq) {
                *x -= v * dqc;
            }
        }
        let dcc = l[c + c * n];
        for x in col_c.iter_mut() {
            *x /= dcc;
        }
    }
}

/// Rows and columns of one register tile of the products below.
const TILE: usize = 4;

/// B̄ -= X̄ R: W[k.., p] -= Σ_c X̄[.., c] L[c, p] for every column p < j.
/// In 4 × 4 tiles (four rows of X̄'s column c are contiguous; the four
/// multipliers L[c, p..p+4] are loaded once per c), each tile's sums kept in
/// registers over the block's columns c and subtracted once.
fn subtract_xbar_r(l: &[f64], w: &mut [f64], n: usize, j: usize, k: usize) {
    let (earlier, block) = w.split_at_mut(j * n);
    let mut p0 = 0;
    while p0 < j {
        let pw = (j - p0).min(TILE);
        let mut i = k;
        while i + TILE <= n && pw == TILE {
            let mut acc = [[0.0f64; TILE]; TILE];
            for c in j..k {
                let x = &block[(c - j) * n + i..(c - j) * n + i + TILE];
                for (q, accq) in acc.iter_mut().enumerate() {
                    let y = l[c + (p0 + q) * n];
                    for (a, &xv) in accq.iter_mut().zip(x) {
                        *a += xv * y;
                    }
                }
            }
            for (q, accq) in acc.iter().enumerate() {
                let col = &mut earlier[(p0 + q) * n + i..(p0 + q) * n + i + TILE];
                for (b, &a) in col.iter_mut().zip(accq) {
                    *b -= a;
                }
            }
            i += TILE;
        }
        // Leftover rows (and a leftover group of fewer than four columns).
        for p in p0..p0 + pw {
            for r in i..n {
                let mut s = 0.0;
                for c in j..k {
                    s += block[(c - j) * n + r] * l[c + p * n];
                }
                earlier[p * n + r] -= s;
            }
        }
        p0 += pw;
    }
}

/// D̄ -= tril(X̄ᵀ C): D̄[a, b] -= X̄[.., a]·C[.., b] for a >= b in `j..k`.
fn subtract_xbar_t_c(l: &[f64], w: &mut [f64], n: usize, j: usize, k: usize) {
    for b in j..k {
        let cb = &l[b * n + k..(b + 1) * n];
        for a in b..k {
            let mut s = 0.0;
            for (&x, &cv) in w[a * n + k..(a + 1) * n].iter().zip(cb) {
                s += x * cv;
            }
            w[a + b * n] -= s;
        }
    }
}

/// R̄ -= X̄ᵀ B + (Ȳ + Ȳᵀ) R: for every column p < j and row a in `j..k`,
/// W[a, p] -= X̄[.., a]·L[k.., p] + Σ_b (Ȳ + Ȳᵀ)[a, b] L[b, p], with Ȳ the
/// lower triangle now held in W[j..k, j..k]. The dot products go in 4 × 4
/// tiles of (a, p): per row i, four numbers of X̄ and four of B feed sixteen
/// independent sums.
fn subtract_from_rbar(l: &[f64], w: &mut [f64], n: usize, j: usize, k: usize) {
    let (earlier, block) = w.split_at_mut(j * n);
    let m = n - k;
    let mut p0 = 0;
    while p0 < j {
        let pw = (j - p0).min(TILE);
        let mut a0 = j;
        while a0 < k {
            let aw = (k - a0).min(TILE);
            let mut acc = [[0.0f64; TILE]; TILE];
            if aw == TILE && pw == TILE {
                let xs: [&[f64]; TILE] =
                    std::array::from_fn(|q| &block[(a0 + q - j) * n + k..(a0 + q - j + 1) * n]);
                let bs: [&[f64]; TILE] =
                    std::array::from_fn(|q| &l[(p0 + q) * n + k..(p0 + q + 1) * n]);
                for i in 0..m {
                    let x: [f64; TILE] = std::array::from_fn(|q| xs[q][i]);
                    let b: [f64; TILE] = std::array::from_fn(|q| bs[q][i]);
                    for (acca, &xa) in acc.iter_mut().zip(&x) {
                        for (v, &bp) in acca.iter_mut().zip(&b) {
                            *v += xa * bp;
                        }
                    }
                }
            } else {
                for (da, acca) in acc.iter_mut().enumerate().take(aw) {
                    let xa = &block[(a0 + da - j) * n + k..(a0 + da - j + 1) * n];
                    for (dp, v) in acca.iter_mut().enumerate().take(pw) {
                        let bp = &l[(p0 + dp) * n + k..(p0 + dp + 1) * n];
                        *v = xa.iter().zip(bp).map(|(&x, &b)| x * b).sum();
                    }
                }
            }
            for (da, acca) in acc.iter().enumerate().take(aw) {
                let a = a0 + da;
                for (dp, &v) in acca.iter().enumerate().take(pw) {
                    let p = p0 + dp;
                    let lp = &l[p * n..(p + 1) * n];
                    let mut s = v;
                    for b in j..k {
                        // (Ȳ + Ȳᵀ)[a, b] from the lower triangle of the block.
                        let y = if a >= b { block[(b - j) * n + a] } else { 0.0 }
                            + if b >= a { block[(a - j) * n + b] } else { 0.0 };
                        s += y * lp[b];
                    }
                    earlier[p * n + a] -= s;
                }
            }
            a0 += aw;
        }
        p0 += pw;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cholesky_blocked::{copy_lower, factor_columns};

    /// A deterministic pseudo-random number stream in [-1, 1).
    fn stream(seed: u64) -> impl FnMut() -> f64 {
        let mut s = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        }
    }

    fn spd_factor(n: usize, seed: u64) -> Vec<f64> {
        let mut r = stream(seed);
        let b: Vec<f64> = (0..n * n).map(|_| r()).collect();
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                let v: f64 = (0..n).map(|q| b[i + q * n] * b[j + q * n]).sum();
                a[i + j * n] = v + if i == j { 0.1 * n as f64 + 0.5 } else { 0.0 };
            }
        }
        let mut l = vec![0.0; n * n];
        copy_lower(&a, n, &mut l);
        factor_columns(&mut l, n, 0, n).unwrap();
        l
    }

    #[test]
    fn blocked_reverse_equals_column_reverse_to_rounding() {
        let sizes: Vec<usize> = (1..=34).chain([47, 64, 65, 97, 131, 200]).collect();
        for &n in &sizes {
            let l = spd_factor(n, 7 + n as u64);
            let mut r = stream(n as u64);
            let mut lbar = vec![0.0; n * n];
            for j in 0..n {
                for i in j..n {
                    lbar[i + j * n] = r();
                }
            }
            let mut want = lbar.clone();
            rev_columns(&l, &mut want, n, 0, n);
            let scale = want.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            for nb in [1, 2, 3, 4, 7, 8, 16, 32, 64] {
                let mut got = lbar.clone();
                rev_blocked(&l, &mut got, n, nb);
                for j in 0..n {
                    for i in j..n {
                        let (g, x) = (got[i + j * n], want[i + j * n]);
                        assert!(
                            (g - x).abs() <= 1e-12 * scale,
                            "n={n} nb={nb} ({i},{j}): {g} vs {x}"
                        );
                    }
                }
            }
        }
    }
}
