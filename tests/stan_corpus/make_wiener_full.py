"""Simulates tests/stan_corpus/wiener_full.json (python3 make_wiener_full.py):
N = 24 trials of a diffusion with inter-trial variabilities: boundary
separation a = 1.2, relative start U(w - sw/2, w + sw/2) with w = 0.45,
sw = 0.2, drift N(v, sv^2) with v = 0.8, sv = 0.5, non-decision time
U(t0, t0 + st0) with t0 = 0.25, st0 = 0.1; an Euler walk of step 1e-4
(unit diffusion). The responses at the upper and the lower boundary go
to rt_u and rt_l. Seed 11."""
import json, math, random
random.seed(11)
N, a, w, sw, v, sv, t0, st0 = 24, 1.2, 0.45, 0.2, 0.8, 0.5, 0.25, 0.1
dt = 1e-4
sd = math.sqrt(dt)
rt_u, rt_l = [], []
for n in range(N):
    drift = random.gauss(v, sv)
    x, t = a * random.uniform(w - sw / 2, w + sw / 2), 0.0
    while 0.0 < x < a:
        x += drift * dt + sd * random.gauss(0, 1)
        t += dt
    rt = round(t0 + random.uniform(0, st0) + t, 4)
    (rt_u if x >= a else rt_l).append(rt)
json.dump({"Nu": len(rt_u), "rt_u": rt_u, "Nl": len(rt_l), "rt_l": rt_l}, open("wiener_full.json", "w"))
