//! People affected through the nodes whose RTO clock runs (SPEC 2.6), kept incrementally.
//!
//! While a node with an RTO has a < 1, the people affected through it are Σ over the clients
//! downstream of it of population × the largest share × (1 − a) over the uses that depend on
//! it. When its clock starts, its downstream (found once per node and cached) is summed
//! from scratch, and every use in it is watched. From then on a node whose availability
//! changes updates only the watched entries it is a use of, each keeping its largest value
//! as [`super::affected`] keeps a client's; the sum moves by the entries that moved. So an
//! instant costs the watched uses of the nodes that changed, not every open node's
//! downstream.

use std::collections::HashMap;

use fixedbitset::FixedBitSet;

use super::affected::{affected_units, loss, worst_shift};
use crate::model::{Avail, Model};

/// The clients downstream of one node, each with the uses that depend on that node.
struct Downstream {
    /// Per entry: the client, and the end of its uses in `uses` (they start where the
    /// previous entry's end).
    entries: Vec<(u32, u32)>,
    /// Every entry's uses as (node, share).
    uses: Vec<(u32, Avail)>,
}

impl Downstream {
    fn uses(&self, e: usize) -> &[(u32, Avail)] {
        let start = if e == 0 { 0 } else { self.entries[e - 1].1 };
        &self.uses[start as usize..self.entries[e].1 as usize]
    }
}

/// One run of a < 1 of a node with an RTO.
struct Open {
    node: u32,
    /// False once the run has ended: its watches are stale.
    live: bool,
    /// Per entry of the node's downstream: the largest share × (1 − a) over its uses.
    worst: Vec<u64>,
    /// The people affected through the node now, in units.
    sum: u128,
    /// Entries that may have moved in this instant (with their worst before it), and the
    /// ones of them whose worst use got better (a rescan tells).
    dirty: Vec<(u32, u64)>,
    dirty_mark: FixedBitSet,
    rescan: FixedBitSet,
}

/// A use in an open node's downstream: the open run (index into [`Through::runs`]), the
/// entry, and the use's share.
#[derive(Clone, Copy)]
struct Watch {
    run: u32,
    entry: u32,
    share: Avail,
}

/// People affected through every node whose RTO clock runs.
#[derive(Default)]
pub(super) struct Through {
    /// Per node seen open: its downstream (kept across runs: it depends on the model only).
    cache: HashMap<u32, Downstream>,
    /// The runs opened since the last reset; [`Through::open_run`] finds a node's live one.
    runs: Vec<Open>,
    open_run: HashMap<u32, u32>,
    /// Per node (allocated at the first opening): the watches on its uses.
    watch: Vec<Vec<Watch>>,
    /// Nodes with watches, for the reset.
    watched: Vec<u32>,
    /// Watches of ended runs, not yet dropped.
    stale: usize,
    live: usize,
    /// Runs whose sum moved in this instant.
    moved: Vec<u32>,
    /// The reference: every open node's sum recomputed from its downstream at every instant.
    pub(super) plain: bool,
    // The downstream search.
    stamp: Vec<u32>,
    generation: u32,
    stack: Vec<u32>,
}

impl Through {
    /// Back to no clock running, keeping the cache.
    pub(super) fn reset(&mut self) {
        for &v in &self.watched {
            self.watch[v as usize].clear();
        }
        self.watched.clear();
        self.runs.clear();
        self.open_run.clear();
        self.stale = 0;
        self.live = 0;
        self.moved.clear();
    }

    /// Node `v`'s clock starts, with availabilities `a`: returns the people affected
    /// through it now, in units.
    pub(super) fn open(&mut self, model: &Model, v: u32, a: &[Avail]) -> u128 {
        if !self.cache.contains_key(&v) {
            let down = self.downstream(model, v);
            self.cache.insert(v, down);
        }
        if self.watch.is_empty() {
            self.watch = vec![Vec::new(); model.nodes.len()];
        }
        let run = self.runs.len() as u32;
        let down = &self.cache[&v];
        let mut worst = Vec::with_capacity(down.entries.len());
        let mut sum = 0u128;
        for (e, &(c, _)) in down.entries.iter().enumerate() {
            let mut w = 0;
            for &(n, share) in down.uses(e) {
                w = w.max(loss(share, a[n as usize]));
                let list = &mut self.watch[n as usize];
                if list.is_empty() {
                    self.watched.push(n);
                }
                list.push(Watch {
                    run,
                    entry: e as u32,
                    share,
                });
            }
            worst.push(w);
            sum += model.clients[c as usize].population as u128 * w as u128;
        }
        self.live += down.uses.len();
        let entries = worst.len();
        self.runs.push(Open {
            node: v,
            live: true,
            worst,
            sum,
            dirty: Vec::new(),
            dirty_mark: FixedBitSet::with_capacity(entries),
            rescan: FixedBitSet::with_capacity(entries),
        });
        self.open_run.insert(v, run);
        sum
    }

    /// Node `v`'s clock stops.
    pub(super) fn close(&mut self, v: u32) {
        if let Some(run) = self.open_run.remove(&v) {
            let open = &mut self.runs[run as usize];
            open.live = false;
            open.worst = Vec::new();
            let uses = self.cache[&v].uses.len();
            self.live -= uses;
            self.stale += uses;
        }
        if self.stale > (1 << 20) && self.stale > self.live {
            self.drop_stale();
        }
    }

    /// Drops the watches of ended runs.
    fn drop_stale(&mut self) {
        let runs = &self.runs;
        for &v in &self.watched {
            self.watch[v as usize].retain(|w| runs[w.run as usize].live);
        }
        let watch = &self.watch;
        self.watched.retain(|&v| !watch[v as usize].is_empty());
        self.stale = 0;
    }

    /// Node `n`'s availability went from `old` to `new`: updates the entries it is a use of.
    pub(super) fn node_changed(&mut self, n: u32, old: Avail, new: Avail) {
        if self.plain {
            return;
        }
        let Some(list) = self.watch.get(n as usize) else {
            return;
        };
        for w in list {
            let open = &mut self.runs[w.run as usize];
            if !open.live {
                continue;
            }
            let e = w.entry as usize;
            let cur = open.worst[e];
            if !open.dirty_mark.put(e) {
                if open.dirty.is_empty() {
                    self.moved.push(w.run);
                }
                open.dirty.push((w.entry, cur));
            }
            match worst_shift(cur, loss(w.share, old), loss(w.share, new)) {
                Some(x) => open.worst[e] = x,
                None => open.rescan.insert(e),
            }
        }
    }

    /// Settles the entries the changes of the instant moved (`a`: the availabilities now)
    /// and calls `peak(node, people through it in units)` for every open node whose sum
    /// moved.
    pub(super) fn settle(&mut self, model: &Model, a: &[Avail], mut peak: impl FnMut(u32, u128)) {
        if self.plain {
            return self.recompute(model, a, peak);
        }
        for run in self.moved.drain(..) {
            let open = &mut self.runs[run as usize];
            let down = &self.cache[&open.node];
            for (e, before) in open.dirty.drain(..) {
                let e = e as usize;
                open.dirty_mark.set(e, false);
                if open.rescan.contains(e) {
                    open.rescan.set(e, false);
                    open.worst[e] = down
                        .uses(e)
                        .iter()
                        .map(|&(n, share)| loss(share, a[n as usize]))
                        .max()
                        .unwrap_or(0);
                }
                let pop = model.clients[down.entries[e].0 as usize].population as u128;
                open.sum = open.sum + pop * open.worst[e] as u128 - pop * before as u128;
            }
            peak(open.node, open.sum);
        }
    }

    /// [`Through::settle`] the plain way, the reference the incremental one is held to:
    /// every open node's sum from its whole downstream.
    fn recompute(&mut self, model: &Model, a: &[Avail], mut peak: impl FnMut(u32, u128)) {
        for open in self.runs.iter_mut().filter(|o| o.live) {
            let down = &self.cache[&open.node];
            open.sum = (0..down.entries.len())
                .map(|e| {
                    let pop = model.clients[down.entries[e].0 as usize].population;
                    affected_units(pop, down.uses(e), a)
                })
                .sum();
            peak(open.node, open.sum);
        }
    }

    /// For node `v`: every client that uses `v` or something depending on it, with those
    /// uses, in client order.
    fn downstream(&mut self, model: &Model, v: u32) -> Downstream {
        if self.stamp.is_empty() {
            self.stamp = vec![0; model.nodes.len()];
        }
        self.generation += 1;
        let generation = self.generation;
        let mut found: Vec<(u32, u32, Avail)> = Vec::new();
        self.stack.clear();
        self.stack.push(v);
        self.stamp[v as usize] = generation;
        while let Some(x) = self.stack.pop() {
            found.extend(
                model
                    .node_uses
                    .row(x as usize)
                    .iter()
                    .map(|&(c, share)| (c, x, share)),
            );
            for &d in model.dependents.row(x as usize) {
                if self.stamp[d as usize] != generation {
                    self.stamp[d as usize] = generation;
                    self.stack.push(d);
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        let mut entries: Vec<(u32, u32)> = Vec::new();
        let mut uses = Vec::with_capacity(found.len());
        for (c, n, share) in found {
            match entries.last_mut() {
                Some((last, end)) if *last == c => *end += 1,
                _ => entries.push((c, uses.len() as u32 + 1)),
            }
            uses.push((n, share));
        }
        Downstream { entries, uses }
    }
}
