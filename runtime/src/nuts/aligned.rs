//! Arrays of `f64` that start on a cache line.
//!
//! The trajectory's passes ([`super::kernels`]) load and store a whole
//! AVX-512 register, 64 bytes, at a time. From the allocator a `Vec<f64>`
//! starts 16-byte aligned, so most of those accesses straddle two cache
//! lines and cost two: a kick pass over 404 elements took 1.4x to 2x as
//! long from 32- and 16-byte aligned arrays as from 64-byte aligned ones
//! on an Intel Xeon (BENCHMARKS.md, "Issue 11.1: the trajectory's arrays on
//! cache lines"). The gradient's AVX2 kernels read the same positions.

use std::ops::{Deref, DerefMut};

/// One cache line of numbers.
#[repr(C, align(64))]
#[derive(Clone, Copy, Default)]
struct Line([f64; 8]);

// SAFETY: `Line` is eight `f64`s with no padding (size 64 = its alignment),
// so every bit pattern is valid and all-zero bits are `0.0`s.
unsafe impl bytemuck::Zeroable for Line {}
// SAFETY: as above; `Line` is `Copy` and `repr(C)`.
unsafe impl bytemuck::Pod for Line {}

/// A fixed-length array of `f64` whose first element starts a 64-byte
/// cache line; it reads and writes as a slice.
#[derive(Clone, Default)]
pub(crate) struct AlignedVec {
    lines: Vec<Line>,
    len: usize,
}

impl PartialEq for AlignedVec {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl AlignedVec {
    /// `len` zeros.
    pub(crate) fn zeros(len: usize) -> Self {
        AlignedVec { lines: vec![Line::default(); len.div_ceil(8)], len }
    }
}

impl Deref for AlignedVec {
    type Target = [f64];

    #[inline]
    fn deref(&self) -> &[f64] {
        &bytemuck::cast_slice(&self.lines)[..self.len]
    }
}

impl DerefMut for AlignedVec {
    #[inline]
    fn deref_mut(&mut self) -> &mut [f64] {
        &mut bytemuck::cast_slice_mut(&mut self.lines)[..self.len]
    }
}

impl<'a> IntoIterator for &'a AlignedVec {
    type Item = &'a f64;
    type IntoIter = std::slice::Iter<'a, f64>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut AlignedVec {
    type Item = &'a mut f64;
    type IntoIter = std::slice::IterMut<'a, f64>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl std::fmt::Debug for AlignedVec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_on_a_cache_line_and_reads_as_a_slice() {
        for len in [0, 1, 7, 8, 9, 404] {
            let mut v = AlignedVec::zeros(len);
            assert_eq!(v.len(), len);
            assert!(v.iter().all(|x| *x == 0.0));
            assert_eq!(v.as_ptr() as usize % 64, 0, "length {len}");
            for (i, x) in v.iter_mut().enumerate() {
                *x = i as f64;
            }
            assert_eq!(&v[..], &(0..len).map(|i| i as f64).collect::<Vec<_>>()[..]);
            assert_eq!(v.clone(), v);
        }
    }
}
