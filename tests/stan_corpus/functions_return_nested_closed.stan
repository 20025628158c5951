// data: tests/stan_corpus/functions_return_nested.json
// functions_return_nested.stan with the answers read from the data: the
// first entry above the cut is w[hit_i, hit_j], the third has the code
// third_hit, and keep's first 0 follows m ones.
data {
  int R;
  int C;
  matrix[R, C] w;
  int hit_i;
  int hit_j;
  int m;
  int third_hit;
}
parameters {
  vector[R] theta;
}
transformed parameters {
  real hit = theta[hit_i] * w[hit_i, hit_j];
  real none = sum(theta);
  vector[R] lead = append_row(theta[1:m], rep_vector(0, R - m));
}
model {
  theta ~ normal(0, 1);
  target += normal_lpdf(hit | 1, 1) + normal_lpdf(none | 0, 2) + normal_lpdf(lead | 0.5, 1) + 0.001 * third_hit;
}
