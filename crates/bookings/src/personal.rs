//! A booker's part of the GDPR export and erasure: their bookings with the
//! legal person and note; on erasure the bookings still to come are
//! cancelled and the rest kept without anything that points to the person.

use crate::store;
use identity::personal::{BoxFuture, Holder};
use kernel::Ctx;
use sea_orm::{DatabaseTransaction, DbErr};
use serde_json::json;

pub struct Booker;

impl Holder for Booker {
    fn section(&self) -> &'static str {
        "bookings"
    }

    fn export<'a>(&'a self, ctx: &'a Ctx, account_id: &'a str) -> BoxFuture<'a, Result<serde_json::Value, DbErr>> {
        Box::pin(async move {
            let list = store::bookings_of(ctx.db.conn(), &ctx.keys, account_id).await?;
            let rows: Vec<_> = list
                .into_iter()
                .map(|b| {
                    json!({"id": b.id, "resource_id": b.resource_id, "start": b.start.rfc3339(), "end": b.end.rfc3339(), "status": b.status,
                        "price_cents": b.price_cents, "on_behalf_of": b.on_behalf_of, "note": b.note, "created_at": b.created_at.rfc3339()})
                })
                .collect();
            Ok(json!(rows))
        })
    }

    fn erase<'a>(&'a self, ctx: &'a Ctx, txn: &'a DatabaseTransaction, account_id: &'a str) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(async move { store::erase_account(txn, account_id, ctx.now()).await })
    }
}
