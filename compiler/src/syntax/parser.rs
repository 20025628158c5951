//! Tokens to AST: runs the lalrpop parser generated from `grammar/hbm.lalrpop`
//! and turns every lexical and syntax error into a [`Diagnostic`].
//!
//! Syntax diagnostic codes (all errors):
//!
//! | code  | meaning                                                              |
//! |-------|----------------------------------------------------------------------|
//! | E0001 | unexpected token, or unexpected end of file                          |
//! | E0002 | old array syntax `real x[N];` or `real[] x` (removed in Stan 2.33)      |
//! | E0003 | invalid character, unterminated comment or string, `#` comment      |
//! | E0004 | integer literal too large for 128 bits                                |
//! | E0005 | an expression used as a statement that is not a function call       |
//! | E0006 | a bad `< >` transform: unknown or repeated name, bounds mixed with   |
//! |       | offset/multiplier, more than two entries, offset/multiplier on `int` |
//! | E0007 | reserved identifier: starts with `_` or ends with `__`               |
//! | E0008 | unknown block name, e.g. `paramters { ... }` (a near miss is read |
//! |       | as the block meant)                                                  |
//! | E0009 | empty index `a[]`                                                    |
//!
//! The parser recovers at statement level (to the next `;` or to the `}` of
//! the enclosing block) and, at the top level, to the next block header, so
//! that one run reports several independent errors. [`parse_program`] returns
//! `Some(program)` when the parser reached the end of the input, even if it
//! recovered from errors on the way (broken statements are
//! [`ast::StmtKind::Error`]); callers must check the diagnostics for errors before
//! using the program.
//!
//! The `functions` block is parsed into [`ast::BlockBody::Functions`];
//! `syntax::functions` expands its calls into the other blocks.

use std::collections::BTreeSet;

use lalrpop_util::{ErrorRecovery, ParseError};

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::Program;
use crate::syntax::lexer::{self, Spanned, Token};
use crate::syntax::span::Span;

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, unused_parens, dead_code)]
    grammar,
    "/hbm.rs"
);

/// Parses a whole `.hbm` source. Returns the AST when the parser got through
/// (possibly with recovered errors; see the module docs) and every lexical
/// and syntax diagnostic, in source order. Never panics.
pub fn parse_program(source: &str) -> (Option<Program>, Vec<Diagnostic>) {
    let (mut tokens, mut diags) = lexer::lex(source);
    skip_unknown_blocks(&mut tokens, &mut diags);
    lexer::mark_truncations(&mut tokens);
    lexer::mark_tuple_indices(&mut tokens, source);

    let mut grammar_diags = Vec::new();
    let mut recovered: Vec<ErrorRecovery<usize, Token<'_>, Diagnostic>> = Vec::new();
    let result = grammar::ProgramParser::new().parse(
        source,
        &mut grammar_diags,
        &mut recovered,
        tokens.iter().cloned().map(Ok::<_, Diagnostic>),
    );

    diags.extend(grammar_diags);
    for r in recovered {
        diags.push(syntax_error(r.error, &tokens, source));
    }
    let program = match result {
        Ok(program) => Some(program),
        Err(error) => {
            let diag = syntax_error(error, &tokens, source);
            // The end of a file whose unclosed `{` was already reported at
            // the next block header is the same mistake: say it once.
            if !diags.iter().any(|d| reports_same_unclosed_brace(d, &diag)) {
                diags.push(diag);
            }
            None
        }
    };
    // Stable sort: diagnostics at the same place keep their discovery order.
    diags.sort_by_key(|d| d.primary_span().map(|s| s.start));
    (program, diags)
}

/// Whether both diagnostics point at the same never-closed `{`.
fn reports_same_unclosed_brace(a: &Diagnostic, b: &Diagnostic) -> bool {
    let unclosed = |d: &Diagnostic| {
        d.labels
            .iter()
            .find(|l| l.message == UNCLOSED)
            .map(|l| l.span)
    };
    unclosed(a).is_some() && unclosed(a) == unclosed(b)
}

/// The label on a `{` that is never closed.
const UNCLOSED: &str = "this `{` is never closed";

/// Removes `name { ... }` at the top level when `name` is not a block
/// keyword (`paramters { ... }`), reporting E0008. The grammar has no
/// top-level recovery (see `Program` in the grammar), so this is where a
/// misspelt header is caught without losing the rest of the file.
fn skip_unknown_blocks(tokens: &mut Vec<Spanned<'_>>, diags: &mut Vec<Diagnostic>) {
    let mut out = Vec::with_capacity(tokens.len());
    let mut depth = 0usize;
    let mut at = 0;
    while at < tokens.len() {
        let (l, tok, r) = &tokens[at];
        let unknown = depth == 0
            && matches!(tok, Token::Ident(_))
            && matches!(tokens.get(at + 1), Some((_, Token::LBrace, _)));
        if unknown {
            let (l, r) = (*l, *r);
            if let Token::Ident(name) = tok {
                let near = near_block_keyword(name);
                diags.push(build::unknown_block(name, Span::new(l, r), near.as_ref().map(|(w, _)| *w)));
                if let Some((_, keyword)) = near {
                    // A misspelt header: read the block as the one meant, so
                    // that its declarations are not lost (no cascade of
                    // "not declared" errors).
                    out.push((l, keyword, r));
                    at += 1;
                    continue;
                }
            }
            at = skip_braced(tokens, at + 1);
            continue;
        }
        match tok {
            Token::LBrace => depth += 1,
            Token::RBrace => depth = depth.saturating_sub(1),
            _ => {}
        }
        out.push(tokens[at].clone());
        at += 1;
    }
    *tokens = out;
}

/// The one-word block keyword a misspelt header most likely meant: at most
/// two edits away (one for short words).
fn near_block_keyword(name: &str) -> Option<(&'static str, Token<'static>)> {
    let words = [
        ("dims", Token::Dims),
        ("functions", Token::Functions),
        ("data", Token::Data),
        ("parameters", Token::Parameters),
        ("model", Token::Model),
    ];
    let limit = if name.len() <= 5 { 1 } else { 2 };
    words
        .into_iter()
        .map(|(w, t)| (crate::diagnostics::edit_distance(name, w), w, t))
        .filter(|(d, _, _)| *d <= limit)
        .min_by_key(|(d, _, _)| *d)
        .map(|(_, w, t)| (w, t))
}


/// The index just past the `}` matching the `{` at `open` (or the end).
fn skip_braced(tokens: &[Spanned<'_>], open: usize) -> usize {
    let mut depth = 0usize;
    for (at, (_, tok, _)) in tokens.iter().enumerate().skip(open) {
        match tok {
            Token::LBrace => depth += 1,
            Token::RBrace => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return at + 1;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

// ------------------------------------------------------------------------
// From lalrpop's errors to diagnostics.

/// Turns one lalrpop error into a diagnostic. `tokens` is what the parser
/// saw, used to find the token before the error and unclosed braces.
fn syntax_error(error: ParseError<usize, Token<'_>, Diagnostic>, tokens: &[Spanned<'_>], source: &str) -> Diagnostic {
    match error {
        ParseError::User { error } => error,
        ParseError::InvalidToken { location } => Diagnostic::error("E0003", "invalid token")
            .with_label(Span::new(location, location), "the lexer cannot read this"),
        ParseError::ExtraToken { token: (l, t, r) } => {
            Diagnostic::error("E0001", format!("unexpected {} after the end of the program", t.describe()))
                .with_label(Span::new(l, r), "nothing may follow the last block")
        }
        ParseError::UnrecognizedEof { location, expected } => unexpected_eof(location, &expected, tokens, source),
        ParseError::UnrecognizedToken { token: (l, t, r), expected } => {
            unexpected_token(Span::new(l, r), &t, &expected, tokens, source)
        }
    }
}

/// "expected X, found Y", with the missing-`;` case made explicit.
fn unexpected_token(
    span: Span,
    found: &Token<'_>,
    expected: &[String],
    tokens: &[Spanned<'_>],
    source: &str,
) -> Diagnostic {
    let set = expected_set(expected);
    let previous = tokens.iter().rev().find(|(_, _, r)| *r <= span.start);
    // A block header where a statement should start: the block above is
    // not closed (a `;` would not help, so this comes before that check).
    let at_statement_start = previous.is_none_or(|(_, t, _)| matches!(t, Token::Semi | Token::LBrace | Token::RBrace));
    if found.starts_block() && at_statement_start {
        let before: Vec<_> = tokens.iter().filter(|(_, _, r)| *r <= span.start).cloned().collect();
        if let Some(open) = unclosed_brace(&before) {
            return Diagnostic::error("E0001", format!("expected a statement or `}}`, found {}", found.describe()))
                .with_label(span, "a new block starts here")
                .with_label(open, UNCLOSED)
                .with_help("add the missing `}` before the next block");
        }
    }
    if let Some((pl, prev, pr)) = previous {
        let ends_statement = matches!(prev, Token::Semi | Token::LBrace | Token::RBrace);
        if set.contains(";") && !ends_statement && on_later_line(source, *pr, span.start) {
            return Diagnostic::error("E0001", "expected `;` after the statement")
                .with_label(Span::new(*pl, *pr), "add `;` after this")
                .with_label(span, format!("found {} on the next line", found.describe()));
        }
    }
    let wanted = describe_expected(&set);
    let mut diag = Diagnostic::error("E0001", format!("expected {wanted}, found {}", found.describe()))
        .with_label(span, format!("unexpected {}", found.describe()));
    if let Some(word) = found.keyword() {
        if set.contains("identifier") {
            diag = diag.with_help(format!("`{word}` is a reserved word and cannot be used as a name"));
        }
    }
    if let Some(help) = missing_type_help(tokens, span.start) {
        diag = diag.with_help(help);
    }
    // lalrpop may have reduced the operand already, so `==` is not always
    // in the expected set; `=` where no assignment can stand is the hint.
    if *found == Token::Assign && !set.contains("=") && (set.contains(")") || set.contains("==")) {
        diag = diag.with_help("to compare two values, write `==`");
    }
    diag
}

/// Stan types hbmc does not have yet, named in a parse error's help when
/// a declaration starts with one (docs/language.md lists them).
const MISSING_TYPES: &[&str] = &[];

/// When the statement that failed to parse starts with a Stan type hbmc
/// does not have yet, says so (none is missing today; the list is kept
/// for Stan's next types):
/// the parse error alone would only point at the name after it.
fn missing_type_help(tokens: &[Spanned<'_>], at: usize) -> Option<String> {
    match declared_type(tokens, at)? {
        (Token::Ident(name), _) if MISSING_TYPES.contains(name) => Some(format!(
            "`{name}` is a Stan type hbmc does not have yet; docs/language.md lists the Stan features hbmc lacks"
        )),
        _ => None,
    }
}

/// The first token of the statement that failed to parse at `at`, after
/// an `array[...]` prefix: the type, when the statement is a declaration.
fn declared_type<'a, 'b>(tokens: &'b [Spanned<'a>], at: usize) -> Option<(&'b Token<'a>, Span)> {
    let before: Vec<&Spanned<'a>> = tokens.iter().filter(|(_, _, r)| *r <= at).collect();
    let start = before.iter().rposition(|(_, t, _)| matches!(t, Token::Semi | Token::LBrace | Token::RBrace)).map_or(0, |i| i + 1);
    let mut rest = before[start..].iter();
    let mut first = rest.next()?;
    if matches!(first.1, Token::Array) {
        // `array[...] T`: the type follows the closing `]`.
        rest.find(|(_, t, _)| matches!(t, Token::RBracket))?;
        first = rest.next()?;
    }
    Some((&first.1, Span::new(first.0, first.2)))
}

/// The end of the file came too early; points at the last token and at the
/// innermost `{` that is still open, if any.
fn unexpected_eof(location: usize, expected: &[String], tokens: &[Spanned<'_>], source: &str) -> Diagnostic {
    let set = expected_set(expected);
    let wanted = describe_expected(&set);
    let at = match tokens.last() {
        Some((l, _, r)) => Span::new(*l, *r),
        None => Span::new(location.min(source.len()), location.min(source.len())),
    };
    let mut diag = Diagnostic::error("E0001", format!("unexpected end of file, expected {wanted}"))
        .with_label(at, "the file ends after this");
    if let Some(open) = unclosed_brace(tokens) {
        diag = diag
            .with_label(open, UNCLOSED)
            .with_help("add the missing `}`");
    }
    diag
}

/// The innermost `{` with no matching `}`.
fn unclosed_brace(tokens: &[Spanned<'_>]) -> Option<Span> {
    let mut open = Vec::new();
    for (l, t, r) in tokens {
        match t {
            Token::LBrace => open.push(Span::new(*l, *r)),
            Token::RBrace => {
                open.pop();
            }
            _ => {}
        }
    }
    open.pop()
}

/// Whether a line break lies between byte offsets `from` and `to`.
fn on_later_line(source: &str, from: usize, to: usize) -> bool {
    source.get(from..to).is_some_and(|gap| gap.contains('\n'))
}

/// lalrpop names terminals by their quoted grammar strings (`"\";\""`); this
/// strips the quoting so the names read as in the grammar's extern block.
fn expected_set(expected: &[String]) -> BTreeSet<String> {
    expected
        .iter()
        .map(|e| {
            let inner = e.strip_prefix('"').and_then(|e| e.strip_suffix('"')).unwrap_or(e);
            inner.replace("\\\"", "\"").replace("\\\\", "\\")
        })
        .collect()
}

const BLOCK_HEADERS: &[&str] = &[
    "dims", "functions", "data", "transformed", "parameters", "model", "generated", "identifier",
];
const TYPES: &[&str] = &[
    "int", "real", "vector", "row_vector", "matrix", "array", "simplex", "ordered",
    "positive_ordered", "unit_vector", "sum_to_zero_vector", "sum_to_zero_matrix", "column_stochastic_matrix",
    "row_stochastic_matrix", "cholesky_factor_corr", "cholesky_factor_cov", "corr_matrix", "cov_matrix", "tuple",
];
const STATEMENT_WORDS: &[&str] = &[
    "for", "while", "if", "break", "continue", "return", "print", "reject", "fatal_error",
    "target", ";", "{",
];
const EXPRESSION_STARTS: &[&str] = &[
    "identifier", "dims", "integer", "real number", "imaginary number", "(", "[", "{", "-", "+", "!", "target",
];
const OPERATORS: &[&str] = &[
    "?", "||", "&&", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "%/%", "\\",
    ".*", "./", "^", ".^", "'", "[", "tuple element",
];
const ASSIGNMENTS: &[&str] = &["=", "+=", "-=", "*=", "/=", ".*=", "./="];

/// Condenses lalrpop's expected terminals into a short phrase such as
/// "an expression", "`;` or an operator", "a statement or `}`".
fn describe_expected(set: &BTreeSet<String>) -> String {
    let mut rest: BTreeSet<&str> = set.iter().map(String::as_str).collect();
    fn has(rest: &BTreeSet<&str>, words: &[&str]) -> bool {
        words.iter().all(|w| rest.contains(w))
    }
    fn remove(rest: &mut BTreeSet<&str>, words: &[&str]) {
        for w in words {
            rest.remove(*w);
        }
    }
    let mut phrases: Vec<String> = Vec::new();
    if has(&rest, &["data", "model", "parameters"]) {
        phrases.push("a block such as `model { ... }`".into());
        remove(&mut rest, BLOCK_HEADERS);
        remove(&mut rest, &["quantities"]);
    }
    if has(&rest, &["for", "while", "int"]) {
        phrases.push("a statement".into());
        remove(&mut rest, STATEMENT_WORDS);
        remove(&mut rest, TYPES);
        remove(&mut rest, EXPRESSION_STARTS);
    }
    if has(&rest, &["int", "real", "vector"]) {
        phrases.push("a type".into());
        remove(&mut rest, TYPES);
        remove(&mut rest, &["identifier", "dims"]);
    }
    if has(&rest, &["identifier", "integer"]) {
        phrases.push("an expression".into());
        remove(&mut rest, EXPRESSION_STARTS);
    }
    if has(&rest, &["+", "*"]) {
        phrases.push("an operator".into());
        remove(&mut rest, OPERATORS);
    }
    if has(&rest, &["=", "+="]) {
        phrases.push("an assignment".into());
        remove(&mut rest, ASSIGNMENTS);
    }
    if rest.contains("identifier") {
        phrases.push("a name".into());
        remove(&mut rest, &["identifier", "dims"]);
    }
    if rest.remove("string") {
        phrases.push("a string".into());
    }
    // `T[` is only ever an option next to `;`; it would distract.
    if rest.contains(";") {
        rest.remove("T");
    }
    let mut items: Vec<String> = rest.iter().map(|t| format!("`{t}`")).collect();
    items.extend(phrases);
    join_or(&items)
}

/// "a", "a or b", "a, b or c"; "something else" when empty.
fn join_or(items: &[String]) -> String {
    const MAX: usize = 6;
    match items {
        [] => "something else".to_string(),
        [one] => one.clone(),
        _ if items.len() > MAX => format!("{}, ...", items[..MAX].join(", ")),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

// ------------------------------------------------------------------------
// AST builders called by the grammar's actions. They keep the actions short
// and hold the few local checks the grammar makes (see the code table).

pub(crate) mod build {
    use crate::diagnostics::Diagnostic;
    use crate::syntax::ast::*;
    use crate::syntax::span::Span;

    /// A loop header, joined with its body by [`loop_stmt`]; it lets the
    /// grammar share the open/closed statement split between loop kinds.
    pub enum LoopHeader {
        /// `for (var in lower:upper)`
        Range(Ident, Expr, Expr),
        /// `for (var in container)`
        Each(Ident, Expr),
        /// `while (cond)`
        While(Expr),
    }

    /// One position inside `[ ]` before it becomes an [`Index`]: an omitted
    /// position is an `Index::All` unless it is the only one (`a[]`).
    pub enum IndexSlot {
        /// Something was written at this position.
        Given(Index),
        /// Nothing was written: `a[, k]`.
        Omitted(Span),
    }

    /// A top-level block.
    pub fn block(kind: BlockKind, header: Span, body: BlockBody, span: Span) -> Block {
        Block { kind, header, body, span }
    }

    /// E0008 for `name { ... }` at the top level with an unknown `name`;
    /// `meant` is the block it was read as, when the name is a near miss.
    pub fn unknown_block(name: &str, span: Span, meant: Option<&str>) -> Diagnostic {
        let d = Diagnostic::error("E0008", format!("unknown block `{name}`")).with_label(span, "not a block name");
        match meant {
            Some(word) => d.with_help(format!("did you mean `{word}`? (the block was read as `{word}`)")),
            None => d.with_help(
                "the blocks are `dims`, `functions`, `data`, `transformed data`, `parameters`, \
                 `transformed parameters`, `model` and `generated quantities`",
            ),
        }
    }

    /// A statement spanning `l..r`.
    pub fn stmt(kind: StmtKind, l: usize, r: usize) -> Stmt {
        Stmt { kind, span: Span::new(l, r) }
    }

    /// Joins a `for`/`while` header with its body.
    pub fn loop_stmt(header: LoopHeader, body: Stmt, l: usize, r: usize) -> Stmt {
        let body = Box::new(body);
        let kind = match header {
            LoopHeader::Range(var, lower, upper) => StmtKind::For { var, lower, upper, body },
            LoopHeader::Each(var, over) => StmtKind::ForEach { var, over, body },
            LoopHeader::While(cond) => StmtKind::While { cond, body },
        };
        stmt(kind, l, r)
    }

    /// `e;` is only a statement when `e` is a function call (E0005).
    pub fn expr_stmt(e: Expr, l: usize, r: usize, diags: &mut Vec<Diagnostic>) -> Stmt {
        if matches!(e.kind, ExprKind::Call { .. } | ExprKind::CondCall { .. }) {
            return stmt(StmtKind::Call(e), l, r);
        }
        // `x <- v;` reads as the comparison `x < -v`.
        if let ExprKind::Binary { op: BinOp::Lt, rhs, .. } = &e.kind {
            // The right operand's leftmost part: `-2` of `x < -2 * mu`.
            let mut leftmost = &**rhs;
            while let ExprKind::Binary { lhs, .. } = &leftmost.kind {
                leftmost = lhs;
            }
            let negative_literal = matches!(&leftmost.kind, ExprKind::IntLit(v) if *v < 0)
                || matches!(&leftmost.kind, ExprKind::RealLit(v) if *v < 0.0);
            if negative_literal || matches!(leftmost.kind, ExprKind::Unary { op: UnOp::Neg, .. }) {
                diags.push(
                    Diagnostic::error("E0005", "`<-` is not an assignment in modern Stan")
                        .with_label(e.span, "read as the comparison `x < -(...)`")
                        .with_help("the `<-` assignment was removed in Stan 2.33: write `x = ...;`"),
                );
                return stmt(StmtKind::Error, l, r);
            }
        }
        diags.push(
            Diagnostic::error("E0005", "this expression is not a statement")
                .with_label(e.span, "its value would be thrown away")
                .with_help("only a function call can stand alone; did you mean an assignment `x = ...;` or `x ~ ...;`?"),
        );
        stmt(StmtKind::Error, l, r)
    }

    /// `real x[N];`: reports E0002 with the modern spelling and returns the
    /// declaration as if it had been written `array[N] real x;`.
    #[allow(clippy::too_many_arguments)]
    pub fn old_array_decl(
        src: &str,
        mut ty: TypeExpr,
        name: Ident,
        sizes: Vec<Expr>,
        sizes_span: Span,
        init: Option<Expr>,
        span: Span,
        diags: &mut Vec<Diagnostic>,
    ) -> VarDecl {
        let text = |s: Span| src.get(s.range()).unwrap_or("").trim().to_string();
        let inner = Span::new(sizes_span.start + 1, sizes_span.end.saturating_sub(1));
        let mut all_sizes: Vec<String> = ty.array_sizes.iter().map(|e| text(e.span)).collect();
        all_sizes.push(text(inner));
        let base_text = match ty.array_sizes.last() {
            // `array[M] real x[N]`: the element type follows the array's `]`.
            Some(_) => text(Span::new(base_start(src, &ty), ty.span.end)),
            None => text(ty.span),
        };
        let modern = format!("array[{}] {} {};", all_sizes.join(", "), base_text, name.name);
        diags.push(
            Diagnostic::error("E0002", "array sizes after the variable name are no longer Stan syntax")
                .with_label(sizes_span, "the old array syntax was removed in Stan 2.33")
                .with_label(name.span, "declared here")
                .with_help(format!("write `{modern}`")),
        );
        ty.array_sizes.extend(sizes);
        VarDecl { ty, name, init, span }
    }

    /// `real[]` or `vector[,]` as a function's argument or return type:
    /// reports E0002 with the modern spelling and returns the type as if it
    /// had been written `array[] real`.
    pub fn old_array_fun_type(
        base: (String, Vec<FunType>),
        dims: usize,
        base_span: Span,
        brackets: Span,
        diags: &mut Vec<Diagnostic>,
    ) -> FunType {
        let commas = ",".repeat(dims - 1);
        diags.push(
            Diagnostic::error("E0002", "array types written after the element type are no longer Stan syntax")
                .with_label(brackets, "the old array syntax was removed in Stan 2.33")
                .with_help(format!("write `array[{commas}] {}`", base.0)),
        );
        FunType { array_dims: dims, base: base.0, elements: base.1, span: Span::new(base_span.start, brackets.end) }
    }

    /// Where the element type of `array[...] T` starts: after the `]`.
    fn base_start(src: &str, ty: &TypeExpr) -> usize {
        let after_sizes = ty.array_sizes.last().map(|e| e.span.end).unwrap_or(ty.span.start);
        src.get(after_sizes..ty.span.end)
            .and_then(|rest| rest.find(']'))
            .map(|at| after_sizes + at + 1)
            .unwrap_or(after_sizes)
    }

    /// `int` takes bounds but not offset/multiplier (E0006).
    pub fn int_transform(t: Option<Transform>, span: Span, diags: &mut Vec<Diagnostic>) -> Transform {
        match t {
            Some(Transform::OffsetMultiplier { .. }) => {
                diags.push(
                    Diagnostic::error("E0006", "`offset` and `multiplier` cannot apply to `int`")
                        .with_label(span, "an integer type")
                        .with_help("use `real`, `vector`, `row_vector` or `matrix`, or integer bounds `<lower=a, upper=b>`"),
                );
                Transform::None
            }
            Some(t) => t,
            None => Transform::None,
        }
    }

    /// Builds a transform from the `name=expr` entries of `< >`, reporting
    /// unknown, repeated or mixed names (E0006).
    pub fn transform(items: Vec<(Ident, Expr)>, span: Span, diags: &mut Vec<Diagnostic>) -> Transform {
        let mut lower = None;
        let mut upper = None;
        let mut offset = None;
        let mut multiplier = None;
        if items.len() > 2 {
            diags.push(
                Diagnostic::error("E0006", "too many entries in `< >`")
                    .with_label(span, "at most two entries")
                    .with_help("write `<lower=a, upper=b>` or `<offset=m, multiplier=s>`"),
            );
        }
        for (name, e) in items {
            let slot = match name.name.as_str() {
                "lower" => &mut lower,
                "upper" => &mut upper,
                "offset" => &mut offset,
                "multiplier" => &mut multiplier,
                other => {
                    diags.push(
                        Diagnostic::error("E0006", format!("unknown transform `{other}`"))
                            .with_label(name.span, "expected `lower`, `upper`, `offset` or `multiplier`"),
                    );
                    continue;
                }
            };
            if slot.is_some() {
                diags.push(
                    Diagnostic::error("E0006", format!("`{}` is given twice", name.name))
                        .with_label(name.span, "repeated here"),
                );
            }
            *slot = Some(e);
        }
        let bounds = lower.is_some() || upper.is_some();
        let affine = offset.is_some() || multiplier.is_some();
        if bounds && affine {
            diags.push(
                Diagnostic::error("E0006", "bounds cannot be combined with `offset`/`multiplier`")
                    .with_label(span, "both kinds of transform here")
                    .with_help("use either `<lower=a, upper=b>` or `<offset=m, multiplier=s>`"),
            );
        }
        if affine && !bounds {
            Transform::OffsetMultiplier { offset, multiplier }
        } else if bounds {
            Transform::Bounds { lower, upper }
        } else {
            Transform::None
        }
    }

    /// An expression spanning `l..r`.
    pub fn expr(kind: ExprKind, l: usize, r: usize) -> Expr {
        Expr { kind, span: Span::new(l, r) }
    }

    /// The imaginary literal `vi` as `to_complex(0, v)`: Stan's meaning,
    /// with no literal kind of its own past the parser.
    pub fn imaginary(v: f64, l: usize, r: usize) -> Expr {
        let span = Span::new(l, r);
        let func = Ident { name: "to_complex".into(), span };
        let args = vec![Expr { kind: ExprKind::RealLit(0.0), span }, Expr { kind: ExprKind::RealLit(v), span }];
        Expr { kind: ExprKind::Call { func, args }, span }
    }

    /// `lhs op rhs`.
    pub fn binary(op: BinOp, lhs: Expr, rhs: Expr, l: usize, r: usize) -> Expr {
        expr(ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, l, r)
    }

    /// A prefix or postfix operator applied to `operand`.
    pub fn unary(op: UnOp, operand: Expr, l: usize, r: usize) -> Expr {
        expr(ExprKind::Unary { op, operand: Box::new(operand) }, l, r)
    }

    /// `cond ? then : otherwise`.
    pub fn ternary(cond: Expr, then: Expr, otherwise: Expr, l: usize, r: usize) -> Expr {
        expr(
            ExprKind::Ternary {
                cond: Box::new(cond),
                then: Box::new(then),
                otherwise: Box::new(otherwise),
            },
            l,
            r,
        )
    }

    /// `base[slots]`; `a[]` is reported (E0009) and read as `a[:]`.
    pub fn index(base: Expr, slots: Vec<IndexSlot>, l: usize, r: usize, diags: &mut Vec<Diagnostic>) -> Expr {
        if let [IndexSlot::Omitted(_)] = slots.as_slice() {
            diags.push(
                Diagnostic::error("E0009", "empty index `[]`")
                    .with_label(Span::new(base.span.end, r), "nothing inside the brackets")
                    .with_help("write an index, or `[:]` for all elements"),
            );
        }
        let indices = slots
            .into_iter()
            .map(|slot| match slot {
                IndexSlot::Given(index) => index,
                IndexSlot::Omitted(span) => Index::All(span),
            })
            .collect();
        expr(ExprKind::Index { base: Box::new(base), indices }, l, r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ast::*;
    use crate::syntax::print::expr_to_sexp;

    pub(super) const ELECTRIC: &str = r#"dims {
  obs;
  grade;
  pair;
}
data {
  array[obs] grade grade;
  array[obs] pair pair_id;
  vector[obs] pre_test;
  vector[obs] post_test;
  array[obs] int<lower=0, upper=1> treatment;
}
transformed data {
  vector[obs] x = (pre_test - mean(pre_test)) / sd(pre_test);
  vector[obs] y = (post_test - mean(post_test)) / sd(post_test);
}
parameters {
  vector[grade] mu_alpha;
  vector<lower=0>[grade] sigma_alpha;
  matrix[pair, grade] z_alpha;
  vector[grade] theta;
  vector[grade] beta_x;
  vector<lower=0>[grade] sigma_y;
}
transformed parameters {
  matrix[pair, grade] alpha = non_centered(mu_alpha, sigma_alpha, z_alpha);
}
model {
  mu_alpha ~ normal(0, 1);
  sigma_alpha ~ normal(0, 1);
  to_vector(z_alpha) ~ std_normal();
  theta ~ normal(0, 1);
  beta_x ~ normal(0, 1);
  sigma_y ~ normal(0, 1);
  y ~ normal(alpha[pair_id, grade] + theta[grade] .* to_vector(treatment) + beta_x[grade] .* x, sigma_y[grade]);
}
generated quantities {
  array[obs] real y_rep = normal_rng(alpha[pair_id, grade] + theta[grade] .* to_vector(treatment), sigma_y[grade]);
  real m = y_rep[1] > 0 ? 1 : 0;
  for (g in grade) { print("g=", g); }
}
"#;

    /// Every other construct of the grammar, in one program.
    pub(super) const KITCHEN_SINK: &str = r#"
// line comment
/* block
   comment */
generated quantities { real gq = 1; }
dims { effect = ["intercept", "slope"]; obs; }
data {
  int<lower=1> N;
  real<lower=-1, upper=(N > 2 ? 1 : 2)> r;
  row_vector<upper=0>[N] rv;
  matrix<lower=0, upper=1>[N, N] m;
  simplex[N] s;
  ordered[N] o;
  positive_ordered[N] po;
  unit_vector[N] u;
  cholesky_factor_corr[N] L;
  cholesky_factor_cov[N] Lc;
  cholesky_factor_cov[N, 2] Lc2;
  corr_matrix[N] C;
  cov_matrix[N] S;
  array[N, 2] real arr;
  effect e;
  int lower;
  real offset;
}
parameters {
  real<offset=1.5, multiplier=2> a;
  vector<multiplier=2>[N] b;
  row_vector<multiplier=3, offset=.5>[N] c;
  matrix<offset=0>[N, N] d;
  real T;
}
model {
  real acc = 0;
  acc += 1; acc -= 1e-3; acc *= 2E10; acc /= 1.;
  b .*= b; b ./= b;
  acc = -a^2 + a^-b[1] - +a * !0 % 3 %/% 2 \ a .* b ./ c .^ 2;
  acc = a || b && c == d != e < f <= g > h >= i;
  target += normal_lpdf(a | 0, 1) + std_normal_lupdf(a|) + target();
  a ~ normal(0, 1) T[, 3];
  a ~ normal(0, 1) T[-1, ];
  for (i in 1:N) {
    if (i == 1) continue; else if (i == 2) break; else { ; }
    while (0) { reject("no", i); }
  }
  if (a) if (b) acc = 1; else acc = 2;
  fatal_error("x");
  {
    array[2] int idx = {1, 2};
    row_vector[2] q = [1, 2];
    matrix[2, 2] Q = [[1, 2], [3, 4]];
    print(m[2:5], m[:3], m[2:], m[:], m[:, 1], m[, 1], m[idx][1], m');
    return;
  }
  f(x);
  if (T) T[1] = 2;
  dims(a);
}
"#;

    fn parse_ok(src: &str) -> Program {
        let (program, diags) = parse_program(src);
        assert!(diags.is_empty(), "unexpected diagnostics: {diags:#?}");
        program.expect("a program when there are no diagnostics")
    }

    /// Parses `expr` as the right-hand side of an assignment.
    fn parse_expr(expr: &str) -> Expr {
        let program = parse_ok(&format!("model {{ x = {expr}; }}"));
        match &program.blocks[0].body {
            BlockBody::Stmts(stmts) => match &stmts[0].kind {
                StmtKind::Assign { rhs, .. } => rhs.clone(),
                other => panic!("not an assignment: {other:?}"),
            },
            BlockBody::Dims(_) | BlockBody::Functions(_) => panic!("not a statement block"),
        }
    }

    fn sexp(expr: &str) -> String {
        expr_to_sexp(&parse_expr(expr))
    }

    fn codes(src: &str) -> Vec<&'static str> {
        parse_program(src).1.iter().map(|d| d.code).collect()
    }

    fn stmts(block: &Block) -> &[Stmt] {
        match &block.body {
            BlockBody::Stmts(s) => s,
            BlockBody::Dims(_) | BlockBody::Functions(_) => &[],
        }
    }

    #[test]
    fn electric_parses() {
        let p = parse_ok(ELECTRIC);
        let kinds: Vec<_> = p.blocks.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            vec![
                BlockKind::Dims,
                BlockKind::Data,
                BlockKind::TransformedData,
                BlockKind::Parameters,
                BlockKind::TransformedParameters,
                BlockKind::Model,
                BlockKind::GeneratedQuantities
            ]
        );
        let BlockBody::Dims(dims) = &p.blocks[0].body else { panic!("dims body") };
        assert_eq!(dims.iter().map(|d| d.name.name.as_str()).collect::<Vec<_>>(), ["obs", "grade", "pair"]);
        // `array[obs] grade grade;`: a dim index type and a variable named like the dim.
        let StmtKind::Decl(d) = &stmts(&p.blocks[1])[0].kind else { panic!("decl") };
        assert_eq!(d.name.name, "grade");
        assert_eq!(d.ty.array_sizes.len(), 1);
        assert!(matches!(&d.ty.base, BaseTypeExpr::DimIndex(id) if id.name == "grade"));
        // `int<lower=0, upper=1>`
        let StmtKind::Decl(d) = &stmts(&p.blocks[1])[4].kind else { panic!("decl") };
        assert!(matches!(
            &d.ty.base,
            BaseTypeExpr::Int { transform: Transform::Bounds { lower: Some(_), upper: Some(_) } }
        ));
        // The header span covers both words.
        let td = &p.blocks[2];
        assert_eq!(&ELECTRIC[td.header.range()], "transformed data");
        // The long likelihood: `+` of `.*` terms, indexed by two index arrays.
        let StmtKind::Tilde { lhs, dist, args, truncation } = &stmts(&p.blocks[5])[6].kind else {
            panic!("tilde")
        };
        assert_eq!(expr_to_sexp(lhs), "y");
        assert_eq!(dist.name, "normal");
        assert!(truncation.is_none());
        assert_eq!(
            expr_to_sexp(&args[0]),
            "(+ (+ (index alpha pair_id grade) (.* (index theta grade) (call to_vector treatment))) \
             (.* (index beta_x grade) x))"
        );
        // The ternary and the for-each over a dim.
        let gq = stmts(&p.blocks[6]);
        let StmtKind::Decl(m) = &gq[1].kind else { panic!("decl") };
        assert_eq!(expr_to_sexp(m.init.as_ref().expect("init")), "(?: (> (index y_rep 1) 0) 1 0)");
        assert!(matches!(&gq[2].kind, StmtKind::ForEach { var, .. } if var.name == "g"));
    }

    #[test]
    fn kitchen_sink_parses() {
        let p = parse_ok(KITCHEN_SINK);
        assert_eq!(p.blocks[0].kind, BlockKind::GeneratedQuantities, "blocks in any order");
        let model = stmts(&p.blocks[4]);
        assert!(matches!(&model[5].kind, StmtKind::Assign { op: AssignOp::EltMul, .. }));
        let truncs: Vec<_> = model
            .iter()
            .filter_map(|s| match &s.kind {
                StmtKind::Tilde { truncation: Some(t), .. } => Some((t.lower.is_some(), t.upper.is_some())),
                _ => None,
            })
            .collect();
        assert_eq!(truncs, vec![(false, true), (true, false)]);
        // `if (a) if (b) ... else ...`: the else binds to the inner if.
        let nested = model
            .iter()
            .find_map(|s| match &s.kind {
                StmtKind::If { then, otherwise: None, .. } => Some(then),
                _ => None,
            })
            .expect("outer if without else");
        assert!(matches!(&nested.kind, StmtKind::If { otherwise: Some(_), .. }));
        // `f(x);` and `dims(a);` are call statements; `T[1] = 2` assigns to T.
        assert!(model.iter().any(|s| matches!(&s.kind, StmtKind::Call(_))));
        let calls = model.iter().filter(|s| matches!(&s.kind, StmtKind::Call(_))).count();
        assert_eq!(calls, 2);
        let params = stmts(&p.blocks[3]);
        let StmtKind::Decl(c) = &params[2].kind else { panic!("decl") };
        assert!(matches!(
            &c.ty.base,
            BaseTypeExpr::RowVector { transform: Transform::OffsetMultiplier { offset: Some(_), multiplier: Some(_) }, .. }
        ));
    }

    #[test]
    fn precedence() {
        assert_eq!(sexp("-a^2"), "(neg (^ a 2))");
        assert_eq!(sexp("a + b * c"), "(+ a (* b c))");
        assert_eq!(sexp("a - b - c"), "(- (- a b) c)");
        assert_eq!(sexp("a ? b : c ? d : e"), "(?: a b (?: c d e))");
        assert_eq!(sexp("a^b^c"), "(^ a (^ b c))");
        assert_eq!(sexp("a^-b"), "(^ a (neg b))");
        assert_eq!(sexp("x'"), "(transpose x)");
        assert_eq!(sexp("x' * y"), "(* (transpose x) y)");
        assert_eq!(sexp("a[:, k]"), "(index a all k)");
        assert_eq!(sexp("a[, k]"), "(index a all k)");
        assert_eq!(sexp("a[2:5, :3, 2:]"), "(index a (range 2 5) (range _ 3) (range 2 _))");
        assert_eq!(sexp("a[i][j]"), "(index (index a i) j)");
        assert_eq!(sexp("a .* b + c ./ d"), "(+ (.* a b) (./ c d))");
        assert_eq!(sexp("a * b .* c"), "(* a (.* b c))");
        assert_eq!(sexp("a / b \\ c"), "(/ a (\\ b c))");
        assert_eq!(sexp("!a && b || c"), "(|| (&& (not a) b) c)");
        assert_eq!(sexp("a < b == c > d"), "(== (< a b) (> c d))");
        assert_eq!(sexp("-a .* b"), "(.* (neg a) b)");
        assert_eq!(sexp("(a + b) * c"), "(* (paren (+ a b)) c)");
        assert_eq!(sexp("f(y | m, s)"), "(cond-call f y (args m s))");
        assert_eq!(sexp("{1, 2.5}"), "(array-expr 1 2.5)");
        assert_eq!(sexp("[1, 2]'"), "(transpose (row-vector 1 2))");
        assert_eq!(sexp("target()"), "(target)");
        assert_eq!(sexp(".5 + 1e-3"), "(+ 0.5 0.001)");
        assert_eq!(sexp("a %/% b % c"), "(% (%/% a b) c)");
        assert_eq!(sexp("a ? b : c || d"), "(?: a b (|| c d))");
    }

    #[test]
    fn spans_are_byte_offsets() {
        let src = "model { x = a + b; }";
        let e = parse_expr("a + b");
        assert_eq!(&src[e.span.range()], "a + b");
    }

    #[test]
    fn profile_statements_are_the_blocks_they_enclose() {
        let p = parse_ok(r#"model { profile("priors") { mu ~ normal(0, 1); profile("inner") { } } x = 1; }"#);
        let model = stmts(&p.blocks[0]);
        assert_eq!(model.len(), 2);
        let StmtKind::Block(inner) = &model[0].kind else { panic!("not a block: {:?}", model[0].kind) };
        assert!(matches!(inner[0].kind, StmtKind::Tilde { .. }));
        assert!(matches!(&inner[1].kind, StmtKind::Block(b) if b.is_empty()));
        // Stan's profile name is a string literal, and the body is braced.
        assert_eq!(codes("model { profile(priors) { } }"), vec!["E0001"]);
        assert_eq!(codes(r#"model { profile("p") x = 1; }"#), vec!["E0001"]);
        assert_eq!(codes("data { real profile; }"), vec!["E0001"]);
    }

    #[test]
    fn empty_input_is_an_empty_program() {
        assert_eq!(parse_ok("").blocks.len(), 0);
        assert_eq!(parse_ok("  // nothing\n /* here */ ").blocks.len(), 0);
    }

    #[test]
    fn complex_declarations_parse() {
        for src in [
            "generated quantities {\n  complex z;\n  complex_vector[2] l = eigenvalues(m);\n}\n",
            "transformed data {\n  array[3] complex_matrix[2, 2] z;\n  complex_row_vector[4] r;\n}\n",
        ] {
            let (_, diags) = parse_program(src);
            assert!(diags.is_empty(), "{diags:#?}");
        }
    }

    #[test]
    fn two_errors_are_reported_in_one_run() {
        let src = "model {\n  x = ;\n  y ~ normal(0, 1);\n  z = 1 +;\n}\n";
        let (program, diags) = parse_program(src);
        assert_eq!(diags.len(), 2, "{diags:#?}");
        assert!(diags.iter().all(|d| d.code == "E0001"));
        assert!(diags[0].message.contains("expected an expression"), "{}", diags[0].message);
        let program = program.expect("recovered");
        let kinds: Vec<_> = stmts(&program.blocks[0]).iter().map(|s| matches!(s.kind, StmtKind::Error)).collect();
        assert_eq!(kinds, vec![true, false, true]);
    }

    #[test]
    fn errors_in_two_blocks() {
        let src = "data { int N }\nmodel { y ~ normal(0 1); }\n";
        let (_, diags) = parse_program(src);
        assert_eq!(diags.len(), 2, "{diags:#?}");
    }

    #[test]
    fn old_array_syntax_has_a_targeted_message() {
        let (_, diags) = parse_program("data { int N; real x[N]; }");
        assert_eq!(diags.len(), 1, "{diags:#?}");
        let d = &diags[0];
        assert_eq!(d.code, "E0002");
        assert!(d.help.iter().any(|h| h.contains("array[N] real x;")), "{:?}", d.help);
        let (_, diags) = parse_program("data { vector<lower=0>[3] v[N, M]; }");
        assert!(diags[0].help.iter().any(|h| h.contains("array[N, M] vector<lower=0>[3] v;")), "{diags:?}");
        let (_, diags) = parse_program("data { array[K] real v[N]; }");
        assert!(diags[0].help.iter().any(|h| h.contains("array[K, N] real v;")), "{diags:?}");
    }

    #[test]
    fn old_array_types_in_function_signatures_have_a_targeted_message() {
        // posteriordb's older models (accel_gp, sir, soil_incubation) write
        // `vector[] x`, `real[] f(...)` and `data real[,] x`: one E0002 each,
        // with the modern spelling, instead of a bare parse error.
        let src = "functions {\n  real[] f(vector[] x, data real[,] y) { return {1.0}; }\n}\n";
        let (_, diags) = parse_program(src);
        assert_eq!(diags.len(), 3, "{diags:#?}");
        assert!(diags.iter().all(|d| d.code == "E0002"), "{diags:#?}");
        let helps: Vec<&str> = diags.iter().flat_map(|d| d.help.iter().map(String::as_str)).collect();
        for want in ["write `array[] real`", "write `array[] vector`", "write `array[,] real`"] {
            assert!(helps.contains(&want), "{want} missing from {helps:?}");
        }
    }

    #[test]
    fn missing_semicolon() {
        let src = "model {\n  x ~ normal(0, 1)\n  y ~ normal(0, 1);\n}\n";
        let (_, diags) = parse_program(src);
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert_eq!(diags[0].message, "expected `;` after the statement");
        let span = diags[0].primary_span().expect("span");
        assert_eq!(&src[span.range()], ")");
        // Same line: the message names what was expected instead.
        let (_, diags) = parse_program("model { x = 1 y = 2; }");
        assert_eq!(diags[0].message, "expected `;` or an operator, found identifier `y`");
        let (_, diags) = parse_program("model { x 1; }");
        // `x` could also be a dim used as a type, hence "a name".
        assert_eq!(
            diags[0].message,
            "expected `(`, `;`, `~`, an operator, an assignment or a name, found integer `1`"
        );
    }

    #[test]
    fn lexical_errors() {
        let unterminated = codes("model { /* never closed");
        assert!(unterminated.contains(&"E0003"), "{unterminated:?}");
        let (program, diags) = parse_program("model { x = 1; ∑∂ y = 2; }");
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert_eq!(diags[0].code, "E0003");
        assert!(diags[0].message.contains("∑∂"));
        assert!(program.is_some());
        assert!(codes("model { print(\"open); }").contains(&"E0003"));
        assert_eq!(codes("# old comment\nmodel { }"), vec!["E0003"]);
        assert_eq!(codes("model { x = 1000000000000000000000000000000000000000000000000; }"), vec!["E0004"]);
        assert_eq!(codes("model { x__ = 1; }"), vec!["E0007"]);
    }

    #[test]
    fn local_checks() {
        assert_eq!(codes("model { x + 1; }"), vec!["E0005"]);
        assert_eq!(codes("data { real<lower=0, offset=1> x; }"), vec!["E0006"]);
        assert_eq!(codes("data { real<low=0> x; }"), vec!["E0006"]);
        assert_eq!(codes("data { int<offset=0> x; }"), vec!["E0006"]);
        assert_eq!(codes("paramters { real x; }"), vec!["E0008"]);
        assert_eq!(codes("model { x = a[]; }"), vec!["E0009"]);
        let (program, diags) = parse_program("functions { real f(real x) { return x; } } model { }");
        assert!(diags.is_empty(), "{diags:?}");
        let program = program.expect("parses");
        assert_eq!(program.blocks[0].kind, BlockKind::Functions);
        let BlockBody::Functions(defs) = &program.blocks[0].body else { panic!("functions body") };
        assert_eq!((defs[0].name.name.as_str(), defs[0].params.len(), defs[0].body.is_some()), ("f", 1, true));
        let (program, diags) =
            parse_program("functions { void g(data array[,] int n); void g(data array[,] int n) { } } model { }");
        assert!(diags.is_empty(), "{diags:?}");
        let BlockBody::Functions(defs) = &program.expect("parses").blocks[0].body else { panic!("functions body") };
        assert!(defs[0].body.is_none() && defs[1].params[0].data_only && defs[1].params[0].ty.array_dims == 2);
    }

    #[test]
    fn messages_are_condensed() {
        let (_, d) = parse_program("model { real ; }");
        assert_eq!(d[0].message, "expected `<` or a name, found `;`");
        let (_, d) = parse_program("model { real data; }");
        assert!(d[0].help[0].contains("reserved"), "{d:?}");
        let (_, d) = parse_program("model { if (x = 1) y = 2; }");
        assert!(d[0].help.iter().any(|h| h.contains("==")), "{d:?}");
        let (_, d) = parse_program("dims { a b; c; }");
        assert_eq!(d.len(), 1, "{d:?}");
        let (_, d) = parse_program("model { x = (1; }");
        assert!(d[0].message.starts_with("expected `)`"), "{}", d[0].message);
        let (_, d) = parse_program("foo");
        assert_eq!(d[0].message, "expected a block such as `model { ... }`, found identifier `foo`");
        let (_, d) = parse_program("model { } 3");
        assert!(d[0].message.contains("a block such as"), "{}", d[0].message);
        let (_, d) = parse_program("model { x = 1;");
        assert!(d[0].message.starts_with("unexpected end of file, expected"), "{}", d[0].message);
        assert_eq!(d[0].labels.len(), 2);
        for d in d {
            assert!(!d.message.contains('"'), "raw terminal names leaked: {}", d.message);
        }
    }

    /// A tiny deterministic generator (64-bit LCG) so the fuzz test is
    /// reproducible without a dependency.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            self.0 >> 33
        }
        fn below(&mut self, n: usize) -> usize {
            if n == 0 {
                0
            } else {
                (self.next() % n as u64) as usize
            }
        }
    }

    /// Applies one random edit at token or byte level.
    fn mutate(src: &str, rng: &mut Lcg) -> String {
        let tokens = lexer::lex(src).0;
        let pick = |rng: &mut Lcg| tokens.get(rng.below(tokens.len())).map(|(l, _, r)| (*l, *r));
        let mut out = src.to_string();
        match rng.below(5) {
            0 => {
                if let Some((l, r)) = pick(rng) {
                    out.replace_range(l..r, "");
                }
            }
            1 => {
                if let Some((l, r)) = pick(rng) {
                    let text = src[l..r].to_string();
                    out.insert_str(r, &format!(" {text}"));
                }
            }
            2 => {
                if let (Some((l1, r1)), Some((l2, r2))) = (pick(rng), pick(rng)) {
                    let (a, b) = if l1 <= l2 { ((l1, r1), (l2, r2)) } else { ((l2, r2), (l1, r1)) };
                    if a.1 <= b.0 {
                        out = format!("{}{}{}{}{}", &src[..a.0], &src[b.0..b.1], &src[a.1..b.0], &src[a.0..a.1], &src[b.1..]);
                    }
                }
            }
            3 => {
                let junk = ["{", "}", "(", ")", "[", "]", ";", "<", ">", "=", "~", "T[", "\"", "/*", "é", "#", "|", "'", ":", "?", "99999999999999999999999999999999999999999", "real", "data", "array", "1.e", "_", "__"];
                let at = rng.below(src.len() + 1);
                if src.is_char_boundary(at) {
                    out.insert_str(at, junk[rng.below(junk.len())]);
                }
            }
            _ => {
                let at = rng.below(src.len());
                if src.is_char_boundary(at) && src.is_char_boundary(at + 1) {
                    out.replace_range(at..at + 1, "");
                }
            }
        }
        out
    }

    /// Parses `src` and checks the invariants every input must satisfy.
    fn check_no_panic(src: &str) {
        let (program, diags) = parse_program(src);
        if program.is_none() {
            assert!(crate::diagnostics::has_errors(&diags), "None without an error for {src:?}");
        }
        for d in &diags {
            let span = d.primary_span().unwrap_or_else(|| panic!("no label: {d:?} for {src:?}"));
            assert!(span.start <= span.end && span.end <= src.len(), "bad span {span:?} for {src:?}");
        }
        if let Some(p) = program {
            let _ = crate::syntax::print::program_to_sexp(&p);
        }
    }

    #[test]
    fn mutated_programs_never_panic() {
        let seeds = [ELECTRIC, KITCHEN_SINK];
        for seed in seeds {
            for cut in (0..seed.len()).step_by(7) {
                check_no_panic(&seed[..cut]);
            }
        }
        let mut rng = Lcg(0x5eed);
        for round in 0..600 {
            let mut src = seeds[round % seeds.len()].to_string();
            for _ in 0..1 + rng.below(4) {
                src = mutate(&src, &mut rng);
            }
            check_no_panic(&src);
        }
    }

    #[test]
    fn a_misspelt_block_header_is_read_as_the_block_meant() {
        let (program, diags) = parse_program("paramters { real mu; } model { mu ~ normal(0, 1); }");
        assert_eq!(diags.len(), 1);
        assert!(diags[0].help[0].contains("did you mean `parameters`?"));
        let kinds: Vec<_> = program.expect("parsed").blocks.iter().map(|b| b.kind).collect();
        assert_eq!(kinds, vec![BlockKind::Parameters, BlockKind::Model]);
        // A name far from every block is dropped with its body.
        let (program, diags) = parse_program("priors { real mu; }");
        assert_eq!(diags.len(), 1);
        assert!(program.expect("parsed").blocks.is_empty());
    }

    #[test]
    fn an_unclosed_block_is_named_at_the_next_header() {
        let (_, diags) = parse_program("parameters {\n  real mu;\nmodel {\n}\n");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].message, "expected a statement or `}`, found keyword `model`");
        assert_eq!(diags[0].labels.len(), 2);
    }

    #[test]
    fn odd_inputs_never_panic() {
        for src in ["}", "{", "model", "model {", "dims { a = [\"x\"; }", "model { x = a[; }", "\u{0}", "model { y ~ n() T[", "functions {", "T[1]", "))))"] {
            check_no_panic(src);
        }
    }
}
