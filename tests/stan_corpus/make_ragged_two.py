"""Simulates ragged_two_lengths.json (python3 make_ragged_two.py), seed 36:
G = 10 subjects, each with 1 to 4 measurements of kind a and 1 to 5 of
kind b, ya = alpha_g + e and yb = alpha_g + delta + e with alpha_g ~
normal(mu = 1.0, tau = 0.7), delta = 0.5, e ~ normal(0, sigma = 0.3).
Subject g's measurements are ya[pa[g] : pa[g] + na[g] - 1] and
yb[pb[g] : pb[g] + nb[g] - 1]."""
import json, random

random.seed(36)
G, mu, tau, delta, sigma = 10, 1.0, 0.7, 0.5, 0.3
na, nb, ya, yb = [], [], [], []
for _ in range(G):
    alpha = random.gauss(mu, tau)
    a, b = random.randint(1, 4), random.randint(1, 5)
    na.append(a)
    nb.append(b)
    ya += [round(alpha + random.gauss(0, sigma), 3) for _ in range(a)]
    yb += [round(alpha + delta + random.gauss(0, sigma), 3) for _ in range(b)]
data = {"G": G, "na": na, "nb": nb, "Na": len(ya), "Nb": len(yb), "ya": ya, "yb": yb}
with open("ragged_two_lengths.json", "w") as f:
    json.dump(data, f)
    f.write("\n")
