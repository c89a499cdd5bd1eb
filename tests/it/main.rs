//! truce's integration tests: one binary, one module per area.

mod common;

mod bad_input;
mod docs;
mod engine;
