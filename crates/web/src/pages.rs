//! Server-rendered pages (askama). Every text comes from the message catalogue through
//! [`Chrome::t`], so a page is Chinese or English as a whole.

use crate::http::Ctx;
use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use luoshi_domain::i18n::{t, Lang};
use luoshi_domain::user::Role;

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub active: bool,
}

/// What the layout needs: language, the caller, the navigation their role may use, CSRF.
pub struct Chrome {
    pub lang: Lang,
    pub title: String,
    pub logged_in: bool,
    pub user_name: String,
    pub unit_name: String,
    pub role_label: String,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    pub flash: Option<String>,
    pub path: String,
    /// The caller is the supervision office or an administrator (some forms show only to them).
    pub role_is_supervisor: bool,
    /// What the header says beside the seal instead of the product's line: a public page names
    /// the county's hotline.
    pub brand: Option<String>,
}

impl Chrome {
    pub fn t(&self, key: &str) -> String {
        t(self.lang, key).to_string()
    }
    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }
    /// The link that switches to the other language and comes back to this page.
    pub fn lang_href(&self) -> String {
        let other = match self.lang {
            Lang::ZhCn => "en",
            Lang::En => "zh-CN",
        };
        let q = serde_urlencoded::to_string([("next", self.path.as_str())]).unwrap_or_default();
        format!("/lang/{other}?{q}")
    }
}

/// The chrome for a page; `title_key` names the page in the catalogue, `section` marks the nav.
pub fn chrome(ctx: &Ctx, title_key: &str, flash: Option<String>) -> Chrome {
    let lang = ctx.lang;
    let mut nav = Vec::new();
    let mut item = |href: &'static str, key: &str| {
        nav.push(NavItem { href, label: t(lang, key).to_string(), active: ctx.path == href || (href != "/" && ctx.path.starts_with(href)) })
    };
    if let Some(p) = &ctx.caller {
        let role = p.user.role;
        item("/", if role == Role::Deputy { "nav.home" } else { "nav.cockpit" });
        if role == Role::Hotline {
            item("/appeals", "nav.appeals");
        }
        if !matches!(role, Role::Deputy) {
            item("/duties", "nav.duties");
        }
        if !matches!(role, Role::Hotline | Role::Deputy) {
            item("/inbox", "nav.inbox");
            item("/tasks", "nav.tasks");
            item("/directives", "nav.directives");
            item("/hazards", "nav.hazards");
            item("/emergencies", "nav.emergencies");
            item("/projects", "nav.projects");
        }
        if ctx.realms.contains(&luoshi_domain::access::Realm::Debt) {
            item("/debt", "nav.debt");
        }
        item("/livelihood", "nav.livelihood");
        if matches!(role, Role::Admin | Role::Supervisor | Role::Leader) {
            item("/reports", "nav.reports");
            item("/assessment/report", "nav.assessment");
            item("/documents/new", "nav.documents");
        }
        if !matches!(role, Role::Hotline | Role::Deputy) {
            item("/appeals", "nav.appeals");
        }
        item("/units", "nav.units");
        if matches!(role, Role::Admin | Role::UnitManager) {
            item("/users", "nav.users");
        }
        item("/rules", "nav.rules");
        item("/calendar", "nav.calendar");
        if matches!(role, Role::Admin | Role::Supervisor) {
            item("/notify/outbox", "nav.outbox");
        }
        if role == Role::Admin {
            item("/audit", "nav.audit");
        }
    }
    let (user_name, unit_name, role_label) = match &ctx.caller {
        Some(p) => (p.user.display_name.clone(), p.unit_name.clone(), t(lang, &format!("role.{}", p.user.role.as_str())).to_string()),
        None => Default::default(),
    };
    Chrome {
        lang,
        title: t(lang, title_key).to_string(),
        logged_in: ctx.caller.is_some(),
        user_name,
        unit_name,
        role_label,
        csrf: ctx.csrf.clone(),
        nav,
        flash,
        path: ctx.path.clone(),
        role_is_supervisor: ctx.caller.as_ref().is_some_and(|p| matches!(p.user.role, Role::Supervisor | Role::Admin)),
        brand: None,
    }
}

/// Render a template; a rendering failure is logged and shown as an internal error.
pub fn render<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(s) => Html(s).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            crate::error::AppError(luoshi_domain::DomainError::new(luoshi_domain::ErrorCode::Internal)).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub lang: Lang,
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl ErrorPage {
    pub fn t(&self, key: &str) -> String {
        t(self.lang, key).to_string()
    }
    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }
}

pub fn error_page(lang: Lang, status: u16, code: &str, message: &str) -> Html<String> {
    let page = ErrorPage { lang, status, code: code.to_string(), message: message.to_string() };
    Html(page.render().unwrap_or_else(|_| message.to_string()))
}

#[cfg(test)]
mod tests {
    /// The Content-Security-Policy forbids inline styles and scripts; a template that used them
    /// would render broken (as progress bars once did).
    #[test]
    fn templates_need_no_inline_styles_or_scripts() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut seen = 0;
        // Each module's folder of templates too.
        let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        while let Some(path) = paths.pop() {
            if path.is_dir() {
                paths.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(!text.contains("style=\""), "{} has an inline style", path.display());
            assert!(!text.contains("<script>") && !text.contains("javascript:") && !text.contains(" onclick="), "{} has inline script", path.display());
            seen += 1;
        }
        assert!(seen >= 15);
    }
}
