// data: tests/stan_corpus/pdb/presidential_votes.json
data {
  int<lower=1> N;
  int<lower=1> N_states;
  int<lower=1> N_regions;
  int<lower=1> N_years_obs;
  int<lower=1> N_years;
  array[N_states] int<lower=1, upper=N_regions> state_region_ind;
  array[N] int<lower=1, upper=N_states> state_ind;
  array[N] int<lower=1, upper=N_regions> region_ind;
  array[N] int<lower=1, upper=N_years> year_ind;
  vector[N] y;
}
transformed data {
  array[N_years] real years;
  for (t in 1:N_years) {
    years[t] = t;
  }
}
parameters {
  matrix[N_years, N_regions] GP_region_std;
  matrix[N_years, N_states] GP_state_std;
  vector[N_years_obs] year_std;
  vector[N_states] state_std;
  vector[N_regions] region_std;
  real<lower=0> tot_var;
  simplex[6] prop_var;
  real mu;
  real<lower=0> length_GP_region;
  real<lower=0> length_GP_state;
}
transformed parameters {
  matrix[N_years, N_regions] GP_region;
  matrix[N_years, N_states] GP_state;
  vector[N_years_obs] year_re;
  vector[N_states] state_re;
  vector[N_regions] region_re;
  real sigma_year;
  real sigma_region;
  real sigma_state;
  real sigma_GP_region;
  real sigma_GP_state;
  real sigma_error;
  vector[6] vars;

  vars = 6 * prop_var * tot_var;
  sigma_year = sqrt(vars[1]);
  sigma_region = sqrt(vars[2]);
  sigma_state = sqrt(vars[3]);
  sigma_GP_region = sqrt(vars[4]);
  sigma_GP_state = sqrt(vars[5]);
  sigma_error = sqrt(vars[6]);

  region_re = sigma_region * region_std;
  year_re = sigma_year * year_std;
  state_re = sigma_state * state_std;

  {
    matrix[N_years, N_years] cov_region;
    matrix[N_years, N_years] cov_state;
    matrix[N_years, N_years] L_cov_region;
    matrix[N_years, N_years] L_cov_state;

    cov_region = cov_exp_quad(years, sigma_GP_region, length_GP_region);
    cov_state = cov_exp_quad(years, sigma_GP_state, length_GP_state);
    for (year in 1:N_years) {
      cov_region[year, year] = cov_region[year, year] + 1e-6;
      cov_state[year, year] = cov_state[year, year] + 1e-6;
    }

    L_cov_region = cholesky_decompose(cov_region);
    L_cov_state = cholesky_decompose(cov_state);
    GP_region = L_cov_region * GP_region_std;
    GP_state = L_cov_state * GP_state_std;
  }
}
model {
  vector[N] obs_mu;
  for (n in 1:N) {
    obs_mu[n] = mu + year_re[year_ind[n]] + state_re[state_ind[n]]
                + region_re[region_ind[n]]
                + GP_region[year_ind[n], region_ind[n]]
                + GP_state[year_ind[n], state_ind[n]];
  }

  y ~ normal(obs_mu, sigma_error);

  to_vector(GP_region_std) ~ normal(0, 1);
  to_vector(GP_state_std) ~ normal(0, 1);
  year_std ~ normal(0, 1);
  state_std ~ normal(0, 1);
  region_std ~ normal(0, 1);
  mu ~ normal(.5, .5);
  tot_var ~ gamma(3, 3);
  prop_var ~ dirichlet(rep_vector(2, 6));
  length_GP_region ~ weibull(30, 8);
  length_GP_state ~ weibull(30, 8);
}
