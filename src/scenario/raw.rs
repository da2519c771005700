//! The scenario file exactly as written.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::model::raw::RawPatch;
use crate::model::raw::{CrewCount, RawDur};
use crate::time::{Duration, DurationVisitor};

/// A whole scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenarioFile {
    pub scenario: RawScenarioHeader,
    #[serde(default)]
    pub event: Vec<RawEvent>,
    pub patch: Option<RawPatch>,
}

/// The `[scenario]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenarioHeader {
    pub name: String,
    pub model: String,
    pub horizon: Duration,
    pub step: Option<Duration>,
    pub start: Option<StartTime>,
    pub description: Option<String>,
    pub crews: Option<CrewCount>,
    pub policy: Option<Policy>,
    pub order: Option<Vec<String>>,
}

/// In which order ready nodes get crews (`policy = "..."`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    /// Model order: sites, then services, each in file order.
    #[default]
    File,
    /// Most people restored per crew-hour first (a static heuristic).
    CriticalFirst,
    /// The scenario's `order` list first, then the rest in model order.
    Order,
}

impl Policy {
    /// The name used in files and outputs.
    pub fn name(self) -> &'static str {
        match self {
            Policy::File => "file",
            Policy::CriticalFirst => "critical-first",
            Policy::Order => "order",
        }
    }
}

/// The wall-clock time of t = 0: an RFC 3339 string (TOML may also write it as a bare
/// date-time, which arrives here as a datetime value).
#[derive(Debug, Clone)]
pub struct StartTime(pub String);

impl<'de> Deserialize<'de> for StartTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A TOML datetime deserializes as a one-entry map; a string directly.
        let v = toml::Value::deserialize(d)?;
        match v {
            toml::Value::String(s) => Ok(StartTime(s)),
            toml::Value::Datetime(dt) => Ok(StartTime(dt.to_string())),
            _ => Err(de::Error::custom(
                "invalid type: `start` is a date and time with offset, e.g. \"2023-04-24T18:00:00+02:00\"",
            )),
        }
    }
}

/// What an event does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Shut down on purpose.
    Shutdown,
    /// Damage: needs repair before a restart.
    Fail,
    /// Order a restart.
    Restart,
}

/// One `[[event]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    pub at: RawAt,
    pub action: Action,
    pub target: Targets,
    #[serde(rename = "for")]
    pub for_: Option<RawDur>,
}

/// An event's `at`: a duration from t = 0, or a date and time with offset (when the
/// scenario has a `start`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawAt {
    /// `at = "2d 6h"`.
    After(Duration),
    /// `at = "2023-04-26T08:00:00+02:00"`, as written.
    Date(String),
}

impl<'de> Deserialize<'de> for RawAt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawAt;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as \"36h\", or a date and time such as \"2023-04-26T08:00:00+02:00\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawAt, E> {
                // A date begins with its year: four digits and a dash.
                let b = v.trim().as_bytes();
                if b.len() > 4 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' {
                    return Ok(RawAt::Date(v.trim().to_string()));
                }
                DurationVisitor.visit_str(v).map(RawAt::After)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawAt, E> {
                DurationVisitor.visit_i64(v).map(RawAt::After)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawAt, E> {
                DurationVisitor.visit_u64(v).map(RawAt::After)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawAt, E> {
                DurationVisitor.visit_f64(v).map(RawAt::After)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawAt, A::Error> {
                DurationVisitor.visit_map(map).map(RawAt::After)
            }
        }
        d.deserialize_any(V)
    }
}

/// `target = "x"` or `target = ["x", "tag:y"]`.
#[derive(Debug, Clone)]
pub struct Targets {
    pub items: Vec<String>,
    pub list: bool,
}

impl<'de> Deserialize<'de> for Targets {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Targets;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id or selector (\"site:*\", \"service:*\", \"tag:NAME\", \"hosted:SITE\"), or a list of them")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Targets, E> {
                Ok(Targets {
                    items: vec![v.to_string()],
                    list: false,
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Targets, A::Error> {
                let mut items = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    items.push(s);
                }
                if items.is_empty() {
                    return Err(de::Error::custom("invalid value: the target list is empty"));
                }
                Ok(Targets { items, list: true })
            }
        }
        d.deserialize_any(V)
    }
}
