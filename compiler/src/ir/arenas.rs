//! The memory a compiled function runs on: one vector per [`Arena`], owned
//! by the caller and shared by the reference interpreter and the JIT, so
//! that both execute a function on exactly the same inputs.

use super::{Arena, ArenaSizes};

/// One vector per arena. `grad` is as long as `params`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Arenas {
    /// The unconstrained parameter vector.
    pub params: Vec<f64>,
    /// The gradient with respect to `params`.
    pub grad: Vec<f64>,
    /// Real data and transformed data.
    pub data: Vec<f64>,
    /// Integer data and transformed data.
    pub int_data: Vec<i64>,
    /// Scratch space.
    pub work: Vec<f64>,
    /// Integer scratch space.
    pub int_work: Vec<i64>,
    /// The output draw.
    pub out: Vec<f64>,
    /// The growable AD tapes of gradients whose loops' trip counts are
    /// known only at run time (empty until such a gradient runs).
    pub tapes: super::tapes::Tapes,
}

/// An arena shorter than the module's layout requires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArenaTooSmall {
    /// Which arena.
    pub arena: Arena,
    /// Elements present.
    pub len: usize,
    /// Elements required.
    pub required: usize,
}

impl std::fmt::Display for ArenaTooSmall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the {} arena has {} elements but the module needs {}",
            arena_name(self.arena),
            self.len,
            self.required
        )
    }
}

impl std::error::Error for ArenaTooSmall {}

/// The lower-case name of an arena, as printed in IR text and errors.
pub fn arena_name(arena: Arena) -> &'static str {
    match arena {
        Arena::Params => "params",
        Arena::Grad => "grad",
        Arena::Data => "data",
        Arena::IntData => "int_data",
        Arena::Work => "work",
        Arena::IntWork => "int_work",
        Arena::Out => "out",
    }
}

/// Every arena, in the order of [`Arenas`]' fields.
pub const ALL_ARENAS: [Arena; 7] = [
    Arena::Params,
    Arena::Grad,
    Arena::Data,
    Arena::IntData,
    Arena::Work,
    Arena::IntWork,
    Arena::Out,
];

impl Arenas {
    /// Zero-filled arenas of exactly the sizes a module needs.
    pub fn new(sizes: &ArenaSizes) -> Arenas {
        Arenas {
            params: vec![0.0; sizes.params],
            grad: vec![0.0; sizes.params],
            data: vec![0.0; sizes.data],
            int_data: vec![0; sizes.int_data],
            work: vec![0.0; sizes.work],
            int_work: vec![0; sizes.int_work],
            out: vec![0.0; sizes.out],
            tapes: Default::default(),
        }
    }

    /// The number of elements of one arena.
    pub fn len(&self, arena: Arena) -> usize {
        match arena {
            Arena::Params => self.params.len(),
            Arena::Grad => self.grad.len(),
            Arena::Data => self.data.len(),
            Arena::IntData => self.int_data.len(),
            Arena::Work => self.work.len(),
            Arena::IntWork => self.int_work.len(),
            Arena::Out => self.out.len(),
        }
    }

    /// Checks that every arena is at least as long as the layout requires
    /// (longer is allowed, so callers may reuse larger buffers). Compiled
    /// code relies on this: it indexes without bounds checks.
    pub fn check(&self, sizes: &ArenaSizes) -> Result<(), ArenaTooSmall> {
        for arena in ALL_ARENAS {
            let (len, required) = (self.len(arena), sizes.of(arena));
            if len < required {
                return Err(ArenaTooSmall {
                    arena,
                    len,
                    required,
                });
            }
        }
        Ok(())
    }

    /// The f64 arena, or `None` for the integer arenas.
    pub fn f64_arena(&self, arena: Arena) -> Option<&Vec<f64>> {
        match arena {
            Arena::Params => Some(&self.params),
            Arena::Grad => Some(&self.grad),
            Arena::Data => Some(&self.data),
            Arena::Work => Some(&self.work),
            Arena::Out => Some(&self.out),
            Arena::IntData | Arena::IntWork => None,
        }
    }

    /// The f64 arena mutably, or `None` for the integer arenas.
    pub fn f64_arena_mut(&mut self, arena: Arena) -> Option<&mut Vec<f64>> {
        match arena {
            Arena::Params => Some(&mut self.params),
            Arena::Grad => Some(&mut self.grad),
            Arena::Data => Some(&mut self.data),
            Arena::Work => Some(&mut self.work),
            Arena::Out => Some(&mut self.out),
            Arena::IntData | Arena::IntWork => None,
        }
    }

    /// The i64 arena, or `None` for the real arenas.
    pub fn i64_arena(&self, arena: Arena) -> Option<&Vec<i64>> {
        match arena {
            Arena::IntData => Some(&self.int_data),
            Arena::IntWork => Some(&self.int_work),
            _ => None,
        }
    }

    /// The i64 arena mutably, or `None` for the real arenas.
    pub fn i64_arena_mut(&mut self, arena: Arena) -> Option<&mut Vec<i64>> {
        match arena {
            Arena::IntData => Some(&mut self.int_data),
            Arena::IntWork => Some(&mut self.int_work),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_and_check() {
        let sizes = ArenaSizes {
            params: 2,
            data: 3,
            int_data: 1,
            work: 0,
            int_work: 2,
            out: 4,
        };
        let mut a = Arenas::new(&sizes);
        assert_eq!(a.grad.len(), 2);
        assert!(a.check(&sizes).is_ok());
        a.out.pop();
        let e = a.check(&sizes).unwrap_err();
        assert_eq!(
            e,
            ArenaTooSmall {
                arena: Arena::Out,
                len: 3,
                required: 4
            }
        );
        assert!(e.to_string().contains("out arena"));
    }
}
