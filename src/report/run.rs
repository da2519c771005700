//! The outputs of `run`: the summary a person reads on the terminal (plain text, at most 80
//! columns wide), the whole result as JSON, and the CSV files of `--out`.

use std::fmt::Write;
use std::path::Path;

use super::csv::{csv_err, finish, opt, text_cell, writer};
use crate::error::Error;
use crate::format::{cut, hours, thousands};
use crate::metrics::RunResult;
use crate::output::write_out_files;
use crate::scenario::Scenario;

fn when(h: Option<f64>) -> String {
    h.map_or_else(|| "not recovered".to_string(), hours)
}

/// The terminal summary: headline figures, the most affected clients and services, RTO
/// breaches, deadlocks and warnings.
pub fn summary_table(r: &RunResult, top: usize) -> String {
    summary_table_with(r, top, false)
}

/// Block characters from low to high, for the sparkline.
const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// People affected over the horizon as one line of `width` block characters, each the
/// time-weighted mean over its slice of the horizon, scaled to the peak. Empty when nobody
/// is ever affected.
pub fn sparkline(r: &RunResult, width: usize) -> String {
    let horizon = (r.horizon_h * 3600.0).round() as u64;
    if r.peak_affected <= 0.0 || horizon == 0 || width == 0 {
        return String::new();
    }
    let slice = horizon as f64 / width as f64;
    let mut line = String::with_capacity(width * 3);
    let mut k = 0;
    for i in 0..width {
        let (lo, hi) = (i as f64 * slice, (i + 1) as f64 * slice);
        // Integral of affected(t) over [lo, hi): the step function from the change points.
        let mut sum = 0.0;
        while k + 1 < r.points.len() && (r.points[k + 1].0.0 as f64) <= lo {
            k += 1;
        }
        let mut j = k;
        let mut t = lo;
        while t < hi {
            let value = r.points.get(j).map_or(0.0, |p| p.1);
            let next = r.points.get(j + 1).map_or(hi, |p| (p.0.0 as f64).min(hi));
            sum += value * (next - t);
            t = next;
            j += 1;
        }
        let mean = sum / slice;
        let level = if mean <= 0.0 {
            None
        } else {
            Some(((mean / r.peak_affected) * 7.0).round().clamp(0.0, 7.0) as usize)
        };
        line.push(level.map_or(' ', |l| BLOCKS[l]));
    }
    line
}

/// [`summary_table`], with a sparkline of the people affected when `spark` is set (a
/// terminal that shows Unicode blocks).
pub fn summary_table_with(r: &RunResult, top: usize, spark: bool) -> String {
    let mut o = String::new();
    headline(&mut o, r, spark);
    clients_section(&mut o, r, top);
    functions_section(&mut o, r, top);
    services_section(&mut o, r, top);
    breaches_section(&mut o, r, top);
    problems_section(&mut o, r, top);
    o
}

/// The scenario, the model and the headline figures.
fn headline(o: &mut String, r: &RunResult, spark: bool) {
    let label = &r.population_label;
    let share = if r.total_population > 0 {
        100.0 * r.peak_affected / r.total_population as f64
    } else {
        0.0
    };
    let _ = writeln!(o, "{} — {}", r.scenario, r.model);
    if let Some(seed) = r.seed {
        let _ = writeln!(o, "Monte Carlo sample drawn from seed {seed}");
    }
    let _ = writeln!(
        o,
        "{} clients, {} {}, horizon {}",
        r.clients.len(),
        thousands(r.total_population as f64),
        label,
        hours(r.horizon_h)
    );
    let modes = r.clients.iter().map(|c| c.combine);
    let _ = writeln!(o, "{}", crate::metrics::combine_line(r.combine, modes));
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "  Peak affected     {} {label} ({share:.1}%) at {}",
        thousands(r.peak_affected),
        hours(r.peak_time_h)
    );
    if spark {
        let line = sparkline(r, 56);
        if !line.is_empty() {
            let _ = writeln!(o, "  Over time         {}", line.trim_end());
            let _ = writeln!(o, "  {:18}0h{:>width$}", "", hours(r.horizon_h), width = 54);
        }
    }
    let _ = writeln!(o, "  People-hours      {}", thousands(r.people_hours));
    if r.horizon_h >= crate::metrics::HOURS_PER_YEAR {
        let _ = writeln!(
            o,
            "  Per year          {}",
            thousands(r.people_hours_per_year)
        );
    }
    let _ = writeln!(
        o,
        "  Recovered         {}",
        when(r.recovered_at_h).replace("not recovered", "not recovered by the horizon")
    );
    let _ = writeln!(
        o,
        "  SAIDI {:.2} h · SAIFI {:.3} · CAIDI {}",
        r.saidi_h,
        r.saifi,
        r.caidi_h
            .map_or_else(|| "–".to_string(), |c| format!("{c:.2} h"))
    );
}

/// The business functions: a line per function and course (the clients of a function the
/// model gives all share its course), with the tolerances it breached.
fn functions_section(o: &mut String, r: &RunResult, top: usize) {
    use crate::metrics::FunctionResult;
    let same = |a: &FunctionResult, b: &FunctionResult| {
        a.function == b.function
            && a.name == b.name
            && a.disrupted_h == b.disrupted_h
            && a.longest_outage_h == b.longest_outage_h
            && a.fallback_h == b.fallback_h
            && a.restored_at_h == b.restored_at_h
            && a.breaches == b.breaches
    };
    // (first row, clients, people)
    let mut lines: Vec<(&FunctionResult, Vec<&str>, u64)> = Vec::new();
    for f in &r.functions {
        match lines.iter_mut().find(|(g, _, _)| same(g, f)) {
            Some((_, clients, people)) => {
                clients.push(&f.client);
                *people += f.people;
            }
            None => lines.push((f, vec![&f.client], f.people)),
        }
    }
    if lines.is_empty() {
        return;
    }
    let label = &r.population_label;
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "  Business functions                   {label:>13}  disrupted   longest  on fallback  restored  breaches"
    );
    for (f, clients, people) in lines.iter().take(top) {
        let whose = match clients.len() {
            n if n == r.clients.len() => String::new(),
            1 => format!(" ({})", clients[0]),
            n => format!(" ({n} clients)"),
        };
        let dash = |h: f64| if h > 0.0 { hours(h) } else { "–".to_string() };
        let _ = writeln!(
            o,
            "  {:<36} {:>13}  {:>9}  {:>8}  {:>11}  {:>8}  {}",
            cut(&format!("{}{whose}", f.name), 36),
            thousands(*people as f64),
            dash(f.disrupted_h),
            dash(f.longest_outage_h),
            dash(f.fallback_h),
            f.restored_at_h.map_or_else(|| "not yet".to_string(), hours),
            breaches_text(&f.breaches)
        );
    }
    if lines.len() > top {
        let _ = writeln!(o, "  … and {} more", lines.len() - top);
    }
}

/// The tolerances breached, as the tables show them: `MTPD +1d 6h, RTO +3d 6h`, or `–`.
pub(crate) fn breaches_text(breaches: &[crate::metrics::ToleranceBreach]) -> String {
    if breaches.is_empty() {
        return "–".to_string();
    }
    let each = breaches
        .iter()
        .map(|b| format!("{} +{}", b.tolerance.to_uppercase(), hours(b.by_h)));
    each.collect::<Vec<_>>().join(", ")
}

/// The clients with the most people-hours.
fn clients_section(o: &mut String, r: &RunResult, top: usize) {
    let mut clients: Vec<_> = r.clients.iter().filter(|c| c.people_hours > 0.0).collect();
    clients.sort_by(|a, b| {
        b.people_hours
            .total_cmp(&a.people_hours)
            .then_with(|| a.id.cmp(&b.id))
    });
    if !clients.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "  Most affected clients        people-hours      first  recovered      longest"
        );
        for c in clients.iter().take(top) {
            let _ = writeln!(
                o,
                "  {:<26} {:>14}  {:>9}  {:<13}  {}",
                cut(&c.name, 26),
                thousands(c.people_hours),
                c.first_affected_h.map_or_else(|| "–".to_string(), hours),
                when(c.recovered_at_h),
                hours(c.longest_outage_h)
            );
        }
        if clients.len() > top {
            let _ = writeln!(o, "  … and {} more", clients.len() - top);
        }
    }
}

/// The sites and services unavailable longest.
fn services_section(o: &mut String, r: &RunResult, top: usize) {
    let mut services: Vec<_> = r
        .services
        .iter()
        .filter(|s| s.unavailable_h > 0.0)
        .collect();
    services.sort_by(|a, b| {
        b.unavailable_h
            .total_cmp(&a.unavailable_h)
            .then_with(|| a.id.cmp(&b.id))
    });
    if !services.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "  Least available (id)       unavailable  restored  on fallback  restarts  share"
        );
        for s in services.iter().take(top) {
            // Its share of the people-hours, while it was down itself.
            let share = if r.people_hours > 0.0 && s.attributed_people_hours > 0.0 {
                format!("{:.0}%", 100.0 * s.attributed_people_hours / r.people_hours)
            } else {
                "–".to_string()
            };
            let _ = writeln!(
                o,
                "  {:<26} {:>11}  {:>8}  {:>11}  {:>8}  {share:>5}",
                cut(&s.id, 26),
                hours(s.unavailable_h),
                s.restored_at_h.map_or_else(|| "not yet".to_string(), hours),
                if s.fallback_h > 0.0 {
                    hours(s.fallback_h)
                } else {
                    "–".to_string()
                },
                s.restarts
            );
        }
        if services.len() > top {
            let _ = writeln!(o, "  … and {} more", services.len() - top);
        }
    }
}

/// The RTO breaches, the worst first.
fn breaches_section(o: &mut String, r: &RunResult, top: usize) {
    let label = &r.population_label;
    let mut breaches: Vec<_> = r
        .services
        .iter()
        .flat_map(|s| s.rto_breaches.iter().map(move |b| (s, b)))
        .collect();
    if !breaches.is_empty() {
        // The worst first: most people affected, then the longest.
        breaches.sort_by(|a, b| {
            b.1.people_affected
                .total_cmp(&a.1.people_affected)
                .then(b.1.duration_h.total_cmp(&a.1.duration_h))
        });
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "  RTO breaches (id)          rto     from          lasted         {label}"
        );
        for (s, b) in breaches.iter().take(top) {
            let _ = writeln!(
                o,
                "  {:<26} {:<6}  {:<12}  {:<13}  {}",
                cut(&s.id, 26),
                s.rto_h.map_or_else(String::new, hours),
                hours(b.start_h),
                format!(
                    "{}{}",
                    hours(b.duration_h),
                    if b.ongoing { "+" } else { "" }
                ),
                thousands(b.people_affected)
            );
        }
        if breaches.len() > top {
            let _ = writeln!(o, "  … and {} more", breaches.len() - top);
        }
    }
}

/// Cold-start deadlocks and warnings.
fn problems_section(o: &mut String, r: &RunResult, top: usize) {
    if !r.deadlocks.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "  Cold-start deadlocks (waiting on each other forever):");
        for d in &r.deadlocks {
            let _ = writeln!(o, "    {}", d.join(", "));
        }
    }
    if !r.warnings.is_empty() {
        let _ = writeln!(o);
        for w in r.warnings.iter().take(top) {
            let _ = writeln!(o, "  warning: {w}");
        }
        if r.warnings.len() > top {
            let _ = writeln!(
                o,
                "  … and {} more warnings (all of them in --json)",
                r.warnings.len() - top
            );
        }
    }
}

/// The whole result as pretty JSON (SPEC 4).
pub fn json(result: &RunResult) -> String {
    super::pretty_json(result)
}

/// Writes timeline.csv, clients.csv, services.csv and summary.json into `dir` (created if
/// needed), as [`write_out_files`] does: all four whole or none, refused (unless `force`)
/// when `dir` holds files impactsim did not write.
pub fn write_out_dir(
    result: &RunResult,
    scenario: &Scenario,
    dir: &Path,
    force: bool,
) -> Result<(), Error> {
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("timeline.csv", timeline_csv(result, scenario)?),
        ("clients.csv", clients_csv(result)?),
        ("services.csv", services_csv(result)?),
        ("summary.json", json(result).into_bytes()),
    ];
    if !result.functions.is_empty() {
        files.push(("functions.csv", functions_csv(result)?));
    }
    write_out_files(dir, &files, force)
}

/// One row per client and business function; each breached tolerance gives the hours by
/// which it was exceeded (empty when kept or not set).
pub fn functions_csv(result: &RunResult) -> Result<Vec<u8>, Error> {
    let mut w = writer();
    w.write_record([
        "client",
        "function",
        "name",
        "weight",
        "people",
        "min_level",
        "first_disrupted_h",
        "disrupted_h",
        "longest_outage_h",
        "fallback_h",
        "longest_fallback_h",
        "restored_at_h",
        "data_lost_h",
        "people_hours",
        "weighted_people_hours",
        "mtpd_exceeded_by_h",
        "rto_exceeded_by_h",
        "mtn_exceeded_by_h",
        "rpo_exceeded_by_h",
    ])
    .map_err(csv_err)?;
    for f in &result.functions {
        let by = |tolerance: &str| {
            let b = f.breaches.iter().find(|b| b.tolerance == tolerance);
            opt(b.map(|b| b.by_h))
        };
        w.write_record([
            text_cell(&f.client),
            text_cell(&f.function),
            text_cell(&f.name),
            f.weight.to_string(),
            f.people.to_string(),
            f.min_level.to_string(),
            opt(f.first_disrupted_h),
            f.disrupted_h.to_string(),
            f.longest_outage_h.to_string(),
            f.fallback_h.to_string(),
            f.longest_fallback_h.to_string(),
            opt(f.restored_at_h),
            opt(f.data_lost_h),
            f.people_hours.to_string(),
            f.weighted_people_hours.to_string(),
            by("mtpd"),
            by("rto"),
            by("mtn"),
            by("rpo"),
        ])
        .map_err(csv_err)?;
    }
    finish(w)
}

/// `t_h,[time,]affected`: affected people sampled at every `step` from 0 to the horizon;
/// `time` (UTC, RFC 3339) when the scenario has a start.
pub fn timeline_csv(result: &RunResult, scenario: &Scenario) -> Result<Vec<u8>, Error> {
    let mut w = writer();
    let with_time = scenario.start_time.is_some();
    if with_time {
        w.write_record(["t_h", "time", "affected"])
            .map_err(csv_err)?;
    } else {
        w.write_record(["t_h", "affected"]).map_err(csv_err)?;
    }
    for (t, affected) in result.sampled(scenario.step, scenario.horizon) {
        let th = t.hours().to_string();
        let a = affected.to_string();
        if let Some(start) = scenario.start_time {
            let at = start
                .checked_add(jiff::SignedDuration::from_secs(t.0 as i64))
                .map(|ts| ts.to_string())
                .unwrap_or_default();
            w.write_record([th.as_str(), at.as_str(), a.as_str()])
                .map_err(csv_err)?;
        } else {
            w.write_record([th.as_str(), a.as_str()]).map_err(csv_err)?;
        }
    }
    finish(w)
}

/// One row per client.
pub fn clients_csv(result: &RunResult) -> Result<Vec<u8>, Error> {
    let mut w = writer();
    w.write_record([
        "id",
        "name",
        "population",
        "combine",
        "people_hours",
        "peak_affected",
        "first_affected_h",
        "recovered_at_h",
        "longest_outage_h",
        "interruptions",
    ])
    .map_err(csv_err)?;
    for c in &result.clients {
        w.write_record([
            text_cell(&c.id),
            text_cell(&c.name),
            c.population.to_string(),
            c.combine.to_string(),
            c.people_hours.to_string(),
            c.peak_affected.to_string(),
            opt(c.first_affected_h),
            opt(c.recovered_at_h),
            c.longest_outage_h.to_string(),
            c.interruptions.to_string(),
        ])
        .map_err(csv_err)?;
    }
    finish(w)
}

/// One row per site and service.
pub fn services_csv(result: &RunResult) -> Result<Vec<u8>, Error> {
    let mut w = writer();
    w.write_record([
        "id",
        "name",
        "kind",
        "unavailable_h",
        "restored_at_h",
        "fallback_h",
        "restarts",
        "rto_h",
        "rto_breaches",
        "longest_breach_h",
        "attributed_people_hours",
    ])
    .map_err(csv_err)?;
    for s in &result.services {
        let longest = s
            .rto_breaches
            .iter()
            .map(|b| b.duration_h)
            .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))));
        w.write_record([
            text_cell(&s.id),
            text_cell(&s.name),
            s.kind.to_string(),
            s.unavailable_h.to_string(),
            opt(s.restored_at_h),
            s.fallback_h.to_string(),
            s.restarts.to_string(),
            opt(s.rto_h),
            s.rto_breaches.len().to_string(),
            opt(longest),
            s.attributed_people_hours.to_string(),
        ])
        .map_err(csv_err)?;
    }
    finish(w)
}
