//! XML Signature verification for SAML: one enveloped signature over the
//! element that carries it, exclusive c14n, RSA-SHA256 with SHA-256 digests.
//! The key is always the configured IdP key, never one from the message's
//! KeyInfo. Anything outside this profile is refused rather than guessed.

use crate::xml::{Element, exc_c14n};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::RsaPublicKey;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use sha2::{Digest, Sha256};

pub const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
pub const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DsigError {
    #[error("not signed")]
    Missing,
    #[error("signature structure not supported: {0}")]
    Unsupported(&'static str),
    #[error("the reference does not point at the signed element")]
    WrongReference,
    #[error("digest does not match: the content was altered")]
    Digest,
    #[error("signature value does not verify")]
    Signature,
}

/// The signature that is a direct child of `el`, if any.
pub fn signature_of(el: &Element) -> Option<&Element> {
    el.only_child(DSIG, "Signature")
}

fn inclusive_prefixes(transform: &Element) -> Vec<String> {
    transform
        .elements()
        .find(|e| e.is(EXC_C14N, "InclusiveNamespaces"))
        .and_then(|e| e.attr("PrefixList"))
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

fn b64(s: &str) -> Result<Vec<u8>, DsigError> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(clean).map_err(|_| DsigError::Unsupported("base64"))
}

/// Verify the enveloped signature of `el` with `key`.
pub fn verify_enveloped(el: &Element, key: &RsaPublicKey) -> Result<(), DsigError> {
    let count = el.children_named(DSIG, "Signature").count();
    if count == 0 {
        return Err(DsigError::Missing);
    }
    let sig = signature_of(el).ok_or(DsigError::Unsupported("more than one signature"))?;
    let signed_info = sig.only_child(DSIG, "SignedInfo").ok_or(DsigError::Unsupported("SignedInfo"))?;
    let c14n = signed_info.only_child(DSIG, "CanonicalizationMethod").ok_or(DsigError::Unsupported("CanonicalizationMethod"))?;
    if c14n.attr("Algorithm") != Some(EXC_C14N) {
        return Err(DsigError::Unsupported("canonicalization must be exclusive c14n"));
    }
    let method = signed_info.only_child(DSIG, "SignatureMethod").ok_or(DsigError::Unsupported("SignatureMethod"))?;
    if method.attr("Algorithm") != Some(RSA_SHA256) {
        return Err(DsigError::Unsupported("signature method must be rsa-sha256"));
    }
    let reference = signed_info.only_child(DSIG, "Reference").ok_or(DsigError::Unsupported("exactly one Reference"))?;
    let id = el.attr("ID").ok_or(DsigError::WrongReference)?;
    if reference.attr("URI") != Some(&format!("#{id}")) {
        return Err(DsigError::WrongReference);
    }
    let mut inclusive = vec![];
    let mut has_exc = false;
    if let Some(transforms) = reference.only_child(DSIG, "Transforms") {
        for t in transforms.elements() {
            match t.attr("Algorithm") {
                Some(ENVELOPED) => {}
                Some(EXC_C14N) => {
                    has_exc = true;
                    inclusive = inclusive_prefixes(t);
                }
                _ => return Err(DsigError::Unsupported("transform")),
            }
        }
    }
    if !has_exc {
        return Err(DsigError::Unsupported("the reference must use exclusive c14n"));
    }
    let digest_method = reference.only_child(DSIG, "DigestMethod").ok_or(DsigError::Unsupported("DigestMethod"))?;
    if digest_method.attr("Algorithm") != Some(SHA256) {
        return Err(DsigError::Unsupported("digest must be sha256"));
    }
    let expected = b64(&reference.only_child(DSIG, "DigestValue").ok_or(DsigError::Unsupported("DigestValue"))?.text())?;
    let actual = Sha256::digest(exc_c14n(el, Some(sig), &inclusive).as_bytes());
    if actual.as_slice() != expected.as_slice() {
        return Err(DsigError::Digest);
    }
    let signed_bytes = exc_c14n(signed_info, None, &inclusive_prefixes(c14n));
    let value = b64(&sig.only_child(DSIG, "SignatureValue").ok_or(DsigError::Unsupported("SignatureValue"))?.text())?;
    let signature = Signature::try_from(value.as_slice()).map_err(|_| DsigError::Signature)?;
    VerifyingKey::<Sha256>::new(key.clone()).verify(signed_bytes.as_bytes(), &signature).map_err(|_| DsigError::Signature)
}
