// A diffusion model with Stan's seven-argument `wiener`: inter-trial
// variability of the drift (sv), of the relative start point (sw, which
// must keep w +- sw/2 inside (0, 1)) and of the non-decision time (st0,
// kept below the fastest response here). Upper-boundary responses in
// rt_u; lower-boundary ones mirrored, as in Stan, by 1 - w and -v.
// data: tests/stan_corpus/wiener_full.json (python3 make_wiener_full.py)
data {
  int<lower=1> Nu;
  vector<lower=0>[Nu] rt_u;
  int<lower=1> Nl;
  vector<lower=0>[Nl] rt_l;
}
transformed data {
  real rt_min = fmin(min(rt_u), min(rt_l));
}
parameters {
  real<lower=0.3> a;
  real<lower=0, upper=rt_min> t0;
  real<lower=0.2, upper=0.8> w;
  real v;
  real<lower=0> sv;
  real<lower=0, upper=2 * fmin(w, 1 - w)> sw;
  real<lower=0, upper=rt_min - t0> st0;
}
model {
  a ~ normal(1, 1);
  t0 ~ normal(0.2, 0.2);
  v ~ normal(0, 2);
  sv ~ normal(0, 1);
  rt_u ~ wiener(a, t0, w, v, sv, sw, st0);
  target += wiener_lpdf(rt_l | a, t0, 1 - w, -v, sv, sw, st0);
}
