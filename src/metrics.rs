//! People affected, people-hours, per-client and per-service figures, indices and RTO
//! breaches (SPEC 2.5): a [`Recorder`] that integrates the engine's change points exactly.
//!
//! Affected people are kept in exact integer units (10⁻¹² person: a share and an
//! unavailability are each in millionths) and integrated over integer seconds, so
//! people-hours carry no rounding until they are printed.

mod affected;
mod functions;
mod through;

use serde::Serialize;

use crate::engine::{Engine, Options, Own, Propagation, Recorder, View};
use crate::model::{Avail, FULL, Model, NodeKind};
use crate::scenario::Scenario;
use crate::time::SimTime;

pub(crate) use affected::{Affected, WHOLE, affected_units};
pub(crate) use functions::Functions;
pub use functions::{FunctionResult, ToleranceBreach};
use through::Through;

/// The summary figures of a run, in the order of [`RunResult::figures`].
pub const SUMMARY: [&str; 8] = [
    "peak_affected",
    "peak_time_h",
    "people_hours",
    "recovered_at_h",
    "saidi_h",
    "saifi",
    "caidi_h",
    "people_hours_per_year",
];

/// Units of affected people per person (a share times an unavailability, in millionths each).
pub(crate) const PERSON: u128 = (FULL as u128) * (FULL as u128);
pub(crate) const PERSON_HOUR: f64 = PERSON as f64 * 3600.0;
/// Hours in a year of 365 days, for figures per year.
pub const HOURS_PER_YEAR: f64 = 8760.0;

pub(crate) fn people(units: u128) -> f64 {
    units as f64 / PERSON as f64
}

/// One change point of the affected total.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TimelinePoint {
    /// Hours from the start.
    pub t_h: f64,
    /// People affected from then on.
    pub affected: f64,
}

/// Figures for one client.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ClientResult {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its population.
    pub population: u64,
    /// How its uses combine: `max`, `union` or `sum`.
    pub combine: &'static str,
    /// ∫ affected dt.
    pub people_hours: f64,
    /// The most people affected at once.
    pub peak_affected: f64,
    /// First time affected; null when never.
    pub first_affected_h: Option<f64>,
    /// When affected went back to 0 for good; 0 when never affected; null when not recovered.
    pub recovered_at_h: Option<f64>,
    /// The longest continuous time with affected > 0.
    pub longest_outage_h: f64,
    /// How many times affected rose from 0.
    pub interruptions: u32,
}

/// One RTO breach: a run of a < 1 strictly longer than the RTO.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RtoBreach {
    /// When availability dropped below 1.
    pub start_h: f64,
    /// When the RTO was exceeded (start + rto).
    pub breached_at_h: f64,
    /// How long the run lasted (cut at the horizon).
    pub duration_h: f64,
    /// True when the run is still open at the horizon.
    pub ongoing: bool,
    /// Peak over the run of the people affected through this node.
    pub people_affected: f64,
}

/// Figures for one site or service.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ServiceResult {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// "site" or "service".
    pub kind: &'static str,
    /// ∫ (1 − a) dt.
    pub unavailable_h: f64,
    /// When its availability last came back to 1: 0 when it never dropped, null when it is
    /// below 1 at the horizon.
    pub restored_at_h: Option<f64>,
    /// Time on fallback (engaged or switching back).
    pub fallback_h: f64,
    /// Completed restarts.
    pub restarts: u32,
    /// Its RTO in hours, if it has one.
    pub rto_h: Option<f64>,
    /// Its RTO breaches.
    pub rto_breaches: Vec<RtoBreach>,
    /// Its share of the people-hours: while n nodes are down (own state not up), the
    /// people-hours accrued are shared equally among them.
    pub attributed_people_hours: f64,
}

/// The whole result of one deterministic run (SPEC 4).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunResult {
    /// The scenario's name.
    pub scenario: String,
    /// The seed of a Monte Carlo sample (`run --seed`); absent for the deterministic run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The model's name.
    pub model: String,
    /// How the people are called.
    pub population_label: String,
    /// Sum of all clients' populations.
    pub total_population: u64,
    /// How the uses of a client combine, unless the client says otherwise (see
    /// [`ClientResult::combine`]): `max`, `union` or `sum`.
    pub combine: &'static str,
    /// Wall-clock time of t = 0, as the scenario gives it.
    pub start: Option<String>,
    /// The horizon in hours.
    pub horizon_h: f64,
    /// The sampling step in hours.
    pub step_h: f64,
    /// The most people affected at once.
    pub peak_affected: f64,
    /// When the peak was first reached.
    pub peak_time_h: f64,
    /// ∫ affected dt over the horizon.
    pub people_hours: f64,
    /// People-hours per year of 365 days: people-hours × 8,760 h / horizon.
    pub people_hours_per_year: f64,
    /// When the total went back to 0 for good; null when not recovered.
    pub recovered_at_h: Option<f64>,
    /// Average interruption hours per person.
    pub saidi_h: f64,
    /// Interruptions per person (each weighted by its peak affected).
    pub saifi: f64,
    /// Hours per interruption; null when SAIFI is 0.
    pub caidi_h: Option<f64>,
    /// Every change point of the affected total, from 0.
    pub timeline: Vec<TimelinePoint>,
    /// Per client, in model order.
    pub clients: Vec<ClientResult>,
    /// Per site and service, in model order (sites first).
    pub services: Vec<ServiceResult>,
    /// Per client and business function, client by client (absent when the model has no
    /// functions).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<FunctionResult>,
    /// Σ over `functions` of their weighted people-hours (absent without functions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weighted_people_hours: Option<f64>,
    /// How many tolerances `functions` breach (absent without functions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tolerance_breaches: Option<u64>,
    /// Per business function, in model order, its course (the rows without a client; their
    /// `people_hours` is the loss per person), for Monte Carlo figures.
    #[serde(skip)]
    pub per_function: Vec<FunctionResult>,
    /// Cold-start deadlocks: sets of ids that wait on each other forever.
    pub deadlocks: Vec<Vec<String>>,
    /// Warnings from loading and running.
    pub warnings: Vec<String>,
    /// Exact change points (seconds, affected) for sampling.
    #[serde(skip)]
    pub points: Vec<(SimTime, f64)>,
    /// Instants and events processed (for `--timings`).
    #[serde(skip)]
    pub events_processed: u64,
}

/// How the clients' uses combine, in words: the model's way and the clients that differ,
/// e.g. "Uses combine by max (2 clients by union)".
pub fn combine_line<'a>(model: &str, clients: impl Iterator<Item = &'a str>) -> String {
    let mut others: Vec<(&str, usize)> = Vec::new();
    for c in clients.filter(|&c| c != model) {
        match others.iter_mut().find(|(m, _)| *m == c) {
            Some((_, n)) => *n += 1,
            None => others.push((c, 1)),
        }
    }
    others.sort_unstable();
    let mut line = format!("Uses combine by {model}");
    if !others.is_empty() {
        let parts: Vec<String> = others
            .iter()
            .map(|(m, n)| format!("{n} client{} by {m}", if *n == 1 { "" } else { "s" }))
            .collect();
        line.push_str(&format!(" ({})", parts.join(", ")));
    }
    line
}

impl RunResult {
    /// Affected people at every multiple of `step` from 0 to the horizon: the value after
    /// everything at that instant is done.
    pub fn sampled(&self, step: SimTime, horizon: SimTime) -> Vec<(SimTime, f64)> {
        let mut out = Vec::new();
        let mut i = 0;
        let mut t = SimTime::ZERO;
        while t <= horizon {
            while i + 1 < self.points.len() && self.points[i + 1].0 <= t {
                i += 1;
            }
            out.push((t, self.points.get(i).map_or(0.0, |p| p.1)));
            t = t.plus(step);
            if step.0 == 0 {
                break;
            }
        }
        out
    }
}

impl RunResult {
    /// The summary figures, in the order of [`SUMMARY`]; `None` where
    /// the result has null.
    pub fn figures(&self) -> [Option<f64>; 8] {
        [
            Some(self.peak_affected),
            Some(self.peak_time_h),
            Some(self.people_hours),
            self.recovered_at_h,
            Some(self.saidi_h),
            Some(self.saifi),
            self.caidi_h,
            Some(self.people_hours_per_year),
        ]
    }
}

/// Runs a scenario and computes its figures.
pub fn run(scenario: &Scenario) -> RunResult {
    run_with(scenario, Propagation::Incremental)
}

/// [`run`] with a choice of propagation (the full recompute is the reference).
pub fn run_with(scenario: &Scenario, propagation: Propagation) -> RunResult {
    run_opts(
        scenario,
        Options {
            propagation,
            seed: None,
        },
    )
}

/// One run: deterministic (`None`), or the Monte Carlo sample drawn from `seed`.
pub fn run_seeded(scenario: &Scenario, seed: Option<u64>) -> RunResult {
    run_opts(
        scenario,
        Options {
            propagation: Propagation::Incremental,
            seed,
        },
    )
}

/// [`run`] with every option.
pub fn run_opts(scenario: &Scenario, options: Options) -> RunResult {
    run_into(scenario, options, &mut Metrics::new(&scenario.model))
}

/// [`run_opts`] with a recorder to reuse: many runs of one model (Monte Carlo) keep its
/// allocations and what it learned of the model's structure.
pub fn run_into(scenario: &Scenario, options: Options, m: &mut Metrics) -> RunResult {
    run_beside(scenario, options, m, &mut ())
}

/// [`run_opts`] in one simulation pass with `also`, another recorder (the charts of a run):
/// it sees every change point of the same run.
pub fn run_recording(scenario: &Scenario, options: Options, also: &mut impl Recorder) -> RunResult {
    run_beside(scenario, options, &mut Metrics::new(&scenario.model), also)
}

fn run_beside(
    scenario: &Scenario,
    options: Options,
    m: &mut Metrics,
    also: &mut impl Recorder,
) -> RunResult {
    m.reset();
    // The reference engine goes with the plain metrics: every client and every RTO sum
    // recomputed at every instant.
    let plain = options.propagation == Propagation::FullRecompute;
    m.affected.plain = plain;
    m.through.plain = plain;
    m.functions.plain = plain;
    let outcome = Engine::run_opts(scenario, &mut (&mut *m, also), options);
    let model = &scenario.model;
    let mut warnings = scenario.warnings.clone();
    warnings.extend(outcome.warnings);
    let mut result = m.take_result(scenario);
    result.deadlocks = outcome
        .deadlocks
        .iter()
        .map(|set| {
            set.iter()
                .map(|&n| model.nodes[n as usize].id.to_string())
                .collect()
        })
        .collect();
    result.warnings = warnings;
    result.events_processed = outcome.events;
    result.seed = options.seed;
    result
}

#[derive(Default, Clone)]
struct ClientTrack {
    since: SimTime,
    integral: u128,
    peak: u128,
    first: Option<SimTime>,
    outage_start: Option<SimTime>,
    longest: u64,
    recovered: SimTime,
    interruption_peak: u128,
    interruptions: u32,
}

#[derive(Clone)]
struct NodeTrack {
    a: Avail,
    since: SimTime,
    unavail: u128,
    fallback_since: Option<SimTime>,
    fallback_secs: u64,
    restarts: u32,
    run_start: Option<SimTime>,
    run_peak: u128,
    breaches: Vec<RtoBreach>,
    /// When its availability last came back to full.
    restored: SimTime,
    /// Own state not up (down, for the attribution of people-hours).
    down: bool,
    /// [`Metrics::shared`] when it went down.
    shared_at_down: f64,
    /// People-hours attributed to it.
    blamed: f64,
}

impl NodeTrack {
    /// Up since the start, nothing recorded.
    const START: NodeTrack = NodeTrack {
        a: FULL,
        since: SimTime::ZERO,
        unavail: 0,
        fallback_since: None,
        fallback_secs: 0,
        restarts: 0,
        run_start: None,
        run_peak: 0,
        breaches: Vec::new(),
        restored: SimTime::ZERO,
        down: false,
        shared_at_down: 0.0,
        blamed: 0.0,
    };
}

/// The metrics recorder.
pub struct Metrics<'m> {
    model: &'m Model,
    clients: Vec<ClientTrack>,
    nodes: Vec<NodeTrack>,
    total: u128,
    total_since: SimTime,
    total_integral: u128,
    peak: (u128, SimTime),
    recovered: SimTime,
    interruption_sum: u128,
    points: Vec<(SimTime, u128)>,
    affected: Affected,
    /// The nodes whose availability changed in the instant, with their availability before.
    changes: Vec<(u32, Avail)>,
    /// Nodes with an RTO whose clock started in the instant.
    opening: Vec<u32>,
    through: Through,
    functions: Functions,
    /// The functions' rows, made at the horizon: per client and function, and per function.
    function_rows: Vec<FunctionResult>,
    function_closed: Vec<FunctionResult>,
    /// ∫ total / (nodes down) dt in people-hours: what one node down all along would be
    /// attributed. A node is attributed the growth of this integral while it is down.
    shared: f64,
    shared_since: SimTime,
    nodes_down: u64,
}

impl<'m> Metrics<'m> {
    /// A recorder for `model`.
    pub fn new(model: &'m Model) -> Self {
        let n = model.nodes.len();
        Metrics {
            model,
            clients: vec![ClientTrack::default(); model.clients.len()],
            nodes: vec![NodeTrack::START; n],
            total: 0,
            total_since: SimTime::ZERO,
            total_integral: 0,
            peak: (0, SimTime::ZERO),
            recovered: SimTime::ZERO,
            interruption_sum: 0,
            points: Vec::new(),
            affected: Affected::new(model),
            changes: Vec::new(),
            opening: Vec::new(),
            through: Through::default(),
            functions: Functions::new(model),
            function_rows: Vec::new(),
            function_closed: Vec::new(),
            shared: 0.0,
            shared_since: SimTime::ZERO,
            nodes_down: 0,
        }
    }

    fn close_breach(&mut self, v: usize, t: SimTime, ongoing: bool) {
        let node = &mut self.nodes[v];
        if let (Some(start), Some(rto)) = (node.run_start, self.model.nodes[v].rto) {
            let len = t.0 - start.0;
            if len > rto.0 {
                node.breaches.push(RtoBreach {
                    start_h: start.hours(),
                    breached_at_h: start.plus(rto).hours(),
                    duration_h: SimTime(len).hours(),
                    ongoing,
                    people_affected: people(node.run_peak),
                });
            }
        }
        node.run_start = None;
        node.run_peak = 0;
    }

    /// Back to the state of [`Metrics::new`], keeping allocations and the downstream cache.
    pub fn reset(&mut self) {
        self.clients.fill(ClientTrack::default());
        for t in &mut self.nodes {
            *t = NodeTrack {
                breaches: std::mem::take(&mut t.breaches),
                ..NodeTrack::START
            };
            t.breaches.clear();
        }
        self.total = 0;
        self.total_since = SimTime::ZERO;
        self.total_integral = 0;
        self.peak = (0, SimTime::ZERO);
        self.recovered = SimTime::ZERO;
        self.interruption_sum = 0;
        self.points.clear();
        self.affected.reset();
        self.through.reset();
        self.functions.reset();
        self.function_rows.clear();
        self.function_closed.clear();
        self.shared = 0.0;
        self.shared_since = SimTime::ZERO;
        self.nodes_down = 0;
    }

    /// People-hours of the run recorded so far (complete once the run has finished): the
    /// `people_hours` of the [`RunResult`] it would make, without making it.
    pub fn people_hours(&self) -> f64 {
        self.total_integral as f64 / PERSON_HOUR
    }

    /// The finished run's score by `measure`.
    pub fn score(&self, measure: crate::measure::Measure) -> crate::measure::Score {
        measure.score(self.people_hours(), &self.function_rows)
    }

    /// Advances [`Metrics::shared`] to `t` with the total and the nodes down until then.
    fn share_until(&mut self, t: SimTime) {
        if self.nodes_down > 0 && self.total > 0 {
            let dt = (t.0 - self.shared_since.0) as f64;
            self.shared += self.total as f64 * dt / PERSON_HOUR / self.nodes_down as f64;
        }
        self.shared_since = t;
    }

    fn take_result(&mut self, scenario: &Scenario) -> RunResult {
        let model = self.model;
        let total_pop = model.total_population();
        let people_hours = self.total_integral as f64 / PERSON_HOUR;
        let saifi_units = self.interruption_sum;
        let (saidi, saifi) = if total_pop == 0 {
            (0.0, 0.0)
        } else {
            (
                people_hours / total_pop as f64,
                people(saifi_units) / total_pop as f64,
            )
        };
        let caidi =
            (saifi_units > 0).then(|| self.total_integral as f64 / 3600.0 / saifi_units as f64);
        let clients = model
            .clients
            .iter()
            .zip(&self.clients)
            .enumerate()
            .map(|(ci, (c, t))| ClientResult {
                id: c.id.to_string(),
                name: c.name.to_string(),
                population: c.population,
                combine: c.combine.as_str(),
                people_hours: t.integral as f64 / PERSON_HOUR,
                peak_affected: people(t.peak),
                first_affected_h: t.first.map(SimTime::hours),
                recovered_at_h: (self.affected.units(ci) == 0).then(|| t.recovered.hours()),
                longest_outage_h: SimTime(t.longest).hours(),
                interruptions: t.interruptions,
            })
            .collect();
        let services = model
            .nodes
            .iter()
            .zip(&mut self.nodes)
            .map(|(n, t)| ServiceResult {
                id: n.id.to_string(),
                name: n.name().to_string(),
                kind: match n.kind {
                    NodeKind::Site => "site",
                    NodeKind::Service => "service",
                },
                unavailable_h: t.unavail as f64 / (FULL as f64 * 3600.0),
                restored_at_h: (t.a == FULL).then(|| t.restored.hours()),
                fallback_h: SimTime(t.fallback_secs).hours(),
                restarts: t.restarts,
                rto_h: n.rto.map(SimTime::hours),
                rto_breaches: std::mem::take(&mut t.breaches),
                attributed_people_hours: t.blamed,
            })
            .collect();
        let points: Vec<(SimTime, f64)> =
            self.points.iter().map(|&(t, u)| (t, people(u))).collect();
        let totals =
            (!self.function_rows.is_empty()).then(|| crate::measure::totals(&self.function_rows));
        RunResult {
            scenario: scenario.name.clone(),
            model: model.name.clone(),
            population_label: model.population_label.clone(),
            total_population: total_pop,
            combine: model.combine.as_str(),
            start: scenario.start.clone(),
            horizon_h: scenario.horizon.hours(),
            step_h: scenario.step.hours(),
            peak_affected: people(self.peak.0),
            peak_time_h: self.peak.1.hours(),
            people_hours,
            people_hours_per_year: if scenario.horizon.0 == 0 {
                0.0
            } else {
                people_hours * HOURS_PER_YEAR / scenario.horizon.hours()
            },
            recovered_at_h: (self.total == 0).then(|| self.recovered.hours()),
            saidi_h: saidi,
            saifi,
            caidi_h: caidi,
            timeline: points
                .iter()
                .map(|&(t, a)| TimelinePoint {
                    t_h: t.hours(),
                    affected: a,
                })
                .collect(),
            clients,
            services,
            weighted_people_hours: totals.map(|t| t.0),
            tolerance_breaches: totals.map(|t| t.1),
            functions: std::mem::take(&mut self.function_rows),
            per_function: std::mem::take(&mut self.function_closed),
            deadlocks: Vec::new(),
            warnings: Vec::new(),
            points,
            events_processed: 0,
            seed: None,
        }
    }
}

impl Recorder for Metrics<'_> {
    fn start(&mut self, _view: &View<'_>) {}

    fn instant(&mut self, t: SimTime, touched: &[u32], restarted: &[u32], view: &View<'_>) {
        let model = self.model;
        for &v in restarted {
            self.nodes[v as usize].restarts += 1;
        }
        self.share_until(t);
        for &v in touched {
            let i = v as usize;
            let a = view.a[i];
            let node = &mut self.nodes[i];
            let down = view.own[i] != Own::Up;
            if down != node.down {
                node.down = down;
                if down {
                    node.shared_at_down = self.shared;
                    self.nodes_down += 1;
                } else {
                    node.blamed += self.shared - node.shared_at_down;
                    self.nodes_down -= 1;
                }
            }
            let on_fb = view.mode[i].on_fallback();
            match (node.fallback_since, on_fb) {
                (None, true) => node.fallback_since = Some(t),
                (Some(s), false) => {
                    node.fallback_secs += t.0 - s.0;
                    node.fallback_since = None;
                }
                _ => {}
            }
            if a == node.a {
                continue;
            }
            node.unavail += (FULL - node.a) as u128 * (t.0 - node.since.0) as u128;
            node.since = t;
            let was_full = node.a == FULL;
            self.changes.push((v, node.a));
            node.a = a;
            if was_full && a < FULL {
                node.run_start = Some(t);
                node.run_peak = 0;
                if model.nodes[i].rto.is_some() {
                    self.opening.push(v);
                }
            } else if !was_full && a == FULL {
                self.nodes[i].restored = t;
                self.close_breach(i, t, false);
                if model.nodes[i].rto.is_some() {
                    self.through.close(v);
                }
            }
        }

        self.functions.instant(model, t, touched, view);

        // The clients.
        let (clients, total, interruption_sum) = (
            &mut self.clients,
            &mut self.total,
            &mut self.interruption_sum,
        );
        self.affected.update(model, touched, view.a, |c, old, new| {
            let tr = &mut clients[c as usize];
            tr.integral += old * (t.0 - tr.since.0) as u128;
            tr.since = t;
            if old == 0 {
                tr.first.get_or_insert(t);
                tr.outage_start = Some(t);
                tr.interruptions += 1;
                tr.interruption_peak = 0;
            }
            if new == 0 {
                if let Some(s) = tr.outage_start.take() {
                    tr.longest = tr.longest.max(t.0 - s.0);
                }
                *interruption_sum += tr.interruption_peak.max(old);
                tr.recovered = t;
            }
            tr.interruption_peak = tr.interruption_peak.max(new);
            tr.peak = tr.peak.max(new);
            *total = *total + new - old;
        });

        // People affected through each node whose RTO clock runs.
        let nodes = &mut self.nodes;
        self.through
            .instant(model, &self.changes, &self.opening, view.a, |v, sum| {
                let node = &mut nodes[v as usize];
                node.run_peak = node.run_peak.max(sum);
            });
        self.changes.clear();
        self.opening.clear();

        // The total.
        let last = self.points.last().map(|p| p.1);
        if last != Some(self.total) {
            if let Some(prev) = last {
                self.total_integral += prev * (t.0 - self.total_since.0) as u128;
                if self.total == 0 {
                    self.recovered = t;
                }
            }
            self.total_since = t;
            self.points.push((t, self.total));
            if self.total > self.peak.0 {
                self.peak = (self.total, t);
            }
        }
    }

    fn finish(&mut self, horizon: SimTime, _view: &View<'_>) {
        let h = horizon.0;
        self.share_until(horizon);
        if let Some(&(_, last)) = self.points.last() {
            self.total_integral += last * (h - self.total_since.0) as u128;
        }
        for (ci, tr) in self.clients.iter_mut().enumerate() {
            tr.integral += self.affected.units(ci) * (h - tr.since.0) as u128;
            tr.since = horizon;
            if let Some(s) = tr.outage_start {
                tr.longest = tr.longest.max(h - s.0);
                self.interruption_sum += tr.interruption_peak;
            }
        }
        for v in 0..self.nodes.len() {
            let node = &mut self.nodes[v];
            node.unavail += (FULL - node.a) as u128 * (h - node.since.0) as u128;
            node.since = horizon;
            if let Some(s) = node.fallback_since.take() {
                node.fallback_secs += h - s.0;
            }
            if node.down {
                node.blamed += self.shared - node.shared_at_down;
                node.shared_at_down = self.shared;
            }
            if node.run_start.is_some() {
                self.close_breach(v, horizon, true);
            }
        }
        (self.function_rows, self.function_closed) = self.functions.finish(self.model, horizon);
    }
}
