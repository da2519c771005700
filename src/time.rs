//! Simulation time: integer seconds, and durations written as `"90m"`, `"1d 12h"`, `"1.5h"`.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

/// A point in simulated time or a length of time, in whole seconds from the scenario start.
///
/// Integer time keeps event order exact: two events at "1.5h" and "90m" are the same instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(pub u64);

/// The longest duration accepted anywhere (100 years): longer values are typos.
pub const MAX_DURATION: SimTime = SimTime(100 * 36_525 * 864);

impl SimTime {
    /// Zero.
    pub const ZERO: SimTime = SimTime(0);

    /// Seconds.
    pub fn secs(self) -> u64 {
        self.0
    }

    /// Hours, for output.
    pub fn hours(self) -> f64 {
        self.0 as f64 / 3600.0
    }

    /// `self + other`, saturating.
    pub fn plus(self, other: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(other.0))
    }
}

impl fmt::Display for SimTime {
    /// Compact human form: `2d 4h`, `90m` → `1h 30m`, `0h`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = self.0;
        if s == 0 {
            return f.write_str("0h");
        }
        let mut parts = Vec::new();
        for (unit, len) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
            if s >= len {
                parts.push(format!("{}{unit}", s / len));
                s %= len;
            }
        }
        f.write_str(&parts.join(" "))
    }
}

/// Why a duration string could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError(pub String);

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const HOW: &str = "write a number with a unit (s, m, h, d, w), e.g. \"90m\", \"36h\" or \"1d 12h\"";

/// Parses `"90m"`, `"36h"`, `"2d"`, `"1w"`, `"1d 12h"`, `"1.5h"`; a fractional second rounds
/// half up. Parts may be separated by spaces.
pub fn parse_duration(text: &str) -> Result<SimTime, DurationError> {
    let bad = |why: &str| DurationError(format!("invalid duration \"{text}\": {why}; {HOW}"));
    let s = text.trim();
    if s.is_empty() {
        return Err(bad("it is empty"));
    }
    // Exact arithmetic in nanoseconds, rounded once at the end.
    let mut total_ns: u128 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..num_len];
        if number.is_empty() {
            return Err(if rest.starts_with('-') {
                bad("a duration cannot be negative")
            } else {
                bad(&format!("expected a number at \"{rest}\""))
            });
        }
        rest = rest[num_len..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        let unit_secs: u128 = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 604_800,
            "" => return Err(bad(&format!("\"{number}\" has no unit"))),
            other => return Err(bad(&format!("unknown unit \"{other}\""))),
        };
        rest = rest[unit_len..].trim_start();
        let (int, frac) = number.split_once('.').unwrap_or((number, ""));
        if frac.contains('.') || (int.is_empty() && frac.is_empty()) {
            return Err(bad(&format!("\"{number}\" is not a number")));
        }
        if int.len() > 15 || frac.len() > 9 {
            return Err(bad("too many digits"));
        }
        let int: u128 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| bad("not a number"))?
        };
        let frac_ns: u128 = if frac.is_empty() {
            0
        } else {
            frac.parse::<u128>().map_err(|_| bad("not a number"))?
                * 10u128.pow(9 - frac.len() as u32)
        };
        total_ns += (int * 1_000_000_000 + frac_ns) * unit_secs;
    }
    let secs = (total_ns + 500_000_000) / 1_000_000_000;
    if secs > MAX_DURATION.0 as u128 {
        return Err(DurationError(format!(
            "duration \"{text}\" is longer than 100 years; check the unit (s, m, h, d, w)"
        )));
    }
    Ok(SimTime(secs as u64))
}

/// A duration as written in a file: deserializes from a string and explains bare numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duration(pub SimTime);

/// What a fixed duration accepts, and what it says of anything else: shared with an event's
/// `at`, which also accepts a date.
pub(crate) struct DurationVisitor;

fn bare<E: de::Error>(n: String) -> E {
    E::custom(format!(
        "a duration needs a unit: write \"{n}h\" for hours (or s, m, d, w), not a bare number"
    ))
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DurationVisitor)
    }
}

impl<'de> Visitor<'de> for DurationVisitor {
    type Value = Duration;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a duration such as \"36h\"")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
        parse_duration(v).map(Duration).map_err(|e| E::custom(e.0))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
        Err(bare(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
        Err(bare(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
        Err(bare(v.to_string()))
    }
    fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<Duration, A::Error> {
        Err(de::Error::custom(
            "this duration must be fixed, not a distribution: write a duration such as \
                     \"12h\" (distributions are for restart, repair, fallback activation and \
                     switchback, an event's `for`, restart_failure `down`, mtbf and mttr)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_parts() {
        assert_eq!(parse_duration("90m"), Ok(SimTime(5400)));
        assert_eq!(parse_duration("36h"), Ok(SimTime(129_600)));
        assert_eq!(parse_duration("2d"), Ok(SimTime(172_800)));
        assert_eq!(parse_duration("1w"), Ok(SimTime(604_800)));
        assert_eq!(parse_duration("1d 12h"), Ok(SimTime(129_600)));
        assert_eq!(parse_duration("1d12h"), Ok(SimTime(129_600)));
        assert_eq!(parse_duration("0h"), Ok(SimTime(0)));
        assert_eq!(parse_duration("1.5h"), Ok(SimTime(5400)));
    }

    #[test]
    fn fractional_second_rounds_half_up() {
        assert_eq!(parse_duration("1.5s"), Ok(SimTime(2)));
        assert_eq!(parse_duration("1.4s"), Ok(SimTime(1)));
        assert_eq!(parse_duration("0.0005m"), Ok(SimTime(0))); // 0.03 s
        assert_eq!(parse_duration("0.025m"), Ok(SimTime(2))); // 1.5 s
    }

    #[test]
    fn rejects_bad_forms() {
        for bad in ["", "12", "h", "-1h", "1x", "1.2.3h", "1000000000w"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn displays_compactly() {
        assert_eq!(SimTime(0).to_string(), "0h");
        assert_eq!(SimTime(5400).to_string(), "1h 30m");
        assert_eq!(SimTime(187_200).to_string(), "2d 4h");
    }
}
