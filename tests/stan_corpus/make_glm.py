"""Simulates tests/stan_corpus/glm.json (python3 make_glm.py): N = 120 rows of
K = 3 standard normal covariates; a logistic outcome with alpha = -0.5,
beta = (1, -0.7, 0.3); a Poisson outcome with log rate 0.4 + x * (0.5,
0.2, -0.4); a normal outcome 2 + x * (1.5, 0, -1) with sigma = 0.8. Seed 5."""
import json, math, random
random.seed(5)
N, K = 120, 3
x = [[round(random.gauss(0, 1), 4) for _ in range(K)] for _ in range(N)]
dot = lambda r, b: sum(a * c for a, c in zip(r, b))
def poisson(lam):
    k, p = 0, math.exp(-lam)
    s, u = p, random.random()
    while u > s:
        k += 1; p *= lam / k; s += p
    return k
y_bin = [1 if random.random() < 1 / (1 + math.exp(-(-0.5 + dot(r, [1, -0.7, 0.3])))) else 0 for r in x]
y_count = [poisson(math.exp(0.4 + dot(r, [0.5, 0.2, -0.4]))) for r in x]
y_real = [round(2 + dot(r, [1.5, 0, -1]) + random.gauss(0, 0.8), 4) for r in x]
json.dump({"N": N, "K": K, "x": x, "y_bin": y_bin, "y_count": y_count, "y_real": y_real}, open("glm.json", "w"))
