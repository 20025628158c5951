//! The graph drawn as SVG without Graphviz: a layered layout written for
//! model graphs. Nodes go in rows by their longest path from a source (so
//! every edge points down); each plate owns a band of columns, with its
//! sub-plates' bands inside its own, so a plate's rectangle holds exactly
//! its nodes and its sub-plates and never overlaps a plate it is not in.

use super::{EdgeKind, ModelGraph, NodeKind};
use std::fmt::Write;

const NODE_H: f64 = 38.0;
const ROW: f64 = 96.0;
/// Space between a plate's border and what it holds, per side.
const PAD: f64 = 14.0;
/// Vertical room per level of plate nesting (the label sits at the bottom).
const LEVEL: f64 = 18.0;

/// Where every node and plate goes.
struct Layout {
    col: f64,
    /// Node centres.
    centre: Vec<(f64, f64)>,
    /// Plate rectangles: x, y, width, height.
    plate_rect: Vec<(f64, f64, f64, f64)>,
    width: f64,
    height: f64,
}

/// Draws the graph of model `name` as an SVG document.
pub fn to_svg(graph: &ModelGraph, name: &str) -> String {
    let l = layout(graph);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="Helvetica, Arial, sans-serif">"#,
        w = l.width,
        h = l.height
    );
    let _ = writeln!(out, "<title>{}</title>", xml(name));
    out.push_str(r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#444"/></marker></defs>"##);
    out.push('\n');
    let _ = writeln!(out, r#"<rect width="100%" height="100%" fill="white"/>"#);
    for (p, plate) in graph.plates.iter().enumerate() {
        let (x, y, w, h) = l.plate_rect[p];
        let _ = writeln!(
            out,
            r##"<g class="plate"><rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="8" fill="none" stroke="#666"/><text x="{tx:.1}" y="{ty:.1}" text-anchor="end" font-size="11" fill="#333">{label}</text></g>"##,
            tx = x + w - 6.0,
            ty = y + h - 5.0,
            label = xml(&plate.label(&graph.plates))
        );
    }
    for e in &graph.edges {
        let (x1, y1) = l.centre[e.from];
        let (x2, y2) = l.centre[e.to];
        let (y1, y2) = (y1 + NODE_H / 2.0, y2 - NODE_H / 2.0);
        let bend = ((y2 - y1) / 2.0).max(10.0);
        let dash = if e.kind == EdgeKind::Deterministic { r#" stroke-dasharray="5,3""# } else { "" };
        let _ = writeln!(
            out,
            r##"<path class="edge" d="M {x1:.1} {y1:.1} C {x1:.1} {c1:.1}, {x2:.1} {c2:.1}, {x2:.1} {y2:.1}" fill="none" stroke="#444"{dash} marker-end="url(#arrow)"/>"##,
            c1 = y1 + bend,
            c2 = y2 - bend
        );
    }
    for (i, node) in graph.nodes.iter().enumerate() {
        let (x, y) = l.centre[i];
        let (w, h) = (l.col - 16.0, NODE_H);
        let shape = match node.kind {
            NodeKind::Parameter | NodeKind::Observed | NodeKind::Generated => {
                let fill = if node.kind == NodeKind::Observed { "#d3d3d3" } else { "white" };
                let dash = if node.kind == NodeKind::Generated { r#" stroke-dasharray="4,3""# } else { "" };
                format!(r#"<ellipse cx="{x:.1}" cy="{y:.1}" rx="{:.1}" ry="{:.1}" fill="{fill}" stroke="black"{dash}/>"#, w / 2.0, h / 2.0)
            }
            NodeKind::Data | NodeKind::TransformedData | NodeKind::TransformedParameter => {
                let rx = if node.kind == NodeKind::TransformedParameter { 0.0 } else { 8.0 };
                let dash = if node.kind == NodeKind::TransformedData { r#" stroke-dasharray="4,3""# } else { "" };
                format!(
                    r#"<rect x="{:.1}" y="{:.1}" width="{w:.1}" height="{h:.1}" rx="{rx}" fill="white" stroke="black"{dash}/>"#,
                    x - w / 2.0,
                    y - h / 2.0
                )
            }
        };
        let _ = writeln!(
            out,
            r##"<g class="node {kind}">{shape}<text x="{x:.1}" y="{ty1:.1}" text-anchor="middle" font-size="12" font-weight="bold">{name}</text><text x="{x:.1}" y="{ty2:.1}" text-anchor="middle" font-size="10" fill="#444">{ty}</text></g>"##,
            kind = node.kind.describe().replace(' ', "-"),
            ty1 = y - 2.0,
            ty2 = y + 11.0,
            name = xml(&node.name),
            ty = xml(&node.ty)
        );
    }
    out.push_str("</svg>\n");
    out
}

/// Longest-path rows; nodes on a cycle (a graph of plain Stan code can
/// have one through updates) go one row below the rest.
fn rows(graph: &ModelGraph) -> Vec<usize> {
    let n = graph.nodes.len();
    let mut indegree = vec![0usize; n];
    for e in &graph.edges {
        indegree[e.to] += 1;
    }
    let mut row = vec![0usize; n];
    let mut done = vec![false; n];
    let mut ready: Vec<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
    while let Some(i) = ready.pop() {
        done[i] = true;
        for e in graph.edges.iter().filter(|e| e.from == i) {
            row[e.to] = row[e.to].max(row[i] + 1);
            indegree[e.to] -= 1;
            if indegree[e.to] == 0 {
                ready.push(e.to);
            }
        }
    }
    let below = row.iter().copied().max().unwrap_or(0) + 1;
    for i in 0..n {
        if !done[i] {
            row[i] = row[i].max(below);
        }
    }
    row
}

fn layout(graph: &ModelGraph) -> Layout {
    let longest = graph.nodes.iter().map(|n| n.name.chars().count().max(n.ty.chars().count())).max().unwrap_or(4);
    let col = (longest as f64 * 6.6 + 30.0).max(110.0);
    let row = rows(graph);
    let n_plates = graph.plates.len();
    // Nesting height of each plate (1 for a plate with no sub-plates);
    // parents come before children, so go backwards.
    let mut nest = vec![1usize; n_plates];
    for p in (0..n_plates).rev() {
        if let Some(parent) = graph.plates[p].parent {
            nest[parent] = nest[parent].max(nest[p] + 1);
        }
    }
    let max_nest = nest.iter().copied().max().unwrap_or(0) as f64;
    let top = 16.0 + LEVEL * max_nest + NODE_H / 2.0;
    let mut l = Layout { col, centre: vec![(0.0, 0.0); graph.nodes.len()], plate_rect: vec![(0.0, 0.0, 0.0, 0.0); n_plates], width: 0.0, height: 0.0 };
    let width = place(graph, None, 8.0, &row, top, &mut l);
    let max_row = row.iter().copied().max().unwrap_or(0) as f64;
    // Plates' vertical extent, from their nodes and sub-plates' nodes.
    for p in 0..n_plates {
        let rows_in: Vec<usize> = (0..graph.nodes.len()).filter(|&i| in_plate(graph, graph.nodes[i].plate, p)).map(|i| row[i]).collect();
        let lo = rows_in.iter().copied().min().unwrap_or(0) as f64;
        let hi = rows_in.iter().copied().max().unwrap_or(0) as f64;
        let margin = LEVEL * nest[p] as f64;
        let y0 = top + lo * ROW - NODE_H / 2.0 - margin + 6.0;
        let y1 = top + hi * ROW + NODE_H / 2.0 + margin;
        l.plate_rect[p].1 = y0;
        l.plate_rect[p].3 = y1 - y0;
    }
    l.width = width + 16.0;
    l.height = top + max_row * ROW + NODE_H / 2.0 + LEVEL * max_nest + 16.0;
    l
}

/// Whether a node in plate `node_plate` lies in plate `p` (directly or in
/// a sub-plate).
fn in_plate(graph: &ModelGraph, mut node_plate: Option<usize>, p: usize) -> bool {
    while let Some(q) = node_plate {
        if q == p {
            return true;
        }
        node_plate = graph.plates[q].parent;
    }
    false
}

/// Places the nodes of `plate` (`None`: outside every plate) and its
/// sub-plates from `x0`; returns the width used.
fn place(graph: &ModelGraph, plate: Option<usize>, x0: f64, row: &[usize], top: f64, l: &mut Layout) -> f64 {
    let pad = if plate.is_some() { PAD } else { 0.0 };
    let mut used_per_row: std::collections::BTreeMap<usize, usize> = Default::default();
    for (i, node) in graph.nodes.iter().enumerate() {
        if node.plate == plate {
            let k = used_per_row.entry(row[i]).or_default();
            l.centre[i] = (x0 + pad + (*k as f64 + 0.5) * l.col, top + row[i] as f64 * ROW);
            *k += 1;
        }
    }
    let own = used_per_row.values().copied().max().unwrap_or(0) as f64 * l.col;
    let mut x = x0 + pad + own;
    for c in 0..graph.plates.len() {
        if graph.plates[c].parent == plate {
            x += place(graph, Some(c), x, row, top, l) + 6.0;
        }
    }
    let width = x - x0 + pad;
    if let Some(p) = plate {
        l.plate_rect[p].0 = x0;
        l.plate_rect[p].2 = width;
    }
    width
}

/// Text escaped for XML.
fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
