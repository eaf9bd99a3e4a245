use nnlimits::error::Error;
use nnlimits::io::*;
use std::path::Path;

#[test]
fn atomic_write_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("out.txt");
    write_atomic(&p, b"hello").unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"hello");
    let bad = dir.path().join("missing-dir").join("out.txt");
    let e = write_atomic(&bad, b"x").unwrap_err();
    assert!(e.to_string().contains("cannot write"), "{e}");
    assert!(check_writable(&bad).is_err());
    assert!(write_atomic(dir.path(), b"x").is_err());
    // no temporary files left behind
    let n = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(n, 1);
}

#[cfg(unix)]
#[test]
fn devices_are_written_in_place() {
    use std::os::unix::fs::FileTypeExt;
    let p = Path::new("/dev/null");
    check_writable(p).unwrap();
    write_atomic(p, b"x").unwrap();
    assert!(std::fs::metadata(p).unwrap().file_type().is_char_device());
}

/// Bounded reads: a small file reads; `/dev/zero`, an oversized file and a directory are refused
/// quickly with one-line messages; invalid UTF-8 is a parse error.
#[test]
fn capped_reads() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.txt");
    std::fs::write(&p, "hello").unwrap();
    assert_eq!(read_to_string_capped(&p, 5, "test").unwrap(), "hello");
    let e = read_to_string_capped(&p, 4, "claim")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("larger than 4 B (the limit for a claim file)"),
        "{e}"
    );
    let e = read_to_string_capped(dir.path(), 100, "table")
        .unwrap_err()
        .to_string();
    assert!(e.contains("is a directory, not a table file"), "{e}");
    #[cfg(unix)]
    {
        let e = read_to_string_capped(Path::new("/dev/zero"), 1_000_000, "data")
            .unwrap_err()
            .to_string();
        assert!(e.contains("larger than 1 MB"), "{e}");
    }
    std::fs::write(&p, [0xff, 0xfe]).unwrap();
    let e = read_to_string_capped(&p, 100, "data").unwrap_err();
    assert!(matches!(e, Error::Parse { .. }), "{e}");
    assert!(!e.to_string().contains('\n'));
    let e = read_to_string_capped(&dir.path().join("missing"), 100, "data").unwrap_err();
    assert!(e.to_string().starts_with("cannot read"), "{e}");
}

/// A symbolic link is written through (the link stays, its target changes); modes: new files 0644,
/// existing files keep theirs.
#[cfg(unix)]
#[test]
fn writes_through_links_and_keeps_modes() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let target = sub.join("real.csv");
    std::fs::write(&target, "old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink("sub/real.csv", &link).unwrap();
    write_atomic(&link, b"new").unwrap();
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read(&target).unwrap(), b"new");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode(&target), 0o600);
    let fresh = dir.path().join("fresh.svg");
    write_atomic(&fresh, b"x").unwrap();
    assert_eq!(mode(&fresh), 0o644);
    // a dangling link creates its target
    let dangling = dir.path().join("dangling");
    std::os::unix::fs::symlink("sub/made.txt", &dangling).unwrap();
    write_atomic(&dangling, b"y").unwrap();
    assert_eq!(std::fs::read(sub.join("made.txt")).unwrap(), b"y");
    check_writable(&dangling).unwrap();
    // a link loop is an error, not a hang
    let a = dir.path().join("loop-a");
    let b = dir.path().join("loop-b");
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    assert!(write_atomic(&a, b"z").is_err());
    // no temporary files left anywhere
    let leftovers = std::fs::read_dir(&sub)
        .unwrap()
        .chain(std::fs::read_dir(dir.path()).unwrap())
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".nnlimits")
        })
        .count();
    assert_eq!(leftovers, 0);
}

/// `-` is standard output; other paths are written atomically.
#[test]
fn dash_is_stdout() {
    assert!(is_stdout(Path::new("-")));
    assert!(!is_stdout(Path::new("./-")));
    check_writable(Path::new("-")).unwrap();
    write_output(Path::new("-"), b"").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("o.json");
    write_output(&p, b"{}").unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"{}");
}

/// Two outputs naming one file (also through `..`, `./` and symbolic links) and an output naming an
/// input are refused; the message names both flags.
#[test]
fn distinct_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a = d.join("a.svg");
    let a2 = d.join("sub").join("..").join("a.svg");
    std::fs::create_dir(d.join("sub")).unwrap();
    let b = d.join("b.json");
    check_distinct(&[("--plot", &a), ("--report", &b)], &[]).unwrap();
    let e = check_distinct(&[("--plot", &a), ("--report", &a2)], &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("--report") && e.contains("--plot"), "{e}");
    let e = check_distinct(&[("--out", &a)], &[("--inputs", &a2)])
        .unwrap_err()
        .to_string();
    assert!(e.contains("--out") && e.contains("--inputs"), "{e}");
    assert!(!e.contains('\n'));
    #[cfg(unix)]
    {
        std::fs::write(&b, "{}").unwrap();
        let l = d.join("sub").join("link.json");
        std::os::unix::fs::symlink(&b, &l).unwrap();
        assert!(check_distinct(&[("--report", &b), ("--plot", &l)], &[]).is_err());
        assert!(check_distinct(&[("--out", &l)], &[("--data", &b)]).is_err());
    }
    let dash = Path::new("-");
    check_distinct(&[("--report", dash), ("--out", dash)], &[]).unwrap();
}

#[test]
fn quoting() {
    assert_eq!(shell_quote("--ratio"), "--ratio");
    assert_eq!(shell_quote("a b"), "'a b'");
    assert_eq!(shell_quote("it's"), r"'it'\''s'");
}
