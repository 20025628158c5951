// data: tests/stan_corpus/functions.json
// User functions of every other kind: vector and matrix arguments, a body
// with a loop on data (transformed data), `data` arguments, a void function
// that rejects, an `_lp` function, and an `_rng` function in generated
// quantities.
functions {
  vector linear_predictor(matrix Z, vector b, real a) {
    return a + Z * b;
  }
  real sum_of_squares(data vector v) {
    real total = 0;
    for (i in 1:num_elements(v)) {
      total += square(v[i]);
    }
    return total;
  }
  void check_scale(real s) {
    if (s <= 0) {
      reject("the scale must be positive; found ", s);
    }
  }
  real weakly_informative_lp(vector b, real scale) {
    b ~ normal(0, scale);
    return scale;
  }
  real shifted_normal_rng(real mu, real sigma) {
    return mu + normal_rng(0, sigma);
  }
}
data {
  int N;
  int K;
  matrix[N, K] Z;
  vector[N] z;
}
transformed data {
  real ss = sum_of_squares(z);
  real rms = sqrt(ss / N);
}
parameters {
  real a;
  vector[K] b;
  real<lower=0> sigma;
}
model {
  check_scale(rms);
  real used = weakly_informative_lp(b, 3 * rms);
  a ~ normal(0, used);
  sigma ~ exponential(1);
  z ~ normal(linear_predictor(Z, b, a), sigma);
}
generated quantities {
  real z_new = shifted_normal_rng(a, sigma);
}
