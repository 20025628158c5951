"""Simulates the data of two corpus programs whose run-time lengths take
more distinct values than 32 (python3 make_ragged_many.py), seed 35:

- ragged_many_choice.json: J = 200 choice sets, one of each size from 2
  to 201 alternatives (shuffled), one attribute x ~ normal(0, 1); the
  chosen one drawn from softmax(b x) with b = 1.0.
- ragged_many_intercepts.json: G = 60 groups, one of each size from 1 to
  60 observations (shuffled), y = mu + a_g + e with mu = 2.0, a_g ~
  normal(0, tau = 0.8), e ~ normal(0, sigma = 0.4)."""
import json, math, random

random.seed(35)


def choice(J, b):
    sizes = list(range(2, J + 2))
    random.shuffle(sizes)
    x, y = [], []
    for k in sizes:
        a = [round(random.gauss(0, 1), 2) for _ in range(k)]
        u = [b * v for v in a]
        m = max(u)
        w = [math.exp(v - m) for v in u]
        r, acc, pick = random.random() * sum(w), 0.0, k
        for i, wi in enumerate(w):
            acc += wi
            if r <= acc:
                pick = i + 1
                break
        x += a
        y.append(pick)
    return {"J": J, "K": sizes, "N": len(x), "x": x, "y": y}


def intercepts(G, mu, tau, sigma):
    n = list(range(1, G + 1))
    random.shuffle(n)
    y = []
    for k in n:
        a = random.gauss(0, tau)
        y += [round(mu + a + random.gauss(0, sigma), 4) for _ in range(k)]
    return {"G": G, "n": n, "N": len(y), "y": y}


for name, data in [("ragged_many_choice", choice(200, 1.0)), ("ragged_many_intercepts", intercepts(60, 2.0, 0.8, 0.4))]:
    with open(f"{name}.json", "w") as f:
        json.dump(data, f)
