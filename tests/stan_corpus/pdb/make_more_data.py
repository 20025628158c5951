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
