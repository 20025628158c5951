"""Simulates tests/stan_corpus/wiener_ddm.json (python3 make_wiener.py): N = 200
trials of a diffusion with boundary separation alpha = 1.2, bias beta = 0.45,
non-decision time tau = 0.25 and drift 0.5 + 1.0 * cond (cond alternating
-0.5, 0.5), by an Euler walk of step 1e-5 (unit diffusion). Seed 3."""
import json, math, random
random.seed(3)
N, alpha, beta, tau = 200, 1.2, 0.45, 0.25
dt = 1e-5
sd = math.sqrt(dt)
rt, upper, cond = [], [], []
for n in range(N):
    c = -0.5 if n % 2 == 0 else 0.5
    drift = 0.5 + 1.0 * c
    x, t = beta * alpha, 0.0
    while 0.0 < x < alpha:
        x += drift * dt + sd * random.gauss(0, 1)
        t += dt
    rt.append(round(tau + t, 5)); upper.append(1 if x >= alpha else 0); cond.append(c)
json.dump({"N": N, "rt": rt, "upper": upper, "cond": cond}, open("wiener_ddm.json", "w"))
