//! The trajectory as it was before the slot pool: Stan's `base_nuts.hpp`
//! transcribed with whole-state copies at every leaf. Kept only as the test
//! oracle of [`super::tree`], which must give bit-identical draws, statistics
//! and random-number consumption.
#![allow(dead_code)]

use super::hamiltonian::{dot, Hamiltonian, Point};
use crate::density::LogDensity;
use crate::rng::ChainRng;

/// Sampler statistics of one transition (the `__` columns of the CSV).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TransitionStats {
    /// Average Metropolis acceptance probability over the trajectory.
    pub accept_stat: f64,
    /// Average of `2 min(1, e^d) / (1 + e^d)`, `d = H0 - H`, over the
    /// trajectory: symmetric in the energy error, it penalises energy
    /// gains as much as losses (nutpie's late step-size adaptation uses it).
    pub accept_stat_sym: f64,
    /// Step size used.
    pub step_size: f64,
    /// Tree depth reached.
    pub depth: u32,
    /// Number of leapfrog steps taken.
    pub n_leapfrog: u64,
    /// Whether the trajectory diverged.
    pub divergent: bool,
    /// Hamiltonian at the selected point.
    pub energy: f64,
    /// Whether the trajectory stopped because the maximum depth was reached.
    pub hit_max_depth: bool,
}

use super::tree::{acceptance_probs, weigh};

/// Log of `exp(a) + exp(b)`, with `-inf` handled.
pub(crate) fn log_sum_exp(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    let (m, rest) = if a > b { (a, b - a) } else { (b, a - b) };
    m + rest.exp().ln_1p()
}

/// Stan's `compute_criterion`: no U-turn between the two ends.
#[inline]
fn no_u_turn(p_sharp_minus: &[f64], p_sharp_plus: &[f64], rho: &[f64]) -> bool {
    dot(p_sharp_plus, rho) > 0.0 && dot(p_sharp_minus, rho) > 0.0
}

/// Scratch storage reused across transitions so that building a tree does not
/// allocate once warm.
pub(crate) struct TreeWorkspace {
    dim: usize,
    vecs: Vec<Vec<f64>>,
    points: Vec<Point>,
}

impl TreeWorkspace {
    pub(crate) fn new(dim: usize) -> Self {
        TreeWorkspace { dim, vecs: Vec::new(), points: Vec::new() }
    }

    fn vec_zeroed(&mut self) -> Vec<f64> {
        match self.vecs.pop() {
            Some(mut v) => {
                v.iter_mut().for_each(|x| *x = 0.0);
                v
            }
            None => vec![0.0; self.dim],
        }
    }

    fn vec_copy(&mut self, src: &[f64]) -> Vec<f64> {
        match self.vecs.pop() {
            Some(mut v) => {
                v.copy_from_slice(src);
                v
            }
            None => src.to_vec(),
        }
    }

    fn give(&mut self, v: Vec<f64>) {
        self.vecs.push(v);
    }

    fn point_copy(&mut self, src: &Point) -> Point {
        match self.points.pop() {
            Some(mut p) => {
                p.copy_from(src);
                p
            }
            None => src.clone(),
        }
    }

    fn give_point(&mut self, p: Point) {
        self.points.push(p);
    }
}

/// Settings of the trajectory builder.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NutsOptions {
    pub max_depth: u32,
    pub max_energy_error: f64,
}

struct Builder<'s, 'h, 'a, D: LogDensity> {
    ham: &'s mut Hamiltonian<'a, D>,
    rng: &'s mut ChainRng,
    ws: &'h mut TreeWorkspace,
    eps: f64,
    h0: f64,
    max_energy_error: f64,
    n_leapfrog: u64,
    sum_metro_prob: f64,
    sum_sym_prob: f64,
    divergent: bool,
}

impl<D: LogDensity> Builder<'_, '_, '_, D> {
    /// Stan's `build_tree`: extends `z` by `2^depth` leapfrog steps in
    /// direction `sign`, returns whether the subtree is valid (no divergence,
    /// no U-turn inside). Fills the subtree's boundary momenta, its summed
    /// momentum (added into `rho`), its log weight (added into
    /// `log_sum_weight`) and its multinomial proposal.
    #[allow(clippy::too_many_arguments)]
    fn build_tree(
        &mut self,
        depth: u32,
        z: &mut Point,
        z_propose: &mut Point,
        p_sharp_beg: &mut [f64],
        p_sharp_end: &mut [f64],
        rho: &mut [f64],
        p_beg: &mut [f64],
        p_end: &mut [f64],
        sign: f64,
        log_sum_weight: &mut f64,
    ) -> bool {
        if depth == 0 {
            self.ham.leapfrog(z, sign * self.eps);
            self.n_leapfrog += 1;
            let h = self.ham.energy(z);
            if h - self.h0 > self.max_energy_error {
                self.divergent = true;
            }
            *log_sum_weight = log_sum_exp(*log_sum_weight, self.h0 - h);
            let (metro, sym) = acceptance_probs(self.h0 - h);
            self.sum_metro_prob += metro;
            self.sum_sym_prob += sym;
            z_propose.copy_from(z);
            p_sharp_beg.copy_from_slice(&z.v);
            p_sharp_end.copy_from_slice(&z.v);
            for (r, p) in rho.iter_mut().zip(&z.p) {
                *r += p;
            }
            p_beg.copy_from_slice(&z.p);
            p_end.copy_from_slice(&z.p);
            return !self.divergent;
        }

        // Build the initial subtree.
        let mut log_sum_weight_init = f64::NEG_INFINITY;
        let mut p_init_end = self.ws.vec_zeroed();
        let mut p_sharp_init_end = self.ws.vec_zeroed();
        let mut rho_init = self.ws.vec_zeroed();
        let valid_init = self.build_tree(
            depth - 1,
            z,
            z_propose,
            p_sharp_beg,
            &mut p_sharp_init_end,
            &mut rho_init,
            p_beg,
            &mut p_init_end,
            sign,
            &mut log_sum_weight_init,
        );
        if !valid_init {
            self.ws.give(p_init_end);
            self.ws.give(p_sharp_init_end);
            self.ws.give(rho_init);
            return false;
        }

        // Build the final subtree.
        let mut z_propose_final = self.ws.point_copy(z);
        let mut log_sum_weight_final = f64::NEG_INFINITY;
        let mut p_final_beg = self.ws.vec_zeroed();
        let mut p_sharp_final_beg = self.ws.vec_zeroed();
        let mut rho_final = self.ws.vec_zeroed();
        let valid_final = self.build_tree(
            depth - 1,
            z,
            &mut z_propose_final,
            &mut p_sharp_final_beg,
            p_sharp_end,
            &mut rho_final,
            &mut p_final_beg,
            p_end,
            sign,
            &mut log_sum_weight_final,
        );

        let mut persist = valid_final;
        if valid_final {
            // Multinomial sample from the right subtree.
            // As Stan, but with the probability e^final / (e^init + e^final)
            // computed as the trajectory does.
            let w = weigh(log_sum_weight_init, log_sum_weight_final);
            *log_sum_weight = log_sum_exp(*log_sum_weight, w.log_sum);
            if self.rng.uniform() < w.share {
                z_propose.copy_from(&z_propose_final);
            }

            let mut rho_subtree = self.ws.vec_zeroed();
            for ((s, a), b) in rho_subtree.iter_mut().zip(&rho_init).zip(&rho_final) {
                *s = a + b;
            }
            for (r, s) in rho.iter_mut().zip(&rho_subtree) {
                *r += s;
            }
            persist = no_u_turn(p_sharp_beg, p_sharp_end, &rho_subtree);

            // Extra checks across the two subtrees: each subtree plus the
            // nearest point of the other.
            let mut rho_extended = rho_subtree;
            for ((e, r), p) in rho_extended.iter_mut().zip(&rho_init).zip(&p_final_beg) {
                *e = r + p;
            }
            persist &= no_u_turn(p_sharp_beg, &p_sharp_final_beg, &rho_extended);
            for ((e, r), p) in rho_extended.iter_mut().zip(&rho_final).zip(&p_init_end) {
                *e = r + p;
            }
            persist &= no_u_turn(&p_sharp_init_end, p_sharp_end, &rho_extended);
            self.ws.give(rho_extended);
        }

        self.ws.give_point(z_propose_final);
        self.ws.give(p_init_end);
        self.ws.give(p_sharp_init_end);
        self.ws.give(rho_init);
        self.ws.give(p_final_beg);
        self.ws.give(p_sharp_final_beg);
        self.ws.give(rho_final);
        persist
    }
}

/// One NUTS transition from `z` (whose position, log density and gradient are
/// current). Draws a momentum, builds the trajectory, and leaves the selected
/// point in `z`.
pub(crate) fn transition<D: LogDensity>(
    ham: &mut Hamiltonian<'_, D>,
    rng: &mut ChainRng,
    ws: &mut TreeWorkspace,
    z: &mut Point,
    step_size: f64,
    options: NutsOptions,
) -> TransitionStats {
    ham.refresh_momentum(z, rng);

    let mut z_fwd = ws.point_copy(z);
    let mut z_bck = ws.point_copy(z);
    let mut z_sample = ws.point_copy(z);
    let mut z_propose = ws.point_copy(z);

    let mut p_fwd_fwd = ws.vec_copy(&z.p);
    let mut p_sharp_fwd_fwd = ws.vec_copy(&z.v);
    let mut p_fwd_bck = ws.vec_copy(&z.p);
    let mut p_sharp_fwd_bck = ws.vec_copy(&z.v);
    let mut p_bck_fwd = ws.vec_copy(&z.p);
    let mut p_sharp_bck_fwd = ws.vec_copy(&z.v);
    let mut p_bck_bck = ws.vec_copy(&z.p);
    let mut p_sharp_bck_bck = ws.vec_copy(&z.v);
    let mut rho = ws.vec_copy(&z.p);
    let mut rho_fwd = ws.vec_zeroed();
    let mut rho_bck = ws.vec_zeroed();
    let mut rho_extended = ws.vec_zeroed();

    let mut log_sum_weight = 0.0; // log(exp(H0 - H0))
    let h0 = z.energy();

    let mut b = Builder {
        ham,
        rng,
        ws,
        eps: step_size,
        h0,
        max_energy_error: options.max_energy_error,
        n_leapfrog: 0,
        sum_metro_prob: 0.0,
        sum_sym_prob: 0.0,
        divergent: false,
    };

    let mut depth = 0u32;
    while depth < options.max_depth {
        rho_fwd.iter_mut().for_each(|x| *x = 0.0);
        rho_bck.iter_mut().for_each(|x| *x = 0.0);
        let mut log_sum_weight_subtree = f64::NEG_INFINITY;

        let valid_subtree = if b.rng.uniform() > 0.5 {
            // Extend the trajectory forward.
            rho_bck.copy_from_slice(&rho);
            p_bck_fwd.copy_from_slice(&p_fwd_bck);
            p_sharp_bck_fwd.copy_from_slice(&p_sharp_fwd_bck);
            b.build_tree(
                depth,
                &mut z_fwd,
                &mut z_propose,
                &mut p_sharp_fwd_bck,
                &mut p_sharp_fwd_fwd,
                &mut rho_fwd,
                &mut p_fwd_bck,
                &mut p_fwd_fwd,
                1.0,
                &mut log_sum_weight_subtree,
            )
        } else {
            // Extend the trajectory backward.
            rho_fwd.copy_from_slice(&rho);
            p_fwd_bck.copy_from_slice(&p_bck_fwd);
            p_sharp_fwd_bck.copy_from_slice(&p_sharp_bck_fwd);
            b.build_tree(
                depth,
                &mut z_bck,
                &mut z_propose,
                &mut p_sharp_bck_fwd,
                &mut p_sharp_bck_bck,
                &mut rho_bck,
                &mut p_bck_fwd,
                &mut p_bck_bck,
                -1.0,
                &mut log_sum_weight_subtree,
            )
        };

        if !valid_subtree {
            break;
        }
        depth += 1;

        // Biased progressive sampling between old trajectory and new subtree.
        let w = weigh(log_sum_weight, log_sum_weight_subtree);
        if log_sum_weight_subtree > log_sum_weight || b.rng.uniform() < w.ratio {
            z_sample.copy_from(&z_propose);
        }
        log_sum_weight = w.log_sum;

        // Break when the no-U-turn criterion fails for the whole trajectory
        // or across the boundary between its two parts.
        for ((r, bk), fw) in rho.iter_mut().zip(&rho_bck).zip(&rho_fwd) {
            *r = bk + fw;
        }
        let mut persist = no_u_turn(&p_sharp_bck_bck, &p_sharp_fwd_fwd, &rho);
        for ((e, r), p) in rho_extended.iter_mut().zip(&rho_bck).zip(&p_fwd_bck) {
            *e = r + p;
        }
        persist &= no_u_turn(&p_sharp_bck_bck, &p_sharp_fwd_bck, &rho_extended);
        for ((e, r), p) in rho_extended.iter_mut().zip(&rho_fwd).zip(&p_bck_fwd) {
            *e = r + p;
        }
        persist &= no_u_turn(&p_sharp_bck_fwd, &p_sharp_fwd_fwd, &rho_extended);
        if !persist {
            break;
        }
    }

    let n_leapfrog = b.n_leapfrog;
    let accept_stat = if n_leapfrog > 0 { b.sum_metro_prob / n_leapfrog as f64 } else { 0.0 };
    let accept_stat_sym = if n_leapfrog > 0 { b.sum_sym_prob / n_leapfrog as f64 } else { 0.0 };
    let divergent = b.divergent;
    z.copy_from(&z_sample);
    let energy = z.energy();

    for p in [z_fwd, z_bck, z_sample, z_propose] {
        ws.give_point(p);
    }
    for v in [
        p_fwd_fwd, p_sharp_fwd_fwd, p_fwd_bck, p_sharp_fwd_bck, p_bck_fwd, p_sharp_bck_fwd,
        p_bck_bck, p_sharp_bck_bck, rho, rho_fwd, rho_bck, rho_extended,
    ] {
        ws.give(v);
    }

    TransitionStats {
        accept_stat,
        accept_stat_sym,
        step_size,
        depth,
        n_leapfrog,
        divergent,
        energy,
        hit_max_depth: depth >= options.max_depth,
    }
}
