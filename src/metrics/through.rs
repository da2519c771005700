//! People affected through the nodes whose RTO clock runs (SPEC 2.6), kept incrementally.
//!
//! While a node with an RTO has a < 1, the people affected through it are Σ over the clients
//! downstream of it of population × the largest share × (1 − a) over the uses that depend on
//! it. The first time a node's clock starts, its downstream is found and every use in it is
//! watched, for good: the node's entries (one per client) are kept with the model's
//! structure, across runs. When its clock starts its sum is taken from scratch. While it
//! runs, a node whose availability changes updates only the entries it is a use of, each
//! keeping its largest value as [`super::affected`] keeps a client's, and the sum moves by
//! the entries that moved. So an instant costs the watched uses of the nodes that changed.

use std::collections::HashMap;

use fixedbitset::FixedBitSet;

use super::affected::{affected_units, loss, worst_shift};
use crate::model::{Avail, Model};

/// A node with an RTO whose clock has run: its downstream, and its sum while the clock runs.
struct Watched {
    node: u32,
    /// Per entry (a client downstream of the node): the end of its uses in `uses`, the
    /// uses that depend on the node (they start where the previous entry's end).
    ends: Vec<u32>,
    /// Every entry's uses as (node, share).
    uses: Vec<(u32, Avail)>,
    /// Per entry: the client's population.
    pops: Vec<u64>,
    /// The entry of every use of every watched node, row after row (see [`Watch`]).
    links: Vec<u32>,
    /// True while the node's clock runs: the figures below are kept only then.
    open: bool,
    /// Per entry: the largest share × (1 − a) over its uses.
    worst: Vec<u64>,
    /// The people affected through the node now, in units.
    sum: u128,
    /// Entries that may have moved in this instant (with their worst before it), and the
    /// ones of them whose worst use got better (a rescan tells).
    dirty: Vec<(u32, u64)>,
    dirty_mark: FixedBitSet,
    rescan: FixedBitSet,
}

impl Watched {
    fn uses(&self, e: usize) -> &[(u32, Avail)] {
        let start = if e == 0 { 0 } else { self.ends[e - 1] };
        &self.uses[start as usize..self.ends[e] as usize]
    }

    /// The largest share × (1 − a) over entry `e`'s uses.
    fn worst_of(&self, e: usize, a: &[Avail]) -> u64 {
        self.uses(e)
            .iter()
            .map(|&(n, share)| loss(share, a[n as usize]))
            .max()
            .unwrap_or(0)
    }
}

/// A node in a watched node's downstream that clients use: the watched node (index into
/// [`Through::watched`]), and where the entries of the node's uses (its row of
/// `Model::node_uses`, in order) start in its `links`.
#[derive(Clone, Copy)]
struct Watch {
    slot: u32,
    links: u32,
}

/// People affected through every node whose RTO clock runs.
#[derive(Default)]
pub(super) struct Through {
    /// Every node whose clock has run, and its index there.
    watched: Vec<Watched>,
    slot_of: HashMap<u32, u32>,
    /// Per node (allocated at the first clock): the watches on it.
    watch: Vec<Vec<Watch>>,
    /// Slots whose sum moved in this instant.
    moved: Vec<u32>,
    /// The reference: every open node's sum recomputed from its downstream at every instant.
    pub(super) plain: bool,
    // The downstream search: visit marks, the clients' populations, and the uses found (kept
    // from one search to the next, with their room).
    stamp: Vec<u32>,
    found: Vec<(u32, Avail)>,
    keys: Vec<u64>,
    pops: Vec<u64>,
    generation: u32,
    stack: Vec<u32>,
}

impl Through {
    /// Back to no clock running, keeping what was learned of the model.
    pub(super) fn reset(&mut self) {
        for w in &mut self.watched {
            w.open = false;
        }
        self.moved.clear();
    }

    /// Node `v`'s clock starts, with availabilities `a`: returns the people affected
    /// through it now, in units.
    pub(super) fn open(&mut self, model: &Model, v: u32, a: &[Avail]) -> u128 {
        let slot = match self.slot_of.get(&v) {
            Some(&slot) => slot,
            None => self.watch_downstream(model, v),
        };
        let w = &mut self.watched[slot as usize];
        w.sum = 0;
        for e in 0..w.ends.len() {
            let worst = w.worst_of(e, a);
            w.worst[e] = worst;
            w.sum += w.pops[e] as u128 * worst as u128;
        }
        w.open = true;
        w.sum
    }

    /// Node `v`'s clock stops.
    pub(super) fn close(&mut self, v: u32) {
        if let Some(&slot) = self.slot_of.get(&v) {
            self.watched[slot as usize].open = false;
        }
    }

    /// Node `n`'s availability went from `old` to `new`: updates the entries it is a use of
    /// whose node's clock runs.
    pub(super) fn node_changed(&mut self, model: &Model, n: u32, old: Avail, new: Avail) {
        if self.plain {
            return;
        }
        let Some(list) = self.watch.get(n as usize) else {
            return;
        };
        let row = model.node_uses.row(n as usize);
        for w in list {
            let watched = &mut self.watched[w.slot as usize];
            if !watched.open {
                continue;
            }
            let links = &watched.links[w.links as usize..w.links as usize + row.len()];
            for (&(_, share), &entry) in row.iter().zip(links) {
                let e = entry as usize;
                let cur = watched.worst[e];
                if !watched.dirty_mark.put(e) {
                    if watched.dirty.is_empty() {
                        self.moved.push(w.slot);
                    }
                    watched.dirty.push((entry, cur));
                }
                match worst_shift(cur, loss(share, old), loss(share, new)) {
                    Some(x) => watched.worst[e] = x,
                    None => watched.rescan.insert(e),
                }
            }
        }
    }

    /// Settles the entries the changes of the instant moved (`a`: the availabilities now)
    /// and calls `peak(node, people through it in units)` for every open node whose sum
    /// moved.
    pub(super) fn settle(&mut self, a: &[Avail], mut peak: impl FnMut(u32, u128)) {
        if self.plain {
            return self.recompute(a, peak);
        }
        for slot in self.moved.drain(..) {
            let w = &mut self.watched[slot as usize];
            let mut dirty = std::mem::take(&mut w.dirty);
            for &(e, before) in &dirty {
                let e = e as usize;
                w.dirty_mark.set(e, false);
                if w.rescan.contains(e) {
                    w.rescan.set(e, false);
                    w.worst[e] = w.worst_of(e, a);
                }
                let pop = w.pops[e] as u128;
                w.sum = w.sum + pop * w.worst[e] as u128 - pop * before as u128;
            }
            dirty.clear();
            w.dirty = dirty;
            peak(w.node, w.sum);
        }
    }

    /// [`Through::settle`] the plain way, the reference the incremental one is held to:
    /// every open node's sum from its whole downstream.
    fn recompute(&mut self, a: &[Avail], mut peak: impl FnMut(u32, u128)) {
        for w in self.watched.iter_mut().filter(|w| w.open) {
            w.sum = (0..w.ends.len())
                .map(|e| affected_units(w.pops[e], w.uses(e), a))
                .sum();
            peak(w.node, w.sum);
        }
    }

    /// Finds node `v`'s downstream, every client that uses `v` or something depending on
    /// it with those uses, and watches those uses: returns its slot.
    fn watch_downstream(&mut self, model: &Model, v: u32) -> u32 {
        if self.stamp.is_empty() {
            self.stamp = vec![0; model.nodes.len()];
            self.watch = vec![Vec::new(); model.nodes.len()];
            self.pops = model.clients.iter().map(|c| c.population).collect();
        }
        self.generation += 1;
        let generation = self.generation;
        let slot = self.watched.len() as u32;
        // Every use of every node downstream, row after row: (node, share), and as a key
        // (client << 32 | position) to bring each client's uses together.
        let (mut found, mut keys) = (
            std::mem::take(&mut self.found),
            std::mem::take(&mut self.keys),
        );
        found.clear();
        keys.clear();
        self.stack.clear();
        self.stack.push(v);
        self.stamp[v as usize] = generation;
        while let Some(x) = self.stack.pop() {
            let row = model.node_uses.row(x as usize);
            if !row.is_empty() {
                self.watch[x as usize].push(Watch {
                    slot,
                    links: found.len() as u32,
                });
            }
            for &(c, share) in row {
                keys.push((c as u64) << 32 | found.len() as u64);
                found.push((x, share));
            }
            for &d in model.dependents.row(x as usize) {
                if self.stamp[d as usize] != generation {
                    self.stamp[d as usize] = generation;
                    self.stack.push(d);
                }
            }
        }
        // An entry per client, in client order, with its uses together; `links` takes each
        // use's entry, in the order found. (A sort of local keys: no lookup per use in an
        // array of every client.)
        keys.sort_unstable();
        let mut links = vec![0u32; found.len()];
        let mut ends: Vec<u32> = Vec::new();
        let mut pops = Vec::new();
        let mut uses = Vec::with_capacity(found.len());
        let mut last = None;
        for (i, &key) in keys.iter().enumerate() {
            let (c, at) = ((key >> 32) as u32, key as u32 as usize);
            if last != Some(c) {
                if last.is_some() {
                    ends.push(i as u32);
                }
                last = Some(c);
                pops.push(self.pops[c as usize]);
            }
            links[at] = pops.len() as u32 - 1;
            uses.push(found[at]);
        }
        if last.is_some() {
            ends.push(keys.len() as u32);
        }
        (self.found, self.keys) = (found, keys);
        let count = ends.len();
        self.watched.push(Watched {
            node: v,
            ends,
            pops,
            links,
            uses,
            open: false,
            worst: vec![0; count],
            sum: 0,
            dirty: Vec::new(),
            dirty_mark: FixedBitSet::with_capacity(count),
            rescan: FixedBitSet::with_capacity(count),
        });
        self.slot_of.insert(v, slot);
        slot
    }
}
