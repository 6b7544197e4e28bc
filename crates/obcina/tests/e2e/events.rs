//! Events: submitted by an organiser, returned with a reason, resubmitted and
//! published by staff, then in the lists and the iCalendar feeds; the
//! refusals for visitors, citizens and staff without 2FA; the filters; the
//! live stream shown only while an event runs; following and the personal
//! feed at a secret address; the form with translated errors.

use crate::harness::{Client, Server, enable_totp, privileged, unique_email};
use reqwest::Method;
use serde_json::{Value, json};

async fn citizen(server: &Server, tag: &str) -> Client {
    let c = server.client();
    c.citizen(server, &unique_email(tag)).await;
    c
}

async fn reviewer(server: &Server) -> Client {
    let s = privileged(server, "staff", &unique_email("kultura")).await;
    enable_totp(&s).await;
    s
}

fn rfc3339(offset_minutes: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::minutes(offset_minutes)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn event(title: &str, genre: &str, starts_in_min: i64, minutes: i64) -> Value {
    json!({
        "title": {"sl": title, "en": format!("{title} (EN)"), "de": format!("{title} (DE)")},
        "description": {"sl": "Opis prireditve; z vejico, in podpičjem.", "en": "About the event."},
        "genre": genre,
        "audience": "all",
        "place": {"name": format!("Dvorana {title}"), "lat": 46.42, "lon": 15.87},
        "organiser": {"kind": "person", "name": "Društvo prijateljev Ptuja"},
        "accessibility": ["wheelchair"],
        "starts_at": rfc3339(starts_in_min),
        "ends_at": rfc3339(starts_in_min + minutes),
    })
}

/// Whether the list for this query holds each of two events.
async fn has(v: &Client, q: &str, a: &str, b: &str) -> (bool, bool) {
    let (s, list) = v.json(Method::GET, &format!("/api/v1/events?{q}"), json!(null)).await;
    assert_eq!(s, 200, "{q}: {list}");
    let ids = ids(&list);
    (ids.iter().any(|i| i == a), ids.iter().any(|i| i == b))
}

fn ids(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_string()).collect()
}

async fn submit(c: &Client, body: Value) -> String {
    let (s, e) = c.json(Method::POST, "/api/v1/events", body).await;
    assert_eq!(s, 201, "{e}");
    e["id"].as_str().unwrap().to_string()
}

async fn publish(staff: &Client, id: &str) {
    let (s, e) = staff.json(Method::POST, &format!("/api/v1/events/{id}/publish"), json!(null)).await;
    assert_eq!(s, 200, "{e}");
}

#[tokio::test]
async fn an_event_is_returned_resubmitted_published_and_reaches_the_feeds() {
    let server = Server::start().await;
    let visitor = server.client();
    let ana = citizen(&server, "ana").await;
    let body = event("Poletni koncert", "music", 60 * 24, 120);

    let (s, p) = visitor.json(Method::POST, "/api/v1/events", body.clone()).await;
    assert_eq!((s, p["code"].as_str()), (401, Some("not_signed_in")), "{p}");
    let mut bad = body.clone();
    bad["title"] = json!({"sl": " Koncert"});
    bad["ends_at"] = bad["starts_at"].clone();
    bad["price_cents"] = json!(-5);
    let (s, p) = ana.json(Method::POST, "/api/v1/events", bad).await;
    assert_eq!(s, 422, "{p}");
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["title.en", "title.sl", "price_cents", "ends_at"], "{p}");
    let mut legal = body.clone();
    legal["organiser"] = json!({"kind": "legal_entity", "name": "Zavod X"});
    let (s, p) = ana.json(Method::POST, "/api/v1/events", legal).await;
    assert_eq!((s, p["code"].as_str()), (403, Some("not_a_representative")), "{p}");

    let id = submit(&ana, body.clone()).await;
    let (_, e) = ana.json(Method::GET, &format!("/api/v1/events/{id}"), json!(null)).await;
    assert_eq!(e["status"], "submitted");

    // Not public before review.
    let (s, _) = visitor.json(Method::GET, &format!("/api/v1/events/{id}"), json!(null)).await;
    assert_eq!(s, 404);
    let (_, list) = visitor.json(Method::GET, "/api/v1/events?limit=500", json!(null)).await;
    assert!(!ids(&list).contains(&id));
    let (_, ics) = visitor.get_text("/events.ics").await;
    assert!(!ics.contains(&id));

    // Only staff with 2FA review.
    let (s, p) = ana.json(Method::POST, &format!("/api/v1/events/{id}/publish"), json!(null)).await;
    assert_eq!((s, p["code"].as_str()), (403, Some("missing_role")));
    let (s, _) = visitor.json(Method::POST, &format!("/api/v1/events/{id}/publish"), json!(null)).await;
    assert_eq!(s, 401);
    let (s, _) = ana.json(Method::GET, "/api/v1/events/review", json!(null)).await;
    assert_eq!(s, 403);
    let no2fa = privileged(&server, "staff", &unique_email("brez2fa")).await;
    let (s, p) = no2fa.json(Method::POST, &format!("/api/v1/events/{id}/publish"), json!(null)).await;
    assert_eq!((s, p["code"].as_str()), (403, Some("second_factor_required")));
    let staff = reviewer(&server).await;
    let (s, queue) = staff.json(Method::GET, "/api/v1/events/review", json!(null)).await;
    assert_eq!(s, 200);
    assert!(ids(&queue).contains(&id));

    // Returned with a reason; the organiser is told and sees it.
    let (s, p) = staff.json(Method::POST, &format!("/api/v1/events/{id}/return"), json!({"reason": " "})).await;
    assert_eq!(s, 422, "{p}");
    let (s, e) = staff.json(Method::POST, &format!("/api/v1/events/{id}/return"), json!({"reason": "Dodajte, prosim, italijanski naslov."})).await;
    assert_eq!((s, e["status"].as_str()), (200, Some("returned")), "{e}");
    let (s, _) = staff.json(Method::POST, &format!("/api/v1/events/{id}/publish"), json!(null)).await;
    assert_eq!(s, 409, "a returned event waits for the organiser");
    let (_, mine) = ana.json(Method::GET, "/api/v1/events/mine", json!(null)).await;
    assert_eq!(mine["items"][0]["reason"], "Dodajte, prosim, italijanski naslov.");
    let (_, inbox) = ana.json(Method::GET, "/api/v1/notify/inbox", json!(null)).await;
    let msg = inbox.as_array().unwrap().iter().find(|m| m["url"] == format!("/events/{id}")).unwrap_or_else(|| panic!("{inbox}"));
    assert!(msg["body"].as_str().unwrap().contains("italijanski naslov"), "{msg}");

    // Someone else cannot change it; its organiser resubmits.
    let bor = citizen(&server, "bor").await;
    let (s, _) = bor.json(Method::PUT, &format!("/api/v1/events/{id}"), body.clone()).await;
    assert_eq!(s, 404);
    let mut changed = body.clone();
    changed["title"]["it"] = json!("Concerto d'estate");
    let (s, e) = ana.json(Method::PUT, &format!("/api/v1/events/{id}"), changed).await;
    assert_eq!((s, e["status"].as_str()), (200, Some("resubmitted")), "{e}");
    assert_eq!(e["sequence"], 2);

    publish(&staff, &id).await;
    let (s, _) = ana.json(Method::PUT, &format!("/api/v1/events/{id}"), body.clone()).await;
    assert_eq!(s, 409);
    let (_, e) = visitor.json(Method::GET, &format!("/api/v1/events/{id}"), json!(null)).await;
    assert_eq!((e["status"].as_str(), e["reason"].as_str()), (Some("published"), None), "{e}");
    assert_eq!(e["title"]["it"], "Concerto d'estate");
    let (_, list) = visitor.json(Method::GET, "/api/v1/events?genre=music", json!(null)).await;
    assert!(ids(&list).contains(&id));
    let (_, inbox) = ana.json(Method::GET, "/api/v1/notify/inbox", json!(null)).await;
    assert!(inbox.as_array().unwrap().iter().any(|m| m["title"].as_str().unwrap().starts_with("Vaša prireditev je objavljena")), "{inbox}");

    // The feeds: all and per genre, with the event's URL; not in another genre's.
    for path in ["/events.ics", "/events/genre/music.ics"] {
        let r = visitor.get(path).await;
        assert_eq!(r.headers()["content-type"], "text/calendar; charset=utf-8");
        let ics = r.text().await.unwrap().replace("\r\n ", "");
        assert!(ics.contains(&format!("/events/{id}\r\n")), "{path}: {ics}");
        assert!(ics.contains("SUMMARY:Poletni koncert\r\n"));
        assert!(ics.contains("DESCRIPTION:Opis prireditve\\; z vejico\\, in podpičjem.\r\n"));
        assert!(ics.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Ljubljana"));
    }
    let (_, ics) = visitor.get_text("/events/genre/theatre.ics").await;
    assert!(!ics.contains(&id));
    let (_, ics) = visitor.get_text("/events.ics?lang=en").await;
    assert!(ics.replace("\r\n ", "").contains("SUMMARY:Poletni koncert (EN)\r\n"));
    let (s, _) = visitor.get_text("/events/genre/opera.ics").await;
    assert_eq!(s, 404);

    let n = server
        .query_i64("SELECT COUNT(*) FROM audit_log WHERE action IN ('events.submit', 'events.return', 'events.resubmit', 'events.publish')")
        .await;
    assert_eq!(n, vec![4]);
}

#[tokio::test]
async fn filters_and_the_live_stream_window() {
    let server = Server::start().await;
    let ana = citizen(&server, "ana").await;
    let staff = reviewer(&server).await;
    let visitor = server.client();

    let mut live = event("Koncert zdaj", "music", -10, 120);
    live["stream_url"] = json!("https://stream.example.si/zdaj");
    live["audience"] = json!("youth");
    let live = submit(&ana, live).await;
    let mut later = event("Predstava kasneje", "theatre", 60 * 24 * 3, 90);
    later["stream_url"] = json!("https://stream.example.si/kasneje");
    later["price_cents"] = json!(1500);
    later["accessibility"] = json!(["hearing_loop", "wheelchair"]);
    let later = submit(&ana, later).await;
    publish(&staff, &live).await;
    publish(&staff, &later).await;

    // The stream only while the event runs.
    let (_, e) = visitor.json(Method::GET, &format!("/api/v1/events/{live}"), json!(null)).await;
    assert_eq!((e["live"].as_bool(), e["stream_url"].as_str()), (Some(true), Some("https://stream.example.si/zdaj")), "{e}");
    let (_, e) = visitor.json(Method::GET, &format!("/api/v1/events/{later}"), json!(null)).await;
    assert_eq!((e["live"].as_bool(), e["stream_url"].as_str()), (Some(false), None), "{e}");
    let (_, html) = visitor.get_text(&format!("/events/{live}")).await;
    assert!(html.contains("https://stream.example.si/zdaj"));
    let (_, html) = visitor.get_text(&format!("/events/{later}")).await;
    assert!(!html.contains("https://stream.example.si/kasneje"));
    let (_, html) = visitor.get_text("/events").await;
    let now_part = &html[html.find("now-heading").unwrap()..html.find("next-heading").unwrap()];
    assert!(now_part.contains("Koncert zdaj") && !now_part.contains("Predstava kasneje"), "{now_part}");
    let (_, ics) = visitor.get_text("/events.ics").await;
    assert!(!ics.contains("stream.example.si/zdaj"), "no stream link in the feed");

    // Filters (the demo events are there too).
    let find = |q: &'static str| has(&visitor, q, &live, &later);
    assert_eq!(find("genre=music").await, (true, false));
    assert_eq!(find("free=true").await, (true, false));
    assert_eq!(find("free=false").await, (false, true));
    assert_eq!(find("audience=youth").await, (true, false));
    assert_eq!(find("access=hearing_loop").await, (false, true));
    assert_eq!(find("access=wheelchair").await, (true, true));
    let (_, e) = visitor.json(Method::GET, &format!("/api/v1/events/{live}"), json!(null)).await;
    let place = e["place"]["id"].as_str().unwrap().to_string();
    let (_, list) = visitor.json(Method::GET, &format!("/api/v1/events?place={place}"), json!(null)).await;
    assert_eq!(ids(&list), vec![live.clone()]);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let (_, list) = visitor.json(Method::GET, &format!("/api/v1/events?to={today}&genre=theatre"), json!(null)).await;
    assert!(!ids(&list).contains(&later), "ends before the theatre starts");
    let (_, html) = visitor.get_text("/events?genre=theatre&free=false&access_hearing_loop=hearing_loop").await;
    let listed = &html[html.find("now-heading").unwrap()..];
    assert!(listed.contains(">Predstava kasneje<") && !listed.contains(">Koncert zdaj<"), "{listed}");
    let r = visitor.get("/api/v1/events?access=stairs").await;
    assert_eq!((r.status().as_u16(), r.headers()["content-type"].to_str().unwrap()), (400, "application/problem+json"));
    let r = visitor.get("/api/v1/events?colour=red").await;
    assert_eq!(r.status().as_u16(), 400);
    let (s, html) = visitor.get_text("/events?genre=opera").await;
    assert_eq!(s, 400);
    assert!(html.contains("<html"), "a translated error page, not JSON");

    // When it ends, it is gone from the lists and its stream with it.
    server.sql(&format!("UPDATE events SET ends_at = starts_at + 60000 WHERE id = '{live}'")).await;
    let (_, e) = visitor.json(Method::GET, &format!("/api/v1/events/{live}"), json!(null)).await;
    assert_eq!((e["live"].as_bool(), e["stream_url"].as_str()), (Some(false), None), "{e}");
    assert_eq!(find("genre=music").await, (false, false));

    // The month calendar shows the later event on its day.
    let month = (chrono::Utc::now() + chrono::Duration::days(3)).format("%Y-%m").to_string();
    let (s, html) = visitor.get_text(&format!("/events/calendar?month={month}")).await;
    assert_eq!(s, 200);
    assert!(html.contains(&format!("/events/{later}")));
    let (s, _) = visitor.get_text("/events/calendar?month=2026-13").await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn following_makes_a_personal_calendar_and_a_secret_feed() {
    let server = Server::start().await;
    let ana = citizen(&server, "ana").await;
    let staff = reviewer(&server).await;
    let visitor = server.client();
    let film = submit(&ana, event("Kino pod zvezdami", "film", 60 * 24, 120)).await;
    let sport = submit(&ana, event("Tek ob Dravi", "sport", 60 * 24 * 2, 120)).await;
    publish(&staff, &film).await;
    publish(&staff, &sport).await;

    let (s, _) = visitor.json(Method::PUT, "/api/v1/events/follows/genre/film", json!(null)).await;
    assert_eq!(s, 401);
    let (s, _) = ana.json(Method::PUT, "/api/v1/events/follows/colour/red", json!(null)).await;
    assert_eq!(s, 404);
    let (s, p) = ana.json(Method::PUT, "/api/v1/events/follows/place/nowhere", json!(null)).await;
    assert_eq!(s, 422, "{p}");
    let (s, _) = ana.json(Method::PUT, "/api/v1/events/follows/genre/film", json!(null)).await;
    assert_eq!(s, 204);
    let (_, follows) = ana.json(Method::GET, "/api/v1/events/follows", json!(null)).await;
    assert_eq!(follows, json!([{"kind": "genre", "target": "film"}]));

    let (s, personal) = ana.json(Method::GET, "/api/v1/events/personal", json!(null)).await;
    assert_eq!(s, 200, "{personal}");
    assert_eq!(ids(&personal), vec![film.clone()]);
    let feed_url = personal["feed_url"].as_str().unwrap().to_string();
    let feed_path = feed_url.trim_start_matches(&server.url).to_string();
    assert!(feed_path.starts_with("/events/feed/") && feed_path.ends_with(".ics"), "{feed_url}");

    // Calendar apps fetch it without signing in.
    let r = visitor.get(&feed_path).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["cache-control"].to_str().unwrap().starts_with("private"));
    let ics = r.text().await.unwrap();
    assert!(ics.contains(&film) && !ics.contains(&sport), "{ics}");
    let (s, _) = visitor.get_text("/events/feed/0000000000000000000000000000000000000000000000000000000000000000.ics").await;
    assert_eq!(s, 404);

    // Following the place too; the page lists both follows.
    let (_, e) = visitor.json(Method::GET, &format!("/api/v1/events/{sport}"), json!(null)).await;
    let place = e["place"]["id"].as_str().unwrap();
    let (s, _) = ana.json(Method::PUT, &format!("/api/v1/events/follows/place/{place}"), json!(null)).await;
    assert_eq!(s, 204);
    let (_, personal) = ana.json(Method::GET, "/api/v1/events/personal", json!(null)).await;
    assert_eq!(ids(&personal), vec![film.clone(), sport.clone()]);
    let (s, html) = ana.get_text("/account/events").await;
    assert_eq!(s, 200);
    assert!(html.contains("Tek ob Dravi") && html.contains(&feed_url));

    // A new address stops the old one; unfollowing takes events out.
    let r = ana.submit("/account/events", "/account/events/feed", &[]).await;
    assert_eq!(r.status(), 303);
    let (s, _) = visitor.get_text(&feed_path).await;
    assert_eq!(s, 404, "the old address no longer works");
    let (s, _) = ana.json(Method::DELETE, "/api/v1/events/follows/genre/film", json!(null)).await;
    assert_eq!(s, 204);
    let (_, personal) = ana.json(Method::GET, "/api/v1/events/personal", json!(null)).await;
    assert_eq!(ids(&personal), vec![sport]);
}

#[tokio::test]
async fn the_form_submits_and_shows_translated_errors() {
    let server = Server::start().await;
    let ana = citizen(&server, "ana").await;
    let (s, html) = server.client().get_text("/events/new").await;
    assert_eq!(s, 303, "sign in first: {html}");

    // In English, a missing English title and an end before the start.
    let r = ana.http.get(format!("{}/events/new", ana.base)).header("accept-language", "en").send().await.unwrap();
    let token = crate::harness::csrf_token(&r.text().await.unwrap());
    let form = [
        ("_csrf", token.as_str()),
        ("title.sl", "Delavnica lončarstva"),
        ("description.sl", "Za vse starosti."),
        ("description.en", "For all ages."),
        ("genre", "workshop"),
        ("audience", "children"),
        ("place.name", "Mestni trg"),
        ("place.lat", "46,4199"),
        ("place.lon", "15.87"),
        ("organiser_kind", "person"),
        ("organiser.name", "Ana"),
        ("starts_at", "2099-05-02T10:00"),
        ("ends_at", "2099-05-02T09:00"),
        ("price", "3,50"),
        ("access_wheelchair", "on"),
    ];
    let r = ana.http.post(format!("{}/events", ana.base)).header("accept-language", "en").form(&form).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("This field is required.") && html.contains("The end is before the start."), "{html}");
    assert!(html.contains("Delavnica lončarstva"), "the form keeps what was typed");

    let mut good = form.to_vec();
    good.push(("title.en", "Pottery workshop"));
    good.retain(|(k, _)| *k != "ends_at");
    good.push(("ends_at", "2099-05-02T12:00"));
    let r = ana.http.post(format!("{}/events", ana.base)).form(&good).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let id = to.trim_start_matches("/events/").split('?').next().unwrap().to_string();
    let (_, e) = ana.json(Method::GET, &format!("/api/v1/events/{id}"), json!(null)).await;
    assert_eq!(e["price_cents"], 350);
    assert_eq!(e["starts_at"], "2099-05-02T08:00:00Z", "local summer time");
    assert_eq!(e["accessibility"], json!(["wheelchair"]));
    assert_eq!(e["place"]["name"], "Mestni trg");

    // Staff publish from the page; German visitors read it in their language.
    let staff = reviewer(&server).await;
    let (s, html) = staff.get_text("/staff/events").await;
    assert_eq!(s, 200);
    assert!(html.contains("Delavnica lončarstva"));
    let r = staff.submit(&format!("/events/{id}"), &format!("/events/{id}/publish"), &[]).await;
    assert_eq!(r.status(), 303);
    let r = server.client().http.get(format!("{}/events/{id}", server.url)).header("accept-language", "de").send().await.unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("<html lang=\"de\"") && html.contains("Sparte"), "{html}");
    assert!(html.contains("lang=\"en\">Pottery workshop"), "an English title on a German page says so");
}
