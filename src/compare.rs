//! Scenarios side by side (`compare`): every summary figure, the people-hours of each client,
//! the unavailability of each site and service, and the RTO breaches of each scenario against
//! a baseline.
//!
//! With two or more scenarios the first is the baseline. With one scenario that has a
//! `[patch]`, the baseline is the same scenario without its patch: the same events on the
//! model as written, so the comparison shows exactly what the what-if changes.
//!
//! Clients and nodes are matched by id. An id on one side only is *added* or *removed*; it
//! counts as 0 on the other side, so its difference is its whole value. A difference is
//! `scenario − baseline`; a ratio is `scenario / baseline`, undefined (null) when either side
//! is undefined, the baseline is 0, or the id exists on one side only.

use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::error::Error;
use crate::limits::LoadOptions;
use crate::measure::Measure;
use crate::metrics::SUMMARY;
use crate::metrics::{self, ClientResult, RunResult, ServiceResult};
use crate::scenario::{Scenario, load_scenario_unpatched_with, load_scenario_with};

/// How a side of the comparison uses its scenario's `[patch]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PatchUse {
    /// The scenario has no patch.
    None,
    /// The scenario as written, patch applied.
    Applied,
    /// The scenario's patch left out: the baseline of a what-if.
    Removed,
}

/// A scenario loaded for comparison.
#[derive(Debug, Clone)]
pub struct Input {
    /// The scenario (without its patch when `patch` is [`PatchUse::Removed`]).
    pub scenario: Scenario,
    /// How it uses its patch.
    pub patch: PatchUse,
    /// The ids the scenario's patch touches (also for the unpatched side).
    pub patched_ids: Vec<String>,
}

/// Loads the scenarios of `compare FILE...`: each as written; or, for one file, the
/// scenario without its `[patch]` (the baseline) and with it. A file that fails to load stops
/// the comparison with its own error; one file without a patch is a usage error.
pub fn load<P: AsRef<Path>>(files: &[P]) -> Result<Vec<Input>, Error> {
    load_with(files, &LoadOptions::default())
}

/// [`load`] within the limits of `options`.
pub fn load_with<P: AsRef<Path>>(files: &[P], options: &LoadOptions) -> Result<Vec<Input>, Error> {
    let as_written = |s: Scenario| {
        let patch = if s.patched_ids.is_empty() {
            PatchUse::None
        } else {
            PatchUse::Applied
        };
        Input {
            patched_ids: s.patched_ids.clone(),
            scenario: s,
            patch,
        }
    };
    match files {
        [] => Err(Error::Usage {
            message: "compare needs at least one scenario".into(),
        }),
        [one] => {
            let path = one.as_ref();
            let patched = load_scenario_with(path, options)?;
            if patched.patched_ids.is_empty() {
                return Err(Error::Usage {
                    message: format!(
                        "{} has no [patch], so there is nothing to compare it with\n\
                         hint: name a second scenario (the first one is the baseline), or one \
                         whose [patch] makes a what-if: it is then compared with itself without \
                         the patch",
                        path.display()
                    ),
                });
            }
            let base = load_scenario_unpatched_with(path, options).map_err(|mut e| {
                if let Error::Input(ie) = &mut e {
                    ie.message = format!("without its [patch]: {}", ie.message);
                }
                e
            })?;
            let ids = patched.patched_ids.clone();
            Ok(vec![
                Input {
                    scenario: base,
                    patch: PatchUse::Removed,
                    patched_ids: ids,
                },
                as_written(patched),
            ])
        }
        many => many
            .iter()
            .map(|f| load_scenario_with(f.as_ref(), options).map(as_written))
            .collect(),
    }
}

/// One side of a comparison: which scenario, run how.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// A, B, C, … in the order given (A is the baseline).
    pub label: String,
    /// The scenario file.
    pub file: String,
    /// The scenario's name.
    pub scenario: String,
    /// The model's name.
    pub model: String,
    /// How the scenario's `[patch]` is used.
    pub patch: PatchUse,
    /// The ids the patch touches (replaced or added).
    pub patched_ids: Vec<String>,
    /// How the model names its people.
    pub population_label: String,
    /// Sum of the clients' populations.
    pub total_population: u64,
    /// The horizon in hours.
    pub horizon_h: f64,
}

impl Side {
    /// The scenario's name, marked when its patch is left out.
    pub fn title(&self) -> String {
        match self.patch {
            PatchUse::Removed => format!("{} (without its patch)", self.scenario),
            _ => self.scenario.clone(),
        }
    }
}

/// A figure on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Diff {
    /// The baseline's value; null when undefined (not recovered, CAIDI without interruptions)
    /// or absent.
    pub baseline: Option<f64>,
    /// This scenario's value, null likewise.
    pub value: Option<f64>,
    /// `value − baseline`; null when either is undefined.
    pub difference: Option<f64>,
    /// `value / baseline`; null when either is undefined or the baseline is 0.
    pub ratio: Option<f64>,
}

impl Diff {
    pub(crate) fn of(baseline: Option<f64>, value: Option<f64>) -> Diff {
        let (difference, ratio) = match (baseline, value) {
            (Some(b), Some(v)) => (Some(v - b), (b != 0.0).then(|| v / b)),
            _ => (None, None),
        };
        Diff {
            baseline,
            value,
            difference,
            ratio,
        }
    }

    /// True when both sides are the same (both undefined counts as the same).
    pub fn is_same(&self) -> bool {
        self.baseline == self.value
    }
}

/// The summary figures in [`SUMMARY`] order; serialized as an object keyed by figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary<T = Diff>(pub Vec<(&'static str, T)>);

impl<T: Serialize> Serialize for Summary<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Whether an id is on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// On both sides with the same value.
    Same,
    /// On both sides with different values.
    Changed,
    /// Only in the scenario.
    Added,
    /// Only in the baseline.
    Removed,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Same => "same",
            Status::Changed => "changed",
            Status::Added => "added",
            Status::Removed => "removed",
        }
    }
}

/// One client's people-hours, or one node's unavailable hours, on both sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemDiff {
    /// The client's or node's id.
    pub id: String,
    /// Its name (the scenario's, or the baseline's when removed).
    pub name: String,
    /// Same, changed, added or removed.
    pub status: Status,
    /// The baseline's value; null when the id is only in the scenario.
    pub baseline: Option<f64>,
    /// The scenario's value; null when the id is only in the baseline.
    pub value: Option<f64>,
    /// `value − baseline`, an absent side counting as 0.
    pub difference: f64,
    /// `value / baseline`; null when the id is on one side only or the baseline is 0.
    pub ratio: Option<f64>,
}

/// A node's RTO breaches on one side.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Breaches {
    /// How many.
    pub count: usize,
    /// Their total duration (each cut at the horizon).
    pub breach_h: f64,
    /// The longest one.
    pub longest_h: f64,
    /// True when one is still open at the horizon.
    pub ongoing: bool,
    /// The most people affected through the node during one of them.
    pub people_affected: f64,
}

impl Breaches {
    fn of(s: &ServiceResult) -> Option<Breaches> {
        if s.rto_breaches.is_empty() {
            return None;
        }
        let b = &s.rto_breaches;
        Some(Breaches {
            count: b.len(),
            breach_h: b.iter().map(|x| x.duration_h).sum(),
            longest_h: b.iter().map(|x| x.duration_h).fold(0.0, f64::max),
            ongoing: b.iter().any(|x| x.ongoing),
            people_affected: b.iter().map(|x| x.people_affected).fold(0.0, f64::max),
        })
    }
}

/// How a node's RTO breaches changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BreachChange {
    /// Breaches in the scenario, none in the baseline.
    Appeared,
    /// Breaches in the baseline, none in the scenario.
    Disappeared,
    /// More time in breach in total.
    Longer,
    /// Less time in breach in total.
    Shorter,
    /// The same total time in breach.
    Same,
}

impl BreachChange {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            BreachChange::Appeared => "appeared",
            BreachChange::Disappeared => "disappeared",
            BreachChange::Longer => "longer",
            BreachChange::Shorter => "shorter",
            BreachChange::Same => "same",
        }
    }
}

/// A node with RTO breaches on at least one side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreachDiff {
    /// The node's id.
    pub id: String,
    /// How its breaches changed (by their total duration).
    pub status: BreachChange,
    /// The baseline's breaches; null when none.
    pub baseline: Option<Breaches>,
    /// The scenario's breaches; null when none.
    pub value: Option<Breaches>,
    /// Difference of the total time in breach (none counts as 0).
    pub difference_h: f64,
}

/// Ids on one side only.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Ids {
    /// Client ids.
    pub clients: Vec<String>,
    /// Site and service ids.
    pub services: Vec<String>,
}

/// One scenario against the baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Versus {
    /// The scenario.
    pub scenario: Side,
    /// Every summary figure.
    pub summary: Summary,
    /// People-hours per client, the largest change first (then by id).
    pub clients: Vec<ItemDiff>,
    /// Unavailable hours per site and service, the largest change first (then by id).
    pub services: Vec<ItemDiff>,
    /// Nodes with RTO breaches on either side, by id.
    pub rto_breaches: Vec<BreachDiff>,
    /// Ids only in the scenario.
    pub added: Ids,
    /// Ids only in the baseline.
    pub removed: Ids,
}

/// The whole comparison: the baseline and every other scenario against it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The baseline.
    pub baseline: Side,
    /// The baseline's summary figures, by name (null where undefined).
    pub baseline_summary: Summary<Option<f64>>,
    /// True when the scenarios are not all of one model (by name).
    pub models_differ: bool,
    /// Each other scenario against the baseline, in the order given.
    pub comparisons: Vec<Versus>,
    /// The run of every scenario, the baseline first: kept for the charts and the report,
    /// so that nothing is simulated twice. Not part of the JSON.
    #[serde(skip)]
    pub results: Vec<RunResult>,
}

/// A, B, …, Z, AA, AB, … as spreadsheet columns are named: how scenarios are labelled.
pub(crate) fn label(i: usize) -> String {
    let mut out = Vec::new();
    let mut n = i + 1;
    while n > 0 {
        n -= 1;
        out.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

fn side(i: usize, input: &Input, r: &RunResult) -> Side {
    Side {
        label: label(i),
        file: input.scenario.path().display().to_string(),
        scenario: r.scenario.clone(),
        model: r.model.clone(),
        patch: input.patch,
        patched_ids: input.patched_ids.clone(),
        population_label: r.population_label.clone(),
        total_population: r.total_population,
        horizon_h: r.horizon_h,
    }
}

/// The `start` the scenarios share, for a date axis: `None` unless every one has a start
/// and all name the same instant (the first one's text, with its offset, is returned).
pub fn common_start(inputs: &[Input]) -> Option<&str> {
    let first = inputs.first()?.scenario.start.as_deref()?;
    let instant = inputs[0].scenario.start_time?;
    inputs
        .iter()
        .all(|i| i.scenario.start_time == Some(instant))
        .then_some(first)
}

/// Runs every scenario (in parallel, on the current rayon pool) and compares each after the
/// first with the first.
///
/// # Panics
/// When `inputs` is empty ([`load`] never returns that).
pub fn compare(inputs: &[Input]) -> Comparison {
    compare_by(inputs, Measure::PeopleHours)
}

/// [`compare`], with a measure of the business functions (`--measure`) as one more figure
/// of every summary, after the others; people-hours are there already.
///
/// # Panics
/// When `inputs` is empty ([`load`] never returns that).
pub fn compare_by(inputs: &[Input], measure: Measure) -> Comparison {
    let results: Vec<RunResult> = inputs
        .par_iter()
        .map(|i| metrics::run(&i.scenario))
        .collect();
    let sides: Vec<Side> = inputs
        .iter()
        .zip(&results)
        .enumerate()
        .map(|(i, (input, r))| side(i, input, r))
        .collect();
    let base = &results[0];
    let measured = |r: &RunResult| {
        (measure != Measure::PeopleHours).then(|| (measure.figure(), Some(measure.of(r))))
    };
    let mut baseline_summary = Summary(
        SUMMARY
            .iter()
            .zip(base.figures())
            .map(|(&k, v)| (k, v))
            .collect(),
    );
    baseline_summary.0.extend(measured(base));
    let comparisons = sides[1..]
        .iter()
        .zip(&results[1..])
        .map(|(s, r)| {
            let mut v = versus(base, s.clone(), r);
            if let (Some((k, b)), Some((_, x))) = (measured(base), measured(r)) {
                v.summary.0.push((k, Diff::of(b, x)));
            }
            v
        })
        .collect();
    Comparison {
        baseline: sides[0].clone(),
        baseline_summary,
        models_differ: sides.iter().any(|s| s.model != sides[0].model),
        comparisons,
        results,
    }
}

/// Compares one result with the baseline's.
pub fn versus(base: &RunResult, scenario: Side, r: &RunResult) -> Versus {
    let summary = Summary(
        SUMMARY
            .iter()
            .zip(base.figures().into_iter().zip(r.figures()))
            .map(|(&k, (b, v))| (k, Diff::of(b, v)))
            .collect(),
    );
    fn client(c: &ClientResult) -> (&str, &str, f64) {
        (&c.id, &c.name, c.people_hours)
    }
    fn node(s: &ServiceResult) -> (&str, &str, f64) {
        (&s.id, &s.name, s.unavailable_h)
    }
    let (clients, c_added, c_removed) = items(
        base.clients.iter().map(client),
        r.clients.iter().map(client),
    );
    let (services, s_added, s_removed) =
        items(base.services.iter().map(node), r.services.iter().map(node));
    Versus {
        scenario,
        summary,
        clients,
        services,
        rto_breaches: breaches(base, r),
        added: Ids {
            clients: c_added,
            services: s_added,
        },
        removed: Ids {
            clients: c_removed,
            services: s_removed,
        },
    }
}

/// Matches `(id, name, value)` by id; returns the diffs sorted by the size of the change,
/// then the added and the removed ids (in model order).
fn items<'a>(
    base: impl Iterator<Item = (&'a str, &'a str, f64)>,
    other: impl Iterator<Item = (&'a str, &'a str, f64)>,
) -> (Vec<ItemDiff>, Vec<String>, Vec<String>) {
    let base: Vec<_> = base.collect();
    let other: Vec<_> = other.collect();
    let in_other: std::collections::HashMap<&str, (&str, f64)> =
        other.iter().map(|&(id, n, v)| (id, (n, v))).collect();
    let in_base: std::collections::HashSet<&str> = base.iter().map(|x| x.0).collect();
    let mut out = Vec::with_capacity(base.len().max(other.len()));
    let mut removed = Vec::new();
    for &(id, name, b) in &base {
        let (name, value) = match in_other.get(id) {
            Some(&(n, v)) => (n, Some(v)),
            None => {
                removed.push(id.to_string());
                (name, None)
            }
        };
        let d = Diff::of(Some(b), value);
        out.push(ItemDiff {
            id: id.to_string(),
            name: name.to_string(),
            status: match value {
                None => Status::Removed,
                Some(v) if v == b => Status::Same,
                Some(_) => Status::Changed,
            },
            baseline: Some(b),
            value,
            difference: value.unwrap_or(0.0) - b,
            ratio: d.ratio,
        });
    }
    let mut added = Vec::new();
    for &(id, name, v) in other.iter().filter(|x| !in_base.contains(x.0)) {
        added.push(id.to_string());
        out.push(ItemDiff {
            id: id.to_string(),
            name: name.to_string(),
            status: Status::Added,
            baseline: None,
            value: Some(v),
            difference: v,
            ratio: None,
        });
    }
    out.sort_by(|a, b| {
        b.difference
            .abs()
            .total_cmp(&a.difference.abs())
            .then_with(|| a.id.cmp(&b.id))
    });
    (out, added, removed)
}

fn breaches(base: &RunResult, r: &RunResult) -> Vec<BreachDiff> {
    let mut by_id: std::collections::BTreeMap<&str, (Option<Breaches>, Option<Breaches>)> =
        Default::default();
    for s in &base.services {
        if let Some(b) = Breaches::of(s) {
            by_id.entry(&s.id).or_default().0 = Some(b);
        }
    }
    for s in &r.services {
        if let Some(b) = Breaches::of(s) {
            by_id.entry(&s.id).or_default().1 = Some(b);
        }
    }
    by_id
        .into_iter()
        .map(|(id, (baseline, value))| {
            let total = |b: Option<Breaches>| b.map_or(0.0, |b| b.breach_h);
            let difference_h = total(value) - total(baseline);
            let status = match (baseline, value) {
                (None, _) => BreachChange::Appeared,
                (_, None) => BreachChange::Disappeared,
                _ if difference_h > 0.0 => BreachChange::Longer,
                _ if difference_h < 0.0 => BreachChange::Shorter,
                _ => BreachChange::Same,
            };
            BreachDiff {
                id: id.to_string(),
                status,
                baseline,
                value,
                difference_h,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_is_undefined_at_zero_or_null() {
        let d = Diff::of(Some(30.0), Some(10.0));
        assert_eq!(d.difference, Some(-20.0));
        assert!((d.ratio.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(Diff::of(Some(0.0), Some(5.0)).ratio, None);
        assert_eq!(Diff::of(Some(0.0), Some(5.0)).difference, Some(5.0));
        let nr = Diff::of(Some(12.0), None);
        assert_eq!((nr.difference, nr.ratio), (None, None));
        assert!(Diff::of(None, None).is_same());
    }

    #[test]
    fn items_match_by_id_and_sort_by_size() {
        let base = [("a", "A", 5.0), ("b", "B", 1.0), ("gone", "G", 2.0)];
        let other = [("b", "B", 4.0), ("a", "A", 5.0), ("new", "N", 0.5)];
        let (list, added, removed) = items(base.into_iter(), other.into_iter());
        let ids: Vec<_> = list.iter().map(|i| (i.id.as_str(), i.status)).collect();
        assert_eq!(
            ids,
            [
                ("b", Status::Changed),
                ("gone", Status::Removed),
                ("new", Status::Added),
                ("a", Status::Same)
            ]
        );
        assert_eq!(list[1].difference, -2.0);
        assert_eq!(list[1].ratio, None);
        assert_eq!(list[2].difference, 0.5);
        assert_eq!(added, ["new"]);
        assert_eq!(removed, ["gone"]);
    }

    #[test]
    fn labels_run_a_to_z() {
        assert_eq!(label(0), "A");
        assert_eq!(label(25), "Z");
        assert_eq!(label(26), "AA");
        assert_eq!(label(27), "AB");
    }
}
