//! The data catalogue over HTTP: the CKAN Action API's envelope, error
//! types and statuses, package_search counts, paging and filters as the
//! harvester uses them; the proof that no open distribution carries a
//! personal field or a known personal value; staff decisions (access
//! level, datasets kept elsewhere) with their permission checks and audit.

use crate::harness::*;
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Columns the sources declare personal (the test knows them by name, so
/// a source that stops declaring one still fails here).
const PERSONAL_COLUMNS: &[&str] = &["reporter_account", "reporter_name", "reporter_email", "reporter_phone", "submitted_by", "author", "created_by"];

async fn action(c: &Client, name: &str, query: &str) -> (u16, Value) {
    let r = c.get(&format!("/api/3/action/{name}?{query}")).await;
    let s = r.status().as_u16();
    (s, r.json().await.unwrap())
}

async fn post_action(c: &Client, name: &str, body: Value) -> (u16, Value) {
    c.json(Method::POST, &format!("/api/3/action/{name}"), body).await
}

fn names(results: &Value) -> Vec<String> {
    results.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn ckan_envelope_errors_search_and_paging() {
    let server = Server::start().await;
    let c = server.client();
    let (s, status) = action(&c, "status_show", "").await;
    assert_eq!(s, 200);
    assert_eq!(status["success"], true);
    let help = status["help"].as_str().unwrap();
    assert!(help.contains("/api/3/action/help_show?name=status_show"));
    let h: Value = c.http.get(help).send().await.unwrap().json().await.unwrap();
    assert_eq!(h["success"], true, "{h}");
    let (_, list) = action(&c, "package_list", "").await;
    let all: Vec<String> = list["result"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    for want in
        ["fault-reports", "sensor-devices", "air-quality", "weather", "participatory-budget-results", "proposals", "questions", "crisis-alerts"]
    {
        assert!(all.contains(&want.to_string()), "{want} in {all:?}");
    }
    // Partner datasets are not in the public list.
    assert!(!all.contains(&"traffic-counts".to_string()));

    // package_show by name and by id, with the record harvesters import.
    let (s, by_name) = action(&c, "package_show", "id=air-quality").await;
    assert_eq!(s, 200, "{by_name}");
    let pkg = &by_name["result"];
    let (_, by_id) = action(&c, "package_show", &format!("id={}", pkg["id"].as_str().unwrap())).await;
    assert_eq!(by_id["result"]["name"], "air-quality");
    assert_eq!(pkg["organization"]["name"], "oddelek-za-gospodarske-dejavnosti-in-promet");
    assert_eq!(pkg["license_id"], "CC-BY-4.0");
    let formats: BTreeSet<&str> = pkg["resources"].as_array().unwrap().iter().map(|r| r["format"].as_str().unwrap()).collect();
    assert!(formats.is_superset(&["CSV", "JSON", "GeoJSON", "API"].into()), "{formats:?}");
    let extra = |key: &str| pkg["extras"].as_array().unwrap().iter().find(|e| e["key"] == key).map(|e| e["value"].as_str().unwrap().to_string());
    assert_eq!(extra("hvd_category").as_deref(), Some("http://data.europa.eu/bna/c_dd313021"));
    assert_eq!(extra("frequency").as_deref(), Some("http://publications.europa.eu/resource/authority/frequency/UPDATE_CONT"));
    assert!(!pkg["groups"].as_array().unwrap().is_empty() && !pkg["tags"].as_array().unwrap().is_empty());

    // Errors: CKAN's types and statuses.
    let (s, e) = action(&c, "package_show", "id=no-such-dataset").await;
    assert_eq!((s, e["success"].clone(), e["error"]["__type"].clone()), (404, json!(false), json!("Not Found Error")), "{e}");
    let (s, e) = action(&c, "package_show", "").await;
    assert_eq!((s, e["error"]["__type"].clone()), (409, json!("Validation Error")), "{e}");
    assert_eq!(e["error"]["id"], json!(["Missing value"]));
    let (s, e) = action(&c, "package_search", "fq=metadata_modified:%5Byesterday%20TO%20*%5D").await;
    assert_eq!((s, e["error"]["__type"].clone()), (409, json!("Search Query Error")), "{e}");
    let (s, e) = action(&c, "package_search", "rows=many").await;
    assert_eq!((s, e["error"]["__type"].clone()), (409, json!("Validation Error")), "{e}");
    let (s, e) = action(&c, "package_create", "").await;
    assert_eq!((s, e["success"].clone()), (404, json!(false)), "{e}");
    assert!(e["error"]["message"].is_string());

    // package_search: count is the total; every result is a full record.
    let (_, first) = action(&c, "package_search", "rows=3&sort=metadata_modified%20desc").await;
    let count = first["result"]["count"].as_u64().unwrap() as usize;
    assert_eq!(count, all.len());
    assert_eq!(first["result"]["results"].as_array().unwrap().len(), 3);
    assert!(first["result"]["results"][0]["resources"].is_array() && first["result"]["results"][0]["extras"].is_array());
    // The harvester's sequence: since a date, newest first, pages until a short one.
    let since = "2020-01-01T00:00:00.000000Z";
    let mut seen = vec![];
    let mut start = 0;
    loop {
        let q = format!("fq=metadata_modified:%5B{since}%20TO%20*%5D&sort=metadata_modified%20desc&rows=2&start={start}");
        let (s, page) = action(&c, "package_search", &q).await;
        assert_eq!(s, 200, "{page}");
        assert_eq!(page["result"]["count"].as_u64().unwrap() as usize, count);
        let got = names(&page["result"]["results"]);
        seen.extend(got.clone());
        if got.len() < 2 {
            break;
        }
        start += 2;
    }
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len()), (count, count), "every dataset once: {seen:?}");
    // Nothing is modified in the future; an organisation filter; OR.
    let (_, none) = action(&c, "package_search", "fq=metadata_modified:%5BNOW%2B1DAY%20TO%20*%5D").await;
    assert_eq!(none["result"]["count"], 0);
    let (_, org) = action(&c, "package_search", "fq=organization:kabinet-zupana&rows=1000").await;
    let org_names = names(&org["result"]["results"]);
    assert!(org_names.contains(&"proposals".to_string()) && !org_names.contains(&"air-quality".to_string()), "{org_names:?}");
    let (_, either) = action(&c, "package_search", "fq=organization:kabinet-zupana%20OR%20groups:envi").await;
    assert!(either["result"]["count"].as_u64().unwrap() as usize > org_names.len());
    // The same by POST with a JSON body, with facets.
    let (s, posted) =
        post_action(&c, "package_search", json!({"fq": "organization:kabinet-zupana", "rows": 1000, "facet.field": ["res_format", "groups"]})).await;
    assert_eq!(s, 200, "{posted}");
    assert_eq!(names(&posted["result"]["results"]), org_names);
    assert_eq!(posted["result"]["facets"]["groups"]["gove"].as_u64().unwrap() as usize, org_names.len(), "{}", posted["result"]["facets"]);
    let (s, shown) = post_action(&c, "package_show", json!({"id": "weather"})).await;
    assert_eq!((s, shown["result"]["name"].clone()), (200, json!("weather")));
    // rows above the limit are cut to it, as CKAN does.
    let (s, big) = action(&c, "package_search", "rows=5000").await;
    assert_eq!((s, big["result"]["results"].as_array().unwrap().len()), (200, count));

    // Organisations, groups, resources, the DataStore.
    let (_, orgs) = action(&c, "organization_list", "").await;
    assert!(orgs["result"].as_array().unwrap().contains(&json!("kabinet-zupana")));
    let (s, o) = action(&c, "organization_show", "id=kabinet-zupana&include_datasets=true").await;
    assert_eq!(s, 200);
    assert_eq!(o["result"]["packages"].as_array().unwrap().len(), org_names.len());
    let (_, groups) = action(&c, "group_list", "all_fields=true").await;
    assert!(groups["result"].as_array().unwrap().iter().any(|g| g["name"] == "envi"));
    let (s, _) = action(&c, "group_show", "id=envi").await;
    assert_eq!(s, 200);
    let (_, budget) = action(&c, "package_show", "id=participatory-budget-results").await;
    let csv = budget["result"]["resources"].as_array().unwrap().iter().find(|r| r["format"] == "CSV").unwrap().clone();
    let (s, r) = action(&c, "resource_show", &format!("id={}", csv["id"].as_str().unwrap())).await;
    assert_eq!((s, r["result"]["url"].clone()), (200, csv["url"].clone()));
    let (s, ds) = action(&c, "datastore_search", &format!("resource_id={}&limit=2", csv["id"].as_str().unwrap())).await;
    assert_eq!(s, 200, "{ds}");
    assert!(ds["result"]["total"].as_u64().unwrap() > 2);
    assert_eq!(ds["result"]["records"].as_array().unwrap().len(), 2);
    let fields: Vec<&str> = ds["result"]["fields"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert!(fields.contains(&"title") && !fields.contains(&"submitted_by"), "{fields:?}");
    let (s, e) = action(&c, "datastore_search", "resource_id=nope").await;
    assert_eq!((s, e["error"]["__type"].clone()), (404, json!("Not Found Error")));

    // ckanapi's address (without the version) answers too.
    let (s, _) = c.get_text("/api/action/package_list").await;
    assert_eq!(s, 200);
    // DCAT-AP: the catalogue and one dataset.
    let (s, ttl) = c.get_text("/catalog.ttl").await;
    assert_eq!(s, 200);
    assert!(ttl.contains("dcat:Catalog") && ttl.contains("/dataset/air-quality") && ttl.contains("hvdCategory"), "{}", &ttl[..ttl.len().min(2000)]);
    for path in ["/catalog.jsonld", "/catalog.rdf", "/dataset/weather.ttl", "/dataset/weather.jsonld", "/catalog.ttl?modified_since=2020-01-01"] {
        let (s, body) = c.get_text(path).await;
        assert_eq!(s, 200, "{path}: {body}");
    }
    let (s, _) = c.get_text("/catalog.ttl?page=99").await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn no_open_distribution_holds_a_personal_field() {
    let server = Server::start().await;
    let citizen = server.client();
    let email = unique_email("zofka.osebna");
    citizen.citizen(&server, &email).await;
    // A signed-in citizen reports with a name and phone; a visitor too.
    let name = "Zofka Osebnapodatkovna";
    let phone = "041 987 654";
    let visitor_email = unique_email("visitor.osebni");
    for (c, mail) in [(&citizen, email.as_str()), (&server.client(), visitor_email.as_str())] {
        let body = json!({"category": "pothole", "description": "Luknja za test osebnih podatkov", "lat": 46.4201, "lon": 15.8702, "email": mail, "name": name, "phone": phone});
        let (s, r) = c.json(Method::POST, "/api/v1/reports", body).await;
        assert_eq!(s, 201, "{r}");
    }
    let mut secrets: Vec<String> = vec![email.clone(), visitor_email, name.into(), phone.into(), "041987654".into()];
    // The demo's reporters, and every account id the data points at.
    secrets.extend(["ana.demo@example.si", "marko.demo@example.si", "petra.demo@example.si"].map(String::from));
    for sql in [
        "SELECT account_id FROM reports WHERE account_id IS NOT NULL",
        "SELECT submitted_by FROM budget_projects WHERE submitted_by IS NOT NULL",
        "SELECT author_id FROM participation_proposals WHERE author_id IS NOT NULL",
        "SELECT author_id FROM participation_questions WHERE author_id IS NOT NULL",
        "SELECT created_by FROM alerts_messages WHERE created_by IS NOT NULL",
    ] {
        secrets.extend(server.query_strings(sql).await);
    }
    assert!(secrets.len() > 6, "the test has account ids to look for: {secrets:?}");
    let c = server.client();
    let (_, search) = action(&c, "package_search", "rows=1000").await;
    let packages = search["result"]["results"].as_array().unwrap().clone();
    assert!(packages.len() >= 8);
    let mut checked = 0;
    for p in &packages {
        for r in p["resources"].as_array().unwrap() {
            // Every distribution generated from rows (streamed ones too, which the DataStore does not serve).
            let url = r["url"].as_str().unwrap();
            if r["resource_type"] != "file" || !url.contains("/data/") || !["CSV", "JSON", "GeoJSON"].contains(&r["format"].as_str().unwrap()) {
                continue;
            }
            let resp = c.http.get(url).send().await.unwrap();
            assert_eq!(resp.status(), 200, "{url}");
            let body = resp.text().await.unwrap();
            for s in &secrets {
                assert!(!body.contains(s.as_str()), "{url} holds the personal value {s:?}");
            }
            let columns: Vec<String> = match r["format"].as_str().unwrap() {
                "CSV" => body.lines().next().unwrap_or_default().split(',').map(str::to_string).collect(),
                "JSON" => serde_json::from_str::<Value>(&body)
                    .unwrap()
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|o| o.as_object().unwrap().keys().cloned())
                    .collect(),
                _ => serde_json::from_str::<Value>(&body).unwrap()["features"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|f| f["properties"].as_object().unwrap().keys().cloned())
                    .collect(),
            };
            for col in &columns {
                assert!(!PERSONAL_COLUMNS.contains(&col.as_str()), "{url} has the personal column {col}");
            }
            checked += 1;
        }
        let (s, schema) = c.get_text(&format!("/data/{}.schema.json", p["name"].as_str().unwrap())).await;
        if s == 200 {
            for col in PERSONAL_COLUMNS {
                assert!(!schema.contains(&format!("\"{col}\"")), "schema of {} names {col}", p["name"]);
            }
        }
    }
    assert!(checked >= 18, "CSV, JSON (and GeoJSON) of every open dataset: {checked}");
    // The reports really are there, without their reporters.
    let (_, csv) = c.get_text("/data/fault-reports.csv").await;
    assert!(csv.contains("Luknja za test osebnih podatkov"), "{csv}");
    // And the DCAT-AP and CKAN metadata do not carry them either.
    let (_, ttl) = c.get_text("/catalog.ttl").await;
    let (_, ckan) = c.get_text("/api/3/action/package_search?rows=1000").await;
    for s in &secrets {
        assert!(!ttl.contains(s.as_str()) && !ckan.contains(s.as_str()), "metadata holds {s:?}");
    }
}

#[tokio::test]
async fn staff_decide_access_and_describe_data_kept_elsewhere() {
    let server = Server::start().await;
    // A citizen is refused the staff catalogue; staff see it but may not change it.
    let citizen = server.client();
    citizen.citizen(&server, &unique_email("obcan")).await;
    let (s, _) = citizen.get_text("/staff/catalog").await;
    assert_eq!(s, 403);
    let staff = privileged(&server, "staff", &unique_email("referent")).await;
    enable_totp(&staff).await;
    let (s, html) = staff.get_text("/staff/catalog").await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("fault-reports") && html.contains("traffic-counts"), "internal and partner datasets are listed for staff");
    let r = staff.submit("/staff/catalog/questions", "/staff/catalog/questions", &[("access", "internal"), ("licence", "CC_BY_4_0")]).await;
    assert_eq!(r.status(), 403);
    let (s, _) = staff.get_text("/staff/catalog/new").await;
    assert_eq!(s, 403);

    // The DTO (data coordinator) decides: questions become internal.
    let dto = privileged(&server, "dto", &unique_email("dto")).await;
    enable_totp(&dto).await;
    let r = dto
        .submit(
            "/staff/catalog/questions",
            "/staff/catalog/questions",
            &[("access", "internal"), ("licence", "CC_BY_4_0"), ("consumers", "Kabinet župana")],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let c = server.client();
    let (_, list) = action(&c, "package_list", "").await;
    assert!(!list["result"].as_array().unwrap().contains(&json!("questions")));
    let (s, _) = action(&c, "package_show", "id=questions").await;
    assert_eq!(s, 404);
    for path in ["/data/questions.csv", "/data/questions.json", "/data/questions", "/dataset/questions.ttl"] {
        let (s, _) = c.get_text(path).await;
        assert_eq!(s, 404, "{path}");
    }
    // A dataset kept elsewhere, open, with a download link; personal data may not be open.
    let fields = [
        ("name", "municipal-property"),
        ("title_sl", "Občinsko premoženje"),
        ("title_en", "Municipal property"),
        ("description_sl", "Nepremičnine v lasti občine."),
        ("owner", "Urad za premoženje"),
        ("theme", "GOVE"),
        ("frequency", "ANNUAL"),
        ("access", "open"),
        ("licence", "CC_BY_4_0"),
        ("keywords", "premoženje, nepremičnine"),
        ("derived_from", "fault-reports"),
        ("files", "Seznam nepremičnin | https://www.ptuj.si/premozenje.xlsx | xlsx"),
    ];
    let mut personal = fields.to_vec();
    personal.push(("personal_data", "on"));
    let r = dto.submit("/staff/catalog/new", "/staff/catalog/new", &personal).await;
    assert_eq!(r.status(), 200, "the form comes back with its error");
    let r = dto.submit("/staff/catalog/new", "/staff/catalog/new", &fields).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let (s, pkg) = action(&c, "package_show", "id=municipal-property").await;
    assert_eq!(s, 200, "{pkg}");
    assert_eq!(pkg["result"]["resources"][0]["format"], "XLSX");
    assert_eq!(pkg["result"]["organization"]["name"], "urad-za-premozenje");
    // Lineage both ways: fault reports feed the property register.
    let (_, page) = c.get_text("/data/fault-reports").await;
    assert!(page.contains("/data/municipal-property"), "fault-reports shows what it feeds");
    let (s, ttl) = c.get_text("/dataset/municipal-property.ttl").await;
    assert_eq!(s, 200);
    assert!(ttl.contains("file-type/XLSX") && ttl.contains("/dataset/fault-reports"), "{ttl}");
    // Every change is audited.
    let n = server.query_i64("SELECT COUNT(*) FROM audit_log WHERE action = 'catalog.save'").await;
    assert_eq!(n, vec![2]);
    // A partner's token sees partner datasets when it asks.
    let admin = privileged(&server, "admin", &unique_email("admin")).await;
    enable_totp(&admin).await;
    let token = integration_token(&admin, &["catalog:read"]).await;
    let r = c.http.get(format!("{}/api/3/action/package_search?include_private=true&rows=1000", c.base)).bearer_auth(&token).send().await.unwrap();
    let body: Value = r.json().await.unwrap();
    assert!(names(&body["result"]["results"]).contains(&"traffic-counts".to_string()), "{body}");
    let r = c.http.get(format!("{}/data/traffic-counts.csv", c.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let (s, _) = c.get_text("/data/traffic-counts.csv").await;
    assert_eq!(s, 404, "not for the public");
    // The portal lists and filters.
    let (s, html) = c.get_text("/data?theme=envi").await;
    assert_eq!(s, 200);
    assert!(html.contains("/data/air-quality") && !html.contains("/data/proposals\""), "{html}");
}

/// DCAT-AP pages: Hydra links from the first page to the last, every
/// dataset once; `modified_since` leaves out what did not change.
#[tokio::test]
async fn dcat_catalogue_pages_and_modified_since() {
    let server = Server::start_with_config("[catalog]\npage_size = 4\n").await;
    let c = server.client();
    let (_, list) = action(&c, "package_list", "").await;
    let total = list["result"].as_array().unwrap().len();
    let re = regex_lite::Regex::new(r"<([^>]+/dataset/([a-z0-9_-]+))> a dcat:Dataset").unwrap();
    let next = regex_lite::Regex::new(r"hydra:next <([^>]+)>").unwrap();
    let mut url = format!("{}/catalog.ttl", server.url);
    let mut seen = vec![];
    let mut pages = 0;
    loop {
        let r = c.http.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 200, "{url}");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/turtle"));
        let ttl = r.text().await.unwrap();
        seen.extend(re.captures_iter(&ttl).map(|m| m[2].to_string()));
        pages += 1;
        assert!(ttl.contains(&format!("hydra:totalItems {total}")) || ttl.contains(&format!("hydra:totalItems \"{total}\"")), "{ttl}");
        match next.captures(&ttl) {
            Some(m) => url = m[1].to_string(),
            None => break,
        }
        assert!(pages < 10);
    }
    assert_eq!(pages, total.div_ceil(4));
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len()), (total, total), "{seen:?}");
    // Nothing changed in the future; everything since long ago.
    let (s, ttl) = c.get_text("/catalog.ttl?modified_since=2999-01-01T00:00:00Z").await;
    assert_eq!(s, 200);
    assert!(!ttl.contains("a dcat:Dataset"), "{ttl}");
    let (s, _) = c.get_text("/catalog.ttl?modified_since=soon").await;
    assert_eq!(s, 400);
}

/// Lines of a CSV without quoted fields, split into cells.
fn csv_cells(body: &str) -> Vec<Vec<String>> {
    body.lines().map(|l| l.trim_end_matches('\r').split(',').map(str::to_string).collect()).collect()
}

#[tokio::test]
async fn sensor_history_streams_the_hourly_rollups_of_open_types_only() {
    let server = Server::start().await;
    let admin = privileged(&server, "admin", &unique_email("admin")).await;
    enable_totp(&admin).await;
    let token = integration_token(&admin, &["telemetry:write"]).await;
    let c = server.client();
    // Known readings: NO2 of an air station in two hours; a waste bin and a household water meter in the first (not public).
    let h = 1_795_593_600; // 2026-11-25T08:00:00Z
    let lines = format!(
        "ptuj-aq-1 NO2=10 {h}\nptuj-aq-1 NO2=30 {}\nptuj-aq-1 NO2=7.5 {}\nptuj-bin-001 fillingLevel=55 {h}\nptuj-wm-0001 flow=12 {h}\n",
        h + 600,
        h + 3600
    );
    let (_, report) = post_lines(&c, &token, &lines, "s").await;
    assert_eq!(report["accepted"], 5, "{report}");

    // An open dataset whose rows only stream: no DataStore behind it.
    let (s, pkg) = action(&c, "package_show", "id=sensor-history").await;
    assert_eq!(s, 200, "{pkg}");
    let csv_resource = pkg["result"]["resources"].as_array().unwrap().iter().find(|r| r["format"] == "CSV").unwrap().clone();
    assert_eq!(csv_resource["datastore_active"], false, "{csv_resource}");
    let (s, _) = action(&c, "datastore_search", &format!("resource_id={}", csv_resource["id"].as_str().unwrap())).await;
    assert_eq!(s, 404);

    let resp = c.get("/data/sensor-history.csv").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    let body = resp.text().await.unwrap();
    let cells = csv_cells(&body);
    // The header is the Table Schema's fields, in order.
    let (_, schema) = c.get_text("/data/sensor-history.schema.json").await;
    let schema: Value = serde_json::from_str(&schema).unwrap();
    let fields: Vec<String> = schema["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(cells[0], fields);
    assert_eq!(fields, ["time", "device", "type", "quantity", "unit", "min", "max", "mean", "count"]);
    let at = |name: &str| fields.iter().position(|f| f == name).unwrap();
    let mine: Vec<(String, f64, f64, f64, i64)> = cells[1..]
        .iter()
        .filter(|r| r[at("device")] == "ptuj-aq-1" && r[at("quantity")] == "NO2")
        .map(|r| {
            let n = |c: &str| r[at(c)].parse::<f64>().unwrap();
            (r[at("time")].clone(), n("min"), n("max"), n("mean"), r[at("count")].parse().unwrap())
        })
        .collect();
    assert_eq!(mine, [("2026-11-25T08:00:00Z".to_string(), 10.0, 30.0, 20.0, 2), ("2026-11-25T09:00:00Z".to_string(), 7.5, 7.5, 7.5, 1)]);
    let row = cells[1..].iter().find(|r| r[at("device")] == "ptuj-aq-1").unwrap();
    assert_eq!((row[at("type")].as_str(), row[at("unit")].as_str()), ("AirQualityObserved", "GQ"));
    // Types the public may not see never appear, in any format.
    for path in ["/data/sensor-history.csv", "/data/sensor-history.json"] {
        let (s, text) = c.get_text(path).await;
        assert_eq!(s, 200);
        for hidden in ["ptuj-bin-", "ptuj-wm-", "WasteContainer", "WaterConsumptionObserved", "Streetlight"] {
            assert!(!text.contains(hidden), "{path} holds {hidden}");
        }
    }
    let (_, json) = c.get_text("/data/sensor-history.json").await;
    let json: Vec<Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(json.len(), cells.len() - 1, "JSON and CSV stream the same rows");
}

/// The portal shows 50 results a page, with links to the neighbouring
/// pages that keep the search; a page out of range is the nearest one.
#[tokio::test]
async fn the_portal_pages_its_results() {
    let server = Server::start().await;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let rows: Vec<String> = (1..=60)
        .map(|i| {
            let meta = json!({"title_sl": format!("Zbirka za straniranje {i:02}"), "title_en": format!("Paging dataset {i:02}"), "description_sl": "Opis",
                "description_en": "Description", "theme": "GOVE", "keywords": ["straniranje"], "owner": "Urad za okolje", "contact_email": "podatki@ptuj.si",
                "frequency": "ANNUAL", "access": "open", "licence": "CC_BY_4_0", "files": []});
            format!("('paging-{i:02}', 'staff', '{meta}', {now}, {now}, NULL, 0)")
        })
        .collect();
    server
        .sql(&format!("INSERT INTO catalog_datasets (name, kind, meta, created_at, updated_at, updated_by, demo) VALUES {}", rows.join(", ")))
        .await;
    let c = server.client();
    let cards = |html: &str| html.matches("<article class=\"card\">").count();
    let (s, first) = c.get_text("/data?q=straniranje").await;
    assert_eq!(s, 200);
    assert_eq!(cards(&first), 50, "one page of 50");
    assert!(first.contains("/data/paging-01") && !first.contains("/data/paging-51"), "in title order");
    assert!(first.contains("href=\"/data?q=straniranje&#38;page=2\" rel=\"next\""), "{first}");
    assert!(!first.contains("rel=\"prev\""));
    let (_, second) = c.get_text("/data?q=straniranje&page=2").await;
    assert_eq!(cards(&second), 10);
    assert!(second.contains("/data/paging-60") && second.contains("href=\"/data?q=straniranje\" rel=\"prev\"") && !second.contains("rel=\"next\""));
    let (s, beyond) = c.get_text("/data?q=straniranje&page=99").await;
    assert_eq!((s, cards(&beyond)), (200, 10), "the last page");
    let (s, junk) = c.get_text("/data?q=straniranje&page=abc").await;
    assert_eq!((s, cards(&junk)), (200, 50), "the first page");
    let r = c.http.get(format!("{}/data?q=straniranje&page=2", c.base)).header("accept-language", "en").send().await.unwrap();
    assert!(r.text().await.unwrap().contains("Page 2 of 2"));
}
