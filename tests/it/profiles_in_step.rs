//! The Python crate (`python/`, a workspace of its own) repeats the root crate's release-profile
//! overrides, because cargo cannot share profiles across workspaces; with the same settings CI's Python
//! build reuses every dependency compiled by `cargo test --release`. This test keeps the two in step.

use std::collections::BTreeMap;

/// `[profile.release.package.NAME]` tables of a manifest: name -> sorted `key = value` lines.
fn release_overrides(manifest: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            current = line
                .strip_prefix("[profile.release.package.")
                .and_then(|s| s.strip_suffix(']'))
                .map(|s| s.trim_matches('"').to_string());
            if let Some(name) = &current {
                out.entry(name.clone()).or_default();
            }
        } else if let Some(name) = &current {
            if !line.is_empty() && !line.starts_with('#') {
                out.get_mut(name).unwrap().push(line.replace(' ', ""));
            }
        }
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

#[test]
fn python_release_profile_matches_the_root_crate() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
    let main = release_overrides(&read("Cargo.toml"));
    let mut python = release_overrides(&read("python/Cargo.toml"));
    // in the Python build nnlimits is a dependency, so "*" would reach it: it keeps the root build's
    // default codegen units explicitly
    assert_eq!(
        python.remove("nnlimits"),
        Some(vec!["codegen-units=16".to_string()])
    );
    assert!(main.contains_key("*"), "{main:?}");
    assert_eq!(main, python);
}
