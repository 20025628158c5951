//! Signatures of the functions of Stan's complex numbers that hbmc has:
//! building and taking apart complex values, their modulus and argument,
//! and the eigendecomposition of a real (non-symmetric) matrix, whose
//! results are complex. Complex values exist only in `transformed data`
//! and `generated quantities` (the declaration rule in `decl.rs`), so none
//! of these needs a derivative.

use super::signatures::CallError;
use super::types::{ElemType, Type};

/// The functions this module types.
pub const COMPLEX_FUNCTIONS: &[&str] =
    &["to_complex", "get_real", "get_imag", "arg", "norm", "conj", "eigenvalues", "eigenvectors"];

/// The result type of `name(tys)` when it is a complex function, or when an
/// argument is complex: `None` when neither (the ordinary signatures
/// decide). A complex argument given to a function hbmc has only for reals
/// is a mismatch naming what takes complex values.
pub fn resolve(name: &str, tys: &[&Type]) -> Option<Result<Type, CallError>> {
    let any_complex = tys.iter().any(|t| t.is_complex_valued());
    if !any_complex && !COMPLEX_FUNCTIONS.contains(&name) {
        return None;
    }
    let mismatch = |sig: &'static str| Some(Err(CallError::Mismatch(sig)));
    let real_scalar = |t: &Type| t.is_scalar();
    Some(Ok(match (name, tys) {
        ("to_complex", []) => Type::scalar_or_elem(ElemType::Complex),
        ("to_complex", [re]) if real_scalar(re) => Type::scalar_or_elem(ElemType::Complex),
        ("to_complex", [re, im]) if real_scalar(re) && real_scalar(im) => Type::scalar_or_elem(ElemType::Complex),
        ("to_complex", _) => return mismatch("to_complex() -> complex, to_complex(real re) -> complex, to_complex(real re, real im) -> complex"),
        // Parts and moduli keep the shape: `complex_vector` -> `vector`.
        ("get_real" | "get_imag" | "abs", [z]) if z.is_complex_valued() => Type::array_of(z.array.clone(), z.elem.to_real()),
        ("get_real" | "get_imag", _) => {
            return mismatch("get_real(complex z) -> real, get_imag(complex z) -> real, and elementwise over complex containers")
        }
        ("arg" | "norm", [z]) if z.array.is_empty() && z.elem == ElemType::Complex => Type::real(),
        ("arg" | "norm", _) => return mismatch("arg(complex z) -> real (the angle in (-pi, pi]), norm(complex z) -> real (|z|^2)"),
        ("conj", [z]) if z.array.is_empty() && z.elem == ElemType::Complex => (*z).clone(),
        ("conj", _) => return mismatch("conj(complex z) -> complex"),
        ("eigenvalues" | "eigenvectors", [a]) if a.array.is_empty() => match a.elem {
            ElemType::Matrix(r, c) if r.compatible(c) => {
                let k = r.meet(c);
                if name == "eigenvalues" {
                    Type::scalar_or_elem(ElemType::ComplexVector(k))
                } else {
                    Type::scalar_or_elem(ElemType::ComplexMatrix(k, k))
                }
            }
            _ => return mismatch(EIGEN_SIGNATURE),
        },
        ("eigenvalues" | "eigenvectors", _) => return mismatch(EIGEN_SIGNATURE),
        _ => {
            return mismatch(
                "complex values are taken by to_complex, get_real, get_imag, abs, arg, norm, conj and + - * / in hbmc; take `get_real`/`get_imag` first for other functions",
            )
        }
    }))
}

const EIGEN_SIGNATURE: &str = "eigenvalues(matrix[K, K] A) -> complex_vector[K], eigenvectors(matrix[K, K] A) -> complex_matrix[K, K] (A real, not necessarily symmetric)";
