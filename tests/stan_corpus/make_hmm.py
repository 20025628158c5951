"""Simulates tests/stan_corpus/hmm_fit.json (python3 make_hmm.py): N = 200 steps
of a 2-state Gaussian HMM, x_1 ~ rho = (0.5, 0.5), Gamma = [[0.9, 0.1],
[0.15, 0.85]] (row i: the next state's distribution from state i),
y_n ~ normal(mu[x_n], 0.8) with mu = (-1, 2). The true states go in
`z_true` (data the model does not declare, ignored with a warning). Seed 13."""
import json, random
random.seed(13)
N, K = 200, 2
mu, sigma = [-1.0, 2.0], 0.8
gamma = [[0.9, 0.1], [0.15, 0.85]]
x = [0 if random.random() < 0.5 else 1]
for _ in range(N - 1):
    x.append(0 if random.random() < gamma[x[-1]][0] else 1)
y = [round(random.gauss(mu[s], sigma), 4) for s in x]
json.dump({"N": N, "K": K, "y": y, "z_true": [s + 1 for s in x]}, open("hmm_fit.json", "w"))
