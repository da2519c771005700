//! Per node, the engine's lists it is on, as one byte of flags.
//!
//! A node evaluated in a pass goes on the list of decision candidates, on the list of nodes
//! touched in the instant when its availability moved, and on the list of nodes changed
//! since the last reset: often all three at once. One byte read and written for all of
//! them costs less than a bit set per list, each read and written on its own.

/// On the list of nodes touched in this instant.
pub(super) const TOUCHED: u8 = 1;
/// On the list of decision candidates of this pass.
pub(super) const CANDIDATE: u8 = 2;
/// On the list of nodes that may differ from the start.
pub(super) const CHANGED: u8 = 4;

/// Per node, the flags of the lists it is on.
pub(super) struct Marks(Vec<u8>);

impl Marks {
    /// `n` nodes, on no list.
    pub(super) fn new(n: usize) -> Self {
        Marks(vec![0; n])
    }

    /// Sets `flags` on node `i`; returns those of them it did not have.
    #[inline]
    pub(super) fn put(&mut self, i: usize, flags: u8) -> u8 {
        let m = &mut self.0[i];
        let new = flags & !*m;
        *m |= flags;
        new
    }

    /// Takes `flags` off node `i`.
    #[inline]
    pub(super) fn clear(&mut self, i: usize, flags: u8) {
        self.0[i] &= !flags;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_returns_only_the_flags_that_are_new() {
        let mut marks = Marks::new(3);
        assert_eq!(marks.put(1, TOUCHED | CHANGED), TOUCHED | CHANGED);
        assert_eq!(marks.put(1, CANDIDATE | CHANGED), CANDIDATE);
        assert_eq!(marks.put(1, TOUCHED), 0);
        // Other nodes are not affected.
        assert_eq!(marks.put(0, CHANGED), CHANGED);
        assert_eq!(marks.put(2, TOUCHED), TOUCHED);
        marks.clear(1, TOUCHED | CANDIDATE);
        assert_eq!(
            marks.put(1, TOUCHED | CANDIDATE | CHANGED),
            TOUCHED | CANDIDATE
        );
        assert_eq!(marks.put(0, CHANGED), 0);
    }
}
