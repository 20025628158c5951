//! The cost of going through a model library (issue 15.4): the library's
//! `bs_model_construct` against compiling and binding in process (as
//! `hbmc bench` times it), and its `bs_log_density_gradient` against the
//! in-process evaluator's gradient, at `hbmc bench`'s point.
//!
//! ```text
//! cargo build --release
//! cargo run --release -p hbmc-capi --example capi_bench -- MODEL DATA
//! ```
//!
//! With `--only MODE N` it runs one thing N times and nothing else, for
//! instruction counts: `valgrind --tool=callgrind` at two values of N, and
//! the difference over the difference of N is the cost of one call
//! (MODE: `lib-grad`, `jit-grad`, `lib-construct`, `jit-compile`, and
//! `lib-grad-propto`, the library's gradient with `propto=true`, a log
//! density of its own). The library is compared with `propto=false`: the
//! in-process evaluator's density, so the comparison is of the same code.

use hbmc::model::{Engine, Model};
use hbmc::model_library::{generic_library_file_name, write_model_library, EmbeddedModel};
use libloading::Library;
use std::ffi::{c_char, c_uint, c_void, CString};
use std::path::{Path, PathBuf};
use std::time::Instant;

type Construct = unsafe extern "C" fn(*const c_char, c_uint, *mut *mut c_char) -> *mut c_void;
type Destruct = unsafe extern "C" fn(*mut c_void);
type Gradient =
    unsafe extern "C" fn(*const c_void, bool, bool, *const f64, *mut f64, *mut f64, *mut *mut c_char) -> i32;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (model_path, data_path) = match (args.first(), args.get(1)) {
        (Some(m), Some(d)) => (PathBuf::from(m), PathBuf::from(d)),
        _ => return Err("usage: capi_bench MODEL DATA [--only MODE N]".into()),
    };
    let only = match (args.get(2).map(String::as_str), args.get(3), args.get(4)) {
        (Some("--only"), Some(mode), Some(n)) => Some((mode.clone(), n.parse::<usize>()?)),
        _ => None,
    };
    let source = std::fs::read_to_string(&model_path)?;
    let name = model_path.file_stem().map_or("model".into(), |s| s.to_string_lossy().into_owned());

    // The generic library cargo built with this example (in `deps/`, which
    // is fresh; `target/<profile>/` has a copy only after `cargo build`).
    let exe = std::env::current_exe()?;
    let profile = exe.parent().and_then(Path::parent).ok_or("the example runs from target/<profile>/examples")?;
    let generic = profile.join("deps").join(generic_library_file_name());
    let dir = std::env::temp_dir().join(format!("hbmc-capi-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let library_path = dir.join(format!("lib{name}.so"));
    write_model_library(&generic, &EmbeddedModel { name: name.clone(), source: source.clone() }, &library_path)?;

    let lib = unsafe { Library::new(&library_path) }?;
    let construct = unsafe { lib.get::<Construct>(b"bs_model_construct") }?;
    let destruct = unsafe { lib.get::<Destruct>(b"bs_model_destruct") }?;
    let gradient = unsafe { lib.get::<Gradient>(b"bs_log_density_gradient") }?;
    let data = CString::new(data_path.to_string_lossy().into_owned())?;
    let lib_construct = || {
        let mut err = std::ptr::null_mut();
        let m = unsafe { construct(data.as_ptr(), 0, &mut err) };
        assert!(!m.is_null(), "bs_model_construct failed");
        m
    };
    // As `hbmc bench` times it: read, check, bind, lower, AD, JIT.
    let compile = || -> Result<_, Box<dyn std::error::Error>> {
        let text = std::fs::read_to_string(&model_path).map_err(|e| format!("cannot read `{}`: {e}", model_path.display()))?;
        Ok(Model::compile(&name, &text).and_then(|m| m.bind_files(std::slice::from_ref(&data_path), Engine::Jit))?)
    };
    // Errors in the model or data are reported here, once; the timed
    // repetitions below compile the same files again.
    let bound = compile()?;
    let jit_compile = || compile().expect("the same files compiled above");
    let mut eval = bound.evaluator();
    let m = lib_construct();
    let dim = bound.dim();
    let x: Vec<f64> = (0..dim).map(|i| 0.1 * ((i % 7) as f64 - 3.0)).collect();
    let mut grad = vec![0.0; dim];
    let mut lp = 0.0;
    let lib_grad_with = |propto: bool, grad: &mut [f64], lp: &mut f64| {
        let code = unsafe { gradient(m, propto, true, x.as_ptr(), lp, grad.as_mut_ptr(), std::ptr::null_mut()) };
        assert_eq!(code, 0);
    };
    let lib_grad = |grad: &mut [f64], lp: &mut f64| lib_grad_with(false, grad, lp);

    if let Some((mode, n)) = only {
        if mode == "lib-grad-propto" {
            // Compiled at its first use: once, whatever N, so not in the
            // difference of the counts.
            lib_grad_with(true, &mut grad, &mut lp);
        }
        for _ in 0..n {
            match mode.as_str() {
                "lib-grad" => lib_grad(&mut grad, &mut lp),
                "lib-grad-propto" => lib_grad_with(true, &mut grad, &mut lp),
                "jit-grad" => lp = eval.log_density_gradient(&x, &mut grad)?,
                "lib-construct" => unsafe { destruct(lib_construct()) },
                "jit-compile" => drop(jit_compile()),
                other => return Err(format!("unknown mode `{other}`").into()),
            }
        }
        println!("{mode} x {n}: lp {lp}");
        return Ok(());
    }

    // Construction against compilation, alternated, median of 15 each.
    let (mut construct_times, mut compile_times) = (Vec::new(), Vec::new());
    for _ in 0..15 {
        let t = Instant::now();
        let other = lib_construct();
        construct_times.push(t.elapsed().as_secs_f64());
        unsafe { destruct(other) };
        let t = Instant::now();
        drop(jit_compile());
        compile_times.push(t.elapsed().as_secs_f64());
    }

    // Gradients: batches of about 10 ms, alternated, median of 31 each.
    let mut per_batch = 1usize;
    loop {
        let t = Instant::now();
        for _ in 0..per_batch {
            let _ = eval.log_density_gradient(&x, &mut grad);
        }
        if t.elapsed().as_secs_f64() > 0.01 || per_batch > 1 << 24 {
            break;
        }
        per_batch *= 2;
    }
    let (mut lib_times, mut jit_times) = (Vec::new(), Vec::new());
    for _ in 0..31 {
        let t = Instant::now();
        for _ in 0..per_batch {
            lib_grad(&mut grad, &mut lp);
        }
        lib_times.push(t.elapsed().as_secs_f64() / per_batch as f64);
        let t = Instant::now();
        for _ in 0..per_batch {
            let _ = eval.log_density_gradient(&x, &mut grad);
        }
        jit_times.push(t.elapsed().as_secs_f64() / per_batch as f64);
    }
    unsafe { destruct(m) };
    let (c, j) = (median(construct_times), median(compile_times));
    let (lg, jg) = (median(lib_times), median(jit_times));
    println!("model: {} ({dim} unconstrained parameters)", model_path.display());
    println!("bs_model_construct {:.2} ms, in-process compile+bind {:.2} ms: ratio {:.3}", c * 1e3, j * 1e3, c / j);
    println!("bs_log_density_gradient {:.3} us, in-process gradient {:.3} us: ratio {:.3}", lg * 1e6, jg * 1e6, lg / jg);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
