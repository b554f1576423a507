//! On a distributed engine (Citus, issue 12): `luoshi migrate` places each table as the design
//! says (the core's record, sight, trail and extensions sharded by the duty and co-located; the
//! shared data as reference tables), and the demo county runs through the whole application on
//! it, its audit chains whole (sharded by chain) and a removed tail caught. Needs a Citus database:
//! `LUOSHI_TEST_CITUS_URL` from `../shared/tools/citus-cluster.sh createdb NAME` (`.ci/run` does).

use super::*;

#[tokio::test]
#[ignore = "needs LUOSHI_TEST_CITUS_URL, a database on a Citus cluster (.ci/run makes one)"]
async fn on_citus_the_core_is_distributed_and_the_county_runs() {
    let url = std::env::var("LUOSHI_TEST_CITUS_URL").expect("LUOSHI_TEST_CITUS_URL");
    let (code, out, err) = run(luoshi(&url).arg("migrate"));
    assert_eq!(code, 0, "{out}{err}");
    let d = db(&url).await;
    let placed = luoshi_storage::distribute::placed(&d).await.unwrap();
    let kind = |t: &str| placed.iter().find(|(n, _)| n == t).map(|(_, k)| k.clone()).unwrap_or_default();
    for t in DISTRIBUTED.iter().copied().chain(["appeal_codes"]) {
        assert_eq!(kind(t), "distributed", "{t}: {placed:?}");
    }
    for t in ["units", "users", "rules", "calendar_days", "appeal_categories", "data_versions", "enterprises"] {
        assert_eq!(kind(t), "reference", "{t}: {placed:?}");
    }
    let coloc: Vec<i64> = core_colocations(&d).await;
    assert_eq!(coloc.len(), 1, "the core's tables and the audit chains share one co-location: {coloc:?}");

    // The demo county through the whole application: every role logs in, the 待办 and the board answer.
    let (mut child, addr, banner) = crate::cli::start_demo(&url);
    assert!(banner.contains("14 tasks, 26 hazards, 56 emergency assignments, 100 projects and "), "{banner}");
    // About three hundred instruments: the bonds matured by today are refinanced, so a few more as days pass.
    let debt: usize = banner.split("100 projects and ").nth(1).and_then(|r| r.split(' ').next()).and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!((280..330).contains(&debt) && banner.contains("debt instruments created"), "{banner}");
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let r = client
        .post(format!("http://{addr}/api/v1/session"))
        .json(&serde_json::json!({ "username": "staff", "password": luoshi_web::demo::DEMO_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    for path in ["/api/v1/inbox", "/api/v1/duties", "/api/v1/tasks", "/api/v1/appeals"] {
        let r = client.get(format!("http://{addr}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    child.kill().unwrap();
    child.wait().unwrap();

    // The chain verifies; with its anchor kept outside, a removed tail is caught.
    let (code, out, err) = run(luoshi(&url).args(["audit", "verify"]));
    assert_eq!(code, 0, "{out}{err}");
    let anchor = out.lines().find_map(|l| l.strip_prefix("anchor: ")).unwrap().split(' ').next().unwrap().to_string();
    luoshi_storage::testing::cut_audit_tail(&d, 3).await.unwrap();
    let (code, _, err) = run(luoshi(&url).args(["audit", "verify", "--anchor", &anchor]));
    assert_ne!(code, 0, "a removed tail must be caught: {err}");
}

/// The tables sharded by the duty (or the audit chain), all in one co-location group.
const DISTRIBUTED: &[&str] = &[
    "duty_records",
    "duty_sight",
    "duty_trail",
    "duty_extensions",
    "audit_log",
    "audit_heads",
    "appeals",
    "duties",
    "duty_units",
    "duty_milestones",
    "duty_reports",
    "attachments",
    "notices",
    "exemptions",
    "hazards",
];

/// The co-location groups of the core's distributed tables.
async fn core_colocations(d: &Db) -> Vec<i64> {
    let mut ids: Vec<i64> = luoshi_storage::testing::colocation_ids(d, DISTRIBUTED).await.unwrap();
    ids.sort_unstable();
    ids.dedup();
    ids
}
