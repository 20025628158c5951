#!/usr/bin/env python3
"""One warmup adaptation over many seeds: R-hat, divergences, ESS per gradient.

For each seed, runs `hbmc run ARGS --adapt METHOD --save-warmup --seed S`
and computes from the CSV files, with ArviZ (rank-normalised split R-hat,
bulk ESS over every column after the sampler's, lp__ excluded): max R-hat
and its column, min bulk ESS and its column, divergences in warmup and
after it, all gradient evaluations (from the end-of-run line), each
chain's final step size and mean leapfrog steps per draw. One JSON line per
run, then one summary line per method (`"summary": true`).

    /work/peers-venv/bin/python benches/adaptation/seeds.py --methods stan,nutpie --seeds 1-20 \
        -- examples/electric_intercept.hbm --data examples/data/electric.csv --adapt-delta 0.9

HBMC (environment) names the binary (default target/release/hbmc); files go
to /tmp/hbmc-seeds/ (or HBMC_SEEDS_OUT); HBMC_THREADS sets --threads (default 2). Needs numpy, pandas, arviz (the peers venv has them).
"""
import glob, json, os, re, resource, subprocess, sys, time

import arviz as az
import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HBMC = os.environ.get("HBMC", os.path.join(ROOT, "target/release/hbmc"))
OUT = os.environ.get("HBMC_SEEDS_OUT", "/tmp/hbmc-seeds")
# Threads per run: 1 on a shared machine (gradient counts and ESS do not depend on it).
THREADS = os.environ.get("HBMC_THREADS", "2")
SAMPLER = ["lp__", "accept_stat__", "stepsize__", "treedepth__", "n_leapfrog__", "divergent__", "energy__"]


def read_chain(fn, num_warmup):
    df = pd.read_csv(fn, comment="#")
    return df.iloc[:num_warmup], df.iloc[num_warmup:]


def run(args, method, seed, num_warmup, extra):
    name = os.path.basename(args[0]).rsplit(".", 1)[0]
    prefix = f"{OUT}/{name}_{method}_{seed}"
    os.makedirs(OUT, exist_ok=True)
    for f in glob.glob(prefix + "_*"):
        os.remove(f)
    cmd = [HBMC, "run", *args, "--quiet", "--threads", THREADS, "--seed", str(seed), "--output", prefix,
           "--adapt", method, "--save-warmup", *extra]
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    load = os.getloadavg()[0]
    m = re.search(r"gradient evaluations: (\d+) \((\d+) warmup", p.stderr)
    chains = [read_chain(fn, num_warmup) for fn in sorted(glob.glob(prefix + "_[0-9]*.csv"))]
    post = [c[1] for c in chains]
    cols = [c for c in post[0].columns if c not in SAMPLER]
    n = min(len(c) for c in post)
    arr = np.stack([c[cols].to_numpy()[:n] for c in post])  # chain, draw, column
    data = az.convert_to_dataset({"x": arr})
    rhat = az.rhat(data, method="rank")["x"].to_numpy()
    ess = az.ess(data, method="bulk")["x"].to_numpy()
    ok = np.isfinite(ess) & (np.nanstd(arr.reshape(-1, len(cols)), axis=0) > 0)
    rhat_m = np.where(ok, rhat, -np.inf)
    ess_m = np.where(ok, ess, np.inf)
    i_r, i_e = int(np.argmax(rhat_m)), int(np.argmin(ess_m))
    grads = int(m.group(1)) if m else -1
    return dict(
        name=name, method=method, seed=seed, exit=p.returncode,
        max_rhat=round(float(rhat_m[i_r]), 4), max_rhat_col=cols[i_r],
        min_ess=round(float(ess_m[i_e]), 1), min_ess_col=cols[i_e],
        rhat_ge_101=int((rhat_m >= 1.01).sum()),
        warmup_div=int(sum(c[0]["divergent__"].sum() for c in chains)),
        post_div=int(sum(c["divergent__"].sum() for c in post)),
        grads=grads, warmup_grads=int(m.group(2)) if m else -1,
        ess_per_1000_grads=round(1000 * float(ess_m[i_e]) / grads, 3) if grads > 0 else None,
        step_sizes=[round(float(c["stepsize__"].iloc[0]), 4) for c in post],
        mean_leapfrog=[round(float(c["n_leapfrog__"].mean()), 1) for c in post],
        wall_s=round(wall, 2), cpu_s=round(cpu, 2), load=round(load, 1),
    )


def parse_range(s):
    out = []
    for part in s.split(","):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def main(argv):
    if "--" not in argv:
        sys.exit(__doc__)
    k = argv.index("--")
    opts, args = argv[:k], argv[k + 1:]
    seeds, methods, extra = [1], ["stan", "nutpie"], []
    i = 0
    while i < len(opts):
        if opts[i] == "--seeds":
            seeds = parse_range(opts[i + 1])
        elif opts[i] == "--methods":
            methods = opts[i + 1].split(",")
        elif opts[i] == "--extra":  # extra hbmc arguments per run, one string
            extra = opts[i + 1].split()
        i += 2
    num_warmup = 1000
    if "--warmup" in args:
        num_warmup = int(args[args.index("--warmup") + 1])
    for method in methods:
        rows = []
        for seed in seeds:
            r = run(args, method, seed, num_warmup, extra)
            rows.append(r)
            print(json.dumps(r), flush=True)
        e = np.array([r["ess_per_1000_grads"] for r in rows], dtype=float)
        print(json.dumps(dict(
            summary=True, name=rows[0]["name"], method=method, runs=len(rows),
            runs_rhat_ge_101=sum(r["max_rhat"] >= 1.01 for r in rows),
            max_rhat=max(r["max_rhat"] for r in rows),
            runs_with_div=sum(r["warmup_div"] + r["post_div"] > 0 for r in rows),
            runs_with_post_div=sum(r["post_div"] > 0 for r in rows),
            post_div=sum(r["post_div"] for r in rows), warmup_div=sum(r["warmup_div"] for r in rows),
            mean_min_ess=round(float(np.mean([r["min_ess"] for r in rows])), 1),
            mean_grads=round(float(np.mean([r["grads"] for r in rows]))),
            ess_per_1000_grads_mean=round(float(np.mean(e)), 3),
            ess_per_1000_grads_min=round(float(np.min(e)), 3),
            mean_cpu_s=round(float(np.mean([r["cpu_s"] for r in rows])), 2),
            mean_wall_s=round(float(np.mean([r["wall_s"] for r in rows])), 2),
        )), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
