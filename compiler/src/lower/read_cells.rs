//! Transformed parameters computed, in the log density, only at the cells
//! it reads.
//!
//! `matrix[pair, grade] alpha;` filled per grade by `for (g in grade) {
//! ...; alpha[:, g] = ...; }` has 384 cells, but when the likelihood reads
//! `alpha[pair_id, grade]` and each pair is in one grade, only 96 of them
//! are ever read: the other 288 are computed forward and in the gradient
//! for nothing. Lowering runs after binding, so when every read of such a
//! transformed parameter in the log density is at indices the data fix
//! (data integers, literals, loop variables over constant bounds), the set
//! of cells read is known. An assignment `x[i, :] = e` (one free axis, the
//! other indices scalars) then stores only the free-axis positions read
//! for the value of `i`, looked up at run time in two integer tables made
//! here (`IntData`): for each value of the fixed indices, the start of its
//! run of positions, and the positions. The cells left out are never read
//! in the log density (its value and gradient are unchanged); `Generate`
//! computes every cell for the output.
//!
//! A statement that stores only at cells never read (`x[j, g] = e` in a
//! loop over a transformed data list of the cells no observation is in,
//! or that whole loop) is left out of the log density altogether.
//!
//! Left as they are: constrained transformed parameters (their constraint
//! is checked on every stored value), any read not at data-fixed indices
//! (a whole read, a read at parameter-dependent or run-time indices),
//! compound assignment, and parameters read at most at 3/4 of their cells
//! or fewer.

use super::{layout, LowerResult, Lowerer};
use crate::bind::DataStorage;
use crate::check::typed::{Constraint, TypedExpr, TypedExprKind, TypedIndex, TypedStmt, TypedStmtKind, VarId};
use crate::ir::{Arena, BinaryOp, BufferId, FunctionKind, ScalarType, Stmt, Value};
use crate::syntax::ast::{AssignOp, BinOp, BlockKind};
use std::collections::{BTreeSet, HashMap};

/// Most cells a read may enumerate while the set is found (larger data
/// keep the transformed parameter whole).
const MAX_ENUMERATED: usize = 1 << 22;

/// The cells of one transformed parameter that the log density reads
/// (0-based, every axis, array axes first), and the lookup tables made for
/// its assignments so far, by free axis.
pub(super) struct ReadCells {
    cells: BTreeSet<Vec<usize>>,
    shape: Vec<usize>,
    tables: HashMap<usize, (BufferId, BufferId)>,
}

/// Values of loop variables while reads are enumerated: each variable's
/// inclusive constant range, and the binding of the current enumeration.
type LoopEnv = Vec<(VarId, i64, i64)>;

impl Lowerer<'_> {
    /// Finds, for the log density, the transformed parameters that only
    /// cells known from the data are read of (see the module docs).
    pub(super) fn plan_read_cells(&mut self) -> LowerResult<()> {
        let tp: Vec<TypedStmt> = self.program.block(BlockKind::TransformedParameters).map(|b| b.stmts.clone()).unwrap_or_default();
        let model: Vec<TypedStmt> = self.program.block(BlockKind::Model).map(|b| b.stmts.clone()).unwrap_or_default();
        for s in &tp {
            let TypedStmtKind::Decl(decl) = &s.kind else { continue };
            let var = decl.var;
            if decl.constraint != Constraint::None || !self.assigned.contains(&var) || self.elem_type(var) != ScalarType::F64 {
                continue;
            }
            let shape = self.shape_of_decl(decl)?;
            let total = layout::element_count(&shape);
            let mut cells = BTreeSet::new();
            let mut env = LoopEnv::new();
            let known = tp.iter().chain(&model).all(|s| self.stmt_cells(s, var, &shape, &mut env, &mut cells));
            if known && cells.len() * 4 <= total * 3 {
                self.read_cells.insert(var, ReadCells { cells, shape, tables: HashMap::new() });
            }
        }
        if !self.read_cells.is_empty() {
            let mut dead = HashMap::new();
            let mut env = LoopEnv::new();
            for s in &tp {
                self.mark_unread_stores(s, &mut env, &mut dead);
            }
            self.unread_stores = dead.into_iter().filter(|(_, d)| *d).map(|(k, _)| k).collect();
        }
        Ok(())
    }

    /// Whether the log density skips `s`, a statement of the transformed
    /// parameters block that only stores at cells it never reads (see
    /// [`Lowerer::mark_unread_stores`]).
    pub(super) fn skips_unread_store(&self, s: &TypedStmt) -> bool {
        self.fb.kind() == FunctionKind::LogDensity
            && matches!(s.kind, TypedStmtKind::Assign { .. } | TypedStmtKind::For { .. } | TypedStmtKind::ForDim { .. })
            && self.unread_stores.contains(&(s.span.start, s.span.end))
    }

    /// Finds the statements of the transformed parameters that the log
    /// density can skip: an assignment `x[i, j] = e` to a planned variable
    /// whose every stored cell (for every value of the enclosing loops'
    /// variables, enumerated as reads are) is one the log density never
    /// reads, and a loop whose body is only such assignments and int
    /// locals fixed by the data (`int j = empty[k];`). `dead` gathers, by
    /// span, whether a statement was skippable at every visit (a loop body
    /// is visited once per value of the enclosing loops its bounds read);
    /// returns whether `s` is skippable at this one.
    fn mark_unread_stores(&mut self, s: &TypedStmt, env: &mut LoopEnv, dead: &mut HashMap<(usize, usize), bool>) -> bool {
        use TypedStmtKind as K;
        // Every statement reaches `dead` below, a live one too: a tuple
        // assignment is split into one statement per element with the
        // source statement's span (`syntax::tuples`), and one element's
        // live store must keep the span from being skipped for another's
        // dead one.
        let here = match &s.kind {
            K::Assign { lhs, op: AssignOp::Assign, .. } => 'store: {
                let TypedExprKind::Index { base, indices, zipped } = &lhs.kind else { break 'store false };
                let TypedExprKind::Var(v) = base.kind else { break 'store false };
                let Some(shape) = self.read_cells.get(&v).map(|p| p.shape.clone()) else { break 'store false };
                let mut written = BTreeSet::new();
                self.indexed_cells(indices, zipped, &shape, env, &mut written)
                    && self.read_cells.get(&v).is_some_and(|p| written.is_disjoint(&p.cells))
            }
            K::Block(stmts) => {
                let mut all = true;
                for st in stmts {
                    let skippable = self.mark_unread_stores(st, env, dead) || self.is_known_int_local(st, env);
                    all &= skippable;
                }
                return all;
            }
            K::For { var: i, lower, upper, body } => match (self.const_int(lower), self.const_int(upper)) {
                (Ok(lo), Ok(hi)) => {
                    env.push((*i, lo, hi));
                    let d = self.mark_unread_stores(body, env, dead);
                    env.pop();
                    d
                }
                _ => self.walk_dependent_loop(*i, lower, upper, env, &mut |l, env| l.mark_unread_stores(body, env, dead)).unwrap_or(false),
            },
            K::ForDim { var: i, dim, body } => {
                let n = self.bound.dim_sizes.get(*dim).copied().unwrap_or(0) as i64;
                env.push((*i, 1, n));
                let d = self.mark_unread_stores(body, env, dead);
                env.pop();
                d
            }
            _ => false,
        };
        let entry = dead.entry((s.span.start, s.span.end)).or_insert(true);
        *entry &= here;
        here
    }

    /// Whether `s` declares an int local with a value, never assigned, that
    /// the data fix for every value of the enclosing loops' variables: it
    /// cannot fail, so a skipped loop may leave it out.
    fn is_known_int_local(&self, s: &TypedStmt, env: &LoopEnv) -> bool {
        let TypedStmtKind::Decl(d) = &s.kind else { return false };
        if self.constant_int(d.var).is_none() {
            return false;
        }
        let Some(init) = &d.init else { return false };
        let used: Vec<(VarId, i64, i64)> = env.iter().copied().filter(|(v, _, _)| self.reads_int(init, *v)).collect();
        let bindings: usize = used.iter().map(|(_, lo, hi)| (hi - lo + 1).max(0) as usize).product();
        if bindings > MAX_ENUMERATED {
            return false;
        }
        let mut binding: Vec<(VarId, i64)> = used.iter().map(|(v, lo, _)| (*v, *lo)).collect();
        for _ in 0..bindings {
            if self.data_ints(init, &binding).and_then(single).is_none() {
                return false;
            }
            next_binding(&mut binding, &used);
        }
        true
    }

    /// Adds the cells of `var` that `s` reads; false when one is not known
    /// from the data (or `s` writes `var` in a way that reads it).
    fn stmt_cells(&mut self, s: &TypedStmt, var: VarId, shape: &[usize], env: &mut LoopEnv, cells: &mut BTreeSet<Vec<usize>>) -> bool {
        use TypedStmtKind as K;
        match &s.kind {
            K::Decl(d) => d.init.as_ref().is_none_or(|e| self.expr_cells(e, var, shape, env, cells)),
            K::Assign { lhs, op, rhs } => {
                let lhs_ok = match &lhs.kind {
                    TypedExprKind::Var(v) if *v == var => *op == AssignOp::Assign,
                    TypedExprKind::Index { base, indices, .. } if matches!(base.kind, TypedExprKind::Var(v) if v == var) => {
                        *op == AssignOp::Assign && indices.iter().all(|i| i.exprs().iter().all(|x| !x.mentions(|v| v == var)))
                    }
                    _ => self.expr_cells(lhs, var, shape, env, cells),
                };
                lhs_ok && self.expr_cells(rhs, var, shape, env, cells)
            }
            K::Tilde { lhs, args, truncation, .. } => {
                let bounds = truncation.iter().flat_map(|(lo, hi)| lo.iter().chain(hi.iter()));
                let exprs: Vec<&TypedExpr> = std::iter::once(lhs).chain(args).chain(bounds).collect();
                exprs.into_iter().all(|e| self.expr_cells(e, var, shape, env, cells))
            }
            K::TargetPlus(e) | K::JacobianPlus(e) => self.expr_cells(e, var, shape, env, cells),
            K::For { var: i, lower, upper, body } => {
                if lower.mentions(|v| v == var) || upper.mentions(|v| v == var) {
                    return false;
                }
                match (self.const_int(lower), self.const_int(upper)) {
                    (Ok(lo), Ok(hi)) => {
                        env.push((*i, lo, hi));
                        let ok = self.stmt_cells(body, var, shape, env, cells);
                        env.pop();
                        ok
                    }
                    _ => match self.dependent_loop_cells(*i, lower, upper, body, var, shape, env, cells) {
                        Some(ok) => ok,
                        // Reads at this loop's variable are not known.
                        None => self.stmt_cells(body, var, shape, env, cells),
                    },
                }
            }
            K::ForDim { var: i, dim, body } => {
                let n = self.bound.dim_sizes.get(*dim).copied().unwrap_or(0) as i64;
                env.push((*i, 1, n));
                let ok = self.stmt_cells(body, var, shape, env, cells);
                env.pop();
                ok
            }
            K::If { cond, then, otherwise } => {
                self.expr_cells(cond, var, shape, env, cells)
                    && self.stmt_cells(then, var, shape, env, cells)
                    && otherwise.as_ref().is_none_or(|o| self.stmt_cells(o, var, shape, env, cells))
            }
            K::Block(stmts) => stmts.iter().all(|s| self.stmt_cells(s, var, shape, env, cells)),
            // Anything else must not mention the variable at all.
            _ => !s.mentions(|v| v == var),
        }
    }

    /// The cells read in a loop whose bounds are fixed by the data for each
    /// value of enclosing loop variables (`for (k in first[g]:last[g])`,
    /// `first` and `last` data or transformed data). `None` when the
    /// bounds are not known that way.
    #[allow(clippy::too_many_arguments)]
    fn dependent_loop_cells(
        &mut self,
        i: VarId,
        lower: &TypedExpr,
        upper: &TypedExpr,
        body: &TypedStmt,
        var: VarId,
        shape: &[usize],
        env: &mut LoopEnv,
        cells: &mut BTreeSet<Vec<usize>>,
    ) -> Option<bool> {
        self.walk_dependent_loop(i, lower, upper, env, &mut |l, env| l.stmt_cells(body, var, shape, env, cells))
    }

    /// Runs `walk` over a loop's body once per value of the enclosing loop
    /// variables its bounds read, each held fixed in `env`, with the loop
    /// variable's range for that value; whether every walk returned true.
    /// `None` when a bound is not fixed by the data that way.
    fn walk_dependent_loop(
        &mut self,
        i: VarId,
        lower: &TypedExpr,
        upper: &TypedExpr,
        env: &mut LoopEnv,
        walk: &mut dyn FnMut(&mut Self, &mut LoopEnv) -> bool,
    ) -> Option<bool> {
        let outer: Vec<usize> = (0..env.len()).filter(|&k| self.reads_int(lower, env[k].0) || self.reads_int(upper, env[k].0)).collect();
        let bindings: usize = outer.iter().map(|&k| (env[k].2 - env[k].1 + 1).max(0) as usize).product();
        if bindings > MAX_ENUMERATED {
            return None;
        }
        let saved: Vec<(VarId, i64, i64)> = outer.iter().map(|&k| env[k]).collect();
        let mut binding: Vec<(VarId, i64)> = saved.iter().map(|(v, lo, _)| (*v, *lo)).collect();
        // Every binding's bounds first, so that a bound not known leaves
        // the walk to the caller's fallback.
        let mut ranges = Vec::with_capacity(bindings);
        for _ in 0..bindings {
            let lo = single(self.data_ints(lower, &binding)?)?;
            let hi = single(self.data_ints(upper, &binding)?)?;
            ranges.push((binding.clone(), lo, hi));
            next_binding(&mut binding, &saved);
        }
        let mut ok = true;
        for (binding, lo, hi) in ranges {
            for (&k, &(v, x)) in outer.iter().zip(&binding) {
                env[k] = (v, x, x);
            }
            env.push((i, lo, hi));
            ok = walk(self, env);
            env.pop();
            if !ok {
                break;
            }
        }
        for (&k, &entry) in outer.iter().zip(&saved) {
            env[k] = entry;
        }
        Some(ok)
    }

    /// Whether the integer expression `e` reads the variable `v`, directly
    /// or through the value of an int it reads that is declared with a
    /// value and never assigned (`int j = pairs[k];`).
    fn reads_int(&self, e: &TypedExpr, v: VarId) -> bool {
        let mut seen = Vec::new();
        self.reads_int_within(e, v, &mut seen)
    }

    fn reads_int_within(&self, e: &TypedExpr, v: VarId, seen: &mut Vec<VarId>) -> bool {
        if e.mentions(|w| w == v) {
            return true;
        }
        let mut named = Vec::new();
        e.for_each_var(&mut |w| named.push(w));
        named.into_iter().any(|w| {
            if seen.contains(&w) {
                return false;
            }
            seen.push(w);
            self.constant_int(w).is_some_and(|init| self.reads_int_within(&init, v, seen))
        })
    }

    /// Adds the cells of `var` that `e` reads; false when one is not known.
    fn expr_cells(&mut self, e: &TypedExpr, var: VarId, shape: &[usize], env: &mut LoopEnv, cells: &mut BTreeSet<Vec<usize>>) -> bool {
        match &e.kind {
            TypedExprKind::Var(v) => *v != var,
            TypedExprKind::Index { base, indices, zipped } if matches!(base.kind, TypedExprKind::Var(v) if v == var) => {
                indices.iter().all(|i| i.exprs().iter().all(|x| !x.mentions(|v| v == var)))
                    && self.indexed_cells(indices, zipped, shape, env, cells)
            }
            _ => e.children().into_iter().all(|c| self.expr_cells(c, var, shape, env, cells)),
        }
    }

    /// The cells `x[indices]` reads for every binding of the loop variables
    /// its indices mention.
    fn indexed_cells(&mut self, indices: &[TypedIndex], zipped: &[Vec<usize>], shape: &[usize], env: &LoopEnv, cells: &mut BTreeSet<Vec<usize>>) -> bool {
        if indices.len() > shape.len() {
            return false;
        }
        let used: Vec<(VarId, i64, i64)> = env
            .iter()
            .copied()
            .filter(|(v, _, _)| indices.iter().any(|i| i.exprs().iter().any(|x| self.reads_int(x, *v))))
            .collect();
        let bindings: usize = used.iter().map(|(_, lo, hi)| (hi - lo + 1).max(0) as usize).product();
        if bindings > MAX_ENUMERATED {
            return false;
        }
        let mut binding: Vec<(VarId, i64)> = used.iter().map(|(v, lo, _)| (*v, *lo)).collect();
        for _ in 0..bindings {
            // Each position's 0-based values.
            let mut values: Vec<Vec<usize>> = Vec::with_capacity(shape.len());
            for (pos, &size) in shape.iter().enumerate() {
                let ones: Option<Vec<i64>> = match indices.get(pos) {
                    None | Some(TypedIndex::All) => Some((1..=size as i64).collect()),
                    Some(TypedIndex::Single(x)) => self.data_ints(x, &binding).filter(|v| v.len() == 1),
                    Some(TypedIndex::Multi(x)) => self.data_ints(x, &binding),
                    Some(TypedIndex::Range { .. }) => None,
                };
                let Some(ones) = ones else { return false };
                if ones.iter().any(|&i| i < 1 || i > size as i64) {
                    return false;
                }
                values.push(ones.iter().map(|&i| (i - 1) as usize).collect());
            }
            if !cartesian_cells(&values, zipped, cells) {
                return false;
            }
            next_binding(&mut binding, &used);
        }
        true
    }

    /// The values of an integer index expression fixed by the data: a
    /// literal, a dim size, a loop variable of `binding`, a data integer or
    /// 1-D data integer array, an element of one at such an index, and
    /// sums, differences and products of scalars.
    fn data_ints(&self, e: &TypedExpr, binding: &[(VarId, i64)]) -> Option<Vec<i64>> {
        use TypedExprKind as K;
        match &e.kind {
            K::IntLit(k) => Some(vec![*k]),
            K::DimSize(d) => Some(vec![*self.bound.dim_sizes.get(*d)? as i64]),
            K::Var(v) => match binding.iter().find(|(w, _)| w == v) {
                Some((_, x)) => Some(vec![*x]),
                None => match self.data_int_values(*v) {
                    Some(values) => Some(values.to_vec()),
                    // A local int declared with a value and never assigned.
                    None => self.data_ints(&self.constant_int(*v)?, binding),
                },
            },
            K::Index { base, indices, .. } => {
                let K::Var(v) = &base.kind else { return None };
                let [TypedIndex::Single(i)] = indices.as_slice() else { return None };
                let values = self.data_int_values(*v)?;
                let i = single(self.data_ints(i, binding)?)?;
                let x = *values.get(usize::try_from(i - 1).ok()?)?;
                Some(vec![x])
            }
            K::Binary { op, lhs, rhs } => {
                let (a, b) = (single(self.data_ints(lhs, binding)?)?, single(self.data_ints(rhs, binding)?)?);
                let x = match op {
                    BinOp::Add => a.checked_add(b)?,
                    BinOp::Sub => a.checked_sub(b)?,
                    BinOp::Mul => a.checked_mul(b)?,
                    _ => return None,
                };
                Some(vec![x])
            }
            _ => None,
        }
    }

    /// The values of an integer variable of the data block, or of the
    /// transformed data block when they were computed at lowering time
    /// (see `sizing`), that is a scalar or a 1-D array.
    fn data_int_values(&self, var: VarId) -> Option<&[i64]> {
        let decl = self.program.decls(BlockKind::Data).chain(self.program.decls(BlockKind::TransformedData)).find(|d| d.var == var)?;
        let ty = &self.program.var(decl.var).ty;
        if !(ty.is_int_scalar() || ty.is_int_array_1d()) {
            return None;
        }
        match &self.bound.value(var)?.storage {
            DataStorage::Ints(values) => Some(values.as_slice()),
            DataStorage::Reals(_) => None,
        }
    }

    /// Lowers `x[indices] = value` storing only the cells the log density
    /// reads, when `x` is planned so and the left side has one free axis
    /// (`:` or an axis left off) with scalar indices elsewhere; `body`
    /// stores one element at the free axis's 0-based position. `None` when
    /// it does not apply.
    pub(super) fn restricted_assign(
        &mut self,
        var: VarId,
        indices: &[TypedIndex],
        zipped: &[Vec<usize>],
        body: &mut dyn FnMut(&mut Self, &[Value]) -> LowerResult<()>,
    ) -> LowerResult<Option<()>> {
        let Some(plan) = self.read_cells.get(&var) else { return Ok(None) };
        let shape = plan.shape.clone();
        if !zipped.is_empty() || indices.len() > shape.len() {
            return Ok(None);
        }
        let free: Vec<usize> = (0..shape.len()).filter(|&p| matches!(indices.get(p), None | Some(TypedIndex::All))).collect();
        let [free] = free.as_slice() else { return Ok(None) };
        let free = *free;
        let mut fixed = Vec::new();
        for (pos, index) in indices.iter().enumerate() {
            match index {
                TypedIndex::All => {}
                TypedIndex::Single(x) if x.ty.is_scalar() => fixed.push((pos, x)),
                _ => return Ok(None),
            }
        }
        let (starts, positions) = self.cell_tables(var, free)?;
        // The key: the fixed indices' 0-based values, row-major.
        let mut key: Option<Value> = None;
        let axes = self.program.var(var).ty.axes();
        for (pos, x) in fixed {
            let v = self.scalar(x)?;
            let axis = axes.get(pos).copied().unwrap_or(crate::check::types::Axis::Anon);
            let i0 = self.checked_index(v, &x.ty, axis, shape[pos], x)?;
            key = Some(match key {
                None => i0,
                Some(k) => {
                    let n = self.fb.i64(shape[pos] as i64);
                    let scaled = self.fb.binary(BinaryOp::Mul, k, n);
                    self.fb.binary(BinaryOp::Add, scaled, i0)
                }
            });
        }
        let key = key.unwrap_or_else(|| self.fb.i64(0));
        let start = self.fb.load(starts, key, ScalarType::I64);
        let one = self.fb.i64(1);
        let next = self.fb.binary(BinaryOp::Add, key, one);
        let end = self.fb.load(starts, next, ScalarType::I64);
        let k = self.fb.fresh(ScalarType::I64);
        self.fb.open();
        let at = self.fb.load(positions, k, ScalarType::I64);
        body(self, &[at])?;
        let inner = self.fb.close();
        self.fb.emit(Stmt::For { var: k, start, end, body: inner });
        Ok(Some(()))
    }

    /// The two lookup tables of `var`'s cells read with `free` as the free
    /// axis, made once: run starts by key (the other axes' values,
    /// row-major; one more entry than keys) and free-axis positions.
    fn cell_tables(&mut self, var: VarId, free: usize) -> LowerResult<(BufferId, BufferId)> {
        let Some(plan) = self.read_cells.get(&var) else {
            return Err(super::LowerError::unsupported(self.program.var(var).span, "a restricted store without a plan"));
        };
        if let Some(t) = plan.tables.get(&free) {
            return Ok(*t);
        }
        let shape = plan.shape.clone();
        let keys: usize = shape.iter().enumerate().filter(|(p, _)| *p != free).map(|(_, n)| n).product();
        let mut runs: Vec<Vec<i64>> = vec![Vec::new(); keys];
        for cell in &plan.cells {
            let key = cell.iter().enumerate().filter(|(p, _)| *p != free).fold(0usize, |k, (p, &i)| k * shape[p] + i);
            runs[key].push(cell[free] as i64);
        }
        let mut starts = Vec::with_capacity(keys + 1);
        let mut positions = Vec::new();
        for run in &mut runs {
            starts.push(positions.len() as i64);
            run.sort_unstable();
            positions.extend_from_slice(run);
        }
        starts.push(positions.len() as i64);
        let name = self.program.var(var).name.clone();
        let starts_buf = self.int_table(&format!("{name}.read_starts"), &starts);
        let positions_buf = self.int_table(&format!("{name}.read_cells"), &positions);
        if let Some(plan) = self.read_cells.get_mut(&var) {
            plan.tables.insert(free, (starts_buf, positions_buf));
        }
        Ok((starts_buf, positions_buf))
    }

    /// A constant integer table in `IntData`.
    pub(super) fn int_table(&mut self, name: &str, values: &[i64]) -> BufferId {
        let buf = self.module.add_buffer(name, Arena::IntData, values.len().max(1));
        let offset = self.module.buffer(buf).offset;
        // The initial contents are laid out in buffer order.
        if self.int_data_init.len() < offset {
            self.int_data_init.resize(offset, 0);
        }
        self.int_data_init.extend_from_slice(values);
        if values.is_empty() {
            self.int_data_init.push(0);
        }
        buf
    }
}

/// Steps `binding` to the next combination of its variables' values
/// within `ranges` (the same variables, inclusive ranges), the last
/// variable fastest; after the last combination it is back at the first.
fn next_binding(binding: &mut [(VarId, i64)], ranges: &[(VarId, i64, i64)]) {
    for k in (0..binding.len()).rev() {
        if binding[k].1 < ranges[k].2 {
            binding[k].1 += 1;
            return;
        }
        binding[k].1 = ranges[k].1;
    }
}

fn single(v: Vec<i64>) -> Option<i64> {
    match v.as_slice() {
        [x] => Some(*x),
        _ => None,
    }
}

/// Adds every cell of per-position value lists: positions of a zipped group
/// run together, the others in Stan's cartesian way. False when a zipped
/// group's lists differ in length or the cells are too many.
fn cartesian_cells(values: &[Vec<usize>], zipped: &[Vec<usize>], cells: &mut BTreeSet<Vec<usize>>) -> bool {
    // Groups of positions iterated together.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for pos in 0..values.len() {
        match zipped.iter().find(|g| g.contains(&pos)) {
            Some(g) if g[0] != pos => {}
            Some(g) => groups.push(g.clone()),
            None => groups.push(vec![pos]),
        }
    }
    let mut lens = Vec::with_capacity(groups.len());
    for g in &groups {
        let n = values.get(g[0]).map_or(0, Vec::len);
        if g.iter().any(|&p| values.get(p).map_or(0, Vec::len) != n) {
            return false;
        }
        lens.push(n);
    }
    let count: usize = lens.iter().product();
    if count > MAX_ENUMERATED {
        return false;
    }
    let mut at = vec![0usize; groups.len()];
    let mut cell = vec![0usize; values.len()];
    for _ in 0..count {
        for (g, &j) in groups.iter().zip(&at) {
            for &p in g {
                cell[p] = values[p][j];
            }
        }
        cells.insert(cell.clone());
        for k in (0..at.len()).rev() {
            at[k] += 1;
            if at[k] < lens[k] {
                break;
            }
            at[k] = 0;
        }
    }
    true
}
