//! The stdlib symbol table as the IR sees it: lookup by name, the check that
//! an IR [`FuncRef`] agrees with the signature the stdlib recorded from the
//! Rust type of the function, and the one audited place where the
//! interpreter calls a library function through its raw pointer.
//!
//! The verifier, the interpreter and the Cranelift backend all go through
//! this module, so a call that verifies is a call both backends can make.

use std::collections::HashMap;
use std::sync::OnceLock;

use hbmc_stdlib::{CType as LibType, Symbol, SymbolKind};

use crate::ir::{CType, FuncRef};

/// Every stdlib symbol by name, built once per process.
fn table() -> &'static HashMap<&'static str, Symbol> {
    static TABLE: OnceLock<HashMap<&'static str, Symbol>> = OnceLock::new();
    TABLE.get_or_init(|| {
        hbmc_stdlib::symbols()
            .into_iter()
            .map(|s| (s.name, s))
            .collect()
    })
}

/// The stdlib's entry for `name`, if it exports one.
pub fn lookup(name: &str) -> Option<&'static Symbol> {
    table().get(name)
}

/// Every stdlib symbol (for registering them all with the JIT).
pub fn all() -> impl Iterator<Item = &'static Symbol> {
    table().values()
}

/// Whether an IR C type describes a stdlib C type. The IR has no
/// `PtrScalarConstrained`, so functions taking one cannot be called from IR.
fn same_type(ir: CType, lib: LibType) -> bool {
    matches!(
        (ir, lib),
        (CType::F64, LibType::F64)
            | (CType::I64, LibType::I64)
            | (CType::I32, LibType::I32)
            | (CType::PtrF64, LibType::PtrF64)
            | (CType::PtrConstF64, LibType::PtrConstF64)
            | (CType::PtrRng, LibType::PtrRng)
            | (CType::Void, LibType::Void)
    )
}

/// The stdlib symbol a call refers to, checked against the call's recorded
/// signature; `Err` says what disagrees.
pub fn resolve(func: &FuncRef) -> Result<&'static Symbol, String> {
    let sym =
        lookup(&func.symbol).ok_or_else(|| format!("`{}` is not a stdlib symbol", func.symbol))?;
    let params_ok = sym.args.len() == func.params.len()
        && func
            .params
            .iter()
            .zip(sym.args)
            .all(|(a, b)| same_type(*a, *b));
    if !params_ok || !same_type(func.ret, sym.ret) {
        return Err(format!(
            "`{}` has C signature {:?} -> {:?} in the stdlib, but the IR says {:?} -> {:?}",
            func.symbol, sym.args, sym.ret, func.params, func.ret
        ));
    }
    Ok(sym)
}

/// Whether the symbol returns a value and writes partials through a trailing
/// `*mut f64` (the stdlib's `_grad` functions), so an IR call may list
/// `partials` and leave the pointer to the backend.
pub fn writes_partials(sym: &Symbol) -> bool {
    matches!(
        sym.kind,
        SymbolKind::Grad { .. } | SymbolKind::LpdfGrad { .. }
    )
}

/// One argument of a raw call.
#[derive(Clone, Copy, Debug)]
pub(crate) enum RawArg {
    F64(f64),
    I64(i64),
    /// Any pointer (`*mut f64`, `*const f64`, `*mut ChainRng`): all pointer
    /// types to sized values are ABI-compatible when calling through a
    /// function pointer, so one `*mut u8` stands for them all.
    Ptr(*mut u8),
}

/// The result of a raw call.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum RawRet {
    F64(f64),
    /// I64 and (sign-extended) I32 results.
    I64(i64),
    /// No result (no stdlib function returns void yet).
    #[allow(dead_code)]
    Void,
}

/// The machine class of an argument type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum K {
    F,
    I,
    P,
}

fn class(t: LibType) -> Option<K> {
    match t {
        LibType::F64 => Some(K::F),
        LibType::I64 => Some(K::I),
        LibType::PtrF64
        | LibType::PtrConstF64
        | LibType::PtrRng
        | LibType::PtrScalarConstrained => Some(K::P),
        LibType::I32 | LibType::Void => None,
    }
}

impl RawArg {
    fn class(self) -> K {
        match self {
            RawArg::F64(_) => K::F,
            RawArg::I64(_) => K::I,
            RawArg::Ptr(_) => K::P,
        }
    }
    // The accessors are only used after the classes were matched against the
    // signature, so the fallback values are never produced.
    fn f(self) -> f64 {
        match self {
            RawArg::F64(x) => x,
            _ => f64::NAN,
        }
    }
    fn i(self) -> i64 {
        match self {
            RawArg::I64(x) => x,
            _ => 0,
        }
    }
    fn p(self) -> *mut u8 {
        match self {
            RawArg::Ptr(x) => x,
            _ => std::ptr::null_mut(),
        }
    }
}

/// Expands to one match arm per supported signature: argument classes and
/// return type. Every signature in the stdlib table must be listed; the test
/// `every_stdlib_signature_is_callable` enforces it.
macro_rules! signatures {
    ($ptr:ident, $args:ident, $sig:ident, $ret:ident; $( [$($k:ident),*] -> $r:ident ),+ $(,)?) => {
        match ($sig, $ret) {
            $(
                ([$(K::$k),*], LibType::$r) => {
                    let mut it = $args.iter().copied();
                    // Arguments are evaluated left to right, so `it` hands
                    // them out in order.
                    #[allow(unused_mut, unused_variables)]
                    let f: unsafe extern "C" fn($(signatures!(@ty $k)),*) -> signatures!(@rty $r) =
                        // SAFETY: see `call_raw`: the pointer's real type has
                        // exactly these argument classes and return type.
                        unsafe { std::mem::transmute::<*const u8, _>($ptr) };
                    #[allow(clippy::unused_unit)]
                    let r = unsafe { f($(signatures!(@take $k, it)),*) };
                    Some(signatures!(@wrap $r, r))
                }
            )+
            _ => None,
        }
    };
    (@ty F) => { f64 };
    (@ty I) => { i64 };
    (@ty P) => { *mut u8 };
    (@rty F64) => { f64 };
    (@rty I64) => { i64 };
    (@rty I32) => { i32 };
    (@rty Void) => { () };
    (@take F, $it:ident) => { $it.next().map_or(f64::NAN, RawArg::f) };
    (@take I, $it:ident) => { $it.next().map_or(0, RawArg::i) };
    (@take P, $it:ident) => { $it.next().map_or(std::ptr::null_mut(), RawArg::p) };
    (@wrap F64, $r:ident) => { RawRet::F64($r) };
    (@wrap I64, $r:ident) => { RawRet::I64($r) };
    (@wrap I32, $r:ident) => { RawRet::I64(i64::from($r)) };
    (@wrap Void, $r:ident) => {{ let () = $r; RawRet::Void }};
}

/// Calls a stdlib function through its pointer. Returns `None` when the
/// argument classes disagree with the symbol's signature or the signature is
/// not in the list above (nothing is called then).
///
/// # Safety
/// - `sym` comes from the stdlib table, whose `args`/`ret` are derived from
///   the Rust type of `sym.ptr` (`Symbol::new` is generic over the fn type),
///   so transmuting the pointer to a fn type with the same argument classes
///   is a call with a compatible ABI (pointer arguments differ only in
///   pointee type, which the Rust ABI-compatibility rules allow).
/// - Every `RawArg::Ptr` must be valid for everything the callee reads or
///   writes through it (the callee's documented extent), and pointers the
///   callee writes must not alias live Rust references.
pub(crate) unsafe fn call_raw(sym: &Symbol, args: &[RawArg]) -> Option<RawRet> {
    let classes: Vec<K> = sym.args.iter().map(|t| class(*t)).collect::<Option<_>>()?;
    if classes.len() != args.len() || classes.iter().zip(args).any(|(k, a)| *k != a.class()) {
        return None;
    }
    let ptr = sym.ptr;
    let sig = classes.as_slice();
    let ret = sym.ret;
    signatures!(ptr, args, sig, ret;
        [F] -> F64,
        [F, F] -> F64,
        [F, F, F] -> F64,
        [F, F, F, F] -> F64,
        [F, P] -> F64,
        [F, F, P] -> F64,
        [F, F, F, P] -> F64,
        [F, F, F, F, P] -> F64,
        [F, F, F, F, F] -> F64,
        [F, F, F, F, F, P] -> F64,
        [F, F, F, F, F, F] -> F64,
        [F, F, F, F, F, F, P] -> F64,
        [F, F, F, F, F, F, F, F] -> F64,
        [F, F, F, F, F, F, F, F, P] -> F64,
        [I, F] -> F64,
        [I, F, P] -> F64,
        [I, F, F] -> F64,
        [I, F, F, P] -> F64,
        [I, I, F] -> F64,
        [I, I, F, P] -> F64,
        [P] -> F64,
        [P, F] -> F64,
        [P, F, F] -> F64,
        [P, F, F, F] -> F64,
        [P, F] -> I64,
        [P, F, F] -> I64,
        [P, I, F] -> I64,
        [P, P, P, I, P] -> I32,
        [P, F, P, P, I, P] -> I32,
        [P, I, F, P] -> I32,
        [P, P, P, I] -> F64,
        [P, P, P, I, F, P, P, P] -> F64,
        [P, I, F] -> F64,
        [P, I, F, F, P, P] -> F64,
        [P, I, P] -> F64,
        [P, I, P, F, P] -> I32,
        [P, I, P] -> I32,
        [P, P, I, P] -> I32,
        [P, P, I, I, I, P] -> I32,
        [P, P, I, I, I, P, P, P] -> I32,
        [P, I, P, P] -> I32,
        [P, P, I, I, P] -> I32,
        [P, P, I, I, P, P, P] -> I32,
        [P, I, I, I, P, P, P] -> I32,
        [P, I, I, I, P, P, P, P, P] -> I32,
        [P, I, P, I, P] -> I32,
        [P, I, P, I, P, P, P] -> I32,
        [P, I] -> F64,
        [P, I, F, P] -> F64,
        [I, P, P] -> F64,
        [I, P, P, P] -> F64,
        [I, P, P, P, P] -> F64,
        [P, P, I] -> I64,
        [F] -> I64,
        [P, I, F, F] -> I64,
        [I, I, F, F, P] -> F64,
        [I, I, F, F] -> F64,
        [P, F, P, I] -> I64,
        [I, F, F, F] -> F64,
        [I, F, F, F, P] -> F64,
        [I, I, I] -> F64,
        [I, I, I, P] -> F64,
        [I, I, I, I] -> F64,
        [I, I, I, I, P] -> F64,
        [P, F, F, F] -> I64,
        [P, I, I] -> I64,
        [P, I, I, I] -> I64,
        [P, F, P, I, P] -> I32,
        [P, I, I] -> F64,
        [P, I, I, F, P] -> I32,
        [P, I, F, F] -> F64,
        [P, I, F, F, F, P, P, P] -> I32,
        [P, P, I, I] -> F64,
        [P, P, I, I, F, P, P] -> I32,
        [P, P, P, I, I] -> F64,
        [P, P, P, I, I, F, P, P, P] -> I32,
        [P, P, P, I, I, P] -> I32,
        [P, P, P, P, I, I, P] -> I32,
        [P, I, I, P] -> I32,
        [P, I, I, P, P] -> I32,
        [P, I, I, I, P] -> I32,
        [P, I, I, I, P, P] -> I32,
        [P, I, I, P] -> F64,
        [P, I, I, P, F, P] -> I32,
        [P, I, I] -> I32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A harmless argument list for a signature: zeros, and pointers to a
    /// zeroed scratch area large enough for any callee given size 1.
    fn zero_args(
        sym: &Symbol,
        scratch: &mut [f64],
        rng: *mut hbmc_stdlib::ChainRng,
    ) -> Vec<RawArg> {
        let base = scratch.as_mut_ptr();
        sym.args
            .iter()
            .enumerate()
            .map(|(i, t)| match t {
                LibType::F64 => RawArg::F64(1.0),
                LibType::I64 => RawArg::I64(1),
                LibType::PtrRng => RawArg::Ptr(rng.cast()),
                // SAFETY: 16 slots of 64 elements each fit in `scratch`.
                _ => RawArg::Ptr(unsafe { base.add(64 * i) }.cast()),
            })
            .collect()
    }

    #[test]
    fn every_stdlib_signature_is_callable() {
        let mut rng = hbmc_stdlib::ChainRng::new(1, 0);
        let mut missing = Vec::new();
        for sym in all() {
            if sym.args.contains(&LibType::PtrScalarConstrained) {
                continue; // not callable from IR (no IR type for it)
            }
            let mut scratch = vec![0.0; 64 * 16];
            let args = zero_args(sym, &mut scratch, &mut rng);
            // SAFETY: the table entry describes the pointer; pointers point
            // into `scratch` (64 f64 per argument, enough for size 1) or at
            // `rng`.
            if unsafe { call_raw(sym, &args) }.is_none() {
                missing.push(format!("{}: {:?} -> {:?}", sym.name, sym.args, sym.ret));
            }
        }
        assert!(
            missing.is_empty(),
            "signatures missing from call_raw: {missing:#?}"
        );
    }

    #[test]
    fn resolve_checks_signature() {
        let good = FuncRef {
            symbol: "hbm_exp".into(),
            params: vec![CType::F64],
            ret: CType::F64,
        };
        assert!(resolve(&good).is_ok());
        let bad = FuncRef {
            symbol: "hbm_exp".into(),
            params: vec![CType::I64],
            ret: CType::F64,
        };
        assert!(resolve(&bad).unwrap_err().contains("C signature"));
        let unknown = FuncRef {
            symbol: "exp".into(),
            params: vec![CType::F64],
            ret: CType::F64,
        };
        assert!(resolve(&unknown)
            .unwrap_err()
            .contains("not a stdlib symbol"));
    }

    #[test]
    fn raw_call_values() {
        let sym = lookup("hbm_normal_lpdf_grad").unwrap();
        let mut partials = [0.0; 3];
        let args = [
            RawArg::F64(1.0),
            RawArg::F64(0.0),
            RawArg::F64(2.0),
            RawArg::Ptr(partials.as_mut_ptr().cast()),
        ];
        // SAFETY: signature from the table; `partials` has room for 3.
        let r = unsafe { call_raw(sym, &args) }.unwrap();
        assert_eq!(
            r,
            RawRet::F64(hbmc_stdlib::dist::normal_lpdf(1.0, 0.0, 2.0))
        );
        assert_eq!(partials[0], -0.25);
    }
}
