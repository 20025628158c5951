//! The model as a directed graph with plates (`hbmc graph`): one node per
//! variable declared at the top level of a block, an edge from every
//! variable an assignment or `~` reads to the variable it writes or
//! observes, and one plate per dim (or, in plain Stan, per size variable)
//! that a variable's declaration runs over. [`dot`] writes it as Graphviz
//! DOT, [`svg`] draws it without Graphviz.

pub mod dot;
pub mod svg;

use crate::check::env::VarOrigin;
use crate::check::typed::{Size, TypedExpr, TypedExprKind, TypedIndex, TypedProgram, TypedStmt, TypedStmtKind, VarId};
use crate::syntax::ast::BlockKind;
use std::collections::{BTreeMap, BTreeSet};

/// What a node is, which decides its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// Declared in `data`, never on the left of `~`.
    Data,
    /// Declared in `data` or `transformed data` and observed by a `~`
    /// (the likelihood).
    Observed,
    /// Declared in `transformed data`.
    TransformedData,
    /// Declared in `parameters`.
    Parameter,
    /// Declared in `transformed parameters`.
    TransformedParameter,
    /// Declared in `generated quantities`.
    Generated,
}

impl NodeKind {
    /// The block's name as shown in legends.
    pub fn describe(self) -> &'static str {
        match self {
            NodeKind::Data => "data",
            NodeKind::Observed => "observed data",
            NodeKind::TransformedData => "transformed data",
            NodeKind::Parameter => "parameter",
            NodeKind::TransformedParameter => "transformed parameter",
            NodeKind::Generated => "generated quantity",
        }
    }
}

/// One variable of the graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub name: String,
    /// The declared type with dim names, such as `vector[grade]`.
    pub ty: String,
    pub kind: NodeKind,
    /// Index into [`ModelGraph::plates`], or `None` outside every plate.
    pub plate: Option<usize>,
}

/// How an edge's target depends on its source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EdgeKind {
    /// The source is an argument of the target's distribution (`~`).
    Stochastic,
    /// The source is read by an assignment to the target.
    Deterministic,
}

/// A dependency: `to` is drawn or computed from `from`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
}

/// A plate: the set of dims (or size variables) its nodes run over. A
/// plate sits inside the plate of the largest proper subset of its dims
/// that also has a plate, so `matrix[pair, grade]` sits in the plate of
/// `vector[grade]` when the model has both.
#[derive(Clone, Debug, PartialEq)]
pub struct Plate {
    /// The dims of this plate, in declaration order.
    pub dims: Vec<String>,
    /// The enclosing plate, if any.
    pub parent: Option<usize>,
}

impl Plate {
    /// The plate's label: the dims it adds to its parent's, `pair` or
    /// `pair × grade`.
    pub fn label(&self, plates: &[Plate]) -> String {
        let outer: &[String] = self.parent.map_or(&[], |p| &plates[p].dims);
        self.dims.iter().filter(|d| !outer.contains(d)).cloned().collect::<Vec<_>>().join(" × ")
    }
}

/// The model's graph.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelGraph {
    pub nodes: Vec<Node>,
    /// Sorted, without duplicates or self-loops.
    pub edges: Vec<Edge>,
    /// Parents come before their children.
    pub plates: Vec<Plate>,
}

/// Builds the graph of a checked program.
pub fn build(program: &TypedProgram) -> ModelGraph {
    let blocks = [
        BlockKind::Data,
        BlockKind::TransformedData,
        BlockKind::Parameters,
        BlockKind::TransformedParameters,
        BlockKind::GeneratedQuantities,
    ];
    // Every size a declaration runs over, named: a dim by its name, an
    // `int` size variable (plain Stan's `vector[N]`) by the variable's name.
    // Literal and computed sizes make no plate.
    let mut node_of: BTreeMap<VarId, usize> = BTreeMap::new();
    let mut nodes = Vec::new();
    let mut node_dims: Vec<Vec<String>> = Vec::new();
    let mut dim_order: Vec<String> = program.dims.dims.iter().map(|d| d.name.clone()).collect();
    for kind in blocks {
        for decl in program.decls(kind) {
            let info = program.var(decl.var);
            let mut dims: Vec<String> = Vec::new();
            for size in &decl.sizes {
                let name = match size {
                    Size::Dim(d) => Some(program.dims.get(*d).name.clone()),
                    Size::Expr(TypedExpr { kind: TypedExprKind::Var(v), .. }) => Some(program.var(*v).name.clone()),
                    Size::Expr(_) => None,
                };
                if let Some(name) = name {
                    if !dim_order.contains(&name) {
                        dim_order.push(name.clone());
                    }
                    if !dims.contains(&name) {
                        dims.push(name);
                    }
                }
            }
            node_of.insert(decl.var, nodes.len());
            nodes.push(Node {
                name: info.name.clone(),
                ty: type_label(program, decl),
                kind: node_kind(kind),
                plate: None,
            });
            node_dims.push(dims);
        }
    }

    let mut collector = EdgeCollector { program, node_of: &node_of, local_sources: BTreeMap::new(), edges: BTreeSet::new() };
    for block in &program.blocks {
        for stmt in &block.stmts {
            collector.stmt(stmt);
        }
    }
    let edges: Vec<Edge> = collector.edges.into_iter().collect();
    for e in &edges {
        if e.kind == EdgeKind::Stochastic && matches!(nodes[e.to].kind, NodeKind::Data | NodeKind::TransformedData) {
            nodes[e.to].kind = NodeKind::Observed;
        }
    }
    // An observed variable is the target of a `~` even when nothing
    // feeds it (`y ~ std_normal()`).
    for block in &program.blocks {
        for stmt in &block.stmts {
            stmt.for_each_stmt(&mut |s| {
                if let TypedStmtKind::Tilde { lhs, .. } = &s.kind {
                    if let Some(&n) = lhs.root_var().and_then(|v| node_of.get(&v)) {
                        if matches!(nodes[n].kind, NodeKind::Data | NodeKind::TransformedData) {
                            nodes[n].kind = NodeKind::Observed;
                        }
                    }
                }
            });
        }
    }

    // Size variables (`int N;`) used for nothing but sizes would stand
    // alone; they are the plates' names instead.
    let mut keep: Vec<bool> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let isolated = !edges.iter().any(|e| e.from == i || e.to == i);
            !(isolated && matches!(n.kind, NodeKind::Data | NodeKind::TransformedData) && n.ty == "int")
        })
        .collect();
    if nodes.is_empty() {
        keep.clear();
    }
    let mut renumber = vec![usize::MAX; nodes.len()];
    let mut kept_nodes = Vec::new();
    let mut kept_dims = Vec::new();
    for (i, node) in nodes.into_iter().enumerate() {
        if keep[i] {
            renumber[i] = kept_nodes.len();
            kept_nodes.push(node);
            kept_dims.push(node_dims[i].clone());
        }
    }
    let edges: Vec<Edge> = edges
        .into_iter()
        .map(|e| Edge { from: renumber[e.from], to: renumber[e.to], kind: e.kind })
        .collect();

    // Plates: one per distinct set of dims, ordered by size then by the
    // dims' order so that parents come first.
    let mut sets: Vec<Vec<String>> = Vec::new();
    for dims in &mut kept_dims {
        dims.sort_by_key(|d| dim_order.iter().position(|o| o == d));
        if !dims.is_empty() && !sets.contains(dims) {
            sets.push(dims.clone());
        }
    }
    let rank = |s: &Vec<String>| (s.len(), s.iter().map(|d| dim_order.iter().position(|o| o == d)).collect::<Vec<_>>());
    sets.sort_by_key(rank);
    let mut plates: Vec<Plate> = Vec::new();
    for set in &sets {
        let parent = plates
            .iter()
            .enumerate()
            .filter(|(_, p)| p.dims.len() < set.len() && p.dims.iter().all(|d| set.contains(d)))
            .max_by_key(|(i, p)| (p.dims.len(), std::cmp::Reverse(*i)))
            .map(|(i, _)| i);
        plates.push(Plate { dims: set.clone(), parent });
    }
    for (node, dims) in kept_nodes.iter_mut().zip(&kept_dims) {
        node.plate = plates.iter().position(|p| &p.dims == dims);
    }
    ModelGraph { nodes: kept_nodes, edges, plates }
}

/// The declared type with its sizes: `vector[grade]`, or in plain Stan
/// `vector[N]` (the checker's type says only `vector` there). Falls back
/// to the checker's rendering when the sizes do not map one to one onto
/// the type's axes (such as `cholesky_factor_corr[K]`).
fn type_label(program: &TypedProgram, decl: &crate::check::typed::TypedDecl) -> String {
    use crate::check::types::ElemType;
    let ty = &program.var(decl.var).ty;
    let shown = ty.display(&program.dims).to_string();
    if !ty.has_anon_axis() || decl.sizes.len() != ty.axes().len() {
        return shown;
    }
    let size = |s: &Size| match s {
        Size::Dim(d) => program.dims.get(*d).name.clone(),
        Size::Expr(TypedExpr { kind: TypedExprKind::Var(v), .. }) => program.var(*v).name.clone(),
        Size::Expr(TypedExpr { kind: TypedExprKind::IntLit(n), .. }) => n.to_string(),
        Size::Expr(_) => "_".to_string(),
    };
    let names: Vec<String> = decl.sizes.iter().map(size).collect();
    let (array, elem) = names.split_at(ty.array.len());
    let elem = match (&ty.elem, elem) {
        (ElemType::Vector(_), [n]) => format!("vector[{n}]"),
        (ElemType::RowVector(_), [n]) => format!("row_vector[{n}]"),
        (ElemType::Matrix(..), [r, c]) => format!("matrix[{r}, {c}]"),
        (ElemType::Int { .. } | ElemType::Real, []) => shown.rsplit(' ').next().unwrap_or(&shown).to_string(),
        _ => return shown,
    };
    if array.is_empty() {
        elem
    } else {
        format!("array[{}] {elem}", array.join(", "))
    }
}

fn node_kind(block: BlockKind) -> NodeKind {
    match block {
        BlockKind::Data => NodeKind::Data,
        BlockKind::TransformedData => NodeKind::TransformedData,
        BlockKind::Parameters => NodeKind::Parameter,
        BlockKind::TransformedParameters => NodeKind::TransformedParameter,
        _ => NodeKind::Generated,
    }
}

/// Walks the statements and records who reads whom. A local variable
/// stands for the nodes it was computed from, so `real mu = a + b; y ~
/// normal(mu, s)` gives edges `a -> y`, `b -> y`, `s -> y`.
struct EdgeCollector<'a> {
    program: &'a TypedProgram,
    node_of: &'a BTreeMap<VarId, usize>,
    local_sources: BTreeMap<VarId, BTreeSet<usize>>,
    edges: BTreeSet<Edge>,
}

impl EdgeCollector<'_> {
    fn stmt(&mut self, stmt: &TypedStmt) {
        match &stmt.kind {
            TypedStmtKind::Decl(d) => {
                if let Some(init) = &d.init {
                    let sources = self.sources(&[init]);
                    self.write(d.var, sources, EdgeKind::Deterministic);
                }
            }
            TypedStmtKind::Assign { lhs, rhs, .. } => {
                if let Some(target) = lhs.root_var() {
                    let mut reads = vec![rhs];
                    reads.extend(index_exprs(lhs));
                    let sources = self.sources(&reads);
                    self.write(target, sources, EdgeKind::Deterministic);
                }
            }
            TypedStmtKind::Tilde { lhs, args, .. } | TypedStmtKind::Draw { lhs, args, .. } => {
                if let Some(target) = lhs.root_var() {
                    let mut reads: Vec<&TypedExpr> = args.iter().collect();
                    reads.extend(index_exprs(lhs));
                    let sources = self.sources(&reads);
                    self.write(target, sources, EdgeKind::Stochastic);
                }
            }
            TypedStmtKind::TargetPlus(e) => {
                // `target += normal_lpdf(y | mu, sigma)` is `y ~ normal(mu, sigma)`.
                if let TypedExprKind::Call { func, args } = &e.kind {
                    if func.ends_with("_lpdf") || func.ends_with("_lpmf") {
                        if let Some(target) = args.first().and_then(|a| a.root_var()) {
                            let sources = self.sources(&args[1..].iter().collect::<Vec<_>>());
                            self.write(target, sources, EdgeKind::Stochastic);
                        }
                    }
                }
            }
            _ => {}
        }
        for child in stmt.child_stmts() {
            self.stmt(child);
        }
    }

    /// The nodes the expressions read, through local variables.
    fn sources(&self, exprs: &[&TypedExpr]) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        for e in exprs {
            e.for_each_var(&mut |v| {
                if let Some(&n) = self.node_of.get(&v) {
                    out.insert(n);
                } else if let Some(s) = self.local_sources.get(&v) {
                    out.extend(s.iter().copied());
                }
            });
        }
        out
    }

    fn write(&mut self, target: VarId, sources: BTreeSet<usize>, kind: EdgeKind) {
        match self.node_of.get(&target) {
            Some(&to) => {
                for from in sources {
                    if from != to {
                        self.edges.insert(Edge { from, to, kind });
                    }
                }
            }
            None if self.program.var(target).origin == VarOrigin::Local => {
                self.local_sources.entry(target).or_default().extend(sources);
            }
            None => {}
        }
    }
}

/// The index expressions of an indexed target (`y[pair_id[i]]` reads
/// `pair_id`), through `to_vector(...)`.
fn index_exprs(lhs: &TypedExpr) -> Vec<&TypedExpr> {
    match &lhs.kind {
        TypedExprKind::Index { base, indices, .. } => {
            let mut out = index_exprs(base);
            out.extend(indices.iter().flat_map(TypedIndex::exprs));
            out
        }
        TypedExprKind::Call { args, .. } => args.iter().flat_map(index_exprs).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests;
