//! Every program in `examples/` is declared in Cargo.toml with `required-features = ["examples"]`, so that
//! `cargo test` does not compile it (docs/robustness.md, "Build time"); an undeclared example would be
//! auto-discovered and built by every test run.

#[test]
fn every_example_needs_the_examples_feature() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let mut names = vec![];
    for entry in std::fs::read_dir(root.join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            names.push(path.file_stem().unwrap().to_string_lossy().into_owned());
        } else if path.join("main.rs").is_file() {
            names.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    assert!(names.len() >= 10, "only {} examples found", names.len());
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| {
            !manifest.contains(&format!(
                "[[example]]\nname = \"{n}\"\nrequired-features = [\"examples\"]"
            ))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "examples without required-features = [\"examples\"] in Cargo.toml: {missing:?}"
    );
}
