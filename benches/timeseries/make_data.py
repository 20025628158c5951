"""Data for the time-series gradient benchmarks (BENCHMARKS.md, "Time-series
loops"): T observations of a stochastic-volatility series, with the names
both tests/stan_corpus/stochastic_volatility.stan (N, y) and
tests/stan_corpus/ma_q.stan (T, y, Q) read. Usage: python3 make_data.py T > ts.json
"""
import json
import math
import random
import sys

T = int(sys.argv[1]) if len(sys.argv) > 1 else 300
random.seed(2)
mu, phi, s = -1.0, 0.9, 0.3
h = [mu + random.gauss(0, s / math.sqrt(1 - phi * phi))]
for _ in range(1, T):
    h.append(mu + phi * (h[-1] - mu) + random.gauss(0, s))
y = [random.gauss(0, math.exp(x / 2)) for x in h]
json.dump({"N": T, "T": T, "Q": 3, "y": y}, sys.stdout)
