//! Prints the AST as an indented S-expression, for `hbmc check --emit ast`
//! and snapshot tests. Deterministic and span-free, so a snapshot changes
//! only when the tree does.
//!
//! Shapes (one line per statement; short nodes stay on one line):
//! - program and blocks: `(program (data (decl ...) ...) ...)`, block names
//!   with a hyphen: `transformed-data`, `generated-quantities`.
//! - dims: `(dim obs)`, `(dim effect (labels "a" "b"))`.
//! - declarations: `(decl TYPE name)` or `(decl TYPE name INIT)`; types
//!   `int`, `real`, `(vector (bounds (lower 0)) (size grade))`,
//!   `(matrix (rows pair) (cols grade))`, `(array (sizes obs) TYPE)`,
//!   `(dim-index grade)`, `(offset-multiplier (offset m) (multiplier s))`.
//! - statements: `(assign = lhs rhs)`, `(tilde lhs normal (args ...) (truncate lo hi))`,
//!   `(target+= e)`, `(for i lo hi body)`, `(foreach g over body)`,
//!   `(while c body)`, `(if c then else)`, `(block ...)`, `(print ...)`,
//!   `(reject ...)`, `(fatal-error ...)`, `break`, `continue`, `(return e)`,
//!   `(call-stmt (call f x))`, `empty`, `error`.
//! - expressions: literals as written by Rust (`1`, `0.5`), names bare,
//!   `(call f a b)`, `(cond-call f y (args a b))`, `(+ a b)`, `(neg a)`,
//!   `(pos a)`, `(not a)`, `(transpose a)`, `(?: c a b)`,
//!   `(index a i (range 2 5) all)` with `_` for a missing range end,
//!   `(paren e)`, `(array-expr ...)`, `(row-vector ...)`, `(target)`.

use super::ast::*;

/// Maximum line width before a node is broken over several lines.
const WIDTH: usize = 80;

/// Prints a whole program; the result ends with a newline.
pub fn program_to_sexp(program: &Program) -> String {
    let mut out = String::new();
    render(&program_node(program), 0, &mut out);
    out.push('\n');
    out
}

/// Prints one expression on one line, e.g. `(neg (^ a 2))`; for tests and
/// for messages that quote an expression's structure.
pub fn expr_to_sexp(e: &Expr) -> String {
    flat(&expr_node(e))
}

/// Prints one statement (and the statements in it) on one line; for tests.
pub fn stmt_to_sexp(s: &Stmt) -> String {
    flat(&stmt_node(s))
}

/// A node of the printed tree. `vertical` lists put every child on its own
/// line (blocks, statement lists); other lists stay on one line when they fit.
enum Node {
    Atom(String),
    List { items: Vec<Node>, vertical: bool },
}

fn atom(s: impl Into<String>) -> Node {
    Node::Atom(s.into())
}

fn list(head: &str, rest: Vec<Node>) -> Node {
    let mut items = vec![atom(head)];
    items.extend(rest);
    Node::List { items, vertical: false }
}

fn vertical(head: &str, rest: Vec<Node>) -> Node {
    let mut items = vec![atom(head)];
    items.extend(rest);
    Node::List { items, vertical: true }
}

// ------------------------------------------------------------- rendering

fn flat(node: &Node) -> String {
    match node {
        Node::Atom(s) => s.clone(),
        Node::List { items, .. } => {
            let parts: Vec<String> = items.iter().map(flat).collect();
            format!("({})", parts.join(" "))
        }
    }
}

/// Whether the node or any descendant must be broken over lines.
fn has_vertical(node: &Node) -> bool {
    match node {
        Node::Atom(_) => false,
        Node::List { items, vertical } => *vertical || items.iter().any(has_vertical),
    }
}

fn newline(indent: usize, out: &mut String) {
    out.push('\n');
    out.push_str(&" ".repeat(indent));
}

/// Writes `node` starting at the current position, whose column is `indent`.
fn render(node: &Node, indent: usize, out: &mut String) {
    let Node::List { items, vertical } = node else {
        out.push_str(&flat(node));
        return;
    };
    let one_line = flat(node);
    if !has_vertical(node) && indent + one_line.len() <= WIDTH {
        out.push_str(&one_line);
        return;
    }
    out.push('(');
    let mut column = indent + 1;
    let mut children = items.iter().enumerate().peekable();
    // The head and, for non-vertical lists, leading short children share
    // the first line: `(for i 1 N` then the body below.
    while let Some((at, child)) = children.peek() {
        let text = flat(child);
        let fits = column + text.len() < WIDTH;
        let inline = *at == 0 || (!*vertical && !has_vertical(child) && fits);
        if !inline {
            break;
        }
        if *at > 0 {
            out.push(' ');
            column += 1;
        }
        out.push_str(&text);
        column += text.len();
        children.next();
    }
    for (_, child) in children {
        newline(indent + 2, out);
        render(child, indent + 2, out);
    }
    out.push(')');
}

// ------------------------------------------------------------ the tree

fn program_node(p: &Program) -> Node {
    vertical("program", p.blocks.iter().map(block_node).collect())
}

fn block_node(b: &Block) -> Node {
    let name = b.kind.keyword().replace(' ', "-");
    let children = match &b.body {
        BlockBody::Dims(dims) => dims.iter().map(dim_node).collect(),
        BlockBody::Stmts(stmts) => stmts.iter().map(stmt_node).collect(),
        BlockBody::Functions(defs) => defs.iter().map(|f| atom(&f.name.name)).collect(),
    };
    vertical(&name, children)
}

fn dim_node(d: &DimDecl) -> Node {
    let mut rest = vec![atom(&d.name.name)];
    if let Some(labels) = &d.labels {
        rest.push(list("labels", labels.iter().map(|s| atom(quote(&s.value))).collect()));
    }
    list("dim", rest)
}

/// A string literal as written in hbm, with `"` and `\` escaped.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn stmt_node(s: &Stmt) -> Node {
    match &s.kind {
        StmtKind::Decl(d) => decl_node(d),
        StmtKind::Assign { lhs, op, rhs } => {
            list("assign", vec![atom(op.symbol()), expr_node(lhs), expr_node(rhs)])
        }
        StmtKind::Tilde { lhs, dist, args, truncation } => {
            let mut rest = vec![expr_node(lhs), atom(&dist.name), list("args", exprs(args))];
            if let Some(t) = truncation {
                rest.push(list("truncate", vec![opt_expr(&t.lower), opt_expr(&t.upper)]));
            }
            list("tilde", rest)
        }
        StmtKind::TargetPlus(e) => list("target+=", vec![expr_node(e)]),
        StmtKind::JacobianPlus(e) => list("jacobian+=", vec![expr_node(e)]),
        StmtKind::Inlined { from, stmts } => vertical(
            match from {
                InlinedFrom::Lp => "inlined-lp",
                InlinedFrom::Jacobian => "inlined-jacobian",
            },
            stmts.iter().map(stmt_node).collect(),
        ),
        StmtKind::For { var, lower, upper, body } => list(
            "for",
            vec![atom(&var.name), expr_node(lower), expr_node(upper), stmt_node(body)],
        ),
        StmtKind::ForEach { var, over, body } => {
            list("foreach", vec![atom(&var.name), expr_node(over), stmt_node(body)])
        }
        StmtKind::While { cond, body } => list("while", vec![expr_node(cond), stmt_node(body)]),
        StmtKind::If { cond, then, otherwise } => {
            let mut rest = vec![expr_node(cond), stmt_node(then)];
            if let Some(e) = otherwise {
                rest.push(stmt_node(e));
            }
            list("if", rest)
        }
        StmtKind::Block(stmts) => vertical("block", stmts.iter().map(stmt_node).collect()),
        StmtKind::Print(args) => list("print", print_args(args)),
        StmtKind::Reject(args) => list("reject", print_args(args)),
        StmtKind::FatalError(args) => list("fatal-error", print_args(args)),
        StmtKind::Break => atom("break"),
        StmtKind::Continue => atom("continue"),
        StmtKind::Return(e) => list("return", e.iter().map(expr_node).collect()),
        StmtKind::Call(e) => list("call-stmt", vec![expr_node(e)]),
        StmtKind::Empty => atom("empty"),
        StmtKind::Error => atom("error"),
    }
}

fn print_args(args: &[PrintArg]) -> Vec<Node> {
    args.iter()
        .map(|a| match a {
            PrintArg::Expr(e) => expr_node(e),
            PrintArg::Str(s) => atom(quote(&s.value)),
            PrintArg::Zip { array_dims, parts } => list(&format!("zip{array_dims}"), print_args(parts)),
        })
        .collect()
}

fn decl_node(d: &VarDecl) -> Node {
    let mut rest = vec![type_node(&d.ty), atom(&d.name.name)];
    if let Some(init) = &d.init {
        rest.push(expr_node(init));
    }
    list("decl", rest)
}

fn type_node(t: &TypeExpr) -> Node {
    let base = base_type_node(&t.base);
    if t.array_sizes.is_empty() {
        return base;
    }
    list("array", vec![list("sizes", exprs(&t.array_sizes)), base])
}

fn base_type_node(b: &BaseTypeExpr) -> Node {
    let size = |name: &str, e: &Expr| list(name, vec![expr_node(e)]);
    let sized = |head: &str, e: &Expr| list(head, vec![size("size", e)]);
    let with_transform = |head: &str, t: &Transform, mut rest: Vec<Node>| {
        let mut all: Vec<Node> = transform_node(t).into_iter().collect();
        all.append(&mut rest);
        if all.is_empty() {
            atom(head)
        } else {
            list(head, all)
        }
    };
    match b {
        BaseTypeExpr::Int { transform } => with_transform("int", transform, vec![]),
        BaseTypeExpr::Real { transform } => with_transform("real", transform, vec![]),
        BaseTypeExpr::Vector { transform, size: s } => {
            with_transform("vector", transform, vec![size("size", s)])
        }
        BaseTypeExpr::RowVector { transform, size: s } => {
            with_transform("row_vector", transform, vec![size("size", s)])
        }
        BaseTypeExpr::Matrix { transform, rows, cols } => with_transform(
            "matrix",
            transform,
            vec![size("rows", rows), size("cols", cols)],
        ),
        BaseTypeExpr::Simplex { size: s } => sized("simplex", s),
        BaseTypeExpr::Ordered { size: s } => sized("ordered", s),
        BaseTypeExpr::PositiveOrdered { size: s } => sized("positive_ordered", s),
        BaseTypeExpr::UnitVector { size: s } => sized("unit_vector", s),
        BaseTypeExpr::SumToZeroVector { size: s } => sized("sum_to_zero_vector", s),
        BaseTypeExpr::ConstrainedMatrix { kind, rows, cols } => {
            list(kind.keyword(), vec![size("rows", rows), size("cols", cols)])
        }
        BaseTypeExpr::CholeskyFactorCorr { size: s } => sized("cholesky_factor_corr", s),
        BaseTypeExpr::CholeskyFactorCov { rows, cols } => {
            let mut rest = vec![size("rows", rows)];
            if let Some(c) = cols {
                rest.push(size("cols", c));
            }
            list("cholesky_factor_cov", rest)
        }
        BaseTypeExpr::CorrMatrix { size: s } => sized("corr_matrix", s),
        BaseTypeExpr::CovMatrix { size: s } => sized("cov_matrix", s),
        BaseTypeExpr::Complex => atom("complex"),
        BaseTypeExpr::ComplexVector { size: s } => sized("complex_vector", s),
        BaseTypeExpr::ComplexRowVector { size: s } => sized("complex_row_vector", s),
        BaseTypeExpr::ComplexMatrix { rows, cols } => list("complex_matrix", vec![size("rows", rows), size("cols", cols)]),
        BaseTypeExpr::DimIndex(dim) => list("dim-index", vec![atom(&dim.name)]),
        BaseTypeExpr::Tuple(items) => list("tuple", items.iter().map(type_node).collect()),
    }
}

fn transform_node(t: &Transform) -> Option<Node> {
    let entries = |pairs: [(&str, &Option<Expr>); 2]| -> Vec<Node> {
        pairs
            .into_iter()
            .filter_map(|(name, e)| e.as_ref().map(|e| list(name, vec![expr_node(e)])))
            .collect()
    };
    match t {
        Transform::None => None,
        Transform::Bounds { lower, upper } => {
            Some(list("bounds", entries([("lower", lower), ("upper", upper)])))
        }
        Transform::OffsetMultiplier { offset, multiplier } => Some(list(
            "offset-multiplier",
            entries([("offset", offset), ("multiplier", multiplier)]),
        )),
    }
}

fn exprs(es: &[Expr]) -> Vec<Node> {
    es.iter().map(expr_node).collect()
}

fn opt_expr(e: &Option<Expr>) -> Node {
    e.as_ref().map(expr_node).unwrap_or_else(|| atom("_"))
}

fn expr_node(e: &Expr) -> Node {
    match &e.kind {
        ExprKind::IntLit(v) => atom(v.to_string()),
        ExprKind::RealLit(v) => atom(format!("{v:?}")),
        ExprKind::Var(name) => atom(&name.name),
        ExprKind::Call { func, args } => {
            let mut rest = vec![atom(&func.name)];
            rest.extend(exprs(args));
            list("call", rest)
        }
        ExprKind::CondCall { func, variate, args } => list(
            "cond-call",
            vec![atom(&func.name), expr_node(variate), list("args", exprs(args))],
        ),
        ExprKind::Binary { op, lhs, rhs } => list(op.symbol(), vec![expr_node(lhs), expr_node(rhs)]),
        ExprKind::Unary { op, operand } => {
            let head = match op {
                UnOp::Neg => "neg",
                UnOp::Plus => "pos",
                UnOp::Not => "not",
                UnOp::Transpose => "transpose",
            };
            list(head, vec![expr_node(operand)])
        }
        ExprKind::Ternary { cond, then, otherwise } => {
            list("?:", vec![expr_node(cond), expr_node(then), expr_node(otherwise)])
        }
        ExprKind::Index { base, indices } => {
            let mut rest = vec![expr_node(base)];
            rest.extend(indices.iter().map(index_node));
            list("index", rest)
        }
        ExprKind::ArrayExpr(es) => list("array-expr", exprs(es)),
        ExprKind::RowVectorExpr(es) => list("row-vector", exprs(es)),
        ExprKind::Paren(inner) => list("paren", vec![expr_node(inner)]),
        ExprKind::Target => list("target", vec![]),
        ExprKind::TupleExpr(es) => list("tuple", exprs(es)),
        ExprKind::TupleIndex { base, index } => list("element", vec![expr_node(base), atom(index.to_string())]),
    }
}

fn index_node(i: &Index) -> Node {
    match i {
        Index::Single(e) => expr_node(e),
        Index::Range { lower, upper, .. } => list("range", vec![opt_expr(lower), opt_expr(upper)]),
        Index::All(_) => atom("all"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_program;

    #[test]
    fn prints_a_small_program_exactly() {
        let src = r#"
dims { grade; effect = ["intercept", "slope"]; }
parameters {
  vector<lower=0>[grade] sigma;
  array[3] real<offset=1, multiplier=2> z;
}
model {
  for (g in grade) {
    if (g > 1) sigma[g] ~ normal(0, 1) T[0, ];
    else target += -0.5 * sigma[g]^2;
  }
  print("s=", sigma[:, 2]');
}
"#;
        let (program, diags) = parse_program(src);
        assert!(diags.is_empty(), "{diags:?}");
        let printed = program_to_sexp(&program.expect("parses"));
        let expected = r#"(program
  (dims
    (dim grade)
    (dim effect (labels "intercept" "slope")))
  (parameters
    (decl (vector (bounds (lower 0)) (size grade)) sigma)
    (decl (array (sizes 3) (real (offset-multiplier (offset 1) (multiplier 2))))
      z))
  (model
    (foreach g grade
      (block
        (if (> g 1) (tilde (index sigma g) normal (args 0 1) (truncate 0 _))
          (target+= (* (neg 0.5) (^ (index sigma g) 2))))))
    (print "s=" (transpose (index sigma all 2)))))
"#;
        assert_eq!(printed, expected, "\n{printed}");
    }

    #[test]
    fn strings_are_escaped() {
        assert_eq!(quote("a\"b\\c"), r#""a\"b\\c""#);
    }
}
