//! DCAT-AP 3.0 for data.europa.eu and other harvesters: the catalogue
//! (paged, with `modified_since`) and each dataset, with distributions,
//! the live APIs as `dcat:DataService`, EU vocabularies for themes,
//! frequencies, file types, licences and access rights, and the high-value
//! dataset marks of Implementing Regulation (EU) 2023/138. Every node an
//! object points to is typed in the same graph, as the DCAT-AP range shapes
//! require. Serialised by oxrdfio (Turtle, JSON-LD, RDF/XML), which escapes
//! literals and checks IRIs.

use crate::config::CatalogConfig;
use crate::model::{self, Dataset, Format};
use crate::service::Entry;
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{BlankNode, Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use oxrdfio::{RdfFormat, RdfSerializer};
use std::collections::HashSet;

const DCAT: &str = "http://www.w3.org/ns/dcat#";
const DCT: &str = "http://purl.org/dc/terms/";
const FOAF: &str = "http://xmlns.com/foaf/0.1/";
const VCARD: &str = "http://www.w3.org/2006/vcard/ns#";
const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
const DCATAP: &str = "http://data.europa.eu/r5r/";
const ADMS: &str = "http://www.w3.org/ns/adms#";
const PROV: &str = "http://www.w3.org/ns/prov#";
const HYDRA: &str = "http://www.w3.org/ns/hydra/core#";
const LOCN: &str = "http://www.w3.org/ns/locn#";
const GSP: &str = "http://www.opengis.net/ont/geosparql#";
const ELI: &str = "http://data.europa.eu/eli/ontology#";
const SLV: &str = "http://publications.europa.eu/resource/authority/language/SLV";
const ENG: &str = "http://publications.europa.eu/resource/authority/language/ENG";

pub const PREFIXES: &[(&str, &str)] = &[
    ("dcat", DCAT),
    ("dct", DCT),
    ("foaf", FOAF),
    ("vcard", VCARD),
    ("skos", SKOS),
    ("dcatap", DCATAP),
    ("adms", ADMS),
    ("prov", PROV),
    ("hydra", HYDRA),
    ("locn", LOCN),
    ("gsp", GSP),
    ("eli", ELI),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
];

/// Triples in insertion order, without duplicates.
#[derive(Default)]
pub struct Graph {
    triples: Vec<Triple>,
    seen: HashSet<Triple>,
}

fn n(iri: &str) -> Option<NamedNode> {
    NamedNode::new(iri).ok()
}

impl Graph {
    pub fn triples(&self) -> &[Triple] {
        &self.triples
    }
    fn push(&mut self, s: &NamedOrBlankNode, p: &str, o: Term) {
        let Some(p) = n(p) else { return };
        let t = Triple::new(s.clone(), p, o);
        if self.seen.insert(t.clone()) {
            self.triples.push(t);
        }
    }
    /// An IRI object; an IRI that is not valid (a staff-typed address) is left out.
    fn iri(&mut self, s: &NamedOrBlankNode, p: &str, o: &str) -> bool {
        match n(o) {
            Some(o) => {
                self.push(s, p, o.into());
                true
            }
            None => {
                tracing::warn!(iri = o, "left out of DCAT-AP: not a valid IRI");
                false
            }
        }
    }
    fn a(&mut self, s: &NamedOrBlankNode, class: &str) {
        self.iri(s, rdf::TYPE.as_str(), class);
    }
    fn text(&mut self, s: &NamedOrBlankNode, p: &str, value: &str, lang: &str) {
        if value.trim().is_empty() {
            return;
        }
        if let Ok(l) = Literal::new_language_tagged_literal(value, lang) {
            self.push(s, p, l.into());
        }
    }
    fn plain(&mut self, s: &NamedOrBlankNode, p: &str, value: &str) {
        self.push(s, p, Literal::new_simple_literal(value).into());
    }
    fn typed(&mut self, s: &NamedOrBlankNode, p: &str, value: &str, datatype: oxrdf::NamedNodeRef<'_>) {
        self.push(s, p, Literal::new_typed_literal(value, datatype).into());
    }
    /// An object node with a type (and maybe a label), as the range shapes want.
    fn thing(&mut self, s: &NamedOrBlankNode, p: &str, o: &str, class: &str, label: Option<(&str, &str)>) {
        if self.iri(s, p, o) {
            let node = node(o);
            self.a(&node, class);
            if let Some((sl, en)) = label {
                self.text(&node, &format!("{SKOS}prefLabel"), sl, "sl");
                self.text(&node, &format!("{SKOS}prefLabel"), en, "en");
            }
        }
    }
    fn concept(&mut self, s: &NamedOrBlankNode, p: &str, o: &str, label: (&str, &str)) {
        self.thing(s, p, o, &format!("{SKOS}Concept"), Some(label));
    }
}

fn node(iri: &str) -> NamedOrBlankNode {
    match n(iri) {
        Some(x) => x.into(),
        None => BlankNode::default().into(),
    }
}

fn p(ns: &str, local: &str) -> String {
    format!("{ns}{local}")
}

/// What every graph needs: the base address, the publisher's name, the extent.
pub struct Context<'a> {
    pub base: &'a str,
    pub publisher_sl: &'a str,
    pub publisher_en: &'a str,
    pub contact_email: &'a str,
    pub config: &'a CatalogConfig,
}

impl Context<'_> {
    fn publisher(&self) -> String {
        format!("{}/catalog#publisher", self.base)
    }
    fn extent(&self) -> String {
        format!("{}/catalog#extent", self.base)
    }
    pub fn dataset_iri(&self, name: &str) -> String {
        format!("{}/dataset/{name}", self.base)
    }
}

fn publisher(g: &mut Graph, c: &Context, s: &NamedOrBlankNode) {
    g.iri(s, &p(DCT, "publisher"), &c.publisher());
    let a = node(&c.publisher());
    g.a(&a, &p(FOAF, "Agent"));
    g.text(&a, &p(FOAF, "name"), c.publisher_sl, "sl");
    g.text(&a, &p(FOAF, "name"), c.publisher_en, "en");
    g.concept(&a, &p(DCT, "type"), "http://purl.org/adms/publishertype/LocalAuthority", ("Lokalna oblast", "Local Authority"));
}

fn extent(g: &mut Graph, c: &Context, s: &NamedOrBlankNode, label: &str) {
    g.iri(s, &p(DCT, "spatial"), &c.extent());
    let l = node(&c.extent());
    g.a(&l, &p(DCT, "Location"));
    g.typed(&l, &p(DCAT, "bbox"), &c.config.wkt(), oxrdf::NamedNodeRef::new_unchecked("http://www.opengis.net/ont/geosparql#wktLiteral"));
    g.typed(
        &l,
        &p(DCAT, "centroid"),
        &c.config.centroid_wkt(),
        oxrdf::NamedNodeRef::new_unchecked("http://www.opengis.net/ont/geosparql#wktLiteral"),
    );
    g.text(&l, &p(SKOS, "prefLabel"), label, "sl");
}

fn licence(g: &mut Graph, s: &NamedOrBlankNode, code: &str) {
    let iri = format!("{}{code}", model::LICENCE_BASE);
    g.thing(s, &p(DCT, "license"), &iri, &p(DCT, "LicenseDocument"), None);
    let l = node(&iri);
    let kind = if code == "CC0" { "PublicDomain" } else { "Attribution" };
    g.concept(&l, &p(DCT, "type"), &format!("http://purl.org/adms/licencetype/{kind}"), (kind, kind));
}

fn language(g: &mut Graph, s: &NamedOrBlankNode) {
    g.thing(s, &p(DCT, "language"), SLV, &p(DCT, "LinguisticSystem"), None);
}

fn contact(g: &mut Graph, s: &NamedOrBlankNode, iri: &str, name: &str, email: &str) {
    g.iri(s, &p(DCAT, "contactPoint"), iri);
    let k = node(iri);
    g.a(&k, &p(VCARD, "Kind"));
    g.a(&k, &p(VCARD, "Organization"));
    g.text(&k, &p(VCARD, "fn"), name, "sl");
    if !email.is_empty() {
        g.iri(&k, &p(VCARD, "hasEmail"), &format!("mailto:{email}"));
    }
}

fn theme(g: &mut Graph, s: &NamedOrBlankNode, code: &str) {
    let t = model::term(model::THEMES, code);
    let iri = format!("{}{code}", model::THEME_BASE);
    g.concept(s, &p(DCAT, "theme"), &iri, t.map(|t| (t.sl, t.en)).unwrap_or((code, code)));
    g.iri(&node(&iri), &p(SKOS, "inScheme"), "http://publications.europa.eu/resource/authority/data-theme");
}

fn hvd(g: &mut Graph, s: &NamedOrBlankNode, d: &Dataset, category: bool) {
    let Some(h) = d.hvd else { return };
    g.thing(s, &p(DCATAP, "applicableLegislation"), model::HVD_LEGISLATION, &p(ELI, "LegalResource"), None);
    if category {
        let t = model::term(model::HVD_CATEGORIES, h);
        g.concept(s, &p(DCATAP, "hvdCategory"), &format!("{}{h}", model::HVD_BASE), t.map(|t| (t.sl, t.en)).unwrap_or((h, h)));
    }
}

fn date_time(t: kernel::Timestamp) -> String {
    t.rfc3339()
}

fn file_type(g: &mut Graph, s: &NamedOrBlankNode, code: &str) {
    let clean: String = code.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>().to_uppercase();
    if !clean.is_empty() {
        g.thing(s, &p(DCT, "format"), &format!("{}{clean}", model::FILE_TYPE_BASE), &p(DCT, "MediaTypeOrExtent"), None);
    }
}

/// One dataset with its distributions and services.
pub fn dataset(g: &mut Graph, c: &Context, e: &Entry) -> Vec<String> {
    let d = &e.dataset;
    let iri = c.dataset_iri(&d.name);
    let s = node(&iri);
    g.a(&s, &p(DCAT, "Dataset"));
    g.plain(&s, &p(DCT, "identifier"), &d.name);
    g.text(&s, &p(DCT, "title"), &d.title.sl, "sl");
    g.text(&s, &p(DCT, "title"), &d.title.en, "en");
    g.text(&s, &p(DCT, "description"), &d.description.sl, "sl");
    g.text(&s, &p(DCT, "description"), &d.description.en, "en");
    for k in &d.keywords {
        g.text(&s, &p(DCAT, "keyword"), k, "sl");
    }
    theme(g, &s, d.theme);
    publisher(g, c, &s);
    contact(g, &s, &format!("{iri}#contact"), &d.owner, if d.contact_email.is_empty() { c.contact_email } else { &d.contact_email });
    if let Some(f) = model::term(model::FREQUENCIES, d.frequency) {
        let fi = format!("{}{}", model::FREQUENCY_BASE, f.code);
        g.thing(&s, &p(DCT, "accrualPeriodicity"), &fi, &p(DCT, "Frequency"), None);
        g.text(&node(&fi), &p(SKOS, "prefLabel"), f.en, "en");
    }
    extent(g, c, &s, c.publisher_sl);
    if d.temporal.start.is_some() || d.temporal.end.is_some() {
        let t = node(&format!("{iri}#temporal"));
        g.iri(&s, &p(DCT, "temporal"), &format!("{iri}#temporal"));
        g.a(&t, &p(DCT, "PeriodOfTime"));
        for (key, v) in [("startDate", &d.temporal.start), ("endDate", &d.temporal.end)] {
            if let Some(v) = v {
                g.typed(&t, &p(DCAT, key), v, xsd::DATE);
            }
        }
    }
    g.typed(&s, &p(DCT, "issued"), &date_time(e.created), xsd::DATE_TIME);
    g.typed(&s, &p(DCT, "modified"), &date_time(e.modified), xsd::DATE_TIME);
    g.thing(&s, &p(DCT, "accessRights"), d.access.iri(), &p(DCT, "RightsStatement"), None);
    g.thing(&s, &p(DCAT, "landingPage"), &format!("{}/data/{}", c.base, d.name), &p(FOAF, "Document"), None);
    language(g, &s);
    for r in d.related.iter().chain(&d.derived_from) {
        g.iri(&s, &p(DCT, "relation"), &c.dataset_iri(r));
    }
    for r in &d.derived_from {
        g.iri(&s, &p(PROV, "wasDerivedFrom"), &c.dataset_iri(r));
    }
    hvd(g, &s, d, true);
    let mut services = vec![];
    for (i, a) in d.apis.iter().enumerate() {
        services.push(service(g, c, e, i, a));
    }
    for f in d.formats() {
        let url = format!("{}/data/{}.{}", c.base, d.name, f.extension());
        let dist = node(&format!("{iri}/distribution/{}", f.extension()));
        g.iri(&s, &p(DCAT, "distribution"), &format!("{iri}/distribution/{}", f.extension()));
        g.a(&dist, &p(DCAT, "Distribution"));
        g.text(&dist, &p(DCT, "title"), &format!("{} ({})", d.title.sl, f.name()), "sl");
        g.text(&dist, &p(DCT, "description"), &format!("{} – {}, ustvarjeno iz trenutnih podatkov.", d.title.sl, f.name()), "sl");
        g.text(&dist, &p(DCT, "description"), &format!("{} – {}, generated from current data.", d.title.en, f.name()), "en");
        g.iri(&dist, &p(DCAT, "accessURL"), &url);
        g.iri(&dist, &p(DCAT, "downloadURL"), &url);
        file_type(g, &dist, f.file_type());
        g.thing(&dist, &p(DCAT, "mediaType"), &format!("http://www.iana.org/assignments/media-types/{}", f.media_type()), &p(DCT, "MediaType"), None);
        licence(g, &dist, d.licence);
        g.concept(&dist, &p(DCATAP, "availability"), "http://data.europa.eu/r5r/availability/stable", ("Stabilno", "Stable"));
        g.typed(&dist, &p(DCT, "modified"), &date_time(e.modified), xsd::DATE_TIME);
        if f == Format::Csv {
            g.thing(&dist, &p(DCT, "conformsTo"), &format!("{}/data/{}.schema.json", c.base, d.name), &p(DCT, "Standard"), None);
        }
        for svc in &services {
            g.iri(&dist, &p(DCAT, "accessService"), svc);
        }
        hvd(g, &dist, d, false);
    }
    for (i, a) in d.apis.iter().enumerate() {
        // The API as a distribution too, so an HVD is reachable through it.
        let url = if a.url.starts_with("http") { a.url.clone() } else { format!("{}{}", c.base, a.url) };
        let di = format!("{iri}/distribution/api-{i}");
        let dist = node(&di);
        g.iri(&s, &p(DCAT, "distribution"), &di);
        g.a(&dist, &p(DCAT, "Distribution"));
        g.text(&dist, &p(DCT, "title"), &a.title.sl, "sl");
        g.text(&dist, &p(DCT, "title"), &a.title.en, "en");
        g.text(&dist, &p(DCT, "description"), &format!("Živi vmesnik: {}", a.title.sl), "sl");
        g.text(&dist, &p(DCT, "description"), &format!("Live interface: {}", a.title.en), "en");
        g.iri(&dist, &p(DCAT, "accessURL"), &url);
        g.iri(&dist, &p(DCAT, "accessService"), &services[i]);
        file_type(g, &dist, "JSON");
        licence(g, &dist, d.licence);
        g.concept(&dist, &p(DCATAP, "availability"), "http://data.europa.eu/r5r/availability/stable", ("Stabilno", "Stable"));
        hvd(g, &dist, d, false);
    }
    for (i, f) in d.external.iter().enumerate() {
        let di = format!("{iri}/distribution/file-{i}");
        let dist = node(&di);
        g.iri(&s, &p(DCAT, "distribution"), &di);
        g.a(&dist, &p(DCAT, "Distribution"));
        g.text(&dist, &p(DCT, "title"), &f.title, "sl");
        g.text(&dist, &p(DCT, "description"), &f.title, "sl");
        g.iri(&dist, &p(DCAT, "accessURL"), &f.url);
        g.iri(&dist, &p(DCAT, "downloadURL"), &f.url);
        file_type(g, &dist, &f.format);
        licence(g, &dist, d.licence);
        g.concept(&dist, &p(DCATAP, "availability"), "http://data.europa.eu/r5r/availability/available", ("Na voljo", "Available"));
    }
    services
}

/// A live API as a DataService; returns its IRI.
fn service(g: &mut Graph, c: &Context, e: &Entry, i: usize, a: &model::Api) -> String {
    let d = &e.dataset;
    let iri = format!("{}/service/{i}", c.dataset_iri(&d.name));
    let s = node(&iri);
    let url = if a.url.starts_with("http") { a.url.clone() } else { format!("{}{}", c.base, a.url) };
    g.a(&s, &p(DCAT, "DataService"));
    g.text(&s, &p(DCT, "title"), &a.title.sl, "sl");
    g.text(&s, &p(DCT, "title"), &a.title.en, "en");
    g.text(&s, &p(DCT, "description"), &format!("{} – {}", a.title.sl, d.title.sl), "sl");
    g.text(&s, &p(DCT, "description"), &format!("{} – {}", a.title.en, d.title.en), "en");
    g.iri(&s, &p(DCAT, "endpointURL"), &url);
    let description = a.conforms_to.clone().unwrap_or_else(|| format!("{}/api/openapi.json", c.base));
    g.iri(&s, &p(DCAT, "endpointDescription"), &description);
    let standard = a.conforms_to.clone().unwrap_or_else(|| "https://spec.openapis.org/oas/v3.1.0".into());
    g.thing(&s, &p(DCT, "conformsTo"), &standard, &p(DCT, "Standard"), None);
    g.iri(&s, &p(DCAT, "servesDataset"), &c.dataset_iri(&d.name));
    contact(
        g,
        &s,
        &format!("{}#contact", c.dataset_iri(&d.name)),
        &d.owner,
        if d.contact_email.is_empty() { c.contact_email } else { &d.contact_email },
    );
    publisher(g, c, &s);
    theme(g, &s, d.theme);
    for k in &d.keywords {
        g.text(&s, &p(DCAT, "keyword"), k, "sl");
    }
    g.text(&s, &p(DCAT, "keyword"), "API", "en");
    licence(g, &s, d.licence);
    g.thing(&s, &p(DCT, "accessRights"), d.access.iri(), &p(DCT, "RightsStatement"), None);
    hvd(g, &s, d, false);
    iri
}

/// A page of the catalogue.
pub struct CatalogPage<'a> {
    pub entries: &'a [Entry],
    /// Address of this page and its neighbours (Hydra paging), when paged.
    pub page: Option<Paging>,
    pub modified: kernel::Timestamp,
    pub issued: kernel::Timestamp,
}

pub struct Paging {
    pub this: String,
    pub first: String,
    pub last: String,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub total: usize,
}

pub fn catalog(c: &Context, page: &CatalogPage) -> Graph {
    let mut g = Graph::default();
    let iri = format!("{}/catalog", c.base);
    let s = node(&iri);
    g.a(&s, &p(DCAT, "Catalog"));
    g.text(&s, &p(DCT, "title"), &format!("Odprti podatki – {}", c.publisher_sl), "sl");
    g.text(&s, &p(DCT, "title"), &format!("Open data – {}", c.publisher_en), "en");
    g.text(&s, &p(DCT, "description"), &format!("Katalog odprtih podatkov: {}.", c.publisher_sl), "sl");
    g.text(&s, &p(DCT, "description"), &format!("The open data catalogue of {}.", c.publisher_en), "en");
    publisher(&mut g, c, &s);
    language(&mut g, &s);
    g.thing(&s, &p(DCT, "language"), ENG, &p(DCT, "LinguisticSystem"), None);
    g.typed(&s, &p(DCT, "issued"), &date_time(page.issued), xsd::DATE_TIME);
    g.typed(&s, &p(DCT, "modified"), &date_time(page.modified), xsd::DATE_TIME);
    licence(&mut g, &s, model::DEFAULT_LICENCE);
    extent(&mut g, c, &s, c.publisher_sl);
    g.thing(&s, &p(DCAT, "themeTaxonomy"), "http://publications.europa.eu/resource/authority/data-theme", &p(SKOS, "ConceptScheme"), None);
    g.text(&node("http://publications.europa.eu/resource/authority/data-theme"), &p(DCT, "title"), "Data theme", "en");
    g.thing(&s, &p(FOAF, "homepage"), &format!("{}/data", c.base), &p(FOAF, "Document"), None);
    for e in page.entries {
        g.iri(&s, &p(DCAT, "dataset"), &c.dataset_iri(&e.dataset.name));
        for svc in dataset(&mut g, c, e) {
            g.iri(&s, &p(DCAT, "service"), &svc);
        }
    }
    if let Some(pg) = &page.page {
        let v = node(&pg.this);
        g.iri(&s, &p(HYDRA, "view"), &pg.this);
        g.a(&v, &p(HYDRA, "PartialCollectionView"));
        g.iri(&v, &p(HYDRA, "first"), &pg.first);
        g.iri(&v, &p(HYDRA, "last"), &pg.last);
        if let Some(n) = &pg.next {
            g.iri(&v, &p(HYDRA, "next"), n);
        }
        if let Some(x) = &pg.previous {
            g.iri(&v, &p(HYDRA, "previous"), x);
        }
        g.typed(&v, &p(HYDRA, "totalItems"), &pg.total.to_string(), xsd::INTEGER);
    }
    g
}

/// One dataset on its own.
pub fn single(c: &Context, e: &Entry) -> Graph {
    let mut g = Graph::default();
    dataset(&mut g, c, e);
    g
}

/// The serialisations offered, by file extension.
pub fn format_of(ext: &str) -> Option<(RdfFormat, &'static str)> {
    match ext {
        "ttl" => Some((RdfFormat::Turtle, "text/turtle; charset=utf-8")),
        "jsonld" => Some((RdfFormat::JsonLd { profile: oxjsonld_profile() }, "application/ld+json")),
        "rdf" => Some((RdfFormat::RdfXml, "application/rdf+xml")),
        _ => None,
    }
}

fn oxjsonld_profile() -> oxrdfio::JsonLdProfileSet {
    oxrdfio::JsonLdProfileSet::empty()
}

pub fn serialize(g: &Graph, format: RdfFormat) -> Result<Vec<u8>, String> {
    let mut ser = RdfSerializer::from_format(format);
    for (prefix, iri) in PREFIXES {
        ser = ser.with_prefix(*prefix, *iri).map_err(|e| e.to_string())?;
    }
    let mut w = ser.for_writer(Vec::new());
    for t in g.triples() {
        w.serialize_triple(t).map_err(|e| e.to_string())?;
    }
    w.finish().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdfio::RdfParser;

    /// Literals with quotes, backslashes, new lines, angle brackets and
    /// non-ASCII letters come back unchanged from every serialisation.
    #[test]
    fn escaping_round_trips_in_every_format() {
        let mut g = Graph::default();
        let s = node("http://example.si/dataset/a");
        let tricky = "Čiščenje \"jarkov\" \\ ob <Dravi> & 'drugje'\nnova vrstica\t]]> }";
        g.text(&s, "http://purl.org/dc/terms/title", tricky, "sl");
        g.plain(&s, "http://purl.org/dc/terms/identifier", "a\"b");
        g.iri(&s, "http://www.w3.org/ns/dcat#landingPage", "http://example.si/data/a?x=1&y=%22");
        assert!(!g.iri(&s, "http://www.w3.org/ns/dcat#landingPage", "http://example.si/bad iri>"), "an invalid IRI is left out");
        for ext in ["ttl", "jsonld", "rdf"] {
            let (format, _) = format_of(ext).unwrap();
            let bytes = serialize(&g, format).unwrap();
            let back: HashSet<Triple> = RdfParser::from_format(format).for_reader(bytes.as_slice()).map(|q| Triple::from(q.unwrap())).collect();
            let want: HashSet<Triple> = g.triples().iter().cloned().collect();
            assert_eq!(back, want, "{ext}: {}", String::from_utf8_lossy(&bytes));
        }
    }
}
