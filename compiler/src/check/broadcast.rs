//! Broadcasting by dim name (xarray semantics) for elementwise operators,
//! elementwise functions and the arguments of vectorised distributions.
//!
//! Operands whose axes are all named are aligned by name: the result runs
//! over the union of their dims, the left operand's order first. Operands
//! with an anonymous axis follow Stan's rules: only scalars broadcast, and
//! otherwise the shapes must be the same kind (sizes checked at run time).

use super::types::{Axis, ElemType, Type};

/// Why two shapes cannot be aligned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlignError {
    /// Arrays take no part in arithmetic (as in Stan).
    Array,
    /// The union of the dims has more than two axes, which no vector or
    /// matrix can hold.
    TooManyDims,
    /// The kinds differ and an anonymous axis prevents aligning by name.
    Kinds,
    /// A `vector` and a `row_vector` over the same dim.
    Orientation,
    /// Two axes that must be the same have different dims.
    Dims,
}

/// The union of two axis lists by name, or `None` when either has an
/// anonymous axis.
pub fn union_named(a: &[Axis], b: &[Axis]) -> Option<Vec<Axis>> {
    if a.contains(&Axis::Anon) || b.contains(&Axis::Anon) {
        return None;
    }
    let mut out = a.to_vec();
    for axis in b {
        if !out.contains(axis) {
            out.push(*axis);
        }
    }
    Some(out)
}

/// Whether every axis of `sub` is among `of`'s (as sets of named dims).
pub fn named_subset(sub: &[Axis], of: &[Axis]) -> bool {
    sub.iter().all(|a| of.contains(a))
}

/// The result type of an elementwise operation on two (non-array) operands,
/// with int promoted to real unless both are int scalars and `keep_int`.
pub fn align(lhs: &Type, rhs: &Type, keep_int: bool) -> Result<Type, AlignError> {
    if !lhs.array.is_empty() || !rhs.array.is_empty() {
        return Err(AlignError::Array);
    }
    let (l, r) = (lhs.elem, rhs.elem);
    if l.is_scalar() && r.is_scalar() {
        return Ok(if keep_int && l.is_int() && r.is_int() {
            Type::int()
        } else {
            Type::real()
        });
    }
    if l.is_scalar() {
        return Ok(rhs.promoted());
    }
    if r.is_scalar() {
        return Ok(lhs.promoted());
    }
    let (la, ra) = (l.axes(), r.axes());
    let same_kind = std::mem::discriminant(&l) == std::mem::discriminant(&r);
    match union_named(&la, &ra) {
        Some(union) => {
            if la.len() == 1 && ra.len() == 1 && la == ra && !same_kind {
                return Err(AlignError::Orientation);
            }
            if named_subset(&ra, &la) {
                Ok(lhs.clone())
            } else if named_subset(&la, &ra) {
                Ok(rhs.clone())
            } else if union.len() == 2 {
                Ok(Type::matrix(union[0], union[1]))
            } else {
                Err(AlignError::TooManyDims)
            }
        }
        None => {
            if !same_kind {
                return Err(AlignError::Kinds);
            }
            if !la.iter().zip(&ra).all(|(a, b)| a.compatible(*b)) {
                return Err(AlignError::Dims);
            }
            let axes: Vec<Axis> = la.iter().zip(&ra).map(|(a, b)| a.meet(*b)).collect();
            Ok(Type::scalar_or_elem(match l {
                ElemType::Vector(_) => ElemType::Vector(axes[0]),
                ElemType::RowVector(_) => ElemType::RowVector(axes[0]),
                _ => ElemType::Matrix(axes[0], axes[1]),
            }))
        }
    }
}

/// The flattened axes of any value, arrays included: how a vectorised
/// distribution or function sees its argument.
pub fn flat_axes(ty: &Type) -> Vec<Axis> {
    ty.axes()
}

/// Whether two argument shapes of a vectorised call can be aligned: scalars
/// always; all-named shapes by name; otherwise the same number of axes with
/// compatible dims (sizes checked at run time).
pub fn args_align(a: &Type, b: &Type) -> bool {
    let (fa, fb) = (flat_axes(a), flat_axes(b));
    if fa.is_empty() || fb.is_empty() {
        return true;
    }
    match union_named(&fa, &fb) {
        Some(u) => u.len() <= 2 || named_subset(&fa, &fb) || named_subset(&fb, &fa),
        None => fa.len() == fb.len() && fa.iter().zip(&fb).all(|(x, y)| x.compatible(*y)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRADE: Axis = Axis::Dim(0);
    const PAIR: Axis = Axis::Dim(1);
    const OBS: Axis = Axis::Dim(2);

    #[test]
    fn vector_broadcasts_into_matrix_by_name() {
        let v = Type::vector(GRADE);
        let m = Type::matrix(PAIR, GRADE);
        assert_eq!(align(&v, &m, false), Ok(m.clone()));
        assert_eq!(align(&m, &v, false), Ok(m));
    }

    #[test]
    fn two_vectors_over_different_dims_make_a_matrix() {
        let r = align(&Type::vector(OBS), &Type::vector(GRADE), false);
        assert_eq!(r, Ok(Type::matrix(OBS, GRADE)));
    }

    #[test]
    fn three_dims_do_not_fit() {
        let r = align(&Type::matrix(OBS, GRADE), &Type::vector(PAIR), false);
        assert_eq!(r, Err(AlignError::TooManyDims));
    }

    #[test]
    fn unnamed_shapes_follow_stan() {
        let v = Type::vector(Axis::Anon);
        assert_eq!(align(&v, &v, false), Ok(v.clone()));
        let m = Type::matrix(Axis::Anon, Axis::Anon);
        assert_eq!(align(&v, &m, false), Err(AlignError::Kinds));
        assert_eq!(align(&Type::vector(GRADE), &v, false), Ok(Type::vector(GRADE)));
        assert_eq!(align(&Type::int(), &Type::int(), true), Ok(Type::int()));
        assert_eq!(align(&Type::int(), &v, true), Ok(v));
    }

    #[test]
    fn orientation_matters_for_one_dim() {
        let r = align(&Type::vector(GRADE), &Type::row_vector(GRADE), false);
        assert_eq!(r, Err(AlignError::Orientation));
    }
}
