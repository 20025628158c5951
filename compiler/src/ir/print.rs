//! A readable, deterministic text form of the IR, for `hbmc check --emit ir`
//! snapshots and for test failure messages.
//!
//! ```text
//! arenas: params 2, data 3, int_data 0, work 0, out 0
//! buffer b0 params.mu: offset 0, len 1
//! buffer b1 data.y: offset 0, len 3
//!
//! fn gradient (9 values) {
//!   v0 = i64 0
//!   v1 = i64 3
//!   for v2 in v0..v1 {
//!     v3 = load data.y[v2]
//!     v5, [v6, v7, v8] = call hbm_normal_lpdf_grad(v3, v4, v4)
//!     target += v5
//!   }
//! }
//! ```
//!
//! Buffers are written `arena.name`; a name used by more than one buffer
//! gets its id appended (`work.tmp#4`) so the text stays unambiguous. Reals
//! print in Rust's round-trip `Debug` form (`1.0`, `-0.0`, `NaN`, `inf`).

use std::fmt::Write;

use super::arenas::arena_name;
use super::{
    BinaryOp, BufferId, CallArg, CmpOp, Expr, Function, FunctionKind, MessagePart, Module, Stmt,
    UnaryOp,
};

/// The whole module: arena sizes, buffers, then every function.
pub fn module_to_string(module: &Module) -> String {
    let p = Printer::new(module);
    let mut out = String::new();
    let s = &module.arena_sizes;
    let _ = writeln!(
        out,
        "arenas: params {}, data {}, int_data {}, work {}, out {}",
        s.params, s.data, s.int_data, s.work, s.out
    );
    for (i, b) in module.buffers.iter().enumerate() {
        let _ = writeln!(
            out,
            "buffer b{i} {}: offset {}, len {}",
            p.names[i], b.offset, b.len
        );
    }
    for f in &module.functions {
        out.push('\n');
        p.function(f, &mut out);
    }
    out
}

/// One function of `module` (buffer names come from the module).
pub fn function_to_string(module: &Module, func: &Function) -> String {
    let mut out = String::new();
    Printer::new(module).function(func, &mut out);
    out
}

/// The name of a function kind in IR text.
pub fn kind_name(kind: FunctionKind) -> &'static str {
    match kind {
        FunctionKind::TransformedData => "transformed_data",
        FunctionKind::LogDensity => "log_density",
        FunctionKind::Gradient => "gradient",
        FunctionKind::Generate => "generate",
        FunctionKind::Unconstrain => "unconstrain",
        FunctionKind::GradientChunk(_) => "gradient_chunk",
        FunctionKind::User(_) => "user",
    }
}

/// The function's name: its kind's, numbered for chunk functions
/// (`gradient_chunk0`), so that every function of a module has its own.
pub fn function_name(kind: FunctionKind) -> String {
    match kind {
        FunctionKind::GradientChunk(n) | FunctionKind::User(n) => format!("{}{n}", kind_name(kind)),
        _ => kind_name(kind).to_string(),
    }
}

fn unary_name(op: UnaryOp) -> &'static str {
    match op {
        UnaryOp::Neg => "neg",
        UnaryOp::Abs => "abs",
        UnaryOp::Sqrt => "sqrt",
        UnaryOp::Floor => "floor",
        UnaryOp::Ceil => "ceil",
        UnaryOp::Trunc => "trunc",
        UnaryOp::Round => "round",
        UnaryOp::Not => "not",
        UnaryOp::ToF64 => "to_f64",
    }
}

fn binary_name(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Add => "add",
        BinaryOp::Sub => "sub",
        BinaryOp::Mul => "mul",
        BinaryOp::Div => "div",
        BinaryOp::Rem => "rem",
        BinaryOp::Min => "min",
        BinaryOp::Max => "max",
        BinaryOp::And => "and",
        BinaryOp::Or => "or",
    }
}

fn cmp_name(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "eq",
        CmpOp::Ne => "ne",
        CmpOp::Lt => "lt",
        CmpOp::Le => "le",
        CmpOp::Gt => "gt",
        CmpOp::Ge => "ge",
    }
}

/// Buffer display names, computed once per module.
struct Printer {
    names: Vec<String>,
}

impl Printer {
    fn new(module: &Module) -> Printer {
        let base: Vec<String> = module
            .buffers
            .iter()
            .map(|b| format!("{}.{}", arena_name(b.arena), b.name))
            .collect();
        let names = base
            .iter()
            .enumerate()
            .map(|(i, n)| {
                if base.iter().filter(|m| *m == n).count() > 1 {
                    format!("{n}#{i}")
                } else {
                    n.clone()
                }
            })
            .collect();
        Printer { names }
    }

    fn buf(&self, id: BufferId) -> String {
        match self.names.get(id.0 as usize) {
            Some(n) => n.clone(),
            // Printing must work on malformed IR too (verifier messages).
            None => format!("<missing b{}>", id.0),
        }
    }

    fn function(&self, f: &Function, out: &mut String) {
        let name = match f.kind {
            FunctionKind::User(i) => {
                let params: Vec<String> = f.params.iter().map(|v| v.to_string()).collect();
                format!("user{i}({})", params.join(", "))
            }
            k => function_name(k),
        };
        let _ = writeln!(out, "fn {name} ({} values) {{", f.values.len());
        self.block(&f.body, 1, out);
        if let Some(r) = f.result {
            let _ = writeln!(out, "  return {r}");
        }
        out.push_str("}\n");
    }

    fn block(&self, stmts: &[Stmt], depth: usize, out: &mut String) {
        for s in stmts {
            self.stmt(s, depth, out);
        }
    }

    fn line(depth: usize, out: &mut String, text: std::fmt::Arguments<'_>) {
        for _ in 0..depth {
            out.push_str("  ");
        }
        let _ = out.write_fmt(text);
        out.push('\n');
    }

    fn stmt(&self, stmt: &Stmt, d: usize, out: &mut String) {
        match stmt {
            Stmt::Let { dst, expr } => {
                Self::line(d, out, format_args!("{dst} = {}", self.expr(expr)))
            }
            Stmt::Call {
                dst,
                partials,
                func,
                args,
            } => {
                let args: Vec<String> = args.iter().map(|a| self.arg(a)).collect();
                let call = format!("call {}({})", func.symbol, args.join(", "));
                let lhs = match (dst, partials.is_empty()) {
                    (Some(d), true) => format!("{d} = "),
                    (None, true) => String::new(),
                    (dst, false) => {
                        let ps: Vec<String> = partials.iter().map(|p| p.to_string()).collect();
                        let d = dst.map_or("_".to_string(), |d| d.to_string());
                        format!("{d}, [{}] = ", ps.join(", "))
                    }
                };
                Self::line(d, out, format_args!("{lhs}{call}"));
            }
            Stmt::Store { buf, index, value } => Self::line(
                d,
                out,
                format_args!("{}[{index}] = {value}", self.buf(*buf)),
            ),
            Stmt::Accumulate { buf, index, value } => Self::line(
                d,
                out,
                format_args!("{}[{index}] += {value}", self.buf(*buf)),
            ),
            Stmt::AddTarget(v) => Self::line(d, out, format_args!("target += {v}")),
            Stmt::For {
                var,
                start,
                end,
                body,
            } => {
                Self::line(d, out, format_args!("for {var} in {start}..{end} {{"));
                self.block(body, d + 1, out);
                Self::line(d, out, format_args!("}}"));
            }
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                Self::line(d, out, format_args!("if {cond} {{"));
                self.block(then, d + 1, out);
                if !otherwise.is_empty() {
                    Self::line(d, out, format_args!("}} else {{"));
                    self.block(otherwise, d + 1, out);
                }
                Self::line(d, out, format_args!("}}"));
            }
            Stmt::While {
                cond_block,
                cond,
                body,
            } => {
                Self::line(d, out, format_args!("while {{"));
                self.block(cond_block, d + 1, out);
                Self::line(d, out, format_args!("}} test {cond} do {{"));
                self.block(body, d + 1, out);
                Self::line(d, out, format_args!("}}"));
            }
            Stmt::Break => Self::line(d, out, format_args!("break")),
            Stmt::Continue => Self::line(d, out, format_args!("continue")),
            Stmt::Reject(parts) => {
                Self::line(d, out, format_args!("reject {}", self.message(parts)))
            }
            Stmt::Print(parts) => Self::line(d, out, format_args!("print {}", self.message(parts))),
            Stmt::RunChunks { function, count } => {
                Self::line(d, out, format_args!("run_chunks gradient_chunk{function} x {count}"))
            }
            Stmt::TapeSave { tape, slot, value } => {
                Self::line(d, out, format_args!("tape_save t{tape}[{slot}] = {value}"))
            }
            Stmt::TapeLoad { dst, tape, slot } => {
                Self::line(d, out, format_args!("{dst} = tape_load t{tape}[{slot}]"))
            }
        }
    }

    fn expr(&self, e: &Expr) -> String {
        match e {
            Expr::F64(x) => format!("f64 {x:?}"),
            Expr::I64(x) => format!("i64 {x}"),
            Expr::Load { buf, index } => format!("load {}[{index}]", self.buf(*buf)),
            Expr::Unary(op, x) => format!("{} {x}", unary_name(*op)),
            Expr::Binary(op, a, b) => format!("{} {a}, {b}", binary_name(*op)),
            Expr::Cmp(op, a, b) => format!("{} {a}, {b}", cmp_name(*op)),
            Expr::Select {
                cond,
                then,
                otherwise,
            } => format!("select {cond}, {then}, {otherwise}"),
            Expr::Target => "target".to_string(),
            Expr::ChunkIndex => "chunk_index".to_string(),
        }
    }

    fn arg(&self, a: &CallArg) -> String {
        match a {
            CallArg::Value(v) => v.to_string(),
            CallArg::Buffer { buf, offset } => format!("&{}[{offset}]", self.buf(*buf)),
            CallArg::Rng => "rng".to_string(),
        }
    }

    fn message(&self, parts: &[MessagePart]) -> String {
        let parts: Vec<String> = parts
            .iter()
            .map(|p| match p {
                MessagePart::Text(t) => format!("{t:?}"),
                MessagePart::Value(v) => v.to_string(),
                MessagePart::Buffer(b, _) => self.buf(*b),
            })
            .collect();
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Arena, CType, FuncRef, ScalarType};

    #[test]
    fn prints_a_small_module() {
        let mut m = Module {
            buffers: vec![],
            arena_sizes: Default::default(),
            functions: vec![],
            odes: vec![],
        };
        let mu = m.add_buffer("mu", Arena::Params, 1);
        let y = m.add_buffer("y", Arena::Data, 3);
        let mut f = Function::new(FunctionKind::Gradient);
        let (v0, v1, v2) = (
            f.new_value(ScalarType::I64),
            f.new_value(ScalarType::I64),
            f.new_value(ScalarType::I64),
        );
        let (y3, mu4, lp) = (
            f.new_value(ScalarType::F64),
            f.new_value(ScalarType::F64),
            f.new_value(ScalarType::F64),
        );
        let ps: Vec<_> = (0..3).map(|_| f.new_value(ScalarType::F64)).collect();
        f.body = vec![
            Stmt::Let {
                dst: v0,
                expr: Expr::I64(0),
            },
            Stmt::Let {
                dst: v1,
                expr: Expr::I64(3),
            },
            Stmt::Let {
                dst: mu4,
                expr: Expr::Load { buf: mu, index: v0 },
            },
            Stmt::For {
                var: v2,
                start: v0,
                end: v1,
                body: vec![
                    Stmt::Let {
                        dst: y3,
                        expr: Expr::Load { buf: y, index: v2 },
                    },
                    Stmt::Call {
                        dst: Some(lp),
                        partials: ps.clone(),
                        func: FuncRef {
                            symbol: "hbm_normal_lpdf_grad".into(),
                            params: vec![CType::F64, CType::F64, CType::F64, CType::PtrF64],
                            ret: CType::F64,
                        },
                        args: vec![CallArg::Value(y3), CallArg::Value(mu4), CallArg::Value(mu4)],
                    },
                    Stmt::AddTarget(lp),
                    Stmt::Print(vec![
                        MessagePart::Text("y = ".into()),
                        MessagePart::Value(y3),
                        MessagePart::Buffer(y, Default::default()),
                    ]),
                ],
            },
        ];
        m.functions.push(f);
        let text = module_to_string(&m);
        let expected = "\
arenas: params 1, data 3, int_data 0, work 0, out 0
buffer b0 params.mu: offset 0, len 1
buffer b1 data.y: offset 0, len 3

fn gradient (9 values) {
  v0 = i64 0
  v1 = i64 3
  v4 = load params.mu[v0]
  for v2 in v0..v1 {
    v3 = load data.y[v2]
    v5, [v6, v7, v8] = call hbm_normal_lpdf_grad(v3, v4, v4)
    target += v5
    print \"y = \", v3, data.y
  }
}
";
        assert_eq!(text, expected);
    }
}
