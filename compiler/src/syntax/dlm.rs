//! `gaussian_dlm_obs`, Stan's log likelihood of a Gaussian dynamic linear
//! model (`y[:, t] ~ N(F' theta_t, V)`, `theta_t ~ N(G theta_{t-1}, W)`,
//! `theta_0 ~ N(m0, C0)`), computed by the Kalman filter. It is written in
//! Stan ([`PRELUDE`]) and added to the programs that use it, whose `~`
//! statements and `_lpdf`/`_lupdf` calls of it become calls of that
//! function: the checker, AD and JIT then differentiate it as any user
//! function (its inverse and log determinant have their AD rules). `V` may
//! be a matrix or a vector of variances (a diagonal matrix), as in Stan:
//! `gaussian_dlm_obs_arg__` (checked in `check::expr`) makes the matrix.
//! As in Stan, `~` and `_lupdf` drop the constant `-r T log(2 pi) / 2`.

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::*;
use crate::syntax::span::Span;

/// The distribution's name.
pub const NAME: &str = "gaussian_dlm_obs";
/// The function computing it (a name ending in `__`, reserved: the
/// prelude is parsed as `gaussian_dlm_obs_filter` and renamed).
const FUNCTION: &str = "gaussian_dlm_obs__";
/// The checker's check of each argument, `ARG(k, x)` for the argument at
/// position `k` (`y` is 0), which makes a vector `V` (variances) its
/// diagonal matrix; `ARG(n)` says `n` arguments after `|` are too many or
/// too few.
pub const ARG: &str = "gaussian_dlm_obs_arg__";

/// The arguments' names and types, for the checker's messages.
pub const SLOTS: [(&str, &str); 7] =
    [("y", "matrix"), ("F", "matrix"), ("G", "matrix"), ("V", "matrix|vector"), ("W", "matrix"), ("m0", "vector"), ("C0", "matrix")];

/// Stan's signature, for messages.
pub const SIGNATURE: &str =
    "gaussian_dlm_obs(matrix y | matrix F, matrix G, matrix V (or vector V of variances), matrix W, vector m0, matrix C0)";

/// The Kalman filter: `y` is r x T (one column per time), `F` n x r, `G`
/// n x n, `V` r x r, `W` n x n, `m0` n, `C0` n x n. Each step predicts the
/// state (`a`, `R`) and the observation (`f`, `Q`), adds the observation's
/// log density, and updates the state with the gain `A`.
const PRELUDE: &str = "functions {
real gaussian_dlm_obs_filter(matrix y, matrix F, matrix G, matrix V, matrix W, vector m0, matrix C0, int with_constant) {
  int r = rows(y);
  int T = cols(y);
  int n = rows(G);
  if (cols(G) != n) reject(\"gaussian_dlm_obs: G must be square; it is \", rows(G), \" x \", cols(G));
  if (rows(F) != n || cols(F) != r) reject(\"gaussian_dlm_obs: F must be \", n, \" x \", r, \" (rows of G x rows of y); it is \", rows(F), \" x \", cols(F));
  if (rows(V) != r || cols(V) != r) reject(\"gaussian_dlm_obs: V must be \", r, \" x \", r, \" (rows of y); it is \", rows(V), \" x \", cols(V));
  if (rows(W) != n || cols(W) != n) reject(\"gaussian_dlm_obs: W must be \", n, \" x \", n, \" (rows of G); it is \", rows(W), \" x \", cols(W));
  if (rows(m0) != n) reject(\"gaussian_dlm_obs: m0 must have \", n, \" elements (rows of G); it has \", rows(m0));
  if (rows(C0) != n || cols(C0) != n) reject(\"gaussian_dlm_obs: C0 must be \", n, \" x \", n, \" (rows of G); it is \", rows(C0), \" x \", cols(C0));
  vector[n] m = m0;
  matrix[n, n] C = C0;
  real lp = 0;
  for (t in 1:T) {
    vector[n] a = G * m;
    matrix[n, n] R = quad_form_sym(C, G') + W;
    vector[r] e = col(y, t) - F' * a;
    matrix[r, r] Q = quad_form_sym(R, F) + V;
    matrix[r, r] Qinv = inverse_spd(Q);
    matrix[n, r] A = R * F * Qinv;
    lp += -0.5 * (log_determinant(Q) + quad_form(Qinv, e));
    m = a + A * e;
    C = R - quad_form_sym(Q, A');
  }
  if (with_constant) lp += -0.5 * r * T * log(2 * pi());
  return lp;
}
}";

/// Rewrites every use in the program's blocks and user functions; whether
/// there was one.
fn rewrite_program(program: &mut Program) -> Option<Span> {
    let mut found = false;
    let mut first: Option<Span> = None;
    for block in &mut program.blocks {
        match &mut block.body {
            BlockBody::Stmts(stmts) => stmts.iter_mut().for_each(|s| {
                rewrite_stmt(s, &mut found);
                if found && first.is_none() {
                    first = Some(s.span);
                }
            }),
            BlockBody::Functions(defs) => {
                for body in defs.iter_mut().filter_map(|d| d.body.as_mut()) {
                    body.iter_mut().for_each(|s| {
                        rewrite_stmt(s, &mut found);
                        if found && first.is_none() {
                            first = Some(s.span);
                        }
                    });
                }
            }
            BlockBody::Dims(_) => {}
        }
    }
    first
}

/// Adds the Kalman filter to a program that uses `gaussian_dlm_obs` and
/// calls it wherever the program uses the distribution. `source_len` is the
/// length of the program's source: the added function's spans lie past it,
/// so that they name no place in the program.
pub fn add_gaussian_dlm_obs(mut program: Program, source_len: usize) -> (Program, Vec<Diagnostic>, Option<PreludeHome>) {
    let Some(first_use) = rewrite_program(&mut program) else {
        return (program, Vec::new(), None);
    };
    let home = PreludeHome { source_len, first_use };
    let padded = format!("{}{PRELUDE}", " ".repeat(source_len + 1));
    let (prelude, diags) = super::parser::parse_program(&padded);
    // The prelude is fixed text: a failure to parse it is hbmc's bug, said
    // as an error rather than a panic.
    let defs = match prelude.and_then(|p| p.blocks.into_iter().find_map(|b| match b.body {
        BlockBody::Functions(defs) => Some(defs),
        _ => None,
    })) {
        Some(mut defs) if diags.is_empty() => {
            // Renamed to a reserved name, which no program can define.
            defs.iter_mut().for_each(|d| d.name.name = FUNCTION.into());
            defs
        }
        _ => {
            let d = Diagnostic::error("E0001", "internal error: hbmc's definition of `gaussian_dlm_obs` does not parse")
                .with_label(Span::new(0, 0), "a program using gaussian_dlm_obs");
            return (program, vec![d], None);
        }
    };
    match program.blocks.iter_mut().find(|b| b.kind == BlockKind::Functions) {
        Some(Block { body: BlockBody::Functions(existing), .. }) => existing.extend(defs),
        _ => {
            let span = Span::new(source_len + 1, source_len + 1);
            program.blocks.insert(0, Block { kind: BlockKind::Functions, header: span, body: BlockBody::Functions(defs), span });
        }
    }
    (program, Vec::new(), Some(home))
}

/// Where the added function's diagnostics are shown: its spans lie past
/// the program's source, so a diagnostic pointing into it (arguments whose
/// sizes disagree, found when the data are bound) points at the program's
/// first use of the distribution instead.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PreludeHome {
    pub source_len: usize,
    pub first_use: Span,
}

impl PreludeHome {
    /// Moves the labels of `diags` that point into the added function to the
    /// first use, with a note saying why.
    pub fn relocate(&self, diags: &mut [Diagnostic]) {
        for d in diags {
            let mut moved = false;
            for l in &mut d.labels {
                if l.span.start > self.source_len {
                    l.span = self.first_use;
                    moved = true;
                }
            }
            if moved {
                d.notes.push("inside hbmc's Kalman filter for `gaussian_dlm_obs` (this or another use of it in the program): check the sizes of y (r x T), F (n x r), G (n x n), V, W (n x n), m0 (n) and C0 (n x n)".into());
            }
        }
    }
}

/// The call of the filter for `y` and the distribution's arguments.
fn filter_call(y: Expr, args: Vec<Expr>, with_constant: bool, span: Span) -> Expr {
    // Each argument through the checker's `ARG` with its position, so that
    // a wrong type is reported as the distribution's (and V made a matrix).
    let mut all = Vec::new();
    for (k, a) in std::iter::once(y).chain(args).enumerate() {
        let s = a.span;
        let slot = Expr { kind: ExprKind::IntLit(k as i128), span: s };
        all.push(Expr { kind: ExprKind::Call { func: Ident { name: ARG.into(), span: s }, args: vec![slot, a] }, span: s });
    }
    // The checker refuses a call with the wrong number of arguments.
    if all.len() != 7 {
        let count = Expr { kind: ExprKind::IntLit(all.len() as i128 - 1), span };
        return Expr { kind: ExprKind::Call { func: Ident { name: ARG.into(), span }, args: vec![count] }, span };
    }
    all.push(Expr { kind: ExprKind::IntLit(i128::from(with_constant)), span });
    Expr { kind: ExprKind::Call { func: Ident { name: FUNCTION.into(), span }, args: all }, span }
}

/// Rewrites every use of the distribution in `s` (and the statements it
/// holds); sets `found` when there is one. A `~` with a truncation is left
/// for the checker to refuse.
fn rewrite_stmt(s: &mut Stmt, found: &mut bool) {
    if let StmtKind::Tilde { lhs, dist, args, truncation: None } = &s.kind {
        if dist.name == NAME {
            *found = true;
            let call = filter_call(lhs.clone(), args.clone(), false, s.span);
            s.kind = StmtKind::TargetPlus(call);
            return;
        }
    }
    let mut rewrite_expr = |e: &mut Expr| {
        super::functions::map_expr(e, &mut |x| {
            if let ExprKind::CondCall { func, variate, args } = &x.kind {
                let with_constant = match func.name.strip_prefix(NAME) {
                    Some("_lpdf") => Some(true),
                    Some("_lupdf") => Some(false),
                    _ => None,
                };
                if let Some(with_constant) = with_constant {
                    *found = true;
                    *x = filter_call((**variate).clone(), args.clone(), with_constant, x.span);
                }
            }
            true
        });
    };
    super::functions::map_stmt_exprs(s, &mut rewrite_expr);
    match &mut s.kind {
        StmtKind::For { body, .. } | StmtKind::ForEach { body, .. } | StmtKind::While { body, .. } => rewrite_stmt(body, found),
        StmtKind::If { then, otherwise, .. } => {
            rewrite_stmt(then, found);
            if let Some(o) = otherwise {
                rewrite_stmt(o, found);
            }
        }
        StmtKind::Block(v) | StmtKind::Inlined { stmts: v, .. } => v.iter_mut().for_each(|x| rewrite_stmt(x, found)),
        _ => {}
    }
}
