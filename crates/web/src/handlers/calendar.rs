//! The working-day calendar: years, special days, deadline arithmetic, import.

use crate::error::AppResult;
use crate::extract::Query;
use crate::http::{Ctx, Input, Want};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Datelike, NaiveDate};
use luoshi_domain::calendar::DayKind;
use luoshi_domain::i18n::{error_message, t};
use luoshi_domain::user::Role;
use luoshi_domain::DomainError;
use luoshi_storage::calendar;

/// One day cell of the month grid: day of month (0 = padding) and its CSS class.
struct Cell {
    day: u32,
    class: &'static str,
    title: String,
}

struct Month {
    name: String,
    weeks: Vec<Vec<Cell>>,
}

/// The year as twelve month grids (weeks from Monday), each day classed as working day,
/// weekend, holiday or make-up working day.
fn months(cal: &luoshi_domain::calendar::Calendar, year: i32, today: NaiveDate, names: &[&str]) -> Vec<Month> {
    let special: std::collections::HashMap<NaiveDate, (DayKind, String)> = cal.special_days(year).map(|(d, k, n)| (d, (k, n.to_string()))).collect();
    (1..=12)
        .filter_map(|m| {
            let first = NaiveDate::from_ymd_opt(year, m, 1)?;
            let mut weeks: Vec<Vec<Cell>> = vec![Vec::new()];
            for _ in 0..first.weekday().num_days_from_monday() {
                weeks.last_mut()?.push(Cell { day: 0, class: "pad", title: String::new() });
            }
            let mut d = first;
            while d.month() == m {
                let weekend = d.weekday().num_days_from_monday() >= 5;
                let (class, title) = match special.get(&d) {
                    Some((DayKind::Holiday, n)) => ("holiday", n.clone()),
                    Some((DayKind::Workday, n)) => ("makeup", n.clone()),
                    None if weekend => ("weekend", String::new()),
                    None => ("work", String::new()),
                };
                let class = if d == today {
                    if class == "work" {
                        "today"
                    } else {
                        class
                    }
                } else {
                    class
                };
                if weeks.last().map(Vec::len) == Some(7) {
                    weeks.push(Vec::new());
                }
                weeks.last_mut()?.push(Cell { day: d.day(), class, title });
                d = d.succ_opt()?;
            }
            let name = names.get(usize::try_from(m).ok()? - 1).map(|s| s.to_string()).unwrap_or_else(|| m.to_string());
            Some(Month { name, weeks })
        })
        .collect()
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    months: Vec<Month>,
    weekdays: Vec<String>,
    known: bool,
    years: Vec<(i32, String)>,
    year: i32,
    days_list: Vec<(String, String, String)>,
    from: String,
    days: String,
    result: Option<String>,
    admin: bool,
}

#[derive(serde::Deserialize, Default)]
pub struct CalQuery {
    year: Option<i32>,
    #[serde(default)]
    from: String,
    #[serde(default)]
    days: String,
}

fn parse_date(s: &str) -> Result<NaiveDate, DomainError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| DomainError::invalid("date"))
}

fn parse_days(s: &str) -> Result<i64, DomainError> {
    s.trim().parse::<i64>().map_err(|_| DomainError::invalid("days"))
}

pub async fn show(ctx: Ctx, State(app): State<AppState>, Query(q): Query<CalQuery>) -> AppResult<Response> {
    let cal = calendar::load(&app.db).await?;
    let today = parse_date(&super::today())?;
    let years: Vec<(i32, String)> = cal.years().map(|(y, s)| (y, s.to_string())).collect();
    let year = q.year.unwrap_or(today.year());
    let special: Vec<_> = cal.special_days(year).collect();
    if ctx.want == Want::Json {
        let days: Vec<_> = special.iter().map(|(d, k, n)| serde_json::json!({ "date": d.to_string(), "kind": k.as_str(), "name": n })).collect();
        let ys: Vec<_> = years.iter().map(|(y, s)| serde_json::json!({ "year": y, "source": s })).collect();
        return Ok(Json(serde_json::json!({ "years": ys, "year": year, "days": days })).into_response());
    }
    let lang = ctx.lang;
    let result = if q.from.is_empty() || q.days.is_empty() {
        None
    } else {
        Some(match parse_date(&q.from).and_then(|f| Ok((f, parse_days(&q.days)?))).and_then(|(f, n)| cal.add_working_days(f, n)) {
            Ok(d) => d.to_string(),
            Err(e) => error_message(lang, &e),
        })
    };
    let days_list = special
        .iter()
        .map(|(d, k, n)| {
            (
                format!("{d} {}", d.format("%a")),
                t(lang, if *k == DayKind::Holiday { "calendar.holiday" } else { "calendar.workday" }).to_string(),
                n.to_string(),
            )
        })
        .collect();
    let known = years.iter().any(|(y, _)| *y == year);
    let page = CalendarPage {
        chrome: chrome(&ctx, "calendar.title", None),
        months: if known { months(&cal, year, today, &t(lang, "calendar.months").split(' ').collect::<Vec<_>>()) } else { Vec::new() },
        weekdays: t(lang, "calendar.weekdays").split(' ').map(str::to_string).collect(),
        known,
        years,
        year,
        days_list,
        from: if q.from.is_empty() { today.to_string() } else { q.from },
        days: if q.days.is_empty() { "15".into() } else { q.days },
        result,
        admin: ctx.user()?.user.role == Role::Admin,
    };
    Ok(render(&page))
}

pub async fn deadline(State(app): State<AppState>, Query(q): Query<CalQuery>) -> AppResult<Response> {
    if q.from.trim().is_empty() {
        return Err(DomainError::required("date").into());
    }
    let from = parse_date(&q.from)?;
    let days = parse_days(&q.days)?;
    let cal = calendar::load(&app.db).await?;
    let due = cal.add_working_days(from, days)?;
    Ok(Json(serde_json::json!({ "from": from.to_string(), "days": days, "deadline": due.to_string() })).into_response())
}

#[derive(serde::Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    text: String,
}

pub async fn import(ctx: Ctx, State(app): State<AppState>, Input(f): Input<ImportForm>) -> AppResult<Response> {
    if f.text.len() > 64 * 1024 {
        return Err(DomainError::field(luoshi_domain::ErrorCode::TooLarge, "file").with_detail("64 KiB").into());
    }
    let file = calendar::import_text(&app.db, &ctx.actor()?, &f.text).await?;
    Ok(super::done(&ctx, StatusCode::OK, serde_json::json!({ "year": file.year, "days": file.days.len() }), &format!("/calendar?year={}", file.year)))
}

/// This module's routes: one line each with its policy and summary (the table in `routes.rs`
/// gathers every module's, so the router, OpenAPI and the authorization matrix see them all).
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use crate::routes::AUTH;
    use axum::http::Method as M;
    use luoshi_domain::access::ADMIN;
    t.add(M::GET, "/calendar", AUTH, "calendar", "Working-day calendar (page)", show)
        .add(M::GET, "/api/v1/calendar", AUTH, "calendar", "Loaded years and their special days (?year=)", show)
        .add(M::GET, "/api/v1/calendar/deadline", AUTH, "calendar", "Add working days to a date (?from=YYYY-MM-DD&days=N)", deadline)
        .add(M::POST, "/calendar/import", ADMIN, "calendar", "Load or replace a year (form)", import)
        .add(M::POST, "/api/v1/calendar/import", ADMIN, "calendar", "Load or replace a year (JSON {text})", import)
}
