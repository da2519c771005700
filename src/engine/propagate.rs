//! Incremental availability propagation to the greatest fixed point.

use std::cmp::Reverse;

use super::{Engine, Mode, Own, Propagation};
use crate::model::{Avail, FULL, Model};

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

/// f(n) = min(capacity, fallback groups).
#[inline]
pub(crate) fn fallback_value(
    model: &Model,
    n: u32,
    a: &[Avail],
    scratch: &mut Vec<Avail>,
) -> Avail {
    let Some(fb) = model.fallbacks[n as usize] else {
        return 0;
    };
    let mut f = fb.capacity;
    for (k, members) in model.groups(n, true) {
        f = f.min(group_value(k, members, a, scratch));
    }
    f
}

/// a(n) from own state, q (primary groups) and fallback mode.
#[inline]
pub(crate) fn node_value(
    model: &Model,
    n: u32,
    own: Own,
    mode: Mode,
    q: Avail,
    a: &[Avail],
    scratch: &mut Vec<Avail>,
) -> Avail {
    let p = if own == Own::Up { q } else { 0 };
    match mode {
        Mode::Normal | Mode::Activating => p,
        Mode::Engaged => p.max(fallback_value(model, n, a, scratch)),
        Mode::Switchback => match model.fallbacks[n as usize].and_then(|f| f.switchback_capacity) {
            Some(c) => c,
            None => fallback_value(model, n, a, scratch),
        },
    }
}

impl Engine<'_> {
    fn candidate(&mut self, n: u32) {
        if !self.cand_mark.put(n as usize) {
            self.candidates.push(n);
        }
    }

    /// Re-evaluates the dirty components in topological order until none is left.
    pub(super) fn propagate(&mut self) {
        if self.propagation == Propagation::FullRecompute {
            return self.propagate_full();
        }
        let model = self.model;
        while let Some(Reverse(c)) = self.dirty.pop() {
            self.in_dirty.set(c as usize, false);
            let nodes = model.scc_nodes.row(c as usize);
            if let [n] = *nodes {
                let i = n as usize;
                let q = groups_min(model, n, &self.a, &mut self.scratch);
                self.q[i] = q;
                let a = node_value(
                    model,
                    n,
                    self.own[i],
                    self.mode[i],
                    q,
                    &self.a,
                    &mut self.scratch,
                );
                self.candidate(n);
                if a != self.a[i] {
                    self.a[i] = a;
                    self.touch(n);
                    for &d in model.dependents.row(i) {
                        self.mark_dirty(d);
                    }
                }
            } else {
                self.settle_cycle(c);
            }
        }
    }

    /// The reference: every availability recomputed, every node a decision candidate.
    fn propagate_full(&mut self) {
        while let Some(Reverse(c)) = self.dirty.pop() {
            self.in_dirty.set(c as usize, false);
        }
        let model = self.model;
        let a = super::reference::full_recompute(model, &self.own, &self.mode);
        for n in 0..model.nodes.len() as u32 {
            let i = n as usize;
            self.q[i] = groups_min(model, n, &a, &mut self.scratch);
            if a[i] != self.a[i] {
                self.touch(n);
            }
            self.candidate(n);
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
                FULL
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
        for (j, &n) in nodes.iter().enumerate() {
            let i = n as usize;
            self.q[i] = groups_min(model, n, &self.a, &mut self.scratch);
            self.candidate(n);
            if self.a[i] != self.old[j] {
                self.touch(n);
                for &d in model.dependents.row(i) {
                    if model.scc_of[d as usize] != c {
                        self.mark_dirty(d);
                    }
                }
            }
        }
    }
}
