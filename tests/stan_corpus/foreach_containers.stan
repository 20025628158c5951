// data: tests/stan_corpus/foreach_containers.json
// Foreach loops over arrays of vectors, matrices and arrays (issue 13):
// the loop variable takes each element of the outermost array in order, in
// every block, over data, parameters, a slice, a user function's result and
// a transformed parameter, nested, with the element indexed in the body.
// tests/e2e/foreach_containers.rs compares the log density and gradient
// with foreach_containers_closed.stan, the same loops over indices, and
// reads the generated quantities back.
functions {
  array[] vector shifted(array[] vector xs, real by) {
    array[size(xs)] vector[rows(xs[1])] out;
    for (n in 1:size(xs)) {
      out[n] = xs[n] + by;
    }
    return out;
  }
}
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
  for (row in ys) {
    total += sum(row);
  }
  for (row in counts) {
    for (c in row) {
      count_sum += c;
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
  for (t in theta) {
    theta_sum += sum(t);
  }
  // The body assigns the array it loops over: each iteration copies
  // its element as it starts (the third is 3 mu + mu + 2 mu = 6 mu).
  array[3] vector[K] ws = {mu, 2 * mu, 3 * mu};
  real acc = 0;
  for (v in ws) {
    ws[3] = ws[3] + v;
    acc += sum(v) * v[1];
  }
}
model {
  mu ~ normal(0, 1);
  sigma ~ lognormal(0, 0.5);
  tau ~ lognormal(0, 0.5);
  for (x_n in x) {
    target += normal_lpdf(x_n | mu, sigma);
  }
  for (t in theta) {
    t ~ normal(mu, tau);
  }
  for (m in Ms) {
    target += -0.05 * trace(m) * sigma + 0.01 * m[1, 2] * mu[1];
  }
  for (v in x[2:N]) {
    target += -0.01 * dot_self(v - mu);
  }
  for (v in shifted(theta, 0.5)) {
    target += -0.02 * v[K] * v[1];
  }
  for (v in {mu, 2 * mu}) {
    target += -0.01 * sum(v);
  }
  for (s in theta_sq) {
    target += -0.01 * sum(s);
  }
  for (row in ys) {
    for (y in row) {
      target += -0.001 * y * sigma;
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
  for (m in Ms) {
    trace_sum += trace(m);
  }
  for (v in x) {
    first_elements += v[1];
    x_rows += rows(v);
  }
  for (row in counts) {
    first_of_rows = 10 * first_of_rows + row[1];
  }
}
