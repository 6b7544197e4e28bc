//! Starts the real `obcina` binary on a free port with a fresh database
//! (SQLite in a temporary directory, or a new PostgreSQL database when
//! OBCINA_TEST_DATABASE_URL is set) and a real SMTP listener that keeps
//! every message, and hands tests an HTTP client.

use reqwest::Method;
use serde_json::json;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};

pub const BIN: &str = env!("CARGO_BIN_EXE_obcina");
pub const STRONG: &str = "vinska klet ob dravi 1908";

/// A message received by the SMTP sink, decoded.
#[derive(Clone, Debug)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Clone, Default)]
pub struct SmtpSink {
    pub mails: Arc<Mutex<Vec<Mail>>>,
    pub port: u16,
}

impl SmtpSink {
    /// A minimal SMTP server (RFC 5321 subset: EHLO, MAIL, RCPT, DATA, QUIT).
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let store = mails.clone();
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                let store = store.clone();
                tokio::spawn(async move {
                    let (r, mut w) = sock.into_split();
                    let mut lines = BufReader::new(r).lines();
                    let _ = w.write_all(b"220 sink ESMTP\r\n").await;
                    let mut to = String::new();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let upper = line.to_ascii_uppercase();
                        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                            let _ = w.write_all(b"250-sink\r\n250 8BITMIME\r\n").await;
                        } else if upper.starts_with("RCPT TO:") {
                            to = line[8..].trim().trim_matches(['<', '>']).to_string();
                            let _ = w.write_all(b"250 OK\r\n").await;
                        } else if upper.starts_with("DATA") {
                            let _ = w.write_all(b"354 go ahead\r\n").await;
                            let mut data = vec![];
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                data.push(l.strip_prefix('.').map(str::to_string).filter(|_| l.starts_with("..")).unwrap_or(l));
                            }
                            store.lock().unwrap().push(parse_mail(&to, &data));
                            let _ = w.write_all(b"250 queued\r\n").await;
                        } else if upper.starts_with("QUIT") {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            return;
                        } else {
                            let _ = w.write_all(b"250 OK\r\n").await;
                        }
                    }
                });
            }
        });
        SmtpSink { mails, port }
    }

    /// Wait for a message to `to` whose subject contains `subject`.
    pub async fn wait_for(&self, to: &str, subject: &str) -> Mail {
        for _ in 0..100 {
            if let Some(m) = self.mails.lock().unwrap().iter().find(|m| m.to.eq_ignore_ascii_case(to) && m.subject.contains(subject)) {
                return m.clone();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "no mail to {to} with subject containing {subject:?}; got {:?}",
            self.mails.lock().unwrap().iter().map(|m| (&m.to, &m.subject)).collect::<Vec<_>>()
        );
    }
}

fn parse_mail(to: &str, lines: &[String]) -> Mail {
    let split = lines.iter().position(|l| l.is_empty()).unwrap_or(lines.len());
    let headers = &lines[..split];
    let header = |name: &str| {
        headers
            .iter()
            .find(|h| h.to_ascii_lowercase().starts_with(&format!("{}:", name.to_ascii_lowercase())))
            .map(|h| h[name.len() + 1..].trim().to_string())
            .unwrap_or_default()
    };
    let raw_body = lines[(split + 1).min(lines.len())..].join("\r\n");
    let encoding = header("Content-Transfer-Encoding").to_ascii_lowercase();
    let body = match encoding.as_str() {
        "base64" => {
            use base64::Engine;
            String::from_utf8(base64::engine::general_purpose::STANDARD.decode(raw_body.replace("\r\n", "")).unwrap_or_default()).unwrap_or_default()
        }
        "quoted-printable" => decode_qp(&raw_body),
        _ => raw_body,
    };
    Mail { to: to.to_string(), subject: decode_subject(&header("Subject")), body }
}

fn decode_qp(s: &str) -> String {
    let s = s.replace("=\r\n", "");
    let bytes = s.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 3 <= bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// RFC 2047 encoded words (`=?utf-8?b?…?=` / `=?utf-8?q?…?=`); the space
/// between two encoded words is dropped, any other space kept.
fn decode_subject(s: &str) -> String {
    use base64::Engine;
    let mut out = String::new();
    let mut after_encoded = false;
    for word in s.split_whitespace() {
        if let Some(inner) = word.strip_prefix("=?").and_then(|w| w.strip_suffix("?=")) {
            let parts: Vec<&str> = inner.splitn(3, '?').collect();
            if parts.len() == 3 {
                let text = if parts[1].eq_ignore_ascii_case("b") {
                    String::from_utf8_lossy(&base64::engine::general_purpose::STANDARD.decode(parts[2]).unwrap_or_default()).into_owned()
                } else {
                    decode_qp(&parts[2].replace('_', " "))
                };
                if !out.is_empty() && !after_encoded {
                    out.push(' ');
                }
                out.push_str(&text);
                after_encoded = true;
                continue;
            }
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        after_encoded = false;
    }
    out
}

/// Extract the first link to `path` (e.g. "/confirm?token=") from a text.
pub fn link(body: &str, path: &str) -> String {
    let start = body.find(path).unwrap_or_else(|| panic!("no {path} link in {body}"));
    let rest = &body[start..];
    let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
    rest[..end].to_string()
}

pub struct Server {
    pub url: String,
    /// host:port of the embedded MQTT broker.
    pub mqtt: String,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub smtp: SmtpSink,
    pub config: Option<PathBuf>,
    _tmp: Arc<tempfile::TempDir>,
    child: Option<Child>,
    pub log: Arc<Mutex<String>>,
}

/// A fresh PostgreSQL database for one test, if the suite runs on PostgreSQL.
async fn fresh_postgres() -> Option<String> {
    let admin = match std::env::var("OBCINA_TEST_DATABASE_URL") {
        Ok(u) => u,
        Err(_) => {
            if std::env::var("OBCINA_REQUIRE_POSTGRES").is_ok() {
                panic!("OBCINA_REQUIRE_POSTGRES set but no OBCINA_TEST_DATABASE_URL");
            }
            return None;
        }
    };
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect to test PostgreSQL");
    let name = format!("obcina_t_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    Some(format!("{base}/{name}"))
}

impl Server {
    pub async fn start() -> Server {
        Self::start_with_config("").await
    }

    /// Start with extra TOML configuration (policies) for this test.
    pub async fn start_with_config(toml: &str) -> Server {
        let tmp = Arc::new(tempfile::tempdir().unwrap());
        let data_dir = tmp.path().join("data");
        let config = (!toml.is_empty()).then(|| {
            let p = tmp.path().join("obcina.toml");
            std::fs::write(&p, toml).unwrap();
            p
        });
        let mut s = Server {
            url: String::new(),
            mqtt: String::new(),
            data_dir,
            database_url: fresh_postgres().await,
            smtp: SmtpSink::start().await,
            config,
            _tmp: tmp,
            child: None,
            log: Arc::default(),
        };
        s.launch().await;
        s
    }

    /// Another process on the same PostgreSQL database, with the same data
    /// directory (its keys) and configuration, as behind a load balancer.
    pub async fn beside(&self) -> Server {
        assert!(self.is_postgres(), "several processes share PostgreSQL only");
        let mut s = Server {
            url: String::new(),
            mqtt: String::new(),
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            smtp: SmtpSink::start().await,
            config: self.config.clone(),
            _tmp: self._tmp.clone(),
            child: None,
            log: Arc::default(),
        };
        s.launch().await;
        s
    }

    pub fn storage_args(&self) -> Vec<String> {
        let mut a = vec!["--data-dir".to_string(), self.data_dir.display().to_string()];
        if let Some(u) = &self.database_url {
            a.extend(["--database-url".to_string(), u.clone()]);
        }
        if let Some(c) = &self.config {
            a.extend(["--config".to_string(), c.display().to_string()]);
        }
        a
    }

    async fn launch(&mut self) {
        let mut cmd = Command::new(BIN);
        cmd.arg("serve")
            .args(self.storage_args())
            .args(["--listen", "127.0.0.1:0", "--mqtt-listen", "127.0.0.1:0", "--smtp-url"])
            // A benchmark may point the server at another SMTP server (scripts/bench-alerts: Postfix's smtp-sink).
            .arg(std::env::var("OBCINA_TEST_SMTP_URL").unwrap_or_else(|_| format!("smtp://127.0.0.1:{}", self.smtp.port)));
        cmd.env("OBCINA_LOG", "info").stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
        let mut child = cmd.spawn().expect("start obcina");
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = self.log.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(l)) = lines.next_line().await {
                log.lock().unwrap().push_str(&l);
                log.lock().unwrap().push('\n');
            }
        });
        let mqtt: Arc<Mutex<String>> = Arc::default();
        let mut lines = BufReader::new(stdout).lines();
        let url = tokio::time::timeout(Duration::from_secs(60), async {
            while let Ok(Some(l)) = lines.next_line().await {
                if let Some(rest) = l.strip_prefix("MQTT broker listening on ") {
                    *mqtt.lock().unwrap() = rest.trim().to_string();
                }
                if let Some(rest) = l.strip_prefix("obcina is ready at ") {
                    return rest.split_whitespace().next().unwrap().to_string();
                }
            }
            panic!("server exited before it was ready; log:\n{}", self.log.lock().unwrap());
        })
        .await
        .expect("server ready within 60 s");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        self.url = url;
        self.mqtt = mqtt.lock().unwrap().clone();
        self.child = Some(child);
    }

    /// SIGKILL: no chance to flush anything.
    pub async fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.start_kill().unwrap();
            let _ = c.wait().await;
        }
    }

    pub async fn restart(&mut self) {
        self.kill9().await;
        self.launch().await;
    }

    pub fn client(&self) -> Client {
        Client::new(&self.url)
    }

    /// Run a CLI subcommand against this server's storage.
    pub fn cli(&self, args: &[&str], stdin: Option<&str>) -> std::process::Output {
        let mut cmd = std::process::Command::new(BIN);
        cmd.args(args);
        if !matches!(args.first(), Some(&"restore")) {
            cmd.args(self.storage_args());
        }
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        if let Some(input) = stdin {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        }
        child.wait_with_output().unwrap()
    }

    pub fn is_postgres(&self) -> bool {
        self.database_url.is_some()
    }

    pub fn sqlite_path(&self) -> PathBuf {
        self.data_dir.join("obcina.sqlite3")
    }

    /// Raw SQL against the server's database, for tests that play the attacker.
    pub async fn try_sql(&self, sql: &str) -> Result<(), String> {
        use sqlx::Connection;
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match &self.database_url {
            Some(u) => {
                let mut c = sqlx::PgConnection::connect(u).await.map_err(|e| e.to_string())?;
                sqlx::raw_sql(sql).execute(&mut c).await.map(|_| ()).map_err(|e| e.to_string())
            }
            None => {
                let mut c =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", self.sqlite_path().display())).await.map_err(|e| e.to_string())?;
                sqlx::raw_sql(sql).execute(&mut c).await.map(|_| ()).map_err(|e| e.to_string())
            }
        }
    }

    /// The first column of every row, as integers.
    pub async fn query_i64(&self, sql: &str) -> Vec<i64> {
        use sqlx::{Connection, Row};
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match &self.database_url {
            Some(u) => {
                let mut c = sqlx::PgConnection::connect(u).await.unwrap();
                sqlx::query(sql).fetch_all(&mut c).await.unwrap().iter().map(|r| r.get::<i64, _>(0)).collect()
            }
            None => {
                let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", self.sqlite_path().display())).await.unwrap();
                sqlx::query(sql).fetch_all(&mut c).await.unwrap().iter().map(|r| r.get::<i64, _>(0)).collect()
            }
        }
    }

    /// The first column of every row, as text.
    pub async fn query_strings(&self, sql: &str) -> Vec<String> {
        use sqlx::{Connection, Row};
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match &self.database_url {
            Some(u) => {
                let mut c = sqlx::PgConnection::connect(u).await.unwrap();
                sqlx::query(sql).fetch_all(&mut c).await.unwrap().iter().map(|r| r.get::<String, _>(0)).collect()
            }
            None => {
                let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", self.sqlite_path().display())).await.unwrap();
                sqlx::query(sql).fetch_all(&mut c).await.unwrap().iter().map(|r| r.get::<String, _>(0)).collect()
            }
        }
    }

    pub async fn sql(&self, sql: &str) {
        self.try_sql(sql).await.unwrap()
    }

    pub fn log_text(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

/// Serve a restored data directory (SQLite, no MQTT broker); its URL once
/// ready, empty if it stopped before.
pub async fn serve_restored(data_dir: &std::path::Path) -> (tokio::process::Child, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--data-dir", data_dir.to_str().unwrap(), "--listen", "127.0.0.1:0", "--mqtt-listen", "off"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while let Some(l) = lines.next_line().await.unwrap() {
        if let Some(rest) = l.strip_prefix("obcina is ready at ") {
            return (child, rest.split_whitespace().next().unwrap().to_string());
        }
    }
    (child, String::new())
}

/// An HTTP client with its own cookie jar, following no redirects.
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
}

impl Client {
    pub fn new(base: &str) -> Client {
        let http = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Client { base: base.to_string(), http }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(format!("{}{path}", self.base)).send().await.unwrap()
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        let s = r.status().as_u16();
        (s, r.text().await.unwrap())
    }

    pub async fn json(&self, method: reqwest::Method, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let r = self.http.request(method, format!("{}{path}", self.base)).json(&body).send().await.unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// GET a page, take its CSRF token, and POST the form to `action`.
    pub async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let (_, html) = self.get_text(page).await;
        let token = csrf_token(&html);
        let mut form: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        form.extend_from_slice(fields);
        self.http.post(format!("{}{action}", self.base)).form(&form).send().await.unwrap()
    }

    /// Enter the password again, as credential changes require.
    pub async fn reauth(&self) {
        let r = self.submit("/account/reauth", "/account/reauth", &[("password", STRONG), ("next", "/account")]).await;
        assert_eq!(r.status(), 303, "re-authentication accepted");
    }

    /// Register, confirm from the e-mail, and sign in through the API.
    pub async fn citizen(&self, server: &Server, email: &str) {
        let (s, _) = self.json(reqwest::Method::POST, "/api/v1/accounts", serde_json::json!({"email": email, "password": STRONG})).await;
        assert_eq!(s, 202);
        let mail = server.smtp.wait_for(email, "").await;
        let token = link(&mail.body, "/confirm?token=").trim_start_matches("/confirm?token=").to_string();
        let (s, _) = self.json(reqwest::Method::POST, "/api/v1/accounts/confirm", serde_json::json!({"token": token})).await;
        assert_eq!(s, 204);
        let (s, body) = self.json(reqwest::Method::POST, "/api/v1/session", serde_json::json!({"email": email, "password": STRONG})).await;
        assert_eq!(s, 201, "{body}");
    }
}

pub fn csrf_token(html: &str) -> String {
    let re = regex_lite::Regex::new(r#"name="_csrf" value="([^"]+)""#).unwrap();
    re.captures(html).map(|c| c[1].to_string()).unwrap_or_else(|| panic!("no CSRF token in page: {html}"))
}

/// The TOTP secret shown on the 2FA page.
pub fn totp_secret(html: &str) -> String {
    let re = regex_lite::Regex::new(r#"<code class="secret">([A-Z2-7]+)</code>"#).unwrap();
    re.captures(html).map(|c| c[1].to_string()).unwrap_or_else(|| panic!("no TOTP secret in page: {html}"))
}

pub fn totp_now(secret: &str, offset_steps: i64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_string()).to_bytes().unwrap();
    let t = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes, None, "x".into()).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    t.generate((now + offset_steps * 30) as u64)
}

pub fn unique_email(tag: &str) -> String {
    format!("{tag}.{}@example.si", &uuid::Uuid::new_v4().simple().to_string()[..10])
}

/// A staff member, DTO or administrator created by the CLI and signed in (no 2FA yet).
pub async fn privileged(server: &Server, role: &str, email: &str) -> Client {
    privileged_in(server, role, email, "Urad župana").await
}

/// The same, in a given department.
pub async fn privileged_in(server: &Server, role: &str, email: &str, department: &str) -> Client {
    let out =
        server.cli(&["user", "add", "--email", email, "--role", role, "--department", department, "--password-stdin"], Some(&format!("{STRONG}\n")));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let c = server.client();
    let (s, body) = c.json(Method::POST, "/api/v1/session", json!({"email": email, "password": STRONG})).await;
    assert_eq!(s, 201, "{body}");
    c
}

/// Turn on TOTP for a signed-in client; returns the secret.
pub async fn enable_totp(c: &Client) -> String {
    c.reauth().await;
    let (s, html) = c.get_text("/account/2fa").await;
    assert_eq!(s, 200, "{html}");
    let secret = totp_secret(&html);
    let r = c.submit("/account/2fa", "/account/2fa/enable", &[("code", &totp_now(&secret, 0))]).await;
    assert_eq!(r.status(), 200);
    secret
}

/// An administrator with 2FA issues an integration token with these scopes.
pub async fn integration_token(admin: &Client, scopes: &[&str]) -> String {
    let mut fields = vec![("name", "Integracija")];
    fields.extend(scopes.iter().map(|s| ("scope", *s)));
    let r = admin.submit("/staff/tokens", "/staff/tokens", &fields).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    regex_lite::Regex::new(r#"<code class="secret">(obc_[A-Za-z0-9_-]+)</code>"#).unwrap().captures(&html).unwrap()[1].to_string()
}

/// A multipart body by hand (fields, then files), with its content type.
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = format!("----obcina{}", uuid::Uuid::new_v4().simple());
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
    }
    for (name, filename, bytes) in files {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: image/jpeg\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Readings in the line format, with a device or integration token.
pub async fn post_lines(c: &Client, token: &str, lines: &str, precision: &str) -> (u16, serde_json::Value) {
    let r = c
        .http
        .post(format!("{}/api/v1/telemetry/readings?precision={precision}", c.base))
        .bearer_auth(token)
        .header("content-type", "text/plain")
        .body(lines.to_string())
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap())
}
