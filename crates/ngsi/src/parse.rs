//! What clients send, checked and turned into the broker's model: entities
//! and entity fragments in normalized or concise form (clause 4.5), names
//! expanded with the request's @context.

use crate::context::RequestContext;
use crate::error::{NgsiError, NgsiResult};
use crate::model::{Attr, Entity, Kind, NGSI_LD_NULL, is_uri, is_valid_name, parse_time};
use serde_json::{Map, Value};

/// Members of an attribute that are not sub-attributes.
const ATTR_MEMBERS: &[&str] = &[
    "type",
    "value",
    "object",
    "languageMap",
    "vocab",
    "json",
    "valueList",
    "objectList",
    "datasetId",
    "observedAt",
    "unitCode",
    "objectType",
    "valueType",
    "createdAt",
    "modifiedAt",
    "deletedAt",
    "instanceId",
    "expiresAt",
    "lang",
    "previousValue",
    "previousObject",
    "previousLanguageMap",
    "previousVocab",
    "previousJson",
    "previousValueList",
    "previousObjectList",
];

/// Terms of the core context that are not attributes (clause 4.5.1).
const NOT_ATTRIBUTE_NAMES: &[&str] =
    &["datasetId", "instanceId", "observedAt", "unitCode", "createdAt", "modifiedAt", "deletedAt", "expiresAt", "value", "object", "objectType"];

/// GeoProperties the core context names: they must hold geometries.
pub const GEO_NAMES: &[&str] = &["location", "observationSpace", "operationSpace"];

/// Whether nulls (NGSI-LD Null) are deletions here (merge and partial updates) or errors.
#[derive(Copy, Clone, PartialEq, Eq)]
pub enum Nulls {
    Refuse,
    Delete,
}

/// An entity from a creation request (the @context already taken out).
pub fn entity(v: &Value, ctx: &RequestContext, now: i64) -> NgsiResult<Entity> {
    let o = v.as_object().ok_or_else(|| NgsiError::bad_data("an entity is a JSON object"))?;
    let id = entity_id(o.get("id").or_else(|| o.get("@id")))?;
    let types = entity_types(o.get("type").or_else(|| o.get("@type")), ctx)?;
    let mut e = Entity::new(id, types, now);
    let f = fragment(o, ctx, now, Nulls::Refuse)?;
    e.scopes = f.scopes.unwrap_or_default();
    for (name, instances) in f.attrs {
        for a in instances {
            if e.upsert(&name, a).is_some() {
                return Err(NgsiError::bad_data(format!("{} has two instances with the same datasetId", ctx.compact(&name))));
            }
        }
    }
    Ok(e)
}

pub fn entity_id(v: Option<&Value>) -> NgsiResult<String> {
    match v {
        Some(Value::String(id)) if is_uri(id) => Ok(id.clone()),
        Some(Value::String(id)) => Err(NgsiError::bad_data(format!("the entity id {id:?} is not a URI"))),
        Some(_) => Err(NgsiError::bad_data("the entity id is a string")),
        None => Err(NgsiError::bad_data("an entity needs an id")),
    }
}

pub fn entity_types(v: Option<&Value>, ctx: &RequestContext) -> NgsiResult<Vec<String>> {
    let names: Vec<&str> = match v {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) if !ts.is_empty() => {
            ts.iter().map(|t| t.as_str().ok_or_else(|| NgsiError::bad_data("entity types are strings"))).collect::<Result<_, _>>()?
        }
        Some(_) => return Err(NgsiError::bad_data("the entity type is a name or a list of names")),
        None => return Err(NgsiError::bad_data("an entity needs a type")),
    };
    let mut out: Vec<String> = vec![];
    for n in names {
        if !is_valid_name(n) {
            return Err(NgsiError::bad_data(format!("{n:?} is not a valid entity type name")));
        }
        let iri = ctx.expand(n);
        if iri.starts_with('@') || !iri.contains(':') {
            return Err(NgsiError::bad_data(format!("{n:?} is not a valid entity type name")));
        }
        if !out.contains(&iri) {
            out.push(iri);
        }
    }
    Ok(out)
}

/// Scopes: `/a/b` paths (clause 4.18).
pub fn scopes(v: &Value) -> NgsiResult<Vec<String>> {
    let list: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let mut out = vec![];
    for s in list {
        let s = s.as_str().ok_or_else(|| NgsiError::bad_data("a scope is a string"))?;
        let valid =
            s.starts_with('/') && s.len() > 1 && s[1..].split('/').all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'));
        if !valid {
            return Err(NgsiError::bad_data(format!("{s:?} is not a scope (/Level1/Level2)")));
        }
        out.push(s.to_string());
    }
    Ok(out)
}

/// The attributes (and optional type and scope) of an entity or a fragment.
#[derive(Debug, Default)]
pub struct Fragment {
    pub types: Option<Vec<String>>,
    pub scopes: Option<Vec<String>>,
    pub attrs: Vec<(String, Vec<Attr>)>,
}

pub fn fragment(o: &Map<String, Value>, ctx: &RequestContext, now: i64, nulls: Nulls) -> NgsiResult<Fragment> {
    let mut f = Fragment::default();
    for (name, v) in o {
        match name.as_str() {
            "id" | "@id" | "@context" | "createdAt" | "modifiedAt" | "deletedAt" => {}
            "type" | "@type" => f.types = Some(entity_types(Some(v), ctx)?),
            "scope" => f.scopes = Some(if nulls == Nulls::Delete && is_null(v) { vec![] } else { scopes(v)? }),
            _ => {
                let iri = attribute_name(name, ctx)?;
                f.attrs.push((iri, attribute(name, v, ctx, now, nulls)?));
            }
        }
    }
    Ok(f)
}

/// Check a short attribute name and expand it.
pub fn attribute_name(name: &str, ctx: &RequestContext) -> NgsiResult<String> {
    if !is_valid_name(name) {
        return Err(NgsiError::bad_data(format!("{name:?} is not a valid attribute name")));
    }
    if NOT_ATTRIBUTE_NAMES.contains(&name) || name.starts_with('@') {
        return Err(NgsiError::bad_data(format!("{name} is reserved and cannot name an attribute")));
    }
    Ok(ctx.expand(name))
}

fn is_null(v: &Value) -> bool {
    v.is_null() || v.as_str() == Some(NGSI_LD_NULL)
}

fn is_geometry(v: &Value) -> bool {
    matches!(
        v.get("type").and_then(Value::as_str),
        Some("Point" | "MultiPoint" | "LineString" | "MultiLineString" | "Polygon" | "MultiPolygon" | "GeometryCollection")
    ) && (v.get("coordinates").is_some() || v.get("geometries").is_some())
}

/// The body of a partial attribute update: a full instance, or only some
/// members and sub-attributes (then `false`: the value stays as it is).
pub fn attribute_fragment(short: &str, v: &Value, ctx: &RequestContext, now: i64) -> NgsiResult<(Attr, bool)> {
    let Some(o) = v.as_object() else { return Ok((attribute(short, v, ctx, now, Nulls::Delete)?.remove(0), true)) };
    let has_value = o.contains_key("type") || Kind::ALL.iter().any(|k| o.contains_key(k.value_key()));
    if has_value {
        return Ok((attribute(short, v, ctx, now, Nulls::Delete)?.remove(0), true));
    }
    // Only members and sub-attributes: parse them on a placeholder instance.
    let mut full = o.clone();
    full.insert("value".into(), Value::Bool(true));
    let mut a = attribute(short, &Value::Object(full), ctx, now, Nulls::Delete)?.remove(0);
    a.value = Value::Null;
    Ok((a, false))
}

/// An attribute's instances (one, or an array of them with distinct datasetIds).
pub fn attribute(short: &str, v: &Value, ctx: &RequestContext, now: i64, nulls: Nulls) -> NgsiResult<Vec<Attr>> {
    let instances: Vec<&Value> = match v {
        Value::Array(items) if !items.is_empty() && items.iter().all(looks_like_instance) => items.iter().collect(),
        other => vec![other],
    };
    let mut out: Vec<Attr> = Vec::with_capacity(instances.len());
    for i in instances {
        let a = instance(short, i, ctx, now, nulls)?;
        if out.iter().any(|b| b.dataset_id == a.dataset_id) {
            return Err(NgsiError::bad_data(format!("{short} has two instances with the same datasetId")));
        }
        out.push(a);
    }
    Ok(out)
}

/// An array element that is an attribute instance rather than a value.
fn looks_like_instance(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        o.get("type").and_then(Value::as_str).and_then(Kind::from_name).is_some()
            || ["value", "object", "languageMap", "vocab", "json", "valueList", "objectList"].iter().any(|k| o.contains_key(*k))
    })
}

fn kind_of(o: &Map<String, Value>) -> NgsiResult<Option<Kind>> {
    if let Some(t) = o.get("type") {
        let name = t.as_str().ok_or_else(|| NgsiError::bad_data("an attribute type is a string"))?;
        return match Kind::from_name(name) {
            Some(k) => Ok(Some(k)),
            None => Err(NgsiError::bad_data(format!("{name:?} is not an attribute type"))),
        };
    }
    for k in Kind::ALL {
        if o.contains_key(k.value_key()) && k != Kind::GeoProperty {
            return Ok(Some(k));
        }
    }
    Ok(None)
}

fn instance(short: &str, v: &Value, ctx: &RequestContext, now: i64, nulls: Nulls) -> NgsiResult<Attr> {
    let bad = |d: String| NgsiError::bad_data(format!("{short}: {d}"));
    // JSON null is no value in JSON-LD; only NGSI-LD Null deletes (clause 4.5.0).
    if v.is_null() {
        return Err(bad("null is not a value (NGSI-LD Null is \"urn:ngsi-ld:null\")".into()));
    }
    if is_null(v) {
        return match nulls {
            Nulls::Delete => Ok(Attr::new(Kind::Property, Value::String(NGSI_LD_NULL.into()), now)),
            Nulls::Refuse => Err(bad("NGSI-LD Null only deletes in updates".into())),
        };
    }
    // Concise forms: a bare value, or a bare geometry.
    let Some(o) = v.as_object().filter(|o| !is_geometry(v) && !o.contains_key("@value")) else {
        let kind = if is_geometry(v) { Kind::GeoProperty } else { Kind::Property };
        let mut a = Attr::new(kind, v.clone(), now);
        check_value(short, &mut a, ctx)?;
        return Ok(a);
    };
    let Some(mut kind) = kind_of(o)? else {
        // An object without any NGSI-LD member: a concise Property whose value is that object.
        let mut a = Attr::new(Kind::Property, v.clone(), now);
        check_value(short, &mut a, ctx)?;
        return Ok(a);
    };
    let key = kind.value_key();
    let value = match o.get(key) {
        Some(v) if v.is_null() => return Err(bad(format!("{key} cannot be null"))),
        Some(v) => v.clone(),
        None => return Err(bad(format!("a {} needs {key}", kind.name()))),
    };
    if kind == Kind::Property && (is_geometry(&value) || GEO_NAMES.contains(&short)) && !matches!(value.as_str(), Some(NGSI_LD_NULL)) {
        kind = Kind::GeoProperty;
    }
    let mut a = Attr::new(kind, value, now);
    for (k, mv) in o {
        match k.as_str() {
            "datasetId" => match mv.as_str() {
                Some(NGSI_LD_NULL) => return Err(bad("a datasetId cannot be deleted with NGSI-LD Null".into())),
                Some(d) if is_uri(d) => a.dataset_id = Some(d.to_string()),
                _ => return Err(bad("datasetId is a URI".into())),
            },
            "observedAt" => match mv.as_str() {
                // A DateTime is in UTC (clause 4.6.3), so times compare as instants.
                Some(t) if t.ends_with('Z') && parse_time(t).is_some() => a.observed_at = Some(t.to_string()),
                _ => return Err(bad("observedAt is a date-time in UTC (ending in Z)".into())),
            },
            "unitCode" => match (mv.as_str(), kind.is_relationship()) {
                (Some(u), false) => a.unit_code = Some(u.to_string()),
                (_, true) => return Err(bad("a Relationship has no unitCode".into())),
                _ => return Err(bad("unitCode is a string".into())),
            },
            "objectType" => a.object_type = Some(expand_vocab(mv, ctx).map_err(bad)?),
            "valueType" => a.value_type = mv.as_str().map(str::to_string),
            "@context" => return Err(bad("an attribute cannot carry its own @context".into())),
            _ if ATTR_MEMBERS.contains(&k.as_str()) => {}
            sub => {
                let sub_iri = attribute_name(sub, ctx)?;
                let list = attribute(sub, mv, ctx, now, nulls)?;
                a.sub.insert(sub_iri, list);
            }
        }
    }
    check_value(short, &mut a, ctx)?;
    Ok(a)
}

fn expand_vocab(v: &Value, ctx: &RequestContext) -> Result<Value, String> {
    match v {
        Value::String(s) => Ok(Value::String(ctx.expand(s))),
        Value::Array(items) => items.iter().map(|i| expand_vocab(i, ctx)).collect::<Result<Vec<_>, _>>().map(Value::Array),
        _ => Err("a vocab value is a string or a list of strings".into()),
    }
}

/// Check (and, for vocabularies, expand) an instance's value for its kind.
fn check_value(short: &str, a: &mut Attr, ctx: &RequestContext) -> NgsiResult<()> {
    let bad = |d: &str| Err(NgsiError::bad_data(format!("{short}: {d}")));
    if a.is_null() {
        return Ok(());
    }
    match a.kind {
        Kind::Property => {
            if GEO_NAMES.contains(&short) {
                return bad("must be a GeoProperty");
            }
            if contains_null(&a.value) {
                return bad("a Property value cannot hold null");
            }
        }
        Kind::GeoProperty => {
            if let Err(e) = crate::geo::parse_geometry(&a.value) {
                return bad(&format!("not a valid GeoJSON geometry: {e}"));
            }
        }
        Kind::Relationship => {
            let ok = match &a.value {
                Value::String(s) => is_uri(s),
                Value::Array(items) => !items.is_empty() && items.iter().all(|i| i.as_str().is_some_and(is_uri)),
                _ => false,
            };
            if !ok {
                return bad("a Relationship's object is a URI");
            }
        }
        Kind::ListRelationship => {
            let Some(items) = a.value.as_array() else { return bad("objectList is an array") };
            let mut uris = vec![];
            for i in items {
                match i.get("object").unwrap_or(i).as_str() {
                    Some(u) if is_uri(u) => uris.push(Value::String(u.into())),
                    _ => return bad("objectList holds URIs"),
                }
            }
            a.value = Value::Array(uris);
        }
        Kind::LanguageProperty => {
            let Some(map) = a.value.as_object() else { return bad("languageMap is an object of language tags") };
            for (lang, text) in map {
                let ok_tag = lang == "@none" || (!lang.is_empty() && lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
                let ok_text = text.is_string() || text.as_array().is_some_and(|a| a.iter().all(Value::is_string));
                if !ok_tag || !ok_text {
                    return bad("languageMap maps language tags to strings");
                }
            }
        }
        Kind::VocabProperty => {
            a.value = expand_vocab(&a.value, ctx).map_err(|e| NgsiError::bad_data(format!("{short}: {e}")))?;
        }
        Kind::JsonProperty => {}
        Kind::ListProperty => {
            if !a.value.is_array() {
                return bad("valueList is an array");
            }
        }
    }
    Ok(())
}

fn contains_null(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.iter().any(contains_null),
        Value::Object(o) => o.values().any(contains_null),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn core() -> RequestContext {
        RequestContext::core()
    }

    #[test]
    fn normalized_and_concise_entities() {
        let v = json!({
            "id": "urn:ngsi-ld:Building:1",
            "type": "Building",
            "name": {"type": "Property", "value": "Hall", "observedAt": "2024-01-01T10:00:00Z"},
            "floors": 3,
            "owner": {"object": "urn:ngsi-ld:Person:1"},
            "location": {"type": "Point", "coordinates": [15.87, 46.42]},
            "address": {"street": "Mestni trg"},
            "label": {"languageMap": {"sl": "Dvorana", "en": "Hall"}},
            "category": {"vocab": "commercial"},
            "temp": {"value": 21, "unitCode": "CEL", "accuracy": {"value": 0.5}},
            "scope": "/Ptuj/Centre"
        });
        let e = entity(&v, &core(), 1).unwrap();
        let dv = |n: &str| format!("https://uri.etsi.org/ngsi-ld/default-context/{n}");
        assert_eq!(e.types, vec![dv("Building")]);
        assert_eq!(e.scopes, vec!["/Ptuj/Centre"]);
        assert_eq!(e.attrs[&dv("name")][0].observed_at.as_deref(), Some("2024-01-01T10:00:00Z"));
        assert_eq!(e.attrs[&dv("floors")][0].kind, Kind::Property);
        assert_eq!(e.attrs[&dv("owner")][0].kind, Kind::Relationship);
        assert_eq!(e.attrs["https://uri.etsi.org/ngsi-ld/location"][0].kind, Kind::GeoProperty);
        assert_eq!(e.attrs[&dv("address")][0].value, json!({"street": "Mestni trg"}));
        assert_eq!(e.attrs[&dv("label")][0].kind, Kind::LanguageProperty);
        assert_eq!(e.attrs[&dv("category")][0].value, json!(dv("commercial")));
        let temp = &e.attrs[&dv("temp")][0];
        assert_eq!((temp.unit_code.as_deref(), temp.sub[&dv("accuracy")][0].value.clone()), (Some("CEL"), json!(0.5)));
    }

    #[test]
    fn what_is_refused() {
        let bad = |v: Value| entity(&v, &core(), 1).unwrap_err().kind;
        use crate::error::ErrorKind::BadRequestData as B;
        assert_eq!(bad(json!({"type": "T"})), B, "no id");
        assert_eq!(bad(json!({"id": "not a uri", "type": "T"})), B);
        assert_eq!(bad(json!({"id": "urn:a"})), B, "no type");
        assert_eq!(bad(json!({"id": "urn:a", "type": "T", "p": {"type": "Property"}})), B, "no value");
        assert_eq!(bad(json!({"id": "urn:a", "type": "T", "p": {"type": "Relationship", "object": "nope"}})), B);
        assert_eq!(bad(json!({"id": "urn:a", "type": "T", "p": null})), B);
        assert_eq!(bad(json!({"id": "urn:a", "type": "T", "a(b)": 1})), B, "forbidden characters");
        assert_eq!(bad(json!({"id": "urn:a", "type": "T", "location": {"type": "GeoProperty", "value": {"type": "Point"}}})), B);
        assert_eq!(bad(json!({"id": "urn:a", "type": "T", "p": {"type": "Unknown", "value": 1}})), B);
        assert_eq!(bad(json!({"id": "urn:a", "type": "T", "scope": "no-slash"})), B);
        let twice = json!({"id": "urn:a", "type": "T", "p": [{"type": "Property", "value": 1}, {"type": "Property", "value": 2}]});
        assert_eq!(bad(twice), B, "two default instances");
    }

    #[test]
    fn nulls_delete_where_allowed() {
        let o = json!({"p": "urn:ngsi-ld:null", "q": {"type": "Property", "value": "urn:ngsi-ld:null"}});
        let f = fragment(o.as_object().unwrap(), &core(), 1, Nulls::Delete).unwrap();
        assert!(f.attrs.iter().all(|(_, a)| a[0].is_null()));
        assert!(fragment(o.as_object().unwrap(), &core(), 1, Nulls::Refuse).is_err());
        let json_null = json!({"q": {"type": "Property", "value": null}});
        assert!(fragment(json_null.as_object().unwrap(), &core(), 1, Nulls::Delete).is_err(), "JSON null is not NGSI-LD Null");
    }
}
