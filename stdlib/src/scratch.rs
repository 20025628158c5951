//! Work space for the matrix routines and multivariate densities, so that a
//! warm gradient evaluation does not allocate: small sizes live on the
//! stack, larger ones in a per-thread buffer that grows to the largest size
//! seen and is then reused.

use std::cell::RefCell;

/// Scratch of up to this many numbers lives on the stack: a hierarchical
/// model calls the densities once per group with a small K, and even a
/// thread-local lookup costs more than the density itself at K = 2.
const STACK_SCRATCH: usize = 32;

thread_local! {
    /// The per-thread buffer behind [`with_scratch`] for sizes above
    /// [`STACK_SCRATCH`].
    static BUFFER: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on a zeroed work slice of length `n`. On the stack when it fits,
/// else in the reused per-thread buffer; a nested call (the buffer already
/// borrowed) gets a fresh heap buffer, correct but allocating, which the
/// stdlib's routines avoid by never nesting large scratch uses.
pub(crate) fn with_scratch<R>(n: usize, f: impl FnOnce(&mut [f64]) -> R) -> R {
    if n <= STACK_SCRATCH {
        return f(&mut [0.0; STACK_SCRATCH][..n]);
    }
    BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            if buf.len() < n {
                buf.resize(n, 0.0);
            }
            let work = &mut buf[..n];
            work.iter_mut().for_each(|x| *x = 0.0);
            f(work)
        }
        Err(_) => f(&mut vec![0.0; n]),
    })
}
