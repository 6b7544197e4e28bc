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
    /// `type=*`: every type.
    pub all_types: bool,
    /// Attributes (expanded) whose compared terms q expands as vocabulary (`expandValues`).
    pub expand_values: Vec<String>,
}

impl Selection {
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.id_pattern.is_none() && !self.narrows()
    }

    /// A query needs at least one of type, attrs, q, a geo-query or scopeQ (clause 5.7.2);
    /// ids alone are not enough. `type=*` counts.
    pub fn narrows(&self) -> bool {
        self.types.is_some() || self.all_types || self.attrs.is_some() || self.q.is_some() || self.geo.is_some() || self.scope_q.is_some()
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
            s.id_pattern = Some(id_pattern(pat)?);
        }
        match p.types.as_deref() {
            Some("*") if p.local_given == Some(false) => return Err(NgsiError::bad_data("type=* cannot go with local=false")),
            Some("*") => s.all_types = true,
            Some(t) => s.types = Some(TypeSelection::parse(t, &|n| ctx.expand(n)).map_err(NgsiError::bad_data)?),
            None => {}
        }
        if let Some(a) = &p.attrs {
            if let Some(member) = a.iter().find(|n| matches!(n.as_str(), "id" | "type" | "scope")) {
                return Err(NgsiError::bad_data(format!("{member} is an entity member, not an attribute")));
            }
            s.attrs = Some(a.iter().map(|n| crate::parse::attribute_name(n, ctx)).collect::<NgsiResult<_>>()?);
        }
        if let Some(csf) = &p.csf {
            query::parse(csf, &|n| ctx.expand(n)).map_err(|e| NgsiError::bad_data(format!("csf: {e}")))?;
        }
        if let Some(q) = &p.q {
            let parsed = query::parse(q, &|n| ctx.expand(n)).map_err(|e| NgsiError::bad_data(format!("q: {e}")))?;
            // A q over system members alone chooses nothing in particular (clause 5.7.2.4).
            let mut names = vec![];
            query::attributes(&parsed, &mut names);
            let system = ["createdAt", "modifiedAt", "deletedAt", "observedAt"].map(|m| ctx.expand(m));
            if p.types.is_none() && p.attrs.is_none() && p.georel.is_none() && names.iter().all(|n| system.contains(n)) {
                return Err(NgsiError::bad_data("a q over system members alone is too wide: add a type or attrs"));
            }
            s.q = Some(parsed);
            s.expand_values = p.expand_values.iter().map(|n| ctx.expand(n)).collect();
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
        if self.q.as_ref().is_some_and(|q| !query::eval(q, e, &|s| ctx.expand(s), &self.expand_values)) {
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

/// An `idPattern`, refused when it is not a regular expression (doubled
/// quantifiers included, which the regex engine would take as possessive).
pub fn id_pattern(p: &str) -> NgsiResult<regex_lite::Regex> {
    let doubled = ["**", "++", "*+", "+*", "?*", "*?*", "+?+"].iter().any(|d| p.contains(d));
    if doubled {
        return Err(NgsiError::bad_data(format!("idPattern {p:?} is not a regular expression")));
    }
    regex_lite::Regex::new(p).map_err(|e| NgsiError::bad_data(format!("idPattern: {e}")))
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
