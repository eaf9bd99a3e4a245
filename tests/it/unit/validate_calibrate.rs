use nnlimits::validate::calibrate::*;

/// Number of record texts the registry declares (distinct texts).
fn declared_texts() -> usize {
    let mut texts: Vec<&str> = nnlimits::registry::all()
        .iter()
        .flat_map(|e| e.calibration().iter().copied())
        .collect();
    texts.sort_unstable();
    texts.dedup();
    texts.len()
}

#[test]
fn fit_recovers_a_power_law_and_bounds_every_point() {
    let pts: Vec<(usize, f64)> = [100usize, 200, 400, 800]
        .iter()
        .flat_map(|&n| {
            [0.9, 1.0, 1.1]
                .iter()
                .map(move |&f| (n, f * 2.0 * (n as f64).powf(-0.7)))
        })
        .collect();
    let p = fit(&pts).unwrap();
    assert!((p.r - 0.7).abs() < 1e-9, "{p:?}");
    assert!(pts.iter().all(|&(n, v)| p.at(n) >= v));
    // the safety margin: 3 sd of the log residuals (sd ~ 0.085 here) above the central fit
    assert!(p.b > 2.0 * 1.1 && p.b < 2.0 * 1.6, "{p:?}");
    assert!(fit(&[(100, 0.1)]).is_err());
}

#[test]
fn shipped_records_parse_and_cover_the_families() {
    assert_eq!(records().len(), declared_texts());
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("validation/calibration");
    let files = std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json")
        })
        .count();
    assert!(files >= 15, "{files} records");
    assert_eq!(
        records().len(),
        files,
        "every shipped record (validation/calibration/*.json) is declared by a registry entry"
    );
    for c in records() {
        assert!(c.sizes.len() >= 2 && !c.seeds.is_empty(), "{}", c.family);
        assert!(c.seeds.iter().all(|&s| s >= 1000), "{}", c.family);
        for (k, p) in &c.bias {
            assert!(
                p.b.is_finite() && p.b >= 0.0 && p.r > 0.0,
                "{} {k}",
                c.family
            );
        }
        assert!(c.bias.contains_key("ks"), "{}", c.family);
    }
    assert!(lookup("mp").is_some());
}

#[test]
fn dates() {
    assert_eq!(utc_date(0), "1970-01-01");
    assert_eq!(utc_date(1_764_288_000), "2025-11-28");
}

#[test]
fn family_keys() {
    let mp = nnlimits::models::mp::MarchenkoPastur::new(0.5, 1.0).unwrap();
    assert_eq!(family(&mp), "mp");
    // the centred deep NTK: one record up to depth 2, one per depth from 3 (only depth 3 shipped)
    let act = nnlimits::models::fim::Activation::Relu;
    let key = |depth: usize| {
        let law = nnlimits::models::deep::ntk::DeepNtk::with_centring(
            &act,
            1.0,
            1.0,
            1.0,
            &vec![1.5; depth],
            true,
        )
        .unwrap();
        family(&law)
    };
    assert_eq!(key(2), "fim-deep-centred");
    assert_eq!(key(3), "fim-deep-centred-L3");
    assert_eq!(key(4), "fim-deep-centred-L4");
    let shipped: Vec<String> = nnlimits::validate::calibrate::records()
        .into_iter()
        .map(|c| c.family)
        .collect();
    assert!(
        shipped.contains(&"fim-deep-centred-L3".to_string()),
        "{shipped:?}"
    );
    assert!(
        !shipped.contains(&"fim-deep-centred-L4".to_string()),
        "{shipped:?}"
    );
}
