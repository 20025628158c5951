"""Writes gp_N.json for benches/gp/gp.hbm: x on [-5, 5], y = sin(x) + noise.
Usage: python make_data.py N > gp_N.json"""
import json, math, random, sys

n = int(sys.argv[1])
rng = random.Random(17)
x = [-5 + 10 * i / (n - 1) for i in range(n)]
y = [math.sin(v) + rng.gauss(0, 0.3) for v in x]
json.dump({"N": n, "x": x, "y": y}, sys.stdout)
