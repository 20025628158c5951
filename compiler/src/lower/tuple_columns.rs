//! The output columns of a tuple in CmdStan's order: an array of tuples
//! element by element, each element's slots together
//! (`syntax::tuples::layout` says why and cites CmdStan's guide), while the
//! split stores each slot as its own array (`t:1`, `t:2`).

use super::layout::{self, OutputAxis, OutputVar};
use crate::check::types::Type;
use crate::syntax::tuples::layout::{TupleNode, TupleOutput};

/// One element variable of an output tuple, as lowered.
pub(super) struct Leaf {
    /// Its output variable (name, shape, axes), for its labels.
    pub var: OutputVar,
    /// Its type.
    pub ty: Type,
    /// Where its storage starts in the `Out` arena.
    pub base: usize,
}

/// The columns of one output tuple: CmdStan names, labelled names and
/// positions in the `Out` arena, in CmdStan's order.
#[derive(Default)]
pub(super) struct Columns {
    pub names: Vec<String>,
    pub labels: Vec<String>,
    pub positions: Vec<usize>,
}

/// The columns of `t`, each element variable found by `leaf`; `None` when
/// one is not an output (a parameter fixed by a simulation).
pub(super) fn tuple_columns(t: &TupleOutput, leaf: &dyn Fn(&str) -> Option<Leaf>) -> Option<Columns> {
    let mut out = Columns::default();
    let prefix = Prefix { name: t.name.clone(), label: t.name.clone(), index: Vec::new() };
    walk(&t.node, &prefix, leaf, &mut out)?;
    Some(out)
}

/// The name and label so far, and the indices of the array levels above.
#[derive(Clone)]
struct Prefix {
    name: String,
    label: String,
    index: Vec<usize>,
}

fn walk(node: &TupleNode, prefix: &Prefix, leaf: &dyn Fn(&str) -> Option<Leaf>, out: &mut Columns) -> Option<()> {
    match node {
        TupleNode::Leaf(var) => {
            let leaf = leaf(var)?;
            leaf_columns(&leaf, prefix, out);
            Some(())
        }
        TupleNode::Tuple { array_rank, slots } => {
            // This level's array sizes: the axes of any element variable
            // below, after those of the levels above.
            let first = node_first_leaf(node);
            let level_shape: Vec<usize> = match leaf(first) {
                Some(l) => l.var.shape.get(prefix.index.len()..prefix.index.len() + array_rank)?.to_vec(),
                None => return None,
            };
            let axes = leaf(first).map(|l| l.var.axes).unwrap_or_default();
            let mut result = Some(());
            layout::for_each_index(&level_shape, |ix| {
                if result.is_none() {
                    return;
                }
                let mut here = prefix.clone();
                for &i in ix {
                    here.name.push_str(&format!(".{i}"));
                    here.index.push(i);
                }
                if !ix.is_empty() {
                    here.label.push_str(&bracket(ix, &axes[prefix.index.len().min(axes.len())..]));
                }
                for (k, slot) in slots.iter().enumerate() {
                    let mut inner = here.clone();
                    inner.name.push_str(&format!(":{}", k + 1));
                    inner.label.push_str(&format!(":{}", k + 1));
                    if walk(slot, &inner, leaf, out).is_none() {
                        result = None;
                        return;
                    }
                }
            });
            result
        }
    }
}

/// The first element variable under `node`.
fn node_first_leaf(node: &TupleNode) -> &str {
    match node {
        TupleNode::Leaf(v) => v,
        TupleNode::Tuple { slots, .. } => slots.first().map_or("", node_first_leaf),
    }
}

/// The columns of one element variable under `prefix`: its own axes'
/// indices after the levels' (and `.real`/`.imag` of a complex element).
fn leaf_columns(leaf: &Leaf, prefix: &Prefix, out: &mut Columns) {
    let levels = prefix.index.len();
    let own: Vec<usize> = leaf.var.shape.get(levels..).map(<[usize]>::to_vec).unwrap_or_default();
    let rank = leaf.ty.array.len();
    let stored = super::complex::storage_shape(&leaf.ty, &leaf.var.shape);
    let own_axes = leaf.var.axes.get(levels..).map(<[OutputAxis]>::to_vec).unwrap_or_default();
    layout::for_each_index(&own, |ix| {
        let mut name = prefix.name.clone();
        for i in ix {
            name.push_str(&format!(".{i}"));
        }
        let mut label = prefix.label.clone();
        if !ix.is_empty() {
            label.push_str(&bracket(ix, &own_axes));
        }
        let mut full = prefix.index.clone();
        full.extend_from_slice(ix);
        if leaf.var.complex {
            for (part, word) in [(1, "real"), (2, "imag")] {
                let mut at = full.clone();
                at.insert(rank, part);
                out.names.push(format!("{name}.{word}"));
                out.labels.push(format!("{label}.{word}"));
                out.positions.push(leaf.base + layout::memory_offset(&stored, rank, &at));
            }
        } else {
            out.names.push(name);
            out.labels.push(label);
            out.positions.push(leaf.base + layout::memory_offset(&leaf.var.shape, rank, &full));
        }
    });
}

/// `[i, j]`, an index over a dim shown `dim=label` as in other labels.
fn bracket(ix: &[usize], axes: &[OutputAxis]) -> String {
    let parts: Vec<String> = ix
        .iter()
        .enumerate()
        .map(|(k, &i)| match axes.get(k) {
            Some(OutputAxis::Dim { name, labels }) => {
                let shown = labels.as_ref().and_then(|l| l.get(i - 1)).cloned().unwrap_or_else(|| i.to_string());
                format!("{name}={shown}")
            }
            _ => i.to_string(),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}
