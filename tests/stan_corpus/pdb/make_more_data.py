"""Small simulated data sets for the posteriordb-style programs added by
the sweep of 2026-12-07 (Bayesian Cognitive Modeling, Kery & Schaub's BPA
capture-recapture and GLMs, IRT with latent regression, ODEs, ...). Run
`python3 make_more_data.py` here; seeded, so the files do not change.
Ints are JSON ints, as posteriordb ships them; some files carry variables
the programs do not declare, as shared posteriordb files do."""
import json, math, random

random.seed(34)
def nrm(m=0.0, s=1.0): return random.gauss(m, s)
def r(x, k=4): return round(x, k)
def ilogit(x): return 1 / (1 + math.exp(-x))
def binom(n, p): return sum(1 for _ in range(n) if random.random() < p)
def pois(lam):
    l, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= random.random()
        if p < l: return k
        k += 1
def w(name, d):
    with open(name + ".json", "w") as f:
        json.dump(d, f, indent=None)
        f.write("\n")

# Bayesian Cognitive Modeling: rates (Rate_1/4 share one file, Rate_3/5 another)
w("rate_1", {"n": 10, "k": 5})
w("rate_2", {"n1": 10, "n2": 10, "k1": 5, "k2": 7})
# Survey: returns k of an unknown number of surveys n
w("survey", {"nmax": 500, "m": 5, "k": [16, 18, 22, 25, 27]})

# BPA GLMs: a quadratic/cubic trend in standardised years
n = 20
# years scaled to [-0.5, 0.5]: over the wide uniform priors a longer span
# makes counts of 1e9 at the oracles' random points, whose log density
# then drowns its own finite differences in rounding error
year = [r((i - (n - 1) / 2) / 19) for i in range(n)]
C = [pois(math.exp(3.5 + 0.3 * y - 0.4 * y * y + 0.1 * y ** 3 + nrm(0, 0.1))) for y in year]
Nb = [random.randint(20, 40) for _ in range(n)]
Cb = [binom(N, ilogit(0.3 - 0.5 * y - 0.3 * y * y)) for N, y in zip(Nb, year)]
w("bpa_glm", {"n": n, "nyears": n, "C": C, "year": year, "N": Nb, "Cb": Cb})
w("bpa_glm_binomial", {"nyears": n, "C": Cb, "N": Nb, "year": year})

# capture-recapture: M augmented individuals, T occasions (Mb / Mt / Mtbh
# read y[M, T], Mh reads the number of captures)
M, T, Npop = 60, 5, 30
ys = []
for i in range(M):
    row, caught = [], False
    if i < Npop:
        eps = nrm(0, 0.5)
        for t in range(T):
            p = ilogit(-0.6 + eps + (0.5 if caught else 0.0))
            c = 1 if random.random() < p else 0
            caught = caught or c == 1
            row.append(c)
    else:
        row = [0] * T
    ys.append(row)
ys.sort(key=lambda row: -sum(row))
w("capture", {"M": M, "T": T, "y": ys})
w("capture_counts", {"M": M, "T": T, "y": [sum(row) for row in ys]})

# dogs (Solomon-Wynne avoidance learning): 0 = avoided, 1 = shocked
nd, nt = 8, 10
yd = []
for _ in range(nd):
    na, ns, row = 0, 0, []
    for t in range(nt):
        p = math.exp(-0.25 * na - 0.08 * ns)
        s = 1 if random.random() < p else 0
        row.append(s)
        na += 1 - s
        ns += s
    yd.append(row)
w("dogs_log", {"n_dogs": nd, "n_trials": nt, "y": yd})

# seeds (Crowder's germination): 21 plates, 2 x 2 design
I = 21
x1 = [i % 2 for i in range(I)]
x2 = [1 if i >= 11 else 0 for i in range(I)]
Ns = [random.randint(10, 80) for _ in range(I)]
ns = [binom(N, ilogit(-0.5 + 0.1 * a + 1.3 * b - 0.8 * a * b + nrm(0, 0.3))) for N, a, b in zip(Ns, x1, x2)]
w("seeds", {"I": I, "n": ns, "N": Ns, "x1": x1, "x2": x2})

# GARCH(2,1)
T = 80
mu, a0, a1, a2, b1 = 0.1, 0.2, 0.2, 0.1, 0.4
yg, sg = [0.0, 0.3], [0.6, 0.6]
for t in range(2, T):
    s = math.sqrt(a0 + a1 * (yg[-1] - mu) ** 2 + a2 * (yg[-2] - mu) ** 2 + b1 * sg[-1] ** 2)
    sg.append(s)
    yg.append(mu + s * nrm())
w("garch", {"T": T, "y": [r(v) for v in yg], "sigma1": 0.6})

# normal mixtures
N = 60
ym = [r(nrm(-2, 1) if random.random() < 0.4 else nrm(2, 1)) for _ in range(N)]
w("normal_mixture", {"N": N, "y": ym, "K": 2})

# GP regression
N = 12
xg = [r(10 * i / (N - 1)) for i in range(N)]
w("gp_regr", {"N": N, "x": xg, "y": [r(math.sin(v / 2) + nrm(0, 0.2)) for v in xg]})

# election88 (full): N respondents
N = 120
n_age, n_edu, n_state, n_region = 4, 4, 10, 5
age = [random.randint(1, n_age) for _ in range(N)]
edu = [random.randint(1, n_edu) for _ in range(N)]
state = [random.randint(1, n_state) for _ in range(N)]
black = [1 if random.random() < 0.15 else 0 for _ in range(N)]
female = [random.randint(0, 1) for _ in range(N)]
vprev = [r(nrm(0, 0.5)) for _ in range(n_state)]
yv = [1 if random.random() < ilogit(0.3 - 1.5 * b + 0.1 * f + vprev[s - 1]) else 0
      for b, f, s in zip(black, female, state)]
w("election88", {"N": N, "n_age": n_age, "n_age_edu": n_age * n_edu, "n_edu": n_edu,
                 "n_region_full": n_region, "n_state": n_state, "age": age,
                 "age_edu": [(a - 1) * n_edu + e for a, e in zip(age, edu)],
                 "black": black, "edu": edu, "female": female,
                 "region_full": [1 + (s - 1) % n_region for s in state],
                 "state": state, "v_prev_full": [vprev[s - 1] for s in state], "y": yv})

# IRT with a latent regression (edstan): I items, J persons, K covariates
# (an intercept, a binary and a continuous one)
I, J, K = 5, 30, 3
Wm = [[1, random.randint(0, 1), r(nrm(0, 2))] for _ in range(J)]
th = [0.5 * row[1] + 0.2 * row[2] + nrm() for row in Wm]
al = [r(math.exp(nrm(0, 0.3))) for _ in range(I)]
be = [r(nrm(0, 1)) for _ in range(I)]
ii = [1 + i for j in range(J) for i in range(I)]
jj = [1 + j for j in range(J) for i in range(I)]
y2 = [1 if random.random() < ilogit(al[i - 1] * th[j - 1] - be[i - 1]) else 0 for i, j in zip(ii, jj)]
kap = [-0.8, 0.1, 0.7]
def rsm_draw(t, b):
    u = [0.0] + [t - b - k for k in kap]
    cs = [sum(u[:q + 1]) for q in range(len(u))]
    mx = max(cs)
    ps = [math.exp(c - mx) for c in cs]
    z = random.random() * sum(ps)
    for q, p in enumerate(ps):
        z -= p
        if z <= 0: return q
    return len(ps) - 1
yr = [rsm_draw(al[i - 1] * th[j - 1], be[i - 1]) for i, j in zip(ii, jj)]
w("irt_latent_reg", {"I": I, "J": J, "N": I * J, "ii": ii, "jj": jj, "y": y2, "K": K, "W": Wm})
w("irt_rating_scale", {"I": I, "J": J, "N": I * J, "ii": ii, "jj": jj, "y": yr, "K": K, "W": Wm})

# butterfly-style multi-species occupancy: n observed of S species, J sites, K visits
J, K, n, S = 6, 4, 8, 12
xo = []
for i in range(n):
    lpsi, lth = nrm(0, 1), nrm(-0.5, 0.8)
    row = []
    for j in range(J):
        occ = random.random() < ilogit(lpsi)
        row.append(binom(K, ilogit(lth)) if occ else 0)
    if sum(row) == 0: row[0] = 1
    xo.append(row)
w("occupancy", {"J": J, "K": K, "n": n, "x": xo, "S": S})

# loss curves (sislob): n_cohort accident years, development times
n_cohort, n_time = 4, 6
tv = [r(0.5 + t) for t in range(n_time)]
prem = [r(1000 + 200 * c) for c in range(n_cohort)]
cid, tid, loss = [], [], []
for c in range(n_cohort):
    LR = math.exp(nrm(-0.3, 0.1))
    for t in range(n_time - c):
        gf = 1 - math.exp(-(tv[t] / 1.5) ** 1.3)
        cid.append(c + 1); tid.append(t + 1)
        loss.append(r(LR * prem[c] * gf + nrm(0, 0.02 * prem[c])))
w("losscurve", {"growthmodel_id": 1, "n_data": len(cid), "n_time": n_time,
                "n_cohort": n_cohort, "cohort_id": cid, "t_idx": tid,
                "cohort_maxtime": [n_time - c for c in range(n_cohort)],
                "t_value": tv, "premium": prem, "loss": loss})

# ODEs, solved here with small RK4 steps
def rk4(f, y, ts, h=0.01):
    out, t = [], 0.0
    y = list(y)
    for T in ts:
        while t < T - 1e-12:
            s = min(h, T - t)
            k1 = f(t, y)
            k2 = f(t + s / 2, [a + s / 2 * b for a, b in zip(y, k1)])
            k3 = f(t + s / 2, [a + s / 2 * b for a, b in zip(y, k2)])
            k4 = f(t + s, [a + s * b for a, b in zip(y, k3)])
            y = [a + s / 6 * (b + 2 * c + 2 * d + e) for a, b, c, d, e in zip(y, k1, k2, k3, k4)]
            t += s
        out.append(list(y))
    return out
# soil incubation: two pools with feedback
k1, k2, a21, a12, g, tot = 0.1, 0.01, 0.2, 0.3, 0.9, 7.7
ts = [1, 2, 4, 6, 8, 12, 16, 20, 25, 30, 40, 50]
Cs = rk4(lambda t, C: [-k1 * C[0] + a12 * k2 * C[1], -k2 * C[1] + a21 * k1 * C[0]], [g * tot, (1 - g) * tot], ts, 0.05)
w("soil_incubation", {"totalC_t0": tot, "t0": 0, "N_t": len(ts), "ts": ts,
                      "eCO2mean": [r(max(0.001, tot - sum(c) + nrm(0, 0.05))) for c in Cs]})
# SIR with a pathogen reservoir (stoi_hat: new infections, B_hat: pathogen)
beta_, K_, gam, xi, dlt = 0.6, 10000, 0.3, 10.0, 0.3
y0 = [99.0, 1.0, 0.0, 1.0]
tt = [float(d) for d in range(1, 16)]
def sir_f(t, y):
    inf = beta_ * y[3] / (y[3] + K_) * y[0]
    return [-inf, inf - gam * y[1], gam * y[1], xi * y[1] - dlt * y[3]]
ysir = rk4(sir_f, y0, tt, 0.01)
lam = [(y0[0] - ysir[0][0]) * 1000] + [(ysir[k - 1][0] - ysir[k][0]) * 1000 for k in range(1, len(tt))]
w("sir", {"N_t": len(tt), "t": tt, "y0": y0, "stoi_hat": [pois(max(l, 0.01)) for l in lam],
          "B_hat": [r(v[3] * math.exp(nrm(0, 0.15))) for v in ysir]})
# Lotka-Volterra (hudson_lynx_hare-like, shorter)
al, bt, gm, dl = 0.55, 0.028, 0.8, 0.024
tl = [float(v) for v in range(1, 11)]
zl = rk4(lambda t, z: [(al - bt * z[1]) * z[0], (-gm + dl * z[0]) * z[1]], [33.0, 6.0], tl, 0.01)
w("lotka_volterra", {"N": len(tl), "ts": tl, "y_init": [r(33 * math.exp(nrm(0, 0.2))), r(6 * math.exp(nrm(0, 0.2)))],
                     "y": [[r(v * math.exp(nrm(0, 0.2))) for v in z] for z in zl]})

# BUGS examples
# rats: weights of N rats at T ages
N, T = 10, 5
xr = [8.0, 15.0, 22.0, 29.0, 36.0]
yr = [[r(240 + 6.2 * (x - 22) + a + nrm(0, 6)) for x in xr] for a in [nrm(0, 14) for _ in range(N)]]
w("rats", {"N": N, "T": T, "x": xr, "y": yr, "xbar": 22.0})
# dugongs: length against age
xa = [1.0, 1.5, 1.5, 1.5, 2.5, 4.0, 5.0, 5.0, 7.0, 8.0, 8.5, 9.0, 9.5, 9.5, 10.0, 12.0, 12.0, 13.0, 13.0, 14.5, 15.5, 15.5, 16.5, 17.0, 22.5, 29.0, 31.5]
w("dugongs", {"N": len(xa), "x": xa, "Y": [r(2.65 - 0.97 * 0.87 ** x + nrm(0, 0.09)) for x in xa]})
# salm: revertant colonies against dose
# (doses in mg, not ug: with gamma * 1000 in the log rate the counts reach
# 1e9 at the oracles' random points, whose finite differences are then
# mostly rounding error)
dose = [0.0, 0.01, 0.033, 0.1, 0.333, 1.0]
w("salm", {"Ndoses": 6, "Nplates": 3, "x": dose,
           "y": [[pois(math.exp(2.2 + 0.3 * math.log(d + 10) - 1.0 * d + nrm(0, 0.25))) for _ in range(3)] for d in dose]})
# pumps: failures in operating times
tp = [94.3, 15.7, 62.9, 126.0, 5.24, 31.4, 1.05, 1.05, 2.1, 10.5]
w("pumps", {"N": 10, "t": tp, "x": [pois(random.gammavariate(0.7, 1 / 0.9) * t) for t in tp]})
# beetles: dose-response
xb = [1.6907, 1.7242, 1.7552, 1.7842, 1.8113, 1.8369, 1.8610, 1.8839]
nb = [59, 60, 62, 56, 63, 59, 62, 60]
w("beetles", {"N": 8, "x": xb, "n": nb,
              "r": [binom(n, 1 - math.exp(-math.exp(-39.5 + 22 * x))) for n, x in zip(nb, xb)]})
# epil: seizure counts at 4 visits
N, T = 20, 4
Trt = [1 if i >= N // 2 else 0 for i in range(N)]
Base = [random.randint(6, 60) for _ in range(N)]
Age = [random.randint(18, 45) for _ in range(N)]
lb4 = [r(math.log(b / 4)) for b in Base]
la = [r(math.log(a)) for a in Age]
BT = [t * l for t, l in zip(Trt, lb4)]
V4 = [0, 0, 0, 1]
ye = [[pois(math.exp(1.6 + 0.9 * (lb4[i] - 1.7) - 0.3 * Trt[i] - 0.1 * V4[t] + nrm(0, 0.3))) for t in range(T)] for i in range(N)]
mean = lambda v: sum(v) / len(v)
w("epil", {"N": N, "T": T, "y": ye, "Trt": Trt, "V4": V4, "log_Base4": lb4, "log_Age": la, "BT": [r(b) for b in BT],
           "log_Age_bar": r(mean(la)), "Trt_bar": mean(Trt), "BT_bar": r(mean(BT)), "V4_bar": 0.25,
           "log_Base4_bar": r(mean(lb4)), "Age": Age, "Base": Base})
# leuk: Cox regression, counting process with NT distinct failure times
N = 24
Zl = [0.5 if i % 2 == 0 else -0.5 for i in range(N)]
obs = [max(1, int(random.expovariate(0.08 * math.exp(1.2 * z)))) for z in Zl]
fail = [1 if random.random() < 0.8 else 0 for _ in range(N)]
ft = sorted(set(o for o, f in zip(obs, fail) if f == 1))
w("leuk", {"N": N, "NT": len(ft), "obs_t": obs, "fail": fail, "Z": Zl, "t": ft + [max(obs) + 1]})
# stagnant: broken-stick regression
xs = [r(-1.4 + 2.8 * i / 28) for i in range(29)]
w("stagnant", {"N": 29, "x": xs, "Y": [r(0.5 + (-0.45 if x < 0 else -1.0) * x + nrm(0, 0.03)) for x in xs]})
# mice: Weibull survival, censored, four groups
gu, tu, gc, ct = [], [], [], []
for m in range(4):
    for _ in range(6):
        tt_ = (random.expovariate(1.0) / math.exp(-6 - 0.3 * m)) ** (1 / 2.5)
        if tt_ > 30: gc.append(m + 1); ct.append(30.0)
        else: gu.append(m + 1); tu.append(r(tt_))
w("mice", {"N_uncensored": len(tu), "N_censored": len(ct), "M": 4, "group_uncensored": gu,
           "group_censored": gc, "censor_time": ct, "t_uncensored": tu})
# dyes: batches of yield
# (yields in kg, not g: with residuals of 1500 the log density is 1e8 at
# the oracles' points and its finite differences mostly rounding error)
w("dyes", {"BATCHES": 6, "SAMPLES": 5,
           "y": [[r(1.527 + b + nrm(0, 0.05)) for _ in range(5)] for b in [nrm(0, 0.04) for _ in range(6)]]})
# eyes: peak sensitivity wavelengths, two groups
w("eyes", {"N": 48, "y": [r(nrm(536, 3.8) if random.random() < 0.6 else nrm(549, 3.8), 1) for _ in range(48)]})

# hmm_drive: two states of (speed, direction)
N, K = 40, 2
st, hu, hv = 0, [], []
for t in range(N):
    if random.random() < 0.15: st = 1 - st
    hu.append(r(nrm([0.5, 2.0][st], 0.5)))
    hv.append(r(nrm([0.3, 1.5][st], 0.5)))
w("hmm_drive", {"K": K, "N": N, "u": hu, "v": hv, "alpha": [1.0, 1.0], "tau": 0.5, "rho": 0.5})
# a small neural network: N instances, M predictors, K categories, J hidden units
N, M, K, J = 30, 4, 3, 3
xn = [[r(nrm()) for _ in range(M)] for _ in range(N)]
yn = [1 + (0 if row[0] + row[1] > 0.5 else (1 if row[2] > 0 else 2)) for row in xn]
w("nn", {"N": N, "M": M, "x": xn, "y": yn, "K": K, "J": J})
# diamonds (brms): price on an intercept column and 4 predictors
N, K = 40, 5
Xd = [[1] + [r(nrm()) for _ in range(K - 1)] for _ in range(N)]
w("diamonds", {"N": N, "K": K, "X": Xd, "prior_only": 0,
               "Y": [r(7.8 + 1.1 * row[1] - 0.2 * row[2] + 0.05 * row[3] + nrm(0, 0.3)) for row in Xd]})
# accel_gp (brms mcycle): Hilbert-space GP bases for the mean and the log sd
N, NB = 30, 6
L = 1.5 * 1.2
tg = [r(-1 + 2 * i / (N - 1)) for i in range(N)]
def basis(x, m): return math.sqrt(1 / L) * math.sin(m * math.pi / (2 * L) * (x + L))
Xgp = [[r(basis(x, m)) for m in range(1, NB + 1)] for x in tg]
sl = [[r(m * math.pi / (2 * L))] for m in range(1, NB + 1)]
w("accel_gp", {"N": N, "Y": [r(-20 * math.sin(3 * x) + nrm(0, 5 + 10 * (x > 0))) for x in tg],
               "Kgp_1": 1, "Dgp_1": 1, "NBgp_1": NB, "Xgp_1": Xgp, "slambda_1": sl,
               "K_sigma": 1, "X_sigma": [[1] for _ in tg],
               "Kgp_sigma_1": 1, "Dgp_sigma_1": 1, "NBgp_sigma_1": NB, "Xgp_sigma_1": Xgp,
               "slambda_sigma_1": sl, "prior_only": 0})
# LDA with K = 5 topics (small)
K, V, M = 5, 8, 6
wl, dl = [], []
for m in range(M):
    for _ in range(12):
        wl.append(random.randint(1, V)); dl.append(m + 1)
w("ldaK5", {"K": K, "V": V, "M": M, "N": len(wl), "w": wl, "doc": dl,
            "alpha": [0.5] * K, "beta": [0.2] * V})
# regressions (ARM): kid scores, earnings, wells, mesquite, radon, sesame street
N = 40
mom_hs = [random.randint(0, 1) for _ in range(N)]
mom_iq = [r(100 + 15 * nrm()) for _ in range(N)]
mom_work = [random.randint(1, 4) for _ in range(N)]
w("kidiq", {"N": N, "mom_hs": mom_hs, "mom_iq": mom_iq, "mom_work": mom_work, "mom_age": [random.randint(17, 29) for _ in range(N)],
            "kid_score": [r(26 + 6 * h + 0.6 * q + 2 * (wk == 4) + nrm(0, 15)) for h, q, wk in zip(mom_hs, mom_iq, mom_work)]})
height = [r(66 + 4 * nrm()) for _ in range(N)]
male = [random.randint(0, 1) for _ in range(N)]
w("earnings", {"N": N, "height": height, "male": male,
               "earn": [r(math.exp(5.8 + 0.06 * h + 0.4 * m + nrm(0, 0.8)), 1) for h, m in zip(height, male)]})
dist = [r(abs(nrm(50, 40)), 2) for _ in range(N)]
ars = [r(0.5 + abs(nrm(1, 1)), 2) for _ in range(N)]
educ = [random.choice([0, 2, 4, 5, 8, 10, 12]) for _ in range(N)]
w("wells", {"N": N, "dist": dist, "arsenic": ars, "educ": educ,
            "switched": [1 if random.random() < ilogit(0.0 - 0.009 * d + 0.46 * a + 0.04 * e) else 0 for d, a, e in zip(dist, ars, educ)]})
N = 26
d1 = [r(0.8 + abs(nrm(1, 0.6)), 2) for _ in range(N)]
d2 = [r(0.6 + abs(nrm(0.8, 0.5)), 2) for _ in range(N)]
ch = [r(0.5 + abs(nrm(0.6, 0.3)), 2) for _ in range(N)]
grp = [0 if i < 20 else 1 for i in range(N)]
w("mesquite", {"N": N, "diam1": d1, "diam2": d2, "canopy_height": ch,
               "total_height": [r(c + abs(nrm(0.3, 0.2)), 2) for c in ch],
               "density": [random.randint(1, 9) for _ in range(N)], "group": grp,
               "weight": [r(math.exp(5 + 0.8 * math.log(a * b * c) + 0.5 * g + nrm(0, 0.3)), 1) for a, b, c, g in zip(d1, d2, ch, grp)]})
N, J = 50, 8
cty = [1 + i % J for i in range(N)]
fl = [random.randint(0, 1) for _ in range(N)]
uj = [r(nrm(0, 0.4)) for _ in range(J)]
w("radon_all", {"N": N, "J": J, "county_idx": cty, "floor_measure": fl,
                "log_uppm": [uj[c - 1] for c in cty],
                "log_radon": [r(1.4 + 0.7 * uj[c - 1] - 0.6 * f + nrm(0, 0.2) + nrm(0, 0.7)) for c, f in zip(cty, fl)]})
N, J = 40, 5
site = [1 + i % J for i in range(N)]
enc = [random.randint(0, 1) for _ in range(N)]
a_s = [nrm(0.6, 0.2) for _ in range(J)]
watched = [1 if random.random() < a + 0.3 * e else 0 for a, e in zip([a_s[s - 1] for s in site], enc)]
w("sesame", {"N": N, "J": J, "encouraged": enc, "watched": watched, "siteset": site, "z": enc,
             "yt": [[r(20 + 10 * wt + nrm(0, 8)), wt] for wt in watched]})

# LSAT: 5 items, response patterns with cumulative counts
T = 5
pats, counts = [], []
for code in range(32):
    pats.append([(code >> (T - 1 - k)) & 1 for k in range(T)])
    counts.append(random.randint(0, 3))
culm, c = [], 0
for k in counts:
    c += k; culm.append(c)
# the first pattern needs at least one person (the loop over 1:culm[1])
if culm[0] == 0:
    culm = [v + 1 for v in culm]
w("lsat", {"N": culm[-1], "R": 32, "T": T, "culm": culm, "response": pats})
# UK drivers-like monthly series with a level, a 12-month season and two regressors
n = 36
xw = [r(nrm(0, 1)) for _ in range(n)]
ww = [1 if t >= 24 else 0 for t in range(n)]
lvl, yw = 7.4, []
for t in range(n):
    lvl += nrm(0, 0.01)
    yw.append(r(lvl + 0.1 * math.sin(2 * math.pi * t / 12) - 0.1 * xw[t] - 0.2 * ww[t] + nrm(0, 0.03)))
w("uk_drivers", {"n": n, "y": yw, "x": xw, "w": ww})
# partial credit items with different numbers of steps (0..2 or 0..3)
I, J, K = 4, 25, 2
Wp = [[1, r(nrm())] for _ in range(J)]
thp = [0.4 * row[1] + nrm() for row in Wp]
steps = [[-0.5, 0.5], [-1.0, 0.0, 1.0], [0.2, 0.8], [-0.3, 0.3, 0.9]]
def pcm_draw(t, b):
    cs = [0.0]
    for v in b: cs.append(cs[-1] + t - v)
    mx = max(cs); ps = [math.exp(c - mx) for c in cs]
    z = random.random() * sum(ps)
    for q, p in enumerate(ps):
        z -= p
        if z <= 0: return q
    return len(ps) - 1
iip = [1 + i for j in range(J) for i in range(I)]
jjp = [1 + j for j in range(J) for i in range(I)]
yp = [pcm_draw(thp[j - 1], steps[i - 1]) for i, j in zip(iip, jjp)]
# every item reaches its top step once, so the number of steps is what the data say
for i in range(I):
    yp[i] = len(steps[i])
w("irt_partial_credit", {"I": I, "J": J, "N": I * J, "ii": iip, "jj": jjp, "y": yp, "K": K, "W": Wp})
# Bayesian linear regression (sblr-like)
N, D = 40, 5
Xl = [[r(nrm()) for _ in range(D)] for _ in range(N)]
w("blr", {"N": N, "D": D, "X": Xl, "y": [r(sum((k + 1) * 0.3 * x for k, x in enumerate(row)) + nrm(0, 0.5)) for row in Xl]})
# accel_splines (brms s(times)): one linear basis and 5 spline bases per term
N = 30
Xs = [[r(x)] for x in tg]
Zs = [[r(math.exp(-((x - c) / 0.4) ** 2)) for c in [-0.8, -0.4, 0.0, 0.4, 0.8]] for x in tg]
w("accel_splines", {"N": N, "Y": [r(-20 * math.sin(3 * x) + nrm(0, 8)) for x in tg], "K": 1, "X": [[1] for _ in tg],
                    "Ks": 1, "Xs": Xs, "nb_1": 1, "knots_1": [5], "Zs_1_1": Zs,
                    "K_sigma": 1, "X_sigma": [[1] for _ in tg], "Ks_sigma": 1, "Xs_sigma": Xs,
                    "nb_sigma_1": 1, "knots_sigma_1": [5], "Zs_sigma_1_1": Zs, "prior_only": 0})

# a GP on a grid (kronecker_gp): y[n2, n1] over x2 x x1
n1, n2 = 5, 4
xk1 = [r(0.7 * i) for i in range(n1)]
xk2 = [r(0.9 * j) for j in range(n2)]
w("kronecker_gp", {"n1": n1, "n2": n2, "x1": xk1, "x2": xk2,
                   "y": [[r(math.sin(a) + math.cos(b) + nrm(0, 0.3)) for a in xk1] for b in xk2]})

# BYM2 on a small graph: a chain of 12 areas with 3 extra edges
N = 12
edges = [(i, i + 1) for i in range(1, N)] + [(1, 5), (3, 8), (6, 11)]
Eb = [r(random.uniform(5, 30), 2) for _ in range(N)]
w("bym2", {"N": N, "N_edges": len(edges), "node1": [a for a, b in edges], "node2": [b for a, b in edges],
           "y": [pois(e * math.exp(0.1 + nrm(0, 0.2))) for e in Eb], "E": Eb, "scaling_factor": 0.6})

# Cormack-Jolly-Seber: first captures at random, survival 0.75, recapture 0.6
nind, T = 30, 6
ycjs = []
for i in range(nind):
    f = random.randint(1, T - 1)
    row, alive = [0] * T, True
    row[f - 1] = 1
    for t in range(f, T):
        alive = alive and random.random() < 0.75
        if alive and random.random() < 0.6: row[t] = 1
    ycjs.append(row)
w("cjs", {"nind": nind, "n_occasions": T, "y": ycjs})
# coal-mining-like disasters with a change point at t = 22
T = 40
w("changepoint", {"r_e": 0.5, "r_l": 0.5, "T": T, "D": [pois(3.0 if t < 22 else 1.0) for t in range(T)]})

# Efron & Morris (1975) batting averages: 45 at-bats, then the season's rest
yb = [18, 17, 16, 15, 14, 14, 13, 12, 11, 11, 10, 10, 10, 10, 10, 9, 8, 7]
Kn = [367, 426, 521, 275, 418, 466, 586, 138, 510, 200, 277, 270, 435, 538, 186, 558, 405, 70]
yn = [127, 127, 144, 61, 114, 126, 154, 29, 137, 46, 73, 69, 130, 162, 50, 155, 119, 23]
w("baseball", {"N": 18, "K": [45] * 18, "y": yb, "K_new": Kn, "y_new": [a - b for a, b in zip(yn, yb)]})
# Gelman's golf putting data (distance in feet, tries, successes)
w("golf", {"J": 19, "x": list(range(2, 21)),
           "n": [1443, 694, 455, 353, 272, 256, 240, 217, 200, 237, 202, 192, 174, 167, 201, 195, 191, 147, 152],
           "y": [1346, 577, 337, 208, 149, 136, 111, 69, 67, 75, 52, 46, 54, 28, 27, 31, 33, 20, 24],
           "r": (1.68 / 2) / 12, "R": (4.25 / 2) / 12, "overshot": 1.0, "distance_tolerance": 3.0})

# a hurdle Poisson: 30% zeros, then a zero-truncated Poisson(2.5)
yh = []
for _ in range(50):
    if random.random() < 0.3:
        yh.append(0)
    else:
        v = 0
        while v == 0: v = pois(2.5)
        yh.append(v)
w("hurdle", {"N": 50, "y": yh})
# seemingly unrelated regressions: K = 2 outcomes on J = 3 predictors
K, J, N = 2, 3, 30
xs_ = [[1.0] + [r(nrm()) for _ in range(J - 1)] for _ in range(N)]
Bs = [[0.5, 1.0, -0.5], [-1.0, 0.3, 0.8]]
w("sur", {"K": K, "J": J, "N": N, "x": xs_, "y": [[r(sum(Bs[k][j] * row[j] for j in range(J)) + nrm(0, 0.5)) for k in range(K)] for row in xs_]})
# a regression on a covariate measured with noise tau = 0.5
xt = [nrm(1, 2) for _ in range(30)]
w("measurement_error", {"N": 30, "x_meas": [r(v + nrm(0, 0.5)) for v in xt], "tau": 0.5,
                        "y": [r(0.5 + 1.5 * v + nrm(0, 1)) for v in xt]})

# programs without data (low_dim_corr_gauss) read an empty file
w("empty", {})

# The second sweep of 2026-12-07 (posteriordb's hmm_gaussian, nes,
# hierarchical_gp and logistic_regression_rhs, BPA's GLMM1, the BUGS
# examples, the Stan User's Guide's clustering, multi-logit, annotator and
# mark-recapture models, ...), seeded on its own so the files above do not
# change; BUGS' own data where it is short (air, line, hearts).
random.seed(35)
def cat(p):
    u, acc = random.random(), 0.0
    for k, pk in enumerate(p):
        acc += pk
        if u < acc: return k + 1
    return len(p)
def softmax(v):
    m = max(v); e = [math.exp(x - m) for x in v]; s = sum(e)
    return [x / s for x in e]

# posteriordb's hmm_gaussian: two well separated states, sticky transitions
T, z, y = 40, 1, []
for t in range(T):
    if t > 0 and random.random() < 0.15: z = 3 - z
    y.append(r(nrm([-1.0, 2.0][z - 1], [0.6, 0.8][z - 1])))
w("hmm_gaussian", {"T": T, "K": 2, "y": y})

# posteriordb's nes (ARM's National Election Study regression), with the
# extra columns of the shared file
N = 40
ideo = [random.randint(1, 7) for _ in range(N)]
race = [random.choice([0, 0, 0, 0.5, 1]) for _ in range(N)]
age = [random.randint(1, 4) for _ in range(N)]
educ = [random.randint(1, 4) for _ in range(N)]
gender = [random.randint(1, 2) for _ in range(N)]
income = [random.randint(1, 5) for _ in range(N)]
party = [r(min(7, max(1, 1.5 + 0.6 * i - 1.0 * ra + 0.1 * g + 0.2 * inc + nrm(0, 1.2))), 0)
         for i, ra, g, inc in zip(ideo, race, gender, income)]
w("nes", {"N": N, "partyid7": party, "real_ideo": ideo, "race_adj": race,
          "age_discrete": age, "educ1": educ, "gender": gender, "income": income,
          "year": 1972})

# BPA's GLMM1: counts at sites over standardised years
nsite, nyear = 5, 10
year = [r((t - (nyear - 1) / 2) / (nyear - 1)) for t in range(nyear)]
alpha = [nrm(2.5, 0.5) for _ in range(nsite)]
C = [[pois(math.exp(a + 0.4 * x - 0.3 * x * x)) for x in year] for a in alpha]
w("glmm_sites", {"nsite": nsite, "nyear": nyear, "C": C, "year": year})

# posteriordb's logistic_regression_rhs (ovarian/prostate): few relevant
# predictors of many
n, d = 40, 8
x = [[r(nrm()) for _ in range(d)] for _ in range(n)]
beta = [1.5, -1.0] + [0.0] * (d - 2)
yb = [1 if random.random() < ilogit(0.2 + sum(b * v for b, v in zip(beta, row))) else 0 for row in x]
w("rhs", {"n": n, "d": d, "y": yb, "x": x, "scale_icept": 5.0, "scale_global": 0.05,
          "nu_global": 1, "nu_local": 1, "slab_scale": 2.0, "slab_df": 4.0})

# posteriordb's hierarchical_gp (state-wide presidential votes)
N_states, N_regions, N_years = 6, 3, 6
state_region = [1 + s % N_regions for s in range(N_states)]
st, rg, yr, yv = [], [], [], []
for s in range(N_states):
    for t in range(N_years):
        st.append(s + 1); rg.append(state_region[s]); yr.append(t + 1)
        yv.append(r(0.5 + 0.05 * math.sin(t / 2 + s) + nrm(0, 0.03)))
w("presidential_votes", {"N": len(yv), "N_states": N_states, "N_regions": N_regions,
                         "N_years_obs": N_years, "N_years": N_years,
                         "state_region_ind": state_region, "state_ind": st,
                         "region_ind": rg, "year_ind": yr, "y": yv})

# BUGS Blocker: 22 trials in the original; 10 here
N = 10
nt = [random.randint(40, 300) for _ in range(N)]
nc = [random.randint(40, 300) for _ in range(N)]
mu = [nrm(-2.2, 0.4) for _ in range(N)]
rc = [binom(m, ilogit(u)) for m, u in zip(nc, mu)]
rt = [binom(m, ilogit(u - 0.25 + nrm(0, 0.1))) for m, u in zip(nt, mu)]
w("blocker", {"N": N, "nt": nt, "rt": rt, "nc": nc, "rc": rc})

# BUGS Oxford: strata of cases and controls over years (centred)
K = 12
year = [k - 6 for k in range(K)]
n0 = [random.randint(20, 60) for _ in range(K)]
n1 = [random.randint(20, 60) for _ in range(K)]
mu = [nrm(-1.0, 0.3) for _ in range(K)]
r0 = [binom(m, ilogit(u)) for m, u in zip(n0, mu)]
r1 = [binom(m, ilogit(u + 0.6 - 0.04 * yy)) for m, u, yy in zip(n1, mu, year)]
w("oxford", {"K": K, "n0": n0, "n1": n1, "r0": r0, "r1": r1, "year": year})

# BUGS Stacks: stack loss against air flow, water temperature, acid
N, p = 21, 3
X = [[r(nrm(60, 9), 1), r(nrm(21, 3), 1), r(nrm(86, 5), 1)] for _ in range(N)]
Y = [r(-39.9 + 0.72 * a + 1.3 * b - 0.15 * c + nrm(0, 3), 1) for a, b, c in X]
w("stacks", {"N": N, "p": p, "Y": Y, "x": X})

# BUGS Air (its own data), Line (its own data), Hearts (its own data)
w("air", {"alpha": 4.48, "beta": 0.76, "sigma2": 81.14, "J": 3, "y": [21, 20, 15],
          "n": [48, 34, 21], "Z": [10, 30, 50]})
w("line", {"N": 5, "x": [1, 2, 3, 4, 5], "Y": [1, 3, 3, 3, 5]})
w("hearts", {"N": 12, "x": [6, 9, 17, 22, 7, 5, 5, 14, 9, 7, 9, 51],
             "y": [5, 2, 0, 0, 2, 1, 0, 0, 0, 0, 13, 0],
             "t": [11, 11, 17, 22, 9, 6, 5, 14, 9, 7, 22, 51]})

# BUGS Litters: two groups of litters
G, N = 2, 8
n = [[random.randint(4, 13) for _ in range(N)] for _ in range(G)]
rr = [[binom(m, random.betavariate(a, b)) for m in row] for row, (a, b) in zip(n, [(8, 2), (4, 3)])]
w("litter", {"G": G, "N": N, "n": n, "r": rr})

# BUGS Birats: growth lines with correlated intercepts and slopes
N, T = 10, 5
x = [8.0, 15.0, 22.0, 29.0, 36.0]
yb = []
for i in range(N):
    a, b = nrm(106, 10), nrm(6.2, 0.5)
    yb.append([r(a + b * t + nrm(0, 6), 1) for t in x])
w("birats", {"N": N, "T": T, "x": x, "xbar": 22.0, "y": yb,
             "Omega": [[200.0, 0.0], [0.0, 0.2]]})

# BUGS Jaw: ramus heights of boys at four ages
N, M = 12, 4
age = [8.0, 8.5, 9.0, 9.5]
yj = []
for i in range(N):
    u = nrm(0, 2.0)
    yj.append([r(50 + 1.9 * (a - 8.75) + u + nrm(0, 0.4), 2) for a in age])
w("jaw", {"N": N, "M": M, "age": age, "y": yj,
          "R": [[1.0 if i == j else 0.0 for j in range(M)] for i in range(M)]})

# BUGS Orange trees: logistic growth (days / 1000; BUGS fits days)
K, n = 5, 7
x = [0.118, 0.484, 0.664, 1.004, 1.231, 1.372, 1.582]
Yo = []
for k in range(K):
    a, b, c = math.exp(nrm(5.2, 0.1)), math.exp(nrm(2.2, 0.1)), math.exp(nrm(1.0, 0.1))
    Yo.append([r(a / (1 + (b - 1) * math.exp(-c * t)) + nrm(0, 8), 1) for t in x])
w("otrees", {"K": K, "n": n, "x": x, "Y": Yo})

# BUGS Kidney: recurrence times of infection, censored or not; times in
# thousands of days and ages in centuries (BUGS: days and years), which
# keeps exp(-(t / scale)^r) of the censored times above underflow at the
# oracles' random points (a coefficient of 1.5 times an age of 70 years
# makes it exp(-1e13), log 0, in Stan too)
NP = 10
rows = []
for pt in range(NP):
    sex, dis, ag, bpt = random.randint(0, 1), random.randint(1, 4), r(random.uniform(0.1, 0.7), 2), nrm(0, 0.3)
    for _ in range(2):
        scale = math.exp(-(2.8 + 0.5 * ag - 1.0 * sex + 0.3 * (dis == 2) + bpt) / 1.2)
        t = min(0.8, r(0.002 + scale * (-math.log(random.random())) ** (1 / 1.2), 3))
        censored = random.random() < 0.25
        rows.append((censored, t, dis, pt + 1, sex, ag))
uc = [x for x in rows if not x[0]]
rc = [x for x in rows if x[0]]
def col(rs, k): return [x[k] for x in rs]
w("kidney", {"NP": NP, "N_uc": len(uc), "N_rc": len(rc), "t_uc": col(uc, 1), "t_rc": col(rc, 1),
             "disease_uc": col(uc, 2), "disease_rc": col(rc, 2), "patient_uc": col(uc, 3),
             "patient_rc": col(rc, 3), "sex_uc": col(uc, 4), "sex_rc": col(rc, 4),
             "age_uc": col(uc, 5), "age_rc": col(rc, 5)})

# multi-logit: K = 3 choices, D = 2 predictors (with an intercept column)
K, N, D = 3, 40, 2
x = [[1.0, r(nrm())] for _ in range(N)]
B = [[0.5, -0.5, 0.0], [1.0, -1.0, 0.0]]
ym = [cat(softmax([sum(x[i][d] * B[d][k] for d in range(D)) for k in range(K)])) for i in range(N)]
w("mnl", {"K": K, "N": N, "D": D, "y": ym, "x": x})

# soft K-means: two clusters in two dimensions
N, D, K = 30, 2, 2
ys = [[r(nrm(c, 0.5)) for c in ([-1.0, 1.0] if i % 2 else [1.0, -0.5])] for i in range(N)]
w("soft_k_means", {"N": N, "D": D, "K": K, "y": ys})

# Dawid-Skene: I items, J annotators, K categories
K, I, J = 3, 20, 4
truth = [cat([0.5, 0.3, 0.2]) for _ in range(I)]
yd = [[t if random.random() < 0.75 else random.randint(1, K) for _ in range(J)] for t in truth]
w("dawid_skene", {"K": K, "I": I, "J": J, "y": yd, "alpha": [3.0] * K,
                  "beta": [[8.0 if i == k else 1.0 for i in range(K)] for k in range(K)]})

# Lincoln-Petersen: 60 marked, 50 caught, 12 of them marked
w("lincoln_petersen", {"M": 60, "C": 50, "R": 12})

# hierarchical 1PL: J students, K questions, every pair observed
J, K = 15, 6
ab = [nrm() for _ in range(J)]
df = [nrm(0, 0.8) for _ in range(K)]
jj, kk, yi = [], [], []
for j in range(J):
    for k in range(K):
        jj.append(j + 1); kk.append(k + 1)
        yi.append(1 if random.random() < ilogit(ab[j] - df[k] - 0.2) else 0)
w("irt_1pl", {"J": J, "K": K, "N": len(yi), "jj": jj, "kk": kk, "y": yi})

# BUGS Ice: an age-period model of cancer counts (K periods, Nage ages)
Nage, K = 4, 8
yr_, ag_, cs, py = [], [], [], []
for a in range(Nage):
    for k in range(K):
        pyr = random.randint(20000, 60000)
        yr_.append(k + 1); ag_.append(a + 1); py.append(pyr)
        cs.append(pois(pyr * math.exp(-9.0 + 0.8 * a + 0.05 * k)))
w("ice", {"N": len(cs), "Nage": Nage, "K": K, "year": yr_, "cases": cs, "age": ag_, "pyr": py})

# ARM's earnings by ethnicity (varying intercepts and slopes)
N = 40
eth = [random.randint(1, 4) for _ in range(N)]
height = [r(nrm(66, 4)) for _ in range(N)]
earn = [r(math.exp(8.5 + 0.02 * h + 0.1 * e + nrm(0, 0.8)), 0) for h, e in zip(height, eth)]
w("earnings_eth", {"N": N, "earn": earn, "eth": eth, "height": height})

# censored regression and survival: observations above U = 3 are censored
N, U = 40, 3.0
xs = [r(nrm()) for _ in range(N)]
ys = [r(1.0 + 1.2 * x + nrm(0, 1.0)) for x in xs]
obs = [(x, v) for x, v in zip(xs, ys) if v <= U]
cen = [x for x, v in zip(xs, ys) if v > U]
ts = [r(math.exp(0.5 + 0.4 * x) * (-math.log(random.random())) ** (1 / 1.5)) for x in xs]
w("censored", {"N_obs": len(obs), "N_cens": len(cen), "x_obs": [o[0] for o in obs],
               "x_cens": cen, "y_obs": [o[1] for o in obs], "U": U,
               "t_obs": [t for t, v in zip(ts, ys) if v <= U],
               "t_cens": [min(t, 1.0) for t, v in zip(ts, ys) if v > U]})

# overdispersed multinomial counts
N, K = 12, 3
ydm = []
for _ in range(N):
    g = [random.gammavariate(a * 6, 1) for a in (0.5, 0.3, 0.2)]
    p = [v / sum(g) for v in g]
    ydm.append([0] * K)
    for _ in range(20): ydm[-1][cat(p) - 1] += 1
w("dm", {"N": N, "K": K, "y": ydm})

# proportions for a beta regression (brms-style data, with prior_only)
N, K = 30, 3
Xp = [[1.0, r(nrm()), r(nrm())] for _ in range(N)]
Yp = [r(min(0.999, max(0.001, random.betavariate(20 * ilogit(0.3 + 0.5 * x[1]), 20 * (1 - ilogit(0.3 + 0.5 * x[1])))))) for x in Xp]
w("proportions", {"N": N, "K": K, "Y": Yp, "X": Xp, "prior_only": 0})

# GP regression with predictions at new points (Stan User's Guide)
N1, N2 = 10, 4
x1 = [r(-2 + 4 * i / (N1 - 1)) for i in range(N1)]
w("gp_predict", {"N1": N1, "x1": x1, "y1": [r(math.sin(2 * v) + nrm(0, 0.2)) for v in x1],
                 "N2": N2, "x2": [-1.5, -0.25, 0.6, 1.8]})

# B-splines (Kharratzadeh's case study): cubic splines on 6 knots
n = 30
Xs = sorted(r(random.uniform(0, 10)) for _ in range(n))
w("splines", {"num_data": n, "num_knots": 6, "knots": [0.0, 2.0, 4.0, 6.0, 8.0, 10.0],
              "spline_degree": 3, "X": Xs, "Y": [r(math.sin(v / 2) + nrm(0, 0.2)) for v in Xs]})

# a truncated Dirichlet-process mixture: three clusters, truncated at 5
N = 40
yd = [r(nrm(random.choice([-3.0, 0.0, 3.0]), 0.7)) for _ in range(N)]
w("dp_mixture", {"N": N, "y": yd, "K": 5})

# lme4's sleepstudy shape: J subjects over 10 days
J, D = 6, 10
subj, days, react = [], [], []
for j in range(J):
    a, b = nrm(250, 25), nrm(10, 5)
    for d in range(D):
        subj.append(j + 1); days.append(d); react.append(r(a + b * d + nrm(0, 25), 2))
w("sleepstudy", {"N": len(subj), "J": J, "subj": subj, "days": days, "reaction": react})

# Bradley-Terry: K players, N games
K, N = 6, 60
ab = [nrm(0, 1) for _ in range(K)]
p1, p0, yb = [], [], []
for _ in range(N):
    a, b = random.sample(range(K), 2)
    p1.append(a + 1); p0.append(b + 1); yb.append(1 if random.random() < ilogit(ab[a] - ab[b]) else 0)
w("bradley_terry", {"K": K, "N": N, "player1": p1, "player0": p0, "y": yb})

# Bayesian Cognitive Modeling: the seven scientists' measurements (as the
# book), a correlation with measurement errors, Cohen's kappa's counts
# (the book's), exam scores of guessers and knowers, the planes'
# capture-recapture (the book's), a change in a normal mean, twenty
# questions' answers
w("seven_scientists", {"n": 7, "x": [-27.020, 3.570, 8.191, 9.898, 9.603, 9.945, 10.056]})
xc = []
for _ in range(12):
    a = nrm(0, 1)
    xc.append([r(a + nrm(0, 0.3)), r(0.7 * a + nrm(0, 0.7))])
w("correlation", {"n": len(xc), "x": xc, "sigmaerror": [0.3, 0.3]})
w("kappa", {"y": [14, 4, 5, 210]})
w("exams", {"p": 15, "n": 40, "k": [21, 17, 21, 18, 22, 31, 31, 34, 34, 35, 35, 36, 39, 36, 35]})
w("planes", {"x": 10, "n": 5, "k": 4, "tmax": 50})
tt = list(range(1, 41))
w("change_detection", {"n": 40, "t": tt, "c": [r(nrm(30 if v < 25 else 33, 1.5)) for v in tt]})
pa, qa = [random.uniform(0.3, 1) for _ in range(8)], [random.uniform(0.3, 1) for _ in range(12)]
w("twenty_questions", {"np": 8, "nq": 12, "k": [[1 if random.random() < a * b else 0 for b in qa] for a in pa]})

# BPA's Jolly-Seber (superpopulation): M augmented individuals, entries
# spread over the occasions, survival 0.8 and capture 0.5
M, T, Npop = 40, 5, 22
yjs = []
for i in range(M):
    row = [0] * T
    if i < Npop:
        entry, alive = random.randint(0, T - 1), True
        for t in range(entry, T):
            if not alive: break
            row[t] = 1 if random.random() < 0.5 else 0
            alive = random.random() < 0.8
    yjs.append(row)
w("js_super", {"M": M, "n_occasions": T, "y": yjs})

# the User's Guide's semisupervised HMM: K = 3 hidden categories, V = 5 words
K, V, T, Tu = 3, 5, 30, 25
trans = [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]]
emit = [[0.6, 0.2, 0.1, 0.05, 0.05], [0.05, 0.1, 0.7, 0.1, 0.05], [0.05, 0.05, 0.1, 0.2, 0.6]]
zs, ws, zc = [], [], 1
for t in range(T + Tu):
    zc = cat(trans[zc - 1]) if t > 0 else 1
    zs.append(zc); ws.append(cat(emit[zc - 1]))
w("hmm_semisup", {"K": K, "V": V, "T": T, "T_unsup": Tu, "w": ws[:T], "z": zs[:T], "u": ws[T:],
                  "alpha": [1.0] * K, "beta": [0.5] * V})
