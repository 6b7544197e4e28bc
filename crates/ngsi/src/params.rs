//! The query parameters of NGSI-LD requests (clause 6.3), parsed once and
//! checked, with helpers for paging and for the representation asked for.

use crate::context::RequestContext;
use crate::error::{ErrorKind, NgsiError, NgsiResult};
use crate::http::Req;
use crate::render::{Form, View};

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
    pub pick: Option<Vec<String>>,
    pub omit: Option<Vec<String>>,
    pub q: Option<String>,
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
}

fn list(v: &str) -> Vec<String> {
    v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn flag(k: &str, v: &str) -> NgsiResult<bool> {
    match v {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(NgsiError::bad_data(format!("{k} is true or false"))),
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
                "pick" => p.pick = Some(list(&v)),
                "omit" => p.omit = Some(list(&v)),
                "q" => p.q = Some(v),
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
                            return Err(NgsiError::bad_data(format!("unknown option {o:?}")));
                        }
                        p.options.push(o);
                    }
                }
                "format" => p.format = Some(v),
                "limit" => p.limit = Some(v),
                "offset" => p.offset = Some(v),
                "count" => p.count = flag(&k, &v)?,
                "local" => p.local = flag(&k, &v)?,
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
                _ => {}
            }
        }
        if p.pick.is_some() && p.omit.is_some() {
            return Err(NgsiError::bad_data("pick and omit cannot be used together"));
        }
        if let Some(f) = &p.format
            && !["keyValues", "simplified", "concise", "normalized", "temporalValues", "aggregatedValues"].contains(&f.as_str())
        {
            return Err(NgsiError::bad_data(format!("unknown format {f:?}")));
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

    /// The view for rendering entities: projection, form, system attributes, language, datasets.
    pub fn view(&self, ctx: &RequestContext) -> NgsiResult<View> {
        let expand_all = |names: &[String]| -> NgsiResult<Vec<String>> {
            names
                .iter()
                .map(|n| {
                    if crate::model::is_valid_name(n) {
                        Ok(ctx.expand(n))
                    } else {
                        Err(NgsiError::bad_data(format!("{n:?} is not a valid attribute name")))
                    }
                })
                .collect()
        };
        let mut view =
            View { form: self.form(), sys_attrs: self.sys_attrs(), lang: self.lang.clone(), dataset_ids: self.dataset_id.clone(), ..View::default() };
        let mut attrs: Option<Vec<String>> = self.attrs.as_deref().map(expand_all).transpose()?;
        if let Some(pick) = &self.pick {
            view.keep_id = pick.iter().any(|p| p == "id");
            view.keep_type = pick.iter().any(|p| p == "type");
            let rest: Vec<String> = pick.iter().filter(|p| *p != "id" && *p != "type").cloned().collect();
            let picked = expand_all(&rest)?;
            attrs = Some(match attrs {
                Some(a) => a.into_iter().filter(|x| picked.contains(x)).collect(),
                None => picked,
            });
        }
        if let Some(omit) = &self.omit {
            view.keep_id = !omit.iter().any(|p| p == "id");
            view.keep_type = !omit.iter().any(|p| p == "type");
            let rest: Vec<String> = omit.iter().filter(|p| *p != "id" && *p != "type").cloned().collect();
            view.omit = expand_all(&rest)?;
        }
        view.attrs = attrs;
        Ok(view)
    }
}
