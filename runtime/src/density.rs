//! What the sampler needs from a model: a log density with gradient
//! ([`LogDensity`]) and a map from an unconstrained draw to output columns
//! ([`OutputMap`]).
//!
//! [`LogDensity`] has the shape of nuts-rs's `CpuLogpFunc::logp`: position in,
//! gradient written into a slice, `Result<f64, _>` out, with a recoverable
//! flag on the error.

use crate::rng::ChainRng;
use std::fmt;

/// A failed evaluation of a model function.
///
/// A *recoverable* error (a value outside a distribution's support, an
/// overflow) is treated like a log density of minus infinity: the proposal is
/// rejected and counted as a divergence. A non-recoverable error (a bug, a
/// broken invariant) stops the chain and is reported in its result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogDensityError {
    /// What went wrong, for the user.
    pub message: String,
    /// Whether sampling may go on (the point is just rejected).
    pub recoverable: bool,
}

impl LogDensityError {
    /// A recoverable error: the point is rejected, sampling goes on.
    pub fn recoverable(message: impl Into<String>) -> Self {
        LogDensityError { message: message.into(), recoverable: true }
    }

    /// A fatal error: the chain stops.
    pub fn fatal(message: impl Into<String>) -> Self {
        LogDensityError { message: message.into(), recoverable: false }
    }
}

impl fmt::Display for LogDensityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for LogDensityError {}

/// A log density on an unconstrained space `R^dim`, with its gradient.
///
/// The value should include the log-Jacobians of the constraining transforms
/// (it is what CmdStan writes as `lp__`). Constant terms may be dropped.
/// NaN or infinite values are allowed and mean "reject this point".
pub trait LogDensity {
    /// Number of unconstrained parameters.
    fn dim(&self) -> usize;

    /// Log density at `position` (length `dim()`); the gradient with respect
    /// to `position` is written into `gradient` (length `dim()`).
    fn logp_grad(&mut self, position: &[f64], gradient: &mut [f64])
        -> Result<f64, LogDensityError>;
}

/// Maps an unconstrained draw to the output columns: constrained parameters,
/// transformed parameters and generated quantities, in CmdStan's order.
pub trait OutputMap {
    /// Column names in CmdStan's style (`alpha.3.2`, column-major), one per
    /// value written by [`OutputMap::write_columns`].
    fn column_names(&self) -> Vec<String>;

    /// Appends the output values for `position` to `out` (which the caller
    /// clears first). `rng` is the chain's generated-quantities stream
    /// ([`crate::rng::STREAM_OUTPUT`]). A recoverable error writes NaN
    /// for every column of that draw; a fatal one stops the chain.
    fn write_columns(
        &mut self,
        position: &[f64],
        rng: &mut ChainRng,
        out: &mut Vec<f64>,
    ) -> Result<(), LogDensityError>;
}

/// A density whose output columns are the unconstrained coordinates
/// themselves, under given names. Handy for hand-written densities and tests.
#[derive(Clone, Debug)]
pub struct PlainModel<D> {
    /// The wrapped density.
    pub density: D,
    /// One name per coordinate.
    pub names: Vec<String>,
}

impl<D: LogDensity> PlainModel<D> {
    /// Wraps `density`, naming its coordinates `x.1`, `x.2`, ... after `base`.
    pub fn new(density: D, base: &str) -> Self {
        let names = if density.dim() == 1 {
            vec![base.to_string()]
        } else {
            (1..=density.dim()).map(|i| format!("{base}.{i}")).collect()
        };
        PlainModel { density, names }
    }

    /// Wraps `density` with explicit column names (one per coordinate).
    pub fn with_names(density: D, names: Vec<String>) -> Self {
        PlainModel { density, names }
    }
}

impl<D: LogDensity> LogDensity for PlainModel<D> {
    fn dim(&self) -> usize {
        self.density.dim()
    }

    fn logp_grad(&mut self, position: &[f64], gradient: &mut [f64])
        -> Result<f64, LogDensityError> {
        self.density.logp_grad(position, gradient)
    }
}

impl<D: LogDensity> OutputMap for PlainModel<D> {
    fn column_names(&self) -> Vec<String> {
        self.names.clone()
    }

    fn write_columns(
        &mut self,
        position: &[f64],
        _rng: &mut ChainRng,
        out: &mut Vec<f64>,
    ) -> Result<(), LogDensityError> {
        out.extend_from_slice(position);
        Ok(())
    }
}

/// A log density given by a closure `(position, gradient) -> Result<f64, _>`.
pub struct FnDensity<F> {
    dim: usize,
    f: F,
}

impl<F> FnDensity<F>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<f64, LogDensityError>,
{
    /// A density of dimension `dim` evaluated by `f`.
    pub fn new(dim: usize, f: F) -> Self {
        FnDensity { dim, f }
    }
}

impl<F> LogDensity for FnDensity<F>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<f64, LogDensityError>,
{
    fn dim(&self) -> usize {
        self.dim
    }

    fn logp_grad(&mut self, position: &[f64], gradient: &mut [f64])
        -> Result<f64, LogDensityError> {
        (self.f)(position, gradient)
    }
}
