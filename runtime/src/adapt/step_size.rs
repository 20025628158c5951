//! Dual-averaging step-size adaptation (Hoffman and Gelman, 2014), with
//! Stan's parameterisation and defaults (`stepsize_adaptation.hpp`).

/// Settings of dual averaging.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DualAveragingSettings {
    /// Target mean acceptance statistic (`adapt delta`, 0.8).
    pub delta: f64,
    /// Regularisation scale (`gamma`, 0.05).
    pub gamma: f64,
    /// Relaxation exponent (`kappa`, 0.75).
    pub kappa: f64,
    /// Adaptation iteration offset (`t0`, 10).
    pub t0: f64,
}

impl Default for DualAveragingSettings {
    fn default() -> Self {
        DualAveragingSettings { delta: 0.8, gamma: 0.05, kappa: 0.75, t0: 10.0 }
    }
}

/// State of the dual-averaging step-size adaptation.
#[derive(Clone, Debug)]
pub struct DualAveraging {
    settings: DualAveragingSettings,
    mu: f64,
    counter: f64,
    s_bar: f64,
    x_bar: f64,
}

impl DualAveraging {
    /// New adaptation shrinking toward `mu` (Stan sets `mu = log(10 * eps)`).
    pub fn new(settings: DualAveragingSettings, mu: f64) -> Self {
        DualAveraging { settings, mu, counter: 0.0, s_bar: 0.0, x_bar: 0.0 }
    }

    /// Sets the shrinkage point `mu`.
    pub fn set_mu(&mut self, mu: f64) {
        self.mu = mu;
    }

    /// Forgets the history (Stan's `restart`), keeping `mu`.
    pub fn restart(&mut self) {
        self.counter = 0.0;
        self.s_bar = 0.0;
        self.x_bar = 0.0;
    }

    /// Updates with the acceptance statistic of the last transition and
    /// returns the next step size (Stan's `learn_stepsize`). A NaN
    /// statistic counts as 0 (a total rejection).
    pub fn learn(&mut self, accept_stat: f64) -> f64 {
        let s = &self.settings;
        self.counter += 1.0;
        let a = if accept_stat.is_nan() { 0.0 } else { accept_stat.min(1.0) };
        let eta = 1.0 / (self.counter + s.t0);
        self.s_bar = (1.0 - eta) * self.s_bar + eta * (s.delta - a);
        let x = self.mu - self.s_bar * self.counter.sqrt() / s.gamma;
        let x_eta = self.counter.powf(-s.kappa);
        self.x_bar = (1.0 - x_eta) * self.x_bar + x_eta * x;
        x.exp()
    }

    /// The final step size, `exp(x_bar)` (Stan's `complete_adaptation`).
    pub fn final_step_size(&self) -> f64 {
        self.x_bar.exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converges_to_target_acceptance() {
        // Synthetic acceptance curve: accept = exp(-eps); target 0.8 is
        // reached at eps = -ln 0.8 = 0.2231. Dual averaging approaches it
        // slowly (x_bar averages iterates with weights t^-0.75), so check
        // that the error shrinks with more iterations and ends within 2%.
        let target = -(0.8f64).ln();
        let run = |n: usize| {
            let mut da = DualAveraging::new(DualAveragingSettings::default(), (10.0f64).ln());
            let mut eps: f64 = 1.0;
            for _ in 0..n {
                eps = da.learn((-eps).exp());
            }
            ((da.final_step_size() - target).abs() / target, (eps - target).abs() / target)
        };
        let (err_short, _) = run(500);
        let (err_long, err_iterate) = run(8000);
        assert!(err_long < err_short, "{err_long} vs {err_short}");
        assert!(err_long < 0.02, "{err_long}");
        assert!(err_iterate < 0.05, "{err_iterate}");
    }

    #[test]
    fn first_step_matches_stan_formula() {
        // counter=1: eta=1/11, s_bar=(0.8-1)/11, x=mu - s_bar/0.05.
        let mut da = DualAveraging::new(DualAveragingSettings::default(), 0.0);
        let eps = da.learn(1.0);
        let s_bar: f64 = -0.2 / 11.0;
        assert!((eps - (-s_bar / 0.05).exp()).abs() < 1e-12);
        assert!((da.final_step_size() - (-s_bar / 0.05).exp()).abs() < 1e-12);
    }
}
