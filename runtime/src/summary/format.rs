//! Summary rows as text: an aligned table for people, CSV and JSON for
//! tools.

use super::SummaryRow;
use std::fmt::Write as _;

/// Formats with `sig` significant digits for a table cell.
pub(super) fn cell(x: f64, sig: usize) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let mag = x.abs().log10().floor() as i32;
    if !(-4..7).contains(&mag) {
        return format!("{:.*e}", sig.saturating_sub(1), x);
    }
    let decimals = (sig as i32 - 1 - mag).max(0) as usize;
    format!("{:.*}", decimals, x)
}

/// An integer with thousands separators: `2,300`.
pub(super) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

const HEADER: [&str; 10] = ["", "Mean", "MCSE", "StdDev", "5%", "50%", "95%", "ESS_bulk", "ESS_tail", "R_hat"];

/// The cells of a table row.
fn row_cells(r: &SummaryRow, sig_figs: usize) -> Vec<String> {
    let ess = |e: f64| if e.is_nan() { "NaN".to_string() } else { format!("{:.0}", e) };
    vec![
        r.label.clone(),
        cell(r.mean, sig_figs),
        cell(r.mcse_mean, 2),
        cell(r.sd, sig_figs),
        cell(r.q5, sig_figs),
        cell(r.q50, sig_figs),
        cell(r.q95, sig_figs),
        ess(r.ess_bulk),
        ess(r.ess_tail),
        if r.rhat.is_nan() { "NaN".into() } else { format!("{:.3}", r.rhat) },
    ]
}

/// Aligned lines like CmdStan's `stansummary`, `name  Mean  MCSE  StdDev
/// 5%  50%  95%  ESS_bulk  ESS_tail  R_hat`: the header line, then one line
/// per row (the columns aligned over all of them).
pub(super) fn table_lines(rows: &[&SummaryRow], sig_figs: usize) -> Vec<String> {
    let mut cells: Vec<Vec<String>> = vec![HEADER.iter().map(|s| s.to_string()).collect()];
    cells.extend(rows.iter().map(|r| row_cells(r, sig_figs)));
    let widths: Vec<usize> =
        (0..HEADER.len()).map(|j| cells.iter().map(|row| row[j].chars().count()).max().unwrap_or(0)).collect();
    cells
        .iter()
        .map(|row| {
            let mut line = String::new();
            for (j, c) in row.iter().enumerate() {
                if j == 0 {
                    let _ = write!(line, "{:<w$}", c, w = widths[0]);
                } else {
                    let _ = write!(line, "  {:>w$}", c, w = widths[j]);
                }
            }
            line.trim_end().to_string()
        })
        .collect()
}

/// The format of a full table for tools.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableFormat {
    /// One line per cell, a header line first.
    Csv,
    /// One object: the fit's chains and draws, then `rows`.
    Json,
}

/// The CSV header of [`csv_row`].
pub const CSV_HEADER: &str = "variable,label,column,mean,mcse_mean,sd,q5,q50,q95,ess_bulk,ess_tail,rhat";

/// A number for CSV: shortest round-trip form, `NaN`, `inf`, `-inf`; in
/// exponent form when tiny or huge (`5.8e-311`, not 311 zeros).
fn csv_number(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf".into() } else { "-inf".into() }
    } else if x != 0.0 && (x.abs() < 1e-5 || x.abs() >= 1e16) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A CSV field, quoted when it holds a comma or a quote.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn numbers(r: &SummaryRow) -> [f64; 9] {
    [r.mean, r.mcse_mean, r.sd, r.q5, r.q50, r.q95, r.ess_bulk, r.ess_tail, r.rhat]
}

/// One CSV line (without its newline) for `row` of `variable`.
pub fn csv_row(variable: &str, row: &SummaryRow) -> String {
    let mut fields = vec![csv_field(variable), csv_field(&row.label), csv_field(&row.column)];
    fields.extend(numbers(row).iter().map(|&x| csv_number(x)));
    fields.join(",")
}

/// A JSON string literal.
pub(super) fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON number; `null` for NaN and infinities (JSON has neither).
pub(super) fn json_number(x: f64) -> String {
    if x.is_finite() { format!("{x}") } else { "null".into() }
}

/// One JSON object for `row` of `variable`.
pub fn json_row(variable: &str, row: &SummaryRow) -> String {
    let names = ["mean", "mcse_mean", "sd", "q5", "q50", "q95", "ess_bulk", "ess_tail", "rhat"];
    let mut out = format!(
        "{{\"variable\": {}, \"label\": {}, \"column\": {}",
        json_string(variable),
        json_string(&row.label),
        json_string(&row.column)
    );
    for (name, x) in names.iter().zip(numbers(row)) {
        let _ = write!(out, ", \"{name}\": {}", json_number(x));
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_fields_for_tools() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        let row = SummaryRow {
            label: "alpha[pair=\"x\", grade=2]".into(),
            column: "alpha.1.2".into(),
            mean: 0.1,
            sd: 2.0,
            q5: -1e-7,
            q50: 0.0,
            q95: f64::INFINITY,
            mcse_mean: 0.25,
            ess_bulk: 1234.5,
            ess_tail: f64::NAN,
            rhat: 1.0,
        };
        assert_eq!(csv_row("alpha", &row), "alpha,\"alpha[pair=\"\"x\"\", grade=2]\",alpha.1.2,0.1,0.25,2,-1e-7,0,inf,1234.5,NaN,1");
        // Tiny and huge numbers in exponent form, not hundreds of digits.
        assert_eq!(csv_number(5.8e-311), "5.8e-311");
        assert_eq!(csv_number(-2.5e300), "-2.5e300");
        assert_eq!(csv_number(123456.75), "123456.75");
        assert_eq!(
            json_row("alpha", &row),
            "{\"variable\": \"alpha\", \"label\": \"alpha[pair=\\\"x\\\", grade=2]\", \"column\": \"alpha.1.2\", \"mean\": 0.1, \
             \"mcse_mean\": 0.25, \"sd\": 2, \"q5\": -0.0000001, \"q50\": 0, \"q95\": null, \"ess_bulk\": 1234.5, \"ess_tail\": null, \"rhat\": 1}"
        );
    }
}
