//! Limits that keep one input from exhausting the machine, and the switches that lift them.
//!
//! Each limit is checked where the input is read, before the work it would cause, and is
//! reported as an [`InputError`](crate::InputError) (exit code 2) that says what to change.
//!
//! | limit | default | lifted by |
//! | --- | --- | --- |
//! | time steps of a scenario (horizon ÷ step + 1) | [`crate::scenario::MAX_STEPS`] | a coarser `step` |
//! | node events of a scenario: every target of every event, and the random failures the mtbf would draw over the horizon | [`DEFAULT_MAX_EVENTS`] | `--max-events N` |
//! | memory a file needs to load, against the memory available | [`memory_needed`] | `--max-memory SIZE`, `--no-memory-check` |
//!
//! The switches are [`LoadOptions`], passed to the loaders; the command line sets them
//! (`impactsim --max-events N run ...`).

use std::path::{Path, PathBuf};

/// The most node events a scenario may schedule or draw, unless lifted.
pub const DEFAULT_MAX_EVENTS: u64 = 100_000_000;

/// How input files are loaded: the limits a command line may lift. Passed to every loader
/// (`load_scenario_with`, `validate_with`, ...); the loaders without `_with` use the
/// defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// The most node events a scenario may have.
    pub max_events: u64,
    /// Whether input files are checked against the memory available before they are read.
    pub memory_check: bool,
    /// The memory a file may take to load, bytes; `None`: what the system says is available.
    pub max_memory: Option<u64>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_events: DEFAULT_MAX_EVENTS,
            memory_check: true,
            max_memory: None,
        }
    }
}

impl LoadOptions {
    /// The memory a file may take to load: `max_memory`, or what the system says is
    /// available ([`available_memory`]).
    pub fn memory_allowed(&self) -> Option<u64> {
        self.max_memory.or_else(available_memory)
    }
}

/// Bytes of memory that loading a model file of `len` bytes (JSON when `json`, else TOML)
/// takes at its peak, with a margin.
///
/// Measured with `/usr/bin/time` on generated models of 200,000 services: a 30 MB TOML file
/// peaks at 870 MB (29 × its size: the TOML parser keeps every value with its position),
/// a 27 MB JSON file at 177 MB (6.5 ×).
pub fn memory_needed(len: u64, json: bool) -> u64 {
    let factor = if json { 8 } else { 32 };
    len.saturating_mul(factor).saturating_add(64 << 20)
}

/// Bytes of memory this process can still take: the kernel's estimate of available memory
/// (`MemAvailable`), or less where a control group limits the process or one of its
/// ancestors (cgroup v1 and v2; page cache it could drop counts as free). `None` where the
/// system does not say (the check is then skipped).
pub fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let available = meminfo.lines().find_map(|l| {
        let kb = l.strip_prefix("MemAvailable:")?.trim().strip_suffix("kB")?;
        kb.trim().parse::<u64>().ok().map(|kb| kb * 1024)
    })?;
    Some(cgroup_free().map_or(available, |c| c.min(available)))
}

/// The least memory left under the limits of this process's control groups, from its own
/// group up to the root; `None` without limits.
fn cgroup_free() -> Option<u64> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let mut least: Option<u64> = None;
    for line in own.lines() {
        // `ID:CONTROLLERS:PATH`; cgroup v2 has no controllers.
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (base, v2) = if controllers.is_empty() {
            let unified = Path::new("/sys/fs/cgroup/unified");
            if unified.is_dir() {
                (unified.to_path_buf(), true)
            } else {
                (PathBuf::from("/sys/fs/cgroup"), true)
            }
        } else if controllers.split(',').any(|c| c == "memory") {
            (PathBuf::from("/sys/fs/cgroup/memory"), false)
        } else {
            continue;
        };
        let mut dir = base.join(path.trim_start_matches('/'));
        loop {
            if let Some(free) = group_free(&dir, v2) {
                least = Some(least.map_or(free, |l| l.min(free)));
            }
            if dir == base || !dir.pop() || !dir.starts_with(&base) {
                break;
            }
        }
    }
    least
}

/// Memory left under one control group's limit: the limit less what is used, where
/// inactive page cache counts as free. `None` without a limit.
fn group_free(dir: &Path, v2: bool) -> Option<u64> {
    let number = |file: &str| -> Option<u64> {
        std::fs::read_to_string(dir.join(file))
            .ok()?
            .trim()
            .parse()
            .ok()
    };
    let (limit, usage, inactive) = if v2 {
        (
            number("memory.max")?,
            number("memory.current")?,
            "inactive_file ",
        )
    } else {
        let limit = number("memory.limit_in_bytes")?;
        (
            limit,
            number("memory.usage_in_bytes")?,
            "total_inactive_file ",
        )
    };
    // v2 writes "max" (no number) without a limit; v1 a number near 2^63.
    if limit >= 1 << 60 {
        return None;
    }
    let stat = std::fs::read_to_string(dir.join("memory.stat")).unwrap_or_default();
    let cache = stat
        .lines()
        .find_map(|l| l.strip_prefix(inactive)?.trim().parse::<u64>().ok())
        .unwrap_or(0);
    Some(limit.saturating_sub(usage.saturating_sub(cache)))
}

/// A size as people write it: `512MiB`, `2GiB`, `1.5G`, `800M`, `4096` (bytes). Units are
/// binary (K = KiB = 1024 bytes); `B` and `KB`/`MB`/`GB`/`TB` are accepted as the same.
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size; write e.g. 2GiB or 512MiB"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{text}`; use B, KiB, MiB, GiB or TiB"
            ));
        }
    };
    let bytes = value * (1u64 << shift) as f64;
    if !bytes.is_finite() || bytes < 1.0 || bytes >= u64::MAX as f64 {
        return Err(format!("`{text}` is not a size of at least one byte"));
    }
    Ok(bytes as u64)
}

/// `Some(needed)` when a file of `len` bytes needs more memory than `available`.
pub fn too_large(len: u64, json: bool, available: u64) -> Option<u64> {
    let needed = memory_needed(len, json);
    (needed > available).then_some(needed)
}

/// Bytes in binary units: `1.5 GiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut x = n as f64;
    let mut unit = 0;
    while x >= 1024.0 && unit + 1 < UNITS.len() {
        x /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} bytes")
    } else {
        format!("{x:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: bool = true;
    const TOML: bool = false;

    #[test]
    fn memory_estimate_follows_the_format() {
        // 1 GiB of TOML needs 32 GiB + 64 MiB; of JSON 8 GiB + 64 MiB.
        assert_eq!(memory_needed(1 << 30, TOML), (32 << 30) + (64 << 20));
        assert_eq!(memory_needed(1 << 30, JSON), (8 << 30) + (64 << 20));
        assert_eq!(memory_needed(u64::MAX, TOML), u64::MAX);
        // 16 GiB available: the JSON file fits, the TOML file does not.
        assert_eq!(too_large(1 << 30, JSON, 16 << 30), None);
        assert_eq!(
            too_large(1 << 30, TOML, 16 << 30),
            Some((32 << 30) + (64 << 20))
        );
    }

    #[test]
    fn available_memory_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            let a = available_memory().expect("MemAvailable in /proc/meminfo");
            assert!(a > 0);
        }
    }

    #[test]
    fn sizes_are_read_in_binary_units() {
        assert_eq!(parse_bytes("4096"), Ok(4096));
        assert_eq!(parse_bytes("512MiB"), Ok(512 << 20));
        assert_eq!(parse_bytes("2GiB"), Ok(2 << 30));
        assert_eq!(parse_bytes("1.5G"), Ok(3 << 29));
        assert_eq!(parse_bytes(" 800 MB "), Ok(800 << 20));
        assert_eq!(parse_bytes("1T"), Ok(1 << 40));
        assert!(
            parse_bytes("2 parsecs")
                .unwrap_err()
                .contains("unknown unit `parsecs`")
        );
        assert!(parse_bytes("GiB").unwrap_err().contains("not a size"));
        assert!(parse_bytes("0").is_err());
    }

    #[test]
    fn a_control_group_limit_counts_inactive_cache_as_free() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let write = |f: &str, text: &str| std::fs::write(dir.join(f), text).unwrap();
        // v2: 1 GiB limit, 900 MiB used of which 300 MiB inactive cache: 424 MiB free.
        write("memory.max", "1073741824\n");
        write("memory.current", "943718400\n");
        write(
            "memory.stat",
            "anon 1\ninactive_file 314572800\nactive_file 2\n",
        );
        assert_eq!(group_free(dir, true), Some(424 << 20));
        write("memory.max", "max\n");
        assert_eq!(group_free(dir, true), None);
        // v1: no limit is a number near 2^63.
        write("memory.limit_in_bytes", "9223372036854771712\n");
        write("memory.usage_in_bytes", "1000\n");
        assert_eq!(group_free(dir, false), None);
        write("memory.limit_in_bytes", "2000\n");
        write("memory.stat", "total_inactive_file 500\n");
        assert_eq!(group_free(dir, false), Some(1500));
    }

    #[test]
    fn bytes_in_binary_units() {
        assert_eq!(bytes(512), "512 bytes");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(3 << 30), "3.0 GiB");
        assert_eq!(bytes(1 << 40), "1.0 TiB");
    }
}
