//! Charts of runs, Monte Carlo studies, comparisons and rankings, as SVG and PNG (plotters).
//!
//! Each chart is first prepared from a result into a [`Chart`] (for the timeline and the
//! Gantt chart this replays the scenario with a small recorder), then drawn as often as
//! needed: [`Chart::svg`] writes SVG text, [`Chart::png`] rasterises the same drawing. PNG
//! text is drawn with DejaVu Sans, embedded in the binary (`assets/DejaVuSans.ttf`), so
//! charts look the same on every machine and need no installed fonts; SVG names the
//! `sans-serif` family and leaves the font to the viewer. PNG files are encoded with the
//! `png` crate from plotters' RGB buffer, so plotters' `bitmap_encoder` feature (which pulls
//! in the `image` crate, the largest part of its build) is not needed.
//!
//! ```no_run
//! let scenario = impactsim::load_scenario("models/bitmarck-2023/attack-2023.toml".as_ref())?;
//! let result = impactsim::metrics::run(&scenario);
//! let svg = impactsim::chart::timeline_svg(&result, &scenario)?;
//! # Ok::<(), impactsim::Error>(())
//! ```

mod gantt;
mod parts;
mod stats;
mod timeline;

use std::path::Path;
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use parts::{
    Mark, OTHER, PALETTE, Ticked, TimeAxis, compact, draw_legend, house_mesh, legend_height, text,
    title_style, value_top,
};

use crate::compare::Comparison;
use crate::engine::{Options, Propagation, Recorder, View};
use crate::error::{Error, OutputError};
use crate::metrics::RunResult;
use crate::model::Model;
use crate::montecarlo::McResult;
use crate::rank::Ranking;
use crate::scenario::Scenario;
use crate::time::SimTime;

/// The font every chart's text is drawn with in PNG (and measured with for layout).
const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
/// The font family the charts name.
const FAMILY: &str = "sans-serif";

/// The size of a chart unless it says otherwise, in pixels.
pub const DEFAULT_SIZE: (u32, u32) = (1000, 560);

/// How a chart is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// SVG text.
    Svg,
    /// A PNG image (RGB, 8 bits).
    Png,
}

impl Format {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }
}

/// A chart, prepared from a result and ready to be drawn in any [`Format`].
pub struct Chart {
    name: String,
    size: (u32, u32),
    plot: Plot,
}

enum Plot {
    Timeline(timeline::Timeline),
    Gantt(gantt::Gantt),
    Bands(stats::Bands),
    Overlay(stats::Overlay),
    Bars(stats::Bars),
}

impl Chart {
    /// People affected over time, stacked by client group (a client's first tag), from a
    /// replay of the run that made `result` (its seed included). Named `timeline`.
    pub fn timeline(result: &RunResult, scenario: &Scenario) -> Chart {
        Chart::of_timeline(timeline::Timeline::new(result, scenario))
    }

    fn of_timeline(t: timeline::Timeline) -> Chart {
        Chart {
            name: "timeline".into(),
            size: DEFAULT_SIZE,
            plot: Plot::Timeline(t),
        }
    }

    fn of_gantt(g: gantt::Gantt) -> Chart {
        Chart {
            name: "gantt".into(),
            size: (DEFAULT_SIZE.0, g.height()),
            plot: Plot::Gantt(g),
        }
    }

    /// The state of every site and service that changes over the deterministic run: own
    /// state and fallback mode as coloured bars, the most unavailable first. Named `gantt`.
    pub fn gantt(scenario: &Scenario) -> Chart {
        Chart::gantt_seeded(scenario, None)
    }

    /// [`Chart::gantt`] of the Monte Carlo sample drawn from `seed` (`None`: deterministic).
    pub fn gantt_seeded(scenario: &Scenario, seed: Option<u64>) -> Chart {
        Chart::of_gantt(gantt::Gantt::new(scenario, seed))
    }

    /// Monte Carlo percentile bands of the people affected. Named `bands`.
    pub fn bands(result: &McResult) -> Chart {
        Chart {
            name: "bands".into(),
            size: DEFAULT_SIZE,
            plot: Plot::Bands(stats::Bands::new(result)),
        }
    }

    /// Overlaid curves of people affected (`(name, [(t in hours, affected)])`, each a step
    /// function through its change points), on a date axis when `start` is given (the
    /// scenarios' common start, see [`crate::compare::common_start`]). Named `compare`.
    pub fn compare(
        curves: &[(String, Vec<(f64, f64)>)],
        population_label: &str,
        start: Option<&str>,
    ) -> Chart {
        Chart {
            name: "compare".into(),
            size: DEFAULT_SIZE,
            plot: Plot::Overlay(stats::Overlay::new(curves, population_label, start)),
        }
    }

    /// Horizontal bars of the people-hours of the `top` costliest single losses. Named
    /// `rank`.
    pub fn rank(ranking: &Ranking, top: usize) -> Chart {
        let bars = stats::Bars::new(ranking, top);
        Chart {
            name: "rank".into(),
            size: (DEFAULT_SIZE.0, bars.height()),
            plot: Plot::Bars(bars),
        }
    }

    /// The chart's name: its files are NAME.svg and NAME.png.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Width and height in pixels.
    pub fn size(&self) -> (u32, u32) {
        self.size
    }

    /// The same chart under another name.
    pub fn named(mut self, name: &str) -> Chart {
        self.name = name.to_string();
        self
    }

    /// The same chart at another size (at least 200 × 150 pixels).
    pub fn with_size(mut self, width: u32, height: u32) -> Chart {
        self.size = (width.max(200), height.max(150));
        self
    }

    /// The chart as SVG text.
    pub fn svg(&self) -> Result<String, Error> {
        font()?;
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, self.size).into_drawing_area();
            self.plot
                .draw(&root)
                .and_then(|_| root.present().map_err(fail))
                .map_err(|e| self.error(Format::Svg, e))?;
        }
        Ok(out)
    }

    /// The chart as a PNG image.
    pub fn png(&self) -> Result<Vec<u8>, Error> {
        font()?;
        let (w, h) = self.size;
        let mut rgb = vec![0u8; w as usize * h as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut rgb, self.size).into_drawing_area();
            self.plot
                .draw(&root)
                .and_then(|_| root.present().map_err(fail))
                .map_err(|e| self.error(Format::Png, e))?;
        }
        encode_png(w, h, &rgb).map_err(|e| self.error(Format::Png, e))
    }

    /// The chart in `format`.
    pub fn render(&self, format: Format) -> Result<Vec<u8>, Error> {
        match format {
            Format::Svg => self.svg().map(String::into_bytes),
            Format::Png => self.png(),
        }
    }

    /// NAME.svg and NAME.png with their contents.
    pub fn files(&self) -> Result<Vec<(String, Vec<u8>)>, Error> {
        [Format::Svg, Format::Png]
            .into_iter()
            .map(|f| Ok((self.file_name(f), self.render(f)?)))
            .collect()
    }

    /// NAME.EXT.
    pub fn file_name(&self, format: Format) -> String {
        format!("{}.{}", self.name, format.extension())
    }

    fn error(&self, format: Format, message: String) -> Error {
        OutputError::Draw {
            what: self.file_name(format),
            message,
        }
        .into()
    }
}

impl Plot {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(fail)?;
        match self {
            Plot::Timeline(p) => p.draw(root),
            Plot::Gantt(p) => p.draw(root),
            Plot::Bands(p) => p.draw(root),
            Plot::Overlay(p) => p.draw(root),
            Plot::Bars(p) => p.draw(root),
        }
    }
}

/// People affected over time, stacked by client group, as SVG (see [`Chart::timeline`]).
pub fn timeline_svg(result: &RunResult, scenario: &Scenario) -> Result<String, Error> {
    Chart::timeline(result, scenario).svg()
}

/// Own state and fallback mode of the sites and services that change, as SVG (see
/// [`Chart::gantt`]).
pub fn gantt_svg(scenario: &Scenario) -> Result<String, Error> {
    Chart::gantt(scenario).svg()
}

/// Monte Carlo percentile bands of the people affected, as SVG (see [`Chart::bands`]).
pub fn bands_svg(result: &McResult) -> Result<String, Error> {
    Chart::bands(result).svg()
}

/// Overlaid affected(t) curves (t in hours), as SVG (see [`Chart::compare`]).
pub fn compare_svg(
    curves: &[(String, Vec<(f64, f64)>)],
    population_label: &str,
    start: Option<&str>,
) -> Result<String, Error> {
    Chart::compare(curves, population_label, start).svg()
}

/// The people-hours of the `top` costliest single losses, as SVG (see [`Chart::rank`]).
pub fn rank_svg(ranking: &Ranking, top: usize) -> Result<String, Error> {
    Chart::rank(ranking, top).svg()
}

/// The charts of `run --plot`: the timeline and the Gantt chart of the same run, replayed.
pub fn run_charts(result: &RunResult, scenario: &Scenario) -> Vec<Chart> {
    vec![
        Chart::timeline(result, scenario),
        Chart::gantt_seeded(scenario, result.seed),
    ]
}

/// Records what the charts of a run need, beside its figures, in the same simulation pass
/// (see [`run_with_charts`]).
pub struct RunRecorder<'m> {
    both: (timeline::GroupRecorder<'m>, gantt::StateRecorder),
}

impl<'m> RunRecorder<'m> {
    /// A recorder for runs of `model`.
    pub fn new(model: &'m Model) -> Self {
        RunRecorder {
            both: (
                timeline::GroupRecorder::new(model),
                gantt::StateRecorder::new(model.nodes.len()),
            ),
        }
    }

    /// The timeline and the Gantt chart of the run that made `result`, as [`run_charts`]
    /// draws them.
    pub fn charts(self, result: &RunResult, scenario: &Scenario) -> Vec<Chart> {
        let (groups, states) = self.both;
        vec![
            Chart::of_timeline(timeline::Timeline::recorded(groups, result, scenario)),
            Chart::of_gantt(gantt::Gantt::recorded(states, scenario, result.seed)),
        ]
    }
}

impl Recorder for RunRecorder<'_> {
    fn start(&mut self, view: &View<'_>) {
        self.both.start(view);
    }
    fn instant(&mut self, t: SimTime, touched: &[u32], restarted: &[u32], view: &View<'_>) {
        self.both.instant(t, touched, restarted, view);
    }
    fn finish(&mut self, horizon: SimTime, view: &View<'_>) {
        self.both.finish(horizon, view);
    }
}

/// One run (deterministic, or the sample drawn from `seed`) and its charts, from a single
/// simulation pass.
pub fn run_with_charts(scenario: &Scenario, seed: Option<u64>) -> (RunResult, Vec<Chart>) {
    let mut rec = RunRecorder::new(&scenario.model);
    let options = Options {
        propagation: Propagation::Incremental,
        seed,
    };
    let result = crate::metrics::run_recording(scenario, options, &mut rec);
    let charts = rec.charts(&result, scenario);
    (result, charts)
}

/// The curves of `compare --plot`: each scenario's people affected at its change points,
/// held to its horizon, named like the comparison's columns ("A: name"), from the runs the
/// comparison was made of.
pub fn compare_curves(comparison: &Comparison) -> Vec<(String, Vec<(f64, f64)>)> {
    let sides = std::iter::once(&comparison.baseline)
        .chain(comparison.comparisons.iter().map(|v| &v.scenario));
    sides
        .zip(&comparison.results)
        .map(|(side, r)| (format!("{}: {}", side.label, side.title()), curve(r)))
        .collect()
}

/// A run's change points as `(hours, affected)`, with a last point at the horizon.
pub fn curve(result: &RunResult) -> Vec<(f64, f64)> {
    let mut points: Vec<(f64, f64)> = result
        .timeline
        .iter()
        .map(|p| (p.t_h, p.affected))
        .collect();
    match points.last() {
        Some(&(t, a)) if t < result.horizon_h => points.push((result.horizon_h, a)),
        None => points.push((0.0, 0.0)),
        _ => {}
    }
    points
}

/// Draws every chart as SVG and PNG and writes them into the output directory `dir`, all
/// whole or none, refused (unless `force`) when `dir` holds files impactsim did not write
/// (see [`crate::output::write_out_files`]). Returns the names of the files written.
pub fn write(dir: &Path, charts: &[Chart], force: bool) -> Result<Vec<String>, Error> {
    let mut files = Vec::with_capacity(charts.len() * 2);
    for c in charts {
        files.extend(c.files()?);
    }
    let (names, contents): (Vec<String>, Vec<Vec<u8>>) = files.into_iter().unzip();
    let refs: Vec<(&str, Vec<u8>)> = names.iter().map(String::as_str).zip(contents).collect();
    crate::output::write_out_files(dir, &refs, force)?;
    Ok(names)
}

/// Registers the embedded font with plotters, once per process.
fn font() -> Result<(), Error> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err(Error::Io {
            action: "loading",
            path: "the embedded font assets/DejaVuSans.ttf".into(),
            source: std::io::Error::other("plotters cannot read it"),
        })
    }
}

fn encode_png(width: u32, height: u32, rgb: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Best);
    let mut writer = encoder.write_header().map_err(fail)?;
    writer.write_image_data(rgb).map_err(fail)?;
    writer.finish().map_err(fail)?;
    Ok(out)
}

/// Plotters' errors as text (they carry the backend's error type).
fn fail<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::Scenario;

    /// The Bitmarck attack scenario, for the charts' unit tests.
    pub(crate) fn bitmarck() -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("models/bitmarck-2023/attack-2023.toml");
        crate::load_scenario(&path).unwrap()
    }

    /// The charts recorded beside the figures are those a replay of the same run draws,
    /// byte for byte, for the median run and for seeded samples (whose crews, failures and
    /// durations differ).
    #[test]
    fn one_pass_charts_equal_the_replayed_ones() {
        let s = bitmarck();
        for seed in [None, Some(1), Some(7)] {
            let (result, charts) = super::run_with_charts(&s, seed);
            assert_eq!(
                result,
                crate::metrics::run_seeded(&s, seed),
                "seed {seed:?}"
            );
            let replayed = super::run_charts(&result, &s);
            assert_eq!(charts.len(), 2);
            for (one, again) in charts.iter().zip(&replayed) {
                assert_eq!(one.name(), again.name());
                assert_eq!(
                    one.svg().unwrap(),
                    again.svg().unwrap(),
                    "{} of seed {seed:?}",
                    one.name()
                );
            }
        }
    }
}
