use nnlimits::registry::calibrate::*;

#[test]
fn a_record_from_the_registry_plan() {
    // MP at n = 40 and 80 (factors 0.5, 1 of --size 80), 2 seeds of 3 draws: sizes are the
    // eigenvalues per draw, every statistic is fitted, seeds start at 1000
    let c = calibrate_model(
        "mp",
        &[
            "--ratio",
            "0.5",
            "--size",
            "80",
            "--out",
            "unused.json",
            "--samples",
            "3",
            "--seeds",
            "2",
            "--factors",
            "0.5,1",
        ],
        true,
    )
    .unwrap();
    assert_eq!(c.family, "mp");
    assert_eq!(c.sizes, [40, 80]);
    assert_eq!(c.seeds, [1000, 1001]);
    assert_eq!(c.draws, 3);
    for k in ["ks", "l1_histogram", "m1", "m2"] {
        assert!(
            c.bias[k].b > 0.0 && (0.25..=1.0).contains(&c.bias[k].r),
            "{k}"
        );
    }
    assert!(calibrate_model("mp", &["--out", "x", "--factors", "1"], true).is_err());
    assert!(calibrate_model("dln", &["--out", "x"], true).is_err());
}
