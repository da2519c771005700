//! One engine for many short runs of the same model (ranking every node's loss, say):
//! after a run, only what the run changed is put back.

use super::{Engine, Mode, Own, hot};
use crate::model::FULL;
use crate::time::SimTime;

impl Engine<'_> {
    /// Brings the engine back to the state of [`Engine::new`]: everything up, no fallback
    /// engaged, no timer pending. The cost follows what the runs since the last reset
    /// changed, not the size of the model.
    pub fn reset(&mut self) {
        let model = self.model;
        for k in 0..self.changed.len() {
            let i = self.changed[k] as usize;
            self.set_state(i, Own::Up, FULL);
            // Only a node with a fallback leaves its normal mode or grows.
            if self.hot[i].has_fallback {
                self.mode[i] = Mode::Normal;
                if self.grow_step[i] > 0 {
                    self.grow_step[i] = 0;
                    self.grow_gen[i] += 1;
                    self.cap[i] = model.fallbacks[i].map_or(FULL, |f| f.capacity);
                }
            }
            debug_assert_eq!(self.mode[i], Mode::Normal);
            self.a[i] = FULL;
            if let Some(a) = self.attempts.get_mut(i) {
                *a = 0;
            }
            self.groups_at_full(i);
            self.hot[i].clear(hot::CHANGED);
        }
        self.changed.clear();
        // Only the nodes changed since the start could be down.
        debug_assert_eq!(self.not_up, 0);
        for &n in &self.touched {
            self.hot[n as usize].clear(hot::TOUCHED);
        }
        self.touched.clear();
        for &n in &self.candidates {
            self.hot[n as usize].clear(hot::CANDIDATE);
        }
        self.candidates.clear();
        self.dirty.clear();
        self.restarted.clear();
        self.crews_reset();
        self.queue.clear();
        self.awaiting.clear();
        self.warnings.clear();
        self.events_applied = 0;
        self.now = SimTime::ZERO;
        self.restore_at = None;
    }

    /// At instant `t`, once its timers and events are applied, if every node is then up and
    /// fully warm: every availability is put back at 1 at once, and only the fallbacks out
    /// of their normal mode are evaluated again ([`Engine::restore_full`]). The end of a
    /// loss (rank's restart) then costs what the fallbacks still do, not a cascade bringing
    /// back, node by node, everything the loss took down. Otherwise the instant runs as
    /// usual. The states are the same either way.
    pub fn restore_at(&mut self, t: SimTime) {
        self.restore_at = Some(t);
    }

    /// With every node back at 1: node `i`'s q is 1, no group of its is below 1, and every
    /// group naming it is at 1.
    fn groups_at_full(&mut self, i: usize) {
        self.hot[i].all_up();
        for m in self.model.member_groups.row(i) {
            self.gval[m.group as usize] = FULL;
        }
    }

    /// Puts every availability and group value back at 1, when every node is up and fully
    /// warm; returns false, changing nothing, otherwise.
    ///
    /// With every node up, availability depends on the fallback modes alone: a node below
    /// 1 lies downstream of a fallback that is engaged, activating or switching back. So the
    /// state with everything at 1 is right but for those fallbacks; they are marked dirty,
    /// and the propagation and decisions of the instant take it from there, as they would
    /// from a cascade that brought everything back. Nodes moved to 1 are touched, for the
    /// recorder. Only nodes that changed since the start can be below 1 or up to something.
    /// Whether every node is up and warm is known at once: the engine counts those that
    /// are not as their states change.
    ///
    /// A node put back in every respect is as [`Engine::reset`] would leave it: it leaves
    /// the list of nodes changed, so the reset after the run does not put it back again.
    pub(super) fn restore_full(&mut self) -> bool {
        let up = |&n: &u32| self.own[n as usize] == Own::Up && self.warm[n as usize] == FULL;
        debug_assert_eq!(self.not_up == 0, self.changed.iter().all(up));
        if self.not_up > 0 {
            return false;
        }
        let mut changed = std::mem::take(&mut self.changed);
        changed.retain(|&n| {
            let i = n as usize;
            if self.a[i] != FULL {
                self.a[i] = FULL;
                self.note(n, hot::TOUCHED);
            }
            self.groups_at_full(i);
            // Only a node with a fallback leaves its normal mode or grows.
            let fallback = self.hot[i].has_fallback;
            let normal = !fallback || self.mode[i] == Mode::Normal;
            if !normal {
                self.mark_dirty(n);
            }
            // Up, warm and at 1 already; a fallback that has grown has left its normal
            // mode (a switchback puts its capacity back).
            let left = normal
                && (!fallback || self.grow_step[i] == 0)
                && self.attempts.get(i).is_none_or(|&a| a == 0);
            if left {
                self.hot[i].clear(hot::CHANGED);
            }
            !left
        });
        self.changed = changed;
        true
    }
}
