// The log density is finite for |x| < 2, but for |x| > 0.94 it changes by
// more than the largest double across the steps of a wide finite
// difference (--epsilon 0.2), so the difference itself overflows there.
// The 4-point stencil is exact for a cubic, so elsewhere it must agree.
parameters {
  real x;
}
model {
  target += 2.1e307 * x^3;
}
