// `get_lp()` was removed in Stan 2.33: `target()`.
parameters { real mu; }
model {
  mu ~ normal(0, 1);
  print(get_lp());
}
