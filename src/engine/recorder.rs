//! The interface between the engine and whatever consumes its change points.

use super::{Mode, Own};
use crate::model::{Avail, Model};
use crate::time::SimTime;

/// Read-only state of a run at one instant.
#[derive(Clone, Copy)]
pub struct View<'a> {
    /// The model.
    pub model: &'a Model,
    /// Availability per node.
    pub a: &'a [Avail],
    /// Own state per node.
    pub own: &'a [Own],
    /// Fallback mode per node.
    pub mode: &'a [Mode],
}

/// Receives the change points of a run. The engine calls `start` once with the initial state
/// (everything up), `instant` after every processed instant, and `finish` at the horizon.
pub trait Recorder {
    /// The initial state, before anything at t = 0.
    fn start(&mut self, view: &View<'_>);
    /// The settled state after instant `t`. `touched` lists nodes whose availability, own
    /// state or fallback mode may have changed at `t` (each once); `restarted` the nodes
    /// whose restart completed at `t`.
    fn instant(&mut self, t: SimTime, touched: &[u32], restarted: &[u32], view: &View<'_>);
    /// The end of the run.
    fn finish(&mut self, horizon: SimTime, view: &View<'_>);
}
