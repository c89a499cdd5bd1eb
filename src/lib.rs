//! truce: Monte Carlo simulation of wars that are fought and negotiated at the same time.
//!
//! The library is the whole product; the binary is thin glue. See ARCHITECTURE.md for the map.

pub mod analysis;
pub mod calendar;
pub mod calibrate;
pub mod charts;
pub mod cli;
pub mod error;
pub mod files;
pub mod graph;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod report;
pub mod rolling;
pub mod runner;
pub mod scenario;
pub mod serve;
pub mod shard;
pub mod stats;
pub mod summary;
pub mod trace;
pub mod validate;
