//! Where each table lives on a distributed engine (Citus): the design of issue 12, applied by
//! `luoshi migrate` when the database has the `citus` extension, and nothing elsewhere (plain
//! PostgreSQL, SQLite). Every table of every module declares its place here; a new module's
//! tables follow the same rule: a duty and all its rows on the shard of its id (`ref_id` /
//! `duty_id` / `id`), small shared data as reference tables copied to every node.
//! docs/DISTRIBUTION.md gives the reasons and what each request costs.

use crate::{get_str, Db, Result};

/// A table's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Copied to every node (small, read everywhere, written rarely).
    Reference,
    /// Sharded by this column, co-located with the core's record of duties.
    ByDuty(&'static str),
    /// Sharded by its own key, in a co-location group of its own (a lookup table).
    ByKey(&'static str),
    /// Sharded by the audit chain, in the same co-location group: a chain's rows and its head
    /// on one shard, so an append is one shard's work and chains never wait for each other.
    ByChain,
    /// Kept on the coordinator: not yet distributable (the reason is in DISTRIBUTION.md).
    Coordinator,
}

/// Every table and its place. Applied in this order (references first).
pub const DESIGN: &[(&str, Place)] = &[
    ("units", Place::Reference),
    ("users", Place::Reference),
    ("rules", Place::Reference),
    ("calendar_years", Place::Reference),
    ("calendar_days", Place::Reference),
    ("appeal_categories", Place::Reference),
    ("responsibilities", Place::Reference),
    ("route_models", Place::Reference),
    ("open311_keys", Place::Reference),
    ("data_versions", Place::Reference),
    ("secrets", Place::Reference),
    ("duty_records", Place::ByDuty("ref_id")),
    ("duty_sight", Place::ByDuty("ref_id")),
    ("duty_trail", Place::ByDuty("ref_id")),
    ("duty_extensions", Place::ByDuty("ref_id")),
    ("duty_amounts", Place::ByDuty("ref_id")),
    // A task and everything under it (migration 18), its own table first (the others refer to it).
    ("duties", Place::ByDuty("id")),
    ("duty_units", Place::ByDuty("duty_id")),
    ("duty_milestones", Place::ByDuty("duty_id")),
    ("duty_reports", Place::ByDuty("duty_id")),
    ("attachments", Place::ByDuty("duty_id")),
    ("notices", Place::ByDuty("ref_id")),
    ("exemptions", Place::ByDuty("duty_id")),
    // Few rows, read with their unit or directive: kept on the coordinator.
    ("incentives", Place::Coordinator),
    ("directives", Place::Coordinator),
    ("appeals", Place::ByDuty("id")),
    // A tracking code is unique where it is the key: a one-shard lookup by a citizen's code.
    ("appeal_codes", Place::ByKey("code")),
    // A citizen's photos on the shard of their appeal (migration 31).
    ("appeal_photos", Place::ByDuty("appeal_id")),
    // 安全生产 (migration 19): the enterprises every hazard is read with, the hazards by their id.
    ("enterprises", Place::Reference),
    ("hazards", Place::ByDuty("id")),
    ("accidents", Place::ByDuty("id")),
    // Campaigns (migration 22): a few a year, read with every inspection.
    ("campaigns", Place::Reference),
    // An inspection and its photos on the shard of its id; the phone's key unique where it is the key.
    ("inspections", Place::ByDuty("id")),
    ("inspection_photos", Place::ByDuty("inspection_id")),
    ("inspection_keys", Place::ByKey("client_key")),
    // An enterprise's risk points together on the shard of the enterprise.
    ("risk_points", Place::ByDuty("enterprise_id")),
    ("enterprise_findings", Place::ByDuty("enterprise_id")),
    ("enterprise_years", Place::ByDuty("enterprise_id")),
    // 应急协同 (migration 23): plans with their levels, matrix and links, warnings and resources
    // are few and read with every activation; the roster by unit; an incident's activations,
    // log and resource movements on its shard; each assignment (a duty) on its own id's.
    ("emergency_plans", Place::Reference),
    ("plan_levels", Place::Reference),
    ("plan_matrix", Place::Reference),
    ("plan_links", Place::Reference),
    ("cap_alerts", Place::Reference),
    ("emergency_resources", Place::Reference),
    ("duty_roster", Place::ByKey("unit_id")),
    ("incidents", Place::ByDuty("id")),
    ("incident_activations", Place::ByDuty("incident_id")),
    ("incident_log", Place::ByDuty("incident_id")),
    ("resource_moves", Place::ByDuty("incident_id")),
    ("emergency_assignments", Place::ByDuty("id")),
    // 重大项目 (migration 24): a project and its own rows on its shard; each approval item a
    // duty on its own id's shard with its visits and pauses.
    ("projects", Place::ByDuty("id")),
    ("project_funds", Place::ByDuty("project_id")),
    ("project_plans", Place::ByDuty("project_id")),
    ("project_stages", Place::ByDuty("project_id")),
    ("project_changes", Place::ByDuty("project_id")),
    ("project_reports", Place::ByDuty("project_id")),
    ("project_problems", Place::ByDuty("project_id")),
    ("project_approvals", Place::ByDuty("id")),
    ("approval_visits", Place::ByDuty("approval_id")),
    // 债务风险 (migration 25): the small shared data copied; an instrument with its schedule
    // and transactions on its shard; maturities and warnings (duties) on theirs.
    ("debt_borrowers", Place::Reference),
    ("debt_limits", Place::Reference),
    ("debt_capacity", Place::Reference),
    ("debt_grants", Place::Reference),
    ("debt_instruments", Place::ByDuty("id")),
    ("debt_schedule", Place::ByDuty("instrument_id")),
    ("debt_transactions", Place::ByDuty("instrument_id")),
    ("debt_maturities", Place::ByDuty("id")),
    ("debt_warnings", Place::ByDuty("id")),
    // Named scenarios (a handful) and the book's version (one row, moved by every write).
    ("debt_scenarios", Place::Coordinator),
    ("debt_book", Place::Coordinator),
    // Notices that reach people: a county's channels and its outbox (a few thousand a day).
    ("notify_channels", Place::Coordinator),
    ("notify_outbox", Place::Coordinator),
    ("notify_attempts", Place::Coordinator),
    // 民生实事 (migration 26): a proposal and the citizens' ratings of it on the shard of its id;
    // a year's settings and its sessions (a few hundred ballots a year) copied to every node.
    ("livelihood_years", Place::Reference),
    ("livelihood_sessions", Place::Reference),
    ("livelihood_candidates", Place::Reference),
    ("livelihood_voters", Place::Reference),
    ("livelihood_open_ballots", Place::Reference),
    ("livelihood_signatures", Place::Reference),
    ("livelihood_proposals", Place::ByDuty("id")),
    ("livelihood_public_ratings", Place::ByDuty("proposal_id")),
    ("approval_pauses", Place::ByDuty("approval_id")),
    // 考核 (migration 28): schemes, adjustments and objections, a few hundred rows a year.
    ("assessment_schemes", Place::Reference),
    ("assessment_adjustments", Place::Reference),
    ("assessment_objections", Place::Reference),
    // Counters moved with each hazard change (migration 21) and with each duty's (migration
    // 27, what the cockpit reads): small, on the coordinator.
    ("duty_counts", Place::Coordinator),
    ("hazard_counts", Place::Coordinator),
    ("audit_log", Place::ByChain),
    ("audit_heads", Place::ByChain),
    // Written every few minutes, read by verify: small.
    ("audit_anchors", Place::Coordinator),
    ("sessions", Place::Coordinator),
    ("api_tokens", Place::Coordinator),
    ("login_failures", Place::Coordinator),
    ("rate_counts", Place::Coordinator),
    ("schema_migrations", Place::Coordinator),
];

/// Place every table the design distributes that is not placed yet, on this connection (the
/// migration's, under its lock); the tables placed by this call. Idempotent: a table already
/// placed is left alone; nothing happens without the `citus` extension.
pub(crate) async fn apply(conn: &mut sqlx::AnyConnection) -> Result<Vec<String>> {
    if sqlx::query("SELECT 1 AS x FROM pg_extension WHERE extname = 'citus'").fetch_optional(&mut *conn).await?.is_none() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query("SELECT table_name::text AS t FROM citus_tables WHERE citus_table_type <> 'local'").fetch_all(&mut *conn).await?;
    let placed: Vec<String> = rows.iter().map(|r| get_str(r, "t")).collect::<Result<_>>()?;
    // The engine shards no table with an identity column once a key to a reference table made
    // it a "citus local" table: such ids come from a plain sequence instead (same values on).
    for (table, place) in DESIGN {
        if !placed.iter().any(|p| p == table) && *place != Place::Coordinator {
            identity_to_sequence(conn, table).await?;
        }
    }
    // Keys between two tables to be sharded go while they are placed and come back after (the
    // engine places no table that a local table refers to).
    let to_shard: Vec<String> = DESIGN
        .iter()
        .filter(|(t, p)| !placed.iter().any(|x| x == t) && !matches!(p, Place::Reference | Place::Coordinator))
        .map(|(t, _)| format!("'{t}'"))
        .collect();
    let mut keys = Vec::new();
    if !to_shard.is_empty() {
        let list = to_shard.join(", ");
        let sql = format!(
            "SELECT conname::text AS n, conrelid::regclass::text AS t, pg_get_constraintdef(oid) AS d FROM pg_constraint \
             WHERE contype = 'f' AND conrelid::regclass::text IN ({list}) AND confrelid::regclass::text IN ({list})"
        );
        for r in sqlx::query(&sql).fetch_all(&mut *conn).await? {
            let (name, table, def) = (get_str(&r, "n")?, get_str(&r, "t")?, get_str(&r, "d")?);
            sqlx::raw_sql(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}")).execute(&mut *conn).await?;
            keys.push((table, name, def));
        }
    }
    let mut done = Vec::new();
    for (table, place) in DESIGN {
        if placed.iter().any(|p| p == table) {
            continue;
        }
        let sql = match place {
            Place::Reference => format!("SELECT create_reference_table('{table}')"),
            // The append-only guards are row triggers that touch nothing but their own row.
            Place::ByDuty(col) if *table == "duty_records" => format!("SELECT create_distributed_table('{table}', '{col}')"),
            Place::ByDuty(col) => format!("SELECT create_distributed_table('{table}', '{col}', colocate_with => 'duty_records')"),
            Place::ByKey(col) => format!("SELECT create_distributed_table('{table}', '{col}', colocate_with => 'none')"),
            Place::ByChain => format!("SELECT create_distributed_table('{table}', 'chain', colocate_with => 'duty_records')"),
            Place::Coordinator => continue,
        };
        sqlx::raw_sql("SET citus.enable_unsafe_triggers TO on").execute(&mut *conn).await?;
        sqlx::raw_sql(&sql).execute(&mut *conn).await?;
        done.push((*table).to_string());
    }
    for (table, name, def) in keys {
        sqlx::raw_sql(&format!("ALTER TABLE {table} ADD CONSTRAINT {name} {def}")).execute(&mut *conn).await?;
    }
    Ok(done)
}

/// Replace the table's identity columns by a sequence of their own going on from the largest id.
async fn identity_to_sequence(conn: &mut sqlx::AnyConnection, table: &str) -> Result<()> {
    let cols = sqlx::query("SELECT attname::text AS c FROM pg_attribute WHERE attrelid = CAST($1 AS regclass) AND attidentity <> ''")
        .bind(table)
        .fetch_all(&mut *conn)
        .await?;
    for r in &cols {
        let col = get_str(r, "c")?;
        let seq = format!("{table}_{col}_seq");
        for sql in [
            format!("ALTER TABLE {table} ALTER COLUMN {col} DROP IDENTITY IF EXISTS"),
            format!("CREATE SEQUENCE IF NOT EXISTS {seq} AS BIGINT OWNED BY {table}.{col}"),
            format!("SELECT setval('{seq}', COALESCE((SELECT MAX({col}) FROM {table}), 0) + 1, false)"),
            format!("ALTER TABLE {table} ALTER COLUMN {col} SET DEFAULT nextval('{seq}')"),
        ] {
            sqlx::raw_sql(&sql).execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// The place each table has now: (table, `reference`, `distributed` or `local`), from the engine.
pub async fn placed(db: &Db) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query("SELECT table_name::text AS t, citus_table_type::text AS k FROM citus_tables ORDER BY 1").fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get_str(r, "t")?, get_str(r, "k")?))).collect()
}
