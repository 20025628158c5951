use super::*;

fn graph_of(source: &str) -> ModelGraph {
    let fe = crate::front_end(source);
    let program = fe.typed.unwrap_or_else(|| panic!("test model must check: {:?}", fe.diagnostics));
    build(&program)
}

fn node<'a>(g: &'a ModelGraph, name: &str) -> &'a Node {
    g.nodes.iter().find(|n| n.name == name).unwrap_or_else(|| panic!("no node {name}"))
}

fn has_edge(g: &ModelGraph, from: &str, to: &str, kind: EdgeKind) -> bool {
    g.edges.iter().any(|e| g.nodes[e.from].name == from && g.nodes[e.to].name == to && e.kind == kind)
}

const NESTED: &str = "dims { obs; grade; pair; }
data { array[obs] grade g; array[obs] pair p; vector[obs] y; }
parameters { vector[grade] mu; matrix[pair, grade] z; real<lower=0> s; }
transformed parameters { matrix[pair, grade] a = z * 2; }
model { mu ~ normal(0, 1); to_vector(z) ~ std_normal();
  for (i in obs) { real m = a[p[i], g[i]] + mu[g[i]]; y[i] ~ normal(m, s); } }
generated quantities { vector[grade] d = mu * 2; }";

#[test]
fn kinds_edges_and_locals() {
    let g = graph_of(NESTED);
    assert_eq!(node(&g, "y").kind, NodeKind::Observed);
    assert_eq!(node(&g, "g").kind, NodeKind::Data);
    assert_eq!(node(&g, "mu").kind, NodeKind::Parameter);
    assert_eq!(node(&g, "a").kind, NodeKind::TransformedParameter);
    assert_eq!(node(&g, "d").kind, NodeKind::Generated);
    // Through the local `m`, and the index variables of `y[i]`'s mean.
    assert!(has_edge(&g, "a", "y", EdgeKind::Stochastic));
    assert!(has_edge(&g, "mu", "y", EdgeKind::Stochastic));
    assert!(has_edge(&g, "p", "y", EdgeKind::Stochastic));
    assert!(has_edge(&g, "z", "a", EdgeKind::Deterministic));
    assert!(has_edge(&g, "mu", "d", EdgeKind::Deterministic));
    assert!(!has_edge(&g, "y", "mu", EdgeKind::Stochastic));
}

#[test]
fn plates_nest_by_dims() {
    let g = graph_of(NESTED);
    let plate_of = |name: &str| node(&g, name).plate.map(|p| g.plates[p].clone());
    let grade = plate_of("mu").expect("mu in a plate");
    assert_eq!(grade.dims, vec!["grade"]);
    let pair_grade = plate_of("z").expect("z in a plate");
    assert_eq!(pair_grade.dims, vec!["grade", "pair"]);
    let parent = pair_grade.parent.expect("grade × pair sits in grade");
    assert_eq!(g.plates[parent].dims, vec!["grade"]);
    assert_eq!(pair_grade.label(&g.plates), "pair");
    assert_eq!(plate_of("s"), None);
    assert_eq!(plate_of("y").map(|p| p.dims), Some(vec!["obs".to_string()]));
}

#[test]
fn plain_stan_plates_from_size_variables() {
    let g = graph_of("data { int N; int J; array[N] int<lower=1, upper=J> group; vector[N] y; }
parameters { vector[J] b; real<lower=0> s; }
model { b ~ normal(0, 1); y ~ normal(b[group], s); }");
    // `N` and `J` are only sizes: they name plates instead of being nodes.
    assert!(g.nodes.iter().all(|n| n.name != "N" && n.name != "J"));
    let plate = |name: &str| node(&g, name).plate.map(|p| g.plates[p].dims.clone());
    assert_eq!(plate("y"), Some(vec!["N".to_string()]));
    assert_eq!(plate("b"), Some(vec!["J".to_string()]));
    assert!(has_edge(&g, "group", "y", EdgeKind::Stochastic));
    // Labels name the sizes the checker's anonymous axes came from.
    assert_eq!(node(&g, "y").ty, "vector[N]");
    assert_eq!(node(&g, "group").ty, "array[N] int");
    assert_eq!(node(&g, "s").ty, "real");
}

#[test]
fn dot_and_svg_name_every_node_and_plate() {
    let g = graph_of(NESTED);
    let dot = dot::to_dot(&g, "nested");
    let svg = svg::to_svg(&g, "nested");
    for n in &g.nodes {
        assert!(dot.contains(&format!("\"{}\" [label=", n.name)), "{dot}");
        assert!(svg.contains(&format!(">{}</text>", n.name)), "{svg}");
    }
    assert!(dot.contains("subgraph \"cluster_grade\" {"));
    assert!(dot.contains("subgraph \"cluster_grade_pair\" {"));
    assert!(dot.contains("\"z\" -> \"a\" [style=dashed];"));
    assert!(svg.contains(">pair</text>") && svg.contains(">grade</text>"));
}
