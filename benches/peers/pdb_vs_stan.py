#!/usr/bin/env python3
"""hbmc against Stan (PyStan 3.10), program by program, on this machine.

Not part of the test suite. Exits 0 with a message when PyStan is absent.
Install it outside the repository (it compiles each model with the system
C++ compiler, 30-90 s a model, cached by httpstan after the first build):

    cd /tmp && pip install pystan==3.10.0

Then, from the repository root:

    python3 benches/peers/pdb_vs_stan.py tests/stan_corpus/pdb/radon_pooled.stan ...
    python3 benches/peers/pdb_vs_stan.py --all
    python3 benches/peers/pdb_vs_stan.py --from-fits FITS.txt --slowest 25 PROGS...
    python3 benches/peers/pdb_vs_stan.py --build-only PROGS...  # compile for Stan only
    python3 benches/peers/pdb_vs_stan.py --table                 # table of the results so far
    python3 benches/peers/pdb_vs_stan.py --combine W1 W2 W3      # medians of runs with --work W1, ...

Each program names its data on a `// data:` line. For each:

- hbmc: `hbmc run PROG --data DATA --seed S --quiet --draws 1000 --output
  ...` (4 chains x 1000 warmup + 1000 draws, hbmc's default adaptation
  otherwise: low-rank, adapt_delta 0.85, jitter 0.15); wall time of the
  whole run (compile, sampling, CSV, summary) and CPU time of the process;
  gradients from its end-of-run line.
- Stan: `stan.build(code, data, random_seed=S)` (not timed), then
  `posterior.sample(num_chains=4, num_warmup=1000, num_samples=1000,
  save_warmup=True)` timed: wall, and CPU of the process and its
  sampling workers (httpstan runs chains in a pool of os.cpu_count()
  forked processes). The warmup draws are kept only to count its
  gradients (sum of `n_leapfrog__`). httpstan caches fits of a seeded
  model; the cached fit is deleted before each timed run.
- The same ESS estimator for both: each sampler's post-warmup draws as
  CmdStan CSV files, one per chain (PyStan's `fit._draws` is (column,
  draw, chain)), read by `hbmc summary --format csv --all`: min bulk ESS
  and max R-hat over the cells of the parameters block (all cells when that
  block cannot be read from the source).
- Also each sampler's own time per chain ("Elapsed Time" of warmup plus
  sampling, written by both in the CmdStan way), summed over chains
  (`chain_s`, recorded, not tabled: on a busy machine it counts time
  descheduled).

Results go to WORK/results.jsonl (default WORK /tmp/pdb_vs_stan), one JSON
object per program; programs already there are skipped unless --redo.
The table, sorted by the wall ratio (hbmc ESS/s over Stan ESS/s), worst
first:

  ratio      (hbmc min ESS / hbmc wall) / (Stan min ESS / Stan wall)
  ratio_cpu  the same with CPU seconds: hbmc's process (compile included),
             Stan's sampling workers (PyStan's own process left out)
  us/grad    those CPU seconds / all gradients (warmup included), each:
             the cost of a gradient plus the sampler's work per step
  ratio_cpu = (ESS per gradient, hbmc / Stan) x (Stan us/grad / hbmc us/grad):
             adaptation and per-gradient cost, the two factors tabled
  ESS/kgrad  min bulk ESS per 1000 gradients (warmup included), each

A Stan fit is cut after --stan-timeout seconds of sampling (default 300)
and recorded as skipped; its compile has its own limit (--build-timeout).
"""

import argparse
import csv
import glob
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLER = ["lp__", "accept_stat__", "stepsize__", "treedepth__", "n_leapfrog__", "divergent__", "energy__"]
CHAINS, WARMUP, DRAWS = 4, 1000, 1000
# Names hbmc reads that stanc 2.35 rejects, renamed for stanc (the same
# program): a function Stan removed, and `offset` as a variable (a keyword
# to stanc; its `<offset=...>` uses are left alone).
STAN_RENAMES = {"cov_exp_quad": "gp_exp_quad_cov", "offset": "offset_"}


def stan_code(prog):
    """The program's source as given to stanc (STAN_RENAMES applied)."""
    code = open(prog).read()

    def rename(text):
        def one(m):
            if m.group(0) == "offset" and text[:m.start()].rstrip().endswith(("<", ",")):
                return m.group(0)  # the affine transform's `offset=`
            return STAN_RENAMES[m.group(0)]
        return re.sub(r"\b(" + "|".join(STAN_RENAMES) + r")\b", one, text)
    # Only programs whose code (not just comments) needs it change, so that
    # the others keep httpstan's compiled model.
    return rename(code) if rename(strip_comments(code)) != strip_comments(code) else code


# ---------------------------------------------------------------- programs

def data_path(prog):
    """The data file named on the program's `// data:` line, or None."""
    with open(prog) as f:
        for line in f:
            if line.startswith("// data:"):
                return os.path.join(ROOT, line.split(":", 1)[1].strip())
    return None


def strip_comments(code):
    """Stan source without `/* */`, `//` and `#` comments."""
    code = re.sub(r"/\*.*?\*/", " ", code, flags=re.S)
    return re.sub(r"(//|#)[^\n]*", " ", code)


def parameter_names(code):
    """Names declared in the `parameters` block (not `transformed
    parameters`), or None when the block cannot be found. Enough for the
    declarations Stan allows there: `TYPE<...>[...] a, b;`."""
    code = strip_comments(code)
    for m in re.finditer(r"(\btransformed\s+)?\bparameters\s*\{", code):
        if m.group(1):
            continue
        depth, i = 1, m.end()
        while i < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[i], 0)
            i += 1
        body = code[m.end():i - 1]
        names = []
        for stmt in body.split(";"):
            prev = None
            while prev != stmt:  # drop bracketed parts, innermost first
                prev = stmt
                stmt = re.sub(r"\([^()]*\)|\[[^\[\]]*\]|<[^<>]*>", " ", stmt)
            pieces = stmt.split(",")
            idents = re.findall(r"[A-Za-z_]\w*", pieces[0])
            if idents:
                names.append(idents[-1])
            names += [p.strip() for p in pieces[1:] if re.fullmatch(r"[A-Za-z_]\w*", p.strip())]
        return names
    return None


# ---------------------------------------------------------------- CSV files

def write_cmdstan_csv(path, columns, rows, chain, seed, model, timing, delta=0.8):
    """One chain's post-warmup draws (rows: draws x columns) as CmdStan CSV."""
    import numpy as np
    with open(path, "w") as f:
        f.write(f"# model = {model}\n# method = sample (Default)\n#   sample\n"
                f"#     num_samples = {DRAWS}\n#     num_warmup = {WARMUP}\n#     save_warmup = 0\n"
                f"#     thin = 1\n#     adapt\n#       engaged = 1\n#       delta = {delta}\n"
                f"#     algorithm = hmc (Default)\n#       hmc\n#         engine = nuts\n"
                f"#           nuts\n#             max_depth = 10\n#         metric = diag_e\n"
                f"# id = {chain}\n# random\n#   seed = {seed}\n# stan_version = pystan 3.10.0\n")
        f.write(",".join(columns) + "\n# Adaptation terminated\n")
        np.savetxt(f, rows, fmt="%.17g", delimiter=",")
        f.write(f"# \n#  Elapsed Time: {timing[0]} seconds (Warm-up)\n"
                f"#                {timing[1]} seconds (Sampling)\n"
                f"#                {timing[0] + timing[1]} seconds (Total)\n# \n")


def read_sampler_columns(path):
    """(post-warmup n_leapfrog__ sum, divergences, (warmup s, sampling s))
    of one CmdStan CSV file written without its warmup draws."""
    header, leap, div, timing = None, 0, 0, [None, None]
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                m = re.search(r"Elapsed Time: ([0-9.eE+-]+) seconds \(Warm-up\)", line)
                if m:
                    timing[0] = float(m.group(1))
                m = re.search(r"([0-9.eE+-]+) seconds \(Sampling\)", line)
                if m:
                    timing[1] = float(m.group(1))
                continue
            if header is None:
                header = line.strip().split(",")
                il, idv = header.index("n_leapfrog__"), header.index("divergent__")
                continue
            if line.strip():
                v = line.split(",")
                leap += int(float(v[il]))
                div += int(float(v[idv]))
    return leap, div, tuple(timing)


def summarize(hbmc, files, names):
    """min bulk ESS (and its cell), max R-hat (and its cell) over the
    parameters' cells, by `hbmc summary --format csv --all`."""
    p = subprocess.run([hbmc, "summary", "--format", "csv", "--all", "--allow-mixed", *files],
                       capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0:
        return {"summary_error": p.stderr.strip()[:300]}
    rows = list(csv.DictReader(p.stdout.splitlines()))
    cells = [r for r in rows if r["variable"] not in SAMPLER]
    chosen = [r for r in cells if names and r["variable"] in names] or cells
    out = {"cells": len(chosen), "cells_all": len(cells)}
    ess = [(float(r["ess_bulk"]), r["column"]) for r in chosen if r["ess_bulk"] not in ("NaN", "inf", "")]
    rh = [(float(r["rhat"]), r["column"]) for r in chosen if r["rhat"] not in ("NaN", "inf", "")]
    if ess:
        out["ess_min"], out["ess_min_cell"] = min(ess)
    if rh:
        out["rhat_max"], out["rhat_max_cell"] = max(rh)
    return out


# ---------------------------------------------------------------- hbmc

def run_hbmc(hbmc, prog, data, seed, outdir, timeout):
    """One timed `hbmc run` (4 x (1000 + 1000)): wall, CPU, gradients,
    divergences, summed chain times, the CSV files."""
    os.makedirs(outdir, exist_ok=True)
    prefix = os.path.join(outdir, "fit")
    cmd = [hbmc, "run", prog, *(["--data", data] if data else []), "--seed", str(seed), "--quiet",
           "--draws", str(DRAWS), "--warmup", str(WARMUP), "--chains", str(CHAINS),
           "--output", prefix, "--overwrite"]
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout} s"}
    wall = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    res = {"wall": wall, "cpu": (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime),
           "rc": p.returncode, "cmd": " ".join(cmd)}
    m = re.search(r"gradient evaluations: (\d+) \((\d+) warmup", p.stderr)
    if m:
        res["grads"], res["grads_warmup"] = int(m.group(1)), int(m.group(2))
    m = re.search(r"Gradient evaluation took ([0-9.eE+-]+) seconds", p.stderr)
    if m:
        res["grad_init_s"] = float(m.group(1))
    files = sorted(glob.glob(prefix + "_[0-9]*.csv"))
    if p.returncode != 0 or not files:
        res["error"] = (p.stderr.strip().splitlines() or ["no output"])[-1][:300]
        return res
    res["files"] = files
    leap, div, chain_s = 0, 0, 0.0
    for fn in files:
        l, d, t = read_sampler_columns(fn)
        leap, div = leap + l, div + d
        chain_s += sum(x for x in t if x is not None)
    res["leapfrog_sampling"], res["div"], res["chain_s"] = leap, div, chain_s
    return res


# ---------------------------------------------------------------- Stan (child process)

def proc_cpu(pid):
    """utime + stime of one process in seconds (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def children_cpu():
    """{pid: CPU seconds} of this process's live children (httpstan's workers)."""
    pids = set()
    for task in glob.glob("/proc/self/task/*/children"):
        try:
            with open(task) as f:
                pids.update(int(x) for x in f.read().split())
        except OSError:
            pass
    return {pid: proc_cpu(pid) for pid in pids}


def lift_client_timeout():
    """PyStan talks to httpstan through aiohttp, whose default limit of 300 s
    per request cuts compiles on a busy machine; our own limits apply."""
    import aiohttp
    import aiohttp.client
    aiohttp.client.DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=30)


def stan_child(prog, data, seed, outdir):
    """Builds and samples one program with PyStan; writes OUTDIR/stan.json
    and OUTDIR/fit_C.csv. `phase` in OUTDIR/phase tells the parent how far
    it got (for its time limits)."""
    import numpy as np
    import stan
    import httpstan.cache
    lift_client_timeout()
    os.makedirs(outdir, exist_ok=True)

    def phase(p):
        with open(os.path.join(outdir, "phase"), "w") as f:
            f.write(f"{p} {time.time()}\n")

    res = {}
    code = stan_code(prog)
    d = json.load(open(data)) if data else {}
    phase("build")
    t0 = time.perf_counter()
    try:
        posterior = stan.build(code, data=d, random_seed=seed)
    except Exception as e:  # the error is the result: stanc or data rejected
        res["error"] = f"build: {type(e).__name__}: {str(e).strip()[-300:]}"
        json.dump(res, open(os.path.join(outdir, "stan.json"), "w"))
        return
    res["build_s"] = time.perf_counter() - t0
    # A seeded fit is cached by httpstan: delete it so that it is sampled again.
    for f in glob.glob(str(httpstan.cache.model_directory(posterior.model_name) / "fits" / "*")):
        os.remove(f)
    phase("sample")
    before = children_cpu()
    self0 = sum(os.times()[:2])
    t0 = time.perf_counter()
    try:
        fit = posterior.sample(num_chains=CHAINS, num_warmup=WARMUP, num_samples=DRAWS, save_warmup=True)
    except Exception as e:
        res["error"] = f"sample: {type(e).__name__}: {str(e).strip()[-300:]}"
        json.dump(res, open(os.path.join(outdir, "stan.json"), "w"))
        return
    res["wall"] = time.perf_counter() - t0
    after = children_cpu()
    res["cpu_workers"] = sum(c - before.get(pid, 0.0) for pid, c in after.items())
    res["cpu"] = sum(os.times()[:2]) - self0 + res["cpu_workers"]
    phase("write")
    cols = list(fit.sample_and_sampler_param_names) + list(fit.constrained_param_names)
    draws = fit._draws  # (column, draw, chain); warmup draws first
    assert draws.shape == (len(cols), WARMUP + DRAWS, CHAINS), draws.shape
    il, idv = cols.index("n_leapfrog__"), cols.index("divergent__")
    res["grads_warmup"] = int(draws[il, :WARMUP, :].sum())
    res["grads"] = int(draws[il, :, :].sum())
    res["div"] = int(draws[idv, WARMUP:, :].sum())
    # Each chain's own "Elapsed Time" lines, from httpstan's messages.
    timings = []
    for out in fit.stan_outputs:
        w = s = None
        for line in out.splitlines():
            if b'"logger"' not in line or b"seconds" not in line:
                continue
            m = re.search(rb"Elapsed Time: ([0-9.eE+-]+) seconds \(Warm-up\)", line)
            w = float(m.group(1)) if m else w
            m = re.search(rb"([0-9.eE+-]+) seconds \(Sampling\)", line)
            s = float(m.group(1)) if m else s
        m = re.search(rb"Gradient evaluation took ([0-9.eE+-]+) seconds", out)
        if m:
            res.setdefault("grad_init_s", []).append(float(m.group(1)))
        timings.append((w or 0.0, s or 0.0))
    res["chain_s"] = sum(w + s for w, s in timings)
    name = os.path.basename(prog)[:-5]
    files = []
    for c in range(CHAINS):
        fn = os.path.join(outdir, f"fit_{c + 1}.csv")
        write_cmdstan_csv(fn, cols, draws[:, WARMUP:, c].T, c + 1, seed, name, timings[c])
        files.append(fn)
    res["files"] = files
    phase("done")
    json.dump(res, open(os.path.join(outdir, "stan.json"), "w"))


def run_stan(prog, data, seed, outdir, build_timeout, fit_timeout, build_only=False):
    """Runs stan_child in its own session, cut when a phase runs over."""
    for f in glob.glob(os.path.join(outdir, "*")):
        os.remove(f)
    os.makedirs(outdir, exist_ok=True)
    cmd = [sys.executable, os.path.abspath(__file__), "--stan-child", prog, data or "", str(seed), outdir]
    if build_only:
        cmd.append("--build-only-child")
    log = open(os.path.join(outdir, "child.log"), "w")
    # Not in the repository: the C++ build leaves a build/ directory in its cwd.
    p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=outdir, start_new_session=True)
    cut = None
    while p.poll() is None:
        time.sleep(0.5)
        try:
            ph, since = open(os.path.join(outdir, "phase")).read().split()
        except (OSError, ValueError):
            continue
        limit = build_timeout if ph == "build" else fit_timeout if ph == "sample" else 600
        if time.time() - float(since) > limit:
            cut = f"{ph} longer than {limit} s"
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    log.close()
    if cut:
        return {"error": f"skipped: {cut}"}
    try:
        res = json.load(open(os.path.join(outdir, "stan.json")))
        if "error" in res:  # stanc's message went to the child's log
            res["log_tail"] = open(os.path.join(outdir, "child.log")).read().strip().splitlines()[-12:]
        return res
    except (OSError, ValueError):
        tail = open(os.path.join(outdir, "child.log")).read().strip().splitlines()[-3:]
        return {"error": f"child failed (rc {p.returncode}): {' | '.join(tail)[:300]}"}


# ---------------------------------------------------------------- table

def derived(r):
    """The table's figures of one result (None where a side failed)."""
    h, s = r.get("hbmc", {}), r.get("stan", {})
    out = {}
    for k, x in (("h", h), ("s", s)):
        e = x.get("ess_min")
        if e is None or "error" in x:
            return None
        # CPU of the sampling itself: hbmc's whole process (compile
        # included), Stan's sampling workers (not PyStan's transport).
        cpu = x.get("cpu_workers", x["cpu"])
        out[k + "_ess_s"] = e / x["wall"]
        out[k + "_ess_cpu"] = e / cpu if cpu else float("nan")
        out[k + "_us_grad"] = 1e6 * cpu / x["grads"] if x.get("grads") else float("nan")
        out[k + "_ess_kgrad"] = 1000 * e / x["grads"] if x.get("grads") else float("nan")
    out["ratio"] = out["h_ess_s"] / out["s_ess_s"]
    out["ratio_cpu"] = out["h_ess_cpu"] / out["s_ess_cpu"]
    # ratio_cpu = adapt x grad: ESS per gradient, and gradients per CPU second.
    out["adapt"] = out["h_ess_kgrad"] / out["s_ess_kgrad"]
    out["grad"] = out["s_us_grad"] / out["h_us_grad"]
    return out


def flags(h, s):
    """Why a row's ratio says little: a sampler that did not converge
    (max R-hat above 1.05) or has under 100 effective draws."""
    out = []
    for who, x in (("hbmc", h), ("Stan", s)):
        if x.get("rhat_max", 1.0) > 1.05:
            out.append(f"{who} R-hat {x['rhat_max']:.2f}")
        if x.get("ess_min", 1e9) < 100:
            out.append(f"{who} ESS {x['ess_min']:.0f}")
    return ", ".join(out)


def table(results):
    """The Markdown table of results, worst wall ratio first; programs
    without a comparison last, with the reason."""
    rows, failed = [], []
    for r in results:
        d = derived(r)
        if d is None:
            failed.append(r)
        else:
            rows.append((d["ratio"], r, d))
    rows.sort(key=lambda t: t[0])
    lines = ["| program | hbmc ESS/s | Stan ESS/s | ratio | ratio, CPU | = ESS/grad x | x grad/s | us/grad hbmc / Stan | "
             "ESS/kgrad hbmc / Stan | min ESS hbmc / Stan | R-hat max hbmc / Stan | div hbmc / Stan | wall s hbmc / Stan | unreliable |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for _, r, d in rows:
        h, s = r["hbmc"], r["stan"]
        lines.append(
            f"| {r['name']} | {d['h_ess_s']:.0f} | {d['s_ess_s']:.0f} | **{d['ratio']:.2f}** | {d['ratio_cpu']:.2f} | {d['adapt']:.2f} | {d['grad']:.2f} | "
            f"{d['h_us_grad']:.2f} / {d['s_us_grad']:.2f} | {d['h_ess_kgrad']:.1f} / {d['s_ess_kgrad']:.1f} | "
            f"{h['ess_min']:.0f} / {s['ess_min']:.0f} | {h.get('rhat_max', float('nan')):.3f} / {s.get('rhat_max', float('nan')):.3f} | "
            f"{h.get('div', '?')} / {s.get('div', '?')} | {h['wall']:.2f} / {s['wall']:.2f} | {flags(h, s)} |")
    for r in failed:
        why = [f"{k}: {r.get(k, {}).get('error') or r.get(k, {}).get('summary_error') or 'no ESS'}"
               for k in ("hbmc", "stan") if "error" in r.get(k, {}) or "ess_min" not in r.get(k, {})]
        lines.append(f"| {r['name']} | not compared: {'; '.join(why)} |")
    return "\n".join(lines)


def combine(works):
    """One record per program from several runs of the same programs and
    seed: the draws are the same (both samplers are deterministic given the
    seed), so only the times differ; each time is the median over runs."""
    import statistics
    runs = {}
    for w in works:
        for line in open(os.path.join(w, "results.jsonl")):
            r = json.loads(line)
            runs.setdefault(r["name"], []).append(r)
    out = []
    for name, rs in runs.items():
        # The first run where both sides have an ESS (a failed summary, say,
        # leaves a run's times usable but not its ESS).
        base = next((x for x in rs if all("ess_min" in x[k] for k in ("hbmc", "stan"))), rs[0])
        r = json.loads(json.dumps(base))
        for k in ("hbmc", "stan"):
            ok = [x[k] for x in rs if "error" not in x[k] and "wall" in x[k] and "ess_min" in x[k]]
            if ok and "error" not in r[k]:
                for t in ("wall", "cpu", "cpu_workers", "chain_s"):
                    vals = [x[t] for x in ok if t in x]
                    if vals:
                        r[k][t] = statistics.median(vals)
                r[k]["runs"] = len(ok)
                # Same seed, same draws: a different ESS means a changed binary or data.
                if any(abs(x.get("ess_min", 0) - r[k].get("ess_min", 0)) > 1e-6 * max(1, r[k].get("ess_min", 0)) for x in ok):
                    r[k]["ess_differs_between_runs"] = True
        out.append(r)
    return out


# ---------------------------------------------------------------- main

def slowest_from_fits(path, n):
    """The N programs with the longest `t=` in a pdb_fits.sh output file."""
    rows = []
    for line in open(path):
        m = re.match(r"(\S+) \| rc=\S+ \| t=([0-9.]+)", line)
        if m:
            rows.append((float(m.group(2)), m.group(1)))
    return [name for _, name in sorted(rows, reverse=True)[:n]]


def program_path(name):
    """A .stan path, or a corpus program's name, as an absolute path."""
    if os.path.exists(name):
        return os.path.abspath(name)
    for d in ("tests/stan_corpus/pdb", "tests/stan_corpus/pdb/ode"):
        p = os.path.join(ROOT, d, name + ".stan")
        if os.path.exists(p):
            return p
    raise SystemExit(f"pdb_vs_stan.py: no program `{name}` (a .stan path, or a name in tests/stan_corpus/pdb[/ode])")


def main():
    """The command line (see the module's doc); `--stan-child` is the
    child process of `run_stan`."""
    if len(sys.argv) > 1 and sys.argv[1] == "--stan-child":
        # The child has its own session, so its own scheduler autogroup:
        # carry a `nice` given to the parent over to it.
        if os.nice(0) > 0:
            try:
                with open("/proc/self/autogroup", "w") as f:
                    f.write(str(os.nice(0)))
            except OSError:
                pass
        prog, data, seed, outdir = sys.argv[2:6]
        if "--build-only-child" in sys.argv:
            build_child(prog, data or None, int(seed), outdir)
        else:
            stan_child(prog, data or None, int(seed), outdir)
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("programs", nargs="*", help=".stan paths, or names in tests/stan_corpus/pdb[/ode]")
    ap.add_argument("--all", action="store_true", help="every program in tests/stan_corpus/pdb and pdb/ode")
    ap.add_argument("--from-fits", help="a benches/adaptation/pdb_fits.sh output file")
    ap.add_argument("--slowest", type=int, default=25, help="with --from-fits: how many of its slowest fits")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hbmc", default=os.path.join(ROOT, "target/release/hbmc"))
    ap.add_argument("--summary-hbmc", help="the hbmc binary whose `summary` computes ESS and R-hat (default --hbmc)")
    ap.add_argument("--work", default="/tmp/pdb_vs_stan", help="fits and results.jsonl go here")
    ap.add_argument("--stan-timeout", type=float, default=300, help="seconds of Stan sampling before a program is skipped")
    ap.add_argument("--build-timeout", type=float, default=600, help="seconds of Stan compilation before a program is skipped")
    ap.add_argument("--hbmc-timeout", type=float, default=600)
    ap.add_argument("--redo", action="store_true", help="run programs already in results.jsonl again")
    ap.add_argument("--build-only", action="store_true", help="compile the programs for Stan (httpstan caches them), no fits")
    ap.add_argument("--table", action="store_true", help="print the table of results.jsonl and stop")
    ap.add_argument("--combine", nargs="+", metavar="WORK",
                    help="print one table of several runs' WORK dirs (the median of each time) and stop")
    args = ap.parse_args()

    results_path = os.path.join(args.work, "results.jsonl")
    if args.combine:
        print(table(combine(args.combine)))
        return
    if args.table:
        results = [json.loads(l) for l in open(results_path)] if os.path.exists(results_path) else []
        print(table(results))
        return
    try:
        import stan  # noqa: F401
    except ImportError as err:
        print(f"pdb_vs_stan.py: skipped, PyStan missing ({err}); install with `cd /tmp && pip install pystan==3.10.0`")
        sys.exit(0)
    if not os.path.exists(args.hbmc) and not args.build_only:
        sys.exit(f"pdb_vs_stan.py: no hbmc binary at {args.hbmc} (cargo build --release, or --hbmc PATH)")

    names = list(args.programs)
    if args.from_fits:
        names = slowest_from_fits(args.from_fits, args.slowest) + names
    if args.all:
        names += sorted(glob.glob(os.path.join(ROOT, "tests/stan_corpus/pdb/*.stan")))
        names += sorted(glob.glob(os.path.join(ROOT, "tests/stan_corpus/pdb/ode/*.stan")))
    progs, seen = [], set()
    for n in names:
        p = program_path(n)
        if p not in seen:
            seen.add(p)
            progs.append(p)
    if not progs:
        ap.error("no programs: name some, or --all, or --from-fits")

    os.makedirs(args.work, exist_ok=True)
    done = set()
    if os.path.exists(results_path) and not args.redo:
        done = {json.loads(l)["name"] for l in open(results_path)}
    for prog in progs:
        name = os.path.basename(prog)[:-5]
        data = data_path(prog)
        if args.build_only:
            t0 = time.perf_counter()
            r = run_stan(prog, data, args.seed, os.path.join(args.work, name, "stan_build"),
                         args.build_timeout, 0, build_only=True)
            print(f"{name}: {r.get('error') or 'built'} ({time.perf_counter() - t0:.0f} s)", flush=True)
            continue
        if name in done:
            continue
        names_block = parameter_names(open(prog).read())
        rec = {"name": name, "program": os.path.relpath(prog, ROOT), "data": data and os.path.relpath(data, ROOT),
               "seed": args.seed, "load_before": os.getloadavg()[0], "utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
               "params": names_block}
        print(f"{name}: Stan ...", end="", flush=True)
        rec["stan"] = run_stan(prog, data, args.seed, os.path.join(args.work, name, "stan"), args.build_timeout, args.stan_timeout)
        print(" hbmc ...", end="", flush=True)
        rec["hbmc"] = run_hbmc(args.hbmc, prog, data, args.seed, os.path.join(args.work, name, "hbmc"), args.hbmc_timeout)
        rec["load_after"] = os.getloadavg()[0]
        for k in ("hbmc", "stan"):
            if rec[k].get("files"):
                rec[k].update(summarize(args.summary_hbmc or args.hbmc, rec[k]["files"], names_block))
        d = derived(rec)
        print(f" ratio {d['ratio']:.2f} (hbmc {d['h_ess_s']:.0f} ESS/s, Stan {d['s_ess_s']:.0f})" if d else
              f" not compared: {rec['stan'].get('error', '')} {rec['hbmc'].get('error', '')}", flush=True)
        with open(results_path, "a") as f:
            f.write(json.dumps(rec) + "\n")
    if not args.build_only:
        print(table([json.loads(l) for l in open(results_path)]))


def build_child(prog, data, seed, outdir):
    """--build-only: stan.build alone (the compiled model stays in httpstan's cache)."""
    import stan
    lift_client_timeout()
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "phase"), "w") as f:
        f.write(f"build {time.time()}\n")
    res = {}
    try:
        stan.build(stan_code(prog), data=json.load(open(data)) if data else {}, random_seed=seed)
    except Exception as e:
        res["error"] = f"build: {type(e).__name__}: {str(e).strip()[-300:]}"
    json.dump(res, open(os.path.join(outdir, "stan.json"), "w"))


if __name__ == "__main__":
    main()
