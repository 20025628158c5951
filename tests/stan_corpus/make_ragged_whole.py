"""Simulates the data of three corpus programs whose run-time-length
vectors are taken whole (python3 make_ragged_whole.py), seed 29:

- ragged_choice.json: J = 160 choice sets of 2 to 6 alternatives with two
  attributes x1, x2 ~ normal(0, 1); the chosen one drawn from
  softmax(b1 x1 + b2 x2) with b1 = 1.0, b2 = -0.7.
- ragged_mixture.json: G = 5 groups of 1 to 3 normal components (stacked
  means, log weights), 6 to 10 observations each (a small data set for
  the oracles).
- ragged_random_intercepts.json: G = 12 groups of 1 to 9 observations,
  y = mu + a_g + e with mu = 2.0, a_g ~ normal(0, tau = 0.8), e ~
  normal(0, sigma = 0.4); group g's observations are y[pos[g] : pos[g] +
  n[g] - 1], also given as first[g], last[g]."""
import json, math, random

random.seed(29)


def choice():
    J, b1, b2 = 160, 1.0, -0.7
    K, x1, x2, y = [], [], [], []
    for _ in range(J):
        k = random.randint(2, 6)
        a = [round(random.gauss(0, 1), 3) for _ in range(k)]
        c = [round(random.gauss(0, 1), 3) for _ in range(k)]
        u = [b1 * p + b2 * q for p, q in zip(a, c)]
        m = max(u)
        w = [math.exp(v - m) for v in u]
        r, acc = random.random() * sum(w), 0.0
        pick = k
        for i, wi in enumerate(w):
            acc += wi
            if r <= acc:
                pick = i + 1
                break
        K.append(k)
        x1 += a
        x2 += c
        y.append(pick)
    return {"J": J, "K": K, "N": len(x1), "x1": x1, "x2": x2, "y": y}


def mixture():
    G = 5
    K = [random.randint(1, 3) for _ in range(G)]
    K[0], K[1] = 1, 3
    grp, y = [], []
    for g in range(G):
        mus = [random.gauss(0, 3) for _ in range(K[g])]
        for _ in range(random.randint(6, 10)):
            grp.append(g + 1)
            y.append(round(random.gauss(random.choice(mus), 1.0), 3))
    return {"G": G, "K": K, "N": len(y), "grp": grp, "y": y}


def random_intercepts():
    G, mu, tau, sigma = 12, 2.0, 0.8, 0.4
    n = [random.randint(1, 9) for _ in range(G)]
    y, first, last = [], [], []
    for g in range(G):
        a = random.gauss(0, tau)
        first.append(len(y) + 1)
        y += [round(mu + a + random.gauss(0, sigma), 4) for _ in range(n[g])]
        last.append(len(y))
    return {"G": G, "n": n, "N": len(y), "y": y, "first": first, "last": last}


for name, data in [("ragged_choice", choice()), ("ragged_mixture", mixture()), ("ragged_random_intercepts", random_intercepts())]:
    with open(f"{name}.json", "w") as f:
        json.dump(data, f)
