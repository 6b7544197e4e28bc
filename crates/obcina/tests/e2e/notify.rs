//! The notifications hub: people's channels and topics, a staff notice
//! delivered by real SMTP, an HTTP SMS gateway and web push, retries with
//! back-off, and no delivery lost when the server is killed mid-send.
//!
//! The SMS gateway and the push service are small HTTP servers in this
//! test: the platform talks to them over HTTP exactly as to real ones.

use crate::harness::{Server, enable_totp, privileged, unique_email};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the fake gateway answers next.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Mode {
    Ok,
    Fail,
    Hang,
}

/// A request as received: headers and body.
type Received = (HeaderMap, Vec<u8>);

#[derive(Clone, Default)]
struct Gateway {
    received: Arc<Mutex<Vec<Received>>>,
    /// Answers for the next requests; when empty: `Ok`.
    script: Arc<Mutex<Vec<Mode>>>,
    port: u16,
}

impl Gateway {
    async fn start() -> Gateway {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let g = Gateway { port: listener.local_addr().unwrap().port(), ..Default::default() };
        let state = g.clone();
        let app = axum::Router::new()
            .route("/gone", axum::routing::post(|| async { StatusCode::GONE }))
            .fallback(axum::routing::post(handle))
            .with_state(state);
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        g
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn then(&self, modes: &[Mode]) {
        self.script.lock().unwrap().extend_from_slice(modes);
    }

    fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }

    async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..300 {
            if self.count() >= n {
                return self.received.lock().unwrap().clone();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the gateway got {} requests, expected {n}", self.count());
    }
}

async fn handle(State(g): State<Gateway>, headers: HeaderMap, body: axum::body::Bytes) -> StatusCode {
    let mode = {
        let mut s = g.script.lock().unwrap();
        if s.is_empty() { Mode::Ok } else { s.remove(0) }
    };
    g.received.lock().unwrap().push((headers, body.to_vec()));
    match mode {
        Mode::Ok => StatusCode::CREATED,
        Mode::Fail => StatusCode::SERVICE_UNAVAILABLE,
        Mode::Hang => {
            tokio::time::sleep(Duration::from_secs(600)).await;
            StatusCode::OK
        }
    }
}

fn config(g: &Gateway) -> String {
    format!(
        "[notify]\nsms_gateway_url = \"{}\"\nsms_gateway_token = \"gw-secret-token\"\nretry_base_seconds = 1\nclaim_seconds = 4\npush_allow_loopback = true\n",
        g.url("/send")
    )
}

async fn citizen(server: &Server, tag: &str) -> (crate::harness::Client, String) {
    let c = server.client();
    let email = unique_email(tag);
    c.citizen(server, &email).await;
    (c, email)
}

async fn staff(server: &Server) -> crate::harness::Client {
    let s = privileged(server, "staff", &unique_email("urednik")).await;
    enable_totp(&s).await;
    s
}

/// Poll a notice until nothing is pending; returns its figures as (channel, status) → count.
async fn settled(staff: &crate::harness::Client, id: &str) -> Vec<(String, String, i64)> {
    for _ in 0..300 {
        let (s, n) = staff.json(Method::GET, &format!("/api/v1/notify/notices/{id}"), json!(null)).await;
        assert_eq!(s, 200, "{n}");
        let figures: Vec<(String, String, i64)> = n["figures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["channel"].as_str().unwrap().to_string(), f["status"].as_str().unwrap().to_string(), f["count"].as_i64().unwrap()))
            .collect();
        if !figures.iter().any(|(_, st, _)| st == "pending") {
            return figures;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("deliveries of {id} still pending");
}

fn notice(topic: &str, title: &str) -> Value {
    json!({"topic": topic, "title_sl": title, "title_en": format!("{title} (en)"), "body_sl": "Besedilo obvestila.", "body_en": "Text of the notice.", "url": "/"})
}

#[tokio::test]
async fn a_staff_notice_reaches_each_subscriber_on_the_channels_they_chose() {
    let gw = Gateway::start().await;
    let server = Server::start_with_config(&config(&gw)).await;
    let (ana, ana_email) = citizen(&server, "ana").await;
    let (bor, bor_email) = citizen(&server, "bor").await;

    // Anonymous people have no settings; bad settings are refused field by field.
    let (s, _) = server.client().json(Method::GET, "/api/v1/notify/settings", json!(null)).await;
    assert_eq!(s, 401);
    let (s, p) = ana
        .json(
            Method::PUT,
            "/api/v1/notify/settings",
            json!({"topics": [{"topic": "road_works", "channels": ["sms"]}], "phone": "12", "share_location": false}),
        )
        .await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("phone")), "{p}");
    let (s, p) = ana
        .json(Method::PUT, "/api/v1/notify/settings", json!({"topics": [], "quiet": {"from": "25:00", "to": "07:00"}, "share_location": false}))
        .await;
    assert_eq!((s, p["errors"][0]["code"].as_str()), (422, Some("invalid_time")), "{p}");
    let (s, p) = ana
        .json(
            Method::PUT,
            "/api/v1/notify/settings",
            json!({"topics": [], "area": {"lat": 46.4, "lon": 15.8, "radius_m": 0}, "share_location": false}),
        )
        .await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("area")), "{p}");

    let (s, saved) = ana
        .json(
            Method::PUT,
            "/api/v1/notify/settings",
            json!({"topics": [{"topic": "road_works", "channels": ["email", "sms", "app"]}], "phone": "041123456", "share_location": false}),
        )
        .await;
    assert_eq!(s, 200, "{saved}");
    assert_eq!(saved["phone"], "+38641123456");

    // Citizens cannot broadcast; staff cannot broadcast to personal topics.
    let (s, _) = ana.json(Method::POST, "/api/v1/notify/notices", notice("road_works", "Zapora")).await;
    assert_eq!(s, 403);
    let editor = staff(&server).await;
    let (s, p) = editor.json(Method::POST, "/api/v1/notify/notices", notice("my_reports", "Ne")).await;
    assert_eq!(s, 422, "no broadcasts to personal topics: {p}");
    let (s, p) = editor.json(Method::POST, "/api/v1/notify/notices", json!({"topic": "road_works", "title_sl": "  ", "body_sl": "x"})).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("title_sl")), "{p}");
    let (s, p) =
        editor.json(Method::POST, "/api/v1/notify/notices", json!({"topic": "road_works", "title_en": "No Slovenian", "body_en": "x"})).await;
    assert_eq!(s, 422, "{p}");

    let (s, sent) = editor.json(Method::POST, "/api/v1/notify/notices", notice("road_works", "Zapora Ormoške ceste")).await;
    assert_eq!(s, 201, "{sent}");
    assert_eq!(sent["recipients"], 1, "only Ana chose road works: {sent}");
    let id = sent["id"].as_str().unwrap();

    let mail = server.smtp.wait_for(&ana_email, "Zapora Ormoške ceste").await;
    assert!(mail.body.contains("Besedilo obvestila.") && mail.body.contains("/account/notifications"), "{}", mail.body);
    let sms = gw.wait_for(1).await;
    let (headers, body) = &sms[0];
    assert_eq!(headers["authorization"], "Bearer gw-secret-token");
    let sms: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(sms["to"], "+38641123456");
    assert!(sms["text"].as_str().unwrap().starts_with("Zapora Ormoške ceste: Besedilo obvestila."), "{sms}");

    let mut figures = settled(&editor, id).await;
    figures.sort();
    assert_eq!(figures, vec![("app".into(), "sent".into(), 1), ("email".into(), "sent".into(), 1), ("sms".into(), "sent".into(), 1)]);

    let (s, inbox) = ana.json(Method::GET, "/api/v1/notify/inbox", json!(null)).await;
    assert_eq!(s, 200);
    assert_eq!(inbox.as_array().unwrap().len(), 1, "{inbox}");
    assert_eq!((inbox[0]["title"].as_str(), inbox[0]["read"].as_bool()), (Some("Zapora Ormoške ceste"), Some(false)));
    let entry = inbox[0]["id"].as_str().unwrap();
    let (s, _) = bor.json(Method::POST, &format!("/api/v1/notify/inbox/{entry}/read"), json!(null)).await;
    assert_eq!(s, 404, "not Bor's message");
    let (s, _) = ana.json(Method::POST, &format!("/api/v1/notify/inbox/{entry}/read"), json!(null)).await;
    assert_eq!(s, 204);
    let (_, bors) = bor.json(Method::GET, "/api/v1/notify/inbox", json!(null)).await;
    assert_eq!(bors, json!([]));
    assert!(server.smtp.mails.lock().unwrap().iter().all(|m| m.to != bor_email || !m.subject.contains("Zapora")));

    // The notice page is public; the inbox and staff figures are not.
    let (s, html) = server.client().get_text(&format!("/notices/{id}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("Zapora Ormoške ceste"));
    let (s, _) = ana.json(Method::GET, &format!("/api/v1/notify/notices/{id}"), json!(null)).await;
    assert_eq!(s, 403);
    let (s, html) = editor.get_text(&format!("/staff/notices/{id}")).await;
    assert_eq!(s, 200, "{html}");

    let (s, kpi) = server.client().json(Method::GET, "/api/v1/notify/kpi", json!(null)).await;
    assert_eq!(s, 200);
    assert_eq!(kpi["subscribed"], 1, "{kpi}");

    let log = server.log_text();
    assert!(!log.contains("gw-secret-token") && !log.contains("+38641123456"), "secrets or phone numbers in the log");
}

#[tokio::test]
async fn a_failing_gateway_is_retried_and_a_killed_server_loses_no_delivery() {
    let gw = Gateway::start().await;
    let mut server = Server::start_with_config(&config(&gw)).await;
    let (ana, _) = citizen(&server, "ana").await;
    let (s, _) = ana
        .json(
            Method::PUT,
            "/api/v1/notify/settings",
            json!({"topics": [{"topic": "utilities", "channels": ["sms"]}], "phone": "+38631000111", "share_location": false}),
        )
        .await;
    assert_eq!(s, 200);
    // First the gateway is down, then it takes the message and never answers.
    gw.then(&[Mode::Fail, Mode::Hang]);
    let editor = staff(&server).await;
    let (s, sent) = editor.json(Method::POST, "/api/v1/notify/notices", notice("utilities", "Izpad vode")).await;
    assert_eq!(s, 201, "{sent}");
    let id = sent["id"].as_str().unwrap().to_string();
    gw.wait_for(2).await;
    // Killed while the second attempt is in the air.
    server.kill9().await;
    server.restart().await;
    let received = gw.wait_for(3).await;
    let texts: Vec<String> =
        received.iter().map(|(_, b)| serde_json::from_slice::<Value>(b).unwrap()["text"].as_str().unwrap().to_string()).collect();
    assert!(texts.iter().all(|t| t.starts_with("Izpad vode")), "{texts:?}");

    let editor = staff(&server).await;
    let figures = settled(&editor, &id).await;
    assert_eq!(figures, vec![("sms".into(), "sent".into(), 1)]);
    let (_, html) = editor.get_text(&format!("/staff/notices/{id}")).await;
    assert!(html.contains("503"), "the failed attempt is in the log");
}

#[tokio::test]
async fn web_push_is_encrypted_for_the_browser_and_signed_with_vapid() {
    use ring::{aead, agreement, rand::SystemRandom};
    let gw = Gateway::start().await;
    let server = Server::start_with_config(&config(&gw)).await;
    let (ana, _) = citizen(&server, "ana").await;

    let browser = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &SystemRandom::new()).unwrap();
    let ua_public = browser.compute_public_key().unwrap().as_ref().to_vec();
    let auth = [9u8; 16];
    let sub = |endpoint: String| json!({"endpoint": endpoint, "p256dh": B64.encode(&ua_public), "auth": B64.encode(auth)});
    let (s, p) = ana.json(Method::POST, "/api/v1/notify/push/subscriptions", sub("https://10.0.0.8/push".into())).await;
    assert_eq!(s, 422, "no push endpoints in private networks: {p}");
    let (s, _) = ana.json(Method::POST, "/api/v1/notify/push/subscriptions", json!({"endpoint": gw.url("/p"), "p256dh": "short", "auth": "x"})).await;
    assert_eq!(s, 422);
    for path in ["/p/ana", "/gone"] {
        let (s, p) = ana.json(Method::POST, "/api/v1/notify/push/subscriptions", sub(gw.url(path))).await;
        assert_eq!(s, 204, "{p}");
    }
    let (s, _) = ana
        .json(Method::PUT, "/api/v1/notify/settings", json!({"topics": [{"topic": "events", "channels": ["push"]}], "share_location": false}))
        .await;
    assert_eq!(s, 200);

    let editor = staff(&server).await;
    let (s, sent) = editor.json(Method::POST, "/api/v1/notify/notices", notice("events", "Festival Arsana")).await;
    assert_eq!(s, 201, "{sent}");
    let received = gw.wait_for(1).await;
    let figures = settled(&editor, sent["id"].as_str().unwrap()).await;
    assert_eq!(figures, vec![("push".into(), "sent".into(), 1)]);

    let (headers, body) = &received[0];
    assert_eq!(headers["content-encoding"], "aes128gcm");
    let (_, key) = server.client().json(Method::GET, "/api/v1/notify/push/key", json!(null)).await;
    let authz = headers["authorization"].to_str().unwrap();
    assert!(authz.starts_with("vapid t=") && authz.ends_with(&format!(", k={}", key["public_key"].as_str().unwrap())), "{authz}");

    // Decrypt as the browser would (RFC 8291).
    let salt: [u8; 16] = body[..16].try_into().unwrap();
    assert_eq!(body[20], 65);
    let as_public = body[21..86].to_vec();
    let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, as_public.clone());
    let (cek, nonce) =
        agreement::agree_ephemeral(browser, &peer, |secret| notify::push::derive(secret, &auth, &ua_public, &as_public, &salt)).unwrap();
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_128_GCM, &cek).unwrap());
    let mut record = body[86..].to_vec();
    let plain = key.open_in_place(aead::Nonce::assume_unique_for_key(nonce), aead::Aad::empty(), &mut record).unwrap();
    assert_eq!(plain.last(), Some(&2), "the last record's delimiter");
    let message: Value = serde_json::from_slice(&plain[..plain.len() - 1]).unwrap();
    assert_eq!(message["title"], "Festival Arsana");

    // The subscription the push service called gone is forgotten.
    let (s, _) = ana.json(Method::DELETE, "/api/v1/notify/push/subscriptions", json!({"endpoint": gw.url("/gone")})).await;
    assert_eq!(s, 404);
    let (s, _) = ana.json(Method::DELETE, "/api/v1/notify/push/subscriptions", json!({"endpoint": gw.url("/p/ana")})).await;
    assert_eq!(s, 204);
}
