//! Data as read, before the model says what it should be: nested lists of
//! scalars, whichever format they came from, and their flattening into one
//! rectangular block (row-major, the order of nested JSON lists).

/// One value as a data file wrote it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Raw {
    /// A JSON integer.
    Int(i64),
    /// A JSON number with a fraction or exponent, or an integer too large for
    /// `i64`.
    Real(f64),
    /// A JSON string: a label, or one of CmdStan's non-finite spellings.
    Text(String),
    /// A CSV field (quotes removed, surrounding whitespace trimmed): parsed
    /// as a number or taken as a label once the declared type is known.
    Field(String),
    Bool(bool),
    Null,
    /// A JSON object that is not the explicit-shape form.
    Object,
    /// A JSON list.
    List(Vec<Raw>),
    /// The explicit-shape form `{"shape": [0, 0], "values": []}`, with the
    /// values (nested lists flattened) in row-major order.
    Shaped {
        shape: Vec<usize>,
        values: Vec<Raw>,
    },
}

impl Raw {
    /// Pushes every scalar of a nested list, depth first.
    fn push_leaves<'a>(&'a self, out: &mut Vec<&'a Raw>) {
        match self {
            Raw::List(items) => items.iter().for_each(|i| i.push_leaves(out)),
            Raw::Shaped { values, .. } => values.iter().for_each(|i| i.push_leaves(out)),
            scalar => out.push(scalar),
        }
    }
}

/// A value laid out as a rectangular block.
#[derive(Debug, PartialEq)]
pub(crate) struct Flat<'a> {
    /// The length of every axis, outermost first. It may stop early at a
    /// zero length (`[]` cannot show the axes inside it).
    pub shape: Vec<usize>,
    /// The scalars in row-major order.
    pub values: Vec<&'a Raw>,
}

/// Why a value is not a rectangular block.
#[derive(Debug, PartialEq)]
pub(crate) enum FlatError {
    /// The list at `at` (0-based path) has `found` items where its siblings
    /// have `expected`.
    Ragged {
        at: Vec<usize>,
        found: usize,
        expected: usize,
    },
    /// At `at` there is a scalar where a list is expected, or the reverse.
    Depth { at: Vec<usize>, scalar_found: bool },
    /// The explicit-shape form has `found` values where its shape needs `expected`.
    ShapedCount { found: usize, expected: usize },
}

/// Lays a value out as a rectangular block, or says where it is not one.
pub(crate) fn flatten(raw: &Raw) -> Result<Flat<'_>, FlatError> {
    if let Raw::Shaped { shape, .. } = raw {
        let mut leaves = Vec::new();
        raw.push_leaves(&mut leaves);
        let expected = shape.iter().try_fold(1usize, |a, n| a.checked_mul(*n));
        return match expected {
            Some(n) if n == leaves.len() => Ok(Flat {
                shape: shape.clone(),
                values: leaves,
            }),
            _ => Err(FlatError::ShapedCount {
                found: leaves.len(),
                expected: expected.unwrap_or(usize::MAX),
            }),
        };
    }
    // A list of scalars (most data) needs no walk with a path.
    if let Raw::List(items) = raw {
        if items.iter().all(|i| !matches!(i, Raw::List(_) | Raw::Shaped { .. })) {
            return Ok(Flat { shape: vec![items.len()], values: items.iter().collect() });
        }
    }
    // The shape is read along the first items; every other list must match.
    let mut shape = Vec::new();
    let mut node = raw;
    while let Raw::List(items) = node {
        shape.push(items.len());
        match items.first() {
            Some(first) => node = first,
            None => break,
        }
    }
    let mut values = Vec::new();
    let mut path = Vec::new();
    walk(raw, &shape, &mut path, &mut values)?;
    Ok(Flat { shape, values })
}

fn walk<'a>(
    raw: &'a Raw,
    shape: &[usize],
    path: &mut Vec<usize>,
    out: &mut Vec<&'a Raw>,
) -> Result<(), FlatError> {
    let depth = path.len();
    match raw {
        Raw::List(items) => {
            let Some(&expected) = shape.get(depth) else {
                return Err(FlatError::Depth {
                    at: path.clone(),
                    scalar_found: false,
                });
            };
            if items.len() != expected {
                return Err(FlatError::Ragged {
                    at: path.clone(),
                    found: items.len(),
                    expected,
                });
            }
            for (i, item) in items.iter().enumerate() {
                path.push(i);
                walk(item, shape, path, out)?;
                path.pop();
            }
            Ok(())
        }
        Raw::Shaped { .. } => Err(FlatError::Depth {
            at: path.clone(),
            scalar_found: false,
        }),
        scalar => {
            if depth != shape.len() {
                return Err(FlatError::Depth {
                    at: path.clone(),
                    scalar_found: true,
                });
            }
            out.push(scalar);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: Vec<Raw>) -> Raw {
        Raw::List(items)
    }

    #[test]
    fn flattens_rectangular_and_reports_ragged() {
        let m = list(vec![
            list(vec![Raw::Int(1), Raw::Int(2)]),
            list(vec![Raw::Int(3), Raw::Int(4)]),
        ]);
        let f = flatten(&m).unwrap();
        assert_eq!(f.shape, vec![2, 2]);
        assert_eq!(
            f.values,
            vec![&Raw::Int(1), &Raw::Int(2), &Raw::Int(3), &Raw::Int(4)]
        );

        let ragged = list(vec![
            list(vec![Raw::Int(1)]),
            list(vec![Raw::Int(3), Raw::Int(4)]),
        ]);
        assert_eq!(
            flatten(&ragged),
            Err(FlatError::Ragged {
                at: vec![1],
                found: 2,
                expected: 1
            })
        );
        let mixed = list(vec![list(vec![Raw::Int(1)]), Raw::Int(3)]);
        assert_eq!(
            flatten(&mixed),
            Err(FlatError::Depth {
                at: vec![1],
                scalar_found: true
            })
        );
        assert_eq!(flatten(&list(vec![])).unwrap().shape, vec![0]);
        let shaped = Raw::Shaped {
            shape: vec![0, 0],
            values: vec![],
        };
        assert_eq!(flatten(&shaped).unwrap().shape, vec![0, 0]);
    }
}
