//! The sensor platform over HTTP: registry, ingestion checks, duplicates,
//! rollups, latest state, CSV, and durability under kill -9.

use crate::harness::*;
use reqwest::Method;
use serde_json::{Value, json};

const LIGHTING: &str = "Javna razsvetljava";

/// Staff of the lighting department with 2FA.
async fn lighting_staff(server: &Server) -> Client {
    let c = privileged_in(server, "staff", &unique_email("razsvetljava"), LIGHTING).await;
    enable_totp(&c).await;
    c
}

async fn create_lamp(staff: &Client, key: &str) -> String {
    let (s, body) = staff
        .json(
            Method::POST,
            "/api/v1/telemetry/devices",
            json!({"key": key, "type": "Streetlight", "name": format!("Svetilka {key}"), "lon": 15.8700, "lat": 46.4200, "attrs": {"feeder": "F1"}}),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    assert_eq!(body["device"]["department"], LIGHTING, "the staff member's department by default");
    body["token"].as_str().unwrap().to_string()
}

async fn post_readings(c: &Client, token: &str, body: Value) -> (u16, Value) {
    let r = c.http.post(format!("{}/api/v1/telemetry/readings", c.base)).bearer_auth(token).json(&body).send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap())
}

#[tokio::test]
async fn devices_are_registered_by_staff_of_their_department_only() {
    let server = Server::start().await;
    let staff = lighting_staff(&server).await;
    create_lamp(&staff, "t-lum-1").await;

    // Invalid input: every field named.
    let (s, body) = staff
        .json(
            Method::POST,
            "/api/v1/telemetry/devices",
            json!({"key": "a/b", "type": "Toaster", "name": "", "lon": 200.0, "lat": 46.0, "installed_on": "yesterday"}),
        )
        .await;
    assert_eq!(s, 422, "{body}");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for f in ["key", "type", "name", "lon", "installed_on"] {
        assert!(fields.contains(&f), "{f} in {body}");
    }
    let (s, body) = staff.json(Method::POST, "/api/v1/telemetry/devices", json!({"key": "t-lum-1", "type": "Streetlight", "name": "x"})).await;
    assert_eq!((s, body["errors"][0]["code"].as_str()), (422, Some("taken")));

    // Another department's device: refused.
    let (s, body) = staff
        .json(
            Method::POST,
            "/api/v1/telemetry/devices",
            json!({"key": "t-wm-1", "type": "WaterConsumptionObserved", "name": "Vodomer", "department": "Komunalno podjetje"}),
        )
        .await;
    assert_eq!((s, body["code"].as_str()), (403, Some("other_department")), "{body}");

    // Staff without 2FA, citizens and visitors: refused.
    let no2fa = privileged_in(&server, "staff", &unique_email("brez2fa"), LIGHTING).await;
    let (s, body) = no2fa.json(Method::POST, "/api/v1/telemetry/devices", json!({"key": "t-lum-2", "type": "Streetlight", "name": "x"})).await;
    assert_eq!((s, body["code"].as_str()), (403, Some("second_factor_required")));
    let citizen = server.client();
    citizen.citizen(&server, &unique_email("obcan")).await;
    let (s, _) = citizen.json(Method::GET, "/api/v1/telemetry/devices", json!(null)).await;
    assert_eq!(s, 403);
    let (s, _) = server.client().json(Method::GET, "/api/v1/telemetry/devices/t-lum-1", json!(null)).await;
    assert_eq!(s, 401);

    // Staff see and change their devices; the change is audited.
    let (s, body) = staff.json(Method::PATCH, "/api/v1/telemetry/devices/t-lum-1", json!({"status": "maintenance"})).await;
    assert_eq!((s, body["status"].as_str()), (200, Some("maintenance")), "{body}");
    // Keys after "t-" in the box: ours, after the demo fleet's "ptuj-…".
    let (s, page) =
        staff.json(Method::GET, "/api/v1/telemetry/devices?type=Streetlight&bbox=15.8,46.4,15.9,46.5&cursor=t-&limit=5", json!(null)).await;
    assert_eq!(s, 200);
    assert_eq!(page["items"][0]["key"], "t-lum-1");
    assert_eq!(page["items"][0]["status"], "maintenance");
    let (s, page) = staff.json(Method::GET, "/api/v1/telemetry/devices?bbox=0,0,1,1", json!(null)).await;
    assert_eq!(s, 200);
    assert_eq!(page["items"], json!([]), "outside the box");
    let (s, _) = staff.json(Method::GET, "/api/v1/telemetry/devices?bbox=nonsense", json!(null)).await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn readings_are_checked_stored_once_and_rolled_up() {
    let server = Server::start().await;
    let staff = lighting_staff(&server).await;
    let token = create_lamp(&staff, "t-lum-a").await;
    create_lamp(&staff, "t-lum-b").await;
    let c = server.client();

    // Four good readings in one hour, and one of each kind of mistake.
    let hour = "2026-11-24T21:";
    let batch = json!({"readings": [
        {"quantity": "illuminanceLevel", "value": 40, "time": format!("{hour}00:00Z")},
        {"quantity": "illuminanceLevel", "value": 60, "time": format!("{hour}10:00Z")},
        {"quantity": "illuminanceLevel", "value": 20, "time": format!("{hour}20:00Z")},
        {"quantity": "activePower", "value": 61.5, "unit": "W", "time": format!("{hour}20:00Z")},
        {"quantity": "temperature", "value": 4},
        {"quantity": "activePower", "value": 0.06, "unit": "kW"},
        {"quantity": "illuminanceLevel", "value": 140},
        {"quantity": "illuminanceLevel", "value": "bright"},
        {"quantity": "illuminanceLevel", "value": 1, "time": "2099-01-01T00:00:00Z"},
        {"quantity": "illuminanceLevel", "value": 1, "time": "tomorrow"},
        {"device": "t-lum-b", "quantity": "illuminanceLevel", "value": 1},
        {"device": "t-nope", "quantity": "illuminanceLevel", "value": 1},
    ]});
    let (s, report) = post_readings(&c, &token, batch.clone()).await;
    assert_eq!(s, 200, "{report}");
    assert_eq!((report["accepted"].as_u64(), report["duplicates"].as_u64()), (Some(4), Some(0)), "{report}");
    let reasons: Vec<(u64, &str)> =
        report["rejected"].as_array().unwrap().iter().map(|r| (r["index"].as_u64().unwrap(), r["reason"].as_str().unwrap())).collect();
    let mut reasons = reasons;
    reasons.sort();
    assert_eq!(
        reasons,
        vec![
            (4, "unknown_quantity"),
            (5, "wrong_unit"),
            (6, "out_of_range"),
            (7, "not_a_number"),
            (8, "future_timestamp"),
            (9, "bad_timestamp"),
            (10, "not_permitted"),
            (11, "not_permitted"),
        ]
    );

    // The same batch again: nothing new, nothing lost.
    let (_, again) = post_readings(&c, &token, batch).await;
    assert_eq!((again["accepted"].as_u64(), again["duplicates"].as_u64()), (Some(0), Some(4)), "{again}");

    // An integration token writes for any device, in the line format; an unknown device is refused and counted.
    let admin = privileged(&server, "admin", &unique_email("admin")).await;
    enable_totp(&admin).await;
    let integration = integration_token(&admin, &["telemetry:write"]).await;
    let lines = "t-lum-a,feeder=F1 illuminanceLevel=80 1795582800\nt-lum-b illuminanceLevel=10i,activePower=30 1795582800\nt-ghost illuminanceLevel=1\nbroken line here";
    let (s, report) = post_lines(&c, &integration, lines, "s").await;
    assert_eq!(s, 200, "{report}");
    assert_eq!(report["accepted"], 3, "{report}");
    let rejected: Vec<(u64, &str)> =
        report["rejected"].as_array().unwrap().iter().map(|r| (r["index"].as_u64().unwrap(), r["reason"].as_str().unwrap())).collect();
    assert_eq!(rejected, vec![(3, "unknown_device"), (4, "malformed")], "{report}");

    // A token without the scope, a person, nobody: refused.
    let reader = integration_token(&admin, &["catalog:read"]).await;
    assert_eq!(post_lines(&c, &reader, lines, "s").await.0, 403);
    assert_eq!(post_lines(&c, "obd_forged", lines, "s").await.0, 401);
    // A session is no credential for this operation (it declares only bearer): 401, as with none.
    let (s, body) = staff.json(Method::POST, "/api/v1/telemetry/readings", json!({"readings": []})).await;
    assert_eq!((s, body["code"].as_str()), (401, Some("device_credential_required")), "{body}");

    // Staff see every refusal counted per device and reason.
    let (s, counts) = staff.json(Method::GET, "/api/v1/telemetry/rejections", json!(null)).await;
    assert_eq!(s, 200);
    let count = |dev: &str, reason: &str| {
        counts.as_array().unwrap().iter().find(|c| c["device"] == dev && c["reason"] == reason).map(|c| c["count"].as_i64().unwrap()).unwrap_or(0)
    };
    assert_eq!(count("t-lum-a", "out_of_range"), 2, "{counts}");
    assert_eq!(count("t-lum-b", "not_permitted"), 2);
    assert_eq!(count("t-ghost", "unknown_device"), 1);
    assert_eq!(count("t-lum-a", "duplicate"), 4, "the repeated batch is visible as duplicates: {counts}");

    // Raw series and the hourly rollup of the first hour.
    let q = "device=t-lum-a&quantity=illuminanceLevel&from=2026-11-24T21:00:00Z&to=2026-11-24T22:00:00Z";
    let (s, raw) = staff.json(Method::GET, &format!("/api/v1/telemetry/series?{q}"), json!(null)).await;
    assert_eq!(s, 200, "{raw}");
    let values: Vec<f64> = raw["points"].as_array().unwrap().iter().map(|p| p["last"].as_f64().unwrap()).collect();
    assert_eq!(values, vec![40.0, 60.0, 20.0]);
    assert_eq!(raw["unit"], "P1");
    let (_, hourly) = staff.json(Method::GET, &format!("/api/v1/telemetry/series?{q}&resolution=1h"), json!(null)).await;
    let p = &hourly["points"][0];
    assert_eq!(
        (p["count"].as_i64(), p["min"].as_f64(), p["max"].as_f64(), p["mean"].as_f64(), p["last"].as_f64()),
        (Some(3), Some(20.0), Some(60.0), Some(40.0), Some(20.0)),
        "{hourly}"
    );
    assert_eq!(p["time"], "2026-11-24T21:00:00Z");
    let (_, fine) = staff.json(Method::GET, &format!("/api/v1/telemetry/series?{q}&resolution=5m"), json!(null)).await;
    assert_eq!(fine["points"].as_array().unwrap().len(), 3, "three 5-minute buckets");

    // CSV export of the same.
    let r = staff.get(&format!("/api/v1/telemetry/series?{q}&resolution=1h&format=csv")).await;
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = r.text().await.unwrap();
    assert_eq!(csv.lines().nth(1).unwrap(), "2026-11-24T21:00:00Z,t-lum-a,illuminanceLevel,P1,3,20,60,40,120,20", "{csv}");

    // Latest state: the newest reading of each series, late data does not move it back.
    let (_, latest) = staff.json(Method::GET, "/api/v1/telemetry/latest?type=Streetlight&quantity=illuminanceLevel", json!(null)).await;
    let a = latest.as_array().unwrap().iter().find(|l| l["device"] == "t-lum-a").unwrap();
    assert_eq!((a["value"].as_f64(), a["time"].as_str()), (Some(80.0), Some("2026-11-25T05:00:00Z")), "{latest}");
    let (_, report) =
        post_readings(&c, &token, json!({"readings": [{"quantity": "illuminanceLevel", "value": 5, "time": "2026-11-20T00:00:00Z"}]})).await;
    assert_eq!(report["accepted"], 1, "backfill is accepted");
    let (_, latest) = staff.json(Method::GET, "/api/v1/telemetry/latest?type=Streetlight&quantity=illuminanceLevel", json!(null)).await;
    let a = latest.as_array().unwrap().iter().find(|l| l["device"] == "t-lum-a").unwrap();
    assert_eq!(a["value"].as_f64(), Some(80.0));

    // Street lights are not public: visitors get nothing of them.
    let (s, public) = server.client().json(Method::GET, "/api/v1/telemetry/latest?type=Streetlight", json!(null)).await;
    assert_eq!((s, public), (200, json!([])));
    let (s, _) = server.client().json(Method::GET, &format!("/api/v1/telemetry/series?{q}"), json!(null)).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn acknowledged_readings_survive_kill_9() {
    let mut server = Server::start().await;
    let staff = lighting_staff(&server).await;
    let token = create_lamp(&staff, "t-lum-k").await;
    let base_ms: i64 = 1_795_000_000_000;
    let mut tasks = vec![];
    for batch in 0..60i64 {
        let c = server.client();
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(batch as u64 * 5)).await;
            let lines: String = (0..200).map(|i| format!("t-lum-k illuminanceLevel={} {}\n", i % 100, base_ms + batch * 1000 + i)).collect();
            let r = c
                .http
                .post(format!("{}/api/v1/telemetry/readings?precision=ms", c.base))
                .bearer_auth(&token)
                .header("content-type", "text/plain")
                .body(lines)
                .send()
                .await;
            match r {
                Ok(r) if r.status() == 200 => {
                    let v: Value = r.json().await.unwrap_or(Value::Null);
                    (v["accepted"].as_i64() == Some(200)).then_some(batch)
                }
                _ => None,
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(120)).await;
    server.kill9().await;
    let acked: Vec<i64> = futures_join(tasks).await.into_iter().flatten().collect();
    server.restart().await;
    let sql = "SELECT r.ts FROM telemetry_readings r JOIN telemetry_series s ON s.id = r.series_id \
               JOIN telemetry_devices d ON d.id = s.device_id WHERE d.key = 't-lum-k'";
    let stored: std::collections::HashSet<i64> = server.query_i64(sql).await.into_iter().collect();
    for b in &acked {
        for i in 0..200 {
            assert!(stored.contains(&(base_ms + b * 1000 + i)), "acknowledged reading {b}/{i} is present after kill -9");
        }
    }
    eprintln!("{} of 60 batches acknowledged before kill -9; all present", acked.len());
}

async fn futures_join(tasks: Vec<tokio::task::JoinHandle<Option<i64>>>) -> Vec<Option<i64>> {
    let mut out = vec![];
    for t in tasks {
        out.push(t.await.unwrap_or(None));
    }
    out
}

#[tokio::test]
async fn ngsi_ld_serves_the_demo_fleet_with_latest_values() {
    let server = Server::start().await;
    let c = server.client();
    let r = c.get("/ngsi-ld/v1/entities?type=Streetlight&count=true&limit=1000").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["ngsild-results-count"], "4200", "the demo luminaires");
    assert!(r.headers()["link"].to_str().unwrap().contains("ngsi-ld-core-context"));
    let page: Value = r.json().await.unwrap();
    assert_eq!(page.as_array().unwrap().len(), 1000);
    let first = &page[0];
    assert_eq!(first["id"], "urn:ngsi-ld:Streetlight:ptuj-lum-00001");
    assert_eq!(first["location"]["type"], "GeoProperty");
    assert_eq!(first["controlledAsset"]["object"], "urn:ngsi-ld:StreetlightControlCabinet:ptuj-feeder-01");

    // Water meters tell about households: not for anonymous callers.
    let (_, meters) = c.json(Method::GET, "/ngsi-ld/v1/entities?type=WaterConsumptionObserved", json!(null)).await;
    assert_eq!(meters, json!([]));
    let staff = lighting_staff(&server).await;
    let (_, meters) = staff.json(Method::GET, "/ngsi-ld/v1/entities?type=WaterConsumptionObserved&limit=5", json!(null)).await;
    assert_eq!(meters.as_array().unwrap().len(), 5);

    // A reading becomes a property with unit and time; q and geo-queries see it.
    let admin = privileged(&server, "admin", &unique_email("admin")).await;
    enable_totp(&admin).await;
    let token = integration_token(&admin, &["telemetry:write"]).await;
    let (s, _) = post_lines(&c, &token, "ptuj-lum-00007 illuminanceLevel=80 1795582800\nptuj-lum-00008 illuminanceLevel=20 1795582800", "s").await;
    assert_eq!(s, 200);
    let (s, e) = c.json(Method::GET, "/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:ptuj-lum-00007", json!(null)).await;
    assert_eq!(s, 200);
    assert_eq!(e["illuminanceLevel"], json!({"type": "Property", "value": 80.0, "unitCode": "P1", "observedAt": "2026-11-25T05:00:00Z"}));
    let (_, bright) = c
        .json(Method::GET, "/ngsi-ld/v1/entities?type=Streetlight&q=illuminanceLevel>50&options=keyValues&attrs=illuminanceLevel", json!(null))
        .await;
    assert_eq!(bright, json!([{"id": "urn:ngsi-ld:Streetlight:ptuj-lum-00007", "type": "Streetlight", "illuminanceLevel": 80.0}]));
    let lon = e["location"]["value"]["coordinates"][0].as_f64().unwrap();
    let lat = e["location"]["value"]["coordinates"][1].as_f64().unwrap();
    let (_, near) = c
        .json(
            Method::GET,
            &format!("/ngsi-ld/v1/entities?type=Streetlight&georel=near;maxDistance==1&geometry=Point&coordinates=[{lon},{lat}]"),
            json!(null),
        )
        .await;
    assert_eq!(near[0]["id"], "urn:ngsi-ld:Streetlight:ptuj-lum-00007", "{near}");

    // JSON-LD on request; NGSI-LD errors otherwise.
    let r = c
        .http
        .get(format!("{}/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:ptuj-lum-00007", c.base))
        .header("accept", "application/ld+json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/ld+json");
    assert!(r.json::<Value>().await.unwrap()["@context"].as_str().unwrap().contains("core-context"));
    let (s, err) = c.json(Method::GET, "/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:nope", json!(null)).await;
    assert_eq!((s, err["type"].as_str()), (404, Some("https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound")));
    let (s, err) = c.json(Method::GET, "/ngsi-ld/v1/entities?q=(illuminanceLevel>1", json!(null)).await;
    assert_eq!((s, err["type"].as_str()), (400, Some("https://uri.etsi.org/ngsi-ld/errors/BadRequestData")));
    let r = c.http.get(format!("{}/ngsi-ld/v1/entities?type=Streetlight", c.base)).header("NGSILD-Tenant", "hajdina").send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["type"], "https://uri.etsi.org/ngsi-ld/errors/NonexistentTenant");
    let (_, types) = c.json(Method::GET, "/ngsi-ld/v1/types", json!(null)).await;
    let list = types["typeList"].as_array().unwrap();
    assert!(list.contains(&json!("Streetlight")) && !list.contains(&json!("WaterConsumptionObserved")), "{types}");
}

#[tokio::test]
async fn the_simulator_feeds_the_demo_fleet_without_a_single_refusal() {
    let server = Server::start().await;
    let issued = server.cli(&["token", "issue", "--name", "Simulator", "--scope", "telemetry:write", "--days", "1"], None);
    assert!(issued.status.success(), "{}", String::from_utf8_lossy(&issued.stderr));
    let token = String::from_utf8(issued.stdout).unwrap().trim().to_string();
    let out = std::process::Command::new(BIN).args(["simulate", "--url", &server.url, "--token", &token, "--history-hours", "0"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("rejected 0, failed 0"), "{text}");
    let (_, gauges) = server
        .client()
        .json(Method::GET, "/ngsi-ld/v1/entities?type=FloodMonitoring&options=keyValues&attrs=currentLevel&limit=100", json!(null))
        .await;
    let gauges = gauges.as_array().unwrap();
    assert_eq!(gauges.len(), 20);
    assert!(gauges.iter().all(|g| g["currentLevel"].as_f64().is_some()), "every river gauge has a level");

    // The same stream as a file (nanosecond times), replayed: what the benchmark sends to every target.
    let file = server.data_dir.with_file_name("lines.txt");
    let out = std::process::Command::new(BIN).args(["simulate", "--history-hours", "1", "--out"]).arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let first = std::fs::read_to_string(&file).unwrap().lines().next().unwrap().to_string();
    assert!(first.rsplit(' ').next().unwrap().len() >= 19, "nanoseconds: {first}");
    let out = std::process::Command::new(BIN).args(["simulate", "--url", &server.url, "--token", &token, "--replay"]).arg(&file).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("rejected 0, failed 0"), "{text}");
}

async fn alarms_of(staff: &Client, device: &str) -> Vec<Value> {
    let (s, body) = staff.json(Method::GET, &format!("/api/v1/telemetry/alarms?device={device}"), json!(null)).await;
    assert_eq!(s, 200, "{body}");
    body.as_array().unwrap().clone()
}

/// Poll a count (SQL, so that no GET settles first) until it reaches `want`, for 45 s at most; the count then.
async fn wait_count(server: &Server, sql: &str, want: i64) -> i64 {
    let mut n = 0;
    for _ in 0..450 {
        n = server.query_i64(sql).await[0];
        if n >= want {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    n
}

/// Poll until the alarms of a device satisfy the predicate (the engine runs after commit).
async fn wait_alarms(staff: &Client, device: &str, want: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    for _ in 0..100 {
        let a = alarms_of(staff, device).await;
        if want(&a) {
            return a;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("alarms of {device} never reached the expected state: {:?}", alarms_of(staff, device).await);
}

#[tokio::test]
async fn rules_raise_acknowledge_and_clear_alarms_without_flapping() {
    let server = Server::start().await;
    let staff = lighting_staff(&server).await;
    let token = create_lamp(&staff, "t-lum-r").await;
    let c = server.client();

    let rule = json!({"name": "Preveč moči", "scope_kind": "device", "scope": "t-lum-r", "quantity": "activePower",
        "condition": {"kind": "threshold", "above": 100.0, "hysteresis": 10.0}, "severity": "critical"});
    let (s, body) = staff.json(Method::POST, "/api/v1/telemetry/rules", rule.clone()).await;
    assert_eq!(s, 201, "{body}");
    assert_eq!(body["department"], LIGHTING);
    let mut bad = rule.clone();
    bad["quantity"] = json!("temperature");
    bad["condition"] = json!({"kind": "threshold"});
    let (s, body) = staff.json(Method::POST, "/api/v1/telemetry/rules", bad).await;
    assert_eq!(s, 422);
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["quantity", "condition"]);
    let citizen = server.client();
    citizen.citizen(&server, &unique_email("obcan")).await;
    assert_eq!(citizen.json(Method::POST, "/api/v1/telemetry/rules", rule).await.0, 403);

    let send = |values: &[(u32, f64)]| {
        let body = json!({"readings": values.iter().map(|(min, v)| json!({"quantity": "activePower", "value": v, "time": format!("2026-11-24T20:{min:02}:00Z")})).collect::<Vec<_>>()});
        let (c, token, n) = (&c, &token, values.len() as u64);
        async move {
            let (s, r) = post_readings(c, token, body).await;
            assert_eq!((s, r["accepted"].as_u64()), (200, Some(n)), "{r}");
        }
    };
    send(&[(0, 90.0), (1, 105.0)]).await;
    let raised = wait_alarms(&staff, "t-lum-r", |a| a.len() == 1).await;
    assert_eq!((raised[0]["state"].as_str(), raised[0]["severity"].as_str()), (Some("raised"), Some("critical")));
    assert!(raised[0]["message"].as_str().unwrap().contains("105.0 W > 100 W"), "{}", raised[0]["message"]);
    let id = raised[0]["id"].as_str().unwrap().to_string();

    // Another department may not take it on; the lighting department may, once.
    let water = privileged_in(&server, "staff", &unique_email("vodovod"), "Komunalno podjetje Ptuj d.d.").await;
    enable_totp(&water).await;
    let (s, body) = water.json(Method::POST, &format!("/api/v1/telemetry/alarms/{id}/acknowledge"), json!(null)).await;
    assert_eq!((s, body["code"].as_str()), (403, Some("other_department")));
    let (s, body) = staff.json(Method::POST, &format!("/api/v1/telemetry/alarms/{id}/acknowledge"), json!(null)).await;
    assert_eq!((s, body["state"].as_str()), (200, Some("acknowledged")), "{body}");
    assert_eq!(staff.json(Method::POST, &format!("/api/v1/telemetry/alarms/{id}/acknowledge"), json!(null)).await.0, 409);

    // Wobbling around the limit keeps the one alarm; 85 W (10 below) clears it.
    send(&[(2, 98.0), (3, 101.0), (4, 95.0), (5, 102.0)]).await;
    send(&[(6, 85.0)]).await;
    let done = wait_alarms(&staff, "t-lum-r", |a| a.iter().all(|x| x["state"] == "cleared")).await;
    assert_eq!(done.len(), 1, "one alarm for the whole episode: {done:?}");

    // A rate of change: the level rising 40 %/h against the reading an hour earlier.
    let (s, body) = staff
        .json(
            Method::POST,
            "/api/v1/telemetry/rules",
            json!({"name": "Hitro naraščanje", "scope_kind": "type", "scope": "Streetlight", "quantity": "illuminanceLevel",
                "condition": {"kind": "rate", "per_hour": 30.0, "window_minutes": 60}}),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    let (s, _) = post_lines(&c, &token, "t-lum-r illuminanceLevel=10 1795550400\nt-lum-r illuminanceLevel=50 1795554000", "s").await;
    assert_eq!(s, 200);
    let a = wait_alarms(&staff, "t-lum-r", |a| a.iter().any(|x| x["quantity"] == "illuminanceLevel")).await;
    let rate = a.iter().find(|x| x["quantity"] == "illuminanceLevel").unwrap();
    assert!(rate["message"].as_str().unwrap().contains("40.0 %/h"), "{}", rate["message"]);
}

#[tokio::test]
async fn analytics_see_a_rising_river_and_a_full_bin() {
    let server = Server::start().await;
    let admin = privileged(&server, "admin", &unique_email("admin")).await;
    enable_totp(&admin).await;
    let token = integration_token(&admin, &["telemetry:write"]).await;
    let c = server.client();
    // The last three hours, every five minutes: gauge 03 rises 30 cm an hour from 380 cm (flood at 450 cm).
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let start = now - now % 300 - 3 * 3600;
    let mut lines = String::new();
    for i in 0..=36 {
        let t = start + i * 300;
        lines.push_str(&format!("ptuj-river-03 currentLevel={} {t}\nptuj-river-04 currentLevel=180 {t}\n", 380.0 + 30.0 * i as f64 / 12.0));
    }
    for h in 0..6 {
        lines.push_str(&format!("ptuj-bin-007 fillingLevel={} {}\n", 60 + 5 * h, now - now % 3600 - (5 - h) * 3600));
    }
    let (s, r) = post_lines(&c, &token, &lines, "s").await;
    assert_eq!((s, r["rejected"].as_array().map(Vec::len)), (200, Some(0)), "{r}");

    let (s, rivers) = c.json(Method::GET, "/api/v1/telemetry/analytics/rivers", json!(null)).await;
    assert_eq!(s, 200, "rivers are public");
    let first = &rivers[0];
    assert_eq!((first["gauge"].as_str(), first["status"].as_str()), (Some("ptuj-river-03"), Some("flood")), "{first}");
    assert!((first["rise_per_hour"].as_f64().unwrap() - 30.0).abs() < 0.01);
    let calm = rivers.as_array().unwrap().iter().find(|g| g["gauge"] == "ptuj-river-04").unwrap();
    assert_eq!(calm["status"], "normal");

    let (s, _) = c.json(Method::GET, "/api/v1/telemetry/analytics/bins", json!(null)).await;
    assert_eq!(s, 401, "bins are for staff");
    let (_, bins) = admin.json(Method::GET, "/api/v1/telemetry/analytics/bins", json!(null)).await;
    assert_eq!((bins[0]["bin"].as_str(), bins[0]["empty_today"].as_bool()), (Some("ptuj-bin-007"), Some(true)), "{}", bins[0]);
}

#[tokio::test]
async fn raw_readings_expire_by_type_while_rollups_stay() {
    let server = Server::start_with_config("[telemetry]\nretention_interval_seconds = 1\n").await;
    let admin = privileged(&server, "admin", &unique_email("admin")).await;
    enable_totp(&admin).await;
    let token = integration_token(&admin, &["telemetry:write"]).await;
    let c = server.client();
    // Forty days ago: past the street lights' 30 days of raw data; yesterday: kept.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let (old, recent) = (now - now % 3600 - 40 * 86_400, now - now % 3600 - 86_400);
    let lines = format!("ptuj-lum-00001 illuminanceLevel=40 {old}\nptuj-lum-00001 illuminanceLevel=60 {recent}\n");
    let (s, r) = post_lines(&c, &token, &lines, "s").await;
    assert_eq!((s, r["accepted"].as_u64()), (200, Some(2)), "backfill of old data is accepted");
    let day = |t: i64| kernel_rfc3339(t);
    let q = format!("/api/v1/telemetry/series?device=ptuj-lum-00001&quantity=illuminanceLevel&from={}&to={}", day(old - 60), day(now));
    let mut raw = json!(null);
    for _ in 0..50 {
        raw = admin.json(Method::GET, &q, json!(null)).await.1;
        if raw["points"].as_array().is_some_and(|p| p.len() == 1) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(raw["points"].as_array().unwrap().len(), 1, "the 40-day-old raw reading is gone: {raw}");
    let (_, hourly) = admin.json(Method::GET, &format!("{q}&resolution=1h"), json!(null)).await;
    let means: Vec<f64> = hourly["points"].as_array().unwrap().iter().map(|p| p["mean"].as_f64().unwrap()).collect();
    assert_eq!(means, vec![40.0, 60.0], "hourly rollups keep both");
}

fn kernel_rfc3339(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0).unwrap().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[tokio::test]
async fn the_environment_page_speaks_the_visitors_language() {
    let server = Server::start().await;
    let admin = privileged(&server, "admin", &unique_email("admin")).await;
    enable_totp(&admin).await;
    let token = integration_token(&admin, &["telemetry:write"]).await;
    let c = server.client();
    let (s, _) = post_lines(
        &c,
        &token,
        "ptuj-aq-1 PM10=45,PM2_5=12,NO2=30,O3=40\nptuj-wx-1 temperature=12.5,uVIndexMax=6.5\nptuj-river-01 currentLevel=181",
        "s",
    )
    .await;
    assert_eq!(s, 200);
    let page = |lang: &'static str| {
        let c = &c;
        async move {
            let r = c.http.get(format!("{}/environment", c.base)).header("accept-language", lang).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.text().await.unwrap()
        }
    };
    let de = page("de").await;
    assert!(de.contains(r#"lang="de""#) && de.contains("Luftqualitätsindex") && de.contains("mäßig"), "the worst band, PM10 at 45, is moderate");
    assert!(de.contains("12,5 °C") && de.contains("hoch"), "decimal comma; UV 6.5 is high");
    let it = page("it").await;
    assert!(it.contains("Livelli dei fiumi") && it.contains("Indice di qualità"), "Italian for visitors");
    let sl = page("sl").await;
    assert!(sl.contains("zmerna") && sl.contains("Vodostaji rek"));
    // Water meters and street lights stay out of public pages.
    assert!(!sl.contains("Vodomer") && !sl.contains("Svetilka"));
    let board = c.get("/environment/board?refresh=5").await;
    assert_eq!(board.status(), 200);
    assert!(board.text().await.unwrap().contains(r#"data-refresh-seconds="10""#), "the refresh is at least 10 s");
}

#[tokio::test]
async fn staff_see_devices_alarms_lighting_and_water_and_send_commands_from_the_page() {
    let server = Server::start().await;
    let staff = lighting_staff(&server).await;
    let admin = privileged(&server, "admin", &unique_email("admin")).await;
    enable_totp(&admin).await;
    let token = integration_token(&admin, &["telemetry:write"]).await;
    let c = server.client();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let lines: String = (0..12)
        .map(|i| format!("ptuj-lum-00001 illuminanceLevel=100,activePower=60,energyConsumed={} {}\n", 10.0 + i as f64 * 0.5, now - (11 - i) * 300))
        .collect();
    assert_eq!(post_lines(&c, &token, &lines, "s").await.0, 200);

    for (path, expect) in [
        ("/staff/sensors", "Naprave po vrstah"),
        ("/staff/sensors/devices?type=Streetlight", "ptuj-lum-00001"),
        ("/staff/sensors/devices/ptuj-lum-00001", r#"role="img""#),
        ("/staff/sensors/lighting", "RP-01"),
        ("/staff/sensors/water", "Najmanjši nočni pretok"),
        ("/staff/sensors/alarms", "Alarmi"),
        ("/staff/sensors/assets/ptuj-feeder-01", "Naprave, ki ga nadzirajo"),
    ] {
        let (s, html) = staff.get_text(path).await;
        assert_eq!(s, 200, "{path}");
        assert!(html.contains(expect), "{path} shows {expect}");
    }
    let (_, lighting) = staff.get_text("/staff/sensors/lighting").await;
    assert!(lighting.contains("<td>0.1 kW</td>") || lighting.contains("<td>0.1 kW"), "60 W lit on RP-01");

    // A command from the device page, with the form's CSRF token.
    let r = staff
        .submit("/staff/sensors/devices/ptuj-lum-00001", "/staff/sensors/devices/ptuj-lum-00001/command", &[("command", "dim"), ("level", "40")])
        .await;
    assert_eq!(r.status(), 303);
    let (_, cmds) = staff.json(Method::GET, "/api/v1/telemetry/commands?device=ptuj-lum-00001", json!(null)).await;
    assert_eq!((cmds[0]["command"].as_str(), cmds[0]["params"]["level"].as_f64()), (Some("dim"), Some(40.0)));

    // People without staff rights: refused; visitors: sent to sign in.
    let citizen = server.client();
    citizen.citizen(&server, &unique_email("obcan")).await;
    assert_eq!(citizen.get("/staff/sensors").await.status(), 403);
    let r = server.client().get("/staff/sensors/water").await;
    assert_eq!(r.status(), 303);
}

#[tokio::test]
async fn devices_are_imported_from_csv_with_progress_and_errors_by_line() {
    let server = Server::start().await;
    let staff = lighting_staff(&server).await;
    let csv = "key,type,name,lon,lat,department,feeder\n\
               i-lum-1,Streetlight,Svetilka 1,15.87,46.42,,RP-07\n\
               i-lum-2,Streetlight,Svetilka 2,15.88,46.42,,RP-07\n\
               i-lum-3,Toaster,Opekač,15.88,46.42,,RP-07\n\
               i-wm-1,WaterConsumptionObserved,Vodomer,15.88,46.42,Komunalno podjetje Ptuj d.d.,\n";
    let r = staff.http.post(format!("{}/api/v1/telemetry/imports", staff.base)).header("content-type", "text/csv").body(csv).send().await.unwrap();
    assert_eq!(r.status(), 202);
    let started: Value = r.json().await.unwrap();
    assert_eq!(started["total"], 4);
    let id = started["id"].as_str().unwrap().to_string();
    let mut p = json!(null);
    for _ in 0..100 {
        p = staff.json(Method::GET, &format!("/api/v1/telemetry/imports/{id}"), json!(null)).await.1;
        if p["finished"] == true {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!((p["done"].as_i64(), p["failed"].as_i64()), (Some(2), Some(2)), "{p}");
    let errors: Vec<(i64, &str)> =
        p["errors"].as_array().unwrap().iter().map(|e| (e["line"].as_i64().unwrap(), e["error"].as_str().unwrap())).collect();
    assert_eq!(errors, vec![(4, "type: unknown_type"), (5, "other_department")], "a water meter belongs to another department");
    let (s, d) = staff.json(Method::GET, "/api/v1/telemetry/devices/i-lum-2", json!(null)).await;
    assert_eq!((s, d["attrs"]["feeder"].as_str(), d["department"].as_str()), (200, Some("RP-07"), Some(LIGHTING)));
    let (s, html) = staff.get_text(&format!("/staff/sensors/import/{id}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("<progress") && html.contains("Vrstica 4"), "the progress page lists refused rows");

    // Not CSV, or no key column: refused at once.
    let r = staff
        .http
        .post(format!("{}/api/v1/telemetry/imports", staff.base))
        .header("content-type", "text/csv")
        .body("name,type\nx,y\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let citizen = server.client();
    citizen.citizen(&server, &unique_email("obcan")).await;
    let r =
        citizen.http.post(format!("{}/api/v1/telemetry/imports", citizen.base)).header("content-type", "text/csv").body(csv).send().await.unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn a_neighbouring_municipality_reads_only_what_was_shared() {
    let server = Server::start().await;
    let admin = privileged(&server, "admin", &unique_email("admin")).await;
    enable_totp(&admin).await;
    let token = integration_token(&admin, &["telemetry:write"]).await;
    let c = server.client();
    assert_eq!(post_lines(&c, &token, "ptuj-river-01 currentLevel=181\nptuj-lum-00001 illuminanceLevel=40", "s").await.0, 200);

    let (s, body) =
        admin.json(Method::POST, "/api/v1/telemetry/shares", json!({"partner": "Občina Hajdina", "types": ["WaterConsumptionObserved"]})).await;
    assert_eq!((s, body["errors"][0]["code"].as_str()), (422, Some("personal_data")), "water meters never leave");
    let staff = lighting_staff(&server).await;
    assert_eq!(
        staff.json(Method::POST, "/api/v1/telemetry/shares", json!({"partner": "x", "types": ["FloodMonitoring"]})).await.0,
        403,
        "the DTO decides, not staff"
    );
    let (s, created) =
        admin.json(Method::POST, "/api/v1/telemetry/shares", json!({"partner": "Občina Hajdina", "types": ["FloodMonitoring"], "days": 30})).await;
    assert_eq!(s, 201, "{created}");
    let share = created["token"].as_str().unwrap().to_string();

    let get = |path: &str| {
        let (c, share, path) = (&c, share.clone(), path.to_string());
        async move {
            let r = c.http.get(format!("{}{path}", c.base)).bearer_auth(&share).send().await.unwrap();
            let s = r.status().as_u16();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (s, rivers) = get("/api/v1/telemetry/latest?type=FloodMonitoring&quantity=currentLevel").await;
    assert_eq!((s, rivers.as_array().map(Vec::len)), (200, Some(20)));
    let (_, lamps) = get("/api/v1/telemetry/latest?type=Streetlight").await;
    assert_eq!(lamps, json!([]));
    let (_, lamps) = get("/ngsi-ld/v1/entities?type=Streetlight").await;
    assert_eq!(lamps, json!([]), "a share sees its types only, even where the public sees more");
    let (_, gauges) = get("/ngsi-ld/v1/entities?type=FloodMonitoring&limit=100").await;
    assert_eq!(gauges.as_array().map(Vec::len), Some(20));

    let id = created["share"]["id"].as_str().unwrap();
    let r = admin.http.delete(format!("{}/api/v1/telemetry/shares/{id}", admin.base)).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(get("/api/v1/telemetry/latest?type=FloodMonitoring").await.0, 401, "revoked at once");
}

#[tokio::test]
async fn rollups_are_complete_after_kill_9_even_when_still_in_memory() {
    let mut server = Server::start().await;
    let staff = lighting_staff(&server).await;
    let token = create_lamp(&staff, "t-lum-roll").await;
    // Two hours of minute readings, acknowledged, then kill -9 at once (rollups are written within a second).
    let start: i64 = 1_795_550_400;
    let lines: String = (0..120).map(|i| format!("t-lum-roll illuminanceLevel={} {}\n", i % 50, start + i * 60)).collect();
    let (s, r) = post_lines(&server.client(), &token, &lines, "s").await;
    assert_eq!((s, r["accepted"].as_u64()), (200, Some(120)));
    server.kill9().await;
    server.restart().await;
    let sum = server.query_i64("SELECT CAST(SUM(n) AS BIGINT) FROM telemetry_rollups r JOIN telemetry_series s ON s.id = r.series_id JOIN telemetry_devices d ON d.id = s.device_id WHERE d.key = 't-lum-roll' AND r.period = 3600").await;
    assert_eq!(sum, vec![120], "every acknowledged reading is in the hourly rollups");
    let daily = server.query_i64("SELECT CAST(SUM(n) AS BIGINT) FROM telemetry_rollups r JOIN telemetry_series s ON s.id = r.series_id JOIN telemetry_devices d ON d.id = s.device_id WHERE d.key = 't-lum-roll' AND r.period = 86400").await;
    assert_eq!(daily, vec![120]);
    assert_eq!(server.query_i64("SELECT COUNT(*) FROM telemetry_rollup_pending").await, vec![0]);
    let recovered = server.log_text().contains("rollups recomputed from raw readings");
    eprintln!("rollups {}", if recovered { "were recomputed at restart" } else { "had been written before the kill" });
}

#[tokio::test]
async fn the_staff_map_shows_located_devices_with_their_state() {
    let server = Server::start().await;
    let anonymous = server.client();
    let r = anonymous.get("/staff/sensors/map.geojson").await;
    assert_eq!(r.status(), 303, "to the sign-in page");
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login"));
    let staff = lighting_staff(&server).await;
    let r = staff.get("/staff/sensors/map.geojson?type=FloodMonitoring").await;
    assert_eq!(r.headers()["content-type"], "application/geo+json");
    let fc: Value = r.json().await.unwrap();
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), 20, "every river gauge");
    assert!(features.iter().all(|f| f["geometry"]["type"] == "Point" && f["properties"]["state"] == "silent"), "no reading yet: silent");
    let (s, html) = staff.get_text("/staff/sensors/map").await;
    assert_eq!(s, 200);
    assert!(html.contains("data-device-map") && html.contains("/staff/sensors/devices?type="), "the map and its list");
    let csp = staff.get("/staff/sensors/map").await.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("img-src 'self' data: https://tile.openstreetmap.org"), "{csp}");
}

#[tokio::test]
async fn the_journal_is_replayed_after_kill_9_into_readings_rollups_and_latest() {
    // No checkpoint on its own: what is acknowledged stays in the journal until the kill.
    let mut server = Server::start_with_config("[telemetry]\ncheckpoint_idle_ms = 600000\ncheckpoint_every_ms = 600000\n").await;
    let staff = lighting_staff(&server).await;
    let token = create_lamp(&staff, "t-lum-j").await;
    // Three hours of minute readings in six requests at once, the last hour first (late data too).
    let start: i64 = 1_795_550_400;
    let line = |i: i64| format!("t-lum-j illuminanceLevel={} {}\n", i % 50, start + i * 60);
    let mut tasks = vec![];
    for part in (0..6).rev() {
        let (c, token) = (server.client(), token.clone());
        let lines: String = (part * 30..part * 30 + 30).map(line).collect();
        tasks.push(tokio::spawn(async move { post_lines(&c, &token, &lines, "s").await }));
    }
    for t in tasks {
        let (s, r) = t.await.unwrap();
        assert_eq!((s, r["accepted"].as_u64()), (200, Some(30)), "{r}");
    }
    if !server.is_postgres() {
        let journal = server.query_i64("SELECT COUNT(*) FROM telemetry_journal").await;
        assert!(journal[0] > 0, "the acknowledged readings wait in the journal");
        let raw = server.query_i64("SELECT COUNT(*) FROM telemetry_readings r JOIN telemetry_series s ON s.id = r.series_id JOIN telemetry_devices d ON d.id = s.device_id WHERE d.key = 't-lum-j'").await;
        assert_eq!(raw, vec![0], "not yet in the table");
    }
    server.kill9().await;
    server.restart().await;
    if !server.is_postgres() {
        assert!(server.log_text().contains("telemetry journal replayed"), "{}", server.log_text());
        assert_eq!(server.query_i64("SELECT COUNT(*) FROM telemetry_journal").await, vec![0], "replayed and checkpointed before ready");
    }
    let of = "FROM telemetry_series s JOIN telemetry_devices d ON d.id = s.device_id WHERE d.key = 't-lum-j' AND s.quantity = 'illuminanceLevel'";
    let raw = server.query_i64(&format!("SELECT COUNT(*) FROM telemetry_readings r JOIN (SELECT s.id {of}) x ON x.id = r.series_id")).await;
    assert_eq!(raw, vec![180], "every acknowledged reading is in the raw table");
    let hourly = server
        .query_i64(&format!(
            "SELECT r.n FROM telemetry_rollups r JOIN (SELECT s.id {of}) x ON x.id = r.series_id WHERE r.period = 3600 ORDER BY r.bucket"
        ))
        .await;
    assert_eq!(hourly, vec![60, 60, 60], "and in its hourly rollups, once");
    let daily = server
        .query_i64(&format!(
            "SELECT CAST(SUM(r.n) AS BIGINT) FROM telemetry_rollups r JOIN (SELECT s.id {of}) x ON x.id = r.series_id WHERE r.period = 86400"
        ))
        .await;
    assert_eq!(daily, vec![180]);
    let latest = server.query_i64(&format!("SELECT s.last_ts {of}")).await;
    assert_eq!(latest, vec![(start + 179 * 60) * 1000], "the latest value is the newest reading, not the last one sent");
    let seen = server.query_i64("SELECT COUNT(*) FROM telemetry_devices WHERE key = 't-lum-j' AND last_seen IS NOT NULL").await;
    assert_eq!(seen, vec![1]);
    // The API sees the same, and sending everything again stores nothing twice.
    let staff = lighting_staff(&server).await;
    let (_, latest) = staff.json(Method::GET, "/api/v1/telemetry/latest?type=Streetlight&quantity=illuminanceLevel", json!(null)).await;
    let l = latest.as_array().unwrap().iter().find(|l| l["device"] == "t-lum-j").unwrap();
    assert_eq!(l["value"].as_f64(), Some((179 % 50) as f64), "{l}");
    let all: String = (0..180).map(line).collect();
    let (_, again) = post_lines(&server.client(), &token, &all, "s").await;
    assert_eq!((again["accepted"].as_u64(), again["duplicates"].as_u64()), (Some(0), Some(180)), "{again}");
    let q = "device=t-lum-j&quantity=illuminanceLevel&from=2026-11-23T00:00:00Z&to=2026-11-26T00:00:00Z&resolution=1h";
    let (_, hourly) = staff.json(Method::GET, &format!("/api/v1/telemetry/series?{q}"), json!(null)).await;
    let counts: Vec<i64> = hourly["points"].as_array().unwrap().iter().map(|p| p["count"].as_i64().unwrap()).collect();
    assert_eq!(counts, vec![60, 60, 60], "{hourly}");
}

#[tokio::test]
async fn rate_and_frozen_rules_see_readings_still_in_the_journal() {
    // No checkpoint on its own; alarms are read with SQL (a GET of the API would checkpoint first).
    let server = Server::start_with_config("[telemetry]\ncheckpoint_idle_ms = 600000\ncheckpoint_every_ms = 600000\n").await;
    let staff = lighting_staff(&server).await;
    let token = create_lamp(&staff, "t-lum-f").await;
    for (name, quantity, condition) in [
        ("Zamrznjena", "illuminanceLevel", json!({"kind": "frozen", "minutes": 30})),
        ("Naraščanje", "activePower", json!({"kind": "rate", "per_hour": 30.0, "window_minutes": 60})),
    ] {
        let rule = json!({"name": name, "scope_kind": "device", "scope": "t-lum-f", "quantity": quantity, "condition": condition});
        let (s, body) = staff.json(Method::POST, "/api/v1/telemetry/rules", rule).await;
        assert_eq!(s, 201, "{body}");
    }
    let t0: i64 = 1_795_550_400;
    // One reading per request, so each is evaluated against earlier ones that are not in the table.
    for (q, v, minutes) in [
        ("illuminanceLevel", 40, 0),
        ("activePower", 10, 0),
        ("illuminanceLevel", 40, 10),
        ("illuminanceLevel", 40, 20),
        ("illuminanceLevel", 40, 30),
        ("activePower", 50, 60),
    ] {
        let (s, r) = post_lines(&server.client(), &token, &format!("t-lum-f {q}={v} {}", t0 + minutes * 60), "s").await;
        assert_eq!((s, r["accepted"].as_u64()), (200, Some(1)), "{r}");
    }
    let alarms = |state: &str| format!("SELECT COUNT(*) FROM telemetry_alarms WHERE device_key = 't-lum-f' AND state = '{state}'");
    let raised = wait_count(&server, &alarms("raised"), 2).await;
    let messages = server.query_i64("SELECT COUNT(*) FROM telemetry_alarms WHERE device_key = 't-lum-f' AND (message LIKE '%stuck at 40.00%' OR message LIKE '%changes 40.0 %')").await;
    assert_eq!((raised, messages[0]), (2, 2), "a frozen and a rising value, both from readings in memory");
    if !server.is_postgres() {
        let raw = server.query_i64("SELECT COUNT(*) FROM telemetry_readings r JOIN telemetry_series s ON s.id = r.series_id JOIN telemetry_devices d ON d.id = s.device_id WHERE d.key = 't-lum-f'").await;
        assert_eq!(raw, vec![0], "the readings were still only in the journal");
    }
    // The value moves: the frozen alarm clears.
    let (s, _) = post_lines(&server.client(), &token, &format!("t-lum-f illuminanceLevel=41 {}", t0 + 40 * 60), "s").await;
    assert_eq!(s, 200);
    assert_eq!(wait_count(&server, &alarms("cleared"), 1).await, 1);
}

#[tokio::test]
async fn a_checkpoint_cut_off_between_rollup_slices_adds_no_rollup_twice() {
    let mut server = Server::start_with_config("[telemetry]\ncheckpoint_idle_ms = 600000\ncheckpoint_every_ms = 600000\n").await;
    if server.is_postgres() {
        eprintln!("the journal checkpoint is SQLite's; PostgreSQL merges rollups per journal row");
        return;
    }
    let staff = lighting_staff(&server).await;
    let first = create_lamp(&staff, "t-lum-c1").await;
    let second = create_lamp(&staff, "t-lum-c2").await;
    let start: i64 = 1_795_550_400;
    for (key, token) in [("t-lum-c1", &first), ("t-lum-c2", &second)] {
        let lines: String = (0..180).map(|i| format!("{key} illuminanceLevel={} {}\n", i % 50, start + i * 60)).collect();
        let (s, r) = post_lines(&server.client(), token, &lines, "s").await;
        assert_eq!((s, r["accepted"].as_u64()), (200, Some(180)), "{r}");
    }
    server.kill9().await;
    // As if the checkpoint had merged the rollups of the first lamp (its series
    // come first) in one slice, and the process died before the next.
    let series = |key: &str| format!("SELECT s.id FROM telemetry_series s JOIN telemetry_devices d ON d.id = s.device_id WHERE d.key = '{key}'");
    let first_ids = server.query_i64(&series("t-lum-c1")).await;
    let level = server.query_i64(&format!("{} AND s.quantity = 'illuminanceLevel'", series("t-lum-c1"))).await[0];
    assert!(first_ids.iter().max().unwrap() < server.query_i64(&series("t-lum-c2")).await.iter().min().unwrap());
    for hour in 0..3 {
        let values: Vec<i64> = (hour * 60..hour * 60 + 60).map(|i| i % 50).collect();
        let (sum, min, max, last) = (values.iter().sum::<i64>(), values.iter().min().unwrap(), values.iter().max().unwrap(), values[59]);
        let bucket = (start + hour * 3600) * 1000;
        server
            .sql(&format!(
                "INSERT INTO telemetry_rollups (series_id, period, bucket, n, vsum, vmin, vmax, vlast, last_ts) VALUES ({level}, 3600, {bucket}, 60, {sum}, {min}, {max}, {last}, {})",
                bucket + 59 * 60_000
            ))
            .await;
    }
    let day = (start - start % 86_400) * 1000;
    server.sql(&format!("INSERT INTO telemetry_rollups (series_id, period, bucket, n, vsum, vmin, vmax, vlast, last_ts) VALUES ({level}, 86400, {day}, 180, 0, 0, 49, 29, 0)")).await;
    let upto = server.query_i64("SELECT MAX(seq) FROM telemetry_journal").await[0];
    server.sql(&format!("INSERT INTO telemetry_checkpoint (id, upto, series) VALUES (1, {upto}, {})", first_ids.iter().max().unwrap())).await;

    server.restart().await;
    let hourly = |key: &'static str| {
        let server = &server;
        async move {
            server
                .query_i64(&format!(
                    "SELECT r.n FROM telemetry_rollups r JOIN telemetry_series s ON s.id = r.series_id JOIN telemetry_devices d ON d.id = s.device_id \
                     WHERE d.key = '{key}' AND s.quantity = 'illuminanceLevel' AND r.period = 3600 ORDER BY r.bucket"
                ))
                .await
        }
    };
    assert_eq!(hourly("t-lum-c1").await, vec![60, 60, 60], "the slice merged before the crash is not merged again");
    assert_eq!(hourly("t-lum-c2").await, vec![60, 60, 60], "the rest is merged at start");
    let raw = server.query_i64("SELECT COUNT(*) FROM telemetry_readings r JOIN telemetry_series s ON s.id = r.series_id JOIN telemetry_devices d ON d.id = s.device_id WHERE d.key LIKE 't-lum-c%'").await;
    assert_eq!(raw, vec![360]);
    assert_eq!(server.query_i64("SELECT COUNT(*) FROM telemetry_checkpoint").await, vec![0]);
    assert_eq!(server.query_i64("SELECT COUNT(*) FROM telemetry_journal").await, vec![0]);
}

#[tokio::test]
async fn readings_still_in_the_journal_are_in_a_backup_and_come_back_whole() {
    let server = Server::start_with_config("[telemetry]\ncheckpoint_idle_ms = 600000\ncheckpoint_every_ms = 600000\n").await;
    let staff = lighting_staff(&server).await;
    let token = create_lamp(&staff, "t-lum-bk").await;
    let lines: String = (0..120).map(|i| format!("t-lum-bk illuminanceLevel={} {}\n", i % 50, 1_795_550_400 + i * 60)).collect();
    let (s, r) = post_lines(&server.client(), &token, &lines, "s").await;
    assert_eq!((s, r["accepted"].as_u64()), (200, Some(120)), "{r}");
    // SQLite: the whole commit; PostgreSQL: its rollups still to merge.
    assert!(server.query_i64("SELECT COUNT(*) FROM telemetry_journal").await[0] > 0);
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("snap.obk");
    let out = std::process::Command::new(BIN).arg("backup").args(server.storage_args()).args(["--to", file.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let restored = tmp.path().join("restored");
    let out = std::process::Command::new(BIN)
        .args(["restore", "--from", file.to_str().unwrap(), "--data-dir", restored.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The restored platform replays the journal before it is ready.
    let (mut child, url) = serve_restored(&restored).await;
    assert!(!url.is_empty(), "the restored platform starts");
    let _ = child.kill().await;
    use sqlx::{Connection, Row};
    let mut db = sqlx::SqliteConnection::connect(&format!("sqlite://{}", restored.join("obcina.sqlite3").display())).await.unwrap();
    let mut one = async |sql: &'static str| sqlx::query(sql).fetch_one(&mut db).await.unwrap().get::<i64, _>(0);
    assert_eq!(one("SELECT COUNT(*) FROM telemetry_readings r JOIN telemetry_series s ON s.id = r.series_id JOIN telemetry_devices d ON d.id = s.device_id WHERE d.key = 't-lum-bk'").await, 120);
    assert_eq!(
        one("SELECT CAST(SUM(r.n) AS BIGINT) FROM telemetry_rollups r JOIN telemetry_series s ON s.id = r.series_id JOIN telemetry_devices d ON d.id = s.device_id WHERE d.key = 't-lum-bk' AND r.period = 3600").await,
        120,
        "every reading in the hourly rollups, once"
    );
    assert_eq!(one("SELECT COUNT(*) FROM telemetry_journal").await, 0);
}

#[tokio::test]
async fn ngsi_ld_sees_readings_still_in_the_journal() {
    let server = Server::start_with_config("[telemetry]\ncheckpoint_idle_ms = 600000\ncheckpoint_every_ms = 600000\n").await;
    let issued = server.cli(&["token", "issue", "--name", "Gauges", "--scope", "telemetry:write", "--days", "1"], None);
    let token = String::from_utf8(issued.stdout).unwrap().trim().to_string();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let (s, r) = post_lines(&server.client(), &token, &format!("ptuj-river-01 currentLevel=123.5 {}", now - 60), "s").await;
    assert_eq!((s, r["accepted"].as_u64()), (200, Some(1)), "{r}");
    let (s, gauges) = server
        .client()
        .json(Method::GET, "/ngsi-ld/v1/entities?type=FloodMonitoring&options=keyValues&attrs=currentLevel&limit=100", json!(null))
        .await;
    assert_eq!(s, 200, "{gauges}");
    let g = gauges.as_array().unwrap().iter().find(|g| g["id"] == "urn:ngsi-ld:FloodMonitoring:ptuj-river-01").unwrap();
    assert_eq!(g["currentLevel"].as_f64(), Some(123.5), "{g}");
}

#[tokio::test]
async fn a_silent_device_raises_an_alarm_and_its_next_reading_clears_it() {
    let server = Server::start().await;
    let staff = lighting_staff(&server).await;
    let token = create_lamp(&staff, "t-lum-s").await;
    let rule = json!({"name": "Tiha", "scope_kind": "device", "scope": "t-lum-s", "condition": {"kind": "silent", "minutes": 1}});
    let (s, body) = staff.json(Method::POST, "/api/v1/telemetry/rules", rule).await;
    assert_eq!(s, 201, "{body}");
    // Heard from two minutes ago; the check runs every 30 s.
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    server.sql(&format!("UPDATE telemetry_devices SET last_seen = {} WHERE key = 't-lum-s'", now_ms - 120_000)).await;
    let alarms = |state: &str| format!("SELECT COUNT(*) FROM telemetry_alarms WHERE device_key = 't-lum-s' AND state = '{state}'");
    assert_eq!(wait_count(&server, &alarms("raised"), 1).await, 1, "silent for more than a minute");
    let (s, _) = post_lines(&server.client(), &token, "t-lum-s illuminanceLevel=40", "s").await;
    assert_eq!(s, 200);
    let cleared = wait_count(&server, &alarms("cleared"), 1).await;
    assert_eq!(cleared, 1, "a reading ends the silence");
}

#[tokio::test]
async fn a_timestamp_at_the_edge_of_the_integer_range_is_refused_not_stored() {
    let mut server = Server::start().await;
    let staff = lighting_staff(&server).await;
    let token = create_lamp(&staff, "t-lum-edge").await;
    // Whole buckets of such a time do not fit an i64: folding it into rollups, or
    // looking back from it for a rule, would overflow.
    for (line, precision) in [("t-lum-edge illuminanceLevel=1 -9223372036854775808", "ms"), ("t-lum-edge illuminanceLevel=2 -9223372036854775", "s")]
    {
        let (s, r) = post_lines(&server.client(), &token, line, precision).await;
        assert_eq!((s, r["accepted"].as_u64()), (200, Some(0)), "{r}");
        assert_eq!(r["rejected"][0]["reason"], "bad_timestamp", "{r}");
    }
    let (s, r) = post_lines(&server.client(), &token, "t-lum-edge illuminanceLevel=3 1795550400", "s").await;
    assert_eq!((s, r["accepted"].as_u64()), (200, Some(1)), "{r}");
    let q = "device=t-lum-edge&quantity=illuminanceLevel&from=2026-11-23T00:00:00Z&to=2026-11-26T00:00:00Z&resolution=1h";
    let (s, body) = staff.json(Method::GET, &format!("/api/v1/telemetry/series?{q}"), json!(null)).await;
    assert_eq!(s, 200, "{body}");
    // And the platform still starts, with the one good reading.
    server.restart().await;
    let staff = lighting_staff(&server).await;
    let (s, body) = staff.json(Method::GET, &format!("/api/v1/telemetry/series?{q}"), json!(null)).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["points"].as_array().map(Vec::len), Some(1), "{body}");
}

#[tokio::test]
async fn a_frozen_rule_sees_the_readings_another_process_stored() {
    let server = Server::start().await;
    if !server.is_postgres() {
        eprintln!("several processes share PostgreSQL only");
        return;
    }
    let other = server.beside().await;
    let staff = lighting_staff(&server).await;
    let token = create_lamp(&staff, "t-lum-2p").await;
    let rule = json!({"name": "Zamrznjena", "scope_kind": "device", "scope": "t-lum-2p", "quantity": "illuminanceLevel", "condition": {"kind": "frozen", "minutes": 30}});
    let (s, body) = staff.json(Method::POST, "/api/v1/telemetry/rules", rule).await;
    assert_eq!(s, 201, "{body}");
    let t0: i64 = 1_795_550_400;
    // Behind a load balancer the readings of one device reach both processes:
    // the one at ten minutes moved, so the half hour is not frozen.
    for (via, v, minutes) in [(&server, 40, 0), (&other, 41, 10), (&server, 40, 20), (&server, 40, 30)] {
        let (s, r) = post_lines(&via.client(), &token, &format!("t-lum-2p illuminanceLevel={v} {}", t0 + minutes * 60), "s").await;
        assert_eq!((s, r["accepted"].as_u64()), (200, Some(1)), "{r}");
    }
    let raised = "SELECT COUNT(*) FROM telemetry_alarms WHERE device_key = 't-lum-2p' AND state = 'raised'";
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(server.query_i64(raised).await, vec![0], "not frozen: it read 41 at ten minutes");
    // Once that reading is out of the window, the value is frozen.
    let (s, _) = post_lines(&server.client(), &token, &format!("t-lum-2p illuminanceLevel=40 {}", t0 + 45 * 60), "s").await;
    assert_eq!(s, 200);
    assert_eq!(wait_count(&server, raised, 1).await, 1);
}
