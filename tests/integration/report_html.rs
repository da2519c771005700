//! `--report FILE.html` of run, montecarlo and compare: one self-contained, reproducible
//! file; every model string escaped; and, when Chromium is installed, the page's own
//! `#selftest` of sorting and filtering, run headless, plus a screenshot kept as an artifact
//! (target/test-artifacts/report.png).

use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use impactsim::report::html::{SCRIPT, content_security_policy};

use crate::common::{dir_with, root, run_in};

const BITMARCK: &str = "models/bitmarck-2023/attack-2023.toml";
const WHAT_IF: &str = "models/bitmarck-2023/what-if-georedundant-channels.toml";

/// The three payloads the report must never let through unescaped.
const PAYLOADS: [&str; 3] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "'; alert(1); '",
];
/// Their escaped forms.
const ESCAPED: [&str; 3] = [
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
    "&#39;; alert(1); &#39;",
];

/// Runs impactsim from the crate root with `args` and returns the report it wrote.
fn report(args: &[&str], file: &Path) -> String {
    let out = run_in(&root(), args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// What every report must be: one HTML document, our CSP first in the head, exactly one
/// script (the constant), nothing loaded from anywhere, the version named.
fn assert_self_contained(html: &str) {
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
    );
    let csp = format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
        content_security_policy()
    );
    let head_end = html.find("</head>").unwrap();
    let csp_at = html.find(&csp).expect("the CSP meta tag");
    assert!(csp_at < head_end && csp_at < html.find("<style>").unwrap());
    assert!(content_security_policy().contains("default-src 'none'"));
    assert_eq!(html.matches("<script").count(), 1, "one script");
    let script = format!("<script>{SCRIPT}</script>");
    assert_eq!(
        html.matches(&script).count(),
        1,
        "the script is the constant, verbatim"
    );
    // Outside the constant script and style, no tag loads or runs anything. In escaped
    // markup every `<` opens a tag, so the tags are what lies between `<` and `>`.
    let style_start = html.find("<style>").unwrap();
    let style_end = html.find("</style>").unwrap();
    let style = &html[style_start..style_end].to_ascii_lowercase();
    assert!(!style.contains("url(") && !style.contains("@import"));
    let script_at = html.find("<script>").unwrap();
    let markup = format!("{}{}", &html[..style_start], &html[style_end..script_at]);
    for tag in markup.split('<').skip(1) {
        let tag = &tag[..tag.find('>').expect("a closed tag")];
        let name_end = tag.find([' ', '\n', '/']).unwrap_or(tag.len());
        let name = tag[..name_end].to_ascii_lowercase();
        assert!(
            ![
                "img", "image", "iframe", "link", "object", "embed", "script", "base"
            ]
            .contains(&name.as_str()),
            "<{tag}>"
        );
        for (attr, value) in attributes(&tag[name_end..]) {
            let value = value.to_ascii_lowercase();
            assert!(!attr.starts_with("on"), "{attr} in <{tag}>");
            assert!(!["src", "srcset", "action", "formaction"].contains(&attr.as_str()));
            if attr.ends_with("href") {
                assert!(value.starts_with('#'), "a link off the page in <{tag}>");
            }
            assert!(!value.trim_start().starts_with("javascript:"), "<{tag}>");
            assert!(!(attr == "style" && value.contains("url(")), "<{tag}>");
            // The SVG namespace is the one URL allowed: it is a name, never fetched.
            if value.contains("http://") || value.contains("https://") {
                assert!(
                    attr.starts_with("xmlns") && value.starts_with("http://www.w3.org/"),
                    "a URL in <{tag}>"
                );
            }
        }
    }
    assert!(html.contains(&format!("impactsim {}", env!("CARGO_PKG_VERSION"))));
    assert!(html.trim_end().ends_with("</html>"));
}

/// The attributes of a tag after its name, as (lowercase name, value). Values in escaped
/// markup hold no quote of their own kind, so the next one closes them.
fn attributes(mut rest: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    loop {
        rest = rest.trim_start_matches([' ', '\n', '\t', '/']);
        if rest.is_empty() {
            return out;
        }
        let end = rest.find(['=', ' ', '\n', '\t', '/']).unwrap_or(rest.len());
        let name = rest[..end].to_ascii_lowercase();
        rest = &rest[end..];
        let mut value = "";
        if let Some(r) = rest.strip_prefix('=') {
            match r.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let close = 1 + r[1..].find(q).expect("a closed attribute value");
                    value = &r[1..close];
                    rest = &r[close + 1..];
                }
                _ => {
                    let end = r.find([' ', '\n', '\t']).unwrap_or(r.len());
                    value = &r[..end];
                    rest = &r[end..];
                }
            }
        }
        out.push((name, value.to_string()));
    }
}

/// The rows of the table with element id `id`.
fn rows(html: &str, id: &str) -> usize {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no table {id}"));
    let end = start + html[start..].find("</table>").unwrap();
    html[start..end].matches("<tr>").count() - 1
}

#[test]
fn run_report_of_bitmarck() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    let html = report(&["run", BITMARCK, "--report", path_str(&file)], &file);
    assert_self_contained(&html);
    for text in [
        "<title>BITMARCK cyber attack, April/May 2023 — run · impactsim</title>",
        "Model Bitmarck 2023 · 80 clients · 25,000,000 insured · horizon 21d",
        "Deterministic run",
        "4,643,860,140",      // people-hours
        "25,000,000 insured", // peak
        "15d",                // recovered
        "185.75 h",           // SAIDI
        "<dt>Horizon</dt><dd>21d</dd>",
        "<dt>Step</dt><dd>1h</dd>",
        "<dt>Start (t = 0)</dt><dd>2023-04-24T18:00:00+02:00</dd>",
        "<dt>Patched ids</dt><dd>none</dd>",
        "<td>shutdown</td>",
        "sbk-customer-channels",
        "2023-04-24T16:00:00Z", // the first event's wall-clock time, UTC
    ] {
        assert!(html.contains(text), "missing {text:?}");
    }
    assert_eq!(rows(&html, "clients"), 80);
    assert_eq!(
        rows(&html, "services"),
        impactsim::load_scenario(&root().join(BITMARCK))
            .unwrap()
            .model
            .nodes
            .len()
    );
    assert_eq!(rows(&html, "rto"), 19);
    // Sortable: numeric headers and raw values to sort by; a filter box per table.
    assert!(html.contains(
        "<th data-kind=\"num\" data-key=\"people_hours\" class=\"num\" data-primary=\"\" aria-sort=\"descending\"><button type=\"button\">people-hours</button></th>"
    ));
    assert!(html.contains("data-v=\"1013100000\">1,013,100,000</td>"));
    for id in ["clients", "services", "rto", "events"] {
        assert!(html.contains(&format!("<input type=\"search\" id=\"{id}-filter\"")));
    }
    // Nothing in it depends on when it was made: a second run gives the same bytes.
    let again = dir.path().join("again.html");
    let html2 = report(&["run", BITMARCK, "--report", path_str(&again)], &again);
    assert!(html == html2, "two reports of one run differ");
    // Written whole: no temporary file left beside it.
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["again.html", "report.html"]);
}

#[test]
fn run_report_names_its_seed_and_keeps_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.html");
    let out = run_in(
        &root(),
        &[
            "run",
            BITMARCK,
            "--seed",
            "7",
            "--json",
            "--report",
            path_str(&file),
        ],
    );
    assert!(out.status.success());
    // --json output stays pure JSON.
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["seed"], 7);
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.contains("Monte Carlo sample drawn from seed 7"));
}

#[test]
fn montecarlo_report_is_reproducible_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.html");
    let two = dir.path().join("two.html");
    let args = |file: &Path, threads: &str| {
        vec![
            "montecarlo".to_string(),
            BITMARCK.into(),
            "--runs".into(),
            "24".into(),
            "--seed".into(),
            "3".into(),
            "--threads".into(),
            threads.into(),
            "--report".into(),
            path_str(file).into(),
        ]
    };
    let a: Vec<String> = args(&one, "1");
    let html = report(&a.iter().map(String::as_str).collect::<Vec<_>>(), &one);
    let b: Vec<String> = args(&two, "2");
    let html2 = report(&b.iter().map(String::as_str).collect::<Vec<_>>(), &two);
    assert!(html == html2, "reports differ with the thread count");
    assert_self_contained(&html);
    for text in [
        "impactsim report · Monte Carlo",
        "24 runs · seed 3 · percentiles p5, p50, p95",
        "Monte Carlo study of 24 runs from seed 3",
        "people-hours p50",
        "<dt>Seed</dt><dd>3</dd>",
        "<dt>Horizon</dt><dd>21d</dd>",
    ] {
        assert!(html.contains(text), "missing {text:?}");
    }
    assert_eq!(rows(&html, "clients"), 80);
}

#[test]
fn montecarlo_report_is_refused_with_shard() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.html");
    let out = run_in(
        &root(),
        &[
            "montecarlo",
            BITMARCK,
            "--runs",
            "4",
            "--shard",
            "0/2",
            "--out",
            path_str(dir.path()),
            "--report",
            path_str(&file),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!file.exists());
}

#[test]
fn compare_report_of_a_what_if() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.html");
    let out = run_in(
        &root(),
        &["compare", WHAT_IF, "--csv", "--report", path_str(&file)],
    );
    assert!(out.status.success());
    // --csv output stays pure CSV.
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("\"scope\",\"id\",\"figure\","));
    let html = std::fs::read_to_string(&file).unwrap();
    assert_self_contained(&html);
    for text in [
        "impactsim report · comparison",
        "B against A",
        "(without its patch)",
        "channels-site-a",
        "<dt>Patched ids</dt><dd>",
    ] {
        assert!(html.contains(text), "missing {text:?}");
    }
    assert_eq!(rows(&html, "clients-B"), 80);
    assert!(rows(&html, "services-B") > 20);
}

#[test]
fn a_failed_report_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // The parent of the report is a file: nothing can be written (exit 3).
    std::fs::write(dir.path().join("blocker"), "x").unwrap();
    let file = dir.path().join("blocker").join("r.html");
    let out = run_in(&root(), &["run", BITMARCK, "--report", path_str(&file)]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A bad scenario stops before anything is written (exit 2).
    let bad = dir_with(&[("s.toml", "[scenario]\nname = \"x\"\n")]);
    let file = bad.path().join("r.html");
    let out = run_in(bad.path(), &["run", "s.toml", "--report", "r.html"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!file.exists());
    assert_eq!(std::fs::read_dir(bad.path()).unwrap().count(), 1);
}

/// A model and a scenario whose every free-text field and id carries a payload.
fn malicious() -> tempfile::TempDir {
    let [script, img, quote] = PAYLOADS.map(|p| p.replace('\\', "\\\\").replace('"', "\\\""));
    let model = format!(
        r#"
[model]
name = "{script}"
population_label = "{img}"

[[site]]
id = "{script}"
name = "{img}"
tags = ["{quote}"]
restart = "1h"

[[service]]
id = "{img}"
name = "{quote}"
hosted_on = "{script}"
restart = "2h"
rto = "1h"
tags = ["{script}", "{img}"]

[[client]]
id = "{quote}"
name = "{script}"
population = 1000
uses = ["{img}"]
tags = ["{img}"]

[[client]]
id = "plain"
name = "{img}"
population = 500
uses = [{{ service = "{img}", share = 0.5 }}]
"#
    );
    let scenario = format!(
        r#"
[scenario]
name = "{script} {img} {quote}"
model = "model.toml"
horizon = "2d"
step = "1h"

[[event]]
at = "1h"
action = "shutdown"
target = "{script}"
for = "6h"

[[event]]
at = "10h"
action = "fail"
target = ["{img}"]

[[event]]
at = "20h"
action = "restart"
target = "tag:{quote}"

[[event]]
at = "21h"
action = "restart"
target = "{img}"

[patch]
[[patch.service]]
id = "{img}"
restart = "3h"
"#
    );
    dir_with(&[("model.toml", model), ("s.toml", scenario)])
}

/// No payload appears as written; each appears escaped.
fn assert_escaped(html: &str, what: &str) {
    for (raw, escaped) in PAYLOADS.iter().zip(ESCAPED) {
        assert!(!html.contains(raw), "{what}: {raw} unescaped");
        assert!(html.contains(escaped), "{what}: {escaped} missing");
    }
    assert_eq!(html.matches("<script").count(), 1, "{what}");
    assert!(!html.contains("<img"), "{what}");
    assert!(!html.contains("onerror=alert(1)>"), "{what}");
}

#[test]
fn model_strings_are_escaped_everywhere() {
    let dir = malicious();
    let p = dir.path();
    let out = run_in(p, &["validate", "s.toml"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (args, file) in [
        (&["run", "s.toml", "--report", "run.html"][..], "run.html"),
        (
            &["run", "s.toml", "--seed", "1", "--report", "seed.html"][..],
            "seed.html",
        ),
        (
            &["montecarlo", "s.toml", "--runs", "3", "--report", "mc.html"][..],
            "mc.html",
        ),
        (
            &["compare", "s.toml", "--report", "cmp.html"][..],
            "cmp.html",
        ),
    ] {
        let out = run_in(p, args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let html = std::fs::read_to_string(p.join(file)).unwrap();
        assert_self_contained(&html);
        assert_escaped(&html, file);
    }
    // The strings reach the report where they belong: patched ids, tags, event targets, SVG.
    let html = std::fs::read_to_string(p.join("run.html")).unwrap();
    assert!(html.contains(&format!("<dt>Patched ids</dt><dd>{}</dd>", ESCAPED[1])));
    assert!(html.contains(&format!("<span class=\"tag\">{}</span>", ESCAPED[2])));
    assert!(html.contains(&format!("<td>{}</td>", ESCAPED[0])));
    let svg_start = html.find("<svg").unwrap();
    let svg_end = html.rfind("</svg>").unwrap();
    assert!(
        ESCAPED.iter().any(|e| html[svg_start..svg_end].contains(e)),
        "the charts show no model string"
    );
}

// --- in a browser ---------------------------------------------------------------------

/// Chromium on PATH; `None` (skip) off CI, a failure on CI.
fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
            .find(|p| p.is_file())
    });
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    match found {
        Some(p) => Some(p),
        None if ci => panic!("CI is set but chromium is not on PATH (.ci/run installs it)"),
        None => {
            eprintln!("skipped: no chromium or chromium-browser on PATH");
            None
        }
    }
}

/// `file://` URL of `path` (absolute), with the characters a URL cannot hold encoded.
fn file_url(path: &Path, hash: &str) -> String {
    let abs = std::fs::canonicalize(path).unwrap();
    let mut url = String::from("file://");
    for b in abs.to_str().unwrap().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                url.push(b as char)
            }
            _ => url.push_str(&format!("%{b:02X}")),
        }
    }
    url + hash
}

/// Runs headless Chromium with `args` (a fresh profile each time, so parallel tests do not
/// share one), stdout and stderr to files (a dumped DOM can overflow a pipe), at most 120 s.
/// Returns stdout and stderr.
fn headless(chromium: &Path, args: &[&str]) -> (String, String) {
    let work = tempfile::tempdir().unwrap();
    let out_path = work.path().join("stdout");
    let err_path = work.path().join("stderr");
    let profile = work.path().join("profile");
    let mut child = Process::new(chromium)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("starting chromium");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium {args:?} did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (
        std::fs::read_to_string(&out_path).unwrap(),
        std::fs::read_to_string(&err_path).unwrap(),
    )
}

/// Loads `file#selftest` and returns the dumped DOM and the self-test's lines; fails on any
/// console message (errors, uncaught exceptions and CSP violations all log one).
fn selftest(chromium: &Path, file: &Path) -> (String, Vec<String>) {
    let url = file_url(file, "#selftest");
    let (dom, log) = headless(chromium, &["--dump-dom", &url]);
    let console: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(
        console.is_empty(),
        "console messages from {}:\n{}",
        file.display(),
        console.join("\n")
    );
    let start = dom.rfind("<pre id=\"selftest\">").unwrap_or_else(|| {
        panic!(
            "no self-test output in the DOM of {}; stderr:\n{log}",
            file.display()
        )
    }) + "<pre id=\"selftest\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let lines: Vec<String> = dom[start..end].lines().map(str::to_string).collect();
    assert_eq!(
        lines.last().map(String::as_str),
        Some("selftest: pass"),
        "{}:\n{}",
        file.display(),
        lines.join("\n")
    );
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("ok ") || l == "selftest: pass")
    );
    (dom, lines)
}

fn has(lines: &[String], line: &str) {
    assert!(
        lines.iter().any(|l| l == line),
        "no {line:?} in\n{}",
        lines.join("\n")
    );
}

#[test]
fn browser_sorts_and_filters_the_bitmarck_report() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    report(&["run", BITMARCK, "--report", path_str(&file)], &file);
    let (_, lines) = selftest(&chromium, &file);
    for line in [
        "ok tables",
        "ok sort-text clients name",
        "ok sort-numeric clients people_hours",
        "ok filter clients",
        "ok sort-text services name",
        "ok sort-numeric services unavailable_h",
        "ok filter services",
        "ok filter rto",
        "ok filter events",
        "ok dom-clean",
    ] {
        has(&lines, line);
    }

    // A screenshot, kept for people to look at.
    let artifacts = root().join("target").join("test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let png = artifacts.join("report.png");
    let _ = std::fs::remove_file(&png);
    headless(
        &chromium,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,2000",
            "--hide-scrollbars",
            &file_url(&file, ""),
        ],
    );
    let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(
        bytes.len() > 50_000,
        "a suspiciously small screenshot: {} bytes",
        bytes.len()
    );
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1280, 2000));
}

#[test]
fn browser_runs_no_injected_markup() {
    let Some(chromium) = chromium() else { return };
    let dir = malicious();
    let p = dir.path();
    for (args, file) in [
        (&["run", "s.toml", "--report", "run.html"][..], "run.html"),
        (
            &["compare", "s.toml", "--report", "cmp.html"][..],
            "cmp.html",
        ),
    ] {
        let out = run_in(p, args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (dom, lines) = selftest(&chromium, &p.join(file));
        has(&lines, "ok dom-clean");
        // The payloads are text in the DOM, not elements.
        assert!(dom.contains(ESCAPED[0]), "{file}");
        assert!(dom.contains("&lt;img src=x onerror=alert(1)&gt;"), "{file}");
        assert!(!dom.contains("<img src=\"x\""), "{file}");
        assert!(!dom.contains("<img"), "{file}");
        assert_eq!(dom.matches("<script").count(), 1, "{file}");
    }
}

#[test]
fn browser_sorts_and_filters_montecarlo_and_compare_reports() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mc = dir.path().join("mc.html");
    report(
        &[
            "montecarlo",
            BITMARCK,
            "--runs",
            "8",
            "--report",
            path_str(&mc),
        ],
        &mc,
    );
    let (_, lines) = selftest(&chromium, &mc);
    has(&lines, "ok sort-numeric clients people_hours_mean");
    has(&lines, "ok sort-text clients name");
    has(&lines, "ok filter services");
    let cmp = dir.path().join("cmp.html");
    report(&["compare", WHAT_IF, "--report", path_str(&cmp)], &cmp);
    let (_, lines) = selftest(&chromium, &cmp);
    has(&lines, "ok sort-numeric clients-B difference");
    has(&lines, "ok sort-text clients-B name");
    has(&lines, "ok filter services-B");
}
