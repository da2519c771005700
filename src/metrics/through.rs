//! People affected through the nodes whose RTO clock runs (SPEC 2.6), kept incrementally.
//!
//! While a node with an RTO has a < 1, the people affected through it are Σ over the clients
//! downstream of it of population × the losses share × (1 − a) of the uses that depend on it,
//! combined as the client combines its uses (by default the largest). The first time a node's clock starts, its downstream is found and every use in it is
//! watched, for good: the node's entries (one per client) are kept with the model's
//! structure, across runs. When its clock starts its sum is taken from scratch. While it
//! runs, a node whose availability changes updates only the entries it is a use of, each
//! keeping its value as [`super::affected`] keeps a client's, and the sum moves by
//! the entries that moved. So an instant costs the watched uses of the nodes that changed.

use std::collections::HashMap;

use fixedbitset::FixedBitSet;
use rayon::prelude::*;

use super::affected::{combined, loss, worst_shift};
use crate::model::{Avail, Combine, Model};
use crate::pool::Pool;

/// A node with an RTO whose clock has run: its downstream, and its sum while the clock runs.
struct Watched {
    node: u32,
    /// Per entry (a client downstream of the node): the end of its uses in `uses`, the
    /// uses that depend on the node (they start where the previous entry's end).
    ends: Vec<u32>,
    /// Every entry's uses as (node, share).
    uses: Vec<(u32, Avail)>,
    /// Per entry: the client's population and figures (see [`Entry`]).
    entries: Vec<Entry>,
    /// The entry of every use of every watched node, row after row (see [`Watch`]).
    links: Vec<u32>,
    /// True while the node's clock runs: the figures below are kept only then.
    open: bool,
    /// The people affected through the node now, in units.
    sum: u128,
    /// Entries that may have moved in this instant, with their worst before it.
    dirty: Vec<(u32, u64)>,
}

/// One client downstream of a watched node: its population, its uses' losses combined
/// (the uses that depend on the node), how they combine, whether it may have moved in
/// this instant and whether a rescan must tell its worst (its worst use got better). What
/// a change of one use touches sits in one record.
#[derive(Clone, Copy)]
struct Entry {
    pop: u64,
    worst: u64,
    how: Combine,
    dirty: bool,
    rescan: bool,
}

impl Watched {
    fn uses(&self, e: usize) -> &[(u32, Avail)] {
        let start = if e == 0 { 0 } else { self.ends[e - 1] };
        &self.uses[start as usize..self.ends[e] as usize]
    }

    /// The sum from scratch: every entry's losses from `a`, combined.
    fn sum_from(&mut self, a: &[Avail]) -> u128 {
        self.sum = 0;
        for e in 0..self.ends.len() {
            let worst = combined(self.entries[e].how, self.uses(e), a);
            let entry = &mut self.entries[e];
            entry.worst = worst;
            self.sum += entry.pop as u128 * worst as u128;
        }
        self.sum
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
    /// Per client: its population and how its uses combine (for the searches: the
    /// clients' records are large).
    clients: Vec<(u64, Combine)>,
    /// The searches' scratch spaces, kept from one instant to the next (each is as large
    /// as the model's nodes and clients, and clean after every search).
    scratch: Vec<Scratch>,
    /// The reference: every open node's sum recomputed from its downstream at every instant.
    pub(super) plain: bool,
}

impl Through {
    /// Back to no clock running, keeping what was learned of the model.
    pub(super) fn reset(&mut self) {
        for w in &mut self.watched {
            w.open = false;
        }
        self.moved.clear();
    }

    /// Takes in one instant: `changes` are the nodes whose availability changed, with their
    /// availability before, `opening` the nodes whose clocks start now, `a` the
    /// availabilities now. Calls `peak(node, people affected through it in units)` for every
    /// open node whose sum moved and for every node opening.
    pub(super) fn instant(
        &mut self,
        model: &Model,
        changes: &[(u32, Avail)],
        opening: &[u32],
        a: &[Avail],
        mut peak: impl FnMut(u32, u128),
    ) {
        // The open ones follow the changes; the ones opening start from the state now.
        for &(v, old) in changes {
            self.node_changed(model, v, old, a[v as usize]);
        }
        self.settle(a, &mut peak);
        self.open(model, opening, a, peak);
    }

    /// The clocks of `nodes` start, with availabilities `a`: calls `peak(node, people
    /// affected through it now, in units)` for each. The downstreams not yet found are
    /// searched side by side, on every core.
    fn open(&mut self, model: &Model, nodes: &[u32], a: &[Avail], mut peak: impl FnMut(u32, u128)) {
        let new: Vec<u32> = nodes
            .iter()
            .copied()
            .filter(|v| !self.slot_of.contains_key(v))
            .collect();
        if !new.is_empty() && self.clients.is_empty() {
            self.clients = model
                .clients
                .iter()
                .map(|c| (c.population, c.combine))
                .collect();
        }
        let clients = &self.clients[..];
        let pool = Pool::new(std::mem::take(&mut self.scratch));
        let found: Vec<Found> = new
            .par_iter()
            .map_init(
                || pool.lease(|| Scratch::new(model)),
                |scratch, &v| search(model, clients, v, scratch),
            )
            .collect();
        self.scratch = pool.into_inner();
        for (&v, f) in new.iter().zip(found) {
            self.watch_found(model, v, f);
        }
        // Every node opening is watched by now (the new ones just above).
        for &v in nodes {
            let w = &mut self.watched[self.slot_of[&v] as usize];
            w.open = true;
            peak(v, w.sum_from(a));
        }
    }

    /// Node `v`'s clock stops.
    pub(super) fn close(&mut self, v: u32) {
        if let Some(&slot) = self.slot_of.get(&v) {
            self.watched[slot as usize].open = false;
        }
    }

    /// Node `n`'s availability went from `old` to `new`: updates the entries it is a use of
    /// whose node's clock runs.
    fn node_changed(&mut self, model: &Model, n: u32, old: Avail, new: Avail) {
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
                let e = &mut watched.entries[entry as usize];
                let cur = e.worst;
                if !e.dirty {
                    e.dirty = true;
                    if watched.dirty.is_empty() {
                        self.moved.push(w.slot);
                    }
                    watched.dirty.push((entry, cur));
                }
                let shift = match e.how {
                    Combine::Max => worst_shift(cur, loss(share, old), loss(share, new)),
                    _ => None,
                };
                match shift {
                    Some(x) => e.worst = x,
                    None => e.rescan = true,
                }
            }
        }
    }

    /// Settles the entries the changes of the instant moved (`a`: the availabilities now)
    /// and calls `peak(node, people through it in units)` for every open node whose sum
    /// moved.
    fn settle(&mut self, a: &[Avail], mut peak: impl FnMut(u32, u128)) {
        if self.plain {
            return self.recompute(a, peak);
        }
        for slot in self.moved.drain(..) {
            let w = &mut self.watched[slot as usize];
            let mut dirty = std::mem::take(&mut w.dirty);
            for &(e, before) in &dirty {
                let e = e as usize;
                let entry = w.entries[e];
                let worst = match entry.rescan {
                    true => combined(entry.how, w.uses(e), a),
                    false => entry.worst,
                };
                let entry = &mut w.entries[e];
                (entry.dirty, entry.rescan, entry.worst) = (false, false, worst);
                let pop = entry.pop as u128;
                w.sum = w.sum + pop * worst as u128 - pop * before as u128;
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
            peak(w.node, w.sum_from(a));
        }
    }

    /// Watches the uses of a downstream found by [`search`].
    fn watch_found(&mut self, model: &Model, v: u32, found: Found) {
        if self.watch.is_empty() {
            self.watch = vec![Vec::new(); model.nodes.len()];
        }
        let slot = self.watched.len() as u32;
        for &(x, links) in &found.used {
            self.watch[x as usize].push(Watch { slot, links });
        }
        self.watched.push(Watched {
            node: v,
            ends: found.ends,
            entries: found.entries,
            links: found.links,
            uses: found.uses,
            open: false,
            sum: 0,
            dirty: Vec::new(),
        });
        self.slot_of.insert(v, slot);
    }
}

/// A node's downstream as [`search`] finds it: the entries and links of a [`Watched`], and
/// the used nodes with where their links start.
struct Found {
    used: Vec<(u32, u32)>,
    ends: Vec<u32>,
    entries: Vec<Entry>,
    links: Vec<u32>,
    uses: Vec<(u32, Avail)>,
}

/// What one search keeps from one node to the next: visit marks and entry numbers
/// (cleared after each search), and the uses found, with their room.
struct Scratch {
    visited: FixedBitSet,
    order: Vec<u32>,
    found: Vec<(u32, Avail)>,
    /// Per use found: its client.
    client: Vec<u32>,
    /// Per client: its entry plus one, 0 while it has none (calloc'd: untouched pages cost
    /// nothing).
    entry_of: Vec<u32>,
}

impl Scratch {
    fn new(model: &Model) -> Self {
        Scratch {
            visited: FixedBitSet::with_capacity(model.nodes.len()),
            order: Vec::new(),
            found: Vec::new(),
            client: Vec::new(),
            entry_of: vec![0; model.clients.len()],
        }
    }
}

/// Finds node `v`'s downstream: every client that uses `v` or something depending on it,
/// with those uses, an entry per client (in the order they are first found), each with its
/// uses in the order they are found.
fn search(model: &Model, clients: &[(u64, Combine)], v: u32, s: &mut Scratch) -> Found {
    s.found.clear();
    s.client.clear();
    s.order.clear();
    let mut used = Vec::new();
    // Every use of every node downstream, row after row: (node, share) and its client.
    // `order` is both the queue of the search and the list of the nodes visited.
    s.visited.insert(v as usize);
    s.order.push(v);
    let mut next = 0;
    while let Some(&x) = s.order.get(next) {
        next += 1;
        let row = model.node_uses.row(x as usize);
        if !row.is_empty() {
            used.push((x, s.found.len() as u32));
        }
        for &(c, share) in row {
            s.client.push(c);
            s.found.push((x, share));
        }
        for &d in model.dependents.row(x as usize) {
            if !s.visited.put(d as usize) {
                s.order.push(d);
            }
        }
    }
    for &x in &s.order {
        s.visited.set(x as usize, false);
    }
    // An entry per client, numbered as first found; `links` takes each use's entry, in the
    // order found. Then each entry's uses are placed together (a counting sort, which
    // keeps the order found within an entry: a union's rounding depends on it).
    let mut links = Vec::with_capacity(s.found.len());
    let mut ends: Vec<u32> = Vec::new();
    let mut entries = Vec::new();
    for &c in &s.client {
        let slot = &mut s.entry_of[c as usize];
        if *slot == 0 {
            let (pop, how) = clients[c as usize];
            entries.push(Entry {
                pop,
                worst: 0,
                how,
                dirty: false,
                rescan: false,
            });
            ends.push(0);
            *slot = entries.len() as u32;
        }
        let e = *slot - 1;
        ends[e as usize] += 1;
        links.push(e);
    }
    for &c in &s.client {
        s.entry_of[c as usize] = 0;
    }
    // `ends` holds counts: turn them into starts, place the uses, and the starts have
    // moved to the ends.
    let mut start = 0;
    for end in ends.iter_mut() {
        (start, *end) = (start + *end, start);
    }
    let mut uses = vec![(0, 0); s.found.len()];
    for (&e, &u) in links.iter().zip(&s.found) {
        let at = &mut ends[e as usize];
        uses[*at as usize] = u;
        *at += 1;
    }
    Found {
        used,
        ends,
        entries,
        links,
        uses,
    }
}
