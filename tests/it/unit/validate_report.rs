use nnlimits::validate::report::*;

#[test]
fn student_t_allowance() {
    assert!(z_crit(1).is_infinite());
    // scipy.stats.t.ppf(norm.cdf(4), df): 32.616397, 6.998639, 4.670455
    assert!((z_crit(4) - 32.616397).abs() < 1e-4, "{}", z_crit(4));
    assert!((z_crit(10) - 6.998639).abs() < 1e-4, "{}", z_crit(10));
    assert!((z_crit(30) - 4.670455).abs() < 1e-4, "{}", z_crit(30));
    assert!((z_crit(100_000) - 4.0).abs() < 0.01);
}

#[test]
fn verdict_follows_checks() {
    let ok = Check::statistical("m1", 1.0, 1.01, 0.01, 4.0, 0.0);
    let bad = Check::statistical("m2", 1.0, 1.5, 0.01, 4.0, 0.0);
    assert!(ok.pass && !bad.pass);
    assert!((bad.z() - 50.0).abs() < 1e-9);
    let r = Report::new(
        "t",
        serde_json::json!({}),
        serde_json::json!({}),
        1,
        1,
        vec![ok.clone()],
        vec![],
    );
    assert_eq!(r.verdict, Verdict::Pass);
    let r = Report::new(
        "t",
        serde_json::json!({}),
        serde_json::json!({}),
        1,
        1,
        vec![ok, bad],
        vec![],
    );
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(r.summary().contains("FAIL"));
    // the failed check decides, with its margin 0.5 / 0.04
    let d = r.decided_by.clone().unwrap();
    assert_eq!(d.check, "m2");
    assert!((d.margin - 12.5).abs() < 1e-9);
    assert_eq!(r.margins.len(), 2);
    assert!((r.margins[0].margin - 0.25).abs() < 1e-9);
    assert!(r.decided_by_caption().contains("FAIL decided by m2"));
    // an empty report is never a pass
    let r = Report::new(
        "t",
        serde_json::json!({}),
        serde_json::json!({}),
        1,
        1,
        vec![],
        vec![],
    );
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(!Check::distance("ks", f64::NAN, 0.1, "x").pass);
}
