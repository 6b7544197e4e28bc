//! Online backup and verified restore of the embedded store.
//!
//! A snapshot is `VACUUM INTO` from a separate connection: SQLite gives it a
//! consistent read transaction while the server keeps writing. The file holds
//! a header line, then the key file and the database, optionally sealed with
//! AES-256-GCM under a key derived from a passphrase (argon2id), so it can be
//! shipped to a standby server. Restore checks the digest, the database's own
//! integrity check and the key file before anything is written.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::{Context, bail};
use kernel::config::Config;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

const MAGIC: &str = "OBCINA-BACKUP-1";

#[derive(Clone, Serialize, Deserialize)]
struct Header {
    magic: String,
    created_at: String,
    /// SHA-256 of the plain payload.
    sha256: String,
    keys_len: usize,
    db_len: usize,
    encrypted: bool,
    salt: Option<String>,
    nonce: Option<String>,
}

fn derive_key(passphrase: &str, salt: &[u8]) -> anyhow::Result<[u8; 32]> {
    let mut key = [0u8; 32];
    argon2::Argon2::default().hash_password_into(passphrase.as_bytes(), salt, &mut key).map_err(|e| anyhow::anyhow!("key derivation: {e}"))?;
    Ok(key)
}

pub async fn backup(config: &Config, to: &Path, passphrase: Option<&str>) -> anyhow::Result<String> {
    if config.database_url.is_some() {
        bail!("for PostgreSQL use pg_dump (the database) together with the key file; built-in PostgreSQL snapshots are not implemented yet");
    }
    let db_path = config.data_dir.join("obcina.sqlite3");
    if !db_path.exists() {
        bail!("no database at {}", db_path.display());
    }
    let tmp = tempfile::Builder::new()
        .prefix(".obcina-snapshot")
        .tempfile_in(to.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")))?;
    let tmp_path = tmp.path().to_path_buf();
    drop(tmp);
    let _ = std::fs::remove_file(&tmp_path);
    {
        let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(&db_path).busy_timeout(std::time::Duration::from_secs(30));
        use sqlx::ConnectOptions;
        let mut conn = opts.connect().await.context("opening the database")?;
        sqlx::query("VACUUM INTO ?").bind(tmp_path.to_string_lossy().to_string()).execute(&mut conn).await.context("VACUUM INTO")?;
    }
    let db = std::fs::read(&tmp_path)?;
    let _ = std::fs::remove_file(&tmp_path);
    // Keys are read after the snapshot: a key ring only grows, so a rotation
    // during the snapshot cannot leave data sealed with a key we lack.
    let keys = std::fs::read(config.keys_file()).context("reading the key file")?;
    let mut payload = keys.clone();
    payload.extend_from_slice(&db);
    let sha256 = hex::encode(Sha256::digest(&payload));
    let mut header = Header {
        magic: MAGIC.into(),
        created_at: chrono::Utc::now().to_rfc3339(),
        sha256,
        keys_len: keys.len(),
        db_len: db.len(),
        encrypted: passphrase.is_some(),
        salt: None,
        nonce: None,
    };
    let body = match passphrase {
        Some(pass) => {
            let mut salt = [0u8; 16];
            let mut nonce = [0u8; 12];
            rand::rngs::OsRng.fill_bytes(&mut salt);
            rand::rngs::OsRng.fill_bytes(&mut nonce);
            let key = derive_key(pass, &salt)?;
            let cipher = Aes256Gcm::new_from_slice(&key).expect("32-byte key");
            header.salt = Some(hex::encode(salt));
            header.nonce = Some(hex::encode(nonce));
            // The header is authenticated too: lengths and digest cannot be swapped.
            let aad = serde_json::to_vec(&header)?;
            cipher
                .encrypt(Nonce::from_slice(&nonce), aes_gcm::aead::Payload { msg: payload.as_slice(), aad: &aad })
                .map_err(|_| anyhow::anyhow!("encryption failed"))?
        }
        None => payload,
    };
    let mut out = serde_json::to_vec(&header)?;
    out.push(b'\n');
    out.extend_from_slice(&body);
    let partial = to.with_extension("partial");
    write_private(&partial, &out)?;
    std::fs::rename(&partial, to)?;
    Ok(format!(
        "backup written to {} ({} bytes of database{})",
        to.display(),
        header.db_len,
        if header.encrypted { ", encrypted" } else { "; NOT encrypted: it holds the keys, so protect it or use --passphrase-env" }
    ))
}

/// Write a file only its owner can read (it holds keys and personal data), and sync it.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).with_context(|| format!("writing {}", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

pub async fn restore(from: &Path, data_dir: &Path, passphrase: Option<&str>) -> anyhow::Result<String> {
    let raw = std::fs::read(from).context("reading the backup")?;
    let nl = raw.iter().position(|b| *b == b'\n').context("not an obcina backup")?;
    let header: Header = serde_json::from_slice(&raw[..nl]).context("not an obcina backup")?;
    if header.magic != MAGIC {
        bail!("not an obcina backup");
    }
    let body = &raw[nl + 1..];
    let payload = if header.encrypted {
        let pass = passphrase.context("the backup is encrypted: give --passphrase-env")?;
        let salt = hex::decode(header.salt.as_deref().unwrap_or(""))?;
        let nonce = hex::decode(header.nonce.as_deref().unwrap_or(""))?;
        if salt.len() != 16 || nonce.len() != 12 {
            bail!("the backup header is damaged");
        }
        let key = derive_key(pass, &salt)?;
        let cipher = Aes256Gcm::new_from_slice(&key).expect("32-byte key");
        // The header was authenticated with the data.
        let aad = serde_json::to_vec(&header)?;
        cipher
            .decrypt(Nonce::from_slice(&nonce), aes_gcm::aead::Payload { msg: body, aad: &aad })
            .map_err(|_| anyhow::anyhow!("wrong passphrase or damaged backup"))?
    } else {
        body.to_vec()
    };
    if hex::encode(Sha256::digest(&payload)) != header.sha256 || Some(payload.len()) != header.keys_len.checked_add(header.db_len) {
        bail!("the backup is damaged: digest does not match");
    }
    let (keys, db) = payload.split_at(header.keys_len);
    kernel::crypto::Keyring::from_toml(std::str::from_utf8(keys)?).context("the key file in the backup is invalid")?;
    let target = data_dir.join("obcina.sqlite3");
    if target.exists() || data_dir.join("keys.toml").exists() {
        bail!("{} already holds a database; restore into an empty directory", data_dir.display());
    }
    std::fs::create_dir_all(data_dir)?;
    let partial = data_dir.join("obcina.sqlite3.restoring");
    write_private(&partial, db)?;
    {
        use sqlx::ConnectOptions;
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new().filename(&partial).connect().await?;
        let (verdict,): (String,) = sqlx::query_as("PRAGMA integrity_check").fetch_one(&mut conn).await?;
        if verdict != "ok" {
            let _ = std::fs::remove_file(&partial);
            bail!("the database in the backup fails its integrity check: {verdict}");
        }
    }
    let keys_path = data_dir.join("keys.toml");
    let ring = kernel::crypto::Keyring::from_toml(std::str::from_utf8(keys)?)?;
    ring.save(&keys_path)?;
    std::fs::rename(&partial, &target)?;
    Ok(format!("restored {} (taken {}) into {}", from.display(), header.created_at, data_dir.display()))
}
