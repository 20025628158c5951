// A void function with print and reject, called in transformed data.
functions {
  void check_positive(real s) {
    if (s <= 0) {
      reject("the scale must be positive; found ", s);
    }
    print("scale checked: ", s);
  }
}
data { real s; }
transformed data { check_positive(s); }
parameters { real mu; }
model { mu ~ normal(0, s); }
