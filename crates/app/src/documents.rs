//! 文件分解: a speech, report or plan split into its outline and a draft 任务分解表, which the
//! supervision office edits and publishes as a directive with tasks; and the 权责清单 the
//! suggestions come from.

use crate::tasks::ledger::{self, PlannedTask, Target, COLUMNS};
use crate::{forbidden, Result, Who};
use luoshi_domain::doc::{self, DraftTask, LeftOut, Outline, Responsibility};
use luoshi_domain::unit_import::RowError;
use luoshi_domain::DomainError;
use luoshi_storage::catalogue::{self, Entry};
use luoshi_storage::tasks::DirectiveInput;
use luoshi_storage::{units, Db};
use serde::{Deserialize, Serialize};

/// The county's catalogue, or the shipped one while the county has none.
pub async fn responsibilities(db: &Db) -> Result<(Vec<Responsibility>, &'static str)> {
    let own = catalogue::responsibilities(db).await?;
    Ok(if own.is_empty() { (doc::shipped_catalogue(), "shipped") } else { (own, "county") })
}

/// A document split.
#[derive(Debug, Clone, Serialize)]
pub struct Split {
    pub text: String,
    /// How the bytes were read: utf-8, gb18030, big5, utf-16 or docx.
    pub encoding: String,
    /// What the reader should know about the bytes (a few replaced).
    pub notes: Vec<String>,
    pub outline: Outline,
    pub tasks: Vec<DraftTask>,
    /// Parts not made into tasks, and why: the office may take them back.
    pub left_out: Vec<LeftOut>,
    /// The year deadlines were read against (the document's own, else the one given).
    pub year: i32,
    /// Which catalogue suggested the units: `county` or `shipped`.
    pub catalogue: &'static str,
}

/// Read a document (UTF-8, GBK/GB18030, Big5, UTF-16 or .docx) and split it; `year` dates
/// phrases like 年底前 when the document names no year; deadlines before `today` are flagged.
pub async fn split(db: &Db, bytes: &[u8], year: i32, today: chrono::NaiveDate) -> Result<Split> {
    let d = luoshi_ledger::document::read_document(bytes)?;
    let (cat, source) = responsibilities(db).await?;
    let b = doc::breakdown(&d.text, &cat, year, Some(today));
    Ok(Split {
        encoding: d.encoding.as_str().to_string(),
        notes: d.notes,
        text: d.text,
        outline: b.outline,
        tasks: b.tasks,
        left_out: b.left_out,
        year: b.year,
        catalogue: source,
    })
}

/// A draft row as the office edited it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct DraftRow {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub measures: String,
    /// 牵头领导 (a leader's name or login), optional.
    #[serde(default)]
    pub leader: String,
    #[serde(default)]
    pub lead_unit: String,
    /// 配合单位, separated by 、 or commas.
    #[serde(default)]
    pub co_units: String,
    /// A date or a phrase the ledger reads (2026-06-30, 6月底前, 年底前, 长期坚持).
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub remarks: String,
}

impl DraftRow {
    pub fn of(t: &DraftTask) -> DraftRow {
        DraftRow {
            title: t.title.clone(),
            measures: t.measures.chars().take(1000).collect(),
            leader: String::new(),
            lead_unit: t.lead.as_ref().map(|l| l.unit.clone()).unwrap_or_default(),
            co_units: t.co_units.iter().map(|c| c.unit.as_str()).collect::<Vec<_>>().join("、"),
            deadline: t.deadline.map(crate::ymd).or_else(|| t.deadline_hint.clone()).unwrap_or_default(),
            remarks: format!("{}；依据：{}", t.path.join(""), t.lead.as_ref().map(|l| l.words.join("、")).unwrap_or_default()),
        }
    }

    /// A part left out, as a row the office may take back.
    pub fn of_left_out(text: &str, l: &LeftOut) -> DraftRow {
        let body = text.get(l.start..l.end).unwrap_or_default();
        let label = l.path.last().map(String::as_str).unwrap_or_default();
        DraftRow {
            title: l.title.clone(),
            measures: doc::joined(body.strip_prefix(label).unwrap_or(body)).chars().take(1000).collect(),
            remarks: l.path.join(""),
            ..DraftRow::default()
        }
    }

    fn cells(&self, seq: usize) -> Vec<String> {
        vec![
            seq.to_string(),
            self.title.clone(),
            self.measures.clone(),
            self.leader.clone(),
            self.lead_unit.clone(),
            String::new(),
            self.co_units.clone(),
            self.deadline.clone(),
            String::new(),
            self.remarks.clone(),
        ]
    }
}

/// The draft in the 任务分解表 columns (for xlsx).
pub fn ledger_rows(rows: &[DraftRow]) -> Vec<Vec<String>> {
    rows.iter().enumerate().map(|(i, r)| r.cells(i + 1)).collect()
}

/// Publish edited draft rows as a new directive with its tasks, checked exactly as a 任务分解表
/// import is (every problem by row and field; nothing written unless every row is valid).
/// Row numbers in errors count the draft rows from 1.
pub async fn publish(
    db: &Db,
    who: &Who,
    directive: &DirectiveInput,
    rows: &[DraftRow],
    dry_run: bool,
) -> Result<std::result::Result<(Option<i64>, Vec<PlannedTask>), Vec<RowError>>> {
    if !who.is_supervisor() {
        return Err(forbidden());
    }
    let table = luoshi_ledger::Table {
        headers: COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows: rows.iter().enumerate().map(|(i, r)| (i + 1, r.cells(i + 1))).collect(),
    };
    ledger::import_table(db, who, &Target::New(directive.clone()), &table, "文件分解", dry_run).await
}

/// The catalogue with every unit, for the editing page (units without keywords listed empty).
pub async fn catalogue_entries(db: &Db) -> Result<Vec<Entry>> {
    let mut have = catalogue::list(db).await?;
    let all = units::list(db, &luoshi_domain::access::Scope::All).await?;
    for u in all.iter().filter(|u| u.active) {
        if !have.iter().any(|e| e.unit_id == u.id) {
            have.push(Entry { unit_id: u.id, unit: u.name.clone(), keywords: Vec::new(), updated_at: 0 });
        }
    }
    Ok(have)
}

/// Replace a unit's keywords (the supervision office or an administrator).
pub async fn set_keywords(db: &Db, who: &Who, unit_id: i64, text: &str) -> Result<Vec<String>> {
    if !who.is_supervisor() {
        return Err(forbidden());
    }
    let keywords = doc::parse_keywords(text)?;
    if units::get(db, unit_id).await?.is_none() {
        return Err(DomainError::not_found("unit").into());
    }
    let mut tx = db.begin_write().await?;
    catalogue::set(&mut tx, &who.actor, unit_id, &keywords).await?;
    tx.commit().await?;
    Ok(keywords)
}

/// Load a catalogue given by unit names (the shipped one, for the demo county); names that match
/// no unit are returned, not guessed.
pub async fn load_catalogue(db: &Db, who: &Who, entries: &[Responsibility]) -> Result<Vec<String>> {
    let all = units::list(db, &luoshi_domain::access::Scope::All).await?;
    let mut missing = Vec::new();
    let mut tx = db.begin_write().await?;
    for e in entries {
        match units::resolve(&all, &e.unit) {
            Ok(u) => catalogue::set(&mut tx, &who.actor, u.id, &e.keywords).await?,
            Err(_) => missing.push(e.unit.clone()),
        }
    }
    tx.commit().await?;
    Ok(missing)
}
