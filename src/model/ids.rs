//! The id table: every id of a model, found by its text, without a second copy of the text.
//!
//! The table holds only `u32` values; the strings stay where they are (in the nodes and
//! clients), and the table is told how to read a value's id when it needs one.

use std::hash::BuildHasher;

use foldhash::fast::FixedState;
use hashbrown::HashTable;

/// A table from id text to a `u32` value.
#[derive(Clone, Default)]
pub(crate) struct IdTable {
    table: HashTable<u32>,
    state: FixedState,
}

impl std::fmt::Debug for IdTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdTable({} ids)", self.table.len())
    }
}

impl IdTable {
    /// An empty table with room for `n` ids.
    pub(crate) fn with_capacity(n: usize) -> Self {
        IdTable {
            table: HashTable::with_capacity(n),
            state: FixedState::with_seed(0x1d5),
        }
    }

    /// The value of `id`; `name` gives the id of a value.
    pub(crate) fn get<'a>(&self, id: &str, name: impl Fn(u32) -> &'a str) -> Option<u32> {
        let h = self.state.hash_one(id);
        self.table.find(h, |&v| name(v) == id).copied()
    }

    /// Adds `id` with `value` unless it is there already; then returns the value it has.
    pub(crate) fn try_insert<'a>(
        &mut self,
        id: &str,
        value: u32,
        name: impl Fn(u32) -> &'a str,
    ) -> Result<(), u32> {
        let state = &self.state;
        let h = state.hash_one(id);
        match self
            .table
            .entry(h, |&v| name(v) == id, |&v| state.hash_one(name(v)))
        {
            hashbrown::hash_table::Entry::Occupied(o) => Err(*o.get()),
            hashbrown::hash_table::Entry::Vacant(v) => {
                v.insert(value);
                Ok(())
            }
        }
    }

    /// Changes every value (the ids they stand for stay the same).
    pub(crate) fn map_values(&mut self, f: impl Fn(u32) -> u32) {
        for v in self.table.iter_mut() {
            *v = f(*v);
        }
    }
}

/// Ids packed in one string, numbered in the order they were added: lookups during a build
/// touch this small array instead of the nodes.
#[derive(Default)]
pub(crate) struct IdArena {
    text: String,
    ends: Vec<u32>,
}

impl IdArena {
    /// Adds an id; returns its number.
    pub(crate) fn push(&mut self, id: &str) -> u32 {
        self.text.push_str(id);
        self.ends.push(self.text.len() as u32);
        self.ends.len() as u32 - 1
    }

    /// The id numbered `i`.
    #[inline]
    pub(crate) fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_was_inserted() {
        let names = ["a", "b", "svc-1", "svc-2"];
        let mut t = IdTable::with_capacity(1);
        for (i, n) in names.iter().enumerate() {
            assert_eq!(t.try_insert(n, i as u32, |v| names[v as usize]), Ok(()));
        }
        for (i, n) in names.iter().enumerate() {
            assert_eq!(t.get(n, |v| names[v as usize]), Some(i as u32));
        }
        assert_eq!(t.get("svc-3", |v| names[v as usize]), None);
        t.map_values(|v| v + 10);
        let shifted = |v: u32| names[v as usize - 10];
        assert_eq!(t.get("svc-2", shifted), Some(13));
    }

    #[test]
    fn try_insert_reports_the_holder() {
        let mut arena = IdArena::default();
        let mut t = IdTable::with_capacity(4);
        for id in ["x", "yy", "x"] {
            let i = arena.push(id);
            let r = t.try_insert(id, i, |v| arena.get(v));
            assert_eq!(r, if i == 2 { Err(0) } else { Ok(()) });
        }
        assert_eq!(arena.get(1), "yy");
    }
}
