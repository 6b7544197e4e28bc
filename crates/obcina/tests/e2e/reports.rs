//! Fault reports over HTTP: a visitor reports without the map, with a
//! photo whose metadata is stripped; the report is routed and acknowledged;
//! staff of the owning department work it (others are refused); the
//! reporter sees every change; duplicates are proposed and merged; the
//! Open311 GeoReport v2 API with its error documents and 90-day window.

use crate::harness::*;
use reqwest::Method;
use serde_json::{Value, json};

const LIGHTS: &str = "Javne službe Ptuj d.o.o.";
const ROADS: &str = "Komunalno podjetje Ptuj d.d.";
const DEMO_KEY: &str = "obc_demo_open311_ptuj";

/// Fill in the report form as a browser would.
async fn submit_form(c: &Client, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> reqwest::Response {
    let (_, html) = c.get_text("/reports/new").await;
    let token = csrf_token(&html);
    let mut all = vec![("_csrf", token.as_str())];
    all.extend_from_slice(fields);
    let (ct, body) = multipart(&all, files);
    c.http.post(format!("{}/reports/new", c.base)).header("content-type", ct).body(body).send().await.unwrap()
}

async fn staff_of(server: &Server, department: &str) -> Client {
    let c = privileged_in(server, "staff", &unique_email("sluzba"), department).await;
    enable_totp(&c).await;
    c
}

/// Wait until `to` has `n` messages (the hub delivers from the outbox).
async fn wait_mails(server: &Server, to: &str, n: usize) {
    for _ in 0..300 {
        if server.smtp.mails.lock().unwrap().iter().filter(|m| m.to.eq_ignore_ascii_case(to)).count() >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("fewer than {n} messages to {to}; log:\n{}", server.log_text());
}

fn id_from_location(r: &reqwest::Response) -> i64 {
    let loc = r.headers()["location"].to_str().unwrap();
    loc.trim_start_matches("/reports/").split('?').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_visitor_reports_without_the_map_and_follows_the_answer() {
    let server = Server::start().await;
    let visitor = server.client();
    let email = unique_email("obiskovalka");
    let photo = kernel::photos::sample_jpeg_with_gps(2000, 1000, 15.8700, 46.4200);

    // Bad input first: the form comes back with every problem named.
    let r = submit_form(&visitor, &[("category", "street_light"), ("description", "x"), ("address", "Champs-Élysées"), ("email", "nope")], &[]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("aria-invalid=\"true\""), "{html}");
    for id in ["description-error", "email-error"] {
        assert!(html.contains(id), "{id}");
    }
    // A place the gazetteer does not know.
    let r =
        submit_form(&visitor, &[("category", "pothole"), ("description", "Luknja na cesti"), ("address", "Champs-Élysées"), ("email", &email)], &[])
            .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("address-error"));
    // A photo that is not one.
    let r = submit_form(
        &visitor,
        &[("category", "pothole"), ("description", "Luknja na cesti"), ("address", "Mestni trg"), ("email", &email)],
        &[("photos", "x.jpg", b"GIF89a not a jpeg")],
    )
    .await;
    assert_eq!(r.status(), 422);
    // An ambiguous place: the form offers the candidates.
    let r = submit_form(&visitor, &[("category", "pothole"), ("description", "Luknja na cesti"), ("address", "trg"), ("email", &email)], &[]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("name=\"place_id\""));

    // Without the map: a typed address, the gazetteer finds it.
    let r = submit_form(
        &visitor,
        &[
            ("category", "street_light"),
            ("attr.street_light.state", "off"),
            ("description", "Svetilka pred hišo ne sveti."),
            ("address", "Prešernova ulica 12, 2250 Ptuj"),
            ("email", &email),
            ("name", "Ana Obiskovalka"),
        ],
        &[("photos", "lamp.jpg", &photo)],
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let id = id_from_location(&r);
    let (s, page) = visitor.get_text(&format!("/reports/{id}?created=1")).await;
    assert_eq!(s, 200);
    assert!(page.contains(&id.to_string()) && page.contains("Prejeto"), "{page}");
    assert!(!page.contains(&email) && !page.contains("Ana Obiskovalka"), "no personal data on the public page");

    // Routed at once to the lighting company; located at the street.
    let (s, rep) = visitor.json(Method::GET, &format!("/api/v1/reports/{id}"), Value::Null).await;
    assert_eq!(s, 200);
    assert_eq!(rep["owner"], LIGHTS);
    assert_eq!(rep["status"], "received");
    assert!((rep["lat"].as_f64().unwrap() - 46.4208).abs() < 0.001, "{rep}");
    assert!(rep.to_string().find(&email).is_none());

    // The photo: smaller, no camera make, no position.
    let photo_url = rep["photos"][0].as_str().unwrap().to_string();
    let bytes = visitor.get(&photo_url).await.bytes().await.unwrap();
    assert!(!bytes.windows(9).any(|w| w == b"SecretCam"));
    assert_eq!(kernel::photos::gps_position(&bytes), None);
    assert!(bytes.len() < photo.len());

    // The e-mail address is sealed at rest.
    let plain =
        server.query_i64(&format!("SELECT COUNT(*) FROM reports WHERE reporter_email_enc LIKE '%{email}%' OR reporter_name_enc LIKE '%Ana%'")).await;
    assert_eq!(plain, vec![0]);

    // The acknowledgement reaches the visitor (the notifications hub delivers the outbox event).
    wait_mails(&server, &email, 1).await;

    // Staff of the lighting company answer; the visitor sees it and is told.
    let staff = staff_of(&server, LIGHTS).await;
    let r = staff
        .submit(
            &format!("/staff/reports/{id}"),
            &format!("/staff/reports/{id}/status"),
            &[("status", "in_progress"), ("answer", "Ekipa pride v četrtek."), ("reason", "")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, page) = visitor.get_text(&format!("/reports/{id}")).await;
    assert!(page.contains("V delu") && page.contains("Ekipa pride v četrtek."), "{page}");
    wait_mails(&server, &email, 2).await;
    let body = server.smtp.mails.lock().unwrap().iter().rfind(|m| m.to.eq_ignore_ascii_case(&email)).unwrap().body.clone();
    assert!(body.contains("v delu") && body.contains("Ekipa pride v četrtek."), "the answer comes with the status: {body}");

    // A refusal needs its reason: on the page, the form comes back as sent, the error beside the field.
    let r = staff
        .submit(
            &format!("/staff/reports/{id}"),
            &format!("/staff/reports/{id}/status"),
            &[("status", "rejected"), ("answer", "Žal ne."), ("reason", "")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"aria-describedby="reason-hint reason-error" aria-invalid="true""#) && html.contains(r#"id="reason-error""#), "{html}");
    assert!(html.contains(r#"<option value="rejected" selected>"#) && html.contains(">Žal ne.</textarea>"), "the form as sent: {html}");
    assert!(html.contains(r##"<a href="#reason">"##), "the summary links to the field: {html}");
    let (s, body) = staff.json(Method::POST, &format!("/api/v1/reports/{id}/status"), json!({"status": "rejected"})).await;
    assert_eq!((s, body["errors"][0]["field"].as_str()), (422, Some("reason")), "{body}");
    let (s, body) =
        staff.json(Method::POST, &format!("/api/v1/reports/{id}/status"), json!({"status": "rejected", "reason": "Svetilka je zasebna."})).await;
    assert_eq!((s, body["status"].as_str(), body["reason"].as_str()), (200, Some("rejected"), Some("Svetilka je zasebna.")), "{body}");
    // The visitor is told the refusal and its reason, in words.
    wait_mails(&server, &email, 3).await;
    let body = server.smtp.mails.lock().unwrap().iter().rfind(|m| m.to.eq_ignore_ascii_case(&email)).unwrap().body.clone();
    assert!(body.contains("zavrnjena") && body.contains("Razlog: Svetilka je zasebna."), "{body}");

    // Reading the reporter's contact is audited.
    let (s, html) = staff.get_text(&format!("/staff/reports/{id}/contact")).await;
    assert_eq!(s, 200);
    assert!(html.contains(&email));
    let audited =
        server.query_i64(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'reports.reporter.read' AND subject = 'report:{id}'")).await;
    assert_eq!(audited, vec![1]);
    let changes = server.query_i64(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'reports.status' AND subject = 'report:{id}'")).await;
    assert_eq!(changes, vec![2]);
}

#[tokio::test]
async fn staff_work_their_department_only_and_others_are_refused() {
    let server = Server::start().await;
    let citizen = server.client();
    citizen.citizen(&server, &unique_email("obcan")).await;
    let (s, rep) = citizen
        .json(
            Method::POST,
            "/api/v1/reports",
            json!({"category": "pothole", "description": "Luknja pred šolo", "lat": 46.4230, "lon": 15.8830, "attributes": {"size": "large"}}),
        )
        .await;
    assert_eq!(s, 201, "{rep}");
    let id = rep["id"].as_i64().unwrap();
    assert_eq!(rep["owner"], ROADS);
    let (s, html) = citizen.get_text("/reports/mine").await;
    assert_eq!(s, 200);
    assert!(html.contains(&format!("#{id}")));

    // The owning department sees and works it.
    let roads = staff_of(&server, ROADS).await;
    let (s, html) = roads.get_text("/staff/reports?status=open").await;
    assert_eq!(s, 200);
    assert!(html.contains(&format!("/staff/reports/{id}\"")), "in the queue");
    let (s, html) = roads.get_text("/staff/reports?category=pothole&from=2000-01-01&to=2100-01-01&area=").await;
    assert_eq!(s, 200);
    assert!(html.contains(&format!("#{id}")));
    let r = roads.submit(&format!("/staff/reports/{id}"), &format!("/staff/reports/{id}/assign"), &[("to", "me")]).await;
    assert_eq!(r.status(), 303);
    let (_, html) = roads.get_text("/staff/reports?assigned=me").await;
    assert!(html.contains(&format!("#{id}")));

    // Another department: not in its queue, refused on the report.
    let lights = staff_of(&server, LIGHTS).await;
    let (_, html) = lights.get_text("/staff/reports").await;
    assert!(!html.contains(&format!("#{id}<")));
    let (s, body) = lights.json(Method::POST, &format!("/api/v1/reports/{id}/status"), json!({"status": "fixed"})).await;
    assert_eq!((s, body["code"].as_str()), (403, Some("other_department")));
    assert_eq!(lights.get(&format!("/staff/reports/{id}")).await.status(), 403);
    assert_eq!(lights.get(&format!("/staff/reports/{id}/contact")).await.status(), 403);

    // Citizens, visitors, staff without 2FA, and the DTO (reads only) are refused changes.
    let (s, body) = citizen.json(Method::POST, &format!("/api/v1/reports/{id}/status"), json!({"status": "fixed"})).await;
    assert_eq!((s, body["code"].as_str()), (403, Some("missing_role")));
    assert_eq!(citizen.get("/staff/reports").await.status(), 403);
    let (s, _) = server.client().json(Method::POST, &format!("/api/v1/reports/{id}/status"), json!({"status": "fixed"})).await;
    assert_eq!(s, 401);
    let no2fa = privileged_in(&server, "staff", &unique_email("brez2fa"), ROADS).await;
    let (s, body) = no2fa.json(Method::POST, &format!("/api/v1/reports/{id}/status"), json!({"status": "fixed"})).await;
    assert_eq!((s, body["code"].as_str()), (403, Some("second_factor_required")));
    let dto = privileged_in(&server, "dto", &unique_email("dto"), "Urad župana").await;
    enable_totp(&dto).await;
    let (s, html) = dto.get_text(&format!("/staff/reports?owner={}", kernel::layout::urlencode(ROADS))).await;
    assert_eq!(s, 200);
    assert!(html.contains(&format!("#{id}")), "the DTO sees every department");
    let (s, body) = dto.json(Method::POST, &format!("/api/v1/reports/{id}/status"), json!({"status": "fixed"})).await;
    assert_eq!((s, body["code"].as_str()), (403, Some("missing_role")));
    assert_eq!(dto.get(&format!("/staff/reports/{id}/contact")).await.status(), 403, "the DTO reads no personal data");
    let denials = server.query_i64("SELECT COUNT(*) FROM audit_log WHERE action = 'access.denied'").await;
    assert!(denials[0] >= 5, "refusals are audited: {denials:?}");

    // Bad input: problem+json naming the fields.
    let (s, body) =
        roads.json(Method::POST, &format!("/api/v1/reports/{id}/status"), json!({"status": "sideways", "answer": "a".repeat(3000)})).await;
    assert_eq!(s, 422);
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["status", "answer"]);
    let (s, _) = roads.json(Method::POST, "/api/v1/reports/999999/status", json!({"status": "fixed"})).await;
    assert_eq!(s, 404);

    // Referral to another owner: now the lighting company's.
    let r = roads.submit(&format!("/staff/reports/{id}"), &format!("/staff/reports/{id}/route"), &[("owner", LIGHTS)]).await;
    assert_eq!(r.status(), 303);
    let (s, body) = lights.json(Method::POST, &format!("/api/v1/reports/{id}/status"), json!({"status": "fixed", "answer": "Popravljeno."})).await;
    assert_eq!((s, body["status"].as_str()), (200, Some("fixed")), "{body}");
    let statuses: Vec<&str> = body["updates"].as_array().unwrap().iter().map(|u| u["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["received", "internal_referral", "fixed"], "assignment is not public");
}

#[tokio::test]
async fn likely_duplicates_are_proposed_and_merged() {
    let server = Server::start().await;
    let c = server.client();
    c.citizen(&server, &unique_email("dvojnik")).await;
    let report = |lat: f64, lon: f64| json!({"category": "waste", "description": "Prepoln zabojnik ob poti", "lat": lat, "lon": lon});
    let (_, first) = c.json(Method::POST, "/api/v1/reports", report(46.41500, 15.86000)).await;
    let (_, second) = c.json(Method::POST, "/api/v1/reports", report(46.41520, 15.86010)).await;
    let (_, far) = c.json(Method::POST, "/api/v1/reports", report(46.43000, 15.90000)).await;
    let (a, b, f) = (first["id"].as_i64().unwrap(), second["id"].as_i64().unwrap(), far["id"].as_i64().unwrap());
    let staff = staff_of(&server, LIGHTS).await;
    let (s, html) = staff.get_text(&format!("/staff/reports/{b}")).await;
    assert_eq!(s, 200);
    assert!(html.contains(&format!("/staff/reports/{a}\"")), "the close one is proposed");
    assert!(!html.contains(&format!("/staff/reports/{f}\"")), "the far one is not");
    let (s, body) = staff.json(Method::POST, &format!("/api/v1/reports/{b}/merge"), json!({"into": b})).await;
    assert_eq!((s, body["errors"][0]["code"].as_str()), (422, Some("merge_self")));
    let (s, body) = staff.json(Method::POST, &format!("/api/v1/reports/{b}/merge"), json!({"into": a})).await;
    assert_eq!((s, body["status"].as_str(), body["duplicate_of"].as_i64()), (200, Some("duplicate"), Some(a)), "{body}");
    let (s, body) = staff.json(Method::POST, &format!("/api/v1/reports/{b}/status"), json!({"status": "fixed"})).await;
    assert_eq!((s, body["code"].as_str()), (409, Some("report_merged")));
    let merges = server.query_i64(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'reports.merged' AND subject = 'report:{b}'")).await;
    assert_eq!(merges, vec![1]);
    // KPI: merged duplicates are not counted again.
    let (s, kpi) = c.json(Method::GET, "/api/v1/reports/kpi", Value::Null).await;
    assert_eq!(s, 200);
    assert!(kpi["reports"].as_i64().unwrap() >= 2 && kpi["population"] == 23000, "{kpi}");
    let (s, body) = c.json(Method::GET, "/api/v1/reports/kpi?year=1066", Value::Null).await;
    assert_eq!((s, body["code"].as_str()), (400, Some("query_invalid")));
}

#[tokio::test]
async fn the_json_api_refuses_bad_input_as_problems() {
    let server = Server::start().await;
    let c = server.client();
    let r = c
        .http
        .post(format!("{}/api/v1/reports", c.base))
        .json(&json!({"category": "toaster", "description": "", "lat": 95.0, "lon": 15.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body: Value = r.json().await.unwrap();
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["category", "description", "lat", "email"]);
    let (s, _) = c.json(Method::POST, "/api/v1/reports", json!([1, 2])).await;
    assert_eq!(s, 422);
    let (s, body) = c
        .json(
            Method::POST,
            "/api/v1/reports",
            json!({"category": "pothole", "description": "Luknja", "address": "Atlantida", "email": "a@example.si"}),
        )
        .await;
    assert_eq!((s, body["errors"][0]["code"].as_str()), (422, Some("address_unknown")));
    let (s, _) = c.json(Method::GET, "/api/v1/reports?status=sideways", Value::Null).await;
    assert_eq!(s, 400);
    let (s, page) = c.json(Method::GET, "/api/v1/reports?status=open&limit=2", Value::Null).await;
    assert_eq!(s, 200);
    assert_eq!(page["items"].as_array().unwrap().len(), 2, "the demo reports");
    assert!(page["next"].is_i64());
    let (s, places) = c.json(Method::GET, "/api/v1/reports/places?q=presernova", Value::Null).await;
    assert_eq!((s, places[0]["name"].as_str()), (200, Some("Prešernova ulica")));
    let (s, cats) = c.json(Method::GET, "/api/v1/reports/categories", Value::Null).await;
    assert_eq!(s, 200);
    for code in ["pothole", "street_light", "building", "green", "waste", "water"] {
        assert!(cats.as_array().unwrap().iter().any(|c| c["code"] == code), "{code}");
    }
    let (s, geo) = c.json(Method::GET, "/reports/map.geojson?state=open", Value::Null).await;
    assert_eq!(s, 200);
    assert!(!geo["features"].as_array().unwrap().is_empty());
    assert!(!geo.to_string().contains("@example.si"));
}

async fn form(c: &Client, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let r = c.http.post(format!("{}{path}", c.base)).form(fields).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn open311_georeport_v2_with_errors_window_and_updates() {
    let server = Server::start().await;
    let c = server.client();
    let (s, xml) = c.get_text("/open311/v2/discovery.xml").await;
    assert_eq!(s, 200);
    assert!(xml.contains("<specification>http://wiki.open311.org/GeoReport_v2</specification>"), "{xml}");
    let (_, services) = c.json(Method::GET, "/open311/v2/services.json?jurisdiction_id=ptuj.si", Value::Null).await;
    let light = services.as_array().unwrap().iter().find(|s| s["service_code"] == "street_light").unwrap().clone();
    assert_eq!((light["metadata"].as_bool(), light["type"].as_str()), (Some(true), Some("realtime")));
    let (_, def) = c.json(Method::GET, "/open311/v2/services/street_light.json", Value::Null).await;
    assert_eq!(def["attributes"][0]["code"], "state");
    assert_eq!(def["attributes"][0]["values"][0]["key"], "off");

    // Errors are the specification's documents, in both formats.
    let (s, body) = c.json(Method::GET, "/open311/v2/services/toaster.json", Value::Null).await;
    assert_eq!((s, body[0]["code"].as_i64()), (404, Some(404)), "{body}");
    let (s, xml) = c.get_text("/open311/v2/services.xml?jurisdiction_id=maribor.si").await;
    assert_eq!(s, 404);
    assert!(xml.contains("<errors><error><code>404</code><description>"), "{xml}");
    let (s, xml) =
        form(&c, "/open311/v2/requests.xml", &[("service_code", "pothole"), ("lat", "46.42"), ("long", "15.87"), ("description", "Luknja")]).await;
    assert_eq!(s, 403);
    assert!(xml.contains("<code>403</code>"), "{xml}");
    let (s, body) = form(&c, "/open311/v2/requests.json", &[("api_key", "wrong"), ("service_code", "pothole")]).await;
    assert_eq!(s, 403, "{body}");
    let (s, body) =
        form(&c, "/open311/v2/requests.json", &[("api_key", DEMO_KEY), ("service_code", "pothole"), ("lat", "north"), ("long", "15.87")]).await;
    assert_eq!(s, 400, "{body}");
    let (s, body) =
        form(&c, "/open311/v2/requests.json", &[("api_key", DEMO_KEY), ("service_code", "pothole"), ("description", "Luknja na cesti")]).await;
    assert_eq!(s, 400, "a location is required: {body}");
    assert!(body.contains("address_string"), "{body}");

    // Create: form-encoded with attributes, and multipart with a photo.
    let (s, body) = form(
        &c,
        "/open311/v2/requests.json",
        &[
            ("api_key", DEMO_KEY),
            ("service_code", "street_light"),
            ("attribute[state]", "flickering"),
            ("lat", "46.4199"),
            ("long", "15.8706"),
            ("description", "Svetilka utripa"),
            ("email", "open311@example.si"),
            ("first_name", "Eva"),
        ],
    )
    .await;
    assert_eq!(s, 201, "{body}");
    let created: Value = serde_json::from_str(&body).unwrap();
    let id = created[0]["service_request_id"].as_str().unwrap().to_string();
    let token = created[0]["token"].as_str().unwrap().to_string();
    let (s, t) = c.json(Method::GET, &format!("/open311/v2/tokens/{token}.json"), Value::Null).await;
    assert_eq!((s, t[0]["service_request_id"].as_str()), (200, Some(id.as_str())));
    let photo = kernel::photos::sample_jpeg_with_gps(800, 600, 15.87, 46.42);
    let (ct, mp) = multipart(
        &[("api_key", DEMO_KEY), ("service_code", "pothole"), ("address_string", "Murkova ulica 3"), ("description", "Posedek pločnika")],
        &[("media", "a.jpg", &photo)],
    );
    let r = c.http.post(format!("{}/open311/v2/requests.xml", c.base)).header("content-type", ct).body(mp).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let xml = r.text().await.unwrap();
    let with_photo = regex_lite::Regex::new("<service_request_id>([0-9]+)</service_request_id>").unwrap().captures(&xml).unwrap()[1].to_string();

    // One request: a one-element array, in both formats.
    let (s, one) = c.json(Method::GET, &format!("/open311/v2/requests/{with_photo}.json"), Value::Null).await;
    assert_eq!(s, 200);
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!((one[0]["status"].as_str(), one[0]["address_id"].is_string()), (Some("open"), true), "{one}");
    assert!(one[0]["media_url"].as_str().unwrap().ends_with(".jpg"));
    let (s, xml) = c.get_text(&format!("/open311/v2/requests/{id}.xml")).await;
    assert_eq!(s, 200);
    assert!(xml.starts_with("<?xml") && xml.contains("<service_requests><request><service_request_id>"), "{xml}");
    assert!(!xml.contains("open311@example.si") && !xml.contains("Eva"));
    let (s, body) = c.json(Method::GET, "/open311/v2/requests/424242.json", Value::Null).await;
    assert_eq!((s, body[0]["code"].as_i64()), (404, Some(404)));

    // Lists: by ids, by service and status, and the 90-day window.
    let (_, list) = c.json(Method::GET, &format!("/open311/v2/requests.json?service_request_id={id},{with_photo},nonsense"), Value::Null).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let (_, list) = c.json(Method::GET, "/open311/v2/requests.json?service_code=street_light&status=open", Value::Null).await;
    assert!(list.as_array().unwrap().iter().all(|r| r["service_code"] == "street_light" && r["status"] == "open"));
    assert!(list.as_array().unwrap().iter().any(|r| r["service_request_id"] == id.as_str()));
    let (s, body) = c.json(Method::GET, "/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", Value::Null).await;
    assert_eq!((s, body[0]["code"].as_i64()), (400, Some(400)), "more than 90 days");
    let (s, list) = c.json(Method::GET, "/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z", Value::Null).await;
    assert_eq!((s, list), (200, json!([])), "90 days from 2020");
    let (s, _) = c.json(Method::GET, "/open311/v2/requests.json?status=sideways", Value::Null).await;
    assert_eq!(s, 400);
    // Reports older than 90 days drop out of the default list.
    server.sql(&format!("UPDATE reports SET created_at = created_at - {} WHERE id = {id}", 100i64 * 86_400_000)).await;
    let (_, list) = c.json(Method::GET, "/open311/v2/requests.json", Value::Null).await;
    assert!(!list.as_array().unwrap().iter().any(|r| r["service_request_id"] == id.as_str()));
    assert!(list.as_array().unwrap().iter().any(|r| r["service_request_id"] == with_photo.as_str()));

    // Updates extension: a staff change shows with its extended status.
    let staff = staff_of(&server, ROADS).await;
    let (s, _) = staff
        .json(
            Method::POST,
            &format!("/api/v1/reports/{with_photo}/status"),
            json!({"status": "action_scheduled", "answer": "Popravilo v ponedeljek."}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, xml) = c.get_text("/open311/v2/servicerequestupdates.xml").await;
    assert_eq!(s, 200);
    assert!(xml.contains(&format!("<service_request_id>{with_photo}</service_request_id><status>ACTION_SCHEDULED</status>")), "{xml}");
    assert!(xml.contains("Popravilo v ponedeljek."));
    let (_, ext) = c.json(Method::GET, &format!("/open311/v2/requests/{with_photo}.json?extensions=true"), Value::Null).await;
    assert_eq!(ext[0]["extended_attributes"]["detailed_status"], "ACTION_SCHEDULED");
    assert_eq!(ext[0]["status_notes"], "Popravilo v ponedeljek.");
}
