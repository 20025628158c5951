//! ODE solver calls (`check/ode.rs`): the right-hand side `f` compiled as a
//! system of its own (`ir::ode::OdeSystem`) and one ODE call writing the
//! states at the output times into the call's buffer.
//!
//! The system is the program
//!
//! ```text
//! data { real ode_t; vector[n] ode_w; vector[d] ode_dr; array[i] int ode_di; }
//! parameters { vector[n] ode_y; vector[p] ode_theta; }
//! model { vector[n] ode_f = f(ode_t, ode_y, args...); target += dot_product(ode_w, ode_f); }
//! ```
//!
//! run through this compiler's own pipeline (check, bind, lower, AD) with
//! the functions block as written. The arguments after `ts` (and the
//! legacy `theta`, `x_r`, `x_i`) are passed flat: those that depend on
//! parameters in `ode_theta` (their gradients come back through it),
//! real data in `ode_dr`, integers in `ode_di`; `args...` rebuilds each
//! from its segment ([`rebuild`]). When `t0` or `ts` depend on parameters
//! the call gets the symbol whose reverse rule also gives their adjoints
//! (`ir::ode::ode_times_symbol`), and the solve writes the derivatives in
//! the times after the sensitivities.

use super::{LowerError, LowerResult, Lowerer, Storage};
use crate::check::ode::{ode_form, OdeForm, ADJOINT_CONTROLS};
use crate::check::typed::{Level, TypedExpr};
use crate::check::types::{ElemType, Type};
use crate::ir::ode::{ode_call_params, ode_sens_len, ode_symbol, ode_times_symbol, OdeMethod, OdeStatus, OdeSystem, SystemKind, TimesWrt};
use crate::ir::{Arena, BinaryOp, BufferId, CType, CallArg, CmpOp, FuncRef, FunctionKind, ScalarType, Value};
use crate::syntax::ast::{Block, BlockBody, BlockKind};
use crate::syntax::span::Span;

/// Stan's default controls `(rel_tol, abs_tol, max_num_steps)` of a solver.
fn default_controls(solver: &str) -> (f64, f64, f64) {
    if solver.contains("bdf") || solver.contains("adams") || solver.starts_with("dae") {
        (1e-10, 1e-10, 1e8)
    } else {
        (1e-6, 1e-6, 1e6)
    }
}

/// Where an argument of `f` goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Slot {
    Theta,
    RealData,
    IntData,
}

/// One argument of `f` after the state: its expression and its place.
pub(super) struct Passed<'e> {
    expr: &'e TypedExpr,
    slot: Slot,
    offset: usize,
    len: usize,
}

/// How the system rebuilds an argument of type `ty` and shape `shape`
/// (array axes first) from its values in `flat` starting at 0-based
/// `offset`, in Stan syntax: arrays are laid out row-major with each
/// element whole (a matrix column-major), as the argument's own storage.
fn rebuild(ty: &Type, shape: &[usize], flat: &str, offset: usize) -> String {
    if shape.contains(&0) {
        // No values to read: an empty container of the same type and
        // sizes (an empty array literal `{}` has no type in Stan).
        return zeros(ty, shape);
    }
    if let Some((&m, rest)) = shape.split_first().filter(|_| !ty.array.is_empty()) {
        let inner = Type { array: ty.array[1..].to_vec(), elem: ty.elem };
        let len: usize = rest.iter().product();
        if inner.array.is_empty() && inner.elem.is_scalar() {
            // A 1-D array of scalars: one slice.
            let (s, e) = (offset + 1, offset + m);
            return if ty.elem.is_int() { format!("{flat}[{s}:{e}]") } else { format!("to_array_1d(segment({flat}, {s}, {m}))") };
        }
        let parts: Vec<String> = (0..m).map(|k| rebuild(&inner, rest, flat, offset + k * len)).collect();
        return format!("{{{}}}", parts.join(", "));
    }
    let len: usize = shape.iter().product();
    let seg = format!("segment({flat}, {}, {len})", offset + 1);
    match ty.elem {
        ElemType::Int { .. } | ElemType::Real => format!("{flat}[{}]", offset + 1),
        ElemType::Vector(_) => seg,
        ElemType::RowVector(_) => format!("{seg}'"),
        ElemType::Matrix(..) => format!("to_matrix({seg}, {}, {})", shape[0], shape[1]),
        // The checker gives ODE systems real arguments only.
        ElemType::Complex | ElemType::ComplexVector(_) | ElemType::ComplexRowVector(_) | ElemType::ComplexMatrix(..) => {
            format!("{flat}[{}]", offset + 1)
        }
    }
}

/// A container of type `ty` and shape `shape` (array axes first) filled
/// with zeros, in Stan syntax: `rep_array` around the element's zeros, so
/// that an array with an axis of size 0 keeps its type and its other sizes.
fn zeros(ty: &Type, shape: &[usize]) -> String {
    if let Some((&m, rest)) = shape.split_first().filter(|_| !ty.array.is_empty()) {
        let inner = Type { array: ty.array[1..].to_vec(), elem: ty.elem };
        return format!("rep_array({}, {m})", zeros(&inner, rest));
    }
    let size = |k: usize| shape.get(k).copied().unwrap_or(0);
    match ty.elem {
        ElemType::Int { .. } => "0".into(),
        ElemType::Vector(_) => format!("rep_vector(0.0, {})", size(0)),
        ElemType::RowVector(_) => format!("rep_row_vector(0.0, {})", size(0)),
        ElemType::Matrix(..) => format!("rep_matrix(0.0, {}, {})", size(0), size(1)),
        // The checker gives ODE systems real arguments only.
        ElemType::Real | ElemType::Complex | ElemType::ComplexVector(_) | ElemType::ComplexRowVector(_) | ElemType::ComplexMatrix(..) => {
            "0.0".into()
        }
    }
}

impl Lowerer<'_> {
    /// The shape of an ODE call's result: output times by states (an
    /// algebraic solver's: its guess's).
    pub(super) fn ode_shape(&mut self, solver: &str, args: &[TypedExpr]) -> LowerResult<Vec<usize>> {
        let n = self.shape(&args[0])?.first().copied().unwrap_or(0);
        let Some(form) = ode_form(solver) else { return Ok(vec![n]) };
        if form.is_root() {
            return Ok(vec![n]);
        }
        let t = self.shape(&args[form.time_args().1])?.first().copied().unwrap_or(0);
        Ok(vec![t, n])
    }

    /// Solves the ODE call `solver@f(args)` into `dst` (output times by
    /// states); rejects the draw with Stan's reason when the solve fails.
    pub(super) fn fill_ode(&mut self, dst: &Storage, solver: &str, f: &str, args: &[TypedExpr], e: &TypedExpr) -> LowerResult<()> {
        let form = ode_form(solver).ok_or_else(|| LowerError::unsupported(e.span, format!("the ODE solver `{solver}`")))?;
        if form.is_root() {
            return self.fill_root(dst, solver, f, form, args, e);
        }
        let (t0_at, ts_at) = form.time_args();
        let times_wrt = TimesWrt { t0: args[t0_at].level == Level::Param, ts: args[ts_at].level == Level::Param };
        if form.is_dae() && times_wrt.any() {
            // Their derivatives need `yp` at the output times, which the
            // DAE solve does not return.
            let at = if times_wrt.t0 { &args[t0_at] } else { &args[ts_at] };
            return Err(LowerError::unsupported(at.span, format!("`{solver}` with `t0` or `ts` that depend on parameters (pass them as data)")));
        }
        let (rel, abs, steps) = default_controls(solver);
        let (controls, rest): (Option<&[TypedExpr]>, &[TypedExpr]) = match form {
            OdeForm::Legacy if args.len() == 9 => (Some(&args[6..9]), &args[3..6]),
            OdeForm::Legacy => (None, &args[3..6]),
            OdeForm::Variadic => (None, &args[3..]),
            OdeForm::VariadicTol => (Some(&args[3..6]), &args[6..]),
            OdeForm::AdjointCtl => (None, &args[3 + ADJOINT_CONTROLS..]),
            // `yp0` (args[1]) is not read: see `hbmc_stdlib::ode_stiff::dae_sensitivities`.
            OdeForm::Dae => (None, &args[4..]),
            OdeForm::DaeTol => (Some(&args[4..7]), &args[7..]),
            // Dispatched to `fill_root` above; `integrate_1d` is a scalar
            // (`integral_value`).
            OdeForm::RootLegacy | OdeForm::Root | OdeForm::RootTol | OdeForm::Integral => {
                return Err(LowerError::unsupported(e.span, format!("`{solver}` where a container is expected")));
            }
        };
        let (passed, (p, d, i)) = self.place(rest.iter())?;
        let n = self.ode_shape(solver, args)?[1];
        let times = self.ode_shape(solver, args)?[0];
        // One system per distinct program: a call in a user function
        // expanded at several places may see other sizes at each.
        let source = self.ode_source(solver, f, form, &passed, n, (p, d, i), e)?;
        let y0_wrt = args[0].level == Level::Param;
        let key = format!("{solver} {times} {times_wrt:?} {y0_wrt}\n{source}");
        let index = match self.ode_systems.get(&key) {
            Some(&k) => k,
            None => {
                let kind = if form.is_dae() { SystemKind::Dae } else { SystemKind::Ode };
                let mut sys = self.ode_system(kind, solver, f, &source, n, (p, d, i), times, e)?;
                sys.times_wrt = times_wrt;
                sys.y0_wrt = y0_wrt;
                self.module.odes.push(sys);
                let k = self.module.odes.len() - 1;
                self.ode_systems.insert(key, k);
                k
            }
        };
        // The arguments: y0 and ts by pointer, the rest packed.
        let y0 = self.pointer_arg(&args[0])?;
        let ts = self.pointer_arg(&args[ts_at])?;
        let theta = self.pack(&passed, Slot::Theta, p)?;
        let real_data = self.pack(&passed, Slot::RealData, d)?;
        let int_data = self.pack(&passed, Slot::IntData, i)?;
        let t0 = self.scalar(&args[t0_at])?;
        let t0 = self.fb.to_f64(t0);
        let (rel_v, abs_v, steps_v) = match (self.ode_controls, controls) {
            (Some(c), _) => (self.fb.f64(c.rel_tol), self.fb.f64(c.abs_tol), self.fb.f64(c.max_num_steps)),
            (None, Some(c)) => {
                let mut v = Vec::with_capacity(3);
                for x in c {
                    let s = self.scalar(x)?;
                    v.push(self.fb.to_f64(s));
                }
                // A real step limit (legacy `5e2`) counts whole steps, as
                // Stan's conversion to an integer does.
                v[2] = self.fb.unary(crate::ir::UnaryOp::Trunc, v[2]);
                (v[0], v[1], v[2])
            }
            (None, None) if form == OdeForm::AdjointCtl => self.adjoint_controls(&args[3..3 + ADJOINT_CONTROLS], n, solver, f)?,
            (None, None) => (self.fb.f64(rel), self.fb.f64(abs), self.fb.f64(steps)),
        };
        let sens_len = ode_sens_len(times, n, p, times_wrt);
        let sens = self.temp_buffer("ode_sens", ScalarType::F64, sens_len);
        let zero = self.fb.i64(0);
        let whole = |b: BufferId| CallArg::Buffer { buf: b, offset: zero };
        let mut call_args = vec![y0.arg(), whole(theta), whole(real_data), whole(int_data), CallArg::Value(t0), ts.arg()];
        call_args.extend([rel_v, abs_v, steps_v].map(CallArg::Value));
        for k in [times, n, p, sens_len] {
            let v = self.fb.i64(k as i64);
            call_args.push(CallArg::Value(v));
        }
        call_args.push(whole(dst.buf));
        call_args.push(whole(sens));
        let symbol = if times_wrt.any() { ode_times_symbol(index, solver) } else { ode_symbol(index, solver) };
        let func = FuncRef { symbol, params: ode_call_params(), ret: CType::I64 };
        let status = self.fb.call(func, call_args);
        self.reject_on_ode_status(status, solver, f);
        Ok(())
    }

    /// `ode_adjoint_tol_ctl`'s controls, checked as Stan checks them (the
    /// draw is rejected otherwise), and what the forward solve uses of
    /// them: `rel_tol_forward`, the smallest entry of `abs_tol_forward`
    /// (the solver takes one absolute tolerance: the strictest keeps every
    /// state within its own), `max_num_steps`. The backward and quadrature
    /// tolerances, checkpoints, interpolation and solver choices tune
    /// Stan's adjoint method, which hbmc replaces by forward sensitivities.
    fn adjoint_controls(&mut self, c: &[TypedExpr], n: usize, solver: &str, f: &str) -> LowerResult<(Value, Value, Value)> {
        for (k, name) in [(1, "abs_tol_forward"), (3, "abs_tol_backward")] {
            let len = self.shape(&c[k])?.first().copied().unwrap_or(0);
            if len != n {
                return Err(LowerError::unsupported(
                    c[k].span,
                    format!("`{solver}` with `{name}` of size {len} for {n} states (it needs one tolerance per state)"),
                ));
            }
        }
        let inf = self.fb.f64(f64::INFINITY);
        let zero = self.fb.f64(0.0);
        let positive = |this: &mut Self, v: Value, name: &str| {
            let above = this.fb.cmp(CmpOp::Gt, v, zero);
            let finite = this.fb.cmp(CmpOp::Lt, v, inf);
            let ok = this.fb.binary(BinaryOp::And, above, finite);
            let no = this.fb.i64(0);
            let bad = this.fb.cmp(CmpOp::Eq, ok, no);
            this.reject_if(bad, &format!("{solver}({f}, ...): {name} must be positive and finite"));
        };
        let mut reals = Vec::new();
        for (k, name) in [(0, "rel_tol_forward"), (2, "rel_tol_backward"), (4, "rel_tol_quadrature"), (5, "abs_tol_quadrature")] {
            let v = self.scalar(&c[k])?;
            let v = self.fb.to_f64(v);
            positive(self, v, name);
            reals.push(v);
        }
        let mut abs_forward = inf;
        for (k, name) in [(1, "abs_tol_forward"), (3, "abs_tol_backward")] {
            for j in 0..n {
                let at = self.fb.i64(j as i64);
                let v = self.elem(&c[k], &[at])?;
                positive(self, v, name);
                if k == 1 {
                    abs_forward = self.fb.binary(BinaryOp::Min, abs_forward, v);
                }
            }
        }
        let mut ints = Vec::new();
        for (k, name, range) in [
            (6, "max_num_steps", None),
            (7, "num_steps_between_checkpoints", None),
            (8, "interpolation_polynomial", Some(2)),
            (9, "solver_forward", Some(2)),
            (10, "solver_backward", Some(2)),
        ] {
            let v = self.scalar(&c[k])?;
            let one = self.fb.i64(1);
            let low = self.fb.cmp(CmpOp::Lt, v, one);
            let bad = match range {
                Some(top) => {
                    let t = self.fb.i64(top);
                    let high = self.fb.cmp(CmpOp::Gt, v, t);
                    self.fb.binary(BinaryOp::Or, low, high)
                }
                None => low,
            };
            let must = if range.is_some() { "must be 1 or 2" } else { "must be a positive integer" };
            self.reject_if(bad, &format!("{solver}({f}, ...): {name} {must}"));
            ints.push(v);
        }
        let steps = self.fb.to_f64(ints[0]);
        Ok((reals[0], abs_forward, steps))
    }

    /// Places the arguments passed to `f` after the state: each in its
    /// slot at its offset; the slots' total lengths `(p, d, i)`.
    pub(super) fn place<'e>(&mut self, rest: impl IntoIterator<Item = &'e TypedExpr>) -> LowerResult<(Vec<Passed<'e>>, (usize, usize, usize))> {
        let mut passed = Vec::new();
        let (mut p, mut d, mut i) = (0usize, 0usize, 0usize);
        for a in rest {
            let len: usize = self.shape(a)?.iter().product();
            let (slot, at) = if a.ty.is_int_valued() {
                (Slot::IntData, &mut i)
            } else if a.level == Level::Param {
                (Slot::Theta, &mut p)
            } else {
                (Slot::RealData, &mut d)
            };
            passed.push(Passed { expr: a, slot, offset: *at, len });
            *at += len;
        }
        Ok((passed, (p, d, i)))
    }

    /// Rejects the draw with the reason of a failed solve.
    fn reject_on_ode_status(&mut self, status: Value, solver: &str, f: &str) {
        let dae = ode_form(solver).is_some_and(OdeForm::is_dae);
        // RK45 runs out of steps on a stiff system: name the solver for it.
        let too_many = match OdeMethod::for_solver(solver) {
            OdeMethod::Rk45 => "max_num_steps exceeded before an output time; raise max_num_steps or loosen the tolerances, or use ode_bdf if the system is stiff",
            OdeMethod::Bdf => "max_num_steps exceeded before an output time; raise max_num_steps or loosen the tolerances",
        };
        let reasons = [
            (OdeStatus::BadArgument, "rel_tol and abs_tol must be positive and finite, max_num_steps a positive integer"),
            (OdeStatus::InitialTime, "the initial time t0 must be before the first output time ts[1]"),
            (OdeStatus::Times, "the output times ts must be strictly increasing"),
            (OdeStatus::NotFiniteInput, "y0, t0 and ts must be finite"),
            (OdeStatus::TooManySteps, too_many),
            (OdeStatus::NotFinite, if dae { "the residual returned NaN or infinity, or the step size underflowed (is the DAE of index 1, and are yy0 consistent?)" } else { "the right-hand side returned NaN or infinity, or the step size underflowed" }),
            (OdeStatus::Rejected, if dae { "the residual rejected its arguments" } else { "the right-hand side rejected its arguments" }),
        ];
        for (code, why) in reasons {
            let c = self.fb.i64(code as i64);
            let is = self.fb.cmp(CmpOp::Eq, status, c);
            self.reject_if(is, &format!("{solver}({f}, ...): {why}"));
        }
    }

    /// A fresh buffer holding, flat, the arguments placed in `slot` (`len`
    /// values; integers as reals).
    pub(super) fn pack(&mut self, passed: &[Passed], slot: Slot, len: usize) -> LowerResult<BufferId> {
        let buf = self.temp_buffer(&format!("ode_{slot:?}"), ScalarType::F64, len);
        for a in passed.iter().filter(|a| a.slot == slot) {
            if a.expr.ty.is_scalar() {
                let v = self.scalar(a.expr)?;
                let v = self.fb.to_f64(v);
                let at = self.fb.i64(a.offset as i64);
                self.fb.store(buf, at, v);
            } else if slot == Slot::IntData {
                // Row-major, the last axis innermost, as `rebuild` reads it.
                let shape = self.shape(a.expr)?;
                let (base, expr) = (a.offset, a.expr);
                self.each_index(&shape.clone(), &mut |this, idx| {
                    let mut at = this.fb.i64(base as i64);
                    let mut stride = 1usize;
                    for (axis, &i) in idx.iter().enumerate().rev() {
                        let sv = this.fb.i64(stride as i64);
                        let term = this.fb.binary(BinaryOp::Mul, i, sv);
                        at = this.fb.binary(BinaryOp::Add, at, term);
                        stride *= shape[axis];
                    }
                    let v = this.elem(expr, idx)?;
                    let v = this.fb.to_f64(v);
                    this.fb.store(buf, at, v);
                    Ok(())
                })?;
            } else {
                // Stan's layout (matrices column-major), as `to_matrix` rebuilds it.
                let src = self.pointer_arg(a.expr)?;
                let base = a.offset;
                self.loop_n(a.len, |this, k| {
                    let from = this.fb.binary(BinaryOp::Add, src.offset, k);
                    let v = this.fb.load(src.buf, from, ScalarType::F64);
                    let b = this.fb.i64(base as i64);
                    let at = this.fb.binary(BinaryOp::Add, b, k);
                    this.fb.store(buf, at, v);
                    Ok(())
                })?;
            }
        }
        Ok(buf)
    }

    /// The program of `f`'s system (see the module comment), without its
    /// `functions` block.
    #[allow(clippy::too_many_arguments)]
    fn ode_source(
        &mut self,
        solver: &str,
        f: &str,
        form: OdeForm,
        passed: &[Passed],
        n: usize,
        sizes: (usize, usize, usize),
        e: &TypedExpr,
    ) -> LowerResult<String> {
        let call_args = self.rebuilt_args(solver, f, passed, e)?;
        // A DAE system's states are `(yy, yp)`, both inputs of its residual.
        let states = if form.is_dae() { format!("head(ode_y, {n}), tail(ode_y, {n})") } else { "ode_y".to_string() };
        let rhs = match form {
            OdeForm::Legacy => format!("to_vector({f}(ode_t, to_array_1d(ode_y), {}))", call_args.join(", ")),
            _ if call_args.is_empty() => format!("{f}(ode_t, {states})"),
            _ => format!("{f}(ode_t, {states}, {})", call_args.join(", ")),
        };
        let inputs = if form.is_dae() { 2 * n } else { n };
        Ok(system_source_with_inputs(&rhs, n, inputs, sizes))
    }

    /// The expressions that rebuild the passed arguments inside the system
    /// (after checking that `f` is a function of the `functions` block).
    pub(super) fn rebuilt_args(&mut self, solver: &str, f: &str, passed: &[Passed], e: &TypedExpr) -> LowerResult<Vec<String>> {
        if !self.program.function_defs.iter().any(|def| def.name.name == f) {
            let what = match ode_form(solver) {
                Some(OdeForm::Integral) => "integrand",
                Some(form) if form.is_root() => "algebraic system",
                _ => "right-hand side",
            };
            return Err(LowerError::unsupported(
                e.span,
                format!("`{solver}` with `{f}`, which is not a function of the `functions` block (the {what} must be one)"),
            ));
        }
        let mut call_args = Vec::with_capacity(passed.len());
        for a in passed {
            let flat = match a.slot {
                Slot::Theta => "ode_theta",
                Slot::RealData => "ode_dr",
                Slot::IntData => "ode_di",
            };
            let shape = self.shape(a.expr)?;
            call_args.push(rebuild(&a.expr.ty, &shape, flat, a.offset));
        }
        Ok(call_args)
    }

    /// Compiles `f`'s system from its program ([`system_source`]).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn ode_system(
        &mut self,
        kind: SystemKind,
        solver: &str,
        f: &str,
        source: &str,
        n: usize,
        (p, d, i): (usize, usize, usize),
        times: usize,
        e: &TypedExpr,
    ) -> LowerResult<OdeSystem> {
        let span = e.span;
        let defs = self.program.function_defs.clone();
        let role = match kind {
            SystemKind::Ode => "the ODE right-hand side",
            SystemKind::Dae => "the DAE residual",
            SystemKind::Root => "the algebraic system",
            SystemKind::Integral { .. } => "the integrand",
        };
        let fail = |what: &str, message: String| LowerError::unsupported(span, format!("{role} `{f}` of `{solver}` ({what}): {message}"));
        let first_error = |diags: &[crate::diagnostics::Diagnostic]| {
            diags.iter().find(|d| d.is_error()).map(|d| d.message.clone()).unwrap_or_else(|| "an error".into())
        };
        let (ast, diags) = crate::syntax::parse_program(source);
        let Some(mut ast) = ast.filter(|_| !crate::diagnostics::has_errors(&diags)) else {
            return Err(fail("internal wrapper", first_error(&diags)));
        };
        let header = Span { start: 0, end: 0 };
        ast.blocks.insert(0, Block { kind: BlockKind::Functions, header, span: header, body: BlockBody::Functions(defs.clone()) });
        let (expanded, diags) = crate::syntax::functions::expand_functions(ast);
        if crate::diagnostics::has_errors(&diags) {
            return Err(fail("expanding it", first_error(&diags)));
        }
        let (typed, diags) = crate::check::check_program(&expanded);
        let Some(mut typed) = typed else {
            return Err(fail("checking it with these arguments", first_error(&diags)));
        };
        typed.function_defs = defs;
        let zeros = |k: usize| format!("[{}]", vec!["0"; k].join(", "));
        let json = format!(
            "{{\"ode_t\": 0, \"ode_w\": {}, \"ode_dr\": {}, \"ode_di\": {}}}",
            zeros(n),
            zeros(d),
            zeros(i)
        );
        let source_data = crate::bind::read_source("ode.json", &json).map_err(|d| fail("binding", first_error(&d)))?;
        let (bound, diags) = crate::bind::bind_data(&typed, &[source_data]);
        let Some(bound) = bound.filter(|_| !crate::diagnostics::has_errors(&diags)) else {
            return Err(fail("binding", first_error(&diags)));
        };
        // The time and the arguments are placeholders here (zeros): no
        // condition on them is a constant.
        let options = super::LowerOptions { fold_data_conditions: false, ..Default::default() };
        let mut lowered = super::lower_model_with(&typed, &bound, options).map_err(|d| fail("lowering", first_error(&d)))?;
        crate::ad::differentiate_with_data(&mut lowered.module, &lowered.data_init, &lowered.int_data_init)
            .map_err(|err| fail("differentiating", err.to_string()))?;
        let module = lowered.module;
        let find = |name: &str, arena: Arena| module.buffers.iter().find(|b| b.name == name && b.arena == arena).map(|b| b.offset);
        // An algebraic system never reads its time (nor is it written).
        let t_offset = match kind {
            SystemKind::Ode | SystemKind::Dae => find("ode_t", Arena::Data).ok_or_else(|| fail("layout", "no `ode_t`".into()))?,
            SystemKind::Root => find("ode_t", Arena::Data).unwrap_or(0),
            SystemKind::Integral { .. } => find("ode_t", Arena::Data).ok_or_else(|| fail("layout", "no `ode_t`".into()))?,
        };
        let w_offset = find("ode_w", Arena::Data).ok_or_else(|| fail("layout", "no `ode_w`".into()))?;
        let real_data = (find("ode_dr", Arena::Data).unwrap_or(0), d);
        let int_data = (find("ode_di", Arena::IntData).unwrap_or(0), i);
        let param_at = |name: &str| lowered.params.iter().find(|l| l.name == name).map(|l| l.offset);
        let inputs = kind.state_inputs(n);
        if param_at("ode_y") != Some(0) || (p > 0 && param_at("ode_theta") != Some(inputs)) || lowered.dim != inputs + p {
            return Err(fail("layout", "the states and parameters are not laid out as expected".into()));
        }
        if module.function(FunctionKind::Gradient).is_none() {
            return Err(fail("differentiating", "no gradient".into()));
        }
        Ok(OdeSystem {
            name: format!("{solver}({f}, ...)"),
            kind,
            method: OdeMethod::for_solver(solver),
            module,
            data_init: lowered.data_init,
            int_data_init: lowered.int_data_init,
            n,
            p,
            times,
            t_offset,
            w_offset,
            real_data,
            int_data,
            times_wrt: TimesWrt::default(),
            y0_wrt: true,
        })
    }
}

/// The program of a system (see the module comment) whose `model` adds
/// `dot_product(ode_w, rhs)`, without its `functions` block.
pub(super) fn system_source(rhs: &str, n: usize, sizes: (usize, usize, usize)) -> String {
    system_source_with_inputs(rhs, n, n, sizes)
}

/// [`system_source`] with `inputs` states in `ode_y` (a DAE's `2 n`: `yy`
/// then `yp`) for `n` outputs.
fn system_source_with_inputs(rhs: &str, n: usize, inputs: usize, (p, d, i): (usize, usize, usize)) -> String {
    let mut source = format!("data {{\n  real ode_t;\n  vector[{n}] ode_w;\n");
    if d > 0 {
        source += &format!("  vector[{d}] ode_dr;\n");
    }
    if i > 0 {
        source += &format!("  array[{i}] int ode_di;\n");
    }
    source += &format!("}}\nparameters {{\n  vector[{inputs}] ode_y;\n");
    if p > 0 {
        source += &format!("  vector[{p}] ode_theta;\n");
    }
    // Assigned to a local of the state's size first, so that `f`
    // returning another length is refused (E5003) instead of read short.
    source += &format!("}}\nmodel {{\n  vector[{n}] ode_f = {rhs};\n  target += dot_product(ode_w, ode_f);\n}}\n");
    source
}
