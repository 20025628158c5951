#!/bin/bash
# Per-chain mean lp__ and divergences of `hbmc run` on posteriordb's
# Lotka-Volterra over seeds (BENCHMARKS.md, "Lotka-Volterra: stuck
# chains"): the good mode has mean lp__ about -137.3; a chain near -150 to
# -177 stayed (part of the run) in a local mode; "short" is a chain cut by
# the time limit (a crawl).
#
#   benches/adaptation/lotka_volterra_chains.sh [HBMC] [SEEDS...] [-- EXTRA hbmc run ARGS]
#
# Needs python3 (standard library only). Files go to /tmp/hbmc-lv/.
set -u
cd "$(dirname "$0")/../.."
HBMC=${1:-target/release/hbmc}; shift || true
SEEDS=(); EXTRA=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; EXTRA=("$@"); break; fi
  SEEDS+=("$1"); shift
done
[ ${#SEEDS[@]} -eq 0 ] && SEEDS=(1 2 3 4 5 6 7 8)
OUT=/tmp/hbmc-lv; mkdir -p $OUT
for s in "${SEEDS[@]}"; do
  timeout 120 "$HBMC" run benches/adaptation/lotka_volterra.stan --data benches/adaptation/lotka_volterra.json \
    --output $OUT/lv-$s --overwrite --seed "$s" --threads 1 "${EXTRA[@]}" > $OUT/lv-$s.log 2>&1
  rc=$?
  chains=$(python3 - "$OUT/lv-$s" <<'PY'
import csv, sys
out = []
for c in range(1, 5):
    try:
        rows = [l for l in open(f"{sys.argv[1]}_{c}.csv") if not l.startswith("#")]
    except FileNotFoundError:
        out.append("missing"); continue
    r = list(csv.reader(rows)); h, d = r[0], r[1:]
    if len(d) < 10:
        out.append("short"); continue
    lp, dv = h.index("lp__"), h.index("divergent__")
    out.append(f"{sum(float(x[lp]) for x in d) / len(d):.1f}/{int(sum(float(x[dv]) for x in d))}")
print(" ".join(out))
PY
)
  echo "seed $s rc=$rc chains(mean lp/divergences): $chains restarts=$(grep -c '^note: chain' $OUT/lv-$s.log)"
done
