//! Records over time: 文件分解 of the speech, audit anchors and business rows, the previous release's database.

use super::*;

#[test]
fn doc_split_reads_the_speech() {
    let speech = concat!(env!("CARGO_MANIFEST_DIR"), "/../domain/tests/data/county-speech.txt");
    let (code, out, err) = run(luoshi("sqlite://unused.db").args(["doc", "split", speech, "--format", "json", "--year", "2026"]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["outline"]["nodes"].as_array().unwrap().len(), 4);
    assert_eq!(v["tasks"].as_array().unwrap().len(), 12);
    let (code, out, _) = run(luoshi("sqlite://unused.db").args(["doc", "split", speech, "--format", "md"]));
    assert_eq!(code, 0);
    assert!(out.contains("| 7 三、一是 | 抓实抓细安全生产各项举措 | 县应急管理局"), "{out}");
    let dir = tempfile::tempdir().unwrap();
    // The xlsx draft is a 任务分解表 the task ledger reads: with the demo county's units, the only
    // problems left are the deadlines the speech does not give, named by row and column.
    let xlsx = dir.path().join("draft.xlsx");
    let (code, out, err) = run(luoshi("sqlite://unused.db").args(["doc", "split", speech, "--format", "xlsx", "--out"]).arg(&xlsx));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("12 draft tasks written"));
    let url = format!("sqlite://{}/d.db", dir.path().display());
    let (code, _, _) = run(luoshi(&url).args(["demo", "--listen", "not-an-address"]));
    assert_eq!(code, 1, "demo seeds, then cannot listen");
    let (code, _, err) = run(luoshi(&url).args(["tasks", "import", "--dry-run", "--title", "讲话任务分解"]).arg(&xlsx));
    assert_eq!(code, 1);
    let problems: Vec<&str> = err.lines().filter(|l| l.starts_with("row ")).collect();
    assert!(!problems.is_empty() && problems.iter().all(|l| l.contains("column 完成时限")), "{err}");
    // GBK, as many government files still are: "关于加强森林防火的通知\n一是压实责任。二是加强巡查。"
    let gbk = dir.path().join("gbk.txt");
    let text = "关于加强森林防火的通知\n各乡镇：一是压实责任，建立网格。二是加强巡查。\n";
    let (bytes, _, _) = encoding_rs::GB18030.encode(text);
    std::fs::write(&gbk, &bytes).unwrap();
    let (code, out, err) = run(luoshi("sqlite://unused.db").args(["doc", "split", "--format", "md"]).arg(&gbk));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("# 关于加强森林防火的通知") && out.contains("压实责任") && out.contains("加强巡查"), "{out}");
    assert!(err.contains("read as gb18030"), "the CLI says which encoding it read: {err}");
    let binary = dir.path().join("x.bin");
    std::fs::write(&binary, [0u8, 1, 2, 3, 255]).unwrap();
    let (code, _, err) = run(luoshi("sqlite://unused.db").args(["doc", "split"]).arg(&binary));
    assert_eq!(code, 1);
    assert!(one_line_error(&err).contains("not a text file"), "{err}");
}

/// The anchor catches a removed tail (which the chain alone cannot: the head is rewound with
/// it), and `audit verify` compares work orders and tasks with their trail.
#[tokio::test]
async fn audit_anchors_and_business_rows() {
    let (url, _dir) = fresh_url().await.unwrap();
    assert_eq!(run(luoshi(&url).arg("migrate")).0, 0, "migrated, calendar and rules loaded");
    let d = db(&url).await;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
    luoshi_web::demo::seed(&d).await.unwrap();
    luoshi_web::demo::seed_tasks(&d, today).await.unwrap();
    let routing = luoshi_app::appeals::Routing::default();
    luoshi_web::demo_appeals::seed_appeals(&d, &routing, luoshi_storage::now_micros(), 30).await.unwrap();
    let (code, out, err) = run(luoshi(&url).args(["audit", "verify"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("business rows: 30 work orders and") && out.contains("0 work orders from before digests"), "{out}");
    let anchor_of = |out: &str| out.lines().find_map(|l| l.strip_prefix("anchor: ")).unwrap().split(' ').next().unwrap().to_string();
    let early = anchor_of(&out);
    // More writes, then the anchor kept outside, in a file.
    luoshi_web::demo_appeals::seed_appeals(&d, &routing, luoshi_storage::now_micros(), 35).await.unwrap();
    let file = tempfile::tempdir().unwrap();
    let anchors = file.path().join("anchors.txt");
    let (code, out, _) = run(luoshi(&url).args(["audit", "anchor", "--append"]).arg(&anchors));
    assert_eq!(code, 0);
    let late = out.trim().to_string();
    assert!(std::fs::read_to_string(&anchors).unwrap().starts_with(&late));
    let (code, out, err) = run(luoshi(&url).args(["audit", "verify", "--anchor", &early, "--anchors"]).arg(&anchors));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 anchors hold"), "{out}");

    // The newest rows removed and the head rewound: the chain alone still verifies…
    luoshi_storage::testing::cut_audit_tail(&d, 3).await.unwrap();
    assert!(luoshi_storage::audit::verify(&d).await.unwrap().broken.is_none());
    // …but the anchor kept outside does not hold.
    let (code, _, err) = run(luoshi(&url).args(["audit", "verify", "--anchors"]).arg(&anchors));
    assert_eq!(code, 2);
    assert!(err.contains("is gone; the newest audit rows were removed"), "{err}");
    // The removed rows were the last receipts: those work orders no longer match any trail
    // entry with a digest, and are reported (the earlier anchor still holds).
    let (code, _, err) = run(luoshi(&url).args(["audit", "verify", "--anchor", &early]));
    assert_eq!(code, 2, "{err}");

    // A fresh database: an appeal's text and a task's state edited behind the application's back.
    let (url, _dir2) = fresh_url().await.unwrap();
    assert_eq!(run(luoshi(&url).arg("migrate")).0, 0, "migrated, calendar and rules loaded");
    let d = db(&url).await;
    luoshi_web::demo::seed(&d).await.unwrap();
    luoshi_web::demo::seed_tasks(&d, today).await.unwrap();
    luoshi_web::demo_appeals::seed_appeals(&d, &luoshi_app::appeals::Routing::default(), luoshi_storage::now_micros(), 10).await.unwrap();
    assert_eq!(run(luoshi(&url).args(["audit", "verify"])).0, 0);
    let edit = luoshi_storage::testing::edit_behind_the_back;
    assert_eq!(edit(&d, "UPDATE appeals SET content = '已解决，无需处理' WHERE id = (SELECT MIN(id) FROM appeals)").await.unwrap(), 1);
    let (code, _, err) = run(luoshi(&url).args(["audit", "verify"]));
    assert_eq!(code, 2);
    assert!(err.contains("appeal") && err.contains("CHANGED outside the application"), "{err}");
    edit(&d, "UPDATE duties SET state = 'closed' WHERE id = (SELECT MIN(id) FROM duties WHERE state = 'signed')").await.unwrap();
    let (_, _, err) = run(luoshi(&url).args(["audit", "verify"]));
    assert!(err.contains("task") && err.contains("but the trail ends in signed"), "{err}");
}

/// A database written by the previous release (its `luoshi demo`, commit a5a70b7, kept as a
/// fixture) upgrades in place: every unit, user, task, appeal, trail row and notice kept, the
/// record of duties filled with every task and appeal, and the audit chain still verifying.
#[test]
fn a_database_of_the_previous_release_upgrades_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/release-a5a70b7-demo.sqlite"), &path).unwrap();
    let url = format!("sqlite://{}", path.display());
    let count = |table: &str| -> i64 {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let d = Db::connect(&url, &ConnectOptions::default()).await.unwrap();
            let n = luoshi_storage::testing::count_rows(&d, table).await.unwrap();
            d.close().await;
            n
        })
    };
    let tables = ["units", "users", "duties", "appeals", "notices", "exemptions", "audit_log"];
    let before: Vec<i64> = tables.iter().map(|t| count(t)).collect();
    assert_eq!(before[..4], [82, 10, 14, 320]);
    let trails = (count("duty_events"), count("appeal_events"));
    let extensions = count("duty_extensions");
    assert!(trails.0 > 0 && trails.1 > 0, "{trails:?}");
    let (code, out, err) = run(luoshi(&url).arg("migrate"));
    assert_eq!(code, 0, "{err}");
    for m in ["9 (trust)", "10 (duty_records)", "11 (notices_of_every_kind)", "12 (one_core)", "13 (extensions_of_every_kind)"] {
        assert!(out.contains(&format!("applied migration {m}")), "{out}");
    }
    let after: Vec<i64> = tables.iter().map(|t| count(t)).collect();
    assert_eq!(after[..6], before[..6], "nothing lost or added: {tables:?}");
    // The chain only grows: the rules this release ships are recorded as it loads them.
    assert!(after[6] > before[6], "{after:?}");
    assert_eq!(count("duty_records"), 14 + 320);
    // The two trails are one, every row kept.
    assert_eq!(count("duty_trail"), trails.0 + trails.1);
    // Every task's extension kept (with its id), and an appeal's pending one moved in beside them.
    assert!(count("duty_extensions") >= extensions && extensions > 0, "{extensions}");
    // Every task is seen by its owner at least; dispatched appeals by theirs.
    assert!(count("duty_sight") >= 14, "{}", count("duty_sight"));
    let (code, out, err) = run(luoshi(&url).args(["audit", "verify"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&format!("audit chains intact: {} rows and", after[6])), "{out}");
    assert!(out.contains("320 work orders from before digests not compared"), "{out}");
}
