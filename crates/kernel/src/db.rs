//! Storage: one connection type for SQLite (embedded) and PostgreSQL
//! (scale-out), hand-written SQL that runs on both, and a small migrator.
//!
//! SQL is portable by convention: `$1, $2, …` placeholders (SQLite accepts
//! them too), TEXT for ids and ciphertexts, BIGINT for timestamps in
//! milliseconds and for counters. Where the dialects differ, a migration gives
//! a PostgreSQL variant.

use crate::Timestamp;
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, QueryResult, Statement, TransactionTrait, Value};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// The embedded database's file name inside the data directory.
pub const SQLITE_FILE: &str = "obcina.sqlite3";

#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
}

/// One schema change owned by a capability. Ids sort in apply order within a
/// capability (`identity-0001-accounts`). Never edit a released migration.
pub struct Migration {
    pub id: &'static str,
    pub sql: &'static str,
    /// PostgreSQL variant when the portable SQL is not enough.
    pub postgres: Option<&'static str>,
}

impl Db {
    /// Open the embedded SQLite database under `data_dir`.
    pub async fn open_sqlite(data_dir: &Path) -> Result<Db, DbErr> {
        std::fs::create_dir_all(data_dir).map_err(|e| DbErr::Custom(e.to_string()))?;
        let path = data_dir.join(SQLITE_FILE);
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            // FULL: an acknowledged write survives power loss, not only a process kill.
            .synchronous(sqlx::sqlite::SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            // 64 MiB of page cache (the default is 2 MiB): time series and
            // their rollups are written all over their B-trees.
            .pragma("cache_size", "-65536")
            // Prepared statements kept per connection (sqlx keeps 100): the
            // telemetry batches have a dozen sizes each.
            .statement_cache_capacity(512)
            .foreign_keys(true);
        // One connection: SQLite has one writer, and a single connection avoids
        // SQLITE_BUSY on read-to-write upgrades; reads are fast enough for it.
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts)
            .await
            .map_err(|e| DbErr::Conn(sea_orm::RuntimeErr::Internal(e.to_string())))?;
        Ok(Db { conn: sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool) })
    }

    /// Open PostgreSQL from a `postgres://` URL.
    pub async fn open_postgres(url: &str) -> Result<Db, DbErr> {
        let opts = sqlx::postgres::PgConnectOptions::from_str(url).map_err(|e| DbErr::Conn(sea_orm::RuntimeErr::Internal(e.to_string())))?;
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts)
            .await
            .map_err(|e| DbErr::Conn(sea_orm::RuntimeErr::Internal(e.to_string())))?;
        Ok(Db { conn: sea_orm::SqlxPostgresConnector::from_sqlx_postgres_pool(pool) })
    }

    /// SQLite under `data_dir` unless a PostgreSQL URL is given.
    pub async fn open(data_dir: &Path, database_url: Option<&str>) -> Result<Db, DbErr> {
        match database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => Db::open_postgres(url).await,
            Some(other) => {
                Err(DbErr::Custom(format!("unsupported database URL scheme in {:?}: use postgres://", other.split(':').next().unwrap_or(""))))
            }
            None => Db::open_sqlite(data_dir).await,
        }
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    pub fn is_postgres(&self) -> bool {
        self.backend() == DbBackend::Postgres
    }

    /// The SQLite pool under the connection, for hot paths that bind values
    /// directly (the same single connection, so writes stay serialised).
    pub fn sqlite_pool(&self) -> Option<&sqlx::SqlitePool> {
        (self.backend() == DbBackend::Sqlite).then(|| self.conn.get_sqlite_connection_pool())
    }

    /// The PostgreSQL pool under the connection (arrays bind natively).
    pub fn postgres_pool(&self) -> Option<&sqlx::PgPool> {
        self.is_postgres().then(|| self.conn.get_postgres_connection_pool())
    }

    /// A transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`): a transaction that reads and then writes could otherwise be
    /// refused outright ("database is locked", no busy wait) when another
    /// process — a CLI command beside the running server — wrote in between.
    pub async fn begin(&self) -> Result<DatabaseTransaction, DbErr> {
        if self.is_postgres() {
            return self.conn.begin().await;
        }
        let options = sea_orm::TransactionOptions { sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate), ..Default::default() };
        self.conn.begin_with_options(options).await
    }

    pub async fn ping(&self) -> Result<(), DbErr> {
        self.conn.ping().await
    }

    /// Apply every migration not yet applied, in the given order.
    pub async fn migrate(&self, migrations: &[&Migration], now: Timestamp) -> Result<usize, DbErr> {
        self.conn.execute_unprepared("CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)").await?;
        let mut applied = 0;
        for m in migrations {
            let done = query_opt(&self.conn, "SELECT id FROM schema_migrations WHERE id = $1", [m.id.into()]).await?.is_some();
            if done {
                continue;
            }
            let txn = self.begin().await?;
            let sql = match (self.is_postgres(), m.postgres) {
                (true, Some(pg)) => pg,
                _ => m.sql,
            };
            for part in split_sql(sql) {
                txn.execute_unprepared(part).await.map_err(|e| DbErr::Migration(format!("{}: {e}", m.id)))?;
            }
            exec(&txn, "INSERT INTO schema_migrations (id, applied_at) VALUES ($1, $2)", [m.id.into(), now.0.into()]).await?;
            txn.commit().await?;
            applied += 1;
        }
        Ok(applied)
    }
}

/// Split a migration into statements on `;` at line ends, keeping trigger
/// bodies (`BEGIN … END;`, `$$ … $$`) whole.
fn split_sql(sql: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut depth = 0i32;
    let mut in_dollar = false;
    let mut offset = 0;
    for line in sql.split_inclusive('\n') {
        let t = line.trim().to_ascii_uppercase();
        if t.matches("$$").count() % 2 == 1 {
            in_dollar = !in_dollar;
        }
        if !in_dollar {
            if t.ends_with("BEGIN") {
                depth += 1;
            }
            if t.starts_with("END;") || t == "END" {
                depth -= 1;
            }
        }
        offset += line.len();
        if !in_dollar && depth <= 0 && t.ends_with(';') {
            let stmt = sql[start..offset].trim();
            if !stmt.trim_end_matches(';').trim().is_empty() {
                out.push(stmt);
            }
            start = offset;
            depth = 0;
        }
    }
    let rest = sql[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

fn stmt<C: ConnectionTrait, I: IntoIterator<Item = Value>>(c: &C, sql: &str, values: I) -> Statement {
    Statement::from_sql_and_values(c.get_database_backend(), sql, values)
}

/// Execute a statement; returns the number of rows it touched.
pub async fn exec<C: ConnectionTrait, I: IntoIterator<Item = Value>>(c: &C, sql: &str, values: I) -> Result<u64, DbErr> {
    Ok(c.execute_raw(stmt(c, sql, values)).await?.rows_affected())
}

pub async fn query_opt<C: ConnectionTrait, I: IntoIterator<Item = Value>>(c: &C, sql: &str, values: I) -> Result<Option<QueryResult>, DbErr> {
    c.query_one_raw(stmt(c, sql, values)).await
}

pub async fn query_all<C: ConnectionTrait, I: IntoIterator<Item = Value>>(c: &C, sql: &str, values: I) -> Result<Vec<QueryResult>, DbErr> {
    c.query_all_raw(stmt(c, sql, values)).await
}

/// Read a column by name.
pub fn col<T: sea_orm::TryGetable>(row: &QueryResult, name: &str) -> Result<T, DbErr> {
    row.try_get("", name)
}

/// `FOR UPDATE` where the backend has row locks; SQLite serialises writers anyway.
pub fn for_update<C: ConnectionTrait>(c: &C) -> &'static str {
    if c.get_database_backend() == DbBackend::Postgres { " FOR UPDATE" } else { "" }
}

/// Whether an error is a unique-constraint violation (e.g. a taken e-mail).
pub fn is_unique_violation(e: &DbErr) -> bool {
    let s = e.to_string();
    s.contains("UNIQUE constraint failed") || s.contains("duplicate key value") || s.contains("23505")
}

/// A null of the given kind for optional parameters.
pub fn opt_str(v: Option<String>) -> Value {
    Value::String(v)
}

pub fn opt_i64(v: Option<i64>) -> Value {
    Value::BigInt(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_keeps_trigger_bodies_whole() {
        let sql =
            "CREATE TABLE a (x INT);\nCREATE TRIGGER t BEFORE UPDATE ON a\nBEGIN\n  SELECT RAISE(ABORT, 'no');\nEND;\nCREATE INDEX i ON a (x);\n";
        let parts = split_sql(sql);
        assert_eq!(parts.len(), 3, "{parts:?}");
        assert!(parts[1].contains("RAISE"));
    }

    #[test]
    fn split_keeps_dollar_quoted_functions_whole() {
        let sql = "CREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  RAISE EXCEPTION 'no';\nEND;\n$$ LANGUAGE plpgsql;\nCREATE TABLE b (y INT);\n";
        let parts = split_sql(sql);
        assert_eq!(parts.len(), 2, "{parts:?}");
    }
}
