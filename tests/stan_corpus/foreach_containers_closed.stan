// data: tests/stan_corpus/foreach_containers.json
// foreach_containers.stan with each foreach loop written over indices.
data {
  int N;
  int K;
  int J;
  array[N] vector[K] x;
  array[N, K] real ys;
  array[J] matrix[2, 2] Ms;
  array[2, 3] int counts;
}
transformed data {
  real total = 0;
  int count_sum = 0;
  for (n in 1:N) {
    total += sum(ys[n]);
  }
  for (i in 1:2) {
    for (k in 1:3) {
      count_sum += counts[i, k];
    }
  }
}
parameters {
  vector[K] mu;
  real<lower=0> sigma;
  array[J] vector[K] theta;
  real<lower=0> tau;
}
transformed parameters {
  real theta_sum = 0;
  array[J] vector[K] theta_sq;
  for (j in 1:J) {
    theta_sq[j] = square(theta[j]);
  }
  for (j in 1:J) {
    theta_sum += sum(theta[j]);
  }
  array[3] vector[K] ws = {mu, 2 * mu, 12 * mu};
  real acc = (1 + 4 + 36) * sum(mu) * mu[1];
}
model {
  mu ~ normal(0, 1);
  sigma ~ lognormal(0, 0.5);
  tau ~ lognormal(0, 0.5);
  for (n in 1:N) {
    target += normal_lpdf(x[n] | mu, sigma);
  }
  for (j in 1:J) {
    theta[j] ~ normal(mu, tau);
  }
  for (j in 1:J) {
    target += -0.05 * (Ms[j, 1, 1] + Ms[j, 2, 2]) * sigma + 0.01 * Ms[j, 1, 2] * mu[1];
  }
  for (n in 2:N) {
    target += -0.01 * dot_self(x[n] - mu);
  }
  for (j in 1:J) {
    target += -0.02 * (theta[j, K] + 0.5) * (theta[j, 1] + 0.5);
  }
  target += -0.01 * (sum(mu) + 2 * sum(mu));
  for (j in 1:J) {
    target += -0.01 * dot_self(theta[j]);
  }
  for (n in 1:N) {
    for (k in 1:K) {
      target += -0.001 * ys[n, k] * sigma;
    }
  }
  target += -0.001 * (total + count_sum) * tau + 0.1 * theta_sum * 0.01 - 0.01 * acc;
}
generated quantities {
  real ys_total = total;
  int counts_total = count_sum;
  real trace_sum = 0;
  real first_elements = 0;
  real x_rows = 0;
  int first_of_rows = 0;
  for (j in 1:J) {
    trace_sum += Ms[j, 1, 1] + Ms[j, 2, 2];
  }
  for (n in 1:N) {
    first_elements += x[n, 1];
    x_rows += K;
  }
  for (i in 1:2) {
    first_of_rows = 10 * first_of_rows + counts[i, 1];
  }
}
