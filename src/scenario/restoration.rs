//! Restoration with a limited number of crews: a scenario's `crews`, `policy` and `order`,
//! resolved to a priority order of dense node ids for the engine.

use super::raw::RawScenarioHeader;
use super::{Action, Event, RandomFor};
use crate::error::{InputError, InputErrorKind};
use crate::model::{IdRef, Model};
use crate::source::{Seg, Source};

pub use super::raw::Policy;

/// How restarts share a limited number of crews.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restoration {
    /// How many crews there are; `None`: unlimited, every ready node restarts at once.
    pub crews: Option<u32>,
    /// The policy as written (`file` when none is).
    pub policy: Policy,
    /// The priority order the policy resolves to: these nodes first, in this order, then
    /// every other node in model order. Empty for `file`.
    pub priority: Vec<u32>,
}

/// The shortest restart time the critical-first score divides by: a restart of 0 counts as
/// one minute, so the score stays finite and still favours quick restarts.
pub const CRITICAL_MIN_RESTART_SECS: u64 = 60;

/// The nodes a restart can ever be ordered for: the targets of every `restart` event, of the
/// restarts implied by `for`, and of the random ones a seeded run may draw. Only these can
/// ever wait for a crew. In model order.
pub fn restart_targets(nodes: usize, events: &[Event], random_for: &[RandomFor]) -> Vec<u32> {
    let mut mark = vec![false; nodes];
    let restarts = events.iter().filter(|e| e.action == Action::Restart);
    for &n in restarts
        .flat_map(|e| &e.targets)
        .chain(random_for.iter().flat_map(|r| &r.targets))
    {
        mark[n as usize] = true;
    }
    (0..nodes as u32).filter(|&n| mark[n as usize]).collect()
}

/// The critical-first score of each of `nodes`: people restored per crew-hour, a static
/// heuristic. The people are those of every client that uses the node or anything that
/// depends on it (through requirements or fallback requirements, at any depth), each
/// weighted by the largest share among those uses; the crew-hours are the node's effort times
/// its restart time (the median; at least [`CRITICAL_MIN_RESTART_SECS`]).
pub fn critical_scores(model: &Model, nodes: &[u32]) -> Vec<f64> {
    let mut stamp = vec![usize::MAX; model.nodes.len()];
    let mut best = vec![0u32; model.clients.len()];
    let mut clients: Vec<u32> = Vec::new();
    let mut stack: Vec<u32> = Vec::new();
    let mut scores = Vec::with_capacity(nodes.len());
    for (k, &v) in nodes.iter().enumerate() {
        stamp[v as usize] = k;
        stack.push(v);
        while let Some(x) = stack.pop() {
            for &(c, share) in model.node_uses.row(x as usize) {
                if share > best[c as usize] {
                    if best[c as usize] == 0 {
                        clients.push(c);
                    }
                    best[c as usize] = share;
                }
            }
            for &d in model.dependents.row(x as usize) {
                if stamp[d as usize] != k {
                    stamp[d as usize] = k;
                    stack.push(d);
                }
            }
        }
        let units: u128 = clients
            .drain(..)
            .map(|c| {
                let share = std::mem::take(&mut best[c as usize]);
                model.clients[c as usize].population as u128 * share as u128
            })
            .sum();
        let people = units as f64 / crate::model::FULL as f64;
        let node = &model.nodes[v as usize];
        let secs = node.restart.0.max(CRITICAL_MIN_RESTART_SECS);
        let crew_hours = node.effort as f64 * secs as f64 / 3600.0;
        scores.push(people / crew_hours);
    }
    scores
}

/// `nodes` sorted by [`critical_scores`], highest first; equal scores keep model order.
pub fn critical_first(model: &Model, nodes: &[u32]) -> Vec<u32> {
    let scores = critical_scores(model, nodes);
    let mut order: Vec<(f64, u32)> = scores.into_iter().zip(nodes.iter().copied()).collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    order.into_iter().map(|(_, n)| n).collect()
}

/// Checks that no node a restart may be ordered for needs more crews than there are.
/// Returns the first offender as (node, effort).
pub fn too_few_crews(model: &Model, targets: &[u32], crews: u32) -> Option<(u32, u32)> {
    targets
        .iter()
        .map(|&n| (n, model.nodes[n as usize].effort))
        .find(|&(_, effort)| effort > crews)
}

/// Reads `crews`, `policy` and `order` of the scenario header.
pub(super) fn resolve(
    source: &Source,
    header: &RawScenarioHeader,
    model: &Model,
    events: &[Event],
    random_for: &[RandomFor],
    dropped: &[String],
    warnings: &mut Vec<String>,
) -> Result<Restoration, InputError> {
    let at = |path: &[Seg], e: InputError| {
        let mut full = vec![Seg::Key("scenario")];
        full.extend_from_slice(path);
        source.error_at(&full, e)
    };
    let policy = header.policy.unwrap_or_default();
    let crews = header.crews.map(|c| c.0);
    match (&header.order, policy) {
        (Some(_), Policy::File | Policy::CriticalFirst) => {
            return Err(at(
                &[Seg::Key("order")],
                InputError::new(
                    InputErrorKind::Value,
                    format!("`order` is given but the policy is \"{}\"", policy.name()),
                )
                .hint("add policy = \"order\" to restart in this order, or remove `order`"),
            ));
        }
        (None, Policy::Order) => {
            return Err(at(
                &[Seg::Key("policy")],
                InputError::new(
                    InputErrorKind::Missing,
                    "policy = \"order\" needs an `order` list",
                )
                .hint("add order = [\"id\", ...]: the sites and services in the order crews take them"),
            ));
        }
        _ => {}
    }
    if crews.is_none() && (header.policy.is_some() || header.order.is_some()) {
        warnings.push(
            "`policy` and `order` take effect only with `crews`: without it, every node restarts as soon as it is ready".to_string(),
        );
    }
    let targets = restart_targets(model.nodes.len(), events, random_for);
    if let Some(k) = crews
        && let Some((n, effort)) = too_few_crews(model, &targets, k)
    {
        let id = &model.nodes[n as usize].id;
        return Err(at(
            &[Seg::Key("crews")],
            InputError::new(
                InputErrorKind::Value,
                format!(
                    "crews = {k} is fewer than the effort of `{id}` ({effort}): its restart could never start"
                ),
            )
            .hint(format!(
                "give at least {effort} crews, or lower the effort of `{id}`"
            )),
        ));
    }
    let priority = match policy {
        Policy::File => Vec::new(),
        Policy::CriticalFirst => critical_first(model, &targets),
        Policy::Order => {
            let ids = header.order.as_deref().unwrap_or_default();
            let mut seen = vec![false; model.nodes.len()];
            let mut order = Vec::with_capacity(ids.len());
            for (i, id) in ids.iter().enumerate() {
                let here = |e: InputError| at(&[Seg::Key("order"), Seg::Index(i)], e);
                match model.lookup(id) {
                    Some(IdRef::Node(n)) => {
                        if std::mem::replace(&mut seen[n as usize], true) {
                            return Err(here(
                                InputError::new(
                                    InputErrorKind::DuplicateId,
                                    format!("`{id}` is listed twice in `order`"),
                                )
                                .hint("list each site or service once"),
                            ));
                        }
                        order.push(n);
                    }
                    Some(IdRef::Client(_)) => {
                        return Err(here(
                            InputError::new(
                                InputErrorKind::Value,
                                format!("`{id}` is a client; `order` lists sites and services"),
                            )
                            .hint("list the sites and services that restart"),
                        ));
                    }
                    None if dropped.contains(id) => warnings.push(format!(
                        "`order` names `{id}`, which only the patch adds; without the patch it is left out"
                    )),
                    None => {
                        let e = InputError::new(
                            InputErrorKind::UnknownId,
                            format!("unknown id `{id}` in `order`"),
                        );
                        let nodes = model.nodes.iter().map(|n| n.id.as_str());
                        return Err(here(match crate::suggest::closest(id, nodes) {
                            Some(s) => e.hint(format!("did you mean `{s}`?")),
                            None => e.hint("`order` lists ids of sites and services of the model"),
                        }));
                    }
                }
            }
            order
        }
    };
    Ok(Restoration {
        crews,
        policy,
        priority,
    })
}
