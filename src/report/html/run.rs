//! The report of one run: headline figures, the timeline and events charts, clients,
//! services and RTO breaches, and the scenario's assumptions.

use std::collections::HashMap;

use super::table::{Cell, Dir, Table};
use super::{Page, assumptions, charts};
use crate::chart::Chart;
use crate::error::Error;
use crate::format::{hours, thousands};
use crate::metrics::{HOURS_PER_YEAR, RunResult};
use crate::scenario::Scenario;

/// Tags by id, for clients and for nodes.
pub(super) struct Tags<'a> {
    clients: HashMap<&'a str, &'a [String]>,
    nodes: HashMap<&'a str, &'a [String]>,
}

impl<'a> Tags<'a> {
    pub(super) fn of(s: &'a Scenario) -> Tags<'a> {
        Tags {
            clients: s
                .model
                .clients
                .iter()
                .map(|c| (c.id.as_str(), c.tags.as_slice()))
                .collect(),
            nodes: s
                .model
                .nodes
                .iter()
                .map(|n| (n.id.as_str(), n.tags.as_slice()))
                .collect(),
        }
    }

    pub(super) fn client(&self, id: &str) -> Cell {
        Cell::Tags(self.clients.get(id).map_or_else(Vec::new, |t| t.to_vec()))
    }

    pub(super) fn node(&self, id: &str) -> Cell {
        Cell::Tags(self.nodes.get(id).map_or_else(Vec::new, |t| t.to_vec()))
    }
}

/// The seed sentence of a run, for the header and the footer.
fn seed_text(r: &RunResult) -> String {
    match r.seed {
        Some(seed) => format!(
            "Monte Carlo sample drawn from seed {seed} (replay it with `impactsim run SCENARIO --seed {seed}`)."
        ),
        None => {
            "Deterministic run: every duration at its median, nothing drawn at random.".to_string()
        }
    }
}

/// The HTML report of one run of `s`, with the charts of that run (its timeline and its
/// Gantt chart, from [`crate::chart::run_with_charts`]).
pub fn run_report(
    r: &RunResult,
    s: &Scenario,
    timeline: &Chart,
    gantt: &Chart,
) -> Result<String, Error> {
    let timeline = charts::run_chart(timeline)?;
    let gantt = charts::run_chart(gantt)?;
    let label = &r.population_label;
    let mut p = Page::new(
        "run",
        &r.scenario,
        &format!(
            "Model {} · {} clients · {} {} · horizon {} · {}",
            r.model,
            thousands(r.clients.len() as f64),
            thousands(r.total_population as f64),
            label,
            hours(r.horizon_h),
            crate::metrics::combine_line(r.combine, r.clients.iter().map(|c| c.combine))
        ),
    );
    let seed = seed_text(r);
    p.line(&seed);
    let mut nav = vec![
        ("summary", "Summary"),
        ("charts", "Charts"),
        ("clients", "Clients"),
    ];
    if !r.functions.is_empty() {
        nav.push(("functions", "Business functions"));
    }
    nav.extend([
        ("services", "Sites and services"),
        ("rto", "RTO breaches"),
        ("assumptions", "Assumptions"),
    ]);
    p.nav(&nav);

    p.section("summary", "Summary");
    p.cards(&summary_cards(r));
    if !r.deadlocks.is_empty() {
        p.h3("Cold-start deadlocks");
        p.para(
            "warn",
            "These nodes wait on each other and never come back by themselves:",
        );
        p.list(r.deadlocks.iter().map(|d| d.join(", ")));
    }
    if !r.warnings.is_empty() {
        p.h3("Warnings");
        p.list(r.warnings.iter().cloned());
    }
    p.end_section();

    p.section("charts", "Charts");
    p.figure(
        &timeline,
        &format!("{label} affected over time, stacked by client group (a client's first tag)"),
    );
    p.figure(
        &gantt,
        "Own state and fallback mode of every site and service that changes, the most unavailable first",
    );
    p.end_section();

    let tags = Tags::of(s);
    p.section("clients", "Clients");
    p.table(&clients_table(r, &tags));
    p.end_section();

    if !r.functions.is_empty() {
        p.section("functions", "Business functions");
        p.table(&functions_table(r));
        p.end_section();
    }

    p.section("services", "Sites and services");
    p.table(&services_table(r, &tags));
    p.end_section();

    p.section("rto", "RTO breaches");
    let breaches = rto_table(r);
    if breaches.is_empty() {
        p.para(
            "note",
            "No site or service stayed down longer than its RTO.",
        );
    } else {
        p.table(&breaches.table);
    }
    p.end_section();

    p.section("assumptions", "Assumptions");
    assumptions(&mut p, s, "");
    p.end_section();
    Ok(p.finish(&seed))
}

fn summary_cards(r: &RunResult) -> Vec<(String, String, String)> {
    let label = &r.population_label;
    let share = if r.total_population > 0 {
        100.0 * r.peak_affected / r.total_population as f64
    } else {
        0.0
    };
    let breaches: usize = r.services.iter().map(|s| s.rto_breaches.len()).sum();
    let breached = r
        .services
        .iter()
        .filter(|s| !s.rto_breaches.is_empty())
        .count();
    let per_year = if r.horizon_h >= HOURS_PER_YEAR {
        format!("{} per year", thousands(r.people_hours_per_year))
    } else {
        String::new()
    };
    vec![
        (
            "Peak affected".into(),
            format!("{} {label}", thousands(r.peak_affected)),
            format!("{share:.1}% at {}", hours(r.peak_time_h)),
        ),
        ("People-hours".into(), thousands(r.people_hours), per_year),
        (
            "Recovered".into(),
            r.recovered_at_h
                .map_or_else(|| "not recovered".to_string(), hours),
            if r.recovered_at_h.is_none() {
                "by the horizon".into()
            } else {
                "everyone back".into()
            },
        ),
        (
            "SAIDI".into(),
            format!("{:.2} h", r.saidi_h),
            "interruption hours per person".into(),
        ),
        (
            "SAIFI".into(),
            format!("{:.3}", r.saifi),
            "interruptions per person".into(),
        ),
        (
            "CAIDI".into(),
            r.caidi_h
                .map_or_else(|| "–".to_string(), |c| format!("{c:.2} h")),
            "hours per interruption".into(),
        ),
        (
            "RTO breaches".into(),
            thousands(breaches as f64),
            format!("at {breached} sites and services"),
        ),
        (
            "Deadlocks".into(),
            thousands(r.deadlocks.len() as f64),
            "cold-start deadlocks".into(),
        ),
    ]
}

fn clients_table(r: &RunResult, tags: &Tags) -> Table {
    let label = &r.population_label;
    let mut t = Table::new("clients", "clients")
        .text("id", "id")
        .text("name", "name")
        .primary()
        .tags("tags", "tags")
        .num("population", label)
        .num("people_hours", "people-hours")
        .primary()
        .sorted(Dir::Descending)
        .num("peak_affected", "peak affected")
        .num("first_affected_h", "first affected")
        .num("recovered_at_h", "recovered")
        .num("longest_outage_h", "longest outage")
        .num("interruptions", "interruptions")
        .order_note("people-hours");
    let mut clients: Vec<_> = r.clients.iter().collect();
    clients.sort_by(|a, b| b.people_hours.total_cmp(&a.people_hours));
    for c in clients {
        t.row(vec![
            Cell::text(&c.id),
            Cell::text(&c.name),
            tags.client(&c.id),
            Cell::count(c.population as f64),
            Cell::count(c.people_hours),
            Cell::count(c.peak_affected),
            Cell::hours(c.first_affected_h, "never"),
            Cell::recovered(c.recovered_at_h),
            Cell::hours(Some(c.longest_outage_h), ""),
            Cell::count(c.interruptions as f64),
        ]);
    }
    t
}

/// A row per client and business function, the largest weighted people-hours first.
fn functions_table(r: &RunResult) -> Table {
    let mut t = Table::new("functions", "client functions")
        .text("client", "client")
        .text("function", "function")
        .primary()
        .num("weight", "weight")
        .num("people", &r.population_label)
        .num("weighted_people_hours", "weighted people-hours")
        .primary()
        .sorted(Dir::Descending)
        .num("disrupted_h", "disrupted")
        .num("longest_outage_h", "longest outage")
        .num("fallback_h", "on fallback")
        .num("restored_at_h", "restored")
        .num("data_lost_h", "data lost")
        .text("breaches", "tolerances breached")
        .order_note("weighted people-hours");
    let mut rows: Vec<_> = r.functions.iter().collect();
    rows.sort_by(|a, b| b.weighted_people_hours.total_cmp(&a.weighted_people_hours));
    for f in rows {
        t.row(vec![
            Cell::text(&f.client),
            Cell::text(&f.name),
            Cell::fixed(Some(f.weight), 1),
            Cell::count(f.people as f64),
            Cell::count(f.weighted_people_hours),
            Cell::hours(Some(f.disrupted_h), ""),
            Cell::hours(Some(f.longest_outage_h), ""),
            Cell::hours(Some(f.fallback_h), ""),
            Cell::recovered(f.restored_at_h),
            Cell::hours(f.data_lost_h, "–"),
            Cell::text(crate::report::run::breaches_text(&f.breaches)),
        ]);
    }
    t
}

fn services_table(r: &RunResult, tags: &Tags) -> Table {
    let mut t = Table::new("services", "sites and services")
        .text("id", "id")
        .text("name", "name")
        .primary()
        .text("kind", "kind")
        .tags("tags", "tags")
        .num("unavailable_h", "unavailable")
        .primary()
        .sorted(Dir::Descending)
        .num("fallback_h", "on fallback")
        .num("restarts", "restarts")
        .num("rto_h", "RTO")
        .num("rto_breaches", "RTO breaches")
        .num("attributed_people_hours", "attributed people-hours")
        .order_note("unavailable hours");
    let mut services: Vec<_> = r.services.iter().collect();
    services.sort_by(|a, b| b.unavailable_h.total_cmp(&a.unavailable_h));
    for s in services {
        t.row(vec![
            Cell::text(&s.id),
            Cell::text(&s.name),
            Cell::text(s.kind),
            tags.node(&s.id),
            Cell::hours(Some(s.unavailable_h), ""),
            Cell::hours(Some(s.fallback_h), ""),
            Cell::count(s.restarts as f64),
            Cell::hours(s.rto_h, "–"),
            Cell::count(s.rto_breaches.len() as f64),
            Cell::count(s.attributed_people_hours),
        ]);
    }
    t
}

struct Breaches {
    table: Table,
    rows: usize,
}

impl Breaches {
    fn is_empty(&self) -> bool {
        self.rows == 0
    }
}

fn rto_table(r: &RunResult) -> Breaches {
    let mut t = Table::new("rto", "RTO breaches")
        .text("id", "id")
        .text("name", "name")
        .num("rto_h", "RTO")
        .num("start_h", "down from")
        .sorted(Dir::Ascending)
        .num("breached_at_h", "breached at")
        .num("duration_h", "lasted")
        .primary()
        .text("ongoing", "ongoing at the horizon")
        .num(
            "people_affected",
            &format!("{} affected", r.population_label),
        )
        .order_note("start");
    let mut rows = Vec::new();
    for s in &r.services {
        for b in &s.rto_breaches {
            rows.push((s, b));
        }
    }
    rows.sort_by(|a, b| a.1.start_h.total_cmp(&b.1.start_h));
    let n = rows.len();
    for (s, b) in rows {
        t.row(vec![
            Cell::text(&s.id),
            Cell::text(&s.name),
            Cell::hours(s.rto_h, "–"),
            Cell::hours(Some(b.start_h), ""),
            Cell::hours(Some(b.breached_at_h), ""),
            Cell::hours(Some(b.duration_h), ""),
            Cell::text(if b.ongoing { "yes" } else { "no" }),
            Cell::count(b.people_affected),
        ]);
    }
    Breaches { table: t, rows: n }
}
