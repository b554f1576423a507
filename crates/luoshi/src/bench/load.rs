//! `bench load`: the realistic mix of every endpoint, each endpoint alone, and the limits
//! (an empty handler, a bare primary-key read, a bare durable insert) measured in the same run.

use super::mix::{pick_kind, Kind};
use super::*;
use crate::Fail;
use luoshi_storage::Db;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Latencies of one named endpoint.
#[derive(Default)]
pub(super) struct Samples {
    ok: Vec<Duration>,
    errors: usize,
    /// The first failure, to show what went wrong.
    first_error: Option<String>,
}

pub(super) fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// A measured line: name, requests per second, p50, p95, p99 (ms), errors.
#[derive(Debug, Clone)]
pub struct Line {
    pub name: String,
    pub rps: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub count: usize,
    pub errors: usize,
    pub first_error: Option<String>,
}

pub(super) fn lines(map: BTreeMap<String, Samples>, secs: f64) -> Vec<Line> {
    map.into_iter()
        .map(|(name, mut s)| {
            s.ok.sort();
            Line {
                rps: s.ok.len() as f64 / secs,
                p50: pct(&s.ok, 0.50),
                p95: pct(&s.ok, 0.95),
                p99: pct(&s.ok, 0.99),
                count: s.ok.len(),
                errors: s.errors,
                first_error: s.first_error,
                name,
            }
        })
        .collect()
}

pub(super) struct Worker {
    pub(super) client: reqwest::Client,
    /// No cookies: for Open311 clients, which have no session.
    pub(super) plain: reqwest::Client,
    pub(super) username: String,
    pub(super) csrf: String,
    pub(super) own_task: Option<i64>,
    pub(super) any_task: Option<i64>,
    /// A hazard the caller sees (the first of its ledger).
    pub(super) any_hazard: Option<i64>,
    /// An enterprise the caller may inspect (the first of its ledger).
    pub(super) any_enterprise: Option<i64>,
    /// The newest incident the caller sees.
    pub(super) any_incident: Option<i64>,
    /// A project the caller sees (one under way, with approvals, from its ledger).
    pub(super) any_project: Option<i64>,
    /// The caller's unit's emergency assignments still running (from its inbox), each with
    /// whether it still waits to be signed.
    pub(super) own_assignments: Vec<(i64, bool)>,
    pub(super) next_assignment: std::sync::atomic::AtomicUsize,
    /// A session in the debt book's audience: the caller's own, or the finance bureau's when
    /// the caller may not see the book (the debt kinds always measure the same request).
    pub(super) debt: (reqwest::Client, String),
    /// A session of the hotline (12345): the desk is its page.
    pub(super) desk: reqwest::Client,
}

/// A logged-in client and its CSRF token.
async fn session(base: &str, user: &str) -> Result<(reqwest::Client, String, serde_json::Value), Fail> {
    let client = reqwest::Client::builder().cookie_store(true).pool_max_idle_per_host(4).build().map_err(|e| Fail(e.to_string()))?;
    let r = client
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({ "username": user, "password": luoshi_web::demo::DEMO_PASSWORD }))
        .send()
        .await
        .map_err(|e| Fail(format!("cannot reach {base}: {e}")))?;
    if !r.status().is_success() {
        return Err(Fail(format!("login {user}: {}", r.status())));
    }
    let v: serde_json::Value = r.json().await.map_err(|e| Fail(e.to_string()))?;
    let csrf = v["csrf"].as_str().unwrap_or_default().to_string();
    Ok((client, csrf, v))
}

pub(super) async fn login(base: &str, user: &str) -> Result<Worker, Fail> {
    let (client, csrf, v) = session(base, user).await?;
    let inbox: serde_json::Value =
        client.get(format!("{base}/api/v1/inbox")).send().await.map_err(|e| Fail(e.to_string()))?.json().await.map_err(|e| Fail(e.to_string()))?;
    let unit_role = matches!(v["user"]["role"].as_str(), Some("unit_staff" | "unit_manager"));
    // A task the unit owns and may report on: one in progress, owned by the caller's unit.
    let unit_id = v["user"]["unit_id"].as_i64();
    let signed: serde_json::Value = client
        .get(format!("{base}/api/v1/tasks?state=signed&unit_id={}&limit=1", unit_id.unwrap_or(0)))
        .send()
        .await
        .map_err(|e| Fail(e.to_string()))?
        .json()
        .await
        .map_err(|e| Fail(e.to_string()))?;
    let own_task = signed["tasks"]
        .as_array()
        .filter(|_| unit_role)
        .and_then(|ts| ts.iter().find(|t| t["owner_unit_id"].as_i64() == unit_id))
        .and_then(|t| t["id"].as_i64());
    let _ = &inbox;
    let board: serde_json::Value =
        client.get(format!("{base}/api/v1/tasks?limit=20")).send().await.map_err(|e| Fail(e.to_string()))?.json().await.map_err(|e| Fail(e.to_string()))?;
    let any_task = board["tasks"].as_array().and_then(|ts| ts.first()).and_then(|t| t["id"].as_i64());
    let ledger: serde_json::Value =
        client.get(format!("{base}/api/v1/hazards")).send().await.map_err(|e| Fail(e.to_string()))?.json().await.map_err(|e| Fail(e.to_string()))?;
    let any_hazard = ledger["hazards"].as_array().and_then(|hs| hs.first()).and_then(|h| h["id"].as_i64());
    let firms: serde_json::Value =
        client.get(format!("{base}/api/v1/enterprises")).send().await.map_err(|e| Fail(e.to_string()))?.json().await.map_err(|e| Fail(e.to_string()))?;
    // Who inspects: the office and the departments and townships (a leader reads).
    let inspects = matches!(v["user"]["role"].as_str(), Some("supervisor" | "admin" | "unit_staff" | "unit_manager"));
    let any_enterprise = firms["enterprises"].as_array().filter(|_| inspects).and_then(|es| es.first()).and_then(|e| e["id"].as_i64());
    let get = |path: String| {
        let client = client.clone();
        async move { client.get(path).send().await.map_err(|e| Fail(e.to_string()))?.json::<serde_json::Value>().await.map_err(|e| Fail(e.to_string())) }
    };
    let incidents = get(format!("{base}/api/v1/incidents")).await?;
    let any_incident = incidents["incidents"].as_array().and_then(|is| is.first()).and_then(|i| i["id"].as_i64());
    let projects = get(format!("{base}/api/v1/projects?stage=building")).await?;
    let any_project = projects["projects"].as_array().and_then(|ps| ps.first()).and_then(|p| p["id"].as_i64());
    let mine = get(format!("{base}/api/v1/inbox?kind=emergency_task")).await?;
    let own_assignments = mine["duties"]
        .as_array()
        .filter(|_| unit_role)
        .map(|ds| ds.iter().filter_map(|d| Some((d["id"].as_i64()?, d["state"] == "assigned"))).collect())
        .unwrap_or_default();
    let debt = if client.get(format!("{base}/api/v1/debt/ratios")).send().await.map_err(|e| Fail(e.to_string()))?.status().is_success() {
        (client.clone(), csrf.clone())
    } else {
        let (c, t, _) = session(base, "finance").await?;
        (c, t)
    };
    let desk = if v["user"]["role"] == "hotline" { client.clone() } else { session(base, "hotline").await?.0 };
    let plain = reqwest::Client::builder().pool_max_idle_per_host(4).build().map_err(|e| Fail(e.to_string()))?;
    Ok(Worker {
        client,
        plain,
        username: user.to_string(),
        csrf,
        own_task,
        any_task,
        any_hazard,
        any_enterprise,
        any_incident,
        any_project,
        own_assignments,
        next_assignment: std::sync::atomic::AtomicUsize::new(0),
        debt,
        desk,
    })
}

/// Drive a running server: each worker logs in as one of `users` and loops over the mix (or
/// one kind only) until the time is up. Loopback only; bounded by the duration.
pub async fn load(base: &str, duration: Duration, concurrency: usize, users: &[String], only: Option<Kind>) -> Result<(Vec<Line>, f64), Fail> {
    if !(base.starts_with("http://127.") || base.starts_with("http://localhost") || base.starts_with("http://[::1]")) {
        return Err(Fail("bench load drives only a server on this machine (http://127.0.0.1:PORT)".into()));
    }
    let mut workers = Vec::new();
    for i in 0..concurrency.max(1) {
        workers.push(login(base, &users[i % users.len().max(1)]).await?);
    }
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let results = Arc::new(std::sync::Mutex::new(BTreeMap::<String, Samples>::new()));
    let mut handles = Vec::new();
    for (i, w) in workers.into_iter().enumerate() {
        let base = base.to_string();
        let results = results.clone();
        handles.push(tokio::spawn(async move {
            let mut rng = Rng::new(i as u64 + 1);
            let mut local: BTreeMap<String, Samples> = BTreeMap::new();
            while Instant::now() < deadline {
                let kind = only.unwrap_or_else(|| pick_kind(&mut rng));
                let (name, req) = kind.request(&w, &base, &mut rng);
                let t0 = Instant::now();
                let outcome = match req.send().await {
                    Ok(r) => {
                        let status = r.status();
                        let body = r.bytes().await.unwrap_or_default();
                        if status.is_success() {
                            Ok(())
                        } else {
                            Err(format!("{status} {}", String::from_utf8_lossy(&body[..body.len().min(200)])))
                        }
                    }
                    Err(e) => Err(e.to_string()),
                };
                let e = local.entry(name.to_string()).or_default();
                match outcome {
                    Ok(()) => e.ok.push(t0.elapsed()),
                    Err(msg) => {
                        e.errors += 1;
                        e.first_error.get_or_insert(msg);
                    }
                }
            }
            if let Ok(mut all) = results.lock() {
                for (k, v) in local {
                    let e = all.entry(k).or_default();
                    e.ok.extend(v.ok);
                    e.errors += v.errors;
                    if e.first_error.is_none() {
                        e.first_error = v.first_error;
                    }
                }
            }
        }));
    }
    for h in handles {
        let _ = h.await;
    }
    let secs = started.elapsed().as_secs_f64();
    let map = std::mem::take(&mut *results.lock().map_err(|_| Fail("lost results".into()))?);
    Ok((lines(map, secs), secs))
}

pub(super) async fn timed<F, Fut>(name: &str, duration: Duration, concurrency: usize, f: F) -> Line
where
    F: Fn(u64) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let mut handles = Vec::new();
    for w in 0..concurrency {
        let f = f.clone();
        handles.push(tokio::spawn(async move {
            let mut s = Samples::default();
            let mut n = (w as u64) << 32;
            while Instant::now() < deadline {
                n += 1;
                let t0 = Instant::now();
                if f(n).await {
                    s.ok.push(t0.elapsed());
                } else {
                    s.errors += 1;
                }
            }
            s
        }));
    }
    let mut all = Samples::default();
    for h in handles {
        if let Ok(s) = h.await {
            all.ok.extend(s.ok);
            all.errors += s.errors;
        }
    }
    let mut m = BTreeMap::new();
    m.insert(name.to_string(), all);
    lines(m, started.elapsed().as_secs_f64()).remove(0)
}

/// The limits on this machine, measured beside the real endpoints: an empty HTTP handler, a bare
/// primary-key read and a bare durable single-row insert.
pub async fn baseline(base: &str, db: &Db, duration: Duration, concurrency: usize) -> Result<Vec<Line>, Fail> {
    let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build().map_err(|e| Fail(e.to_string()))?;
    let url = format!("{base}/healthz");
    let empty = timed("limit: empty HTTP handler (GET /healthz)", duration, concurrency, move |_| {
        let c = client.clone();
        let u = url.clone();
        async move { c.get(&u).send().await.map(|r| r.status().is_success()).unwrap_or(false) }
    })
    .await;
    let max_id = luoshi_storage::tasks::count(db).await.map_err(|e| Fail(e.to_string()))?.max(1);
    let dbr = db.clone();
    let read = timed("limit: bare primary-key read", duration, concurrency, move |n| {
        let d = dbr.clone();
        async move { luoshi_storage::probe::pk_read(&d, i64::try_from(n % u64::try_from(max_id).unwrap_or(1)).unwrap_or(0) + 1).await.is_ok() }
    })
    .await;
    let probe = luoshi_storage::probe::Probe::open(db).await.map_err(|e| Fail(e.to_string()))?;
    let mode = probe.describe();
    let insert = timed(&format!("limit: bare durable single-row insert ({mode})"), duration, concurrency, move |n| {
        let p = probe.clone();
        async move { p.insert(n).await.is_ok() }
    })
    .await;
    Ok(vec![empty, read, insert])
}

/// The server's resident memory in bytes, from its `/metrics`.
pub async fn server_rss(base: &str) -> Option<f64> {
    let text = reqwest::get(format!("{base}/metrics")).await.ok()?.text().await.ok()?;
    text.lines().find_map(|l| l.strip_prefix("process_resident_memory_bytes "))?.trim().parse().ok()
}

pub(super) fn header(title: &str) {
    println!("\n{title}");
    println!(
        "{:<58} {:>9} {:>8} {:>8} {:>8} {:>8} {:>7} {:>9} {:>9}",
        "endpoint", "req/s", "p50 ms", "p95 ms", "p99 ms", "count", "errors", "of limit", "of pk read"
    );
}

pub(super) fn row(l: &Line, ratio: &str, of_read: &str) {
    println!("{:<58} {:>9.1} {:>8.2} {:>8.2} {:>8.2} {:>8} {:>7} {:>9} {:>9}", l.name, l.rps, l.p50, l.p95, l.p99, l.count, l.errors, ratio, of_read);
    if let Some(e) = &l.first_error {
        println!("    first error: {e}");
    }
}

/// Print the mixed load, each endpoint alone as a ratio of its limit, and the limits.
pub fn print(mix: &[Line], alone: &[Line], limits: &[Line]) {
    header("mixed load (the realistic mix, all endpoints at once)");
    for l in mix {
        row(l, "", "");
    }
    header("each endpoint alone at the same concurrency, as a share of its limit");
    let http = limits.iter().find(|l| l.name.contains("empty"));
    let read = limits.iter().find(|l| l.name.contains("primary-key"));
    let insert = limits.iter().find(|l| l.name.contains("insert"));
    let share = |l: &Line, lim: Option<&Line>| lim.map(|lim| format!("{:.1}%", l.rps / lim.rps.max(1e-9) * 100.0)).unwrap_or_default();
    for l in alone {
        let write = l.name.starts_with("POST");
        row(l, &share(l, if write { insert } else { http }), &if write { String::new() } else { share(l, read) });
    }
    header("limits measured in the same run");
    for l in limits {
        row(l, "", "");
    }
}
