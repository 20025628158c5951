//! A loop whose iterations add in place to their own element and read an
//! earlier one (`h[t] += phi * (h[t - 1] - mu)`, the stochastic volatility
//! model of the Stan User's Guide, `tests/stan_corpus/stochastic_volatility.stan`)
//! needs no copy of `h` per iteration: the reverse sweep recomputes each
//! iteration from the values the loop left, and an in-place addition's
//! derivative does not depend on the value it read. A copy per iteration
//! was T x T values (90,000 at T = 300, quadratic time and memory). The
//! oracles (JIT = interpreter, gradient = finite differences) run on the
//! corpus program in `tests/e2e/stan_programs.rs`; here, that no tape is made,
//! and that a loop reading its own element after the in-place addition,
//! whose recomputation would read a wrong value, still gets one. And a
//! loop that writes one element whose index comes from before it
//! (`epsilon[t] -= theta[q] * epsilon[t - q]` over q, the User's Guide's
//! MA(Q), `tests/stan_corpus/ma_q.stan`) saves that element alone per
//! iteration, not the whole vector.

use crate::common;

fn model(body: &str) -> String {
    format!(
        "data {{ int N; vector[N] y; }}\nparameters {{ real mu; real<lower=-1, upper=1> phi; vector[N] z; }}\n\
         transformed parameters {{\n  vector[N] h = z + mu;\n  vector[N] v = rep_vector(0, N);\n  for (t in 2:N) {{\n{body}\n  }}\n}}\n\
         model {{ z ~ std_normal(); y ~ normal(0, exp(h / 2)); target += -0.1 * dot_self(v); }}\n"
    )
}

fn carried_buffers(ir: &str) -> Vec<&str> {
    ir.lines().filter(|l| l.contains(".carried")).collect()
}

#[test]
fn in_place_additions_reading_an_earlier_element_need_no_copy_per_iteration() {
    let data = std::fs::read_to_string(common::root().join("tests/stan_corpus/timeseries.json")).expect("data");
    let source = std::fs::read_to_string(common::root().join("tests/stan_corpus/stochastic_volatility.stan")).expect("model");
    let ir = common::gradient_ir(&source, &data);
    assert!(carried_buffers(&ir).is_empty(), "{:?}", carried_buffers(&ir));
    let ir = common::gradient_ir(&model("    h[t] += phi * (h[t - 1] - mu);"), &data);
    assert!(carried_buffers(&ir).is_empty(), "{:?}", carried_buffers(&ir));
}

#[test]
fn a_read_of_the_sum_after_an_in_place_addition_keeps_its_copy() {
    let data = std::fs::read_to_string(common::root().join("tests/stan_corpus/timeseries.json")).expect("data");
    // exp(h[t]) after h[t] += ... reads the new sum: recomputed from the
    // loop's final h[t] it would be wrong, so h is saved per iteration.
    let ir = common::gradient_ir(&model("    h[t] += phi * (h[t - 1] - mu);\n    v[t] = exp(h[t]);"), &data);
    assert!(!carried_buffers(&ir).is_empty(), "no tape for a loop that reads its own sum");
}

#[test]
fn a_loop_writing_one_element_saves_only_that_element() {
    let data = std::fs::read_to_string(common::root().join("tests/stan_corpus/ma_q.json")).expect("data");
    let source = std::fs::read_to_string(common::root().join("tests/stan_corpus/ma_q.stan")).expect("model");
    let ir = common::gradient_ir(&source, &data);
    // One slot per iteration of the inner loop (at most Q = 3), not 3 x T.
    let tapes = carried_buffers(&ir);
    assert!(!tapes.is_empty(), "the inner loop carries epsilon[t]");
    for line in tapes.iter().filter(|l| l.starts_with("buffer")) {
        assert!(line.ends_with("len 3"), "{line}");
    }
}

/// A loop that fills a vector backward from its end (`chi[t] = f(chi[t +
/// 1])` for `t = T - s`, the Jolly-Seber models' chance of not being seen
/// again, `tests/stan_corpus/backward_recursion.stan`) stores each element
/// once and reads only elements earlier iterations stored: it needs no
/// copy per iteration either (on 76b228b the vector was saved whole per
/// iteration, and so was the matrix per iteration of the inner loop of
/// its row-by-row form; the outer loop over rows still keeps one copy
/// per row). The oracles run on the program in `stan_programs.rs`.
#[test]
fn a_vector_filled_backward_needs_no_copy_per_iteration() {
    let data = std::fs::read_to_string(common::root().join("tests/stan_corpus/backward_recursion.json")).expect("data");
    let source = std::fs::read_to_string(common::root().join("tests/stan_corpus/backward_recursion.stan")).expect("model");
    let ir = common::gradient_ir(&source, &data);
    let tapes: Vec<&str> = carried_buffers(&ir).into_iter().filter(|l| l.starts_with("buffer")).collect();
    assert!(!tapes.iter().any(|l| l.contains("chi1")), "{tapes:?}");
    // One copy of chi2 (5 x 6) per row (M = 5), none per inner iteration.
    let chi2: Vec<&&str> = tapes.iter().filter(|l| l.contains("chi2")).collect();
    assert!(chi2.len() <= 1 && chi2.iter().all(|l| l.ends_with("len 150")), "{tapes:?}");
    // Declared first and assigned once (js_super's `int t_curr; t_curr =
    // n_occasions - t;`), the index is held in a value as when declared
    // with it, and the gradient is the same code.
    let assigned = source.replace("int t = T - s;", "int t;\n    t = T - s;");
    assert_ne!(assigned, source);
    assert_eq!(common::gradient_ir(&assigned, &data), ir);
}
