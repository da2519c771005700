//! Criticality: every site and service lost alone, ranked by the people-hours it costs; the
//! pairs whose joint loss cuts off people that neither loss alone does; per client, its
//! minimal cut sets.
//!
//! # How it stays fast
//!
//! One engine serves every run: after each loss it is [`Engine::reset`], which puts back only
//! what the run changed, and the recorder below keeps only the clients the run touched. A
//! run costs what the loss reaches downstream, not the size of the model.
//!
//! Pairs are not all tried. Losses produce zeros, and zeros only combine where a value is a
//! K-th largest with K below the number of members (`any_of`, k-of-n) or the larger of a
//! primary and a fallback value: everywhere else one zero input is enough for a zero output.
//! So a pair can cut off what neither loss alone does only if both losses zero inputs of
//! one such point that neither zeroes alone. Each single loss records the nodes it zeroes;
//! the candidate pairs are those meeting at a point, and only they are simulated.
//!
//! When a client is cut off short of all its people (`--cut-off` below 1), or some client
//! sums its uses, partial losses count too: a loss records the nodes it lowers (a < 1), not
//! only those it zeroes, since two partial losses can meet at the same points (elsewhere the
//! joint value is the lower of the two). The clients that combine partial losses of several
//! uses, by `sum` (or by `union` below a cut-off of 1), are points of their own, with their
//! uses' nodes as inputs.
//!
//! # Definitions
//!
//! - A loss is a shutdown at 0 and a restart order after `duration`. Everything it needs is
//!   up, so the node restarts at once and is back after its restart time; what depends on
//!   it comes back with it, and fallbacks switch back. People-hours and the peak come from
//!   that run, up to the horizon `duration` + the model's longest restart, warmup,
//!   activation and switchback: a node that cannot restart (a restart cycle) is counted up
//!   to there. (With a warmup anywhere, every loss is played out.)
//! - A client is cut off by a loss when all its people are affected at the moment of the
//!   loss (fallbacks with an activation delay have not engaged yet): one of its uses with
//!   share 1 has availability 0.
//! - A minimal cut set of a client is a set of nodes whose joint loss cuts it off while no
//!   smaller subset does.

use std::fmt;
use std::sync::Arc;

use fixedbitset::FixedBitSet;
use rayon::prelude::*;
use serde::Serialize;

use crate::engine::{Engine, Recorder, View};
use crate::measure::Measure;
use crate::metrics::{Affected, PERSON, PERSON_HOUR};
use crate::metrics::{Functions, WHOLE};
use crate::model::{Combine, FULL, Model, to_units};
use crate::pool::Pool;
use crate::scenario::{Action, Event};
use crate::time::SimTime;

/// What to rank.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// How long each loss lasts before the restart order.
    pub duration: SimTime,
    /// 1: single losses; 2: also pairs.
    pub order: u8,
    /// The most candidate pairs simulated (the best-placed first); more are counted.
    pub max_pairs: usize,
    /// The share of its people at which a client counts as cut off, in (0, 1].
    pub cut_off: f64,
    /// What the losses are ranked by.
    pub measure: Measure,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            duration: SimTime(24 * 3600),
            order: 1,
            max_pairs: 10_000,
            cut_off: 1.0,
            measure: Measure::PeopleHours,
        }
    }
}

/// Ids of clients or nodes, each an index into one table of names shared by a whole
/// ranking: a ranking of a large model names millions of cut-off clients, and each is a
/// number here rather than a copy of its id. Serialises as the list of ids.
#[derive(Clone)]
pub struct IdList {
    names: Arc<[String]>,
    at: Vec<u32>,
}

impl IdList {
    fn new(names: &Arc<[String]>, at: Vec<u32>) -> Self {
        IdList {
            names: Arc::clone(names),
            at,
        }
    }

    /// How many ids.
    pub fn len(&self) -> usize {
        self.at.len()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    /// The ids, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.at.iter().map(|&i| self.names[i as usize].as_str())
    }

    /// The ids, copied.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }
}

impl fmt::Debug for IdList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for IdList {
    fn eq(&self, other: &IdList) -> bool {
        self.iter().eq(other.iter())
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for IdList {
    fn eq(&self, other: &Vec<S>) -> bool {
        self.iter().eq(other.iter().map(AsRef::as_ref))
    }
}

impl Serialize for IdList {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// The loss of one node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Single {
    /// Its id.
    pub id: String,
    /// "site" or "service".
    pub kind: &'static str,
    /// People-hours of the loss.
    pub people_hours: f64,
    /// Most people affected at once.
    pub peak_affected: f64,
    /// Clients with anyone affected.
    pub clients_hit: usize,
    /// Clients cut off (ids).
    pub cut_off: IdList,
    /// People in the clients cut off.
    pub people_cut_off: u64,
    /// When nobody is affected any more; `None` when that never happens (a restart cycle).
    pub recovered_at_h: Option<f64>,
    /// Weighted people-hours of the business functions (absent without functions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weighted_people_hours: Option<f64>,
    /// Tolerances of the business functions breached (absent without functions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tolerance_breaches: Option<u64>,
}

/// Two losses that cut off clients neither cuts off alone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairCut {
    /// The two ids, in model order.
    pub ids: [String; 2],
    /// The clients only the pair cuts off.
    pub cut_off: Vec<String>,
    /// People in them.
    pub people_cut_off: u64,
}

/// A client's minimal cut sets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientCuts {
    /// The client's id.
    pub id: String,
    /// Its people.
    pub population: u64,
    /// Single nodes that cut it off.
    pub singles: IdList,
    /// Pairs that cut it off, neither alone doing so (with `--order 2`).
    pub pairs: Vec<[String; 2]>,
}

/// The whole ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranking {
    /// The model's name.
    pub model: String,
    /// How reports name the people.
    pub population_label: String,
    /// The length of each loss, hours.
    pub duration_h: f64,
    /// The order asked for.
    pub order: u8,
    /// The share of its people at which a client counts as cut off.
    pub cut_off: f64,
    /// How the clients' uses combine, in words (see [`crate::metrics::combine_line`]).
    pub combine: String,
    /// What the losses are ranked by, when not people-hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure: Option<Measure>,
    /// Every site and service, the costliest loss first.
    pub singles: Vec<Single>,
    /// The pairs, most people cut off first (with `--order 2`).
    pub pairs: Vec<PairCut>,
    /// Candidate pairs simulated.
    pub pairs_tried: usize,
    /// Candidate pairs left untried for `max_pairs` (at most this many; some may repeat).
    pub pairs_untried: u64,
    /// Per client with at least one cut set.
    pub cut_sets: Vec<ClientCuts>,
}

/// Follows one loss: people affected, their integral and peak, and what the first instant
/// cut off and zeroed. Its state is put back in time proportional to what it touched.
struct Probe<'m> {
    model: &'m Model,
    /// Per client: the people affected.
    clients: Affected,
    touched: Vec<u32>,
    touched_mark: FixedBitSet,
    total: u128,
    since: SimTime,
    integral: u128,
    peak: u128,
    recovered: Option<SimTime>,
    /// The business functions over the loss.
    functions: Functions,
    /// Clients with anyone affected at some instant.
    hit: usize,
    hit_mark: FixedBitSet,
    first: bool,
    /// Clients cut off at the first instant.
    cut: Vec<u32>,
    /// What cuts a client off: its combined loss at least this (in units of
    /// [`crate::metrics::PERSON`] per person).
    cut_units: u64,
    /// Whether partial losses meet (see the module's documentation): then `zeros` holds the
    /// nodes lowered, not only those at 0.
    partial: bool,
    /// Nodes at 0 (lowered, when `partial`) after the first instant.
    zeros: Vec<u32>,
    /// The earliest activation of a fallback the first instant set off.
    activation: Option<SimTime>,
}

impl<'m> Probe<'m> {
    fn new(model: &'m Model, cut: Cut) -> Self {
        Probe {
            cut_units: cut.units,
            partial: cut.partial,
            functions: Functions::new(model),
            model,
            clients: Affected::new(model),
            touched: Vec::new(),
            touched_mark: FixedBitSet::with_capacity(model.clients.len()),
            total: 0,
            since: SimTime::ZERO,
            integral: 0,
            peak: 0,
            recovered: Some(SimTime::ZERO),
            hit: 0,
            hit_mark: FixedBitSet::with_capacity(model.clients.len()),
            first: true,
            cut: Vec::new(),
            zeros: Vec::new(),
            activation: None,
        }
    }

    fn reset(&mut self) {
        for &c in &self.touched {
            self.touched_mark.set(c as usize, false);
            self.hit_mark.set(c as usize, false);
        }
        self.hit = 0;
        self.touched.clear();
        self.clients.reset();
        self.functions.reset();
        self.total = 0;
        self.since = SimTime::ZERO;
        self.integral = 0;
        self.peak = 0;
        self.recovered = Some(SimTime::ZERO);
        self.first = true;
        self.cut.clear();
        self.zeros.clear();
        self.activation = None;
    }
}

impl Recorder for Probe<'_> {
    fn start(&mut self, _: &View<'_>) {}

    fn instant(&mut self, t: SimTime, touched: &[u32], _: &[u32], view: &View<'_>) {
        let model = self.model;
        self.integral += self.total * (t.0 - self.since.0) as u128;
        self.since = t;
        self.functions.instant(model, t, touched, view);
        if self.first {
            for &v in touched {
                let a = view.a[v as usize];
                if a == 0 || (self.partial && a < FULL) {
                    self.zeros.push(v);
                }
                if model.has_fallback.contains(v as usize)
                    && let Some(fb) = model.fallbacks[v as usize]
                {
                    self.activation = Some(
                        self.activation
                            .map_or(fb.activation, |a| a.min(fb.activation)),
                    );
                }
            }
        }
        let Probe {
            touched: clients_touched,
            touched_mark,
            total,
            hit,
            hit_mark,
            ..
        } = self;
        self.clients.update(model, touched, view.a, |c, old, new| {
            let ci = c as usize;
            if !touched_mark.put(ci) {
                clients_touched.push(c);
            }
            *total = *total + new - old;
            if new > 0 && !hit_mark.put(ci) {
                *hit += 1;
            }
        });
        if self.first {
            for &c in &self.touched {
                let pop = model.clients[c as usize].population;
                if pop > 0 && self.clients.combined(c as usize) >= self.cut_units {
                    self.cut.push(c);
                }
            }
            self.cut.sort_unstable();
        }
        self.first = false;
        self.peak = self.peak.max(self.total);
        if self.total > 0 {
            self.recovered = None;
        } else if self.recovered.is_none() {
            self.recovered = Some(t);
        }
    }

    fn finish(&mut self, horizon: SimTime, _: &View<'_>) {
        self.integral += self.total * (horizon.0.saturating_sub(self.since.0)) as u128;
        self.since = horizon;
    }
}

/// What one loss did.
struct Loss {
    people_hours: f64,
    peak: f64,
    hit: usize,
    cut: Vec<u32>,
    /// The combination points whose inputs the loss zeroes (with `--order 2`).
    points: Vec<u32>,
    recovered: Option<SimTime>,
    /// The business functions' weighted people-hours and tolerances breached.
    functions: (f64, u64),
}

/// Runs losses on one engine.
struct Lab<'m> {
    model: &'m Model,
    /// Per node, the combination points it is an input of (with `--order 2`).
    inputs: Option<&'m [Vec<u32>]>,
    engine: Engine<'m>,
    probe: Probe<'m>,
    horizon: SimTime,
    duration: SimTime,
    /// Some node warms up after its restart: a loss is not over when the node is back.
    warmups: bool,
}

impl<'m> Lab<'m> {
    fn new(model: &'m Model, duration: SimTime, cut: Cut, inputs: Option<&'m [Vec<u32>]>) -> Self {
        let longest = |f: &dyn Fn(usize) -> SimTime| {
            (0..model.nodes.len()).map(f).max().unwrap_or(SimTime::ZERO)
        };
        let restart = longest(&|i| model.nodes[i].restart);
        let warmup = longest(&|i| model.nodes[i].warmup.map_or(SimTime::ZERO, |w| w.1));
        let activation = longest(&|i| model.fallbacks[i].map_or(SimTime::ZERO, |f| f.activation));
        let switchback = longest(&|i| model.fallbacks[i].map_or(SimTime::ZERO, |f| f.switchback));
        Lab {
            model,
            inputs,
            engine: Engine::new(model),
            probe: Probe::new(model, cut),
            horizon: duration
                .plus(restart)
                .plus(warmup)
                .plus(activation)
                .plus(switchback),
            duration,
            warmups: model.nodes.iter().any(|n| n.warmup.is_some()),
        }
    }

    fn event(at: SimTime, action: Action, targets: Vec<u32>) -> Event {
        Event {
            at,
            action,
            targets,
            order: 0,
            implied: false,
        }
    }

    /// The loss of `v` for the duration, then its restart.
    ///
    /// After the first instant, when `v` lies on no cycle and no fallback it set off would
    /// engage before `v` is back, nothing happens until the restart order: no timer that
    /// changes anything runs, everything `v` needs is up, so it is back after its restart
    /// time, and all it took down comes back with it. The people affected stay as the first
    /// instant left them until then, and that instant is all that needs simulating.
    /// Otherwise the run goes on from there.
    fn single(&mut self, v: u32) -> Loss {
        let model = self.model;
        self.engine.reset();
        self.probe.reset();
        let events = [
            Self::event(SimTime::ZERO, Action::Shutdown, vec![v]),
            Self::event(self.duration, Action::Restart, vec![v]),
        ];
        self.engine
            .play(&events[..1], SimTime::ZERO, &mut self.probe);
        let back = self.duration.plus(model.nodes[v as usize].restart);
        let acyclic = model.scc_nodes.row(model.scc_of[v as usize] as usize).len() == 1;
        let engages = self.probe.activation.is_some_and(|a| a < back);
        if acyclic && !engages && !self.warmups {
            self.probe.functions.all_back(back);
            let functions = self.probe.functions.totals(model, self.horizon);
            let p = &self.probe;
            return Loss {
                people_hours: (p.total * back.0 as u128) as f64 / PERSON_HOUR,
                peak: p.total as f64 / PERSON as f64,
                hit: p.hit,
                cut: p.cut.clone(),
                points: self.points(v),
                recovered: Some(if p.total > 0 { back } else { SimTime::ZERO }),
                functions,
            };
        }
        // When `v` is back, everything is up: all it took down comes back at once.
        self.engine.restore_at(back);
        self.engine
            .resume(&events[1..], self.horizon, &mut self.probe);
        let functions = self.probe.functions.totals(model, self.horizon);
        let p = &self.probe;
        Loss {
            people_hours: p.integral as f64 / PERSON_HOUR,
            peak: p.peak as f64 / PERSON as f64,
            hit: p.hit,
            cut: p.cut.clone(),
            points: self.points(v),
            recovered: p.recovered,
            functions,
        }
    }

    /// The combination points whose inputs the first instant of the loss of `v` zeroed.
    fn points(&self, v: u32) -> Vec<u32> {
        let Some(inputs) = self.inputs else {
            return Vec::new();
        };
        let model = self.model;
        let mut points: Vec<u32> = self
            .probe
            .zeros
            .iter()
            .flat_map(|&z| inputs[z as usize].iter().copied())
            .collect();
        // A lost node with a fallback zeroes its own primary value, even while its fallback
        // keeps it available.
        if model.fallbacks[v as usize].is_some() {
            points.push((model.group_info.len() + v as usize) as u32);
        }
        points.sort_unstable();
        points.dedup();
        points
    }

    /// The first instant of the joint loss of `nodes`.
    fn joint(&mut self, nodes: Vec<u32>) {
        self.engine.reset();
        self.probe.reset();
        let events = [Self::event(SimTime::ZERO, Action::Shutdown, nodes)];
        self.engine.play(&events, SimTime::ZERO, &mut self.probe);
    }
}

/// What cuts a client off, for a [`Probe`].
#[derive(Clone, Copy)]
struct Cut {
    /// A client's combined loss at which it is cut off (10⁻¹² units).
    units: u64,
    /// Partial losses meet (see the module's documentation).
    partial: bool,
}

impl Cut {
    fn new(model: &Model, cut_off: f64) -> Cut {
        let units = to_units(cut_off).max(1) as u64 * FULL as u64;
        let sums = model.clients.iter().any(|c| c.combine == Combine::Sum);
        Cut {
            units,
            partial: units < WHOLE || sums,
        }
    }

    /// Whether client `c` combines partial losses of several uses into a cut.
    fn combines(&self, model: &Model, c: usize) -> bool {
        let how = model.clients[c].combine;
        let several = model.client_uses(c).len() > 1;
        several && (how == Combine::Sum || (how == Combine::Union && self.units < WHOLE))
    }
}

/// The points where zeros combine: a group with K below its number of members, a node
/// with a fallback (the larger of its primary and fallback values), or a client that
/// combines partial losses ([`Cut::combines`]). Returns per node the points it is an input
/// of, as a member: groups as `g`, fallback nodes as `groups + n`, clients as
/// `groups + nodes + c`. (A node is also an input of its own fallback point, through its
/// own state: see [`rank`].)
fn combination_inputs(model: &Model, cut: Cut) -> Vec<Vec<u32>> {
    let groups = model.group_info.len();
    let nodes = model.nodes.len();
    let mut inputs = vec![Vec::new(); model.nodes.len()];
    for c in (0..model.clients.len()).filter(|&c| cut.combines(model, c)) {
        for &(m, _) in model.client_uses(c) {
            inputs[m as usize].push((groups + nodes + c) as u32);
        }
    }
    for g in 0..groups {
        let members = model.group_members.row(g);
        let owner = model.group_owner[g] as usize;
        if (model.group_info[g].k as usize) < members.len() {
            for &m in members {
                inputs[m as usize].push(g as u32);
            }
        }
        if model.fallbacks[owner].is_some() {
            for &m in members {
                inputs[m as usize].push((groups + owner) as u32);
            }
        }
    }
    for list in &mut inputs {
        list.sort_unstable();
        list.dedup();
    }
    inputs
}

/// Candidate pairs: two nodes whose losses zero inputs of one combination point (`meets`:
/// per point, those nodes). The tightest points first (fewest nodes meeting there: the
/// redundancy of a pair of sites, say), up to `max_pairs` distinct pairs, sorted; the rest
/// are only counted (at most), the second value.
fn candidate_pairs(
    meets: std::collections::HashMap<u32, Vec<u32>>,
    max_pairs: usize,
) -> (Vec<(u32, u32)>, u64) {
    // Candidate pairs: two nodes whose losses zero inputs of one combination point.
    // The tightest points first (fewest nodes meeting there: the redundancy of a pair of
    // sites, say), up to `max_pairs` distinct pairs; the rest are only counted.
    let mut points: Vec<(u32, Vec<u32>)> = meets.into_iter().collect();
    points.sort_unstable_by_key(|(point, nodes)| (nodes.len(), *point));
    let mut seen = std::collections::HashSet::new();
    let mut candidates: Vec<(u32, u32)> = Vec::new();
    let mut untried: u64 = 0;
    'points: for (k, (_, nodes)) in points.iter().enumerate() {
        for (i, &x) in nodes.iter().enumerate() {
            for &y in &nodes[i + 1..] {
                if candidates.len() == max_pairs {
                    // Count what is left, at most: the rest of this point, then the others.
                    let left = (nodes.len() - i) as u64;
                    untried = left * (left - 1) / 2;
                    untried += points[k + 1..]
                        .iter()
                        .map(|(_, m)| (m.len() as u64) * (m.len() as u64).saturating_sub(1) / 2)
                        .sum::<u64>();
                    break 'points;
                }
                if seen.insert((x, y)) {
                    candidates.push((x, y));
                }
            }
        }
    }
    drop(seen);
    candidates.sort_unstable();
    (candidates, untried)
}

/// Per client cut off by some loss: the single losses and the pairs that cut it off.
fn cut_sets(
    model: &Model,
    node_ids: &Arc<[String]>,
    single_cuts: &[&[u32]],
    client_pairs: &[Vec<[u32; 2]>],
) -> Vec<ClientCuts> {
    let mut client_singles: Vec<Vec<u32>> = vec![Vec::new(); model.clients.len()];
    for (v, cuts) in single_cuts.iter().enumerate() {
        for &c in *cuts {
            client_singles[c as usize].push(v as u32);
        }
    }
    let id = |v: u32| model.nodes[v as usize].id.to_string();
    model
        .clients
        .iter()
        .enumerate()
        .filter(|(c, _)| !client_singles[*c].is_empty() || !client_pairs[*c].is_empty())
        .collect::<Vec<_>>()
        .into_iter()
        .map(|(c, client)| ClientCuts {
            id: client.id.to_string(),
            population: client.population,
            singles: IdList::new(node_ids, std::mem::take(&mut client_singles[c])),
            pairs: client_pairs[c]
                .iter()
                .map(|&[x, y]| [id(x), id(y)])
                .collect(),
        })
        .collect()
}

/// Ranks every single loss, and with `order` 2 the pairs, of `model`.
pub fn rank(model: &Model, options: Options) -> Ranking {
    let n = model.nodes.len();
    let cut = Cut::new(model, options.cut_off);
    let inputs = (options.order >= 2).then(|| combination_inputs(model, cut));
    // One lab per core, not per job: a lab holds an engine with the state of every node.
    let labs = Pool::new(Vec::new());
    let losses: Vec<Loss> = (0..n as u32)
        .into_par_iter()
        .map_init(
            || labs.lease(|| Lab::new(model, options.duration, cut, inputs.as_deref())),
            |lab, v| lab.single(v),
        )
        .collect();
    // Per combination point: the nodes whose loss zeroes one of its inputs.
    let mut meets: std::collections::HashMap<u32, Vec<u32>> = std::collections::HashMap::new();
    let mut singles = Vec::with_capacity(n);
    let client_ids: Arc<[String]> = model.clients.iter().map(|c| c.id.to_string()).collect();
    let has_functions = !model.functions.is_empty();
    for (v, p) in losses.into_iter().enumerate() {
        let v = v as u32;
        for &point in &p.points {
            meets.entry(point).or_default().push(v);
        }
        let node = &model.nodes[v as usize];
        singles.push(Single {
            id: node.id.to_string(),
            kind: match node.kind {
                crate::model::NodeKind::Site => "site",
                crate::model::NodeKind::Service => "service",
            },
            people_hours: p.people_hours,
            peak_affected: p.peak,
            clients_hit: p.hit,
            people_cut_off: p
                .cut
                .iter()
                .map(|&c| model.clients[c as usize].population)
                .sum(),
            cut_off: IdList::new(&client_ids, p.cut),
            recovered_at_h: p.recovered.map(SimTime::hours),
            weighted_people_hours: has_functions.then_some(p.functions.0),
            tolerance_breaches: has_functions.then_some(p.functions.1),
        });
    }
    let single_cuts: Vec<&[u32]> = singles.iter().map(|s| &s.cut_off.at[..]).collect();

    let (candidates, untried) = candidate_pairs(meets, options.max_pairs);

    // Each candidate: the clients only the pair cuts off.
    let pairs = Pool::new(Vec::new());
    let found: Vec<(u32, u32, Vec<u32>)> = candidates
        .par_iter()
        .map_init(
            || pairs.lease(|| Lab::new(model, options.duration, cut, None)),
            |lab, &(x, y)| {
                lab.joint(vec![x, y]);
                let only: Vec<u32> = lab
                    .probe
                    .cut
                    .iter()
                    .copied()
                    .filter(|c| single_cuts[x as usize].binary_search(c).is_err())
                    .filter(|c| single_cuts[y as usize].binary_search(c).is_err())
                    .collect();
                (x, y, only)
            },
        )
        .filter(|(_, _, only)| !only.is_empty())
        .collect();
    let mut pairs = Vec::new();
    let mut client_pairs: Vec<Vec<[u32; 2]>> = vec![Vec::new(); model.clients.len()];
    for (x, y, only) in found {
        for &c in &only {
            client_pairs[c as usize].push([x, y]);
        }
        pairs.push(PairCut {
            ids: [
                model.nodes[x as usize].id.to_string(),
                model.nodes[y as usize].id.to_string(),
            ],
            people_cut_off: only
                .iter()
                .map(|&c| model.clients[c as usize].population)
                .sum(),
            cut_off: only
                .iter()
                .map(|&c| model.clients[c as usize].id.to_string())
                .collect(),
        });
    }
    pairs.sort_by_key(|p| std::cmp::Reverse(p.people_cut_off));

    let node_ids: Arc<[String]> = model.nodes.iter().map(|n| n.id.to_string()).collect();
    let cut_sets = cut_sets(model, &node_ids, &single_cuts, &client_pairs);
    drop(single_cuts);

    // The costliest first by the measure, then by what breaks its ties, then by the peak.
    let score = |s: &Single| {
        let (weighted, breaches) = (s.weighted_people_hours, s.tolerance_breaches);
        let m = options.measure;
        m.score_of(
            s.people_hours,
            weighted.unwrap_or(0.0),
            breaches.unwrap_or(0),
        )
    };
    singles.sort_by(|a, b| {
        let (sa, sb) = (score(a), score(b));
        sb.0.total_cmp(&sa.0)
            .then(sb.1.total_cmp(&sa.1))
            .then(b.peak_affected.total_cmp(&a.peak_affected))
    });
    Ranking {
        model: model.name.clone(),
        population_label: model.population_label.clone(),
        duration_h: options.duration.hours(),
        order: options.order,
        cut_off: options.cut_off,
        measure: (options.measure != Measure::PeopleHours).then_some(options.measure),
        combine: crate::metrics::combine_line(
            model.combine.as_str(),
            model.clients.iter().map(|c| c.combine.as_str()),
        ),
        singles,
        pairs,
        pairs_tried: candidates.len(),
        pairs_untried: untried,
        cut_sets,
    }
}
