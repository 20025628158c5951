//! The conditional Electric Company examples are the plain models
//! reparameterised, not other models. For fixed hyperparameters the plain
//! (non-centered) log density is quadratic in the pair-effect latents z,
//! so the hyperparameters' marginal log density,
//! log ∫ exp(lp_plain(θ, z)) dz, has a closed form from the value, gradient
//! and Hessian at z = 0. The conditional model makes its latents w exactly
//! standard normal, so lp_cond(θ, 0) must equal that marginal up to one
//! constant for every θ; and its gradient in w must be -w. A wrong
//! conditional mean, precision or Jacobian breaks one or the other.

use hbmc::model::{BoundModel, Engine, Model};
use std::path::PathBuf;

fn bound(model: &str) -> BoundModel {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(root.join(model)).expect("model file");
    let m = Model::compile(model, &source).unwrap_or_else(|e| panic!("{model}: {e:?}"));
    m.bind_files(&[root.join("examples/data/electric.csv")], Engine::Jit).unwrap_or_else(|e| panic!("{model}: {e:?}"))
}

/// Offset and length of the parameter `name` in the unconstrained vector.
fn block(m: &BoundModel, name: &str) -> (usize, usize) {
    let p = m.params().iter().find(|p| p.name == name).unwrap_or_else(|| panic!("no parameter {name}"));
    (p.offset, p.len)
}

/// log det H and g' H^-1 g for a symmetric positive definite H (n x n,
/// row-major), by Cholesky.
fn log_det_and_quadratic(mut h: Vec<f64>, g: &[f64]) -> (f64, f64) {
    let n = g.len();
    for j in 0..n {
        for k in 0..j {
            let ljk = h[j * n + k];
            for i in j..n {
                h[i * n + j] -= h[i * n + k] * ljk;
            }
        }
        let d = h[j * n + j];
        assert!(d > 0.0, "Hessian not positive definite at column {j}: {d}");
        let d = d.sqrt();
        for i in j..n {
            h[i * n + j] /= d;
        }
    }
    let log_det = 2.0 * (0..n).map(|j| h[j * n + j].ln()).sum::<f64>();
    // Solve L v = g: g' H^-1 g = |v|^2.
    let mut v = g.to_vec();
    for i in 0..n {
        for k in 0..i {
            v[i] -= h[i * n + k] * v[k];
        }
        v[i] /= h[i * n + i];
    }
    (log_det, v.iter().map(|x| x * x).sum())
}

/// log ∫ exp(lp(θ, z)) dz over the latents at `latents`, less (n/2) log 2π,
/// for a log density that is quadratic in them (checked at a third point).
fn log_marginal(m: &BoundModel, theta: &[f64], latents: (usize, usize)) -> f64 {
    let (off, n) = latents;
    let mut eval = m.evaluator();
    let mut x = theta.to_vec();
    x[off..off + n].iter_mut().for_each(|v| *v = 0.0);
    let mut grad0 = vec![0.0; x.len()];
    let lp0 = eval.log_density_gradient(&x, &mut grad0).expect("log density");
    let g: Vec<f64> = grad0[off..off + n].to_vec();
    // H = -d2 lp / dz2, column by column from unit steps: exact (up to
    // rounding) for a quadratic.
    let mut h = vec![0.0; n * n];
    let mut grad = vec![0.0; x.len()];
    for k in 0..n {
        x[off + k] = 1.0;
        eval.log_density_gradient(&x, &mut grad).expect("log density");
        x[off + k] = 0.0;
        for i in 0..n {
            h[i * n + k] = -(grad[off + i] - g[i]);
        }
    }
    for i in 0..n {
        for k in 0..i {
            let s = 0.5 * (h[i * n + k] + h[k * n + i]);
            h[i * n + k] = s;
            h[k * n + i] = s;
        }
    }
    let (log_det, quad) = log_det_and_quadratic(h.clone(), &g);
    // Quadratic: the value at z = ones is predicted by lp0, g and H.
    x[off..off + n].iter_mut().for_each(|v| *v = 1.0);
    let lp1 = eval.log_density(&x).expect("log density");
    let predicted = lp0 + g.iter().sum::<f64>() - 0.5 * h.iter().sum::<f64>();
    assert!((lp1 - predicted).abs() < 1e-7 * lp1.abs().max(1.0), "not quadratic in the latents: {lp1} vs {predicted}");
    lp0 + 0.5 * quad - 0.5 * log_det
}

/// Random hyperparameters (unconstrained, in (-1, 1)) shared by both models.
fn hyperparameters(dim: usize, latents: (usize, usize), rng: &mut hbmc_stdlib::ChainRng) -> Vec<f64> {
    let mut x: Vec<f64> = (0..dim).map(|_| 2.0 * rng.uniform() - 1.0).collect();
    x[latents.0..latents.0 + latents.1].iter_mut().for_each(|v| *v = 0.0);
    x
}

fn check_same_model(plain: &str, plain_latents: &str, conditional: &str) {
    let (p, c) = (bound(plain), bound(conditional));
    let (zp, wc) = (block(&p, plain_latents), block(&c, "w"));
    assert_eq!(p.dim(), c.dim());
    assert_eq!(zp, wc, "the latents must sit at the same place, after the same hyperparameters");
    let mut rng = hbmc_stdlib::ChainRng::new(11, 0);
    let mut eval = c.evaluator();
    let mut offsets = Vec::new();
    for _ in 0..4 {
        let theta = hyperparameters(p.dim(), zp, &mut rng);
        let marginal = log_marginal(&p, &theta, zp);
        let lp_cond = eval.log_density(&theta).expect("conditional log density");
        offsets.push(lp_cond - marginal);
        // With random latents the conditional's gradient in them is -w.
        let mut x = theta.clone();
        for v in &mut x[wc.0..wc.0 + wc.1] {
            *v = 4.0 * rng.uniform() - 2.0;
        }
        let mut grad = vec![0.0; x.len()];
        eval.log_density_gradient(&x, &mut grad).expect("gradient");
        for k in wc.0..wc.0 + wc.1 {
            assert!((grad[k] + x[k]).abs() < 1e-8 * (1.0 + x[k].abs()), "{conditional}: d lp / d w[{k}] = {}, w = {}", grad[k], x[k]);
        }
    }
    let spread = offsets.iter().cloned().fold(f64::MIN, f64::max) - offsets.iter().cloned().fold(f64::MAX, f64::min);
    assert!(spread < 1e-6, "{conditional} is not {plain} marginally: lp_cond - log marginal = {offsets:?}");
}

#[test]
fn electric_covariance_conditional_is_electric_covariance() {
    check_same_model("examples/electric_covariance.hbm", "u_raw", "examples/electric_covariance_conditional.hbm");
}

#[test]
fn electric_covariance_lkj_conditional_is_electric_covariance_lkj() {
    check_same_model("examples/electric_covariance_lkj.hbm", "z", "examples/electric_covariance_lkj_conditional.hbm");
}
