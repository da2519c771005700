//! The timeline: people affected over time, stacked by client group.
//!
//! [`RunResult`] has per-client totals but no per-client timelines, so a recorder beside the
//! run's figures ([`crate::metrics::run_recording`]) keeps the people affected per client
//! key (a client's first tag) at every change point. The groups depend on the run's
//! figures (the most people-hours first, the smallest merged into "other"), so the keys are
//! folded into groups after the run. [`Timeline::new`] replays a run for a result made
//! without it (same seed, crews included).

use std::collections::HashMap;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    Mark, OTHER, PALETTE, TimeAxis, compact, draw_legend, fail, house_mesh, legend_height, text,
    title_style, value_top,
};
use crate::engine::{Engine, Options, Propagation, Recorder, View};
use crate::metrics::{Affected, PERSON, RunResult};
use crate::model::Model;
use crate::scenario::Scenario;
use crate::time::SimTime;

/// At most this many groups: the smallest beyond them are merged into "other".
pub(crate) const MAX_GROUPS: usize = 8;
/// Longer timelines are sampled at this many instants (sample and hold).
const MAX_POINTS: usize = 2000;
/// The name of the group of untagged clients and of the merged small groups.
const OTHER_NAME: &str = "other";

/// The prepared timeline.
pub(crate) struct Timeline {
    title: String,
    y_label: String,
    axis: TimeAxis,
    /// Group names, the bottom of the stack first; "other" (if any) last.
    groups: Vec<String>,
    /// Change points: hours, and the people affected per group from then on.
    points: Vec<(f64, Vec<f64>)>,
}

impl Timeline {
    /// The timeline of the run that made `result`, replayed.
    pub(crate) fn new(result: &RunResult, scenario: &Scenario) -> Timeline {
        let mut rec = GroupRecorder::new(&scenario.model);
        Engine::run_opts(
            scenario,
            &mut rec,
            Options {
                propagation: Propagation::Incremental,
                seed: result.seed,
            },
        );
        Timeline::recorded(rec, result, scenario)
    }

    /// The timeline from what `rec` recorded in the run that made `result`.
    pub(crate) fn recorded(
        rec: GroupRecorder,
        result: &RunResult,
        scenario: &Scenario,
    ) -> Timeline {
        let model = &scenario.model;
        let (groups, group_of) = client_groups(model, result);
        let points = rec.fold(&group_of, groups.len());
        let horizon_h = scenario.horizon.hours();
        let mut points: Vec<(f64, Vec<f64>)> = points
            .into_iter()
            .map(|(t, units)| {
                let people = units.iter().map(|&u| u as f64 / PERSON as f64).collect();
                (t.hours(), people)
            })
            .collect();
        if points.len() > MAX_POINTS {
            points = sample(&points, horizon_h, MAX_POINTS);
        }
        let label = &model.population_label;
        Timeline {
            title: format!("{}: {label} affected, by client group", result.scenario),
            y_label: format!("{label} affected"),
            axis: TimeAxis::new(scenario.start.as_deref(), horizon_h),
            groups,
            points,
        }
    }

    /// The group names, bottom of the stack first.
    #[cfg(test)]
    pub(crate) fn groups(&self) -> &[String] {
        &self.groups
    }

    /// The total affected at each change point.
    #[cfg(test)]
    pub(crate) fn totals(&self) -> Vec<(f64, f64)> {
        self.points
            .iter()
            .map(|(t, v)| (*t, v.iter().sum()))
            .collect()
    }

    fn color(&self, j: usize) -> RGBColor {
        // Grey sets "other" apart from named groups; alone, it takes the first colour.
        if self.groups[j] == OTHER_NAME && self.groups.len() > 1 {
            OTHER
        } else {
            PALETTE[j % PALETTE.len()]
        }
    }

    /// The outline of groups 0..=j stacked: a step function closed along the x axis.
    fn stacked(&self, j: usize) -> Vec<(f64, f64)> {
        let end = self.axis.range().end;
        let mut out = Vec::with_capacity(self.points.len() * 2 + 2);
        out.push((0.0, 0.0));
        let mut prev = 0.0;
        for (t, v) in &self.points {
            let cum: f64 = v[..=j].iter().sum();
            out.push((*t, prev));
            out.push((*t, cum));
            prev = cum;
        }
        out.push((end, prev));
        out.push((end, 0.0));
        out
    }

    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), String> {
        let (w, h) = root.dim_in_pixel();
        // The legend reads top down like the stack.
        let entries: Vec<(String, Mark)> = (0..self.groups.len())
            .rev()
            .map(|j| (self.groups[j].clone(), Mark::Fill(self.color(j))))
            .collect();
        let legend_h = legend_height(root, &entries, w);
        let (main, legend) = root.split_vertically(h.saturating_sub(legend_h));
        let max = self
            .points
            .iter()
            .map(|(_, v)| v.iter().sum::<f64>())
            .fold(0.0, f64::max);
        let mut chart = ChartBuilder::on(&main)
            .caption(&self.title, title_style())
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(76)
            .build_cartesian_2d(self.axis.coord(), 0.0..value_top(max))
            .map_err(fail)?;
        house_mesh(&mut chart.configure_mesh())
            .x_desc(self.axis.caption())
            .y_desc(&self.y_label)
            .x_label_formatter(&|t| self.axis.label(*t))
            .y_label_formatter(&|v| compact(*v))
            .y_labels(8)
            .draw()
            .map_err(fail)?;
        // Each outline covers the ones below it in the stack: draw the tallest first.
        for j in (0..self.groups.len()).rev() {
            chart
                .draw_series(std::iter::once(Polygon::new(
                    self.stacked(j),
                    self.color(j).filled(),
                )))
                .map_err(fail)?;
        }
        if self.groups.is_empty() {
            chart
                .draw_series(std::iter::once(Text::new(
                    "nobody is affected",
                    (self.axis.range().end * 0.4, 0.5),
                    text(16),
                )))
                .map_err(fail)?;
        }
        draw_legend(&legend, &entries)
    }
}

/// The groups (each client's first tag, or "other") with anyone affected, the most
/// people-hours first, at most [`MAX_GROUPS`] with "other" last; and each client's group.
fn client_groups(model: &Model, result: &RunResult) -> (Vec<String>, Vec<Option<usize>>) {
    let weight = |c: usize| -> f64 {
        match result.clients.get(c) {
            Some(r) if result.clients.len() == model.clients.len() => r.people_hours,
            _ => model.clients[c].population as f64,
        }
    };
    let key = |c: usize| client_key(model, c);
    let mut totals: HashMap<&str, f64> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for c in 0..model.clients.len() {
        let k = key(c);
        let entry = totals.entry(k).or_insert_with(|| {
            order.push(k);
            0.0
        });
        *entry += weight(c);
    }
    // The most people-hours first; ties in model order (the sort is stable).
    let mut named: Vec<&str> = order
        .iter()
        .copied()
        .filter(|&k| k != OTHER_NAME && totals[k] > 0.0)
        .collect();
    named.sort_by(|a, b| totals[b].total_cmp(&totals[a]));
    let mut other = totals.get(OTHER_NAME).copied().unwrap_or(0.0);
    if named.len() > MAX_GROUPS {
        for k in named.drain(MAX_GROUPS - 1..) {
            other += totals[k];
        }
    }
    let mut groups: Vec<String> = named.iter().map(|k| k.to_string()).collect();
    let other_index = (other > 0.0).then(|| {
        groups.push(OTHER_NAME.to_string());
        groups.len() - 1
    });
    let index: HashMap<&str, usize> = named.iter().enumerate().map(|(i, &k)| (k, i)).collect();
    let group_of = (0..model.clients.len())
        .map(|c| index.get(key(c)).copied().or(other_index))
        .collect();
    (groups, group_of)
}

/// Sample and hold: the value at `n` evenly spaced instants from 0 to `end`.
fn sample(points: &[(f64, Vec<f64>)], end: f64, n: usize) -> Vec<(f64, Vec<f64>)> {
    let mut out = Vec::with_capacity(n);
    let mut i = 0;
    for k in 0..n {
        let t = end * k as f64 / (n - 1) as f64;
        while i + 1 < points.len() && points[i + 1].0 <= t {
            i += 1;
        }
        out.push((t, points[i].1.clone()));
    }
    out
}

/// Keeps the people affected per group (in exact units) at every change point.
/// Records the people affected per client key at every change point of a run.
pub(crate) struct GroupRecorder<'m> {
    model: &'m Model,
    /// Per client: its key (index into the keys, in model order of first use).
    key_of: Vec<usize>,
    clients: Affected,
    key_units: Vec<u128>,
    /// Change points: the time and, for each key whose clients changed then, its units from
    /// then on (a key may be listed more than once; the last entry holds). Proportional to
    /// the changes, not to the keys: a model may tag every client differently.
    points: Vec<(SimTime, Vec<(usize, u128)>)>,
}

impl<'m> GroupRecorder<'m> {
    pub(crate) fn new(model: &'m Model) -> Self {
        let mut index: HashMap<&str, usize> = HashMap::new();
        let key_of: Vec<usize> = (0..model.clients.len())
            .map(|c| {
                let next = index.len();
                *index.entry(client_key(model, c)).or_insert(next)
            })
            .collect();
        GroupRecorder {
            model,
            key_of,
            clients: Affected::new(model),
            key_units: vec![0; index.len()],
            points: Vec::new(),
        }
    }

    /// The change points per group, `group_of` giving each client's group (`None`: left
    /// out). A point is kept where a client of some group changed, as a recorder of the
    /// groups themselves would have kept it.
    fn fold(self, group_of: &[Option<usize>], groups: usize) -> Vec<(SimTime, Vec<u128>)> {
        // Clients of one key share their group (the group follows the key).
        let mut group_of_key = vec![None; self.key_units.len()];
        for (c, &k) in self.key_of.iter().enumerate() {
            group_of_key[k] = group_of[c];
        }
        let mut units = vec![0u128; self.key_units.len()];
        let mut folded = vec![0u128; groups];
        let mut out: Vec<(SimTime, Vec<u128>)> = vec![(SimTime::ZERO, folded.clone())];
        for (t, changes) in self.points {
            let mut grouped = false;
            for (k, new) in changes {
                let old = std::mem::replace(&mut units[k], new);
                if let Some(g) = group_of_key[k] {
                    folded[g] = folded[g] - old + new;
                    grouped = true;
                }
            }
            if grouped {
                match out.last_mut() {
                    Some(last) if last.0 == t => last.1.clone_from(&folded),
                    _ => out.push((t, folded.clone())),
                }
            }
        }
        out
    }
}

/// A client's key: its first tag, or "other".
fn client_key(model: &Model, c: usize) -> &str {
    model.clients[c]
        .tags
        .first()
        .map_or(OTHER_NAME, String::as_str)
}

impl Recorder for GroupRecorder<'_> {
    fn start(&mut self, _view: &View<'_>) {}

    fn instant(&mut self, t: SimTime, touched: &[u32], _restarted: &[u32], view: &View<'_>) {
        let mut changed = Vec::new();
        let (key_of, key_units) = (&self.key_of, &mut self.key_units);
        self.clients
            .update(self.model, touched, view.a, |c, old, new| {
                let k = key_of[c as usize];
                key_units[k] = key_units[k] - old + new;
                changed.push((k, key_units[k]));
            });
        if !changed.is_empty() {
            self.points.push((t, changed));
        }
    }

    fn finish(&mut self, _horizon: SimTime, _view: &View<'_>) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::chart::tests::bitmarck;

    #[test]
    fn the_stack_adds_up_to_the_run_total() {
        let s = bitmarck();
        let result = crate::metrics::run(&s);
        let t = Timeline::new(&result, &s);
        assert_eq!(t.groups(), ["bkk", "ersatzkasse", "ikk"]);
        let totals = t.totals();
        for p in &result.timeline {
            let i = totals.partition_point(|x| x.0 <= p.t_h) - 1;
            let stacked = totals[i].1;
            assert!(
                (stacked - p.affected).abs() <= 1e-6 * p.affected.max(1.0),
                "at {} h: stacked {stacked}, run {}",
                p.t_h,
                p.affected
            );
        }
    }

    #[test]
    fn sampling_holds_the_last_value() {
        let points = vec![(0.0, vec![1.0]), (1.5, vec![2.0]), (3.0, vec![0.0])];
        let s = sample(&points, 4.0, 5);
        let values: Vec<(f64, f64)> = s.iter().map(|(t, v)| (*t, v[0])).collect();
        assert_eq!(
            values,
            vec![(0.0, 1.0), (1.0, 1.0), (2.0, 2.0), (3.0, 0.0), (4.0, 0.0)]
        );
    }
}
