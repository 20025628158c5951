//! The runtime's tests (NUTS against closed-form posteriors, SBC, adaptation,
//! CSV), one module per file in one test binary: one link instead of one per
//! file keeps the clean-checkout CI build short. Run one module with `cargo
//! test --release -p hbmc-runtime --test api MODULE::`.

mod common;

mod adaptation;
mod csv_output;
mod posteriors;
mod robustness;
mod sbc;
