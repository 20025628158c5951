//! A small matrix product reads each element of its left operand once per
//! column of the result (and of its right operand once per row). An
//! operand whose elements cost a library call, as a neural network's
//! hidden layer `tanh(x * alpha + ...) * beta` (posteriordb's nn_rbm1bJ10),
//! is computed once into a buffer (`lower/small_matrix.rs`,
//! `costly_elements`): before, every read called `tanh` again, in the
//! forward pass, and its adjoint called `tanh`'s derivative once per read
//! too. The oracles hold on both forms, and the expression costs no more
//! calls of `tanh` and its derivative than the same layer stored in a
//! local by hand (on the earlier code, twice as many: one per column of
//! `beta`).

use crate::common;

fn model(hidden: &str) -> String {
    format!(
        "data {{ int N; int M; int K; matrix[N, M] x; array[N] int<lower=1, upper=K> y; }}
parameters {{ matrix[M, 3] alpha; row_vector[3] alpha_bias; matrix[3, K - 1] beta; row_vector[K - 1] beta_bias; }}
model {{
  {hidden}
  matrix[N, K] v = append_col(rep_vector(0, N), rep_matrix(beta_bias, N) + h * beta);
  to_vector(alpha) ~ normal(0, 2);
  alpha_bias ~ normal(0, 2);
  to_vector(beta) ~ normal(0, 2);
  beta_bias ~ normal(0, 2);
  for (n in 1:N) y[n] ~ categorical_logit(v[n]');
}}"
    )
}

const DATA: &str = r#"{"N": 6, "M": 2, "K": 3,
  "x": [[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8], [0.0, -0.4], [2.0, 1.0], [-1.2, 0.3]],
  "y": [1, 2, 3, 2, 1, 3]}"#;

#[test]
fn a_hidden_layer_read_by_a_product_is_computed_once() {
    // `h` as an expression the product reads, and as a local filled once.
    let fused = model("").replace("h * beta", "tanh(x * alpha + rep_matrix(alpha_bias, N)) * beta");
    let stored = model("matrix[N, 3] h = tanh(x * alpha + rep_matrix(alpha_bias, N));");
    for (name, source) in [("fused", &fused), ("stored", &stored)] {
        common::oracle::check_example_json(&format!("product_operands_{name}"), source, DATA).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let fused_ir = common::gradient_ir(&fused, DATA);
    let stored_ir = common::gradient_ir(&stored, DATA);
    let tanh_calls = |ir: &str| common::calls(ir, "hbm_tanh") + common::calls(ir, "hbm_tanh_d1") + common::calls(ir, "hbm_tanh_grad");
    let (a, b) = (tanh_calls(&fused_ir), tanh_calls(&stored_ir));
    assert!(a > 0 && a <= b, "the expression calls tanh {a} times in the gradient's code, the stored layer {b}");
}
