//! The `impactsim` binary end to end: exit codes, located error messages with hints, and the
//! outputs of `validate` and `run` (summary, `--json`, `--out`, `--fail-on`).
//!
//! Every test writes its files into a temporary directory and runs the binary there with
//! relative paths, so error locations read `model.toml:LINE:COLUMN`. Lines and columns below
//! are counted by hand from the text each test writes (1-based, columns in characters).

use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

use crate::common::{assert_subset, bin, column, dir_with, num, read_csv, root, run_in};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A valid model of exactly 25 lines (the last ends with a newline). Tests append to it: the
/// appended text's first line is line 26.
const BASE: &str = r#"[model]
name = "mini"
population_label = "insured"

[[site]]
id = "dc-1"

[[site]]
id = "dc-2"

[[service]]
id = "core-insurance"
hosted_on = { any_of = ["dc-1", "dc-2"] }
restart = "2h"

[[service]]
id = "epa"
hosted_on = "dc-1"
requires = ["core-insurance"]
restart = "1h"

[[client]]
id = "sbk"
population = 1000
uses = ["epa", { service = "core-insurance", share = 0.5 }]
"#;

/// BASE plus a service `ti` whose further keys are `body`: the first line of `body` is line 29.
///
/// ```text
/// 26  (blank)
/// 27  [[service]]
/// 28  id = "ti"
/// 29  <body line 1>
/// ```
fn with_service(body: &str) -> String {
    assert_eq!(BASE.lines().count(), 25, "BASE must stay 25 lines long");
    format!("{BASE}\n[[service]]\nid = \"ti\"\n{body}")
}

/// BASE plus a client `aok` whose further keys are `body`: the first line of `body` is line 29.
fn with_client(body: &str) -> String {
    assert_eq!(BASE.lines().count(), 25, "BASE must stay 25 lines long");
    format!("{BASE}\n[[client]]\nid = \"aok\"\n{body}")
}

/// A valid scenario on `model.toml`, 10 lines:
///
/// ```text
///  1  [scenario]
///  2  name = "s"
///  3  model = "model.toml"
///  4  horizon = "1d"
///  5  step = "1h"
///  6  (blank)
///  7  [[event]]
///  8  at = "0h"
///  9  action = "shutdown"
/// 10  target = "dc-1"
/// ```
const SCENARIO: &str = r#"[scenario]
name = "s"
model = "model.toml"
horizon = "1d"
step = "1h"

[[event]]
at = "0h"
action = "shutdown"
target = "dc-1"
"#;

/// SCENARIO with one line (1-based) replaced.
fn scenario_with_line(line: usize, text: &str) -> String {
    assert_eq!(
        SCENARIO.lines().count(),
        10,
        "SCENARIO must stay 10 lines long"
    );
    let mut lines: Vec<&str> = SCENARIO.lines().collect();
    lines[line - 1] = text;
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts a bad-input failure: exit code 2, no panic, and a first stderr line
/// `error: <location>: <...message...>`, and the hint somewhere in stderr when given.
#[track_caller]
fn assert_input_error(out: &Output, location: &str, message: &str, hint: Option<&str>) {
    let stderr = text(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "the program panicked:\n{stderr}"
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit code for bad input; stderr:\n{stderr}"
    );
    let first = stderr.lines().next().unwrap_or("");
    let prefix = format!("error: {location}: ");
    assert!(
        first.starts_with(&prefix),
        "expected the first stderr line to start with `{prefix}`, got:\n{stderr}"
    );
    assert!(
        first[prefix.len()..].contains(message),
        "expected the message to contain `{message}`, got:\n{stderr}"
    );
    if let Some(hint) = hint {
        assert!(
            stderr.contains(hint),
            "expected the hint `{hint}` in stderr, got:\n{stderr}"
        );
    }
}

/// `validate model.toml` on a model text.
fn validate_model(model: &str) -> Output {
    let dir = dir_with(&[("model.toml", model.as_bytes())]);
    run_in(dir.path(), &["validate", "model.toml"])
}

/// `run scenario.toml` on BASE and a scenario text.
fn run_scenario(scenario: &str) -> Output {
    let dir = dir_with(&[
        ("model.toml", BASE.as_bytes()),
        ("scenario.toml", scenario.as_bytes()),
    ]);
    run_in(dir.path(), &["run", "scenario.toml"])
}

fn spec_case(name: &str) -> PathBuf {
    root().join("tests/fixtures/spec-cases").join(name)
}

fn scenario_of(case: &str) -> String {
    spec_case(case)
        .join("scenario.toml")
        .to_string_lossy()
        .into_owned()
}

// ---------------------------------------------------------------------------------------------
// A. Bad input: exit code 2, file:line:column, hint
// ---------------------------------------------------------------------------------------------

#[test]
fn base_files_are_valid() {
    // The texts the error tests start from are themselves fine.
    let dir = dir_with(&[
        ("model.toml", BASE.as_bytes()),
        ("scenario.toml", SCENARIO.as_bytes()),
    ]);
    bin(dir.path())
        .args(["validate", "model.toml"])
        .assert()
        .success();
    bin(dir.path())
        .args(["run", "scenario.toml"])
        .assert()
        .success();
}

#[test]
fn toml_syntax_error_is_located() {
    // Line 5 lacks its `=`: the parser stops at the `"` in column 4.
    let model = "[model]\nname = \"mini\"\n\n[[site]]\nid \"dc-1\"\n";
    let out = validate_model(model);
    assert_input_error(&out, "model.toml:5:4", "expected `=`", None);
}

#[test]
fn unknown_key_in_service_suggests_hosted_on() {
    // Line 29: `hosted = "dc-1"`, the key at column 1.
    let out = validate_model(&with_service("hosted = \"dc-1\"\n"));
    assert_input_error(
        &out,
        "model.toml:29:1",
        "unknown field `hosted`",
        Some("did you mean `hosted_on`?"),
    );
}

#[test]
fn unknown_key_in_model_header() {
    // Line 3: `populaton_label = ...`, the key at column 1.
    let model = "[model]\nname = \"mini\"\npopulaton_label = \"insured\"\n";
    let out = validate_model(model);
    assert_input_error(
        &out,
        "model.toml:3:1",
        "unknown field `populaton_label`",
        Some("did you mean `population_label`?"),
    );
}

#[test]
fn unknown_id_in_requires_suggests_the_closest() {
    // Line 29: `requires = ["epa", "core-insurence"]`: `[` is column 12, `"epa"` 13-17, `, `,
    // then `"core-insurence"` at column 20.
    let out = validate_model(&with_service("requires = [\"epa\", \"core-insurence\"]\n"));
    assert_input_error(
        &out,
        "model.toml:29:20",
        "unknown id `core-insurence`",
        Some("did you mean `core-insurance`?"),
    );
}

#[test]
fn unknown_id_in_k_of_group_member() {
    // Line 29: `requires = { k = 1, of = ["epa", "core-insurence"] }`: `{` column 12, `[` 26,
    // `"epa"` 27-31, `"core-insurence"` at 34.
    let out = validate_model(&with_service(
        "requires = { k = 1, of = [\"epa\", \"core-insurence\"] }\n",
    ));
    assert_input_error(
        &out,
        "model.toml:29:34",
        "unknown id `core-insurence`",
        Some("did you mean `core-insurance`?"),
    );
}

#[test]
fn unknown_id_in_client_uses() {
    // Line 30: `uses = ["epa", "epaa"]`: `[` column 8, `"epa"` 9-13, `"epaa"` at 16.
    let out = validate_model(&with_client(
        "population = 10\nuses = [\"epa\", \"epaa\"]\n",
    ));
    assert_input_error(
        &out,
        "model.toml:30:16",
        "unknown id `epaa`",
        Some("did you mean `epa`?"),
    );
}

#[test]
fn unknown_id_in_client_uses_table_form() {
    // Line 30: `uses = ["epa", { service = "epaa", share = 0.5 }]`: `{` column 16, `service`
    // 18-24, `=` 26, the unknown id `"epaa"` at 28.
    let out = validate_model(&with_client(
        "population = 10\nuses = [\"epa\", { service = \"epaa\", share = 0.5 }]\n",
    ));
    assert_input_error(
        &out,
        "model.toml:30:28",
        "unknown id `epaa`",
        Some("did you mean `epa`?"),
    );
}

#[test]
fn duplicate_id_between_site_and_service() {
    // A service `dc-2` after the site `dc-2`: line 28 `id = "dc-2"`, the value at column 6.
    let model = format!("{BASE}\n[[service]]\nid = \"dc-2\"\n");
    let out = validate_model(&model);
    assert_input_error(
        &out,
        "model.toml:28:6",
        "duplicate id `dc-2`",
        Some("unique"),
    );
}

#[test]
fn bare_number_duration_shows_how_to_write_it() {
    // Line 29: `restart = 12`, the value at column 11.
    let out = validate_model(&with_service("restart = 12\n"));
    assert_input_error(&out, "model.toml:29:11", "\"12h\"", None);
}

#[test]
fn duration_with_unknown_unit() {
    let out = validate_model(&with_service("restart = \"12x\"\n"));
    assert_input_error(&out, "model.toml:29:11", "unknown unit \"x\"", None);
}

#[test]
fn negative_duration() {
    let out = validate_model(&with_service("restart = \"-1h\"\n"));
    assert_input_error(&out, "model.toml:29:11", "negative", None);
}

#[test]
fn absurd_duration_over_100_years() {
    // 6000 weeks is about 115 years.
    let out = validate_model(&with_service("restart = \"6000w\"\n"));
    assert_input_error(&out, "model.toml:29:11", "longer than 100 years", None);
}

#[test]
fn k_larger_than_group() {
    // The group `{ ... }` starts at column 12 of line 29.
    let out = validate_model(&with_service(
        "requires = { k = 3, of = [\"epa\", \"core-insurance\"] }\n",
    ));
    assert_input_error(&out, "model.toml:29:12", "k = 3", None);
}

#[test]
fn k_zero() {
    let out = validate_model(&with_service("requires = { k = 0, of = [\"epa\"] }\n"));
    assert_input_error(&out, "model.toml:29:12", "k = 0", None);
}

#[test]
fn empty_any_of() {
    let out = validate_model(&with_service("requires = { any_of = [] }\n"));
    assert_input_error(&out, "model.toml:29:12", "empty group", None);
}

#[test]
fn fallback_capacity_above_one() {
    // Line 29: `fallback = { capacity = 1.5 }`: the number at column 25.
    let out = validate_model(&with_service("fallback = { capacity = 1.5 }\n"));
    assert_input_error(&out, "model.toml:29:25", "outside [0, 1]", None);
}

#[test]
fn fallback_capacity_negative() {
    let out = validate_model(&with_service("fallback = { capacity = -0.1 }\n"));
    assert_input_error(&out, "model.toml:29:25", "outside [0, 1]", None);
}

#[test]
fn share_above_one() {
    // Line 30: `uses = [{ service = "epa", share = 2 }]`: the `2` at column 36.
    let out = validate_model(&with_client(
        "population = 10\nuses = [{ service = \"epa\", share = 2 }]\n",
    ));
    assert_input_error(&out, "model.toml:30:36", "outside [0, 1]", None);
}

#[test]
fn negative_population() {
    // Line 29: `population = -5`: the value at column 14.
    let out = validate_model(&with_client("population = -5\nuses = [\"epa\"]\n"));
    assert_input_error(&out, "model.toml:29:14", "negative", None);
}

#[test]
fn absurd_population() {
    let out = validate_model(&with_client(
        "population = 20_000_000_000\nuses = [\"epa\"]\n",
    ));
    assert_input_error(&out, "model.toml:29:14", "larger than", None);
}

#[test]
fn hosted_on_naming_a_service() {
    // Line 29: `hosted_on = ["dc-1", "epa"]`: `[` column 13, `"dc-1"` 14-19, `"epa"` at 22.
    let out = validate_model(&with_service("hosted_on = [\"dc-1\", \"epa\"]\n"));
    assert_input_error(
        &out,
        "model.toml:29:22",
        "`epa`, which is a service, not a site",
        Some("requires"),
    );
}

#[test]
fn service_requiring_itself() {
    // Line 29: `requires = ["core-insurance", "ti"]`: `"core-insurance"` 13-28, `"ti"` at 31.
    let out = validate_model(&with_service("requires = [\"core-insurance\", \"ti\"]\n"));
    assert_input_error(&out, "model.toml:29:31", "`ti` requires itself", None);
}

#[test]
fn fallback_on_a_dependency_cycle() {
    // ti requires loop, loop requires ti; ti has the fallback (line 30, `{` at column 12).
    let model = with_service(
        "requires = [\"loop\"]\nfallback = { capacity = 0.5 }\n\n[[service]]\nid = \"loop\"\nrequires = [\"ti\"]\n",
    );
    let out = validate_model(&model);
    assert_input_error(
        &out,
        "model.toml:30:12",
        "`ti` has a fallback but lies on a dependency cycle",
        None,
    );
    let first = text(&out.stderr).lines().next().unwrap().to_string();
    assert!(first.contains("loop"), "the cycle is named: {first}");
}

#[test]
fn client_named_as_a_requirement() {
    // Line 29: `requires = ["sbk"]`: `"sbk"` at column 13.
    let out = validate_model(&with_service("requires = [\"sbk\"]\n"));
    assert_input_error(&out, "model.toml:29:13", "`sbk` is a client", None);
}

#[test]
fn model_error_through_a_scenario_points_at_the_model() {
    let model = with_service("requires = [\"epa\", \"core-insurence\"]\n");
    let dir = dir_with(&[
        ("model.toml", model.as_bytes()),
        ("scenario.toml", SCENARIO.as_bytes()),
    ]);
    let out = run_in(dir.path(), &["run", "scenario.toml"]);
    assert_input_error(
        &out,
        "model.toml:29:20",
        "unknown id `core-insurence`",
        Some("did you mean `core-insurance`?"),
    );
}

#[test]
fn scenario_unknown_target_suggests_the_closest() {
    // Line 10: `target = ["dc-1", "core-insurence"]`: `[` column 10, `"dc-1"` 11-16, the
    // unknown id at 19.
    let out = run_scenario(&scenario_with_line(
        10,
        "target = [\"dc-1\", \"core-insurence\"]",
    ));
    assert_input_error(
        &out,
        "scenario.toml:10:19",
        "unknown target `core-insurence`",
        Some("did you mean `core-insurance`?"),
    );
}

#[test]
fn scenario_tag_matching_nothing() {
    // Line 10: `target = "tag:nosuch"`: the value at column 10.
    let out = run_scenario(&scenario_with_line(10, "target = \"tag:nosuch\""));
    assert_input_error(
        &out,
        "scenario.toml:10:10",
        "`tag:nosuch` matches nothing",
        None,
    );
}

#[test]
fn scenario_hosted_selector_on_a_service() {
    let out = run_scenario(&scenario_with_line(10, "target = \"hosted:epa\""));
    assert_input_error(&out, "scenario.toml:10:10", "`epa` is not a site", None);
}

#[test]
fn scenario_for_on_restart() {
    // Line 9 becomes a restart; line 11 `for = "2h"`: the value at column 7.
    let scenario = format!(
        "{}for = \"2h\"\n",
        scenario_with_line(9, "action = \"restart\"")
    );
    let out = run_scenario(&scenario);
    assert_input_error(
        &out,
        "scenario.toml:11:7",
        "`for` works with shutdown and fail",
        None,
    );
}

#[test]
fn scenario_unknown_action() {
    // Line 9: `action = "reboot"`: the value at column 10.
    let out = run_scenario(&scenario_with_line(9, "action = \"reboot\""));
    assert_input_error(&out, "scenario.toml:9:10", "reboot", None);
    let first = text(&out.stderr).lines().next().unwrap().to_string();
    for action in ["shutdown", "fail", "restart"] {
        assert!(first.contains(action), "the actions are listed: {first}");
    }
}

#[test]
fn scenario_zero_step() {
    // Line 5: `step = "0h"`: the value at column 8.
    let out = run_scenario(&scenario_with_line(5, "step = \"0h\""));
    assert_input_error(
        &out,
        "scenario.toml:5:8",
        "step must be longer than 0",
        None,
    );
}

#[test]
fn scenario_zero_horizon() {
    // Line 4: `horizon = "0h"`: the value at column 11.
    let out = run_scenario(&scenario_with_line(4, "horizon = \"0h\""));
    assert_input_error(
        &out,
        "scenario.toml:4:11",
        "horizon must be longer than 0",
        None,
    );
}

#[test]
fn scenario_unknown_key_in_header() {
    // Line 6 (was blank): `descripton = "x"`, the key at column 1.
    let out = run_scenario(&scenario_with_line(6, "descripton = \"x\""));
    assert_input_error(
        &out,
        "scenario.toml:6:1",
        "unknown field `descripton`",
        Some("did you mean `description`?"),
    );
}

#[test]
fn scenario_model_file_missing_points_at_model_key() {
    // Line 3: `model = "nope.toml"`: the value at column 9. A missing model is bad input in
    // the scenario (exit 2), not an I/O failure of the scenario itself.
    let out = run_scenario(&scenario_with_line(3, "model = \"nope.toml\""));
    assert_input_error(&out, "scenario.toml:3:9", "nope.toml", None);
}

#[test]
fn invalid_utf8_is_located() {
    // Line 2: `name = "ab` is 10 characters; the byte 0xFF is column 11.
    let dir = dir_with(&[("model.toml", b"[model]\nname = \"ab\xff\"\n")]);
    let out = run_in(dir.path(), &["validate", "model.toml"]);
    assert_input_error(&out, "model.toml:2:11", "UTF-8", None);
}

#[test]
fn empty_file() {
    let out = validate_model("");
    assert_input_error(&out, "model.toml:1:1", "`model`", None);
    let first = text(&out.stderr).lines().next().unwrap().to_string();
    assert!(first.contains("missing"), "says what is missing: {first}");
}

#[test]
fn json_model_unknown_id_is_located_in_the_json() {
    // Line 6, 4 spaces of indent: `{` col 5, `"id"` 6-9, `:` 10, `"epa"` 12-16, `,` 17,
    // `"hosted_on"` 19-29, `:` 30, `"dc-1"` 32-37, `,` 38, `"requires"` 40-49, `:` 50,
    // `[` 52, `"core-insurence"` at 53.
    let model = r#"{
  "model": {"name": "mini"},
  "site": [{"id": "dc-1"}],
  "service": [
    {"id": "core-insurance", "hosted_on": "dc-1"},
    {"id": "epa", "hosted_on": "dc-1", "requires": ["core-insurence"]}
  ],
  "client": [{"id": "sbk", "population": 10, "uses": ["epa"]}]
}
"#;
    let dir = dir_with(&[("model.json", model.as_bytes())]);
    let out = run_in(dir.path(), &["validate", "model.json"]);
    assert_input_error(
        &out,
        "model.json:6:53",
        "unknown id `core-insurence`",
        Some("did you mean `core-insurance`?"),
    );
}

#[test]
fn patch_cannot_change_an_ids_kind() {
    // Lines 11-13 appended: blank, `[[patch.site]]`, `id = "epa"` (value at column 6).
    let scenario = format!("{SCENARIO}\n[[patch.site]]\nid = \"epa\"\n");
    let out = run_scenario(&scenario);
    assert_input_error(
        &out,
        "scenario.toml:13:6",
        "a patch cannot change the kind of `epa`",
        Some("[[patch.service]]"),
    );
}

#[test]
fn patch_error_is_located_in_the_scenario() {
    // Line 14: `requires = ["core-insurence"]`: the id at column 13.
    let scenario =
        format!("{SCENARIO}\n[[patch.service]]\nid = \"epa\"\nrequires = [\"core-insurence\"]\n");
    let out = run_scenario(&scenario);
    assert_input_error(
        &out,
        "scenario.toml:14:13",
        "unknown id `core-insurence`",
        Some("did you mean `core-insurance`?"),
    );
}

// ---------------------------------------------------------------------------------------------
// B. Success paths
// ---------------------------------------------------------------------------------------------

#[test]
fn validate_model_ok() {
    let out = validate_model(BASE);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("ok:"), "{stdout}");
    assert!(stdout.contains("mini"), "names the model: {stdout}");
    assert!(
        !stdout.contains("warning"),
        "BASE has nothing to warn about: {stdout}"
    );
}

#[test]
fn validate_warns_about_cycles_unused_sites_and_idle_clients() {
    let model = r#"[model]
name = "warn"

[[site]]
id = "dc-1"

[[site]]
id = "dc-unused"

[[service]]
id = "a"
hosted_on = "dc-1"
requires = ["b"]

[[service]]
id = "b"
hosted_on = "dc-1"
requires = ["a"]

[[client]]
id = "c1"
population = 10
uses = ["a"]

[[client]]
id = "idle"
population = 5
"#;
    let out = validate_model(model);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).starts_with("ok:"), "{all}");
    let warnings: Vec<&str> = all.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 3, "three warnings expected:\n{all}");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("restart cycle") && w.contains("a, b")),
        "restart cycle a, b:\n{all}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("`dc-unused`") && w.contains("hosts nothing")),
        "unused site:\n{all}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("`idle`") && w.contains("uses nothing")),
        "client with no uses:\n{all}"
    );
}

#[test]
fn validate_scenario_ok() {
    let dir = dir_with(&[
        ("model.toml", BASE.as_bytes()),
        ("scenario.toml", SCENARIO.as_bytes()),
    ]);
    let out = run_in(dir.path(), &["validate", "scenario.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("ok:"), "{stdout}");
    assert!(
        stdout.contains("scenario"),
        "says it is a scenario: {stdout}"
    );
    assert!(stdout.contains("1 event"), "counts the events: {stdout}");
}

#[test]
fn run_prints_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["run", &scenario_of("01-chain")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for needle in ["Peak affected", "People-hours", "1,250", "19,250"] {
        assert!(stdout.contains(needle), "`{needle}` in:\n{stdout}");
    }
}

#[test]
fn run_json_has_every_field_and_the_hand_worked_values() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["run", "--json", &scenario_of("01-chain")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON value");
    for key in [
        "scenario",
        "population_label",
        "total_population",
        "horizon_h",
        "peak_affected",
        "peak_time_h",
        "people_hours",
        "recovered_at_h",
        "saidi_h",
        "saifi",
        "caidi_h",
        "timeline",
        "clients",
        "services",
        "deadlocks",
        "warnings",
    ] {
        assert!(v.get(key).is_some(), "`{key}` missing in {v}");
    }
    assert_eq!(v["scenario"], "chain");
    assert_eq!(v["population_label"], "people");
    assert_eq!(v["horizon_h"].as_f64(), Some(24.0));
    assert_eq!(v["people_hours"].as_f64(), Some(19250.0));
    assert_eq!(v["recovered_at_h"].as_f64(), Some(16.0));
    assert_eq!(v["timeline"][0]["t_h"].as_f64(), Some(0.0));
    for c in v["clients"].as_array().unwrap() {
        for key in [
            "id",
            "people_hours",
            "first_affected_h",
            "recovered_at_h",
            "longest_outage_h",
        ] {
            assert!(c.get(key).is_some(), "client `{key}` missing in {c}");
        }
    }
    for s in v["services"].as_array().unwrap() {
        for key in [
            "id",
            "unavailable_h",
            "fallback_h",
            "restarts",
            "rto_breaches",
        ] {
            assert!(s.get(key).is_some(), "service `{key}` missing in {s}");
        }
    }
    assert!(v["warnings"].is_array() && v["deadlocks"].is_array());
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(spec_case("01-chain").join("expected.json")).unwrap(),
    )
    .unwrap();
    assert_subset(&expected, &v, "run --json");
}

#[test]
fn run_out_writes_the_four_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        dir.path(),
        &["run", "--out", "out", &scenario_of("01-chain")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out_dir = dir.path().join("out");

    // timeline.csv: one row per step from 0 to the 24 h horizon inclusive.
    let (header, rows) = read_csv(&out_dir.join("timeline.csv"));
    assert_eq!(header, ["t_h", "affected"]);
    assert_eq!(rows.len(), 25, "{rows:?}");
    let (t, a) = (column(&header, "t_h"), column(&header, "affected"));
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(num(&row[t]), i as f64, "row {i}: {row:?}");
    }
    for (hour, affected) in [
        (0, 1250.0),
        (12, 1250.0),
        (13, 1000.0),
        (15, 1000.0),
        (16, 0.0),
    ] {
        assert_eq!(num(&rows[hour][a]), affected, "affected at {hour} h");
    }
    assert_eq!(num(&rows[24][a]), 0.0);

    // clients.csv: X and Y with their people-hours.
    let (header, rows) = read_csv(&out_dir.join("clients.csv"));
    let (id, ph) = (column(&header, "id"), column(&header, "people_hours"));
    let got: Vec<(String, f64)> = rows.iter().map(|r| (r[id].clone(), num(&r[ph]))).collect();
    assert_eq!(got, [("X".to_string(), 16000.0), ("Y".to_string(), 3250.0)]);

    // services.csv: one row per site and service.
    let (header, rows) = read_csv(&out_dir.join("services.csv"));
    let (id, un) = (column(&header, "id"), column(&header, "unavailable_h"));
    let got: Vec<(String, f64)> = rows.iter().map(|r| (r[id].clone(), num(&r[un]))).collect();
    assert_eq!(
        got,
        [
            ("S".to_string(), 12.0),
            ("A".to_string(), 13.0),
            ("B".to_string(), 16.0),
            ("C".to_string(), 16.0)
        ]
    );

    // summary.json: the same result as --json.
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["people_hours"].as_f64(), Some(19250.0));
    let json = run_in(dir.path(), &["run", "--json", &scenario_of("01-chain")]);
    let from_stdout: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(summary, from_stdout);

    // Nothing but the four files, the manifest and its lock file (no temporary files left).
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ".impactsim-outputs",
            ".impactsim-outputs.lock",
            "clients.csv",
            "services.csv",
            "summary.json",
            "timeline.csv"
        ]
    );
}

#[test]
fn csv_neutralises_formula_names() {
    let model = r#"[model]
name = "formula"

[[site]]
id = "dc-1"

[[client]]
id = "c1"
name = "=cmd"
population = 10
uses = ["dc-1"]

[[client]]
id = "@c2"
population = 5
uses = ["dc-1"]
"#;
    let dir = dir_with(&[
        ("model.toml", model.as_bytes()),
        ("scenario.toml", SCENARIO.as_bytes()),
    ]);
    let out = run_in(dir.path(), &["run", "--out", "out", "scenario.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let path = dir.path().join("out/clients.csv");
    let raw = std::fs::read_to_string(&path).unwrap();
    let (header, rows) = read_csv(&path);
    let (id, name) = (column(&header, "id"), column(&header, "name"));
    assert_eq!(rows[0][name], "'=cmd", "{raw}");
    assert_eq!(rows[1][id], "'@c2", "{raw}");
    for line in raw.lines() {
        for cell in line.split(',') {
            let cell = cell.trim_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '@']),
                "formula cell `{cell}` in:\n{raw}"
            );
        }
    }
}

#[test]
fn fail_on_deadlock_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_of("05-cold-start-deadlock");
    bin(dir.path())
        .args(["run", "--fail-on", "deadlock", &scenario])
        .assert()
        .code(1);
    bin(dir.path()).args(["run", &scenario]).assert().code(0);
    // A run without a deadlock does not fail on it.
    bin(dir.path())
        .args(["run", "--fail-on", "deadlock", &scenario_of("01-chain")])
        .assert()
        .code(0);
}

#[test]
fn same_run_twice_gives_identical_json() {
    let dir = tempfile::tempdir().unwrap();
    for case in ["01-chain", "06-fallback-switchback", "11-simultaneous"] {
        let scenario = scenario_of(case);
        let a = run_in(dir.path(), &["run", "--json", &scenario]);
        let b = run_in(dir.path(), &["run", "--json", &scenario]);
        assert_eq!(a.status.code(), Some(0), "{case}: {}", text(&a.stderr));
        assert!(!a.stdout.is_empty());
        assert_eq!(a.stdout, b.stdout, "{case}: two runs differ");
    }
}

#[test]
fn missing_scenario_file_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["run", "no-such-scenario.toml"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.starts_with("error: ") && stderr.contains("no-such-scenario.toml"),
        "names the path: {stderr}"
    );
}

#[test]
fn no_ansi_escapes_without_a_terminal_or_with_no_color() {
    let model = with_service("requires = [\"epa\", \"core-insurence\"]\n");
    let dir = dir_with(&[
        ("model.toml", model.as_bytes()),
        ("ok.toml", BASE.as_bytes()),
    ]);
    let chain = scenario_of("01-chain");
    let runs: [&[&str]; 3] = [
        &["validate", "model.toml"],
        &["validate", "ok.toml"],
        &["run", &chain],
    ];
    for no_color in [true, false] {
        for args in runs {
            let mut cmd = Command::cargo_bin("impactsim").unwrap();
            cmd.current_dir(dir.path()).args(args);
            if no_color {
                cmd.env("NO_COLOR", "1");
            } else {
                cmd.env_remove("NO_COLOR");
            }
            let out = cmd.output().unwrap();
            for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                assert!(
                    !text(bytes).contains("\x1b["),
                    "ANSI escape on {stream} (NO_COLOR {no_color}, {args:?}):\n{}",
                    text(bytes)
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// generate and run --timings
// ---------------------------------------------------------------------------------------------

const SMALL: &[&str] = &[
    "generate",
    "--out",
    "gen",
    "--sites",
    "2",
    "--services",
    "30",
    "--layers",
    "3",
    "--clients",
    "5",
    "--events",
    "12",
    "--seed",
    "9",
];

#[test]
fn generate_writes_a_valid_model_and_scenario() {
    let dir = dir_with::<&str>(&[]);
    let out = run_in(dir.path(), SMALL);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("32 nodes") && said.contains("12 events"),
        "{said}"
    );
    let v = run_in(dir.path(), &["validate", "gen/scenario.toml"]);
    assert_eq!(v.status.code(), Some(0), "{}", text(&v.stderr));
    let r = run_in(dir.path(), &["run", "gen/scenario.toml", "--json"]);
    assert_eq!(r.status.code(), Some(0), "{}", text(&r.stderr));
    let json: Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(json["clients"].as_array().unwrap().len(), 5);
    assert_eq!(json["services"].as_array().unwrap().len(), 32);
}

#[test]
fn generate_is_reproducible_and_keeps_existing_files() {
    let dir = dir_with::<&str>(&[]);
    assert_eq!(run_in(dir.path(), SMALL).status.code(), Some(0));
    let first = std::fs::read(dir.path().join("gen/model.toml")).unwrap();
    // Again into the same directory: refused, nothing touched.
    let again = run_in(dir.path(), SMALL);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("already exists; pass --force"));
    // With --force and another seed: replaced; with the first seed again: the same bytes.
    let mut other: Vec<&str> = SMALL.to_vec();
    *other.last_mut().unwrap() = "10";
    other.push("--force");
    assert_eq!(run_in(dir.path(), &other).status.code(), Some(0));
    assert_ne!(
        std::fs::read(dir.path().join("gen/model.toml")).unwrap(),
        first
    );
    let mut same: Vec<&str> = SMALL.to_vec();
    same.push("--force");
    assert_eq!(run_in(dir.path(), &same).status.code(), Some(0));
    assert_eq!(
        std::fs::read(dir.path().join("gen/model.toml")).unwrap(),
        first
    );
    // JSON on request.
    let mut json: Vec<&str> = SMALL.to_vec();
    json.extend(["--format", "json"]);
    assert_eq!(run_in(dir.path(), &json).status.code(), Some(0));
    let v = run_in(dir.path(), &["validate", "gen/scenario.json"]);
    assert_eq!(v.status.code(), Some(0), "{}", text(&v.stderr));
}

#[test]
fn generate_rejects_bad_options() {
    let dir = dir_with::<&str>(&[]);
    for (args, says) in [
        (
            &["generate", "--out", "g", "--fan-in", "5..2"][..],
            "the range 5..2 is empty",
        ),
        (
            &["generate", "--out", "g", "--fan-in", "two"][..],
            "not a range",
        ),
        (
            &["generate", "--out", "g", "--k-of-n", "2"][..],
            "share between 0 and 1",
        ),
        (
            &["generate", "--out", "g", "--restart-median", "5"][..],
            "unit",
        ),
    ] {
        let out = run_in(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains(says),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            !dir.path().join("g").exists(),
            "nothing written for {args:?}"
        );
    }
}

#[test]
fn run_timings_go_to_stderr() {
    let dir = dir_with::<&str>(&[]);
    assert_eq!(run_in(dir.path(), SMALL).status.code(), Some(0));
    let out = run_in(
        dir.path(),
        &["run", "gen/scenario.toml", "--timings", "--json"],
    );
    assert_eq!(out.status.code(), Some(0));
    let err = text(&out.stderr);
    for part in [
        "read ",
        "parse ",
        "build ",
        "simulate ",
        "32 nodes",
        "events processed",
    ] {
        assert!(err.contains(part), "{part}: {err}");
    }
    // stdout stays pure JSON.
    serde_json::from_slice::<Value>(&out.stdout).unwrap();
}
