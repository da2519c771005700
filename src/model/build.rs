//! From raw file structs to a validated [`Model`]: patches merged, ids resolved, groups packed,
//! cycles through fallbacks rejected, components ordered.

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};

use super::raw::{RawClient, RawFallback, RawModelFile, RawPatch, RawReq, RawService, RawSite};
use super::{Client, Csr, FULL, Fallback, IdRef, Model, Node, NodeKind, to_units};
use crate::error::{InputError, InputErrorKind};
use crate::source::{Seg, Source};
use crate::time::SimTime;

/// Loads and validates a model file (no patch).
pub fn load_model(source: &Source) -> Result<Model, InputError> {
    build_with_patch(source, None)
}

/// Where an entry came from: its index in the model file and in the patch.
#[derive(Clone, Copy, Default)]
struct Origin {
    model: Option<usize>,
    patch: Option<usize>,
}

struct Entry<T> {
    raw: T,
    origin: Origin,
    /// Field names the patch set (they are located in the scenario file).
    patched: Vec<&'static str>,
}

struct Ctx<'a> {
    model: &'a Source,
    scenario: Option<&'a Source>,
}

impl Ctx<'_> {
    /// Locates `kind[i].field.rest` in the file that set the field.
    fn at(
        &self,
        kind: &'static str,
        e_origin: Origin,
        patched: bool,
        path: &[Seg],
        err: InputError,
    ) -> InputError {
        match (
            patched || e_origin.model.is_none(),
            e_origin.patch,
            self.scenario,
        ) {
            (true, Some(p), Some(src)) => {
                let mut full = vec![Seg::Key("patch"), Seg::Key(kind), Seg::Index(p)];
                full.extend_from_slice(path);
                src.error_at(&full, err)
            }
            _ => {
                let mut full = vec![Seg::Key(kind), Seg::Index(e_origin.model.unwrap_or(0))];
                full.extend_from_slice(path);
                self.model.error_at(&full, err)
            }
        }
    }
}

macro_rules! merge_fields {
    ($base:expr, $patch:expr, $patched:expr, [$($f:ident),*]) => {
        $(
            if $patch.$f.is_some() {
                $base.$f = $patch.$f.clone();
                $patched.push(stringify!($f));
            }
        )*
    };
}

fn err(kind: InputErrorKind, msg: impl Into<String>) -> InputError {
    InputError::new(kind, msg)
}

/// An unknown id, with the closest known id as a hint.
fn unknown_id(id: &str, known: &[&str]) -> InputError {
    let e = err(InputErrorKind::UnknownId, format!("unknown id `{id}`"));
    match crate::suggest::closest(id, known.iter().copied()) {
        Some(s) => e.hint(format!("did you mean `{s}`?")),
        None => e.hint("no site or service has this id; check the spelling or add it to the model"),
    }
}

/// Validates and freezes a model, with the `[patch]` of a scenario applied when given.
pub fn build_with_patch(
    model: &Source,
    patch: Option<(&Source, RawPatch)>,
) -> Result<Model, InputError> {
    let raw: RawModelFile = model.deserialize()?;
    let ctx = Ctx {
        model,
        scenario: patch.as_ref().map(|(s, _)| *s),
    };

    // Collect entries, rejecting duplicate ids; remember each id's kind and entry index.
    let mut sites: Vec<Entry<RawSite>> = Vec::new();
    let mut services: Vec<Entry<RawService>> = Vec::new();
    let mut clients: Vec<Entry<RawClient>> = Vec::new();
    let mut seen: HashMap<String, (&'static str, usize)> = HashMap::new();
    let mut add_id =
        |id: &str, kind: &'static str, idx: usize, origin: Origin| -> Result<(), InputError> {
            if id.trim().is_empty() {
                return Err(ctx.at(
                    kind,
                    origin,
                    false,
                    &[Seg::Key("id")],
                    err(InputErrorKind::Value, "an id cannot be empty"),
                ));
            }
            if let Some((k, _)) = seen.get(id) {
                return Err(ctx.at(
                    kind,
                    origin,
                    false,
                    &[Seg::Key("id")],
                    err(
                        InputErrorKind::DuplicateId,
                        format!("duplicate id `{id}`: a {k} already has it"),
                    )
                    .hint("ids are unique across sites, services and clients; rename one of them"),
                ));
            }
            seen.insert(id.to_string(), (kind, idx));
            Ok(())
        };
    for (i, s) in raw.site.into_iter().enumerate() {
        let origin = Origin {
            model: Some(i),
            patch: None,
        };
        add_id(&s.id, "site", sites.len(), origin)?;
        sites.push(Entry {
            raw: s,
            origin,
            patched: vec![],
        });
    }
    for (i, s) in raw.service.into_iter().enumerate() {
        let origin = Origin {
            model: Some(i),
            patch: None,
        };
        add_id(&s.id, "service", services.len(), origin)?;
        services.push(Entry {
            raw: s,
            origin,
            patched: vec![],
        });
    }
    for (i, c) in raw.client.into_iter().enumerate() {
        let origin = Origin {
            model: Some(i),
            patch: None,
        };
        add_id(&c.id, "client", clients.len(), origin)?;
        clients.push(Entry {
            raw: c,
            origin,
            patched: vec![],
        });
    }

    // Apply the patch: replace given fields of existing ids, add new ids.
    if let Some((_, patch)) = &patch {
        let mut patched_ids: HashMap<&str, ()> = HashMap::new();
        macro_rules! apply {
            ($items:expr, $kind:literal, $list:ident, [$($f:ident),*]) => {
                for (p, item) in $items.iter().enumerate() {
                    let origin = Origin { model: None, patch: Some(p) };
                    if patched_ids.insert(item.id.as_str(), ()).is_some() {
                        return Err(ctx.at($kind, origin, true, &[Seg::Key("id")],
                            err(InputErrorKind::DuplicateId, format!("`{}` is patched twice", item.id))
                                .hint("merge the two patch entries into one")));
                    }
                    match seen.get(item.id.as_str()) {
                        Some(&(kind, idx)) if kind == $kind => {
                            let e = &mut $list[idx];
                            e.origin.patch = Some(p);
                            merge_fields!(e.raw, item, e.patched, [$($f),*]);
                        }
                        Some(&(kind, _)) => {
                            return Err(ctx.at($kind, origin, true, &[Seg::Key("id")],
                                err(InputErrorKind::Structure, format!(
                                    "a patch cannot change the kind of `{}`: it is a {kind} in the model", item.id))
                                    .hint(format!("patch it under [[patch.{kind}]]"))));
                        }
                        None => {
                            seen.insert(item.id.clone(), ($kind, $list.len()));
                            $list.push(Entry { raw: item.clone(), origin, patched: vec![] });
                        }
                    }
                }
            };
        }
        apply!(
            patch.site,
            "site",
            sites,
            [name, tags, restart, repair, rto]
        );
        apply!(
            patch.service,
            "service",
            services,
            [
                name, hosted_on, requires, restart, repair, rto, tags, fallback
            ]
        );
        apply!(
            patch.client,
            "client",
            clients,
            [name, population, uses, tags]
        );
    }

    // Dense ids: sites, then services; clients apart.
    let mut ids: HashMap<String, IdRef> = HashMap::with_capacity(seen.len());
    let mut nodes = Vec::with_capacity(sites.len() + services.len());
    let dur = |d: Option<crate::time::Duration>| d.map_or(SimTime::ZERO, |d| d.0);
    for e in &sites {
        ids.insert(e.raw.id.clone(), IdRef::Node(nodes.len() as u32));
        nodes.push(Node {
            id: e.raw.id.clone(),
            name: e.raw.name.clone().unwrap_or_else(|| e.raw.id.clone()),
            kind: NodeKind::Site,
            tags: e.raw.tags.clone().unwrap_or_default(),
            restart: dur(e.raw.restart),
            repair: dur(e.raw.repair),
            rto: e.raw.rto.map(|d| d.0),
        });
    }
    for e in &services {
        ids.insert(e.raw.id.clone(), IdRef::Node(nodes.len() as u32));
        nodes.push(Node {
            id: e.raw.id.clone(),
            name: e.raw.name.clone().unwrap_or_else(|| e.raw.id.clone()),
            kind: NodeKind::Service,
            tags: e.raw.tags.clone().unwrap_or_default(),
            restart: dur(e.raw.restart),
            repair: dur(e.raw.repair),
            rto: e.raw.rto.map(|d| d.0),
        });
    }
    for (i, e) in clients.iter().enumerate() {
        ids.insert(e.raw.id.clone(), IdRef::Client(i as u32));
    }

    // Requirement groups.
    let n_nodes = nodes.len();
    let mut group_k = Vec::new();
    let mut group_rows: Vec<Vec<u32>> = Vec::new();
    let mut primary_rows: Vec<Vec<u32>> = vec![Vec::new(); n_nodes];
    let mut fallback_rows: Vec<Vec<u32>> = vec![Vec::new(); n_nodes];
    let mut fallbacks: Vec<Option<Fallback>> = vec![None; n_nodes];
    let mut hosted_groups = vec![0u32; n_nodes];
    let all_ids: Vec<&str> = ids.keys().map(String::as_str).collect();

    let resolve = |req: &RawReq,
                   field: &[Seg],
                   sites_only: bool,
                   e: &Entry<RawService>,
                   owner: u32,
                   patched: bool|
     -> Result<Vec<(u32, Vec<u32>)>, InputError> {
        let mut out = Vec::new();
        let list = matches!(req, RawReq::List(_));
        for (gi, g) in req.groups().iter().enumerate() {
            let mut members = Vec::with_capacity(g.members().len());
            for (mi, id) in g.members().iter().enumerate() {
                let mut path = field.to_vec();
                if list {
                    path.push(Seg::Index(gi));
                }
                if let Some(k) = g.member_key() {
                    path.push(Seg::Key(k));
                    path.push(Seg::Index(mi));
                }
                let locate = |er: InputError| ctx.at("service", e.origin, patched, &path, er);
                match ids.get(id.as_str()) {
                    Some(IdRef::Node(n)) => {
                        if sites_only && nodes[*n as usize].kind != NodeKind::Site {
                            return Err(locate(err(InputErrorKind::Value, format!("`hosted_on` names `{id}`, which is a service, not a site"))
                                .hint("hosted_on names sites only; put service dependencies under `requires`")));
                        }
                        if *n == owner {
                            return Err(locate(
                                err(InputErrorKind::Structure, format!("`{id}` requires itself"))
                                    .hint("remove the service from its own requirements"),
                            ));
                        }
                        if members.contains(n) {
                            return Err(locate(err(
                                InputErrorKind::Structure,
                                format!("`{id}` appears twice in the same group"),
                            )));
                        }
                        members.push(*n);
                    }
                    Some(IdRef::Client(_)) => {
                        return Err(locate(err(
                            InputErrorKind::Value,
                            format!("`{id}` is a client; requirements name sites and services"),
                        )));
                    }
                    None => return Err(locate(unknown_id(id, &all_ids))),
                }
            }
            out.push((g.k(), members));
        }
        Ok(out)
    };

    for (si, e) in services.iter().enumerate() {
        let n = (sites.len() + si) as u32;
        let reqs: [(&str, Option<&RawReq>, bool); 2] = [
            ("hosted_on", e.raw.hosted_on.as_ref(), true),
            ("requires", e.raw.requires.as_ref(), false),
        ];
        for (field, req, sites_only) in reqs {
            let Some(req) = req else { continue };
            let patched = e.patched.contains(&field);
            let key = if field == "hosted_on" {
                "hosted_on"
            } else {
                "requires"
            };
            for (k, members) in resolve(req, &[Seg::Key(key)], sites_only, e, n, patched)? {
                primary_rows[n as usize].push(group_k.len() as u32);
                group_k.push(k);
                group_rows.push(members);
                if sites_only {
                    hosted_groups[n as usize] += 1;
                }
            }
        }
        if let Some(RawFallback {
            capacity,
            activation,
            switchback,
            switchback_capacity,
            requires,
        }) = &e.raw.fallback
        {
            let patched = e.patched.contains(&"fallback");
            if let Some(req) = requires {
                for (k, members) in resolve(
                    req,
                    &[Seg::Key("fallback"), Seg::Key("requires")],
                    false,
                    e,
                    n,
                    patched,
                )? {
                    fallback_rows[n as usize].push(group_k.len() as u32);
                    group_k.push(k);
                    group_rows.push(members);
                }
            }
            fallbacks[n as usize] = Some(Fallback {
                capacity: to_units(capacity.0),
                activation: dur(*activation),
                switchback: dur(*switchback),
                switchback_capacity: switchback_capacity.map(|f| to_units(f.0)),
            });
        }
    }

    // Reverse edges: member -> dependent.
    let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(group_rows.iter().map(Vec::len).sum());
    for n in 0..n_nodes {
        for &g in primary_rows[n].iter().chain(&fallback_rows[n]) {
            for &m in &group_rows[g as usize] {
                pairs.push((m, n as u32));
            }
        }
    }
    let dependents = Csr::from_pairs(n_nodes, &pairs);

    // Components in topological order; no fallback may sit on a cycle.
    let mut graph: DiGraph<(), (), u32> = DiGraph::with_capacity(n_nodes, pairs.len());
    for _ in 0..n_nodes {
        graph.add_node(());
    }
    for &(m, d) in &pairs {
        graph.add_edge(NodeIndex::new(m as usize), NodeIndex::new(d as usize), ());
    }
    let mut sccs = petgraph::algo::tarjan_scc(&graph);
    sccs.reverse(); // tarjan gives reverse topological order
    let mut scc_of = vec![0u32; n_nodes];
    let mut scc_rows: Vec<Vec<u32>> = Vec::with_capacity(sccs.len());
    for (ci, comp) in sccs.iter().enumerate() {
        let mut members: Vec<u32> = comp.iter().map(|ix| ix.index() as u32).collect();
        members.sort_unstable();
        for &m in &members {
            scc_of[m as usize] = ci as u32;
        }
        if members.len() > 1
            && let Some(&bad) = members.iter().find(|&&m| fallbacks[m as usize].is_some())
        {
            let names: Vec<&str> = members
                .iter()
                .map(|&m| nodes[m as usize].id.as_str())
                .collect();
            let e = &services[bad as usize - sites.len()];
            return Err(ctx.at("service", e.origin, e.patched.contains(&"fallback"), &[Seg::Key("fallback")],
                err(InputErrorKind::Structure, format!(
                    "`{}` has a fallback but lies on a dependency cycle: {}",
                    nodes[bad as usize].id, names.join(" -> ")))
                    .hint("a service with a fallback must not depend on itself through hosted_on, requires or fallback requires; break the cycle or drop the fallback")));
        }
        scc_rows.push(members);
    }

    // Clients and their uses.
    let mut client_out = Vec::with_capacity(clients.len());
    let mut uses = Vec::with_capacity(clients.len());
    let mut use_pairs = Vec::new();
    for (ci, e) in clients.iter().enumerate() {
        let Some(pop) = e.raw.population else {
            return Err(ctx.at(
                "client",
                e.origin,
                true,
                &[Seg::Key("id")],
                err(
                    InputErrorKind::Missing,
                    format!("client `{}` has no `population`", e.raw.id),
                )
                .hint("add population = <number of people>"),
            ));
        };
        let patched = e.patched.contains(&"uses");
        let mut list = Vec::new();
        for (ui, u) in e.raw.uses.iter().flatten().enumerate() {
            let path: &[Seg] = if u.table {
                &[Seg::Key("uses"), Seg::Index(ui), Seg::Key("service")]
            } else {
                &[Seg::Key("uses"), Seg::Index(ui)]
            };
            let locate = |er: InputError| ctx.at("client", e.origin, patched, path, er);
            match ids.get(u.service.as_str()) {
                Some(IdRef::Node(n)) => {
                    list.push((*n, u.share.map_or(FULL, |s| to_units(s.0))));
                    use_pairs.push((*n, ci as u32));
                }
                Some(IdRef::Client(_)) => {
                    return Err(locate(err(
                        InputErrorKind::Value,
                        format!(
                            "`{}` is a client; a client uses services or sites",
                            u.service
                        ),
                    )));
                }
                None => return Err(locate(unknown_id(&u.service, &all_ids))),
            }
        }
        uses.push(list);
        client_out.push(Client {
            id: e.raw.id.clone(),
            name: e.raw.name.clone().unwrap_or_else(|| e.raw.id.clone()),
            population: pop.0,
            tags: e.raw.tags.clone().unwrap_or_default(),
        });
    }
    let node_clients = Csr::from_pairs(n_nodes, &use_pairs);

    Ok(Model {
        name: raw.model.name,
        population_label: raw
            .model
            .population_label
            .unwrap_or_else(|| "people".to_string()),
        nodes,
        fallbacks,
        clients: client_out,
        ids,
        group_k,
        group_members: Csr::from_rows(group_rows),
        primary_groups: Csr::from_rows(primary_rows),
        hosted_groups,
        fallback_groups: Csr::from_rows(fallback_rows),
        dependents,
        uses,
        node_clients,
        scc_of,
        scc_nodes: Csr::from_rows(scc_rows),
    })
}
