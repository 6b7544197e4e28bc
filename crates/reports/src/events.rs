//! The domain event reports emit: `event.reports.status_changed`, written to
//! the outbox in the same transaction as the change. The notifications hub
//! (`notify`) delivers it to the reporter; this crate sends nothing itself.
//! The payload is documented in docs/reports.md.

use crate::store::Report;
use kernel::Ctx;
use sea_orm::{ConnectionTrait, DbErr};
use serde_json::json;

pub const STATUS_CHANGED: &str = "event.reports.status_changed";

/// The title the reporter reads: category and the start of the description.
pub fn title(category_title: &str, description: &str) -> String {
    let first_line = description.lines().next().unwrap_or("");
    let mut short: String = first_line.chars().take(60).collect();
    if first_line.chars().count() > 60 {
        short.push('…');
    }
    format!("{category_title}: {short}")
}

/// The payload, exactly as documented. `answer`: the public answer given with the change.
pub fn payload(r: &Report, category_title: &str, email: Option<&str>, answer: Option<&str>) -> serde_json::Value {
    json!({
        "id": format!("{}:{}", r.id, r.seq),
        "report": r.id.to_string(),
        "status": r.status.code(),
        "reason": r.reason,
        "answer": answer,
        "title": title(category_title, &r.description),
        "url": format!("/reports/{}", r.id),
        "account": r.account_id,
        "email": if r.account_id.is_some() { None } else { email },
        "lang": r.reporter_lang,
    })
}

pub async fn status_changed<C: ConnectionTrait>(
    ctx: &Ctx,
    c: &C,
    r: &Report,
    category_title: &str,
    email: Option<&str>,
    answer: Option<&str>,
) -> Result<(), DbErr> {
    kernel::outbox::enqueue(c, &ctx.keys, ctx.now(), STATUS_CHANGED, &payload(r, category_title, email, answer)).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_short() {
        assert_eq!(title("Javna razsvetljava", "Ne sveti\nže tri dni"), "Javna razsvetljava: Ne sveti");
        let long = "a".repeat(100);
        assert_eq!(title("X", &long).chars().count(), 3 + 60 + 1);
    }
}
