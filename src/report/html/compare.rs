//! The report of `compare`: the scenarios, a chart of people affected in each, and per
//! comparison the summary figures, clients, sites and services and RTO breaches against the
//! baseline, then each scenario's assumptions.

use super::charts::{self, label};
use super::table::{Cell, Table};
use super::{Page, assumptions};
use crate::compare::{BreachChange, Comparison, Input, ItemDiff, PatchUse, Side, Status, Versus};
use crate::error::Error;
use crate::format::{hours, thousands};
use crate::metrics::HOURS_PER_YEAR;

fn status(s: Status) -> &'static str {
    match s {
        Status::Same => "same",
        Status::Changed => "changed",
        Status::Added => "added",
        Status::Removed => "removed",
    }
}

fn breach_change(c: BreachChange) -> &'static str {
    match c {
        BreachChange::Appeared => "appeared",
        BreachChange::Disappeared => "disappeared",
        BreachChange::Longer => "longer",
        BreachChange::Shorter => "shorter",
        BreachChange::Same => "same",
    }
}

fn patch(p: PatchUse) -> &'static str {
    match p {
        PatchUse::None => "none",
        PatchUse::Applied => "applied",
        PatchUse::Removed => "left out (the baseline of the what-if)",
    }
}

/// A figure's value as a cell.
fn figure_cell(figure: &str, v: Option<f64>, recovery_none: bool) -> Cell {
    if figure == "recovered_at_h" && v.is_none() && recovery_none {
        return Cell::recovered(None);
    }
    super::mc::value(figure, v)
}

fn diff_cell(figure: &str, d: Option<f64>) -> Cell {
    if figure == "saifi" {
        match d {
            Some(x) => Cell::Num(Some(x), format!("{x:+.3}")),
            None => Cell::Num(None, "–".into()),
        }
    } else if figure.ends_with("_h") {
        Cell::hours_diff(d)
    } else {
        Cell::count_diff(d)
    }
}

fn ratio_cell(r: Option<f64>) -> Cell {
    match r {
        Some(x) if x.is_finite() => Cell::Num(Some(x), format!("{x:.3}×")),
        _ => Cell::Num(None, "–".into()),
    }
}

/// The HTML report of a comparison of `inputs` (as [`crate::compare::load`] gave them).
///
/// The timelines are those of the runs the comparison was made of.
pub fn compare_report(inputs: &[Input], c: &Comparison) -> Result<String, Error> {
    let chart = charts::compare(inputs, &c.results)?;
    let base = &c.baseline;
    let names: Vec<String> = std::iter::once(base)
        .chain(c.comparisons.iter().map(|v| &v.scenario))
        .map(|s| format!("{}: {}", s.label, s.title()))
        .collect();
    let models: Vec<&str> = std::iter::once(base.model.as_str())
        .chain(c.comparisons.iter().map(|v| v.scenario.model.as_str()))
        .collect();
    let mut model_names = models.clone();
    model_names.dedup();
    let mut p = Page::new(
        "comparison",
        &names.join(" · "),
        &format!(
            "Model {} · {} {} · horizon {}",
            model_names.join(", "),
            thousands(base.total_population as f64),
            base.population_label,
            hours(base.horizon_h)
        ),
    );
    let seed = "Plain, deterministic runs: every duration at its median, nothing drawn at random."
        .to_string();
    p.line(&seed);
    if c.models_differ {
        p.para(
            "warn",
            "The scenarios are of different models: ids are matched by name.",
        );
    }
    let mut links = vec![("scenarios".to_string(), "Scenarios".to_string())];
    for v in &c.comparisons {
        links.push((
            format!("vs-{}", v.scenario.label),
            format!("{} against {}", v.scenario.label, base.label),
        ));
    }
    links.push(("assumptions".into(), "Assumptions".into()));
    let refs: Vec<(&str, &str)> = links
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    p.nav(&refs);

    p.section("scenarios", "Scenarios");
    p.table(&sides_table(
        std::iter::once(base).chain(c.comparisons.iter().map(|v| &v.scenario)),
    ));
    p.figure(
        &chart,
        &format!(
            "{} affected over time in each scenario (a step at every change point)",
            base.population_label
        ),
    );
    p.end_section();

    for (k, v) in c.comparisons.iter().enumerate() {
        versus_section(&mut p, c, k, v);
    }

    p.section("assumptions", "Assumptions");
    for (i, input) in inputs.iter().enumerate() {
        let l = label(i);
        let side = if i == 0 {
            base
        } else {
            &c.comparisons[i - 1].scenario
        };
        p.h3(&format!("{l}: {}", side.title()));
        assumptions(&mut p, &input.scenario, &format!("-{l}"));
    }
    p.end_section();
    Ok(p.finish(&seed))
}

/// One scenario against the baseline: summary figures, clients, sites and services, RTO
/// breaches.
fn versus_section(p: &mut Page, c: &Comparison, k: usize, v: &Versus) {
    let base = &c.baseline;
    let b = &v.scenario.label;
    let a = &base.label;
    p.section(&format!("vs-{b}"), &format!("{b} against {a}"));
    p.para(
        "note",
        &format!("{b}: {}. {a}: {}.", v.scenario.title(), base.title()),
    );
    let mut t = Table::plain(format!("summary-{b}"))
        .text("figure", "figure")
        .num("baseline", a)
        .num("value", b)
        .num("difference", "difference")
        .num("ratio", "ratio");
    let base_r = &c.results[0];
    let this_r = &c.results[k + 1];
    for (figure, d) in &v.summary.0 {
        if *figure == "people_hours_per_year" && v.scenario.horizon_h < HOURS_PER_YEAR {
            continue;
        }
        t.row(vec![
            Cell::text(*figure),
            figure_cell(figure, d.baseline, base_r.recovered_at_h.is_none()),
            figure_cell(figure, d.value, this_r.recovered_at_h.is_none()),
            diff_cell(figure, d.difference),
            ratio_cell(d.ratio),
        ]);
    }
    p.table(&t);

    p.h3(&format!("Clients: people-hours, {b} against {a}"));
    p.table(&items_table(
        &format!("clients-{b}"),
        "clients",
        &v.clients,
        (a, b),
        false,
    ));
    p.h3(&format!(
        "Sites and services: unavailable time, {b} against {a}"
    ));
    p.table(&items_table(
        &format!("services-{b}"),
        "sites and services",
        &v.services,
        (a, b),
        true,
    ));
    p.h3(&format!("RTO breaches, {b} against {a}"));
    if v.rto_breaches.is_empty() {
        p.para("note", "No RTO breach on either side.");
    } else {
        let mut t = Table::new(format!("rto-{b}"), "RTO breaches")
            .text("id", "id")
            .text("status", "status")
            .num("baseline_h", &format!("{a}: time in breach"))
            .num("value_h", &format!("{b}: time in breach"))
            .num("difference_h", "difference")
            .primary()
            .num("baseline_count", &format!("{a}: breaches"))
            .num("value_count", &format!("{b}: breaches"))
            .order_note("id");
        for d in &v.rto_breaches {
            t.row(vec![
                Cell::text(&d.id),
                Cell::text(breach_change(d.status)),
                Cell::hours(d.baseline.map(|x| x.breach_h), "none"),
                Cell::hours(d.value.map(|x| x.breach_h), "none"),
                Cell::hours_diff(Some(d.difference_h)),
                Cell::count(d.baseline.map_or(0, |x| x.count) as f64),
                Cell::count(d.value.map_or(0, |x| x.count) as f64),
            ]);
        }
        p.table(&t);
    }
    p.end_section();
}

fn sides_table<'a>(sides: impl Iterator<Item = &'a Side>) -> Table {
    let mut t = Table::plain("scenarios-list")
        .text("label", "")
        .text("scenario", "scenario")
        .text("file", "file")
        .text("model", "model")
        .text("patch", "patch")
        .text("patched_ids", "patched ids")
        .num("population", "population")
        .num("horizon_h", "horizon");
    for s in sides {
        t.row(vec![
            Cell::text(&s.label),
            Cell::text(&s.scenario),
            Cell::text(&s.file),
            Cell::text(&s.model),
            Cell::text(patch(s.patch)),
            Cell::text(s.patched_ids.join(", ")),
            Cell::Num(
                Some(s.total_population as f64),
                format!(
                    "{} {}",
                    thousands(s.total_population as f64),
                    s.population_label
                ),
            ),
            Cell::hours(Some(s.horizon_h), ""),
        ]);
    }
    t
}

/// Clients (people-hours) or nodes (unavailable hours) on both sides, in the comparison's
/// order: the largest change first.
fn items_table(id: &str, what: &str, items: &[ItemDiff], (a, b): (&str, &str), h: bool) -> Table {
    let figure = if h { "unavailable" } else { "people-hours" };
    let mut t = Table::new(id, what)
        .text("id", "id")
        .text("name", "name")
        .primary()
        .text("status", "status")
        .num("baseline", &format!("{a}: {figure}"))
        .num("value", &format!("{b}: {figure}"))
        .num("difference", "difference")
        .primary()
        .num("ratio", "ratio")
        .order_note("the size of the change");
    for d in items {
        let (base, value, diff) = if h {
            (
                Cell::hours(d.baseline, "absent"),
                Cell::hours(d.value, "absent"),
                Cell::hours_diff(Some(d.difference)),
            )
        } else {
            (
                Cell::count_or(d.baseline, "absent"),
                Cell::count_or(d.value, "absent"),
                Cell::count_diff(Some(d.difference)),
            )
        };
        t.row(vec![
            Cell::text(&d.id),
            Cell::text(&d.name),
            Cell::text(status(d.status)),
            base,
            value,
            diff,
            ratio_cell(d.ratio),
        ]);
    }
    t
}
