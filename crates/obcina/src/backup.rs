//! Online backup and verified restore.
//!
//! SQLite: `VACUUM INTO` from a separate connection, a consistent copy while
//! the server keeps writing. PostgreSQL: every table's rows as JSON lines,
//! read in one repeatable-read transaction; it restores into SQLite. The file
//! holds a header line, then the key file and the data, optionally sealed
//! with AES-256-GCM under a key derived from a passphrase (argon2id; the
//! header authenticated with it), so it can be shipped to a standby server.
//! Restore checks the digest, the key file and, for a database file, SQLite's
//! own integrity check, and writes into an empty directory only.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::{Context, bail};
use kernel::config::Config;
use kernel::db::{col, query_all};
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
    /// `sqlite` (a database file) or `logical` (rows as JSON lines, from PostgreSQL).
    #[serde(default = "sqlite_format")]
    format: String,
}

fn sqlite_format() -> String {
    "sqlite".into()
}

fn derive_key(passphrase: &str, salt: &[u8]) -> anyhow::Result<[u8; 32]> {
    let mut key = [0u8; 32];
    argon2::Argon2::default().hash_password_into(passphrase.as_bytes(), salt, &mut key).map_err(|e| anyhow::anyhow!("key derivation: {e}"))?;
    Ok(key)
}

pub async fn backup(config: &Config, to: &Path, passphrase: Option<&str>) -> anyhow::Result<String> {
    let (db, format) = match &config.database_url {
        Some(url) => (logical_dump(url).await?, "logical"),
        None => (sqlite_snapshot(config, to).await?, "sqlite"),
    };
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
        format: format.into(),
    };
    write_backup(to, &mut header, payload, passphrase)
}

/// `VACUUM INTO` from its own connection: a consistent copy while the server writes.
async fn sqlite_snapshot(config: &Config, to: &Path) -> anyhow::Result<Vec<u8>> {
    let db_path = config.data_dir.join(kernel::db::SQLITE_FILE);
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
    Ok(db)
}

/// Every table's rows as JSON lines, read in one repeatable-read transaction
/// (a consistent snapshot while the server writes). Restorable into SQLite.
async fn logical_dump(url: &str) -> anyhow::Result<Vec<u8>> {
    use sea_orm::{AccessMode, IsolationLevel, TransactionTrait};
    let db = kernel::db::Db::open_postgres(url).await?;
    let txn = db.conn().begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly)).await?;
    let tables = query_all(
        &txn,
        "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
        [],
    )
    .await?;
    let mut out = Vec::new();
    for t in tables {
        let table: String = col(&t, "name")?;
        let columns = query_all(
            &txn,
            "SELECT CAST(column_name AS TEXT) AS name, CAST(data_type AS TEXT) AS ty FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            [table.clone().into()],
        )
        .await?;
        let types: Vec<(String, String)> =
            columns.iter().map(|c| Ok((col::<String>(c, "name")?, col::<String>(c, "ty")?))).collect::<Result<_, sea_orm::DbErr>>()?;
        let columns: Vec<(String, bool)> =
            types.iter().map(|(c, ty)| (c.clone(), matches!(ty.as_str(), "bigint" | "integer" | "smallint"))).collect();
        // Binary columns (the telemetry journal) travel as hex.
        let bytes: Vec<bool> = types.iter().map(|(_, ty)| ty == "bytea").collect();
        let select: Vec<String> = columns
            .iter()
            .zip(&bytes)
            .map(|((c, int), bin)| match (int, bin) {
                (_, true) => format!("encode(\"{c}\", 'hex') AS \"{c}\""),
                (true, _) => format!("CAST(\"{c}\" AS BIGINT) AS \"{c}\""),
                _ => format!("CAST(\"{c}\" AS TEXT) AS \"{c}\""),
            })
            .collect();
        let names: Vec<&str> = columns.iter().map(|(c, _)| c.as_str()).collect();
        let ints: Vec<bool> = columns.iter().map(|(_, i)| *i).collect();
        out.extend(serde_json::to_vec(&serde_json::json!({"table": table, "columns": names, "integer": ints, "bytes": bytes}))?);
        out.push(b'\n');
        for r in query_all(&txn, &format!("SELECT {} FROM \"{table}\"", select.join(", ")), []).await? {
            let values: Vec<serde_json::Value> = columns
                .iter()
                .map(|(c, int)| {
                    if *int {
                        col::<Option<i64>>(&r, c).map(serde_json::Value::from)
                    } else {
                        col::<Option<String>>(&r, c).map(serde_json::Value::from)
                    }
                })
                .collect::<Result<_, _>>()?;
            out.extend(serde_json::to_vec(&serde_json::json!({"row": values}))?);
            out.push(b'\n');
        }
    }
    txn.commit().await?;
    Ok(out)
}

fn write_backup(to: &Path, header: &mut Header, payload: Vec<u8>, passphrase: Option<&str>) -> anyhow::Result<String> {
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
    let ring = kernel::crypto::Keyring::from_toml(std::str::from_utf8(keys)?).context("the key file in the backup is invalid")?;
    let target = data_dir.join(kernel::db::SQLITE_FILE);
    if target.exists() || data_dir.join("keys.toml").exists() {
        bail!("{} already holds a database; restore into an empty directory", data_dir.display());
    }
    std::fs::create_dir_all(data_dir)?;
    if header.format == "logical" {
        if let Err(e) = logical_restore(data_dir, db).await {
            let _ = std::fs::remove_file(&target);
            return Err(e);
        }
        ring.save(&data_dir.join("keys.toml"))?;
        return Ok(format!("restored {} (taken {} from PostgreSQL) into {}", from.display(), header.created_at, data_dir.display()));
    }
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
    ring.save(&data_dir.join("keys.toml"))?;
    std::fs::rename(&partial, &target)?;
    Ok(format!("restored {} (taken {}) into {}", from.display(), header.created_at, data_dir.display()))
}

/// Load a logical dump into a new SQLite database under `data_dir`: the
/// schema comes from this version's migrations, then the rows.
async fn logical_restore(data_dir: &Path, dump: &[u8]) -> anyhow::Result<()> {
    struct Table {
        name: String,
        columns: Vec<String>,
        integer: Vec<bool>,
        bytes: Vec<bool>,
        rows: Vec<Vec<serde_json::Value>>,
    }
    let mut tables: Vec<Table> = vec![];
    for line in dump.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let v: serde_json::Value = serde_json::from_slice(line).context("the dump is damaged")?;
        if let Some(row) = v.get("row").and_then(|r| r.as_array()) {
            tables.last_mut().context("a row before its table")?.rows.push(row.clone());
        } else {
            let strings =
                |k: &str| v.get(k).and_then(|a| a.as_array()).map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect::<Vec<_>>());
            let flags = |k: &str| -> Vec<bool> {
                v.get(k).and_then(|a| a.as_array()).map(|a| a.iter().map(|b| b.as_bool() == Some(true)).collect()).unwrap_or_default()
            };
            tables.push(Table {
                name: v.get("table").and_then(|t| t.as_str()).context("a table without a name")?.to_string(),
                columns: strings("columns").context("a table without columns")?,
                integer: flags("integer"),
                // Dumps before binary columns have none.
                bytes: flags("bytes"),
                rows: vec![],
            });
        }
    }
    let db = kernel::db::Db::open_sqlite(data_dir).await?;
    let known = crate::app::migrations();
    db.migrate(&known, kernel::Timestamp(chrono::Utc::now().timestamp_millis())).await?;
    if let Some(m) = tables.iter().find(|t| t.name == "schema_migrations") {
        let id_at = m.columns.iter().position(|c| c == "id").context("schema_migrations without id")?;
        for row in &m.rows {
            let id = row.get(id_at).and_then(|v| v.as_str()).unwrap_or("");
            if !known.iter().any(|k| k.id == id) {
                bail!("the backup comes from a newer version (migration {id}); restore it with that version");
            }
        }
    }
    tables.retain(|t| t.name != "schema_migrations");
    let txn = db.begin().await?;
    // Tables come in name order; references are checked once all rows are in.
    use sea_orm::ConnectionTrait;
    txn.execute_unprepared("PRAGMA defer_foreign_keys = ON").await?;
    for t in &tables {
        let cols: Vec<String> = t.columns.iter().map(|c| format!("\"{c}\"")).collect();
        let params: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
        let sql = format!("INSERT INTO \"{}\" ({}) VALUES ({})", t.name, cols.join(", "), params.join(", "));
        // Migrations may seed rows (counters, defaults); the backup's rows are the truth.
        txn.execute_unprepared(&format!("DELETE FROM \"{}\"", t.name)).await.with_context(|| format!("clearing {}", t.name))?;
        for row in &t.rows {
            let values: Vec<sea_orm::Value> = row
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    Ok(match (t.integer.get(i).copied().unwrap_or(false), t.bytes.get(i).copied().unwrap_or(false), v) {
                        (_, true, v) => sea_orm::Value::Bytes(v.as_str().map(hex::decode).transpose().context("a binary value is not hex")?),
                        (true, _, v) => sea_orm::Value::BigInt(v.as_i64()),
                        (false, _, v) => sea_orm::Value::String(v.as_str().map(str::to_string)),
                    })
                })
                .collect::<anyhow::Result<_>>()?;
            kernel::db::exec(&txn, &sql, values).await.with_context(|| format!("restoring {}", t.name))?;
        }
    }
    txn.commit().await?;
    Ok(())
}
