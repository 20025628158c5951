// data: tests/stan_corpus/functions_lp_transformed_parameters.json
// `_lp` functions called in transformed parameters, as Stan allows: the
// non-centred effects of eight schools built by a function whose `~` adds
// their prior, and a void `_lp` function adding a `target +=` term and
// calling another `_lp` function. Generated quantities recompute them
// without a target.
functions {
  vector non_centered_lp(vector z, real mu, real tau) {
    z ~ std_normal();
    return mu + tau * z;
  }
  void half_normal_lp(real x, real s) {
    target += normal_lupdf(x | 0, s);
  }
  void scales_lp(real tau, real s) {
    half_normal_lp(tau, s);
    target += -log(s);
  }
}
data {
  int J;
  vector[J] y;
  vector<lower=0>[J] sigma;
}
parameters {
  real mu;
  real<lower=0> tau;
  vector[J] z;
}
transformed parameters {
  vector[J] theta = non_centered_lp(z, mu, tau);
  scales_lp(tau, 5);
}
model {
  mu ~ normal(0, 5);
  y ~ normal(theta, sigma);
}
generated quantities {
  real theta_max = max(theta);
}
