"""Simulates b_splines.json (python3 make_b_splines.py), seed 35: 80
points X evenly from 0 to 10 (the last at the last knot), 9 knots evenly
on [0, 10], cubic splines (spline_degree 3), Y = sin(X) + 0.3 X +
normal(0, 0.2)."""
import json, math, random

random.seed(35)
num_data, num_knots = 80, 9
X = [round(10 * i / (num_data - 1), 4) for i in range(num_data)]
knots = [10 * k / (num_knots - 1) for k in range(num_knots)]
Y = [round(math.sin(x) + 0.3 * x + random.gauss(0, 0.2), 4) for x in X]
with open("b_splines.json", "w") as f:
    json.dump({"num_data": num_data, "num_knots": num_knots, "knots": knots, "spline_degree": 3, "Y": Y, "X": X}, f)
