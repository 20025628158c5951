// A diffusion model with Stan's five-argument `wiener`: drift varying
// across trials as normal(v, sv), per-condition mean drifts, one
// element per response time (vectorised), the lower boundary mirrored by
// 1 - w and -v.
// data: tests/stan_corpus/wiener_full.json (python3 make_wiener_full.py)
data {
  int<lower=1> Nu;
  vector<lower=0>[Nu] rt_u;
  int<lower=1> Nl;
  vector<lower=0>[Nl] rt_l;
}
parameters {
  real<lower=0.3> a;
  real<lower=0, upper=fmin(min(rt_u), min(rt_l))> t0;
  real<lower=0, upper=1> w;
  real v;
  real<lower=0> sv;
}
model {
  a ~ normal(1, 1);
  v ~ normal(0, 2);
  sv ~ normal(0, 1);
  rt_u ~ wiener(a, t0, w, v, sv);
  for (n in 1:Nl) {
    target += wiener_lupdf(rt_l[n] | a, t0, 1 - w, -v, sv);
  }
}
