//! Instruction-count benchmark of the general-size Cholesky routines (run
//! under callgrind or `perf stat -e instructions`):
//! `cargo run --release -p hbmc-stdlib --example cholesky_bench -- N REPS`
//! runs REPS times: factor an N × N SPD matrix, its reverse mode, and a
//! triangular solve with its reverse mode (one right-hand side). With a third
//! argument `forward`, only the factorisation.
use hbmc_stdlib::linalg::*;

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (n, reps) = (args.first().copied().unwrap_or(100), args.get(1).copied().unwrap_or(10));
    // A deterministic SPD matrix: exp-quad kernel on a grid plus jitter.
    let mut a = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            let d = (i as f64 - j as f64) / (n as f64 / 4.0);
            a[i + j * n] = (-0.5 * d * d).exp() + if i == j { 0.1 } else { 0.0 };
        }
    }
    let lbar: Vec<f64> = (0..n * n).map(|k| ((k * 7919) % 13) as f64 / 13.0 - 0.5).collect();
    let b: Vec<f64> = (0..n).map(|k| (k as f64).sin()).collect();
    let (mut l, mut abar, mut x, mut lb, mut bb) =
        (vec![0.0; n * n], vec![0.0; n * n], vec![0.0; n], vec![0.0; n * n], vec![0.0; n]);
    let forward_only = std::env::args().any(|a| a == "forward");
    let mut check = 0.0;
    for _ in 0..reps {
        if forward_only {
            if let Err(e) = cholesky_decompose(&a, n, &mut l) {
                eprintln!("{e}");
                std::process::exit(1);
            }
            check += l[n * n - 1];
            continue;
        }
        if let Err(e) = cholesky_decompose(&a, n, &mut l) {
            eprintln!("{e}");
            std::process::exit(1);
        }
        let _ = cholesky_decompose_adj(&l, &lbar, n, &mut abar);
        let _ = mdivide_left_tri_low(&l, n, &b, 1, &mut x);
        let _ = mdivide_left_tri_low_adj(&l, n, &x, 1, &b, Some(&mut lb), Some(&mut bb));
        check += abar[n - 1] + x[n - 1];
    }
    println!("n={n} reps={reps} check={check:.6e}");
}
