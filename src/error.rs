//! Failures a user can fix: bad input or usage, exit code 2 (docs/outputs.md). The other kinds
//! have their own types where they arise: `scenario::ScenarioError` (a scenario file, exit 2),
//! `files::EnvError` (the environment: a file or folder that cannot be read or written, exit 3),
//! `output::claim::{Refused, Busy}` (an output folder truce will not replace, exit 2, or one in
//! use, exit 3); anything else is a bug in truce (exit 1).

/// Bad input or usage, in a sentence with its fix: an unknown parameter path for `--vary`, a
/// metric that is not an outcome, a runs.csv that cannot fit on the disk.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);
