//! Graphviz DOT: one statement per line, ids are the model's own (quoted), junctions get
//! `OWNER/KIND/POS` ids made unique against every model id.

use std::collections::HashSet;
use std::fmt::Write;

use super::{Drawing, GroupKind, Tone, fraction, fresh, group_label};
use crate::model::NodeKind;

/// A DOT double-quoted string. Backslashes and quotes are escaped, so that labels (escString)
/// show them as written and ids round-trip; line breaks become `\n`, other control
/// characters spaces.
pub(super) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    push_escaped(&mut out, s);
    out.push('"');
    out
}

fn push_escaped(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
}

/// A label of several lines (centred).
fn label(lines: &[String]) -> String {
    let mut out = String::from("\"");
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            out.push_str("\\n");
        }
        push_escaped(&mut out, l);
    }
    out.push('"');
    out
}

/// Fill and border colours of a tone.
fn colours(t: Tone) -> (&'static str, &'static str) {
    match t {
        Tone::Up => ("#c8e6c9", "#2e7d32"),
        Tone::Partial => ("#ffe0b2", "#ef6c00"),
        Tone::Down => ("#ffcdd2", "#c62828"),
    }
}

/// The attributes that colour a node: its tone when highlighted, else `plain`.
fn fill(tone: Option<Tone>, plain: &str) -> String {
    match tone {
        Some(t) => {
            let (f, c) = colours(t);
            format!(", fillcolor=\"{f}\", color=\"{c}\"")
        }
        None => format!(", fillcolor=\"{plain}\""),
    }
}

/// Edge attributes per kind of requirement.
fn edge_style(kind: GroupKind) -> &'static str {
    match kind {
        GroupKind::HostedOn => "class=\"hosted_on\", color=\"#607080\", arrowhead=empty",
        GroupKind::Requires => "class=\"requires\"",
        GroupKind::Fallback => "class=\"fallback\", style=dashed, color=\"#8a6d3b\"",
    }
}

pub(super) fn render(g: &Drawing<'_>) -> String {
    let m = g.model;
    let mut o = String::new();
    // `write!` to a String cannot fail.
    let _ = writeln!(o, "// impactsim graph: {}", g.title().replace('\n', " "));
    let _ = writeln!(
        o,
        "// edges point from a node to what it needs: hosted_on (grey, open arrow), requires \
         (solid), fallback requires (dashed), client uses (blue, share when not 1)"
    );
    let _ = writeln!(o, "digraph {} {{", quote(&m.name));
    let _ = writeln!(
        o,
        "  graph [rankdir=LR, fontname=\"Helvetica\", labelloc=t, label={}];",
        quote(&g.title())
    );
    let _ = writeln!(
        o,
        "  node [fontname=\"Helvetica\", fontsize=10, style=filled, fillcolor=white];"
    );
    let _ = writeln!(o, "  edge [fontname=\"Helvetica\", fontsize=9];");

    let mut taken: HashSet<String> = m.id_names().map(str::to_string).collect();
    for kind in [NodeKind::Site, NodeKind::Service] {
        let _ = writeln!(
            o,
            "\n  // {}",
            if kind == NodeKind::Site {
                "sites"
            } else {
                "services"
            }
        );
        for (n, node) in m.nodes.iter().enumerate().filter(|(_, x)| x.kind == kind) {
            let (class, shape, plain) = match kind {
                NodeKind::Site => ("site", "shape=box, style=filled", "#e3e8f0"),
                NodeKind::Service => ("service", "shape=box, style=\"rounded,filled\"", "white"),
            };
            let _ = writeln!(
                o,
                "  {} [class=\"{class}\", {shape}{}, label={}, tooltip={}];",
                quote(&node.id),
                fill(g.node_tone(n), plain),
                label(&g.node_lines(n)),
                quote(&g.node_tooltip(n)),
            );
        }
    }
    let _ = writeln!(o, "\n  // clients");
    for (c, client) in m.clients.iter().enumerate() {
        let _ = writeln!(
            o,
            "  {} [class=\"client\", shape=ellipse{}, label={}];",
            quote(&client.id),
            fill(g.client_tone(c), "#f6f1e4"),
            label(&g.client_lines(c)),
        );
    }

    // Junction ids, made unique against the model's ids.
    let mut junction_ids = vec![String::new(); g.junctions];
    if g.junctions > 0 {
        let _ = writeln!(o, "\n  // requirement groups of more than one member");
    }
    for grp in &g.groups {
        let Some(j) = grp.junction else { continue };
        let owner = &m.nodes[grp.owner as usize].id;
        let id = fresh(
            &mut taken,
            format!("{owner}/{}/{}", grp.kind.name(), grp.pos),
        );
        let tone = grp.value.map(Tone::of);
        let _ = writeln!(
            o,
            "  {} [class=\"group\", shape=diamond, fontsize=8, margin=0.02{}, label={}];",
            quote(&id),
            fill(tone, "#f2f2f2"),
            quote(&group_label(grp.k, grp.members.len())),
        );
        junction_ids[j] = id;
    }

    let _ = writeln!(o, "\n  // dependent -> dependency");
    for grp in &g.groups {
        let owner = quote(&m.nodes[grp.owner as usize].id);
        let style = edge_style(grp.kind);
        let from = match grp.junction {
            Some(j) => {
                let jq = quote(&junction_ids[j]);
                let _ = writeln!(o, "  {owner} -> {jq} [{style}];");
                jq
            }
            None => owner,
        };
        for &member in grp.members {
            let to = quote(&m.nodes[member as usize].id);
            let _ = writeln!(o, "  {from} -> {to} [{style}];");
        }
    }

    let _ = writeln!(o, "\n  // client -> service it uses");
    for (c, client) in m.clients.iter().enumerate() {
        for &(n, share) in m.client_uses(c) {
            let share_label = if share == crate::model::FULL {
                String::new()
            } else {
                format!(", label={}", quote(&fraction(share).to_string()))
            };
            let _ = writeln!(
                o,
                "  {} -> {} [class=\"uses\", color=\"#4a76b8\"{share_label}];",
                quote(&client.id),
                quote(&m.nodes[n as usize].id),
            );
        }
    }
    o.push_str("}\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_backslashes_quotes_and_line_breaks() {
        assert_eq!(quote(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(quote("x\\"), r#""x\\""#);
        assert_eq!(quote("one\r\ntwo\tthree"), r#""one\ntwo three""#);
        assert_eq!(
            label(&["Name".into(), "id \"q\"".into()]),
            r#""Name\nid \"q\"""#
        );
    }
}
