//! `luoshi assess …`: 考核与驾驶舱's maintenance and its annual report.

use crate::*;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub(crate) enum AssessCommand {
    /// Recompute every counter the cockpit and the assessment read from the records of duties
    /// and name each that differs (exit status 1 if any does).
    Verify {
        /// Rebuild the counters from the records when they differ.
        #[arg(long)]
        repair: bool,
    },
}

pub(crate) async fn assess(url: &str, command: AssessCommand) -> Result<(), Fail> {
    match command {
        AssessCommand::Verify { repair } => {
            let db = prepare(url, 2).await?;
            let diffs = luoshi_storage::duty::tallies::verify(&db).await?;
            let kept = luoshi_storage::duty::tallies::kept(&db).await?.len();
            if diffs.is_empty() {
                println!("duty counters hold: {kept} buckets, equal to a count of every record");
                return Ok(());
            }
            let names: std::collections::HashMap<i64, String> =
                luoshi_storage::units::list(&db, &luoshi_domain::access::Scope::All).await?.into_iter().map(|u| (u.id, u.name)).collect();
            for d in &diffs {
                let k = &d.key;
                let unit = names.get(&k.unit_id).cloned().unwrap_or_else(|| format!("unit {}", k.unit_id));
                let when = if k.period.is_empty() { "now".to_string() } else { k.period.clone() };
                println!(
                    "differs: {} of {unit} ({}), {when} {} state={} light={} grade={} flagged={} lead={}: kept {}, records {}",
                    k.kind, k.unit_id, k.event, k.state, k.light, k.grade, k.flagged, k.lead_user_id, d.kept, d.records
                );
            }
            if repair {
                let n = luoshi_storage::duty::tallies::repair(&db, &Actor::cli("assess")).await?;
                println!("{} counters differed; rebuilt from the records: {n} buckets", diffs.len());
                return Ok(());
            }
            Err(Fail(format!("{} duty counters differ from the records (run with --repair to rebuild them)", diffs.len())))
        }
    }
}
