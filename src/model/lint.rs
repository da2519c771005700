//! Static checks that are warnings, not errors: restart cycles, unused nodes, idle clients.

use super::{Csr, FALLBACK_GROUP, Model, NodeKind, tarjan};

/// All warnings about a model, in a stable order.
pub(super) fn warnings(model: &Model) -> Vec<String> {
    let mut out = Vec::new();
    for set in restart_cycles(model) {
        out.push(format!(
            "restart cycle: {} need each other to restart; if all of them are down at once, none can come back (cold-start deadlock)",
            set.join(", ")
        ));
    }
    let unused: Vec<&super::Node> = model
        .nodes
        .iter()
        .enumerate()
        .filter(|(n, _)| model.dependents.row(*n).is_empty() && model.node_uses.row(*n).is_empty())
        .map(|(_, node)| node)
        .collect();
    if unused.len() > LISTED {
        out.push(format!(
            "{} sites and services are needed by nothing and used by no client: {}",
            unused.len(),
            some_ids(unused.iter().map(|n| n.id.as_str()), unused.len())
        ));
    } else {
        for node in unused {
            let what = match node.kind {
                NodeKind::Site => "site hosts nothing and no client uses it",
                NodeKind::Service => "service is required by nothing and used by no client",
            };
            out.push(format!("`{}`: this {what}", node.id));
        }
    }
    let idle: Vec<&str> = model
        .clients
        .iter()
        .enumerate()
        .filter(|(c, _)| model.client_uses(*c).is_empty())
        .map(|(_, client)| client.id.as_str())
        .collect();
    if idle.len() > LISTED {
        out.push(format!(
            "{} clients use nothing, so they can never be affected: {}",
            idle.len(),
            some_ids(idle.iter().copied(), idle.len())
        ));
    } else {
        for id in idle {
            out.push(format!(
                "client `{id}` uses nothing: it can never be affected"
            ));
        }
    }
    out
}

/// Up to this many nodes or clients get a warning each; more are summed up in one.
const LISTED: usize = 10;

/// "`a`, `b`, `c`, … (and 7 more)": the first few of `count` ids.
fn some_ids<'a>(ids: impl Iterator<Item = &'a str>, count: usize) -> String {
    let shown: Vec<String> = ids.take(5).map(|id| format!("`{id}`")).collect();
    format!("{}, … ({} more)", shown.join(", "), count - shown.len())
}

/// The largest set of nodes none of which could restart if all of them were down at once
/// (every other node up), split into its strongly connected parts.
///
/// Starts from every node and removes, until nothing changes, each node that could restart
/// with the remaining set down: one whose every group has at least K members outside the set.
/// What remains blocks itself. Uses restart requirements only (hosted_on and requires).
pub(super) fn restart_cycles(model: &Model) -> Vec<Vec<String>> {
    let n = model.nodes.len();
    let groups = model.group_info.len();
    let mut in_set = vec![true; n];
    // Per group: members still in the set.
    let mut inside: Vec<u32> = (0..groups).map(|g| model.group_info[g].len).collect();
    let satisfiable =
        |g: usize, inside: &[u32]| model.group_info[g].len - inside[g] >= model.group_info[g].k;
    // Per node: its primary groups not satisfiable yet. With every node in the set, none
    // is (K is at least 1): all of them. A node with none left could restart.
    let mut blocked: Vec<u32> = (0..n)
        .map(|v| model.primary_groups.row(v).len() as u32)
        .collect();
    let mut stack = Vec::new();
    for (v, &b) in blocked.iter().enumerate() {
        if b == 0 {
            in_set[v] = false;
            stack.push(v as u32);
        }
    }
    // A node out of the set: each primary group naming it has one member fewer inside; one
    // that becomes satisfiable so unblocks its owner by one group.
    while let Some(v) = stack.pop() {
        for m in model.member_groups.row(v as usize) {
            if m.comp & FALLBACK_GROUP != 0 {
                continue;
            }
            let g = m.group as usize;
            inside[g] -= 1;
            if model.group_info[g].len - inside[g] == model.group_info[g].k {
                let o = model.group_owner[g] as usize;
                blocked[o] -= 1;
                if blocked[o] == 0 && in_set[o] {
                    in_set[o] = false;
                    stack.push(o as u32);
                }
            }
        }
    }
    // Split the blocked set into strongly connected parts along "blocked by" edges; report the
    // parts that contain a cycle (nodes that only wait on a cycle are not listed).
    let members: Vec<u32> = (0..n as u32).filter(|&v| in_set[v as usize]).collect();
    let edges = |v: u32| -> Vec<u32> {
        let mut out = Vec::new();
        for &g in model.primary_groups.row(v as usize) {
            if !satisfiable(g as usize, &inside) {
                out.extend(
                    model
                        .group_members
                        .row(g as usize)
                        .iter()
                        .copied()
                        .filter(|&m| in_set[m as usize]),
                );
            }
        }
        out
    };
    cyclic_components(&members, edges)
        .into_iter()
        .map(|set| {
            set.into_iter()
                .map(|v| model.nodes[v as usize].id.to_string())
                .collect()
        })
        .collect()
}

/// Strongly connected components (of at least two nodes, or one with a self-loop) of the
/// graph on `nodes` given by `edges`, each sorted, in order of their smallest node. The
/// model's own Tarjan ([`super::tarjan`]) finds them, on the graph renumbered densely.
pub(crate) fn cyclic_components(nodes: &[u32], edges: impl Fn(u32) -> Vec<u32>) -> Vec<Vec<u32>> {
    let local: std::collections::HashMap<u32, u32> = nodes
        .iter()
        .enumerate()
        .map(|(i, &v)| (v, i as u32))
        .collect();
    let mut pairs = Vec::new();
    let mut self_loop = vec![false; nodes.len()];
    for (i, &v) in nodes.iter().enumerate() {
        for w in edges(v) {
            if let Some(&j) = local.get(&w) {
                pairs.push((i as u32, j));
                self_loop[i] |= j == i as u32;
            }
        }
    }
    let (component, count) = tarjan(&Csr::from_pairs(nodes.len(), &pairs));
    let mut sets: Vec<Vec<u32>> = vec![Vec::new(); count as usize];
    for (i, &c) in component.iter().enumerate() {
        sets[c as usize].push(i as u32);
    }
    let mut out: Vec<Vec<u32>> = sets
        .into_iter()
        .filter(|s| s.len() > 1 || s.first().is_some_and(|&i| self_loop[i as usize]))
        .map(|s| {
            let mut set: Vec<u32> = s.into_iter().map(|i| nodes[i as usize]).collect();
            set.sort_unstable();
            set
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1 and 2 wait on each other, 3 on itself; 4 waits on the cycle without being on it,
    /// and 7's only edge leaves the set.
    #[test]
    fn cyclic_components_by_hand() {
        let edges = |v: u32| match v {
            1 => vec![2],
            2 => vec![1],
            3 => vec![3],
            4 => vec![1],
            7 => vec![9],
            _ => vec![],
        };
        assert_eq!(
            cyclic_components(&[7, 4, 3, 2, 1], edges),
            [vec![1, 2], vec![3]]
        );
        assert!(cyclic_components(&[4, 7], edges).is_empty());
    }
}
