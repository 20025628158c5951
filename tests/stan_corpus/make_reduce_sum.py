"""Simulates tests/stan_corpus/reduce_sum.json (python3 make_reduce_sum.py):
N = 150 standard normal covariates x; a logistic outcome y_bin with
intercept 0.3 and slope -1.2; a normal outcome y_real = 1 + 0.5 x + e with
e ~ normal(0, 0.7). Seed 1."""
import json, math, random
random.seed(1)
N = 150
x = [round(random.gauss(0, 1), 4) for _ in range(N)]
y_bin = [1 if random.random() < 1 / (1 + math.exp(-(0.3 - 1.2 * v))) else 0 for v in x]
y_real = [round(1 + 0.5 * v + random.gauss(0, 0.7), 4) for v in x]
json.dump({"N": N, "x": x, "y_bin": y_bin, "y_real": y_real, "grainsize": 16}, open("reduce_sum.json", "w"))
