#!/bin/bash
# Instructions per gradient of one hbmc binary on every program here
# (callgrind; a run with --evals 0 subtracted from one with 400), to find
# the loops that cost most per observation.
#   HBMC=path/to/hbmc benches/loops/sweep.sh DATA
# DATA: python3 benches/loops/make_dist_data.py 1000 > /tmp/dist.json
B=${HBMC:-./target/release/hbmc}; D=$1
dir=$(dirname "$0")
for M in "$dir"/*.stan; do
  a=$(valgrind --tool=callgrind --callgrind-out-file=/tmp/sweep.cg.$$ $B bench $M --data $D --evals 0 2>&1 >/dev/null | grep Collected | awk '{print $4}')
  b=$(valgrind --tool=callgrind --callgrind-out-file=/tmp/sweep.cg.$$ $B bench $M --data $D --evals 400 2>&1 >/dev/null | grep Collected | awk '{print $4}')
  echo "$(basename $M) $(python3 -c "print(round(($b-$a)/400))")"
done
rm -f /tmp/sweep.cg.$$*
