//! Devices from a CSV file: every row checked like a device registered one
//! by one, valid rows stored in slices, errors reported by line; progress
//! is kept in the database so a page can show a progress bar.
//!
//! Columns: `key,type,name` (required), then `lon,lat,department,model,
//! installed_on,status`; any other column becomes a device attribute
//! (`feeder`, `section`, …).

use crate::Telemetry;
use crate::service::{self, DeviceInput};
use kernel::Ctx;
use kernel::access::UserActor;
use kernel::db::{col, exec, query_opt};
use kernel::{Actor, AppError, AppResult, Permission};
use sea_orm::DbErr;
use serde::Serialize;
use serde_json::{Map, Value, json};

pub const MAX_ROWS: usize = 100_000;
const SLICE: usize = 500;

/// A line number with the device on it, or the reason it cannot be one.
pub type Row = (usize, Result<DeviceInput, String>);

/// One row of the file, as a device, or the reason it cannot be one.
pub fn parse(text: &str) -> Result<Vec<Row>, String> {
    let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(text.as_bytes());
    let headers: Vec<String> = rdr.headers().map_err(|e| format!("header: {e}"))?.iter().map(str::to_string).collect();
    for required in ["key", "type", "name"] {
        if !headers.iter().any(|h| h == required) {
            return Err(format!("the header must name a `{required}` column"));
        }
    }
    let mut out = vec![];
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        if out.len() >= MAX_ROWS {
            return Err(format!("at most {MAX_ROWS} rows per file"));
        }
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                out.push((line, Err(e.to_string())));
                continue;
            }
        };
        let get = |name: &str| headers.iter().position(|h| h == name).and_then(|i| rec.get(i)).filter(|v| !v.is_empty()).map(str::to_string);
        let number = |name: &str| -> Result<Option<f64>, String> {
            get(name).map(|v| v.parse::<f64>().map_err(|_| format!("{name} is not a number"))).transpose()
        };
        let row = (|| {
            let mut attrs = Map::new();
            for (h, v) in headers.iter().zip(rec.iter()) {
                if !["key", "type", "name", "lon", "lat", "department", "model", "installed_on", "status"].contains(&h.as_str()) && !v.is_empty() {
                    attrs.insert(h.clone(), v.parse::<f64>().map(Value::from).unwrap_or_else(|_| Value::from(v)));
                }
            }
            Ok(DeviceInput {
                key: get("key").unwrap_or_default(),
                device_type: get("type").unwrap_or_default(),
                name: get("name").unwrap_or_default(),
                model: get("model"),
                lon: number("lon")?,
                lat: number("lat")?,
                department: get("department"),
                installed_on: get("installed_on"),
                status: get("status"),
                attrs: Some(Value::Object(attrs)),
            })
        })();
        out.push((line, row));
    }
    Ok(out)
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Progress {
    pub id: String,
    pub total: i64,
    pub done: i64,
    pub failed: i64,
    /// `{"line", "error"}` for each refused row (the first 1,000).
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<Value>,
    pub finished: bool,
}

pub async fn progress(ctx: &Ctx, id: &str) -> Result<Option<Progress>, DbErr> {
    let Some(r) = query_opt(ctx.db.conn(), "SELECT * FROM telemetry_imports WHERE id = $1", [id.into()]).await? else { return Ok(None) };
    Ok(Some(Progress {
        id: col(&r, "id")?,
        total: col(&r, "total")?,
        done: col(&r, "done")?,
        failed: col(&r, "failed")?,
        errors: serde_json::from_str(&col::<String>(&r, "errors")?).unwrap_or_default(),
        finished: col::<Option<i64>>(&r, "finished_at")?.is_some(),
    }))
}

/// Start an import; the rows are processed in the background.
pub async fn start(ctx: &Ctx, t: &Telemetry, actor: &Actor, text: &str) -> AppResult<Progress> {
    let user = actor.check(Permission::ManageDevices)?.clone();
    let rows = parse(text).map_err(|e| AppError::field("file", "csv_invalid").with_detail(e))?;
    if rows.is_empty() {
        return Err(AppError::field("file", "csv_empty"));
    }
    let id = uuid::Uuid::now_v7().to_string();
    let who = format!("account:{}", user.account_id);
    let txn = ctx.db.begin().await?;
    exec(
        &txn,
        "INSERT INTO telemetry_imports (id, created_by, created_at, total, done, failed, errors) VALUES ($1, $2, $3, $4, 0, 0, '[]')",
        [id.clone().into(), who.clone().into(), ctx.now().0.into(), (rows.len() as i64).into()],
    )
    .await?;
    let subject = format!("import:{id}");
    ctx.audit(
        &txn,
        kernel::audit::AuditEntry {
            actor: &who,
            action: "telemetry.device.import",
            subject: &subject,
            outcome: "ok",
            detail: json!({"rows": rows.len()}),
        },
    )
    .await?;
    txn.commit().await?;
    let (ctx2, t2, id2) = (ctx.clone(), t.clone(), id.clone());
    tokio::spawn(async move {
        if let Err(e) = run(&ctx2, &t2, &user, &id2, rows).await {
            tracing::error!(error = %e, "device import stopped");
        }
    });
    progress(ctx, &id).await?.ok_or_else(|| AppError::internal("import vanished"))
}

async fn run(ctx: &Ctx, t: &Telemetry, user: &UserActor, id: &str, rows: Vec<Row>) -> Result<(), DbErr> {
    let actor = Actor::User(user.clone());
    let (mut done, mut failed, mut errors) = (0i64, 0i64, Vec::<Value>::new());
    for slice in rows.chunks(SLICE) {
        for (line, row) in slice {
            let outcome = match row {
                Err(e) => Err(e.clone()),
                Ok(input) => service::create_device_quietly(ctx, t, &actor, input.clone()).await.map_err(|e| {
                    let fields: Vec<String> = e.fields.iter().map(|f| format!("{}: {}", f.field, f.code)).collect();
                    if fields.is_empty() { e.code.to_string() } else { fields.join(", ") }
                }),
            };
            match outcome {
                Ok(()) => done += 1,
                Err(e) => {
                    failed += 1;
                    if errors.len() < 1000 {
                        errors.push(json!({"line": line, "error": e}));
                    }
                }
            }
        }
        exec(
            ctx.db.conn(),
            "UPDATE telemetry_imports SET done = $1, failed = $2, errors = $3 WHERE id = $4",
            [done.into(), failed.into(), Value::Array(errors.clone()).to_string().into(), id.into()],
        )
        .await?;
    }
    exec(ctx.db.conn(), "UPDATE telemetry_imports SET finished_at = $1 WHERE id = $2", [ctx.now().0.into(), id.into()]).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_devices_with_attributes_or_say_why_not() {
        let csv = "key,type,name,lon,lat,feeder\nlum-1,Streetlight,Svetilka 1,15.87,46.42,RP-01\nlum-2,Streetlight,Svetilka 2,east,46.42,RP-02\n";
        let rows = parse(csv).unwrap();
        assert_eq!(rows.len(), 2);
        let (line, first) = &rows[0];
        let first = first.as_ref().unwrap();
        assert_eq!((*line, first.key.as_str(), first.lon), (2, "lum-1", Some(15.87)));
        assert_eq!(first.attrs.as_ref().unwrap()["feeder"], "RP-01");
        assert_eq!(rows[1].1.as_ref().unwrap_err(), "lon is not a number");
        assert!(parse("name,type\nx,y\n").unwrap_err().contains("`key`"));
        let ragged = parse("key,type,name\na,b\n").unwrap();
        assert!(ragged[0].1.is_err(), "a row with a missing column");
    }
}
