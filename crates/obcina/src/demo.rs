//! Demo data of Ptuj, loaded into an empty database on first start
//! (`--no-demo` skips it). Facts come from the strategy: the municipal
//! administration and the public companies and institutions of seed §3,
//! Table 5. Every row is marked `demo = 1`.

use kernel::Ctx;

const ORGANISATIONS: &[(&str, &str)] = &[
    ("Mestna občina Ptuj – občinska uprava", "administration"),
    ("Javne službe Ptuj d.o.o.", "public_company"),
    ("Komunalno podjetje Ptuj d.d.", "public_company"),
    ("Vrtec Ptuj", "public_institution"),
    ("Osnovna šola Breg", "public_institution"),
    ("Osnovna šola dr. Ljudevita Pivka", "public_institution"),
    ("Osnovna šola Ljudski vrt", "public_institution"),
    ("Osnovna šola Mladika", "public_institution"),
    ("Osnovna šola Olge Meglič", "public_institution"),
    ("Knjižnica Ivana Potrča Ptuj", "public_institution"),
    ("Javni zavod Lekarne Ptuj", "public_institution"),
    ("Zdravstveni dom Ptuj", "public_institution"),
    ("Center interesnih dejavnosti Ptuj", "public_institution"),
    ("Glasbena šola Ptuj", "public_institution"),
    ("LEA Spodnje Podravje", "public_institution"),
    ("Ljudska univerza Ptuj", "public_institution"),
    ("Mestno gledališče Ptuj", "public_institution"),
    ("Pokrajinski muzej Ptuj-Ormož", "public_institution"),
    ("REVIVIS Ptuj", "public_institution"),
    ("Zavod za šport Ptuj", "public_institution"),
    ("Zavod za turizem Ptuj", "public_institution"),
    ("ZRS Bistra Ptuj", "public_institution"),
];

/// Load the demo once: organisations when there are none yet, the sensor
/// fleet when no device is registered yet.
pub async fn load_if_empty(ctx: &Ctx, telemetry: &telemetry::Telemetry, reports: &reports::Reports) -> anyhow::Result<()> {
    let n = reports::demo::load_if_empty(ctx, reports).await.map_err(|e| anyhow::anyhow!("demo reports: {e}"))?;
    if n > 0 {
        tracing::info!(reports = n, "demo reports, gazetteer and Open311 key of Ptuj loaded");
    }
    let devices = telemetry::service::load_demo(ctx, telemetry).await.map_err(|e| anyhow::anyhow!("demo devices: {e}"))?;
    if devices > 0 {
        tracing::info!(devices, "demo sensor fleet of Ptuj loaded");
    }
    let alerts_config = alerts::AlertsConfig::from_table(&ctx.config.alerts).map_err(anyhow::Error::msg)?;
    let alerts = alerts::demo::load(ctx, &alerts_config).await.map_err(|e| anyhow::anyhow!("demo alerts: {e}"))?;
    if alerts > 0 {
        tracing::info!(messages = alerts, "demo flood exercise on the Drava loaded");
    }
    if budget::demo::load_if_empty(ctx).await.map_err(|e| anyhow::anyhow!("demo participatory budget: {e}"))? {
        tracing::info!("demo participatory budget of Ptuj loaded: 2026 with results, 2027 open for voting");
    }
    if events::demo::load(ctx).await? {
        tracing::info!("demo events of Ptuj loaded");
    }
    if participation::demo::load(ctx).await? {
        tracing::info!("demo proposals, surveys and questions of Ptuj loaded");
    }
    let places = places::demo::load_if_empty(ctx).await.map_err(|e| anyhow::anyhow!("demo places: {e}"))?;
    if places > 0 {
        tracing::info!(places, "demo places of Ptuj for the map loaded");
    }
    if bookings::demo::load(ctx).await? {
        tracing::info!("demo bookable spaces and charging points of Ptuj loaded");
    }
    let c = ctx.db.conn();
    if !identity::store::organisations(c).await?.is_empty() {
        return Ok(());
    }
    let txn = ctx.db.begin().await?;
    for (name, kind) in ORGANISATIONS {
        identity::store::insert_organisation(&txn, name, kind, true, ctx.now()).await?;
    }
    txn.commit().await?;
    tracing::info!(organisations = ORGANISATIONS.len(), "demo data of Ptuj loaded (start with --no-demo to skip)");
    Ok(())
}
