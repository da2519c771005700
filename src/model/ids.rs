//! The id table: every id of a model, found by its text.
//!
//! An open-addressing table (linear probing) of 32-byte slots. A slot holds 32 bits of the
//! id's hash, its value, its length and, for ids of up to [`INLINE`] bytes, the id itself:
//! finding such an id touches one slot (one cache line), not the strings elsewhere. A
//! longer id is compared through the caller's `name` function, which reads a value's id
//! where it is kept (in the nodes and clients, or in an [`IdArena`] during a build).

use std::hash::BuildHasher;

use foldhash::fast::FixedState;

/// Ids of up to this many bytes are kept in the table.
const INLINE: usize = 20;

/// How many ids are hashed and fetched together ([`IdTable::hash_batch`]).
pub(crate) const BATCH: usize = 16;

/// One slot: `tag` 0 marks it empty.
#[derive(Clone, Copy, Default)]
#[repr(C, align(32))]
struct Slot {
    /// The high 32 bits of the hash, with the lowest bit set.
    tag: u32,
    value: u32,
    len: u32,
    text: [u8; INLINE],
}

impl Slot {
    /// Whether this slot holds `id` (whose tag is `tag`).
    #[inline]
    fn holds<'a>(&self, tag: u32, id: &str, name: &impl Fn(u32) -> &'a str) -> bool {
        self.tag == tag
            && self.len as usize == id.len()
            && match id.len() <= INLINE {
                true => &self.text[..id.len()] == id.as_bytes(),
                false => name(self.value) == id,
            }
    }
}

/// A table from id text to a `u32` value.
#[derive(Clone)]
pub(crate) struct IdTable {
    slots: Vec<Slot>,
    len: usize,
    state: FixedState,
}

impl Default for IdTable {
    fn default() -> Self {
        IdTable::with_capacity(0)
    }
}

impl std::fmt::Debug for IdTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdTable({} ids)", self.len)
    }
}

impl IdTable {
    /// An empty table with room for `n` ids.
    pub(crate) fn with_capacity(n: usize) -> Self {
        IdTable {
            slots: vec![Slot::default(); slots_for(n)],
            len: 0,
            state: FixedState::with_seed(0x1d5),
        }
    }

    /// The hash of `id`, from which its slot and tag follow.
    #[inline]
    pub(crate) fn hash(&self, id: &str) -> u64 {
        self.state.hash_one(id)
    }

    /// The slot index to start from and the tag, of a hash.
    #[inline]
    fn probe(&self, h: u64) -> (usize, u32) {
        let mask = self.slots.len() - 1;
        (h as usize & mask, (h >> 32) as u32 | 1)
    }

    /// Hashes up to [`BATCH`] ids from `ids` into `batch` and reads the first slot of each:
    /// those reads do not wait on one another, so the memory serves them together, and the
    /// probes that follow find their slots in cache. (A table of a million ids is far
    /// larger than the cache; one probe after another would wait for each slot in turn.)
    /// Returns how many ids it took, 0 once `ids` is exhausted.
    pub(crate) fn hash_batch<'b>(
        &self,
        ids: impl Iterator<Item = &'b str>,
        batch: &mut [(&'b str, u64); BATCH],
    ) -> usize {
        let mut n = 0;
        let mut x = 0;
        for id in ids.take(BATCH) {
            let h = self.hash(id);
            batch[n] = (id, h);
            x ^= self.slots[self.probe(h).0].tag;
            n += 1;
        }
        std::hint::black_box(x);
        n
    }

    /// The value of `id`; `name` gives the id of a value.
    pub(crate) fn get<'a>(&self, id: &str, name: impl Fn(u32) -> &'a str) -> Option<u32> {
        self.get_hashed(id, self.hash(id), name)
    }

    /// [`IdTable::get`] with the hash of `id` already computed.
    pub(crate) fn get_hashed<'a>(
        &self,
        id: &str,
        h: u64,
        name: impl Fn(u32) -> &'a str,
    ) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let (mut i, tag) = self.probe(h);
        loop {
            let s = &self.slots[i];
            if s.tag == 0 {
                return None;
            }
            if s.holds(tag, id, &name) {
                return Some(s.value);
            }
            i = (i + 1) & mask;
        }
    }

    /// [`IdTable::get`] of every id in turn, a batch at a time ([`IdTable::hash_batch`]);
    /// `out` receives the values in order.
    pub(crate) fn get_each<'a, 'b>(
        &self,
        ids: impl IntoIterator<Item = &'b str>,
        name: impl Fn(u32) -> &'a str,
        mut out: impl FnMut(Option<u32>),
    ) {
        let mut batch = [("", 0); BATCH];
        let mut ids = ids.into_iter();
        loop {
            let n = self.hash_batch(&mut ids, &mut batch);
            if n == 0 {
                break;
            }
            for &(id, h) in &batch[..n] {
                out(self.get_hashed(id, h, &name));
            }
        }
    }

    /// Adds `id` with `value` unless it is there already; then returns the value it has.
    pub(crate) fn try_insert<'a>(
        &mut self,
        id: &str,
        value: u32,
        name: impl Fn(u32) -> &'a str,
    ) -> Result<(), u32> {
        self.try_insert_hashed(id, self.hash(id), value, name)
    }

    /// [`IdTable::try_insert`] with the hash of `id` already computed.
    pub(crate) fn try_insert_hashed<'a>(
        &mut self,
        id: &str,
        h: u64,
        value: u32,
        name: impl Fn(u32) -> &'a str,
    ) -> Result<(), u32> {
        if slots_for(self.len + 1) > self.slots.len() {
            self.grow(&name);
        }
        let mask = self.slots.len() - 1;
        let (mut i, tag) = self.probe(h);
        loop {
            let s = &mut self.slots[i];
            if s.tag == 0 {
                *s = slot(tag, id, value);
                self.len += 1;
                return Ok(());
            }
            if s.holds(tag, id, &name) {
                return Err(s.value);
            }
            i = (i + 1) & mask;
        }
    }

    /// Twice the slots, every id placed again (an id's text comes from its slot, or from
    /// `name` when it is too long to be kept there).
    fn grow<'a>(&mut self, name: &impl Fn(u32) -> &'a str) {
        let doubled = vec![Slot::default(); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        let mask = self.slots.len() - 1;
        for s in old.into_iter().filter(|s| s.tag != 0) {
            let inline = &s.text[..(s.len as usize).min(INLINE)];
            let id = match s.len as usize <= INLINE {
                true => std::str::from_utf8(inline).expect("an inline id is a whole id"),
                false => name(s.value),
            };
            let (mut i, _) = self.probe(self.hash(id));
            while self.slots[i].tag != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }

    /// Changes every value (the ids they stand for stay the same).
    pub(crate) fn map_values(&mut self, f: impl Fn(u32) -> u32) {
        for s in self.slots.iter_mut().filter(|s| s.tag != 0) {
            s.value = f(s.value);
        }
    }
}

/// The number of slots for `n` ids: a power of two, at most 7/8 full.
fn slots_for(n: usize) -> usize {
    (n + n / 7 + 1).next_power_of_two().max(8)
}

/// A filled slot.
fn slot(tag: u32, id: &str, value: u32) -> Slot {
    let mut text = [0; INLINE];
    if id.len() <= INLINE {
        text[..id.len()].copy_from_slice(id.as_bytes());
    }
    Slot {
        tag,
        value,
        len: id.len() as u32,
        text,
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
    /// An empty arena with room for `ids` ids of `bytes` bytes in all.
    pub(crate) fn with_capacity(ids: usize, bytes: usize) -> Self {
        IdArena {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(ids),
        }
    }

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

    /// Ids longer than a slot holds are compared through `name`, also while the table
    /// grows; ids that differ only past the inline bytes are told apart.
    #[test]
    fn long_ids_survive_growth() {
        let mut arena = IdArena::default();
        let mut t = IdTable::with_capacity(0);
        let ids: Vec<String> = (0..500)
            .map(|i| match i % 3 {
                0 => format!("s{i}"),
                1 => format!("a-rather-long-service-identifier-{i}"),
                _ => format!("{}{i}", "x".repeat(INLINE)),
            })
            .collect();
        for id in &ids {
            let n = arena.push(id);
            assert_eq!(t.try_insert(id, n, |v| arena.get(v)), Ok(()));
        }
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(t.get(id, |v| arena.get(v)), Some(i as u32), "{id}");
            assert_eq!(t.try_insert(id, 9999, |v| arena.get(v)), Err(i as u32));
        }
        assert_eq!(
            t.get("a-rather-long-service-identifier-1000", |v| arena.get(v)),
            None
        );
        assert_eq!(t.get(&"x".repeat(INLINE), |v| arena.get(v)), None);
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
