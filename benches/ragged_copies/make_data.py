"""Data for the copies-per-length benchmark (python3 make_data.py): for L in
1, 8, 16, 32, 64, choice_L.json has max(L, 16) choice sets of 2 to L + 1
alternatives (L distinct set sizes) and random_intercepts_L.json
max(L, 16) groups of 1 to L observations (L distinct group sizes). Seed 1."""
import json, random

random.seed(1)
for L in [1, 8, 16, 32, 64]:
    K = [2 + (j % L) for j in range(max(L, 16))]
    N = sum(K)
    choice = {"J": len(K), "K": K, "N": N, "x": [random.gauss(0, 1) for _ in range(N)], "y": [1 + random.randrange(k) for k in K]}
    json.dump(choice, open(f"choice_{L}.json", "w"))
    n = [1 + (g % L) for g in range(max(L, 16))]
    N = sum(n)
    json.dump({"G": len(n), "n": n, "N": N, "y": [random.gauss(0, 1) for _ in range(N)]}, open(f"random_intercepts_{L}.json", "w"))
