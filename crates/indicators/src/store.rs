//! The SQL of indicator values, for both backends. The only place that touches their table.

use crate::model::{Provenance, Value};
use kernel::Timestamp;
use kernel::db::{col, exec, opt_str, query_all};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};

fn value_from(r: &QueryResult) -> Result<Value, DbErr> {
    Ok(Value {
        code: col(r, "code")?,
        period: col(r, "period")?,
        value: col(r, "value")?,
        provenance: Provenance::parse(&col::<String>(r, "provenance")?).unwrap_or(Provenance::Entered),
        recorded_by: col(r, "recorded_by")?,
        note: col(r, "note")?,
        recorded_at: col(r, "recorded_at")?,
    })
}

/// Stores a value, replacing the one of the same indicator, period and provenance.
pub async fn put<C: ConnectionTrait>(c: &C, v: &Value) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO indicator_values (id, code, period, value, provenance, recorded_by, note, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (code, period, provenance) DO UPDATE SET value = $4, recorded_by = $6, note = $7, recorded_at = $8",
        [
            uuid::Uuid::now_v7().to_string().into(),
            v.code.clone().into(),
            v.period.clone().into(),
            v.value.into(),
            v.provenance.code().into(),
            v.recorded_by.clone().into(),
            opt_str(v.note.clone()),
            v.recorded_at.into(),
        ],
    )
    .await
    .map(|_| ())
}

/// Every value, oldest period first (then by provenance).
pub async fn all<C: ConnectionTrait>(c: &C) -> Result<Vec<Value>, DbErr> {
    let rows = query_all(c, "SELECT * FROM indicator_values ORDER BY code, period, provenance", []).await?;
    rows.iter().map(value_from).collect()
}

pub async fn of<C: ConnectionTrait>(c: &C, code: &str) -> Result<Vec<Value>, DbErr> {
    let rows = query_all(c, "SELECT * FROM indicator_values WHERE code = $1 ORDER BY period, provenance", [code.into()]).await?;
    rows.iter().map(value_from).collect()
}

/// When values were last recorded by a computation (for the schedule).
pub async fn last_computed<C: ConnectionTrait>(c: &C) -> Result<Option<Timestamp>, DbErr> {
    let rows = query_all(c, "SELECT MAX(recorded_at) AS at FROM indicator_values WHERE provenance = 'computed'", []).await?;
    Ok(rows.first().map(|r| col::<Option<i64>>(r, "at")).transpose()?.flatten().map(Timestamp))
}
