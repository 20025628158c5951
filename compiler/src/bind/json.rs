//! Stan/CmdStan JSON data: one member per variable, plus the reserved
//! `"dims"` object.
//!
//! CmdStan also accepts the bare tokens `NaN`, `Infinity`, `-Infinity` (and
//! `Inf`, `-Inf`), which are not JSON; they are rewritten to strings before
//! serde_json reads the text, and error columns are mapped back to the
//! original text. Non-finite strings (`"inf"`, `"-inf"`, `"NaN"`, ...) are
//! recognised later, when the declared type says a real is expected.

use super::raw::Raw;
use serde_json::Value;

/// A JSON data file's members, split into variables and the `"dims"` object.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct JsonData {
    /// Every member except `"dims"`, in the order serde_json gives them
    /// (sorted by name).
    pub vars: Vec<(String, Raw)>,
    /// The `"dims"` object's members, uninterpreted (the program decides
    /// what they must be).
    pub dims: Option<Vec<(String, Raw)>>,
    /// `"dims"` was present but not an object.
    pub dims_not_object: bool,
}

/// Reads a JSON data text. The error is a code (E4001 syntax, E4002 not an
/// object) and a one-line message with the line and column in the original text.
pub(crate) fn parse(text: &str) -> Result<JsonData, (&'static str, String)> {
    let (rewritten, inserts) = quote_non_finite_tokens(text);
    let value: Value = serde_json::from_str(&rewritten).map_err(|e| {
        let line = e.line();
        let shift = inserts
            .iter()
            .filter(|(l, c)| *l == line && *c < e.column())
            .count()
            * 2;
        let column = e.column().saturating_sub(shift);
        // serde_json's Display appends "at line L column C" for the rewritten
        // text; rebuild it for the original.
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        ("E4001", format!("{msg} at line {line}, column {column}"))
    })?;
    let Value::Object(members) = value else {
        return Err((
            "E4002",
            format!(
                "the top level is {}, but Stan JSON data is an object `{{\"name\": value, ...}}`",
                describe(&value)
            ),
        ));
    };
    let mut data = JsonData {
        vars: Vec::new(),
        dims: None,
        dims_not_object: false,
    };
    for (name, v) in members {
        if name == "dims" {
            match v {
                Value::Object(dims) => {
                    data.dims = Some(dims.into_iter().map(|(k, v)| (k, to_raw(v))).collect());
                }
                _ => data.dims_not_object = true,
            }
        } else {
            data.vars.push((name, to_raw(v)));
        }
    }
    Ok(data)
}

/// A JSON value's kind, for messages.
fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Converts a JSON value into the format-neutral [`Raw`] form.
fn to_raw(v: Value) -> Raw {
    match v {
        Value::Null => Raw::Null,
        Value::Bool(b) => Raw::Bool(b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Raw::Int(i),
            // Beyond i64 or with a fraction: a real (an error where an int is
            // expected). serde_json rejects numbers beyond f64's range.
            None => Raw::Real(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Raw::Text(s),
        Value::Array(items) => Raw::List(items.into_iter().map(to_raw).collect()),
        Value::Object(mut obj) => {
            // The explicit-shape form {"shape": [...], "values": [...]}.
            if obj.len() == 2 {
                if let (Some(Value::Array(shape)), Some(Value::Array(_))) =
                    (obj.get("shape"), obj.get("values"))
                {
                    let dims: Option<Vec<usize>> = shape
                        .iter()
                        .map(|d| d.as_u64().and_then(|d| usize::try_from(d).ok()))
                        .collect();
                    if let (Some(shape), Some(Value::Array(values))) = (dims, obj.remove("values"))
                    {
                        return Raw::Shaped {
                            shape,
                            values: values.into_iter().map(to_raw).collect(),
                        };
                    }
                }
            }
            Raw::Object
        }
    }
}

/// Rewrites CmdStan's bare non-finite tokens outside strings as JSON
/// strings. Returns the text and, for each rewrite, its line and the
/// (1-based, byte) column where it starts in the rewritten text.
fn quote_non_finite_tokens(text: &str) -> (String, Vec<(usize, usize)>) {
    const TOKENS: [&str; 6] = ["-Infinity", "Infinity", "-Inf", "Inf", "-NaN", "NaN"];
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut inserts = Vec::new();
    let (mut line, mut line_start) = (1usize, 0usize);
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            if b == b'\\' {
                // Copy the backslash and the whole character it escapes, so
                // an escaped quote does not end the string.
                out.push('\\');
                i += 1;
                if let Some(&next) = bytes.get(i) {
                    let end = (i + utf8_len(next)).min(bytes.len());
                    out.push_str(text.get(i..end).unwrap_or(""));
                    i = end;
                }
                continue;
            }
            if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b'\n' {
            line += 1;
            line_start = out.len() + 1;
        } else if b == b'-' || b == b'I' || b == b'N' {
            let rest = text.get(i..).unwrap_or("");
            let prev_ok = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
            if let Some(tok) = TOKENS.iter().find(|t| rest.starts_with(*t)) {
                let next = bytes.get(i + tok.len());
                if prev_ok && !next.is_some_and(|c| c.is_ascii_alphanumeric()) {
                    inserts.push((line, out.len() - line_start + 1));
                    out.push('"');
                    out.push_str(tok);
                    out.push('"');
                    i += tok.len();
                    continue;
                }
            }
        }
        // Copy one whole UTF-8 character.
        let len = utf8_len(b);
        let end = (i + len).min(bytes.len());
        out.push_str(text.get(i..end).unwrap_or(""));
        i = end;
    }
    (out, inserts)
}

/// The length of the UTF-8 sequence that starts with byte `b`.
fn utf8_len(b: u8) -> usize {
    match b {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// The value of one of CmdStan's non-finite spellings (case-insensitive
/// `inf`, `infinity`, `nan`, with an optional sign), if `s` is one.
pub(crate) fn non_finite(s: &str) -> Option<f64> {
    let lower = s.trim().to_ascii_lowercase();
    let (neg, body) = match lower.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, lower.strip_prefix('+').unwrap_or(&lower)),
    };
    let v = match body {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => return None,
    };
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_members_dims_and_non_finite_tokens() {
        let d =
            parse(r#"{"y": [1, 2.5, NaN, -Infinity, "inf"], "dims": {"g": ["a"]}, "s": "NaN"}"#)
                .unwrap();
        let names: Vec<_> = d.vars.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, vec!["s", "y"]);
        assert_eq!(d.vars[0].1, Raw::Text("NaN".into()));
        match &d.vars[1].1 {
            Raw::List(items) => {
                assert_eq!(items[0], Raw::Int(1));
                assert_eq!(items[1], Raw::Real(2.5));
                assert_eq!(items[2], Raw::Text("NaN".into()));
                assert_eq!(items[3], Raw::Text("-Infinity".into()));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(d.dims.unwrap()[0].1, Raw::List(vec![Raw::Text("a".into())]));
        assert_eq!(non_finite("-Inf"), Some(f64::NEG_INFINITY));
        assert_eq!(non_finite("infx"), None);
    }

    #[test]
    fn syntax_errors_give_original_columns() {
        let (_, e) = parse("{\"a\": NaN, \"b\": [1,, 2]}").unwrap_err();
        assert!(e.contains("line 1, column 20"), "{e}");
        let (code, e) = parse("[1, 2]").unwrap_err();
        assert_eq!(code, "E4002");
        assert!(e.contains("top level is a list"), "{e}");
    }

    #[test]
    fn reads_explicit_shape_form() {
        let d = parse(r#"{"m": {"shape": [0, 0], "values": []}}"#).unwrap();
        assert_eq!(
            d.vars[0].1,
            Raw::Shaped {
                shape: vec![0, 0],
                values: vec![]
            }
        );
    }
}
