//! People affected per client, kept up to date from the nodes each instant touched.
//!
//! A client's people affected are its population × its uses' losses combined: by default
//! the largest share × (1 − a) over its uses ([`Combine`]). Each `max` client keeps that
//! largest value as the engine's groups keep theirs: a use that gets worse than it, or as
//! bad, is the new value; a use that was the value and gets better leaves only a rescan of
//! the client's uses to tell; any other change leaves it where it was. A `union` or `sum`
//! client is rescanned whenever one of its uses changes. So an instant costs the uses of the
//! nodes whose availability changed (and the uses of the clients rescanned), not the clients
//! or uses of the model.

use fixedbitset::FixedBitSet;

use crate::model::{Avail, Combine, FULL, Model};

/// A whole client lost: the unit of [`loss`] and [`combined`] (10¹²).
pub(crate) const WHOLE: u64 = FULL as u64 * FULL as u64;

/// People affected (in units) of a client with `population` through `uses` combined by
/// `how` (see [`combined`]).
pub(crate) fn affected_units(
    population: u64,
    how: Combine,
    uses: &[(u32, Avail)],
    a: &[Avail],
) -> u128 {
    population as u128 * combined(how, uses, a) as u128
}

/// The losses share × (1 − a) of `uses` combined by `how`, in units of 10⁻¹² of the client:
/// the largest (`max`), 1 − Π(1 − loss) (`union`, each factor rounded down to a unit, in
/// the order of the uses), or the sum up to the whole client (`sum`).
pub(crate) fn combined(how: Combine, uses: &[(u32, Avail)], a: &[Avail]) -> u64 {
    let losses = uses.iter().map(|&(n, share)| loss(share, a[n as usize]));
    match how {
        Combine::Max => losses.max().unwrap_or(0),
        Combine::Sum => losses.fold(0, |s: u64, l| s.saturating_add(l)).min(WHOLE),
        Combine::Union => {
            let whole = WHOLE as u128;
            let kept = losses.fold(whole, |kept, l| kept * (whole - l as u128) / whole);
            WHOLE - kept as u64
        }
    }
}

/// share × (1 − a) of one use.
#[inline]
pub(crate) fn loss(share: Avail, a: Avail) -> u64 {
    share as u64 * (FULL - a) as u64
}

/// The worst of one set of uses, updated for one use going from `old` to `new` loss: the
/// new worst, or `None` when only a rescan can tell.
#[inline]
pub(crate) fn worst_shift(worst: u64, old: u64, new: u64) -> Option<u64> {
    if new >= worst {
        Some(new)
    } else if old == worst {
        None
    } else {
        Some(worst)
    }
}

/// One client's figures: its uses' losses combined ([`combined`]), how many of its uses
/// have share × (1 − a) above 0 (when none has, its worst is 0 without a rescan: the
/// common case of a client coming back), how they combine, and whether it is dirty in
/// this instant and needs a rescan (its worst use got better). 16 bytes: one cache line
/// holds four clients.
#[derive(Clone, Copy, Default)]
struct ClientState {
    worst: u64,
    hurting: u32,
    how: Combine,
    dirty: bool,
    rescan: bool,
}

/// Per client, the people affected, kept from the changes the engine reports.
pub(crate) struct Affected {
    /// Per node: its availability as last seen (kept for the nodes in `used` only).
    seen: Vec<Avail>,
    /// The nodes some client uses: the others' changes are passed over unread.
    used: FixedBitSet,
    /// Per client: what a change of one of its uses reads and writes, in one record.
    state: Vec<ClientState>,
    /// Per client: its population (kept dense: the clients' records are large).
    pops: Vec<u64>,
    /// Clients whose worst may have moved in the instant, with their worst before it.
    dirty: Vec<(u32, u64)>,
    /// Nodes seen below full, and clients affected, at some point (for [`Affected::reset`]).
    moved: Vec<u32>,
    moved_mark: FixedBitSet,
    hurt: Vec<u32>,
    hurt_mark: FixedBitSet,
    /// The reference: every client recomputed from its uses at every instant.
    pub(crate) plain: bool,
}

impl Affected {
    /// Everything up, nobody affected.
    pub(crate) fn new(model: &Model) -> Self {
        let (n, c) = (model.nodes.len(), model.clients.len());
        Affected {
            seen: vec![FULL; n],
            used: (0..n)
                .filter(|&v| !model.node_uses.row(v).is_empty())
                .collect(),
            state: model
                .clients
                .iter()
                .map(|c| ClientState {
                    how: c.combine,
                    ..ClientState::default()
                })
                .collect(),
            pops: model.clients.iter().map(|c| c.population).collect(),
            dirty: Vec::new(),
            moved: Vec::new(),
            moved_mark: FixedBitSet::with_capacity(n),
            hurt: Vec::new(),
            hurt_mark: FixedBitSet::with_capacity(c),
            plain: false,
        }
    }

    /// Client `c`'s uses' losses combined now, in units of 10⁻¹² of the client.
    pub(crate) fn combined(&self, c: usize) -> u64 {
        self.state[c].worst
    }

    /// The people affected of client `c` now, in units (see [`affected_units`]).
    pub(crate) fn units(&self, c: usize) -> u128 {
        self.pops[c] as u128 * self.state[c].worst as u128
    }

    /// Back to everything up, in time proportional to what moved since.
    pub(crate) fn reset(&mut self) {
        for &v in &self.moved {
            self.seen[v as usize] = FULL;
            self.moved_mark.set(v as usize, false);
        }
        for &c in &self.hurt {
            let st = &mut self.state[c as usize];
            (st.worst, st.hurting) = (0, 0);
            self.hurt_mark.set(c as usize, false);
        }
        self.moved.clear();
        self.hurt.clear();
    }

    /// Takes in one instant: `touched` lists every node whose availability may have changed,
    /// `a` holds the availabilities now. Calls `changed(client, before, after)` with the
    /// people affected in units (see [`affected_units`]) for every client whose figure
    /// moved.
    pub(crate) fn update(
        &mut self,
        model: &Model,
        touched: &[u32],
        a: &[Avail],
        mut changed: impl FnMut(u32, u128, u128),
    ) {
        if self.plain {
            return self.recompute(model, a, changed);
        }
        for &v in touched {
            let i = v as usize;
            if !self.used.contains(i) {
                continue;
            }
            let (old, new) = (self.seen[i], a[i]);
            if old == new {
                continue;
            }
            self.seen[i] = new;
            if !self.moved_mark.put(i) {
                self.moved.push(v);
            }
            for &(c, share) in model.node_uses.row(i) {
                let st = &mut self.state[c as usize];
                let cur = st.worst;
                if !st.dirty {
                    st.dirty = true;
                    self.dirty.push((c, cur));
                }
                let (was, now) = (loss(share, old), loss(share, new));
                st.hurting = st.hurting + (now > 0) as u32 - (was > 0) as u32;
                match st.how {
                    Combine::Max => match worst_shift(cur, was, now) {
                        Some(w) => st.worst = w,
                        None => st.rescan = true,
                    },
                    _ => st.rescan = true,
                }
            }
        }
        for (c, before) in self.dirty.drain(..) {
            let ci = c as usize;
            let st = &mut self.state[ci];
            st.dirty = false;
            if st.rescan {
                st.rescan = false;
                st.worst = match st.hurting {
                    0 => 0,
                    _ => combined(st.how, model.client_uses(ci), &self.seen),
                };
            }
            let after = st.worst;
            if after == before {
                continue;
            }
            if !self.hurt_mark.put(ci) {
                self.hurt.push(c);
            }
            let pop = self.pops[ci] as u128;
            // A client of no people has nobody affected, whatever its uses.
            if pop > 0 {
                changed(c, pop * before as u128, pop * after as u128);
            }
        }
    }

    /// [`Affected::update`] the plain way, the reference the incremental one is held to:
    /// every client's figure from its uses, in client order.
    fn recompute(&mut self, model: &Model, a: &[Avail], mut changed: impl FnMut(u32, u128, u128)) {
        for (ci, client) in model.clients.iter().enumerate() {
            let pop = client.population as u128;
            let worst = combined(client.combine, model.client_uses(ci), a);
            let before = std::mem::replace(&mut self.state[ci].worst, worst);
            if worst != before && !self.hurt_mark.put(ci) {
                self.hurt.push(ci as u32);
            }
            if pop * worst as u128 != pop * before as u128 {
                changed(ci as u32, pop * before as u128, pop * worst as u128);
            }
        }
        for (i, &x) in a.iter().enumerate() {
            if x != self.seen[i] {
                self.seen[i] = x;
                if !self.moved_mark.put(i) {
                    self.moved.push(i as u32);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::to_units;

    #[test]
    fn uses_combine_by_max_union_or_sum() {
        // Three uses: node 0 at a = 0.5 with share 1 (loses 0.5), node 1 at a = 0 with
        // share 0.4 (loses 0.4), node 2 up with share 0.5 (loses nothing).
        let a = [FULL / 2, 0, FULL];
        let uses = [(0, FULL), (1, to_units(0.4)), (2, FULL / 2)];
        let of = |x: f64| (x * WHOLE as f64).round() as u64;
        // max: the worst use, 0.5.
        assert_eq!(combined(Combine::Max, &uses, &a), of(0.5));
        // union: 1 − (1 − 0.5)(1 − 0.4)(1 − 0) = 1 − 0.3 = 0.7.
        assert_eq!(combined(Combine::Union, &uses, &a), of(0.7));
        // sum: 0.5 + 0.4 + 0 = 0.9.
        assert_eq!(combined(Combine::Sum, &uses, &a), of(0.9));
        // sum is capped at the whole client: 0.5 + 0.8 = 1.3 counts as 1.
        let more = [(0, FULL), (1, to_units(0.8))];
        assert_eq!(combined(Combine::Sum, &more, &a), WHOLE);
        // union never exceeds the whole client either, and one use lost whole is all of it.
        assert_eq!(combined(Combine::Union, &[(1, FULL), (0, FULL)], &a), WHOLE);
        // No uses, nothing lost, in every mode.
        for how in [Combine::Max, Combine::Union, Combine::Sum] {
            assert_eq!(combined(how, &[], &a), 0);
            assert_eq!(combined(how, &[(2, FULL)], &a), 0);
        }
    }

    #[test]
    fn union_rounds_each_factor_down_to_a_unit() {
        // Three uses at a = 0.666667 each: 1 − 0.666667³ = 0.703703259259037… The kept
        // part is rounded down after each factor: 0.666667, 0.444444888889, then
        // 0.296296740740 (not …741), so the loss is 0.703703259260.
        let a = [666_667; 3];
        let uses = [(0, FULL), (1, FULL), (2, FULL)];
        assert_eq!(combined(Combine::Union, &uses, &a), 703_703_259_260);
    }

    #[test]
    fn the_worst_moves_only_when_a_use_crosses_it() {
        // Worse than the worst, or as bad: the new worst.
        assert_eq!(worst_shift(5, 1, 7), Some(7));
        assert_eq!(worst_shift(5, 1, 5), Some(5));
        // The worst use got better: a rescan.
        assert_eq!(worst_shift(5, 5, 2), None);
        // Another use moved below the worst: nothing.
        assert_eq!(worst_shift(5, 1, 3), Some(5));
        assert_eq!(worst_shift(5, 4, 0), Some(5));
    }

    #[test]
    fn clients_follow_the_changes_of_their_uses() {
        // Client c0 (100 people) uses s0 fully and s1 at share 0.5; c1 (10 people) uses s1.
        let text = "[model]\nname = \"m\"\n[[site]]\nid = \"dc\"\n[[service]]\nid = \"s0\"\nhosted_on = \"dc\"\n[[service]]\nid = \"s1\"\nhosted_on = \"dc\"\n[[client]]\nid = \"c0\"\npopulation = 100\nuses = [\"s0\", { service = \"s1\", share = 0.5 }]\n[[client]]\nid = \"c1\"\npopulation = 10\nuses = [\"s1\"]\n";
        let model =
            crate::model::load_model(&crate::source::Source::from_text("m.toml", text)).unwrap();
        let (s0, s1) = (1u32, 2u32);
        let mut affected = Affected::new(&model);
        let mut a = vec![FULL; 3];
        let mut log = Vec::new();
        let person = crate::metrics::PERSON;
        let mut step = |affected: &mut Affected, a: &[Avail], touched: &[u32]| {
            log.clear();
            affected.update(&model, touched, a, |c, before, after| {
                log.push((c, before, after))
            });
            log.clone()
        };
        // s1 at 0: c0 loses half its use of s1 (50 people), c1 all 10.
        a[s1 as usize] = 0;
        assert_eq!(
            step(&mut affected, &a, &[s1]),
            [(0, 0, 50 * person), (1, 0, 10 * person)]
        );
        // s0 at 0.2: c0's worst is now s0, 0.8 × 100 = 80 people.
        a[s0 as usize] = 200_000;
        assert_eq!(
            step(&mut affected, &a, &[s0]),
            [(0, 50 * person, 80 * person)]
        );
        // s0 back: c0's worst use got better; the rescan finds s1 again (50 people).
        a[s0 as usize] = FULL;
        assert_eq!(
            step(&mut affected, &a, &[s0]),
            [(0, 80 * person, 50 * person)]
        );
        // A node touched without a change moves nobody.
        assert_eq!(step(&mut affected, &a, &[s0, 0]), []);
        // Reset: everything up again, nobody affected.
        affected.reset();
        a[s1 as usize] = FULL;
        assert_eq!(step(&mut affected, &a, &[s1]), []);
        a[s1 as usize] = 0;
        assert_eq!(step(&mut affected, &a, &[s1]).len(), 2);
    }
}
