use luoshi_domain::audit::Break;
use luoshi_domain::unit::UnitInput;
use luoshi_storage::testing::TestDb;
use luoshi_storage::{audit, units, Actor};

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

    // Someone with the database owner's rights goes behind the application's back.
    let longest = audit::heads(&t.db).await.unwrap().into_iter().max_by_key(|h| h.seq).unwrap();
    let target = longest.seq;
    luoshi_storage::testing::unguard(&t.db, "audit_log").await.unwrap();
    sqlx::query("UPDATE audit_log SET after_json = '{\"name\":\"假\"}' WHERE chain = $1 AND seq = $2")
        .bind(longest.chain)
        .bind(target)
        .execute(t.db.pool())
        .await
        .unwrap();
    let bad = audit::verify(&t.db).await.unwrap();
    assert_eq!(bad.broken, Some(audit::Broken { chain: longest.chain, seq: target, why: Break::HashMismatch }));
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
async fn concurrent_writers_keep_every_chain_whole() {
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
    // Writers on different records append to different chains, each whole.
    let heads = audit::heads(&t.db).await.unwrap();
    assert!(heads.iter().filter(|h| h.seq > 0).count() > 1, "{heads:?}");
    assert_eq!(audit::count(&t.db).await.unwrap(), i64::try_from(r.checked).unwrap());
}

#[tokio::test]
async fn anchors_chain_the_heads_and_catch_a_cut_tail() {
    let t = TestDb::new().await.unwrap();
    let root = county(&t).await;
    let first = audit::anchor(&t.db).await.unwrap();
    // Nothing moved: the same anchor, none written.
    assert_eq!(audit::anchor(&t.db).await.unwrap(), first);
    for i in 0..6 {
        let mut tx = t.db.begin_write().await.unwrap();
        let u = UnitInput { parent_id: Some(root), kind: "department".into(), name: format!("锚局{i}"), ..Default::default() }.validate().unwrap();
        units::create(&mut tx, &Actor::system(), &u).await.unwrap();
        tx.commit().await.unwrap();
    }
    let second = audit::anchor(&t.db).await.unwrap();
    assert_eq!(second.seq, first.seq + 1);
    let r = audit::verify(&t.db).await.unwrap();
    assert_eq!((r.broken.clone(), r.anchors), (None, 2), "{r:?}");
    assert_eq!(audit::check_anchor(&t.db, second.seq, &second.hash).await.unwrap(), audit::Anchored::Holds);
    assert_eq!(audit::check_anchor(&t.db, second.seq, &first.hash).await.unwrap(), audit::Anchored::Rewritten);

    // The newest row of a chain removed and its head rewound, the anchors left: verify names it.
    let newest = audit::recent(&t.db, None, 1).await.unwrap().remove(0);
    luoshi_storage::testing::unguard(&t.db, "audit_log").await.unwrap();
    sqlx::query("DELETE FROM audit_log WHERE chain = $1 AND seq = $2").bind(newest.chain).bind(newest.seq).execute(t.db.pool()).await.unwrap();
    sqlx::query("UPDATE audit_heads SET seq = seq - 1, hash = $1 WHERE chain = $2")
        .bind(&newest.prev_hash)
        .bind(newest.chain)
        .execute(t.db.pool())
        .await
        .unwrap();
    let cut = audit::verify(&t.db).await.unwrap();
    assert_eq!(cut.broken, Some(audit::Broken { chain: newest.chain, seq: newest.seq, why: Break::Truncated }), "{cut:?}");
    assert_eq!(audit::check_anchor(&t.db, second.seq, &second.hash).await.unwrap(), audit::Anchored::Truncated);
    // The anchors cut back too (as `testing::cut_audit_tail` does): only the anchor kept outside tells.
    luoshi_storage::testing::cut_audit_tail(&t.db, 0).await.unwrap();
    assert!(audit::verify(&t.db).await.unwrap().broken.is_none());
    assert_eq!(audit::check_anchor(&t.db, second.seq, &second.hash).await.unwrap(), audit::Anchored::Truncated);
    assert_eq!(audit::check_anchor(&t.db, first.seq, &first.hash).await.unwrap(), audit::Anchored::Holds);
}
