//! The limits of `impactsim::limits`: each refused at load with a located error and exit
//! code 2 that says what to change, and each lifted by its flag where it has one.

use std::process::Output;

use crate::common::{dir_with, root, run_in};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn first_line(out: &Output) -> String {
    text(&out.stderr).lines().next().unwrap_or("").to_string()
}

/// A horizon sampled too finely is refused at load, pointing at `step`, with the step that
/// would do: 100 years every second is 3,153,600,001 steps; 10,000,000 is the most.
/// Exactly the most is fine.
#[test]
fn too_many_time_steps_are_refused() {
    let model = std::fs::read_to_string(root().join("models/bitmarck-2023/model.toml")).unwrap();
    let scenario =
        "[scenario]\nname = \"t\"\nmodel = \"model.toml\"\nhorizon = \"36500d\"\nstep = \"1s\"\n";
    let dir = dir_with(&[("model.toml", model.as_str()), ("s.toml", scenario)]);
    let out = run_in(dir.path(), &["validate", "s.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.starts_with(
            "error: s.toml:5:8: a horizon of 36500d sampled every 1s makes 3153600001 time steps"
        ),
        "{err}"
    );
    assert!(err.contains("raise step to at least 5m 16s"), "{err}");
    // 9,999,999 s every second: exactly 10,000,000 steps.
    let ok =
        "[scenario]\nname = \"t\"\nmodel = \"model.toml\"\nhorizon = \"9999999s\"\nstep = \"1s\"\n";
    std::fs::write(dir.path().join("ok.toml"), ok).unwrap();
    let out = run_in(dir.path(), &["validate", "ok.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

const SMALL_MODEL: &str = r#"
[model]
name = "three"

[[service]]
id = "a"
[[service]]
id = "b"
[[service]]
id = "c"
mtbf = "1h"
mttr = "1h"

[[client]]
id = "x"
population = 100
uses = ["a", "b", "c"]
"#;

/// Event 1 acts on 3 services; event 2 on 3 services twice (shut down, and back after
/// `for`): 9 node events. `--max-events 8` refuses at event 2's target. `c`'s random
/// failures, 24 h ÷ (1 h + 1 h) = 12 on average, each a loss and a return, add 24: 33 in
/// all, so 32 is refused at the horizon and 33 allowed.
#[test]
fn node_events_beyond_the_limit_are_refused_unless_lifted() {
    let scenario = r#"[scenario]
name = "many"
model = "model.toml"
horizon = "1d"

[[event]]
at = "0h"
action = "shutdown"
target = "service:*"

[[event]]
at = "2h"
action = "shutdown"
target = "service:*"
for = "1h"
"#;
    let dir = dir_with(&[("model.toml", SMALL_MODEL), ("s.toml", scenario)]);
    let out = run_in(dir.path(), &["run", "s.toml", "--max-events", "8"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        first_line(&out),
        "error: s.toml:14:10: the events up to this one make 9 node events (each target once, twice with `for`); at most 8 are allowed"
    );
    assert!(text(&out.stderr).contains("pass --max-events N"));
    assert!(out.stdout.is_empty());
    // The flag is global: before the command too.
    let out = run_in(dir.path(), &["--max-events", "32", "run", "s.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        first_line(&out),
        "error: s.toml:4:11: over a horizon of 1d a run makes about 33 node events: 9 scheduled, and 24 from about 12 random failures (a loss and a return each; `c` alone fails about 12 times); at most 32 are allowed"
    );
    let out = run_in(dir.path(), &["--max-events", "33", "run", "s.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// `c` fails at random with a mean of 1 h between failures and 1 h to restore (both the
/// means of exponentials): over 100 days, 2400 h ÷ 2 h = 1200 failures on average, each a
/// loss and a return. The scenario schedules no events, so 2400 node events is all:
/// refused below it, allowed from it.
#[test]
fn random_failures_beyond_the_limit_are_refused_unless_lifted() {
    let scenario = "[scenario]\nname = \"r\"\nmodel = \"model.toml\"\nhorizon = \"100d\"\n";
    let dir = dir_with(&[("model.toml", SMALL_MODEL), ("s.toml", scenario)]);
    let montecarlo = |max: &str| {
        run_in(
            dir.path(),
            &["montecarlo", "s.toml", "--runs", "2", "--max-events", max],
        )
    };
    let out = montecarlo("2399");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        first_line(&out),
        "error: s.toml:4:11: over a horizon of 100d a run makes about 2400 node events: 0 scheduled, and 2400 from about 1200 random failures (a loss and a return each; `c` alone fails about 1200 times); at most 2399 are allowed"
    );
    assert!(text(&out.stderr).contains("raise the smallest mtbf"));
    let out = montecarlo("2400");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// A file far larger than the memory of any machine this runs on (a sparse file of 1 TiB
/// takes no disk space) is refused before it is read, at the file, with the way out.
#[test]
fn a_model_too_large_for_memory_is_refused_before_reading() {
    let dir = dir_with::<&str>(&[]);
    for name in ["huge.json", "huge.toml"] {
        let f = std::fs::File::create(dir.path().join(name)).unwrap();
        f.set_len(1 << 40).unwrap();
        let out = run_in(dir.path(), &["validate", name]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        let line = first_line(&out);
        assert!(
            line.starts_with(&format!(
                "error: {name}:1:1: the file is 1.0 TiB: loading it takes about "
            )),
            "{line}"
        );
        assert!(line.contains(" of memory may be used"), "{line}");
        let err = text(&out.stderr);
        assert!(err.contains("--no-memory-check"), "{err}");
        // Only for TOML does JSON help.
        assert_eq!(
            err.contains("write it as JSON"),
            name.ends_with(".toml"),
            "{err}"
        );
    }
    // Through a scenario: the model it names is checked the same way.
    let scenario = "[scenario]\nname = \"h\"\nmodel = \"huge.json\"\nhorizon = \"1d\"\n";
    std::fs::write(dir.path().join("s.toml"), scenario).unwrap();
    let out = run_in(dir.path(), &["run", "s.toml", "--out", "out"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(first_line(&out).starts_with("error: huge.json:1:1: the file is 1.0 TiB"));
    assert!(!dir.path().join("out").exists());
}

/// `--max-memory` replaces what the system says is available, and `--no-memory-check`
/// lifts the check: a 20 MiB JSON file (of zero bytes) needs about 224 MiB to load, so
/// `--max-memory 200MiB` refuses it, 1GiB lets it be read, and so does
/// `--no-memory-check`. Read, it is not JSON: a syntax error at its first byte.
#[test]
fn max_memory_sets_the_memory_and_no_memory_check_lifts_the_check() {
    let dir = dir_with::<&str>(&[]);
    let f = std::fs::File::create(dir.path().join("zeros.json")).unwrap();
    f.set_len(20 << 20).unwrap();
    let out = run_in(
        dir.path(),
        &["validate", "zeros.json", "--max-memory", "200MiB"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        first_line(&out),
        "error: zeros.json:1:1: the file is 20.0 MiB: loading it takes about 224.0 MiB, and 200.0 MiB of memory may be used"
    );
    for args in [
        ["validate", "zeros.json", "--max-memory", "1GiB"],
        [
            "validate",
            "zeros.json",
            "--max-memory",
            "200MiB --no-memory-check",
        ],
    ] {
        let args: Vec<&str> = args.iter().flat_map(|a| a.split(' ')).collect();
        let out = run_in(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let line = first_line(&out);
        assert!(
            line.starts_with("error: zeros.json:1:1: "),
            "{args:?}: {line}"
        );
        assert!(!line.contains("memory"), "{args:?}: {line}");
    }
    let out = run_in(
        dir.path(),
        &["validate", "zeros.json", "--max-memory", "lots"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not a size"),
        "{}",
        text(&out.stderr)
    );
}

/// The memory flags are global: accepted before or after any command, changing nothing for
/// a file that fits.
#[test]
fn no_memory_check_is_accepted_by_every_command() {
    let scenario = root().join("models/bitmarck-2023/attack-2023.toml");
    let s = scenario.to_str().unwrap();
    let dir = dir_with::<&str>(&[]);
    for args in [
        vec!["validate", s, "--no-memory-check"],
        vec!["--max-memory", "4GiB", "validate", s],
        vec!["--no-memory-check", "run", s],
        vec![
            "rank",
            root()
                .join("models/bitmarck-2023/model.toml")
                .to_str()
                .unwrap(),
            "--no-memory-check",
        ],
    ] {
        let out = run_in(dir.path(), &args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}
