// multinomial_rng, multinomial_logit_rng and dirichlet_multinomial_rng (issue 13): the test
// `multinomial_draws_match_their_distribution` (tests/e2e/stan_programs.rs)
// compares the counts with N theta and N theta (1 - theta), and checks
// that every draw sums to N.
generated quantities {
  array[4] int c = multinomial_rng([0.2, 0.3, 0.5, 0.0]', 40);
  array[3] int d = multinomial_logit_rng(log([0.6, 0.1, 0.3]'), 25);
  array[3] int e = dirichlet_multinomial_rng([1, 1, 2]', 30);
}
