use luoshi_domain::audit::Break;
use luoshi_domain::unit::UnitInput;
use luoshi_storage::testing::TestDb;
use luoshi_storage::{audit, units, Actor, Backend};

async fn county(t: &TestDb) -> i64 {
    let mut tx = t.db.begin_write().await.unwrap();
    let u = UnitInput { kind: "county".into(), name: "示范县".into(), code: "330999".into(), ..Default::default() }.validate().unwrap();
    let c = units::create(&mut tx, &Actor::system(), &u).await.unwrap();
    tx.commit().await.unwrap();
    c.id
}

#[tokio::test]
async fn chain_verifies_and_names_a_tampered_row() {
    let t = TestDb::new().await.unwrap();
    let root = county(&t).await;
    for i in 0..5 {
        let mut tx = t.db.begin_write().await.unwrap();
        let u = UnitInput { parent_id: Some(root), kind: "department".into(), name: format!("局{i}"), ..Default::default() }.validate().unwrap();
        units::create(&mut tx, &Actor::system(), &u).await.unwrap();
        tx.commit().await.unwrap();
    }
    let ok = audit::verify(&t.db).await.unwrap();
    assert!(ok.broken.is_none(), "{ok:?}");
    assert!(ok.checked >= 6);

    // The database itself refuses to change the log.
    let e = sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3").execute(t.db.pool()).await.unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    assert!(sqlx::query("DELETE FROM audit_log WHERE seq = 3").execute(t.db.pool()).await.is_err());

    // Someone with the database's owner rights goes behind the application's back.
    let target = ok.checked as i64 - 2;
    match t.db.backend() {
        Backend::Sqlite => {
            sqlx::raw_sql("DROP TRIGGER audit_log_no_update").execute(t.db.pool()).await.unwrap();
        }
        Backend::Postgres => {
            sqlx::raw_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change").execute(t.db.pool()).await.unwrap();
        }
    }
    sqlx::query("UPDATE audit_log SET after_json = '{\"name\":\"假\"}' WHERE seq = $1").bind(target).execute(t.db.pool()).await.unwrap();
    let bad = audit::verify(&t.db).await.unwrap();
    assert_eq!(bad.broken, Some((target, Break::HashMismatch)));
}

#[tokio::test]
async fn a_rolled_back_change_leaves_no_audit_row() {
    let t = TestDb::new().await.unwrap();
    let before = audit::verify(&t.db).await.unwrap().checked;
    {
        let mut tx = t.db.begin_write().await.unwrap();
        let u = UnitInput { kind: "county".into(), name: "示范县".into(), ..Default::default() }.validate().unwrap();
        units::create(&mut tx, &Actor::system(), &u).await.unwrap();
        // dropped without commit
    }
    let after = audit::verify(&t.db).await.unwrap();
    assert_eq!(after.checked, before);
    assert!(after.broken.is_none());
    assert!(units::root(&t.db).await.unwrap().is_none());
}

#[tokio::test]
async fn concurrent_writers_keep_one_chain() {
    let t = TestDb::new().await.unwrap();
    let root = county(&t).await;
    let mut handles = Vec::new();
    for i in 0..16 {
        let db = t.db.clone();
        handles.push(tokio::spawn(async move {
            let mut tx = db.begin_write().await.unwrap();
            let u = UnitInput { parent_id: Some(root), kind: "department".into(), name: format!("并发局{i}"), ..Default::default() }.validate().unwrap();
            units::create(&mut tx, &Actor::system(), &u).await.unwrap();
            tx.commit().await.unwrap();
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let r = audit::verify(&t.db).await.unwrap();
    assert!(r.broken.is_none(), "{r:?}");
}
