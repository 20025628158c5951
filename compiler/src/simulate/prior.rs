//! The prior transform (`hbmc run --prior`): the same program without its
//! likelihood, so that sampling it draws the parameters from their prior
//! and its generated quantities (`y_rep`) are prior predictive draws, as
//! Stan users get by switching the likelihood off and PyMC users from
//! `sample_prior_predictive`.
//!
//! The likelihood is, at any depth of loops and conditionals of the model
//! block, every `~` whose left side reads a data or transformed-data
//! variable (the observed variate), and every `target +=` whose expression
//! reads one. A prior may read data on its right (`alpha ~ normal(mu +
//! theta * z_g, s)`) and stays; a prior written as `target +=` with data in
//! it would go, which is why `hbmc run --prior` prints how many statements
//! it removed. Everything else stays as written.

use crate::check::env::VarOrigin;
use crate::check::typed::{TypedProgram, TypedStmt, TypedStmtKind, VarId};
use crate::syntax::ast::BlockKind;

/// The program with every likelihood statement of its model block (and of
/// `_lp` functions called in transformed parameters) removed,
/// and how many were removed.
pub fn prior_program(program: &TypedProgram) -> (TypedProgram, usize) {
    let is_data = |v: VarId| {
        matches!(program.var(v).origin, VarOrigin::Block(BlockKind::Data) | VarOrigin::Block(BlockKind::TransformedData))
    };
    let mut removed = 0;
    let mut out = program.clone();
    // Transformed parameters too: a `_lp` function called there may hold
    // a `~` or `target +=` on data.
    for block in out.blocks.iter_mut().filter(|b| matches!(b.kind, BlockKind::Model | BlockKind::TransformedParameters)) {
        block.stmts = std::mem::take(&mut block.stmts).into_iter().filter_map(|s| without_likelihood(s, &is_data, &mut removed)).collect();
    }
    (out, removed)
}

/// The statement without its likelihood terms; `None` when nothing is left.
fn without_likelihood(s: TypedStmt, is_data: &impl Fn(VarId) -> bool, removed: &mut usize) -> Option<TypedStmt> {
    use TypedStmtKind as K;
    let likelihood = match &s.kind {
        K::Tilde { lhs, .. } => lhs.mentions(is_data),
        K::TargetPlus(e) => e.mentions(is_data),
        _ => false,
    };
    let span = s.span;
    let kind = match s.kind {
        _ if likelihood => {
            *removed += 1;
            return None;
        }
        K::For { var, lower, upper, body } => K::For { var, lower, upper, body: Box::new(without_likelihood(*body, is_data, removed)?) },
        K::ForDim { var, dim, body } => K::ForDim { var, dim, body: Box::new(without_likelihood(*body, is_data, removed)?) },
        K::ForEach { var, over, body } => K::ForEach { var, over, body: Box::new(without_likelihood(*body, is_data, removed)?) },
        K::While { cond, body } => K::While { cond, body: Box::new(without_likelihood(*body, is_data, removed)?) },
        K::If { cond, then, otherwise } => {
            let then = without_likelihood(*then, is_data, removed).unwrap_or(TypedStmt { kind: K::Empty, span });
            let otherwise = otherwise.and_then(|o| without_likelihood(*o, is_data, removed)).map(Box::new);
            K::If { cond, then: Box::new(then), otherwise }
        }
        K::Block(stmts) => {
            let had = !stmts.is_empty();
            let kept: Vec<TypedStmt> = stmts.into_iter().filter_map(|s| without_likelihood(s, is_data, removed)).collect();
            if had && kept.is_empty() {
                return None;
            }
            K::Block(kept)
        }
        other => other,
    };
    Some(TypedStmt { kind, span })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model_stmts(src: &str) -> (usize, String) {
        let fe = crate::front_end(src);
        let program = fe.typed.expect("checks");
        let (prior, removed) = prior_program(&program);
        let model = prior.block(BlockKind::Model).expect("model block");
        (removed, format!("{:?}", model.stmts.iter().map(|s| std::mem::discriminant(&s.kind)).collect::<Vec<_>>()))
    }

    #[test]
    fn drops_every_statement_that_reads_data_and_keeps_priors() {
        let src = r#"
dims { obs; group; }
data { array[obs] group g; vector[obs] y; vector[group] z_g; }
transformed data { vector[obs] y2 = 2 * y; }
parameters { vector[group] a; real<lower=0> s; }
model {
  a ~ normal(z_g, 1);
  s ~ normal(0, 1);
  y ~ normal(a[g], s);
  for (i in obs) { y2[i] ~ normal(a[g[i]], s); }
  target += normal_lpdf(y | 0, s);
  target += -s;
}
"#;
        let (removed, kinds) = model_stmts(src);
        assert_eq!(removed, 3, "the vectorised ~, the loop's ~ on transformed data, and target += over y");
        // Left: the two priors (one reading data on its right) and
        // `target += -s`; the emptied loop is gone.
        assert_eq!(kinds.matches("Discriminant").count(), 3, "{kinds}");
    }

    #[test]
    fn drops_the_likelihood_of_an_lp_function_called_in_transformed_parameters() {
        let src = r#"
functions {
  real fit_lp(vector y, real mu, real s) { mu ~ normal(0, 5); y ~ normal(mu, s); target += -s; return mu; }
  real upper_jacobian(real x) { jacobian += x; return 1 - exp(x); }
}
data { int N; vector[N] y; }
parameters { real mu; real s_raw; }
transformed parameters { real m = fit_lp(y, mu, upper_jacobian(s_raw)); }
model { }
"#;
        let fe = crate::front_end(src);
        assert!(fe.diagnostics.is_empty(), "{:?}", fe.diagnostics);
        let program = fe.typed.expect("checks");
        let (prior, removed) = prior_program(&program);
        assert_eq!(removed, 1, "the ~ on y");
        // What is left adds the prior on mu, `target += -s` and the
        // Jacobian term.
        let mut left = Vec::new();
        for s in &prior.block(BlockKind::TransformedParameters).expect("transformed parameters").stmts {
            s.for_each_stmt(&mut |s| match &s.kind {
                TypedStmtKind::Tilde { dist, .. } => left.push(format!("~ {dist}")),
                TypedStmtKind::TargetPlus(_) => left.push("target +=".to_string()),
                TypedStmtKind::JacobianPlus(_) => left.push("jacobian +=".to_string()),
                _ => {}
            });
        }
        assert_eq!(left, ["jacobian +=", "~ normal", "target +="]);
    }
}
