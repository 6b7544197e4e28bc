//! Indicators: every KPI of the strategy in the registry, values computed
//! from platform data, entered and imported by staff with provenance, the
//! denials, the board, the report (HTML and PDF) and the open CSV.

use crate::harness::*;
use reqwest::Method;
use serde_json::{Value, json};

async fn data_manager(server: &Server) -> Client {
    let dto = privileged(server, "dto", &unique_email("podatki")).await;
    enable_totp(&dto).await;
    dto
}

fn this_year() -> String {
    // The server counts in Ljubljana's local year; tests do not run at New Year's midnight.
    chrono::Utc::now().format("%Y").to_string()
}

#[tokio::test]
async fn every_strategy_kpi_is_registered_and_the_platform_computes_what_its_data_tell() {
    let server = Server::start().await;
    let public = server.client();
    let (s, list) = public.json(Method::GET, "/api/v1/indicators", json!(null)).await;
    assert_eq!(s, 200);
    let list = list.as_array().unwrap();
    let strategy: Vec<&Value> = list.iter().filter(|i| i["kind"] == "strategy").collect();
    assert_eq!(strategy.len(), 73, "every KPI of the 60 measures");
    let lighting = strategy.iter().find(|i| i["code"] == "energy.lighting.1").unwrap();
    assert_eq!((lighting["baseline"].as_f64(), lighting["target"].as_f64(), lighting["unit"].as_str()), (Some(0.0), Some(4200.0), Some("count")));
    let iso: Vec<&str> = list.iter().filter(|i| i["kind"] == "iso").map(|i| i["code"].as_str().unwrap()).collect();
    assert_eq!(iso, ["37122:7.9", "37122:10.2", "37122:18.1", "37122:19.5", "37122:23.3"]);

    // Fault reports this year ÷ 23,000 residents, once recomputed.
    let citizen = server.client();
    citizen.citizen(&server, &unique_email("kazalnik")).await;
    for text in ["Luknja v cestišču na Ormoški cesti", "Ne sveti svetilka ob Dravi"] {
        let (s, r) =
            citizen.json(Method::POST, "/api/v1/reports", json!({"category": "waste", "description": text, "lat": 46.42, "lon": 15.87})).await;
        assert_eq!(s, 201, "{r}");
    }
    let (s, p) = citizen.json(Method::POST, "/api/v1/indicators/recompute", json!(null)).await;
    assert_eq!((s, p["code"].as_str()), (403, Some("missing_role")), "citizens do not recompute");
    let dto = data_manager(&server).await;
    let (s, n) = dto.json(Method::POST, "/api/v1/indicators/recompute", json!(null)).await;
    assert_eq!(s, 200, "{n}");
    assert!(n["values"].as_u64().unwrap() >= 4, "{n}");
    // Year start in Ljubljana (UTC+1 in January), as the server counts.
    let start =
        chrono::NaiveDate::from_ymd_opt(this_year().parse().unwrap(), 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_millis()
            - 3_600_000;
    let reports = server.query_i64(&format!("SELECT COUNT(*) FROM reports WHERE created_at >= {start}")).await[0];
    assert!(reports >= 2, "the two just filed, and what else this year holds");
    let (_, one) = public.json(Method::GET, "/api/v1/indicators/admin.reports.1", json!(null)).await;
    let last = one["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["period"], this_year());
    assert_eq!(last["provenance"], "computed");
    assert!((last["value"].as_f64().unwrap() - reports as f64 / 23_000.0).abs() < 1e-12, "{last}");
    assert_eq!(last["recorded_by"], "", "who recorded a value is not published");
    let (_, subs) = public.json(Method::GET, "/api/v1/indicators/admin.notify.1", json!(null)).await;
    let accounts = server.query_i64("SELECT COUNT(*) FROM accounts WHERE email_confirmed_at IS NOT NULL").await[0];
    let got = subs["history"][0]["value"].as_f64().unwrap();
    assert!((got - accounts as f64 / 23_000.0 * 100.0).abs() < 1e-12, "{subs} vs {accounts} accounts");
}

#[tokio::test]
async fn staff_enter_and_import_values_and_everyone_else_is_refused() {
    let server = Server::start().await;
    let anonymous = server.client();
    let body = json!({"period": "2026", "value": 38.0, "note": "koledar sestankov"});
    let (s, _) = anonymous.json(Method::PUT, "/api/v1/indicators/admin.video.1/values", body.clone()).await;
    assert_eq!(s, 401);
    let citizen = server.client();
    citizen.citizen(&server, &unique_email("obcan")).await;
    let (s, p) = citizen.json(Method::PUT, "/api/v1/indicators/admin.video.1/values", body.clone()).await;
    assert_eq!((s, p["code"].as_str()), (403, Some("missing_role")));
    let (s, _) = citizen.get_text("/staff/indicators").await;
    assert_eq!(s, 403);
    let staff = privileged(&server, "staff", &unique_email("uradnik")).await;
    enable_totp(&staff).await;
    let (s, _) = staff.json(Method::PUT, "/api/v1/indicators/admin.video.1/values", body.clone()).await;
    assert_eq!(s, 403, "data management is the DTO's and the administrator's");

    let dto = data_manager(&server).await;
    let (s, v) = dto.json(Method::PUT, "/api/v1/indicators/admin.video.1/values", body.clone()).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!((v["provenance"].as_str(), v["value"].as_f64()), (Some("entered"), Some(38.0)));
    let (s, p) = dto.json(Method::PUT, "/api/v1/indicators/nope.1/values", body.clone()).await;
    assert_eq!(s, 404, "{p}");
    let (s, p) = dto.json(Method::PUT, "/api/v1/indicators/admin.video.1/values", json!({"period": "2026-13", "value": 1.0})).await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "period", "{p}");
    let audited = server.query_i64("SELECT COUNT(*) FROM audit_log WHERE action = 'indicators.record'").await;
    assert_eq!(audited, vec![1]);

    // A file with one wrong line is refused whole, the line named.
    let csv = "code,period,value,note\nadmin.video.1,2025,30,\nmob.speed.1,2026,x,\n";
    let r = dto.http.post(format!("{}/api/v1/indicators/import", dto.base)).header("content-type", "text/csv").body(csv).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert!(p["detail"].as_str().unwrap().contains("line 3"), "{p}");
    assert_eq!(
        server.query_i64("SELECT COUNT(*) FROM indicator_values WHERE provenance <> 'computed'").await,
        vec![1],
        "nothing of the file was stored"
    );
    let csv = "code,period,value,note\nadmin.video.1,2025,\"30,5\",zapisniki\nmob.speed.1,2026,9,\n";
    let r = dto.http.post(format!("{}/api/v1/indicators/import", dto.base)).header("content-type", "text/csv").body(csv).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let (_, one) = anonymous.json(Method::GET, "/api/v1/indicators/admin.video.1", json!(null)).await;
    let history: Vec<(String, f64, String)> = one["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["period"].as_str().unwrap().into(), v["value"].as_f64().unwrap(), v["provenance"].as_str().unwrap().into()))
        .collect();
    assert_eq!(history, [("2025".into(), 30.5, "imported".into()), ("2026".into(), 38.0, "entered".into())]);

    // The staff form: an error tied to its field, in the person's language.
    let r = dto.submit("/staff/indicators", "/staff/indicators", &[("code", "mob.speed.1"), ("period", "lani"), ("value", "9")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"period-error\"") && html.contains("aria-invalid=\"true\""), "{html}");

    // The open CSV carries values and provenance, never who recorded them.
    let (s, text) = anonymous.get_text("/indicators.csv").await;
    assert_eq!(s, 200);
    assert!(text.contains("admin.video.1,strategy,") && text.contains(",2026,38,entered,"), "{text}");
    assert!(!text.contains("account:"), "{text}");
}

#[tokio::test]
async fn the_board_the_report_and_its_pdf_show_baseline_value_and_target() {
    let server = Server::start().await;
    let dto = data_manager(&server).await;
    let (s, _) = dto.json(Method::PUT, "/api/v1/indicators/tele.wifi.1/values", json!({"period": "2026", "value": 16.5})).await;
    assert_eq!(s, 200);
    let public = server.client();
    let (s, html) = public.get_text("/indicators?pillar=5").await;
    assert_eq!(s, 200);
    assert!(html.contains("Število brezplačnih Wi-Fi točk") && html.contains("<meter"), "the Slovenian name and a progress meter");
    // 13 → 16.5 of the way to 20: 50 %.
    assert!(html.contains("value=\"50\""), "{html}");
    assert!(!html.contains("Odstotek občinskih lokacij"), "only the fifth pillar");
    let (s, html) = public.get_text("/indicators/i/tele.wifi.1").await;
    assert_eq!(s, 200);
    assert!(html.contains("16,5") && html.contains("role=\"img\""), "the Slovenian decimal comma: {html}");
    let (s, html) = public.get_text("/indicators/report/2026").await;
    assert_eq!(s, 200);
    assert!(html.contains("16,5 (2026)"), "{html}");
    let r = public.get("/indicators/report/2026.pdf").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-1.4") && pdf.ends_with(b"%%EOF\n"));
    // "Število" with Š in WinAnsi (\212), "točk" with č from the Differences (\201).
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("(tele.wifi.1 \\212tevilo brezpla\\201nih Wi-Fi to\\201k"), "the KPI line in the PDF");
    let (s, _) = public.get_text("/indicators/report/1999").await;
    assert_eq!(s, 404);
    let (s, _) = public.get_text("/indicators/i/nope").await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn the_maturity_questionnaire_scores_once_a_year_and_publishes_only_anonymously() {
    let server = Server::start().await;
    let anonymous = server.client();
    let body = |org: &str, a: [u8; 7]| json!({"kind": "institution", "organisation": org, "answers": a});
    let (s, _) = anonymous.json(Method::POST, "/api/v1/maturity", body("Zavod za turizem Ptuj", [3; 7])).await;
    assert_eq!(s, 401);
    let c = server.client();
    c.citizen(&server, &unique_email("zrelost")).await;
    let (s, p) = c.json(Method::POST, "/api/v1/maturity", json!({"kind": "institution", "organisation": "X", "answers": [3, 3, 9]})).await;
    assert_eq!(s, 422);
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["q_processes", "q_stakeholders", "q_talent", "q_integration", "q_architecture"], "{p}");
    let (s, scored) = c.json(Method::POST, "/api/v1/maturity", body("Zavod za turizem Ptuj", [2, 3, 2, 3, 2, 2, 2])).await;
    assert_eq!(s, 201, "{scored}");
    assert_eq!((scored["total"].as_u64(), scored["category"].as_str()), (Some(16), Some("explorer")));
    let (s, p) = c.json(Method::POST, "/api/v1/maturity", body("  zavod za TURIZEM  ptuj ", [5; 7])).await;
    assert_eq!((s, p["code"].as_str()), (409, Some("maturity_answered")), "the same organisation, written differently");
    let r = c
        .submit(
            "/maturity",
            "/maturity",
            &[
                ("kind", "institution"),
                ("organisation", "Zavod za turizem Ptuj"),
                ("q_use", "4"),
                ("q_attitude", "4"),
                ("q_processes", "4"),
                ("q_stakeholders", "4"),
                ("q_talent", "4"),
                ("q_integration", "4"),
                ("q_architecture", "4"),
            ],
        )
        .await;
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/maturity?again"));
    let (_, html) = c.get_text("/maturity?again").await;
    assert!(html.contains("že odgovorila"), "the form says so in words: {html}");

    // Two answers: counts and means, no organisation one by one.
    let (s, _) = c.json(Method::POST, "/api/v1/maturity", body("Knjižnica Ivana Potrča Ptuj", [4, 4, 4, 4, 4, 4, 4])).await;
    assert_eq!(s, 201);
    let (_, r) = anonymous.json(Method::GET, "/api/v1/maturity/results", json!(null)).await;
    assert_eq!((r["answers"].as_u64(), r["mean_total"].as_f64()), (Some(2), Some(22.0)), "{r}");
    assert_eq!(r["organisations"], json!([]));
    let (_, html) = anonymous.get_text("/maturity/results").await;
    assert!(html.contains("od 3 odgovorov") && !html.contains("Zavod 1"), "{html}");
    let (s, _) = c.json(Method::POST, "/api/v1/maturity", body("Center interesnih dejavnosti Ptuj", [5, 5, 5, 4, 5, 5, 5])).await;
    assert_eq!(s, 201);
    let (s, html) = anonymous.get_text("/maturity/results").await;
    assert_eq!(s, 200);
    assert!(html.contains("Zavod 1") && html.contains("Zavod 3") && html.contains("Digitalni disruptor"), "{html}");
    assert!(!html.contains("Knjižnica") && !html.contains("turizem"), "names never leave");
    let (_, r) = anonymous.json(Method::GET, "/api/v1/maturity/results", json!(null)).await;
    assert!(!r.to_string().contains("Potrča"));
    assert_eq!(r["per_category"], json!([["resister", 0], ["explorer", 1], ["player", 0], ["transformer", 1], ["disruptor", 1]]));
}
