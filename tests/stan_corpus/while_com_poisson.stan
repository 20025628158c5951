// data: tests/stan_corpus/while_com_poisson.json
// Conway-Maxwell-Poisson counts: each observation's normalising constant
// log Z(lambda, nu) = log sum_j lambda^j / (j!)^nu is a series summed in
// a `while` loop nested in the loop over observations (lambda differs by
// group), on the log scale, until the terms are negligible. (With lambda
// at most e^2 and nu at least 0.5, the terms fall from j = 55 on: the loop
// ends; unbounded, a sampler exploring lambda = e^20 would not.)
data { int N; int G; array[N] int<lower=1, upper=G> g; array[N] int<lower=0> y; }
parameters { vector<upper=2>[G] log_lambda; real<lower=0.5, upper=2> nu; }
model {
  log_lambda ~ normal(1, 1);
  nu ~ normal(1, 0.5);
  for (n in 1:N) {
    real log_term = 0;
    real log_z = 0;
    int j = 0;
    while (log_term - log_z > -40 || j < 3) {
      j += 1;
      log_term += log_lambda[g[n]] - nu * log(j);
      log_z = log_sum_exp(log_z, log_term);
    }
    target += y[n] * log_lambda[g[n]] - nu * lgamma(y[n] + 1) - log_z;
  }
}
