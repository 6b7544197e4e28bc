//! The broker's model as clients receive it: normalized, concise or
//! simplified (keyValues) representation, optionally as GeoJSON, with names
//! compacted by the request's @context (clause 4.5).

use crate::context::RequestContext;
use crate::model::{Attr, Entity, Kind, format_time};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Form {
    Normalized,
    Concise,
    Simplified,
}

/// How to render: the form and what to leave out.
#[derive(Clone, Debug)]
pub struct View {
    pub form: Form,
    pub sys_attrs: bool,
    /// Only these attributes (expanded); `None` for all.
    pub attrs: Option<Vec<String>>,
    /// Leave these out (expanded names; `id` and `type` may be among them).
    pub omit: Vec<String>,
    /// Pick `id`/`type` too? (`pick` lists them explicitly.)
    pub keep_id: bool,
    pub keep_type: bool,
    /// A LanguageProperty in this language only (rendered as a Property with `lang`).
    pub lang: Option<String>,
    /// Only instances with these datasetIds (`@none` for the default instance).
    pub dataset_ids: Option<Vec<String>>,
    /// How to show the entity a Relationship of this name (expanded) links to (nested pick/omit).
    pub nested: BTreeMap<String, View>,
    /// Linked entities shown inside their Relationships (join=inline).
    pub join: Option<Join>,
}

/// Linked entity retrieval (clause 4.5.23): the entities reachable, and how many levels remain.
#[derive(Clone, Debug)]
pub struct Join {
    pub flat: bool,
    pub level: u32,
    pub linked: Arc<HashMap<String, Entity>>,
}

impl Default for View {
    fn default() -> Self {
        View {
            form: Form::Normalized,
            sys_attrs: false,
            attrs: None,
            omit: vec![],
            keep_id: true,
            keep_type: true,
            lang: None,
            dataset_ids: None,
            nested: BTreeMap::new(),
            join: None,
        }
    }
}

impl View {
    /// Whether an attribute survives `attrs`, `pick` and `omit`.
    pub fn wants(&self, name: &str) -> bool {
        self.attrs.as_ref().is_none_or(|a| a.iter().any(|x| x == name)) && !self.omit.iter().any(|x| x == name)
    }

    /// The view of the entity linked by a Relationship of this name: its nested projection, one level less.
    pub fn linked(&self, name: &str) -> View {
        let mut v = self.nested.get(name).cloned().unwrap_or_else(|| View {
            form: self.form,
            sys_attrs: self.sys_attrs,
            lang: self.lang.clone(),
            ..View::default()
        });
        v.join = self.join.as_ref().map(|j| Join { level: j.level.saturating_sub(1), ..j.clone() });
        v
    }

    /// The entity an inline join shows for this instance, if any.
    fn inline_target<'a>(&'a self, a: &Attr) -> Option<&'a Entity> {
        let j = self.join.as_ref().filter(|j| !j.flat && j.level > 0)?;
        if a.kind != Kind::Relationship {
            return None;
        }
        j.linked.get(a.value.as_str()?)
    }

    pub fn wants_instance(&self, a: &Attr) -> bool {
        match &self.dataset_ids {
            None => true,
            Some(ids) => ids.iter().any(|d| match &a.dataset_id {
                None => d == "@none",
                Some(x) => x == d,
            }),
        }
    }
}

/// One value compacted where its kind holds vocabulary.
fn compact_value(kind: Kind, v: &Value, ctx: &RequestContext) -> Value {
    match kind {
        Kind::VocabProperty => compact_vocab(v, ctx),
        Kind::ListRelationship => match (v, ctx) {
            (Value::Array(items), _) => Value::Array(items.iter().map(|i| json!({"object": i})).collect()),
            (other, _) => other.clone(),
        },
        _ => v.clone(),
    }
}

pub fn compact_vocab(v: &Value, ctx: &RequestContext) -> Value {
    match v {
        Value::String(s) => Value::String(ctx.compact(s)),
        Value::Array(items) => Value::Array(items.iter().map(|i| compact_vocab(i, ctx)).collect()),
        other => other.clone(),
    }
}

/// A language map's text in one language: that tag, else its primary subtag, else `@none`, else any.
pub fn pick_language<'a>(map: &'a Map<String, Value>, lang: &str) -> Option<(&'a str, &'a Value)> {
    let wanted: Vec<&str> = lang.split(',').map(|l| l.split(';').next().unwrap_or("").trim()).filter(|l| !l.is_empty()).collect();
    for w in &wanted {
        if let Some((k, v)) = map.get_key_value(*w) {
            return Some((k, v));
        }
        let primary = w.split('-').next().unwrap_or(w);
        if let Some((k, v)) = map.iter().find(|(k, _)| k.split('-').next() == Some(primary)) {
            return Some((k, v));
        }
    }
    map.get_key_value("@none").or_else(|| map.iter().next()).map(|(k, v)| (k.as_str(), v))
}

/// One instance in normalized or concise form.
pub fn instance(a: &Attr, view: &View, ctx: &RequestContext) -> Value {
    named_instance("", a, view, ctx)
}

fn named_instance(name: &str, a: &Attr, view: &View, ctx: &RequestContext) -> Value {
    let mut o = Map::new();
    let mut kind = a.kind;
    let mut value = compact_value(kind, &a.value, ctx);
    let mut lang_tag = None;
    if kind == Kind::LanguageProperty
        && let (Some(lang), Some(map)) = (&view.lang, a.value.as_object())
        && let Some((tag, text)) = pick_language(map, lang)
    {
        kind = Kind::Property;
        value = text.clone();
        lang_tag = Some(tag.to_string());
    }
    if view.form == Form::Normalized {
        o.insert("type".into(), json!(kind.name()));
    }
    o.insert(kind.value_key().into(), value);
    if let Some(t) = lang_tag {
        o.insert("lang".into(), json!(t));
    }
    if let Some(d) = &a.dataset_id {
        o.insert("datasetId".into(), json!(d));
    }
    if let Some(t) = &a.observed_at {
        o.insert("observedAt".into(), json!(t));
    }
    if let Some(u) = &a.unit_code {
        o.insert("unitCode".into(), json!(u));
    }
    if let Some(t) = &a.object_type {
        o.insert("objectType".into(), compact_vocab(t, ctx));
    }
    if let Some(t) = &a.value_type {
        o.insert("valueType".into(), json!(t));
    }
    if view.sys_attrs {
        o.insert("createdAt".into(), json!(format_time(a.created_at)));
        o.insert("modifiedAt".into(), json!(format_time(a.modified_at)));
    }
    if let Some(t) = a.deleted_at {
        o.insert("deletedAt".into(), json!(format_time(t)));
    }
    if let Some(target) = view.inline_target(a) {
        o.insert("entity".into(), entity(target, &view.linked(name), ctx));
    }
    let sub_view = View { attrs: None, omit: vec![], dataset_ids: None, nested: BTreeMap::new(), join: None, ..view.clone() };
    for (name, list) in &a.sub {
        o.insert(ctx.compact(name), instances(name, list, &sub_view, ctx));
    }
    // Concise: a Property with nothing but its value is just the value.
    if view.form == Form::Concise && kind == Kind::Property && o.len() == 1 && o["value"].get("type").is_none() {
        return o.remove("value").unwrap_or(Value::Null);
    }
    Value::Object(o)
}

fn instances(name: &str, list: &[Attr], view: &View, ctx: &RequestContext) -> Value {
    let rendered: Vec<Value> = list.iter().filter(|a| view.wants_instance(a)).map(|a| named_instance(name, a, view, ctx)).collect();
    match rendered.len() {
        1 => rendered.into_iter().next().unwrap_or(Value::Null),
        _ => Value::Array(rendered),
    }
}

/// The simplified value of one instance.
pub fn simple(a: &Attr, view: &View, ctx: &RequestContext) -> Value {
    match a.kind {
        Kind::LanguageProperty => match (&view.lang, a.value.as_object()) {
            (Some(lang), Some(map)) => match pick_language(map, lang) {
                Some((_, text)) => text.clone(),
                None => json!({"languageMap": a.value}),
            },
            _ => json!({"languageMap": a.value}),
        },
        Kind::JsonProperty => json!({"json": a.value}),
        Kind::VocabProperty => compact_vocab(&a.value, ctx),
        _ => a.value.clone(),
    }
}

fn simple_instances(name: &str, list: &[Attr], view: &View, ctx: &RequestContext) -> Value {
    let kept: Vec<&Attr> = list.iter().filter(|a| view.wants_instance(a)).collect();
    if kept.len() == 1 {
        if let Some(target) = view.inline_target(kept[0]) {
            return entity(target, &view.linked(name), ctx);
        }
        return simple(kept[0], view, ctx);
    }
    let mut dataset = Map::new();
    for a in kept {
        dataset.insert(a.dataset_id.clone().unwrap_or_else(|| "@none".into()), simple(a, view, ctx));
    }
    json!({"dataset": dataset})
}

/// The types as one name or a list of names.
pub fn types_value(types: &[String], ctx: &RequestContext) -> Value {
    match types {
        [one] => json!(ctx.compact(one)),
        many => Value::Array(many.iter().map(|t| json!(ctx.compact(t))).collect()),
    }
}

/// An entity as a JSON object (no @context; the caller adds it for JSON-LD).
pub fn entity(e: &Entity, view: &View, ctx: &RequestContext) -> Value {
    let mut o = Map::new();
    if view.keep_id {
        o.insert("id".into(), json!(e.id));
    }
    if view.keep_type {
        o.insert("type".into(), types_value(&e.types, ctx));
    }
    if !e.scopes.is_empty() && view.wants("scope") {
        o.insert("scope".into(), if e.scopes.len() == 1 { json!(e.scopes[0]) } else { json!(e.scopes) });
    }
    if view.sys_attrs {
        o.insert("createdAt".into(), json!(format_time(e.created_at)));
        o.insert("modifiedAt".into(), json!(format_time(e.modified_at)));
    }
    for (name, list) in &e.attrs {
        if !view.wants(name) || !list.iter().any(|a| view.wants_instance(a)) {
            continue;
        }
        let v = match view.form {
            Form::Simplified => simple_instances(name, list, view, ctx),
            _ => instances(name, list, view, ctx),
        };
        o.insert(ctx.compact(name), v);
    }
    Value::Object(o)
}

/// An entity as a GeoJSON Feature, located by `geometry_property` (expanded; `location` by default).
pub fn feature(e: &Entity, view: &View, ctx: &RequestContext, geometry_property: &str) -> Value {
    let geometry = e.instance(geometry_property, None).or_else(|| e.attrs.get(geometry_property).and_then(|l| l.first()));
    let geometry = geometry.filter(|a| a.kind == Kind::GeoProperty).map(|a| a.value.clone()).unwrap_or(Value::Null);
    let mut properties = entity(e, &View { keep_id: false, ..view.clone() }, ctx);
    if let Some(p) = properties.as_object_mut()
        && !view.keep_type
    {
        p.remove("type");
    }
    let mut f = Map::new();
    f.insert("id".into(), json!(e.id));
    f.insert("type".into(), json!("Feature"));
    f.insert("geometry".into(), geometry);
    f.insert("properties".into(), properties);
    Value::Object(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    fn sample() -> Entity {
        let v = json!({
            "id": "urn:ngsi-ld:Building:1",
            "type": "Building",
            "name": {"type": "Property", "value": "Hall"},
            "temp": {"type": "Property", "value": 21, "unitCode": "CEL"},
            "owner": {"type": "Relationship", "object": "urn:ngsi-ld:Person:1"},
            "label": {"type": "LanguageProperty", "languageMap": {"sl": "Dvorana", "en": "Hall"}},
            "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [15.87, 46.42]}},
            "speed": [{"type": "Property", "value": 1}, {"type": "Property", "value": 2, "datasetId": "urn:ngsi-ld:Dataset:b"}]
        });
        parse::entity(&v, &RequestContext::core(), 5).unwrap()
    }

    #[test]
    fn the_three_forms() {
        let c = RequestContext::core();
        let e = sample();
        let n = entity(&e, &View::default(), &c);
        assert_eq!(n["name"], json!({"type": "Property", "value": "Hall"}));
        assert_eq!(n["owner"], json!({"type": "Relationship", "object": "urn:ngsi-ld:Person:1"}));
        assert_eq!(n["speed"].as_array().map(Vec::len), Some(2));
        let concise = entity(&e, &View { form: Form::Concise, ..View::default() }, &c);
        assert_eq!(concise["name"], json!("Hall"));
        assert_eq!(concise["temp"], json!({"value": 21, "unitCode": "CEL"}));
        assert_eq!(concise["owner"], json!({"object": "urn:ngsi-ld:Person:1"}));
        let kv = entity(&e, &View { form: Form::Simplified, ..View::default() }, &c);
        assert_eq!(kv["name"], json!("Hall"));
        assert_eq!(kv["owner"], json!("urn:ngsi-ld:Person:1"));
        assert_eq!(kv["speed"], json!({"dataset": {"@none": 1, "urn:ngsi-ld:Dataset:b": 2}}));
        assert_eq!(kv["label"], json!({"languageMap": {"sl": "Dvorana", "en": "Hall"}}));
        let sl = entity(&e, &View { lang: Some("sl".into()), ..View::default() }, &c);
        assert_eq!(sl["label"], json!({"type": "Property", "value": "Dvorana", "lang": "sl"}));
        let sys = entity(&e, &View { sys_attrs: true, ..View::default() }, &c);
        assert!(sys["createdAt"].is_string() && sys["name"]["modifiedAt"].is_string());
        let picked = entity(&e, &View { attrs: Some(vec![c.expand("name")]), ..View::default() }, &c);
        assert_eq!(picked.as_object().map(|o| o.len()), Some(3));
        let f = feature(&e, &View::default(), &c, &c.expand("location"));
        assert_eq!(
            (f["type"].clone(), f["geometry"]["type"].clone(), f["properties"]["type"].clone()),
            (json!("Feature"), json!("Point"), json!("Building"))
        );
    }
}
