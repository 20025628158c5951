// data: tests/stan_corpus/functions.json
// Statement bodies whose value is used inside expressions: a vector built
// in a loop (in `~`, an initialiser and a sum), and an `_lp` function
// that adds to `target` from inside an expression.
functions {
  vector centred(data vector v) {
    int n = num_elements(v);
    vector[n] out;
    real m = mean(v);
    for (i in 1:n) {
      out[i] = v[i] - m;
    }
    return out;
  }
  real total_lp(vector e, real s) {
    target += normal_lpdf(e | 0, s);
    return 0;
  }
}
data {
  int N;
  vector[N] x;
  vector[N] z;
}
parameters {
  real alpha;
  real beta;
  real<lower=0> sigma;
}
model {
  z ~ normal(alpha + beta * centred(x), sigma);
  real ignored = total_lp(z - alpha - beta * centred(x), sigma) + 1;
}
generated quantities {
  vector[N] xc = centred(x);
  real s = sum(centred(x));
}
