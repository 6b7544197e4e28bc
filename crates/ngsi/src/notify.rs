//! Notifications (clause 5.8.6, 5.11): every change to an entity is matched
//! against the subscriptions of its tenant; matching ones are sent by HTTP
//! POST to their endpoint, and each subscription keeps its delivery figures.
//! Subscriptions with a timeInterval are sent every so many seconds.
//! Subscriptions made by other processes are picked up within seconds.

use crate::Broker;
use crate::context::RequestContext;
use crate::http::{Caller, link_header, with_context};
use crate::model::{Entity, Kind, format_time};
use crate::query::{self, TypeSelection};
use crate::render::{self, Form, View};
use crate::select::{self, Selection};
use crate::store;
use crate::subscriptions::Subscription;
use kernel::Ctx;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

const RELOAD_EVERY: Duration = Duration::from_secs(5);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    EntityCreated,
    EntityUpdated,
    EntityDeleted,
    AttributeCreated,
    AttributeUpdated,
    AttributeDeleted,
}

impl Trigger {
    pub fn name(self) -> &'static str {
        match self {
            Trigger::EntityCreated => "entityCreated",
            Trigger::EntityUpdated => "entityUpdated",
            Trigger::EntityDeleted => "entityDeleted",
            Trigger::AttributeCreated => "attributeCreated",
            Trigger::AttributeUpdated => "attributeUpdated",
            Trigger::AttributeDeleted => "attributeDeleted",
        }
    }
}

/// One committed change to one entity.
#[derive(Clone, Debug)]
pub struct Change {
    pub tenant: String,
    pub before: Option<Entity>,
    pub after: Option<Entity>,
    pub trigger: Trigger,
    /// The attributes changed (expanded); empty for a creation or deletion.
    pub attrs: Vec<String>,
}

impl Change {
    pub fn new(tenant: &str, before: Option<Entity>, after: Option<Entity>, trigger: Trigger, attrs: Vec<String>) -> Change {
        Change { tenant: tenant.to_string(), before, after, trigger, attrs }
    }

    /// The entity as it is after the change (or was, for a deletion).
    fn entity(&self) -> Option<&Entity> {
        self.after.as_ref().or(self.before.as_ref())
    }

    /// Every trigger the change fires: attribute-level ones per attribute, and the entity-level one.
    fn triggers(&self) -> Vec<&'static str> {
        let mut t = vec![self.trigger.name()];
        match self.trigger {
            // A new entity brings its attributes; a deleted one takes them.
            Trigger::EntityCreated => t.push("attributeCreated"),
            Trigger::EntityDeleted => t.push("attributeDeleted"),
            _ => {
                t.push("entityUpdated");
                for a in &self.attrs {
                    let was = self.before.as_ref().is_some_and(|e| e.attrs.contains_key(a));
                    let is = self.after.as_ref().is_some_and(|e| e.attrs.contains_key(a));
                    t.push(match (was, is) {
                        (false, true) => "attributeCreated",
                        (true, false) => "attributeDeleted",
                        _ => "attributeUpdated",
                    });
                }
            }
        }
        t
    }
}

enum Event {
    Changed(Box<Change>),
    Subscribed(String, Box<Subscription>),
    Unsubscribed(String, String),
}

pub struct Notifier {
    ctx: Ctx,
    tx: mpsc::UnboundedSender<Event>,
    rx: Mutex<Option<mpsc::UnboundedReceiver<Event>>>,
    http: reqwest::Client,
    /// When each time-interval subscription was last sent.
    periodic: Mutex<HashMap<(String, String), Instant>>,
    subs: RwLock<HashMap<(String, String), Subscription>>,
    /// Notifications in flight at most.
    sending: std::sync::Arc<tokio::sync::Semaphore>,
}

impl Notifier {
    pub fn new(ctx: Ctx, timeout_seconds: u64) -> Notifier {
        let (tx, rx) = mpsc::unbounded_channel();
        // Title-case header names: some receivers look receiverInfo headers up case-sensitively.
        let http =
            reqwest::Client::builder().timeout(Duration::from_secs(timeout_seconds.max(1))).http1_title_case_headers().build().unwrap_or_default();
        Notifier {
            ctx,
            tx,
            rx: Mutex::new(Some(rx)),
            http,
            periodic: Mutex::default(),
            subs: RwLock::default(),
            sending: std::sync::Arc::new(tokio::sync::Semaphore::new(32)),
        }
    }

    pub fn changed(&self, c: Change) {
        let _ = self.tx.send(Event::Changed(Box::new(c)));
    }

    pub fn subscribed(&self, tenant: &str, s: Subscription) {
        let _ = self.tx.send(Event::Subscribed(tenant.to_string(), Box::new(s)));
    }

    pub fn unsubscribed(&self, tenant: &str, id: &str) {
        let _ = self.tx.send(Event::Unsubscribed(tenant.to_string(), id.to_string()));
    }

    /// Start the worker (once).
    pub fn start(&self, b: Broker) {
        let Some(mut rx) = self.rx.lock().expect("notifier").take() else { return };
        tokio::spawn(async move {
            let mut last_reload = Instant::now() - RELOAD_EVERY;
            loop {
                if last_reload.elapsed() >= RELOAD_EVERY {
                    b.notifier.reload().await;
                    last_reload = Instant::now();
                }
                match tokio::time::timeout(Duration::from_millis(500), rx.recv()).await {
                    Ok(Some(Event::Changed(c))) => b.notifier.on_change(&b, *c).await,
                    Ok(Some(Event::Subscribed(t, s))) => {
                        b.notifier.subs.write().expect("notifier").insert((t, s.id.clone()), *s);
                    }
                    Ok(Some(Event::Unsubscribed(t, id))) => {
                        b.notifier.subs.write().expect("notifier").remove(&(t, id));
                    }
                    Ok(None) => return,
                    Err(_) => {}
                }
                b.notifier.periodic_due(&b).await;
            }
        });
    }

    async fn reload(&self) {
        match store::all_subscriptions(self.ctx.db.conn()).await {
            Ok(all) => {
                let mut map = HashMap::new();
                for (tenant, v) in all {
                    if let Ok(s) = serde_json::from_value::<Subscription>(v) {
                        map.insert((tenant, s.id.clone()), s);
                    }
                }
                *self.subs.write().expect("notifier") = map;
            }
            Err(e) => tracing::warn!(error = %e, "could not reload subscriptions"),
        }
    }

    fn candidates(&self, tenant: &str, now: i64) -> Vec<Subscription> {
        self.subs.read().expect("notifier").iter().filter(|((t, _), s)| t == tenant && s.active && !s.expired(now)).map(|(_, s)| s.clone()).collect()
    }

    async fn on_change(&self, b: &Broker, c: Change) {
        let now = b.now(&self.ctx);
        for s in self.candidates(&c.tenant, now) {
            if s.time_interval.is_some() {
                continue;
            }
            let Ok(sctx) = b.contexts.resolve(&s.context, true).await else { continue };
            if !matches(&s, &c, &sctx) {
                continue;
            }
            if let (Some(t), Some(last)) = (s.throttling, s.stats.last_notification)
                && (now - last) < (t * 1e6) as i64
            {
                continue;
            }
            let Some(e) = c.entity() else { continue };
            let data = vec![entity_data(&s, e, c.before.as_ref(), &c, &sctx)];
            self.spawn_send(b, &c.tenant, s, data, c.trigger.name(), sctx);
        }
    }

    async fn periodic_due(&self, b: &Broker) {
        let now = b.now(&self.ctx);
        let due: Vec<(String, Subscription)> = {
            let subs = self.subs.read().expect("notifier");
            let periodic = self.periodic.lock().expect("notifier");
            subs.iter()
                .filter(|(_, s)| s.active && !s.expired(now))
                .filter_map(|((t, id), s)| {
                    let every = Duration::from_secs_f64(s.time_interval?);
                    let last = periodic.get(&(t.clone(), id.clone()));
                    last.is_none_or(|l| l.elapsed() >= every).then(|| (t.clone(), s.clone()))
                })
                .collect()
        };
        for (tenant, s) in due {
            self.periodic.lock().expect("notifier").insert((tenant.clone(), s.id.clone()), Instant::now());
            let Ok(sctx) = b.contexts.resolve(&s.context, true).await else { continue };
            let caller = Caller { actor: kernel::Actor::Anonymous, headers: Default::default(), peer: None };
            let mut found = vec![];
            for sel in selections(&s, &sctx) {
                if let Ok(es) = select::select(&self.ctx, b, &caller, &tenant, &sel, &sctx).await {
                    found.extend(es);
                }
            }
            found.sort_by(|a, b| a.id.cmp(&b.id));
            found.dedup_by(|a, b| a.id == b.id);
            if found.is_empty() {
                continue;
            }
            let data: Vec<Value> = found.iter().map(|e| render::entity(e, &view_of(&s, &sctx), &sctx)).collect();
            self.spawn_send(b, &tenant, s, data, "timeInterval", sctx);
        }
    }

    /// Send in the background: a slow endpoint holds up only its own notifications.
    fn spawn_send(&self, b: &Broker, tenant: &str, s: Subscription, data: Vec<Value>, reason: &'static str, sctx: RequestContext) {
        let (b, tenant, sending) = (b.clone(), tenant.to_string(), self.sending.clone());
        tokio::spawn(async move {
            let Ok(_slot) = sending.acquire().await else { return };
            b.notifier.send(&b, &tenant, &s, data, reason, &sctx).await;
        });
    }

    /// POST one notification and record how it went.
    async fn send(&self, b: &Broker, tenant: &str, s: &Subscription, data: Vec<Value>, reason: &str, sctx: &RequestContext) {
        let now = b.now(&self.ctx);
        let ld = s.endpoint.accept == "application/ld+json";
        // As JSON-LD every entity carries its @context too, so each reads alone.
        let data: Vec<Value> = if ld { data.into_iter().map(|e| with_context(e, &sctx.raw)).collect() } else { data };
        let mut n = json!({
            "id": format!("urn:ngsi-ld:Notification:{}", uuid::Uuid::now_v7()),
            "type": "Notification",
            "subscriptionId": s.id,
            "notifiedAt": format_time(now),
            "data": data,
            "triggerReason": reason,
        });
        if ld {
            n = with_context(n, &sctx.raw);
        }
        let mut req =
            self.http.post(&s.endpoint.uri).header(reqwest::header::CONTENT_TYPE, if ld { "application/ld+json" } else { "application/json" });
        if !ld && let Some(link) = link_header(&sctx.link_url()) {
            req = req.header(reqwest::header::LINK, link.to_str().unwrap_or_default());
        }
        if !tenant.is_empty() {
            req = req.header("NGSILD-Tenant", tenant);
        }
        for kv in s.endpoint.receiver_info.as_ref().and_then(Value::as_array).into_iter().flatten() {
            if let (Some(k), Some(v)) = (kv.get("key").and_then(Value::as_str), kv.get("value").and_then(Value::as_str)) {
                req = req.header(k, v);
            }
        }
        // Counted before the request goes out: a receiver that asks for the
        // subscription as soon as the notification arrives sees it counted.
        if let Err(e) = self.record(tenant, &s.id, None, now).await {
            tracing::warn!(error = %e, "could not record a notification");
        }
        let ok = match s.endpoint.uri.split(':').next() {
            Some("http" | "https") => match req.body(n.to_string()).send().await {
                Ok(r) => r.status().is_success(),
                Err(e) => {
                    tracing::info!(subscription = %s.id, error = %e.without_url(), "a notification could not be delivered");
                    false
                }
            },
            _ => false,
        };
        metrics::counter!("ngsi_notifications_total", "outcome" => if ok { "sent" } else { "failed" }).increment(1);
        if let Err(e) = self.record(tenant, &s.id, Some(ok), now).await {
            tracing::warn!(error = %e, "could not record a notification");
        }
    }

    /// `None`: a notification is being sent; `Some(ok)`: how it went.
    async fn record(&self, tenant: &str, id: &str, outcome: Option<bool>, now: i64) -> Result<(), sea_orm::DbErr> {
        let txn = self.ctx.db.begin().await?;
        let Some(v) = store::subscription(&txn, tenant, id).await? else { return Ok(()) };
        let Ok(mut s) = serde_json::from_value::<Subscription>(v) else { return Ok(()) };
        match outcome {
            None => {
                s.stats.times_sent += 1;
                s.stats.last_notification = Some(now);
            }
            Some(true) => {
                s.stats.last_success = Some(now);
                s.stats.status = Some("ok".into());
            }
            Some(false) => {
                s.stats.times_failed += 1;
                s.stats.last_failure = Some(now);
                s.stats.status = Some("failed".into());
            }
        }
        let body = serde_json::to_value(&s).map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
        store::update_subscription(&txn, tenant, id, &body, s.modified_at).await?;
        txn.commit().await?;
        self.subs.write().expect("notifier").insert((tenant.to_string(), id.to_string()), s);
        Ok(())
    }
}

fn view_of(s: &Subscription, ctx: &RequestContext) -> View {
    let form = match s.format.as_str() {
        "keyValues" | "simplified" => Form::Simplified,
        "concise" => Form::Concise,
        _ => Form::Normalized,
    };
    let mut view = View {
        form,
        sys_attrs: s.sys_attrs,
        attrs: (!s.attributes.is_empty()).then(|| s.attributes.clone()),
        lang: s.lang.clone(),
        ..View::default()
    };
    let parse = |x: &Option<String>| x.as_deref().and_then(|p| crate::projection::Projection::parse(p).ok());
    let (pick, omit) = (parse(&s.pick), parse(&s.omit));
    if let Some(p) = &pick {
        view.keep_id = p.has("id");
        view.keep_type = p.has("type");
        view.attrs = Some(p.attributes().map(|m| ctx.expand(&m.name)).collect());
    }
    if let Some(o) = &omit {
        view.keep_id = !o.has("id");
        view.keep_type = !o.has("type");
        view.omit = o.attributes().map(|m| ctx.expand(&m.name)).collect();
    }
    view
}

/// The selections a subscription's entities, q, geoQ and scopeQ describe.
fn selections(s: &Subscription, ctx: &RequestContext) -> Vec<Selection> {
    let q = s.q.as_deref().and_then(|q| query::parse(&query::percent_decode(q), &|n| ctx.expand(n)).ok());
    let geo = s.geo_q.as_ref().and_then(|g| {
        select::geo_from(
            g.get("georel").and_then(Value::as_str),
            g.get("geometry").and_then(Value::as_str),
            g.get("coordinates").cloned(),
            g.get("geoproperty").and_then(Value::as_str),
            ctx,
        )
        .ok()
        .flatten()
    });
    let base = Selection { q, geo, scope_q: s.scope_q.clone(), ..Selection::default() };
    if s.entities.is_empty() {
        return vec![Selection { attrs: Some(s.watched.clone()), ..base }];
    }
    s.entities
        .iter()
        .map(|e| Selection {
            ids: e.id.clone().into_iter().collect(),
            id_pattern: e.id_pattern.as_deref().and_then(|p| regex_lite::Regex::new(p).ok()),
            types: Some(TypeSelection(e.types.clone())),
            ..base.clone()
        })
        .collect()
}

/// Whether a change fires a subscription.
pub fn matches(s: &Subscription, c: &Change, ctx: &RequestContext) -> bool {
    let Some(e) = c.entity() else { return false };
    let fired = c.triggers();
    if !s.triggers().iter().any(|t| fired.contains(&t.as_str())) {
        return false;
    }
    if !s.watched.is_empty() {
        let touched: Vec<&String> = match c.trigger {
            Trigger::EntityCreated | Trigger::EntityDeleted => e.attrs.keys().collect(),
            _ => c.attrs.iter().collect(),
        };
        if !touched.iter().any(|a| s.watched.contains(a)) {
            return false;
        }
    }
    selections(s, ctx).iter().any(|sel| {
        // watchedAttributes alone select by attribute presence; for deletions the entity may have lost it.
        let sel = if c.trigger == Trigger::EntityDeleted { Selection { attrs: None, ..sel.clone() } } else { sel.clone() };
        sel.matches(e, ctx)
    })
}

/// The entity as a notification carries it, with previous values when asked for.
fn entity_data(s: &Subscription, e: &Entity, before: Option<&Entity>, c: &Change, ctx: &RequestContext) -> Value {
    let view = view_of(s, ctx);
    if c.trigger == Trigger::EntityDeleted {
        return json!({"id": e.id, "type": render::types_value(&e.types, ctx), "deletedAt": format_time(e.modified_at)});
    }
    let mut v = render::entity(e, &view, ctx);
    if s.show_changes
        && view.form != Form::Simplified
        && let (Some(before), Some(o)) = (before, v.as_object_mut())
    {
        for name in &c.attrs {
            let (Some(old), Some(slot)) = (before.instance(name, None), o.get_mut(&ctx.compact(name))) else { continue };
            if let Some(obj) = slot.as_object_mut() {
                let prev = if old.kind == Kind::VocabProperty { render::compact_vocab(&old.value, ctx) } else { old.value.clone() };
                obj.insert(old.kind.previous_key().into(), prev);
            }
        }
    }
    v
}
