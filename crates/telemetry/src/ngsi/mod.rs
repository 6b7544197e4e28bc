//! The sensor platform as an NGSI-LD data source: devices and assets are
//! entities named after Smart Data Models, their latest readings the
//! Properties, their series the temporal evolution (aggregations answered
//! from the stored rollups). The broker itself lives in the `ngsi` crate.

pub mod entity;

use crate::Telemetry;
use crate::share::Reader;
use crate::store::{self, DeviceFilter};
use kernel::Ctx;
use ngsi::context::RequestContext;
use ngsi::error::{NgsiError, NgsiResult};
use ngsi::http::Caller;
use ngsi::model::Entity;
use ngsi::source::{BoxFuture, EntitySource, SourceBucket, SourceQuery, SourceSeries, Window};
use std::collections::HashMap;

/// Periods (seconds) of the stored rollups the broker may answer aggregations from.
const ROLLUP_PERIODS: &[i64] = &[3600, 86400];

pub struct Source {
    t: Telemetry,
}

impl Source {
    pub fn new(t: Telemetry) -> Source {
        Source { t }
    }

    async fn reader(&self, ctx: &Ctx, caller: &Caller) -> NgsiResult<Reader> {
        Reader::of(ctx, &caller.actor, &caller.headers).await.map_err(|e| match e.status.as_u16() {
            401 => NgsiError::new(ngsi::error::ErrorKind::Unauthorized, "the share token is not valid"),
            _ => NgsiError::internal(),
        })
    }

    /// Types a reader sees: staff all, a partner its share, anyone else the non-personal ones.
    fn visible(&self, reader: &Reader) -> Option<Vec<String>> {
        reader.types(|| self.t.registry.types().filter(|t| !t.personal).map(|t| t.id.clone()).collect())
    }

    /// The device key behind an entity id, if the device exists and this reader may see it.
    async fn device(&self, ctx: &Ctx, caller: &Caller, id: &str) -> NgsiResult<Option<store::Device>> {
        let Some((ty, key)) = entity::split_id(id) else { return Ok(None) };
        let Some(d) = store::device_by_key(ctx.db.conn(), key).await? else { return Ok(None) };
        if d.device_type != ty {
            return Ok(None);
        }
        let reader = self.reader(ctx, caller).await?;
        if self.visible(&reader).is_some_and(|v| !v.contains(&d.device_type)) {
            return Ok(None);
        }
        Ok(Some(d))
    }
}

/// A short type or attribute name from its IRI (names of the default vocabulary).
fn short(iri: &str) -> String {
    RequestContext::core().compact(iri)
}

impl EntitySource for Source {
    fn owns<'a>(&'a self, ctx: &'a Ctx, id: &'a str) -> BoxFuture<'a, NgsiResult<bool>> {
        Box::pin(async move {
            let Some((ty, key)) = entity::split_id(id) else { return Ok(false) };
            let c = ctx.db.conn();
            if self.t.registry.device_type(ty).is_some() && store::device_by_key(c, key).await?.is_some_and(|d| d.device_type == ty) {
                return Ok(true);
            }
            Ok(store::asset_by_key(c, key).await?.is_some_and(|a| entity::asset_type(&a.kind) == ty))
        })
    }

    fn entities<'a>(&'a self, ctx: &'a Ctx, caller: &'a Caller, q: &'a SourceQuery) -> BoxFuture<'a, NgsiResult<Vec<Entity>>> {
        Box::pin(async move {
            let reader = self.reader(ctx, caller).await?;
            let types: Option<Vec<String>> = q.types.as_ref().map(|ts| ts.iter().map(|t| short(t)).collect());
            load(ctx, &self.t, &reader, types.as_deref().unwrap_or(&[]), &q.ids, q.bbox).await
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
            let Some(d) = self.device(ctx, caller, id).await? else { return Ok(vec![]) };
            let Some(ty) = self.t.registry.device_type(&d.device_type) else { return Ok(vec![]) };
            let c = ctx.db.conn();
            let mut out = vec![];
            for q in &ty.quantities {
                let iri = RequestContext::core().expand(&q.name);
                if !attrs.is_empty() && !attrs.contains(&iri) {
                    continue;
                }
                let Some((sid, unit)) = store::series_id(c, &d.key, &q.name).await? else { continue };
                let points = store::raw_points(c, sid, from.div_euclid(1000), to.saturating_add(999) / 1000, 100_000).await?;
                out.push(SourceSeries { attr: iri, unit_code: Some(unit), points: points.iter().map(|p| (p.ts * 1000, p.last)).collect() });
            }
            Ok(out)
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
        let Window { period, from, to } = w;
        Box::pin(async move {
            if !ROLLUP_PERIODS.contains(&period) {
                return Ok(None);
            }
            let Some(d) = self.device(ctx, caller, id).await? else { return Ok(None) };
            self.t.flush_rollups(ctx).await.map_err(|_| NgsiError::internal())?;
            let c = ctx.db.conn();
            let Some((sid, _)) = store::series_id(c, &d.key, &short(attr)).await? else { return Ok(None) };
            // Buckets that start inside the range (the range is aligned to the period by the client).
            let points = store::rollup_points(c, sid, period, from.div_euclid(1000), to.saturating_add(999) / 1000, 1_000_000).await?;
            Ok(Some(
                points
                    .iter()
                    .map(|p| SourceBucket {
                        start: p.ts * 1000,
                        end: (p.ts + period * 1000) * 1000,
                        count: p.count,
                        sum: p.sum,
                        min: p.min,
                        max: p.max,
                    })
                    .collect(),
            ))
        })
    }

    fn rollup_periods(&self) -> &[i64] {
        ROLLUP_PERIODS
    }
}

/// Every entity the query can match, built from the registry and latest values.
async fn load(ctx: &Ctx, t: &Telemetry, reader: &Reader, types: &[String], ids: &[String], bbox: Option<[f64; 4]>) -> NgsiResult<Vec<Entity>> {
    let c = ctx.db.conn();
    let mut device_types: Vec<String> = t.registry.types().map(|t| t.id.clone()).collect();
    if let Some(visible) = reader.types(|| t.registry.types().filter(|t| !t.personal).map(|t| t.id.clone()).collect()) {
        device_types.retain(|d| visible.contains(d));
    }
    if !types.is_empty() {
        device_types.retain(|d| types.contains(d));
    }
    let keys: Vec<String> = ids.iter().filter_map(|id| entity::split_id(id)).map(|(_, k)| k.to_string()).collect();
    if !ids.is_empty() && keys.is_empty() {
        return Ok(vec![]);
    }
    let mut out = vec![];
    if !device_types.is_empty() {
        let f = DeviceFilter { types_in: device_types, keys: keys.clone(), bbox, limit: 1_000_000, ..Default::default() };
        let devices = store::list_devices(c, &f).await?;
        let latest = store::latest(c, &f, None).await?;
        let latest = entity::by_device(&latest);
        let links = store::links(c, &f).await?;
        let mut by_dev: HashMap<&str, Vec<(String, String)>> = HashMap::new();
        for (d, a, kind) in &links {
            by_dev.entry(d.as_str()).or_default().push((kind.clone(), a.clone()));
        }
        for d in &devices {
            let l = latest.get(d.key.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            let a = by_dev.get(d.key.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            out.push(entity::device_entity(d, l, a));
        }
    }
    // Assets unless only device types were asked for.
    if types.is_empty() || types.iter().any(|ty| t.registry.device_type(ty).is_none()) {
        // Asked for by id: only those assets; otherwise all of them (few next to devices).
        let assets = if keys.is_empty() {
            store::list_assets(c, None, None, 1_000_000).await?
        } else {
            let mut found = vec![];
            for k in &keys {
                found.extend(store::asset_by_key(c, k).await?);
            }
            found
        };
        for a in assets {
            let ty = entity::asset_type(&a.kind);
            if (!types.is_empty() && !types.contains(&ty)) || (!keys.is_empty() && !keys.contains(&a.key)) {
                continue;
            }
            if let (Some([x0, y0, x1, y1]), Some(x), Some(y)) = (bbox, a.lon, a.lat)
                && !(x0 <= x && x <= x1 && y0 <= y && y <= y1)
            {
                continue;
            }
            out.push(entity::asset_entity(&a));
        }
    }
    if !ids.is_empty() {
        out.retain(|e| ids.contains(&e.id));
    }
    Ok(out)
}
