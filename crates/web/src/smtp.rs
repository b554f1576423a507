//! Email over SMTP (RFC 5321) to the county's mail relay, as small as it needs to be: EHLO,
//! AUTH PLAIN where the channel has a user, MAIL, RCPT, DATA with the text in UTF-8 (base64),
//! QUIT. The batch's key is the Message-ID, so a relay or reader sees a repeat as one. Plain
//! TCP: the intranet relay; a relay that requires TLS is not reached (said in its answer).

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::{timeout, Duration};

/// One mail to send.
#[derive(Debug, Clone)]
pub struct Mail {
    pub host: String,
    pub port: u16,
    pub from: String,
    pub user: String,
    pub password: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub id: String,
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A reply: its code and last line (a multi-line reply read to its end).
async fn reply(r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Result<(u16, String), String> {
    loop {
        let mut line = String::new();
        let n = timeout(Duration::from_secs(10), r.read_line(&mut line)).await.map_err(|_| "timeout".to_string())?.map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed".into());
        }
        let code = line.get(..3).and_then(|c| c.parse::<u16>().ok()).ok_or_else(|| format!("not SMTP: {}", line.trim()))?;
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok((code, line.trim().to_string()));
        }
    }
}

async fn step(w: &mut tokio::net::tcp::OwnedWriteHalf, r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>, cmd: &str, want: u16) -> Result<String, String> {
    w.write_all(format!("{cmd}\r\n").as_bytes()).await.map_err(|e| e.to_string())?;
    let (code, text) = reply(r).await?;
    if code / 100 != want / 100 {
        // The command as said, without a credential.
        let said = if cmd.starts_with("AUTH") { "AUTH" } else { cmd };
        return Err(format!("{said}: {text}"));
    }
    Ok(text)
}

/// Send one mail; the relay's last answer.
pub async fn send(m: &Mail) -> Result<String, String> {
    let stream = timeout(Duration::from_secs(10), TcpStream::connect((m.host.as_str(), m.port)))
        .await
        .map_err(|_| "timeout".to_string())?
        .map_err(|e| format!("connect: {e}"))?;
    let (rd, mut w) = stream.into_split();
    let mut r = BufReader::new(rd);
    let (code, text) = reply(&mut r).await?;
    if code != 220 {
        return Err(text);
    }
    step(&mut w, &mut r, "EHLO luoshi", 250).await?;
    if !m.user.is_empty() {
        let token = b64(format!("\0{}\0{}", m.user, m.password).as_bytes());
        step(&mut w, &mut r, &format!("AUTH PLAIN {token}"), 235).await?;
    }
    step(&mut w, &mut r, &format!("MAIL FROM:<{}>", m.from), 250).await?;
    step(&mut w, &mut r, &format!("RCPT TO:<{}>", m.to), 250).await?;
    step(&mut w, &mut r, "DATA", 354).await?;
    let body = b64(m.body.as_bytes());
    let lines: Vec<&str> = body.as_bytes().chunks(76).filter_map(|c| std::str::from_utf8(c).ok()).collect();
    let data = format!(
        "From: <{}>\r\nTo: <{}>\r\nSubject: =?UTF-8?B?{}?=\r\nMessage-ID: <{}@luoshi>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n.",
        m.from,
        m.to,
        b64(m.subject.as_bytes()),
        m.id,
        lines.join("\r\n")
    );
    let done = step(&mut w, &mut r, &data, 250).await?;
    // The mail is taken; a QUIT that goes wrong changes nothing.
    let _ = step(&mut w, &mut r, "QUIT", 221).await;
    Ok(done)
}
