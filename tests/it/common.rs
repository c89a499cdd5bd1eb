//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::PathBuf;

use assert_cmd::Command;

/// The project root (where Cargo.toml is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A `truce` command run from the project root.
pub fn truce() -> Command {
    let mut cmd = Command::cargo_bin("truce").expect("the truce binary is built");
    cmd.current_dir(root());
    cmd
}

/// Loads a shipped scenario (path relative to the project root) with `--set` overrides.
pub fn load(path: &str, sets: &[&str]) -> truce::scenario::Scenario {
    let overrides = truce::scenario::Overrides { sets: sets.iter().map(|s| s.to_string()).collect(), withs: vec![] };
    match truce::scenario::load(&root().join(path), &overrides) {
        Ok(s) => s,
        Err(e) => panic!("{path} does not load:\n{e}"),
    }
}

/// A fresh temporary directory.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temp dir can be made")
}

/// The 4·sd/√N tolerance for a proportion estimated from N Bernoulli draws.
pub fn tol_p(p: f64, n: u64) -> f64 {
    4.0 * (p * (1.0 - p) / n as f64).sqrt()
}

/// A `truce` process (std's Command, for a server the test talks to while it runs), from the
/// project root.
pub fn truce_std() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_truce"));
    cmd.current_dir(root());
    cmd
}
