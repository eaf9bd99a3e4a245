use nnlimits::budget::*;

#[test]
fn sizes_parse() {
    assert_eq!(parse_size("1GB").unwrap(), 1_000_000_000);
    assert_eq!(parse_size("512MB").unwrap(), 512_000_000);
    assert_eq!(parse_size("2GiB").unwrap(), 2 << 30);
    assert_eq!(parse_size("2 gib").unwrap(), 2 << 30);
    assert_eq!(parse_size("1.5GB").unwrap(), 1_500_000_000);
    assert_eq!(parse_size("3000000").unwrap(), 3_000_000);
    assert_eq!(parse_size("4G").unwrap(), 4 << 30);
    for bad in [
        "",
        "GB",
        "1XB",
        "-1GB",
        "nan",
        "inf",
        "1e999",
        "10",
        "0",
        "1..2GB",
        "1 2GB",
        "💥",
        "99999999999999999999999TB",
    ] {
        let e = parse_size(bad).unwrap_err();
        assert!(e.to_string().contains("max-memory"), "{bad}: {e}");
    }
}

#[test]
fn human_sizes() {
    assert_eq!(human(512), "512 B");
    assert_eq!(human(80_000_000_000), "80 GB");
    assert_eq!(human(12_600_000_000), "12.6 GB");
    assert_eq!(human(4 << 30), "4.29 GB");
    assert_eq!(human(1_000_000), "1 MB");
    assert_eq!(human(u64::MAX), "18.4 EB");
}

#[test]
fn message_is_one_line_with_sizes() {
    let e = check_against("dln input generation", 80_000_000_000, 12_600_000_000).unwrap_err();
    assert_eq!(
        e.to_string(),
        "dln input generation needs about 80 GB, more than the memory budget 12.6 GB \
         (raise it with --max-memory)"
    );
    check_against("x", 10, 10).unwrap();
    // saturating estimates never wrap around to a small number
    assert_eq!(f64s(elements(&[usize::MAX, usize::MAX, 8])), u64::MAX);
    assert!(check("anything", u64::MAX).is_err());
    scoped(1000, || {
        assert_eq!(get(), 1000);
        assert!(check("x", 1001).is_err());
        // nested scopes restore the outer one
        scoped(5000, || assert!(check("x", 1001).is_ok()));
        assert!(check("x", 1001).is_err());
    });
    assert_ne!(get(), 1000);
}

#[test]
fn default_from_meminfo() {
    assert_eq!(
        parse_meminfo("MemTotal:       24576000 kB\nMemFree: 1 kB\n"),
        Some(24_576_000 * 1024)
    );
    assert_eq!(parse_meminfo("garbage"), None);
    assert_eq!(parse_meminfo("MemTotal: 0 kB"), None);
    let d = default_budget();
    set(d);
    assert_eq!(get(), d);
    set(0);
    assert_eq!(get(), d);
    assert!(d >= 1 << 20, "{d}");
    if let Some(p) = physical_memory() {
        assert_eq!(d, (p as f64 * DEFAULT_FRACTION) as u64);
    } else {
        assert_eq!(d, FALLBACK_BYTES);
    }
}
