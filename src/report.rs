//! What the commands show and write: terminal tables, JSON, CSV and HTML, one module per
//! command. Each reads a finished result ([`RunResult`](crate::RunResult), a Monte Carlo
//! study, a ranking, a comparison, batch rows); the files are written by [`crate::output`],
//! whole or not at all.

pub mod batch;
pub mod compare;
pub(crate) mod csv;
#[cfg(feature = "html")]
pub mod html;
pub mod montecarlo;
pub mod plan;
pub mod rank;
pub mod run;

pub use run::{
    clients_csv, json, services_csv, sparkline, summary_table, summary_table_with, timeline_csv,
    write_out_dir,
};

/// `value` as pretty JSON with a final newline: how every JSON output of impactsim reads.
/// Its results are plain data with string keys, so serializing them cannot fail.
pub fn pretty_json(value: &impl serde::Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("impactsim's results serialize");
    text.push('\n');
    text
}
