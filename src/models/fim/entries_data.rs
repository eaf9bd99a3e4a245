//! The registry entries of the FIM / CK laws for one fixed data set (`fim-data`, `ck-data`, selected by
//! `--limit data`) and of the linear network with `C` outputs (`fim-outputs`, selected by the presence
//! of `--outputs-ratio` or `--outputs` on `fim`).
//!
//! Fixed data: a data set `X` (`d × n`) drawn from `--data-seed` (sizes `--n --d --width`); the
//! deterministic equivalent F20 (readout: the Louart–Liao–Couillet law F30) with the exact kernels of
//! that `X`, spike included; `validate` redraws only `W, v` per sample.
//!
//! `C` outputs: the theory takes ratios — `--outputs-ratio C/N`, or `--outputs C` with `--n` (then
//! `C/N = C / (width_ratio · n)`); validation takes integers (`--outputs C --n --d --width`). The JSON
//! names the ratio `outputs_over_width` (= C/N). `--outputs 1` is the single-output network.
//! docs/models/fim.md.

use super::entries::{network_plan, network_theory, Family, NetworkRun};
use super::params::{
    data_sizes, need_n, CkLayers, DataCheck, DataParams, FimLayers, Net, OutputsCheck,
    OutputsParams, Space, RANGES,
};
use crate::error::{check, Error, Result};
use crate::model::SpectralModel;
use crate::models::fim::outputs::MAX_OUTPUTS_OVER_WIDTH;
use crate::models::fim::{
    try_draw_data, Activation, DataFim, FixedDataSampler, Inputs, MultiOutputLinearFim,
    MultiOutputSampler, NetworkSampler, ParameterSpace, Ratios, Trained,
};
use crate::registry::{Plan, Spectral, SpectralSpec, Theory};
use crate::validate::spectral::SpectralValidation;
use std::marker::PhantomData;

/// The data law for the data set `X` (`d × n`) drawn from `data_seed`, with its activation and `X`.
fn data_model(
    net: &Net,
    sizes: (usize, usize, usize),
    inputs: Inputs,
    data_seed: u64,
    trained: Trained,
) -> Result<(DataFim, Activation, faer::Mat<f64>)> {
    let (n, d, width) = sizes;
    let (act, _) = net.constants(None)?;
    let act = act.ok_or_else(|| Error::param("activation", "none", "a named --activation"))?;
    data_sizes(n, d)?;
    let x = try_draw_data(n, d, inputs, data_seed)?;
    let model = DataFim::new(&x, width, &act, net.sigma_w2, net.sigma_v2, trained)?;
    Ok((model, act, x))
}

/// `fim-data` / `ck-data`.
pub struct Data<L>(PhantomData<fn() -> L>);

impl<L: Family> SpectralSpec for Data<L> {
    const NAME: &'static str = L::DATA;
    const SUMMARY: &'static str = L::DATA_SUMMARY;
    const DOCS: &'static str = L::DOCS;
    const CALIBRATION: &'static [&'static str] = L::DATA_CALIBRATION;
    const SIZES: &'static [&'static str] = &["n", "d", "width"];
    const RANGES: &'static [(&'static str, &'static str)] = RANGES;
    const SELECTED_BY: Option<(&'static str, &'static str, &'static str)> =
        Some((L::FAMILY, "limit", "data"));
    type Params = DataParams<L>;
    type Check = DataCheck<L>;
    fn theory(p: &DataParams<L>) -> Result<Theory> {
        let (n, d, w) = (p.n, p.d, p.width);
        let trained = p.layers.trained(Trained::Both);
        let (dual, _, _) = data_model(&p.net, (n, d, w), p.inputs, p.data_seed, trained)?;
        let m = dual.moments();
        let extra = serde_json::json!({
            "data_set": {
                "data_seed": p.data_seed, "inputs": p.inputs,
                "draw": "X (d x n) from stream DATA_STREAM of --data-seed (models::fim::dataeq::draw_data)",
            },
            "traces": {
                "trace_F": m[0], "trace_F2": m[1] / n as f64,
                "note": "conditional on X: tr F = (1/n) tr Θ -> m1 (exact in expectation over W, v), tr F^2 -> m2/n (spike included)",
            },
        });
        let (model, axis): (Box<dyn SpectralModel>, &str) = match p.space {
            Space::Dual => (
                Box::new(dual),
                "eigenvalues of Θ = J Jᵀ for the fixed data set (n x n; FIM = Θ/n; spike included)",
            ),
            Space::Parameter => {
                let count = match trained {
                    Trained::Both => w * d + w,
                    Trained::Readout => w,
                    Trained::First => w * d,
                };
                (
                    Box::new(ParameterSpace::new(Box::new(dual), n, count.max(n))?),
                    "eigenvalues of Jᵀ J = n F for the fixed data set (p x p; zero atom 1 - n/p)",
                )
            }
        };
        Ok(Theory {
            model,
            axis: axis.into(),
            extra,
        })
    }
    fn plan(c: &DataCheck<L>) -> Result<Plan> {
        let trained = c.layers.trained(Trained::Both);
        let (model, act, x) =
            data_model(&c.net, (c.n, c.d, c.width), c.inputs, c.data_seed, trained)?;
        let linear = matches!(act, Activation::Linear);
        let net = NetworkSampler::new(
            c.n,
            c.d,
            c.width,
            act,
            c.net.sigma_w2,
            c.net.sigma_v2,
            trained,
            c.inputs,
            !c.raw_readout,
            0,
        )?;
        let sampler = FixedDataSampler::new(net, x)?;
        // readout: a proved deterministic equivalent (error O(1/n): rigidity floor); linear both
        // layers: Wishart plus a commuting deterministic matrix, also exact; nonlinear both layers:
        // the ansatz, whose measured KS decays like n^-1/2 (docs/models/fim.md)
        let exact = trained == Trained::Readout || linear;
        let options = SpectralValidation {
            bias_coeff: c.bias_coeff.unwrap_or(1.0),
            calibrated: c.bias_coeff.is_none(),
            bias_rate: if exact { 1.0 } else { 0.5 },
            ..SpectralValidation::default()
        };
        let notes = vec![
            format!(
                "fixed data set: X ({} x {}, {:?} inputs) from --data-seed {}; W, v redrawn per sample",
                c.d, c.n, c.inputs, c.data_seed
            ),
            format!(
                "theory: {}; {}",
                if trained == Trained::Readout {
                    "deterministic equivalent of the CK Gram (F30, proved)"
                } else {
                    "F20 with the exact kernels (Wishart ansatz)"
                },
                options.bias_text()
            ),
        ];
        Ok(Plan {
            theory: Box::new(model),
            sampler: Box::new(sampler),
            options,
            notes,
        })
    }
}

/// The activation of a `C`-output network with `C > 1`: linear (F13 is exact for it only).
fn linear_only(activation: &str) -> Result<()> {
    if matches!(Activation::parse(activation)?, Activation::Linear) {
        return Ok(());
    }
    Err(Error::param(
        "activation",
        activation,
        "linear when --outputs C > 1 is given: the C-output law F13 is exact for the linear \
         network only. For a nonlinear network with C = O(1) outputs the dual Gram is \
         asymptotically I_C ⊗ Θ (C copies of the single-output NTK), so the single-output law \
         applies: use `fim`",
    ))
}

/// `C/N` and the count `C` (if given): from `--outputs-ratio`, or from `--outputs C` and `--n`;
/// `None` for `--outputs 1` (the single-output network).
fn outputs_ratio(p: &OutputsParams, ratios: Ratios) -> Result<Option<(f64, Option<usize>)>> {
    match (p.outputs, p.outputs_ratio) {
        (None, None) => Err(Error::param(
            "outputs-ratio",
            "missing",
            "given: --outputs-ratio C/N, or --outputs C with --n",
        )),
        (Some(_), Some(_)) => Err(Error::param(
            "outputs",
            "given twice",
            "either --outputs C (with --n) or --outputs-ratio C/N",
        )),
        (None, Some(r)) => {
            let r = check::in_range("outputs-ratio", r, 0.0, MAX_OUTPUTS_OVER_WIDTH)?;
            Ok(Some((r, None)))
        }
        (Some(c), None) => {
            check::count("outputs", c, 1, 100_000_000)?;
            let n = p.n.ok_or_else(|| {
                Error::param(
                    "n",
                    "missing",
                    "given (--n) with --outputs C: the theory needs C/N = C/(width_ratio · n); or use \
                     --outputs-ratio C/N",
                )
            })?;
            check::count("n", n, 1, 100_000_000)?;
            if c == 1 {
                return Ok(None);
            }
            let width = ratios.width_over_n * n as f64;
            Ok(Some((c as f64 / width, Some(c))))
        }
    }
}

/// The traces of `F = JᵀJ/n` for `C` outputs (`J` is `(C n) × p`): `tr F = C m1`, `tr F² = C m2/n`.
pub fn outputs_traces(m: &[f64], outputs: Option<usize>, n: Option<usize>) -> serde_json::Value {
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

/// `fim-outputs`: the linear two-layer network with `C` outputs, both layers trained (F13).
pub struct Outputs;

impl SpectralSpec for Outputs {
    const NAME: &'static str = "fim-outputs";
    const SIZES: &'static [&'static str] = &["n", "d", "width", "outputs"];
    const CALIBRATION: &'static [&'static str] = &[include_str!(
        "../../../validation/calibration/fim-linear-outputs.json"
    )];
    const SUMMARY: &'static str =
        "FIM / NTK dual Gram of a linear shallow network with C outputs (both layers; exact mixture over MP).";
    const DOCS: &'static str = "docs/models/fim.md";
    const SELECTED_BY_FLAGS: Option<(&'static str, &'static [&'static str])> =
        Some(("fim", &["outputs-ratio", "outputs"]));
    const RANGES: &'static [(&'static str, &'static str)] = &[
        ("activation", "linear (any of fim's with --outputs 1)"),
        ("sigma-w2", "> 0, finite"),
        ("sigma-v2", "> 0, finite"),
        ("d-ratio", "[1e-4, 1e4]"),
        ("width-ratio", "[1e-4, 1e4]"),
        ("n", "integer in [1, 1e8] (theory); [1, 20000] (sampled)"),
        ("d", "integer in [1, 20000]"),
        ("width", "integer in [1, 20000]"),
        (
            "outputs",
            "integer in [1, 1e8] (theory); [1, 20000] (sampled)",
        ),
        ("outputs-ratio", "[0, 100]"),
        ("bias-coeff", ">= 0, finite [default: C]"),
    ];
    type Params = OutputsParams;
    type Check = OutputsCheck;
    fn theory(p: &OutputsParams) -> Result<Theory> {
        let ratios = Ratios::new(p.d_ratio, p.width_ratio)?;
        let Some((c, count)) = outputs_ratio(p, ratios)? else {
            let net = Net {
                activation: p.activation.clone(),
                sigma_w2: p.sigma_w2,
                sigma_v2: p.sigma_v2,
            };
            let g = net.constants(None)?.1;
            return network_theory(g, ratios, Trained::Both, false, p.space, p.n);
        };
        linear_only(&p.activation)?;
        let law = MultiOutputLinearFim::new(ratios, c, p.sigma_w2, p.sigma_v2)?;
        let m = law.moments();
        let mut extra = serde_json::json!({ "traces": outputs_traces(&m, count, p.n) });
        if let Some(k) = count {
            extra["outputs"] = serde_json::json!(k);
        }
        let (model, axis): (Box<dyn SpectralModel>, &str) = match p.space {
            Space::Dual => (
                Box::new(law),
                "eigenvalues of K = J Jᵀ ((C n) x (C n); FIM = K/n)",
            ),
            Space::Parameter => {
                let n = need_n(p.n)?;
                // the dual is (C n) × (C n); p = N d + C N
                let width = ratios.width_over_n * n as f64;
                let outputs = count.map_or((c * width).round().max(1.0), |k| k as f64);
                let params = width * ratios.d_over_n * n as f64 + outputs * width;
                let dual_size = (outputs * n as f64).round() as usize;
                (
                    Box::new(ParameterSpace::new(
                        Box::new(law),
                        dual_size,
                        (params.round() as usize).max(dual_size),
                    )?),
                    "eigenvalues of Jᵀ J = n F (p x p, p = N d + C N; zero atom 1 - C n/p)",
                )
            }
        };
        Ok(Theory {
            model,
            axis: axis.into(),
            extra,
        })
    }
    fn plan(a: &OutputsCheck) -> Result<Plan> {
        let c = check::count("outputs", a.outputs, 1, 20_000)?;
        if c == 1 {
            return network_plan(
                NetworkRun {
                    net: &a.net,
                    trained: Trained::Both,
                    sizes: (a.n, a.d, a.width),
                    inputs: a.inputs,
                    raw_readout: a.raw_readout,
                    bias_coeff: a.bias_coeff,
                    theory_sigma_w2: None,
                },
                false,
            );
        }
        let ratios = Ratios::from_sizes(a.n, a.d, a.width)?;
        linear_only(&a.net.activation)?;
        let law = MultiOutputLinearFim::new(
            ratios,
            c as f64 / a.width as f64,
            a.net.sigma_w2,
            a.net.sigma_v2,
        )?;
        let sampler = MultiOutputSampler::new(
            a.n,
            a.d,
            a.width,
            c,
            a.net.sigma_w2,
            a.net.sigma_v2,
            a.inputs.unwrap_or(Inputs::Spherical),
            !a.raw_readout,
        )?;
        // the finite-size scale is the block size n, not the dual size C n: b (C n)^-1 with b = C is 1/n
        let options = SpectralValidation {
            bias_coeff: a.bias_coeff.unwrap_or(c as f64),
            calibrated: a.bias_coeff.is_none(),
            bias_rate: 1.0,
            ..SpectralValidation::default()
        };
        let notes = vec![format!(
            "theory: exact C-output law F13 ({}), C/N = {}; tolerance bias {} b (C n)^-1 with b = {} (= {:.3e}; \
             the dual is the union of C blocks of size n = {}, whose rigidity floor is O(1/n))",
            law.name(),
            law.outputs_over_width(),
            if options.calibrated {
                "from the calibration record (note `bias allowances`); without one, the declared"
            } else {
                "as given (--bias-coeff):"
            },
            options.bias_coeff,
            options.bias(c * a.n),
            a.n
        )];
        Ok(Plan {
            theory: Box::new(law),
            sampler: Box::new(sampler),
            options,
            notes,
        })
    }
}

/// `fim-data` in the registry.
pub static FIM_DATA: Spectral<Data<FimLayers>> = Spectral::new();
/// `ck-data` in the registry.
pub static CK_DATA: Spectral<Data<CkLayers>> = Spectral::new();
/// `fim-outputs` in the registry.
pub static FIM_OUTPUTS: Spectral<Outputs> = Spectral::new();
