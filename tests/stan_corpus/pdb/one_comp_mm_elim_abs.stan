// data: tests/stan_corpus/pdb/pk.json
data {
  int<lower=1> N_t;
  array[N_t] real times;
  real<lower=0> D;
  real<lower=0> V;
  vector<lower=0>[N_t] C_hat;
}
parameters {
  real<lower=0> k_a;
  real<lower=0> k_e;
  real<lower=0> sigma;
}
transformed parameters {
  vector[N_t] C;
  for (n in 1:N_t)
    C[n] = D / V * k_a / (k_a - k_e) * (exp(-k_e * times[n]) - exp(-k_a * times[n]));
}
model {
  k_a ~ lognormal(0, 0.5);
  k_e ~ lognormal(-1.5, 0.5);
  sigma ~ cauchy(0, 1);
  C_hat ~ lognormal(log(C), sigma);
}
