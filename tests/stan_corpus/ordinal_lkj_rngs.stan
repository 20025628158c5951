// The draws of ordered_logistic_rng, ordered_probit_rng and lkj_corr_rng in
// a model without parameters (Stan's fixed_param sampler); the test
// `ordinal_and_lkj_draws_match_their_distributions` checks their
// frequencies and moments.
transformed data {
  vector[3] cuts = [-1, 0.5, 2]';
}
generated quantities {
  int o = ordered_logistic_rng(0.3, cuts);
  int q = ordered_probit_rng(0.3, cuts);
  matrix[3, 3] R = lkj_corr_rng(3, 2.0);
}
