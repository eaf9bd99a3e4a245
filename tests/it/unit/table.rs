use nnlimits::io::Provenance;
use nnlimits::table::*;
use serde_json::Value;
use std::collections::BTreeMap;

#[test]
fn sweeps_and_shards() {
    let s = Sweep::parse("ratio=0.1:2.0:40").unwrap();
    assert_eq!(s.values.len(), 40);
    assert_eq!(s.values[0], "0.1");
    assert_eq!(s.values[39], "2");
    let a = Sweep::parse("activation=tanh,relu").unwrap();
    let all = cartesian(&[s.clone(), a.clone()]);
    assert_eq!(all.len(), 80);
    assert_eq!(row_count(&[s.clone(), a.clone()]).unwrap(), 80);
    for (i, r) in all.iter().enumerate() {
        assert_eq!(&cartesian_row(&[s.clone(), a.clone()], i), r);
    }
    for bad in [
        "ratio",
        "=1,2",
        "ratio=1:2",
        "ratio=a:2:3",
        "ratio=0:1:0",
        "ratio=",
    ] {
        assert!(Sweep::parse(bad).is_err(), "{bad}");
    }
    let sh = Shard::parse("1/3").unwrap();
    assert!(sh.contains(4) && !sh.contains(3));
    for bad in ["3/3", "1", "a/2", "0/0"] {
        assert!(Shard::parse(bad).is_err());
    }
}

/// `table mp --sweep ratio=0.1:2:1000000 --sweep scale=0.5:2:1000000` asked for 1e12 rows: refused
/// at once, before any row is built, with the sizes in the message.
#[test]
fn huge_sweep_products_are_refused_before_building() {
    let r = Sweep::parse("ratio=0.1:2:1000000").unwrap();
    let s = Sweep::parse("scale=0.5:2:1000000").unwrap();
    let e = row_count(&[r.clone(), s.clone()]).unwrap_err().to_string();
    assert!(
        e.contains("1000000000000 rows = ratio (1000000) x scale (1000000)"),
        "{e}"
    );
    assert!(e.contains("at most 10000000 rows"), "{e}");
    let meta = TableMeta {
        provenance: Provenance::with_command(&[]),
        base: vec!["spectrum".into(), "mp".into()],
        sweeps: vec![r.clone(), s],
        total_rows: 0,
        shard: None,
        solver: Default::default(),
        omitted: vec![],
    };
    let called = std::sync::atomic::AtomicUsize::new(0);
    let out = try_run(
        meta,
        |_| {
            called.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(Value::Null)
        },
        || {},
    );
    assert!(out.is_err());
    assert_eq!(called.into_inner(), 0);
    // under the row cap, the memory budget still applies (11 kB per row, 1e7 rows: 112 GB)
    let big = Sweep {
        key: "x".into(),
        values: vec!["1".repeat(10_000), "2".into()],
    };
    let many = Sweep::parse("y=0:1:1000000").unwrap();
    let many2 = Sweep::parse("z=0:1:5").unwrap();
    match row_count(&[big, many, many2]) {
        Err(e) => assert!(
            e.to_string().starts_with(
                "a table of 10000000 rows needs about 112 GB, more than the memory budget"
            ),
            "{e}"
        ),
        Ok(n) => assert!(n == 10_000_000 && nnlimits::budget::get() > 112_000_000_000),
    }
}

#[test]
fn placeholders_are_substituted_other_keys_become_flags() {
    let base: Vec<String> = ["spectrum", "expr", "mp({c}) + sc({s})", "--at", "1"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let over = vec![
        ("c".to_string(), "0.5".to_string()),
        ("s".to_string(), "2".to_string()),
        ("points".to_string(), "10".to_string()),
    ];
    assert_eq!(
        row_args(&base, &over),
        [
            "spectrum",
            "expr",
            "mp(0.5) + sc(2)",
            "--at",
            "1",
            "--points",
            "10"
        ]
    );
}

#[test]
fn flatten_json() {
    let v = serde_json::json!({"a": 1, "b": {"c": [1, 2]}, "points": [{"x": 0.5, "density": 2.0}],
                               "long": vec![0; 20], "provenance": {"x": 1}, "s": "t"});
    let (cols, omitted) = flatten(&v);
    let m: BTreeMap<String, Value> = cols.into_iter().collect();
    assert_eq!(m["a"], 1);
    assert_eq!(m["b.c[1]"], 2);
    assert_eq!(m["density@0.5"], 2.0);
    assert_eq!(m["s"], "t");
    assert!(!m.contains_key("provenance.x"));
    assert_eq!(omitted, vec!["long (20 entries)".to_string()]);
}
