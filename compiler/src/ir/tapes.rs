//! Growable AD tapes: where a gradient saves the values a loop overwrites
//! when the loop's trip count is known only at run time (a `while` loop,
//! or a bound computed from the model's own integers), so no tape of a
//! fixed size can be laid out in the `Work` arena.
//!
//! Each tape is a vector of 64-bit slots (an `f64` or an `i64`, by its
//! bits) that [`Stmt::TapeSave`](super::Stmt::TapeSave) writes and
//! [`Stmt::TapeLoad`](super::Stmt::TapeLoad) reads by slot number. A tape
//! grows by doubling when a save goes past its end and never shrinks, so
//! once an evaluator has seen its longest trip it allocates nothing more.
//! The tapes belong to the [`Arenas`](super::arenas::Arenas) of one
//! evaluator (one chain), so they are freed with it and never shared
//! between threads.
//!
//! Slots are addressed, not pushed: a save overwrites its slot, so an
//! evaluation that stops half way (a rejection) leaves nothing the next
//! one could misread, and a nested loop that the reverse sweep recomputes
//! once per enclosing iteration simply refills the same slots.

/// The most slots one tape may hold (2 GiB). A save beyond it is dropped
/// and the tape remembers the overflow; a load of a slot never saved reads
/// NaN, so such a gradient is NaN (the proposal is rejected), never a
/// silently wrong number.
pub const MAX_TAPE_SLOTS: usize = 1 << 28;

/// The growable tapes of one evaluator, by tape number.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tapes {
    tapes: Vec<Vec<u64>>,
}

/// The bits a load of a slot never saved reads: a quiet NaN.
const UNSAVED: u64 = 0x7ff8_0000_0000_0000;

impl Tapes {
    /// Saves `bits` in slot `slot` of tape `tape`, growing it (doubling) as
    /// needed; a negative slot or one past [`MAX_TAPE_SLOTS`] is dropped.
    pub fn save(&mut self, tape: u32, slot: i64, bits: u64) {
        let Ok(slot) = usize::try_from(slot) else { return };
        if slot >= MAX_TAPE_SLOTS {
            return;
        }
        let t = tape as usize;
        if t >= self.tapes.len() {
            self.tapes.resize_with(t + 1, Vec::new);
        }
        let v = &mut self.tapes[t];
        if slot >= v.len() {
            let want = (slot + 1).max(2 * v.len()).max(16).min(MAX_TAPE_SLOTS);
            v.resize(want, UNSAVED);
        }
        v[slot] = bits;
    }

    /// The bits saved in slot `slot` of tape `tape` (NaN's bits when the
    /// slot was never saved).
    pub fn load(&self, tape: u32, slot: i64) -> u64 {
        usize::try_from(slot)
            .ok()
            .and_then(|s| self.tapes.get(tape as usize)?.get(s).copied())
            .unwrap_or(UNSAVED)
    }

    /// The slots allocated over all tapes (for tests of the growth rule).
    pub fn capacity(&self) -> usize {
        self.tapes.iter().map(Vec::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_slots_read_back_and_unsaved_read_nan() {
        let mut t = Tapes::default();
        for i in 0..100 {
            t.save(1, i, (i as f64 * 0.5).to_bits());
        }
        t.save(0, 3, 7u64);
        assert_eq!(f64::from_bits(t.load(1, 41)), 20.5);
        assert_eq!(t.load(0, 3), 7);
        assert!(f64::from_bits(t.load(0, 2)).is_nan());
        assert!(f64::from_bits(t.load(2, 0)).is_nan());
        assert!(f64::from_bits(t.load(1, -1)).is_nan());
    }

    #[test]
    fn growth_doubles_and_stops_once_warm() {
        let mut t = Tapes::default();
        for i in 0..1000 {
            t.save(0, i, 1);
        }
        let warm = t.capacity();
        assert!(warm >= 1000 && warm < 2048, "capacity {warm}");
        for i in (0..1000).rev() {
            t.save(0, i, 2);
        }
        assert_eq!(t.capacity(), warm);
        t.save(0, -5, 3);
        t.save(0, MAX_TAPE_SLOTS as i64, 3);
        assert_eq!(t.capacity(), warm);
    }
}
