//! The outputs of `montecarlo` and `merge`: the terminal summary (percentiles and means of
//! the headline figures, then the clients and services with the largest mean figures),
//! summary.json, bands.csv and runs.csv.

use std::fmt::Write;

use serde_json::{Value, json};

use super::csv::{csv_err, finish, opt, writer};
use crate::error::Error;
use crate::format::{cut, hours, thousands};
use crate::metrics::HOURS_PER_YEAR;
use crate::montecarlo::{
    CLIENT, FUNCTION, MEASURES, McResult, SERVICE, SUMMARY, Stat, percentile_name,
};

/// How a figure reads: people, hours or a plain number.
fn value(figure: &str, x: Option<f64>) -> String {
    match x {
        None => "–".to_string(),
        Some(v) if v.is_infinite() => "not recovered".to_string(),
        Some(v) if figure == "saifi" => format!("{v:.3}"),
        Some(v) if figure.ends_with("_h") => format!("{v:.1} h"),
        Some(v) => thousands(v),
    }
}

fn row(o: &mut String, name: &str, figure: &str, s: &Stat) {
    let _ = write!(o, "  {name:<20}");
    for p in &s.percentiles {
        let _ = write!(o, " {:>14}", value(figure, *p));
    }
    let mean = value(figure, s.mean);
    let ci = s.ci95.map_or(String::new(), |(lo, hi)| {
        format!(
            " [{} – {}]",
            value(figure, Some(lo)),
            value(figure, Some(hi))
        )
    });
    let _ = writeln!(o, " {mean:>14}{ci}");
    if let Some(nr) = s.not_recovered.filter(|&n| n > 0) {
        let _ = writeln!(
            o,
            "  {:<20} {} of {} runs never recovered",
            "",
            thousands(nr as f64),
            thousands(s.runs as f64)
        );
    }
}

fn header(o: &mut String, title: &str, r: &McResult, ci: bool) {
    let _ = write!(o, "  {title:<20}");
    for &p in &r.percentiles {
        let _ = write!(o, " {:>14}", percentile_name(p).to_uppercase());
    }
    let _ = writeln!(o, " {:>14}{}", "mean", if ci { " [95% CI]" } else { "" });
}

/// The terminal summary of a study.
pub fn table(r: &McResult, top: usize) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} — {} runs, seed {}, horizon {}",
        r.scenario,
        thousands(r.study.runs as f64),
        r.study.seed,
        hours(r.horizon_h)
    );
    let _ = writeln!(
        o,
        "{} clients, {} {}",
        r.clients.len(),
        thousands(r.total_population as f64),
        r.population_label
    );
    let _ = writeln!(o, "{}", r.combine);
    let _ = writeln!(o);
    header(&mut o, "figure", r, true);
    for (figure, s) in SUMMARY.iter().zip(&r.summary) {
        // A figure per year says little of a horizon shorter than a year.
        if *figure == "people_hours_per_year" && r.horizon_h < HOURS_PER_YEAR {
            continue;
        }
        row(&mut o, figure, figure, s);
    }
    for (figure, s) in MEASURES.iter().zip(&r.measures) {
        row(&mut o, figure, figure, s);
    }
    for (count, what) in [
        (r.runs_with_deadlocks, "ended in a cold-start deadlock"),
        (r.runs_with_warnings, "reported warnings"),
    ] {
        if count > 0 {
            let _ = writeln!(
                o,
                "  {} of {} runs {what}; replay one with `run --seed` (seeds in runs.csv)",
                thousands(count as f64),
                thousands(r.study.runs as f64)
            );
        }
    }
    bands(&mut o, r);
    functions(&mut o, r);
    top_by_mean(&mut o, r, &format!("client {}", CLIENT[0]), &r.clients, top);
    top_by_mean(&mut o, r, &format!("node {}", SERVICE[0]), &r.services, top);
    o
}

/// Per business function: its longest disruption and when it was restored (the JSON has
/// every [`FUNCTION`] figure).
fn functions(o: &mut String, r: &McResult) {
    let longest = FUNCTION.iter().position(|&f| f == "longest_outage_h");
    let restored = FUNCTION.iter().position(|&f| f == "restored_at_h");
    for (name, stats) in &r.functions {
        let _ = writeln!(o);
        let _ = writeln!(o, "  {name}");
        for k in [longest, restored].into_iter().flatten() {
            let figure = FUNCTION[k];
            row(o, figure, figure, &stats[k]);
        }
    }
}

/// The bands at about ten evenly spaced points of the grid (bands.csv has every step).
fn bands(o: &mut String, r: &McResult) {
    let n = r.bands.len();
    if n == 0 {
        return;
    }
    let _ = writeln!(o);
    header(o, &format!("{} affected at", r.population_label), r, false);
    let points = 10.min(n - 1);
    let mut last = None;
    for i in 0..=points {
        let g = (i * (n - 1)).checked_div(points).unwrap_or(0);
        if last == Some(g) {
            continue;
        }
        last = Some(g);
        let b = &r.bands[g];
        let _ = write!(o, "  {:<20}", hours(b.t_h));
        for p in &b.percentiles {
            let _ = write!(o, " {:>14}", thousands(*p));
        }
        let _ = writeln!(o, " {:>14}", thousands(b.mean));
    }
}

/// The `top` entries with the largest mean of their first figure (those above 0), largest
/// first, ties by id.
fn top_by_mean(
    o: &mut String,
    r: &McResult,
    title: &str,
    entries: &[(String, Vec<Stat>)],
    top: usize,
) {
    let figure = title.split_once(' ').map_or(title, |(_, f)| f);
    let mean = |stats: &[Stat]| stats[0].mean.unwrap_or(f64::INFINITY);
    let mut list: Vec<_> = entries.iter().filter(|(_, s)| mean(s) > 0.0).collect();
    if list.is_empty() {
        return;
    }
    list.sort_by(|a, b| {
        mean(&b.1)
            .total_cmp(&mean(&a.1))
            .then_with(|| a.0.cmp(&b.0))
    });
    let _ = writeln!(o);
    header(o, title, r, true);
    for (id, s) in list.iter().take(top) {
        row(o, &cut(id, 20), figure, &s[0]);
    }
}

/// A number for JSON: infinite (never recovered) becomes null.
fn num(x: Option<f64>) -> Value {
    match x {
        Some(v) if v.is_finite() => json!(v),
        _ => Value::Null,
    }
}

fn stat_json(name: &str, s: &Stat, ps: &[f64]) -> Value {
    let mut o = serde_json::Map::new();
    o.insert("figure".into(), json!(name));
    o.insert("runs".into(), json!(s.runs));
    if let Some(nr) = s.not_recovered {
        o.insert("not_recovered_runs".into(), json!(nr));
    }
    for (p, v) in ps.iter().zip(&s.percentiles) {
        o.insert(percentile_name(*p), num(*v));
    }
    o.insert("mean".into(), num(s.mean));
    o.insert(
        "ci95".into(),
        s.ci95.map_or(Value::Null, |(lo, hi)| json!([lo, hi])),
    );
    Value::Object(o)
}

/// The whole result as JSON (summary.json). Null marks a figure no run defines, or a
/// percentile or mean that falls on runs that never recovered.
pub fn json(r: &McResult) -> Value {
    let ps = &r.percentiles;
    let figures = |names: &[&str], stats: &[Stat]| -> Vec<Value> {
        names
            .iter()
            .zip(stats)
            .map(|(n, s)| stat_json(n, s, ps))
            .collect()
    };
    let mut v = json!({
        "scenario": r.scenario,
        "population_label": r.population_label,
        "total_population": r.total_population,
        "combine": r.combine,
        "runs": r.study.runs,
        "seed": r.study.seed,
        "percentiles": ps,
        "horizon_h": r.horizon_h,
        "step_h": r.step_h,
        "runs_with_warnings": r.runs_with_warnings,
        "runs_with_deadlocks": r.runs_with_deadlocks,
        "summary": figures(&SUMMARY, &r.summary),
        "clients": r.clients.iter().map(|(id, s)| json!({"id": id, "figures": figures(&CLIENT, s)})).collect::<Vec<_>>(),
        "services": r.services.iter().map(|(id, s)| json!({"id": id, "figures": figures(&SERVICE, s)})).collect::<Vec<_>>(),
        "bands": r.bands.iter().map(|b| {
            let mut o = serde_json::Map::new();
            o.insert("t_h".into(), json!(b.t_h));
            for (p, v) in ps.iter().zip(&b.percentiles) {
                o.insert(percentile_name(*p), json!(v));
            }
            o.insert("mean".into(), json!(b.mean));
            Value::Object(o)
        }).collect::<Vec<_>>(),
    });
    // Only a model with business functions has these (other outputs stay as they were).
    if !r.functions.is_empty() {
        v["measures"] = json!(figures(&MEASURES, &r.measures));
        v["functions"] = r
            .functions
            .iter()
            .map(|(name, s)| json!({"function": name, "figures": figures(&FUNCTION, s)}))
            .collect();
    }
    v
}

/// bands.csv: `t_h`, one column per percentile, `mean`.
pub fn bands_csv(r: &McResult) -> Result<Vec<u8>, Error> {
    let mut w = writer();
    let mut header = vec!["t_h".to_string()];
    header.extend(r.percentiles.iter().map(|&p| percentile_name(p)));
    header.push("mean".into());
    w.write_record(&header).map_err(csv_err)?;
    for b in &r.bands {
        let mut row = vec![b.t_h.to_string()];
        row.extend(b.percentiles.iter().map(f64::to_string));
        row.push(b.mean.to_string());
        w.write_record(&row).map_err(csv_err)?;
    }
    finish(w)
}

/// runs.csv: `run`, `seed`, then every summary figure (empty where null).
pub fn runs_csv(r: &McResult) -> Result<Vec<u8>, Error> {
    let mut w = writer();
    let mut header = vec!["run", "seed"];
    header.extend(SUMMARY);
    w.write_record(&header).map_err(csv_err)?;
    for (run, seed, figures) in &r.runs {
        let mut row = vec![run.to_string(), seed.to_string()];
        row.extend(figures.iter().map(|&f| opt(f)));
        w.write_record(&row).map_err(csv_err)?;
    }
    finish(w)
}
