//! The typed program as text, for `hbmc check --emit typed` and its
//! snapshot tests: every declaration with its full type and constraint,
//! every expression with its type, dims by name.

use super::typed::{
    Constraint, Level, Size, TypedDecl, TypedExpr, TypedExprKind, TypedIndex, TypedPrintArg, TypedProgram, TypedStmt,
    TypedStmtKind,
};
use std::fmt::Write;

/// Renders the typed program.
pub fn print_typed(program: &TypedProgram) -> String {
    let mut p = Printer { program, out: String::new() };
    p.program();
    p.out
}

struct Printer<'a> {
    program: &'a TypedProgram,
    out: String,
}

impl Printer<'_> {
    fn line(&mut self, depth: usize, text: &str) {
        let _ = writeln!(self.out, "{}{}", "  ".repeat(depth), text);
    }

    fn program(&mut self) {
        if !self.program.dims.dims.is_empty() {
            self.line(0, "dims");
            for d in &self.program.dims.dims {
                let text = match &d.labels {
                    Some(l) => format!("{} = {:?}", d.name, l),
                    None => d.name.clone(),
                };
                self.line(1, &text);
            }
        }
        for block in &self.program.blocks {
            self.line(0, block.kind.keyword());
            for s in &block.stmts {
                self.stmt(1, s);
            }
        }
    }

    fn print_arg(&self, a: &TypedPrintArg) -> String {
        match a {
            TypedPrintArg::Str(s) => format!("{s:?}"),
            TypedPrintArg::Expr(e) => self.expr(e),
            TypedPrintArg::Zip { array_dims, parts } => {
                let parts: Vec<String> = parts.iter().map(|p| self.print_arg(p)).collect();
                format!("zip[{array_dims}]({})", parts.join(", "))
            }
        }
    }

    fn name(&self, var: usize) -> String {
        self.program.var(var).name.clone()
    }

    fn decl(&mut self, depth: usize, d: &TypedDecl) {
        let info = self.program.var(d.var);
        let mut text = format!(
            "decl {} : {}{}",
            info.name,
            info.ty.display(&self.program.dims),
            if info.level == Level::Param { " (param)" } else { "" }
        );
        let sizes: Vec<String> = d
            .sizes
            .iter()
            .map(|s| match s {
                Size::Dim(id) => format!("dim {}", self.program.dims.get(*id).name),
                Size::Expr(e) => self.expr(e),
            })
            .collect();
        if !sizes.is_empty() {
            let _ = write!(text, " sizes [{}]", sizes.join(", "));
        }
        match &d.constraint {
            Constraint::None => {}
            Constraint::Bounds { lower, upper } => {
                let _ = write!(text, " bounds(");
                if let Some(l) = lower {
                    let _ = write!(text, "lower={}", self.expr(l));
                }
                if let Some(u) = upper {
                    let _ = write!(text, "{}upper={}", if lower.is_some() { ", " } else { "" }, self.expr(u));
                }
                text.push(')');
            }
            Constraint::OffsetMultiplier { offset, multiplier } => {
                let _ = write!(text, " affine(");
                if let Some(o) = offset {
                    let _ = write!(text, "offset={}", self.expr(o));
                }
                if let Some(m) = multiplier {
                    let _ = write!(text, "{}multiplier={}", if offset.is_some() { ", " } else { "" }, self.expr(m));
                }
                text.push(')');
            }
            other => {
                let _ = write!(text, " {}", other.name());
            }
        }
        if let Some(init) = &d.init {
            let _ = write!(text, " = {}", self.expr(init));
        }
        self.line(depth, &text);
    }

    fn stmt(&mut self, depth: usize, s: &TypedStmt) {
        match &s.kind {
            TypedStmtKind::Decl(d) => self.decl(depth, d),
            TypedStmtKind::Assign { lhs, op, rhs } => {
                let text = format!("{} {} {}", self.expr(lhs), op.symbol(), self.expr(rhs));
                self.line(depth, &text);
            }
            TypedStmtKind::Tilde { lhs, lpdf, args, truncation, .. } => {
                let args: Vec<String> = args.iter().map(|a| self.expr(a)).collect();
                let mut text = format!("{} ~ {}({})", self.expr(lhs), lpdf, args.join(", "));
                if let Some((lo, hi)) = truncation {
                    let bound = |this: &mut Self, b: &Option<crate::check::typed::TypedExpr>| b.as_ref().map(|b| this.expr(b)).unwrap_or_default();
                    let (lo, hi) = (bound(self, lo), bound(self, hi));
                    text.push_str(&format!(" T[{lo}, {hi}]"));
                }
                self.line(depth, &text);
            }
            TypedStmtKind::Draw { lhs, dist, args, .. } => {
                let args: Vec<String> = args.iter().map(|a| self.expr(a)).collect();
                let text = format!("{} = draw {}({})", self.expr(lhs), dist, args.join(", "));
                self.line(depth, &text);
            }
            TypedStmtKind::TargetPlus(e) => {
                let text = format!("target += {}", self.expr(e));
                self.line(depth, &text);
            }
            TypedStmtKind::JacobianPlus(e) => {
                let text = format!("jacobian += {}", self.expr(e));
                self.line(depth, &text);
            }
            TypedStmtKind::For { var, lower, upper, body } => {
                let text = format!("for {} in {}:{}", self.name(*var), self.expr(lower), self.expr(upper));
                self.line(depth, &text);
                self.stmt(depth + 1, body);
            }
            TypedStmtKind::ForDim { var, dim, body } => {
                let text = format!("for {} in dim {}", self.name(*var), self.program.dims.get(*dim).name);
                self.line(depth, &text);
                self.stmt(depth + 1, body);
            }
            TypedStmtKind::ForEach { var, over, body } => {
                let text = format!("foreach {} in {}", self.name(*var), self.expr(over));
                self.line(depth, &text);
                self.stmt(depth + 1, body);
            }
            TypedStmtKind::While { cond, body } => {
                let text = format!("while {}", self.expr(cond));
                self.line(depth, &text);
                self.stmt(depth + 1, body);
            }
            TypedStmtKind::If { cond, then, otherwise } => {
                let text = format!("if {}", self.expr(cond));
                self.line(depth, &text);
                self.stmt(depth + 1, then);
                if let Some(o) = otherwise {
                    self.line(depth, "else");
                    self.stmt(depth + 1, o);
                }
            }
            TypedStmtKind::Block(stmts) => {
                self.line(depth, "block");
                for s in stmts {
                    self.stmt(depth + 1, s);
                }
            }
            TypedStmtKind::Print(args) | TypedStmtKind::Reject(args) | TypedStmtKind::FatalError(args) => {
                let word = match &s.kind {
                    TypedStmtKind::Print(_) => "print",
                    TypedStmtKind::Reject(_) => "reject",
                    _ => "fatal_error",
                };
                let args: Vec<String> = args.iter().map(|a| self.print_arg(a)).collect();
                self.line(depth, &format!("{word}({})", args.join(", ")));
            }
            TypedStmtKind::Break => self.line(depth, "break"),
            TypedStmtKind::Continue => self.line(depth, "continue"),
            TypedStmtKind::Return(e) => {
                let text = match e {
                    Some(e) => format!("return {}", self.expr(e)),
                    None => "return".into(),
                };
                self.line(depth, &text);
            }
            TypedStmtKind::Call(e) => {
                let text = self.expr(e);
                self.line(depth, &text);
            }
            TypedStmtKind::Empty => {}
        }
    }

    /// `(form args : type)`; variables and literals print bare with a type.
    fn expr(&self, e: &TypedExpr) -> String {
        let ty = e.ty.display(&self.program.dims).to_string();
        let body = match &e.kind {
            TypedExprKind::IntLit(v) => return v.to_string(),
            TypedExprKind::RealLit(v) => return format!("{v:?}"),
            TypedExprKind::Var(v) => return format!("{}:{}", self.name(*v), ty),
            TypedExprKind::DimSize(d) => return format!("size({})", self.program.dims.get(*d).name),
            TypedExprKind::Target => "target()".to_string(),
            TypedExprKind::Call { func, args } => {
                let args: Vec<String> = args.iter().map(|a| self.expr(a)).collect();
                format!("{func} {}", args.join(" "))
            }
            TypedExprKind::Binary { op, lhs, rhs } => format!("{} {} {}", op.symbol(), self.expr(lhs), self.expr(rhs)),
            TypedExprKind::Unary { op, operand } => format!("{} {}", op.symbol(), self.expr(operand)),
            TypedExprKind::Ternary { cond, then, otherwise } => {
                format!("? {} {} {}", self.expr(cond), self.expr(then), self.expr(otherwise))
            }
            TypedExprKind::Index { base, indices, zipped } => {
                let idx: Vec<String> = indices
                    .iter()
                    .map(|i| match i {
                        TypedIndex::Single(e) => self.expr(e),
                        TypedIndex::Multi(e) => format!("multi {}", self.expr(e)),
                        TypedIndex::Range { lower, upper } => format!(
                            "{}:{}",
                            lower.as_ref().map(|l| self.expr(l)).unwrap_or_default(),
                            upper.as_ref().map(|u| self.expr(u)).unwrap_or_default()
                        ),
                        TypedIndex::All => ":".into(),
                    })
                    .collect();
                let zip = if zipped.is_empty() { "index" } else { "index-zip" };
                format!("{zip} {} [{}]", self.expr(base), idx.join(", "))
            }
            TypedExprKind::ArrayExpr(items) => {
                format!("array {}", items.iter().map(|i| self.expr(i)).collect::<Vec<_>>().join(" "))
            }
            TypedExprKind::RowVectorExpr(items) => {
                format!("row {}", items.iter().map(|i| self.expr(i)).collect::<Vec<_>>().join(" "))
            }
        };
        format!("({body} : {ty})")
    }
}
