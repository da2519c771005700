//! `impactsim graph`: DOT, Mermaid and JSON of a tiny hand model (every edge known), of the
//! Bitmarck model (Graphviz must accept it), `--highlight` colours worked out by hand, and
//! errors.
//!
//! The tiny model, edges from a node to what it needs (`~>` fallback requires):
//!
//! ```text
//!   db, archive, kim-1     -> dc-a            paper, kim-2, kim-3 -> dc-b
//!   notes  -> dc-b, db                        notes ~> paper (fallback 0.5 after 30m)
//!   portal -> dc-b, {any of 2: notes, archive}
//!   web    -> {any of 2: dc-a, dc-b}
//!   mail   -> dc-b, {2 of 3: kim-1, kim-2, kim-3}
//!   alpha (1000) uses web, portal (0.4); beta (500) uses db; club "x" (300) uses mail
//! ```
//!
//! The scenario shuts dc-a down at 1h. At 2h: dc-a off (0), db and archive down through
//! it (0); notes lost db at 1h, its fallback engaged at 1h30 (0.5, paper is up); portal's
//! any-of group is max(0.5, 0) = 0.5; web needs one of two sites (1); mail's 2-of-3 group
//! is the second largest of (0, 1, 1) = 1. Alpha: 1000 × max(0, 0.4 × 0.5) = 200 affected;
//! beta: all 500; club "x": none.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Output;

use serde_json::Value;
use tempfile::TempDir;

use crate::common::{root, run_in};

mod syntax;

use syntax::{Dot, check_mermaid, dot_svg, have_dot};

const TINY: &str = r#"[model]
name = "tiny"

[[site]]
id = "dc-a"
name = 'Site "A" \ north'

[[site]]
id = "dc-b"

[[service]]
id = "db"
hosted_on = "dc-a"

[[service]]
id = "archive"
hosted_on = "dc-a"

[[service]]
id = "paper"
hosted_on = "dc-b"

[[service]]
id = "notes"
hosted_on = "dc-b"
requires = ["db"]
fallback = { capacity = 0.5, activation = "30m", requires = ["paper"] }

[[service]]
id = "portal"
hosted_on = "dc-b"
requires = { any_of = ["notes", "archive"] }

[[service]]
id = "web"
hosted_on = { any_of = ["dc-a", "dc-b"] }

[[service]]
id = "kim-1"
hosted_on = "dc-a"

[[service]]
id = "kim-2"
hosted_on = "dc-b"

[[service]]
id = "kim-3"
hosted_on = "dc-b"

[[service]]
id = "mail"
hosted_on = "dc-b"
requires = { k = 2, of = ["kim-1", "kim-2", "kim-3"] }

[[client]]
id = "alpha"
population = 1000
uses = ["web", { service = "portal", share = 0.4 }]

[[client]]
id = "beta"
population = 500
uses = ["db"]

[[client]]
id = 'club "x"'
population = 300
uses = ["mail"]
"#;

const SHUTDOWN: &str = r#"[scenario]
name = "dc-a shut down"
model = "model.toml"
horizon = "1d"

[[event]]
at = "1h"
action = "shutdown"
target = "dc-a"
"#;

const BITMARCK: &str = "models/bitmarck-2023/model.toml";
const ATTACK: &str = "models/bitmarck-2023/attack-2023.toml";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A temporary directory with the tiny model and its scenario.
fn tiny_dir() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("model.toml"), TINY).unwrap();
    std::fs::write(dir.path().join("scenario.toml"), SHUTDOWN).unwrap();
    dir
}

/// Runs the binary and returns its stdout, requiring success.
#[track_caller]
fn stdout_of(dir: &Path, args: &[&str]) -> String {
    let out = run_in(dir, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed:\n{stderr}");
    String::from_utf8(out.stdout).unwrap()
}

// ---------------------------------------------------------------------------------------------
// DOT
// ---------------------------------------------------------------------------------------------

#[test]
fn dot_of_the_tiny_model_has_exactly_the_expected_edges() {
    let dir = tiny_dir();
    let text = stdout_of(dir.path(), &["graph", "model.toml"]);
    assert!(text.contains("digraph \"tiny\" {"), "{text}");
    let dot = Dot::parse(&text);

    let hosted: BTreeSet<(&str, &str)> = [
        ("db", "dc-a"),
        ("archive", "dc-a"),
        ("paper", "dc-b"),
        ("notes", "dc-b"),
        ("portal", "dc-b"),
        ("web", "web/hosted_on/0"),
        ("web/hosted_on/0", "dc-a"),
        ("web/hosted_on/0", "dc-b"),
        ("kim-1", "dc-a"),
        ("kim-2", "dc-b"),
        ("kim-3", "dc-b"),
        ("mail", "dc-b"),
    ]
    .into_iter()
    .collect();
    assert_eq!(dot.edges_of("hosted_on"), hosted);
    let requires: BTreeSet<(&str, &str)> = [
        ("notes", "db"),
        ("portal", "portal/requires/0"),
        ("portal/requires/0", "notes"),
        ("portal/requires/0", "archive"),
        ("mail", "mail/requires/0"),
        ("mail/requires/0", "kim-1"),
        ("mail/requires/0", "kim-2"),
        ("mail/requires/0", "kim-3"),
    ]
    .into_iter()
    .collect();
    assert_eq!(dot.edges_of("requires"), requires);
    let fallback: BTreeSet<(&str, &str)> = [("notes", "paper")].into_iter().collect();
    assert_eq!(dot.edges_of("fallback"), fallback);
    let uses: BTreeSet<(&str, &str)> = [
        ("alpha", "web"),
        ("alpha", "portal"),
        ("beta", "db"),
        ("club \"x\"", "mail"),
    ]
    .into_iter()
    .collect();
    assert_eq!(dot.edges_of("uses"), uses);
    assert_eq!(dot.edges.len(), 12 + 8 + 1 + 4, "no other edges");

    // Fallback edges are dashed, the others are not.
    for (f, t, a) in &dot.edges {
        let dashed = a.get("style").is_some_and(|s| s == "dashed");
        assert_eq!(dashed, a["class"] == "fallback", "{f} -> {t}: {a:?}");
    }
    // A share other than 1 labels its use; a share of 1 does not.
    let share = |f: &str, t: &str| {
        dot.edges
            .iter()
            .find(|(a, b, _)| a == f && b == t)
            .and_then(|(_, _, a)| a.get("label").cloned())
    };
    assert_eq!(share("alpha", "portal").as_deref(), Some("0.4"));
    assert_eq!(share("alpha", "web"), None);

    // Groups of more than one member are junctions with their label; every edge end is a
    // declared node.
    let groups: Vec<(&str, &str)> = [
        ("portal/requires/0", "any of 2"),
        ("web/hosted_on/0", "any of 2"),
        ("mail/requires/0", "2 of 3"),
    ]
    .into();
    for (id, label) in groups {
        assert_eq!(dot.node(id)["class"], "group");
        assert_eq!(dot.node(id)["label"], label);
    }
    assert_eq!(dot.nodes.len(), 2 + 10 + 3 + 3);
    for (f, t, _) in &dot.edges {
        assert!(
            dot.nodes.contains_key(f) && dot.nodes.contains_key(t),
            "{f} -> {t}"
        );
    }

    // Shapes, the fallback's capacity on its service, escaping of quotes and backslashes.
    assert_eq!(dot.node("dc-a")["shape"], "box");
    assert_eq!(dot.node("dc-a")["label"], "Site \"A\" \\ north\\ndc-a");
    assert!(dot.node("db")["style"].contains("rounded"));
    assert_eq!(dot.node("notes")["label"], "notes\\nfallback 50%");
    assert_eq!(dot.node("alpha")["shape"], "ellipse");
    assert_eq!(dot.node("alpha")["label"], "alpha\\n1,000 people");
    assert!(text.contains(r#""club \"x\"" [class="client""#), "{text}");

    if have_dot() {
        dot_svg(&text);
    }
}

#[test]
fn dot_of_the_bitmarck_model_renders_with_graphviz() {
    let text = stdout_of(&root(), &["graph", BITMARCK]);
    let dot = Dot::parse(&text);
    assert_eq!(
        dot.nodes
            .values()
            .filter(|a| a["class"] == "client")
            .count(),
        80
    );
    assert!(!dot.edges_of("fallback").is_empty());
    if have_dot() {
        let svg = dot_svg(&text);
        assert!(svg.len() > 10_000, "suspiciously small SVG");
        assert!(svg.contains("eau&#45;gateway") || svg.contains("eau-gateway"));
    }
    // Highlighted, too.
    let text = stdout_of(
        &root(),
        &[
            "graph",
            BITMARCK,
            "--highlight",
            &format!("{ATTACK}@5d 12h"),
        ],
    );
    if have_dot() {
        dot_svg(&text);
    }
}

// ---------------------------------------------------------------------------------------------
// Mermaid
// ---------------------------------------------------------------------------------------------

#[test]
fn mermaid_of_the_tiny_model_has_safe_ids_and_declared_edges() {
    let dir = tiny_dir();
    let text = stdout_of(dir.path(), &["graph", "model.toml", "--format", "mermaid"]);
    let (ids, edges) = check_mermaid(&text);
    assert_eq!(ids.len(), 2 + 10 + 3 + 3);
    assert_eq!(edges.len(), 12 + 8 + 1 + 4);
    // Nodes in model order: dc-a n0, dc-b n1, db n2, archive n3, paper n4, notes n5, ...
    assert!(text.contains("  n5 -.-> n4\n"), "fallback dotted: {text}");
    assert!(
        text.contains("  n0[\"Site #quot;A#quot; \\ north<br>dc-a\"]\n"),
        "{text}"
    );
    assert!(
        text.contains("  c2([\"club #quot;x#quot;<br>300 people\"])\n"),
        "{text}"
    );
    assert!(text.contains("{{\"2 of 3\"}}"), "{text}");
    assert!(text.contains("  c0 -->|0.4| n6\n"), "{text}");
}

#[test]
fn mermaid_of_the_bitmarck_model_is_well_formed() {
    let highlight = format!("{ATTACK}@3d");
    let args = [
        "graph",
        BITMARCK,
        "--format",
        "mermaid",
        "--highlight",
        &highlight,
    ];
    let out = run_in(&root(), &args);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let (ids, edges) = check_mermaid(&text);
    assert_eq!(ids.iter().filter(|i| i.starts_with('c')).count(), 80);
    assert!(text.contains("classDef down"));
    // More edges than Mermaid's default maxEdges: a warning says so, with the right count.
    assert!(edges.len() > 500);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "warning: {} edges: Mermaid renders at most 500",
            edges.len()
        )),
        "{stderr}"
    );
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

/// Groups a requirement value of a model file stands for: one per list item, else one.
fn groups_in(req: Option<&toml::Value>) -> usize {
    match req {
        None => 0,
        Some(toml::Value::Array(items)) => items.len(),
        Some(_) => 1,
    }
}

#[test]
fn json_of_the_bitmarck_model_has_the_right_counts() {
    let text = stdout_of(&root(), &["graph", BITMARCK, "--format", "json"]);
    let g: Value = serde_json::from_str(&text).unwrap();

    // Counted from the file itself.
    let file: toml::Value =
        toml::from_str(&std::fs::read_to_string(root().join(BITMARCK)).unwrap()).unwrap();
    let sites = file["site"].as_array().unwrap();
    let services = file["service"].as_array().unwrap();
    let groups: usize = services
        .iter()
        .map(|s| {
            groups_in(s.get("hosted_on"))
                + groups_in(s.get("requires"))
                + groups_in(s.get("fallback").and_then(|f| f.get("requires")))
        })
        .sum();

    let nodes = g["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), sites.len() + services.len());
    assert_eq!(g["clients"].as_array().unwrap().len(), 80);
    assert_eq!(g["groups"].as_array().unwrap().len(), groups);
    // Model order, and every reference names a node.
    let ids: Vec<&str> = nodes.iter().map(|n| n["id"].as_str().unwrap()).collect();
    let file_ids: Vec<&str> = sites
        .iter()
        .chain(services)
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, file_ids);
    for grp in g["groups"].as_array().unwrap() {
        assert!(ids.contains(&grp["owner"].as_str().unwrap()));
        for m in grp["members"].as_array().unwrap() {
            assert!(ids.contains(&m.as_str().unwrap()), "{grp}");
        }
    }
    let eau = &nodes[ids.iter().position(|&i| i == "eau-gateway").unwrap()];
    assert_eq!(eau["fallback"]["capacity"], 0.7);
    assert!(
        eau.get("availability").is_none(),
        "no state without --highlight"
    );
    // Deterministic.
    assert_eq!(
        text,
        stdout_of(&root(), &["graph", BITMARCK, "--format", "json"])
    );
}

#[test]
fn json_of_the_tiny_model_lists_groups_in_model_order() {
    let dir = tiny_dir();
    let g: Value = serde_json::from_str(&stdout_of(
        dir.path(),
        &["graph", "model.toml", "--format", "json"],
    ))
    .unwrap();
    let groups: Vec<(String, String, u64, usize)> = g["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["owner"].as_str().unwrap().to_string(),
                x["kind"].as_str().unwrap().to_string(),
                x["k"].as_u64().unwrap(),
                x["members"].as_array().unwrap().len(),
            )
        })
        .collect();
    let expected: Vec<(String, String, u64, usize)> = [
        ("db", "hosted_on", 1, 1),
        ("archive", "hosted_on", 1, 1),
        ("paper", "hosted_on", 1, 1),
        ("notes", "hosted_on", 1, 1),
        ("notes", "requires", 1, 1),
        ("notes", "fallback", 1, 1),
        ("portal", "hosted_on", 1, 1),
        ("portal", "requires", 1, 2),
        ("web", "hosted_on", 1, 2),
        ("kim-1", "hosted_on", 1, 1),
        ("kim-2", "hosted_on", 1, 1),
        ("kim-3", "hosted_on", 1, 1),
        ("mail", "hosted_on", 1, 1),
        ("mail", "requires", 2, 3),
    ]
    .into_iter()
    .map(|(o, k, n, m)| (o.to_string(), k.to_string(), n, m))
    .collect();
    assert_eq!(groups, expected);
    assert_eq!(
        g["clients"][0]["uses"][1],
        serde_json::json!({"service": "portal", "share": 0.4})
    );
    assert_eq!(g["nodes"][5]["fallback"]["activation_h"], 0.5);
}

// ---------------------------------------------------------------------------------------------
// --highlight
// ---------------------------------------------------------------------------------------------

/// Per node id: availability, own state, fallback mode.
type NodeStates = BTreeMap<String, (f64, String, String)>;

/// The highlighted JSON of the tiny model at `time`: the state of every node, and people
/// affected per client id.
fn tiny_state(time: &str) -> (NodeStates, BTreeMap<String, f64>) {
    let dir = tiny_dir();
    let text = stdout_of(
        dir.path(),
        &[
            "graph",
            "model.toml",
            "--format",
            "json",
            "--highlight",
            &format!("scenario.toml@{time}"),
        ],
    );
    let g: Value = serde_json::from_str(&text).unwrap();
    let nodes = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["id"].as_str().unwrap().to_string(),
                (
                    n["availability"].as_f64().unwrap(),
                    n["state"].as_str().unwrap().to_string(),
                    n["mode"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect();
    let clients = g["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["affected"].as_f64().unwrap(),
            )
        })
        .collect();
    (nodes, clients)
}

#[test]
fn highlight_at_0h_is_all_green() {
    let (nodes, clients) = tiny_state("0h");
    assert_eq!(nodes.len(), 12);
    for (id, (a, state, mode)) in &nodes {
        assert_eq!(
            (*a, state.as_str(), mode.as_str()),
            (1.0, "up", "normal"),
            "{id}"
        );
    }
    assert!(clients.values().all(|&x| x == 0.0), "{clients:?}");

    let dir = tiny_dir();
    let dot = Dot::parse(&stdout_of(
        dir.path(),
        &["graph", "model.toml", "--highlight", "scenario.toml@0h"],
    ));
    for (id, attrs) in &dot.nodes {
        assert_eq!(attrs["fillcolor"], "#c8e6c9", "{id} not green");
    }
}

#[test]
fn highlight_at_2h_colours_the_shut_site_its_dependents_and_partial_any_of() {
    let (nodes, clients) = tiny_state("2h");
    let expect = |id: &str, a: f64, state: &str, mode: &str| {
        assert_eq!(nodes[id], (a, state.to_string(), mode.to_string()), "{id}");
    };
    expect("dc-a", 0.0, "off", "normal");
    expect("db", 0.0, "up", "normal");
    expect("archive", 0.0, "up", "normal");
    expect("kim-1", 0.0, "up", "normal");
    expect("notes", 0.5, "up", "engaged");
    expect("portal", 0.5, "up", "normal");
    expect("web", 1.0, "up", "normal");
    expect("mail", 1.0, "up", "normal");
    expect("dc-b", 1.0, "up", "normal");
    assert_eq!(clients["alpha"], 200.0);
    assert_eq!(clients["beta"], 500.0);
    assert_eq!(clients["club \"x\""], 0.0);

    // The same state in colours (DOT) and classes (Mermaid).
    let dir = tiny_dir();
    let text = stdout_of(
        dir.path(),
        &["graph", "model.toml", "--highlight", "scenario.toml@2h"],
    );
    let dot = Dot::parse(&text);
    let (green, orange, red) = ("#c8e6c9", "#ffe0b2", "#ffcdd2");
    for (id, fill) in [
        ("dc-a", red),
        ("db", red),
        ("archive", red),
        ("kim-1", red),
        ("notes", orange),
        ("portal", orange),
        ("portal/requires/0", orange),
        ("web", green),
        ("web/hosted_on/0", green),
        ("mail", green),
        ("mail/requires/0", green),
        ("alpha", orange),
        ("beta", red),
        ("club \"x\"", green),
    ] {
        assert_eq!(dot.node(id)["fillcolor"], fill, "{id}");
    }
    assert_eq!(
        dot.node("notes")["label"],
        "notes\\nfallback 50%\\n50% · up · fallback engaged"
    );
    assert_eq!(
        dot.node("dc-a")["label"].rsplit("\\n").next(),
        Some("0% · off")
    );
    assert!(dot.node("notes")["tooltip"].contains("own state up, fallback engaged"));
    assert_eq!(
        dot.node("alpha")["label"],
        "alpha\\n1,000 people\\naffected 200"
    );
    if have_dot() {
        dot_svg(&text);
    }

    let mermaid = stdout_of(
        dir.path(),
        &[
            "graph",
            "model.toml",
            "--format",
            "mermaid",
            "--highlight",
            "scenario.toml@2h",
        ],
    );
    check_mermaid(&mermaid);
    // Nodes n0..n11 in model order, clients c0..c2, junctions g0 (portal), g1 (web), g2 (mail).
    for line in [
        "  class n1,n4,n7,n9,n10,n11,c2,g1,g2 up\n",
        "  class n5,n6,c0,g0 partial\n",
        "  class n0,n2,n3,n8,c1 down\n",
    ] {
        assert!(mermaid.contains(line), "{line} in {mermaid}");
    }
}

#[test]
fn highlight_at_the_instant_of_the_shutdown_shows_its_settled_state() {
    // At 1h the shutdown is applied and propagated; notes has lost db, its fallback is
    // only activating (30m).
    let (nodes, clients) = tiny_state("1h");
    assert_eq!(nodes["dc-a"].0, 0.0);
    assert_eq!(nodes["notes"], (0.0, "up".into(), "activating".into()));
    assert_eq!(nodes["portal"].0, 0.0);
    assert_eq!(clients["alpha"], 400.0);
}

#[test]
fn highlight_works_with_the_scenario_as_model_and_writes_to_a_file() {
    let dir = tiny_dir();
    let out = run_in(
        dir.path(),
        &[
            "graph",
            "scenario.toml",
            "--highlight",
            "scenario.toml@2h",
            "--out",
            "out/tiny.json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "wrote out/tiny.json\n"
    );
    let g: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/tiny.json")).unwrap())
            .unwrap();
    assert_eq!(g["highlight"]["at_h"], 2.0, "format from the extension");
    assert_eq!(g["highlight"]["scenario"], "dc-a shut down");
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[track_caller]
fn assert_fails(out: &Output, code: i32, message: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains(message),
        "expected `{message}` in:\n{stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing on stdout");
}

#[test]
fn missing_model_file_is_exit_3() {
    let dir = tiny_dir();
    let out = run_in(dir.path(), &["graph", "missing.toml"]);
    assert_fails(&out, 3, "error: reading missing.toml");
}

#[test]
fn bad_model_is_exit_2_with_its_location() {
    let dir = tiny_dir();
    std::fs::write(
        dir.path().join("bad.toml"),
        "[model]\nname = \"x\"\n\n[[site]]\nid = \"a\"\nrestrat = \"1h\"\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["graph", "bad.toml"]);
    assert_fails(&out, 2, "error: bad.toml:6:1: unknown field `restrat`");
}

#[test]
fn bad_highlights_are_exit_2_with_a_clear_message() {
    let dir = tiny_dir();
    let p = dir.path();
    let cases: [(&[&str], &str); 5] = [
        (
            &["--highlight", "scenario.toml"],
            "has no `@`: write SCENARIO@TIME",
        ),
        (
            &["--highlight", "scenario.toml@2"],
            "invalid duration \"2\"",
        ),
        (&["--highlight", "@2h"], "names no scenario"),
        (
            &["--highlight", "scenario.toml@2d"],
            "--highlight time 2d is after the horizon of `scenario.toml` (1d)",
        ),
        (&["--format", "svg"], "invalid value 'svg'"),
    ];
    for (args, message) in cases {
        let mut all = vec!["graph", "model.toml"];
        all.extend_from_slice(args);
        assert_fails(&run_in(p, &all), 2, message);
    }
    // A scenario on another model than MODEL.
    std::fs::create_dir(p.join("other")).unwrap();
    std::fs::write(p.join("other/model.toml"), TINY).unwrap();
    let out = run_in(
        p,
        &[
            "graph",
            "other/model.toml",
            "--highlight",
            "scenario.toml@2h",
        ],
    );
    assert_fails(&out, 2, "--highlight runs `scenario.toml` on its model");
    // A missing scenario is an I/O error.
    let out = run_in(p, &["graph", "model.toml", "--highlight", "nope.toml@2h"]);
    assert_fails(&out, 3, "error: reading nope.toml");
}
