//! CmdStan's R dump data format (`.R`, `.rdump`, `.data.R` files, written
//! by rstan's `stan_rdump`): one `name <- value` per variable, where a
//! value is a number, a sequence `c(...)` or `a:b`, an empty
//! `integer(0)` / `double(0)` / `numeric(0)` / `c()`, or an array
//! `structure(values, .Dim = c(d1, d2, ...))` whose values run in
//! column-major order (R's, and CmdStan's for this format).
//!
//! The variables are read into the same [`JsonData`] as a JSON file, so
//! everything after reading (matching the program's declarations, shapes,
//! types, bounds) is shared: an array is the explicit-shape
//! [`Raw::Shaped`] with its values reordered to row-major. One rule differs
//! and is applied when the declarations are known (`bind_declared`): R has
//! no scalars, so `y <- 5` also stands for a container of one element.
//!
//! As in CmdStan, numbers written without a decimal point or exponent are
//! integers (an `L` suffix is allowed), `NA` is a missing value, and `Inf`,
//! `-Inf` and `NaN` are the non-finite reals. R syntax beyond this subset
//! (lists, data frames, factors, logicals, function calls) is refused with
//! a message naming what was found and what to write instead.

use super::json::JsonData;
use super::raw::Raw;

/// Reads an R dump text. The error is the code E4001 (or E4004 for a
/// variable given twice) and a one-line message with the line and column.
pub(crate) fn parse(text: &str) -> Result<JsonData, (&'static str, String)> {
    let mut p = Reader { text: text.as_bytes(), pos: 0 };
    let mut vars: Vec<(String, Raw)> = Vec::new();
    p.skip_space();
    while !p.at_end() {
        let name_at = p.pos;
        let name = p.name()?;
        p.skip_space();
        if !(p.eat("<-") || p.eat("=")) {
            return Err(p.error("expected `<-` after the variable name (R dump data is `name <- value`, one per line)"));
        }
        let value = p.value()?;
        if vars.iter().any(|(n, _)| *n == name) {
            let (line, column) = p.line_column(name_at);
            return Err((
                "E4004",
                format!("the variable `{name}` is given more than once (again at line {line}, column {column}); which value is meant is ambiguous: give it once"),
            ));
        }
        vars.push((name, value));
        p.skip_space();
        if p.eat(";") {
            p.skip_space();
        }
    }
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(JsonData { vars, dims: None, dims_not_object: false, r_dump: true })
}

/// Whether a text without a telling file extension looks like R dump data:
/// its first statement (after comments) is `name <-`.
pub(crate) fn looks_like_rdump(text: &str) -> bool {
    let mut p = Reader { text: text.trim_start_matches('\u{feff}').as_bytes(), pos: 0 };
    p.skip_space();
    p.name().is_ok() && {
        p.skip_space();
        p.eat("<-")
    }
}

/// A cursor over the text.
struct Reader<'t> {
    text: &'t [u8],
    pos: usize,
}

impl Reader<'_> {
    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    /// Skips whitespace and `#` comments.
    fn skip_space(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_ascii_whitespace() {
                self.pos += 1;
            } else if c == b'#' {
                while self.peek().is_some_and(|c| c != b'\n') {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// Consumes `s` if the text continues with it.
    fn eat(&mut self, s: &str) -> bool {
        if self.text[self.pos..].starts_with(s.as_bytes()) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    /// Consumes the word `w` (not followed by a name character).
    fn eat_word(&mut self, w: &str) -> bool {
        let rest = &self.text[self.pos..];
        let follows = rest.get(w.len()).is_some_and(|&c| is_name_char(c));
        if rest.starts_with(w.as_bytes()) && !follows {
            self.pos += w.len();
            true
        } else {
            false
        }
    }

    /// Consumes `c` after optional space, or fails saying `what` was expected.
    fn require(&mut self, c: &str, what: &str) -> Result<(), (&'static str, String)> {
        self.skip_space();
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.error(&format!("expected {what}")))
        }
    }

    fn line_column(&self, at: usize) -> (usize, usize) {
        let before = &self.text[..at.min(self.text.len())];
        let line = before.iter().filter(|&&c| c == b'\n').count() + 1;
        let column = before.iter().rev().take_while(|&&c| c != b'\n').count() + 1;
        (line, column)
    }

    /// An E4001 at the cursor, naming what is there.
    fn error(&self, message: &str) -> (&'static str, String) {
        let (line, column) = self.line_column(self.pos);
        let found: String = match self.peek() {
            None => "the end of the file".to_string(),
            Some(_) => {
                let rest = String::from_utf8_lossy(&self.text[self.pos..]);
                let word: String = rest.chars().take_while(|c| !c.is_whitespace()).take(20).collect();
                format!("`{word}`")
            }
        };
        ("E4001", format!("not valid R dump data: {message}, found {found} at line {line}, column {column}"))
    }

    /// A variable name, bare or quoted with `"`, `'` or backticks.
    fn name(&mut self) -> Result<String, (&'static str, String)> {
        match self.peek() {
            Some(q @ (b'"' | b'\'' | b'`')) => {
                let start = self.pos + 1;
                let end = self.text[start..].iter().position(|&c| c == q || c == b'\n').map(|i| start + i);
                match end {
                    Some(end) if self.text[end] == q => {
                        self.pos = end + 1;
                        Ok(String::from_utf8_lossy(&self.text[start..end]).into_owned())
                    }
                    _ => Err(self.error("a closing quote of the variable name")),
                }
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'.' || c == b'_' => {
                let start = self.pos;
                while self.peek().is_some_and(is_name_char) {
                    self.pos += 1;
                }
                Ok(String::from_utf8_lossy(&self.text[start..self.pos]).into_owned())
            }
            _ => Err(self.error("a variable name")),
        }
    }

    /// A variable's value.
    fn value(&mut self) -> Result<Raw, (&'static str, String)> {
        self.skip_space();
        if self.eat_word("structure") {
            return self.structure();
        }
        if let Some(empty) = self.empty()? {
            return Ok(empty);
        }
        if self.eat_word("c") {
            return self.combined();
        }
        for refused in ["list", "data.frame", "factor", "matrix", "array", "as.integer", "as.numeric", "rep", "seq"] {
            let at = self.pos;
            if self.eat_word(refused) {
                self.skip_space();
                if self.peek() == Some(b'(') {
                    self.pos = at;
                    return Err(self.error(&format!(
                        "a number, `c(...)`, `a:b` or `structure(c(...), .Dim = c(...))` (`{refused}(...)` is R code, not the dump format Stan reads: write the data with rstan's `stan_rdump` or as JSON)"
                    )));
                }
                self.pos = at;
            }
        }
        let first = self.scalar()?;
        self.skip_space();
        if self.eat(":") {
            return self.sequence(first);
        }
        Ok(first)
    }

    /// `integer(0)`, `double(0)`, `numeric(0)`: an empty list.
    fn empty(&mut self) -> Result<Option<Raw>, (&'static str, String)> {
        for word in ["integer", "double", "numeric"] {
            if self.eat_word(word) {
                self.require("(", "`(`")?;
                self.skip_space();
                if !self.eat("0") {
                    return Err(self.error(&format!("`{word}(0)` (an empty sequence; other lengths are R code, not data)")));
                }
                self.require(")", "`)`")?;
                return Ok(Some(Raw::List(Vec::new())));
            }
        }
        Ok(None)
    }

    /// The rest of `c(x, y, ...)` after `c`.
    fn combined(&mut self) -> Result<Raw, (&'static str, String)> {
        self.require("(", "`(` after `c`")?;
        let mut items = Vec::new();
        self.skip_space();
        if self.eat(")") {
            return Ok(Raw::List(items));
        }
        loop {
            self.skip_space();
            let x = self.scalar()?;
            self.skip_space();
            if self.eat(":") {
                match self.sequence(x)? {
                    Raw::List(run) => items.extend(run),
                    other => items.push(other),
                }
            } else {
                items.push(x);
            }
            self.skip_space();
            if self.eat(")") {
                return Ok(Raw::List(items));
            }
            if !self.eat(",") {
                return Err(self.error("`,` or `)` in `c(...)`"));
            }
        }
    }

    /// The rest of the integer sequence `from:to` after the colon.
    fn sequence(&mut self, from: Raw) -> Result<Raw, (&'static str, String)> {
        self.skip_space();
        let to = self.scalar()?;
        let (Raw::Int(a), Raw::Int(b)) = (&from, &to) else {
            return Err(self.error("integers on both sides of `:` (a sequence `a:b` of integers)"));
        };
        let (a, b) = (*a, *b);
        let n = a.abs_diff(b).saturating_add(1);
        if n > 1 << 31 {
            return Err(self.error("a sequence of at most 2^31 integers"));
        }
        let items = if a <= b { (a..=b).map(Raw::Int).collect() } else { (b..=a).rev().map(Raw::Int).collect() };
        Ok(Raw::List(items))
    }

    /// The rest of `structure(values, .Dim = dims)` after `structure`.
    fn structure(&mut self) -> Result<Raw, (&'static str, String)> {
        self.require("(", "`(` after `structure`")?;
        self.skip_space();
        let values_at = self.pos;
        let values = match self.value()? {
            Raw::List(items) => items,
            Raw::Shaped { .. } => return Err(self.error("values in `structure(...)` that are not themselves a structure")),
            scalar => vec![scalar],
        };
        self.require(",", "`, .Dim = c(...)` in `structure(...)`")?;
        self.skip_space();
        if !(self.eat_word(".Dim") || self.eat("\".Dim\"") || self.eat("`.Dim`")) {
            return Err(self.error("`.Dim = c(...)`: the array's sizes"));
        }
        self.require("=", "`=` after `.Dim`")?;
        let dims = match self.value()? {
            Raw::List(items) => items,
            scalar => vec![scalar],
        };
        let dims: Option<Vec<usize>> = dims.iter().map(|d| if let Raw::Int(n) = d { usize::try_from(*n).ok() } else { None }).collect();
        let Some(dims) = dims else {
            return Err(self.error("sizes in `.Dim` that are non-negative integers"));
        };
        self.skip_space();
        if self.peek() == Some(b',') {
            return Err(self.error("`)` after `.Dim` (attributes other than `.Dim`, such as `.Dimnames`, are not read: drop them)"));
        }
        self.require(")", "`)` closing `structure(...)`")?;
        let count = dims.iter().try_fold(1usize, |a, &n| a.checked_mul(n));
        if count != Some(values.len()) {
            let at = self.pos;
            self.pos = values_at;
            let sizes: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
            let e = self.error(&format!("{} values for `.Dim = c({})`, which needs {}", values.len(), sizes.join(", "), count.map_or("more than can be stored".to_string(), |n| n.to_string())));
            self.pos = at;
            return Err(e);
        }
        Ok(Raw::Shaped { values: column_major_to_row_major(values, &dims), shape: dims })
    }

    /// A number (an integer unless it has a decimal point or an exponent;
    /// `L` marks an integer), `NA`, `Inf`, `-Inf` or `NaN`.
    fn scalar(&mut self) -> Result<Raw, (&'static str, String)> {
        self.skip_space();
        let start = self.pos;
        let negative = self.eat("-");
        if !negative {
            self.eat("+");
        }
        if self.eat_word("Inf") {
            return Ok(Raw::Real(if negative { f64::NEG_INFINITY } else { f64::INFINITY }));
        }
        if !negative && self.eat_word("NaN") {
            return Ok(Raw::Real(f64::NAN));
        }
        if !negative && (self.eat_word("NA") || self.eat_word("NA_integer_") || self.eat_word("NA_real_")) {
            return Ok(Raw::Null);
        }
        if self.eat_word("TRUE") || self.eat_word("FALSE") || self.eat_word("T") || self.eat_word("F") {
            self.pos = start;
            return Err(self.error("a number (a logical value is not data Stan reads: write 1 or 0)"));
        }
        let digits_start = self.pos;
        let mut real = false;
        while let Some(c) = self.peek() {
            match c {
                b'0'..=b'9' => self.pos += 1,
                b'.' => {
                    real = true;
                    self.pos += 1;
                }
                b'e' | b'E' => {
                    real = true;
                    self.pos += 1;
                    if matches!(self.peek(), Some(b'+' | b'-')) {
                        self.pos += 1;
                    }
                }
                _ => break,
            }
        }
        let digits = std::str::from_utf8(&self.text[digits_start..self.pos]).unwrap_or("");
        if !digits.bytes().any(|c| c.is_ascii_digit()) {
            self.pos = start;
            return Err(self.error("a number"));
        }
        let marked_int = self.eat("L");
        let text = std::str::from_utf8(&self.text[start..if marked_int { self.pos - 1 } else { self.pos }]).unwrap_or("");
        if self.peek().is_some_and(is_name_char) {
            self.pos = start;
            return Err(self.error("a number"));
        }
        let parsed = if real || marked_int { None } else { text.parse::<i64>().ok() };
        match (parsed, text.parse::<f64>()) {
            (Some(i), _) => Ok(Raw::Int(i)),
            (None, Ok(x)) if marked_int && x.fract() == 0.0 && x.abs() < 9.2e18 => Ok(Raw::Int(x as i64)),
            (None, Ok(x)) => Ok(Raw::Real(x)),
            (None, Err(_)) => {
                self.pos = start;
                Err(self.error("a number"))
            }
        }
    }
}

fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'.' || c == b'_'
}

/// Reorders the values of an array of sizes `dims` from column-major (the
/// first index fastest) to row-major (the last index fastest).
fn column_major_to_row_major(values: Vec<Raw>, dims: &[usize]) -> Vec<Raw> {
    if dims.len() < 2 {
        return values;
    }
    let n = values.len();
    let mut slots: Vec<Option<Raw>> = values.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(n);
    let mut index = vec![0usize; dims.len()];
    for _ in 0..n {
        // The column-major offset of the row-major position `index`.
        let mut offset = 0;
        let mut stride = 1;
        for (i, d) in index.iter().zip(dims) {
            offset += i * stride;
            stride *= d;
        }
        // Invariant: the row-major walk visits every offset below n once.
        out.push(slots[offset].take().unwrap_or(Raw::Null));
        for (i, d) in index.iter_mut().zip(dims).rev() {
            *i += 1;
            if *i < *d {
                break;
            }
            *i = 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(text: &str) -> Vec<(String, Raw)> {
        parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}")).vars
    }

    fn error(text: &str) -> String {
        parse(text).expect_err(text).1
    }

    #[test]
    fn scalars_sequences_and_empty_values() {
        let v = vars("N <- 3\ny <- c(1, 2.5, -3e2)\nz <- 2:4 ; w <- 3:1\n\"q\" <- 7L # comment\ne <- integer(0)\nf <- c()\ninf <- c(Inf, -Inf, NA)");
        let get = |n: &str| v.iter().find(|(k, _)| k == n).map(|(_, r)| r.clone()).expect(n);
        assert_eq!(get("N"), Raw::Int(3));
        assert_eq!(get("y"), Raw::List(vec![Raw::Int(1), Raw::Real(2.5), Raw::Real(-300.0)]));
        assert_eq!(get("z"), Raw::List(vec![Raw::Int(2), Raw::Int(3), Raw::Int(4)]));
        assert_eq!(get("w"), Raw::List(vec![Raw::Int(3), Raw::Int(2), Raw::Int(1)]));
        assert_eq!(get("q"), Raw::Int(7));
        assert_eq!(get("e"), Raw::List(vec![]));
        assert_eq!(get("f"), Raw::List(vec![]));
        assert_eq!(get("inf"), Raw::List(vec![Raw::Real(f64::INFINITY), Raw::Real(f64::NEG_INFINITY), Raw::Null]));
    }

    #[test]
    fn a_structure_is_read_column_major() {
        // R: matrix(1:6, nrow = 2) is [[1, 3, 5], [2, 4, 6]].
        let v = vars("m <- structure(c(1, 2, 3, 4, 5, 6), .Dim = c(2L, 3L))");
        let ints = |xs: &[i64]| xs.iter().map(|&x| Raw::Int(x)).collect::<Vec<_>>();
        assert_eq!(v[0].1, Raw::Shaped { shape: vec![2, 3], values: ints(&[1, 3, 5, 2, 4, 6]) });
        // Three axes: element [i, j, k] is at i + 2 j + 6 k (0-based) in R's order.
        let v = vars("a <- structure(1:12, .Dim = c(2, 3, 2))");
        let Raw::Shaped { shape, values } = &v[0].1 else { panic!("{v:?}") };
        assert_eq!(shape, &vec![2, 3, 2]);
        let mut expected = Vec::new();
        for i in 0..2 {
            for j in 0..3 {
                for k in 0..2 {
                    expected.push(Raw::Int(1 + i + 2 * j + 6 * k));
                }
            }
        }
        assert_eq!(values, &expected);
    }

    #[test]
    fn what_is_not_the_dump_format_is_named() {
        assert!(error("y <- list(a = 1)").contains("`list(...)` is R code"), "{}", error("y <- list(a = 1)"));
        assert!(error("y <- c(TRUE, FALSE)").contains("write 1 or 0"));
        assert!(error("y <- structure(c(1, 2, 3), .Dim = c(2, 2))").contains("3 values for `.Dim = c(2, 2)`, which needs 4"));
        assert!(error("y <- 1\nx 3").contains("expected `<-`"));
        assert!(error("y <- 1.5:3").contains("integers on both sides"));
        let twice = parse("y <- 1\ny <- 2").expect_err("twice");
        assert_eq!(twice.0, "E4004");
        assert!(error("y <- c(1, 2").contains("line 1"));
    }

    #[test]
    fn rdump_text_is_recognised() {
        assert!(looks_like_rdump("# data\nN <- 3\n"));
        assert!(looks_like_rdump("\"N\" <- 3"));
        assert!(!looks_like_rdump("N,y\n1,2\n"));
        assert!(!looks_like_rdump("{\"N\": 3}"));
    }
}
