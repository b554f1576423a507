//! Debt duties: each maturity above the threshold becomes its borrower's duty (a 资金接续方案 due
//! N working days before the date), each warning the finance bureau's, opened by the watch that
//! the daily supervision run calls; both then chased by the same ladder as any duty.

use super::access;
use crate::{forbidden, Result, RulesInForce, Who};
use chrono::Datelike;
use luoshi_domain::debt::book::projection;
use luoshi_domain::debt::flow::{needs_text, plan_due};
use luoshi_domain::debt::{DebtAction, DebtSide, DebtState, MaturityFlow, WarningFlow};
use luoshi_domain::duty::{end_of_day, light, may, working_days_left, DueSoon, Light, LightRules, Standing, Workflow};
use luoshi_domain::i18n::{t, Lang};
use luoshi_domain::money::{percent, Fen, Ppm};
use luoshi_domain::time::local_date;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::debt::duties::{self as store, DebtDuty, NewMaturity, NewWarning};
use luoshi_storage::duty::trail;
use luoshi_storage::{calendar, units, Db};
use serde::{Deserialize, Serialize};

/// The indicators a warning may concern, in a fixed order (a warning's id is year × 100 + this).
pub const INDICATORS: &[&str] = &["debt_ratio", "overdue_ratio", "service_ratio", "nonstandard_share", "trust_leasing_share", "average_rate"];

/// What one watch did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Watched {
    pub maturities_opened: usize,
    pub warnings_raised: usize,
}

fn light_of(cal: &luoshi_domain::calendar::Calendar, state: DebtState, due_at: Option<i64>, now: i64, kind: &str) -> Light {
    let phase = if kind == MaturityFlow::KIND { MaturityFlow::phase(state) } else { WarningFlow::phase(state) };
    let left = due_at.map(|d| working_days_left(cal, local_date(now), local_date(d - 1)));
    let s = Standing { phase, clock_runs: state == DebtState::Open, due: due_at, now, working_days_left: left, behind_points: 0.0, flagged: false };
    light(&s, &LightRules { due_soon: DueSoon::WorkingDays(5), yellow_behind_points: 100.0, red_behind_points: 100.0 })
}

/// A warning's value as shown (a rate in %, else a ratio in %).
pub fn shown(indicator: &str, value: i64) -> String {
    if indicator == "average_rate" {
        Ppm(value).show()
    } else {
        percent(value)
    }
}

/// Open the maturities and raise the warnings not opened yet (any node may run it: each is
/// found by its id the second time).
pub async fn watch(db: &Db, now: i64) -> Result<Watched> {
    let today = local_date(now);
    let rules = RulesInForce::load(db, today).await?;
    let threshold = Fen(rules.int("debt.maturity.threshold_wan").unwrap_or(1_000) * 1_000_000);
    let horizon = today + chrono::Duration::days(rules.int("debt.maturity.horizon_days").unwrap_or(180));
    let before = rules.int("debt.maturity.plan_working_days").unwrap_or(20);
    let respond = rules.int("debt.warning.response_working_days").unwrap_or(10);
    let cal = calendar::load(db).await?;
    let finance = super::finance_unit(db, today).await?;
    let borrowers: std::collections::HashMap<i64, (i64, String)> =
        luoshi_storage::debt::borrowers(db).await?.into_iter().map(|b| (b.id, (b.unit_id, b.name))).collect();
    let book = luoshi_storage::debt::book::current(db).await?;
    let mut items = Vec::new();
    for i in &book.insts {
        let (_, flows) = projection(i, today);
        for f in flows.iter().filter(|f| f.on <= horizon && f.principal >= threshold) {
            let Some(seq) = i.dues.iter().position(|d| d.on == f.on) else { continue };
            let Some((unit_id, borrower)) = borrowers.get(&i.borrower_id) else { continue };
            let due_on = plan_due(&cal, f.on, before);
            let due_at = end_of_day(due_on);
            items.push(NewMaturity {
                id: store::maturity_id(i.id, seq as i64 + 1),
                instrument_id: i.id,
                due_on: f.on.to_string(),
                principal: f.principal,
                unit_id: *unit_id,
                title: format!("{borrower}·{}到期{}万元", f.on.format("%Y年%m月%d日"), f.principal.wan2()),
                plan_due_on: due_on.to_string(),
                due_at,
                light: light_of(&cal, DebtState::Open, Some(due_at), now, MaturityFlow::KIND),
                finance_unit_id: finance.id,
            });
        }
    }
    let ratios = super::figures::ratios_on(db, today).await?;
    let warn_due = end_of_day(cal.add_working_days(today, respond).unwrap_or(today + chrono::Duration::days(respond * 7 / 5)));
    let warnings: Vec<NewWarning> = ratios
        .warnings
        .iter()
        .filter_map(|w| {
            let k = INDICATORS.iter().position(|x| *x == w.indicator)?;
            let title = format!(
                "债务风险预警·{}{}（{}）",
                t(Lang::ZhCn, &format!("debt.indicator.{}", w.indicator)),
                shown(w.indicator, w.value),
                t(Lang::ZhCn, &format!("debt.level.{}", w.level))
            );
            Some(NewWarning {
                id: store::warning_id(i64::from(today.year()), k),
                year: i64::from(today.year()),
                indicator: w.indicator.to_string(),
                level: w.level.to_string(),
                value: w.value,
                threshold: w.threshold,
                unit_id: finance.id,
                title,
                due_at: warn_due,
                light: light_of(&cal, DebtState::Open, Some(warn_due), now, WarningFlow::KIND),
            })
        })
        .collect();
    let actor = luoshi_storage::Actor::cli("debt-watch");
    let mut tx = db.begin_write().await?;
    let opened = store::open_maturities(&mut tx, &actor, &items, now).await?;
    let raised = store::raise_warnings(&mut tx, &actor, &warnings, now).await?;
    if opened + raised > 0 {
        tx.commit().await?;
    } else {
        // Levels of warnings already raised may have moved: nothing new to audit.
        tx.commit_unaudited().await?;
    }
    Ok(Watched { maturities_opened: opened, warnings_raised: raised })
}

/// A debt duty as shown.
#[derive(Debug, Clone, Serialize)]
pub struct DutyView {
    pub id: i64,
    pub kind: &'static str,
    pub title: String,
    pub unit_name: String,
    pub state: DebtState,
    pub light: Light,
    /// Working days left to the plan's (or the measures') deadline; negative once overdue.
    pub days_left: Option<i64>,
    pub due_on: String,
    pub plan_due_on: String,
    pub principal_wan: String,
    pub instrument_id: Option<i64>,
    pub indicator: String,
    pub level: String,
    pub value: String,
    pub threshold: String,
    pub text: String,
    pub version: i64,
    pub may: Vec<DebtAction>,
}

/// What every view of a list shares: the caller's access, the calendar and the paths of the
/// duties' units, each read once (not once a duty).
struct Viewer<'a> {
    who: &'a Who,
    access: super::Access,
    cal: std::sync::Arc<luoshi_domain::calendar::Calendar>,
    paths: std::collections::HashMap<i64, String>,
    now: i64,
}

impl<'a> Viewer<'a> {
    async fn new(db: &Db, who: &'a Who, now: i64) -> Result<Viewer<'a>> {
        Ok(Viewer { who, access: access(db, who, local_date(now)).await?, cal: calendar::load(db).await?, paths: Default::default(), now })
    }

    /// The sides the caller holds on `d`: the owner (the borrower's unit or the bureau's staff)
    /// and the finance side.
    async fn sides(&mut self, db: &Db, d: &DebtDuty) -> Result<Vec<DebtSide>> {
        let a = self.access;
        let maturity = d.kind == MaturityFlow::KIND;
        let acts = if maturity {
            let path = match self.paths.get(&d.unit_id) {
                Some(p) => p.clone(),
                None => {
                    let p = units::get(db, d.unit_id).await?.map(|u| u.path).unwrap_or_default();
                    self.paths.insert(d.unit_id, p.clone());
                    p
                }
            };
            self.who.acts_for(&path)
        } else {
            false
        };
        let mut out = Vec::new();
        if acts || a.write {
            out.push(DebtSide::Owner);
        }
        if if maturity { a.write || a.decide } else { a.decide } {
            out.push(DebtSide::Finance);
        }
        Ok(out)
    }

    async fn view(&mut self, db: &Db, d: DebtDuty) -> Result<DutyView> {
        let (cal, now) = (&self.cal, self.now);
        let today = local_date(now);
        let light = light_of(cal, d.state, d.due_at, now, d.kind);
        let days_left = d.due_at.filter(|_| d.state == DebtState::Open).map(|x| working_days_left(cal, today, local_date(x - 1)));
        let sides = self.sides(db, &d).await?;
        let may = if d.kind == MaturityFlow::KIND { may::<MaturityFlow>(d.state, &sides) } else { may::<WarningFlow>(d.state, &sides) };
        Ok(DutyView {
            id: d.id,
            kind: d.kind,
            light,
            days_left,
            title: title_of(&d),
            unit_name: d.unit_name.clone(),
            state: d.state,
            due_on: d.due_on.clone(),
            plan_due_on: d.plan_due_on.clone(),
            principal_wan: d.principal.wan2(),
            instrument_id: d.instrument_id,
            value: shown(&d.indicator, d.value),
            threshold: shown(&d.indicator, d.threshold),
            indicator: d.indicator,
            level: d.level,
            text: d.text,
            version: d.version,
            may,
        })
    }
}

/// A duty's title: a maturity's as opened, a warning's from its indicator and level.
fn title_of(d: &DebtDuty) -> String {
    if d.title.is_empty() {
        format!("{}·{}", t(Lang::ZhCn, &format!("debt.indicator.{}", d.indicator)), t(Lang::ZhCn, &format!("debt.level.{}", d.level)))
    } else {
        d.title.clone()
    }
}

/// The maturity duties of an instrument.
pub async fn of_instrument(db: &Db, who: &Who, id: i64, now: i64) -> Result<Vec<DutyView>> {
    let mut v = Viewer::new(db, who, now).await?;
    let mut out = Vec::new();
    for d in store::maturities(db, Some(id), 100).await? {
        out.push(v.view(db, d).await?);
    }
    Ok(out)
}

/// Every debt duty: maturities (open first, by date), then warnings.
pub async fn list(db: &Db, who: &Who, now: i64) -> Result<(Vec<DutyView>, Vec<DutyView>)> {
    super::reader(db, who, local_date(now)).await?;
    let mut v = Viewer::new(db, who, now).await?;
    let mut m = Vec::new();
    for d in store::maturities(db, None, 200).await? {
        m.push(v.view(db, d).await?);
    }
    let mut w = Vec::new();
    for d in store::warnings(db).await? {
        w.push(v.view(db, d).await?);
    }
    Ok((m, w))
}

async fn load(db: &Db, kind: &str, id: i64) -> Result<DebtDuty> {
    let d = if kind == MaturityFlow::KIND { store::maturity_get(db, id).await? } else { store::warning_get(db, id).await? };
    d.ok_or_else(|| DomainError::not_found(kind).into())
}

/// One duty with its trail.
pub async fn one(db: &Db, who: &Who, kind: &str, id: i64, now: i64) -> Result<(DutyView, Vec<trail::Step>)> {
    let d = load(db, kind, id).await?;
    super::reader(db, who, local_date(now)).await?;
    let k = d.kind;
    let view = Viewer::new(db, who, now).await?.view(db, d).await?;
    Ok((view, trail::of(db, k, id).await?))
}

/// An action as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActInput {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub text: String,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub version: Option<i64>,
}

/// Act on a debt duty.
pub async fn act(db: &Db, who: &Who, kind: &str, id: i64, input: &ActInput, now: i64) -> Result<DutyView> {
    let before = load(db, kind, id).await?;
    let action = DebtAction::parse(&input.action).ok_or_else(|| DomainError::invalid("action").with_detail(input.action.trim().to_string()))?;
    let text = input.text.trim();
    if needs_text(action) && text.is_empty() {
        return Err(DomainError::required("text").into());
    }
    if text.chars().count() > 2000 {
        return Err(DomainError::field(ErrorCode::TooLong, "text").with_detail("2000").into());
    }
    let today = local_date(now);
    let sides = Viewer::new(db, who, now).await?.sides(db, &before).await?;
    let allowed = if before.kind == MaturityFlow::KIND { may::<MaturityFlow>(before.state, &sides) } else { may::<WarningFlow>(before.state, &sides) };
    if !allowed.contains(&action) {
        let any = if before.kind == MaturityFlow::KIND {
            may::<MaturityFlow>(before.state, &[DebtSide::Owner, DebtSide::Finance])
        } else {
            may::<WarningFlow>(before.state, &[DebtSide::Owner, DebtSide::Finance])
        };
        return Err(if any.contains(&action) {
            forbidden()
        } else {
            DomainError::field(ErrorCode::Conflict, "state").with_detail(before.state.as_str()).into()
        });
    }
    if input.version.is_some_and(|v| v != before.version) {
        return Err(DomainError::new(ErrorCode::Conflict).with_detail("version").into());
    }
    let after =
        if before.kind == MaturityFlow::KIND { MaturityFlow::apply(action, before.state, &())? } else { WarningFlow::apply(action, before.state, &())? };
    let cal = calendar::load(db).await?;
    let lit = light_of(&cal, after, before.due_at, now, before.kind);
    let title = title_of(&before);
    let finance = super::finance_unit(db, today).await?;
    let co = if before.kind == MaturityFlow::KIND { vec![finance.id] } else { Vec::new() };
    let mut tx = db.begin_write().await?;
    store::save(&mut tx, &who.actor, &before, after, action.as_str(), text, (&title, &co), lit, now).await?;
    tx.commit().await?;
    Ok(one(db, who, kind, id, now).await?.0)
}
