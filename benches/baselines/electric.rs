//! The electric_intercept model (examples/electric_intercept.hbm, MODELS.md 1)
//! by hand: the baseline that `benches/gradient.rs` times hbmc against, and
//! the oracle of compiler/tests/api/lowering.rs (whose lowered log density must
//! equal this one's value).
//!
//! Depends on nothing but std, so it can be included by path anywhere.

#![allow(dead_code)] // not every includer uses every part

/// log(sqrt(2 pi)): each normal term's normalising constant, kept so the
/// value equals the compiled log density (which keeps constants).
const LOG_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// The Electric Company data after the model's transformed data, with the
/// per-grade scratch that the gradient hoists out of the observation loop.
pub struct Electric {
    grades: usize,
    pairs: usize,
    /// Grade of each classroom, 0-based.
    grade: Vec<u32>,
    /// Index of (pair, grade) in the column-major `z_alpha` block.
    cell: Vec<u32>,
    t: Vec<f64>,
    /// Standardised pre-test.
    x: Vec<f64>,
    /// Standardised post-test.
    y: Vec<f64>,
    /// Classrooms per grade (constant: hoisted out of the likelihood).
    count: Vec<f64>,
    // Scratch, per grade.
    sigma_alpha: Vec<f64>,
    inv_sigma_y: Vec<f64>,
    sum_sq: Vec<f64>,
}

impl Electric {
    /// Reads examples/data/electric.csv (columns: row name, post_test,
    /// pre_test, grade, treatment, supp, pair_id) and standardises as the
    /// model's transformed data do (population sd). Grades are labelled 1..4
    /// and pairs sorted numerically, as `bind` orders labels.
    pub fn from_csv(text: &str) -> Electric {
        let mut rows = Vec::new();
        for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let f: Vec<&str> = line.split(',').collect();
            let num = |i: usize| f[i].trim_matches('"').parse::<f64>().expect("a number in electric.csv");
            rows.push((num(1), num(2), num(3) as usize, num(4), num(6) as usize));
        }
        let standardise = |v: Vec<f64>| {
            let n = v.len() as f64;
            let mean = v.iter().sum::<f64>() / n;
            let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
            v.into_iter().map(|x| (x - mean) / sd).collect::<Vec<_>>()
        };
        let mut pair_ids: Vec<usize> = rows.iter().map(|r| r.4).collect();
        pair_ids.sort_unstable();
        pair_ids.dedup();
        let pairs = pair_ids.len();
        let grades = rows.iter().map(|r| r.2).max().unwrap_or(0);
        let grade: Vec<u32> = rows.iter().map(|r| (r.2 - 1) as u32).collect();
        let pair = rows.iter().map(|r| pair_ids.binary_search(&r.4).expect("pair id"));
        let mut count = vec![0.0; grades];
        for &g in &grade {
            count[g as usize] += 1.0;
        }
        Electric {
            grades,
            pairs,
            cell: pair.zip(&grade).map(|(p, &g)| (p + g as usize * pairs) as u32).collect(),
            grade,
            t: rows.iter().map(|r| r.3).collect(),
            x: standardise(rows.iter().map(|r| r.1).collect()),
            y: standardise(rows.iter().map(|r| r.0).collect()),
            count,
            sigma_alpha: vec![0.0; grades],
            inv_sigma_y: vec![0.0; grades],
            sum_sq: vec![0.0; grades],
        }
    }

    /// The number of unconstrained parameters: five per grade and one z per
    /// (pair, grade).
    pub fn dim(&self) -> usize {
        self.grades * (5 + self.pairs)
    }

    /// The number of observations (classrooms).
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// The log density (Jacobians and constants included) and its gradient.
    /// Layout, declaration order: mu_alpha[G], log sigma_alpha[G],
    /// z_alpha[P, G] (column-major), theta[G], beta_x[G], log sigma_y[G].
    ///
    /// log p = sum_k [N(mu_alpha_k) + N(sigma_alpha_k) + N(theta_k)
    ///               + N(beta_k) + N(sigma_y_k) + u_sa_k + u_sy_k]
    ///       + sum_{p,k} N(z_pk)
    ///       + sum_i [-r_i^2 / 2 - log sigma_y[g_i] - log sqrt(2 pi)],
    /// N(v) = -v^2/2 - log sqrt(2 pi), r_i = (y_i - mu_i) / sigma_y[g_i],
    /// mu_i = mu_alpha[g] + sigma_alpha[g] z[p, g] + theta[g] t_i + beta[g] x_i.
    pub fn log_density_gradient(&mut self, u: &[f64], grad: &mut [f64]) -> f64 {
        let (gs, cells) = (self.grades, self.grades * self.pairs);
        // Offsets of each block in the unconstrained vector.
        let (o_mu, o_sa, o_z) = (0, gs, 2 * gs);
        let (o_th, o_b, o_sy) = (o_z + cells, o_z + cells + gs, o_z + cells + 2 * gs);
        let z = &u[o_z..o_z + cells];

        // Hoisted per grade: the constrained scales, 1/sigma_y, and the
        // sums of squared residuals the pass fills.
        for k in 0..gs {
            self.sigma_alpha[k] = u[o_sa + k].exp();
            self.inv_sigma_y[k] = (-u[o_sy + k]).exp();
        }
        self.sum_sq.fill(0.0);
        grad.fill(0.0);

        // One fused pass. w_i = d log p / d mu_i = r_i / sigma_y. Then
        // d/d mu_alpha = w, d/d z[p,g] = w sigma_alpha, d/d sigma_alpha =
        // w z[p,g], d/d theta = w t, d/d beta = w x; the sigma_y partial needs
        // only sum_i r_i^2 per grade (below).
        for i in 0..self.y.len() {
            let (g, c) = (self.grade[i] as usize, self.cell[i] as usize);
            let (sa, isy) = (self.sigma_alpha[g], self.inv_sigma_y[g]);
            let (t, x) = (self.t[i], self.x[i]);
            let mu = u[o_mu + g] + sa * z[c] + u[o_th + g] * t + u[o_b + g] * x;
            let r = (self.y[i] - mu) * isy;
            self.sum_sq[g] += r * r;
            let w = r * isy;
            grad[o_mu + g] += w;
            grad[o_z + c] += w * sa;
            grad[o_sa + g] += w * z[c];
            grad[o_th + g] += w * t;
            grad[o_b + g] += w * x;
        }

        // Per grade. The likelihood of grade k is -S_k/2 - n_k log sigma_y
        // (+ constants), S_k = sum r^2, so d/d sigma_y = (S_k - n_k) / sigma_y.
        // For v = exp(u) with a N(0, 1) prior on v and Jacobian u:
        // d/du = (d/dv - v) v + 1.
        let mut lp = -((5 * gs + cells + self.y.len()) as f64) * LOG_SQRT_2PI;
        for k in 0..gs {
            let (mu, th, b) = (u[o_mu + k], u[o_th + k], u[o_b + k]);
            let (u_sa, u_sy) = (u[o_sa + k], u[o_sy + k]);
            let sa = self.sigma_alpha[k];
            let sy = u_sy.exp();
            lp += -0.5 * (mu * mu + sa * sa + th * th + b * b + sy * sy) + u_sa + u_sy;
            lp += -0.5 * self.sum_sq[k] - self.count[k] * u_sy;
            grad[o_mu + k] -= mu;
            grad[o_th + k] -= th;
            grad[o_b + k] -= b;
            grad[o_sa + k] = (grad[o_sa + k] - sa) * sa + 1.0;
            let d_sy = (self.sum_sq[k] - self.count[k]) * self.inv_sigma_y[k] - sy;
            grad[o_sy + k] = d_sy * sy + 1.0;
        }
        // The std_normal prior on every z.
        for (gz, &v) in grad[o_z..o_z + cells].iter_mut().zip(z) {
            lp -= 0.5 * v * v;
            *gz -= v;
        }
        lp
    }
}
