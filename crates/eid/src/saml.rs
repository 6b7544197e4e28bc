//! SAML 2.0 Web Browser SSO, service-provider side: a signed AuthnRequest by
//! HTTP-Redirect, a signed Response by HTTP-POST, checked by the rules of
//! the SAML 2.0 profiles (§4.1.4): issuer, destination, status, signature,
//! audience, validity window, bearer confirmation, InResponseTo.

use crate::dsig::{self, DSIG, DsigError};
use crate::xml::{self, Element};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use kernel::Timestamp;
use kernel::layout::urlencode;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

pub const SAMLP: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub const SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
pub const MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
const POST_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
/// Allowed difference between our clock and the IdP's.
pub const CLOCK_SKEW: Duration = Duration::from_secs(120);

pub struct Sp {
    pub entity_id: String,
    pub acs_url: String,
    pub key: RsaPrivateKey,
    /// PEM of the SP certificate, if the operator configured one (for metadata).
    pub cert_pem: Option<String>,
}

pub struct Idp {
    pub entity_id: String,
    pub sso_url: String,
    pub key: RsaPublicKey,
}

/// Why a response was refused; the code is shown translated and audited.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("malformed response")]
    Malformed,
    #[error("the identity provider reported failure")]
    Status,
    #[error("unexpected issuer")]
    Issuer,
    #[error("sent to another destination")]
    Destination,
    #[error("signature: {0}")]
    Signature(DsigError),
    #[error("not for this service (audience)")]
    Audience,
    #[error("expired or not yet valid")]
    Expired,
    #[error("no bearer confirmation for this service")]
    Confirmation,
    #[error("not an answer to our request")]
    InResponseTo,
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Malformed => "saml_malformed",
            Refusal::Status => "saml_status",
            Refusal::Issuer => "saml_issuer",
            Refusal::Destination => "saml_destination",
            Refusal::Signature(_) => "saml_signature",
            Refusal::Audience => "saml_audience",
            Refusal::Expired => "saml_expired",
            Refusal::Confirmation => "saml_confirmation",
            Refusal::InResponseTo => "saml_in_response_to",
        }
    }
}

/// What a valid assertion says about the person.
#[derive(Debug, Clone)]
pub struct Assertion {
    pub id: String,
    pub in_response_to: String,
    /// Until when the assertion may be used: replay protection keeps its id until then.
    pub not_on_or_after: Timestamp,
    pub name_id: String,
    /// Attribute name (e.g. `urn:oid:2.5.4.42`) to its first value.
    pub attributes: BTreeMap<String, String>,
}

fn xs_datetime(t: Timestamp) -> String {
    t.to_datetime().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn parse_datetime(s: &str) -> Option<Timestamp> {
    chrono::DateTime::parse_from_rfc3339(s.trim()).ok().map(|d| Timestamp(d.timestamp_millis()))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

impl Sp {
    pub fn authn_request_xml(&self, idp: &Idp, id: &str, now: Timestamp) -> String {
        format!(
            r#"<samlp:AuthnRequest xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="{id}" Version="2.0" IssueInstant="{}" Destination="{}" AssertionConsumerServiceURL="{}" ProtocolBinding="{POST_BINDING}"><saml:Issuer>{}</saml:Issuer><samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient" AllowCreate="true"/></samlp:AuthnRequest>"#,
            xs_datetime(now),
            escape(&idp.sso_url),
            escape(&self.acs_url),
            escape(&self.entity_id)
        )
    }

    /// The IdP URL to send the browser to (HTTP-Redirect binding, §3.4.4.1):
    /// DEFLATE, base64, and a signature over the query string.
    /// The browser is bound to the request by a cookie (see `service`), so no RelayState is sent.
    pub fn redirect_url(&self, idp: &Idp, id: &str, now: Timestamp) -> String {
        let xml = self.authn_request_xml(idp, id, now);
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(xml.as_bytes()).expect("deflate to memory");
        let deflated = enc.finish().expect("deflate to memory");
        let mut query = format!("SAMLRequest={}", urlencode(&STANDARD.encode(deflated)));
        query.push_str(&format!("&SigAlg={}", urlencode(dsig::RSA_SHA256)));
        let signature = SigningKey::<Sha256>::new(self.key.clone()).sign(query.as_bytes());
        query.push_str(&format!("&Signature={}", urlencode(&STANDARD.encode(signature.to_bytes()))));
        let sep = if idp.sso_url.contains('?') { '&' } else { '?' };
        format!("{}{sep}{query}", idp.sso_url)
    }

    /// SP metadata for registration with the IdP.
    pub fn metadata(&self) -> String {
        let key_info = match &self.cert_pem {
            Some(pem) => {
                let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
                format!("<ds:X509Data><ds:X509Certificate>{b64}</ds:X509Certificate></ds:X509Data>")
            }
            None => {
                let public = self.key.to_public_key();
                format!(
                    "<ds:KeyValue><ds:RSAKeyValue><ds:Modulus>{}</ds:Modulus><ds:Exponent>{}</ds:Exponent></ds:RSAKeyValue></ds:KeyValue>",
                    STANDARD.encode(public.n().to_bytes_be()),
                    STANDARD.encode(public.e().to_bytes_be())
                )
            }
        };
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="{MD}" xmlns:ds="{DSIG}" entityID="{}"><md:SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo>{key_info}</ds:KeyInfo></md:KeyDescriptor><md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat><md:AssertionConsumerService Binding="{POST_BINDING}" Location="{}" index="0" isDefault="true"/></md:SPSSODescriptor></md:EntityDescriptor>
"#,
            escape(&self.entity_id),
            escape(&self.acs_url)
        )
    }

    /// Check a base64 `SAMLResponse` from the HTTP-POST binding.
    pub fn validate(&self, idp: &Idp, saml_response_b64: &str, now: Timestamp) -> Result<Assertion, Refusal> {
        let clean: String = saml_response_b64.chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = STANDARD.decode(clean).map_err(|_| Refusal::Malformed)?;
        let text = String::from_utf8(bytes).map_err(|_| Refusal::Malformed)?;
        let response = xml::parse(&text).map_err(|_| Refusal::Malformed)?;
        if !response.is(SAMLP, "Response") || response.attr("Version") != Some("2.0") {
            return Err(Refusal::Malformed);
        }
        if let Some(dest) = response.attr("Destination")
            && dest != self.acs_url
        {
            return Err(Refusal::Destination);
        }
        if let Some(issuer) = response.only_child(SAML, "Issuer")
            && issuer.text() != idp.entity_id
        {
            return Err(Refusal::Issuer);
        }
        let status = response.only_child(SAMLP, "Status").and_then(|s| s.only_child(SAMLP, "StatusCode")).and_then(|c| c.attr("Value"));
        if status != Some(SUCCESS) {
            return Err(Refusal::Status);
        }
        if response.children_named(SAML, "EncryptedAssertion").next().is_some() {
            return Err(Refusal::Malformed);
        }
        // Exactly one assertion, and it must be covered by a valid signature:
        // its own, or the whole response's.
        let assertion = response.only_child(SAML, "Assertion").ok_or(Refusal::Malformed)?;
        let response_signed = dsig::signature_of(&response).is_some();
        if response_signed {
            dsig::verify_enveloped(&response, &idp.key).map_err(Refusal::Signature)?;
        }
        match dsig::verify_enveloped(assertion, &idp.key) {
            Ok(()) => {}
            Err(DsigError::Missing) if response_signed => {}
            Err(e) => return Err(Refusal::Signature(e)),
        }
        self.check_assertion(idp, assertion, response.attr("InResponseTo"), now)
    }

    fn check_assertion(&self, idp: &Idp, a: &Element, response_irt: Option<&str>, now: Timestamp) -> Result<Assertion, Refusal> {
        let id = a.attr("ID").ok_or(Refusal::Malformed)?.to_string();
        if a.only_child(SAML, "Issuer").map(|i| i.text()) != Some(idp.entity_id.clone()) {
            return Err(Refusal::Issuer);
        }
        let subject = a.only_child(SAML, "Subject").ok_or(Refusal::Malformed)?;
        let name_id = subject.only_child(SAML, "NameID").map(|n| n.text()).unwrap_or_default();
        // A bearer confirmation for us, still valid, answering our request.
        let mut confirmed: Option<(String, Timestamp)> = None;
        for sc in subject.children_named(SAML, "SubjectConfirmation") {
            if sc.attr("Method") != Some(BEARER) {
                continue;
            }
            let Some(data) = sc.only_child(SAML, "SubjectConfirmationData") else {
                continue;
            };
            let until = data.attr("NotOnOrAfter").and_then(parse_datetime);
            let recipient_ok = data.attr("Recipient") == Some(self.acs_url.as_str());
            let fresh = until.is_some_and(|u| now.minus(CLOCK_SKEW) < u);
            let not_before_ok = data.attr("NotBefore").and_then(parse_datetime).is_none_or(|nb| nb <= now.plus(CLOCK_SKEW));
            if !fresh || !not_before_ok {
                return Err(Refusal::Expired);
            }
            if recipient_ok && let (Some(irt), Some(u)) = (data.attr("InResponseTo"), until) {
                confirmed = Some((irt.to_string(), u));
                break;
            }
        }
        let (in_response_to, confirm_until) = confirmed.ok_or(Refusal::Confirmation)?;
        if response_irt.is_some_and(|r| r != in_response_to) {
            return Err(Refusal::InResponseTo);
        }
        let conditions = a.only_child(SAML, "Conditions").ok_or(Refusal::Malformed)?;
        let not_before = conditions.attr("NotBefore").and_then(parse_datetime);
        let not_on_or_after = conditions.attr("NotOnOrAfter").and_then(parse_datetime);
        if not_before.is_some_and(|nb| nb > now.plus(CLOCK_SKEW)) || not_on_or_after.is_some_and(|na| na <= now.minus(CLOCK_SKEW)) {
            return Err(Refusal::Expired);
        }
        let restrictions: Vec<&Element> = conditions.children_named(SAML, "AudienceRestriction").collect();
        if restrictions.is_empty() {
            return Err(Refusal::Audience);
        }
        // Every AudienceRestriction must name us (SAML core §2.5.1.4).
        for r in restrictions {
            if !r.children_named(SAML, "Audience").any(|aud| aud.text() == self.entity_id) {
                return Err(Refusal::Audience);
            }
        }
        let mut attributes = BTreeMap::new();
        for stmt in a.children_named(SAML, "AttributeStatement") {
            for attr in stmt.children_named(SAML, "Attribute") {
                if let (Some(name), Some(v)) = (attr.attr("Name"), attr.children_named(SAML, "AttributeValue").next()) {
                    attributes.entry(name.to_string()).or_insert_with(|| v.text());
                }
            }
        }
        let until = not_on_or_after.map_or(confirm_until, |n| n.max(confirm_until));
        Ok(Assertion { id, in_response_to, not_on_or_after: until, name_id, attributes })
    }
}
