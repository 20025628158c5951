//! Embedding a compiled hbm model in another program: compile a source,
//! bind its data, and evaluate the log density and its gradient.
//!
//! Run with `cargo run --release --example embed`.

use hbmc::model::{Engine, Model};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let source = std::fs::read_to_string("examples/electric_intercept.hbm")?;
    let model = Model::compile("electric_intercept", &source)?;
    let bound = model.bind_files(&["examples/data/electric.csv".into()], Engine::Jit)?;
    println!("{} unconstrained parameters, compiled in {:?}", bound.dim(), bound.compile_time);

    let mut eval = bound.evaluator();
    let theta = vec![0.1; bound.dim()];
    let mut grad = vec![0.0; bound.dim()];
    let lp = eval.log_density_gradient(&theta, &mut grad)?;
    println!("log density at theta = 0.1: {lp:.6}");
    for (name, g) in bound.unconstrained_names().iter().zip(&grad).take(5) {
        println!("  d/d{name} = {g:.6}");
    }

    // The constrained draw (parameters, transformed parameters, generated
    // quantities) at the same point, in CmdStan's column order.
    let mut rng = hbmc_stdlib::ChainRng::new(1, 0);
    let mut draw = Vec::new();
    eval.write_draw(&theta, &mut rng, &mut draw)?;
    println!("first output columns: {:?}", &bound.output_names()[..3]);
    println!("their values: {:?}", &draw[..3]);
    Ok(())
}
