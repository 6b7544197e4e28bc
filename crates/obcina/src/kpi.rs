//! The indicators the platform computes from its own data. They live here,
//! where every capability's tables are known, so that the indicators crate
//! depends on none of them. Each counts what the strategy's KPI names, for
//! one calendar year (local time).

use indicators::Computation;
use indicators::service::BoxFuture;
use kernel::Ctx;
use kernel::db::{col, query_all};
use sea_orm::DbErr;

/// Milliseconds of 1 January 00:00 in Ljubljana (winter time, UTC+1).
fn year_start(year: i32) -> i64 {
    let midnight = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default().and_hms_opt(0, 0, 0).unwrap_or_default();
    midnight.and_utc().timestamp_millis() - 3_600_000
}

async fn count(ctx: &Ctx, sql: &str, values: Vec<sea_orm::Value>) -> Result<i64, DbErr> {
    let rows = query_all(ctx.db.conn(), sql, values).await?;
    rows.first().map(|r| col::<i64>(r, "n")).unwrap_or(Ok(0))
}

fn per_resident(ctx: &Ctx, n: i64) -> Option<f64> {
    let people = f64::from(ctx.config.municipality.population);
    (people > 0.0).then(|| n as f64 / people)
}

/// A count of rows created in the year, optionally per resident.
struct CreatedIn {
    code: &'static str,
    formula: &'static str,
    table: &'static str,
    per_resident: bool,
}

impl Computation for CreatedIn {
    fn code(&self) -> &'static str {
        self.code
    }
    fn formula(&self) -> &'static str {
        self.formula
    }
    fn compute<'a>(&'a self, ctx: &'a Ctx, year: i32) -> BoxFuture<'a, Result<Option<f64>, DbErr>> {
        Box::pin(async move {
            let sql = format!("SELECT COUNT(*) AS n FROM {} WHERE created_at >= $1 AND created_at < $2", self.table);
            let n = count(ctx, &sql, vec![year_start(year).into(), year_start(year + 1).into()]).await?;
            Ok(if self.per_resident { per_resident(ctx, n) } else { Some(n as f64) })
        })
    }
}

/// Devices of some types registered on the sensor platform (`active_hours`:
/// only those heard from in that many hours).
struct Devices {
    code: &'static str,
    formula: &'static str,
    types: &'static [&'static str],
    active_hours: Option<i64>,
}

impl Computation for Devices {
    fn code(&self) -> &'static str {
        self.code
    }
    fn formula(&self) -> &'static str {
        self.formula
    }
    fn compute<'a>(&'a self, ctx: &'a Ctx, _year: i32) -> BoxFuture<'a, Result<Option<f64>, DbErr>> {
        Box::pin(async move {
            let marks: Vec<String> = (1..=self.types.len()).map(|i| format!("${i}")).collect();
            let mut sql = format!("SELECT COUNT(*) AS n FROM telemetry_devices WHERE type IN ({})", marks.join(", "));
            let mut values: Vec<sea_orm::Value> = self.types.iter().map(|t| (*t).into()).collect();
            if let Some(h) = self.active_hours {
                sql.push_str(&format!(" AND last_seen >= ${}", values.len() + 1));
                values.push((ctx.now().0 - h * 3_600_000).into());
            }
            Ok(Some(count(ctx, &sql, values).await? as f64))
        })
    }
}

/// Residents subscribed to notifications: confirmed accounts that receive
/// at least one broadcast topic (the defaults include disasters in the app),
/// per resident, in percent.
struct Subscribed;

impl Computation for Subscribed {
    fn code(&self) -> &'static str {
        "admin.notify.1"
    }
    fn formula(&self) -> &'static str {
        "confirmed accounts that receive at least one broadcast topic (road works, traffic, utilities, disasters, events) ÷ population × 100"
    }
    fn compute<'a>(&'a self, ctx: &'a Ctx, _year: i32) -> BoxFuture<'a, Result<Option<f64>, DbErr>> {
        Box::pin(async move {
            let accounts = count(ctx, "SELECT COUNT(*) AS n FROM accounts WHERE email_confirmed_at IS NOT NULL", vec![]).await?;
            let chosen = query_all(
                ctx.db.conn(),
                "SELECT s.topics FROM notify_settings s JOIN accounts a ON a.id = s.account_id WHERE a.email_confirmed_at IS NOT NULL",
                [],
            )
            .await?;
            let personal = ["my_reports", "my_bookings", "my_proposals", "alarms"];
            let mut opted_out = 0;
            for r in &chosen {
                let topics: std::collections::BTreeMap<String, Vec<String>> = serde_json::from_str(&col::<String>(r, "topics")?).unwrap_or_default();
                if !topics.iter().any(|(t, channels)| !personal.contains(&t.as_str()) && !channels.is_empty()) {
                    opted_out += 1;
                }
            }
            Ok(per_resident(ctx, accounts - opted_out).map(|share| share * 100.0))
        })
    }
}

/// Every computation, with the indicator it feeds.
pub fn computations() -> Vec<Box<dyn Computation>> {
    vec![
        Box::new(CreatedIn {
            code: "admin.reports.1",
            formula: "fault reports received in the calendar year ÷ population",
            table: "reports",
            per_resident: true,
        }),
        Box::new(CreatedIn {
            code: "admin.proposals.1",
            formula: "proposals and initiatives submitted in the calendar year",
            table: "participation_proposals",
            per_resident: false,
        }),
        Box::new(Subscribed),
        Box::new(Devices {
            code: "energy.lighting.1",
            formula: "luminaires (Streetlight devices) on the sensor platform",
            types: &["Streetlight"],
            active_hours: None,
        }),
        Box::new(Devices {
            code: "env.climate.1",
            formula: "air-quality and weather stations on the sensor platform",
            types: &["AirQualityObserved", "WeatherObserved"],
            active_hours: None,
        }),
        Box::new(Devices {
            code: "rescue.sensors.1",
            formula: "flood-monitoring sensors heard from in the last 24 hours",
            types: &["FloodMonitoring"],
            active_hours: Some(24),
        }),
        Box::new(Devices {
            code: "mob.ev.1",
            formula: "EV charging stations on the sensor platform",
            types: &["EVChargingStation"],
            active_hours: None,
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_starts_at_local_midnight() {
        // 2026-01-01T00:00+01:00 is 2025-12-31T23:00Z.
        assert_eq!(year_start(2026), 1_767_222_000_000);
    }
}
