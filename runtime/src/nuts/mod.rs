//! The No-U-Turn sampler: Hamiltonian dynamics ([`hamiltonian`]), one
//! transition ([`tree`]), Stan's initial step-size heuristic, and the timing
//! of the trajectory's own cost beyond the gradient ([`timing`]).

pub(crate) mod aligned;
pub mod hamiltonian;
pub(crate) mod kernels;
pub mod timing;
pub mod tree;
#[cfg(test)]
mod tree_reference;

use crate::density::LogDensity;
use crate::rng::ChainRng;
use hamiltonian::{Hamiltonian, Point};

/// Stan's `init_stepsize` heuristic (`base_hmc.hpp`): starting from
/// `step_size`, double or halve it until the acceptance probability
/// `exp(H0 - H)` of a single leapfrog step from `z` with a fresh momentum
/// crosses 0.8. `z` is left unchanged (its momentum is redrawn later).
#[allow(clippy::neg_cmp_op_on_partial_ord)] // NaN handling as in Stan
pub(crate) fn init_step_size<D: LogDensity>(
    ham: &mut Hamiltonian<'_, D>,
    rng: &mut ChainRng,
    z: &Point,
    mut step_size: f64,
) -> Result<f64, String> {
    if step_size == 0.0 || step_size > 1e7 || step_size.is_nan() {
        return Ok(step_size);
    }
    let mut work = z.clone();
    let log_08 = 0.8f64.ln();

    let mut one_step = |ham: &mut Hamiltonian<'_, D>, rng: &mut ChainRng, eps: f64| -> f64 {
        work.copy_from(z);
        ham.refresh_momentum(&mut work, rng);
        let h0 = work.energy();
        ham.leapfrog(&mut work, eps);
        let h = work.energy(); // NaN is mapped to +inf
        h0 - h
    };

    let delta_h = one_step(ham, rng, step_size);
    let direction: i32 = if delta_h > log_08 { 1 } else { -1 };
    loop {
        let delta_h = one_step(ham, rng, step_size);
        // Stop once the acceptance crosses 0.8 in the search direction;
        // as in Stan (`!(delta_H > log 0.8)`), NaN counts as a crossing.
        let crossed = if direction == 1 { !(delta_h > log_08) } else { !(delta_h < log_08) };
        if crossed {
            break;
        }
        step_size = if direction == 1 { 2.0 * step_size } else { 0.5 * step_size };
        if step_size > 1e7 {
            return Err("posterior is improper (the step size heuristic grew past 1e7); \
                        check the model"
                .to_string());
        }
        if step_size == 0.0 {
            return Err("no acceptably small step size could be found; \
                        perhaps the posterior is not continuous"
                .to_string());
        }
        if ham.fatal.is_some() {
            return Err("model error while tuning the initial step size".to_string());
        }
    }
    Ok(step_size)
}
