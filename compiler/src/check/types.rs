//! Types with shapes and named dims.
//!
//! A [`Type`] is Stan's unsized type (int, real, vector, row_vector, matrix,
//! arrays of those) plus, for every axis, whether it runs over a named dim
//! ([`Axis::Dim`]) or over a size known only once data are bound
//! ([`Axis::Anon`]). Named axes are what the checker aligns, broadcasts and
//! compares; anonymous ones follow Stan's rules (sizes checked at run time).

use std::fmt;

/// Index of a dim in the program's [`DimEnv`](super::env::DimEnv).
pub type DimId = usize;

/// The size of one axis of a container.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Axis {
    /// Runs over the members of a declared dim.
    Dim(DimId),
    /// A size given by an `int` expression, known at bind time.
    Anon,
}

impl Axis {
    /// The dim, if this axis is named.
    pub fn dim(self) -> Option<DimId> {
        match self {
            Axis::Dim(d) => Some(d),
            Axis::Anon => None,
        }
    }

    /// Whether two axes can stand for the same size: equal dims, or at least
    /// one anonymous (then a run-time check decides).
    pub fn compatible(self, other: Axis) -> bool {
        match (self, other) {
            (Axis::Dim(a), Axis::Dim(b)) => a == b,
            _ => true,
        }
    }

    /// The more informative of two compatible axes.
    pub fn meet(self, other: Axis) -> Axis {
        match self {
            Axis::Anon => other,
            named => named,
        }
    }
}

/// The non-array part of a type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ElemType {
    /// An integer; `index_of` is set when it holds a member of a dim
    /// (`grade g;`, or the loop variable of `for (g in grade)`).
    Int { index_of: Option<DimId> },
    Real,
    Vector(Axis),
    RowVector(Axis),
    Matrix(Axis, Axis),
    /// `complex`: a real and an imaginary part.
    Complex,
    /// `complex_vector[n]`.
    ComplexVector(Axis),
    /// `complex_row_vector[n]`.
    ComplexRowVector(Axis),
    /// `complex_matrix[m, n]`.
    ComplexMatrix(Axis, Axis),
}

impl ElemType {
    /// A plain integer.
    pub const INT: ElemType = ElemType::Int { index_of: None };

    /// The axes of the element itself (none for scalars).
    pub fn axes(self) -> Vec<Axis> {
        match self {
            ElemType::Int { .. } | ElemType::Real | ElemType::Complex => vec![],
            ElemType::Vector(a) | ElemType::RowVector(a) | ElemType::ComplexVector(a) | ElemType::ComplexRowVector(a) => vec![a],
            ElemType::Matrix(r, c) | ElemType::ComplexMatrix(r, c) => vec![r, c],
        }
    }

    /// Whether this is one of Stan's complex types.
    pub fn is_complex(self) -> bool {
        matches!(
            self,
            ElemType::Complex | ElemType::ComplexVector(_) | ElemType::ComplexRowVector(_) | ElemType::ComplexMatrix(..)
        )
    }

    /// The complex element of the same shape (`vector` -> `complex_vector`,
    /// `int`/`real` -> `complex`); a complex element is its own.
    pub fn to_complex(self) -> ElemType {
        match self {
            ElemType::Int { .. } | ElemType::Real | ElemType::Complex => ElemType::Complex,
            ElemType::Vector(a) | ElemType::ComplexVector(a) => ElemType::ComplexVector(a),
            ElemType::RowVector(a) | ElemType::ComplexRowVector(a) => ElemType::ComplexRowVector(a),
            ElemType::Matrix(r, c) | ElemType::ComplexMatrix(r, c) => ElemType::ComplexMatrix(r, c),
        }
    }

    /// The real element of the same shape (`complex_vector` -> `vector`,
    /// `complex` -> `real`); a real element is its own (int stays int).
    pub fn to_real(self) -> ElemType {
        match self {
            ElemType::Complex => ElemType::Real,
            ElemType::ComplexVector(a) => ElemType::Vector(a),
            ElemType::ComplexRowVector(a) => ElemType::RowVector(a),
            ElemType::ComplexMatrix(r, c) => ElemType::Matrix(r, c),
            real => real,
        }
    }

    /// Whether this is `int` or `real`.
    pub fn is_scalar(self) -> bool {
        matches!(self, ElemType::Int { .. } | ElemType::Real)
    }

    /// Whether this is an integer of any kind.
    pub fn is_int(self) -> bool {
        matches!(self, ElemType::Int { .. })
    }

    /// The same element with every axis anonymous and no index dims: the
    /// shape Stan alone would see.
    pub fn erase_dims(self) -> ElemType {
        match self {
            ElemType::Int { .. } => ElemType::INT,
            ElemType::Real => ElemType::Real,
            ElemType::Vector(_) => ElemType::Vector(Axis::Anon),
            ElemType::RowVector(_) => ElemType::RowVector(Axis::Anon),
            ElemType::Matrix(..) => ElemType::Matrix(Axis::Anon, Axis::Anon),
            ElemType::Complex => ElemType::Complex,
            ElemType::ComplexVector(_) => ElemType::ComplexVector(Axis::Anon),
            ElemType::ComplexRowVector(_) => ElemType::ComplexRowVector(Axis::Anon),
            ElemType::ComplexMatrix(..) => ElemType::ComplexMatrix(Axis::Anon, Axis::Anon),
        }
    }

    /// The kind's name as in Stan.
    pub fn kind_name(self) -> &'static str {
        match self {
            ElemType::Int { .. } => "int",
            ElemType::Real => "real",
            ElemType::Vector(_) => "vector",
            ElemType::RowVector(_) => "row_vector",
            ElemType::Matrix(..) => "matrix",
            ElemType::Complex => "complex",
            ElemType::ComplexVector(_) => "complex_vector",
            ElemType::ComplexRowVector(_) => "complex_row_vector",
            ElemType::ComplexMatrix(..) => "complex_matrix",
        }
    }
}

/// A value's type: zero or more array axes around an element type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Type {
    /// Array axes, outermost first; empty for a non-array.
    pub array: Vec<Axis>,
    pub elem: ElemType,
}

impl Type {
    /// A non-array type.
    pub fn scalar_or_elem(elem: ElemType) -> Type {
        Type { array: Vec::new(), elem }
    }

    /// `int`.
    pub fn int() -> Type {
        Type::scalar_or_elem(ElemType::INT)
    }

    /// `real`.
    pub fn real() -> Type {
        Type::scalar_or_elem(ElemType::Real)
    }

    /// `vector[axis]`.
    pub fn vector(axis: Axis) -> Type {
        Type::scalar_or_elem(ElemType::Vector(axis))
    }

    /// `row_vector[axis]`.
    pub fn row_vector(axis: Axis) -> Type {
        Type::scalar_or_elem(ElemType::RowVector(axis))
    }

    /// `matrix[rows, cols]`.
    pub fn matrix(rows: Axis, cols: Axis) -> Type {
        Type::scalar_or_elem(ElemType::Matrix(rows, cols))
    }

    /// `array[axes] elem`.
    pub fn array_of(array: Vec<Axis>, elem: ElemType) -> Type {
        Type { array, elem }
    }

    /// Whether this is `int` or `real` (not an array).
    pub fn is_scalar(&self) -> bool {
        self.array.is_empty() && self.elem.is_scalar()
    }

    /// Whether this is a single `int` (of any dim) .
    pub fn is_int_scalar(&self) -> bool {
        self.array.is_empty() && self.elem.is_int()
    }

    /// Whether this is a 1-D array of ints: the type of a multi-index.
    pub fn is_int_array_1d(&self) -> bool {
        self.array.len() == 1 && self.elem.is_int()
    }

    /// Whether values of this type are complex (scalar, container or array of them).
    pub fn is_complex_valued(&self) -> bool {
        self.elem.is_complex()
    }

    /// Whether values of this type are integers (scalar or array of int).
    pub fn is_int_valued(&self) -> bool {
        self.elem.is_int()
    }

    /// Every axis, array axes first then the element's, in Stan's indexing order.
    pub fn axes(&self) -> Vec<Axis> {
        let mut axes = self.array.clone();
        axes.extend(self.elem.axes());
        axes
    }

    /// The named dims this type runs over, in order.
    pub fn dims(&self) -> Vec<DimId> {
        self.axes().into_iter().filter_map(Axis::dim).collect()
    }

    /// Whether any axis is anonymous.
    pub fn has_anon_axis(&self) -> bool {
        self.axes().contains(&Axis::Anon)
    }

    /// The same type with real elements (int promoted to real).
    pub fn promoted(&self) -> Type {
        let elem = if self.elem.is_int() {
            ElemType::Real
        } else {
            self.elem
        };
        Type {
            array: self.array.clone(),
            elem,
        }
    }

    /// The same type with every dim forgotten: what Stan would see.
    pub fn erase_dims(&self) -> Type {
        Type {
            array: vec![Axis::Anon; self.array.len()],
            elem: self.elem.erase_dims(),
        }
    }

    /// Whether a value of type `from` may be assigned to (or passed as) this
    /// type: same kind and array depth, int promoting to real, every axis
    /// compatible, and an index of one dim never standing for another.
    pub fn accepts(&self, from: &Type) -> bool {
        if self.array.len() != from.array.len()
            || !self
                .array
                .iter()
                .zip(&from.array)
                .all(|(a, b)| a.compatible(*b))
        {
            return false;
        }
        match (self.elem, from.elem) {
            (ElemType::Int { index_of: want }, ElemType::Int { index_of: have }) => {
                match (want, have) {
                    (Some(w), Some(h)) => w == h,
                    // A plain int may stand for a member of a dim (range
                    // checked when it is used); an index may always be used
                    // as a plain int.
                    _ => true,
                }
            }
            (ElemType::Real, ElemType::Int { .. } | ElemType::Real) => true,
            (ElemType::Vector(a), ElemType::Vector(b))
            | (ElemType::RowVector(a), ElemType::RowVector(b)) => a.compatible(b),
            (ElemType::Matrix(r1, c1), ElemType::Matrix(r2, c2)) => {
                r1.compatible(r2) && c1.compatible(c2)
            }
            // A real value promotes to a complex one of the same shape
            // (imaginary part zero), as in Stan.
            (ElemType::Complex, ElemType::Int { .. } | ElemType::Real | ElemType::Complex) => true,
            (ElemType::ComplexVector(a), ElemType::ComplexVector(b) | ElemType::Vector(b))
            | (ElemType::ComplexRowVector(a), ElemType::ComplexRowVector(b) | ElemType::RowVector(b)) => a.compatible(b),
            (ElemType::ComplexMatrix(r1, c1), ElemType::ComplexMatrix(r2, c2) | ElemType::Matrix(r2, c2)) => {
                r1.compatible(r2) && c1.compatible(c2)
            }
            _ => false,
        }
    }

    /// Renders the type with dim names, e.g. `array[obs] vector[grade]`.
    pub fn display<'a>(&'a self, dims: &'a dyn DimNames) -> TypeDisplay<'a> {
        TypeDisplay { ty: self, dims }
    }
}

/// Anything that can name a dim: lets types print without owning the env.
pub trait DimNames {
    /// The name of dim `id`.
    fn dim_name(&self, id: DimId) -> &str;
}

/// A [`Type`] paired with dim names for printing.
pub struct TypeDisplay<'a> {
    ty: &'a Type,
    dims: &'a dyn DimNames,
}

impl TypeDisplay<'_> {
    fn axis(&self, axis: Axis) -> String {
        match axis {
            Axis::Dim(d) => self.dims.dim_name(d).to_string(),
            Axis::Anon => String::new(),
        }
    }

    fn axes(&self, axes: &[Axis]) -> String {
        if axes.iter().all(|a| *a == Axis::Anon) {
            // Stan's own notation for unsized types: `array[,] real`, `matrix`.
            return ",".repeat(axes.len().saturating_sub(1));
        }
        axes.iter()
            .map(|a| match a {
                Axis::Anon => "_".to_string(),
                named => self.axis(*named),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for TypeDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.ty.array.is_empty() {
            write!(f, "array[{}] ", self.axes(&self.ty.array))?;
        }
        let sized = |f: &mut fmt::Formatter<'_>, name: &str, axes: &[Axis]| {
            if axes.iter().all(|a| *a == Axis::Anon) {
                write!(f, "{name}")
            } else {
                write!(f, "{name}[{}]", self.axes(axes))
            }
        };
        match self.ty.elem {
            ElemType::Int { index_of: Some(d) } => write!(f, "{}", self.dims.dim_name(d)),
            ElemType::Int { index_of: None } => write!(f, "int"),
            ElemType::Real => write!(f, "real"),
            ElemType::Vector(a) => sized(f, "vector", &[a]),
            ElemType::RowVector(a) => sized(f, "row_vector", &[a]),
            ElemType::Matrix(r, c) => sized(f, "matrix", &[r, c]),
            ElemType::Complex => write!(f, "complex"),
            ElemType::ComplexVector(a) => sized(f, "complex_vector", &[a]),
            ElemType::ComplexRowVector(a) => sized(f, "complex_row_vector", &[a]),
            ElemType::ComplexMatrix(r, c) => sized(f, "complex_matrix", &[r, c]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Names;
    impl DimNames for Names {
        fn dim_name(&self, id: DimId) -> &str {
            ["obs", "grade", "pair"][id]
        }
    }

    #[test]
    fn display_uses_dim_names_and_stan_notation() {
        let t = Type::array_of(vec![Axis::Dim(0)], ElemType::Int { index_of: Some(1) });
        assert_eq!(t.display(&Names).to_string(), "array[obs] grade");
        let m = Type::matrix(Axis::Dim(2), Axis::Dim(1));
        assert_eq!(m.display(&Names).to_string(), "matrix[pair, grade]");
        let plain = Type::array_of(vec![Axis::Anon, Axis::Anon], ElemType::Real);
        assert_eq!(plain.display(&Names).to_string(), "array[,] real");
        assert_eq!(Type::vector(Axis::Anon).display(&Names).to_string(), "vector");
    }

    #[test]
    fn accepts_promotes_int_and_checks_dims() {
        let v_grade = Type::vector(Axis::Dim(1));
        assert!(v_grade.accepts(&Type::vector(Axis::Anon)));
        assert!(!v_grade.accepts(&Type::vector(Axis::Dim(2))));
        assert!(Type::real().accepts(&Type::int()));
        assert!(!Type::int().accepts(&Type::real()));
        let grade_idx = Type::scalar_or_elem(ElemType::Int { index_of: Some(1) });
        let pair_idx = Type::scalar_or_elem(ElemType::Int { index_of: Some(2) });
        assert!(!grade_idx.accepts(&pair_idx));
        assert!(grade_idx.accepts(&Type::int()));
        assert!(!Type::vector(Axis::Anon).accepts(&Type::row_vector(Axis::Anon)));
    }
}
