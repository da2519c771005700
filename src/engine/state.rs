//! Own state of a node and the mode of a service's fallback.

/// Own state of a site or service (SPEC 2.1). Own availability is 1 only for `Up`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Own {
    /// Running.
    Up,
    /// Shut down on purpose.
    Off,
    /// Damaged: needs repair before it can restart.
    Failed,
    /// Ordered to restart, waiting for its requirements.
    Waiting,
    /// Damaged and ordered to restart: its repair waits for what `repair_requires` names.
    AwaitingRepair,
    /// Being repaired.
    Repairing,
    /// Restarting: up when the restart time has passed.
    Restarting,
}

impl Own {
    /// The name used in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Own::Up => "up",
            Own::Off => "off",
            Own::Failed => "failed",
            Own::Waiting => "waiting",
            Own::AwaitingRepair => "awaiting-repair",
            Own::Repairing => "repairing",
            Own::Restarting => "restarting",
        }
    }
}

/// Fallback mode of a service (SPEC 2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Not engaged, no timer.
    Normal,
    /// Primary lost; the activation timer runs.
    Activating,
    /// The fallback carries part of the load: a = max(p, f).
    Engaged,
    /// Switching back: a = switchback capacity until the timer ends.
    Switchback,
}

impl Mode {
    /// True when the service counts as on fallback (engaged or switching back).
    pub fn on_fallback(self) -> bool {
        matches!(self, Mode::Engaged | Mode::Switchback)
    }
}
