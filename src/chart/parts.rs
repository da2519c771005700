//! What the charts share: text styles, colours, legends, the time axis, number formats.

use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;

use super::{FAMILY, fail};

/// Text styles.
pub(super) fn text(size: u32) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&BLACK)
}

/// The mesh every chart shares: a light grid, no minor lines, and the house text sizes.
/// The caller adds the axis descriptions and labels, then draws it.
pub(super) fn house_mesh<'m, 'a, 'b, X, Y, XT, YT, DB>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged<ValueType = XT> + ValueFormatter<XT>,
    Y: Ranged<ValueType = YT> + ValueFormatter<YT>,
    DB: DrawingBackend,
{
    mesh.bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .label_style(text(13))
        .axis_desc_style(text(15))
}

/// Text style of titles.
pub(super) fn title_style() -> TextStyle<'static> {
    text(20)
}

/// Grey of the grid lines.
pub(super) const GRID: RGBColor = RGBColor(225, 225, 225);

/// Ten qualitative colours (Tableau 10), for groups and series.
pub(super) const PALETTE: [RGBColor; 10] = [
    RGBColor(78, 121, 167),
    RGBColor(242, 142, 43),
    RGBColor(225, 87, 89),
    RGBColor(118, 183, 178),
    RGBColor(89, 161, 79),
    RGBColor(237, 201, 72),
    RGBColor(176, 122, 161),
    RGBColor(255, 157, 167),
    RGBColor(156, 117, 95),
    RGBColor(186, 176, 172),
];

/// The grey of an "other" group.
pub(super) const OTHER: RGBColor = RGBColor(170, 170, 170);

/// What a legend entry shows before its text.
#[derive(Clone, Copy)]
pub(super) enum Mark {
    /// A filled square.
    Fill(RGBColor),
    /// A translucent filled square (a band).
    Shade(RGBColor, f64),
    /// A line.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
}

const LEGEND_TEXT: u32 = 14;
const LEGEND_LINE: u32 = 22;

/// The height a legend of these entries needs in `width` pixels.
pub(super) fn legend_height<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, Mark)],
    width: u32,
) -> u32 {
    let lines = legend_layout(area, entries, width)
        .last()
        .map_or(0, |p| p.1 + 1);
    lines * LEGEND_LINE + 10
}

/// The position (x, line) of each legend entry.
fn legend_layout<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, Mark)],
    width: u32,
) -> Vec<(i32, u32)> {
    let style = text(LEGEND_TEXT);
    let left = 16;
    let mut x = left;
    let mut line = 0;
    let mut out = Vec::with_capacity(entries.len());
    for (label, _) in entries {
        let w = area
            .estimate_text_size(label, &style)
            .map_or(label.chars().count() as u32 * 8, |s| s.0) as i32
            + 22
            + 24;
        if x > left && x + w > width as i32 {
            x = left;
            line += 1;
        }
        out.push((x, line));
        x += w;
    }
    out
}

/// Draws a legend across the top of `area`.
pub(super) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, Mark)],
) -> Result<(), String> {
    let width = area.dim_in_pixel().0;
    let style = text(LEGEND_TEXT);
    for ((label, mark), (x, line)) in entries.iter().zip(legend_layout(area, entries, width)) {
        let y = 6 + (line * LEGEND_LINE) as i32;
        let cy = y + 7;
        match *mark {
            Mark::Fill(c) => {
                area.draw(&Rectangle::new([(x, y), (x + 16, y + 14)], c.filled()))
                    .map_err(fail)?;
            }
            Mark::Shade(c, alpha) => {
                area.draw(&Rectangle::new(
                    [(x, y), (x + 16, y + 14)],
                    c.mix(alpha).filled(),
                ))
                .map_err(fail)?;
            }
            Mark::Line(c) => {
                area.draw(&PathElement::new(
                    vec![(x, cy), (x + 16, cy)],
                    c.stroke_width(3),
                ))
                .map_err(fail)?;
            }
            Mark::Dashed(c) => {
                for dx in [0, 7, 14] {
                    area.draw(&PathElement::new(
                        vec![(x + dx, cy), (x + (dx + 4).min(16), cy)],
                        c.stroke_width(2),
                    ))
                    .map_err(fail)?;
                }
            }
        }
        area.draw(&Text::new(
            label.clone(),
            (x + 22, y),
            style.pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Left,
                plotters::style::text_anchor::VPos::Top,
            )),
        ))
        .map_err(fail)?;
    }
    Ok(())
}

/// A linear axis with the ticks the chart chooses (plotters' `WithKeyPoints` over `f64` loses
/// the label formatter).
#[derive(Clone)]
pub(super) struct Ticked {
    inner: plotters::coord::types::RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ticked {
    pub(super) fn new(range: std::ops::Range<f64>, ticks: Vec<f64>) -> Ticked {
        Ticked {
            inner: range.into(),
            ticks,
        }
    }
}

impl Ranged for Ticked {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(v, limit)
    }

    fn key_points<H: plotters::coord::ranged1d::KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// A time axis in hours from the start: real dates when there is a start (a scenario's
/// `start`), else hours and days.
#[derive(Debug, Clone)]
pub(super) struct TimeAxis {
    /// The start, and the UTC offset its text was written in (dates are shown in it).
    start: Option<(jiff::Timestamp, jiff::tz::Offset)>,
    /// The end of the axis, hours.
    end_h: f64,
}

/// Tick spacings, hours.
const TICK_STEPS: [f64; 18] = [
    0.25, 0.5, 1.0, 2.0, 3.0, 6.0, 12.0, 24.0, 48.0, 72.0, 168.0, 336.0, 672.0, 1344.0, 2688.0,
    8760.0, 17520.0, 43800.0,
];

impl TimeAxis {
    /// `start` is the text of a scenario's `start` (dates are shown in its offset).
    pub(super) fn new(start: Option<&str>, end_h: f64) -> TimeAxis {
        let start = start.and_then(|text| {
            let ts = text.parse::<jiff::Timestamp>().ok()?;
            let offset = jiff::fmt::temporal::Pieces::parse(text)
                .ok()
                .and_then(|p| match p.offset()? {
                    jiff::fmt::temporal::PiecesOffset::Numeric(n) => Some(n.offset()),
                    _ => None,
                })
                .unwrap_or(jiff::tz::Offset::UTC);
            Some((ts, offset))
        });
        TimeAxis {
            start,
            end_h: end_h.max(0.0),
        }
    }

    /// The axis as a plotters coordinate with its ticks.
    pub(super) fn coord(&self) -> Ticked {
        Ticked::new(self.range(), self.ticks())
    }

    /// The range of the axis (never empty).
    pub(super) fn range(&self) -> std::ops::Range<f64> {
        0.0..self.end_h.max(1.0 / 60.0)
    }

    pub(super) fn step(&self) -> f64 {
        let end = self.range().end;
        TICK_STEPS
            .iter()
            .copied()
            .find(|s| end / s <= 9.0)
            .unwrap_or(*TICK_STEPS.last().unwrap_or(&8760.0))
    }

    /// Where the ticks go: at round local times when there is a start, else at multiples of
    /// a round step.
    pub(super) fn ticks(&self) -> Vec<f64> {
        let end = self.range().end;
        let step = self.step();
        let first = match self.start {
            None => 0.0,
            Some((ts, off)) => {
                let local = (ts.as_second() + off.seconds() as i64) as f64 / 3600.0;
                let align = if step <= 24.0 { step } else { 24.0 };
                let first = (local / align).ceil() * align;
                first - local
            }
        };
        let mut out = Vec::new();
        let mut i = 0.0;
        loop {
            let t = first + i * step;
            if t > end + 1e-9 {
                break;
            }
            out.push(t);
            i += 1.0;
            if out.len() > 1000 {
                break;
            }
        }
        out
    }

    /// The text of the tick at `h` hours.
    pub(super) fn label(&self, h: f64) -> String {
        match self.start {
            None => crate::format::hours(h),
            Some((ts, off)) => {
                let secs = (h * 3600.0).round() as i64;
                let Some(at) = ts.checked_add(jiff::SignedDuration::from_secs(secs)).ok() else {
                    return crate::format::hours(h);
                };
                let dt = off.to_datetime(at);
                let midnight = dt.hour() == 0 && dt.minute() == 0;
                let first = self.ticks().first().is_some_and(|&t| (t - h).abs() < 1e-6);
                if midnight && self.step() >= 24.0 {
                    dt.strftime("%Y-%m-%d").to_string()
                } else if midnight || first {
                    dt.strftime("%Y-%m-%d %H:%M").to_string()
                } else {
                    dt.strftime("%H:%M").to_string()
                }
            }
        }
    }

    /// The axis title.
    pub(super) fn caption(&self) -> String {
        match self.start {
            None => "time since start".into(),
            Some((_, off)) => {
                let s = off.seconds();
                let sign = if s < 0 { '-' } else { '+' };
                let s = s.unsigned_abs();
                format!("date (UTC{sign}{:02}:{:02})", s / 3600, s / 60 % 60)
            }
        }
    }
}

/// `25000000` → `25M`, `4643860140` → `4.64B`, `1500` → `1.5k`.
pub(super) fn compact(x: f64) -> String {
    let a = x.abs();
    let (v, unit) = if a >= 1e9 {
        (x / 1e9, "B")
    } else if a >= 1e6 {
        (x / 1e6, "M")
    } else if a >= 1e3 {
        (x / 1e3, "k")
    } else {
        (x, "")
    };
    let digits = if v.abs() >= 100.0 || v == v.round() {
        0
    } else if v.abs() >= 10.0 {
        1
    } else {
        2
    };
    let s = format!("{v:.digits$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    format!("{s}{unit}")
}

/// The top of a value axis: a little above the largest value (1 when everything is 0).
pub(super) fn value_top(max: f64) -> f64 {
    if max > 0.0 && max.is_finite() {
        max * 1.05
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_numbers() {
        assert_eq!(compact(25_000_000.0), "25M");
        assert_eq!(compact(4_643_860_140.0), "4.64B");
        assert_eq!(compact(1500.0), "1.5k");
        assert_eq!(compact(12_500_000.0), "12.5M");
        assert_eq!(compact(0.0), "0");
        assert_eq!(compact(0.5), "0.5");
    }

    #[test]
    fn hour_ticks_without_start() {
        let axis = TimeAxis::new(None, 504.0);
        let ticks = axis.ticks();
        assert_eq!(
            ticks,
            vec![0.0, 72.0, 144.0, 216.0, 288.0, 360.0, 432.0, 504.0]
        );
        assert_eq!(axis.label(72.0), "3d");
        assert_eq!(axis.caption(), "time since start");
    }

    #[test]
    fn date_ticks_at_local_midnights() {
        let s = crate::chart::tests::bitmarck();
        // t = 0 is 2023-04-24 18:00 at +02:00: the first midnight is 6 h later.
        let axis = TimeAxis::new(s.start.as_deref(), s.horizon.hours());
        let ticks = axis.ticks();
        assert_eq!(ticks[0], 6.0);
        assert_eq!(ticks[1] - ticks[0], 72.0);
        assert_eq!(axis.label(6.0), "2023-04-25");
        assert_eq!(axis.label(78.0), "2023-04-28");
        assert_eq!(axis.caption(), "date (UTC+02:00)");
        let short = TimeAxis::new(s.start.as_deref(), 12.0);
        assert_eq!(short.ticks(), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0]);
        assert_eq!(short.label(0.0), "2023-04-24 18:00");
        assert_eq!(short.label(2.0), "20:00");
        assert_eq!(short.label(6.0), "2023-04-25 00:00");
    }
}
