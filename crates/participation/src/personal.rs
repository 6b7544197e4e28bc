//! A participant's part of the GDPR export and erasure. Proposals and
//! questions name their author by account; the foreign key's `ON DELETE SET
//! NULL` leaves them public and anonymous when the account goes. Survey
//! responses carry only a keyed marker of survey and account, so they can be
//! found for the export while the account exists, and stay as anonymous
//! answers after it is gone.

use crate::{service, store};
use identity::personal::{BoxFuture, Holder};
use kernel::Ctx;
use sea_orm::{DatabaseTransaction, DbErr};
use serde_json::json;

pub struct Participant;

impl Holder for Participant {
    fn section(&self) -> &'static str {
        "participation"
    }

    fn export<'a>(&'a self, ctx: &'a Ctx, account_id: &'a str) -> BoxFuture<'a, Result<serde_json::Value, DbErr>> {
        Box::pin(async move {
            let c = ctx.db.conn();
            let proposals: Vec<_> = store::proposals_of(c, account_id)
                .await?
                .into_iter()
                .map(|p| {
                    json!({"id": p.id, "kind": p.kind, "area": p.area, "title": p.title, "body": p.body, "place": p.place,
                        "status": p.status, "created_at": p.created_at.rfc3339()})
                })
                .collect();
            let questions: Vec<_> = store::questions_of(c, account_id)
                .await?
                .into_iter()
                .map(|q| json!({"id": q.id, "title": q.title, "body": q.body, "status": q.status, "answer": q.answer, "created_at": q.created_at.rfc3339()}))
                .collect();
            let mut responses = vec![];
            for s in store::surveys(c, i64::MAX).await? {
                if let Some((at, answers)) = store::response_of(c, &s.id, &service::respondent(ctx, &s.id, account_id)).await? {
                    responses.push(json!({"survey": s.id, "title": s.def.title, "answered_at": at.rfc3339(), "answers": answers}));
                }
            }
            Ok(json!({"proposals": proposals, "questions": questions, "survey_responses": responses}))
        })
    }

    /// Nothing to do here: see the module comment.
    fn erase<'a>(&'a self, _: &'a Ctx, _: &'a DatabaseTransaction, _: &'a str) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(async { Ok(()) })
    }
}
