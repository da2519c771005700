//! From raw file structs to a validated [`Model`]: patches merged, ids resolved, groups packed,
//! cycles through fallbacks rejected, components ordered.

use super::ids::{IdArena, IdTable};
use super::raw::{
    CrewCount, RawBackup, RawClient, RawDur, RawFallback, RawFallbackField, RawModelFile, RawPatch,
    RawReq, RawRestartFailure, RawService, RawSite, RawWarmup, SmolStr,
};
use super::{
    Avail, CLIENT_BIT, CYCLIC, Client, Csr, DEFAULT_ATTEMPTS, FALLBACK_GROUP, FULL, Fallback,
    GroupInfo, MAX_NODES, Membership, Model, Node, NodeKind, ONE_MEMBER, Random, RestartFailure,
    tarjan, to_units,
};
use rayon::prelude::*;

use crate::dist::Dist;
use crate::error::{InputError, InputErrorKind};
use crate::source::{Seg, Source};
use crate::time::{Duration, SimTime};

/// Loads and validates a model file (no patch).
pub fn load_model(source: &Source) -> Result<Model, InputError> {
    build_with_patch(source, None)
}

/// Where an entry came from: its index in the model file and in the patch.
#[derive(Clone, Copy, Default)]
struct Origin {
    model: Option<u32>,
    patch: Option<u32>,
}

/// Where an entry came from and what the patch set in it. One per entry: kept small.
#[derive(Clone, Copy, Default)]
struct Meta {
    origin: Origin,
    /// The fields the patch set (they are located in the scenario file).
    patched: Fields,
}

/// A set of field names, one bit each.
#[derive(Clone, Copy, Default)]
struct Fields(u32);

impl Fields {
    /// Every field a patch may set, in any kind of entry.
    const NAMES: [&'static str; 20] = [
        "name",
        "tags",
        "restart",
        "repair",
        "rto",
        "hosted_on",
        "requires",
        "fallback",
        "population",
        "uses",
        "id",
        "restart_failure",
        "mtbf",
        "mttr",
        "effort",
        "combine",
        "function",
        "warmup",
        "backup",
        "repair_requires",
    ];

    fn bit(name: &str) -> u32 {
        let i = Self::NAMES.iter().position(|&n| n == name);
        1 << i.expect("every patchable field is listed in Fields::NAMES")
    }

    fn insert(&mut self, name: &str) {
        self.0 |= Self::bit(name);
    }

    fn contains(&self, name: &str) -> bool {
        self.0 & Self::bit(name) != 0
    }
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
                let mut full = vec![Seg::Key("patch"), Seg::Key(kind), Seg::Index(p as usize)];
                full.extend_from_slice(path);
                src.error_at(&full, err)
            }
            _ => {
                let mut full = vec![
                    Seg::Key(kind),
                    Seg::Index(e_origin.model.unwrap_or(0) as usize),
                ];
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
                $patched.insert(stringify!($f));
            }
        )*
    };
}

fn meta_for(n: usize) -> Vec<Meta> {
    (0..n)
        .map(|i| Meta {
            origin: Origin {
                model: Some(i as u32),
                patch: None,
            },
            patched: Fields::default(),
        })
        .collect()
}

fn err(kind: InputErrorKind, msg: impl Into<String>) -> InputError {
    InputError::new(kind, msg)
}

/// Refuses more sites and services than component numbers leave room for ([`MAX_NODES`]).
fn check_node_count(n_nodes: usize) -> Result<(), InputError> {
    if n_nodes > MAX_NODES {
        return Err(err(
            InputErrorKind::Structure,
            format!("{n_nodes} sites and services; impactsim handles at most {MAX_NODES}"),
        )
        .hint("split the model into parts that fail independently"));
    }
    Ok(())
}

/// An unknown id, with the closest known id as a hint.
fn unknown_id<'a>(id: &str, known: impl Iterator<Item = &'a str>) -> InputError {
    let e = err(InputErrorKind::UnknownId, format!("unknown id `{id}`"));
    match crate::suggest::closest(id, known) {
        Some(s) => e.hint(format!("did you mean `{s}`?")),
        None => e.hint("no site or service has this id; check the spelling or add it to the model"),
    }
}

/// Entries whose ids are looked up together, on one core.
const LOOKUP_CHUNK: usize = 512;

/// Kinds of entries, as tagged in the id table while entries are collected.
const SITE: u32 = 0;
const SERVICE: u32 = 1;
const CLIENT: u32 = 2;
const KIND_SHIFT: u32 = 30;

fn tag(kind: u32, idx: usize) -> u32 {
    (kind << KIND_SHIFT) | idx as u32
}

fn untag(v: u32) -> (u32, usize) {
    (v >> KIND_SHIFT, (v & ((1 << KIND_SHIFT) - 1)) as usize)
}

fn kind_name(kind: u32) -> &'static str {
    match kind {
        SITE => "site",
        SERVICE => "service",
        _ => "client",
    }
}

/// The entries of a model, sites, services and clients, while they are collected.
struct Entries {
    sites: Vec<RawSite>,
    services: Vec<RawService>,
    clients: Vec<RawClient>,
    site_meta: Vec<Meta>,
    service_meta: Vec<Meta>,
    client_meta: Vec<Meta>,
}

/// Validates and freezes a model, with the `[patch]` of a scenario applied when given.
pub fn build_with_patch(
    model: &Source,
    patch: Option<(&Source, RawPatch)>,
) -> Result<Model, InputError> {
    let raw = super::raw::parse_model(model)?;
    model.release();
    build_parsed(model, raw, patch)
}

/// Validates and freezes a model already parsed from `model`.
pub fn build_parsed(
    model: &Source,
    raw: RawModelFile,
    patch: Option<(&Source, RawPatch)>,
) -> Result<Model, InputError> {
    let ctx = Ctx {
        model,
        scenario: patch.as_ref().map(|(s, _)| *s),
    };
    let total = raw.site.len() + raw.service.len() + raw.client.len();
    if total >= 1 << KIND_SHIFT {
        return Err(err(
            InputErrorKind::Structure,
            format!("{total} sites, services and clients are more than impactsim handles"),
        ));
    }

    let (mut en, arena, seen, tags) = collect_ids(
        &ctx,
        raw.site,
        raw.service,
        raw.client,
        patch.as_ref().map(|(_, p)| p),
    )?;

    // Dense ids: sites, then services; clients apart (their index marked with CLIENT_BIT).
    let n_sites = en.sites.len() as u32;
    let combine = raw.model.combine.unwrap_or_default();
    let final_of: Vec<u32> = tags
        .iter()
        .map(|&t| match untag(t) {
            (SITE, i) => i as u32,
            (SERVICE, i) => n_sites + i as u32,
            (_, i) => CLIENT_BIT | i as u32,
        })
        .collect();
    drop(tags);
    let lookup = |id: &str| seen.get(id, |v| arena.get(v)).map(|v| final_of[v as usize]);
    // The dense numbers of many ids, [`UNKNOWN`] for an unknown one.
    let lookup_all = |ids: &mut dyn Iterator<Item = &str>| {
        let mut out = Vec::new();
        let number = |v: Option<u32>| v.map_or(UNKNOWN, |v| final_of[v as usize]);
        seen.get_each(ids, |v| arena.get(v), |v| out.push(number(v)));
        out
    };
    // The nodes, and beside them the ids the clients use.
    let services = std::mem::take(&mut en.services);
    let (nodes_built, use_ids) = rayon::join(
        || {
            nodes_of(
                &ctx,
                &mut en.sites,
                services,
                &en.site_meta,
                &en.service_meta,
            )
        },
        || -> Vec<u32> {
            en.clients
                .par_chunks(LOOKUP_CHUNK)
                .flat_map_iter(|chunk| {
                    let ids = chunk.iter().flat_map(|e| e.uses.iter().flatten());
                    lookup_all(&mut ids.map(|u| u.service.as_str()))
                })
                .collect()
        },
    );
    let (nodes, mut random, reqs) = nodes_built?;
    // The clients, and beside them every id a service names, resolved on every core in
    // the order `Groups::service` reads them.
    let (mut client_out, service_ids): (Vec<Client>, Vec<u32>) = rayon::join(
        || {
            let clients = en.clients.iter_mut();
            clients.map(|r| client_of(r, combine)).collect()
        },
        || {
            reqs.par_chunks(LOOKUP_CHUNK)
                .flat_map_iter(|chunk| lookup_all(&mut chunk.iter().flat_map(member_ids)))
                .collect()
        },
    );
    let known = || {
        let n = nodes.iter().map(|n| n.id.as_str());
        n.chain(client_out.iter().map(|c| c.id.as_str()))
    };

    let n_nodes = nodes.len();
    check_node_count(n_nodes).map_err(|e| e.in_file(&ctx.model.path))?;
    // The groups' arrays are made at their final size: grown by doubling, a million
    // services' groups would be copied again and again.
    let n_groups = reqs
        .par_iter()
        .map(|e| requirements(e).map(|r| r.groups().len()).sum::<usize>())
        .sum();
    let mut groups = Groups::new(n_nodes, n_sites as usize, n_groups, service_ids.len());
    groups.ids = service_ids;
    let unknown = |id: &str| unknown_id(id, known());
    let resolver = Resolver {
        ctx: &ctx,
        unknown: &unknown,
        sites: n_sites,
        nodes: n_nodes,
    };
    // The services' groups, and beside them the clients' uses and the functions. The raw
    // clients are freed as soon as they are read, while the groups are still being built.
    // Errors come in the order of the file: services first.
    let clients = std::mem::take(&mut en.clients);
    let (built, clients_built) = rayon::join(
        || {
            let services = reqs.iter().zip(&en.service_meta);
            for (si, (e, meta)) in services.enumerate() {
                let n = n_sites + si as u32;
                groups.service(&resolver, n, e, meta, &mut random)?;
            }
            Ok::<_, InputError>(())
        },
        || {
            let meta = &en.client_meta;
            let built = client_uses(&clients, meta, &client_out, &resolver, &use_ids);
            drop(use_ids);
            let built = built.and_then(|uses| {
                let f = &raw.function;
                Ok((
                    uses,
                    functions::functions_of(&ctx, f, &clients, meta, &lookup, &unknown)?,
                ))
            });
            drop(clients);
            built
        },
    );
    built?;
    let (repair_of, repair_k, repair_members) =
        repair_requirements(&ctx, &en, &reqs, &lookup, &unknown)?;
    let Groups {
        group_k,
        group_owner,
        group_members,
        primary_groups,
        fallback_groups,
        fallbacks,
        growth: fallback_growth,
        hosted_groups,
        ..
    } = groups;
    // Everything the services required is now in the packed arrays: the raw requirements
    // are freed on a thread of their own (a million small frees take a while).
    std::thread::spawn(move || drop(reqs));

    // The reverse edges and components; beside them the memberships, and the id table's
    // values made the final numbers.
    let mut ids = seen;
    let ((dependents, scc_of, scc_nodes), member_groups) = rayon::join(
        || {
            let dependents =
                dependents_of(n_nodes, &group_members, &primary_groups, &fallback_groups);
            let (scc_of, scc_nodes) = components(&dependents);
            (dependents, scc_of, scc_nodes)
        },
        || {
            drop(arena);
            ids.map_values(|v| final_of[v as usize]);
            member_groups_of(n_nodes, &group_members)
        },
    );
    // No fallback may sit on a cycle.
    for c in 0..scc_nodes.rows() {
        let members = scc_nodes.row(c);
        if members.len() > 1
            && let Some(&bad) = members.iter().find(|&&m| fallbacks[m as usize].is_some())
        {
            let names: Vec<&str> = members
                .iter()
                .map(|&m| nodes[m as usize].id.as_str())
                .collect();
            let meta = &en.service_meta[(bad - n_sites) as usize];
            return Err(ctx.at("service", meta.origin, meta.patched.contains("fallback"), &[Seg::Key("fallback")],
                err(InputErrorKind::Structure, format!(
                    "`{}` has a fallback but lies on a dependency cycle: {}",
                    nodes[bad as usize].id, names.join(" -> ")))
                    .hint("a service with a fallback must not depend on itself through hosted_on, requires or fallback requires; break the cycle or drop the fallback")));
        }
    }
    let ((uses, populations, node_uses), mut functions) = clients_built?;
    let scc_single: Vec<u32> = (0..scc_nodes.rows())
        .map(|c| match *scc_nodes.row(c) {
            [n] => n,
            _ => CYCLIC,
        })
        .collect();
    let group_info: Vec<GroupInfo> = (0..group_k.len())
        .into_par_iter()
        .map(|g| {
            let comp = scc_of[group_owner[g] as usize];
            GroupInfo {
                k: group_k[g],
                len: group_members.row(g).len() as u32,
                comp: comp | (scc_single[comp as usize] & CYCLIC),
            }
        })
        .collect();
    let mut of_fallback = fixedbitset::FixedBitSet::with_capacity(group_info.len());
    for &g in &fallback_groups.targets {
        of_fallback.insert(g as usize);
    }
    let member_groups = member_groups.map(|g| {
        let info = &group_info[g as usize];
        let one = if info.len == 1 { ONE_MEMBER } else { 0 };
        let fallback = if of_fallback.contains(g as usize) {
            FALLBACK_GROUP
        } else {
            0
        };
        Membership {
            group: g,
            comp: info.comp | one | fallback,
        }
    });
    drop(of_fallback);
    for (c, pop) in client_out.iter_mut().zip(populations) {
        c.population = pop;
    }

    let mut has_fallback = fixedbitset::FixedBitSet::with_capacity(n_nodes);
    for (n, fb) in fallbacks.iter().enumerate() {
        has_fallback.set(n, fb.is_some());
    }
    functions::upstream(
        &mut functions,
        &nodes,
        &group_members,
        &primary_groups,
        &fallback_groups,
        &has_fallback,
    );
    Ok(Model {
        name: raw.model.name,
        combine,
        population_label: raw
            .model
            .population_label
            .unwrap_or_else(|| "people".to_string()),
        nodes,
        fallbacks,
        fallback_growth,
        repair_of,
        repair_k,
        repair_members,
        has_fallback,
        clients: client_out,
        functions,
        ids,
        group_owner,
        group_members,
        primary_groups,
        hosted_groups,
        fallback_groups,
        dependents,
        member_groups,
        random,
        uses,
        node_uses,
        scc_of,
        scc_nodes,
        scc_single,
        group_info,
    })
}

/// Reverse edges: per member, its dependents.
fn dependents_of(
    n_nodes: usize,
    group_members: &Csr,
    primary_groups: &Csr,
    fallback_groups: &Csr,
) -> Csr {
    let edges = |put: &mut dyn FnMut(u32, u32)| {
        for n in 0..n_nodes {
            for &g in primary_groups.row(n).iter().chain(fallback_groups.row(n)) {
                for &m in group_members.row(g as usize) {
                    put(m, n as u32);
                }
            }
        }
    };
    Csr::grouped_with(n_nodes, edges).without_duplicates()
}

/// Per node, the groups that name it (for the engine's per-group values).
fn member_groups_of(n_nodes: usize, group_members: &Csr) -> Csr {
    Csr::grouped_with(n_nodes, |put| {
        for g in 0..group_members.rows() {
            for &m in group_members.row(g) {
                put(m, g as u32);
            }
        }
    })
}

/// The strongly connected components in topological order (Tarjan finishes dependents
/// first): per node its component, and per component its nodes.
fn components(dependents: &Csr) -> (Vec<u32>, Csr) {
    let (finish, count) = tarjan(dependents);
    let scc_of: Vec<u32> = finish.iter().map(|&c| count - 1 - c).collect();
    drop(finish);
    let scc_nodes = Csr::inverse(count as usize, &scc_of);
    (scc_of, scc_nodes)
}

/// What sites and services share, borrowed from either kind of raw entry.
struct NodeFields<'a> {
    id: &'a mut SmolStr,
    name: &'a mut Option<String>,
    tags: &'a mut Option<Vec<String>>,
    random: RandomParts<'a>,
    rto: Option<Duration>,
    effort: Option<CrewCount>,
    warmup: Option<RawWarmup>,
    backup: Option<RawBackup>,
}

/// The [`NodeFields`] of a raw site or service `r` (both have the same field names), with
/// its `restart_failure` (sites have none).
macro_rules! node_fields {
    ($r:ident, $restart_failure:expr) => {
        NodeFields {
            random: RandomParts {
                restart: &$r.restart,
                repair: &$r.repair,
                mtbf: $r.mtbf.as_deref(),
                mttr: $r.mttr.as_deref(),
                restart_failure: $restart_failure,
            },
            id: &mut $r.id,
            name: &mut $r.name,
            tags: &mut $r.tags,
            rto: $r.rto.as_deref().copied(),
            effort: $r.effort,
            warmup: $r.warmup.as_deref().copied(),
            backup: $r.backup.as_deref().copied(),
        }
    };
}
impl NodeFields<'_> {
    /// The node, its warmup and backup checked, taking its id, name and tags out of the raw
    /// entry.
    fn node(self, ctx: &Ctx, kind: NodeKind, meta: &Meta) -> Result<Node, InputError> {
        let kind_name = match kind {
            NodeKind::Site => "site",
            NodeKind::Service => "service",
        };
        Ok(Node {
            id: std::mem::take(self.id),
            display_name: self.name.take(),
            kind,
            tags: self.tags.take().unwrap_or_default(),
            restart: dur(self.random.restart),
            repair: dur(self.random.repair),
            rto: self.rto.map(|d| d.0),
            effort: self.effort.map_or(1, |e| e.0),
            warmup: warmup_of(ctx, kind_name, meta, self.warmup)?,
            backup: backup_of(ctx, kind_name, meta, self.backup)?,
        })
    }
}

/// A client, its id, name and tags taken out of the raw entry; its population is set
/// later, with its uses.
fn client_of(r: &mut RawClient, combine: super::Combine) -> Client {
    let id = std::mem::take(&mut r.id);
    Client {
        name: r.name.take().map_or_else(|| id.clone(), SmolStr::from),
        id,
        population: 0,
        tags: r.tags.take().unwrap_or_default(),
        combine: r.combine.unwrap_or(combine),
    }
}

/// What a service requires, kept from its raw entry once its node is made.
struct ServiceReqs {
    hosted_on: Option<RawReq>,
    requires: Option<RawReq>,
    fallback: Option<RawFallbackField>,
    repair_requires: Option<Box<RawReq>>,
}

impl ServiceReqs {
    /// Its fallback table, unless it has none or it says `fallback = false`.
    fn fallback(&self) -> Option<&RawFallback> {
        self.fallback.as_ref().and_then(RawFallbackField::table)
    }
}

// The in-place collection of `nodes_of` needs a node to fit in the memory of a raw service.
const _: () = assert!(
    size_of::<Node>() <= size_of::<RawService>() && align_of::<Node>() == align_of::<RawService>()
);

/// The sites, then the services, as nodes, with their random parts; and what each service
/// requires.
///
/// The services' nodes are made in the memory of their raw entries (a node is smaller,
/// and the standard library collects in place): a million-service model would otherwise
/// hold both at once.
#[allow(clippy::type_complexity)]
fn nodes_of(
    ctx: &Ctx,
    sites: &mut [RawSite],
    services: Vec<RawService>,
    site_meta: &[Meta],
    service_meta: &[Meta],
) -> Result<(Vec<Node>, Vec<Option<Box<Random>>>, Vec<ServiceReqs>), InputError> {
    let mut site_nodes = Vec::with_capacity(sites.len());
    let mut random: Vec<Option<Box<Random>>> = Vec::with_capacity(sites.len() + services.len());
    for (r, meta) in sites.iter_mut().zip(site_meta) {
        let fields = node_fields!(r, None);
        random.push(fields.random.build(ctx, "site", meta)?);
        site_nodes.push(fields.node(ctx, NodeKind::Site, meta)?);
    }
    let mut reqs = Vec::with_capacity(services.len());
    let mut nodes: Vec<Node> = services
        .into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            let meta = &service_meta[i];
            let fields = node_fields!(r, r.restart_failure.as_deref());
            random.push(fields.random.build(ctx, "service", meta)?);
            let node = fields.node(ctx, NodeKind::Service, meta)?;
            reqs.push(ServiceReqs {
                hosted_on: r.hosted_on,
                requires: r.requires,
                fallback: r.fallback,
                repair_requires: r.repair_requires,
            });
            Ok(node)
        })
        .collect::<Result<_, InputError>>()?;
    nodes.splice(0..0, site_nodes);
    nodes.shrink_to_fit();
    Ok((nodes, random, reqs))
}

/// Every client's uses as (node, share), its population, and per node its uses as
/// (client, share).
#[allow(clippy::type_complexity)]
fn client_uses(
    clients: &[RawClient],
    client_meta: &[Meta],
    client_out: &[Client],
    r: &Resolver,
    ids: &[u32],
) -> Result<(Csr<(u32, Avail)>, Vec<u64>, Csr<(u32, Avail)>), InputError> {
    let mut uses = Csr::with_capacity(clients.len(), ids.len());
    let mut node_uses = Vec::with_capacity(ids.len());
    let mut ids = ids.iter();
    let mut populations = Vec::with_capacity(clients.len());
    for (ci, (e, meta)) in clients.iter().zip(client_meta).enumerate() {
        let id = &client_out[ci].id;
        let Some(pop) = e.population else {
            return Err(r.ctx.at(
                "client",
                meta.origin,
                true,
                &[Seg::Key("id")],
                err(
                    InputErrorKind::Missing,
                    format!("client `{id}` has no `population`"),
                )
                .hint("add population = <number of people>"),
            ));
        };
        let patched = meta.patched.contains("uses");
        for (ui, u) in e.uses.iter().flatten().enumerate() {
            let path: &[Seg] = if u.table {
                &[Seg::Key("uses"), Seg::Index(ui), Seg::Key("service")]
            } else {
                &[Seg::Key("uses"), Seg::Index(ui)]
            };
            let locate = |er: InputError| r.ctx.at("client", meta.origin, patched, path, er);
            match ids.next().copied().filter(|&v| v != UNKNOWN) {
                Some(v) if v & CLIENT_BIT != 0 => {
                    return Err(locate(err(
                        InputErrorKind::Value,
                        format!(
                            "`{}` is a client; a client uses services or sites",
                            u.service
                        ),
                    )));
                }
                Some(n) => {
                    uses.push((n, u.share));
                    node_uses.push((n, (ci as u32, u.share)));
                }
                None => return Err(locate((r.unknown)(&u.service))),
            }
        }
        uses.end_row();
        populations.push(pop.0);
    }
    let node_uses = Csr::grouped(r.nodes, &node_uses);
    Ok((uses, populations, node_uses))
}

/// Every node's `repair_requires`, resolved: per node its repair groups, and per group its
/// K and members.
#[allow(clippy::type_complexity)]
fn repair_requirements(
    ctx: &Ctx,
    en: &Entries,
    reqs: &[ServiceReqs],
    lookup: &(dyn Fn(&str) -> Option<u32> + Sync),
    unknown: &(dyn Fn(&str) -> InputError + Sync),
) -> Result<(Csr, Vec<u32>, Csr), InputError> {
    let mut of = Csr::with_capacity(en.sites.len() + reqs.len(), 0);
    let mut k = Vec::new();
    let mut members = Csr::building();
    let sites = en.sites.iter().map(|s| s.repair_requires.as_ref());
    let services = reqs.iter().map(|s| s.repair_requires.as_ref());
    let metas = en.site_meta.iter().map(|m| ("site", m));
    let metas = metas.chain(en.service_meta.iter().map(|m| ("service", m)));
    for (n, (req, (kind, meta))) in sites.chain(services).zip(metas).enumerate() {
        if let Some(req) = req {
            let patched = meta.patched.contains("repair_requires");
            let groups = functions::resolve_needs(
                req,
                ("repair_requires", "a repair requires sites and services"),
                Some(n as u32),
                lookup,
                unknown,
                |path, e| ctx.at(kind, meta.origin, patched, path, e),
            )?;
            for (gk, gm) in groups {
                of.push(k.len() as u32);
                k.push(gk);
                for m in gm {
                    members.push(m);
                }
                members.end_row();
            }
        }
        of.end_row();
    }
    Ok((of, k, members))
}

/// A resolved id that names nothing.
const UNKNOWN: u32 = u32::MAX;

/// The requirements of service `e`, in the order [`Groups::service`] reads them:
/// hosted_on, requires, then its fallback's requires.
fn requirements(e: &ServiceReqs) -> impl Iterator<Item = &RawReq> {
    let fallback = e.fallback().and_then(|f| f.requires.as_ref());
    [e.hosted_on.as_ref(), e.requires.as_ref(), fallback]
        .into_iter()
        .flatten()
}

/// The ids service `e` names, in the order [`Groups::service`] reads them, each group's
/// members in order.
fn member_ids(e: &ServiceReqs) -> impl Iterator<Item = &str> {
    requirements(e)
        .flat_map(|req| req.groups().iter().flat_map(|g| g.members()))
        .map(|id| id.as_str())
}

/// What resolving an id needs: where errors point, the error for an unknown id, and the
/// numbers of sites and nodes.
struct Resolver<'a> {
    ctx: &'a Ctx<'a>,
    /// The error for an unknown id (with a "did you mean").
    unknown: &'a (dyn Fn(&str) -> InputError + Sync),
    /// The number of sites: nodes below it are sites.
    sites: u32,
    /// The number of nodes.
    nodes: usize,
}

/// Requirement groups, packed as they are read, and the fallbacks.
struct Groups {
    /// The ids the services name, resolved in the order they are read ([`UNKNOWN`] where
    /// an id is not known), and how many have been read.
    ids: Vec<u32>,
    read: usize,
    group_k: Vec<u32>,
    group_owner: Vec<u32>,
    group_members: Csr,
    primary_groups: Csr,
    fallback_groups: Csr,
    fallbacks: Vec<Option<Fallback>>,
    growth: Csr<(SimTime, Avail)>,
    hosted_groups: Vec<u32>,
    /// Per node: the last group it was added to, plus one (catches a member listed twice).
    in_group: Vec<u32>,
}

impl Groups {
    /// No groups yet, room for `groups` groups of `members` members in all; the sites'
    /// (empty) rows are there.
    fn new(n_nodes: usize, n_sites: usize, groups: usize, members: usize) -> Groups {
        let mut g = Groups {
            ids: Vec::new(),
            read: 0,
            group_k: Vec::with_capacity(groups),
            group_owner: Vec::with_capacity(groups),
            group_members: Csr::with_capacity(groups, members),
            // Nearly every group is a primary one.
            primary_groups: Csr::with_capacity(n_nodes, groups),
            fallback_groups: Csr::with_capacity(n_nodes, 0),
            fallbacks: vec![None; n_nodes],
            growth: Csr::with_capacity(n_nodes, 0),
            hosted_groups: vec![0; n_nodes],
            in_group: vec![0; n_nodes],
        };
        for _ in 0..n_sites {
            g.primary_groups.end_row();
            g.fallback_groups.end_row();
            g.growth.end_row();
        }
        g
    }

    /// Service `n`'s hosting, requirements and fallback, as the next rows.
    fn service(
        &mut self,
        r: &Resolver,
        n: u32,
        e: &ServiceReqs,
        meta: &Meta,
        random: &mut [Option<Box<Random>>],
    ) -> Result<(), InputError> {
        let reqs: [(&str, Option<&RawReq>, bool); 2] = [
            ("hosted_on", e.hosted_on.as_ref(), true),
            ("requires", e.requires.as_ref(), false),
        ];
        for (field, req, sites_only) in reqs {
            let Some(req) = req else { continue };
            let patched = meta.patched.contains(field);
            let key = if sites_only { "hosted_on" } else { "requires" };
            let count = self.resolve(
                r,
                req,
                &[Seg::Key(key)],
                sites_only,
                meta,
                n,
                patched,
                false,
            )?;
            if sites_only {
                self.hosted_groups[n as usize] += count;
            }
        }
        self.primary_groups.end_row();
        if let Some(RawFallback {
            capacity,
            grows,
            activation,
            switchback,
            switchback_capacity,
            requires,
        }) = e.fallback()
        {
            let patched = meta.patched.contains("fallback");
            let mut last = SimTime::ZERO;
            for (i, step) in grows.iter().flatten().enumerate() {
                if step.after.0 <= last {
                    return Err(r.ctx.at("service", meta.origin, patched,
                        &[Seg::Key("fallback"), Seg::Key("grows"), Seg::Index(i), Seg::Key("after")],
                        err(InputErrorKind::Value, format!(
                            "`after = \"{}\"` is not later than the step before ({}): a fallback grows step after step",
                            step.after.0, last))
                            .hint("list the steps by their time after engagement, each later than the one before and after 0")));
                }
                last = step.after.0;
                self.growth.push((step.after.0, to_units(step.capacity.0)));
            }
            if let Some(req) = requires {
                self.resolve(
                    r,
                    req,
                    &[Seg::Key("fallback"), Seg::Key("requires")],
                    false,
                    meta,
                    n,
                    patched,
                    true,
                )?;
            }
            self.fallbacks[n as usize] = Some(Fallback {
                capacity: to_units(capacity.0),
                activation: dur(activation),
                switchback: dur(switchback),
                switchback_capacity: switchback_capacity.map(|f| to_units(f.0)),
            });
            let drawn = |d: &Option<RawDur>| d.as_ref().and_then(RawDur::random);
            let (activation, switchback) = (drawn(activation), drawn(switchback));
            if activation.is_some() || switchback.is_some() {
                let rnd = random[n as usize].get_or_insert_default();
                (rnd.activation, rnd.switchback) = (activation, switchback);
            }
        }
        self.fallback_groups.end_row();
        self.growth.end_row();
        Ok(())
    }

    /// Resolves one requirement into groups, added to the current row of the primary (or,
    /// with `fallback`, the fallback) groups; returns how many.
    #[allow(clippy::too_many_arguments)]
    fn resolve(
        &mut self,
        r: &Resolver,
        req: &RawReq,
        field: &[Seg],
        sites_only: bool,
        meta: &Meta,
        owner: u32,
        patched: bool,
        fallback: bool,
    ) -> Result<u32, InputError> {
        let list = matches!(req, RawReq::List(_));
        let groups = req.groups();
        for (gi, g) in groups.iter().enumerate() {
            let gidx = self.group_k.len() as u32;
            for (mi, id) in g.members().iter().enumerate() {
                let locate = |er: InputError| {
                    let mut path = field.to_vec();
                    if list {
                        path.push(Seg::Index(gi));
                    }
                    if let Some(k) = g.member_key() {
                        path.push(Seg::Key(k));
                        path.push(Seg::Index(mi));
                    }
                    r.ctx.at("service", meta.origin, patched, &path, er)
                };
                let v = self.ids[self.read];
                self.read += 1;
                match (v != UNKNOWN).then_some(v) {
                    Some(v) if v & CLIENT_BIT != 0 => {
                        return Err(locate(err(
                            InputErrorKind::Value,
                            format!("`{id}` is a client; requirements name sites and services"),
                        )));
                    }
                    Some(n) => {
                        if sites_only && n >= r.sites {
                            return Err(locate(err(InputErrorKind::Value, format!("`hosted_on` names `{id}`, which is a service, not a site"))
                                .hint("hosted_on names sites only; put service dependencies under `requires`")));
                        }
                        if n == owner {
                            return Err(locate(
                                err(InputErrorKind::Structure, format!("`{id}` requires itself"))
                                    .hint("remove the service from its own requirements"),
                            ));
                        }
                        if self.in_group[n as usize] == gidx + 1 {
                            return Err(locate(err(
                                InputErrorKind::Structure,
                                format!("`{id}` appears twice in the same group"),
                            )));
                        }
                        self.in_group[n as usize] = gidx + 1;
                        self.group_members.push(n);
                    }
                    None => return Err(locate((r.unknown)(id))),
                }
            }
            self.group_members.end_row();
            self.group_k.push(g.k());
            self.group_owner.push(owner);
            if fallback {
                self.fallback_groups.push(gidx);
            } else {
                self.primary_groups.push(gidx);
            }
        }
        Ok(groups.len() as u32)
    }
}

mod entries;
mod functions;
use entries::collect_ids;

/// A duration that defaults to 0: the fixed value, or a distribution's median.
fn dur(d: &Option<RawDur>) -> SimTime {
    d.as_ref().map_or(SimTime::ZERO, RawDur::median)
}

/// The random parts of a site or service, as written.
struct RandomParts<'a> {
    restart: &'a Option<RawDur>,
    repair: &'a Option<RawDur>,
    mtbf: Option<&'a RawDur>,
    mttr: Option<&'a RawDur>,
    restart_failure: Option<&'a RawRestartFailure>,
}

impl RandomParts<'_> {
    /// What is random about the node, if anything. `mtbf` and `mttr` come together; a fixed
    /// value of either is the mean of an exponential distribution.
    fn build(
        &self,
        ctx: &Ctx,
        kind: &'static str,
        meta: &Meta,
    ) -> Result<Option<Box<Random>>, InputError> {
        let failures = match (self.mtbf, self.mttr) {
            (None, None) => None,
            (Some(b), Some(r)) => Some((b, r)),
            (one, _) => {
                let (has, lacks) = if one.is_some() {
                    ("mtbf", "mttr")
                } else {
                    ("mttr", "mtbf")
                };
                return Err(ctx.at(kind, meta.origin, meta.patched.contains(has), &[Seg::Key(has)],
                    err(InputErrorKind::Missing, format!("`{has}` is given without `{lacks}`"))
                        .hint("random failures need both: mtbf (time between failures) and mttr (time to restore), e.g. mtbf = \"180d\", mttr = \"8h\"")));
            }
        };
        let mean = |d: &RawDur| match d {
            RawDur::Fixed(t) => Dist::exponential_mean(*t),
            RawDur::Random(d) => **d,
        };
        if let Some((b, _)) = failures
            && b.median() == SimTime::ZERO
        {
            return Err(ctx.at(
                kind,
                meta.origin,
                meta.patched.contains("mtbf"),
                &[Seg::Key("mtbf")],
                err(
                    InputErrorKind::Value,
                    "`mtbf` is 0: the node would fail without end",
                )
                .hint("give the mean time between failures, e.g. mtbf = \"180d\""),
            ));
        }
        let restart_failure = self.restart_failure.map(|rf| RestartFailure {
            probability: rf.probability.0,
            down: rf.down.dist(),
            attempts: rf.attempts.unwrap_or(DEFAULT_ATTEMPTS),
        });
        if restart_failure.is_some_and(|rf| rf.attempts == 0) {
            return Err(ctx.at(kind, meta.origin, meta.patched.contains("restart_failure"),
                &[Seg::Key("restart_failure"), Seg::Key("attempts")],
                err(InputErrorKind::Value, "`attempts` is 0: the node could never restart")
                    .hint(format!("give the number of failed restarts after which the node is left off (default {DEFAULT_ATTEMPTS})"))));
        }
        let r = Random {
            restart: self.restart.as_ref().and_then(RawDur::random),
            repair: self.repair.as_ref().and_then(RawDur::random),
            activation: None,
            switchback: None,
            restart_failure,
            mtbf: failures.map(|(b, _)| mean(b)),
            mttr: failures.map(|(_, r)| mean(r)),
        };
        Ok((r != Random::default()).then(|| Box::new(r)))
    }
}

/// A node's `backup`, checked: a time between backups above 0.
fn backup_of(
    ctx: &Ctx,
    kind: &'static str,
    meta: &Meta,
    backup: Option<RawBackup>,
) -> Result<Option<SimTime>, InputError> {
    let Some(b) = backup else { return Ok(None) };
    if b.every.0 == SimTime::ZERO {
        return Err(ctx.at(
            kind,
            meta.origin,
            meta.patched.contains("backup"),
            &[Seg::Key("backup"), Seg::Key("every")],
            err(
                InputErrorKind::Value,
                "`every = 0`: backups need time between them",
            )
            .hint("give the time between backups, e.g. every = \"4h\""),
        ));
    }
    Ok(Some(b.every.0))
}

/// A node's `warmup`, checked: a level above 0 (a node at 0 is not back) and a time.
fn warmup_of(
    ctx: &Ctx,
    kind: &'static str,
    meta: &Meta,
    warmup: Option<RawWarmup>,
) -> Result<Option<(Avail, SimTime)>, InputError> {
    let Some(w) = warmup else { return Ok(None) };
    let level = to_units(w.level.0);
    if level == 0 {
        return Err(ctx.at(
            kind,
            meta.origin,
            meta.patched.contains("warmup"),
            &[Seg::Key("warmup"), Seg::Key("level")],
            err(
                InputErrorKind::Value,
                "`level = 0`: a node at 0 is not back; a warmup level is above 0",
            )
            .hint("give the share of its capacity it runs at while warming up, e.g. level = 0.5"),
        ));
    }
    Ok((w.for_.0 > SimTime::ZERO && level < FULL).then_some((level, w.for_.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MEMBERSHIP_MARKS;

    #[test]
    fn a_model_may_have_as_many_nodes_as_component_numbers_leave_room_for() {
        assert!(check_node_count(MAX_NODES).is_ok());
        let e = check_node_count(MAX_NODES + 1).unwrap_err();
        assert_eq!(e.kind, InputErrorKind::Structure);
        assert_eq!(
            e.message,
            "536870912 sites and services; impactsim handles at most 536870911"
        );
        // The marks of a membership's component stay clear of every component number.
        assert_eq!(MAX_NODES as u32 & MEMBERSHIP_MARKS, 0);
    }
}
