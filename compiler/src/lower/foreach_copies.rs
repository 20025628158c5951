//! A foreach loop over an array of arrays, vectors or matrices that the
//! checker left a foreach loop (`check::foreach`): its array draws random
//! numbers or reads `target()`, or its body assigns a variable the array
//! reads, so reading the element in place would not be Stan's loop. As
//! Stan's, each iteration evaluates the array and copies its element into
//! the loop variable as it starts (a `_rng` array is drawn whole once per
//! iteration, so a vector's elements come from one draw).

use super::{LowerError, LowerResult, Lowerer, Storage};
use crate::check::typed::{TypedExpr, TypedStmt, VarId};
use crate::ir::{ScalarType, Stmt};

impl Lowerer<'_> {
    /// `for (var in over) body`, `var` a copy of each element of `over`.
    pub(super) fn foreach_copying_elements(&mut self, var: VarId, over: &TypedExpr, body: &TypedStmt) -> LowerResult<()> {
        if over.ty.is_complex_valued() {
            return Err(LowerError::unsupported(over.span, "a foreach loop over an array of complex values that draws random numbers, reads `target()`, or whose body assigns a variable the array reads (loop over its indices)"));
        }
        let shape = self.shape(over)?;
        let Some((&n, elem_shape)) = shape.split_first() else {
            return Err(LowerError::unsupported(over.span, "a foreach loop over a value with no elements"));
        };
        let ty = if over.ty.is_int_valued() { ScalarType::I64 } else { ScalarType::F64 };
        let buf = self.temp_buffer("foreach", ty, elem_shape.iter().product());
        let elem = Storage { buf, shape: elem_shape.to_vec(), array_rank: over.ty.array.len() - 1, ty };
        let start = self.fb.i64(0);
        let end = self.fb.i64(n as i64);
        let i = self.fb.fresh(ScalarType::I64);
        self.fb.open();
        // The array as it is when the iteration starts (a variable's own
        // buffer, anything else computed whole, a draw once).
        let src = self.materialize_flat(over)?;
        self.each_index(&elem.shape.clone(), &mut |this: &mut Self, idx| {
            let at: Vec<_> = std::iter::once(i).chain(idx.iter().copied()).collect();
            let from = this.offset(&src, &at);
            let v = this.fb.load(src.buf, from, src.ty);
            let v = if ty == ScalarType::F64 { this.fb.to_f64(v) } else { v };
            let to = this.offset(&elem, idx);
            this.fb.store(elem.buf, to, v);
            Ok(())
        })?;
        self.storage.insert(var, elem);
        self.lower_stmt(body)?;
        let body = self.fb.close();
        self.fb.emit(Stmt::For { var: i, start, end, body });
        Ok(())
    }
}
