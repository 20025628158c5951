//! The prediction transform (`hbmc predict`): new units seldom come with
//! outcomes, and predict never evaluates the log density, so an outcome
//! that only the likelihood reads need not be given. Such an outcome,
//! when the new data leave it out, is dropped from the data block, and the
//! model block with it; an outcome anything else reads (a `log_lik` in
//! generated quantities, a transformed parameter, transformed data, a size
//! or bound) stays required, and binding says it is missing.

use crate::check::outcomes::outcomes;
use crate::check::env::VarOrigin;
use crate::check::typed::{TypedProgram, TypedStmtKind, VarId};
use crate::syntax::ast::BlockKind;

/// The program without the outcomes for which `given` is false and that
/// nothing but the model block reads, and their names; the program
/// unchanged when there are none.
pub fn prediction_program(program: &TypedProgram, given: impl Fn(&str) -> bool) -> (TypedProgram, Vec<String>) {
    let droppable: Vec<VarId> = outcomes(program)
        .into_iter()
        .filter(|&v| matches!(program.var(v).origin, VarOrigin::Block(BlockKind::Data)))
        .filter(|&v| !given(&program.var(v).name))
        .filter(|&v| !read_outside_the_model_block(program, v))
        .collect();
    if droppable.is_empty() {
        return (program.clone(), Vec::new());
    }
    let mut out = program.clone();
    for block in &mut out.blocks {
        match block.kind {
            BlockKind::Model => block.stmts.clear(),
            BlockKind::Data => {
                block.stmts.retain(|s| !matches!(&s.kind, TypedStmtKind::Decl(d) if droppable.contains(&d.var)));
            }
            _ => {}
        }
    }
    (out, droppable.into_iter().map(|v| program.var(v).name.clone()).collect())
}

/// Whether a statement outside the model block reads `v`, other than its
/// own declaration.
fn read_outside_the_model_block(program: &TypedProgram, v: VarId) -> bool {
    program.blocks.iter().filter(|b| b.kind != BlockKind::Model).flat_map(|b| &b.stmts).any(|s| {
        let own_decl = matches!(&s.kind, TypedStmtKind::Decl(d) if d.var == v);
        !own_decl && s.mentions(|w| w == v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: &str = r#"
dims { obs; }
data { vector[obs] x; vector[obs] y; array[obs] int<lower=0, upper=1> w; }
parameters { real b; real<lower=0> s; }
model {
  b ~ normal(0, 1);
  s ~ normal(0, 1);
  y ~ normal(b * x, s);
  w ~ bernoulli_logit(b * x);
}
generated quantities {
  vector[obs] y_rep = to_vector(normal_rng(b * x, s));
  vector[obs] log_lik_w;
  for (n in obs) log_lik_w[n] = bernoulli_logit_lpmf(w[n] | b * x[n]);
}
"#;

    fn data_names(p: &TypedProgram) -> Vec<String> {
        p.decls(BlockKind::Data).map(|d| p.var(d.var).name.clone()).collect()
    }

    #[test]
    fn an_outcome_only_the_likelihood_reads_may_be_left_out() {
        let program = crate::front_end(MODEL).typed.expect("checks");
        let (p, dropped) = prediction_program(&program, |n| n == "x");
        // `w` is read by log_lik_w, so it stays required.
        assert_eq!(dropped, vec!["y".to_string()]);
        assert_eq!(data_names(&p), vec!["x", "w"]);
        assert!(p.block(BlockKind::Model).is_none_or(|b| b.stmts.is_empty()));
    }

    #[test]
    fn a_given_outcome_is_kept_and_the_program_unchanged() {
        let program = crate::front_end(MODEL).typed.expect("checks");
        let (p, dropped) = prediction_program(&program, |_| true);
        assert!(dropped.is_empty());
        assert_eq!(p, program);
    }
}
