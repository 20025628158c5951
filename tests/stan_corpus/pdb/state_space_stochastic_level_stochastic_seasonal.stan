// data: tests/stan_corpus/pdb/uk_drivers.json
data {
  int<lower=1> n;
  vector[n] y;
  vector[n] x;
  vector[n] w;
}
transformed data {
  int s = 12;
}
parameters {
  vector[n] mu;
  vector[n] seasonal;
  real beta;
  real lambda;
  vector<lower=0>[3] sigma;
}
transformed parameters {
  vector[n] yhat;
  yhat = mu + beta * x + lambda * w;
}
model {
  for (t in s:n)
    seasonal[t] ~ normal(-sum(seasonal[t-s+1:t-1]), sigma[1]);
  for (t in 2:n)
    mu[t] ~ normal(mu[t-1], sigma[2]);
  y ~ normal(yhat + seasonal, sigma[3]);
  sigma ~ student_t(4, 0, 1);
}
