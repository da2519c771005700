//! The integration test binary: spec cases, semantic rules, the CLI, the shipped models.

mod cli;
mod common;
mod models;
mod montecarlo;
mod random;
mod rules;
mod scale;
mod spec_cases;
