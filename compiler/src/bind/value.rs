//! The bound data: every dim's size and labels, and every data variable's
//! value, validated, in the layout later stages read.
//!
//! # Storage order
//! A [`DataValue`] stores its elements flat, in **Stan's memory layout**:
//! array axes row-major (the last array index varies fastest, and each
//! element of an array is one contiguous block), and inside each element a
//! vector or row vector in order and a matrix **column-major** (Eigen's
//! layout: the row index varies fastest). So `array[2] matrix[3, 4] a` stores
//! `a[1]` (its 12 entries column by column) then `a[2]`; `matrix[pair, grade]
//! alpha` stores `alpha[p, g]` at `(p - 1) + (g - 1) * size(pair)`.
//! [`DataValue::offset`] does this arithmetic for any index.
//!
//! Members of a dim (`array[obs] grade g`) are stored as 1-based `int`s even
//! when the data gave them as labels.

use crate::check::typed::VarId;
use crate::check::types::DimId;

/// The elements of one data variable: integers for `int` types (and dim
/// members), reals for everything else.
#[derive(Clone, Debug, PartialEq)]
pub enum DataStorage {
    Ints(Vec<i64>),
    Reals(Vec<f64>),
}

impl DataStorage {
    /// The number of elements.
    pub fn len(&self) -> usize {
        match self {
            DataStorage::Ints(v) => v.len(),
            DataStorage::Reals(v) => v.len(),
        }
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Element `i` as a real (ints converted).
    pub fn real(&self, i: usize) -> Option<f64> {
        match self {
            DataStorage::Ints(v) => v.get(i).map(|&x| x as f64),
            DataStorage::Reals(v) => v.get(i).copied(),
        }
    }
}

/// One data variable's validated value.
#[derive(Clone, Debug, PartialEq)]
pub struct DataValue {
    /// The size of every axis in Stan's indexing order: array axes first,
    /// then the element's (size of a vector; rows, cols of a matrix). Empty
    /// for a scalar.
    pub shape: Vec<usize>,
    /// How many leading axes of `shape` are array axes.
    pub array_rank: usize,
    /// The elements, in the order described in the module docs.
    pub storage: DataStorage,
}

impl DataValue {
    /// A scalar int.
    pub fn int(x: i64) -> DataValue {
        DataValue {
            shape: Vec::new(),
            array_rank: 0,
            storage: DataStorage::Ints(vec![x]),
        }
    }

    /// A scalar real.
    pub fn real(x: f64) -> DataValue {
        DataValue {
            shape: Vec::new(),
            array_rank: 0,
            storage: DataStorage::Reals(vec![x]),
        }
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.storage.len()
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.storage.is_empty()
    }

    /// The flat position of a 0-based multi-index over all axes (Stan's
    /// indexing order), or `None` if it has the wrong length or is out of range.
    pub fn offset(&self, index: &[usize]) -> Option<usize> {
        storage_offset(&self.shape, self.array_rank, index)
    }

    /// The element at a 0-based multi-index, as a real (ints converted).
    pub fn get_real(&self, index: &[usize]) -> Option<f64> {
        self.storage.real(self.offset(index)?)
    }

    /// The element at a 0-based multi-index of an int value.
    pub fn get_int(&self, index: &[usize]) -> Option<i64> {
        match &self.storage {
            DataStorage::Ints(v) => v.get(self.offset(index)?).copied(),
            DataStorage::Reals(_) => None,
        }
    }

    /// The value of a scalar int.
    pub fn as_int(&self) -> Option<i64> {
        match &self.storage {
            DataStorage::Ints(v) if self.shape.is_empty() => v.first().copied(),
            _ => None,
        }
    }

    /// The value of a scalar (int or real) as a real.
    pub fn as_real(&self) -> Option<f64> {
        if self.shape.is_empty() {
            self.storage.real(0)
        } else {
            None
        }
    }

    /// The elements of an int value, in storage order.
    pub fn ints(&self) -> Option<&[i64]> {
        match &self.storage {
            DataStorage::Ints(v) => Some(v),
            DataStorage::Reals(_) => None,
        }
    }

    /// The elements of a real value, in storage order.
    pub fn reals(&self) -> Option<&[f64]> {
        match &self.storage {
            DataStorage::Reals(v) => Some(v),
            DataStorage::Ints(_) => None,
        }
    }
}

/// The flat storage position of a 0-based multi-index (see the module docs).
pub(crate) fn storage_offset(shape: &[usize], array_rank: usize, index: &[usize]) -> Option<usize> {
    if index.len() != shape.len() || index.iter().zip(shape).any(|(i, n)| i >= n) {
        return None;
    }
    let split = array_rank.min(shape.len());
    let (arr_shape, elem_shape) = shape.split_at(split);
    let (arr_idx, elem_idx) = index.split_at(split);
    // Array axes row-major: the last varies fastest.
    let mut outer = 0usize;
    for (i, n) in arr_idx.iter().zip(arr_shape) {
        outer = outer.checked_mul(*n)?.checked_add(*i)?;
    }
    // Element axes column-major: the first (row) varies fastest.
    let mut inner = 0usize;
    for (i, n) in elem_idx.iter().zip(elem_shape).rev() {
        inner = inner.checked_mul(*n)?.checked_add(*i)?;
    }
    let elem_len = elem_shape
        .iter()
        .try_fold(1usize, |a, n| a.checked_mul(*n))?;
    outer.checked_mul(elem_len)?.checked_add(inner)
}

/// The 0-based multi-index of the `k`-th element in row-major order (the
/// order of nested JSON lists), for messages and reordering.
pub(crate) fn row_major_index(shape: &[usize], mut k: usize) -> Vec<usize> {
    let mut index = vec![0; shape.len()];
    for (slot, n) in index.iter_mut().zip(shape).rev() {
        if *n > 0 {
            *slot = k % n;
            k /= n;
        }
    }
    index
}

/// The 0-based multi-index of the element at storage offset `k` (the
/// inverse of [`storage_offset`]).
pub(crate) fn storage_index(shape: &[usize], array_rank: usize, k: usize) -> Vec<usize> {
    let split = array_rank.min(shape.len());
    let (arr_shape, elem_shape) = shape.split_at(split);
    // Checked: an empty array may declare huge (never allocated) elements.
    let block = elem_shape
        .iter()
        .try_fold(1usize, |a, n| a.checked_mul(*n))
        .unwrap_or(0);
    let (outer, mut inner) = match (k.checked_div(block), k.checked_rem(block)) {
        (Some(o), Some(i)) => (o, i),
        _ => (0, 0),
    };
    let mut index = row_major_index(arr_shape, outer);
    for n in elem_shape {
        // Column-major: the first element axis varies fastest.
        if *n > 0 {
            index.push(inner % n);
            inner /= n;
        } else {
            index.push(0);
        }
    }
    index
}

/// Everything the data gave the program: dim sizes and labels, and the value
/// of every `data` block variable.
#[derive(Clone, Debug, PartialEq)]
pub struct BoundData {
    /// The size of every dim, indexed by [`DimId`].
    pub dim_sizes: Vec<usize>,
    /// The labels of every dim that has them (from the model, the data's
    /// `"dims"` object, or the values of a CSV index column), by [`DimId`].
    pub dim_labels: Vec<Option<Vec<String>>>,
    /// The value of every variable, indexed by [`VarId`]; `Some` exactly for
    /// the `data` block's variables.
    pub values: Vec<Option<DataValue>>,
    /// The names of the data sources, as given, in the order given.
    pub sources: Vec<String>,
}

impl BoundData {
    /// The size of a dim.
    pub fn dim_size(&self, dim: DimId) -> Option<usize> {
        self.dim_sizes.get(dim).copied()
    }

    /// The labels of a dim, if it has labels.
    pub fn dim_labels(&self, dim: DimId) -> Option<&[String]> {
        self.dim_labels.get(dim)?.as_deref()
    }

    /// The value of a data variable.
    pub fn value(&self, var: VarId) -> Option<&DataValue> {
        self.values.get(var)?.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_row_major_arrays_of_column_major_matrices() {
        // array[2] matrix[3, 4]
        let shape = [2, 3, 4];
        assert_eq!(storage_offset(&shape, 1, &[0, 0, 0]), Some(0));
        assert_eq!(storage_offset(&shape, 1, &[0, 1, 0]), Some(1));
        assert_eq!(storage_offset(&shape, 1, &[0, 0, 1]), Some(3));
        assert_eq!(storage_offset(&shape, 1, &[1, 0, 0]), Some(12));
        assert_eq!(storage_offset(&shape, 1, &[1, 2, 3]), Some(23));
        assert_eq!(storage_offset(&shape, 1, &[2, 0, 0]), None);
        // array[2, 3] int: plain row-major
        assert_eq!(storage_offset(&[2, 3], 2, &[1, 0]), Some(3));
        assert_eq!(storage_offset(&[], 0, &[]), Some(0));
        assert_eq!(row_major_index(&[2, 3, 4], 23), vec![1, 2, 3]);
        assert_eq!(row_major_index(&[2, 3], 4), vec![1, 1]);
        for k in 0..24 {
            let idx = storage_index(&shape, 1, k);
            assert_eq!(storage_offset(&shape, 1, &idx), Some(k));
        }
    }
}
