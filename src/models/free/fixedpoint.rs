//! `fixedpoint("g = F(g, z)", p=…)`: a law given by a user fixed-point equation for its Stieltjes
//! transform (sign `g(z) = ∫ μ(dt)/(t - z)`), e.g. `g = 1/(-z - s*g)` (semicircle of variance `s`) or
//! `g = 1/(1 - c - z - c*z*g)` (Marchenko–Pastur). The right-hand side is complex arithmetic
//! (`+ - * /`, `^` with an integer exponent, `sqrt`, `exp`, `log` on principal branches, numbers, `z`,
//! `g`, named parameters), parsed by hand (the grammar is six rules; a parser generator would be a
//! new dependency for less code than it saves) and evaluated with forward-mode dual numbers, which
//! give Newton the exact `∂F/∂g`. The equation is solved by the shared continuation solver.
//!
//! Checks (typed errors): the law must have mass 1 (`-z g(z) → 1`), `Im g > 0` (the physical
//! branch) and a finite mean and variance; its support is scanned on `m₁ ± 10σ` and the total mass
//! (continuous part + an atom at 0 if there is one) must be 1 within `1e-4`.

use super::moments::contour_moments;
use crate::error::{Error, Result};
use crate::model::Support;
use crate::numerics::edges;
use crate::numerics::stieltjes::{self, ResolventEquation, Solution, SolveStats, SolverOptions};
use crate::spectral::SpectralDensity;
use num_complex::Complex64 as C64;
use std::sync::OnceLock;

/// Longest accepted equation text.
pub const MAX_EQUATION_LEN: usize = 2000;

/// A complex value with its derivative with respect to `g`.
#[derive(Debug, Clone, Copy)]
struct Dual {
    v: C64,
    d: C64,
}

impl Dual {
    fn c(v: C64) -> Self {
        Dual {
            v,
            d: C64::new(0.0, 0.0),
        }
    }
    fn mul(self, o: Dual) -> Dual {
        Dual {
            v: self.v * o.v,
            d: self.d * o.v + self.v * o.d,
        }
    }
    fn div(self, o: Dual) -> Dual {
        Dual {
            v: self.v / o.v,
            d: (self.d * o.v - self.v * o.d) / (o.v * o.v),
        }
    }
    fn chain(self, f: C64, df: C64) -> Dual {
        Dual {
            v: f,
            d: df * self.d,
        }
    }
}

#[derive(Debug, Clone)]
enum Ex {
    Num(f64),
    Z,
    G,
    Neg(Box<Ex>),
    Bin(char, Box<Ex>, Box<Ex>),
    Pow(Box<Ex>, i32),
    Fun(&'static str, Box<Ex>),
}

impl Ex {
    fn eval(&self, g: C64, z: C64) -> Dual {
        match self {
            Ex::Num(v) => Dual::c(C64::new(*v, 0.0)),
            Ex::Z => Dual::c(z),
            Ex::G => Dual {
                v: g,
                d: C64::new(1.0, 0.0),
            },
            Ex::Neg(a) => {
                let a = a.eval(g, z);
                Dual { v: -a.v, d: -a.d }
            }
            Ex::Bin(op, a, b) => {
                let (a, b) = (a.eval(g, z), b.eval(g, z));
                match op {
                    '+' => Dual {
                        v: a.v + b.v,
                        d: a.d + b.d,
                    },
                    '-' => Dual {
                        v: a.v - b.v,
                        d: a.d - b.d,
                    },
                    '*' => a.mul(b),
                    _ => a.div(b),
                }
            }
            Ex::Pow(a, k) => {
                let a = a.eval(g, z);
                a.chain(a.v.powi(*k), a.v.powi(k - 1) * *k as f64)
            }
            Ex::Fun(f, a) => {
                let a = a.eval(g, z);
                match *f {
                    "sqrt" => {
                        let s = a.v.sqrt();
                        a.chain(s, 0.5 / s)
                    }
                    "exp" => {
                        let e = a.v.exp();
                        a.chain(e, e)
                    }
                    _ => a.chain(a.v.ln(), a.v.inv()),
                }
            }
        }
    }
}

/// Recursive-descent parser of the equation text (module docs).
struct EqParser<'a> {
    s: &'a [u8],
    pos: usize,
    params: &'a [(String, f64)],
}

impl EqParser<'_> {
    fn err(&self, expected: &str) -> Error {
        let found = match self.s.get(self.pos) {
            Some(&c) => format!("`{}`", c as char),
            None => "end of equation".into(),
        };
        Error::Syntax {
            what: "fixedpoint equation".into(),
            column: self.pos + 1,
            message: format!("expected {expected}, found {found}"),
        }
    }
    fn ws(&mut self) {
        while self
            .s
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_whitespace())
        {
            self.pos += 1;
        }
    }
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.s.get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn sum(&mut self, depth: usize) -> Result<Ex> {
        if depth > 64 {
            return Err(self.err("a shallower equation (nesting depth <= 64)"));
        }
        let mut a = self.product(depth)?;
        loop {
            if self.eat(b'+') {
                a = Ex::Bin('+', Box::new(a), Box::new(self.product(depth)?));
            } else if self.eat(b'-') {
                a = Ex::Bin('-', Box::new(a), Box::new(self.product(depth)?));
            } else {
                return Ok(a);
            }
        }
    }
    fn product(&mut self, depth: usize) -> Result<Ex> {
        let mut a = self.unary(depth)?;
        loop {
            if self.eat(b'*') {
                a = Ex::Bin('*', Box::new(a), Box::new(self.unary(depth)?));
            } else if self.eat(b'/') {
                a = Ex::Bin('/', Box::new(a), Box::new(self.unary(depth)?));
            } else {
                return Ok(a);
            }
        }
    }
    fn unary(&mut self, depth: usize) -> Result<Ex> {
        if self.eat(b'-') {
            return Ok(Ex::Neg(Box::new(self.unary(depth + 1)?)));
        }
        let base = self.atom(depth)?;
        if self.eat(b'^') {
            self.ws();
            let start = self.pos;
            if self.s.get(self.pos) == Some(&b'-') {
                self.pos += 1;
            }
            while self.s.get(self.pos).is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
            let txt = std::str::from_utf8(&self.s[start..self.pos]).unwrap_or("");
            return match txt.parse::<i32>() {
                Ok(k) if k.abs() <= 64 => Ok(Ex::Pow(Box::new(base), k)),
                _ => {
                    self.pos = start;
                    Err(self.err("an integer exponent in [-64, 64]"))
                }
            };
        }
        Ok(base)
    }
    fn atom(&mut self, depth: usize) -> Result<Ex> {
        self.ws();
        let start = self.pos;
        let Some(&c) = self.s.get(self.pos) else {
            return Err(self.err("a number, `z`, `g`, a parameter, a function or `(`"));
        };
        if c == b'(' {
            self.pos += 1;
            let e = self.sum(depth + 1)?;
            if !self.eat(b')') {
                return Err(self.err("`)`"));
            }
            return Ok(e);
        }
        if c.is_ascii_digit() || c == b'.' {
            while self
                .s
                .get(self.pos)
                .is_some_and(|c| c.is_ascii_digit() || *c == b'.')
            {
                self.pos += 1;
            }
            if self
                .s
                .get(self.pos)
                .is_some_and(|c| *c == b'e' || *c == b'E')
            {
                let save = self.pos;
                self.pos += 1;
                if self
                    .s
                    .get(self.pos)
                    .is_some_and(|c| *c == b'-' || *c == b'+')
                {
                    self.pos += 1;
                }
                if !self.s.get(self.pos).is_some_and(|c| c.is_ascii_digit()) {
                    self.pos = save;
                }
                while self.s.get(self.pos).is_some_and(|c| c.is_ascii_digit()) {
                    self.pos += 1;
                }
            }
            let txt = std::str::from_utf8(&self.s[start..self.pos]).unwrap_or("");
            return txt.parse::<f64>().map(Ex::Num).map_err(|_| {
                self.pos = start;
                self.err("a number")
            });
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while self
                .s
                .get(self.pos)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
            {
                self.pos += 1;
            }
            let name = std::str::from_utf8(&self.s[start..self.pos]).unwrap_or("");
            for f in ["sqrt", "exp", "log"] {
                if name == f {
                    if !self.eat(b'(') {
                        return Err(self.err(&format!("`(` after `{f}`")));
                    }
                    let e = self.sum(depth + 1)?;
                    if !self.eat(b')') {
                        return Err(self.err("`)`"));
                    }
                    return Ok(Ex::Fun(f, Box::new(e)));
                }
            }
            return match name {
                "z" => Ok(Ex::Z),
                "g" => Ok(Ex::G),
                "i" => Err(Error::Syntax {
                    what: "fixedpoint equation".into(),
                    column: start + 1,
                    message: "the imaginary unit is not allowed: the equation must be real on the real axis".into(),
                }),
                _ => match self.params.iter().find(|p| p.0 == name) {
                    Some(p) => Ok(Ex::Num(p.1)),
                    None => {
                        let names: Vec<&str> = self.params.iter().map(|p| p.0.as_str()).collect();
                        Err(Error::Syntax {
                            what: "fixedpoint equation".into(),
                            column: start + 1,
                            message: format!(
                                "unknown name `{name}` (known: z, g, sqrt, exp, log{}{})",
                                if names.is_empty() { "" } else { ", parameters " },
                                names.join(", ")
                            ),
                        })
                    }
                },
            };
        }
        Err(self.err("a number, `z`, `g`, a parameter, a function or `(`"))
    }
}

/// A law given by a fixed-point equation for its Stieltjes transform.
#[derive(Debug)]
pub struct FixedPointLaw {
    text: String,
    params: Vec<(String, f64)>,
    rhs: Ex,
    opts: SolverOptions,
    scale: f64,
    mean: f64,
    support: OnceLock<Support>,
}

impl ResolventEquation for FixedPointLaw {
    fn map(&self, m: C64, z: C64) -> C64 {
        self.rhs.eval(m, z).v
    }
    fn map_with_derivative(&self, m: C64, z: C64) -> Option<(C64, C64)> {
        let d = self.rhs.eval(m, z);
        Some((d.v, d.d))
    }
    fn describe(&self) -> String {
        format!("fixedpoint(\"{}\")", self.text)
    }
}

impl FixedPointLaw {
    /// Parse and check the equation (module docs).
    pub fn new(text: &str, params: Vec<(String, f64)>) -> Result<Self> {
        if text.len() > MAX_EQUATION_LEN {
            return Err(Error::param(
                "equation",
                format!("{} characters", text.len()),
                "at most 2000 characters",
            ));
        }
        for (k, v) in &params {
            if !v.is_finite() {
                return Err(Error::param(k, v, "finite"));
            }
        }
        let mut p = EqParser {
            s: text.as_bytes(),
            pos: 0,
            params: &params,
        };
        // optional `g =` prefix
        p.ws();
        let save = p.pos;
        if p.s.get(p.pos) == Some(&b'g') {
            p.pos += 1;
            if !p.eat(b'=') {
                p.pos = save;
            }
        }
        let rhs = p.sum(0)?;
        p.ws();
        if p.pos < p.s.len() {
            return Err(p.err("an operator or the end of the equation"));
        }
        let mut law = FixedPointLaw {
            text: text.trim().to_string(),
            params,
            rhs,
            opts: SolverOptions::default(),
            scale: 1.0,
            mean: 0.0,
            support: OnceLock::new(),
        };
        // mass 1 and the physical branch far away: -z g(z) -> 1
        for y in [1e3, 1e4] {
            let z = C64::new(0.0, y);
            let g = law.solve(z, None)?.m;
            if g.im <= 0.0 || (-z * g - 1.0).norm() > 0.05 {
                return Err(Error::Domain(format!(
                    "{}: g(z) at z = {y}i is {g}; a Stieltjes transform has Im g > 0 and -z g(z) -> 1 \
                     (mass 1): wrong sign convention or branch? (this crate uses g(z) = ∫ μ(dt)/(t - z))",
                    law.describe()
                )));
            }
        }
        let m = contour_moments(|z| Ok(law.solve(z, None)?.m), (-300.0, 300.0), 2)?;
        let var = m[1] - m[0] * m[0];
        if !(var.is_finite() && var > 1e-200 && m[0].is_finite()) {
            return Err(Error::Domain(format!(
                "{}: mean {} and variance {var} of the law are not finite and positive",
                law.describe(),
                m[0]
            )));
        }
        law.scale = var.sqrt();
        law.mean = m[0];
        law.opts.eta_min *= law.scale;
        Ok(law)
    }

    /// The parameters.
    pub fn params(&self) -> &[(String, f64)] {
        &self.params
    }

    /// Printable form.
    pub fn label(&self) -> String {
        let mut s = format!("fixedpoint(\"{}\"", self.text);
        for (k, v) in &self.params {
            s.push_str(&format!(", {k}={v}"));
        }
        s + ")"
    }

    /// Solve at `z` (optionally warm-started).
    pub fn solve(&self, z: C64, start: Option<C64>) -> Result<Solution> {
        let s = stieltjes::solve(self, z, start, &self.opts)?;
        if s.m.im < -1e-12 * s.m.norm() {
            return Err(Error::Domain(format!(
                "{}: solution {} at z = {z} has Im g < 0 (wrong branch)",
                self.describe(),
                s.m
            )));
        }
        Ok(s)
    }

    /// Moments `m1..m4` by contour integrals of `g` around the support.
    pub fn moments_vec(&self) -> Result<Vec<f64>> {
        let hull = super::law::hull_of(self.support()?);
        contour_moments(|z| Ok(self.solve(z, None)?.m), hull, super::law::MOMENTS)
    }

    /// Density at sorted points (warm-started), atom Lorentzians removed.
    pub fn density_sweep(&self, xs: &[f64]) -> Result<(Vec<f64>, SolveStats)> {
        let sols = stieltjes::solve_grid(self, xs, &self.opts)?;
        let eta = self.opts.eta_min;
        let atoms = &self.support()?.atoms;
        let d = xs
            .iter()
            .zip(&sols)
            .map(|(&x, s)| {
                let l: f64 = atoms
                    .iter()
                    .map(|&(a, p)| p * eta / ((x - a).powi(2) + eta * eta))
                    .sum();
                ((s.m.im - l) / std::f64::consts::PI).max(0.0)
            })
            .collect();
        Ok((d, SolveStats::of(&sols)))
    }

    /// Support: an atom at 0 if `η Im g(iη)` has a positive limit, components by scanning
    /// `m₁ ± 10σ` (module docs); the total mass must be 1.
    pub fn support(&self) -> Result<&Support> {
        if let Some(s) = self.support.get() {
            return Ok(s);
        }
        let s = self.scale;
        let mut atoms = vec![];
        // an atom at 0 (the only candidate searched): `η Im g(iη)` tends to its mass. The solve
        // follows the imaginary axis down from `η = s` by factors of 2, each step warm-started
        // from the last (a cold start at small `η` stalls next to an atom). A failed continuation
        // counts as no atom, and the mass check below then reports the law.
        let (p1, p2) = self.atom_at_zero(s);
        if let (Some(p1), Some(p2)) = (p1, p2) {
            if p2 > 1e-8 && (p1 - p2).abs() < 1e-6 {
                atoms.push((0.0, p2));
            }
        }
        let eta = 1e-13 * s;
        let inside = |x: f64| -> Result<bool> {
            let g = match self.solve(C64::new(x, eta), None) {
                Ok(sol) => sol.m,
                // next to an atom `g ≈ p/(a − z)` is beyond the solver's absolute tolerance: a
                // failed solve within `1e-6 s` of an atom counts as outside the continuous part
                Err(_) if atoms.iter().any(|&(a, _)| (x - a).abs() < 1e-6 * s) => return Ok(false),
                Err(e) => return Err(e),
            };
            let l: f64 = atoms
                .iter()
                .map(|&(a, p)| p * eta / ((x - a).powi(2) + eta * eta))
                .sum();
            Ok(g.im - l > 1e-7 * (g.norm() + 1.0 / s))
        };
        let (lo, hi) = (self.mean - 10.0 * s, self.mean + 10.0 * s);
        let components = edges::scan_components(inside, lo, hi, 400, 1e-11 * s)?;
        let support = Support { components, atoms };
        let tmp = OnceLock::new();
        let _ = tmp.set(support.clone());
        let probe = FixedPointLaw {
            support: tmp,
            ..self.clone_shallow()
        };
        let mass =
            SpectralDensity::from_support(&support, 200, |xs| Ok(probe.density_sweep(xs)?.0))
                .map(|l| l.mass())
                .unwrap_or(f64::NAN);
        let mass_ok = (mass - 1.0).abs() <= 1e-4;
        if !mass_ok {
            return Err(Error::Domain(format!(
                "{}: the law found on [{lo}, {hi}] has mass {mass:.6} instead of 1 (components {:?}, \
                 atoms {:?}): not the transform of a probability law, or support not resolved",
                self.describe(),
                support.components,
                support.atoms
            )));
        }
        let _ = self.support.set(support);
        Ok(self.support.get().expect("just set"))
    }

    /// `η Im g(iη)` at the two smallest `η` of a continuation down the imaginary axis (see
    /// [`Self::support`]): `η = s, s/2, s/4, …` down to `1e-10 s` or to the first step that fails,
    /// whichever comes first. `None` unless the last step reached `η ≤ 1e-7 s`.
    ///
    /// Near an atom `g(iη) ≈ −i p/η` grows without bound, so the solver's absolute tolerance is out
    /// of reach below some `η`; `η Im g(iη) = p + O(η)` is then already converged (to `1e-7` for a
    /// density of order one at the atom, far better when the atom sits in a gap).
    fn atom_at_zero(&self, s: f64) -> (Option<f64>, Option<f64>) {
        let mut last: Vec<f64> = Vec::new();
        let mut prev: Option<(f64, C64)> = None;
        let mut eta = s;
        while eta >= 1e-10 * s {
            let z = C64::new(0.0, eta);
            let sol = match prev {
                None => self.solve(z, None),
                Some((e0, g0)) => {
                    // an atom-like solution `g ≈ −i p/η` is best continued by scaling with `η`
                    let scaled = g0 * (e0 / eta);
                    let (first, second) = if e0 * g0.im > 1e-3 {
                        (scaled, g0)
                    } else {
                        (g0, scaled)
                    };
                    self.solve(z, Some(first))
                        .or_else(|_| self.solve(z, Some(second)))
                }
            };
            let Ok(sol) = sol else { break };
            last.push(eta * sol.m.im);
            prev = Some((eta, sol.m));
            eta /= 2.0;
        }
        let reached = prev.map(|(e, _)| e).unwrap_or(f64::INFINITY);
        if last.len() < 2 || reached > 1e-7 * s {
            return (None, None);
        }
        (Some(last[last.len() - 2]), Some(last[last.len() - 1]))
    }

    fn clone_shallow(&self) -> Self {
        FixedPointLaw {
            text: self.text.clone(),
            params: self.params.clone(),
            rhs: self.rhs.clone(),
            opts: self.opts,
            scale: self.scale,
            mean: self.mean,
            support: OnceLock::new(),
        }
    }
}
