//! Handing one message to its channel: SMTP, the SMS gateway, a push service.
//! Each answers whether to try again later or give up.

use crate::NotifyConfig;
use crate::push::{self, Vapid};
use crate::store::PushSubscription;
use kernel::mail::{Mailer, OutgoingMail};

/// Why a message was not handed over. The text never holds an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Worth another attempt later (network, 5xx, 429).
    Retry(String),
    /// Will not get better (no address, refused for good).
    Permanent(String),
}

/// What to say, already in the recipient's language.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub title: String,
    pub body: String,
    /// Absolute link to read more.
    pub link: Option<String>,
    pub urgent: bool,
}

impl Rendered {
    /// The SMS text: short, with the link; the same words as the other channels.
    pub fn sms(&self) -> String {
        let mut text = format!("{}: {}", self.title, self.body);
        // Three concatenated SMS of 153 GSM characters; a link is worth more than the tail.
        let room = 459 - self.link.as_ref().map_or(0, |l| l.chars().count() + 1);
        if text.chars().count() > room {
            text = text.chars().take(room.saturating_sub(1)).collect::<String>() + "…";
        }
        match &self.link {
            Some(l) => format!("{text} {l}"),
            None => text,
        }
    }
}

pub struct Channels {
    pub mailer: Mailer,
    pub http: reqwest::Client,
    pub config: NotifyConfig,
    pub vapid: Vapid,
}

impl Channels {
    pub fn new(mailer: Mailer, config: NotifyConfig, vapid: Vapid) -> Channels {
        let http = reqwest::Client::builder().timeout(config.channel_timeout()).build().expect("HTTP client");
        Channels { mailer, http, config, vapid }
    }

    pub async fn email(&self, to: &str, m: &Rendered, footer: &str) -> Result<(), Failure> {
        let mut body = m.body.clone();
        if let Some(l) = &m.link {
            body.push_str("\n\n");
            body.push_str(l);
        }
        body.push_str("\n\n-- \n");
        body.push_str(footer);
        let mail = OutgoingMail { to: to.to_string(), subject: m.title.clone(), body };
        self.mailer.send(&mail).await.map_err(|e| {
            // 5xx SMTP replies are permanent for this address; the rest may pass later.
            if e.contains("permanent") || e.contains("recipient:") { Failure::Permanent(redact(&e, to)) } else { Failure::Retry(redact(&e, to)) }
        })
    }

    pub async fn sms(&self, to: &str, m: &Rendered) -> Result<(), Failure> {
        let Some(url) = &self.config.sms_gateway_url else {
            return Err(Failure::Permanent("no SMS gateway configured".into()));
        };
        let mut req = self.http.post(url).json(&serde_json::json!({"to": to, "text": m.sms(), "from": self.config.sms_from}));
        if let Some(token) = &self.config.sms_gateway_token {
            req = req.bearer_auth(token);
        }
        let resp = req.send().await.map_err(|e| Failure::Retry(format!("SMS gateway: {}", kind_of(&e))))?;
        answer("SMS gateway", resp.status())
    }

    /// Returns `Ok(false)` when the push service says the subscription is gone.
    pub async fn push(&self, s: &PushSubscription, m: &Rendered, now_secs: i64) -> Result<bool, Failure> {
        let payload = serde_json::json!({"title": m.title, "body": m.body, "url": m.link}).to_string();
        let sealed = push::encrypt(&s.p256dh, &s.auth, payload.as_bytes()).map_err(|e| Failure::Permanent(format!("push subscription: {e:?}")))?;
        let auth = self
            .vapid
            .authorization(&s.endpoint, &self.config.push_contact, now_secs)
            .ok_or(Failure::Permanent("push endpoint is not a URL".into()))?;
        let resp = self
            .http
            .post(&s.endpoint)
            .header("Authorization", auth)
            .header("Content-Encoding", "aes128gcm")
            .header("Content-Type", "application/octet-stream")
            .header("TTL", if m.urgent { "3600" } else { "86400" })
            .header("Urgency", if m.urgent { "high" } else { "normal" })
            .body(sealed)
            .send()
            .await
            .map_err(|e| Failure::Retry(format!("push service: {}", kind_of(&e))))?;
        if matches!(resp.status().as_u16(), 404 | 410) {
            return Ok(false);
        }
        answer("push service", resp.status()).map(|_| true)
    }
}

fn answer(who: &str, status: reqwest::StatusCode) -> Result<(), Failure> {
    match status.as_u16() {
        200..=299 => Ok(()),
        408 | 425 | 429 | 500..=599 => Err(Failure::Retry(format!("{who} answered {status}"))),
        _ => Err(Failure::Permanent(format!("{who} answered {status}"))),
    }
}

fn kind_of(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    }
}

/// Error texts go to the delivery log, which staff see: no addresses in them.
fn redact(e: &str, address: &str) -> String {
    e.replace(address, "[address]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sms_keeps_the_link_and_fits_three_messages() {
        let long = Rendered { title: "Poplava".into(), body: "a".repeat(800), link: Some("https://ptuj.si/alerts/1".into()), urgent: true };
        let text = long.sms();
        assert!(text.chars().count() <= 459 && text.ends_with(" https://ptuj.si/alerts/1"), "{text}");
        let short = Rendered { title: "Zapora".into(), body: "Ulica je zaprta.".into(), link: None, urgent: false };
        assert_eq!(short.sms(), "Zapora: Ulica je zaprta.");
    }

    #[test]
    fn statuses_map_to_retry_or_give_up() {
        assert!(answer("x", reqwest::StatusCode::ACCEPTED).is_ok());
        assert!(matches!(answer("x", reqwest::StatusCode::TOO_MANY_REQUESTS), Err(Failure::Retry(_))));
        assert!(matches!(answer("x", reqwest::StatusCode::BAD_GATEWAY), Err(Failure::Retry(_))));
        assert!(matches!(answer("x", reqwest::StatusCode::UNAUTHORIZED), Err(Failure::Permanent(_))));
        assert_eq!(redact("550 no such user a@b.si", "a@b.si"), "550 no such user [address]");
    }
}
