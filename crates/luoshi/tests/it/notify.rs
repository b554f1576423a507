//! Notices survive the sending node's crash: `luoshi serve` killed with messages in the outbox
//! sends each after its restart, every batch under one idempotency key the receiver sees.

use super::*;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

/// What the gateway received: (idempotency key, body), in order of arrival.
type Got = Arc<Mutex<Vec<(String, String)>>>;

/// An SMS gateway on a local port: records each request as it arrives, then answers success
/// after `delay` (so a kill lands while one is in flight). Plain HTTP/1.1, one request per
/// connection.
async fn gateway(delay: std::time::Duration) -> (String, Got) {
    let got: Got = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    let keep = got.clone();
    tokio::spawn(async move {
        loop {
            let (s, _) = listener.accept().await.unwrap();
            let keep = keep.clone();
            tokio::spawn(async move {
                let mut r = tokio::io::BufReader::new(s);
                let (mut key, mut len) = (String::new(), 0usize);
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some((k, v)) = line.split_once(':') {
                        match k.to_ascii_lowercase().as_str() {
                            "idempotency-key" => key = v.trim().to_string(),
                            "content-length" => len = v.trim().parse().unwrap_or(0),
                            _ => {}
                        }
                    }
                }
                let mut body = vec![0; len];
                if r.read_exact(&mut body).await.is_err() {
                    return;
                }
                keep.lock().unwrap().push((key, String::from_utf8_lossy(&body).into_owned()));
                tokio::time::sleep(delay).await;
                let answer = "{\"errcode\":0}";
                let reply =
                    format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}", answer.len());
                let _ = r.get_mut().write_all(reply.as_bytes()).await;
            });
        }
    });
    (url, got)
}

fn start(url: &str) -> std::process::Child {
    // The watch every second; what a node took is held 2 s (the default two minutes would only
    // make the test wait).
    let mut child = luoshi(url)
        .args(["serve", "--listen", "127.0.0.1:0", "--supervise-every", "0", "--watch-every", "1", "--notify-lease", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.starts_with("luoshi serving on"), "{line:?}");
    child
}

async fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    for _ in 0..600 {
        if ready() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ready(), "gave up waiting for {what}");
}

#[tokio::test]
async fn messages_in_the_outbox_are_sent_once_each_after_the_sender_is_killed() {
    let (url, _dir) = fresh_url().await.unwrap();
    let d = db(&url).await;
    d.migrate().await.unwrap();
    luoshi_web::demo::seed(&d).await.unwrap();
    let town = luoshi_storage::units::root(&d).await.unwrap().unwrap().id;
    let (gw, got) = gateway(std::time::Duration::from_millis(150)).await;
    let now = luoshi_storage::now_micros();
    let admin = luoshi_storage::Actor::cli("test");
    let mut tx = d.begin_write().await.unwrap();
    let config = serde_json::json!({ "url": gw, "template_id": "SMS_1", "sign_name": "某县督查室" }).to_string();
    luoshi_storage::notify::put_channel(&mut tx, &admin, luoshi_domain::notify::Channel::Sms, true, &config, Some("s3cret"), now).await.unwrap();
    tx.commit().await.unwrap();
    // Thirty people on duty, each to be woken by one urgent message (any hour: not held by the
    // quiet hours whenever the test runs).
    let phones: Vec<String> = (0..30).map(|i| format!("139{i:08}")).collect();
    let rows: Vec<luoshi_storage::notify::Urgent<'_>> = phones
        .iter()
        .enumerate()
        .map(|(i, p)| luoshi_storage::notify::Urgent {
            phone: p,
            person: "值班员",
            kind: "assignment",
            ref_id: i64::try_from(i).unwrap() + 1,
            unit_id: town,
            text: format!("【落实】应急任务第{i}号，请立即到岗。"),
        })
        .collect();
    let mut tx = d.begin_write().await.unwrap();
    assert_eq!(luoshi_storage::notify::enqueue_urgent(&mut tx, &rows, now).await.unwrap(), 30);
    tx.commit_unaudited().await.unwrap();

    // Kill the node while it is sending (the eighth request received, not yet answered).
    let mut node = start(&url);
    wait_for("the first messages", || got.lock().unwrap().len() >= 8).await;
    node.kill().unwrap(); // SIGKILL
    node.wait().unwrap();
    let before = got.lock().unwrap().len();
    assert!(before < 30, "all sent before the kill: the test proves nothing");

    // A new node sends the rest once the dead node's hold lapses.
    let mut node = start(&url);
    let all_sent = || async {
        let ms = luoshi_storage::notify::list(&d, Some("pending"), None, None, None, 100).await.unwrap();
        ms.is_empty()
    };
    for _ in 0..600 {
        if all_sent().await {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    node.kill().unwrap();
    node.wait().unwrap();
    assert!(all_sent().await, "messages still pending after the restart");

    let got = got.lock().unwrap().clone();
    let sent = luoshi_storage::notify::list(&d, Some("sent"), None, None, None, 100).await.unwrap();
    let ours: Vec<_> = sent.iter().filter(|m| m.kind == "assignment").collect();
    assert_eq!(ours.len(), 30, "every message sent");
    // The receiver, dropping a repeat by its key, has each message exactly once.
    let mut by_key: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (k, body) in &got {
        assert!(!k.is_empty(), "a request without its idempotency key");
        by_key.entry(k).or_default().push(body);
    }
    for m in &ours {
        assert!(by_key.contains_key(m.batch.as_str()), "batch {} never reached the gateway", m.batch);
        let bodies = &by_key[m.batch.as_str()];
        assert!(bodies.iter().all(|b| b.contains(&m.address) && b.contains(&m.text)), "one key, one message: {bodies:?}");
    }
    let keys: std::collections::HashSet<&str> = ours.iter().map(|m| m.batch.as_str()).collect();
    assert_eq!(keys.len(), 30, "one batch per person");
    // At least once: only what was in flight at the kill came twice.
    let repeats = got.len() - by_key.len();
    assert!(repeats <= 1, "{repeats} repeats for one kill");
    eprintln!("{before} received before the kill, {} after; {repeats} repeat(s), dropped by key", got.len() - before);
}
