//! Many scenarios at once: one row of summary figures per scenario, deterministic or the
//! medians of a Monte Carlo study each.

use rayon::prelude::*;

use crate::measure::Measure;
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
    /// With a measure other than people-hours: the measure and its value (the median of a
    /// study).
    pub measure: Option<(Measure, Option<f64>)>,
}

/// Runs every scenario, in parallel on the current rayon pool, calling `progress` after
/// each. With `runs`, each is a Monte Carlo study of that many runs and its row holds the
/// medians. Rows come back in the order of `scenarios`.
pub fn run(
    scenarios: &[Scenario],
    runs: Option<u64>,
    seed: u64,
    measure: Measure,
    progress: &(dyn Fn() + Sync),
) -> Vec<Row> {
    let measured = measure != Measure::PeopleHours;
    scenarios
        .par_iter()
        .map(|s| {
            let (figures, value) = match runs {
                None => {
                    let r = metrics::run(s);
                    let mut f = r.figures().to_vec();
                    // Not recovered reads as infinitely late, as in a study.
                    f[3] = Some(f[3].unwrap_or(f64::INFINITY));
                    (f, Some(measure.of(&r)))
                }
                Some(runs) => {
                    let study = Study { runs, seed };
                    let records = mc::simulate(s, study, Shard::ALL, &|| {});
                    let result = mc::aggregate(&Frame::of(s), study, &records, &[50.0]);
                    let median = |st: &mc::Stat| st.percentiles[0];
                    let k = mc::MEASURES.iter().position(|&m| m == measure.figure());
                    let value = k.and_then(|k| result.measures.get(k)).and_then(median);
                    (result.summary.iter().map(median).collect(), value)
                }
            };
            progress();
            Row {
                file: s.path().display().to_string(),
                scenario: s.name.clone(),
                figures,
                measure: measured.then_some((measure, value)),
            }
        })
        .collect()
}

/// Sorts rows by `figure` (a summary figure, or the rows' measure), largest first;
/// undefined values last, ties in file order.
pub fn sort(rows: &mut [Row], figure: &str) {
    let f = SUMMARY.iter().position(|&x| x == figure);
    let key = |r: &Row| {
        let value = match (f, r.measure) {
            (Some(f), _) => r.figures[f],
            (None, Some((m, v))) if m.figure() == figure => v,
            _ => None,
        };
        value.unwrap_or(f64::NEG_INFINITY)
    };
    rows.sort_by(|a, b| key(b).total_cmp(&key(a)));
}
