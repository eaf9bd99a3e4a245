use nnlimits::validate::eigfile::*;
use std::path::Path;

#[test]
fn layouts_and_errors() {
    let p = Path::new("t.csv");
    let d = parse_draws("eigenvalue\n1\n2\n\n3, 4 5\n# c\n", p).unwrap();
    assert_eq!(d, vec![vec![1.0, 2.0], vec![3.0, 4.0, 5.0]]);
    let d = parse_draws("draw,eigenvalue\n1,0.5\n0,2\n1,1e-3\n", p).unwrap();
    assert_eq!(d, vec![vec![2.0], vec![0.5, 1e-3]]);
    let e = parse_draws("1\n2\nNaN\n", p).unwrap_err().to_string();
    assert!(e.contains("line 3") && e.contains("not finite"), "{e}");
    let e = parse_draws("1\nx\n", p).unwrap_err().to_string();
    assert!(e.contains("line 2"), "{e}");
    let e = parse_draws("draw,eigenvalue\n-1,2\n", p)
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 2"), "{e}");
    assert!(parse_draws("\n# only\n", p).is_err());
    assert!(read_draws(Path::new("/nonexistent/x.csv")).is_err());
}
