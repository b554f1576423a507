//! 决策落实·督查督办: directives, tasks, the unit inbox, the supervisor's board, the task page
//! and its actions, extensions, 容错免责, incentives, the supervision run, 通报 reports and the
//! 任务分解表 ledger.

mod board;
mod directives;
mod ledger;
mod page;
mod supervision;

pub use board::*;
pub use directives::*;
pub use ledger::*;
pub use page::*;
pub use supervision::*;

use luoshi_domain::i18n::{t, Lang};
use luoshi_storage::tasks::Duty;

pub(super) fn label(lang: Lang, prefix: &str, key: &str) -> String {
    t(lang, &format!("{prefix}.{key}")).to_string()
}

/// A row of a task list, with its labels in the caller's language.
pub struct Row {
    pub d: Duty,
    pub state: String,
    pub light: String,
    /// 剩余N个工作日 / 今天到期 / 已逾期N个工作日 (open tasks with a deadline).
    pub when: String,
    pub late: bool,
}

/// How far a deadline is, in working days, as a person says it.
pub(super) fn days_text(lang: Lang, cal: &luoshi_domain::calendar::Calendar, today: chrono::NaiveDate, deadline: &str) -> (String, bool) {
    let Ok(d) = chrono::NaiveDate::parse_from_str(deadline, "%Y-%m-%d") else { return (String::new(), false) };
    let n = luoshi_domain::duty::working_days_left(cal, today, d);
    match n {
        n if n > 0 => (t(lang, "task.days_left").replace("{n}", &n.to_string()), false),
        0 if d >= today => (t(lang, "task.due_today").to_string(), false),
        n => (t(lang, "inbox.days_overdue").replace("{n}", &n.abs().max(1).to_string()), true),
    }
}

pub(super) fn rows(lang: Lang, cal: &luoshi_domain::calendar::Calendar, today: chrono::NaiveDate, list: Vec<Duty>) -> Vec<Row> {
    list.into_iter()
        .map(|d| {
            let (when, late) = match d.deadline.as_deref().filter(|_| d.state.is_open()) {
                Some(dl) => days_text(lang, cal, today, dl),
                None => (String::new(), false),
            };
            Row { state: label(lang, "state", d.state.as_str()), light: label(lang, "light", d.light.as_str()), when, late, d }
        })
        .collect()
}

/// This module's routes: one line each with its policy and summary (the table in `routes.rs`
/// gathers every module's, so the router, OpenAPI and the authorization matrix see them all).
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::{DIRECTIVE_WRITERS, SUPERVISORS, TASK_READERS, UNIT_ROLES};
    t.add(M::GET, "/inbox", TASK_READERS, "tasks", "My inbox: what to sign, report, review (page)", inbox)
        .add(M::GET, "/api/v1/inbox", TASK_READERS, "tasks", "My inbox, sorted by urgency, with notices received", inbox)
        .add(M::GET, "/tasks", TASK_READERS, "tasks", "Supervisor's board (page)", board)
        .add(
            M::GET,
            "/api/v1/tasks",
            TASK_READERS,
            "tasks",
            "Tasks the caller may see, filtered (?light=&unit_id=&directive_id=&leader_id=&term=&state=&after=), with counts per light",
            board,
        )
        .add(M::GET, "/tasks/export.xlsx", TASK_READERS, "tasks", "任务分解表 as xlsx (?directive_id=)", ledger_export)
        .add(M::GET, "/api/v1/tasks/export.xlsx", TASK_READERS, "tasks", "任务分解表 as xlsx (?directive_id=)", ledger_export)
        .add(
            M::POST,
            "/api/v1/tasks/import",
            SUPERVISORS,
            "tasks",
            "Import a 任务分解表 (body: xlsx; ?directive_id= or ?title=&issued_on=&issuer=; ?dry_run=true)",
            ledger_import,
        )
        .add(M::POST, "/directives/import", SUPERVISORS, "tasks", "Import a 任务分解表 (multipart form)", ledger_import_form)
        .add(
            M::POST,
            "/directives/import/confirm",
            SUPERVISORS,
            "tasks",
            "Import the 任务分解表 a dry run just checked (form, one click)",
            ledger_import_confirm,
        )
        .add(M::GET, "/tasks/{id}", TASK_READERS, "tasks", "A task with its timeline (page)", task_show)
        .add(
            M::GET,
            "/api/v1/tasks/{id}",
            TASK_READERS,
            "tasks",
            "A task with co-units, milestones, reports, trail, extensions, notices, exemptions and what the caller may do",
            task_show,
        )
        .add(M::POST, "/tasks/{id}/act", TASK_READERS, "tasks", "Take a workflow action (form)", task_act)
        .add(
            M::POST,
            "/api/v1/tasks/{id}/act",
            TASK_READERS,
            "tasks",
            "Take a workflow action: assign, sign, request_closure, accept, return (with reason)",
            task_act,
        )
        .add(M::POST, "/tasks/{id}/reports", UNIT_ROLES, "tasks", "Report progress (form)", task_report)
        .add(
            M::POST,
            "/api/v1/tasks/{id}/reports",
            UNIT_ROLES,
            "tasks",
            "Report progress {text, percent}: the owner unit for the task, a co-unit for its part",
            task_report,
        )
        .add(M::POST, "/tasks/{id}/extensions", UNIT_ROLES, "tasks", "Request an extension (form)", task_extension)
        .add(M::POST, "/api/v1/tasks/{id}/extensions", UNIT_ROLES, "tasks", "Request an extension {reason, new_deadline}, before the deadline", task_extension)
        .add(M::POST, "/tasks/{id}/evaluation", SUPERVISORS, "tasks", "Grade a closed task (form)", task_evaluate)
        .add(M::POST, "/api/v1/tasks/{id}/evaluation", SUPERVISORS, "tasks", "Grade a closed task once {grade: excellent|good|fair|poor, note}", task_evaluate)
        .add(M::POST, "/tasks/{id}/attachments", UNIT_ROLES, "tasks", "Attach a file (multipart form)", attach_form)
        .add(
            M::POST,
            "/api/v1/tasks/{id}/attachments",
            UNIT_ROLES,
            "tasks",
            "Attach a file (body: the file; ?name=FILE.pdf): owner or co-unit, while the task is open",
            attach_api,
        )
        .add(M::GET, "/tasks/{id}/attachments/{aid}", TASK_READERS, "tasks", "Download an attachment", attachment_get)
        .add(M::GET, "/api/v1/tasks/{id}/attachments/{aid}", TASK_READERS, "tasks", "Download an attachment", attachment_get)
        .add(M::POST, "/extensions/{id}/decision", SUPERVISORS, "tasks", "Approve or refuse an extension (form)", extension_decide)
        .add(M::POST, "/api/v1/extensions/{id}/decision", SUPERVISORS, "tasks", "Approve or refuse an extension {approve, note}", extension_decide)
        .add(M::POST, "/tasks/{id}/exemptions", UNIT_ROLES, "tasks", "Apply for 容错免责 (form)", exemption_apply)
        .add(M::POST, "/api/v1/tasks/{id}/exemptions", UNIT_ROLES, "tasks", "Apply for 容错免责 {reason, conditions[{key, met, evidence}]}", exemption_apply)
        .add(M::POST, "/exemptions/{id}/step", SUPERVISORS, "tasks", "Advance a 容错免责 application (form)", exemption_step)
        .add(
            M::POST,
            "/api/v1/exemptions/{id}/step",
            SUPERVISORS,
            "tasks",
            "Advance a 容错免责 application {step: accept|reject|verify|decide, exempt, conditions, note}",
            exemption_step,
        )
        .add(M::GET, "/api/v1/incentives", DIRECTIVE_WRITERS, "tasks", "Incentive records (表扬/激励)", incentives)
        .add(M::POST, "/incentives", SUPERVISORS, "tasks", "Record praise or an incentive (form)", incentive_create)
        .add(
            M::POST,
            "/api/v1/incentives",
            SUPERVISORS,
            "tasks",
            "Record praise or an incentive {unit_id, user_id, duty_id, kind: praise|incentive, reason}",
            incentive_create,
        )
        .add(M::POST, "/supervision/run", SUPERVISORS, "tasks", "Run the supervision engine now (form)", supervise)
        .add(M::POST, "/tasks/assign", SUPERVISORS, "tasks", "交办 the ticked tasks in 立项 at once (form: ids=…; at most 500)", assign_many)
        .add(
            M::POST,
            "/api/v1/supervision/run",
            SUPERVISORS,
            "tasks",
            "Run the supervision engine now (?date=YYYY-MM-DD): lights and the notice ladder",
            supervise,
        )
        .add(M::GET, "/reports", DIRECTIVE_WRITERS, "tasks", "通报 report of a month (page, printable A4; ?period=YYYY-MM)", report)
        .add(M::GET, "/api/v1/reports", DIRECTIVE_WRITERS, "tasks", "通报 report of a month (?period=YYYY-MM) with fair rankings", report)
        .add(M::GET, "/reports/export.xlsx", DIRECTIVE_WRITERS, "tasks", "通报 report as xlsx (?period=)", report_xlsx)
        .add(
            M::GET,
            "/reports/export.docx",
            DIRECTIVE_WRITERS,
            "tasks",
            "通报 report as a Word document: masthead, 文号, tables, signature, page numbers (?period=)",
            report_docx,
        )
        .add(M::GET, "/api/v1/reports/export.xlsx", DIRECTIVE_WRITERS, "tasks", "通报 report as xlsx (?period=)", report_xlsx)
        .add(M::GET, "/directives", TASK_READERS, "tasks", "Directives (page)", directives)
        .add(M::GET, "/api/v1/directives", TASK_READERS, "tasks", "Directives with the number of tasks the caller sees", directives)
        .add(M::POST, "/directives", DIRECTIVE_WRITERS, "tasks", "Create a directive (form)", directive_create)
        .add(
            M::POST,
            "/api/v1/directives",
            DIRECTIVE_WRITERS,
            "tasks",
            "Create a directive {title, kind: meeting|document|instruction, issued_on, issuer, doc_no, source_text}",
            directive_create,
        )
        .add(M::GET, "/directives/{id}", TASK_READERS, "tasks", "A directive and its task tree (page)", directive_show)
        .add(M::GET, "/api/v1/directives/{id}", TASK_READERS, "tasks", "A directive and the tasks the caller sees", directive_show)
        .add(M::POST, "/directives/{id}/tasks", SUPERVISORS, "tasks", "Add a task (form)", task_create)
        .add(M::POST, "/api/v1/directives/{id}/tasks", SUPERVISORS, "tasks", "Add a task (立项)", task_create)
}
