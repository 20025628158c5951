"""Simulates tests/stan_corpus/lda.json (python3 make_lda.py): LDA with K = 2
topics over V = 6 words, M = 8 documents of 12 words; topic 1 favours words
1-3, topic 2 words 4-6. Also J = 40 draws of a 3-way categorical with
probabilities (0.2, 0.5, 0.3). Seed 21."""
import json, random
random.seed(21)
K, V, M, L = 2, 6, 8, 12
phi = [[0.3, 0.3, 0.25, 0.05, 0.05, 0.05], [0.05, 0.05, 0.05, 0.25, 0.3, 0.3]]
def pick(p):
    u, acc = random.random(), 0.0
    for i, x in enumerate(p):
        acc += x
        if u < acc:
            return i + 1
    return len(p)
w, doc = [], []
for m in range(M):
    t = random.random()
    for _ in range(L):
        z = 1 if random.random() < t else 2
        w.append(pick(phi[z - 1])); doc.append(m + 1)
J = 40
y = [pick([0.2, 0.5, 0.3]) for _ in range(J)]
json.dump({"K": K, "V": V, "M": M, "N": len(w), "w": w, "doc": doc, "alpha": [1.0] * K, "beta": [0.5] * V,
           "J": J, "y": y}, open("lda.json", "w"))
