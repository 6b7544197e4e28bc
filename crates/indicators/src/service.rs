//! What people do with indicators: staff record a value or import a file of
//! them, the platform computes what its own data can tell, and everyone
//! reads the board. Each write checks `ManageData` and is audited.

use crate::model::{Indicator, Provenance, Value, valid_period};
use crate::registry::Registry;
use crate::store;
use kernel::error::FieldError;
use kernel::{Actor, AppError, AppResult, Ctx, Permission, Timestamp};
use sea_orm::DbErr;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An indicator the platform computes from its own data. Implemented where
/// the data's crates are wired together (the binary), so this crate depends
/// on none of them.
pub trait Computation: Send + Sync {
    /// The indicator it computes.
    fn code(&self) -> &'static str;
    /// How, in words (shown on the indicator's page).
    fn formula(&self) -> &'static str;
    /// The value for a year; `None` when the data do not tell.
    fn compute<'a>(&'a self, ctx: &'a Ctx, year: i32) -> BoxFuture<'a, Result<Option<f64>, DbErr>>;
}

/// The registry and the computations, built once and handed to the routes.
#[derive(Clone)]
pub struct Indicators {
    pub registry: Arc<Registry>,
    computations: Arc<Vec<Box<dyn Computation>>>,
}

impl Indicators {
    pub fn new(config: &toml::Table, computations: Vec<Box<dyn Computation>>) -> Result<Indicators, String> {
        let mut registry = Registry::from_table(config)?;
        for c in &computations {
            registry.set_formula(c.code(), c.formula())?;
        }
        Ok(Indicators { registry: Arc::new(registry), computations: Arc::new(computations) })
    }

    pub fn computed(&self, code: &str) -> bool {
        self.computations.iter().any(|c| c.code() == code)
    }
}

/// A value typed in by staff.
#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct ValueInput {
    /// `2026` or `2026-06`.
    pub period: String,
    pub value: f64,
    pub note: Option<String>,
}

const MAX_NOTE: usize = 500;

fn check(ind: &Indicators, code: &str, v: &ValueInput) -> Result<(), Vec<FieldError>> {
    let mut errors = vec![];
    let mut bad = |field: &str, code: &str| errors.push(FieldError { field: field.into(), code: code.into() });
    if ind.registry.get(code).is_none() {
        bad("code", "indicator_unknown");
    }
    if !valid_period(&v.period) {
        bad("period", "period_invalid");
    }
    if !v.value.is_finite() || v.value.abs() > 1e12 {
        bad("value", "not_a_number");
    }
    if v.note.as_deref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
        bad("note", "too_long");
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

async fn audit<C: sea_orm::ConnectionTrait>(
    c: &C,
    ctx: &Ctx,
    account: &str,
    action: &str,
    subject: &str,
    detail: serde_json::Value,
) -> Result<(), DbErr> {
    kernel::audit::append(
        c,
        &ctx.keys,
        ctx.now(),
        &kernel::audit::AuditEntry { actor: &format!("account:{account}"), action, subject, outcome: "ok", detail },
    )
    .await
    .map(|_| ())
}

/// Staff record one value; it replaces an earlier entered value of the same period.
pub async fn record(ctx: &Ctx, actor: &Actor, ind: &Indicators, code: &str, input: ValueInput) -> AppResult<Value> {
    let user = actor.check(Permission::ManageData)?;
    check(ind, code, &input).map_err(AppError::invalid)?;
    let note = input.note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    let v = Value {
        code: code.to_string(),
        period: input.period,
        value: input.value,
        provenance: Provenance::Entered,
        recorded_by: format!("account:{}", user.account_id),
        note,
        recorded_at: ctx.now().0,
    };
    let txn = ctx.db.begin().await?;
    store::put(&txn, &v).await?;
    audit(&txn, ctx, &user.account_id, "indicators.record", &format!("indicator:{code}"), serde_json::json!({"period": v.period, "value": v.value}))
        .await?;
    txn.commit().await?;
    Ok(v)
}

/// Most rows one import takes.
pub const MAX_IMPORT_ROWS: usize = 5_000;

/// A CSV file of values (`code,period,value[,note]` with a header row): all
/// of it or, when any line is wrong, none of it, with every wrong line named.
pub async fn import(ctx: &Ctx, actor: &Actor, ind: &Indicators, text: &str) -> AppResult<usize> {
    let user = actor.check(Permission::ManageData)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> =
        rdr.headers().map_err(|e| AppError::field("file", "csv_invalid").with_detail(e.to_string()))?.iter().map(str::to_lowercase).collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(ci), Some(pi), Some(vi)) = (col("code"), col("period"), col("value")) else {
        return Err(AppError::field("file", "csv_invalid").with_detail("the header must name code, period and value"));
    };
    let ni = col("note");
    let mut values = vec![];
    let mut problems: Vec<String> = vec![];
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        if values.len() + problems.len() >= MAX_IMPORT_ROWS {
            return Err(AppError::field("file", "too_long").with_detail(format!("at most {MAX_IMPORT_ROWS} rows per file")));
        }
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let get = |i: usize| rec.get(i).unwrap_or("").to_string();
        let code = get(ci);
        // Both "0,3" (Slovenian spreadsheets) and "0.3".
        let Ok(value) = get(vi).replace(',', ".").parse::<f64>() else {
            problems.push(format!("line {line}: value {:?} is not a number", get(vi)));
            continue;
        };
        let input = ValueInput { period: get(pi), value, note: ni.map(get) };
        match check(ind, &code, &input) {
            Ok(()) => values.push(Value {
                code,
                period: input.period,
                value,
                provenance: Provenance::Imported,
                recorded_by: format!("account:{}", user.account_id),
                note: input.note.filter(|n| !n.is_empty()),
                recorded_at: ctx.now().0,
            }),
            Err(errs) => {
                problems.push(format!("line {line}: {}", errs.iter().map(|e| format!("{} {}", e.field, e.code)).collect::<Vec<_>>().join(", ")))
            }
        }
    }
    if !problems.is_empty() {
        return Err(AppError::field("file", "csv_invalid").with_detail(problems.join("; ")));
    }
    if values.is_empty() {
        return Err(AppError::field("file", "csv_empty"));
    }
    let txn = ctx.db.begin().await?;
    for v in &values {
        store::put(&txn, v).await?;
    }
    audit(&txn, ctx, &user.account_id, "indicators.import", "indicators", serde_json::json!({"values": values.len()})).await?;
    txn.commit().await?;
    Ok(values.len())
}

/// Computes every computable indicator for a year and stores what the data tell.
pub async fn compute_year(ctx: &Ctx, ind: &Indicators, year: i32) -> Result<usize, DbErr> {
    let mut stored = 0;
    for c in ind.computations.iter() {
        let Some(value) = c.compute(ctx, year).await? else { continue };
        if !value.is_finite() {
            continue;
        }
        let v = Value {
            code: c.code().to_string(),
            period: year.to_string(),
            value,
            provenance: Provenance::Computed,
            recorded_by: "platform".into(),
            note: None,
            recorded_at: ctx.now().0,
        };
        store::put(ctx.db.conn(), &v).await?;
        stored += 1;
    }
    Ok(stored)
}

/// Staff ask for a recomputation now (otherwise it runs daily).
pub async fn recompute(ctx: &Ctx, actor: &Actor, ind: &Indicators) -> AppResult<usize> {
    let user = actor.check(Permission::ManageData)?;
    let year = ctx.now().local().format("%Y").to_string().parse().unwrap_or(2026);
    let n = compute_year(ctx, ind, year).await?;
    audit(ctx.db.conn(), ctx, &user.account_id, "indicators.recompute", "indicators", serde_json::json!({"year": year, "values": n})).await?;
    Ok(n)
}

/// Recomputes the current year once a day, and at start when nothing was computed yet.
pub fn spawn_schedule(ctx: Ctx, ind: Indicators) {
    tokio::spawn(async move {
        loop {
            let due = match store::last_computed(ctx.db.conn()).await {
                Ok(None) => true,
                Ok(Some(at)) => ctx.now().0 - at.0 >= 24 * 3600 * 1000,
                Err(e) => {
                    tracing::warn!(error = %e, "indicators: cannot read the last computation");
                    false
                }
            };
            if due {
                let year = ctx.now().local().format("%Y").to_string().parse().unwrap_or(2026);
                match compute_year(&ctx, &ind, year).await {
                    Ok(n) => tracing::info!(values = n, year, "indicators computed"),
                    Err(e) => tracing::warn!(error = %e, "indicators: computation failed"),
                }
            }
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    });
}

/// The value that counts for a period: what staff entered over what was
/// imported over what was computed.
pub fn effective<'a>(values: impl IntoIterator<Item = &'a Value>) -> Vec<&'a Value> {
    let mut by_period: std::collections::BTreeMap<&str, &Value> = std::collections::BTreeMap::new();
    for v in values {
        let rank = |p: Provenance| match p {
            Provenance::Entered => 3,
            Provenance::Imported => 2,
            Provenance::Computed => 1,
        };
        match by_period.get(v.period.as_str()) {
            Some(old) if rank(old.provenance) >= rank(v.provenance) => {}
            _ => {
                by_period.insert(&v.period, v);
            }
        }
    }
    by_period.into_values().collect()
}

/// One indicator on the board.
pub struct Line<'a> {
    pub indicator: &'a Indicator,
    /// Period by period, the value that counts.
    pub history: Vec<&'a Value>,
    pub latest: Option<&'a Value>,
    pub progress: Option<f64>,
}

pub fn lines<'a>(ind: &'a Indicators, values: &'a [Value]) -> Vec<Line<'a>> {
    ind.registry
        .indicators
        .iter()
        .map(|i| {
            let history = effective(values.iter().filter(|v| v.code == i.code));
            let latest = history.last().copied();
            Line { indicator: i, progress: latest.and_then(|v| i.progress(v.value)), history, latest }
        })
        .collect()
}

/// The current local year.
pub fn this_year(now: Timestamp) -> i32 {
    now.local().format("%Y").to_string().parse().unwrap_or(2026)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(period: &str, value: f64, p: Provenance) -> Value {
        Value { code: "x".into(), period: period.into(), value, provenance: p, recorded_by: "t".into(), note: None, recorded_at: 0 }
    }

    #[test]
    fn entered_beats_imported_beats_computed_per_period() {
        let values = vec![
            v("2025", 1.0, Provenance::Computed),
            v("2025", 2.0, Provenance::Entered),
            v("2026", 3.0, Provenance::Computed),
            v("2026", 4.0, Provenance::Imported),
            v("2027", 5.0, Provenance::Computed),
        ];
        let e: Vec<f64> = effective(&values).iter().map(|v| v.value).collect();
        assert_eq!(e, [2.0, 4.0, 5.0]);
    }
}
