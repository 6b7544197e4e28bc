//! A resident's part of the GDPR export and erasure. Project ideas name who
//! submitted them; the foreign key's `ON DELETE SET NULL` keeps them,
//! anonymous, when the account goes (they are on the public ballot). Who
//! voted is a keyed marker per cycle and ballots name no one, so the export
//! can say in which cycles the person voted but not how: that cannot be
//! known, by design. The markers stay after erasure so that the identity
//! (its EMŠO marker) still cannot vote twice in the cycle.

use crate::{service, store};
use identity::personal::{BoxFuture, Holder};
use kernel::Ctx;
use sea_orm::{DatabaseTransaction, DbErr};
use serde_json::json;

pub struct Resident;

impl Holder for Resident {
    fn section(&self) -> &'static str {
        "participatory_budget"
    }

    fn export<'a>(&'a self, ctx: &'a Ctx, account_id: &'a str) -> BoxFuture<'a, Result<serde_json::Value, DbErr>> {
        Box::pin(async move {
            let c = ctx.db.conn();
            let mut ideas = vec![];
            let mut voted = vec![];
            for cycle in store::cycles(c).await? {
                for p in store::projects(c, &cycle.id).await?.into_iter().filter(|p| p.submitted_by.as_deref() == Some(account_id)) {
                    ideas.push(json!({"cycle": cycle.title, "number": p.number, "title": p.title, "description": p.description,
                        "location": p.location, "estimated_cents": p.estimated_cents, "submitted_at": p.submitted_at.rfc3339()}));
                }
                if store::has_voted(c, &cycle.id, &service::account_marker(ctx, &cycle.id, account_id)).await? {
                    voted.push(json!({"cycle": cycle.title, "year": cycle.year}));
                }
            }
            Ok(json!({"project_ideas": ideas, "voted_in": voted}))
        })
    }

    /// Nothing to do here: see the module comment.
    fn erase<'a>(&'a self, _: &'a Ctx, _: &'a DatabaseTransaction, _: &'a str) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(async { Ok(()) })
    }
}
