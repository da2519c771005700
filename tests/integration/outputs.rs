//! Output directories: the manifest `.impactsim-outputs` and its lock file, the refusal to
//! write among someone else's files (and `--force`) or onto a directory, old temporary files,
//! interrupts (Ctrl-C, SIGTERM, SIGHUP) leaving no partial file and ending by their signal,
//! and a closed stdout.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{dir_with, root, run_in};

const ATTACK: &str = "models/bitmarck-2023/attack-2023.toml";
const MANIFEST: &str = ".impactsim-outputs";
const LOCK: &str = ".impactsim-outputs.lock";
const HEADER: &str =
    "# files written by impactsim; remove a name to make impactsim treat that file as yours";
/// What `run --out` writes for the Bitmarck model (it has business functions).
const RUN_FILES: [&str; 5] = [
    "clients.csv",
    "functions.csv",
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

/// `files`, the manifest and its lock file, as `entries` lists them.
fn with_manifest(files: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = files.iter().map(|f| f.to_string()).collect();
    names.push(MANIFEST.to_string());
    names.push(LOCK.to_string());
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
fn run_out_writes_a_manifest_of_its_files_and_writes_again() {
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

/// A `--report` aimed at a directory of the user's inside an output directory is refused
/// (exit 2) and the directory does not enter the manifest: a later `--out` is still refused.
#[test]
fn a_report_onto_a_directory_is_refused_and_the_directory_stays_the_users() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let out = run_in(&root(), &["run", ATTACK, "--out", arg(&dir)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let photos = dir.join("photos");
    std::fs::create_dir(&photos).unwrap();
    std::fs::write(photos.join("cat.txt"), NOTES).unwrap();

    let out = run_in(&root(), &["run", ATTACK, "--report", arg(&photos)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("photos is a directory"), "{err}");
    assert_eq!(manifest(&dir), RUN_FILES, "photos is not impactsim's");
    let mut expected = with_manifest(&RUN_FILES);
    expected.push("photos".into());
    expected.sort();
    assert_eq!(entries(&dir), expected, "no temporary file is left");
    assert_eq!(std::fs::read(photos.join("cat.txt")).unwrap(), NOTES);

    let out = run_in(&root(), &["run", ATTACK, "--out", arg(&dir)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("did not write: photos/;"), "{err}");
}

/// Forced, a run whose summary.json would land on a directory writes none of its four files
/// (exit 2), rather than three of them and an I/O error.
#[test]
fn a_directory_in_the_way_stops_a_forced_batch_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d2");
    std::fs::create_dir_all(dir.join("summary.json/x")).unwrap();
    let out = run_in(&root(), &["run", ATTACK, "--out", arg(&dir), "--force"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("summary.json is a directory"), "{err}");
    assert_eq!(entries(&dir), ["summary.json"], "nothing was written");
    assert_eq!(entries(&dir.join("summary.json")), ["x"]);
}

/// A temporary file a day old (left by a killed process) goes when impactsim writes into its
/// directory; a fresh one may belong to a process still writing, and stays.
#[test]
fn temporary_files_a_day_old_are_removed_and_fresh_ones_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (old, fresh) = (
        dir.join(".impactsim-123-0.tmp"),
        dir.join(".impactsim-999999-0.tmp"),
    );
    std::fs::write(&fresh, "being written").unwrap();
    let file = std::fs::File::create(&old).unwrap();
    let day_and_more = std::time::Duration::from_secs(25 * 60 * 60);
    file.set_modified(std::time::SystemTime::now() - day_and_more)
        .unwrap();
    drop(file);
    let out = run_in(&root(), &["run", ATTACK, "--out", arg(dir)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!old.exists(), "{:?}", entries(dir));
    assert!(fresh.exists(), "{:?}", entries(dir));
    let mut expected = with_manifest(&RUN_FILES);
    expected.push(".impactsim-999999-0.tmp".into());
    expected.sort();
    assert_eq!(entries(dir), expected);
}

/// Where the lock file cannot be opened for writing (here a directory sits in its place),
/// the files are written all the same, after one warning line.
#[test]
fn a_lock_that_cannot_be_taken_is_one_warning_not_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir(dir.join(LOCK)).unwrap();
    // Two batches into the directory (--out, then --plot): still one warning.
    let out = run_in(
        &root(),
        &["run", ATTACK, "--out", arg(dir), "--plot", arg(dir)],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains(LOCK)).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].starts_with("warning: cannot lock")
            && warnings[0].contains("may lose each other's entries in its manifest"),
        "{err}"
    );
    let mut files: Vec<&str> = RUN_FILES.to_vec();
    files.extend(["gantt.png", "gantt.svg", "timeline.png", "timeline.svg"]);
    files.sort();
    assert_eq!(manifest(dir), files);
}

/// Shards started together into one directory: each batch reads and replaces the manifest
/// under the lock, so none loses another's name.
#[test]
fn shards_written_side_by_side_keep_each_others_names() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shards");
    let n = 4;
    let children: Vec<_> = (0..n)
        .map(|i| {
            std::process::Command::new(env!("CARGO_BIN_EXE_impactsim"))
                .current_dir(root())
                .args(["montecarlo", ATTACK, "--runs", "8", "--out", arg(&dir)])
                .args(["--shard", &format!("{i}/{n}")])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let shards: Vec<String> = (0..n).map(|i| format!("shard-{i}-of-{n}.json")).collect();
    assert_eq!(manifest(&dir), shards);
    let names: Vec<&str> = shards.iter().map(String::as_str).collect();
    assert_eq!(entries(&dir), with_manifest(&names));
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

    /// Sends `signal` ("-INT", "-TERM", "-HUP") to `pid`.
    fn kill(signal: &str, pid: u32) {
        send(signal, &pid.to_string());
    }

    /// Sends `signal` to `target`: a pid, or minus a process group's id.
    fn send(signal: &str, target: &str) {
        let kill = Command::new("kill")
            .args([signal, "--", target])
            .status()
            .unwrap();
        assert!(kill.success(), "kill {signal} -- {target}");
    }

    /// impactsim's own command, in the repository's root.
    fn impactsim(args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_impactsim"));
        cmd.current_dir(root()).args(args);
        cmd
    }

    #[test]
    fn an_interrupt_leaves_nothing_or_everything_and_ends_by_its_signal() {
        // Ctrl-C at four moments, a SIGTERM (a cluster's scheduler stopping a shard) and a
        // SIGHUP (the terminal closed). Each ends impactsim by that very signal, as its
        // default action would have, so a shell reports 130, 143 or 129 and stops its loop.
        for (signal, number, delay) in [
            ("-INT", 2, 0),
            ("-INT", 2, 100),
            ("-INT", 2, 400),
            ("-INT", 2, 1000),
            ("-TERM", 15, 100),
            ("-HUP", 1, 100),
        ] {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path().join("new/out");
            let mut child = impactsim(&["montecarlo", ATTACK, "--runs", "200000"])
                .args(["--out", arg(&dir)])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            wait_for_handler(child.id());
            std::thread::sleep(Duration::from_millis(delay));
            kill(signal, child.id());
            let status = wait(&mut child);
            let err = read_stderr(&mut child);
            assert_eq!(
                (status.code(), status.signal()),
                (None, Some(number)),
                "{signal} after {delay} ms: {err}"
            );
            assert!(err.contains("interrupted;"), "{err}");
            let found = entries(&dir);
            assert!(
                found.is_empty() || found == with_manifest(&MC_FILES),
                "after {delay} ms: {found:?}"
            );
            if found.is_empty() {
                assert!(err.contains("no output file was written"), "{err}");
                // The directories the write would have made are not left behind either.
                assert_eq!(entries(tmp.path()), Vec::<String>::new(), "{delay} ms");
            }
            assert!(!found.iter().any(|n| n.ends_with(".tmp")), "{found:?}");
        }
    }

    /// Ctrl-C in a terminal reaches the shell and impactsim alike; bash stops a loop only
    /// when its command died by SIGINT (a command that exits with 130 lets the loop go on).
    #[cfg(target_os = "linux")]
    #[test]
    fn ctrl_c_stops_a_shell_loop() {
        use std::os::unix::process::CommandExt;
        let tmp = tempfile::tempdir().unwrap();
        // The first run takes minutes, the second a moment: were the loop to go on after
        // the first, it would end soon and say so.
        let mut shell = Command::new("bash")
            .current_dir(root())
            .args([
                "-c",
                r#"for runs in 200000 1; do "$0" montecarlo "$1" --runs $runs --out "$2/out-$runs"; done; echo loop-finished"#,
                env!("CARGO_BIN_EXE_impactsim"),
                ATTACK,
                arg(tmp.path()),
            ])
            .process_group(0)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let runner = child_of(shell.id());
        wait_for_exec(runner);
        wait_for_handler(runner);
        std::thread::sleep(Duration::from_millis(100));
        // What the terminal does: the signal to the whole foreground process group.
        send("-INT", &format!("-{}", shell.id()));
        let status = wait(&mut shell);
        let err = read_stderr(&mut shell);
        let mut out = String::new();
        shell
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(status.signal(), Some(2), "{status:?}: {out}{err}");
        assert!(!out.contains("loop-finished"), "{out}{err}");
        assert_eq!(entries(tmp.path()), Vec::<String>::new(), "{err}");
    }

    /// Waits until the process `pid` runs impactsim (a shell's child has exec'd it).
    #[cfg(target_os = "linux")]
    fn wait_for_exec(pid: u32) {
        let give_up = Instant::now() + Duration::from_secs(30);
        while std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default()
            != "impactsim\n"
        {
            assert!(Instant::now() < give_up, "{pid} never runs impactsim");
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// The pid of the first child process of `parent` (waiting for it to start).
    #[cfg(target_os = "linux")]
    fn child_of(parent: u32) -> u32 {
        let give_up = Instant::now() + Duration::from_secs(30);
        loop {
            for entry in std::fs::read_dir("/proc").unwrap().flatten() {
                let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                    continue;
                };
                let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
                // pid (comm) state ppid ...: the command may hold spaces and parentheses.
                let ppid = stat
                    .rsplit_once(')')
                    .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                    .and_then(|p| p.parse::<u32>().ok());
                if ppid == Some(parent) {
                    return pid;
                }
            }
            assert!(Instant::now() < give_up, "{parent} starts no child");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// `nohup` and `trap "" HUP` leave SIGHUP ignored; impactsim keeps it so: a SIGHUP does
    /// not stop the study, which ends with exit 0 and all its files.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_sighup_ignored_at_start_stays_ignored() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let mut child = Command::new("sh")
            .current_dir(root())
            .args([
                "-c",
                r#"trap "" HUP; exec "$0" "$@""#,
                env!("CARGO_BIN_EXE_impactsim"),
                "montecarlo",
                ATTACK,
                "--runs",
                "2000",
                "--out",
                arg(&dir),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_for_exec(child.id());
        wait_for_handler(child.id());
        let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
        let ignored = status
            .lines()
            .find_map(|l| l.strip_prefix("SigIgn:"))
            .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
            .unwrap();
        assert!(ignored & 1 != 0, "SIGHUP is no longer ignored: {status}");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the study ended too soon"
        );
        kill("-HUP", child.id());
        std::thread::sleep(Duration::from_millis(200));
        assert!(
            child.try_wait().unwrap().is_none(),
            "SIGHUP stopped the study"
        );
        let status = wait(&mut child);
        let err = read_stderr(&mut child);
        assert_eq!(status.code(), Some(0), "{status:?}: {err}");
        assert!(!err.contains("interrupted"), "{err}");
        assert_eq!(entries(&dir), with_manifest(&MC_FILES));
    }

    /// The interrupt lands while the files are being written (a run whose timeline.csv has
    /// 864,001 rows, tens of MB): the moment a temporary file shows, SIGINT. Then impactsim
    /// dies by SIGINT leaving no temporary file, and either nothing (not even the directories
    /// the write made) or every file with the manifest.
    #[test]
    fn an_interrupt_while_writing_leaves_nothing_or_everything() {
        let scenario_dir = tempfile::tempdir().unwrap();
        let text = std::fs::read_to_string(root().join(ATTACK)).unwrap();
        let model = root().join("models/bitmarck-2023/model.toml");
        let text = text
            .replace(
                "model = \"model.toml\"",
                &format!("model = {:?}", model.to_str().unwrap()),
            )
            .replace("horizon = \"21d\"", "horizon = \"10d\"")
            .replace("step = \"1h\"", "step = \"1s\"");
        assert!(text.contains("step = \"1s\"") && text.contains("horizon = \"10d\""));
        let scenario = scenario_dir.path().join("big.toml");
        std::fs::write(&scenario, text).unwrap();
        let (mut nothing, mut everything) = (0, 0);
        for attempt in 0..3 {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path().join("new/out");
            let mut child = impactsim(&["run", arg(&scenario), "--out", arg(&dir)])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let give_up = Instant::now() + Duration::from_secs(120);
            loop {
                if entries(&dir).iter().any(|n| n.ends_with(".tmp")) {
                    break;
                }
                if let Some(status) = child.try_wait().unwrap() {
                    panic!(
                        "attempt {attempt}: ended ({status:?}) before a temporary file was seen: {:?}",
                        entries(&dir)
                    );
                }
                assert!(Instant::now() < give_up, "no temporary file ever shows");
                std::thread::sleep(Duration::from_millis(1));
            }
            kill("-INT", child.id());
            let status = wait(&mut child);
            let err = read_stderr(&mut child);
            assert_eq!(status.signal(), Some(2), "attempt {attempt}: {err}");
            let found = entries(&dir);
            assert!(!found.iter().any(|n| n.ends_with(".tmp")), "{found:?}");
            if found.is_empty() {
                nothing += 1;
                assert!(err.contains("no output file was written"), "{err}");
                assert_eq!(entries(tmp.path()), Vec::<String>::new(), "{err}");
            } else {
                everything += 1;
                assert_eq!(found, with_manifest(&RUN_FILES), "attempt {attempt}: {err}");
                assert_eq!(manifest(&dir), RUN_FILES);
                assert!(
                    err.contains("the 4 files written before were kept"),
                    "{err}"
                );
            }
        }
        eprintln!("interrupted while writing: {nothing} left nothing, {everything} everything");
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
