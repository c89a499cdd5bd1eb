//! The unit tests' way to load a shipped scenario (with `--set`s) as a model.

use super::Model;

/// `scenarios/<file>` under these `--set`s.
pub(crate) fn shipped(file: &str, sets: &[&str]) -> Model {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(file);
    let overrides = crate::scenario::Overrides { sets: sets.iter().map(|s| s.to_string()).collect(), withs: vec![] };
    Model::new(crate::scenario::load(&path, &overrides).unwrap_or_else(|e| panic!("scenarios/{file} loads: {e}")))
}

/// The shipped baseline as it is.
pub(crate) fn baseline() -> Model {
    shipped("baseline.toml", &[])
}
