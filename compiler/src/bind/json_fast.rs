//! A direct reader for the JSON that data files are made of: objects,
//! lists, numbers, plain strings, `true`/`false`/`null`.
//!
//! serde_json's generic path costs about 500 instructions per number of a
//! 100,000-element list; this reader parses numbers with the standard
//! library (correctly rounded) straight into [`Raw`]. It gives up (`None`)
//! on anything it does not handle exactly as JSON says — a string with an
//! escape or a control character, a malformed number, a syntax error —
//! and the caller then reads the text with serde_json, which either reads
//! it or reports the error with its position.

use super::json::{is_tuple, Node};
use super::raw::Raw;

/// The value of a whole JSON text, or `None` to fall back to serde_json.
pub(crate) fn parse(text: &str) -> Option<Node> {
    let mut r = Reader { b: text.as_bytes(), text, at: 0 };
    let v = r.value(0)?;
    r.skip_ws();
    (r.at == r.b.len()).then_some(v)
}

/// Nesting deeper than this goes to serde_json (which limits it too), so
/// the recursion here stays shallow.
const MAX_DEPTH: usize = 100;

struct Reader<'a> {
    b: &'a [u8],
    text: &'a str,
    at: usize,
}

impl Reader<'_> {
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.at) {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.b.get(self.at).copied()
    }

    fn value(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if self.peek()? == b']' {
                    self.at += 1;
                    return Some(Node::Raw(Raw::List(items)));
                }
                loop {
                    // A number (most items of a data list) straight into
                    // the list, without a `Node` around it.
                    let item = match self.peek()? {
                        b'-' | b'0'..=b'9' => self.number()?,
                        // A list of tuples is regrouped by serde_json's path
                        // (`json::list`).
                        _ => match self.value(depth + 1)? {
                            Node::Object(m) if is_tuple(&m) => return None,
                            v => v.into_raw(),
                        },
                    };
                    items.push(item);
                    match self.peek()? {
                        b',' => self.at += 1,
                        b']' => {
                            self.at += 1;
                            return Some(Node::Raw(Raw::List(items)));
                        }
                        _ => return None,
                    }
                }
            }
            b'"' => Some(Node::Raw(Raw::Text(self.string()?))),
            b't' => self.word("true", Raw::Bool(true)),
            b'f' => self.word("false", Raw::Bool(false)),
            b'n' => self.word("null", Raw::Null),
            _ => self.number().map(Node::Raw),
        }
    }

    fn object(&mut self, depth: usize) -> Option<Node> {
        self.at += 1;
        let mut members = Vec::new();
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(Node::Object(members));
        }
        loop {
            if self.peek()? != b'"' {
                return None;
            }
            let key = self.string()?;
            if self.peek()? != b':' {
                return None;
            }
            self.at += 1;
            members.push((key, self.value(depth + 1)?));
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(Node::Object(members));
                }
                _ => return None,
            }
        }
    }

    /// A string without escapes or control characters (at the opening quote).
    fn string(&mut self) -> Option<String> {
        let start = self.at + 1;
        let len = self.b[start..].iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
        let end = start + len;
        if self.b[end] != b'"' {
            return None;
        }
        self.at = end + 1;
        // Both ends are ASCII quotes, so character boundaries.
        Some(self.text[start..end].to_string())
    }

    fn word(&mut self, w: &str, v: Raw) -> Option<Node> {
        if self.b[self.at..].starts_with(w.as_bytes()) {
            self.at += w.len();
            Some(Node::Raw(v))
        } else {
            None
        }
    }

    /// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, as serde_json reads
    /// it: an integer in i64 as `Int`, anything else as `Real`.
    fn number(&mut self) -> Option<Raw> {
        let b = self.b;
        let start = self.at;
        let mut i = start;
        let negative = b.get(i) == Some(&b'-');
        if negative {
            i += 1;
        }
        let int_start = i;
        // The integer part's value as it is scanned (`None` once beyond
        // u64), so that an integer is not parsed a second time.
        let mut magnitude = Some(0u64);
        while let Some(&d) = b.get(i).filter(|d| d.is_ascii_digit()) {
            magnitude = magnitude.and_then(|m| m.checked_mul(10)).and_then(|m| m.checked_add(u64::from(d - b'0')));
            i += 1;
        }
        let int_len = i - int_start;
        if int_len == 0 || (int_len > 1 && b[int_start] == b'0') {
            return None;
        }
        let mut integer = true;
        if b.get(i) == Some(&b'.') {
            integer = false;
            i += 1;
            let s = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == s {
                return None;
            }
        }
        if let Some(b'e' | b'E') = b.get(i) {
            integer = false;
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            let s = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == s {
                return None;
            }
        }
        self.at = i;
        if integer {
            // An integer in i64, else a real, as serde_json; which reads
            // `-0` as the real -0.0, left to it.
            match (negative, magnitude) {
                (true, Some(0)) => return None,
                (false, Some(m)) if m <= i64::MAX as u64 => return Some(Raw::Int(m as i64)),
                (true, Some(m)) if m <= 1 << 63 => return Some(Raw::Int((m as i64).wrapping_neg())),
                _ => {}
            }
        }
        // The span is ASCII digits and signs.
        let s = &self.text[start..i];
        // serde_json rejects numbers beyond f64's range; so does the fallback.
        s.parse::<f64>().ok().filter(|x| x.is_finite()).map(Raw::Real)
    }
}

#[cfg(test)]
mod tests {
    use super::super::json::Node;
    use super::*;

    /// The fast reader gives what serde_json gives, or gives up.
    fn same_as_serde(text: &str) -> bool {
        let fast = parse(text).map(|n| n.into_raw());
        let slow = serde_json::from_str::<Node>(text).ok().map(|n| n.into_raw());
        match fast {
            Some(f) => Some(f) == slow,
            None => true,
        }
    }

    #[test]
    fn reads_what_serde_json_reads() {
        let text = r#"{"a": [1, -2, 3.5, -0.0, 1e3, 2.5E-3, 9223372036854775807, 9223372036854775808, -9223372036854775809],
            "b": {"shape": [2, 1], "values": [[1], [2]]}, "c": "label", "d": [true, false, null], "e": [], "f": {}}"#;
        assert!(parse(text).is_some(), "the fast reader handles plain data");
        assert!(same_as_serde(text));
        let Some(Node::Object(members)) = parse(text) else { panic!("an object") };
        let (name, a) = members.into_iter().next().expect("member a");
        assert_eq!(name, "a");
        let a = a.into_raw();
        assert_eq!(
            a,
            Raw::List(vec![
                Raw::Int(1),
                Raw::Int(-2),
                Raw::Real(3.5),
                Raw::Real(-0.0),
                Raw::Real(1000.0),
                Raw::Real(0.0025),
                Raw::Int(i64::MAX),
                Raw::Real(9223372036854775808.0),
                Raw::Real(-9223372036854775809.0),
            ])
        );
    }

    #[test]
    fn integers_at_the_edges_of_i64_and_u64() {
        assert!(parse("[1, 007]").is_none(), "a leading zero goes to serde_json");
        assert!(parse("[1, -0]").is_none(), "-0 goes to serde_json");
        let text = "[-9223372036854775808, -0.0, 0, 18446744073709551615, 18446744073709551616, -18446744073709551617]";
        assert!(same_as_serde(text), "{text}");
        assert_eq!(
            parse(text).map(Node::into_raw),
            Some(Raw::List(vec![
                Raw::Int(i64::MIN),
                Raw::Real(-0.0),
                Raw::Int(0),
                Raw::Real(18446744073709551615.0),
                Raw::Real(18446744073709551616.0),
                Raw::Real(-18446744073709551617.0),
            ]))
        );
    }

    #[test]
    fn gives_up_on_what_it_does_not_read_exactly() {
        for text in [
            r#"{"a": "x\"y"}"#,
            "{\"a\": \"tab\there\"}",
            r#"{"a": 01}"#,
            r#"{"a": 1.}"#,
            r#"{"a": -}"#,
            r#"{"a": 1e400}"#,
            r#"{"a": [1, 2,]}"#,
            r#"{"a": 1} x"#,
            r#"{"a" 1}"#,
            r#"{"a": tru}"#,
        ] {
            assert!(parse(text).is_none(), "{text}");
        }
        // Correctly rounded: the shortest representation reads back exactly.
        let x = 0.1f64 + 0.2;
        let text = format!("[{x:?}]");
        assert_eq!(parse(&text).map(Node::into_raw), Some(Raw::List(vec![Raw::Real(x)])));
    }
}
