//! The integration test binary: spec cases, semantic rules, the CLI, the shipped models.

mod cli;
mod common;
mod compare;
mod graph;
mod models;
mod montecarlo;
mod plan;
mod random;
mod rank;
mod rules;
mod scale;
mod spec_cases;
