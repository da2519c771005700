//! Readers of `graph`'s outputs for the tests: a small DOT statement parser, a Mermaid
//! checker, and Graphviz itself when it is installed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Reads a DOT double-quoted string at the start of `s`: its raw content (escapes kept as
/// written, as Graphviz keeps them in ids) and the rest of `s`.
pub fn dot_string(s: &str) -> (String, &str) {
    assert!(s.starts_with('"'), "expected a quoted string at `{s}`");
    let mut out = String::new();
    let mut chars = s[1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                let (_, next) = chars.next().unwrap();
                out.push('\\');
                out.push(next);
            }
            '"' => return (out, &s[i + 2..]),
            c => out.push(c),
        }
    }
    panic!("unterminated string in `{s}`");
}

/// Undoes DOT quoting: `\"` is a quote and `\\` a backslash; other escapes (`\n` in labels)
/// stay as written.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('\\', Some(n @ ('"' | '\\'))) => {
                out.push(n);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// `key=value, key="value"` into a map (values unescaped).
pub fn dot_attrs(s: &str) -> BTreeMap<String, String> {
    let mut s = s
        .trim()
        .trim_start_matches('[')
        .trim_end_matches("];")
        .trim();
    let mut map = BTreeMap::new();
    while !s.is_empty() {
        let (key, rest) = s.split_once('=').unwrap();
        let rest = rest.trim_start();
        let (value, rest) = if rest.starts_with('"') {
            let (v, r) = dot_string(rest);
            (unescape(&v), r)
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            (rest[..end].trim().to_string(), &rest[end..])
        };
        map.insert(key.trim().to_string(), value);
        s = rest.trim_start_matches(',').trim();
    }
    map
}

pub type Attrs = BTreeMap<String, String>;

/// A parsed DOT file: node statements and edge statements, ids unescaped.
pub struct Dot {
    pub nodes: HashMap<String, Attrs>,
    pub edges: Vec<(String, String, Attrs)>,
}

impl Dot {
    pub fn parse(text: &str) -> Dot {
        let mut nodes = HashMap::new();
        let mut edges = Vec::new();
        for line in text.lines().map(str::trim) {
            if !line.starts_with('"') {
                continue;
            }
            let (from, rest) = dot_string(line);
            let rest = rest.trim_start();
            if let Some(rest) = rest.strip_prefix("->") {
                let (to, rest) = dot_string(rest.trim_start());
                edges.push((unescape(&from), unescape(&to), dot_attrs(rest)));
            } else {
                let previous = nodes.insert(unescape(&from), dot_attrs(rest));
                assert!(previous.is_none(), "node {from} declared twice");
            }
        }
        Dot { nodes, edges }
    }

    /// The edges of a class as (from, to).
    pub fn edges_of(&self, class: &str) -> BTreeSet<(&str, &str)> {
        self.edges
            .iter()
            .filter(|(_, _, a)| a["class"] == class)
            .map(|(f, t, _)| (f.as_str(), t.as_str()))
            .collect()
    }

    pub fn node(&self, id: &str) -> &Attrs {
        self.nodes.get(id).unwrap_or_else(|| panic!("no node {id}"))
    }
}

/// True when Graphviz's `dot` can be run. On CI (env `CI` set) it must be there.
pub fn have_dot() -> bool {
    let found = std::process::Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "Graphviz `dot` is not on PATH, but CI must have it (.ci/run installs it)"
        );
        eprintln!("skipped: Graphviz `dot` is not on PATH");
    }
    found
}

/// Runs `dot -Tsvg` on `text` and returns the SVG, requiring success.
pub fn dot_svg(text: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "dot -Tsvg failed:\n{stderr}");
    assert!(stderr.trim().is_empty(), "dot -Tsvg warned:\n{stderr}");
    let svg = String::from_utf8(out.stdout).unwrap();
    assert!(
        svg.contains("<svg") && svg.contains("</svg>"),
        "no SVG: {svg}"
    );
    svg
}

/// Checks a Mermaid flowchart: ids, declared ends of edges, no raw quote inside a label.
/// Returns the declared ids and the edges.
pub fn check_mermaid(text: &str) -> (BTreeSet<String>, Vec<(String, String)>) {
    assert!(text.starts_with("flowchart LR\n"), "{text}");
    let is_id = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let mut ids = BTreeSet::new();
    let mut edges = Vec::new();
    for line in text.lines().skip(1).map(str::trim) {
        if line.starts_with("%%") || line.starts_with("classDef ") {
            continue;
        }
        if let Some(rest) = line.strip_prefix("class ") {
            let (list, class) = rest.split_once(' ').unwrap();
            assert!(is_id(class), "{line}");
            for id in list.split(',') {
                assert!(ids.contains(id), "class of undeclared {id}: {line}");
            }
            continue;
        }
        let words: Vec<&str> = line.split(' ').collect();
        if words.len() == 3 && ["-->", "==>", "-.->"].contains(&words[1])
            || words.len() == 3 && words[1].starts_with("-->|")
        {
            assert!(is_id(words[0]) && is_id(words[2]), "{line}");
            edges.push((words[0].to_string(), words[2].to_string()));
            continue;
        }
        let end = line
            .find(['[', '(', '{'])
            .unwrap_or_else(|| panic!("odd line {line}"));
        let (id, shape) = line.split_at(end);
        assert!(is_id(id), "bad id in {line}");
        let open = shape.find('"').unwrap();
        let close = shape.rfind('"').unwrap();
        assert!(close > open, "{line}");
        assert!(!shape[open + 1..close].contains('"'), "raw quote in {line}");
        assert!(ids.insert(id.to_string()), "{id} declared twice");
    }
    for (f, t) in &edges {
        assert!(
            ids.contains(f) && ids.contains(t),
            "edge {f} -> {t} to an undeclared node"
        );
    }
    (ids, edges)
}
