//! JSON-LD `@context` handling for NGSI-LD: enough of JSON-LD 1.1 to turn the
//! short names a client uses (entity types, attribute names, vocabulary
//! values) into IRIs and back. The core context is embedded and never
//! fetched; user contexts come inline, from the body or from a `Link` header,
//! and remote ones are fetched once and cached. The core context is applied
//! last, so a user context cannot redefine its terms.

use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};
use std::time::{Duration, Instant};

/// The core context every response names by default.
pub const CORE_CONTEXT_URL: &str = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld";
/// Where short names without a definition go (the core context's `@vocab`).
pub const DEFAULT_VOCAB: &str = "https://uri.etsi.org/ngsi-ld/default-context/";
const CORE_JSON: &str = include_str!("../core-context.jsonld");
/// Nested remote contexts deeper than this are refused (loops, abuse).
const MAX_DEPTH: usize = 8;
const MAX_CONTEXT_BYTES: usize = 1024 * 1024;
const FETCHED_TTL: Duration = Duration::from_secs(6 * 3600);
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Any published version of the core context: all are served by the embedded one.
pub fn is_core_url(url: &str) -> bool {
    static CORE_URL: LazyLock<regex_lite::Regex> = LazyLock::new(|| {
        regex_lite::Regex::new(r"^https?://uri\.etsi\.org/ngsi-ld/(v\d+(\.\d+)*/)?ngsi-ld-core-context(-v\d+(\.\d+)*)?\.jsonld$").expect("regex")
    });
    CORE_URL.is_match(url)
}

/// How a term's values are read (its `@type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    Plain,
    /// `@id`: an IRI, not expanded against the vocabulary.
    Id,
    /// `@vocab`: a term, expanded like names are.
    Vocab,
    /// `@json`: opaque JSON.
    Json,
}

#[derive(Clone, Debug)]
struct Term {
    iri: String,
    value_type: ValueType,
}

/// The terms in force for one request.
#[derive(Clone, Debug, Default)]
pub struct ActiveContext {
    terms: HashMap<String, Term>,
    vocab: Option<String>,
    /// IRI → the term that compacts to it (the shortest, then the first in order).
    reverse: HashMap<String, String>,
}

static CORE: LazyLock<Arc<ActiveContext>> = LazyLock::new(|| {
    let doc: Value = serde_json::from_str(CORE_JSON).expect("the embedded core context is JSON");
    let mut ctx = ActiveContext::default();
    ctx.apply_local(doc.get("@context").and_then(Value::as_object).expect("the core context has an @context object"))
        .expect("the embedded core context is valid");
    ctx.index();
    Arc::new(ctx)
});

/// The core context, as parsed from the embedded document.
pub fn core_document() -> Value {
    serde_json::from_str(CORE_JSON).unwrap_or(Value::Null)
}

impl ActiveContext {
    /// Only the core context.
    pub fn core() -> Arc<ActiveContext> {
        CORE.clone()
    }

    fn index(&mut self) {
        let mut reverse: HashMap<String, String> = HashMap::new();
        let mut terms: Vec<(&String, &Term)> = self.terms.iter().collect();
        // Shortest term first, then alphabetical: the JSON-LD term selection tie-break.
        terms.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then(a.0.cmp(b.0)));
        for (name, t) in terms {
            if name.contains(':') {
                continue;
            }
            reverse.entry(t.iri.clone()).or_insert_with(|| name.clone());
        }
        self.reverse = reverse;
    }

    /// A short name (or compact IRI) as an IRI, relative to the vocabulary.
    pub fn expand(&self, name: &str) -> String {
        if let Some(t) = self.terms.get(name) {
            return t.iri.clone();
        }
        if let Some(iri) = self.expand_prefixed(name) {
            return iri;
        }
        match &self.vocab {
            Some(v) if !name.is_empty() && !name.starts_with('@') => format!("{v}{name}"),
            _ => name.to_string(),
        }
    }

    /// `prefix:suffix` with a known prefix, or an absolute IRI as it is.
    fn expand_prefixed(&self, name: &str) -> Option<String> {
        let (prefix, suffix) = name.split_once(':')?;
        if suffix.starts_with("//") || prefix == "_" {
            return Some(name.to_string());
        }
        if let Some(t) = self.terms.get(prefix) {
            return Some(format!("{}{suffix}", t.iri));
        }
        // A scheme we do not know as a prefix: an absolute IRI (urn:, http:, …).
        Some(name.to_string())
    }

    /// An IRI as the shortest name this context gives it.
    pub fn compact(&self, iri: &str) -> String {
        if let Some(t) = self.reverse.get(iri) {
            return t.clone();
        }
        if let Some(v) = &self.vocab
            && let Some(rest) = iri.strip_prefix(v.as_str())
            && !rest.is_empty()
            && !self.terms.contains_key(rest)
        {
            return rest.to_string();
        }
        // A compact IRI with a prefix term whose IRI ends in a delimiter.
        let mut best: Option<String> = None;
        for (name, t) in &self.terms {
            if name.contains(':') || !t.iri.ends_with(['/', '#', ':', '?', '@', '[', ']']) {
                continue;
            }
            if let Some(rest) = iri.strip_prefix(t.iri.as_str())
                && !rest.is_empty()
            {
                let candidate = format!("{name}:{rest}");
                if best.as_ref().is_none_or(|b| candidate.len() < b.len() || (candidate.len() == b.len() && candidate < *b)) {
                    best = Some(candidate);
                }
            }
        }
        best.unwrap_or_else(|| iri.to_string())
    }

    /// How values of the term with this IRI are typed (`vocab`, `object`, …).
    pub fn value_type_of(&self, iri: &str) -> ValueType {
        self.reverse.get(iri).and_then(|t| self.terms.get(t)).map(|t| t.value_type).unwrap_or(ValueType::Plain)
    }

    /// Process one local context object (the JSON-LD "create term definition" steps we need).
    fn apply_local(&mut self, local: &Map<String, Value>) -> Result<(), String> {
        if let Some(v) = local.get("@vocab") {
            self.vocab = match v {
                Value::Null => None,
                Value::String(s) if s.is_empty() => self.vocab.clone(),
                Value::String(s) => Some(self.expand_in(local, s, &mut Vec::new())?),
                _ => return Err("@vocab must be a string or null".into()),
            };
        }
        let mut defined: HashMap<String, Option<Term>> = HashMap::new();
        for name in local.keys() {
            if name.starts_with('@') {
                continue;
            }
            self.define(local, name, &mut defined, &mut Vec::new())?;
        }
        for (name, t) in defined {
            match t {
                Some(t) => {
                    self.terms.insert(name, t);
                }
                None => {
                    self.terms.remove(&name);
                }
            }
        }
        Ok(())
    }

    fn define(
        &self,
        local: &Map<String, Value>,
        name: &str,
        defined: &mut HashMap<String, Option<Term>>,
        stack: &mut Vec<String>,
    ) -> Result<(), String> {
        if defined.contains_key(name) {
            return Ok(());
        }
        if stack.iter().any(|s| s == name) {
            return Err(format!("cyclic term definition: {name}"));
        }
        stack.push(name.to_string());
        let def = &local[name];
        let (id, value_type) = match def {
            Value::Null => {
                defined.insert(name.to_string(), None);
                stack.pop();
                return Ok(());
            }
            Value::String(s) => (Some(s.clone()), ValueType::Plain),
            Value::Object(o) => {
                let value_type = match o.get("@type").and_then(Value::as_str) {
                    Some("@id") => ValueType::Id,
                    Some("@vocab") => ValueType::Vocab,
                    Some("@json") => ValueType::Json,
                    _ => ValueType::Plain,
                };
                match o.get("@id") {
                    Some(Value::String(s)) => (Some(s.clone()), value_type),
                    Some(Value::Null) => {
                        defined.insert(name.to_string(), None);
                        stack.pop();
                        return Ok(());
                    }
                    None => (None, value_type),
                    Some(_) => return Err(format!("the @id of {name} must be a string")),
                }
            }
            _ => return Err(format!("the definition of {name} must be a string or an object")),
        };
        let iri = match id {
            Some(s) if s.starts_with('@') => s,
            Some(s) => {
                // A prefix or term used in the value may be defined in this same local context.
                if let Some((p, _)) = s.split_once(':')
                    && local.contains_key(p)
                    && p != name
                {
                    self.define(local, p, defined, stack)?;
                }
                if local.contains_key(s.as_str()) && s != name {
                    self.define(local, &s, defined, stack)?;
                }
                self.expand_with(defined, &s)
            }
            None => {
                // No @id: the term is itself a compact or absolute IRI, or vocab-relative.
                if let Some((p, _)) = name.split_once(':')
                    && local.contains_key(p)
                {
                    self.define(local, p, defined, stack)?;
                }
                self.expand_with(defined, name)
            }
        };
        defined.insert(name.to_string(), Some(Term { iri, value_type }));
        stack.pop();
        Ok(())
    }

    /// Expand with the terms defined so far in the local context taking precedence.
    fn expand_with(&self, defined: &HashMap<String, Option<Term>>, s: &str) -> String {
        if let Some(Some(t)) = defined.get(s) {
            return t.iri.clone();
        }
        if let Some((p, rest)) = s.split_once(':')
            && !rest.starts_with("//")
            && let Some(Some(t)) = defined.get(p)
        {
            return format!("{}{rest}", t.iri);
        }
        self.expand(s)
    }

    fn expand_in(&self, local: &Map<String, Value>, s: &str, stack: &mut Vec<String>) -> Result<String, String> {
        let mut defined = HashMap::new();
        if let Some((p, _)) = s.split_once(':')
            && local.contains_key(p)
        {
            self.define(local, p, &mut defined, stack)?;
        }
        Ok(self.expand_with(&defined, s))
    }
}

/// A request's context: what the client sent (echoed back in responses) and
/// the terms it yields.
#[derive(Clone, Debug)]
pub struct RequestContext {
    /// The `@context` value as given, or the core context's URL.
    pub raw: Value,
    pub active: Arc<ActiveContext>,
}

impl RequestContext {
    pub fn core() -> RequestContext {
        RequestContext { raw: Value::String(CORE_CONTEXT_URL.into()), active: ActiveContext::core() }
    }
    pub fn is_core(&self) -> bool {
        matches!(&self.raw, Value::String(u) if is_core_url(u))
    }
    pub fn expand(&self, name: &str) -> String {
        self.active.expand(name)
    }
    pub fn compact(&self, iri: &str) -> String {
        self.active.compact(iri)
    }
    /// The `Link` header naming this context (only for a single URL; otherwise the core).
    pub fn link_url(&self) -> String {
        match &self.raw {
            Value::String(u) => u.clone(),
            _ => CORE_CONTEXT_URL.to_string(),
        }
    }
}

/// Why a context could not be used.
#[derive(Debug)]
pub enum ContextError {
    /// The document is not a valid context.
    Invalid(String),
    /// A remote context could not be retrieved.
    Unavailable(String),
}

/// Fetches remote contexts and remembers what they yield.
pub struct Contexts {
    http: reqwest::Client,
    documents: RwLock<HashMap<String, (Arc<Value>, Instant)>>,
    resolved: RwLock<HashMap<String, Arc<ActiveContext>>>,
    /// Documents put here by hand (tests, or contexts a municipality serves itself).
    pinned: RwLock<HashMap<String, Arc<Value>>>,
}

impl Default for Contexts {
    fn default() -> Self {
        Contexts {
            http: reqwest::Client::builder().timeout(FETCH_TIMEOUT).redirect(reqwest::redirect::Policy::limited(3)).build().unwrap_or_default(),
            documents: RwLock::default(),
            resolved: RwLock::default(),
            pinned: RwLock::default(),
        }
    }
}

impl Contexts {
    /// Serve this document for this URL without fetching it.
    pub fn pin(&self, url: &str, doc: Value) {
        self.pinned.write().expect("contexts lock").insert(url.to_string(), Arc::new(doc));
        self.resolved.write().expect("contexts lock").clear();
    }

    /// URLs of the remote contexts held now, with whether they were fetched or pinned.
    pub fn cached(&self) -> Vec<(String, Arc<Value>, &'static str)> {
        let mut out: Vec<(String, Arc<Value>, &'static str)> =
            self.pinned.read().expect("contexts lock").iter().map(|(u, d)| (u.clone(), d.clone(), "hosted")).collect();
        out.extend(self.documents.read().expect("contexts lock").iter().map(|(u, (d, _))| (u.clone(), d.clone(), "cached")));
        out
    }

    /// Forget a fetched context (it is fetched again when next used).
    pub fn forget(&self, url: &str) -> bool {
        let removed =
            self.documents.write().expect("contexts lock").remove(url).is_some() | self.pinned.write().expect("contexts lock").remove(url).is_some();
        self.resolved.write().expect("contexts lock").clear();
        removed
    }

    /// The terms a context value yields, user terms first and the core last.
    /// `may_fetch`: whether unknown remote contexts may be fetched for this caller.
    pub async fn resolve(&self, raw: &Value, may_fetch: bool) -> Result<RequestContext, ContextError> {
        let key = raw.to_string();
        if let Some(active) = self.resolved.read().expect("contexts lock").get(&key) {
            return Ok(RequestContext { raw: raw.clone(), active: active.clone() });
        }
        let mut ctx = ActiveContext::default();
        self.apply(&mut ctx, raw, may_fetch, 0).await?;
        // The core context last: its terms are protected.
        let core = ActiveContext::core();
        for (k, v) in &core.terms {
            ctx.terms.insert(k.clone(), v.clone());
        }
        if ctx.vocab.is_none() {
            ctx.vocab = core.vocab.clone();
        }
        ctx.index();
        let active = Arc::new(ctx);
        let mut cache = self.resolved.write().expect("contexts lock");
        if cache.len() > 1000 {
            cache.clear();
        }
        cache.insert(key, active.clone());
        Ok(RequestContext { raw: raw.clone(), active })
    }

    fn apply<'a>(
        &'a self,
        ctx: &'a mut ActiveContext,
        raw: &'a Value,
        may_fetch: bool,
        depth: usize,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ContextError>> + Send + 'a>> {
        Box::pin(async move {
            if depth > MAX_DEPTH {
                return Err(ContextError::Invalid("contexts are nested too deeply".into()));
            }
            match raw {
                Value::Null => {
                    *ctx = ActiveContext::default();
                    Ok(())
                }
                Value::String(url) => {
                    if is_core_url(url) {
                        return Ok(());
                    }
                    let doc = self.document(url, may_fetch).await?;
                    let inner = doc.get("@context").ok_or_else(|| ContextError::Invalid(format!("{url} has no @context")))?;
                    self.apply(ctx, inner, may_fetch, depth + 1).await
                }
                Value::Array(items) => {
                    for item in items {
                        self.apply(ctx, item, may_fetch, depth + 1).await?;
                    }
                    Ok(())
                }
                Value::Object(local) => ctx.apply_local(local).map_err(ContextError::Invalid),
                _ => Err(ContextError::Invalid("a @context is a URL, an object or an array of them".into())),
            }
        })
    }

    async fn document(&self, url: &str, may_fetch: bool) -> Result<Arc<Value>, ContextError> {
        if let Some(d) = self.pinned.read().expect("contexts lock").get(url) {
            return Ok(d.clone());
        }
        if let Some((d, at)) = self.documents.read().expect("contexts lock").get(url)
            && at.elapsed() < FETCHED_TTL
        {
            return Ok(d.clone());
        }
        let parsed = reqwest::Url::parse(url).map_err(|_| ContextError::Invalid(format!("{url} is not a URL")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ContextError::Invalid(format!("{url}: only http and https contexts are fetched")));
        }
        if !may_fetch {
            return Err(ContextError::Unavailable(format!("{url} is not known here yet; it is fetched when a writer first uses it")));
        }
        let fetched = self.fetch(url).await;
        match fetched {
            Ok(doc) => {
                let doc = Arc::new(doc);
                self.documents.write().expect("contexts lock").insert(url.to_string(), (doc.clone(), Instant::now()));
                Ok(doc)
            }
            // A stale copy beats none when the publisher is down.
            Err(e) => match self.documents.read().expect("contexts lock").get(url) {
                Some((d, _)) => Ok(d.clone()),
                None => Err(e),
            },
        }
    }

    async fn fetch(&self, url: &str) -> Result<Value, ContextError> {
        let unavailable = |e: String| ContextError::Unavailable(format!("{url}: {e}"));
        let resp = self
            .http
            .get(url)
            .header(reqwest::header::ACCEPT, "application/ld+json, application/json;q=0.9")
            .send()
            .await
            .map_err(|e| unavailable(e.without_url().to_string()))?;
        if !resp.status().is_success() {
            return Err(unavailable(format!("answered {}", resp.status())));
        }
        if resp.content_length().is_some_and(|n| n as usize > MAX_CONTEXT_BYTES) {
            return Err(unavailable("too large".into()));
        }
        let bytes = resp.bytes().await.map_err(|e| unavailable(e.without_url().to_string()))?;
        if bytes.len() > MAX_CONTEXT_BYTES {
            return Err(unavailable("too large".into()));
        }
        // Retrieved but unusable: the client's mistake, not an outage.
        let doc: Value = serde_json::from_slice(&bytes).map_err(|e| ContextError::Invalid(format!("{url} is not JSON: {e}")))?;
        if doc.get("@context").is_none() {
            return Err(ContextError::Invalid(format!("{url} is not a JSON-LD context (no @context)")));
        }
        Ok(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    async fn with(local: Value) -> RequestContext {
        Contexts::default().resolve(&local, false).await.unwrap()
    }

    #[test]
    fn core_context_urls() {
        assert!(is_core_url("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"));
        assert!(is_core_url("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"));
        assert!(!is_core_url("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-non-existing.jsonld"));
    }

    #[tokio::test]
    async fn core_terms_and_the_default_vocabulary() {
        let c = RequestContext::core();
        assert_eq!(c.expand("Building"), "https://uri.etsi.org/ngsi-ld/default-context/Building");
        assert_eq!(c.compact("https://uri.etsi.org/ngsi-ld/default-context/Building"), "Building");
        assert_eq!(c.expand("location"), "https://uri.etsi.org/ngsi-ld/location");
        assert_eq!(c.compact("https://uri.etsi.org/ngsi-ld/location"), "location");
        assert_eq!(c.expand("description"), "http://purl.org/dc/terms/description");
        assert_eq!(c.compact("https://example.org/x#y"), "https://example.org/x#y");
        assert_eq!(c.expand("urn:ngsi-ld:Thing"), "urn:ngsi-ld:Thing");
        assert_eq!(c.expand("ngsi-ld:foo"), "https://uri.etsi.org/ngsi-ld/foo");
    }

    #[tokio::test]
    async fn user_terms_prefixes_and_their_own_vocabulary() {
        let c = with(json!({
            "ex": "https://example.org/ns#",
            "Building": "ex:Building",
            "name": {"@id": "ex:name"},
            "category": {"@id": "ex:category", "@type": "@vocab"},
            "status": "ex:status",
        }))
        .await;
        assert_eq!(c.expand("Building"), "https://example.org/ns#Building");
        assert_eq!(c.compact("https://example.org/ns#Building"), "Building");
        assert_eq!(c.expand("name"), "https://example.org/ns#name");
        assert_eq!(c.compact("https://example.org/ns#other"), "ex:other");
        assert_eq!(c.active.value_type_of("https://example.org/ns#category"), ValueType::Vocab);
        assert_eq!(c.expand("status"), "https://uri.etsi.org/ngsi-ld/status", "core terms are protected");
        assert_eq!(c.expand("unknown"), "https://uri.etsi.org/ngsi-ld/default-context/unknown");
        let v = with(json!([{"@vocab": "https://vocab.example/"}])).await;
        assert_eq!(v.expand("thing"), "https://vocab.example/thing");
        assert_eq!(v.compact("https://vocab.example/thing"), "thing");
    }

    #[tokio::test]
    async fn pinned_documents_and_unknown_remote_ones() {
        let contexts = Contexts::default();
        contexts.pin("http://ctx.example/a.jsonld", json!({"@context": {"Road": "https://roads.example/Road"}}));
        let c = contexts.resolve(&json!(["http://ctx.example/a.jsonld", CORE_CONTEXT_URL]), false).await.unwrap();
        assert_eq!(c.expand("Road"), "https://roads.example/Road");
        let missing = contexts.resolve(&json!("http://ctx.example/missing.jsonld"), false).await;
        assert!(matches!(missing, Err(ContextError::Unavailable(_))));
        let bad = contexts.resolve(&json!(42), false).await;
        assert!(matches!(bad, Err(ContextError::Invalid(_))));
    }
}
