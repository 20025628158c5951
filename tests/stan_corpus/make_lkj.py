"""Simulates tests/stan_corpus/lkj.json (python3 make_lkj.py): N = 60 draws
of a 3-variate normal with mu = (1, -1, 0.5), scales tau = (1, 2, 0.5) and
correlations 0.6 (1, 2), -0.3 (1, 3), 0.2 (2, 3). Seed 4."""
import json, math, random
random.seed(4)
mu, tau = [1.0, -1.0, 0.5], [1.0, 2.0, 0.5]
R = [[1, 0.6, -0.3], [0.6, 1, 0.2], [-0.3, 0.2, 1]]
S = [[tau[i] * R[i][j] * tau[j] for j in range(3)] for i in range(3)]
L = [[0.0] * 3 for _ in range(3)]
for i in range(3):
    for j in range(i + 1):
        s = S[i][j] - sum(L[i][k] * L[j][k] for k in range(j))
        L[i][j] = math.sqrt(s) if i == j else s / L[j][j]
y = []
for _ in range(60):
    z = [random.gauss(0, 1) for _ in range(3)]
    y.append([round(mu[i] + sum(L[i][k] * z[k] for k in range(i + 1)), 4) for i in range(3)])
json.dump({"N": 60, "K": 3, "y": y}, open("lkj.json", "w"))
