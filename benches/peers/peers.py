#!/usr/bin/env python3
"""Peers measured on this machine: NumPyro (JAX/XLA) and PyMC + nutpie.

Not part of the test suite. Skips (exit 0, with a message) when the Python
packages are absent. Install them in a virtual environment:

    python3 -m venv /tmp/peers && . /tmp/peers/bin/activate
    pip install numpyro jax jaxlib pymc nutpie arviz

Then, from the repository root:

    python benches/peers/peers.py gradient            # median gradient times
    python benches/peers/peers.py sample --model electric_intercept
    python benches/peers/peers.py hbmc --model electric_intercept  # hbmc, same settings

Models (the same as examples/stan/*.stan and examples/electric_covariance.hbm):
  electric_intercept   seed 000, varying intercepts, 404 parameters
  mundlak_logit        seed 002 M3b, 2,000 observations (examples/stan/confounded.json)
  mundlak_logit_100k   the same model on 100,000 simulated observations
                       (gradient only)
  electric_covariance  seed 000, correlated intercepts and effects per grade
                       (gradient only)
  electric_covariance_lkj  the same with an LKJ(2) prior on the correlation
                       (examples/electric_covariance_lkj.hbm: the non-centered
                       form; the same posterior as
                       electric_covariance_lkj_conditional.hbm). Sample it at
                       that example's README settings with
                       `sample --model electric_covariance_lkj --samplers numpyro
                       --warmup 2000 --adapt-delta 0.95`
  electric_covariance_lkj_conditional  that example's parameterisation in
                       NumPyro (vectorised over every cell)

`sample` runs 4 chains x (1000 warmup + 1000 draws), target accept 0.9 (as
issue 11 fixes them), and reports: sampling wall time excluding compilation,
CPU time of the process over the sampling phase (nutpie: its sampler threads
run in-process), gradients in warmup and after, min bulk ESS over all parameters (ArviZ's
estimator for every sampler, so the figures compare), max R-hat, divergences,
and min bulk ESS per gradient (warmup included).
"""

import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

try:
    os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=2")
    import numpy as np
    import jax
    import jax.numpy as jnp
    import numpyro
    import numpyro.distributions as dist
    from numpyro.infer import MCMC, NUTS
    from numpyro.infer.util import initialize_model
    import arviz as az
except ImportError as err:  # pragma: no cover - depends on the machine
    print(f"peers.py: skipped, Python packages missing ({err}); see the header for the install line")
    sys.exit(0)

jax.config.update("jax_enable_x64", True)


# ---------------------------------------------------------------- data

def electric_data():
    with open(os.path.join(ROOT, "examples/stan/electric.json")) as f:
        d = json.load(f)
    pre = np.array(d["pre_test"])
    post = np.array(d["post_test"])
    x = (pre - pre.mean()) / np.sqrt(np.mean((pre - pre.mean()) ** 2))
    y = (post - post.mean()) / np.sqrt(np.mean((post - post.mean()) ** 2))
    return dict(
        J=d["J"], K=d["K"],
        pair=np.array(d["pair"]) - 1, grade=np.array(d["grade"]) - 1,
        t=np.array(d["treatment"], dtype=float), x=x, y=y,
    )


def mundlak_data(n=None):
    if n is None:
        with open(os.path.join(ROOT, "examples/stan/confounded.json")) as f:
            d = json.load(f)
        g = np.array(d["g"]) - 1
        x = np.array(d["x"])
        z = np.array(d["z"])
        y = np.array(d["y"])
        G = d["G"]
    else:
        # MODELS.md 14: 30 groups, a0 = -2, bzy = 1, bxy = 0.
        rng = np.random.default_rng(2002)
        G = 30
        g = rng.integers(0, G, size=n)
        u = rng.normal(size=G)
        z = rng.normal(size=G)
        x = u[g] + rng.normal(size=n)
        eta = -2 + 1.0 * z[g] + u[g]
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(int)
    xbar = np.bincount(g, weights=x, minlength=G) / np.bincount(g, minlength=G)
    return dict(G=G, g=g, x=x, z=z, y=y, xbar=xbar)


# ---------------------------------------------------------------- NumPyro models

def electric_intercept_numpyro(J, K, pair, grade, t, x, y):
    mu_alpha = numpyro.sample("mu_alpha", dist.Normal(0, 1).expand([K]))
    sigma_alpha = numpyro.sample("sigma_alpha", dist.HalfNormal(1).expand([K]))
    z_alpha = numpyro.sample("z_alpha", dist.Normal(0, 1).expand([J, K]))
    theta = numpyro.sample("theta", dist.Normal(0, 1).expand([K]))
    beta_x = numpyro.sample("beta_x", dist.Normal(0, 1).expand([K]))
    sigma_y = numpyro.sample("sigma_y", dist.HalfNormal(1).expand([K]))
    alpha = mu_alpha + sigma_alpha * z_alpha
    mu = alpha[pair, grade] + theta[grade] * t + beta_x[grade] * x
    numpyro.sample("y", dist.Normal(mu, sigma_y[grade]), obs=y)


def mundlak_numpyro(G, g, x, z, y, xbar):
    bzy = numpyro.sample("bzy", dist.Normal(0, 1))
    bxy = numpyro.sample("bxy", dist.Normal(0, 1))
    buy = numpyro.sample("buy", dist.Normal(0, 1))
    abar = numpyro.sample("abar", dist.Normal(0, 1))
    tau = numpyro.sample("tau", dist.Exponential(1))
    z_a = numpyro.sample("z_a", dist.Normal(0, 1).expand([G]))
    a = abar + tau * z_a
    numpyro.sample("y", dist.Bernoulli(logits=a[g] + bxy * x + bzy * z[g] + buy * xbar[g]), obs=y)


def electric_covariance_numpyro(J, K, pair, grade, t, x, y):
    beta_x = numpyro.sample("beta_x", dist.Normal(0, 1).expand([K]))
    sigma_y = numpyro.sample("sigma_y", dist.HalfNormal(1).expand([K]))
    mu_alpha = numpyro.sample("mu_alpha", dist.Normal(0, 0.5).expand([K]))
    mu_theta = numpyro.sample("mu_theta", dist.Normal(0, 0.5).expand([K]))
    sigma_u = numpyro.sample("sigma_u", dist.HalfNormal(0.2).expand([K, 2]))
    rho_raw = numpyro.sample("rho_raw", dist.Beta(20, 5).expand([K]))
    u_raw = numpyro.sample("u_raw", dist.Normal(0, 1).expand([K, 2, J]))
    rho = 2 * rho_raw - 1
    one = jnp.ones(K)
    omega = jnp.stack([jnp.stack([one, rho], -1), jnp.stack([rho, one], -1)], -2)
    cov = sigma_u[:, :, None] * omega * sigma_u[:, None, :]
    L = jnp.linalg.cholesky(cov)
    effects = L @ u_raw  # K x 2 x J
    alpha = mu_alpha[:, None] + effects[:, 0, :]
    theta = mu_theta[:, None] + effects[:, 1, :]
    mu = alpha[grade, pair] + theta[grade, pair] * t + beta_x[grade] * x
    numpyro.sample("y", dist.Normal(mu, sigma_y[grade]), obs=y)


def electric_covariance_lkj_numpyro(J, K, pair, grade, t, x, y):
    """examples/electric_covariance_lkj.hbm: per grade, (alpha, theta) of
    each pair is mu + diag(tau) L_Omega z, L_Omega ~ LKJ Cholesky(2)."""
    beta_x = numpyro.sample("beta_x", dist.Normal(0, 1).expand([K]))
    sigma_y = numpyro.sample("sigma_y", dist.HalfNormal(1).expand([K]))
    mu = numpyro.sample("mu", dist.Normal(0, 0.5).expand([K, 2]))
    tau = numpyro.sample("tau", dist.HalfNormal(0.2).expand([K, 2]))
    L_omega = numpyro.sample("L_Omega", dist.LKJCholesky(2, concentration=2.0).expand([K]))
    z = numpyro.sample("z", dist.Normal(0, 1).expand([K, 2, J]))
    u = mu[:, :, None] + tau[:, :, None] * (L_omega @ z)  # K x 2 x J
    m = u[grade, 0, pair] + u[grade, 1, pair] * t + beta_x[grade] * x
    numpyro.sample("y", dist.Normal(m, sigma_y[grade]), obs=y)


def electric_covariance_lkj_conditional_numpyro(J, K, pair, grade, t, x, y):
    """examples/electric_covariance_lkj_conditional.hbm: the LKJ model with
    each (grade, pair) cell's effects u = m + R'^-1 w around their
    conditional posterior N(m, (R R')^-1), vectorised over all K x J cells
    (a cell no observation is in gets P = Sigma^-1, whose prior term plus
    Jacobian is std_normal(w), as the hbm model's shortcut)."""
    beta_x = numpyro.sample("beta_x", dist.Normal(0, 1).expand([K]))
    sigma_y = numpyro.sample("sigma_y", dist.HalfNormal(1).expand([K]))
    mu = numpyro.sample("mu", dist.Normal(0, 0.5).expand([K, 2]))
    tau = numpyro.sample("tau", dist.HalfNormal(0.2).expand([K, 2]))
    L_omega = numpyro.sample("L_Omega", dist.LKJCholesky(2, concentration=2.0).expand([K]))
    # Flat here: each cell's prior and Jacobian below make w standard normal.
    w = numpyro.sample("w", dist.ImproperUniform(dist.constraints.real, (), event_shape=(K, 2, J)))
    # X'X and X'y, X'x of each cell (X's rows (1, t)).
    cell = lambda v: jnp.zeros((K, J)).at[grade, pair].add(v)
    n_all, n_trt = cell(jnp.ones_like(y)), cell(t)
    xy_all, xy_trt, xx_all, xx_trt = cell(y), cell(y * t), cell(x), cell(x * t)
    # Sigma^-1 = B'B, B = A^-1, A = diag(tau) L_Omega (lower).
    a11, a21, a22 = tau[:, 0] * L_omega[:, 0, 0], tau[:, 1] * L_omega[:, 1, 0], tau[:, 1] * L_omega[:, 1, 1]
    b11, b22 = 1 / a11, 1 / a22
    b21 = -a21 * b11 * b22
    s11, s21, s22 = (b11 ** 2 + b21 ** 2)[:, None], (b21 * b22)[:, None], (b22 ** 2)[:, None]
    prec = (1 / sigma_y ** 2)[:, None]
    m1, m2 = mu[:, 0:1], mu[:, 1:2]
    p11, p21, p22 = s11 + n_all * prec, s21 + n_trt * prec, s22 + n_trt * prec
    r11 = jnp.sqrt(p11)
    r21 = p21 / r11
    r22 = jnp.sqrt(p22 - r21 ** 2)
    h1 = s11 * m1 + s21 * m2 + (xy_all - beta_x[:, None] * xx_all) * prec
    h2 = s21 * m1 + s22 * m2 + (xy_trt - beta_x[:, None] * xx_trt) * prec
    c1 = h1 / r11 + w[:, 0, :]
    c2 = (h2 - r21 * h1 / r11) / r22 + w[:, 1, :]
    theta = c2 / r22
    alpha = (c1 - r21 * theta) / r11
    # The effects' prior N(mu, A A') and the Jacobian of w -> u.
    z1 = b11[:, None] * (alpha - m1)
    z2 = b21[:, None] * (alpha - m1) + b22[:, None] * (theta - m2)
    prior = -0.5 * (z1 ** 2 + z2 ** 2) - jnp.log(a11 * a22)[:, None] - jnp.log(2 * jnp.pi)
    numpyro.factor("effects_prior_and_jacobian", jnp.sum(prior - jnp.log(r11 * r22)))
    m = alpha[grade, pair] + theta[grade, pair] * t + beta_x[grade] * x
    numpyro.sample("y", dist.Normal(m, sigma_y[grade]), obs=y)


def numpyro_case(name):
    if name == "electric_intercept":
        return electric_intercept_numpyro, electric_data()
    if name == "electric_covariance":
        return electric_covariance_numpyro, electric_data()
    if name == "electric_covariance_lkj":
        return electric_covariance_lkj_numpyro, electric_data()
    if name == "electric_covariance_lkj_conditional":
        return electric_covariance_lkj_conditional_numpyro, electric_data()
    if name == "mundlak_logit":
        return mundlak_numpyro, mundlak_data()
    if name == "mundlak_logit_100k":
        return mundlak_numpyro, mundlak_data(100_000)
    raise SystemExit(f"unknown model {name!r}")


# ---------------------------------------------------------------- gradient

def numpyro_gradient_seconds(name, reps=None):
    """Median time of one jitted value_and_grad of the potential, run inside
    a fori_loop so that Python dispatch is not timed."""
    model, data = numpyro_case(name)
    info = initialize_model(jax.random.PRNGKey(0), model, model_kwargs=data)
    pe = info.potential_fn
    flat, unravel = jax.flatten_util.ravel_pytree(info.param_info.z)
    vg = jax.value_and_grad(lambda q: pe(unravel(q)))

    def loop(n, q):
        def body(i, carry):
            q, acc = carry
            v, g = vg(q + 1e-12 * acc)
            return q, acc + v + g[0]
        return jax.lax.fori_loop(0, n, body, (q, 0.0))[1]

    run = jax.jit(loop, static_argnums=0)
    n = reps or (20 if "100k" in name else 2000)
    run(n, flat).block_until_ready()
    times = []
    for _ in range(11):
        t0 = time.perf_counter()
        run(n, flat).block_until_ready()
        times.append((time.perf_counter() - t0) / n)
    return float(np.median(times)), flat.shape[0]


def cmd_gradient(args):
    names = args.models or ["electric_intercept", "mundlak_logit", "mundlak_logit_100k", "electric_covariance"]
    for name in names:
        s, dim = numpyro_gradient_seconds(name)
        print(f"numpyro {name}: {dim} parameters, gradient with value {s * 1e6:.2f} us (median of 11, jitted fori_loop)")
        sys.stdout.flush()


# ---------------------------------------------------------------- sampling

def summarise(label, idata, warmup_grads, post_grads, wall, divergences, cpu=None):
    ess = az.ess(idata, method="bulk")
    rhat = az.rhat(idata)
    min_ess = min(float(np.min(ess[v].values)) for v in ess.data_vars)
    max_rhat = max(float(np.max(rhat[v].values)) for v in rhat.data_vars)
    total = warmup_grads + post_grads
    print(json.dumps(dict(
        sampler=label, wall_sampling_s=round(wall, 3), warmup_gradients=int(warmup_grads),
        post_warmup_gradients=int(post_grads), min_bulk_ess=round(min_ess, 1),
        max_rhat=round(max_rhat, 4), divergences=int(divergences),
        ess_per_1000_gradients=round(1000 * min_ess / total, 3),
        ess_per_second=round(min_ess / wall, 1),
        cpu_sampling_s=None if cpu is None else round(cpu, 3),
        load=round(os.getloadavg()[0], 1),
    )))
    sys.stdout.flush()


def run_numpyro(name, seed, warmup=1000, draws=1000, adapt_delta=0.9):
    model, data = numpyro_case(name)
    kernel = NUTS(model, target_accept_prob=adapt_delta)
    mcmc = MCMC(kernel, num_warmup=warmup, num_samples=draws, num_chains=4,
                chain_method="sequential", progress_bar=False)
    # First run compiles; the second, with the same shapes, is the sampling phase.
    mcmc.warmup(jax.random.PRNGKey(seed), **data, extra_fields=("num_steps",), collect_warmup=True)
    t0, c0 = time.perf_counter(), time.process_time()
    mcmc.warmup(jax.random.PRNGKey(seed + 1), **data, extra_fields=("num_steps",), collect_warmup=True)
    warm_steps = np.asarray(mcmc.get_extra_fields()["num_steps"]).sum()
    mcmc.run(mcmc.post_warmup_state.rng_key, **data, extra_fields=("num_steps", "diverging"))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    extra = mcmc.get_extra_fields(group_by_chain=True)
    idata = az.from_numpyro(mcmc)
    summarise("numpyro", idata, warm_steps, np.asarray(extra["num_steps"]).sum(), wall,
              np.asarray(extra["diverging"]).sum(), cpu)


def pymc_model(name):
    import pymc as pm
    if name == "electric_intercept":
        d = electric_data()
        with pm.Model() as m:
            K, J = d["K"], d["J"]
            mu_alpha = pm.Normal("mu_alpha", 0, 1, shape=K)
            sigma_alpha = pm.HalfNormal("sigma_alpha", 1, shape=K)
            z_alpha = pm.Normal("z_alpha", 0, 1, shape=(J, K))
            theta = pm.Normal("theta", 0, 1, shape=K)
            beta_x = pm.Normal("beta_x", 0, 1, shape=K)
            sigma_y = pm.HalfNormal("sigma_y", 1, shape=K)
            alpha = mu_alpha + sigma_alpha * z_alpha
            g = d["grade"]
            mu = alpha[d["pair"], g] + theta[g] * d["t"] + beta_x[g] * d["x"]
            pm.Normal("y", mu, sigma_y[g], observed=d["y"])
        return m
    if name == "mundlak_logit":
        d = mundlak_data()
        with pm.Model() as m:
            bzy = pm.Normal("bzy", 0, 1)
            bxy = pm.Normal("bxy", 0, 1)
            buy = pm.Normal("buy", 0, 1)
            abar = pm.Normal("abar", 0, 1)
            tau = pm.Exponential("tau", 1)
            z_a = pm.Normal("z_a", 0, 1, shape=d["G"])
            a = abar + tau * z_a
            g = d["g"]
            pm.Bernoulli("y", logit_p=a[g] + bxy * d["x"] + bzy * d["z"][g] + buy * d["xbar"][g], observed=d["y"])
        return m
    raise SystemExit(f"no PyMC version of {name!r}")


def run_nutpie(name, seed):
    import nutpie
    t0 = time.perf_counter()
    compiled = nutpie.compile_pymc_model(pymc_model(name))
    compile_s = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    idata = nutpie.sample(compiled, draws=1000, tune=1000, chains=4, cores=2, seed=seed,
                          target_accept=0.9, save_warmup=True, progress_bar=False)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"nutpie compile {compile_s:.2f} s (excluded)")
    warm = int(idata.warmup_sample_stats["n_steps"].values.sum())
    post = int(idata.sample_stats["n_steps"].values.sum())
    div = int(idata.sample_stats["diverging"].values.sum())
    summarise("nutpie", idata, warm, post, wall, div, cpu)


def cmd_sample(args):
    for seed in args.seeds:
        if "numpyro" in args.samplers:
            run_numpyro(args.model, seed, args.warmup, args.draws, args.adapt_delta)
        if "nutpie" in args.samplers:
            run_nutpie(args.model, seed)


# ---------------------------------------------------------------- hbmc, same settings

HBMC_CASES = {
    "electric_intercept": ("examples/stan/electric_intercept.stan", "examples/stan/electric.json"),
    "electric_intercept_dims": ("examples/electric_intercept.hbm", "examples/data/electric.csv"),
    "mundlak_logit": ("examples/stan/mundlak_logit.stan", "examples/stan/confounded.json"),
}


def cmd_hbmc(args):
    """Runs hbmc end to end with the same settings and reads its CSVs with
    ArviZ, so ESS is the same estimator as for the peers. Warmup gradients
    come from the CSV when hbmc supports --save-warmup."""
    import glob
    import tempfile
    model, data = HBMC_CASES[args.model]
    exe = os.path.join(ROOT, "target/release/hbmc")
    for seed in args.seeds:
        out = tempfile.mkdtemp(prefix="hbmc-peers-")
        cmd = [exe, "run", model, "--data", data, "--chains", "4", "--warmup", "1000", "--draws", "1000",
               "--adapt-delta", "0.9", "--seed", str(seed), "--quiet", "--output", f"{out}/fit"] + args.extra
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        files = sorted(glob.glob(f"{out}/fit_[0-9]*.csv"))
        idata = az.from_cmdstan(files, save_warmup="--save-warmup" in args.extra)
        post = int(idata.sample_stats["n_steps"].values.sum())
        warm = 0
        if hasattr(idata, "warmup_sample_stats"):
            warm = int(idata.warmup_sample_stats["n_steps"].values.sum())
        div = int(idata.sample_stats["diverging"].values.sum())
        label = "hbmc " + " ".join(args.extra) + (" (warmup gradients unknown)" if warm == 0 else "")
        summarise(label.strip(), idata, warm, post, wall, div)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gradient")
    g.add_argument("--models", nargs="*")
    s = sub.add_parser("sample")
    s.add_argument("--model", default="electric_intercept")
    s.add_argument("--samplers", nargs="*", default=["nutpie", "numpyro"])
    s.add_argument("--seeds", nargs="*", type=int, default=[1])
    s.add_argument("--warmup", type=int, default=1000, help="NumPyro's warmup per chain")
    s.add_argument("--draws", type=int, default=1000, help="NumPyro's draws per chain")
    s.add_argument("--adapt-delta", type=float, default=0.9, help="NumPyro's target acceptance")
    h = sub.add_parser("hbmc")
    h.add_argument("--model", default="electric_intercept")
    h.add_argument("--seeds", nargs="*", type=int, default=[1])
    h.add_argument("extra", nargs="*", help="more hbmc run flags, after --")
    args = p.parse_args()
    {"gradient": cmd_gradient, "sample": cmd_sample, "hbmc": cmd_hbmc}[args.cmd](args)


if __name__ == "__main__":
    main()
