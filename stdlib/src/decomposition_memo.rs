//! The last few decompositions a thread computed, keyed by the exact bits
//! of the matrix they decomposed.
//!
//! hbmc's reverse sweep calls a decomposition's `_adj` rule with the
//! matrix, not with what the forward sweep computed from it, so the rule
//! decomposes the matrix again; a program that takes both
//! `eigenvalues_sym(K)` and `eigenvectors_sym(K)` decomposed each K four
//! times per gradient (posteriordb's kronecker_gp: 70% of its gradient).
//! Stan keeps the forward sweep's decomposition on its tape; the library
//! remembers it here instead. A decomposition is a deterministic function
//! of its input's bits, so a hit returns exactly what computing again
//! would: no draw changes.

use std::rc::Rc;

/// How many decompositions of one kind a thread remembers: a program
/// interleaves the calls of a few matrices (kronecker_gp: two).
const ENTRIES: usize = 4;

/// The largest matrix remembered, in elements (512 KiB a key): past it
/// the comparison and the copy would hold megabytes per thread.
const MAX_ELEMENTS: usize = 1 << 16;

/// Decompositions of one kind (`T`: what the decomposition returns),
/// replaced first in, first out.
pub(crate) struct DecompositionMemo<T> {
    entries: Vec<Entry<T>>,
    oldest: usize,
}

struct Entry<T> {
    shape: (usize, usize),
    bits: Vec<u64>,
    value: Rc<T>,
}

impl<T> DecompositionMemo<T> {
    /// An empty memo.
    pub(crate) const fn new() -> Self {
        DecompositionMemo { entries: Vec::new(), oldest: 0 }
    }

    /// The decomposition of `a` (`shape`: rows, columns): remembered if
    /// this thread computed it for the same bits lately, else `compute()`,
    /// remembered when it succeeds. Failures are not remembered.
    pub(crate) fn get_or_try<E>(
        &mut self,
        a: &[f64],
        shape: (usize, usize),
        compute: impl FnOnce() -> Result<T, E>,
    ) -> Result<Rc<T>, E> {
        let same = |e: &Entry<T>| e.shape == shape && e.bits.len() == a.len() && e.bits.iter().zip(a).all(|(b, x)| *b == x.to_bits());
        if let Some(e) = self.entries.iter().find(|e| same(e)) {
            return Ok(Rc::clone(&e.value));
        }
        let value = Rc::new(compute()?);
        if a.len() <= MAX_ELEMENTS {
            let entry = Entry { shape, bits: a.iter().map(|x| x.to_bits()).collect(), value: Rc::clone(&value) };
            if self.entries.len() < ENTRIES {
                self.entries.push(entry);
            } else {
                self.entries[self.oldest] = entry;
                self.oldest = (self.oldest + 1) % ENTRIES;
            }
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn a_matrix_seen_lately_is_not_decomposed_again() {
        let calls = Cell::new(0);
        let mut memo = DecompositionMemo::new();
        let decompose = |a: &[f64]| {
            calls.set(calls.get() + 1);
            Ok::<_, ()>(a.iter().sum::<f64>())
        };
        let (a, b) = ([1.0, 2.0, 2.0, 5.0], [1.0, 2.0, 2.0, 6.0]);
        assert_eq!(*memo.get_or_try(&a, (2, 2), || decompose(&a)).unwrap(), 10.0);
        assert_eq!(*memo.get_or_try(&b, (2, 2), || decompose(&b)).unwrap(), 11.0);
        assert_eq!(*memo.get_or_try(&a, (2, 2), || decompose(&a)).unwrap(), 10.0);
        assert_eq!(calls.get(), 2);
        // Same elements, other shape: another matrix.
        assert_eq!(*memo.get_or_try(&a, (4, 1), || decompose(&a)).unwrap(), 10.0);
        assert_eq!(calls.get(), 3);
        // -0.0 and 0.0 are equal numbers but other bits: not taken for each other.
        let (z, nz) = ([0.0], [-0.0]);
        memo.get_or_try(&z, (1, 1), || decompose(&z)).unwrap();
        memo.get_or_try(&nz, (1, 1), || decompose(&nz)).unwrap();
        assert_eq!(calls.get(), 5);
    }

    #[test]
    fn the_oldest_is_forgotten_first_and_failures_are_not_kept() {
        let calls = Cell::new(0);
        let mut memo = DecompositionMemo::new();
        let count = |x: f64| {
            calls.set(calls.get() + 1);
            Ok::<_, ()>(x)
        };
        for i in 0..=ENTRIES {
            memo.get_or_try(&[i as f64], (1, 1), || count(i as f64)).unwrap();
        }
        assert_eq!(calls.get(), ENTRIES + 1);
        memo.get_or_try(&[ENTRIES as f64], (1, 1), || count(0.0)).unwrap();
        assert_eq!(calls.get(), ENTRIES + 1, "the newest is kept");
        memo.get_or_try(&[0.0], (1, 1), || count(0.0)).unwrap();
        assert_eq!(calls.get(), ENTRIES + 2, "the first was replaced");
        assert!(memo.get_or_try(&[9.0], (1, 1), || Err::<f64, ()>(())).is_err());
        memo.get_or_try(&[9.0], (1, 1), || count(9.0)).unwrap();
        assert_eq!(calls.get(), ENTRIES + 3);
    }
}
