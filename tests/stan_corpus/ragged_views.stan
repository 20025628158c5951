// data: tests/stan_corpus/ragged_views.json
// Vectors whose length is known only inside a loop (Stan's ragged-array
// idiom): `~` over a slice with data-indexed bounds, `segment`, `head`,
// `tail`, `sub_col` and `sub_row` with loop-variable sizes fed to `sum`,
// `dot_product`, `dot_self`, `mean` and densities, and user functions
// taking a segment. Group 3 is empty (n[3] = 0).
functions {
  real centered_ss(vector v, real c) {
    return dot_self(v - c);
  }
  real group_lpdf(vector v, real m, real s) {
    return normal_lpdf(v | m, s);
  }
  real tail_mean(vector v, int k) {
    real total = sum(tail(v, k));
    return total / num_elements(tail(v, k));
  }
}
data {
  int G;
  array[G] int<lower=0> n;
  int N;
  vector[N] y;
  array[N] int<lower=0> cnt;
  int T;
  vector[T] w;
  matrix[T, 2] M;
}
transformed data {
  array[G] int pos;
  pos[1] = 1;
  for (g in 2:G) pos[g] = pos[g - 1] + n[g - 1];
}
parameters {
  vector[G] a;
  real<lower=0> sigma;
  real b;
  vector[T] z;
}
model {
  a ~ normal(0, 2);
  sigma ~ lognormal(0, 0.5);
  b ~ normal(0, 1);
  for (g in 1:G) {
    y[pos[g]:(pos[g] + n[g] - 1)] ~ normal(a[g] + b * exp(-y[pos[g]:(pos[g] + n[g] - 1)]), sigma);
    cnt[pos[g]:(pos[g] + n[g] - 1)] ~ poisson_log(a[g] - 0.5 * segment(y, pos[g], n[g]));
    target += normal_lpdf(segment(y, pos[g], n[g]) | a[g] .* segment(y, pos[g], n[g]), 2 * sigma);
    target += -0.1 * centered_ss(segment(y, pos[g], n[g]), a[g]);
    segment(y, pos[g], n[g]) ~ group(b, 3);
    target += -0.05 * square(sum(head(z, n[g])) - dot_product(segment(y, pos[g], n[g]), head(z, n[g])));
  }
  z[1] ~ normal(0, 1);
  for (i in 2:T) {
    real conv = dot_product(sub_col(M, 1, 1, i - 1), tail(z, i - 1));
    real back = dot_product(sub_row(M', 2, 1, i - 1), head(z, i - 1));
    z[i] ~ normal(0.3 * conv - 0.1 * back + 0.1 * tail_mean(w, i - 1), 1);
    target += -0.5 * mean(tail(z, i - 1) .* tail(w, i - 1)) ^ 2;
  }
}
