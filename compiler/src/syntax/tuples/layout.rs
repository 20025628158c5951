//! Where the element variables of an output tuple go among CmdStan's
//! columns. A tuple is split into one variable per element, an array of
//! tuples into one array per element (`array[2] tuple(real, vector[3]) t`
//! into `t:1`, `array[2] real`, and `t:2`, `array[2] vector[3]`), but
//! CmdStan writes an array of tuples element by element, each element's
//! slots together, the array's indices before the slot's `:` (CmdStan
//! guide, "Stan CSV File Format": "tuples are laid out element-by-element,
//! with each tuple slot being delimited by a colon"): `t.1:1, t.1:2.1,
//! t.1:2.2, t.1:2.3, t.2:1, t.2:2.1, ...`, the array's elements in column-major
//! order like any container's (`a.1.1:1, a.1.1:2, a.2.1:1, ...` for
//! `array[3, 2]`). Lowering needs to know which array axes of an element
//! variable belong to which tuple level; the declaration says, and this is
//! it, kept for every tuple declared in `parameters`, `transformed
//! parameters` and `generated quantities`.

use crate::syntax::ast::{BaseTypeExpr, TypeExpr};

/// One output tuple variable as declared: its name and its element tree.
#[derive(Clone, Debug, PartialEq)]
pub struct TupleOutput {
    /// The variable's name (`t`).
    pub name: String,
    /// Its type's tree of tuples and element variables.
    pub node: TupleNode,
}

/// One level of a declared tuple type.
#[derive(Clone, Debug, PartialEq)]
pub enum TupleNode {
    /// A non-tuple element: the variable the split made for it (`t:2`),
    /// whose shape is the array axes of every tuple level above it, then
    /// its own.
    Leaf(String),
    /// A tuple (or an array of them, `array_rank` array axes) and its slots.
    Tuple { array_rank: usize, slots: Vec<TupleNode> },
}

impl TupleNode {
    /// The tree of a declared type whose variable is named `name` (element
    /// variables are named as the split names them, `name:k`).
    pub fn of(name: &str, ty: &TypeExpr) -> TupleNode {
        match &ty.base {
            BaseTypeExpr::Tuple(items) => TupleNode::Tuple {
                array_rank: ty.array_sizes.len(),
                slots: items.iter().enumerate().map(|(k, item)| TupleNode::of(&super::element_name(name, k + 1), item)).collect(),
            },
            _ => TupleNode::Leaf(name.to_string()),
        }
    }

    /// The element variables, in slot order.
    pub fn leaves(&self) -> Vec<&str> {
        match self {
            TupleNode::Leaf(name) => vec![name.as_str()],
            TupleNode::Tuple { slots, .. } => slots.iter().flat_map(TupleNode::leaves).collect(),
        }
    }
}
