//! `hbmc build model.hbm -o libmodel.so`: a shared library exposing
//! BridgeStan's C ABI for one model. It is hbmc's generic library
//! (`libhbmc_capi`, the `capi/` crate) with the model's source appended;
//! the library compiles it with the JIT when a client constructs the model
//! (docs/design.md, "Model libraries").

use super::{ModelSource, EXIT_DIAGNOSTICS, EXIT_USAGE};
use clap::Args;
use hbmc::model_library::{generic_library_file_name, write_model_library, EmbeddedModel};
use std::path::{Path, PathBuf};

/// The environment variable that names the generic library, overriding
/// the search beside the `hbmc` executable.
const GENERIC_ENV: &str = "HBMC_CAPI_LIBRARY";

/// Arguments of `hbmc build`.
#[derive(Args)]
pub struct BuildArgs {
    /// The model file (`.hbm`, or a `.stan` file in the supported subset).
    model: PathBuf,
    /// The library to write (default: `lib<model>.so` in the current folder).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Data files to bind once now, so data problems show here rather than
    /// at `bs_model_construct` (the library still takes its data then).
    #[arg(long, num_args = 1..)]
    data: Vec<PathBuf>,
    /// hbmc's generic library to copy (default: `$HBMC_CAPI_LIBRARY`, else
    /// `libhbmc_capi.so` beside the `hbmc` executable).
    #[arg(long)]
    generic: Option<PathBuf>,
}

/// Runs `hbmc build`.
pub fn run(args: BuildArgs) -> i32 {
    let source = match ModelSource::read(&args.model) {
        Ok(s) => s,
        Err(code) => return code,
    };
    // Compile (and bind, if data are given) now: a model that does not
    // check would only fail later, inside the client.
    let checked = match hbmc::model::Model::compile(&source.stem, &source.text) {
        Ok(m) => m,
        Err(e) => return source.report_error(e),
    };
    if !checked.warnings.is_empty() {
        source.report(&checked.warnings);
    }
    if !args.data.is_empty() {
        if let Err(code) = super::load_model(&args.model, &args.data, hbmc::model::Engine::Jit) {
            return code;
        }
    }
    let generic = match generic_library(args.generic.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let output = args.output.unwrap_or_else(|| {
        PathBuf::from(format!("{}{}{}", std::env::consts::DLL_PREFIX, source.stem, std::env::consts::DLL_SUFFIX))
    });
    let model = EmbeddedModel { name: source.stem.clone(), source: source.text.clone() };
    if let Err(e) = write_model_library(&generic, &model, &output) {
        eprintln!("error: {e}");
        return if e.contains("already carries") { EXIT_DIAGNOSTICS } else { EXIT_USAGE };
    }
    eprintln!("wrote {} (BridgeStan C ABI; the model compiles when a client constructs it)", output.display());
    0
}

/// Where the generic library is: the `--generic` option, the environment
/// variable, or beside the running `hbmc` (cargo puts both in
/// `target/release/`).
fn generic_library(option: Option<&Path>) -> Result<PathBuf, String> {
    let must_exist = |p: PathBuf, how: &str| {
        if p.is_file() {
            Ok(p)
        } else {
            Err(format!("the generic model library `{}` ({how}) does not exist", p.display()))
        }
    };
    if let Some(p) = option {
        return must_exist(p.to_path_buf(), "from --generic");
    }
    if let Some(p) = std::env::var_os(GENERIC_ENV).filter(|v| !v.is_empty()) {
        return must_exist(PathBuf::from(p), &format!("from ${GENERIC_ENV}"));
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the hbmc executable's folder: {e}"))?;
    let folder = exe.parent().unwrap_or(Path::new("."));
    let beside = folder.join(generic_library_file_name());
    if beside.is_file() {
        return Ok(beside);
    }
    Err(format!(
        "cannot find hbmc's generic model library `{}` beside the hbmc executable (looked in `{}`); \
         build it with `cargo build --release` at the top of the hbmc checkout (it builds the `capi` crate too), \
         or give its path with --generic or ${GENERIC_ENV}",
        generic_library_file_name(),
        folder.display()
    ))
}
