// Old array syntax with bounds, as many pre-2.33 programs write it.
data { int N; }
parameters {
  real<lower=0> sigma[N];
}
model { sigma ~ exponential(1); }
