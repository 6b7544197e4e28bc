//! Tiered retention: raw readings for each type's `raw_retention_days`
//! (30 by default; the 5-minute resolution is folded from them, so it
//! reaches as far back), hourly rollups for `hourly_rollup_days` (ten years
//! by default), daily rollups for ever. Rollups are folded from the new
//! readings of each commit, not from the raw table, so pruning raw data
//! loses no aggregate. Deletes run in small slices so live ingestion is not
//! held up.

use crate::Telemetry;
use kernel::Ctx;
use kernel::db::exec;
use sea_orm::DbErr;
use std::time::Duration;

const DAY_MS: i64 = 86_400_000;
const SLICE: i64 = 20_000;

/// Delete in slices until nothing older is left; returns rows removed.
async fn sliced(ctx: &Ctx, sql: &str, values: Vec<sea_orm::Value>) -> Result<u64, DbErr> {
    let mut total = 0;
    loop {
        let n = exec(ctx.db.conn(), sql, values.clone()).await?;
        total += n;
        if n < SLICE as u64 {
            return Ok(total);
        }
        tokio::task::yield_now().await;
    }
}

/// One pass over every type and tier.
pub async fn prune_once(ctx: &Ctx, t: &Telemetry) -> Result<u64, DbErr> {
    // Readings still in the journal are pruned too, once in their tables.
    t.settle(ctx).await?;
    let now = ctx.now().0;
    let mut removed = 0;
    for ty in t.registry.types() {
        let before = now - ty.raw_retention_days as i64 * DAY_MS;
        removed += sliced(
            ctx,
            "DELETE FROM telemetry_readings WHERE (series_id, ts) IN (SELECT r.series_id, r.ts FROM telemetry_readings r \
             JOIN telemetry_series s ON s.id = r.series_id JOIN telemetry_devices d ON d.id = s.device_id WHERE d.type = $1 AND r.ts < $2 LIMIT $3)",
            vec![ty.id.clone().into(), before.into(), SLICE.into()],
        )
        .await?;
    }
    let before = now - t.config.hourly_rollup_days as i64 * DAY_MS;
    removed += sliced(
        ctx,
        "DELETE FROM telemetry_rollups WHERE (series_id, period, bucket) IN \
         (SELECT series_id, period, bucket FROM telemetry_rollups WHERE period = 3600 AND bucket < $1 LIMIT $2)",
        vec![before.into(), SLICE.into()],
    )
    .await?;
    Ok(removed)
}

pub async fn run(ctx: Ctx, t: Telemetry) {
    let every = Duration::from_secs(t.config.retention_interval_seconds.max(1));
    loop {
        tokio::time::sleep(every).await;
        match prune_once(&ctx, &t).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(rows = n, "old telemetry pruned");
                metrics::counter!("telemetry_rows_pruned_total").increment(n);
            }
            Err(e) => tracing::error!(error = %e, "pruning telemetry failed"),
        }
    }
}
