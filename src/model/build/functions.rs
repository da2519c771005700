//! Business functions: the model's (every client has them) and each client's own, their
//! needs resolved to nodes and their tolerances checked.

use super::*;
use crate::model::Function;
use crate::model::raw::RawFunction;

/// Where a function was written: in `[[function]]`, or in a client's `function` list.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Model(usize),
    Client { meta: &'a Meta, at: usize },
}

impl Scope<'_> {
    /// Locates `rest` inside the function's table.
    fn at(&self, ctx: &Ctx, rest: &[Seg], e: InputError) -> InputError {
        match *self {
            Scope::Model(i) => {
                let mut path = vec![Seg::Key("function"), Seg::Index(i)];
                path.extend_from_slice(rest);
                ctx.model.error_at(&path, e)
            }
            Scope::Client { meta, at } => {
                let mut path = vec![Seg::Key("function"), Seg::Index(at)];
                path.extend_from_slice(rest);
                let patched = meta.patched.contains("function");
                ctx.at("client", meta.origin, patched, &path, e)
            }
        }
    }
}

/// The model's functions, then every client's own, in client order.
pub(super) fn functions_of(
    ctx: &Ctx,
    model_functions: &[RawFunction],
    clients: &[RawClient],
    client_meta: &[Meta],
    lookup: &(dyn Fn(&str) -> Option<u32> + Sync),
    unknown: &(dyn Fn(&str) -> InputError + Sync),
) -> Result<Vec<Function>, InputError> {
    let mut out = Vec::new();
    let mut model_ids: Vec<&str> = Vec::new();
    for (i, f) in model_functions.iter().enumerate() {
        let scope = Scope::Model(i);
        check_id(ctx, scope, &f.id, &model_ids)?;
        model_ids.push(&f.id);
        out.push(function(ctx, scope, f, None, lookup, unknown)?);
    }
    for (c, (client, meta)) in clients.iter().zip(client_meta).enumerate() {
        let mut ids = model_ids.clone();
        for (at, f) in client.function.iter().flatten().enumerate() {
            let scope = Scope::Client { meta, at };
            check_id(ctx, scope, &f.id, &ids)?;
            ids.push(&f.id);
            out.push(function(ctx, scope, f, Some(c as u32), lookup, unknown)?);
        }
    }
    Ok(out)
}

/// Refuses an empty function id, or one `taken` already (the model's and the client's).
fn check_id(ctx: &Ctx, scope: Scope, id: &str, taken: &[&str]) -> Result<(), InputError> {
    let problem = if id.trim().is_empty() {
        Some(err(InputErrorKind::Value, "a function id cannot be empty"))
    } else if taken.contains(&id) {
        Some(
            err(
                InputErrorKind::DuplicateId,
                format!("duplicate function `{id}`: the model or this client has it already"),
            )
            .hint("a client has the model's functions and its own; give each a different id"),
        )
    } else {
        None
    };
    match problem {
        Some(e) => Err(scope.at(ctx, &[Seg::Key("id")], e)),
        None => Ok(()),
    }
}

/// One function, its needs resolved.
fn function(
    ctx: &Ctx,
    scope: Scope,
    f: &RawFunction,
    client: Option<u32>,
    lookup: &(dyn Fn(&str) -> Option<u32> + Sync),
    unknown: &(dyn Fn(&str) -> InputError + Sync),
) -> Result<Function, InputError> {
    let weight = f.weight.unwrap_or(1.0);
    if !(weight.is_finite() && weight >= 0.0) {
        return Err(scope.at(
            ctx,
            &[Seg::Key("weight")],
            err(
                InputErrorKind::Value,
                format!("`weight = {weight}`: a weight is a number of at least 0"),
            )
            .hint("weigh functions against each other, e.g. 1 for routine and 5 for vital"),
        ));
    }
    let min_level = f.min_level.map_or(FULL, |l| to_units(l.0));
    if min_level == 0 {
        return Err(scope.at(
            ctx,
            &[Seg::Key("min_level")],
            err(
                InputErrorKind::Value,
                "`min_level = 0`: the function could never count as disrupted",
            )
            .hint("give the availability below which it is disrupted, e.g. min_level = 0.5 (default 1: any loss)"),
        ));
    }
    let needs = resolve_needs(
        &f.needs,
        ("needs", "a function needs sites and services"),
        None,
        lookup,
        unknown,
        |path, e| scope.at(ctx, path, e),
    )?;
    Ok(Function {
        id: f.id.clone(),
        name: f.name.clone().unwrap_or_else(|| f.id.clone()),
        client,
        needs,
        weight,
        min_level,
        mtpd: f.mtpd.map(|d| d.0),
        rto: f.rto.map(|d| d.0),
        mtn: f.mtn.map(|d| d.0),
        rpo: f.rpo.map(|d| d.0),
        fallbacks: Vec::new(),
        backups: Vec::new(),
    })
}

/// A requirement written under `key` (`needs`, `repair_requires`), resolved to groups of
/// nodes: (K, members). `owner`, when given, may not name itself; `what` says what the
/// requirement names when it names a client. `locate` places an error at a path from the
/// table that holds the requirement.
pub(super) fn resolve_needs(
    req: &RawReq,
    (key, what): (&'static str, &str),
    owner: Option<u32>,
    lookup: &(dyn Fn(&str) -> Option<u32> + Sync),
    unknown: &(dyn Fn(&str) -> InputError + Sync),
    locate: impl Fn(&[Seg], InputError) -> InputError,
) -> Result<Vec<(u32, Vec<u32>)>, InputError> {
    let list = matches!(req, RawReq::List(_));
    let mut needs = Vec::new();
    for (gi, g) in req.groups().iter().enumerate() {
        let mut members: Vec<u32> = Vec::with_capacity(g.members().len());
        for (mi, id) in g.members().iter().enumerate() {
            let here = |e: InputError| {
                let mut path = vec![Seg::Key(key)];
                if list {
                    path.push(Seg::Index(gi));
                }
                if let Some(k) = g.member_key() {
                    path.push(Seg::Key(k));
                    path.push(Seg::Index(mi));
                }
                locate(&path, e)
            };
            let problem = match lookup(id) {
                None => Some(unknown(id)),
                Some(v) if v & CLIENT_BIT != 0 => Some(err(
                    InputErrorKind::Value,
                    format!("`{id}` is a client; {what}"),
                )),
                Some(n) if Some(n) == owner => Some(
                    err(InputErrorKind::Structure, format!("`{id}` requires itself"))
                        .hint("remove the node from its own requirements"),
                ),
                Some(n) if members.contains(&n) => Some(err(
                    InputErrorKind::Structure,
                    format!("`{id}` appears twice in the same group"),
                )),
                Some(n) => {
                    members.push(n);
                    None
                }
            };
            if let Some(e) = problem {
                return Err(here(e));
            }
        }
        needs.push((g.k(), members));
    }
    Ok(needs)
}

/// Per function, the nodes with a fallback, and those with a backup, it depends on: its
/// needs, and everything they need in turn (primary and fallback requirements).
pub(super) fn upstream(
    functions: &mut [Function],
    nodes: &[Node],
    group_members: &Csr,
    primary_groups: &Csr,
    fallback_groups: &Csr,
    has_fallback: &fixedbitset::FixedBitSet,
) {
    let mut seen = fixedbitset::FixedBitSet::with_capacity(primary_groups.rows());
    let mut stack = Vec::new();
    for f in functions {
        seen.clear();
        stack.clear();
        for &m in f.needs.iter().flat_map(|(_, members)| members) {
            if !seen.put(m as usize) {
                stack.push(m);
            }
        }
        while let Some(n) = stack.pop() {
            if has_fallback.contains(n as usize) {
                f.fallbacks.push(n);
            }
            if nodes[n as usize].backup.is_some() {
                f.backups.push(n);
            }
            let groups = primary_groups.row(n as usize).iter();
            for &g in groups.chain(fallback_groups.row(n as usize)) {
                for &m in group_members.row(g as usize) {
                    if !seen.put(m as usize) {
                        stack.push(m);
                    }
                }
            }
        }
        f.fallbacks.sort_unstable();
        f.backups.sort_unstable();
    }
}
