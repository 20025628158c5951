//! Stan's windowed adaptation schedule (`windowed_adaptation.hpp`): a fast
//! initial buffer (75 iterations), slow windows for the metric that double
//! in length from 25, and a fast terminal buffer (50), with Stan's fallback
//! to 15%/75%/10% when the warmup is too short for that.

/// Settings of the windowed schedule (CmdStan's `init_buffer`,
/// `term_buffer`, `window`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScheduleSettings {
    /// Width of the initial fast adaptation interval (75).
    pub init_buffer: usize,
    /// Width of the final fast adaptation interval (50).
    pub term_buffer: usize,
    /// Initial width of the slow adaptation windows (25).
    pub window: usize,
}

impl Default for ScheduleSettings {
    fn default() -> Self {
        ScheduleSettings { init_buffer: 75, term_buffer: 50, window: 25 }
    }
}

/// The windowed schedule; call [`Schedule::step`] once per warmup iteration.
#[derive(Clone, Debug)]
pub struct Schedule {
    num_warmup: usize,
    init_buffer: usize,
    term_buffer: usize,
    base_window: usize,
    window_counter: usize,
    window_size: usize,
    next_window: usize,
    /// Whether metric adaptation happens at all.
    enabled: bool,
    /// Messages Stan would print about the schedule (short warmup).
    pub notes: Vec<String>,
}

/// What to do after the current warmup iteration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScheduleStep {
    /// Add the current draw to the metric estimator.
    pub collect: bool,
    /// The window ends here: update the metric from the estimator.
    pub end_window: bool,
}

impl Schedule {
    /// The schedule for `num_warmup` iterations (Stan's `set_window_params`
    /// followed by `restart`).
    pub fn new(num_warmup: usize, settings: ScheduleSettings) -> Self {
        let mut notes = Vec::new();
        let mut s = Schedule {
            num_warmup,
            init_buffer: settings.init_buffer,
            term_buffer: settings.term_buffer,
            base_window: settings.window,
            window_counter: 0,
            window_size: 0,
            next_window: 0,
            enabled: true,
            notes: Vec::new(),
        };
        if num_warmup < 20 {
            notes.push("No metric estimation is performed for num_warmup < 20".to_string());
            s.enabled = false;
        } else if settings.init_buffer + settings.window + settings.term_buffer > num_warmup {
            notes.push(
                "There aren't enough warmup iterations to fit the three stages of adaptation \
                 as currently configured; reducing each adaptation stage to 15%/75%/10% of \
                 the given number of warmup iterations."
                    .to_string(),
            );
            s.init_buffer = (0.15 * num_warmup as f64) as usize;
            s.term_buffer = (0.1 * num_warmup as f64) as usize;
            s.base_window = num_warmup - (s.init_buffer + s.term_buffer);
        }
        s.notes = notes;
        s.window_size = s.base_window;
        s.next_window = (s.init_buffer + s.window_size).saturating_sub(1);
        s
    }

    fn in_window(&self) -> bool {
        self.enabled
            && self.window_counter >= self.init_buffer
            && self.window_counter + self.term_buffer < self.num_warmup
            && self.window_counter != self.num_warmup
    }

    fn at_window_end(&self) -> bool {
        self.enabled && self.window_counter == self.next_window && self.window_counter != self.num_warmup
    }

    fn compute_next_window(&mut self) {
        let last = self.num_warmup.saturating_sub(self.term_buffer + 1);
        if self.next_window == last {
            return;
        }
        self.window_size *= 2;
        self.next_window = self.window_counter + self.window_size;
        if self.next_window != last {
            let next_boundary = self.next_window + 2 * self.window_size;
            if next_boundary >= self.num_warmup - self.term_buffer {
                self.next_window = last;
            }
        }
    }

    /// Advances by one warmup iteration (Stan's `learn_variance` logic):
    /// says whether the iteration's draw goes into the estimator and whether
    /// a window ends with it.
    pub fn step(&mut self) -> ScheduleStep {
        let collect = self.in_window();
        let end_window = self.at_window_end();
        if end_window {
            self.compute_next_window();
        }
        self.window_counter += 1;
        ScheduleStep { collect, end_window }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window_ends(num_warmup: usize) -> (Vec<usize>, Vec<usize>) {
        let mut s = Schedule::new(num_warmup, ScheduleSettings::default());
        let mut ends = Vec::new();
        let mut collected = Vec::new();
        for i in 0..num_warmup {
            let st = s.step();
            if st.collect {
                collected.push(i);
            }
            if st.end_window {
                ends.push(i);
            }
        }
        (ends, collected)
    }

    #[test]
    fn stan_default_windows_for_1000_warmup() {
        // Stan: 75 fast, slow windows 25, 50, 100, 200, 500, 50 fast.
        let (ends, collected) = window_ends(1000);
        assert_eq!(ends, vec![99, 149, 249, 449, 949]);
        assert_eq!(collected.first(), Some(&75));
        assert_eq!(collected.last(), Some(&949));
        assert_eq!(collected.len(), 875);
    }

    #[test]
    fn short_warmup_uses_proportions() {
        // 100 < 75 + 25 + 50: init 15, term 10, window 75 -> one window ending at 89.
        let (ends, collected) = window_ends(100);
        assert_eq!(ends, vec![89]);
        assert_eq!(collected.first(), Some(&15));
        let (ends, _) = window_ends(10);
        assert!(ends.is_empty());
    }
}
