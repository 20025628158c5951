//! The IR verifier: the rules every [`Module`] must satisfy before the
//! interpreter or the Cranelift backend runs it. Lowering and AD tests call
//! [`verify`] on everything they produce.
//!
//! Rules:
//! - **Layout**: every buffer lies inside its arena (`offset + len` at most
//!   the arena's size); at most one function per [`FunctionKind`].
//! - **Values**: each value is defined exactly once, with its declared type,
//!   and used only where in scope (defined earlier in the same block or in an
//!   enclosing one; a `For` variable inside its body; the values of a
//!   `While`'s `cond_block` in its condition and body).
//! - **Types**: `Binary` operands share a type (`Rem`, `And`, `Or` are I64
//!   only); `Sqrt`/`Floor`/`Ceil`/`Trunc`/`Round` take F64, `Not` and
//!   `ToF64` take I64; `Cmp` operands share a type and give I64; `Select`'s
//!   condition is I64 and its arms share a type; load/store indices, `For`
//!   bounds, loop variables and `If`/`While` conditions are I64; a stored
//!   value has its arena's type; `AddTarget` takes F64.
//! - **Calls** agree with the stdlib's table entry for the symbol (same C
//!   signature). Each explicit argument fits its parameter: `Value` for F64
//!   and I64 (same type), `Buffer` for PtrF64 (a write to the buffer) and
//!   PtrConstF64 (a read), `Rng` for PtrRng. The result goes to a value of
//!   the return type (I32 results are widened to I64), or nowhere.
//! - **Partials convention**: a call may list `partials` only when the
//!   callee is one of the stdlib's `_grad` functions (`SymbolKind::Grad` or
//!   `LpdfGrad`), whose last parameter is the `*mut f64` they write one
//!   partial through per F64 parameter, in parameter order. The IR call then
//!   omits that last argument (`args.len() == params.len() - 1`), lists
//!   exactly one F64 value per F64 parameter, and the backend supplies
//!   scratch memory and defines the values from it after the call. Without
//!   `partials`, a `_grad` function may still be called with an explicit
//!   `Buffer` for the pointer.
//! - **Arenas per kind**: `Params` is never written; `Grad` is read and
//!   written only by `Gradient`; `Out` only by `Generate`; `Data` and
//!   `IntData` are written only by `TransformedData`; `Work` and `IntWork`
//!   by all. Pointer arguments cannot point into `IntData` or `IntWork`
//!   (there is no `*mut i64` C type).
//! - **Target**: `AddTarget` and `Expr::Target` only in `LogDensity`,
//!   `Gradient` and `GradientChunk`. **RNG**: only `Generate` and
//!   `TransformedData`.
//! - **Chunks**: `GradientChunk` functions may do what `Gradient` may;
//!   `Expr::ChunkIndex` only in them; `RunChunks` only at the top level of
//!   `Gradient`, naming an existing chunk function.
//! - **Control**: `Break`/`Continue` only inside a `For` or `While`.
//! - **Constant indices** (values defined by `Expr::I64`) of loads, stores
//!   and pointer arguments lie in the buffer (a pointer may also be offset 0
//!   into an empty buffer).

use super::arenas::arena_name;
use super::{
    Arena, BinaryOp, BufferId, CType, CallArg, Expr, FuncRef, Function, FunctionKind, MessagePart,
    Module, ScalarType, Stmt, UnaryOp, Value,
};
use crate::interp::library;

/// Checks a module; `Err` lists every problem found, one line each.
pub fn verify(module: &Module) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    for (i, b) in module.buffers.iter().enumerate() {
        let size = module.arena_sizes.of(b.arena);
        if b.offset.checked_add(b.len).is_none_or(|end| end > size) {
            errors.push(format!(
                "buffer b{i} `{}` ({}[{}..+{}]) does not fit its arena of {size} elements",
                b.name,
                arena_name(b.arena),
                b.offset,
                b.len
            ));
        }
    }
    for (i, f) in module.functions.iter().enumerate() {
        if module.functions[..i].iter().any(|g| g.kind == f.kind) {
            errors.push(format!("more than one {:?} function", f.kind));
        }
        let mut checker = Checker::new(module, f);
        checker.user_signature();
        checker.block(&f.body);
        checker.user_result();
        errors.extend(checker.errors);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A chunk of `Gradient` may do what `Gradient` may.
fn gradient_like(kind: FunctionKind) -> bool {
    matches!(kind, FunctionKind::Gradient | FunctionKind::GradientChunk(_))
}

fn may_read(kind: FunctionKind, arena: Arena) -> bool {
    if let FunctionKind::User(_) = kind {
        return matches!(arena, Arena::Work | Arena::IntWork);
    }
    match arena {
        Arena::Grad => gradient_like(kind),
        Arena::Out => matches!(kind, FunctionKind::Generate | FunctionKind::Unconstrain),
        Arena::Params | Arena::Data | Arena::IntData | Arena::Work | Arena::IntWork => true,
    }
}

fn may_write(kind: FunctionKind, arena: Arena) -> bool {
    if let FunctionKind::User(_) = kind {
        return matches!(arena, Arena::Work | Arena::IntWork);
    }
    match arena {
        Arena::Params => kind == FunctionKind::Unconstrain,
        Arena::Grad => gradient_like(kind),
        Arena::Out => kind == FunctionKind::Generate,
        Arena::Data | Arena::IntData => kind == FunctionKind::TransformedData,
        Arena::Work | Arena::IntWork => true,
    }
}

/// The state of checking one function.
struct Checker<'a> {
    module: &'a Module,
    func: &'a Function,
    errors: Vec<String>,
    defined: Vec<bool>,
    in_scope: Vec<bool>,
    /// The values defined in each open block, to drop them from scope when
    /// it closes.
    frames: Vec<Vec<Value>>,
    /// The value of each I64 constant, for static index checks.
    consts: Vec<Option<i64>>,
    loop_depth: usize,
}

impl<'a> Checker<'a> {
    fn new(module: &'a Module, func: &'a Function) -> Self {
        let n = func.values.len();
        Checker {
            module,
            func,
            errors: Vec::new(),
            defined: vec![false; n],
            in_scope: vec![false; n],
            frames: vec![Vec::new()],
            consts: vec![None; n],
            loop_depth: 0,
        }
    }

    fn error(&mut self, msg: impl std::fmt::Display) {
        self.errors.push(format!("{:?}: {msg}", self.func.kind));
    }

    // --- scopes and values ---

    fn open(&mut self) {
        self.frames.push(Vec::new());
    }

    fn close(&mut self) {
        for v in self.frames.pop().unwrap_or_default() {
            self.in_scope[v.0 as usize] = false;
        }
    }

    /// Defines `v` with type `ty` in the current block.
    fn define(&mut self, v: Value, ty: ScalarType) {
        let i = v.0 as usize;
        let Some(declared) = self.func.values.get(i).copied() else {
            return self.error(format_args!(
                "{v} is defined but the function has only {} values",
                self.defined.len()
            ));
        };
        if self.defined[i] {
            self.error(format_args!("{v} is defined more than once"));
        }
        if declared != ty {
            self.error(format_args!(
                "{v} is declared {declared:?} but defined as {ty:?}"
            ));
        }
        self.defined[i] = true;
        self.in_scope[i] = true;
        if let Some(frame) = self.frames.last_mut() {
            frame.push(v);
        }
    }

    /// The type of a use of `v`, or `None` (after reporting) when it is not
    /// in scope.
    fn use_(&mut self, v: Value) -> Option<ScalarType> {
        let i = v.0 as usize;
        if i >= self.func.values.len() {
            self.error(format_args!(
                "{v} is used but the function has only {} values",
                self.func.values.len()
            ));
            return None;
        }
        if !self.in_scope[i] {
            let why = if self.defined[i] {
                "outside the block that defines it"
            } else {
                "before its definition"
            };
            self.error(format_args!("{v} is used {why}"));
            return None;
        }
        Some(self.func.values[i])
    }

    /// Checks that the function may use the evaluator's tapes: only the
    /// gradient does (a chunk's context has none).
    fn tape_user(&mut self) {
        if self.func.kind != FunctionKind::Gradient {
            self.error(format_args!("{:?} functions may not use tapes", self.func.kind));
        }
    }

    /// Uses `v` where type `want` is required.
    fn use_as(&mut self, v: Value, want: ScalarType, role: &str) {
        if let Some(t) = self.use_(v) {
            if t != want {
                self.error(format_args!("{role} {v} is {t:?}, expected {want:?}"));
            }
        }
    }

    // --- buffers ---

    /// Checks an access to `buf` at `index`; returns the arena when the
    /// buffer exists.
    fn access(&mut self, buf: BufferId, index: Value, write: bool, pointer: bool) -> Option<Arena> {
        self.use_as(index, ScalarType::I64, "index");
        let Some(b) = self.module.buffers.get(buf.0 as usize) else {
            self.error(format_args!("buffer b{} does not exist", buf.0));
            return None;
        };
        let kind = self.func.kind;
        let allowed = if write {
            may_write(kind, b.arena)
        } else {
            may_read(kind, b.arena)
        };
        if !allowed {
            let what = if write { "write" } else { "read" };
            self.error(format_args!(
                "{kind:?} functions may not {what} the {} arena (buffer `{}`)",
                arena_name(b.arena),
                b.name
            ));
        }
        if let Some(Some(c)) = self.consts.get(index.0 as usize).copied() {
            let empty_start = pointer && c == 0 && b.len == 0;
            if !empty_start && (c < 0 || c as u64 >= b.len as u64) {
                self.error(format_args!(
                    "constant index {c} is out of range for buffer `{}` of length {}",
                    b.name, b.len
                ));
            }
        }
        Some(b.arena)
    }

    // --- statements ---

    fn block(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            self.stmt(s);
        }
    }

    fn scoped_block(&mut self, stmts: &[Stmt]) {
        self.open();
        self.block(stmts);
        self.close();
    }

    fn stmt(&mut self, stmt: &Stmt) {
        use ScalarType::{F64, I64};
        match stmt {
            Stmt::Let { dst, expr } => {
                // After an error, define `dst` with its declared type so
                // that its uses do not report the same problem again.
                let declared = self.func.values.get(dst.0 as usize).copied();
                if let Some(t) = self.expr(expr).or(declared) {
                    if let Expr::I64(c) = expr {
                        if let Some(slot) = self.consts.get_mut(dst.0 as usize) {
                            *slot = Some(*c);
                        }
                    }
                    self.define(*dst, t);
                }
            }
            Stmt::Call {
                dst,
                partials,
                func,
                args,
            } => self.call(*dst, partials, func, args),
            Stmt::Store { buf, index, value } | Stmt::Accumulate { buf, index, value } => {
                if let Some(arena) = self.access(*buf, *index, true, false) {
                    self.use_as(*value, arena.scalar_type(), "stored value");
                }
            }
            Stmt::AddTarget(v) => {
                self.target_allowed();
                self.use_as(*v, F64, "target increment");
            }
            Stmt::For {
                var,
                start,
                end,
                body,
            } => {
                self.use_as(*start, I64, "loop start");
                self.use_as(*end, I64, "loop end");
                self.open();
                self.define(*var, I64);
                self.loop_depth += 1;
                self.block(body);
                self.loop_depth -= 1;
                self.close();
            }
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                self.use_as(*cond, I64, "condition");
                self.scoped_block(then);
                self.scoped_block(otherwise);
            }
            Stmt::While {
                cond_block,
                cond,
                body,
            } => {
                self.open();
                self.loop_depth += 1;
                self.block(cond_block);
                self.use_as(*cond, I64, "condition");
                self.scoped_block(body);
                self.loop_depth -= 1;
                self.close();
            }
            Stmt::Break | Stmt::Continue => {
                if self.loop_depth == 0 {
                    self.error("break or continue outside a loop");
                }
            }
            Stmt::RunChunks { function, count: _ } => {
                if self.func.kind != FunctionKind::Gradient {
                    self.error("only the Gradient function runs chunks");
                }
                if self.loop_depth > 0 {
                    self.error("chunks run only at the top level of a function");
                }
                if self.module.function(FunctionKind::GradientChunk(*function)).is_none() {
                    self.error(format_args!("chunk function {function} does not exist"));
                }
            }
            Stmt::TapeSave { slot, value, .. } => {
                self.tape_user();
                self.use_as(*slot, ScalarType::I64, "tape slot");
                let _ = self.use_(*value);
            }
            Stmt::TapeLoad { dst, slot, .. } => {
                self.tape_user();
                self.use_as(*slot, ScalarType::I64, "tape slot");
                if let Some(&ty) = self.func.values.get(dst.0 as usize) {
                    self.define(*dst, ty);
                } else {
                    self.define(*dst, ScalarType::F64);
                }
            }
            Stmt::Reject(parts) | Stmt::Print(parts) => {
                // Messages are rendered from the entry point's templates.
                if let FunctionKind::User(_) = self.func.kind {
                    self.error("a user function cannot print or reject");
                }
                for p in parts {
                    match p {
                        MessagePart::Text(_) => {}
                        MessagePart::Value(v) => {
                            self.use_(*v);
                        }
                        MessagePart::Buffer(id, _) => match self.module.buffers.get(id.0 as usize) {
                            None => self.error(format_args!("buffer b{} does not exist", id.0)),
                            Some(b) if !may_read(self.func.kind, b.arena) => {
                                self.error(format_args!(
                                    "{:?} functions may not read the {} arena (buffer `{}`)",
                                    self.func.kind,
                                    arena_name(b.arena),
                                    b.name
                                ))
                            }
                            Some(_) => {}
                        },
                    }
                }
            }
        }
    }

    fn target_allowed(&mut self) {
        if !matches!(
            self.func.kind,
            FunctionKind::LogDensity | FunctionKind::Gradient | FunctionKind::GradientChunk(_)
        ) {
            self.error("only LogDensity and Gradient functions have a target");
        }
    }

    /// The type of an expression, or `None` after reporting an error.
    fn expr(&mut self, expr: &Expr) -> Option<ScalarType> {
        use ScalarType::{F64, I64};
        match expr {
            Expr::F64(_) => Some(F64),
            Expr::I64(_) => Some(I64),
            Expr::Load { buf, index } => self
                .access(*buf, *index, false, false)
                .map(Arena::scalar_type),
            Expr::Unary(op, x) => {
                let t = self.use_(*x)?;
                let result = match (op, t) {
                    (UnaryOp::Neg | UnaryOp::Abs, t) => Some(t),
                    (
                        UnaryOp::Sqrt
                        | UnaryOp::Floor
                        | UnaryOp::Ceil
                        | UnaryOp::Trunc
                        | UnaryOp::Round,
                        F64,
                    ) => Some(F64),
                    (UnaryOp::Not, I64) => Some(I64),
                    (UnaryOp::ToF64, I64) => Some(F64),
                    _ => None,
                };
                if result.is_none() {
                    self.error(format_args!("{op:?} does not apply to {t:?} operand {x}"));
                }
                result
            }
            Expr::Binary(op, a, b) => {
                let (ta, tb) = (self.use_(*a), self.use_(*b));
                let (ta, tb) = (ta?, tb?);
                if ta != tb {
                    self.error(format_args!("{op:?} of {a}: {ta:?} and {b}: {tb:?}"));
                    return None;
                }
                if matches!(op, BinaryOp::Rem | BinaryOp::And | BinaryOp::Or) && ta != I64 {
                    self.error(format_args!("{op:?} needs I64 operands, got {ta:?}"));
                    return None;
                }
                Some(ta)
            }
            Expr::Cmp(op, a, b) => {
                let (ta, tb) = (self.use_(*a), self.use_(*b));
                if let (Some(ta), Some(tb)) = (ta, tb) {
                    if ta != tb {
                        self.error(format_args!(
                            "{op:?} comparison of {a}: {ta:?} and {b}: {tb:?}"
                        ));
                    }
                }
                Some(I64)
            }
            Expr::Select {
                cond,
                then,
                otherwise,
            } => {
                self.use_as(*cond, I64, "select condition");
                let (tt, to) = (self.use_(*then), self.use_(*otherwise));
                let (tt, to) = (tt?, to?);
                if tt != to {
                    self.error(format_args!(
                        "select arms {then}: {tt:?} and {otherwise}: {to:?}"
                    ));
                    return None;
                }
                Some(tt)
            }
            Expr::Target => {
                self.target_allowed();
                Some(F64)
            }
            Expr::ChunkIndex => {
                if !matches!(self.func.kind, FunctionKind::GradientChunk(_)) {
                    self.error("only GradientChunk functions have a chunk index");
                }
                Some(I64)
            }
        }
    }

    /// A user function's parameters are defined on entry; an entry point
    /// has none, and no result.
    fn user_signature(&mut self) {
        let is_user = matches!(self.func.kind, FunctionKind::User(_));
        if !is_user && (!self.func.params.is_empty() || self.func.result.is_some()) {
            self.error("only a user function has parameters and a result");
        }
        if is_user && self.func.result.is_none() {
            self.error("a user function without a result");
        }
        for p in self.func.params.clone() {
            let ty = self.func.values.get(p.0 as usize).copied().unwrap_or(ScalarType::F64);
            self.define(p, ty);
        }
    }

    /// A user function's result is defined at the top level of its body.
    fn user_result(&mut self) {
        if let Some(r) = self.func.result {
            if !self.in_scope.get(r.0 as usize).copied().unwrap_or(false) {
                self.error(format_args!("the result {r} is not defined at the top level of the body"));
            }
        }
    }

    /// A call of a user function: its signature is the callee's parameter
    /// and result types, without partials, buffers or the RNG.
    fn user_call(&mut self, index: u32, dst: Option<Value>, partials: &[Value], func: &FuncRef, args: &[CallArg]) {
        let Some(callee) = self.module.function(FunctionKind::User(index)) else {
            return self.error(format_args!("`{}` calls a user function the module does not have", func.symbol));
        };
        let types: Vec<ScalarType> = callee.params.iter().map(|p| callee.type_of(*p)).collect();
        let ctype = |t: ScalarType| if t == ScalarType::F64 { CType::F64 } else { CType::I64 };
        let ret = callee.result.map(|r| callee.type_of(r));
        if !partials.is_empty() || func.params != types.iter().map(|t| ctype(*t)).collect::<Vec<_>>() || Some(func.ret) != ret.map(ctype) {
            return self.error(format_args!("`{}` does not match the user function's signature", func.symbol));
        }
        if args.len() != types.len() {
            return self.error(format_args!("`{}` takes {} arguments, the call has {}", func.symbol, types.len(), args.len()));
        }
        for (arg, ty) in args.iter().zip(types) {
            match arg {
                CallArg::Value(v) => self.use_as(*v, ty, "argument"),
                _ => self.error(format_args!("`{}` takes only values", func.symbol)),
            }
        }
        if let (Some(d), Some(t)) = (dst, ret) {
            self.define(d, t);
        }
    }

    fn call(&mut self, dst: Option<Value>, partials: &[Value], func: &FuncRef, args: &[CallArg]) {
        if let Some(index) = crate::ir::user_function_index(&func.symbol) {
            return self.user_call(index, dst, partials, func, args);
        }
        let ode = crate::ir::ode::ode_system_index(&func.symbol);
        if let Some(index) = ode {
            match self.module.odes.get(index) {
                None => self.error(format_args!("`{}` calls ODE system {index}, which the module does not have", func.symbol)),
                // The symbol picks the reverse rule, the system the
                // sensitivities' layout: they must agree.
                Some(sys) if sys.times_wrt.any() != crate::ir::ode::ode_call_has_times(&func.symbol) => self.error(format_args!(
                    "`{}` calls ODE system {index}, whose times {} on parameters",
                    func.symbol,
                    if sys.times_wrt.any() { "depend" } else { "do not depend" }
                )),
                Some(_) => {}
            }
            if func.params != crate::ir::ode::ode_call_params() || func.ret != CType::I64 || !partials.is_empty() {
                self.error(format_args!("`{}` does not have the ODE call signature", func.symbol));
            }
        }
        let sym = if ode.is_some() {
            None
        } else {
            match library::resolve(func) {
            Ok(s) => Some(s),
            Err(e) => {
                self.error(e);
                None
            }
        }
        };
        let n_explicit = func.explicit_params(!partials.is_empty()).len();
        if !partials.is_empty() {
            let reals = func.real_params(true);
            let grad_fn = sym.is_some_and(library::writes_partials)
                && func.params.last() == Some(&CType::PtrF64);
            if !grad_fn {
                self.error(format_args!(
                    "`{}` is not a `_grad` function, so it cannot have partials",
                    func.symbol
                ));
            } else if reals != partials.len() {
                self.error(format_args!(
                    "`{}` writes {reals} partials but the call lists {}",
                    func.symbol,
                    partials.len()
                ));
            }
        }
        if args.len() != n_explicit {
            self.error(format_args!(
                "`{}` takes {n_explicit} explicit arguments, the call has {}",
                func.symbol,
                args.len()
            ));
        }
        for (i, (arg, param)) in args.iter().zip(&func.params).enumerate() {
            match (arg, param) {
                (CallArg::Value(v), CType::F64) => self.use_as(*v, ScalarType::F64, "argument"),
                (CallArg::Value(v), CType::I64) => self.use_as(*v, ScalarType::I64, "argument"),
                (CallArg::Buffer { buf, offset }, CType::PtrF64 | CType::PtrConstF64) => {
                    let write = *param == CType::PtrF64;
                    let arena = self.access(*buf, *offset, write, true);
                    if arena.is_some_and(|a| a.scalar_type() == ScalarType::I64) {
                        self.error(format_args!(
                            "argument {i} of `{}` points into an integer arena",
                            func.symbol
                        ));
                    }
                }
                (CallArg::Rng, CType::PtrRng) => {
                    if !matches!(
                        self.func.kind,
                        FunctionKind::Generate | FunctionKind::TransformedData
                    ) {
                        self.error(format_args!(
                            "{:?} functions may not use the RNG",
                            self.func.kind
                        ));
                    }
                }
                _ => self.error(format_args!(
                    "argument {i} of `{}` is {arg:?} for a {param:?} parameter",
                    func.symbol
                )),
            }
        }
        if let Some(d) = dst {
            match func.ret {
                CType::F64 => self.define(d, ScalarType::F64),
                CType::I64 | CType::I32 => self.define(d, ScalarType::I64),
                _ => self.error(format_args!(
                    "`{}` returns {:?}, which cannot be assigned to {d}",
                    func.symbol, func.ret
                )),
            }
        }
        for p in partials {
            self.define(*p, ScalarType::F64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interp::testutil::{buf, func_ref, module, v, B};
    use crate::ir::{CmpOp, MessagePart};

    fn errors(m: &Module) -> Vec<String> {
        verify(m).expect_err("verify should fail")
    }

    fn has(errors: &[String], needle: &str) -> bool {
        errors.iter().any(|e| e.contains(needle))
    }

    /// A well-formed Gradient function touching every statement kind.
    fn good() -> Module {
        let mut m = module();
        let p = buf(&mut m, "p", Arena::Params, 2);
        let g = m.add_grad_buffer(p);
        let w = buf(&mut m, "w", Arena::Work, 2);
        let mut b = B::new(FunctionKind::Gradient, &m);
        let (z, n) = (b.i(0), b.i(2));
        b.for_(z, n, |b, i| {
            let x = b.load(p, i);
            let (lp, d) = b.call("hbm_normal_lpdf_grad", vec![v(x), v(x), v(x)], true);
            b.add_target(lp.unwrap());
            b.acc(g, i, d[0]);
            b.store(w, i, x);
            let c = b.cmp(CmpOp::Lt, x, d[1]);
            b.if_(
                c,
                |b| b.push(Stmt::Continue),
                |b| b.print(vec![MessagePart::Value(x)]),
            );
        });
        b.while_(|b| b.i(0), |b| b.push(Stmt::Break));
        m.functions.push(b.finish());
        m
    }

    #[test]
    fn accepts_well_formed_ir() {
        assert_eq!(verify(&good()), Ok(()));
    }

    #[test]
    fn use_before_definition_and_out_of_scope() {
        let mut m = module();
        let mut f = Function::new(FunctionKind::LogDensity);
        let x = f.new_value(ScalarType::F64);
        let i = f.new_value(ScalarType::I64);
        let (s, e) = (f.new_value(ScalarType::I64), f.new_value(ScalarType::I64));
        let y = f.new_value(ScalarType::F64);
        f.body = vec![
            Stmt::AddTarget(x),
            Stmt::Let {
                dst: x,
                expr: Expr::F64(1.0),
            },
            Stmt::Let {
                dst: s,
                expr: Expr::I64(0),
            },
            Stmt::Let {
                dst: e,
                expr: Expr::I64(2),
            },
            Stmt::For {
                var: i,
                start: s,
                end: e,
                body: vec![Stmt::Let {
                    dst: y,
                    expr: Expr::F64(2.0),
                }],
            },
            Stmt::AddTarget(y),
            Stmt::Let {
                dst: x,
                expr: Expr::F64(3.0),
            },
        ];
        m.functions.push(f);
        let errs = errors(&m);
        assert!(has(&errs, "v0 is used before its definition"), "{errs:?}");
        assert!(
            has(&errs, "v4 is used outside the block that defines it"),
            "{errs:?}"
        );
        assert!(has(&errs, "v0 is defined more than once"), "{errs:?}");
    }

    #[test]
    fn type_mismatches() {
        let mut m = module();
        let w = buf(&mut m, "w", Arena::Work, 2);
        let mut f = Function::new(FunctionKind::LogDensity);
        let a = f.new_value(ScalarType::F64);
        let b = f.new_value(ScalarType::I64);
        let c = f.new_value(ScalarType::F64);
        let d = f.new_value(ScalarType::F64);
        let e = f.new_value(ScalarType::F64);
        f.body = vec![
            Stmt::Let {
                dst: a,
                expr: Expr::F64(1.0),
            },
            Stmt::Let {
                dst: b,
                expr: Expr::I64(1),
            },
            Stmt::Let {
                dst: c,
                expr: Expr::Binary(BinaryOp::Add, a, b),
            },
            Stmt::Let {
                dst: d,
                expr: Expr::Load { buf: w, index: a },
            },
            Stmt::Let {
                dst: e,
                expr: Expr::Cmp(super::super::CmpOp::Lt, a, a),
            },
            Stmt::Store {
                buf: w,
                index: b,
                value: b,
            },
            Stmt::If {
                cond: a,
                then: vec![],
                otherwise: vec![],
            },
        ];
        m.functions.push(f);
        let errs = errors(&m);
        assert!(has(&errs, "Add of v0: F64 and v1: I64"), "{errs:?}");
        assert!(has(&errs, "index v0 is F64, expected I64"), "{errs:?}");
        assert!(
            has(&errs, "v4 is declared F64 but defined as I64"),
            "{errs:?}"
        );
        assert!(
            has(&errs, "stored value v1 is I64, expected F64"),
            "{errs:?}"
        );
        assert!(has(&errs, "condition v0 is F64"), "{errs:?}");
    }

    #[test]
    fn arena_rules_per_kind() {
        let mut m = good();
        m.functions[0].kind = FunctionKind::LogDensity;
        let errs = errors(&m);
        assert!(
            has(&errs, "LogDensity functions may not write the grad arena"),
            "{errs:?}"
        );

        let mut m = module();
        let p = buf(&mut m, "p", Arena::Params, 1);
        let o = buf(&mut m, "o", Arena::Out, 1);
        let d = buf(&mut m, "d", Arena::Data, 1);
        let mut b = B::new(FunctionKind::Generate, &m);
        let z = b.i(0);
        let x = b.load(p, z);
        b.store(o, z, x);
        b.store(p, z, x);
        b.store(d, z, x);
        b.add_target(x);
        let _ = b.call1("hbm_normal_rng", vec![CallArg::Rng, v(x), v(x)]);
        m.functions.push(b.finish());
        let errs = errors(&m);
        assert!(has(&errs, "may not write the params arena"), "{errs:?}");
        assert!(has(&errs, "may not write the data arena"), "{errs:?}");
        assert!(
            has(
                &errs,
                "only LogDensity and Gradient functions have a target"
            ),
            "{errs:?}"
        );
        assert_eq!(errs.len(), 3, "{errs:?}");

        let mut m = module();
        let p = buf(&mut m, "p", Arena::Params, 1);
        let mut b = B::new(FunctionKind::LogDensity, &m);
        let z = b.i(0);
        let x = b.load(p, z);
        let _ = b.call1("hbm_normal_rng", vec![CallArg::Rng, v(x), v(x)]);
        m.functions.push(b.finish());
        assert!(has(&errors(&m), "LogDensity functions may not use the RNG"));
    }

    #[test]
    fn calls_follow_the_stdlib_signature_and_partials_convention() {
        let mut m = module();
        let ints = buf(&mut m, "k", Arena::IntData, 2);
        let mut b = B::new(FunctionKind::LogDensity, &m);
        let x = b.f(1.0);
        let z = b.i(0);
        // Partials on a function that writes none.
        let mut bad = func_ref("hbm_exp");
        let p = b.f.new_value(ScalarType::F64);
        let dst = b.f.new_value(ScalarType::F64);
        b.push(Stmt::Call {
            dst: Some(dst),
            partials: vec![p],
            func: bad.clone(),
            args: vec![v(x)],
        });
        // Wrong number of partials.
        let (p1, d1) = (
            b.f.new_value(ScalarType::F64),
            b.f.new_value(ScalarType::F64),
        );
        b.push(Stmt::Call {
            dst: Some(d1),
            partials: vec![p1],
            func: func_ref("hbm_normal_lpdf_grad"),
            args: vec![v(x), v(x), v(x)],
        });
        // A signature that disagrees with the stdlib, a wrong arity, a
        // wrong argument kind, an int arena as a pointer.
        bad.params = vec![CType::I64];
        b.push(Stmt::Call {
            dst: None,
            partials: vec![],
            func: bad,
            args: vec![v(z)],
        });
        b.push(Stmt::Call {
            dst: None,
            partials: vec![],
            func: func_ref("hbm_exp"),
            args: vec![],
        });
        b.push(Stmt::Call {
            dst: None,
            partials: vec![],
            func: func_ref("hbm_exp"),
            args: vec![v(z)],
        });
        let n = b.i(2);
        b.push(Stmt::Call {
            dst: None,
            partials: vec![],
            func: func_ref("hbm_log_sum_exp_vec"),
            args: vec![
                CallArg::Buffer {
                    buf: ints,
                    offset: z,
                },
                v(n),
            ],
        });
        m.functions.push(b.finish());
        let errs = errors(&m);
        assert!(
            has(&errs, "`hbm_exp` is not a `_grad` function"),
            "{errs:?}"
        );
        assert!(
            has(&errs, "writes 3 partials but the call lists 1"),
            "{errs:?}"
        );
        assert!(has(&errs, "C signature"), "{errs:?}");
        assert!(
            has(&errs, "takes 1 explicit arguments, the call has 0"),
            "{errs:?}"
        );
        assert!(has(&errs, "argument v1 is I64, expected F64"), "{errs:?}");
        assert!(has(&errs, "points into an integer arena"), "{errs:?}");
    }

    #[test]
    fn control_and_constant_indices() {
        let mut m = module();
        let w = buf(&mut m, "w", Arena::Work, 2);
        let mut b = B::new(FunctionKind::LogDensity, &m);
        let (two, minus) = (b.i(2), b.i(-1));
        let x = b.f(0.0);
        b.store(w, two, x);
        let _ = b.load(w, minus);
        b.push(Stmt::Continue);
        m.functions.push(b.finish());
        m.functions.push(Function::new(FunctionKind::LogDensity));
        let errs = errors(&m);
        assert!(
            has(
                &errs,
                "constant index 2 is out of range for buffer `w` of length 2"
            ),
            "{errs:?}"
        );
        assert!(has(&errs, "constant index -1 is out of range"), "{errs:?}");
        assert!(has(&errs, "break or continue outside a loop"), "{errs:?}");
        assert!(has(&errs, "more than one LogDensity function"), "{errs:?}");
    }

    #[test]
    fn buffers_must_fit_their_arena() {
        let mut m = module();
        buf(&mut m, "w", Arena::Work, 2);
        m.arena_sizes.work = 1;
        assert!(has(&errors(&m), "does not fit its arena of 1 elements"));
    }

    /// An ODE call's symbol picks its reverse rule, its system the layout
    /// of the sensitivities: a call marked for times that depend on
    /// parameters whose system is not (or the reverse) is an error.
    #[test]
    fn ode_call_and_system_must_agree_on_the_times() {
        let source = "functions { vector f(real t, vector y) { return -y; } }
parameters { real<lower=0> lag; }
model { array[1] vector[1] y = ode_rk45(f, [1.0]', 0.0, {2.0 - lag}); target += y[1][1]; }";
        let fe = crate::front_end(source);
        let program = fe.typed.unwrap_or_else(|| panic!("checks: {:?}", fe.diagnostics));
        let src = crate::bind::read_source("d.json", "{}").expect("data reads");
        let (bound, diags) = crate::bind::bind_data(&program, &[src]);
        let bound = bound.unwrap_or_else(|| panic!("binds: {diags:?}"));
        let mut model = crate::lower::lower_model(&program, &bound).unwrap_or_else(|d| panic!("lowers: {d:?}"));
        assert_eq!(verify(&model.module), Ok(()));
        assert!(model.module.odes[0].times_wrt.ts && !model.module.odes[0].times_wrt.t0);
        model.module.odes[0].times_wrt = Default::default();
        assert!(has(&errors(&model.module), "whose times do not depend on parameters"));
    }
}
