//! Search over appeals: the signatures in the index and a unit's per-unit walk give exactly
//! what reading every appeal would, before and after `reindex`, for everyone and for a unit.

use luoshi_domain::appeals::shipped_categories;
use luoshi_domain::unit::UnitInput;
use luoshi_storage::appeals::{self, Filter, Order};
use luoshi_storage::bulk::{self, SeedAppeal};
use luoshi_storage::testing::TestDb;
use luoshi_storage::{units, Actor, Db};

async fn unit(db: &Db, parent: Option<i64>, kind: &str, name: &str, code: &str) -> (i64, String) {
    let mut tx = db.begin_write().await.unwrap();
    let input = UnitInput { parent_id: parent, kind: kind.into(), name: name.into(), code: code.into(), ..Default::default() };
    let u = units::create(&mut tx, &Actor::system(), &input.validate().unwrap()).await.unwrap();
    tx.commit().await.unwrap();
    (u.id, u.path)
}

/// A county with one township and the shipped taxonomy: (county, township, its path).
async fn county_and_town(db: &Db) -> (i64, i64, String) {
    let (county, _) = unit(db, None, "county", "示范县", "330999").await;
    let (town, town_path) = unit(db, Some(county), "township", "城关镇", "330999100000").await;
    let mut tx = db.begin_write().await.unwrap();
    let cats: Vec<_> = shipped_categories().into_iter().map(|c| (c, None)).collect();
    appeals::seed_categories(&mut tx, &Actor::system(), &cats).await.unwrap();
    tx.commit().await.unwrap();
    (county, town, town_path)
}

const TEXTS: &[&str] =
    &["路灯不亮", "噪音扰民到深夜", "拖欠工资三个月", "垃圾无人清运", "小区停水两天", "物业收费不合理", "宅基地纠纷", "餐馆油烟扰民", "Street LED 灯坏了"];

#[tokio::test]
async fn search_finds_what_reading_every_appeal_finds() {
    let t = TestDb::new().await.unwrap();
    let db = &t.db;
    let (county, town, town_path) = county_and_town(db).await;
    let (village, _) = unit(db, Some(town), "village", "东街社区", "330999100001").await;
    let (bureau, _) = unit(db, Some(county), "department", "县人社局", "").await;
    let owners = [Some(town), Some(village), Some(bureau), None];
    let rows: Vec<SeedAppeal> = (0..300)
        .map(|i| SeedAppeal {
            code: format!("TEST-{i:04}-CODE"),
            channel: "phone",
            kind: "complaint",
            category: "road",
            content: format!("第{i}号：{}", TEXTS[i % TEXTS.len()]),
            address: if i % 7 == 0 { "解放路路灯杆旁".into() } else { format!("城关镇{}号", i % 13) },
            township_id: Some(town),
            citizen_name: "张三".into(),
            phone: "13812345678".into(),
            state: "dispatched",
            owner_unit_id: owners[i % owners.len()],
            due_at: None,
            created_at: 1_000_000 + (i as i64 % 50) * 1000,
            closed_at: None,
            reply: None,
            rating: None,
        })
        .collect();
    bulk::insert_appeals(db, &Actor::system(), &rows).await.unwrap();

    let check = |label: &'static str| {
        let town_path = town_path.clone();
        async move {
            for path in [None, Some(town_path.clone())] {
                for word in ["路灯", "扰民", "工资", "led", "LED", "校车", "号", "解放路路灯"] {
                    let f =
                        Filter { owner_paths: path.clone().map(|p| vec![p]), words: vec![word.into()], order: Order::Newest, limit: 40, ..Default::default() };
                    // Every page, 40 at a time, newest first.
                    let mut got = Vec::new();
                    for page in 0..10 {
                        let rows = appeals::list(db, &Filter { offset: page * 40, ..f.clone() }).await.unwrap();
                        if rows.is_empty() {
                            break;
                        }
                        got.extend(rows.into_iter().map(|a| (a.created_at, a.id)));
                    }
                    let all = appeals::list(db, &Filter { limit: 1000, ..Default::default() }).await.unwrap();
                    let lower = |s: &str| s.to_ascii_lowercase();
                    let mut want: Vec<(i64, i64)> = all
                        .iter()
                        .filter(|a| path.is_none() || [Some(town), Some(village)].contains(&a.owner_unit_id))
                        .filter(|a| lower(&a.content).contains(&lower(word)) || lower(a.address.as_deref().unwrap_or("")).contains(&lower(word)))
                        .map(|a| (a.created_at, a.id))
                        .collect();
                    want.sort_by(|x, y| y.cmp(x));
                    assert_eq!(got, want, "{label}: {word} for {path:?}");
                }
            }
        }
    };
    // A third as if written before signatures existed: all bits set, always tested in full.
    sqlx::query("UPDATE appeals SET sig0 = -1, sig1 = -1, sig2 = -1, sig3 = -1 WHERE id % 3 = 0").execute(db.pool()).await.unwrap();
    check("a third not yet indexed").await;
    appeals::reindex_page(db, 0, 1000).await.unwrap();
    check("after a reindex").await;
}

#[tokio::test]
async fn a_published_page_finds_the_same_appeals_and_reads_no_personal_data() {
    let t = TestDb::new().await.unwrap();
    let db = &t.db;
    let (_, town, _) = county_and_town(db).await;
    let states = ["dispatched", "replied", "closed"];
    let rows: Vec<SeedAppeal> = (0..60)
        .map(|i| SeedAppeal {
            code: format!("PUBL-{i:04}-CODE"),
            channel: "phone",
            kind: "complaint",
            category: if i % 2 == 0 { "road" } else { "streetlight" },
            content: format!("第{i}号：{}", TEXTS[i % TEXTS.len()]),
            address: format!("城关镇{}号", i % 13),
            township_id: Some(town),
            citizen_name: "张三".into(),
            phone: "13812345678".into(),
            state: states[i % states.len()],
            owner_unit_id: Some(town),
            due_at: Some(9_000_000),
            created_at: 1_000_000 + i as i64 * 1000,
            closed_at: None,
            reply: Some("已处理".into()),
            rating: None,
        })
        .collect();
    bulk::insert_appeals(db, &Actor::system(), &rows).await.unwrap();
    // A confidential one is never published.
    sqlx::query("UPDATE appeals SET confidential = 1 WHERE code = 'PUBL-0003-CODE'").execute(db.pool()).await.unwrap();
    let published = |categories: Vec<String>| Filter {
        states: luoshi_domain::appeals::AppealState::ALL.to_vec(),
        categories,
        published: true,
        limit: 1000,
        ..Default::default()
    };
    for categories in [Vec::new(), vec!["road".to_string()]] {
        let internal = appeals::list(db, &Filter { published: false, ..published(categories.clone()) }).await.unwrap();
        let public = appeals::list(db, &published(categories.clone())).await.unwrap();
        let want: Vec<(i64, String)> = internal.iter().filter(|a| !a.confidential).map(|a| (a.id, a.content.clone())).collect();
        assert_eq!(public.iter().map(|a| (a.id, a.content.clone())).collect::<Vec<_>>(), want, "{categories:?}");
        assert!(internal.iter().any(|a| a.phone.is_some() && a.citizen_name.is_some()), "the internal list reads the citizen");
        for a in &public {
            assert!(a.citizen_name.is_none() && a.phone.is_none() && a.id_number.is_none(), "{}: personal data read for publication", a.code);
            assert!(a.owner_name.as_deref() == Some("城关镇") && a.reply.is_some() && a.due_at.is_some(), "{}: what is published is read", a.code);
        }
    }
}
