# Reference values for stdlib/tests/api/von_mises.rs: ln I0(k), I1(k)/I0(k)
# (mpmath besseli) and von_mises_lpdf from its definition. mpmath 1.3.0, 50 digits.
# Run: python3 stdlib/tests/reference/bessel_ref.py
from mpmath import mp, mpf, besseli, log, cos, pi
mp.dps = 50
for k in [0.0, 0.5, 5.0, 29.9, 30.1, 100.0, 700.0]:
    k = mpf(k)
    print(f"        ({float(k)!r}, {mp.nstr(log(besseli(0, k)), 20)}, {mp.nstr(besseli(1, k) / besseli(0, k), 20)}),")
for y, m, k in [(1.3, -0.4, 2.1), (-2.5, 0.3, 0.05), (0.2, 0.1, 45.0)]:
    y, m, k = mpf(y), mpf(m), mpf(k)
    print(f"        ({float(y)!r}, {float(m)!r}, {float(k)!r}, {mp.nstr(k * cos(y - m) - log(2 * pi * besseli(0, k)), 20)}),")
