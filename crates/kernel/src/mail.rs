//! Outgoing e-mail. Real SMTP when configured; otherwise the message is
//! written to the server log so a local user can still confirm an address.

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        from: Mailbox,
    },
    /// Development: print the message to the log (documented in the README).
    Log,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mailer::Smtp { .. } => "Mailer::Smtp",
            Mailer::Log => "Mailer::Log",
        })
    }
}

impl Mailer {
    /// `smtp://user:pass@host:port` (plain or STARTTLS if offered) or `smtps://…` (TLS).
    pub fn from_config(smtp_url: Option<&str>, from: &str) -> Result<Mailer, String> {
        let Some(url) = smtp_url else {
            return Ok(Mailer::Log);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| format!("smtp url: {e}"))?.build();
        let from = from.parse().map_err(|e| format!("mail_from: {e}"))?;
        Ok(Mailer::Smtp { transport: Box::new(transport), from })
    }

    pub async fn send(&self, mail: &OutgoingMail) -> Result<(), String> {
        match self {
            Mailer::Log => {
                tracing::info!(
                    target: "obcina::mail",
                    "no SMTP configured; message not sent:\nTo: {}\nSubject: {}\n\n{}",
                    mail.to, mail.subject, mail.body
                );
                Ok(())
            }
            Mailer::Smtp { transport, from } => {
                let msg = Message::builder()
                    .from(from.clone())
                    .to(mail.to.parse().map_err(|e| format!("recipient: {e}"))?)
                    .subject(&mail.subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(mail.body.clone())
                    .map_err(|e| e.to_string())?;
                transport.send(msg).await.map(|_| ()).map_err(|e| e.to_string())
            }
        }
    }
}
