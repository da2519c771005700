//! The model file exactly as written: serde structs, no cross-references resolved yet.
//!
//! Checks that need only one value (a duration's unit, a share in [0, 1], k ≤ n) happen here,
//! during deserialization, so their errors carry the deserializer's own position.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
/// Ids that name other entries: up to 23 bytes are kept inline, without an allocation.
pub use smol_str::SmolStr;

use crate::dist::Dist;
use crate::error::InputError;
pub use crate::model::Combine;
use crate::source::{Format, Source};
use crate::time::{Duration, SimTime};

mod json;

/// Parses a model file. A JSON model is parsed on every core, entry by entry (see
/// [`json`]); a file that path cannot take is parsed whole, for a located error.
pub fn parse_model(source: &Source) -> Result<RawModelFile, InputError> {
    if source.format == Format::Json
        && let Some(text) = source.text()
        && let Some(file) = json::model(&text)
    {
        return Ok(file);
    }
    source.deserialize()
}

/// A whole model file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModelFile {
    pub model: RawModelHeader,
    #[serde(default)]
    pub site: Vec<RawSite>,
    #[serde(default)]
    pub service: Vec<RawService>,
    #[serde(default)]
    pub client: Vec<RawClient>,
    /// Business functions every client has.
    #[serde(default)]
    pub function: Vec<RawFunction>,
}

/// A business function (`[[function]]` for every client, `[[client.function]]` for one):
/// what it needs, how much it weighs, and the tolerances it is held to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFunction {
    pub id: String,
    pub name: Option<String>,
    pub needs: RawReq,
    pub weight: Option<f64>,
    pub min_level: Option<Fraction>,
    pub mtpd: Option<Duration>,
    pub rto: Option<Duration>,
    pub mtn: Option<Duration>,
    pub rpo: Option<Duration>,
}

/// The `[model]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModelHeader {
    pub name: String,
    pub population_label: Option<String>,
    pub description: Option<String>,
    pub combine: Option<Combine>,
}

/// A `[[site]]` (also a `[[patch.site]]`, where every field but `id` is optional). Fields
/// most entries leave out are boxed: a model may have a million entries.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSite {
    pub id: SmolStr,
    pub name: Option<String>,
    pub tags: Option<Vec<String>>,
    pub restart: Option<RawDur>,
    pub repair: Option<RawDur>,
    pub rto: Option<Box<Duration>>,
    pub mtbf: Option<Box<RawDur>>,
    pub mttr: Option<Box<RawDur>>,
    pub effort: Option<CrewCount>,
    pub warmup: Option<Box<RawWarmup>>,
    pub backup: Option<Box<RawBackup>>,
    pub repair_requires: Option<Box<RawReq>>,
}

/// `backup = { every = "4h" }`: the node's data is backed up at 0 and every `every`; a
/// failure loses what was written since the last backup.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBackup {
    pub every: Duration,
}

/// `warmup = { level = 0.5, for = "12h" }`: after a restart, the node runs at `level` for
/// that long before it is fully back.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWarmup {
    pub level: Fraction,
    #[serde(rename = "for")]
    pub for_: Duration,
}

/// A `[[service]]`. Fields most services leave out are boxed: a model may have a million.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawService {
    pub id: SmolStr,
    pub name: Option<String>,
    pub hosted_on: Option<RawReq>,
    pub requires: Option<RawReq>,
    pub restart: Option<RawDur>,
    pub repair: Option<RawDur>,
    pub rto: Option<Box<Duration>>,
    pub tags: Option<Vec<String>>,
    pub fallback: Option<RawFallbackField>,
    pub restart_failure: Option<Box<RawRestartFailure>>,
    pub mtbf: Option<Box<RawDur>>,
    pub mttr: Option<Box<RawDur>>,
    pub effort: Option<CrewCount>,
    pub warmup: Option<Box<RawWarmup>>,
    pub backup: Option<Box<RawBackup>>,
    pub repair_requires: Option<Box<RawReq>>,
}

/// A service's `restart_failure = { probability = 0.2, down = "6h", attempts = 5 }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRestartFailure {
    pub probability: Fraction,
    pub down: RawDur,
    pub attempts: Option<u32>,
}

/// A duration as written: fixed, or a distribution (boxed, since most durations are fixed
/// and a model may have a million of them).
#[derive(Debug, Clone, PartialEq)]
pub enum RawDur {
    Fixed(SimTime),
    Random(Box<Dist>),
}

impl RawDur {
    /// The fixed value, or the distribution's median.
    pub fn median(&self) -> SimTime {
        match self {
            RawDur::Fixed(t) => *t,
            RawDur::Random(d) => d.median(),
        }
    }

    /// The distribution, when it is one.
    pub fn random(&self) -> Option<Dist> {
        match self {
            RawDur::Fixed(_) => None,
            RawDur::Random(d) => Some(**d),
        }
    }

    /// As a distribution: a fixed value is a point mass.
    pub fn dist(&self) -> Dist {
        match self {
            RawDur::Fixed(t) => Dist::Fixed(*t),
            RawDur::Random(d) => **d,
        }
    }
}

impl<'de> Deserialize<'de> for RawDur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let dist = Dist::deserialize(d)?;
        Ok(match dist.fixed() {
            Some(t) => RawDur::Fixed(t),
            None => RawDur::Random(Box::new(dist)),
        })
    }
}

impl RawService {
    /// Its fallback table, unless it has none or it says `fallback = false`.
    pub fn fallback(&self) -> Option<&RawFallback> {
        self.fallback.as_ref().and_then(RawFallbackField::table)
    }
}

/// A service's `fallback` as written: a table, or `false` (no fallback: how a scenario's
/// patch removes one).
#[derive(Debug, Clone)]
pub enum RawFallbackField {
    /// `fallback = false`.
    Off,
    /// `fallback = { ... }` (boxed: most services have none).
    Table(Box<RawFallback>),
}

impl RawFallbackField {
    /// The table, unless it says `fallback = false`.
    pub fn table(&self) -> Option<&RawFallback> {
        match self {
            RawFallbackField::Table(f) => Some(f),
            RawFallbackField::Off => None,
        }
    }
}

impl<'de> Deserialize<'de> for RawFallbackField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawFallbackField;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a fallback table { capacity = 0.5, ... }, or false for none")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawFallbackField, E> {
                match v {
                    false => Ok(RawFallbackField::Off),
                    true => Err(E::custom(
                        "invalid value: `fallback = true` says nothing of the fallback; write a table { capacity = 0.5, ... }, or false for none",
                    )),
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawFallbackField, A::Error> {
                let f = RawFallback::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawFallbackField::Table(Box::new(f)))
            }
        }
        d.deserialize_any(V)
    }
}

/// A service's `fallback = { ... }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFallback {
    pub capacity: Fraction,
    pub grows: Option<Vec<RawGrowth>>,
    pub activation: Option<RawDur>,
    pub switchback: Option<RawDur>,
    pub switchback_capacity: Option<Fraction>,
    pub requires: Option<RawReq>,
}

/// One step of a fallback's growth: from `after` its engagement, its capacity.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGrowth {
    pub after: Duration,
    pub capacity: Fraction,
}

/// A `[[client]]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClient {
    pub id: SmolStr,
    pub name: Option<String>,
    pub population: Option<Population>,
    /// Boxed to its length: a model may have millions of uses.
    pub uses: Option<Box<[RawUse]>>,
    pub tags: Option<Vec<String>>,
    pub combine: Option<Combine>,
    /// Its own business functions.
    pub function: Option<Vec<RawFunction>>,
}

/// The largest population of one client: more people than live on Earth is a typo.
pub const MAX_POPULATION: u64 = 10_000_000_000;

/// A client's population: a whole number from 0 to [`MAX_POPULATION`].
#[derive(Debug, Clone, Copy)]
pub struct Population(pub u64);

impl<'de> Deserialize<'de> for Population {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Population;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number of people, e.g. 1_100_000")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Population, E> {
                if v > MAX_POPULATION {
                    return Err(E::custom(format!(
                        "invalid value: population {v} is larger than {MAX_POPULATION}; check the number"
                    )));
                }
                Ok(Population(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Population, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Err(E::custom(format!(
                        "invalid value: population {v} is negative"
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// The most crews a restart may occupy, or a scenario may have: more is a typo.
pub const MAX_CREWS: u32 = 1_000_000;

/// A number of crews (a node's `effort`, a scenario's `crews`): a whole number from 1 to
/// [`MAX_CREWS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrewCount(pub u32);

impl<'de> Deserialize<'de> for CrewCount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = CrewCount;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number of crews, at least 1, e.g. 2")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<CrewCount, E> {
                match v {
                    0 => Err(E::custom(
                        "invalid value: 0 crews; a number of crews is a whole number of at least 1",
                    )),
                    v if v > MAX_CREWS as u64 => Err(E::custom(format!(
                        "invalid value: {v} crews is more than {MAX_CREWS}; check the number"
                    ))),
                    v => Ok(CrewCount(v as u32)),
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<CrewCount, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Err(E::custom(format!(
                        "invalid value: {v} crews; a number of crews is a whole number of at least 1"
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A number in [0, 1] (capacities, shares), kept exactly to six decimal places.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fraction(pub f64);

impl<'de> Deserialize<'de> for Fraction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Fraction;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number from 0 to 1, e.g. 0.7")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Fraction, E> {
                if v.is_finite() && (0.0..=1.0).contains(&v) {
                    Ok(Fraction(v))
                } else {
                    Err(E::custom(format!(
                        "invalid value: {v} is outside [0, 1]; write a fraction such as 0.7 for 70%"
                    )))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Fraction, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Fraction, E> {
                self.visit_f64(v as f64)
            }
        }
        d.deserialize_any(V)
    }
}

/// One use of a client: `"svc"` or `{ service = "svc", share = 0.05 }`. Kept small (32
/// bytes): a model may have millions of uses.
#[derive(Debug, Clone)]
pub struct RawUse {
    pub service: SmolStr,
    /// The share, in availability units: [`crate::model::FULL`] when none is written.
    pub share: crate::model::Avail,
    /// Written as a table (the id sits under `service`).
    pub table: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUseTable {
    service: SmolStr,
    share: Option<Fraction>,
}

impl<'de> Deserialize<'de> for RawUse {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawUse;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a service id or { service = \"id\", share = 0.5 }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawUse, E> {
                Ok(RawUse {
                    service: SmolStr::new(v),
                    share: crate::model::FULL,
                    table: false,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawUse, A::Error> {
                let t = RawUseTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawUse {
                    service: t.service,
                    share: t
                        .share
                        .map_or(crate::model::FULL, |s| crate::model::to_units(s.0)),
                    table: true,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// A requirement as written: one group, or a list of groups (all needed).
#[derive(Debug, Clone)]
pub enum RawReq {
    /// `"id"` or `{ any_of = [...] }` or `{ k = 2, of = [...] }`.
    One(RawGroup),
    /// `["a", { any_of = [...] }]`: one group per item.
    List(Box<[RawGroup]>),
}

/// One requirement group as written.
#[derive(Debug, Clone)]
pub enum RawGroup {
    /// A plain id: K = 1 of 1.
    Id(SmolStr),
    /// At least one of these.
    AnyOf(Vec<SmolStr>),
    /// At least `k` of these.
    KOf { k: u32, of: Vec<SmolStr> },
}

impl RawReq {
    /// The groups, in order.
    pub fn groups(&self) -> &[RawGroup] {
        match self {
            RawReq::One(g) => std::slice::from_ref(g),
            RawReq::List(l) => l,
        }
    }
}

impl RawGroup {
    /// The member ids.
    pub fn members(&self) -> &[SmolStr] {
        match self {
            RawGroup::Id(id) => std::slice::from_ref(id),
            RawGroup::AnyOf(m) | RawGroup::KOf { of: m, .. } => m,
        }
    }

    /// How many members must be available.
    pub fn k(&self) -> u32 {
        match self {
            RawGroup::Id(_) | RawGroup::AnyOf(_) => 1,
            RawGroup::KOf { k, .. } => *k,
        }
    }

    /// The key under which the members are listed (`any_of`, `of`), if any.
    pub fn member_key(&self) -> Option<&'static str> {
        match self {
            RawGroup::Id(_) => None,
            RawGroup::AnyOf(_) => Some("any_of"),
            RawGroup::KOf { .. } => Some("of"),
        }
    }
}

const REQ_EXPECTED: &str = "an id, a list of ids, { any_of = [...] } or { k = 2, of = [...] }";

fn group_from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<RawGroup, A::Error> {
    let mut any_of: Option<Vec<SmolStr>> = None;
    let mut k: Option<i64> = None;
    let mut of: Option<Vec<SmolStr>> = None;
    while let Some(key) = map.next_key::<String>()? {
        match key.as_str() {
            "any_of" => any_of = Some(map.next_value()?),
            "k" => k = Some(map.next_value()?),
            "of" => of = Some(map.next_value()?),
            other => {
                let hint = crate::suggest::closest(other, ["any_of", "k", "of"])
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(de::Error::custom(format!(
                    "unknown field `{other}` in a requirement group{hint}; a group is {{ any_of = [...] }} or {{ k = 2, of = [...] }}"
                )));
            }
        }
    }
    match (any_of, k, of) {
        (Some(m), None, None) => {
            if m.is_empty() {
                return Err(de::Error::custom(
                    "invalid value: empty group: `any_of` needs at least one id",
                ));
            }
            Ok(RawGroup::AnyOf(m))
        }
        (None, Some(k), Some(of)) => {
            if of.is_empty() {
                return Err(de::Error::custom(
                    "invalid value: empty group: `of` needs at least one id",
                ));
            }
            if k < 1 || k as u64 > of.len() as u64 {
                return Err(de::Error::custom(format!(
                    "invalid value: k = {k} but the group has {} member(s); k must be from 1 to {}",
                    of.len(),
                    of.len()
                )));
            }
            Ok(RawGroup::KOf { k: k as u32, of })
        }
        (None, Some(_), None) => Err(de::Error::custom("missing field `of` in a k-of-n group")),
        (None, None, Some(_)) => Err(de::Error::custom("missing field `k` in a k-of-n group")),
        _ => Err(de::Error::custom(format!(
            "invalid value: a requirement is {REQ_EXPECTED}"
        ))),
    }
}

struct GroupVisitor;

impl<'de> Visitor<'de> for GroupVisitor {
    type Value = RawGroup;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an id, { any_of = [...] } or { k = 2, of = [...] }")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawGroup, E> {
        Ok(RawGroup::Id(SmolStr::new(v)))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawGroup, A::Error> {
        group_from_map(map)
    }
}

impl<'de> Deserialize<'de> for RawGroup {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(GroupVisitor)
    }
}

impl<'de> Deserialize<'de> for RawReq {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawReq;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(REQ_EXPECTED)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawReq, E> {
                Ok(RawReq::One(RawGroup::Id(SmolStr::new(v))))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawReq, A::Error> {
                group_from_map(map).map(RawReq::One)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawReq, A::Error> {
                let mut groups = Vec::new();
                while let Some(g) = seq.next_element::<RawGroup>()? {
                    groups.push(g);
                }
                Ok(RawReq::List(groups.into_boxed_slice()))
            }
        }
        d.deserialize_any(V)
    }
}

/// The `[patch]` table of a scenario: same arrays as a model, every field but `id` optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPatch {
    #[serde(default)]
    pub site: Vec<RawSite>,
    #[serde(default)]
    pub service: Vec<RawService>,
    #[serde(default)]
    pub client: Vec<RawClient>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Avail, FULL};

    /// A use's share is kept in availability units: 0.05 is 50,000 millionths, and a use
    /// without a share (a bare id, or a table without `share`) counts whole.
    #[test]
    fn a_use_keeps_its_share_in_units() {
        let uses: Vec<RawUse> = serde_json::from_str(
            r#"["a", {"service": "b", "share": 0.05}, {"service": "c"}, {"service": "d", "share": 1}]"#,
        )
        .unwrap();
        let got: Vec<(&str, Avail, bool)> = uses
            .iter()
            .map(|u| (u.service.as_str(), u.share, u.table))
            .collect();
        assert_eq!(
            got,
            [
                ("a", FULL, false),
                ("b", 50_000, true),
                ("c", FULL, true),
                ("d", FULL, true)
            ]
        );
        assert_eq!(size_of::<RawUse>(), 32);
    }
}
