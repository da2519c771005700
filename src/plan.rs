//! Restoration planning: the order in which a limited number of crews restart nodes, chosen
//! to make the people-hours of a scenario as small as the search can find.
//!
//! # What is searched
//!
//! Under a crew limit, ready nodes get crews in a priority order (see the engine's crews).
//! Only the nodes a restart can be ordered for ever wait for crews, so an order is a
//! permutation of those (the *restarted nodes*); every other node keeps model order.
//! Every order is judged by one deterministic run of the scenario (medians, no random
//! failures), on one engine that is [reset](Engine::reset) between runs.
//!
//! # How
//!
//! 1. Two starting orders: model order (`policy = "file"`) and critical-first; the better
//!    one is kept (model order on a tie).
//! 2. When every order of the restarted nodes fits in the budget of runs, every one is tried:
//!    the plan is then optimal.
//! 3. Otherwise a first-improvement local search: for each pair of places in the order where
//!    at least one of the two nodes had to wait for crews in the current plan's run, it tries
//!    swapping them, and moving either next to the other; the first change that lowers the
//!    people-hours is kept and the scan goes on from there. It stops when a whole scan finds
//!    nothing better, or when the budget of runs is spent. No guarantee: a local optimum.

use serde::Serialize;

use crate::engine::{Engine, Own, Recorder, View};
use crate::error::Error;
use crate::measure::{Measure, Score};
use crate::metrics::Metrics;
use crate::model::Model;
use crate::scenario::{Scenario, critical_first, restart_targets, too_few_crews};
use crate::time::SimTime;

/// The budget of runs when none is given.
pub const DEFAULT_ITERATIONS: u64 = 10_000;

/// What to plan for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// How many crews (replaces the scenario's `crews`).
    pub crews: u32,
    /// The most runs the search makes, the two starting orders included (at least 2).
    pub iterations: u64,
    /// Try every order when they all fit in the budget (the default). Off, the local search
    /// runs whatever the number of orders (to test it against the exhaustive answer).
    pub exhaustive: bool,
    /// What the plan makes small (people-hours by default).
    pub measure: Measure,
}

impl Config {
    /// `crews` crews, the default budget, exhaustive search when it fits.
    pub fn new(crews: u32) -> Config {
        Config {
            crews,
            iterations: DEFAULT_ITERATIONS,
            exhaustive: true,
            measure: Measure::PeopleHours,
        }
    }
}

/// How the plan was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Every order was tried: the plan is optimal.
    Exhaustive,
    /// Local search from the better starting order, stopped at a local optimum.
    LocalSearch,
    /// Local search cut short by the budget of runs.
    LocalSearchBudget,
}

impl Method {
    /// In words, for the table.
    pub fn describe(self) -> &'static str {
        match self {
            Method::Exhaustive => "every order tried: the plan is optimal",
            Method::LocalSearch => "local search (swaps and moves), stopped: no improvement",
            Method::LocalSearchBudget => "local search (swaps and moves), stopped: budget spent",
        }
    }
}

/// How one restart went in the planned run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// The node.
    pub id: String,
    /// Crews its restart occupies.
    pub effort: u32,
    /// When the restart started, hours from the start.
    pub start_h: f64,
    /// When it ended; null when it still runs at the horizon.
    pub end_h: Option<f64>,
    /// How it ended: `up`, `requirement lost` (back to waiting, progress lost), `shut down`,
    /// `failed`, or `horizon`.
    pub end: &'static str,
    /// Crews in use right after it started (at the end of that instant).
    pub crews_in_use: u32,
}

/// The result of `plan`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The scenario's name.
    pub scenario: String,
    /// How the people are called.
    pub population_label: String,
    /// Crews.
    pub crews: u32,
    /// People-hours with the crews taking ready nodes in model order (`policy = "file"`).
    pub people_hours_file_order: f64,
    /// People-hours with `policy = "critical-first"`.
    pub people_hours_critical_first: f64,
    /// People-hours with the plan.
    pub people_hours: f64,
    /// File order minus plan.
    pub saving: f64,
    /// The saving in per cent of file order; null when file order costs nothing.
    pub saving_pct: Option<f64>,
    /// How the plan was found.
    pub method: Method,
    /// Runs made.
    pub evaluations: u64,
    /// The restarted nodes in planned priority order (ids).
    pub order: Vec<String>,
    /// Every restart of the planned run, by start time.
    pub restarts: Vec<Step>,
    /// The order as node indices.
    #[serde(skip)]
    pub order_nodes: Vec<u32>,
    /// With a measure other than people-hours: what the plan made small, and its value for
    /// each order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measured: Option<Measured>,
}

/// A plan's measure (`--measure`) for file order, critical-first and the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measured {
    /// The measure's figure name (`weighted_people_hours`, `tolerance_breaches`).
    pub measure: &'static str,
    /// With the crews taking ready nodes in model order.
    pub file_order: f64,
    /// With `policy = "critical-first"`.
    pub critical_first: f64,
    /// With the plan.
    pub plan: f64,
}

/// Runs the scenario under `crews` crews for priority orders, on one reused engine.
struct Evaluator<'s> {
    scenario: &'s Scenario,
    engine: Engine<'s>,
    metrics: Metrics<'s>,
    crews: u32,
    measure: Measure,
    runs: u64,
}

impl<'s> Evaluator<'s> {
    fn new(scenario: &'s Scenario, crews: u32, measure: Measure) -> Self {
        Evaluator {
            scenario,
            engine: Engine::new(&scenario.model),
            metrics: Metrics::new(&scenario.model),
            crews,
            measure,
            runs: 0,
        }
    }

    /// The score under `order` (the measure, then people-hours or what else breaks its
    /// ties), and whether each node had to wait for crews.
    fn eval(&mut self, order: &[u32], waited: &mut Vec<bool>) -> Score {
        self.engine.reset();
        self.metrics.reset();
        self.engine.set_crews(Some(self.crews), order);
        let s = self.scenario;
        self.engine.play(&s.events, s.horizon, &mut self.metrics);
        self.runs += 1;
        waited.clear();
        waited.resize(s.model.nodes.len(), false);
        for &n in self.engine.crew_waiters() {
            waited[n as usize] = true;
        }
        self.metrics.score(self.measure)
    }

    /// The people-hours of the last run.
    fn people_hours(&self) -> f64 {
        self.metrics.people_hours()
    }
}

/// Searches a restart order for `config.crews` crews that makes the scenario's people-hours
/// small (see the module documentation for how, and what is guaranteed).
pub fn plan(scenario: &Scenario, config: &Config) -> Result<Plan, Error> {
    let model = &scenario.model;
    let crews = config.crews;
    if crews == 0 {
        return Err(usage("--crews must be at least 1".to_string()));
    }
    if config.iterations < 2 {
        return Err(usage(
            "--iterations must be at least 2: the two starting orders are runs".to_string(),
        ));
    }
    let targets = restart_targets(model.nodes.len(), &scenario.events, &scenario.random_for);
    if let Some((n, effort)) = too_few_crews(model, &targets, crews) {
        let id = &model.nodes[n as usize].id;
        return Err(usage(format!(
            "--crews {crews} is fewer than the effort of `{id}` ({effort}): its restart could never start; give at least {effort} crews"
        )));
    }
    config.measure.check(model)?;
    let mut ev = Evaluator::new(scenario, crews, config.measure);
    let mut waited = Vec::new();
    let file = targets.clone();
    let file_score = ev.eval(&file, &mut waited);
    let file_ph = ev.people_hours();
    let file_waited = waited.clone();
    let critical = critical_first(model, &targets);
    let critical_score = ev.eval(&critical, &mut waited);
    let critical_ph = ev.people_hours();
    let (mut best, mut best_ph) = if critical_score.beats(file_score) {
        (critical, critical_score)
    } else {
        waited = file_waited;
        (file, file_score)
    };
    let method = match factorial(best.len()) {
        Some(count) if config.exhaustive && count <= config.iterations - ev.runs => {
            exhaustive(&mut ev, &mut best, &mut best_ph);
            Method::Exhaustive
        }
        _ => local_search(&mut ev, config.iterations, &mut best, &mut best_ph, waited),
    };
    let restarts = steps(scenario, crews, &best);
    let best_score = best_ph;
    let best_ph = match config.measure {
        Measure::PeopleHours => best_score.0,
        // The people-hours of the plan, which the search did not keep: one more run (not
        // counted among the evaluations).
        _ => {
            ev.eval(&best, &mut Vec::new());
            ev.runs -= 1;
            ev.people_hours()
        }
    };
    let saving = file_ph - best_ph;
    let measured = (config.measure != Measure::PeopleHours).then(|| Measured {
        measure: config.measure.figure(),
        file_order: file_score.0,
        critical_first: critical_score.0,
        plan: best_score.0,
    });
    Ok(Plan {
        scenario: scenario.name.clone(),
        population_label: model.population_label.clone(),
        crews,
        people_hours_file_order: file_ph,
        people_hours_critical_first: critical_ph,
        people_hours: best_ph,
        saving,
        saving_pct: (file_ph > 0.0).then(|| saving / file_ph * 100.0),
        method,
        evaluations: ev.runs,
        order: best
            .iter()
            .map(|&n| model.nodes[n as usize].id.to_string())
            .collect(),
        restarts,
        order_nodes: best,
        measured,
    })
}

fn usage(message: String) -> Error {
    Error::Usage { message }
}

/// n!, when it fits in a u64.
fn factorial(n: usize) -> Option<u64> {
    (1..=n as u64).try_fold(1u64, |acc, k| acc.checked_mul(k))
}

/// Tries every order of `best` (in lexicographic order of places from `best`), keeping the
/// first of the lowest.
fn exhaustive(ev: &mut Evaluator<'_>, best: &mut Vec<u32>, best_ph: &mut Score) {
    let start = best.clone();
    let mut idx: Vec<usize> = (0..start.len()).collect();
    let mut order = start.clone();
    let mut waited = Vec::new();
    loop {
        for (o, &i) in order.iter_mut().zip(&idx) {
            *o = start[i];
        }
        let ph = ev.eval(&order, &mut waited);
        if ph.beats(*best_ph) {
            *best_ph = ph;
            best.clone_from(&order);
        }
        if !next_permutation(&mut idx) {
            break;
        }
    }
}

/// The next permutation in lexicographic order; false after the last one.
fn next_permutation(p: &mut [usize]) -> bool {
    let Some(i) = p.windows(2).rposition(|w| w[0] < w[1]) else {
        return false;
    };
    let j = p.iter().rposition(|&x| x > p[i]).expect("p[i + 1] > p[i]");
    p.swap(i, j);
    p[i + 1..].reverse();
    true
}

/// The changes tried for a pair of places i < j.
#[derive(Clone, Copy)]
enum Change {
    Swap,
    /// The node at j moves to i (the others shift back).
    Forward,
    /// The node at i moves to j (the others shift forward).
    Backward,
}

fn changed(order: &[u32], i: usize, j: usize, change: Change, into: &mut Vec<u32>) {
    into.clear();
    into.extend_from_slice(order);
    match change {
        Change::Swap => into.swap(i, j),
        Change::Forward => into[i..=j].rotate_right(1),
        Change::Backward => into[i..=j].rotate_left(1),
    }
}

fn local_search(
    ev: &mut Evaluator<'_>,
    budget: u64,
    best: &mut Vec<u32>,
    best_ph: &mut Score,
    mut waited: Vec<bool>,
) -> Method {
    let mut trial = Vec::with_capacity(best.len());
    let mut trial_waited = Vec::new();
    loop {
        let mut improved = false;
        // First the pairs where a node waited for crews (the changes most likely to matter);
        // the others only when those gave nothing, so a stop is a local optimum of them all.
        for others in [false, true] {
            if others && improved {
                break;
            }
            for i in 0..best.len() {
                for j in i + 1..best.len() {
                    if (waited[best[i] as usize] || waited[best[j] as usize]) == others {
                        continue;
                    }
                    // Adjacent places: the three changes are one.
                    let changes: &[Change] = if j == i + 1 {
                        &[Change::Swap]
                    } else {
                        &[Change::Swap, Change::Forward, Change::Backward]
                    };
                    for &change in changes {
                        if ev.runs >= budget {
                            return Method::LocalSearchBudget;
                        }
                        changed(best, i, j, change, &mut trial);
                        let ph = ev.eval(&trial, &mut trial_waited);
                        if ph.beats(*best_ph) {
                            *best_ph = ph;
                            std::mem::swap(best, &mut trial);
                            std::mem::swap(&mut waited, &mut trial_waited);
                            improved = true;
                            break;
                        }
                    }
                }
            }
        }
        if !improved {
            return Method::LocalSearch;
        }
    }
}

/// Every restart of the deterministic run with `crews` crews and priority `order`: when it
/// started and ended, how, and the crews in use; by start time, then priority.
pub fn steps(scenario: &Scenario, crews: u32, order: &[u32]) -> Vec<Step> {
    let model = &scenario.model;
    let mut engine = Engine::new(model);
    engine.set_crews(Some(crews), order);
    let mut rec = Steps {
        model,
        own: Vec::new(),
        open: vec![None; model.nodes.len()],
        steps: Vec::new(),
        busy: 0,
        up_at: vec![None; model.nodes.len()],
    };
    engine.play(&scenario.events, scenario.horizon, &mut rec);
    let mut rank = vec![u32::MAX; model.nodes.len()];
    for (pos, &n) in order.iter().enumerate() {
        rank[n as usize] = pos as u32;
    }
    let mut raw = rec.steps;
    raw.sort_by_key(|s| (s.start, rank[s.node as usize], s.node));
    raw.into_iter()
        .map(|s| Step {
            id: model.nodes[s.node as usize].id.to_string(),
            effort: model.nodes[s.node as usize].effort,
            start_h: s.start.hours(),
            end_h: s.end.map(SimTime::hours),
            end: s.how,
            crews_in_use: s.crews_in_use,
        })
        .collect()
}

struct RawStep {
    node: u32,
    start: SimTime,
    end: Option<SimTime>,
    how: &'static str,
    crews_in_use: u32,
}

/// Follows own states to list every restart: when it started, ended, and how.
struct Steps<'m> {
    model: &'m Model,
    own: Vec<Own>,
    /// Per node: its restart under way (index into `steps`).
    open: Vec<Option<usize>>,
    steps: Vec<RawStep>,
    busy: u32,
    /// Per node: when a restart of it last ended up.
    up_at: Vec<Option<SimTime>>,
}

impl Recorder for Steps<'_> {
    fn start(&mut self, view: &View<'_>) {
        self.own = view.own.to_vec();
    }

    fn instant(&mut self, t: SimTime, touched: &[u32], restarted: &[u32], view: &View<'_>) {
        let first_new = self.steps.len();
        for &n in touched {
            let i = n as usize;
            let (old, new) = (self.own[i], view.own[i]);
            if old == new {
                continue;
            }
            self.own[i] = new;
            let effort = self.model.nodes[i].effort;
            if let Some(k) = self.open[i].take() {
                self.busy -= effort;
                self.steps[k].end = Some(t);
                if new == Own::Up {
                    self.up_at[i] = Some(t);
                }
                self.steps[k].how = match new {
                    Own::Up => "up",
                    Own::Waiting => "requirement lost",
                    Own::Failed => "failed",
                    _ => "shut down",
                };
            }
            if new == Own::Restarting {
                self.busy += effort;
                self.open[i] = Some(self.steps.len());
                self.steps.push(RawStep {
                    node: n,
                    start: t,
                    end: None,
                    how: "horizon",
                    crews_in_use: 0,
                });
            }
        }
        // A restart of no time starts and ends within the instant: never seen restarting.
        for &n in restarted {
            if self.up_at[n as usize] != Some(t) {
                self.up_at[n as usize] = Some(t);
                self.steps.push(RawStep {
                    node: n,
                    start: t,
                    end: Some(t),
                    how: "up",
                    crews_in_use: 0,
                });
            }
        }
        for s in &mut self.steps[first_new..] {
            s.crews_in_use = self.busy;
        }
    }

    fn finish(&mut self, _: SimTime, _: &View<'_>) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutations_in_lexicographic_order() {
        let mut p = vec![0, 1, 2];
        let mut seen = vec![p.clone()];
        while next_permutation(&mut p) {
            seen.push(p.clone());
        }
        assert_eq!(
            seen,
            [
                [0, 1, 2],
                [0, 2, 1],
                [1, 0, 2],
                [1, 2, 0],
                [2, 0, 1],
                [2, 1, 0]
            ]
        );
        assert_eq!(factorial(6), Some(720));
        assert_eq!(factorial(0), Some(1));
        assert_eq!(factorial(30), None);
    }

    #[test]
    fn changes_of_a_pair() {
        let order = [10, 11, 12, 13];
        let mut out = Vec::new();
        changed(&order, 0, 2, Change::Swap, &mut out);
        assert_eq!(out, [12, 11, 10, 13]);
        changed(&order, 0, 2, Change::Forward, &mut out);
        assert_eq!(out, [12, 10, 11, 13]);
        changed(&order, 0, 2, Change::Backward, &mut out);
        assert_eq!(out, [11, 12, 10, 13]);
    }
}
