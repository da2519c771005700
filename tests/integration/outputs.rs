//! Output directories: the manifest `.impactsim-outputs`, the refusal to write among someone
//! else's files (and `--force`), Ctrl-C leaving no partial file, and a closed stdout.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{dir_with, root, run_in};

const ATTACK: &str = "models/bitmarck-2023/attack-2023.toml";
const MANIFEST: &str = ".impactsim-outputs";
const HEADER: &str =
    "# files written by impactsim; remove a name to make impactsim treat that file as yours";
const RUN_FILES: [&str; 4] = [
    "clients.csv",
    "services.csv",
    "summary.json",
    "timeline.csv",
];
const MC_FILES: [&str; 3] = ["bands.csv", "runs.csv", "summary.json"];
const NOTES: &[u8] = b"my notes\n";

/// The entries of `dir`, sorted (none when it does not exist).
fn entries(dir: &Path) -> Vec<String> {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = listing
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The names the manifest of `dir` lists, in its order.
fn manifest(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join(MANIFEST)).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(HEADER), "{text}");
    lines.map(str::to_string).collect()
}

/// `files` and the manifest, as `entries` lists them.
fn with_manifest(files: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = files.iter().map(|f| f.to_string()).collect();
    names.push(MANIFEST.to_string());
    names.sort();
    names
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn run_out_writes_a_manifest_of_its_four_files_and_writes_again() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    for _ in 0..2 {
        let out = run_in(&root(), &["run", ATTACK, "--out", arg(&dir)]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(manifest(&dir), RUN_FILES);
        assert_eq!(entries(&dir), with_manifest(&RUN_FILES));
    }
}

/// Runs `args` (DIR stands for the directory) into a directory holding notes.txt: refused
/// with exit 2 and nothing written; with --force written, notes.txt untouched; refused again
/// without --force, since notes.txt is still not impactsim's.
fn refused_then_forced(args: &[&str], files: &[&str]) {
    let tmp = dir_with(&[("notes.txt", NOTES)]);
    let dir = tmp.path();
    let args: Vec<&str> = args
        .iter()
        .map(|a| if *a == "DIR" { arg(dir) } else { a })
        .collect();
    let out = run_in(&root(), &args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(
        err.contains("notes.txt") && err.contains("--force"),
        "{err}"
    );
    assert!(err.contains("choose a new directory"), "{err}");
    assert!(
        out.stdout.is_empty(),
        "{args:?}: nothing is shown after a refusal"
    );
    assert_eq!(entries(dir), ["notes.txt"], "{args:?}: nothing was written");
    assert_eq!(std::fs::read(dir.join("notes.txt")).unwrap(), NOTES);

    let mut forced = args.clone();
    forced.push("--force");
    let out = run_in(&root(), &forced);
    assert_eq!(out.status.code(), Some(0), "{forced:?}: {}", stderr(&out));
    assert_eq!(std::fs::read(dir.join("notes.txt")).unwrap(), NOTES);
    let mut expected = with_manifest(files);
    expected.push("notes.txt".into());
    expected.sort();
    assert_eq!(entries(dir), expected, "{forced:?}");
    assert_eq!(
        manifest(dir),
        files,
        "{forced:?}: notes.txt is not impactsim's"
    );

    let out = run_in(&root(), &args);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
}

#[test]
fn run_out_refuses_a_directory_with_a_file_of_someone_else() {
    refused_then_forced(&["run", ATTACK, "--out", "DIR"], &RUN_FILES);
}

#[test]
fn run_plot_refuses_a_directory_with_a_file_of_someone_else() {
    refused_then_forced(
        &["run", ATTACK, "--plot", "DIR"],
        &["gantt.png", "gantt.svg", "timeline.png", "timeline.svg"],
    );
}

#[test]
fn montecarlo_out_and_plot_refuse_a_directory_with_a_file_of_someone_else() {
    refused_then_forced(
        &["montecarlo", ATTACK, "--runs", "10", "--out", "DIR"],
        &MC_FILES,
    );
    refused_then_forced(
        &["montecarlo", ATTACK, "--runs", "10", "--plot", "DIR"],
        &["bands.png", "bands.svg"],
    );
    refused_then_forced(
        &[
            "montecarlo",
            ATTACK,
            "--runs",
            "10",
            "--shard",
            "0/2",
            "--out",
            "DIR",
        ],
        &["shard-0-of-2.json"],
    );
}

#[test]
fn merge_compare_and_rank_refuse_a_directory_with_a_file_of_someone_else() {
    let tmp = tempfile::tempdir().unwrap();
    let shards = tmp.path().join("shards");
    for i in 0..2 {
        let shard = format!("{i}/2");
        let out = run_in(
            &root(),
            &[
                "montecarlo",
                ATTACK,
                "--runs",
                "6",
                "--shard",
                &shard,
                "--out",
                arg(&shards),
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    // Shards written one after the other into one directory: both are impactsim's.
    assert_eq!(
        manifest(&shards),
        ["shard-0-of-2.json", "shard-1-of-2.json"]
    );
    refused_then_forced(&["merge", arg(&shards), "--out", "DIR"], &MC_FILES);
    refused_then_forced(
        &[
            "compare",
            ATTACK,
            "models/bitmarck-2023/what-if-faster-repair.toml",
            "--plot",
            "DIR",
        ],
        &["compare.png", "compare.svg"],
    );
    refused_then_forced(
        &["rank", "models/bitmarck-2023/model.toml", "--plot", "DIR"],
        &["rank.png", "rank.svg"],
    );
}

#[test]
fn a_subdirectory_is_foreign_too_and_at_most_five_are_named() {
    let tmp = dir_with(&[("a", "a"), ("b", "b"), ("c", "c"), ("d", "d"), ("e", "e")]);
    std::fs::create_dir(tmp.path().join("f")).unwrap();
    std::fs::create_dir(tmp.path().join("0-photos")).unwrap();
    let out = run_in(&root(), &["run", ATTACK, "--out", arg(tmp.path())]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(": 0-photos/, a, b, c, d and 2 more;"), "{err}");
}

#[test]
fn files_impactsim_wrote_in_one_command_and_across_commands_are_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("results");
    let report = dir.join("report.html");
    // --out and --plot into one directory, and a report inside it written before --out.
    for _ in 0..2 {
        let out = run_in(
            &root(),
            &[
                "montecarlo",
                ATTACK,
                "--runs",
                "10",
                "--report",
                arg(&report),
                "--out",
                arg(&dir),
                "--plot",
                arg(&dir),
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let all = [
        "bands.csv",
        "bands.png",
        "bands.svg",
        "report.html",
        "runs.csv",
        "summary.json",
    ];
    assert_eq!(manifest(&dir), all);
    assert_eq!(entries(&dir), with_manifest(&all));

    // generate's directory counts as impactsim's: a run may write its outputs there.
    let generated = tmp.path().join("generated");
    let out = run_in(&root(), &["generate", "--out", arg(&generated)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(manifest(&generated), ["model.toml", "scenario.toml"]);
    let scenario = generated.join("scenario.toml");
    let out = run_in(&root(), &["run", arg(&scenario), "--out", arg(&generated)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(manifest(&generated).len(), 6);
}

#[test]
fn a_name_removed_from_the_manifest_makes_the_file_the_users() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let out = run_in(&root(), &["run", ATTACK, "--out", arg(&dir)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.join(MANIFEST)).unwrap();
    std::fs::write(dir.join(MANIFEST), text.replace("summary.json\n", "")).unwrap();
    let out = run_in(&root(), &["run", ATTACK, "--out", arg(&dir)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("did not write: summary.json;"), "{err}");
}

#[test]
fn the_refusal_comes_before_the_simulation() {
    let tmp = dir_with(&[("notes.txt", NOTES)]);
    // Minutes of simulation, were it to start.
    let out = run_in(
        &root(),
        &[
            "montecarlo",
            ATTACK,
            "--runs",
            "200000",
            "--out",
            arg(tmp.path()),
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty());
    // The refusal and nothing else: no warning from loading, no progress.
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: ") && err.contains("notes.txt"),
        "{err}"
    );
    assert_eq!(entries(tmp.path()), ["notes.txt"]);
}

#[test]
fn an_output_path_that_is_a_file_is_refused_before_the_work() {
    let tmp = dir_with(&[("out", NOTES)]);
    let file = tmp.path().join("out");
    let out = run_in(&root(), &["run", ATTACK, "--out", arg(&file), "--force"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("is a file, not a directory"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), NOTES);
}

#[cfg(unix)]
mod unix {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use super::*;

    /// Waits until `pid` catches SIGINT (Linux lists caught signals in /proc), so that the
    /// signal meets the handler and not the default action of a process still starting.
    fn wait_for_handler(pid: u32) {
        let status = PathBuf::from(format!("/proc/{pid}/status"));
        if !status.exists() {
            std::thread::sleep(Duration::from_millis(300));
            return;
        }
        let give_up = Instant::now() + Duration::from_secs(30);
        loop {
            let text = std::fs::read_to_string(&status).unwrap_or_default();
            let caught = text
                .lines()
                .find_map(|l| l.strip_prefix("SigCgt:"))
                .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
                .unwrap_or(0);
            if caught & (1 << (2 - 1)) != 0 {
                return;
            }
            assert!(Instant::now() < give_up, "SIGINT is never caught");
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Waits for `child`, killing it after a generous time (a lost signal must not hang the
    /// test suite).
    fn wait(child: &mut Child) -> std::process::ExitStatus {
        let give_up = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > give_up {
                let _ = child.kill();
                panic!("no exit within 60 s of SIGINT");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn ctrl_c_leaves_nothing_or_everything_and_exits_130() {
        // Ctrl-C at four moments, and a SIGTERM (a cluster's scheduler stopping a shard).
        for (signal, delay) in [
            ("-INT", 0),
            ("-INT", 100),
            ("-INT", 400),
            ("-INT", 1000),
            ("-TERM", 100),
        ] {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path().join("new/out");
            let mut child = Command::new(env!("CARGO_BIN_EXE_impactsim"))
                .current_dir(root())
                .args(["montecarlo", ATTACK, "--runs", "200000", "--out", arg(&dir)])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            wait_for_handler(child.id());
            std::thread::sleep(Duration::from_millis(delay));
            let kill = Command::new("kill")
                .args([signal, &child.id().to_string()])
                .status()
                .unwrap();
            assert!(kill.success());
            let status = wait(&mut child);
            let err = read_stderr(&mut child);
            assert_eq!(
                (status.code(), status.signal()),
                (Some(130), None),
                "{signal} after {delay} ms: {err}"
            );
            assert!(err.contains("interrupted;"), "{err}");
            let found = entries(&dir);
            assert!(
                found.is_empty() || found == with_manifest(&MC_FILES),
                "after {delay} ms: {found:?}"
            );
            if found.is_empty() {
                assert!(err.contains("no output was written"), "{err}");
                // The directories the write would have made are not left behind either.
                assert_eq!(entries(tmp.path()), Vec::<String>::new(), "{delay} ms");
            }
            assert!(!found.iter().any(|n| n.ends_with(".tmp")), "{found:?}");
        }
    }

    /// All `child` wrote to its (piped) stderr.
    fn read_stderr(child: &mut Child) -> String {
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        err
    }

    /// Reads a little of what `args` prints, closes the pipe, and checks the exit is quiet.
    fn closed_stdout_is_a_quiet_exit_0(dir: &Path, args: &[&str]) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_impactsim"))
            .current_dir(dir)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut head = [0u8; 16];
        child.stdout.take().unwrap().read_exact(&mut head).unwrap();
        // The pipe is closed here, long before the output (megabytes) is done.
        let status = wait(&mut child);
        let err = read_stderr(&mut child);
        assert_eq!(status.code(), Some(0), "{args:?}: {err}");
        assert_eq!(err, "", "{args:?}");
    }

    #[test]
    fn a_closed_stdout_ends_the_program_quietly() {
        let tmp = tempfile::tempdir().unwrap();
        let out = run_in(
            tmp.path(),
            &[
                "generate",
                "--out",
                ".",
                "--services",
                "3000",
                "--clients",
                "1000",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        closed_stdout_is_a_quiet_exit_0(tmp.path(), &["graph", "model.toml", "--format", "json"]);
        closed_stdout_is_a_quiet_exit_0(tmp.path(), &["run", "scenario.toml", "--json"]);
    }

    /// A closed stderr is no reason to fail either: `--timings` writes two lines there after
    /// the run, and the summary still reaches stdout with exit 0.
    #[test]
    fn a_closed_stderr_does_not_stop_the_run() {
        let scenario = root().join("models/bitmarck-2023/attack-2023.toml");
        let mut child = Command::new(env!("CARGO_BIN_EXE_impactsim"))
            .args(["run", scenario.to_str().unwrap(), "--timings"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Closed at once, before the scenario is even loaded.
        drop(child.stderr.take());
        let mut out = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        let status = wait(&mut child);
        assert_eq!(status.code(), Some(0), "{out}");
        assert!(out.contains("people-hours"), "{out}");
    }
}
