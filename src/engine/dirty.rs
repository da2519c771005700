//! The dirty components of a propagation, taken smallest first.
//!
//! Components are numbered in topological order, so taking the smallest dirty one first
//! evaluates each after everything it depends on. A binary heap did this in O(log n) per
//! component with scattered reads; here a bitset with a summary word per 64 words finds the
//! next one from a cursor below which nothing is set. Propagation marks only components
//! downstream of the one it evaluates, so the cursor moves forward and the search is short.

/// A set of component indices.
pub(super) struct Dirty {
    /// Bit `c` set: component `c` is dirty.
    words: Vec<u64>,
    /// Bit `w` set: `words[w]` is not zero.
    summary: Vec<u64>,
    /// No word below this one has a bit set.
    cursor: usize,
    /// How many are set.
    len: usize,
}

impl Dirty {
    /// An empty set of components below `n`.
    pub(super) fn new(n: usize) -> Self {
        let words = n.div_ceil(64);
        Dirty {
            words: vec![0; words],
            summary: vec![0; words.div_ceil(64)],
            cursor: words,
            len: 0,
        }
    }

    /// Adds component `c`.
    #[inline]
    pub(super) fn insert(&mut self, c: u32) {
        let (w, bit) = (c as usize / 64, 1u64 << (c % 64));
        let word = self.words[w];
        if word & bit == 0 {
            if word == 0 {
                self.summary[w / 64] |= 1 << (w % 64);
            }
            self.words[w] = word | bit;
            self.cursor = self.cursor.min(w);
            self.len += 1;
        }
    }

    /// Takes out the smallest component, if any.
    #[inline]
    pub(super) fn pop(&mut self) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        let mut s = self.cursor / 64;
        let mut bits = self.summary[s] & (!0u64 << (self.cursor % 64));
        while bits == 0 {
            s += 1;
            bits = self.summary[s];
        }
        let w = s * 64 + bits.trailing_zeros() as usize;
        let word = self.words[w];
        let c = w * 64 + word.trailing_zeros() as usize;
        self.words[w] = word & (word - 1);
        if self.words[w] == 0 {
            self.summary[s] &= !(1 << (w % 64));
        }
        self.cursor = w;
        self.len -= 1;
        Some(c as u32)
    }

    /// Empties the set.
    pub(super) fn clear(&mut self) {
        while self.pop().is_some() {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random inserts and pops against a sorted set: the same smallest element every time.
    #[test]
    fn pops_the_smallest_like_an_ordered_set() {
        use rand::rngs::ChaCha8Rng;
        use rand::{RngExt, SeedableRng};
        use std::collections::BTreeSet;
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for n in [1usize, 63, 64, 65, 4095, 4096, 4097, 20_000] {
            let mut dirty = Dirty::new(n);
            let mut want = BTreeSet::new();
            for _ in 0..3 * n.min(5_000) {
                if rng.random_bool(0.6) {
                    let c = rng.random_range(0..n as u32);
                    dirty.insert(c);
                    want.insert(c);
                } else {
                    assert_eq!(dirty.pop(), want.pop_first(), "n = {n}");
                }
            }
            while let Some(c) = want.pop_first() {
                assert_eq!(dirty.pop(), Some(c));
            }
            assert_eq!(dirty.pop(), None);
        }
    }

    #[test]
    fn the_largest_component_and_a_cleared_set() {
        let mut dirty = Dirty::new(4097);
        dirty.insert(4096);
        dirty.insert(0);
        dirty.insert(4096);
        assert_eq!(dirty.pop(), Some(0));
        assert_eq!(dirty.pop(), Some(4096));
        assert_eq!(dirty.pop(), None);
        dirty.insert(5);
        dirty.insert(3000);
        dirty.clear();
        assert_eq!(dirty.pop(), None);
        dirty.insert(7);
        assert_eq!(dirty.pop(), Some(7));
    }
}
