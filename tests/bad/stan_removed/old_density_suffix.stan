// `normal_log` (the `_log` suffix) was removed in Stan 2.33: `normal_lpdf(y | ...)`.
parameters { real mu; }
model {
  target += normal_log(mu, 0, 1);
}
