// `sum_to_zero_matrix` (Stan 2.37) is not supported yet.
parameters { sum_to_zero_matrix[3, 4] z; }
model { to_vector(z) ~ normal(0, 1); }
