//! Validation reports, generic over models.
//!
//! A validation run compares a theory with Monte Carlo samples of the finite system and produces a list
//! of [`Check`]s. Each check states the theoretical value, the observed value, its standard error, the
//! tolerance and *the rule the tolerance came from*. The [`Report`] verdict is `Pass` iff every check
//! passes. Tolerances follow from finite-size errors (see `docs/architecture.md`, "Tolerance rules"):
//!
//! * statistical: `|observed - theory| <= z_max * std_error + bias`, with `z_max = 4` by default and
//!   `bias` a declared finite-size bias bound of the model (0 for exact finite-size formulas);
//! * distances (KS, L1): `distance <= critical(n_eff) + bias(n)`, the critical value of the statistic for
//!   the number of independent units, plus the model's declared finite-size bias rate.

use crate::io::Provenance;
use serde::{Deserialize, Serialize};

/// Default number of standard errors allowed for a statistical check.
pub const Z_MAX: f64 = 4.0;

/// Critical multiple of the standard error for a mean over `samples` independent draws, at the same
/// two-sided level as `Z_MAX` standard normal deviations (p = 6.3e-5): the Student-t quantile with
/// `samples - 1` degrees of freedom (the SE itself is estimated from the draws). With few draws the
/// estimated SE is unreliable and the allowance grows accordingly (2 draws: 1.0e4; 4: 32.6; 10: 7.0;
/// 30: 4.7; → 4 for many draws; values checked against scipy.stats.t).
pub fn z_crit(samples: usize) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
    if samples < 2 {
        return f64::INFINITY;
    }
    let p = Normal::new(0.0, 1.0)
        .map(|n| n.cdf(Z_MAX))
        .unwrap_or(0.999_968);
    match StudentsT::new(0.0, 1.0, (samples - 1) as f64) {
        Ok(t) => t.inverse_cdf(p).max(Z_MAX),
        Err(_) => Z_MAX,
    }
}

/// One comparison between theory and simulation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Check {
    /// Name of the statistic, e.g. `"ks"`, `"m2"`, `"zero_fraction"`.
    pub name: String,
    /// Theoretical value (0 for distances).
    pub theory: f64,
    /// Observed (Monte Carlo) value.
    pub observed: f64,
    /// Standard error of `observed` (0 if not applicable).
    pub std_error: f64,
    /// Allowed |observed - theory|.
    pub tolerance: f64,
    /// How the tolerance was obtained.
    pub rule: String,
    /// Whether the check passed.
    pub pass: bool,
}

impl Check {
    /// Statistical comparison: pass iff `|observed - theory| <= z_max * se + bias`.
    pub fn statistical(
        name: &str,
        theory: f64,
        observed: f64,
        se: f64,
        z_max: f64,
        bias: f64,
    ) -> Self {
        let tolerance = z_max * se + bias;
        let pass = (observed - theory).abs() <= tolerance && observed.is_finite();
        Check {
            name: name.into(),
            theory,
            observed,
            std_error: se,
            tolerance,
            rule: format!("|obs - theory| <= {z_max} x SE({se:.2e}) + finite-size bias {bias:.2e}"),
            pass,
        }
    }

    /// Distance check: pass iff `0 <= distance <= tolerance`.
    pub fn distance(name: &str, distance: f64, tolerance: f64, rule: &str) -> Self {
        Check {
            name: name.into(),
            theory: 0.0,
            observed: distance,
            std_error: 0.0,
            tolerance,
            rule: rule.into(),
            pass: distance.is_finite() && distance <= tolerance,
        }
    }

    /// How far the statistic is from its tolerance: `|observed − theory| / tolerance` (for distances
    /// `distance / tolerance`). Below 1 passes; capped at 1e300 (a zero tolerance with a nonzero
    /// deviation, or a non-finite observation).
    pub fn margin(&self) -> f64 {
        let d = (self.observed - self.theory).abs();
        let m = if !d.is_finite() {
            f64::INFINITY
        } else if self.tolerance > 0.0 {
            d / self.tolerance
        } else if d == 0.0 {
            0.0
        } else {
            f64::INFINITY
        };
        m.min(1e300)
    }

    /// Number of standard errors between observed and theory (infinite if se = 0 and they differ).
    pub fn z(&self) -> f64 {
        let d = (self.observed - self.theory).abs();
        if self.std_error > 0.0 {
            d / self.std_error
        } else if d == 0.0 {
            0.0
        } else {
            f64::INFINITY
        }
    }
}

/// Pass / fail.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every check passed.
    Pass,
    /// At least one check failed.
    Fail,
}

/// A check's margin `|statistic| / tolerance` (see [`Check::margin`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Margin {
    /// Check name.
    pub check: String,
    /// `|observed − theory| / tolerance` (1 = on the tolerance).
    pub margin: f64,
}

/// The result of one validation run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// Model identifier, e.g. `"mp"`.
    pub model: String,
    /// Theory parameters (as the model serialises them).
    pub theory: serde_json::Value,
    /// Sampled system: sizes and parameters actually simulated.
    pub sampled: serde_json::Value,
    /// Seed of the run.
    pub seed: u64,
    /// Number of independent Monte Carlo samples.
    pub samples: usize,
    /// The comparisons.
    pub checks: Vec<Check>,
    /// Overall verdict.
    pub verdict: Verdict,
    /// Free-form remarks (e.g. removed outliers).
    pub notes: Vec<String>,
    /// The check that decided the verdict: for a fail the failed check with the largest margin, for a
    /// pass the check closest to its tolerance.
    #[serde(default)]
    pub decided_by: Option<Margin>,
    /// Every check's margin, in check order.
    #[serde(default)]
    pub margins: Vec<Margin>,
    /// Where the report came from.
    pub provenance: Provenance,
    /// For a trend validation (`validate … --trend`): the runs at every size and each check's
    /// extrapolation to `n = ∞` ([`super::trend`]); the checks above are then the extrapolations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trend: Option<Box<super::trend::Trend>>,
}

impl Report {
    /// Build a report; the verdict is computed from the checks.
    pub fn new(
        model: &str,
        theory: serde_json::Value,
        sampled: serde_json::Value,
        seed: u64,
        samples: usize,
        checks: Vec<Check>,
        notes: Vec<String>,
    ) -> Self {
        let verdict = if !checks.is_empty() && checks.iter().all(|c| c.pass) {
            Verdict::Pass
        } else {
            Verdict::Fail
        };
        let margins: Vec<Margin> = checks
            .iter()
            .map(|c| Margin {
                check: c.name.clone(),
                margin: c.margin(),
            })
            .collect();
        let decided_by = checks
            .iter()
            .zip(&margins)
            .filter(|(c, _)| verdict == Verdict::Pass || !c.pass)
            .max_by(|a, b| a.1.margin.total_cmp(&b.1.margin))
            .map(|(_, m)| m.clone());
        Report {
            decided_by,
            margins,
            model: model.into(),
            theory,
            sampled,
            seed,
            samples,
            checks,
            verdict,
            notes,
            provenance: Provenance::current(),
            trend: None,
        }
    }

    /// ` — decided by ks (margin 0.43)` for figure titles (empty without checks).
    pub fn decided_by_caption(&self) -> String {
        match &self.decided_by {
            Some(d) => format!(
                " — {} decided by {} (margin {:.2})",
                match self.verdict {
                    Verdict::Pass => "PASS",
                    Verdict::Fail => "FAIL",
                },
                d.check,
                d.margin
            ),
            None => String::new(),
        }
    }

    /// A short human-readable summary (one line per check, then the verdict).
    pub fn summary(&self) -> String {
        let mut s = format!(
            "validate {}: seed {}, {} samples\n",
            self.model, self.seed, self.samples
        );
        for c in &self.checks {
            s.push_str(&format!(
                "  {:<4} {:<16} theory {:>12.6}  observed {:>12.6}  tol {:>10.3e}  margin {:>6.2}   ({})\n",
                if c.pass { "ok" } else { "FAIL" },
                c.name,
                c.theory,
                c.observed,
                c.tolerance,
                c.margin(),
                c.rule
            ));
        }
        for n in &self.notes {
            s.push_str(&format!("  note: {n}\n"));
        }
        if let Some(d) = &self.decided_by {
            s.push_str(&format!(
                "  decided by: {} (margin {:.2})\n",
                d.check, d.margin
            ));
        }
        s.push_str(&format!(
            "verdict: {}\n",
            match self.verdict {
                Verdict::Pass => "PASS",
                Verdict::Fail => "FAIL",
            }
        ));
        s
    }
}
