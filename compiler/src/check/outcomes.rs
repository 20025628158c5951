//! Outcomes, the data the likelihood observes, and the transformed
//! parameters that read them. `hbmc predict` recomputes transformed
//! parameters from the new data, whose outcomes are often placeholders, so
//! a transformed parameter computed from an outcome (a reparameterisation
//! around the data, such as the conditional Electric Company examples)
//! would silently stop being the fit's: W0002 says so.

use super::env::VarOrigin;
use super::typed::{TypedProgram, TypedStmtKind, VarId};
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::BlockKind;

/// The data and transformed-data variables on the left of a `~` in the
/// model block, in the order they first appear.
pub fn outcomes(program: &TypedProgram) -> Vec<VarId> {
    let is_data = |v: VarId| {
        matches!(program.var(v).origin, VarOrigin::Block(BlockKind::Data) | VarOrigin::Block(BlockKind::TransformedData))
    };
    let mut out = Vec::new();
    for stmt in program.block(BlockKind::Model).map(|b| b.stmts.as_slice()).unwrap_or_default() {
        stmt.for_each_stmt(&mut |s| {
            if let TypedStmtKind::Tilde { lhs, .. } = &s.kind {
                if let Some(v) = lhs.root_var().filter(|v| is_data(*v) && !out.contains(v)) {
                    out.push(v);
                }
            }
        });
    }
    out
}

/// W0002 at the first read of an outcome in each statement of the
/// transformed parameters block.
pub fn outcome_reads_in_transformed_parameters(program: &TypedProgram) -> Vec<Diagnostic> {
    let outcomes = outcomes(program);
    let is_outcome = |v: VarId| outcomes.contains(&v);
    let mut warnings = Vec::new();
    for stmt in program.block(BlockKind::TransformedParameters).map(|b| b.stmts.as_slice()).unwrap_or_default() {
        let mut first = None;
        stmt.for_each_stmt(&mut |s| {
            for e in s.own_exprs() {
                if first.is_none() {
                    first = e.first_read(&is_outcome);
                }
            }
        });
        let Some(read) = first else { continue };
        let name = match &read.kind {
            super::typed::TypedExprKind::Var(v) => program.var(*v).name.clone(),
            _ => continue,
        };
        warnings.push(
            Diagnostic::warning(
                "W0002",
                format!("transformed parameters read the outcome `{name}`, so on new data they are recomputed from the new `{name}`"),
            )
            .with_label(read.span, format!("`{name}` is observed by the likelihood"))
            .with_help(format!(
                "where the new data's `{name}` are placeholders, these transformed parameters and the generated quantities \
                 computed from them are not the fit's; predict with a form of the model whose transformed parameters do \
                 not read `{name}`, or compute what is needed in generated quantities of the fit"
            )),
        );
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warnings(src: &str) -> Vec<Diagnostic> {
        let program = crate::front_end(src).typed.expect("checks");
        outcome_reads_in_transformed_parameters(&program)
    }

    #[test]
    fn a_transformed_parameter_reading_an_outcome_is_named() {
        let src = r#"
dims { obs; }
data { vector[obs] x; vector[obs] y; }
transformed data { vector[obs] ys = 2 * y; }
parameters { real a; real<lower=0> s; }
transformed parameters {
  real shift = a + mean(x);
  real centre;
  { centre = a + mean(ys); }
}
model { ys ~ normal(centre + shift, s); x ~ normal(0, 1); }
"#;
        let w = warnings(src);
        // `x` is observed too, so `shift` reading it is named; `centre`'s
        // block reads the observed `ys`.
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w.iter().all(|d| d.code == "W0002"));
        assert!(w[0].message.contains("outcome `x`"), "{}", w[0].message);
        assert!(w[1].message.contains("outcome `ys`"), "{}", w[1].message);
    }

    #[test]
    fn transformed_parameters_of_parameters_and_covariates_are_quiet() {
        let src = r#"
dims { obs; }
data { vector[obs] x; vector[obs] y; }
parameters { real a; real b; real<lower=0> s; }
transformed parameters { vector[obs] mu = a + b * x; }
model { y ~ normal(mu, s); }
"#;
        assert!(warnings(src).is_empty());
    }
}
