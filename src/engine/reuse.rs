//! One engine for many short runs of the same model (ranking every node's loss, say):
//! after a run, only what the run changed is put back.

use super::{Engine, Mode, Own};
use crate::model::FULL;
use crate::time::SimTime;

impl Engine<'_> {
    /// Brings the engine back to the state of [`Engine::new`]: everything up, no fallback
    /// engaged, no timer pending. The cost follows what the runs since the last reset
    /// changed, not the size of the model.
    pub fn reset(&mut self) {
        let model = self.model;
        for &n in &self.changed {
            let i = n as usize;
            self.own[i] = Own::Up;
            self.warm[i] = FULL;
            self.mode[i] = Mode::Normal;
            if self.grow_step[i] > 0 {
                self.grow_step[i] = 0;
                self.grow_gen[i] += 1;
                self.cap[i] = model.fallbacks[i].map_or(FULL, |f| f.capacity);
            }
            self.a[i] = FULL;
            self.q[i] = super::ALL_UP;
            if let Some(a) = self.attempts.get_mut(i) {
                *a = 0;
            }
            // Every member of every group is back at 1, so is every group.
            for m in model.member_groups.row(i) {
                self.gval[m.group as usize] = FULL;
            }
            self.changed_mark.set(i, false);
        }
        self.changed.clear();
        for &n in &self.touched {
            self.touch_mark.set(n as usize, false);
        }
        self.touched.clear();
        for &n in &self.candidates {
            self.cand_mark.set(n as usize, false);
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
    }
}
