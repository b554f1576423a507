//! A work order's page: the appeal, its limit, what the caller may do, its trail in words.

use super::*;

#[derive(Template)]
#[template(path = "appeal.html")]
struct AppealPage {
    chrome: Chrome,
    v: View,
    r: Row,
    kind: String,
    urgency: String,
    events: Vec<(String, String, String, String, String)>,
    units: Vec<(i64, String)>,
    rejects: Vec<(&'static str, String)>,
    returns: Vec<(&'static str, String)>,
    ext_due: String,
    suggestion: String,
    /// Right after registering: the rating code to give the citizen.
    rating_code: Option<String>,
    deliveries: Vec<crate::handlers::notify::DeliveryRow>,
    /// An action refused: which, why, and what was typed.
    problem: Option<(String, String, ActInput)>,
}

impl AppealPage {
    /// Why the action `name` was refused, if it was.
    fn problem_in(&self, name: &str) -> Option<&str> {
        self.problem.as_ref().filter(|p| p.0 == name).map(|p| p.1.as_str())
    }

    /// What was typed into the refused action's form (empty otherwise).
    fn kept(&self, name: &str) -> Option<&ActInput> {
        self.problem.as_ref().filter(|p| p.0 == name).map(|p| &p.2)
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    rating_code: String,
    /// The action just taken, said at the top.
    #[serde(default)]
    done: String,
}

/// A work order with its trail and what the caller may do (page and API).
pub async fn show(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(q): Query<ShowQuery>) -> AppResult<Response> {
    let who = ctx.who()?;
    let v = svc::view(&app.db, &who, id, app.now()).await?;
    if ctx.want == Want::Json {
        return Ok(Json(serde_json::to_value(&v).unwrap_or_default()).into_response());
    }
    Ok(render(&appeal_page(&ctx, &app, v, &q, None).await?))
}

async fn appeal_page(ctx: &Ctx, app: &AppState, v: View, q: &ShowQuery, problem: Option<(String, String, ActInput)>) -> AppResult<AppealPage> {
    let who = ctx.who()?;
    let id = v.appeal.id;
    let lang = ctx.lang;
    let cats = categories_in(app, ctx.lang).await?;
    let units = if svc::is_desk(&who) { unit_options(&units::all(&app.db).await?) } else { Vec::new() };
    let actors = crate::handlers::duty::Actors::load(&app.db).await?;
    let events = v
        .events
        .iter()
        .map(|e| {
            (
                when(e.at),
                t(lang, &format!("appeal_action.{}", e.action)).to_string(),
                e.to_state.as_deref().map(|s| t(lang, &format!("appeal_state.{s}")).to_string()).unwrap_or_default(),
                note_words(lang, &e.action, e.note.as_deref().unwrap_or_default()),
                actors.label(lang, &e.actor),
            )
        })
        .collect();
    let suggestion = v.suggestion.as_ref().map(|s| format!("{}（{:.0}%）· {}", s.unit, s.confidence * 100.0, s.words.join("、"))).unwrap_or_default();
    // Said after an action: what it did and the state the order is in now.
    let done = (!q.done.is_empty() && luoshi_domain::i18n::has(&format!("appeal_action.{}", q.done))).then(|| {
        t(lang, "appeal.done")
            .replace("{what}", t(lang, &format!("appeal_action.{}", q.done)))
            .replace("{state}", t(lang, &format!("appeal_state.{}", v.appeal.state.as_str())))
    });
    let mut c = chrome(ctx, "appeal.title", done);
    c.title = format!("{} {}", t(lang, "appeal.order"), v.appeal.code);
    let r = row_of(lang, &cats, &Clock::load(app).await?, v.appeal.clone(), v.light);
    let deliveries = crate::handlers::notify::deliveries_of(app, lang, "appeal", id).await?;
    Ok(AppealPage {
        chrome: c,
        problem,
        deliveries,
        kind: t(lang, &format!("appeal_kind.{}", v.appeal.kind)).to_string(),
        urgency: t(lang, &format!("urgency.{}", v.appeal.urgency)).to_string(),
        ext_due: v.appeal.ext_due.map(when).unwrap_or_default(),
        rating_code: luoshi_domain::appeals::normalize_rating_code(&q.rating_code).filter(|_| svc::is_desk(&who)),
        r,
        events,
        units,
        rejects: RejectReason::ALL.iter().map(|x| (x.as_str(), t(lang, &format!("reject.{}", x.as_str())).to_string())).collect(),
        returns: ReturnReason::ALL.iter().map(|x| (x.as_str(), t(lang, &format!("give_back.{}", x.as_str())).to_string())).collect(),
        suggestion,
        v,
    })
}

/// Take an action (派单, 签收, 退单, 改派, 驳回, 答复, 回访, 办结, 不予受理, 直接答复办结): back on
/// the order saying what it did; refused for something the user can mend, the order again with
/// the form as typed and the reason above it (the API keeps its error).
pub async fn act(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<ActInput>) -> AppResult<Response> {
    let who = ctx.who()?;
    match svc::act(&app.db, &who, id, &input, app.now()).await.map_err(AppError::from) {
        Ok(a) => Ok(crate::handlers::done(&ctx, StatusCode::OK, serde_json::json!({ "appeal": a }), &format!("/appeals/{id}?done={}", input.action))),
        Err(AppError(e)) if crate::handlers::mendable(&ctx, &e) => {
            let v = svc::view(&app.db, &who, id, app.now()).await?;
            let problem = Some((input.action.clone(), luoshi_domain::i18n::error_message(ctx.lang, &e), input));
            Ok((crate::error::status_of(e.code), render(&appeal_page(&ctx, &app, v, &ShowQuery::default(), problem).await?)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// A photo the citizen sent, to those who may see the work order.
pub async fn photo(ctx: Ctx, State(app): State<AppState>, Path((id, photo)): Path<(i64, i64)>) -> AppResult<Response> {
    let (content_type, data) = svc::photo(&app.db, &ctx.who()?, id, photo).await?;
    // Only JPEG and PNG are kept; sent back as what they are, never run as a page.
    Ok(([(axum::http::header::CONTENT_TYPE, content_type), (axum::http::header::CONTENT_DISPOSITION, "inline".to_string())], data).into_response())
}

/// A trail note in words: the reason or rating code it starts with (`not_our_duty：…`) read as
/// the reason itself.
fn note_words(lang: Lang, action: &str, note: &str) -> String {
    let prefix = match action {
        "give_back" => "give_back",
        "reject" => "reject",
        "rate" => "rating",
        _ => return note.to_string(),
    };
    let (code, rest) = note.split_once('：').unwrap_or((note, ""));
    let key = format!("{prefix}.{code}");
    if !luoshi_domain::i18n::has(&key) {
        return note.to_string();
    }
    let words = t(lang, &key);
    if rest.is_empty() {
        words.to_string()
    } else {
        format!("{words}：{rest}")
    }
}
