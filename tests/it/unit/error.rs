use nnlimits::error::*;

/// Messages print numbers compactly (a 1e-300 bound used to print as 300 digits).
#[test]
fn numbers_in_messages_are_compact() {
    assert_eq!(num(0.5), "0.5");
    assert_eq!(num(50.0), "50");
    assert_eq!(num(1e-300), "1e-300");
    assert_eq!(num(1e300), "1e300");
    assert_eq!(num(f64::NAN), "NaN");
    let e = Error::param("width", f64::MIN_POSITIVE, "in [1, 2]");
    assert!(
        e.to_string().contains("`width` = 2.2250738585072014e-308:"),
        "{e}"
    );
    let e = check::in_range("lambda", f64::MIN_POSITIVE, 1e-300, 1e300).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid parameter `lambda` = 2.2250738585072014e-308: must be in [1e-300, 1e300]"
    );
    assert_eq!(
        check::positive("ratio", -1.0).unwrap_err().to_string(),
        "invalid parameter `ratio` = -1: must be finite and > 0"
    );
    let e = check::product_in("sigma2", &[1e200, 1e200], 1e-100, 1e100).unwrap_err();
    assert!(e.to_string().contains("product in [1e-100, 1e100]"), "{e}");
}
