"""Simulates tests/stan_corpus/glm_categorical.json (python3 make_glm_categorical.py):
N = 300 rows of K = 2 standard normal covariates and a categorical outcome
in 1..3 with logits alpha + (x[n] * beta)', the first category's
coefficients fixed at zero: alpha = (0, 0.5, -0.5), beta = [[0, 1, -1],
[0, -0.5, 0.8]]. Seed 23."""
import json, math, random
random.seed(23)
N, K, C = 300, 2, 3
alpha = [0, 0.5, -0.5]
beta = [[0, 1, -1], [0, -0.5, 0.8]]
x = [[round(random.gauss(0, 1), 4) for _ in range(K)] for _ in range(N)]
def draw(row):
    logits = [alpha[c] + sum(row[k] * beta[k][c] for k in range(K)) for c in range(C)]
    top = max(logits)
    weights = [math.exp(l - top) for l in logits]
    u = random.random() * sum(weights)
    for c, w in enumerate(weights):
        u -= w
        if u <= 0:
            return c + 1
    return C
y = [draw(r) for r in x]
json.dump({"N": N, "K": K, "C": C, "x": x, "y": y}, open("glm_categorical.json", "w"))
