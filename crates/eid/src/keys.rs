//! The keys of the SAML exchange: ours for signing requests (made on first
//! use when none is configured) and the IdP's for checking its responses.

use crate::saml::{Idp, Sp};
use kernel::config::Config;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, LineEnding};
use rsa::{RsaPrivateKey, RsaPublicKey};
use x509_cert::der::{DecodePem, Encode};

fn read(path: &std::path::Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The IdP key from a PEM certificate or public key.
pub fn idp_public_key(pem: &str) -> Result<RsaPublicKey, String> {
    if pem.contains("BEGIN CERTIFICATE") {
        let cert = x509_cert::Certificate::from_pem(pem.as_bytes()).map_err(|e| format!("IdP certificate: {e}"))?;
        let spki = cert.tbs_certificate.subject_public_key_info.to_der().map_err(|e| e.to_string())?;
        RsaPublicKey::from_public_key_der(&spki).map_err(|e| format!("IdP key must be RSA: {e}"))
    } else {
        RsaPublicKey::from_public_key_pem(pem).map_err(|e| format!("IdP public key: {e}"))
    }
}

fn sp_key(config: &Config) -> Result<RsaPrivateKey, String> {
    let path = config.eid.sp_key_file.clone().unwrap_or_else(|| config.data_dir.join("saml-sp-key.pem"));
    if path.exists() {
        return RsaPrivateKey::from_pkcs8_pem(&read(&path)?).map_err(|e| format!("SP key: {e}"));
    }
    let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).map_err(|e| e.to_string())?;
    let pem = key.to_pkcs8_pem(LineEnding::LF).map_err(|e| e.to_string())?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    opts.open(&path).and_then(|mut f| f.write_all(pem.as_bytes())).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(key)
}

/// Both parties, or None when eID sign-in is not configured.
pub fn load(config: &Config) -> Result<Option<(Sp, Idp)>, String> {
    let e = &config.eid;
    if !e.enabled {
        return Ok(None);
    }
    let cert_file = e.idp_cert_file.as_ref().ok_or("eid.idp_cert_file is required")?;
    if e.idp_entity_id.is_empty() || e.idp_sso_url.is_empty() {
        return Err("eid.idp_entity_id and eid.idp_sso_url are required".into());
    }
    let idp = Idp { entity_id: e.idp_entity_id.clone(), sso_url: e.idp_sso_url.clone(), key: idp_public_key(&read(cert_file)?)? };
    let base = config.public_url();
    let sp = Sp {
        entity_id: e.sp_entity_id.clone().unwrap_or_else(|| format!("{base}/saml/metadata")),
        acs_url: format!("{base}/saml/acs"),
        key: sp_key(config)?,
        cert_pem: e.sp_cert_file.as_deref().map(read).transpose()?,
    };
    Ok(Some((sp, idp)))
}
