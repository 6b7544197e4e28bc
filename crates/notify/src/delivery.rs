//! The delivery worker: claims due deliveries, hands each to its channel,
//! and records the outcome. A claim expires, so a delivery a stopped process
//! had claimed is taken up again by the next worker: nothing is lost, and a
//! message may at worst go out twice, never not at all.

use crate::NotifyConfig;
use crate::channels::{Channels, Failure, Rendered};
use crate::model::Channel;
use crate::push::Vapid;
use crate::store::{self, Claimed, Notice};
use kernel::{Ctx, Lang};
use sea_orm::DbErr;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Everything the worker needs, built once per process.
#[derive(Clone)]
pub struct Hub {
    pub channels: Arc<Channels>,
}

impl Hub {
    pub async fn start(ctx: &Ctx) -> Result<Hub, String> {
        let config = NotifyConfig::from_table(&ctx.config.notify)?;
        let der = store::vapid_key(ctx.db.conn(), &ctx.keys, Vapid::generate, ctx.now()).await.map_err(|e| format!("VAPID key: {e}"))?;
        let vapid = Vapid::from_pkcs8(&der).ok_or("the stored VAPID key is not a P-256 key")?;
        Ok(Hub { channels: Arc::new(Channels::new(ctx.mailer.clone(), config, vapid)) })
    }

    pub fn config(&self) -> &NotifyConfig {
        &self.channels.config
    }
}

/// Runs for ever; any number of processes may run one.
pub async fn run(ctx: Ctx, hub: Hub) {
    loop {
        match run_once(&ctx, &hub).await {
            Ok(0) => tokio::time::sleep(Duration::from_millis(250)).await,
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, "notification delivery failed");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
}

/// Claim one batch and deliver it; returns how many deliveries it handled.
pub async fn run_once(ctx: &Ctx, hub: &Hub) -> Result<usize, DbErr> {
    let now = ctx.now();
    let batch = store::claim_due(ctx.db.conn(), &ctx.keys, now, (hub.config().claim_seconds * 1000) as i64, hub.config().batch).await?;
    if batch.is_empty() {
        return Ok(0);
    }
    let mut notices: HashMap<String, Arc<Notice>> = HashMap::new();
    for d in &batch {
        if !notices.contains_key(&d.notice_id)
            && let Some(n) = store::notice(ctx.db.conn(), &d.notice_id).await?
        {
            notices.insert(n.id.clone(), Arc::new(n));
        }
    }
    let limit = Arc::new(Semaphore::new(hub.config().concurrency));
    let mut tasks = tokio::task::JoinSet::new();
    for d in batch {
        let (ctx, hub, limit) = (ctx.clone(), hub.clone(), limit.clone());
        let notice = notices.get(&d.notice_id).cloned();
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let outcome = match notice {
                Some(n) => deliver(&ctx, &hub, &d, &n).await,
                None => Err(Failure::Permanent("the notice is gone".into())),
            };
            (d, outcome)
        });
    }
    let mut sent = vec![];
    let mut handled = 0;
    while let Some(joined) = tasks.join_next().await {
        let Ok((d, outcome)) = joined else { continue };
        handled += 1;
        let channel = d.channel.code();
        match outcome {
            Ok(()) => {
                metrics::counter!("obcina_notify_sent_total", "channel" => channel).increment(1);
                sent.push(d.id);
            }
            Err(f) => {
                let (error, retry) = match f {
                    Failure::Retry(e) if d.attempts < hub.config().max_attempts => (e, Some(ctx.now().plus(hub.config().retry_after(d.attempts)))),
                    Failure::Retry(e) | Failure::Permanent(e) => (e, None),
                };
                let outcome = if retry.is_some() { "retry" } else { "failed" };
                metrics::counter!("obcina_notify_failures_total", "channel" => channel, "outcome" => outcome).increment(1);
                tracing::warn!(delivery = %d.id, channel, attempts = d.attempts, outcome, "notification not delivered");
                store::mark_failed(ctx.db.conn(), &d.id, &error, retry).await?;
            }
        }
    }
    store::mark_sent(ctx.db.conn(), &sent, ctx.now()).await?;
    Ok(handled)
}

/// The message in the recipient's language, with an absolute link.
pub fn render(ctx: &Ctx, n: &Notice, lang: Lang, warning: bool) -> Rendered {
    let mut title = n.title.get(lang).to_string();
    if warning {
        title = format!("{} {title}", ctx.i18n.t(lang, "notify-warning-prefix"));
    }
    let link = n.url.as_ref().map(|u| format!("{}{u}", ctx.config.public_url().trim_end_matches('/')));
    Rendered { title, body: n.body.get(lang).to_string(), link, urgent: n.urgency == crate::model::Urgency::Urgent }
}

async fn deliver(ctx: &Ctx, hub: &Hub, d: &Claimed, n: &Notice) -> Result<(), Failure> {
    let lang = Lang::from_code(&d.lang).unwrap_or(Lang::Sl);
    let m = render(ctx, n, lang, d.warning);
    let db = |e: DbErr| Failure::Retry(format!("database: {e}"));
    match d.channel {
        Channel::App => Ok(()),
        Channel::Email => {
            let address = match &d.address {
                Some(a) => a.clone(),
                None => identity::store::account_by_id(ctx.db.conn(), &ctx.keys, &d.account_id)
                    .await
                    .map_err(db)?
                    .map(|a| a.email)
                    .ok_or(Failure::Permanent("the account is gone".into()))?,
            };
            let footer = if d.account_id.is_empty() {
                ctx.i18n.t(lang, "notify-mail-footer-visitor")
            } else {
                format!("{} {}/account/notifications", ctx.i18n.t(lang, "notify-mail-footer"), ctx.config.public_url().trim_end_matches('/'))
            };
            hub.channels.email(&address, &m, &footer).await
        }
        Channel::Sms => {
            let phone = store::settings(ctx.db.conn(), &ctx.keys, &d.account_id)
                .await
                .map_err(db)?
                .and_then(|s| s.settings.phone)
                .ok_or(Failure::Permanent("no phone number".into()))?;
            hub.channels.sms(&phone, &m).await
        }
        Channel::Push => {
            let subs = store::push_subscriptions(ctx.db.conn(), &ctx.keys, &d.account_id).await.map_err(db)?;
            if subs.is_empty() {
                return Err(Failure::Permanent("no browser subscribed".into()));
            }
            // Handed over when at least one of the person's browsers took it.
            let mut result = Err(Failure::Permanent("every browser unsubscribed".into()));
            for (id, s) in subs {
                match hub.channels.push(&s, &m, ctx.now().0 / 1000).await {
                    Ok(true) => result = Ok(()),
                    Ok(false) => store::remove_push(ctx.db.conn(), &id).await.map_err(db)?,
                    Err(f) if result.is_err() => result = Err(f),
                    Err(_) => {}
                }
            }
            result
        }
    }
}
