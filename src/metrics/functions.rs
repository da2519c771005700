//! Business functions over a run: their availability, disruptions, time on fallbacks, and
//! the tolerances they breach (docs/reference.md, "Business functions").
//!
//! A function's availability is the least of its groups' K-th largest member availabilities.
//! It is disrupted while that is below its `min_level`, and on fallback while some node it
//! depends on (its needs, and everything upstream of them) runs on its fallback. Only the
//! functions a changed node bears on are looked at in an instant.

use fixedbitset::FixedBitSet;
use serde::Serialize;

use crate::engine::{Own, View, group_value};
use crate::model::{Avail, FULL, Model};
use crate::time::SimTime;

/// One tolerance a function breached.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ToleranceBreach {
    /// `mtpd`, `rto` or `mtn`.
    pub tolerance: &'static str,
    /// The tolerance, hours.
    pub limit_h: f64,
    /// What the run gave: the longest disruption (`mtpd`, `rto`) or the longest run on
    /// fallbacks (`mtn`), hours.
    pub actual_h: f64,
    /// By how much it was exceeded, hours.
    pub by_h: f64,
}

/// A business function of one client over a run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FunctionResult {
    /// The client's id.
    pub client: String,
    /// The function's id.
    pub function: String,
    /// The function's name.
    pub name: String,
    /// Its severity weight.
    pub weight: f64,
    /// The client's people.
    pub people: u64,
    /// The availability below which it counts as disrupted.
    pub min_level: f64,
    /// When it was first disrupted; null when never.
    pub first_disrupted_h: Option<f64>,
    /// Time disrupted (availability below `min_level`), hours.
    pub disrupted_h: f64,
    /// The longest continuous disruption, hours (cut at the horizon).
    pub longest_outage_h: f64,
    /// Time with some node it depends on running on its fallback, hours.
    pub fallback_h: f64,
    /// The longest continuous such run, hours.
    pub longest_fallback_h: f64,
    /// When its availability last came back to 1: 0 when it never dropped, null when it
    /// is below 1 at the horizon.
    pub restored_at_h: Option<f64>,
    /// The most data it lost, hours: of the failures of nodes with a backup it depends on,
    /// the longest time since the last backup; null when it depends on no backup.
    pub data_lost_h: Option<f64>,
    /// people × ∫ (1 − availability) dt.
    pub people_hours: f64,
    /// weight × people-hours.
    pub weighted_people_hours: f64,
    /// The tolerances it breached: `mtpd` and `rto` by the longest disruption, `mtn` by the
    /// longest run on fallbacks, `rpo` by the data lost, each when strictly longer.
    pub breaches: Vec<ToleranceBreach>,
}

/// A run of time: when it started, if it runs, its total and its longest.
#[derive(Debug, Clone, Copy, Default)]
struct Spell {
    since: Option<SimTime>,
    total: u64,
    longest: u64,
}

impl Spell {
    fn set(&mut self, on: bool, t: SimTime) {
        match (self.since, on) {
            (None, true) => self.since = Some(t),
            (Some(s), false) => {
                self.total += t.0 - s.0;
                self.longest = self.longest.max(t.0 - s.0);
                self.since = None;
            }
            _ => {}
        }
    }
}

/// One function during a run.
#[derive(Debug, Clone, Copy)]
struct Track {
    a: Avail,
    since: SimTime,
    /// ∫ (1 − a) dt, in units of 10⁻⁶ × seconds.
    loss: u128,
    first: Option<SimTime>,
    disrupted: Spell,
    /// Nodes it depends on that are on fallback now.
    on_fallback: u32,
    fallback: Spell,
    restored: SimTime,
    /// The most data lost so far, seconds.
    data_lost: u64,
}

impl Track {
    const START: Track = Track {
        a: FULL,
        since: SimTime::ZERO,
        loss: 0,
        first: None,
        disrupted: Spell {
            since: None,
            total: 0,
            longest: 0,
        },
        on_fallback: 0,
        fallback: Spell {
            since: None,
            total: 0,
            longest: 0,
        },
        restored: SimTime::ZERO,
        data_lost: 0,
    };
}

/// The functions of a model over a run.
pub(crate) struct Functions {
    tracks: Vec<Track>,
    /// Per node with a fallback some function depends on: on fallback now.
    on_fallback: FixedBitSet,
    /// Per node: the functions that depend on its backup; and whether it is damaged now
    /// (failed, and not yet back up), its data lost at the failure.
    backup_of: Vec<Vec<u32>>,
    damaged: FixedBitSet,
    /// Per node: the functions that need it, and those that depend on its fallback.
    needed_by: Vec<Vec<u32>>,
    fallback_of: Vec<Vec<u32>>,
    dirty: Vec<u32>,
    dirty_mark: FixedBitSet,
    scratch: Vec<Avail>,
    /// The reference: every function recomputed at every instant.
    pub(crate) plain: bool,
}

impl Functions {
    pub(crate) fn new(model: &Model) -> Self {
        let n = if model.functions.is_empty() {
            0
        } else {
            model.nodes.len()
        };
        let mut needed_by = vec![Vec::new(); n];
        let mut fallback_of = vec![Vec::new(); n];
        let mut backup_of = vec![Vec::new(); n];
        for (f, func) in model.functions.iter().enumerate() {
            for (_, members) in &func.needs {
                for &m in members {
                    needed_by[m as usize].push(f as u32);
                }
            }
            for &v in &func.fallbacks {
                fallback_of[v as usize].push(f as u32);
            }
            for &v in &func.backups {
                backup_of[v as usize].push(f as u32);
            }
        }
        for list in &mut needed_by {
            list.dedup();
        }
        Functions {
            tracks: vec![Track::START; model.functions.len()],
            on_fallback: FixedBitSet::with_capacity(n),
            backup_of,
            damaged: FixedBitSet::with_capacity(n),
            needed_by,
            fallback_of,
            dirty: Vec::new(),
            dirty_mark: FixedBitSet::with_capacity(model.functions.len()),
            scratch: Vec::new(),
            plain: false,
        }
    }

    pub(crate) fn reset(&mut self) {
        self.tracks.fill(Track::START);
        self.on_fallback.clear();
        self.damaged.clear();
    }

    /// Takes in instant `t`: `touched` lists the nodes whose availability or fallback mode
    /// may have changed.
    pub(crate) fn instant(&mut self, model: &Model, t: SimTime, touched: &[u32], view: &View) {
        if self.tracks.is_empty() {
            return;
        }
        for &v in touched {
            let on = view.mode[v as usize].on_fallback();
            let flipped = on != self.on_fallback.contains(v as usize);
            if flipped {
                self.on_fallback.set(v as usize, on);
            }
            self.touched(v, flipped.then_some(on));
            self.data_loss(model, t, v, view.own[v as usize]);
        }
        self.settle(model, t, view.a);
    }

    /// Every function back to full at `t`, when everything is (and no fallback runs): the
    /// end of a loss that `rank` does not play out.
    pub(crate) fn all_back(&mut self, t: SimTime) {
        for track in self.tracks.iter_mut().filter(|track| track.a < FULL) {
            track.loss += (FULL - track.a) as u128 * (t.0 - track.since.0) as u128;
            track.since = t;
            track.a = FULL;
            track.restored = t;
            track.disrupted.set(false, t);
        }
    }

    /// Node `v`'s own state is `own`: a node with a backup that fails loses what was
    /// written since its last backup (backups at 0 and every `backup` after), and the
    /// functions that depend on it lose as much; it is whole again once it is up.
    fn data_loss(&mut self, model: &Model, t: SimTime, v: u32, own: Own) {
        let i = v as usize;
        if self.backup_of[i].is_empty() {
            return;
        }
        match own {
            Own::Failed if !self.damaged.contains(i) => {
                self.damaged.insert(i);
                let every = model.nodes[i].backup.map_or(1, |b| b.0.max(1));
                let lost = t.0 % every;
                for &f in &self.backup_of[i] {
                    let track = &mut self.tracks[f as usize];
                    track.data_lost = track.data_lost.max(lost);
                }
            }
            Own::Up => self.damaged.set(i, false),
            _ => {}
        }
    }

    /// Node `v`'s availability or fallback mode may have changed; `fallback` is `Some(on)`
    /// when its fallback mode turned on or off.
    fn touched(&mut self, v: u32, fallback: Option<bool>) {
        if let Some(on) = fallback {
            for &f in &self.fallback_of[v as usize] {
                let track = &mut self.tracks[f as usize];
                track.on_fallback = if on {
                    track.on_fallback + 1
                } else {
                    track.on_fallback - 1
                };
                if !self.dirty_mark.put(f as usize) {
                    self.dirty.push(f);
                }
            }
        }
        for &f in &self.needed_by[v as usize] {
            if !self.dirty_mark.put(f as usize) {
                self.dirty.push(f);
            }
        }
    }

    /// The functions touched in the instant `t` take the availabilities `a`.
    fn settle(&mut self, model: &Model, t: SimTime, a: &[Avail]) {
        if self.plain {
            self.dirty.clear();
            self.dirty.extend(0..self.tracks.len() as u32);
        }
        for f in self.dirty.drain(..) {
            self.dirty_mark.set(f as usize, false);
            let func = &model.functions[f as usize];
            let now = func
                .needs
                .iter()
                .map(|(k, members)| group_value(*k, members, a, &mut self.scratch))
                .min()
                .unwrap_or(FULL);
            let track = &mut self.tracks[f as usize];
            if now != track.a {
                track.loss += (FULL - track.a) as u128 * (t.0 - track.since.0) as u128;
                track.since = t;
                if now == FULL {
                    track.restored = t;
                }
                track.a = now;
            }
            let disrupted = now < func.min_level;
            if disrupted {
                track.first.get_or_insert(t);
            }
            track.disrupted.set(disrupted, t);
            track.fallback.set(track.on_fallback > 0, t);
        }
    }

    /// Closes every function at the horizon: the rows of the result, client by client, the
    /// model's functions first, then the client's own; and a row per function, in model
    /// order (without a client: `people_hours` holds the loss per person).
    pub(crate) fn finish(
        &mut self,
        model: &Model,
        horizon: SimTime,
    ) -> (Vec<FunctionResult>, Vec<FunctionResult>) {
        let closed = self.close(model, horizon);
        let mut rows = Vec::new();
        for_each_row(model, |c, f| {
            let (client, func, row) = (&model.clients[c], &model.functions[f], &closed[f]);
            let people_hours = client.population as f64 * row.people_hours;
            rows.push(FunctionResult {
                client: client.id.to_string(),
                people: client.population,
                people_hours,
                weighted_people_hours: func.weight * people_hours,
                ..row.clone()
            });
        });
        (rows, closed)
    }

    /// What [`Functions::finish`]'s rows add up to, without making them: the weighted
    /// people-hours and the tolerances breached (what `rank` ranks losses by).
    pub(crate) fn totals(&mut self, model: &Model, horizon: SimTime) -> (f64, u64) {
        let closed = self.close(model, horizon);
        let (mut weighted, mut breaches) = (0.0, 0);
        for_each_row(model, |c, f| {
            let people_hours = model.clients[c].population as f64 * closed[f].people_hours;
            weighted += model.functions[f].weight * people_hours;
            breaches += closed[f].breaches.len() as u64;
        });
        (weighted, breaches)
    }

    /// Every function closed at the horizon, as a row without its client (`people_hours`
    /// holds the loss per person).
    fn close(&mut self, model: &Model, horizon: SimTime) -> Vec<FunctionResult> {
        let mut closed = Vec::with_capacity(self.tracks.len());
        for (func, track) in model.functions.iter().zip(&mut self.tracks) {
            track.loss += (FULL - track.a) as u128 * (horizon.0 - track.since.0) as u128;
            track.since = horizon;
            // An ongoing run counts up to the horizon.
            let close = |s: Spell| match s.since {
                Some(since) => (
                    s.total + (horizon.0 - since.0),
                    s.longest.max(horizon.0 - since.0),
                ),
                None => (s.total, s.longest),
            };
            let (disrupted, longest) = close(track.disrupted);
            let (fallback, longest_fallback) = close(track.fallback);
            let mut breaches = Vec::new();
            let limits = [("mtpd", func.mtpd, longest), ("rto", func.rto, longest)];
            let fb = [
                ("mtn", func.mtn, longest_fallback),
                ("rpo", func.rpo, track.data_lost),
            ];
            for (tolerance, limit, actual) in limits.into_iter().chain(fb) {
                if let Some(limit) = limit
                    && actual > limit.0
                {
                    breaches.push(ToleranceBreach {
                        tolerance,
                        limit_h: limit.hours(),
                        actual_h: SimTime(actual).hours(),
                        by_h: SimTime(actual - limit.0).hours(),
                    });
                }
            }
            closed.push(FunctionResult {
                client: String::new(),
                function: func.id.clone(),
                name: func.name.clone(),
                weight: func.weight,
                people: 0,
                min_level: func.min_level as f64 / FULL as f64,
                first_disrupted_h: track.first.map(SimTime::hours),
                disrupted_h: SimTime(disrupted).hours(),
                longest_outage_h: SimTime(longest).hours(),
                fallback_h: SimTime(fallback).hours(),
                longest_fallback_h: SimTime(longest_fallback).hours(),
                restored_at_h: (track.a == FULL).then(|| track.restored.hours()),
                data_lost_h: (!func.backups.is_empty()).then(|| SimTime(track.data_lost).hours()),
                // Here the loss in hours; a row multiplies it by the client's people.
                people_hours: track.loss as f64 / (FULL as f64 * 3600.0),
                weighted_people_hours: 0.0,
                breaches,
            });
        }
        closed
    }
}

/// Calls `row(client, function)` for every row of the result, client by client, the model's
/// functions first, then the client's own.
fn for_each_row(model: &Model, mut row: impl FnMut(usize, usize)) {
    for c in 0..model.clients.len() {
        for (f, func) in model.functions.iter().enumerate() {
            if func.client.is_none_or(|o| o as usize == c) {
                row(c, f);
            }
        }
    }
}
