//! Links the generic library without debug information: every model
//! library is a copy of it, and line tables would triple its size.

fn main() {
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,--strip-debug");
    }
}
