//! A person's part of the GDPR export and erasure in the notifications hub.
//! Settings (with the sealed phone, area and last location), the inbox and
//! push subscriptions go with the account by the foreign keys' `ON DELETE
//! CASCADE`; the delivery log names the account without a key (a visitor's
//! deliveries have none), so its rows are deleted here, pending ones too.

use crate::store;
use identity::personal::{BoxFuture, Holder};
use kernel::Ctx;
use kernel::db::{exec, query_all};
use sea_orm::{DatabaseTransaction, DbErr};
use serde_json::json;

pub struct Recipient;

impl Holder for Recipient {
    fn section(&self) -> &'static str {
        "notifications"
    }

    fn export<'a>(&'a self, ctx: &'a Ctx, account_id: &'a str) -> BoxFuture<'a, Result<serde_json::Value, DbErr>> {
        Box::pin(async move {
            let c = ctx.db.conn();
            let stored = store::settings(c, &ctx.keys, account_id).await?;
            let location = stored.as_ref().and_then(|s| s.location).map(|(l, at)| json!({"lat": l.lat, "lon": l.lon, "shared_at": at.rfc3339()}));
            let inbox: Vec<_> = store::inbox(c, account_id, i64::MAX)
                .await?
                .into_iter()
                .map(|m| {
                    json!({"title": m.notice.title, "body": m.notice.body, "topic": m.notice.topic, "warning": m.warning,
                    "received_at": m.created_at.rfc3339(), "read": m.read})
                })
                .collect();
            let push = query_all(c, "SELECT created_at FROM notify_push_subscriptions WHERE account_id = $1", [account_id.into()]).await?.len();
            let deliveries = query_all(
                c,
                "SELECT channel, status, COUNT(*) AS n FROM notify_deliveries WHERE account_id = $1 GROUP BY channel, status ORDER BY channel, status",
                [account_id.into()],
            )
            .await?
            .iter()
            .map(|r| Ok(json!({"channel": kernel::db::col::<String>(r, "channel")?, "status": kernel::db::col::<String>(r, "status")?, "count": kernel::db::col::<i64>(r, "n")?})))
            .collect::<Result<Vec<_>, DbErr>>()?;
            Ok(json!({
                "settings": stored.map(|s| s.settings),
                "last_location": location,
                "inbox": inbox,
                "push_subscriptions": push,
                "deliveries": deliveries,
            }))
        })
    }

    fn erase<'a>(&'a self, _: &'a Ctx, txn: &'a DatabaseTransaction, account_id: &'a str) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(async move { exec(txn, "DELETE FROM notify_deliveries WHERE account_id = $1", [account_id.into()]).await.map(|_| ()) })
    }
}
