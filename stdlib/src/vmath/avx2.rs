//! Eight `f64` elements in two AVX2 registers, for the batched kernels.
//!
//! Each element's math in the kernels is one long chain of dependent
//! operations (`exp`, two divisions, `log1p`'s polynomial), so a loop that
//! handles one 4-lane vector at a time waits on latency. [`F64x8`] applies
//! every operation to two independent vectors, one after the other, so the
//! FMA units always have a second chain to work on. It is written with
//! explicit intrinsics: left to itself, LLVM vectorised a loop over groups
//! of eight across groups (strided loads, every register spilled).
//!
//! Safety: the intrinsics need AVX2 and FMA. A value of [`F64x8`] only
//! exists inside code compiled with `#[target_feature(enable = "avx2,fma")]`
//! and entered after `is_x86_feature_detected!` said both are present
//! (`crate::dist::batch` does both): [`F64x8::load`] is `unsafe` with that
//! contract, and every other way to make one starts from a value.

use super::real::Real;
use super::MulAdd;
use std::arch::x86_64::*;

/// Elements per [`F64x8`].
pub const WIDTH: usize = 8;

/// Eight elements: `lo` holds 0..4, `hi` 4..8.
#[derive(Clone, Copy)]
pub struct F64x8 {
    lo: __m256d,
    hi: __m256d,
}

impl F64x8 {
    /// The first [`WIDTH`] elements of `src`.
    ///
    /// # Safety
    /// The CPU has AVX2 and FMA, and the caller is compiled with them
    /// enabled. `src` has at least [`WIDTH`] elements.
    #[inline(always)]
    pub unsafe fn load(src: &[f64]) -> F64x8 {
        debug_assert!(src.len() >= WIDTH);
        // SAFETY: caller contract (features and length).
        unsafe { F64x8 { lo: _mm256_loadu_pd(src.as_ptr()), hi: _mm256_loadu_pd(src.as_ptr().add(4)) } }
    }

    /// Writes the elements to the first [`WIDTH`] of `dst`.
    #[inline(always)]
    pub fn store(self, dst: &mut [f64]) {
        let dst = &mut dst[..WIDTH];
        // SAFETY: features as the module docs say; `dst` has WIDTH elements.
        unsafe {
            _mm256_storeu_pd(dst.as_mut_ptr(), self.lo);
            _mm256_storeu_pd(dst.as_mut_ptr().add(4), self.hi);
        }
    }

    /// The elements, in order.
    #[inline(always)]
    pub fn to_array(self) -> [f64; WIDTH] {
        let mut out = [0.0; WIDTH];
        self.store(&mut out);
        out
    }

    #[inline(always)]
    fn cmp<const P: i32>(self, other: F64x8) -> F64x8 {
        // SAFETY: features as the module docs say.
        unsafe { F64x8 { lo: _mm256_cmp_pd::<P>(self.lo, other.lo), hi: _mm256_cmp_pd::<P>(self.hi, other.hi) } }
    }
}

two_register_ops!(F64x8: _mm256_add_pd, _mm256_sub_pd, _mm256_mul_pd, _mm256_div_pd, _mm256_xor_pd);

two_register_real! {
    F64x8: F64x8, _mm256_set1_pd, _mm256_fmadd_pd, _mm256_andnot_pd, _mm256_max_pd, _mm256_min_pd;
    #[inline(always)]
    fn is_integral(self) -> F64x8 {
        // SAFETY: features as the module docs say.
        let floor = unsafe { F64x8 { lo: _mm256_floor_pd(self.lo), hi: _mm256_floor_pd(self.hi) } };
        self.eq(floor)
    }
    #[inline(always)]
    fn and(a: F64x8, b: F64x8) -> F64x8 {
        both!(F64x8, _mm256_and_pd, a, b)
    }
    #[inline(always)]
    fn or(a: F64x8, b: F64x8) -> F64x8 {
        both!(F64x8, _mm256_or_pd, a, b)
    }
    #[inline(always)]
    fn not(a: F64x8) -> F64x8 {
        both!(F64x8, _mm256_xor_pd, a, F64x8::splat(f64::from_bits(u64::MAX)))
    }
    #[inline(always)]
    fn select(mask: F64x8, then: F64x8, otherwise: F64x8) -> F64x8 {
        // SAFETY: features as the module docs say.
        unsafe { F64x8 { lo: _mm256_blendv_pd(otherwise.lo, then.lo, mask.lo), hi: _mm256_blendv_pd(otherwise.hi, then.hi, mask.hi) } }
    }
    #[inline(always)]
    fn exp2_halves(shifted: F64x8, round_shift: f64) -> (F64x8, F64x8) {
        let (lo1, lo2) = exp2_halves_x4(shifted.lo, round_shift);
        let (hi1, hi2) = exp2_halves_x4(shifted.hi, round_shift);
        (F64x8 { lo: lo1, hi: hi1 }, F64x8 { lo: lo2, hi: hi2 })
    }
    #[inline(always)]
    fn split_exponent(self) -> (F64x8, F64x8) {
        let (klo, mlo) = split_exponent_x4(self.lo);
        let (khi, mhi) = split_exponent_x4(self.hi);
        (F64x8 { lo: klo, hi: khi }, F64x8 { lo: mlo, hi: mhi })
    }
}

/// `real::split_exponent_one` on four 64-bit integer lanes.
#[inline(always)]
fn split_exponent_x4(x: __m256d) -> (__m256d, __m256d) {
    use super::real::{ROUND_SHIFT_BITS, SPLIT_OFF};
    // SAFETY: called only from `F64x8::split_exponent` (module docs).
    unsafe {
        let ix = _mm256_castpd_si256(x);
        let top = _mm256_srli_epi64::<52>(_mm256_sub_epi64(ix, _mm256_set1_epi64x(SPLIT_OFF as i64)));
        let k = _mm256_sub_epi64(_mm256_xor_si256(top, _mm256_set1_epi64x(0x800)), _mm256_set1_epi64x(0x800));
        let m = _mm256_sub_epi64(ix, _mm256_slli_epi64::<52>(top));
        let shift = _mm256_set1_epi64x(ROUND_SHIFT_BITS as i64);
        let k = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_add_epi64(shift, k)), _mm256_castsi256_pd(shift));
        (k, _mm256_castsi256_pd(m))
    }
}

/// `real::exp2_halves_one` on four 64-bit integer lanes.
#[inline(always)]
fn exp2_halves_x4(shifted: __m256d, round_shift: f64) -> (__m256d, __m256d) {
    let bias = (round_shift.to_bits() as i64).wrapping_sub(1076);
    // SAFETY: called only from `F64x8::exp2_halves` (module docs).
    unsafe {
        let kb = _mm256_sub_epi64(_mm256_castpd_si256(shifted), _mm256_set1_epi64x(bias));
        let k1 = _mm256_sub_epi64(_mm256_srli_epi64::<1>(kb), _mm256_set1_epi64x(538));
        let k2 = _mm256_sub_epi64(_mm256_sub_epi64(kb, _mm256_set1_epi64x(1076)), k1);
        let s1 = _mm256_slli_epi64::<52>(_mm256_add_epi64(k1, _mm256_set1_epi64x(1023)));
        let s2 = _mm256_slli_epi64::<52>(_mm256_add_epi64(k2, _mm256_set1_epi64x(1023)));
        (_mm256_castsi256_pd(s1), _mm256_castsi256_pd(s2))
    }
}
