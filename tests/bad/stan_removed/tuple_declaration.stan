// Tuples (Stan 2.33) are not supported yet (E0001, docs/language.md).
data { tuple(int, real) pair; }
parameters { real mu; }
model { mu ~ normal(pair.2, 1); }
