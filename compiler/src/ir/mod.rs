//! Stage 4: the IR — what lowering produces, what AD transforms, and what
//! both the reference interpreter and the Cranelift backend execute.
//!
//! The IR is scalar and structured:
//! - **Values** are SSA scalars (`f64` or `i64`), each defined once by a
//!   [`Stmt::Let`] or [`Stmt::Call`]. A value defined inside a loop body is a
//!   fresh value on every iteration; values from enclosing blocks are visible.
//! - **Buffers** hold everything that is not a scalar: data, parameters,
//!   transformed parameters, temporaries, adjoints, outputs. Every buffer
//!   lives at a fixed offset in one of a few **arenas** that the caller
//!   passes as pointers, so all sizes and offsets are constants once data
//!   are bound (lowering runs after binding).
//! - **Control flow** is structured: counted loops, `if`, `while`. No phis:
//!   state carried across iterations lives in (one-element) buffers.
//! - **Library calls** name an `extern "C"` symbol of `hbmc-stdlib` with its
//!   C signature; the interpreter and the JIT call the very same functions.
//!
//! Index values are 0-based element offsets within a buffer. The IR does not
//! check bounds (data are validated once at binding, and lowering only emits
//! in-range indices); the interpreter does check, as an oracle for lowering.

use std::fmt;

pub mod arenas;
pub mod batch;
pub mod chunks;
pub mod data_tables;
pub mod licm;
pub mod log_products;
mod group_tables;
pub mod ode;
pub mod print;
pub mod root_squares;
pub mod tabulate;
pub mod tapes;
pub mod verify;

/// An SSA scalar value, by number within its [`Function`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Value(pub u32);

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

/// The type of a scalar value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarType {
    F64,
    /// Integers, indices and booleans (0 or 1).
    I64,
}

/// Where a buffer lives. Each arena is one pointer argument of the compiled
/// functions; which arenas a function may read or write is fixed by its
/// [`FunctionKind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arena {
    /// The unconstrained parameter vector (read-only).
    Params,
    /// The gradient with respect to `Params` (write, accumulate).
    Grad,
    /// Real data and transformed data (read-only, except while the
    /// transformed-data function fills its part).
    Data,
    /// Integer data (read-only, likewise).
    IntData,
    /// Scratch space for intermediate values and adjoints (read/write).
    Work,
    /// Scratch space for integer locals that are reassigned (read/write).
    IntWork,
    /// The output draw: constrained parameters, transformed parameters,
    /// generated quantities (write).
    Out,
}

impl Arena {
    /// The element type stored in this arena.
    pub fn scalar_type(self) -> ScalarType {
        match self {
            Arena::IntData | Arena::IntWork => ScalarType::I64,
            _ => ScalarType::F64,
        }
    }
}

/// A buffer, by number within its [`Module`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BufferId(pub u32);

/// A named region of an arena.
#[derive(Clone, Debug, PartialEq)]
pub struct Buffer {
    /// The source variable (or a description of the temporary).
    pub name: String,
    pub arena: Arena,
    /// In elements from the start of the arena.
    pub offset: usize,
    /// In elements.
    pub len: usize,
}

/// The C type of a library function's argument or result, mirroring
/// `hbmc_stdlib::ffi::CType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CType {
    F64,
    I64,
    I32,
    /// Pointer to f64 elements that the callee writes.
    PtrF64,
    /// Pointer to f64 elements that the callee reads.
    PtrConstF64,
    /// The chain's random number generator.
    PtrRng,
    Void,
}

/// A library function: its exported symbol and C signature.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FuncRef {
    pub symbol: String,
    pub params: Vec<CType>,
    pub ret: CType,
}

impl FuncRef {
    /// The parameters an IR call passes itself: all of them, or all but the
    /// trailing partials pointer, which the backends supply when the call
    /// lists partials (the convention of [`Stmt::Call`]).
    pub fn explicit_params(&self, with_partials: bool) -> &[CType] {
        let n = if with_partials { self.params.len().saturating_sub(1) } else { self.params.len() };
        &self.params[..n]
    }

    /// How many of the explicit parameters are reals: the number of
    /// partials a `_grad` function writes.
    pub fn real_params(&self, with_partials: bool) -> usize {
        self.explicit_params(with_partials).iter().filter(|t| **t == CType::F64).count()
    }
}

/// One argument of a library call.
#[derive(Clone, Debug, PartialEq)]
pub enum CallArg {
    /// A scalar value (F64 or I64 parameter).
    Value(Value),
    /// A pointer to element `offset` of a buffer (PtrF64 or PtrConstF64).
    Buffer { buf: BufferId, offset: Value },
    /// The function's random number generator (PtrRng).
    Rng,
}

/// Native unary operations (one machine instruction or a short sequence).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
    Abs,
    Sqrt,
    Floor,
    Ceil,
    Trunc,
    Round,
    /// Logical not of an I64 boolean.
    Not,
    /// I64 to F64.
    ToF64,
}

/// Native binary operations; both operands have the same type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    /// F64 division, or I64 division rounding toward zero.
    Div,
    /// I64 remainder (sign of the dividend, as C).
    Rem,
    Min,
    Max,
    /// I64 booleans.
    And,
    Or,
}

/// Comparisons; the result is an I64 boolean.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A pure scalar expression defining one value.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    F64(f64),
    I64(i64),
    /// `buf[index]`; the type is the arena's.
    Load { buf: BufferId, index: Value },
    Unary(UnaryOp, Value),
    Binary(BinaryOp, Value, Value),
    Cmp(CmpOp, Value, Value),
    /// `cond != 0 ? then : otherwise`
    Select { cond: Value, then: Value, otherwise: Value },
    /// The log density accumulated so far (Stan's `target()`).
    Target,
    /// In a [`FunctionKind::GradientChunk`] function, the number of the
    /// chunk being run (I64, `0..count` of the [`Stmt::RunChunks`] that
    /// runs it).
    ChunkIndex,
}

/// A part of a `print`/`reject` message.
#[derive(Clone, Debug, PartialEq)]
pub enum MessagePart {
    Text(String),
    Value(Value),
    /// A whole buffer, printed as Stan prints a container: `[a,b,c]`,
    /// nested as the shape says (`[[a,b],[c,d]]`).
    Buffer(BufferId, PrintShape),
}

/// How a printed buffer nests: its sizes, outermost first, in Stan's
/// layout (arrays row-major; a matrix, the last two sizes when `matrix`,
/// column-major but printed row by row, as Stan prints it). No sizes: one
/// flat list of the whole buffer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PrintShape {
    pub sizes: Vec<usize>,
    pub matrix: bool,
}

/// A statement. Blocks are `Vec<Stmt>`.
#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    /// `dst = expr`
    Let { dst: Value, expr: Expr },
    /// `dst = func(args)`, and when `partials` is non-empty, the callee also
    /// writes one partial derivative per listed value (the stdlib's `_grad`
    /// functions take a trailing `*mut f64` for them; the backends supply it).
    Call {
        dst: Option<Value>,
        partials: Vec<Value>,
        func: FuncRef,
        args: Vec<CallArg>,
    },
    /// `buf[index] = value`
    Store { buf: BufferId, index: Value, value: Value },
    /// `buf[index] += value`
    Accumulate { buf: BufferId, index: Value, value: Value },
    /// `target += value`
    AddTarget(Value),
    /// `for var in start..end { body }`: 0-based, end exclusive, step 1.
    For {
        var: Value,
        start: Value,
        end: Value,
        body: Vec<Stmt>,
    },
    If {
        cond: Value,
        then: Vec<Stmt>,
        otherwise: Vec<Stmt>,
    },
    /// `loop { cond_block; if !cond { break } body }`
    While {
        cond_block: Vec<Stmt>,
        cond: Value,
        body: Vec<Stmt>,
    },
    /// Leaves the innermost `For` or `While`.
    Break,
    /// Goes to the next iteration of the innermost `For` or `While`.
    Continue,
    /// Ends the evaluation with an error (the proposal is rejected).
    Reject(Vec<MessagePart>),
    /// Writes a message to the model's print stream.
    Print(Vec<MessagePart>),
    /// Runs chunk function `function` ([`FunctionKind::GradientChunk`])
    /// once for every chunk number `0..count`. The chunks write disjoint
    /// memory and never fail, so they may run in any order and at the same
    /// time on several threads (`compiler/src/ir/chunks.rs`); what they
    /// write is combined by the statements after this one, in a fixed order.
    RunChunks { function: u32, count: u32 },
    /// `tapes[tape][slot] = value` (an F64 or I64 value, by its bits): the
    /// evaluator's growable tape ([`tapes`]) that a gradient saves
    /// overwritten values on when their number is known only at run time.
    TapeSave { tape: u32, slot: Value, value: Value },
    /// `dst = tapes[tape][slot]`, read back as `dst`'s type (NaN's bits
    /// when the slot was never saved).
    TapeLoad { dst: Value, tape: u32, slot: Value },
}

/// What a function computes, which fixes its arenas and its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FunctionKind {
    /// Fills transformed data (writes `Data`/`IntData`, may use the RNG).
    TransformedData,
    /// Returns the log density at `Params` (target).
    LogDensity,
    /// Returns the log density and accumulates its gradient into `Grad`.
    Gradient,
    /// Writes the output draw into `Out` from `Params` (may use the RNG).
    Generate,
    /// The inverse of the transforms: reads constrained parameter values
    /// from `Out` (laid out as `Generate` writes them) and writes the
    /// unconstrained point into `Params` (for user-supplied initial values).
    Unconstrain,
    /// One chunk of a large likelihood loop of `Gradient`, outlined so that
    /// chunks can run on several threads: run by [`Stmt::RunChunks`] with
    /// its chunk number as [`Expr::ChunkIndex`]; may read and write what
    /// `Gradient` may.
    GradientChunk(u32),
    /// A recursive user function, by number: takes [`Function::params`],
    /// returns [`Function::result`], reads and writes only `Work` and
    /// `IntWork` (its own temporaries), and is called by [`Stmt::Call`]
    /// with the symbol [`user_symbol`] from any function of the module.
    User(u32),
}

/// The deepest chain of user function calls an evaluation may make; a
/// deeper one rejects the evaluation ("recursion deeper than ...") in the
/// interpreter and the JIT alike, where it would otherwise overflow the
/// native stack.
pub const MAX_CALL_DEPTH: i64 = 1000;

/// The [`FuncRef::symbol`] of a call of user function `index`.
pub fn user_symbol(index: u32, name: &str) -> String {
    format!("user{index}:{name}")
}

/// The user function a [`FuncRef::symbol`] calls, if it calls one.
pub fn user_function_index(symbol: &str) -> Option<u32> {
    let rest = symbol.strip_prefix("user")?;
    let (index, _) = rest.split_once(':')?;
    index.parse().ok()
}

/// One compiled entry point.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    pub kind: FunctionKind,
    /// The type of every value, indexed by `Value`.
    pub values: Vec<ScalarType>,
    pub body: Vec<Stmt>,
    /// A user function's parameters, defined on entry (empty for the
    /// entry points).
    pub params: Vec<Value>,
    /// A user function's returned value, defined at the top level of its
    /// body (`None` for the entry points).
    pub result: Option<Value>,
}

impl Function {
    /// An empty function of this kind.
    pub fn new(kind: FunctionKind) -> Function {
        Function { kind, values: Vec::new(), body: Vec::new(), params: Vec::new(), result: None }
    }

    /// A fresh value of this type.
    pub fn new_value(&mut self, ty: ScalarType) -> Value {
        self.values.push(ty);
        Value((self.values.len() - 1) as u32)
    }

    /// The type of a value of this function.
    pub fn type_of(&self, v: Value) -> ScalarType {
        self.values[v.0 as usize]
    }
}

/// A whole lowered model with its memory layout.
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    pub buffers: Vec<Buffer>,
    /// Size of each arena in elements.
    pub arena_sizes: ArenaSizes,
    pub functions: Vec<Function>,
    /// The ODE right-hand sides its ODE calls solve ([`ode::ode_symbol`]).
    pub odes: Vec<ode::OdeSystem>,
}

/// Element counts of every arena.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ArenaSizes {
    pub params: usize,
    pub data: usize,
    pub int_data: usize,
    pub work: usize,
    pub int_work: usize,
    pub out: usize,
}

impl ArenaSizes {
    /// The size of one arena (`Grad` is as large as `Params`).
    pub fn of(&self, arena: Arena) -> usize {
        match arena {
            Arena::Params | Arena::Grad => self.params,
            Arena::Data => self.data,
            Arena::IntData => self.int_data,
            Arena::Work => self.work,
            Arena::IntWork => self.int_work,
            Arena::Out => self.out,
        }
    }
}

impl Module {
    /// The buffer's description.
    pub fn buffer(&self, id: BufferId) -> &Buffer {
        &self.buffers[id.0 as usize]
    }

    /// Adds a buffer at the end of its arena and returns it. A `Grad`
    /// buffer is made with [`Module::add_grad_buffer`] instead.
    pub fn add_buffer(&mut self, name: impl Into<String>, arena: Arena, len: usize) -> BufferId {
        let slot = match arena {
            Arena::Params | Arena::Grad => &mut self.arena_sizes.params,
            Arena::Data => &mut self.arena_sizes.data,
            Arena::IntData => &mut self.arena_sizes.int_data,
            Arena::Work => &mut self.arena_sizes.work,
            Arena::IntWork => &mut self.arena_sizes.int_work,
            Arena::Out => &mut self.arena_sizes.out,
        };
        let offset = *slot;
        if arena != Arena::Grad {
            *slot += len;
        }
        self.buffers.push(Buffer { name: name.into(), arena, offset, len });
        BufferId((self.buffers.len() - 1) as u32)
    }

    /// The gradient buffer of a `Params` buffer: same offset and length in
    /// the `Grad` arena.
    pub fn add_grad_buffer(&mut self, of: BufferId) -> BufferId {
        let b = self.buffer(of).clone();
        self.buffers.push(Buffer { name: format!("{}.grad", b.name), arena: Arena::Grad, offset: b.offset, len: b.len });
        BufferId((self.buffers.len() - 1) as u32)
    }

    /// The function of this kind, if the module has one.
    pub fn function(&self, kind: FunctionKind) -> Option<&Function> {
        self.functions.iter().find(|f| f.kind == kind)
    }

    /// Rewrites the body of each function of the given kinds: `rewrite`
    /// gets the rest of the module (to add buffers, read the symbol
    /// table), the function taken out of it (for its values' types and new
    /// values) and its body, and returns the new body. The shape every IR
    /// pass over whole functions shares.
    pub fn rewrite_bodies(&mut self, kinds: &[FunctionKind], mut rewrite: impl FnMut(&mut Module, &mut Function, Vec<Stmt>) -> Vec<Stmt>) {
        for fi in 0..self.functions.len() {
            let kind = self.functions[fi].kind;
            if !kinds.contains(&kind) {
                continue;
            }
            let mut func = std::mem::replace(&mut self.functions[fi], Function::new(kind));
            let body = std::mem::take(&mut func.body);
            func.body = rewrite(self, &mut func, body);
            self.functions[fi] = func;
        }
    }
}
