//! Convergence diagnostics of Vehtari, Gelman, Simpson, Carpenter and
//! Bürkner (2021), "Rank-normalization, folding, and localization: an
//! improved R-hat", computed as ArviZ and the `posterior` R package do:
//! split chains, rank-normalised split R-hat (max of bulk and folded), bulk
//! and tail ESS with Geyer's initial monotone sequence, and MCSE of the mean.
//!
//! Every function takes chains as slices of draws (one slice per chain;
//! chains of unequal length are cut to the shortest). Inputs that make a
//! diagnostic meaningless (fewer than 4 draws, a non-finite value, all
//! values equal) give NaN, never a panic.

// The direct autocovariances are most of a summary's statistics: they use
// the trajectory's vector dot product (eight partial sums, AVX-512 or AVX).
use crate::nuts::kernels::dot;

/// Radix-2 complex FFT in place (`inverse` uses the conjugate kernel,
/// without the 1/n factor). `re.len()` must be a power of two.
fn fft(re: &mut [f64], im: &mut [f64], inverse: bool) {
    let n = re.len();
    if n <= 1 {
        return;
    }
    let mut j = 0usize;
    for i in 1..n {
        let mut bit = n >> 1;
        while j & bit != 0 {
            j ^= bit;
            bit >>= 1;
        }
        j |= bit;
        if i < j {
            re.swap(i, j);
            im.swap(i, j);
        }
    }
    let sign = if inverse { 1.0 } else { -1.0 };
    let mut len = 2;
    while len <= n {
        let ang = sign * 2.0 * std::f64::consts::PI / len as f64;
        let (wr, wi) = (ang.cos(), ang.sin());
        for start in (0..n).step_by(len) {
            let (mut cr, mut ci) = (1.0, 0.0);
            for k in 0..len / 2 {
                let a = start + k;
                let b = a + len / 2;
                let tr = re[b] * cr - im[b] * ci;
                let ti = re[b] * ci + im[b] * cr;
                re[b] = re[a] - tr;
                im[b] = im[a] - ti;
                re[a] += tr;
                im[a] += ti;
                let ncr = cr * wr - ci * wi;
                ci = cr * wi + ci * wr;
                cr = ncr;
            }
        }
        len <<= 1;
    }
}

/// Biased autocovariance (divided by `n`) of `x` at lags `0..n`, by FFT.
pub fn autocovariance(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    if n == 0 {
        return Vec::new();
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    let m = (2 * n).next_power_of_two();
    let mut re = vec![0.0; m];
    let mut im = vec![0.0; m];
    for (r, v) in re.iter_mut().zip(x) {
        *r = v - mean;
    }
    fft(&mut re, &mut im, false);
    for (r, i) in re.iter_mut().zip(im.iter_mut()) {
        *r = *r * *r + *i * *i;
        *i = 0.0;
    }
    fft(&mut re, &mut im, true);
    re.truncate(n);
    let scale = 1.0 / (m as f64 * n as f64);
    re.iter_mut().for_each(|v| *v *= scale);
    re
}

fn common_len<C: AsRef<[f64]>>(chains: &[C]) -> usize {
    chains.iter().map(|c| c.as_ref().len()).min().unwrap_or(0)
}

/// Whether the draws allow a diagnostic: at least 4 per chain, all finite,
/// not all equal.
fn valid<C: AsRef<[f64]>>(chains: &[C]) -> bool {
    let n = common_len(chains);
    if chains.is_empty() || n < 4 {
        return false;
    }
    let first = chains[0].as_ref()[0];
    let mut all_equal = true;
    for c in chains {
        for &v in &c.as_ref()[..n] {
            if !v.is_finite() {
                return false;
            }
            if v != first {
                all_equal = false;
            }
        }
    }
    !all_equal
}

/// Splits each chain into its first and second halves (dropping the middle
/// draw of an odd-length chain), as ArviZ's `_split_chains`.
pub fn split_chains<C: AsRef<[f64]>>(chains: &[C]) -> Vec<Vec<f64>> {
    split_halves(chains).into_iter().map(<[f64]>::to_vec).collect()
}

/// The halves of [`split_chains`], borrowed instead of copied.
fn split_halves<C: AsRef<[f64]>>(chains: &[C]) -> Vec<&[f64]> {
    let n = common_len(chains);
    let half = n / 2;
    chains.iter().flat_map(|c| [&c.as_ref()[..half], &c.as_ref()[n - half..n]]).collect()
}

pub(crate) fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

pub(crate) fn var_ddof1(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() as f64 - 1.0)
}

/// Quantile with linear interpolation (numpy's default), of sorted data.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let pos = (n - 1) as f64 * q;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let frac = pos - lo as f64;
    sorted[lo] + (sorted[hi] - sorted[lo]) * frac
}

/// Quantile of all draws pooled (linear interpolation).
pub fn quantile<C: AsRef<[f64]>>(chains: &[C], q: f64) -> f64 {
    let mut all: Vec<f64> = chains.iter().flat_map(|c| c.as_ref().iter().copied()).collect();
    all.sort_by(|a, b| a.total_cmp(b));
    quantile_sorted(&all, q)
}

/// Normal scores of ranks, `Phi^{-1}((rank - 3/8) / (S + 1/4))`, for one
/// pooled size `S`: the scores of integer ranks are the same for every
/// column of a fit, so a summary computes them once.
#[derive(Clone, Debug, Default)]
pub struct RankScores {
    size: usize,
    /// The score of rank `r` at index `r - 1`.
    integer: Vec<f64>,
}

impl RankScores {
    /// The scores of integer ranks for pools of `size` draws, rank `r` at
    /// index `r - 1`.
    fn integer(&mut self, size: usize) -> &[f64] {
        if self.size != size || self.integer.len() != size {
            self.size = size;
            self.integer = (1..=size).map(|r| normal_quantile((r as f64 - 0.375) / (size as f64 + 0.25))).collect();
        }
        &self.integer
    }

    /// The score of the rank `rank_twice / 2` given `integer`, the scores
    /// of integer ranks for `size` draws.
    fn score(integer: &[f64], size: usize, rank_twice: usize) -> f64 {
        if rank_twice % 2 == 0 {
            integer[rank_twice / 2 - 1]
        } else {
            // The average rank of an even number of ties: a half-integer.
            normal_quantile((rank_twice as f64 / 2.0 - 0.375) / (size as f64 + 0.25))
        }
    }
}

/// Rank-normalises pooled draws: average ranks of ties, then
/// `Phi^{-1}((rank - 3/8) / (S + 1/4))`.
pub fn rank_normalize<C: AsRef<[f64]>>(chains: &[C]) -> Vec<Vec<f64>> {
    let n = common_len(chains);
    let z = rank_normalize_sorted(chains, &mut RankScores::default()).0;
    by_chain(&z, n, chains.len()).into_iter().map(<[f64]>::to_vec).collect()
}

/// Chain-major values (`chain * n + draw`) as one slice per chain.
fn by_chain(values: &[f64], n: usize, chains: usize) -> Vec<&[f64]> {
    if n == 0 {
        return vec![&[]; chains];
    }
    values.chunks(n).collect()
}

/// Pooled draws sorted by value, each with its position `chain * n + draw`.
type SortedPool = Vec<(f64, u32)>;

/// [`rank_normalize`] with reused scores, chain-major in one vector
/// ([`by_chain`]); also returns the pooled draws sorted (the chains cut to
/// their common length).
fn rank_normalize_sorted<C: AsRef<[f64]>>(chains: &[C], scores: &mut RankScores) -> (Vec<f64>, SortedPool) {
    let pool = sorted_pool(chains);
    (scores_of_sorted(&pool, scores), pool)
}

/// The chains' draws (cut to their common length), each with its position
/// `chain * n + draw`, sorted ([`sort_pool`]).
fn sorted_pool<C: AsRef<[f64]>>(chains: &[C]) -> SortedPool {
    let n = common_len(chains);
    let mut pool: SortedPool = Vec::with_capacity(n * chains.len());
    for (ci, c) in chains.iter().enumerate() {
        for (di, &v) in c.as_ref()[..n].iter().enumerate() {
            // Positions fit in u32: a column of 4 billion draws would not fit in memory.
            pool.push((v, (ci * n + di) as u32));
        }
    }
    sort_pool(&mut pool);
    pool
}

/// Sorts a pool by value in `f64::total_cmp`'s order (the order of equal
/// values is left open: ties all get their average rank). A radix sort on
/// the values' bits: with a comparison sort, whose branches the draws'
/// random order defeats, the sorts were an eighth of `hbmc summary`'s CPU
/// (perf, electric_intercept). It sorts by the keys' high 32 bits, then
/// each run of keys sharing them by the low 32 bits: draws of a column
/// almost never share their high bits (they would be within about 1e-6
/// of each other, relatively), so the low digits' passes over every key
/// become one scan (callgrind, electric_intercept's 793 columns of 2000
/// draws: 449 M instructions in six passes of 11-bit digits, 284 M so).
fn sort_pool(pool: &mut SortedPool) {
    let n = pool.len();
    // The counters are u32: a pool of 2^32 draws or more (positions are
    // u32 too, so it would not get here) takes the comparison sort.
    if n < 64 || n > u32::MAX as usize {
        pool.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        return;
    }
    // total_cmp's key: flip every bit of negatives, the sign bit of the rest.
    let key = |v: f64| {
        let b = v.to_bits();
        if b >> 63 == 1 { !b } else { b | (1 << 63) }
    };
    let mut keys: Vec<(u64, u32)> = pool.iter().map(|&(v, p)| (key(v), p)).collect();
    let mut spare = vec![(0u64, 0u32); n];
    radix_passes(&mut keys, &mut spare, true);
    let mut i = 0;
    while i < n {
        let high = keys[i].0 >> 32;
        let mut j = i + 1;
        while j < n && keys[j].0 >> 32 == high {
            j += 1;
        }
        let run = &mut keys[i..j];
        // Ties (equal keys) are already in order.
        if run.windows(2).any(|w| w[0].0 > w[1].0) {
            if run.len() < 64 {
                run.sort_unstable_by_key(|&(k, _)| k);
            } else {
                let len = run.len();
                radix_passes(run, &mut spare[..len], false);
            }
        }
        i = j;
    }
    let value = |k: u64| f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k });
    for (slot, &(k, p)) in pool.iter_mut().zip(&keys) {
        *slot = (value(k), p);
    }
}

/// Sorts `keys` by their high 32 bits (`high`) or their low 32 bits:
/// four LSD passes of 8-bit digits through `spare` (as long as `keys`).
/// The four histograms come from one pass over the keys, and a
/// digit all keys share (the high bits of draws of one scale mostly) is
/// found from one counter, the count of any key's digit, and skipped.
/// 8-bit digits: their counters (4 KB) stay in L1 and on the stack.
fn radix_passes(keys: &mut [(u64, u32)], spare: &mut [(u64, u32)], high: bool) {
    const BITS: usize = 8;
    const BUCKETS: usize = 1 << BITS;
    let n = keys.len();
    let Some(&(first, _)) = keys.first() else { return };
    let low_bit = if high { 32 } else { 0 };
    let digit = |k: u64, d: usize| ((k >> (low_bit + d * BITS)) as usize) & (BUCKETS - 1);
    let mut counts = [[0u32; BUCKETS]; 4];
    for &(k, _) in keys.iter() {
        for (d, c) in counts.iter_mut().enumerate() {
            c[digit(k, d)] += 1;
        }
    }
    let mut in_spare = false;
    for (d, c) in counts.iter_mut().enumerate() {
        if c[digit(first, d)] as usize == n {
            continue;
        }
        let mut start = 0u32;
        for slot in c.iter_mut() {
            let count = *slot;
            *slot = start;
            start += count;
        }
        let (from, to): (&[(u64, u32)], &mut [(u64, u32)]) = if in_spare { (spare, keys) } else { (keys, spare) };
        for &(k, p) in from {
            let slot = &mut c[digit(k, d)];
            to[*slot as usize] = (k, p);
            *slot += 1;
        }
        in_spare = !in_spare;
    }
    if in_spare {
        keys.copy_from_slice(spare);
    }
}

/// The rank normal scores of a sorted pool, back at the pool's positions
/// (chain-major: a position indexes the result directly; [`by_chain`]
/// gives the chains).
fn scores_of_sorted(pool: &[(f64, u32)], scores: &mut RankScores) -> Vec<f64> {
    let size = pool.len();
    let mut out = vec![0.0; size];
    let integer = scores.integer(size);
    let mut i = 0;
    while i < size {
        let v = pool[i].0;
        let mut j = i + 1;
        while j < size && pool[j].0 == v {
            j += 1;
        }
        // Ranks are 1-based: i+1 ..= j, averaged; twice the average is i + j + 1.
        if j == i + 1 {
            // No tie (most draws): the score of integer rank i + 1.
            out[pool[i].1 as usize] = integer[i];
        } else {
            let z = RankScores::score(integer, size, i + j + 1);
            for &(_, pos) in &pool[i..j] {
                out[pos as usize] = z;
            }
        }
        i = j;
    }
    out
}

/// The folded draws `|x - med|` of a sorted pool, sorted, without a sort:
/// below the median they grow as `x` falls, above it as `x` rises, so the
/// two runs merge in one pass. The merge indexes the pool and branches on
/// the comparison: 3.9 ns a draw at 8000 draws, against 4.7-5.8 for
/// peekable iterators and about 18 for a branch-free select of the
/// (value, position) pairs, whose loads wait on the previous comparison
/// where the branch predictor runs ahead (a timing loop of each form in a
/// test, Zen 3, under load).
fn folded_pool(pool: &[(f64, u32)], med: f64) -> SortedPool {
    let n = pool.len();
    let k = pool.partition_point(|&(v, _)| v < med);
    let fold = |(v, p): (f64, u32)| ((v - med).abs(), p);
    let mut out = Vec::with_capacity(n);
    // The next draw below the median is pool[below - 1], above it pool[above].
    let (mut below, mut above) = (k, k);
    while below > 0 && above < n {
        let b = fold(pool[below - 1]);
        let a = fold(pool[above]);
        // Ties go to the draw below the median first.
        if b.0 <= a.0 {
            out.push(b);
            below -= 1;
        } else {
            out.push(a);
            above += 1;
        }
    }
    out.extend(pool[..below].iter().rev().map(|&x| fold(x)));
    out.extend(pool[above..].iter().map(|&x| fold(x)));
    out
}

/// Quantile with linear interpolation of a sorted pool.
fn pool_quantile(pool: &[(f64, u32)], q: f64) -> f64 {
    let n = pool.len();
    if n == 0 {
        return f64::NAN;
    }
    let pos = (n - 1) as f64 * q;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    pool[lo].0 + (pool[hi].0 - pool[lo].0) * (pos - lo as f64)
}

/// Classic (non-split) potential scale reduction of the given chains.
pub fn rhat_basic<C: AsRef<[f64]>>(chains: &[C]) -> f64 {
    if chains.len() < 2 || !valid(chains) {
        return f64::NAN;
    }
    let n = common_len(chains);
    let chains: Vec<&[f64]> = chains.iter().map(|c| &c.as_ref()[..n]).collect();
    let means: Vec<f64> = chains.iter().map(|c| mean(c)).collect();
    let between = n as f64 * var_ddof1(&means);
    let within = chains.iter().map(|c| var_ddof1(c)).sum::<f64>() / chains.len() as f64;
    ((between / within + n as f64 - 1.0) / n as f64).sqrt()
}

/// Autocovariances (biased, divided by `n`) of several series of equal
/// length, averaged over the series, computed lag by lag as Geyer's
/// sequence reads them: a well-mixed series stops after a few lags, so
/// the first lags are direct sums and only a long sequence pays for the
/// FFT of every lag.
struct MeanAutocovariance {
    /// Each series minus its own mean.
    centred: Vec<Vec<f64>>,
    /// The mean autocovariance at lags `0..values.len()`.
    values: Vec<f64>,
    /// Up to this lag direct sums cost less than the FFT (about
    /// `5 log2(m)` lags for an FFT of length `m`).
    direct_limit: usize,
}

impl MeanAutocovariance {
    fn new<C: AsRef<[f64]>>(chains: &[C], n: usize) -> Self {
        let centred: Vec<Vec<f64>> = chains
            .iter()
            .map(|c| {
                let c = &c.as_ref()[..n];
                let m = mean(c);
                c.iter().map(|v| v - m).collect()
            })
            .collect();
        let log2_m = (2 * n).next_power_of_two().trailing_zeros() as usize;
        MeanAutocovariance { centred, values: Vec::new(), direct_limit: (5 * log2_m).max(16) }
    }

    /// The mean autocovariance at lag `t` (`t < n`).
    fn at(&mut self, t: usize) -> f64 {
        if t >= self.values.len() {
            self.extend_to(t);
        }
        self.values[t]
    }

    fn extend_to(&mut self, t: usize) {
        let n = self.centred[0].len();
        let k = self.centred.len() as f64;
        if t < self.direct_limit {
            let upto = (2 * self.values.len()).max(t + 1).max(8).min(self.direct_limit).min(n);
            for lag in self.values.len()..upto {
                let sum: f64 = self.centred.iter().map(|c| dot(&c[..n - lag], &c[lag..]) / n as f64).sum();
                self.values.push(sum / k);
            }
        } else {
            let all = autocovariances_fft(&self.centred);
            let from = self.values.len();
            self.values.extend((from..n).map(|lag| all.iter().map(|a| a[lag]).sum::<f64>() / k));
        }
    }
}

/// Biased autocovariances of centred series of equal length at every lag,
/// two series per complex FFT (`x + i y`: the spectra of `x` and `y` are
/// the even and odd parts of the transform, and the inverse transform of
/// `|X|^2 + i |Y|^2` is `acov(x) + i acov(y)`, both spectra being real and
/// even).
fn autocovariances_fft(centred: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let Some(n) = centred.first().map(Vec::len) else { return Vec::new() };
    let m = (2 * n).next_power_of_two();
    let scale = 1.0 / (m as f64 * n as f64);
    let mut out = Vec::with_capacity(centred.len());
    let mut re = vec![0.0; m];
    let mut im = vec![0.0; m];
    for pair in centred.chunks(2) {
        re.iter_mut().for_each(|v| *v = 0.0);
        im.iter_mut().for_each(|v| *v = 0.0);
        re[..n].copy_from_slice(&pair[0]);
        if let Some(y) = pair.get(1) {
            im[..n].copy_from_slice(y);
        }
        fft(&mut re, &mut im, false);
        let mut px = vec![0.0; m];
        let mut py = vec![0.0; m];
        for k in 0..m {
            let j = (m - k) % m;
            let (xr, xi) = (0.5 * (re[k] + re[j]), 0.5 * (im[k] - im[j]));
            let (yr, yi) = (0.5 * (im[k] + im[j]), 0.5 * (re[j] - re[k]));
            px[k] = xr * xr + xi * xi;
            py[k] = yr * yr + yi * yi;
        }
        re.copy_from_slice(&px);
        im.copy_from_slice(&py);
        fft(&mut re, &mut im, true);
        out.push(re[..n].iter().map(|v| v * scale).collect());
        if pair.len() == 2 {
            out.push(im[..n].iter().map(|v| v * scale).collect());
        }
    }
    out
}

/// Effective sample size of the given chains (no splitting, no ranks), by
/// Geyer's initial monotone sequence on the autocorrelations combined
/// across chains (ArviZ's `_ess`).
pub fn ess_basic<C: AsRef<[f64]>>(chains: &[C]) -> f64 {
    if !valid(chains) {
        return f64::NAN;
    }
    let n_draw = common_len(chains);
    let n_chain = chains.len();
    let mut acov = MeanAutocovariance::new(chains, n_draw);
    let chain_means: Vec<f64> = chains.iter().map(|c| mean(&c.as_ref()[..n_draw])).collect();
    let nd = n_draw as f64;
    let mean_var = acov.at(0) * nd / (nd - 1.0);
    let mut var_plus = mean_var * (nd - 1.0) / nd;
    if n_chain > 1 {
        var_plus += var_ddof1(&chain_means);
    }
    // Draws that differ but whose squared deviations underflow (values
    // near 1e-310, as a generated probability can be) have no variance at
    // double precision: no estimate, as for constant draws.
    if !(var_plus > 0.0 && mean_var.is_finite()) {
        return f64::NAN;
    }
    let mut rho_hat_t = vec![0.0; n_draw];
    let mut rho_hat_even = 1.0;
    rho_hat_t[0] = rho_hat_even;
    let mut rho_hat_odd = 1.0 - (mean_var - acov.at(1)) / var_plus;
    rho_hat_t[1] = rho_hat_odd;

    // Geyer's initial positive sequence.
    let mut t = 1;
    while t < n_draw - 3 && (rho_hat_even + rho_hat_odd) > 0.0 {
        rho_hat_even = 1.0 - (mean_var - acov.at(t + 1)) / var_plus;
        rho_hat_odd = 1.0 - (mean_var - acov.at(t + 2)) / var_plus;
        if rho_hat_even + rho_hat_odd >= 0.0 {
            rho_hat_t[t + 1] = rho_hat_even;
            rho_hat_t[t + 2] = rho_hat_odd;
        }
        t += 2;
    }
    // ArviZ's `max_t + 1`: its `max_t = t - 2` is -1 when the first pair of
    // lags already sums to at most 0 (a chain that alternates), which a
    // usize cannot hold.
    let end = t - 1;
    // Improve the estimate with the last positive even lag.
    if rho_hat_even > 0.0 {
        rho_hat_t[end] = rho_hat_even;
    }
    // Geyer's initial monotone sequence.
    let mut t = 1;
    while t + 3 <= end {
        if rho_hat_t[t + 1] + rho_hat_t[t + 2] > rho_hat_t[t - 1] + rho_hat_t[t] {
            rho_hat_t[t + 1] = (rho_hat_t[t - 1] + rho_hat_t[t]) / 2.0;
            rho_hat_t[t + 2] = rho_hat_t[t + 1];
        }
        t += 2;
    }
    let ess = (n_chain * n_draw) as f64;
    let mut tau_hat = -1.0 + 2.0 * rho_hat_t[..end].iter().sum::<f64>() + rho_hat_t[end];
    tau_hat = tau_hat.max(1.0 / ess.log10());
    ess / tau_hat
}

/// R-hat and the effective sample sizes of one column, computed together:
/// the split chains, their sorted pool and their rank normalisation are
/// shared by all four.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ColumnDiagnostics {
    /// [`rhat`].
    pub rhat: f64,
    /// [`ess_bulk`].
    pub ess_bulk: f64,
    /// [`ess_tail`].
    pub ess_tail: f64,
    /// [`ess_mean`].
    pub ess_mean: f64,
}

/// [`rhat`], [`ess_bulk`], [`ess_tail`] and [`ess_mean`] of one column
/// (the same numbers, computed once); `scores` may be reused between
/// columns of the same size.
pub fn column_diagnostics<C: AsRef<[f64]>>(chains: &[C], scores: &mut RankScores) -> ColumnDiagnostics {
    column_diagnostics_and_pool(chains, scores).0
}

/// [`column_diagnostics`], and the split chains' draws sorted (empty when
/// the diagnostics are undefined): with chains of one even length, all
/// the draws sorted, for quantiles without another sort.
pub fn column_diagnostics_and_pool<C: AsRef<[f64]>>(chains: &[C], scores: &mut RankScores) -> (ColumnDiagnostics, Vec<f64>) {
    let (d, pool) = diagnostics_and_sorted_pool(chains, scores);
    (d, pool.into_iter().map(|(v, _)| v).collect())
}

/// [`column_diagnostics`], and the quantiles `qs` (linear interpolation)
/// of the split chains' draws with the number of those draws (`None` when
/// the diagnostics are undefined): with chains of one even length, all
/// the draws, for quantiles without another sort or a copy of the sorted
/// draws.
pub fn column_diagnostics_and_quantiles<C: AsRef<[f64]>, const Q: usize>(
    chains: &[C],
    scores: &mut RankScores,
    qs: &[f64; Q],
) -> (ColumnDiagnostics, Option<([f64; Q], usize)>) {
    let (d, pool) = diagnostics_and_sorted_pool(chains, scores);
    if pool.is_empty() {
        return (d, None);
    }
    (d, Some((qs.map(|q| pool_quantile(&pool, q)), pool.len())))
}

/// [`column_diagnostics`] and the split chains' sorted pool (empty when
/// the diagnostics are undefined).
fn diagnostics_and_sorted_pool<C: AsRef<[f64]>>(chains: &[C], scores: &mut RankScores) -> (ColumnDiagnostics, SortedPool) {
    if !valid(chains) {
        return (ColumnDiagnostics { rhat: f64::NAN, ess_bulk: f64::NAN, ess_tail: f64::NAN, ess_mean: f64::NAN }, Vec::new());
    }
    let split = split_halves(chains);
    let (z, pool) = rank_normalize_sorted(&split, scores);
    let z = by_chain(&z, common_len(&split), split.len());
    let d = ColumnDiagnostics {
        rhat: rhat_of_split(&split, &z, &pool, scores),
        ess_bulk: ess_basic(&z),
        ess_tail: ess_tail_of_split(&split, &pool),
        ess_mean: ess_basic(&split),
    };
    (d, pool)
}

/// Rank-normalised split R-hat: the maximum of the bulk R-hat and the R-hat
/// of the folded draws `|x - median|` (Vehtari et al. 2021). Needs at least
/// one chain of at least 4 draws (it splits chains in halves).
pub fn rhat<C: AsRef<[f64]>>(chains: &[C]) -> f64 {
    if !valid(chains) {
        return f64::NAN;
    }
    let split = split_halves(chains);
    let mut scores = RankScores::default();
    let (z, sorted) = rank_normalize_sorted(&split, &mut scores);
    rhat_of_split(&split, &by_chain(&z, common_len(&split), split.len()), &sorted, &mut scores)
}

/// R-hat from the split chains, their rank normalisation `z` and their
/// sorted pool.
fn rhat_of_split(split: &[&[f64]], z: &[&[f64]], pool: &[(f64, u32)], scores: &mut RankScores) -> f64 {
    let bulk = rhat_basic(z);
    let med = pool_quantile(pool, 0.5);
    let n = split.first().map_or(0, |c| c.len());
    let folded = scores_of_sorted(&folded_pool(pool, med), scores);
    let tail = rhat_basic(&by_chain(&folded, n, split.len()));
    if bulk.is_nan() {
        tail
    } else if tail.is_nan() {
        bulk
    } else {
        bulk.max(tail)
    }
}

/// Bulk ESS: ESS of the rank-normalised split chains.
pub fn ess_bulk<C: AsRef<[f64]>>(chains: &[C]) -> f64 {
    if !valid(chains) {
        return f64::NAN;
    }
    ess_basic(&rank_normalize(&split_halves(chains)))
}

/// Tail ESS: the smaller ESS of the indicators `x <= q5` and `x <= q95` on
/// split chains.
pub fn ess_tail<C: AsRef<[f64]>>(chains: &[C]) -> f64 {
    if !valid(chains) {
        return f64::NAN;
    }
    let split = split_halves(chains);
    ess_tail_of_split(&split, &sorted_pool(&split))
}

/// Tail ESS from the split chains and their sorted pool.
fn ess_tail_of_split(split: &[&[f64]], pool: &[(f64, u32)]) -> f64 {
    let mut result = f64::INFINITY;
    for q in [0.05, 0.95] {
        let cut = pool_quantile(pool, q);
        let ind: Vec<Vec<f64>> =
            split.iter().map(|c| c.iter().map(|&v| if v <= cut { 1.0 } else { 0.0 }).collect()).collect();
        let e = ess_basic(&ind);
        if e.is_nan() {
            return f64::NAN;
        }
        result = result.min(e);
    }
    result
}

/// ESS for the mean: ESS of the split chains (no rank normalisation).
pub fn ess_mean<C: AsRef<[f64]>>(chains: &[C]) -> f64 {
    if !valid(chains) {
        return f64::NAN;
    }
    ess_basic(&split_halves(chains))
}

/// Monte Carlo standard error of the mean: `sd / sqrt(ess_mean)`.
pub fn mcse_mean<C: AsRef<[f64]>>(chains: &[C]) -> f64 {
    let ess = ess_mean(chains);
    let all: Vec<f64> = chains.iter().flat_map(|c| c.as_ref().iter().copied()).collect();
    if all.len() < 2 || ess.is_nan() {
        return f64::NAN;
    }
    (var_ddof1(&all) / ess).sqrt()
}

/// Monte Carlo standard error of the variance estimate: the MCSE of the
/// mean of the squared deviations from the pooled mean (their ESS accounts
/// for autocorrelation). Used to check posterior variances in tests.
pub fn mcse_var<C: AsRef<[f64]>>(chains: &[C]) -> f64 {
    let all: Vec<f64> = chains.iter().flat_map(|c| c.as_ref().iter().copied()).collect();
    if all.len() < 4 {
        return f64::NAN;
    }
    let m = mean(&all);
    let sq: Vec<Vec<f64>> = chains.iter().map(|c| c.as_ref().iter().map(|v| (v - m) * (v - m)).collect()).collect();
    mcse_mean(&sq)
}

/// E-BFMI of one chain's energies: `sum (E_n - E_{n-1})^2 / sum (E_n - mean)^2`.
pub fn ebfmi(energy: &[f64]) -> f64 {
    if energy.len() < 2 || energy.iter().any(|e| !e.is_finite()) {
        return f64::NAN;
    }
    let m = mean(energy);
    let num: f64 = energy.windows(2).map(|w| (w[1] - w[0]) * (w[1] - w[0])).sum();
    let den: f64 = energy.iter().map(|e| (e - m) * (e - m)).sum();
    num / den
}

/// Standard normal quantile function `Phi^{-1}(p)` (Wichura's AS 241,
/// about 1e-16 relative accuracy). Returns `-inf`/`inf` at 0/1 and NaN
/// outside `[0, 1]`.
// The coefficients are AS 241's, as published.
#[allow(clippy::excessive_precision)]
pub fn normal_quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q
            * (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r
                + 45921.953931549871457)
                * r
                + 13731.693765509461125)
                * r
                + 1971.5909503065514427)
                * r
                + 133.14166789178437745)
                * r
                + 3.387132872796366608)
            / (((((((5226.495278852545925 * r + 28729.085735721942674) * r + 39307.89580009271061) * r
                + 21213.794301586595867)
                * r
                + 5394.1960214247511077)
                * r
                + 687.1870074920579083)
                * r
                + 42.313330701600911252)
                * r
                + 1.0);
    }
    let mut r = if q < 0.0 { p } else { 1.0 - p };
    r = (-r.ln()).sqrt();
    let val = if r <= 5.0 {
        r -= 1.6;
        (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r
            + 1.27045825245236838258)
            * r
            + 3.64784832476320460504)
            * r
            + 5.7694972214606914055)
            * r
            + 4.6303378461565452959)
            * r
            + 1.42343711074968357734)
            / (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966)
                * r
                + 0.14810397642748007459)
                * r
                + 0.68976733498510000455)
                * r
                + 1.6763848301838038494)
                * r
                + 2.05319162663775882187)
                * r
                + 1.0)
    } else {
        r -= 5.0;
        (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386)
            * r
            + 0.026532189526576123093)
            * r
            + 0.29656057182850489123)
            * r
            + 1.7848265399172913358)
            * r
            + 5.4637849111641143699)
            * r
            + 6.6579046435011037772)
            / (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r
                + 1.8463183175100546818e-5)
                * r
                + 7.868691311456132591e-4)
                * r
                + 0.0148753612908506148525)
                * r
                + 0.13692988092273580531)
                * r
                + 0.59983220655588793769)
                * r
                + 1.0)
    };
    if q < 0.0 {
        -val
    } else {
        val
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::ChainRng;

    #[test]
    fn normal_quantile_known_values() {
        assert!((normal_quantile(0.975) - 1.959963984540054).abs() < 1e-14);
        assert!((normal_quantile(0.5)).abs() < 1e-16);
        assert!((normal_quantile(1e-10) + 6.361340902404056).abs() < 1e-12);
        assert!((normal_quantile(0.05) + 1.6448536269514722).abs() < 1e-14);
    }

    #[test]
    fn radix_sorted_pool_is_in_total_cmp_order() {
        let mut rng = crate::rng::ChainRng::new(3, 0, 0);
        for n in [10, 63, 64, 1000, 4001] {
            let mut pool: SortedPool = (0..n)
                .map(|i| {
                    let v = match i % 11 {
                        0 => f64::NAN,
                        1 => -0.0,
                        2 => 0.0,
                        3 => f64::INFINITY,
                        4 => f64::NEG_INFINITY,
                        5 => 1.5, // ties
                        6 => -rng.std_normal().abs() * 1e-300,
                        _ => rng.std_normal() * 10f64.powi((i % 7) as i32 - 3),
                    };
                    (v, i as u32)
                })
                .collect();
            let mut expected = pool.clone();
            expected.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            sort_pool(&mut pool);
            let bits = |p: &SortedPool| p.iter().map(|(v, _)| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&pool), bits(&expected), "n = {n}");
            // Each position once: the same pairs, only ties reordered.
            let mut got = pool.iter().map(|&(v, p)| (v.to_bits(), p)).collect::<Vec<_>>();
            let mut want = expected.iter().map(|&(v, p)| (v.to_bits(), p)).collect::<Vec<_>>();
            got.sort_unstable();
            want.sort_unstable();
            assert_eq!(got, want);
        }
    }

    /// `sort_pool` against `sort_by(total_cmp)`: the same values in the
    /// same order (by bits, so -0 before 0 and NaNs by sign), each
    /// position once.
    fn assert_sorts_as_total_cmp(values: &[f64]) {
        let mut pool: SortedPool = values.iter().enumerate().map(|(i, &v)| (v, i as u32)).collect();
        let mut expected = pool.clone();
        expected.sort_by(|a, b| a.0.total_cmp(&b.0));
        sort_pool(&mut pool);
        let bits = |p: &SortedPool| p.iter().map(|(v, _)| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&pool), bits(&expected), "n = {}", values.len());
        assert!(pool.iter().all(|&(v, p)| v.to_bits() == values[p as usize].to_bits()));
        let mut positions: Vec<u32> = pool.iter().map(|&(_, p)| p).collect();
        positions.sort_unstable();
        assert!(positions.iter().enumerate().all(|(i, &p)| p as usize == i));
    }

    #[test]
    fn radix_sort_skips_only_digits_every_key_shares() {
        let mut rng = ChainRng::new(17, 0, 0);
        // Random bit patterns (NaNs, infinities and subnormals among them):
        // every digit moves keys.
        let bits: Vec<f64> = (0..3000).map(|_| f64::from_bits(rng.next_bits())).collect();
        assert_sorts_as_total_cmp(&bits);
        // One sign and exponent: the high digits are shared and skipped.
        let one_scale: Vec<f64> = (0..2000).map(|_| 1.0 + rng.uniform()).collect();
        assert_sorts_as_total_cmp(&one_scale);
        // Keys differing only in their lowest bit, or only in their sign.
        let lowest: Vec<f64> = (0..500).map(|i| f64::from_bits(1.5f64.to_bits() + (i % 2))).collect();
        assert_sorts_as_total_cmp(&lowest);
        // A short run sharing the high bits, in reverse order, among others.
        let mut short: Vec<f64> = (0..40).map(|i| f64::from_bits(1.5f64.to_bits() + 40 - i)).collect();
        short.extend((0..100).map(|_| rng.std_normal()));
        assert_sorts_as_total_cmp(&short);
        let signs: Vec<f64> = (0..500).map(|i| if i % 3 == 0 { -2.0 } else { 2.0 }).collect();
        assert_sorts_as_total_cmp(&signs);
        // All equal (every digit skipped), signed zeros, a column's 8000 draws.
        assert_sorts_as_total_cmp(&[0.25; 100]);
        assert_sorts_as_total_cmp(&(0..100).map(|i| if i % 2 == 0 { 0.0 } else { -0.0 }).collect::<Vec<_>>());
        let draws: Vec<f64> = (0..8000).map(|_| rng.std_normal() * 3.0 - 1.0).collect();
        assert_sorts_as_total_cmp(&draws);
    }

    #[test]
    fn folded_pool_merges_like_a_sort_at_the_ends_and_on_ties() {
        let mut rng = ChainRng::new(43, 0, 0);
        let cases: Vec<Vec<f64>> = vec![
            // Every draw on one side of the "median" given below.
            (0..40).map(|_| rng.std_normal().abs() + 1.0).collect(),
            // Folded ties across the median (x and 2 med - x), and draws at it.
            (0..60).map(|i| [1.0, 3.0, 2.0, 0.5, 3.5][i % 5]).collect(),
            (0..301).map(|_| rng.std_normal()).collect(),
        ];
        for (k, x) in cases.iter().enumerate() {
            let mut pool: SortedPool = x.iter().enumerate().map(|(i, &v)| (v, i as u32)).collect();
            sort_pool(&mut pool);
            for med in [pool_quantile(&pool, 0.5), 0.0, 2.0, 10.0] {
                let folded = folded_pool(&pool, med);
                let mut expect: Vec<f64> = x.iter().map(|v| (v - med).abs()).collect();
                expect.sort_by(f64::total_cmp);
                assert_eq!(folded.iter().map(|p| p.0).collect::<Vec<_>>(), expect, "case {k}, median {med}");
                assert!(folded.iter().all(|&(f, p)| f == (x[p as usize] - med).abs()));
                let mut positions: Vec<u32> = folded.iter().map(|&(_, p)| p).collect();
                positions.sort_unstable();
                assert_eq!(positions, (0..x.len() as u32).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn scores_of_ties_and_single_draws_are_their_average_ranks() {
        // Runs of ties of every length, at the start, the middle and the end.
        let x: Vec<f64> = vec![0.0, 0.0, 1.0, 2.0, 2.0, 2.0, 3.0, 4.0, 4.0, 4.0, 4.0, 5.0, 6.0, 6.0];
        let mut scores = RankScores::default();
        let mut pool: SortedPool = x.iter().rev().enumerate().map(|(i, &v)| (v, i as u32)).collect();
        sort_pool(&mut pool);
        let z = scores_of_sorted(&pool, &mut scores);
        let size = x.len() as f64;
        let score = |rank: f64| normal_quantile((rank - 0.375) / (size + 0.25));
        let ranks = [1.5, 1.5, 3.0, 5.0, 5.0, 5.0, 7.0, 9.5, 9.5, 9.5, 9.5, 12.0, 13.5, 13.5];
        let expect: Vec<f64> = ranks.iter().rev().map(|&r| score(r)).collect();
        assert_eq!(z, expect);
        // The cached integer scores follow the pool's size.
        let small: SortedPool = vec![(1.0, 2), (2.0, 0), (3.0, 1)];
        let score3 = |rank: f64| normal_quantile((rank - 0.375) / 3.25);
        assert_eq!(scores_of_sorted(&small, &mut scores), vec![score3(2.0), score3(3.0), score3(1.0)]);
    }

    #[test]
    fn ess_of_draws_without_variance_at_double_precision_is_undefined() {
        // PyStan's draws of a generated probability near 1e-310 (posteriordb
        // Survey_model): distinct values whose squared deviations underflow.
        // The estimate used to index past its autocorrelations and panic.
        let chains: Vec<Vec<f64>> =
            (0..4).map(|c| (0..100).map(|i| 5.8e-311 * (1.0 + 1e-3 * ((i * 7 + c * 13) % 17) as f64)).collect()).collect();
        assert!(ess_basic(&chains).is_nan());
        let d = column_diagnostics(&chains, &mut RankScores::default());
        assert!(d.ess_mean.is_nan(), "{d:?}");
        assert!(d.ess_bulk.is_finite() && d.rhat.is_finite(), "ranks have a variance: {d:?}");
    }

    #[test]
    fn ess_of_alternating_draws_matches_arviz() {
        // The first pair of autocorrelations sums to less than 0, so Geyer's
        // sequence stops at once: ArviZ's `_ess` then takes tau = 1 / log10(N)
        // and reports N log10(N) (it used to index past the sequence here).
        let chains: Vec<Vec<f64>> = (0..4).map(|_| (0..100).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect()).collect();
        let n = 400.0f64;
        assert!((ess_basic(&chains) - n * n.log10()).abs() < 1e-9 * n, "{}", ess_basic(&chains));
    }

    #[test]
    fn fft_autocovariance_matches_direct() {
        let mut rng = ChainRng::new(9, 0, 0);
        let x: Vec<f64> = (0..37).map(|_| rng.std_normal()).collect();
        let ac = autocovariance(&x);
        let m = mean(&x);
        for t in 0..x.len() {
            let direct: f64 = (0..x.len() - t).map(|i| (x[i] - m) * (x[i + t] - m)).sum::<f64>() / x.len() as f64;
            assert!((ac[t] - direct).abs() < 1e-12, "lag {t}: {} vs {direct}", ac[t]);
        }
    }

    fn direct_autocovariance(x: &[f64]) -> Vec<f64> {
        let m = mean(x);
        (0..x.len()).map(|t| (0..x.len() - t).map(|i| (x[i] - m) * (x[i + t] - m)).sum::<f64>() / x.len() as f64).collect()
    }

    #[test]
    fn paired_fft_autocovariances_match_direct_sums() {
        // Three series: one pair and one alone in the last transform.
        let mut rng = ChainRng::new(19, 0, 0);
        let series: Vec<Vec<f64>> = (0..3).map(|k| (0..41).map(|_| rng.std_normal() * (k + 1) as f64).collect()).collect();
        let centred: Vec<Vec<f64>> = series.iter().map(|x| x.iter().map(|v| v - mean(x)).collect()).collect();
        let fft = autocovariances_fft(&centred);
        assert_eq!(fft.len(), 3);
        for (x, a) in series.iter().zip(&fft) {
            for (t, (f, d)) in a.iter().zip(direct_autocovariance(x)).enumerate() {
                assert!((f - d).abs() < 1e-12, "lag {t}: {f} vs {d}");
            }
        }
    }

    #[test]
    fn lags_on_demand_match_every_lag_by_fft_past_the_direct_limit() {
        // A slowly mixing AR(1) series reads lags past the direct limit.
        let mut rng = ChainRng::new(21, 0, 0);
        let mut x = 0.0;
        let chains: Vec<Vec<f64>> = (0..2)
            .map(|_| {
                (0..300)
                    .map(|_| {
                        x = 0.99 * x + rng.std_normal();
                        x
                    })
                    .collect()
            })
            .collect();
        let mut lazy = MeanAutocovariance::new(&chains, 300);
        assert!(lazy.direct_limit < 200);
        let direct: Vec<Vec<f64>> = chains.iter().map(|c| direct_autocovariance(c)).collect();
        for t in [0, 1, 5, lazy.direct_limit - 1, lazy.direct_limit, 250, 299] {
            let expect = (direct[0][t] + direct[1][t]) / 2.0;
            assert!((lazy.at(t) - expect).abs() < 1e-10, "lag {t}: {} vs {expect}", lazy.at(t));
        }
        assert_eq!(lazy.values.len(), 300, "past the limit every lag is computed at once");
    }

    #[test]
    fn column_diagnostics_are_the_separate_diagnostics() {
        let mut scores = RankScores::default();
        let mut shifted = iid_chains(31, 4, 101, &[0.0, 0.0, 0.5, 0.0]);
        shifted[1].truncate(90); // unequal lengths are cut to the shortest
        // Ties (draws rounded to one decimal) give half-integer average ranks.
        let tied: Vec<Vec<f64>> = iid_chains(32, 3, 60, &[]).iter().map(|c| c.iter().map(|v| (v * 10.0).round() / 10.0).collect()).collect();
        let constant = vec![vec![2.0; 20]; 2];
        for chains in [shifted, tied, constant, iid_chains(33, 1, 7, &[])] {
            let d = column_diagnostics(&chains, &mut scores);
            let same = |a: f64, b: f64| a == b || (a.is_nan() && b.is_nan());
            assert!(same(d.rhat, rhat(&chains)), "{} vs {}", d.rhat, rhat(&chains));
            assert!(same(d.ess_bulk, ess_bulk(&chains)));
            assert!(same(d.ess_tail, ess_tail(&chains)));
            assert!(same(d.ess_mean, ess_mean(&chains)));
        }
    }

    #[test]
    fn folded_pool_is_the_sorted_folded_draws() {
        let mut rng = ChainRng::new(41, 0, 0);
        // Ties and values at the median included.
        let x: Vec<f64> = (0..51).map(|_| (rng.std_normal() * 4.0).round() / 4.0).collect();
        let (_, pool) = rank_normalize_sorted(&[x.clone()], &mut RankScores::default());
        let med = pool_quantile(&pool, 0.5);
        let folded = folded_pool(&pool, med);
        let mut expect: Vec<f64> = x.iter().map(|v| (v - med).abs()).collect();
        expect.sort_by(f64::total_cmp);
        assert_eq!(folded.iter().map(|p| p.0).collect::<Vec<_>>(), expect);
        // Each folded value is that of the draw at its position.
        assert!(folded.iter().all(|&(f, p)| f == (x[p as usize] - med).abs()));
    }

    #[test]
    fn tied_draws_share_the_score_of_their_average_rank() {
        let z = rank_normalize(&[vec![1.0, 3.0, 3.0, 2.0]]);
        let score = |rank: f64| normal_quantile((rank - 0.375) / 4.25);
        assert_eq!(z[0], vec![score(1.0), score(3.5), score(3.5), score(2.0)]);
    }

    fn iid_chains(seed: u64, chains: usize, n: usize, shift: &[f64]) -> Vec<Vec<f64>> {
        (0..chains)
            .map(|c| {
                let mut rng = ChainRng::new(seed, c as u64, 0);
                (0..n).map(|_| rng.std_normal() + shift.get(c).copied().unwrap_or(0.0)).collect()
            })
            .collect()
    }

    #[test]
    fn iid_draws_have_ess_near_n_and_rhat_near_1() {
        let ch = iid_chains(11, 4, 1000, &[]);
        let n = 4000.0;
        let (bulk, tail, r) = (ess_bulk(&ch), ess_tail(&ch), rhat(&ch));
        assert!(bulk > 0.85 * n && bulk < 1.2 * n, "bulk {bulk}");
        assert!(tail > 0.75 * n && tail < 1.3 * n, "tail {tail}");
        assert!(r < 1.01, "rhat {r}");
        let se = mcse_mean(&ch);
        assert!((se - (1.0 / n).sqrt()).abs() < 0.15 * (1.0 / n).sqrt(), "mcse {se}");
    }

    #[test]
    fn ar1_ess_matches_theory() {
        // AR(1) with phi = 0.9 and unit innovations: ESS ~ n (1 - phi) / (1 + phi).
        let phi: f64 = 0.9;
        let chains: Vec<Vec<f64>> = (0..4)
            .map(|c| {
                let mut rng = ChainRng::new(5, c, 0);
                let mut x = rng.std_normal() / (1.0 - phi * phi).sqrt();
                (0..10_000)
                    .map(|_| {
                        x = phi * x + rng.std_normal();
                        x
                    })
                    .collect()
            })
            .collect();
        let expect = 40_000.0 * (1.0 - phi) / (1.0 + phi);
        let e = ess_mean(&chains);
        let b = ess_bulk(&chains);
        assert!((e - expect).abs() < 0.15 * expect, "ess_mean {e} vs {expect}");
        assert!((b - expect).abs() < 0.15 * expect, "ess_bulk {b} vs {expect}");
        assert!(rhat(&chains) < 1.01);
    }

    #[test]
    fn shifted_chains_have_large_rhat() {
        // One chain of four shifted by 2 sd: for split chains the between-
        // chain variance of the means is about 6/7 of the within-chain
        // variance, so R-hat is about sqrt(1 + 6/7) = 1.36.
        let ch = iid_chains(12, 4, 500, &[0.0, 0.0, 0.0, 2.0]);
        let r = rhat(&ch);
        assert!(r > 1.2, "rhat {r}");
        // A chain with a larger scale is caught by the folded R-hat.
        let mut ch = iid_chains(13, 4, 500, &[]);
        ch[3].iter_mut().for_each(|v| *v *= 4.0);
        let r = rhat(&ch);
        assert!(r > 1.1, "folded rhat {r}");
        assert!(rhat_basic(&split_chains(&ch)) < r);
    }

    #[test]
    fn degenerate_inputs_give_nan() {
        assert!(rhat(&[vec![1.0; 10], vec![1.0; 10]]).is_nan());
        assert!(ess_bulk(&[vec![1.0, 2.0]]).is_nan());
        assert!(ess_bulk(&[vec![1.0, 2.0, f64::NAN, 3.0, 4.0]]).is_nan());
        let empty: Vec<Vec<f64>> = vec![];
        assert!(rhat(&empty).is_nan());
        assert!(ebfmi(&[1.0]).is_nan());
    }
}
