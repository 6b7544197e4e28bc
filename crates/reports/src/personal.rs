//! A reporter's part of the GDPR export and erasure. Erasure keeps the
//! report (the fault is public and may still be open) and removes who sent
//! it: the account link and the sealed contact. The blind index becomes one
//! fresh value for all the person's reports, so the KPI's count of distinct
//! reporters stays right while no key can lead back to them.

use crate::store;
use identity::personal::{BoxFuture, Holder};
use kernel::Ctx;
use kernel::db::exec;
use sea_orm::{DatabaseTransaction, DbErr};
use serde_json::json;

pub struct Reporter;

impl Holder for Reporter {
    fn section(&self) -> &'static str {
        "reports"
    }

    fn export<'a>(&'a self, ctx: &'a Ctx, account_id: &'a str) -> BoxFuture<'a, Result<serde_json::Value, DbErr>> {
        Box::pin(async move {
            let c = ctx.db.conn();
            let f = store::Filter { account_id: Some(account_id.to_string()), limit: i64::MAX, ..Default::default() };
            let mut out = vec![];
            for r in store::list(c, &f).await? {
                let contact = store::contact(c, &ctx.keys, r.id).await?;
                out.push(json!({
                    "id": r.id,
                    "category": r.category,
                    "status": r.status.code(),
                    "description": r.description,
                    "address": r.address,
                    "lat": r.lat,
                    "lon": r.lon,
                    "created_at": kernel::Timestamp(r.created_at).rfc3339(),
                    "contact": {"email": contact.email, "name": contact.name, "phone": contact.phone},
                }));
            }
            Ok(json!(out))
        })
    }

    fn erase<'a>(&'a self, ctx: &'a Ctx, txn: &'a DatabaseTransaction, account_id: &'a str) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(async move {
            let erased = ctx.keys.blind_index("reports.reporter", &format!("erased:{}", uuid::Uuid::new_v4()));
            exec(
                txn,
                "UPDATE reports SET account_id = NULL, reporter_email_enc = NULL, reporter_name_enc = NULL, reporter_phone_enc = NULL, \
                 reporter_index = $1 WHERE account_id = $2",
                [erased.into(), account_id.into()],
            )
            .await
            .map(|_| ())
        })
    }
}
