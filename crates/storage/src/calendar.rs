//! The working-day calendar in the database: shipped years are loaded at start if missing;
//! an administrator imports or replaces a year.

use crate::{get_i64, get_str, Actor, Db, Result, WriteTx};
use chrono::NaiveDate;
use luoshi_domain::calendar::{parse_year_file, shipped_years, Calendar, DayKind, SpecialDay, YearFile};
use luoshi_domain::{DomainError, ErrorCode};

/// The calendar: as this node keeps it while its version stands, else read again.
pub async fn load(db: &Db) -> Result<std::sync::Arc<Calendar>> {
    db.reference.calendar.get(db, crate::versions::Cached::Calendar, read(db)).await
}

/// Read the calendar from its tables.
async fn read(db: &Db) -> Result<Calendar> {
    let years = sqlx::query("SELECT year, source FROM calendar_years ORDER BY year").fetch_all(db.pool()).await?;
    let days = sqlx::query("SELECT day, year, kind, name FROM calendar_days ORDER BY day").fetch_all(db.pool()).await?;
    let mut cal = Calendar::new();
    for y in &years {
        let year = i32::try_from(get_i64(y, "year")?).map_err(|_| DomainError::invalid("year"))?;
        let mut file = YearFile { year, source: get_str(y, "source")?, days: Vec::new() };
        for d in &days {
            if get_i64(d, "year")? == i64::from(year) {
                let date = NaiveDate::parse_from_str(&get_str(d, "day")?, "%Y-%m-%d").map_err(|_| DomainError::invalid("date"))?;
                let kind = DayKind::parse(&get_str(d, "kind")?).ok_or_else(|| DomainError::invalid("kind"))?;
                file.days.push(SpecialDay { date, kind, name: get_str(d, "name")? });
            }
        }
        cal.add_year(file);
    }
    Ok(cal)
}

/// Store (or replace) one year, audited.
pub async fn import_year(tx: &mut WriteTx, actor: &Actor, file: &YearFile) -> Result<()> {
    crate::versions::bump(tx, crate::versions::Cached::Calendar).await?;
    let before = sqlx::query("SELECT source FROM calendar_years WHERE year = $1").bind(i64::from(file.year)).fetch_optional(tx.conn()).await?;
    let before_json = match &before {
        Some(r) => Some(serde_json::json!({ "year": file.year, "source": get_str(r, "source")? })),
        None => None,
    };
    sqlx::query("DELETE FROM calendar_days WHERE year = $1").bind(i64::from(file.year)).execute(tx.conn()).await?;
    sqlx::query("DELETE FROM calendar_years WHERE year = $1").bind(i64::from(file.year)).execute(tx.conn()).await?;
    sqlx::query("INSERT INTO calendar_years (year, source, loaded_at, loaded_by) VALUES ($1, $2, $3, $4)")
        .bind(i64::from(file.year))
        .bind(&file.source)
        .bind(crate::now_micros())
        .bind(&actor.name)
        .execute(tx.conn())
        .await?;
    for d in &file.days {
        sqlx::query("INSERT INTO calendar_days (day, year, kind, name) VALUES ($1, $2, $3, $4)")
            .bind(d.date.format("%Y-%m-%d").to_string())
            .bind(i64::from(file.year))
            .bind(d.kind.as_str())
            .bind(&d.name)
            .execute(tx.conn())
            .await?;
    }
    let after = serde_json::json!({
        "year": file.year,
        "source": file.source,
        "days": file.days.iter().map(|d| format!("{} {} {}", d.date, d.kind.as_str(), d.name)).collect::<Vec<_>>(),
    });
    tx.audit(actor, "calendar.import", "calendar_year", &file.year.to_string(), before_json.as_ref(), Some(&after)).await?;
    Ok(())
}

/// Parse a year file and store it in its own transaction.
pub async fn import_text(db: &Db, actor: &Actor, text: &str) -> Result<YearFile> {
    let file = parse_year_file(text)?;
    let mut tx = db.begin_write().await?;
    import_year(&mut tx, actor, &file).await?;
    tx.commit().await?;
    Ok(file)
}

/// Load the shipped years that the database lacks (never overwrites an administrator's import).
pub async fn ensure_shipped(db: &Db) -> Result<usize> {
    let mut added = 0;
    for text in shipped_years() {
        let file = parse_year_file(text)?;
        let mut tx = db.begin_write().await?;
        let exists = sqlx::query("SELECT year FROM calendar_years WHERE year = $1").bind(i64::from(file.year)).fetch_optional(tx.conn()).await?;
        if exists.is_some() {
            continue;
        }
        import_year(&mut tx, &Actor::system(), &file).await?;
        tx.commit().await?;
        added += 1;
    }
    Ok(added)
}

/// Refuse an obviously wrong year number early, with the field named.
pub fn check_year(year: i64) -> Result<i32, DomainError> {
    i32::try_from(year).ok().filter(|y| (2000..=2200).contains(y)).ok_or_else(|| DomainError::field(ErrorCode::OutOfRange, "year"))
}
