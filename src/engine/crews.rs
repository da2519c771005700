//! Restarts under a limited number of crews.
//!
//! A waiting node whose groups are all above 0 is *ready*. Without a crew limit it starts its
//! restart at once (step 4 of the pass that saw it ready). With a limit, ready nodes join a
//! queue ordered by priority, and at the end of step 4 of every pass (after the restarts
//! that lost a requirement went back to waiting, and so freed their crews) the queue is
//! served in strict priority order: the first node starts when its effort fits in the free
//! crews, then the next, and so on; the first that does not fit stops the round, and nothing
//! behind it overtakes. Crews free up whenever a node leaves `restarting` (restart complete,
//! a requirement lost, shut down, failed). Repairs need no crews.
//!
//! The queue holds exactly the ready nodes at every decision step, whichever propagation
//! found them, and is served by priority, not by the order nodes were found in: so the
//! incremental engine and the full-recompute reference take the same decisions.

use std::collections::BTreeSet;

use fixedbitset::FixedBitSet;

use super::{Engine, Own};

/// The crews of a run: the limit and priority (configuration, kept across resets) and the
/// queue of ready nodes (state of the run).
#[derive(Default)]
pub(super) struct Crews {
    /// How many crews there are; `None`: unlimited.
    pub(super) limit: Option<u32>,
    /// Per node: its place in the priority order (lower first). Empty when unlimited.
    rank: Vec<u32>,
    /// Crews busy: the sum of the efforts of the nodes that are restarting (kept only under
    /// a limit).
    pub(super) busy: u32,
    /// Ready nodes waiting for crews, as (rank, node).
    queue: BTreeSet<(u32, u32)>,
    queued: FixedBitSet,
    /// Nodes that joined the queue in this decision step.
    fresh: Vec<u32>,
    /// Nodes that had to wait for crews at least once in this run, in the order they first did.
    waited: Vec<u32>,
    waited_mark: FixedBitSet,
}

impl Engine<'_> {
    /// Limits the crews that restart nodes: at most `crews` crews at once, each restart
    /// occupying its node's `effort` of them; ready nodes get crews in `priority` order
    /// (listed nodes first, in that order, then every other node in model order).
    /// `None` lifts the limit. Call it on a new or [`reset`](Engine::reset) engine.
    pub fn set_crews(&mut self, crews: Option<u32>, priority: &[u32]) {
        assert!(
            self.crews.queue.is_empty(),
            "set_crews is called between runs, not during one"
        );
        let c = &mut self.crews;
        c.limit = crews;
        let n = self.model.nodes.len();
        c.rank.clear();
        if crews.is_none() {
            return;
        }
        let listed = priority.len() as u32;
        c.rank.extend(listed..listed + n as u32);
        for (pos, &node) in priority.iter().enumerate() {
            // A node listed twice keeps its first place.
            if c.rank[node as usize] >= listed {
                c.rank[node as usize] = pos as u32;
            }
        }
        c.queued.grow(n);
        c.waited_mark.grow(n);
    }

    /// The nodes that had to wait for a crew at least once since the last reset (ready, but
    /// not started in the decision step that found them ready), in the order they first did.
    pub fn crew_waiters(&self) -> &[u32] {
        &self.crews.waited
    }

    /// Crews busy now under a crew limit: the sum of the efforts of the restarting nodes
    /// (0 without a limit).
    pub fn crews_busy(&self) -> u32 {
        self.crews.busy
    }

    /// The nodes still waiting for crews, in priority order.
    pub fn crew_queue(&self) -> impl Iterator<Item = u32> + '_ {
        self.crews.queue.iter().map(|&(_, n)| n)
    }

    /// Node `n` leaves or enters `restarting`: its effort's crews are freed or taken.
    #[inline]
    pub(super) fn crews_follow(&mut self, n: u32, old: Own, new: Own) {
        let effort = self.model.nodes[n as usize].effort;
        if old == Own::Restarting {
            self.crews.busy -= effort;
        }
        if new == Own::Restarting {
            self.crews.busy += effort;
        }
    }

    /// A decision about a candidate under a crew limit: `ready` nodes join the queue, others
    /// leave it.
    #[inline]
    pub(super) fn crews_note(&mut self, n: u32, ready: bool) {
        let c = &mut self.crews;
        let i = n as usize;
        if ready == c.queued.contains(i) {
            return;
        }
        c.queued.set(i, ready);
        if ready {
            c.queue.insert((c.rank[i], n));
            c.fresh.push(n);
        } else {
            c.queue.remove(&(c.rank[i], n));
        }
    }

    /// The end of a decision step under a crew limit: ready nodes start in priority order
    /// while their effort fits in the free crews.
    pub(super) fn crews_dispatch(&mut self, limit: u32) {
        while let Some(&(rank, n)) = self.crews.queue.first() {
            let effort = self.model.nodes[n as usize].effort;
            if self.crews.busy + effort > limit {
                break;
            }
            self.crews.queue.remove(&(rank, n));
            self.crews.queued.set(n as usize, false);
            debug_assert!(self.own[n as usize] == Own::Waiting && self.hot[n as usize].q > 0);
            self.start_restart(n);
        }
        let c = &mut self.crews;
        for n in c.fresh.drain(..) {
            if c.queued.contains(n as usize) && !c.waited_mark.put(n as usize) {
                c.waited.push(n);
            }
        }
    }

    /// Puts back the state of the run (the limit and priority stay).
    pub(super) fn crews_reset(&mut self) {
        let c = &mut self.crews;
        c.busy = 0;
        for &(_, n) in &c.queue {
            c.queued.set(n as usize, false);
        }
        c.queue.clear();
        c.fresh.clear();
        for &n in &c.waited {
            c.waited_mark.set(n as usize, false);
        }
        c.waited.clear();
    }

    /// A warning naming the nodes still waiting for crews at the end of a run, if any.
    pub(super) fn crews_warning(&self) -> Option<String> {
        let limit = self.crews.limit?;
        let waiting: Vec<&str> = self
            .crew_queue()
            .map(|n| self.model.nodes[n as usize].id.as_str())
            .collect();
        if waiting.is_empty() {
            return None;
        }
        let shown: Vec<String> = waiting.iter().take(5).map(|id| format!("`{id}`")).collect();
        let more = match waiting.len() {
            n if n > 5 => format!(" and {} more", n - 5),
            _ => String::new(),
        };
        let verb = if waiting.len() == 1 { "waits" } else { "wait" };
        let crews = if limit == 1 { "crew" } else { "crews" };
        Some(format!(
            "{}{more} still {verb} for a crew at the horizon ({limit} {crews})",
            shown.join(", ")
        ))
    }
}
