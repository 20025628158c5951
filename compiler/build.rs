//! Generates the parser from `grammar/hbm.lalrpop` at the workspace top level.
fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    lalrpop::Configuration::new()
        .set_in_dir(std::path::Path::new(&manifest).join("../grammar"))
        .set_out_dir(out)
        .emit_rerun_directives(true)
        .process()
        .expect("grammar/hbm.lalrpop must compile");
}
