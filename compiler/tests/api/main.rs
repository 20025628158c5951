//! The compiler's tests through its public API (gradients against finite
//! differences, lowering, no panics), one module per file in one test binary:
//! one link instead of one per file keeps the clean-checkout CI build short.
//! Run one module with `cargo test --release -p hbmc-compiler --test api
//! MODULE::`.

mod carried_values;
mod chunks;
mod gradients;
mod lowering;
mod no_panic;
mod ragged;
