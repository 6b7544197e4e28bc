//! Choosing entities (clause 5.7.2): by id, id pattern, type selection,
//! attributes, the query language, a geo-query and scopes, over the broker's
//! own entities and those of the data sources. Used by queries, batch
//! queries, temporal queries and subscriptions alike.

use crate::Broker;
use crate::context::RequestContext;
use crate::error::{NgsiError, NgsiResult};
use crate::geo::GeoQuery;
use crate::http::Caller;
use crate::model::{Entity, Kind};
use crate::params::Params;
use crate::query::{self, Expr, TypeSelection};
use crate::source::SourceQuery;
use crate::store;
use kernel::Ctx;

#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub ids: Vec<String>,
    pub id_pattern: Option<regex_lite::Regex>,
    pub types: Option<TypeSelection>,
    /// Entities having at least one of these attributes (expanded).
    pub attrs: Option<Vec<String>>,
    pub q: Option<Expr>,
    /// The geo-query and the GeoProperty (expanded) it applies to.
    pub geo: Option<(GeoQuery, String)>,
    pub scope_q: Option<String>,
}

impl Selection {
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
            && self.id_pattern.is_none()
            && self.types.is_none()
            && self.attrs.is_none()
            && self.q.is_none()
            && self.geo.is_none()
            && self.scope_q.is_none()
    }

    /// From the query parameters of GET /entities (and the temporal and purge variants).
    pub fn from_params(p: &Params, ctx: &RequestContext) -> NgsiResult<Selection> {
        let mut s = Selection::default();
        for id in &p.id {
            if !crate::model::is_uri(id) {
                return Err(NgsiError::bad_data(format!("{id} is not a URI")));
            }
            s.ids.push(id.clone());
        }
        if let Some(pat) = &p.id_pattern {
            s.id_pattern = Some(regex_lite::Regex::new(pat).map_err(|e| NgsiError::bad_data(format!("idPattern: {e}")))?);
        }
        if let Some(t) = &p.types {
            s.types = Some(TypeSelection::parse(t, &|n| ctx.expand(n)).map_err(NgsiError::bad_data)?);
        }
        if let Some(a) = &p.attrs {
            s.attrs = Some(a.iter().map(|n| ctx.expand(n)).collect());
        }
        if let Some(q) = &p.q {
            s.q = Some(query::parse(q, &|n| ctx.expand(n)).map_err(|e| NgsiError::bad_data(format!("q: {e}")))?);
        }
        s.geo = geo_from(
            p.georel.as_deref(),
            p.geometry.as_deref(),
            p.coordinates.as_ref().map(|c| serde_json::Value::String(c.clone())),
            p.geoproperty.as_deref(),
            ctx,
        )?;
        if let Some(sq) = &p.scope_q {
            query::check_scope_query(sq).map_err(NgsiError::bad_data)?;
            s.scope_q = Some(sq.clone());
        }
        Ok(s)
    }

    /// Whether an entity is chosen.
    pub fn matches(&self, e: &Entity, ctx: &RequestContext) -> bool {
        if !self.ids.is_empty() && !self.ids.contains(&e.id) {
            return false;
        }
        if self.id_pattern.as_ref().is_some_and(|p| !p.is_match(&e.id)) {
            return false;
        }
        if self.types.as_ref().is_some_and(|t| !t.matches(&e.types)) {
            return false;
        }
        if self.attrs.as_ref().is_some_and(|a| !a.iter().any(|n| e.attrs.contains_key(n))) {
            return false;
        }
        if self.q.as_ref().is_some_and(|q| !query::eval(q, e, &|s| ctx.expand(s))) {
            return false;
        }
        if let Some((g, prop)) = &self.geo {
            let located = e.attrs.get(prop).is_some_and(|list| {
                list.iter()
                    .filter(|a| a.kind == Kind::GeoProperty)
                    .any(|a| crate::geo::parse_geometry(&a.value).is_ok_and(|geom| crate::geo::matches(g, &geom)))
            });
            if !located {
                return false;
            }
        }
        if self.scope_q.as_ref().is_some_and(|q| !query::scope_matches(q, &e.scopes)) {
            return false;
        }
        true
    }
}

/// A geo-query from its parts (all or none of them).
pub fn geo_from(
    georel: Option<&str>,
    geometry: Option<&str>,
    coordinates: Option<serde_json::Value>,
    geoproperty: Option<&str>,
    ctx: &RequestContext,
) -> NgsiResult<Option<(GeoQuery, String)>> {
    match (georel, geometry, coordinates) {
        (None, None, None) => Ok(None),
        (Some(r), Some(g), Some(c)) => {
            let q = crate::geo::parse_query(r, g, &c).map_err(|e| NgsiError::bad_data(format!("geo-query: {e}")))?;
            let prop = ctx.expand(geoproperty.unwrap_or("location"));
            Ok(Some((q, prop)))
        }
        _ => Err(NgsiError::bad_data("a geo-query needs georel, geometry and coordinates")),
    }
}

/// Every chosen entity, sorted by id: the broker's own and, in the default tenant, the sources'.
pub async fn select(ctx: &Ctx, b: &Broker, caller: &Caller, tenant: &str, s: &Selection, rctx: &RequestContext) -> NgsiResult<Vec<Entity>> {
    let c = ctx.db.conn();
    let own = if !s.ids.is_empty() {
        store::entities_by_ids(c, tenant, &s.ids).await?
    } else {
        let types = s.types.as_ref().map(TypeSelection::names).unwrap_or_default();
        store::entities_by_types(c, tenant, &types).await?
    };
    let mut out: Vec<Entity> = own.into_iter().filter(|e| s.matches(e, rctx)).collect();
    if tenant == store::DEFAULT_TENANT && !b.sources.is_empty() {
        let sq = SourceQuery {
            types: s.types.as_ref().map(TypeSelection::names),
            ids: s.ids.clone(),
            bbox: s.geo.as_ref().and_then(|(g, _)| crate::geo::bbox(g)),
        };
        for src in &b.sources {
            out.extend(src.entities(ctx, caller, &sq).await?.into_iter().filter(|e| s.matches(e, rctx)));
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out.dedup_by(|a, b| a.id == b.id);
    }
    Ok(out)
}

/// One entity by id, from the broker or the source that owns it.
pub async fn one(ctx: &Ctx, b: &Broker, caller: &Caller, tenant: &str, id: &str) -> NgsiResult<Option<Entity>> {
    if let Some(src) = b.source_of(ctx, tenant, id).await? {
        let q = SourceQuery { ids: vec![id.to_string()], ..SourceQuery::default() };
        return Ok(src.entities(ctx, caller, &q).await?.into_iter().find(|e| e.id == id));
    }
    Ok(store::get_entity(ctx.db.conn(), tenant, id).await?)
}
