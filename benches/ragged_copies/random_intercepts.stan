// The copies-per-length benchmark (BENCHMARKS.md, 2026-12-06): random
// intercepts integrated out, multi_normal_cholesky of a segment of run-time
// length, compiled once per group size. Data from make_data.py.
data { int G; array[G] int n; int N; vector[N] y; }
transformed data { array[G] int pos; pos[1] = 1; for (g in 2:G) pos[g] = pos[g - 1] + n[g - 1]; }
parameters { real mu; real<lower=0> tau; real<lower=0> sigma; }
model {
  mu ~ normal(0, 5); tau ~ normal(0, 2); sigma ~ normal(0, 2);
  for (g in 1:G)
    segment(y, pos[g], n[g]) ~ multi_normal_cholesky(rep_vector(mu, n[g]), cholesky_decompose(add_diag(rep_matrix(square(tau), n[g], n[g]), square(sigma))));
}
