//! Writes the Electric Company prediction grid of MODELS.md 3 for
//! `hbmc predict`: for every classroom of `electric.csv`, in the data's
//! order (so the dims' members come in the fit's order), five pre_test
//! values spanning the data's range, once with every treatment 1 and once
//! with every treatment 0.
//!
//!     cargo run --release --example electric_grid -- examples/data/electric.csv grid
//!
//! writes `grid/grid_T1.csv` and `grid/grid_T0.csv` (the defaults are the
//! shipped `electric.csv` and the current folder).

use std::path::PathBuf;

/// pre_test values per classroom in the grid.
pub const GRID_POINTS: usize = 5;

/// The grid with every treatment `t`, as CSV text, from the text of
/// `electric.csv` (its columns `post_test`, `pre_test`, `grade`, `pair_id`
/// by name; the header may quote them, as R writes it).
pub fn grid_csv(electric_csv: &str, t: u8) -> Result<String, String> {
    let mut lines = electric_csv.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next().ok_or("the file is empty")?.split(',').map(|h| h.trim().trim_matches('"')).collect();
    let col = |name: &str| header.iter().position(|h| *h == name).ok_or(format!("no column `{name}` in the header"));
    let (post, pre, grade, pair) = (col("post_test")?, col("pre_test")?, col("grade")?, col("pair_id")?);
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate() {
        let fields: Vec<&str> = line.split(',').map(|f| f.trim().trim_matches('"')).collect();
        let field = |c: usize| fields.get(c).copied().ok_or(format!("row {}: {} fields, fewer than the header's", i + 1, fields.len()));
        let pre_test: f64 = field(pre)?.parse().map_err(|_| format!("row {}: pre_test `{}` is not a number", i + 1, fields[pre]))?;
        rows.push((field(post)?, pre_test, field(grade)?, field(pair)?));
    }
    if rows.is_empty() {
        return Err("the file has no rows".into());
    }
    let (lo, hi) = rows.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| (lo.min(r.1), hi.max(r.1)));
    let mut csv = String::from("post_test,pre_test,grade,treatment,pair_id\n");
    for (post, _, grade, pair) in &rows {
        for k in 0..GRID_POINTS {
            let x = lo + (hi - lo) * k as f64 / (GRID_POINTS - 1) as f64;
            csv.push_str(&format!("{post},{x},{grade},{t},{pair}\n"));
        }
    }
    Ok(csv)
}

#[allow(dead_code)] // the tests include this file for `grid_csv` alone
fn main() {
    let mut args = std::env::args().skip(1);
    let input = PathBuf::from(args.next().unwrap_or_else(|| "examples/data/electric.csv".into()));
    let out = PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let text = match std::fs::read_to_string(&input) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", input.display());
            std::process::exit(1);
        }
    };
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("error: cannot create `{}`: {e}", out.display());
        std::process::exit(1);
    }
    for t in [1u8, 0] {
        let path = out.join(format!("grid_T{t}.csv"));
        let written = grid_csv(&text, t).and_then(|csv| std::fs::write(&path, csv).map_err(|e| e.to_string()));
        if let Err(e) = written {
            eprintln!("error: {}: {e}", path.display());
            std::process::exit(1);
        }
        eprintln!("wrote {}", path.display());
    }
}
