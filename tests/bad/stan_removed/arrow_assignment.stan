// `<-` assignment was removed in Stan 2.33: `=`.
parameters { real mu; }
model {
  real m;
  m <- 2 * mu;
  m ~ normal(0, 1);
}
