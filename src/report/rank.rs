//! The outputs of `rank`: the terminal table, JSON, and CSV of the single losses.

use std::fmt::Write as _;

use super::csv::{csv_err, finish, text_cell, writer};
use crate::error::Error;
use crate::format::{self, hours, thousands};
use crate::measure::Measure;
use crate::rank::{Ranking, Single};

/// The terminal table.
pub fn table(r: &Ranking, top: usize) -> String {
    let mut o = String::new();
    let label = &r.population_label;
    let _ = writeln!(
        o,
        "{} — every site and service lost alone for {}, then restarted",
        r.model,
        hours(r.duration_h)
    );
    let whom = if r.cut_off >= 1.0 {
        format!("all its {label}")
    } else {
        format!("at least {}% of its {label}", r.cut_off * 100.0)
    };
    let _ = writeln!(o, "A client is cut off with {whom} affected. {}", r.combine);
    // Ranked by a measure of the business functions: its column comes first.
    let measured = |s: &Single| match r.measure? {
        Measure::ToleranceBreaches => s.tolerance_breaches.map(|b| b.to_string()),
        _ => s.weighted_people_hours.map(thousands),
    };
    let head = match r.measure {
        Some(m @ Measure::ToleranceBreaches) => format!("{:>8} ", m.column()),
        Some(m) => format!("{:>15} ", m.column()),
        None => String::new(),
    };
    if let Some(m) = r.measure {
        let _ = writeln!(o, "Losses ranked by the business functions' {}.", m.label());
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "  {:<26} {head}{:>15} {:>12} {:>7}  cut off",
        "loss of", "people-hours", "peak", "clients"
    );
    for s in r.singles.iter().take(top) {
        let cut = if s.cut_off.is_empty() {
            "–".to_string()
        } else {
            format!(
                "{} ({} {label})",
                s.cut_off.len(),
                thousands(s.people_cut_off as f64)
            )
        };
        let value = match measured(s) {
            Some(v) => format!("{v:>width$} ", width = head.len() - 1),
            None => String::new(),
        };
        let _ = writeln!(
            o,
            "  {:<26} {value}{:>15} {:>12} {:>7}  {cut}",
            format::cut(&s.id, 26),
            thousands(s.people_hours),
            thousands(s.peak_affected),
            s.clients_hit
        );
    }
    if r.singles.len() > top {
        let _ = writeln!(o, "  … and {} more", r.singles.len() - top);
    }
    let spofs: Vec<&Single> = r.singles.iter().filter(|s| !s.cut_off.is_empty()).collect();
    let _ = writeln!(o);
    if spofs.is_empty() {
        let _ = writeln!(o, "  No single loss cuts off a whole client.");
    } else {
        let _ = writeln!(
            o,
            "  Single points of failure: {} of {} sites and services cut off whole clients.",
            spofs.len(),
            r.singles.len()
        );
    }
    if r.order >= 2 {
        let _ = writeln!(o);
        if r.pairs.is_empty() {
            let _ = writeln!(
                o,
                "  No pair cuts off a client that neither loss alone does ({} pairs tried).",
                r.pairs_tried
            );
        } else {
            let _ = writeln!(
                o,
                "  Pairs that cut off clients neither alone does (redundancy that is not there):"
            );
            for p in r.pairs.iter().take(top) {
                let _ = writeln!(
                    o,
                    "  {:<26} + {:<26} {} {label} in {} clients",
                    format::cut(&p.ids[0], 26),
                    format::cut(&p.ids[1], 26),
                    thousands(p.people_cut_off as f64),
                    p.cut_off.len()
                );
            }
            if r.pairs.len() > top {
                let _ = writeln!(o, "  … and {} more", r.pairs.len() - top);
            }
        }
        if r.pairs_untried > 0 {
            let _ = writeln!(
                o,
                "  Up to {} more candidate pairs were not tried (--max-pairs {}).",
                r.pairs_untried, r.pairs_tried
            );
        }
    }
    o
}

/// The ranking as pretty JSON.
pub fn json(r: &Ranking) -> String {
    super::pretty_json(r)
}

/// CSV of the single losses: rank, id, kind, people_hours, peak_affected, clients_hit,
/// clients_cut_off, people_cut_off, recovered_at_h.
pub fn csv(r: &Ranking) -> Result<Vec<u8>, Error> {
    let mut w = writer();
    w.write_record([
        "rank",
        "id",
        "kind",
        "people_hours",
        "peak_affected",
        "clients_hit",
        "clients_cut_off",
        "people_cut_off",
        "recovered_at_h",
    ])
    .map_err(csv_err)?;
    for (i, s) in r.singles.iter().enumerate() {
        w.write_record([
            (i + 1).to_string(),
            text_cell(&s.id),
            s.kind.to_string(),
            s.people_hours.to_string(),
            s.peak_affected.to_string(),
            s.clients_hit.to_string(),
            s.cut_off.len().to_string(),
            s.people_cut_off.to_string(),
            s.recovered_at_h.map_or(String::new(), |h| h.to_string()),
        ])
        .map_err(csv_err)?;
    }
    finish(w)
}
