//! The outputs of `plan`: the plan on the terminal, and as a scenario file that replays it.

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};

use crate::error::Error;
use crate::format::{hours, thousands};
use crate::plan::Plan;
use crate::scenario::Scenario;
use crate::source::Format;

/// The plan as a table: the three figures, the saving, and every restart with its times.
pub fn table(plan: &Plan) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "Restoration plan: {} — {} crews",
        plan.scenario, plan.crews
    );
    let _ = writeln!(
        t,
        "{} restarted nodes · {} runs · {}",
        plan.order.len(),
        plan.evaluations,
        plan.method.describe()
    );
    let _ = writeln!(t);
    let _ = writeln!(
        t,
        "  {:<26}{:>20}",
        "",
        format!("people-hours ({})", plan.population_label)
    );
    let rows = [
        ("file order", plan.people_hours_file_order),
        ("critical-first", plan.people_hours_critical_first),
        ("plan", plan.people_hours),
        ("saving over file order", plan.saving),
    ];
    for (label, value) in rows {
        let _ = write!(t, "  {label:<26}{:>20}", thousands(value));
        if label.starts_with("saving") {
            match plan.saving_pct {
                Some(p) => {
                    let _ = write!(t, "  ({p:.2} %)");
                }
                None => t.push_str("  (–)"),
            }
        }
        t.push('\n');
    }
    if let Some(m) = &plan.measured {
        let _ = writeln!(t);
        let _ = writeln!(t, "  {:<26}{:>20}", "the plan makes small:", m.measure);
        let rows = [
            ("file order", m.file_order),
            ("critical-first", m.critical_first),
            ("plan", m.plan),
        ];
        for (label, value) in rows {
            let _ = writeln!(t, "  {label:<26}{:>20}", thousands(value));
        }
    }
    let _ = writeln!(t);
    let width = plan
        .restarts
        .iter()
        .map(|s| s.id.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(4, 32);
    let _ = writeln!(
        t,
        "  {:<10} {:<10} {:<width$} {:>6} {:>7}",
        "start", "finish", "node", "effort", "crews"
    );
    for s in &plan.restarts {
        let finish = s.end_h.map_or_else(|| "–".to_string(), hours);
        let note = match s.end {
            "up" => "",
            "requirement lost" => "  requirement lost: starts over",
            "shut down" => "  shut down",
            "failed" => "  failed",
            _ => "  still restarting at the horizon",
        };
        let _ = writeln!(
            t,
            "  {:<10} {:<10} {:<width$} {:>6} {:>7}{note}",
            hours(s.start_h),
            finish,
            cut(&s.id, width),
            s.effort,
            format!("{}/{}", s.crews_in_use, plan.crews),
        );
    }
    if plan.restarts.is_empty() {
        let _ = writeln!(t, "  (no restart in this scenario)");
    }
    t
}

fn cut(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(width - 1).collect();
        out.push('…');
        out
    }
}

/// The scenario file that replays the plan: the input scenario (its header, events and
/// `[patch]`, re-serialized from the parsed file, comments dropped) with `crews`,
/// `policy = "order"` and `order`, and `model` pointing at the same model from `out`'s
/// directory. JSON when `out` ends in `.json`, TOML otherwise.
pub fn scenario_file(scenario: &Scenario, plan: &Plan, out: &Path) -> Result<Vec<u8>, Error> {
    let source = &scenario.source;
    let mut file: toml::Table = match source.format {
        Format::Toml => source.deserialize()?,
        Format::Json => {
            let json: serde_json::Value = source.deserialize()?;
            toml::Table::try_from(json).map_err(|e| Error::Usage {
                message: format!(
                    "{} cannot be written as a scenario: {e}",
                    scenario.path().display()
                ),
            })?
        }
    };
    let model = model_path(scenario, out)?;
    let header = file
        .get_mut("scenario")
        .and_then(toml::Value::as_table_mut)
        .expect("a loaded scenario has a [scenario] table");
    header.insert("model".into(), toml::Value::String(model));
    header.insert("crews".into(), toml::Value::Integer(plan.crews.into()));
    header.insert("policy".into(), toml::Value::String("order".into()));
    let order = plan
        .order
        .iter()
        .cloned()
        .map(toml::Value::String)
        .collect();
    header.insert("order".into(), toml::Value::Array(order));
    let json = out
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let ordered = Ordered::top(&file, json);
    if json {
        let mut text = serde_json::to_string_pretty(&ordered).map_err(|e| Error::Usage {
            message: format!("cannot write the scenario as JSON: {e}"),
        })?;
        text.push('\n');
        return Ok(text.into_bytes());
    }
    let body = toml::to_string(&ordered).map_err(|e| Error::Usage {
        message: format!("cannot write the scenario as TOML: {e}"),
    })?;
    let name = |p: &Path| {
        p.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    };
    let mut text = format!(
        "# Written by `impactsim plan` from {}: {} crews restart the nodes in `order`.\n\
         # People-hours {} (file order {}, critical-first {}); `impactsim run` replays it.\n\n",
        name(scenario.path()),
        plan.crews,
        thousands(plan.people_hours),
        thousands(plan.people_hours_file_order),
        thousands(plan.people_hours_critical_first),
    );
    text.push_str(&body);
    Ok(text.into_bytes())
}

/// The scenario's model as seen from `out`'s directory: the path as written when `out` is
/// beside the scenario, else a relative path when one exists, else an absolute one.
fn model_path(scenario: &Scenario, out: &Path) -> Result<String, Error> {
    let dir_of = |p: &Path| match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let canonical = |p: &Path| std::fs::canonicalize(p).map_err(|e| Error::io("reading", p, e));
    let out_dir = dir_of(out);
    std::fs::create_dir_all(&out_dir).map_err(|e| Error::io("creating", &out_dir, e))?;
    let out_dir = canonical(&out_dir)?;
    let model = canonical(scenario.model_path())?;
    let relative = if canonical(&dir_of(scenario.path()))? == out_dir {
        let source = &scenario.source;
        let written: Option<String> = match source.format {
            Format::Toml => source.deserialize::<toml::Table>().ok().and_then(|t| {
                t.get("scenario")?
                    .get("model")?
                    .as_str()
                    .map(str::to_string)
            }),
            Format::Json => source
                .deserialize::<serde_json::Value>()
                .ok()
                .and_then(|v| {
                    v.get("scenario")?
                        .get("model")?
                        .as_str()
                        .map(str::to_string)
                }),
        };
        written.map(PathBuf::from)
    } else {
        None
    };
    let path = relative.unwrap_or_else(|| relative_to(&model, &out_dir).unwrap_or(model.clone()));
    path.to_str()
        .map(str::to_string)
        .ok_or_else(|| Error::Usage {
            message: format!("the model path {} is not UTF-8", path.display()),
        })
}

/// `path` relative to the directory `base` (both absolute), when they share more than the
/// root (a path up to the root and down again is no clearer than the absolute one).
fn relative_to(path: &Path, base: &Path) -> Option<PathBuf> {
    let (p, b): (Vec<Component>, Vec<Component>) =
        (path.components().collect(), base.components().collect());
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let root = p
        .iter()
        .take_while(|c| matches!(c, Component::Prefix(_) | Component::RootDir))
        .count();
    if common <= root {
        return None;
    }
    let mut rel = PathBuf::new();
    for _ in common..b.len() {
        rel.push("..");
    }
    for c in &p[common..] {
        rel.push(c.as_os_str());
    }
    Some(rel)
}

/// A TOML value written with its keys in a chosen order: the header's and each event's keys
/// in the order the documentation gives them, then any others.
enum Ordered<'a> {
    Value(&'a toml::Value),
    /// A date-time written as a string (JSON has no date-times).
    Text(String),
    Map(Vec<(&'a str, Ordered<'a>)>),
    List(Vec<Ordered<'a>>),
}

const TOP: [&str; 3] = ["scenario", "event", "patch"];
const HEADER: [&str; 9] = [
    "name",
    "description",
    "model",
    "horizon",
    "step",
    "start",
    "crews",
    "policy",
    "order",
];
const EVENT: [&str; 4] = ["at", "action", "target", "for"];

impl<'a> Ordered<'a> {
    fn top(file: &'a toml::Table, json: bool) -> Ordered<'a> {
        Ordered::table(file, &TOP, |key, v| match (key, v) {
            ("scenario", toml::Value::Table(t)) => {
                Ordered::table(t, &HEADER, |_, v| Ordered::plain(v, json))
            }
            ("event", toml::Value::Array(events)) => Ordered::List(
                events
                    .iter()
                    .map(|e| match e {
                        toml::Value::Table(t) => {
                            Ordered::table(t, &EVENT, |_, v| Ordered::plain(v, json))
                        }
                        other => Ordered::plain(other, json),
                    })
                    .collect(),
            ),
            _ => Ordered::plain(v, json),
        })
    }

    fn table(
        t: &'a toml::Table,
        first: &[&'static str],
        each: impl Fn(&str, &'a toml::Value) -> Ordered<'a>,
    ) -> Ordered<'a> {
        let mut entries: Vec<(&'a str, Ordered<'a>)> = Vec::with_capacity(t.len());
        for key in first {
            if let Some((k, v)) = t.get_key_value(*key) {
                entries.push((k.as_str(), each(k, v)));
            }
        }
        for (k, v) in t {
            if !first.contains(&k.as_str()) {
                entries.push((k.as_str(), each(k, v)));
            }
        }
        Ordered::Map(entries)
    }

    /// A value as it is, except date-times in JSON, anywhere inside it.
    fn plain(v: &'a toml::Value, json: bool) -> Ordered<'a> {
        match v {
            toml::Value::Datetime(d) if json => Ordered::Text(d.to_string()),
            toml::Value::Table(t) if json => Ordered::table(t, &[], |_, v| Ordered::plain(v, json)),
            toml::Value::Array(a) if json => {
                Ordered::List(a.iter().map(|v| Ordered::plain(v, json)).collect())
            }
            other => Ordered::Value(other),
        }
    }
}

impl Serialize for Ordered<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Ordered::Value(v) => v.serialize(s),
            Ordered::Text(t) => s.serialize_str(t),
            Ordered::Map(entries) => {
                let mut m = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
            Ordered::List(items) => {
                let mut q = s.serialize_seq(Some(items.len()))?;
                for v in items {
                    q.serialize_element(v)?;
                }
                q.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        let rel = |p: &str, b: &str| relative_to(Path::new(p), Path::new(b)).unwrap();
        assert_eq!(rel("/a/b/model.toml", "/a/b"), Path::new("model.toml"));
        assert_eq!(
            rel("/a/b/model.toml", "/a/c/d"),
            Path::new("../../b/model.toml")
        );
        assert_eq!(
            relative_to(Path::new("/a/model.toml"), Path::new("/b")),
            None
        );
    }
}
