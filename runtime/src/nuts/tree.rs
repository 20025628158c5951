//! One NUTS transition as Stan (2.23 and later) runs it: multinomial
//! sampling within subtrees, biased progressive sampling between the old
//! trajectory and a new subtree, the generalised no-U-turn criterion with the
//! two extra checks across neighbouring subtrees (at every level of the
//! recursion and at the top), a maximum tree depth, and divergence when the
//! energy error exceeds `max_energy_error` (1000).
//!
//! The code follows `stan/mcmc/hmc/nuts/base_nuts.hpp` step by step, including
//! its bookkeeping of the boundary momenta between the backward and forward
//! parts of the trajectory, so that acceptance statistics and tree depths have
//! the same distribution as Stan's.
//!
//! Where Stan copies whole states (the proposal at every leaf, the boundary
//! momenta of every subtree), this builder keeps the states of the trajectory
//! in a pool of preallocated slots ([`SlotPool`]) and passes slot indices
//! around: a leaf's leapfrog step writes into a fresh slot, and "the proposal
//! is this leaf" or "the subtree begins at this leaf" is a reference count,
//! not a copy. The summed momenta and the six U-turn dot products of a node
//! are computed in one pass, and the kinetic energy in the leapfrog's last
//! pass. For a two-state subtree (half of all nodes) Stan's three checks are
//! one and the same, and they are computed in the last leapfrog pass of the
//! second state; with whitened momenta (diagonal and low-rank metrics), so
//! are the three checks of a four-state subtree (`Builder::build_quad`), in
//! its last state's pass. A
//! leaf that is not the last of its doubling writes the first half (kick
//! and drift) of its successor's step in the same pass
//! ([`Hamiltonian::step`]). The floating-point operations on every element
//! are those of the plain recursive formulation in `tree_reference` in the
//! same order, and the random numbers are drawn at the same places, so a
//! seed gives the same draws as it (tested bit for bit). Both differ from
//! Stan's arithmetic, not its algorithm: with a diagonal or low-rank metric
//! the momenta are whitened (see [`super::hamiltonian`]), products are fused
//! multiply-adds, sums are taken in eight partial sums ([`super::kernels`]),
//! and a multinomial merge takes its probability from the same `exp` as its
//! combined weight (`weigh`).

use super::aligned::AlignedVec;
use super::hamiltonian::{Hamiltonian, Point, QuadNode, StepCheck};
use super::kernels::{joined_sums, joined_sums_white};
use crate::density::LogDensity;
use crate::rng::ChainRng;

/// Sampler statistics of one transition (the `__` columns of the CSV).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TransitionStats {
    /// Average Metropolis acceptance probability over the trajectory.
    pub accept_stat: f64,
    /// Average of `2 min(1, e^d) / (1 + e^d)`, `d = H0 - H`, over the
    /// trajectory: symmetric in the energy error, it penalises energy
    /// gains as much as losses (nutpie's late step-size adaptation uses it).
    pub accept_stat_sym: f64,
    /// Step size used.
    pub step_size: f64,
    /// Tree depth reached.
    pub depth: u32,
    /// Number of leapfrog steps taken.
    pub n_leapfrog: u64,
    /// Whether the trajectory diverged.
    pub divergent: bool,
    /// Hamiltonian at the selected point.
    pub energy: f64,
    /// Whether the trajectory stopped because the maximum depth was reached.
    pub hit_max_depth: bool,
}

/// Two log weights `a`, `b` combined with one `exp` and one `ln_1p`:
/// `log(e^a + e^b)`, the share `e^b / (e^a + e^b)` of `b` (the probability
/// of moving a multinomial proposal to `b`'s), and `min(1, e^(b - a))` (the
/// biased progressive sampling's probability of moving to `b`'s). `-inf`
/// weighs nothing.
#[inline]
pub(crate) fn weigh(a: f64, b: f64) -> Weighed {
    if b == f64::NEG_INFINITY {
        return Weighed { log_sum: a, share: 0.0, ratio: 0.0 };
    }
    if a == f64::NEG_INFINITY {
        return Weighed { log_sum: b, share: 1.0, ratio: 1.0 };
    }
    if b > a {
        let t = (a - b).exp();
        Weighed { log_sum: b + t.ln_1p(), share: 1.0 / (1.0 + t), ratio: 1.0 }
    } else {
        let t = (b - a).exp();
        Weighed { log_sum: a + t.ln_1p(), share: t / (1.0 + t), ratio: t }
    }
}

/// What [`weigh`] returns.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Weighed {
    pub log_sum: f64,
    pub share: f64,
    pub ratio: f64,
}

/// Metropolis acceptance probability `min(1, e^d)` and its symmetric form
/// `2 min(1, e^d) / (1 + e^d) = 2 e^-|d| / (1 + e^-|d|)` of an energy
/// error `d = H0 - H` (NaN when `d` is NaN), with one `exp`.
#[inline]
pub(crate) fn acceptance_probs(d: f64) -> (f64, f64) {
    let e = (-d.abs()).exp();
    let metro = if d > 0.0 { 1.0 } else { e };
    (metro, 2.0 * e / (1.0 + e))
}

/// A slot index that refers to no state.
const NONE: usize = usize::MAX;

/// Phase-space states of one trajectory, held by reference count. A holder
/// (a trajectory end, a proposal, a subtree boundary) owns one count; a slot
/// whose count drops to zero goes back to the free list. The pool grows to
/// the largest number of states alive at once (about three per tree level)
/// and is reused by every later transition, so a warm chain does not
/// allocate.
pub(crate) struct SlotPool {
    dim: usize,
    points: Vec<Point>,
    refs: Vec<u32>,
    free: Vec<usize>,
}

impl SlotPool {
    fn new(dim: usize) -> Self {
        SlotPool { dim, points: Vec::new(), refs: Vec::new(), free: Vec::new() }
    }

    /// Frees every slot (at the start of a transition).
    fn reset(&mut self) {
        self.refs.iter_mut().for_each(|r| *r = 0);
        self.free.clear();
        self.free.extend((0..self.points.len()).rev());
    }

    /// A free slot, with one count for the caller.
    fn alloc(&mut self) -> usize {
        let i = match self.free.pop() {
            Some(i) => i,
            None => {
                self.points.push(Point::new(self.dim));
                self.refs.push(0);
                self.points.len() - 1
            }
        };
        self.refs[i] = 1;
        i
    }

    fn release(&mut self, i: usize) {
        if i == NONE {
            return;
        }
        // Invariant: every holder of `i` owns one count, so it is positive.
        debug_assert!(self.refs[i] > 0, "slot {i} released more often than held");
        self.refs[i] -= 1;
        if self.refs[i] == 0 {
            self.free.push(i);
        }
    }

    /// Makes the holder `*to` refer to `from` (Stan's `copy_from`).
    #[inline]
    fn assign(&mut self, to: &mut usize, from: usize) {
        self.refs[from] += 1;
        self.release(*to);
        *to = from;
    }

    /// `src` read-only, `dst` and (unless [`NONE`]) `next` writable; all
    /// must differ.
    fn triple(&mut self, src: usize, dst: usize, next: usize) -> (&Point, &mut Point, Option<&mut Point>) {
        if next == NONE {
            let (s, d) = self.pair(src, dst);
            return (s, d, None);
        }
        match self.points.get_disjoint_mut([src, dst, next]) {
            Ok([s, d, n]) => (s, d, Some(n)),
            // Invariant: the three are distinct live slots (`next` and `dst`
            // were just allocated, `src` is held).
            Err(e) => unreachable!("slots {src}, {dst}, {next} not distinct: {e}"),
        }
    }

    /// [`SlotPool::triple`] and two more read-only states `more`; all five
    /// (four when `next` is [`NONE`]) must differ.
    #[allow(clippy::type_complexity)]
    fn triple_and(
        &mut self,
        src: usize,
        dst: usize,
        next: usize,
        more: [usize; 2],
    ) -> (&Point, &mut Point, Option<&mut Point>, [&Point; 2]) {
        let [m0, m1] = more;
        if next == NONE {
            return match self.points.get_disjoint_mut([src, dst, m0, m1]) {
                Ok([s, d, a, b]) => (s, d, None, [a, b]),
                // Invariant: `dst` was just allocated; `src` and `more` are
                // distinct states held by the node being built.
                Err(e) => unreachable!("slots {src}, {dst}, {m0}, {m1} not distinct: {e}"),
            };
        }
        match self.points.get_disjoint_mut([src, dst, next, m0, m1]) {
            Ok([s, d, n, a, b]) => (s, d, Some(n), [a, b]),
            // Invariant: as above, and `next` was just allocated too.
            Err(e) => unreachable!("slots {src}, {dst}, {next}, {m0}, {m1} not distinct: {e}"),
        }
    }

    /// `src` read-only and `dst` writable; they must differ.
    fn pair(&mut self, src: usize, dst: usize) -> (&Point, &mut Point) {
        debug_assert_ne!(src, dst);
        if src < dst {
            let (a, b) = self.points.split_at_mut(dst);
            (&a[src], &mut b[0])
        } else {
            let (a, b) = self.points.split_at_mut(src);
            (&b[0], &mut a[dst])
        }
    }
}

/// Scratch storage reused across transitions so that building a tree does not
/// allocate once warm: the state pool and the summed-momentum vectors.
pub(crate) struct TreeWorkspace {
    dim: usize,
    slots: SlotPool,
    vecs: Vec<AlignedVec>,
}

impl TreeWorkspace {
    pub(crate) fn new(dim: usize) -> Self {
        TreeWorkspace { dim, slots: SlotPool::new(dim), vecs: Vec::new() }
    }

    /// A vector of length `dim` with unspecified contents.
    fn vec(&mut self) -> AlignedVec {
        self.vecs.pop().unwrap_or_else(|| AlignedVec::zeros(self.dim))
    }

    fn give(&mut self, v: AlignedVec) {
        self.vecs.push(v);
    }
}

/// Settings of the trajectory builder.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NutsOptions {
    pub max_depth: u32,
    pub max_energy_error: f64,
}

/// The six dot products of Stan's three U-turn checks over two neighbouring
/// parts `a` (before) and `b` (after) of a trajectory, with `rho_a`, `rho_b`
/// their summed momenta; writes `rho_a + rho_b` into `rho`. `first`, `last`
/// are the states at the outer ends, `a_end`, `b_beg` those at the join.
/// `white`: the momenta are whitened (diagonal and low-rank metrics), so they are their
/// own velocities. True when none of the checks finds a U-turn.
#[allow(clippy::too_many_arguments)]
#[inline]
fn no_u_turn_joined(
    white: bool,
    rho: &mut [f64],
    rho_a: &[f64],
    rho_b: &[f64],
    first: &Point,
    a_end: &Point,
    b_beg: &Point,
    last: &Point,
) -> bool {
    let s = if white {
        joined_sums_white(rho, rho_a, rho_b, &first.p, &last.p, &a_end.p, &b_beg.p)
    } else {
        joined_sums(rho, rho_a, rho_b, &first.v, &last.v, &a_end.p, &a_end.v, &b_beg.p, &b_beg.v)
    };
    s.iter().all(|x| *x > 0.0)
}

/// The holders a subtree build moves, each owning one slot count (or
/// [`NONE`]): `z`, the trajectory end the subtree extends, ends at its last
/// state, `propose` at its multinomial proposal, `beg` and `end` at its
/// first and last states (whose momenta and velocities are Stan's `p_beg`,
/// `p_sharp_beg`, `p_end`, `p_sharp_end`). The subtree's log weight is
/// written into `log_sum_weight` (fresh: `-inf`).
struct Holders<'r> {
    z: &'r mut usize,
    propose: &'r mut usize,
    beg: &'r mut usize,
    end: &'r mut usize,
    log_sum_weight: &'r mut f64,
}

/// What a node keeps of its two halves while building them: the initial
/// half's last state and weight, the final half's first state, proposal and
/// weight (the initial half's first state and proposal are the node's own,
/// and so is the final half's last state).
struct Halves {
    end: usize,
    log_sum_weight_init: f64,
    final_beg: usize,
    propose_final: usize,
    log_sum_weight_final: f64,
}

impl Halves {
    fn new() -> Self {
        Halves {
            end: NONE,
            log_sum_weight_init: f64::NEG_INFINITY,
            final_beg: NONE,
            propose_final: NONE,
            log_sum_weight_final: f64::NEG_INFINITY,
        }
    }

    /// The holders of the initial half of the node `t`.
    fn initial<'r>(&'r mut self, t: &'r mut Holders<'_>) -> Holders<'r> {
        Holders {
            z: &mut *t.z,
            propose: &mut *t.propose,
            beg: &mut *t.beg,
            end: &mut self.end,
            log_sum_weight: &mut self.log_sum_weight_init,
        }
    }

    /// The holders of the final half of the node `t`.
    fn last<'r>(&'r mut self, t: &'r mut Holders<'_>) -> Holders<'r> {
        Holders {
            z: &mut *t.z,
            propose: &mut self.propose_final,
            beg: &mut self.final_beg,
            end: &mut *t.end,
            log_sum_weight: &mut self.log_sum_weight_final,
        }
    }

    /// Gives back the counts the halves hold.
    fn release(&self, slots: &mut SlotPool) {
        slots.release(self.end);
        slots.release(self.propose_final);
        slots.release(self.final_beg);
    }
}

/// What a leaf's pass checks besides its energy ([`StepCheck`] with the
/// states named by slot).
enum LeafCheck<'o> {
    /// Nothing.
    None,
    /// The leaf is the second of a two-state subtree, whose summed
    /// momentum goes into the slice.
    Pair(&'o mut [f64]),
    /// As `Pair`, and the subtree is the final half of a four-state node:
    /// `rho` receives the node's summed momentum, `rho_a` is its initial
    /// pair's, `first` and `a_end` are that pair's states.
    Quad { rho: &'o mut [f64], rho_a: &'o [f64], first: usize, a_end: usize },
}

struct Builder<'s, 'h, 'a, D: LogDensity> {
    ham: &'s mut Hamiltonian<'a, D>,
    rng: &'s mut ChainRng,
    ws: &'h mut TreeWorkspace,
    /// Momenta are whitened (diagonal and low-rank metrics) (see `no_u_turn_joined`).
    white: bool,
    eps: f64,
    h0: f64,
    max_energy_error: f64,
    n_leapfrog: u64,
    sum_metro_prob: f64,
    sum_sym_prob: f64,
    divergent: bool,
    /// `(from, slot)`: `slot` (one count held here) holds the first half of
    /// the step from the state in slot `from`, written by that state's own
    /// leapfrog pass; the next leaf takes it when it steps from `from`.
    pending: Option<(usize, usize)>,
}

impl<D: LogDensity> Builder<'_, '_, '_, D> {
    /// Stan's `build_tree`: extends the trajectory end `*t.z` by `2^depth`
    /// leapfrog steps in direction `sign` and returns whether the subtree is
    /// valid (no divergence, no U-turn inside); `t` receives the subtree's
    /// states and log weight ([`Holders`]). `rho` (any contents) receives
    /// the subtree's summed momentum when it is valid. `last`: the subtree
    /// ends the current doubling, so its last leaf has no successor in this
    /// direction (every other leaf prepares its successor's first half).
    fn build_tree(&mut self, depth: u32, t: &mut Holders<'_>, rho: &mut [f64], sign: f64, last: bool) -> bool {
        if depth == 0 {
            // Only the top level builds single leaves (a depth-1 node builds
            // its two in `build_pair`).
            let (valid, _, _) = self.leaf(t, sign, LeafCheck::None, last);
            rho.copy_from_slice(&self.ws.slots.points[*t.z].p);
            return valid;
        }
        if depth == 1 {
            return self.build_pair(t, LeafCheck::Pair(rho), sign, last).0;
        }
        if depth == 2 && self.white {
            return self.build_quad(t, rho, sign, last);
        }

        // Build the initial subtree.
        let mut init = Halves::new();
        let mut rho_init = self.ws.vec();
        let valid_init = self.build_tree(depth - 1, &mut init.initial(t), &mut rho_init, sign, false);
        if !valid_init {
            self.ws.slots.release(init.end);
            self.ws.give(rho_init);
            return false;
        }

        // Build the final subtree.
        let mut rho_final = self.ws.vec();
        let valid_final = self.build_tree(depth - 1, &mut init.last(t), &mut rho_final, sign, last);

        let mut persist = valid_final;
        if valid_final {
            self.merge_subtrees(t, &init);
            // The subtree's own check and the two across its halves (each
            // half plus the nearest state of the other).
            let pts = &self.ws.slots.points;
            persist = no_u_turn_joined(
                self.white,
                rho,
                &rho_init,
                &rho_final,
                &pts[*t.beg],
                &pts[init.end],
                &pts[init.final_beg],
                &pts[*t.end],
            );
        }

        init.release(&mut self.ws.slots);
        self.ws.give(rho_init);
        self.ws.give(rho_final);
        persist
    }

    /// [`Builder::build_tree`] at depth 1: two leaves, the second's
    /// leapfrog pass also summing the pair's momenta and its U-turn check
    /// (`second`: [`LeafCheck::Pair`], or [`LeafCheck::Quad`] when the pair
    /// ends a four-state node). Returns whether the pair is valid and
    /// whether the four-state node's check passes (`true` without one).
    fn build_pair(&mut self, t: &mut Holders<'_>, second: LeafCheck<'_>, sign: f64, last: bool) -> (bool, bool) {
        let mut init = Halves::new();
        let (valid_init, _, _) = self.leaf(&mut init.initial(t), sign, LeafCheck::None, false);
        if !valid_init {
            self.ws.slots.release(init.end);
            return (false, true);
        }
        // The second leaf steps from the first (`*t.z` is `init.end` here).
        let (valid_final, no_u_turn, node_no_u_turn) = self.leaf(&mut init.last(t), sign, second, last);
        if valid_final {
            self.merge_subtrees(t, &init);
        }
        init.release(&mut self.ws.slots);
        (valid_final && no_u_turn, node_no_u_turn)
    }

    /// [`Builder::build_tree`] at depth 2 with whitened momenta: two
    /// pairs, the node's own check (Stan's three) computed in the pass of
    /// its last leaf ([`LeafCheck::Quad`]) instead of a pass of its own.
    /// The random numbers are drawn in the same order: the node's check
    /// draws none, and its result is used only after the final pair's
    /// multinomial merge, as in [`Builder::build_tree`].
    fn build_quad(&mut self, t: &mut Holders<'_>, rho: &mut [f64], sign: f64, last: bool) -> bool {
        let mut init = Halves::new();
        let mut rho_init = self.ws.vec();
        let (valid_init, _) = self.build_pair(&mut init.initial(t), LeafCheck::Pair(&mut rho_init), sign, false);
        if !valid_init {
            self.ws.slots.release(init.end);
            self.ws.give(rho_init);
            return false;
        }
        let node = LeafCheck::Quad { rho, rho_a: &rho_init, first: *t.beg, a_end: init.end };
        let (valid_final, node_no_u_turn) = self.build_pair(&mut init.last(t), node, sign, last);
        let mut persist = valid_final;
        if valid_final {
            self.merge_subtrees(t, &init);
            persist = node_no_u_turn;
        }
        init.release(&mut self.ws.slots);
        self.ws.give(rho_init);
        persist
    }

    /// One leapfrog step from `*t.z` into a fresh slot, which becomes `*t.z`,
    /// `*t.propose`, `*t.beg` and `*t.end`; its weight goes into
    /// `*t.log_sum_weight`. With [`LeafCheck::Pair`] (or `Quad`), the step
    /// is the second of a two-state subtree starting at `*t.z`, and the
    /// second value returned is its U-turn check; with `Quad` the third is
    /// the check of the four-state node that the subtree ends (both `true`
    /// otherwise). Unless `last`, the step's pass also writes the first
    /// half of the following step into a fresh slot (`self.pending`). The
    /// first value says whether the leaf is not divergent.
    #[inline]
    fn leaf(&mut self, t: &mut Holders<'_>, sign: f64, check: LeafCheck<'_>, last: bool) -> (bool, bool, bool) {
        let z = *t.z;
        let slots = &mut self.ws.slots;
        let (next, drifted) = match self.pending.take() {
            Some((from, slot)) if from == z => (slot, true),
            Some((_, slot)) => {
                slots.release(slot);
                (slots.alloc(), false)
            }
            None => (slots.alloc(), false),
        };
        let following = if last { NONE } else { slots.alloc() };
        let eps = sign * self.eps;
        // One call of `step` (so that it is inlined here).
        let (src, dst, ahead, step_check) = match check {
            LeafCheck::None => {
                let (src, dst, ahead) = slots.triple(z, next, following);
                (src, dst, ahead, StepCheck::None)
            }
            LeafCheck::Pair(rho) => {
                let (src, dst, ahead) = slots.triple(z, next, following);
                (src, dst, ahead, StepCheck::Pair(rho))
            }
            LeafCheck::Quad { rho, rho_a, first, a_end } => {
                let (src, dst, ahead, [f, e]) = slots.triple_and(z, next, following, [first, a_end]);
                (src, dst, ahead, StepCheck::Quad(QuadNode { rho, rho_a, p_first: &f.p, p_a_end: &e.p }))
            }
        };
        let (h, no_u_turn, prepared, node_no_u_turn) = self.ham.step(src, dst, eps, drifted, step_check, ahead);
        if prepared {
            self.pending = Some((next, following));
        } else {
            self.ws.slots.release(following);
        }
        self.n_leapfrog += 1;
        if h - self.h0 > self.max_energy_error {
            self.divergent = true;
        }
        // A leaf is the first state of its (fresh, empty) weight.
        debug_assert_eq!(*t.log_sum_weight, f64::NEG_INFINITY);
        *t.log_sum_weight = self.h0 - h;
        let (metro, sym) = acceptance_probs(self.h0 - h);
        self.sum_metro_prob += metro;
        self.sum_sym_prob += sym;
        let slots = &mut self.ws.slots;
        slots.release(z);
        *t.z = next;
        slots.assign(t.propose, next);
        slots.assign(t.beg, next);
        slots.assign(t.end, next);
        (!self.divergent, no_u_turn, node_no_u_turn)
    }

    /// Multinomial sample between the two halves of a valid subtree: sets
    /// `*t.log_sum_weight` (fresh, `-inf`) to the subtree's weight and moves
    /// `*t.propose` to the final half's proposal with that half's share of it.
    #[inline]
    fn merge_subtrees(&mut self, t: &mut Holders<'_>, halves: &Halves) {
        // Every caller passes a fresh weight (Stan adds into it).
        debug_assert_eq!(*t.log_sum_weight, f64::NEG_INFINITY);
        let w = weigh(halves.log_sum_weight_init, halves.log_sum_weight_final);
        *t.log_sum_weight = w.log_sum;
        if self.rng.uniform() < w.share {
            self.ws.slots.assign(t.propose, halves.propose_final);
        }
    }
}

/// One NUTS transition from `z` (whose position, log density and gradient are
/// current). Draws a momentum, builds the trajectory, and leaves the selected
/// point in `z`.
pub(crate) fn transition<D: LogDensity>(
    ham: &mut Hamiltonian<'_, D>,
    rng: &mut ChainRng,
    ws: &mut TreeWorkspace,
    z: &mut Point,
    step_size: f64,
    options: NutsOptions,
) -> TransitionStats {
    ham.prepare_steps(step_size);
    ham.refresh_momentum(z, rng);
    let h0 = ham.energy(z);
    let white = ham.metric.white();

    ws.slots.reset();
    let start = ws.slots.alloc();
    // The initial state moves into the pool (buffers swapped, not copied).
    std::mem::swap(z, &mut ws.slots.points[start]);
    // Holders: the two trajectory ends, the sample, the subtree proposal, and
    // the four boundary states (Stan's p_fwd_fwd/p_sharp_fwd_fwd, ...).
    let (mut z_fwd, mut z_bck, mut z_sample, mut z_propose) = (NONE, NONE, NONE, NONE);
    let (mut fwd_fwd, mut fwd_bck, mut bck_fwd, mut bck_bck) = (NONE, NONE, NONE, NONE);
    for h in [
        &mut z_fwd, &mut z_bck, &mut z_sample, &mut z_propose,
        &mut fwd_fwd, &mut fwd_bck, &mut bck_fwd, &mut bck_bck,
    ] {
        ws.slots.assign(h, start);
    }
    ws.slots.release(start);

    let mut rho = ws.vec();
    rho.copy_from_slice(&ws.slots.points[start].p);
    let mut rho_fwd = ws.vec();
    let mut rho_bck = ws.vec();

    let mut log_sum_weight = 0.0; // log(exp(H0 - H0))

    let mut b = Builder {
        ham,
        rng,
        ws,
        white,
        eps: step_size,
        h0,
        max_energy_error: options.max_energy_error,
        n_leapfrog: 0,
        sum_metro_prob: 0.0,
        sum_sym_prob: 0.0,
        divergent: false,
        pending: None,
    };

    let mut depth = 0u32;
    while depth < options.max_depth {
        let mut log_sum_weight_subtree = f64::NEG_INFINITY;

        let valid_subtree = if b.rng.uniform() > 0.5 {
            // Extend the trajectory forward. The old trajectory's summed
            // momentum moves into `rho_bck`; `rho` is rewritten whole below.
            std::mem::swap(&mut rho_bck, &mut rho);
            b.ws.slots.assign(&mut bck_fwd, fwd_bck);
            let mut t = Holders {
                z: &mut z_fwd,
                propose: &mut z_propose,
                beg: &mut fwd_bck,
                end: &mut fwd_fwd,
                log_sum_weight: &mut log_sum_weight_subtree,
            };
            b.build_tree(depth, &mut t, &mut rho_fwd, 1.0, true)
        } else {
            // Extend the trajectory backward.
            std::mem::swap(&mut rho_fwd, &mut rho);
            b.ws.slots.assign(&mut fwd_bck, bck_fwd);
            let mut t = Holders {
                z: &mut z_bck,
                propose: &mut z_propose,
                beg: &mut bck_fwd,
                end: &mut bck_bck,
                log_sum_weight: &mut log_sum_weight_subtree,
            };
            b.build_tree(depth, &mut t, &mut rho_bck, -1.0, true)
        };

        if !valid_subtree {
            break;
        }
        depth += 1;

        // Biased progressive sampling between old trajectory and new subtree.
        let w = weigh(log_sum_weight, log_sum_weight_subtree);
        if log_sum_weight_subtree > log_sum_weight || b.rng.uniform() < w.ratio {
            b.ws.slots.assign(&mut z_sample, z_propose);
        }
        log_sum_weight = w.log_sum;

        // Break when the no-U-turn criterion fails for the whole trajectory
        // or across the boundary between its two parts.
        let pts = &b.ws.slots.points;
        let persist = no_u_turn_joined(
            b.white,
            &mut rho,
            &rho_bck,
            &rho_fwd,
            &pts[bck_bck],
            &pts[bck_fwd],
            &pts[fwd_bck],
            &pts[fwd_fwd],
        );
        if !persist {
            break;
        }
    }

    let n_leapfrog = b.n_leapfrog;
    let accept_stat = if n_leapfrog > 0 { b.sum_metro_prob / n_leapfrog as f64 } else { 0.0 };
    let accept_stat_sym = if n_leapfrog > 0 { b.sum_sym_prob / n_leapfrog as f64 } else { 0.0 };
    let divergent = b.divergent;
    let ham = b.ham;
    // The selected state moves back out of the pool; every slot is freed by
    // the next transition's reset.
    std::mem::swap(z, &mut ws.slots.points[z_sample]);
    let energy = ham.energy(z);
    for v in [rho, rho_fwd, rho_bck] {
        ws.give(v);
    }

    TransitionStats {
        accept_stat,
        accept_stat_sym,
        step_size,
        depth,
        n_leapfrog,
        divergent,
        energy,
        hit_max_depth: depth >= options.max_depth,
    }
}

#[cfg(test)]
mod tests {
    use super::super::hamiltonian::{InvMetric, Metric};
    use super::super::tree_reference::{self, log_sum_exp};
    use super::*;
    use crate::density::{FnDensity, LogDensityError};

    /// Neal's funnel in `dim` dimensions (divergent at large steps), with a
    /// recoverable error far out in the neck so that failed evaluations are
    /// exercised too.
    fn funnel(dim: usize) -> impl FnMut(&[f64], &mut [f64]) -> Result<f64, LogDensityError> {
        move |x: &[f64], g: &mut [f64]| {
            let _ = dim;
            if x[0] < -7.0 {
                return Err(LogDensityError::recoverable("too far into the neck"));
            }
            let n = (x.len() - 1) as f64;
            let e = (-x[0]).exp();
            let mut lp = -x[0] * x[0] / 18.0 - 0.5 * n * x[0];
            g[0] = -x[0] / 9.0 - 0.5 * n;
            for i in 1..x.len() {
                lp -= 0.5 * x[i] * x[i] * e;
                g[i] = -x[i] * e;
                g[0] += 0.5 * x[i] * x[i] * e;
            }
            Ok(lp)
        }
    }

    fn stats_bits(s: &TransitionStats) -> [u64; 8] {
        [
            s.accept_stat.to_bits(),
            s.accept_stat_sym.to_bits(),
            s.step_size.to_bits(),
            s.depth as u64,
            s.n_leapfrog,
            s.divergent as u64,
            s.energy.to_bits(),
            s.hit_max_depth as u64,
        ]
    }

    /// Runs `n` transitions with the slot-pool trajectory and with the
    /// copying one from the same state and seed; returns the number of
    /// divergent and of max-depth transitions seen (both builders agree on
    /// every bit of every draw, statistic and random number).
    fn compare(inv_metric: InvMetric, step_size: f64, max_depth: u32, n: usize, seed: u64) -> (usize, usize) {
        compare_metric(Metric::new(&inv_metric).expect("valid metric"), step_size, max_depth, n, seed)
    }

    /// [`compare`] with any metric.
    fn compare_metric(metric: Metric, step_size: f64, max_depth: u32, n: usize, seed: u64) -> (usize, usize) {
        let dim = metric.to_inv_metric().dim();
        let options = NutsOptions { max_depth, max_energy_error: 1000.0 };
        let mut d_new = FnDensity::new(dim, funnel(dim));
        let mut d_old = FnDensity::new(dim, funnel(dim));
        let mut h_new = Hamiltonian::new(&mut d_new, metric.clone());
        let mut h_old = Hamiltonian::new(&mut d_old, metric);
        let mut r_new = ChainRng::new(seed, 0, 0);
        let mut r_old = ChainRng::new(seed, 0, 0);
        let mut z_new = Point::new(dim);
        z_new.q.iter_mut().enumerate().for_each(|(i, q)| *q = 0.3 * i as f64 - 0.5);
        h_new.evaluate(&mut z_new);
        let mut z_old = z_new.clone();
        h_old.evaluate(&mut z_old);
        let mut ws_new = TreeWorkspace::new(dim);
        let mut ws_old = tree_reference::TreeWorkspace::new(dim);
        let (mut divergent, mut max_depth_hit) = (0, 0);
        for it in 0..n {
            let s_new = transition(&mut h_new, &mut r_new, &mut ws_new, &mut z_new, step_size, options);
            let s_old = tree_reference::transition(
                &mut h_old,
                &mut r_old,
                &mut ws_old,
                &mut z_old,
                step_size,
                tree_reference::NutsOptions { max_depth, max_energy_error: 1000.0 },
            );
            let old = tree_reference_stats(&s_old);
            assert_eq!(stats_bits(&s_new), old, "statistics differ at transition {it}");
            for (a, b) in z_new.q.iter().zip(&z_old.q) {
                assert_eq!(a.to_bits(), b.to_bits(), "draws differ at transition {it}");
            }
            assert_eq!(z_new.logp.to_bits(), z_old.logp.to_bits());
            assert_eq!(h_new.n_evals, h_old.n_evals);
            divergent += s_new.divergent as usize;
            max_depth_hit += s_new.hit_max_depth as usize;
        }
        // The random streams were consumed identically.
        assert_eq!(r_new.uniform().to_bits(), r_old.uniform().to_bits());
        (divergent, max_depth_hit)
    }

    fn tree_reference_stats(s: &tree_reference::TransitionStats) -> [u64; 8] {
        [
            s.accept_stat.to_bits(),
            s.accept_stat_sym.to_bits(),
            s.step_size.to_bits(),
            s.depth as u64,
            s.n_leapfrog,
            s.divergent as u64,
            s.energy.to_bits(),
            s.hit_max_depth as u64,
        ]
    }

    #[test]
    fn leaf_probabilities_and_log_sum_exp_match_their_definitions() {
        for d in [-40.0, -3.5, -1e-9, 0.0, 1e-9, 0.7, 12.0, f64::NEG_INFINITY] {
            let (metro, sym) = acceptance_probs(d);
            let metro_def = if d > 0.0 { 1.0 } else { f64::exp(d) };
            let sym_def = 2.0 * metro_def / (1.0 + f64::exp(d));
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-15 * b.abs().max(1e-300) || a == b;
            assert!(close(metro, metro_def), "metro at {d}: {metro} vs {metro_def}");
            let sym_ok = if d.is_infinite() { sym == 0.0 } else { close(sym, sym_def) };
            assert!(sym_ok, "symmetric at {d}: {sym} vs {sym_def}");
        }
        for (a, b) in [(0.0, 0.0), (-1.0, 2.0), (3.0, -700.0), (-1e3, -1e3 - 1e-6)] {
            let want = f64::max(a, b) + (f64::exp(a - f64::max(a, b)) + f64::exp(b - f64::max(a, b))).ln();
            assert!((log_sum_exp(a, b) - want).abs() <= 1e-13 * want.abs().max(1.0), "{a}, {b}");
        }
        assert_eq!(log_sum_exp(f64::NEG_INFINITY, -2.0), -2.0);
        assert_eq!(log_sum_exp(-2.0, f64::NEG_INFINITY), -2.0);
        // The weights of the multinomial and progressive sampling.
        for (a, b) in [(0.0, 0.0), (-1.0, 2.0), (2.0, -1.0), (3.0, -700.0), (-700.0, 3.0), (-1e3, -1e3 - 1e-6)] {
            let w = weigh(a, b);
            let close = |x: f64, y: f64| (x - y).abs() <= 1e-14 * y.abs().max(1.0);
            assert!(close(w.log_sum, log_sum_exp(a, b)), "{a}, {b}: {w:?}");
            assert!(close(w.share, f64::exp(b - log_sum_exp(a, b))), "{a}, {b}: {w:?}");
            assert!(close(w.ratio, f64::exp(b - a).min(1.0)), "{a}, {b}: {w:?}");
        }
        let ninf = f64::NEG_INFINITY;
        assert_eq!(weigh(ninf, -2.0), Weighed { log_sum: -2.0, share: 1.0, ratio: 1.0 });
        assert_eq!(weigh(-2.0, ninf), Weighed { log_sum: -2.0, share: 0.0, ratio: 0.0 });
    }

    #[test]
    fn same_draws_as_copying_trajectory_diag() {
        let inv = InvMetric::Diag(vec![2.0, 0.5, 1.0, 1.5, 0.8, 1.2, 0.9]);
        let (div, _) = compare(inv.clone(), 0.2, 10, 400, 11);
        // Large steps: divergences (and failed evaluations) are compared too.
        let (div_big, _) = compare(inv.clone(), 1.2, 10, 300, 12);
        assert!(div_big > 0, "the large step size should diverge sometimes ({div} at 0.2)");
        // A low maximum depth: trajectories stopped at the limit.
        let (_, hit) = compare(inv, 0.05, 3, 200, 13);
        assert!(hit > 0, "depth 3 at a small step should be reached");
    }

    #[test]
    fn same_draws_as_copying_trajectory_dense() {
        let dim = 4;
        let mut values = vec![0.0; dim * dim];
        for i in 0..dim {
            for j in 0..dim {
                values[i * dim + j] = if i == j { 1.0 + 0.3 * i as f64 } else { 0.2 };
            }
        }
        compare(InvMetric::Dense { dim, values }, 0.3, 10, 300, 21);
    }

    #[test]
    fn same_draws_as_copying_trajectory_low_rank() {
        // 11 coordinates: two whole AVX registers and a tail of three.
        let dim = 11;
        let norm = |v: Vec<f64>| {
            let n = v.iter().map(|x| x * x).sum::<f64>().sqrt();
            v.into_iter().map(|x| x / n).collect::<Vec<f64>>()
        };
        let u0 = norm((0..dim).map(|i| 1.0 + 0.1 * i as f64).collect());
        // Orthogonal to u0: a difference of two of its coordinates' pattern.
        let mut u1: Vec<f64> = (0..dim).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect();
        let d: f64 = u1.iter().zip(&u0).map(|(a, b)| a * b).sum();
        u1.iter_mut().zip(&u0).for_each(|(a, b)| *a -= d * b);
        let u1 = norm(u1);
        let m = crate::adapt::LowRankInvMetric::new(
            (0..dim).map(|i| 0.8 + 0.05 * i as f64).collect(),
            u0.into_iter().chain(u1).collect(),
            vec![4.0, 0.3],
        );
        let metric = Metric::low_rank(m).expect("valid metric");
        assert!(matches!(metric, Metric::LowRank(_)));
        compare_metric(metric.clone(), 0.3, 10, 300, 31);
        let (div, _) = compare_metric(metric, 1.5, 10, 200, 32);
        assert!(div > 0, "the large step size should diverge sometimes");
    }

    #[test]
    fn warm_trajectory_does_not_grow_its_pool() {
        let dim = 5;
        let inv = Metric::new(&InvMetric::Diag(vec![1.0; dim])).expect("valid metric");
        let mut d = FnDensity::new(dim, funnel(dim));
        let mut h = Hamiltonian::new(&mut d, inv);
        let mut rng = ChainRng::new(5, 0, 0);
        let mut z = Point::new(dim);
        h.evaluate(&mut z);
        let mut ws = TreeWorkspace::new(dim);
        let options = NutsOptions { max_depth: 6, max_energy_error: 1000.0 };
        for _ in 0..200 {
            transition(&mut h, &mut rng, &mut ws, &mut z, 0.1, options);
        }
        // At most the holders alive at once: 8 at the top, 3 per level, and
        // the leaf being written and its successor's first half.
        assert!(ws.slots.points.len() <= 8 + 3 * 6 + 2, "{} slots", ws.slots.points.len());
        let (slots, vecs) = (ws.slots.points.len(), ws.vecs.len());
        for _ in 0..200 {
            transition(&mut h, &mut rng, &mut ws, &mut z, 0.1, options);
        }
        // Whole trees at depth 6 were built in the first 200: nothing new.
        assert_eq!((ws.slots.points.len(), ws.vecs.len()), (slots, vecs));
    }
}
