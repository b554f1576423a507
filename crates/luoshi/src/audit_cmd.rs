//! `luoshi audit …`: verify the chains, compare business rows with their trail, check anchors,
//! and write, print or keep an anchor (the heads of every chain, copied out of the database).

use clap::Subcommand;
use luoshi_storage::audit::{self, Anchored};
use luoshi_storage::{audit_rows, Db};
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Walk every hash chain and the anchors, compare every work order and task with its trail, and check the
    /// anchors given; name what is broken and exit non-zero if anything is.
    Verify {
        /// An anchor printed earlier (`SEQ:HASH`); may be given several times.
        #[arg(long)]
        anchor: Vec<String>,
        /// A file of anchors, one `SEQ:HASH` (and anything after a space) per line, as
        /// `luoshi audit anchor --append` and `serve --anchor-file` write it.
        #[arg(long)]
        anchors: Option<std::path::PathBuf>,
    },
    /// Anchor the heads of every chain now and print the anchor as `SEQ:HASH`. Keep it outside
    /// this database (another disk, a paper register): a later `audit verify --anchor` then
    /// detects removed rows.
    Anchor {
        /// Also append it, with the time, to this file.
        #[arg(long)]
        append: Option<std::path::PathBuf>,
    },
}

/// Anchor the heads now: the line to keep, `SEQ:HASH`.
pub async fn anchor_line(db: &Db) -> Result<String, luoshi_storage::StoreError> {
    Ok(audit::anchor(db).await?.to_string())
}

fn parse_anchor(s: &str) -> Option<(i64, String)> {
    let first = s.split_whitespace().next()?;
    let (seq, hash) = first.split_once(':')?;
    Some((seq.parse().ok()?, hash.to_string()))
}

pub async fn run(db: &Db, cmd: AuditCommand) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match cmd {
        AuditCommand::Anchor { append } => {
            let line = anchor_line(db).await?;
            println!("{line}");
            if let Some(f) = append {
                let (seq, hash) = parse_anchor(&line).ok_or("anchor")?;
                audit::append_anchor_line(&f, &audit::Anchor { seq, hash })?;
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Verify { anchor, anchors } => {
            let mut broken = false;
            let r = audit::verify(db).await?;
            match &r.broken {
                None => println!("audit chains intact: {} rows and {} anchors verified", r.checked, r.anchors),
                Some(b) if b.chain == audit::ANCHOR_CHAIN => {
                    eprintln!("audit anchors BROKEN at anchor {} ({:?}); {} rows verified", b.seq, b.why, r.checked);
                    broken = true;
                }
                Some(b) => {
                    eprintln!("audit chain {} BROKEN at row {} ({:?}); {} rows verified before it", b.chain, b.seq, b.why, r.checked);
                    broken = true;
                }
            }
            let mut given: Vec<String> = anchor;
            if let Some(f) = anchors {
                given.extend(std::fs::read_to_string(f)?.lines().filter(|l| !l.trim().is_empty()).map(str::to_string));
            }
            for a in &given {
                let Some((seq, hash)) = parse_anchor(a) else {
                    eprintln!("anchor {a:?} is not SEQ:HASH");
                    broken = true;
                    continue;
                };
                match audit::check_anchor(db, seq, &hash).await? {
                    Anchored::Holds => {}
                    Anchored::Truncated => {
                        eprintln!("anchor {seq}: it or a row it pins is gone; the newest audit rows were removed and a head rewound");
                        broken = true;
                    }
                    Anchored::Rewritten => {
                        eprintln!("anchor {seq}: it or a row it pins has another hash; a chain was rewritten");
                        broken = true;
                    }
                }
            }
            if !given.is_empty() && !broken {
                println!("{} anchors hold", given.len());
            }
            let rows = audit_rows::verify_rows(db).await?;
            println!(
                "business rows: {} work orders and {} tasks equal their audit trail; {} work orders from before digests not compared",
                rows.appeals_checked, rows.tasks_checked, rows.appeals_without_digest
            );
            for (entity, id, what) in &rows.mismatches {
                eprintln!("{entity} {id} CHANGED outside the application: {what}");
                broken = true;
            }
            if !broken {
                println!("anchor: {} (keep this line outside the database)", anchor_line(db).await?);
            }
            Ok(if broken { ExitCode::from(2) } else { ExitCode::SUCCESS })
        }
    }
}
