//! Analyses built on many runs of a scenario: `compare` (scenarios side by side), `sweep` (a grid
//! of parameter values) and `sensitivity` (a tornado of the uncertain parameters, PRCC, and
//! externally designed experiments). See `docs/analysis.md`.
//!
//! Every analysis runs its scenarios with the same master seed and the same rollout indices, so
//! rollout i of each run shares its random streams (common random numbers): differences between
//! runs come from the parameters, not from luck, and paired intervals are narrow.
//!
//! Code map: `tally` runs one scenario and keeps each rollout's outcome; `intervals` holds the
//! Wilson and paired intervals; `prcc` the partial rank correlations; `hold` makes a scenario
//! with parameters held at given values, in memory; `grid` reads `--vary`; `compare`, `sweep`
//! and `sensitivity` are the three analyses. Their command-line glue (progress bars, printed
//! tables) is `cli/analysis.rs`.

pub mod compare;
pub mod grid;
pub mod hold;
pub mod intervals;
pub mod prcc;
pub mod sensitivity;
pub mod sweep;
pub mod tally;

use crate::model::Outcome;

pub use crate::error::InputError;

/// Parses an outcome name given as a metric (`--metric settlement`).
pub fn parse_metric(name: &str) -> Result<Outcome, InputError> {
    Outcome::parse(name).ok_or_else(|| {
        let names: Vec<&str> = Outcome::ALL.iter().map(|o| o.name()).collect();
        let hint = match crate::scenario::diag::nearest(name, names.iter().copied()) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("expected one of {}", names.join(", ")),
        };
        InputError(format!("`{name}` is not an outcome; {hint}"))
    })
}

/// Index of an outcome in `Outcome::ALL` (the order of every table).
pub fn outcome_index(o: Outcome) -> usize {
    Outcome::ALL.iter().position(|x| *x == o).unwrap_or(0)
}
