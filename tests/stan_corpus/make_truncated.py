"""Simulates tests/stan_corpus/truncated.json (python3 make_truncated.py):
normal(1, 2) draws kept above L = 0, normal(-1, 1.5) draws between -2 and a
cut of 1.2, and zero-truncated poisson(1) counts. Seed 13."""
import json, math, random
random.seed(13)
def draw(f, keep):
    while True:
        x = f()
        if keep(x):
            return x
N, M, K = 150, 80, 200
y = [round(draw(lambda: random.gauss(1.0, 2.0), lambda v: v >= 0.0), 6) for _ in range(N)]
z = [round(draw(lambda: random.gauss(-1.0, 1.5), lambda v: -2.0 <= v <= 1.2), 6) for _ in range(M)]
def poisson(lam):
    k, p, u = 0, math.exp(-lam), random.random()
    s = p
    while u > s:
        k += 1; p *= lam / k; s += p
    return k
k = [draw(lambda: poisson(1.0), lambda v: v >= 1) for _ in range(K)]
json.dump({"N": N, "L": 0.0, "y": y, "M": M, "z_low": -2.0, "z": z, "K": K, "k": k, "unused_by_this_model": 1},
          open("truncated.json", "w"))
