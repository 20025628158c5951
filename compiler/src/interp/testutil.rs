//! Test helpers: a terse builder for hand-written IR functions, and the
//! comparison of the interpreter with the JIT used by the backend tests.

use hbmc_stdlib::{CType as LibType, ChainRng};

use crate::codegen::{self, RunError};
use crate::interp::{self, InterpError};
use crate::ir::arenas::Arenas;
use crate::ir::{
    Arena, BinaryOp, BufferId, CType, CallArg, CmpOp, Expr, FuncRef, Function, FunctionKind,
    MessagePart, Module, ScalarType, Stmt, UnaryOp, Value,
};

/// An empty module.
pub fn module() -> Module {
    Module {
        buffers: Vec::new(),
        arena_sizes: Default::default(),
        functions: Vec::new(),
        odes: Vec::new(),
    }
}

/// The IR description of a stdlib function, from the stdlib table.
pub fn func_ref(symbol: &str) -> FuncRef {
    let sym =
        interp::library::lookup(symbol).unwrap_or_else(|| panic!("no stdlib symbol {symbol}"));
    let conv = |t: &LibType| match t {
        LibType::F64 => CType::F64,
        LibType::I64 => CType::I64,
        LibType::I32 => CType::I32,
        LibType::PtrF64 => CType::PtrF64,
        LibType::PtrConstF64 => CType::PtrConstF64,
        LibType::PtrRng => CType::PtrRng,
        LibType::Void => CType::Void,
        LibType::PtrScalarConstrained => panic!("{symbol} is not callable from IR"),
    };
    FuncRef {
        symbol: symbol.to_string(),
        params: sym.args.iter().map(conv).collect(),
        ret: conv(&sym.ret),
    }
}

/// Builds one function statement by statement; nested blocks through
/// closures.
pub struct B {
    pub f: Function,
    buffer_types: Vec<ScalarType>,
    blocks: Vec<Vec<Stmt>>,
}

impl B {
    /// A builder for a function of `kind` over `m`'s buffers (add buffers
    /// first).
    pub fn new(kind: FunctionKind, m: &Module) -> B {
        B {
            f: Function::new(kind),
            buffer_types: m.buffers.iter().map(|b| b.arena.scalar_type()).collect(),
            blocks: vec![Vec::new()],
        }
    }

    pub fn push(&mut self, s: Stmt) {
        self.blocks
            .last_mut()
            .expect("a block is always open")
            .push(s);
    }

    fn let_(&mut self, ty: ScalarType, expr: Expr) -> Value {
        let dst = self.f.new_value(ty);
        self.push(Stmt::Let { dst, expr });
        dst
    }

    pub fn f(&mut self, x: f64) -> Value {
        self.let_(ScalarType::F64, Expr::F64(x))
    }
    pub fn i(&mut self, x: i64) -> Value {
        self.let_(ScalarType::I64, Expr::I64(x))
    }
    pub fn load(&mut self, buf: BufferId, index: Value) -> Value {
        let ty = self.buffer_types[buf.0 as usize];
        self.let_(ty, Expr::Load { buf, index })
    }
    pub fn un(&mut self, op: UnaryOp, x: Value) -> Value {
        let ty = match op {
            UnaryOp::ToF64 => ScalarType::F64,
            _ => self.f.type_of(x),
        };
        self.let_(ty, Expr::Unary(op, x))
    }
    pub fn bin(&mut self, op: BinaryOp, a: Value, b: Value) -> Value {
        let ty = self.f.type_of(a);
        self.let_(ty, Expr::Binary(op, a, b))
    }
    pub fn cmp(&mut self, op: CmpOp, a: Value, b: Value) -> Value {
        self.let_(ScalarType::I64, Expr::Cmp(op, a, b))
    }
    pub fn select(&mut self, cond: Value, then: Value, otherwise: Value) -> Value {
        let ty = self.f.type_of(then);
        self.let_(
            ty,
            Expr::Select {
                cond,
                then,
                otherwise,
            },
        )
    }
    pub fn target(&mut self) -> Value {
        self.let_(ScalarType::F64, Expr::Target)
    }
    pub fn store(&mut self, buf: BufferId, index: Value, value: Value) {
        self.push(Stmt::Store { buf, index, value });
    }
    pub fn acc(&mut self, buf: BufferId, index: Value, value: Value) {
        self.push(Stmt::Accumulate { buf, index, value });
    }
    pub fn add_target(&mut self, v: Value) {
        self.push(Stmt::AddTarget(v));
    }

    /// Builds a block without adding it anywhere.
    pub fn nested(&mut self, body: impl FnOnce(&mut B)) -> Vec<Stmt> {
        self.blocks.push(Vec::new());
        body(self);
        self.blocks.pop().expect("pushed above")
    }

    pub fn for_(&mut self, start: Value, end: Value, body: impl FnOnce(&mut B, Value)) {
        let var = self.f.new_value(ScalarType::I64);
        let body = self.nested(|b| body(b, var));
        self.push(Stmt::For {
            var,
            start,
            end,
            body,
        });
    }
    pub fn if_(&mut self, cond: Value, then: impl FnOnce(&mut B), otherwise: impl FnOnce(&mut B)) {
        let then = self.nested(then);
        let otherwise = self.nested(otherwise);
        self.push(Stmt::If {
            cond,
            then,
            otherwise,
        });
    }
    pub fn while_(&mut self, cond: impl FnOnce(&mut B) -> Value, body: impl FnOnce(&mut B)) {
        let mut c = None;
        let cond_block = self.nested(|b| c = Some(cond(b)));
        let body = self.nested(body);
        self.push(Stmt::While {
            cond_block,
            cond: c.expect("cond closure ran"),
            body,
        });
    }

    /// A call; returns the result (if the function returns one) and the
    /// partials (when `with_partials`).
    pub fn call(
        &mut self,
        symbol: &str,
        args: Vec<CallArg>,
        with_partials: bool,
    ) -> (Option<Value>, Vec<Value>) {
        let func = func_ref(symbol);
        let dst = match func.ret {
            CType::F64 => Some(self.f.new_value(ScalarType::F64)),
            CType::I64 | CType::I32 => Some(self.f.new_value(ScalarType::I64)),
            _ => None,
        };
        let partials: Vec<Value> = if with_partials {
            let n = func.params[..func.params.len() - 1]
                .iter()
                .filter(|t| **t == CType::F64)
                .count();
            (0..n).map(|_| self.f.new_value(ScalarType::F64)).collect()
        } else {
            Vec::new()
        };
        self.push(Stmt::Call {
            dst,
            partials: partials.clone(),
            func,
            args,
        });
        (dst, partials)
    }
    /// A call of a function returning a value, without partials.
    pub fn call1(&mut self, symbol: &str, args: Vec<CallArg>) -> Value {
        self.call(symbol, args, false)
            .0
            .expect("function returns a value")
    }

    pub fn print(&mut self, parts: Vec<MessagePart>) {
        self.push(Stmt::Print(parts));
    }
    pub fn reject(&mut self, parts: Vec<MessagePart>) {
        self.push(Stmt::Reject(parts));
    }

    /// The finished function.
    pub fn finish(mut self) -> Function {
        self.f.body = self.blocks.pop().expect("the function block");
        self.f
    }
}

/// Shorthand for `CallArg::Value`.
pub fn v(x: Value) -> CallArg {
    CallArg::Value(x)
}

/// Whether two reals agree: bitwise, both NaN, or within 1e-14 relative.
pub fn same_f64(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits()
        || (a.is_nan() && b.is_nan())
        || (a == b)
        || ((a - b).abs() <= 1e-14 * a.abs().max(b.abs()))
}

fn same_vec(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_f64(*x, *y))
}

/// Whether two arena sets agree element by element.
pub fn same_arenas(a: &Arenas, b: &Arenas) -> bool {
    same_vec(&a.params, &b.params)
        && same_vec(&a.grad, &b.grad)
        && same_vec(&a.data, &b.data)
        && same_vec(&a.work, &b.work)
        && same_vec(&a.out, &b.out)
        && a.int_data == b.int_data
        && a.int_work == b.int_work
}

/// One backend's result: value or error text, prints, arenas afterwards.
#[derive(Debug)]
pub struct Outcome {
    pub result: Result<f64, String>,
    pub prints: Vec<String>,
    pub arenas: Arenas,
}

fn interp_err(e: InterpError) -> String {
    match e {
        InterpError::Rejected(m) => format!("rejected: {m}"),
        other => format!("interp error: {other}"),
    }
}

fn run_err(e: RunError) -> String {
    match e {
        RunError::Rejected(m) => format!("rejected: {m}"),
        other => format!("run error: {other}"),
    }
}

/// Runs `kind` with the interpreter and with the JIT on copies of `arenas`
/// (each with its own RNG seeded alike when `seed` is given) and asserts
/// that both agree on the result, the prints and every arena. Returns the
/// interpreter's outcome.
pub fn check_both(m: &Module, kind: FunctionKind, arenas: &Arenas, seed: Option<u64>) -> Outcome {
    if let Err(errors) = crate::ir::verify::verify(m) {
        panic!(
            "verify failed: {errors:#?}\n{}",
            crate::ir::print::module_to_string(m)
        );
    }
    let compiled = codegen::compile(m).unwrap_or_else(|e| panic!("compile failed: {e}"));
    check_both_compiled(m, &compiled, kind, arenas, seed)
}

/// As [`check_both`] with an already compiled module.
pub fn check_both_compiled(
    m: &Module,
    compiled: &codegen::CompiledModule,
    kind: FunctionKind,
    arenas: &Arenas,
    seed: Option<u64>,
) -> Outcome {
    let mut ia = arenas.clone();
    let mut ip = Vec::new();
    let mut irng = seed.map(|s| ChainRng::new(s, 0));
    let ir = interp::run_with_prints(m, kind, &mut ia, irng.as_mut(), &mut ip).map_err(interp_err);

    let mut ja = arenas.clone();
    let mut jp = Vec::new();
    let mut jrng = seed.map(|s| ChainRng::new(s, 0));
    let jr = compiled
        .call_with_prints(kind, &mut ja, jrng.as_mut(), &mut jp)
        .map_err(run_err);

    let results_agree = match (&ir, &jr) {
        (Ok(a), Ok(b)) => same_f64(*a, *b),
        (Err(a), Err(b)) => a == b,
        _ => false,
    };
    let text = || crate::ir::print::module_to_string(m);
    assert!(results_agree, "interp {ir:?} != jit {jr:?}\n{}", text());
    assert_eq!(ip, jp, "prints differ\n{}", text());
    assert!(
        same_arenas(&ia, &ja),
        "arenas differ:\ninterp {ia:?}\njit    {ja:?}\n{}",
        text()
    );
    Outcome {
        result: ir,
        prints: ip,
        arenas: ia,
    }
}

/// Adds a buffer filled later by the caller; shorthand.
pub fn buf(m: &mut Module, name: &str, arena: Arena, len: usize) -> BufferId {
    m.add_buffer(name, arena, len)
}
