//! `hbmc graph model.hbm [-o out.dot|out.svg]`: the model as a directed
//! graph with plates (compiler/src/graph), as Graphviz DOT or SVG.

use super::{ModelSource, EXIT_USAGE};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `hbmc graph`.
#[derive(Args)]
pub struct GraphArgs {
    /// The model file (`.hbm`, or a `.stan` file in the supported subset).
    model: PathBuf,
    /// Write here instead of standard output: `.dot`/`.gv` for DOT, `.svg`
    /// for a drawing (no Graphviz needed).
    #[arg(short, long)]
    output: Option<PathBuf>,
}

/// Runs `hbmc graph`.
pub fn run(args: GraphArgs) -> i32 {
    let source = match ModelSource::read(&args.model) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let model = match hbmc::model::Model::compile(&source.stem, &source.text) {
        Ok(m) => m,
        Err(e) => return source.report_error(e),
    };
    let graph = hbmc::graph::build(&model.program);
    let Some(output) = args.output else {
        print!("{}", hbmc::graph::dot::to_dot(&graph, &source.stem));
        return 0;
    };
    let ext = output.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let text = match ext.as_str() {
        "dot" | "gv" => hbmc::graph::dot::to_dot(&graph, &source.stem),
        "svg" => hbmc::graph::svg::to_svg(&graph, &source.stem),
        _ => {
            eprintln!(
                "error: cannot tell the format of `{}` from its extension: name it `.dot` (or `.gv`) for Graphviz DOT, or `.svg` for a drawing",
                output.display()
            );
            return EXIT_USAGE;
        }
    };
    if let Err(e) = std::fs::write(&output, text) {
        eprintln!("error: cannot write `{}`: {e}", output.display());
        return EXIT_USAGE;
    }
    0
}
