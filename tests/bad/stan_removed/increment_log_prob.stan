// `increment_log_prob(...)` was removed in Stan 2.33: `target += ...`.
parameters { real mu; }
model {
  increment_log_prob(normal_log(mu, 0, 1));
}
