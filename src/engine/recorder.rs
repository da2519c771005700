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
    /// Own availability per node while up: 1, but its `level` while it warms up.
    pub warm: &'a [Avail],
    /// Per node: its fallback's capacity now (it may grow while engaged).
    pub capacity: &'a [Avail],
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

/// A recorder borrowed: the caller keeps it to read after the run.
impl<R: Recorder + ?Sized> Recorder for &mut R {
    fn start(&mut self, view: &View<'_>) {
        (**self).start(view);
    }
    fn instant(&mut self, t: SimTime, touched: &[u32], restarted: &[u32], view: &View<'_>) {
        (**self).instant(t, touched, restarted, view);
    }
    fn finish(&mut self, horizon: SimTime, view: &View<'_>) {
        (**self).finish(horizon, view);
    }
}

/// Two recorders fed by one run, the first first at every call: one simulation pass serves
/// several consumers (the figures, the charts) instead of a run for each.
impl<A: Recorder, B: Recorder> Recorder for (A, B) {
    fn start(&mut self, view: &View<'_>) {
        self.0.start(view);
        self.1.start(view);
    }
    fn instant(&mut self, t: SimTime, touched: &[u32], restarted: &[u32], view: &View<'_>) {
        self.0.instant(t, touched, restarted, view);
        self.1.instant(t, touched, restarted, view);
    }
    fn finish(&mut self, horizon: SimTime, view: &View<'_>) {
        self.0.finish(horizon, view);
        self.1.finish(horizon, view);
    }
}

/// Records nothing: for a run whose figures alone are wanted.
impl Recorder for () {
    fn start(&mut self, _view: &View<'_>) {}
    fn instant(&mut self, _t: SimTime, _touched: &[u32], _restarted: &[u32], _view: &View<'_>) {}
    fn finish(&mut self, _horizon: SimTime, _view: &View<'_>) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;

    /// The instants and touched nodes a recorder saw, and the availability at the end.
    #[derive(Default, PartialEq, Debug)]
    struct Log {
        started: bool,
        instants: Vec<(SimTime, Vec<u32>)>,
        last: Vec<Avail>,
    }

    impl Recorder for Log {
        fn start(&mut self, _view: &View<'_>) {
            self.started = true;
        }
        fn instant(&mut self, t: SimTime, touched: &[u32], _restarted: &[u32], _view: &View<'_>) {
            self.instants.push((t, touched.to_vec()));
        }
        fn finish(&mut self, _horizon: SimTime, view: &View<'_>) {
            self.last = view.a.to_vec();
        }
    }

    #[test]
    fn a_pair_of_recorders_sees_one_run_as_each_alone_would() {
        let model = "[model]\nname = \"m\"\n[[site]]\nid = \"dc\"\n[[service]]\nid = \"s\"\nhosted_on = \"dc\"\nrestart = \"1h\"\n[[client]]\nid = \"c\"\npopulation = 10\nuses = [\"s\"]\n";
        let scenario = "[scenario]\nname = \"x\"\nmodel = \"model.toml\"\nhorizon = \"10h\"\n[[event]]\nat = \"2h\"\naction = \"shutdown\"\ntarget = \"dc\"\n[[event]]\nat = \"4h\"\naction = \"restart\"\ntarget = \"dc\"\n";
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("model.toml"), model).unwrap();
        std::fs::write(dir.path().join("scenario.toml"), scenario).unwrap();
        let s = crate::load_scenario(&dir.path().join("scenario.toml")).unwrap();
        let mut alone = Log::default();
        Engine::run(&s, &mut alone);
        let mut pair = (Log::default(), Log::default());
        Engine::run(&s, &mut pair);
        assert!(alone.started);
        // The first instant at 0h, the shutdown at 2h, the site's restart at 4h; the service
        // was never shut down, so it comes back with its site, without a restart of its own.
        let times: Vec<u64> = alone.instants.iter().map(|(t, _)| t.0 / 3600).collect();
        assert_eq!(times, [0, 2, 4]);
        assert_eq!(pair.0, alone);
        assert_eq!(pair.1, alone);
    }
}
