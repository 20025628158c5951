// The copies-per-length benchmark (BENCHMARKS.md, 2026-12-06): a choice
// model whose categorical_logit takes a segment of run-time length, compiled
// once per set size. Data from make_data.py.
data { int J; array[J] int K; int N; vector[N] x; array[J] int y; }
transformed data { array[J] int start; start[1] = 1; for (j in 2:J) start[j] = start[j - 1] + K[j - 1]; }
parameters { real b; }
model {
  b ~ normal(0, 1);
  for (j in 1:J) y[j] ~ categorical_logit(b * segment(x, start[j], K[j]));
}
