#!/bin/bash
# Usage: benches/peers/cpu_ab.sh MODEL DATA N ROUNDS (BEFORE and AFTER binaries in $BEFORE, $AFTER).
# Alternating before/after CPU time per gradient (task-clock), R rounds.
model=$1; data=$2; n=$3; r=${4:-3}
for i in $(seq $r); do
  for bin in "${BEFORE:?path of the before binary}" "${AFTER:-./target/release/hbmc}"; do
    t0=$(perf stat -x, -e task-clock $bin bench "$model" --data "$data" --evals 0 2>&1 >/dev/null | grep task-clock | cut -d, -f1)
    t1=$(perf stat -x, -e task-clock $bin bench "$model" --data "$data" --evals $n 2>&1 >/dev/null | grep task-clock | cut -d, -f1)
    echo "$bin: $(python3 -c "print(round(($t1-$t0)*1e3/$n, 1))") us/gradient"
  done
done
