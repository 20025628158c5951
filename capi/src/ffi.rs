//! The exported C functions, with BridgeStan's names and signatures
//! (`capi/include/bridgestan.h`). Each one checks its pointers, catches
//! panics and turns failures into BridgeStan's return codes and messages.

#![allow(non_upper_case_globals)]
// The exported functions take raw pointers from C; their contract is the
// header's, checked here for null and sized from the model.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

use crate::model::{c_string, ApiModel, DensityFlags};
use crate::own_file::embedded_model;
use hbmc_stdlib::ChainRng;
use std::ffi::{c_char, c_int, c_uint, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// BridgeStan's interface version (see `crate::BS_MAJOR`).
#[no_mangle]
pub static bs_major_version: c_int = crate::BS_MAJOR;
/// See `bs_major_version`.
#[no_mangle]
pub static bs_minor_version: c_int = crate::BS_MINOR;
/// See `bs_major_version`.
#[no_mangle]
pub static bs_patch_version: c_int = crate::BS_PATCH;

/// The opaque `bs_rng`: the stdlib's generator, seeded as chain 0.
pub struct BsRng(ChainRng);

/// Writes `message` to `*error_msg` when the caller asked for messages.
fn set_error(error_msg: *mut *mut c_char, message: &str) {
    if !error_msg.is_null() {
        // SAFETY: the caller passed a writable `char**` (the header's contract).
        unsafe { *error_msg = c_string(message).into_raw() };
    }
}

/// Runs `f`, catching panics; on failure sets the message and returns `fail`.
fn guarded<T>(error_msg: *mut *mut c_char, fail: T, f: impl FnOnce() -> Result<T, String>) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(value)) => value,
        Ok(Err(message)) => {
            set_error(error_msg, &message);
            fail
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            set_error(error_msg, &format!("internal error in hbmc (please report it): {what}"));
            fail
        }
    }
}

/// Guards a function with a status return: 0 on success, -1 on failure.
fn status(error_msg: *mut *mut c_char, f: impl FnOnce() -> Result<(), String>) -> c_int {
    guarded(error_msg, -1, || f().map(|()| 0))
}

fn model<'a>(m: *const ApiModel) -> Result<&'a ApiModel, String> {
    // SAFETY: a non-null `m` came from `bs_model_construct` and is not yet destructed (header contract).
    unsafe { m.as_ref() }.ok_or_else(|| "the model pointer is null".to_string())
}

fn input<'a>(p: *const f64, len: usize, what: &str) -> Result<&'a [f64], String> {
    if p.is_null() {
        return Err(format!("{what} is null"));
    }
    // SAFETY: non-null, and the caller provides `len` values (header contract).
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

fn output<'a>(p: *mut f64, len: usize, what: &str) -> Result<&'a mut [f64], String> {
    if p.is_null() {
        return Err(format!("{what} is null"));
    }
    // SAFETY: non-null, and the caller provides room for `len` values (header contract).
    Ok(unsafe { std::slice::from_raw_parts_mut(p, len) })
}

fn text<'a>(p: *const c_char, what: &str) -> Result<Option<&'a str>, String> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: non-null C strings are NUL-terminated (header contract).
    let s = unsafe { CStr::from_ptr(p) };
    s.to_str().map(Some).map_err(|_| format!("{what} is not valid UTF-8"))
}

fn write_value(p: *mut f64, value: f64, what: &str) -> Result<(), String> {
    output(p, 1, what)?[0] = value;
    Ok(())
}

/// Compiles the library's model and binds `data` (a JSON file path, a JSON
/// string, or null/empty for none). Null on failure.
#[no_mangle]
pub extern "C" fn bs_model_construct(data: *const c_char, _seed: c_uint, error_msg: *mut *mut c_char) -> *mut ApiModel {
    guarded(error_msg, std::ptr::null_mut(), || {
        let embedded = embedded_model()?;
        let data = text(data, "the data argument")?.unwrap_or("");
        Ok(Box::into_raw(Box::new(ApiModel::construct(embedded, data)?)))
    })
}

/// Frees a model from `bs_model_construct`.
#[no_mangle]
pub extern "C" fn bs_model_destruct(m: *mut ApiModel) {
    if !m.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: `m` came from `Box::into_raw` in `bs_model_construct` and is freed once (header contract).
            drop(unsafe { Box::from_raw(m) })
        }));
    }
}

/// Frees a message this library wrote to an `error_msg`.
#[no_mangle]
pub extern "C" fn bs_free_error_msg(error_msg: *mut c_char) {
    if !error_msg.is_null() {
        // SAFETY: messages are made by `CString::into_raw` in `set_error`.
        drop(unsafe { CString::from_raw(error_msg) });
    }
}

fn string_of(m: *const ApiModel, get: impl FnOnce(&ApiModel) -> *const c_char) -> *const c_char {
    guarded(std::ptr::null_mut(), std::ptr::null(), || Ok(get(model(m)?)))
}

/// The model's name, owned by the model.
#[no_mangle]
pub extern "C" fn bs_name(m: *const ApiModel) -> *const c_char {
    string_of(m, |m| m.name().as_ptr())
}

/// What this library is and supports, owned by the model.
#[no_mangle]
pub extern "C" fn bs_model_info(m: *const ApiModel) -> *const c_char {
    string_of(m, |m| m.info().as_ptr())
}

/// Comma-separated output column names, owned by the model.
#[no_mangle]
pub extern "C" fn bs_param_names(m: *const ApiModel, include_tp: bool, include_gq: bool) -> *const c_char {
    string_of(m, |m| m.param_names(include_tp, include_gq).as_ptr())
}

/// Comma-separated unconstrained coordinate names, owned by the model.
#[no_mangle]
pub extern "C" fn bs_param_unc_names(m: *const ApiModel) -> *const c_char {
    string_of(m, |m| m.param_unc_names().as_ptr())
}

/// The number of output columns; -1 for a null model.
#[no_mangle]
pub extern "C" fn bs_param_num(m: *const ApiModel, include_tp: bool, include_gq: bool) -> c_int {
    guarded(std::ptr::null_mut(), -1, || Ok(model(m)?.param_num(include_tp, include_gq) as c_int))
}

/// The number of unconstrained coordinates; -1 for a null model.
#[no_mangle]
pub extern "C" fn bs_param_unc_num(m: *const ApiModel) -> c_int {
    guarded(std::ptr::null_mut(), -1, || Ok(model(m)?.param_unc_num() as c_int))
}

/// Constrained output columns at an unconstrained point.
#[no_mangle]
pub extern "C" fn bs_param_constrain(
    m: *const ApiModel,
    include_tp: bool,
    include_gq: bool,
    theta_unc: *const f64,
    theta: *mut f64,
    rng: *mut BsRng,
    error_msg: *mut *mut c_char,
) -> c_int {
    status(error_msg, || {
        let m = model(m)?;
        let theta_unc = input(theta_unc, m.param_unc_num(), "theta_unc")?;
        let theta = output(theta, m.param_num(include_tp, include_gq), "theta")?;
        // SAFETY: a non-null `rng` came from `bs_rng_construct`; BridgeStan
        // RNGs are used by one thread at a time (header contract).
        let rng = unsafe { rng.as_mut() }.map(|r| &mut r.0);
        m.param_constrain(include_tp, include_gq, theta_unc, theta, rng)
    })
}

/// The unconstrained point of constrained parameter values.
#[no_mangle]
pub extern "C" fn bs_param_unconstrain(
    m: *const ApiModel,
    theta: *const f64,
    theta_unc: *mut f64,
    error_msg: *mut *mut c_char,
) -> c_int {
    status(error_msg, || {
        let m = model(m)?;
        let theta = input(theta, m.param_num(false, false), "theta")?;
        let theta_unc = output(theta_unc, m.param_unc_num(), "theta_unc")?;
        m.param_unconstrain(theta, theta_unc)
    })
}

/// The unconstrained point of parameter values given as JSON.
#[no_mangle]
pub extern "C" fn bs_param_unconstrain_json(
    m: *const ApiModel,
    json: *const c_char,
    theta_unc: *mut f64,
    error_msg: *mut *mut c_char,
) -> c_int {
    status(error_msg, || {
        let m = model(m)?;
        let json = text(json, "json")?.ok_or("json is null")?;
        let theta_unc = output(theta_unc, m.param_unc_num(), "theta_unc")?;
        m.param_unconstrain_json(json, theta_unc)
    })
}

/// An initial point with a finite log density.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn bs_param_initialize(
    m: *const ApiModel,
    json: *const c_char,
    rng: *mut BsRng,
    init_radius: f64,
    max_tries: c_int,
    jacobian: bool,
    theta_unc: *mut f64,
    error_msg: *mut *mut c_char,
) -> c_int {
    status(error_msg, || {
        let m = model(m)?;
        let json = text(json, "json")?;
        // SAFETY: as in `bs_param_constrain`.
        let rng = unsafe { rng.as_mut() }.ok_or("rng is null")?;
        let theta_unc = output(theta_unc, m.param_unc_num(), "theta_unc")?;
        // Whether the density is finite does not depend on the dropped
        // constants (they are finite, or subtract nothing), so the full
        // density serves and no second log density is compiled for it.
        m.param_initialize(json, &mut rng.0, init_radius, max_tries, DensityFlags { propto: false, jacobian }, theta_unc)
    })
}

/// The log density at an unconstrained point.
#[no_mangle]
pub extern "C" fn bs_log_density(
    m: *const ApiModel,
    propto: bool,
    jacobian: bool,
    theta_unc: *const f64,
    lp: *mut f64,
    error_msg: *mut *mut c_char,
) -> c_int {
    status(error_msg, || {
        let m = model(m)?;
        let theta_unc = input(theta_unc, m.param_unc_num(), "theta_unc")?;
        let value = m.log_density(DensityFlags { propto, jacobian }, theta_unc)?;
        write_value(lp, value, "lp")
    })
}

/// The log density and its gradient.
#[no_mangle]
pub extern "C" fn bs_log_density_gradient(
    m: *const ApiModel,
    propto: bool,
    jacobian: bool,
    theta_unc: *const f64,
    val: *mut f64,
    grad: *mut f64,
    error_msg: *mut *mut c_char,
) -> c_int {
    status(error_msg, || {
        let m = model(m)?;
        let theta_unc = input(theta_unc, m.param_unc_num(), "theta_unc")?;
        let grad = output(grad, m.param_unc_num(), "grad")?;
        let value = m.log_density_gradient(DensityFlags { propto, jacobian }, theta_unc, grad)?;
        write_value(val, value, "val")
    })
}

const NO_HESSIAN: &str = "hbmc model libraries do not compute Hessians (only the log density and its gradient); use finite differences of bs_log_density_gradient";

/// Not supported: returns -1 with a message.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn bs_log_density_hessian(
    _m: *const ApiModel,
    _propto: bool,
    _jacobian: bool,
    _theta_unc: *const f64,
    _val: *mut f64,
    _grad: *mut f64,
    _hessian: *mut f64,
    error_msg: *mut *mut c_char,
) -> c_int {
    status(error_msg, || Err(NO_HESSIAN.into()))
}

/// Not supported: returns -1 with a message.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn bs_log_density_hessian_vector_product(
    _m: *const ApiModel,
    _propto: bool,
    _jacobian: bool,
    _theta_unc: *const f64,
    _vector: *const f64,
    _val: *mut f64,
    _hvp: *mut f64,
    error_msg: *mut *mut c_char,
) -> c_int {
    status(error_msg, || Err(NO_HESSIAN.into()))
}

/// A generator for `bs_param_constrain` and `bs_param_initialize`.
#[no_mangle]
pub extern "C" fn bs_rng_construct(seed: c_uint, error_msg: *mut *mut c_char) -> *mut BsRng {
    guarded(error_msg, std::ptr::null_mut(), || Ok(Box::into_raw(Box::new(BsRng(ChainRng::new(u64::from(seed), 0))))))
}

/// Frees a generator from `bs_rng_construct`.
#[no_mangle]
pub extern "C" fn bs_rng_destruct(rng: *mut BsRng) {
    if !rng.is_null() {
        // SAFETY: `rng` came from `Box::into_raw` in `bs_rng_construct` and is freed once.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(rng) })));
    }
}

/// The C type of a print callback.
pub type StreamCallback = Option<extern "C" fn(data: *const c_char, size: usize)>;

/// Accepted for compatibility; hbmc's embedding API discards `print`
/// output, so the callback is never called (documented in the header and
/// in `bs_model_info`).
#[no_mangle]
pub extern "C" fn bs_set_print_callback(_callback: StreamCallback, _error_msg: *mut *mut c_char) -> c_int {
    0
}
