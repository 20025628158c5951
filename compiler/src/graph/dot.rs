//! The graph as Graphviz DOT: plates as nested `cluster` subgraphs.

use super::{EdgeKind, ModelGraph, NodeKind};
use std::fmt::Write;

/// The DOT attributes of a node kind: parameters are ellipses, observed
/// data grey-filled ellipses, other data boxes, transformed parameters
/// (deterministic) rectangles, generated quantities dashed ellipses.
pub fn node_style(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Data => "shape=box, style=rounded",
        NodeKind::Observed => "shape=ellipse, style=filled, fillcolor=lightgrey",
        NodeKind::TransformedData => "shape=box, style=\"rounded,dashed\"",
        NodeKind::Parameter => "shape=ellipse",
        NodeKind::TransformedParameter => "shape=box",
        NodeKind::Generated => "shape=ellipse, style=dashed",
    }
}

/// Writes the graph of model `name` as DOT.
pub fn to_dot(graph: &ModelGraph, name: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote(name));
    out.push_str("  node [fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("  graph [fontname=\"Helvetica\", fontsize=11];\n");
    for (i, node) in graph.nodes.iter().enumerate() {
        if node.plate.is_none() {
            write_node(&mut out, graph, i, 1);
        }
    }
    for (p, plate) in graph.plates.iter().enumerate() {
        if plate.parent.is_none() {
            write_plate(&mut out, graph, p, 1);
        }
    }
    for e in &graph.edges {
        let style = match e.kind {
            EdgeKind::Stochastic => "",
            EdgeKind::Deterministic => " [style=dashed]",
        };
        let _ = writeln!(out, "  {} -> {}{style};", quote(&graph.nodes[e.from].name), quote(&graph.nodes[e.to].name));
    }
    out.push_str("}\n");
    out
}

fn write_node(out: &mut String, graph: &ModelGraph, i: usize, depth: usize) {
    let node = &graph.nodes[i];
    let label = format!("{}\n{}", node.name, node.ty);
    let _ = writeln!(out, "{}{} [label={}, {}];", "  ".repeat(depth), quote(&node.name), quote(&label), node_style(node.kind));
}

fn write_plate(out: &mut String, graph: &ModelGraph, p: usize, depth: usize) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(out, "{pad}subgraph {} {{", quote(&format!("cluster_{}", graph.plates[p].dims.join("_"))));
    let _ = writeln!(
        out,
        "{pad}  label={}; labeljust=r; labelloc=b; style=rounded;",
        quote(&graph.plates[p].label(&graph.plates))
    );
    for (i, node) in graph.nodes.iter().enumerate() {
        if node.plate == Some(p) {
            write_node(out, graph, i, depth + 1);
        }
    }
    for (c, child) in graph.plates.iter().enumerate() {
        if child.parent == Some(p) {
            write_plate(out, graph, c, depth + 1);
        }
    }
    let _ = writeln!(out, "{pad}}}");
}

/// A DOT quoted string (IDs and labels); `\n` becomes a line break.
fn quote(s: &str) -> String {
    let escaped = s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    format!("\"{escaped}\"")
}
