//! Parameters from the unconstrained scale: the transform of each
//! constrained type and, in the log density, its log-Jacobian (as Stan).
//!
//! Scalar bounds and offset/multiplier are lowered to plain IR (so the AD
//! differentiates them like any other code). The structured types
//! (simplex, ordered, unit vectors, Cholesky factors, correlation and
//! covariance matrices) are one call of the stdlib's vector transform per
//! element, on pointers to the element's unconstrained slice (in `Params`)
//! and constrained slice; the AD differentiates those calls with the
//! transforms' `_adj` rules. A non-square `cholesky_factor_cov[M, N]` is
//! the square transform of its top N × N block plus plain copies of the
//! rows below it (see [`Lowerer::cholesky_rect`]).

use super::{layout, LowerError, LowerResult, Lowerer, Storage};
use crate::check::typed::{Constraint, TypedDecl, TypedExpr};
use crate::ir::{Arena, BinaryOp, CallArg, CmpOp, FunctionKind, ScalarType, Stmt, Value};

impl Lowerer<'_> {
    /// Makes a parameter's constrained values available to the function.
    pub fn lower_param_transform(&mut self, decl: &TypedDecl) -> LowerResult<()> {
        let unconstrained = self
            .storage
            .get(&decl.var)
            .cloned()
            .ok_or_else(|| LowerError::unsupported(decl.span, "a parameter without storage"))?;
        let generate = self.kind() == FunctionKind::Generate;
        if decl.constraint == Constraint::None && !generate {
            // The constrained value is the unconstrained one: read it in place.
            return Ok(());
        }
        let info = self.program.var(decl.var);
        let arena = if generate { Arena::Out } else { Arena::Work };
        let len = layout::element_count(&unconstrained.shape);
        let buf = self.module.add_buffer(&info.name, arena, len);
        let constrained = Storage { buf, ..unconstrained.clone() };
        if generate {
            self.outputs.push((decl.var, buf));
        }
        let ty = info.ty.clone();
        let shape = unconstrained.shape.clone();
        let jacobian = !generate && self.jacobian;
        match &decl.constraint {
            Constraint::None => {
                self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
                    let at = this.offset(&unconstrained, idx);
                    let u = this.fb.load(unconstrained.buf, at, ScalarType::F64);
                    this.fb.store(constrained.buf, at, u);
                    Ok(())
                })?;
            }
            Constraint::Bounds { lower, upper } => {
                self.refuse_infinite_bounds(&info.name, lower.as_ref(), upper.as_ref())?;
                let (lower, upper) = self.effective_bounds(lower.as_ref(), upper.as_ref());
                let lower_once = scalar_bound_once(self, lower.as_ref(), len)?;
                let upper_once = scalar_bound_once(self, upper.as_ref(), len)?;
                let both_once = lower_once.zip(upper_once);
                if let (Some((lb, ub)), Some(l), Some(u)) = (both_once, lower.as_ref(), upper.as_ref()) {
                    self.bounds_in_order(&info.name, (l, lb), (u, ub))?;
                }
                self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
                    let at = this.offset(&unconstrained, idx);
                    let u = this.fb.load(unconstrained.buf, at, ScalarType::F64);
                    let lb = bound_elem(this, &ty, lower.as_ref(), idx, lower_once)?;
                    let ub = bound_elem(this, &ty, upper.as_ref(), idx, upper_once)?;
                    if let (Some(lb), Some(ub), None) = (lb, ub, both_once) {
                        this.reject_unless_ordered(&info.name, lb, ub);
                    }
                    this.reject_infinite_elements(&info.name, (lb, lower_once), (ub, upper_once));
                    let (x, log_jac) = match (lb, ub) {
                        (Some(lb), None) => {
                            // x = lb + exp(u); log J = u
                            let e = this.call1("hbm_exp", u, decl)?;
                            (this.fb.binary(BinaryOp::Add, lb, e), u)
                        }
                        (None, Some(ub)) => {
                            // x = ub - exp(u); log J = u
                            let e = this.call1("hbm_exp", u, decl)?;
                            (this.fb.binary(BinaryOp::Sub, ub, e), u)
                        }
                        (Some(lb), Some(ub)) => {
                            // x = lb + (ub - lb) inv_logit(u);
                            // log J = log(ub - lb) + log_inv_logit(u) + log1m_inv_logit(u)
                            let width = this.fb.binary(BinaryOp::Sub, ub, lb);
                            let p = this.call1("hbm_inv_logit", u, decl)?;
                            let scaled = this.fb.binary(BinaryOp::Mul, width, p);
                            let x = this.fb.binary(BinaryOp::Add, lb, scaled);
                            let lw = this.call1("hbm_log", width, decl)?;
                            let a = this.call1("hbm_log_inv_logit", u, decl)?;
                            let b = this.call1("hbm_log1m_inv_logit", u, decl)?;
                            let ab = this.fb.binary(BinaryOp::Add, a, b);
                            (x, this.fb.binary(BinaryOp::Add, lw, ab))
                        }
                        (None, None) => (u, this.fb.f64(0.0)),
                    };
                    this.fb.store(constrained.buf, at, x);
                    if jacobian {
                        this.fb.emit(Stmt::AddTarget(log_jac));
                    }
                    Ok(())
                })?;
            }
            Constraint::OffsetMultiplier { offset, multiplier } => {
                let (offset, multiplier) = (offset.clone(), multiplier.clone());
                let offset_once = scalar_bound_once(self, offset.as_ref(), len)?;
                let multiplier_once = scalar_bound_once(self, multiplier.as_ref(), len)?;
                self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
                    let at = this.offset(&unconstrained, idx);
                    let u = this.fb.load(unconstrained.buf, at, ScalarType::F64);
                    let mu = bound_elem(this, &ty, offset.as_ref(), idx, offset_once)?;
                    let sigma = bound_elem(this, &ty, multiplier.as_ref(), idx, multiplier_once)?;
                    // x = mu + sigma u; log J = log(sigma)
                    let scaled = match sigma {
                        Some(s) => this.fb.binary(BinaryOp::Mul, s, u),
                        None => u,
                    };
                    let x = match mu {
                        Some(m) => this.fb.binary(BinaryOp::Add, m, scaled),
                        None => scaled,
                    };
                    this.fb.store(constrained.buf, at, x);
                    if let (Some(s), true) = (sigma, jacobian) {
                        let ls = this.call1("hbm_log", s, decl)?;
                        this.fb.emit(Stmt::AddTarget(ls));
                    }
                    Ok(())
                })?;
            }
            structured => self.constrain_structured(decl, structured, &unconstrained, &constrained, jacobian)?,
        }
        self.storage.insert(decl.var, constrained);
        Ok(())
    }

    /// Scalar bounds must be in order, `lower < upper`, as Stan's
    /// `lub_constrain` checks (in the wrong order every density is NaN).
    /// Bounds the data fix are checked now, an error naming both; others
    /// (of parameters) are checked at each evaluation, which rejects.
    fn bounds_in_order(&mut self, name: &str, lower: (&TypedExpr, Value), upper: (&TypedExpr, Value)) -> LowerResult<()> {
        let known = |e: &TypedExpr| crate::bind::const_real_of_data(self.bound, e);
        match (known(lower.0), known(upper.0)) {
            (Some(l), Some(u)) if l < u => Ok(()),
            (Some(l), Some(u)) => Err(LowerError::bounds_order(
                lower.0.span.to(upper.0.span),
                format!("the bounds of parameter `{name}` are lower = {l} and upper = {u} from the data; the lower bound must be less than the upper"),
            )),
            _ => {
                self.reject_unless_ordered(name, lower.1, upper.1);
                Ok(())
            }
        }
    }

    /// Rejects unless `lb < ub` (bounds per element, or of parameters).
    fn reject_unless_ordered(&mut self, name: &str, lb: Value, ub: Value) {
        let what = format!("the lower bound of `{name}` is ");
        self.reject_unless(lb, CmpOp::Lt, ub, &what, ", but must be less than its upper bound ");
    }

    /// The bounds Stan's transforms apply: a lower bound of -inf or an
    /// upper bound of +inf that the data fix (`lower=L` with `L = -inf`,
    /// `upper=positive_infinity()`) is no bound, as in Stan's
    /// `lb_constrain`/`ub_constrain`/`lub_constrain`.
    pub(super) fn effective_bounds(&self, lower: Option<&TypedExpr>, upper: Option<&TypedExpr>) -> (Option<TypedExpr>, Option<TypedExpr>) {
        let keep = |b: Option<&TypedExpr>, none: f64| b.filter(|e| crate::bind::const_real_of_data(self.bound, e) != Some(none)).cloned();
        (keep(lower, f64::NEG_INFINITY), keep(upper, f64::INFINITY))
    }

    /// E5001 for a scalar bound the data make +inf below or -inf above
    /// (no value lies within it; -inf below and +inf above are no bound,
    /// see [`Self::effective_bounds`]).
    fn refuse_infinite_bounds(&self, name: &str, lower: Option<&TypedExpr>, upper: Option<&TypedExpr>) -> LowerResult<()> {
        for (bound, word, empty) in [(lower, "lower", f64::INFINITY), (upper, "upper", f64::NEG_INFINITY)] {
            let Some(e) = bound else { continue };
            if crate::bind::const_real_of_data(self.bound, e) == Some(empty) {
                return Err(LowerError::unsupported(
                    e.span,
                    format!(
                        "the {word} bound of parameter `{name}` is {} from the data, so no value lies within its bounds",
                        if empty > 0.0 { "inf" } else { "-inf" }
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Rejects the evaluation where a bound read per element (a container
    /// of bounds, or one that depends on parameters) is -inf below or +inf
    /// above: Stan reads such an element as no bound, which the transforms
    /// here only do for bounds the data fix as a whole
    /// ([`Self::effective_bounds`]); computed as they are, they would make
    /// the density NaN. Bounds computed once are not checked again.
    fn reject_infinite_elements(&mut self, name: &str, lower: (Option<Value>, Option<Value>), upper: (Option<Value>, Option<Value>)) {
        for ((bound, once), word, none) in [(lower, "lower", f64::NEG_INFINITY), (upper, "upper", f64::INFINITY)] {
            if let (Some(b), None) = (bound, once) {
                let inf = self.fb.f64(none);
                let is_none = self.fb.cmp(CmpOp::Eq, b, inf);
                let message = format!(
                    "an element of the {word} bound of `{name}` is {}: Stan reads it as no bound for that element, which hbmc supports only for a bound the data fix as one value (declare the elements without bounds apart)",
                    if none > 0.0 { "inf" } else { "-inf" }
                );
                self.reject_if(is_none, &message);
            }
        }
    }

    /// The `Unconstrain` function: each parameter's constrained value (in
    /// the `Out` buffer `Generate` writes it to) back to the unconstrained
    /// scale, rejecting values that break the constraint.
    pub fn lower_unconstrain(&mut self) -> LowerResult<()> {
        let params: Vec<TypedDecl> = self
            .program
            .decls(crate::syntax::ast::BlockKind::Parameters)
            .cloned()
            .collect();
        let out_bufs: std::collections::HashMap<_, _> = self.outputs.iter().copied().collect();
        self.begin_function(FunctionKind::Unconstrain);
        for decl in &params {
            let unconstrained = self
                .storage
                .get(&decl.var)
                .cloned()
                .ok_or_else(|| LowerError::unsupported(decl.span, "a parameter without storage"))?;
            let out = *out_bufs
                .get(&decl.var)
                .ok_or_else(|| LowerError::unsupported(decl.span, "a parameter without an output buffer"))?;
            let constrained = Storage { buf: out, ..unconstrained.clone() };
            let info = self.program.var(decl.var);
            let (name, ty) = (info.name.clone(), info.ty.clone());
            let shape = unconstrained.shape.clone();
            let constraint = match &decl.constraint {
                Constraint::Bounds { lower, upper } => {
                    let (lower, upper) = self.effective_bounds(lower.as_ref(), upper.as_ref());
                    Constraint::Bounds { lower, upper }
                }
                other => other.clone(),
            };
            if structured_name(&constraint).is_some() {
                self.unconstrain_structured(decl, &constraint, &unconstrained, &constrained)?;
                self.storage.insert(decl.var, constrained);
                continue;
            }
            let len = layout::element_count(&shape);
            let (first_once, second_once) = match &constraint {
                Constraint::Bounds { lower: a, upper: b } | Constraint::OffsetMultiplier { offset: a, multiplier: b } => {
                    (scalar_bound_once(self, a.as_ref(), len)?, scalar_bound_once(self, b.as_ref(), len)?)
                }
                _ => (None, None),
            };
            self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
                let at = this.offset(&constrained, idx);
                let x = this.fb.load(constrained.buf, at, ScalarType::F64);
                let u = match &constraint {
                    Constraint::None => x,
                    Constraint::Bounds { lower, upper } => {
                        let lb = bound_elem(this, &ty, lower.as_ref(), idx, first_once)?;
                        let ub = bound_elem(this, &ty, upper.as_ref(), idx, second_once)?;
                        if let Some(lb) = lb {
                            this.require(x, CmpOp::Gt, lb, &name, "above its lower bound");
                        }
                        if let Some(ub) = ub {
                            this.require(x, CmpOp::Lt, ub, &name, "below its upper bound");
                        }
                        match (lb, ub) {
                            (Some(lb), None) => {
                                let d = this.fb.binary(BinaryOp::Sub, x, lb);
                                this.call1("hbm_log", d, decl)?
                            }
                            (None, Some(ub)) => {
                                let d = this.fb.binary(BinaryOp::Sub, ub, x);
                                this.call1("hbm_log", d, decl)?
                            }
                            (Some(lb), Some(ub)) => {
                                let d = this.fb.binary(BinaryOp::Sub, x, lb);
                                let w = this.fb.binary(BinaryOp::Sub, ub, lb);
                                let p = this.fb.binary(BinaryOp::Div, d, w);
                                this.call1("hbm_logit", p, decl)?
                            }
                            (None, None) => x,
                        }
                    }
                    Constraint::OffsetMultiplier { offset, multiplier } => {
                        let mu = bound_elem(this, &ty, offset.as_ref(), idx, first_once)?;
                        let sigma = bound_elem(this, &ty, multiplier.as_ref(), idx, second_once)?;
                        let centred = match mu {
                            Some(m) => this.fb.binary(BinaryOp::Sub, x, m),
                            None => x,
                        };
                        match sigma {
                            Some(s) => this.fb.binary(BinaryOp::Div, centred, s),
                            None => centred,
                        }
                    }
                    other => return Err(LowerError::unsupported(decl.span, format!("initial values for `{}` parameters", other.name()))),
                };
                this.fb.store(unconstrained.buf, at, u);
                Ok(())
            })?;
            // Later bounds read this parameter's constrained value.
            self.storage.insert(decl.var, constrained);
        }
        self.end_function();
        Ok(())
    }

    /// A structured type (simplex, Cholesky factors, ...): one call of the
    /// stdlib's `hbm_<type>_constrain(x, k, out) -> log_jacobian` per
    /// element of the parameter (per array element), on its slices of the
    /// unconstrained and constrained buffers.
    fn constrain_structured(
        &mut self,
        decl: &TypedDecl,
        constraint: &Constraint,
        unconstrained: &Storage,
        constrained: &Storage,
        jacobian: bool,
    ) -> LowerResult<()> {
        let s = self.structured_slices(decl, constraint, unconstrained)?;
        if s.rows != s.k {
            return self.cholesky_rect(decl, &s, unconstrained, constrained, Direction::Constrain { jacobian });
        }
        if *constraint == Constraint::CholeskyFactorCorr
            && self.try_constrain_small_cholesky_corr(decl.span, (s.k, s.count, s.free), unconstrained, constrained, jacobian)?
        {
            return Ok(());
        }
        let f = self.lib(&format!("hbm_{}_constrain", s.name), decl)?;
        self.repeat(s.count, |this, i| {
            let (x, y) = this.slice_offsets(&s, i);
            let mut args = vec![CallArg::Buffer { buf: unconstrained.buf, offset: x }];
            args.extend(this.size_args(&s));
            args.push(CallArg::Buffer { buf: constrained.buf, offset: y });
            let log_jac = this.fb.call(f, args);
            if jacobian {
                this.fb.emit(Stmt::AddTarget(log_jac));
            }
            Ok(())
        })
    }

    /// The inverse of [`Self::constrain_structured`]: one call of
    /// `hbm_<type>_unconstrain(y, k, x) -> status` per element, rejecting
    /// a value that is not of the type.
    fn unconstrain_structured(&mut self, decl: &TypedDecl, constraint: &Constraint, unconstrained: &Storage, constrained: &Storage) -> LowerResult<()> {
        let s = self.structured_slices(decl, constraint, unconstrained)?;
        if s.rows != s.k {
            return self.cholesky_rect(decl, &s, unconstrained, constrained, Direction::Unconstrain);
        }
        let f = self.lib(&format!("hbm_{}_unconstrain", s.name), decl)?;
        let param = self.program.var(decl.var).name.clone();
        self.repeat(s.count, |this, i| {
            let (x, y) = this.slice_offsets(&s, i);
            let mut args = vec![CallArg::Buffer { buf: constrained.buf, offset: y }];
            args.extend(this.size_args(&s));
            args.push(CallArg::Buffer { buf: unconstrained.buf, offset: x });
            let status = this.fb.call(f, args);
            this.reject_unless_zero(status, &format!("the initial value of `{param}` is not a valid {}", s.name));
            Ok(())
        })
    }

    /// The sizes of a structured parameter's per-element slices, checked
    /// against the stdlib's transform.
    fn structured_slices(&self, decl: &TypedDecl, constraint: &Constraint, unconstrained: &Storage) -> LowerResult<Slices> {
        let name = structured_name(constraint)
            .ok_or_else(|| LowerError::unsupported(decl.span, format!("`{}` parameters", constraint.name())))?;
        let (array, elem) = unconstrained.shape.split_at(unconstrained.array_rank.min(unconstrained.shape.len()));
        let mut cols = None;
        let (rows, k) = match elem {
            [k] => (*k, *k),
            [n, m] if matches!(constraint, Constraint::Matrix(_)) => {
                cols = Some(*m);
                (*n, *n)
            }
            [m, n] if m == n => (*m, *n),
            // Stan's non-square `cholesky_factor_cov[M, N]` (the checker
            // and the data validation require M >= N).
            [m, n] if *constraint == Constraint::CholeskyFactorCov && m > n => (*m, *n),
            _ => return Err(LowerError::unsupported(decl.span, format!("a `{name}` parameter of shape {elem:?}"))),
        };
        let free = layout::unconstrained_len(constraint, elem, 0);
        Ok(Slices { name, k, rows, cols, count: layout::element_count(array), free, constrained: layout::element_count(elem) })
    }

    /// Stan's `cholesky_factor_cov[M, N]` with M > N, per array element:
    /// the first N(N+1)/2 free values are a square `cholesky_factor_cov[N]`
    /// (the stdlib transform on a scratch N × N block, with its
    /// log-Jacobian, the sum of the log diagonal), and the other (M - N)N
    /// are rows N+1..M, row by row, unconstrained (no Jacobian term).
    /// Constraining copies the block into the top of the M × N matrix;
    /// unconstraining copies it out and runs the square inverse, which
    /// also checks the block.
    fn cholesky_rect(&mut self, decl: &TypedDecl, s: &Slices, unconstrained: &Storage, constrained: &Storage, dir: Direction) -> LowerResult<()> {
        let (m, n) = (s.rows, s.k);
        let tri = n * (n + 1) / 2;
        // One block per array element, so no scratch value is overwritten
        // after the AD's forward sweep has read it.
        let block = self.temp_buffer("cholesky_block", ScalarType::F64, s.count * n * n);
        let f = match dir {
            Direction::Constrain { .. } => self.lib("hbm_cholesky_factor_cov_constrain", decl)?,
            Direction::Unconstrain => self.lib("hbm_cholesky_factor_cov_unconstrain", decl)?,
        };
        let param = self.program.var(decl.var).name.clone();
        self.repeat(s.count, |this, i| {
            let (x, y) = this.slice_offsets(s, i);
            let nn = this.fb.i64((n * n) as i64);
            let t = this.fb.binary(BinaryOp::Mul, i, nn);
            let (nv, mv) = (this.fb.i64(n as i64), this.fb.i64(m as i64));
            let free_arg = CallArg::Buffer { buf: unconstrained.buf, offset: x };
            let block_arg = CallArg::Buffer { buf: block, offset: t };
            if let Direction::Constrain { jacobian } = dir {
                let log_jac = this.fb.call(f.clone(), vec![free_arg.clone(), CallArg::Value(nv), block_arg.clone()]);
                if jacobian {
                    this.fb.emit(Stmt::AddTarget(log_jac));
                }
            }
            // The top N × N block: block[r + c N] <-> matrix[r + c M].
            let to_matrix = matches!(dir, Direction::Constrain { .. });
            this.loop_n(n, |this, c| {
                this.loop_n(n, |this, r| {
                    let cm = this.fb.binary(BinaryOp::Mul, c, mv);
                    let at_m = this.fb.binary(BinaryOp::Add, r, cm);
                    let at_m = this.fb.binary(BinaryOp::Add, y, at_m);
                    let cn = this.fb.binary(BinaryOp::Mul, c, nv);
                    let at_b = this.fb.binary(BinaryOp::Add, r, cn);
                    let at_b = this.fb.binary(BinaryOp::Add, t, at_b);
                    if to_matrix {
                        let v = this.fb.load(block, at_b, ScalarType::F64);
                        this.fb.store(constrained.buf, at_m, v);
                    } else {
                        let v = this.fb.load(constrained.buf, at_m, ScalarType::F64);
                        this.fb.store(block, at_b, v);
                    }
                    Ok(())
                })
            })?;
            if !to_matrix {
                let status = this.fb.call(f.clone(), vec![block_arg, CallArg::Value(nv), free_arg]);
                this.reject_unless_zero(status, &format!("the initial value of `{param}` is not a valid cholesky_factor_cov"));
            }
            // Rows N+1..M: free[tri + (r - N) N + c] <-> matrix[r + c M].
            this.loop_n(m - n, |this, rr| {
                this.loop_n(n, |this, c| {
                    let row = this.fb.binary(BinaryOp::Add, rr, nv);
                    let cm = this.fb.binary(BinaryOp::Mul, c, mv);
                    let at_m = this.fb.binary(BinaryOp::Add, row, cm);
                    let at_m = this.fb.binary(BinaryOp::Add, y, at_m);
                    let rn = this.fb.binary(BinaryOp::Mul, rr, nv);
                    let at_x = this.fb.binary(BinaryOp::Add, rn, c);
                    let base = this.fb.i64(tri as i64);
                    let at_x = this.fb.binary(BinaryOp::Add, base, at_x);
                    let at_x = this.fb.binary(BinaryOp::Add, x, at_x);
                    if to_matrix {
                        let v = this.fb.load(unconstrained.buf, at_x, ScalarType::F64);
                        this.fb.store(constrained.buf, at_m, v);
                    } else {
                        let v = this.fb.load(constrained.buf, at_m, ScalarType::F64);
                        this.fb.store(unconstrained.buf, at_x, v);
                    }
                    Ok(())
                })
            })
        })
    }

    /// The offsets of element `i`'s unconstrained and constrained slices.
    /// The size arguments of a structured transform's calls: `k`, or a
    /// matrix type's rows and columns.
    fn size_args(&mut self, s: &Slices) -> Vec<CallArg> {
        let mut args = vec![CallArg::Value(self.fb.i64(s.k as i64))];
        if let Some(cols) = s.cols {
            args.push(CallArg::Value(self.fb.i64(cols as i64)));
        }
        args
    }

    fn slice_offsets(&mut self, s: &Slices, i: Value) -> (Value, Value) {
        let free = self.fb.i64(s.free as i64);
        let x = self.fb.binary(BinaryOp::Mul, i, free);
        let len = self.fb.i64(s.constrained as i64);
        let y = self.fb.binary(BinaryOp::Mul, i, len);
        (x, y)
    }

    /// A stdlib function by symbol, or an error naming it.
    fn lib(&self, symbol: &str, decl: &TypedDecl) -> LowerResult<crate::ir::FuncRef> {
        self.symbols
            .get(symbol)
            .ok_or_else(|| LowerError::unsupported(decl.span, format!("the library function `{symbol}`")))
    }

    /// Rejects unless `x cmp bound`, naming the parameter and the value.
    fn require(&mut self, x: Value, cmp: CmpOp, bound: Value, name: &str, what: &str) {
        self.reject_unless(x, cmp, bound, &format!("the initial value of `{name}` is "), &format!(", which is not {what} "));
    }

    /// `f(x)` for a one-argument stdlib function.
    fn call1(&mut self, symbol: &str, x: Value, decl: &TypedDecl) -> LowerResult<Value> {
        let f = self
            .symbols
            .get(symbol)
            .ok_or_else(|| LowerError::unsupported(decl.span, format!("the library function `{symbol}`")))?;
        Ok(self.fb.call(f, vec![CallArg::Value(x)]))
    }
}

/// A scalar bound (or offset, multiplier) computed once, ahead of the loop
/// over the parameter's elements: the same for every element, and it may
/// cost as much as the whole loop (`lower=mean(y) - 3 * sd(y)` reads all
/// of `y`; once per element it was quadratic in the data, 2,000 times the
/// gradient of the rest of a 192-observation state-space model). `None`
/// for a container bound (read per element) and for a parameter without
/// elements (its loop never runs, so neither may the bound: `mean` of an
/// empty vector rejects).
pub(super) fn scalar_bound_once(this: &mut Lowerer<'_>, bound: Option<&TypedExpr>, len: usize) -> LowerResult<Option<Value>> {
    match bound {
        Some(b) if b.ty.is_scalar() && len > 0 => {
            let v = this.scalar(b)?;
            Ok(Some(this.fb.to_f64(v)))
        }
        _ => Ok(None),
    }
}

/// A bound's value for the element at `idx`: `once` when it was computed
/// ahead of the loop ([`scalar_bound_once`]), else read per element
/// (scalar bounds broadcast).
pub(super) fn bound_elem(
    this: &mut Lowerer<'_>,
    ty: &crate::check::types::Type,
    bound: Option<&TypedExpr>,
    idx: &[Value],
    once: Option<Value>,
) -> LowerResult<Option<Value>> {
    let Some(b) = bound else { return Ok(None) };
    if once.is_some() {
        return Ok(once);
    }
    let v = if b.ty.is_scalar() { this.scalar(b)? } else { this.operand_elem(ty, b, idx)? };
    Ok(Some(this.fb.to_f64(v)))
}

/// A structured parameter's slices: per element of its array axes, `free`
/// unconstrained values become `constrained` values of a type of size `k`.
struct Slices {
    /// The stdlib's name of the transform (`hbm_<name>_constrain`).
    name: &'static str,
    k: usize,
    /// Rows of a matrix type: `k`, except for a non-square
    /// `cholesky_factor_cov[rows, k]`.
    rows: usize,
    /// The columns of a `Constraint::Matrix` type (whose transforms take
    /// rows and columns; `k` is then its rows).
    cols: Option<usize>,
    /// Elements of the array axes (1 without them).
    count: usize,
    free: usize,
    constrained: usize,
}

/// The stdlib transform of a structured constraint type.
pub(super) fn structured_name(c: &Constraint) -> Option<&'static str> {
    Some(match c {
        Constraint::Simplex => "simplex",
        Constraint::Ordered => "ordered",
        Constraint::PositiveOrdered => "positive_ordered",
        Constraint::UnitVector => "unit_vector",
        Constraint::SumToZero => "sum_to_zero",
        Constraint::CholeskyFactorCorr => "cholesky_factor_corr",
        Constraint::CholeskyFactorCov => "cholesky_factor_cov",
        Constraint::CorrMatrix => "corr_matrix",
        Constraint::CovMatrix => "cov_matrix",
        Constraint::Matrix(kind) => kind.keyword(),
        Constraint::None | Constraint::Bounds { .. } | Constraint::OffsetMultiplier { .. } => return None,
    })
}

/// Which way [`Lowerer::cholesky_rect`] maps a parameter.
#[derive(Clone, Copy, Debug)]
enum Direction {
    /// Free values to the matrix, adding the log-Jacobian when asked.
    Constrain { jacobian: bool },
    /// The matrix back to free values, rejecting a matrix not of the type.
    Unconstrain,
}

#[cfg(test)]
mod tests {
    use crate::bind::{bind_data, read_source};
    use crate::ir::{FunctionKind, Stmt};

    /// The deepest loop nesting in `stmts` (0: no loop).
    fn depth(stmts: &[Stmt]) -> usize {
        stmts
            .iter()
            .map(|s| match s {
                Stmt::For { body, .. } => 1 + depth(body),
                Stmt::While { cond_block, body, .. } => 1 + depth(cond_block).max(depth(body)),
                Stmt::If { then, otherwise, .. } => depth(then).max(depth(otherwise)),
                _ => 0,
            })
            .max()
            .unwrap_or(0)
    }

    /// The loop nesting of each function lowering `source` with `data`.
    fn nesting(source: &str, data: &str) -> Vec<(FunctionKind, usize)> {
        let fe = crate::front_end(source);
        let program = fe.typed.unwrap_or_else(|| panic!("checks: {:?}", fe.diagnostics));
        let src = read_source("d.json", data).expect("data reads");
        let (bound, diags) = bind_data(&program, &[src]);
        let bound = bound.unwrap_or_else(|| panic!("binds: {diags:?}"));
        let model = crate::lower::lower_model(&program, &bound).unwrap_or_else(|d| panic!("lowers: {d:?}"));
        [FunctionKind::LogDensity, FunctionKind::Generate, FunctionKind::Unconstrain]
            .into_iter()
            .filter_map(|k| model.module.function(k).map(|f| (k, depth(&f.body))))
            .collect()
    }

    /// A scalar bound, offset or multiplier that reads a whole data vector
    /// (`mean(y)`, a loop over `y`) is computed ahead of the loop over the
    /// parameter's elements, not inside it: loops nest one deep, as with a
    /// constant bound. Inside, every gradient cost the parameter's length
    /// times the data's (quadratic; posteriordb's seasonal state-space
    /// model took 2,000 times as long as without its bounds).
    #[test]
    fn scalar_bounds_over_data_are_computed_once() {
        let data = r#"{"N": 5, "y": [1.5, 2.0, 0.5, 3.0, 2.5]}"#;
        let constant = nesting(
            "data { int N; vector[N] y; } parameters { vector<lower=0, upper=9>[N] a; vector<offset=1, multiplier=2>[N] b; } model { y ~ normal(a + b, 1); }",
            data,
        );
        let over_data = nesting(
            "data { int N; vector[N] y; } parameters { vector<lower=mean(y) - 3 * sd(y), upper=max(y) + 3 * sd(y)>[N] a; vector<offset=mean(y), multiplier=sd(y)>[N] b; } model { y ~ normal(a + b, 1); }",
            data,
        );
        assert!(constant.iter().all(|&(_, d)| d == 1), "{constant:?}");
        assert_eq!(over_data, constant);
    }
}
