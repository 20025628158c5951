// Stan 2.37's matrix constraint types: a sum_to_zero_matrix with a normal
// prior (the isometric transform makes its elements normal with variance
// (1 - 1/N)(1 - 1/M)), a column_stochastic_matrix and a row_stochastic_matrix
// with uniform Dirichlet priors and multinomial counts per simplex (Dirichlet
// posteriors: mean (1 + count) / (K + total)), arrays of them, and the
// types in data, transformed data and generated quantities, whose values are
// checked when they are assigned.
// data: tests/stan_corpus/matrix_types.json
data {
  array[2, 3] int col_counts;   // one row of counts per column of C
  array[2, 3] int row_counts;   // one row of counts per row of R
  column_stochastic_matrix[2, 2] P;
  sum_to_zero_matrix[2, 3] S;
}
transformed data {
  row_stochastic_matrix[2, 2] Pt = P';
  if (abs(sum(S)) > 1e-12) reject("S");
}
parameters {
  sum_to_zero_matrix[3, 4] Z;
  column_stochastic_matrix[3, 2] C;
  row_stochastic_matrix[2, 3] R;
  array[2] column_stochastic_matrix[2, 2] CA;
}
transformed parameters {
  row_stochastic_matrix[2, 3] R2 = R;
}
model {
  to_vector(Z) ~ normal(0, 1);
  for (j in 1:2) {
    C[:, j] ~ dirichlet(rep_vector(1, 3));
    col_counts[j] ~ multinomial(C[:, j]);
  }
  for (i in 1:2) {
    R[i]' ~ dirichlet(rep_vector(1, 3));
    row_counts[i] ~ multinomial(R[i]');
  }
  for (a in 1:2) for (j in 1:2) CA[a][:, j] ~ dirichlet(rep_vector(2, 2));
}
generated quantities {
  column_stochastic_matrix[3, 2] C2 = C;
  real z_row_sum = sum(Z[2]);
  real pt = Pt[1, 2];
}
