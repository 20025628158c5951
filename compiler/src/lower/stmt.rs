//! Statements: declarations, assignment, sampling, `target +=`, control flow.

use super::{LowerError, LowerResult, Lowerer, Storage};
use crate::check::signatures::{self, ArgShape, Distribution};
use crate::check::typed::{TypedDecl, TypedExpr, TypedExprKind, TypedPrintArg, TypedStmt, TypedStmtKind, VarId};
use crate::check::types::{ElemType, Type};
use crate::ir::{BinaryOp, CallArg, CmpOp, FunctionKind, MessagePart, PrintShape, ScalarType, Stmt, Value};
use crate::syntax::ast::AssignOp;

/// Where the terms of a density go.
#[derive(Clone, Copy)]
pub(super) enum Sink {
    /// `target +=` each term (sampling statements).
    Target,
    /// Summed into a one-element buffer (`f_lpdf(...)` as an expression).
    Buffer(crate::ir::BufferId),
}

impl Lowerer<'_> {
    /// Lowers one statement into the current function.
    pub fn lower_stmt(&mut self, s: &TypedStmt) -> LowerResult<()> {
        use TypedStmtKind as K;
        if self.skips_unread_store(s) || self.leaves_out_density_term(s) {
            return Ok(());
        }
        // Complex values are computed element by element (`complex`), with
        // nothing hoisted.
        let complex_target = match &s.kind {
            K::Decl(decl) => self.program.var(decl.var).ty.is_complex_valued(),
            K::Assign { lhs, .. } => lhs.ty.is_complex_valued(),
            _ => false,
        };
        if complex_target {
            return self.lower_stmt_unhoisted(s);
        }
        let exprs: Vec<&TypedExpr> = match &s.kind {
            K::Decl(decl) => decl.init.iter().collect(),
            K::Assign { rhs, .. } => vec![rhs],
            K::Tilde { lhs, args, truncation: Some((lo, hi)), .. } => {
                std::iter::once(lhs).chain(args).chain(lo.iter()).chain(hi.iter()).collect()
            }
            K::Tilde { lhs, args, .. } | K::Draw { lhs, args, .. } => std::iter::once(lhs).chain(args).collect(),
            K::TargetPlus(e) | K::JacobianPlus(e) => vec![e],
            _ => return self.lower_stmt_unhoisted(s),
        };
        // A whole value assigned to a whole variable is computed straight
        // into it (`store_whole`), so only its parts are hoisted.
        let into_variable = match &s.kind {
            K::Decl(_) => true,
            K::Assign { lhs, op, .. } => matches!(lhs.kind, TypedExprKind::Var(_)) && *op == AssignOp::Assign,
            _ => false,
        };
        // A density's inverse link that its link form drops
        // (`y ~ categorical(softmax(b))`) is never computed.
        let dropped = match &s.kind {
            K::Tilde { dist, args, .. } => args.first().filter(|p| self.is_link_argument(dist, 0, p)),
            _ => None,
        };
        for e in &exprs {
            if (into_variable && is_whole_value(e)) || dropped.is_some_and(|d| std::ptr::eq(*e, d)) {
                self.hoist_below(e)?;
            } else {
                self.hoist_materialised(&[e])?;
            }
        }
        let lowered = self.lower_stmt_unhoisted(s);
        self.end_hoist();
        lowered
    }

    /// Whether `s` adds to the log density where this function has none:
    /// the transformed parameters recomputed for generated quantities (a
    /// `_lp` function's `~`/`target +=`, a `jacobian +=`) leave it out, and
    /// so does a log density without the Jacobian adjustment (BridgeStan's
    /// `jacobian=0`) for `jacobian +=`.
    fn leaves_out_density_term(&self, s: &TypedStmt) -> bool {
        use TypedStmtKind as K;
        match &s.kind {
            K::TargetPlus(_) | K::Tilde { .. } => self.kind() != FunctionKind::LogDensity,
            K::JacobianPlus(_) => self.kind() != FunctionKind::LogDensity || !self.jacobian,
            _ => false,
        }
    }

    /// Lowers one statement, its loop-invariant buffers already computed.
    fn lower_stmt_unhoisted(&mut self, s: &TypedStmt) -> LowerResult<()> {
        use TypedStmtKind as K;
        match &s.kind {
            K::Decl(decl) if self.program.var(decl.var).ty.is_complex_valued() => {
                self.declare_local_var(decl)?;
                self.lower_decl_init(decl)
            }
            K::Decl(decl) => {
                // A local of a nested block (an inlined function's body) may
                // be fused into its reader and never stored.
                self.check_decl_init_sizes(decl)?;
                if self.is_single_assignment_scalar(decl) {
                    let init = decl.init.as_ref().map(|e| self.scalar(e)).transpose()?;
                    if let Some(v) = init {
                        let v = if self.elem_type(decl.var) == ScalarType::F64 { self.fb.to_f64(v) } else { v };
                        self.scalars.insert(decl.var, v);
                        return Ok(());
                    }
                }
                if self.try_declare_small(decl)? {
                    return Ok(());
                }
                self.declare_local_var(decl)?;
                self.lower_decl_init(decl)
            }
            K::Assign { lhs, op, rhs } => self.lower_assign(lhs, *op, rhs),
            K::Tilde { lhs, dist, args, truncation, .. } => {
                let d = signatures::distribution(dist)
                    .ok_or_else(|| LowerError::unsupported(s.span, format!("the distribution `{dist}`")))?;
                match truncation {
                    Some((lo, hi)) if d.name == "poisson_binomial" => {
                        let drop_density = self.drops_whole_density(lhs, args);
                        self.poisson_binomial_truncated(lhs, &args[0], lo.as_ref(), hi.as_ref(), drop_density, lhs)?;
                        self.subtract_dropped_of_tilde(d, lhs, args, lhs)
                    }
                    Some((lo, hi)) => {
                        self.truncated_terms(d, lhs, args, lo.as_ref(), hi.as_ref(), lhs)?;
                        self.subtract_dropped_of_tilde(d, lhs, args, lhs)
                    }
                    None => self.sampled_terms(d, lhs, args, true, Sink::Target, lhs),
                }
            }
            K::Draw { lhs, dist, args, lower, upper } => self.lower_draw(lhs, dist, args, lower.as_ref(), upper.as_ref()),
            K::TargetPlus(e) | K::JacobianPlus(e) => {
                if self.density_into_target(e)? {
                    return Ok(());
                }
                let shape = self.shape(e)?;
                self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
                    let v = this.elem(e, idx)?;
                    let v = this.fb.to_f64(v);
                    this.fb.emit(Stmt::AddTarget(v));
                    Ok(())
                })
            }
            K::For { var, lower, upper, body } => {
                self.note_loop_range(*var, lower, upper);
                let lo = self.scalar(lower)?;
                let hi = self.scalar(upper)?;
                let one = self.fb.i64(1);
                let end = self.fb.binary(BinaryOp::Add, hi, one);
                self.counted_loop(*var, lo, end, body)
            }
            K::ForDim { var, dim, body } => {
                let lo = self.fb.i64(1);
                let n = self.bound.dim_sizes.get(*dim).copied().unwrap_or(0);
                let end = self.fb.i64(n as i64 + 1);
                self.counted_loop(*var, lo, end, body)
            }
            K::ForEach { var, over, body } => {
                let shape = self.shape(over)?;
                // A 1-D array of ints or reals, a vector, a row vector, or
                // (as Stan) a matrix's elements in column-major order; an
                // array of containers became an indexed loop when checked
                // (`check::foreach`), or else is copied element by element.
                let scalars = match over.ty.elem {
                    ElemType::Int { .. } | ElemType::Real => over.ty.array.len() <= 1,
                    ElemType::Vector(_) | ElemType::RowVector(_) | ElemType::Matrix(..) => over.ty.array.is_empty(),
                    _ => false,
                };
                let axes = if matches!(over.ty.elem, ElemType::Matrix(..)) { 2 } else { 1 };
                if !over.ty.array.is_empty() && !scalars {
                    return self.foreach_copying_elements(*var, over, body);
                }
                if !scalars || shape.len() != axes {
                    return Err(LowerError::unsupported(s.span, "a foreach loop over the elements of a complex vector or matrix (loop over its indices)"));
                }
                let start = self.fb.i64(0);
                let end = self.fb.i64(shape.iter().product::<usize>() as i64);
                let i = self.fb.fresh(ScalarType::I64);
                self.fb.open();
                let at = match shape[..] {
                    [rows, _] => {
                        let rows = self.fb.i64(rows as i64);
                        vec![self.fb.binary(BinaryOp::Rem, i, rows), self.fb.binary(BinaryOp::Div, i, rows)]
                    }
                    _ => vec![i],
                };
                let x = self.elem(over, &at)?;
                self.scalars.insert(*var, x);
                self.lower_stmt(body)?;
                let body = self.fb.close();
                self.fb.emit(Stmt::For { var: i, start, end, body });
                Ok(())
            }
            K::While { cond, body } => {
                self.fb.open();
                let c = self.scalar(cond)?;
                let zero = self.zero_like(c);
                let c = self.fb.cmp(CmpOp::Ne, c, zero);
                let cond_block = self.fb.close();
                self.fb.open();
                self.lower_stmt(body)?;
                let body = self.fb.close();
                self.fb.emit(Stmt::While { cond_block, cond: c, body });
                Ok(())
            }
            K::If { cond, then, otherwise } => {
                // A condition the data fix (`order == 1` in a recursive
                // function unrolled at each call, its `order` a data
                // expression: `syntax/functions/unrolled.rs`) takes one
                // arm: the other is never lowered, so the levels of
                // recursion past the data's depth cost nothing.
                if self.fold_conditions && cond.ty.is_int_scalar() {
                    if let Ok(c) = self.const_int(cond) {
                        return match (c != 0, otherwise) {
                            (true, _) => self.lower_stmt(then),
                            (false, Some(o)) => self.lower_stmt(o),
                            (false, None) => Ok(()),
                        };
                    }
                }
                let c = self.scalar(cond)?;
                let zero = self.zero_like(c);
                let c = self.fb.cmp(CmpOp::Ne, c, zero);
                self.fb.open();
                self.lower_stmt(then)?;
                let then_block = self.fb.close();
                self.fb.open();
                if let Some(o) = otherwise {
                    self.lower_stmt(o)?;
                }
                let else_block = self.fb.close();
                self.fb.emit(Stmt::If { cond: c, then: then_block, otherwise: else_block });
                Ok(())
            }
            K::Block(stmts) => {
                for (i, s) in stmts.iter().enumerate() {
                    if let K::Decl(decl) = &s.kind {
                        if self.try_fuse_local_product(decl, &stmts[i + 1..])? {
                            continue;
                        }
                    }
                    self.lower_stmt(s)?;
                    // Nothing after a `reject` runs: a recursion unrolled
                    // to its limit rejects there, and the placeholder
                    // value after it need not have the sizes of a real one.
                    // (A declaration after it is still made: an inlined
                    // `_lp` body is a block whose locals the call's value
                    // reads after it.)
                    let rest = &stmts[i + 1..];
                    if matches!(s.kind, K::Reject(_) | K::FatalError(_)) && !rest.iter().any(|r| matches!(r.kind, K::Decl(_))) {
                        break;
                    }
                }
                Ok(())
            }
            K::Print(args) => {
                let parts = self.message(args)?;
                self.fb.emit(Stmt::Print(parts));
                Ok(())
            }
            K::Reject(args) | K::FatalError(args) => {
                let parts = self.message(args)?;
                self.fb.emit(Stmt::Reject(parts));
                Ok(())
            }
            K::Break => {
                self.fb.emit(Stmt::Break);
                Ok(())
            }
            K::Continue => {
                self.fb.emit(Stmt::Continue);
                Ok(())
            }
            K::Return(_) | K::Call(_) => Err(LowerError::unsupported(s.span, "this statement")),
            K::Empty => Ok(()),
        }
    }

    fn counted_loop(&mut self, var: VarId, start: Value, end: Value, body: &TypedStmt) -> LowerResult<()> {
        let v = self.fb.fresh(ScalarType::I64);
        self.fb.open();
        self.scalars.insert(var, v);
        self.lower_stmt(body)?;
        let body = self.fb.close();
        self.fb.emit(Stmt::For { var: v, start, end, body });
        Ok(())
    }

    /// A local scalar with an initial value that is never assigned again
    /// lives in an SSA value rather than memory.
    fn is_single_assignment_scalar(&self, decl: &TypedDecl) -> bool {
        decl.init.is_some() && decl.sizes.is_empty() && !self.assigned.contains(&decl.var)
    }

    /// Stores a declaration's initial value, if it has one.
    pub fn lower_decl_init(&mut self, decl: &TypedDecl) -> LowerResult<()> {
        let Some(init) = &decl.init else { return Ok(()) };
        let storage = self
            .storage
            .get(&decl.var)
            .cloned()
            .ok_or_else(|| LowerError::unsupported(decl.span, "a declaration without storage"))?;
        let ty = self.program.var(decl.var).ty.clone();
        self.store_whole(&storage, &ty, init)
    }

    /// `dst = e` for a whole variable: elementwise, through a temporary when
    /// `e` reads the variable being written (Stan evaluates the right side
    /// first).
    fn store_whole(&mut self, dst: &Storage, dst_ty: &Type, e: &TypedExpr) -> LowerResult<()> {
        if dst_ty.is_complex_valued() {
            return self.store_whole_complex(dst, dst_ty, e);
        }
        self.check_assigned_sizes(&dst.shape, e)?;
        let mentions = mentions_buffer(e, dst, &self.storage);
        let check_dim = index_dim(dst_ty);
        if is_whole_value(e) && !mentions && check_dim.is_none() && (dst.ty == ScalarType::F64 || writes_ints_whole(e)) {
            // Computed whole straight into the variable, rather than
            // materialised again for every element read.
            return self.fill(dst, e);
        }
        let src = if mentions { Some(self.materialize(e)?) } else { None };
        let shape = dst.shape.clone();
        self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
            let v = match &src {
                Some(s) => {
                    let at = this.offset(s, idx);
                    this.fb.load(s.buf, at, s.ty)
                }
                None => this.elem(e, idx)?,
            };
            let v = if dst.ty == ScalarType::F64 { this.fb.to_f64(v) } else { v };
            if let Some(d) = check_dim {
                this.check_member(v, d, e)?;
            }
            let at = this.offset(dst, idx);
            this.fb.store(dst.buf, at, v);
            Ok(())
        })
    }

    /// [`Lowerer::check_assigned_sizes`] of a declaration's initial value
    /// against its declared sizes (when both are known here).
    pub(super) fn check_decl_init_sizes(&mut self, decl: &TypedDecl) -> LowerResult<()> {
        let Some(init) = &decl.init else { return Ok(()) };
        let var = self.program.var(decl.var);
        // A per-length copy's local (see `check_assigned_sizes`).
        if var.ty.is_complex_valued() || var.name.contains("__r") {
            return Ok(());
        }
        match self.shape_of_decl(decl) {
            Ok(shape) => self.check_assigned_sizes(&shape, init),
            Err(_) => Ok(()),
        }
    }

    /// Refuses a container value whose sizes, known once the data are,
    /// are not those of the place it is assigned to (Stan rejects it; read
    /// element by element, it would read past its end or leave elements
    /// unwritten). A value whose shape is not known here is left alone,
    /// and so is one that reads the run-time-length pass's variables
    /// (named `x__rN`): in a block copied once per length
    /// (`ragged::per_length`) such a variable's shape here may be another
    /// copy's (seen: [2] against [1] in the corpus program
    /// functions_local_sized_per_iteration.stan).
    fn check_assigned_sizes(&mut self, target: &[usize], value: &TypedExpr) -> LowerResult<()> {
        if value.ty.is_scalar() || value.mentions(|v| self.program.var(v).name.contains("__r")) {
            return Ok(());
        }
        match self.shape(value) {
            Ok(shape) if shape.len() == target.len() && shape != target => Err(LowerError::sizes(
                value.span,
                format!("a value of sizes {shape:?} assigned to a place of sizes {target:?} (they must be the same)"),
            )),
            _ => Ok(()),
        }
    }

    /// Keeps the invariant that a member of a dim is in `1..=size`.
    fn check_member(&mut self, v: Value, dim: usize, at: &TypedExpr) -> LowerResult<()> {
        let n = self.bound.dim_sizes.get(dim).copied().unwrap_or(0);
        let one = self.fb.i64(1);
        let i0 = self.fb.binary(BinaryOp::Sub, v, one);
        self.range_check(i0, n, at).map(|_| ())
    }

    fn lower_assign(&mut self, lhs: &TypedExpr, op: AssignOp, rhs: &TypedExpr) -> LowerResult<()> {
        if matches!(op, AssignOp::Add | AssignOp::Sub) && lhs.ty.is_scalar() == rhs.ty.is_scalar() && !lhs.ty.is_complex_valued() {
            if let Some(done) = self.lower_accumulation(lhs, op, rhs)? {
                return Ok(done);
            }
        }
        // The value to store: `rhs`, or `lhs op rhs` for compound assignment.
        let combined;
        let value: &TypedExpr = match op.binary() {
            None => rhs,
            Some(bin) => {
                combined = TypedExpr {
                    kind: TypedExprKind::Binary { op: bin, lhs: Box::new(lhs.clone()), rhs: Box::new(rhs.clone()) },
                    ty: lhs.ty.clone(),
                    level: lhs.level.max(rhs.level),
                    span: rhs.span,
                };
                &combined
            }
        };
        match &lhs.kind {
            TypedExprKind::Var(v) => {
                let storage = self
                    .storage
                    .get(v)
                    .cloned()
                    .ok_or_else(|| LowerError::unsupported(lhs.span, "assigning a variable without storage"))?;
                let ty = self.program.var(*v).ty.clone();
                self.store_whole(&storage, &ty, value)
            }
            TypedExprKind::Index { base, indices, zipped } => {
                let TypedExprKind::Var(v) = &base.kind else {
                    return Err(LowerError::unsupported(lhs.span, "assigning through nested indexing `x[i][j]`; write `x[i, j]`"));
                };
                let storage = self
                    .storage
                    .get(v)
                    .cloned()
                    .ok_or_else(|| LowerError::unsupported(lhs.span, "assigning a variable without storage"))?;
                if base.ty.is_complex_valued() {
                    return self.assign_indexed_complex(lhs, base, &storage, indices, zipped, value);
                }
                // Stan evaluates the right side before assigning: a scalar
                // is computed before its store anyway; a container element
                // by element only when it does not read the variable
                // written (its whole parts are hoisted ahead of the loop,
                // and a `?:` could compute a whole branch per element).
                let direct = value.ty.is_scalar() || (!mentions_buffer(value, &storage, &self.storage) && !has_ternary(value));
                let src = if direct { None } else { Some(self.materialize(value)?) };
                let shape = self.shape(lhs)?;
                self.check_assigned_sizes(&shape, value)?;
                let check_dim = index_dim(&lhs.ty);
                let mut store = |this: &mut Self, idx: &[Value]| -> LowerResult<()> {
                    let x = match &src {
                        Some(src) => {
                            let at = this.offset(src, idx);
                            this.fb.load(src.buf, at, src.ty)
                        }
                        None => this.elem(value, idx)?,
                    };
                    let x = if storage.ty == ScalarType::F64 { this.fb.to_f64(x) } else { x };
                    if let Some(d) = check_dim {
                        this.check_member(x, d, value)?;
                    }
                    let base_idx = this.base_index(lhs, &base.ty, &storage.shape, indices, zipped, idx)?;
                    let dst = this.offset(&storage, &base_idx);
                    this.fb.store(storage.buf, dst, x);
                    Ok(())
                };
                // Only the cells the log density reads, when known.
                if src.is_none() && self.restricted_assign(*v, indices, zipped, &mut store)?.is_some() {
                    return Ok(());
                }
                self.each_index(&shape, &mut store)
            }
            _ => Err(LowerError::unsupported(lhs.span, "this assignment target")),
        }
    }

    /// `x += e` and `x -= e` as accumulations (`buf[i] += v`), which the
    /// AD handles in loops without a tape, when `e` does not read `x` and
    /// `x` is a whole variable of the same shape. `None` when it does not
    /// apply.
    fn lower_accumulation(&mut self, lhs: &TypedExpr, op: AssignOp, rhs: &TypedExpr) -> LowerResult<Option<()>> {
        let TypedExprKind::Var(v) = &lhs.kind else { return Ok(None) };
        let Some(storage) = self.storage.get(v).cloned() else { return Ok(None) };
        if storage.ty != ScalarType::F64 || mentions_buffer(rhs, &storage, &self.storage) || index_dim(&lhs.ty).is_some() {
            return Ok(None);
        }
        let shape = storage.shape.clone();
        let result_ty = lhs.ty.clone();
        self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
            let x = this.operand_elem(&result_ty, rhs, idx)?;
            let x = this.fb.to_f64(x);
            let x = if op == AssignOp::Sub { this.fb.unary(crate::ir::UnaryOp::Neg, x) } else { x };
            let at = this.offset(&storage, idx);
            this.fb.accumulate(storage.buf, at, x);
            Ok(())
        })?;
        Ok(Some(()))
    }

    fn message(&mut self, args: &[TypedPrintArg]) -> LowerResult<Vec<MessagePart>> {
        let mut parts = Vec::new();
        for a in args {
            match a {
                TypedPrintArg::Str(s) => parts.push(MessagePart::Text(s.clone())),
                // A complex scalar as Stan prints it: `(re,im)`.
                TypedPrintArg::Expr(e) if e.ty.array.is_empty() && e.ty.elem == crate::check::types::ElemType::Complex => {
                    let (re, im) = self.complex_elem(e, &[])?;
                    parts.extend([
                        MessagePart::Text("(".into()),
                        MessagePart::Value(re),
                        MessagePart::Text(",".into()),
                        MessagePart::Value(im),
                        MessagePart::Text(")".into()),
                    ]);
                }
                TypedPrintArg::Expr(e) if e.ty.is_scalar() => {
                    let v = self.scalar(e)?;
                    parts.push(MessagePart::Value(v));
                }
                TypedPrintArg::Expr(e) => {
                    let s = self.materialize(e)?;
                    let matrix = s.shape.len() == s.array_rank + 2;
                    parts.push(MessagePart::Buffer(s.buf, PrintShape { sizes: s.shape.clone(), matrix }));
                }
                TypedPrintArg::Zip { array_dims, parts: tuple } => {
                    let stores = tuple
                        .iter()
                        .map(|a| match a {
                            TypedPrintArg::Expr(e) => self.materialize(e).map(Some),
                            _ => Ok(None),
                        })
                        .collect::<LowerResult<Vec<_>>>()?;
                    let Some(first) = stores.iter().flatten().next() else { continue };
                    let sizes = first.shape[..(*array_dims).min(first.shape.len())].to_vec();
                    self.zip_message(&sizes, tuple, &stores, &mut Vec::new(), &mut parts);
                }
            }
        }
        Ok(parts)
    }

    /// An array of tuples as Stan prints it, `[(a,[b,c]),(d,[e,f])]`: the
    /// level `at.len()` of the array, each tuple's parts read from their
    /// materialised arrays (`stores`) at every index. The sizes are known
    /// here, so the message is written out index by index.
    fn zip_message(&mut self, sizes: &[usize], tuple: &[TypedPrintArg], stores: &[Option<Storage>], at: &mut Vec<usize>, out: &mut Vec<MessagePart>) {
        if at.len() == sizes.len() {
            for (part, store) in tuple.iter().zip(stores) {
                match (part, store) {
                    (TypedPrintArg::Str(t), _) => out.push(MessagePart::Text(t.clone())),
                    (_, Some(s)) => self.cells_message(s, &mut at.clone(), out),
                    // The splitter makes no zip inside a zip.
                    _ => {}
                }
            }
            return;
        }
        out.push(MessagePart::Text("[".into()));
        for i in 0..sizes[at.len()] {
            if i > 0 {
                out.push(MessagePart::Text(",".into()));
            }
            at.push(i);
            self.zip_message(sizes, tuple, stores, at, out);
            at.pop();
        }
        out.push(MessagePart::Text("]".into()));
    }

    /// The cells of `s` below the index `at`, nested as Stan prints them
    /// (a matrix row by row).
    fn cells_message(&mut self, s: &Storage, at: &mut Vec<usize>, out: &mut Vec<MessagePart>) {
        if at.len() >= s.shape.len() {
            let idx: Vec<Value> = at.iter().map(|&i| self.fb.i64(i as i64)).collect();
            let offset = self.offset(s, &idx);
            out.push(MessagePart::Value(self.fb.load(s.buf, offset, s.ty)));
            return;
        }
        out.push(MessagePart::Text("[".into()));
        for i in 0..s.shape[at.len()] {
            if i > 0 {
                out.push(MessagePart::Text(",".into()));
            }
            at.push(i);
            self.cells_message(s, at, out);
            at.pop();
        }
        out.push(MessagePart::Text("]".into()));
    }

    /// The log density of a distribution at every element of the variate
    /// (broadcast with the parameters), as target terms or a sum.
    pub(super) fn density_terms(&mut self, dist: &Distribution, variate: &TypedExpr, params: &[TypedExpr], sink: Sink, at: &TypedExpr) -> LowerResult<()> {
        if dist.multivariate {
            return self.multivariate_terms(dist, variate, params, sink, at);
        }
        if matches!(dist.name, "normal" | "std_normal") {
            return self.normal_terms(variate, params, sink, at);
        }
        if dist.name == "student_t" {
            return self.student_t_terms(variate, params, sink, at);
        }
        if dist.name == "beta" && self.try_beta_terms(variate, params, sink, at)? {
            return Ok(());
        }
        // As IR where terms repeat (in a loop, or vectorised): a single
        // scalar term at the top level (a prior, `sigma ~ exponential(1)`)
        // shares nothing, and one library call measured no slower.
        let scalar_call = std::iter::once(variate).chain(params).all(|e| e.ty.is_scalar());
        if !scalar_call || self.fb.nesting() > 1 {
            if matches!(dist.name, "neg_binomial_2" | "neg_binomial_2_log") {
                return self.neg_binomial_2_terms(dist.name == "neg_binomial_2_log", variate, params, sink, at);
            }
            if self.try_positive_density_terms(dist.name, variate, params, sink, at)? || self.try_location_scale_terms(dist.name, variate, params, sink, at)? {
                return Ok(());
            }
        }
        if self.try_counted_terms(dist, variate, params, sink, at)? {
            return Ok(());
        }
        self.univariate_terms(dist, Cumulative::Density, variate, params, sink, at)
    }

    /// One stdlib call per element of a univariate density, log cdf or log
    /// ccdf (`which`), each sent to `sink`.
    fn univariate_terms(
        &mut self,
        dist: &Distribution,
        which: Cumulative,
        variate: &TypedExpr,
        params: &[TypedExpr],
        sink: Sink,
        at: &TypedExpr,
    ) -> LowerResult<()> {
        let f = self.func(&which.symbol(dist), at)?;
        let (frame, shape) = self.density_frame(variate, params, at)?;
        self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
            let y = this.operand_elem(&frame, variate, idx)?;
            let y = if dist.discrete { y } else { this.fb.to_f64(y) };
            let mut args = vec![CallArg::Value(y)];
            args.extend(this.param_args(dist, &frame, params, idx)?);
            let term = this.fb.call(f.clone(), args);
            this.emit_term(sink, term);
            Ok(())
        })
    }

    /// A univariate distribution's parameters at one element of `frame`,
    /// as call arguments (ints stay ints).
    pub(super) fn param_args(&mut self, dist: &Distribution, frame: &Type, params: &[TypedExpr], idx: &[Value]) -> LowerResult<Vec<CallArg>> {
        let mut args = Vec::with_capacity(params.len());
        for (p, (_, shape)) in params.iter().zip(dist.params) {
            let v = self.operand_elem(frame, p, idx)?;
            let v = if *shape == ArgShape::Ints { v } else { self.fb.to_f64(v) };
            args.push(CallArg::Value(v));
        }
        Ok(args)
    }

    /// `y ~ dist(params) T[lower, upper]` as Stan defines it: each element
    /// adds its log density minus the log of the probability of the
    /// interval, `log_diff_exp(lcdf(upper), lcdf(lower))`, `lccdf(lower)`
    /// or `lcdf(upper)`; a discrete distribution's interval includes its
    /// lower bound, so its cdf is taken at `lower - 1`. An element outside
    /// the bounds makes the target `-inf` (the draw is rejected).
    fn truncated_terms(
        &mut self,
        dist: &Distribution,
        variate: &TypedExpr,
        params: &[TypedExpr],
        lower: Option<&TypedExpr>,
        upper: Option<&TypedExpr>,
        at: &TypedExpr,
    ) -> LowerResult<()> {
        let density = self.func(&Cumulative::Density.symbol(dist), at)?;
        let lcdf = self.func(&Cumulative::Lcdf.symbol(dist), at)?;
        let lccdf = self.func(&Cumulative::Lccdf.symbol(dist), at)?;
        let diff = self.func("hbm_log_diff_exp", at)?;
        let scalar_type = if dist.discrete { ScalarType::I64 } else { ScalarType::F64 };
        let bound = |this: &mut Self, b: Option<&TypedExpr>| -> LowerResult<Option<Value>> {
            let Some(b) = b else { return Ok(None) };
            let v = this.scalar(b)?;
            Ok(Some(if scalar_type == ScalarType::F64 { this.fb.to_f64(v) } else { v }))
        };
        let lo = bound(self, lower)?;
        let hi = bound(self, upper)?;
        // Where the cdf below the interval is taken.
        let below = match lo {
            Some(l) if dist.discrete => {
                let one = self.fb.i64(1);
                Some(self.fb.binary(BinaryOp::Sub, l, one))
            }
            other => other,
        };
        // Up to a constant with no autodiff argument, Stan drops the
        // density but keeps the truncation's normalisation.
        let drop_density = self.drops_whole_density(variate, params);
        let (frame, shape) = self.density_frame(variate, params, at)?;
        // The normalisation: log of the interval's probability.
        let normaliser = |this: &mut Self, theta: &[CallArg]| -> Value {
            let with = |x: Value| std::iter::once(CallArg::Value(x)).chain(theta.iter().cloned()).collect::<Vec<_>>();
            match (below, hi) {
                (Some(b), Some(h)) => {
                    let top = this.fb.call(lcdf.clone(), with(h));
                    let bottom = this.fb.call(lcdf.clone(), with(b));
                    this.fb.call(diff.clone(), vec![CallArg::Value(top), CallArg::Value(bottom)])
                }
                (Some(b), None) => this.fb.call(lccdf.clone(), with(b)),
                (None, Some(h)) => this.fb.call(lcdf.clone(), with(h)),
                (None, None) => this.fb.f64(0.0),
            }
        };
        // Scalar parameters (the bounds are scalars): the same for every
        // element, computed once.
        let once = if params.iter().all(|p| p.ty.is_scalar()) {
            let theta = self.param_args(dist, &frame, params, &[])?;
            let norm = normaliser(self, &theta);
            Some((theta, norm))
        } else {
            None
        };
        self.each_index(&shape, &mut |this: &mut Self, idx: &[Value]| {
            let y = this.operand_elem(&frame, variate, idx)?;
            let y = if dist.discrete { y } else { this.fb.to_f64(y) };
            let (theta, norm) = match &once {
                Some((theta, norm)) => (theta.clone(), *norm),
                None => {
                    let theta = this.param_args(dist, &frame, params, idx)?;
                    let norm = normaliser(this, &theta);
                    (theta, norm)
                }
            };
            let with = |x: Value| std::iter::once(CallArg::Value(x)).chain(theta.iter().cloned()).collect::<Vec<_>>();
            let lp = if drop_density { this.fb.f64(0.0) } else { this.fb.call(density.clone(), with(y)) };
            let inside = this.fb.binary(BinaryOp::Sub, lp, norm);
            let mut outside = this.fb.i64(0);
            if let Some(l) = lo {
                let c = this.fb.cmp(CmpOp::Lt, y, l);
                outside = this.fb.binary(BinaryOp::Or, outside, c);
            }
            if let Some(h) = hi {
                let c = this.fb.cmp(CmpOp::Gt, y, h);
                outside = this.fb.binary(BinaryOp::Or, outside, c);
            }
            let minus_inf = this.fb.f64(f64::NEG_INFINITY);
            let term = this.fb.select(outside, minus_inf, inside);
            this.emit_term(Sink::Target, term);
            Ok(())
        })
    }

    /// The frame a density's terms run over (the variate's axes, or the
    /// parameters' when the variate is a scalar) and its shape.
    pub(super) fn density_frame(&mut self, variate: &TypedExpr, params: &[TypedExpr], at: &TypedExpr) -> LowerResult<(Type, Vec<usize>)> {
        let frame = if variate.ty.axes().is_empty() {
            let tys: Vec<&Type> = params.iter().map(|p| &p.ty).collect();
            let axes = signatures::rng_axes(&tys).unwrap_or_default();
            Type::array_of(axes, ElemType::Real)
        } else {
            variate.ty.clone()
        };
        let mut all: Vec<&TypedExpr> = vec![variate];
        all.extend(params.iter());
        let shape = if frame.axes().is_empty() { Vec::new() } else { self.broadcast_shape(&frame, &all, at)? };
        Ok((frame, shape))
    }

    /// Sends one density term to its sink.
    pub(super) fn emit_term(&mut self, sink: Sink, term: Value) {
        match sink {
            Sink::Target => self.fb.emit(Stmt::AddTarget(term)),
            Sink::Buffer(buf) => {
                let zero = self.fb.i64(0);
                self.fb.accumulate(buf, zero, term);
            }
        }
    }

    /// A multivariate density: one stdlib call on pointers per variate (a
    /// vector, or each vector of an array, paired with the location or
    /// each location of an array of them).
    fn multivariate_terms(&mut self, dist: &Distribution, variate: &TypedExpr, params: &[TypedExpr], sink: Sink, at: &TypedExpr) -> LowerResult<()> {
        match dist.name {
            "dirichlet" => return self.dirichlet_terms(variate, &params[0], sink, at),
            "categorical" | "categorical_logit" => return self.categorical_terms(dist.name, variate, &params[0], sink, at),
            "poisson_binomial" => return self.poisson_binomial_terms("hbm_poisson_binomial_lpmf", variate, &params[0], sink, at),
            "lkj_corr" => return self.lkj_corr_terms(variate, &params[0], sink, at),
            "ordered_logistic" | "ordered_probit" => return self.ordinal_terms(dist.name, variate, &params[0], &params[1], sink, at),
            "multinomial" | "multinomial_logit" => return self.multinomial_terms(dist.name, variate, &params[0], sink, at),
            "dirichlet_multinomial" => return self.dirichlet_multinomial_terms(variate, &params[0], sink, at),
            "multi_student_t" | "multi_student_t_cholesky" => return self.multi_student_t_terms(dist.name, variate, params, sink, at),
            name if super::wishart::is_matrix_density(name) => return self.matrix_density_terms(name, variate, params, sink, at),
            _ => {}
        }
        if !matches!(dist.name, "multi_normal" | "multi_normal_cholesky" | "lkj_corr_cholesky") {
            return Err(LowerError::unsupported(at.span, format!("the multivariate distribution `{}`", dist.name)));
        }
        if dist.name == "multi_normal_cholesky" && self.try_small_multi_normal_cholesky(variate, params, sink)? {
            return Ok(());
        }
        if dist.name == "lkj_corr_cholesky" && self.try_small_lkj_corr_cholesky(variate, &params[0], sink)? {
            return Ok(());
        }
        let f = self.func(&format!("hbm_{}_lpdf", dist.name), at)?;
        match dist.name {
            "multi_normal" | "multi_normal_cholesky" => {
                let matrix = self.pointer_arg(&params[1])?;
                let k = match matrix.shape.as_slice() {
                    [r, c] if r == c => *r,
                    s => return Err(LowerError::unsupported(at.span, format!("`{}` with a non-square matrix {s:?}", dist.name))),
                };
                let y = self.vectors_arg(variate, k, at)?;
                let mu = self.vectors_arg(&params[0], k, at)?;
                let count = match (y.count, mu.count) {
                    (a, b) if a == b || b == 1 => a,
                    (1, b) => b,
                    (a, b) => {
                        return Err(LowerError::unsupported(at.span, format!("`{}` with {a} variates but {b} locations", dist.name)));
                    }
                };
                self.repeat(count, |this, i| {
                    let yi = this.vector_at(&y, k, i);
                    let mi = this.vector_at(&mu, k, i);
                    let kv = this.fb.i64(k as i64);
                    let term = this.fb.call(f, vec![yi, mi, matrix.arg(), CallArg::Value(kv)]);
                    this.emit_term(sink, term);
                    Ok(())
                })
            }
            "lkj_corr_cholesky" => {
                let l = self.pointer_arg(variate)?;
                let k = match l.shape.as_slice() {
                    [r, c] if r == c => *r,
                    s => return Err(LowerError::unsupported(at.span, format!("`lkj_corr_cholesky` of a non-square matrix {s:?}"))),
                };
                let eta = self.scalar(&params[0])?;
                let eta = self.fb.to_f64(eta);
                let kv = self.fb.i64(k as i64);
                let term = self.fb.call(f, vec![l.arg(), CallArg::Value(kv), CallArg::Value(eta)]);
                self.emit_term(sink, term);
                Ok(())
            }
            other => Err(LowerError::unsupported(at.span, format!("the multivariate distribution `{other}`"))),
        }
    }

    /// `lkj_corr(Omega | eta)` = `lkj_corr_cholesky(L | eta)` minus the log
    /// Jacobian of `L -> L L'`, `sum_{i>=2} (K - i) log L[i, i]`, with
    /// `L = cholesky_decompose(Omega)`: both densities share the LKJ
    /// normalising constant, and the factor's routine has its AD rule.
    fn lkj_corr_terms(&mut self, omega: &TypedExpr, eta: &TypedExpr, sink: Sink, at: &TypedExpr) -> LowerResult<()> {
        let chol = TypedExpr {
            kind: TypedExprKind::Call { func: "cholesky_decompose".into(), args: vec![omega.clone()] },
            ty: omega.ty.clone(),
            level: omega.level,
            span: omega.span,
        };
        let l = self.pointer_arg(&chol)?;
        let k = match l.shape.as_slice() {
            [r, c] if r == c => *r,
            s => return Err(LowerError::unsupported(at.span, format!("`lkj_corr` of a non-square matrix {s:?}"))),
        };
        let eta = self.scalar(eta)?;
        let eta = self.fb.to_f64(eta);
        let kv = self.fb.i64(k as i64);
        let f = self.func("hbm_lkj_corr_cholesky_lpdf", at)?;
        let mut term = self.fb.call(f, vec![l.arg(), CallArg::Value(kv), CallArg::Value(eta)]);
        let log = self.func("hbm_log", at)?;
        for i in 1..k.saturating_sub(1) {
            let at_ii = self.fb.i64((i + i * k) as i64);
            let at_ii = self.fb.binary(BinaryOp::Add, l.offset, at_ii);
            let lii = self.fb.load(l.buf, at_ii, ScalarType::F64);
            let log_lii = self.fb.call(log.clone(), vec![CallArg::Value(lii)]);
            let c = self.fb.f64((k - i - 1) as f64);
            let jac = self.fb.binary(BinaryOp::Mul, c, log_lii);
            term = self.fb.binary(BinaryOp::Sub, term, jac);
        }
        self.emit_term(sink, term);
        Ok(())
    }

    /// A vector or an array of vectors of length `k` as a pointer with its
    /// number of vectors.
    pub(super) fn vectors_arg(&mut self, e: &TypedExpr, k: usize, at: &TypedExpr) -> LowerResult<Vectors> {
        let p = self.pointer_arg(e)?;
        let (count, len) = match p.shape.as_slice() {
            [n] => (1, *n),
            [m, n] if !e.ty.array.is_empty() => (*m, *n),
            s => return Err(LowerError::unsupported(at.span, format!("a multivariate argument of shape {s:?}"))),
        };
        if len != k {
            return Err(LowerError::sizes(at.span, format!("vectors of size {len} with a {k} x {k} matrix")));
        }
        Ok(Vectors { ptr: p, count })
    }

    /// The pointer to vector `i` of `v` (the only one when it has one).
    pub(super) fn vector_at(&mut self, v: &Vectors, k: usize, i: Value) -> CallArg {
        if v.count == 1 {
            return v.ptr.arg();
        }
        let kv = self.fb.i64(k as i64);
        let step = self.fb.binary(BinaryOp::Mul, i, kv);
        let offset = self.fb.binary(BinaryOp::Add, v.ptr.offset, step);
        CallArg::Buffer { buf: v.ptr.buf, offset }
    }

    /// `target += f_lpdf(y | ...)` (`_lupdf`, `_lpmf`, `_lupmf`) of a
    /// library distribution: its terms go to the target one by one, as a
    /// sampling statement's do, rather than summed into a buffer first, so
    /// that a likelihood loop they form is batched (`ir::batch`) and its
    /// vectorised form runs as fast as `y ~ f(...)`. Returns whether `e` was
    /// such a call.
    fn density_into_target(&mut self, e: &TypedExpr) -> LowerResult<bool> {
        let TypedExprKind::Call { func, args } = &e.kind else { return Ok(false) };
        if self.user_function(func).is_some() || args.is_empty() {
            return Ok(false);
        }
        let Some((dist, suffix)) = signatures::split_density_name(func) else { return Ok(false) };
        let unnormalised = match suffix {
            signatures::DensitySuffix::Lpdf | signatures::DensitySuffix::Lpmf => false,
            signatures::DensitySuffix::Lupdf | signatures::DensitySuffix::Lupmf => true,
            _ => return Ok(false),
        };
        self.sampled_terms(dist, &args[0], &args[1..], unnormalised, Sink::Target, e)?;
        Ok(true)
    }

    /// `f_lpdf(y | ...)` (or `f_lcdf`, `f_lccdf`) as an expression: the sum
    /// of its terms.
    pub fn density_sum(&mut self, dist: &Distribution, which: Cumulative, variate: &TypedExpr, params: &[TypedExpr], at: &TypedExpr) -> LowerResult<Value> {
        let buf = self.temp_buffer("lpdf", ScalarType::F64, 1);
        let zero_i = self.fb.i64(0);
        let zero = self.fb.f64(0.0);
        self.fb.store(buf, zero_i, zero);
        match which {
            Cumulative::Density => self.sampled_terms(dist, variate, params, false, Sink::Buffer(buf), at)?,
            Cumulative::UnnormalisedDensity => self.sampled_terms(dist, variate, params, true, Sink::Buffer(buf), at)?,
            // Its one vector of probabilities is passed whole.
            _ if dist.name == "poisson_binomial" => {
                self.poisson_binomial_terms(&which.symbol(dist), variate, &params[0], Sink::Buffer(buf), at)?
            }
            _ => self.univariate_terms(dist, which, variate, params, Sink::Buffer(buf), at)?,
        }
        Ok(self.fb.load(buf, zero_i, ScalarType::F64))
    }
}

/// Which function of a univariate distribution a term calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cumulative {
    /// `_lpdf` / `_lpmf`.
    Density,
    /// `_lupdf` / `_lupmf`: the density up to a constant when the log
    /// density is lowered with `propto`, else the density.
    UnnormalisedDensity,
    /// `_lcdf`.
    Lcdf,
    /// `_lccdf`.
    Lccdf,
}

impl Cumulative {
    /// The stdlib symbol of this function of `dist`.
    fn symbol(self, dist: &Distribution) -> String {
        let suffix = match self {
            Cumulative::Density | Cumulative::UnnormalisedDensity if dist.discrete => "lpmf",
            Cumulative::Density | Cumulative::UnnormalisedDensity => "lpdf",
            Cumulative::Lcdf => "lcdf",
            Cumulative::Lccdf => "lccdf",
        };
        format!("hbm_{}_{suffix}", dist.name)
    }
}

/// Vectors passed by pointer: `count` consecutive vectors from `ptr`.
pub(super) struct Vectors {
    ptr: super::call::PtrArg,
    pub(super) count: usize,
}

/// Whether an expression is computed whole (a library routine on buffers
/// or a matrix product) rather than element by element.
fn is_whole_value(e: &TypedExpr) -> bool {
    match &e.kind {
        TypedExprKind::Call { func, .. } => super::call::is_buffer_function(func),
        TypedExprKind::Binary { op: crate::syntax::ast::BinOp::Mul, lhs, rhs } => !lhs.ty.is_scalar() && !rhs.ty.is_scalar(),
        _ => false,
    }
}

/// Whole int results written by IR of their own (`fill_by_rank`,
/// `fill_multinomial_draw`, `fill_hmm_latent_draw`), which may fill an int variable directly; a
/// draw must, as reading it element by element would draw again.
fn writes_ints_whole(e: &TypedExpr) -> bool {
    matches!(&e.kind, TypedExprKind::Call { func, .. }
        if matches!(func.as_str(), "multinomial_rng" | "multinomial_logit_rng" | "dirichlet_multinomial_rng" | "sort_indices_asc"
            | "sort_indices_desc" | "hmm_latent_rng"))
}

/// The dim whose members a type holds, if it is an index type.
fn index_dim(ty: &Type) -> Option<usize> {
    match ty.elem {
        ElemType::Int { index_of: Some(d) } => Some(d),
        _ => None,
    }
}

/// Whether `e` reads the buffer of `dst`.
pub(crate) fn mentions_buffer(e: &TypedExpr, dst: &Storage, storage: &std::collections::HashMap<VarId, Storage>) -> bool {
    e.mentions(|v| storage.get(&v).is_some_and(|s| s.buf == dst.buf))
}

/// Whether `e` has a `?:` anywhere.
fn has_ternary(e: &TypedExpr) -> bool {
    matches!(e.kind, TypedExprKind::Ternary { .. }) || e.children().into_iter().any(has_ternary)
}
