use luoshi_domain::access::Scope;
use luoshi_domain::rules::RuleChange;
use luoshi_domain::unit::UnitInput;
use luoshi_domain::ErrorCode;
use luoshi_storage::testing::TestDb;
use luoshi_storage::{calendar, rules, units, Actor, StoreError};

fn code_of(e: StoreError) -> (ErrorCode, Option<String>) {
    let StoreError::Domain(d) = e else {
        unreachable!("not a domain error: {e}");
    };
    (d.code, d.field)
}

#[tokio::test]
async fn tree_paths_scopes_and_moves() {
    let t = TestDb::new().await.unwrap();
    let a = Actor::system();
    let mut tx = t.db.begin_write().await.unwrap();
    let county = units::create(
        &mut tx,
        &a,
        &UnitInput { kind: "county".into(), name: "示范县".into(), code: "330999".into(), ..Default::default() }.validate().unwrap(),
    )
    .await
    .unwrap();
    let t1 = units::create(
        &mut tx,
        &a,
        &UnitInput { parent_id: Some(county.id), kind: "township".into(), name: "城关镇".into(), code: "330999100000".into(), ..Default::default() }
            .validate()
            .unwrap(),
    )
    .await
    .unwrap();
    let t2 = units::create(
        &mut tx,
        &a,
        &UnitInput { parent_id: Some(county.id), kind: "township".into(), name: "东山乡".into(), code: "330999200000".into(), ..Default::default() }
            .validate()
            .unwrap(),
    )
    .await
    .unwrap();
    let v1 = units::create(
        &mut tx,
        &a,
        &UnitInput { parent_id: Some(t1.id), kind: "village".into(), name: "城东村".into(), code: "330999100201".into(), ..Default::default() }
            .validate()
            .unwrap(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(v1.path, format!("/{}/{}/{}/", county.id, t1.id, v1.id));
    assert_eq!(v1.depth, 2);

    let scope = Scope::Subtree(t1.path.clone());
    let seen: Vec<String> = units::list(&t.db, &scope).await.unwrap().into_iter().map(|u| u.name).collect();
    assert_eq!(seen, vec!["城关镇", "城东村"]);
    assert_eq!(code_of(units::get_in_scope(&t.db, &scope, t2.id).await.unwrap_err()).0, ErrorCode::NotFound);

    // Duplicate code, wrong parent kind: each names its field and writes nothing.
    let mut tx = t.db.begin_write().await.unwrap();
    let dup = UnitInput { parent_id: Some(county.id), kind: "township".into(), name: "西镇".into(), code: "330999100000".into(), ..Default::default() }
        .validate()
        .unwrap();
    assert_eq!(code_of(units::create(&mut tx, &a, &dup).await.unwrap_err()), (ErrorCode::Duplicate, Some("code".into())));
    drop(tx);
    let mut tx = t.db.begin_write().await.unwrap();
    let bad = UnitInput { parent_id: Some(county.id), kind: "village".into(), name: "飞村".into(), ..Default::default() }.validate().unwrap();
    assert_eq!(code_of(units::create(&mut tx, &a, &bad).await.unwrap_err()).0, ErrorCode::BadHierarchy);
    drop(tx);

    // Move the village to the other township (its code changes with it): the path follows.
    let mut tx = t.db.begin_write().await.unwrap();
    let moved = UnitInput { parent_id: Some(t2.id), kind: "village".into(), name: "城东村".into(), code: "330999200201".into(), ..Default::default() }
        .validate()
        .unwrap();
    let v1b = units::update(&mut tx, &a, v1.id, &moved).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(v1b.path, format!("/{}/{}/{}/", county.id, t2.id, v1.id));
    assert_eq!(units::count(&t.db).await.unwrap(), 4);
}

#[tokio::test]
async fn rules_versions_and_value_in_force() {
    let t = TestDb::new().await.unwrap();
    let key = "supervision.light.due_soon_working_days";
    assert_eq!(rules::int_value(&t.db, key, "2026-06-01").await.unwrap(), 3);
    let change =
        RuleChange {
            value: serde_json::json!(5), source: "示范县督查室〔2026〕1号".into(), effective_from: "2026-07-01".into(), note: "延长提醒".into()
        };
    let v = rules::set(&t.db, &Actor::user(1, "admin"), key, &change).await.unwrap();
    assert_eq!(v.version, 2);
    assert_eq!(rules::int_value(&t.db, key, "2026-06-30").await.unwrap(), 3);
    assert_eq!(rules::int_value(&t.db, key, "2026-07-01").await.unwrap(), 5);
    let bad = RuleChange { value: serde_json::json!(99), ..change.clone() };
    assert_eq!(code_of(rules::set(&t.db, &Actor::system(), key, &bad).await.unwrap_err()), (ErrorCode::OutOfRange, Some("value".into())));
    assert_eq!(code_of(rules::set(&t.db, &Actor::system(), "no.such.rule", &change).await.unwrap_err()).0, ErrorCode::NotFound);
    assert_eq!(rules::history(&t.db, key).await.unwrap().len(), 2);
    // Shipping twice adds nothing.
    assert_eq!(rules::ensure_shipped(&t.db).await.unwrap(), 0);
}

#[tokio::test]
async fn calendar_round_trip_and_import() {
    let t = TestDb::new().await.unwrap();
    let cal = calendar::load(&t.db).await.unwrap();
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert_eq!(cal.add_working_days(d("2026-02-13"), 2).unwrap(), d("2026-02-24"));
    assert_eq!(calendar::ensure_shipped(&t.db).await.unwrap(), 0);
    let f = calendar::import_text(&t.db, &Actor::cli("admin"), "year 2027\nsource 测试通知\nholiday 2027-01-01 元旦\n").await.unwrap();
    assert_eq!(f.days.len(), 1);
    let cal = calendar::load(&t.db).await.unwrap();
    assert!(!cal.is_working_day(d("2027-01-01")).unwrap());
    assert!(cal.is_working_day(d("2027-01-04")).unwrap());
    // A malformed file writes nothing.
    assert!(calendar::import_text(&t.db, &Actor::cli("admin"), "year 2028\nsource x\nholiday 2028-02-30 错\n").await.is_err());
    assert!(calendar::load(&t.db).await.unwrap().is_working_day(d("2028-03-01")).is_err());
}
