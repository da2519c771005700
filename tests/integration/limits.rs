//! The limits of `impactsim::limits`: each refused at load with a located error and exit
//! code 2 that says what to change, and each lifted by its flag where it has one.

use std::path::Path;
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
/// `for`): 9 node events. `--max-events 8` refuses at event 2's target. With `c`'s random
/// failures (24 h ÷ (1 h + 1 h) = 12 on average) the scenario has 21: 21 is allowed.
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
        "error: s.toml:14:10: the events up to this one act on 9 nodes in all; at most 8 are allowed"
    );
    assert!(text(&out.stderr).contains("pass --max-events N"));
    assert!(out.stdout.is_empty());
    // The flag is global: before the command too.
    let out = run_in(dir.path(), &["--max-events", "20", "run", "s.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(first_line(&out).contains("about 12 random failures"));
    let out = run_in(dir.path(), &["--max-events", "21", "run", "s.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// `c` fails at random with a mean of 1 h between failures and 1 h to restore (both the
/// means of exponentials): over 100 days, 2400 h ÷ 2 h = 1200 failures on average. The
/// scenario schedules no events, so 1200 is all: refused below it, allowed from it.
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
    let out = montecarlo("1199");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        first_line(&out),
        "error: s.toml:4:11: over a horizon of 100d the mtbf values would draw about 1200 random failures in a run (`c` alone 1200); at most 1199 events are allowed"
    );
    assert!(text(&out.stderr).contains("raise the smallest mtbf"));
    let out = montecarlo("1200");
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
        assert!(line.contains("of memory, and "), "{line}");
        assert!(text(&out.stderr).contains("--no-memory-check"));
    }
    // Through a scenario: the model it names is checked the same way.
    let scenario = "[scenario]\nname = \"h\"\nmodel = \"huge.json\"\nhorizon = \"1d\"\n";
    std::fs::write(dir.path().join("s.toml"), scenario).unwrap();
    let out = run_in(dir.path(), &["run", "s.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(first_line(&out).starts_with("error: huge.json:1:1: the file is 1.0 TiB"));
    assert!(!Path::new(&dir.path().join("timeline.csv")).exists());
}

/// `--no-memory-check` reads the file whatever its size (here a small one, to show the flag
/// is accepted everywhere and changes nothing else).
#[test]
fn no_memory_check_is_accepted_by_every_command() {
    let scenario = root().join("models/bitmarck-2023/attack-2023.toml");
    let s = scenario.to_str().unwrap();
    let dir = dir_with::<&str>(&[]);
    for args in [
        vec!["validate", s, "--no-memory-check"],
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
