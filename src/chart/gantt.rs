//! The Gantt chart: one row per site or service that changes, with its own state and its
//! fallback mode over time.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Mark, Ticked, TimeAxis, draw_legend, fail, house_mesh, legend_height, title_style};
use crate::engine::{Engine, Mode, Options, Own, Propagation, Recorder, View};
use crate::format::cut;
use crate::model::{Avail, FULL};
use crate::scenario::Scenario;
use crate::time::SimTime;

/// At most this many rows: the most unavailable nodes.
pub(crate) const MAX_ROWS: usize = 60;
/// Pixels per row.
const ROW_PX: u32 = 18;
/// Row labels longer than this are cut.
const LABEL_CHARS: usize = 30;

/// What a row's main bar shows at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Look {
    /// Up and fully available.
    Up,
    /// Up, but a requirement is missing (or a switchback caps it): availability below 1.
    Degraded,
    /// Shut down on purpose.
    Off,
    /// Damaged.
    Failed,
    /// Ordered to restart, waiting for its requirements.
    Waiting,
    /// Being repaired.
    Repairing,
    /// Restarting.
    Restarting,
}

impl Look {
    fn of(own: Own, a: Avail) -> Look {
        match own {
            Own::Up if a < FULL => Look::Degraded,
            Own::Up => Look::Up,
            Own::Off => Look::Off,
            // Damaged all the same: drawn as failed until its repair starts.
            Own::Failed | Own::AwaitingRepair => Look::Failed,
            Own::Waiting => Look::Waiting,
            Own::Repairing => Look::Repairing,
            Own::Restarting => Look::Restarting,
        }
    }

    /// The states drawn as bars, in legend order.
    const BARS: [Look; 6] = [
        Look::Off,
        Look::Failed,
        Look::Repairing,
        Look::Waiting,
        Look::Restarting,
        Look::Degraded,
    ];

    fn name(self) -> &'static str {
        match self {
            Look::Up => "up",
            Look::Degraded => "up, requirements missing",
            Look::Off => "off",
            Look::Failed => "failed",
            Look::Waiting => "waiting",
            Look::Repairing => "repairing",
            Look::Restarting => "restarting",
        }
    }

    fn color(self) -> RGBColor {
        match self {
            Look::Up => RGBColor(214, 236, 214),
            Look::Degraded => RGBColor(246, 214, 139),
            Look::Off => RGBColor(120, 120, 120),
            Look::Failed => RGBColor(200, 40, 40),
            Look::Waiting => RGBColor(240, 140, 40),
            Look::Repairing => RGBColor(140, 80, 160),
            Look::Restarting => RGBColor(50, 110, 190),
        }
    }
}

/// The fallback lanes, in legend order, with their colours.
const LANES: [(Mode, &str, RGBColor); 2] = [
    (Mode::Engaged, "on fallback", RGBColor(20, 170, 160)),
    (Mode::Switchback, "switching back", RGBColor(230, 90, 170)),
];

/// The prepared Gantt chart.
pub(crate) struct Gantt {
    title: String,
    axis: TimeAxis,
    /// Row labels (ids), top row first.
    rows: Vec<String>,
    /// (row, from, to, look), hours; looks other than up.
    bars: Vec<(usize, f64, f64, Look)>,
    /// (row, from, to, mode), hours; engaged or switching back.
    lanes: Vec<(usize, f64, f64, Mode)>,
    /// Nodes that change but have no row.
    omitted: usize,
}

impl Gantt {
    /// The chart of the run drawn from `seed` (`None`: deterministic), replayed.
    pub(crate) fn new(scenario: &Scenario, seed: Option<u64>) -> Gantt {
        let mut rec = StateRecorder::new(scenario.model.nodes.len());
        Engine::run_opts(
            scenario,
            &mut rec,
            Options {
                propagation: Propagation::Incremental,
                seed,
            },
        );
        Gantt::recorded(rec, scenario, seed)
    }

    /// The chart from what `rec` recorded in the run of `scenario` drawn from `seed`.
    pub(crate) fn recorded(rec: StateRecorder, scenario: &Scenario, seed: Option<u64>) -> Gantt {
        let model = &scenario.model;
        let n = model.nodes.len();
        // Rows: nodes that left "up and normal" at some time, the most unavailable first
        // (ties in model order).
        let mut changed: Vec<usize> = (0..n).filter(|&v| rec.changed[v]).collect();
        changed.sort_by(|&a, &b| rec.unavail[b].cmp(&rec.unavail[a]).then(a.cmp(&b)));
        let omitted = changed.len().saturating_sub(MAX_ROWS);
        changed.truncate(MAX_ROWS);
        let mut row_of = vec![usize::MAX; n];
        for (r, &v) in changed.iter().enumerate() {
            row_of[v] = r;
        }
        let bars = rec
            .bars
            .iter()
            .filter(|b| row_of[b.0 as usize] != usize::MAX)
            .map(|&(v, from, to, look)| (row_of[v as usize], from.hours(), to.hours(), look))
            .collect();
        let lanes = rec
            .lanes
            .iter()
            .filter(|b| row_of[b.0 as usize] != usize::MAX)
            .map(|&(v, from, to, mode)| (row_of[v as usize], from.hours(), to.hours(), mode))
            .collect();
        let mut title = format!("{}: state of sites and services", scenario.name);
        if seed.is_some() {
            title = format!("{title} (seeded run)");
        }
        Gantt {
            title,
            axis: TimeAxis::new(scenario.start.as_deref(), scenario.horizon.hours()),
            rows: changed
                .iter()
                .map(|&v| model.nodes[v].id.to_string())
                .collect(),
            bars,
            lanes,
            omitted,
        }
    }

    /// The height the chart needs for its rows, in pixels.
    pub(crate) fn height(&self) -> u32 {
        (self.rows.len().max(3) as u32) * ROW_PX + 190
    }

    /// Row labels, top first.
    #[cfg(test)]
    pub(crate) fn rows(&self) -> &[String] {
        &self.rows
    }

    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), String> {
        let (w, h) = root.dim_in_pixel();
        let mut entries: Vec<(String, Mark)> = vec![("up".into(), Mark::Fill(Look::Up.color()))];
        entries.extend(
            Look::BARS
                .iter()
                .map(|l| (l.name().to_string(), Mark::Fill(l.color()))),
        );
        entries.extend(
            LANES
                .iter()
                .map(|(_, name, c)| (format!("{name} (lower strip)"), Mark::Fill(*c))),
        );
        if self.omitted > 0 {
            entries.push((
                format!("… and {} more that change", self.omitted),
                Mark::Fill(WHITE),
            ));
        }
        let legend_h = legend_height(root, &entries, w);
        let (main, legend) = root.split_vertically(h.saturating_sub(legend_h));
        let n = self.rows.len().max(1) as f64;
        // Row r spans [n - r - 1, n - r]: the first row on top.
        let centers: Vec<f64> = (0..self.rows.len()).map(|r| n - r as f64 - 0.5).collect();
        let mut chart = ChartBuilder::on(&main)
            .caption(&self.title, title_style())
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(210)
            .build_cartesian_2d(self.axis.coord(), Ticked::new(0.0..n, centers))
            .map_err(fail)?;
        let label = |y: &f64| {
            let r = (n - y - 0.5).round();
            if r >= 0.0 && (r as usize) < self.rows.len() {
                cut(&self.rows[r as usize], LABEL_CHARS)
            } else {
                String::new()
            }
        };
        house_mesh(&mut chart.configure_mesh())
            .x_desc(self.axis.caption())
            .x_label_formatter(&|t| self.axis.label(*t))
            .y_label_formatter(&label)
            .disable_y_mesh()
            .draw()
            .map_err(fail)?;
        let end = self.axis.range().end;
        let top = |r: usize| n - r as f64 - 0.08;
        let bottom = |r: usize| n - r as f64 - 0.92;
        // Every row is up where nothing else is drawn.
        chart
            .draw_series((0..self.rows.len()).map(|r| {
                Rectangle::new([(0.0, bottom(r)), (end, top(r))], Look::Up.color().filled())
            }))
            .map_err(fail)?;
        // Main bars in the upper part of the row, the fallback strip below.
        let split = |r: usize| n - r as f64 - 0.70;
        for look in Look::BARS {
            chart
                .draw_series(
                    self.bars
                        .iter()
                        .filter(|b| b.3 == look)
                        .map(|&(r, a, b, _)| {
                            Rectangle::new([(a, split(r)), (b, top(r))], look.color().filled())
                        }),
                )
                .map_err(fail)?;
        }
        for (mode, _, color) in LANES {
            chart
                .draw_series(
                    self.lanes
                        .iter()
                        .filter(|l| l.3 == mode)
                        .map(|&(r, a, b, _)| {
                            Rectangle::new([(a, bottom(r)), (b, split(r))], color.filled())
                        }),
                )
                .map_err(fail)?;
        }
        draw_legend(&legend, &entries)
    }
}

/// Collects state intervals of every node from the engine's change points.
pub(crate) struct StateRecorder {
    look: Vec<Look>,
    look_since: Vec<SimTime>,
    mode: Vec<Mode>,
    mode_since: Vec<SimTime>,
    a: Vec<Avail>,
    a_since: Vec<SimTime>,
    /// ∫ (1 − a) dt, in availability units × seconds.
    unavail: Vec<u128>,
    /// True for nodes that left "up and normal" at some time.
    changed: Vec<bool>,
    bars: Vec<(u32, SimTime, SimTime, Look)>,
    lanes: Vec<(u32, SimTime, SimTime, Mode)>,
}

impl StateRecorder {
    pub(crate) fn new(n: usize) -> Self {
        StateRecorder {
            look: vec![Look::Up; n],
            look_since: vec![SimTime::ZERO; n],
            mode: vec![Mode::Normal; n],
            mode_since: vec![SimTime::ZERO; n],
            a: vec![FULL; n],
            a_since: vec![SimTime::ZERO; n],
            unavail: vec![0; n],
            changed: vec![false; n],
            bars: Vec::new(),
            lanes: Vec::new(),
        }
    }

    /// Brings node `v` to its state in `view` at `t`, closing the intervals that end.
    fn update(&mut self, v: usize, t: SimTime, view: &View<'_>) {
        let a = view.a[v];
        if a != self.a[v] {
            self.unavail[v] += (FULL - self.a[v]) as u128 * (t.0 - self.a_since[v].0) as u128;
            self.a[v] = a;
            self.a_since[v] = t;
        }
        let look = Look::of(view.own[v], a);
        if look != self.look[v] {
            self.close_look(v, t);
            self.look[v] = look;
            self.look_since[v] = t;
        }
        let mode = shown(view.mode[v]);
        if mode != self.mode[v] {
            self.close_mode(v, t);
            self.mode[v] = mode;
            self.mode_since[v] = t;
        }
        if look != Look::Up || mode != Mode::Normal {
            self.changed[v] = true;
        }
    }

    fn close_look(&mut self, v: usize, t: SimTime) {
        let (look, since) = (self.look[v], self.look_since[v]);
        if look != Look::Up && t > since {
            self.bars.push((v as u32, since, t, look));
        }
    }

    fn close_mode(&mut self, v: usize, t: SimTime) {
        let (mode, since) = (self.mode[v], self.mode_since[v]);
        if mode != Mode::Normal && t > since {
            self.lanes.push((v as u32, since, t, mode));
        }
    }
}

/// The fallback modes drawn: engaged and switching back (an activation timer is not).
fn shown(mode: Mode) -> Mode {
    match mode {
        Mode::Engaged | Mode::Switchback => mode,
        Mode::Normal | Mode::Activating => Mode::Normal,
    }
}

impl Recorder for StateRecorder {
    fn start(&mut self, _view: &View<'_>) {}

    fn instant(&mut self, t: SimTime, touched: &[u32], _restarted: &[u32], view: &View<'_>) {
        for &v in touched {
            self.update(v as usize, t, view);
        }
    }

    fn finish(&mut self, horizon: SimTime, _view: &View<'_>) {
        for v in 0..self.look.len() {
            if self.a[v] != FULL {
                self.unavail[v] += (FULL - self.a[v]) as u128
                    * (horizon.0.saturating_sub(self.a_since[v].0)) as u128;
            }
            self.close_look(v, horizon);
            self.close_mode(v, horizon);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::chart::tests::bitmarck;

    #[test]
    fn rows_are_the_most_unavailable_first() {
        let s = bitmarck();
        let g = Gantt::new(&s, None);
        let result = crate::metrics::run(&s);
        let mut expected: Vec<(f64, usize, &str)> = result
            .services
            .iter()
            .enumerate()
            .filter(|(_, r)| r.unavailable_h > 0.0 || r.fallback_h > 0.0)
            .map(|(i, r)| (-r.unavailable_h, i, r.id.as_str()))
            .collect();
        expected.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let ids: Vec<&str> = expected.iter().map(|e| e.2).collect();
        assert_eq!(g.rows()[0], "sbk-customer-channels");
        assert_eq!(g.rows(), ids.as_slice());
        assert_eq!(g.omitted, 0);
    }

    #[test]
    fn intervals_follow_the_lifecycle() {
        let s = bitmarck();
        let g = Gantt::new(&s, None);
        let row = |id: &str| g.rows().iter().position(|r| r == id).unwrap();
        // identity is damaged: failed, then repairing, then restarting.
        let identity: Vec<Look> = g
            .bars
            .iter()
            .filter(|b| b.0 == row("identity"))
            .map(|b| b.3)
            .collect();
        assert_eq!(identity, [Look::Failed, Look::Repairing, Look::Restarting]);
        // eAU goes on paper after a day and switches back for 8 h.
        let eau: Vec<(f64, f64, Mode)> = g
            .lanes
            .iter()
            .filter(|l| l.0 == row("eau-gateway"))
            .map(|l| (l.1, l.2, l.3))
            .collect();
        assert_eq!(eau[0].0, 24.0);
        assert_eq!(eau[0].2, Mode::Engaged);
        let back = eau.iter().find(|l| l.2 == Mode::Switchback).unwrap();
        assert_eq!(back.1 - back.0, 8.0);
    }
}
