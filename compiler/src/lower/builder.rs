//! Emitting IR: a function under construction with a stack of open blocks.

use crate::ir::{BinaryOp, BufferId, CallArg, CmpOp, Expr, FuncRef, Function, FunctionKind, ScalarType, Stmt, UnaryOp, Value};

/// A function being built. Statements go to the innermost open block;
/// [`FnBuilder::open`] starts a nested block and [`FnBuilder::close`]
/// returns its statements for the enclosing `For`/`If`.
pub struct FnBuilder {
    func: Function,
    blocks: Vec<Vec<Stmt>>,
    /// The i64 values known at lowering time (literals and their folded
    /// arithmetic), so that indices into small matrices held in values
    /// (`small_matrix`) resolve to one value rather than a lookup.
    consts: std::collections::HashMap<Value, i64>,
    /// The f64 values that are the literal 0.0 (products by them are left
    /// out of unrolled sums).
    zeros: std::collections::HashSet<Value>,
    /// The f64 constants, so that a library call on one (the `log` of a
    /// density's literal rate) is computed at lowering.
    f64_consts: std::collections::HashMap<Value, f64>,
    /// The results of one-argument library calls, with the function and
    /// the argument, so that `log` of `exp(z)` is `z` (`log σ` of a scale
    /// written `exp(z)`, which a density takes per element;
    /// [`FnBuilder::log_parts`]) and `log` of `inv_logit(z)` is one call.
    unary_calls: std::collections::HashMap<Value, (String, Value)>,
    /// The f64 products, quotients and selects, whose `log` may split
    /// into cheaper parts ([`FnBuilder::log_parts`]).
    f64_defs: std::collections::HashMap<Value, Expr>,
}

impl FnBuilder {
    /// An empty function of this kind.
    pub fn new(kind: FunctionKind) -> FnBuilder {
        FnBuilder {
            func: Function::new(kind),
            blocks: vec![Vec::new()],
            consts: Default::default(),
            zeros: Default::default(),
            f64_consts: Default::default(),
            unary_calls: Default::default(),
            f64_defs: Default::default(),
        }
    }

    /// Continues a finished function: statements go after its body.
    pub fn resume(func: Function) -> FnBuilder {
        let mut fb = FnBuilder::new(func.kind);
        fb.blocks = vec![func.body];
        fb.func = Function { body: Vec::new(), ..func };
        fb
    }

    /// The finished function.
    pub fn finish(mut self) -> Function {
        // Every `open` is paired with a `close` by construction; the outer
        // block is always present.
        while self.blocks.len() > 1 {
            let inner = self.blocks.pop().unwrap_or_default();
            self.emit_all(inner);
        }
        self.func.body = self.blocks.pop().unwrap_or_default();
        self.func
    }

    /// Makes the function a user function's: `params` defined on entry,
    /// `result` returned.
    pub fn set_signature(&mut self, params: Vec<Value>, result: Value) {
        self.func.params = params;
        self.func.result = Some(result);
    }

    /// The kind of function being built.
    pub fn kind(&self) -> FunctionKind {
        self.func.kind
    }

    /// The type of a value defined so far.
    pub fn type_of(&self, v: Value) -> ScalarType {
        self.func.type_of(v)
    }

    /// Appends a statement to the innermost block.
    pub fn emit(&mut self, stmt: Stmt) {
        // A branch on a condition known at lowering time emits only the
        // branch taken: the other may index with constants that are out of
        // range on this path (`c[k - 2]` where k = 1), which the IR
        // verifier rightly refuses.
        if let Stmt::If { cond, then, otherwise } = stmt {
            match self.const_i64(cond) {
                Some(0) => return self.emit_all(otherwise),
                Some(_) => return self.emit_all(then),
                None => {
                    if let Some(b) = self.blocks.last_mut() {
                        b.push(Stmt::If { cond, then, otherwise });
                    }
                    return;
                }
            }
        }
        if let Some(b) = self.blocks.last_mut() {
            b.push(stmt);
        }
    }

    fn emit_all(&mut self, stmts: Vec<Stmt>) {
        for s in stmts {
            self.emit(s);
        }
    }

    /// Starts a nested block.
    pub fn open(&mut self) {
        self.blocks.push(Vec::new());
    }

    /// Ends the innermost nested block and returns its statements.
    pub fn close(&mut self) -> Vec<Stmt> {
        if self.blocks.len() > 1 {
            self.blocks.pop().unwrap_or_default()
        } else {
            Vec::new()
        }
    }

    /// Defines a value by an expression of the given type.
    pub fn define(&mut self, ty: ScalarType, expr: Expr) -> Value {
        let dst = self.func.new_value(ty);
        self.emit(Stmt::Let { dst, expr });
        dst
    }

    /// A fresh value without a definition, for loop variables and partials.
    pub fn fresh(&mut self, ty: ScalarType) -> Value {
        self.func.new_value(ty)
    }

    /// An f64 constant.
    pub fn f64(&mut self, x: f64) -> Value {
        let v = self.define(ScalarType::F64, Expr::F64(x));
        if x == 0.0 && x.is_sign_positive() {
            self.zeros.insert(v);
        }
        self.f64_consts.insert(v, x);
        v
    }

    /// How many blocks are open: 1 at the function's top level, more
    /// inside a loop or a branch.
    pub fn nesting(&self) -> usize {
        self.blocks.len()
    }

    /// The value of an f64 constant.
    pub fn const_f64(&self, v: Value) -> Option<f64> {
        self.f64_consts.get(&v).copied()
    }

    /// Whether `v` is the f64 literal 0.0.
    pub fn is_zero_f64(&self, v: Value) -> bool {
        self.zeros.contains(&v)
    }

    /// An i64 constant.
    pub fn i64(&mut self, x: i64) -> Value {
        let v = self.define(ScalarType::I64, Expr::I64(x));
        self.consts.insert(v, x);
        v
    }

    /// The value of an i64 known at lowering time.
    pub fn const_i64(&self, v: Value) -> Option<i64> {
        self.consts.get(&v).copied()
    }

    /// `a op b`; the result has the operands' type. Integer `+ - *` of two
    /// constants is folded (index arithmetic on literal indices).
    pub fn binary(&mut self, op: BinaryOp, a: Value, b: Value) -> Value {
        if let (Some(x), Some(y)) = (self.const_i64(a), self.const_i64(b)) {
            let folded = match op {
                BinaryOp::Add => x.checked_add(y),
                BinaryOp::Sub => x.checked_sub(y),
                BinaryOp::Mul => x.checked_mul(y),
                BinaryOp::And => Some((x != 0 && y != 0) as i64),
                BinaryOp::Or => Some((x != 0 || y != 0) as i64),
                _ => None,
            };
            if let Some(c) = folded {
                return self.i64(c);
            }
        }
        let ty = self.type_of(a);
        // Integer identities of index arithmetic (`first + 0`, `i * 1`).
        if ty == ScalarType::I64 && self.type_of(b) == ScalarType::I64 {
            match (op, self.const_i64(a), self.const_i64(b)) {
                (BinaryOp::Add, Some(0), _) | (BinaryOp::Mul, Some(1), _) => return b,
                (BinaryOp::Add | BinaryOp::Sub, _, Some(0)) | (BinaryOp::Mul, _, Some(1)) => return a,
                _ => {}
            }
        }
        let v = self.define(ty, Expr::Binary(op, a, b));
        if ty == ScalarType::F64 && matches!(op, BinaryOp::Mul | BinaryOp::Div) {
            self.f64_defs.insert(v, Expr::Binary(op, a, b));
        }
        v
    }

    /// `op a`; `ToF64` gives an f64, everything else keeps the type.
    pub fn unary(&mut self, op: UnaryOp, a: Value) -> Value {
        let ty = if op == UnaryOp::ToF64 { ScalarType::F64 } else { self.type_of(a) };
        self.define(ty, Expr::Unary(op, a))
    }

    /// `a cmp b` as an i64 boolean (folded for two integer constants).
    pub fn cmp(&mut self, op: CmpOp, a: Value, b: Value) -> Value {
        if let (Some(x), Some(y)) = (self.const_i64(a), self.const_i64(b)) {
            let r = match op {
                CmpOp::Eq => x == y,
                CmpOp::Ne => x != y,
                CmpOp::Lt => x < y,
                CmpOp::Le => x <= y,
                CmpOp::Gt => x > y,
                CmpOp::Ge => x >= y,
            };
            return self.i64(r as i64);
        }
        self.define(ScalarType::I64, Expr::Cmp(op, a, b))
    }

    /// `cond ? then : otherwise` (the chosen value itself when `cond` is a
    /// constant).
    pub fn select(&mut self, cond: Value, then: Value, otherwise: Value) -> Value {
        match self.const_i64(cond) {
            Some(0) => return otherwise,
            Some(_) => return then,
            None => {}
        }
        let ty = self.type_of(then);
        let v = self.define(ty, Expr::Select { cond, then, otherwise });
        if ty == ScalarType::F64 {
            self.f64_defs.insert(v, Expr::Select { cond, then, otherwise });
        }
        v
    }

    /// `buf[index]`.
    pub fn load(&mut self, buf: BufferId, index: Value, ty: ScalarType) -> Value {
        self.define(ty, Expr::Load { buf, index })
    }

    /// `buf[index] = value`.
    pub fn store(&mut self, buf: BufferId, index: Value, value: Value) {
        self.emit(Stmt::Store { buf, index, value });
    }

    /// `buf[index] += value`.
    pub fn accumulate(&mut self, buf: BufferId, index: Value, value: Value) {
        self.emit(Stmt::Accumulate { buf, index, value });
    }

    /// Converts to f64 if the value is an integer.
    pub fn to_f64(&mut self, v: Value) -> Value {
        match self.type_of(v) {
            ScalarType::F64 => v,
            ScalarType::I64 => self.unary(UnaryOp::ToF64, v),
        }
    }

    /// A library call returning one value. A `log` is taken in parts
    /// where that saves a call ([`FnBuilder::log_parts`]).
    pub fn call(&mut self, func: FuncRef, args: Vec<CallArg>) -> Value {
        let single = match args.as_slice() {
            [CallArg::Value(x)] => Some(*x),
            _ => None,
        };
        if func.symbol == "hbm_log" {
            if let Some(l) = single.and_then(|x| self.log_parts(&func, x)) {
                return l;
            }
        }
        // `log(inv_logit(z))` and `log1m(inv_logit(z))` in one call each,
        // exact where the probability rounds to 0 or 1.
        let of_inv_logit = match func.symbol.as_str() {
            "hbm_log" => Some("hbm_log_inv_logit"),
            "hbm_log1m" => Some("hbm_log1m_inv_logit"),
            _ => None,
        };
        if let (Some(symbol), Some(x)) = (of_inv_logit, single) {
            if let Some((_, z)) = self.unary_calls.get(&x).filter(|(f, _)| f == "hbm_inv_logit").cloned() {
                return self.call(FuncRef { symbol: symbol.into(), ..func }, vec![CallArg::Value(z)]);
            }
        }
        let ty = match func.ret {
            crate::ir::CType::I64 | crate::ir::CType::I32 => ScalarType::I64,
            _ => ScalarType::F64,
        };
        let dst = self.func.new_value(ty);
        if let Some(z) = single {
            self.unary_calls.insert(dst, (func.symbol.clone(), z));
        }
        self.emit(Stmt::Call { dst: Some(dst), partials: Vec::new(), func, args });
        dst
    }

    /// `log x` without a `log` call of `x` itself, where `x`'s definition
    /// makes that cheaper: `log(exp(z))` is `z`; a positive constant's is
    /// computed now; `log(a * b)` and `log(a / b)` are `log a ± log b`
    /// when one side is such (`log(φ / exp(η))`, a gamma regression's
    /// rate, is `log φ - η`, and `log φ` is the same for every element);
    /// `log(c ? k : y)` is `c ? log k : log y` (`log y` of data goes into
    /// a table). Exact where the one call rounds once more, and different
    /// only where `exp` or the product overflows or underflows, where a
    /// density's own checks of `x` refuse the value anyway. `log` is the
    /// function to call on the other parts.
    fn log_parts(&mut self, log: &FuncRef, x: Value) -> Option<Value> {
        if let Some(l) = self.cheap_log(x) {
            return Some(l);
        }
        match self.f64_defs.get(&x).cloned()? {
            Expr::Binary(op, a, b) => {
                let (la, lb) = self.logs_of_pair(log, a, b)?;
                let op = if op == BinaryOp::Mul { BinaryOp::Add } else { BinaryOp::Sub };
                Some(self.binary(op, la, lb))
            }
            Expr::Select { cond, then, otherwise } => {
                let (lt, lo) = self.logs_of_pair(log, then, otherwise)?;
                Some(self.select(cond, lt, lo))
            }
            _ => None,
        }
    }

    /// `log a` and `log b` when one of them takes no call, the other
    /// taking at most one.
    fn logs_of_pair(&mut self, log: &FuncRef, a: Value, b: Value) -> Option<(Value, Value)> {
        match (self.cheap_log(a), self.cheap_log(b)) {
            (Some(la), Some(lb)) => Some((la, lb)),
            (Some(la), None) => Some((la, self.call(log.clone(), vec![CallArg::Value(b)]))),
            (None, Some(lb)) => Some((self.call(log.clone(), vec![CallArg::Value(a)]), lb)),
            (None, None) => None,
        }
    }

    /// `log x` when it takes no call: `x` is `exp(z)` or a positive
    /// constant.
    fn cheap_log(&mut self, x: Value) -> Option<Value> {
        if let Some((_, z)) = self.unary_calls.get(&x).filter(|(f, _)| f == "hbm_exp") {
            return Some(*z);
        }
        let c = self.const_f64(x).filter(|c| *c > 0.0)?;
        Some(self.f64(c.ln()))
    }
}
