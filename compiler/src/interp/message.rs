//! Rendering of `print` and `reject` messages, shared by the interpreter and
//! the JIT's message callback so that both produce identical text.

use std::fmt::Write;

/// A scalar as it appears in a message.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    F64(f64),
    I64(i64),
}

/// One resolved part of a message.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece<'a> {
    Text(&'a str),
    Scalar(Scalar),
    /// The elements of a buffer.
    List(Vec<Scalar>),
}

fn push_scalar(out: &mut String, s: Scalar) {
    // Writing to a String cannot fail.
    let _ = match s {
        Scalar::F64(x) => write!(out, "{x}"),
        Scalar::I64(x) => write!(out, "{x}"),
    };
}

/// Concatenates the pieces: reals in Rust's shortest round-trip form
/// (`1`, `0.25`, `inf`, `NaN`), buffers as `[a, b, c]`.
pub fn render(pieces: &[Piece<'_>]) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Scalar(s) => push_scalar(&mut out, *s),
            Piece::List(items) => {
                out.push('[');
                for (i, s) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    push_scalar(&mut out, *s);
                }
                out.push(']');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_parts() {
        let s = render(&[
            Piece::Text("x = "),
            Piece::Scalar(Scalar::F64(1.0)),
            Piece::Text(", n = "),
            Piece::Scalar(Scalar::I64(-3)),
            Piece::Text(" "),
            Piece::List(vec![Scalar::F64(0.5), Scalar::F64(f64::INFINITY)]),
        ]);
        assert_eq!(s, "x = 1, n = -3 [0.5, inf]");
    }
}
