//! The shared application context every handler receives as axum state.

use crate::audit::{self, AuditEntry};
use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::Keyring;
use crate::db::Db;
use crate::i18n::I18n;
use crate::mail::{Mailer, OutgoingMail};
use crate::{Timestamp, outbox};
use sea_orm::{ConnectionTrait, DbErr};
use std::sync::Arc;

pub struct CtxInner {
    pub config: Config,
    pub db: Db,
    pub keys: Keyring,
    pub i18n: I18n,
    pub clock: Arc<dyn Clock>,
    pub mailer: Mailer,
}

#[derive(Clone)]
pub struct Ctx(pub Arc<CtxInner>);

impl std::ops::Deref for Ctx {
    type Target = CtxInner;
    fn deref(&self) -> &CtxInner {
        &self.0
    }
}

impl Ctx {
    pub fn new(inner: CtxInner) -> Ctx {
        Ctx(Arc::new(inner))
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Queue an e-mail in the caller's transaction; the outbox worker sends it.
    pub async fn queue_mail<C: ConnectionTrait>(&self, c: &C, mail: &OutgoingMail) -> Result<(), DbErr> {
        let payload = serde_json::to_value(mail).map_err(|e| DbErr::Custom(e.to_string()))?;
        outbox::enqueue(c, &self.keys, self.now(), "mail", &payload).await.map(|_| ())
    }

    /// Record an audited action in the caller's transaction.
    pub async fn audit<C: ConnectionTrait>(&self, c: &C, entry: AuditEntry<'_>) -> Result<(), DbErr> {
        audit::append(c, &self.keys, self.now(), &entry).await.map(|_| ())
    }
}
