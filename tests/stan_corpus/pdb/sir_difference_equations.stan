// data: tests/stan_corpus/pdb/counts.json
// A discrete-time SIR model (difference equations, no ODE solver): the
// state is carried from one day to the next in local vectors.
data {
  int<lower=1> N;
  array[N] int<lower=0> y;
}
transformed data {
  real pop = 1000;
}
parameters {
  real<lower=0, upper=2> beta;
  real<lower=0, upper=1> gamma;
  real<lower=0> phi_inv;
}
transformed parameters {
  vector<lower=0>[N] incidence;
  {
    vector[N + 1] S;
    vector[N + 1] I;
    S[1] = pop - 5;
    I[1] = 5;
    for (t in 1:N) {
      real new_inf = beta * S[t] * I[t] / pop;
      real new_rec = gamma * I[t];
      S[t + 1] = S[t] - new_inf;
      I[t + 1] = I[t] + new_inf - new_rec;
      incidence[t] = new_inf + 1e-6;
    }
  }
}
model {
  beta ~ lognormal(-1, 0.5);
  gamma ~ beta(2, 8);
  phi_inv ~ exponential(5);
  y ~ neg_binomial_2(incidence, inv(phi_inv));
}
generated quantities {
  real R0 = beta / gamma;
  array[N] int y_rep = neg_binomial_2_rng(incidence, inv(phi_inv));
}
