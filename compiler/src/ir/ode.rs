//! ODE systems: the right-hand side `f` of an ODE call (`ode_rk45`,
//! `integrate_ode_rk45`, ...) compiled as a model of its own, and the call
//! convention by which a module's functions solve it. The algebraic
//! solvers (`solve_newton`, `algebra_solver`, ...) use the same machinery
//! for their system `f(y, ...)`: a [`SystemKind::Root`] system whose call
//! finds a root instead of integrating (see [`SystemKind`]).
//!
//! `f` is called an unknown number of times at run time with values the
//! solver chooses, so it cannot be expanded at the call site like other
//! user functions. Lowering instead compiles the small program
//! `target += dot(w, f(t, y, theta..., data...))` with `y` and the
//! parameter-dependent arguments as its (unconstrained) parameters: its
//! `Gradient` function, run once per state with `w` the unit vector `e_k`,
//! returns `f_k` and accumulates row `k` of the Jacobian `[J_y | J_theta]`
//! into `Grad`. Solving and the forward sensitivities are the stdlib's
//! ([`hbmc_stdlib::ode`]); `interp::ode` drives them for both backends.
//!
//! A call is a [`super::Stmt::Call`] of the symbol [`ode_symbol`] with the
//! arguments of [`OdeCallArg`] order, returning an `I64` status
//! ([`OdeStatus`]). Its reverse rule is the stdlib's `hbm_ode_adj`
//! (`ad::rules`), which contracts the result adjoints with the
//! sensitivities the forward call wrote; a call whose `t0` or `ts` depend
//! on parameters has its own symbol ([`ode_times_symbol`]) and rule,
//! `hbm_ode_times_adj`, which also gives the adjoints of the times.

use super::Module;

/// What the call of a system computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SystemKind {
    /// The states at the output times of `y' = f(t, y, ...)`, with their
    /// forward sensitivities.
    Ode,
    /// A root `y` of `f(y, ...) = 0` from the guess `y0` (one "output
    /// time": `ts` and `t0` are not read), with the sensitivities of the
    /// implicit function theorem: zero in `y0`, `-J_y^{-1} J_theta` in
    /// the parameters. The system ignores its time.
    Root,
    /// `integrate_1d`: the system is the integrand `f(x, xc, ...)` with the
    /// one state `x` and the time `xc`; the call integrates it from `t0`
    /// (`a`) to `ts[0]` (`b`) and writes the integral and, as
    /// sensitivities, the integrals of `df/dtheta`. A bound that depends on
    /// parameters is passed first among the parameters (`a` before `b`);
    /// its sensitivity is `-f(a)` or `f(b)`.
    Integral { a_param: bool, b_param: bool },
    /// `dae`, `dae_tol`: the system is the residual `F(t, yy, yp, ...)` of
    /// an index-1 DAE, its `Params` the `n` states `yy`, the `n`
    /// derivatives `yp`, then the parameters; the call writes the states
    /// at the output times and their sensitivities as an ODE call does
    /// (`hbmc_stdlib::ode_stiff::dae_sensitivities`).
    Dae,
}

impl SystemKind {
    /// How many values of the system's `Params` come before the
    /// parameters: the `n` states, and a DAE's `n` derivatives.
    pub fn state_inputs(self, n: usize) -> usize {
        match self {
            SystemKind::Dae => 2 * n,
            _ => n,
        }
    }
}

/// Which integrator solves an [`SystemKind::Ode`] system.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OdeMethod {
    /// Adaptive Dormand-Prince RK45 (`hbmc_stdlib::ode::rk45`): the
    /// non-stiff names `ode_rk45`, `ode_ckrk`, `ode_adams` and their
    /// `_tol` and `integrate_ode_` forms.
    Rk45,
    /// Variable-order BDF (`hbmc_stdlib::ode_stiff`): the stiff names
    /// `ode_bdf`, `ode_bdf_tol`, `integrate_ode_bdf`, and
    /// `ode_adjoint_tol_ctl` (Stan's CVODES; its forward solver may be
    /// BDF, and BDF is also right for a non-stiff system).
    Bdf,
}

impl OdeMethod {
    /// The integrator of the solver called `solver`.
    pub fn for_solver(solver: &str) -> Self {
        match solver {
            "ode_bdf" | "ode_bdf_tol" | "integrate_ode_bdf" | "ode_adjoint_tol_ctl" | "dae" | "dae_tol" => OdeMethod::Bdf,
            _ => OdeMethod::Rk45,
        }
    }
}

/// One ODE right-hand side (or algebraic system), compiled as a model of
/// its own.
#[derive(Clone, Debug, PartialEq)]
pub struct OdeSystem {
    /// For messages: the solver and the function (`ode_rk45(sho, ...)`).
    pub name: String,
    /// What a call computes.
    pub kind: SystemKind,
    /// The integrator of an ODE system (others ignore it).
    pub method: OdeMethod,
    /// The program `target += dot(w, f(...))`, differentiated: its
    /// `Gradient` function is what the solver calls.
    pub module: Module,
    /// Its initial `Data` and `IntData` arenas.
    pub data_init: Vec<f64>,
    pub int_data_init: Vec<i64>,
    /// Number of states.
    pub n: usize,
    /// Number of parameter-dependent reals passed after the states (the
    /// `Params` arena holds the `n` states, then these).
    pub p: usize,
    /// Number of output times.
    pub times: usize,
    /// Where the system reads the time (`Data`).
    pub t_offset: usize,
    /// Where the weights `w` of the outputs start (`Data`, `n` values).
    pub w_offset: usize,
    /// Where the real data arguments start, and how many (`Data`).
    pub real_data: (usize, usize),
    /// Where the integer data arguments start, and how many (`IntData`).
    pub int_data: (usize, usize),
    /// Which times of an [`SystemKind::Ode`] call depend on parameters
    /// (their derivatives are written after the sensitivities).
    pub times_wrt: TimesWrt,
    /// Whether the initial states of an [`SystemKind::Ode`] call depend on
    /// parameters. When neither they nor `t0` do, the RK45 solve carries
    /// no sensitivities to them (Stan's coupled system has `n + n p`
    /// equations then) and the `dy/dy0` blocks hold zeros.
    pub y0_wrt: bool,
}

/// Which times of an ODE call depend on parameters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimesWrt {
    /// The initial time `t0`.
    pub t0: bool,
    /// The output times `ts`.
    pub ts: bool,
}

impl TimesWrt {
    /// Whether the call needs the times' derivatives at all.
    pub fn any(self) -> bool {
        self.t0 || self.ts
    }
}

impl OdeSystem {
    /// The number of sensitivity values a solve writes:
    /// `times * n * (n + p)`, and when times depend on parameters two more
    /// sections of `times * n` (`d/dt0` and `d/dts`, see [`ode_sens_len`]).
    pub fn sens_len(&self) -> usize {
        ode_sens_len(self.times, self.n, self.p, self.times_wrt)
    }
}

/// The sensitivities of an ODE call: per output time the `n x (n + p)`
/// block `[dy/dy0 | dy/dtheta]`, then, when `t0` or `ts` depend on
/// parameters, `dy(ts[k])/dt0` and `dy(ts[k])/dts[k]` (`times` rows of
/// `n` each; the one not needed holds zeros), the layout of the stdlib's
/// `hbm_ode_times_adj`.
pub fn ode_sens_len(times: usize, n: usize, p: usize, wrt: TimesWrt) -> usize {
    times * n * (n + p + if wrt.any() { 2 } else { 0 })
}

/// The order of an ODE call's arguments (all `CallArg`s are explicit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OdeCallArg {
    /// Initial states (`PtrConstF64`, `n`).
    Y0 = 0,
    /// Parameter-dependent reals (`PtrConstF64`, `p`).
    Theta = 1,
    /// Real data arguments (`PtrConstF64`).
    RealData = 2,
    /// Integer data arguments, as reals (`PtrConstF64`).
    IntData = 3,
    /// Initial time (`F64`).
    T0 = 4,
    /// Output times (`PtrConstF64`, `times`).
    Ts = 5,
    /// `F64`.
    RelTol = 6,
    /// `F64`.
    AbsTol = 7,
    /// `F64` (a whole number).
    MaxNumSteps = 8,
    /// `I64` sizes, for the reverse rule: `times`, `n`, `p`, `sens_len`.
    Times = 9,
    N = 10,
    P = 11,
    SensLen = 12,
    /// The states at the output times (`PtrF64`, `times * n`, row after row).
    Out = 13,
    /// The sensitivities (`PtrF64`, [`OdeSystem::sens_len`]).
    Sens = 14,
}

/// The C types of an ODE call's arguments, in [`OdeCallArg`] order.
pub fn ode_call_params() -> Vec<super::CType> {
    use super::CType::{PtrConstF64 as C, PtrF64 as P, F64 as F, I64 as I};
    vec![C, C, C, C, F, C, F, F, F, I, I, I, I, P, P]
}

/// An ODE call's status: 0 when solved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OdeStatus {
    Ok = 0,
    /// Bad tolerances or step limit.
    BadArgument = 1,
    /// `max_num_steps` exceeded.
    TooManySteps = 2,
    /// The right-hand side gave NaN or infinity, or the step size underflowed.
    NotFinite = 3,
    /// The right-hand side rejected (a `reject` in `f`, an out-of-range index).
    Rejected = 4,
    /// `t0` is not before `ts[1]`.
    InitialTime = 5,
    /// `ts` is not strictly increasing (or empty).
    Times = 6,
    /// `y0`, `t0` or `ts` holds NaN or infinity.
    NotFiniteInput = 7,
    /// An algebraic solve found no root: no step reduces `|f|` any more
    /// while it is above the function tolerance.
    NoRoot = 8,
    /// The Jacobian of an algebraic system is singular at its root.
    SingularJacobian = 9,
    /// An integral's lower limit is above its upper limit (or NaN).
    Bounds = 10,
    /// An integral's error estimate stayed above its tolerance.
    NotConverged = 11,
    /// An integrand that does not decay toward the ends of the interval.
    NotDecaying = 12,
}

/// The [`super::FuncRef::symbol`] of a call of ODE system `index`.
pub fn ode_symbol(index: usize, solver: &str) -> String {
    format!("ode{index}:{solver}")
}

/// What ends the symbol of a call whose times depend on parameters.
const TIMES_MARK: &str = "+times";

/// The [`super::FuncRef::symbol`] of a call of ODE system `index` whose
/// `t0` or `ts` depend on parameters: the reverse rule differs (it reads
/// the times' sections of the sensitivities), and a rule knows a call by
/// its symbol only.
pub fn ode_times_symbol(index: usize, solver: &str) -> String {
    format!("ode{index}:{solver}{TIMES_MARK}")
}

/// Whether an ODE call's symbol is an [`ode_times_symbol`].
pub fn ode_call_has_times(symbol: &str) -> bool {
    ode_system_index(symbol).is_some() && symbol.ends_with(TIMES_MARK)
}

/// The ODE system a [`super::FuncRef::symbol`] solves, if it is an ODE call.
pub fn ode_system_index(symbol: &str) -> Option<usize> {
    let rest = symbol.strip_prefix("ode")?;
    let (index, _) = rest.split_once(':')?;
    index.parse().ok()
}
