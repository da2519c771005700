//! Numbers and durations as people read them: thousands separators, compact durations,
//! cut-off names. A leaf: every output uses it, it uses only [`crate::time`].

use crate::time::SimTime;

/// `25012345.0` → `25,012,345`; values below 100 keep one decimal when they have one.
pub fn thousands(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let rounded = x.round();
    if x.abs() < 100.0 && (x - rounded).abs() > 1e-9 {
        return format!("{x:.1}");
    }
    let digits = format!("{}", rounded.abs() as u128);
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if rounded < 0.0 {
        out.insert(0, '-');
    }
    out
}

/// Hours as a compact duration to the minute: `52.5` → `2d 4h 30m`.
pub fn hours(h: f64) -> String {
    SimTime((h * 60.0).round().max(0.0) as u64 * 60).to_string()
}

/// An instant in hours, for messages: `5h`, `1.5h` (two decimals at most: a drawn time is
/// whole seconds, not whole hours).
pub fn decimal_hours(t: SimTime) -> String {
    format!("{}h", (t.hours() * 100.0).round() / 100.0)
}

/// `s` cut to `width` characters, the last one an ellipsis when it was longer.
pub fn cut(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(25_012_345.0), "25,012,345");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1000.0), "1,000");
        assert_eq!(thousands(2.5), "2.5");
        assert_eq!(thousands(0.0), "0");
    }

    #[test]
    fn cut_long_ids() {
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abc", 4), "abc");
    }

    #[test]
    fn hours_read_as_durations_or_decimals() {
        assert_eq!(hours(52.5), "2d 4h 30m");
        assert_eq!(decimal_hours(SimTime(5 * 3600)), "5h");
        assert_eq!(decimal_hours(SimTime(5400)), "1.5h");
        assert_eq!(decimal_hours(SimTime(4000)), "1.11h");
    }
}
