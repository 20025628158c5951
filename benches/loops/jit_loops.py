#!/usr/bin/env python3
"""The loops of a JIT-compiled function: where its samples fall, and what
llvm-mca's model of the CPU says a path through a loop costs per iteration.

`HBMC_PERF_MAP=1` makes hbmc write `/tmp/perf-PID.map` (each function's
address) and `/tmp/hbmc-PID-NAME.bin` (its bytes). Then:

  HBMC_PERF_MAP=1 perf record -F 5000 -o grad.data taskset -c 1 \\
      hbmc bench examples/MODEL.hbm --data DATA --evals 500000
  jit_loops.py loops /tmp/hbmc-PID-hbmc_gradient.bin --perf grad.data
  jit_loops.py annotate /tmp/hbmc-PID-hbmc_gradient.bin 0x213c 0x257d --perf grad.data
  jit_loops.py mca /tmp/hbmc-PID-hbmc_gradient.bin 0x213c-0x257d [--cpu znver3]

`loops` lists the ranges of backward jumps (a loop's body, nested loops
inside their parent) with their instruction counts and, given a perf
recording of the same process, their share of the function's samples.
`annotate` prints each instruction of a range with its samples (on a VM
perf samples by timer, so a sample lands on the instruction after the one
that waited: look just after a division or a load). `mca` runs llvm-mca on
the straight-line path through the given ranges (the hot path of a loop
with cold branches is several ranges; jumps are dropped) and prints the
cycles per iteration it simulates: a figure that does not move with the
machine's load, for comparing two compilations of one loop. It is a model
(no store-to-load forwarding, no cache misses): confirm with timings.
"""

import argparse
import os
import re
import subprocess
import sys


def disassemble(path):
    """[(offset, instruction)] of the function's bytes, AT&T syntax."""
    out = subprocess.run(
        ["objdump", "-D", "-b", "binary", "-mi386:x86-64", path],
        check=True, capture_output=True, text=True,
    ).stdout
    lines = []
    for line in out.splitlines():
        m = re.match(r"\s*([0-9a-f]+):\s+((?:[0-9a-f]{2} )+)\s*(.*)", line)
        # A long instruction continues on a line with bytes only.
        if m and m.group(3).strip():
            lines.append((int(m.group(1), 16), m.group(3).strip()))
    return lines


def samples(path, perf_data):
    """{offset: samples} of the function in the recording, by the map file
    the same process wrote (`/tmp/perf-PID.map`)."""
    m = re.match(r"hbmc-(\d+)-(.+)\.bin$", os.path.basename(path))
    if not m:
        sys.exit(f"{path}: expected a file named hbmc-PID-NAME.bin, as HBMC_PERF_MAP writes")
    pid, name = m.groups()
    base = None
    with open(f"/tmp/perf-{pid}.map") as f:
        for line in f:
            addr, _size, sym = line.split(maxsplit=2)
            if sym.strip() == name:
                base = int(addr, 16)
    if base is None:
        sys.exit(f"/tmp/perf-{pid}.map: no function {name}")
    out = subprocess.run(
        ["perf", "script", "-i", perf_data, "-F", "ip,sym"],
        check=True, capture_output=True, text=True,
    ).stdout
    counts = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1] == name:
            off = int(parts[0], 16) - base
            counts[off] = counts.get(off, 0) + 1
    return counts


def loops(lines):
    """(start, end) of every backward jump, by start."""
    found = []
    for off, ins in lines:
        m = re.match(r"j\w+\s+0x([0-9a-f]+)", ins)
        if m and int(m.group(1), 16) < off:
            found.append((int(m.group(1), 16), off))
    return sorted(found)


def straight_line(lines, ranges):
    """The instructions of the ranges in order, jumps dropped and
    rip-relative operands made plain, for llvm-mca."""
    out = []
    for lo, hi in ranges:
        for off, ins in lines:
            if lo <= off <= hi:
                ins = re.sub(r"#.*", "", ins).strip()
                if re.match(r"j\w+\s", ins):
                    continue
                out.append(re.sub(r"0x[0-9a-f]+\(%rip\)", "(%rip)", ins))
    return out


def parse_range(text):
    lo, hi = text.split("-")
    return int(lo, 16), int(hi, 16)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    pl = sub.add_parser("loops", help="the loops, their sizes and samples")
    pl.add_argument("bin")
    pl.add_argument("--perf", help="perf.data recorded of the process that wrote bin")
    pa = sub.add_parser("annotate", help="samples per instruction of a range")
    pa.add_argument("bin")
    pa.add_argument("lo")
    pa.add_argument("hi")
    pa.add_argument("--perf", required=True)
    pm = sub.add_parser("mca", help="llvm-mca's cycles per iteration of a path")
    pm.add_argument("bin")
    pm.add_argument("ranges", nargs="+", help="LO-HI offsets (hex), in path order")
    pm.add_argument("--cpu", default="znver3", help="llvm-mca -mcpu (default znver3)")
    pm.add_argument("--iterations", type=int, default=200)
    args = p.parse_args()
    lines = disassemble(args.bin)
    if args.cmd == "loops":
        counts = samples(args.bin, args.perf) if args.perf else {}
        total = sum(counts.values())
        for lo, hi in loops(lines):
            n = sum(1 for off, _ in lines if lo <= off <= hi)
            line = f"{lo:#x}-{hi:#x}: {n} instructions"
            if total:
                s = sum(c for off, c in counts.items() if lo <= off <= hi)
                line += f", {s} samples = {100 * s / total:.1f}%"
            print(line)
        if total:
            print(f"{total} samples in the function")
    elif args.cmd == "annotate":
        counts = samples(args.bin, args.perf)
        lo, hi = int(args.lo, 16), int(args.hi, 16)
        for off, ins in lines:
            if lo <= off <= hi:
                print(f"{counts.get(off, 0):6d} {off:6x}: {ins}")
    else:
        path = straight_line(lines, [parse_range(r) for r in args.ranges])
        res = subprocess.run(
            ["llvm-mca", "-mtriple=x86_64", f"-mcpu={args.cpu}", f"-iterations={args.iterations}"],
            input="\n".join(path) + "\n", check=True, capture_output=True, text=True,
        ).stdout
        cycles = int(re.search(r"Total Cycles:\s+(\d+)", res).group(1))
        rthroughput = re.search(r"Block RThroughput:\s+([\d.]+)", res).group(1)
        print(f"{len(path)} instructions, {cycles / args.iterations:.1f} cycles per iteration "
              f"(llvm-mca -mcpu={args.cpu}), block reciprocal throughput {rthroughput}")


if __name__ == "__main__":
    main()
