//! The command line: migrate, config errors, calendar and users, backup, demo, help, bench.

use super::*;

#[tokio::test]
async fn migrate_verify_and_tamper() {
    let (url, _dir) = fresh_url().await.unwrap();
    let (code, out, err) = run(luoshi(&url).arg("migrate"));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("applied migration 1 (foundation)"));
    let (code, out, _) = run(luoshi(&url).arg("migrate"));
    assert_eq!((code, out.trim()), (0, "the database is up to date"));
    let (code, out, _) = run(luoshi(&url).args(["audit", "verify"]));
    assert_eq!(code, 0);
    assert!(out.starts_with("audit chains intact:"), "{out}");
    let d = db(&url).await;
    let longest = luoshi_storage::audit::heads(&d).await.unwrap().into_iter().max_by_key(|h| h.seq).unwrap();
    let seq = longest.seq.min(3);
    luoshi_storage::testing::tamper_audit_row(&d, longest.chain, seq, "mallory").await.unwrap();
    let (code, _, err) = run(luoshi(&url).args(["audit", "verify"]));
    assert_eq!(code, 2);
    assert!(err.contains(&format!("audit chain {} BROKEN at row {seq}", longest.chain)), "{err}");
}

#[tokio::test]
async fn a_newer_schema_is_refused() {
    let (url, _dir) = fresh_url().await.unwrap();
    let d = db(&url).await;
    d.migrate().await.unwrap();
    luoshi_storage::testing::pretend_newer_schema(&d).await.unwrap();
    for args in [vec!["migrate"], vec!["serve", "--listen", "127.0.0.1:0"], vec!["audit", "verify"]] {
        let (code, _, err) = run(luoshi(&url).args(&args));
        assert_eq!(code, 1, "{args:?}");
        assert!(one_line_error(&err).contains("migrated by a newer luoshi"), "{err}");
    }
}

#[test]
fn bad_configuration_is_one_clear_line() {
    let (code, _, err) = run(luoshi("mysql://root@localhost/x").arg("migrate"));
    assert_eq!(code, 1);
    assert!(one_line_error(&err).contains("use sqlite://PATH or postgres://"), "{err}");
    let (code, _, err) = run(luoshi("postgres://nobody:secret@127.0.0.1:1/none").arg("migrate"));
    assert_eq!(code, 1);
    let line = one_line_error(&err);
    assert!(line.contains("cannot open the database") && !line.contains("secret"), "{line}");
    let (code, _, err) = run(luoshi(&format!("sqlite://{}/x.db", tempfile::tempdir().unwrap().keep().display())).args(["serve", "--listen", "not-an-address"]));
    assert_eq!(code, 1);
    assert!(one_line_error(&err).contains("cannot listen on not-an-address"));
}

#[tokio::test]
async fn calendar_import_all_or_nothing() {
    let (url, _dir) = fresh_url().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("2028.txt");
    std::fs::write(&bad, "year 2028\nsource 通知\nholiday 2028-01-01 元旦\nholiday 2028-02-30 错日\n").unwrap();
    let (code, _, err) = run(luoshi(&url).args(["calendar", "import"]).arg(&bad));
    assert_eq!(code, 1);
    assert!(one_line_error(&err).contains("line 4"), "{err}");
    let cal = luoshi_storage::calendar::load(&db(&url).await).await.unwrap();
    assert!(cal.years().all(|(y, _)| y != 2028));
    let good = dir.path().join("2027.txt");
    std::fs::write(&good, "year 2027\nsource 国务院办公厅关于2027年部分节假日安排的通知\nholiday 2027-01-01 元旦\nworkday 2027-02-06 春节调休上班\n").unwrap();
    let (code, out, _) = run(luoshi(&url).args(["calendar", "import"]).arg(&good));
    assert_eq!(code, 0);
    assert!(out.contains("calendar 2027 loaded: 2 special days"));
    let (code, _, err) = run(luoshi(&url).args(["calendar", "import", "/no/such/file"]));
    assert_eq!(code, 1);
    one_line_error(&err);
}

#[tokio::test]
async fn users_from_the_command_line() {
    let (url, _dir) = fresh_url().await.unwrap();
    let d = db(&url).await;
    d.migrate().await.unwrap();
    luoshi_web::demo::seed(&d).await.unwrap();
    let (code, out, err) = run(luoshi(&url)
        .args(["user", "add", "--username", "Zhao.Li", "--name", "赵立", "--unit", "财政局", "--role", "unit_staff"])
        .env("LUOSHI_PASSWORD", "Strong-pass-2026"));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("user zhao.li created"), "{out}");
    let (code, _, err) = run(luoshi(&url)
        .args(["user", "add", "--username", "x1y", "--name", "某", "--unit", "无此单位", "--role", "unit_staff"])
        .env("LUOSHI_PASSWORD", "Strong-pass-2026"));
    assert_eq!(code, 1);
    assert!(one_line_error(&err).contains("not found"), "{err}");
    let (code, _, err) = run(luoshi(&url)
        .args(["user", "add", "--username", "x1y", "--name", "某", "--unit", "财政局", "--role", "king"])
        .env("LUOSHI_PASSWORD", "Strong-pass-2026"));
    assert_eq!(code, 1);
    assert!(one_line_error(&err).contains("Role"), "{err}");
    let (code, _, err) = run(luoshi(&url).args(["user", "passwd", "zhao.li"]).env("LUOSHI_PASSWORD", "short"));
    assert_eq!(code, 1);
    assert!(one_line_error(&err).contains("Password"), "{err}");
    let (code, _, _) = run(luoshi(&url).args(["user", "passwd", "zhao.li"]).env("LUOSHI_PASSWORD", "Another-pass-2026"));
    assert_eq!(code, 0);
    let (code, out, _) = run(luoshi(&url).args(["user", "disable", "zhao.li"]));
    assert_eq!((code, out.trim()), (0, "user zhao.li disabled"));
    assert!(luoshi_storage::users::by_username(&d, "zhao.li").await.unwrap().unwrap().disabled);
}

#[tokio::test]
async fn backup_is_a_consistent_copy() {
    let (url, _dir) = fresh_url().await.unwrap();
    let d = db(&url).await;
    d.migrate().await.unwrap();
    luoshi_web::demo::seed(&d).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("copy.db");
    let (code, out, err) = run(luoshi(&url).arg("backup").arg(&dest));
    if d.backend() == Backend::Postgres {
        assert_eq!(code, 1);
        assert!(one_line_error(&err).contains("pg_dump"));
        return;
    }
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("backup written"));
    let copy = db(&format!("sqlite://{}", dest.display())).await;
    assert_eq!(luoshi_storage::units::count(&copy).await.unwrap(), luoshi_storage::units::count(&d).await.unwrap());
    assert!(luoshi_storage::audit::verify(&copy).await.unwrap().broken.is_none());
    let (code, _, err) = run(luoshi(&url).arg("backup").arg(&dest));
    assert_eq!(code, 1, "an existing file is never overwritten");
    one_line_error(&err);
}

/// Start `luoshi demo`, wait for its banner, return the child, the address and the banner.
pub(crate) fn start_demo(url: &str) -> (std::process::Child, String, String) {
    let mut child = luoshi(url).args(["demo", "--listen", "127.0.0.1:0"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    let mut addr = String::new();
    for _ in 0..20 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        banner.push_str(&line);
        if let Some(rest) = line.strip_prefix("Open http://") {
            addr = rest.split('/').next().unwrap().to_string();
        }
        if line.trim_start().starts_with("deputy") {
            break;
        }
    }
    // Keep reading what the server still prints, so it never writes into a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    (child, addr, banner)
}

#[tokio::test]
async fn demo_twice_changes_nothing_and_every_role_logs_in() {
    let (url, _dir) = fresh_url().await.unwrap();
    let (mut child, addr, banner) = start_demo(&url);
    assert!(banner.contains("units, 13 users, 14 tasks, 26 hazards, 56 emergency assignments, 100 projects and "), "{banner}");
    // About three hundred instruments: the bonds matured by today are refinanced, so a few more as days pass.
    let debt: usize = banner.split("100 projects and ").nth(1).and_then(|r| r.split(' ').next()).and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!((280..330).contains(&debt) && banner.contains("debt instruments created"), "{banner}");
    let client = reqwest::Client::new();
    for (user, _, _, _) in luoshi_web::demo::DEMO_USERS {
        let r = client
            .post(format!("http://{addr}/api/v1/session"))
            .json(&serde_json::json!({ "username": user, "password": luoshi_web::demo::DEMO_PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{user}");
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let d = db(&url).await;
    let rows_before = luoshi_storage::audit::verify(&d).await.unwrap().checked;
    let (mut child, _, banner) = start_demo(&url);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(banner.contains("0 units, 0 users, 0 tasks, 0 hazards, 0 emergency assignments, 0 projects and 0 debt instruments created this run"), "{banner}");
    assert_eq!(luoshi_storage::audit::verify(&d).await.unwrap().checked, rows_before);
    // Every module's duties written by the demo moved their counters as they changed.
    let (code, out, err) = run(luoshi(&url).args(["assess", "verify"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("duty counters hold"), "{out}");
    // A counter altered behind the application's back is named, and rebuilt on request.
    let altered = luoshi_storage::testing::edit_behind_the_back(
        &d,
        "UPDATE duty_counts SET n = n + 2 WHERE kind = 'appeal' AND event = 'on_time' AND period = (SELECT MIN(period) FROM duty_counts WHERE kind = 'appeal' AND event = 'on_time')",
    )
    .await
    .unwrap();
    assert!(altered >= 1);
    let (code, out, err) = run(luoshi(&url).args(["assess", "verify"]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("differs: appeal of ") && out.contains(" on_time ") && err.contains("differ from the records"), "{out}{err}");
    let (code, out, _) = run(luoshi(&url).args(["assess", "verify", "--repair"]));
    assert!(code == 0 && out.contains("rebuilt from the records"), "{out}");
    let (code, out, _) = run(luoshi(&url).args(["assess", "verify"]));
    assert!(code == 0 && out.contains("duty counters hold"), "{out}");
}

#[test]
fn help_on_every_command() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["user", "add", "--help"],
        vec!["audit", "verify", "--help"],
        vec!["backup", "--help"],
        vec!["calendar", "import", "--help"],
        vec!["migrate", "--help"],
    ] {
        let (code, out, _) = run(Command::new(env!("CARGO_BIN_EXE_luoshi")).args(&args));
        assert_eq!(code, 0, "{args:?}");
        assert!(out.contains("Usage:"), "{args:?}");
    }
}

#[tokio::test]
async fn the_bench_harness_runs_with_zero_errors() {
    let (url, _dir) = fresh_url().await.unwrap();
    let (code, out, err) =
        run(luoshi(&url).args(["bench", "run", "--use-database", "--tasks", "1500", "--duration", "2", "--concurrency", "2", "--alone", "1"]));
    assert_eq!(code, 0, "{out}{err}");
    for line in [
        "mixed load",
        "GET /api/v1/tasks (board)",
        "POST /api/v1/tasks/{id}/reports",
        "limit: empty HTTP handler",
        "limit: bare primary-key read",
        "limit: bare durable single-row insert",
    ] {
        assert!(out.contains(line), "{line} missing from:\n{out}");
    }
    assert!(!out.contains("first error"), "{out}");
    // The seed and the load moved the counters exactly as the records changed.
    let (code, out, err) = run(luoshi(&url).args(["assess", "verify"]));
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, _) = run(luoshi(&url).args(["bench", "import", "--rows", "200"]));
    assert_eq!(code, 0);
    assert!(out.contains("of 200 rows"), "{out}");
    let (code, out, _) = run(luoshi(&url).args(["bench", "doc", "--mib", "0.05", "--runs", "2"]));
    assert_eq!(code, 0);
    assert!(out.contains("draft tasks") && out.contains("p50"), "{out}");
}
