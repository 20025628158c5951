// A logistic regression written with the probability inv_logit(a + b x),
// one term per observation, the outcome y_count > 2 (lowered as
// bernoulli_logit: lower/link_forms.rs; data of make_dist_data.py).
data { int N; vector[N] x; array[N] int y_count; }
parameters { real a; real b; }
model {
  a ~ normal(0, 2); b ~ normal(0, 2);
  for (n in 1:N) (y_count[n] > 2) ~ bernoulli(inv_logit(a + b * x[n]));
}
