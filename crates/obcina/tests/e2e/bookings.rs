//! Bookings: many concurrent requests for one slot let exactly one in (the
//! UNIQUE slot row decides, on SQLite and PostgreSQL); the rules refuse
//! (too soon, too long, off the grid, natural persons only, someone else's
//! company); confirmation in the inbox and as an iCalendar file; cancelling
//! within and after the deadline; staff block, see occupancy and approve;
//! citizens are refused the staff side.

use crate::harness::{Client, Server, enable_totp, privileged, privileged_in, unique_email};
use kernel::Timestamp;
use reqwest::Method;
use serde_json::{Value, json};

const ROOM: &str = "mestna-hisa-sejna-soba";
const HALL: &str = "narodni-dom-dvorana";
const YOUTH: &str = "mladinski-center-prostor";

/// The moment of `hour`:00 local time, `days` after today in Ljubljana, as RFC 3339.
fn at(days: i64, hour: u32) -> String {
    let today = Timestamp(chrono::Utc::now().timestamp_millis()).local().date();
    let local = (today + chrono::Duration::days(days)).and_hms_opt(hour, 0, 0).unwrap();
    Timestamp::from_local(local).unwrap().rfc3339()
}

fn local_date(days: i64) -> String {
    (Timestamp(chrono::Utc::now().timestamp_millis()).local().date() + chrono::Duration::days(days)).to_string()
}

fn booking(resource: &str, start: &str, end: &str) -> Value {
    json!({"resource_id": resource, "start": start, "end": end})
}

async fn citizen(server: &Server, tag: &str) -> Client {
    let c = server.client();
    c.citizen(server, &unique_email(tag)).await;
    c
}

async fn staff(server: &Server) -> Client {
    let s = privileged_in(server, "staff", &unique_email("najemi"), "Urad za splošne zadeve").await;
    enable_totp(&s).await;
    s
}

fn field_code(p: &Value) -> (String, String) {
    let e = &p["errors"][0];
    (e["field"].as_str().unwrap_or_default().to_string(), e["code"].as_str().unwrap_or_default().to_string())
}

#[tokio::test]
async fn concurrent_requests_for_one_slot_let_exactly_one_in() {
    let server = Server::start().await;
    let mut people = vec![];
    for i in 0..4 {
        people.push(citizen(&server, &format!("hitri{i}")).await);
    }
    // 48 requests at once, in three shapes that all contain the 10:00 slot.
    let ranges = [(at(3, 10), at(3, 11)), (at(3, 9), at(3, 11)), (at(3, 10), at(3, 12))];
    let mut tasks = vec![];
    for i in 0..48 {
        let http = people[i % 4].http.clone();
        let url = format!("{}/api/v1/bookings", server.url);
        let (s, e) = ranges[i % 3].clone();
        tasks.push(tokio::spawn(async move {
            let r = http.post(url).json(&booking(ROOM, &s, &e)).send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }));
    }
    let mut created = vec![];
    let mut conflicts = 0;
    for t in tasks {
        let (s, body) = t.await.unwrap();
        match s {
            201 => created.push(body),
            409 => {
                assert_eq!(body["code"], "booking_slot_taken", "{body}");
                assert_eq!(body["type"], "/problems/booking_slot_taken");
                conflicts += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(created.len(), 1, "exactly one booking");
    assert_eq!(conflicts, 47);
    assert_eq!(created[0]["status"], "confirmed");
    let held = server.query_i64(&format!("SELECT COUNT(*) FROM bookings_slots WHERE resource_id = '{ROOM}'")).await;
    let won_slots = created[0]["slots"].as_i64().unwrap();
    assert_eq!(held, vec![won_slots], "only the winner's slots are held");
    let live = server.query_i64("SELECT COUNT(*) FROM bookings WHERE status IN ('pending', 'confirmed')").await;
    assert_eq!(live, vec![1], "the losers left no booking behind");

    // Everyone sees the slot taken, without who took it.
    let (s, day) = server.client().json(Method::GET, &format!("/api/v1/bookings/resources/{ROOM}/slots?date={}", local_date(3)), json!(null)).await;
    assert_eq!(s, 200);
    let ten = day["slots"].as_array().unwrap().iter().find(|x| x["start"] == at(3, 10).as_str()).unwrap_or_else(|| panic!("{day}"));
    assert_eq!(ten["state"], "taken");
    assert!(!day.to_string().contains("account"));

    // The same conflict in the browser form: a translated message, not an error page.
    let c = &people[1];
    let page = format!("/bookings/{ROOM}?date={}", local_date(3));
    let (_, html) = c.get_text(&page).await;
    assert!(html.contains(&at(3, 14)), "the free 14:00 slot is offered");
    let r = c.submit(&page, &format!("/bookings/{ROOM}"), &[("start", &at(3, 14)), ("slots", "1")]).await;
    assert_eq!(r.status(), 303);
    let r = people[2].submit(&page, &format!("/bookings/{ROOM}"), &[("start", &at(3, 14)), ("slots", "1")]).await;
    assert_eq!(r.status(), 409);
    let html = r.text().await.unwrap();
    assert!(html.contains("Ta termin je medtem že rezerviral nekdo drug"), "{html}");
    assert!(html.contains("role=\"alert\""));
}

#[tokio::test]
async fn rules_refuse_and_cancellation_follows_the_deadline() {
    let server = Server::start().await;
    let ana = citizen(&server, "ana").await;
    let (s, _) = server.client().json(Method::POST, "/api/v1/bookings", booking(ROOM, &at(3, 10), &at(3, 11))).await;
    assert_eq!(s, 401, "visitors cannot book");

    // Too soon: a slot in the next 24 hours (the meeting room's lead time).
    let now = chrono::Utc::now().timestamp_millis();
    let mut soon = None;
    for d in [0, 1] {
        let (_, day) = ana.json(Method::GET, &format!("/api/v1/bookings/resources/{ROOM}/slots?date={}", local_date(d)), json!(null)).await;
        for x in day["slots"].as_array().unwrap() {
            let start = chrono::DateTime::parse_from_rfc3339(x["start"].as_str().unwrap()).unwrap().timestamp_millis();
            if soon.is_none() && start > now + 60_000 && start < now + 86_400_000 {
                assert_eq!(x["state"], "closed", "{x}");
                soon = Some((x["start"].as_str().unwrap().to_string(), x["end"].as_str().unwrap().to_string()));
            }
        }
    }
    let (s, e) = soon.expect("a slot within a day");
    let (st, p) = ana.json(Method::POST, "/api/v1/bookings", booking(ROOM, &s, &e)).await;
    assert_eq!((st, field_code(&p)), (422, ("start".into(), "booking_lead_time".into())), "{p}");
    let (st, p) = ana.json(Method::POST, "/api/v1/bookings", booking(ROOM, &at(3, 9), &at(3, 14))).await;
    assert_eq!((st, field_code(&p)), (422, ("end".into(), "booking_too_long".into())), "{p}");
    let off_grid = at(3, 10).replace(":00:00", ":30:00");
    let (st, p) = ana.json(Method::POST, "/api/v1/bookings", booking(ROOM, &off_grid, &at(3, 12))).await;
    assert_eq!((st, field_code(&p)), (422, ("start".into(), "not_a_slot".into())), "{p}");
    let (st, p) = ana.json(Method::POST, "/api/v1/bookings", booking(ROOM, &at(3, 19), &at(3, 21))).await;
    assert_eq!((st, field_code(&p)), (422, ("end".into(), "after_closing".into())), "{p}");
    let (st, p) = ana.json(Method::POST, "/api/v1/bookings", json!({"resource_id": ROOM, "start": "jutri", "end": at(3, 11), "extra": 1})).await;
    assert_eq!(st, 422, "unknown fields and bad times are refused: {p}");
    let (st, p) = ana.json(Method::POST, "/api/v1/bookings", booking("ni-ga", &at(3, 10), &at(3, 11))).await;
    assert_eq!((st, field_code(&p)), (422, ("resource_id".into(), "resource_unknown".into())), "{p}");

    // Booked: confirmed, in the inbox, and as a calendar file.
    let (st, b) = ana
        .json(Method::POST, "/api/v1/bookings", json!({"resource_id": ROOM, "start": at(3, 14), "end": at(3, 16), "note": "Sestanek društva"}))
        .await;
    assert_eq!(st, 201, "{b}");
    assert_eq!(
        (b["status"].as_str(), b["booker"].as_str(), b["slots"].as_i64(), b["price_cents"].as_i64()),
        (Some("confirmed"), Some("natural"), Some(2), Some(0))
    );
    let id = b["id"].as_str().unwrap().to_string();
    let (_, inbox) = ana.json(Method::GET, "/api/v1/notify/inbox", json!(null)).await;
    let msg = inbox.as_array().unwrap().iter().find(|m| m["topic"] == "my_bookings").unwrap_or_else(|| panic!("{inbox}"));
    assert_eq!(msg["title"], "Rezervacija potrjena: Mestna hiša – sejna soba");
    assert_eq!(msg["url"], format!("/account/bookings/{id}"));
    let r = ana.get(b["calendar_url"].as_str().unwrap()).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let ics = r.text().await.unwrap();
    let utc = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc).format("%Y%m%dT%H%M%SZ").to_string();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"), "{ics}");
    assert!(ics.contains(&format!("\r\nDTSTART:{}\r\nDTEND:{}\r\n", utc(&at(3, 14)), utc(&at(3, 16)))), "{ics}");
    assert!(
        ics.contains(&format!("UID:booking-{id}@")) && ics.contains("STATUS:CONFIRMED") && ics.contains("LOCATION:Mestni trg 1\\, Ptuj"),
        "{ics}"
    );
    assert!(ics.contains("SUMMARY:Rezervacija: Mestna hiša – sejna soba"), "{ics}");
    let (s, html) = ana.get_text(&format!("/account/bookings/{id}/booking.ics")).await;
    assert_eq!((s, html.contains("BEGIN:VEVENT")), (200, true));

    // Nobody else sees, downloads or cancels it.
    let bor = citizen(&server, "bor").await;
    assert_eq!(bor.json(Method::GET, &format!("/api/v1/bookings/{id}"), json!(null)).await.0, 404);
    assert_eq!(bor.get(&format!("/api/v1/bookings/{id}/calendar.ics")).await.status(), 404);
    assert_eq!(bor.json(Method::POST, &format!("/api/v1/bookings/{id}/cancel"), json!({})).await.0, 404);
    let (_, mine) = bor.json(Method::GET, "/api/v1/bookings/mine", json!(null)).await;
    assert_eq!(mine, json!([]));

    // Cancelled within the deadline: the slots are free again; twice is refused.
    let (s, c) = ana.json(Method::POST, &format!("/api/v1/bookings/{id}/cancel"), json!({})).await;
    assert_eq!((s, c["status"].as_str()), (200, Some("cancelled")), "{c}");
    let (s, p) = ana.json(Method::POST, &format!("/api/v1/bookings/{id}/cancel"), json!({})).await;
    assert_eq!((s, p["code"].as_str()), (409, Some("booking_not_active")));
    let (s, _) = bor.json(Method::POST, "/api/v1/bookings", booking(ROOM, &at(3, 14), &at(3, 15))).await;
    assert_eq!(s, 201, "the cancelled slot is free");

    // After the deadline (the start moved within a day): refused.
    let (_, b2) = ana.json(Method::POST, "/api/v1/bookings", booking(ROOM, &at(4, 10), &at(4, 11))).await;
    let id2 = b2["id"].as_str().unwrap();
    server.sql(&format!("UPDATE bookings SET start_at = {} WHERE id = '{id2}'", chrono::Utc::now().timestamp_millis() + 3_600_000)).await;
    let (s, p) = ana.json(Method::POST, &format!("/api/v1/bookings/{id2}/cancel"), json!({})).await;
    assert_eq!((s, p["code"].as_str()), (409, Some("booking_cancel_too_late")), "{p}");

    // Legal persons: only through someone who represents them; not where natural persons only may book.
    let admin = privileged(&server, "admin", &unique_email("admin")).await;
    enable_totp(&admin).await;
    let (_, me) = bor.json(Method::GET, "/api/v1/me", json!(null)).await;
    let r = admin
        .submit(
            "/staff/users",
            &format!("/staff/users/{}/role", me["id"].as_str().unwrap()),
            &[("role", "representative"), ("action", "grant"), ("legal_entity_tax_number", "50223054")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let for_company =
        |resource: &str, tax: &str, h: u32| json!({"resource_id": resource, "start": at(5, h), "end": at(5, h + 1), "on_behalf_of": tax});
    let (s, p) = ana.json(Method::POST, "/api/v1/bookings", for_company(ROOM, "50223054", 10)).await;
    assert_eq!((s, p["code"].as_str()), (403, Some("not_representative")), "a citizen does not represent the company: {p}");
    let (s, p) = bor.json(Method::POST, "/api/v1/bookings", for_company(ROOM, "12345678", 10)).await;
    assert_eq!((s, field_code(&p)), (422, ("on_behalf_of".into(), "tax_checksum".into())), "{p}");
    let (s, p) = bor.json(Method::POST, "/api/v1/bookings", for_company(YOUTH, "50223054", 12)).await;
    assert_eq!((s, field_code(&p)), (422, ("on_behalf_of".into(), "booking_natural_only".into())), "{p}");
    let (s, b) = bor.json(Method::POST, "/api/v1/bookings", for_company(ROOM, "SI 50223054", 10)).await;
    assert_eq!((s, b["booker"].as_str(), b["on_behalf_of"].as_str()), (201, Some("legal"), Some("50223054")), "{b}");
    let sealed = server.query_i64("SELECT COUNT(*) FROM bookings WHERE on_behalf_enc LIKE '%50223054%'").await;
    assert_eq!(sealed, vec![0], "the company is sealed at rest");
    let (s, _) = bor.json(Method::POST, "/api/v1/bookings", for_company(YOUTH, "", 12)).await;
    assert_eq!(s, 201, "for oneself the youth centre is open");

    // GDPR: the bookings are in the export; erasure cancels those to come and unlinks the rest.
    let (_, export) = bor.json(Method::GET, "/api/v1/me/export", json!(null)).await;
    let mine = export["services"]["bookings"].as_array().unwrap_or_else(|| panic!("{export}"));
    assert_eq!(mine.len(), 3, "{mine:?}");
    assert!(mine.iter().any(|b| b["on_behalf_of"] == "50223054"), "{mine:?}");
    let bor_id = me["id"].as_str().unwrap();
    let r = bor.submit("/account/delete", "/account/delete", &[("password", crate::harness::STRONG)]).await;
    assert_eq!(r.status(), 200);
    let left = server.query_i64(&format!("SELECT COUNT(*) FROM bookings WHERE account_id = '{bor_id}' OR on_behalf_enc IS NOT NULL")).await;
    assert_eq!(left, vec![0]);
    let kept = server.query_i64("SELECT COUNT(*) FROM bookings WHERE account_id IS NULL AND status = 'cancelled'").await;
    assert_eq!(kept, vec![3], "kept, unlinked and cancelled");
    let (_, day) = ana.json(Method::GET, &format!("/api/v1/bookings/resources/{YOUTH}/slots?date={}", local_date(5)), json!(null)).await;
    let noon = day["slots"].as_array().unwrap().iter().find(|x| x["start"] == at(5, 12).as_str()).unwrap();
    assert_eq!(noon["state"], "free", "the erased person's slots are free again");
}

#[tokio::test]
async fn staff_block_see_occupancy_and_approve_while_citizens_are_refused() {
    let server = Server::start().await;
    let ana = citizen(&server, "ana").await;
    let visitor = server.client();
    let officer = staff(&server).await;
    let block = json!({"resource_id": ROOM, "start": at(5, 8), "end": at(5, 12), "reason": "Pleskanje sejne sobe"});

    // Citizens and visitors: no staff side.
    assert_eq!(ana.json(Method::POST, "/api/v1/bookings/blocks", block.clone()).await.0, 403);
    assert_eq!(visitor.json(Method::POST, "/api/v1/bookings/blocks", block.clone()).await.0, 401);
    let occupancy = format!("/api/v1/bookings/occupancy?resource={ROOM}&date={}", local_date(5));
    assert_eq!(ana.json(Method::GET, &occupancy, json!(null)).await.0, 403);
    assert_eq!(visitor.json(Method::GET, &occupancy, json!(null)).await.0, 401);
    assert_eq!(ana.json(Method::GET, "/api/v1/bookings/pending", json!(null)).await.0, 403);
    assert_eq!(ana.get_text("/staff/bookings").await.0, 403);

    // A block for maintenance takes the slots from booking.
    let (s, p) =
        officer.json(Method::POST, "/api/v1/bookings/blocks", json!({"resource_id": ROOM, "start": at(5, 8), "end": at(5, 12), "reason": " "})).await;
    assert_eq!((s, field_code(&p)), (422, ("reason".into(), "required".into())));
    let (s, blk) = officer.json(Method::POST, "/api/v1/bookings/blocks", block.clone()).await;
    assert_eq!(s, 201, "{blk}");
    let (s, p) = ana.json(Method::POST, "/api/v1/bookings", booking(ROOM, &at(5, 9), &at(5, 10))).await;
    assert_eq!((s, p["code"].as_str()), (409, Some("booking_slot_taken")), "{p}");
    let (s, _) = officer
        .json(Method::POST, "/api/v1/bookings/blocks", json!({"resource_id": ROOM, "start": at(5, 11), "end": at(5, 13), "reason": "Še enkrat"}))
        .await;
    assert_eq!(s, 409, "blocks do not overlap either");
    let (s, _) = ana.json(Method::POST, "/api/v1/bookings", booking(ROOM, &at(5, 12), &at(5, 13))).await;
    assert_eq!(s, 201);
    let (s, occ) = officer.json(Method::GET, &occupancy, json!(null)).await;
    assert_eq!(s, 200, "{occ}");
    let states: Vec<&str> = occ["slots"].as_array().unwrap().iter().map(|x| x["state"].as_str().unwrap()).collect();
    assert_eq!(&states[..5], &["blocked", "blocked", "blocked", "blocked", "taken"], "{occ}");
    assert_eq!(occ["occupied_share"], json!(((5.0f64 / 12.0) * 1000.0).round() / 1000.0));
    assert_eq!(occ["blocks"][0]["reason"], "Pleskanje sejne sobe");
    assert_eq!(occ["bookings"].as_array().unwrap().len(), 1);
    let (s, html) = officer.get_text(&format!("/staff/bookings?resource={ROOM}&date={}", local_date(5))).await;
    assert_eq!(s, 200);
    assert!(html.contains("Pleskanje sejne sobe") && html.contains("Zaprto (vzdrževanje)"), "{html}");

    // Lifted: free again.
    let bid = blk["id"].as_str().unwrap();
    assert_eq!(ana.json(Method::DELETE, &format!("/api/v1/bookings/blocks/{bid}"), json!(null)).await.0, 403);
    assert_eq!(officer.json(Method::DELETE, &format!("/api/v1/bookings/blocks/{bid}"), json!(null)).await.0, 204);
    let (s, _) = ana.json(Method::POST, "/api/v1/bookings", booking(ROOM, &at(5, 9), &at(5, 10))).await;
    assert_eq!(s, 201);

    // The hall needs approval: pending holds the slot, staff confirm, the booker is told.
    let (s, b) = ana.json(Method::POST, "/api/v1/bookings", booking(HALL, &at(6, 18), &at(6, 20))).await;
    assert_eq!((s, b["status"].as_str(), b["price_cents"].as_i64()), (201, Some("pending"), Some(9000)), "{b}");
    let id = b["id"].as_str().unwrap().to_string();
    let (_, pending) = officer.json(Method::GET, "/api/v1/bookings/pending", json!(null)).await;
    assert!(pending.as_array().unwrap().iter().any(|x| x["id"] == id.as_str()), "{pending}");
    let decide = |d: &str| json!({"decision": d, "reason": "Dvorana je pripravljena."});
    assert_eq!(ana.json(Method::POST, &format!("/api/v1/bookings/{id}/decision"), decide("confirm")).await.0, 403);
    let (s, d) = officer.json(Method::POST, &format!("/api/v1/bookings/{id}/decision"), decide("confirm")).await;
    assert_eq!((s, d["status"].as_str()), (200, Some("confirmed")), "{d}");
    let (s, p) = officer.json(Method::POST, &format!("/api/v1/bookings/{id}/decision"), decide("reject")).await;
    assert_eq!((s, p["code"].as_str()), (409, Some("booking_not_pending")));
    let (_, inbox) = ana.json(Method::GET, "/api/v1/notify/inbox", json!(null)).await;
    let titles: Vec<&str> = inbox.as_array().unwrap().iter().filter(|m| m["topic"] == "my_bookings").map(|m| m["title"].as_str().unwrap()).collect();
    assert!(titles.contains(&"Rezervacija sprejeta: Narodni dom – velika dvorana"), "{titles:?}");
    assert!(titles.contains(&"Rezervacija potrjena: Narodni dom – velika dvorana"), "{titles:?}");

    // A rejection frees the slots.
    let (_, b) = ana.json(Method::POST, "/api/v1/bookings", booking(HALL, &at(7, 10), &at(7, 11))).await;
    let id = b["id"].as_str().unwrap();
    let (s, d) = officer.json(Method::POST, &format!("/api/v1/bookings/{id}/decision"), json!({"decision": "reject"})).await;
    assert_eq!((s, d["status"].as_str()), (200, Some("rejected")));
    let (s, _) = ana.json(Method::POST, "/api/v1/bookings", booking(HALL, &at(7, 10), &at(7, 11))).await;
    assert_eq!(s, 201, "the rejected slot is free");

    let audited = server.query_i64("SELECT COUNT(*) FROM audit_log WHERE action IN ('bookings.block', 'bookings.unblock', 'bookings.decide')").await;
    assert_eq!(audited, vec![4]);

    // The KPI: four of the five municipal spaces of the demo are bookable.
    let (s, k) = visitor.json(Method::GET, "/api/v1/bookings/kpi", json!(null)).await;
    assert_eq!(
        (s, k["municipal_spaces"].as_i64(), k["bookable_spaces"].as_i64(), k["share_bookable"].as_f64()),
        (200, Some(5), Some(4), Some(0.8)),
        "{k}"
    );
}

fn new_resource() -> Value {
    json!({
        "kind": "meeting_room",
        "name_sl": "Sejna soba KS Breg",
        "name_en": "Breg community meeting room",
        "purpose_sl": "Sestanki krajanov",
        "location": "Rogaška cesta 2, Ptuj",
        "capacity": 15,
        "slot_minutes": 30,
        "opens": "09:00",
        "closes": "13:00",
        "price_cents": 750,
        "natural": true,
        "legal": false,
        "lead_minutes": 2880,
        "max_slots": 2,
        "cancel_minutes": 60,
        "horizon_days": 30
    })
}

#[tokio::test]
async fn staff_create_and_change_a_resource_citizens_book_by_its_rules_and_others_are_refused() {
    let server = Server::start().await;
    let ana = citizen(&server, "ana").await;
    let visitor = server.client();
    let officer = staff(&server).await;
    let dto = privileged(&server, "dto", &unique_email("dto")).await;
    enable_totp(&dto).await;

    // Least privilege: only staff who run bookings.
    assert_eq!(visitor.json(Method::POST, "/api/v1/bookings/resources", new_resource()).await.0, 401);
    assert_eq!(ana.json(Method::POST, "/api/v1/bookings/resources", new_resource()).await.0, 403);
    assert_eq!(dto.json(Method::POST, "/api/v1/bookings/resources", new_resource()).await.0, 403);
    assert_eq!(ana.get_text("/staff/bookings/resources").await.0, 403);
    assert_eq!(dto.get_text("/staff/bookings/resources/new").await.0, 403);
    assert_eq!(dto.json(Method::POST, &format!("/api/v1/bookings/resources/{ROOM}/deactivate"), json!(null)).await.0, 403);

    // Every bad field is named.
    let mut bad = new_resource();
    bad["capacity"] = json!(0);
    bad["closes"] = json!("12:45");
    bad["natural"] = json!(false);
    let (s, p) = officer.json(Method::POST, "/api/v1/bookings/resources", bad).await;
    assert_eq!(s, 422, "{p}");
    let fields: Vec<(&str, &str)> =
        p["errors"].as_array().unwrap().iter().map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap())).collect();
    assert_eq!(fields, vec![("capacity", "resource_capacity"), ("closes", "resource_hours_grid"), ("natural", "resource_no_booker")], "{p}");

    // Created: public, with its rules and price.
    let (s, r) = officer.json(Method::POST, "/api/v1/bookings/resources", new_resource()).await;
    assert_eq!(s, 201, "{r}");
    let id = r["id"].as_str().unwrap().to_string();
    assert_eq!((r["price_cents"].as_i64(), r["opens"].as_str(), r["rules"]["max_slots"].as_i64()), (Some(750), Some("09:00"), Some(2)), "{r}");
    let (s, html) = ana.get_text(&format!("/bookings/{id}?date={}", local_date(3))).await;
    assert_eq!(s, 200);
    assert!(html.contains("Sejna soba KS Breg") && html.contains("7,50 €") && html.contains("samo fizične osebe"), "{html}");

    // Its rules hold: two days ahead, at most an hour (two slots), natural persons only.
    let (s, p) = ana.json(Method::POST, "/api/v1/bookings", booking(&id, &at(1, 9), &at(1, 10))).await;
    assert_eq!((s, field_code(&p)), (422, ("start".into(), "booking_lead_time".into())), "{p}");
    let (s, p) = ana.json(Method::POST, "/api/v1/bookings", booking(&id, &at(4, 9), &at(4, 11))).await;
    assert_eq!((s, field_code(&p)), (422, ("end".into(), "booking_too_long".into())), "{p}");
    let (s, p) = ana.json(Method::POST, "/api/v1/bookings", booking(&id, &at(4, 13), &at(4, 14))).await;
    assert_eq!(s, 422, "after closing: {p}");
    let (s, b) = ana.json(Method::POST, "/api/v1/bookings", booking(&id, &at(3, 9), &at(3, 10))).await;
    assert_eq!((s, b["status"].as_str(), b["price_cents"].as_i64()), (201, Some("confirmed"), Some(1500)), "{b}");

    // Changed: a new price and approval apply to the next booking.
    let mut change = new_resource();
    change["price_cents"] = json!(1000);
    change["needs_approval"] = json!(true);
    assert_eq!(ana.json(Method::PUT, &format!("/api/v1/bookings/resources/{id}"), change.clone()).await.0, 403);
    let (s, r) = officer.json(Method::PUT, &format!("/api/v1/bookings/resources/{id}"), change).await;
    assert_eq!((s, r["needs_approval"].as_bool()), (200, Some(true)), "{r}");
    let (s, b) = ana.json(Method::POST, "/api/v1/bookings", booking(&id, &at(3, 11), &at(3, 12))).await;
    assert_eq!((s, b["status"].as_str(), b["price_cents"].as_i64()), (201, Some("pending"), Some(2000)), "{b}");
    assert_eq!(officer.json(Method::PUT, "/api/v1/bookings/resources/nope", new_resource()).await.0, 404);

    // The staff form: translated errors per field, then saved.
    let form = "/staff/bookings/resources/new";
    let r = officer
        .submit(form, form, &[("kind", "hall"), ("name_sl", "Dvorana Breg"), ("capacity", "veliko"), ("opens", "9"), ("price", "zastonj")])
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"id="capacity-error""#) && html.contains("Vpišite celo število."), "{html}");
    assert!(html.contains(r#"id="opens-error""#) && html.contains(r#"id="price-error""#) && html.contains(r#"id="natural-error""#), "{html}");
    assert!(html.contains("Izberite, kdo lahko rezervira"), "{html}");
    let fields = [
        ("kind", "hall"),
        ("name_sl", "Dvorana Breg"),
        ("location", "Breg, Ptuj"),
        ("capacity", "120"),
        ("slot_minutes", "60"),
        ("opens", "08:00"),
        ("closes", "22:00"),
        ("price", "40,00"),
        ("legal", "1"),
        ("bookable", "1"),
        ("lead_minutes", "1440"),
        ("max_slots", "4"),
    ];
    let r = officer.submit(form, form, &fields).await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let (s, html) = officer.get_text(&to).await;
    assert_eq!(s, 200);
    assert!(html.contains(r#"value="40,00""#) && html.contains(r#"value="Dvorana Breg""#), "{html}");
    let hall = to.trim_start_matches("/staff/bookings/resources/").trim_end_matches("?saved=1").to_string();
    let (s, p) = ana.json(Method::POST, "/api/v1/bookings", booking(&hall, &at(3, 10), &at(3, 11))).await;
    assert_eq!((s, field_code(&p)), (422, ("on_behalf_of".into(), "booking_legal_only".into())), "{p}");
    let (_, html) = officer.get_text("/staff/bookings/resources").await;
    assert!(html.contains("Dvorana Breg") && html.contains("Sejna soba KS Breg"), "{html}");

    // Deactivated: listed, not bookable; what was booked stays.
    let r = officer.submit(&format!("/staff/bookings/resources/{id}"), &format!("/staff/bookings/resources/{id}/deactivate"), &[]).await;
    assert_eq!(r.status(), 303);
    let (s, p) = ana.json(Method::POST, "/api/v1/bookings", booking(&id, &at(5, 9), &at(5, 10))).await;
    assert_eq!((s, field_code(&p)), (422, ("resource_id".into(), "resource_not_bookable".into())), "{p}");
    let (_, mine) = ana.json(Method::GET, "/api/v1/bookings/mine", json!(null)).await;
    assert_eq!(mine.as_array().unwrap().iter().filter(|b| b["resource_id"] == id.as_str()).count(), 2, "{mine}");

    let audited = server.query_strings("SELECT action FROM audit_log WHERE action LIKE 'bookings.resource_%' AND outcome = 'ok' ORDER BY seq").await;
    assert_eq!(audited, vec!["bookings.resource_create", "bookings.resource_update", "bookings.resource_create", "bookings.resource_update"]);
}
