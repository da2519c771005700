//! The outputs of `compare`: the terminal table, one JSON object, and CSV in long format.

use std::fmt::Write;

use super::csv::{csv_err, finish, opt, text_cell, writer};
use crate::compare::{
    BreachChange, Breaches, Comparison, Diff, ItemDiff, PatchUse, Status, Versus,
};
use crate::error::Error;
use crate::format::{hours, thousands};

fn cut(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width - 1).collect();
        t.push('…');
        t
    }
}

/// How a figure reads: its row title and how its values are written.
fn title(figure: &str) -> &'static str {
    match figure {
        "peak_affected" => "Peak affected",
        "peak_time_h" => "Peak at",
        "people_hours" => "People-hours",
        "recovered_at_h" => "Recovered",
        "saidi_h" => "SAIDI (h)",
        "saifi" => "SAIFI",
        "caidi_h" => "CAIDI (h)",
        "people_hours_per_year" => "People-hours per year",
        "weighted_people_hours" => "Weighted people-hours",
        "tolerance_breaches" => "Tolerances breached",
        _ => "",
    }
}

fn is_time(figure: &str) -> bool {
    matches!(figure, "peak_time_h" | "recovered_at_h")
}

fn value(figure: &str, x: Option<f64>) -> String {
    match x {
        None if figure == "recovered_at_h" => "not recovered".into(),
        None => "–".into(),
        Some(v) => match figure {
            "peak_time_h" | "recovered_at_h" => hours(v),
            "saifi" => format!("{v:.3}"),
            "saidi_h" | "caidi_h" => format!("{v:.2}"),
            _ => thousands(v),
        },
    }
}

/// A signed duration: `+1d 2h`, `-30m`, `0h`; a change under half a minute reads `+<1m`.
fn signed_hours(d: f64) -> String {
    let sign = if d < 0.0 { "-" } else { "+" };
    if d == 0.0 {
        "0h".into()
    } else if d.abs() * 60.0 < 0.5 {
        format!("{sign}<1m")
    } else {
        format!("{sign}{}", hours(d.abs()))
    }
}

fn difference(figure: &str, d: Option<f64>) -> String {
    let Some(d) = d else {
        return "–".into();
    };
    if is_time(figure) {
        return signed_hours(d);
    }
    let text = match figure {
        "saifi" => format!("{:.3}", d.abs()),
        "saidi_h" | "caidi_h" => format!("{:.2}", d.abs()),
        _ => thousands(d.abs()),
    };
    match d {
        _ if d > 0.0 => format!("+{text}"),
        _ if d < 0.0 => format!("-{text}"),
        _ => text,
    }
}

fn ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "–".into(), |r| format!("{r:.3}"))
}

/// The terminal comparison: who is compared, then per scenario its summary figures, the
/// clients and nodes that changed most (`top` of each) and the RTO breaches that changed.
pub fn table(c: &Comparison, top: usize) -> String {
    let mut o = String::new();
    let base = &c.baseline;
    let n = c.comparisons.len() + 1;
    if base.patch == PatchUse::Removed {
        let _ = writeln!(
            o,
            "One scenario without and with its patch, model {}; A is the baseline",
            base.model
        );
    } else if c.models_differ {
        let _ = writeln!(
            o,
            "{n} scenarios of different models; A is the baseline, ids are matched by name"
        );
    } else {
        let _ = writeln!(
            o,
            "{n} scenarios of the model {}; A is the baseline",
            base.model
        );
    }
    // How uses combine: once when every scenario says the same, else under each.
    let combines: Vec<String> = c
        .results
        .iter()
        .map(|r| crate::metrics::combine_line(r.combine, r.clients.iter().map(|x| x.combine)))
        .collect();
    let one_way = combines.windows(2).all(|w| w[0] == w[1]);
    if one_way && let Some(line) = combines.first() {
        let _ = writeln!(o, "{line}");
    }
    let sides = std::iter::once(base).chain(c.comparisons.iter().map(|v| &v.scenario));
    for (i, s) in sides.enumerate() {
        let model = if c.models_differ {
            format!(" · model {}", s.model)
        } else {
            String::new()
        };
        let title = format!("{}{model}", s.title());
        let _ = writeln!(o, "  {:<2} {}", s.label, cut(&title, 85 - 5));
        let _ = writeln!(o, "     {}", s.file);
        if !one_way {
            let _ = writeln!(o, "     {}", combines[i]);
        }
        if !s.patched_ids.is_empty() {
            let verb = match s.patch {
                PatchUse::Removed => "patch left out",
                _ => "patch",
            };
            let ids = s.patched_ids.join(", ");
            let _ = writeln!(o, "     {verb}: {}", cut(&ids, 85 - 7 - verb.len()));
        }
    }
    for v in &c.comparisons {
        versus(&mut o, v, &base.label, &base.population_label, top);
    }
    o
}

fn versus(o: &mut String, v: &Versus, a: &str, label: &str, top: usize) {
    let b = &v.scenario.label;
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{:<26} {:>16} {:>16} {:>16} {:>7}",
        format!("{b} against {a}"),
        a,
        b,
        "difference",
        "ratio"
    );
    for (figure, d) in &v.summary.0 {
        let mut name = title(figure).to_string();
        if *figure == "peak_affected" {
            name = cut(&format!("{name} ({label})"), 24);
        }
        let _ = writeln!(
            o,
            "  {name:<24} {:>16} {:>16} {:>16} {:>7}",
            value(figure, d.baseline),
            value(figure, d.value),
            difference(figure, d.difference),
            ratio(d.ratio)
        );
    }

    items(
        o,
        &v.clients,
        top,
        ("Clients, people-hours", "clients", "people-hours"),
        (a, b),
        |x| value("people_hours", Some(x)),
        |d| difference("people_hours", Some(d)),
    );
    items(
        o,
        &v.services,
        top,
        ("Nodes, unavailable", "sites and services", "unavailability"),
        (a, b),
        hours,
        signed_hours,
    );
    breaches(o, v, top, (a, b));
}

/// The ids whose value changed (or that are on one side only), the largest change first.
fn items(
    o: &mut String,
    list: &[ItemDiff],
    top: usize,
    (heading, what, figure): (&str, &str, &str),
    (a, b): (&str, &str),
    show: impl Fn(f64) -> String,
    show_diff: impl Fn(f64) -> String,
) {
    let changed: Vec<_> = list.iter().filter(|i| i.status != Status::Same).collect();
    let _ = writeln!(o);
    if changed.is_empty() {
        let _ = writeln!(o, "  {heading}: no change in {figure}");
        return;
    }
    let _ = writeln!(
        o,
        "  {:<24} {:>16} {:>16} {:>16} {:>7}",
        heading, a, b, "difference", "ratio"
    );
    for i in changed.iter().take(top) {
        let ratio = match i.status {
            Status::Added => "added".into(),
            Status::Removed => "removed".into(),
            _ => ratio(i.ratio),
        };
        let _ = writeln!(
            o,
            "  {:<24} {:>16} {:>16} {:>16} {:>7}",
            cut(&i.id, 24),
            i.baseline.map_or_else(|| "–".into(), &show),
            i.value.map_or_else(|| "–".into(), &show),
            show_diff(i.difference),
            ratio
        );
    }
    if changed.len() > top {
        let _ = writeln!(
            o,
            "  … and {} more {what} changed (all of them in --json and --csv)",
            changed.len() - top
        );
    }
}

fn breach_cell(b: Option<Breaches>) -> String {
    match b {
        None => "–".into(),
        Some(b) => {
            let more = if b.ongoing { "+" } else { "" };
            if b.count == 1 {
                format!("{}{more}", hours(b.breach_h))
            } else {
                format!("{}{more} in {}", hours(b.breach_h), b.count)
            }
        }
    }
}

/// RTO breaches that appear, disappear, or take longer or shorter in total.
fn breaches(o: &mut String, v: &Versus, top: usize, (a, b): (&str, &str)) {
    let changed: Vec<_> = v
        .rto_breaches
        .iter()
        .filter(|x| x.status != BreachChange::Same)
        .collect();
    if v.rto_breaches.is_empty() {
        return;
    }
    let _ = writeln!(o);
    if changed.is_empty() {
        let _ = writeln!(
            o,
            "  RTO breaches: the same nodes, as long ({} of them)",
            v.rto_breaches.len()
        );
        return;
    }
    let _ = writeln!(o, "  {:<24} {a:>16} {b:>16}   change", "RTO breaches (id)");
    for x in changed.iter().take(top) {
        let change = match x.status {
            BreachChange::Longer => format!("longer by {}", hours(x.difference_h)),
            BreachChange::Shorter => format!("shorter by {}", hours(-x.difference_h)),
            other => other.as_str().to_string(),
        };
        let _ = writeln!(
            o,
            "  {:<24} {:>16} {:>16}   {change}",
            cut(&x.id, 24),
            breach_cell(x.baseline),
            breach_cell(x.value),
        );
    }
    if changed.len() > top {
        let _ = writeln!(
            o,
            "  … and {} more changed (all of them in --json and --csv)",
            changed.len() - top
        );
    }
    let same = v.rto_breaches.len() - changed.len();
    if same > 0 {
        let _ = writeln!(o, "  {same} more with the same breaches on both sides");
    }
}

/// The whole comparison as pretty JSON, one object.
pub fn json(c: &Comparison) -> String {
    super::pretty_json(c)
}

/// The comparison in long format, one figure per row:
/// `scope,id,figure,scenario,file,status,value,baseline,difference,ratio`.
///
/// `scope` is `summary` (no id), `client` (figure `people_hours`), `service` (figure
/// `unavailable_h`) or `rto` (figures `breach_h` and `breaches`, nodes with breaches on
/// either side only). `scenario` and `file` name the scenario compared with the baseline.
/// Empty cells are undefined or absent values, as in every other CSV.
pub fn csv(c: &Comparison) -> Result<Vec<u8>, Error> {
    let mut w = writer();
    w.write_record([
        "scope",
        "id",
        "figure",
        "scenario",
        "file",
        "status",
        "value",
        "baseline",
        "difference",
        "ratio",
    ])
    .map_err(csv_err)?;
    for v in &c.comparisons {
        let name = text_cell(&v.scenario.title());
        let file = text_cell(&v.scenario.file);
        let mut row =
            |scope: &str, id: &str, figure: &str, status: &str, d: Diff| -> Result<(), Error> {
                w.write_record([
                    scope.to_string(),
                    text_cell(id),
                    figure.to_string(),
                    name.clone(),
                    file.clone(),
                    status.to_string(),
                    opt(d.value),
                    opt(d.baseline),
                    opt(d.difference),
                    opt(d.ratio),
                ])
                .map_err(csv_err)
            };
        for (figure, d) in &v.summary.0 {
            let status = if d.is_same() { "same" } else { "changed" };
            row("summary", "", figure, status, *d)?;
        }
        for (scope, figure, list) in [
            ("client", "people_hours", &v.clients),
            ("service", "unavailable_h", &v.services),
        ] {
            for it in list {
                let d = Diff {
                    baseline: it.baseline,
                    value: it.value,
                    difference: Some(it.difference),
                    ratio: it.ratio,
                };
                row(scope, &it.id, figure, it.status.as_str(), d)?;
            }
        }
        for b in &v.rto_breaches {
            let status = b.status.as_str();
            let h = |x: Option<Breaches>| x.map(|x| x.breach_h);
            row(
                "rto",
                &b.id,
                "breach_h",
                status,
                Diff {
                    baseline: h(b.baseline),
                    value: h(b.value),
                    difference: Some(b.difference_h),
                    ratio: None,
                },
            )?;
            let n = |x: Option<Breaches>| Some(x.map_or(0.0, |x| x.count as f64));
            let (nb, nv) = (n(b.baseline), n(b.value));
            row("rto", &b.id, "breaches", status, Diff::of(nb, nv))?;
        }
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_values() {
        assert_eq!(signed_hours(-26.0), "-1d 2h");
        assert_eq!(signed_hours(0.5), "+30m");
        assert_eq!(signed_hours(0.0), "0h");
        assert_eq!(signed_hours(0.001), "+<1m");
        assert_eq!(difference("people_hours", Some(-20.0)), "-20");
        assert_eq!(difference("people_hours", Some(1234.0)), "+1,234");
        assert_eq!(difference("recovered_at_h", None), "–");
        assert_eq!(value("recovered_at_h", None), "not recovered");
        assert_eq!(value("caidi_h", None), "–");
    }
}
