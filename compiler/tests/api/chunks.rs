//! Chunked likelihood loops (`ir::chunks`), the path of `hbmc run
//! --threads-per-chain`: with the loops of small data forced into chunks,
//! the chunked gradient equals the unchunked one (to rounding) and finite
//! differences, and the JIT equals the interpreter bitwise with the chunks
//! run one after the other and on pools of 2 and 3 threads.

use hbmc_compiler::ad::differentiate;
use hbmc_compiler::bind::{bind_data, read_source};
use hbmc_compiler::codegen::{compile, ChunkPool};
use hbmc_compiler::front_end;
use hbmc_compiler::interp;
use hbmc_compiler::ir::arenas::Arenas;
use hbmc_compiler::ir::batch::batch_likelihood_loops;
use hbmc_compiler::ir::chunks::{chunk_large_loops, chunk_large_loops_with, ChunkPolicy};
use hbmc_compiler::ir::{FunctionKind, Module};
use hbmc_compiler::lower::lower_model;

/// Chunks every eligible loop, however small, into at most 5 chunks.
const FORCED: ChunkPolicy = ChunkPolicy { min_cost: 0, chunk_cost: 1, max_chunks: 5, cap_reduction: false };

/// `n` observations in `groups` groups: group, covariate, a 0/1 outcome
/// and a real one.
fn data(n: usize, groups: usize) -> String {
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let (mut g, mut x, mut y, mut yr) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..n {
        g.push((1 + (next() * groups as f64) as usize % groups).to_string());
        x.push(format!("{:?}", 4.0 * next() - 2.0));
        y.push(usize::from(next() < 0.4).to_string());
        yr.push(format!("{:?}", 3.0 * next() - 1.0));
    }
    format!(
        r#"{{"N": {n}, "G": {groups}, "g": [{}], "x": [{}], "y": [{}], "yr": [{}]}}"#,
        g.join(","),
        x.join(","),
        y.join(","),
        yr.join(",")
    )
}

/// The model lowered, differentiated and batched as the CLI does it,
/// before chunking; with its initial data arenas.
fn lowered(source: &str, data: &str) -> (Module, Arenas, usize) {
    let fe = front_end(source);
    let program = fe.typed.unwrap_or_else(|| panic!("model checks: {:?}", fe.diagnostics));
    let src = read_source("d.json", data).unwrap_or_else(|d| panic!("data reads: {d:?}"));
    let (bound, diags) = bind_data(&program, &[src]);
    let bound = bound.unwrap_or_else(|| panic!("data binds: {diags:?}"));
    let mut model = lower_model(&program, &bound).unwrap_or_else(|d| panic!("lowering: {d:?}"));
    differentiate(&mut model.module).unwrap_or_else(|e| panic!("AD: {e}"));
    batch_likelihood_loops(&mut model.module);
    let mut arenas = Arenas::new(&model.module.arena_sizes);
    arenas.data[..model.data_init.len()].copy_from_slice(&model.data_init);
    arenas.int_data[..model.int_data_init.len()].copy_from_slice(&model.int_data_init);
    (model.module, arenas, model.dim)
}

/// Arenas for `module` holding the data (and transformed data) of `base`.
fn arenas_for(module: &Module, base: &Arenas) -> Arenas {
    let mut a = Arenas::new(&module.arena_sizes);
    a.data[..base.data.len()].copy_from_slice(&base.data);
    a.int_data[..base.int_data.len()].copy_from_slice(&base.int_data);
    interp::run(module, FunctionKind::TransformedData, &mut a, None).expect("transformed data");
    a
}

/// Runs every check of the module docs on `source` at two points; returns
/// how many loops were chunked.
fn check(name: &str, source: &str, data: &str) -> usize {
    let (plain, base, dim) = lowered(source, data);
    let mut chunked = plain.clone();
    let n = chunk_large_loops_with(&mut chunked, FORCED);
    hbmc_compiler::ir::verify::verify(&chunked).unwrap_or_else(|e| panic!("{name}: chunked IR does not verify: {e:?}"));
    let jit = compile(&chunked).unwrap_or_else(|e| panic!("{name}: compiles: {e}"));
    let pools = [ChunkPool::new(2).expect("threads"), ChunkPool::new(3).expect("threads")];
    let mut a_plain = arenas_for(&plain, &base);
    let mut a_chunked = arenas_for(&chunked, &base);
    let mut rng = hbmc_stdlib::ChainRng::new(name.len() as u64, 3);
    for _ in 0..2 {
        let x: Vec<f64> = (0..dim).map(|_| 2.0 * rng.uniform() - 1.0).collect();
        a_plain.params.copy_from_slice(&x);
        let lp = interp::run(&plain, FunctionKind::Gradient, &mut a_plain, None).expect("unchunked gradient");
        a_chunked.params.copy_from_slice(&x);
        let value = interp::run(&chunked, FunctionKind::Gradient, &mut a_chunked, None).expect("chunked gradient");
        let grad = a_chunked.grad.clone();
        assert!((value - lp).abs() <= 1e-12 * lp.abs().max(1.0), "{name}: chunked value {value} vs {lp}");
        for i in 0..dim {
            let (c, p) = (grad[i], a_plain.grad[i]);
            assert!((c - p).abs() <= 1e-10 * p.abs().max(1.0), "{name}: d/dx[{i}] chunked {c} vs unchunked {p}");
            // Finite differences of the (unchunked) log density.
            let h = 1e-3;
            let mut f = |d: f64| {
                let mut y = x.clone();
                y[i] += d;
                a_plain.params.copy_from_slice(&y);
                interp::run(&plain, FunctionKind::LogDensity, &mut a_plain, None).expect("log density")
            };
            let fd = (8.0 * (f(h) - f(-h)) - (f(2.0 * h) - f(-2.0 * h))) / (12.0 * h);
            let err = (c - fd).abs() / c.abs().max(fd.abs()).max(1.0);
            assert!(err < 1e-6, "{name}: d/dx[{i}] chunked AD {c} vs FD {fd}");
        }
        // The JIT, without a pool and on 2 and 3 threads: the interpreter's bits.
        for pool in [None, Some(&pools[0]), Some(&pools[1])] {
            let mut a = arenas_for(&chunked, &base);
            a.params.copy_from_slice(&x);
            let v = jit.call_with_pool(FunctionKind::Gradient, &mut a, None, pool).expect("JIT gradient");
            let threads = pool.map_or(1, ChunkPool::threads);
            assert_eq!(v.to_bits(), value.to_bits(), "{name}: JIT value on {threads} threads");
            for i in 0..dim {
                assert_eq!(a.grad[i].to_bits(), grad[i].to_bits(), "{name}: JIT d/dx[{i}] on {threads} threads");
            }
        }
    }
    n
}

/// The batched `bernoulli_logit` loop (block scratch arrays privatised per
/// chunk, group adjoints and scalar gradients reduced) and a
/// `poisson_log` one; 700 observations: 3 blocks, so chunks of whole and
/// partial blocks.
#[test]
fn chunked_batched_logit_matches_unchunked_finite_differences_and_interpreter() {
    let model = r#"
data { int N; int G; array[N] int<lower=1, upper=G> g; vector[N] x; array[N] int<lower=0, upper=1> y; vector[N] yr; }
parameters { real a0; real b; vector[G] a; real<lower=0> s; }
model {
  a0 ~ normal(0, 1);
  b ~ normal(0, 1);
  a ~ normal(0, s);
  s ~ exponential(1);
  y ~ bernoulli_logit(a0 + a[g] + b * x);
  y ~ poisson_log(b * x - s + a[g]);
}
"#;
    let n = check("batched", model, &data(700, 7));
    assert!(n >= 2, "both likelihood loops are chunked ({n})");
}

/// A `normal` likelihood (IR arithmetic, no library call, one iteration per
/// observation) with a per-group scale: 9 observations in 5 chunks.
#[test]
fn chunked_normal_likelihood_matches_unchunked_finite_differences_and_interpreter() {
    let model = r#"
data { int N; int G; array[N] int<lower=1, upper=G> g; vector[N] x; array[N] int<lower=0, upper=1> y; vector[N] yr; }
parameters { vector[G] a; real b; vector<lower=0>[G] s; }
model {
  a ~ normal(0, 1);
  b ~ normal(0, 1);
  s ~ exponential(1);
  yr ~ normal(a[g] + b * x, s[g]);
}
"#;
    let n = check("normal", model, &data(9, 3));
    assert!(n >= 1, "the likelihood loop is chunked ({n})");
}

/// With the default policy, small data are not chunked (the examples keep
/// their unchunked gradient) and a large likelihood is.
#[test]
fn default_policy_chunks_large_likelihoods_only() {
    let model = r#"
data { int N; int G; array[N] int<lower=1, upper=G> g; vector[N] x; array[N] int<lower=0, upper=1> y; vector[N] yr; }
parameters { real a0; real b; vector[G] a; }
model { a ~ normal(0, 1); y ~ bernoulli_logit(a0 + a[g] + b * x); }
"#;
    let (mut small, _, _) = lowered(model, &data(2_000, 30));
    assert_eq!(chunk_large_loops(&mut small), 0, "2,000 observations are not chunked");
    let (mut large, _, _) = lowered(model, &data(50_000, 30));
    assert_eq!(chunk_large_loops(&mut large), 1, "50,000 observations are chunked");
}
