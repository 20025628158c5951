// data: tests/stan_corpus/jacobian_simplex_stick.json
// A simplex by stick breaking, written as a `_jacobian` function with a
// statement body (a loop adding each break's log-Jacobian) that calls a
// second `_jacobian` function, with a Dirichlet prior and multinomial
// counts.
functions {
  real unit_jacobian(real y) {
    jacobian += log_inv_logit(y) + log1m_inv_logit(y);
    return inv_logit(y);
  }
  vector stick_simplex_jacobian(vector y) {
    int K = num_elements(y) + 1;
    vector[K] x;
    real stick = 1;
    for (k in 1:(K - 1)) {
      real z = unit_jacobian(y[k] - log(K - k));
      x[k] = stick * z;
      jacobian += log(stick);
      stick -= x[k];
    }
    x[K] = stick;
    return x;
  }
}
data {
  int K;
  array[K] int n;
  vector[K] alpha;
}
parameters {
  vector[K - 1] theta_raw;
}
transformed parameters {
  simplex[K] theta = stick_simplex_jacobian(theta_raw);
}
model {
  theta ~ dirichlet(alpha);
  n ~ multinomial(theta);
}
