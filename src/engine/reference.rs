//! The reference propagation: a plain full recompute of every availability from own states
//! and fallback modes, by fixed-point iteration from the top. Slow and obviously right; the
//! incremental engine is tested against it.

use super::propagate::{fallback_value, groups_min, node_value};
use super::{Mode, Own};
use crate::model::{Avail, FULL, Model};

/// Availabilities for the given own states and fallback modes: the greatest fixed point,
/// found by starting every node at 1 and lowering until nothing changes.
pub fn full_recompute(model: &Model, own: &[Own], mode: &[Mode]) -> Vec<Avail> {
    let n = model.nodes.len();
    let mut a = vec![FULL; n];
    let mut scratch = Vec::new();
    loop {
        let mut changed = false;
        for v in 0..n as u32 {
            let q = groups_min(model, v, &a, &mut scratch);
            let value = node_value(model, v, own[v as usize], mode[v as usize], q, || {
                fallback_value(model, v, &a, &mut scratch)
            });
            if value != a[v as usize] {
                a[v as usize] = value;
                changed = true;
            }
        }
        if !changed {
            return a;
        }
    }
}
