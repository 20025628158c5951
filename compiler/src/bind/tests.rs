//! Tests of the bind stage against hand-built typed programs (the checker
//! is tested on its own; these need only its output types).

use super::*;
use crate::check::env::{DimEnv, DimInfo, VarOrigin};
use crate::check::typed::{
    Constraint, Level, Size, TypedBlock, TypedDecl, TypedExpr, TypedExprKind, TypedStmt,
    TypedStmtKind, VarInfo,
};
use crate::check::types::{Axis, ElemType, Type};
use crate::diagnostics::Severity;
use crate::syntax::ast::BinOp;
use crate::syntax::span::Span;

// ---------------------------------------------------------------- builders

/// The element part of a declaration.
enum El {
    Int,
    Idx(DimId),
    Real,
    Vector(Size),
    Matrix(Size, Size),
}

/// Builds a typed program with dims and a `data` block.
#[derive(Default)]
struct B {
    dims: Vec<DimInfo>,
    vars: Vec<VarInfo>,
    stmts: Vec<TypedStmt>,
}

impl B {
    fn dim(mut self, name: &str, labels: Option<&[&str]>) -> B {
        let n = self.dims.len();
        self.dims.push(DimInfo {
            name: name.into(),
            labels: labels.map(|l| l.iter().map(|s| s.to_string()).collect()),
            span: Span::new(1000 + n * 10, 1000 + n * 10 + 5),
        });
        self
    }

    fn data(mut self, name: &str, array: Vec<Size>, el: El, constraint: Constraint) -> B {
        let mut sizes = array;
        let arr_axes: Vec<Axis> = sizes.iter().map(Size::axis).collect();
        let elem = match el {
            El::Int => ElemType::INT,
            El::Idx(d) => ElemType::Int { index_of: Some(d) },
            El::Real => ElemType::Real,
            El::Vector(s) => {
                let a = s.axis();
                sizes.push(s);
                ElemType::Vector(a)
            }
            El::Matrix(r, c) => {
                let (ra, ca) = (r.axis(), c.axis());
                sizes.push(r);
                sizes.push(c);
                ElemType::Matrix(ra, ca)
            }
        };
        let var = self.vars.len();
        let span = decl_span(var);
        self.vars.push(VarInfo {
            name: name.into(),
            ty: Type::array_of(arr_axes, elem),
            origin: VarOrigin::Block(BlockKind::Data),
            level: Level::Data,
            span,
        });
        self.stmts.push(TypedStmt {
            kind: TypedStmtKind::Decl(TypedDecl {
                var,
                sizes,
                constraint,
                init: None,
                span,
            }),
            span,
        });
        self
    }

    /// A parameter (not data), to test messages about names of other blocks.
    fn param(mut self, name: &str) -> B {
        self.vars.push(VarInfo {
            name: name.into(),
            ty: Type::real(),
            origin: VarOrigin::Block(BlockKind::Parameters),
            level: Level::Param,
            span: Span::new(2000, 2001),
        });
        self
    }

    fn build(self) -> TypedProgram {
        TypedProgram {
            dims: DimEnv { dims: self.dims },
            vars: self.vars,
            functions: Vec::new(),
            function_defs: Vec::new(),
            tuple_outputs: Vec::new(),
            prelude_home: None,
            blocks: vec![TypedBlock {
                kind: BlockKind::Data,
                stmts: self.stmts,
            }],
        }
    }
}

fn decl_span(var: usize) -> Span {
    Span::new(var * 10, var * 10 + 8)
}

fn ex(kind: TypedExprKind) -> TypedExpr {
    TypedExpr {
        kind,
        ty: Type::int(),
        level: Level::Data,
        span: Span::new(500, 505),
    }
}

fn lit(i: i64) -> TypedExpr {
    ex(TypedExprKind::IntLit(i))
}

fn var(v: VarId) -> TypedExpr {
    ex(TypedExprKind::Var(v))
}

fn size_of(e: TypedExpr) -> Size {
    Size::Expr(e)
}

fn lower(e: TypedExpr) -> Constraint {
    Constraint::Bounds {
        lower: Some(e),
        upper: None,
    }
}

const NONE: Constraint = Constraint::None;

fn json(text: &str) -> DataSource {
    read_source("data.json", text).unwrap_or_else(|d| panic!("{d:?}"))
}

fn bind(p: &TypedProgram, sources: &[DataSource]) -> (Option<BoundData>, Vec<Diagnostic>) {
    bind_data(p, sources)
}

/// Binds and expects success without errors.
fn ok(p: &TypedProgram, sources: &[DataSource]) -> (BoundData, Vec<Diagnostic>) {
    let (b, d) = bind(p, sources);
    assert!(!has_errors(&d), "unexpected errors: {d:#?}");
    (b.expect("bound data when there are no errors"), d)
}

/// Binds and returns the errors' codes and messages.
fn errors(p: &TypedProgram, sources: &[DataSource]) -> Vec<Diagnostic> {
    let (b, d) = bind(p, sources);
    assert!(b.is_none());
    d.into_iter().filter(|d| d.is_error()).collect()
}

/// Exactly one error, with this code; returns it.
fn one_error(p: &TypedProgram, sources: &[DataSource], code: &str) -> Diagnostic {
    let e = errors(p, sources);
    assert_eq!(e.len(), 1, "expected one {code}, got {e:#?}");
    assert_eq!(e[0].code, code, "{e:#?}");
    e.into_iter().next().unwrap()
}

fn has(d: &Diagnostic, parts: &[&str]) {
    for p in parts {
        assert!(d.message.contains(p), "message {:?} lacks {p:?}", d.message);
    }
}

// ---------------------------------------------------------------- JSON

#[test]
fn json_scalars_vectors_matrices_arrays() {
    // dims obs; grade;   data { int<lower=0> N; real s; vector[obs] y;
    // matrix[N, grade] X; array[obs] vector[grade] Z; array[obs] int k;
    // array[obs] grade g; array[2, 2] real a; }
    let p = B::default()
        .dim("obs", None)
        .dim("grade", None)
        .data("N", vec![], El::Int, lower(lit(0)))
        .data("s", vec![], El::Real, NONE)
        .data("y", vec![], El::Vector(Size::Dim(0)), NONE)
        .data("X", vec![], El::Matrix(size_of(var(0)), Size::Dim(1)), NONE)
        .data("Z", vec![Size::Dim(0)], El::Vector(Size::Dim(1)), NONE)
        .data("k", vec![Size::Dim(0)], El::Int, NONE)
        .data("g", vec![Size::Dim(0)], El::Idx(1), NONE)
        .data("a", vec![size_of(lit(2)), size_of(lit(2))], El::Real, NONE)
        .build();
    let src = json(
        r#"{"N": 2, "s": -1.5, "y": [1, 2.5, 3],
            "X": [[1, 2, 3], [4, 5, 6]],
            "Z": [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
            "k": [3, -1, 0], "g": [3, 1, 2], "a": [[1, 2], [3, 4]],
            "dims": {"grade": 3}}"#,
    );
    let (b, d) = ok(&p, &[src]);
    assert!(d.is_empty(), "{d:#?}");
    assert_eq!(b.dim_sizes, vec![3, 3]);
    assert_eq!(b.value(0).unwrap().as_int(), Some(2));
    assert_eq!(b.value(1).unwrap().as_real(), Some(-1.5));
    assert_eq!(b.value(2).unwrap().reals(), Some(&[1.0, 2.5, 3.0][..]));
    // The matrix is given row-major and stored column-major.
    let x = b.value(3).unwrap();
    assert_eq!(x.shape, vec![2, 3]);
    assert_eq!(x.reals(), Some(&[1.0, 4.0, 2.0, 5.0, 3.0, 6.0][..]));
    assert_eq!(x.get_real(&[1, 0]), Some(4.0));
    assert_eq!(x.get_real(&[0, 2]), Some(3.0));
    // An array of vectors: each vector contiguous.
    let z = b.value(4).unwrap();
    assert_eq!((z.shape.clone(), z.array_rank), (vec![3, 3], 1));
    assert_eq!(z.get_real(&[1, 2]), Some(6.0));
    assert_eq!(b.value(5).unwrap().ints(), Some(&[3, -1, 0][..]));
    assert_eq!(b.value(6).unwrap().ints(), Some(&[3, 1, 2][..]));
    // A 2-D array is row-major.
    assert_eq!(b.value(7).unwrap().reals(), Some(&[1.0, 2.0, 3.0, 4.0][..]));
    assert_eq!(b.value(7).unwrap().get_real(&[1, 0]), Some(3.0));
}

#[test]
fn json_labels_for_index_variables() {
    // dims { obs; school; effect = ["intercept", "slope"]; }
    let p = B::default()
        .dim("obs", None)
        .dim("school", None)
        .dim("effect", Some(&["intercept", "slope"]))
        .data("school_idx", vec![Size::Dim(0)], El::Idx(1), NONE)
        .data("e", vec![Size::Dim(0)], El::Idx(2), NONE)
        .data("w", vec![], El::Vector(Size::Dim(2)), NONE)
        .build();
    let src = json(
        r#"{"school_idx": ["b", "c", "a", 2], "e": ["slope", 1, "intercept", "slope"], "w": [0.5, 1],
            "dims": {"school": ["a", "b", "c"]}}"#,
    );
    let (b, _) = ok(&p, &[src]);
    assert_eq!(b.value(0).unwrap().ints(), Some(&[2, 3, 1, 2][..]));
    assert_eq!(b.value(1).unwrap().ints(), Some(&[2, 1, 1, 2][..]));
    assert_eq!(b.dim_labels(1).unwrap(), &["a", "b", "c"]);
    assert_eq!(b.dim_labels(2).unwrap(), &["intercept", "slope"]);
    assert_eq!(b.dim_sizes, vec![4, 3, 2]);
}

#[test]
fn json_strings_for_unlabelled_dim_become_sorted_labels() {
    let p = B::default()
        .dim("obs", None)
        .dim("county", None)
        .data("c", vec![Size::Dim(0)], El::Idx(1), NONE)
        .build();
    let (b, _) = ok(&p, &[json(r#"{"c": ["z", "a", "z", "m"]}"#)]);
    assert_eq!(b.dim_labels(1).unwrap(), &["a", "m", "z"]);
    assert_eq!(b.value(0).unwrap().ints(), Some(&[3, 1, 3, 2][..]));
}

#[test]
fn dims_object_size_gives_a_dim_without_data() {
    let p = B::default()
        .dim("pair", None)
        .data("n", vec![], El::Int, NONE)
        .build();
    let (b, _) = ok(&p, &[json(r#"{"n": 1, "dims": {"pair": 96}}"#)]);
    assert_eq!(b.dim_size(0), Some(96));
    assert_eq!(b.dim_labels(0), None);
}

#[test]
fn explicit_shape_and_empty_containers() {
    let p = B::default()
        .dim("obs", None)
        .data("N", vec![], El::Int, NONE)
        .data(
            "M",
            vec![],
            El::Matrix(size_of(var(0)), size_of(var(0))),
            NONE,
        )
        .data(
            "E",
            vec![size_of(var(0))],
            El::Vector(size_of(lit(3))),
            NONE,
        )
        .data(
            "S",
            vec![],
            El::Matrix(size_of(lit(2)), size_of(lit(2))),
            NONE,
        )
        .data("y", vec![], El::Vector(Size::Dim(0)), NONE)
        .build();
    let src = json(
        r#"{"N": 0, "M": {"shape": [0, 0], "values": []}, "E": [],
            "S": {"shape": [2, 2], "values": [[1, 2], [3, 4]]}, "y": []}"#,
    );
    let (b, _) = ok(&p, &[src]);
    assert_eq!(b.value(1).unwrap().shape, vec![0, 0]);
    assert_eq!(b.value(2).unwrap().shape, vec![0, 3]);
    assert_eq!(b.value(3).unwrap().reals(), Some(&[1.0, 3.0, 2.0, 4.0][..]));
    assert_eq!(b.dim_size(0), Some(0));
}

#[test]
fn empty_array_of_huge_declared_matrices() {
    // `array[N] cov_matrix[K] S` with N = 0 and K near the limit: nothing
    // may be allocated or multiplied out.
    let p = B::default()
        .data("N", vec![], El::Int, NONE)
        .data("K", vec![], El::Int, NONE)
        .data(
            "S",
            vec![size_of(var(0))],
            El::Matrix(size_of(var(1)), size_of(var(1))),
            Constraint::CovMatrix,
        )
        .build();
    let (b, _) = ok(
        &p,
        &[json(r#"{"N": 0, "K": 4611686018427387904, "S": []}"#)],
    );
    assert_eq!(b.value(2).unwrap().len(), 0);
}

fn bounds(lower: Option<TypedExpr>, upper: Option<TypedExpr>) -> Constraint {
    Constraint::Bounds { lower, upper }
}

#[test]
fn non_finite_reals_are_read_exactly_where_unbounded() {
    let p = B::default()
        .data("y", vec![size_of(lit(6))], El::Real, NONE)
        .data("m", vec![], El::Matrix(size_of(lit(1)), size_of(lit(2))), NONE)
        .data("pos", vec![], El::Real, lower(lit(0)))
        .data("L", vec![], El::Real, NONE)
        .data("z", vec![], El::Real, lower(var(3)))
        .data("o", vec![], El::Vector(size_of(lit(2))), Constraint::Ordered)
        .build();
    let text = r#"{"y": [1, NaN, "-inf", Infinity, "nan", -Infinity], "m": [["NaN", "Inf"]],
        "pos": "inf", "L": "-inf", "z": "-Infinity", "o": [0, "inf"]}"#;
    let (b, d) = ok(&p, &[json(text)]);
    assert!(d.is_empty(), "no warning for NaN data, as Stan: {d:#?}");
    let y = |i: usize| b.value(0).unwrap().get_real(&[i]).unwrap();
    assert_eq!(y(0), 1.0);
    assert!(y(1).is_nan() && y(4).is_nan());
    assert_eq!((y(2), y(3), y(5)), (f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY));
    let m = b.value(1).unwrap();
    assert!(m.get_real(&[0, 0]).unwrap().is_nan());
    assert_eq!(m.get_real(&[0, 1]), Some(f64::INFINITY));
    // inf satisfies `<lower=0>`; -inf satisfies a lower bound of -inf; an
    // ordered vector may end at inf (Stan's checks compare, nothing more).
    assert_eq!(b.value(2).unwrap().get_real(&[]), Some(f64::INFINITY));
    assert_eq!(b.value(4).unwrap().get_real(&[]), Some(f64::NEG_INFINITY));
    assert_eq!(b.value(5).unwrap().get_real(&[1]), Some(f64::INFINITY));
}

#[test]
fn nan_fails_every_bound_and_inf_the_bounds_it_breaks() {
    let p = B::default()
        .data("s", vec![size_of(lit(3))], El::Real, lower(lit(0)))
        .build();
    let e = one_error(&p, &[json(r#"{"s": [1, NaN, "nan"]}"#)], "E4030");
    has(&e, &["`s[2]` in data.json is NaN, which fails its lower bound 0 (NaN satisfies no bound)"]);
    assert!(e.help.join("\n").contains("NaN is allowed only in reals without bounds"), "{:?}", e.help);
    assert!(e.notes.len() == 1 && e.notes[0].contains("`s[3]`"), "{:?}", e.notes);

    let p = B::default()
        .data("u", vec![], El::Real, bounds(Some(lit(0)), Some(lit(10))))
        .build();
    let e = one_error(&p, &[json(r#"{"u": Infinity}"#)], "E4030");
    has(&e, &["`u` in data.json is inf, above its upper bound 10"]);
    let e = one_error(&p, &[json(r#"{"u": "-inf"}"#)], "E4030");
    has(&e, &["is -inf, below its lower bound 0"]);
    let e = one_error(&p, &[json(r#"{"u": NaN}"#)], "E4030");
    has(&e, &["is NaN, which fails its lower bound 0"]);

    // A NaN bound (from NaN data) admits nothing either.
    let p = B::default()
        .data("L", vec![], El::Real, NONE)
        .data("x", vec![], El::Real, bounds(None, Some(var(0))))
        .build();
    let e = one_error(&p, &[json(r#"{"L": NaN, "x": 1}"#)], "E4030");
    has(&e, &["`x` in data.json is 1, which fails its upper bound NaN"]);
}

#[test]
fn constrained_types_refuse_nan_and_inf() {
    let two = || size_of(lit(2));
    let p = B::default()
        .data("sx", vec![], El::Vector(two()), Constraint::Simplex)
        .data("S", vec![], El::Matrix(two(), two()), Constraint::CovMatrix)
        .data("o", vec![], El::Vector(two()), Constraint::Ordered)
        .data("uv", vec![], El::Vector(two()), Constraint::UnitVector)
        .build();
    let good = r#""sx": [0.5, 0.5], "S": [[1, 0], [0, 1]], "o": [0, 1], "uv": [1, 0]"#;
    let with = |from: &str, to: &str| json(&format!("{{{}}}", good.replace(from, to)));
    ok(&p, &[with("", "")]);
    let cases = [
        (r#""sx": [0.5, 0.5]"#, r#""sx": [NaN, 1]"#, "`sx` in data.json is not a valid simplex: element 1 is NaN"),
        (r#""sx": [0.5, 0.5]"#, r#""sx": [Infinity, 1]"#, "`sx` in data.json is not a valid simplex: its elements sum to inf"),
        (r#""S": [[1, 0], [0, 1]]"#, r#""S": [[1, 0], [NaN, 1]]"#, "`S` in data.json is not a valid cov_matrix: entry [2, 1] is NaN"),
        (r#""S": [[1, 0], [0, 1]]"#, r#""S": [[1, 0], [0, "inf"]]"#, "`S` in data.json is not a valid cov_matrix: it is not positive definite"),
        (r#""o": [0, 1]"#, r#""o": [NaN, 1]"#, "`o` in data.json is not a valid ordered: element 1 is NaN"),
        (r#""o": [0, 1]"#, r#""o": ["inf", "inf"]"#, "element 2 (inf) is not greater than element 1 (inf)"),
        (r#""uv": [1, 0]"#, r#""uv": [1, "-inf"]"#, "its squared length is inf, not 1"),
    ];
    for (from, to, message) in cases {
        let e = one_error(&p, &[with(from, to)], "E4032");
        has(&e, &[message]);
    }
}

#[test]
fn int_data_refuse_nan_and_inf() {
    let p = B::default().data("n", vec![size_of(lit(2))], El::Int, NONE).build();
    let e = one_error(&p, &[json(r#"{"n": [1, NaN]}"#)], "E4022");
    has(&e, &["`n[2]` in data.json is NaN, which is not finite, but `n` holds integers"]);
    let e = one_error(&p, &[json(r#"{"n": ["-inf", 1]}"#)], "E4022");
    has(&e, &["`n[1]` in data.json is -inf"]);
}

// ---------------------------------------------------------------- CSV

/// Lines 1, 2, 10, 13, 27, 37, 88, 98, 109, 123 and 184 of electric.csv.
const ELECTRIC: &str = r#""","post_test","pre_test","grade","treatment","supp","pair_id"
"1",48.9,13.8,1,1,1,1
"9",60.8,11.8,1,1,1,9
"12",81.6,55.1,2,1,0,12
"26",92.8,77.6,3,1,1,26
"36",116.2,105.9,4,1,1,36
"87",115.6,109.7,4,1,0,87
"97",52.3,12.3,1,0,NA,1
"108",69.1,50.3,2,0,NA,12
"122",110.6,103.7,3,0,NA,26
"183",116.2,111.8,4,0,NA,87
"#;

/// `dims { obs; grade; pair; } data { vector[obs] post_test; vector[obs]
/// pre_test; array[obs] grade grade; array[obs] int<lower=0, upper=1>
/// treatment; array[obs] pair pair_id; }`
fn electric(grade_labels: Option<&[&str]>) -> TypedProgram {
    B::default()
        .dim("obs", None)
        .dim("grade", grade_labels)
        .dim("pair", None)
        .data("post_test", vec![], El::Vector(Size::Dim(0)), NONE)
        .data("pre_test", vec![], El::Vector(Size::Dim(0)), NONE)
        .data("grade", vec![Size::Dim(0)], El::Idx(1), NONE)
        .data(
            "treatment",
            vec![Size::Dim(0)],
            El::Int,
            Constraint::Bounds {
                lower: Some(lit(0)),
                upper: Some(lit(1)),
            },
        )
        .data("pair_id", vec![Size::Dim(0)], El::Idx(2), NONE)
        .build()
}

fn csv(text: &str) -> DataSource {
    read_source("electric.csv", text).unwrap_or_else(|d| panic!("{d:?}"))
}

#[test]
fn csv_electric_excerpt() {
    let p = electric(None);
    let (b, d) = ok(&p, &[csv(ELECTRIC)]);
    // `supp` is warned about; the row-name column is not.
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!((d[0].code, d[0].severity), ("E4012", Severity::Warning));
    assert!(
        d[0].message.contains("`supp`") && !d[0].message.contains("\"\""),
        "{}",
        d[0].message
    );
    assert_eq!(b.dim_sizes, vec![10, 4, 6]);
    assert_eq!(b.dim_labels(1).unwrap(), &["1", "2", "3", "4"]);
    // Sorted numerically: 9 before 12.
    assert_eq!(
        b.dim_labels(2).unwrap(),
        &["1", "9", "12", "26", "36", "87"]
    );
    assert_eq!(
        b.value(0).unwrap().reals().unwrap()[..3],
        [48.9, 60.8, 81.6]
    );
    assert_eq!(
        b.value(2).unwrap().ints(),
        Some(&[1, 1, 2, 3, 4, 4, 1, 2, 3, 4][..])
    );
    assert_eq!(
        b.value(3).unwrap().ints(),
        Some(&[1, 1, 1, 1, 1, 1, 0, 0, 0, 0][..])
    );
    assert_eq!(
        b.value(4).unwrap().ints(),
        Some(&[1, 2, 3, 4, 5, 6, 1, 3, 4, 6][..])
    );
}

#[test]
fn csv_values_are_looked_up_in_existing_labels() {
    // Labels in the model, in a non-sorted order: values map to positions.
    let p = electric(Some(&["4", "3", "2", "1"]));
    let (b, _) = ok(&p, &[csv(ELECTRIC)]);
    assert_eq!(
        b.value(2).unwrap().ints(),
        Some(&[4, 4, 3, 2, 1, 1, 4, 3, 2, 1][..])
    );
    // Labels from a JSON "dims" object, combined with the CSV.
    let p = electric(None);
    let dims = read_source(
        "dims.json",
        r#"{"dims": {"grade": ["1", "2", "3", "4", "5"]}}"#,
    )
    .unwrap();
    let (b, _) = ok(&p, &[csv(ELECTRIC), dims]);
    assert_eq!(b.dim_size(1), Some(5));
}

#[test]
fn csv_unknown_label_names_variable_row_and_value() {
    let p = electric(Some(&["1", "2", "3"]));
    let e = one_error(&p, &[csv(ELECTRIC)], "E4031");
    has(
        &e,
        &[
            "`grade[5]` in electric.csv (row 5, line 6)",
            "\"4\"",
            "not a label of dim `grade`",
        ],
    );
    assert!(e.notes[0].contains("2 more elements"), "{:?}", e.notes);
    assert_eq!(e.primary_span(), Some(decl_span(2)));
    // The help says where the labels come from.
    let help = e.help.join("\n");
    assert!(help.contains("the 3 labels in the model"), "{help}");
}

#[test]
fn unknown_label_help_names_the_file_that_gave_the_labels() {
    let p = electric(None);
    let dims = read_source("fit_dims.json", r#"{"dims": {"grade": ["1", "2", "3"]}}"#).unwrap();
    let e = one_error(&p, &[dims, csv(ELECTRIC)], "E4031");
    let help = e.help.join("\n");
    assert!(help.contains(r#"the 3 labels in the "dims" object of fit_dims.json"#), "{help}");
}

#[test]
fn csv_column_over_wrong_shape_and_bad_fields() {
    let p = B::default()
        .dim("obs", None)
        .dim("k", Some(&["a", "b"]))
        .data("M", vec![], El::Matrix(Size::Dim(0), Size::Dim(1)), NONE)
        .data("y", vec![], El::Vector(Size::Dim(0)), NONE)
        .data("n", vec![Size::Dim(0)], El::Int, NONE)
        .build();
    let src = csv("M,y,n\n1,2.5,3\n2,NA,4.5\n3,abc,x\n");
    let e = errors(&p, &[src]);
    let codes: Vec<&str> = e.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec!["E4013", "E4022", "E4021", "E4021"], "{e:#?}");
    has(&e[0], &["column `M`", "matrix[obs, k]"]);
    has(
        &e[1],
        &["`y[2]` in electric.csv (row 2, line 3)", "missing"],
    );
    has(&e[2], &["`y[3]`", "\"abc\", not a number"]);
    has(&e[3], &["`n[2]`", "4.5, a real number", "integers"]);
    assert!(e[3].notes[0].contains("n[3]"));
}

#[test]
fn csv_syntax_errors_have_lines() {
    let d = read_source("x.csv", "a,b\n1,2\n3\n").unwrap_err();
    assert_eq!(d[0].code, "E4001");
    has(&d[0], &["x.csv", "line 3", "2 columns"]);
    let d = read_source("x.csv", "a,b\n1,\"2\n").unwrap_err();
    has(&d[0], &["never closed"]);
}

#[test]
fn csv_nan_cells_are_reals_and_missing_cells_stay_missing() {
    let p = B::default()
        .dim("obs", None)
        .data("y", vec![], El::Vector(Size::Dim(0)), NONE)
        .data("n", vec![Size::Dim(0)], El::Int, NONE)
        .build();
    let (b, _) = ok(&p, &[csv("y,n\nNaN,1\nInf,2\n-inf,3\n\"nan\",4\n2.5,5\n")]);
    let y = b.value(0).unwrap();
    assert!(y.get_real(&[0]).unwrap().is_nan() && y.get_real(&[3]).unwrap().is_nan());
    assert_eq!(y.get_real(&[1]), Some(f64::INFINITY));
    assert_eq!(y.get_real(&[2]), Some(f64::NEG_INFINITY));
    assert_eq!(y.get_real(&[4]), Some(2.5));

    // Empty, NA and null are missing values, not NaN: E4022 as before.
    let e = one_error(&p, &[csv("y,n\n1,1\n,2\nNA,3\nnull,4\n")], "E4022");
    has(&e, &["`y[2]` in electric.csv (row 2, line 3) is missing (empty, NA or null)"]);
    assert!(e.notes[0].starts_with("2 more elements"), "{:?}", e.notes);
    assert!(e.notes[0].contains("`y[3]`") && e.notes[0].contains("`y[4]`"), "{:?}", e.notes);

    // A finite spelling that overflows is not taken as inf; an int cell
    // cannot be NaN.
    let e = one_error(&p, &[csv("y,n\n1e400,1\n")], "E4022");
    has(&e, &["`y[1]` in electric.csv (row 1, line 2) is 1e400, which is too large for a real"]);
    let e = one_error(&p, &[csv("y,n\n1,NaN\n")], "E4022");
    has(&e, &["`n[1]`", "NaN, which is not finite, but `n` holds integers"]);
}

// ---------------------------------------------------------------- error classes

/// `data { int N; vector<lower=0>[N] s; array[N] int<lower=1, upper=K> k; }` etc.
fn small() -> TypedProgram {
    B::default()
        .dim("grade", None)
        .data("N", vec![], El::Int, NONE)
        .data("K", vec![], El::Int, NONE)
        .data("s", vec![], El::Vector(size_of(var(0))), lower(lit(0)))
        .data(
            "k",
            vec![size_of(var(0))],
            El::Int,
            Constraint::Bounds {
                lower: Some(lit(1)),
                upper: Some(var(1)),
            },
        )
        .data("g", vec![size_of(var(0))], El::Idx(0), NONE)
        .data("x", vec![], El::Vector(Size::Dim(0)), NONE)
        .param("mu")
        .build()
}

const GOOD: &str =
    r#""N": 3, "K": 2, "s": [0, 1, 2], "k": [1, 2, 2], "g": [1, 2, 1], "x": [0.1, 0.2]"#;

fn small_with(replace: &str, with: &str) -> DataSource {
    let text = format!("{{{}}}", GOOD.replace(replace, with));
    json(&text)
}

#[test]
fn good_small_program_binds() {
    let (b, _) = ok(&small(), &[small_with("", "")]);
    assert_eq!(b.dim_sizes, vec![2]);
}

#[test]
fn missing_variable() {
    let e = one_error(
        &small(),
        &[small_with(
            r#", "x": [0.1, 0.2]"#,
            r#", "dims": {"grade": 2}"#,
        )],
        "E4010",
    );
    has(&e, &["`x`", "vector[grade]", "missing", "data.json"]);
    assert_eq!(e.labels[0].message, "declared here as `vector[grade]`");
}

#[test]
fn extra_variables_are_a_warning_naming_them_and_what_is_declared() {
    let (b, d) = ok(
        &small(),
        &[small_with(r#""N": 3"#, r#""N": 3, "mu": 1, "foo": 2"#)],
    );
    assert_eq!(d.len(), 1, "{d:#?}");
    let e = &d[0];
    assert_eq!((e.code, e.severity), ("E4011", Severity::Warning));
    has(e, &["data.json", "`foo`", "`mu`", "ignored"]);
    assert!(
        e.help[0].contains("`N`, `K`, `s`, `k`, `g`, `x`"),
        "{:?}",
        e.help
    );
    assert!(
        e.notes
            .iter()
            .any(|n| n.contains("`mu` is declared in `parameters`")),
        "{:?}",
        e.notes
    );
    // The declared variables are bound as if the extra ones were absent.
    let (plain, _) = ok(&small(), &[small_with("", "")]);
    assert_eq!(b, plain);
}

#[test]
fn variable_in_two_sources_names_both() {
    let other = read_source("extra.json", r#"{"K": 2}"#).unwrap();
    let e = one_error(&small(), &[small_with("", ""), other], "E4003");
    has(&e, &["`K`", "data.json", "extra.json"]);
}

#[test]
fn wrong_shapes() {
    let e = one_error(&small(), &[small_with("[0, 1, 2]", "[0, 1]")], "E4020");
    has(
        &e,
        &[
            "`s` in data.json has 2 elements",
            "`vector<lower=0>[N]` has 3 elements",
        ],
    );
    let e = one_error(&small(), &[small_with("[0, 1, 2]", "4")], "E4020");
    has(&e, &["a single value", "1 axis"]);
    let e = one_error(&small(), &[small_with(r#""N": 3"#, r#""N": [3]"#)], "E4020");
    has(&e, &["`N` in data.json is a list"]);
    let p = B::default()
        .data(
            "m",
            vec![],
            El::Matrix(size_of(lit(2)), size_of(lit(2))),
            NONE,
        )
        .build();
    let e = one_error(&p, &[json(r#"{"m": [[1, 2], [3]]}"#)], "E4020");
    has(&e, &["ragged", "`m[2]` has 1 elements but `m[1]` has 2"]);
}

#[test]
fn wrong_types() {
    let e = one_error(&small(), &[small_with("[1, 2, 2]", "[1, 2.5, 2]")], "E4021");
    has(
        &e,
        &["`k[2]` in data.json is 2.5, a real number", "integers"],
    );
    let e = one_error(
        &small(),
        &[small_with("[0, 1, 2]", r#"[0, "1", true]"#)],
        "E4021",
    );
    has(&e, &["`s[2]`", "the string \"1\"", "real numbers"]);
    assert!(e.notes[0].contains("s[3]"));
    let e = one_error(
        &small(),
        &[small_with("[0, 1, 2]", r#"[0, 1, false]"#)],
        "E4021",
    );
    has(&e, &["`s[3]`", "JSON boolean"]);
}

#[test]
fn bounds_are_checked_with_data_expressions() {
    let e = one_error(&small(), &[small_with("[0, 1, 2]", "[0, -1, 2]")], "E4030");
    has(&e, &["`s[2]` in data.json is -1, below its lower bound 0"]);
    assert_eq!(e.labels[0].message, "declared here as `vector<lower=0>[N]`");
    let e = one_error(&small(), &[small_with("[1, 2, 2]", "[1, 3, 0]")], "E4030");
    has(&e, &["`k[2]` in data.json is 3, above its upper bound 2"]);
    assert!(e.notes[0].contains("k[3]"), "{:?}", e.notes);
    // Upper bound K evaluated, and the first failing element is named.
    assert!(
        e.labels[0].message.contains("int<lower=1, upper=K>"),
        "{:?}",
        e.labels
    );
}

#[test]
fn index_out_of_range() {
    let e = one_error(&small(), &[small_with("[1, 2, 1]", "[1, 3, 0]")], "E4031");
    has(
        &e,
        &["`g[2]` in data.json is 3, outside dim `grade` (1..=2)"],
    );
    assert!(e.notes[0].contains("g[3]"));
}

#[test]
fn constrained_types_are_checked() {
    let p = B::default()
        .data(
            "theta",
            vec![],
            El::Vector(size_of(lit(3))),
            Constraint::Simplex,
        )
        .data(
            "c",
            vec![],
            El::Vector(size_of(lit(3))),
            Constraint::Ordered,
        )
        .data(
            "S",
            vec![size_of(lit(2))],
            El::Matrix(size_of(lit(2)), size_of(lit(2))),
            Constraint::CovMatrix,
        )
        .data(
            "L",
            vec![],
            El::Matrix(size_of(lit(2)), size_of(lit(2))),
            Constraint::CholeskyFactorCorr,
        )
        .data(
            "R",
            vec![],
            El::Matrix(size_of(lit(2)), size_of(lit(2))),
            Constraint::CorrMatrix,
        )
        .build();
    let good = r#"{"theta": [0.2, 0.3, 0.5], "c": [-1, 0, 2], "S": [[[2, 0.5], [0.5, 1]], [[1, 0], [0, 1]]],
                   "L": [[1, 0], [0.6, 0.8]], "R": [[1, 0.3], [0.3, 1]]}"#;
    ok(&p, &[json(good)]);
    let bad = r#"{"theta": [0.2, 0.3, 0.4], "c": [-1, 0, 0], "S": [[[2, 0.5], [0.5, 1]], [[1, 2], [2, 1]]],
                  "L": [[1, 0.1], [0.6, 0.8]], "R": [[1, 0.3], [0.2, 1]]}"#;
    let e = errors(&p, &[json(bad)]);
    assert!(e.iter().all(|d| d.code == "E4032"), "{e:#?}");
    assert_eq!(e.len(), 5, "{e:#?}");
    has(
        &e[0],
        &["`theta` in data.json is not a valid simplex", "sum to 0.9"],
    );
    has(&e[1], &["`c`", "ordered", "element 3"]);
    has(&e[2], &["`S[2]`", "cov_matrix", "not positive definite"]);
    has(&e[3], &["`L`", "above the diagonal"]);
    has(&e[4], &["`R`", "not symmetric"]);
}

#[test]
fn matrix_types_in_data_are_validated_by_row_and_column() {
    use crate::syntax::ast::MatrixType;
    let m = |kind| (El::Matrix(size_of(lit(2)), size_of(lit(3))), Constraint::Matrix(kind));
    let (e1, c1) = m(MatrixType::SumToZero);
    let (e2, c2) = m(MatrixType::ColumnStochastic);
    let (e3, c3) = m(MatrixType::RowStochastic);
    let p = B::default().data("Z", vec![], e1, c1).data("C", vec![], e2, c2).data("R", vec![], e3, c3).build();
    // Row-major JSON: Z's rows and columns sum to 0, C's columns and R's rows to 1.
    let good = r#"{"Z": [[1, -2, 1], [-1, 2, -1]], "C": [[0.5, 1, 0.25], [0.5, 0, 0.75]],
                   "R": [[0.2, 0.3, 0.5], [1, 0, 0]]}"#;
    ok(&p, &[json(good)]);
    let bad = r#"{"Z": [[1, -2, 1], [-1, 2, -0.5]], "C": [[0.5, 1, 0.25], [0.5, 0.1, 0.75]],
                  "R": [[0.2, 0.3, 0.5], [1, -0.5, 0.5]]}"#;
    let e = errors(&p, &[json(bad)]);
    assert!(e.iter().all(|d| d.code == "E4032"), "{e:#?}");
    assert_eq!(e.len(), 3, "{e:#?}");
    has(&e[0], &["`Z`", "sum_to_zero_matrix", "column 3: its elements sum to 0.5, not 0"]);
    has(&e[1], &["`C`", "column_stochastic_matrix", "column 2: its elements sum to 1.1, not 1"]);
    has(&e[2], &["`R`", "row_stochastic_matrix", "row 2: element 2 is -0.5, below 0"]);
}

#[test]
fn conflicting_dim_sizes_name_both_sources() {
    let p = electric(Some(&["1", "2", "3", "4"]));
    let dims = read_source(
        "dims.json",
        r#"{"dims": {"grade": ["1", "2", "3", "4", "5"]}}"#,
    )
    .unwrap();
    let e = one_error(&p, &[csv(ELECTRIC), dims], "E4040");
    has(&e, &["dim `grade` has 4 labels in the model but 5 labels in the \"dims\" object of dims.json"]);

    let p = B::default()
        .dim("obs", None)
        .data("post_test", vec![], El::Vector(Size::Dim(0)), NONE)
        .data("pre_test", vec![], El::Vector(Size::Dim(0)), NONE)
        .build();
    let a = read_source("a.json", r#"{"post_test": [1, 2, 3]}"#).unwrap();
    let b = read_source("b.json", r#"{"pre_test": [1, 2]}"#).unwrap();
    let e = one_error(&p, &[a, b], "E4040");
    has(
        &e,
        &["dim `obs` has size 3 from `post_test` in a.json but size 2 from `pre_test` in b.json"],
    );
    assert_eq!(e.labels.len(), 2);
}

#[test]
fn dim_without_size_says_how_to_give_one() {
    let p = B::default().dim("pair", None).build();
    let e = one_error(&p, &[json("{}")], "E4041");
    has(&e, &["dim `pair` has no size"]);
    assert!(
        e.help[0].contains(r#""dims": {"pair": 96}"#),
        "{:?}",
        e.help
    );
    assert_eq!(e.primary_span(), Some(Span::new(1000, 1005)));
}

#[test]
fn malformed_dims_object() {
    let p = B::default().dim("pair", None).build();
    let e = errors(&p, &[json(r#"{"dims": {"pair": 3, "pairs": 4}}"#)]);
    assert_eq!(e.len(), 1);
    has(&e[0], &["`pairs`", "does not declare"]);
    let e = errors(&p, &[json(r#"{"dims": {"pair": ["a", "a"]}}"#)]);
    assert_eq!(e[0].code, "E4042");
    has(&e[0], &["\"a\" twice"]);
}

#[test]
fn size_expressions_negative_or_unsupported() {
    let neg = ex(TypedExprKind::Binary {
        op: BinOp::Sub,
        lhs: Box::new(var(0)),
        rhs: Box::new(lit(5)),
    });
    let p = B::default()
        .data("N", vec![], El::Int, NONE)
        .data("y", vec![], El::Vector(size_of(neg)), NONE)
        .build();
    let e = one_error(&p, &[json(r#"{"N": 2, "y": []}"#)], "E4051");
    has(&e, &["size of `y` is -3"]);
    assert_eq!(e.primary_span(), Some(Span::new(500, 505)));
    assert_eq!(e.labels[1].message, "declared here as `vector[N - 5]`");

    let call = ex(TypedExprKind::Call {
        func: "foo".into(),
        args: vec![var(0)],
    });
    let p = B::default()
        .data("N", vec![], El::Int, NONE)
        .data("y", vec![], El::Vector(size_of(call)), NONE)
        .build();
    let e = one_error(&p, &[json(r#"{"N": 2, "y": []}"#)], "E4050");
    has(&e, &["`y`", "foo(...)"]);
    assert_eq!(e.primary_span(), Some(Span::new(500, 505)));

    let div = ex(TypedExprKind::Binary {
        op: BinOp::Div,
        lhs: Box::new(lit(1)),
        rhs: Box::new(var(0)),
    });
    let p = B::default()
        .data("N", vec![], El::Int, NONE)
        .data("y", vec![], El::Vector(size_of(div)), NONE)
        .build();
    let e = one_error(&p, &[json(r#"{"N": 0, "y": []}"#)], "E4050");
    has(&e, &["division by zero"]);
}

#[test]
fn size_functions_evaluate() {
    // vector[size(k) + num_elements(M) - rows(M) * cols(M) + max(N, 1)] y
    let sz = |f: &str, v: usize| {
        ex(TypedExprKind::Call {
            func: f.into(),
            args: vec![var(v)],
        })
    };
    let bin = |op, l, r| {
        ex(TypedExprKind::Binary {
            op,
            lhs: Box::new(l),
            rhs: Box::new(r),
        })
    };
    let mut m = var(2);
    m.ty = Type::matrix(Axis::Anon, Axis::Anon);
    let rows = ex(TypedExprKind::Call {
        func: "rows".into(),
        args: vec![m.clone()],
    });
    let cols = ex(TypedExprKind::Call {
        func: "cols".into(),
        args: vec![m],
    });
    let max = ex(TypedExprKind::Call {
        func: "max".into(),
        args: vec![var(0), lit(1)],
    });
    let e = bin(
        BinOp::Add,
        bin(
            BinOp::Sub,
            bin(BinOp::Add, sz("size", 1), sz("num_elements", 2)),
            bin(BinOp::Mul, rows, cols),
        ),
        max,
    );
    let p = B::default()
        .data("N", vec![], El::Int, NONE)
        .data("k", vec![size_of(lit(4))], El::Int, NONE)
        .data(
            "M",
            vec![],
            El::Matrix(size_of(lit(2)), size_of(lit(3))),
            NONE,
        )
        .data("y", vec![], El::Vector(size_of(e)), NONE)
        .build();
    let (b, _) = ok(
        &p,
        &[json(
            r#"{"N": 5, "k": [1,2,3,4], "M": [[1,2,3],[4,5,6]], "y": [1,2,3,4,5,6,7,8,9]}"#,
        )],
    );
    assert_eq!(b.value(3).unwrap().len(), 9);
    let decl = p.decls(BlockKind::Data).nth(3).unwrap();
    assert_eq!(decl_shape(&p, &b, decl), Ok(vec![9]));
}

#[test]
fn json_syntax_errors_have_line_and_column() {
    let d = read_source("data.json", "{\n  \"N\": 3,\n  \"y\": [1, 2,]\n}").unwrap_err();
    assert_eq!(d[0].code, "E4001");
    has(&d[0], &["data.json", "line 3"]);
    let d = read_source("data.json", "[1]").unwrap_err();
    assert_eq!(d[0].code, "E4002");
}

#[test]
fn json_member_given_twice_is_an_error_naming_it() {
    let d = read_source("data.json", "{\"N\": 3, \"y\": [1, 2, 3], \"N\": 4}").unwrap_err();
    assert_eq!(d[0].code, "E4004");
    has(&d[0], &["data.json", "\"N\"", "more than once", "top level"]);
    // The general reader (bare non-finite tokens) checks the same.
    let d = read_source("data.json", "{\"y\": [1, NaN], \"y\": [2, 3]}").unwrap_err();
    assert_eq!(d[0].code, "E4004");
    let d = read_source("data.json", "{\"dims\": {\"g\": 2, \"g\": 3}}").unwrap_err();
    assert_eq!(d[0].code, "E4004");
    has(&d[0], &["\"g\"", "dims"]);
    // The same name in different objects is fine.
    assert!(read_source("data.json", "{\"g\": 1, \"dims\": {\"g\": 2}}").is_ok());
}

#[test]
fn format_is_sniffed_without_extension() {
    assert_eq!(
        read_source("stdin", " {\"a\": 1}").unwrap().format(),
        DataFormat::Json
    );
    assert_eq!(
        read_source("stdin", "a,b\n1,2\n").unwrap().format(),
        DataFormat::Csv
    );
    assert_eq!(
        read_source("D.JSON", "{}").unwrap().format(),
        DataFormat::Json
    );
}

#[test]
fn all_errors_of_one_file_are_reported() {
    let text = r#"{"N": 3, "K": 2, "s": [0, -1, "x"], "k": [1, 2.5, 9], "g": [1, 7, 1], "x": [0.1, null], "extra": 1}"#;
    let e = errors(&small(), &[json(text)]);
    let codes: Vec<&str> = e.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        vec!["E4021", "E4021", "E4031", "E4022"],
        "{e:#?}"
    );
    // `s[2] = -1` is not reported as a bound violation while `s` has a type
    // error: its value is not formed, so bounds are checked only once it is.
    let text =
        r#"{"N": 3, "K": 2, "s": [0, -1, 2], "k": [1, 3, 9], "g": [1, 2, 1], "x": [0.1, 0.2]}"#;
    let e = errors(&small(), &[json(text)]);
    let codes: Vec<&str> = e.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec!["E4030", "E4030"], "{e:#?}");
}

// ---------------------------------------------------------------- robustness

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    const PIECES: [&str; 16] = [
        "[",
        "]",
        "{",
        "}",
        ",",
        "\"",
        "-1",
        "1e308",
        "NaN",
        "-Infinity",
        "\n",
        "\"\"",
        "99999999999999999999",
        "{\"shape\":[3,2],\"values\":[]}",
        "\"dims\":{\"obs\":-1},",
        "0.5",
    ];
    for _ in 0..1 + rng.below(4) {
        if bytes.is_empty() {
            break;
        }
        let i = rng.below(bytes.len());
        match rng.below(5) {
            0 => bytes.truncate(i),
            1 => {
                let j = rng.below(bytes.len());
                bytes.swap(i, j);
            }
            2 => {
                bytes.remove(i);
            }
            3 => {
                let piece = PIECES[rng.below(PIECES.len())].as_bytes();
                bytes.splice(i..i, piece.iter().copied());
            }
            _ => bytes[i] = (rng.next() & 0xff) as u8,
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A random JSON value: scalars of every kind, nested lists, the
/// explicit-shape form.
fn random_json(rng: &mut Rng, depth: usize) -> String {
    const SCALARS: [&str; 14] = [
        "0",
        "1",
        "2",
        "-1",
        "3",
        "2.5",
        "-0.5",
        "1e300",
        "\"a\"",
        "\"inf\"",
        "NaN",
        "null",
        "true",
        "99999999999999999999",
    ];
    match rng.below(if depth > 3 { 2 } else { 4 }) {
        0 | 1 => SCALARS[rng.below(SCALARS.len())].to_string(),
        2 => {
            let n = rng.below(5);
            let items: Vec<String> = (0..n).map(|_| random_json(rng, depth + 1)).collect();
            format!("[{}]", items.join(", "))
        }
        _ => {
            let shape: Vec<String> = (0..rng.below(3))
                .map(|_| rng.below(3).to_string())
                .collect();
            let items: Vec<String> = (0..rng.below(5))
                .map(|_| random_json(rng, depth + 2))
                .collect();
            format!(
                "{{\"shape\": [{}], \"values\": [{}]}}",
                shape.join(", "),
                items.join(", ")
            )
        }
    }
}

#[test]
fn random_values_never_panic() {
    let mut rng = Rng(0x0123_4567_89AB_CDEF);
    let programs = [
        small(),
        electric(None),
        electric(Some(&["1", "2", "3", "4"])),
    ];
    let names = [
        "N",
        "K",
        "s",
        "k",
        "g",
        "x",
        "post_test",
        "pre_test",
        "grade",
        "treatment",
        "pair_id",
        "dims",
        "zz",
    ];
    for _ in 0..400 {
        // JSON with random members and random values.
        let members: Vec<String> = (0..rng.below(8))
            .map(|_| {
                let name = names[rng.below(names.len())];
                let value = if name == "dims" {
                    format!(
                        "{{\"grade\": {}, \"obs\": {}}}",
                        random_json(&mut rng, 2),
                        random_json(&mut rng, 3)
                    )
                } else {
                    random_json(&mut rng, 0)
                };
                format!("\"{name}\": {value}")
            })
            .collect();
        let text = format!("{{{}}}", members.join(", "));
        // CSV with random columns and fields.
        let cols: Vec<&str> = (0..1 + rng.below(5))
            .map(|_| names[rng.below(names.len())])
            .collect();
        let mut table = cols.join(",");
        for _ in 0..rng.below(6) {
            let row: Vec<String> = cols
                .iter()
                .map(|_| {
                    ["1", "2", "\"3\"", "4.5", "NA", "", "x", "-2", "1e9"][rng.below(9)].to_string()
                })
                .collect();
            table.push('\n');
            table.push_str(&row.join(","));
        }
        let mut sources = Vec::new();
        sources.extend(read_source("r.json", &text).ok());
        sources.extend(read_source("r.csv", &table).ok());
        let p = &programs[rng.below(programs.len())];
        let (b, d) = bind_data(p, &sources);
        assert_eq!(b.is_some(), !has_errors(&d));
    }
}

/// Byte-level mutations of good inputs: truncations, swaps, deletions,
/// insertions of JSON fragments, random bytes. Bounded and deterministic.
#[test]
fn mutated_inputs_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let good_json = format!("{{{GOOD}, \"dims\": {{\"grade\": [\"a\", \"b\"]}}}}");
    let programs = [
        small(),
        electric(None),
        electric(Some(&["1", "2", "3", "4"])),
    ];
    let texts = [
        ("data.json", good_json.as_str()),
        ("electric.csv", ELECTRIC),
    ];
    let mut bound = 0;
    for round in 0..1500 {
        let (name, text) = texts[round % 2];
        let mutated = mutate(&mut rng, text);
        if let Ok(src) = read_source(name, &mutated) {
            let p = &programs[rng.below(programs.len())];
            let (b, d) = bind_data(p, &[src]);
            assert_eq!(b.is_some(), !has_errors(&d));
            bound += b.is_some() as usize;
        }
    }
    assert!(bound > 0, "some mutations should still bind");
}

// ---------------------------------------------------------------- end to end

/// The real model and the whole real data file, through the parser and checker.
#[test]
fn electric_intercept_binds_the_real_data() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let (Ok(model), Ok(data)) = (
        std::fs::read_to_string(format!("{root}/tests/good/electric_intercept.hbm")),
        std::fs::read_to_string(format!("{root}/examples/data/electric.csv")),
    ) else {
        panic!("the example model and data are part of the repository");
    };
    let fe = crate::front_end(&model);
    let program = fe.typed.unwrap_or_else(|| panic!("{:#?}", fe.diagnostics));
    let (b, d) = ok(&program, &[csv_named("electric.csv", &data)]);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].code, "E4012");
    let dim = |n: &str| program.dims.lookup(n).unwrap();
    assert_eq!(b.dim_size(dim("obs")), Some(192));
    assert_eq!(b.dim_labels(dim("grade")).unwrap(), &["1", "2", "3", "4"]);
    assert_eq!(b.dim_size(dim("pair")), Some(96));
    let var = |n: &str| program.vars.iter().position(|v| v.name == n).unwrap();
    assert_eq!(
        b.value(var("post_test")).unwrap().get_real(&[0]),
        Some(48.9)
    );
    assert_eq!(b.value(var("grade")).unwrap().len(), 192);

    // A broken copy: one pre_test missing, one treatment out of bounds. (A
    // new grade value would just be a fifth label: `grade` has no labels
    // in the model.)
    let broken = data.replacen("\"3\",89.7,18.5,1,1,", "\"3\",89.7,NA,1,2,", 1);
    let e = errors(&program, &[csv_named("electric.csv", &broken)]);
    let codes: Vec<&str> = e.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec!["E4030", "E4022"], "{e:#?}");
    has(
        &e[0],
        &["`treatment[3]` in electric.csv (row 3, line 4) is 2, above its upper bound 1"],
    );
    has(
        &e[1],
        &["`pre_test[3]` in electric.csv (row 3, line 4) is missing"],
    );
}

fn csv_named(name: &str, text: &str) -> DataSource {
    read_source(name, text).unwrap_or_else(|d| panic!("{d:?}"))
}

#[test]
fn removed_variables_are_gone_from_json_and_csv() {
    let mut json = read_source("d.json", r#"{"g": [1, 2], "y": [0.5, 1.5], "dims": {"group": 2}}"#).unwrap();
    assert_eq!(json.remove_variables(&["y", "absent"]), vec!["y".to_string()]);
    assert_eq!(json.variable_names(), vec!["g"]);
    let mut csv = read_source("d.csv", "y,g,x\n0.5,a,1\n1.5,b,2\n").unwrap();
    assert_eq!(csv.remove_variables(&["y"]), vec!["y".to_string()]);
    assert_eq!(csv.variable_names(), vec!["g", "x"]);
    // The rows lose the same column: `x` still binds to its own values.
    let fe = crate::front_end("dims { obs; group; } data { array[obs] group g; vector[obs] x; }");
    let p = fe.typed.unwrap_or_else(|| panic!("{:#?}", fe.diagnostics));
    let (b, d) = ok(&p, &[csv]);
    assert!(d.is_empty(), "no column is left over: {d:#?}");
    let x = p.decls(BlockKind::Data).nth(1).expect("x").var;
    assert_eq!(b.value(x).and_then(|v| v.get_real(&[1])), Some(2.0));
}

#[test]
fn any_empty_nesting_stands_for_a_container_with_a_zero_axis() {
    // `matrix[N, K] X` with K = 0: writers give `[[], [], []]`, `[]` or
    // `[[]]`; CmdStan reads all three.
    let p = B::default()
        .data("N", vec![], El::Int, NONE)
        .data("K", vec![], El::Int, NONE)
        .data("X", vec![], El::Matrix(size_of(var(0)), size_of(var(1))), NONE)
        .data("v", vec![size_of(var(1))], El::Vector(size_of(lit(2))), NONE)
        .build();
    for (x, v) in [("[[], [], []]", "[]"), ("[]", "[[]]"), ("[[]]", "[[], []]")] {
        let text = format!(r#"{{"N": 3, "K": 0, "X": {x}, "v": {v}}}"#);
        let (b, _) = ok(&p, &[json(&text)]);
        assert_eq!(b.value(2).unwrap().shape, vec![3, 0], "X = {x}");
        assert_eq!(b.value(3).unwrap().shape, vec![0, 2], "v = {v}");
        assert_eq!(b.value(2).unwrap().len(), 0);
    }
    // An empty list is still wrong where the declared shape has elements.
    let e = one_error(&p, &[json(r#"{"N": 3, "K": 1, "X": [], "v": [[1, 2]]}"#)], "E4020");
    has(&e, &["`X`", "3 × 1"]);
    let e = one_error(&p, &[json(r#"{"N": 3, "K": 1, "X": [[1], [2], [3]], "v": [[]]}"#)], "E4020");
    has(&e, &["`v`"]);
}

#[test]
fn a_missing_variable_with_a_zero_axis_is_empty() {
    let p = B::default()
        .data("N", vec![], El::Int, NONE)
        .data("K", vec![], El::Int, NONE)
        .data("X", vec![], El::Matrix(size_of(var(0)), size_of(var(1))), NONE)
        .data("y", vec![size_of(var(1))], El::Int, NONE)
        .build();
    let (b, d) = ok(&p, &[json(r#"{"N": 3, "K": 0}"#)]);
    assert!(d.is_empty(), "{d:#?}");
    assert_eq!(b.value(2).unwrap().shape, vec![3, 0]);
    assert_eq!(b.value(3).unwrap().shape, vec![0]);
    // With elements to give, a missing variable is still an error.
    let e = one_error(&p, &[json(r#"{"N": 3, "K": 2, "y": [1, 2]}"#)], "E4010");
    has(&e, &["`X`", "missing"]);
}
