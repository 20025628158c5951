#!/usr/bin/env python3
"""Do a fit's chains disagree more than their own Monte Carlo errors say?

For each column and run: F = (variance of the chain means) / (mean over
chains of chain variance / chain bulk ESS). When every chain samples the
posterior, F is about chi-squared with (chains - 1) degrees of freedom over
(chains - 1): mean 1. A mean well above 1 over many runs means chains stuck
in different places (bad warmup); about 1 means a high R-hat comes only
from few effective draws per chain.

    /work/peers-venv/bin/python benches/adaptation/chain_agreement.py DIR PREFIX SEEDS COLUMNS [NUM_WARMUP]
    e.g. ... /tmp/hbmc-seeds electric_intercept_nutpie 1-20 beta_x.1,mu_alpha.1

reads DIR/PREFIX_SEED_[1-9].csv as written by seeds.py (warmup saved: the
first NUM_WARMUP rows, default 1000, are skipped).
"""
import glob, sys

import arviz as az
import numpy as np
import pandas as pd


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    d, name, seeds, cols = argv[0], argv[1], argv[2], argv[3].split(",")
    num_warmup = int(argv[4]) if len(argv) > 4 else 1000
    a, _, b = seeds.partition("-")
    res = {c: [] for c in cols}
    for s in range(int(a), int(b or a) + 1):
        files = sorted(glob.glob(f"{d}/{name}_{s}_[0-9].csv"))
        if len(files) < 2:
            continue
        chains = [pd.read_csv(f, comment="#").iloc[num_warmup:] for f in files]
        for c in cols:
            x = [k[c].to_numpy() for k in chains]
            means = np.array([v.mean() for v in x])
            se2 = np.array([v.var() / az.ess(v[None, :]) for v in x])
            res[c].append(means.var(ddof=1) / se2.mean())
    for c in cols:
        r = np.array(res[c])
        print(f"{c}: runs {len(r)}, F mean {r.mean():.2f}, median {np.median(r):.2f}, max {r.max():.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
