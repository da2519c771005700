//! The CSV files of `run --out`. Text cells that a spreadsheet would run as a formula (they
//! begin with `=`, `+`, `-` or `@`) get an apostrophe in front; every text cell is quoted.

use crate::error::Error;
use crate::metrics::RunResult;
use crate::scenario::Scenario;

pub(crate) fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::NonNumeric)
        .from_writer(Vec::new())
}

pub(crate) fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, Error> {
    w.into_inner().map_err(|e| Error::Usage {
        message: format!("writing CSV: {e}"),
    })
}

pub(crate) fn csv_err(e: csv::Error) -> Error {
    Error::Usage {
        message: format!("writing CSV: {e}"),
    }
}

/// A text cell made safe for spreadsheets.
pub(crate) fn text_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

pub(crate) fn opt(x: Option<f64>) -> String {
    x.map_or_else(String::new, |v| v.to_string())
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

#[cfg(test)]
mod tests {
    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(super::text_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(super::text_cell("-x"), "'-x");
        assert_eq!(super::text_cell("sbk"), "sbk");
    }
}
