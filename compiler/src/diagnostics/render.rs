//! Drawing diagnostics: ariadne for people, JSON for tools.

use super::{Diagnostic, Severity};
use ariadne::{Config, IndexType, Label, Report, ReportKind, Source};

/// Renders one diagnostic against the source it points into, without colour
/// (colour would make snapshot files unreadable; the CLI asks for it
/// separately through `render_all`).
pub fn render(diagnostic: &Diagnostic, file_name: &str, source: &str) -> String {
    render_with(diagnostic, file_name, source, false)
}

/// Renders all diagnostics, errors and warnings in order, optionally coloured.
pub fn render_all(diagnostics: &[Diagnostic], file_name: &str, source: &str, colour: bool) -> String {
    diagnostics
        .iter()
        .map(|d| render_with(d, file_name, source, colour))
        .collect()
}

fn render_with(diagnostic: &Diagnostic, file_name: &str, source: &str, colour: bool) -> String {
    let kind = match diagnostic.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    // Spans are byte offsets (logos, lalrpop); ariadne defaults to chars.
    let config = Config::default()
        .with_index_type(IndexType::Byte)
        .with_color(colour);
    let clamp = |r: std::ops::Range<usize>| {
        let end = r.end.min(source.len());
        r.start.min(end)..end
    };
    let primary = diagnostic
        .primary_span()
        .map(|s| clamp(s.range()))
        .unwrap_or(0..0);
    let mut report = Report::build(kind, (file_name, primary))
        .with_config(config)
        .with_code(diagnostic.code)
        .with_message(&diagnostic.message);
    for label in &diagnostic.labels {
        report = report.with_label(
            Label::new((file_name, clamp(label.span.range()))).with_message(&label.message),
        );
    }
    for help in &diagnostic.help {
        report = report.with_help(help);
    }
    for note in &diagnostic.notes {
        report = report.with_note(note);
    }
    let mut out = Vec::new();
    let written = if diagnostic.labels.is_empty() {
        None
    } else {
        report
            .finish()
            .write((file_name, Source::from(source)), &mut out)
            .ok()
    };
    match written {
        Some(()) => String::from_utf8_lossy(&out).into_owned(),
        // A diagnostic without a place in the source (data errors) is
        // printed as plain lines.
        None => plain(diagnostic),
    }
}

fn plain(diagnostic: &Diagnostic) -> String {
    let kind = match diagnostic.severity {
        Severity::Error => "Error",
        Severity::Warning => "Warning",
    };
    let mut out = format!("[{}] {}: {}\n", diagnostic.code, kind, diagnostic.message);
    for help in &diagnostic.help {
        out.push_str(&format!("  help: {help}\n"));
    }
    for note in &diagnostic.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    out
}

/// The diagnostics as a JSON array, with line and column (1-based, columns in
/// characters) beside the byte offsets so that editors need not recount.
pub fn to_json(diagnostics: &[Diagnostic], file_name: &str, source: &str) -> serde_json::Value {
    let position = |offset: usize| {
        let offset = offset.min(source.len());
        let before = source.get(..offset).unwrap_or(source);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        serde_json::json!({ "offset": offset, "line": line, "column": column })
    };
    let items = diagnostics
        .iter()
        .map(|d| {
            let labels: Vec<_> = d
                .labels
                .iter()
                .map(|l| {
                    serde_json::json!({
                        "message": l.message,
                        "start": position(l.span.start),
                        "end": position(l.span.end),
                    })
                })
                .collect();
            serde_json::json!({
                "file": file_name,
                "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "code": d.code,
                "message": d.message,
                "labels": labels,
                "help": d.help,
                "notes": d.notes,
            })
        })
        .collect();
    serde_json::Value::Array(items)
}
