#!/bin/bash
# Instructions per gradient of two hbmc binaries on one model (callgrind:
# the same count whatever else the machine runs). A run with --evals 0
# (compile only) is subtracted from one with enough evaluations for about
# 40M instructions, so the compile's own variation (hash seeds) stays
# below 1%.
#   MAIN=old/hbmc NEW=new/hbmc benches/loops/instructions.sh MODEL DATA APPROX_INSTRUCTIONS
# prints: MODEL old new old/new evals=E
M=$1; D=$2; A=$3
E=$(python3 -c "print(max(200, int(40e6/$A)))")
run() { valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out.$$ $1 bench $M --data $D --evals $2 >/dev/null 2>/tmp/cg.err.$$; grep -E "Collected" /tmp/cg.err.$$ | awk '{print $4}'; rm -f /tmp/cg.out.$$*; }
r() { a=$(run $1 0); b=$(run $1 $E); python3 -c "print(round(($b-$a)/$E))"; }
x=$(r ${MAIN:-/work/main/target/release/hbmc}); y=$(r ${NEW:-./target/release/hbmc})
echo "$M $x $y $(python3 -c "print(round($x/$y,3))") evals=$E"
