//! 债务风险 over HTTP (issue 17): who sees the book, instruments and their schedules, the
//! balance and limit rules, the roll-forward and disclosure, the wall, the indicators and
//! warnings as duties, a maturity's funding plan, scenarios that change nothing, the ledger
//! import by row and column, and the pages.

use crate::{error_code, spawn_app, Session, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PLATFORM_USCC: &str = "91339901MA2D001370";

async fn borrowers(s: &Session, app: &TestApp) {
    for b in [
        json!({ "name": "示范县人民政府", "kind": "government", "unit": "县财政局" }),
        json!({ "name": "示范县城市建设投资集团有限公司", "kind": "platform", "uscc": PLATFORM_USCC, "owner": "示范县国资办", "unit": "县财政局" }),
    ] {
        let r = s.post(app, "/api/v1/debt/borrowers", b).await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    }
}

async fn instrument(s: &Session, app: &TestApp, body: Value) -> i64 {
    let r = s.post(app, "/api/v1/debt/instruments", body).await;
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v["id"].as_i64().unwrap()
}

async fn txn(s: &Session, app: &TestApp, id: i64, kind: &str, on: &str, wan: &str) -> reqwest::Response {
    s.post(app, &format!("/api/v1/debt/instruments/{id}/transactions"), json!({ "kind": kind, "happened_on": on, "amount_wan": wan })).await
}

#[tokio::test]
async fn the_book_its_rules_figures_and_duties() {
    let app = spawn_app().await;
    let finance = app.login("finance").await;
    // Only the book's audience: a township, the hotline, the supervision office (not granted).
    for who in ["staff", "manager", "hotline", "supervisor", "admin"] {
        let s = app.login(who).await;
        for path in ["/api/v1/debt/instruments", "/api/v1/debt/wall", "/debt", "/debt/ratios"] {
            assert_eq!(s.get(&app, path).await.status(), StatusCode::FORBIDDEN, "{who} {path}");
        }
        let page = s.get(&app, "/").await.text().await.unwrap();
        assert!(!page.contains("href=\"/debt\""), "{who} sees the debt nav");
    }
    assert!(finance.get(&app, "/").await.text().await.unwrap().contains("href=\"/debt\""));
    borrowers(&finance, &app).await;
    // A bad instrument names its field, in the user's language; nothing is written.
    let good = json!({
        "borrower": "示范县人民政府", "code": "ZQ-2024-01", "name": "2024年示范县一般债券（一期）", "kind": "general_bond",
        "category": "general", "lender": "债券投资人", "principal_wan": "10000", "rate_percent": "2.5", "start_on": "2024-03-01",
        "maturity_on": "2029-03-01", "amortisation": "bullet", "every_months": "12", "drawn_wan": "10000"
    });
    let mut bad = good.clone();
    bad["category"] = json!("platform");
    let (status, code, body) = error_code(finance.post(&app, "/api/v1/debt/instruments", bad).await).await;
    assert_eq!((status, code.as_str(), body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("debt_category")));
    assert!(body["error"]["message"].as_str().unwrap().contains("债务分类"), "{body}");
    let mut bad = good.clone();
    bad["principal_wan"] = json!("12.3456789");
    assert_eq!(error_code(finance.post(&app, "/api/v1/debt/instruments", bad).await).await.2["error"]["field"], "principal_wan");
    let mut bad = good.clone();
    bad["kind"] = json!("special_bond");
    assert_eq!(error_code(finance.post(&app, "/api/v1/debt/instruments", bad).await).await.2["error"]["field"], "project");
    // A principal leader reads but does not write.
    let leader = app.login("leader").await;
    assert_eq!(leader.post(&app, "/api/v1/debt/instruments", good.clone()).await.status(), StatusCode::FORBIDDEN);
    instrument(&finance, &app, good).await;
    // The year's limits and 综合财力.
    let r = finance
        .put(&app, "/api/v1/debt/year", json!({ "year": 2026, "general_limit_wan": "15000", "special_limit_wan": "5000", "capacity": "一般公共预算收入 8000\n上级转移支付 6000\n政府性基金收入 4000" }))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    // A trust loan of the platform: level principal, quarterly; half repaid; a repayment above
    // what is owed refused, naming the amount.
    let trust = instrument(
        &finance,
        &app,
        json!({ "borrower": "示范县城市建设投资集团有限公司", "code": "XT-2025-07", "name": "城投集团信托贷款", "kind": "trust_loan", "category": "platform",
                "lender": "某信托公司", "principal_wan": "6000", "rate_percent": "7.8", "start_on": "2025-07-20", "maturity_on": "2027-07-20",
                "amortisation": "level_principal", "every_months": "3", "drawn_wan": "6000", "guarantee": "县国资公司连带责任担保" }),
    )
    .await;
    assert_eq!(txn(&finance, &app, trust, "repayment", "2025-10-20", "750").await.status(), StatusCode::CREATED);
    let (status, code, body) = error_code(txn(&finance, &app, trust, "repayment", "2026-06-01", "5250.01").await).await;
    assert_eq!((status, code.as_str(), body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "out_of_range", Some("amount_wan")));
    assert_eq!(error_code(txn(&finance, &app, trust, "repayment", "2026-06-16", "1").await).await.2["error"]["field"], "happened_on");
    // An issuance above the 一般债务 limit (15,000 万 with 10,000 owed) is refused by the rule …
    let extra = instrument(
        &finance,
        &app,
        json!({ "borrower": "示范县人民政府", "code": "ZQ-2026-03", "name": "2026年示范县再融资一般债券", "kind": "refinancing_bond", "category": "general",
                "lender": "债券投资人", "principal_wan": "8000", "rate_percent": "2.1", "start_on": "2026-04-10", "maturity_on": "2036-04-10" }),
    )
    .await;
    let (_, code, body) = error_code(txn(&finance, &app, extra, "drawdown", "2026-04-10", "6000").await).await;
    assert_eq!((code.as_str(), body["error"]["field"].as_str()), ("out_of_range", Some("amount_wan")));
    assert!(body["error"]["message"].as_str().unwrap().contains("15000"), "{body}");
    // … and flagged when the county's rule says so.
    luoshi_storage::rules::set(
        &app.t.db,
        &luoshi_storage::Actor::cli("test"),
        "debt.limit.refuse_over",
        &luoshi_domain::rules::RuleChange {
            value: json!(0),
            source: "县财政局：超限额记录并标记".into(),
            effective_from: "2026-01-01".into(),
            note: String::new(),
        },
    )
    .await
    .unwrap();
    assert_eq!(txn(&finance, &app, extra, "drawdown", "2026-04-10", "6000").await.status(), StatusCode::CREATED);
    // The instrument's page: its read is in the audit.
    let v: Value = finance.get(&app, &format!("/api/v1/debt/instruments/{extra}")).await.json().await.unwrap();
    assert_eq!(v["transactions"][0]["over_limit"], true);
    assert_eq!(v["instrument"]["outstanding_wan"], "6000.00");
    assert_eq!(v["schedule"].as_array().unwrap().len(), 10);
    let v: Value = finance.get(&app, &format!("/api/v1/debt/instruments/{trust}")).await.json().await.unwrap();
    // Quarterly instalments of 750 万: three fell due by 15 June 2026, one was repaid.
    assert_eq!(v["overdue_wan"], "1500.00", "{v}");
    assert_eq!(v["schedule"][0]["interest_wan"], "117.96"); // 6000 万 × 7.8 % × 92 / 365
    for id in [extra, trust] {
        let trail = luoshi_storage::audit::trail(&app.t.db, "debt_instrument", &id.to_string()).await.unwrap();
        assert!(trail.iter().any(|a| a.action == "debt.read" && a.actor == "finance"), "{trail:?}");
    }
    // The disclosure rolls 2026 forward from the transactions; the identity holds.
    let d: Value = finance.get(&app, "/api/v1/debt/disclosure?year=2026").await.json().await.unwrap();
    let general = &d["rows"][0];
    assert_eq!(general["roll"]["opening"], 10_000 * 1_000_000_i64);
    assert_eq!(general["roll"]["issued_refinancing"], 6_000 * 1_000_000_i64);
    assert_eq!(general["roll"]["closing"], general["roll"]["closing_direct"]);
    assert_eq!(general["over_limit"], true);
    let xlsx = finance.get(&app, "/api/v1/debt/disclosure.xlsx?year=2026").await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    // The indicators: 16,000 万 government debt over 18,000 万 capacity; trust 5,250 of 21,250,
    // of which 1,500 overdue.
    let x: Value = finance.get(&app, "/api/v1/debt/ratios").await.json().await.unwrap();
    assert_eq!(x["indicators"]["debt_ratio_bp"], 8_889);
    assert_eq!(x["indicators"]["trust_leasing_bp"], 2_471, "{x}");
    assert_eq!(x["indicators"]["overdue_bp"], 706);
    let warned: Vec<&str> = x["warnings"].as_array().unwrap().iter().map(|w| w["indicator"].as_str().unwrap()).collect();
    assert_eq!(warned, ["nonstandard_share", "trust_leasing_share"]);
    // The wall: this month on, every month shown.
    let w: Value = finance.get(&app, "/api/v1/debt/wall?months=24").await.json().await.unwrap();
    assert_eq!(w["months"].as_array().unwrap().len(), 24);
    assert_eq!(w["months"][0]["month"], "2026-06");
    // A bank loan of 3,000 万 falls due on 30 September: inside the horizon, above the threshold.
    instrument(
        &finance,
        &app,
        json!({ "borrower": "示范县城市建设投资集团有限公司", "code": "DK-2023-09", "name": "城投集团流动资金贷款", "kind": "bank_loan", "category": "platform",
                "lender": "某农商银行", "principal_wan": "3000", "rate_percent": "4.35", "day_count": "act360", "start_on": "2023-09-30",
                "maturity_on": "2026-09-30", "every_months": "3", "drawn_wan": "3000" }),
    )
    .await;
    // The watch opens the large maturities within the horizon as the borrower's duties, and
    // the warnings as the finance bureau's; a second run opens nothing more.
    let r: Value = finance.post(&app, "/api/v1/debt/watch", json!({})).await.json().await.unwrap();
    assert!(r["maturities_opened"].as_i64().unwrap() >= 1 && r["warnings_raised"].as_i64().unwrap() >= 2, "{r}");
    let again: Value = finance.post(&app, "/api/v1/debt/watch", json!({})).await.json().await.unwrap();
    assert_eq!((again["maturities_opened"].as_i64(), again["warnings_raised"].as_i64()), (Some(0), Some(0)));
    let duties: Value = finance.get(&app, "/api/v1/debt/duties").await.json().await.unwrap();
    let m = &duties["maturities"][0];
    assert_eq!((m["state"].as_str(), m["due_on"].as_str(), m["principal_wan"].as_str()), (Some("open"), Some("2026-09-30"), Some("3000.00")), "{m}");
    // Its plan is due 20 working days before the date.
    assert_eq!(m["plan_due_on"], "2026-09-02");
    assert!(m["days_left"].is_i64(), "{m}");
    let mid = m["id"].as_i64().unwrap();
    // The cockpit lists the maturities falling due next, with the principal, from the core.
    let c: Value = leader.get(&app, "/api/v1/cockpit").await.json().await.unwrap();
    let card = c["cards"].as_array().unwrap().iter().find(|k| k["kind"] == "debt_maturity").unwrap_or_else(|| panic!("{c}"));
    assert_eq!((card["soonest"][0]["item"]["id"].as_i64(), card["soonest"][0]["amount"].as_i64()), (Some(mid), Some(30_000_000)), "{card}");
    assert!(luoshi_storage::duty::tallies::verify(&app.t.db).await.unwrap().is_empty());
    // They are duties of the core: on the board with their light.
    let board = finance.get(&app, "/api/v1/duties?kind=debt_maturity").await.text().await.unwrap();
    assert!(board.contains("debt_maturity"), "{board}");
    // A plan without its text is refused; with it, submitted, accepted, closed.
    let (_, code, body) = error_code(finance.post(&app, &format!("/api/v1/debt/maturities/{mid}/actions"), json!({ "action": "submit" })).await).await;
    assert_eq!((code.as_str(), body["error"]["field"].as_str()), ("required", Some("text")));
    for (action, text) in [("submit", "再融资2500万元，自有资金1000万元"), ("accept", ""), ("close", "已按期偿还")] {
        let r = finance.post(&app, &format!("/api/v1/debt/maturities/{mid}/actions"), json!({ "action": action, "text": text })).await;
        assert_eq!(r.status(), StatusCode::OK, "{action}: {}", r.text().await.unwrap());
    }
    // A warning's measures: the bureau submits; its staff may not accept, a principal leader may.
    let wid = duties["warnings"][0]["id"].as_i64().unwrap();
    assert_eq!(
        finance.post(&app, &format!("/api/v1/debt/warnings/{wid}/actions"), json!({ "action": "submit", "text": "压降信托贷款" })).await.status(),
        StatusCode::OK
    );
    assert_eq!(finance.post(&app, &format!("/api/v1/debt/warnings/{wid}/actions"), json!({ "action": "accept" })).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(leader.post(&app, &format!("/api/v1/debt/warnings/{wid}/actions"), json!({ "action": "accept" })).await.status(), StatusCode::OK);
    // A scenario replaces the trust loan; it changes nothing recorded and is saved only when named.
    let version = luoshi_storage::debt::version(&app.t.db).await.unwrap();
    let s: Value = finance
        .post(
            &app,
            "/api/v1/debt/scenarios",
            json!({ "select": "ids", "instruments": trust.to_string(), "kind": "swap_bond", "rate_percent": "2.2", "swap_on": "2026-07-20", "years": "10" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["count"], 1);
    assert!(s["outcome"]["interest_saved"].as_i64().unwrap() > 0, "{s}");
    assert_eq!(s["outcome"]["after"]["trust_leasing_bp"], 0);
    assert!(s["saved_id"].is_null());
    assert_eq!(luoshi_storage::debt::version(&app.t.db).await.unwrap(), version);
    let s: Value = finance
        .post(&app, "/api/v1/debt/scenarios", json!({ "select": "trust_leasing", "rate_percent": "2.2", "name": "信托置换" }))
        .await
        .json()
        .await
        .unwrap();
    let sid = s["saved_id"].as_i64().unwrap();
    let again: Value = finance.get(&app, &format!("/api/v1/debt/scenarios/{sid}")).await.json().await.unwrap();
    assert_eq!(again["name"], "信托置换");
    // A grant lets the supervision office read; withdrawn, it reads no more.
    let supervisor = app.login("supervisor").await;
    assert_eq!(finance.post(&app, "/api/v1/debt/grants", json!({ "username": "supervisor", "reason": "督查" })).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(leader.post(&app, "/api/v1/debt/grants", json!({ "username": "supervisor", "reason": "专项督查化债工作" })).await.status(), StatusCode::CREATED);
    assert_eq!(supervisor.get(&app, "/api/v1/debt/ratios").await.status(), StatusCode::OK);
    let sup = app.user_id("supervisor").await;
    assert_eq!(
        leader.client.delete(app.url(&format!("/api/v1/debt/grants/{sup}"))).header("x-csrf-token", &leader.csrf).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(supervisor.get(&app, "/api/v1/debt/ratios").await.status(), StatusCode::FORBIDDEN);
    // The pages, as the finance bureau sees them.
    for (path, needle) in [
        ("/debt", "城投集团信托贷款"),
        (&format!("/debt/instruments/{trust}"), "还本付息计划"),
        ("/debt/wall", "<svg"),
        ("/debt/ratios", "债务率"),
        ("/debt/scenario", "信托置换"),
        ("/debt/disclosure?year=2026", "年末债务余额"),
        ("/debt/settings", "一般公共预算收入"),
        (&format!("/debt/maturities/{mid}"), "已办结"),
        (&format!("/debt/warnings/{wid}"), "已认可"),
    ] {
        let r = finance.get(&app, path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let body = r.text().await.unwrap();
        assert!(body.contains(needle), "{path} lacks {needle}");
    }
    // A form refused keeps the input and names the field.
    let r = finance
        .form(
            &app,
            "/debt/instruments",
            &[
                ("borrower", "示范县人民政府"),
                ("code", "X-1"),
                ("name", "测试债务"),
                ("kind", "bank_loan"),
                ("category", "general"),
                ("lender", "某银行"),
                ("principal_wan", "abc"),
                ("rate_percent", "4"),
                ("start_on", "2026-01-01"),
                ("maturity_on", "2027-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("本金（万元）") && body.contains("value=\"测试债务\""), "{body}");
}

#[tokio::test]
async fn the_ledger_import_is_all_or_nothing() {
    let app = spawn_app().await;
    let finance = app.login("finance").await;
    borrowers(&finance, &app).await;
    let head = "债务编号,债务名称,举债主体,债务工具,债务分类,债权人,本金（万元）,利率（%）,起息日,到期日,还本方式,付息间隔（月）,已提款（万元）\n";
    let bad = format!(
        "{head}ZL-01,融资租赁（售后回租）,示范县城市建设投资集团有限公司,融资租赁,平台经营性债务,某租赁公司,3000,6.9,2025-01-15,2028-01-15,等额本息,3,3000\n\
         DK-02,项目贷款,示范县城市建设投资集团有限公司,银行贷款,经营性,某银行,abc,4.2,2025-02-01,2026-02-01,到期一次还本,12,\n"
    );
    let r =
        finance.client.post(app.url("/api/v1/debt/instruments/import?name=ledger.csv")).header("x-csrf-token", &finance.csrf).body(bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json().await.unwrap();
    let text = v.to_string();
    assert!(text.contains("债务分类") && text.contains("本金（万元）") && text.contains('3'), "{text}");
    assert!(luoshi_storage::debt::page(&app.t.db, &Default::default(), 0, 10).await.unwrap().is_empty(), "nothing written");
    let good = format!(
        "{head}ZL-01,融资租赁（售后回租）,示范县城市建设投资集团有限公司,融资租赁,平台经营性债务,某租赁公司,3000,6.9,2025-01-15,2028-01-15,等额本息,3,3000\n"
    );
    let r: Value = finance
        .client
        .post(app.url("/api/v1/debt/instruments/import?name=ledger.csv"))
        .header("x-csrf-token", &finance.csrf)
        .body(good.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((r["created"].as_u64(), r["existing"].as_u64()), (Some(1), Some(0)), "{r}");
    let r: Value = finance
        .client
        .post(app.url("/api/v1/debt/instruments/import?name=ledger.csv"))
        .header("x-csrf-token", &finance.csrf)
        .body(good)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((r["created"].as_u64(), r["existing"].as_u64()), (Some(0), Some(1)));
    // The export carries the columns back, with the balance.
    let x = finance.get(&app, "/api/v1/debt/instruments/export.xlsx").await;
    assert_eq!(x.status(), StatusCode::OK);
    assert!(x.bytes().await.unwrap().starts_with(b"PK"));
}
