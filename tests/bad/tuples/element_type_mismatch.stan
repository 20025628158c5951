// Elements are typed one by one: a real cannot initialise or be assigned
// to an int element, nor an int to a vector element (E1004, the element
// named as written).
transformed data {
  tuple(real, int) t = (1.5, 2.5);
  tuple(real, vector[2]) v;
  v = (1, 2);
}
parameters { real mu; }
model { mu ~ normal(0, 1); }
