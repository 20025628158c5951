//! Online estimators of the posterior variance (diagonal metric) and
//! covariance (dense metric) over a slow adaptation window, with Stan's
//! regularisation toward a small multiple of the identity:
//! `(n / (n + 5)) * var + 1e-3 * (5 / (n + 5))`.

use crate::nuts::hamiltonian::{InvMetric, MetricKind};

/// Welford estimator of the variance or covariance of the draws in a window.
#[derive(Clone, Debug)]
pub struct MetricEstimator {
    kind: MetricKind,
    dim: usize,
    n: usize,
    mean: Vec<f64>,
    /// Sum of squared deviations: `dim` values (diag) or `dim*dim` (dense).
    m2: Vec<f64>,
    delta: Vec<f64>,
}

impl MetricEstimator {
    /// An empty estimator.
    pub fn new(kind: MetricKind, dim: usize) -> Self {
        let m2_len = match kind {
            MetricKind::Diag => dim,
            MetricKind::Dense => dim * dim,
        };
        MetricEstimator { kind, dim, n: 0, mean: vec![0.0; dim], m2: vec![0.0; m2_len], delta: vec![0.0; dim] }
    }

    /// Number of draws added since the last restart.
    pub fn num_samples(&self) -> usize {
        self.n
    }

    /// Forgets all draws.
    pub fn restart(&mut self) {
        self.n = 0;
        self.mean.iter_mut().for_each(|x| *x = 0.0);
        self.m2.iter_mut().for_each(|x| *x = 0.0);
    }

    /// Adds one draw.
    #[allow(clippy::needless_range_loop)] // parallel indexing of several arrays
    pub fn add(&mut self, q: &[f64]) {
        self.n += 1;
        let n = self.n as f64;
        for i in 0..self.dim {
            self.delta[i] = q[i] - self.mean[i];
            self.mean[i] += self.delta[i] / n;
        }
        match self.kind {
            MetricKind::Diag => {
                for i in 0..self.dim {
                    self.m2[i] += self.delta[i] * (q[i] - self.mean[i]);
                }
            }
            MetricKind::Dense => {
                let d = self.dim;
                for i in 0..d {
                    let di = self.delta[i];
                    for j in 0..d {
                        self.m2[i * d + j] += di * (q[j] - self.mean[j]);
                    }
                }
            }
        }
    }

    /// The regularised inverse metric from the draws so far, as Stan computes
    /// it at the end of a window; `None` if fewer than two draws or a
    /// non-finite value.
    pub fn regularized(&self) -> Option<InvMetric> {
        if self.n < 2 {
            return None;
        }
        let n = self.n as f64;
        let w = n / (n + 5.0);
        let reg = 1e-3 * (5.0 / (n + 5.0));
        let result = match self.kind {
            MetricKind::Diag => {
                InvMetric::Diag(self.m2.iter().map(|m| w * (m / (n - 1.0)) + reg).collect())
            }
            MetricKind::Dense => {
                let d = self.dim;
                let mut values = vec![0.0; d * d];
                for i in 0..d {
                    for j in 0..d {
                        // Symmetrise against rounding in the Welford updates.
                        let c = 0.5 * (self.m2[i * d + j] + self.m2[j * d + i]) / (n - 1.0);
                        values[i * d + j] = w * c + if i == j { reg } else { 0.0 };
                    }
                }
                InvMetric::Dense { dim: d, values }
            }
        };
        let finite = match &result {
            InvMetric::Diag(v) => v.iter().all(|x| x.is_finite()),
            InvMetric::Dense { values, .. } => values.iter().all(|x| x.is_finite()),
        };
        finite.then_some(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regularized_variance_matches_stan_formula() {
        let mut e = MetricEstimator::new(MetricKind::Diag, 2);
        let xs = [[1.0, 2.0], [2.0, 4.0], [4.0, 8.0], [7.0, 1.0]];
        for x in &xs {
            e.add(x);
        }
        let var0 = {
            let m = (1.0 + 2.0 + 4.0 + 7.0) / 4.0;
            xs.iter().map(|x| (x[0] - m) * (x[0] - m)).sum::<f64>() / 3.0
        };
        let Some(InvMetric::Diag(v)) = e.regularized() else { panic!("expected a diagonal metric") };
        let expect = 4.0 / 9.0 * var0 + 1e-3 * 5.0 / 9.0;
        assert!((v[0] - expect).abs() < 1e-12);

        let mut d = MetricEstimator::new(MetricKind::Dense, 2);
        for x in &xs {
            d.add(x);
        }
        let Some(InvMetric::Dense { values, .. }) = d.regularized() else { panic!("expected dense") };
        assert!((values[0] - expect).abs() < 1e-12);
        assert_eq!(values[1], values[2]);
    }
}
