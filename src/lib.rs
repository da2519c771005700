//! impactsim: a dependency-graph impact simulator.
//!
//! It models a shared IT provider — data centers ("sites"), the services on them with their
//! dependencies and fallbacks — and the client organisations that use it, each with its
//! population, then simulates shutdowns, failures, staged restarts and fallback modes over
//! time: how many people are affected, when, for how long.
//!
//! The layers, each using only those below it (docs/architecture.md has the whole graph):
//!
//! ```text
//! cmd           one module per command of the binary (feature `cli`)
//! report, chart tables, JSON, CSV, HTML (feature `html`), charts (feature `charts`)
//! montecarlo, rank, plan, compare, batch, graph, validate, generate
//! metrics       people affected, people-hours, indices, breaches (a recorder)
//! engine        timers, own states, propagation to the greatest fixed point
//! scenario      events, selectors, patches, resolved to dense ids
//! model, dist   raw serde structs -> validated Model (compact arrays); distributions
//! source, limits, error, output   files, LoadOptions, typed errors, atomic writes
//! format, time  leaves: how numbers and durations read, SimTime
//! ```
//!
//! ```no_run
//! let scenario = impactsim::load_scenario("models/bitmarck-2023/attack-2023.toml".as_ref())?;
//! let result = impactsim::metrics::run(&scenario);
//! println!("{} people-hours", result.people_hours);
//! # Ok::<(), impactsim::Error>(())
//! ```

#![warn(missing_docs)]
// Input errors carry their source snippet for rendering; they are the cold path, so their
// size does not matter.
#![allow(clippy::result_large_err)]

pub mod batch;
#[cfg(feature = "charts")]
pub mod chart;
#[cfg(feature = "cli")]
pub mod cmd;
pub mod compare;
pub mod dist;
pub mod engine;
pub mod error;
pub mod format;
pub mod generate;
pub mod graph;
pub mod limits;
pub mod measure;
pub mod metrics;
pub mod model;
pub mod montecarlo;
pub mod output;
pub mod plan;
pub mod rank;
pub mod report;
pub mod scenario;
pub mod source;
pub mod time;
pub mod validate;

mod pool;
mod suggest;

/// The allocator, with the `jemalloc` feature (see Cargo.toml): it returns freed memory,
/// which keeps the peak of loading a large model down.
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

pub use error::{Error, InputError, InputErrorKind, OutputError, Result};
pub use limits::LoadOptions;
pub use metrics::RunResult;
pub use model::Model;
pub use scenario::{Scenario, load_scenario};
pub use time::SimTime;
