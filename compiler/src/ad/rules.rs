//! The reverse-mode rule of every stdlib routine that reads or writes
//! buffers: one table saying, for each forward symbol, which `_adj` function
//! propagates its adjoints and how that function's arguments are built from
//! the forward call.
//!
//! The stdlib's `_adj` functions *accumulate* `w × partial` into the adjoint
//! buffers they are given; their argument lists differ (some take the
//! forward output, some the input, some a weight), so each rule spells its
//! adjoint call out as a list of [`AdjArg`]s. The reverse sweep
//! (`reverse::Gen::reverse_buffer_call`) interprets the list; nothing else
//! knows about individual routines.

/// One argument of an adjoint call, in terms of the forward call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdjArg {
    /// Forward argument `i` as it was passed (a value or a buffer pointer).
    Fwd(usize),
    /// The adjoint buffer of forward buffer argument `i`, at the same
    /// offset: read when `i` is an output (its adjoint is consumed),
    /// accumulated into when `i` is an input.
    Adj(usize),
    /// The adjoint of the forward call's scalar result (the weight `w`).
    ResultAdj,
    /// A one-element cell the adjoint call accumulates the adjoint of the
    /// scalar forward argument `i` into.
    ValueAdj(usize),
}

/// How many elements a routine writes through an output pointer, in terms
/// of its integer (size) arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Len {
    /// The value of argument `i`.
    Arg(usize),
    /// The square of argument `i` (a `K × K` matrix).
    Square(usize),
    /// The product of arguments `i` and `j` (an `m × n` matrix).
    Product(usize, usize),
}

/// The reverse-mode rule of one forward routine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The stdlib symbol of the adjoint function.
    pub adjoint: String,
    /// Its arguments, in order.
    pub args: Vec<AdjArg>,
    /// The forward call's output buffer arguments and how much each writes:
    /// their adjoints are consumed by the adjoint call and then zeroed (the
    /// forward call overwrote those elements).
    pub outputs: Vec<(usize, Len)>,
}

use AdjArg::{Adj, Fwd, ResultAdj, ValueAdj};

/// Constraint transforms on vectors: `(x, k, out) -> log_jacobian`.
const VECTOR_TRANSFORMS: &[&str] = &["simplex", "sum_to_zero", "ordered", "positive_ordered", "unit_vector"];
/// Constraint transforms on `K × K` matrices, same signature.
const MATRIX_TRANSFORMS: &[&str] = &["cholesky_factor_corr", "cholesky_factor_cov", "corr_matrix", "cov_matrix"];
/// Constraint transforms on `rows × cols` matrices: `(x, rows, cols, out) -> log_jacobian`.
const TWO_SIZE_TRANSFORMS: &[&str] = &["sum_to_zero_matrix", "column_stochastic_matrix", "row_stochastic_matrix"];

/// The rule for `symbol`, or `None` when it has none (the caller refuses to
/// differentiate such a call).
pub fn rule(symbol: &str) -> Option<Rule> {
    if let Some(r) = transform_rule(symbol) {
        return Some(r);
    }
    if crate::ir::ode::ode_call_has_times(symbol) {
        // An ODE call whose t0 or ts depend on parameters: adj(sens, times,
        // n, p, out_adj, y0_adj, theta_adj, t0_adj, ts_adj) also contracts
        // the sections of d/dt0 and d/dts that follow the sensitivities.
        return Some(Rule {
            adjoint: "hbm_ode_times_adj".into(),
            args: vec![Fwd(14), Fwd(9), Fwd(10), Fwd(11), Adj(13), Adj(0), Adj(1), ValueAdj(4), Adj(5)],
            outputs: vec![(13, Len::Product(9, 10)), (14, Len::Arg(12))],
        });
    }
    if crate::ir::ode::ode_system_index(symbol).is_some() {
        // An ODE call (`ir::ode::OdeCallArg` order): adj(sens, times, n, p,
        // out_adj, y0_adj, theta_adj) contracts with the sensitivities.
        return Some(Rule {
            adjoint: "hbm_ode_adj".into(),
            args: vec![Fwd(14), Fwd(9), Fwd(10), Fwd(11), Adj(13), Adj(0), Adj(1)],
            outputs: vec![(13, Len::Product(9, 10)), (14, Len::Arg(12))],
        });
    }
    let (args, outputs): (&[AdjArg], &[(usize, Len)]) = match symbol {
        // (a, n, l) -> status; adj(l, l_adj, n, a_adj)
        "hbm_cholesky_decompose" => (&[Fwd(2), Adj(2), Fwd(1), Adj(0)], &[(2, Len::Square(1))]),
        // (a, b, m, k, n, c) -> status; adj(a, b, m, k, n, c_adj, a_adj, b_adj)
        "hbm_multiply" => (&[Fwd(0), Fwd(1), Fwd(2), Fwd(3), Fwd(4), Adj(5), Adj(0), Adj(1)], &[(5, Len::Product(2, 4))]),
        // (l, n, out) -> status; adj(l, n, out_adj, l_adj)
        "hbm_multiply_lower_tri_self_transpose" => (&[Fwd(0), Fwd(1), Adj(2), Adj(0)], &[(2, Len::Square(1))]),
        // (v, mat, m, n, out) -> status; adj(v, mat, m, n, out_adj, v_adj, mat_adj)
        "hbm_diag_pre_multiply" => (&[Fwd(0), Fwd(1), Fwd(2), Fwd(3), Adj(4), Adj(0), Adj(1)], &[(4, Len::Product(2, 3))]),
        // (l, n, b, ncols, x) -> status; adj(l, n, x, ncols, x_adj, l_adj, b_adj)
        "hbm_mdivide_left_tri_low" => (&[Fwd(0), Fwd(1), Fwd(4), Fwd(3), Adj(4), Adj(0), Adj(2)], &[(4, Len::Product(1, 3))]),
        // (l, n) -> value; adj(l, n, w, l_adj)
        "hbm_log_det_cholesky" => (&[Fwd(0), Fwd(1), ResultAdj, Adj(0)], &[]),
        // (x, n, s) -> status; adj(s, n, s_adj, x_adj): the rule reads the output.
        "hbm_softmax" => (&[Fwd(2), Fwd(1), Adj(2), Adj(0)], &[(2, Len::Arg(1))]),
        // (x, n, y) -> status; adj(x, n, y_adj, x_adj)
        "hbm_log_softmax" => (&[Fwd(0), Fwd(1), Adj(2), Adj(0)], &[(2, Len::Arg(1))]),
        // (x, n) -> value; adj(x, n, w, x_adj)
        "hbm_log_sum_exp_vec" => (&[Fwd(0), Fwd(1), ResultAdj, Adj(0)], &[]),
        // (theta, lp, k, n) -> value; adj(theta, lp, k, n, w, theta_adj, lp_adj)
        "hbm_log_mix_vec" => (&[Fwd(0), Fwd(1), Fwd(2), Fwd(3), ResultAdj, Adj(0), Adj(1)], &[]),
        // (log_omega, gamma, rho, k, n) -> value;
        // adj(log_omega, gamma, rho, k, n, w, log_omega_adj, gamma_adj, rho_adj)
        "hbm_hmm_marginal" => (&[Fwd(0), Fwd(1), Fwd(2), Fwd(3), Fwd(4), ResultAdj, Adj(0), Adj(1), Adj(2)], &[]),
        // (x, n, mu, w) -> value; adj(x, n, mu, w, g, x_adj, mu_adj, w_adj)
        "hbm_normal_sum_vec" => (&[Fwd(0), Fwd(1), Fwd(2), Fwd(3), ResultAdj, Adj(0), ValueAdj(2), ValueAdj(3)], &[]),
        // (a, n, y) -> status; adj(y, n, y_adj, a_adj): the rule reads the inverse.
        "hbm_inverse" => (&[Fwd(2), Fwd(1), Adj(2), Adj(0)], &[(2, Len::Square(1))]),
        // (a, n) -> value; adj(a, n, w, a_adj)
        "hbm_log_determinant" | "hbm_determinant" => (&[Fwd(0), Fwd(1), ResultAdj, Adj(0)], &[]),
        // (a, n, y) -> status; adj(a, n, y_adj, a_adj)
        "hbm_matrix_exp" => (&[Fwd(0), Fwd(1), Adj(2), Adj(0)], &[(2, Len::Square(1))]),
        // (theta, n, y) -> lp; adj(theta, n, y, w, theta_adj)
        "hbm_poisson_binomial_lpmf" | "hbm_poisson_binomial_lcdf" | "hbm_poisson_binomial_lccdf" => {
            (&[Fwd(0), Fwd(1), Fwd(2), ResultAdj, Adj(0)], &[])
        }
        // (x, n, out) -> status; adj(x, n, out_adj, x_adj)
        "hbm_sort_asc" | "hbm_sort_desc" => (&[Fwd(0), Fwd(1), Adj(2), Adj(0)], &[(2, Len::Arg(1))]),
        // (a, n, values) -> status; adj(a, n, values_adj, a_adj)
        "hbm_eigenvalues_sym" => (&[Fwd(0), Fwd(1), Adj(2), Adj(0)], &[(2, Len::Arg(1))]),
        // (a, n, vectors) -> status; adj(a, n, vectors_adj, a_adj)
        "hbm_eigenvectors_sym" => (&[Fwd(0), Fwd(1), Adj(2), Adj(0)], &[(2, Len::Square(1))]),
        // (a, m, n, k, out) -> status; adj(a, m, n, k, out_adj, a_adj), with
        // k = min(m, n) sizing the output.
        "hbm_qr_thin_q" | "hbm_svd_u" => (&[Fwd(0), Fwd(1), Fwd(2), Fwd(3), Adj(4), Adj(0)], &[(4, Len::Product(1, 3))]),
        "hbm_qr_thin_r" => (&[Fwd(0), Fwd(1), Fwd(2), Fwd(3), Adj(4), Adj(0)], &[(4, Len::Product(3, 2))]),
        "hbm_svd_v" => (&[Fwd(0), Fwd(1), Fwd(2), Fwd(3), Adj(4), Adj(0)], &[(4, Len::Product(2, 3))]),
        "hbm_singular_values" => (&[Fwd(0), Fwd(1), Fwd(2), Fwd(3), Adj(4), Adj(0)], &[(4, Len::Arg(3))]),
        // (a, m, n, out) -> status; adj(a, m, n, out_adj, a_adj)
        "hbm_qr_r" | "hbm_generalized_inverse" => (&[Fwd(0), Fwd(1), Fwd(2), Adj(3), Adj(0)], &[(3, Len::Product(1, 2))]),
        // (y, mu, m, k) -> lp; adj(y, mu, m, k, w, y_adj, mu_adj, m_adj)
        "hbm_multi_normal_lpdf" | "hbm_multi_normal_cholesky_lpdf" => {
            (&[Fwd(0), Fwd(1), Fwd(2), Fwd(3), ResultAdj, Adj(0), Adj(1), Adj(2)], &[])
        }
        // (l, k, eta) -> lp; adj(l, k, eta, w, l_adj, eta_adj)
        "hbm_lkj_corr_cholesky_lpdf" => (&[Fwd(0), Fwd(1), Fwd(2), ResultAdj, Adj(0), ValueAdj(2)], &[]),
        _ => return None,
    };
    Some(Rule { adjoint: format!("{symbol}_adj"), args: args.to_vec(), outputs: outputs.to_vec() })
}

/// Why a routine has no rule, for the routines that have none on purpose
/// (the message names what the user wrote and what to write instead).
pub fn no_rule_reason(symbol: &str) -> Option<&'static str> {
    match symbol {
        "hbm_qr_q" => Some(
            "`qr_Q` of a parameter matrix with more rows than columns has no gradient: its trailing columns are any \
             orthonormal completion, not a function of the matrix; use `qr_thin_Q`, whose columns are",
        ),
        _ => None,
    }
}

/// `hbm_<t>_constrain(x, k, out) -> log_jacobian` has the adjoint
/// `hbm_<t>_constrain_adj(x, k, out_adj, jacobian_weight, x_adj)`.
fn transform_rule(symbol: &str) -> Option<Rule> {
    let name = symbol.strip_prefix("hbm_")?.strip_suffix("_constrain")?;
    if TWO_SIZE_TRANSFORMS.contains(&name) {
        return Some(Rule {
            adjoint: format!("{symbol}_adj"),
            args: vec![Fwd(0), Fwd(1), Fwd(2), Adj(3), ResultAdj, Adj(0)],
            outputs: vec![(3, Len::Product(1, 2))],
        });
    }
    let len = if VECTOR_TRANSFORMS.contains(&name) {
        Len::Arg(1)
    } else if MATRIX_TRANSFORMS.contains(&name) {
        Len::Square(1)
    } else {
        return None;
    };
    Some(Rule {
        adjoint: format!("{symbol}_adj"),
        args: vec![Fwd(0), Fwd(1), Adj(2), ResultAdj, Adj(0)],
        outputs: vec![(2, len)],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hbmc_stdlib::{CType, SymbolKind};

    /// Every stdlib routine on buffers that a log density may call has a
    /// rule, and each rule's adjoint call fits the adjoint's C signature.
    #[test]
    fn every_buffer_routine_has_a_consistent_rule() {
        let syms = hbmc_stdlib::symbols();
        let find = |name: &str| syms.iter().find(|s| s.name == name);
        for s in &syms {
            if !matches!(s.kind, SymbolKind::Constrain | SymbolKind::Linalg | SymbolKind::MultiLpdf) {
                continue;
            }
            let r = rule(s.name).unwrap_or_else(|| panic!("no rule for `{}`", s.name));
            let adj = find(&r.adjoint).unwrap_or_else(|| panic!("no `{}`", r.adjoint));
            assert_eq!(adj.args.len(), r.args.len(), "{}", r.adjoint);
            for (k, (a, t)) in r.args.iter().zip(adj.args).enumerate() {
                let ok = match a {
                    Fwd(i) => s.args.get(*i).is_some_and(|f| match (f, t) {
                        // A forward output may be read by the adjoint.
                        (CType::PtrF64, CType::PtrConstF64) => true,
                        (f, t) => f == t,
                    }),
                    Adj(i) => matches!(s.args.get(*i), Some(CType::PtrF64 | CType::PtrConstF64))
                        && matches!(t, CType::PtrF64 | CType::PtrConstF64),
                    ResultAdj => *t == CType::F64 && s.ret == CType::F64,
                    ValueAdj(i) => s.args.get(*i) == Some(&CType::F64) && *t == CType::PtrF64,
                };
                assert!(ok, "argument {k} of `{}`", r.adjoint);
            }
            // Every output pointer of the forward routine is listed.
            for (i, t) in s.args.iter().enumerate() {
                if *t == CType::PtrF64 {
                    assert!(r.outputs.iter().any(|(o, _)| *o == i), "`{}` writes argument {i}", s.name);
                }
            }
        }
    }
}
