//! `hbmc graph` on every example: the DOT output is compared with
//! `tests/graph/NAME.dot.expected` (rewrite with `HBMC_BLESS=1` after an
//! intended change, and review the diff), and the SVG drawing parses as
//! XML and names every node and plate of the DOT.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn hbmc(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hbmc")).current_dir(root()).args(args).output().expect("the hbmc binary built by cargo runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn examples() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["examples", "examples/stan"] {
        let Ok(entries) = std::fs::read_dir(root().join(dir)) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "hbm" || x == "stan") {
                out.push(p.strip_prefix(root()).map(Path::to_path_buf).unwrap_or(p));
            }
        }
    }
    out.sort();
    out
}

/// Node names and plate labels declared in a DOT file of `hbmc graph`.
fn dot_names(dot: &str) -> (Vec<String>, Vec<String>) {
    let mut nodes = Vec::new();
    let mut plates = Vec::new();
    for line in dot.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix('"') {
            if line.contains(" [label=") {
                nodes.push(rest.split('"').next().unwrap_or("").to_string());
            }
        } else if let Some(rest) = line.strip_prefix("label=\"") {
            plates.push(rest.split('"').next().unwrap_or("").to_string());
        }
    }
    (nodes, plates)
}

#[test]
fn graph_of_every_example_matches_its_snapshot_and_draws_as_svg() {
    let bless = std::env::var_os("HBMC_BLESS").is_some_and(|v| v != "0");
    let tmp = std::env::temp_dir().join(format!("hbmc_graph_{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let models = examples();
    assert!(models.len() >= 20, "examples found: {models:?}");
    let mut failures = Vec::new();
    for model in &models {
        let m = model.to_string_lossy();
        let stem = model.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let ext = model.extension().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let (code, dot, err) = hbmc(&["graph", &m]);
        assert_eq!(code, 0, "hbmc graph {m}: {err}");
        assert!(dot.starts_with("digraph ") && dot.trim_end().ends_with('}'), "{m}: {dot}");
        let expected_path = root().join("tests/graph").join(format!("{stem}.{ext}.dot.expected"));
        if bless {
            std::fs::write(&expected_path, &dot).expect("write snapshot");
        } else {
            match std::fs::read_to_string(&expected_path) {
                Ok(expected) if expected == dot => {}
                Ok(_) => failures.push(format!("{m}: DOT differs from {}", expected_path.display())),
                Err(_) => failures.push(format!("{m}: no snapshot {}", expected_path.display())),
            }
        }
        let svg_path = tmp.join(format!("{stem}.{ext}.svg"));
        let (code, _, err) = hbmc(&["graph", &m, "-o", &svg_path.to_string_lossy()]);
        assert_eq!(code, 0, "hbmc graph {m} -o svg: {err}");
        let svg = std::fs::read_to_string(&svg_path).expect("svg written");
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{m}: SVG does not parse: {e}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let texts: Vec<&str> = doc.descendants().filter(|n| n.has_tag_name("text")).filter_map(|n| n.text()).collect();
        let (nodes, plates) = dot_names(&dot);
        assert!(!nodes.is_empty(), "{m}: no nodes");
        for name in nodes.iter().chain(&plates) {
            assert!(texts.contains(&name.as_str()), "{m}: SVG lacks `{name}`");
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn electric_intercept_graph_has_the_documents_plates() {
    let (code, dot, err) = hbmc(&["graph", "examples/electric_intercept.hbm"]);
    assert_eq!(code, 0, "{err}");
    let (nodes, plates) = dot_names(&dot);
    for n in ["theta", "z_alpha", "alpha", "y", "y_rep", "ate"] {
        assert!(nodes.iter().any(|x| x == n), "no node {n}: {dot}");
    }
    assert_eq!(plates, ["obs", "grade", "pair"]);
    // Pairs nest inside grades; the likelihood reads theta; y is observed.
    assert!(dot.contains("subgraph \"cluster_grade_pair\""));
    assert!(dot.contains("\"theta\" -> \"y\";"));
    assert!(dot.contains("\"y\" [label=\"y\\nvector[obs]\", shape=ellipse, style=filled"));
}

#[test]
fn graph_rejects_an_unknown_output_format_and_a_missing_model() {
    let (code, _, err) = hbmc(&["graph", "examples/electric_intercept.hbm", "-o", "model.pdf"]);
    assert_eq!(code, 2);
    assert!(err.contains("`.dot`") && err.contains("`.svg`"), "{err}");
    let (code, _, err) = hbmc(&["graph", "examples/no_such_model.hbm"]);
    assert_eq!(code, 2);
    assert!(err.contains("no_such_model.hbm"), "{err}");
}
