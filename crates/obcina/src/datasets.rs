//! The datasets each capability registers in the catalogue, written here
//! over the capabilities' public store functions so that the crates stay
//! independent of the catalogue (and it of them). A new capability adds a
//! `Source` below and one line in `sources()`.

use catalog::model::{Access, Api, Column, ColumnType as T, Dataset, HVD_EARTH, HVD_METEO, HVD_MOBILITY, Origin, Period, Text};
use catalog::source::{BoxFuture, Page, Row, Source, Sources, Span};
use kernel::{Ctx, Timestamp};
use sea_orm::DbErr;
use serde_json::{Value, json};

/// Every dataset source of the platform.
pub fn sources(telemetry: telemetry::Telemetry, reports: reports::Reports, indicators: indicators::Indicators) -> Sources {
    Sources::new(vec![
        Box::new(Reports(reports)),
        Box::new(Sensors(telemetry)),
        Box::new(Budget),
        Box::new(Participation),
        Box::new(Alerts),
        Box::new(Places),
        Box::new(Events),
        Box::new(Bookable),
        Box::new(Indicators(indicators)),
    ])
}

/// When the platform's datasets were first described (for `dct:issued`).
const ISSUED: Timestamp = Timestamp(1_764_547_200_000); // 2025-12-01

/// A dataset with the defaults most capabilities share: open, CC BY 4.0,
/// the municipality's extent, Slovenian and English texts.
fn dataset(capability: &'static str, name: &str, title: (&str, &str), description: (&str, &str), theme: &'static str, owner: &str) -> Dataset {
    Dataset {
        name: name.into(),
        title: Text::new(title.0, title.1),
        description: Text::new(description.0, description.1),
        theme,
        keywords: vec![],
        owner: owner.into(),
        contact_email: String::new(),
        frequency: "UPDATE_CONT",
        temporal: Period::default(),
        usable: Period::default(),
        access: Access::Open,
        licence: catalog::model::DEFAULT_LICENCE,
        spatial: String::new(),
        related: vec![],
        derived_from: vec![],
        consumers: vec![],
        hvd: None,
        columns: vec![],
        apis: vec![],
        external: vec![],
        origin: Origin::Capability(capability),
        issued: ISSUED,
        large: false,
    }
}

fn api(sl: &str, en: &str, url: &str, conforms_to: Option<&str>) -> Api {
    Api { title: Text::new(sl, en), url: url.into(), conforms_to: conforms_to.map(str::to_string) }
}

fn col(name: &str, kind: T, sl: &str, en: &str) -> Column {
    Column::new(name, kind, sl, en)
}

fn row(v: Value) -> Row {
    match v {
        Value::Object(o) => o,
        _ => Row::new(),
    }
}

fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn boxed<'a, T: Send + 'a>(f: impl std::future::Future<Output = Result<T, DbErr>> + Send + 'a) -> BoxFuture<'a, Result<T, DbErr>> {
    Box::pin(f)
}

fn contact(ctx: &Ctx, mut d: Dataset) -> Dataset {
    if d.contact_email.is_empty() {
        d.contact_email = ctx.config.municipality.email.clone();
    }
    d
}

/// A span from a query that gives `t0` (the oldest record) and `t` (the last change), in ms.
/// The first and last time of a table's data, `first` and `last` columns
/// of `from` (a table, and a WHERE clause if any). Two subqueries, not
/// MIN and MAX in one: each is then one step down an index where there is one.
async fn span_of(ctx: &Ctx, first: &str, last: &str, from: &str) -> Result<Span, DbErr> {
    let sql = format!("SELECT (SELECT MIN({first}) FROM {from}) AS t0, (SELECT MAX({last}) FROM {from}) AS t");
    let r = kernel::db::query_opt(ctx.db.conn(), &sql, []).await?;
    let at = |name: &str| r.as_ref().and_then(|r| kernel::db::col::<Option<i64>>(r, name).ok().flatten()).map(Timestamp);
    Ok(Span { first: at("t0"), last: at("t") })
}

// ---- fault reports ----

struct Reports(reports::Reports);

impl Source for Reports {
    fn datasets(&self, ctx: &Ctx) -> Vec<Dataset> {
        let mut d = dataset(
            "reports",
            "fault-reports",
            ("Prijave okvar in poškodb", "Fault reports"),
            (
                "Prijave okvar na cestah, razsvetljavi, stavbah in zemljiščih, z lego, stanjem in lastnikom infrastrukture. Brez podatkov prijaviteljev.",
                "Reports of faults on roads, lights, buildings and land, with position, status and the owner of the infrastructure. Without the reporters' data.",
            ),
            "GOVE",
            "Mestna občina Ptuj – občinska uprava",
        );
        d.keywords = words(&["prijave", "okvare", "infrastruktura", "Open311"]);
        d.consumers = words(&["Javne službe Ptuj d.o.o.", "Komunalno podjetje Ptuj d.d."]);
        d.owner = ctx.config.municipality.name_sl.clone();
        d.columns = vec![
            col("id", T::Integer, "Številka prijave", "Report number"),
            col("category", T::String, "Koda kategorije", "Category code"),
            col("category_name", T::String, "Kategorija", "Category"),
            col("status", T::String, "Stanje", "Status"),
            col("description", T::String, "Opis", "Description"),
            col("address", T::String, "Naslov", "Address"),
            col("lat", T::Number, "Zemljepisna širina (WGS84)", "Latitude (WGS84)"),
            col("lon", T::Number, "Zemljepisna dolžina (WGS84)", "Longitude (WGS84)"),
            col("owner", T::String, "Lastnik infrastrukture", "Owner of the infrastructure"),
            col("created_at", T::Datetime, "Prijavljeno", "Reported"),
            col("updated_at", T::Datetime, "Spremenjeno", "Updated"),
            col("reporter_account", T::String, "Račun prijavitelja", "Reporter's account").personal(),
            col("reporter_name", T::String, "Ime prijavitelja", "Reporter's name").personal(),
            col("reporter_email", T::String, "E-pošta prijavitelja", "Reporter's e-mail").personal(),
            col("reporter_phone", T::String, "Telefon prijavitelja", "Reporter's phone").personal(),
        ];
        d.apis = vec![
            api("Open311 GeoReport v2", "Open311 GeoReport v2", "/open311/v2/requests.json", Some("http://wiki.open311.org/GeoReport_v2/")),
            api("API prijav", "Reports API", "/api/v1/reports", None),
        ];
        d.related = words(&["sensor-devices"]);
        vec![contact(ctx, d)]
    }

    fn rows<'a>(&'a self, ctx: &'a Ctx, _name: &'a str) -> BoxFuture<'a, Result<Vec<Row>, DbErr>> {
        boxed(async move {
            let f = reports::store::Filter { limit: 100_000, ..Default::default() };
            let list = reports::store::list(ctx.db.conn(), &f).await?;
            Ok(list
                .into_iter()
                .map(|r| {
                    // The account is declared personal: the catalogue drops it.
                    row(json!({
                        "id": r.id, "category_name": self.0.config.category(&r.category).map(|c| c.name.get(kernel::Lang::Sl).to_string()),
                        "category": r.category, "status": r.status.code(), "description": r.description,
                        "address": r.address, "lat": r.lat, "lon": r.lon, "owner": r.owner,
                        "created_at": Timestamp(r.created_at).rfc3339(), "updated_at": Timestamp(r.updated_at).rfc3339(),
                        "reporter_account": r.account_id,
                    }))
                })
                .collect())
        })
    }

    fn span<'a>(&'a self, ctx: &'a Ctx, _name: &'a str) -> BoxFuture<'a, Result<Span, DbErr>> {
        boxed(span_of(ctx, "created_at", "updated_at", "reports"))
    }
}

// ---- sensors ----

struct Sensors(telemetry::Telemetry);

/// A sensor type as a dataset of its latest readings: type, name, titles, theme, HVD category.
type SensorSet = (&'static str, &'static str, (&'static str, &'static str), &'static str, &'static str);

const SENSOR_SETS: &[SensorSet] = &[
    ("AirQualityObserved", "air-quality", ("Kakovost zraka – zadnje meritve", "Air quality – latest readings"), "ENVI", HVD_EARTH),
    ("WeatherObserved", "weather", ("Vreme – zadnje meritve", "Weather – latest readings"), "ENVI", HVD_METEO),
    ("FloodMonitoring", "water-levels", ("Vodostaji – zadnje meritve", "Water levels – latest readings"), "ENVI", HVD_EARTH),
    ("TrafficFlowObserved", "traffic-counts", ("Promet – štetje vozil", "Traffic counts"), "TRAN", HVD_MOBILITY),
    ("EVChargingStation", "ev-chargers", ("Polnilnice za električna vozila", "Charging stations for electric vehicles"), "TRAN", HVD_MOBILITY),
];

/// The hourly history of the open sensor types: one row per hour and series.
const HISTORY: &str = "sensor-history";

impl Sensors {
    /// The device types of a sensor dataset.
    fn types(&self, name: &str) -> Vec<String> {
        if name == "sensor-devices" {
            return self.0.registry.types().filter(|t| !t.personal).map(|t| t.id.clone()).collect();
        }
        if name == HISTORY {
            // Only types whose values the public may see; a personal type never, whatever its flags say.
            return self.0.registry.types().filter(|t| t.public && !t.personal).map(|t| t.id.clone()).collect();
        }
        SENSOR_SETS.iter().filter(|s| s.1 == name).map(|s| s.0.to_string()).collect()
    }
}

impl Source for Sensors {
    fn datasets(&self, ctx: &Ctx) -> Vec<Dataset> {
        let owner = "Oddelek za gospodarske dejavnosti in promet";
        let mut devices = dataset(
            "telemetry",
            "sensor-devices",
            ("Senzorji in naprave", "Sensors and devices"),
            (
                "Register senzorjev in naprav pametnega mesta: vrsta, lega, stanje, zadnji stik. Brez vodomerov gospodinjstev.",
                "The register of the smart city's sensors and devices: type, position, status, last contact. Without household water meters.",
            ),
            "TECH",
            owner,
        );
        devices.keywords = words(&["senzorji", "IoT", "pametno mesto"]);
        devices.frequency = "DAILY";
        devices.columns = vec![
            col("key", T::String, "Oznaka", "Key"),
            col("type", T::String, "Vrsta (Smart Data Models)", "Type (Smart Data Models)"),
            col("name", T::String, "Ime", "Name"),
            col("status", T::String, "Stanje", "Status"),
            col("lat", T::Number, "Zemljepisna širina (WGS84)", "Latitude (WGS84)"),
            col("lon", T::Number, "Zemljepisna dolžina (WGS84)", "Longitude (WGS84)"),
            col("installed_on", T::Date, "Nameščeno", "Installed on"),
            col("last_seen", T::Datetime, "Zadnji stik", "Last contact"),
        ];
        devices.apis = vec![api("NGSI-LD", "NGSI-LD", "/ngsi-ld/v1/entities", Some("https://www.etsi.org/deliver/etsi_gs/CIM/001_099/009/"))];
        let mut out = vec![contact(ctx, devices)];
        for (ty, name, title, theme, hvd) in SENSOR_SETS {
            let public = self.0.registry.types().any(|t| t.id == *ty && t.public);
            let mut d = dataset(
                "telemetry",
                name,
                *title,
                (
                    "Zadnja vrednost vsake merjene količine vsakega senzorja te vrste, z enoto, lego in časom meritve.",
                    "The latest value of every quantity of every sensor of this type, with unit, position and time of reading.",
                ),
                theme,
                owner,
            );
            d.keywords = words(&[ty, "senzorji", "meritve"]);
            d.hvd = Some(hvd);
            // Types the platform keeps from the public are shared with partners only.
            d.access = if public { Access::Open } else { Access::Partners };
            d.columns = vec![
                col("device", T::String, "Senzor", "Sensor"),
                col("type", T::String, "Vrsta", "Type"),
                col("quantity", T::String, "Količina", "Quantity"),
                col("unit", T::String, "Enota (UN/CEFACT)", "Unit (UN/CEFACT)"),
                col("value", T::Number, "Vrednost", "Value"),
                col("time", T::Datetime, "Čas meritve", "Time of reading"),
                col("lat", T::Number, "Zemljepisna širina (WGS84)", "Latitude (WGS84)"),
                col("lon", T::Number, "Zemljepisna dolžina (WGS84)", "Longitude (WGS84)"),
            ];
            d.apis = vec![
                api("Zadnje meritve (API)", "Latest readings (API)", &format!("/api/v1/telemetry/latest?type={ty}"), None),
                api("NGSI-LD", "NGSI-LD", &format!("/ngsi-ld/v1/entities?type={ty}"), Some("https://www.etsi.org/deliver/etsi_gs/CIM/001_099/009/")),
            ];
            d.derived_from = vec!["sensor-devices".into()];
            if public {
                d.related = vec![HISTORY.into()];
            }
            out.push(contact(ctx, d));
        }
        out.push(contact(ctx, self.history()));
        out
    }

    fn rows<'a>(&'a self, ctx: &'a Ctx, name: &'a str) -> BoxFuture<'a, Result<Vec<Row>, DbErr>> {
        boxed(async move {
            if name == HISTORY {
                // Downloads stream it (`page`); this walk is for callers that need every row at once.
                let (mut out, mut after) = (vec![], None);
                loop {
                    let p = self.page(ctx, name, after, 5_000).await?;
                    out.extend(p.rows);
                    match p.next {
                        Some(n) => after = Some(n),
                        None => return Ok(out),
                    }
                }
            }
            // Every acknowledged reading is in the tables before they are read.
            self.0.settle(ctx).await?;
            let f = telemetry::store::DeviceFilter { types_in: self.types(name), limit: 100_000, ..Default::default() };
            if f.types_in.is_empty() {
                return Ok(vec![]);
            }
            if name == "sensor-devices" {
                let list = telemetry::store::list_devices(ctx.db.conn(), &f).await?;
                return Ok(list
                    .into_iter()
                    .map(|d| {
                        row(json!({"key": d.key, "type": d.device_type, "name": d.name, "status": d.status, "lat": d.lat, "lon": d.lon,
                            "installed_on": d.installed_on, "last_seen": d.last_seen}))
                    })
                    .collect());
            }
            let list = telemetry::store::latest(ctx.db.conn(), &f, None).await?;
            Ok(list
                .into_iter()
                .map(|l| {
                    row(json!({"device": l.device, "type": l.device_type, "quantity": l.quantity, "unit": l.unit, "value": l.value,
                        "time": l.time, "lat": l.lat, "lon": l.lon}))
                })
                .collect())
        })
    }

    fn page<'a>(&'a self, ctx: &'a Ctx, name: &'a str, after: Option<String>, limit: usize) -> BoxFuture<'a, Result<Page, DbErr>> {
        boxed(async move {
            if name != HISTORY {
                return Ok(if after.is_some() { Page::default() } else { Page { rows: self.rows(ctx, name).await?, next: None } });
            }
            if after.is_none() {
                self.0.settle(ctx).await?;
            }
            // The cursor is the last row's `series:bucket`.
            let cursor = after.as_deref().and_then(|a| a.split_once(':')).and_then(|(s, b)| Some((s.parse().ok()?, b.parse().ok()?)));
            let list = telemetry::store::history_page(ctx.db.conn(), &self.types(name), HOUR, cursor, limit as u64).await?;
            let next = (list.len() == limit).then(|| list.last().map(|h| format!("{}:{}", h.series, h.bucket))).flatten();
            let rows = list
                .into_iter()
                .map(|h| {
                    row(json!({"time": Timestamp(h.bucket).rfc3339(), "device": h.device, "type": h.device_type, "quantity": h.quantity,
                        "unit": h.unit, "min": h.min, "max": h.max, "mean": h.mean, "count": h.count}))
                })
                .collect();
            Ok(Page { rows, next })
        })
    }

    fn span<'a>(&'a self, ctx: &'a Ctx, name: &'a str) -> BoxFuture<'a, Result<Span, DbErr>> {
        if name == HISTORY {
            return boxed(async move {
                let (first, last) = telemetry::store::history_span(ctx.db.conn(), &self.types(name), HOUR).await?;
                Ok(Span { first: first.map(Timestamp), last: last.map(Timestamp) })
            });
        }
        boxed(span_of(ctx, "created_at", "updated_at", "telemetry_devices"))
    }
}

/// Rollup period of the history dataset, seconds.
const HOUR: i64 = 3600;

impl Sensors {
    fn history(&self) -> Dataset {
        let mut d = dataset(
            "telemetry",
            HISTORY,
            ("Meritve senzorjev – urna zgodovina", "Sensor readings – hourly history"),
            (
                "Urni povzetki vseh meritev senzorjev javnih vrst (kakovost zraka, vreme, vodostaji): najmanjša, največja in povprečna vrednost ter število meritev v uri, za vsak senzor in količino. Brez vodomerov gospodinjstev in drugih nejavnih naprav.",
                "Hourly summaries of every reading of the sensors of public types (air quality, weather, water levels): minimum, maximum and mean value and the number of readings in the hour, for every sensor and quantity. Without household water meters and other non-public devices.",
            ),
            "ENVI",
            "Oddelek za gospodarske dejavnosti in promet",
        );
        d.keywords = words(&["senzorji", "meritve", "zgodovina", "časovne vrste"]);
        d.hvd = Some(HVD_EARTH);
        d.large = true;
        d.columns = vec![
            col("time", T::Datetime, "Začetek ure", "Start of the hour"),
            col("device", T::String, "Senzor", "Sensor"),
            col("type", T::String, "Vrsta", "Type"),
            col("quantity", T::String, "Količina", "Quantity"),
            col("unit", T::String, "Enota (UN/CEFACT)", "Unit (UN/CEFACT)"),
            col("min", T::Number, "Najmanjša vrednost", "Minimum"),
            col("max", T::Number, "Največja vrednost", "Maximum"),
            col("mean", T::Number, "Povprečje", "Mean"),
            col("count", T::Integer, "Število meritev", "Readings"),
        ];
        d.apis = vec![api("Časovna vrsta senzorja (API)", "A sensor's time series (API)", "/api/v1/telemetry/series", None)];
        d.derived_from = vec!["sensor-devices".into()];
        d
    }
}

// ---- participatory budget ----

struct Budget;

impl Source for Budget {
    fn datasets(&self, ctx: &Ctx) -> Vec<Dataset> {
        let mut d = dataset(
            "budget",
            "participatory-budget-results",
            ("Participativni proračun – rezultati", "Participatory budget – results"),
            (
                "Projekti participativnega proračuna z objavljenimi rezultati: območje, strošek, glasovi, točke, uvrstitev in ali je projekt izbran.",
                "Projects of the participatory budget with published results: area, cost, votes, score, rank and whether the project is funded.",
            ),
            "GOVE",
            "Kabinet župana",
        );
        d.keywords = words(&["participativni proračun", "glasovanje", "Pabulib"]);
        d.frequency = "ANNUAL";
        d.columns = vec![
            col("year", T::Integer, "Leto", "Year"),
            col("area", T::String, "Območje", "Area"),
            col("number", T::Integer, "Številka projekta", "Project number"),
            col("title", T::String, "Projekt", "Project"),
            col("cost_eur", T::Number, "Strošek (EUR)", "Cost (EUR)"),
            col("votes", T::Integer, "Glasovi", "Votes"),
            col("score", T::Integer, "Točke", "Score"),
            col("rank", T::Integer, "Uvrstitev", "Rank"),
            col("funded", T::Boolean, "Izbran", "Funded"),
            col("submitted_by", T::String, "Predlagatelj", "Proposer").personal(),
        ];
        d.apis = vec![api("API participativnega proračuna", "Participatory budget API", "/api/v1/budget/cycles", None)];
        d.related = words(&["proposals"]);
        vec![contact(ctx, d)]
    }

    fn rows<'a>(&'a self, ctx: &'a Ctx, _name: &'a str) -> BoxFuture<'a, Result<Vec<Row>, DbErr>> {
        boxed(async move {
            let mut out = vec![];
            for cycle in budget::store::cycles(ctx.db.conn()).await? {
                if cycle.phase != budget::model::Phase::Results {
                    continue;
                }
                let results = budget::service::compute(ctx, &cycle).await.map_err(|e| DbErr::Custom(e.to_string()))?;
                for a in results {
                    for p in a.projects {
                        out.push(row(json!({
                            "year": cycle.year, "area": a.area.name, "number": p.project.number, "title": p.project.title,
                            "cost_eur": p.project.cost() as f64 / 100.0, "votes": p.votes, "score": p.score, "rank": p.rank,
                            "funded": p.funded, "submitted_by": p.project.submitted_by,
                        })));
                    }
                }
            }
            Ok(out)
        })
    }

    fn span<'a>(&'a self, ctx: &'a Ctx, _name: &'a str) -> BoxFuture<'a, Result<Span, DbErr>> {
        boxed(span_of(ctx, "submitted_at", "submitted_at", "budget_projects"))
    }
}

// ---- proposals and questions ----

struct Participation;

impl Source for Participation {
    fn datasets(&self, ctx: &Ctx) -> Vec<Dataset> {
        let owner = "Kabinet župana";
        let mut proposals = dataset(
            "participation",
            "proposals",
            ("Pobude in predlogi občanov", "Citizens' proposals and initiatives"),
            (
                "Pobude in predlogi po področjih z njihovim stanjem, brez avtorjev.",
                "Proposals and initiatives by area with their status, without their authors.",
            ),
            "GOVE",
            owner,
        );
        proposals.keywords = words(&["pobude", "predlogi", "sodelovanje"]);
        proposals.columns = vec![
            col("id", T::String, "Oznaka", "Id"),
            col("kind", T::String, "Vrsta", "Kind"),
            col("area", T::String, "Področje", "Area"),
            col("title", T::String, "Naslov", "Title"),
            col("body", T::String, "Besedilo", "Text"),
            col("place", T::String, "Kraj", "Place"),
            col("lat", T::Number, "Zemljepisna širina (WGS84)", "Latitude (WGS84)"),
            col("lon", T::Number, "Zemljepisna dolžina (WGS84)", "Longitude (WGS84)"),
            col("status", T::String, "Stanje", "Status"),
            col("answers", T::Integer, "Odgovori", "Answers"),
            col("created_at", T::Datetime, "Oddano", "Submitted"),
            col("author", T::String, "Avtor", "Author").personal(),
        ];
        proposals.apis = vec![api("API pobud", "Proposals API", "/api/v1/participation/proposals", None)];
        let mut questions = dataset(
            "participation",
            "questions",
            ("Vprašajte občino – odgovorjena vprašanja", "Ask the municipality – answered questions"),
            (
                "Javno odgovorjena vprašanja občanov z odgovori, brez avtorjev.",
                "Citizens' questions answered in public, with the answers, without their authors.",
            ),
            "GOVE",
            owner,
        );
        questions.keywords = words(&["vprašanja", "odgovori"]);
        questions.columns = vec![
            col("id", T::String, "Oznaka", "Id"),
            col("title", T::String, "Vprašanje", "Question"),
            col("body", T::String, "Besedilo", "Text"),
            col("answer", T::String, "Odgovor", "Answer"),
            col("created_at", T::Datetime, "Postavljeno", "Asked"),
            col("answered_at", T::Datetime, "Odgovorjeno", "Answered"),
            col("author", T::String, "Avtor", "Author").personal(),
        ];
        questions.apis = vec![api("API vprašanj", "Questions API", "/api/v1/participation/questions", None)];
        questions.related = words(&["proposals"]);
        vec![contact(ctx, proposals), contact(ctx, questions)]
    }

    fn rows<'a>(&'a self, ctx: &'a Ctx, name: &'a str) -> BoxFuture<'a, Result<Vec<Row>, DbErr>> {
        boxed(async move {
            let c = ctx.db.conn();
            if name == "questions" {
                let list = participation::store::answered_questions(c, 100_000).await?;
                return Ok(list
                    .into_iter()
                    .map(|q| {
                        row(json!({"id": q.id, "title": q.title, "body": q.body, "answer": q.answer, "created_at": q.created_at.rfc3339(),
                            "answered_at": q.answered_at.map(|t| t.rfc3339()), "author": q.author_id}))
                    })
                    .collect());
            }
            let list = participation::store::proposals(c, None, None, None, 100_000).await?;
            Ok(list
                .into_iter()
                .map(|p| {
                    row(json!({"id": p.id, "kind": p.kind.code(), "area": p.area.code(), "title": p.title, "body": p.body, "place": p.place,
                        "lat": p.location.map(|l| l.lat), "lon": p.location.map(|l| l.lon), "status": p.status.code(), "answers": p.answers,
                        "created_at": p.created_at.rfc3339(), "author": p.author_id}))
                })
                .collect())
        })
    }

    fn span<'a>(&'a self, ctx: &'a Ctx, name: &'a str) -> BoxFuture<'a, Result<Span, DbErr>> {
        if name == "questions" {
            boxed(span_of(ctx, "created_at", "answered_at", "participation_questions"))
        } else {
            boxed(span_of(ctx, "created_at", "COALESCE(answered_at, created_at)", "participation_proposals"))
        }
    }
}

// ---- crisis alerts ----

struct Alerts;

impl Source for Alerts {
    fn datasets(&self, ctx: &Ctx) -> Vec<Dataset> {
        let mut d = dataset(
            "alerts",
            "crisis-alerts",
            ("Opozorila ob nesrečah (CAP)", "Crisis alerts (CAP)"),
            (
                "Opozorila občine ob nesrečah in nevarnostih: dogodek, resnost, nujnost, območje in veljavnost. Tudi kot dokumenti CAP 1.2.",
                "The municipality's alerts on disasters and hazards: event, severity, urgency, area and validity. Also as CAP 1.2 documents.",
            ),
            "JUST",
            "Služba za zaščito in reševanje",
        );
        d.keywords = words(&["opozorila", "nesreče", "CAP", "civilna zaščita"]);
        d.frequency = "IRREG";
        d.columns = vec![
            col("identifier", T::String, "Oznaka", "Identifier"),
            col("sent", T::Datetime, "Poslano", "Sent"),
            col("status", T::String, "Status (CAP)", "Status (CAP)"),
            col("msg_type", T::String, "Vrsta sporočila", "Message type"),
            col("event", T::String, "Dogodek", "Event"),
            col("severity", T::String, "Resnost", "Severity"),
            col("urgency", T::String, "Nujnost", "Urgency"),
            col("headline", T::String, "Naslov", "Headline"),
            col("area", T::String, "Območje", "Area"),
            col("expires", T::Datetime, "Velja do", "Expires"),
            col("lat", T::Number, "Zemljepisna širina središča (WGS84)", "Latitude of the centre (WGS84)"),
            col("lon", T::Number, "Zemljepisna dolžina središča (WGS84)", "Longitude of the centre (WGS84)"),
            col("created_by", T::String, "Izdal", "Issued by").personal(),
        ];
        d.apis = vec![
            api("Vir CAP (Atom)", "CAP feed (Atom)", "/alerts/cap", Some("http://docs.oasis-open.org/emergency/cap/v1.2/CAP-v1.2.html")),
            api("API opozoril", "Alerts API", "/api/v1/alerts", None),
        ];
        d.related = words(&["water-levels"]);
        vec![contact(ctx, d)]
    }

    fn rows<'a>(&'a self, ctx: &'a Ctx, _name: &'a str) -> BoxFuture<'a, Result<Vec<Row>, DbErr>> {
        boxed(async move {
            let list = alerts::store::recent(ctx.db.conn(), 100_000).await?;
            Ok(list
                .into_iter()
                .map(|m| {
                    let c = &m.content;
                    let (lat, lon) = match &c.shape {
                        Some(alerts::model::Shape::Circle { lat, lon, .. }) => (Some(*lat), Some(*lon)),
                        Some(alerts::model::Shape::Polygon { ring }) if !ring.is_empty() => {
                            let n = ring.len() as f64;
                            (Some(ring.iter().map(|p| p.0).sum::<f64>() / n), Some(ring.iter().map(|p| p.1).sum::<f64>() / n))
                        }
                        _ => (None, None),
                    };
                    row(json!({"identifier": m.identifier, "sent": m.sent_at.rfc3339(), "status": m.status.as_str(), "msg_type": m.msg_type.as_str(),
                        "event": c.event.sl, "severity": c.severity.as_str(), "urgency": c.urgency.as_str(), "headline": c.headline.sl,
                        "area": c.area_desc.sl, "expires": m.expires_at.rfc3339(), "lat": lat, "lon": lon, "created_by": m.created_by}))
                })
                .collect())
        })
    }

    fn span<'a>(&'a self, ctx: &'a Ctx, _name: &'a str) -> BoxFuture<'a, Result<Span, DbErr>> {
        boxed(span_of(ctx, "sent_at", "sent_at", "alerts_messages"))
    }
}

// ---- places of the map ----

/// One open dataset per layer of the map, as the places crate lists them.
struct Places;

impl Source for Places {
    fn datasets(&self, ctx: &Ctx) -> Vec<Dataset> {
        places::datasets(ctx)
            .into_iter()
            .map(|p| {
                let title = |l: &str| p.title.get(l).cloned().unwrap_or_default();
                let description = |l: &str| p.description.get(l).cloned().unwrap_or_default();
                let mut d = dataset("places", &p.id, (&title("sl"), &title("en")), (&description("sl"), &description("en")), "REGI", &p.publisher);
                d.keywords = words(&["zemljevid", "kraji", p.layer.code()]);
                d.frequency = "IRREG";
                d.columns = vec![
                    col("id", T::String, "Oznaka", "Id"),
                    col("name", T::String, "Ime", "Name"),
                    col("name_en", T::String, "Ime (angleško)", "Name (English)"),
                    col("address", T::String, "Naslov", "Address"),
                    col("lat", T::Number, "Zemljepisna širina (WGS84)", "Latitude (WGS84)"),
                    col("lon", T::Number, "Zemljepisna dolžina (WGS84)", "Longitude (WGS84)"),
                    col("wheelchair", T::String, "Dostop z vozičkom", "Wheelchair access"),
                    col("opening_hours", T::String, "Odpiralni čas", "Opening hours"),
                    col("website", T::String, "Spletna stran", "Website"),
                ];
                d.apis = vec![api("GeoJSON sloja", "The layer as GeoJSON", &p.geojson_url, Some("https://www.rfc-editor.org/rfc/rfc7946"))];
                contact(ctx, d)
            })
            .collect()
    }

    fn rows<'a>(&'a self, ctx: &'a Ctx, name: &'a str) -> BoxFuture<'a, Result<Vec<Row>, DbErr>> {
        boxed(async move {
            let Some(layer) = name.strip_prefix("places-").and_then(places::model::Layer::from_code) else { return Ok(vec![]) };
            let list = places::store::list(ctx.db.conn(), &[layer]).await?;
            Ok(list
                .iter()
                .map(|p| {
                    row(json!({
                        "id": p.id, "name": p.names.get(kernel::Lang::Sl), "name_en": p.names.get(kernel::Lang::En),
                        "address": p.address, "lat": p.geometry.lat, "lon": p.geometry.lon,
                        "wheelchair": p.wheelchair.map(|w| w.code()), "opening_hours": p.hours.as_ref().map(|h| h.to_text()),
                        "website": p.website,
                    }))
                })
                .collect())
        })
    }

    fn span<'a>(&'a self, ctx: &'a Ctx, _name: &'a str) -> BoxFuture<'a, Result<Span, DbErr>> {
        boxed(span_of(ctx, "created_at", "updated_at", "places"))
    }
}

// ---- events ----

struct Events;

impl Source for Events {
    fn datasets(&self, ctx: &Ctx) -> Vec<Dataset> {
        let mut d = dataset(
            "events",
            "events",
            ("Koledar prireditev", "Events calendar"),
            (
                "Objavljene prireditve v občini: naslov, zvrst, kraj, začetek in konec, vstopnina, dostopnost. Brez podatkov organizatorjev, ki so fizične osebe.",
                "Published events in the municipality: title, genre, place, start and end, price, accessibility. Without the data of organisers who are natural persons.",
            ),
            "EDUC",
            "Oddelek za družbene dejavnosti",
        );
        d.keywords = words(&["prireditve", "kultura", "koledar", "iCalendar"]);
        d.frequency = "DAILY";
        d.columns = vec![
            col("id", T::String, "Oznaka", "Id"),
            col("title", T::String, "Naslov", "Title"),
            col("title_en", T::String, "Naslov (angleško)", "Title (English)"),
            col("genre", T::String, "Zvrst", "Genre"),
            col("audience", T::String, "Občinstvo", "Audience"),
            col("place", T::String, "Kraj", "Place"),
            col("lat", T::Number, "Zemljepisna širina (WGS84)", "Latitude (WGS84)"),
            col("lon", T::Number, "Zemljepisna dolžina (WGS84)", "Longitude (WGS84)"),
            col("starts_at", T::Datetime, "Začetek", "Starts"),
            col("ends_at", T::Datetime, "Konec", "Ends"),
            col("price_eur", T::Number, "Vstopnina (EUR)", "Price (EUR)"),
            col("organiser", T::String, "Organizator", "Organiser").personal(),
        ];
        d.apis = vec![
            api("Vir iCalendar", "iCalendar feed", "/events.ics", Some("https://www.rfc-editor.org/rfc/rfc5545")),
            api("API prireditev", "Events API", "/api/v1/events", None),
        ];
        vec![contact(ctx, d)]
    }

    fn rows<'a>(&'a self, ctx: &'a Ctx, _name: &'a str) -> BoxFuture<'a, Result<Vec<Row>, DbErr>> {
        boxed(async move {
            let f = events::store::Filter {
                from: Timestamp(0),
                to: None,
                genre: None,
                place: None,
                organiser: None,
                audience: None,
                free: None,
                access: vec![],
            };
            let list = events::store::published(ctx.db.conn(), &f, 10_000).await?;
            Ok(list
                .iter()
                .map(|e| {
                    // The organiser may be a person: declared personal, dropped by the catalogue.
                    row(json!({
                        "id": e.id, "title": e.title.get(kernel::Lang::Sl), "title_en": e.title.get(kernel::Lang::En),
                        "genre": e.genre.code(), "audience": e.audience.code(), "place": e.place.name,
                        "lat": e.place.lat, "lon": e.place.lon, "starts_at": e.starts_at.rfc3339(), "ends_at": e.ends_at.rfc3339(),
                        "price_eur": e.price_cents.map(|c| c as f64 / 100.0), "organiser": e.organiser.name,
                    }))
                })
                .collect())
        })
    }

    fn span<'a>(&'a self, ctx: &'a Ctx, _name: &'a str) -> BoxFuture<'a, Result<Span, DbErr>> {
        boxed(span_of(ctx, "starts_at", "updated_at", "events WHERE status = 'published'"))
    }
}

// ---- bookable spaces ----

/// The municipal spaces and charging points, and whether they can be booked
/// (bookings themselves are personal and stay out).
struct Bookable;

impl Source for Bookable {
    fn datasets(&self, ctx: &Ctx) -> Vec<Dataset> {
        let mut d = dataset(
            "bookings",
            "bookable-spaces",
            ("Občinski prostori za rezervacijo", "Municipal spaces to book"),
            (
                "Občinske dvorane, sobe, igrišča, mladinski prostori in polnilna mesta: namen, zmogljivost, cena na termin, ali jih je mogoče rezervirati prek spleta.",
                "Municipal halls, rooms, sports grounds, youth spaces and charging points: purpose, capacity, price per slot, whether they can be booked online.",
            ),
            "GOVE",
            "Urad za splošne zadeve",
        );
        d.keywords = words(&["rezervacije", "prostori", "polnilnice"]);
        d.frequency = "IRREG";
        d.columns = vec![
            col("id", T::String, "Oznaka", "Id"),
            col("kind", T::String, "Vrsta", "Kind"),
            col("name", T::String, "Ime", "Name"),
            col("location", T::String, "Lokacija", "Location"),
            col("capacity", T::Integer, "Zmogljivost", "Capacity"),
            col("price_eur", T::Number, "Cena termina (EUR)", "Price per slot (EUR)"),
            col("bookable", T::Boolean, "Rezervacija prek spleta", "Bookable online"),
        ];
        d.apis = vec![api("API rezervacij", "Bookings API", "/api/v1/bookings/resources", None)];
        d.related = words(&["strategy-indicators"]);
        vec![contact(ctx, d)]
    }

    fn rows<'a>(&'a self, ctx: &'a Ctx, _name: &'a str) -> BoxFuture<'a, Result<Vec<Row>, DbErr>> {
        boxed(async move {
            let list = bookings::store::resources(ctx.db.conn()).await?;
            Ok(list
                .iter()
                .map(|r| {
                    row(json!({
                        "id": r.id, "kind": r.kind.code(), "name": r.name.get(kernel::Lang::Sl), "location": r.location,
                        "capacity": r.capacity, "price_eur": r.price_cents as f64 / 100.0, "bookable": r.bookable,
                    }))
                })
                .collect())
        })
    }

    fn span<'a>(&'a self, _ctx: &'a Ctx, _name: &'a str) -> BoxFuture<'a, Result<Span, DbErr>> {
        boxed(async { Ok(Span::default()) })
    }
}

// ---- indicators ----

struct Indicators(indicators::Indicators);

impl Source for Indicators {
    fn datasets(&self, ctx: &Ctx) -> Vec<Dataset> {
        let mut d = dataset(
            "indicators",
            "strategy-indicators",
            ("Kazalniki strategije digitalne občine", "Indicators of the digital strategy"),
            (
                "Ključni kazalniki ukrepov strategije (izhodišče 2022, cilj 2027) in izbrani kazalniki ISO 37120/37122/37123 z vrednostmi po obdobjih in njihovim izvorom (izračunano, uvoženo, vneseno).",
                "The key performance indicators of the strategy's measures (2022 baseline, 2027 target) and the selected ISO 37120/37122/37123 indicators, with values by period and their provenance (computed, imported, entered).",
            ),
            "GOVE",
            "Vodja digitalne preobrazbe",
        );
        d.keywords = words(&["kazalniki", "ISO 37120", "ISO 37122", "strategija"]);
        d.frequency = "ANNUAL";
        d.columns = vec![
            col("code", T::String, "Oznaka kazalnika", "Indicator code"),
            col("name", T::String, "Kazalnik", "Indicator"),
            col("name_en", T::String, "Kazalnik (angleško)", "Indicator (English)"),
            col("unit", T::String, "Enota", "Unit"),
            col("period", T::String, "Obdobje", "Period"),
            col("value", T::Number, "Vrednost", "Value"),
            col("provenance", T::String, "Izvor", "Provenance"),
            col("baseline", T::Number, "Izhodišče 2022", "Baseline 2022"),
            col("target", T::Number, "Cilj 2027", "Target 2027"),
            col("recorded_by", T::String, "Vnesel", "Recorded by").personal(),
        ];
        d.apis = vec![api("API kazalnikov", "Indicators API", "/api/v1/indicators", None)];
        d.derived_from = words(&["fault-reports", "sensor-devices", "proposals", "bookable-spaces"]);
        vec![contact(ctx, d)]
    }

    fn rows<'a>(&'a self, ctx: &'a Ctx, _name: &'a str) -> BoxFuture<'a, Result<Vec<Row>, DbErr>> {
        boxed(async move {
            let values = indicators::store::all(ctx.db.conn()).await?;
            let mut out = vec![];
            for line in indicators::service::lines(&self.0, &values) {
                let i = line.indicator;
                for v in &line.history {
                    out.push(row(json!({
                        "code": i.code, "name": i.name_sl, "name_en": i.name_en, "unit": i.unit.code(), "period": v.period,
                        "value": v.value, "provenance": v.provenance.code(), "baseline": i.baseline, "target": i.target,
                        "recorded_by": v.recorded_by,
                    })));
                }
            }
            Ok(out)
        })
    }

    fn span<'a>(&'a self, ctx: &'a Ctx, _name: &'a str) -> BoxFuture<'a, Result<Span, DbErr>> {
        boxed(span_of(ctx, "recorded_at", "recorded_at", "indicator_values"))
    }
}
