use luoshi_storage::testing::TestDb;
use luoshi_storage::{Backend, StoreError, MIGRATIONS_POSTGRES, MIGRATIONS_SQLITE};
use sqlx::Row;
use std::collections::BTreeMap;

/// Tables and columns described by a dialect's migration files, read from their CREATE TABLE
/// statements.
fn described(migrations: &[(i64, &str, &str)]) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for (_, _, sql) in migrations {
        // Drop `--` comments first: they may hold commas and parentheses.
        let text: String = sql.lines().map(|l| l.split("--").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
        // Tables dropped (before those made anew under the same name in the same file).
        let mut rest = text.as_str();
        while let Some(i) = rest.find("DROP TABLE ") {
            rest = &rest[i + "DROP TABLE ".len()..];
            let name = rest.split(|c: char| c.is_whitespace() || c == ';').next().unwrap_or("");
            out.remove(name);
        }
        let mut rest = text.as_str();
        while let Some(i) = rest.find("CREATE TABLE ") {
            rest = &rest[i + "CREATE TABLE ".len()..];
            let name = rest.split(|c: char| c.is_whitespace() || c == '(').next().unwrap().to_string();
            let body_start = rest.find('(').unwrap() + 1;
            let mut depth = 1;
            let mut end = body_start;
            for (j, c) in rest[body_start..].char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = body_start + j;
                    break;
                }
            }
            let body = &rest[body_start..end];
            let mut cols = Vec::new();
            let mut depth = 0;
            let mut item = String::new();
            for c in body.chars().chain(std::iter::once(',')) {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    ',' if depth == 0 => {
                        let first = item.split_whitespace().next().unwrap_or("").to_string();
                        if !first.is_empty() && !["PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "CONSTRAINT"].contains(&first.as_str()) {
                            cols.push(first);
                        }
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            out.insert(name, cols);
        }
        // Columns added and tables renamed later.
        let mut rest = text.as_str();
        while let Some(i) = rest.find("ALTER TABLE ") {
            rest = &rest[i + "ALTER TABLE ".len()..];
            let words: Vec<&str> = rest.split_whitespace().take(6).collect();
            match words.as_slice() {
                [table, "ADD", "COLUMN", col, ..] => out.get_mut(*table).unwrap().push(col.to_string()),
                [table, "RENAME", "TO", new, ..] => {
                    let cols = out.remove(*table).unwrap();
                    out.insert(new.trim_end_matches(';').to_string(), cols);
                }
                [table, "RENAME", "COLUMN", old, "TO", new] => {
                    let new = new.trim_end_matches(';');
                    out.get_mut(*table).unwrap().iter_mut().filter(|c| c == old).for_each(|c| *c = new.to_string());
                }
                _ => {}
            }
        }
    }
    out
}

#[test]
fn both_dialects_describe_the_same_tables_and_columns() {
    let sqlite = described(MIGRATIONS_SQLITE);
    let pg = described(MIGRATIONS_POSTGRES);
    assert!(sqlite.len() >= 9, "{sqlite:?}");
    assert_eq!(sqlite, pg);
    let versions = |m: &[(i64, &str, &str)]| m.iter().map(|x| (x.0, x.1.to_string())).collect::<Vec<_>>();
    assert_eq!(versions(MIGRATIONS_SQLITE), versions(MIGRATIONS_POSTGRES));
}

#[tokio::test]
async fn the_migrated_database_has_what_the_files_describe() {
    let t = TestDb::new().await.unwrap();
    let (files, sql) = match t.db.backend() {
        Backend::Sqlite => (described(MIGRATIONS_SQLITE), "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid"),
        Backend::Postgres => (described(MIGRATIONS_POSTGRES), "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns WHERE table_schema = 'public' AND table_name !~ '_[0-9]+$' AND table_name NOT IN ('citus_tables', 'citus_schemas') ORDER BY table_name, ordinal_position"),
    };
    let rows = sqlx::query(sql).fetch_all(t.db.pool()).await.unwrap();
    let mut live: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in rows {
        let table: String = r.try_get("t").unwrap();
        if table == "schema_migrations" {
            continue;
        }
        live.entry(table).or_default().push(r.try_get("c").unwrap());
    }
    assert_eq!(live, files);
}

#[tokio::test]
async fn migrate_is_idempotent_and_refuses_a_newer_schema() {
    let t = TestDb::empty().await.unwrap();
    assert_eq!(t.db.migrate().await.unwrap().len(), MIGRATIONS_SQLITE.len());
    assert!(t.db.migrate().await.unwrap().is_empty());
    sqlx::query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (999, 'future', 'x', 0)").execute(t.db.pool()).await.unwrap();
    let e = t.db.migrate().await.unwrap_err();
    assert!(matches!(e, StoreError::NewerSchema { found: 999, .. }), "{e}");
    assert!(e.to_string().contains("newer luoshi"));
    assert!(matches!(t.db.check_schema().await.unwrap_err(), StoreError::NewerSchema { .. }));
}

/// Several nodes (here: four pools, as four processes would be) start on one new database at
/// once: each migration is applied exactly once and nobody fails.
#[tokio::test]
async fn concurrent_migrations_apply_once() {
    for _ in 0..5 {
        let t = TestDb::empty().await.unwrap();
        let mut nodes = vec![t.db.clone()];
        for _ in 0..3 {
            nodes.push(luoshi_storage::Db::connect(&t.url, &Default::default()).await.unwrap());
        }
        let runs = futures_join(nodes.iter().map(|n| n.migrate()).collect()).await;
        let applied: usize = runs.into_iter().map(|r| r.unwrap().len()).sum();
        assert_eq!(applied, MIGRATIONS_SQLITE.len());
    }
}

async fn futures_join<F: std::future::Future>(fs: Vec<F>) -> Vec<F::Output> {
    let mut handles = Vec::new();
    for f in fs {
        handles.push(f);
    }
    let mut out = Vec::new();
    // Poll them together: each migrate() awaits the database, so they interleave.
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = handles.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if results[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => results[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    for r in results {
        out.extend(r);
    }
    out
}

/// A full disk (here: SQLite's page limit, which fails the same way, SQLITE_FULL) is reported
/// as `unavailable`, never as an internal error, and the failed change leaves nothing behind.
#[tokio::test]
async fn a_full_database_is_unavailable_not_internal() {
    let t = TestDb::new().await.unwrap();
    if t.db.backend() != Backend::Sqlite {
        return;
    }
    // One connection with a page limit just above what is used.
    let mut conn = t.db.pool().acquire().await.unwrap();
    let pages: i64 = sqlx::query("PRAGMA page_count").fetch_one(&mut *conn).await.unwrap().try_get(0).unwrap();
    sqlx::query(&format!("PRAGMA max_page_count = {}", pages + 1)).execute(&mut *conn).await.unwrap();
    let big = "满".repeat(200_000);
    let e = sqlx::query(
        "INSERT INTO rules (rule_key, version, value_json, source, effective_from, changed_by, changed_at) VALUES ('x', 1, $1, 's', '2026-01-01', 't', 0)",
    )
    .bind(&big)
    .execute(&mut *conn)
    .await
    .unwrap_err();
    let err = StoreError::Database(e);
    assert_eq!(err.code(), luoshi_domain::ErrorCode::Unavailable, "{err}");
    sqlx::query(&format!("PRAGMA max_page_count = {}", 1_073_741_823)).execute(&mut *conn).await.unwrap();
    drop(conn);
    assert!(luoshi_storage::rules::history(&t.db, "x").await.unwrap().is_empty());
}

/// No triggers keep anything any more (a distributed engine refuses them): each writer of a
/// cached table moves its version in the same transaction, and a directive's task count follows
/// its tasks.
#[tokio::test]
async fn writers_keep_versions_and_counts_without_triggers() {
    use luoshi_domain::unit::UnitInput;
    use luoshi_storage::{units, versions, Actor};
    let t = TestDb::new().await.unwrap();
    let db = &t.db;
    let v = |all: Vec<(String, i64)>, name: &str| all.into_iter().find(|(n, _)| n == name).map(|(_, n)| n).unwrap();
    let before = versions::all(db).await.unwrap();
    let mut tx = db.begin_write().await.unwrap();
    let input = UnitInput { kind: "county".into(), name: "示范县".into(), code: "339901".into(), ..Default::default() };
    let county = units::create(&mut tx, &Actor::system(), &input.validate().unwrap()).await.unwrap();
    luoshi_storage::catalogue::set(&mut tx, &Actor::system(), county.id, &["安全".to_string()]).await.unwrap();
    luoshi_storage::appeals::add_key(&mut tx, &Actor::system(), "网格平台", "hash").await.unwrap();
    tx.commit().await.unwrap();
    let after = versions::all(db).await.unwrap();
    for name in ["units", "responsibilities", "open311_keys"] {
        assert!(v(after.clone(), name) > v(before.clone(), name), "{name}");
    }
    assert_eq!(v(after.clone(), "route_models"), v(before, "route_models"), "untouched");
    let triggers = match db.backend() {
        Backend::Sqlite => "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'trigger' AND name NOT LIKE '%append%' AND name NOT LIKE '%no_update' AND name NOT LIKE '%no_delete'",
        Backend::Postgres => "SELECT COUNT(*) AS n FROM information_schema.triggers WHERE event_object_schema = 'public' AND trigger_name NOT LIKE '%no_change'",
    };
    let n: i64 = sqlx::query(triggers).fetch_one(db.pool()).await.unwrap().try_get("n").unwrap();
    assert_eq!(n, 0, "only the append-only guards remain");
}
