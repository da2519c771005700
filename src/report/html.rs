//! The HTML report of `run`, `montecarlo` and `compare` (`--report FILE.html`): one
//! self-contained file with the summary figures, charts as inline SVG, sortable and
//! filterable tables, and the scenario's assumptions.
//!
//! Safety rules, each held by a test:
//! - every string that comes from a model or scenario file goes through [`escape`], in text
//!   and in attributes alike (tables escape every cell they render);
//! - the one `<script>` is a constant ([`SCRIPT`]); it reads its data from the DOM, so no
//!   model string is ever inside a script or an event-handler attribute;
//! - a Content-Security-Policy meta tag forbids everything external and allows only that
//!   script, by its SHA-256 hash, computed by the compiler from the embedded bytes.
//!
//! The file is reproducible: the same inputs give the same bytes (no generation time).

mod charts;
mod compare;
mod mc;
mod run;
mod table;

use std::borrow::Cow;
use std::fmt::Write;
use std::path::Path;

use crate::error::Error;
use crate::scenario::{Action, Scenario};

pub use compare::compare_report;
pub use mc::mc_report;
pub use run::run_report;

/// The report's script: sorting, filtering and the `#selftest` check. A constant.
pub const SCRIPT: &str = include_str!("html/report.js");
/// The report's stylesheet.
const STYLE: &str = include_str!("html/report.css");
/// SHA-256 of [`SCRIPT`] in base64, as the CSP's `script-src` names it.
fn script_hash() -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(SCRIPT.as_bytes()))
}

/// The most rows a table lists; bigger tables keep the rows that matter most (the note under
/// the table says which), so that a report of a million-node model still opens.
pub const MAX_ROWS: usize = 5_000;
/// The most target ids an event lists.
const MAX_TARGETS: usize = 50;

/// The Content-Security-Policy of every report: nothing external, inline styles, and only
/// the script whose hash this is.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{}'; \
         base-uri 'none'; form-action 'none'",
        script_hash()
    )
}

/// `s` with `&`, `<`, `>`, `"` and `'` replaced by character references: safe in HTML and
/// SVG text and in quoted attribute values.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Writes `html` to `file`, whole or not at all (a temporary file beside it, then a rename).
pub fn write_report(file: &Path, html: &str) -> Result<(), Error> {
    crate::output::write_file(file, html.as_bytes().to_vec(), "--report")
}

/// A page being written: the head on creation, the footer and the script on [`Page::finish`].
pub(crate) struct Page {
    out: String,
}

impl Page {
    /// Starts a page: `kind` is "run", "Monte Carlo" or "comparison"; `title` and `subtitle`
    /// are raw (escaped here).
    fn new(kind: &str, title: &str, subtitle: &str) -> Page {
        let mut out = String::with_capacity(64 * 1024);
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"impactsim {version}\">\n\
             <title>{title} — {kind} · impactsim</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
             <header>\n<p class=\"kicker\">impactsim report · {kind}</p>\n<h1>{title}</h1>\n\
             <p class=\"sub\">{subtitle}</p>\n",
            csp = content_security_policy(),
            version = env!("CARGO_PKG_VERSION"),
            title = escape(title),
            kind = escape(kind),
            subtitle = escape(subtitle),
        );
        Page { out }
    }

    /// A line under the subtitle (raw text, escaped here).
    fn line(&mut self, text: &str) {
        let _ = writeln!(self.out, "<p class=\"sub\">{}</p>", escape(text));
    }

    /// Ends the header with links to the sections, given as (anchor, label) constants.
    fn nav(&mut self, links: &[(&str, &str)]) {
        self.out.push_str("<nav>");
        for (anchor, label) in links {
            let _ = write!(
                self.out,
                "<a href=\"#{}\">{}</a>",
                escape(anchor),
                escape(label)
            );
        }
        self.out.push_str("</nav>\n</header>\n");
    }

    /// Opens a section with a heading (raw text).
    fn section(&mut self, id: &str, heading: &str) {
        let _ = writeln!(
            self.out,
            "<section id=\"{}\">\n<h2>{}</h2>",
            escape(id),
            escape(heading)
        );
    }

    fn end_section(&mut self) {
        self.out.push_str("</section>\n");
    }

    /// A heading inside a section (raw text).
    fn h3(&mut self, text: &str) {
        let _ = writeln!(self.out, "<h3>{}</h3>", escape(text));
    }

    /// A paragraph (raw text) with a CSS class.
    fn para(&mut self, class: &str, text: &str) {
        let _ = writeln!(
            self.out,
            "<p class=\"{}\">{}</p>",
            escape(class),
            escape(text)
        );
    }

    /// A bulleted list of raw texts.
    fn list(&mut self, items: impl IntoIterator<Item = String>) {
        self.out.push_str("<ul class=\"plain\">\n");
        for item in items {
            let _ = writeln!(self.out, "<li>{}</li>", escape(&item));
        }
        self.out.push_str("</ul>\n");
    }

    /// Headline figures as cards: (label, value, detail), all raw.
    fn cards(&mut self, cards: &[(String, String, String)]) {
        self.out.push_str("<dl class=\"cards\">\n");
        for (label, value, detail) in cards {
            let _ = write!(
                self.out,
                "<div><dt>{}</dt><dd>{}",
                escape(label),
                escape(value)
            );
            if !detail.is_empty() {
                let _ = write!(self.out, "<small>{}</small>", escape(detail));
            }
            self.out.push_str("</dd></div>\n");
        }
        self.out.push_str("</dl>\n");
    }

    /// Facts as a definition list: (term, description), both raw.
    fn facts(&mut self, facts: &[(&str, String)]) {
        self.out.push_str("<dl class=\"facts\">\n");
        for (term, description) in facts {
            let _ = writeln!(
                self.out,
                "<dt>{}</dt><dd>{}</dd>",
                escape(term),
                escape(description)
            );
        }
        self.out.push_str("</dl>\n");
    }

    /// A chart: checked SVG markup and a caption (raw).
    fn figure(&mut self, svg: &charts::Svg, caption: &str) {
        let _ = writeln!(
            self.out,
            "<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>",
            svg.markup(),
            escape(caption)
        );
    }

    fn table(&mut self, t: &table::Table) {
        t.render(&mut self.out);
    }

    /// Writes the footer and the script and returns the page.
    fn finish(mut self, seed: &str) -> String {
        let _ = write!(
            self.out,
            "<footer>\n<p>Made by impactsim {version}. {seed} This file is self-contained: it \
             loads nothing from the network. Click a column header to sort, type in a box to \
             filter.</p>\n</footer>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
            version = env!("CARGO_PKG_VERSION"),
            seed = escape(seed),
        );
        self.out
    }
}

/// The name of an action as written in scenario files.
fn action_name(a: Action) -> &'static str {
    match a {
        Action::Shutdown => "shutdown",
        Action::Fail => "fail",
        Action::Restart => "restart",
    }
}

/// Node ids of `targets`, at most [`MAX_TARGETS`] of them.
fn target_ids(s: &Scenario, targets: &[u32]) -> String {
    let mut ids: Vec<&str> = targets
        .iter()
        .take(MAX_TARGETS)
        .filter_map(|&t| s.model.nodes.get(t as usize).map(|n| n.id.as_str()))
        .collect();
    let more;
    if targets.len() > MAX_TARGETS {
        more = format!("… and {} more", targets.len() - MAX_TARGETS);
        ids.push(&more);
    }
    ids.join(", ")
}

/// Wall-clock time (UTC, RFC 3339) of `secs` after the scenario's start, if it has one.
fn wall_clock(s: &Scenario, secs: u64) -> Option<String> {
    let start = s.start_time?;
    let at = start.checked_add(jiff::SignedDuration::from_secs(secs as i64));
    at.ok().map(|t| t.to_string())
}

/// The scenario's assumptions: files, start, horizon, step, crews, patched ids, and every
/// event with its time, action and target ids. `id` keeps table ids unique on the page.
fn assumptions(p: &mut Page, s: &Scenario, id: &str) {
    let crews = match s.restoration.crews {
        None => "unlimited: every node restarts as soon as it can".to_string(),
        Some(n) => format!(
            "{n} crew{}, policy {}",
            if n == 1 { "" } else { "s" },
            s.restoration.policy.name()
        ),
    };
    let patched = if s.patched_ids.is_empty() {
        "none".to_string()
    } else {
        s.patched_ids.join(", ")
    };
    p.facts(&[
        ("Scenario file", s.path().display().to_string()),
        ("Model file", s.model_path().display().to_string()),
        (
            "Start (t = 0)",
            s.start
                .clone()
                .unwrap_or_else(|| "not given: times count from 0".to_string()),
        ),
        ("Horizon", s.horizon.to_string()),
        ("Step", s.step.to_string()),
        ("Restart crews", crews),
        ("Patched ids", patched),
    ]);
    let with_time = s.start_time.is_some();
    let mut t = table::Table::new(format!("events{id}"), "events")
        .num("at_h", "at")
        .primary()
        .sorted(table::Dir::Ascending);
    if with_time {
        t = t.text("time", "time (UTC)");
    }
    t = t
        .text("action", "action")
        .text("targets", "targets (ids)")
        .text("note", "note");
    for e in &s.events {
        let mut row = vec![table::Cell::hours(Some(e.at.hours()), "")];
        if with_time {
            row.push(table::Cell::text(wall_clock(s, e.at.0).unwrap_or_default()));
        }
        row.push(table::Cell::text(action_name(e.action)));
        row.push(table::Cell::text(target_ids(s, &e.targets)));
        let random = s.random_for.iter().any(|r| r.order == e.order);
        row.push(table::Cell::text(match (e.implied, random) {
            (true, true) => "restart implied by `for`; Monte Carlo runs draw its time",
            (true, false) => "restart implied by `for`",
            _ => "",
        }));
        t.row(row);
    }
    for r in &s.random_for {
        if s.events.iter().any(|e| e.implied && e.order == r.order) {
            continue;
        }
        // Its median falls after the horizon, so the plain run has no restart for it.
        let mut row = vec![table::Cell::hours(Some(r.at.hours()), "")];
        if with_time {
            row.push(table::Cell::text(wall_clock(s, r.at.0).unwrap_or_default()));
        }
        row.push(table::Cell::text("restart"));
        row.push(table::Cell::text(target_ids(s, &r.targets)));
        row.push(table::Cell::text(format!(
            "after a drawn `for` of {}; the median falls after the horizon",
            r.dist
        )));
        t.row(row);
    }
    p.table(&t);
    let drawn: Vec<String> = s
        .random_for
        .iter()
        .map(|r| {
            format!(
                "Event {} (at {}): its restart comes after {}",
                r.order + 1,
                r.at,
                r.dist
            )
        })
        .collect();
    if !drawn.is_empty() {
        p.para(
            "note",
            "Durations drawn in Monte Carlo runs (the plain run uses their medians):",
        );
        p.list(drawn);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_characters() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
        assert!(matches!(escape("plain text"), Cow::Borrowed(_)));
        assert_eq!(escape("Ärzte — ok"), "Ärzte — ok");
    }

    #[test]
    fn script_is_safe_to_inline_and_hashed() {
        assert!(!SCRIPT.to_ascii_lowercase().contains("</script"));
        assert!(!SCRIPT.contains("<!--"));
        let csp = content_security_policy();
        assert!(
            csp.starts_with("default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-")
        );
        let b64 = script_hash();
        assert_eq!(b64.len(), 44);
        assert!(csp.contains(&format!("'sha256-{b64}'")));
    }

    #[test]
    fn style_cannot_close_its_element() {
        assert!(!STYLE.to_ascii_lowercase().contains("</style"));
    }
}
