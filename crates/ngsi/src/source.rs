//! Entities the broker serves from another capability's data (the sensor
//! platform's devices and assets, with their latest readings), in the
//! default tenant. Such entities are read-only here: their owner changes them.

use crate::error::NgsiResult;
use crate::http::Caller;
use crate::model::Entity;
use kernel::Ctx;
use std::future::Future;
use std::pin::Pin;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a query asks of a source; the broker applies every other filter itself.
#[derive(Clone, Debug, Default)]
pub struct SourceQuery {
    /// Entity types (expanded); `None` for all.
    pub types: Option<Vec<String>>,
    /// Entity ids; empty for all.
    pub ids: Vec<String>,
    /// Longitude/latitude box every match lies in.
    pub bbox: Option<[f64; 4]>,
}

/// One attribute's values over time, from a source's own time series.
#[derive(Clone, Debug)]
pub struct SourceSeries {
    /// The attribute (expanded name).
    pub attr: String,
    pub unit_code: Option<String>,
    /// (time in microseconds, value), oldest first.
    pub points: Vec<(i64, f64)>,
}

/// Which aggregates: the period (seconds) and the time range (microseconds).
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub period: i64,
    pub from: i64,
    pub to: i64,
}

/// Aggregated values per period, from stored rollups.
#[derive(Clone, Debug)]
pub struct SourceBucket {
    pub start: i64,
    pub end: i64,
    pub count: i64,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
}

pub trait EntitySource: Send + Sync {
    /// Whether this entity id is one of this source's.
    fn owns<'a>(&'a self, ctx: &'a Ctx, id: &'a str) -> BoxFuture<'a, NgsiResult<bool>>;

    /// The entities matching the query that this caller may see.
    fn entities<'a>(&'a self, ctx: &'a Ctx, caller: &'a Caller, q: &'a SourceQuery) -> BoxFuture<'a, NgsiResult<Vec<Entity>>>;

    /// Raw values of these attributes (all numeric ones when empty) between two times (microseconds).
    fn series<'a>(
        &'a self,
        ctx: &'a Ctx,
        caller: &'a Caller,
        id: &'a str,
        attrs: &'a [String],
        from: i64,
        to: i64,
    ) -> BoxFuture<'a, NgsiResult<Vec<SourceSeries>>>;

    /// Stored aggregates per `period` seconds (the broker picks a period the
    /// source declares in `rollup_periods`), or `None` when there are none.
    fn rollups<'a>(
        &'a self,
        ctx: &'a Ctx,
        caller: &'a Caller,
        id: &'a str,
        attr: &'a str,
        w: Window,
    ) -> BoxFuture<'a, NgsiResult<Option<Vec<SourceBucket>>>>;

    /// Periods (seconds) the source keeps aggregates for.
    fn rollup_periods(&self) -> &[i64] {
        &[]
    }
}
