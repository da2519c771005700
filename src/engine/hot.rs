//! Per node, what propagation reads and writes of it at every evaluation, in 12 bytes: the
//! minimum over its primary groups, and which of the engine's lists it is on.
//!
//! An evaluated node's q, whether it is up and whether it has a fallback are read, and the
//! node goes on the list of decision candidates, on
//! the list of nodes touched in the instant when its availability moved, and on the list of
//! nodes changed since the last reset: often all three at once. Kept apart, in arrays and
//! bit sets of their own, these were a read each, at places far apart; together they are
//! one read of one cache line, and one write.

use crate::model::{Avail, FULL};

/// On the list of nodes touched in this instant.
pub(super) const TOUCHED: u8 = 1;
/// On the list of decision candidates of this pass.
pub(super) const CANDIDATE: u8 = 2;
/// On the list of nodes that may differ from the start.
pub(super) const CHANGED: u8 = 4;

/// What an evaluation reads and writes of one node.
#[derive(Debug, Clone, Copy)]
pub(super) struct Hot {
    /// The minimum of its primary groups' values (1 without any), so p = min(own, q). Kept
    /// as the groups change (see `follow_q`), exact unless `stale`.
    pub(super) q: Avail,
    /// How many of its primary groups are below 1 (kept for nodes outside cycles only).
    pub(super) low: u32,
    /// q must be found again from the groups' values before it is read.
    pub(super) stale: bool,
    /// The node has a fallback (the model's, kept here beside q).
    pub(super) has_fallback: bool,
    /// Its own state is up (the engine's `own`, kept here beside q by `set_state`).
    pub(super) own_up: bool,
    /// The lists it is on: [`TOUCHED`], [`CANDIDATE`], [`CHANGED`].
    marks: u8,
}

impl Hot {
    /// A node with every primary group at 1, on no list.
    pub(super) fn new(has_fallback: bool) -> Hot {
        Hot {
            q: FULL,
            low: 0,
            stale: false,
            has_fallback,
            own_up: true,
            marks: 0,
        }
    }

    /// Every primary group at 1 (the lists it is on stay as they are).
    #[inline]
    pub(super) fn all_up(&mut self) {
        (self.q, self.low, self.stale) = (FULL, 0, false);
    }

    /// Puts the node on the lists of `flags`; returns those of them it was not on.
    #[inline]
    pub(super) fn put(&mut self, flags: u8) -> u8 {
        let new = flags & !self.marks;
        self.marks |= flags;
        new
    }

    /// Takes the node off the lists of `flags`.
    #[inline]
    pub(super) fn clear(&mut self, flags: u8) {
        self.marks &= !flags;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_returns_only_the_lists_that_are_new() {
        let mut h = Hot::new(false);
        assert_eq!(h.put(TOUCHED | CHANGED), TOUCHED | CHANGED);
        assert_eq!(h.put(CANDIDATE | CHANGED), CANDIDATE);
        assert_eq!(h.put(TOUCHED), 0);
        h.clear(TOUCHED | CANDIDATE);
        assert_eq!(h.put(TOUCHED | CANDIDATE | CHANGED), TOUCHED | CANDIDATE);
    }

    #[test]
    fn all_up_keeps_the_lists_and_the_fallback() {
        let mut h = Hot::new(true);
        (h.q, h.low, h.stale) = (FULL / 2, 2, true);
        h.put(CHANGED);
        h.all_up();
        assert_eq!(
            (h.q, h.low, h.stale, h.has_fallback),
            (FULL, 0, false, true)
        );
        assert_eq!(h.put(CHANGED), 0);
    }

    #[test]
    fn twelve_bytes() {
        assert_eq!(std::mem::size_of::<Hot>(), 12);
    }
}
