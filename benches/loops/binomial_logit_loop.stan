// A binomial logistic regression, one term per observation, the trials
// taken as y_count + 5 (data of benches/loops/make_dist_data.py).
data { int N; vector[N] x; array[N] int y_count; }
parameters { real a; real b; }
model {
  a ~ normal(0, 2); b ~ normal(0, 2);
  for (n in 1:N) y_count[n] ~ binomial_logit(y_count[n] + 5, a + b * x[n]);
}
