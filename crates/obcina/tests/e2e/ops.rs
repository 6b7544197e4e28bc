//! Running the platform: health, portal, OpenAPI, durability, backup.

use crate::harness::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn health_portal_languages_and_openapi() {
    let server = Server::start().await;
    let c = server.client();
    let (s, body) = c.get_text("/healthz").await;
    assert_eq!((s, body.as_str()), (200, "ok"));
    assert_eq!(c.get_text("/readyz").await.0, 200);

    let r = c.get("/").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(r.headers()["content-security-policy"].to_str().unwrap().contains("default-src 'self'"));
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"<html lang="sl">"#));
    for group in ["Občani", "Obiskovalci in turisti", "Občinska uprava in javni zavodi", "Pravne osebe"] {
        assert!(html.contains(group), "entry point for {group}");
    }
    assert!(html.contains(r#"rel="manifest""#));

    // A German browser gets German; the choice of English is remembered.
    let r = c.http.get(format!("{}/", c.base)).header("accept-language", "de-AT,de;q=0.9").send().await.unwrap();
    assert!(r.text().await.unwrap().contains(r#"<html lang="de">"#));
    c.get("/lang/en?next=/").await;
    let r = c.http.get(format!("{}/", c.base)).header("accept-language", "de").send().await.unwrap();
    assert!(r.text().await.unwrap().contains(r#"<html lang="en">"#));

    let (s, doc) = c.json(Method::GET, "/api/openapi.json", json!(null)).await;
    assert_eq!(s, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/v1/accounts"]["post"].is_object());
    assert!(c.get_text("/api/docs").await.1.contains("/api/v1/me"));

    let (s, manifest) = c.json(Method::GET, "/manifest.webmanifest", json!(null)).await;
    assert_eq!(s, 200);
    assert_eq!(manifest["display"], "standalone");
    for icon in manifest["icons"].as_array().unwrap() {
        let r = c.get(icon["src"].as_str().unwrap()).await;
        assert_eq!(r.status(), 200, "{icon}");
        assert_eq!(r.headers()["content-type"], icon["type"].as_str().unwrap());
    }
    assert_eq!(c.get_text("/sw.js").await.0, 200);
    assert!(c.get_text("/accessibility").await.1.contains("ZDSMA"));

    let (s, p) = c.json(Method::GET, "/api/v1/nothing-here", json!(null)).await;
    assert_eq!(s, 404, "{p}");
    let (s, metrics) = c.get_text("/metrics").await;
    assert_eq!(s, 200);
    assert!(metrics.contains("obcina_http_requests_total"), "{metrics}");
}

#[tokio::test]
async fn acknowledged_registrations_survive_kill_9() {
    let mut server = Server::start().await;
    let base = server.url.clone();
    let mut tasks = vec![];
    for i in 0..40 {
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let email = unique_email(&format!("burst{i}"));
            let c = Client::new(&base);
            let r = c.http.post(format!("{base}/api/v1/accounts")).json(&json!({"email": email, "password": STRONG})).send().await;
            (email, r.map(|r| r.status().as_u16()).unwrap_or(0))
        }));
    }
    // Kill while the burst is in flight.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    server.kill9().await;
    let mut acknowledged = vec![];
    for t in tasks {
        let (email, status) = t.await.unwrap();
        if status == 202 {
            acknowledged.push(email);
        }
    }
    server.restart().await;
    let c = server.client();
    let (_, orgs) = c.json(Method::GET, "/api/v1/organisations", json!(null)).await;
    assert_eq!(orgs.as_array().unwrap().len(), 22, "demo data is loaded once, not on every start");
    for email in &acknowledged {
        let (s, p) = c.json(Method::POST, "/api/v1/session", json!({"email": email, "password": STRONG})).await;
        assert_eq!((s, p["code"].as_str()), (403, Some("email_not_confirmed")), "{email} was acknowledged, so it must exist");
    }
    println!("{} of 40 registrations acknowledged before kill -9; all present after restart", acknowledged.len());
}

#[tokio::test]
async fn backup_while_writing_then_restore_serves_the_same_data() {
    let server = Server::start().await;
    // On PostgreSQL the snapshot is a logical dump, restored here into SQLite.
    let c = server.client();
    let email = unique_email("backup");
    c.citizen(&server, &email).await;
    c.json(Method::PUT, "/api/v1/me/profile", json!({"name": "Maja Zupan", "emso": "0101006500006"})).await;
    // Keep writing while the snapshot is taken.
    let base = server.url.clone();
    let writer = tokio::spawn(async move {
        for i in 0..15 {
            let c = Client::new(&base);
            c.json(Method::POST, "/api/v1/accounts", json!({"email": unique_email(&format!("w{i}")), "password": STRONG})).await;
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("snap.obk");
    let out = server.cli(&["backup", "--to", file.to_str().unwrap(), "--passphrase-env", "BK_PASS"], None);
    // The passphrase variable is not set for this call: it must refuse, not write in clear.
    assert!(!out.status.success());
    let out = std::process::Command::new(BIN)
        .arg("backup")
        .args(server.storage_args())
        .args(["--to", file.to_str().unwrap(), "--passphrase-env", "BK_PASS"])
        .env("BK_PASS", "standby server passphrase")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    writer.await.unwrap();
    let raw = std::fs::read(&file).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600, "only the owner can read a backup");
    assert!(!String::from_utf8_lossy(&raw).contains("index_key"), "keys are not in clear in an encrypted backup");

    let restored = tmp.path().join("restored");
    let out = std::process::Command::new(BIN)
        .args(["restore", "--from", file.to_str().unwrap(), "--data-dir", restored.to_str().unwrap(), "--passphrase-env", "BK_PASS"])
        .env("BK_PASS", "wrong")
        .output()
        .unwrap();
    assert!(!out.status.success(), "wrong passphrase refused");
    let out = std::process::Command::new(BIN)
        .args(["restore", "--from", file.to_str().unwrap(), "--data-dir", restored.to_str().unwrap(), "--passphrase-env", "BK_PASS"])
        .env("BK_PASS", "standby server passphrase")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // An edited header is refused: it is authenticated with the data.
    let text = String::from_utf8_lossy(&raw).into_owned();
    let edited = text.replacen("\"created_at\":\"2", "\"created_at\":\"1", 1);
    assert_ne!(edited, text);
    let mut forged = edited.as_bytes()[..edited.find('\n').unwrap() + 1].to_vec();
    forged.extend_from_slice(&raw[raw.iter().position(|b| *b == b'\n').unwrap() + 1..]);
    std::fs::write(tmp.path().join("forged.obk"), &forged).unwrap();
    let out = std::process::Command::new(BIN)
        .args([
            "restore",
            "--from",
            tmp.path().join("forged.obk").to_str().unwrap(),
            "--data-dir",
            tmp.path().join("r3").to_str().unwrap(),
            "--passphrase-env",
            "BK_PASS",
        ])
        .env("BK_PASS", "standby server passphrase")
        .output()
        .unwrap();
    assert!(!out.status.success(), "a forged header is refused");

    // A damaged file is refused.
    let mut bad = raw.clone();
    let last = bad.len() - 10;
    bad[last] ^= 0xff;
    std::fs::write(tmp.path().join("bad.obk"), &bad).unwrap();
    let out = std::process::Command::new(BIN)
        .args([
            "restore",
            "--from",
            tmp.path().join("bad.obk").to_str().unwrap(),
            "--data-dir",
            tmp.path().join("r2").to_str().unwrap(),
            "--passphrase-env",
            "BK_PASS",
        ])
        .env("BK_PASS", "standby server passphrase")
        .output()
        .unwrap();
    assert!(!out.status.success());

    // The restored instance serves the same person with the same profile.
    let (mut child, url) = serve_restored(&restored).await;
    let c2 = Client::new(&url);
    let (s, _) = c2.json(Method::POST, "/api/v1/session", json!({"email": email, "password": STRONG})).await;
    assert_eq!(s, 201);
    let (_, me) = c2.json(Method::GET, "/api/v1/me", json!(null)).await;
    assert_eq!(me["profile"]["name"], "Maja Zupan");
    assert_eq!(me["profile"]["emso"], "0101006500006");
    let _ = child.kill().await;
}
