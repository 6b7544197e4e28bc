//! Where datasets come from. Each capability that holds data implements
//! `Source` (or the binary implements it over the capability's public store
//! functions, to keep crate dependencies one way): it describes its datasets
//! and produces their rows on demand, so downloads are generated from current
//! data, never from stale copies. The binary lists the sources in
//! `app.rs::data_sources()`; a new capability adds itself there.

use crate::model::Dataset;
use kernel::{Ctx, Timestamp};
use sea_orm::DbErr;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One row: column name to value. Keys a dataset's columns do not declare
/// are never published.
pub type Row = serde_json::Map<String, serde_json::Value>;

pub trait Source: Send + Sync {
    /// The datasets this source holds, with their columns.
    fn datasets(&self, ctx: &Ctx) -> Vec<Dataset>;

    /// The current rows of one of its datasets (by name).
    fn rows<'a>(&'a self, ctx: &'a Ctx, name: &'a str) -> BoxFuture<'a, Result<Vec<Row>, DbErr>>;

    /// Up to `limit` rows after the cursor a previous page returned (`None`:
    /// from the start). Downloads read datasets this way, so a big one is
    /// streamed page by page in constant memory; a source with few rows
    /// keeps this default: all its rows in one page.
    fn page<'a>(&'a self, ctx: &'a Ctx, name: &'a str, after: Option<String>, limit: usize) -> BoxFuture<'a, Result<Page, DbErr>> {
        let _ = limit;
        Box::pin(async move {
            if after.is_some() {
                return Ok(Page::default());
            }
            Ok(Page { rows: self.rows(ctx, name).await?, next: None })
        })
    }

    /// The times of the oldest record and of the last change of a dataset's data, when known.
    fn span<'a>(&'a self, ctx: &'a Ctx, name: &'a str) -> BoxFuture<'a, Result<Span, DbErr>>;
}

/// One page of a dataset's rows, and the cursor of the next page (`None`: this was the last).
#[derive(Clone, Debug, Default)]
pub struct Page {
    pub rows: Vec<Row>,
    pub next: Option<String>,
}

/// When a dataset's data begins and when it last changed.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
}

/// Every source, handed to the handlers as an `Extension<Sources>`, with
/// the staff's records of the catalogue as last read (see `service::entries`).
#[derive(Clone, Default)]
pub struct Sources {
    list: Arc<Vec<Box<dyn Source>>>,
    pub(crate) staff: Arc<crate::service::StaffCache>,
}

impl Sources {
    pub fn new(list: Vec<Box<dyn Source>>) -> Sources {
        Sources { list: Arc::new(list), staff: Default::default() }
    }

    /// Every dataset of every source, with the source that holds it.
    pub fn datasets(&self, ctx: &Ctx) -> Vec<(usize, Dataset)> {
        self.list.iter().enumerate().flat_map(|(i, s)| s.datasets(ctx).into_iter().map(move |d| (i, d))).collect()
    }

    pub fn get(&self, i: usize) -> Option<&dyn Source> {
        self.list.get(i).map(|b| b.as_ref())
    }
}
