// data: tests/stan_corpus/foreach_tuples.json
// Foreach loops over arrays of tuples (issue 13): of data tuples with int,
// real and vector elements, of nested tuples, of a transformed parameter
// array of tuples, and of a function's argument. Each loop's log density
// and gradient equal those of foreach_tuples_indexed.stan, the same
// program written with indices (e2e foreach_containers).
functions {
  // The sum of each pair's real times its int.
  real weighted(array[] tuple(real, int) ps) {
    real total = 0;
    for (p in ps) total += p.1 * p.2;
    return total;
  }
}
data {
  int<lower=1> N;
  array[N] tuple(real, int) pairs;
  array[N] tuple(real, vector[2]) marks;
  array[N] tuple(real, tuple(int, vector[2])) nested;
}
parameters {
  real mu;
  vector[2] beta;
}
transformed parameters {
  array[N] tuple(real, vector[2]) shifted;
  for (n in 1:N) shifted[n] = (marks[n].1 + mu, marks[n].2 + beta);
}
model {
  real total = 0;
  for (p in pairs) total += p.1 * p.2;
  mu ~ normal(total / 10, 2);
  for (m in marks) m.1 ~ normal(dot_product(m.2, beta) + mu, 1);
  for (q in nested) target += normal_lpdf(q.1 | q.2.1 * mu + sum(q.2.2 .* beta), 3);
  for (s in shifted) target += -0.5 * dot_self(s.2) - 0.1 * square(s.1);
  target += normal_lpdf(weighted(pairs) | 5 * mu, 4);
}
generated quantities {
  real pair_total = 0;
  real nested_total = 0;
  for (p in pairs) pair_total += p.1 * p.2;
  for (q in nested) nested_total += q.2.1 + sum(q.2.2);
  // The body assigns the array: each iteration reads the element as it
  // was when the iteration began (Stan's copy): (1, 10), (2, 20), then
  // (1, 10) doubled in the first two iterations to (4, 40), so seen = 10
  // + 40 + 160 = 210.
  array[3] tuple(real, int) zs;
  zs[1] = (1.0, 10);
  zs[2] = (2.0, 20);
  zs[3] = (1.0, 10);
  real seen = 0;
  for (z in zs) {
    zs[3].1 = zs[3].1 * 2;
    zs[3].2 = zs[3].2 * 2;
    seen += z.1 * z.2;
  }
}
