// data: tests/stan_corpus/pdb/lincoln_petersen.json
// Lincoln-Petersen mark-recapture (Stan User's Guide)
data {
  int<lower=0> M;
  int<lower=0> C;
  int<lower=0, upper=min(M, C)> R;
}
parameters {
  real<lower=(C - R + M)> N;
}
model {
  R ~ binomial(C, M / N);
}
