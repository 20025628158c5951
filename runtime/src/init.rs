//! Initial points: uniform in `(-radius, radius)` on the unconstrained scale
//! with up to 100 tries until the log density and its gradient are finite
//! (CmdStan's `init=2`), or points given by the user.

use crate::density::LogDensity;
use crate::rng::ChainRng;

/// How chains are initialised.
#[derive(Clone, Debug, PartialEq)]
pub enum Init {
    /// Each coordinate uniform in `(-radius, radius)` (CmdStan's default is 2).
    /// A radius of 0 starts every chain at the origin.
    Random {
        /// Half-width of the interval.
        radius: f64,
    },
    /// Given unconstrained points: one for every chain, or a single point
    /// shared by all chains.
    Points(Vec<Vec<f64>>),
}

impl Default for Init {
    fn default() -> Self {
        Init::Random { radius: 2.0 }
    }
}

/// Maximum number of random initial points tried (as Stan).
pub const MAX_INIT_TRIES: usize = 100;

/// Finds the initial point for the run's `chain`-th chain (0-based within
/// the run: user points are listed per run). Returns the point, or a message
/// saying why none was found.
pub fn initial_point<D: LogDensity>(
    init: &Init,
    chain: usize,
    density: &mut D,
    rng: &mut ChainRng,
) -> Result<Vec<f64>, String> {
    let dim = density.dim();
    let mut grad = vec![0.0; dim];
    match init {
        Init::Points(points) => {
            let point = match points.len() {
                0 => return Err("no initial points were given".to_string()),
                1 => &points[0],
                n if chain < n => &points[chain],
                n => return Err(format!("{n} initial points were given but chain {} needs one", chain + 1)),
            };
            if point.len() != dim {
                return Err(format!(
                    "initial point for chain {} has {} values, the model has {dim} unconstrained parameters",
                    chain + 1,
                    point.len()
                ));
            }
            match density.logp_grad(point, &mut grad) {
                Ok(lp) if lp.is_finite() && grad.iter().all(|g| g.is_finite()) => Ok(point.clone()),
                Ok(lp) => Err(format!(
                    "at the given initial point of chain {} the log density is {lp} or its gradient is not finite",
                    chain + 1
                )),
                Err(e) => Err(format!("at the given initial point of chain {}: {}", chain + 1, e.message)),
            }
        }
        Init::Random { radius } => {
            let radius = if radius.is_finite() && *radius >= 0.0 { *radius } else { 2.0 };
            let mut last_problem = String::new();
            // Whether every try gave a NaN log density: with no point at
            // all where it is a number, the cause is rarely the point.
            let mut always_nan = true;
            for _ in 0..MAX_INIT_TRIES {
                let point: Vec<f64> = (0..dim).map(|_| rng.uniform_range(-radius, radius)).collect();
                match density.logp_grad(&point, &mut grad) {
                    Ok(lp) if lp.is_finite() && grad.iter().all(|g| g.is_finite()) => return Ok(point),
                    Ok(lp) => {
                        always_nan &= lp.is_nan();
                        last_problem = format!("log density {lp} or a non-finite gradient")
                    }
                    Err(e) if e.recoverable => {
                        always_nan = false;
                        last_problem = e.message
                    }
                    Err(e) => return Err(format!("model error at an initial point: {}", e.message)),
                }
                if radius == 0.0 {
                    break;
                }
            }
            let hint = if always_nan {
                "; the log density was NaN at every point tried, as when NaN data reach a \
                 distribution or an expression (NaN is valid data, but a density of NaN is NaN): \
                 skip NaN observations, e.g. `if (is_nan(y[n])) continue;`, or remove them"
            } else {
                "; give initial values or check the model's support"
            };
            Err(format!(
                "no initial point with a finite log density and gradient found for chain {} after {} \
                 tries in (-{radius}, {radius}) (last problem: {last_problem}){hint}",
                chain + 1,
                MAX_INIT_TRIES
            ))
        }
    }
}
