//! truce's integration tests: one binary, one module per area.

mod common;

mod alloc;
mod analysis;
mod bad_input;
mod browser;
mod calibration;
mod charts;
mod doc_commands;
mod docs;
mod engine;
mod folders;
mod hardening;
mod levers;
mod negotiation;
mod notebook;
mod notebook_damaged;
mod properties;
mod readme_images;
mod report;
mod rolling;
mod serve;
mod shards;
mod shards_analyses;
mod slurm;
mod structure;
mod validation;
