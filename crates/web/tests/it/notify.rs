//! Notices that reach people (issue 23), against receivers the test starts itself: an HTTP
//! server standing in for the SMS gateway and a messenger robot, and an SMTP server; each
//! records what it received and answers success, failure or nothing in time.

use crate::*;
use luoshi_app::notify::deliver;
use luoshi_domain::duty::NoticeLevel;
use luoshi_web::notify_send::Senders;
use serde_json::json;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// What a receiver got: (path and query, idempotency key, headers of interest, body).
type Got = Arc<Mutex<Vec<(String, String, String, String)>>>;

/// 0 answers success, 1 a server error, 2 too late.
async fn http_receiver(mode: Arc<AtomicU8>) -> (String, Got) {
    let got: Got = Arc::default();
    let keep = got.clone();
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let (keep, mode) = (keep.clone(), mode.clone());
        async move {
            let (parts, body) = req.into_parts();
            let uri = parts.uri.to_string();
            let h = |k: &str| parts.headers.get(k).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
            let (key, sig) = (h("idempotency-key"), format!("{}|{}", h("x-timestamp"), h("x-signature")));
            let body = String::from_utf8(axum::body::to_bytes(body, 1 << 20).await.unwrap().to_vec()).unwrap();
            match mode.load(Ordering::SeqCst) {
                1 => (axum::http::StatusCode::BAD_GATEWAY, "gateway down".to_string()),
                2 => {
                    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
                    (axum::http::StatusCode::OK, "{\"errcode\":0}".into())
                }
                _ => {
                    keep.lock().unwrap().push((uri, key, sig, body));
                    (axum::http::StatusCode::OK, "{\"errcode\":0,\"errmsg\":\"ok\"}".to_string())
                }
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, got)
}

/// A mail relay that takes every mail: (recipient, the message as sent).
async fn smtp_receiver() -> (u16, Arc<Mutex<Vec<(String, String)>>>) {
    let got: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let keep = got.clone();
    tokio::spawn(async move {
        loop {
            let (s, _) = listener.accept().await.unwrap();
            let keep = keep.clone();
            tokio::spawn(async move {
                let (r, mut w) = s.into_split();
                let mut r = BufReader::new(r);
                w.write_all(b"220 relay ready\r\n").await.unwrap();
                let (mut to, mut data, mut in_data) = (String::new(), String::new(), false);
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if in_data {
                        if line == ".\r\n" {
                            in_data = false;
                            keep.lock().unwrap().push((to.clone(), data.clone()));
                            w.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            data.push_str(&line);
                        }
                        continue;
                    }
                    let reply: &[u8] = match line.get(..4).unwrap_or("") {
                        "EHLO" => b"250-relay\r\n250 AUTH PLAIN\r\n",
                        "RCPT" => {
                            to = line.trim().trim_start_matches("RCPT TO:<").trim_end_matches('>').to_string();
                            b"250 ok\r\n"
                        }
                        "DATA" => {
                            in_data = true;
                            b"354 go on\r\n"
                        }
                        "QUIT" => b"221 bye\r\n",
                        _ => b"250 ok\r\n",
                    };
                    w.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, got)
}

/// Raise a notice of the ladder for a task of a unit, as the supervision run does, committed or
/// rolled back.
async fn raise(app: &TestApp, task: i64, unit: i64, level: NoticeLevel, deadline: &str, commit: bool, now: i64) {
    let mut tx = app.t.db.begin_write().await.unwrap();
    assert!(luoshi_storage::duty::raise_notice(&mut tx, "task", task, level, unit, deadline, "2026-06-15", now).await.unwrap());
    tx.audit(&luoshi_storage::Actor::cli("test"), "task.notice", "task", &task.to_string(), None, None).await.unwrap();
    if commit {
        tx.commit().await.unwrap();
    }
}

/// A moment of the tests' county: `hh:mm` Beijing time on 2026-06-15 (the tests never depend on
/// the hour they run at).
fn at(hh: u32, mm: u32) -> i64 {
    let local = day(TODAY).and_hms_opt(hh, mm, 0).unwrap();
    luoshi_domain::time::to_micros(local.and_utc()) - 8 * 3_600_000_000
}

#[tokio::test]
async fn a_notice_reaches_each_person_once_on_every_channel_and_failures_are_kept() {
    let app = spawn_app().await;
    let town = app.unit_id("城关镇").await;
    let admin = app.login("admin").await;
    let sup = app.login("supervisor").await;
    let staff = app.login("staff").await;
    let manager = app.login("manager").await;
    let mode = Arc::new(AtomicU8::new(0));
    let (url, got) = http_receiver(mode.clone()).await;
    let (smtp, mails) = smtp_receiver().await;

    // The channels: a wrong one named; the secret never read back.
    let r = admin.put(&app, "/api/v1/notify/channels/sms", json!({ "enabled": true, "config": { "url": "gateway" } })).await;
    let (status, code, body) = error_code(r).await;
    assert_eq!((status, code.as_str(), body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("url")));
    let sms = json!({ "enabled": true, "config": { "url": format!("{url}/sms"), "template_id": "SMS_001", "sign_name": "示范县督查室", "timeout_secs": 1 }, "secret": "k3y" });
    assert_eq!(admin.put(&app, "/api/v1/notify/channels/sms", sms).await.status(), StatusCode::OK);
    let robot =
        json!({ "enabled": true, "config": { "url": format!("{url}/robot/send?access_token=t0"), "format": "dingtalk", "timeout_secs": 1 }, "secret": "SEC1" });
    assert_eq!(admin.put(&app, "/api/v1/notify/channels/messenger", robot).await.status(), StatusCode::OK);
    let mail = json!({ "enabled": true, "config": { "host": "127.0.0.1", "port": smtp, "from": "duban@county.gov.cn" } });
    assert_eq!(admin.put(&app, "/api/v1/notify/channels/email", mail).await.status(), StatusCode::OK);
    assert_eq!(sup.put(&app, "/api/v1/notify/channels/sms", json!({})).await.status(), StatusCode::FORBIDDEN);
    // The settings page: a wrong port named on the same form, what was typed kept.
    let form = [("enabled", "on"), ("host", "127.0.0.1"), ("port", "二十五"), ("from", "duban@county.gov.cn")];
    let r = admin.form(&app, "/notify/channels/email", &form).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("端口") && body.contains("value=\"二十五\""), "{body}");
    let page = sup.get(&app, "/notify/channels").await.text().await.unwrap();
    assert!(page.contains("已设置") && !page.contains("k3y") && !page.contains("保存"), "{page}");
    let shown = sup.get(&app, "/api/v1/notify/channels").await.text().await.unwrap();
    assert!(shown.contains("\"has_secret\":true") && !shown.contains("k3y") && !shown.contains("SEC1"), "{shown}");

    // Contact points: each their own; a wrong phone named.
    let (status, _, body) = error_code(staff.put(&app, "/api/v1/me/contacts", json!({ "phone": "1381234" })).await).await;
    assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("phone")));
    for (s, phone, who) in [(&staff, "138 1234 5678", "staff01"), (&manager, "13900001111", "mgr01")] {
        let r = s.put(&app, "/api/v1/me/contacts", json!({ "phone": phone, "email": format!("{who}@county.gov.cn"), "messenger_id": who })).await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    }
    let task: i64 =
        luoshi_storage::duty::page(&app.t.db, None, 500).await.unwrap().into_iter().find(|r| r.kind == "task" && r.owner_unit_id == Some(town)).unwrap().ref_id;

    // A change rolled back sends nothing.
    let now = at(10, 0);
    raise(&app, task, town, NoticeLevel::Notice, "2026-06-01", false, now).await;
    assert_eq!(luoshi_storage::notify::list(&app.t.db, None, None, None, None, 200).await.unwrap().len(), 0);

    // A 督办 reaches the person and the unit head, once, on every channel.
    raise(&app, task, town, NoticeLevel::Notice, "2026-06-01", true, now).await;
    let senders = Senders::load(&app.t.db).await.unwrap();
    let d = deliver(&app.t.db, &senders, now).await.unwrap();
    assert_eq!((d.sent, d.retried, d.failed), (6, 0, 0), "{d:?}");
    let again = deliver(&app.t.db, &senders, now + 1).await.unwrap();
    assert_eq!(again.sent, 0, "sent once");
    let got_now = got.lock().unwrap().clone();
    let sms: Vec<&(String, String, String, String)> = got_now.iter().filter(|g| g.0 == "/sms").collect();
    let phones: Vec<String> = sms.iter().map(|g| serde_json::from_str::<Value>(&g.3).unwrap()["phone"].as_str().unwrap().to_string()).collect();
    assert_eq!(phones.len(), 2);
    assert!(phones.contains(&"13812345678".to_string()) && phones.contains(&"13900001111".to_string()), "{phones:?}");
    for g in &sms {
        // The gateway can check who sent it: HMAC-SHA256 of "timestamp\nbody" with the secret.
        let (ts, sig) = g.2.split_once('|').unwrap();
        use hmac::Mac;
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"k3y").unwrap();
        mac.update(format!("{ts}\n{}", g.3).as_bytes());
        assert_eq!(hex::encode(mac.finalize().into_bytes()), sig);
        assert_eq!(g.1.len(), 32, "an idempotency key");
        let body: Value = serde_json::from_str(&g.3).unwrap();
        assert_eq!((body["template_id"].as_str(), body["sign_name"].as_str()), (Some("SMS_001"), Some("示范县督查室")));
        assert!(body["params"]["content"].as_str().unwrap().contains("督办："), "{body}");
    }
    let robots: Vec<&(String, String, String, String)> = got_now.iter().filter(|g| g.0.starts_with("/robot/send")).collect();
    assert_eq!(robots.len(), 2);
    assert!(robots.iter().all(|g| g.0.contains("access_token=t0&timestamp=") && g.0.contains("&sign=")), "{robots:?}");
    assert!(robots.iter().any(|g| g.3.contains("\"atUserIds\":[\"mgr01\"]")), "{robots:?}");
    let mails_now = mails.lock().unwrap().clone();
    assert_eq!(mails_now.len(), 2);
    assert!(mails_now.iter().any(|(to, data)| to == "staff01@county.gov.cn" && data.contains("Message-ID: <") && data.contains("Subject: =?UTF-8?B?")));

    // A provider that fails: tried again later, then shown as failed; resent by the office.
    mode.store(1, Ordering::SeqCst);
    raise(&app, task, town, NoticeLevel::Reminder, "2026-06-20", true, now + 10).await;
    let mut when = now + 20;
    let first = deliver(&app.t.db, &senders, when).await.unwrap();
    assert!(first.retried >= 2 && first.sent >= 1, "the mail relay still takes mail: {first:?}");
    for _ in 0..luoshi_domain::notify::MAX_ATTEMPTS {
        when += 600_000_000;
        deliver(&app.t.db, &senders, when).await.unwrap();
    }
    let failed: Value = sup.get(&app, "/api/v1/notify/outbox?state=failed").await.json().await.unwrap();
    let rows = failed.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{failed}");
    assert!(rows.iter().all(|m| m["attempts"] == 5 && m["last_error"].as_str().unwrap().starts_with("502")), "{failed}");
    // The log shows phone numbers masked, never whole.
    assert!(rows.iter().any(|m| m["address"] == "138****5678"), "{failed}");
    let page = sup.get(&app, "/notify/outbox?state=failed").await.text().await.unwrap();
    assert!(page.contains("发送失败") && page.contains("重新发送") && !page.contains("13812345678"), "{page}");
    // The task's own page shows the failed 催办 where the 催办 is, the number masked.
    let task_page = staff.get(&app, &format!("/tasks/{task}")).await.text().await.unwrap();
    assert!(task_page.contains("催督办消息送达情况") && task_page.contains("发送失败") && task_page.contains("502"), "{task_page}");
    assert!(task_page.contains("138****5678") && !task_page.contains("13812345678"), "{task_page}");
    let id = rows[0]["id"].as_i64().unwrap();
    mode.store(0, Ordering::SeqCst);
    assert_eq!(sup.post(&app, &format!("/api/v1/notify/outbox/{id}/resend"), json!({})).await.status(), StatusCode::OK);
    assert_eq!(deliver(&app.t.db, &senders, when + 1).await.unwrap().sent, 1);
    assert_eq!(staff.get(&app, "/api/v1/notify/outbox").await.status(), StatusCode::FORBIDDEN);

    // Too late an answer is a failed try, kept with its reason.
    mode.store(2, Ordering::SeqCst);
    raise(&app, task, town, NoticeLevel::ReportDue, "2026-06", true, when + 2).await;
    let slow = deliver(&app.t.db, &senders, when + 3).await.unwrap();
    assert!(slow.retried >= 2, "{slow:?}");
    let waiting: Value = sup.get(&app, "/api/v1/notify/outbox?state=pending").await.json().await.unwrap();
    assert!(waiting.as_array().unwrap().iter().any(|m| m["last_error"] == "timeout"), "{waiting}");
}

#[tokio::test]
async fn a_batch_claimed_and_not_finished_is_sent_again_with_the_same_key() {
    let app = spawn_app().await;
    let town = app.unit_id("城关镇").await;
    let admin = app.login("admin").await;
    let staff = app.login("staff").await;
    let (url, _) = http_receiver(Arc::default()).await;
    let sms = json!({ "enabled": true, "config": { "url": format!("{url}/sms") } });
    assert_eq!(admin.put(&app, "/api/v1/notify/channels/sms", sms).await.status(), StatusCode::OK);
    assert_eq!(staff.put(&app, "/api/v1/me/contacts", json!({ "phone": "13812345678" })).await.status(), StatusCode::OK);
    let task: i64 =
        luoshi_storage::duty::page(&app.t.db, None, 500).await.unwrap().into_iter().find(|r| r.kind == "task" && r.owner_unit_id == Some(town)).unwrap().ref_id;
    let now = at(10, 0);
    raise(&app, task, town, NoticeLevel::Reminder, "2026-06-20", true, now).await;
    // A node claims the batch and dies before it records the outcome.
    let first = luoshi_storage::notify::claim(&app.t.db, now, 100, false, luoshi_storage::notify::LEASE).await.unwrap();
    assert!(!first.is_empty());
    assert!(luoshi_storage::notify::claim(&app.t.db, now + 1, 100, false, luoshi_storage::notify::LEASE).await.unwrap().is_empty(), "held by the lease");
    let again = luoshi_storage::notify::claim(&app.t.db, now + luoshi_storage::notify::LEASE + 1, 100, false, luoshi_storage::notify::LEASE).await.unwrap();
    let keys = |v: &[(String, Vec<luoshi_storage::notify::Message>)]| v.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    assert_eq!(keys(&again), keys(&first), "the receiver sees the same idempotency key");
}

#[tokio::test]
async fn quiet_hours_hold_reminders_but_never_an_emergency() {
    let app = spawn_app().await;
    let town = app.unit_id("城关镇").await;
    let admin = app.login("admin").await;
    let staff = app.login("staff").await;
    let (url, got) = http_receiver(Arc::default()).await;
    let sms = json!({ "enabled": true, "config": { "url": format!("{url}/sms") } });
    assert_eq!(admin.put(&app, "/api/v1/notify/channels/sms", sms).await.status(), StatusCode::OK);
    // Turned off: reminders do not come by SMS; an emergency does all the same.
    let r = staff.put(&app, "/api/v1/me/contacts", json!({ "phone": "13812345678", "off": ["sms"] })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let task: i64 =
        luoshi_storage::duty::page(&app.t.db, None, 500).await.unwrap().into_iter().find(|r| r.kind == "task" && r.owner_unit_id == Some(town)).unwrap().ref_id;
    raise(&app, task, town, NoticeLevel::Reminder, "2026-06-20", true, at(23, 0)).await;
    assert!(luoshi_storage::notify::list(&app.t.db, None, None, None, None, 10).await.unwrap().is_empty(), "turned off");
    assert_eq!(staff.put(&app, "/api/v1/me/contacts", json!({ "phone": "13812345678" })).await.status(), StatusCode::OK);
    raise(&app, task, town, NoticeLevel::Notice, "2026-06-20", true, at(23, 0)).await;
    let mut tx = app.t.db.begin_write().await.unwrap();
    let urgent = luoshi_storage::notify::Urgent {
        phone: "13900002222",
        person: "值班员",
        kind: "emergency_task",
        ref_id: 1,
        unit_id: town,
        text: "应急任务：测试".into(),
    };
    assert_eq!(luoshi_storage::notify::enqueue_urgent(&mut tx, &[urgent], at(23, 0)).await.unwrap(), 1);
    tx.commit_unaudited().await.unwrap();
    let senders = Senders::load(&app.t.db).await.unwrap();
    // At 23:05 only the emergency goes; the 督办 waits for the morning.
    assert_eq!(deliver(&app.t.db, &senders, at(23, 5)).await.unwrap().sent, 1);
    assert_eq!(got.lock().unwrap().len(), 1);
    assert!(got.lock().unwrap()[0].3.contains("13900002222"));
    let morning = at(23, 0) + 8 * 3_600_000_000 + 30 * 60_000_000;
    assert_eq!(deliver(&app.t.db, &senders, morning).await.unwrap().sent, 1);
    assert!(got.lock().unwrap()[1].3.contains("13812345678"));
}

#[tokio::test]
async fn the_leaders_morning_summary_comes_once_a_day_from_its_hour() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let leader = app.login("leader").await;
    let (url, got) = http_receiver(Arc::default()).await;
    let sms = json!({ "enabled": true, "config": { "url": format!("{url}/sms") } });
    assert_eq!(admin.put(&app, "/api/v1/notify/channels/sms", sms).await.status(), StatusCode::OK);
    assert_eq!(leader.put(&app, "/api/v1/me/contacts", json!({ "phone": "13700001234" })).await.status(), StatusCode::OK);
    assert_eq!(luoshi_app::notify::summaries(&app.t.db, at(7, 30)).await.unwrap(), 0, "not before its hour");
    assert_eq!(luoshi_app::notify::summaries(&app.t.db, at(8, 1)).await.unwrap(), 1);
    assert_eq!(luoshi_app::notify::summaries(&app.t.db, at(8, 2)).await.unwrap(), 0, "once a day");
    let senders = Senders::load(&app.t.db).await.unwrap();
    assert_eq!(deliver(&app.t.db, &senders, at(8, 3)).await.unwrap().sent, 1);
    let body: Value = serde_json::from_str(&got.lock().unwrap()[0].3).unwrap();
    let text = body["params"]["content"].as_str().unwrap().to_string();
    assert!(text.contains("早上好") && text.contains("红灯") && text.contains("在办事项"), "{text}");
}
