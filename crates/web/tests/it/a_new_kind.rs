//! Proof that a kind is cheap (issue 11, point 7): a kind written here alone — a 执法检查
//! inspection with its workflow and its own table, nothing else — gets its line in the record,
//! the trail, the sight, the 待办 with working days left, the board's counts, the light and the
//! ladder of the one supervision run, without a line of the core changed for it.

use crate::*;
use luoshi_domain::duty::{Light, Phase, Workflow};
use luoshi_domain::error::{DomainError, ErrorCode};
use luoshi_storage::duty::{self, trail, Line};
use luoshi_storage::testing::execute_in;
use luoshi_storage::Actor;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Insp {
    Planned,
    Open,
    Closed,
}

impl Insp {
    const ALL: &'static [Insp] = &[Insp::Planned, Insp::Open, Insp::Closed];
    fn as_str(self) -> &'static str {
        match self {
            Insp::Planned => "planned",
            Insp::Open => "open",
            Insp::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InspAction {
    Start,
    Close,
}

struct Inspection;

impl Workflow for Inspection {
    const KIND: &'static str = "inspection";
    type State = Insp;
    type Action = InspAction;
    type Side = ();
    type Facts = ();
    fn states() -> &'static [Insp] {
        Insp::ALL
    }
    fn name(s: Insp) -> &'static str {
        s.as_str()
    }
    fn actions() -> &'static [InspAction] {
        &[InspAction::Start, InspAction::Close]
    }
    fn phase(s: Insp) -> Phase {
        match s {
            Insp::Planned => Phase::Drafted,
            Insp::Open => Phase::Running,
            Insp::Closed => Phase::Done,
        }
    }
    fn side(_: InspAction) {}
    fn apply(a: InspAction, from: Insp, _: &()) -> Result<Insp, DomainError> {
        match (a, from) {
            (InspAction::Start, Insp::Planned) => Ok(Insp::Open),
            (InspAction::Close, Insp::Open) => Ok(Insp::Closed),
            _ => Err(DomainError::new(ErrorCode::Conflict).with_detail(from.as_str())),
        }
    }
}

#[tokio::test]
async fn a_kind_written_in_a_test_gets_the_whole_core() {
    let app = spawn_app().await;
    let db = &app.t.db;
    let mut tx = db.begin_write().await.unwrap();
    execute_in(&mut tx, "CREATE TABLE test_inspections (id BIGINT PRIMARY KEY, site TEXT NOT NULL)").await.unwrap();
    tx.commit_unaudited().await.unwrap();
    let town = app.unit_id("城关镇").await;
    let today = day(TODAY);
    let actor = Actor::system();
    // Two inspections of 城关镇: one due in three days, one whose limit passed two days ago.
    for (id, site, days) in [(1_i64, "城关镇农贸市场消防检查", 3_i64), (2, "城关镇加油站安全检查", -2)] {
        let mut tx = db.begin_write().await.unwrap();
        execute_in(&mut tx, &format!("INSERT INTO test_inspections (id, site) VALUES ({id}, '{site}')")).await.unwrap();
        let state = Inspection::apply(InspAction::Start, Insp::Planned, &()).unwrap();
        let due = luoshi_domain::duty::end_of_day(today + chrono::Duration::days(days));
        let line = Line::of::<Inspection>(id, state, Some(site), 1).owner(Some(town)).due(Some(due), Light::Green);
        duty::put(&mut tx, &line, None).await.unwrap();
        let step = trail::Entry {
            kind: Inspection::KIND,
            ref_id: id,
            at: 1,
            actor: "test",
            unit_id: Some(town),
            action: "start",
            from: Some("planned"),
            to: Some("open"),
            note: None,
            data: None,
        };
        trail::append(&mut tx, &[step]).await.unwrap();
        tx.audit(&actor, "inspection.start", "inspection", &id.to_string(), None, None).await.unwrap();
        tx.commit().await.unwrap();
    }

    // The one supervision run lights it and raises its ladder, once.
    let r = luoshi_app::supervision::supervise(db, today).await.unwrap();
    let (_, c) = r.others.iter().find(|(k, _)| k == "inspection").expect("the run visits the new kind");
    assert_eq!((c.checked, c.notices), (2, 1), "{c:?}");
    let again = luoshi_app::supervision::supervise(db, today).await.unwrap();
    assert_eq!(again.others.iter().find(|(k, _)| k == "inspection").unwrap().1.notices, 0, "never twice");
    let steps = trail::of(db, "inspection", 2).await.unwrap();
    assert_eq!(steps.iter().map(|s| s.action.as_str()).collect::<Vec<_>>(), ["start", "notice_notice"], "first seen overdue: 督办 alone");

    // The township's 待办: both, the overdue one first, with working days, by title.
    let staff = app.login("staff").await;
    let inbox: Value = staff.get(&app, "/api/v1/inbox?kind=inspection").await.json().await.unwrap();
    let rows = inbox["duties"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{inbox}");
    assert_eq!((rows[0]["title"].as_str().unwrap(), rows[0]["light"].as_str().unwrap()), ("城关镇加油站安全检查", "red"));
    assert!(rows[0]["days_left"].as_i64().unwrap() < 0 && rows[1]["days_left"].as_i64().unwrap() > 0);

    // The board's counts, for the township and the county; not for another township.
    let board: Value = staff.get(&app, "/api/v1/duties?kind=inspection").await.json().await.unwrap();
    let counts: Vec<(String, String, i64)> = board["counts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "inspection")
        .map(|c| (c["kind"].as_str().unwrap().into(), c["light"].as_str().unwrap().into(), c["n"].as_i64().unwrap()))
        .collect();
    assert_eq!(counts.iter().map(|c| c.2).sum::<i64>(), 2, "{counts:?}");
    assert!(counts.iter().any(|c| c.1 == "red"));
    let other: Value = app.login("staff2").await.get(&app, "/api/v1/duties?kind=inspection").await.json().await.unwrap();
    assert!(other["rows"].as_array().unwrap().is_empty());

    // Its extensions: asked through the core's one rule and table, one pending at a time, decided
    // once; the kind moves its own limit on approval.
    let due = luoshi_domain::duty::end_of_day(today + chrono::Duration::days(3));
    let later = luoshi_domain::duty::end_of_day(today + chrono::Duration::days(10));
    let now = luoshi_domain::duty::end_of_day(today - chrono::Duration::days(1));
    let reason = luoshi_domain::duty::check_extension(now, Some(due), later, "等待检测报告", 0, 1).unwrap();
    assert!(luoshi_domain::duty::check_extension(now, Some(luoshi_domain::duty::end_of_day(today - chrono::Duration::days(2))), later, "x", 0, 1).is_err());
    use luoshi_storage::duty::extensions::{self as ext, Ask};
    let ask = Ask { kind: "inspection", ref_id: 1, requester: "城关镇", reason: &reason, old: ("".into(), Some(due)), new: ("".into(), later) };
    let mut tx = db.begin_write().await.unwrap();
    let e = ext::request(&mut tx, &ask).await.unwrap();
    assert!(ext::request(&mut tx, &ask).await.is_err(), "one pending at a time");
    let decided = ext::decide(&mut tx, "inspection", e, true, "县应急管理局", None).await.unwrap();
    assert!(ext::decide(&mut tx, "inspection", e, false, "县应急管理局", None).await.is_err(), "decided once");
    assert!(ext::decide(&mut tx, "task", e, true, "x", None).await.is_err(), "not another kind's");
    let moved = Line::of::<Inspection>(1, Insp::Open, None, 3).owner(Some(town)).due(decided.new_due_at, Light::Green);
    duty::put(&mut tx, &moved, None).await.unwrap();
    tx.audit(&actor, "inspection.extension_approve", "inspection", "1", None, None).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(ext::of(db, "inspection", 1).await.unwrap()[0].state, "approved");

    // Its version moves with each change, and a stale one is refused.
    let v = duty::version(db, "inspection", 1).await.unwrap().unwrap();
    let mut tx = db.begin_write().await.unwrap();
    let closed = Line::of::<Inspection>(1, Insp::Closed, None, 2).owner(Some(town)).due(None, Light::Done);
    assert_eq!(duty::put(&mut tx, &closed, Some(v)).await.unwrap(), v + 1);
    let stale = duty::put(&mut tx, &closed, Some(v)).await.unwrap_err();
    assert!(stale.to_string().contains("conflict") || format!("{stale:?}").contains("Conflict"), "{stale:?}");
    drop(tx);
    assert!(luoshi_storage::audit::verify(db).await.unwrap().broken.is_none());
}
