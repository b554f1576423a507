//! Nothing acknowledged is lost: SIGKILL, a read-only database, a full disk, a PostgreSQL restart.

use super::*;

/// Start `luoshi serve` on an ephemeral port and return it with its address.
pub(super) fn start_serve(url: &str) -> (std::process::Child, String) {
    let mut child =
        luoshi(url).args(["serve", "--listen", "127.0.0.1:0", "--supervise-every", "0"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let addr = line.trim().strip_prefix("luoshi serving on http://").and_then(|r| r.split('/').next()).unwrap_or_default().to_string();
    assert!(!addr.is_empty(), "no address in {line:?}");
    (child, addr)
}

/// Crash test: write under load, kill the server with SIGKILL at a random moment, restart it,
/// and prove that every write it acknowledged is there and the audit chain still verifies.
/// Several rounds per run.
#[tokio::test]
async fn every_acknowledged_write_survives_sigkill() {
    let (url, _dir) = fresh_url().await.unwrap();
    let d = db(&url).await;
    d.migrate().await.unwrap();
    luoshi_web::demo::seed(&d).await.unwrap();
    let county = luoshi_storage::units::root(&d).await.unwrap().unwrap().id;
    let mut acknowledged: Vec<String> = Vec::new();
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    for round in 0..3u32 {
        let (mut child, addr) = start_serve(&url);
        let base = format!("http://{addr}");
        let (client, csrf) = admin_client(&base).await;
        // Four writers create units as fast as they can; each records what was acknowledged.
        let stop_after = std::time::Duration::from_millis(300 + u64::from((seed >> round) % 900));
        let mut writers = Vec::new();
        for w in 0..4 {
            let (client, base, csrf) = (client.clone(), base.clone(), csrf.clone());
            writers.push(tokio::spawn(async move {
                let mut ok = Vec::new();
                for i in 0.. {
                    let name = format!("崩溃测试局{round}-{w}-{i}");
                    let r = client
                        .post(format!("{base}/api/v1/units"))
                        .header("x-csrf-token", &csrf)
                        .json(&serde_json::json!({ "parent_id": county, "kind": "department", "name": name }))
                        .send()
                        .await;
                    match r {
                        Ok(r) if r.status() == 201 => ok.push(name),
                        Ok(r) if r.status().is_success() => panic!("unexpected {}", r.status()),
                        _ => break, // the server is gone
                    }
                }
                ok
            }));
        }
        tokio::time::sleep(stop_after).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        for w in writers {
            acknowledged.extend(w.await.unwrap());
        }
    }
    assert!(acknowledged.len() > 20, "too few writes to prove anything: {}", acknowledged.len());
    eprintln!("{} acknowledged writes across 3 SIGKILLs", acknowledged.len());
    // Restart once more: it must come up on the crashed database by itself.
    let (mut child, addr) = start_serve(&url);
    let ready = reqwest::get(format!("http://{addr}/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200);
    child.kill().unwrap();
    child.wait().unwrap();
    let units = luoshi_storage::units::list(&d, &luoshi_domain::access::Scope::All).await.unwrap();
    let names: std::collections::HashSet<&str> = units.iter().map(|u| u.name.as_str()).collect();
    let lost: Vec<&String> = acknowledged.iter().filter(|n| !names.contains(n.as_str())).collect();
    assert!(lost.is_empty(), "{} acknowledged writes lost: {lost:?}", lost.len());
    let (code, out, err) = run(luoshi(&url).args(["audit", "verify"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("audit chains intact"));
}

/// A migrated, seeded database served on an ephemeral port, with an admin session: the county's
/// id, the server process, its base URL, the client and its CSRF token.
pub(super) async fn seeded_server(url: &str) -> (i64, std::process::Child, String, reqwest::Client, String) {
    let d = db(url).await;
    d.migrate().await.unwrap();
    luoshi_web::demo::seed(&d).await.unwrap();
    let county = luoshi_storage::units::root(&d).await.unwrap().unwrap().id;
    d.close().await;
    let (child, addr) = start_serve(url);
    let base = format!("http://{addr}");
    let (client, csrf) = admin_client(&base).await;
    (county, child, base, client, csrf)
}

/// Every acknowledged unit is in the database; returns the database and the unit names.
pub(super) async fn all_present(url: &str, acknowledged: &[String]) -> (Db, Vec<String>) {
    let d = db(url).await;
    let names: Vec<String> = luoshi_storage::units::list(&d, &luoshi_domain::access::Scope::All).await.unwrap().into_iter().map(|u| u.name).collect();
    let lost: Vec<&String> = acknowledged.iter().filter(|n| !names.contains(n)).collect();
    assert!(lost.is_empty(), "{} acknowledged writes lost: {lost:?}", lost.len());
    (d, names)
}

pub(super) async fn admin_client(base: &str) -> (reqwest::Client, String) {
    let client = reqwest::Client::builder().cookie_store(true).timeout(std::time::Duration::from_secs(20)).build().unwrap();
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({ "username": "admin", "password": luoshi_web::demo::DEMO_PASSWORD }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (client, login["csrf"].as_str().unwrap().to_string())
}

pub(super) async fn create_unit(client: &reqwest::Client, base: &str, csrf: &str, county: i64, name: &str) -> (u16, serde_json::Value) {
    match client
        .post(format!("{base}/api/v1/units"))
        .header("x-csrf-token", csrf)
        .json(&serde_json::json!({ "parent_id": county, "kind": "department", "name": name }))
        .send()
        .await
    {
        Ok(r) => {
            let s = r.status().as_u16();
            (s, r.json().await.unwrap_or(serde_json::Value::Null))
        }
        Err(e) => (0, serde_json::json!({ "transport": e.to_string() })),
    }
}

/// After a fault is gone, the same server takes a write again within five seconds, by itself:
/// the name of the unit it acknowledged, or `None` if it never did.
async fn recovered_write(client: &reqwest::Client, base: &str, csrf: &str, county: i64, prefix: &str) -> Option<String> {
    for i in 0..50 {
        let name = format!("{prefix}{i}");
        if create_unit(client, base, csrf, county, &name).await.0 == 201 {
            return Some(name);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    None
}

fn chattr(flag: &str, files: &[std::path::PathBuf]) -> bool {
    files.iter().filter(|f| f.exists()).all(|f| Command::new("chattr").arg(flag).arg(f).status().map(|s| s.success()).unwrap_or(false))
}

/// Fault: the SQLite files become read-only under a running server (the immutable attribute,
/// which even root cannot write through). Writes fail with a clear `unavailable`, nothing
/// acknowledged is lost, and the server recovers by itself when the files are writable again.
#[tokio::test]
async fn a_read_only_database_fails_clearly_and_recovers() {
    let (url, scratch) = fresh_url().await.unwrap();
    let Some(dir) = scratch.dir() else { return }; // SQLite only
    let (county, mut child, base, client, csrf) = seeded_server(&url).await;
    let mut acknowledged = Vec::new();
    for i in 0..5 {
        let name = format!("只读测试局{i}");
        assert_eq!(create_unit(&client, &base, &csrf, county, &name).await.0, 201);
        acknowledged.push(name);
    }
    // The database and its write-ahead log (not the shared-memory index, which SQLite maps into
    // memory: freezing that would be no real fault).
    let files: Vec<std::path::PathBuf> = ["luoshi.db", "luoshi.db-wal"].iter().map(|f| dir.join(f)).collect();
    if !chattr("+i", &files) {
        chattr("-i", &files);
        child.kill().unwrap();
        eprintln!("chattr +i is not supported here; fault test skipped");
        return;
    }
    let (status, body) = create_unit(&client, &base, &csrf, county, "不应写入局").await;
    chattr("-i", &files);
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "unavailable", "{body}");
    let text = body.to_string().to_lowercase();
    assert!(!text.contains("sqlite") && !text.contains("readonly") && !text.contains("i/o"), "{body}");
    // Writable again: the same server takes writes without a restart.
    acknowledged.push(recovered_write(&client, &base, &csrf, county, "恢复后局").await.expect("the server did not recover by itself"));
    child.kill().unwrap();
    child.wait().unwrap();
    let (d, names) = all_present(&url, &acknowledged).await;
    assert!(!names.contains(&"不应写入局".to_string()));
    assert!(luoshi_storage::audit::verify(&d).await.unwrap().broken.is_none());
}

/// Unmounts a test's small file system, even when the test fails.
struct Mounted(std::path::PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Fault: the disk fills up under a running server (the database lives on a 6 MiB tmpfs, and a
/// file takes every byte left). Writes fail with a clear `unavailable`, nothing acknowledged is
/// lost, and the server takes writes again by itself once space is freed.
#[tokio::test]
async fn a_full_disk_fails_clearly_and_recovers() {
    if std::env::var("LUOSHI_TEST_DATABASE_URL").is_ok() {
        return; // SQLite only: PostgreSQL's disk is the server's
    }
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount").args(["-t", "tmpfs", "-o", "size=6m", "tmpfs"]).arg(&mnt).status().map(|s| s.success()).unwrap_or(false);
    if !mounted {
        eprintln!("cannot mount a tmpfs here (not root?); disk-full test skipped");
        return;
    }
    let _guard = Mounted(mnt.clone());
    let url = format!("sqlite://{}/luoshi.db", mnt.display());
    let (county, mut child, base, client, csrf) = seeded_server(&url).await;
    let mut acknowledged = Vec::new();
    for i in 0..5 {
        let name = format!("满盘前局{i}");
        assert_eq!(create_unit(&client, &base, &csrf, county, &name).await.0, 201);
        acknowledged.push(name);
    }
    // Take every byte left.
    let filler = mnt.join("filler");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        while f.write_all(&chunk).is_ok() {}
        let one = [0u8; 1];
        while f.write_all(&one).is_ok() {}
        let _ = f.sync_all();
    }
    // The log may still hold a few small writes; soon every write is refused, clearly.
    let mut refused = None;
    for i in 0..400 {
        let name = format!("满盘时局{i}");
        let (status, body) = create_unit(&client, &base, &csrf, county, &name).await;
        match status {
            201 => acknowledged.push(name),
            _ => {
                refused = Some((status, body));
                break;
            }
        }
    }
    let (status, body) = refused.expect("no write was refused on a full disk");
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "unavailable", "{body}");
    let text = body.to_string().to_lowercase();
    assert!(!text.contains("sqlite") && !text.contains("full") && !text.contains("disk"), "{body}");
    // Space again: the same server takes writes without a restart.
    std::fs::remove_file(&filler).unwrap();
    acknowledged.push(recovered_write(&client, &base, &csrf, county, "满盘后局").await.expect("the server did not recover by itself"));
    child.kill().unwrap();
    child.wait().unwrap();
    let (d, _) = all_present(&url, &acknowledged).await;
    assert!(luoshi_storage::audit::verify(&d).await.unwrap().broken.is_none());
    d.close().await;
}

/// Fault: PostgreSQL restarts under write load. Requests during the outage fail with a clear
/// `unavailable`; nothing acknowledged is lost; the server recovers by itself. It restarts the
/// whole cluster, so it is ignored in the parallel suite and `.ci/run` runs it alone.
#[tokio::test]
#[ignore = "restarts the PostgreSQL cluster; .ci/run runs it alone"]
async fn postgres_restart_under_load() {
    let Ok(_) = std::env::var("LUOSHI_TEST_DATABASE_URL") else { return };
    let (url, _scratch) = fresh_url().await.unwrap();
    let (county, mut child, base, client, csrf) = seeded_server(&url).await;
    let version = std::fs::read_dir("/etc/postgresql").unwrap().next().unwrap().unwrap().file_name().into_string().unwrap();
    let writer = {
        let (client, base, csrf) = (client.clone(), base.clone(), csrf.clone());
        tokio::spawn(async move {
            let (mut ok, mut statuses) = (Vec::new(), std::collections::BTreeMap::<u16, usize>::new());
            let until = std::time::Instant::now() + std::time::Duration::from_secs(12);
            let mut i = 0;
            while std::time::Instant::now() < until {
                let name = format!("重启测试局{i}");
                let (s, body) = create_unit(&client, &base, &csrf, county, &name).await;
                *statuses.entry(s).or_default() += 1;
                if s == 201 {
                    ok.push(name);
                } else {
                    assert!(s == 503 && body["error"]["code"] == "unavailable", "{s} {body}");
                }
                i += 1;
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            (ok, statuses)
        })
    };
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let restarted = Command::new("pg_ctlcluster").args(["--skip-systemctl-redirect", &version, "main", "restart"]).status().unwrap();
    assert!(restarted.success());
    let (acknowledged, statuses) = writer.await.unwrap();
    eprintln!("statuses during the restart: {statuses:?}");
    // Recovered by itself: the last writes after the restart went through.
    let (s, _) = create_unit(&client, &base, &csrf, county, "重启后局").await;
    assert_eq!(s, 201);
    child.kill().unwrap();
    child.wait().unwrap();
    let (d, _) = all_present(&url, &acknowledged).await;
    assert!(luoshi_storage::audit::verify(&d).await.unwrap().broken.is_none());
}
