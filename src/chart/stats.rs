//! The charts of summaries: Monte Carlo bands, compared curves, ranked losses.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    Mark, PALETTE, Ticked, TimeAxis, compact, draw_legend, fail, house_mesh, legend_height, text,
    title_style, value_top,
};
use crate::format::cut;
use crate::montecarlo::McResult;
use crate::rank::Ranking;

/// The colour of the bands and the median.
const BAND: RGBColor = PALETTE[0];
/// The colour of the mean.
const MEAN: RGBColor = RGBColor(200, 60, 40);
/// The colour of the bars of `rank`.
pub(crate) const BAR: RGBColor = PALETTE[0];

/// Draws the common frame of a chart over time: title, axes, grid. Returns the chart.
fn time_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    axis: &'a TimeAxis,
    y_label: &str,
    max: f64,
) -> Result<ChartContext<'a, DB, Cartesian2d<Ticked, plotters::coord::types::RangedCoordf64>>, String>
{
    let mut chart = ChartBuilder::on(area)
        .caption(title, title_style())
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(76)
        .build_cartesian_2d(axis.coord(), 0.0..value_top(max))
        .map_err(fail)?;
    house_mesh(&mut chart.configure_mesh())
        .x_desc(axis.caption())
        .y_desc(y_label)
        .x_label_formatter(&|t| axis.label(*t))
        .y_label_formatter(&|v| compact(*v))
        .y_labels(8)
        .draw()
        .map_err(fail)?;
    Ok(chart)
}

/// "P5", "P2.5".
fn pname(p: f64) -> String {
    format!("P{p}")
}

/// Monte Carlo percentile bands.
pub(crate) struct Bands {
    title: String,
    y_label: String,
    axis: TimeAxis,
    /// The percentiles, ascending, with their series `(hours, affected)`.
    series: Vec<(f64, Vec<(f64, f64)>)>,
    mean: Vec<(f64, f64)>,
}

impl Bands {
    pub(crate) fn new(result: &McResult) -> Bands {
        let mut order: Vec<usize> = (0..result.percentiles.len()).collect();
        order.sort_by(|&a, &b| result.percentiles[a].total_cmp(&result.percentiles[b]));
        let series = order
            .iter()
            .map(|&i| {
                let points = result
                    .bands
                    .iter()
                    .filter_map(|b| b.percentiles.get(i).map(|&v| (b.t_h, v)))
                    .collect();
                (result.percentiles[i], points)
            })
            .collect();
        let label = &result.population_label;
        Bands {
            title: format!(
                "{}: {label} affected, {} runs (seed {})",
                result.scenario, result.study.runs, result.study.seed
            ),
            y_label: format!("{label} affected"),
            axis: TimeAxis::new(result.start.as_deref(), result.horizon_h),
            series,
            mean: result.bands.iter().map(|b| (b.t_h, b.mean)).collect(),
        }
    }

    /// The index in `series` of the median line: P50, or the middle of an odd count.
    fn median(&self) -> Option<usize> {
        let n = self.series.len();
        self.series
            .iter()
            .position(|s| s.0 == 50.0)
            .or((n % 2 == 1).then_some(n / 2))
    }

    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), String> {
        let (w, h) = root.dim_in_pixel();
        let n = self.series.len();
        let mut entries = Vec::new();
        for i in 0..n / 2 {
            let (lo, hi) = (self.series[i].0, self.series[n - 1 - i].0);
            entries.push((
                format!("{}–{}", pname(lo), pname(hi)),
                Mark::Shade(BAND, shade(i)),
            ));
        }
        let median = self.median();
        if let Some(m) = median {
            let p = self.series[m].0;
            let name = if p == 50.0 {
                "median (P50)".to_string()
            } else {
                pname(p)
            };
            entries.push((name, Mark::Line(BAND)));
        }
        entries.push(("mean".into(), Mark::Dashed(MEAN)));
        let legend_h = legend_height(root, &entries, w);
        let (main, legend) = root.split_vertically(h.saturating_sub(legend_h));
        let max = self
            .series
            .iter()
            .flat_map(|s| s.1.iter().map(|p| p.1))
            .chain(self.mean.iter().map(|p| p.1))
            .fold(0.0, f64::max);
        let mut chart = time_chart(&main, &self.title, &self.axis, &self.y_label, max)?;
        for i in 0..n / 2 {
            let (lo, hi) = (&self.series[i].1, &self.series[n - 1 - i].1);
            let outline: Vec<(f64, f64)> =
                hi.iter().copied().chain(lo.iter().rev().copied()).collect();
            chart
                .draw_series(std::iter::once(Polygon::new(
                    outline,
                    BAND.mix(shade(i)).filled(),
                )))
                .map_err(fail)?;
        }
        if let Some(m) = median {
            chart
                .draw_series(LineSeries::new(
                    self.series[m].1.iter().copied(),
                    BAND.stroke_width(2),
                ))
                .map_err(fail)?;
        }
        chart
            .draw_series(DashedLineSeries::new(
                self.mean.iter().copied(),
                8,
                5,
                MEAN.stroke_width(2),
            ))
            .map_err(fail)?;
        draw_legend(&legend, &entries)
    }
}

/// The opacity of the i-th band from the outside.
fn shade(i: usize) -> f64 {
    (0.18 + 0.12 * i as f64).min(0.6)
}

/// Overlaid curves of people affected.
pub(crate) struct Overlay {
    y_label: String,
    axis: TimeAxis,
    curves: Vec<(String, Vec<(f64, f64)>)>,
}

impl Overlay {
    pub(crate) fn new(
        curves: &[(String, Vec<(f64, f64)>)],
        population_label: &str,
        start: Option<&str>,
    ) -> Overlay {
        let end = curves
            .iter()
            .flat_map(|c| c.1.iter().map(|p| p.0))
            .fold(0.0, f64::max);
        Overlay {
            y_label: format!("{population_label} affected"),
            axis: TimeAxis::new(start, end),
            curves: curves.to_vec(),
        }
    }

    /// Curve `i` as a step function held to the end of the axis.
    fn steps(&self, i: usize) -> Vec<(f64, f64)> {
        let points = &self.curves[i].1;
        let mut out = Vec::with_capacity(points.len() * 2 + 1);
        for (k, &(t, a)) in points.iter().enumerate() {
            if k > 0 {
                out.push((t, points[k - 1].1));
            }
            out.push((t, a));
        }
        if let Some(&(t, a)) = points.last()
            && t < self.axis.range().end
        {
            out.push((self.axis.range().end, a));
        }
        out
    }

    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), String> {
        let (w, h) = root.dim_in_pixel();
        let color = |i: usize| PALETTE[i % PALETTE.len()];
        let entries: Vec<(String, Mark)> = self
            .curves
            .iter()
            .enumerate()
            .map(|(i, c)| (cut(&c.0, 70), Mark::Line(color(i))))
            .collect();
        let legend_h = legend_height(root, &entries, w);
        let (main, legend) = root.split_vertically(h.saturating_sub(legend_h));
        let max = self
            .curves
            .iter()
            .flat_map(|c| c.1.iter().map(|p| p.1))
            .fold(0.0, f64::max);
        let title = format!(
            "{} affected, compared",
            self.y_label.trim_end_matches(" affected")
        );
        let mut chart = time_chart(&main, &title, &self.axis, &self.y_label, max)?;
        // Earlier curves are drawn wider, so that where curves coincide every colour shows.
        let n = self.curves.len();
        for i in 0..n {
            let width = (2 + 2 * (n - 1 - i) as u32).min(8);
            chart
                .draw_series(LineSeries::new(self.steps(i), color(i).stroke_width(width)))
                .map_err(fail)?;
        }
        draw_legend(&legend, &entries)
    }
}

/// The costliest single losses of a ranking.
pub(crate) struct Bars {
    title: String,
    x_label: String,
    /// (label, people-hours), the costliest first.
    items: Vec<(String, f64)>,
}

/// Pixels per bar.
const BAR_PX: u32 = 26;

impl Bars {
    pub(crate) fn new(ranking: &Ranking, top: usize) -> Bars {
        let items = ranking
            .singles
            .iter()
            .filter(|s| s.people_hours > 0.0)
            .take(top)
            .map(|s| {
                let label = cut(&s.id, 30);
                let label = if s.kind == "site" {
                    format!("{label} (site)")
                } else {
                    label
                };
                (label, s.people_hours)
            })
            .collect();
        Bars {
            title: format!(
                "{}: people-hours of each loss alone ({} down, then restarted)",
                ranking.model,
                crate::format::hours(ranking.duration_h)
            ),
            x_label: format!("people-hours ({})", ranking.population_label),
            items,
        }
    }

    /// The height the chart needs for its bars, in pixels.
    pub(crate) fn height(&self) -> u32 {
        (self.items.len().max(3) as u32) * BAR_PX + 140
    }

    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), String> {
        let n = self.items.len().max(1) as f64;
        let max = self.items.iter().map(|i| i.1).fold(0.0, f64::max);
        // Room on the right for the value after the longest bar.
        let x_end = value_top(max) * 1.08;
        let centers: Vec<f64> = (0..self.items.len()).map(|r| n - r as f64 - 0.5).collect();
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, title_style())
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(230)
            .build_cartesian_2d(0.0..x_end, Ticked::new(0.0..n, centers))
            .map_err(fail)?;
        let label = |y: &f64| {
            let r = (n - y - 0.5).round();
            if r >= 0.0 && (r as usize) < self.items.len() {
                self.items[r as usize].0.clone()
            } else {
                String::new()
            }
        };
        house_mesh(&mut chart.configure_mesh())
            .x_desc(&self.x_label)
            .x_label_formatter(&|v| compact(*v))
            .y_label_formatter(&label)
            .disable_y_mesh()
            .draw()
            .map_err(fail)?;
        chart
            .draw_series(self.items.iter().enumerate().map(|(r, &(_, v))| {
                let c = n - r as f64 - 0.5;
                Rectangle::new([(0.0, c - 0.34), (v, c + 0.34)], BAR.filled())
            }))
            .map_err(fail)?;
        let value_style = text(12).pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Left,
            plotters::style::text_anchor::VPos::Center,
        ));
        chart
            .draw_series(self.items.iter().enumerate().map(|(r, &(_, v))| {
                Text::new(
                    format!(" {}", compact(v)),
                    (v, n - r as f64 - 0.5),
                    value_style.clone(),
                )
            }))
            .map_err(fail)?;
        if self.items.is_empty() {
            chart
                .draw_series(std::iter::once(Text::new(
                    "no single loss affects anyone",
                    (x_end * 0.3, n * 0.5),
                    text(16),
                )))
                .map_err(fail)?;
        }
        Ok(())
    }
}
