//! Typing of the ODE solvers: Stan's `integrate_ode_rk45/_bdf/_adams(f, y0,
//! t0, ts, theta, x_r, x_i [, rel_tol, abs_tol, max_num_steps])` and the
//! variadic `ode_rk45/_bdf/_adams/_ckrk[_tol](f, y0, t0, ts, [rel_tol,
//! abs_tol, max_num_steps,] ...)` and `ode_adjoint_tol_ctl(f, y0, t0, ts,
//! <eleven controls>, ...)`; the algebraic solvers `solve_newton/_powell[_tol]`
//! and `algebra_solver[_newton]`, `integrate_1d`, and the DAE solvers
//! `dae[_tol](F, yy0, yp0, t0, ts, [rel_tol, abs_tol, max_num_steps,] ...)`,
//! which share the machinery (`ir::ode`).
//!
//! The first argument names a function of the `functions` block, which is
//! not a value; the typed call keeps it in its name, `solver@f` (see
//! [`split_ode_call`]), and the other arguments as ordinary arguments.
//! Lowering compiles `f` on its own (`lower/ode.rs`, `ir::ode`).

use super::typed::{Level, TypedExpr, TypedExprKind};
use super::types::{Axis, ElemType, Type};
use super::Checker;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{Expr, ExprKind, Ident};
use crate::syntax::span::Span;

/// The form of an ODE solver call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OdeForm {
    /// `integrate_ode_*`: arrays in and out, `theta`, `x_r`, `x_i`.
    Legacy,
    /// `ode_*`: a vector state, any arguments after `ts`.
    Variadic,
    /// `ode_*_tol`: the same with the three control arguments first.
    VariadicTol,
    /// `ode_adjoint_tol_ctl`: the variadic form with Stan's eleven
    /// controls of its adjoint solver first (see [`adjoint_args`]); solved
    /// like the others, with the forward tolerances.
    AdjointCtl,
    /// `algebra_solver`, `algebra_solver_newton`: `(f, y_guess, theta, x_r,
    /// x_i [, rel_tol, f_tol, max_steps])` with `f(y, theta, x_r, x_i)`.
    RootLegacy,
    /// `solve_newton`, `solve_powell`: `(f, y_guess, ...)` with `f(y, ...)`.
    Root,
    /// `solve_newton_tol`, `solve_powell_tol`: the same with three
    /// controls after `y_guess`.
    RootTol,
    /// `integrate_1d(f, a, b, theta, x_r, x_i [, relative_tolerance])` with
    /// `f(x, xc, theta, x_r, x_i)` returning a `real`.
    Integral,
    /// `dae(F, yy0, yp0, t0, ts, ...)`: the residual `vector F(real t,
    /// vector yy, vector yp, ...)` of an index-1 DAE `F = 0`.
    Dae,
    /// `dae_tol`: the same with the three controls after `ts`.
    DaeTol,
}

impl OdeForm {
    /// Whether the call finds a root of an algebraic system rather than
    /// integrating an ODE.
    pub fn is_root(self) -> bool {
        matches!(self, OdeForm::RootLegacy | OdeForm::Root | OdeForm::RootTol)
    }

    /// Whether the call solves a DAE (its arguments start `yy0, yp0, t0,
    /// ts`, one more than an ODE's `y0, t0, ts`).
    pub fn is_dae(self) -> bool {
        matches!(self, OdeForm::Dae | OdeForm::DaeTol)
    }

    /// The positions (0-based, after the function) of `t0` and `ts`.
    pub fn time_args(self) -> (usize, usize) {
        if self.is_dae() {
            (2, 3)
        } else {
            (1, 2)
        }
    }
}

/// How many control arguments `ode_adjoint_tol_ctl` takes after `ts`.
pub const ADJOINT_CONTROLS: usize = 11;

/// The form of `name` when it is an ODE solver hbmc has.
pub fn ode_form(name: &str) -> Option<OdeForm> {
    match name {
        "integrate_ode_rk45" | "integrate_ode_bdf" | "integrate_ode_adams" => Some(OdeForm::Legacy),
        "ode_rk45" | "ode_bdf" | "ode_adams" | "ode_ckrk" => Some(OdeForm::Variadic),
        "ode_rk45_tol" | "ode_bdf_tol" | "ode_adams_tol" | "ode_ckrk_tol" => Some(OdeForm::VariadicTol),
        "ode_adjoint_tol_ctl" => Some(OdeForm::AdjointCtl),
        "algebra_solver" | "algebra_solver_newton" => Some(OdeForm::RootLegacy),
        "solve_newton" | "solve_powell" => Some(OdeForm::Root),
        "solve_newton_tol" | "solve_powell_tol" => Some(OdeForm::RootTol),
        "integrate_1d" => Some(OdeForm::Integral),
        "dae" => Some(OdeForm::Dae),
        "dae_tol" => Some(OdeForm::DaeTol),
        _ => None,
    }
}

/// A typed ODE call's solver and right-hand side, from its `func`
/// (`solver@f`).
pub fn split_ode_call(func: &str) -> Option<(&str, &str)> {
    let (solver, f) = func.split_once('@')?;
    ode_form(solver).map(|_| (solver, f))
}

/// What an argument after `f` must be: its description and test.
type ArgRule = (&'static str, fn(&Type) -> bool);

/// The rules of the legacy form's arguments after `f`.
fn legacy_args() -> Vec<ArgRule> {
    vec![
        ("the initial state `y0`, an `array[] real`", is_real_array),
        ("the initial time `t0`, a `real`", is_real_scalar),
        ("the output times `ts`, an `array[] real`", is_real_array),
        ("the parameters `theta`, an `array[] real`", is_real_array),
        ("the real data `x_r`, an `array[] real`", is_real_array),
        ("the integer data `x_i`, an `array[] int`", is_int_array),
        ("the relative tolerance, a `real`", is_real_scalar),
        ("the absolute tolerance, a `real`", is_real_scalar),
        // Stan's deprecated signatures take it as a real (`5e2`).
        ("the maximum number of steps, a number", is_real_scalar),
    ]
}

/// The rules of the variadic forms' arguments before the passed ones.
fn variadic_args(tol: bool) -> Vec<ArgRule> {
    let mut v: Vec<ArgRule> = vec![
        ("the initial state `y0`, a `vector`", is_vector),
        ("the initial time `t0`, a `real`", is_real_scalar),
        ("the output times `ts`, an `array[] real`", is_real_array),
    ];
    if tol {
        v.push(("the relative tolerance, a `real`", is_real_scalar));
        v.push(("the absolute tolerance, a `real`", is_real_scalar));
        v.push(("the maximum number of steps, an `int`", is_int_scalar));
    }
    v
}

/// The rules of the DAE solvers' arguments before the passed ones.
fn dae_args(tol: bool) -> Vec<ArgRule> {
    let mut v: Vec<ArgRule> = vec![
        ("the initial state `yy0`, a `vector`", is_vector),
        ("the initial derivative `yp0`, a `vector`", is_vector),
        ("the initial time `t0`, a `real`", is_real_scalar),
        ("the output times `ts`, an `array[] real`", is_real_array),
    ];
    if tol {
        v.push(("the relative tolerance, a `real`", is_real_scalar));
        v.push(("the absolute tolerance, a `real`", is_real_scalar));
        v.push(("the maximum number of steps, an `int`", is_int_scalar));
    }
    v
}

/// The rules of `ode_adjoint_tol_ctl`'s arguments before the passed ones,
/// in Stan's order.
fn adjoint_args() -> Vec<ArgRule> {
    let mut v = variadic_args(false);
    v.extend::<[ArgRule; ADJOINT_CONTROLS]>([
        ("the forward relative tolerance `rel_tol_forward`, a `real`", is_real_scalar),
        ("the forward absolute tolerances `abs_tol_forward`, a `vector` (one per state)", is_vector),
        ("the backward relative tolerance `rel_tol_backward`, a `real`", is_real_scalar),
        ("the backward absolute tolerances `abs_tol_backward`, a `vector` (one per state)", is_vector),
        ("the quadrature relative tolerance `rel_tol_quadrature`, a `real`", is_real_scalar),
        ("the quadrature absolute tolerance `abs_tol_quadrature`, a `real`", is_real_scalar),
        ("the maximum number of steps `max_num_steps`, an `int`", is_int_scalar),
        ("the number of steps between checkpoints `num_steps_between_checkpoints`, an `int`", is_int_scalar),
        ("the interpolation polynomial `interpolation_polynomial`, an `int` (1 or 2)", is_int_scalar),
        ("the forward solver `solver_forward`, an `int` (1 or 2)", is_int_scalar),
        ("the backward solver `solver_backward`, an `int` (1 or 2)", is_int_scalar),
    ]);
    v
}

/// The rules of the algebraic solvers' arguments before the passed ones
/// (all of them for the legacy form).
fn root_args(form: OdeForm, solver: &str) -> Vec<ArgRule> {
    let mut v: Vec<ArgRule> = vec![("the initial guess `y_guess`, a `vector`", is_vector)];
    match form {
        OdeForm::RootLegacy => v.extend::<[ArgRule; 6]>([
            ("the parameters `theta`, a `vector`", is_vector),
            ("the real data `x_r`, an `array[] real`", is_real_array),
            ("the integer data `x_i`, an `array[] int`", is_int_array),
            ("the relative tolerance, a `real`", is_real_scalar),
            ("the function tolerance, a `real`", is_real_scalar),
            ("the maximum number of steps, an `int`", is_int_scalar),
        ]),
        OdeForm::RootTol => {
            if solver.contains("newton") {
                v.push(("the scaling step `scaling_step`, a `real`", is_real_scalar));
            } else {
                v.push(("the relative tolerance `relative_tolerance`, a `real`", is_real_scalar));
            }
            v.push(("the function tolerance `function_tolerance`, a `real`", is_real_scalar));
            v.push(("the maximum number of steps `max_num_steps`, an `int`", is_int_scalar));
        }
        _ => {}
    }
    v
}

/// The rules of `integrate_1d`'s arguments after `f`.
fn integral_args() -> Vec<ArgRule> {
    vec![
        ("the lower limit `a`, a `real`", is_real_scalar),
        ("the upper limit `b`, a `real`", is_real_scalar),
        ("the parameters `theta`, an `array[] real`", is_real_array),
        ("the real data `x_r`, an `array[] real`", is_real_array),
        ("the integer data `x_i`, an `array[] int`", is_int_array),
        ("the relative tolerance, a `real`", is_real_scalar),
    ]
}

/// Whether argument `k` (0-based, after `f`) of a call of `form` must be
/// data: the controls of every form that has them, as Stan declares them,
/// and the legacy algebraic solver's `x_r`.
fn must_be_data(form: OdeForm, k: usize) -> bool {
    match form {
        OdeForm::AdjointCtl => k >= 3,
        OdeForm::RootLegacy => k == 2 || k >= 4,
        OdeForm::RootTol => (1..4).contains(&k),
        OdeForm::Integral => k == 3 || k == 5,
        _ => false,
    }
}

/// Where Stan's functions reference describes `form`, for the help.
fn reference(form: OdeForm) -> &'static str {
    match form {
        OdeForm::Integral => "1D integrator",
        _ if form.is_root() => "algebraic solvers",
        _ if form.is_dae() => "DAE solvers",
        _ => "ODE solvers",
    }
}

fn is_real_scalar(t: &Type) -> bool {
    t.is_scalar()
}
fn is_int_scalar(t: &Type) -> bool {
    t.is_int_scalar()
}
fn is_real_array(t: &Type) -> bool {
    t.array.len() == 1 && t.elem.is_scalar()
}
fn is_int_array(t: &Type) -> bool {
    t.array.len() == 1 && t.elem.is_int()
}
fn is_vector(t: &Type) -> bool {
    t.array.is_empty() && matches!(t.elem, ElemType::Vector(_))
}

impl Checker {
    /// Checks an ODE solver call; `None` after reporting what is wrong.
    pub(super) fn check_ode_call(&mut self, func: &Ident, form: OdeForm, args: &[Expr], span: Span) -> Option<TypedExpr> {
        let solver = &func.name;
        let Some(first) = args.first() else {
            self.report(
                Diagnostic::error("E1002", format!("`{solver}` needs the right-hand side function as its first argument"))
                    .with_label(span, "no arguments")
                    .with_help(format!("write `{solver}(f, y0, t0, ts, ...)` with `f` a function of the `functions` block")),
            );
            return None;
        };
        let ExprKind::Var(f) = &first.kind else {
            self.report(
                Diagnostic::error("E1002", format!("the first argument of `{solver}` must name a function"))
                    .with_label(first.span, "not a function name")
                    .with_help("pass the name of the right-hand side, a function of the `functions` block"),
            );
            return None;
        };
        let mut typed = Vec::with_capacity(args.len() - 1);
        for a in &args[1..] {
            typed.push(self.check_expr(a)?);
        }
        let expected = match form {
            OdeForm::Legacy => legacy_args(),
            OdeForm::Variadic => variadic_args(false),
            OdeForm::VariadicTol => variadic_args(true),
            OdeForm::AdjointCtl => adjoint_args(),
            OdeForm::RootLegacy | OdeForm::Root | OdeForm::RootTol => root_args(form, solver),
            OdeForm::Integral => integral_args(),
            OdeForm::Dae => dae_args(false),
            OdeForm::DaeTol => dae_args(true),
        };
        let count_ok = match form {
            OdeForm::Legacy => typed.len() == 6 || typed.len() == 9,
            OdeForm::RootLegacy => typed.len() == 4 || typed.len() == 7,
            OdeForm::Integral => typed.len() == 5 || typed.len() == 6,
            _ => typed.len() >= expected.len(),
        };
        if !count_ok {
            let want = match form {
                OdeForm::Legacy => "`(f, y0, t0, ts, theta, x_r, x_i)`, optionally followed by `rel_tol, abs_tol, max_num_steps`".to_string(),
                OdeForm::Variadic => "`(f, y0, t0, ts, ...)`".to_string(),
                OdeForm::VariadicTol => "`(f, y0, t0, ts, rel_tol, abs_tol, max_num_steps, ...)`".to_string(),
                OdeForm::AdjointCtl => "`(f, y0, t0, ts, rel_tol_forward, abs_tol_forward, rel_tol_backward, abs_tol_backward, \
                    rel_tol_quadrature, abs_tol_quadrature, max_num_steps, num_steps_between_checkpoints, \
                    interpolation_polynomial, solver_forward, solver_backward, ...)`"
                    .to_string(),
                OdeForm::RootLegacy => "`(f, y_guess, theta, x_r, x_i)`, optionally followed by `rel_tol, f_tol, max_steps`".to_string(),
                OdeForm::Root => "`(f, y_guess, ...)`".to_string(),
                OdeForm::RootTol if solver.contains("newton") => {
                    "`(f, y_guess, scaling_step, function_tolerance, max_num_steps, ...)`".to_string()
                }
                OdeForm::RootTol => "`(f, y_guess, relative_tolerance, function_tolerance, max_num_steps, ...)`".to_string(),
                OdeForm::Integral => "`(f, a, b, theta, x_r, x_i)`, optionally followed by `relative_tolerance`".to_string(),
                OdeForm::Dae => "`(F, yy0, yp0, t0, ts, ...)`".to_string(),
                OdeForm::DaeTol => "`(F, yy0, yp0, t0, ts, rel_tol, abs_tol, max_num_steps, ...)`".to_string(),
            };
            let reference = reference(form);
            self.report(
                Diagnostic::error("E1002", format!("`{solver}` takes {want}; this call has {} arguments", args.len()))
                    .with_label(span, "wrong number of arguments")
                    .with_help(format!("see the {reference} in Stan's functions reference")),
            );
            return None;
        }
        let reference = reference(form);
        for (k, (t, (what, ok))) in typed.iter().zip(&expected).enumerate() {
            if !ok(&t.ty) {
                let found = self.show(&t.ty);
                self.report(
                    Diagnostic::error("E1002", format!("argument {} of `{solver}` must be {what}, found `{found}`", k + 2))
                        .with_label(t.span, "wrong type")
                        .with_help(format!("see the {reference} in Stan's functions reference")),
                );
                return None;
            }
            // Stan declares these `data`.
            if must_be_data(form, k) && t.level == Level::Param {
                let help = if form == OdeForm::RootLegacy && k == 2 {
                    "pass parameters in `theta`, or use `solve_powell`/`solve_newton`, which take parameters in any argument"
                } else if form == OdeForm::Integral && k == 3 {
                    "pass parameters in `theta`"
                } else {
                    "the solver's controls are data in Stan: compute them from data or constants"
                };
                self.report(
                    Diagnostic::error("E1002", format!("argument {} of `{solver}`, {what}, must be data", k + 2))
                        .with_label(t.span, "depends on parameters")
                        .with_help(help),
                );
                return None;
            }
        }
        self.check_system_signature(solver, form, f, &typed)?;
        let ty = match form {
            OdeForm::Legacy => Type::array_of(vec![Axis::Anon, Axis::Anon], ElemType::Real),
            OdeForm::RootLegacy | OdeForm::Root | OdeForm::RootTol => Type::vector(Axis::Anon),
            OdeForm::Integral => Type::real(),
            _ => Type::array_of(vec![Axis::Anon], ElemType::Vector(Axis::Anon)),
        };
        let level = typed.iter().map(|t| t.level).max().unwrap_or(Level::Data);
        Some(TypedExpr { kind: TypedExprKind::Call { func: format!("{solver}@{}", f.name), args: typed }, ty, level, span })
    }
}
