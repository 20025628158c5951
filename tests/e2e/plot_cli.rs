//! `hbmc plot` through the binary on a short fit made here: every kind
//! writes an SVG that parses as XML and carries the expected labels (dim
//! members from `PREFIX_dims.json`), `-o x.png` writes a PNG of the SVG's
//! size, and bad input gets a clear error.

use crate::common;

use common::hbmc;
use std::path::{Path, PathBuf};

const MODEL: &str = r#"
dims { obs; group = ["a", "b", "c"]; }
data {
  array[obs] group g;
  vector[obs] y;
}
parameters {
  vector[group] mu;
  real<lower=0> sigma;
}
model {
  mu ~ normal(0, 5);
  sigma ~ normal(0, 2);
  y ~ normal(mu[g], sigma);
}
generated quantities {
  array[obs] real y_rep = normal_rng(mu[g], sigma);
}
"#;

const DATA: &str = r#"{"g": ["a", "b", "c", "a", "b", "c", "a"], "y": [1.0, 2.1, 2.9, 1.2, 1.8, 3.3, 0.7]}"#;

/// A scratch folder with a short two-chain fit `fit/m`.
fn fitted(name: &str) -> PathBuf {
    let dir = common::scratch(&format!("plot-{name}"));
    std::fs::write(dir.join("model.hbm"), MODEL).expect("model written");
    std::fs::write(dir.join("data.json"), DATA).expect("data written");
    let out = hbmc(
        &dir,
        &["run", "model.hbm", "--data", "data.json", "--chains", "2", "--warmup", "150", "--draws", "100", "--seed", "3", "--quiet", "--output", "fit/m"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dir
}

/// The texts of an SVG file, after checking that it parses.
fn svg_texts(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{}: not XML: {e}", path.display()));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants().filter(|n| n.has_tag_name("text")).filter_map(|n| n.text()).map(|t| t.trim().to_string()).collect()
}

#[test]
fn every_kind_draws_an_svg_with_its_labels() {
    let dir = fitted("kinds");
    let cases: &[(&[&str], &[&str])] = &[
        (&["--kind", "trace", "--vars", "mu"], &["mu[group=a]", "mu[group=b]", "mu[group=c]", "chain 1", "chain 2"]),
        (&["--kind", "rank", "--vars", "mu,sigma"], &["mu[group=a]", "sigma", "chain 2"]),
        (&["--kind", "forest", "--vars", "mu"], &["mu[group=a]", "mu[group=c]", "m: medians, 50% and 94% intervals"]),
        (&["--kind", "pair", "--vars", "mu.1", "--vars", "sigma"], &["mu[group=a]", "sigma"]),
        (&["--kind", "ppc", "--data", "data.json"], &["y (observed)", "y_rep (60 draws)"]),
        (&["--kind", "energy"], &["chain 1: E-BFMI", "chain 2: E-BFMI"]),
        // Without --vars: the model's variables, not y_rep.
        (&["--kind", "forest"], &["mu[group=b]", "sigma"]),
    ];
    for (i, (args, labels)) in cases.iter().enumerate() {
        let file = format!("plot{i}.svg");
        let mut all = vec!["plot", "fit/m", "-o", file.as_str()];
        all.extend_from_slice(args);
        let out = hbmc(&dir, &all);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let texts = svg_texts(&dir.join(&file));
        for label in *labels {
            assert!(texts.iter().any(|t| t.starts_with(label)), "{args:?}: no text `{label}` in {texts:?}");
        }
        if args.contains(&"forest") && args.len() == 2 {
            assert!(!texts.iter().any(|t| t.starts_with("y_rep")), "default forest shows y_rep: {texts:?}");
        }
    }
}

#[test]
fn bad_input_gets_a_clear_error() {
    let dir = fitted("bad");
    let cases: &[(&[&str], &str)] = &[
        (&["plot", "fit/m", "--kind", "violin", "-o", "p.svg"], "violin"),
        (&["plot", "fit/none", "--kind", "trace", "-o", "p.svg"], "no files `fit/none_<n>.csv`"),
        (&["plot", "fit/m", "--kind", "trace", "--vars", "tau", "-o", "p.svg"], "the fit has no variable `tau`; it has mu, sigma"),
        (&["plot", "fit/m", "--kind", "ppc", "-o", "p.svg"], "--kind ppc needs the observed data: --data FILE (with `y`)"),
        (&["plot", "fit/m", "--kind", "ppc", "--data", "data.json", "--observed", "z", "-o", "p.svg"], "has no `z`"),
        (&["plot", "fit/m", "--kind", "ppc", "--data", "missing.json", "-o", "p.svg"], "missing.json"),
        (&["plot", "fit/m", "--kind", "trace", "-o", "p.pdf"], "name it `.svg` or `.png`"),
        (&["plot", "fit/m", "--kind", "trace", "--vars", "tau", "-o", "p.png"], "the fit has no variable `tau`"),
    ];
    for (args, expected) in cases {
        let out = hbmc(&dir, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: expected `{expected}` in: {stderr}");
    }
    assert!(!dir.join("p.svg").exists() && !dir.join("p.png").exists(), "nothing written on error");
}

/// Width and height from a PNG's IHDR chunk, after checking the signature.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{} is not a PNG", path.display());
    assert_eq!(&bytes[12..16], b"IHDR");
    let word = |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    (word(16), word(20))
}

#[test]
fn png_output_is_the_svg_rendered_at_its_size() {
    let dir = fitted("png");
    for (kind, vars) in [("forest", "mu,sigma"), ("trace", "mu")] {
        for ext in ["svg", "png"] {
            let out = hbmc(&dir, &["plot", "fit/m", "--kind", kind, "--vars", vars, "-o", &format!("{kind}.{ext}")]);
            assert!(out.status.success(), "{kind} {ext}: {}", String::from_utf8_lossy(&out.stderr));
        }
        let svg = std::fs::read_to_string(dir.join(format!("{kind}.svg"))).expect("svg");
        let doc = roxmltree::Document::parse(&svg).expect("svg parses");
        let size = |a: &str| doc.root_element().attribute(a).and_then(|v| v.parse::<u32>().ok()).expect("svg size");
        assert_eq!(png_size(&dir.join(format!("{kind}.png"))), (size("width"), size("height")), "{kind}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
