"""Simulates tests/stan_corpus/csr.json (python3 make_csr.py): an N = 40 by
K = 5 design matrix X with about half its entries exactly 0 (a random
effect's indicator columns and a covariate), its compressed row storage
(w, v, u) as Stan's csr_extract_* give it, and y = X * beta + 0.3 * noise
with beta = (1, -0.5, 0.25, 2, -1). Seed 13."""
import json, random
random.seed(13)
N, K = 40, 5
beta = [1, -0.5, 0.25, 2, -1]
X = []
for i in range(N):
    group = i % 3
    row = [1.0 if group == g else 0.0 for g in range(3)]
    row += [round(random.gauss(0, 1), 3) if random.random() < 0.6 else 0.0 for _ in range(2)]
    X.append(row)
w, v, u = [], [], [1]
for row in X:
    for c, x in enumerate(row):
        if x != 0.0:
            w.append(x)
            v.append(c + 1)
    u.append(len(w) + 1)
y = [round(sum(a * b for a, b in zip(row, beta)) + 0.3 * random.gauss(0, 1), 4) for row in X]
json.dump({"N": N, "K": K, "X": X, "nz": len(w), "w": w, "v": v, "u": u, "y": y}, open("csr.json", "w"))
