//! The signature of the function an algebraic solver or `integrate_1d` is
//! given, compared with the call when the program is checked: a system of
//! another shape is reported here (E1002), naming the parameter and the
//! type the call passes, rather than when its own program is compiled.

use super::ode::OdeForm;
use super::reduce_sum::{declared_text, fits_declared};
use super::typed::TypedExpr;
use super::types::{Axis, Type};
use super::Checker;
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{FunDef, Ident};

/// The signature `form` needs, as Stan writes it, for the help.
fn wanted(form: OdeForm) -> &'static str {
    match form {
        OdeForm::RootLegacy => "vector f(vector y, vector theta, data array[] real x_r, array[] int x_i)",
        OdeForm::Integral => "real f(real x, real xc, array[] real theta, array[] real x_r, array[] int x_i)",
        OdeForm::Dae | OdeForm::DaeTol => "vector F(real t, vector yy, vector yp, ...)",
        _ => "vector f(vector y, ...)",
    }
}

impl Checker {
    /// Compares `f`'s definition with what a call of `form` passes it
    /// (`typed`: the call's arguments after `f`); `None` after reporting a
    /// mismatch. A name that is no function of the program is left to
    /// lowering, which says so.
    pub(super) fn check_system_signature(&mut self, solver: &str, form: OdeForm, f: &Ident, typed: &[TypedExpr]) -> Option<()> {
        let Some(def): Option<FunDef> = self.declared_functions.get(&f.name).cloned() else {
            return Some(());
        };
        let (result, passed): (&str, Vec<Type>) = match form {
            OdeForm::RootLegacy => ("vector", std::iter::once(Type::vector(Axis::Anon)).chain(typed[1..4].iter().map(|t| t.ty.clone())).collect()),
            OdeForm::Root => ("vector", std::iter::once(Type::vector(Axis::Anon)).chain(typed[1..].iter().map(|t| t.ty.clone())).collect()),
            OdeForm::RootTol => ("vector", std::iter::once(Type::vector(Axis::Anon)).chain(typed[4..].iter().map(|t| t.ty.clone())).collect()),
            OdeForm::Integral => ("real", [Type::real(), Type::real()].into_iter().chain(typed[2..5].iter().map(|t| t.ty.clone())).collect()),
            OdeForm::Dae | OdeForm::DaeTol => {
                let first = if form == OdeForm::Dae { 4 } else { 7 };
                let head = [Type::real(), Type::vector(Axis::Anon), Type::vector(Axis::Anon)];
                ("vector", head.into_iter().chain(typed[first..].iter().map(|t| t.ty.clone())).collect())
            }
            _ => return Some(()),
        };
        let after = if matches!(form, OdeForm::Root | OdeForm::RootTol) {
            ", with the arguments after `y_guess` (or after the controls) passed after `y`"
        } else if form.is_dae() {
            ", with the arguments after `ts` (or after the controls) passed after `yp`"
        } else {
            ""
        };
        let help = format!("`{solver}` needs `{}`{after}", wanted(form));
        let ret = &def.return_type;
        if ret.array_dims != 0 || ret.base != result {
            self.report(
                Diagnostic::error("E1002", format!("`{}` passed to `{solver}` must return a `{result}`, not `{}`", f.name, declared_text(ret)))
                    .with_label(f.span, "passed here")
                    .with_label(ret.span, "declared here")
                    .with_help(help),
            );
            return None;
        }
        if def.params.len() != passed.len() {
            self.report(
                Diagnostic::error(
                    "E1002",
                    format!("`{}` passed to `{solver}` takes {} arguments, but the call gives it {}", f.name, def.params.len(), passed.len()),
                )
                .with_label(f.span, "passed here")
                .with_label(def.name.span, "declared here")
                .with_help(help),
            );
            return None;
        }
        for (k, (ty, p)) in passed.iter().zip(&def.params).enumerate() {
            if !fits_declared(ty, &p.ty) {
                let (found, want) = (self.show(ty), declared_text(&p.ty));
                self.report(
                    Diagnostic::error(
                        "E1002",
                        format!("argument {} `{}` of `{}` is declared `{want}`, but `{solver}` passes it a `{found}`", k + 1, p.name.name, f.name),
                    )
                    .with_label(f.span, "passed here")
                    .with_label(p.name.span, format!("declared `{want}`"))
                    .with_help(help),
                );
                return None;
            }
        }
        Some(())
    }
}
