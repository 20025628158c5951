"""Data for benches/loops/regression_loop.stan: N observations of
y = 1 + 2 x + noise (sd 0.5), x standard normal, seed 1.

    python3 benches/loops/make_data.py 1000 > /tmp/reg.json
"""
import json
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
random.seed(1)
x = [random.gauss(0, 1) for _ in range(n)]
y = [1 + 2 * v + random.gauss(0, 0.5) for v in x]
json.dump({"N": n, "x": x, "y": y}, sys.stdout)
