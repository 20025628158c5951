#!/usr/bin/env python3
"""Stan's against nutpie's warmup adaptation, in gradients per effective draw.

Runs `hbmc run ... --adapt stan`, `--adapt nutpie` (and `low-rank`) and prints one JSON
line per run: min bulk ESS over the summary rows (lp__ excluded), max R-hat,
gradient evaluations (warmup + sampling, from the end-of-run line),
post-warmup divergences (from the CSV files), gradients per ESS.

    python3 benches/adaptation/compare.py model.stan --data d.json --adapt-delta 0.9 [--seeds 1,2]
    python3 benches/adaptation/compare.py --examples          # every README example command
    ... --methods nutpie                                      # one method only

HBMC (environment) names the binary (default target/release/hbmc); files go
to /tmp/hbmc-adapt/. Examples run with --metric dense are run with Stan's
adaptation only (nutpie's and the low-rank one estimate their own metric).
"""
import glob, json, os, re, shlex, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HBMC = os.environ.get("HBMC", os.path.join(ROOT, "target/release/hbmc"))
OUT = "/tmp/hbmc-adapt"


def run(name, args, adapt, seed):
    prefix = f"{OUT}/{name}_{adapt}_{seed}"
    os.makedirs(OUT, exist_ok=True)
    cmd = [HBMC, "run", *args, "--quiet", "--threads", "2", "--seed", str(seed), "--output", prefix, "--adapt", adapt]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    ess, rhat, in_table = [], [], False
    for line in p.stdout.splitlines():
        f = line.split()
        if "ESS_bulk" in f:
            in_table = True
            continue
        if not in_table or len(f) < 4 or f[0] == "lp__":
            continue
        try:
            e, r = float(f[-3]), float(f[-1])
        except ValueError:
            continue
        if e == e:
            ess.append(e)
            rhat.append(r)
    m = re.search(r"gradient evaluations: (\d+) \((\d+) warmup", p.stderr)
    div = 0
    for fn in sorted(glob.glob(prefix + "_[0-9]*.csv")):
        cols, post = None, False
        for line in open(fn):
            if line.startswith("#"):
                post = post or "Adaptation terminated" in line
                continue
            if cols is None:
                cols = line.strip().split(",")
                di = cols.index("divergent__")
            elif post:
                div += int(float(line.split(",")[di]))
    grads = int(m.group(1)) if m else -1
    min_ess = min(ess) if ess else float("nan")
    return dict(name=name, adapt=adapt, seed=seed, min_ess=min_ess, max_rhat=max(rhat) if rhat else float("nan"),
                grads=grads, warmup_grads=int(m.group(2)) if m else -1, divergences=div,
                grads_per_ess=grads / min_ess if ess else float("nan"), exit=p.returncode)


def readme_commands():
    for line in open(os.path.join(ROOT, "README.md")):
        m = re.search(r"^\| `.*`hbmc run (examples/[^`]+)`", line)
        if m:
            args = shlex.split(m.group(1))
            yield os.path.basename(args[0]).rsplit(".", 1)[0], args


def main(argv):
    seeds = [1]
    if "--seeds" in argv:
        i = argv.index("--seeds")
        seeds = [int(s) for s in argv[i + 1].split(",")]
        argv = argv[:i] + argv[i + 2:]
    methods = ["stan", "nutpie"]
    if "--methods" in argv:
        i = argv.index("--methods")
        methods = argv[i + 1].split(",")
        argv = argv[:i] + argv[i + 2:]
    if argv == ["--examples"]:
        jobs = list(readme_commands())
    else:
        jobs = [(os.path.basename(argv[0]).rsplit(".", 1)[0], argv)]
    for name, args in jobs:
        dense = "--metric" in args and args[args.index("--metric") + 1] == "dense"
        for seed in seeds:
            for adapt in [m for m in methods if not (dense and m in ("nutpie", "low-rank"))]:
                print(json.dumps(run(name, args, adapt, seed)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
