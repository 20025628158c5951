//! Byte-offset spans into one source file.

/// A half-open range of byte offsets `start..end` into the source text.
///
/// Byte offsets, not characters: logos and lalrpop produce bytes, and the
/// renderer is configured for bytes (ariadne's default is characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    /// The span `start..end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// As a `Range`, for slicing the source and for the renderer.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start..self.end
    }
}
