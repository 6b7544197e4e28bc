//! Field encryption (AES-256-GCM with key ids), keyed blind indexes and
//! random tokens. Keys live in a TOML key file outside the database so that a
//! stolen database alone reveals no personal field.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("key file: {0}")]
    KeyFile(String),
    #[error("unknown key id {0}")]
    UnknownKey(String),
    #[error("ciphertext is malformed or was altered")]
    Corrupt,
}

#[derive(Serialize, Deserialize)]
struct KeyFile {
    active: String,
    index_key: String,
    audit_key: String,
    #[serde(rename = "key")]
    keys: Vec<KeyEntry>,
}

#[derive(Serialize, Deserialize)]
struct KeyEntry {
    id: String,
    secret: String,
    created: String,
}

/// The platform's secrets. Data keys rotate; the index and audit keys do not
/// (rotating them would change every blind index and break the audit chain).
#[derive(Clone)]
pub struct Keyring {
    data_keys: BTreeMap<String, [u8; 32]>,
    active: String,
    index_key: [u8; 32],
    audit_key: [u8; 32],
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.debug_struct("Keyring").field("active", &self.active).finish_non_exhaustive()
    }
}

fn random_key() -> [u8; 32] {
    let mut k = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut k);
    k
}

fn decode_key(s: &str) -> Result<[u8; 32], CryptoError> {
    let v = STANDARD.decode(s.trim()).map_err(|_| CryptoError::KeyFile("key is not base64".into()))?;
    v.try_into().map_err(|_| CryptoError::KeyFile("key is not 32 bytes".into()))
}

impl Keyring {
    /// A fresh keyring with one data key.
    pub fn generate() -> Keyring {
        let mut data_keys = BTreeMap::new();
        data_keys.insert("k1".to_string(), random_key());
        Keyring { data_keys, active: "k1".into(), index_key: random_key(), audit_key: random_key() }
    }

    /// Load the key file, creating it (mode 0600) when it does not exist.
    pub fn load_or_create(path: &Path) -> Result<Keyring, CryptoError> {
        if path.exists() {
            let text = std::fs::read_to_string(path).map_err(|e| CryptoError::KeyFile(e.to_string()))?;
            return Keyring::from_toml(&text);
        }
        let ring = Keyring::generate();
        ring.save(path)?;
        Ok(ring)
    }

    pub fn from_toml(text: &str) -> Result<Keyring, CryptoError> {
        let file: KeyFile = toml_parse(text)?;
        let mut data_keys = BTreeMap::new();
        for k in &file.keys {
            data_keys.insert(k.id.clone(), decode_key(&k.secret)?);
        }
        if !data_keys.contains_key(&file.active) {
            return Err(CryptoError::UnknownKey(file.active));
        }
        Ok(Keyring { data_keys, active: file.active, index_key: decode_key(&file.index_key)?, audit_key: decode_key(&file.audit_key)? })
    }

    pub fn to_toml(&self) -> String {
        let file = KeyFile {
            active: self.active.clone(),
            index_key: STANDARD.encode(self.index_key),
            audit_key: STANDARD.encode(self.audit_key),
            keys: self
                .data_keys
                .iter()
                .map(|(id, k)| KeyEntry { id: id.clone(), secret: STANDARD.encode(k), created: chrono::Utc::now().format("%Y-%m-%d").to_string() })
                .collect(),
        };
        format!("# obcina keys: keep secret, back up with the database, never commit.\n{}", toml_write(&file))
    }

    /// Write atomically with owner-only permissions.
    pub fn save(&self, path: &Path) -> Result<(), CryptoError> {
        let err = |e: std::io::Error| CryptoError::KeyFile(e.to_string());
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let tmp = path.with_extension("tmp");
        {
            use std::io::Write;
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            let mut f = opts.open(&tmp).map_err(err)?;
            f.write_all(self.to_toml().as_bytes()).map_err(err)?;
            f.sync_all().map_err(err)?;
        }
        std::fs::rename(&tmp, path).map_err(err)
    }

    /// Add a new data key and make it the one new ciphertexts use.
    pub fn rotate(&mut self) -> String {
        let next = (1..).map(|n| format!("k{n}")).find(|id| !self.data_keys.contains_key(id)).unwrap_or_else(|| "k0".into());
        self.data_keys.insert(next.clone(), random_key());
        self.active = next.clone();
        next
    }

    pub fn active_key_id(&self) -> &str {
        &self.active
    }

    /// Encrypt `plain`, bound to `context` (table, column and row id) so a
    /// ciphertext cannot be moved to another row. Format: `v1.<kid>.<b64>`.
    pub fn encrypt(&self, context: &str, plain: &str) -> String {
        let key = &self.data_keys[&self.active];
        let cipher = Aes256Gcm::new_from_slice(key).expect("32-byte key");
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain.as_bytes(), aad: context.as_bytes() })
            .expect("AES-GCM encryption cannot fail for in-memory data");
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ct);
        format!("v1.{}.{}", self.active, URL_SAFE_NO_PAD.encode(blob))
    }

    pub fn decrypt(&self, context: &str, sealed: &str) -> Result<String, CryptoError> {
        let mut parts = sealed.splitn(3, '.');
        let (Some("v1"), Some(kid), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(CryptoError::Corrupt);
        };
        let key = self.data_keys.get(kid).ok_or_else(|| CryptoError::UnknownKey(kid.to_string()))?;
        let blob = URL_SAFE_NO_PAD.decode(b64).map_err(|_| CryptoError::Corrupt)?;
        if blob.len() < 12 {
            return Err(CryptoError::Corrupt);
        }
        let cipher = Aes256Gcm::new_from_slice(key).expect("32-byte key");
        let plain = cipher
            .decrypt(Nonce::from_slice(&blob[..12]), Payload { msg: &blob[12..], aad: context.as_bytes() })
            .map_err(|_| CryptoError::Corrupt)?;
        String::from_utf8(plain).map_err(|_| CryptoError::Corrupt)
    }

    /// Whether a ciphertext was made with the active key.
    pub fn is_current(&self, sealed: &str) -> bool {
        sealed.starts_with(&format!("v1.{}.", self.active))
    }

    /// Keyed blind index: equal values give equal indexes, but the index
    /// reveals nothing without the key (no dictionary attack on EMŠO).
    pub fn blind_index(&self, domain: &str, normalized: &str) -> String {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.index_key).expect("hmac key");
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        mac.update(normalized.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// MAC of one audit entry chained to the previous one.
    pub fn audit_mac(&self, prev: &str, entry: &str) -> String {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.audit_key).expect("hmac key");
        mac.update(prev.as_bytes());
        mac.update(&[0]);
        mac.update(entry.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// A keyed MAC for short-lived values such as CSRF tokens.
    pub fn mac(&self, domain: &str, value: &str) -> String {
        self.blind_index(&format!("mac:{domain}"), value)
    }
}

fn toml_parse(text: &str) -> Result<KeyFile, CryptoError> {
    toml::from_str(text).map_err(|e| CryptoError::KeyFile(e.message().to_string()))
}

fn toml_write(file: &KeyFile) -> String {
    toml::to_string(file).expect("key file serializes")
}

/// A column holding sealed values, for key rotation: how to find each row's
/// key (an SQL expression) and the encryption context, `context_prefix` + key.
pub struct EncryptedColumn {
    pub table: &'static str,
    pub key_sql: &'static str,
    pub column: &'static str,
    pub context_prefix: &'static str,
}

impl EncryptedColumn {
    pub fn context(&self, key: &str) -> String {
        format!("{}{key}", self.context_prefix)
    }
}

/// A random URL-safe token with `bytes` bytes of entropy.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// Tokens are stored only as their SHA-256, so a database leak gives no live session.
pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Constant-time comparison of two strings.
pub fn ct_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypt_roundtrip_and_context_binding() {
        let ring = Keyring::generate();
        let c = ring.encrypt("profile.emso:1", "0101006500006");
        assert!(c.starts_with("v1.k1."));
        assert!(!c.contains("0101006500006"));
        assert_eq!(ring.decrypt("profile.emso:1", &c).unwrap(), "0101006500006");
        assert!(matches!(ring.decrypt("profile.emso:2", &c), Err(CryptoError::Corrupt)));
    }

    #[test]
    fn tampered_ciphertext_is_rejected() {
        let ring = Keyring::generate();
        let mut c = ring.encrypt("x", "secret value");
        let last = c.pop().unwrap();
        c.push(if last == 'A' { 'B' } else { 'A' });
        assert!(ring.decrypt("x", &c).is_err());
    }

    #[test]
    fn rotation_keeps_old_keys_readable() {
        let mut ring = Keyring::generate();
        let old = ring.encrypt("x", "a");
        assert_eq!(ring.rotate(), "k2");
        let new = ring.encrypt("x", "b");
        assert!(new.starts_with("v1.k2."));
        assert!(!ring.is_current(&old));
        assert_eq!(ring.decrypt("x", &old).unwrap(), "a");
    }

    #[test]
    fn key_file_roundtrip() {
        let mut ring = Keyring::generate();
        ring.rotate();
        let back = Keyring::from_toml(&ring.to_toml()).unwrap();
        assert_eq!(back.active_key_id(), "k2");
        assert_eq!(back.blind_index("emso", "1"), ring.blind_index("emso", "1"));
        let c = ring.encrypt("x", "y");
        assert_eq!(back.decrypt("x", &c).unwrap(), "y");
    }

    #[test]
    fn blind_index_is_keyed_and_domain_separated() {
        let a = Keyring::generate();
        let b = Keyring::generate();
        assert_eq!(a.blind_index("tax", "12345678"), a.blind_index("tax", "12345678"));
        assert_ne!(a.blind_index("tax", "12345678"), b.blind_index("tax", "12345678"));
        assert_ne!(a.blind_index("tax", "12345678"), a.blind_index("emso", "12345678"));
    }
}
