//! Stan/CmdStan JSON data: one member per variable, plus the reserved
//! `"dims"` object.
//!
//! CmdStan also accepts the bare tokens `NaN`, `Infinity`, `-Infinity` (and
//! `Inf`, `-Inf`), which are not JSON; they are rewritten to strings before
//! serde_json reads the text, and error columns are mapped back to the
//! original text. Non-finite strings (`"inf"`, `"-inf"`, `"NaN"`, ...) are
//! recognised later, when the declared type says a real is expected.

use super::raw::Raw;

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
    /// Read from R dump data (`super::rdump`), where a single value also
    /// stands for a container of one element (R has no scalars).
    pub r_dump: bool,
}

/// Reads a JSON data text. The error is a code (E4001 syntax, E4002 not an
/// object) and a one-line message with the line and column in the original text.
pub(crate) fn parse(text: &str) -> Result<JsonData, (&'static str, String)> {
    // Plain JSON (no bare non-finite tokens, no escapes) is read directly;
    // anything else goes the general way, which also reports errors.
    let value = match super::json_fast::parse(text) {
        Some(node) => node,
        None => parse_general(text)?,
    };
    into_data(value)
}

/// Reads with serde_json after quoting CmdStan's bare non-finite tokens.
fn parse_general(text: &str) -> Result<Node, (&'static str, String)> {
    let (rewritten, inserts) = quote_non_finite_tokens(text);
    serde_json::from_str::<Node>(&rewritten).map_err(|e| {
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
    })
}

/// The variables and `"dims"` of a data file's top-level value.
fn into_data(value: Node) -> Result<JsonData, (&'static str, String)> {
    let members = match value {
        Node::Object(members) => members,
        Node::Raw(raw) => {
            return Err((
                "E4002",
                format!(
                    "the top level is {}, but Stan JSON data is an object `{{\"name\": value, ...}}`",
                    describe(&raw)
                ),
            ))
        }
    };
    let mut data = JsonData {
        vars: Vec::new(),
        dims: None,
        dims_not_object: false,
        r_dump: false,
    };
    for (name, v) in by_name(members, "at the top level")? {
        if name == "dims" {
            match v {
                Node::Object(dims) => {
                    let dims = by_name(dims, "in the \"dims\" object")?;
                    data.dims = Some(dims.into_iter().map(|(k, v)| (k, v.into_raw())).collect());
                }
                Node::Raw(_) => data.dims_not_object = true,
            }
        } else {
            push_var(&mut data.vars, name, v)?;
        }
    }
    // Tuple elements (`t:1`) were pushed after their tuple's name.
    data.vars.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(data)
}

/// A variable's member; a tuple (an object whose keys are the slots `"1"`,
/// `"2"`, ..., as CmdStan writes it) gives one member per element, named
/// as `syntax::tuples` names the element variables (`t:1`, `t:2:1`).
fn push_var(vars: &mut Vec<(String, Raw)>, name: String, v: Node) -> Result<(), (&'static str, String)> {
    match v {
        Node::Object(members) if is_tuple(&members) => {
            for (slot, element) in by_name(members, &format!("in the tuple \"{name}\""))? {
                push_var(vars, format!("{name}:{slot}"), element)?;
            }
        }
        v => vars.push((name, v.into_raw())),
    }
    Ok(())
}

/// A JSON list. A list of tuples (an array of tuples, as CmdStan writes
/// it) becomes the tuple of lists that the program's element variables
/// hold: `[{"1": a, "2": b}, {"1": c, "2": d}]` is `{"1": [a, c], "2": [b, d]}`
/// (an element missing from one tuple leaves its list short, which the
/// declared size then reports).
fn list(items: Vec<Node>) -> Node {
    let tuples = !items.is_empty() && items.iter().all(|i| matches!(i, Node::Object(m) if is_tuple(m)));
    if !tuples {
        return Node::Raw(Raw::List(items.into_iter().map(Node::into_raw).collect()));
    }
    let mut slots: std::collections::BTreeMap<usize, Vec<Node>> = std::collections::BTreeMap::new();
    for item in items {
        let Node::Object(members) = item else { continue };
        for (k, v) in members {
            // `is_tuple` checked that every key is a number.
            if let Ok(slot) = k.parse::<usize>() {
                slots.entry(slot).or_default().push(v);
            }
        }
    }
    Node::Object(slots.into_iter().map(|(k, vs)| (k.to_string(), list(vs))).collect())
}

/// Whether an object's keys are tuple slots, `"1"`, `"2"`, ... (a slot
/// missing or too many is reported against the program's declaration).
pub(crate) fn is_tuple(members: &[(String, Node)]) -> bool {
    !members.is_empty() && members.iter().all(|(k, _)| k.parse::<usize>().is_ok_and(|i| i >= 1) && !k.starts_with('0'))
}

/// An object's members sorted by name. A name given twice is an error
/// (E4004): JSON readers disagree on which value wins (serde_json and
/// Python keep the last, others the first), so any choice would be a guess.
fn by_name(
    mut members: Vec<(String, Node)>,
    place: &str,
) -> Result<Vec<(String, Node)>, (&'static str, String)> {
    members.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(w) = members.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err((
            "E4004",
            format!(
                "the member \"{}\" is given more than once {place}; which value is meant is ambiguous: give it once",
                w[0].0
            ),
        ));
    }
    Ok(members)
}

/// A JSON value's kind, for messages.
fn describe(v: &Raw) -> &'static str {
    match v {
        Raw::Null => "null",
        Raw::Bool(_) => "a boolean",
        Raw::Int(_) | Raw::Real(_) => "a number",
        Raw::Text(_) | Raw::Field(_) => "a string",
        Raw::List(_) | Raw::Shaped { .. } => "a list",
        Raw::Object => "an object",
    }
}

/// A JSON value read straight into the format-neutral [`Raw`] form, with
/// objects kept as members (the top level and `"dims"` are objects). Read
/// without serde_json's `Value` tree: at 100,000 observations the tree and
/// its conversion were most of the data reading time.
pub(crate) enum Node {
    Raw(Raw),
    Object(Vec<(String, Node)>),
}

impl Node {
    /// The value as [`Raw`]: an object is the explicit-shape form
    /// `{"shape": [...], "values": [...]}` or else opaque.
    pub(crate) fn into_raw(self) -> Raw {
        let members = match self {
            Node::Raw(r) => return r,
            Node::Object(members) => members,
        };
        if members.len() == 2 {
            let mut shape = None;
            let mut values = None;
            for (k, v) in members {
                match (k.as_str(), v) {
                    ("shape", Node::Raw(Raw::List(items))) => {
                        shape = items
                            .iter()
                            .map(|d| match d {
                                Raw::Int(i) => usize::try_from(*i).ok(),
                                _ => None,
                            })
                            .collect::<Option<Vec<usize>>>();
                    }
                    ("values", Node::Raw(Raw::List(items))) => values = Some(items),
                    _ => {}
                }
            }
            if let (Some(shape), Some(values)) = (shape, values) {
                return Raw::Shaped { shape, values };
            }
        }
        Raw::Object
    }
}

impl<'de> serde::Deserialize<'de> for Node {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> serde::de::Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Node, E> {
        Ok(Node::Raw(Raw::Bool(b)))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Node, E> {
        Ok(Node::Raw(Raw::Int(i)))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Node, E> {
        // Beyond i64: a real (an error where an int is expected).
        Ok(Node::Raw(i64::try_from(u).map_or(Raw::Real(u as f64), Raw::Int)))
    }
    fn visit_f64<E>(self, x: f64) -> Result<Node, E> {
        Ok(Node::Raw(Raw::Real(x)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Node, E> {
        Ok(Node::Raw(Raw::Text(s.to_string())))
    }
    fn visit_string<E>(self, s: String) -> Result<Node, E> {
        Ok(Node::Raw(Raw::Text(s)))
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Raw(Raw::Null))
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Raw(Raw::Null))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(list(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut members = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Node>()? {
            members.push((k, v));
        }
        Ok(Node::Object(members))
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
    // Unchanged text is copied in spans (from `copied` to the next rewrite):
    // a copy per character was a large part of reading 100,000 numbers.
    let mut copied = 0;
    let (mut line, mut line_start, mut on_line) = (1usize, 0usize, 0usize);
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            if b == b'\\' {
                // Skip the backslash and the whole character it escapes, so
                // an escaped quote does not end the string.
                i += 1;
                if let Some(&next) = bytes.get(i) {
                    i = (i + utf8_len(next)).min(bytes.len());
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
            line_start = i + 1;
            on_line = 0;
        } else if b == b'-' || b == b'I' || b == b'N' {
            let prev_ok = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
            if let Some(tok) = TOKENS.iter().find(|t| bytes[i..].starts_with(t.as_bytes())) {
                let next = bytes.get(i + tok.len());
                if prev_ok && !next.is_some_and(|c| c.is_ascii_alphanumeric()) {
                    // Column in the rewritten text: each earlier rewrite on
                    // this line added two quotes.
                    inserts.push((line, i - line_start + 2 * on_line + 1));
                    on_line += 1;
                    // `i` is at an ASCII byte, so a character boundary.
                    out.push_str(&text[copied..i]);
                    out.push('"');
                    out.push_str(tok);
                    out.push('"');
                    i += tok.len();
                    copied = i;
                    continue;
                }
            }
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
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
    fn a_tuple_object_gives_one_member_per_element() {
        let d = parse(r#"{"t": {"2": [1.5, 2], "1": 3}, "n": {"1": 1, "2": {"1": 2, "2": 3}}, "o": {"a": 1}}"#).unwrap();
        let names: Vec<&str> = d.vars.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["n:1", "n:2:1", "n:2:2", "o", "t:1", "t:2"]);
        assert_eq!(d.vars[4].1, Raw::Int(3));
        assert_eq!(d.vars[3].1, Raw::Object, "an object that is no tuple stays one");
    }

    #[test]
    fn a_list_of_tuples_gives_one_list_per_element() {
        // Arrays of tuples of tuples, 2 x 2, as CmdStan writes them.
        let text = r#"{"a": [[{"1": 1, "2": {"1": 0.5, "2": 7}}, {"1": 2, "2": {"1": 1.5, "2": 8}}],
                              [{"1": 3, "2": {"1": 2.5, "2": 9}}, {"1": 4, "2": {"1": 3.5, "2": 10}}]]}"#;
        let d = parse(text).unwrap();
        let names: Vec<&str> = d.vars.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a:1", "a:2:1", "a:2:2"]);
        let ints = |v: &[i64]| Raw::List(v.iter().map(|i| Raw::Int(*i)).collect());
        assert_eq!(d.vars[0].1, Raw::List(vec![ints(&[1, 2]), ints(&[3, 4])]));
        assert_eq!(d.vars[2].1, Raw::List(vec![ints(&[7, 8]), ints(&[9, 10])]));
        let reals = Raw::List(vec![Raw::List(vec![Raw::Real(0.5), Raw::Real(1.5)]), Raw::List(vec![Raw::Real(2.5), Raw::Real(3.5)])]);
        assert_eq!(d.vars[1].1, reals);
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
