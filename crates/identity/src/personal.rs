//! Personal data other capabilities hold about an account, for the GDPR
//! export (Art. 15 and 20) and erasure (Art. 17). Identity cannot know the
//! tables of the services built on it, so each service that keeps something
//! about a person implements `Holder`, and the app hands the list to the
//! identity routes as an `Extension<Holders>`.

use kernel::Ctx;
use sea_orm::{DatabaseTransaction, DbErr};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait Holder: Send + Sync {
    /// The key of this holder's section in the export, e.g. `reports`.
    fn section(&self) -> &'static str;

    /// Everything held about the account, readable by the person.
    fn export<'a>(&'a self, ctx: &'a Ctx, account_id: &'a str) -> BoxFuture<'a, Result<serde_json::Value, DbErr>>;

    /// Delete it, or cut its link to the person, inside the erasure's
    /// transaction (before the account row goes).
    fn erase<'a>(&'a self, ctx: &'a Ctx, txn: &'a DatabaseTransaction, account_id: &'a str) -> BoxFuture<'a, Result<(), DbErr>>;
}

/// Every service's holder, in the order their sections appear in the export.
#[derive(Clone, Default)]
pub struct Holders(pub Arc<Vec<Box<dyn Holder>>>);

impl Holders {
    pub fn new(list: Vec<Box<dyn Holder>>) -> Holders {
        Holders(Arc::new(list))
    }

    pub async fn export(&self, ctx: &Ctx, account_id: &str) -> Result<serde_json::Map<String, serde_json::Value>, DbErr> {
        let mut out = serde_json::Map::new();
        for h in self.0.iter() {
            out.insert(h.section().to_string(), h.export(ctx, account_id).await?);
        }
        Ok(out)
    }

    pub async fn erase(&self, ctx: &Ctx, txn: &DatabaseTransaction, account_id: &str) -> Result<(), DbErr> {
        for h in self.0.iter() {
            h.erase(ctx, txn, account_id).await?;
        }
        Ok(())
    }
}
