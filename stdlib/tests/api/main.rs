//! The library's tests through its public API, one module per file in one
//! test binary: one link instead of one per file keeps the clean-checkout CI
//! build short. Run one module with `cargo test --release -p hbmc-stdlib
//! --test api MODULE::`.

mod common;

mod cdfs;
mod count_distributions;
mod densities;
mod derivatives;
mod eigen;
mod eigen_general;
mod inc_beta_cdfs;
mod inv_inc_beta;
mod library_math;
mod linalg;
mod matrix_transforms;
mod more_distributions;
mod poisson_binomial_tails;
mod qr_svd;
mod rising_factorial;
mod rng;
mod special;
mod transforms;
mod vmath;
mod von_mises;
mod wiener;
mod wiener_full;
