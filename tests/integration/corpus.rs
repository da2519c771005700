//! A corpus of bad inputs under `tests/corpus/bad/`: every case must end with the exact exit
//! code, no panic, and a first stderr line `error: FILE:LINE:COL: ...` with the message seen.
//!
//! Each case is a directory holding a model (and a scenario next to it for `run` cases). The
//! binary runs inside that directory with a relative path, so locations read `model.toml:L:C`.
//! Cases whose behaviour is a bug are kept in the table with what the binary does today, and
//! the assertion that should hold is a separate `#[ignore = "bug: ..."]` test.

use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant};

use crate::common::{bin, root, run_in};

/// One bad input: directory, file to run, expected exit code, location, message part.
struct Case {
    dir: &'static str,
    file: &'static str,
    code: i32,
    location: &'static str,
    message: &'static str,
}

const fn case(
    dir: &'static str,
    file: &'static str,
    code: i32,
    location: &'static str,
    message: &'static str,
) -> Case {
    Case {
        dir,
        file,
        code,
        location,
        message,
    }
}

const M: &str = "model.toml";
const J: &str = "model.json";
const S: &str = "scenario.toml";

/// Every case with exit code 2: the first stderr line is `error: LOCATION: ...MESSAGE...`.
const CASES: &[Case] = &[
    // TOML syntax
    case(
        "toml-unclosed-string",
        M,
        2,
        "model.toml:29:13",
        "invalid basic string, expected `\"`",
    ),
    case(
        "toml-missing-equals",
        M,
        2,
        "model.toml:29:9",
        "key with no value, expected `=`",
    ),
    case(
        "toml-unclosed-table-header",
        M,
        2,
        "model.toml:26:10",
        "unclosed array table, expected `]]`",
    ),
    case(
        "toml-duplicate-key",
        M,
        2,
        "model.toml:30:1",
        "duplicate key",
    ),
    case(
        "scenario-toml-syntax",
        S,
        2,
        "scenario.toml:8:9",
        "invalid basic string",
    ),
    // JSON syntax
    case(
        "json-trailing-comma",
        J,
        2,
        "model.json:5:3",
        "trailing comma",
    ),
    case(
        "json-unclosed-object",
        J,
        2,
        "model.json:6:1",
        "EOF while parsing an object",
    ),
    case(
        "json-single-quotes",
        J,
        2,
        "model.json:2:14",
        "key must be a string",
    ),
    case(
        "json-wrong-type",
        J,
        2,
        "model.json:4:37",
        "invalid type: string \"1000\", expected a whole number of people",
    ),
    // wrong types
    case(
        "type-population-string",
        M,
        2,
        "model.toml:28:14",
        "invalid type: string \"1000\", expected a whole number of people",
    ),
    case(
        "type-restart-number",
        M,
        2,
        "model.toml:29:11",
        "a duration needs a unit: write \"2h\"",
    ),
    case(
        "type-restart-number-float",
        M,
        2,
        "model.toml:29:11",
        "a duration needs a unit: write \"1.5h\"",
    ),
    case(
        "type-share-string",
        M,
        2,
        "model.toml:29:36",
        "invalid type: string \"half\", expected a number from 0 to 1",
    ),
    case(
        "population-inf",
        M,
        2,
        "model.toml:28:14",
        "invalid type: floating point `inf`, expected a whole number of people",
    ),
    // unknown keys
    case(
        "unknown-key-service",
        M,
        2,
        "model.toml:29:1",
        "unknown field `hosted_onn`",
    ),
    case(
        "unknown-key-model",
        M,
        2,
        "model.toml:3:1",
        "unknown field `descripton`",
    ),
    case(
        "unknown-key-client",
        M,
        2,
        "model.toml:28:1",
        "unknown field `populaton`",
    ),
    case(
        "scenario-unknown-key",
        S,
        2,
        "scenario.toml:5:1",
        "unknown field `stpe`",
    ),
    // unknown ids
    case(
        "unknown-id-hosted-on",
        M,
        2,
        "model.toml:28:13",
        "unknown id `dc-3`",
    ),
    case(
        "unknown-id-requires",
        M,
        2,
        "model.toml:29:13",
        "unknown id `cor`",
    ),
    case(
        "unknown-id-uses",
        M,
        2,
        "model.toml:29:9",
        "unknown id `ep`",
    ),
    case(
        "scenario-unknown-target",
        S,
        2,
        "scenario.toml:15:10",
        "unknown target `epaa`",
    ),
    case(
        "scenario-order-unknown-id",
        S,
        2,
        "scenario.toml:8:18",
        "unknown id `nope` in `order`",
    ),
    case(
        "scenario-target-client",
        S,
        2,
        "scenario.toml:15:10",
        "`sbk` is a client; events act on sites and services",
    ),
    // graph rules
    case(
        "service-requires-itself",
        M,
        2,
        "model.toml:29:12",
        "`ti` requires itself",
    ),
    case(
        "duplicate-id",
        M,
        2,
        "model.toml:27:6",
        "duplicate id `epa`: a service already has it",
    ),
    case(
        "duplicate-id-site-service",
        M,
        2,
        "model.toml:27:6",
        "duplicate id `dc-2`: a site already has it",
    ),
    case(
        "member-twice-in-group",
        M,
        2,
        "model.toml:29:32",
        "`core` appears twice in the same group",
    ),
    case(
        "k-greater-than-n",
        M,
        2,
        "model.toml:29:12",
        "k = 3 but the group has 2 member(s)",
    ),
    case(
        "k-zero",
        M,
        2,
        "model.toml:29:12",
        "k = 0 but the group has 2 member(s)",
    ),
    case(
        "hosted-on-service",
        M,
        2,
        "model.toml:28:13",
        "`hosted_on` names `core`, which is a service, not a site",
    ),
    case(
        "client-as-requirement",
        M,
        2,
        "model.toml:29:12",
        "`sbk` is a client; requirements name sites and services",
    ),
    case(
        "fallback-on-cycle",
        M,
        2,
        "model.toml:30:12",
        "`a` has a fallback but lies on a dependency cycle: a -> b",
    ),
    // numbers
    case(
        "negative-population",
        M,
        2,
        "model.toml:28:14",
        "population -5 is negative",
    ),
    case(
        "population-over-limit",
        M,
        2,
        "model.toml:28:14",
        "population 10000000001 is larger than 10000000000",
    ),
    case(
        "share-above-one",
        M,
        2,
        "model.toml:29:36",
        "1.5 is outside [0, 1]",
    ),
    case(
        "share-negative",
        M,
        2,
        "model.toml:29:36",
        "-0.1 is outside [0, 1]",
    ),
    case(
        "share-nan",
        M,
        2,
        "model.toml:29:36",
        "NaN is outside [0, 1]",
    ),
    case(
        "share-inf",
        M,
        2,
        "model.toml:29:36",
        "inf is outside [0, 1]",
    ),
    case(
        "fallback-capacity-nan",
        M,
        2,
        "model.toml:29:25",
        "NaN is outside [0, 1]",
    ),
    // durations
    case(
        "duration-bare-number-string",
        M,
        2,
        "model.toml:29:11",
        "\"90\" has no unit",
    ),
    case(
        "duration-over-100-years",
        M,
        2,
        "model.toml:29:10",
        "duration \"36600d\" is longer than 100 years",
    ),
    case(
        "scenario-horizon-bare-number",
        S,
        2,
        "scenario.toml:4:11",
        "write \"24h\" for hours",
    ),
    case(
        "scenario-horizon-over-100-years",
        S,
        2,
        "scenario.toml:4:11",
        "longer than 100 years",
    ),
    case(
        "scenario-for-with-restart",
        S,
        2,
        "scenario.toml:16:7",
        "`for` works with shutdown and fail, not with restart",
    ),
    // distributions, restart failures, random failures, crews
    case(
        "dist-p90-below-median",
        M,
        2,
        "model.toml:29:11",
        "p90 (6h) must be above the median (12h)",
    ),
    case(
        "dist-min-above-max",
        M,
        2,
        "model.toml:29:10",
        "min (2d) is above max (1d); swap them",
    ),
    case(
        "dist-unknown",
        M,
        2,
        "model.toml:29:11",
        "unknown distribution `lognormall` (did you mean `lognormal`?)",
    ),
    case(
        "restart-failure-attempts-zero",
        M,
        2,
        "model.toml:29:64",
        "`attempts` is 0",
    ),
    case(
        "mtbf-without-mttr",
        M,
        2,
        "model.toml:29:8",
        "`mtbf` is given without `mttr`",
    ),
    case("scenario-crews-zero", S, 2, "scenario.toml:6:9", "0 crews"),
    // files
    case(
        "empty-file",
        M,
        2,
        "model.toml:1:1",
        "missing field `model`",
    ),
    case(
        "only-comments",
        M,
        2,
        "model.toml:1:1",
        "missing field `model`",
    ),
    case(
        "scenario-empty",
        S,
        2,
        "scenario.toml:1:1",
        "missing field `scenario`",
    ),
    case("invalid-utf8", M, 2, "model.toml:2:11", "not valid UTF-8"),
    case(
        "invalid-utf8-scenario",
        S,
        2,
        "scenario.toml:2:9",
        "not valid UTF-8",
    ),
    case(
        "deep-nesting-tags",
        M,
        2,
        "model.toml:29:88",
        "max recursion depth met",
    ),
    case(
        "deep-nesting-json",
        J,
        2,
        "model.json:1:55",
        "invalid type: sequence, expected a string",
    ),
    case(
        "scenario-model-missing",
        S,
        2,
        "scenario.toml:3:9",
        "cannot read the model `nope.toml`",
    ),
    case(
        "scenario-model-is-directory",
        S,
        2,
        "scenario.toml:3:9",
        "cannot read the model `sub`",
    ),
];

/// Hints (anywhere on stderr) that the cases above must give, by directory.
const HINTS: &[(&str, &str)] = &[
    ("unknown-key-service", "did you mean `hosted_on`?"),
    ("unknown-key-model", "did you mean `description`?"),
    ("unknown-key-client", "did you mean `population`?"),
    ("scenario-unknown-key", "did you mean `step`?"),
    ("unknown-id-hosted-on", "did you mean `dc-1`?"),
    ("unknown-id-requires", "did you mean `core`?"),
    ("unknown-id-uses", "did you mean `epa`?"),
    ("scenario-unknown-target", "did you mean `epa`?"),
    (
        "scenario-model-missing",
        "`model` is a path relative to the scenario file",
    ),
    (
        "scenario-model-is-directory",
        "`model` is a path relative to the scenario file",
    ),
    ("mtbf-without-mttr", "random failures need both"),
    (
        "service-requires-itself",
        "remove the service from its own requirements",
    ),
    ("invalid-utf8", "save the file as UTF-8"),
];

fn corpus(dir: &str) -> PathBuf {
    root().join("tests/corpus/bad").join(dir)
}

/// `run` for scenarios, `validate` for models, inside the case's directory.
fn run_case(dir: &str, file: &str) -> Output {
    let cmd = if file.starts_with("scenario") {
        "run"
    } else {
        "validate"
    };
    run_in(&corpus(dir), &[cmd, file])
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What is wrong with `out` for the expected exit code, location and message, if anything.
fn check(out: &Output, code: i32, location: &str, message: &str) -> Option<String> {
    let stderr = text(&out.stderr);
    if stderr.contains("panicked") {
        return Some(format!("panicked:\n{stderr}"));
    }
    if out.status.code() != Some(code) {
        return Some(format!(
            "exit code {:?}, expected {code}:\n{stderr}",
            out.status.code()
        ));
    }
    let first = stderr.lines().next().unwrap_or("");
    let prefix = format!("error: {location}: ");
    if !first.starts_with(&prefix) {
        return Some(format!(
            "expected `{prefix}` to start stderr, got:\n{stderr}"
        ));
    }
    if !first[prefix.len()..].contains(message) {
        return Some(format!(
            "expected `{message}` in the message, got:\n{stderr}"
        ));
    }
    None
}

#[test]
fn corpus_has_at_least_40_cases_and_every_directory_is_listed() {
    let mut dirs: Vec<String> = std::fs::read_dir(root().join("tests/corpus/bad"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 40, "only {} cases", dirs.len());
    for d in &dirs {
        let listed = CASES.iter().any(|c| c.dir == d) || d == "scenario-event-after-horizon";
        assert!(listed, "corpus directory `{d}` is in no table");
    }
}

#[test]
fn every_bad_input_exits_2_with_a_located_message() {
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|c| {
            let out = run_case(c.dir, c.file);
            check(&out, c.code, c.location, c.message).map(|e| format!("[{}] {e}", c.dir))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn bad_inputs_give_their_hints() {
    let failures: Vec<String> = HINTS
        .iter()
        .filter_map(|(dir, hint)| {
            let file = CASES.iter().find(|c| c.dir == *dir).unwrap().file;
            let stderr = text(&run_case(dir, file).stderr);
            (!stderr.contains(hint)).then(|| format!("[{dir}] no `{hint}` in:\n{stderr}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn event_after_the_horizon_is_a_warning_and_exit_0() {
    let out = run_case("scenario-event-after-horizon", S);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("warning: event 2 at 2d is after the horizon (1d) and is ignored"),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let out = run_in(&corpus("scenario-event-after-horizon"), &["validate", S]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let all = text(&out.stdout) + &text(&out.stderr);
    assert!(
        all.contains("after the horizon (1d) and is ignored"),
        "{all}"
    );
}

#[test]
fn duplicate_toml_key_names_the_key() {
    // Lines 29-30 both set `restart`: the error at 30:1 names the key and says what to do.
    let out = run_case("toml-duplicate-key", M);
    let first = text(&out.stderr).lines().next().unwrap_or("").to_string();
    assert!(first.contains("duplicate key `restart`"), "{first}");
    assert!(text(&out.stderr).contains("may appear only once"));
}

/// A ~100 MB JSON model: a valid header, one 100 MB string, then a type error on line 9.
#[test]
fn huge_json_model_with_a_late_type_error_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let mut json = Vec::with_capacity(100_000_200);
    json.extend_from_slice(
        b"{\n\"model\": {\"name\": \"big\"},\n\"site\": [{\"id\": \"dc\",\n\"name\": \"",
    );
    json.resize(json.len() + 100_000_000, b'x');
    json.extend_from_slice(b"\"\n}],\n\"service\": [\n{\"id\": \"a\",\n\"hosted_on\": \"dc\",\n");
    json.extend_from_slice(b"\"restart\": 5}\n]\n}\n");
    std::fs::write(dir.path().join("model.json"), json).unwrap();
    let start = Instant::now();
    let out = bin(dir.path())
        .args(["validate", "model.json"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let took = start.elapsed();
    if let Some(e) = check(
        &out,
        2,
        "model.json:9:12",
        "a duration needs a unit: write \"5h\"",
    ) {
        panic!("{e}");
    }
    assert!(
        out.stderr.len() < 10_000,
        "the message must not quote the huge line"
    );
    assert!(took < Duration::from_secs(60), "took {took:?}");
}
