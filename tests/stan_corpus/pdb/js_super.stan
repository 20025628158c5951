// data: tests/stan_corpus/pdb/js_super.json
// Jolly-Seber model as a restricted occupancy model, superpopulation
// parameterisation (BPA, chapter 10): capture functions with early
// returns, a backward recursion for chi and a void _lp function
functions {
  int first_capture(array[] int y_i) {
    for (k in 1:size(y_i))
      if (y_i[k])
        return k;
    return 0;
  }

  int last_capture(array[] int y_i) {
    for (k_rev in 0:(size(y_i) - 1)) {
      int k;
      k = size(y_i) - k_rev;
      if (y_i[k])
        return k;
    }
    return 0;
  }

  matrix prob_uncaptured(int nind, int n_occasions, matrix p, matrix phi) {
    matrix[nind, n_occasions] chi;

    for (i in 1:nind) {
      chi[i, n_occasions] = 1.0;
      for (t in 1:(n_occasions - 1)) {
        int t_curr;
        int t_next;

        t_curr = n_occasions - t;
        t_next = t_curr + 1;
        chi[i, t_curr] = (1 - phi[i, t_curr])
                         + phi[i, t_curr] * (1 - p[i, t_next]) * chi[i, t_next];
      }
    }
    return chi;
  }

  void js_super_lp(array[,] int y, array[] int first, array[] int last,
                   matrix p, matrix phi, real psi, vector nu, matrix chi) {
    int n_ind = dims(y)[1];
    array[n_ind] vector[2] lp;
    int n_occasions = dims(y)[2];
    vector[n_occasions] qnu = 1.0 - nu;

    for (i in 1:n_ind) {
      vector[n_occasions] qp = 1.0 - p[i]';

      if (first[i]) { // Observed
        // Included
        1 ~ bernoulli(psi);

        // Until first capture
        if (first[i] == 1) {
          1 ~ bernoulli(nu[1] * p[i, 1]);
        } else { // first[i] >= 2
          vector[first[i]] lp_cand;

          // Entered at 1st occasion
          lp_cand[1] = bernoulli_lpmf(1 | nu[1])
                       + bernoulli_lpmf(1 | prod(qp[1:(first[i] - 1)]))
                       + bernoulli_lpmf(1 | prod(phi[i, 1:(first[i] - 1)]))
                       + bernoulli_lpmf(1 | p[i, first[i]]);
          // Entered at t-th occasion (1 < t < first[i])
          for (t in 2:(first[i] - 1))
            lp_cand[t] = bernoulli_lpmf(1 | prod(qnu[1:(t - 1)]))
                         + bernoulli_lpmf(1 | nu[t])
                         + bernoulli_lpmf(1 | prod(qp[t:(first[i] - 1)]))
                         + bernoulli_lpmf(1 | prod(phi[i, t:(first[i] - 1)]))
                         + bernoulli_lpmf(1 | p[i, first[i]]);
          // Entered at first[i]-th occasion
          lp_cand[first[i]] = bernoulli_lpmf(1 | prod(qnu[1:(first[i] - 1)]))
                              + bernoulli_lpmf(1 | nu[first[i]])
                              + bernoulli_lpmf(1 | p[i, first[i]]);
          target += log_sum_exp(lp_cand);
        }
        // Until last capture
        for (t in (first[i] + 1):last[i]) {
          1 ~ bernoulli(phi[i, t - 1]); // Survived
          y[i, t] ~ bernoulli(p[i, t]); // Capture/Non-capture
        }
        // Subsequent occasions
        1 ~ bernoulli(chi[i, last[i]]);
      } else { // Never observed
        vector[n_occasions + 1] lp_cand;

        // Entered at 1st occasion, but never captured
        lp_cand[1] = bernoulli_lpmf(1 | psi)
                     + bernoulli_lpmf(1 | nu[1])
                     + bernoulli_lpmf(0 | p[i, 1])
                     + bernoulli_lpmf(1 | chi[i, 1]);
        // Entered at t-th occasion (t > 1), but never captured
        for (t in 2:n_occasions)
          lp_cand[t] = bernoulli_lpmf(1 | psi)
                       + bernoulli_lpmf(1 | prod(qnu[1:(t - 1)]))
                       + bernoulli_lpmf(1 | nu[t])
                       + bernoulli_lpmf(0 | p[i, t])
                       + bernoulli_lpmf(1 | chi[i, t]);
        // Never entered
        lp_cand[n_occasions + 1] = bernoulli_lpmf(0 | psi);
        target += log_sum_exp(lp_cand);
      }
    }
  }
}
data {
  int<lower=0> M; // Augmented sample size
  int<lower=0> n_occasions; // Number of capture occasions
  array[M, n_occasions] int<lower=0, upper=1> y; // Augmented capture-history
}
transformed data {
  array[M] int<lower=0, upper=n_occasions> first;
  array[M] int<lower=0, upper=n_occasions> last;

  for (i in 1:M) {
    first[i] = first_capture(y[i]);
    last[i] = last_capture(y[i]);
  }
}
parameters {
  real<lower=0, upper=1> mean_phi; // Mean survival
  real<lower=0, upper=1> mean_p; // Mean capture
  real<lower=0, upper=1> psi; // Inclusion probability
  vector<lower=0>[n_occasions] beta;
}
transformed parameters {
  matrix<lower=0, upper=1>[M, n_occasions - 1] phi;
  matrix<lower=0, upper=1>[M, n_occasions] p;
  simplex[n_occasions] b; // Entry probability
  vector<lower=0, upper=1>[n_occasions] nu;
  matrix<lower=0, upper=1>[M, n_occasions] chi;

  // Constraints
  phi = rep_matrix(mean_phi, M, n_occasions - 1);
  p = rep_matrix(mean_p, M, n_occasions);

  // Dirichlet prior for entry probabilities
  b = beta / sum(beta);

  // Convert entry probs to conditional entry probs
  {
    real cum_b = b[1];

    nu[1] = b[1];
    for (t in 2:(n_occasions - 1)) {
      nu[t] = b[t] / (1.0 - cum_b);
      cum_b = cum_b + b[t];
    }
    nu[n_occasions] = 1.0;
  }

  // Uncaptured probability
  chi = prob_uncaptured(M, n_occasions, p, phi);
}
model {
  // Gamma(1, 1) prior for the Dirichlet
  beta ~ gamma(1, 1);

  // Likelihood
  js_super_lp(y, first, last, p, phi, psi, nu, chi);
}
generated quantities {
  real psi_out = psi;
}
