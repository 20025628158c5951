// data: tests/stan_corpus/functions_return_series.json
// Early `return`s whose values depend on parameters (issue 13): where a
// linear predictor on a grid first reaches a threshold (a `return` inside
// a loop, interpolated between grid points, so continuous), a series
// summed in a `while (1)` loop until its terms are negligible, returning
// from inside it, and a void `_lp` function left by `return;` from inside
// its loop. tests/e2e/early_returns.rs compares the log density and gradient
// with functions_return_series_closed.stan: the crossing is
// (t - alpha) / beta clamped to the grid, the series is cosh(x), and the
// void function adds the first m terms.
functions {
  real crossing(vector grid, real alpha, real beta, real t) {
    int n = rows(grid);
    vector[n] v = alpha + beta * grid;
    if (v[1] >= t) return grid[1];
    for (i in 2:n) {
      if (v[i] >= t) {
        real w = (t - v[i - 1]) / (v[i] - v[i - 1]);
        return grid[i - 1] + w * (grid[i] - grid[i - 1]);
      }
    }
    return grid[n];
  }
  real cosh_series(real x) {
    real term = 1;
    real total = 1;
    int k = 0;
    while (1) {
      k += 1;
      term *= square(x) / ((2 * k - 1) * (2 * k));
      total += term;
      if (term < 1e-17 * total) return total;
    }
    return total;
  }
  void first_terms_lp(vector v, int m) {
    for (i in 1:rows(v)) {
      if (i > m) return;
      v[i] ~ normal(0, 1);
    }
  }
}
data {
  int N;
  vector[N] grid;
  real t;
  int m;
}
transformed data {
  real cross_data = crossing(grid, 0.1, 2, t);
}
parameters {
  real alpha;
  real<lower=0> beta;
  real x;
  vector[4] u;
}
transformed parameters {
  real cross = crossing(grid, alpha, beta, t);
  real ch = cosh_series(x);
}
model {
  alpha ~ normal(0, 1);
  beta ~ lognormal(0, 0.5);
  x ~ normal(0, 1);
  target += normal_lpdf(cross | 0.2, 0.7) - 0.3 * ch + cross_data;
  u ~ normal(0, 3);
  first_terms_lp(u, m);
}
generated quantities {
  real ch_data = cosh_series(1.3);
}
