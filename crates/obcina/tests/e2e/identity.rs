//! The citizen's identity, as a person uses it.

use crate::harness::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn register_confirm_sign_in_profile_export_through_the_api() {
    let server = Server::start().await;
    let c = server.client();
    let email = unique_email("ana");
    let (s, body) = c.json(Method::POST, "/api/v1/accounts", json!({"email": email, "password": STRONG})).await;
    assert_eq!((s, body["status"].as_str()), (202, Some("confirmation_sent")));

    // Before confirmation the right password is not enough.
    let (s, body) = c.json(Method::POST, "/api/v1/session", json!({"email": email, "password": STRONG})).await;
    assert_eq!((s, body["code"].as_str()), (403, Some("email_not_confirmed")));

    let mail = server.smtp.wait_for(&email, "").await;
    assert!(mail.subject.contains("Potrdite"), "Slovenian by default: {}", mail.subject);
    let confirm = link(&mail.body, "/confirm?token=");
    let (s, html) = c.get_text(&confirm).await;
    assert_eq!(s, 200, "{html}");
    let (s, _) = c.get_text(&confirm).await;
    assert_eq!(s, 404, "a confirmation link works once");

    let (s, body) = c.json(Method::POST, "/api/v1/session", json!({"email": email.to_uppercase(), "password": STRONG})).await;
    assert_eq!(s, 201, "{body}");
    let (s, me) = c.json(Method::GET, "/api/v1/me", json!(null)).await;
    assert_eq!(s, 200);
    assert_eq!(me["email"], email.as_str());
    assert_eq!(me["roles"], json!(["citizen"]));

    let (s, problem) = c.json(Method::PUT, "/api/v1/me/profile", json!({"emso": "0101006500007", "tax_number": "50223055", "phone": "x"})).await;
    assert_eq!(s, 422);
    let fields: Vec<(&str, &str)> =
        problem["errors"].as_array().unwrap().iter().map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap())).collect();
    assert_eq!(fields, vec![("phone", "phone_format"), ("tax_number", "tax_checksum"), ("emso", "emso_checksum")]);

    let profile = json!({"name": "Ana Novak", "address": "Mestni trg 1, 2250 Ptuj", "phone": "+386 41 123 456", "tax_number": "SI 5022 3054", "emso": "0101006500006"});
    let (s, saved) = c.json(Method::PUT, "/api/v1/me/profile", profile).await;
    assert_eq!(s, 200, "{saved}");
    assert_eq!(saved["tax_number"], "50223054");

    let (s, export) = c.json(Method::GET, "/api/v1/me/export", json!(null)).await;
    assert_eq!(s, 200);
    assert_eq!(export["account"]["email"], email.as_str());
    assert_eq!(export["profile"]["emso"], "0101006500006");
    assert!(export["activity"].as_array().unwrap().iter().any(|a| a["action"] == "identity.profile.change"));

    let r = c.get("/account/data.json").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["profile"]["name"], "Ana Novak");

    let (s, _) = c.json(Method::DELETE, "/api/v1/session", json!(null)).await;
    assert_eq!(s, 204);
    let (s, _) = c.json(Method::GET, "/api/v1/me", json!(null)).await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn registration_does_not_reveal_existing_accounts() {
    let server = Server::start().await;
    let email = unique_email("eva");
    let c = server.client();
    c.citizen(&server, &email).await;
    let other = server.client();
    let (s, body) = other.json(Method::POST, "/api/v1/accounts", json!({"email": email, "password": "a different passphrase 77"})).await;
    assert_eq!((s, body["status"].as_str()), (202, Some("confirmation_sent")), "same answer as a new address");
    let mail = server.smtp.wait_for(&email, "Poskus registracije").await;
    assert!(mail.body.contains("/login"));
    // The old password still works; nothing was overwritten.
    let (s, _) = other.json(Method::POST, "/api/v1/session", json!({"email": email, "password": STRONG})).await;
    assert_eq!(s, 201);
}

#[tokio::test]
async fn weak_passwords_and_bad_addresses_are_refused_with_reasons() {
    let server = Server::start().await;
    let c = server.client();
    for (email, password, field, code) in [
        ("ana@example.si", "short", "password", "password_too_short"),
        ("ana@example.si", "password123", "password", "password_weak"),
        ("ana@example.si", "qwertyuiopasdf", "password", "password_weak"),
        ("not-an-address", STRONG, "email", "email_invalid"),
    ] {
        let (s, p) = c.json(Method::POST, "/api/v1/accounts", json!({"email": email, "password": password})).await;
        assert_eq!(s, 422, "{email} {password}: {p}");
        assert_eq!(p["errors"][0]["field"], field);
        assert_eq!(p["errors"][0]["code"], code);
    }
    let r = c.http.post(format!("{}/api/v1/accounts", c.base)).body("{").header("content-type", "application/json").send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = c.http.post(format!("{}/api/v1/accounts", c.base)).body("email=x").send().await.unwrap();
    assert_eq!(r.status(), 415);
}

#[tokio::test]
async fn html_forms_register_sign_in_and_show_field_errors_in_the_users_language() {
    let server = Server::start().await;
    let c = server.client();
    let email = unique_email("marko");
    let r = c.submit("/register", "/register", &[("email", &email), ("password", STRONG)]).await;
    assert_eq!(r.status(), 200);
    let mail = server.smtp.wait_for(&email, "").await;
    let (s, _) = c.get_text(&link(&mail.body, "/confirm?token=")).await;
    assert_eq!(s, 200);

    let r = c.submit("/login", "/login", &[("email", &email), ("password", "wrong password here"), ("next", "/account")]).await;
    assert_eq!(r.status(), 401);
    assert!(r.text().await.unwrap().contains("E-poštni naslov ali geslo ni pravilno"));

    let r = c.submit("/login", "/login", &[("email", &email), ("password", STRONG), ("next", "/account")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/account");

    // English, one click away and remembered.
    let r = c.get("/lang/en?next=/account").await;
    assert_eq!(r.status(), 303);
    let r = c.submit("/account", "/account", &[("emso", "0101006500007"), ("tax_number", "12345678")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"<html lang="en">"#));
    assert!(html.contains(r#"id="emso-error""#) && html.contains("The EMŠO check digit does not match"), "{html}");
    assert!(html.contains(r#"id="tax_number-error""#));
    assert!(html.contains(r#"aria-invalid="true""#));

    // A token from before sign-in is bound to no session: refused after it.
    let stale = {
        let anon = server.client();
        let (_, html) = anon.get_text("/register").await;
        csrf_token(&html)
    };
    let r = c.http.post(format!("{}/account", c.base)).form(&[("_csrf", stale.as_str()), ("name", "X")]).send().await.unwrap();
    assert_eq!(r.status(), 403, "a token of another browser is refused");

    // Without the CSRF token a form is refused.
    let r = c.http.post(format!("{}/account", c.base)).form(&[("name", "X")]).send().await.unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn two_factor_enrolment_sign_in_recovery_and_replay() {
    let server = Server::start().await;
    let c = server.client();
    let email = unique_email("totp");
    c.citizen(&server, &email).await;

    // Sensitive changes need the password again, even in a fresh session.
    let r = c.get("/account/2fa").await;
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/account/reauth"));
    c.reauth().await;
    let (s, html) = c.get_text("/account/2fa").await;
    assert_eq!(s, 200, "{html}");
    let secret = totp_secret(&html);
    let r = c.submit("/account/2fa", "/account/2fa/enable", &[("code", "000000")]).await;
    assert_eq!(r.status(), 422);
    let code = totp_now(&secret, 0);
    let r = c.submit("/account/2fa", "/account/2fa/enable", &[("code", &code)]).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let codes: Vec<String> =
        regex_lite::Regex::new(r"<li><code>([a-z0-9-]{14})</code></li>").unwrap().captures_iter(&html).map(|c| c[1].to_string()).collect();
    assert_eq!(codes.len(), 10, "{html}");
    server.smtp.wait_for(&email, "Dvofaktorsko").await;

    // Password alone is no longer enough.
    let c2 = server.client();
    let (s, p) = c2.json(Method::POST, "/api/v1/session", json!({"email": email, "password": STRONG})).await;
    assert_eq!((s, p["code"].as_str()), (401, Some("second_factor_needed")));
    // The code used at enrolment cannot be replayed.
    let (s, _) = c2.json(Method::POST, "/api/v1/session", json!({"email": email, "password": STRONG, "code": code})).await;
    assert_eq!(s, 422, "replayed TOTP refused");
    // A recovery code works once.
    let (s, info) = c2.json(Method::POST, "/api/v1/session", json!({"email": email, "password": STRONG, "code": codes[0].to_uppercase()})).await;
    assert_eq!(s, 201);
    assert_eq!(info["second_factor"], true);
    server.smtp.wait_for(&email, "obnovitvena").await;
    let c3 = server.client();
    let (s, _) = c3.json(Method::POST, "/api/v1/session", json!({"email": email, "password": STRONG, "code": codes[0]})).await;
    assert_eq!(s, 422, "a recovery code works only once");

    // HTML: password, then the code page.
    let c4 = server.client();
    let r = c4.submit("/login", "/login", &[("email", &email), ("password", STRONG)]).await;
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login/2fa"));
    let r = c4.submit("/login/2fa", "/login/2fa", &[("code", &codes[1])]).await;
    assert_eq!(r.status(), 303);
    let (s, _) = c4.get_text("/account").await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn sessions_are_listed_and_can_be_ended() {
    let server = Server::start().await;
    let email = unique_email("seje");
    let phone = server.client();
    phone.citizen(&server, &email).await;
    let laptop = server.client();
    let (s, _) = laptop.json(Method::POST, "/api/v1/session", json!({"email": email, "password": STRONG})).await;
    assert_eq!(s, 201);
    let (_, html) = laptop.get_text("/account/sessions").await;
    let handles: Vec<String> =
        regex_lite::Regex::new(r#"name="handle" value="([0-9a-f]{16})""#).unwrap().captures_iter(&html).map(|c| c[1].to_string()).collect();
    assert_eq!(handles.len(), 2, "{html}");
    assert!(html.contains("ta seja"));
    // End the other session: the row not marked as this one.
    let other_row = html.split("<tr>").find(|row| row.contains("name=\"handle\"") && !row.contains("ta seja")).unwrap();
    let target = handles.iter().find(|h| other_row.contains(h.as_str())).unwrap().clone();
    let r = laptop.submit("/account/sessions", "/account/sessions/end", &[("handle", &target)]).await;
    assert_eq!(r.status(), 303);
    let (s1, _) = phone.json(Method::GET, "/api/v1/me", json!(null)).await;
    let (s2, _) = laptop.json(Method::GET, "/api/v1/me", json!(null)).await;
    assert_eq!((s1, s2), (401, 200), "the phone session ended, the laptop one goes on");
}

#[tokio::test]
async fn credential_changes_need_the_password_again() {
    let server = Server::start().await;
    let c = server.client();
    let email = unique_email("geslo");
    c.citizen(&server, &email).await;
    // A fresh session alone (a stolen cookie, say) cannot change the password.
    let r = c.submit("/account/password", "/account/password", &[("new_password", "a brand new passphrase 2026")]).await;
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/account/reauth"));
    let (s, body) = c.json(Method::POST, "/api/v1/session", json!({"email": email, "password": "a brand new passphrase 2026"})).await;
    assert_eq!(s, 401, "not changed without re-authentication: {body}");
    let r = c.submit("/account/reauth", "/account/reauth", &[("password", "not my password"), ("next", "/account/password")]).await;
    assert_eq!(r.status(), 422, "a wrong password does not open the window");
    let r = c.submit("/account/email", "/account/email", &[("email", "other@example.si")]).await;
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/account/reauth"));
}

#[tokio::test]
async fn password_change_signs_out_other_sessions_and_sends_mail() {
    let server = Server::start().await;
    let email = unique_email("menjava");
    let a = server.client();
    a.citizen(&server, &email).await;
    let b = server.client();
    b.json(Method::POST, "/api/v1/session", json!({"email": email, "password": STRONG})).await;
    a.reauth().await;
    let r = a.submit("/account/password", "/account/password", &[("new_password", "a brand new passphrase 2026")]).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    server.smtp.wait_for(&email, "Geslo je bilo spremenjeno").await;
    let (s, _) = b.json(Method::GET, "/api/v1/me", json!(null)).await;
    assert_eq!(s, 401);
    let (s, _) = a.json(Method::GET, "/api/v1/me", json!(null)).await;
    assert_eq!(s, 200);
    let (s, _) = server.client().json(Method::POST, "/api/v1/session", json!({"email": email, "password": "a brand new passphrase 2026"})).await;
    assert_eq!(s, 201);
}

#[tokio::test]
async fn deleting_the_account_erases_personal_data_and_keeps_a_pseudonymous_audit_trail() {
    let server = Server::start().await;
    let c = server.client();
    let email = unique_email("brisi");
    c.citizen(&server, &email).await;
    let (_, me) = c.json(Method::GET, "/api/v1/me", json!(null)).await;
    let id = me["id"].as_str().unwrap().to_string();
    c.json(Method::PUT, "/api/v1/me/profile", json!({"emso": "0101006500006", "name": "Janez Kranjski"})).await;
    let (_, page) = c.get_text("/account/delete").await;
    assert!(page.contains("ZVOP-2"), "the page says what is kept and why");
    let r = c.submit("/account/delete", "/account/delete", &[("password", "wrong one")]).await;
    assert_eq!(r.status(), 422);
    let r = c.submit("/account/delete", "/account/delete", &[("password", STRONG)]).await;
    assert_eq!(r.status(), 200);
    let (s, _) = server.client().json(Method::POST, "/api/v1/session", json!({"email": email, "password": STRONG})).await;
    assert_eq!(s, 401);
    let out = server.cli(&["audit", "verify"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    // The same address can register again as a new person.
    let (s, _) = server.client().json(Method::POST, "/api/v1/accounts", json!({"email": email, "password": STRONG})).await;
    assert_eq!(s, 202);
    if !server.is_postgres() {
        let mut bytes = std::fs::read(server.sqlite_path()).unwrap();
        bytes.extend(std::fs::read(server.data_dir.join("obcina.sqlite3-wal")).unwrap_or_default());
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("Janez Kranjski"));
        assert!(text.contains(&format!("account:{id}")), "the audit trail keeps the pseudonymous id");
    }
}

#[tokio::test]
async fn a_new_email_address_takes_effect_only_when_its_owner_confirms_it() {
    let server = Server::start().await;
    let c = server.client();
    let old = unique_email("stari");
    let new = unique_email("novi");
    c.citizen(&server, &old).await;
    c.reauth().await;
    let r = c.submit("/account/email", "/account/email", &[("email", &new)]).await;
    assert_eq!(r.status(), 200);
    server.smtp.wait_for(&old, "Zahteva za zamenjavo").await;
    // Until confirmed, the old address is the one that signs in.
    let (s, _) = server.client().json(Method::POST, "/api/v1/session", json!({"email": new, "password": STRONG})).await;
    assert_eq!(s, 401);
    let mail = server.smtp.wait_for(&new, "Potrdite novi").await;
    let (s, _) = server.client().get_text(&link(&mail.body, "/confirm-email?token=")).await;
    assert_eq!(s, 200);
    let (s, _) = server.client().json(Method::POST, "/api/v1/session", json!({"email": new, "password": STRONG})).await;
    assert_eq!(s, 201);
    let (s, _) = server.client().json(Method::POST, "/api/v1/session", json!({"email": old, "password": STRONG})).await;
    assert_eq!(s, 401);
    server.smtp.wait_for(&old, "spremenjen").await;
}

/// The GDPR export holds what every service keeps about the person, and
/// erasure takes it away there too: the report stays public without its
/// reporter, the proposal without its author, the delivery log without them.
#[tokio::test]
async fn the_export_and_the_erasure_reach_every_service_that_holds_personal_data() {
    let server = Server::start().await;
    let c = server.client();
    let email = unique_email("izbris");
    c.citizen(&server, &email).await;
    let (_, me) = c.json(Method::GET, "/api/v1/me", json!(null)).await;
    let account = me["id"].as_str().unwrap().to_string();

    let (s, report) = c
        .json(
            Method::POST,
            "/api/v1/reports",
            json!({"category": "waste", "description": "Prepoln zabojnik pri vrtcu", "lat": 46.4195, "lon": 15.8702, "name": "Meta Zasebna", "phone": "041555111"}),
        )
        .await;
    assert_eq!(s, 201, "{report}");
    let report_id = report["id"].as_i64().unwrap();
    let (s, p) = c
        .json(
            Method::POST,
            "/api/v1/participation/proposals",
            json!({"kind": "proposal", "area": "environment", "title": "Več dreves na Novem trgu", "text": "Predlagam zasaditev lip ob robu Novega trga, da bo poleti več sence."}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    let (s, q) = c
        .json(
            Method::POST,
            "/api/v1/participation/questions",
            json!({"title": "Odvoz kosovnih odpadkov", "text": "Kdaj je naslednji odvoz kosovnih odpadkov v Budini?"}),
        )
        .await;
    assert_eq!(s, 201, "{q}");
    // The demo's open survey, answered with the first option of each question.
    let (_, surveys) = c.json(Method::GET, "/api/v1/participation/surveys", json!(null)).await;
    let open = surveys.as_array().unwrap().iter().find(|s| s["state"] == "open").expect("the demo has an open survey");
    let survey_id = open["id"].as_str().unwrap();
    let (_, survey) = c.json(Method::GET, &format!("/api/v1/participation/surveys/{survey_id}"), json!(null)).await;
    let answers: Vec<serde_json::Value> = survey["questions"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, q)| match q["kind"]["type"].as_str().unwrap() {
            "single" => json!({"question": i, "choice": 0}),
            "multiple" => json!({"question": i, "choices": [0]}),
            "scale" => json!({"question": i, "value": q["kind"]["min"]}),
            _ => json!({"question": i, "text": "Odgovor za izvoz"}),
        })
        .collect();
    let (s, r) = c.json(Method::POST, &format!("/api/v1/participation/surveys/{survey_id}/responses"), json!({"answers": answers})).await;
    assert_eq!(s, 201, "{r}");
    let (s, saved) = c
        .json(
            Method::PUT,
            "/api/v1/notify/settings",
            json!({"topics": [{"topic": "road_works", "channels": ["sms", "app"]}, {"topic": "my_reports", "channels": ["app"]}], "phone": "041123456", "share_location": false}),
        )
        .await;
    assert_eq!(s, 200, "{saved}");

    let (s, export) = c.json(Method::GET, "/api/v1/me/export", json!(null)).await;
    assert_eq!(s, 200);
    let services = &export["services"];
    let mine = &services["reports"][0];
    assert_eq!((mine["id"].as_i64(), mine["contact"]["name"].as_str()), (Some(report_id), Some("Meta Zasebna")), "{services}");
    assert_eq!(services["participation"]["proposals"][0]["title"], "Več dreves na Novem trgu", "{services}");
    assert_eq!(services["participation"]["questions"][0]["title"], "Odvoz kosovnih odpadkov", "{services}");
    assert_eq!(services["participation"]["survey_responses"][0]["survey"], survey_id, "{services}");
    assert_eq!(services["notifications"]["settings"]["phone"], "+38641123456", "{services}");
    assert!(services["participatory_budget"]["voted_in"].is_array(), "{services}");
    // The report's acknowledgement reaches the delivery log through the outbox.
    let logged = format!("SELECT COUNT(*) FROM notify_deliveries WHERE account_id = '{account}'");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while server.query_i64(&logged).await[0] == 0 {
        assert!(std::time::Instant::now() < deadline, "the report's acknowledgement never reached the delivery log");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    let r = c.submit("/account/delete", "/account/delete", &[("password", STRONG)]).await;
    assert_eq!(r.status(), 200);
    let left = server
        .query_i64(&format!(
            "SELECT COUNT(*) FROM reports WHERE id = {report_id} AND account_id IS NULL AND reporter_name_enc IS NULL AND reporter_phone_enc IS NULL AND reporter_email_enc IS NULL"
        ))
        .await;
    assert_eq!(left, vec![1], "the report stays, without its reporter");
    assert_eq!(server.query_i64(&logged).await, vec![0], "no delivery names the erased account");
    assert_eq!(server.query_i64(&format!("SELECT COUNT(*) FROM participation_proposals WHERE author_id = '{account}'")).await, vec![0]);
    let (s, public) = server.client().json(Method::GET, &format!("/api/v1/reports/{report_id}"), json!(null)).await;
    assert_eq!(s, 200, "{public}");
}
