//! Mermaid `flowchart LR`. Mermaid ids allow few characters, so nodes are `n0, n1, ...` (model
//! order), clients `c0, ...` and junctions `g0, ...`, each with a label; colours are classes.

use std::fmt::Write;

use super::{Drawing, GroupKind, Tone, fraction, group_label};
use crate::model::{FULL, NodeKind};

/// A Mermaid double-quoted label: characters Mermaid would read as syntax become entity codes
/// (`"` → `#quot;`, `#` → `#35;`, ...); lines are joined with `<br>`.
pub(super) fn label(lines: &[String]) -> String {
    let mut out = String::from("\"");
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        for ch in l.chars() {
            match ch {
                '"' => out.push_str("#quot;"),
                '#' => out.push_str("#35;"),
                '&' => out.push_str("#amp;"),
                '<' => out.push_str("#lt;"),
                '>' => out.push_str("#gt;"),
                '`' => out.push_str("#96;"),
                '\n' => out.push_str("<br>"),
                '\r' => {}
                c if c.is_control() => out.push(' '),
                c => out.push(c),
            }
        }
    }
    out.push('"');
    out
}

/// The arrow of each kind of requirement: hosted_on thick, requires plain, fallback dotted.
fn arrow(kind: GroupKind) -> &'static str {
    match kind {
        GroupKind::HostedOn => "==>",
        GroupKind::Requires => "-->",
        GroupKind::Fallback => "-.->",
    }
}

pub(super) fn render(g: &Drawing<'_>) -> String {
    let m = g.model;
    let mut o = String::from("flowchart LR\n");
    // `write!` to a String cannot fail.
    let _ = writeln!(o, "  %% impactsim graph: {}", g.title().replace('\n', " "));
    let _ = writeln!(
        o,
        "  %% arrows point from a node to what it needs: ==> hosted_on, --> requires, \
         -.-> fallback requires; clients --> services they use (share when not 1)"
    );
    // Per class, its members, written at the end.
    let mut classes: Vec<(&str, Vec<String>)> = ["site", "group", "up", "partial", "down"]
        .into_iter()
        .map(|c| (c, Vec::new()))
        .collect();
    let mut add = |class: &str, id: String| {
        if let Some((_, ids)) = classes.iter_mut().find(|(c, _)| *c == class) {
            ids.push(id);
        }
    };
    for (n, node) in m.nodes.iter().enumerate() {
        let l = label(&g.node_lines(n));
        match node.kind {
            NodeKind::Site => {
                let _ = writeln!(o, "  n{n}[{l}]");
            }
            NodeKind::Service => {
                let _ = writeln!(o, "  n{n}({l})");
            }
        }
        match g.node_tone(n) {
            Some(t) => add(t.class(), format!("n{n}")),
            None if node.kind == NodeKind::Site => add("site", format!("n{n}")),
            None => {}
        }
    }
    for c in 0..m.clients.len() {
        let _ = writeln!(o, "  c{c}([{}])", label(&g.client_lines(c)));
        if let Some(t) = g.client_tone(c) {
            add(t.class(), format!("c{c}"));
        }
    }
    for grp in &g.groups {
        let Some(j) = grp.junction else { continue };
        let l = label(&[group_label(grp.k, grp.members.len())]);
        let _ = writeln!(o, "  g{j}{{{{{l}}}}}");
        add(
            grp.value.map_or("group", |v| Tone::of(v).class()),
            format!("g{j}"),
        );
    }
    for grp in &g.groups {
        let owner = grp.owner;
        let a = arrow(grp.kind);
        let from = match grp.junction {
            Some(j) => {
                let _ = writeln!(o, "  n{owner} {a} g{j}");
                format!("g{j}")
            }
            None => format!("n{owner}"),
        };
        for &member in grp.members {
            let _ = writeln!(o, "  {from} {a} n{member}");
        }
    }
    for c in 0..m.clients.len() {
        for &(n, share) in m.client_uses(c) {
            if share == FULL {
                let _ = writeln!(o, "  c{c} --> n{n}");
            } else {
                let _ = writeln!(o, "  c{c} -->|{}| n{n}", fraction(share));
            }
        }
    }
    let _ = writeln!(o, "  classDef site fill:#e3e8f0,stroke:#607080");
    let _ = writeln!(
        o,
        "  classDef group fill:#f2f2f2,stroke:#999999,font-size:10px"
    );
    let _ = writeln!(o, "  classDef up fill:#c8e6c9,stroke:#2e7d32");
    let _ = writeln!(o, "  classDef partial fill:#ffe0b2,stroke:#ef6c00");
    let _ = writeln!(o, "  classDef down fill:#ffcdd2,stroke:#c62828");
    for (class, ids) in &classes {
        if !ids.is_empty() {
            let _ = writeln!(o, "  class {} {class}", ids.join(","));
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_turn_syntax_into_entity_codes() {
        assert_eq!(
            label(&["say \"hi\" #1 <b> & `x`".into(), "two".into()]),
            "\"say #quot;hi#quot; #35;1 #lt;b#gt; #amp; #96;x#96;<br>two\""
        );
    }
}
