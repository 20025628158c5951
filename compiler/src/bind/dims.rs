//! Dim sizes and labels, from every source that can give them.
//!
//! The sources, first to last (LANGUAGE.md, "Dims"): labels written in the
//! model; each data file's `"dims"` object (labels or a size); the values of
//! index variables given as labels (a CSV index column, or JSON strings),
//! when nothing earlier gave the dim a size; and the length of every data
//! variable along each axis declared over the dim. The first source sets the
//! size, every later one must agree, and a disagreement is an error naming
//! both.
//!
//! Labels taken from values are the distinct values, sorted numerically when
//! every one reads as a finite number (so `"2"` comes before `"10"`), else
//! lexicographically by bytes.

use super::raw::{Flat, Raw};
use crate::check::typed::{Size, TypedDecl, TypedProgram, VarId};
use crate::check::types::{DimId, ElemType};
use crate::diagnostics::Diagnostic;
use crate::syntax::span::Span;
use std::collections::{BTreeSet, HashSet};

/// A data variable as given, with what the dim resolution needs of it.
pub(crate) struct Given<'a> {
    pub decl: &'a TypedDecl,
    /// The source's name, as given.
    pub source: &'a str,
    pub flat: Flat<'a>,
}

/// The `"dims"` object of one data file.
pub(crate) struct DimsObject<'a> {
    pub source: &'a str,
    pub members: &'a [(String, Raw)],
}

/// Every dim's size and labels, and which variables disagreed with them.
#[derive(Debug, Default)]
pub(crate) struct Resolution {
    /// By dim; `None` when no source gives a size (already reported).
    pub sizes: Vec<Option<usize>>,
    pub labels: Vec<Option<Vec<String>>>,
    /// By dim, where its labels come from, as messages say it ("3 labels
    /// in the \"dims\" object of fit_dims.json").
    pub label_origins: Vec<Option<String>>,
    /// Variables whose length along a dim disagrees with the dim's size;
    /// already reported, so their validation is skipped.
    pub conflicted: HashSet<VarId>,
}

/// One source's claim about a dim.
struct Claim {
    size: usize,
    labels: Option<Vec<String>>,
    /// How the claim reads in a message: "4 labels in the model".
    what: String,
    span: Option<(Span, String)>,
    var: Option<VarId>,
}

/// Resolves every dim of the program.
pub(crate) fn resolve(
    program: &TypedProgram,
    dims_objects: &[DimsObject],
    given: &[Given],
    diags: &mut Vec<Diagnostic>,
) -> Resolution {
    let n = program.dims.dims.len();
    let mut claims: Vec<Vec<Claim>> = (0..n).map(|_| Vec::new()).collect();

    for (d, info) in program.dims.dims.iter().enumerate() {
        if let Some(labels) = &info.labels {
            claims[d].push(Claim {
                size: labels.len(),
                labels: Some(labels.clone()),
                what: format!("{} labels in the model", labels.len()),
                span: Some((info.span, format!("dim `{}` declared here", info.name))),
                var: None,
            });
        }
    }
    for obj in dims_objects {
        dims_object_claims(program, obj, &mut claims, diags);
    }
    for (d, c) in claims.iter_mut().enumerate() {
        if c.is_empty() {
            c.extend(labels_from_values(program, d, given));
        }
    }
    for g in given {
        length_claims(program, g, &mut claims);
    }

    let mut res = Resolution {
        sizes: vec![None; n],
        labels: vec![None; n],
        label_origins: vec![None; n],
        conflicted: HashSet::new(),
    };
    for (d, claims) in claims.into_iter().enumerate() {
        let info = program.dims.get(d);
        let mut iter = claims.into_iter();
        let Some(first) = iter.next() else {
            diags.push(
                Diagnostic::error("E4041", format!("dim `{}` has no size: no data source gives it", info.name))
                    .with_label(info.span, "declared here without labels")
                    .with_help(format!(
                        "give it in a JSON data file as `\"dims\": {{\"{}\": 96}}` (a size) or `\"dims\": {{\"{}\": [\"a\", \"b\"]}}` (labels), or declare a data variable over it, e.g. `vector[{}] x;`",
                        info.name, info.name, info.name
                    )),
            );
            continue;
        };
        let mut labels = first.labels.clone();
        let mut origin = labels.is_some().then(|| first.what.clone());
        for other in iter {
            let labels_differ = matches!((&labels, &other.labels), (Some(a), Some(b)) if a != b);
            if other.size != first.size || labels_differ {
                let mut diag = Diagnostic::error(
                    "E4040",
                    format!("dim `{}` has {} but {}", info.name, first.what, other.what),
                );
                for (span, msg) in [&first.span, &other.span].into_iter().flatten() {
                    diag = diag.with_label(*span, msg.clone());
                }
                if labels_differ && other.size == first.size {
                    diag = diag.with_note(format!(
                        "the labels differ: {} vs {}",
                        preview(labels.as_deref().unwrap_or(&[])),
                        preview(other.labels.as_deref().unwrap_or(&[]))
                    ));
                }
                diags.push(diag.with_help(format!(
                    "make the sources agree on dim `{}`; the first source, {}, sets it",
                    info.name, first.what
                )));
                if let Some(v) = other.var {
                    res.conflicted.insert(v);
                }
            } else if labels.is_none() && other.labels.is_some() {
                labels = other.labels;
                origin = Some(other.what);
            }
        }
        res.sizes[d] = Some(first.size);
        res.labels[d] = labels;
        res.label_origins[d] = origin;
    }
    res
}

/// Up to five labels, quoted, for messages.
pub(crate) fn preview(labels: &[String]) -> String {
    let mut shown: Vec<String> = labels.iter().take(5).map(|l| format!("\"{l}\"")).collect();
    if labels.len() > 5 {
        shown.push(format!("... ({} in all)", labels.len()));
    }
    format!("[{}]", shown.join(", "))
}

/// The claims of one `"dims"` object; malformed members are reported (E4042).
fn dims_object_claims(
    program: &TypedProgram,
    obj: &DimsObject,
    claims: &mut [Vec<Claim>],
    diags: &mut Vec<Diagnostic>,
) {
    let mut unknown = Vec::new();
    for (name, raw) in obj.members {
        let Some(d) = program.dims.lookup(name) else {
            unknown.push(format!("`{name}`"));
            continue;
        };
        let bad = |why: &str| {
            Diagnostic::error(
                "E4042",
                format!("the \"dims\" object of {} gives dim `{name}` {why}", obj.source),
            )
            .with_label(program.dims.get(d).span, format!("dim `{name}` declared here"))
            .with_help(format!(
                "give a size (`\"{name}\": 96`) or a list of distinct string labels (`\"{name}\": [\"a\", \"b\"]`)"
            ))
        };
        let claim = match raw {
            Raw::Int(n) if *n >= 0 => Claim {
                size: usize::try_from(*n).unwrap_or(usize::MAX),
                labels: None,
                what: format!("size {n} from the \"dims\" object of {}", obj.source),
                span: None,
                var: None,
            },
            Raw::List(items) => {
                let mut labels = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Raw::Text(s) => labels.push(s.clone()),
                        Raw::Int(i) => labels.push(i.to_string()),
                        _ => {
                            labels.clear();
                            break;
                        }
                    }
                }
                if labels.len() != items.len() {
                    diags.push(bad("a list that is not all strings"));
                    continue;
                }
                let distinct: HashSet<&String> = labels.iter().collect();
                if distinct.len() != labels.len() {
                    let mut seen = HashSet::new();
                    let dup = labels
                        .iter()
                        .find(|l| !seen.insert(*l))
                        .cloned()
                        .unwrap_or_default();
                    diags.push(bad(&format!("the label \"{dup}\" twice")));
                    continue;
                }
                Claim {
                    size: labels.len(),
                    what: format!(
                        "{} labels in the \"dims\" object of {}",
                        labels.len(),
                        obj.source
                    ),
                    labels: Some(labels),
                    span: None,
                    var: None,
                }
            }
            Raw::Int(n) => {
                diags.push(bad(&format!("the negative size {n}")));
                continue;
            }
            _ => {
                diags.push(bad("a value that is neither a size nor a list of labels"));
                continue;
            }
        };
        claims[d].push(claim);
    }
    if !unknown.is_empty() {
        let declared: Vec<String> = program
            .dims
            .dims
            .iter()
            .map(|d| format!("`{}`", d.name))
            .collect();
        diags.push(
            Diagnostic::error(
                "E4042",
                format!(
                    "the \"dims\" object of {} names dims the model does not declare: {}",
                    obj.source,
                    unknown.join(", ")
                ),
            )
            .with_help(if declared.is_empty() {
                "the model declares no dims; remove the \"dims\" object".to_string()
            } else {
                format!("the model declares the dims {}", declared.join(", "))
            }),
        );
    }
}

/// Labels for dim `d` taken from the values of its index variables given as
/// labels (CSV fields, JSON strings), if there are any.
fn labels_from_values(program: &TypedProgram, d: DimId, given: &[Given]) -> Option<Claim> {
    let mut values: BTreeSet<&str> = BTreeSet::new();
    let mut from = Vec::new();
    for g in given {
        let ty = &program.var(g.decl.var).ty;
        if ty.elem != (ElemType::Int { index_of: Some(d) }) {
            continue;
        }
        let mut any = false;
        for v in &g.flat.values {
            if let Raw::Field(s) | Raw::Text(s) = v {
                values.insert(s.as_str());
                any = true;
            }
        }
        if any {
            from.push(format!(
                "`{}` in {}",
                program.var(g.decl.var).name,
                g.source
            ));
        }
    }
    if from.is_empty() {
        return None;
    }
    let labels = sort_labels(values.into_iter().map(str::to_string).collect());
    Some(Claim {
        size: labels.len(),
        what: format!(
            "{} labels from the distinct values of {}",
            labels.len(),
            from.join(" and ")
        ),
        labels: Some(labels),
        span: None,
        var: None,
    })
}

/// Sorts distinct labels numerically if all are finite numbers, else by bytes.
pub(crate) fn sort_labels(mut labels: Vec<String>) -> Vec<String> {
    let numbers: Option<Vec<f64>> = labels
        .iter()
        .map(|l| l.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect();
    match numbers {
        Some(nums) => {
            let mut pairs: Vec<(f64, String)> = nums.into_iter().zip(labels).collect();
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
            pairs.into_iter().map(|(_, l)| l).collect()
        }
        None => {
            labels.sort();
            labels
        }
    }
}

/// The lengths a given variable shows along its axes declared over dims.
fn length_claims(program: &TypedProgram, g: &Given, claims: &mut [Vec<Claim>]) {
    let rank = g.decl.sizes.len();
    let shape = &g.flat.shape;
    // A list of the wrong depth says nothing reliable about its axes (the
    // shape check reports it); an empty list may stop early.
    let stops_early = shape.len() < rank && shape.last() == Some(&0);
    if shape.len() != rank && !stops_early {
        return;
    }
    let name = &program.var(g.decl.var).name;
    for (axis, size) in g.decl.sizes.iter().enumerate() {
        if let (Size::Dim(d), Some(&n)) = (size, shape.get(axis)) {
            let along = if rank > 1 {
                format!(" along axis {}", axis + 1)
            } else {
                String::new()
            };
            if let Some(c) = claims.get_mut(*d) {
                c.push(Claim {
                    size: n,
                    labels: None,
                    what: format!("size {n} from `{name}` in {}{along}", g.source),
                    span: Some((
                        g.decl.span,
                        format!(
                            "`{name}` declared over `{}` here",
                            program.dims.get(*d).name
                        ),
                    )),
                    var: Some(g.decl.var),
                });
            }
        }
    }
}
