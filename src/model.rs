//! The validated model: sites and services as dense `u32` nodes, requirement groups and
//! reverse edges in compact arrays, clients with their uses, and the strongly connected
//! components of the dependency graph in topological order.
//!
//! Loading happens in two steps ([`raw`] serde structs, then [`build`]); the engine sees only
//! this frozen form, never a string id or a TOML type.

#[allow(missing_docs)]
pub mod raw;

mod build;
mod ids;
mod lint;

use ids::IdTable;
pub use raw::SmolStr;

use crate::dist::Dist;
use crate::time::SimTime;

pub use build::{build_parsed, build_with_patch, load_model};
pub(crate) use lint::cyclic_components;

/// Availability in millionths: 1.0 is [`FULL`]. Integer units keep sums exact and equality
/// tests meaningful; capacities and shares are exact to six decimal places.
pub type Avail = u32;

/// Full availability (1.0).
pub const FULL: Avail = 1_000_000;

/// Converts a fraction in [0, 1] to availability units, rounding to the nearest millionth.
pub fn to_units(f: f64) -> Avail {
    (f.clamp(0.0, 1.0) * FULL as f64).round() as Avail
}

/// Site or service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// A data center.
    Site,
    /// A service running on sites.
    Service,
}

/// What the model says about one site or service.
#[derive(Debug, Clone)]
pub struct Node {
    /// The id, unique across the model (up to 23 bytes kept inline, without an allocation:
    /// a model may have a million).
    pub id: SmolStr,
    /// The display name, when the model gives one (see [`Node::name`]).
    pub display_name: Option<String>,
    /// Site or service.
    pub kind: NodeKind,
    /// Tags for `tag:NAME` selectors.
    pub tags: Vec<String>,
    /// Time to come back once everything it needs is available.
    pub restart: SimTime,
    /// Extra time before a restart when it had failed.
    pub repair: SimTime,
    /// Recovery time objective, if any.
    pub rto: Option<SimTime>,
    /// How many crews its restart occupies, for its whole restart time (1 by default).
    pub effort: u32,
    /// After a completed restart: its own availability, and for how long, before it is
    /// fully back (`warmup`).
    pub warmup: Option<(Avail, SimTime)>,
    /// How often its data is backed up (from 0 on), if it is (`backup`).
    pub backup: Option<SimTime>,
}

impl Node {
    /// The display name: the one the model gives, or the id.
    pub fn name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.id)
    }
}

/// A service's fallback mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fallback {
    /// Share of the load it carries.
    pub capacity: Avail,
    /// Delay from the loss of primary service to engagement.
    pub activation: SimTime,
    /// How long switching back takes.
    pub switchback: SimTime,
    /// Availability during switchback; `None` means f(n), the fallback's own value.
    pub switchback_capacity: Option<Avail>,
}

/// What is random about a node, for Monte Carlo runs (seeded runs). Deterministic runs use
/// the medians kept in [`Node`] and [`Fallback`] and draw no failures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Random {
    /// Restart time, when it is a distribution.
    pub restart: Option<Dist>,
    /// Repair time, when it is a distribution.
    pub repair: Option<Dist>,
    /// Fallback activation time, when it is a distribution.
    pub activation: Option<Dist>,
    /// Fallback switchback time, when it is a distribution.
    pub switchback: Option<Dist>,
    /// A completed restart may fail again.
    pub restart_failure: Option<RestartFailure>,
    /// Time between random failures while up (mean time between failures).
    pub mtbf: Option<Dist>,
    /// Time to restore after a random failure (mean time to repair).
    pub mttr: Option<Dist>,
}

/// `restart_failure = { probability = 0.2, down = "6h", attempts = 5 }`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RestartFailure {
    /// Chance that a completed restart fails again at once.
    pub probability: f64,
    /// How long the node stays off before it restarts again.
    pub down: Dist,
    /// Failed restarts in a row after which the node is left off (and a warning says so).
    pub attempts: u32,
}

/// The attempts of [`RestartFailure`] when the model gives none.
pub const DEFAULT_ATTEMPTS: u32 = 10;

/// How a client's uses combine into its people affected (`combine`; docs/reference.md): each
/// use loses share × (1 − a) of the client's people, and the client loses
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Hash, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Combine {
    /// its worst use's loss (the default): the uses reach the same people.
    #[default]
    Max,
    /// 1 − Π(1 − loss): the uses reach people independently of each other.
    Union,
    /// the sum of the losses, at most all its people: the uses reach different people.
    Sum,
}

impl Combine {
    /// The word a model file uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Combine::Max => "max",
            Combine::Union => "union",
            Combine::Sum => "sum",
        }
    }
}

impl std::fmt::Display for Combine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A client organisation.
#[derive(Debug, Clone)]
pub struct Client {
    /// The id, unique across the model (up to 23 bytes kept inline, without an allocation:
    /// a model may have a million).
    pub id: SmolStr,
    /// The display name: the id when the model gives none (a copy of an id kept inline
    /// costs no allocation).
    pub name: SmolStr,
    /// How many people it has.
    pub population: u64,
    /// Tags.
    pub tags: Vec<String>,
    /// How its uses combine: its own `combine`, or the model's.
    pub combine: Combine,
}

/// A business function (docs/reference.md, "Business functions"): what it needs, how much
/// it weighs, and the tolerances it is held to.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    /// Its id (unique among the functions a client has).
    pub id: String,
    /// Its display name (the id when the model gives none).
    pub name: String,
    /// The client that declares it; `None` for a function every client has.
    pub client: Option<u32>,
    /// Its requirement groups: K and the members; its availability is the least of the
    /// groups' K-th largest member availabilities.
    pub needs: Vec<(u32, Vec<u32>)>,
    /// Its severity weight (default 1).
    pub weight: f64,
    /// The availability below which it counts as disrupted (default 1: any loss).
    pub min_level: Avail,
    /// Maximum tolerable period of disruption: the longest disruption it may have.
    pub mtpd: Option<SimTime>,
    /// Recovery time objective: the longest disruption it should have.
    pub rto: Option<SimTime>,
    /// The longest run it may have on fallbacks (emergency operation).
    pub mtn: Option<SimTime>,
    /// Recovery point objective: the most data it may lose (time since the last backup).
    pub rpo: Option<SimTime>,
    /// The nodes with a fallback it depends on, through its needs and everything upstream,
    /// in node order.
    pub fallbacks: Vec<u32>,
    /// The nodes with a backup it depends on, the same way.
    pub backups: Vec<u32>,
}

/// A compact adjacency: row `i` is `targets[offsets[i]..offsets[i + 1]]`.
#[derive(Debug, Clone)]
pub struct Csr<T = u32> {
    offsets: Vec<u32>,
    targets: Vec<T>,
}

impl<T> Default for Csr<T> {
    fn default() -> Self {
        Csr {
            offsets: vec![0],
            targets: Vec::new(),
        }
    }
}

impl<T: Copy> Csr<T> {
    /// Builds from rows given in order.
    pub fn from_rows<I: IntoIterator<Item = R>, R: IntoIterator<Item = T>>(rows: I) -> Csr<T> {
        let mut offsets = vec![0u32];
        let mut targets = Vec::new();
        for row in rows {
            targets.extend(row);
            offsets.push(targets.len() as u32);
        }
        Csr { offsets, targets }
    }

    /// An empty adjacency, to be filled row by row with [`Csr::push`] and [`Csr::end_row`].
    pub(crate) fn building() -> Csr<T> {
        Csr::default()
    }

    /// [`Csr::building`] with room for `rows` rows and `targets` targets.
    pub(crate) fn with_capacity(rows: usize, targets: usize) -> Csr<T> {
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        Csr {
            offsets,
            targets: Vec::with_capacity(targets),
        }
    }

    /// Adds a target to the row being built.
    #[inline]
    pub(crate) fn push(&mut self, t: T) {
        self.targets.push(t);
    }

    /// Ends the row being built.
    #[inline]
    pub(crate) fn end_row(&mut self) {
        self.offsets.push(self.targets.len() as u32);
    }

    /// The same rows with every target mapped by `f`, on every core.
    pub(crate) fn map<U: Send>(self, f: impl Fn(T) -> U + Sync + Send) -> Csr<U>
    where
        T: Send,
    {
        use rayon::prelude::*;
        Csr {
            offsets: self.offsets,
            targets: self.targets.into_par_iter().map(f).collect(),
        }
    }

    /// Row `i`.
    #[inline]
    pub fn row(&self, i: usize) -> &[T] {
        &self.targets[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.offsets.len() - 1
    }
}

impl<T: Copy + Default> Csr<T> {
    /// Builds from `(row, target)` pairs; rows keep the order of the pairs (a counting sort).
    pub(crate) fn grouped(rows: usize, pairs: &[(u32, T)]) -> Csr<T> {
        Csr::grouped_with(rows, |put| {
            for &(r, t) in pairs {
                put(r, t);
            }
        })
    }

    /// Builds from the `(row, target)` pairs that `pairs` gives to its argument; rows keep
    /// the order of the pairs (a counting sort). `pairs` is called twice, to count and to
    /// fill, and must give the same pairs both times: they are never held all at once.
    pub(crate) fn grouped_with(rows: usize, pairs: impl Fn(&mut dyn FnMut(u32, T))) -> Csr<T> {
        let mut offsets = vec![0u32; rows + 1];
        pairs(&mut |r, _| offsets[r as usize + 1] += 1);
        for i in 0..rows {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets.clone();
        let mut targets = vec![T::default(); offsets[rows] as usize];
        pairs(&mut |r, t| {
            targets[fill[r as usize] as usize] = t;
            fill[r as usize] += 1;
        });
        Csr { offsets, targets }
    }
}

impl Csr<u32> {
    /// Builds from `(row, target)` pairs; rows keep the order of the pairs, duplicates removed.
    pub fn from_pairs(rows: usize, pairs: &[(u32, u32)]) -> Csr {
        Csr::grouped(rows, pairs).without_duplicates()
    }

    /// Row `i` holds the indices `j` with `keys[j] == i`, in increasing order.
    pub(crate) fn inverse(rows: usize, keys: &[u32]) -> Csr {
        Csr::grouped_with(rows, |put| {
            for (j, &k) in keys.iter().enumerate() {
                put(k, j as u32);
            }
        })
    }

    /// The same rows with repeated targets removed, first occurrences kept.
    /// Done in place: the targets kept move down over the ones dropped.
    pub(crate) fn without_duplicates(mut self) -> Csr {
        // `seen[t]` holds the last row that took target `t`, plus one.
        let mut seen = vec![0u32; self.targets.iter().max().map_or(0, |&m| m as usize + 1)];
        let (mut kept, mut start) = (0, 0);
        for r in 0..self.rows() {
            let end = self.offsets[r + 1] as usize;
            for i in start..end {
                let t = self.targets[i];
                if seen[t as usize] != r as u32 + 1 {
                    seen[t as usize] = r as u32 + 1;
                    self.targets[kept] = t;
                    kept += 1;
                }
            }
            start = end;
            self.offsets[r + 1] = kept as u32;
        }
        self.targets.truncate(kept);
        self
    }
}

/// What propagation reads of a group, packed so that one read brings it all.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GroupInfo {
    /// K: how many members must be available.
    pub k: u32,
    /// Its number of members.
    pub len: u32,
    /// The component of its owner, with [`CYCLIC`] set when that component is a cycle.
    pub comp: u32,
}

/// Marks a cyclic component (in [`GroupInfo::comp`], [`Membership::comp`],
/// [`Model::scc_single`]).
pub(crate) const CYCLIC: u32 = 1 << 31;

/// One group a node is a member of, with its owner's component: what propagation needs to
/// pass a change on without reading the group itself when it has one member (most
/// requirements name one id).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Membership {
    /// The group.
    pub group: u32,
    /// [`GroupInfo::comp`], with [`ONE_MEMBER`] set when the node is the group's only member
    /// and [`FALLBACK_GROUP`] when the group is a fallback's.
    pub comp: u32,
}

/// Marks a group of one member (in [`Membership::comp`]).
pub(crate) const ONE_MEMBER: u32 = 1 << 30;

/// Marks a fallback's group (in [`Membership::comp`]); unmarked, a primary group.
pub(crate) const FALLBACK_GROUP: u32 = 1 << 29;

/// The marks a [`Membership::comp`] may carry.
pub(crate) const MEMBERSHIP_MARKS: u32 = CYCLIC | ONE_MEMBER | FALLBACK_GROUP;

/// The most sites and services a model may have: component numbers leave room for
/// [`MEMBERSHIP_MARKS`].
pub(crate) const MAX_NODES: usize = FALLBACK_GROUP as usize - 1;

/// Marks a client's index in the id table.
pub(crate) const CLIENT_BIT: u32 = 1 << 31;

/// An id of the model: a node (site or service) or a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdRef {
    /// Index into [`Model::nodes`].
    Node(u32),
    /// Index into [`Model::clients`].
    Client(u32),
}

/// A validated model, frozen for simulation.
#[derive(Debug, Clone)]
pub struct Model {
    /// The model's name.
    pub name: String,
    /// How reports name the people ("insured").
    pub population_label: String,
    /// How the uses of a client that says nothing combine (`[model] combine`).
    pub combine: Combine,
    /// Sites first, then services, each in file order (patched additions last).
    pub nodes: Vec<Node>,
    /// Per node: its fallback, if it has one.
    pub fallbacks: Vec<Option<Fallback>>,
    /// Per node: its fallback's growth, as (time after engagement, capacity from then),
    /// in time order (`grows`).
    pub fallback_growth: Csr<(SimTime, Avail)>,
    /// Per node: its repair's requirement groups (`repair_requires`), as indices into
    /// `repair_k` and `repair_members`.
    pub(crate) repair_of: Csr,
    pub(crate) repair_k: Vec<u32>,
    pub(crate) repair_members: Csr,
    /// The nodes with a fallback (a small set to test before reading `fallbacks`).
    pub(crate) has_fallback: fixedbitset::FixedBitSet,
    /// Clients in file order.
    pub clients: Vec<Client>,
    /// Business functions: the model's (every client has them), then each client's own, in
    /// client order.
    pub functions: Vec<Function>,
    /// Every id: node index, or client index with [`CLIENT_BIT`] set.
    pub(crate) ids: IdTable,
    /// Per group: the node whose requirement (primary or fallback) it is.
    pub(crate) group_owner: Vec<u32>,
    /// Per group: its members.
    pub(crate) group_members: Csr,
    /// Per node: its primary groups (hosted_on, then requires).
    pub(crate) primary_groups: Csr,
    /// Per node: how many of its primary groups come from hosted_on (they come first).
    pub(crate) hosted_groups: Vec<u32>,
    /// Per node: its fallback's requirement groups.
    pub(crate) fallback_groups: Csr,
    /// Per node: the nodes that name it in a primary or fallback group.
    pub(crate) dependents: Csr,
    /// Per node: the groups it is a member of.
    pub(crate) member_groups: Csr<Membership>,
    /// Per node: what is random about it, when anything is.
    pub random: Vec<Option<Box<Random>>>,
    /// Per client: its uses as (node, share in availability units).
    pub(crate) uses: Csr<(u32, Avail)>,
    /// Per node: its uses as (client, share), one per use (a client may use a node twice).
    pub(crate) node_uses: Csr<(u32, Avail)>,
    /// Per node: its strongly connected component, numbered in topological order
    /// (every component after the components it depends on).
    pub(crate) scc_of: Vec<u32>,
    /// Per component: its nodes.
    pub(crate) scc_nodes: Csr,
    /// Per component: its node when it has one node, else [`CYCLIC`] (the engine's lookup).
    pub(crate) scc_single: Vec<u32>,
    /// Per group: its K, size and owner's component, in one place (what propagation reads).
    pub(crate) group_info: Vec<GroupInfo>,
}

impl Model {
    /// Looks an id up.
    pub fn lookup(&self, id: &str) -> Option<IdRef> {
        self.ids
            .get(id, |v| self.id_of(v))
            .map(|v| match v & CLIENT_BIT {
                0 => IdRef::Node(v),
                _ => IdRef::Client(v & !CLIENT_BIT),
            })
    }

    /// The id a value of the id table stands for.
    fn id_of(&self, v: u32) -> &str {
        match v & CLIENT_BIT {
            0 => &self.nodes[v as usize].id,
            _ => &self.clients[(v & !CLIENT_BIT) as usize].id,
        }
    }

    /// Node `n`'s repair requirement groups: (K, members).
    pub(crate) fn repair_groups(&self, n: u32) -> impl Iterator<Item = (u32, &[u32])> {
        self.repair_of.row(n as usize).iter().map(|&g| {
            (
                self.repair_k[g as usize],
                self.repair_members.row(g as usize),
            )
        })
    }

    /// Client `c`'s uses as (node, share in availability units).
    pub fn client_uses(&self, c: usize) -> &[(u32, Avail)] {
        self.uses.row(c)
    }

    /// The sum of all clients' populations.
    pub fn total_population(&self) -> u64 {
        self.clients.iter().map(|c| c.population).sum()
    }

    /// Number of sites and services.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Number of dependency edges (group memberships, primary and fallback).
    pub fn edge_count(&self) -> usize {
        self.group_members.targets.len()
    }

    /// The groups of node `n` as (K, members) pairs: primary or fallback.
    pub(crate) fn groups(
        &self,
        n: u32,
        fallback: bool,
    ) -> impl Iterator<Item = (u32, &[u32])> + '_ {
        let csr = if fallback {
            &self.fallback_groups
        } else {
            &self.primary_groups
        };
        csr.row(n as usize).iter().map(move |&g| {
            (
                self.group_info[g as usize].k,
                self.group_members.row(g as usize),
            )
        })
    }

    /// True when service `n`'s hosted_on names site `site` anywhere (an any_of member counts).
    pub(crate) fn hosted_on_names(&self, n: u32, site: u32) -> bool {
        self.hosted_groups[n as usize] > 0
            && self.primary_groups.row(n as usize)[..self.hosted_groups[n as usize] as usize]
                .iter()
                .any(|&g| self.group_members.row(g as usize).contains(&site))
    }

    /// Every id known to the model, for "did you mean".
    pub(crate) fn id_names(&self) -> impl Iterator<Item = &str> {
        let nodes = self.nodes.iter().map(|n| n.id.as_str());
        nodes.chain(self.clients.iter().map(|c| c.id.as_str()))
    }

    /// Warnings a careful author wants to see: restart cycles, unused nodes, clients with no
    /// uses.
    pub fn warnings(&self) -> Vec<String> {
        lint::warnings(self)
    }

    /// Sets of nodes that, if all shut down at once, could never restart (cold-start
    /// deadlocks waiting to happen), as lists of ids.
    pub fn restart_cycles(&self) -> Vec<Vec<String>> {
        lint::restart_cycles(self)
    }
}

/// Strongly connected components of a graph given as adjacency rows, in the order Tarjan's
/// algorithm finishes them: every component after all components reachable from it.
/// Returns each node's component and the number of components. Iterative, so deep graphs
/// cannot overflow the stack.
pub(crate) fn tarjan(graph: &Csr) -> (Vec<u32>, u32) {
    // `index` is all the inner loop reads of a neighbour: unvisited, on the stack (its
    // visit number), or done (its component is known).
    const NONE: u32 = u32::MAX;
    const DONE: u32 = u32::MAX - 1;
    let n = graph.rows();
    let mut index = vec![NONE; n];
    let mut low = vec![0u32; n];
    let mut comp = vec![NONE; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut calls: Vec<(u32, u32)> = Vec::new();
    let mut next = 0u32;
    let mut count = 0u32;
    for root in 0..n as u32 {
        if index[root as usize] != NONE {
            continue;
        }
        index[root as usize] = next;
        low[root as usize] = next;
        next += 1;
        stack.push(root);
        calls.push((root, 0));
        while let Some(&mut (v, ref mut pos)) = calls.last_mut() {
            let row = graph.row(v as usize);
            if let Some(&w) = row.get(*pos as usize) {
                *pos += 1;
                let wi = w as usize;
                match index[wi] {
                    NONE => {
                        index[wi] = next;
                        low[wi] = next;
                        next += 1;
                        stack.push(w);
                        calls.push((w, 0));
                    }
                    DONE => {}
                    // On the stack: part of the component being built.
                    iw => low[v as usize] = low[v as usize].min(iw),
                }
                continue;
            }
            calls.pop();
            let vi = v as usize;
            if let Some(&(u, _)) = calls.last() {
                low[u as usize] = low[u as usize].min(low[vi]);
            }
            if low[vi] == index[vi] {
                while let Some(w) = stack.pop() {
                    comp[w as usize] = count;
                    index[w as usize] = DONE;
                    if w == v {
                        break;
                    }
                }
                count += 1;
            }
        }
    }
    (comp, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tarjan_finds_cycles_in_finishing_order() {
        // 0 -> 1 -> 2 -> 1, 2 -> 3; 4 alone.
        let g = Csr::from_rows([vec![1], vec![2], vec![1, 3], vec![], vec![]]);
        let (comp, count) = tarjan(&g);
        assert_eq!(count, 4);
        assert_eq!(comp[1], comp[2]);
        // 3 is reachable from the cycle, the cycle from 0: finished in that order.
        assert!(comp[3] < comp[1] && comp[1] < comp[0]);
        assert_ne!(comp[4], comp[0]);
    }

    #[test]
    fn tarjan_handles_a_deep_chain() {
        let n = 200_000u32;
        let g = Csr::from_rows((0..n).map(|i| if i + 1 < n { vec![i + 1] } else { vec![] }));
        let (comp, count) = tarjan(&g);
        assert_eq!(count, n);
        assert_eq!(comp[0], n - 1);
    }

    fn rows<T: Copy>(c: &Csr<T>) -> Vec<Vec<T>> {
        (0..c.rows()).map(|r| c.row(r).to_vec()).collect()
    }

    #[test]
    fn pairs_are_grouped_in_their_order() {
        let pairs = [(2, 7), (0, 5), (2, 1), (0, 5), (2, 7), (2, 3)];
        assert_eq!(
            rows(&Csr::grouped(4, &pairs)),
            vec![vec![5, 5], vec![], vec![7, 1, 7, 3], vec![]]
        );
        assert_eq!(
            rows(&Csr::from_pairs(4, &pairs)),
            vec![vec![5], vec![], vec![7, 1, 3], vec![]]
        );
        // Components 1, 0, 1, 2 of nodes 0..4: component 1 holds nodes 0 and 2.
        assert_eq!(
            rows(&Csr::inverse(3, &[1, 0, 1, 2])),
            vec![vec![1], vec![0, 2], vec![3]]
        );
    }
}
