//! Interrupts (Ctrl-C, SIGTERM, SIGHUP): the binary's handler asks the library to remove
//! the temporary files of the writes in flight, says so, and ends the process by the signal.

use std::io::{IsTerminal, Write};

use impactsim::output;

/// Installs the handler of Ctrl-C (SIGINT), SIGTERM and SIGHUP: it removes the temporary
/// files of the writes in flight and the directories they created (when empty), says so on
/// stderr, and ends the process by that same signal, as the default action would have, so
/// that a shell sees 130, 143 or 129 and stops a loop running impactsim. A signal ignored
/// when impactsim starts (`nohup` ignores SIGHUP, a non-interactive shell's background job
/// SIGINT) stays ignored. On Windows it handles Ctrl-C, Ctrl-Break and closing the console,
/// and exits with [`output::INTERRUPTED_EXIT_CODE`].
#[cfg(unix)]
pub fn install() {
    use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGTERM};
    let ignored = ignored_at_start();
    let wanted: Vec<i32> = [SIGINT, SIGTERM, SIGHUP]
        .into_iter()
        .filter(|&s| ignored & (1 << (s - 1)) == 0)
        .collect();
    if wanted.is_empty() {
        return;
    }
    // Fails only when the signals cannot be registered; they keep their default action then.
    let Ok(mut signals) = signal_hook::iterator::Signals::new(&wanted) else {
        return;
    };
    let _ = std::thread::Builder::new()
        .name("impactsim-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                // Held until the process ends: no batch starts its renames after this point.
                let _held = clean_up_and_say();
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                std::process::exit(128 + signal);
            }
        });
}

/// The signals ignored when the process started, bit n - 1 for signal n. Linux tells them
/// in /proc; elsewhere none is taken as ignored.
#[cfg(unix)]
fn ignored_at_start() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .map(|status| sig_ign(&status))
        .unwrap_or(0)
}

/// The `SigIgn:` mask of a /proc status text (0 when it has none).
#[cfg(unix)]
fn sig_ign(status: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .unwrap_or(0)
}

#[cfg(windows)]
pub fn install() {
    // Fails only when another handler is set; then Ctrl-C ends the process the default way.
    let _ = ctrlc::set_handler(|| {
        let _held = clean_up_and_say();
        std::process::exit(output::INTERRUPTED_EXIT_CODE);
    });
}

#[cfg(not(any(unix, windows)))]
pub fn install() {}

/// Cleans up after an interrupt and says so on stderr; returns what holds back every batch's
/// renames, for the caller to keep until the process ends.
#[cfg_attr(not(any(unix, windows)), allow(dead_code))]
fn clean_up_and_say() -> output::Interrupted {
    let done = output::clean_up_after_interrupt();
    // Below the progress bar's line, not at its end.
    let lead = if std::io::stderr().is_terminal() {
        "\n"
    } else {
        ""
    };
    let _ = writeln!(std::io::stderr(), "{lead}{}", done.message);
    done
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn the_ignored_signals_come_from_sig_ign() {
        let status = "Name:\timpactsim\nSigPnd:\t0000000000000000\nSigIgn:\t0000000000000001\nSigCgt:\t0000000000004002\n";
        assert_eq!(sig_ign(status), 1, "SIGHUP (1) is bit 0");
        assert_eq!(sig_ign("Name:\tx\n"), 0);
    }
}
