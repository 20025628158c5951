#!/bin/bash
# One `hbmc run` (default settings) of every posteriordb-style corpus
# program with its data, one line each: exit code, wall seconds, the
# summary's "Worst of all" line, divergences, warmup restarts, the first
# error. Run from the repository root:
#   benches/adaptation/pdb_fits.sh target/release/hbmc SEED OUT.txt
# Fits go to /tmp/pdb_fits/; each run is cut at 180 s.
BIN=$1; SEED=${2:-1}; OUT=${3:-pdb_fits.txt}; : > "$OUT"
mkdir -p /tmp/pdb_fits
for f in tests/stan_corpus/pdb/*.stan tests/stan_corpus/pdb/ode/*.stan; do
  d=$(grep -m1 "^// data:" "$f" | sed 's#^// data: *##')
  name=$(basename "$f" .stan)
  args=(); [ -n "$d" ] && args=(--data "$d")
  start=$(date +%s.%N)
  res=$(timeout 180 "$BIN" run "$f" "${args[@]}" --seed "$SEED" --quiet --output "/tmp/pdb_fits/$name" --overwrite 2>&1)
  rc=$?
  t=$(python3 -c "print(round($(date +%s.%N) - $start, 2))")
  worst=$(echo "$res" | grep "^Worst of all" | head -1)
  div=$(echo "$res" | grep -o "[0-9]* of [0-9]* transitions ended with a divergence" | head -1)
  restarts=$(echo "$res" | grep -c "warmup restarted")
  err=$(echo "$res" | grep -m1 -i "^error" | cut -c1-120)
  echo "$name | rc=$rc | t=$t | $worst | div: $div | restarts $restarts | $err" >> "$OUT"
done
