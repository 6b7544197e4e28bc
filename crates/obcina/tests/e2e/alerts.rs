//! Crisis alerts (CAP 1.2): issued through the API and the staff form,
//! listed in the Atom feed, each CAP document valid against the OASIS
//! schema, updated and cancelled with references, fanned out through the
//! notifications hub with delivery figures; refusals for citizens, the
//! anonymous and bad input.
//!
//! The schema is read from the shared data beside the repository
//! (`../shared/data/cap/CAP-v1.2.xsd`); xmllint is installed by
//! scripts/install-test-deps, and OBCINA_REQUIRE_XMLLINT=1 (set by
//! scripts/test) makes its absence a failure instead of a skip.

use crate::harness::{Client, Server, enable_totp, privileged, unique_email};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

const SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/cap/CAP-v1.2.xsd");

/// `xmllint --noout --schema` on a fetched document.
fn assert_schema_valid(xml: &str) {
    let have = std::process::Command::new("xmllint").arg("--version").output().is_ok() && std::path::Path::new(SCHEMA).exists();
    if !have {
        assert!(std::env::var("OBCINA_REQUIRE_XMLLINT").is_err(), "OBCINA_REQUIRE_XMLLINT set but xmllint or {SCHEMA} is missing");
        eprintln!("skipped the CAP schema check: xmllint or {SCHEMA} missing (scripts/install-test-deps installs libxml2-utils)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("alert.xml");
    std::fs::write(&file, xml).unwrap();
    let out = std::process::Command::new("xmllint").args(["--noout", "--schema", SCHEMA]).arg(&file).output().unwrap();
    assert!(out.status.success(), "CAP document invalid: {}\n{xml}", String::from_utf8_lossy(&out.stderr));
}

async fn staff(server: &Server) -> Client {
    let s = privileged(server, "staff", &unique_email("zascita")).await;
    enable_totp(&s).await;
    s
}

fn in_hours(h: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(h)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn flood() -> Value {
    json!({
        "status": "Actual",
        "event": {"sl": "Poplava", "en": "Flood"},
        "category": ["Met", "Safety"],
        "response_type": ["Evacuate"],
        "urgency": "Immediate",
        "severity": "Severe",
        "certainty": "Observed",
        "headline": {"sl": "Drava poplavlja Budino", "en": "The Drava is flooding Budina"},
        "description": {"sl": "Drava je prestopila bregove pri Budini.", "en": "The Drava has burst its banks at Budina."},
        "instruction": {"sl": "Umaknite se v OŠ Breg.", "en": "Go to the Breg primary school."},
        "onset": in_hours(0),
        "expires": in_hours(12),
        "area": {
            "desc": {"sl": "Budina", "en": "Budina"},
            "polygon": [[15.8530, 46.4192], [15.8905, 46.4168], [15.8920, 46.4098], [15.8515, 46.4125]]
        }
    })
}

async fn text(c: &Client, path: &str) -> (u16, String, String) {
    let r = c.get(path).await;
    let status = r.status().as_u16();
    let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, ct, r.text().await.unwrap())
}

/// Poll a message's figures until nothing is pending.
async fn settled_figures(staff: &Client, identifier: &str) -> Value {
    for _ in 0..300 {
        let (s, f) = staff.json(Method::GET, &format!("/api/v1/alerts/{identifier}/figures"), json!(null)).await;
        assert_eq!(s, 200, "{f}");
        if f["total"]["pending"] == 0 && f["total"]["sent"].as_i64().unwrap_or(0) > 0 {
            return f;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("deliveries of {identifier} still pending");
}

#[tokio::test]
async fn an_alert_is_issued_published_as_cap_updated_and_cancelled() {
    let server = Server::start().await;
    let anon = server.client();
    // A citizen gets disaster alerts in the app (the default) and by e-mail.
    let citizen = server.client();
    let email = unique_email("budina");
    citizen.citizen(&server, &email).await;
    let (s, body) = citizen
        .json(
            Method::PUT,
            "/api/v1/notify/settings",
            json!({"topics": [{"topic": "disasters", "channels": ["app", "email"]}], "share_location": false}),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    let staff = staff(&server).await;

    // The demo exercise keeps the feed from being empty.
    let (s, ct, feed) = text(&anon, "/alerts/cap").await;
    assert_eq!((s, ct.as_str()), (200, "application/atom+xml"));
    assert!(feed.contains("vaja-drava") && feed.contains("term=\"Exercise\""), "{feed}");

    let (s, first) = staff.json(Method::POST, "/api/v1/alerts", flood()).await;
    assert_eq!(s, 201, "{first}");
    let id = first["identifier"].as_str().unwrap().to_string();
    assert!(id.starts_with("ptuj-"), "{id}");
    assert_eq!(
        (first["msg_type"].as_str(), first["state"].as_str(), first["sender"].as_str()),
        (Some("Alert"), Some("current"), Some("obcina@ptuj.si"))
    );
    let sent = first["sent"].as_str().unwrap().to_string();
    assert!(!sent.ends_with('Z') && (sent.ends_with("+01:00") || sent.ends_with("+02:00")), "{sent}");

    // The feed lists it first, linking to its CAP document.
    let (_, _, feed) = text(&anon, "/alerts/cap").await;
    let doc_url = format!("/alerts/cap/{id}.xml");
    let first_entry = feed.find("<entry>").unwrap();
    assert!(feed[first_entry..].find(&doc_url).unwrap() < feed[first_entry..].find("vaja-drava").unwrap(), "newest first: {feed}");
    assert!(feed.contains("type=\"application/cap+xml\""), "{feed}");
    let (s, ct, xml) = text(&anon, &doc_url).await;
    assert_eq!((s, ct.as_str()), (200, "application/cap+xml"));
    assert!(
        xml.contains("<msgType>Alert</msgType>") && xml.contains("<language>sl-SI</language>") && xml.contains("<language>en-US</language>"),
        "{xml}"
    );
    assert!(
        xml.contains("<polygon>46.4192,15.853 46.4168,15.8905 46.4098,15.892 46.4125,15.8515 46.4192,15.853</polygon>"),
        "lat,lon and closed: {xml}"
    );
    assert_schema_valid(&xml);
    let (s, _, _) = text(&anon, "/alerts/cap/nothing.xml").await;
    assert_eq!(s, 404);

    // Public pages in the visitor's language.
    let (s, _, page) = text(&anon, "/alerts").await;
    assert_eq!(s, 200);
    assert!(page.contains("Drava poplavlja Budino") && page.contains("Veljavna opozorila"), "{page}");
    let en = server.client();
    let r = en.http.get(format!("{}/alerts/{id}", en.base)).header("accept-language", "en").send().await.unwrap();
    let page = r.text().await.unwrap();
    assert!(page.contains("The Drava is flooding Budina") && page.contains(&doc_url), "{page}");

    // Fan-out: the citizen gets it in the app and by e-mail.
    server.smtp.wait_for(&email, "Drava poplavlja Budino").await;
    let figures = settled_figures(&staff, &id).await;
    assert_eq!(figures["notice_id"], format!("alert:{id}"), "{figures}");
    let channel = |f: &Value, ch: &str| f["channels"].as_array().unwrap().iter().find(|c| c["channel"] == ch).unwrap().clone();
    // In the app: the citizen, and the staff member, who has the default (disasters in the app).
    assert_eq!(channel(&figures, "app")["delivered"], 2, "{figures}");
    assert_eq!(channel(&figures, "email")["delivered"], 1, "{figures}");
    let (s, inbox) = citizen.json(Method::GET, "/api/v1/notify/inbox", json!(null)).await;
    assert_eq!(s, 200);
    assert_eq!(inbox[0]["url"], format!("/alerts/{id}"), "{inbox}");

    // Update: references the first message; the first is superseded and cannot be updated again.
    let mut changed = flood();
    changed["headline"] = json!({"sl": "Drava upada", "en": "The Drava is falling"});
    changed["area"] = json!({"desc": {"sl": "Budina", "en": "Budina"}, "circle": {"lat": 46.415, "lon": 15.87, "radius_km": 1.5}});
    let (s, second) = staff.json(Method::POST, &format!("/api/v1/alerts/{id}/update"), changed.clone()).await;
    assert_eq!(s, 201, "{second}");
    let id2 = second["identifier"].as_str().unwrap().to_string();
    assert_eq!(second["references"], format!("obcina@ptuj.si,{id},{sent}"));
    assert_eq!((second["msg_type"].as_str(), second["thread"].as_str()), (Some("Update"), Some(id.as_str())));
    let (s, p) = staff.json(Method::POST, &format!("/api/v1/alerts/{id}/update"), changed).await;
    assert_eq!((s, p["code"].as_str()), (409, Some("alert_superseded")), "{p}");
    let (_, old) = anon.json(Method::GET, &format!("/api/v1/alerts/{id}"), json!(null)).await;
    assert_eq!((old["state"].as_str(), old["superseded_by"].as_str()), (Some("superseded"), Some(id2.as_str())));
    let (_, _, xml2) = text(&anon, &format!("/alerts/cap/{id2}.xml")).await;
    assert!(
        xml2.contains("<circle>46.415,15.87 1.5</circle>") && xml2.contains(&format!("<references>obcina@ptuj.si,{id},{sent}</references>")),
        "{xml2}"
    );
    assert_schema_valid(&xml2);

    // Cancel: references both; a reason is required.
    let (s, p) = staff.json(Method::POST, &format!("/api/v1/alerts/{id2}/cancel"), json!({"note": " "})).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("note")), "{p}");
    let (s, third) =
        staff.json(Method::POST, &format!("/api/v1/alerts/{id2}/cancel"), json!({"note": "Voda je upadla. / The water has receded."})).await;
    assert_eq!(s, 201, "{third}");
    let id3 = third["identifier"].as_str().unwrap();
    let refs = third["references"].as_str().unwrap();
    assert_eq!(refs.split(' ').count(), 2, "{refs}");
    assert!(refs.starts_with(&format!("obcina@ptuj.si,{id},{sent} obcina@ptuj.si,{id2},")), "{refs}");
    let (_, _, xml3) = text(&anon, &format!("/alerts/cap/{id3}.xml")).await;
    assert!(xml3.contains("<msgType>Cancel</msgType>") && xml3.contains("<responseType>AllClear</responseType>"), "{xml3}");
    assert_schema_valid(&xml3);
    let (s, p) = staff.json(Method::POST, &format!("/api/v1/alerts/{id3}/cancel"), json!({"note": "Še enkrat"})).await;
    assert_eq!((s, p["code"].as_str()), (409, Some("alert_cancelled")), "{p}");
    let (_, list) = anon.json(Method::GET, "/api/v1/alerts", json!(null)).await;
    assert_eq!(list["items"][0]["identifier"], id3, "{list}");
    assert_eq!(list["items"][0]["state"], "cancelled");
    let (_, _, feed) = text(&anon, "/alerts/cap").await;
    assert!(feed.contains("term=\"cancelled\"") && feed.contains("term=\"superseded\""), "{feed}");

    // Every step is in the audit log; the KPI counts the incident as covered.
    let audited = server.query_i64("SELECT COUNT(*) FROM audit_log WHERE action IN ('alerts.issue', 'alerts.update', 'alerts.cancel')").await;
    assert_eq!(audited, vec![3]);
    let (s, cov) = staff.json(Method::GET, "/api/v1/alerts/coverage", json!(null)).await;
    assert_eq!(s, 200, "{cov}");
    assert_eq!((cov["incidents"].as_i64(), cov["covered"].as_i64(), cov["share"].as_f64()), (Some(1), Some(1), Some(1.0)), "{cov}");
    let (s, html) = staff.get_text(&format!("/staff/alerts/{id}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("id=\"figures\""), "{html}");
}

#[tokio::test]
async fn citizens_and_the_anonymous_cannot_issue_and_bad_alerts_are_explained() {
    let server = Server::start().await;
    let anon = server.client();
    let r = anon.http.post(format!("{}/api/v1/alerts", anon.base)).json(&flood()).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let citizen = server.client();
    citizen.citizen(&server, &unique_email("obcan")).await;
    let (s, p) = citizen.json(Method::POST, "/api/v1/alerts", flood()).await;
    assert_eq!((s, p["code"].as_str()), (403, Some("missing_role")));
    let (s, _) = citizen.json(Method::GET, "/api/v1/alerts/coverage", json!(null)).await;
    assert_eq!(s, 403);
    let (s, _) = citizen.get_text("/staff/alerts/new").await;
    assert_eq!(s, 403);
    let dto = privileged(&server, "dto", &unique_email("dto")).await;
    enable_totp(&dto).await;
    let (s, p) = dto.json(Method::POST, "/api/v1/alerts", flood()).await;
    assert_eq!((s, p["code"].as_str()), (403, Some("missing_role")), "DTOs do not issue alerts");
    let no_2fa = privileged(&server, "staff", &unique_email("brez2fa")).await;
    let (s, p) = no_2fa.json(Method::POST, "/api/v1/alerts", flood()).await;
    assert_eq!((s, p["code"].as_str()), (403, Some("second_factor_required")));

    let staff = staff(&server).await;
    let mut bad = flood();
    bad["headline"]["en"] = json!("");
    bad["status"] = json!("Draft");
    bad["expires"] = json!("2020-01-01T00:00:00Z");
    bad["web"] = json!("www.ptuj.si");
    bad["area"]["polygon"] = json!([[15.85, 46.41], [15.86, 46.42]]);
    let r = staff.http.post(format!("{}/api/v1/alerts", staff.base)).json(&bad).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: Value = r.json().await.unwrap();
    let errors: Vec<String> =
        p["errors"].as_array().unwrap().iter().map(|e| format!("{}:{}", e["field"].as_str().unwrap(), e["code"].as_str().unwrap())).collect();
    for e in ["status:status_not_issuable", "headline.en:required", "web:url_absolute", "expires:expires_past", "area.polygon:polygon_points"] {
        assert!(errors.contains(&e.to_string()), "{e} in {errors:?}");
    }
    let mut long = flood();
    long["headline"]["sl"] = json!("x".repeat(161));
    let (s, p) = staff.json(Method::POST, "/api/v1/alerts", long).await;
    assert_eq!((s, p["errors"][0]["field"].as_str(), p["errors"][0]["code"].as_str()), (422, Some("headline.sl"), Some("too_long")), "{p}");
    let (s, p) = staff.json(Method::POST, "/api/v1/alerts", json!({"status": "Actual"})).await;
    assert_eq!((s, p["code"].as_str()), (422, Some("json_invalid")), "{p}");
    let r = staff.http.post(format!("{}/api/v1/alerts", staff.base)).header("content-type", "application/json").body("{").send().await.unwrap();
    assert_eq!(r.status(), 400);
    let (s, _) = staff.json(Method::POST, "/api/v1/alerts/none/update", flood()).await;
    assert_eq!(s, 404);
    assert_eq!(server.query_i64("SELECT COUNT(*) FROM alerts_messages WHERE demo = 0").await, vec![0]);
}

/// GET the form at `path`, then POST these fields to it.
async fn submit(c: &Client, path: &str, fields: &[(&str, String)]) -> reqwest::Response {
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    c.submit(path, path, &refs).await
}

#[tokio::test]
async fn staff_issue_and_update_through_the_form_with_translated_errors() {
    let server = Server::start().await;
    let staff = staff(&server).await;
    let (s, html) = staff.get_text("/staff").await;
    assert_eq!(s, 200);
    assert!(html.contains("/staff/alerts"), "{html}");
    let local = |h: i64| (chrono::Utc::now() + chrono::Duration::hours(h)).with_timezone(&chrono::FixedOffset::east_opt(3600).unwrap());
    // A time in Slovenia: the form shows wall-clock time; +1 h is right in winter, and in summer still in the future.
    let expires = local(6).format("%Y-%m-%dT%H:%M").to_string();
    let base: Vec<(&str, String)> = vec![
        ("status", "Exercise".into()),
        ("event_sl", "Neurje".into()),
        ("event_en", "Storm".into()),
        ("category", "Met".into()),
        ("response_type", "Shelter".into()),
        ("urgency", "Expected".into()),
        ("severity", "Moderate".into()),
        ("certainty", "Likely".into()),
        ("headline_sl", "Vaja: neurje s točo".into()),
        ("headline_en", "Exercise: hail storm".into()),
        ("description_sl", "Pričakujemo točo.".into()),
        ("description_en", "Hail is expected.".into()),
        ("instruction_sl", "Umaknite vozila pod streho.".into()),
        ("instruction_en", "Put vehicles under a roof.".into()),
        ("expires", expires),
        ("area_desc_sl", "Mestno jedro".into()),
        ("area_desc_en", "The old town".into()),
    ];
    let fields = |extra: &[(&'static str, &'static str)]| {
        let mut f: Vec<(&str, String)> = base.clone();
        f.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        f
    };
    // An open polygon of two points: refused with a Slovenian message, the form kept.
    let r = submit(&staff, "/staff/alerts/new", &fields(&[("shape", "polygon"), ("area_polygon", "46.42,15.87 46.43,15.88")])).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Mnogokotnik potrebuje vsaj tri različne točke") && html.contains("Vaja: neurje s točo"), "{html}");
    let r = submit(
        &staff,
        "/staff/alerts/new",
        &fields(&[("shape", "circle"), ("area_circle_lat", "46,42"), ("area_circle_lon", "15.87"), ("area_circle_radius_km", "2")]),
    )
    .await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let (s, html) = staff.get_text(&location).await;
    assert_eq!(s, 200);
    assert!(html.contains("Vaja: neurje s točo") && html.contains("46.42,15.87 2"), "{html}");
    let id = location.trim_start_matches("/staff/alerts/").to_string();
    // The update form comes filled in.
    let (s, form) = staff.get_text(&format!("/staff/alerts/{id}/update")).await;
    assert_eq!(s, 200);
    assert!(form.contains("value=\"Vaja: neurje s točo\"") && form.contains("value=\"46.42\""), "{form}");
    let update = fields(&[("shape", "circle"), ("area_circle_lat", "46.42"), ("area_circle_lon", "15.87"), ("area_circle_radius_km", "3")]);
    let r = submit(&staff, &format!("/staff/alerts/{id}/update"), &update).await;
    assert_eq!(r.status(), 303);
    let (_, xml) =
        staff.get_text(&format!("/alerts/cap/{}.xml", r.headers()["location"].to_str().unwrap().trim_start_matches("/staff/alerts/"))).await;
    assert!(xml.contains("<msgType>Update</msgType>") && xml.contains("<status>Exercise</status>"), "{xml}");
    assert_schema_valid(&xml);
    // Cancelling without a reason is explained on the page.
    let latest = r.headers()["location"].to_str().unwrap().to_string();
    let r = staff.submit(&latest, &format!("{latest}/cancel"), &[("note", "")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("To polje je obvezno"));
}

/// A fake SMS gateway at the network boundary: answers 201 and counts.
async fn sms_gateway() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    let seen = count.clone();
    let app = axum::Router::new().fallback(axum::routing::post(move || {
        let seen = seen.clone();
        async move {
            seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            axum::http::StatusCode::CREATED
        }
    }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, count)
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Benchmark (scripts/bench-alerts; ignored otherwise): a crisis alert to
/// BENCH_SUBSCRIBERS people (20,000) subscribed to disasters in the app,
/// BENCH_EMAIL of them also by e-mail and BENCH_SMS by SMS, timed from the
/// request until every delivery is handed to its channel. Subscribers are
/// written straight into the database (registration hashes passwords for
/// tens of milliseconds each); the alert goes through the API like any.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn bench_a_crisis_alert_to_subscribers() {
    use notify::model::{Channel, Settings, Topic};
    let n = env_usize("BENCH_SUBSCRIBERS", 20_000);
    let with_email = env_usize("BENCH_EMAIL", n / 2);
    let with_sms = env_usize("BENCH_SMS", n / 4);
    let (gateway, sms_count) = sms_gateway().await;
    let server = Server::start_with_config(&format!("[notify]\nsms_gateway_url = \"{gateway}\"\nsms_gateway_token = \"bench\"\n")).await;
    let staff = staff(&server).await;

    let seeding = std::time::Instant::now();
    let keys = kernel::crypto::Keyring::load_or_create(&server.data_dir.join("keys.toml")).unwrap();
    let db = kernel::db::Db::open(&server.data_dir, server.database_url.as_deref()).await.unwrap();
    let now = kernel::Timestamp(chrono::Utc::now().timestamp_millis());
    let txn = db.begin().await.unwrap();
    for i in 0..n {
        let id = uuid::Uuid::now_v7().to_string();
        let email = identity::model::Email::parse(&format!("narocnik{i}@example.si")).unwrap();
        identity::store::insert_account(&txn, &keys, &id, &email, "bench-no-password", if i % 5 == 0 { "en" } else { "sl" }, now).await.unwrap();
        let mut channels = vec![Channel::App];
        if i < with_email {
            channels.push(Channel::Email);
        }
        let phone = (i >= n - with_sms).then(|| format!("+38641{:06}", i % 1_000_000));
        if phone.is_some() {
            channels.push(Channel::Sms);
        }
        let settings =
            Settings { topics: [(Topic::Disasters, channels)].into_iter().collect(), quiet: None, phone, area: None, share_location: false };
        notify::store::save_settings(&txn, &keys, &id, &settings, now).await.unwrap();
    }
    // Confirmed addresses: only they are reached.
    kernel::db::exec(&txn, "UPDATE accounts SET email_confirmed_at = $1 WHERE email_confirmed_at IS NULL", [now.0.into()]).await.unwrap();
    txn.commit().await.unwrap();
    let seeded = seeding.elapsed();

    let mut alert = flood();
    alert["area"] = json!({"desc": {"sl": "Mestna občina Ptuj", "en": "City Municipality of Ptuj"}});
    let started = std::time::Instant::now();
    let (s, issued) = staff.json(Method::POST, "/api/v1/alerts", alert).await;
    let queued = started.elapsed();
    assert_eq!(s, 201, "{issued}");
    let id = issued["identifier"].as_str().unwrap().to_string();
    let mut last = json!(null);
    let mut handed = None;
    for _ in 0..6000 {
        let (_, f) = staff.json(Method::GET, &format!("/api/v1/alerts/{id}/figures"), json!(null)).await;
        if f["total"]["pending"] == 0 && f["total"]["sent"].as_i64().unwrap_or(0) > 0 {
            handed = Some(started.elapsed());
            last = f;
            break;
        }
        last = f;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let handed = handed.unwrap_or_else(|| panic!("deliveries still pending after 10 minutes: {last}"));
    let total = last["total"]["sent"].as_i64().unwrap();
    println!("BENCH subscribers={n} email={with_email} sms={with_sms} backend={}", if server.is_postgres() { "postgresql" } else { "sqlite" });
    println!("BENCH seeding_s={:.1}", seeded.as_secs_f64());
    println!("BENCH queued_s={:.2} (POST /api/v1/alerts answered: message, audit and {total} deliveries committed)", queued.as_secs_f64());
    println!("BENCH handed_s={:.2} (every delivery handed to its channel)", handed.as_secs_f64());
    println!("BENCH deliveries_per_s={:.0}", total as f64 / handed.as_secs_f64());
    for c in last["channels"].as_array().unwrap() {
        println!("BENCH channel={} sent={} delivered={} failed={}", c["channel"].as_str().unwrap(), c["sent"], c["delivered"], c["failed"]);
    }
    println!("BENCH sms_gateway_requests={}", sms_count.load(std::sync::atomic::Ordering::Relaxed));
    assert_eq!(last["total"]["failed"], 0, "{last}");
    assert_eq!(
        last["total"]["delivered"].as_i64().unwrap() as usize,
        n + 1 + with_email + with_sms,
        "every subscriber (and the staff member, in the app): {last}"
    );
}
