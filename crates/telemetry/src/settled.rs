//! An NGSI-LD source that brings the tables up to date first (`settle`), so
//! that the broker's reads of the sensor platform — queries, temporal
//! queries, periodic notifications — see every acknowledged reading, as the
//! platform's own routes do.

use crate::Telemetry;
use kernel::Ctx;
use ngsi::error::{NgsiError, NgsiResult};
use ngsi::http::Caller;
use ngsi::model::Entity;
use ngsi::source::{BoxFuture, EntitySource, SourceBucket, SourceQuery, SourceSeries, Window};

pub struct Settled<S> {
    inner: S,
    t: Telemetry,
}

impl<S> Settled<S> {
    pub fn new(inner: S, t: Telemetry) -> Settled<S> {
        Settled { inner, t }
    }

    async fn settle(&self, ctx: &Ctx) -> NgsiResult<()> {
        self.t.settle(ctx).await.map_err(|e| {
            tracing::error!(error = %e, "bringing telemetry tables up to date failed");
            NgsiError::internal()
        })
    }
}

impl<S: EntitySource> EntitySource for Settled<S> {
    /// Devices and assets only: nothing to settle.
    fn owns<'a>(&'a self, ctx: &'a Ctx, id: &'a str) -> BoxFuture<'a, NgsiResult<bool>> {
        self.inner.owns(ctx, id)
    }

    fn entities<'a>(&'a self, ctx: &'a Ctx, caller: &'a Caller, q: &'a SourceQuery) -> BoxFuture<'a, NgsiResult<Vec<Entity>>> {
        Box::pin(async move {
            self.settle(ctx).await?;
            self.inner.entities(ctx, caller, q).await
        })
    }

    fn series<'a>(
        &'a self,
        ctx: &'a Ctx,
        caller: &'a Caller,
        id: &'a str,
        attrs: &'a [String],
        from: i64,
        to: i64,
    ) -> BoxFuture<'a, NgsiResult<Vec<SourceSeries>>> {
        Box::pin(async move {
            self.settle(ctx).await?;
            self.inner.series(ctx, caller, id, attrs, from, to).await
        })
    }

    fn rollups<'a>(
        &'a self,
        ctx: &'a Ctx,
        caller: &'a Caller,
        id: &'a str,
        attr: &'a str,
        w: Window,
    ) -> BoxFuture<'a, NgsiResult<Option<Vec<SourceBucket>>>> {
        Box::pin(async move {
            self.settle(ctx).await?;
            self.inner.rollups(ctx, caller, id, attr, w).await
        })
    }

    fn rollup_periods(&self) -> &[i64] {
        self.inner.rollup_periods()
    }
}
