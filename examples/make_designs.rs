//! Writes the experimental designs of seeds 001 and 003 (who is in which
//! group, the covariates, and who is treated) and the layouts of seeds 002
//! and 004 (which group each individual is in, how many months each region
//! reports). These are what an experimenter
//! fixes before any outcome exists; `hbmc simulate` then draws the outcomes
//! of each model from them with chosen true values (the commands are in
//! each example's header and in the README).
//!
//!     cargo run --release --example make_designs
//!
//! writes `examples/data/design_*.json`, one per model family with just the
//! variables its models declare, and `groups.json`, `regions50.json` and
//! `regions200.json`. The generator is seeded, so the files are
//! the same on every run.

use hbmc_stdlib::ChainRng;
use serde_json::{json, Value};

/// A standard normal draw (Box-Muller on two uniforms).
fn std_normal(rng: &mut ChainRng) -> f64 {
    let u1 = 1.0 - rng.uniform(); // in (0, 1]: the log is finite
    let u2 = rng.uniform();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// A uniform draw from 0..n.
fn below(rng: &mut ChainRng, n: usize) -> usize {
    ((rng.uniform() * n as f64) as usize).min(n - 1)
}

/// Exactly half of `n` units (rounded down) treated, at random: the
/// assignment of a completely randomised experiment.
fn half_treated(rng: &mut ChainRng, n: usize) -> Vec<u8> {
    let mut z: Vec<u8> = (0..n).map(|i| u8::from(i < n / 2)).collect();
    for i in (1..n).rev() {
        z.swap(i, below(rng, i + 1));
    }
    z
}

/// Covariates rounded to 4 decimals, so the files stay readable.
fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

fn normals(rng: &mut ChainRng, n: usize) -> Vec<f64> {
    (0..n).map(|_| round4(std_normal(rng))).collect()
}

/// Individuals only (MODELS.md 5, 12, 13): a covariate and a completely
/// randomised treatment.
fn individual(rng: &mut ChainRng) -> Value {
    let n = 300;
    json!({ "dims": { "obs": n }, "x": normals(rng, n), "z": half_treated(rng, n) })
}

/// Individuals in groups (MODELS.md 6, 7, 8, 11, 13): `z` randomised
/// within each group (a stratified experiment; the individual treatment of
/// the split plot), `z_g` randomised between groups (the cluster
/// treatment; the group treatment of the split plot).
fn grouped(rng: &mut ChainRng) -> Value {
    let (n, groups) = (400, 20);
    let mut g: Vec<usize> = (0..n).map(|_| 1 + below(rng, groups)).collect();
    g.sort_unstable();
    let mut z = vec![0u8; n];
    for k in 1..=groups {
        let members: Vec<usize> = (0..n).filter(|&i| g[i] == k).collect();
        for (&i, t) in members.iter().zip(half_treated(rng, members.len())) {
            z[i] = t;
        }
    }
    json!({
        "dims": { "obs": n, "group": groups },
        "g": g, "x": normals(rng, n), "z": z, "z_g": half_treated(rng, groups),
    })
}

/// A balanced panel (MODELS.md 9, 10): every person observed at every
/// time; person-level covariate `x` and treatment `z`, and a union
/// membership per person and year that persists (a person's propensity is
/// drawn once).
fn panel(rng: &mut ChainRng) -> Value {
    let (persons, times) = (60, 5);
    let mut j = Vec::new();
    let mut k = Vec::new();
    let mut union = Vec::new();
    for p in 1..=persons {
        let propensity = 0.15 + 0.7 * rng.uniform();
        for t in 1..=times {
            j.push(p);
            k.push(t);
            union.push(u8::from(rng.uniform() < propensity));
        }
    }
    json!({
        "dims": { "obs": persons * times, "person": persons, "time": times },
        "j": j, "k": k, "x": normals(rng, persons), "z": half_treated(rng, persons), "union": union,
    })
}

/// Seed 003 (MODELS.md 20): units randomised to treatment, with three
/// binary modifiers each; the groups are the control group (group 1) and
/// one group per combination of modifiers among the treated (2..=9, the
/// combination's bits in `Z`). Two unit-level covariates in `X`.
fn heterogeneous(rng: &mut ChainRng) -> Value {
    let (n, modifiers) = (2000, 3);
    let groups = 1 + (1 << modifiers);
    let treated = half_treated(rng, n);
    let g: Vec<usize> = treated
        .iter()
        .map(|&t| if t == 0 { 1 } else { 2 + below(rng, 1 << modifiers) })
        .collect();
    let z: Vec<Vec<u8>> = (0..groups)
        .map(|k| (0..modifiers).map(|m| if k == 0 { 0 } else { u8::from((k - 1) >> m & 1 == 1) }).collect())
        .collect();
    let x: Vec<Vec<f64>> = (0..n).map(|_| normals(rng, 2)).collect();
    json!({
        "dims": { "obs": n, "group": groups, "modifier": modifiers, "covariate": 2 },
        "g": g, "X": x, "Z": z,
        "treated": (0..groups).map(|k| u8::from(k > 0)).collect::<Vec<_>>(),
        "control": 1,
    })
}

/// A Poisson draw (Knuth's method: fine for small means).
fn poisson(rng: &mut ChainRng, mean: f64) -> usize {
    let limit = (-mean).exp();
    let (mut k, mut p) = (0, 1.0);
    loop {
        p *= rng.uniform();
        if p <= limit {
            return k;
        }
        k += 1;
    }
}

/// Seed 002: 2,000 individuals, each in one of 30 groups at random (the
/// document's `rng.choice(n_groups, size=n_id)`).
fn groups(rng: &mut ChainRng) -> Value {
    let (n, groups) = (2000, 30);
    json!({ "dims": { "group": groups }, "g": (0..n).map(|_| 1 + below(rng, groups)).collect::<Vec<_>>() })
}

/// Seed 004: `regions` regions reporting T[r] ~ Poisson(5) + 2 months each.
fn regions(rng: &mut ChainRng, regions: usize) -> Value {
    let r: Vec<usize> = (1..=regions).flat_map(|k| std::iter::repeat_n(k, poisson(rng, 5.0) + 2)).collect();
    json!({ "dims": { "region": regions }, "r": r })
}

/// Only the dims and the named variables of a design: the binder refuses
/// variables a model does not declare, so each model gets its own file.
fn subset(design: &Value, keys: &[&str]) -> Value {
    let mut out = serde_json::Map::new();
    for key in std::iter::once(&"dims").chain(keys) {
        out.insert(key.to_string(), design[*key].clone());
    }
    Value::Object(out)
}

fn main() -> std::io::Result<()> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    let rng = |stream: u64| ChainRng::new(1001, stream);
    let grouped = grouped(&mut rng(1));
    let panel = panel(&mut rng(2));
    let files = [
        ("individual", individual(&mut rng(0))),
        ("stratified", subset(&grouped, &["g", "x", "z"])),
        ("cluster", subset(&grouped, &["g", "x", "z_g"])),
        ("split_plot", subset(&grouped, &["g", "x", "z", "z_g"])),
        ("longitudinal", subset(&panel, &["j", "k", "x", "z"])),
        ("panel", subset(&panel, &["j", "k", "union"])),
        ("heterogeneous", heterogeneous(&mut rng(3))),
    ];
    let layouts = [("groups", groups(&mut rng(4))), ("regions50", regions(&mut rng(5), 50)), ("regions200", regions(&mut rng(6), 200))];
    for (name, design) in files.into_iter().map(|(n, d)| (format!("design_{n}"), d)).chain(layouts.into_iter().map(|(n, d)| (n.to_string(), d))) {
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, design.to_string() + "\n")?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
