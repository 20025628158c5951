// data: tests/stan_corpus/pdb/brms_approx_gp.json
// generated with brms 2.20.4
functions {
  /* Spectral density function of a Gaussian process
   * with squared exponential covariance kernel
   */
  vector spd_cov_exp_quad(data array[] vector x, real sdgp, real lscale) {
    int NB = dims(x)[1];
    int D = dims(x)[2];
    vector[NB] out;
    if (D == 1) {
      real constant = square(sdgp) * sqrt(2 * pi()) * lscale;
      real neg_half_lscale2 = -0.5 * square(lscale);
      for (m in 1:NB) {
        out[m] = constant * exp(neg_half_lscale2 * dot_self(x[m]));
      }
    } else {
      real constant = square(sdgp) * sqrt(2 * pi())^D * lscale^D;
      real neg_half_lscale2 = -0.5 * square(lscale);
      for (m in 1:NB) {
        out[m] = constant * exp(neg_half_lscale2 * dot_self(x[m]));
      }
    }
    return out;
  }
  /* compute an approximate latent Gaussian process */
  vector gp_approx(data matrix X, real sdgp, real lscale, vector zgp, data array[] vector slambda) {
    vector[cols(X)] diagSPD = sqrt(spd_cov_exp_quad(slambda, sdgp, lscale));
    return X * (diagSPD .* zgp);
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  // data related to GPs
  int<lower=1> Kgp_1;  // number of sub-GPs (equal to 1 unless 'by' was used)
  int<lower=1> Dgp_1;  // GP dimension
  // number of basis functions of an approximate GP
  int<lower=1> NBgp_1;
  // approximate GP basis matrices
  matrix[N, NBgp_1] Xgp_1;
  // approximate GP eigenvalues
  array[NBgp_1] vector[Dgp_1] slambda_1;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
}
parameters {
  real Intercept;  // temporary intercept for centered predictors
  vector<lower=0>[Kgp_1] sdgp_1;  // GP standard deviation parameters
  array[Kgp_1] vector<lower=0>[1] lscale_1;  // GP length-scale parameters
  vector[NBgp_1] zgp_1;  // latent variables of the GP
  real<lower=0> sigma;  // dispersion parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | 3, -13.3, 35.6);
  lprior += student_t_lpdf(sdgp_1 | 3, 0, 35.6)
    - 1 * student_t_lccdf(0 | 3, 0, 35.6);
  lprior += inv_gamma_lpdf(lscale_1[1][1] | 1.124909, 0.100891);
  lprior += student_t_lpdf(sigma | 3, 0, 35.6)
    - 1 * student_t_lccdf(0 | 3, 0, 35.6);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + gp_approx(Xgp_1, sdgp_1[1], lscale_1[1][1], zgp_1, slambda_1);
    target += normal_lpdf(Y | mu, sigma);
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(zgp_1);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept;
}
