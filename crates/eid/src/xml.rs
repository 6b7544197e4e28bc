//! A small XML tree with resolved namespaces and Exclusive XML
//! Canonicalization 1.0 (without comments), enough to verify XML signatures
//! on SAML messages. DTDs are refused (no entity tricks); comments are
//! dropped, as exclusive c14n without comments drops them, and text is read
//! as the concatenation of all text children so that what is read is what
//! was signed.

use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    #[error("malformed XML: {0}")]
    Malformed(String),
    #[error("DTDs are not accepted")]
    Dtd,
}

#[derive(Clone, Debug)]
pub enum Node {
    Element(Element),
    Text(String),
    /// A processing instruction inside the document element (kept by c14n).
    Pi(String),
}

/// Limits that keep a hostile document from exhausting stack or memory.
pub const MAX_DEPTH: usize = 64;
pub const MAX_ELEMENTS: usize = 10_000;
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

#[derive(Clone, Debug)]
pub struct Element {
    /// The qualified name as written (`saml:Assertion`).
    pub qname: String,
    /// Namespace URI of the element ("" for none).
    pub ns: String,
    /// Attributes as written, namespace declarations included, values unescaped.
    pub attrs: Vec<(String, String)>,
    /// Every namespace binding in scope here (prefix "" is the default namespace).
    pub scope: BTreeMap<String, String>,
    pub children: Vec<Node>,
}

fn prefix_of(qname: &str) -> &str {
    qname.split_once(':').map(|(p, _)| p).unwrap_or("")
}

pub fn local_of(qname: &str) -> &str {
    qname.split_once(':').map(|(_, l)| l).unwrap_or(qname)
}

impl Element {
    pub fn local(&self) -> &str {
        local_of(&self.qname)
    }

    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.ns == ns && self.local() == local
    }

    /// An attribute without a namespace prefix (SAML's ID, Version, …).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            _ => None,
        })
    }

    pub fn children_named<'a>(&'a self, ns: &'a str, local: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements().filter(move |e| e.is(ns, local))
    }

    /// The only child with this name; None if there are none or several.
    pub fn only_child(&self, ns: &str, local: &str) -> Option<&Element> {
        let mut found = None;
        for e in self.elements().filter(|e| e.is(ns, local)) {
            if found.is_some() {
                return None;
            }
            found = Some(e);
        }
        found
    }

    /// All text content directly inside, trimmed.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for n in &self.children {
            if let Node::Text(t) = n {
                s.push_str(t);
            }
        }
        s.trim().to_string()
    }
}

/// Parse a document and return its root element.
pub fn parse(input: &str) -> Result<Element, XmlError> {
    use quick_xml::events::Event;
    // XML end-of-line handling (XML 1.0 §2.11) before anything else.
    let normalized = input.replace("\r\n", "\n").replace('\r', "\n");
    let mut reader = quick_xml::Reader::from_str(&normalized);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = vec![];
    let mut root: Option<Element> = None;
    let mut elements = 0usize;
    let bad = |e: &dyn std::fmt::Display| XmlError::Malformed(e.to_string());
    loop {
        let ev = reader.read_event().map_err(|e| bad(&e))?;
        match ev {
            Event::DocType(_) => return Err(XmlError::Dtd),
            Event::Start(s) | Event::Empty(s) if root.is_some() => {
                let _ = s;
                return Err(XmlError::Malformed("content after the root element".into()));
            }
            Event::Start(ref s) | Event::Empty(ref s) => {
                elements += 1;
                if stack.len() >= MAX_DEPTH || elements > MAX_ELEMENTS {
                    return Err(XmlError::Malformed("document too deep or too large".into()));
                }
                let qname = String::from_utf8(s.name().as_ref().to_vec()).map_err(|e| bad(&e))?;
                let mut attrs = vec![];
                for a in s.attributes() {
                    let a = a.map_err(|e| bad(&e))?;
                    let key = String::from_utf8(a.key.as_ref().to_vec()).map_err(|e| bad(&e))?;
                    // Attribute-value normalization (XML 1.0 §3.3.3): literal white space becomes a space.
                    let raw = String::from_utf8(a.value.to_vec()).map_err(|e| bad(&e))?.replace(['\t', '\n'], " ");
                    let value = quick_xml::escape::unescape(&raw).map_err(|e| bad(&e))?.into_owned();
                    attrs.push((key, value));
                }
                let mut scope = stack.last().map(|p| p.scope.clone()).unwrap_or_else(|| BTreeMap::from([("xml".to_string(), XML_NS.to_string())]));
                for (k, v) in &attrs {
                    if k == "xmlns" {
                        scope.insert(String::new(), v.clone());
                    } else if let Some(p) = k.strip_prefix("xmlns:") {
                        scope.insert(p.to_string(), v.clone());
                    }
                }
                let prefix = prefix_of(&qname);
                let ns = match scope.get(prefix) {
                    Some(u) => u.clone(),
                    None if prefix.is_empty() => String::new(),
                    None => return Err(XmlError::Malformed(format!("undeclared prefix {prefix}"))),
                };
                let el = Element { qname, ns, attrs, scope, children: vec![] };
                if matches!(ev, Event::Empty(_)) {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(Node::Element(el)),
                        None => root = Some(el),
                    }
                } else {
                    stack.push(el);
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or_else(|| XmlError::Malformed("unbalanced end tag".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                if let Some(parent) = stack.last_mut() {
                    let text = t.unescape().map_err(|e| bad(&e))?.into_owned();
                    parent.children.push(Node::Text(text));
                } else if !t.iter().all(|b| b.is_ascii_whitespace()) {
                    return Err(XmlError::Malformed("text outside the root element".into()));
                }
            }
            Event::CData(c) => {
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Node::Text(String::from_utf8(c.into_inner().to_vec()).map_err(|e| bad(&e))?));
                }
            }
            Event::PI(pi) => {
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Node::Pi(String::from_utf8(pi.to_vec()).map_err(|e| bad(&e))?));
                }
            }
            Event::Comment(_) | Event::Decl(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed("unclosed element".into()));
    }
    root.ok_or_else(|| XmlError::Malformed("no root element".into()))
}

fn escape_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}

fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}

/// Exclusive c14n of `el` as the apex of the output, leaving out the child
/// element `skip` (by address; the enveloped signature), with the
/// InclusiveNamespaces prefix list treated as in inclusive c14n.
pub fn exc_c14n(el: &Element, skip: Option<&Element>, inclusive: &[String]) -> String {
    let mut out = String::new();
    render(el, skip, inclusive, &BTreeMap::new(), &mut out);
    out
}

fn render(el: &Element, skip: Option<&Element>, inclusive: &[String], rendered: &BTreeMap<String, String>, out: &mut String) {
    // Namespaces visibly utilized by the element and its attributes (exc-c14n §3).
    let mut needed: Vec<String> = vec![prefix_of(&el.qname).to_string()];
    for (k, _) in &el.attrs {
        let p = prefix_of(k);
        if !p.is_empty() && p != "xmlns" && p != "xml" && k != "xmlns" && !k.starts_with("xmlns:") {
            needed.push(p.to_string());
        }
    }
    for p in inclusive {
        let key = if p == "#default" { String::new() } else { p.clone() };
        if el.scope.contains_key(&key) {
            needed.push(key);
        }
    }
    needed.sort();
    needed.dedup();
    let mut now_rendered = rendered.clone();
    let mut decls: Vec<(String, String)> = vec![];
    for p in needed {
        let uri = el.scope.get(&p).cloned().unwrap_or_default();
        let already = rendered.get(&p).cloned().unwrap_or_default();
        if uri != already {
            decls.push((p.clone(), uri.clone()));
            now_rendered.insert(p, uri);
        }
    }
    out.push('<');
    out.push_str(&el.qname);
    for (p, uri) in &decls {
        if p.is_empty() {
            out.push_str(" xmlns=\"");
        } else {
            out.push_str(" xmlns:");
            out.push_str(p);
            out.push_str("=\"");
        }
        escape_attr(uri, out);
        out.push('"');
    }
    let mut attrs: Vec<(String, &str, &str, &str)> = el
        .attrs
        .iter()
        .filter(|(k, _)| k != "xmlns" && !k.starts_with("xmlns:"))
        .map(|(k, v)| {
            let p = prefix_of(k);
            let ns = if p.is_empty() { String::new() } else { el.scope.get(p).cloned().unwrap_or_default() };
            (ns, local_of(k), k.as_str(), v.as_str())
        })
        .collect();
    attrs.sort_by(|a, b| (a.0.as_str(), a.1).cmp(&(b.0.as_str(), b.1)));
    for (_, _, k, v) in attrs {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        escape_attr(v, out);
        out.push('"');
    }
    out.push('>');
    for child in &el.children {
        match child {
            Node::Text(t) => escape_text(t, out),
            Node::Pi(pi) => {
                out.push_str("<?");
                out.push_str(pi);
                out.push_str("?>");
            }
            Node::Element(c) => {
                if skip.is_some_and(|s| std::ptr::eq(s, c)) {
                    continue;
                }
                render(c, skip, inclusive, &now_rendered, out);
            }
        }
    }
    out.push_str("</");
    out.push_str(&el.qname);
    out.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusive_c14n_renders_only_utilized_namespaces_sorted() {
        let doc =
            r#"<a:root xmlns:a="urn:a" xmlns:b="urn:b" xmlns:unused="urn:u"><b:child z="1" a:y="2" x="3">t &amp; &lt;</b:child><a:e/></a:root>"#;
        let root = parse(doc).unwrap();
        let child = root.elements().next().unwrap();
        assert_eq!(exc_c14n(child, None, &[]), r#"<b:child xmlns:a="urn:a" xmlns:b="urn:b" x="3" z="1" a:y="2">t &amp; &lt;</b:child>"#);
        assert_eq!(
            exc_c14n(&root, None, &[]),
            r#"<a:root xmlns:a="urn:a"><b:child xmlns:b="urn:b" x="3" z="1" a:y="2">t &amp; &lt;</b:child><a:e></a:e></a:root>"#
        );
        assert_eq!(
            exc_c14n(&root, None, &["unused".into()]),
            r#"<a:root xmlns:a="urn:a" xmlns:unused="urn:u"><b:child xmlns:b="urn:b" x="3" z="1" a:y="2">t &amp; &lt;</b:child><a:e></a:e></a:root>"#
        );
    }

    #[test]
    fn default_namespace_and_attribute_escaping() {
        let root = parse("<r xmlns=\"urn:d\"><c a=\"&quot;x&#xA;\ty\"/></r>").unwrap();
        assert_eq!(root.ns, "urn:d");
        assert_eq!(exc_c14n(&root, None, &[]), "<r xmlns=\"urn:d\"><c a=\"&quot;x&#xA; y\"></c></r>");
    }

    #[test]
    fn dtds_and_trailing_content_are_refused() {
        assert!(matches!(parse("<!DOCTYPE x [<!ENTITY e 'boom'>]><x>&e;</x>"), Err(XmlError::Dtd)));
        assert!(parse("<a/><b/>").is_err());
        assert!(parse("<p:a/>").is_err());
    }

    #[test]
    fn deep_documents_are_refused_without_recursion() {
        let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
        assert!(parse(&deep).is_err());
        let wide = format!("<r>{}</r>", "<a/>".repeat(MAX_ELEMENTS + 1));
        assert!(parse(&wide).is_err());
    }

    #[test]
    fn xml_attributes_sort_by_their_namespace_and_pis_are_kept() {
        let root = parse(r#"<r xml:lang="sl" b="1"><?pi data?></r>"#).unwrap();
        assert_eq!(exc_c14n(&root, None, &[]), r#"<r b="1" xml:lang="sl"><?pi data?></r>"#);
    }

    #[test]
    fn comments_are_dropped_and_text_is_joined() {
        let root = parse("<n>admin<!-- x -->@evil.example</n>").unwrap();
        assert_eq!(root.text(), "admin@evil.example");
        assert_eq!(exc_c14n(&root, None, &[]), "<n>admin@evil.example</n>");
    }
}
