//! The cells of a fit's variables: which dim each axis runs over and
//! which member each index is (from `PREFIX_dims.json`), so that a CSV
//! column such as `theta.2` is shown as `theta[grade=2]` and can be
//! selected by its members.

use std::collections::HashMap;

/// The dims of a fit's variables and the members of each dim, as
/// `PREFIX_dims.json` records them. Empty for files without one (CmdStan's):
/// cells are then shown by their CSV names.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FitDims {
    /// Each variable's axes: the dim each runs over, or `None`.
    pub variables: HashMap<String, Vec<Option<String>>>,
    /// Each dim's member labels, in order.
    pub members: HashMap<String, Vec<String>>,
}

/// One index of a cell: its 1-based position, the dim of its axis (if
/// any) and the member it is, as a summary shows it (the dim's label for
/// the position, or the position itself).
#[derive(Clone, Debug, PartialEq)]
pub struct CellIndex<'a> {
    /// The axis's dim, if it has one.
    pub dim: Option<&'a str>,
    /// 1-based position along the axis.
    pub position: usize,
    /// How the summary shows the index.
    pub member: String,
}

/// A CSV column split into its variable and its indices.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell<'a> {
    /// The variable (`theta` of `theta.2`).
    pub variable: &'a str,
    /// Its indices, one per axis (none for a scalar).
    pub indices: Vec<CellIndex<'a>>,
}

impl FitDims {
    /// The cell of CSV column `column` (`z_alpha.3.2`). Indices that are
    /// not numbers, or a count that disagrees with the variable's dims,
    /// leave the column's parts as they are, without dims.
    pub fn cell<'a>(&'a self, column: &'a str) -> Cell<'a> {
        let mut parts = column.split('.');
        let variable = parts.next().unwrap_or(column);
        let positions: Option<Vec<usize>> = parts.map(|p| p.parse().ok()).collect();
        let Some(positions) = positions else {
            // An element of an array of tuples (`th.2:1.3`): a cell of the
            // tuple variable `th`, without indices.
            if column.contains(':') {
                let end = column.find(['.', ':']).unwrap_or(column.len());
                return Cell { variable: &column[..end], indices: Vec::new() };
            }
            return Cell { variable: column, indices: Vec::new() };
        };
        let axes = self.variables.get(variable).filter(|a| a.len() == positions.len());
        let indices = positions
            .iter()
            .enumerate()
            .map(|(k, &position)| {
                let dim = axes.and_then(|a| a[k].as_deref());
                let member = dim
                    .and_then(|d| self.members.get(d))
                    .and_then(|labels| labels.get(position.wrapping_sub(1)))
                    .cloned()
                    .unwrap_or_else(|| position.to_string());
                CellIndex { dim, position, member }
            })
            .collect();
        Cell { variable, indices }
    }

    /// The label of CSV column `column`: `theta[grade=2]` when the fit's
    /// dims know `theta`, else the column's own name.
    pub fn label(&self, column: &str) -> String {
        let cell = self.cell(column);
        if cell.indices.is_empty() || !self.variables.get(cell.variable).is_some_and(|a| a.len() == cell.indices.len()) {
            return column.to_string();
        }
        let shown: Vec<String> = cell
            .indices
            .iter()
            .map(|i| match i.dim {
                Some(d) => format!("{d}={}", i.member),
                None => i.member.clone(),
            })
            .collect();
        format!("{}[{}]", cell.variable, shown.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn electric_dims() -> FitDims {
        let mut dims = FitDims::default();
        dims.variables.insert("theta".into(), vec![Some("grade".into())]);
        dims.variables.insert("alpha".into(), vec![Some("pair".into()), Some("grade".into())]);
        dims.variables.insert("w".into(), vec![None, Some("grade".into())]);
        dims.members.insert("grade".into(), vec!["g1".into(), "g2".into()]);
        dims.members.insert("pair".into(), (1..=3).map(|i| format!("p{i}")).collect());
        dims
    }

    #[test]
    fn labels_name_dims_and_members() {
        let dims = electric_dims();
        assert_eq!(dims.label("theta.2"), "theta[grade=g2]");
        assert_eq!(dims.label("alpha.3.1"), "alpha[pair=p3, grade=g1]");
        assert_eq!(dims.label("w.4.2"), "w[4, grade=g2]");
        // Unknown variables, wrong index counts and scalars keep their names.
        assert_eq!(dims.label("mu.2"), "mu.2");
        assert_eq!(dims.label("theta.1.1"), "theta.1.1");
        assert_eq!(dims.label("lp__"), "lp__");
        let cell = dims.cell("alpha.2.1");
        assert_eq!(cell.variable, "alpha");
        assert_eq!(cell.indices[0], CellIndex { dim: Some("pair"), position: 2, member: "p2".into() });
    }
}
