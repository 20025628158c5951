#!/usr/bin/env python3
"""Writes Mundlak-logit data (examples/mundlak_logit.hbm: g, x, z, y) with N
observations in 30 groups as JSON (with `--stan`, also `N` and `G` for
examples/stan/mundlak_logit.stan), for `hbmc bench --threads-per-chain`
(BENCHMARKS.md, "Issue 12.3"). Standard library only; fixed seed.

    python3 benches/threads/mundlak_data.py 100000 > /tmp/m100k.json
    ./target/release/hbmc bench examples/mundlak_logit.hbm --data /tmp/m100k.json --threads-per-chain 2
"""
import json
import math
import random
import sys

args = [a for a in sys.argv[1:] if a != "--stan"]
n = int(args[0]) if args else 100_000
groups = 30
rng = random.Random(2026)
u = [rng.gauss(0, 1) for _ in range(groups)]  # unmeasured group confounder
z = [rng.gauss(0, 1) for _ in range(groups)]
g = [1 + rng.randrange(groups) for _ in range(n)]
x = [u[k - 1] + rng.gauss(0, 1) for k in g]
y = [int(rng.random() < 1 / (1 + math.exp(-(-2 + z[k - 1] + u[k - 1])))) for k in g]
data = {"g": g, "x": x, "z": z, "y": y}
if "--stan" in sys.argv[1:]:
    data = {"N": n, "G": groups, **data}
json.dump(data, sys.stdout)
