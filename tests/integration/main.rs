//! The integration test binary: spec cases, semantic rules, the CLI, the shipped models.

mod chart;
mod cli;
mod combine;
mod common;
mod compare;
mod corpus;
mod functions;
mod graph;
mod invariants;
mod limits;
mod models;
mod montecarlo;
mod municipal;
mod outputs;
mod plan;
mod random;
mod rank;
mod report_html;
mod robustness;
mod rules;
mod scale;
mod snapshots;
mod spec_cases;
