//! The realistic mix of `bench load`: each kind of request, its share in percent, and how a
//! worker makes it.

use super::load::Worker;
use super::Rng;

/// The requests of the mix, with their share in percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Inbox,
    Board,
    BoardRed,
    Task,
    Report,
    Directives,
    Deadline,
    /// A fresh login (Argon2id on purpose: expensive by design, so a small share).
    Login,
    /// Appeal search by words (the caller's sight: all for the office, the unit's own for units).
    AppealSearch,
    /// An Open311 query: one service's recent requests, a page of 50.
    Open311,
    /// Appeal intake through Open311 POST (API key).
    Intake,
    /// The hazard ledger (台账) in the caller's sight.
    HazardLedger,
    /// A hazard's page with its trail and what the caller may do.
    Hazard,
    /// The work-safety statistics of the year so far (from the kept counts).
    HazardStats,
    /// An inspection submitted from the phone form (JSON): one in four finds a hazard.
    Inspection,
    /// The command view of the incident in progress (its assignments, log, resources).
    IncidentView,
    /// A unit signs for one of its emergency assignments, then reports on it (续报).
    AssignmentReport,
    /// The project ledger (台账) in the caller's sight, a page of 100.
    ProjectLedger,
    /// A project's page: light, stages, approvals, reports, problems, trail.
    Project,
    /// Where projects get stuck over the year so far (中梗阻).
    Bottleneck,
    /// The maturity wall, three years by month (the book's audience only).
    DebtWall,
    /// The debt indicators and their warnings.
    DebtRatios,
    /// A 置换 scenario over the 500 costliest instruments above 5 %.
    DebtScenario,
    /// The year's candidates as the caller sees them (民生实事).
    LivelihoodCandidates,
    /// The public page's data: chosen projects and candidates, no personal data.
    LivelihoodPublic,
    /// 驾驶舱: every card, ranking and trend of the caller's sight in one request.
    Cockpit,
    /// The hotline's desk (the page its operators keep open): new appeals, 退单, 回访, extensions.
    Desk,
}

pub const MIX: &[(Kind, usize)] = &[
    (Kind::Inbox, 11),
    (Kind::Board, 9),
    (Kind::BoardRed, 7),
    (Kind::Task, 14),
    (Kind::Report, 10),
    (Kind::Deadline, 5),
    (Kind::Login, 2),
    (Kind::AppealSearch, 8),
    (Kind::Open311, 7),
    (Kind::Intake, 5),
    (Kind::HazardLedger, 3),
    (Kind::Hazard, 2),
    (Kind::HazardStats, 1),
    (Kind::Inspection, 1),
    (Kind::IncidentView, 2),
    (Kind::AssignmentReport, 1),
    (Kind::ProjectLedger, 2),
    (Kind::Project, 1),
    (Kind::Bottleneck, 1),
    (Kind::DebtWall, 1),
    (Kind::DebtRatios, 1),
    (Kind::DebtScenario, 1),
    (Kind::LivelihoodCandidates, 1),
    (Kind::LivelihoodPublic, 1),
    (Kind::Cockpit, 2),
    (Kind::Desk, 1),
];

pub(super) const SEARCH_WORDS: &[&str] = &["路灯", "噪音", "拖欠工资", "垃圾", "停水", "物业", "宅基地", "油烟"];
pub(super) const SERVICES: &[&str] = &["streetlight", "road", "water_supply", "sanitation", "noise_pollution", "housing", "wages", "market"];

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Inbox => "GET /api/v1/inbox",
            Kind::Board => "GET /api/v1/tasks (board)",
            Kind::BoardRed => "GET /api/v1/tasks?light=red",
            Kind::Task => "GET /api/v1/tasks/{id}",
            Kind::Report => "POST /api/v1/tasks/{id}/reports",
            Kind::Directives => "GET /api/v1/directives",
            Kind::Deadline => "GET /api/v1/calendar/deadline",
            Kind::Login => "POST /api/v1/session (login)",
            Kind::AppealSearch => "GET /api/v1/appeals?q= (search)",
            Kind::Open311 => "GET /open311/v2/requests.json",
            Kind::Intake => "POST /open311/v2/requests.json (intake)",
            Kind::HazardLedger => "GET /api/v1/hazards (ledger)",
            Kind::Hazard => "GET /api/v1/hazards/{id}",
            Kind::HazardStats => "GET /api/v1/hazards/stats",
            Kind::Inspection => "POST /api/v1/inspections",
            Kind::IncidentView => "GET /api/v1/incidents/{id} (command view)",
            Kind::AssignmentReport => "POST /api/v1/emergency-assignments/{id}/actions",
            Kind::ProjectLedger => "GET /api/v1/projects (ledger)",
            Kind::Project => "GET /api/v1/projects/{id}",
            Kind::Bottleneck => "GET /api/v1/projects/bottlenecks",
            Kind::DebtWall => "GET /api/v1/debt/wall",
            Kind::DebtRatios => "GET /api/v1/debt/ratios",
            Kind::DebtScenario => "POST /api/v1/debt/scenarios (500 instruments)",
            Kind::LivelihoodCandidates => "GET /api/v1/livelihood/proposals?state=candidate",
            Kind::LivelihoodPublic => "GET /api/v1/public/livelihood",
            Kind::Cockpit => "GET /api/v1/cockpit",
            Kind::Desk => "GET /appeals (hotline desk page)",
        }
    }

    pub(super) fn request(self, w: &Worker, base: &str, rng: &mut Rng) -> (&'static str, reqwest::RequestBuilder) {
        let c = &w.client;
        match self {
            Kind::Inbox => (self.name(), c.get(format!("{base}/api/v1/inbox"))),
            Kind::Board => (self.name(), c.get(format!("{base}/api/v1/tasks"))),
            Kind::BoardRed => (self.name(), c.get(format!("{base}/api/v1/tasks?light=red"))),
            Kind::Task => match w.any_task.or(w.own_task) {
                Some(t) => (self.name(), c.get(format!("{base}/api/v1/tasks/{t}"))),
                None => Kind::Inbox.request(w, base, rng),
            },
            Kind::Report => match w.own_task {
                Some(t) => (
                    self.name(),
                    c.post(format!("{base}/api/v1/tasks/{t}/reports"))
                        .header("x-csrf-token", &w.csrf)
                        .json(&serde_json::json!({ "text": "压测进展报告", "percent": rng.below(101) })),
                ),
                None => Kind::Directives.request(w, base, rng),
            },
            Kind::Directives => (self.name(), c.get(format!("{base}/api/v1/directives"))),
            Kind::HazardLedger => (self.name(), c.get(format!("{base}/api/v1/hazards"))),
            Kind::HazardStats => (self.name(), c.get(format!("{base}/api/v1/hazards/stats?from=2026-01-01"))),
            Kind::Inspection => match w.any_enterprise {
                Some(e) => {
                    let findings = if rng.below(4) == 0 {
                        vec![serde_json::json!({ "description": "压测：消防通道堵塞", "control_measures": "现场清理" })]
                    } else {
                        Vec::new()
                    };
                    let body = serde_json::json!({
                        "enterprise_id": e, "inspected_on": "2026-03-02", "checked": ["消防设施和疏散通道"], "findings": findings,
                        "client_key": format!("bench-{}-{}", w.username, rng.below(usize::MAX)),
                    });
                    (self.name(), c.post(format!("{base}/api/v1/inspections")).header("x-csrf-token", &w.csrf).json(&body))
                }
                None => Kind::HazardLedger.request(w, base, rng),
            },
            Kind::IncidentView => match w.any_incident {
                Some(id) => (self.name(), c.get(format!("{base}/api/v1/incidents/{id}"))),
                None => Kind::Inbox.request(w, base, rng),
            },
            Kind::AssignmentReport => {
                if w.own_assignments.is_empty() {
                    return Kind::IncidentView.request(w, base, rng);
                }
                // Each assignment is signed the first time round, reported on after.
                let n = w.next_assignment.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let (id, unsigned) = w.own_assignments[n % w.own_assignments.len()];
                let body = if n < w.own_assignments.len() && unsigned {
                    serde_json::json!({ "action": "sign" })
                } else {
                    serde_json::json!({ "action": "report", "text": "压测续报：人员到位，正在处置" })
                };
                (self.name(), c.post(format!("{base}/api/v1/emergency-assignments/{id}/actions")).header("x-csrf-token", &w.csrf).json(&body))
            }
            Kind::ProjectLedger => (self.name(), c.get(format!("{base}/api/v1/projects"))),
            Kind::Project => match w.any_project {
                Some(id) => (self.name(), c.get(format!("{base}/api/v1/projects/{id}"))),
                None => Kind::ProjectLedger.request(w, base, rng),
            },
            Kind::Bottleneck => (self.name(), c.get(format!("{base}/api/v1/projects/bottlenecks"))),
            // Through a session of the book's audience (the finance bureau's for anyone else).
            Kind::DebtWall => (self.name(), w.debt.0.get(format!("{base}/api/v1/debt/wall?months=36"))),
            Kind::DebtRatios => (self.name(), w.debt.0.get(format!("{base}/api/v1/debt/ratios"))),
            Kind::DebtScenario => {
                let body = serde_json::json!({ "select": "rate_above", "min_rate_percent": "5", "limit": "500", "kind": "swap_bond", "rate_percent": "2.3", "years": "10" });
                (self.name(), w.debt.0.post(format!("{base}/api/v1/debt/scenarios")).header("x-csrf-token", &w.debt.1).json(&body))
            }
            Kind::LivelihoodCandidates => (self.name(), c.get(format!("{base}/api/v1/livelihood/proposals?state=candidate"))),
            Kind::LivelihoodPublic => (self.name(), w.plain.get(format!("{base}/api/v1/public/livelihood"))),
            Kind::Cockpit => (self.name(), c.get(format!("{base}/api/v1/cockpit"))),
            Kind::Desk => (self.name(), w.desk.get(format!("{base}/appeals"))),
            Kind::Hazard => match w.any_hazard {
                Some(id) => (self.name(), c.get(format!("{base}/api/v1/hazards/{id}"))),
                None => Kind::HazardLedger.request(w, base, rng),
            },
            Kind::Deadline => (self.name(), c.get(format!("{base}/api/v1/calendar/deadline?from=2026-03-02&days=15"))),
            Kind::AppealSearch => (self.name(), c.get(format!("{base}/api/v1/appeals")).query(&[("q", *rng.pick(SEARCH_WORDS))])),
            Kind::Open311 => (self.name(), w.plain.get(format!("{base}/open311/v2/requests.json?service_code={}&page_size=50", rng.pick(SERVICES)))),
            Kind::Intake => {
                let (cat, _, texts) = rng.pick(luoshi_web::demo_appeals::TEMPLATES);
                let place = rng.pick(luoshi_web::demo_appeals::PLACES);
                let form = [
                    ("api_key", luoshi_web::demo_appeals::DEMO_OPEN311_KEY.to_string()),
                    ("service_code", (*cat).to_string()),
                    ("address_string", (*place).to_string()),
                    ("description", rng.pick(texts).replace("{p}", place)),
                ];
                (self.name(), w.plain.post(format!("{base}/open311/v2/requests.json")).form(&form))
            }
            // A separate client, so the worker's own session stays as it is.
            Kind::Login => (
                self.name(),
                reqwest::Client::new()
                    .post(format!("{base}/api/v1/session"))
                    .json(&serde_json::json!({ "username": w.username, "password": luoshi_web::demo::DEMO_PASSWORD })),
            ),
        }
    }
}

pub(super) fn pick_kind(rng: &mut Rng) -> Kind {
    // Over the shares' sum: a share past 100 would never be picked.
    let total: usize = MIX.iter().map(|(_, s)| *s).sum();
    let mut roll = rng.below(total);
    for (k, share) in MIX {
        if roll < *share {
            return *k;
        }
        roll -= share;
    }
    Kind::Inbox
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shares_are_percentages() {
        assert_eq!(super::MIX.iter().map(|(_, s)| *s).sum::<usize>(), 100);
    }
}
