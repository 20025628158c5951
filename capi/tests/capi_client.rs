//! A BridgeStan client on model libraries: every example is built into a
//! library, loaded with `libloading` through BridgeStan's C signatures, and
//! checked against hbmc's own API (`hbmc::model`) on the same model and
//! data: names and counts, log density and gradient (the same JIT code, so
//! equal), constrained draws, the constrain/unconstrain round trip, JSON
//! initial values, errors, and use from several threads.
//!
//! Why `libloading` and not the `bridgestan` crate: that crate generates its
//! bindings with bindgen in its build script, which needs libclang, and
//! libclang is not installed on the project's machines (CI builds every
//! dev-dependency). The signatures below are those of its `bridgestan.h`
//! (2.9.0), and the version check is the one its `open_library` makes.
//! The crate itself was checked by hand (README, BENCHMARKS.md).

mod common;

use common::{build_library, examples, generic_library, scratch};
use hbmc::model::{DensityOptions, Engine, Model};
use hbmc_stdlib::ChainRng;
use libloading::{Library, Symbol};
use std::ffi::{c_char, c_int, c_uint, c_void, CStr, CString};
use std::ptr::{null, null_mut};

type Construct = unsafe extern "C" fn(*const c_char, c_uint, *mut *mut c_char) -> *mut c_void;
type Destruct = unsafe extern "C" fn(*mut c_void);
type FreeMsg = unsafe extern "C" fn(*mut c_char);
type Str = unsafe extern "C" fn(*const c_void) -> *const c_char;
type Names = unsafe extern "C" fn(*const c_void, bool, bool) -> *const c_char;
type Num = unsafe extern "C" fn(*const c_void, bool, bool) -> c_int;
type UncNum = unsafe extern "C" fn(*const c_void) -> c_int;
type Constrain =
    unsafe extern "C" fn(*const c_void, bool, bool, *const f64, *mut f64, *mut c_void, *mut *mut c_char) -> c_int;
type Unconstrain = unsafe extern "C" fn(*const c_void, *const f64, *mut f64, *mut *mut c_char) -> c_int;
type UnconstrainJson = unsafe extern "C" fn(*const c_void, *const c_char, *mut f64, *mut *mut c_char) -> c_int;
type LogDensity = unsafe extern "C" fn(*const c_void, bool, bool, *const f64, *mut f64, *mut *mut c_char) -> c_int;
type LogDensityGradient =
    unsafe extern "C" fn(*const c_void, bool, bool, *const f64, *mut f64, *mut f64, *mut *mut c_char) -> c_int;
type Hessian = unsafe extern "C" fn(
    *const c_void,
    bool,
    bool,
    *const f64,
    *mut f64,
    *mut f64,
    *mut f64,
    *mut *mut c_char,
) -> c_int;
type RngConstruct = unsafe extern "C" fn(c_uint, *mut *mut c_char) -> *mut c_void;
type RngDestruct = unsafe extern "C" fn(*mut c_void);

/// A loaded model library, as a BridgeStan client holds it.
struct Client {
    lib: Library,
}

/// Takes the message of a failed call and frees it through the library.
fn message(client: &Client, err: *mut c_char) -> String {
    assert!(!err.is_null(), "a failure must come with a message");
    let text = unsafe { CStr::from_ptr(err) }.to_string_lossy().into_owned();
    unsafe { client.f::<FreeMsg>("bs_free_error_msg")(err) };
    text
}

impl Client {
    fn open(path: &std::path::Path) -> Client {
        let lib = unsafe { Library::new(path) }.expect("the model library loads");
        let client = Client { lib };
        // The `bridgestan` crate's check: same major version, minor at least its own.
        let version = |name: &[u8]| unsafe { **client.lib.get::<*const c_int>(name).expect("version symbol") };
        assert_eq!(version(b"bs_major_version"), 2);
        assert!(version(b"bs_minor_version") >= 9);
        let _patch = version(b"bs_patch_version");
        client
    }

    fn f<T>(&self, name: &str) -> Symbol<'_, T> {
        unsafe { self.lib.get(name.as_bytes()) }.unwrap_or_else(|e| panic!("{name} is exported: {e}"))
    }

    fn construct(&self, data: &str) -> Result<*mut c_void, String> {
        let data = CString::new(data).expect("no NUL");
        let mut err = null_mut();
        let m = unsafe { self.f::<Construct>("bs_model_construct")(data.as_ptr(), 7, &mut err) };
        if m.is_null() {
            Err(message(self, err))
        } else {
            assert!(err.is_null());
            Ok(m)
        }
    }

    fn string(&self, f: &str, m: *const c_void) -> String {
        let p = unsafe { self.f::<Str>(f)(m) };
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }

    fn names(&self, m: *const c_void, tp: bool, gq: bool) -> String {
        let p = unsafe { self.f::<Names>("bs_param_names")(m, tp, gq) };
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }

    fn num(&self, m: *const c_void, tp: bool, gq: bool) -> usize {
        unsafe { self.f::<Num>("bs_param_num")(m, tp, gq) as usize }
    }

    fn unc_num(&self, m: *const c_void) -> usize {
        unsafe { self.f::<UncNum>("bs_param_unc_num")(m) as usize }
    }

    fn log_density(&self, m: *const c_void, propto: bool, jacobian: bool, theta: &[f64]) -> Result<f64, String> {
        let (mut lp, mut err) = (0.0, null_mut());
        match unsafe { self.f::<LogDensity>("bs_log_density")(m, propto, jacobian, theta.as_ptr(), &mut lp, &mut err) } {
            0 => Ok(lp),
            _ => Err(message(self, err)),
        }
    }

    fn gradient(&self, m: *const c_void, theta: &[f64]) -> Result<(f64, Vec<f64>), String> {
        self.gradient_with(m, false, true, theta)
    }

    fn gradient_with(&self, m: *const c_void, propto: bool, jacobian: bool, theta: &[f64]) -> Result<(f64, Vec<f64>), String> {
        let (mut lp, mut err) = (0.0, null_mut());
        let mut grad = vec![f64::NAN; theta.len()];
        let f = self.f::<LogDensityGradient>("bs_log_density_gradient");
        match unsafe { f(m, propto, jacobian, theta.as_ptr(), &mut lp, grad.as_mut_ptr(), &mut err) } {
            0 => Ok((lp, grad)),
            _ => Err(message(self, err)),
        }
    }

    fn constrain(&self, m: *const c_void, tp: bool, gq: bool, theta_unc: &[f64], rng: *mut c_void) -> Result<Vec<f64>, String> {
        let mut out = vec![f64::NAN; self.num(m, tp, gq)];
        let mut err = null_mut();
        let f = self.f::<Constrain>("bs_param_constrain");
        match unsafe { f(m, tp, gq, theta_unc.as_ptr(), out.as_mut_ptr(), rng, &mut err) } {
            0 => Ok(out),
            _ => Err(message(self, err)),
        }
    }

    fn unconstrain(&self, m: *const c_void, theta: &[f64]) -> Result<Vec<f64>, String> {
        let mut out = vec![f64::NAN; self.unc_num(m)];
        let mut err = null_mut();
        match unsafe { self.f::<Unconstrain>("bs_param_unconstrain")(m, theta.as_ptr(), out.as_mut_ptr(), &mut err) } {
            0 => Ok(out),
            _ => Err(message(self, err)),
        }
    }

    fn unconstrain_json(&self, m: *const c_void, json: &str) -> Result<Vec<f64>, String> {
        let mut out = vec![f64::NAN; self.unc_num(m)];
        let json = CString::new(json).expect("no NUL");
        let mut err = null_mut();
        let f = self.f::<UnconstrainJson>("bs_param_unconstrain_json");
        match unsafe { f(m, json.as_ptr(), out.as_mut_ptr(), &mut err) } {
            0 => Ok(out),
            _ => Err(message(self, err)),
        }
    }

    fn destruct(&self, m: *mut c_void) {
        unsafe { self.f::<Destruct>("bs_model_destruct")(m) }
    }
}

/// Random unconstrained points, as the oracles use.
fn points(dim: usize, count: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = ChainRng::new(seed, 0);
    (0..count).map(|_| (0..dim).map(|_| 2.0 * rng.uniform() - 1.0).collect()).collect()
}

/// The constrained parameter columns as a CmdStan JSON object: `a.2.3`
/// is element [1][2] of `a`'s nested lists.
fn columns_to_json(names: &[String], values: &[f64]) -> serde_json::Value {
    fn put(slot: &mut serde_json::Value, path: &[usize], x: f64) {
        match path.split_first() {
            None => *slot = serde_json::json!(x),
            Some((&i, rest)) => {
                if !slot.is_array() {
                    *slot = serde_json::json!([]);
                }
                let items = slot.as_array_mut().expect("made an array above");
                while items.len() < i {
                    items.push(serde_json::Value::Null);
                }
                put(&mut items[i - 1], rest, x);
            }
        }
    }
    let mut object = serde_json::Map::new();
    for (name, &x) in names.iter().zip(values) {
        let mut parts = name.split('.');
        let base = parts.next().expect("a name").to_string();
        let path: Vec<usize> = parts.map(|p| p.parse().expect("an index")).collect();
        put(object.entry(base).or_insert(serde_json::Value::Null), &path, x);
    }
    serde_json::Value::Object(object)
}

/// Every example: the library's answers equal hbmc's own API's.
#[test]
fn every_example_library_agrees_with_the_embedding_api() {
    let dir = scratch("examples");
    let mut checked = 0;
    for (name, source, data) in examples() {
        let path = build_library(&dir, &name, &source);
        let client = Client::open(&path);
        let m = client.construct(data.to_str().expect("UTF-8 path")).unwrap_or_else(|e| panic!("{name}: {e}"));
        let bound = Model::compile(&name, &source)
            .and_then(|model| model.bind_files(std::slice::from_ref(&data), Engine::Jit))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut eval = bound.evaluator();

        // Names and counts.
        assert_eq!(client.string("bs_name", m), name);
        assert!(client.string("bs_model_info", m).contains("STAN_THREADS=true"), "{name}: the bridgestan crate requires it");
        let dim = client.unc_num(m);
        assert_eq!(dim, bound.dim(), "{name}");
        assert_eq!(client.string("bs_param_unc_names", m), bound.unconstrained_names().join(","), "{name}");
        let outputs = bound.output_names();
        assert_eq!(client.num(m, true, true), outputs.len(), "{name}");
        assert_eq!(client.names(m, true, true), outputs.join(","), "{name}");
        let params: Vec<String> = bound
            .params()
            .iter()
            .flat_map(|p| outputs.iter().filter(move |c| c.split('.').next() == Some(p.name.as_str())))
            .cloned()
            .collect();
        assert_eq!(client.names(m, false, false), params.join(","), "{name}");
        assert_eq!(client.num(m, false, false), params.len(), "{name}");
        let n_tp = client.num(m, true, false) - params.len();
        assert_eq!(client.names(m, true, false), outputs[..params.len() + n_tp].join(","), "{name}");

        let rng_new = client.f::<RngConstruct>("bs_rng_construct");
        let rng_free = client.f::<RngDestruct>("bs_rng_destruct");
        for (k, theta) in points(dim, 3, 11).iter().enumerate() {
            // Log density and gradient: the same compiled code on the same data.
            let mut grad = vec![0.0; dim];
            let expected = eval.log_density_gradient(theta, &mut grad);
            let (lp, g) = client.gradient(m, theta).unwrap_or_else(|e| panic!("{name}: {e}"));
            let expected = expected.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(lp.to_bits(), expected.to_bits(), "{name}: log density with gradient");
            assert_eq!(g, grad, "{name}: gradient");
            let lp_only = client.log_density(m, false, true, theta).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(lp_only.to_bits(), eval.log_density(theta).expect("evaluates").to_bits(), "{name}: log density");

            // Constrained draw with generated quantities: same generator seed, same draw.
            let mut err = null_mut();
            let rng = unsafe { rng_new(100 + k as c_uint, &mut err) };
            assert!(!rng.is_null());
            let draw = client.constrain(m, true, true, theta, rng).unwrap_or_else(|e| panic!("{name}: {e}"));
            unsafe { rng_free(rng) };
            let mut expected_draw = Vec::new();
            eval.write_draw(theta, &mut ChainRng::new(100 + k as u64, 0), &mut expected_draw).expect("a draw");
            assert_eq!(draw.len(), expected_draw.len());
            for (i, (a, b)) in draw.iter().zip(&expected_draw).enumerate() {
                assert!(a.to_bits() == b.to_bits(), "{name}: column {} is {a}, hbmc's API gives {b}", outputs[i]);
            }

            // Round trip: unconstrain(constrain(x)) = x, from values and from JSON.
            let constrained = client.constrain(m, false, false, theta, null_mut()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(constrained[..], draw[..params.len()], "{name}");
            let back = client.unconstrain(m, &constrained).unwrap_or_else(|e| panic!("{name}: {e}"));
            let json = columns_to_json(&params, &constrained).to_string();
            let back_json = client.unconstrain_json(m, &json).unwrap_or_else(|e| panic!("{name}: {e}"));
            for i in 0..dim {
                assert!((back[i] - theta[i]).abs() <= 1e-8 * (1.0 + theta[i].abs()), "{name}: coordinate {i}: {} back as {}", theta[i], back[i]);
                // serde_json's float parsing (hbmc's, for data too) may be
                // one ulp off the printed value, so not bit-equal.
                assert!((back_json[i] - back[i]).abs() <= 1e-12 * (1.0 + back[i].abs()), "{name}: coordinate {i}: JSON gives {}, values give {}", back_json[i], back[i]);
            }
        }
        client.destruct(m);
        let _ = std::fs::remove_file(&path);
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} examples checked");
}

/// Data may be a JSON string; a wrong model input or flag is an error with
/// a message the caller frees, never a crash.
#[test]
fn data_strings_and_failures_behave_as_bridgestan() {
    let dir = scratch("failures");
    let source = "data { int N; vector[N] y; }\nparameters { real mu; real<lower=0> sigma; }\n\
                  model { y ~ normal(mu, sigma); }\ngenerated quantities { real y_new = normal_rng(mu, sigma); }\n";
    let path = build_library(&dir, "normal", source);
    let client = Client::open(&path);

    let m = client.construct(r#"{"N": 3, "y": [0.5, -1.0, 2.0]}"#).expect("JSON string data");
    let theta = [0.3, -0.2];
    let (mu, sigma) = (0.3f64, (-0.2f64).exp());
    let expected: f64 = [0.5, -1.0, 2.0]
        .iter()
        .map(|y: &f64| -0.5 * ((y - mu) / sigma).powi(2) - sigma.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln())
        .sum::<f64>()
        + (-0.2); // log-Jacobian of sigma = exp(x)
    let lp = client.log_density(m, false, true, &theta).expect("evaluates");
    assert!((lp - expected).abs() < 1e-12, "{lp} vs closed form {expected}");

    // jacobian=false leaves out exactly the log-Jacobian of sigma = exp(x).
    let lp_no_jacobian = client.log_density(m, false, false, &theta).expect("evaluates");
    assert!((lp_no_jacobian - (expected + 0.2)).abs() < 1e-12, "{lp_no_jacobian} vs {}", expected + 0.2);
    let e = client.constrain(m, true, true, &theta, null_mut()).unwrap_err();
    assert!(e.contains("RNG"), "{e}");
    let e = client.unconstrain_json(m, r#"{"mu": 1}"#).unwrap_err();
    assert!(e.contains("sigma"), "{e}");
    let e = client.unconstrain(m, &[0.0, -1.0]).unwrap_err();
    assert!(!e.is_empty());

    let (mut val, mut err) = (0.0, null_mut());
    let mut grad = [0.0; 2];
    let mut hess = [0.0; 4];
    let code = unsafe {
        client.f::<Hessian>("bs_log_density_hessian")(m, true, true, theta.as_ptr(), &mut val, grad.as_mut_ptr(), hess.as_mut_ptr(), &mut err)
    };
    assert_eq!(code, -1);
    assert!(message(&client, err).contains("Hessians"));

    // A null model pointer is an error, not a crash.
    let mut err = null_mut();
    let code = unsafe { client.f::<LogDensity>("bs_log_density")(null(), true, true, theta.as_ptr(), &mut val, &mut err) };
    assert_eq!(code, -1);
    assert!(message(&client, err).contains("null"));
    client.destruct(m);

    // Data that do not fit the model: the checker's message.
    let e = client.construct(r#"{"N": 2, "y": [0.5, -1.0, 2.0]}"#).unwrap_err();
    assert!(e.contains("`y`") && e.contains("E4020"), "{e}");
    let e = client.construct("").unwrap_err();
    assert!(e.contains('N'), "{e}");
    let e = client.construct("/no/such/data.json").unwrap_err();
    assert!(e.contains("/no/such/data.json"), "{e}");

    // The generic library itself carries no model, and says what to do.
    let generic = Client::open(&generic_library());
    let e = generic.construct("").unwrap_err();
    assert!(e.contains("hbmc build"), "{e}");
}

/// `jacobian=false`: the log-Jacobians of scalar bounds are exactly what
/// is left out, and on examples with structured transforms (Cholesky
/// factors of correlation matrices, bounds on vectors) the gradient equals
/// central finite differences of the log density.
#[test]
fn the_density_without_jacobians_is_right_and_so_is_its_gradient() {
    let dir = scratch("no-jacobian");
    let source = "parameters { real<lower=0> sigma; real<lower=-1, upper=2> a; }\n\
                  model { sigma ~ exponential(1); a ~ normal(0, 1); }\n";
    let client = Client::open(&build_library(&dir, "bounds", source));
    let m = client.construct("").expect("no data needed");
    for theta in points(2, 5, 3) {
        let (sigma, u) = (theta[0].exp(), 1.0 / (1.0 + (-theta[1]).exp()));
        let a = -1.0 + 3.0 * u;
        let density = -sigma - 0.5 * a * a - 0.5 * (2.0 * std::f64::consts::PI).ln();
        let log_jacobian = theta[0] + 3f64.ln() + u.ln() + (1.0 - u).ln();
        let without = client.log_density(m, false, false, &theta).expect("evaluates");
        let with = client.log_density(m, false, true, &theta).expect("evaluates");
        assert!((without - density).abs() < 1e-12, "{without} vs closed form {density}");
        assert!((with - density - log_jacobian).abs() < 1e-12, "{with} vs closed form {}", density + log_jacobian);
    }
    client.destruct(m);

    for wanted in ["electric_covariance_lkj", "variance_components"] {
        let (name, source, data) = examples().into_iter().find(|(n, _, _)| n == wanted).expect("example");
        let client = Client::open(&build_library(&dir, &name, &source));
        let m = client.construct(data.to_str().expect("UTF-8")).expect("constructs");
        for theta in points(client.unc_num(m), 2, 9) {
            let (lp, grad) = client.gradient_with(m, false, false, &theta).expect("evaluates");
            // The gradient function sums in another order than the density's.
            let lp_only = client.log_density(m, false, false, &theta).expect("evaluates");
            assert!((lp - lp_only).abs() <= 1e-12 * lp.abs().max(1.0), "{name}: {lp} vs {lp_only}");
            assert!(lp != client.log_density(m, false, true, &theta).expect("evaluates"), "{name}: the Jacobian terms are not zero here");
            for i in 0..theta.len() {
                let h = 1e-6 * (1.0 + theta[i].abs());
                let at = |d: f64| {
                    let mut t = theta.clone();
                    t[i] += d;
                    client.log_density(m, false, false, &t).expect("evaluates")
                };
                let fd = (at(h) - at(-h)) / (2.0 * h);
                assert!((fd - grad[i]).abs() <= 1e-5 * (1.0 + fd.abs()), "{name}: coordinate {i}: gradient {} vs finite difference {fd}", grad[i]);
            }
        }
        client.destruct(m);
    }
}

/// `jacobian +=` (written in transformed parameters and in a `_jacobian`
/// function) is part of the Jacobian adjustment: `jacobian=false` leaves
/// out exactly its terms, as it leaves out the declared bounds' own, the
/// gradient without them is the finite differences of that density, and
/// the transformed parameters beside them are written the same either way.
#[test]
fn jacobian_statements_follow_the_jacobian_flag() {
    let dir = scratch("jacobian-statement");
    let source = "functions { real upper_jacobian(real x, real ub) { jacobian += x; return ub - exp(x); } }\n\
                  parameters { real b_raw; real<lower=0> s; real log_t; }\n\
                  transformed parameters { real b = upper_jacobian(b_raw, 1.5); real t = exp(log_t); jacobian += log_t; }\n\
                  model { b ~ normal(0, 1); s ~ exponential(1); t ~ exponential(2); }\n";
    let client = Client::open(&build_library(&dir, "user_transforms", source));
    let m = client.construct("").expect("no data needed");
    for theta in points(3, 5, 11) {
        let (b, s, t) = (1.5 - theta[0].exp(), theta[1].exp(), theta[2].exp());
        let density = -0.5 * b * b - 0.5 * (2.0 * std::f64::consts::PI).ln() - s + 2f64.ln() - 2.0 * t;
        // x for b's upper bound, log s for `<lower=0>`, log t.
        let log_jacobian = theta[0] + theta[1] + theta[2];
        let without = client.log_density(m, false, false, &theta).expect("evaluates");
        let with = client.log_density(m, false, true, &theta).expect("evaluates");
        assert!((without - density).abs() < 1e-12, "{without} vs closed form {density}");
        assert!((with - density - log_jacobian).abs() < 1e-12, "{with} vs closed form {}", density + log_jacobian);
        let (lp, grad) = client.gradient_with(m, false, false, &theta).expect("evaluates");
        assert!((lp - without).abs() < 1e-12, "{lp} vs {without}");
        for i in 0..theta.len() {
            let h = 1e-6;
            let at = |d: f64| {
                let mut x = theta.clone();
                x[i] += d;
                client.log_density(m, false, false, &x).expect("evaluates")
            };
            let fd = (at(h) - at(-h)) / (2.0 * h);
            assert!((fd - grad[i]).abs() <= 1e-6 * (1.0 + fd.abs()), "coordinate {i}: gradient {} vs finite difference {fd}", grad[i]);
        }
        let draw = client.constrain(m, true, false, &theta, null_mut()).expect("constrains");
        assert_eq!(draw.len(), 5, "b_raw, s, log_t, b, t");
        assert!((draw[3] - b).abs() < 1e-12 && (draw[4] - t).abs() < 1e-12, "{draw:?}");
    }
    client.destruct(m);
}

/// `propto=true`: the terms Stan drops are dropped, with and without
/// Jacobians: on a model with a data scale, the value is the closed form of
/// Stan's dropped-constants density; on examples, it is hbmc's own API's
/// propto density (the same compiled code, so equal), a constant away from
/// `propto=false`, with the same gradient.
#[test]
fn propto_true_drops_the_constants_stan_drops() {
    let dir = scratch("propto");
    let source = "data { int N; vector[N] y; real<lower=0> s; }\nparameters { real mu; real<lower=0> tau; }\n\
                  model { tau ~ exponential(1); y ~ normal(mu, s); }\n";
    let client = Client::open(&build_library(&dir, "data_scale", source));
    let m = client.construct(r#"{"N": 3, "y": [0.5, -1.0, 2.0], "s": 1.5}"#).expect("JSON string data");
    for theta in points(2, 3, 4) {
        let (mu, tau) = (theta[0], theta[1].exp());
        // Stan keeps -z²/2 (y is data, μ a parameter) and drops -log √(2π)
        // and -log s; exponential(1) keeps -τ (its log β is of data).
        let propto: f64 = [0.5, -1.0, 2.0].iter().map(|y: &f64| -0.5 * ((y - mu) / 1.5).powi(2)).sum::<f64>() - tau;
        let dropped = 3.0 * (0.5 * (2.0 * std::f64::consts::PI).ln() + 1.5f64.ln());
        let lp = client.log_density(m, true, false, &theta).expect("evaluates");
        assert!((lp - propto).abs() < 1e-12, "propto=true: {lp} vs Stan's {propto}");
        let lp_jacobian = client.log_density(m, true, true, &theta).expect("evaluates");
        assert!((lp_jacobian - (propto + theta[1])).abs() < 1e-12, "with the Jacobian: {lp_jacobian} vs {}", propto + theta[1]);
        let full = client.log_density(m, false, false, &theta).expect("evaluates");
        assert!((full - (propto - dropped)).abs() < 1e-12, "propto=false: {full} vs {}", propto - dropped);
        let (lp_g, g) = client.gradient_with(m, true, false, &theta).expect("evaluates");
        let (_, g_full) = client.gradient_with(m, false, false, &theta).expect("evaluates");
        assert!((lp_g - lp).abs() < 1e-12);
        for (a, b) in g.iter().zip(&g_full) {
            assert!((a - b).abs() <= 1e-12 * a.abs().max(1.0), "gradient {a} vs {b}");
        }
    }
    client.destruct(m);

    for wanted in ["variance_components", "electric_covariance_lkj"] {
        let (name, source, data) = examples().into_iter().find(|(n, _, _)| n == wanted).expect("example");
        let client = Client::open(&build_library(&dir, &name, &source));
        let m = client.construct(data.to_str().expect("UTF-8")).expect("constructs");
        let model = Model::compile(&name, &source).expect("compiles");
        let sources = hbmc::model::read_data_files(std::slice::from_ref(&data)).expect("data");
        let bound = model.bind_with_density(&sources, Engine::Jit, DensityOptions { jacobian: true, propto: true }).expect("binds");
        let mut eval = bound.evaluator();
        let mut shift = None;
        for theta in points(client.unc_num(m), 3, 21) {
            let (lp, g) = client.gradient_with(m, true, true, &theta).expect("evaluates");
            let mut expected = vec![0.0; theta.len()];
            let want = eval.log_density_gradient(&theta, &mut expected).expect("evaluates");
            assert_eq!(lp.to_bits(), want.to_bits(), "{name}: the library's propto density is the API's");
            assert_eq!(g, expected, "{name}: gradient");
            let (full, g_full) = client.gradient_with(m, false, true, &theta).expect("evaluates");
            let d = full - lp;
            let first = *shift.get_or_insert(d);
            assert!(d != 0.0 && (d - first).abs() <= 1e-9 * full.abs().max(1.0), "{name}: propto=false minus propto=true is {d} here, {first} at the first point");
            for (a, b) in g.iter().zip(&g_full) {
                assert!((a - b).abs() <= 1e-9 * a.abs().max(1.0), "{name}: gradient {a} vs {b}");
            }
        }
        client.destruct(m);
    }
}

/// One model used from several threads at once gives each thread the
/// answers one thread gets (the evaluators' scratch memory is not shared).
#[test]
fn a_model_is_usable_from_several_threads() {
    let dir = scratch("threads");
    let (name, source, data) = examples().into_iter().find(|(n, _, _)| n == "variance_components").expect("example");
    let path = build_library(&dir, &name, &source);
    let client = Client::open(&path);
    let m = client.construct(data.to_str().expect("UTF-8")).expect("constructs");
    let dim = client.unc_num(m);
    let pts = points(dim, 40, 5);
    let serial: Vec<(f64, Vec<f64>)> = pts.iter().map(|t| client.gradient(m, t).expect("evaluates")).collect();
    let model = m as usize; // a thread-safe handle, shared as an address
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..5 {
                    for (t, expected) in pts.iter().zip(&serial) {
                        assert_eq!(&client.gradient(model as *const c_void, t).expect("evaluates"), expected);
                    }
                }
            });
        }
    });
    client.destruct(m);
}
