#!/usr/bin/env python3
"""seeds.py without numpy, pandas or ArviZ: one adaptation over many seeds,
the diagnostics from hbmc's own summary (`--format json`: rank-normalised
split R-hat and bulk ESS, the same estimators as `hbmc summary`).

For each seed, runs `nice -n 5 HBMC run ARGS --save-warmup --seed S
--format json` and prints one JSON line: max R-hat and min bulk ESS over
every column but lp__ and the sampler's (constant columns left out), the
divergences in warmup and after it (from the chain files), all gradient
evaluations (the end-of-run line), min bulk ESS per 1000 of them, each
chain's final step size; then one summary line (`"summary": true`).

    python3 benches/adaptation/seeds_hbmc.py LABEL 1-8 -- \
        tests/stan_corpus/pdb/epil_model.stan --data tests/stan_corpus/pdb/epil.json --draws 1000 [--adapt stan ...]

HBMC (environment) names the binary (default target/release/hbmc); files
go to HBMC_SEEDS_OUT (default /tmp/hbmc-seeds), named NAME_LABEL_SEED_*.
"""
import csv, glob, json, os, re, subprocess, sys

HBMC = os.environ.get("HBMC", "target/release/hbmc")
OUT = os.environ.get("HBMC_SEEDS_OUT", "/tmp/hbmc-seeds")
SAMPLER = {"lp__", "accept_stat__", "stepsize__", "treedepth__", "n_leapfrog__", "divergent__", "energy__"}


def parse_range(s):
    out = []
    for part in s.split(","):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def divergences(prefix, num_warmup):
    """Divergences in warmup and after it, and each chain's final step size."""
    warm = post = 0
    steps = []
    for fn in sorted(glob.glob(prefix + "_[0-9]*.csv")):
        with open(fn) as f:
            rows = csv.reader(line for line in f if not line.startswith("#"))
            header = next(rows)
            di, si = header.index("divergent__"), header.index("stepsize__")
            for k, row in enumerate(rows):
                if float(row[di]) > 0:
                    if k < num_warmup:
                        warm += 1
                    else:
                        post += 1
                if k == num_warmup:
                    steps.append(round(float(row[si]), 4))
    return warm, post, steps


def run(label, seed, args, num_warmup):
    name = os.path.basename(args[0]).rsplit(".", 1)[0]
    prefix = f"{OUT}/{name}_{label}_{seed}"
    os.makedirs(OUT, exist_ok=True)
    p = subprocess.run(["nice", "-n", "5", HBMC, "run", *args, "--quiet", "--seed", str(seed), "--output", prefix,
                        "--save-warmup", "--format", "json", "--overwrite"], capture_output=True, text=True)
    try:
        summary = json.loads(p.stdout)
    except json.JSONDecodeError:
        return dict(name=name, label=label, seed=seed, error=p.stderr[-500:])
    cells = [r for r in summary["rows"] if r["column"] not in SAMPLER and r.get("ess_bulk") is not None
             and r["ess_bulk"] == r["ess_bulk"] and r.get("rhat") is not None and r["sd"]]
    worst_ess = min(cells, key=lambda r: r["ess_bulk"])
    worst_rhat = max(cells, key=lambda r: r["rhat"])
    m = re.search(r"gradient evaluations: (\d+) \((\d+) warmup", p.stderr)
    grads = int(m.group(1)) if m else -1
    warm, post, steps = divergences(prefix, num_warmup)
    return dict(name=name, label=label, seed=seed, max_rhat=round(worst_rhat["rhat"], 4), max_rhat_col=worst_rhat["label"],
                min_ess=round(worst_ess["ess_bulk"], 1), min_ess_col=worst_ess["label"], warmup_div=warm, post_div=post,
                grads=grads, warmup_grads=int(m.group(2)) if m else -1,
                ess_per_1000_grads=round(1000 * worst_ess["ess_bulk"] / grads, 3) if grads > 0 else None, step_sizes=steps)


def main(argv):
    if "--" not in argv or argv.index("--") != 2:
        sys.exit(__doc__)
    label, seeds, args = argv[0], parse_range(argv[1]), argv[3:]
    num_warmup = int(args[args.index("--warmup") + 1]) if "--warmup" in args else 1000
    rows = []
    for seed in seeds:
        r = run(label, seed, args, num_warmup)
        print(json.dumps(r), flush=True)
        if "error" not in r:
            rows.append(r)
    if rows:
        n = len(rows)
        print(json.dumps(dict(
            summary=True, name=rows[0]["name"], label=label, runs=n,
            runs_rhat_ge_101=sum(r["max_rhat"] >= 1.01 for r in rows), max_rhat=max(r["max_rhat"] for r in rows),
            post_div=sum(r["post_div"] for r in rows), warmup_div=sum(r["warmup_div"] for r in rows),
            runs_with_post_div=sum(r["post_div"] > 0 for r in rows),
            mean_min_ess=round(sum(r["min_ess"] for r in rows) / n, 1),
            ess_per_1000_grads_mean=round(sum(r["ess_per_1000_grads"] for r in rows) / n, 3),
            ess_per_1000_grads_min=min(r["ess_per_1000_grads"] for r in rows),
        )), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
