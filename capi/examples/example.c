/*
 * Using an hbm model library from C, as a BridgeStan library is used.
 *
 *   hbmc build examples/electric_intercept.hbm -o libelectric.so
 *   cc capi/examples/example.c -I capi/include ./libelectric.so \
 *      -Wl,-rpath,"$PWD" -o example
 *   ./example examples/data/electric.csv
 *
 * Prints the model's name, its unconstrained coordinates, the log density
 * and gradient at theta_unc = 0.1, and the constrained values there.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bridgestan.h"

/* Prints a failure's message, frees it, and exits. */
static void fail(const char* what, char* err) {
  fprintf(stderr, "%s failed: %s\n", what, err ? err : "(no message)");
  bs_free_error_msg(err);
  exit(1);
}

int main(int argc, char** argv) {
  const char* data = argc > 1 ? argv[1] : "";
  char* err = NULL;
  printf("version=%d.%d.%d\n", bs_major_version, bs_minor_version,
         bs_patch_version);

  bs_model* model = bs_model_construct(data, 1234, &err);
  if (!model) fail("bs_model_construct", err);
  printf("name=%s\n", bs_name(model));

  int n = bs_param_unc_num(model);
  int n_out = bs_param_num(model, false, false);
  printf("param_unc_num=%d\n", n);
  printf("param_num=%d\n", n_out);
  printf("unc_names=%s\n", bs_param_unc_names(model));
  printf("names=%s\n", bs_param_names(model, false, false));

  double* theta_unc = malloc(sizeof(double) * n);
  double* grad = malloc(sizeof(double) * n);
  double* theta = malloc(sizeof(double) * n_out);
  double* back = malloc(sizeof(double) * n);
  for (int i = 0; i < n; i++) theta_unc[i] = 0.1;

  double lp = 0;
  if (bs_log_density_gradient(model, true, true, theta_unc, &lp, grad, &err))
    fail("bs_log_density_gradient", err);
  printf("lp=%.17g\n", lp);
  for (int i = 0; i < n; i++) printf("grad=%.17g\n", grad[i]);

  if (bs_param_constrain(model, false, false, theta_unc, theta, NULL, &err))
    fail("bs_param_constrain", err);
  for (int i = 0; i < n_out; i++) printf("theta=%.17g\n", theta[i]);
  if (bs_param_unconstrain(model, theta, back, &err))
    fail("bs_param_unconstrain", err);
  for (int i = 0; i < n; i++) printf("back=%.17g\n", back[i]);

  /* Hessians are not computed: a failure with a message, freed here. */
  if (bs_log_density_hessian(model, true, true, theta_unc, &lp, grad, NULL,
                             &err) != 0) {
    printf("hessian_error=%s\n", err);
    bs_free_error_msg(err);
  }

  free(theta_unc);
  free(grad);
  free(theta);
  free(back);
  bs_model_destruct(model);
  return 0;
}
