//! `--vars` patterns: which cells a summary shows.
//!
//! A pattern is a variable's name, optionally followed by one index per
//! axis in brackets:
//! - `theta`: every cell of `theta`;
//! - `alpha[3, *]`, `alpha[*, grade=2]`: an index is `*` (any), or a member
//!   as the summary shows it (`2`, or `grade=2`, naming the dim of the
//!   axis; for an axis without a dim, the 1-based position);
//! - `alpha[grade=2]`: with only named indices, axes not named are `*`.
//!
//! Several patterns are separated by commas (outside brackets) or given in
//! several `--vars` options; a cell is shown if any pattern matches it.

use super::cells::{Cell, FitDims};

/// One index of a pattern.
#[derive(Clone, Debug, PartialEq)]
enum IndexItem {
    /// `*`, or `dim=*`.
    Any { dim: Option<String> },
    /// `value` or `dim=value`.
    Member { dim: Option<String>, value: String },
}

impl IndexItem {
    fn dim(&self) -> Option<&str> {
        match self {
            IndexItem::Any { dim } | IndexItem::Member { dim, .. } => dim.as_deref(),
        }
    }
}

/// One pattern: a variable and, optionally, its indices.
#[derive(Clone, Debug, PartialEq)]
struct VarPattern {
    text: String,
    variable: String,
    indices: Option<Vec<IndexItem>>,
}

/// The cells to show: every cell when empty.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    patterns: Vec<VarPattern>,
}

impl Selection {
    /// Parses `--vars` arguments (each may hold several comma-separated
    /// patterns); an error says which pattern is malformed and how to write it.
    pub fn parse(args: &[String]) -> Result<Selection, String> {
        let mut patterns = Vec::new();
        for arg in args {
            for text in split_top_level(arg)? {
                patterns.push(parse_pattern(text)?);
            }
        }
        Ok(Selection { patterns })
    }

    /// Whether every cell is selected (no pattern given).
    pub fn is_all(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Checks every pattern against a fit's columns: a variable the fit
    /// lacks, indices that do not fit the variable's axes, or a pattern
    /// matching no cell, is an error naming what would be right.
    pub fn check(&self, columns: &[String], dims: &FitDims) -> Result<(), String> {
        for p in &self.patterns {
            let cells: Vec<Cell> = columns.iter().map(|c| dims.cell(c)).filter(|c| p.names(c.variable)).collect();
            let Some(first) = cells.first() else {
                let mut names: Vec<&str> = Vec::new();
                for c in columns {
                    let v = dims.cell(c).variable;
                    if !names.contains(&v) {
                        names.push(v);
                    }
                }
                return Err(format!("--vars `{}`: the fit has no variable `{}`; its variables are {}", p.text, p.variable, names.join(", ")));
            };
            let Some(items) = &p.indices else { continue };
            let rank = first.indices.len();
            if rank == 0 {
                return Err(format!("--vars `{}`: `{}` is a scalar; write `{}`", p.text, p.variable, p.variable));
            }
            axis_items(items, first).map_err(|e| format!("--vars `{}`: {e}", p.text))?;
            if !cells.iter().any(|c| p.matches(c)) {
                return Err(format!("--vars `{}` matches no cell of `{}`; {}", p.text, p.variable, members_hint(items, first, dims)));
            }
        }
        Ok(())
    }

    /// Whether the cell is selected.
    pub fn matches(&self, cell: &Cell) -> bool {
        self.is_all() || self.patterns.iter().any(|p| p.matches(cell))
    }
}

impl VarPattern {
    /// Whether the pattern's variable is `variable` or the tuple it is an
    /// element of (`theta` for `theta:2`).
    fn names(&self, variable: &str) -> bool {
        variable.strip_prefix(self.variable.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with(':'))
    }

    fn matches(&self, cell: &Cell) -> bool {
        if !self.names(cell.variable) {
            return false;
        }
        let Some(items) = &self.indices else { return true };
        let Ok(items) = axis_items(items, cell) else { return false };
        items.iter().zip(&cell.indices).all(|(item, index)| match item {
            None | Some(IndexItem::Any { .. }) => true,
            Some(IndexItem::Member { value, .. }) => *value == index.member,
        })
    }
}

/// The pattern's item for each axis of `cell` (`None`: any), or why the
/// items do not fit its axes.
fn axis_items<'p>(items: &'p [IndexItem], cell: &Cell) -> Result<Vec<Option<&'p IndexItem>>, String> {
    let rank = cell.indices.len();
    let dims_of_axes = || {
        cell.indices.iter().map(|i| i.dim.map_or("(no dim)".to_string(), str::to_string)).collect::<Vec<_>>().join(", ")
    };
    let all_named = items.iter().all(|i| i.dim().is_some());
    if items.len() != rank && !all_named {
        return Err(format!(
            "`{}` has {rank} ind{}, the pattern {}; give one per axis ({}), or name dims only (`{}[dim=member]`)",
            cell.variable,
            if rank == 1 { "ex" } else { "ices" },
            items.len(),
            dims_of_axes(),
            cell.variable
        ));
    }
    let mut out: Vec<Option<&IndexItem>> = vec![None; rank];
    if items.len() == rank && !all_named {
        for (k, item) in items.iter().enumerate() {
            if let Some(d) = item.dim() {
                if cell.indices[k].dim != Some(d) {
                    return Err(format!("axis {} of `{}` runs over {}, not `{d}` (its axes: {})", k + 1, cell.variable, cell.indices[k].dim.map_or("no dim".to_string(), |a| format!("`{a}`")), dims_of_axes()));
                }
            }
            out[k] = Some(item);
        }
        return Ok(out);
    }
    for item in items {
        let d = item.dim().unwrap_or_default();
        let axes: Vec<usize> = (0..rank).filter(|&k| cell.indices[k].dim == Some(d)).collect();
        match axes.as_slice() {
            [k] if out[*k].is_none() => out[*k] = Some(item),
            [_] => return Err(format!("dim `{d}` is named twice")),
            [] => return Err(format!("`{}` has no axis over dim `{d}` (its axes: {})", cell.variable, dims_of_axes())),
            _ => return Err(format!("`{}` has several axes over `{d}`; give one index per axis", cell.variable)),
        }
    }
    Ok(out)
}

/// Which members the pattern's axes have, for the error of a pattern that
/// matches nothing.
fn members_hint(items: &[IndexItem], cell: &Cell, dims: &FitDims) -> String {
    let Ok(per_axis) = axis_items(items, cell) else { return String::new() };
    for (k, item) in per_axis.iter().enumerate() {
        if let Some(IndexItem::Member { value, .. }) = item {
            let index = &cell.indices[k];
            return match index.dim.and_then(|d| dims.members.get(d).map(|m| (d, m))) {
                Some((d, m)) if !m.contains(value) => {
                    let shown: Vec<&str> = m.iter().take(10).map(String::as_str).collect();
                    let more = if m.len() > 10 { format!(", ... ({} in all)", m.len()) } else { String::new() };
                    format!("`{value}` is not a member of dim `{d}`: {}{more}", shown.join(", "))
                }
                Some(_) => continue,
                None => format!("axis {} has no dim: give a position from 1", k + 1),
            };
        }
    }
    "no cell has these indices".to_string()
}

/// Splits at commas outside brackets.
fn split_top_level(arg: &str) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, ch) in arg.char_indices() {
        match ch {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(arg[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
        if depth < 0 || depth > 1 {
            return Err(format!("--vars `{arg}`: unbalanced brackets; write e.g. `theta`, `alpha[*, grade=2]`"));
        }
    }
    if depth != 0 {
        return Err(format!("--vars `{arg}`: a `[` is not closed; write e.g. `alpha[*, grade=2]`"));
    }
    out.push(arg[start..].trim());
    Ok(out.into_iter().filter(|s| !s.is_empty()).collect())
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn parse_pattern(text: &str) -> Result<VarPattern, String> {
    let bad = |why: &str| {
        format!("--vars `{text}`: {why}; a pattern is a variable's name, optionally with one index per axis: `theta`, `alpha[3, *]`, `alpha[*, grade=2]`, `alpha[grade=2]`")
    };
    let (variable, rest) = match text.find('[') {
        Some(i) => (text[..i].trim(), Some(&text[i + 1..])),
        None => (text, None),
    };
    if !is_name(variable) {
        return Err(bad(&format!("`{variable}` is not a variable name")));
    }
    let indices = match rest {
        None => None,
        Some(rest) => {
            let inner = rest.strip_suffix(']').ok_or_else(|| bad("nothing may follow the closing `]`"))?;
            let items = inner
                .split(',')
                .map(|item| {
                    let item = item.trim();
                    let (dim, value) = match item.split_once('=') {
                        Some((d, v)) => {
                            let d = d.trim();
                            if !is_name(d) {
                                return Err(bad(&format!("`{d}` is not a dim name")));
                            }
                            (Some(d.to_string()), v.trim())
                        }
                        None => (None, item),
                    };
                    if value.is_empty() {
                        return Err(bad("an index is empty"));
                    }
                    Ok(if value == "*" { IndexItem::Any { dim } } else { IndexItem::Member { dim, value: value.to_string() } })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Some(items)
        }
    };
    Ok(VarPattern { text: text.to_string(), variable: variable.to_string(), indices })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims() -> FitDims {
        let mut dims = FitDims::default();
        dims.variables.insert("theta".into(), vec![Some("grade".into())]);
        dims.variables.insert("alpha".into(), vec![Some("pair".into()), Some("grade".into())]);
        dims.variables.insert("w".into(), vec![None, Some("grade".into())]);
        dims.members.insert("grade".into(), vec!["1".into(), "2".into(), "3".into()]);
        dims.members.insert("pair".into(), vec!["a".into(), "b".into()]);
        dims
    }

    fn columns() -> Vec<String> {
        let mut c = vec!["lp__".to_string(), "mu".to_string()];
        c.extend((1..=3).map(|g| format!("theta.{g}")));
        for g in 1..=3 {
            for p in 1..=2 {
                c.push(format!("alpha.{p}.{g}"));
            }
        }
        c.extend((1..=3).flat_map(|g| (1..=2).map(move |i| format!("w.{i}.{g}"))));
        c
    }

    fn selected(args: &[&str]) -> Vec<String> {
        let sel = Selection::parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>()).expect("parses");
        let dims = dims();
        let columns = columns();
        sel.check(&columns, &dims).expect("checks");
        columns.iter().filter(|c| sel.matches(&dims.cell(c))).cloned().collect()
    }

    #[test]
    fn patterns_select_cells_by_name_member_and_position() {
        assert_eq!(selected(&["theta"]), ["theta.1", "theta.2", "theta.3"]);
        assert_eq!(selected(&["alpha[*, grade=2]"]), ["alpha.1.2", "alpha.2.2"]);
        assert_eq!(selected(&["alpha[b, *]"]), ["alpha.2.1", "alpha.2.2", "alpha.2.3"]);
        assert_eq!(selected(&["alpha[grade=3]"]), ["alpha.1.3", "alpha.2.3"]);
        assert_eq!(selected(&["alpha[pair=a, grade=*]"]), ["alpha.1.1", "alpha.1.2", "alpha.1.3"]);
        // An axis without a dim is indexed by position.
        assert_eq!(selected(&["w[2, 1]"]), ["w.2.1"]);
        // Several patterns, by commas or options, in column order.
        assert_eq!(selected(&["theta[3],mu", "lp__"]), ["lp__", "mu", "theta.3"]);
        assert_eq!(selected(&[]).len(), columns().len());
    }

    /// A tuple's columns, of a plain tuple (`pair:1`, `pair:2.1`) or of an
    /// array of tuples (`th.1:1`, `th.1:2.1`), are selected by its name.
    #[test]
    fn a_tuple_is_selected_by_its_name() {
        let columns: Vec<String> = ["mu", "pair:1", "pair:2.1", "pair:2.2", "th.1:1", "th.1:2.1", "th.2:1", "th.2:2.1", "thx"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let dims = FitDims::default();
        for (arg, want) in [
            ("pair", vec!["pair:1", "pair:2.1", "pair:2.2"]),
            ("th", vec!["th.1:1", "th.1:2.1", "th.2:1", "th.2:2.1"]),
            ("thx", vec!["thx"]),
        ] {
            let sel = Selection::parse(&[arg.to_string()]).expect("parses");
            sel.check(&columns, &dims).expect("checks");
            let got: Vec<&String> = columns.iter().filter(|c| sel.matches(&dims.cell(c))).collect();
            assert_eq!(got, want, "{arg}");
        }
    }

    #[test]
    fn bad_patterns_are_errors_saying_what_would_be_right() {
        let err = |arg: &str| {
            let dims = dims();
            match Selection::parse(&[arg.to_string()]) {
                Err(e) => e,
                Ok(sel) => sel.check(&columns(), &dims).expect_err(arg),
            }
        };
        assert!(err("thetaa").contains("the fit has no variable `thetaa`; its variables are lp__, mu, theta, alpha, w"), "{}", err("thetaa"));
        assert!(err("alpha[1]").contains("`alpha` has 2 indices, the pattern 1; give one per axis (pair, grade)"), "{}", err("alpha[1]"));
        assert!(err("alpha[obs=1]").contains("`alpha` has no axis over dim `obs` (its axes: pair, grade)"), "{}", err("alpha[obs=1]"));
        assert!(err("alpha[grade=1, *]").contains("axis 1 of `alpha` runs over `pair`, not `grade`"), "{}", err("alpha[grade=1, *]"));
        assert!(err("theta[grade=7]").contains("`7` is not a member of dim `grade`: 1, 2, 3"), "{}", err("theta[grade=7]"));
        assert!(err("mu[1]").contains("`mu` is a scalar"), "{}", err("mu[1]"));
        assert!(err("alpha[1,").contains("not closed"), "{}", err("alpha[1,"));
        assert!(err("alpha[1]x").contains("nothing may follow the closing `]`"), "{}", err("alpha[1]x"));
        assert!(err("alpha[, 1]").contains("an index is empty"), "{}", err("alpha[, 1]"));
        assert!(err("1x").contains("`1x` is not a variable name"), "{}", err("1x"));
    }
}
