// `if_else(c, a, b)` was removed in Stan 2.33: `c ? a : b`.
parameters { real mu; }
model {
  target += if_else(mu > 0, -mu, mu);
}
