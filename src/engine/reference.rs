//! The reference propagation: the availability equations written out plainly, sharing no
//! code with the incremental engine, so that "incremental = full recompute" checks the
//! engine against the equations themselves. Only
//! [`Propagation::FullRecompute`](super::Propagation::FullRecompute) uses it, and only tests
//! ask for that (the property tests, the fuzz targets); no command does.
//!
//! - a group's value is the K-th largest availability of its members (found by sorting);
//! - a node's primary value p is 0 unless it is up, else the smallest of its groups' values
//!   and its own level (1, but less while it warms up after a restart);
//! - its fallback's value f is the smaller of the fallback's capacity now (it may grow
//!   while engaged) and its groups' values (0 without a fallback);
//! - its availability is p, or max(p, f) while the fallback is engaged, or the switchback
//!   capacity (f when none is set) while switching back;
//!
//! and the availabilities are the greatest fixed point: every node starts at 1 and is
//! lowered until nothing changes.

use super::{Mode, Own};
use crate::model::{Avail, FULL, Model};

/// Availabilities for the given own states and fallback modes: the greatest fixed point,
/// found by starting every node at 1 and lowering until nothing changes.
pub fn full_recompute(
    model: &Model,
    (own, warm, mode, capacity): (&[Own], &[Avail], &[Mode], &[Avail]),
) -> Vec<Avail> {
    let n = model.nodes.len();
    let mut a = vec![FULL; n];
    let mut sorted = Vec::new();
    loop {
        let mut changed = false;
        for v in 0..n {
            let own = (own[v], warm[v]);
            let value = availability(
                model,
                v as u32,
                own,
                (mode[v], capacity[v]),
                &a,
                &mut sorted,
            );
            if value != a[v] {
                a[v] = value;
                changed = true;
            }
        }
        if !changed {
            return a;
        }
    }
}

/// Node `v`'s availability from the current values `a` of every node.
fn availability(
    model: &Model,
    v: u32,
    (own, warm): (Own, Avail),
    (mode, capacity): (Mode, Avail),
    a: &[Avail],
    sorted: &mut Vec<Avail>,
) -> Avail {
    let primary = if own == Own::Up {
        smallest_group(model, v, false, warm, a, sorted)
    } else {
        0
    };
    let fallback = |sorted: &mut Vec<Avail>| match model.fallbacks[v as usize] {
        Some(_) => smallest_group(model, v, true, capacity, a, sorted),
        None => 0,
    };
    match mode {
        Mode::Normal | Mode::Activating => primary,
        Mode::Engaged => primary.max(fallback(sorted)),
        Mode::Switchback => match model.fallbacks[v as usize].and_then(|fb| fb.switchback_capacity)
        {
            Some(capacity) => capacity,
            None => fallback(sorted),
        },
    }
}

/// The smallest of `start` and the values of node `v`'s primary (or fallback) groups.
fn smallest_group(
    model: &Model,
    v: u32,
    fallback: bool,
    start: Avail,
    a: &[Avail],
    sorted: &mut Vec<Avail>,
) -> Avail {
    model
        .groups(v, fallback)
        .map(|(k, members)| kth_largest(k, members, a, sorted))
        .fold(start, Avail::min)
}

/// The K-th largest availability among `members`, by sorting them (0 when there are fewer
/// than K).
pub(crate) fn kth_largest(k: u32, members: &[u32], a: &[Avail], sorted: &mut Vec<Avail>) -> Avail {
    sorted.clear();
    sorted.extend(members.iter().map(|&m| a[m as usize]));
    sorted.sort_unstable_by(|x, y| y.cmp(x));
    (k as usize)
        .checked_sub(1)
        .and_then(|i| sorted.get(i).copied())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kth_largest_of_members() {
        let a = [0, FULL, 500];
        let mut sorted = Vec::new();
        let mut kth = |k| kth_largest(k, &[0, 1, 2], &a, &mut sorted);
        assert_eq!(kth(1), FULL);
        assert_eq!(kth(2), 500);
        assert_eq!(kth(3), 0);
        assert_eq!(kth(4), 0, "fewer members than K");
    }
}
