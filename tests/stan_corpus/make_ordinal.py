"""Simulates tests/stan_corpus/ordinal.json (python3 make_ordinal.py): N = 80
ordinal ratings in 1..4 from ordered_logistic(0.8 x, c = (-1, 0.5, 2)) with
x standard normal; counts of 4 categories from multinomial(30, (0.1, 0.2,
0.3, 0.4)); beta_binomial(20, 2, 5) successes for 25 units. Seed 17."""
import json, math, random
random.seed(17)
c = [-1.0, 0.5, 2.0]
inv_logit = lambda t: 1 / (1 + math.exp(-t))
x = [round(random.gauss(0, 1), 4) for _ in range(80)]
def rating(eta):
    u = random.random()
    cdf = [1 - inv_logit(eta - ck) for ck in c] + [1.0]
    return next(k + 1 for k, p in enumerate(cdf) if u < p)
k = [rating(0.8 * xi) for xi in x]
counts = [0, 0, 0, 0]
for _ in range(30):
    u, acc = random.random(), 0.0
    for j, p in enumerate([0.1, 0.2, 0.3, 0.4]):
        acc += p
        if u < acc:
            counts[j] += 1
            break
    else:
        counts[3] += 1
bb = []
for _ in range(25):
    theta = random.betavariate(2, 5)
    bb.append(sum(random.random() < theta for _ in range(20)))
json.dump({"N": 80, "x": x, "k": k, "counts": counts, "U": 25, "trials": 20, "successes": bb}, open("ordinal.json", "w"))
