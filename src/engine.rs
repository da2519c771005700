//! The event-driven simulation engine.
//!
//! # Lifecycle of a node
//!
//! ```text
//!            shutdown                restart               groups > 0           restart time
//!   up ───────────────▶ off ──────────────────▶ waiting ──────────────▶ restarting ─────────▶ up
//!    │  fail                                       ▲  ◀──────────────────────┘
//!    └────────▶ failed ── restart ──▶ repairing ───┘   a group drops to 0: progress lost
//!                          (repair time)
//! ```
//!
//! A node that is `up` but whose requirements are gone is not in another state: it is simply
//! unavailable, and comes back by itself when they return.
//!
//! # Availability
//!
//! Every node has an availability in [0, 1] (integer millionths, [`crate::model::FULL`]).
//! A group's value is the K-th largest of its members; a node's primary value p is the minimum
//! of its own (1 when up) and its groups; with a fallback engaged a = max(p, f), during
//! switchback a = the switchback capacity. Availabilities are the greatest fixed point of
//! these equations: the model's strongly connected components are evaluated in topological
//! order, each cyclic component by iteration downwards from its own values.
//!
//! Propagation is incremental: a change marks the node's component dirty, and components are
//! re-evaluated in topological order, each once per pass, so the cost follows the part of the
//! graph that changes. [`mod@reference`] keeps a plain full recompute to test it against.
//!
//! # One instant
//!
//! ```text
//!  ┌─▶ 1. timers ending now take effect (repair, restart, activation, switchback)
//!  │   2. first pass only: scenario events at this instant, in file order
//!  │   3. propagate to the greatest fixed point
//!  │   4. decisions from that settled state (start/abort restarts, fallback timers)
//!  └── repeat while a timer ends now or a decision changed a fallback mode
//! ```
//!
//! Only the state after the last pass is handed to the [`Recorder`].
//!
//! # Crews
//!
//! With a crew limit ([`Engine::set_crews`], or a scenario's `crews`), a ready node (waiting,
//! every group above 0) does not start at once: it queues, and at the end of step 4 the queue
//! is served in strict priority order while the head's effort fits in the free crews. A
//! restart holds its crews until the node leaves `restarting` for any reason.

mod crews;
mod dirty;
mod hot;
mod propagate;
mod recorder;
mod reuse;
mod state;

pub mod reference;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use crate::dist::Dist;
use crate::format::decimal_hours;
use crate::model::{Avail, FULL, Model, Random};
use crate::scenario::{Action, Scenario};
use crate::time::SimTime;

pub(crate) use propagate::group_value;
pub use recorder::{Recorder, View};
pub use state::{Mode, Own};

/// How availabilities are brought up to date after a change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Propagation {
    /// Re-evaluate only the components downstream of a change, in topological order.
    #[default]
    Incremental,
    /// Recompute every node with [`reference::full_recompute`], and let every node take its
    /// decisions: slow and plain, the reference the incremental engine is held to. The
    /// metrics of such a run ([`crate::metrics::run_with`]) are plain too: every client's
    /// people affected and every RTO node's people affected through it recomputed from
    /// scratch at every instant.
    FullRecompute,
}

/// What a run reports besides what the recorder saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Sets of waiting nodes that wait on each other forever (node indices, sorted).
    pub deadlocks: Vec<Vec<u32>>,
    /// Warnings: restarts of nodes that are up, and the like.
    pub warnings: Vec<String>,
    /// Instants processed.
    pub instants: u64,
    /// Timers and scenario events applied.
    pub events: u64,
}

/// How a run is made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// How availabilities are brought up to date.
    pub propagation: Propagation,
    /// `None`: the deterministic run, every duration at its median and no random failures.
    /// `Some(seed)`: one Monte Carlo sample, every random part drawn from this seed.
    pub seed: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum TimerKind {
    Repair,
    Restart,
    Activation,
    Switchback,
    /// A random failure (mtbf) of a node that is up.
    Failure,
    /// The end of a random failure's outage (mttr).
    Recover,
    /// The end of the pause after a failed restart attempt.
    Retry,
    /// The end of a restarted node's warmup.
    Warmup,
    /// The next step of an engaged fallback's growth.
    Grow,
}

/// `(time, sequence, node, kind, generation)`: equal times pop in creation order.
type Timer = Reverse<(SimTime, u64, u32, TimerKind, u32)>;

/// The simulation state of one run.
pub struct Engine<'m> {
    model: &'m Model,
    own: Vec<Own>,
    mode: Vec<Mode>,
    /// Per node: its own availability while up (1, but `level` while it warms up).
    warm: Vec<Avail>,
    /// How many nodes are not up, or up but still warming up.
    not_up: u32,
    /// Nodes awaiting their repair (some may have moved on: checked when read).
    awaiting: Vec<u32>,
    /// Per node: its fallback's capacity now (it may grow while engaged), the next step of
    /// its growth, and the generation of its growth timers (moved at each disengagement).
    cap: Vec<Avail>,
    grow_step: Vec<u32>,
    grow_gen: Vec<u32>,
    a: Vec<Avail>,
    /// Per node: what an evaluation reads of it, in one record (q, whether it is up and has
    /// a fallback, the lists it is on: [`hot`]).
    hot: Vec<hot::Hot>,
    /// Per group: its value, the K-th largest of its members (incremental propagation).
    gval: Vec<Avail>,
    own_gen: Vec<u32>,
    fb_gen: Vec<u32>,
    queue: BinaryHeap<Timer>,
    seq: u64,
    now: SimTime,
    // Incremental propagation.
    dirty: dirty::Dirty,
    scratch: Vec<Avail>,
    old: Vec<Avail>,
    // Per pass: nodes re-evaluated (candidates for decisions).
    candidates: Vec<u32>,
    // Per instant: nodes whose state may have changed, and completed restarts.
    touched: Vec<u32>,
    restarted: Vec<u32>,
    warnings: Vec<String>,
    events_applied: u64,
    propagation: Propagation,
    /// Draws of a seeded run; `None` in a deterministic one.
    rng: Option<ChaCha8Rng>,
    /// Per node: failed restart attempts in a row.
    attempts: Vec<u32>,
    /// Nodes whose state may differ from the start (for [`Engine::reset`]).
    changed: Vec<u32>,
    /// The crew limit, and the ready nodes waiting for crews.
    crews: crews::Crews,
    /// An instant at which to put everything back at once, if everything is up then
    /// ([`Engine::restore_at`]).
    restore_at: Option<SimTime>,
}

/// Every node's fallback capacity before any growth (1 where it has no fallback).
fn base_capacities(model: &Model) -> Vec<Avail> {
    model
        .fallbacks
        .iter()
        .map(|f| f.map_or(FULL, |f| f.capacity))
        .collect()
}

impl<'m> Engine<'m> {
    /// A fresh engine: everything up, no fallback engaged.
    pub fn new(model: &'m Model) -> Self {
        let n = model.nodes.len();
        let sccs = model.scc_nodes.rows();
        Engine {
            model,
            own: vec![Own::Up; n],
            mode: vec![Mode::Normal; n],
            warm: vec![FULL; n],
            not_up: 0,
            awaiting: Vec::new(),
            cap: base_capacities(model),
            grow_step: vec![0; n],
            grow_gen: vec![0; n],
            a: vec![FULL; n],
            hot: (0..n)
                .map(|i| hot::Hot::new(model.has_fallback.contains(i)))
                .collect(),
            gval: vec![FULL; model.group_info.len()],
            own_gen: vec![0; n],
            fb_gen: vec![0; n],
            queue: BinaryHeap::new(),
            seq: 0,
            now: SimTime::ZERO,
            dirty: dirty::Dirty::new(sccs),
            scratch: Vec::new(),
            old: Vec::new(),
            candidates: Vec::new(),
            touched: Vec::new(),
            restarted: Vec::new(),
            warnings: Vec::new(),
            events_applied: 0,
            propagation: Propagation::Incremental,
            rng: None,
            attempts: Vec::new(),
            changed: Vec::new(),
            crews: crews::Crews::default(),
            restore_at: None,
        }
    }

    /// A fresh engine for `scenario`'s model, with the scenario's crews and priority order.
    pub fn for_scenario(scenario: &'m Scenario) -> Self {
        let mut engine = Engine::new(&scenario.model);
        let r = &scenario.restoration;
        engine.set_crews(r.crews, &r.priority);
        engine
    }

    /// The read-only view a recorder gets.
    pub fn view(&self) -> View<'_> {
        View {
            model: self.model,
            a: &self.a,
            own: &self.own,
            mode: &self.mode,
            warm: &self.warm,
            capacity: &self.cap,
        }
    }

    /// Runs a whole scenario, reporting every instant to `recorder`.
    pub fn run(scenario: &Scenario, recorder: &mut impl Recorder) -> Outcome {
        Self::run_with(scenario, recorder, Propagation::Incremental)
    }

    /// [`Engine::run`] with a choice of propagation.
    pub fn run_with(
        scenario: &Scenario,
        recorder: &mut impl Recorder,
        propagation: Propagation,
    ) -> Outcome {
        let options = Options {
            propagation,
            seed: None,
        };
        Self::run_opts(scenario, recorder, options)
    }

    /// [`Engine::run`] with every option: a seeded run draws its durations (events' `for`
    /// included), restart failures and random failures.
    pub fn run_opts(
        scenario: &Scenario,
        recorder: &mut impl Recorder,
        options: Options,
    ) -> Outcome {
        let mut engine = Engine::for_scenario(scenario);
        engine.propagation = options.propagation;
        let drawn;
        let events = match options.seed {
            Some(seed) => {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                rng.set_stream(1);
                drawn = scenario.draw_events(&mut rng);
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                rng.set_stream(0);
                engine.rng = Some(rng);
                engine.attempts = vec![0; scenario.model.nodes.len()];
                engine.start_failure_clocks();
                drawn.as_deref().unwrap_or(&scenario.events)
            }
            None => &scenario.events,
        };
        let instants = engine.play(events, scenario.horizon, recorder);
        engine.warnings.extend(engine.crews_warning());
        Outcome {
            deadlocks: engine.deadlocks(),
            warnings: std::mem::take(&mut engine.warnings),
            instants,
            events: engine.events_applied,
        }
    }

    /// Plays `events` (sorted by time) from the engine's state at 0 up to `horizon`,
    /// reporting every instant to `recorder`. Returns the number of instants.
    pub fn play(
        &mut self,
        events: &[crate::scenario::Event],
        horizon: SimTime,
        recorder: &mut impl Recorder,
    ) -> u64 {
        recorder.start(&self.view());
        let at_zero = events.partition_point(|e| e.at == SimTime::ZERO);
        self.instant(SimTime::ZERO, &events[..at_zero]);
        recorder.instant(SimTime::ZERO, &self.touched, &self.restarted, &self.view());
        1 + self.resume(&events[at_zero..], horizon, recorder)
    }

    /// Goes on after the last instant processed, with `events` (all later than it) up to
    /// `horizon`, then finishes the recorder. [`Engine::play`] is the instant at 0 and then
    /// `resume`; a caller who played up to an instant (a horizon at it) may go on from there.
    /// Returns the number of instants.
    pub fn resume(
        &mut self,
        events: &[crate::scenario::Event],
        horizon: SimTime,
        recorder: &mut impl Recorder,
    ) -> u64 {
        let mut next = 0;
        let mut instants = 0;
        loop {
            let next_event = events.get(next).map(|e| e.at);
            let next_timer = self.queue.peek().map(|Reverse(x)| x.0);
            let Some(t) = [next_event, next_timer].into_iter().flatten().min() else {
                break;
            };
            if t > horizon {
                break;
            }
            let mut batch_end = next;
            while batch_end < events.len() && events[batch_end].at == t {
                batch_end += 1;
            }
            self.instant(t, &events[next..batch_end]);
            next = batch_end;
            instants += 1;
            recorder.instant(t, &self.touched, &self.restarted, &self.view());
        }
        recorder.finish(horizon, &self.view());
        instants
    }

    /// Processes everything at instant `t`: timers, then `events` (all at `t`), in passes.
    pub fn instant(&mut self, t: SimTime, events: &[crate::scenario::Event]) {
        self.now = t;
        for &n in &self.touched {
            self.hot[n as usize].clear(hot::TOUCHED);
        }
        self.touched.clear();
        self.restarted.clear();
        // A pass may only repeat as long as something changes; fallbacks form no cycles, so
        // this bound is never reached by a valid model. It guards against a bug looping.
        let max_passes = 4 * self.model.nodes.len() + 16;
        for pass in 0.. {
            self.fire_timers(t);
            if pass == 0 {
                for ev in events {
                    for &n in &ev.targets {
                        self.apply(ev.action, n);
                    }
                }
                if self.restore_at == Some(t) && self.restore_full() {
                    self.restore_at = None;
                }
            }
            self.propagate();
            let mode_changed = self.decide();
            let timer_now = self.queue.peek().is_some_and(|Reverse(x)| x.0 == t);
            if !(timer_now || mode_changed) {
                break;
            }
            if pass > max_passes {
                self.warnings.push(format!(
                    "instant {t} did not settle after {pass} passes; stopped"
                ));
                break;
            }
        }
    }

    /// Puts node `n` on the lists of `flags` it is not on yet ([`hot`]).
    #[inline]
    fn note(&mut self, n: u32, flags: u8) {
        let new = self.hot[n as usize].put(flags);
        if new & hot::TOUCHED != 0 {
            self.touched.push(n);
        }
        if new & hot::CANDIDATE != 0 {
            self.candidates.push(n);
        }
        if new & hot::CHANGED != 0 {
            self.changed.push(n);
        }
    }

    /// Notes that node `n`'s state may have changed in this instant (and since the start).
    fn touch(&mut self, n: u32) {
        self.note(n, hot::TOUCHED | hot::CHANGED);
    }

    fn mark_dirty(&mut self, n: u32) {
        self.mark_component_dirty(self.model.scc_of[n as usize]);
    }

    fn mark_component_dirty(&mut self, c: u32) {
        self.dirty.insert(c);
    }

    fn set_own(&mut self, n: u32, own: Own) {
        let old = self.own[n as usize];
        if old != own {
            if self.crews.limit.is_some() {
                self.crews_follow(n, old, own);
            }
            // A node that leaves `up` ends its warmup; the next restart starts another.
            self.set_state(n as usize, own, FULL);
            self.touch(n);
        }
        self.mark_dirty(n);
    }

    /// Sets node `i`'s own state and warmth: the one place they change, so that the count
    /// of nodes not up and warm, and the copy of whether the node is up
    /// ([`hot::Hot::own_up`]), follow.
    #[inline]
    fn set_state(&mut self, i: usize, own: Own, warm: Avail) {
        let before = self.own[i] != Own::Up || self.warm[i] < FULL;
        (self.own[i], self.warm[i]) = (own, warm);
        self.hot[i].own_up = own == Own::Up;
        let after = own != Own::Up || warm < FULL;
        self.not_up = self.not_up + u32::from(after) - u32::from(before);
    }

    fn schedule(&mut self, n: u32, kind: TimerKind, after: SimTime) {
        let generation = match kind {
            TimerKind::Repair | TimerKind::Restart | TimerKind::Recover | TimerKind::Retry => {
                self.own_gen[n as usize] += 1;
                self.own_gen[n as usize]
            }
            // A failure clock or a warmup runs while the node stays up: any change of its
            // own state (which moves the generation) stops it.
            TimerKind::Failure | TimerKind::Warmup => self.own_gen[n as usize],
            TimerKind::Activation | TimerKind::Switchback => {
                self.fb_gen[n as usize] += 1;
                self.fb_gen[n as usize]
            }
            // Growth runs from engagement to disengagement, through switchbacks cancelled.
            TimerKind::Grow => self.grow_gen[n as usize],
        };
        self.seq += 1;
        self.queue.push(Reverse((
            self.now.plus(after),
            self.seq,
            n,
            kind,
            generation,
        )));
    }

    fn fire_timers(&mut self, t: SimTime) {
        while let Some(&Reverse((at, _, n, kind, generation))) = self.queue.peek() {
            if at != t {
                break;
            }
            self.queue.pop();
            let i = n as usize;
            match kind {
                TimerKind::Repair
                    if generation == self.own_gen[i] && self.own[i] == Own::Repairing =>
                {
                    self.set_own(n, Own::Waiting);
                }
                TimerKind::Restart
                    if generation == self.own_gen[i] && self.own[i] == Own::Restarting =>
                {
                    self.restart_done(n);
                }
                TimerKind::Failure if generation == self.own_gen[i] && self.own[i] == Own::Up => {
                    self.own_gen[i] += 1;
                    self.set_own(n, Own::Failed);
                    let mttr = self.random(n).and_then(|r| r.mttr);
                    let after = self.draw(mttr, SimTime::ZERO);
                    self.schedule(n, TimerKind::Recover, after);
                }
                TimerKind::Recover
                    if generation == self.own_gen[i] && self.own[i] == Own::Failed =>
                {
                    self.set_own(n, Own::Up);
                    self.start_failure_clock(n);
                }
                TimerKind::Retry if generation == self.own_gen[i] && self.own[i] == Own::Off => {
                    self.set_own(n, Own::Waiting);
                }
                TimerKind::Warmup
                    if generation == self.own_gen[i]
                        && self.own[i] == Own::Up
                        && self.warm[i] < FULL =>
                {
                    self.set_state(i, Own::Up, FULL);
                    self.touch(n);
                    self.mark_dirty(n);
                }
                TimerKind::Activation
                    if generation == self.fb_gen[i] && self.mode[i] == Mode::Activating =>
                {
                    self.set_mode(n, Mode::Engaged);
                    self.grow(n);
                }
                TimerKind::Switchback
                    if generation == self.fb_gen[i] && self.mode[i] == Mode::Switchback =>
                {
                    self.set_mode(n, Mode::Normal);
                    // Disengaged: a pending step is dropped, and the next engagement grows
                    // from the start again.
                    if !self.model.fallback_growth.row(i).is_empty() {
                        self.grow_gen[i] += 1;
                        self.grow_step[i] = 0;
                        self.cap[i] = self.model.fallbacks[i].map_or(FULL, |f| f.capacity);
                    }
                }
                TimerKind::Grow if generation == self.grow_gen[i] => {
                    let (_, capacity) =
                        self.model.fallback_growth.row(i)[self.grow_step[i] as usize];
                    self.cap[i] = capacity;
                    self.grow_step[i] += 1;
                    self.touch(n);
                    self.mark_dirty(n);
                    self.grow(n);
                }
                _ => continue, // cancelled
            }
            self.events_applied += 1;
        }
    }

    /// Node `n`'s repair starts.
    fn start_repair(&mut self, n: u32) {
        self.set_own(n, Own::Repairing);
        let repair = self.random(n).and_then(|r| r.repair);
        let after = self.draw(repair, self.model.nodes[n as usize].repair);
        self.schedule(n, TimerKind::Repair, after);
    }

    /// The nodes awaiting their repair whose repair requirements all have availability above
    /// 0 start their repair (a decision of the pass).
    fn start_repairs(&mut self) {
        let mut awaiting = std::mem::take(&mut self.awaiting);
        awaiting.retain(|&n| {
            if self.own[n as usize] != Own::AwaitingRepair {
                return false;
            }
            let ready = self.model.repair_groups(n).all(|(k, members)| {
                propagate::group_value(k, members, &self.a, &mut Vec::new()) > 0
            });
            if ready {
                self.start_repair(n);
            }
            !ready
        });
        self.awaiting = awaiting;
    }

    /// Schedules the next step of node `n`'s fallback growth, if any is left.
    fn grow(&mut self, n: u32) {
        let i = n as usize;
        let steps = self.model.fallback_growth.row(i);
        let k = self.grow_step[i] as usize;
        if let Some(&(at, _)) = steps.get(k) {
            let before = if k == 0 {
                SimTime::ZERO
            } else {
                steps[k - 1].0
            };
            self.schedule(n, TimerKind::Grow, SimTime(at.0 - before.0));
        }
    }

    fn set_mode(&mut self, n: u32, mode: Mode) {
        if self.mode[n as usize] != mode {
            self.mode[n as usize] = mode;
            self.touch(n);
            self.mark_dirty(n);
        }
    }

    /// Applies one scenario action to one node (SPEC 2.1).
    fn apply(&mut self, action: Action, n: u32) {
        self.events_applied += 1;
        let i = n as usize;
        let own = self.own[i];
        match action {
            Action::Shutdown => {
                self.own_gen[i] += 1; // cancels a pending repair or restart
                let to = if matches!(own, Own::Failed | Own::AwaitingRepair | Own::Repairing) {
                    Own::Failed
                } else {
                    Own::Off
                };
                self.set_own(n, to);
            }
            Action::Fail => {
                self.own_gen[i] += 1;
                self.set_own(n, Own::Failed);
            }
            Action::Restart => match own {
                Own::Failed if !self.model.repair_of.row(i).is_empty() => {
                    // The repair starts once what it requires is there (a decision).
                    self.set_own(n, Own::AwaitingRepair);
                    self.awaiting.push(n);
                }
                Own::Failed => self.start_repair(n),
                Own::Off => {
                    // An order to restart starts the count of failed attempts afresh.
                    if let Some(a) = self.attempts.get_mut(i) {
                        *a = 0;
                    }
                    self.set_own(n, Own::Waiting);
                }
                Own::Up => self.warnings.push(format!(
                    "restart of `{}` at {} changes nothing: it is up",
                    self.model.nodes[i].id,
                    decimal_hours(self.now)
                )),
                Own::Waiting | Own::AwaitingRepair | Own::Repairing | Own::Restarting => {}
            },
        }
    }

    /// Whether node `i` can take a decision in [`Engine::decide`]: one that is not up (it may
    /// start or abort a restart), has a fallback, or may queue for crews. Any other node
    /// decides nothing there, whatever changed.
    fn may_decide(&self, i: usize) -> bool {
        let h = self.hot[i];
        !h.own_up || h.has_fallback || self.crews.limit.is_some()
    }

    /// Step 4 of a pass: decisions from the settled state, for the nodes re-evaluated in this
    /// pass. Returns true when a fallback mode changed in a way that changes availability.
    ///
    /// Without a crew limit a ready node (waiting, every group above 0) starts its restart
    /// here; with one it joins the crews' queue, which is served at the end of the step, after
    /// every restart that lost a requirement has gone back to waiting (see [`crews`]).
    fn decide(&mut self) -> bool {
        if !self.awaiting.is_empty() {
            self.start_repairs();
        }
        let mut mode_changed = false;
        let limit = self.crews.limit;
        let mut candidates = std::mem::take(&mut self.candidates);
        // A seeded run draws durations as decisions start timers: taking the nodes in index
        // order makes the draws independent of the order propagation reached them, so the
        // incremental engine and the full recompute draw alike. (Without draws the order
        // changes nothing: each node decides from its own state.)
        if self.rng.is_some() {
            candidates.sort_unstable();
        }
        for &n in &candidates {
            self.hot[n as usize].clear(hot::CANDIDATE);
            let i = n as usize;
            let groups_ok = self.hot[i].q > 0;
            match self.own[i] {
                Own::Waiting if groups_ok && limit.is_none() => self.start_restart(n),
                Own::Restarting if !groups_ok => {
                    self.own_gen[i] += 1;
                    self.set_own(n, Own::Waiting);
                }
                _ => {}
            }
            if limit.is_some() {
                self.crews_note(n, groups_ok && self.own[i] == Own::Waiting);
            }
            if !self.hot[i].has_fallback {
                continue;
            }
            let Some(fb) = self.model.fallbacks[i] else {
                continue;
            };
            let p_full = self.p(n) == FULL;
            match (self.mode[i], p_full) {
                (Mode::Normal, false) => {
                    self.mode[i] = Mode::Activating;
                    let activation = self.random(n).and_then(|r| r.activation);
                    let after = self.draw(activation, fb.activation);
                    self.schedule(n, TimerKind::Activation, after);
                }
                (Mode::Activating, true) => {
                    self.mode[i] = Mode::Normal;
                    self.fb_gen[i] += 1;
                }
                (Mode::Engaged, true) => {
                    self.set_mode(n, Mode::Switchback);
                    let switchback = self.random(n).and_then(|r| r.switchback);
                    let after = self.draw(switchback, fb.switchback);
                    self.schedule(n, TimerKind::Switchback, after);
                    mode_changed = true;
                }
                (Mode::Switchback, false) => {
                    self.fb_gen[i] += 1;
                    self.set_mode(n, Mode::Engaged);
                    mode_changed = true;
                }
                _ => {}
            }
        }
        self.candidates = candidates;
        self.candidates.clear();
        if let Some(limit) = limit {
            self.crews_dispatch(limit);
        }
        mode_changed
    }

    /// Node `n` starts its restart (it is waiting and every group is above 0).
    fn start_restart(&mut self, n: u32) {
        self.set_own(n, Own::Restarting);
        let restart = self.random(n).and_then(|r| r.restart);
        let after = self.draw(restart, self.model.nodes[n as usize].restart);
        self.schedule(n, TimerKind::Restart, after);
    }

    /// What is random about node `n`, in a seeded run.
    fn random(&self, n: u32) -> Option<&'m Random> {
        self.rng.as_ref()?;
        self.model.random[n as usize].as_deref()
    }

    /// A duration: drawn from `dist` in a seeded run, else `fixed` (the median).
    fn draw(&mut self, dist: Option<Dist>, fixed: SimTime) -> SimTime {
        match (dist, &mut self.rng) {
            (Some(d), Some(rng)) => d.sample(rng),
            _ => fixed,
        }
    }

    /// A restart completes: the node is up, unless the restart fails again (a seeded run
    /// draws it), in which case it is off for `down` and then restarts again, until
    /// `attempts` restarts in a row have failed.
    fn restart_done(&mut self, n: u32) {
        let i = n as usize;
        let failure = self.random(n).and_then(|r| r.restart_failure);
        if let (Some(rf), Some(rng)) = (failure, &mut self.rng)
            && rng.random::<f64>() < rf.probability
        {
            self.attempts[i] += 1;
            self.own_gen[i] += 1;
            self.set_own(n, Own::Off);
            if self.attempts[i] >= rf.attempts {
                self.warnings.push(format!(
                    "`{}` failed {} restarts in a row by {}; it is left off",
                    self.model.nodes[i].id,
                    self.attempts[i],
                    decimal_hours(self.now)
                ));
            } else {
                let down = self.draw(Some(rf.down), SimTime::ZERO);
                self.schedule(n, TimerKind::Retry, down);
            }
            return;
        }
        if let Some(a) = self.attempts.get_mut(i) {
            *a = 0;
        }
        self.set_own(n, Own::Up);
        if let Some((level, warmup)) = self.model.nodes[i].warmup {
            self.set_state(i, Own::Up, level);
            self.schedule(n, TimerKind::Warmup, warmup);
        }
        self.restarted.push(n);
        self.start_failure_clock(n);
    }

    /// Starts the failure clock of every node with an mtbf (a seeded run, at 0).
    fn start_failure_clocks(&mut self) {
        for n in 0..self.model.nodes.len() as u32 {
            self.start_failure_clock(n);
        }
    }

    /// Node `n` is up: in a seeded run with an mtbf, its next random failure is drawn.
    fn start_failure_clock(&mut self, n: u32) {
        if let Some(mtbf) = self.random(n).and_then(|r| r.mtbf) {
            let after = self.draw(Some(mtbf), SimTime::ZERO);
            self.schedule(n, TimerKind::Failure, after);
        }
    }

    /// Primary availability p(n) = min(own, groups).
    #[inline]
    fn p(&self, n: u32) -> Avail {
        let i = n as usize;
        let h = self.hot[i];
        propagate::primary_value(h.own_up, h.q, || self.warm[i])
    }

    /// Deadlocks at the end of the run (SPEC 2.6): among waiting nodes, w waits on x when a
    /// group of w is at 0 and x explains a zero member, directly or through up-but-unavailable
    /// nodes. Each strongly connected set with a cycle is reported once. A node awaiting its
    /// repair waits the same way, on its repair's groups.
    pub fn deadlocks(&self) -> Vec<Vec<u32>> {
        let model = self.model;
        let stuck = |n: u32| matches!(self.own[n as usize], Own::Waiting | Own::AwaitingRepair);
        let waiting: Vec<u32> = (0..model.nodes.len() as u32)
            .filter(|&n| stuck(n))
            .collect();
        let edges = |w: u32| -> Vec<u32> {
            let mut out = Vec::new();
            let mut seen = std::collections::HashSet::new();
            let mut stack: Vec<(u32, bool)> = vec![(w, false)];
            while let Some((v, follow_fallback)) = stack.pop() {
                let fallback_groups = if follow_fallback {
                    Some(model.groups(v, true))
                } else {
                    None
                };
                // What w itself waits on: its repair's groups while it awaits its repair.
                let own_groups: Vec<(u32, &[u32])> =
                    if v == w && self.own[w as usize] == Own::AwaitingRepair {
                        model.repair_groups(w).collect()
                    } else {
                        model.groups(v, false).collect()
                    };
                for (k, members) in own_groups
                    .into_iter()
                    .chain(fallback_groups.into_iter().flatten())
                {
                    if propagate::group_value(k, members, &self.a, &mut Vec::new()) > 0 {
                        continue;
                    }
                    for &m in members {
                        if self.a[m as usize] > 0 || !seen.insert(m) {
                            continue;
                        }
                        match self.own[m as usize] {
                            Own::Waiting | Own::AwaitingRepair => out.push(m),
                            Own::Up => stack.push((
                                m,
                                matches!(self.mode[m as usize], Mode::Engaged | Mode::Switchback),
                            )),
                            _ => {}
                        }
                    }
                }
            }
            out
        };
        crate::model::cyclic_components(&waiting, edges)
    }

    /// Current availability of every node.
    pub fn availability(&self) -> &[Avail] {
        &self.a
    }
}

#[cfg(test)]
mod tests;
