//! The first phase of building a model: every entry numbered by its id, the patch of a
//! scenario applied.

use super::*;
use crate::model::ids::BATCH;

/// The ids of every site, service and client, the patch's included: each entry numbered as
/// it comes (in the arena), the table mapping an id to its number, and per number its kind
/// and entry (`tags`). Refuses empty and duplicate ids, and a patch that changes a kind.
#[allow(clippy::type_complexity)]
pub(super) fn collect_ids(
    ctx: &Ctx,
    site: Vec<RawSite>,
    service: Vec<RawService>,
    client: Vec<RawClient>,
    patch: Option<&RawPatch>,
) -> Result<(Entries, IdArena, IdTable, Vec<u32>), InputError> {
    let total = site.len() + service.len() + client.len();
    // Collect entries, rejecting duplicate ids. Ids are numbered as they come (in `arena`);
    // the table maps an id to its number, `tags` a number to its kind and entry.
    let mut en = Entries {
        site_meta: meta_for(site.len()),
        service_meta: meta_for(service.len()),
        client_meta: meta_for(client.len()),
        sites: site,
        services: service,
        clients: client,
    };
    // Made at their final size: a million ids would otherwise copy the arena again and again.
    let bytes = (en.sites.iter().map(|e| e.id.len()))
        .chain(en.services.iter().map(|e| e.id.len()))
        .chain(en.clients.iter().map(|e| e.id.len()))
        .sum();
    let mut arena = IdArena::with_capacity(total, bytes);
    let mut seen = IdTable::with_capacity(total);
    let mut tags: Vec<u32> = Vec::with_capacity(total);
    // A batch of ids at a time: their slots in the table are fetched together.
    let mut batch = [("", 0); BATCH];
    macro_rules! collect {
        ($list:ident, $meta:ident, $kind:expr) => {
            for start in (0..en.$list.len()).step_by(BATCH) {
                let ids = en.$list[start..].iter().map(|e| e.id.as_str());
                let n = seen.hash_batch(ids, &mut batch);
                for (i, &id) in (start..).zip(&batch[..n]) {
                    let origin = en.$meta[i].origin;
                    add_id(
                        ctx, &mut seen, &mut arena, &mut tags, id, $kind, i, origin, false,
                    )?;
                }
            }
        };
    }
    collect!(sites, site_meta, SITE);
    collect!(services, service_meta, SERVICE);
    collect!(clients, client_meta, CLIENT);

    if let Some(patch) = patch {
        apply_patch(ctx, &mut en, &mut arena, &mut seen, &mut tags, patch)?;
    }
    Ok((en, arena, seen, tags))
}

/// Numbers the entry `idx` of `kind` with id `id` (of hash `hash`); refuses an empty or
/// duplicate id.
#[allow(clippy::too_many_arguments)]
fn add_id(
    ctx: &Ctx,
    seen: &mut IdTable,
    arena: &mut IdArena,
    tags: &mut Vec<u32>,
    (id, hash): (&str, u64),
    kind: u32,
    idx: usize,
    origin: Origin,
    patched: bool,
) -> Result<(), InputError> {
    let name = kind_name(kind);
    if id.trim().is_empty() {
        return Err(ctx.at(
            name,
            origin,
            patched,
            &[Seg::Key("id")],
            err(InputErrorKind::Value, "an id cannot be empty"),
        ));
    }
    let number = arena.push(id);
    if let Err(holder) = seen.try_insert_hashed(id, hash, number, |v| arena.get(v)) {
        let k = kind_name(untag(tags[holder as usize]).0);
        return Err(ctx.at(
            name,
            origin,
            patched,
            &[Seg::Key("id")],
            err(
                InputErrorKind::DuplicateId,
                format!("duplicate id `{id}`: a {k} already has it"),
            )
            .hint("ids are unique across sites, services and clients; rename one of them"),
        ));
    }
    tags.push(tag(kind, idx));
    Ok(())
}

/// Applies a scenario's patch: replaces the given fields of existing ids, adds new ids.
fn apply_patch(
    ctx: &Ctx,
    en: &mut Entries,
    arena: &mut IdArena,
    seen: &mut IdTable,
    tags: &mut Vec<u32>,
    patch: &RawPatch,
) -> Result<(), InputError> {
    let mut patched_ids = IdTable::with_capacity(0);
    let mut patched_names = IdArena::default();
    macro_rules! apply {
        ($items:expr, $kind:expr, $list:ident, $meta:ident, [$($f:ident),*]) => {
            for (p, item) in $items.iter().enumerate() {
                let origin = Origin { model: None, patch: Some(p as u32) };
                let kind = kind_name($kind);
                let number = patched_names.push(&item.id);
                if patched_ids.try_insert(&item.id, number, |v| patched_names.get(v)).is_err() {
                    return Err(ctx.at(kind, origin, true, &[Seg::Key("id")],
                        err(InputErrorKind::DuplicateId, format!("`{}` is patched twice", item.id))
                            .hint("merge the two patch entries into one")));
                }
                match seen.get(&item.id, |v| arena.get(v)).map(|v| untag(tags[v as usize])) {
                    Some((k, idx)) if k == $kind => {
                        let (e, m) = (&mut en.$list[idx], &mut en.$meta[idx]);
                        m.origin.patch = Some(p as u32);
                        merge_fields!(e, item, m.patched, [$($f),*]);
                    }
                    Some((k, _)) => {
                        let k = kind_name(k);
                        return Err(ctx.at(kind, origin, true, &[Seg::Key("id")],
                            err(InputErrorKind::Structure, format!(
                                "a patch cannot change the kind of `{}`: it is a {k} in the model", item.id))
                                .hint(format!("patch it under [[patch.{k}]]"))));
                    }
                    None => {
                        let idx = en.$list.len();
                        let id = (item.id.as_str(), seen.hash(&item.id));
                        add_id(ctx, seen, arena, tags, id, $kind, idx, origin, true)?;
                        en.$list.push(item.clone());
                        en.$meta.push(Meta { origin, patched: Fields::default() });
                    }
                }
            }
        };
    }
    apply!(
        patch.site,
        SITE,
        sites,
        site_meta,
        [
            name,
            tags,
            restart,
            repair,
            rto,
            mtbf,
            mttr,
            effort,
            warmup,
            backup,
            repair_requires
        ]
    );
    apply!(
        patch.service,
        SERVICE,
        services,
        service_meta,
        [
            name,
            hosted_on,
            requires,
            restart,
            repair,
            rto,
            tags,
            fallback,
            restart_failure,
            mtbf,
            mttr,
            effort,
            warmup,
            backup,
            repair_requires
        ]
    );
    apply!(
        patch.client,
        CLIENT,
        clients,
        client_meta,
        [name, population, uses, tags, combine, function]
    );
    Ok(())
}
