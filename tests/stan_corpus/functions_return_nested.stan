// data: tests/stan_corpus/functions_return_nested.json
// Early `return`s from nested loops (issue 13): the first entry of a data
// matrix above a cut, scanning row by row, scales its row's parameter; the
// code of the third such entry (100 * row + column, in transformed data);
// and a vector function whose value, returned from inside its loop, is
// assigned to a declared variable. tests/e2e/early_returns.rs compares the log
// density and gradient with functions_return_nested_closed.stan, which
// reads the answers from the data.
functions {
  real first_hit(vector theta, matrix w, real cut) {
    for (i in 1:rows(w)) {
      for (j in 1:cols(w)) {
        if (w[i, j] > cut) return theta[i] * w[i, j];
      }
    }
    return sum(theta);
  }
  int nth_hit(matrix w, real cut, int n) {
    int count = 0;
    for (i in 1:rows(w)) {
      for (j in 1:cols(w)) {
        if (w[i, j] > cut) {
          count += 1;
          if (count == n) return 100 * i + j;
        }
      }
    }
    return 0;
  }
  // v's entries up to the first 0 of keep, zeros from there on.
  vector leading(vector v, array[] int keep) {
    vector[rows(v)] out = rep_vector(0, rows(v));
    for (i in 1:rows(v)) {
      if (keep[i] == 0) return out;
      out[i] = v[i];
    }
    return out;
  }
}
data {
  int R;
  int C;
  matrix[R, C] w;
  real cut;
  real cut_none;
  array[R] int keep;
}
transformed data {
  int third = nth_hit(w, cut, 3);
}
parameters {
  vector[R] theta;
}
transformed parameters {
  real hit = first_hit(theta, w, cut);
  // No entry is above cut_none: the sum.
  real none = first_hit(theta, w, cut_none);
  vector[R] lead = leading(theta, keep);
}
model {
  theta ~ normal(0, 1);
  target += normal_lpdf(hit | 1, 1) + normal_lpdf(none | 0, 2) + normal_lpdf(lead | 0.5, 1) + 0.001 * third;
}
generated quantities {
  real hit_again = first_hit(theta, w, cut);
}
