//! Many scenarios at once: one row of summary figures per scenario, deterministic or the
//! medians of a Monte Carlo study each.

use rayon::prelude::*;

use crate::metrics;
use crate::montecarlo::{self as mc, Frame, SUMMARY, Shard, Study};
use crate::scenario::Scenario;

/// One scenario's figures, in [`SUMMARY`] order.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The scenario file.
    pub file: String,
    /// The scenario's name.
    pub scenario: String,
    /// The figures; `None` where undefined, infinite where a recovery never came.
    pub figures: Vec<Option<f64>>,
}

/// Runs every scenario, in parallel on the current rayon pool, calling `progress` after
/// each. With `runs`, each is a Monte Carlo study of that many runs and its row holds the
/// medians. Rows come back in the order of `scenarios`.
pub fn run(
    scenarios: &[Scenario],
    runs: Option<u64>,
    seed: u64,
    progress: &(dyn Fn() + Sync),
) -> Vec<Row> {
    scenarios
        .par_iter()
        .map(|s| {
            let figures = match runs {
                None => {
                    let r = metrics::run(s);
                    let mut f = r.figures().to_vec();
                    // Not recovered reads as infinitely late, as in a study.
                    f[3] = Some(f[3].unwrap_or(f64::INFINITY));
                    f
                }
                Some(runs) => {
                    let study = Study { runs, seed };
                    let records = mc::simulate(s, study, Shard::ALL, &|| {});
                    let result = mc::aggregate(&Frame::of(s), study, &records, &[50.0]);
                    result.summary.iter().map(|st| st.percentiles[0]).collect()
                }
            };
            progress();
            Row {
                file: s.path().display().to_string(),
                scenario: s.name.clone(),
                figures,
            }
        })
        .collect()
}

/// Sorts rows by `figure`, largest first; undefined values last, ties in file order.
pub fn sort(rows: &mut [Row], figure: &str) {
    let Some(f) = SUMMARY.iter().position(|&x| x == figure) else {
        return;
    };
    let key = |r: &Row| r.figures[f].unwrap_or(f64::NEG_INFINITY);
    rows.sort_by(|a, b| key(b).total_cmp(&key(a)));
}
