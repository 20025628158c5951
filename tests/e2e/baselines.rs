//! The hand-written gradients that `benches/gradient.rs` times hbmc against
//! must stay equal to the compiled ones, so a ratio in BENCHMARKS.md always
//! compares the same log density. (Correctness only; nothing is timed here.)

#[path = "../../benches/baselines/electric.rs"]
mod electric;
#[path = "../../benches/baselines/mundlak.rs"]
mod mundlak;

use hbmc::bind::read_source;
use hbmc::model::{BoundModel, Engine, Model};
use std::path::PathBuf;

fn bind(example: &str, data_name: &str, data: &str) -> BoundModel {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(root.join("examples").join(example)).expect("example source");
    let model = Model::compile(example, &source).unwrap_or_else(|e| panic!("{example}: {e:?}"));
    let src = read_source(data_name, data).unwrap_or_else(|d| panic!("{data_name}: {d:?}"));
    model.bind(&[src], Engine::Jit).unwrap_or_else(|e| panic!("{example}: {e:?}"))
}

/// The compiled and the hand-written log density and gradient at `points`
/// random unconstrained points in (-2, 2).
fn assert_agree(bound: &BoundModel, points: u64, hand: &mut dyn FnMut(&[f64], &mut [f64]) -> f64) {
    let mut eval = bound.evaluator();
    let names = bound.unconstrained_names();
    for seed in 1..=points {
        let mut rng = mundlak::SplitMix(seed);
        let u: Vec<f64> = (0..bound.dim()).map(|_| 4.0 * rng.uniform() - 2.0).collect();
        let (mut g_jit, mut g_hand) = (vec![0.0; u.len()], vec![f64::NAN; u.len()]);
        let lp_jit = eval.log_density_gradient(&u, &mut g_jit).expect("compiled gradient");
        let lp_hand = hand(&u, &mut g_hand);
        assert!(
            (lp_jit - lp_hand).abs() <= 1e-10 * lp_jit.abs().max(1.0),
            "log density: hbmc {lp_jit}, by hand {lp_hand}"
        );
        for k in 0..u.len() {
            assert!(
                (g_jit[k] - g_hand[k]).abs() <= 1e-8 * g_jit[k].abs().max(1.0),
                "d/d {}: hbmc {}, by hand {}",
                names[k],
                g_jit[k],
                g_hand[k]
            );
        }
    }
}

#[test]
fn hand_written_mundlak_gradient_equals_the_compiled_one() {
    let data = mundlak::simulate(500, 30, 7);
    let bound = bind("mundlak_logit.hbm", "simulated.json", &data.to_json());
    let names: Vec<&str> = bound.params().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, mundlak::PARAMS, "the baseline's parameter layout");
    let mut hand = mundlak::Mundlak::new(&data);
    assert_eq!(hand.dim(), bound.dim());
    assert_agree(&bound, 5, &mut |u, g| hand.log_density_gradient(u, g));
}

#[test]
fn hand_written_electric_gradient_equals_the_compiled_one() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let csv = std::fs::read_to_string(root.join("examples/data/electric.csv")).expect("electric.csv");
    let bound = bind("electric_intercept.hbm", "electric.csv", &csv);
    let mut hand = electric::Electric::from_csv(&csv);
    assert_eq!(hand.dim(), bound.dim());
    assert_agree(&bound, 5, &mut |u, g| hand.log_density_gradient(u, g));
}

#[test]
fn simulated_data_look_like_the_document() {
    // The confounding the model is about: x tracks the group effect, and
    // with a0 = -2 most outcomes are 0.
    let d = mundlak::simulate(2_000, 30, 2002);
    assert_eq!((d.g.len(), d.x.len(), d.y.len(), d.z.len()), (2_000, 2_000, 2_000, 30));
    assert!(d.g.iter().all(|&g| g < 30));
    let ones = d.y.iter().filter(|&&y| y == 1).count();
    assert!((100..1_000).contains(&ones), "{ones} ones of 2000");
}
