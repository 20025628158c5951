//! The simulation transform (`hbmc simulate`, the `do` of the documents):
//! a checked program becomes one that draws every parameter that is not
//! fixed from its prior and then the observed data from the likelihood.
//!
//! The new program has no parameters and no model block. Its data are the
//! original data minus the *outcomes* (data variables on the left of `~`)
//! plus the *fixed* parameters; its generated quantities are, in order: the
//! drawn parameters and their prior draws (`~` on a parameter becomes a
//! [`TypedStmtKind::Draw`], redrawn within the declared bounds), the
//! transformed parameters, the model block's other statements, then the
//! outcomes and their draws. Lowering turns it into a `Generate` function
//! like any other program.

use crate::check::env::VarOrigin;
use crate::check::types::Type;
use crate::check::typed::{
    Constraint, Level, Size, TypedBlock, TypedDecl, TypedExpr, TypedExprKind, TypedProgram, TypedStmt, TypedStmtKind, VarId,
};
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{AssignOp, BlockKind};
use crate::syntax::span::Span;
use std::collections::HashSet;

mod predict;
mod prior;
pub use predict::prediction_program;
pub use prior::prior_program;

/// Distributions whose `_rng` draws a whole vector or matrix.
const MULTIVARIATE_DRAWS: &[&str] = &["multi_normal", "multi_normal_cholesky", "lkj_corr_cholesky"];

/// A simulation program and what it draws.
#[derive(Clone, Debug)]
pub struct Simulation {
    pub program: TypedProgram,
    /// Parameters drawn from their priors.
    pub drawn: Vec<VarId>,
    /// Data variables drawn from the likelihood.
    pub outcomes: Vec<VarId>,
}

/// Builds the simulation program; `fixed` names parameters whose values
/// will be given as data.
pub fn simulation_program(program: &TypedProgram, fixed: &[String]) -> Result<Simulation, Vec<Diagnostic>> {
    let param_decls: Vec<TypedDecl> = program.decls(BlockKind::Parameters).cloned().collect();
    let data_decls: Vec<TypedDecl> = program.decls(BlockKind::Data).cloned().collect();
    let is_param = |v: VarId| param_decls.iter().any(|d| d.var == v);
    let is_data = |v: VarId| data_decls.iter().any(|d| d.var == v);
    let mut errors = Vec::new();
    for name in fixed {
        if !param_decls.iter().any(|d| program.var(d.var).name == *name) {
            let names: Vec<&str> = param_decls.iter().map(|d| program.var(d.var).name.as_str()).collect();
            let mut diag = Diagnostic::error("E6001", format!("`--fix {name}=...`: the model has no parameter `{name}`"));
            if let Some((block, span)) = declaration(program, name) {
                diag = diag.with_label(span, what_it_is(name, block));
                diag = match block {
                    BlockKind::TransformedParameters => diag.with_note(format!("fix the parameters `{name}` is computed from instead")),
                    BlockKind::Data => diag.with_note(format!(
                        "give `{name}` in the --data file; simulate draws the likelihood's outcomes and keeps the rest of the data as given"
                    )),
                    _ => diag,
                };
            }
            errors.push(diag.with_help(format!("parameters: {}", names.join(", "))));
        }
    }
    let fixed_ids: HashSet<VarId> =
        param_decls.iter().filter(|d| fixed.contains(&program.var(d.var).name)).map(|d| d.var).collect();

    // Split the model block: statements that draw parameters, and the rest.
    let model: Vec<TypedStmt> =
        program.block(BlockKind::Model).map(|b| b.stmts.iter().flat_map(split_array_tilde).collect()).unwrap_or_default();
    // Priors with the variables they draw.
    let mut priors: Vec<(TypedStmt, Vec<VarId>)> = Vec::new();
    let mut likelihood = Vec::new();
    let mut outcomes: Vec<VarId> = Vec::new();
    let mut prior_targets: HashSet<VarId> = HashSet::new();
    for s in &model {
        let mut roots = Vec::new();
        if let Err(d) = tilde_roots(s, &mut roots) {
            errors.push(d);
            continue;
        }
        let on_params = roots.iter().filter(|(v, _)| is_param(*v)).count();
        let on_data = roots.iter().filter(|(v, _)| is_data(*v)).count();
        if let Some((v, span)) = roots.iter().find(|(v, _)| !is_param(*v) && !is_data(*v)) {
            let name = &program.var(*v).name;
            let mut diag = Diagnostic::error("E6002", format!("cannot simulate `{name}`: `~` must have a parameter or a data variable on its left"))
                .with_help("simulation draws parameters from their priors and data from the likelihood");
            // Neither can be drawn: its value is computed from what is.
            diag = match declaration(program, name) {
                Some((block @ BlockKind::TransformedData, decl)) => diag
                    .with_label(*span, what_it_is(name, block))
                    .with_label(decl, "declared here")
                    .with_note(format!("write the likelihood on the data variable `{name}` is computed from (a standardised outcome: put its centre and scale into the location and scale of the likelihood instead)")),
                Some((block @ BlockKind::TransformedParameters, decl)) => diag
                    .with_label(*span, what_it_is(name, block))
                    .with_label(decl, "declared here")
                    .with_note(format!("put the prior on the parameters `{name}` is computed from, or give them with `--fix`")),
                _ => diag.with_label(*span, "not a parameter or data"),
            };
            errors.push(diag);
            continue;
        }
        if on_params > 0 && on_data > 0 {
            errors.push(
                Diagnostic::error("E6002", "cannot simulate a block that draws both parameters and data")
                    .with_label(s.span, "split this into a prior part and a likelihood part"),
            );
            continue;
        }
        if on_params > 0 {
            let all_fixed = roots.iter().all(|(v, _)| fixed_ids.contains(v));
            if !all_fixed {
                prior_targets.extend(roots.iter().map(|(v, _)| *v));
                match to_draws(program, s, &param_decls) {
                    Ok(t) => priors.push((t, roots.iter().map(|(v, _)| *v).collect())),
                    Err(d) => errors.push(d),
                }
            }
        } else {
            for (v, _) in &roots {
                if !outcomes.contains(v) {
                    outcomes.push(*v);
                }
            }
            match to_draws(program, s, &data_decls) {
                Ok(t) => likelihood.push(t),
                Err(d) => errors.push(d),
            }
        }
    }
    let drawn: Vec<VarId> = param_decls.iter().map(|d| d.var).filter(|v| !fixed_ids.contains(v)).collect();
    for v in &drawn {
        if !prior_targets.contains(v) {
            errors.push(
                Diagnostic::error("E6003", format!("`{}` has no prior to draw it from", program.var(*v).name))
                    .with_label(program.var(*v).span, "declared here")
                    .with_help(format!("give its value with `--fix {}=...`, or add `{} ~ ...` to the model block", program.var(*v).name, program.var(*v).name)),
            );
        }
    }
    // A prior may read transformed parameters (`theta ~ normal(eta, s)`):
    // it is drawn after the transformed parameters, which must then not
    // need what it draws.
    let tp_stmts: Vec<TypedStmt> = program.block(BlockKind::TransformedParameters).map(|b| b.stmts.clone()).unwrap_or_default();
    let tp_vars: HashSet<VarId> = program.decls(BlockKind::TransformedParameters).map(|d| d.var).collect();
    let mut tp_reads: HashSet<VarId> = HashSet::new();
    tp_stmts.iter().for_each(|s| s.for_each_var(&mut |v| {
        tp_reads.insert(v);
    }));
    let (priors_after_tp, priors): (Vec<_>, Vec<_>) = priors.into_iter().partition(|(s, _)| s.mentions(|v| tp_vars.contains(&v)));
    for (s, roots) in &priors_after_tp {
        if let Some(v) = roots.iter().find(|v| tp_reads.contains(v)) {
            errors.push(
                Diagnostic::error(
                    "E6005",
                    format!("cannot simulate `{}`: its prior reads transformed parameters, which need `{}` themselves", program.var(*v).name, program.var(*v).name),
                )
                .with_label(s.span, "this prior reads a transformed parameter")
                .with_help(format!("write the prior in terms of parameters, or fix `{}` with `--fix`", program.var(*v).name)),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut vars = program.vars.clone();
    let decl_stmt = |d: &TypedDecl| TypedStmt { kind: TypedStmtKind::Decl(d.clone()), span: d.span };
    let mut data_block: Vec<TypedStmt> = data_decls.iter().filter(|d| !outcomes.contains(&d.var)).map(decl_stmt).collect();
    data_block.extend(param_decls.iter().filter(|d| fixed_ids.contains(&d.var)).map(|d| {
        vars[d.var].origin = VarOrigin::Block(BlockKind::Data);
        decl_stmt(d)
    }));
    let mut gq: Vec<TypedStmt> = Vec::new();
    for d in param_decls.iter().filter(|d| !fixed_ids.contains(&d.var)) {
        vars[d.var].origin = VarOrigin::Block(BlockKind::GeneratedQuantities);
        gq.push(decl_stmt(&TypedDecl { constraint: Constraint::None, init: None, ..d.clone() }));
    }
    gq.extend(priors.into_iter().map(|(s, _)| s));
    gq.extend(tp_stmts);
    gq.extend(priors_after_tp.into_iter().map(|(s, _)| s));
    for d in data_decls.iter().filter(|d| outcomes.contains(&d.var)) {
        vars[d.var].origin = VarOrigin::Block(BlockKind::GeneratedQuantities);
        gq.push(decl_stmt(&TypedDecl { constraint: Constraint::None, init: None, ..d.clone() }));
    }
    gq.extend(likelihood);
    let mut blocks = vec![TypedBlock { kind: BlockKind::Data, stmts: data_block }];
    if let Some(td) = program.block(BlockKind::TransformedData) {
        blocks.push(td.clone());
    }
    blocks.push(TypedBlock { kind: BlockKind::GeneratedQuantities, stmts: gq });
    Ok(Simulation {
        program: TypedProgram {
            dims: program.dims.clone(),
            vars,
            functions: program.functions.clone(),
            function_defs: program.function_defs.clone(),
            tuple_outputs: program.tuple_outputs.clone(),
            prelude_home: program.prelude_home,
            blocks,
        },
        drawn,
        outcomes,
    })
}

/// `{a, b} ~ d(scalars)` as `a ~ d(scalars); b ~ d(scalars);`, so that
/// each element is drawn (or fixed) on its own; any other statement as it is.
fn split_array_tilde(s: &TypedStmt) -> Vec<TypedStmt> {
    match &s.kind {
        TypedStmtKind::Tilde { lhs, dist, lpdf, args, truncation } if args.iter().all(|a| a.ty.is_scalar()) => match &lhs.kind {
            TypedExprKind::ArrayExpr(items) => items
                .iter()
                .map(|item| TypedStmt {
                    kind: TypedStmtKind::Tilde {
                        lhs: item.clone(),
                        dist: dist.clone(),
                        lpdf: lpdf.clone(),
                        args: args.clone(),
                        truncation: truncation.clone(),
                    },
                    span: s.span,
                })
                .collect(),
            _ => vec![s.clone()],
        },
        _ => vec![s.clone()],
    }
}

/// The variables on the left of every `~` in a statement; refuses
/// statements simulation cannot run (`target +=`).
fn tilde_roots(s: &TypedStmt, out: &mut Vec<(VarId, Span)>) -> Result<(), Diagnostic> {
    match &s.kind {
        TypedStmtKind::Tilde { lhs, .. } => match lhs.root_var() {
            Some(v) => out.push((v, lhs.span)),
            None => {
                return Err(Diagnostic::error("E6002", "cannot simulate this `~`: its left side is not a variable")
                    .with_label(lhs.span, "write a variable, an indexed variable, or `to_vector(x)`"))
            }
        },
        TypedStmtKind::TargetPlus(e) => {
            return Err(Diagnostic::error("E6002", "cannot simulate a model with `target +=`")
                .with_label(e.span, "no distribution to draw from")
                .with_help("write the term as a `~` statement, or fix the parameters it involves"))
        }
        TypedStmtKind::For { body, .. } | TypedStmtKind::ForDim { body, .. } | TypedStmtKind::ForEach { body, .. } | TypedStmtKind::While { body, .. } => {
            tilde_roots(body, out)?
        }
        TypedStmtKind::If { then, otherwise, .. } => {
            tilde_roots(then, out)?;
            if let Some(o) = otherwise {
                tilde_roots(o, out)?;
            }
        }
        TypedStmtKind::Block(stmts) => {
            for s in stmts {
                tilde_roots(s, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The block and span of `name`'s declaration, for the blocks outside the
/// parameters whose variables a user may mistake for something to draw or
/// fix.
fn declaration(program: &TypedProgram, name: &str) -> Option<(BlockKind, Span)> {
    [BlockKind::Data, BlockKind::TransformedData, BlockKind::TransformedParameters, BlockKind::GeneratedQuantities]
        .into_iter()
        .find_map(|b| program.decls(b).find(|d| program.var(d.var).name == name).map(|d| (b, d.span)))
}

/// What a variable declared in `block` is, as a diagnostic's label says it.
fn what_it_is(name: &str, block: BlockKind) -> String {
    match block {
        BlockKind::Data => format!("`{name}` is data"),
        BlockKind::TransformedData => format!("`{name}` is transformed data, computed from the data"),
        BlockKind::TransformedParameters => format!("`{name}` is a transformed parameter, computed from the parameters"),
        BlockKind::GeneratedQuantities => format!("`{name}` is a generated quantity, computed after the draw"),
        _ => format!("`{name}` is declared here"),
    }
}

/// Distributions with a density but no draw (Stan has no `_rng` for them).
const NO_DRAWS: &[&str] = &["wiener", "wiener_sv", "wiener_full", "lkj_cov", "multi_gp", "multi_gp_cholesky", "multi_normal_prec"];

/// The statement with every `~` turned into a `Draw`, truncated to the
/// declared bounds of its variable.
fn to_draws(program: &TypedProgram, s: &TypedStmt, decls: &[TypedDecl]) -> Result<TypedStmt, Diagnostic> {
    let kind = match &s.kind {
        TypedStmtKind::Tilde { lhs, dist, args, truncation, .. } => {
            if NO_DRAWS.contains(&dist.as_str()) {
                let dist = crate::check::signatures::written_name(dist);
                return Err(Diagnostic::error("E6002", format!("cannot simulate `~ {dist}`: Stan defines no `{dist}_rng`, and neither does hbmc"))
                    .with_label(s.span, "no draw from this distribution")
                    .with_help("fix the variable on the left with data, or simulate it outside hbmc"));
            }
            let mut lhs = lhs.clone();
            if let TypedExprKind::Call { func, args: inner } = &lhs.kind {
                // `to_vector(z) ~ d(scalars)`: draw every element of z.
                if func == "to_vector" && args.iter().all(|a| a.ty.is_scalar()) {
                    lhs = inner[0].clone();
                } else {
                    return Err(Diagnostic::error("E6002", "cannot simulate `to_vector(x) ~ ...` with container arguments")
                        .with_label(lhs.span, "draw into `x` directly"));
                }
            }
            let root = lhs.root_var().ok_or_else(|| Diagnostic::error("E6002", "cannot simulate this `~`").with_label(lhs.span, "left side"))?;
            let decl = decls.iter().find(|d| d.var == root);
            // A multivariate prior draws its whole variate at once, as an
            // assignment; its draws already satisfy a Cholesky factor's
            // constraint, and there are no bounds to redraw within.
            if MULTIVARIATE_DRAWS.contains(&dist.as_str()) {
                let constraint = decl.map_or(&Constraint::None, |d| &d.constraint);
                let fits = matches!(constraint, Constraint::None)
                    || (dist == "lkj_corr_cholesky" && matches!(constraint, Constraint::CholeskyFactorCorr));
                if !fits {
                    return Err(Diagnostic::error(
                        "E6004",
                        format!("cannot simulate `{}` yet: `{dist}` draws for a `{}`", program.var(root).name, constraint.name()),
                    )
                    .with_label(lhs.span, "constrained type")
                    .with_help(format!("fix it with `--fix {}=...`", program.var(root).name)));
                }
                let mut rng_args = args.clone();
                if dist == "lkj_corr_cholesky" {
                    // `lkj_corr_cholesky_rng(K, eta)`: the size comes first.
                    let size = decl.and_then(|d| d.sizes.last()).map(|size| match size {
                        Size::Dim(dim) => TypedExprKind::DimSize(*dim),
                        Size::Expr(e) => e.kind.clone(),
                    });
                    let kind = size.ok_or_else(|| Diagnostic::error("E6002", "cannot simulate this `~`: no size for the Cholesky factor").with_label(lhs.span, "left side"))?;
                    rng_args.insert(0, TypedExpr { kind, ty: Type::int(), level: Level::Data, span: lhs.span });
                }
                let rhs = TypedExpr {
                    kind: TypedExprKind::Call { func: format!("{dist}_rng"), args: rng_args },
                    ty: lhs.ty.clone(),
                    level: lhs.level,
                    span: lhs.span,
                };
                return Ok(TypedStmt { kind: TypedStmtKind::Assign { lhs, op: AssignOp::Assign, rhs }, span: s.span });
            }
            let (lower, upper) = match decl.map(|d| &d.constraint) {
                Some(Constraint::Bounds { lower, upper }) => (lower.clone(), upper.clone()),
                // The affine transform changes how the sampler sees a
                // parameter, not the values it may take.
                Some(Constraint::None | Constraint::OffsetMultiplier { .. }) | None => (None, None),
                Some(other) => {
                    return Err(Diagnostic::error(
                        "E6004",
                        format!("cannot simulate `{}` yet: it is a `{}`", program.var(root).name, other.name()),
                    )
                    .with_label(lhs.span, "constrained type")
                    .with_help(format!("fix it with `--fix {}=...`", program.var(root).name)))
                }
            };
            // A truncation `T[a, b]` bounds the draw where it gives a bound.
            let (lower, upper) = match truncation {
                Some((lo, hi)) => (lo.clone().or(lower), hi.clone().or(upper)),
                None => (lower, upper),
            };
            TypedStmtKind::Draw { lhs, dist: dist.clone(), args: args.clone(), lower, upper }
        }
        TypedStmtKind::For { var, lower, upper, body } => TypedStmtKind::For {
            var: *var,
            lower: lower.clone(),
            upper: upper.clone(),
            body: Box::new(to_draws(program, body, decls)?),
        },
        TypedStmtKind::ForDim { var, dim, body } => {
            TypedStmtKind::ForDim { var: *var, dim: *dim, body: Box::new(to_draws(program, body, decls)?) }
        }
        TypedStmtKind::ForEach { var, over, body } => {
            TypedStmtKind::ForEach { var: *var, over: over.clone(), body: Box::new(to_draws(program, body, decls)?) }
        }
        TypedStmtKind::If { cond, then, otherwise } => TypedStmtKind::If {
            cond: cond.clone(),
            then: Box::new(to_draws(program, then, decls)?),
            otherwise: match otherwise {
                Some(o) => Some(Box::new(to_draws(program, o, decls)?)),
                None => None,
            },
        },
        TypedStmtKind::Block(stmts) => {
            TypedStmtKind::Block(stmts.iter().map(|s| to_draws(program, s, decls)).collect::<Result<_, _>>()?)
        }
        other => other.clone(),
    };
    Ok(TypedStmt { kind, span: s.span })
}
