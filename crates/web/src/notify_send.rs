//! Sending the outbox's messages through the county's channels: an SMS gateway (a generic JSON
//! request — phone, template id, signature name, the text as a parameter — signed with the
//! channel's secret), a work-messenger robot (DingTalk or WeCom markdown, or plain text;
//! DingTalk's signed URL), and email over SMTP. Every request carries the batch's idempotency
//! key, so a receiver can drop a repeat after a crash. Plain connections: the government
//! intranet's own network.

use hmac::{Hmac, Mac};
use luoshi_app::notify::{Outgoing, Sender};
use luoshi_domain::notify::Channel;
use sha2::Sha256;
use std::collections::HashMap;
use std::time::Duration;

/// The channels as set, with their secrets, and one HTTP client.
pub struct Senders {
    client: reqwest::Client,
    channels: HashMap<String, (serde_json::Value, String)>,
}

fn hmac_sha256(secret: &str, text: &str) -> Vec<u8> {
    // A key of any length is accepted (RFC 2104).
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut m) => {
            m.update(text.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

impl Senders {
    /// The enabled channels as stored now.
    pub async fn load(db: &luoshi_storage::Db) -> Result<Senders, luoshi_storage::StoreError> {
        let channels = luoshi_storage::notify::channels_with_secrets(db)
            .await?
            .into_iter()
            .filter(|(c, _)| c.enabled)
            .map(|(c, secret)| (c.name, (serde_json::from_str(&c.config).unwrap_or_default(), secret)))
            .collect();
        let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default();
        Ok(Senders { client, channels })
    }

    fn setting(&self, channel: Channel, key: &str) -> String {
        self.channels.get(channel.as_str()).and_then(|(c, _)| c.get(key)).and_then(|v| v.as_str()).unwrap_or_default().trim().to_string()
    }

    fn secret(&self, channel: Channel) -> &str {
        self.channels.get(channel.as_str()).map(|(_, s)| s.as_str()).unwrap_or_default()
    }

    async fn post(&self, url: &str, m: &Outgoing, body: serde_json::Value, headers: &[(&str, String)]) -> Result<String, String> {
        let text = body.to_string();
        // A channel may wait less than the default (`timeout_secs`).
        let secs = self.channels.get(m.channel.as_str()).and_then(|(c, _)| c.get("timeout_secs")).and_then(|v| v.as_u64()).unwrap_or(10);
        let mut req =
            self.client.post(url).timeout(Duration::from_secs(secs.clamp(1, 60))).header("content-type", "application/json").header("idempotency-key", &m.key);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let r = req.body(text).send().await.map_err(|e| if e.is_timeout() { "timeout".to_string() } else { format!("connect: {e}") })?;
        let status = r.status();
        let answer: String = r.text().await.unwrap_or_default().chars().take(300).collect();
        if !status.is_success() {
            return Err(format!("{}: {answer}", status.as_u16()));
        }
        // The robots answer 200 with an error code in the body.
        let code = serde_json::from_str::<serde_json::Value>(&answer).ok().and_then(|v| v.get("errcode").and_then(|c| c.as_i64()));
        match code {
            Some(c) if c != 0 => Err(format!("errcode {c}: {answer}")),
            _ => Ok(format!("{}: {answer}", status.as_u16())),
        }
    }

    async fn sms(&self, m: &Outgoing) -> Result<String, String> {
        let url = self.setting(Channel::Sms, "url");
        let body = serde_json::json!({
            "phone": m.address,
            "template_id": self.setting(Channel::Sms, "template_id"),
            "sign_name": self.setting(Channel::Sms, "sign_name"),
            "params": { "content": m.text },
            "idempotency_key": m.key,
        });
        let ts = luoshi_storage::now_micros() / 1000;
        let mut headers = vec![("x-timestamp", ts.to_string())];
        let secret = self.secret(Channel::Sms);
        if !secret.is_empty() {
            headers.push(("x-signature", hex::encode(hmac_sha256(secret, &format!("{ts}\n{body}")))));
        }
        self.post(&url, m, body, &headers).await
    }

    async fn messenger(&self, m: &Outgoing) -> Result<String, String> {
        let mut url = self.setting(Channel::Messenger, "url");
        let body = match self.setting(Channel::Messenger, "format").as_str() {
            "wecom" => serde_json::json!({ "msgtype": "markdown", "markdown": { "content": format!("{}\n<@{}>", m.text, m.address) } }),
            "text" => serde_json::json!({ "msgtype": "text", "text": { "content": m.text } }),
            _ => serde_json::json!({
                "msgtype": "markdown",
                "markdown": { "title": "落实", "text": format!("{}\n\n@{}", m.text.replace('\n', "\n\n"), m.address) },
                "at": { "atUserIds": [m.address] },
            }),
        };
        let secret = self.secret(Channel::Messenger);
        if !secret.is_empty() {
            // DingTalk's signed robot: timestamp and the signature of "timestamp\nsecret" in the URL.
            let ts = luoshi_storage::now_micros() / 1000;
            let sign = b64(&hmac_sha256(secret, &format!("{ts}\n{secret}")));
            let sign: String = form_urlencoded::byte_serialize(sign.as_bytes()).collect();
            url.push_str(&format!("{}timestamp={ts}&sign={sign}", if url.contains('?') { '&' } else { '?' }));
        }
        self.post(&url, m, body, &[]).await
    }
}

impl Sender for Senders {
    async fn send(&self, m: &Outgoing) -> Result<String, String> {
        if !self.channels.contains_key(m.channel.as_str()) {
            return Err(format!("channel {} is off", m.channel.as_str()));
        }
        match m.channel {
            Channel::Sms => self.sms(m).await,
            Channel::Messenger => self.messenger(m).await,
            Channel::Email => {
                let port = self.channels.get("email").and_then(|(c, _)| c.get("port")).and_then(|p| p.as_u64()).unwrap_or(25);
                let mail = crate::smtp::Mail {
                    host: self.setting(Channel::Email, "host"),
                    port: u16::try_from(port).unwrap_or(25),
                    from: self.setting(Channel::Email, "from"),
                    user: self.setting(Channel::Email, "user"),
                    password: self.secret(Channel::Email).to_string(),
                    to: m.address.clone(),
                    subject: if m.urgent { "【落实】紧急事项".into() } else { "【落实】待办提醒".into() },
                    body: m.text.clone(),
                    id: m.key.clone(),
                };
                crate::smtp::send(&mail).await
            }
        }
    }
}
