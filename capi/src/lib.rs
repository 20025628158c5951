//! BridgeStan's C ABI (`include/bridgestan.h`) for hbm models.
//!
//! Built as a cdylib, this is the *generic* model library: it carries no
//! model. `hbmc build model.hbm -o libmodel.so` copies it and appends the
//! model's source (`hbmc::model_library`); `bs_model_construct` finds the
//! file it was loaded from, reads the source back, and compiles and binds
//! it with hbmc's JIT. A program that loads the library needs nothing else.
//!
//! Every entry point catches panics (none may cross the C boundary) and
//! reports failures as BridgeStan does: return -1 (or null) and, when the
//! caller passed an `error_msg` pointer, a message it frees with
//! `bs_free_error_msg`.

mod ffi;
mod model;
mod own_file;

pub use model::{ApiModel, DensityFlags};

/// The BridgeStan interface version this library implements: clients
/// (the `bridgestan` Rust crate, the Python package) require the same major
/// version and a minor version at least theirs.
pub const BS_MAJOR: i32 = 2;
/// See [`BS_MAJOR`].
pub const BS_MINOR: i32 = 9;
/// See [`BS_MAJOR`].
pub const BS_PATCH: i32 = 0;
