//! The denials, not only the happy paths.

use crate::harness::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn staff_pages_need_the_role_and_a_second_factor() {
    let server = Server::start().await;
    let citizen = server.client();
    citizen.citizen(&server, &unique_email("obcan")).await;

    // A citizen: 403 problem+json in the API, a translated page in the UI.
    let r = citizen.get("/api/v1/staff/users").await;
    assert_eq!(r.status(), 403);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["code"], "missing_role");
    let (s, html) = citizen.get_text("/staff").await;
    assert_eq!(s, 403);
    assert!(html.contains("Dostop ni dovoljen") && html.contains(r#"lang="sl""#), "{html}");
    citizen.get("/lang/en").await;
    let (_, html) = citizen.get_text("/staff").await;
    assert!(html.contains("Access denied"));

    // Anonymous: 401 in the API, a redirect to sign-in in the UI.
    let anon = server.client();
    assert_eq!(anon.get("/api/v1/staff/users").await.status(), 401);
    let r = anon.get("/staff").await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login?next=%2Fstaff");

    // Staff and administrators: nothing before 2FA.
    let admin_email = unique_email("admin");
    let admin = privileged(&server, "admin", &admin_email).await;
    let r = admin.get("/api/v1/staff/users").await;
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["code"], "second_factor_required");
    let (s, _) = admin.get_text("/staff").await;
    assert_eq!(s, 403);
    enable_totp(&admin).await;
    let (s, users) = admin.json(Method::GET, "/api/v1/staff/users", json!(null)).await;
    assert_eq!(s, 200);
    assert!(users.as_array().unwrap().len() >= 2);
    let (s, html) = admin.get_text("/staff").await;
    assert_eq!(s, 200);
    assert!(html.contains("Urad župana"));

    // Staff (not admin) with 2FA reach the staff area but not role management.
    let staff = privileged(&server, "staff", &unique_email("referent")).await;
    enable_totp(&staff).await;
    assert_eq!(staff.get_text("/staff").await.0, 200);
    assert_eq!(staff.get("/api/v1/staff/users").await.status(), 403);
    assert_eq!(staff.get_text("/staff/audit").await.0, 403);
    // Staff cannot switch 2FA off.
    let r = staff.submit("/account/2fa", "/account/2fa/disable", &[]).await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("morajo imeti dvofaktorsko preverjanje vedno vklopljeno"), "the reason is shown, not a server error");

    // The staff read of the user list is audited, and so are the refusals.
    let (_, audit) = admin.get_text("/staff/audit").await;
    assert!(audit.contains("identity.users.read"), "{audit}");
    assert!(audit.contains("access.denied") && audit.contains("GET /staff/audit"), "denials are audited: {audit}");
    assert!(audit.contains("Veriga je nedotaknjena"));
}

#[tokio::test]
async fn administrators_manage_roles_in_the_ui() {
    let server = Server::start().await;
    let admin = privileged(&server, "admin", &unique_email("admin")).await;
    enable_totp(&admin).await;
    let rep_email = unique_email("zastopnik");
    let rep = server.client();
    rep.citizen(&server, &rep_email).await;
    let (_, me) = rep.json(Method::GET, "/api/v1/me", json!(null)).await;
    let id = me["id"].as_str().unwrap();

    let action = format!("/staff/users/{id}/role");
    let r = admin.submit("/staff/users", &action, &[("role", "representative"), ("action", "grant"), ("legal_entity_tax_number", "12345678")]).await;
    assert_eq!(r.status(), 422, "a representative needs a valid company tax number");
    let r = admin.submit("/staff/users", &action, &[("role", "representative"), ("action", "grant"), ("legal_entity_tax_number", "50223054")]).await;
    assert_eq!(r.status(), 303);
    let (_, me) = rep.json(Method::GET, "/api/v1/me", json!(null)).await;
    assert_eq!(me["roles"], json!(["citizen", "representative"]));
    let (_, export) = rep.json(Method::GET, "/api/v1/me/export", json!(null)).await;
    assert_eq!(export["roles"][1]["legal_entity_tax_number"], "50223054");

    // A citizen cannot grant roles, even with a valid CSRF token.
    let r = rep.submit("/account", &action, &[("role", "admin"), ("action", "grant")]).await;
    assert_eq!(r.status(), 403);
    let (_, me) = rep.json(Method::GET, "/api/v1/me", json!(null)).await;
    assert!(!me["roles"].as_array().unwrap().contains(&json!("admin")));
}

#[tokio::test]
async fn repeated_failures_slow_down_then_lock_with_the_same_answer_for_unknown_users() {
    let server = Server::start_with_config("[passwords]\nlockout_after = 4\nlockout_minutes = 15\n").await;
    let email = unique_email("napad");
    server.client().citizen(&server, &email).await;
    let c = server.client();
    let mut known = vec![];
    let mut unknown = vec![];
    for _ in 0..5 {
        known.push(
            c.json(Method::POST, "/api/v1/session", json!({"email": email, "password": "not the password"})).await.1["code"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        unknown.push(
            c.json(Method::POST, "/api/v1/session", json!({"email": "nobody@example.si", "password": "not the password"})).await.1["code"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let expected = ["invalid_credentials", "invalid_credentials", "invalid_credentials", "invalid_credentials", "too_many_attempts"];
    assert_eq!(known, expected);
    assert_eq!(unknown, expected, "unknown addresses behave the same");
    // Locked even with the right password, and the answer says when to retry.
    let r = c.http.post(format!("{}/api/v1/session", c.base)).json(&json!({"email": email, "password": STRONG})).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() > 800);
}

#[tokio::test]
async fn personal_data_is_encrypted_at_rest_and_never_logged() {
    let server = Server::start().await;
    let c = server.client();
    let email = unique_email("zasebno");
    c.citizen(&server, &email).await;
    let (s, _) = c.json(Method::PUT, "/api/v1/me/profile", json!({"name": "Ožbej Krambergar", "address": "Prešernova ulica 77", "phone": "+386 41 987 654", "tax_number": "15012557", "emso": "1502985505127"})).await;
    assert_eq!(s, 200);
    if !server.is_postgres() {
        // Look at every byte of the database, WAL included.
        let mut bytes = std::fs::read(server.sqlite_path()).unwrap();
        if let Ok(wal) = std::fs::read(server.data_dir.join("obcina.sqlite3-wal")) {
            bytes.extend(wal);
        }
        let text = String::from_utf8_lossy(&bytes);
        // The street alone is public (a budget project there); the address is not.
        for secret in [email.as_str(), "Krambergar", "Prešernova ulica 77", "987 654", "15012557", "1502985505127", STRONG] {
            assert!(!text.contains(secret), "{secret} is stored in clear");
        }
    }
    let log = server.log_text();
    for secret in [email.as_str(), "Krambergar", "1502985505127", "15012557", STRONG] {
        assert!(!log.contains(secret), "{secret} appears in the server log");
    }
}

#[tokio::test]
async fn audit_verify_detects_a_changed_or_removed_entry() {
    let server = Server::start().await;
    let c = server.client();
    c.citizen(&server, &unique_email("revizija")).await;
    let out = server.cli(&["audit", "verify"], None);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact"));

    // The table refuses changes...
    let refused = server.try_sql("UPDATE audit_log SET outcome = 'denied' WHERE seq = 1").await;
    assert!(refused.unwrap_err().contains("append-only"), "the audit log is append-only");
    // ...and if an attacker removes the guard, verify notices.
    let drop_guard = if server.is_postgres() {
        "DROP TRIGGER audit_log_no_change ON audit_log"
    } else {
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete"
    };
    server.sql(drop_guard).await;
    server.sql("UPDATE audit_log SET outcome = 'denied' WHERE seq = 2").await;
    let out = server.cli(&["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("entry 2 was changed"));
    server.sql("UPDATE audit_log SET outcome = 'ok' WHERE seq = 2").await;
    assert!(server.cli(&["audit", "verify"], None).status.success(), "restored entry verifies again");
    server.sql("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)").await;
    let out = server.cli(&["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(1), "a removed last entry is noticed too");
    // A cleverer attacker also moves the head back; the anchor outside the database still tells.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    server
        .sql("UPDATE audit_head SET seq = (SELECT MAX(seq) FROM audit_log), mac = (SELECT mac FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)) WHERE id = 1")
        .await;
    let out = server.cli(&["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("outside the database"));
}

#[tokio::test]
async fn key_rotation_reencrypts_and_keeps_data_readable() {
    let mut server = Server::start().await;
    let c = server.client();
    let email = unique_email("kljuc");
    c.citizen(&server, &email).await;
    c.json(Method::PUT, "/api/v1/me/profile", json!({"name": "Tina Kos", "emso": "0101990500003"})).await;
    server.kill9().await;
    let out = server.cli(&["keys", "rotate"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("re-encrypted"));
    let keys = std::fs::read_to_string(server.data_dir.join("keys.toml")).unwrap();
    assert!(keys.contains("active = \"k2\""), "{keys}");
    server.restart().await;
    let c = server.client();
    let (s, _) = c.json(Method::POST, "/api/v1/session", json!({"email": email, "password": STRONG})).await;
    assert_eq!(s, 201, "e-mail lookup still works after rotation");
    let (_, me) = c.json(Method::GET, "/api/v1/me", json!(null)).await;
    assert_eq!(me["profile"]["emso"], "0101990500003");
}

#[tokio::test]
async fn forced_password_change_and_staff_idle_timeout() {
    let server = Server::start_with_config("[sessions]\nstaff_idle_minutes = 0\n").await;
    let email = unique_email("osebje");
    let staff = privileged(&server, "staff", &email).await;
    // With a zero idle limit the staff session is gone at the next request.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let (s, _) = staff.json(Method::GET, "/api/v1/me", json!(null)).await;
    assert_eq!(s, 401, "idle staff session ended");

    // Citizens keep theirs (their idle limit is a week).
    let citizen = server.client();
    let cemail = unique_email("obcan");
    citizen.citizen(&server, &cemail).await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(citizen.json(Method::GET, "/api/v1/me", json!(null)).await.0, 200);

    let out = server.cli(&["user", "force-password-change", "--email", &cemail], None);
    assert!(out.status.success());
    let (s, _) = citizen.json(Method::GET, "/api/v1/me", json!(null)).await;
    assert_eq!(s, 401, "sessions end with the compromised password");
    let (s, _) = citizen.json(Method::POST, "/api/v1/session", json!({"email": cemail, "password": STRONG})).await;
    assert_eq!(s, 201);
    let (_, html) = citizen.get_text("/account").await;
    assert!(html.contains("zamenjati geslo"), "the person is told to change the password: {html}");
    assert_eq!(citizen.get("/api/v1/me/export").await.status(), 200, "their own data stays reachable");
}

#[tokio::test]
async fn api_tokens_carry_scopes_and_can_be_revoked() {
    let server = Server::start().await;
    let admin = privileged(&server, "admin", &unique_email("admin")).await;
    enable_totp(&admin).await;
    let r = admin.submit("/staff/tokens", "/staff/tokens", &[("name", "Senzor Drava"), ("scope", "telemetry:write")]).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let secret = regex_lite::Regex::new(r#"<code class="secret">(obc_[A-Za-z0-9_-]+)</code>"#).unwrap().captures(&html).unwrap()[1].to_string();
    let machine = server.client();
    let r = machine.http.get(format!("{}/api/v1/token", machine.base)).bearer_auth(&secret).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["scopes"], json!(["telemetry:write"]));
    // A machine is not a person.
    let r = machine.http.get(format!("{}/api/v1/me", machine.base)).bearer_auth(&secret).send().await.unwrap();
    assert_eq!(r.status(), 403);
    // Revoked tokens stop working.
    let id = regex_lite::Regex::new(r#"/staff/tokens/([0-9a-f-]+)/revoke"#).unwrap().captures(&html).unwrap()[1].to_string();
    let r = admin.submit("/staff/tokens", &format!("/staff/tokens/{id}/revoke"), &[]).await;
    assert_eq!(r.status(), 303);
    let r = machine.http.get(format!("{}/api/v1/token", machine.base)).bearer_auth(&secret).send().await.unwrap();
    assert_eq!(r.status(), 401);
    // Unknown scopes are refused.
    let r = admin.submit("/staff/tokens", "/staff/tokens", &[("name", "x"), ("scope", "everything")]).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("alert"));
}

#[tokio::test]
async fn a_parallel_burst_of_guesses_gets_no_more_tries_than_the_lockout_allows() {
    let server = Server::start_with_config("[passwords]\nlockout_after = 4\nlockout_minutes = 15\n").await;
    let email = unique_email("roj");
    server.client().citizen(&server, &email).await;
    let mut tasks = vec![];
    for _ in 0..20 {
        let c = server.client();
        let email = email.clone();
        tasks
            .push(tokio::spawn(async move { c.json(Method::POST, "/api/v1/session", json!({"email": email, "password": "a wrong guess"})).await.0 }));
    }
    let mut statuses = vec![];
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + refused, 20, "{statuses:?}");
    assert!(checked <= 4, "only the allowed number of guesses was checked: {statuses:?}");
}

#[tokio::test]
async fn many_parallel_correct_sign_ins_do_not_lock_the_account() {
    let server = Server::start_with_config("[passwords]\nlockout_after = 4\nlockout_minutes = 15\n").await;
    let email = unique_email("hkrati");
    server.client().citizen(&server, &email).await;
    let mut tasks = vec![];
    for _ in 0..12 {
        let c = server.client();
        let email = email.clone();
        tasks.push(tokio::spawn(async move { c.json(Method::POST, "/api/v1/session", json!({"email": email, "password": STRONG})).await.0 }));
    }
    for t in tasks {
        let s = t.await.unwrap();
        assert!(s == 201 || s == 429, "{s}");
    }
    let (s, _) = server.client().json(Method::POST, "/api/v1/session", json!({"email": email, "password": STRONG})).await;
    assert_eq!(s, 201, "the account is not locked by its owner's own sign-ins");
}

#[tokio::test]
async fn staff_sessions_end_at_the_absolute_limit_even_when_active() {
    // Zero hours: the absolute limit has passed at the next request, however busy the session is.
    let server = Server::start_with_config("[sessions]\nstaff_absolute_hours = 0\n").await;
    let staff = privileged(&server, "staff", &unique_email("cas")).await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(staff.json(Method::GET, "/api/v1/me", json!(null)).await.0, 401);
    let citizen = server.client();
    citizen.citizen(&server, &unique_email("obcan")).await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(citizen.json(Method::GET, "/api/v1/me", json!(null)).await.0, 200, "citizens have their own, longer limit");
}

#[tokio::test]
async fn an_old_staff_password_must_be_changed_but_an_old_citizen_password_need_not() {
    let server = Server::start_with_config("[passwords]\nstaff_max_age_days = 180\n").await;
    let staff_email = unique_email("star");
    let staff = privileged(&server, "staff", &staff_email).await;
    enable_totp(&staff).await;
    assert_eq!(staff.get_text("/staff").await.0, 200);
    let citizen = server.client();
    citizen.citizen(&server, &unique_email("obcan")).await;
    // Everyone's password is a year old.
    server.sql("UPDATE accounts SET password_changed_at = password_changed_at - 31536000000").await;
    let r = staff.get("/api/v1/staff/users").await;
    assert_eq!(r.status(), 403);
    let (s, html) = staff.get_text("/staff").await;
    assert_eq!(s, 403, "{html}");
    assert!(staff.get_text("/account").await.1.contains("zamenjati geslo"));
    assert_eq!(citizen.json(Method::GET, "/api/v1/me/export", json!(null)).await.0, 200, "no forced rotation for citizens");
    // A new password opens the staff area again.
    staff.reauth().await;
    let r = staff.submit("/account/password", "/account/password", &[("new_password", "nova dolga fraza za osebje 2026")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(staff.get_text("/staff").await.0, 200);
}
