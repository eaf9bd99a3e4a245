//! `--outputs C` of `spectrum fim` and `validate fim`: the linear two-layer network with `C` outputs
//! (shared/theory/fim.md F13; [`crate::models::fim::outputs`]).
//!
//! Conventions: the theory takes ratios — `spectrum fim --outputs-ratio C/N`, or `--outputs C` with
//! `--n` (then `C/N = C / (width_ratio · n)`); validation takes integers — `validate fim --outputs C`
//! with `--n --d --width`. The JSON names the ratio `outputs_over_width` (= C/N). `--outputs 1` is the
//! single-output network (the existing law and sampler). Only `--activation linear`, both layers
//! trained, proportional limit: anything else is refused with the reason.

use super::fim::{FimValidateArgs, Limit, NetArgs};
use crate::error::{check, Error, Result};
use crate::model::SpectralModel;
use crate::models::fim::{
    Activation, Inputs, MultiOutputLinearFim, MultiOutputSampler, Ratios, Trained,
};
use crate::output::RunArgs;
use crate::validate::spectral::{validate_spectrum_with_progress, SpectralValidation};

/// Why a configuration has no `C`-output law (a typed error naming the offending option), or `Ok`.
fn admissible(net: &NetArgs, ck: bool) -> Result<()> {
    if ck {
        return Err(Error::param(
            "outputs",
            "given",
            "omitted for `ck`: the conjugate kernel of a C-output network is I_C ⊗ ΦᵀΦ/N, i.e. the \
             single-output CK law",
        ));
    }
    if net.constants.is_some() {
        return Err(Error::param(
            "constants",
            "given",
            "omitted with --outputs: the C-output law F13 is for --activation linear",
        ));
    }
    if !matches!(Activation::parse(&net.activation)?, Activation::Linear) {
        return Err(Error::param(
            "activation",
            &net.activation,
            "linear when --outputs C > 1 is given: the C-output law F13 is exact for the linear \
             network only. For a nonlinear network with C = O(1) outputs the dual Gram is \
             asymptotically I_C ⊗ Θ (C copies of the single-output NTK), so the single-output law \
             applies: omit --outputs",
        ));
    }
    if net.limit != Limit::Proportional {
        return Err(Error::param(
            "limit",
            "infinite-width",
            "proportional with --outputs: at infinite width C/N -> 0 and the single-output law \
             applies (omit --outputs)",
        ));
    }
    match net.trained.unwrap_or(Trained::Both) {
        Trained::Both => Ok(()),
        Trained::Readout => Err(Error::param(
            "trained",
            "readout",
            "both with --outputs: with the readout only trained the dual is I_C ⊗ XᵀW₁ᵀW₁X/(Nd), \
             C copies of the single-output readout law (omit --outputs)",
        )),
        Trained::First => Err(Error::param(
            "trained",
            "first",
            "both with --outputs (the first-layer-only dual S ⊗ XᵀX/d is not implemented)",
        )),
    }
}

/// The F13 law for `C/N = outputs_over_width`, or the reason it does not apply.
pub fn model(
    net: &NetArgs,
    ratios: Ratios,
    outputs_over_width: f64,
    ck: bool,
) -> Result<MultiOutputLinearFim> {
    admissible(net, ck)?;
    MultiOutputLinearFim::new(ratios, outputs_over_width, net.sigma_w2, net.sigma_v2)
}

/// `C/N` for `spectrum fim`: from `--outputs-ratio`, or from `--outputs C` and `--n`.
pub fn spectrum_ratio(
    outputs: Option<usize>,
    outputs_ratio: Option<f64>,
    n: Option<usize>,
    ratios: Ratios,
) -> Result<Option<(f64, Option<usize>)>> {
    match (outputs, outputs_ratio) {
        (None, None) => Ok(None),
        (Some(_), Some(_)) => Err(Error::param(
            "outputs",
            "given twice",
            "either --outputs C (with --n) or --outputs-ratio C/N",
        )),
        (None, Some(r)) => Ok(Some((r, None))),
        (Some(c), None) => {
            check::count("outputs", c, 1, 100_000_000)?;
            let n = n.ok_or_else(|| {
                Error::param(
                    "n",
                    "missing",
                    "given (--n) with --outputs C: the theory needs C/N = C/(width_ratio · n); or use \
                     --outputs-ratio C/N",
                )
            })?;
            check::count("n", n, 1, 100_000_000)?;
            let width = ratios.width_over_n * n as f64;
            if c == 1 {
                return Ok(None);
            }
            Ok(Some((c as f64 / width, Some(c))))
        }
    }
}

/// The traces of `F = JᵀJ/n` for `C` outputs (`J` is `(C n) × p`): `tr F = C m1`, `tr F² = C m2/n`.
pub fn traces(m: &[f64], outputs: Option<usize>, n: Option<usize>) -> serde_json::Value {
    let mut t = serde_json::json!({
        "trace_F_over_C": m[0],
        "n_trace_F2_over_C": m[1],
        "note": "C outputs: F = JᵀJ/n with J (C n) × p, so tr F = C m1 and tr F² = C m2 / n \
                 (no mu0 spike: linear network)",
    });
    if let Some(c) = outputs {
        t["trace_F"] = serde_json::json!(c as f64 * m[0]);
        if let Some(n) = n {
            t["trace_F2"] = serde_json::json!(c as f64 * m[1] / n as f64);
        }
    }
    t
}

/// `validate fim --outputs C` with `C > 1`.
pub fn run_validate(
    args: &FimValidateArgs,
    ck: bool,
    run: &RunArgs,
    quiet: bool,
) -> Result<crate::output::Outcome> {
    run.check()?;
    let c = args.outputs;
    let ratios = Ratios::from_sizes(args.n, args.d, args.width)?;
    let law = model(&args.net, ratios, c as f64 / args.width as f64, ck)?;
    let sampler = MultiOutputSampler::new(
        args.n,
        args.d,
        args.width,
        c,
        args.net.sigma_w2,
        args.net.sigma_v2,
        args.inputs.unwrap_or(Inputs::Spherical),
        !args.raw_readout,
    )?;
    // the finite-size scale is the block size n, not the dual size C n: b (C n)^-1 with b = C is 1/n
    let opts = SpectralValidation {
        samples: run.samples,
        seed: run.seed,
        bias_coeff: args.bias_coeff.unwrap_or(c as f64),
        bias_rate: 1.0,
        ..SpectralValidation::default()
    };
    let pb = crate::output::progress(opts.samples as u64, quiet, "draws");
    let out = validate_spectrum_with_progress(&law, &sampler, &opts, &|| pb.inc(1))?;
    pb.finish_and_clear();
    let mut report = out.report;
    report.notes.push(format!(
        "theory: exact C-output law F13 ({}), C/N = {}; tolerance bias b (C n)^-1 with b = {} (= {:.3e}; \
         the dual is the union of C blocks of size n = {}, whose rigidity floor is O(1/n))",
        law.name(),
        law.outputs_over_width(),
        opts.bias_coeff,
        opts.bias(c * args.n),
        args.n
    ));
    run.finish(&report, Some(&out.figure))
}
