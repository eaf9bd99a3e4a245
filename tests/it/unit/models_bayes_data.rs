use nalgebra::DMatrix;
use nnlimits::error::Error;
use nnlimits::models::bayes::data::*;

#[test]
fn splitmix_normals_reference() {
    // docs/models/bayes.md ("Reference data sets"): seed 2024 -> 1.143769344817183,
    // 0.6275664934417265, -1.7830448963731438
    let z = splitmix_normals(2024, 3);
    assert_eq!(
        z,
        vec![1.143769344817183, 0.6275664934417265, -1.7830448963731438]
    );
}

#[test]
fn make_ds_checksums() {
    let d = make_ds(20, 5, 40, 2024).unwrap();
    for (k, v) in [1.1437693448, 0.6275664934, -1.7830448964]
        .iter()
        .enumerate()
    {
        assert!((d.x[(0, k)] - v).abs() < 1e-10);
    }
    assert!((d.y.sum() - -2.743377816112).abs() < 1e-11);
    assert!((d.yt.sum() - 2.751137064960).abs() < 1e-11);
    let d = make_ds(50, 20, 50, 7).unwrap();
    for (k, v) in [0.9884743323, -1.8642558067, 0.0039202072]
        .iter()
        .enumerate()
    {
        assert!((d.x[(0, k)] - v).abs() < 1e-10);
    }
    assert!((d.y.sum() - -1.536004718220).abs() < 1e-11);
    assert!((d.yt.sum() - 0.323893203853).abs() < 1e-11);
    let d = make_ds(40, 20, 80, 11).unwrap();
    assert!((d.y.sum() - 8.234730035301).abs() < 1e-11);
    assert!((d.yt.sum() - 3.854364220130).abs() < 1e-11);
    assert_eq!((d.p(), d.n0(), d.d(), d.xt.nrows()), (40, 80, 1, 20));
}

#[test]
fn tiny_realisation_reproduces_gram() {
    let g = tiny(1).unwrap().gram(1.0).unwrap();
    let c = [[1.0, 0.5, 0.2], [0.5, 1.0, 0.3], [0.2, 0.3, 1.0]];
    for (i, row) in c.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            assert!((g.c[(i, j)] - v).abs() < 1e-14);
        }
    }
    for (k, v) in [0.4, 0.3, 0.6].iter().enumerate() {
        assert!((g.c0[(0, k)] - v).abs() < 1e-14);
    }
    assert!((g.c00[0] - 1.0).abs() < 1e-14);
}

#[test]
fn bad_data_is_rejected() {
    let ok = make_ds(5, 2, 3, 1).unwrap();
    let mut nan = ok.clone();
    nan.y[(2, 0)] = f64::NAN;
    assert!(matches!(nan.validate(), Err(Error::InvalidData(m)) if m.contains("non-finite")));
    assert!(make_ds(0, 2, 3, 1).is_err());
    let e = Dataset::new(
        DMatrix::zeros(0, 3),
        DMatrix::zeros(0, 1),
        DMatrix::zeros(0, 3),
        DMatrix::zeros(0, 1),
    );
    assert!(matches!(e, Err(Error::InvalidData(m)) if m.contains("P = 0")));
    let e = Dataset::new(
        ok.x.clone(),
        ok.y.rows(0, 4).into_owned(),
        ok.xt.clone(),
        ok.yt.clone(),
    );
    assert!(matches!(e, Err(Error::InvalidData(m)) if m.contains("labels")));
    let e = Dataset::new(
        ok.x.clone(),
        ok.y.clone(),
        DMatrix::zeros(2, 4),
        ok.yt.clone(),
    );
    assert!(matches!(e, Err(Error::InvalidData(m)) if m.contains("dimension")));
    let asym = DMatrix::from_row_slice(2, 2, &[1.0, 0.5, 0.1, 1.0]);
    let e = Gram::new(
        asym,
        DMatrix::zeros(0, 2),
        vec![],
        DMatrix::zeros(2, 1),
        DMatrix::zeros(0, 1),
    );
    assert!(matches!(e, Err(Error::InvalidData(m)) if m.contains("symmetric")));
    assert!(ok.gram(-1.0).is_err());
}

#[test]
fn csv_round_trip_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("d.csv");
    std::fs::write(
        &p,
        "split,x1,x2,y\ntrain,1,0,0.5\ntrain,0,1,-0.5\ntest,1,1,0\n",
    )
    .unwrap();
    let d = Dataset::from_csv(&p).unwrap();
    assert_eq!((d.p(), d.n0(), d.d(), d.xt.nrows()), (2, 2, 1, 1));
    assert_eq!(d.y[(1, 0)], -0.5);
    std::fs::write(&p, "split,x1,y\ntrain,1,nan\n").unwrap();
    assert!(matches!(Dataset::from_csv(&p), Err(Error::InvalidData(_))));
    std::fs::write(&p, "split,x1,y\ntrain,1,abc\n").unwrap();
    assert!(matches!(Dataset::from_csv(&p), Err(Error::Parse { .. })));
    std::fs::write(&p, "split,x1,y\ntest,1,2\n").unwrap();
    assert!(matches!(Dataset::from_csv(&p), Err(Error::InvalidData(m)) if m.contains("P = 0")));
}
