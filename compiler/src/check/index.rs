//! Indexing: which axes an index drops, keeps or replaces, the dim check on
//! every index, and zipping of multi-indices that run over the same dim.

use super::typed::{TypedExpr, TypedExprKind, TypedIndex};
use super::types::{Axis, ElemType, Type};
use super::Checker;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{Expr, Index};
use crate::syntax::span::Span;

/// What one index does to the axis it stands on.
#[derive(Clone, Copy, Debug, PartialEq)]
enum AxisFate {
    /// A single index removes the axis.
    Dropped,
    /// The axis stays, possibly renamed (a multi-index puts the index
    /// array's own axis in its place; a range makes it anonymous).
    Kept(Axis),
    /// Zipped into an earlier multi-index over the same dim.
    Merged,
}

impl Checker {
    /// Checks `base[indices]`.
    pub(super) fn check_index(&mut self, base: &Expr, indices: &[Index], span: Span) -> Option<TypedExpr> {
        let base = self.check_expr(base)?;
        let mut typed = Vec::with_capacity(indices.len());
        for index in indices {
            typed.push(self.check_one_index(index)?);
        }
        let axes = base.ty.axes();
        if axes.is_empty() {
            self.report(
                Diagnostic::error("E1007", format!("`{}` cannot be indexed", self.show(&base.ty)))
                    .with_label(base.span, format!("this is a single `{}`", self.show(&base.ty)))
                    .with_help("only arrays, vectors, row vectors and matrices take `[...]`"),
            );
            return None;
        }
        if typed.len() > axes.len() {
            self.report(
                Diagnostic::error(
                    "E1007",
                    format!(
                        "too many indexes: `{}` has {} ax{} but {} index{} given",
                        self.show(&base.ty),
                        axes.len(),
                        if axes.len() == 1 { "is" } else { "es" },
                        typed.len(),
                        if typed.len() == 1 { " is" } else { "es are" },
                    ),
                )
                .with_label(span, "indexed here")
                .with_help(format!("give at most {} index{}", axes.len(), if axes.len() == 1 { "" } else { "es" })),
            );
            return None;
        }
        let mut fates: Vec<AxisFate> = axes.iter().map(|a| AxisFate::Kept(*a)).collect();
        let mut ok = true;
        for (pos, (index, ast_index)) in typed.iter().zip(indices).enumerate() {
            let axis = axes[pos];
            match index {
                TypedIndex::Single(e) | TypedIndex::Multi(e) => {
                    if let (ElemType::Int { index_of: Some(d) }, Axis::Dim(a)) = (e.ty.elem, axis) {
                        if d != a {
                            ok = false;
                            let dims = &self.dims;
                            self.report(
                                Diagnostic::error(
                                    "E2001",
                                    format!(
                                        "index of dim `{}` used on a container indexed by `{}`",
                                        dims.get(d).name,
                                        dims.get(a).name
                                    ),
                                )
                                .with_label(ast_index.span(), format!("this indexes `{}`", dims.get(d).name))
                                .with_label(base.span, format!("this is `{}`", self.show(&base.ty)))
                                .with_help(format!(
                                    "index this axis with a member of `{}` (or a plain int)",
                                    dims.get(a).name
                                )),
                            );
                        }
                    }
                    fates[pos] = match index {
                        TypedIndex::Multi(e) => AxisFate::Kept(e.ty.array[0]),
                        _ => AxisFate::Dropped,
                    };
                }
                TypedIndex::Range { lower, upper } => {
                    fates[pos] = AxisFate::Kept(if lower.is_none() && upper.is_none() { axis } else { Axis::Anon });
                }
                TypedIndex::All => {}
            }
        }
        if !ok {
            return None;
        }
        let zipped = zip_groups(&typed, &mut fates);
        let ty = result_type(&base.ty, &fates);
        let level = typed.iter().flat_map(TypedIndex::exprs).fold(base.level, |l, e| l.max(e.level));
        Some(TypedExpr {
            kind: TypedExprKind::Index {
                base: Box::new(base),
                indices: typed,
                zipped,
            },
            ty,
            level,
            span,
        })
    }

    fn check_one_index(&mut self, index: &Index) -> Option<TypedIndex> {
        match index {
            Index::All(_) => Some(TypedIndex::All),
            Index::Range { lower, upper, .. } => {
                let mut bound = |e: &Option<Expr>| -> Result<Option<TypedExpr>, ()> {
                    let Some(e) = e else { return Ok(None) };
                    let t = self.check_expr(e).ok_or(())?;
                    if !t.ty.is_int_scalar() {
                        self.report(
                            Diagnostic::error("E1007", format!("a range bound must be an int, but this is `{}`", self.show(&t.ty)))
                                .with_label(e.span, "not an int")
                                .with_help("ranges are written `lower:upper` with int bounds"),
                        );
                        return Err(());
                    }
                    Ok(Some(t))
                };
                let lower = bound(lower);
                let upper = bound(upper);
                match (lower, upper) {
                    (Ok(lower), Ok(upper)) => Some(TypedIndex::Range { lower, upper }),
                    _ => None,
                }
            }
            Index::Single(e) => {
                let t = self.check_expr(e)?;
                if let TypedExprKind::DimSize(d) = t.kind {
                    // A bare dim name would index the element `size(d)`:
                    // almost certainly a forgotten index variable.
                    let name = self.dims.get(d).name.clone();
                    self.report(
                        Diagnostic::error("E2006", format!("`{name}` is a dim, not an index"))
                            .with_label(e.span, format!("the dim `{name}` used as an index"))
                            .with_help(format!(
                                "index with a member of `{name}`: a loop variable `for (g in {name})`, or an `array[...] {name}` variable; write `size({name})` if you mean the last element"
                            )),
                    );
                    return None;
                }
                if t.ty.is_int_scalar() {
                    Some(TypedIndex::Single(t))
                } else if t.ty.is_int_array_1d() {
                    Some(TypedIndex::Multi(t))
                } else {
                    self.report(
                        Diagnostic::error("E1007", format!("an index must be an int or an int array, but this is `{}`", self.show(&t.ty)))
                            .with_label(e.span, format!("`{}`", self.show(&t.ty)))
                            .with_help("index with an int, a 1-D int array, or a range `a:b`"),
                    );
                    None
                }
            }
        }
    }
}

/// Groups multi-indices whose index arrays run over the same named dim, and
/// marks every member after the first of each group as merged.
fn zip_groups(indices: &[TypedIndex], fates: &mut [AxisFate]) -> Vec<Vec<usize>> {
    let mut groups: Vec<(Axis, Vec<usize>)> = Vec::new();
    for (pos, index) in indices.iter().enumerate() {
        if let TypedIndex::Multi(e) = index {
            let axis = e.ty.array[0];
            if axis == Axis::Anon {
                continue;
            }
            match groups.iter_mut().find(|(a, _)| *a == axis) {
                Some((_, members)) => members.push(pos),
                None => groups.push((axis, vec![pos])),
            }
        }
    }
    let groups: Vec<Vec<usize>> = groups.into_iter().map(|(_, m)| m).filter(|m| m.len() > 1).collect();
    for members in &groups {
        for &pos in &members[1..] {
            fates[pos] = AxisFate::Merged;
        }
    }
    groups
}

/// The type left after each axis met its fate.
fn result_type(base: &Type, fates: &[AxisFate]) -> Type {
    let n_array = base.array.len();
    let array: Vec<Axis> = fates[..n_array]
        .iter()
        .filter_map(|f| match f {
            AxisFate::Kept(a) => Some(*a),
            _ => None,
        })
        .collect();
    let kept = |f: AxisFate| match f {
        AxisFate::Kept(a) => Some(a),
        _ => None,
    };
    // A complex container indexes as the real one of its shape does.
    let elem = match base.elem.to_real() {
        ElemType::Vector(_) => kept(fates[n_array]).map_or(ElemType::Real, ElemType::Vector),
        ElemType::RowVector(_) => kept(fates[n_array]).map_or(ElemType::Real, ElemType::RowVector),
        ElemType::Matrix(..) => {
            let (r, c) = (fates[n_array], fates[n_array + 1]);
            match (kept(r), kept(c), c) {
                (Some(a), Some(b), _) => ElemType::Matrix(a, b),
                (None, Some(b), _) => ElemType::RowVector(b),
                (Some(a), None, _) => ElemType::Vector(a),
                (None, None, _) => ElemType::Real,
            }
        }
        scalar => scalar,
    };
    let elem = if base.elem.is_complex() { elem.to_complex() } else { elem };
    Type { array, elem }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::typed::Level;

    fn idx_array(over: Axis, of: usize) -> TypedIndex {
        TypedIndex::Multi(TypedExpr {
            kind: TypedExprKind::IntLit(0),
            ty: Type::array_of(vec![over], ElemType::Int { index_of: Some(of) }),
            level: Level::Data,
            span: Span::default(),
        })
    }

    #[test]
    fn zipped_multi_indices_give_a_vector() {
        let (obs, grade, pair) = (Axis::Dim(0), 1, 2);
        let base = Type::matrix(Axis::Dim(pair), Axis::Dim(grade));
        let indices = [idx_array(obs, pair), idx_array(obs, grade)];
        let mut fates = vec![AxisFate::Kept(Axis::Dim(pair)), AxisFate::Kept(Axis::Dim(grade))];
        for (i, ix) in indices.iter().enumerate() {
            if let TypedIndex::Multi(e) = ix {
                fates[i] = AxisFate::Kept(e.ty.array[0]);
            }
        }
        let groups = zip_groups(&indices, &mut fates);
        assert_eq!(groups, vec![vec![0, 1]]);
        assert_eq!(result_type(&base, &fates), Type::vector(obs));
    }

    #[test]
    fn single_row_index_of_matrix_is_row_vector() {
        let base = Type::matrix(Axis::Anon, Axis::Dim(3));
        let fates = [AxisFate::Dropped, AxisFate::Kept(Axis::Dim(3))];
        assert_eq!(result_type(&base, &fates), Type::row_vector(Axis::Dim(3)));
    }
}
