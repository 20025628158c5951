//! Sixteen `f64` elements in two AVX-512 registers, for the batched
//! kernels on CPUs that have AVX-512.
//!
//! The same design as [`super::avx2::F64x8`] (every operation applied to
//! two independent vectors, so that the long dependent chains of `exp` and
//! `log1p` overlap), with twice the lanes per instruction and twice the
//! registers: the AVX2 kernel spills its constants and temporaries to the
//! stack (16 registers), this one keeps them in its 32. Comparisons give
//! mask registers and selects are masked blends.
//!
//! Every operation rounds exactly as the AVX2 and scalar fused code does
//! (the same IEEE operations in the same order), so the three agree to the
//! bit (`stdlib/tests/api/vmath.rs`).
//!
//! Safety: the intrinsics need AVX-512 F and DQ (and the kernels FMA). A
//! value of [`F64x16`] only exists inside code compiled with
//! `#[target_feature(enable = "avx512f,avx512dq,fma")]` and entered after
//! [`available`] said yes (`crate::dist::batch` does both):
//! [`F64x16::load`] is `unsafe` with that contract, and every other way to
//! make one starts from a value.

use super::real::Real;
use super::MulAdd;
use std::arch::x86_64::*;

/// Elements per [`F64x16`].
pub const WIDTH: usize = 16;

/// Whether this CPU has what [`F64x16`] needs (AVX-512 F and DQ, FMA);
/// checked once.
pub fn available() -> bool {
    static HAS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *HAS.get_or_init(|| {
        is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512dq") && is_x86_feature_detected!("fma")
    })
}

/// Sixteen elements: `lo` holds 0..8, `hi` 8..16.
#[derive(Clone, Copy)]
pub struct F64x16 {
    lo: __m512d,
    hi: __m512d,
}

/// A per-element comparison outcome: one mask bit per element.
#[derive(Clone, Copy)]
pub struct Mask16 {
    lo: __mmask8,
    hi: __mmask8,
}

impl F64x16 {
    /// The first [`WIDTH`] elements of `src`.
    ///
    /// # Safety
    /// [`available`] is true, and the caller is compiled with AVX-512 F
    /// and DQ enabled. `src` has at least [`WIDTH`] elements.
    #[inline(always)]
    pub unsafe fn load(src: &[f64]) -> F64x16 {
        debug_assert!(src.len() >= WIDTH);
        // SAFETY: caller contract (features and length).
        unsafe { F64x16 { lo: _mm512_loadu_pd(src.as_ptr()), hi: _mm512_loadu_pd(src.as_ptr().add(8)) } }
    }

    /// Writes the elements to the first [`WIDTH`] of `dst`.
    #[inline(always)]
    pub fn store(self, dst: &mut [f64]) {
        let dst = &mut dst[..WIDTH];
        // SAFETY: features as the module docs say; `dst` has WIDTH elements.
        unsafe {
            _mm512_storeu_pd(dst.as_mut_ptr(), self.lo);
            _mm512_storeu_pd(dst.as_mut_ptr().add(8), self.hi);
        }
    }

    /// Adds elements 0..8 and then 8..16 to the eight running sums `acc`
    /// (element k into `acc[k mod 8]`, in the order of the elements).
    #[inline(always)]
    pub fn add_to_eight(self, acc: &mut [f64; 8]) {
        // SAFETY: features as the module docs say; `acc` has 8 elements.
        unsafe {
            let a = _mm512_loadu_pd(acc.as_ptr());
            let a = _mm512_add_pd(_mm512_add_pd(a, self.lo), self.hi);
            _mm512_storeu_pd(acc.as_mut_ptr(), a);
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
    fn cmp<const P: i32>(self, other: F64x16) -> Mask16 {
        // SAFETY: features as the module docs say.
        unsafe { Mask16 { lo: _mm512_cmp_pd_mask::<P>(self.lo, other.lo), hi: _mm512_cmp_pd_mask::<P>(self.hi, other.hi) } }
    }
}

two_register_ops!(F64x16: _mm512_add_pd, _mm512_sub_pd, _mm512_mul_pd, _mm512_div_pd, _mm512_xor_pd);

two_register_real! {
    F64x16: Mask16, _mm512_set1_pd, _mm512_fmadd_pd, _mm512_andnot_pd, _mm512_max_pd, _mm512_min_pd;
    #[inline(always)]
    fn is_integral(self) -> Mask16 {
        // Round toward -inf without the inexact exception: floor.
        const FLOOR: i32 = _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC;
        // SAFETY: features as the module docs say.
        let floor = unsafe { F64x16 { lo: _mm512_roundscale_pd::<FLOOR>(self.lo), hi: _mm512_roundscale_pd::<FLOOR>(self.hi) } };
        self.eq(floor)
    }
    #[inline(always)]
    fn and(a: Mask16, b: Mask16) -> Mask16 {
        Mask16 { lo: a.lo & b.lo, hi: a.hi & b.hi }
    }
    #[inline(always)]
    fn or(a: Mask16, b: Mask16) -> Mask16 {
        Mask16 { lo: a.lo | b.lo, hi: a.hi | b.hi }
    }
    #[inline(always)]
    fn not(a: Mask16) -> Mask16 {
        Mask16 { lo: !a.lo, hi: !a.hi }
    }
    #[inline(always)]
    fn select(mask: Mask16, then: F64x16, otherwise: F64x16) -> F64x16 {
        // SAFETY: features as the module docs say.
        unsafe {
            F64x16 {
                lo: _mm512_mask_blend_pd(mask.lo, otherwise.lo, then.lo),
                hi: _mm512_mask_blend_pd(mask.hi, otherwise.hi, then.hi),
            }
        }
    }
    #[inline(always)]
    fn exp2_halves(shifted: F64x16, round_shift: f64) -> (F64x16, F64x16) {
        let (lo1, lo2) = exp2_halves_x8(shifted.lo, round_shift);
        let (hi1, hi2) = exp2_halves_x8(shifted.hi, round_shift);
        (F64x16 { lo: lo1, hi: hi1 }, F64x16 { lo: lo2, hi: hi2 })
    }
    #[inline(always)]
    fn split_exponent(self) -> (F64x16, F64x16) {
        let (klo, mlo) = split_exponent_x8(self.lo);
        let (khi, mhi) = split_exponent_x8(self.hi);
        (F64x16 { lo: klo, hi: khi }, F64x16 { lo: mlo, hi: mhi })
    }
}

/// `real::split_exponent_one` on eight 64-bit integer lanes.
#[inline(always)]
fn split_exponent_x8(x: __m512d) -> (__m512d, __m512d) {
    use super::real::{ROUND_SHIFT_BITS, SPLIT_OFF};
    // SAFETY: called only from `F64x16::split_exponent` (module docs).
    unsafe {
        let ix = _mm512_castpd_si512(x);
        let top = _mm512_srli_epi64::<52>(_mm512_sub_epi64(ix, _mm512_set1_epi64(SPLIT_OFF as i64)));
        let k = _mm512_sub_epi64(_mm512_xor_si512(top, _mm512_set1_epi64(0x800)), _mm512_set1_epi64(0x800));
        let m = _mm512_sub_epi64(ix, _mm512_slli_epi64::<52>(top));
        let shift = _mm512_set1_epi64(ROUND_SHIFT_BITS as i64);
        let k = _mm512_sub_pd(_mm512_castsi512_pd(_mm512_add_epi64(shift, k)), _mm512_castsi512_pd(shift));
        (k, _mm512_castsi512_pd(m))
    }
}

/// `real::exp2_halves_one` on eight 64-bit integer lanes.
#[inline(always)]
fn exp2_halves_x8(shifted: __m512d, round_shift: f64) -> (__m512d, __m512d) {
    let bias = (round_shift.to_bits() as i64).wrapping_sub(1076);
    // SAFETY: called only from `F64x16::exp2_halves` (module docs).
    unsafe {
        let kb = _mm512_sub_epi64(_mm512_castpd_si512(shifted), _mm512_set1_epi64(bias));
        let k1 = _mm512_sub_epi64(_mm512_srli_epi64::<1>(kb), _mm512_set1_epi64(538));
        let k2 = _mm512_sub_epi64(_mm512_sub_epi64(kb, _mm512_set1_epi64(1076)), k1);
        let s1 = _mm512_slli_epi64::<52>(_mm512_add_epi64(k1, _mm512_set1_epi64(1023)));
        let s2 = _mm512_slli_epi64::<52>(_mm512_add_epi64(k2, _mm512_set1_epi64(1023)));
        (_mm512_castsi512_pd(s1), _mm512_castsi512_pd(s2))
    }
}
