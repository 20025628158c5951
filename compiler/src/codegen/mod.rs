//! The Cranelift backend: compiles every function of a verified IR module to
//! native code in a [`CompiledModule`] that owns the JIT memory.
//!
//! - One C signature for every entry point, [`EntryFn`]
//!   (`extern "C" fn(*mut RunContext) -> f64`); the ABI, the status word and
//!   the message protocol of `print`/`reject` are described in [`context`].
//! - Library calls import the stdlib's symbols, each registered on the
//!   `JITBuilder` by address from the stdlib table (never found by `dlsym`);
//!   the float rounding libcalls Cranelift may emit on CPUs without SSE4.1
//!   are registered the same way.
//! - Settings: `opt_level=speed`, the host ISA from `cranelift-native`,
//!   Cranelift's IR verifier on in debug builds only.
//!
//! Native operations mean exactly what [`crate::interp::ops`] says; the
//! tests compare the backend with the interpreter on every operation and on
//! hundreds of random programs.

pub mod context;
mod cells;
mod lower;
mod ode;
pub mod pool;
mod tape;

#[cfg(test)]
mod tests;

use cranelift_codegen::ir::UserFuncName;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Linkage, Module as _, ModuleError};
use hbmc_stdlib::ChainRng;

pub use context::{EntryFn, RunContext, STATUS_DIV_BY_ZERO, STATUS_OK, STATUS_REJECTED, STATUS_TOO_DEEP};
pub use pool::ChunkPool;

use crate::interp::library;
use crate::interp::ops::DIV_BY_ZERO;
use crate::interp::uses_rng;
use crate::ir::arenas::{ArenaTooSmall, Arenas};
use crate::ir::print::function_name;
use crate::ir::{ArenaSizes, FunctionKind, Module};
use context::{MessageSink, Template};

/// Why a module could not be compiled.
#[derive(Debug)]
pub enum CodegenError {
    /// The module fails [`crate::ir::verify::verify`].
    Invalid(Vec<String>),
    /// Something the backend cannot lower on this host.
    Unsupported(String),
    /// Cranelift's ISA setup failed (unsupported host, bad flag).
    Isa(String),
    /// Cranelift failed to declare, define or finalize a function.
    Module(Box<ModuleError>),
}

impl From<ModuleError> for CodegenError {
    fn from(e: ModuleError) -> Self {
        CodegenError::Module(Box::new(e))
    }
}

impl std::fmt::Display for CodegenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CodegenError::Invalid(errors) => write!(f, "invalid IR:\n  {}", errors.join("\n  ")),
            CodegenError::Unsupported(m) => write!(f, "unsupported: {m}"),
            CodegenError::Isa(m) => write!(f, "cannot set up the native ISA: {m}"),
            CodegenError::Module(e) => write!(f, "cranelift: {e}"),
        }
    }
}

impl std::error::Error for CodegenError {}

/// Why a compiled function did not return a value.
#[derive(Clone, Debug, PartialEq)]
pub enum RunError {
    /// The module has no function of this kind.
    NoFunction(FunctionKind),
    /// An arena is shorter than the module's layout.
    ArenaTooSmall(ArenaTooSmall),
    /// The function uses the RNG but none was given.
    MissingRng,
    /// A `Reject` ran (with its message) or an integer division by zero.
    Rejected(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::NoFunction(k) => write!(f, "the module has no {k:?} function"),
            RunError::ArenaTooSmall(e) => e.fmt(f),
            RunError::MissingRng => write!(f, "the function needs a random number generator"),
            RunError::Rejected(m) => write!(f, "rejected: {m}"),
        }
    }
}

impl std::error::Error for RunError {}

/// One compiled entry point.
struct Entry {
    kind: FunctionKind,
    ptr: EntryFn,
    templates: Vec<Template>,
    uses_rng: bool,
}

/// Native code for every function of a module. Owns the JIT memory: the
/// function pointers handed out by [`CompiledModule::entry`] are valid only
/// while it is alive.
pub struct CompiledModule {
    /// Kept only to free the code on drop; never touched through `&self`.
    jit: Option<JITModule>,
    entries: Vec<Entry>,
    arena_sizes: ArenaSizes,
    /// The module's ODE systems, compiled; JIT code holds their addresses
    /// (boxed, so they do not move), so this field is only kept, not read.
    #[allow(clippy::vec_box, dead_code)]
    odes: Vec<Box<ode::JitOde>>,
}

// SAFETY: after `compile` the JIT module is never used through `&self`
// (only `Drop`, which has `&mut self`, touches it), and the finalized code
// is immutable and reentrant; calling it from several threads at once is
// as safe as calling any `extern "C"` function (each call has its own
// `RunContext`).
unsafe impl Sync for CompiledModule {}

impl std::fmt::Debug for CompiledModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kinds: Vec<FunctionKind> = self.entries.iter().map(|e| e.kind).collect();
        f.debug_struct("CompiledModule")
            .field("functions", &kinds)
            .field("arena_sizes", &self.arena_sizes)
            .finish()
    }
}

impl Drop for CompiledModule {
    fn drop(&mut self) {
        if let Some(jit) = self.jit.take() {
            // SAFETY: no call can be running (that would need `&self`
            // borrowed across this `&mut self`), and the raw entry pointers
            // are documented to die with the module.
            unsafe { jit.free_memory() };
        }
    }
}

/// Libm fallbacks for the rounding libcalls Cranelift emits when the CPU
/// lacks native rounding instructions, registered so that nothing resolves
/// through `dlsym`.
mod libcalls {
    pub extern "C" fn floor(x: f64) -> f64 {
        x.floor()
    }
    pub extern "C" fn ceil(x: f64) -> f64 {
        x.ceil()
    }
    pub extern "C" fn trunc(x: f64) -> f64 {
        x.trunc()
    }
    pub extern "C" fn nearbyint(x: f64) -> f64 {
        x.round_ties_even()
    }
    pub extern "C" fn fma(x: f64, y: f64, z: f64) -> f64 {
        x.mul_add(y, z)
    }
}

fn new_jit() -> Result<JITModule, CodegenError> {
    let isa_err = |e: settings::SetError| CodegenError::Isa(e.to_string());
    let mut flags = settings::builder();
    flags.set("opt_level", "speed").map_err(isa_err)?;
    // Required by cranelift-jit: absolute relocations, far libcalls.
    flags.set("is_pic", "false").map_err(isa_err)?;
    flags
        .set("use_colocated_libcalls", "false")
        .map_err(isa_err)?;
    let verify = if cfg!(debug_assertions) {
        "true"
    } else {
        "false"
    };
    flags.set("enable_verifier", verify).map_err(isa_err)?;
    let isa = cranelift_native::builder()
        .map_err(|e| CodegenError::Isa(e.to_string()))?
        .finish(settings::Flags::new(flags))
        .map_err(|e| CodegenError::Isa(e.to_string()))?;
    let mut builder = JITBuilder::with_isa(isa, default_libcall_names());
    builder.symbols(library::all().map(|s| (s.name, s.ptr)));
    builder.symbol(
        lower::MESSAGE_SYMBOL,
        context::hbmc_jit_message as *const u8,
    );
    builder.symbol(ode::ODE_SYMBOL, ode::hbmc_jit_ode as *const u8);
    builder.symbol(tape::TAPE_SAVE_SYMBOL, tape::hbmc_jit_tape_save as *const u8);
    builder.symbol(tape::TAPE_LOAD_SYMBOL, tape::hbmc_jit_tape_load as *const u8);
    builder.symbol(
        pool::RUN_CHUNKS_SYMBOL,
        pool::hbmc_jit_run_chunks as *const u8,
    );
    builder.symbol("floor", libcalls::floor as *const u8);
    builder.symbol("ceil", libcalls::ceil as *const u8);
    builder.symbol("trunc", libcalls::trunc as *const u8);
    builder.symbol("nearbyint", libcalls::nearbyint as *const u8);
    builder.symbol("fma", libcalls::fma as *const u8);
    Ok(JITModule::new(builder))
}

/// Verifies and compiles every function of `module`.
pub fn compile(module: &Module) -> Result<CompiledModule, CodegenError> {
    crate::ir::verify::verify(module).map_err(CodegenError::Invalid)?;
    let mut odes = Vec::with_capacity(module.odes.len());
    for system in &module.odes {
        odes.push(Box::new(ode::JitOde { system: system.clone(), compiled: compile(&system.module)? }));
    }
    let ode_addrs: Vec<usize> = odes.iter().map(|o| &**o as *const ode::JitOde as usize).collect();
    let mut jit = new_jit()?;
    let mut ctx = jit.make_context();
    let mut fctx = FunctionBuilderContext::new();
    let mut imports = lower::Imports::new();
    let mut defined = Vec::new();
    let mut sizes = Vec::new();
    // Every function is declared before any is defined: any function may
    // call a user function, and `RunChunks` takes the address of a chunk
    // function.
    let mut user_ids = std::collections::HashMap::new();
    let mut ids = Vec::with_capacity(module.functions.len());
    let mut sigs = Vec::with_capacity(module.functions.len());
    for func in &module.functions {
        let sig = lower::signature(&jit, func);
        let name = format!("hbmc_{}", function_name(func.kind));
        let id = jit.declare_function(&name, Linkage::Local, &sig)?;
        if let FunctionKind::User(i) = func.kind {
            user_ids.insert(i, id);
        }
        ids.push((func.kind, id));
        sigs.push(sig);
    }
    for (i, (func, sig)) in module.functions.iter().zip(sigs).enumerate() {
        let id = ids[i].1;
        jit.clear_context(&mut ctx);
        ctx.func.signature = sig.clone();
        ctx.func.name = UserFuncName::user(0, i as u32);
        let builder = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        let templates = lower::translate(&mut jit, &mut imports, &user_ids, &ode_addrs, module, func, &ids, builder)?;
        jit.define_function(id, &mut ctx)?;
        let size = ctx.compiled_code().map_or(0, |c| c.code_buffer().len());
        sizes.push((id, size, format!("hbmc_{}", function_name(func.kind))));
        if !matches!(func.kind, FunctionKind::User(_)) {
            defined.push((func.kind, id, templates, uses_rng(&func.body)));
        }
    }
    jit.clear_context(&mut ctx);
    jit.finalize_definitions()?;
    if std::env::var_os("HBMC_PERF_MAP").is_some() {
        write_perf_map(&jit, &sizes);
    }
    let entries = defined
        .into_iter()
        .map(|(kind, id, templates, uses_rng)| {
            let code = jit.get_finalized_function(id);
            // SAFETY: `code` is the finalized body of a function defined
            // above with the signature `(ptr) -> f64` in the host's default
            // C calling convention, which is `EntryFn`.
            let ptr = unsafe { std::mem::transmute::<*const u8, EntryFn>(code) };
            Entry {
                kind,
                ptr,
                templates,
                uses_rng,
            }
        })
        .collect();
    Ok(CompiledModule {
        jit: Some(jit),
        entries,
        arena_sizes: module.arena_sizes,
        odes,
    })
}

/// With `HBMC_PERF_MAP` set, appends each compiled function's address,
/// size and name to `/tmp/perf-PID.map` (the file `perf report` reads to
/// name JIT code) and writes its bytes to `/tmp/hbmc-PID-NAME.bin` (for
/// `objdump -D -b binary -mi386:x86-64`). A profiling aid: failures to
/// write are ignored, since nothing depends on the files.
fn write_perf_map(jit: &JITModule, sizes: &[(cranelift_module::FuncId, usize, String)]) {
    use std::io::Write;
    let pid = std::process::id();
    let Ok(mut map) = std::fs::OpenOptions::new().create(true).append(true).open(format!("/tmp/perf-{pid}.map")) else { return };
    for (id, size, name) in sizes {
        let addr = jit.get_finalized_function(*id);
        let _ = writeln!(map, "{:x} {:x} {}", addr as usize, size, name);
        // SAFETY: `addr` is the start of the finalized function's code,
        // which is `size` bytes long and lives as long as `jit`.
        let bytes = unsafe { std::slice::from_raw_parts(addr, *size) };
        let _ = std::fs::write(format!("/tmp/hbmc-{pid}-{name}.bin"), bytes);
    }
}

impl CompiledModule {
    fn find(&self, kind: FunctionKind) -> Result<&Entry, RunError> {
        self.entries
            .iter()
            .find(|e| e.kind == kind)
            .ok_or(RunError::NoFunction(kind))
    }

    /// The raw entry point of `kind`, for the hot path. Valid only while
    /// `self` is alive; see [`EntryFn`] for the calling contract.
    pub fn entry(&self, kind: FunctionKind) -> Option<EntryFn> {
        self.entries.iter().find(|e| e.kind == kind).map(|e| e.ptr)
    }

    /// The arena sizes the compiled code assumes.
    pub fn arena_sizes(&self) -> &ArenaSizes {
        &self.arena_sizes
    }

    /// Runs the function of `kind` on `arenas` after checking their sizes
    /// and the RNG; returns its target (0 for `Generate`/`TransformedData`).
    /// `print` output is discarded; see [`CompiledModule::call_with_prints`].
    pub fn call(
        &self,
        kind: FunctionKind,
        arenas: &mut Arenas,
        rng: Option<&mut ChainRng>,
    ) -> Result<f64, RunError> {
        self.call_with_prints(kind, arenas, rng, &mut Vec::new())
    }

    /// As [`CompiledModule::call`], appending every `print` message to
    /// `prints` (also those printed before a rejection).
    pub fn call_with_prints(
        &self,
        kind: FunctionKind,
        arenas: &mut Arenas,
        rng: Option<&mut ChainRng>,
        prints: &mut Vec<String>,
    ) -> Result<f64, RunError> {
        self.call_on(kind, arenas, rng, prints, None, None)
    }

    /// As [`CompiledModule::call`], running the chunks of large likelihood
    /// loops on `pool`'s threads (one after the other without a pool). The
    /// result is bitwise the same with or without a pool, for any number
    /// of threads.
    pub fn call_with_pool(
        &self,
        kind: FunctionKind,
        arenas: &mut Arenas,
        rng: Option<&mut ChainRng>,
        pool: Option<&ChunkPool>,
    ) -> Result<f64, RunError> {
        self.call_on(kind, arenas, rng, &mut Vec::new(), pool, None)
    }

    /// As [`CompiledModule::call_with_pool`] for the `Gradient` function,
    /// reading the parameters from `params` and writing the gradient into
    /// `grad` in place of the arenas' `Params` and `Grad`, so that a sampler
    /// copies neither in nor out. `None` when their lengths are not those
    /// arenas (the caller then copies).
    pub fn gradient_into(
        &self,
        arenas: &mut Arenas,
        params: &[f64],
        grad: &mut [f64],
        pool: Option<&ChunkPool>,
    ) -> Option<Result<f64, RunError>> {
        if params.len() != arenas.params.len() || grad.len() != arenas.grad.len() {
            return None;
        }
        Some(self.call_on(FunctionKind::Gradient, arenas, None, &mut Vec::new(), pool, Some((params, grad))))
    }

    /// Runs `kind` on `arenas`, with `io` (when given) standing for the
    /// arenas' `Params` and `Grad`, of their lengths.
    fn call_on(
        &self,
        kind: FunctionKind,
        arenas: &mut Arenas,
        rng: Option<&mut ChainRng>,
        prints: &mut Vec<String>,
        pool: Option<&ChunkPool>,
        io: Option<(&[f64], &mut [f64])>,
    ) -> Result<f64, RunError> {
        let entry = self.find(kind)?;
        arenas
            .check(&self.arena_sizes)
            .map_err(RunError::ArenaTooSmall)?;
        let rng: *mut ChainRng = match rng {
            Some(r) => r,
            None if entry.uses_rng => return Err(RunError::MissingRng),
            None => std::ptr::null_mut(),
        };
        let mut sink = MessageSink {
            templates: &entry.templates,
            prints,
            reject: None,
        };
        let (params, grad) = match io {
            Some((p, g)) => (p.as_ptr(), g.as_mut_ptr()),
            None => (arenas.params.as_ptr(), arenas.grad.as_mut_ptr()),
        };
        let mut ctx = RunContext {
            params,
            grad,
            data: arenas.data.as_mut_ptr(),
            int_data: arenas.int_data.as_mut_ptr(),
            work: arenas.work.as_mut_ptr(),
            int_work: arenas.int_work.as_mut_ptr(),
            out: arenas.out.as_mut_ptr(),
            rng,
            messages: (&mut sink as *mut MessageSink<'_>).cast(),
            status: STATUS_OK,
            reject: 0,
            pool: pool.map_or(std::ptr::null(), |p| (p as *const ChunkPool).cast()),
            chunk: 0,
            tapes: &mut arenas.tapes,
        };
        // SAFETY: `ctx` satisfies `EntryFn`'s contract: the arenas are at
        // least the module's sizes (checked above; `io`'s slices have the
        // lengths of the arenas they stand for, checked by its only caller,
        // and are borrowed for the call, the gradient mutably) and only
        // reachable through these pointers while the call runs (`arenas` is
        // borrowed mutably), the RNG is non-null when the function uses it,
        // `messages` is this function's sink, and `self` keeps the code alive.
        let value = unsafe { (entry.ptr)(&mut ctx) };
        match ctx.status {
            STATUS_OK => Ok(value),
            STATUS_REJECTED => Err(RunError::Rejected(
                sink.reject.take().unwrap_or_else(|| "rejected".into()),
            )),
            STATUS_TOO_DEEP => Err(RunError::Rejected(crate::interp::too_deep_message())),
            _ => Err(RunError::Rejected(DIV_BY_ZERO.to_string())),
        }
    }
}
