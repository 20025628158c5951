//! The `hbmc` command line: a thin layer over the `hbmc` library.

mod cli;

fn main() {
    std::process::exit(cli::run());
}
