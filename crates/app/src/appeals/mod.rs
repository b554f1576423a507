//! 群众诉求: intake from the hotline, the public page and Open311; routing suggestions;
//! duplicates; the loop 派单 → 签收 → 答复 → 回访 with 退单, 改派/驳回, 延期 and 重办; masking of
//! personal data for everyone but the hotline; the routing model's training.

pub mod publication;

use crate::{forbidden, Result, Who};
use luoshi_domain::appeals::{self as dom, AppealAction, AppealInput, AppealSide, AppealState, Channel, Limits, Rating};
use luoshi_domain::duty::Light;
use luoshi_domain::route::{self, Model};
use luoshi_domain::unit::UnitKind;
use luoshi_domain::user::Role;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::appeals::{self as store, Appeal, Filter, Order, Placement};
use luoshi_storage::{calendar, units, Actor, Db};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, RwLock};

/// The label the model learns for appeals a township or village handled: 属地, resolved to
/// the place named in the text.
const LOCAL: &str = "@local";
/// Fewer closed appeals than this and the model is not trusted; the catalogue decides.
pub const MIN_EXAMPLES: u32 = 50;
const HOUR: i64 = 3_600_000_000;

/// What a caller may see of appeals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sight {
    /// The hotline and administrators: everything, personal data included.
    Desk,
    /// Leaders and the supervision office: everything, masked.
    All,
    /// A unit: what its subtree owns, masked.
    Units(String),
    Nothing,
}

pub fn sight(who: &Who) -> Sight {
    match who.role {
        None | Some(Role::Hotline | Role::Admin) => Sight::Desk,
        Some(Role::Leader | Role::Supervisor) => Sight::All,
        Some(Role::UnitManager | Role::UnitStaff) => Sight::Units(who.unit_path.clone()),
        Some(Role::Deputy) => Sight::Nothing,
    }
}

fn is_desk(who: &Who) -> bool {
    sight(who) == Sight::Desk
}

/// Hide personal data: names to the family name, phones and ID numbers to a few digits; a
/// confidential appeal hides them entirely.
pub fn mask(a: &mut Appeal) {
    if a.confidential {
        a.citizen_name = a.citizen_name.as_ref().map(|_| "（保密）".to_string());
        a.phone = a.phone.as_ref().map(|_| "（保密）".to_string());
        a.id_number = a.id_number.as_ref().map(|_| "（保密）".to_string());
        return;
    }
    a.citizen_name = a.citizen_name.as_deref().map(dom::mask_name);
    a.phone = a.phone.as_deref().map(dom::mask_phone);
    a.id_number = a.id_number.as_deref().map(dom::mask_id);
}

/// The time limits in force.
pub async fn limits(db: &Db, now: i64) -> Result<Limits> {
    let r = crate::RulesInForce::load(db, luoshi_domain::time::local_date(now)).await?;
    let d = Limits::default();
    let num = |key: &str, def: i64| -> i64 { r.int(key).unwrap_or(def) };
    Ok(Limits {
        consult_working_days: num("appeals.limit.consult_working_days", d.consult_working_days),
        help_working_days: num("appeals.limit.help_working_days", d.help_working_days),
        complaint_working_days: num("appeals.limit.complaint_working_days", d.complaint_working_days),
        report_working_days: num("appeals.limit.report_working_days", d.report_working_days),
        suggestion_working_days: num("appeals.limit.suggestion_working_days", d.suggestion_working_days),
        urgent_hours: num("appeals.limit.urgent_hours", d.urgent_hours),
        critical_hours: num("appeals.limit.critical_hours", d.critical_hours),
        due_soon_hours: num("appeals.light.due_soon_hours", d.due_soon_hours),
    })
}

/// What intake and routing read for every appeal — the unit tree and its places, the
/// taxonomy, the 权责清单, the newest routing model and the Open311 keys in force — cached per
/// node behind one read of `data_versions`: a change committed on any node bumps a version in
/// the same transaction, so the next request on every node loads it again.
///
/// It also owns the node's intake writer (group commit): appeals received at the same moment
/// are written in one transaction — one fsync for several — and each caller is answered only
/// after that transaction committed.
#[derive(Debug, Default)]
pub struct Routing {
    cache: RwLock<Option<Arc<Context>>>,
    writer: std::sync::OnceLock<tokio::sync::mpsc::Sender<Job>>,
}

/// An appeal waiting for the intake writer.
#[derive(Debug)]
struct Job {
    actor: Actor,
    new: dom::NewAppeal,
    placement: Placement,
    now: i64,
    reply: tokio::sync::oneshot::Sender<Result<Appeal>>,
}

/// At most this many appeals share one transaction.
const BATCH: usize = 64;

/// One consistent load of the reference data intake needs.
#[derive(Debug)]
pub struct Context {
    versions: Vec<(String, i64)>,
    map: Map,
    cats: Vec<store::CategoryRow>,
    catalogue: Vec<luoshi_domain::doc::Responsibility>,
    model: Option<Arc<Model>>,
    /// Keys in force by their hash.
    keys: std::collections::HashMap<String, store::Key>,
}

impl Context {
    /// A category's name (an Open311 service's), from the cached taxonomy.
    pub fn category_name(&self, code: &str) -> Option<String> {
        self.cats.iter().find(|c| c.code == code).map(|c| c.name.clone())
    }

    /// A unit's name (townships for publication), from the cached tree.
    pub fn unit_name(&self, id: i64) -> Option<String> {
        self.map.units.iter().find(|u| u.id == id).map(|u| u.name.clone())
    }

    /// The Open311 key in force with this hash.
    pub fn key(&self, hash: &str) -> Option<&store::Key> {
        self.keys.get(hash)
    }
}

impl Routing {
    /// The reference data as committed now: the cached load if no version moved, else a new one.
    pub async fn context(&self, db: &Db) -> Result<Arc<Context>> {
        // Versions first, data after: what is loaded is at least as new as the versions it is
        // filed under, so a change in between costs one more load, never a stale answer.
        let versions = luoshi_storage::versions::all(db).await?;
        if let Ok(c) = self.cache.read() {
            if let Some(ctx) = c.as_ref().filter(|ctx| ctx.versions == versions) {
                return Ok(ctx.clone());
            }
        }
        let model = match store::model_id(db).await? {
            Some(id) => match store::model(db, id).await? {
                Some(body) => {
                    Some(Arc::new(serde_json::from_str::<Model>(&body).map_err(|e| DomainError::new(ErrorCode::Internal).with_detail(e.to_string()))?))
                }
                None => None,
            },
            None => None,
        };
        let ctx = Arc::new(Context {
            versions,
            map: map(db).await?,
            cats: store::categories(db).await?,
            catalogue: crate::documents::responsibilities(db).await?.0,
            model,
            keys: store::active_keys(db).await?.into_iter().collect(),
        });
        if let Ok(mut c) = self.cache.write() {
            *c = Some(ctx.clone());
        }
        Ok(ctx)
    }

    /// Write a received appeal through the node's intake writer; answers once it is durable.
    async fn write(&self, db: &Db, actor: Actor, new: dom::NewAppeal, placement: Placement, now: i64) -> Result<Appeal> {
        let sender = self.writer.get_or_init(|| {
            let (tx, rx) = tokio::sync::mpsc::channel(1024);
            tokio::spawn(intake_writer(db.clone(), rx));
            tx
        });
        let (reply, answer) = tokio::sync::oneshot::channel();
        let lost = || DomainError::new(ErrorCode::Unavailable).with_detail("intake writer stopped");
        sender.send(Job { actor, new, placement, now, reply }).await.map_err(|_| lost())?;
        answer.await.map_err(|_| lost())?
    }
}

/// The intake writer: takes what is waiting (up to [`BATCH`]), writes it in one transaction and
/// answers each caller after the commit. If the batch fails, each appeal is written alone, so
/// one bad appeal fails only its own caller.
async fn intake_writer(db: Db, mut rx: tokio::sync::mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        if jobs.len() > 1 {
            match write_batch(&db, &jobs).await {
                Ok(written) => {
                    for (j, a) in jobs.into_iter().zip(written) {
                        let _ = j.reply.send(Ok(a));
                    }
                    continue;
                }
                Err(e) => tracing::warn!(error = %e, n = jobs.len(), "intake batch failed; writing each alone"),
            }
        }
        for j in jobs {
            let r = write_one(&db, &j).await;
            let _ = j.reply.send(r);
        }
    }
}

async fn write_batch(db: &Db, jobs: &[Job]) -> Result<Vec<Appeal>> {
    let items = jobs
        .iter()
        .map(|j| {
            Ok(store::Intake {
                actor: j.actor.clone(),
                appeal: j.new.clone(),
                code: dom::tracking_code(random_u64()?),
                placement: j.placement.clone(),
                now: j.now,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut tx = db.begin_write().await?;
    let out = store::insert_many(&mut tx, &items).await?;
    tx.commit().await?;
    Ok(out)
}

/// One appeal alone, drawing another tracking code if its code is taken (1 in 2^60).
async fn write_one(db: &Db, j: &Job) -> Result<Appeal> {
    let mut tries = 0;
    loop {
        match write_batch(db, std::slice::from_ref(j)).await {
            Ok(mut written) => return written.pop().ok_or_else(|| DomainError::new(ErrorCode::Internal).with_detail("insert returned no row").into()),
            Err(e) if e.code() == ErrorCode::Duplicate && tries < 3 => tries += 1,
            Err(e) => return Err(e),
        }
    }
}

/// A suggested owner unit and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub unit_id: i64,
    pub unit: String,
    pub confidence: f64,
    pub words: Vec<String>,
    /// `model` (trained on closed appeals), `catalogue` (权责清单), `category` or `place` (属地).
    pub source: String,
    /// The township the text or address names, if any.
    pub place: Option<String>,
}

/// The units routing may pick, and the places (townships and villages → their township).
#[derive(Debug)]
struct Map {
    units: Vec<luoshi_domain::unit::Unit>,
    places: Vec<(i64, String)>,
}

async fn map(db: &Db) -> Result<Map> {
    let units = units::list(db, &luoshi_domain::access::Scope::All).await?;
    let mut places = Vec::new();
    for u in units.iter().filter(|u| u.active) {
        let township = match u.kind {
            UnitKind::Township => Some(u.id),
            UnitKind::Village => u.parent_id,
            _ => None,
        };
        if let Some(t) = township {
            places.push((t, u.name.clone()));
            if let Some(s) = &u.short_name {
                places.push((t, s.clone()));
            }
        }
    }
    Ok(Map { units, places })
}

/// The owner unit to suggest for a text (and the category chosen, if any).
pub async fn suggest(db: &Db, routing: &Routing, text: &str, category: &str) -> Result<Option<Suggestion>> {
    let c = routing.context(db).await?;
    Ok(suggest_with(&c.map, c.model.as_deref(), &c.cats, &c.catalogue, text, category))
}

fn suggest_with(
    m: &Map,
    model: Option<&Model>,
    cats: &[store::CategoryRow],
    catalogue: &[luoshi_domain::doc::Responsibility],
    text: &str,
    category: &str,
) -> Option<Suggestion> {
    let place = route::find_place(text, &m.places).cloned();
    let place_name = place.as_ref().and_then(|(id, _)| m.units.iter().find(|u| u.id == *id)).map(|u| u.name.clone());
    let by_id = |id: i64| m.units.iter().find(|u| u.id == id);
    let local = |confidence: f64, words: Vec<String>, source: &str| {
        let (tid, _) = place.as_ref()?;
        Some(Suggestion { unit_id: *tid, unit: place_name.clone().unwrap_or_default(), confidence, words, source: source.into(), place: place_name.clone() })
    };
    // 1. The county's own history, when there is enough of it.
    if let Some(model) = model.filter(|md| md.examples() >= MIN_EXAMPLES) {
        let tokens = route::tokenize(text);
        if let Some(g) = model.guess(&tokens).into_iter().next() {
            if g.class == LOCAL {
                if let Some(s) = local(g.confidence, g.words.clone(), "model") {
                    return Some(s);
                }
            } else if let Some(u) = g.class.parse::<i64>().ok().and_then(by_id) {
                return Some(Suggestion {
                    unit_id: u.id,
                    unit: u.name.clone(),
                    confidence: g.confidence,
                    words: g.words,
                    source: "model".into(),
                    place: place_name,
                });
            }
        }
    }
    // 2. The 权责清单, scored as 文件分解 scores it.
    if let Some(best) = luoshi_domain::doc::suggest_units(text, catalogue).into_iter().next() {
        if let Ok(u) = units::resolve(&m.units, &best.unit) {
            return Some(Suggestion {
                unit_id: u.id,
                unit: u.name.clone(),
                confidence: best.confidence,
                words: best.words,
                source: "catalogue".into(),
                place: place_name,
            });
        }
    }
    // 3. The category's usual unit, else 属地.
    if let Some(c) = cats.iter().find(|c| c.code == category) {
        if let Some(u) = c.unit_id.and_then(by_id) {
            return Some(Suggestion {
                unit_id: u.id,
                unit: u.name.clone(),
                confidence: 0.5,
                words: vec![c.name.clone()],
                source: "category".into(),
                place: place_name,
            });
        }
    }
    local(0.5, place.as_ref().map(|p| vec![p.1.clone()]).unwrap_or_default(), "place")
}

/// A likely duplicate shown at intake.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Duplicate {
    pub id: i64,
    pub code: String,
    pub similarity: f64,
    pub excerpt: String,
}

/// Similar appeals of the same place in the last 30 days.
pub async fn duplicates(db: &Db, a: &Appeal) -> Result<Vec<Duplicate>> {
    let since = a.created_at - 30 * 24 * HOUR;
    let mine = route::tokenize(&a.content);
    let mut out: Vec<Duplicate> = store::recent(db, a.township_id, since, 300)
        .await?
        .into_iter()
        .filter(|(id, ..)| *id != a.id)
        .filter_map(|(id, code, content, _)| {
            let s = route::similarity(&mine, &route::tokenize(&content));
            (s >= 0.45).then(|| Duplicate { id, code, similarity: (s * 100.0).round() / 100.0, excerpt: content.chars().take(60).collect() })
        })
        .collect();
    out.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
    out.truncate(5);
    Ok(out)
}

fn random_u64() -> Result<u64> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|_| DomainError::new(ErrorCode::Internal))?;
    Ok(u64::from_le_bytes(b))
}

/// What intake returns: the work order (masked for non-hotline callers), the suggestion and
/// the likely duplicates.
#[derive(Debug, Clone, Serialize)]
pub struct Received {
    pub appeal: Appeal,
    /// The rating code (评价码), given to the citizen once with the tracking code.
    pub rating_code: String,
    pub suggestion: Option<Suggestion>,
    pub duplicates: Vec<Duplicate>,
}

/// 受理: register an appeal. The public page and Open311 pass no `who` (anonymous citizens).
pub async fn receive(db: &Db, routing: &Routing, who: Option<&Who>, input: &AppealInput, channel: Channel, key_id: Option<i64>, now: i64) -> Result<Received> {
    if let Some(w) = who {
        if !is_desk(w) {
            return Err(forbidden());
        }
    }
    let new = input.validate(channel)?;
    // Citizens choose from the public channels only, and never their own urgency (it sets the
    // unit's limit): the hotline may register any and sets urgency (see `set_urgency`).
    let new = if who.is_none() { dom::NewAppeal { channel, urgency: dom::Urgency::Normal, ..new } } else { new };
    let c = routing.context(db).await?;
    if !c.cats.iter().any(|cat| cat.code == new.category && cat.active) {
        return Err(DomainError::invalid("category").with_detail(new.category.clone()).into());
    }
    let text = format!("{} {}", new.address.clone().unwrap_or_default(), new.content);
    let suggestion = suggest_with(&c.map, c.model.as_deref(), &c.cats, &c.catalogue, &text, &new.category);
    let township = route::find_place(&text, &c.map.places).map(|p| p.0);
    let rating_code = dom::rating_code(random_u64()?);
    let placement = Placement {
        township_id: township,
        suggested_unit_id: suggestion.as_ref().map(|s| s.unit_id),
        suggestion: suggestion.as_ref().and_then(|s| serde_json::to_string(s).ok()),
        open311_key_id: key_id,
        rate_secret: Some(key_hash(&rating_code)),
        // An Open311 key's limit per minute counts this appeal with it (see `key_hits`).
        rate_key: key_id.map(|k| (key_rate_name(k), now - now.rem_euclid(MINUTE))),
    };
    let actor = who.map(|w| w.actor.clone()).unwrap_or_else(|| Actor { id: None, name: format!("citizen:{}", channel.as_str()) });
    let mut appeal = routing.write(db, actor, new, placement, now).await?;
    // Only an operator at the desk sees likely duplicates (the public and Open311 get their
    // tracking code; bulk loads by the system skip the search).
    let duplicates = if who.is_some_and(|w| w.role.is_some()) { duplicates(db, &appeal).await? } else { Vec::new() };
    if !who.is_some_and(is_desk) {
        mask(&mut appeal);
    }
    Ok(Received { appeal, rating_code, suggestion, duplicates })
}

/// An appeal the caller may see, as stored (unmasked), with its owner unit's path; else
/// `not_found`. Every use case starts here, so each reads the order and its owner once.
async fn seen(db: &Db, who: &Who, id: i64) -> Result<(Appeal, Option<String>)> {
    let a = store::get(db, id).await?.ok_or_else(|| DomainError::not_found("appeal"))?;
    let owner_path = match a.owner_unit_id {
        Some(u) => units::get(db, u).await?.map(|u| u.path),
        None => None,
    };
    let ok = match sight(who) {
        Sight::Desk | Sight::All => true,
        Sight::Units(path) => owner_path.as_deref().is_some_and(|p| p.starts_with(&path)),
        Sight::Nothing => false,
    };
    if !ok {
        return Err(DomainError::not_found("appeal").into());
    }
    Ok((a, owner_path))
}

/// What the caller gets to read of an appeal: masked unless the desk.
fn shown(who: &Who, mut a: Appeal) -> Appeal {
    if !is_desk(who) {
        mask(&mut a);
    }
    a
}

/// An appeal the caller may see (masked unless the desk), or `not_found`.
pub async fn visible(db: &Db, who: &Who, id: i64) -> Result<Appeal> {
    Ok(shown(who, seen(db, who, id).await?.0))
}

/// May the owner unit ask for more time now (before the limit, once per pending request)?
fn may_extend(who: &Who, a: &Appeal, owner_path: Option<&str>, now: i64) -> bool {
    owner_path.is_some_and(|p| who.acts_for(p))
        && matches!(a.state, AppealState::Dispatched | AppealState::Signed)
        && a.ext_due.is_none()
        && a.due_at.is_some_and(|d| now < d)
}

/// A work order page.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub appeal: Appeal,
    pub light: Light,
    pub events: Vec<store::Event>,
    pub suggestion: Option<Suggestion>,
    pub duplicates: Vec<Duplicate>,
    /// Actions the caller may take now.
    pub may: Vec<AppealAction>,
    pub may_extend: bool,
    pub may_decide_extension: bool,
    /// The hotline may set the urgency (open, not yet replied).
    pub may_set_urgency: bool,
}

fn may(who: &Who, a: &Appeal, owner_path: Option<&str>) -> Vec<AppealAction> {
    let mut sides = Vec::new();
    if is_desk(who) {
        // The desk rates for a citizen on the phone (回访).
        sides.extend([AppealSide::Hotline, AppealSide::Citizen]);
    }
    if owner_path.is_some_and(|p| who.acts_for(p)) {
        sides.push(AppealSide::Owner);
    }
    luoshi_domain::duty::may::<dom::AppealFlow>(a.state, &sides)
}

pub async fn view(db: &Db, who: &Who, id: i64, now: i64) -> Result<View> {
    let (a, owner_path) = seen(db, who, id).await?;
    let lim = limits(db, now).await?;
    let desk = is_desk(who);
    let acts = may(who, &a, owner_path.as_deref());
    let may_extend = may_extend(who, &a, owner_path.as_deref(), now);
    let duplicates = if desk && a.state == AppealState::Received { duplicates(db, &a).await? } else { Vec::new() };
    let a = shown(who, a);
    Ok(View {
        light: dom::light(a.state, a.due_at, a.rework_count, now, &lim),
        events: store::events(db, id).await?,
        suggestion: a.suggestion.as_deref().and_then(|s| serde_json::from_str(s).ok()),
        duplicates,
        may: acts,
        may_extend,
        may_decide_extension: desk && a.ext_due.is_some(),
        may_set_urgency: desk && a.state.is_open() && a.state != AppealState::Replied,
        appeal: a,
    })
}

/// The facts an action may carry.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActInput {
    #[serde(default)]
    pub action: String,
    /// 派单/改派: the unit.
    #[serde(default)]
    pub unit_id: Option<i64>,
    /// 退单 or 不予受理: the reason code.
    #[serde(default)]
    pub reason: String,
    /// A note: the 退单 explanation, the 驳回 reason, the 回访 record.
    #[serde(default)]
    pub note: String,
    /// 答复: the reply to the citizen.
    #[serde(default)]
    pub reply: String,
    #[serde(default)]
    pub rating: String,
    #[serde(default)]
    pub comment: String,
}

/// Take an action on a work order.
pub async fn act(db: &Db, who: &Who, id: i64, input: &ActInput, now: i64) -> Result<Appeal> {
    // An order out of sight is "not found" before anything else is looked at.
    let (raw, owner_path) = seen(db, who, id).await?;
    let action = AppealAction::parse(&input.action).ok_or_else(|| DomainError::invalid("action").with_detail(input.action.clone()))?;
    let allowed = match action.side() {
        AppealSide::Hotline | AppealSide::Citizen => is_desk(who),
        AppealSide::Owner => owner_path.as_deref().is_some_and(|p| who.acts_for(p)),
    };
    if !allowed {
        return Err(forbidden());
    }
    let rating = if action == AppealAction::Rate {
        Some(Rating::parse(&input.rating).ok_or_else(|| {
            if input.rating.trim().is_empty() {
                DomainError::required("rating")
            } else {
                DomainError::invalid("rating")
            }
        })?)
    } else {
        None
    };
    let to = action.apply(raw.state, rating, raw.rework_count)?;
    let mut after = raw.clone();
    after.state = to;
    let note = luoshi_domain::error::optional_text("note", &input.note, 1000)?;
    let mut trail_note = note.clone();
    match action {
        AppealAction::Dispatch | AppealAction::Reassign => {
            let unit_id = input.unit_id.ok_or_else(|| DomainError::required("unit_id"))?;
            let u = units::get(db, unit_id).await?.filter(|u| u.active).ok_or_else(|| DomainError::invalid("unit_id"))?;
            if action == AppealAction::Reassign && Some(u.id) == raw.owner_unit_id {
                return Err(DomainError::invalid("unit_id").with_detail(u.name).into());
            }
            dispatch_clock(db, &mut after, now).await?;
            after.owner_unit_id = Some(u.id);
            after.return_reason = None;
            trail_note = Some(match note {
                Some(n) => format!("{}：{n}", u.name),
                None => u.name.clone(),
            });
        }
        AppealAction::RefuseReturn => {
            let n = note.clone().ok_or_else(|| DomainError::required("note"))?;
            after.return_reason = None;
            trail_note = Some(n);
        }
        AppealAction::Reject => {
            let r = dom::RejectReason::parse(&input.reason).ok_or_else(|| DomainError::required("reason"))?;
            after.reject_reason = Some(r.as_str().into());
            after.closed_at = Some(now);
            trail_note = Some(format!("{}{}", r.as_str(), note.map(|n| format!("：{n}")).unwrap_or_default()));
        }
        AppealAction::Sign => {}
        AppealAction::GiveBack => {
            let r = dom::ReturnReason::parse(&input.reason).ok_or_else(|| DomainError::required("reason"))?;
            let n = note.clone().ok_or_else(|| DomainError::required("note"))?;
            after.return_reason = Some(r.as_str().into());
            trail_note = Some(format!("{}：{n}", r.as_str()));
        }
        AppealAction::Reply => {
            let r = luoshi_domain::error::required_text("reply", &input.reply, 4000)?;
            after.reply = Some(r.clone());
            after.replied_at = Some(now);
            trail_note = Some(r);
        }
        AppealAction::Rate => {
            apply_rating(db, &mut after, rating, &input.comment, now).await?;
            trail_note =
                Some(format!("{}{}", input.rating.trim(), Some(input.comment.trim()).filter(|c| !c.is_empty()).map(|c| format!("：{c}")).unwrap_or_default()));
        }
        AppealAction::Close => {
            trail_note = Some(note.ok_or_else(|| DomainError::required("note"))?);
            after.closed_at = Some(now);
        }
    }
    let mut tx = db.begin_write().await?;
    store::save(&mut tx, &who.actor, &raw, &after, action.as_str(), trail_note.as_deref(), now).await?;
    tx.commit().await?;
    visible(db, who, id).await
}

/// 紧急程度: the hotline sets or changes an open appeal's urgency, with the reason, in the trail;
/// a dispatched appeal's limit is counted again from its dispatch with the new urgency.
pub async fn set_urgency(db: &Db, who: &Who, id: i64, urgency: &str, reason: &str, now: i64) -> Result<Appeal> {
    if !is_desk(who) {
        return Err(forbidden());
    }
    let (raw, _) = seen(db, who, id).await?;
    let u = dom::Urgency::parse(urgency.trim()).ok_or_else(|| {
        if urgency.trim().is_empty() {
            DomainError::required("urgency")
        } else {
            DomainError::invalid("urgency")
        }
    })?;
    let reason = luoshi_domain::error::required_text("reason", reason, 500)?;
    if !raw.state.is_open() || raw.state == AppealState::Replied {
        return Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(raw.state.as_str().to_string()).into());
    }
    let mut after = raw.clone();
    after.urgency = u.as_str().to_string();
    // A granted extension fixed the limit by decision; it stays.
    if let Some(at) = raw.dispatched_at.filter(|_| raw.extension_count == 0) {
        let lim = limits(db, now).await?;
        let kind = dom::Kind::parse(&raw.kind).unwrap_or(dom::Kind::Complaint);
        after.due_at = Some(dom::due_at(&calendar::load(db).await?, at, lim.of(kind, u))?);
    }
    let note = format!("{} → {}：{reason}", raw.urgency, u.as_str());
    let mut tx = db.begin_write().await?;
    store::save(&mut tx, &who.actor, &raw, &after, "set_urgency", Some(&note), now).await?;
    tx.commit().await?;
    visible(db, who, id).await
}

/// 派单 starts the clock: the limit for the kind and urgency from now.
async fn dispatch_clock(db: &Db, a: &mut Appeal, now: i64) -> Result<()> {
    let lim = limits(db, now).await?;
    let kind = dom::Kind::parse(&a.kind).unwrap_or(dom::Kind::Complaint);
    let urgency = dom::Urgency::parse(&a.urgency).unwrap_or(dom::Urgency::Normal);
    let cal = calendar::load(db).await?;
    a.due_at = Some(dom::due_at(&cal, now, lim.of(kind, urgency))?);
    a.dispatched_at = Some(now);
    Ok(())
}

async fn apply_rating(db: &Db, a: &mut Appeal, rating: Option<Rating>, comment: &str, now: i64) -> Result<()> {
    let comment = luoshi_domain::error::optional_text("comment", comment, 500)?;
    a.rating = rating.map(|r| r.as_str().to_string());
    a.rating_comment = comment;
    if a.state == AppealState::Dispatched {
        // 不满意 the first time: 重办 by the same unit, with a fresh limit.
        a.rework_count += 1;
        a.reply = None;
        dispatch_clock(db, a, now).await?;
    } else {
        a.closed_at = Some(now);
    }
    Ok(())
}

/// The citizen's own view by tracking code: no personal data, no staff names.
#[derive(Debug, Clone, Serialize)]
pub struct Tracked {
    pub code: String,
    pub category: String,
    pub content: String,
    pub state: AppealState,
    pub owner: Option<String>,
    pub created_at: i64,
    pub due_at: Option<i64>,
    pub reply: Option<String>,
    pub rating: Option<String>,
    pub may_rate: bool,
    pub steps: Vec<(i64, String)>,
}

pub async fn track(db: &Db, code: &str) -> Result<Tracked> {
    let code = dom::normalize_code(code).ok_or_else(|| DomainError::not_found("appeal"))?;
    let a = store::by_code(db, &code).await?.ok_or_else(|| DomainError::not_found("appeal"))?;
    let steps = store::events(db, a.id).await?.into_iter().filter_map(|e| Some((e.at, e.to_state?))).collect();
    // Anyone holding the code reads this page: free text is published masked.
    Ok(Tracked {
        code: a.code,
        category: a.category,
        content: luoshi_domain::publish::redact(&a.content),
        may_rate: a.state == AppealState::Replied,
        state: a.state,
        owner: a.owner_name,
        created_at: a.created_at,
        due_at: a.due_at,
        reply: a.reply.as_deref().map(luoshi_domain::publish::redact),
        rating: a.rating,
        steps,
    })
}

/// The citizen rates the reply (回访评价) by tracking code and the rating code only they were
/// given (the tracking code alone is public).
pub async fn rate_by_code(db: &Db, code: &str, rating_code: &str, rating: &str, comment: &str, now: i64) -> Result<Tracked> {
    let norm = dom::normalize_code(code).ok_or_else(|| DomainError::not_found("appeal"))?;
    let raw = store::by_code(db, &norm).await?.ok_or_else(|| DomainError::not_found("appeal"))?;
    if rating_code.trim().is_empty() {
        return Err(DomainError::required("rating_code").into());
    }
    let given = dom::normalize_rating_code(rating_code).map(|c| key_hash(&c));
    let held = store::rate_secret(db, raw.id).await?;
    if given.is_none() || given != held {
        return Err(DomainError::invalid("rating_code").into());
    }
    let r = Rating::parse(rating).ok_or_else(|| if rating.trim().is_empty() { DomainError::required("rating") } else { DomainError::invalid("rating") })?;
    let mut after = raw.clone();
    after.state = AppealAction::Rate.apply(raw.state, Some(r), raw.rework_count)?;
    apply_rating(db, &mut after, Some(r), comment, now).await?;
    let note = format!("{}{}", r.as_str(), Some(comment.trim()).filter(|c| !c.is_empty()).map(|c| format!("：{c}")).unwrap_or_default());
    let mut tx = db.begin_write().await?;
    store::save(&mut tx, &Actor { id: None, name: "citizen".into() }, &raw, &after, "rate", Some(&note), now).await?;
    tx.commit().await?;
    track(db, &norm).await
}

/// 延期: the owner unit asks, before the limit, for a later one.
pub async fn request_extension(db: &Db, who: &Who, id: i64, new_due: &str, reason: &str, now: i64) -> Result<Appeal> {
    let (raw, owner_path) = seen(db, who, id).await?;
    if !may_extend(who, &raw, owner_path.as_deref(), now) {
        return Err(if raw.due_at.is_some_and(|d| now >= d) {
            DomainError::field(ErrorCode::Conflict, "new_deadline").with_detail("已超过办理时限").into()
        } else {
            forbidden()
        });
    }
    let max = crate::RulesInForce::load(db, luoshi_domain::time::local_date(now)).await?.int("appeals.extension.max_per_appeal").unwrap_or(1);
    if raw.extension_count >= max {
        return Err(DomainError::field(ErrorCode::Conflict, "new_deadline").with_detail(format!("≤ {max}")).into());
    }
    let date = crate::date_bounds(db, luoshi_domain::time::local_date(now)).await?.parse("new_deadline", new_due)?;
    let due = dom::end_of_day(date);
    if raw.due_at.is_some_and(|d| due <= d) {
        return Err(DomainError::invalid("new_deadline").into());
    }
    let reason = luoshi_domain::error::required_text("reason", reason, 500)?;
    let mut after = raw.clone();
    after.ext_due = Some(due);
    after.ext_reason = Some(reason.clone());
    let mut tx = db.begin_write().await?;
    store::save(&mut tx, &who.actor, &raw, &after, "extension_request", Some(&format!("{new_due}：{reason}")), now).await?;
    tx.commit().await?;
    visible(db, who, id).await
}

/// The hotline approves or refuses a pending extension; the trail keeps both limits.
pub async fn decide_extension(db: &Db, who: &Who, id: i64, approve: bool, note: &str, now: i64) -> Result<Appeal> {
    if !is_desk(who) {
        return Err(forbidden());
    }
    let raw = store::get(db, id).await?.ok_or_else(|| DomainError::not_found("appeal"))?;
    let Some(new_due) = raw.ext_due else { return Err(DomainError::field(ErrorCode::Conflict, "extension").into()) };
    let mut after = raw.clone();
    after.ext_due = None;
    after.ext_reason = None;
    let old = raw.due_at.map(luoshi_domain::time::format_local).unwrap_or_default();
    let new = luoshi_domain::time::format_local(new_due);
    let text = if approve {
        after.due_at = Some(new_due);
        after.extension_count += 1;
        format!("{old} → {new}")
    } else {
        format!("{old}（未延至 {new}）")
    };
    let note = luoshi_domain::error::optional_text("note", note, 500)?;
    let text = match note {
        Some(n) => format!("{text}：{n}"),
        None => text,
    };
    let mut tx = db.begin_write().await?;
    store::save(&mut tx, &who.actor, &raw, &after, if approve { "extension_approve" } else { "extension_refuse" }, Some(&text), now).await?;
    tx.commit().await?;
    visible(db, who, id).await
}

/// Merge a newly received appeal into an earlier one: it closes as a duplicate.
pub async fn merge(db: &Db, who: &Who, id: i64, into: i64, now: i64) -> Result<Appeal> {
    if !is_desk(who) {
        return Err(forbidden());
    }
    let raw = store::get(db, id).await?.ok_or_else(|| DomainError::not_found("appeal"))?;
    let target = store::get(db, into).await?.ok_or_else(|| DomainError::not_found("duplicate_of"))?;
    if raw.state != AppealState::Received || target.id == raw.id || target.duplicate_of.is_some() {
        return Err(DomainError::field(ErrorCode::Conflict, "duplicate_of").into());
    }
    let mut after = raw.clone();
    after.duplicate_of = Some(target.id);
    after.state = AppealState::Closed;
    after.closed_at = Some(now);
    let mut tx = db.begin_write().await?;
    store::save(&mut tx, &who.actor, &raw, &after, "merge", Some(&target.code), now).await?;
    tx.commit().await?;
    visible(db, who, id).await
}

/// List filters as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub unit_id: String,
    #[serde(default)]
    pub light: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub page: String,
}

pub const PAGE: i64 = 50;

/// Search and filter what the caller may see (masked unless the desk), newest first, a page.
pub async fn list(db: &Db, who: &Who, q: &ListQuery, now: i64) -> Result<Vec<(Appeal, Light)>> {
    list_n(db, who, q, now, PAGE).await
}

/// The columns of an appeal export.
pub const EXPORT_COLUMNS: [&str; 12] = ["查询码", "受理时间", "渠道", "类型", "分类", "诉求内容", "地点", "诉求人", "联系电话", "承办单位", "状态", "满意度"];

/// Up to 1,000 rows of a search as a table, masked exactly as the screens are.
pub async fn export_rows(db: &Db, who: &Who, q: &ListQuery, now: i64) -> Result<Vec<Vec<String>>> {
    let mut q = q.clone();
    q.page = String::new();
    Ok(list_n(db, who, &q, now, 1000)
        .await?
        .into_iter()
        .map(|(a, _)| {
            vec![
                a.code,
                luoshi_domain::time::format_local(a.created_at),
                a.channel,
                a.kind,
                a.category,
                a.content,
                a.address.unwrap_or_default(),
                a.citizen_name.unwrap_or_default(),
                a.phone.unwrap_or_default(),
                a.owner_name.unwrap_or_default(),
                a.state.as_str().to_string(),
                a.rating.unwrap_or_default(),
            ]
        })
        .collect())
}

async fn list_n(db: &Db, who: &Who, q: &ListQuery, now: i64, limit: i64) -> Result<Vec<(Appeal, Light)>> {
    let mut f = Filter { limit, ..Default::default() };
    match sight(who) {
        Sight::Desk | Sight::All => {}
        Sight::Units(p) => f.owner_path = Some(p),
        Sight::Nothing => return Err(forbidden()),
    }
    if !q.state.trim().is_empty() {
        f.states = q
            .state
            .split(',')
            .map(|s| AppealState::parse(s).ok_or_else(|| DomainError::invalid("state").with_detail(s.to_string())))
            .collect::<Result<_, _>>()?;
    }
    if !q.category.trim().is_empty() {
        f.categories = q.category.split(',').map(|s| s.trim().to_string()).collect();
    }
    if !q.unit_id.trim().is_empty() {
        f.owner_unit_id = Some(q.unit_id.trim().parse().map_err(|_| DomainError::invalid("unit_id"))?);
    }
    let day = |field: &str, s: &str| -> Result<Option<i64>, DomainError> {
        if s.trim().is_empty() {
            return Ok(None);
        }
        let d = luoshi_domain::time::parse_date(field, s)?;
        Ok(Some(dom::end_of_day(d.pred_opt().unwrap_or(d))))
    };
    f.created_from = day("from", &q.from)?;
    f.created_to = day("to", &q.to)?.map(|t| t + 24 * HOUR);
    let lim = limits(db, now).await?;
    match q.light.trim() {
        "" => {}
        "red" => f.overdue_at = Some(now),
        "blue" => f.due_before = Some(now + lim.due_soon_hours * HOUR),
        other => return Err(DomainError::invalid("light").with_detail(other.to_string()).into()),
    }
    f.words = q.q.split_whitespace().map(|w| w.chars().take(30).collect()).take(5).collect();
    let page: i64 = if q.page.trim().is_empty() { 1 } else { q.page.trim().parse().map_err(|_| DomainError::invalid("page"))? };
    f.offset = (page.max(1) - 1) * limit;
    let desk = is_desk(who);
    let rows = store::list(db, &f).await?;
    Ok(rows
        .into_iter()
        .map(|mut a| {
            let l = dom::light(a.state, a.due_at, a.rework_count, now, &lim);
            if !desk {
                mask(&mut a);
            }
            (a, l)
        })
        .collect())
}

/// A unit's appeals to act on (to sign, to handle), soonest limit first.
pub async fn inbox(db: &Db, who: &Who, now: i64) -> Result<Vec<(Appeal, Light)>> {
    let Sight::Units(path) = sight(who) else { return Ok(Vec::new()) };
    let lim = limits(db, now).await?;
    let f = Filter { owner_path: Some(path), states: vec![AppealState::Dispatched, AppealState::Signed], order: Order::Due, limit: 200, ..Default::default() };
    Ok(store::list(db, &f)
        .await?
        .into_iter()
        .map(|mut a| {
            let l = dom::light(a.state, a.due_at, a.rework_count, now, &lim);
            mask(&mut a);
            (a, l)
        })
        .collect())
}

/// The hotline's desk: new appeals to dispatch, 退单 to review, replies to call back (回访),
/// extensions to decide.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Desk {
    pub received: Vec<Appeal>,
    pub returned: Vec<Appeal>,
    pub callbacks: Vec<Appeal>,
    pub extensions: Vec<Appeal>,
    pub counts: Vec<(String, i64)>,
}

pub async fn desk(db: &Db, who: &Who) -> Result<Desk> {
    if !is_desk(who) {
        return Err(forbidden());
    }
    let get = |states: Vec<AppealState>| {
        let f = Filter { states, order: Order::Due, limit: 100, ..Default::default() };
        async move { store::list(db, &f).await }
    };
    let mut received = get(vec![AppealState::Received]).await?;
    received.sort_by_key(|a| a.created_at);
    let open = get(vec![AppealState::Dispatched, AppealState::Signed]).await?;
    Ok(Desk {
        received,
        returned: get(vec![AppealState::Returned]).await?,
        callbacks: get(vec![AppealState::Replied]).await?,
        extensions: open.into_iter().filter(|a| a.ext_due.is_some()).collect(),
        counts: store::state_counts(db, None).await?,
    })
}

/// What training did.
#[derive(Debug, Clone, Serialize)]
pub struct Trained {
    pub model_id: Option<i64>,
    pub examples: usize,
    pub classes: usize,
    /// Held-out accuracy (5-fold cross-validation).
    pub accuracy: f64,
    pub in_force: bool,
}

/// Train the routing model on the county's closed appeals and store it (every node then uses
/// it). With fewer than [`MIN_EXAMPLES`] the model is stored but routing keeps to the catalogue.
pub async fn train(db: &Db, who: &Who) -> Result<Trained> {
    if !is_desk(who) {
        return Err(forbidden());
    }
    let rows = store::training_examples(db, 200_000).await?;
    let examples: Vec<(Vec<String>, String)> = rows
        .into_iter()
        .map(|(content, unit, kind)| {
            let class = if kind == "township" || kind == "village" { LOCAL.to_string() } else { unit.to_string() };
            (route::tokenize(&content), class)
        })
        .collect();
    let (accuracy, _) = route::cross_validate(&examples, 5);
    let model = Model::train(examples.iter().map(|(t, c)| (t.as_slice(), c.as_str())));
    let body = serde_json::to_string(&model).map_err(|e| DomainError::new(ErrorCode::Internal).with_detail(e.to_string()))?;
    let mut tx = db.begin_write().await?;
    let id = store::save_model(&mut tx, &who.actor, i64::try_from(examples.len()).unwrap_or(i64::MAX), accuracy, &body).await?;
    tx.commit().await?;
    Ok(Trained {
        model_id: Some(id),
        examples: examples.len(),
        classes: model.classes.len(),
        accuracy: (accuracy * 1000.0).round() / 1000.0,
        in_force: model.examples() >= MIN_EXAMPLES,
    })
}

/// Load the shipped taxonomy (missing codes only), resolving each category's usual unit.
pub async fn seed_categories(db: &Db, who: &Who) -> Result<usize> {
    let have = store::categories(db).await?;
    let missing: Vec<dom::Category> = dom::shipped_categories().into_iter().filter(|c| !have.iter().any(|h| h.code == c.code)).collect();
    if missing.is_empty() {
        return Ok(0);
    }
    let all = units::list(db, &luoshi_domain::access::Scope::All).await?;
    let cats: Vec<(dom::Category, Option<i64>)> =
        missing.into_iter().map(|c| (units::resolve(&all, &c.unit).ok().map(|u| u.id), c)).map(|(u, c)| (c, u)).collect();
    let mut tx = db.begin_write().await?;
    let n = store::seed_categories(&mut tx, &who.actor, &cats).await?;
    tx.commit().await?;
    Ok(n)
}

/// A category as typed by an administrator.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CategoryInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub description: String,
    /// One per line or separated by 、.
    #[serde(default)]
    pub keywords: String,
    #[serde(default)]
    pub unit_id: Option<i64>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Add or change a category of the taxonomy (administrators). `code` is its stable key and
/// its Open311 `service_code`: lowercase letters, digits and `_`, 2 to 32.
pub async fn save_category(db: &Db, who: &Who, code: &str, c: &CategoryInput) -> Result<store::CategoryRow> {
    if !matches!(who.role, None | Some(Role::Admin)) {
        return Err(forbidden());
    }
    let code = code.trim();
    if !(2..=32).contains(&code.len()) || !code.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_') {
        return Err(DomainError::invalid("code").with_detail(code.to_string()).into());
    }
    if let Some(u) = c.unit_id {
        if units::get(db, u).await?.is_none() {
            return Err(DomainError::invalid("unit_id").into());
        }
    }
    let row = store::CategoryRow {
        code: code.to_string(),
        name: luoshi_domain::error::required_text("name", &c.name, 32)?,
        group: luoshi_domain::error::required_text("group", &c.group, 32)?,
        description: luoshi_domain::error::optional_text("description", &c.description, 200)?.unwrap_or_default(),
        keywords: luoshi_domain::doc::parse_keywords(&c.keywords)?,
        unit_id: c.unit_id,
        active: c.active,
    };
    let mut tx = db.begin_write().await?;
    store::upsert_category(&mut tx, &who.actor, &row).await?;
    tx.commit().await?;
    Ok(row)
}

// --- Open311 keys ---------------------------------------------------------------------------

pub fn key_hash(key: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(key.trim().as_bytes()))
}

/// Issue an Open311 API key: (id, the key, shown once).
pub async fn issue_key(db: &Db, who: &Who, name: &str) -> Result<(i64, String)> {
    let mut b = [0u8; 20];
    getrandom::fill(&mut b).map_err(|_| DomainError::new(ErrorCode::Internal))?;
    let key = format!("ls311_{}", hex::encode(b));
    let id = register_key(db, who, name, &key).await?;
    Ok((id, key))
}

/// Register a key chosen elsewhere (the demo county's published one), unless it is live already.
pub async fn register_key(db: &Db, who: &Who, name: &str, key: &str) -> Result<i64> {
    if !matches!(who.role, None | Some(Role::Admin)) {
        return Err(forbidden());
    }
    let name = luoshi_domain::error::required_text("name", name, 64)?;
    if let Some(k) = store::key_by_hash(db, &key_hash(key)).await? {
        return Ok(k.id);
    }
    let mut tx = db.begin_write().await?;
    let id = store::add_key(&mut tx, &who.actor, &name, &key_hash(key)).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn revoke_key(db: &Db, who: &Who, id: i64) -> Result<()> {
    if !matches!(who.role, None | Some(Role::Admin)) {
        return Err(forbidden());
    }
    let mut tx = db.begin_write().await?;
    store::revoke_key(&mut tx, &who.actor, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Rebuild every appeal's search signature (`luoshi appeals reindex`): derived from the
/// database alone, so every node searching it answers alike. Returns how many were done.
pub async fn reindex(db: &Db) -> Result<usize> {
    let (mut after, mut done) = (0, 0);
    while let Some((last, n)) = store::reindex_page(db, after, 2000).await? {
        after = last;
        done += n;
    }
    Ok(done)
}

/// The live key for an `api_key` as sent, if any (from the node's cache of keys in force).
const MINUTE: i64 = 60_000_000;

fn key_rate_name(key_id: i64) -> String {
    format!("open311key:{key_id}")
}

/// Appeals an Open311 key has sent in this wall-clock minute (counted with the appeals, in
/// their transaction; read here before accepting another).
pub async fn key_hits(db: &Db, key_id: i64, now: i64) -> Result<i64> {
    luoshi_storage::sessions::hits(db, &key_rate_name(key_id), MINUTE, now).await
}

pub async fn check_key(db: &Db, routing: &Routing, key: &str) -> Result<Option<store::Key>> {
    if key.trim().is_empty() {
        return Ok(None);
    }
    Ok(routing.context(db).await?.key(&key_hash(key)).cloned())
}
