//! Diagnostics: R-hat, ESS and MCSE ([`rhat_ess`]); warnings that say what
//! is wrong and what to try ([`warnings`]).

pub mod rhat_ess;
pub mod warnings;

pub use rhat_ess::{ebfmi, ess_bulk, ess_mean, ess_tail, mcse_mean, normal_quantile, rhat};
pub use warnings::{convergence_warnings, sampler_warnings, variable_warnings, SamplerDiagnostics};
