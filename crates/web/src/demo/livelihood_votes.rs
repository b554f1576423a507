//! The demo's sessions and what follows the vote: a session run from setup to the tellers'
//! signatures, the delivering units' progress, the December rating by deputies and citizens.

use super::livelihood::{at, e, person, ymd};
use chrono::{Datelike, NaiveDate};
use luoshi_app::livelihood::ratings;
use luoshi_app::livelihood::sessions::{self, BallotInput, PaperInput, SessionInput};
use luoshi_app::Who;
use luoshi_domain::livelihood::vote::SessionAction;
use luoshi_storage::Db;

/// The delivering units report progress month by month, one project lagging.
pub(super) async fn progress(db: &Db, year: i32, today: NaiveDate) -> Result<(), String> {
    let sys = Who::system("demo");
    let chosen = luoshi_storage::livelihood::proposals::list(
        db,
        &luoshi_storage::livelihood::proposals::Filter {
            year: Some(i64::from(year)),
            states: vec![luoshi_domain::livelihood::ProposalState::Chosen],
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .map_err(e)?;
    let months = today.month().min(12) as i64 - 1;
    for (k, p) in chosen.iter().enumerate() {
        let Some(task) = p.task_id else { continue };
        // The unit signed for it the week after the vote.
        luoshi_app::tasks::act(db, &sys, task, luoshi_domain::tasks::Action::Sign, "", None, ymd(year, 1, 22).min(today)).await.map_err(e)?;
        let pace = if k == 2 { 5 } else { 9 };
        let percent = ((months * pace).min(100)) as f64;
        if percent <= 0.0 {
            continue;
        }
        let input = luoshi_domain::tasks::ReportInput {
            text: format!("已完成年度目标的{percent}%：招标完成，主体施工推进中。"),
            percent: Some(percent),
            version: None,
        };
        luoshi_app::tasks::report(db, &sys, task, &input, today).await.map_err(e)?;
        let spent = p.county.0 * (percent as i64) / 100;
        let mut tx = db.begin_write().await.map_err(e)?;
        luoshi_storage::livelihood::proposals::set_spent(&mut tx, &luoshi_storage::Actor::cli("demo"), p.id, luoshi_domain::money::Fen(spent), at(today))
            .await
            .map_err(e)?;
        tx.commit().await.map_err(e)?;
    }
    Ok(())
}

/// December: the deputies rate each project (secret, against all 180; 152 present, 140 on
/// paper), citizens rate too.
pub(super) async fn rate(db: &Db, year: i32, voters: &[String], today: NaiveDate) -> Result<(), String> {
    let on = today.pred_opt().unwrap_or(today);
    let c = Cycle { kind: "rating", title: format!("{year}年民生实事项目代表满意度测评"), year, present: "152", paper_ballots: "140", on };
    let mark = |k: usize, j: usize| {
        if j != 2 {
            "satisfied"
        } else if k % 3 == 0 {
            "unsatisfied"
        } else {
            "basic"
        }
    };
    let paper = |j: usize| if j == 2 { (40, 60, 40) } else { (110 - j as i64, 25 + j as i64, 5) };
    let items = session_cycle(db, &c, voters, &mark, &paper).await?;
    for (k, id) in items.iter().enumerate() {
        for n in 0..(3 + k % 4) {
            let rating = if n == 0 && k % 3 == 0 {
                "basic"
            } else if n == 1 && k == 2 {
                "unsatisfied"
            } else {
                "satisfied"
            };
            let input = ratings::PublicRatingInput { phone: format!("137{:04}{:04}", k, n), rating: rating.into() };
            ratings::rate_public(db, *id, &input, at(today)).await.map_err(e)?;
        }
    }
    Ok(())
}

/// A session as the demo runs it.
pub(super) struct Cycle<'a> {
    pub(super) kind: &'a str,
    pub(super) title: String,
    pub(super) year: i32,
    pub(super) present: &'a str,
    pub(super) paper_ballots: &'a str,
    pub(super) on: NaiveDate,
}

/// One session from its setup to the tellers' signatures: each of `voters` marks item `j` as
/// `mark(voter, j)`, the paper count of item `j` is `paper(j)`. Its items.
pub(super) async fn session_cycle(
    db: &Db,
    c: &Cycle<'_>,
    voters: &[String],
    mark: &dyn Fn(usize, usize) -> &'static str,
    paper: &dyn Fn(usize) -> (i64, i64, i64),
) -> Result<Vec<i64>, String> {
    let npc = person(db, "npc").await?;
    let start = at(c.on);
    let input = SessionInput { kind: c.kind.into(), title: c.title.clone(), members: "180".into(), year: c.year.to_string() };
    let s = sessions::create(db, &npc, &input, start).await.map_err(e)?;
    sessions::move_to(db, &npc, s, SessionAction::Open, Some(c.present), start).await.map_err(e)?;
    let items: Vec<i64> = luoshi_storage::livelihood::sessions::candidates(db, s).await.map_err(e)?.iter().map(|x| x.proposal_id).collect();
    for (k, v) in voters.iter().enumerate() {
        let marks = items.iter().enumerate().map(|(j, x)| (x.to_string(), mark(k, j).to_string())).collect();
        sessions::cast(db, &person(db, v).await?, s, &BallotInput { marks }, start + 600_000_000).await.map_err(e)?;
    }
    sessions::move_to(db, &npc, s, SessionAction::Close, None, start + 3_600_000_000).await.map_err(e)?;
    let counts: Vec<String> = items
        .iter()
        .enumerate()
        .map(|(j, x)| {
            let (a, b, d) = paper(j);
            format!("{x},{a},{b},{d}")
        })
        .collect();
    sessions::import_paper(db, &npc, s, &PaperInput { ballots: c.paper_ballots.into(), counts: counts.join("\n") }, start + 3_700_000_000).await.map_err(e)?;
    sessions::sign(db, &npc, s, "counter", start + 3_800_000_000).await.map_err(e)?;
    sessions::sign(db, &person(db, "npc2").await?, s, "scrutineer", start + 3_900_000_000).await.map_err(e)?;
    Ok(items)
}
