// data: tests/stan_corpus/pdb/irt.json
// Two-dimensional int data, array slices and nested indexing into them.
data {
  int<lower=1> I;
  int<lower=1> J;
  array[I, J] int<lower=0, upper=1> y;
}
transformed data {
  array[I * J] int flat;
  array[I * J] int item;
  array[I * J] int person;
  for (i in 1:I) {
    for (j in 1:J) {
      int k = (i - 1) * J + j;
      flat[k] = y[i, j];
      item[k] = i;
      person[k] = j;
    }
  }
  array[J] int total = rep_array(0, J);
  for (i in 1:I) for (j in 1:J) total[j] += y[i][j];
}
parameters {
  vector[I] difficulty;
  vector[J] ability;
  real<lower=0> sigma;
}
model {
  difficulty ~ normal(0, 2);
  ability ~ normal(0, sigma);
  sigma ~ normal(0, 1);
  flat ~ bernoulli_logit(ability[person] - difficulty[item]);
}
generated quantities {
  array[J] int y_rep_total;
  for (j in 1:J) {
    y_rep_total[j] = 0;
    for (i in 1:I) y_rep_total[j] += bernoulli_logit_rng(ability[j] - difficulty[i]);
  }
  int best = 1;
  for (j in 2:J) if (total[j] > total[best]) best = j;
}
