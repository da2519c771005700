//! Incremental availability propagation to the greatest fixed point.

use super::{Engine, Mode, Own, Propagation, hot};
use crate::model::{
    Avail, CYCLIC, FALLBACK_GROUP, FULL, MEMBERSHIP_MARKS, Membership, Model, ONE_MEMBER,
};

/// The K-th largest availability among `members`.
#[inline]
pub(crate) fn group_value(k: u32, members: &[u32], a: &[Avail], scratch: &mut Vec<Avail>) -> Avail {
    if k == 1 {
        let mut best = 0;
        for &m in members {
            best = best.max(a[m as usize]);
            if best == FULL {
                break;
            }
        }
        best
    } else if k as usize == members.len() {
        let mut worst = FULL;
        for &m in members {
            worst = worst.min(a[m as usize]);
            if worst == 0 {
                break;
            }
        }
        worst
    } else {
        scratch.clear();
        scratch.extend(members.iter().map(|&m| a[m as usize]));
        let (_, kth, _) = scratch.select_nth_unstable_by(k as usize - 1, |x, y| y.cmp(x));
        *kth
    }
}

/// Minimum over node `n`'s primary groups (1 when it has none).
#[inline]
pub(crate) fn groups_min(model: &Model, n: u32, a: &[Avail], scratch: &mut Vec<Avail>) -> Avail {
    let mut q = FULL;
    for (k, members) in model.groups(n, false) {
        q = q.min(group_value(k, members, a, scratch));
        if q == 0 {
            break;
        }
    }
    q
}

/// p(n) = min(own, q): 0 unless the node is up; its warmup level is read only when it counts.
#[inline]
pub(crate) fn primary_value(up: bool, q: Avail, warm: impl FnOnce() -> Avail) -> Avail {
    if up && q > 0 { q.min(warm()) } else { 0 }
}

/// a(n) from its primary value p and fallback mode; `f` gives the fallback's value f(n),
/// asked only when the mode needs it.
#[inline]
pub(crate) fn node_value(
    model: &Model,
    n: u32,
    p: Avail,
    mode: Mode,
    f: impl FnOnce() -> Avail,
) -> Avail {
    match mode {
        Mode::Normal | Mode::Activating => p,
        Mode::Engaged => p.max(f()),
        Mode::Switchback => match model.fallbacks[n as usize].and_then(|f| f.switchback_capacity) {
            Some(c) => c,
            None => f(),
        },
    }
}

/// The minimum of `start` and the cached values of `groups`.
#[inline]
fn min_cached(groups: &[u32], gval: &[Avail], start: Avail) -> Avail {
    groups
        .iter()
        .fold(start, |acc, &g| acc.min(gval[g as usize]))
}

/// A group's value after one member went from `old` to `new` (`old != new`), given its value
/// `cur` before; `None` when only a rescan can tell.
///
/// The K-th largest moves only when a member crosses it or leaves it: a member that stays
/// on one side of `cur`, or arrives exactly at it, leaves it where it was. A new maximum
/// (K = 1) or a new minimum (K = all) is the new value itself.
#[inline]
pub(crate) fn group_shift(k: u32, len: usize, cur: Avail, old: Avail, new: Avail) -> Option<Avail> {
    let same_side = (old < cur && new < cur) || (old > cur && new > cur);
    if new == cur || same_side {
        Some(cur)
    } else if (k == 1 && new > cur) || (k as usize == len && new < cur) {
        Some(new)
    } else {
        None
    }
}

impl Engine<'_> {
    /// Node `n` was re-evaluated: what to note of it ([`Engine::note`]): a candidate for
    /// the decisions when it can take one, and changed for the reset either way.
    #[inline]
    fn evaluated(&self, n: u32) -> u8 {
        if self.may_decide(n as usize) {
            hot::CANDIDATE | hot::CHANGED
        } else {
            hot::CHANGED
        }
    }

    /// Re-evaluates the dirty components in topological order until none is left.
    pub(super) fn propagate(&mut self) {
        if self.propagation == Propagation::FullRecompute {
            return self.propagate_full();
        }
        let model = self.model;
        while let Some(c) = self.dirty.pop() {
            let n = model.scc_single[c as usize];
            if n != CYCLIC {
                let i = n as usize;
                let h = &mut self.hot[i];
                if h.stale {
                    h.stale = false;
                    h.q = min_cached(model.primary_groups.row(i), &self.gval, FULL);
                }
                let h = *h;
                let q = h.q;
                debug_assert_eq!(h.own_up, self.own[i] == Own::Up);
                debug_assert!(h.has_fallback || self.mode[i] == Mode::Normal);
                debug_assert_eq!(q, min_cached(model.primary_groups.row(i), &self.gval, FULL));
                debug_assert_eq!(
                    self.hot[i].low as usize,
                    (model.primary_groups.row(i).iter())
                        .filter(|&&g| self.gval[g as usize] < FULL)
                        .count()
                );
                let (gval, capacity) = (&self.gval, &self.cap);
                let p = primary_value(h.own_up, q, || self.warm[i]);
                // Only a node with a fallback leaves its normal mode, where a = p.
                let a = if h.has_fallback {
                    node_value(model, n, p, self.mode[i], || {
                        cached_fallback(model, n, gval, capacity[i])
                    })
                } else {
                    p
                };
                let old = self.a[i];
                if a != old {
                    self.a[i] = a;
                    self.note(n, self.evaluated(n) | hot::TOUCHED);
                    self.push_change(n, old, None);
                } else {
                    self.note(n, self.evaluated(n));
                }
            } else {
                self.settle_cycle(c);
            }
        }
    }

    /// Keeps node `o`'s q (the minimum of its primary groups) after one of them went from
    /// `cur` to `value`: a group that falls takes q down with it; one that rises from above q
    /// leaves it; one that rises from q makes q 1 when no group is left below 1, and leaves
    /// it to a rescan otherwise (another group may hold it). (Cyclic components are settled
    /// from scratch and need none of this.)
    #[inline]
    fn follow_q(&mut self, o: u32, cur: Avail, value: Avail) {
        let p = &mut self.hot[o as usize];
        if cur == FULL {
            p.low += 1;
        } else if value == FULL {
            p.low -= 1;
        }
        if value < cur {
            p.q = p.q.min(value);
        } else if cur == p.q {
            if p.low == 0 {
                p.q = FULL;
            } else {
                p.stale = true;
            }
        }
    }

    /// Brings the cached values of the groups naming `n` up to date after its availability
    /// went from `old` to the current one, and marks the owners of groups that changed dirty
    /// (except owners in component `skip`, settled already).
    fn push_change(&mut self, n: u32, old: Avail, skip: Option<u32>) {
        let model = self.model;
        let new = self.a[n as usize];
        for &Membership { group, comp } in model.member_groups.row(n as usize) {
            let gi = group as usize;
            // A group of one member has that member's value: no need to read it.
            let (cur, value) = if comp & ONE_MEMBER != 0 {
                (old, new)
            } else {
                let info = model.group_info[gi];
                let cur = self.gval[gi];
                let value =
                    group_shift(info.k, info.len as usize, cur, old, new).unwrap_or_else(|| {
                        group_value(
                            info.k,
                            model.group_members.row(gi),
                            &self.a,
                            &mut self.scratch,
                        )
                    });
                (cur, value)
            };
            self.gval[gi] = value;
            // A cyclic component is settled again from the top whenever an input moves: its
            // groups' values depend on the fixed point being sought.
            let (oc, cyclic) = (comp & !MEMBERSHIP_MARKS, comp & CYCLIC != 0);
            if value != cur && comp & (CYCLIC | FALLBACK_GROUP) == 0 {
                self.follow_q(model.scc_single[oc as usize], cur, value);
            }
            if skip != Some(oc) && (value != cur || cyclic) {
                self.mark_component_dirty(oc);
            }
        }
    }

    /// The reference: every availability recomputed, every node a decision candidate.
    fn propagate_full(&mut self) {
        self.dirty.clear();
        let model = self.model;
        let state = (&self.own[..], &self.warm[..], &self.mode[..], &self.cap[..]);
        let a = super::reference::full_recompute(model, state);
        for n in 0..model.nodes.len() as u32 {
            let i = n as usize;
            self.hot[i].q = groups_min(model, n, &a, &mut self.scratch);
            if a[i] != self.a[i] {
                self.touch(n);
            }
            self.note(n, hot::CANDIDATE | hot::CHANGED);
        }
        self.a = a;
    }

    /// Greatest fixed point of a cyclic component (no fallbacks inside, by validation):
    /// start every member at its own availability and lower until nothing changes.
    fn settle_cycle(&mut self, c: u32) {
        let model = self.model;
        let nodes = model.scc_nodes.row(c as usize);
        self.old.clear();
        self.old.extend(nodes.iter().map(|&n| self.a[n as usize]));
        for &n in nodes {
            self.a[n as usize] = if self.own[n as usize] == Own::Up {
                self.warm[n as usize]
            } else {
                0
            };
        }
        loop {
            let mut lowered = false;
            for &n in nodes {
                let i = n as usize;
                if self.a[i] == 0 {
                    continue;
                }
                let v = groups_min(model, n, &self.a, &mut self.scratch);
                if v < self.a[i] {
                    self.a[i] = v;
                    lowered = true;
                }
            }
            if !lowered {
                break;
            }
        }
        // Every member's final value is in place: the groups' cached values follow, one
        // change at a time (a rescan sees the final values, which later changes respect).
        for (j, &n) in nodes.iter().enumerate() {
            if self.a[n as usize] != self.old[j] {
                self.touch(n);
                self.push_change(n, self.old[j], Some(c));
            }
        }
        for &n in nodes {
            let i = n as usize;
            self.hot[i].q = min_cached(model.primary_groups.row(i), &self.gval, FULL);
            self.note(n, self.evaluated(n));
        }
    }
}

/// f(n) from the cached group values: min(capacity, fallback groups), 0 without a fallback.
#[inline]
fn cached_fallback(model: &Model, n: u32, gval: &[Avail], capacity: Avail) -> Avail {
    model.fallbacks[n as usize].map_or(0, |_| {
        min_cached(model.fallback_groups.row(n as usize), gval, capacity)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// K-th largest by sorting: obviously right.
    fn kth(k: u32, values: &[Avail]) -> Avail {
        let mut v = values.to_vec();
        v.sort_unstable_by(|x, y| y.cmp(x));
        v[k as usize - 1]
    }

    #[test]
    fn group_shift_by_hand() {
        const H: Avail = FULL / 2;
        // any_of [1, .5]: the 1 drops to 0: only a rescan knows the .5 is left.
        assert_eq!(group_shift(1, 2, FULL, FULL, 0), None);
        // any_of [0, .5]: the 0 rises to 1: the new maximum.
        assert_eq!(group_shift(1, 2, H, 0, FULL), Some(FULL));
        // all of [1, .5]: the 1 drops to 0: the new minimum.
        assert_eq!(group_shift(2, 2, H, FULL, 0), Some(0));
        // 2 of [1, 1, 0]: the 0 rises to .5: below the 2nd largest, nothing moves.
        assert_eq!(group_shift(2, 3, FULL, 0, H), Some(FULL));
        // 2 of [1, .5, 0]: the 0 rises to .5, exactly the 2nd largest: nothing moves.
        assert_eq!(group_shift(2, 3, H, 0, H), Some(H));
    }

    /// Every group of up to 4 members over {0, .5, 1}, every K, every single change: the
    /// shortcut, or the rescan it asks for, gives the K-th largest.
    #[test]
    fn group_shift_agrees_with_sorting() {
        let levels = [0, FULL / 2, FULL];
        let mut checked = 0;
        for len in 1..=4usize {
            for code in 0..3usize.pow(len as u32) {
                let values: Vec<Avail> = (0..len)
                    .map(|i| levels[code / 3usize.pow(i as u32) % 3])
                    .collect();
                for k in 1..=len as u32 {
                    let cur = kth(k, &values);
                    for i in 0..len {
                        for &new in &levels {
                            let old = values[i];
                            if new == old {
                                continue;
                            }
                            let mut after = values.clone();
                            after[i] = new;
                            let want = kth(k, &after);
                            if let Some(got) = group_shift(k, len, cur, old, new) {
                                assert_eq!(got, want, "k={k} {values:?}[{i}] -> {new}");
                            }
                            let members: Vec<u32> = (0..len as u32).collect();
                            let scanned = group_value(k, &members, &after, &mut Vec::new());
                            assert_eq!(scanned, want);
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 2 * (3 + 2 * 9 * 2 + 3 * 27 * 3 + 4 * 81 * 4));
    }
}
