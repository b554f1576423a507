//! 受理: the node's intake state (`Routing`: reference data cached behind `data_versions`, and the
//! writer that commits appeals arriving together in one transaction), routing suggestions,
//! duplicates and `receive`.

use super::*;
use crate::{forbidden, Result, Who};
use luoshi_domain::appeals::{self as dom, AppealInput, Channel};
use luoshi_domain::route::{self, Model};
use luoshi_domain::unit::UnitKind;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::appeals::{self as store, Appeal, Placement};
use luoshi_storage::{units, Actor, Db};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, RwLock};

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
pub(super) struct Job {
    actor: Actor,
    new: dom::NewAppeal,
    placement: Placement,
    now: i64,
    photos: Vec<store::NewPhoto>,
    reply: tokio::sync::oneshot::Sender<Result<Appeal>>,
}

/// At most this many appeals share one transaction.
pub(super) const BATCH: usize = 64;

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

    /// The taxonomy (Open311's services), as cached.
    pub fn categories(&self) -> &[store::CategoryRow] {
        &self.cats
    }

    /// A unit's name (townships for publication), from the cached tree.
    pub fn unit_name(&self, id: i64) -> Option<String> {
        self.map.by_id.get(&id).map(|&i| self.map.units[i].name.clone())
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
    pub(super) async fn write(
        &self,
        db: &Db,
        actor: Actor,
        new: dom::NewAppeal,
        placement: Placement,
        photos: Vec<store::NewPhoto>,
        now: i64,
    ) -> Result<Appeal> {
        let sender = self.writer.get_or_init(|| {
            let (tx, rx) = tokio::sync::mpsc::channel(1024);
            tokio::spawn(intake_writer(db.clone(), rx));
            tx
        });
        let (reply, answer) = tokio::sync::oneshot::channel();
        let lost = || DomainError::new(ErrorCode::Unavailable).with_detail("intake writer stopped");
        sender.send(Job { actor, new, placement, now, photos, reply }).await.map_err(|_| lost())?;
        answer.await.map_err(|_| lost())?
    }
}

/// The intake writer: takes what is waiting (up to [`BATCH`]), writes it in one transaction and
/// answers each caller after the commit. If the batch fails, each appeal is written alone, so
/// one bad appeal fails only its own caller.
pub(super) async fn intake_writer(db: Db, mut rx: tokio::sync::mpsc::Receiver<Job>) {
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

pub(super) async fn write_batch(db: &Db, jobs: &[Job]) -> Result<Vec<Appeal>> {
    let items = jobs
        .iter()
        .map(|j| {
            Ok(store::Intake {
                actor: j.actor.clone(),
                appeal: j.new.clone(),
                code: dom::tracking_code(random_u64()?),
                placement: j.placement.clone(),
                now: j.now,
                photos: j.photos.clone(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut tx = db.begin_write().await?;
    let out = store::insert_many(&mut tx, &items).await?;
    tx.commit().await?;
    Ok(out)
}

/// One appeal alone, drawing another tracking code if its code is taken (1 in 2^60).
pub(super) async fn write_one(db: &Db, j: &Job) -> Result<Appeal> {
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
pub(super) struct Map {
    units: Vec<luoshi_domain::unit::Unit>,
    places: Vec<(i64, String)>,
    /// Each unit's place in `units` by id (a page of published appeals names dozens).
    by_id: std::collections::HashMap<i64, usize>,
}

pub(super) async fn map(db: &Db) -> Result<Map> {
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
    let by_id = units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    Ok(Map { units, places, by_id })
}

/// The owner unit to suggest for a text (and the category chosen, if any).
pub async fn suggest(db: &Db, routing: &Routing, text: &str, category: &str) -> Result<Option<Suggestion>> {
    let c = routing.context(db).await?;
    Ok(suggest_with(&c.map, c.model.as_deref(), &c.cats, &c.catalogue, text, category))
}

pub(super) fn suggest_with(
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

pub(super) fn random_u64() -> Result<u64> {
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
    receive_with_photos(db, routing, who, input, channel, key_id, Vec::new(), now).await
}

/// [`receive`] with the photos sent with it (already [`clean_photos`]), kept in the same
/// transaction as the order.
#[expect(clippy::too_many_arguments, reason = "receive's own, and the photos")]
pub async fn receive_with_photos(
    db: &Db,
    routing: &Routing,
    who: Option<&Who>,
    input: &AppealInput,
    channel: Channel,
    key_id: Option<i64>,
    photos: Vec<store::NewPhoto>,
    now: i64,
) -> Result<Received> {
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
        rate_key: key_id.map(|k| (key_rate_name(k), luoshi_storage::sessions::window_start(now, MINUTE))),
    };
    let actor = who.map(|w| w.actor.clone()).unwrap_or_else(|| Actor { id: None, name: format!("citizen:{}", channel.as_str()) });
    let mut appeal = routing.write(db, actor, new, placement, photos, now).await?;
    // Only an operator at the desk sees likely duplicates (the public and Open311 get their
    // tracking code; bulk loads by the system skip the search).
    let duplicates = if who.is_some_and(|w| w.role.is_some()) { duplicates(db, &appeal).await? } else { Vec::new() };
    if !who.is_some_and(is_desk) {
        mask(&mut appeal);
    }
    Ok(Received { appeal, rating_code, suggestion, duplicates })
}
