//! Instruments: entered (form, JSON, the ledger import) through one check that names every bad
//! field, shown with their schedule, transactions and maturity duties (each read audited).

use super::{reader, writer};
use crate::{Result, Who};
use chrono::NaiveDate;
use luoshi_domain::debt::book::projection;
use luoshi_domain::debt::schedule::schedule;
use luoshi_domain::debt::terms::{check, parse_custom};
use luoshi_domain::debt::{Amortisation, BorrowerKind, Category, DayCount, InstrumentKind, Terms};
use luoshi_domain::error::required_text;
use luoshi_domain::money::{Fen, Ppm};
use luoshi_domain::time::local_date;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::debt::write::{self as store, NewInstrument};
use luoshi_storage::debt::{self, Instrument};
use luoshi_storage::Db;
use serde::{Deserialize, Serialize};

/// An instrument as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct InstrumentInput {
    /// The borrower's name.
    #[serde(default)]
    pub borrower: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub lender: String,
    #[serde(default)]
    pub principal_wan: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub rate_percent: String,
    /// Empty for a fixed rate; `LPR1Y`, `LPR5Y`, `SHIBOR3M` for a floating one.
    #[serde(default)]
    pub rate_reference: String,
    #[serde(default)]
    pub spread_bp: String,
    #[serde(default)]
    pub fees_wan: String,
    #[serde(default)]
    pub day_count: String,
    #[serde(default)]
    pub start_on: String,
    #[serde(default)]
    pub maturity_on: String,
    #[serde(default)]
    pub amortisation: String,
    #[serde(default)]
    pub every_months: String,
    /// One row per line: `2027-06-30 500` (date, 万元).
    #[serde(default)]
    pub custom_schedule: String,
    #[serde(default)]
    pub guarantee: String,
    #[serde(default)]
    pub collateral: String,
    #[serde(default)]
    pub project: String,
    #[serde(default)]
    pub note: String,
    /// Drawn (issued) on the value date, 万元: recorded as its first transaction.
    #[serde(default)]
    pub drawn_wan: String,
}

/// Floating-rate references we know.
pub const REFERENCES: &[&str] = &["LPR1Y", "LPR5Y", "SHIBOR3M"];

fn date(raw: &str, field: &str) -> std::result::Result<NaiveDate, DomainError> {
    if raw.trim().is_empty() {
        return Err(DomainError::required(field));
    }
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| DomainError::invalid(field).with_detail(raw.trim().to_string()))
}

fn choice<T>(raw: &str, field: &str, parse: fn(&str) -> Option<T>) -> std::result::Result<T, DomainError> {
    if raw.trim().is_empty() {
        return Err(DomainError::required(field));
    }
    parse(raw).ok_or_else(|| DomainError::invalid(field).with_detail(raw.trim().to_string()))
}

/// An instrument ready to store: its row, terms, schedule and the drawdown to record.
#[derive(Debug, Clone)]
pub struct Checked {
    pub row: NewInstrument,
    pub terms: Terms,
    pub drawn: Option<Fen>,
}

/// Check an instrument as typed against its borrower (first bad field named).
pub async fn checked(db: &Db, i: &InstrumentInput) -> Result<Checked> {
    if i.borrower.trim().is_empty() {
        return Err(DomainError::required("borrower").into());
    }
    let b = debt::borrower_named(db, &i.borrower).await?.ok_or_else(|| DomainError::invalid("borrower").with_detail(i.borrower.trim().to_string()))?;
    Ok(check_with(i, b.id, b.kind)?)
}

/// Every field that is wrong on its own (for the ledger import, which reports every problem of
/// a row); the checks across fields follow in [`check_with`].
pub fn field_errors(i: &InstrumentInput) -> Vec<DomainError> {
    let mut out = Vec::new();
    let mut keep = |r: std::result::Result<(), DomainError>| {
        if let Err(e) = r {
            out.push(e);
        }
    };
    keep(required_text("code", &i.code, 64).map(|_| ()));
    keep(required_text("name", &i.name, 128).map(|_| ()));
    keep(choice(&i.kind, "debt_kind", InstrumentKind::parse).map(|_| ()));
    keep(choice(&i.category, "debt_category", Category::parse).map(|_| ()));
    keep(required_text("lender", &i.lender, 128).map(|_| ()));
    keep(if i.principal_wan.trim().is_empty() {
        Err(DomainError::required("principal_wan"))
    } else {
        Fen::parse_wan(&i.principal_wan, "principal_wan").map(|_| ())
    });
    keep(if i.rate_percent.trim().is_empty() {
        Err(DomainError::required("rate_percent"))
    } else {
        Ppm::parse_percent(&i.rate_percent, "rate_percent").map(|_| ())
    });
    keep(date(&i.start_on, "start_on").map(|_| ()));
    keep(date(&i.maturity_on, "maturity_on").map(|_| ()));
    if !i.amortisation.trim().is_empty() {
        keep(choice(&i.amortisation, "amortisation", Amortisation::parse).map(|_| ()));
    }
    if !i.day_count.trim().is_empty() {
        keep(choice(&i.day_count, "day_count", DayCount::parse).map(|_| ()));
    }
    for (raw, field) in [(&i.fees_wan, "fees_wan"), (&i.drawn_wan, "drawn_wan")] {
        if !raw.trim().is_empty() {
            keep(Fen::parse_wan(raw, field).map(|_| ()));
        }
    }
    out
}

/// The checks that need no database.
pub fn check_with(i: &InstrumentInput, borrower_id: i64, borrower_kind: BorrowerKind) -> std::result::Result<Checked, DomainError> {
    let code = required_text("code", &i.code, 64)?;
    let name = required_text("name", &i.name, 128)?;
    let kind = choice(&i.kind, "debt_kind", InstrumentKind::parse)?;
    let category = choice(&i.category, "debt_category", Category::parse)?;
    if category.government() != (borrower_kind == BorrowerKind::Government) || (kind.government_bond() && !category.government()) {
        return Err(DomainError::invalid("debt_category").with_detail(i.category.trim().to_string()));
    }
    let lender = required_text("lender", &i.lender, 128)?;
    if i.principal_wan.trim().is_empty() {
        return Err(DomainError::required("principal_wan"));
    }
    let principal = Fen::parse_wan(&i.principal_wan, "principal_wan")?;
    let currency = if i.currency.trim().is_empty() { "CNY".to_string() } else { i.currency.trim().to_ascii_uppercase() };
    // Every figure is summed in 元: another currency needs its conversion first.
    if currency != "CNY" {
        return Err(DomainError::invalid("currency").with_detail(currency));
    }
    if i.rate_percent.trim().is_empty() {
        return Err(DomainError::required("rate_percent"));
    }
    let rate = Ppm::parse_percent(&i.rate_percent, "rate_percent")?;
    let reference = i.rate_reference.trim().to_ascii_uppercase();
    if !reference.is_empty() && !REFERENCES.contains(&reference.as_str()) {
        return Err(DomainError::invalid("rate_reference").with_detail(reference));
    }
    let spread_bp = if i.spread_bp.trim().is_empty() {
        0
    } else {
        i.spread_bp
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|v| v.abs() <= 2_000)
            .ok_or_else(|| DomainError::invalid("spread_bp").with_detail(i.spread_bp.trim().to_string()))?
    };
    let fees = if i.fees_wan.trim().is_empty() { Fen(0) } else { Fen::parse_wan(&i.fees_wan, "fees_wan")? };
    let day_count = if i.day_count.trim().is_empty() { DayCount::Act365 } else { choice(&i.day_count, "day_count", DayCount::parse)? };
    let start = date(&i.start_on, "start_on")?;
    let maturity = date(&i.maturity_on, "maturity_on")?;
    let amortisation = if i.amortisation.trim().is_empty() { Amortisation::Bullet } else { choice(&i.amortisation, "amortisation", Amortisation::parse)? };
    let every_months = if i.every_months.trim().is_empty() {
        12
    } else {
        i.every_months.trim().parse::<u32>().map_err(|_| DomainError::invalid("every_months").with_detail(i.every_months.trim().to_string()))?
    };
    let custom = if amortisation == Amortisation::Custom { parse_custom(&i.custom_schedule)? } else { Vec::new() };
    if kind == InstrumentKind::SpecialBond && i.project.trim().is_empty() {
        return Err(DomainError::required("project"));
    }
    let terms = Terms { principal, rate, day_count, start, maturity, amortisation, every_months, custom };
    check(&terms)?;
    let drawn = if i.drawn_wan.trim().is_empty() { None } else { Some(Fen::parse_wan(&i.drawn_wan, "drawn_wan")?) };
    if drawn.is_some_and(|d| d.0 <= 0 || d > principal) {
        return Err(DomainError::field(ErrorCode::OutOfRange, "drawn_wan").with_detail(principal.wan()));
    }
    let text = |v: &str, field: &str, max: usize| -> std::result::Result<String, DomainError> {
        if v.trim().chars().count() > max {
            return Err(DomainError::field(ErrorCode::TooLong, field).with_detail(max.to_string()));
        }
        Ok(v.trim().to_string())
    };
    let row = NewInstrument {
        borrower_id,
        code,
        name,
        kind,
        category,
        lender,
        principal,
        currency,
        rate,
        rate_reference: reference,
        spread_bp,
        fees,
        day_count,
        start_on: start.to_string(),
        maturity_on: maturity.to_string(),
        amortisation,
        every_months: i64::from(every_months),
        guarantee: text(&i.guarantee, "guarantee", 200)?,
        collateral: text(&i.collateral, "collateral", 200)?,
        project: text(&i.project, "project", 200)?,
        note: text(&i.note, "note", 1000)?,
    };
    Ok(Checked { row, terms, drawn })
}

/// Record a new instrument (the finance bureau's): its schedule, and its drawdown when given
/// (checked against the balance rules like any); its id.
pub async fn create(db: &Db, who: &Who, input: &InstrumentInput, now: i64) -> Result<i64> {
    let c = checked(db, input).await?;
    let ids = create_many(db, who, vec![c], now).await?;
    Ok(ids.first().copied().unwrap_or_default())
}

/// Store checked instruments in one transaction, with their drawdowns (the finance bureau's);
/// their ids.
pub async fn create_many(db: &Db, who: &Who, items: Vec<Checked>, now: i64) -> Result<Vec<i64>> {
    let today = local_date(now);
    writer(db, who, today).await?;
    let mut draws = Vec::new();
    for c in &items {
        if let Some(d) = c.drawn {
            draws.push((c.row.category, c.row.kind, c.terms.start, d));
        }
    }
    let flags = super::transactions::limit_flags(db, today, &draws).await?;
    let rows: Vec<(NewInstrument, Vec<_>)> = items.iter().map(|c| (c.row.clone(), schedule(&c.terms))).collect();
    let mut tx = db.begin_write().await?;
    let ids = store::create_instruments(&mut tx, &who.actor, &rows, now).await?;
    let mut flag = flags.into_iter();
    let txns: Vec<store::NewTxn> = ids
        .iter()
        .zip(&items)
        .filter_map(|(id, c)| {
            c.drawn.map(|d| store::NewTxn {
                instrument_id: *id,
                happened_on: c.terms.start.to_string(),
                kind: luoshi_domain::debt::TxnKind::Drawdown,
                amount: d,
                counterpart_id: None,
                over_limit: flag.next().unwrap_or(false),
                note: String::new(),
            })
        })
        .collect();
    if !txns.is_empty() {
        store::record(&mut tx, &who.actor, &txns, now).await?;
    }
    tx.commit().await?;
    Ok(ids)
}

/// An instrument as the API and pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct InstrumentView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub borrower_id: i64,
    pub borrower_name: String,
    pub borrower_kind: BorrowerKind,
    pub kind: InstrumentKind,
    pub category: Category,
    pub nonstandard: bool,
    pub lender: String,
    pub principal_fen: i64,
    pub principal_wan: String,
    pub outstanding_fen: i64,
    pub outstanding_wan: String,
    pub currency: String,
    pub rate_ppm: i64,
    pub rate: String,
    pub rate_reference: String,
    pub spread_bp: i64,
    pub fees_wan: String,
    pub day_count: DayCount,
    pub start_on: String,
    pub maturity_on: String,
    /// Days to maturity from today (negative once past).
    pub days_to_maturity: i64,
    pub amortisation: Amortisation,
    pub every_months: i64,
    pub guarantee: String,
    pub collateral: String,
    pub project: String,
    pub note: String,
    pub version: i64,
}

pub fn view_of(i: &Instrument, outstanding: Fen, today: NaiveDate) -> InstrumentView {
    let maturity = NaiveDate::parse_from_str(&i.maturity_on, "%Y-%m-%d").unwrap_or(today);
    InstrumentView {
        id: i.id,
        code: i.code.clone(),
        name: i.name.clone(),
        borrower_id: i.borrower_id,
        borrower_name: i.borrower_name.clone(),
        borrower_kind: i.borrower_kind,
        kind: i.kind,
        category: i.category,
        nonstandard: i.kind.nonstandard(),
        lender: i.lender.clone(),
        principal_fen: i.principal.0,
        principal_wan: i.principal.wan2(),
        outstanding_fen: outstanding.0,
        outstanding_wan: outstanding.wan2(),
        currency: i.currency.clone(),
        rate_ppm: i.rate.0,
        rate: i.rate.show(),
        rate_reference: i.rate_reference.clone(),
        spread_bp: i.spread_bp,
        fees_wan: i.fees.wan2(),
        day_count: i.day_count,
        start_on: i.start_on.clone(),
        maturity_on: i.maturity_on.clone(),
        days_to_maturity: (maturity - today).num_days(),
        amortisation: i.amortisation,
        every_months: i.every_months,
        guarantee: i.guarantee.clone(),
        collateral: i.collateral.clone(),
        project: i.project.clone(),
        note: i.note.clone(),
        version: i.version,
    }
}

/// A page of the ledger.
pub async fn ledger(db: &Db, who: &Who, f: &debt::Filter, after: i64, limit: i64, now: i64) -> Result<Vec<InstrumentView>> {
    let today = local_date(now);
    reader(db, who, today).await?;
    Ok(debt::page(db, f, after, limit).await?.iter().map(|(i, o)| view_of(i, *o, today)).collect())
}

/// One row of the schedule as shown: as agreed, and as now expected.
#[derive(Debug, Clone, Serialize)]
pub struct DueView {
    pub seq: i64,
    pub due_on: String,
    pub principal_wan: String,
    pub interest_wan: String,
    /// Before today.
    pub past: bool,
}

/// A transaction as shown.
#[derive(Debug, Clone, Serialize)]
pub struct TxnView {
    pub id: i64,
    pub happened_on: String,
    pub kind: luoshi_domain::debt::TxnKind,
    pub amount_fen: i64,
    pub amount_wan: String,
    pub counterpart_id: Option<i64>,
    pub over_limit: bool,
    pub note: String,
    pub actor: String,
}

/// An instrument's page.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub instrument: InstrumentView,
    pub schedule: Vec<DueView>,
    pub transactions: Vec<TxnView>,
    pub overdue_wan: String,
    /// The next payment expected (date, principal, interest in 万元) and days until it.
    pub next: Option<(String, String, String, i64)>,
    pub maturities: Vec<super::duties::DutyView>,
    pub may_write: bool,
}

/// The instrument as the book's figures see it, from its own rows.
pub fn inst_of(i: &Instrument, dues: &[debt::DueRow], txns: &[debt::TxnRow]) -> luoshi_domain::debt::Inst {
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
    let sum = |f: fn(luoshi_domain::debt::TxnKind) -> bool| Fen(txns.iter().filter(|t| f(t.kind)).map(|t| t.amount.0).sum());
    luoshi_domain::debt::Inst {
        id: i.id,
        borrower_id: i.borrower_id,
        borrower_kind: i.borrower_kind,
        kind: i.kind,
        category: i.category,
        principal: i.principal,
        rate: i.rate,
        day_count: i.day_count,
        start: day(&i.start_on),
        maturity: day(&i.maturity_on),
        dues: dues.iter().map(|d| luoshi_domain::debt::schedule::Due { on: day(&d.due_on), principal: d.principal, interest: d.interest }).collect(),
        drawn: sum(|k| k == luoshi_domain::debt::TxnKind::Drawdown),
        repaid: sum(luoshi_domain::debt::TxnKind::repays),
    }
}

/// An instrument's page; the read is audited.
pub async fn page(db: &Db, who: &Who, id: i64, now: i64) -> Result<Page> {
    let today = local_date(now);
    let access = reader(db, who, today).await?;
    let i = debt::get(db, id).await?.ok_or_else(|| DomainError::not_found("instrument"))?;
    let dues = debt::schedule(db, id).await?;
    let txns = debt::transactions(db, id).await?;
    let outstanding = debt::outstanding_of(db, &[id]).await?.get(&id).copied().unwrap_or_default();
    let (overdue, flows) = projection(&inst_of(&i, &dues, &txns), today);
    let mut tx = db.begin_write().await?;
    store::audit_read(&mut tx, &who.actor, "debt_instrument", &id.to_string()).await?;
    tx.commit().await?;
    let maturities = super::duties::of_instrument(db, who, id, now).await?;
    Ok(Page {
        instrument: view_of(&i, outstanding, today),
        schedule: dues
            .iter()
            .map(|d| DueView {
                seq: d.seq,
                due_on: d.due_on.clone(),
                principal_wan: d.principal.wan2(),
                interest_wan: d.interest.wan2(),
                past: d.due_on.as_str() < today.to_string().as_str(),
            })
            .collect(),
        transactions: txns
            .iter()
            .map(|t| TxnView {
                id: t.id,
                happened_on: t.happened_on.clone(),
                kind: t.kind,
                amount_fen: t.amount.0,
                amount_wan: t.amount.wan2(),
                counterpart_id: t.counterpart_id,
                over_limit: t.over_limit,
                note: t.note.clone(),
                actor: t.actor.clone(),
            })
            .collect(),
        overdue_wan: overdue.wan2(),
        next: flows.first().map(|f| (f.on.to_string(), f.principal.wan2(), f.interest.wan2(), (f.on - today).num_days())),
        maturities,
        may_write: access.write,
    })
}
