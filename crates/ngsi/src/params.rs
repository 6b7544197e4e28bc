//! The query parameters of NGSI-LD requests (clause 6.3), parsed once and
//! checked, with helpers for paging and for the representation asked for.

use crate::context::RequestContext;
use crate::error::{ErrorKind, NgsiError, NgsiResult};
use crate::http::Req;
use crate::projection::Projection;
use crate::render::{Form, Join, View};

const OPTIONS: &[&str] = &[
    "keyValues",
    "simplified",
    "concise",
    "normalized",
    "sysAttrs",
    "noOverwrite",
    "replace",
    "update",
    "temporalValues",
    "aggregatedValues",
    "audit",
];
const DEFAULT_LIMIT: usize = 20;

#[derive(Debug, Default, Clone)]
pub struct Params {
    pub id: Vec<String>,
    pub types: Option<String>,
    pub id_pattern: Option<String>,
    pub attrs: Option<Vec<String>>,
    pub pick: Option<String>,
    pub omit: Option<String>,
    pub q: Option<String>,
    /// Attributes whose vocabulary terms in q are expanded (clause 4.9).
    pub expand_values: Vec<String>,
    pub csf: Option<String>,
    pub georel: Option<String>,
    pub geometry: Option<String>,
    pub coordinates: Option<String>,
    pub geoproperty: Option<String>,
    pub geometry_property: Option<String>,
    pub lang: Option<String>,
    pub scope_q: Option<String>,
    pub options: Vec<String>,
    pub format: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
    pub count: bool,
    pub local: bool,
    /// `local` as given (`type=*` refuses an explicit `false`).
    pub local_given: Option<bool>,
    pub order_by: Option<String>,
    pub collation: Option<String>,
    /// orderFrom (GET) or coordinates/geometry (POST): the reference of distance ordering.
    pub order_from: Option<serde_json::Value>,
    pub order_geometry: Option<String>,
    pub dataset_id: Option<Vec<String>>,
    pub delete_all: bool,
    pub details: bool,
    pub timerel: Option<String>,
    pub time_at: Option<String>,
    pub end_time_at: Option<String>,
    pub timeproperty: Option<String>,
    pub last_n: Option<String>,
    pub aggr_methods: Option<Vec<String>>,
    pub aggr_period: Option<String>,
    pub join: Option<String>,
    pub join_level: Option<String>,
}

fn list(v: &str) -> Vec<String> {
    v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn flag(k: &str, v: &str) -> NgsiResult<bool> {
    match v {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(NgsiError::invalid(format!("{k} is true or false"))),
    }
}

impl Params {
    pub fn parse(req: &Req) -> NgsiResult<Params> {
        let mut p = Params::default();
        for (k, v) in req.params()? {
            match k.as_str() {
                "id" => p.id.extend(list(&v)),
                "type" => p.types = Some(v),
                "idPattern" => p.id_pattern = Some(v),
                "attrs" => p.attrs = Some(list(&v)),
                "pick" => p.pick = Some(v),
                "omit" => p.omit = Some(v),
                "q" => p.q = Some(v),
                "expandValues" => p.expand_values = list(&v),
                "csf" => p.csf = Some(v),
                "georel" => p.georel = Some(v),
                "geometry" => p.geometry = Some(v),
                "coordinates" => p.coordinates = Some(v),
                "geoproperty" => p.geoproperty = Some(v),
                "geometryProperty" => p.geometry_property = Some(v),
                "lang" => p.lang = Some(v),
                "scopeQ" => p.scope_q = Some(v),
                "options" => {
                    for o in list(&v) {
                        if !OPTIONS.contains(&o.as_str()) {
                            return Err(NgsiError::invalid(format!("unknown option {o:?}")));
                        }
                        p.options.push(o);
                    }
                }
                "format" => p.format = Some(v),
                "limit" => p.limit = Some(v),
                "offset" => p.offset = Some(v),
                "count" => p.count = flag(&k, &v)?,
                "local" => {
                    p.local = flag(&k, &v)?;
                    p.local_given = Some(p.local);
                }
                "orderBy" => p.order_by = Some(v),
                "collation" => p.collation = Some(v),
                "orderFrom" => p.order_from = Some(serde_json::Value::String(v)),
                "datasetId" => p.dataset_id = Some(list(&v)),
                "deleteAll" => p.delete_all = flag(&k, &v)?,
                "details" => p.details = flag(&k, &v)?,
                "timerel" => p.timerel = Some(v),
                "timeAt" => p.time_at = Some(v),
                "endTimeAt" => p.end_time_at = Some(v),
                "timeproperty" => p.timeproperty = Some(v),
                "lastN" => p.last_n = Some(v),
                "aggrMethods" => p.aggr_methods = Some(list(&v)),
                "aggrPeriodDuration" => p.aggr_period = Some(v),
                "join" => p.join = Some(v),
                "joinLevel" => p.join_level = Some(v),
                _ => {}
            }
        }
        if let Some(f) = &p.format
            && !["keyValues", "simplified", "concise", "normalized", "temporalValues", "aggregatedValues"].contains(&f.as_str())
        {
            return Err(NgsiError::invalid(format!("unknown format {f:?}")));
        }
        Ok(p)
    }

    pub fn has_option(&self, o: &str) -> bool {
        self.options.iter().any(|x| x == o)
    }

    pub fn sys_attrs(&self) -> bool {
        self.has_option("sysAttrs")
    }

    /// The representation asked for: `format` first, then `options`.
    pub fn form(&self) -> Form {
        let pick = |s: &str| match s {
            "keyValues" | "simplified" => Some(Form::Simplified),
            "concise" => Some(Form::Concise),
            "normalized" => Some(Form::Normalized),
            _ => None,
        };
        if let Some(f) = self.format.as_deref().and_then(pick) {
            return f;
        }
        self.options.iter().find_map(|o| pick(o)).unwrap_or(Form::Normalized)
    }

    /// `limit` and `offset`, checked: a limit above the maximum is TooManyResults.
    pub fn page(&self, max: usize) -> NgsiResult<(usize, usize)> {
        let number = |k: &str, v: &Option<String>| -> NgsiResult<Option<i64>> {
            v.as_deref().map(|s| s.parse::<i64>().map_err(|_| NgsiError::bad_data(format!("{k} is a whole number")))).transpose()
        };
        let limit = number("limit", &self.limit)?;
        let offset = number("offset", &self.offset)?;
        let limit = match limit {
            None => DEFAULT_LIMIT.min(max),
            Some(l) if l < 0 => return Err(NgsiError::bad_data("limit is not negative")),
            Some(0) if !self.count => return Err(NgsiError::bad_data("limit=0 goes only with count=true")),
            Some(l) if l as usize > max => return Err(NgsiError::new(ErrorKind::TooManyResults, format!("limit is at most {max}"))),
            Some(l) => l as usize,
        };
        let offset = match offset {
            None => 0,
            Some(o) if o < 0 => return Err(NgsiError::bad_data("offset is not negative")),
            Some(o) => o as usize,
        };
        Ok((limit, offset))
    }

    /// The ordering asked for (clause 4.23), checked.
    pub fn ordering(&self, ctx: &RequestContext) -> NgsiResult<Option<crate::query::Ordering>> {
        let Some(o) = &self.order_by else {
            if self.collation.is_some() {
                return Err(NgsiError::bad_data("collation goes with orderBy"));
            }
            return Ok(None);
        };
        let keys = crate::query::parse_order(o, &|n| ctx.expand(n)).map_err(|e| NgsiError::bad_data(format!("orderBy: {e}")))?;
        let fold_accents = match &self.collation {
            None => false,
            Some(c) => crate::query::parse_collation(c).map_err(NgsiError::bad_data)?,
        };
        let from = match &self.order_from {
            None => None,
            Some(c) => {
                let coords = match c {
                    serde_json::Value::String(s) => {
                        serde_json::from_str(s).map_err(|_| NgsiError::bad_data("orderFrom is a JSON array of coordinates"))?
                    }
                    other => other.clone(),
                };
                if !coords.is_array() {
                    return Err(NgsiError::bad_data("the coordinates of distance ordering are an array"));
                }
                let g = crate::geo::geometry_of(self.order_geometry.as_deref().unwrap_or("Point"), &coords).map_err(NgsiError::bad_data)?;
                Some(g)
            }
        };
        if keys.iter().any(|k| k.distance) && from.is_none() {
            return Err(NgsiError::bad_data("ordering by distance needs the coordinates to measure from (orderFrom)"));
        }
        Ok(Some(crate::query::Ordering { keys, from, fold_accents }))
    }

    /// `pick` and `omit` parsed (clause 4.21), checked against each other and `attrs`.
    pub fn projections(&self) -> NgsiResult<(Option<Projection>, Option<Projection>)> {
        let parse = |s: &Option<String>| s.as_deref().map(Projection::parse).transpose().map_err(|e| NgsiError::bad_data(format!("pick/omit: {e}")));
        let (pick, omit) = (parse(&self.pick)?, parse(&self.omit)?);
        if self.attrs.is_some() && (pick.is_some() || omit.is_some()) {
            return Err(NgsiError::bad_data("attrs cannot be combined with pick or omit"));
        }
        if let (Some(p), Some(o)) = (&pick, &omit)
            && p.0.iter().any(|m| o.has(&m.name))
        {
            return Err(NgsiError::bad_data("a member cannot be both picked and omitted"));
        }
        Ok((pick, omit))
    }

    /// The view for rendering entities: projection, form, system attributes, language, datasets, join.
    pub fn view(&self, ctx: &RequestContext) -> NgsiResult<View> {
        let (pick, omit) = self.projections()?;
        let depth = pick.as_ref().map(Projection::depth).unwrap_or(0).max(omit.as_ref().map(Projection::depth).unwrap_or(0));
        let mut view =
            View { form: self.form(), sys_attrs: self.sys_attrs(), lang: self.lang.clone(), dataset_ids: self.dataset_id.clone(), ..View::default() };
        project(&mut view, pick.as_ref(), omit.as_ref(), ctx)?;
        if let Some(a) = &self.attrs {
            view.attrs = Some(expand_all(a, ctx)?);
        }
        view.join = match self.join.as_deref() {
            None => None,
            Some(mode @ ("inline" | "flat")) => {
                let level = match self.join_level.as_deref() {
                    None => 1,
                    Some(l) => l.parse::<u32>().ok().filter(|l| *l > 0).ok_or_else(|| NgsiError::bad_data("joinLevel is a whole number above 0"))?,
                };
                Some(Join { flat: mode == "flat", level, linked: Default::default() })
            }
            Some("@none") => None,
            Some(other) => return Err(NgsiError::bad_data(format!("join {other:?} is not inline, flat or @none"))),
        };
        // Braces in pick/omit reach into linked entities: a join must bring them that far.
        let levels = view.join.as_ref().map(|j| j.level as usize).unwrap_or(0);
        if depth > levels {
            return Err(NgsiError::bad_data("pick or omit reaches deeper into linked entities than the join brings them"));
        }
        Ok(view)
    }
}

fn expand_all(names: &[String], ctx: &RequestContext) -> NgsiResult<Vec<String>> {
    names
        .iter()
        .map(|n| {
            if crate::model::is_valid_name(n) { Ok(ctx.expand(n)) } else { Err(NgsiError::bad_data(format!("{n:?} is not a valid attribute name"))) }
        })
        .collect()
}

/// Apply pick and omit to a view, and nest the views of linked entities.
fn project(view: &mut View, pick: Option<&Projection>, omit: Option<&Projection>, ctx: &RequestContext) -> NgsiResult<()> {
    if let Some(p) = pick {
        view.keep_id = p.has("id");
        view.keep_type = p.has("type");
        view.attrs = Some(p.attributes().map(|m| ctx.expand(&m.name)).collect());
    }
    if let Some(o) = omit {
        view.keep_id = !o.has("id");
        view.keep_type = !o.has("type");
        view.omit = o.attributes().filter(|m| m.nested.is_none()).map(|m| ctx.expand(&m.name)).collect();
    }
    let members = pick.into_iter().chain(omit).flat_map(|p| p.attributes());
    for m in members {
        let Some(inner) = &m.nested else { continue };
        let mut child = View { form: view.form, sys_attrs: view.sys_attrs, lang: view.lang.clone(), ..View::default() };
        let is_pick = pick.is_some_and(|p| p.get(&m.name).is_some_and(|x| x.nested.as_ref() == Some(inner)));
        if is_pick {
            project(&mut child, Some(inner), None, ctx)?;
        } else {
            project(&mut child, None, Some(inner), ctx)?;
        }
        view.nested.insert(ctx.expand(&m.name), child);
    }
    Ok(())
}
