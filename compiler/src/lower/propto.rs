//! Densities up to a constant (`propto`): the terms Stan drops from a
//! sampling statement (`y ~ dist(...)`) and from `dist_lupdf`/`dist_lupmf`
//! when the log density is asked for up to a constant ([`LowerOptions`]'s
//! `propto`, BridgeStan's `propto=true`).
//!
//! Stan's rule (its math library's `include_summand<propto, T...>`): a
//! density is a sum of terms, each depending on some of the arguments; a
//! term is kept when one of those arguments is an autodiff value (depends
//! on parameters), dropped otherwise. Terms of no argument (`-log √(2π)`)
//! always go; when no argument is autodiff the whole density is 0. Which
//! arguments are autodiff follows Stan's C++ types, not data flow: an
//! `int` never is; a real is when it reads a parameter, a transformed
//! parameter or a real local of the model block ([`Lowerer::is_autodiff`]).
//!
//! The density itself is lowered as before (its fused IR, library calls,
//! batched kernels unchanged), and the dropped terms, which depend on data
//! only, are computed by their own data-only code and subtracted: the value
//! is Stan's up to rounding, and the gradient is the same (the subtracted
//! code reads no parameter). A dropped term that is not finite (an invalid
//! argument, for which the density itself is -∞ or rejects) subtracts 0,
//! so that -∞ is not turned into NaN. Dropped terms whose arguments read
//! only data and transformed data variables are the same at every call:
//! they are computed once, at the end of the transformed data, into a
//! one-element `Data` buffer the log density adds instead
//! ([`Lowerer::lower_deferred_constants`]).
//!
//! [`LowerOptions`]: super::LowerOptions

use super::builder::FnBuilder;
use super::stmt::Sink;
use super::{LowerError, LowerResult, Lowerer};
use crate::check::env::VarOrigin;
use crate::check::signatures::{self, ArgShape, Distribution};
use crate::check::typed::{Level, TypedExpr, TypedExprKind, VarId};
use crate::check::types::Type;
use crate::ir::{Arena, BinaryOp, BufferId, CallArg, CmpOp, FunctionKind, ScalarType, Value};
use crate::syntax::ast::BlockKind;
use hbmc_stdlib::special::HALF_LN_2PI;

/// How one term of a density is computed from the arguments' values at
/// an element (index 0 the variate, `i` the `i`-th parameter).
type TermFn = fn(&mut Lowerer<'_>, &[Value], &TypedExpr) -> LowerResult<Value>;

/// One additive term of a univariate density, as Stan's math library
/// splits it.
struct Summand {
    /// The arguments whose being autodiff keeps the term (Stan's
    /// `include_summand<propto, ...>` list); empty for a constant of the
    /// distribution, dropped whenever the density is up to a constant.
    deps: &'static [usize],
    /// The arguments the term reads: `deps` and integer arguments (never
    /// autodiff), so it can be computed whenever it is dropped.
    reads: &'static [usize],
    value: Term,
}

/// A term: a number, or code on the arguments' values.
enum Term {
    Const(f64),
    Code(TermFn),
}

const fn constant(c: f64) -> Summand {
    Summand { deps: &[], reads: &[], value: Term::Const(c) }
}

/// A term that reads only its dependencies.
const fn term(deps: &'static [usize], f: TermFn) -> Summand {
    Summand { deps, reads: deps, value: Term::Code(f) }
}

/// A term that also reads integer arguments.
const fn term_reading(deps: &'static [usize], reads: &'static [usize], f: TermFn) -> Summand {
    Summand { deps, reads, value: Term::Code(f) }
}

/// ln π.
const LN_PI: f64 = 1.144_729_885_849_400_2;

/// The terms of each univariate density that Stan may drop, with their
/// dependencies (terms depending on every argument are never dropped and
/// are not listed). Read from Stan's math library (`stan/math/prim/prob`).
fn univariate_summands(name: &str) -> Vec<Summand> {
    match name {
        "normal" => vec![constant(-HALF_LN_2PI), term(&[2], |l, a, at| l.scaled_log(-1.0, a[2], at))],
        "std_normal" => vec![constant(-HALF_LN_2PI)],
        "student_t" => vec![
            constant(-0.5 * LN_PI),
            term(&[1], |l, a, at| {
                // lgamma((ν + 1)/2) - lgamma(ν/2) - log(ν)/2
                let half = l.fb.f64(0.5);
                let half_nu = l.fb.binary(BinaryOp::Mul, half, a[1]);
                let up = l.fb.binary(BinaryOp::Add, half_nu, half);
                let g1 = l.lib_call("hbm_lgamma", &[up], at)?;
                let g2 = l.lib_call("hbm_lgamma", &[half_nu], at)?;
                let lg = l.scaled_log(-0.5, a[1], at)?;
                let d = l.fb.binary(BinaryOp::Sub, g1, g2);
                Ok(l.fb.binary(BinaryOp::Add, d, lg))
            }),
            term(&[3], |l, a, at| l.scaled_log(-1.0, a[3], at)),
        ],
        "cauchy" => vec![constant(-LN_PI), term(&[2], |l, a, at| l.scaled_log(-1.0, a[2], at))],
        "double_exponential" => {
            vec![constant(-std::f64::consts::LN_2), term(&[2], |l, a, at| l.scaled_log(-1.0, a[2], at))]
        }
        "skew_double_exponential" => vec![
            constant(std::f64::consts::LN_2),
            term(&[2], |l, a, at| l.scaled_log(-1.0, a[2], at)),
            term(&[3], |l, a, at| {
                let lt = l.lib_call("hbm_log", &[a[3]], at)?;
                let l1m = l.lib_call("hbm_log1m", &[a[3]], at)?;
                Ok(l.fb.binary(BinaryOp::Add, lt, l1m))
            }),
        ],
        "logistic" => vec![term(&[2], |l, a, at| l.scaled_log(-1.0, a[2], at))],
        "lognormal" => vec![
            constant(-HALF_LN_2PI),
            term(&[2], |l, a, at| l.scaled_log(-1.0, a[2], at)),
            term(&[0], |l, a, at| l.scaled_log(-1.0, a[0], at)),
        ],
        "exponential" => vec![term(&[1], |l, a, at| l.scaled_log(1.0, a[1], at))],
        "gamma" => vec![
            term(&[1], |l, a, at| l.neg_lgamma(a[1], at)),
            term(&[1, 2], |l, a, at| l.shifted_times_log(a[1], 0.0, 1.0, a[2], at)),
            term(&[0, 1], |l, a, at| l.shifted_times_log(a[1], -1.0, 1.0, a[0], at)),
            term(&[0, 2], |l, a, _| Ok(l.neg_product(a[2], a[0]))),
        ],
        "inv_gamma" => vec![
            term(&[1], |l, a, at| l.neg_lgamma(a[1], at)),
            term(&[1, 2], |l, a, at| l.shifted_times_log(a[1], 0.0, 1.0, a[2], at)),
            term(&[0, 1], |l, a, at| l.shifted_times_log(a[1], 1.0, -1.0, a[0], at)),
            term(&[0, 2], |l, a, _| {
                let q = l.fb.binary(BinaryOp::Div, a[2], a[0]);
                Ok(l.neg(q))
            }),
        ],
        "weibull" => vec![
            term(&[1], |l, a, at| l.scaled_log(1.0, a[1], at)),
            term(&[0, 1], |l, a, at| l.shifted_times_log(a[1], -1.0, 1.0, a[0], at)),
            term(&[1, 2], |l, a, at| l.shifted_times_log(a[1], 0.0, -1.0, a[2], at)),
        ],
        "gumbel" => vec![term(&[2], |l, a, at| l.scaled_log(-1.0, a[2], at))],
        "rayleigh" => vec![
            term(&[1], |l, a, at| l.scaled_log(-2.0, a[1], at)),
            term(&[0], |l, a, at| l.scaled_log(1.0, a[0], at)),
        ],
        "beta" => vec![
            term(&[1], |l, a, at| l.neg_lgamma(a[1], at)),
            term(&[2], |l, a, at| l.neg_lgamma(a[2], at)),
            term(&[0, 1], |l, a, at| l.shifted_times_log(a[1], -1.0, 1.0, a[0], at)),
            term(&[0, 2], |l, a, at| {
                let one = l.fb.f64(1.0);
                let bm1 = l.fb.binary(BinaryOp::Sub, a[2], one);
                let l1m = l.lib_call("hbm_log1m", &[a[0]], at)?;
                Ok(l.fb.binary(BinaryOp::Mul, bm1, l1m))
            }),
            term(&[1, 2], |l, a, at| {
                let s = l.fb.binary(BinaryOp::Add, a[1], a[2]);
                l.lib_call("hbm_lgamma", &[s], at)
            }),
        ],
        "uniform" => vec![term(&[1, 2], |l, a, at| {
            let width = l.fb.binary(BinaryOp::Sub, a[2], a[1]);
            l.scaled_log(-1.0, width, at)
        })],
        // ln C(N, n): a constant of the distribution in Stan (it reads only
        // the integer arguments).
        "binomial" | "binomial_logit" | "beta_binomial" => vec![term_reading(&[], &[0, 1], |l, a, at| {
            let (n_trials, n) = (l.fb.to_f64(a[1]), l.fb.to_f64(a[0]));
            l.lib_call("hbm_lchoose", &[n_trials, n], at)
        })],
        "poisson" | "poisson_log" => vec![term_reading(&[], &[0], |l, a, at| {
            let n = l.fb.to_f64(a[0]);
            let one = l.fb.f64(1.0);
            let n1 = l.fb.binary(BinaryOp::Add, n, one);
            l.neg_lgamma(n1, at)
        })],
        "neg_binomial_2" | "neg_binomial_2_log" => {
            let location: Summand = if name == "neg_binomial_2" {
                term_reading(&[1], &[0, 1], |l, a, at| {
                    let n = l.fb.to_f64(a[0]);
                    l.lib_call("hbm_multiply_log", &[n, a[1]], at)
                })
            } else {
                term_reading(&[1], &[0, 1], |l, a, _| {
                    let n = l.fb.to_f64(a[0]);
                    Ok(l.fb.binary(BinaryOp::Mul, n, a[1]))
                })
            };
            vec![
                // binomial_coefficient_log(n + φ - 1, n)
                term_reading(&[2], &[0, 2], |l, a, at| {
                    let n = l.fb.to_f64(a[0]);
                    let one = l.fb.f64(1.0);
                    let top = l.fb.binary(BinaryOp::Add, n, a[2]);
                    let top = l.fb.binary(BinaryOp::Sub, top, one);
                    l.lib_call("hbm_lchoose", &[top, n], at)
                }),
                location,
            ]
        }
        "skew_normal" => vec![constant(-HALF_LN_2PI), term(&[2], |l, a, at| l.scaled_log(-1.0, a[2], at))],
        "exp_mod_normal" => {
            vec![constant(-std::f64::consts::LN_2), term(&[3], |l, a, at| l.scaled_log(1.0, a[3], at))]
        }
        "pareto" => vec![
            term(&[2], |l, a, at| l.scaled_log(1.0, a[2], at)),
            term(&[0, 2], |l, a, at| l.shifted_times_log(a[2], 1.0, -1.0, a[0], at)),
            term(&[1, 2], |l, a, at| l.shifted_times_log(a[2], 0.0, 1.0, a[1], at)),
        ],
        "pareto_type_2" => vec![
            term(&[3], |l, a, at| l.scaled_log(1.0, a[3], at)),
            term(&[2], |l, a, at| l.scaled_log(-1.0, a[2], at)),
        ],
        "frechet" => vec![
            term(&[1], |l, a, at| l.scaled_log(1.0, a[1], at)),
            term(&[0, 1], |l, a, at| l.shifted_times_log(a[1], 1.0, -1.0, a[0], at)),
            term(&[1, 2], |l, a, at| l.shifted_times_log(a[1], 0.0, 1.0, a[2], at)),
        ],
        // log β - β log α, one summand of (α, β) in Stan.
        "loglogistic" => vec![term(&[1, 2], |l, a, at| {
            let lb = l.scaled_log(1.0, a[2], at)?;
            let bla = l.shifted_times_log(a[2], 0.0, -1.0, a[1], at)?;
            Ok(l.fb.binary(BinaryOp::Add, lb, bla))
        })],
        "chi_square" | "inv_chi_square" => vec![
            // -(ν/2 log 2 + lgamma(ν/2))
            term(&[1], |l, a, at| {
                let half = l.fb.f64(0.5);
                let half_nu = l.fb.binary(BinaryOp::Mul, half, a[1]);
                let ln2 = l.fb.f64(std::f64::consts::LN_2);
                let t = l.fb.binary(BinaryOp::Mul, half_nu, ln2);
                let g = l.lib_call("hbm_lgamma", &[half_nu], at)?;
                let s = l.fb.binary(BinaryOp::Add, t, g);
                Ok(l.neg(s))
            }),
            if name == "chi_square" {
                // (ν/2 - 1) log y
                term(&[0, 1], |l, a, at| {
                    let half = l.fb.f64(0.5);
                    let half_nu = l.fb.binary(BinaryOp::Mul, half, a[1]);
                    l.shifted_times_log(half_nu, -1.0, 1.0, a[0], at)
                })
            } else {
                // -(ν/2 + 1) log y
                term(&[0, 1], |l, a, at| {
                    let half = l.fb.f64(0.5);
                    let half_nu = l.fb.binary(BinaryOp::Mul, half, a[1]);
                    l.shifted_times_log(half_nu, 1.0, -1.0, a[0], at)
                })
            },
            if name == "chi_square" {
                term(&[0], |l, a, _| {
                    let half = l.fb.f64(-0.5);
                    Ok(l.fb.binary(BinaryOp::Mul, half, a[0]))
                })
            } else {
                term(&[0], |l, a, _| {
                    let half = l.fb.f64(-0.5);
                    Ok(l.fb.binary(BinaryOp::Div, half, a[0]))
                })
            },
        ],
        "scaled_inv_chi_square" => vec![
            // ν/2 log(ν/2) - lgamma(ν/2)
            term(&[1], |l, a, at| {
                let half = l.fb.f64(0.5);
                let half_nu = l.fb.binary(BinaryOp::Mul, half, a[1]);
                let t = l.shifted_times_log(half_nu, 0.0, 1.0, half_nu, at)?;
                let g = l.lib_call("hbm_lgamma", &[half_nu], at)?;
                Ok(l.fb.binary(BinaryOp::Sub, t, g))
            }),
            term(&[1, 2], |l, a, at| l.shifted_times_log(a[1], 0.0, 1.0, a[2], at)),
            term(&[0, 1], |l, a, at| {
                let half = l.fb.f64(0.5);
                let half_nu = l.fb.binary(BinaryOp::Mul, half, a[1]);
                l.shifted_times_log(half_nu, 1.0, -1.0, a[0], at)
            }),
        ],
        "von_mises" => vec![
            constant(-(2.0 * std::f64::consts::PI).ln()),
            // -ln I0(κ) = von_mises_lpdf(0 | 0, κ) - κ + ln 2π
            term(&[2], |l, a, at| {
                let zero = l.fb.f64(0.0);
                let lp = l.lib_call("hbm_von_mises_lpdf", &[zero, zero, a[2]], at)?;
                let d = l.fb.binary(BinaryOp::Sub, lp, a[2]);
                let c = l.fb.f64((2.0 * std::f64::consts::PI).ln());
                Ok(l.fb.binary(BinaryOp::Add, d, c))
            }),
        ],
        "beta_proportion" => vec![
            term(&[2], |l, a, at| l.lib_call("hbm_lgamma", &[a[2]], at)),
            // -lgamma(μκ) - lgamma(κ - μκ)
            term(&[1, 2], |l, a, at| {
                let mk = l.fb.binary(BinaryOp::Mul, a[1], a[2]);
                let rest = l.fb.binary(BinaryOp::Sub, a[2], mk);
                let g1 = l.neg_lgamma(mk, at)?;
                let g2 = l.lib_call("hbm_lgamma", &[rest], at)?;
                Ok(l.fb.binary(BinaryOp::Sub, g1, g2))
            }),
        ],
        // ln C(n + α - 1, n), of the shape α (and the count).
        "neg_binomial" => vec![term_reading(&[1], &[0, 1], |l, a, at| {
            let n = l.fb.to_f64(a[0]);
            let one = l.fb.f64(1.0);
            let top = l.fb.binary(BinaryOp::Add, n, a[1]);
            let top = l.fb.binary(BinaryOp::Sub, top, one);
            l.lib_call("hbm_lchoose", &[top, n], at)
        })],
        // -lgamma(n + 1): a constant of the distribution in Stan.
        "beta_neg_binomial" => vec![term_reading(&[], &[0], |l, a, at| {
            let n = l.fb.to_f64(a[0]);
            let one = l.fb.f64(1.0);
            let n1 = l.fb.binary(BinaryOp::Add, n, one);
            l.neg_lgamma(n1, at)
        })],
        // bernoulli(_logit): every term depends on the probability;
        // discrete_range and hypergeometric have only int arguments, so
        // Stan drops them whole under propto (see `sampled_terms`).
        _ => Vec::new(),
    }
}

/// The dropped terms of one univariate density over data only, computed
/// once with the transformed data (see `lower_deferred_constants`).
pub(super) struct DeferredConstant {
    dist: &'static str,
    variate: TypedExpr,
    params: Vec<TypedExpr>,
    autodiff: Vec<bool>,
    frame: Type,
    shape: Vec<usize>,
    /// The one-element `Data` buffer that holds minus their sum.
    slot: BufferId,
    at: TypedExpr,
}

impl Lowerer<'_> {
    /// Whether `e` is an autodiff value in Stan's generated C++ (see the
    /// module doc): integers never are; a variable is when declared in a
    /// block of parameter level (parameters, transformed parameters, the
    /// model block's locals); anything else when one of its parts is.
    pub(super) fn is_autodiff(&self, e: &TypedExpr) -> bool {
        if e.ty.is_int_valued() {
            return false;
        }
        match &e.kind {
            TypedExprKind::Var(v) => self.program.var(*v).level == Level::Param,
            TypedExprKind::Target => true,
            _ => e.children().into_iter().any(|c| self.is_autodiff(c)),
        }
    }

    /// The terms of `variate ~ dist(params)` (or of `dist_lupdf(...)`)
    /// sent to `sink`: all of them, or without the dropped ones when
    /// `unnormalised` is set and the log density is lowered up to a
    /// constant.
    pub(super) fn sampled_terms(
        &mut self,
        dist: &Distribution,
        variate: &TypedExpr,
        params: &[TypedExpr],
        unnormalised: bool,
        sink: Sink,
        at: &TypedExpr,
    ) -> LowerResult<()> {
        if dist.name == "multi_normal_prec" {
            // multi_normal_prec(y | mu, Omega) = multi_normal(y | mu,
            // Omega^-1): the same terms (½ ln|Omega| is -½ ln|Sigma|), so
            // the same dropped ones, and the inverse's AD rule.
            let sigma = TypedExpr {
                kind: TypedExprKind::Call { func: "inverse_spd".into(), args: vec![params[1].clone()] },
                ty: params[1].ty.clone(),
                level: params[1].level,
                span: params[1].span,
            };
            let normal = signatures::distribution("multi_normal")
                .ok_or_else(|| LowerError::unsupported(at.span, "the distribution `multi_normal`"))?;
            return self.sampled_terms(normal, variate, &[params[0].clone(), sigma], unnormalised, sink, at);
        }
        if let Some((linked, params)) = self.link_form(dist, params) {
            return self.sampled_terms(linked, variate, &params, unnormalised, sink, at);
        }
        if !(unnormalised && self.propto) {
            return self.density_terms(dist, variate, params, sink, at);
        }
        let autodiff: Vec<bool> = std::iter::once(variate).chain(params).map(|e| self.is_autodiff(e)).collect();
        if !autodiff.contains(&true) {
            return Ok(());
        }
        self.density_terms(dist, variate, params, sink, at)?;
        self.subtract_dropped(dist, variate, params, &autodiff, sink, at)
    }

    /// Whether a `~` statement on these arguments drops its whole density
    /// (no argument is autodiff) in the log density being lowered.
    pub(super) fn drops_whole_density(&self, variate: &TypedExpr, params: &[TypedExpr]) -> bool {
        self.propto && !std::iter::once(variate).chain(params).any(|e| self.is_autodiff(e))
    }

    /// After a `~` statement's terms (all of them): subtracts the terms
    /// Stan drops, when the log density is lowered up to a constant and
    /// some argument is autodiff.
    pub(super) fn subtract_dropped_of_tilde(&mut self, dist: &Distribution, variate: &TypedExpr, params: &[TypedExpr], at: &TypedExpr) -> LowerResult<()> {
        if !self.propto {
            return Ok(());
        }
        let autodiff: Vec<bool> = std::iter::once(variate).chain(params).map(|e| self.is_autodiff(e)).collect();
        if !autodiff.contains(&true) {
            return Ok(());
        }
        self.subtract_dropped(dist, variate, params, &autodiff, Sink::Target, at)
    }

    /// Sends minus the dropped terms (those whose dependencies are all
    /// data) to `sink`.
    fn subtract_dropped(
        &mut self,
        dist: &Distribution,
        variate: &TypedExpr,
        params: &[TypedExpr],
        autodiff: &[bool],
        sink: Sink,
        at: &TypedExpr,
    ) -> LowerResult<()> {
        if dist.multivariate {
            return self.subtract_dropped_multivariate(dist, variate, params, autodiff, sink, at);
        }
        let dropped: Vec<Summand> =
            univariate_summands(dist.name).into_iter().filter(|s| s.deps.iter().all(|&i| !autodiff[i])).collect();
        let (frame, shape) = self.density_frame(variate, params, at)?;
        let terms = super::layout::element_count(&shape);
        if terms == 0 {
            return Ok(());
        }
        let constant: f64 = dropped.iter().filter_map(|s| if let Term::Const(c) = s.value { Some(c) } else { None }).sum();
        if constant != 0.0 {
            let total = self.fb.f64(-(terms as f64) * constant);
            self.emit_term(sink, total);
        }
        if !dropped.iter().any(|s| matches!(s.value, Term::Code(_))) {
            return Ok(());
        }
        // Terms of data variables only are the same at every evaluation:
        // computed once, with the transformed data, into a slot the log
        // density reads (see `lower_deferred_constants`).
        let all: Vec<&TypedExpr> = std::iter::once(variate).chain(params).collect();
        let global_data = |v: VarId| {
            matches!(self.program.var(v).origin, VarOrigin::Block(BlockKind::Data | BlockKind::TransformedData))
        };
        let of_data = all.iter().zip(autodiff).all(|(e, &ad)| ad || !e.mentions(|v| !global_data(v)));
        if of_data && self.fb.kind() == FunctionKind::LogDensity {
            let slot = self.module.add_buffer("propto_constant", Arena::Data, 1);
            let zero = self.fb.i64(0);
            let value = self.fb.load(slot, zero, ScalarType::F64);
            self.emit_term(sink, value);
            self.deferred_constants.push(DeferredConstant {
                dist: dist.name,
                variate: variate.clone(),
                params: params.to_vec(),
                autodiff: autodiff.to_vec(),
                frame,
                shape,
                slot,
                at: at.clone(),
            });
            return Ok(());
        }
        self.subtract_dropped_terms(dist, variate, params, autodiff, &frame, &shape, sink, at)
    }

    /// The dropped terms of a univariate density that are not constants
    /// of the distribution, over `frame` of `shape`: autodiff arguments are
    /// not read, so this runs in the transformed data too.
    #[allow(clippy::too_many_arguments)]
    fn subtract_dropped_terms(
        &mut self,
        dist: &Distribution,
        variate: &TypedExpr,
        params: &[TypedExpr],
        autodiff: &[bool],
        frame: &Type,
        shape: &[usize],
        sink: Sink,
        at: &TypedExpr,
    ) -> LowerResult<()> {
        let dropped: Vec<Summand> =
            univariate_summands(dist.name).into_iter().filter(|s| s.deps.iter().all(|&i| !autodiff[i])).collect();
        let terms = super::layout::element_count(shape);
        let all: Vec<&TypedExpr> = std::iter::once(variate).chain(params).collect();
        let shapes: Vec<ArgShape> = std::iter::once(dist.variate).chain(dist.params.iter().map(|(_, s)| *s)).collect();
        // A term reading only scalars is the same in every element: it is
        // computed once, times the number of terms.
        let (uniform, per_element): (Vec<&Summand>, Vec<&Summand>) = dropped
            .iter()
            .filter(|s| matches!(s.value, Term::Code(_)))
            .partition(|s| s.reads.iter().all(|&i| all[i].ty.axes().is_empty()));
        if !uniform.is_empty() {
            let mut values = Vec::with_capacity(all.len());
            for ((e, &ad), shape) in all.iter().zip(autodiff).zip(&shapes) {
                let v = if ad || !e.ty.axes().is_empty() {
                    // Never read (see the loop below).
                    self.fb.f64(f64::NAN)
                } else {
                    let v = self.scalar(e)?;
                    if *shape == ArgShape::Ints { v } else { self.fb.to_f64(v) }
                };
                values.push(v);
            }
            let mut sum = self.fb.f64(0.0);
            for s in &uniform {
                if let Term::Code(f) = s.value {
                    let t = f(self, &values, at)?;
                    sum = self.fb.binary(BinaryOp::Add, sum, t);
                }
            }
            let n = self.fb.f64(terms as f64);
            let total = self.fb.binary(BinaryOp::Mul, n, sum);
            let minus = self.finite_negated(total);
            self.emit_term(sink, minus);
        }
        let code: Vec<TermFn> = per_element.iter().filter_map(|s| if let Term::Code(f) = s.value { Some(f) } else { None }).collect();
        if code.is_empty() {
            return Ok(());
        }
        self.each_index(shape, &mut |this: &mut Self, idx: &[Value]| {
            // The values of the data arguments; an autodiff argument's slot
            // holds NaN, never read (a dropped term reads only data).
            let mut values = Vec::with_capacity(all.len());
            for ((e, &ad), shape) in all.iter().zip(autodiff).zip(&shapes) {
                let v = if ad {
                    this.fb.f64(f64::NAN)
                } else {
                    let v = this.operand_elem(frame, e, idx)?;
                    if *shape == ArgShape::Ints { v } else { this.fb.to_f64(v) }
                };
                values.push(v);
            }
            let mut sum = this.fb.f64(0.0);
            for f in &code {
                let t = f(this, &values, at)?;
                sum = this.fb.binary(BinaryOp::Add, sum, t);
            }
            let minus = this.finite_negated(sum);
            this.emit_term(sink, minus);
            Ok(())
        })
    }

    /// Computes the deferred dropped terms (of data only) at the end of
    /// the transformed data, each into its slot: run once when the model
    /// is bound, where the log density would compute them at every call.
    pub(super) fn lower_deferred_constants(&mut self) -> LowerResult<()> {
        let deferred = std::mem::take(&mut self.deferred_constants);
        if deferred.is_empty() {
            return Ok(());
        }
        // Invariant: the transformed data function is lowered first, always.
        let Some(at) = self.module.functions.iter().position(|f| f.kind == FunctionKind::TransformedData) else {
            return Err(LowerError::unsupported(deferred[0].at.span, "a model without its transformed data function"));
        };
        let transformed_data = self.module.functions.remove(at);
        self.begin_function(FunctionKind::TransformedData);
        self.fb = FnBuilder::resume(transformed_data);
        for d in &deferred {
            let dist = signatures::distribution(d.dist)
                .ok_or_else(|| LowerError::unsupported(d.at.span, format!("the distribution `{}`", d.dist)))?;
            let zero_i = self.fb.i64(0);
            let zero = self.fb.f64(0.0);
            self.fb.store(d.slot, zero_i, zero);
            let data_args: Vec<&TypedExpr> =
                std::iter::once(&d.variate).chain(&d.params).zip(&d.autodiff).filter(|(_, &ad)| !ad).map(|(e, _)| e).collect();
            self.hoist_materialised(&data_args)?;
            let done = self.subtract_dropped_terms(dist, &d.variate, &d.params, &d.autodiff, &d.frame, &d.shape, Sink::Buffer(d.slot), &d.at);
            self.end_hoist();
            done?;
        }
        self.end_function();
        Ok(())
    }

    /// The dropped terms of the multivariate densities: `-K/2 log 2π` per
    /// vector of `multi_normal(_cholesky)` and, for a data covariance or
    /// factor, its log determinant term; the LKJ normalising constant of a
    /// data `eta`; `lgamma(sum α) - sum lgamma(α)` of a data dirichlet
    /// `alpha`; the multinomial coefficient. `categorical(_logit)` and
    /// `ordered_logistic`/`_probit` have no term free of their parameters.
    fn subtract_dropped_multivariate(
        &mut self,
        dist: &Distribution,
        variate: &TypedExpr,
        params: &[TypedExpr],
        autodiff: &[bool],
        sink: Sink,
        at: &TypedExpr,
    ) -> LowerResult<()> {
        match dist.name {
            "multi_normal" | "multi_normal_cholesky" => {
                let (count, k) = self.vectors_count(variate, at)?;
                let (mu_count, _) = self.vectors_count(&params[0], at)?;
                let count = count.max(mu_count);
                if autodiff[2] {
                    let c = self.fb.f64(count as f64 * k as f64 * HALF_LN_2PI);
                    self.emit_term(sink, c);
                    return Ok(());
                }
                // The density at y = μ = 0 is exactly its terms free of
                // y and μ: -K/2 log 2π and the log determinant's.
                let f = self.func(&format!("hbm_{}_lpdf", dist.name), at)?;
                let matrix = self.pointer_arg(&params[1])?;
                let zeros = self.temp_buffer("propto_zeros", ScalarType::F64, k);
                let zero = self.fb.f64(0.0);
                self.loop_n(k, |this, i| {
                    this.fb.store(zeros, i, zero);
                    Ok(())
                })?;
                let start = self.fb.i64(0);
                let kv = self.fb.i64(k as i64);
                let z = CallArg::Buffer { buf: zeros, offset: start };
                let lp = self.fb.call(f, vec![z.clone(), z, matrix.arg(), CallArg::Value(kv)]);
                let n = self.fb.f64(count as f64);
                let total = self.fb.binary(BinaryOp::Mul, n, lp);
                let minus = self.finite_negated(total);
                self.emit_term(sink, minus);
                Ok(())
            }
            "lkj_corr" | "lkj_corr_cholesky" if !autodiff[1] => {
                let k = match self.shape(variate)?.as_slice() {
                    [r, c] if r == c => *r,
                    s => return Err(LowerError::unsupported(at.span, format!("`{}` of a non-square matrix {s:?}", dist.name))),
                };
                // The density at the identity is its normalising constant
                // (every log L_ii is 0).
                let identity = self.temp_buffer("propto_identity", ScalarType::F64, k * k);
                let (zero, one) = (self.fb.f64(0.0), self.fb.f64(1.0));
                let kp1 = self.fb.i64(k as i64 + 1);
                self.loop_n(k * k, |this, i| {
                    let r = this.fb.binary(BinaryOp::Rem, i, kp1);
                    let zero_i = this.fb.i64(0);
                    let diag = this.fb.cmp(CmpOp::Eq, r, zero_i);
                    let v = this.fb.select(diag, one, zero);
                    this.fb.store(identity, i, v);
                    Ok(())
                })?;
                let eta = self.scalar(&params[0])?;
                let eta = self.fb.to_f64(eta);
                let f = self.func("hbm_lkj_corr_cholesky_lpdf", at)?;
                let start = self.fb.i64(0);
                let kv = self.fb.i64(k as i64);
                let lp = self.fb.call(
                    f,
                    vec![CallArg::Buffer { buf: identity, offset: start }, CallArg::Value(kv), CallArg::Value(eta)],
                );
                let minus = self.finite_negated(lp);
                self.emit_term(sink, minus);
                Ok(())
            }
            "dirichlet" if !autodiff[1] => {
                let (count, k) = self.vectors_count(variate, at)?;
                let (alpha_count, _) = self.vectors_count(&params[0], at)?;
                let alpha = &params[0];
                let sums = self.temp_buffer("propto_dirichlet", ScalarType::F64, 2);
                let (at0, at1) = (self.fb.i64(0), self.fb.i64(1));
                self.repeat(count, |this, m| {
                    let zero = this.fb.f64(0.0);
                    this.fb.store(sums, at0, zero);
                    this.fb.store(sums, at1, zero);
                    this.loop_n(k, |this, i| {
                        let a_idx = if alpha.ty.array.is_empty() { vec![i] } else { vec![if alpha_count == 1 { at0 } else { m }, i] };
                        let a = this.elem(alpha, &a_idx)?;
                        let a = this.fb.to_f64(a);
                        this.fb.accumulate(sums, at0, a);
                        let lg = this.lib_call("hbm_lgamma", &[a], at)?;
                        this.fb.accumulate(sums, at1, lg);
                        Ok(())
                    })?;
                    let total = this.fb.load(sums, at0, ScalarType::F64);
                    let norm = this.lib_call("hbm_lgamma", &[total], at)?;
                    let lgs = this.fb.load(sums, at1, ScalarType::F64);
                    let c = this.fb.binary(BinaryOp::Sub, norm, lgs);
                    let minus = this.finite_negated(c);
                    this.emit_term(sink, minus);
                    Ok(())
                })
            }
            "dirichlet_multinomial" => {
                let k = match self.shape(variate)?.as_slice() {
                    [k] => *k,
                    s => return Err(LowerError::unsupported(at.span, format!("`dirichlet_multinomial` of counts of shape {s:?}"))),
                };
                // ln N - sum ln n_k, and nothing when N = 0.
                let (constant, total) = self.dirichlet_multinomial_constant(variate, k, at)?;
                let zero = self.fb.f64(0.0);
                let any = self.fb.cmp(CmpOp::Gt, total, zero);
                let constant = self.fb.select(any, constant, zero);
                let minus = self.finite_negated(constant);
                self.emit_term(sink, minus);
                Ok(())
            }
            "multinomial" | "multinomial_logit" => {
                let k = match self.shape(variate)?.as_slice() {
                    [k] => *k,
                    s => return Err(LowerError::unsupported(at.span, format!("`{}` of an outcome of shape {s:?}", dist.name))),
                };
                // [N, sum lgamma(y + 1)]
                let sums = self.temp_buffer("propto_multinomial", ScalarType::F64, 2);
                let (at0, at1) = (self.fb.i64(0), self.fb.i64(1));
                let zero = self.fb.f64(0.0);
                self.fb.store(sums, at0, zero);
                self.fb.store(sums, at1, zero);
                self.loop_n(k, |this, i| {
                    let c = this.elem(variate, &[i])?;
                    let c = this.fb.to_f64(c);
                    this.fb.accumulate(sums, at0, c);
                    let one = this.fb.f64(1.0);
                    let c1 = this.fb.binary(BinaryOp::Add, c, one);
                    let lg = this.lib_call("hbm_lgamma", &[c1], at)?;
                    this.fb.accumulate(sums, at1, lg);
                    Ok(())
                })?;
                let total = self.fb.load(sums, at0, ScalarType::F64);
                let one = self.fb.f64(1.0);
                let t1 = self.fb.binary(BinaryOp::Add, total, one);
                let norm = self.lib_call("hbm_lgamma", &[t1], at)?;
                let lgs = self.fb.load(sums, at1, ScalarType::F64);
                let c = self.fb.binary(BinaryOp::Sub, norm, lgs);
                let minus = self.finite_negated(c);
                self.emit_term(sink, minus);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// (number of vectors, their size) of a vector or an array of vectors.
    fn vectors_count(&mut self, e: &TypedExpr, at: &TypedExpr) -> LowerResult<(usize, usize)> {
        match (self.shape(e)?.as_slice(), e.ty.array.is_empty()) {
            ([k], true) => Ok((1, *k)),
            ([m, k], false) => Ok((*m, *k)),
            (s, _) => Err(LowerError::unsupported(at.span, format!("a multivariate argument of shape {s:?}"))),
        }
    }

    /// `-x`, or 0 when `x` is not finite (see the module doc).
    fn finite_negated(&mut self, x: Value) -> Value {
        let d = self.fb.binary(BinaryOp::Sub, x, x);
        let zero = self.fb.f64(0.0);
        let finite = self.fb.cmp(CmpOp::Eq, d, zero);
        let minus = self.neg(x);
        self.fb.select(finite, minus, zero)
    }

    fn neg(&mut self, x: Value) -> Value {
        let zero = self.fb.f64(0.0);
        self.fb.binary(BinaryOp::Sub, zero, x)
    }

    /// A one-value stdlib function of f64 arguments.
    pub(super) fn lib_call(&mut self, symbol: &str, args: &[Value], at: &TypedExpr) -> LowerResult<Value> {
        let f = self.func(symbol, at)?;
        Ok(self.fb.call(f, args.iter().map(|&v| CallArg::Value(v)).collect()))
    }

    /// `k · log(x)`.
    fn scaled_log(&mut self, k: f64, x: Value, at: &TypedExpr) -> LowerResult<Value> {
        let lx = self.lib_call("hbm_log", &[x], at)?;
        if k == 1.0 {
            return Ok(lx);
        }
        let kv = self.fb.f64(k);
        Ok(self.fb.binary(BinaryOp::Mul, kv, lx))
    }

    /// `-lgamma(x)`.
    fn neg_lgamma(&mut self, x: Value, at: &TypedExpr) -> LowerResult<Value> {
        let g = self.lib_call("hbm_lgamma", &[x], at)?;
        Ok(self.neg(g))
    }

    /// `k · (a + shift) · log(x)`.
    fn shifted_times_log(&mut self, a: Value, shift: f64, k: f64, x: Value, at: &TypedExpr) -> LowerResult<Value> {
        let a = if shift == 0.0 {
            a
        } else {
            let s = self.fb.f64(shift);
            self.fb.binary(BinaryOp::Add, a, s)
        };
        let lx = self.lib_call("hbm_log", &[x], at)?;
        let t = self.fb.binary(BinaryOp::Mul, a, lx);
        if k == 1.0 {
            return Ok(t);
        }
        let kv = self.fb.f64(k);
        Ok(self.fb.binary(BinaryOp::Mul, kv, t))
    }

    /// `-(a · b)`.
    fn neg_product(&mut self, a: Value, b: Value) -> Value {
        let p = self.fb.binary(BinaryOp::Mul, a, b);
        self.neg(p)
    }
}
