"""Simulates tests/stan_corpus/ragged_groups.json (python3 make_ragged.py):
G = 8 groups of 1 to 12 observations (sizes drawn, one group empty), group
intercepts a[g] ~ normal(mu = 1.5, tau = 0.7), slope b = -0.8, noise
sigma = 0.5, covariates x ~ normal(0, 1). Seed 13."""
import json, random
random.seed(13)
G = 8
n = [random.randint(1, 12) for _ in range(G)]
n[5] = 0
a = [random.gauss(1.5, 0.7) for _ in range(G)]
x, y = [], []
for g in range(G):
    for _ in range(n[g]):
        xi = random.gauss(0, 1)
        x.append(round(xi, 4))
        y.append(round(a[g] - 0.8 * xi + random.gauss(0, 0.5), 4))
json.dump({"G": G, "n": n, "N": len(y), "x": x, "y": y}, open("ragged_groups.json", "w"))
