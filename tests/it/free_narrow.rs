//! `pop(A, c)` with `c > 1` (the law has an atom at 0): solved in the companion variable
//! `g_B = c g + (c - 1)/z` (docs/models/expr.md, "Narrow layers"). Narrow layers of deep linear
//! networks (`--width-ratio` below 1), refused before at every depth, are computed.

use nnlimits::model::SpectralModel;
use nnlimits::models::free::Expression;
use nnlimits::models::mp::MarchenkoPastur;
use num_complex::Complex64 as C64;

fn expr(s: &str) -> Expression {
    Expression::parse_plain(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// The companion solution satisfies the direct sample-covariance equation `g = g_A(z/w)/w`,
/// `w = 1 - c - c z g`, with the closed-form MP operand, to rounding: far from the support, next to the
/// atom at 0 and next to the support's edges.
#[test]
fn companion_solution_solves_the_direct_equation() {
    for (c, a) in [(2.0, 0.5), (1.25, 1.0), (4.0, 0.25)] {
        let law = expr(&format!("pop(mp({a}), {c})"));
        let mp = MarchenkoPastur::new(a, 1.0).unwrap();
        for z in [
            C64::new(0.7, 0.3),
            C64::new(-0.01, 1e-3),
            C64::new(1e-4, 1e-6),
            C64::new(3.0, 1e-8),
            C64::new(50.0, 10.0),
        ] {
            let g = law.stieltjes(z).unwrap();
            let w = 1.0 - c - c * z * g;
            let direct = mp.stieltjes_closed(z / w) / w;
            assert!(
                (g - direct).norm() <= 1e-10 * g.norm(),
                "pop(mp({a}), {c}) at {z}: {g} vs {direct}"
            );
            assert!(g.im > 0.0, "pop(mp({a}), {c}) at {z}: {g}");
        }
    }
}

/// Total mass within `mass_tol`, the atom at 0, and the quadrature moments equal to the exact ones
/// (free cumulants) within 1e-7.
fn assert_law(v: &serde_json::Value, atom: f64, mass_tol: f64, what: &str) {
    crate::common::assert_quadrature(v, mass_tol, 4, 1e-7, what);
    let at0 = v["atoms"][0]["mass"].as_f64().unwrap();
    assert_eq!(v["atoms"][0]["at"].as_f64(), Some(0.0), "{what}");
    assert!((at0 - atom).abs() < 1e-12, "{what}: atom {at0}");
}

/// Deep linear networks with layers of 0.8 n units, refused before at every depth (depth 1 within
/// 0.05 s, "did not converge"; depth 3 after 38 s): depths 1 to 4, with the atom `1 - 0.8 = 0.2` at 0.
/// From depth 2 the atom sits on the hard edge of the nonzero part, whose exponent is `1/2` at depth
/// 2 and `2/3` from depth 3 on (reached only within ~1e-8 of the width: the three-term local law of
/// the edge). Depth 5 is refused with a typed error, within seconds.
#[test]
fn narrow_deep_linear_networks() {
    let net = |depth| {
        [
            "ck",
            "--activation",
            "linear",
            "--width-ratio",
            "0.8",
            "--depth",
            depth,
        ]
    };
    for depth in ["1", "2", "3", "4"] {
        let v = crate::common::spectrum_json(&net(depth));
        assert_law(&v, 0.2, 2e-3, &format!("depth {depth}"));
    }
    let mut args = vec!["spectrum"];
    args.extend(net("5"));
    args.extend(["--points", "3"]);
    let (code, _, err) = crate::common::nnlimits(&args);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: "), "{err}");
}

/// Refused before with the direct form ("did not converge" next to the atom at 0): even single pops,
/// `pop(mp(0.5), 2)` and `pop(unif(0, 1), 1.25)`, and `pop(pop(mp(0.5), 1.25), 1.25)` (a typed error
/// after about 6 s). Now the laws, with their quadrature moments. (Where the direct form converged,
/// the two agree: densities within 1e-13 relative, measured on five laws.)
#[test]
fn nested_narrow_pops() {
    for (e, atom) in [
        ("pop(mp(0.5), 2)", 0.5),
        ("pop(unif(0, 1), 1.25)", 0.2),
        ("pop(pop(mp(0.5), 1.25), 1.25)", 0.2),
        ("pop(pop(pop(pop(mp(0.5), 1.25), 1.25), 1.25), 1.25)", 0.2),
        ("pop(pop(mp(2), 2), 2)", 0.5),
    ] {
        let v = crate::common::spectrum_json(&["expr", e]);
        assert_law(&v, atom, 1e-3, e);
    }
}

/// Monte Carlo (`n = 400`, layers of 320 units, 4 draws): the narrow depth-3 linear network and the
/// depth-6 erf network with `d = 600` (which ran for more than 5 minutes before) pass, and the same
/// draws fail against a weight variance 10% (linear) or 20% (erf) too large.
#[test]
fn narrow_deep_networks_against_actual_networks() {
    for (net, wrong) in [
        (["linear", "3", "400", "320,320,320"], "1.1"),
        (["erf", "6", "600", "320,320,320,320,320,320"], "1.2"),
    ] {
        crate::common::passes_and_control_fails(
            &[
                "ck",
                "--activation",
                net[0],
                "--depth",
                net[1],
                "--d",
                net[2],
                "--widths",
                net[3],
                "--n",
                "400",
                "--samples",
                "4",
                "--seed",
                "1",
                "--quiet",
            ],
            &["--theory-sigma-w2", wrong],
        );
    }
}
