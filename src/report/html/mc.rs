//! The report of a Monte Carlo study: percentiles and means of every figure, the bands of
//! people affected, per-client and per-service percentiles, and the scenario's assumptions.

use std::collections::HashMap;

use super::run::Tags;
use super::table::{Cell, Dir, Table};
use super::{Page, assumptions, charts};
use crate::error::Error;
use crate::format::{hours, thousands};
use crate::metrics::HOURS_PER_YEAR;
use crate::montecarlo::{CLIENT, McResult, SERVICE, SUMMARY, Stat, percentile_name};
use crate::scenario::Scenario;

/// How a figure is called in the report.
fn figure_label(figure: &str) -> &str {
    match figure {
        "peak_affected" => "peak affected",
        "peak_time_h" => "peak time",
        "people_hours" => "people-hours",
        "recovered_at_h" => "recovered",
        "saidi_h" => "SAIDI",
        "saifi" => "SAIFI",
        "caidi_h" => "CAIDI",
        "people_hours_per_year" => "people-hours per year",
        "first_affected_h" => "first affected",
        "longest_outage_h" => "longest outage",
        "unavailable_h" => "unavailable",
        "fallback_h" => "on fallback",
        "restarts" => "restarts",
        "rto_breaches" => "RTO breaches",
        "attributed_people_hours" => "attributed people-hours",
        "restored_at_h" => "restored",
        other => other,
    }
}

/// One value of `figure`, as a cell: hours as durations, SAIFI with three decimals, counts
/// with separators; infinite (never recovered) reads "not recovered".
pub(super) fn value(figure: &str, v: Option<f64>) -> Cell {
    if figure == "saifi" {
        Cell::fixed(v, 3)
    } else if figure.ends_with("_h") {
        Cell::hours(v, "–")
    } else {
        Cell::count_or(v, "–")
    }
}

/// The cells of one figure: each percentile, then the mean.
fn stat_cells(figure: &str, s: &Stat) -> impl Iterator<Item = Cell> {
    s.percentiles
        .iter()
        .map(move |p| value(figure, *p))
        .chain(std::iter::once(value(figure, s.mean)))
}

/// Adds a column per percentile and the mean of each of `figures`; the mean of `primary` is
/// marked as the sorted main figure.
fn stat_columns(mut t: Table, figures: &[&str], ps: &[f64], primary: &str) -> Table {
    for f in figures {
        for &p in ps {
            t = t.num(
                &format!("{f}_{}", percentile_name(p)),
                &format!("{} {}", figure_label(f), percentile_name(p)),
            );
        }
        t = t.num(&format!("{f}_mean"), &format!("{} mean", figure_label(f)));
        if *f == primary {
            t = t.primary().sorted(Dir::Descending);
        }
    }
    t
}

/// The mean of figure `k` of a row, for ordering (undefined last).
fn mean_of(stats: &[Stat], k: usize) -> f64 {
    stats
        .get(k)
        .and_then(|s| s.mean)
        .unwrap_or(f64::NEG_INFINITY)
}

/// The HTML report of a Monte Carlo study of `s`.
pub fn mc_report(r: &McResult, s: &Scenario) -> Result<String, Error> {
    let bands = charts::bands(r)?;
    let label = &r.population_label;
    let mut p = Page::new(
        "Monte Carlo",
        &r.scenario,
        &format!(
            "Model {} · {} clients · {} {} · horizon {} · {}",
            s.model.name,
            thousands(r.clients.len() as f64),
            thousands(r.total_population as f64),
            label,
            hours(r.horizon_h),
            r.combine
        ),
    );
    let ps: Vec<String> = r.percentiles.iter().map(|&x| percentile_name(x)).collect();
    let seed = format!(
        "Monte Carlo study of {} runs from seed {}; run i draws from its own seed, listed in runs.csv.",
        thousands(r.study.runs as f64),
        r.study.seed
    );
    p.line(&format!(
        "{} runs · seed {} · percentiles {}",
        thousands(r.study.runs as f64),
        r.study.seed,
        ps.join(", ")
    ));
    p.nav(&[
        ("summary", "Summary"),
        ("charts", "Charts"),
        ("clients", "Clients"),
        ("services", "Sites and services"),
        ("assumptions", "Assumptions"),
    ]);

    summary_section(&mut p, r, &ps);
    p.section("charts", "Charts");
    p.figure(
        &bands,
        &format!(
            "{label} affected over time: the percentiles {} and the mean over all runs, at every step",
            ps.join(", ")
        ),
    );
    p.end_section();

    let tags = Tags::of(s);
    clients_section(&mut p, r, s, &tags);
    services_section(&mut p, r, s, &tags);
    p.section("assumptions", "Assumptions");
    assumptions(&mut p, s, "");
    p.end_section();
    Ok(p.finish(&seed))
}

/// The summary figures' percentiles, means and intervals, and the study's facts.
fn summary_section(p: &mut Page, r: &McResult, ps: &[String]) {
    p.section("summary", "Summary");
    let mut t = Table::plain("summary-figures").text("figure", "figure");
    for name in ps {
        t = t.num(name, name);
    }
    t = t
        .num("mean", "mean")
        .text("ci95", "95% CI of the mean")
        .text("runs", "runs");
    for (figure, stat) in SUMMARY.iter().zip(&r.summary) {
        if *figure == "people_hours_per_year" && r.horizon_h < HOURS_PER_YEAR {
            continue;
        }
        let mut row = vec![Cell::text(figure_label(figure))];
        row.extend(stat_cells(figure, stat));
        row.push(Cell::text(stat.ci95.map_or_else(
            String::new,
            |(lo, hi)| {
                let text = |v| match value(figure, Some(v)) {
                    Cell::Num(_, shown) => shown,
                    _ => String::new(),
                };
                format!("{} – {}", text(lo), text(hi))
            },
        )));
        let runs = match stat.not_recovered.filter(|&n| n > 0) {
            Some(n) => format!(
                "{} defined, {} never recovered",
                thousands(stat.runs as f64),
                thousands(n as f64)
            ),
            None => format!("{} defined", thousands(stat.runs as f64)),
        };
        row.push(Cell::text(runs));
        t.row(row);
    }
    p.table(&t);
    p.facts(&[
        ("Runs", thousands(r.study.runs as f64)),
        ("Seed", r.study.seed.to_string()),
        (
            "Runs with warnings",
            format!(
                "{} (replay one with `impactsim run SCENARIO --seed SEED` to read them)",
                thousands(r.runs_with_warnings as f64)
            ),
        ),
        (
            "Runs with a deadlock",
            thousands(r.runs_with_deadlocks as f64),
        ),
    ]);
    p.end_section();
}

/// Every client's figures, the most mean people-hours first.
fn clients_section(p: &mut Page, r: &McResult, s: &Scenario, tags: &Tags) {
    let label = &r.population_label;
    let clients: HashMap<&str, (&str, u64)> = s
        .model
        .clients
        .iter()
        .map(|c| (c.id.as_str(), (c.name.as_str(), c.population)))
        .collect();
    p.section("clients", "Clients");
    let t = Table::new("clients", "clients")
        .text("id", "id")
        .text("name", "name")
        .primary()
        .tags("tags", "tags")
        .num("population", label);
    let mut t =
        stat_columns(t, &CLIENT, &r.percentiles, "people_hours").order_note("mean people-hours");
    let mut rows: Vec<_> = r.clients.iter().collect();
    rows.sort_by(|a, b| mean_of(&b.1, 0).total_cmp(&mean_of(&a.1, 0)));
    for (id, stats) in rows {
        let (name, population) = clients.get(id.as_str()).copied().unwrap_or(("", 0));
        let mut row = vec![
            Cell::text(id),
            Cell::text(name),
            tags.client(id),
            Cell::count(population as f64),
        ];
        for (f, st) in CLIENT.iter().zip(stats) {
            row.extend(stat_cells(f, st));
        }
        t.row(row);
    }
    p.table(&t);
    p.end_section();
}

/// Every site's and service's figures, the most mean unavailable hours first.
fn services_section(p: &mut Page, r: &McResult, s: &Scenario, tags: &Tags) {
    let nodes: HashMap<&str, (&str, &'static str)> = s
        .model
        .nodes
        .iter()
        .map(|n| {
            let kind = match n.kind {
                crate::model::NodeKind::Site => "site",
                crate::model::NodeKind::Service => "service",
            };
            (n.id.as_str(), (n.name(), kind))
        })
        .collect();
    p.section("services", "Sites and services");
    let t = Table::new("services", "sites and services")
        .text("id", "id")
        .text("name", "name")
        .primary()
        .text("kind", "kind")
        .tags("tags", "tags");
    let mut t = stat_columns(t, &SERVICE, &r.percentiles, "unavailable_h")
        .order_note("mean unavailable hours");
    let mut rows: Vec<_> = r.services.iter().collect();
    rows.sort_by(|a, b| mean_of(&b.1, 0).total_cmp(&mean_of(&a.1, 0)));
    for (id, stats) in rows {
        let (name, kind) = nodes.get(id.as_str()).copied().unwrap_or(("", ""));
        let mut row = vec![
            Cell::text(id),
            Cell::text(name),
            Cell::text(kind),
            tags.node(id),
        ];
        for (f, st) in SERVICE.iter().zip(stats) {
            row.extend(stat_cells(f, st));
        }
        t.row(row);
    }
    p.table(&t);
    p.end_section();
}
