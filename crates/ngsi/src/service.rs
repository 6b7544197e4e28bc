//! The broker's rules for changing entities (clause 5.6): create, append,
//! update, partial update, merge, replace and delete, each in one
//! transaction that also records the attribute instances of the temporal
//! evolution, then hands the change to the notifier.

use crate::Broker;
use crate::error::{NgsiError, NgsiResult};
use crate::model::{Attr, Entity, NGSI_LD_NULL};
use crate::notify::{Change, Trigger};
use crate::parse::Fragment;
use crate::store;
use kernel::Ctx;
use sea_orm::DatabaseTransaction;

/// What a change did to each attribute named in it.
#[derive(Debug, Default)]
pub struct Outcome {
    pub updated: Vec<String>,
    pub not_updated: Vec<(String, String)>,
}

impl Outcome {
    pub fn complete(&self) -> bool {
        self.not_updated.is_empty()
    }
}

/// Entity ids that belong to another capability cannot be changed here.
async fn refuse_foreign(ctx: &Ctx, b: &Broker, tenant: &str, id: &str) -> NgsiResult<()> {
    match b.source_of(ctx, tenant, id).await? {
        Some(_) => Err(NgsiError::unsupported(format!("{id} is kept by the platform itself and is read-only here"))),
        None => Ok(()),
    }
}

/// Keep the change in the temporal evolution: the instances changed and, when
/// the scope changed (`before` is the scope it had), the scope as an instance.
async fn record(txn: &DatabaseTransaction, tenant: &str, before: &[String], e: &Entity, attrs: &[(String, Attr)], now: i64) -> NgsiResult<()> {
    store::upsert_temporal_entity(txn, tenant, &e.id, &e.types, &e.scopes, now).await?;
    for (name, a) in attrs {
        let deleted = a.deleted_at;
        store::add_instance(txn, tenant, &e.id, name, a, deleted).await?;
    }
    if before != e.scopes.as_slice() {
        let a = scope_instance(&e.scopes, now);
        store::add_instance(txn, tenant, &e.id, crate::temporal::SCOPE, &a, a.deleted_at).await?;
    }
    Ok(())
}

/// The scope as a temporal Property instance (clause 4.5.6): observed when it
/// was set; no scope left is the empty list, deleted then.
pub fn scope_instance(scopes: &[String], now: i64) -> Attr {
    let value = match scopes {
        [one] => serde_json::json!(one),
        many => serde_json::json!(many),
    };
    let mut a = Attr::new(crate::model::Kind::Property, value, now);
    if scopes.is_empty() {
        a.deleted_at = Some(now);
    } else {
        a.observed_at = Some(crate::model::format_time(now));
    }
    a
}

fn all_instances(e: &Entity) -> Vec<(String, Attr)> {
    e.attrs.iter().flat_map(|(n, l)| l.iter().map(move |a| (n.clone(), a.clone()))).collect()
}

pub async fn create(ctx: &Ctx, b: &Broker, tenant: &str, e: Entity) -> NgsiResult<()> {
    refuse_foreign(ctx, b, tenant, &e.id).await?;
    let txn = ctx.db.begin().await?;
    store::ensure_tenant(&txn, tenant, ctx.now().0).await?;
    if !store::insert_entity(&txn, tenant, &e).await? {
        return Err(NgsiError::exists(format!("{} exists already", e.id)));
    }
    record(&txn, tenant, &[], &e, &all_instances(&e), e.created_at).await?;
    txn.commit().await?;
    b.notifier.changed(Change::new(tenant, None, Some(e), Trigger::EntityCreated, vec![]));
    Ok(())
}

/// Load an entity for a change (after `refuse_foreign`, outside the transaction:
/// SQLite has one connection).
async fn load(txn: &DatabaseTransaction, tenant: &str, id: &str) -> NgsiResult<Entity> {
    store::get_entity(txn, tenant, id).await?.ok_or_else(|| NgsiError::not_found(format!("no entity {id}")))
}

async fn save(
    b: &Broker,
    txn: DatabaseTransaction,
    tenant: &str,
    before: Entity,
    after: Entity,
    changed: Vec<(String, Attr)>,
    trigger: Trigger,
) -> NgsiResult<()> {
    store::update_entity(&txn, tenant, &after).await?;
    record(&txn, tenant, &before.scopes, &after, &changed, after.modified_at).await?;
    txn.commit().await?;
    let names: Vec<String> = changed.into_iter().map(|(n, _)| n).collect();
    b.notifier.changed(Change::new(tenant, Some(before), Some(after), trigger, names));
    Ok(())
}

/// What a deleted instance leaves in the temporal evolution and notifications: NGSI-LD Null.
fn tombstone(gone: Attr, now: i64) -> Attr {
    let value = match gone.kind {
        crate::model::Kind::LanguageProperty => serde_json::json!({"@none": NGSI_LD_NULL}),
        crate::model::Kind::ListProperty | crate::model::Kind::ListRelationship => serde_json::json!([NGSI_LD_NULL]),
        _ => serde_json::Value::String(NGSI_LD_NULL.into()),
    };
    let mut a = Attr::new(gone.kind, value, now);
    a.dataset_id = gone.dataset_id;
    a.created_at = gone.created_at;
    a.deleted_at = Some(now);
    a
}

/// The temporal API's instances also move the entity's current state forward:
/// per attribute and datasetId, the latest instance given (by observedAt) replaces
/// an older current one. The entity is created when it does not exist.
pub async fn fold_into_current(
    txn: &DatabaseTransaction,
    tenant: &str,
    id: &str,
    types: &[String],
    scopes: &[String],
    items: &[(String, Attr)],
    now: i64,
) -> NgsiResult<()> {
    let existing = store::get_entity(txn, tenant, id).await?;
    let fresh = existing.is_none();
    let mut e = existing.unwrap_or_else(|| Entity::new(id.to_string(), types.to_vec(), now));
    for t in types {
        if !e.types.contains(t) {
            e.types.push(t.clone());
        }
    }
    if !scopes.is_empty() {
        e.scopes = scopes.to_vec();
    }
    for (name, a) in items {
        let newer = match e.instance(name, a.dataset_id.as_deref()) {
            None => true,
            Some(cur) => a.observed_micros().unwrap_or(a.created_at) >= cur.observed_micros().unwrap_or(cur.created_at),
        };
        if newer {
            e.upsert(name, a.clone());
        }
    }
    e.modified_at = now;
    if fresh {
        store::insert_entity(txn, tenant, &e).await?;
    } else {
        store::update_entity(txn, tenant, &e).await?;
    }
    Ok(())
}

/// Property and GeoProperty values may turn into each other (a geometry given to a Property).
fn is_property(k: crate::model::Kind) -> bool {
    matches!(k, crate::model::Kind::Property | crate::model::Kind::GeoProperty)
}

/// Keep an existing instance's creation time when it is replaced.
fn carry_created(new: &mut Attr, old: Option<&Attr>) {
    if let Some(o) = old {
        new.created_at = o.created_at;
    }
}

/// Types a fragment adds (append, merge): entity types only grow.
fn add_types(e: &mut Entity, f: &Fragment) {
    if let Some(types) = &f.types {
        for t in types {
            if !e.types.contains(t) {
                e.types.push(t.clone());
            }
        }
    }
}

/// How attributes are added to an entity that exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddMode {
    /// POST /entities/{id}/attrs: existing instances replaced, or kept with `noOverwrite`; scopes added to.
    Append { no_overwrite: bool },
    /// PATCH /entities/{id}/attrs: NGSI-LD Null deletes; attributes the entity
    /// lacks are added (the ETSI suite, 011_01_03, expects it); scopes replaced only where there are some.
    Update,
}

pub async fn append(ctx: &Ctx, b: &Broker, tenant: &str, id: &str, f: Fragment, mode: AddMode, now: i64) -> NgsiResult<Outcome> {
    refuse_foreign(ctx, b, tenant, id).await?;
    let txn = ctx.db.begin().await?;
    let before = load(&txn, tenant, id).await?;
    let mut e = before.clone();
    let mut out = Outcome::default();
    let mut changed = vec![];
    add_types(&mut e, &f);
    if let Some(s) = &f.scopes {
        match mode {
            AddMode::Append { no_overwrite: true } => {
                for x in s {
                    if !e.scopes.contains(x) {
                        e.scopes.push(x.clone());
                    }
                }
            }
            AddMode::Update if e.scopes.is_empty() => out.not_updated.push(("scope".into(), "the entity has no scope to update".into())),
            _ => e.scopes = s.clone(),
        }
    }
    let mut created_any = false;
    for (name, list) in f.attrs {
        let mut any = false;
        for mut a in list {
            let existing = e.instance(&name, a.dataset_id.as_deref()).cloned();
            if a.is_null() {
                // Deleting what is not there does nothing.
                if let Some(gone) = existing {
                    e.remove(&name, a.dataset_id.as_deref(), false);
                    changed.push((name.clone(), tombstone(gone, now)));
                    any = true;
                }
                continue;
            }
            if existing.is_some() && mode == (AddMode::Append { no_overwrite: true }) {
                out.not_updated.push((name.clone(), "the attribute exists and noOverwrite was asked for".into()));
                continue;
            }
            created_any |= existing.is_none();
            carry_created(&mut a, existing.as_ref());
            a.modified_at = now;
            e.upsert(&name, a.clone());
            changed.push((name.clone(), a));
            any = true;
        }
        if any {
            out.updated.push(name);
        }
    }
    e.modified_at = now;
    let trigger = if created_any { Trigger::AttributeCreated } else { Trigger::AttributeUpdated };
    save(b, txn, tenant, before, e, changed, trigger).await?;
    Ok(out)
}

/// Merge a fragment into an instance: given members replace, sub-attributes merge.
pub fn merge_instance(old: &Attr, new: &Attr, now: i64) -> Attr {
    let mut m = old.clone();
    if new.kind != old.kind || new.value.as_str() != Some(NGSI_LD_NULL) {
        m.kind = new.kind;
        m.value = new.value.clone();
    }
    if new.observed_at.is_some() {
        m.observed_at = new.observed_at.clone();
    }
    if new.unit_code.is_some() {
        m.unit_code = new.unit_code.clone();
    }
    if new.object_type.is_some() {
        m.object_type = new.object_type.clone();
    }
    if new.value_type.is_some() {
        m.value_type = new.value_type.clone();
    }
    for (name, list) in &new.sub {
        for s in list {
            if s.is_null() {
                m.sub.remove(name);
                continue;
            }
            let merged = match m.sub.get(name).and_then(|l| l.iter().find(|x| x.dataset_id == s.dataset_id)) {
                Some(o) => merge_instance(o, s, now),
                None => s.clone(),
            };
            let slot = m.sub.entry(name.clone()).or_default();
            slot.retain(|x| x.dataset_id != merged.dataset_id);
            slot.push(merged);
        }
    }
    m.modified_at = now;
    m
}

/// PATCH /entities/{id}/attrs/{attr}: change one attribute instance in place (NGSI-LD Null deletes it).
#[allow(clippy::too_many_arguments)]
pub async fn partial_update(ctx: &Ctx, b: &Broker, tenant: &str, id: &str, name: &str, new: Attr, has_value: bool, now: i64) -> NgsiResult<()> {
    refuse_foreign(ctx, b, tenant, id).await?;
    let txn = ctx.db.begin().await?;
    let before = load(&txn, tenant, id).await?;
    let mut e = before.clone();
    let Some(existing) = e.instance(name, new.dataset_id.as_deref()).cloned() else {
        return Err(NgsiError::not_found(format!("{id} has no such attribute (or datasetId)")));
    };
    let (changed, trigger) = if has_value && new.is_null() {
        e.remove(name, new.dataset_id.as_deref(), false);
        ((name.to_string(), tombstone(existing.clone(), now)), Trigger::AttributeDeleted)
    } else {
        if has_value && new.kind != existing.kind && !(is_property(new.kind) && is_property(existing.kind)) {
            return Err(NgsiError::bad_data(format!("{id}'s attribute is a {}, not a {}", existing.kind.name(), new.kind.name())));
        }
        let new = if has_value { new } else { Attr { kind: existing.kind, value: existing.value.clone(), ..new } };
        let merged = merge_instance(&existing, &new, now);
        e.upsert(name, merged.clone());
        ((name.to_string(), merged), Trigger::AttributeUpdated)
    };
    e.modified_at = now;
    save(b, txn, tenant, before, e, vec![changed], trigger).await
}

/// PUT /entities/{id}/attrs/{attr}: replace one attribute's instances.
pub async fn replace_attribute(ctx: &Ctx, b: &Broker, tenant: &str, id: &str, name: &str, list: Vec<Attr>, now: i64) -> NgsiResult<()> {
    refuse_foreign(ctx, b, tenant, id).await?;
    let txn = ctx.db.begin().await?;
    let before = load(&txn, tenant, id).await?;
    let mut e = before.clone();
    let Some(old) = e.attrs.get(name).cloned() else {
        return Err(NgsiError::not_found(format!("{id} has no such attribute")));
    };
    // Only the instances given (by datasetId) are replaced; the others stay.
    let mut changed = vec![];
    for mut a in list {
        let Some(prior) = old.iter().find(|o| o.dataset_id == a.dataset_id).cloned() else {
            return Err(NgsiError::not_found(format!("{id} has no instance of that attribute with this datasetId")));
        };
        carry_created(&mut a, Some(&prior));
        a.modified_at = now;
        changed.push((name.to_string(), a.clone()));
        e.upsert(name, a);
    }
    e.modified_at = now;
    save(b, txn, tenant, before, e, changed, Trigger::AttributeUpdated).await
}

/// PATCH /entities/{id}: merge-patch (clause 5.6.17): new attributes are added, existing ones merged, nulls delete.
pub async fn merge(ctx: &Ctx, b: &Broker, tenant: &str, id: &str, f: Fragment, now: i64) -> NgsiResult<()> {
    refuse_foreign(ctx, b, tenant, id).await?;
    let txn = ctx.db.begin().await?;
    let before = load(&txn, tenant, id).await?;
    let mut e = before.clone();
    add_types(&mut e, &f);
    if let Some(s) = &f.scopes {
        e.scopes = s.clone();
    }
    let mut changed = vec![];
    for (name, list) in f.attrs {
        for a in list {
            let existing = e.instance(&name, a.dataset_id.as_deref()).cloned();
            if a.is_null() {
                if let Some(gone) = existing {
                    e.remove(&name, a.dataset_id.as_deref(), false);
                    changed.push((name.clone(), tombstone(gone, now)));
                }
                continue;
            }
            let merged = match &existing {
                Some(o) => merge_instance(o, &a, now),
                None => Attr { created_at: now, modified_at: now, ..a },
            };
            e.upsert(&name, merged.clone());
            changed.push((name.clone(), merged));
        }
    }
    e.modified_at = now;
    save(b, txn, tenant, before, e, changed, Trigger::EntityUpdated).await
}

/// PUT /entities/{id}: the entity's types and attributes replaced as a whole.
pub async fn replace(ctx: &Ctx, b: &Broker, tenant: &str, new: Entity, now: i64) -> NgsiResult<()> {
    refuse_foreign(ctx, b, tenant, &new.id).await?;
    let txn = ctx.db.begin().await?;
    let before = load(&txn, tenant, &new.id).await?;
    let mut e = new;
    e.created_at = before.created_at;
    e.modified_at = now;
    for list in e.attrs.values_mut() {
        for a in list {
            a.created_at = now;
            a.modified_at = now;
        }
    }
    let changed = all_instances(&e);
    save(b, txn, tenant, before, e, changed, Trigger::EntityUpdated).await
}

pub async fn delete(ctx: &Ctx, b: &Broker, tenant: &str, id: &str) -> NgsiResult<()> {
    refuse_foreign(ctx, b, tenant, id).await?;
    let txn = ctx.db.begin().await?;
    let before = load(&txn, tenant, id).await?;
    store::delete_entity(&txn, tenant, id).await?;
    txn.commit().await?;
    b.notifier.changed(Change::new(tenant, Some(before), None, Trigger::EntityDeleted, vec![]));
    Ok(())
}

/// Which instances of an attribute: the one with this datasetId (`None`: the default one), or all.
#[derive(Clone, Copy, Debug)]
pub enum Which<'a> {
    Dataset(Option<&'a str>),
    All,
}

/// DELETE /entities/{id}/attrs/{attr}: one instance (datasetId), or all of them.
pub async fn delete_attribute(ctx: &Ctx, b: &Broker, tenant: &str, id: &str, name: &str, which: Which<'_>, now: i64) -> NgsiResult<()> {
    let (dataset_id, all) = match which {
        Which::Dataset(d) => (d, false),
        Which::All => (None, true),
    };
    refuse_foreign(ctx, b, tenant, id).await?;
    let txn = ctx.db.begin().await?;
    let before = load(&txn, tenant, id).await?;
    let mut e = before.clone();
    if name == "scope" {
        if e.scopes.is_empty() {
            return Err(NgsiError::not_found(format!("{id} has no scope")));
        }
        e.scopes.clear();
        e.modified_at = now;
        return save(b, txn, tenant, before, e, vec![], Trigger::EntityUpdated).await;
    }
    let gone: Vec<Attr> =
        e.attrs.get(name).map(|l| l.iter().filter(|a| all || a.dataset_id.as_deref() == dataset_id).cloned().collect()).unwrap_or_default();
    if !e.remove(name, dataset_id, all) {
        return Err(NgsiError::not_found(format!("{id} has no such attribute (or datasetId)")));
    }
    let changed = gone.into_iter().map(|a| (name.to_string(), tombstone(a, now))).collect();
    e.modified_at = now;
    save(b, txn, tenant, before, e, changed, Trigger::AttributeDeleted).await
}
