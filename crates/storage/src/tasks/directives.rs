//! 决策部署: directives, the documents, meetings and instructions that hold tasks.

use super::*;
use crate::{get_i64, get_opt_str, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::DomainError;
use serde::Serialize;
use sqlx::any::AnyRow;

/// 决策部署: a meeting, a document or a leader's instruction that holds a tree of tasks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Directive {
    pub id: i64,
    pub title: String,
    /// meeting (会议), document (文件) or instruction (批示).
    pub kind: String,
    pub issued_on: String,
    pub issuer: String,
    pub doc_no: Option<String>,
    pub source_text: Option<String>,
    pub created_by: String,
    pub created_at: i64,
}

/// A directive to create.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct DirectiveInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub issued_on: String,
    #[serde(default)]
    pub issuer: String,
    #[serde(default)]
    pub doc_no: String,
    #[serde(default)]
    pub source_text: String,
}

impl DirectiveInput {
    pub fn validate(&self) -> Result<DirectiveInput, DomainError> {
        use luoshi_domain::error::{optional_text, required_text};
        let kind = self.kind.trim();
        if !["meeting", "document", "instruction"].contains(&kind) {
            return Err(if kind.is_empty() { DomainError::required("kind") } else { DomainError::invalid("kind") });
        }
        luoshi_domain::time::parse_date("issued_on", &self.issued_on)?;
        Ok(DirectiveInput {
            title: required_text("title", &self.title, 200)?,
            kind: kind.to_string(),
            issued_on: self.issued_on.trim().to_string(),
            issuer: required_text("issuer", &self.issuer, 64)?,
            doc_no: optional_text("doc_no", &self.doc_no, 64)?.unwrap_or_default(),
            source_text: optional_text("source_text", &self.source_text, 200_000)?.unwrap_or_default(),
        })
    }
}

pub(super) fn directive(r: &AnyRow) -> Result<Directive> {
    Ok(Directive {
        id: get_i64(r, "id")?,
        title: get_str(r, "title")?,
        kind: get_str(r, "kind")?,
        issued_on: get_str(r, "issued_on")?,
        issuer: get_str(r, "issuer")?,
        doc_no: get_opt_str(r, "doc_no")?,
        source_text: get_opt_str(r, "source_text")?,
        created_by: get_str(r, "created_by")?,
        created_at: get_i64(r, "created_at")?,
    })
}

pub(super) const DIRECTIVE_COLS: &str = "id, title, kind, issued_on, issuer, doc_no, source_text, created_by, created_at";

pub async fn create_directive(tx: &mut WriteTx, actor: &Actor, d: &DirectiveInput) -> Result<Directive> {
    let now = crate::now_micros();
    let row = sqlx::query(
        "INSERT INTO directives (title, kind, issued_on, issuer, doc_no, source_text, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(&d.title)
    .bind(&d.kind)
    .bind(&d.issued_on)
    .bind(&d.issuer)
    .bind((!d.doc_no.is_empty()).then(|| d.doc_no.clone()))
    .bind((!d.source_text.is_empty()).then(|| d.source_text.clone()))
    .bind(&actor.name)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    let id = get_i64(&row, "id")?;
    let created = sqlx::query(&format!("SELECT {DIRECTIVE_COLS} FROM directives WHERE id = $1")).bind(id).fetch_one(tx.conn()).await?;
    let created = directive(&created)?;
    let mut summary = serde_json::to_value(&created).unwrap_or_default();
    summary["source_text"] = serde_json::json!(created.source_text.as_ref().map(|s| s.chars().count()));
    tx.audit(actor, "directive.create", "directive", &id.to_string(), None, Some(&summary)).await?;
    Ok(created)
}

pub async fn get_directive(db: &Db, id: i64) -> Result<Option<Directive>> {
    let row = sqlx::query(&format!("SELECT {DIRECTIVE_COLS} FROM directives WHERE id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(directive).transpose()
}

/// Directives with the number of tasks the caller may see in each.
pub async fn list_directives(db: &Db, vis: &luoshi_domain::access::Sight) -> Result<Vec<(Directive, i64)>> {
    let vis = resolve(db, vis).await?;
    let cols = DIRECTIVE_COLS.split(", ").map(|c| format!("x.{c}")).collect::<Vec<_>>().join(", ");
    let rows = if matches!(vis, Resolved::All) {
        // Everything: the count the triggers keep.
        sqlx::query(&format!("SELECT {cols}, x.task_count AS n FROM directives x ORDER BY x.issued_on DESC, x.id DESC LIMIT 500")).fetch_all(db.pool()).await?
    } else {
        let mut binds = Vec::new();
        let cond = condition(&vis, &mut binds);
        let sql = format!(
            "SELECT {cols}, c.n AS n FROM (SELECT d.directive_id, COUNT(*) AS n FROM duties d WHERE {cond} AND d.directive_id IS NOT NULL GROUP BY d.directive_id) c \
             JOIN directives x ON x.id = c.directive_id ORDER BY x.issued_on DESC, x.id DESC LIMIT 500"
        );
        bind_all(sqlx::query(&sql), &binds).fetch_all(db.pool()).await?
    };
    rows.iter().map(|r| Ok((directive(r)?, get_i64(r, "n")?))).collect()
}
