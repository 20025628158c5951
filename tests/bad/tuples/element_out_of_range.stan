// A pair has no third element (E1013).
data { tuple(int, real) pair; }
parameters { real mu; }
model { mu ~ normal(pair.3, 1); }
