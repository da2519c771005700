//! The outputs of `batch`: the terminal table, CSV and JSON, one row per scenario.

use std::fmt::Write;

use serde_json::json;

use super::csv::{csv_err, finish, opt, text_cell, writer};
use crate::batch::Row;
use crate::error::Error;
use crate::format::{cut, hours, thousands};
use crate::measure::Measure;
use crate::metrics::SUMMARY;

/// How a figure reads in the table.
fn cell(figure: &str, x: Option<f64>) -> String {
    match x {
        None => "–".into(),
        Some(v) if v.is_infinite() => "not recovered".into(),
        Some(v) => match figure {
            "peak_affected" | "people_hours" => thousands(v),
            "peak_time_h" | "recovered_at_h" => hours(v),
            "saifi" => format!("{v:.3}"),
            _ => format!("{v:.2}"),
        },
    }
}

/// The terminal table, within 80 columns: people-hours, peak, recovery, SAIDI and SAIFI
/// (CSV and JSON have every figure).
pub fn table(rows: &[Row], runs: Option<u64>) -> String {
    let mut o = String::new();
    if let Some(n) = runs {
        let _ = writeln!(o, "medians of {} runs per scenario", thousands(n as f64));
    }
    // The measure, when one is asked for, comes right after the name.
    let measure = rows.first().and_then(|r| r.measure).map(|(m, _)| m);
    let head = match measure {
        Some(m @ Measure::ToleranceBreaches) => format!(" {:>8}", m.column()),
        Some(m) => format!(" {:>14}", m.column()),
        None => String::new(),
    };
    let _ = writeln!(
        o,
        "{:<26}{head} {:>14} {:>11} {:>9} {:>8} {:>6}",
        "scenario", "people-hours", "peak", "recovered", "SAIDI h", "SAIFI"
    );
    for r in rows {
        let value = match r.measure {
            Some((_, v)) => format!(
                " {:>w$}",
                v.map_or_else(|| "–".to_string(), thousands),
                w = head.len() - 1
            ),
            None => String::new(),
        };
        let name = cut(&r.scenario, 26);
        let c = |i: usize| cell(SUMMARY[i], r.figures[i]);
        let recovered = match r.figures[3] {
            Some(v) if v.is_infinite() => "never".to_string(),
            _ => c(3),
        };
        let _ = writeln!(
            o,
            "{name:<26}{value} {:>14} {:>11} {:>9} {:>8} {:>6}",
            c(2),
            c(0),
            recovered,
            c(4),
            c(5)
        );
    }
    o
}

/// CSV: `file`, `scenario`, then every figure (empty where undefined or where a recovery
/// never came, as in every other CSV).
pub fn csv(rows: &[Row]) -> Result<Vec<u8>, Error> {
    let mut w = writer();
    let mut header = vec!["file", "scenario"];
    header.extend(SUMMARY);
    let measure = rows
        .first()
        .and_then(|r| r.measure)
        .map(|(m, _)| m.figure());
    header.extend(measure);
    w.write_record(&header).map_err(csv_err)?;
    for r in rows {
        let mut rec = vec![text_cell(&r.file), text_cell(&r.scenario)];
        rec.extend(r.figures.iter().map(|&f| opt(f.filter(|x| x.is_finite()))));
        rec.extend(r.measure.map(|(_, v)| opt(v)));
        w.write_record(&rec).map_err(csv_err)?;
    }
    finish(w)
}

/// JSON: a list of rows, figures by name (null where undefined or never recovered).
pub fn json(rows: &[Row]) -> String {
    let list: Vec<_> = rows
        .iter()
        .map(|r| {
            let mut o = serde_json::Map::new();
            o.insert("file".into(), json!(r.file));
            o.insert("scenario".into(), json!(r.scenario));
            for (name, v) in SUMMARY.iter().zip(&r.figures) {
                let v = v.filter(|x| x.is_finite());
                o.insert((*name).into(), json!(v));
            }
            if let Some((m, v)) = r.measure {
                o.insert(m.figure().into(), json!(v));
            }
            serde_json::Value::Object(o)
        })
        .collect();
    super::pretty_json(&list)
}
