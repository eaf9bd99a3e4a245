//! The expression language, parsed by hand-written recursive descent: the grammar is five rules with
//! two value types (numbers and laws, which the operators treat differently: `2 * A` is a dilation,
//! `A * B` a free product), the error messages must name the column and what was expected, and leaf
//! arguments are either numbers, strings or raw `key=value` text for model leaves — a parser generator
//! would be a new dependency and make those messages harder, for a grammar this small.
//!
//! ```text
//! expr    := term (('+' | '-') term)*
//! term    := unary (('*' | '/') unary)*
//! unary   := '-' unary | primary
//! primary := NUMBER | '(' expr ')' | NAME '(' args ')'
//! ```
//!
//! Leaves: `mp(c)`, `mp(c, s2)`, `sc(s2)`, `atoms(x:p, ...)`, `unif(a, b)`, `eig("file")`,
//! `fixedpoint("g = ...", name=value, ...)`, `pop(A, c)`, and model leaves `name(key=value, ...)`
//! resolved by a [`LeafResolver`]. A number alone is the point mass `δ_a`.

use super::fixedpoint::FixedPointLaw;
use super::law::Law;
use crate::error::{Error, Result};
use crate::model::SpectralModel;

/// Longest accepted expression (characters).
pub const MAX_LEN: usize = 10_000;
/// Deepest accepted nesting (parentheses, unary minus, leaf arguments).
pub const MAX_DEPTH: usize = 64;
/// Most free operations (`+`, `-`, `*` between two laws, `pop`) in one expression. The joint
/// subordination system grows with them and its cost faster than linearly: measured at the default
/// 200 points, 40 free sums take 24 s and 16 free products 26 s; 1000 sums (which fit in
/// [`MAX_LEN`]) would take hours.
pub const MAX_OPERATIONS: usize = 32;

/// The files named by `eig("...")` leaves in `text` (a lexical scan, without parsing): the inputs of
/// an expression, which no output of the same command may overwrite.
pub fn eig_files(text: &str) -> Vec<String> {
    let mut out = vec![];
    let mut rest = text;
    while let Some(i) = rest.find("eig") {
        rest = &rest[i + 3..];
        let Some(after) = rest.trim_start().strip_prefix('(') else {
            continue;
        };
        let Some(quoted) = after.trim_start().strip_prefix('"') else {
            continue;
        };
        if let Some(end) = quoted.find('"') {
            out.push(quoted[..end].to_string());
        }
    }
    out
}

/// Resolves model leaves `name(key=value, ...)` (values as raw strings, e.g. `activation=tanh`).
pub trait LeafResolver {
    /// The model for a leaf, or a typed error (unknown name, bad value).
    fn resolve(&self, name: &str, kwargs: &[(String, String)]) -> Result<Box<dyn SpectralModel>>;
    /// Names this resolver knows (listed in the error for an unknown leaf); empty if unknown.
    fn known(&self) -> Vec<String> {
        vec![]
    }
}

/// A resolver without model leaves.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoModels;

impl LeafResolver for NoModels {
    fn resolve(&self, name: &str, _kwargs: &[(String, String)]) -> Result<Box<dyn SpectralModel>> {
        Err(Error::Domain(format!(
            "no model leaves are available (`{name}`)"
        )))
    }
}

// parser-internal and short-lived: boxing the law would only add allocations
#[allow(clippy::large_enum_variant)]
enum Val {
    Num(f64),
    Law(Law),
}

impl Val {
    fn into_law(self) -> Result<Law> {
        match self {
            Val::Num(a) => Law::atoms(vec![(a, 1.0)]),
            Val::Law(l) => Ok(l),
        }
    }
}

pub(crate) struct Parser<'a> {
    src: &'a str,
    s: &'a [u8],
    pos: usize,
    depth: usize,
    operations: usize,
    resolver: &'a dyn LeafResolver,
}

fn num_of(v: f64) -> Result<f64> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(Error::param("number", v, "finite"))
    }
}

impl<'a> Parser<'a> {
    pub(crate) fn parse(src: &'a str, resolver: &'a dyn LeafResolver) -> Result<Law> {
        if src.chars().count() > MAX_LEN {
            return Err(Error::param(
                "expression",
                format!("{} characters", src.chars().count()),
                "at most 10000 characters",
            ));
        }
        let mut p = Parser {
            src,
            s: src.as_bytes(),
            pos: 0,
            depth: 0,
            operations: 0,
            resolver,
        };
        let v = p.expr()?;
        p.ws();
        if p.pos < p.s.len() {
            return Err(p.err("an operator (+ - * /) or the end of the expression"));
        }
        v.into_law()
    }

    /// Count one free operation; true when that makes more than [`MAX_OPERATIONS`].
    fn count_operation(&mut self) -> bool {
        self.operations += 1;
        self.operations > MAX_OPERATIONS
    }

    fn too_many_operations(&self, pos: usize) -> Error {
        self.err_at(
            pos,
            format!(
                "more than {MAX_OPERATIONS} free operations (+, -, * between laws, pop): their joint \
                 solve grows faster than linearly (docs/models/expr.md, \"Grammar\")"
            ),
        )
    }

    fn column(&self, pos: usize) -> usize {
        self.src.get(..pos).map_or(pos, |s| s.chars().count()) + 1
    }

    fn err_at(&self, pos: usize, message: String) -> Error {
        Error::Syntax {
            what: "expression".into(),
            column: self.column(pos),
            message,
        }
    }

    fn err(&self, expected: &str) -> Error {
        let found = match self.src.get(self.pos..).and_then(|r| r.chars().next()) {
            Some(c) => format!("`{c}`"),
            None => "end of input".into(),
        };
        self.err_at(self.pos, format!("expected {expected}, found {found}"))
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

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Result<()> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.err(&format!("`{}`", c as char)))
        }
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err_at(
                self.pos,
                format!("expression nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Val> {
        self.enter()?;
        let mut a = self.term()?;
        loop {
            self.ws();
            let at = self.pos;
            if self.eat(b'+') {
                let b = self.term()?;
                a = self.combine(a, b, '+', at)?;
            } else if self.eat(b'-') {
                let b = self.term()?;
                a = self.combine(a, b, '-', at)?;
            } else {
                self.depth -= 1;
                return Ok(a);
            }
        }
    }

    fn term(&mut self) -> Result<Val> {
        let mut a = self.unary()?;
        loop {
            self.ws();
            let at = self.pos;
            if self.eat(b'*') {
                let b = self.unary()?;
                a = self.combine(a, b, '*', at)?;
            } else if self.eat(b'/') {
                let b = self.unary()?;
                a = self.combine(a, b, '/', at)?;
            } else {
                return Ok(a);
            }
        }
    }

    fn unary(&mut self) -> Result<Val> {
        if self.eat(b'-') {
            self.enter()?;
            let v = self.unary()?;
            self.depth -= 1;
            return Ok(match v {
                Val::Num(a) => Val::Num(-a),
                Val::Law(l) => Val::Law(Law::affine(-1.0, 0.0, l)?),
            });
        }
        self.primary()
    }

    /// Apply a binary operator; errors point at the operator.
    fn combine(&mut self, a: Val, b: Val, op: char, at: usize) -> Result<Val> {
        if matches!((&a, &b), (Val::Law(_), Val::Law(_))) && self.count_operation() {
            return Err(self.too_many_operations(at));
        }
        let loc = |e: Error| match e {
            Error::Domain(m) => self.err_at(at, format!("`{op}`: {m}")),
            e => e,
        };
        let v = match (a, b, op) {
            (Val::Num(x), Val::Num(y), '+') => Val::Num(num_of(x + y).map_err(loc)?),
            (Val::Num(x), Val::Num(y), '-') => Val::Num(num_of(x - y).map_err(loc)?),
            (Val::Num(x), Val::Num(y), '*') => Val::Num(num_of(x * y).map_err(loc)?),
            (Val::Num(x), Val::Num(y), _) => Val::Num(num_of(x / y).map_err(loc)?),
            (Val::Law(l), Val::Num(y), '+') | (Val::Num(y), Val::Law(l), '+') => {
                Val::Law(Law::affine(1.0, y, l).map_err(loc)?)
            }
            (Val::Law(l), Val::Num(y), '-') => Val::Law(Law::affine(1.0, -y, l).map_err(loc)?),
            (Val::Num(y), Val::Law(l), '-') => Val::Law(Law::affine(-1.0, y, l).map_err(loc)?),
            (Val::Law(l), Val::Num(y), '*') | (Val::Num(y), Val::Law(l), '*') => {
                Val::Law(Law::affine(y, 0.0, l).map_err(loc)?)
            }
            (Val::Law(l), Val::Num(y), _) => {
                if y == 0.0 {
                    return Err(self.err_at(at, "division by zero".into()));
                }
                Val::Law(Law::affine(1.0 / y, 0.0, l).map_err(loc)?)
            }
            (Val::Law(a), Val::Law(b), '+') => Val::Law(Law::free_sum(a, b).map_err(loc)?),
            (Val::Law(a), Val::Law(b), '-') => {
                Val::Law(Law::free_sum(a, Law::affine(-1.0, 0.0, b).map_err(loc)?).map_err(loc)?)
            }
            (Val::Law(a), Val::Law(b), '*') => Val::Law(Law::free_product(a, b).map_err(loc)?),
            (_, Val::Law(_), _) => {
                return Err(self.err_at(
                    at,
                    "division by a law is not defined (divide by numbers only)".into(),
                ))
            }
        };
        Ok(v)
    }

    fn number_token(&mut self) -> Option<f64> {
        self.ws();
        let start = self.pos;
        let digit = |p: &Self| p.s.get(p.pos).is_some_and(|c| c.is_ascii_digit());
        while digit(self) || self.s.get(self.pos) == Some(&b'.') {
            self.pos += 1;
        }
        if self.pos > start
            && self
                .s
                .get(self.pos)
                .is_some_and(|c| *c == b'e' || *c == b'E')
        {
            let save = self.pos;
            self.pos += 1;
            if self
                .s
                .get(self.pos)
                .is_some_and(|c| *c == b'+' || *c == b'-')
            {
                self.pos += 1;
            }
            if digit(self) {
                while digit(self) {
                    self.pos += 1;
                }
            } else {
                self.pos = save;
            }
        }
        match self.src[start..self.pos].parse::<f64>() {
            Ok(v) if self.pos > start => Some(v),
            _ => {
                self.pos = start;
                None
            }
        }
    }

    fn name_token(&mut self) -> Option<(usize, &'a str)> {
        self.ws();
        let start = self.pos;
        if !self
            .s
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        {
            return None;
        }
        while self
            .s
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            self.pos += 1;
        }
        Some((start, &self.src[start..self.pos]))
    }

    fn string_token(&mut self) -> Result<String> {
        if self.peek() != Some(b'"') {
            return Err(self.err("a quoted string"));
        }
        let start = self.pos;
        self.pos += 1;
        while let Some(&c) = self.s.get(self.pos) {
            if c == b'"' {
                let s = self.src[start + 1..self.pos].to_string();
                self.pos += 1;
                return Ok(s);
            }
            self.pos += 1;
        }
        Err(self.err_at(start, "unterminated string (missing closing `\"`)".into()))
    }

    /// A numeric argument (an expression that evaluates to a number).
    fn number_arg(&mut self, what: &str) -> Result<f64> {
        let at = self.pos;
        match self.expr()? {
            Val::Num(v) => Ok(v),
            Val::Law(_) => {
                Err(self.err_at(at, format!("expected a number for {what}, found a law")))
            }
        }
    }

    fn primary(&mut self) -> Result<Val> {
        if let Some(v) = self.number_token() {
            return Ok(Val::Num(v));
        }
        if self.eat(b'(') {
            let v = self.expr()?;
            self.expect(b')')?;
            return Ok(v);
        }
        let Some((at, name)) = self.name_token() else {
            return Err(self.err("a number, a leaf such as mp(0.5), or `(`"));
        };
        if !self.eat(b'(') {
            return Err(self.err(&format!("`(` after `{name}`")));
        }
        self.enter()?;
        // parameter, file and solver errors keep their type; domain errors get the column
        let wrap = |p: &Self, e: Error| match e {
            Error::Domain(m) => p.err_at(at, format!("`{name}(...)`: {m}")),
            e => e,
        };
        let law = match name {
            "mp" => {
                let c = self.number_arg("the ratio c")?;
                let s2 = if self.eat(b',') {
                    self.number_arg("the scale s2")?
                } else {
                    1.0
                };
                Law::mp(c, s2).map_err(|e| wrap(self, e))?
            }
            "sc" => {
                let s2 = self.number_arg("the variance s2")?;
                Law::sc(s2).map_err(|e| wrap(self, e))?
            }
            "unif" => {
                let a = self.number_arg("a")?;
                self.expect(b',')?;
                let b = self.number_arg("b")?;
                Law::unif(a, b).map_err(|e| wrap(self, e))?
            }
            "atoms" => {
                let mut v = Vec::new();
                loop {
                    let x = self.number_arg("an atom location")?;
                    self.expect(b':')?;
                    let p = self.number_arg("an atom probability")?;
                    v.push((x, p));
                    if !self.eat(b',') {
                        break;
                    }
                }
                Law::atoms(v).map_err(|e| wrap(self, e))?
            }
            "pop" => {
                if self.count_operation() {
                    return Err(self.too_many_operations(self.pos));
                }
                let a = self.expr()?.into_law().map_err(|e| wrap(self, e))?;
                self.expect(b',')?;
                let c = self.number_arg("the ratio c")?;
                Law::pop(a, c).map_err(|e| wrap(self, e))?
            }
            "spiked" => {
                let a = self.expr()?.into_law().map_err(|e| wrap(self, e))?;
                let mut thetas = Vec::new();
                while self.eat(b',') {
                    thetas.push(self.number_arg("a spike location")?);
                }
                Law::spiked(a, thetas).map_err(|e| wrap(self, e))?
            }
            "eig" => {
                let path = self.string_token()?;
                let draws = crate::validate::eigfile::read_draws(std::path::Path::new(&path))
                    .map_err(|e| wrap(self, e))?;
                let all: Vec<f64> = draws.into_iter().flatten().collect();
                let w = 1.0 / all.len() as f64;
                let mut v: Vec<(f64, f64)> = all.iter().map(|&x| (x, w)).collect();
                // masses 1/N summed in any order differ from 1 by rounding only: normalise
                let total: f64 = v.iter().map(|a| a.1).sum();
                v.iter_mut().for_each(|a| a.1 /= total);
                Law::atoms_labelled(v, Some(format!("eig(\"{path}\")")))
                    .map_err(|e| wrap(self, e))?
            }
            "fixedpoint" => {
                let eq = self.string_token()?;
                let mut params = Vec::new();
                while self.eat(b',') {
                    let Some((_, key)) = self.name_token() else {
                        return Err(self.err("a parameter name"));
                    };
                    self.expect(b'=')?;
                    params.push((key.to_string(), self.number_arg("a parameter value")?));
                }
                let fp = FixedPointLaw::new(&eq, params).map_err(|e| wrap(self, e))?;
                Law::fixed_point(fp).map_err(|e| wrap(self, e))?
            }
            _ => self.model_leaf(at, name)?,
        };
        self.expect(b')')?;
        self.depth -= 1;
        Ok(Val::Law(law))
    }

    /// `name(key=value, ...)` through the resolver; values are raw text up to the next top-level
    /// `,` or `)` (quotes stripped).
    fn model_leaf(&mut self, at: usize, name: &str) -> Result<Law> {
        let known = self.resolver.known();
        if known.is_empty() || !known.iter().any(|k| k == name) {
            let mut all: Vec<String> = Law::BUILTINS.iter().map(|s| s.to_string()).collect();
            all.extend(known);
            return Err(self.err_at(
                at,
                format!("unknown leaf `{name}` (known: {})", all.join(", ")),
            ));
        }
        let mut kwargs = Vec::new();
        if self.peek() != Some(b')') {
            loop {
                let Some((_, key)) = self.name_token() else {
                    return Err(self.err("a `key=value` argument"));
                };
                self.expect(b'=')?;
                self.ws();
                let start = self.pos;
                let (mut depth, mut quoted) = (0usize, false);
                while let Some(&c) = self.s.get(self.pos) {
                    match c {
                        b'"' => quoted = !quoted,
                        b'(' if !quoted => depth += 1,
                        b')' if !quoted && depth == 0 => break,
                        b')' if !quoted => depth -= 1,
                        b',' if !quoted && depth == 0 => break,
                        _ => {}
                    }
                    self.pos += 1;
                }
                let raw = self.src[start..self.pos].trim();
                if raw.is_empty() {
                    return Err(self.err(&format!("a value for `{key}`")));
                }
                kwargs.push((key.to_string(), raw.trim_matches('"').to_string()));
                if !self.eat(b',') {
                    break;
                }
            }
        }
        let label = {
            let parts: Vec<String> = kwargs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("{name}({})", parts.join(", "))
        };
        let wrap = |e: Error| match e {
            Error::Domain(m) => self.err_at(at, format!("`{label}`: {m}")),
            e => e,
        };
        let model = self.resolver.resolve(name, &kwargs).map_err(wrap)?;
        Law::model(model, label.clone()).map_err(wrap)
    }
}
