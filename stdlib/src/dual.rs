//! Dual numbers: a value with its partials in `N` inputs, for functions
//! computed by an iteration (a series, a continued fraction) whose
//! derivatives have no closed form; the partials are carried through the
//! same arithmetic (forward mode).

/// A value `v` and its partials `d` in `N` inputs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Dual<const N: usize> {
    pub v: f64,
    pub d: [f64; N],
}

impl<const N: usize> Dual<N> {
    /// A value that depends on none of the inputs.
    pub fn constant(v: f64) -> Self {
        Dual { v, d: [0.0; N] }
    }

    /// Input `k` itself, of value `v`.
    pub fn arg(v: f64, k: usize) -> Self {
        let mut d = [0.0; N];
        d[k] = 1.0;
        Dual { v, d }
    }

    /// `f(self)`, given `f(v)` and `f'(v)`.
    pub fn chain(self, f: f64, df: f64) -> Self {
        Dual { v: f, d: self.d.map(|x| df * x) }
    }

    pub fn add(self, o: Self) -> Self {
        Dual { v: self.v + o.v, d: std::array::from_fn(|k| self.d[k] + o.d[k]) }
    }

    pub fn sub(self, o: Self) -> Self {
        Dual { v: self.v - o.v, d: std::array::from_fn(|k| self.d[k] - o.d[k]) }
    }

    pub fn mul(self, o: Self) -> Self {
        Dual { v: self.v * o.v, d: std::array::from_fn(|k| self.d[k] * o.v + self.v * o.d[k]) }
    }

    pub fn recip(self) -> Self {
        let r = 1.0 / self.v;
        Dual { v: r, d: self.d.map(|x| -x * r * r) }
    }

    pub fn div(self, o: Self) -> Self {
        self.mul(o.recip())
    }

    /// `self * c` for a constant `c`.
    pub fn scale(self, c: f64) -> Self {
        Dual { v: self.v * c, d: self.d.map(|x| x * c) }
    }

    /// `self + c` for a constant `c`.
    pub fn shift(self, c: f64) -> Self {
        Dual { v: self.v + c, ..self }
    }

    pub fn sin(self) -> Self {
        let (s, c) = self.v.sin_cos();
        self.chain(s, c)
    }

    pub fn cos(self) -> Self {
        let (s, c) = self.v.sin_cos();
        self.chain(c, -s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partials_follow_the_rules_of_differentiation() {
        // f(x, y) = sin(x y) / (x + 2) + cos(y) at (0.7, -1.3), by hand.
        let (x, y) = (Dual::<2>::arg(0.7, 0), Dual::<2>::arg(-1.3, 1));
        let f = x.mul(y).sin().div(x.shift(2.0)).add(y.cos()).sub(Dual::constant(0.25)).scale(3.0);
        let (xv, yv) = (0.7f64, -1.3f64);
        let want = 3.0 * ((xv * yv).sin() / (xv + 2.0) + yv.cos() - 0.25);
        let dx = 3.0 * (yv * (xv * yv).cos() / (xv + 2.0) - (xv * yv).sin() / (xv + 2.0).powi(2));
        let dy = 3.0 * (xv * (xv * yv).cos() / (xv + 2.0) - yv.sin());
        assert!((f.v - want).abs() < 1e-15 && (f.d[0] - dx).abs() < 1e-14 && (f.d[1] - dy).abs() < 1e-14, "{f:?}");
    }
}
