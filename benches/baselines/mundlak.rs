//! The mundlak_logit model (examples/mundlak_logit.hbm, MODELS.md 18) by
//! hand: the data simulation of MODELS.md 14 and a hand-written log density
//! with gradient, the baseline that `benches/gradient.rs` times hbmc against
//! and that `tests/e2e/baselines.rs` checks against the compiled gradient.
//!
//! Included by path from both places, so it depends on nothing but std.

#![allow(dead_code)] // the test and the bench each use a part

/// splitmix64: a fixed-seed generator, so every run simulates the same data.
pub struct SplitMix(pub u64);

impl SplitMix {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal by Box-Muller (one of the pair; simplicity over speed,
    /// this only makes data).
    pub fn normal(&mut self) -> f64 {
        // 1 - u is in (0, 1], so the log is finite.
        let r = (-2.0 * (1.0 - self.uniform()).ln()).sqrt();
        r * (2.0 * std::f64::consts::PI * self.uniform()).cos()
    }
}

/// One simulated data set: what the `data` block of mundlak_logit reads.
#[derive(Clone, Debug)]
pub struct Data {
    /// Group of each individual, 0-based.
    pub g: Vec<usize>,
    /// Individual-level exposure.
    pub x: Vec<f64>,
    /// Group-level covariate.
    pub z: Vec<f64>,
    /// Outcome, 0 or 1.
    pub y: Vec<u8>,
}

/// Simulates the confounded generative model of seed 002 (MODELS.md 14)
/// with the document's `do`: a0 = -2, bzy = 1, bxy = 0.
/// ug ~ N(0, 1.5) and z ~ N(0, 1) per group, g uniform over groups,
/// x ~ N(ug[g], 1), y ~ Bernoulli(inv_logit(a0 + bxy x + ug[g] + bzy z[g])).
pub fn simulate(n: usize, groups: usize, seed: u64) -> Data {
    let (a0, bzy, bxy) = (-2.0, 1.0, 0.0);
    let mut rng = SplitMix(seed);
    let ug: Vec<f64> = (0..groups).map(|_| 1.5 * rng.normal()).collect();
    let z: Vec<f64> = (0..groups).map(|_| rng.normal()).collect();
    let mut d = Data { g: Vec::with_capacity(n), x: Vec::with_capacity(n), z, y: Vec::with_capacity(n) };
    for _ in 0..n {
        let g = ((rng.uniform() * groups as f64) as usize).min(groups - 1);
        let x = ug[g] + rng.normal();
        let eta: f64 = a0 + bxy * x + ug[g] + bzy * d.z[g];
        let p = 1.0 / (1.0 + (-eta).exp());
        d.g.push(g);
        d.x.push(x);
        d.y.push(u8::from(rng.uniform() < p));
    }
    d
}

impl Data {
    /// Stan JSON for `read_source`: groups 1-based, as the language reads
    /// index variables. `{:?}` prints an f64 so that it reads back exactly.
    pub fn to_json(&self) -> String {
        let join = |it: &mut dyn Iterator<Item = String>| it.collect::<Vec<_>>().join(",");
        format!(
            "{{\"g\":[{}],\"x\":[{}],\"z\":[{}],\"y\":[{}]}}",
            join(&mut self.g.iter().map(|g| (g + 1).to_string())),
            join(&mut self.x.iter().map(|v| format!("{v:?}"))),
            join(&mut self.z.iter().map(|v| format!("{v:?}"))),
            join(&mut self.y.iter().map(|v| v.to_string())),
        )
    }
}

/// Parameter names in the order of the unconstrained vector
/// (the declaration order of examples/mundlak_logit.hbm): five scalars,
/// then `z_a` over groups. `tau` is stored as log(tau).
pub const PARAMS: [&str; 6] = ["bzy", "bxy", "buy", "abar", "tau", "z_a"];

/// log(sqrt(2 pi)): the normalising constant of each normal term, kept so
/// the value equals the compiled log density (which keeps constants).
const LOG_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// The model with its transformed data computed, and scratch for the
/// per-group values hoisted out of the observation loop.
pub struct Mundlak {
    g: Vec<u32>,
    x: Vec<f64>,
    /// y as +1 / -1: the sign s with log p(y | eta) = -log1p_exp(-s eta).
    sign: Vec<f64>,
    z: Vec<f64>,
    /// Transformed data: the group mean of x.
    xbar: Vec<f64>,
    /// Per group: a[g] + bzy z[g] + buy xbar[g], everything of the linear
    /// predictor that does not vary within a group.
    offset: Vec<f64>,
}

impl Mundlak {
    /// Computes the transformed data (xbar) once, as the compiled model does.
    pub fn new(d: &Data) -> Mundlak {
        let groups = d.z.len();
        let mut sum = vec![0.0; groups];
        let mut count = vec![0.0; groups];
        for (&g, &x) in d.g.iter().zip(&d.x) {
            sum[g] += x;
            count[g] += 1.0;
        }
        Mundlak {
            g: d.g.iter().map(|&g| g as u32).collect(),
            x: d.x.clone(),
            sign: d.y.iter().map(|&y| if y == 1 { 1.0 } else { -1.0 }).collect(),
            z: d.z.clone(),
            xbar: sum.iter().zip(&count).map(|(s, c)| s / c).collect(),
            offset: vec![0.0; groups],
        }
    }

    /// The number of unconstrained parameters: 5 scalars and one z_a per group.
    pub fn dim(&self) -> usize {
        5 + self.z.len()
    }

    /// The log density on the unconstrained scale (Jacobian of tau = exp(u)
    /// included, every normalising constant kept) and its gradient, written
    /// into `grad`. Layout: [bzy, bxy, buy, abar, log tau, z_a...].
    ///
    /// log p = sum over the four N(0,1) scalars of (-v^2/2 - log sqrt(2 pi))
    ///       + (-tau)                    exponential(1): log 1 - tau
    ///       + u_tau                     Jacobian: d tau / d u_tau = tau
    ///       + sum_k (-z_a[k]^2/2 - log sqrt(2 pi))
    ///       + sum_i log p(y_i | eta_i),
    /// eta_i = a[g_i] + bxy x_i + bzy z[g_i] + buy xbar[g_i],
    /// a[k] = abar + tau z_a[k].
    pub fn log_density_gradient(&mut self, u: &[f64], grad: &mut [f64]) -> f64 {
        let groups = self.z.len();
        let (bzy, bxy, buy, abar, u_tau) = (u[0], u[1], u[2], u[3], u[4]);
        let tau = u_tau.exp();
        let z_a = &u[5..5 + groups];

        // Hoisted: the group part of eta, so each observation costs one
        // multiply-add before the likelihood.
        for (k, (offset, &za)) in self.offset.iter_mut().zip(z_a).enumerate() {
            *offset = abar + tau * za + bzy * self.z[k] + buy * self.xbar[k];
        }

        // One fused pass: r_i = d log p(y_i | eta) / d eta_i. With s = +1 for
        // y = 1 and -1 for y = 0, log p = -log1p_exp(t) where t = -s eta, and
        // d/d eta = s inv_logit(t). With e = exp(-|t|) (never overflows):
        //   log1p_exp(t) = max(t, 0) + ln_1p(e)
        //   inv_logit(t) = 1 / (1 + e) if t > 0, else e / (1 + e).
        // eta depends on bxy through x_i, and on the group parameters only
        // through the group offset, so the pass keeps sum_i r_i x_i and one
        // sum of r_i per group (accumulated in the z_a slots of grad).
        let acc = &mut grad[5..5 + groups];
        acc.fill(0.0);
        let mut lp_obs = 0.0;
        let mut d_bxy = 0.0;
        for ((&g, &x), &s) in self.g.iter().zip(&self.x).zip(&self.sign) {
            let g = g as usize;
            let eta = self.offset[g] + bxy * x;
            let t = -s * eta;
            let e = (-t.abs()).exp();
            lp_obs -= t.max(0.0) + e.ln_1p();
            let r = s * (if t > 0.0 { 1.0 } else { e }) / (1.0 + e);
            d_bxy += r * x;
            acc[g] += r;
        }

        // Chain rule from the per-group sums R[k] = sum over group k of r_i:
        //   d/d bzy  = sum_k R[k] z[k],   d/d buy = sum_k R[k] xbar[k],
        //   d/d abar = sum_k R[k],        d/d tau = sum_k R[k] z_a[k],
        //   d/d z_a[k] = R[k] tau, plus -z_a[k] from its std_normal prior.
        let (mut d_bzy, mut d_buy, mut d_abar, mut d_tau) = (0.0, 0.0, 0.0, 0.0);
        let mut prior_z = 0.0;
        for (k, (slot, &za)) in acc.iter_mut().zip(z_a).enumerate() {
            let r = *slot;
            d_bzy += r * self.z[k];
            d_buy += r * self.xbar[k];
            d_abar += r;
            d_tau += r * za;
            prior_z += za * za;
            *slot = r * tau - za;
        }

        // Priors: N(0, 1) contributes -v to d/dv; exponential(1) gives -1 to
        // d/d tau. tau = exp(u_tau), so d/d u_tau = tau d/d tau, plus 1 from
        // the log-Jacobian u_tau.
        grad[0] = d_bzy - bzy;
        grad[1] = d_bxy - bxy;
        grad[2] = d_buy - buy;
        grad[3] = d_abar - abar;
        grad[4] = (d_tau - 1.0) * tau + 1.0;

        let lp_priors = -0.5 * (bzy * bzy + bxy * bxy + buy * buy + abar * abar + prior_z)
            - (4 + groups) as f64 * LOG_SQRT_2PI;
        lp_obs + lp_priors - tau + u_tau
    }
}
