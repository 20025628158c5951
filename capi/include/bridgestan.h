/*
 * BridgeStan's C interface (version 2.9) as hbm model libraries implement it.
 *
 * A model library is written by `hbmc build model.hbm -o libmodel.so`. It
 * exports the functions below with BridgeStan's names and signatures, so
 * BridgeStan's clients (Python, R, Julia, Rust) and C programs load it as
 * they load a BridgeStan library. The model is compiled by hbmc's JIT inside
 * bs_model_construct (milliseconds); nothing else needs to be installed.
 *
 * Conventions, as BridgeStan's:
 * - Functions returning int give 0 on success and -1 on failure; functions
 *   returning a pointer give NULL on failure.
 * - Where a function takes `char** error_msg`, a failure stores a message
 *   there (when error_msg is not NULL). The caller frees it with
 *   bs_free_error_msg.
 * - Strings returned by bs_name, bs_model_info, bs_param_names and
 *   bs_param_unc_names belong to the model and live until bs_model_destruct.
 * - A model may be used from several threads at once. A bs_rng must be
 *   used by one thread at a time.
 * - Names use CmdStan's style (`a.3`, `b.2.3`, column-major), in the order
 *   of declaration.
 *
 * Where hbm model libraries differ from BridgeStan's:
 * - propto = true drops the terms Stan drops (those of sampling statements
 *   and _lupdf/_lupmf calls that depend on no parameter), computed by
 *   subtraction, so the value equals Stan's up to rounding. It and
 *   jacobian = false are each compiled (a second lowering of the model) at
 *   the first call that asks for them; construction compiles only
 *   propto = false, jacobian = true.
 * - bs_log_density_hessian and bs_log_density_hessian_vector_product
 *   always fail with a message ("do not compute Hessians").
 * - The seed of bs_model_construct is unused (transformed data draw no
 *   random numbers in hbm).
 * - Print output of the model is discarded; bs_set_print_callback accepts a
 *   callback for compatibility and never calls it.
 * - Data may also be a path ending in ".csv" (hbmc's CSV data format).
 */
#ifndef HBMC_BRIDGESTAN_H
#define HBMC_BRIDGESTAN_H

#ifdef __cplusplus
#include <cstddef>
extern "C" {
#else
#include <stdbool.h>
#include <stddef.h>
#endif

/** Opaque: a model compiled and bound to data. */
typedef struct bs_model bs_model;
/** Opaque: a pseudorandom number generator. */
typedef struct bs_rng bs_rng;

/** The BridgeStan interface version implemented (2.9.0). */
extern const int bs_major_version;
extern const int bs_minor_version;
extern const int bs_patch_version;

/**
 * Compiles the library's model and binds data. `data` is a path to a JSON
 * file (ending in ".json"), a JSON string, or NULL / "" for no data.
 */
bs_model* bs_model_construct(const char* data, unsigned int seed,
                             char** error_msg);

/** Frees a model. */
void bs_model_destruct(bs_model* m);

/** Frees a message stored in an `error_msg`. */
void bs_free_error_msg(char* error_msg);

/** The model's name (the model file's stem). */
const char* bs_name(const bs_model* m);

/** A description of this library: hbmc version, supported flags. */
const char* bs_model_info(const bs_model* m);

/**
 * Comma-separated names of the constrained parameters, then (if asked)
 * transformed parameters, then generated quantities.
 */
const char* bs_param_names(const bs_model* m, bool include_tp,
                           bool include_gq);

/** Comma-separated names of the unconstrained coordinates. */
const char* bs_param_unc_names(const bs_model* m);

/** The number of values bs_param_names lists. */
int bs_param_num(const bs_model* m, bool include_tp, bool include_gq);

/** The number of unconstrained coordinates. */
int bs_param_unc_num(const bs_model* m);

/**
 * Writes to `theta` (bs_param_num(m, include_tp, include_gq) values) the
 * constrained values at the unconstrained point `theta_unc`. `rng` is
 * needed only when include_gq is true.
 */
int bs_param_constrain(const bs_model* m, bool include_tp, bool include_gq,
                       const double* theta_unc, double* theta, bs_rng* rng,
                       char** error_msg);

/**
 * Writes to `theta_unc` the unconstrained point of the constrained
 * parameter values `theta` (in the order of bs_param_names(m, false, false)).
 */
int bs_param_unconstrain(const bs_model* m, const double* theta,
                         double* theta_unc, char** error_msg);

/**
 * As bs_param_unconstrain, with the values given as a JSON object that
 * names every parameter (CmdStan's JSON format).
 */
int bs_param_unconstrain_json(const bs_model* m, const char* json,
                              double* theta_unc, char** error_msg);

/**
 * An initial point: parameters given in `json` (may be NULL) at those
 * values, the others uniform in [-init_radius, init_radius) on the
 * unconstrained scale, retried up to max_tries times until the log density
 * is finite.
 */
int bs_param_initialize(const bs_model* m, const char* json, bs_rng* rng,
                        double init_radius, int max_tries, bool jacobian,
                        double* theta_unc, char** error_msg);

/** The log density at `theta_unc` (see propto/jacobian above). */
int bs_log_density(const bs_model* m, bool propto, bool jacobian,
                   const double* theta_unc, double* lp, char** error_msg);

/** The log density and its gradient (bs_param_unc_num values). */
int bs_log_density_gradient(const bs_model* m, bool propto, bool jacobian,
                            const double* theta_unc, double* val,
                            double* grad, char** error_msg);

/** Not supported: always -1 with a message. */
int bs_log_density_hessian(const bs_model* m, bool propto, bool jacobian,
                           const double* theta_unc, double* val, double* grad,
                           double* hessian, char** error_msg);

/** Not supported: always -1 with a message. */
int bs_log_density_hessian_vector_product(const bs_model* m, bool propto,
                                          bool jacobian,
                                          const double* theta_unc,
                                          const double* vector, double* val,
                                          double* hvp, char** error_msg);

/** A generator for bs_param_constrain and bs_param_initialize. */
bs_rng* bs_rng_construct(unsigned int seed, char** error_msg);

/** Frees a generator. */
void bs_rng_destruct(bs_rng* rng);

/** The type of a print callback. */
typedef void (*STREAM_CALLBACK)(const char* data, size_t size);

/** Accepted for compatibility; the callback is never called. Returns 0. */
int bs_set_print_callback(STREAM_CALLBACK callback, char** error_msg);

#ifdef __cplusplus
}
#endif

#endif
