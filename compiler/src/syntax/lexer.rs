//! Source text to tokens, with logos.
//!
//! [`lex`] turns the whole source into a vector of `(start, Token, end)`
//! triples (byte offsets) plus diagnostics. Lexical problems never stop the
//! parse: an invalid character is dropped, an unterminated string still
//! becomes a string token, an integer too large for `i128` becomes
//! `i128::MAX`. Each is reported once, so the parser can go on and report
//! the syntax errors that follow in the same run.

use logos::Logos;

use crate::diagnostics::Diagnostic;
use crate::syntax::span::Span;

/// What went wrong while lexing one piece of input. Logos produces the
/// default ([`LexError::InvalidChar`]) when no pattern matches.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum LexError {
    /// A character that cannot start any token.
    #[default]
    InvalidChar,
    /// `/*` without a closing `*/`.
    UnterminatedComment,
    /// A `#` line comment, which modern Stan removed.
    HashComment,
    /// A real literal Rust's `f64` parser rejects (should not happen for
    /// text the regex accepted; kept so that nothing panics).
    BadReal,
}

/// A token of the hbm language. Keywords are separate variants so that the
/// grammar can name them; `lower`, `upper`, `offset`, `multiplier` and `T`
/// are plain identifiers because Stan allows them as variable names.
#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(error = LexError)]
// A byte-order mark (U+FEFF, as Windows editors start files with) is
// whitespace, so that spans stay byte offsets of the file as written.
#[logos(skip r"[ \t\r\n\f\u{FEFF}]+")]
// A line comment runs to the end of its line by design.
#[logos(skip(r"//[^\n]*", allow_greedy = true))]
pub enum Token<'input> {
    // --- block headers -------------------------------------------------
    /// `dims`
    #[token("dims")]
    Dims,
    /// `functions`
    #[token("functions")]
    Functions,
    /// `data`
    #[token("data")]
    Data,
    /// `transformed`
    #[token("transformed")]
    Transformed,
    /// `parameters`
    #[token("parameters")]
    Parameters,
    /// `model`
    #[token("model")]
    Model,
    /// `generated`
    #[token("generated")]
    Generated,
    /// `quantities`
    #[token("quantities")]
    Quantities,

    // --- types -----------------------------------------------------------
    /// `int`
    #[token("int")]
    Int,
    /// `real`
    #[token("real")]
    Real,
    /// `vector`
    #[token("vector")]
    Vector,
    /// `row_vector`
    #[token("row_vector")]
    RowVector,
    /// `matrix`
    #[token("matrix")]
    Matrix,
    /// `array`
    #[token("array")]
    Array,
    /// `simplex`
    #[token("simplex")]
    Simplex,
    /// `ordered`
    #[token("ordered")]
    Ordered,
    /// `positive_ordered`
    #[token("positive_ordered")]
    PositiveOrdered,
    /// `unit_vector`
    #[token("unit_vector")]
    UnitVector,
    /// `sum_to_zero_vector` (Stan 2.36)
    #[token("sum_to_zero_vector")]
    SumToZeroVector,
    /// `sum_to_zero_matrix` (Stan 2.37)
    #[token("sum_to_zero_matrix")]
    SumToZeroMatrix,
    /// `column_stochastic_matrix` (Stan 2.37)
    #[token("column_stochastic_matrix")]
    ColumnStochasticMatrix,
    /// `row_stochastic_matrix` (Stan 2.37)
    #[token("row_stochastic_matrix")]
    RowStochasticMatrix,
    /// `cholesky_factor_corr`
    #[token("cholesky_factor_corr")]
    CholeskyFactorCorr,
    /// `cholesky_factor_cov`
    #[token("cholesky_factor_cov")]
    CholeskyFactorCov,
    /// `corr_matrix`
    #[token("corr_matrix")]
    CorrMatrix,
    /// `cov_matrix`
    #[token("cov_matrix")]
    CovMatrix,
    /// `complex`
    #[token("complex")]
    Complex,
    /// `complex_vector`
    #[token("complex_vector")]
    ComplexVector,
    /// `complex_row_vector`
    #[token("complex_row_vector")]
    ComplexRowVector,
    /// `complex_matrix`
    #[token("complex_matrix")]
    ComplexMatrix,
    /// `tuple`
    #[token("tuple")]
    Tuple,

    // --- statements --------------------------------------------------------
    /// `for`
    #[token("for")]
    For,
    /// `in`
    #[token("in")]
    In,
    /// `while`
    #[token("while")]
    While,
    /// `if`
    #[token("if")]
    If,
    /// `else`
    #[token("else")]
    Else,
    /// `break`
    #[token("break")]
    Break,
    /// `continue`
    #[token("continue")]
    Continue,
    /// `return`
    #[token("return")]
    Return,
    /// `print`
    #[token("print")]
    Print,
    /// `reject`
    #[token("reject")]
    Reject,
    /// `fatal_error`
    #[token("fatal_error")]
    FatalError,
    /// `profile`, Stan's timed block (`profile("name") { ... }`)
    #[token("profile")]
    Profile,
    /// `target`
    #[token("target")]
    Target,
    /// The `T` of a truncation `T[a, b]`. Never produced by logos: `T` lexes
    /// as an identifier and [`mark_truncations`] rewrites it where it can
    /// only be a truncation.
    Truncate,
    /// The `.k` of a tuple element access `t.k`. Never produced by logos:
    /// `.1` lexes as a real literal and [`mark_tuple_indices`] rewrites it
    /// where it touches the expression before it.
    TupleIndex(usize),

    // --- literals and names ---------------------------------------------------
    /// A name. Logos prefers the longest match, so `data_x` is one identifier,
    /// not `data` then `_x`. A leading `_` is accepted here and reported by
    /// [`lex`], which gives a better message than "invalid character".
    #[regex(r"[a-zA-Z_][a-zA-Z0-9_]*")]
    Ident(&'input str),
    /// An integer literal; `None` when it does not fit in `i128` (reported
    /// by [`lex`], which substitutes `i128::MAX`).
    #[regex(r"[0-9]+", |lex| lex.slice().parse::<i128>().ok())]
    IntLit(Option<i128>),
    /// A real literal: `1.5`, `.5`, `1.`, `1e-3`, `2E10`.
    #[regex(r"[0-9]+\.[0-9]*([eE][+-]?[0-9]+)?", real)]
    #[regex(r"\.[0-9]+([eE][+-]?[0-9]+)?", real)]
    #[regex(r"[0-9]+[eE][+-]?[0-9]+", real)]
    RealLit(f64),
    /// An imaginary literal: `2i`, `1.5i`, `1e-3i` (the number before the
    /// `i`); the parser reads it as `to_complex(0, number)`.
    #[regex(r"[0-9]+i", imaginary)]
    #[regex(r"[0-9]+\.[0-9]*([eE][+-]?[0-9]+)?i", imaginary)]
    #[regex(r"\.[0-9]+([eE][+-]?[0-9]+)?i", imaginary)]
    #[regex(r"[0-9]+[eE][+-]?[0-9]+i", imaginary)]
    ImagLit(f64),
    /// A string literal, quotes removed and escapes resolved.
    #[regex(r#""([^"\\\n]|\\[^\n])*""#, |lex| unescape(lex.slice(), true))]
    StrLit(String),
    /// A string literal missing its closing quote on the same line. [`lex`]
    /// reports it and passes it on as a [`Token::StrLit`].
    #[regex(r#""([^"\\\n]|\\[^\n])*"#, |lex| unescape(lex.slice(), false))]
    UnterminatedStr(String),
    /// `/* ... */`, skipped; unterminated ones are an error.
    #[token("/*", block_comment)]
    BlockComment,
    /// `# ...`, an error: modern Stan only has `//` and `/* */` comments.
    #[regex(r"#[^\n]*", hash_comment, allow_greedy = true)]
    HashComment,

    // --- punctuation and operators --------------------------------------------
    /// `{`
    #[token("{")]
    LBrace,
    /// `}`
    #[token("}")]
    RBrace,
    /// `(`
    #[token("(")]
    LParen,
    /// `)`
    #[token(")")]
    RParen,
    /// `[`
    #[token("[")]
    LBracket,
    /// `]`
    #[token("]")]
    RBracket,
    /// `<`
    #[token("<")]
    Lt,
    /// `>`
    #[token(">")]
    Gt,
    /// `<=`
    #[token("<=")]
    Leq,
    /// `>=`
    #[token(">=")]
    Geq,
    /// `==`
    #[token("==")]
    EqEq,
    /// `!=`
    #[token("!=")]
    Neq,
    /// `&&`
    #[token("&&")]
    And,
    /// `||`
    #[token("||")]
    Or,
    /// `!`
    #[token("!")]
    Bang,
    /// `,`
    #[token(",")]
    Comma,
    /// `;`
    #[token(";")]
    Semi,
    /// `:`
    #[token(":")]
    Colon,
    /// `?`
    #[token("?")]
    Question,
    /// `|`
    #[token("|")]
    Bar,
    /// `~`
    #[token("~")]
    Tilde,
    /// `=`
    #[token("=")]
    Assign,
    /// `+=`
    #[token("+=")]
    PlusAssign,
    /// `-=`
    #[token("-=")]
    MinusAssign,
    /// `*=`
    #[token("*=")]
    TimesAssign,
    /// `/=`
    #[token("/=")]
    DivideAssign,
    /// `.*=`
    #[token(".*=")]
    EltTimesAssign,
    /// `./=`
    #[token("./=")]
    EltDivideAssign,
    /// `+`
    #[token("+")]
    Plus,
    /// `-`
    #[token("-")]
    Minus,
    /// `*`
    #[token("*")]
    Times,
    /// `/`
    #[token("/")]
    Divide,
    /// `%`
    #[token("%")]
    Modulo,
    /// `%/%`
    #[token("%/%")]
    IntDivide,
    /// `\`
    #[token("\\")]
    LDivide,
    /// `.*`
    #[token(".*")]
    EltTimes,
    /// `./`
    #[token("./")]
    EltDivide,
    /// `^`
    #[token("^")]
    Hat,
    /// `.^`
    #[token(".^")]
    EltPow,
    /// `'`
    #[token("'")]
    Transpose,
}

impl Token<'_> {
    /// How a diagnostic names this token: "`;`", "identifier `x`",
    /// "keyword `int`", "integer `3`".
    pub fn describe(&self) -> String {
        match self {
            Token::Ident(name) => format!("identifier `{name}`"),
            Token::IntLit(Some(v)) => format!("integer `{v}`"),
            Token::IntLit(None) => "an integer".to_string(),
            Token::RealLit(v) => format!("real number `{v}`"),
            Token::TupleIndex(k) => format!("tuple element `.{k}`"),
            Token::ImagLit(v) => format!("imaginary number `{v}i`"),
            Token::StrLit(_) | Token::UnterminatedStr(_) => "a string".to_string(),
            Token::BlockComment | Token::HashComment => "a comment".to_string(),
            other => match other.keyword() {
                Some(word) => format!("keyword `{word}`"),
                None => format!("`{}`", other.symbol()),
            },
        }
    }

    /// Whether this token can only begin a top-level block header.
    pub fn starts_block(&self) -> bool {
        matches!(
            self,
            Token::Dims
                | Token::Functions
                | Token::Data
                | Token::Transformed
                | Token::Parameters
                | Token::Model
                | Token::Generated
        )
    }

    /// The text of a keyword token, or `None` for any other token.
    pub fn keyword(&self) -> Option<&'static str> {
        Some(match self {
            Token::Dims => "dims",
            Token::Functions => "functions",
            Token::Data => "data",
            Token::Transformed => "transformed",
            Token::Parameters => "parameters",
            Token::Model => "model",
            Token::Generated => "generated",
            Token::Quantities => "quantities",
            Token::Int => "int",
            Token::Real => "real",
            Token::Vector => "vector",
            Token::RowVector => "row_vector",
            Token::Matrix => "matrix",
            Token::Array => "array",
            Token::Simplex => "simplex",
            Token::Ordered => "ordered",
            Token::PositiveOrdered => "positive_ordered",
            Token::UnitVector => "unit_vector",
            Token::SumToZeroVector => "sum_to_zero_vector",
            Token::SumToZeroMatrix => "sum_to_zero_matrix",
            Token::ColumnStochasticMatrix => "column_stochastic_matrix",
            Token::RowStochasticMatrix => "row_stochastic_matrix",
            Token::CholeskyFactorCorr => "cholesky_factor_corr",
            Token::CholeskyFactorCov => "cholesky_factor_cov",
            Token::CorrMatrix => "corr_matrix",
            Token::CovMatrix => "cov_matrix",
            Token::Complex => "complex",
            Token::ComplexVector => "complex_vector",
            Token::ComplexRowVector => "complex_row_vector",
            Token::ComplexMatrix => "complex_matrix",
            Token::Tuple => "tuple",
            Token::For => "for",
            Token::In => "in",
            Token::While => "while",
            Token::If => "if",
            Token::Else => "else",
            Token::Break => "break",
            Token::Continue => "continue",
            Token::Return => "return",
            Token::Print => "print",
            Token::Reject => "reject",
            Token::FatalError => "fatal_error",
            Token::Profile => "profile",
            Token::Target => "target",
            _ => return None,
        })
    }

    /// The text of a punctuation or operator token; empty for tokens that
    /// carry a value (those are described by [`Token::describe`]).
    pub fn symbol(&self) -> &'static str {
        match self {
            Token::LBrace => "{",
            Token::RBrace => "}",
            Token::LParen => "(",
            Token::RParen => ")",
            Token::LBracket => "[",
            Token::RBracket => "]",
            Token::Lt => "<",
            Token::Gt => ">",
            Token::Leq => "<=",
            Token::Geq => ">=",
            Token::EqEq => "==",
            Token::Neq => "!=",
            Token::And => "&&",
            Token::Or => "||",
            Token::Bang => "!",
            Token::Comma => ",",
            Token::Semi => ";",
            Token::Colon => ":",
            Token::Question => "?",
            Token::Bar => "|",
            Token::Tilde => "~",
            Token::Assign => "=",
            Token::PlusAssign => "+=",
            Token::MinusAssign => "-=",
            Token::TimesAssign => "*=",
            Token::DivideAssign => "/=",
            Token::EltTimesAssign => ".*=",
            Token::EltDivideAssign => "./=",
            Token::Plus => "+",
            Token::Minus => "-",
            Token::Times => "*",
            Token::Divide => "/",
            Token::Modulo => "%",
            Token::IntDivide => "%/%",
            Token::LDivide => "\\",
            Token::EltTimes => ".*",
            Token::EltDivide => "./",
            Token::Hat => "^",
            Token::EltPow => ".^",
            Token::Transpose => "'",
            Token::Truncate => "T",
            _ => "",
        }
    }
}

/// Parses the text of a real literal. The regexes only accept valid Rust
/// float syntax (`1.` included), so the error branch is defensive.
fn real<'s>(lex: &mut logos::Lexer<'s, Token<'s>>) -> Result<f64, LexError> {
    lex.slice().parse::<f64>().map_err(|_| LexError::BadReal)
}

/// The number of an imaginary literal, its trailing `i` left out.
fn imaginary<'s>(lex: &mut logos::Lexer<'s, Token<'s>>) -> Result<f64, LexError> {
    let text = lex.slice();
    text[..text.len() - 1].parse::<f64>().map_err(|_| LexError::BadReal)
}

/// Skips a block comment that starts at the current `/*`; an unterminated
/// one swallows the rest of the input and is an error.
fn block_comment<'s>(lex: &mut logos::Lexer<'s, Token<'s>>) -> logos::FilterResult<(), LexError> {
    match lex.remainder().find("*/") {
        Some(at) => {
            lex.bump(at + 2);
            logos::FilterResult::Skip
        }
        None => {
            lex.bump(lex.remainder().len());
            logos::FilterResult::Error(LexError::UnterminatedComment)
        }
    }
}

/// A `#` line comment: an error, but its line is consumed so that the
/// comment's words do not turn into tokens.
fn hash_comment<'s>(_: &mut logos::Lexer<'s, Token<'s>>) -> Result<(), LexError> {
    Err(LexError::HashComment)
}

/// Removes the quotes of a string literal and resolves `\"`, `\\`, `\n`,
/// `\t`; other escapes keep their backslash (the text is only ever printed).
fn unescape(slice: &str, terminated: bool) -> String {
    let inner = slice.strip_prefix('"').unwrap_or(slice);
    let inner = if terminated {
        inner.strip_suffix('"').unwrap_or(inner)
    } else {
        inner
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// A token with its byte span, as lalrpop consumes it.
pub type Spanned<'input> = (usize, Token<'input>, usize);

/// Lexes the whole source. Returns the tokens the parser should see (never
/// [`Token::UnterminatedStr`], [`Token::BlockComment`], [`Token::HashComment`]
/// or `IntLit(None)`) and the lexical diagnostics (codes E0003, E0004, E0007;
/// see the table in `parser.rs`).
pub fn lex(source: &str) -> (Vec<Spanned<'_>>, Vec<Diagnostic>) {
    let mut tokens = Vec::new();
    let mut diags = Vec::new();
    // Adjacent invalid characters become one diagnostic, not one per byte.
    let mut invalid_run: Option<Span> = None;
    for (result, range) in Token::lexer(source).spanned() {
        let span = Span::new(range.start, range.end);
        match result {
            Err(LexError::InvalidChar) => {
                invalid_run = Some(match invalid_run {
                    Some(run) if run.end == span.start => run.to(span),
                    Some(run) => {
                        diags.push(invalid_chars(source, run));
                        span
                    }
                    None => span,
                });
                continue;
            }
            Err(other) => diags.push(lex_error(other, span)),
            Ok(token) => {
                if let Some(token) = admit(token, span, &mut diags) {
                    tokens.push((span.start, token, span.end));
                }
            }
        }
        if let Some(run) = invalid_run.take() {
            diags.push(invalid_chars(source, run));
        }
    }
    if let Some(run) = invalid_run {
        diags.push(invalid_chars(source, run));
    }
    diags.sort_by_key(|d| d.primary_span().map(|s| s.start));
    (tokens, diags)
}

/// Turns a raw token into what the parser sees, reporting lexical problems.
fn admit<'s>(token: Token<'s>, span: Span, diags: &mut Vec<Diagnostic>) -> Option<Token<'s>> {
    match token {
        Token::IntLit(None) => {
            diags.push(
                Diagnostic::error("E0004", "integer literal is too large")
                    .with_label(span, "this does not fit in 128 bits")
                    .with_help("write it as a real number, e.g. `1e40`"),
            );
            Some(Token::IntLit(Some(i128::MAX)))
        }
        Token::UnterminatedStr(text) => {
            diags.push(
                Diagnostic::error("E0003", "unterminated string literal")
                    .with_label(span, "this string has no closing `\"` on its line")
                    .with_help("close the string with `\"`; a string cannot span lines"),
            );
            Some(Token::StrLit(text))
        }
        Token::Ident(name) => {
            check_ident(name, span, diags);
            Some(Token::Ident(name))
        }
        // Comments only reach here through their error paths; skip any rest.
        Token::BlockComment | Token::HashComment => None,
        other => Some(other),
    }
}

/// Stan's rules for names that the regex accepts but the language forbids.
fn check_ident(name: &str, span: Span, diags: &mut Vec<Diagnostic>) {
    if name.starts_with('_') {
        diags.push(
            Diagnostic::error("E0007", format!("identifier `{name}` starts with `_`"))
                .with_label(span, "names must start with a letter")
                .with_help("rename it so that it starts with a letter"),
        );
    } else if name.ends_with("__") {
        diags.push(
            Diagnostic::error("E0007", format!("identifier `{name}` ends with `__`"))
                .with_label(span, "names ending in `__` are reserved")
                .with_help("rename it; names ending in two underscores are reserved for the compiler"),
        );
    }
}

/// The diagnostic for a run of characters that start no token.
fn invalid_chars(source: &str, run: Span) -> Diagnostic {
    let text = source.get(run.range()).unwrap_or("");
    let shown: String = text.chars().take(12).collect();
    let what = if text.chars().count() == 1 {
        format!("invalid character `{shown}`")
    } else {
        format!("invalid characters `{shown}`")
    };
    let mut diag =
        Diagnostic::error("E0003", what.clone()).with_label(run, "not part of the hbm language");
    if !text.is_ascii() {
        diag = diag.with_note("hbm source is ASCII outside comments and strings");
    }
    if text.starts_with('_') {
        diag = diag.with_help("names must start with a letter");
    }
    diag
}

/// The diagnostic for the other lexical errors.
fn lex_error(error: LexError, span: Span) -> Diagnostic {
    match error {
        LexError::UnterminatedComment => Diagnostic::error("E0003", "unterminated block comment")
            .with_label(Span::new(span.start, span.start + 2), "this comment is never closed")
            .with_help("close it with `*/`"),
        LexError::HashComment => Diagnostic::error("E0003", "`#` comments are not allowed")
            .with_label(span, "`#` does not start a comment in modern Stan")
            .with_help("use `//` for a line comment"),
        LexError::BadReal => Diagnostic::error("E0003", "malformed real number")
            .with_label(span, "this is not a valid number"),
        LexError::InvalidChar => Diagnostic::error("E0003", "invalid character")
            .with_label(span, "not part of the hbm language"),
    }
}

/// Rewrites `T` to [`Token::Truncate`] where it starts a truncation: right
/// after the `)` that closes the distribution call of `lhs ~ dist(...)`, and
/// followed by `[`. Elsewhere `T` stays an identifier (Stan does not reserve
/// it), so `if (c) T[1] = 2;` still assigns to a variable `T`.
pub fn mark_truncations(tokens: &mut [Spanned<'_>]) {
    let mut i = 0;
    while i + 2 < tokens.len() {
        let starts_call = tokens[i].1 == Token::Tilde
            && matches!(tokens[i + 1].1, Token::Ident(_) | Token::Dims)
            && tokens[i + 2].1 == Token::LParen;
        if !starts_call {
            i += 1;
            continue;
        }
        let Some(close) = matching_paren(tokens, i + 2) else {
            i += 1;
            continue;
        };
        let is_t = matches!(tokens.get(close + 1), Some((_, Token::Ident("T"), _)));
        let then_bracket = matches!(tokens.get(close + 2), Some((_, Token::LBracket, _)));
        if is_t && then_bracket {
            tokens[close + 1].1 = Token::Truncate;
        }
        i = close + 1;
    }
}

/// Rewrites a real literal `.k` (digits only) that touches the token
/// before it, an identifier, `)`, `]` or another `.k`, into
/// [`Token::TupleIndex`]: `t.1`, `f(x).2`, `x[i].1`, `t.2.1`. A real
/// literal can never stand right after those, so nothing else changes.
pub fn mark_tuple_indices(tokens: &mut [Spanned<'_>], source: &str) {
    for at in 1..tokens.len() {
        let (start, Token::RealLit(_), end) = &tokens[at] else { continue };
        let (_, before, before_end) = &tokens[at - 1];
        let touches = *before_end == *start
            && matches!(before, Token::Ident(_) | Token::RParen | Token::RBracket | Token::TupleIndex(_));
        let text = source.get(*start..*end).unwrap_or("");
        let digits = text.strip_prefix('.').filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
        if let (true, Some(k)) = (touches, digits.and_then(|d| d.parse::<usize>().ok())) {
            tokens[at].1 = Token::TupleIndex(k);
        }
    }
}

/// The index of the `)` matching the `(` at `open`, if there is one.
fn matching_paren(tokens: &[Spanned<'_>], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (at, (_, token, _)) in tokens.iter().enumerate().skip(open) {
        match token {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(at);
                }
            }
            // A statement boundary: the call is broken; leave it to the parser.
            Token::Semi | Token::LBrace | Token::RBrace => return None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Token<'_>> {
        lex(src).0.into_iter().map(|(_, t, _)| t).collect()
    }

    #[test]
    fn a_byte_order_mark_is_whitespace() {
        let src = "\u{FEFF}data { int N; }";
        let tokens = lex(src);
        assert!(tokens.1.is_empty(), "{:?}", tokens.1);
        assert_eq!(tokens.0.first().map(|(at, t, _)| (*at, t.clone())), Some((3, Token::Data)));
    }

    #[test]
    fn keywords_do_not_swallow_identifiers() {
        assert_eq!(
            kinds("data_x int_var lowerx data"),
            vec![
                Token::Ident("data_x"),
                Token::Ident("int_var"),
                Token::Ident("lowerx"),
                Token::Data
            ]
        );
    }

    #[test]
    fn truncation_t_is_contextual() {
        let mut tokens = lex("y ~ normal(f(a), 1) T[0, ]; if (c) T[1] = 2;").0;
        mark_truncations(&mut tokens);
        let ts: Vec<_> = tokens.iter().filter(|(_, t, _)| matches!(t, Token::Truncate | Token::Ident("T"))).map(|(_, t, _)| t.clone()).collect();
        assert_eq!(ts, vec![Token::Truncate, Token::Ident("T")]);
    }

    #[test]
    fn tuple_indices_touch_what_they_index() {
        let src = "t.1 + f(x).2 + y[i].1 + u.2.1 + .5 + a .3";
        let mut tokens = lex(src).0;
        mark_tuple_indices(&mut tokens, src);
        let idx: Vec<_> = tokens.iter().filter_map(|(_, t, _)| match t { Token::TupleIndex(k) => Some(*k), _ => None }).collect();
        assert_eq!(idx, vec![1, 2, 1, 2, 1]);
        let reals = tokens.iter().filter(|(_, t, _)| matches!(t, Token::RealLit(_))).count();
        assert_eq!(reals, 2, "`.5` after `+` and `.3` after a space stay numbers");
    }

    #[test]
    fn numbers() {
        assert_eq!(
            kinds("1 1.5 .5 1e-3 2E10 1. 1.*x"),
            vec![
                Token::IntLit(Some(1)),
                Token::RealLit(1.5),
                Token::RealLit(0.5),
                Token::RealLit(1e-3),
                Token::RealLit(2e10),
                Token::RealLit(1.0),
                Token::RealLit(1.0),
                Token::Times,
                Token::Ident("x"),
            ]
        );
    }

    #[test]
    fn imaginary_numbers() {
        assert_eq!(
            kinds("2i 1.5i .5i 1e-3i 3 * i ii"),
            vec![
                Token::ImagLit(2.0),
                Token::ImagLit(1.5),
                Token::ImagLit(0.5),
                Token::ImagLit(1e-3),
                Token::IntLit(Some(3)),
                Token::Times,
                Token::Ident("i"),
                Token::Ident("ii"),
            ]
        );
    }

    #[test]
    fn operators_take_the_longest_match() {
        assert_eq!(
            kinds("%/% .*= ./ .^ <= a'"),
            vec![
                Token::IntDivide,
                Token::EltTimesAssign,
                Token::EltDivide,
                Token::EltPow,
                Token::Leq,
                Token::Ident("a"),
                Token::Transpose
            ]
        );
    }

    #[test]
    fn comments_and_strings() {
        let (tokens, diags) = lex("a // x\n /* y \n z */ \"q\\\"r\" b");
        assert!(diags.is_empty());
        let kinds: Vec<_> = tokens.into_iter().map(|(_, t, _)| t).collect();
        assert_eq!(
            kinds,
            vec![Token::Ident("a"), Token::StrLit("q\"r".into()), Token::Ident("b")]
        );
    }

    #[test]
    fn lexical_errors_are_diagnostics() {
        let (tokens, diags) = lex("a é€ b # old\n \"open\n 99999999999999999999999999999999999999999999 x__ /* open");
        let codes: Vec<_> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec!["E0003", "E0003", "E0003", "E0004", "E0007", "E0003"]);
        assert!(tokens.iter().any(|(_, t, _)| *t == Token::IntLit(Some(i128::MAX))));
        assert!(tokens.iter().any(|(_, t, _)| *t == Token::StrLit("open".into())));
    }
}
