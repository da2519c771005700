//! Limits that keep one input from exhausting the machine, and the switches that lift them.
//!
//! Each limit is checked where the input is read, before the work it would cause, and is
//! reported as an [`InputError`](crate::InputError) (exit code 2) that says what to change.
//!
//! | limit | default | lifted by |
//! | --- | --- | --- |
//! | time steps of a scenario (horizon ÷ step + 1) | [`crate::scenario::MAX_STEPS`] | a coarser `step` |
//! | node events of a scenario: every target of every event, and the random failures the mtbf would draw over the horizon | [`DEFAULT_MAX_EVENTS`] | `--max-events N` |
//! | memory a file needs to load, against the memory available | [`memory_needed`] | `--no-memory-check` |
//!
//! The two switches are settings of the whole process, set once by the command line
//! (`impactsim --max-events N run ...`) before anything is loaded.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::source::Format;

/// The most node events a scenario may schedule or draw, unless lifted.
pub const DEFAULT_MAX_EVENTS: u64 = 100_000_000;

static MAX_EVENTS: AtomicU64 = AtomicU64::new(DEFAULT_MAX_EVENTS);
static MEMORY_CHECK: AtomicBool = AtomicBool::new(true);

/// Sets the most node events a scenario may have (`--max-events`).
pub fn set_max_events(n: u64) {
    MAX_EVENTS.store(n, Ordering::Relaxed);
}

/// The most node events a scenario may have.
pub fn max_events() -> u64 {
    MAX_EVENTS.load(Ordering::Relaxed)
}

/// Turns the memory check of input files on or off (`--no-memory-check`).
pub fn set_memory_check(on: bool) {
    MEMORY_CHECK.store(on, Ordering::Relaxed);
}

/// Whether input files are checked against the memory available before they are read.
pub fn memory_check() -> bool {
    MEMORY_CHECK.load(Ordering::Relaxed)
}

/// Bytes of memory that loading a model file of `len` bytes takes at its peak, with a margin.
///
/// Measured with `/usr/bin/time` on generated models of 200,000 services: a 30 MB TOML file
/// peaks at 870 MB (29 × its size: the TOML parser keeps every value with its position),
/// a 27 MB JSON file at 177 MB (6.5 ×).
pub fn memory_needed(len: u64, format: Format) -> u64 {
    let factor = match format {
        Format::Toml => 32,
        Format::Json => 8,
    };
    len.saturating_mul(factor).saturating_add(64 << 20)
}

/// Bytes of memory this process can still take: the kernel's estimate of available memory
/// (`MemAvailable`), or less where a control group limits the process. `None` where the
/// system does not say (the check is then skipped).
pub fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let available = meminfo.lines().find_map(|l| {
        let kb = l.strip_prefix("MemAvailable:")?.trim().strip_suffix("kB")?;
        kb.trim().parse::<u64>().ok().map(|kb| kb * 1024)
    })?;
    let read = |f: &str| {
        std::fs::read_to_string(format!("/sys/fs/cgroup/{f}"))
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
    };
    let cgroup = match (read("memory.max"), read("memory.current")) {
        (Some(max), Some(current)) => Some(max.saturating_sub(current)),
        _ => None,
    };
    Some(cgroup.map_or(available, |c| c.min(available)))
}

/// `Some(needed)` when a file of `len` bytes needs more memory than `available`.
pub fn too_large(len: u64, format: Format, available: u64) -> Option<u64> {
    let needed = memory_needed(len, format);
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

    #[test]
    fn memory_estimate_follows_the_format() {
        // 1 GiB of TOML needs 32 GiB + 64 MiB; of JSON 8 GiB + 64 MiB.
        assert_eq!(
            memory_needed(1 << 30, Format::Toml),
            (32 << 30) + (64 << 20)
        );
        assert_eq!(memory_needed(1 << 30, Format::Json), (8 << 30) + (64 << 20));
        assert_eq!(memory_needed(u64::MAX, Format::Toml), u64::MAX);
        // 16 GiB available: the JSON file fits, the TOML file does not.
        assert_eq!(too_large(1 << 30, Format::Json, 16 << 30), None);
        assert_eq!(
            too_large(1 << 30, Format::Toml, 16 << 30),
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
    fn bytes_in_binary_units() {
        assert_eq!(bytes(512), "512 bytes");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(3 << 30), "3.0 GiB");
        assert_eq!(bytes(1 << 40), "1.0 TiB");
    }
}
