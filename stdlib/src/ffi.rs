//! Plumbing for the C ABI: the signature description of each exported
//! function (derived from its Rust type, so the symbol table cannot lie about
//! it) and helpers that turn raw pointers into slices.

use crate::rng::ChainRng;
use crate::transform::ScalarConstrained;

/// The C type of one argument or return value of an exported function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CType {
    /// `f64` (Cranelift `F64`).
    F64,
    /// `i64` (Cranelift `I64`): counts, sizes.
    I64,
    /// `i32` status codes (0 = success).
    I32,
    /// `*mut f64`: an output buffer.
    PtrF64,
    /// `*const f64`: an input buffer.
    PtrConstF64,
    /// `*mut ChainRng`: the chain's generator.
    PtrRng,
    /// `*mut ScalarConstrained`: the result record of a scalar bound transform.
    PtrScalarConstrained,
    /// No return value.
    Void,
}

/// A type that can be an argument of an exported function.
pub trait CArg {
    /// Its C type.
    const TY: CType;
}
/// A type that can be the return value of an exported function.
pub trait CRet {
    /// Its C type.
    const TY: CType;
}

impl CArg for f64 {
    const TY: CType = CType::F64;
}
impl CArg for i64 {
    const TY: CType = CType::I64;
}
impl CArg for *mut f64 {
    const TY: CType = CType::PtrF64;
}
impl CArg for *const f64 {
    const TY: CType = CType::PtrConstF64;
}
impl CArg for *mut ChainRng {
    const TY: CType = CType::PtrRng;
}
impl CArg for *mut ScalarConstrained {
    const TY: CType = CType::PtrScalarConstrained;
}
impl CRet for f64 {
    const TY: CType = CType::F64;
}
impl CRet for i64 {
    const TY: CType = CType::I64;
}
impl CRet for i32 {
    const TY: CType = CType::I32;
}
impl CRet for () {
    const TY: CType = CType::Void;
}

/// An `extern "C"` function pointer type with a known signature.
pub trait CFn: Copy {
    /// Argument types in order.
    const ARGS: &'static [CType];
    /// Return type.
    const RET: CType;
    /// The code address, for `JITBuilder::symbol`.
    fn addr(self) -> *const u8;
}

macro_rules! impl_cfn {
    ($($a:ident),*) => {
        impl<R: CRet, $($a: CArg),*> CFn for extern "C" fn($($a),*) -> R {
            const ARGS: &'static [CType] = &[$($a::TY),*];
            const RET: CType = R::TY;
            fn addr(self) -> *const u8 {
                self as *const u8
            }
        }
        impl<R: CRet, $($a: CArg),*> CFn for unsafe extern "C" fn($($a),*) -> R {
            const ARGS: &'static [CType] = &[$($a::TY),*];
            const RET: CType = R::TY;
            fn addr(self) -> *const u8 {
                self as *const u8
            }
        }
    };
}
impl_cfn!();
impl_cfn!(A);
impl_cfn!(A, B);
impl_cfn!(A, B, C);
impl_cfn!(A, B, C, D);
impl_cfn!(A, B, C, D, E);
impl_cfn!(A, B, C, D, E, F);
impl_cfn!(A, B, C, D, E, F, G);
impl_cfn!(A, B, C, D, E, F, G, H);
impl_cfn!(A, B, C, D, E, F, G, H, I);
impl_cfn!(A, B, C, D, E, F, G, H, I, J);

/// Writes `vals` through `out` when it is non-null.
///
/// # Safety
/// `out` must be null or valid for `vals.len()` writes.
pub(crate) unsafe fn write_out(out: *mut f64, vals: &[f64]) {
    if out.is_null() {
        return;
    }
    for (i, v) in vals.iter().enumerate() {
        // SAFETY: the caller guarantees room for vals.len() values.
        unsafe { *out.add(i) = *v };
    }
}

/// A size argument from JIT code: None when negative or when `n*n` would overflow.
pub(crate) fn size(n: i64) -> Option<usize> {
    let n = usize::try_from(n).ok()?;
    n.checked_mul(n)?;
    Some(n)
}

/// `n` values at `p`, or None for a null pointer.
///
/// # Safety
/// `p` must be null or valid for `n` reads for the returned lifetime.
pub(crate) unsafe fn slice<'a>(p: *const f64, n: usize) -> Option<&'a [f64]> {
    if p.is_null() {
        None
    } else {
        // SAFETY: caller contract.
        Some(unsafe { std::slice::from_raw_parts(p, n) })
    }
}

/// `n` writable values at `p`, or None for a null pointer.
///
/// # Safety
/// `p` must be null or valid for `n` reads and writes, unaliased, for the
/// returned lifetime.
pub(crate) unsafe fn slice_mut<'a>(p: *mut f64, n: usize) -> Option<&'a mut [f64]> {
    if p.is_null() {
        None
    } else {
        // SAFETY: caller contract.
        Some(unsafe { std::slice::from_raw_parts_mut(p, n) })
    }
}
