//! Early-warmup watch for a chain that cannot move from its random start.
//!
//! Two kinds of start trap a chain, and Stan meets both (its solver often
//! fails at the first, and the start is redrawn); the watch gives such a
//! chain a new random start, as a user restarting the run with another
//! seed would.
//!
//! - **A crawl** ([`Stuck::Crawl`]). Some starts land where the log
//!   density is too rough for any usable step size: an ODE whose solution
//!   collapses to 1e-8 under a tolerance of 1e-3 (posteriordb's
//!   Lotka-Volterra from about one random start in five) gives a log
//!   density of -3,000 to -60,000 whose gradient changes over 1e-6. Dual
//!   averaging then shrinks the step to 1e-6, every transition runs to the
//!   maximum tree depth (1023 gradients) and moves the chain by 1e-4: a
//!   2,000-draw run would take hours and its chain would never leave. The
//!   signature: [`WINDOW`] consecutive transitions at the maximum tree
//!   depth that together move no unconstrained coordinate by [`MOVE`]. A
//!   chain in its typical set at the maximum depth (an ill-conditioned
//!   posterior) moves its long directions by many times its step; one
//!   still falling towards the typical set moves much more.
//! - **A frozen start** ([`Stuck::Frozen`]). Some starts make the model
//!   explode: a linear ODE whose random rates give a positive eigenvalue
//!   (posteriordb's soil_incubation, about one random start in 36) grows
//!   like `e^(2 t)` to 1e50 at `t = 50`, a log density of -1e101 whose
//!   gradient is larger still. Every first leapfrog step diverges, dual
//!   averaging divides the step size by about 15 per transition, and after
//!   a dozen transitions no step can move the chain at all: the step size
//!   ends near 1e-67 and every draw of the run is the start. The
//!   signature: [`WINDOW`] consecutive transitions (at any depth) that
//!   move no unconstrained coordinate by [`FROZEN`] of its size (at least
//!   1). A chain that moves at all, however slowly, is not frozen.
//!
//! Only the first fifth of the warmup is watched, at most
//! [`MAX_RESTARTS`] times per chain, and only random starts (a start the
//! user gave is kept).

/// Consecutive transitions at the maximum tree depth that make a crawl.
pub const WINDOW: usize = 10;

/// A crawl moves no unconstrained coordinate by this much over [`WINDOW`]
/// transitions (0.25% of the random start's interval `(-2, 2)`).
pub const MOVE: f64 = 0.01;

/// A frozen chain moves no unconstrained coordinate `x` by this much of
/// `max(|x|, 1)` over [`WINDOW`] transitions: far below any step a chain
/// can move with (a step of 1e-9 in a coordinate of scale 1 would take a
/// billion leapfrog steps to cross it).
pub const FROZEN: f64 = 1e-9;

/// Restarts allowed per chain.
pub const MAX_RESTARTS: usize = 4;

/// Why a chain is given a new start (see the module's documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stuck {
    /// [`WINDOW`] transitions at the maximum tree depth moved no
    /// coordinate by [`MOVE`].
    Crawl,
    /// [`WINDOW`] transitions moved no coordinate by [`FROZEN`] of its size.
    Frozen,
}

/// Watches the transitions of one chain's early warmup.
#[derive(Clone, Debug)]
pub struct StuckWatch {
    watch_until: usize,
    restarts: usize,
    at_max_depth: usize,
    anchor: Vec<f64>,
    still: usize,
    still_anchor: Vec<f64>,
}

impl StuckWatch {
    /// The watch for a warmup of `num_warmup` draws in `dim` dimensions;
    /// `enabled` is false for starts the user gave.
    pub fn new(dim: usize, num_warmup: usize, enabled: bool) -> Self {
        StuckWatch {
            watch_until: if enabled { num_warmup / 5 } else { 0 },
            restarts: 0,
            at_max_depth: 0,
            anchor: vec![0.0; dim],
            still: 0,
            still_anchor: vec![0.0; dim],
        }
    }

    /// Restarts made so far.
    pub fn restarts(&self) -> usize {
        self.restarts
    }

    /// Records warmup transition `draw` (0-based), which ended at `q` and
    /// hit the maximum tree depth or not. Some when the chain should start
    /// again from a new random point, saying why; the watch then counts
    /// the restart.
    pub fn check(&mut self, draw: usize, q: &[f64], hit_max_depth: bool) -> Option<Stuck> {
        if draw >= self.watch_until || self.restarts >= MAX_RESTARTS {
            return None;
        }
        let stuck = if self.frozen(q) {
            Some(Stuck::Frozen)
        } else if self.crawled(q, hit_max_depth) {
            Some(Stuck::Crawl)
        } else {
            None
        };
        if stuck.is_some() {
            (self.at_max_depth, self.still) = (0, 0);
            self.restarts += 1;
        }
        stuck
    }

    /// Counts a transition towards a crawl; true when it completes one.
    fn crawled(&mut self, q: &[f64], hit_max_depth: bool) -> bool {
        if !hit_max_depth {
            self.at_max_depth = 0;
            return false;
        }
        if self.at_max_depth == 0 {
            self.anchor.copy_from_slice(q);
        }
        self.at_max_depth += 1;
        let moved = q.iter().zip(&self.anchor).any(|(a, b)| (a - b).abs() >= MOVE);
        if moved {
            // The window starts again from here.
            self.anchor.copy_from_slice(q);
            self.at_max_depth = 1;
            return false;
        }
        self.at_max_depth > WINDOW
    }

    /// Counts a transition towards a frozen start; true when it completes one.
    fn frozen(&mut self, q: &[f64]) -> bool {
        if self.still == 0 {
            self.still_anchor.copy_from_slice(q);
        }
        self.still += 1;
        let moved = q.iter().zip(&self.still_anchor).any(|(a, b)| (a - b).abs() >= FROZEN * b.abs().max(1.0));
        if moved {
            self.still_anchor.copy_from_slice(q);
            self.still = 1;
            return false;
        }
        self.still > WINDOW
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crawl_at_max_depth_restarts_after_the_window() {
        let mut w = StuckWatch::new(2, 1000, true);
        // The first max-depth transition anchors the window; WINDOW more
        // that do not move make the crawl.
        let mut q = [0.3, -1.2];
        let mut fired = Vec::new();
        for i in 0..=WINDOW {
            q[0] += 1e-4;
            if let Some(why) = w.check(i, &q, true) {
                fired.push((i, why));
            }
        }
        assert_eq!(fired, vec![(WINDOW, Stuck::Crawl)]);
        assert_eq!(w.restarts(), 1);
    }

    #[test]
    fn moving_or_shallow_transitions_are_not_a_crawl() {
        let mut w = StuckWatch::new(1, 1000, true);
        // Max depth but moving 0.02 per transition: an ill-conditioned chain.
        for i in 0..50 {
            assert_eq!(w.check(i, &[0.02 * i as f64], true), None);
        }
        // Moving 1e-6 per transition (no crawl, and not frozen), and one
        // shallow transition in every WINDOW breaks the crawl.
        for i in 50..150 {
            assert_eq!(w.check(i, &[1.0 + 1e-6 * i as f64], (i + 1) % WINDOW != 0), None);
        }
        assert_eq!(w.restarts(), 0);
    }

    #[test]
    fn only_early_warmup_random_starts_and_a_few_times() {
        let crawl = |w: &mut StuckWatch, from: usize| (from..from + 3 * WINDOW).filter(|&i| w.check(i, &[0.0], true).is_some()).count();
        // Past the first fifth of the warmup: never.
        let mut late = StuckWatch::new(1, 100, true);
        assert_eq!(crawl(&mut late, 20), 0);
        // A start the user gave: never.
        let mut given = StuckWatch::new(1, 1000, false);
        assert_eq!(crawl(&mut given, 0), 0);
        // At most MAX_RESTARTS in all.
        let mut w = StuckWatch::new(1, 10_000, true);
        let total: usize = (0..10).map(|k| crawl(&mut w, k * 3 * WINDOW)).sum();
        assert_eq!(total, MAX_RESTARTS);
    }

    #[test]
    fn a_start_that_never_moves_is_frozen_at_any_depth() {
        // Every transition ends where it began (its first step diverged):
        // after the anchoring one, WINDOW more make a frozen start.
        let mut w = StuckWatch::new(2, 1000, true);
        let fired: Vec<_> = (0..3 * WINDOW).filter_map(|i| w.check(i, &[3.5, -40.0], i % 3 == 0).map(|why| (i, why))).collect();
        assert_eq!(fired[0], (WINDOW, Stuck::Frozen));
        // The watch starts afresh after a restart.
        assert_eq!(fired[1], (2 * WINDOW + 1, Stuck::Frozen));
        // Moves far below a step but above FROZEN of the coordinate's
        // size are not frozen, on a coordinate of size 1e3 as on one of 1.
        let mut w = StuckWatch::new(2, 1000, true);
        for i in 0..100 {
            let k = i as f64;
            assert_eq!(w.check(i, &[1e3 + 2e-6 * k, 0.5], false), None);
        }
        let mut w = StuckWatch::new(1, 1000, true);
        for i in 0..100 {
            assert_eq!(w.check(i, &[1e-3 + 2e-9 * i as f64], false), None);
        }
        // ...while 5e-8 a transition on a coordinate of size 1e3 is frozen.
        let mut w = StuckWatch::new(1, 1000, true);
        let first = (0..100).find(|&i| w.check(i, &[1e3 + 5e-8 * i as f64], false).is_some());
        assert_eq!(first, Some(WINDOW));
    }
}
