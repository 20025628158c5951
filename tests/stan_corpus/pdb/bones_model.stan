// data: tests/stan_corpus/pdb/bones_model.json
data {
  int<lower=0> nChild;
  int<lower=0> nInd;
  array[nInd, 4] real gamma;
  array[nInd] real delta;
  array[nInd] int<lower=0> ncat;
  array[nChild, nInd] int grade;
}
parameters {
  array[nChild] real theta;
}
model {
  array[nInd, 5] real p;
  array[nInd, 4] real Q;
  theta ~ normal(0.0, 36);
  for (i in 1:nChild) {
    for (j in 1:nInd) {
      for (k in 1:(ncat[j] - 1)) {
        Q[j, k] = inv_logit(delta[j] * (theta[i] - gamma[j, k]));
      }
      p[j, 1] = 1 - Q[j, 1];
      for (k in 2:(ncat[j] - 1)) {
        p[j, k] = Q[j, k - 1] - Q[j, k];
      }
      p[j, ncat[j]] = Q[j, ncat[j] - 1];
      if (grade[i, j] != -1) {
        target += log(p[j, grade[i, j]]);
      }
    }
  }
}
