//! `luoshi doc split`: a document's outline and draft tasks, as JSON, Markdown or xlsx.

use crate::*;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub(crate) enum DocCommand {
    /// Split a document (text in UTF-8 or GBK/GB18030, or Word .docx) into its outline and draft tasks.
    Split {
        file: std::path::PathBuf,
        /// json (outline and draft tasks), md (a readable draft), or xlsx (the 任务分解表 columns
        /// `luoshi tasks import` reads; needs --out).
        #[arg(long, default_value = "json")]
        format: String,
        /// Where to write the xlsx.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// The year deadline phrases such as 年底前 refer to; default this year.
        #[arg(long)]
        year: Option<i32>,
        /// Suggest units from the county's 权责清单 in the database (--database-url) instead of
        /// the shipped sample.
        #[arg(long)]
        county: bool,
    },
}

pub(crate) fn doc_split(
    file: &std::path::Path,
    format: &str,
    year: Option<i32>,
    out: Option<&std::path::Path>,
    catalogue: &[luoshi_domain::doc::Responsibility],
) -> Result<(), Fail> {
    let bytes = std::fs::read(file).map_err(|e| Fail(format!("cannot read {}: {e}", file.display())))?;
    // UTF-8 (with or without BOM), GBK/GB18030, Big5, UTF-16 with its BOM, or .docx.
    let doc = luoshi_ledger::document::read_document(&bytes)?;
    let year = year.unwrap_or_else(|| chrono::Datelike::year(&today()));
    let b = luoshi_domain::doc::breakdown(&doc.text, catalogue, year, Some(today()));
    // Said on standard error, so the output stays the draft alone.
    eprintln!(
        "{}: read as {}; deadlines counted from {}; {} draft task(s), {} part(s) left out",
        file.display(),
        doc.encoding.as_str(),
        b.year,
        b.tasks.len(),
        b.left_out.len()
    );
    for n in &doc.notes {
        eprintln!("note: {n}");
    }
    let (outline, tasks) = (&b.outline, &b.tasks);
    match format {
        "json" => println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "outline": outline, "tasks": tasks, "left_out": b.left_out, "year": b.year, "encoding": doc.encoding.as_str() })
            )
            .map_err(|e| Fail(e.to_string()))?
        ),
        "md" => {
            // A cell never breaks the table: `|` escaped, lines joined.
            let cell = |s: &str| s.replace('|', "\\|").replace(['\n', '\r'], " ");
            if let Some(t) = &outline.title {
                println!("# {}\n", cell(t));
            }
            println!("| 序号 | 工作任务 | 牵头单位 | 配合单位 | 完成时限 | 依据 |\n| --- | --- | --- | --- | --- | --- |");
            for (i, t) in tasks.iter().enumerate() {
                let lead =
                    t.lead.as_ref().map(|l| format!("{}（{:.0}%{}）", l.unit, l.confidence * 100.0, if l.weak { "，待核" } else { "" })).unwrap_or_default();
                let co = t.co_units.iter().map(|c| c.unit.as_str()).collect::<Vec<_>>().join("、");
                let why = t.lead.as_ref().map(|l| l.words.join("、")).unwrap_or_default();
                let when = format!("{}{}", t.deadline_hint.clone().unwrap_or_default(), if t.past { "（已过）" } else { "" });
                println!("| {} {} | {} | {} | {} | {} | {} |", i + 1, cell(&t.path.join("")), cell(&t.title), cell(&lead), cell(&co), cell(&when), cell(&why));
            }
            if !b.left_out.is_empty() {
                println!("\n## 未列入任务\n");
                for l in &b.left_out {
                    println!("- {} {}：{}", cell(&l.path.join("")), cell(&l.title), l.reason);
                }
            }
        }
        "xlsx" => {
            let out = out.ok_or_else(|| Fail("--format xlsx writes a file: name it with --out FILE.xlsx".into()))?;
            // The draft in the ledger's columns; blank cells are for the office to fill before import.
            let drafts: Vec<_> = tasks.iter().map(luoshi_app::documents::DraftRow::of).collect();
            let rows = luoshi_app::documents::ledger_rows(&drafts);
            let bytes = luoshi_app::tasks::ledger::export_xlsx(&rows)?;
            std::fs::write(out, bytes).map_err(|e| Fail(format!("cannot write {}: {e}", out.display())))?;
            println!("{} draft tasks written to {}", rows.len(), out.display());
        }
        other => return Err(Fail(format!("unknown format {other}: use json, md or xlsx"))),
    }
    Ok(())
}

pub(crate) async fn doc(url: &str, command: DocCommand) -> Result<(), Fail> {
    let DocCommand::Split { file, format, year, out, county } = command;
    let catalogue = if county {
        let db = prepare(url, 2).await?;
        luoshi_app::documents::responsibilities(&db).await?.0
    } else {
        luoshi_domain::doc::shipped_catalogue()
    };
    doc_split(&file, &format, year, out.as_deref(), &catalogue)
}
