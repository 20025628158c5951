// data: tests/stan_corpus/b_splines.json
// Kharratzadeh's B-spline regression (the Stan case study "Splines in
// Stan", as posteriordb's splines programs): the basis is built in
// transformed data by the recursive function build_b_spline (Cox-de Boor:
// order k from two calls of order k - 1), which takes and returns arrays
// and vectors and loops in its body; hbmc expands it at each call, the
// levels the data's spline_degree asks for kept (docs/language.md, "User
// functions"). The generated quantities hold the sum of the basis at each
// point, 1 inside the knots. make_b_splines.py simulated the data.
functions {
  vector build_b_spline(array[] real t, array[] real ext_knots, int ind, int order);
  vector build_b_spline(array[] real t, array[] real ext_knots, int ind, int order) {
    // INPUTS:
    //    t:          the points at which the b_spline is calculated
    //    ext_knots:  the set of extended knots
    //    ind:        the index of the b_spline
    //    order:      the order of the b-spline
    vector[size(t)] b_spline;
    vector[size(t)] w1 = rep_vector(0, size(t));
    vector[size(t)] w2 = rep_vector(0, size(t));
    if (order == 1)
      for (i in 1:size(t)) // B-splines of order 1 are piece-wise constant
        b_spline[i] = (ext_knots[ind] <= t[i]) && (t[i] < ext_knots[ind + 1]);
    else {
      if (ext_knots[ind] != ext_knots[ind + order - 1])
        w1 = (to_vector(t) - rep_vector(ext_knots[ind], size(t)))
             / (ext_knots[ind + order - 1] - ext_knots[ind]);
      if (ext_knots[ind + 1] != ext_knots[ind + order])
        w2 = 1 - (to_vector(t) - rep_vector(ext_knots[ind + 1], size(t)))
                 / (ext_knots[ind + order] - ext_knots[ind + 1]);
      // Calculating the B-spline recursively as linear interpolation of two lower-order splines
      b_spline = w1 .* build_b_spline(t, ext_knots, ind, order - 1)
                 + w2 .* build_b_spline(t, ext_knots, ind + 1, order - 1);
    }
    return b_spline;
  }
}
data {
  int num_data;             // number of data points
  int num_knots;            // num of knots
  vector[num_knots] knots;  // the sequence of knots
  int spline_degree;        // the degree of spline (is equal to order - 1)
  array[num_data] real Y;
  array[num_data] real X;
}
transformed data {
  int num_basis = num_knots + spline_degree - 1; // total number of B-splines
  matrix[num_basis, num_data] B;  // matrix of B-splines
  vector[spline_degree + num_knots] ext_knots_temp;
  vector[2 * spline_degree + num_knots] ext_knots; // set of extended knots
  ext_knots_temp = append_row(rep_vector(knots[1], spline_degree), knots);
  ext_knots = append_row(ext_knots_temp, rep_vector(knots[num_knots], spline_degree));
  for (ind in 1:num_basis)
    B[ind, :] = to_row_vector(build_b_spline(X, to_array_1d(ext_knots), ind, spline_degree + 1));
  B[num_knots + spline_degree - 1, num_data] = 1;
}
parameters {
  row_vector[num_basis] a_raw;
  real a0;  // intercept
  real<lower=0> sigma;
  real<lower=0> tau;
}
transformed parameters {
  row_vector[num_basis] a = a_raw * tau;
}
model {
  a_raw ~ normal(0, 1);
  a0 ~ normal(0, 1);
  tau ~ normal(0, 1);
  sigma ~ normal(0, 1);
  Y ~ normal(a0 * to_vector(X) + to_vector(a * B), sigma);
}
generated quantities {
  // The basis at each point sums to 1 (a partition of unity) inside the
  // knots.
  vector[num_data] basis_sum;
  for (n in 1:num_data) basis_sum[n] = sum(B[:, n]);
}
