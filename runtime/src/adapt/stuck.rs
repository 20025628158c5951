//! Early-warmup watch for a chain that cannot move from its random start.
//!
//! Some starts land where the log density is too rough for any usable step
//! size: an ODE whose solution collapses to 1e-8 under a tolerance of 1e-3
//! (posteriordb's Lotka-Volterra from about one random start in five)
//! gives a log density of -3,000 to -60,000 whose gradient changes over
//! 1e-6. Dual averaging then shrinks the step to 1e-6, every transition
//! runs to the maximum tree depth (1023 gradients) and moves the chain by
//! 1e-4: a 2,000-draw run would take hours and its chain would never leave.
//! Stan meets the same starts (its solver often fails there instead, and
//! the start is redrawn); the watch gives such a chain a new random start,
//! as a user restarting the run with another seed would.
//!
//! The signature is narrow on purpose: [`WINDOW`] consecutive transitions
//! at the maximum tree depth that together move no unconstrained
//! coordinate by [`MOVE`]. A chain in its typical set at the maximum depth
//! (an ill-conditioned posterior) moves its long directions by many times
//! its step; one still falling towards the typical set moves much more.
//! Only the first fifth of the warmup is watched, at most
//! [`MAX_RESTARTS`] times per chain, and only random starts (a start the
//! user gave is kept).

/// Consecutive transitions at the maximum tree depth that make a crawl.
pub const WINDOW: usize = 10;

/// A crawl moves no unconstrained coordinate by this much over [`WINDOW`]
/// transitions (0.25% of the random start's interval `(-2, 2)`).
pub const MOVE: f64 = 0.01;

/// Restarts allowed per chain.
pub const MAX_RESTARTS: usize = 4;

/// Watches the transitions of one chain's early warmup.
#[derive(Clone, Debug)]
pub struct StuckWatch {
    watch_until: usize,
    restarts: usize,
    at_max_depth: usize,
    anchor: Vec<f64>,
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
        }
    }

    /// Restarts made so far.
    pub fn restarts(&self) -> usize {
        self.restarts
    }

    /// Records warmup transition `draw` (0-based), which ended at `q` and
    /// hit the maximum tree depth or not. True when the chain should start
    /// again from a new random point; the watch then counts the restart.
    pub fn crawled(&mut self, draw: usize, q: &[f64], hit_max_depth: bool) -> bool {
        if draw >= self.watch_until || self.restarts >= MAX_RESTARTS {
            return false;
        }
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
        if self.at_max_depth > WINDOW {
            self.at_max_depth = 0;
            self.restarts += 1;
            return true;
        }
        false
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
            if w.crawled(i, &q, true) {
                fired.push(i);
            }
        }
        assert_eq!(fired, vec![WINDOW]);
        assert_eq!(w.restarts(), 1);
    }

    #[test]
    fn moving_or_shallow_transitions_are_not_a_crawl() {
        let mut w = StuckWatch::new(1, 1000, true);
        // Max depth but moving 0.02 per transition: an ill-conditioned chain.
        for i in 0..50 {
            assert!(!w.crawled(i, &[0.02 * i as f64], true));
        }
        // Not moving, but one shallow transition in every WINDOW breaks it.
        for i in 50..150 {
            assert!(!w.crawled(i, &[1.0], (i + 1) % WINDOW != 0));
        }
        assert_eq!(w.restarts(), 0);
    }

    #[test]
    fn only_early_warmup_random_starts_and_a_few_times() {
        let crawl = |w: &mut StuckWatch, from: usize| (from..from + 3 * WINDOW).filter(|&i| w.crawled(i, &[0.0], true)).count();
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
}
