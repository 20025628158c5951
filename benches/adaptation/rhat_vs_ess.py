#!/usr/bin/env python3
"""How often the largest R-hat reaches 1.01, by the run's min bulk ESS.

Reads the JSON lines that `seeds.py` prints (one file or many, any mix of
methods and settings; summary lines are skipped) and pools the runs into
bins of min bulk ESS, so one can tell whether a method's R-hat failures
come from the method itself or only from how few effective draws its
least-mixed column gets:

    /work/peers-venv/bin/python benches/adaptation/rhat_vs_ess.py runs/*.jsonl [--bins 400,500,600]

Prints, per bin, the runs and those with max R-hat >= 1.01, then the
correlation of min ESS and max R-hat over all runs. Needs numpy.
"""
import json, sys

import numpy as np


def read_runs(paths):
    runs = []
    for path in paths:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                r = json.loads(line)
                if not r.get("summary") and "min_ess" in r and "max_rhat" in r:
                    runs.append(r)
    return runs


def main(argv):
    edges = [400.0, 500.0, 600.0]
    if "--bins" in argv:
        i = argv.index("--bins")
        edges = [float(x) for x in argv[i + 1].split(",")]
        argv = argv[:i] + argv[i + 2:]
    if not argv:
        sys.exit(__doc__)
    runs = read_runs(argv)
    if not runs:
        sys.exit("no runs found in " + ", ".join(argv))
    bounds = [0.0, *edges, float("inf")]
    for lo, hi in zip(bounds, bounds[1:]):
        b = [r for r in runs if lo <= r["min_ess"] < hi]
        if b:
            bad = sum(r["max_rhat"] >= 1.01 for r in b)
            print(f"min bulk ESS {lo:g}-{hi:g}: {len(b)} runs, max R-hat >= 1.01 in {bad} ({100 * bad / len(b):.0f}%)")
    e = np.array([r["min_ess"] for r in runs])
    h = np.array([r["max_rhat"] for r in runs])
    print(f"{len(runs)} runs; correlation of min bulk ESS and max R-hat: {np.corrcoef(e, h)[0, 1]:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
