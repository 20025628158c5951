"""Simulates tests/stan_corpus/gp.json (python3 make_gp.py): N = 25 points x
in [-3, 3], y = f(x) + noise with f drawn from a GP with alpha = 1, rho =
0.8 and noise sigma = 0.3 (Cholesky factor by hand). Also 2-D points for
the vector form. Seed 8."""
import json, math, random
random.seed(8)
N = 25
x = sorted(round(random.uniform(-3, 3), 4) for _ in range(N))
K = [[math.exp(-0.5 * (a - b) ** 2 / 0.8 ** 2) + (1e-9 if i == j else 0) for j, b in enumerate(x)] for i, a in enumerate(x)]
L = [[0.0] * N for _ in range(N)]
for i in range(N):
    for j in range(i + 1):
        s = K[i][j] - sum(L[i][k] * L[j][k] for k in range(j))
        L[i][j] = math.sqrt(s) if i == j else s / L[j][j]
z = [random.gauss(0, 1) for _ in range(N)]
f = [sum(L[i][k] * z[k] for k in range(i + 1)) for i in range(N)]
y = [round(fi + random.gauss(0, 0.3), 4) for fi in f]
x2 = [[round(random.uniform(-2, 2), 3), round(random.uniform(-2, 2), 3)] for _ in range(10)]
json.dump({"N": N, "x": x, "y": y, "M": 10, "x2": x2}, open("gp.json", "w"))
