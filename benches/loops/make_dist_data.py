"""Data for the loop models of benches/loops/*_loop.stan (one density per
model): N observations of a covariate x, a real response y = 1 + 2 x +
noise, a positive response y_pos = exp(0.5 + 0.3 x + noise / 2) and a
count y_count (a gamma-Poisson draw of mean exp(1 + 0.5 x)) and a choice
y_choice among 4 (a multinomial logit draw, logits (0, 0.5, -0.5, 1) +
(0, 1, -1, 0.5) x), and an exposure in (0.5, 2), seed 1.

    python3 benches/loops/make_dist_data.py 1000 > /tmp/dist.json
"""
import json
import math
import random
import sys


def poisson(rate):
    # Knuth's product of uniforms, in pieces of rate 30 (no underflow).
    k = 0
    while rate > 0:
        r = min(rate, 30.0)
        rate -= r
        limit, p = math.exp(-r), random.random()
        while p > limit:
            k += 1
            p *= random.random()
    return k


n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
random.seed(1)
x = [random.gauss(0, 1) for _ in range(n)]
y = [1 + 2 * v + random.gauss(0, 0.5) for v in x]
y_pos = [math.exp(0.5 + 0.3 * v + 0.5 * random.gauss(0, 1)) for v in x]
phi = 4.0
y_count = [poisson(random.gammavariate(phi, math.exp(1 + 0.5 * v) / phi)) for v in x]


def choice(logits):
    weights = [math.exp(l) for l in logits]
    u = random.random() * sum(weights)
    for k, w in enumerate(weights):
        u -= w
        if u < 0:
            return k + 1
    return len(weights)


y_choice = [choice([a + b * v for a, b in zip((0, 0.5, -0.5, 1), (0, 1, -1, 0.5))]) for v in x]
exposure = [random.uniform(0.5, 2.0) for _ in range(n)]
json.dump({"N": n, "x": x, "y": y, "y_pos": y_pos, "y_count": y_count, "y_choice": y_choice, "exposure": exposure}, sys.stdout)
