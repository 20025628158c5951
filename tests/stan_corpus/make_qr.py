"""Simulates tests/stan_corpus/qr_regression.json (python3 make_qr.py): N = 80
rows of K = 3 correlated covariates (the second is the first plus noise,
the third has mean 2), y = 1.5 + x * (1, -2, 0.5) + normal(0, 0.3). Seed 7."""
import json, random
random.seed(7)
N, K = 80, 3
x = []
for _ in range(N):
    a = random.gauss(0, 1)
    x.append([round(a, 4), round(a + 0.5 * random.gauss(0, 1), 4), round(2 + random.gauss(0, 1), 4)])
y = [round(1.5 + r[0] - 2 * r[1] + 0.5 * r[2] + random.gauss(0, 0.3), 4) for r in x]
json.dump({"N": N, "K": K, "x": x, "y": y}, open("qr_regression.json", "w"))
