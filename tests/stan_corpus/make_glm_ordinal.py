"""Simulates tests/stan_corpus/glm_ordinal.json (python3 make_glm_ordinal.py):
N = 200 rows of K = 2 standard normal covariates; a binomial outcome of
1 to 10 trials with logit alpha + x * beta, alpha = -0.3, beta = (0.8,
0.4); an ordered logistic outcome in 1..4 with linear predictor x * gamma,
gamma = (1, -0.5), and cutpoints (-1, 0.5, 2). Seed 21."""
import json, math, random
random.seed(21)
N, K = 200, 2
x = [[round(random.gauss(0, 1), 4) for _ in range(K)] for _ in range(N)]
inv_logit = lambda v: 1 / (1 + math.exp(-v))
dot = lambda r, b: sum(a * c for a, c in zip(r, b))
trials = [random.randint(1, 10) for _ in range(N)]
y_bin = [sum(random.random() < inv_logit(-0.3 + dot(r, [0.8, 0.4])) for _ in range(n)) for r, n in zip(x, trials)]
cuts = [-1, 0.5, 2]
def ordinal(eta):
    u = random.random()
    # P(y <= k) = inv_logit(c_k - eta)
    for k, c in enumerate(cuts):
        if u <= inv_logit(c - eta):
            return k + 1
    return len(cuts) + 1
y_ord = [ordinal(dot(r, [1, -0.5])) for r in x]
json.dump({"N": N, "K": K, "x": x, "trials": trials, "y_bin": y_bin, "y_ord": y_ord}, open("glm_ordinal.json", "w"))
