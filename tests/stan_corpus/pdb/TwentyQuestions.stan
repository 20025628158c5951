// data: tests/stan_corpus/pdb/twenty_questions.json
// Twenty questions: people's abilities times questions' easiness
// (Bayesian Cognitive Modeling, ch. 6)
data {
  int<lower=0> np; // rows: people
  int<lower=0> nq; // columns: questions
  array[np, nq] int<lower=0, upper=1> k;
}
parameters {
  vector<lower=0, upper=1>[np] p;
  vector<lower=0, upper=1>[nq] q;
}
transformed parameters {
  matrix[np, nq] theta;
  // Probability Correct Is Product Of Question By Person Rates
  for (i in 1:np)
    for (j in 1:nq)
      theta[i, j] = p[i] * q[j];
}
model {
  // Priors For People and Questions
  p ~ beta(1, 1);
  q ~ beta(1, 1);
  // Correctness Of Each Answer Is Bernoulli Trial
  for (i in 1:np)
    for (j in 1:nq)
      k[i, j] ~ bernoulli(theta[i, j]);
}
