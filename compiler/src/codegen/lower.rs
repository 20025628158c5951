//! Lowering of one IR function to Cranelift IR.
//!
//! - Every IR value is a Cranelift `Variable`; the frontend's SSA builder
//!   inserts the block parameters that loops need (a value defined in a loop
//!   body is redefined on every iteration, exactly the IR's rule).
//! - `target` is a `Variable` too, never memory, and is the return value.
//! - Arena base pointers and the RNG pointer are loaded from the
//!   [`RunContext`] once, in the entry block, which dominates every use.
//! - Arena loads and stores are `trusted` (aligned, cannot trap): the
//!   verifier checked the layout, the safe wrapper the arena lengths, and
//!   lowering emits in-range indices (the interpreter is the oracle for that).
//! - After `Break`, `Continue` or `Reject` the rest of the IR block is dead
//!   and is not emitted.
//! - No instruction fusion is requested (no `fma`), and Cranelift does not
//!   contract `fmul`+`fadd` by itself, so arithmetic is bitwise identical to
//!   the interpreter's.

use std::collections::HashMap;

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    self as clif, AbiParam, BlockArg, InstBuilder, MemFlagsData, StackSlotData, StackSlotKind, Type,
};
use cranelift_frontend::{FunctionBuilder, Variable};
use cranelift_jit::JITModule;
use cranelift_module::{FuncId, Linkage, Module as _};

use super::context::{RunContext, Template, TemplatePart, STATUS_DIV_BY_ZERO, STATUS_REJECTED, STATUS_TOO_DEEP};
use super::pool::RUN_CHUNKS_SYMBOL;
use super::cells::{cell_key, loop_cells, IndexBase};
use super::CodegenError;
use crate::ir::{
    Arena, BinaryOp, BufferId, CType, CallArg, CmpOp, Expr, FuncRef, Function, FunctionKind,
    MessagePart, Module, ScalarType, Stmt, UnaryOp, Value, MAX_CALL_DEPTH,
};

const F64: Type = clif::types::F64;
const I64: Type = clif::types::I64;

/// The name the message callback is registered under.
pub(crate) const MESSAGE_SYMBOL: &str = "hbmc_jit_message";

fn clif_type(t: ScalarType) -> Type {
    match t {
        ScalarType::F64 => F64,
        ScalarType::I64 => I64,
    }
}

/// Library functions declared in the JIT module so far, by symbol.
pub(crate) type Imports = HashMap<String, FuncId>;

/// Declares (once per module) an imported function with its C signature.
fn import(
    jit: &mut JITModule,
    imports: &mut Imports,
    symbol: &str,
    params: &[CType],
    ret: CType,
) -> Result<FuncId, CodegenError> {
    if let Some(id) = imports.get(symbol) {
        return Ok(*id);
    }
    let ptr = jit.target_config().pointer_type();
    let mut sig = jit.make_signature();
    for p in params {
        let t = match p {
            CType::F64 => F64,
            CType::I64 => I64,
            CType::I32 => clif::types::I32,
            CType::PtrF64 | CType::PtrConstF64 | CType::PtrRng => ptr,
            CType::Void => {
                return Err(CodegenError::Unsupported(format!(
                    "`{symbol}` has a void parameter"
                )))
            }
        };
        sig.params.push(AbiParam::new(t));
    }
    match ret {
        CType::F64 => sig.returns.push(AbiParam::new(F64)),
        CType::I64 => sig.returns.push(AbiParam::new(I64)),
        CType::I32 => sig.returns.push(AbiParam::new(clif::types::I32)),
        CType::Void => {}
        _ => {
            return Err(CodegenError::Unsupported(format!(
                "`{symbol}` returns a pointer"
            )))
        }
    }
    let id = jit.declare_function(symbol, Linkage::Import, &sig)?;
    imports.insert(symbol.to_string(), id);
    Ok(id)
}

/// The largest number of partials of any call, and of value parts of any
/// message, in a block (sizes of the two shared stack slots).
fn scratch_needs(stmts: &[Stmt], partials: &mut usize, values: &mut usize) {
    for s in stmts {
        match s {
            Stmt::Call { partials: p, .. } => *partials = (*partials).max(p.len()),
            Stmt::Reject(parts) | Stmt::Print(parts) => {
                let n = parts
                    .iter()
                    .filter(|p| matches!(p, MessagePart::Value(_)))
                    .count();
                *values = (*values).max(n);
            }
            Stmt::For { body, .. } => scratch_needs(body, partials, values),
            Stmt::If {
                then, otherwise, ..
            } => {
                scratch_needs(then, partials, values);
                scratch_needs(otherwise, partials, values);
            }
            Stmt::While {
                cond_block, body, ..
            } => {
                scratch_needs(cond_block, partials, values);
                scratch_needs(body, partials, values);
            }
            _ => {}
        }
    }
}

/// The Cranelift signature of a function: `(ctx: ptr) -> f64` for an entry
/// point, `(ctx: ptr, depth: i64, params...) -> result` for a user function.
pub(crate) fn signature(jit: &JITModule, func: &Function) -> clif::Signature {
    let mut sig = jit.make_signature();
    sig.params.push(AbiParam::new(jit.target_config().pointer_type()));
    match (func.kind, func.result) {
        (FunctionKind::User(_), Some(r)) => {
            sig.params.push(AbiParam::new(I64));
            for p in &func.params {
                sig.params.push(AbiParam::new(clif_type(func.type_of(*p))));
            }
            sig.returns.push(AbiParam::new(clif_type(func.type_of(r))));
        }
        _ => sig.returns.push(AbiParam::new(F64)),
    }
    sig
}

/// Translates one verified IR function into `builder`'s function, whose
/// signature is [`signature`]'s. Returns the message templates.
#[allow(clippy::too_many_arguments)] // the module's parts a function may call into
pub(crate) fn translate(
    jit: &mut JITModule,
    imports: &mut Imports,
    user_ids: &HashMap<u32, FuncId>,
    odes: &[usize],
    module: &Module,
    func: &Function,
    functions: &[(FunctionKind, FuncId)],
    builder: FunctionBuilder<'_>,
) -> Result<Vec<Template>, CodegenError> {
    let ptr = jit.target_config().pointer_type();
    if ptr != I64 {
        return Err(CodegenError::Unsupported(
            "only 64-bit targets are supported".into(),
        ));
    }
    let mut t = Translator::new(jit, imports, user_ids, odes, module, func, functions, builder)?;
    let exited = t.block(&func.body)?;
    if !exited {
        let value = match func.result {
            Some(r) => t.get(r),
            None => t.b.use_var(t.target),
        };
        t.b.ins().return_(&[value]);
    }
    t.b.seal_all_blocks();
    let templates = std::mem::take(&mut t.templates);
    let config = t.jit.target_config();
    t.b.finalize(config);
    Ok(templates)
}

/// The state of translating one function.
struct Translator<'a, 'b> {
    jit: &'a mut JITModule,
    imports: &'a mut Imports,
    /// The declared user functions, by number.
    user_ids: &'a HashMap<u32, FuncId>,
    /// The addresses of the compiled ODE systems (`codegen::ode::JitOde`).
    odes: &'a [usize],
    /// How many user function calls enclose this one (0 in an entry point).
    depth: clif::Value,
    /// A user function's result type (what a failed call returns a zero of).
    result: Option<Type>,
    module: &'a Module,
    b: FunctionBuilder<'b>,
    vars: Vec<Variable>,
    target: Variable,
    ctx: clif::Value,
    /// Base pointer of each arena, indexed by `arena_index`.
    bases: [clif::Value; 7],
    rng: clif::Value,
    /// (continue target, break target) of each enclosing loop.
    loops: Vec<(clif::Block, clif::Block)>,
    partials_slot: Option<clif::StackSlot>,
    values_slot: Option<clif::StackSlot>,
    /// Where the target waits while a call-free loop that leaves it alone
    /// runs (made on first use).
    target_slot: Option<clif::StackSlot>,
    /// Where the copy of the target after a call-free loop that adds to it
    /// is stored, to pin the copy there (made on first use).
    copy_slot: Option<clif::StackSlot>,
    /// Inside a call-free loop around which the target is parked in
    /// `target_slot` or carried by a value of the loop's own.
    parked: bool,
    templates: Vec<Template>,
    /// Cranelift references to imported functions, per function.
    func_refs: HashMap<FuncId, clif::FuncRef>,
    /// Every function of the module, for `RunChunks`.
    functions: &'a [(FunctionKind, FuncId)],
    /// The type of every value of the function (for `TapeLoad`).
    types: &'a [ScalarType],
    /// Index values that are another value plus a constant
    /// ([`constant_offsets`]).
    index_offsets: HashMap<Value, (Value, i64)>,
    /// The integer constants of the function.
    int_consts: HashMap<Value, i64>,
    /// Buffer elements held in variables while an enclosing call-free
    /// loop runs ([`Translator::promote_cells`]), by buffer and
    /// [`cell_key`].
    promoted: HashMap<(BufferId, IndexBase, i64), PromotedCell>,
    /// F64 values defined by negations, as `(x, true)` for `-x` and
    /// `(x, false)` for `-(-x)`: adding one (an accumulation or a target
    /// term) subtracts or adds `x` instead, the same number without the
    /// negations (three instructions each on x86-64; the reverse sweep
    /// accumulates negated adjoints, `ad::negations`).
    negations: HashMap<Value, (Value, bool)>,
}

/// A buffer element kept in a variable through a loop.
#[derive(Clone, Copy)]
struct PromotedCell {
    var: Variable,
    /// Whether the loop writes it (then it is stored back).
    written: bool,
    /// Its address, as a base and a displacement, computed before the loop.
    addr: clif::Value,
    disp: i32,
}

/// Fewest elements a zeroing loop must have to be written with vector
/// stores ([`Translator::zero_fill`]); shorter ones stay element loops.
const MIN_VECTOR_ZERO: i64 = 16;

/// The buffer a loop `for v in ..: { c = 0.0; buf[v] = c }` zeroes over
/// the loop's range (exactly that body, indexed by the loop variable).
fn zeroing_loop(var: Value, body: &[Stmt]) -> Option<BufferId> {
    match body {
        [Stmt::Let { dst, expr: Expr::F64(z) }, Stmt::Store { buf, index, value }]
            if *z == 0.0 && z.is_sign_positive() && index == &var && value == dst =>
        {
            Some(*buf)
        }
        _ => None,
    }
}

/// Every arena, in the order of [`arena_index`].
const ARENAS: [Arena; 7] = [
    Arena::Params,
    Arena::Grad,
    Arena::Data,
    Arena::IntData,
    Arena::Work,
    Arena::IntWork,
    Arena::Out,
];

/// Whether `stmts` may call out of the function and carry on (a library or
/// user function, the chunk pool, `print`'s message callback), at any
/// depth. A `reject` calls the callback too, but then leaves the function,
/// so no value is live across that call.
fn calls_out(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::Call { .. } | Stmt::RunChunks { .. } | Stmt::Print(_) => true,
        Stmt::For { body, .. } => calls_out(body),
        Stmt::If { then, otherwise, .. } => calls_out(then) || calls_out(otherwise),
        Stmt::While { cond_block, body, .. } => calls_out(cond_block) || calls_out(body),
        _ => false,
    })
}

/// Whether `stmts` add to or read the target, at any depth.
fn touches_target(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::AddTarget(_) | Stmt::Let { expr: Expr::Target, .. } => true,
        Stmt::For { body, .. } => touches_target(body),
        Stmt::If { then, otherwise, .. } => touches_target(then) || touches_target(otherwise),
        Stmt::While { cond_block, body, .. } => touches_target(cond_block) || touches_target(body),
        _ => false,
    })
}

/// Marks (by [`arena_index`]) the arenas `stmts` load from or write to.
fn arenas_used(module: &Module, stmts: &[Stmt], used: &mut [bool; 7]) {
    for s in stmts {
        match s {
            Stmt::Let { expr: Expr::Load { buf, .. }, .. } | Stmt::Store { buf, .. } | Stmt::Accumulate { buf, .. } => {
                used[arena_index(module.buffer(*buf).arena)] = true;
            }
            Stmt::For { body, .. } => arenas_used(module, body, used),
            Stmt::If { then, otherwise, .. } => {
                arenas_used(module, then, used);
                arenas_used(module, otherwise, used);
            }
            Stmt::While { cond_block, body, .. } => {
                arenas_used(module, cond_block, used);
                arenas_used(module, body, used);
            }
            _ => {}
        }
    }
}

/// Integer values defined as another value plus or minus a constant
/// (`g - 1`, `i + 3`, and chains of them), as (that value, the constant):
/// an index of that form is addressed as the other value with the constant
/// folded into the load's or store's displacement, which saves the
/// subtraction of 1-based data indices. Values are defined once and a
/// value's operands are visible wherever it is, so the other value can be
/// read instead.
/// Also returns every integer constant of the function.
pub(super) fn constant_offsets(func: &Function) -> (HashMap<Value, (Value, i64)>, HashMap<Value, i64>) {
    fn offsets(func: &Function, stmts: &[Stmt], consts: &HashMap<Value, i64>, out: &mut HashMap<Value, (Value, i64)>) {
        for s in stmts {
            match s {
                Stmt::Let { dst, expr: Expr::Binary(op, a, b) } if func.type_of(*dst) == ScalarType::I64 => {
                    let found = match (op, consts.get(a), consts.get(b)) {
                        (BinaryOp::Add, None, Some(k)) => Some((*a, *k)),
                        (BinaryOp::Add, Some(k), None) => Some((*b, *k)),
                        (BinaryOp::Sub, None, Some(k)) => k.checked_neg().map(|k| (*a, k)),
                        _ => None,
                    };
                    if let Some((base, k)) = found {
                        // Defined before `dst`, so already in the map when
                        // it is itself an offset value.
                        let (base, k) = match out.get(&base) {
                            Some(&(inner, j)) => match j.checked_add(k) {
                                Some(sum) => (inner, sum),
                                None => (base, k),
                            },
                            None => (base, k),
                        };
                        out.insert(*dst, (base, k));
                    }
                }
                Stmt::For { body, .. } => offsets(func, body, consts, out),
                Stmt::If { then, otherwise, .. } => {
                    offsets(func, then, consts, out);
                    offsets(func, otherwise, consts, out);
                }
                Stmt::While { cond_block, body, .. } => {
                    offsets(func, cond_block, consts, out);
                    offsets(func, body, consts, out);
                }
                _ => {}
            }
        }
    }
    let mut consts = HashMap::new();
    crate::ir::batch::integer_constants(&func.body, &mut consts);
    let mut out = HashMap::new();
    offsets(func, &func.body, &consts, &mut out);
    (out, consts)
}

fn arena_index(a: Arena) -> usize {
    match a {
        Arena::Params => 0,
        Arena::Grad => 1,
        Arena::Data => 2,
        Arena::IntData => 3,
        Arena::Work => 4,
        Arena::IntWork => 5,
        Arena::Out => 6,
    }
}

fn trusted() -> MemFlagsData {
    MemFlagsData::trusted()
}

fn slot(b: &mut FunctionBuilder<'_>, elements: usize) -> Option<clif::StackSlot> {
    (elements > 0).then(|| {
        // 8-byte elements, 8-byte aligned (align_shift 3).
        b.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            (elements * 8) as u32,
            3,
        ))
    })
}

/// The one-element stack slot kept in `cell`, made on first use.
fn one_element_slot(b: &mut FunctionBuilder<'_>, cell: &mut Option<clif::StackSlot>) -> Result<clif::StackSlot, CodegenError> {
    if let Some(slot) = *cell {
        return Ok(slot);
    }
    *cell = slot(b, 1);
    // Invariant: `slot` makes a slot for any positive number of elements.
    cell.ok_or_else(|| CodegenError::Unsupported("no stack slot for the target".into()))
}

impl<'a, 'b> Translator<'a, 'b> {
    #[allow(clippy::too_many_arguments)] // as `translate`
    fn new(
        jit: &'a mut JITModule,
        imports: &'a mut Imports,
        user_ids: &'a HashMap<u32, FuncId>,
        odes: &'a [usize],
        module: &'a Module,
        func: &'a Function,
        functions: &'a [(FunctionKind, FuncId)],
        mut b: FunctionBuilder<'b>,
    ) -> Result<Self, CodegenError> {
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        b.seal_block(entry);
        let ctx = b.block_params(entry)[0];
        let vars: Vec<Variable> = func
            .values
            .iter()
            .map(|t| b.declare_var(clif_type(*t)))
            .collect();
        let is_user = matches!(func.kind, FunctionKind::User(_));
        let depth = if is_user {
            b.block_params(entry)[1]
        } else {
            b.ins().iconst(I64, 0)
        };
        if is_user {
            let args: Vec<clif::Value> = b.block_params(entry)[2..].to_vec();
            for (p, x) in func.params.iter().zip(args) {
                b.def_var(vars[p.0 as usize], x);
            }
        }
        let result = func.result.map(|r| clif_type(func.type_of(r)));
        let target = b.declare_var(F64);
        let zero = b.ins().f64const(0.0);
        b.def_var(target, zero);
        let bases = ARENAS.map(|a| {
            b.ins()
                .load(I64, trusted(), ctx, RunContext::arena_field_offset(a))
        });
        let rng = b.ins().load(I64, trusted(), ctx, RunContext::RNG);
        let (mut np, mut nv) = (0, 0);
        scratch_needs(&func.body, &mut np, &mut nv);
        let partials_slot = slot(&mut b, np);
        let values_slot = slot(&mut b, nv);
        let (index_offsets, int_consts) = constant_offsets(func);
        let mut t = Translator {
            jit,
            imports,
            user_ids,
            odes,
            depth,
            result,
            module,
            b,
            vars,
            target,
            ctx,
            bases,
            rng,
            loops: Vec::new(),
            partials_slot,
            values_slot,
            target_slot: None,
            copy_slot: None,
            parked: false,
            templates: Vec::new(),
            func_refs: HashMap::new(),
            functions,
            types: &func.values,
            index_offsets,
            int_consts,
            negations: HashMap::new(),
            promoted: HashMap::new(),
        };
        if is_user {
            // Too deep a chain of calls would overflow the native stack.
            let too_deep = t.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, depth, MAX_CALL_DEPTH);
            let (fail, ok) = (t.b.create_block(), t.b.create_block());
            t.b.ins().brif(too_deep, fail, &[], ok, &[]);
            t.b.switch_to_block(fail);
            t.b.seal_block(fail);
            t.exit_with(STATUS_TOO_DEEP, None);
            t.b.switch_to_block(ok);
            t.b.seal_block(ok);
        }
        Ok(t)
    }

    fn var(&self, v: Value) -> Variable {
        // The verifier checked every value against the function's table,
        // and `vars` has one entry per value.
        self.vars[v.0 as usize]
    }

    fn get(&mut self, v: Value) -> clif::Value {
        let var = self.var(v);
        self.b.use_var(var)
    }

    fn set(&mut self, v: Value, x: clif::Value) {
        let var = self.var(v);
        self.b.def_var(var, x);
    }

    /// The address of element `index` (an IR value) of a buffer, as a base
    /// (`arena + index * 8`) and a constant byte displacement (the buffer's
    /// offset), so that x86-64 and AArch64 fold both into one addressing
    /// mode of the load or store. An index that is a value plus a constant
    /// adds the constant to the displacement instead.
    fn element_addr(&mut self, buf: BufferId, index: Value) -> (clif::Value, i32, Arena) {
        // Verified: the buffer exists and lies inside its arena.
        let b = self.module.buffer(buf);
        let arena = b.arena;
        // `index` = v + k: address element v of the buffer moved by k
        // (the same address), when the displacement fits.
        let folded = self.index_offsets.get(&index).and_then(|&(v, k)| {
            let disp = i64::try_from(b.offset).ok()?.checked_add(k)?.checked_mul(8)?;
            Some((v, i32::try_from(disp).ok()?))
        });
        if let Some((v, disp)) = folded {
            let i = self.get(v);
            let scaled = self.b.ins().ishl_imm_u(i, 3);
            let base = self.b.ins().iadd(self.bases[arena_index(arena)], scaled);
            return (base, disp, arena);
        }
        let i = self.get(index);
        let scaled = self.b.ins().ishl_imm_u(i, 3);
        let base = self.b.ins().iadd(self.bases[arena_index(arena)], scaled);
        match i32::try_from(b.offset * 8) {
            Ok(disp) => (base, disp, arena),
            // Arenas beyond 2 GiB: add the offset explicitly.
            Err(_) => (
                self.b.ins().iadd_imm_u(base, (b.offset * 8) as i64),
                0,
                arena,
            ),
        }
    }

    /// The address of element `index` of a buffer as one pointer value.
    fn element_ptr(&mut self, buf: BufferId, index: Value) -> clif::Value {
        let (base, disp, _) = self.element_addr(buf, index);
        if disp == 0 {
            base
        } else {
            self.b.ins().iadd_imm_s(base, i64::from(disp))
        }
    }

    /// Leaves the function with NaN after setting `status` (and `reject`).
    fn exit_with(&mut self, status: u64, reject: Option<u64>) {
        let s = self.b.ins().iconst(I64, status as i64);
        self.b
            .ins()
            .store(trusted(), s, self.ctx, RunContext::STATUS);
        if let Some(r) = reject {
            let r = self.b.ins().iconst(I64, r as i64);
            self.b
                .ins()
                .store(trusted(), r, self.ctx, RunContext::REJECT);
        }
        self.leave();
    }

    /// Returns NaN (or 0 from a user function with an integer result)
    /// without touching `status`.
    fn leave(&mut self) {
        let value = match self.result {
            Some(t) if t == I64 => self.b.ins().iconst(I64, 0),
            _ => self.b.ins().f64const(f64::NAN),
        };
        self.b.ins().return_(&[value]);
    }

    /// A call of user function `index`, one level deeper; leaves at once
    /// when the callee failed.
    fn user_call(&mut self, index: u32, dst: Option<Value>, args: &[CallArg]) -> Result<(), CodegenError> {
        let Some(&id) = self.user_ids.get(&index) else {
            return Err(CodegenError::Unsupported(format!("a call of the undeclared user function {index}")));
        };
        let callee = match self.func_refs.get(&id) {
            Some(r) => *r,
            None => {
                let r = self.jit.declare_func_in_func(id, self.b.func);
                self.func_refs.insert(id, r);
                r
            }
        };
        let depth = self.b.ins().iadd_imm_s(self.depth, 1);
        let mut values = vec![self.ctx, depth];
        for arg in args {
            match arg {
                CallArg::Value(v) => values.push(self.get(*v)),
                _ => return Err(CodegenError::Unsupported("a user function takes only values".into())),
            }
        }
        let call = self.b.ins().call(callee, &values);
        let r = self.b.inst_results(call).first().copied();
        let status = self.b.ins().load(I64, trusted(), self.ctx, RunContext::STATUS);
        let (fail, ok) = (self.b.create_block(), self.b.create_block());
        self.b.ins().brif(status, fail, &[], ok, &[]);
        self.b.switch_to_block(fail);
        self.b.seal_block(fail);
        self.leave();
        self.b.switch_to_block(ok);
        self.b.seal_block(ok);
        if let (Some(d), Some(r)) = (dst, r) {
            self.set(d, r);
        }
        Ok(())
    }

    // --- statements ---

    /// Emits a block; returns true when control cannot reach its end.
    fn block(&mut self, stmts: &[Stmt]) -> Result<bool, CodegenError> {
        for s in stmts {
            if self.stmt(s)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn stmt(&mut self, stmt: &Stmt) -> Result<bool, CodegenError> {
        match stmt {
            Stmt::Let { dst, expr } => {
                if let Expr::Unary(UnaryOp::Neg, x) = expr {
                    if self.types[dst.0 as usize] == ScalarType::F64 {
                        let (base, negated) = self.negations.get(x).copied().unwrap_or((*x, false));
                        self.negations.insert(*dst, (base, !negated));
                    }
                }
                let x = self.expr(expr);
                self.set(*dst, x);
            }
            Stmt::Call {
                dst,
                partials,
                func,
                args,
            } => self.call(*dst, partials, func, args)?,
            Stmt::Store { buf, index, value } => {
                let x = self.get(*value);
                if let Some(cell) = self.promoted_cell(*buf, *index) {
                    self.b.def_var(cell, x);
                    return Ok(false);
                }
                let (addr, disp, _) = self.element_addr(*buf, *index);
                self.b.ins().store(trusted(), x, addr, disp);
            }
            Stmt::Accumulate { buf, index, value } => {
                if let Some(cell) = self.promoted_cell(*buf, *index) {
                    let old = self.b.use_var(cell);
                    let new = match self.module.buffer(*buf).arena.scalar_type() {
                        ScalarType::F64 => self.add_f64(old, *value),
                        ScalarType::I64 => {
                            let x = self.get(*value);
                            self.b.ins().iadd(old, x)
                        }
                    };
                    self.b.def_var(cell, new);
                    return Ok(false);
                }
                let (addr, disp, arena) = self.element_addr(*buf, *index);
                let ty = clif_type(arena.scalar_type());
                let old = self.b.ins().load(ty, trusted(), addr, disp);
                let new = match arena.scalar_type() {
                    ScalarType::F64 => self.add_f64(old, *value),
                    ScalarType::I64 => {
                        let x = self.get(*value);
                        self.b.ins().iadd(old, x)
                    }
                };
                self.b.ins().store(trusted(), new, addr, disp);
            }
            Stmt::AddTarget(v) => {
                let t = self.b.use_var(self.target);
                let sum = self.add_f64(t, *v);
                self.b.def_var(self.target, sum);
            }
            Stmt::For {
                var,
                start,
                end,
                body,
            } => self.for_loop(*var, *start, *end, body)?,
            Stmt::If {
                cond,
                then,
                otherwise,
            } => return self.if_else(*cond, then, otherwise),
            Stmt::While {
                cond_block,
                cond,
                body,
            } => self.while_loop(cond_block, *cond, body)?,
            Stmt::Break | Stmt::Continue => {
                // Verified: inside a loop.
                let Some(&(cont, brk)) = self.loops.last() else {
                    return Err(CodegenError::Unsupported(
                        "break or continue outside a loop".into(),
                    ));
                };
                let to = if matches!(stmt, Stmt::Break) {
                    brk
                } else {
                    cont
                };
                self.b.ins().jump(to, &[]);
                return Ok(true);
            }
            Stmt::Reject(parts) => {
                self.store_promoted();
                let index = self.message(parts, true)?;
                self.exit_with(STATUS_REJECTED, Some(index));
                return Ok(true);
            }
            Stmt::Print(parts) => {
                self.message(parts, false)?;
            }
            Stmt::RunChunks { function, count } => return self.run_chunks(*function, *count),
            Stmt::TapeSave { tape, slot, value } => self.tape_save(*tape, *slot, *value)?,
            Stmt::TapeLoad { dst, tape, slot } => self.tape_load(*dst, *tape, *slot)?,
        }
        Ok(false)
    }

    /// `old + v`, as `old - x` when `v = -x` and `old + x` when `v = -(-x)`
    /// ([`Translator::negations`]): equal in IEEE arithmetic, where
    /// subtracting is adding the negation. (`x` is defined where `v` is
    /// read: `v`'s definition read it.)
    fn add_f64(&mut self, old: clif::Value, v: Value) -> clif::Value {
        let (base, negated) = self.negations.get(&v).copied().unwrap_or((v, false));
        let x = self.get(base);
        if negated {
            self.b.ins().fsub(old, x)
        } else {
            self.b.ins().fadd(old, x)
        }
    }

    /// `buf[start..end] = 0` as 16-byte vector stores, four per iteration
    /// (64 bytes), and the last few elements as scalar stores, when the
    /// range is constant and at least [`MIN_VECTOR_ZERO`] long; `false`
    /// when it does not apply (the caller emits the element loop). The
    /// AD's adjoint and gradient buffers are zeroed by such loops at the
    /// start of every gradient (768 cells of a per-group effect matrix
    /// cost 5-6 instructions each as an element loop, under 1 here).
    fn zero_fill(&mut self, buf: BufferId, start: Value, end: Value) -> bool {
        let (Some(&s), Some(&e)) = (self.int_consts.get(&start), self.int_consts.get(&end)) else { return false };
        if e - s < MIN_VECTOR_ZERO || s < 0 {
            return false;
        }
        // The loop's range is inside the buffer: the element loop would
        // store to the same addresses.
        let b = self.module.buffer(buf);
        let n = e - s;
        let (chunks, rest) = (n / 8, n % 8);
        let Some(at) = (b.offset as i64).checked_add(s).and_then(|a| a.checked_mul(8)) else { return false };
        let Some(bytes) = n.checked_mul(8) else { return false };
        if i32::try_from(bytes).is_err() {
            return false;
        }
        let first = self.b.ins().iadd_imm_s(self.bases[arena_index(b.arena)], at);
        let stop = self.b.ins().iadd_imm_s(first, chunks * 64);
        let zero = self.b.ins().f64const(0.0);
        let zeros = self.b.ins().splat(clif::types::F64X2, zero);
        let (body_b, exit) = (self.b.create_block(), self.b.create_block());
        let p = self.b.append_block_param(body_b, I64);
        // chunks >= 1 (n >= MIN_VECTOR_ZERO >= 8): the body runs at least once.
        self.b.ins().jump(body_b, &[clif::BlockArg::Value(first)]);
        self.b.switch_to_block(body_b);
        for k in 0..4 {
            self.b.ins().store(trusted(), zeros, p, 16 * k);
        }
        let next = self.b.ins().iadd_imm_s(p, 64);
        let more = self.b.ins().icmp(IntCC::UnsignedLessThan, next, stop);
        self.b.ins().brif(more, body_b, &[clif::BlockArg::Value(next)], exit, &[]);
        self.b.seal_block(body_b);
        self.b.switch_to_block(exit);
        self.b.seal_block(exit);
        for k in 0..rest {
            // Fits: below `bytes`, checked above.
            self.b.ins().store(trusted(), zero, stop, (8 * k) as i32);
        }
        true
    }

    fn for_loop(
        &mut self,
        var: Value,
        start: Value,
        end: Value,
        body: &[Stmt],
    ) -> Result<(), CodegenError> {
        let (header, body_b, latch, exit) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        if let Some(buf) = zeroing_loop(var, body) {
            if self.zero_fill(buf, start, end) {
                return Ok(());
            }
        }
        let s = self.get(start);
        self.set(var, s);
        // A loop that calls nothing gets its own copies of the arena bases
        // it uses, loaded here: the function-wide ones are live across calls,
        // so they sit in spill slots, and the register allocator reloads
        // (and stores back) them on every iteration of a hot loop.
        let outer_bases = self.bases;
        if !calls_out(body) {
            let mut used = [false; 7];
            arenas_used(self.module, body, &mut used);
            for (k, a) in ARENAS.iter().enumerate() {
                if used[k] {
                    self.bases[k] = self.b.ins().load(I64, trusted(), self.ctx, RunContext::arena_field_offset(*a));
                }
            }
        }
        let cells = if calls_out(body) { Vec::new() } else { self.promote_cells(var, body) };
        // The target around a call-free loop. As one value live across the
        // whole function (and so across calls), the register allocator
        // keeps it in a spill slot, and in a loop moves it between that
        // slot and a register on every iteration: a store and a reload that
        // the next iteration waits on. So a loop that leaves it alone
        // finds it in a stack slot of its own after the loop (parked), and
        // in a loop that adds to it, the running sum is a value that
        // starts and ends with the loop (copies of the target before and
        // after it), so it is not live across calls and stays in a
        // register. (Loops inside such a loop are left as they are.)
        let call_free = !self.parked && !calls_out(body);
        let adds = touches_target(body);
        let (park, own_target) = (call_free && !adds, call_free && adds);
        if park {
            let slot = self.target_slot()?;
            let t = self.b.use_var(self.target);
            self.b.ins().stack_store(I64, t, slot, 0);
        }
        if own_target {
            self.copy_target();
        }
        let was_parked = self.parked;
        self.parked = was_parked || park || own_target;
        // Tested at the bottom: the guard (`header`) runs once, and each
        // iteration ends in one conditional branch back to the body.
        self.b.ins().jump(header, &[]);

        self.b.switch_to_block(header);
        self.b.seal_block(header);
        let i = self.get(var);
        let e = self.get(end);
        let more = self.b.ins().icmp(IntCC::SignedLessThan, i, e);
        self.b.ins().brif(more, body_b, &[], exit, &[]);

        self.b.switch_to_block(body_b);
        self.loops.push((latch, exit));
        let exited = self.block(body)?;
        self.loops.pop();
        if !exited {
            self.b.ins().jump(latch, &[]);
        }

        self.b.switch_to_block(latch);
        self.b.seal_block(latch);
        let i = self.get(var);
        let next = self.b.ins().iadd_imm_s(i, 1);
        self.set(var, next);
        let e = self.get(end);
        let more = self.b.ins().icmp(IntCC::SignedLessThan, next, e);
        self.b.ins().brif(more, body_b, &[], exit, &[]);
        self.b.seal_block(body_b);

        self.b.switch_to_block(exit);
        self.b.seal_block(exit);
        self.write_back_cells(&cells);
        if let (true, Some(slot)) = (park, self.target_slot) {
            let t = self.b.ins().stack_load(I64, F64, slot, 0);
            self.b.def_var(self.target, t);
        }
        if own_target {
            let t = self.copy_target();
            // Cranelift places a pure instruction at its first use, which
            // may be after the next call; the copy must be made here, so a
            // store (to a slot nothing reads) uses it here.
            let slot = self.copy_slot()?;
            self.b.ins().stack_store(I64, t, slot, 0);
        }
        self.parked = was_parked;
        self.bases = outer_bases;
        Ok(())
    }

    /// The variable holding element `index` of `buf`, when an enclosing
    /// loop promoted it.
    fn promoted_cell(&self, buf: BufferId, index: Value) -> Option<Variable> {
        if self.promoted.is_empty() {
            return None;
        }
        let (base, k) = cell_key(index, &self.int_consts, &self.index_offsets);
        self.promoted.get(&(buf, base, k)).map(|c| c.var)
    }

    /// Before a call-free loop: loads every buffer element the loop can
    /// keep in a variable ([`super::cells`]) into one, which the loop uses
    /// instead of memory. The same additions in the same order, so results
    /// stay bitwise the interpreter's. An index that is a value plus a
    /// constant is clamped into the buffer for this load: the loop checks
    /// it (and rejects) before any access of its own, and a loop that does
    /// not run, or rejects first, stores back the element it loaded
    /// unchanged. Returns the keys of the promoted elements.
    fn promote_cells(&mut self, var: Value, body: &[Stmt]) -> Vec<(BufferId, IndexBase, i64)> {
        let mut keys = Vec::new();
        for (buf, base, ks) in loop_cells(var, body, &self.int_consts, &self.index_offsets) {
            let b = self.module.buffer(buf);
            let (arena, offset, len) = (b.arena, b.offset, b.len);
            let Ok(len) = i64::try_from(len) else { continue };
            for (k, written) in ks {
                if len == 0 || self.promoted.contains_key(&(buf, base, k)) {
                    continue;
                }
                let arena_base = self.bases[arena_index(arena)];
                let (addr, disp) = match base {
                    IndexBase::Const => {
                        let disp = (0..len).contains(&k).then(|| offset.checked_add(k as usize)).flatten();
                        let Some(disp) = disp.and_then(|e| e.checked_mul(8)).and_then(|d| i32::try_from(d).ok()) else { continue };
                        (arena_base, disp)
                    }
                    IndexBase::Value(v) => {
                        let Some(disp) = offset.checked_mul(8).and_then(|d| i32::try_from(d).ok()) else { continue };
                        let i = self.get(v);
                        let i = self.b.ins().iadd_imm_s(i, k);
                        let zero = self.b.ins().iconst(I64, 0);
                        let last = self.b.ins().iconst(I64, len - 1);
                        let i = self.b.ins().smax(i, zero);
                        let i = self.b.ins().smin(i, last);
                        let scaled = self.b.ins().ishl_imm_u(i, 3);
                        (self.b.ins().iadd(arena_base, scaled), disp)
                    }
                };
                let ty = clif_type(arena.scalar_type());
                let x = self.b.ins().load(ty, trusted(), addr, disp);
                let cell = self.b.declare_var(ty);
                self.b.def_var(cell, x);
                self.promoted.insert((buf, base, k), PromotedCell { var: cell, written, addr, disp });
                keys.push((buf, base, k));
            }
        }
        keys
    }

    /// After the loop: stores the promoted elements it writes and forgets
    /// them all (an element only read is not stored: the data arenas are
    /// shared between chains).
    fn write_back_cells(&mut self, keys: &[(BufferId, IndexBase, i64)]) {
        for key in keys {
            if let Some(cell) = self.promoted.remove(key) {
                self.store_cell(cell);
            }
        }
    }

    /// Stores a promoted element from its variable, when the loop writes it.
    fn store_cell(&mut self, cell: PromotedCell) {
        if cell.written {
            let x = self.b.use_var(cell.var);
            self.b.ins().store(trusted(), x, cell.addr, cell.disp);
        }
    }

    /// Stores every promoted element a loop writes, before the function
    /// stops inside the loop (a reject, whose message may print the
    /// buffer, or a division by zero), so that the arenas hold what the
    /// interpreter's do when it stops at the same point.
    fn store_promoted(&mut self) {
        let mut cells: Vec<PromotedCell> = self.promoted.values().copied().collect();
        // In a fixed order, so the code does not depend on the map's.
        cells.sort_by_key(|c| c.var.as_u32());
        for cell in cells {
            self.store_cell(cell);
        }
    }

    /// Makes the target a new value equal to it: t + (-0.0) is t bit for
    /// bit (also for ±0), and Cranelift does not fold it. Before and after
    /// a loop, so that the loop's running sum is a value of its own, which
    /// the register allocator does not merge with the function-wide one.
    fn copy_target(&mut self) -> clif::Value {
        let t = self.b.use_var(self.target);
        let minus_zero = self.b.ins().f64const(-0.0);
        let t = self.b.ins().fadd(t, minus_zero);
        self.b.def_var(self.target, t);
        t
    }

    /// The stack slot that the copy of the target after a loop is stored
    /// to (made on first use; never read).
    fn copy_slot(&mut self) -> Result<clif::StackSlot, CodegenError> {
        one_element_slot(&mut self.b, &mut self.copy_slot)
    }

    /// The stack slot where the target waits around a call-free loop
    /// (made on first use).
    fn target_slot(&mut self) -> Result<clif::StackSlot, CodegenError> {
        one_element_slot(&mut self.b, &mut self.target_slot)
    }

    fn while_loop(
        &mut self,
        cond_block: &[Stmt],
        cond: Value,
        body: &[Stmt],
    ) -> Result<(), CodegenError> {
        let (header, body_b, exit) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        self.b.ins().jump(header, &[]);

        self.b.switch_to_block(header);
        self.loops.push((header, exit));
        let mut exited = self.block(cond_block)?;
        if !exited {
            let c = self.get(cond);
            self.b.ins().brif(c, body_b, &[], exit, &[]);
            self.b.switch_to_block(body_b);
            self.b.seal_block(body_b);
            exited = self.block(body)?;
            if !exited {
                self.b.ins().jump(header, &[]);
            }
        }
        self.loops.pop();
        self.b.seal_block(header);
        self.b.switch_to_block(exit);
        self.b.seal_block(exit);
        Ok(())
    }

    fn if_else(
        &mut self,
        cond: Value,
        then: &[Stmt],
        otherwise: &[Stmt],
    ) -> Result<bool, CodegenError> {
        let (then_b, else_b, merge) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        let c = self.get(cond);
        self.b.ins().brif(c, then_b, &[], else_b, &[]);
        let mut reaches_merge = false;
        for (block, stmts) in [(then_b, then), (else_b, otherwise)] {
            self.b.switch_to_block(block);
            self.b.seal_block(block);
            if !self.block(stmts)? {
                self.b.ins().jump(merge, &[]);
                reaches_merge = true;
            }
        }
        // An unreachable merge block still gets a terminator from whatever
        // follows (the function's return or a loop's jump), which keeps the
        // CLIF well formed; reporting `exited` lets callers skip dead code.
        self.b.switch_to_block(merge);
        self.b.seal_block(merge);
        Ok(!reaches_merge && {
            let nan = self.b.ins().f64const(f64::NAN);
            self.b.ins().return_(&[nan]);
            true
        })
    }

    // --- expressions ---

    fn bool_to_i64(&mut self, flag: clif::Value) -> clif::Value {
        self.b.ins().uextend(I64, flag)
    }

    fn expr(&mut self, e: &Expr) -> clif::Value {
        match e {
            Expr::F64(x) => self.b.ins().f64const(*x),
            Expr::I64(x) => self.b.ins().iconst(I64, *x),
            Expr::Load { buf, index } => {
                if let Some(cell) = self.promoted_cell(*buf, *index) {
                    return self.b.use_var(cell);
                }
                let (addr, disp, arena) = self.element_addr(*buf, *index);
                self.b
                    .ins()
                    .load(clif_type(arena.scalar_type()), trusted(), addr, disp)
            }
            Expr::Unary(op, x) => {
                let x = self.get(*x);
                let ty = self.b.func.dfg.value_type(x);
                self.unary(*op, x, ty)
            }
            Expr::Binary(op, a, b) => {
                let (a, b) = (self.get(*a), self.get(*b));
                self.binary(*op, a, b)
            }
            Expr::Cmp(op, a, b) => {
                let (a, b) = (self.get(*a), self.get(*b));
                let flag = if self.b.func.dfg.value_type(a) == F64 {
                    let cc = match op {
                        CmpOp::Eq => FloatCC::Equal,
                        // Unordered or not equal, as Rust's `!=`.
                        CmpOp::Ne => FloatCC::NotEqual,
                        CmpOp::Lt => FloatCC::LessThan,
                        CmpOp::Le => FloatCC::LessThanOrEqual,
                        CmpOp::Gt => FloatCC::GreaterThan,
                        CmpOp::Ge => FloatCC::GreaterThanOrEqual,
                    };
                    self.b.ins().fcmp(cc, a, b)
                } else {
                    let cc = match op {
                        CmpOp::Eq => IntCC::Equal,
                        CmpOp::Ne => IntCC::NotEqual,
                        CmpOp::Lt => IntCC::SignedLessThan,
                        CmpOp::Le => IntCC::SignedLessThanOrEqual,
                        CmpOp::Gt => IntCC::SignedGreaterThan,
                        CmpOp::Ge => IntCC::SignedGreaterThanOrEqual,
                    };
                    self.b.ins().icmp(cc, a, b)
                };
                self.bool_to_i64(flag)
            }
            Expr::Select {
                cond,
                then,
                otherwise,
            } => {
                let (c, t, o) = (self.get(*cond), self.get(*then), self.get(*otherwise));
                // `select` tests its integer condition for non-zero.
                self.b.ins().select(c, t, o)
            }
            Expr::Target => self.b.use_var(self.target),
            Expr::ChunkIndex => self.b.ins().load(I64, trusted(), self.ctx, RunContext::CHUNK),
        }
    }

    fn unary(&mut self, op: UnaryOp, x: clif::Value, ty: Type) -> clif::Value {
        let ins = self.b.ins();
        match (op, ty == F64) {
            (UnaryOp::Neg, true) => ins.fneg(x),
            (UnaryOp::Neg, false) => ins.ineg(x),
            (UnaryOp::Abs, true) => ins.fabs(x),
            (UnaryOp::Abs, false) => ins.iabs(x),
            (UnaryOp::Sqrt, _) => ins.sqrt(x),
            (UnaryOp::Floor, _) => ins.floor(x),
            (UnaryOp::Ceil, _) => ins.ceil(x),
            (UnaryOp::Trunc, _) => ins.trunc(x),
            (UnaryOp::Round, _) => self.round_half_away(x),
            (UnaryOp::Not, _) => {
                let z = ins.icmp_imm_s(IntCC::Equal, x, 0);
                self.bool_to_i64(z)
            }
            (UnaryOp::ToF64, _) => ins.fcvt_from_sint(F64, x),
        }
    }

    /// `round` with ties away from zero (Cranelift's `nearest` ties to even):
    /// `t = trunc(x); |x - t| >= 0.5 ? t + copysign(1, x) : t`. `x - t` is
    /// exact, NaN stays NaN (the comparison is false) and ±inf stays ±inf.
    fn round_half_away(&mut self, x: clif::Value) -> clif::Value {
        let ins = self.b.ins();
        let t = ins.trunc(x);
        let d = self.b.ins().fsub(x, t);
        let ad = self.b.ins().fabs(d);
        let half = self.b.ins().f64const(0.5);
        let up = self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, ad, half);
        let one = self.b.ins().f64const(1.0);
        let step = self.b.ins().fcopysign(one, x);
        let away = self.b.ins().fadd(t, step);
        self.b.ins().select(up, away, t)
    }

    fn binary(&mut self, op: BinaryOp, a: clif::Value, b: clif::Value) -> clif::Value {
        if self.b.func.dfg.value_type(a) == F64 {
            let ins = self.b.ins();
            return match op {
                BinaryOp::Add => ins.fadd(a, b),
                BinaryOp::Sub => ins.fsub(a, b),
                BinaryOp::Mul => ins.fmul(a, b),
                BinaryOp::Div => ins.fdiv(a, b),
                // IEEE 754-2019 minimum/maximum, see `interp::ops`.
                BinaryOp::Min => ins.fmin(a, b),
                BinaryOp::Max => ins.fmax(a, b),
                // Verified: Rem/And/Or are I64 only.
                BinaryOp::Rem | BinaryOp::And | BinaryOp::Or => ins.f64const(f64::NAN),
            };
        }
        match op {
            BinaryOp::Add => self.b.ins().iadd(a, b),
            BinaryOp::Sub => self.b.ins().isub(a, b),
            BinaryOp::Mul => self.b.ins().imul(a, b),
            BinaryOp::Div | BinaryOp::Rem => self.int_division(op, a, b),
            BinaryOp::Min => self.b.ins().smin(a, b),
            BinaryOp::Max => self.b.ins().smax(a, b),
            BinaryOp::And | BinaryOp::Or => {
                let za = self.b.ins().icmp_imm_s(IntCC::NotEqual, a, 0);
                let zb = self.b.ins().icmp_imm_s(IntCC::NotEqual, b, 0);
                let r = if op == BinaryOp::And {
                    self.b.ins().band(za, zb)
                } else {
                    self.b.ins().bor(za, zb)
                };
                self.bool_to_i64(r)
            }
        }
    }

    /// `sdiv`/`srem` trap on a zero divisor and on `i64::MIN / -1`; the IR
    /// rejects the former and wraps the latter (see `interp::ops`).
    fn int_division(&mut self, op: BinaryOp, a: clif::Value, b: clif::Value) -> clif::Value {
        let (zero_b, check_b, minus_one_b, div_b, merge) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        let result = self.b.append_block_param(merge, I64);
        let is_zero = self.b.ins().icmp_imm_s(IntCC::Equal, b, 0);
        self.b.ins().brif(is_zero, zero_b, &[], check_b, &[]);

        self.b.switch_to_block(zero_b);
        self.b.seal_block(zero_b);
        self.b.set_cold_block(zero_b);
        self.store_promoted();
        self.exit_with(STATUS_DIV_BY_ZERO, None);

        self.b.switch_to_block(check_b);
        self.b.seal_block(check_b);
        let is_minus_one = self.b.ins().icmp_imm_s(IntCC::Equal, b, -1);
        self.b
            .ins()
            .brif(is_minus_one, minus_one_b, &[], div_b, &[]);

        self.b.switch_to_block(minus_one_b);
        self.b.seal_block(minus_one_b);
        let r = if op == BinaryOp::Div {
            self.b.ins().ineg(a)
        } else {
            self.b.ins().iconst(I64, 0)
        };
        self.b.ins().jump(merge, &[BlockArg::Value(r)]);

        self.b.switch_to_block(div_b);
        self.b.seal_block(div_b);
        let r = if op == BinaryOp::Div {
            self.b.ins().sdiv(a, b)
        } else {
            self.b.ins().srem(a, b)
        };
        self.b.ins().jump(merge, &[BlockArg::Value(r)]);

        self.b.switch_to_block(merge);
        self.b.seal_block(merge);
        result
    }

    // --- calls and messages ---

    fn func_ref(
        &mut self,
        symbol: &str,
        params: &[CType],
        ret: CType,
    ) -> Result<clif::FuncRef, CodegenError> {
        let id = import(self.jit, self.imports, symbol, params, ret)?;
        if let Some(r) = self.func_refs.get(&id) {
            return Ok(*r);
        }
        let r = self.jit.declare_func_in_func(id, self.b.func);
        self.func_refs.insert(id, r);
        Ok(r)
    }

    fn call(
        &mut self,
        dst: Option<Value>,
        partials: &[Value],
        func: &FuncRef,
        args: &[CallArg],
    ) -> Result<(), CodegenError> {
        if let Some(index) = crate::ir::user_function_index(&func.symbol) {
            return self.user_call(index, dst, args);
        }
        if let Some(index) = crate::ir::ode::ode_system_index(&func.symbol) {
            return self.ode_call(index, dst, args);
        }
        let callee = self.func_ref(&func.symbol, &func.params, func.ret)?;
        let mut values = Vec::with_capacity(func.params.len());
        for arg in args {
            values.push(match arg {
                CallArg::Value(v) => self.get(*v),
                CallArg::Buffer { buf, offset } => self.element_ptr(*buf, *offset),
                CallArg::Rng => self.rng,
            });
        }
        if !partials.is_empty() {
            // Verified: the scratch slot exists and holds every partial.
            let Some(slot) = self.partials_slot else {
                return Err(CodegenError::Unsupported("missing partials slot".into()));
            };
            values.push(self.b.ins().stack_addr(I64, slot, 0));
        }
        let call = self.b.ins().call(callee, &values);
        if let Some(d) = dst {
            let r = self.b.inst_results(call)[0];
            let r = if func.ret == CType::I32 {
                self.b.ins().sextend(I64, r)
            } else {
                r
            };
            self.set(d, r);
        }
        if let Some(slot) = self.partials_slot {
            for (i, p) in partials.iter().enumerate() {
                let x = self.b.ins().stack_load(I64, F64, slot, (8 * i) as i32);
                self.set(*p, x);
            }
        }
        Ok(())
    }

    /// An ODE call: `hbmc_jit_ode(system, args...) -> status`.
    fn ode_call(&mut self, index: usize, dst: Option<Value>, args: &[CallArg]) -> Result<(), CodegenError> {
        let Some(&addr) = self.odes.get(index) else {
            return Err(CodegenError::Unsupported(format!("no ODE system {index}")));
        };
        let mut params = vec![CType::PtrConstF64];
        params.extend(crate::ir::ode::ode_call_params());
        let callee = self.func_ref(super::ode::ODE_SYMBOL, &params, CType::I64)?;
        let mut values = vec![self.b.ins().iconst(I64, addr as i64)];
        for arg in args {
            values.push(match arg {
                CallArg::Value(v) => self.get(*v),
                CallArg::Buffer { buf, offset } => self.element_ptr(*buf, *offset),
                CallArg::Rng => self.rng,
            });
        }
        let call = self.b.ins().call(callee, &values);
        if let Some(d) = dst {
            let r = self.b.inst_results(call)[0];
            self.set(d, r);
        }
        Ok(())
    }

    /// `TapeSave`: calls the tape callback with the value's bits.
    fn tape_save(&mut self, tape: u32, slot: Value, value: Value) -> Result<(), CodegenError> {
        // (ctx, tape, slot, bits) -> void; the context has the pointer type.
        let callee = self.func_ref(super::tape::TAPE_SAVE_SYMBOL, &[CType::PtrRng, CType::I64, CType::I64, CType::I64], CType::Void)?;
        let x = self.get(value);
        let bits = if self.b.func.dfg.value_type(x) == F64 { self.b.ins().bitcast(I64, MemFlagsData::new(), x) } else { x };
        let t = self.b.ins().iconst(I64, i64::from(tape));
        let s = self.get(slot);
        self.b.ins().call(callee, &[self.ctx, t, s, bits]);
        Ok(())
    }

    /// `TapeLoad`: calls the tape callback and bit-casts to `dst`'s type.
    fn tape_load(&mut self, dst: Value, tape: u32, slot: Value) -> Result<(), CodegenError> {
        let callee = self.func_ref(super::tape::TAPE_LOAD_SYMBOL, &[CType::PtrRng, CType::I64, CType::I64], CType::I64)?;
        let t = self.b.ins().iconst(I64, i64::from(tape));
        let s = self.get(slot);
        let call = self.b.ins().call(callee, &[self.ctx, t, s]);
        let bits = self.b.inst_results(call)[0];
        let x = if self.types[dst.0 as usize] == ScalarType::F64 { self.b.ins().bitcast(F64, MemFlagsData::new(), bits) } else { bits };
        self.set(dst, x);
        Ok(())
    }

    /// `RunChunks`: calls the pool callback with the chunk function's
    /// address, then leaves with the status a failing chunk copied into the
    /// context (none can fail as `ir::chunks` makes them; checked anyway).
    fn run_chunks(&mut self, function: u32, count: u32) -> Result<bool, CodegenError> {
        let kind = FunctionKind::GradientChunk(function);
        // Verified: the chunk function exists.
        let Some(&(_, id)) = self.functions.iter().find(|(k, _)| *k == kind) else {
            return Err(CodegenError::Unsupported(format!("no {kind:?} function")));
        };
        let chunk_ref = self.jit.declare_func_in_func(id, self.b.func);
        let addr = self.b.ins().func_addr(I64, chunk_ref);
        // (ctx, func, count) -> void; both pointers have the pointer type.
        let callee = self.func_ref(RUN_CHUNKS_SYMBOL, &[CType::PtrRng, CType::PtrF64, CType::I64], CType::Void)?;
        let n = self.b.ins().iconst(I64, i64::from(count));
        self.b.ins().call(callee, &[self.ctx, addr, n]);
        let status = self.b.ins().load(I64, trusted(), self.ctx, RunContext::STATUS);
        let (fail, ok) = (self.b.create_block(), self.b.create_block());
        self.b.ins().brif(status, fail, &[], ok, &[]);
        self.b.switch_to_block(fail);
        self.b.seal_block(fail);
        self.b.set_cold_block(fail);
        let nan = self.b.ins().f64const(f64::NAN);
        self.b.ins().return_(&[nan]);
        self.b.switch_to_block(ok);
        self.b.seal_block(ok);
        Ok(false)
    }

    /// Emits the callback for a `print`/`reject`; returns its message index.
    fn message(&mut self, parts: &[MessagePart], reject: bool) -> Result<u64, CodegenError> {
        let mut tparts = Vec::with_capacity(parts.len());
        let mut slot_index = 0;
        for p in parts {
            tparts.push(match p {
                MessagePart::Text(t) => TemplatePart::Text(t.clone()),
                MessagePart::Value(v) => {
                    let x = self.get(*v);
                    let ty = if self.b.func.dfg.value_type(x) == F64 {
                        ScalarType::F64
                    } else {
                        ScalarType::I64
                    };
                    if let Some(slot) = self.values_slot {
                        self.b
                            .ins()
                            .stack_store(I64, x, slot, (8 * slot_index) as i32);
                    }
                    slot_index += 1;
                    TemplatePart::Value {
                        slot: slot_index - 1,
                        ty,
                    }
                }
                MessagePart::Buffer(id, shape) => {
                    let b = self.module.buffer(*id);
                    TemplatePart::Buffer {
                        arena: b.arena,
                        offset: b.offset,
                        len: b.len,
                        shape: shape.clone(),
                    }
                }
            });
        }
        let index = self.templates.len() as u64;
        self.templates.push(Template {
            parts: tparts,
            reject,
        });
        // (ctx, index, values) -> void; the two pointers are spelled with
        // pointer C types, whose Cranelift type is the same.
        let callee = self.func_ref(
            MESSAGE_SYMBOL,
            &[CType::PtrRng, CType::I64, CType::PtrF64],
            CType::Void,
        )?;
        let idx = self.b.ins().iconst(I64, index as i64);
        let values = match self.values_slot {
            Some(slot) => self.b.ins().stack_addr(I64, slot, 0),
            None => self.b.ins().iconst(I64, 0),
        };
        self.b.ins().call(callee, &[self.ctx, idx, values]);
        Ok(index)
    }
}
