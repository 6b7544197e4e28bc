//! The filters of the public lists, from a query string, for the API and the pages alike.

use crate::model::{Access, Audience, Genre};
use crate::store::Filter;
use kernel::{AppError, AppResult, Timestamp};
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters of `GET /api/v1/events` and `/events`.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub genre: Option<Genre>,
    /// A place id (`GET /api/v1/events/places`).
    #[param(max_length = 64, pattern = r"^[A-Za-z0-9-]{1,64}$")]
    pub place: Option<String>,
    /// An organiser id (from an event).
    #[param(max_length = 64, pattern = r"^[A-Za-z0-9-]{1,64}$")]
    pub organiser: Option<String>,
    pub audience: Option<Audience>,
    /// `true`: free events only; `false`: paid only.
    pub free: Option<bool>,
    /// Comma-separated accessibility codes the event must all have.
    #[param(
        max_length = 100,
        pattern = r"^(wheelchair|hearing_loop|sign_language|audio_description)(,(wheelchair|hearing_loop|sign_language|audio_description))*$",
        example = "wheelchair,hearing_loop"
    )]
    pub access: Option<String>,
    /// First day (local, `YYYY-MM-DD`); from now when left out.
    #[param(format = Date, example = "2026-02-14")]
    pub from: Option<String>,
    /// Last day (local, inclusive); a last day before the first gives no events.
    #[param(format = Date, example = "2026-02-28")]
    pub to: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
}

/// Local midnight of a `YYYY-MM-DD` day in Slovenia (or of the day after, for `end`).
pub fn local_day(s: &str, end: bool) -> Option<Timestamp> {
    let d = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()?;
    let d = if end { d.succ_opt()? } else { d };
    Timestamp::from_local(d.and_hms_opt(0, 0, 0)?)
}

/// Local midnight of the day `now` is in.
pub fn today(now: Timestamp) -> Timestamp {
    Timestamp::from_local(now.local().date().and_hms_opt(0, 0, 0).unwrap_or_default()).unwrap_or(now)
}

fn id(s: &Option<String>, name: &'static str) -> AppResult<Option<String>> {
    match s.as_deref() {
        Some(v) if !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') => Ok(Some(v.to_string())),
        Some(_) => Err(AppError::bad_request(name)),
        None => Ok(None),
    }
}

impl ListQuery {
    /// From a page's query string: empty values are left out.
    pub fn from_pairs(q: &std::collections::HashMap<String, String>) -> AppResult<ListQuery> {
        let get = |k: &str| q.get(k).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let bad = |k: &'static str| AppError::bad_request("query_invalid").with_detail(k);
        Ok(ListQuery {
            genre: get("genre").map(|g| Genre::parse(&g).ok_or(bad("genre"))).transpose()?,
            place: get("place"),
            organiser: get("organiser"),
            audience: get("audience").map(|a| Audience::parse(&a).ok_or(bad("audience"))).transpose()?,
            free: match get("free").as_deref() {
                None => None,
                Some("true") => Some(true),
                Some("false") => Some(false),
                Some(_) => return Err(bad("free")),
            },
            access: {
                let picked: Vec<&String> = q.iter().filter(|(k, v)| k.starts_with("access") && !v.is_empty()).map(|(_, v)| v).collect();
                (!picked.is_empty()).then(|| picked.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(","))
            },
            from: get("from"),
            to: get("to"),
            limit: None,
        })
    }

    pub fn filter(&self, now: Timestamp) -> AppResult<Filter> {
        let bad = |k: &'static str| AppError::bad_request("query_invalid").with_detail(k);
        let from = match &self.from {
            Some(d) => local_day(d, false).ok_or(bad("from"))?,
            None => now,
        };
        let to = self.to.as_deref().map(|d| local_day(d, true).ok_or(bad("to"))).transpose()?;
        let access = match &self.access {
            Some(a) if a.len() <= 100 => a.split(',').map(|s| Access::parse(s.trim()).ok_or(bad("access"))).collect::<AppResult<Vec<_>>>()?,
            Some(_) => return Err(bad("access")),
            None => vec![],
        };
        Ok(Filter {
            from,
            to,
            genre: self.genre,
            place: id(&self.place, "place_invalid")?,
            organiser: id(&self.organiser, "organiser_invalid")?,
            audience: self.audience,
            free: self.free,
            access,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_local() {
        assert_eq!(local_day("2026-01-15", false).unwrap().rfc3339(), "2026-01-14T23:00:00Z");
        assert_eq!(local_day("2026-07-01", true).unwrap().rfc3339(), "2026-07-01T22:00:00Z");
        assert!(local_day("2026-02-30", false).is_none());
        assert_eq!(today(Timestamp(1_782_900_000_000)).rfc3339(), "2026-06-30T22:00:00Z");
    }

    #[test]
    fn filters_parse_and_refuse_nonsense() {
        let now = Timestamp(1_782_900_000_000);
        let q = ListQuery { access: Some("wheelchair, hearing_loop".into()), from: Some("2026-07-01".into()), ..Default::default() };
        let f = q.filter(now).unwrap();
        assert_eq!(f.access, vec![Access::Wheelchair, Access::HearingLoop]);
        assert_eq!(f.from.rfc3339(), "2026-06-30T22:00:00Z");
        assert!(ListQuery { access: Some("stairs".into()), ..Default::default() }.filter(now).is_err());
        assert!(ListQuery { access: Some("".into()), ..Default::default() }.filter(now).is_err());
        assert!(ListQuery { place: Some("".into()), ..Default::default() }.filter(now).is_err());
        assert!(ListQuery { from: Some("2026-07-02".into()), to: Some("2026-02-30".into()), ..Default::default() }.filter(now).is_err());
        assert!(ListQuery { place: Some("x' OR 1=1".into()), ..Default::default() }.filter(now).is_err());
        let form = std::collections::HashMap::from([("genre".to_string(), "music".to_string()), ("free".into(), "".into())]);
        assert_eq!(ListQuery::from_pairs(&form).unwrap().genre, Some(Genre::Music));
        let form = std::collections::HashMap::from([("genre".to_string(), "opera".to_string())]);
        assert!(ListQuery::from_pairs(&form).is_err());
    }
}
