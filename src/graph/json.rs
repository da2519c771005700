//! The graph as JSON: nodes, requirement groups and clients in model order, with the
//! highlighted state when there is one.

use serde::Serialize;

use super::{Drawing, fraction, mode_name};
use crate::model::NodeKind;

#[derive(Serialize)]
struct Graph<'a> {
    model: &'a str,
    population_label: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    highlight: Option<HighlightJson<'a>>,
    nodes: Vec<NodeJson<'a>>,
    groups: Vec<GroupJson<'a>>,
    clients: Vec<ClientJson<'a>>,
}

#[derive(Serialize)]
struct HighlightJson<'a> {
    scenario: &'a str,
    at_h: f64,
}

#[derive(Serialize)]
struct NodeJson<'a> {
    id: &'a str,
    kind: &'static str,
    name: &'a str,
    tags: &'a [String],
    restart_h: f64,
    repair_h: f64,
    rto_h: Option<f64>,
    fallback: Option<FallbackJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    availability: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<&'static str>,
}

#[derive(Serialize)]
struct FallbackJson {
    capacity: f64,
    activation_h: f64,
    switchback_h: f64,
    switchback_capacity: Option<f64>,
}

#[derive(Serialize)]
struct GroupJson<'a> {
    owner: &'a str,
    kind: &'static str,
    k: u32,
    members: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    availability: Option<f64>,
}

#[derive(Serialize)]
struct ClientJson<'a> {
    id: &'a str,
    name: &'a str,
    population: u64,
    tags: &'a [String],
    uses: Vec<UseJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    affected: Option<f64>,
}

#[derive(Serialize)]
struct UseJson<'a> {
    service: &'a str,
    share: f64,
}

pub(super) fn render(g: &Drawing<'_>) -> String {
    let m = g.model;
    let id = |n: u32| m.nodes[n as usize].id.as_str();
    let nodes = m
        .nodes
        .iter()
        .enumerate()
        .map(|(n, node)| NodeJson {
            id: &node.id,
            kind: match node.kind {
                NodeKind::Site => "site",
                NodeKind::Service => "service",
            },
            name: node.name(),
            tags: &node.tags,
            restart_h: node.restart.hours(),
            repair_h: node.repair.hours(),
            rto_h: node.rto.map(|t| t.hours()),
            fallback: m.fallbacks[n].map(|f| FallbackJson {
                capacity: fraction(f.capacity),
                activation_h: f.activation.hours(),
                switchback_h: f.switchback.hours(),
                switchback_capacity: f.switchback_capacity.map(fraction),
            }),
            availability: g.state.map(|s| fraction(s.a[n])),
            state: g.state.map(|s| s.own[n].name()),
            mode: g.state.map(|s| mode_name(s.mode[n])),
        })
        .collect();
    let groups = g
        .groups
        .iter()
        .map(|grp| GroupJson {
            owner: id(grp.owner),
            kind: grp.kind.name(),
            k: grp.k,
            members: grp.members.iter().map(|&x| id(x)).collect(),
            availability: grp.value.map(fraction),
        })
        .collect();
    let clients = m
        .clients
        .iter()
        .enumerate()
        .map(|(c, client)| ClientJson {
            id: &client.id,
            name: &client.name,
            population: client.population,
            tags: &client.tags,
            uses: m
                .client_uses(c)
                .iter()
                .map(|&(n, share)| UseJson {
                    service: id(n),
                    share: fraction(share),
                })
                .collect(),
            affected: g.affected.as_ref().map(|a| a[c]),
        })
        .collect();
    let graph = Graph {
        model: &m.name,
        population_label: &m.population_label,
        highlight: g.state.map(|s| HighlightJson {
            scenario: &s.scenario,
            at_h: s.at.hours(),
        }),
        nodes,
        groups,
        clients,
    };
    // Plain structs of strings and numbers (all finite) always serialize.
    let mut text = serde_json::to_string_pretty(&graph).unwrap_or_default();
    text.push('\n');
    text
}
