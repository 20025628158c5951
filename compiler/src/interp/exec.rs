//! The interpreter's machine: values, target, and statement execution.

use super::library::{self, RawArg, RawRet};
use super::message::{render, Piece, Scalar};
use super::ops::{self, OpError};
use super::{name, InterpError};
use crate::ir::arenas::Arenas;
use crate::ir::{
    Arena, Buffer, BufferId, CType, CallArg, Expr, FuncRef, Function, FunctionKind, MessagePart, Module,
    ScalarType, Stmt, Value,
};
use hbmc_stdlib::ChainRng;

/// How a block ended.
enum Flow {
    Normal,
    Break,
    Continue,
}

type R<T> = Result<T, InterpError>;

fn malformed<T>(msg: impl Into<String>) -> R<T> {
    Err(InterpError::Malformed(msg.into()))
}

/// One evaluation of one function.
pub(super) struct Machine<'a> {
    module: &'a Module,
    func: &'a Function,
    arenas: &'a mut Arenas,
    rng: Option<*mut ChainRng>,
    prints: &'a mut Vec<String>,
    values: Vec<Option<Scalar>>,
    target: f64,
    /// The chunk number a `GradientChunk` function runs (`Expr::ChunkIndex`).
    chunk: i64,
    /// How many user function calls enclose this evaluation.
    depth: i64,
}

impl<'a> Machine<'a> {
    pub(super) fn new(
        module: &'a Module,
        func: &'a Function,
        arenas: &'a mut Arenas,
        rng: Option<*mut ChainRng>,
        prints: &'a mut Vec<String>,
    ) -> Self {
        let values = vec![None; func.values.len()];
        Machine {
            module,
            func,
            arenas,
            rng,
            prints,
            values,
            target: 0.0,
            chunk: 0,
            depth: 0,
        }
    }

    pub(super) fn run(mut self) -> R<f64> {
        match self.block(&self.func.body)? {
            Flow::Normal => Ok(self.target),
            Flow::Break | Flow::Continue => malformed("break or continue outside a loop"),
        }
    }

    // --- values ---

    fn get(&self, v: Value) -> R<Scalar> {
        match self.values.get(v.0 as usize) {
            Some(Some(s)) => Ok(*s),
            Some(None) => malformed(format!("{} is used before it is defined", name(v))),
            None => malformed(format!("{} is not a value of the function", name(v))),
        }
    }

    fn get_f64(&self, v: Value) -> R<f64> {
        match self.get(v)? {
            Scalar::F64(x) => Ok(x),
            Scalar::I64(_) => malformed(format!("{} is i64 where f64 is required", name(v))),
        }
    }

    fn get_i64(&self, v: Value) -> R<i64> {
        match self.get(v)? {
            Scalar::I64(x) => Ok(x),
            Scalar::F64(_) => malformed(format!("{} is f64 where i64 is required", name(v))),
        }
    }

    fn set(&mut self, v: Value, s: Scalar) -> R<()> {
        let declared = match self.func.values.get(v.0 as usize) {
            Some(t) => *t,
            None => return malformed(format!("{} is not a value of the function", name(v))),
        };
        let ok = matches!(
            (declared, s),
            (ScalarType::F64, Scalar::F64(_)) | (ScalarType::I64, Scalar::I64(_))
        );
        if !ok {
            return malformed(format!(
                "{} is declared {declared:?} but gets {s:?}",
                name(v)
            ));
        }
        self.values[v.0 as usize] = Some(s);
        Ok(())
    }

    // --- buffers ---

    fn buffer(&self, id: BufferId) -> R<&'a Buffer> {
        let module: &'a Module = self.module;
        match module.buffers.get(id.0 as usize) {
            Some(b) => Ok(b),
            None => malformed(format!("buffer b{} does not exist", id.0)),
        }
    }

    /// The arena position of `buf[index]`, or the out-of-bounds error that
    /// makes the interpreter an oracle.
    fn position(&self, id: BufferId, index: i64) -> R<(Arena, usize)> {
        let b = self.buffer(id)?;
        let oob = || InterpError::OutOfBounds {
            buffer: b.name.clone(),
            arena: b.arena,
            index,
            len: b.len,
        };
        let i = usize::try_from(index).map_err(|_| oob())?;
        if i >= b.len {
            return Err(oob());
        }
        let pos = b.offset.checked_add(i).ok_or_else(oob)?;
        if pos >= self.arenas.len(b.arena) {
            return Err(oob());
        }
        Ok((b.arena, pos))
    }

    fn load(&self, id: BufferId, index: i64) -> R<Scalar> {
        let (arena, pos) = self.position(id, index)?;
        // `position` checked `pos` against the arena's length.
        Ok(
            match (self.arenas.f64_arena(arena), self.arenas.i64_arena(arena)) {
                (Some(v), _) => Scalar::F64(v[pos]),
                (None, Some(v)) => Scalar::I64(v[pos]),
                (None, None) => {
                    return malformed(format!("{arena:?} is neither a real nor an integer arena"))
                }
            },
        )
    }

    fn write(&mut self, id: BufferId, index: i64, value: Scalar, accumulate: bool) -> R<()> {
        let (arena, pos) = self.position(id, index)?;
        // `position` checked `pos` against the arena's length.
        match value {
            Scalar::F64(x) if arena.scalar_type() == ScalarType::F64 => {
                if let Some(v) = self.arenas.f64_arena_mut(arena) {
                    v[pos] = if accumulate { v[pos] + x } else { x };
                }
            }
            Scalar::I64(x) if arena.scalar_type() == ScalarType::I64 => {
                if let Some(v) = self.arenas.i64_arena_mut(arena) {
                    v[pos] = if accumulate {
                        v[pos].wrapping_add(x)
                    } else {
                        x
                    };
                }
            }
            _ => return malformed(format!("a {value:?} stored into the {arena:?} arena")),
        }
        Ok(())
    }

    // --- execution ---

    fn block(&mut self, stmts: &'a [Stmt]) -> R<Flow> {
        for stmt in stmts {
            match self.stmt(stmt)? {
                Flow::Normal => {}
                flow => return Ok(flow),
            }
        }
        Ok(Flow::Normal)
    }

    fn stmt(&mut self, stmt: &'a Stmt) -> R<Flow> {
        match stmt {
            Stmt::TapeSave { tape, slot, value } => {
                let slot = self.get_i64(*slot)?;
                let bits = match self.get(*value)? {
                    Scalar::F64(x) => x.to_bits(),
                    Scalar::I64(x) => x as u64,
                };
                self.arenas.tapes.save(*tape, slot, bits);
            }
            Stmt::TapeLoad { dst, tape, slot } => {
                let bits = self.arenas.tapes.load(*tape, self.get_i64(*slot)?);
                let s = match self.func.type_of(*dst) {
                    ScalarType::F64 => Scalar::F64(f64::from_bits(bits)),
                    ScalarType::I64 => Scalar::I64(bits as i64),
                };
                self.set(*dst, s)?;
            }
            Stmt::Let { dst, expr } => {
                let s = self.expr(expr)?;
                self.set(*dst, s)?;
            }
            Stmt::Call {
                dst,
                partials,
                func,
                args,
            } => self.call(*dst, partials, func, args)?,
            Stmt::Store { buf, index, value } => {
                let (i, x) = (self.get_i64(*index)?, self.get(*value)?);
                self.write(*buf, i, x, false)?;
            }
            Stmt::Accumulate { buf, index, value } => {
                let (i, x) = (self.get_i64(*index)?, self.get(*value)?);
                self.write(*buf, i, x, true)?;
            }
            Stmt::AddTarget(v) => self.target += self.get_f64(*v)?,
            Stmt::For {
                var,
                start,
                end,
                body,
            } => {
                let (start, end) = (self.get_i64(*start)?, self.get_i64(*end)?);
                let mut i = start;
                while i < end {
                    self.set(*var, Scalar::I64(i))?;
                    if let Flow::Break = self.block(body)? {
                        break;
                    }
                    i += 1;
                }
            }
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                let branch = if self.get_i64(*cond)? != 0 {
                    then
                } else {
                    otherwise
                };
                return self.block(branch);
            }
            Stmt::While {
                cond_block,
                cond,
                body,
            } => loop {
                match self.block(cond_block)? {
                    Flow::Break => break,
                    Flow::Continue => continue,
                    Flow::Normal => {}
                }
                if self.get_i64(*cond)? == 0 {
                    break;
                }
                if let Flow::Break = self.block(body)? {
                    break;
                }
            },
            Stmt::Break => return Ok(Flow::Break),
            Stmt::Continue => return Ok(Flow::Continue),
            Stmt::Reject(parts) => return Err(InterpError::Rejected(self.message(parts)?)),
            Stmt::Print(parts) => {
                let m = self.message(parts)?;
                self.prints.push(m);
            }
            // In chunk order: the JIT may run them on several threads, but
            // they write disjoint memory, so the order does not matter.
            Stmt::RunChunks { function, count } => {
                let kind = FunctionKind::GradientChunk(*function);
                let Some(func) = self.module.function(kind) else {
                    return malformed(format!("no {kind:?} function"));
                };
                for c in 0..*count {
                    let mut m = Machine::new(self.module, func, &mut *self.arenas, self.rng, &mut *self.prints);
                    m.chunk = i64::from(c);
                    m.run()?;
                }
            }
        }
        Ok(Flow::Normal)
    }

    fn expr(&mut self, expr: &Expr) -> R<Scalar> {
        let op_err = |e: OpError| match e {
            OpError::Type => InterpError::Malformed(format!("operand types do not fit `{expr:?}`")),
            OpError::DivByZero => InterpError::Rejected(ops::DIV_BY_ZERO.to_string()),
        };
        Ok(match expr {
            Expr::F64(x) => Scalar::F64(*x),
            Expr::I64(x) => Scalar::I64(*x),
            Expr::Load { buf, index } => self.load(*buf, self.get_i64(*index)?)?,
            Expr::Unary(op, x) => ops::unary(*op, self.get(*x)?).map_err(op_err)?,
            Expr::Binary(op, a, b) => {
                ops::binary(*op, self.get(*a)?, self.get(*b)?).map_err(op_err)?
            }
            Expr::Cmp(op, a, b) => {
                Scalar::I64(ops::compare(*op, self.get(*a)?, self.get(*b)?).map_err(op_err)?)
            }
            Expr::Select {
                cond,
                then,
                otherwise,
            } => {
                let (t, o) = (self.get(*then)?, self.get(*otherwise)?);
                if std::mem::discriminant(&t) != std::mem::discriminant(&o) {
                    return malformed("select arms of different types");
                }
                if self.get_i64(*cond)? != 0 {
                    t
                } else {
                    o
                }
            }
            Expr::Target => Scalar::F64(self.target),
            Expr::ChunkIndex => Scalar::I64(self.chunk),
        })
    }

    fn message(&self, parts: &[MessagePart]) -> R<String> {
        let mut pieces = Vec::with_capacity(parts.len());
        for part in parts {
            pieces.push(match part {
                MessagePart::Text(t) => Piece::Text(t),
                MessagePart::Value(v) => Piece::Scalar(self.get(*v)?),
                MessagePart::Buffer(id, shape) => {
                    let len = self.buffer(*id)?.len as i64;
                    Piece::List((0..len).map(|i| self.load(*id, i)).collect::<R<_>>()?, shape)
                }
            });
        }
        Ok(render(&pieces))
    }

    // --- library calls ---

    /// A pointer to `buf[offset]` for a library call. The start must lie in
    /// the buffer (or be 0 for an empty buffer).
    fn pointer(&mut self, id: BufferId, offset: i64) -> R<*mut u8> {
        let b = self.buffer(id)?;
        let empty_start = offset == 0 && b.len == 0 && b.offset <= self.arenas.len(b.arena);
        let pos = if empty_start {
            b.offset
        } else {
            self.position(id, offset)?.1
        };
        match self.arenas.f64_arena_mut(b.arena) {
            // `pos` is at most the arena's length, so the pointer is in
            // bounds or one past the end.
            Some(v) => Ok(v.as_mut_ptr().wrapping_add(pos).cast()),
            None => Err(InterpError::BadCall(format!(
                "buffer `{}` of an integer arena passed as a pointer",
                b.name
            ))),
        }
    }

    /// Runs user function `index` on the argument values in a machine of
    /// its own (its own values, the same arenas), one level deeper.
    /// An ODE call (`ir::ode`): reads its arguments, solves with the
    /// system's `Gradient` function run by the interpreter, writes the
    /// states and sensitivities, and sets `dst` to the status.
    fn ode_call(&mut self, index: usize, dst: Option<Value>, args: &[CallArg]) -> R<()> {
        use crate::ir::ode::{OdeCallArg as A, OdeStatus};
        let sys = self.module.odes.get(index).ok_or_else(|| InterpError::BadCall(format!("no ODE system {index}")))?;
        if args.len() != crate::ir::ode::ode_call_params().len() {
            return Err(InterpError::BadCall(format!("ODE system {index}: wrong number of arguments")));
        }
        let value = |this: &Self, a: A| match &args[a as usize] {
            CallArg::Value(v) => this.get_f64(*v),
            other => malformed(format!("ODE call argument {a:?} is {other:?}, not a value")),
        };
        let read = |this: &Self, a: A, len: usize| -> R<Vec<f64>> {
            let CallArg::Buffer { buf, offset } = &args[a as usize] else {
                return malformed(format!("ODE call argument {a:?} is not a buffer"));
            };
            let start = this.get_i64(*offset)?;
            (0..len as i64)
                .map(|i| match this.load(*buf, start + i)? {
                    Scalar::F64(x) => Ok(x),
                    Scalar::I64(_) => malformed(format!("ODE call argument {a:?} is an integer buffer")),
                })
                .collect()
        };
        let (y0, theta) = (read(self, A::Y0, sys.n)?, read(self, A::Theta, sys.p)?);
        let real_data = read(self, A::RealData, sys.real_data.1)?;
        let int_data = read(self, A::IntData, sys.int_data.1)?;
        let ts = read(self, A::Ts, sys.times)?;
        let inputs = super::ode::OdeInputs {
            y0: &y0,
            theta: &theta,
            real_data: &real_data,
            int_data: &int_data,
            t0: value(self, A::T0)?,
            ts: &ts,
            rel_tol: value(self, A::RelTol)?,
            abs_tol: value(self, A::AbsTol)?,
            max_num_steps: value(self, A::MaxNumSteps)?,
        };
        let mut out = vec![0.0; sys.times * sys.n];
        let mut sens = vec![0.0; sys.sens_len()];
        let mut gradient = |arenas: &mut Arenas| {
            super::run(&sys.module, FunctionKind::Gradient, arenas, None).map_err(|e| match e {
                InterpError::Rejected(m) => m,
                other => other.to_string(),
            })
        };
        let status = match super::ode::solve(sys, &inputs, &mut gradient, &mut out, &mut sens) {
            Ok(()) => OdeStatus::Ok,
            Err(f) => f.status,
        };
        if status == OdeStatus::Ok {
            for (a, values) in [(A::Out, &out), (A::Sens, &sens)] {
                let CallArg::Buffer { buf, offset } = &args[a as usize] else {
                    return malformed(format!("ODE call argument {a:?} is not a buffer"));
                };
                let start = self.get_i64(*offset)?;
                for (i, x) in values.iter().enumerate() {
                    self.write(*buf, start + i as i64, Scalar::F64(*x), false)?;
                }
            }
        }
        if let Some(d) = dst {
            self.set(d, Scalar::I64(status as i64))?;
        }
        Ok(())
    }

    fn user_call(&mut self, index: u32, dst: Option<Value>, args: &[CallArg]) -> R<()> {
        let kind = crate::ir::FunctionKind::User(index);
        let callee = self.module.function(kind).ok_or(InterpError::NoFunction(kind))?;
        if self.depth >= crate::ir::MAX_CALL_DEPTH {
            return Err(InterpError::Rejected(super::too_deep_message()));
        }
        if args.len() != callee.params.len() {
            return Err(InterpError::BadCall(format!("user function {index} takes {} arguments", callee.params.len())));
        }
        let mut inputs = Vec::with_capacity(args.len());
        for a in args {
            match a {
                CallArg::Value(v) => inputs.push(self.get(*v)?),
                _ => return Err(InterpError::BadCall(format!("user function {index} takes only values"))),
            }
        }
        let mut inner = Machine::new(self.module, callee, &mut *self.arenas, self.rng, &mut *self.prints);
        inner.depth = self.depth + 1;
        for (p, x) in callee.params.iter().zip(inputs) {
            inner.set(*p, x)?;
        }
        match inner.block(&callee.body)? {
            Flow::Normal => {}
            Flow::Break | Flow::Continue => return malformed("break or continue outside a loop"),
        }
        let result = callee.result.ok_or_else(|| InterpError::Malformed(format!("user function {index} has no result")))?;
        let value = inner.get(result)?;
        if let Some(d) = dst {
            self.set(d, value)?;
        }
        Ok(())
    }

    fn call(
        &mut self,
        dst: Option<Value>,
        partials: &[Value],
        func: &FuncRef,
        args: &[CallArg],
    ) -> R<()> {
        if let Some(index) = crate::ir::user_function_index(&func.symbol) {
            return self.user_call(index, dst, args);
        }
        if let Some(index) = crate::ir::ode::ode_system_index(&func.symbol) {
            return self.ode_call(index, dst, args);
        }
        let sym = library::resolve(func).map_err(InterpError::BadCall)?;
        let n_explicit = func.explicit_params(!partials.is_empty()).len();
        if !partials.is_empty() {
            let reals = func.real_params(true);
            if !library::writes_partials(sym) || reals != partials.len() {
                return Err(InterpError::BadCall(format!(
                    "`{}` does not write {} partials",
                    func.symbol,
                    partials.len()
                )));
            }
        }
        if args.len() != n_explicit {
            return Err(InterpError::BadCall(format!(
                "`{}` takes {n_explicit} arguments",
                func.symbol
            )));
        }
        let mut raw = Vec::with_capacity(func.params.len());
        for (arg, param) in args.iter().zip(&func.params) {
            raw.push(match (arg, param) {
                (CallArg::Value(v), CType::F64) => RawArg::F64(self.get_f64(*v)?),
                (CallArg::Value(v), CType::I64) => RawArg::I64(self.get_i64(*v)?),
                (CallArg::Buffer { buf, offset }, CType::PtrF64 | CType::PtrConstF64) => {
                    let offset = self.get_i64(*offset)?;
                    RawArg::Ptr(self.pointer(*buf, offset)?)
                }
                (CallArg::Rng, CType::PtrRng) => {
                    RawArg::Ptr(self.rng.ok_or(InterpError::MissingRng)?.cast())
                }
                _ => {
                    return Err(InterpError::BadCall(format!(
                        "argument {arg:?} for a {param:?} parameter of `{}`",
                        func.symbol
                    )))
                }
            });
        }
        let mut partial_values = vec![0.0f64; partials.len()];
        if !partials.is_empty() {
            raw.push(RawArg::Ptr(partial_values.as_mut_ptr().cast()));
        }
        // SAFETY: `sym` comes from the stdlib table and `resolve` checked the
        // IR signature against it; buffer pointers start inside their buffer
        // and arena (`pointer`), the RNG pointer comes from a live `&mut
        // ChainRng`, and the partials pointer has room for one value per
        // real argument, which is what `_grad` functions write. No Rust
        // reference into the arenas is alive during the call.
        let ret = unsafe { library::call_raw(sym, &raw) }.ok_or_else(|| {
            InterpError::BadCall(format!(
                "no call path for the signature of `{}`",
                func.symbol
            ))
        })?;
        if let Some(d) = dst {
            match ret {
                RawRet::F64(x) => self.set(d, Scalar::F64(x))?,
                RawRet::I64(x) => self.set(d, Scalar::I64(x))?,
                RawRet::Void => {
                    return malformed(format!("`{}` returns nothing to assign", func.symbol))
                }
            }
        }
        for (v, x) in partials.iter().zip(partial_values) {
            self.set(*v, Scalar::F64(x))?;
        }
        Ok(())
    }
}
