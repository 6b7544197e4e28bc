//! The tourist guide on the demo places of Ptuj: a sight that opens later
//! is visited after the others, one closed that day is left out with the
//! reason `closed`; the German pages are German; bad parameters are
//! refused with the field named, on the page and in the API.

use crate::harness::{Client, Server};
use reqwest::Method;
use serde_json::{Value, json};

// 2027-06-14 is a Monday (the City Tower is closed), 2027-06-15 a Tuesday.
const TUESDAY: &str = "date=2027-06-15&start=09:00&hours=3";
const MONDAY: &str = "date=2027-06-14&start=09:00&hours=3";

async fn route(c: &Client, query: &str) -> (u16, Value) {
    c.json(Method::GET, &format!("/api/v1/guide/route?{query}"), json!(null)).await
}

fn ids(v: &Value, key: &str) -> Vec<String> {
    v[key].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_string()).collect()
}

async fn german(c: &Client, path: &str) -> (u16, String) {
    let r = c.http.get(format!("{}{path}", c.base)).header("accept-language", "de").send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn a_route_waits_for_what_opens_later_and_leaves_out_what_is_closed() {
    let server = Server::start().await;
    let visitor = server.client();

    // The tower opens at ten, the museum at nine: the museum first.
    let (s, v) = route(&visitor, &format!("sight=sight-stolp&sight=sight-muzej-grad&{TUESDAY}")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(ids(&v, "stops"), ["sight-muzej-grad", "sight-stolp"], "{v}");
    let stops = v["stops"].as_array().unwrap();
    assert_eq!(stops[0]["order"], 1);
    assert!(stops[1]["start"].as_str().unwrap() >= "10:00", "{v}");
    assert!(stops[0]["walk_m"].as_u64().unwrap() > 100 && stops[0]["walk_min"].as_u64().unwrap() >= 2, "{v}");
    assert_eq!(v["optimal"], true);
    assert!(v["skipped"].as_array().unwrap().is_empty());
    let back = v["back"].as_str().unwrap();
    assert!(back > stops[1]["leave"].as_str().unwrap() && back <= "12:00", "{v}");
    let walked: u64 = stops.iter().map(|s| s["walk_m"].as_u64().unwrap()).sum::<u64>() + v["last_walk_m"].as_u64().unwrap();
    assert_eq!(v["walk_m"].as_u64().unwrap(), walked);

    // On Monday the tower is closed: left out, the reason said.
    let (s, v) = route(&visitor, &format!("sight=sight-stolp&sight=sight-muzej-grad&sight=heritage-orfej&{MONDAY}")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["skipped"], json!([{"id": "sight-stolp", "name": "Mestni stolp – razgledna točka", "why": "closed"}]), "{v}");
    let mut visited = ids(&v, "stops");
    visited.sort();
    assert_eq!(visited, ["heritage-orfej", "sight-muzej-grad"]);

    // Too little time: left out for time, not because it is closed.
    let (_, v) = route(&visitor, "sight=sight-muzej-grad&date=2027-06-15&start=09:00&hours=0.5").await;
    assert_eq!(v["skipped"][0]["why"], "no_time", "{v}");

    // The page: stops in order, what was left out and why, the map's data.
    let (s, html) = visitor.get_text(&format!("/guide/route?sight=sight-stolp&sight=sight-muzej-grad&sight=heritage-orfej&{MONDAY}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("data-guide-map") && html.contains("/static/guide.js"), "the route on the map");
    assert!(html.contains("takrat zaprto"), "the reason, in Slovenian by default");
    assert_eq!(html.matches("data-stop=").count(), 2);
}

#[tokio::test]
async fn the_german_guide_is_german_and_the_kiosk_has_no_sign_in() {
    let server = Server::start().await;
    let visitor = server.client();
    let (s, html) = german(&visitor, "/guide").await;
    assert_eq!(s, 200);
    assert!(html.contains("<html lang=\"de\">"), "German page");
    for text in ["Besucherführer", "Sehenswürdigkeiten", "Route erstellen", "Regionalmuseum auf der Burg Ptuj", "Unterkünfte", "Essen und Trinken"]
    {
        assert!(html.contains(text), "{text}");
    }
    assert!(html.contains("name=\"sight\" value=\"sight-muzej-grad\""), "sights to tick");
    assert!(html.contains("8,00 €"), "prices in German style");
    assert!(html.contains("Audioführer"), "the audio link");

    // Filters: wine leaves the museum out and keeps the wine cellar.
    let (_, html) = german(&visitor, "/guide?interest=wine").await;
    assert!(html.contains("Weinkeller Ptuj") && !html.contains("Regionalmuseum auf der Burg Ptuj"));
    let (_, html) = german(&visitor, "/guide?budget=free&access=yes").await;
    assert!(!html.contains("value=\"sight-muzej-grad\""), "not free, limited access");

    let (s, html) = german(&visitor, "/guide/route?sight=sight-stolp&sight=sight-muzej-grad&date=2027-06-14&start=09:00&hours=3").await;
    assert_eq!(s, 200);
    assert!(html.contains("Ihr Rundgang") && html.contains("zu dieser Zeit geschlossen"), "German route page");

    let (s, html) = german(&visitor, "/guide/kiosk").await;
    assert_eq!(s, 200);
    assert!(html.contains("data-kiosk") && html.contains("Neu beginnen"));
    assert!(!html.contains("/login") && !html.contains("/register") && !html.contains("https://"), "no sign-in, no outbound links");
    let (_, html) = german(&visitor, "/guide/route?kiosk=1&sight=sight-muzej-grad&date=2027-06-15&start=09:00&hours=3").await;
    assert!(html.contains("data-kiosk") && !html.contains("/login"), "the kiosk's route");
}

#[tokio::test]
async fn bad_parameters_are_refused_with_the_field() {
    let server = Server::start().await;
    let visitor = server.client();
    let field = |v: &Value| {
        v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["field"].as_str().unwrap().to_string(), e["code"].as_str().unwrap().to_string()))
            .collect::<Vec<_>>()
    };

    let (s, v) = route(&visitor, &format!("sight=nope&{TUESDAY}")).await;
    assert_eq!((s, field(&v)), (422, vec![("sight".into(), "guide_sight_unknown".into())]), "{v}");
    // An AED is a place, but not a sight.
    let (s, _) = route(&visitor, &format!("sight=aed-mestna-hisa&{TUESDAY}")).await;
    assert_eq!(s, 422);
    let (s, v) = route(&visitor, "sight=sight-stolp&start=25:61").await;
    assert_eq!((s, field(&v)), (422, vec![("start".into(), "guide_time_invalid".into())]), "{v}");
    let (s, v) = route(&visitor, "sight=sight-stolp&date=2027-13-01&hours=99&pace=run").await;
    assert_eq!(s, 422);
    assert_eq!(field(&v).len(), 3, "{v}");
    let (s, v) = route(&visitor, TUESDAY).await;
    assert_eq!((s, field(&v)), (422, vec![("sight".into(), "guide_sights_required".into())]));
    let many: String = (0..17).map(|i| format!("sight=s{i}&")).collect();
    let (s, v) = route(&visitor, &many).await;
    assert_eq!((s, field(&v)), (422, vec![("sight".into(), "guide_too_many_sights".into())]));

    let r = visitor.get(&format!("/api/v1/guide/route?sight=nope&{TUESDAY}")).await;
    assert_eq!(r.headers()["content-type"], "application/problem+json");

    // The page says it in words, next to the choice, with 422.
    let (s, html) = german(&visitor, "/guide/route?sight=sight-stolp&start=25:00").await;
    assert_eq!(s, 422);
    assert!(html.contains("Geben Sie die Uhrzeit als HH:MM ein"), "{html}");
    assert!(html.contains("value=\"sight-stolp\" checked"), "the choice is kept");
    let (s, html) = german(&visitor, &format!("/guide/route?{many}")).await;
    assert_eq!(s, 422);
    assert!(html.contains("höchstens 16 Sehenswürdigkeiten"), "the limit named");
}

/// A point of a route problem: id, (lat, lon), score, visit minutes, opens, closes (seconds of the day).
type Target = (String, (f64, f64), u32, u32, u32, u32);

/// `obcina route solve` on seeded random instances of up to 8 points: its
/// score equals the optimum of trying every order under the documented
/// travel model (docs/guide.md).
#[test]
fn the_route_command_finds_the_optimum_of_an_exhaustive_search() {
    fn haversine(a: (f64, f64), b: (f64, f64)) -> f64 {
        let (p1, p2) = (a.0.to_radians(), b.0.to_radians());
        let h = ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * ((b.1 - a.1).to_radians() / 2.0).sin().powi(2);
        2.0 * 6_371_008.8 * h.sqrt().asin()
    }
    let mut seed: u64 = 42;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let dir = tempfile::tempdir().unwrap();
    for case in 0..6 {
        let n = 4 + case % 5;
        let start = (46.4199, 15.8700);
        let pts: Vec<Target> = (0..n)
            .map(|i| {
                let at = (46.414 + next() * 0.012, 15.862 + next() * 0.018);
                let open = 9 * 3600 + (next() * 3.0 * 3600.0) as u32 / 60 * 60;
                let close = open + 3600 + (next() * 4.0 * 3600.0) as u32 / 60 * 60;
                (format!("p{i}"), at, 1 + (next() * 3.0) as u32, (10.0 + next() * 40.0) as u32, open, close)
            })
            .collect();
        let budget = 120 + (next() * 120.0) as u32;
        let hhmm = |s: u32| format!("{:02}:{:02}", s / 3600, s % 3600 / 60);
        let problem = json!({
            "start": {"lat": start.0, "lon": start.1}, "depart": "09:00", "budget_minutes": budget,
            "points": pts.iter().map(|p| json!({"id": p.0, "lat": p.1.0, "lon": p.1.1, "score": p.2, "visit_minutes": p.3, "open": hhmm(p.4), "close": hhmm(p.5)})).collect::<Vec<_>>(),
        });
        let file = dir.path().join(format!("case{case}.json"));
        std::fs::write(&file, problem.to_string()).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_obcina"))
            .args(["route", "solve", "--file", file.to_str().unwrap(), "--json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let got: Value = serde_json::from_slice(&out.stdout).unwrap();

        // Every order of every subset, with the documented model.
        let travel = |a: (f64, f64), b: (f64, f64)| (haversine(a, b) * 1.3 / 1.2).ceil() as u32;
        let (depart, deadline) = (9 * 3600, 9 * 3600 + budget * 60);
        let mut best = 0;
        let mut order: Vec<usize> = vec![];
        // The reference search spelled out, one argument per piece of state.
        #[allow(clippy::too_many_arguments)]
        fn go(
            pts: &[Target],
            order: &mut Vec<usize>,
            best: &mut u32,
            now: u32,
            at: (f64, f64),
            start: (f64, f64),
            deadline: u32,
            travel: &dyn Fn((f64, f64), (f64, f64)) -> u32,
        ) {
            if now + travel(at, start) <= deadline {
                *best = (*best).max(order.iter().map(|&i| pts[i].2).sum());
            }
            for i in 0..pts.len() {
                if order.contains(&i) {
                    continue;
                }
                let p = &pts[i];
                let begin = (now + travel(at, p.1)).max(p.4);
                let done = begin + p.3 * 60;
                if done <= p.5 && done <= deadline {
                    order.push(i);
                    go(pts, order, best, done, p.1, start, deadline, travel);
                    order.pop();
                }
            }
        }
        go(&pts, &mut order, &mut best, depart, start, start, deadline, &travel);
        assert_eq!(got["score"].as_u64(), Some(u64::from(best)), "case {case}: {got}");
        assert_eq!(got["optimal"], true);
    }
    // A file that is not a route problem is refused with the reason.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"start": {"lat": 46.4, "lon": 15.8}, "points": []}"#).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_obcina")).args(["route", "solve", "--file", bad.to_str().unwrap()]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("budget_minutes"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn the_map_layers_are_listed_each_with_the_url_of_its_geojson() {
    let server = Server::start().await;
    let (s, list) = server.client().json(Method::GET, "/api/v1/map/layers", json!(null)).await;
    assert_eq!(s, 200);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 11, "{list:?}");
    for layer in list {
        let url = layer["url"].as_str().unwrap();
        assert!(url.starts_with("http://127.0.0.1:"), "absolute: {url}");
        let r = reqwest::get(url).await.unwrap();
        assert_eq!(r.status(), 200, "{url}");
        let fc: Value = r.json().await.unwrap();
        assert_eq!(fc["type"], "FeatureCollection", "{url}");
    }
}

/// Another municipality sets where walks start (`[map.walk_start]`): the
/// route starts and ends there, and the first walk is measured from it.
#[tokio::test]
async fn walks_start_where_the_configuration_says() {
    let default = Server::start().await;
    let (_, from_tic) = route(&default.client(), &format!("sight=sight-muzej-grad&{TUESDAY}")).await;
    assert_eq!(from_tic["origin"]["name"], "TIC Ptuj, Slovenski trg 3", "{from_tic}");
    // About 1.3 km east of the centre, across the Drava.
    let server = Server::start_with_config("[map.walk_start]\nname = \"Postaja Ptuj\"\nlat = 46.4205\nlon = 15.8870\n").await;
    let visitor = server.client();
    let (s, v) = route(&visitor, &format!("sight=sight-muzej-grad&{TUESDAY}")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["origin"], json!({"name": "Postaja Ptuj", "lat": 46.4205, "lon": 15.8870}), "{v}");
    let first = |v: &Value| v["stops"][0]["walk_m"].as_u64().unwrap();
    assert!(first(&v) > first(&from_tic) + 500, "measured from the configured start: {} vs {}", first(&v), first(&from_tic));
    let (_, html) = visitor.get_text(&format!("/guide/route?sight=sight-muzej-grad&{TUESDAY}")).await;
    assert!(html.contains("Postaja Ptuj") && !html.contains("TIC Ptuj"), "the page names the start");
}
