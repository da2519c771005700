//! Sortable, filterable tables. Every cell is raw text or a number, escaped when rendered,
//! so no table can emit markup from a model string. A numeric cell carries its raw value in
//! `data-v` for the script to sort by; its shown text is formatted for people.

use std::fmt::Write;

use super::{MAX_ROWS, escape};
use crate::format::{hours, thousands};

/// A sort direction, named as `aria-sort` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dir {
    Ascending,
    Descending,
}

impl Dir {
    fn aria(self) -> &'static str {
        match self {
            Dir::Ascending => "ascending",
            Dir::Descending => "descending",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Num,
    Tags,
}

struct Col {
    key: String,
    label: String,
    kind: Kind,
    primary: bool,
    sorted: Option<Dir>,
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    /// Text, shown as is (escaped).
    Text(String),
    /// Tags, each shown as a small label.
    Tags(Vec<String>),
    /// A number: the raw value to sort by (`None`: empty, always last; infinite: "not
    /// recovered", after every finite value) and the text shown.
    Num(Option<f64>, String),
}

impl Cell {
    pub(super) fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// A count of people or things, with thousands separators.
    pub(super) fn count(v: f64) -> Cell {
        Cell::Num(Some(v), thousands(v))
    }

    /// A count that may be undefined (`none` is shown then).
    pub(super) fn count_or(v: Option<f64>, none: &str) -> Cell {
        match v {
            Some(x) if x.is_infinite() => Cell::Num(Some(x), "not recovered".into()),
            Some(x) => Cell::count(x),
            None => Cell::Num(None, none.into()),
        }
    }

    /// Hours, shown as a duration to the minute; `None` shows `none` and sorts last.
    pub(super) fn hours(h: Option<f64>, none: &str) -> Cell {
        match h {
            Some(x) if x.is_infinite() => Cell::Num(Some(x), "not recovered".into()),
            Some(x) => Cell::Num(Some(x), hours(x)),
            None => Cell::Num(None, if none.is_empty() { "–" } else { none }.into()),
        }
    }

    /// A recovery time: `None` means not recovered, which sorts as later than any time.
    pub(super) fn recovered(h: Option<f64>) -> Cell {
        match h {
            Some(x) => Cell::hours(Some(x), ""),
            None => Cell::Num(Some(f64::INFINITY), "not recovered".into()),
        }
    }

    /// A signed difference of hours (`+1d 2h`, `-30m`, `0h`).
    pub(super) fn hours_diff(d: Option<f64>) -> Cell {
        match d {
            Some(x) if x.is_finite() => {
                let sign = if x > 0.0 {
                    "+"
                } else if x < 0.0 {
                    "-"
                } else {
                    ""
                };
                Cell::Num(Some(x), format!("{sign}{}", hours(x.abs())))
            }
            _ => Cell::Num(None, "–".into()),
        }
    }

    /// A signed difference of a count.
    pub(super) fn count_diff(d: Option<f64>) -> Cell {
        match d {
            Some(x) if x.is_finite() => {
                let sign = if x > 0.0 { "+" } else { "" };
                Cell::Num(Some(x), format!("{sign}{}", thousands(x)))
            }
            _ => Cell::Num(None, "–".into()),
        }
    }

    /// A plain number with `decimals` places.
    pub(super) fn fixed(v: Option<f64>, decimals: usize) -> Cell {
        match v {
            Some(x) if x.is_finite() => Cell::Num(Some(x), format!("{x:.decimals$}")),
            Some(x) => Cell::Num(Some(x), "not recovered".into()),
            None => Cell::Num(None, "–".into()),
        }
    }
}

/// The raw value of a numeric cell as the script's `Number()` reads it.
fn raw(v: f64) -> String {
    if v == f64::INFINITY {
        "Infinity".into()
    } else if v == f64::NEG_INFINITY {
        "-Infinity".into()
    } else {
        format!("{v}")
    }
}

/// A table with a filter box. Rows are shown in the order given; callers give them in the
/// order of the column marked [`Table::sorted`] so that the mark tells the truth.
pub(super) struct Table {
    id: String,
    what: String,
    cols: Vec<Col>,
    rows: Vec<Vec<Cell>>,
    order_note: String,
    plain: bool,
}

impl Table {
    /// A table with the element id `id` (made by impactsim, never from a model) listing
    /// `what` ("clients").
    pub(super) fn new(id: impl Into<String>, what: &str) -> Table {
        Table {
            id: id.into(),
            what: what.to_string(),
            cols: Vec::new(),
            rows: Vec::new(),
            order_note: String::new(),
            plain: false,
        }
    }

    /// A small fixed table: no sorting, no filter box, never cut.
    pub(super) fn plain(id: impl Into<String>) -> Table {
        Table {
            plain: true,
            ..Table::new(id, "")
        }
    }

    fn col(mut self, key: &str, label: &str, kind: Kind) -> Table {
        self.cols.push(Col {
            key: key.to_string(),
            label: label.to_string(),
            kind,
            primary: false,
            sorted: None,
        });
        self
    }

    pub(super) fn text(self, key: &str, label: &str) -> Table {
        self.col(key, label, Kind::Text)
    }

    pub(super) fn num(self, key: &str, label: &str) -> Table {
        self.col(key, label, Kind::Num)
    }

    pub(super) fn tags(self, key: &str, label: &str) -> Table {
        self.col(key, label, Kind::Tags)
    }

    /// Marks the last column as the table's main text or figure (the self-test sorts by the
    /// main column of each kind).
    pub(super) fn primary(mut self) -> Table {
        if let Some(c) = self.cols.last_mut() {
            c.primary = true;
        }
        self
    }

    /// Marks the last column as the one the rows are given sorted by.
    pub(super) fn sorted(mut self, dir: Dir) -> Table {
        if let Some(c) = self.cols.last_mut() {
            c.sorted = Some(dir);
        }
        self
    }

    /// What the rows are ordered by when there are more than [`MAX_ROWS`] ("people-hours").
    pub(super) fn order_note(mut self, note: &str) -> Table {
        self.order_note = note.to_string();
        self
    }

    pub(super) fn row(&mut self, cells: Vec<Cell>) {
        debug_assert_eq!(cells.len(), self.cols.len(), "table {}", self.id);
        self.rows.push(cells);
    }

    pub(super) fn render(&self, out: &mut String) {
        if self.plain {
            self.render_plain(out);
            return;
        }
        let id = escape(&self.id);
        let what = escape(&self.what);
        let shown = self.rows.len().min(MAX_ROWS);
        let _ = writeln!(
            out,
            "<div class=\"tools\"><input type=\"search\" id=\"{id}-filter\" \
             placeholder=\"Filter {what}…\" aria-label=\"Filter {what}\" autocomplete=\"off\">\
             <span class=\"count\" id=\"{id}-count\">{shown} rows</span></div>"
        );
        let _ = write!(
            out,
            "<div class=\"scroll\"><table class=\"sortable\" id=\"{id}\">\n<thead><tr>"
        );
        for c in &self.cols {
            let kind = if c.kind == Kind::Num { "num" } else { "text" };
            let _ = write!(
                out,
                "<th data-kind=\"{kind}\" data-key=\"{}\"",
                escape(&c.key)
            );
            if c.kind == Kind::Num {
                out.push_str(" class=\"num\"");
            }
            if c.primary {
                out.push_str(" data-primary=\"\"");
            }
            if let Some(d) = c.sorted {
                let _ = write!(out, " aria-sort=\"{}\"", d.aria());
            }
            let _ = write!(
                out,
                "><button type=\"button\">{}</button></th>",
                escape(&c.label)
            );
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for row in self.rows.iter().take(MAX_ROWS) {
            render_row(out, row);
        }
        out.push_str("</tbody>\n</table></div>\n");
        if self.rows.len() > MAX_ROWS {
            let _ = writeln!(
                out,
                "<p class=\"note\">The table lists {} of {} {what}: those first by {}. The \
                 CSV and JSON outputs have them all.</p>",
                thousands(MAX_ROWS as f64),
                thousands(self.rows.len() as f64),
                escape(&self.order_note),
            );
        }
    }

    fn render_plain(&self, out: &mut String) {
        let _ = write!(
            out,
            "<div class=\"scroll\"><table class=\"plain\" id=\"{}\">\n<thead><tr>",
            escape(&self.id)
        );
        for c in &self.cols {
            let class = if c.kind == Kind::Num {
                " class=\"num\""
            } else {
                ""
            };
            let _ = write!(out, "<th{class}>{}</th>", escape(&c.label));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for row in &self.rows {
            render_row(out, row);
        }
        out.push_str("</tbody>\n</table></div>\n");
    }
}

fn render_row(out: &mut String, row: &[Cell]) {
    out.push_str("<tr>");
    for cell in row {
        match cell {
            Cell::Text(s) => {
                let _ = write!(out, "<td>{}</td>", escape(s));
            }
            Cell::Tags(tags) => {
                out.push_str("<td>");
                for t in tags {
                    let _ = write!(out, "<span class=\"tag\">{}</span> ", escape(t));
                }
                out.push_str("</td>");
            }
            Cell::Num(v, shown) => {
                let v = v.map(raw).unwrap_or_default();
                let _ = write!(
                    out,
                    "<td class=\"num\" data-v=\"{}\">{}</td>",
                    escape(&v),
                    escape(shown)
                );
            }
        }
    }
    out.push_str("</tr>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_escaped_and_numbers_carry_raw_values() {
        let mut t = Table::new("t", "things")
            .text("id", "id")
            .tags("tags", "tags")
            .num("v", "value")
            .primary()
            .sorted(Dir::Descending);
        t.row(vec![
            Cell::text("<b>\"x\"</b>"),
            Cell::Tags(vec!["'t'".into()]),
            Cell::count(1234.5),
        ]);
        t.row(vec![
            Cell::text("y"),
            Cell::Tags(vec![]),
            Cell::recovered(None),
        ]);
        let mut out = String::new();
        t.render(&mut out);
        assert!(
            out.contains("<td>&lt;b&gt;&quot;x&quot;&lt;/b&gt;</td>"),
            "{out}"
        );
        assert!(out.contains("<span class=\"tag\">&#39;t&#39;</span>"));
        assert!(out.contains("data-v=\"1234.5\">1,235</td>"), "{out}");
        assert!(out.contains("data-v=\"Infinity\">not recovered</td>"));
        assert!(out.contains("data-primary=\"\" aria-sort=\"descending\""));
        assert!(out.contains("id=\"t-filter\"") && out.contains("id=\"t-count\""));
        assert!(!out.contains("<b>"));
    }

    #[test]
    fn long_tables_are_cut_with_a_note() {
        let mut t = Table::new("t", "rows").num("v", "v").order_note("v");
        for i in 0..MAX_ROWS + 3 {
            t.row(vec![Cell::count(i as f64)]);
        }
        let mut out = String::new();
        t.render(&mut out);
        assert_eq!(out.matches("<tr>").count(), MAX_ROWS + 1);
        assert!(out.contains("lists 5,000 of 5,003 rows: those first by v"));
    }

    #[test]
    fn signed_differences() {
        assert_eq!(
            Cell::hours_diff(Some(-1.5)),
            Cell::Num(Some(-1.5), "-1h 30m".into())
        );
        assert_eq!(
            Cell::count_diff(Some(2000.0)),
            Cell::Num(Some(2000.0), "+2,000".into())
        );
        assert_eq!(Cell::count_diff(None), Cell::Num(None, "–".into()));
    }
}
