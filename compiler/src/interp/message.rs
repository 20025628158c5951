//! Rendering of `print` and `reject` messages, shared by the interpreter and
//! the JIT's message callback so that both produce identical text.

use std::fmt::Write;

use crate::ir::PrintShape;

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
    /// The elements of a buffer, in storage order, and how they nest.
    List(Vec<Scalar>, &'a PrintShape),
}

fn push_scalar(out: &mut String, s: Scalar) {
    // Writing to a String cannot fail.
    let _ = match s {
        Scalar::F64(x) => write!(out, "{x}"),
        Scalar::I64(x) => write!(out, "{x}"),
    };
}

/// Concatenates the pieces: reals in Rust's shortest round-trip form
/// (`1`, `0.25`, `inf`, `NaN`), containers as Stan's `stan_print` writes
/// them, with no spaces: `[a,b,c]`, an array of vectors or a matrix
/// (row by row) `[[a,b],[c,d]]`.
pub fn render(pieces: &[Piece<'_>]) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Scalar(s) => push_scalar(&mut out, *s),
            Piece::List(items, shape) if shape.sizes.is_empty() => push_list(&mut out, items.iter().copied()),
            Piece::List(items, shape) => push_nested(&mut out, items, shape, &mut Vec::new()),
        }
    }
    out
}

fn push_list(out: &mut String, items: impl Iterator<Item = Scalar>) {
    out.push('[');
    for (i, s) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_scalar(out, s);
    }
    out.push(']');
}

/// The level `at.len()` of a nested container, `at` the indices above it.
fn push_nested(out: &mut String, items: &[Scalar], shape: &PrintShape, at: &mut Vec<usize>) {
    let Some(&size) = shape.sizes.get(at.len()) else {
        // A missing element (a buffer shorter than its shape) prints as NaN
        // rather than reading past the buffer.
        push_scalar(out, items.get(storage_index(shape, at)).copied().unwrap_or(Scalar::F64(f64::NAN)));
        return;
    };
    out.push('[');
    for i in 0..size {
        if i > 0 {
            out.push(',');
        }
        at.push(i);
        push_nested(out, items, shape, at);
        at.pop();
    }
    out.push(']');
}

/// Where the element at the full index `at` lies in the buffer: arrays
/// row-major, a matrix (the last two sizes) column-major.
fn storage_index(shape: &PrintShape, at: &[usize]) -> usize {
    let n = at.len();
    let split = if shape.matrix && n >= 2 { n - 2 } else { n };
    let mut outer = 0;
    for k in 0..split {
        outer = outer * shape.sizes[k] + at[k];
    }
    if split == n {
        return outer;
    }
    let (rows, cols) = (shape.sizes[n - 2], shape.sizes[n - 1]);
    outer * rows * cols + at[n - 2] + at[n - 1] * rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_parts() {
        let flat = PrintShape::default();
        let s = render(&[
            Piece::Text("x = "),
            Piece::Scalar(Scalar::F64(1.0)),
            Piece::Text(", n = "),
            Piece::Scalar(Scalar::I64(-3)),
            Piece::Text(" "),
            Piece::List(vec![Scalar::F64(0.5), Scalar::F64(f64::INFINITY)], &flat),
        ]);
        assert_eq!(s, "x = 1, n = -3 [0.5,inf]");
    }

    /// A 2 x 3 matrix stored column-major prints row by row, as Stan's
    /// `stan_print`; an array of two 2 x 2 matrices nests one level more.
    #[test]
    fn matrices_print_row_by_row_and_arrays_nest() {
        let items = |n: i64| (1..=n).map(Scalar::I64).collect::<Vec<_>>();
        let m = PrintShape { sizes: vec![2, 3], matrix: true };
        assert_eq!(render(&[Piece::List(items(6), &m)]), "[[1,3,5],[2,4,6]]");
        let a = PrintShape { sizes: vec![2, 3], matrix: false };
        assert_eq!(render(&[Piece::List(items(6), &a)]), "[[1,2,3],[4,5,6]]");
        let am = PrintShape { sizes: vec![2, 2, 2], matrix: true };
        assert_eq!(render(&[Piece::List(items(8), &am)]), "[[[1,3],[2,4]],[[5,7],[6,8]]]");
        let empty = PrintShape { sizes: vec![0], matrix: false };
        assert_eq!(render(&[Piece::List(Vec::new(), &empty)]), "[]");
    }
}
