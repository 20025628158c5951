// data: tests/stan_corpus/functions.json
// Recursive user functions (compiled as functions of their own): integer
// recursion, two recursive calls per level, mutual recursion through a
// forward declaration, a real-valued recursion calling the library, used
// in transformed data, in the model on data arguments (inside a loop) and
// in generated quantities on a value drawn at run time.
functions {
  int factorial(int n) {
    if (n <= 1) return 1;
    return n * factorial(n - 1);
  }
  int fib(int n) {
    if (n < 2) {
      return n;
    } else {
      return fib(n - 1) + fib(n - 2);
    }
  }
  int gcd(int a, int b) {
    if (b == 0) return a;
    return gcd(b, a % b);
  }
  int is_odd(int n);
  int is_even(int n) {
    if (n == 0) return 1;
    return is_odd(n - 1);
  }
  int is_odd(int n) {
    if (n == 0) return 0;
    return is_even(n - 1);
  }
  real log_fact(int n) {
    if (n <= 1) return 0;
    return log(n) + log_fact(n - 1);
  }
  real power_of(real x, int k) {
    if (k == 0) return 1;
    real half = power_of(x, k %/% 2);
    return k % 2 == 0 ? half * half : x * half * half;
  }
}
data {
  int N;
  array[N] int y;
  vector[N] x;
}
transformed data {
  int g = gcd(84, 36);
  real prior_sd = g / 6.0;
  int six = factorial(3);
}
parameters {
  real alpha;
  real beta;
}
model {
  alpha ~ normal(0, prior_sd);
  beta ~ normal(0, six / 3.0);
  for (n in 1:N) {
    // The pmf's constant log(y!) added back, once recursively, once by lgamma.
    target += poisson_log_lpmf(y[n] | alpha + beta * x[n]) + log_fact(y[n]) - lgamma(y[n] + 1);
  }
}
generated quantities {
  int fact5 = factorial(5);
  int fib10 = fib(10);
  int even7 = is_even(7);
  int odd7 = is_odd(7);
  real p = power_of(1.5, 5);
  int draw = poisson_rng(4);
  int fib_draw = fib(draw);
  real log_fact_draw = log_fact(draw);
  real pow_beta = power_of(beta, 3);
}
