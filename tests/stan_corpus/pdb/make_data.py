"""Small simulated data sets for the posteriordb-style programs of this
folder. Run `python3 make_data.py` here; each JSON file is written anew
(seeded, so the files do not change)."""
import json, math, random

random.seed(13)
def nrm(m=0.0, s=1.0): return random.gauss(m, s)
def r(x, k=4): return round(x, k)
def w(name, d):
    with open(name + ".json", "w") as f:
        json.dump(d, f, indent=None)
        f.write("\n")

# eight schools
w("eight_schools", {"J": 8, "y": [28, 8, -3, 7, -1, 1, 18, 12],
                    "sigma": [15, 10, 16, 11, 9, 11, 10, 18]})
# radon: counties, floor, log_uranium
N, J = 40, 6
county = [1 + i % J for i in range(N)]
floor = [random.randint(0, 1) for _ in range(N)]
u = [r(nrm(0, 0.5)) for _ in range(J)]
a = [nrm(1.5, 0.4) for _ in range(J)]
y = [r(a[county[i]-1] - 0.6 * floor[i] + nrm(0, 0.7)) for i in range(N)]
w("radon", {"N": N, "J": J, "county_idx": county, "floor_measure": floor,
            "log_radon": y, "log_uranium": u, "unused_in_some": 3})
# time series for arK / arma / garch
T = 60
ys = [0.0, 0.2]
for t in range(2, T):
    ys.append(0.3 + 0.5 * ys[-1] - 0.2 * ys[-2] + nrm(0, 0.5))
w("ts", {"T": T, "N": T, "K": 2, "y": [r(v) for v in ys], "sigma1": 0.5})
# logistic regression (wells-like)
N, K = 50, 3
X = [[r(nrm()) for _ in range(K)] for _ in range(N)]
beta = [0.8, -0.5, 0.3]
yb = [1 if random.random() < 1/(1+math.exp(-(0.2+sum(b*x for b, x in zip(beta, row))))) else 0 for row in X]
w("logistic", {"N": N, "K": K, "X": X, "y": yb,
               "dist": [r(abs(row[0]) + 0.1) for row in X],
               "arsenic": [r(abs(row[1]) + 0.5) for row in X]})
# linear regression (kidiq / earnings / mesquite / kilpisjarvi)
N = 30
x = [r(1952 + i * 2.0) for i in range(N)]
mom_iq = [r(100 + 15 * nrm()) for _ in range(N)]
mom_hs = [random.randint(0, 1) for _ in range(N)]
kid = [r(25 + 0.6 * m + 5 * h + nrm(0, 10)) for m, h in zip(mom_iq, mom_hs)]
w("linear", {"N": N, "x": x, "y": [r(8 + 0.02 * (v - 1980) + nrm(0, 0.5)) for v in x],
             "xpred": 2016, "pmualpha": 8.0, "psalpha": 10.0, "pmubeta": 0.0, "psbeta": 0.1,
             "kid_score": kid, "mom_iq": mom_iq, "mom_hs": mom_hs,
             "earn": [r(math.exp(9 + 0.1 * nrm())) for _ in range(N)],
             "height": [r(66 + 4 * nrm()) for _ in range(N)],
             "male": [random.randint(0, 1) for _ in range(N)]})
# counts (poisson / negbin / rats-like)
N = 24
xc = [r(nrm()) for _ in range(N)]
w("counts", {"N": N, "x": xc, "y": [min(40, int(random.expovariate(1/math.exp(1 + 0.4 * v)))) for v in xc],
             "exposure": [r(0.5 + random.random()) for _ in range(N)]})
# mixture data
N = 40
w("mix", {"N": N, "K": 2, "y": [r(nrm(-2, 1) if random.random() < 0.4 else nrm(2, 1)) for _ in range(N)]})
# gp pois regression
N = 11
xg = [r(-10 + 2 * i, 2) for i in range(N)]
w("gp_pois", {"N": N, "x": xg, "k": [40, 37, 29, 12, 4, 3, 9, 19, 77, 82, 33]})
# hmm
T, K = 40, 2
z, yh = 1, []
for t in range(T):
    z = z if random.random() < 0.85 else 3 - z
    yh.append(r(nrm(3 if z == 2 else 1, 0.5)))
w("hmm", {"N": T, "K": K, "y": yh})
# IRT 2PL
I, J = 5, 20
w("irt", {"I": I, "J": J, "y": [[1 if random.random() < 0.6 else 0 for _ in range(J)] for _ in range(I)]})
# seeds / surgical / rats binomial
w("surgical", {"N": 12, "n": [47, 148, 119, 810, 211, 196, 148, 215, 207, 97, 256, 360],
               "r": [0, 18, 8, 46, 8, 13, 9, 31, 14, 8, 29, 24]})
# dogs (avoidance learning)
nd, nt = 6, 8
w("dogs", {"n_dogs": nd, "n_trials": nt,
           "y": [[1 if (t < 2 or random.random() < 0.6 - 0.06 * t) else 0 for t in range(nt)] for _ in range(nd)]})
# ordinal / multinomial
N, K = 40, 4
w("ordinal", {"N": N, "K": K, "D": 2, "x": [[r(nrm()), r(nrm())] for _ in range(N)],
              "y": [random.randint(1, K) for _ in range(N)]})
# multivariate: correlated outcomes
N, K = 25, 3
w("mvn", {"N": N, "K": K, "y": [[r(nrm(i, 1)) for i in range(K)] for _ in range(N)],
          "x": [[1.0, r(nrm())] for _ in range(N)], "J": 2})
# survival (exponential / weibull with censoring)
N = 30
w("survival", {"N": N, "t": [r(random.expovariate(0.5) + 0.01) for _ in range(N)],
               "censored": [1 if random.random() < 0.2 else 0 for _ in range(N)],
               "x": [r(nrm()) for _ in range(N)]})
# election88-like varying intercepts by state and region
N, S, R = 60, 8, 3
w("election", {"N": N, "n_state": S, "n_region": R,
               "state": [1 + i % S for i in range(N)],
               "region": [1 + s % R for s in range(S)],
               "black": [1 if random.random() < 0.15 else 0 for _ in range(N)],
               "female": [random.randint(0, 1) for _ in range(N)],
               "y": [random.randint(0, 1) for _ in range(N)]})
# pilots: crossed random effects
N, G, S = 36, 4, 3
w("pilots", {"N": N, "n_groups": G, "n_scenarios": S,
             "group_id": [1 + i % G for i in range(N)],
             "scenario_id": [1 + (i // G) % S for i in range(N)],
             "y": [r(nrm(0.5, 0.2)) for _ in range(N)]})
# one compartment, absorption and elimination
times = [0.5, 1, 2, 4, 6, 8, 12, 24]
ka, ke = 1.2, 0.2
w("pk", {"N_t": len(times), "times": times, "D": 30.0, "V": 2.0,
         "C_hat": [r(30 / 2 * ka / (ka - ke) * (math.exp(-ke * t) - math.exp(-ka * t)) * math.exp(nrm(0, 0.1))) for t in times]})
# bball: sum-to-zero effects
N, T = 30, 5
w("teams", {"N": N, "T": T, "home": [1 + i % T for i in range(N)], "away": [1 + (i + 2) % T for i in range(N)],
            "diff": [r(nrm(0, 5)) for _ in range(N)]})
