// categorical_logit_loop.stan written with the probabilities softmax(.)
// (lowered as categorical_logit: lower/link_forms.rs; data of
// make_dist_data.py).
data { int N; vector[N] x; array[N] int y_choice; }
parameters { vector[4] a; vector[4] b; }
model {
  a ~ normal(0, 1);
  b ~ normal(0, 1);
  for (n in 1:N) y_choice[n] ~ categorical(softmax(a + b * x[n]));
}
