//! 群众诉求 (citizens' appeals): the 12345 work order, its loop 受理 → 派单 → 签收 → 办理 →
//! 答复 → 回访 → 办结 with 退单, 改派/驳回, 重办 and 不予受理; time limits from rule data on the
//! working-day calendar; masking of personal data. Pure: no IO.

use crate::calendar::Calendar;
pub use crate::duty::{end_of_day, Limit};
use crate::duty::{str_enum, Clock, DueSoon, Light, LightRules, Phase, Standing, Workflow};
use crate::error::{optional_text, required_text, DomainError, ErrorCode};
use crate::time::Micros;
use serde::{Deserialize, Serialize};

str_enum!(
    /// 渠道: how the appeal came in.
    Channel {
        /// 电话 (the hotline).
        Phone = "phone",
        /// 网站 (the public page).
        Web = "web",
        /// Open311 GeoReport v2 clients.
        Open311 = "open311",
        /// 来访.
        WalkIn = "walk_in",
        /// 来信.
        Letter = "letter",
    }
);

str_enum!(
    /// 诉求类型.
    Kind {
        /// 咨询.
        Consult = "consult",
        /// 求助.
        Help = "help",
        /// 投诉.
        Complaint = "complaint",
        /// 举报.
        Report = "report",
        /// 建议.
        Suggestion = "suggestion",
    }
);

str_enum!(
    /// 紧急程度.
    Urgency {
        /// 一般.
        Normal = "normal",
        /// 紧急 (水电气热: within 24 hours).
        Urgent = "urgent",
        /// 特急 (life or property at risk: within 2 hours).
        Critical = "critical",
    }
);

str_enum!(
    /// Where a work order stands.
    AppealState {
        /// 受理: registered by the hotline, not yet dispatched.
        Received = "received",
        /// 派单: sent to the owner unit, waiting for it to sign.
        Dispatched = "dispatched",
        /// 签收/办理中: the unit signed (the clock runs from dispatch) and handles it.
        Signed = "signed",
        /// 退单: the unit gave it back (not our duty / not our area); the hotline reviews.
        Returned = "returned",
        /// 已答复: the unit replied; the hotline calls back (回访) or the citizen rates it.
        Replied = "replied",
        /// 办结.
        Closed = "closed",
        /// 不予受理, with the reason.
        Rejected = "rejected",
    }
);

impl AppealState {
    pub fn is_open(self) -> bool {
        !matches!(self, AppealState::Closed | AppealState::Rejected)
    }
}

str_enum!(
    /// 满意度 (回访评价).
    Rating {
        /// 满意.
        Satisfied = "satisfied",
        /// 基本满意.
        Basic = "basic",
        /// 不满意.
        Unsatisfied = "unsatisfied",
    }
);

str_enum!(
    /// 退单 reasons.
    ReturnReason {
        /// 非本单位职责.
        NotOurDuty = "not_our_duty",
        /// 非本辖区.
        NotOurArea = "not_our_area",
    }
);

str_enum!(
    /// 不予受理 reasons (rules-cn.md §2).
    RejectReason {
        /// 已进入诉讼、仲裁、复议或信访程序.
        InProceedings = "in_proceedings",
        /// 涉及国家秘密、商业秘密或个人隐私.
        Secret = "secret",
        /// 无新情况新理由的重复件.
        Repeated = "repeated",
        /// 属110等紧急事项.
        Emergency = "emergency",
        /// 恶意骚扰.
        Harassment = "harassment",
    }
);

str_enum!(
    /// What someone does to a work order.
    AppealAction {
        /// 派单 (hotline): to a unit.
        Dispatch = "dispatch",
        /// 不予受理 (hotline), with a reason.
        Reject = "reject",
        /// 签收 (owner unit).
        Sign = "sign",
        /// 退单 (owner unit), with a reason.
        GiveBack = "give_back",
        /// 改派 (hotline, after a 退单): to another unit.
        Reassign = "reassign",
        /// 驳回退单 (hotline): back to the same unit.
        RefuseReturn = "refuse_return",
        /// 答复 (owner unit), with the reply.
        Reply = "reply",
        /// 回访评价 (the citizen by tracking code, or the hotline on the phone).
        Rate = "rate",
        /// 办结 after a 回访 that reached no one (hotline), with a note.
        Close = "close",
    }
);

/// Who may take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppealSide {
    Hotline,
    Owner,
    /// The citizen (by tracking code) or the hotline for them.
    Citizen,
}

impl AppealAction {
    pub fn side(self) -> AppealSide {
        match self {
            AppealAction::Dispatch | AppealAction::Reject | AppealAction::Reassign | AppealAction::RefuseReturn | AppealAction::Close => AppealSide::Hotline,
            AppealAction::Sign | AppealAction::GiveBack | AppealAction::Reply => AppealSide::Owner,
            AppealAction::Rate => AppealSide::Citizen,
        }
    }

    /// The state after the action; `rework_count` decides what an unsatisfied rating does (the
    /// first sends it back for 重办, the second is final). A wrong state is a `conflict`.
    pub fn apply(self, from: AppealState, rating: Option<Rating>, rework_count: i64) -> Result<AppealState, DomainError> {
        use AppealAction as A;
        use AppealState as S;
        Ok(match (self, from) {
            (A::Dispatch, S::Received) => S::Dispatched,
            (A::Reject, S::Received) => S::Rejected,
            (A::Sign, S::Dispatched) => S::Signed,
            (A::GiveBack, S::Dispatched | S::Signed) => S::Returned,
            (A::Reassign | A::RefuseReturn, S::Returned) => S::Dispatched,
            (A::Reply, S::Signed) => S::Replied,
            (A::Rate, S::Replied) => match rating {
                Some(Rating::Unsatisfied) if rework_count == 0 => S::Dispatched,
                Some(_) => S::Closed,
                None => return Err(DomainError::required("rating")),
            },
            (A::Close, S::Replied) => S::Closed,
            _ => return Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(from.as_str().to_string())),
        })
    }
}

/// Time limits in force (rule data `appeals.limit.*`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub consult_working_days: i64,
    pub help_working_days: i64,
    pub complaint_working_days: i64,
    pub report_working_days: i64,
    pub suggestion_working_days: i64,
    pub urgent_hours: i64,
    pub critical_hours: i64,
    /// Blue light when less than this many hours remain.
    pub due_soon_hours: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            consult_working_days: 3,
            help_working_days: 3,
            complaint_working_days: 13,
            report_working_days: 13,
            suggestion_working_days: 15,
            urgent_hours: 24,
            critical_hours: 2,
            due_soon_hours: 24,
        }
    }
}

impl Limits {
    pub fn of(&self, kind: Kind, urgency: Urgency) -> Limit {
        match urgency {
            Urgency::Critical => Limit::Hours(self.critical_hours),
            Urgency::Urgent => Limit::Hours(self.urgent_hours),
            Urgency::Normal => Limit::WorkingDays(match kind {
                Kind::Consult => self.consult_working_days,
                Kind::Help => self.help_working_days,
                Kind::Complaint => self.complaint_working_days,
                Kind::Report => self.report_working_days,
                Kind::Suggestion => self.suggestion_working_days,
            }),
        }
    }
}

/// The moment a limit runs out, counted from dispatch on the core's clock: hours are hours; N
/// working days end at midnight (Beijing time) after the Nth working day following dispatch.
pub fn due_at(cal: &Calendar, from: Micros, limit: Limit) -> Result<Micros, DomainError> {
    Clock::new(from, limit).due(cal, from)
}

/// The appeal kind's workflow, for the core.
pub struct AppealFlow;

/// What an action on a work order depends on beyond its state.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppealFacts {
    pub rating: Option<Rating>,
    pub rework_count: i64,
}

impl Workflow for AppealFlow {
    const KIND: &'static str = "appeal";
    type State = AppealState;
    type Action = AppealAction;
    type Side = AppealSide;
    type Facts = AppealFacts;

    fn states() -> &'static [AppealState] {
        AppealState::ALL
    }
    fn actions() -> &'static [AppealAction] {
        AppealAction::ALL
    }
    fn phase(state: AppealState) -> Phase {
        match state {
            AppealState::Received => Phase::Drafted,
            AppealState::Dispatched | AppealState::Signed => Phase::Running,
            AppealState::Returned => Phase::Waiting,
            AppealState::Replied => Phase::UnderReview,
            AppealState::Closed => Phase::Done,
            AppealState::Rejected => Phase::Cancelled,
        }
    }
    fn side(action: AppealAction) -> AppealSide {
        action.side()
    }
    fn apply(action: AppealAction, from: AppealState, f: &AppealFacts) -> Result<AppealState, DomainError> {
        action.apply(from, f.rating, f.rework_count)
    }
    // Once the unit has replied, its clock stands while the citizen rates.
    fn clock_runs(state: AppealState) -> bool {
        matches!(state, AppealState::Dispatched | AppealState::Signed | AppealState::Returned)
    }
}

/// The light of a work order at `now`: the core's light, where a 退单 waiting or a 重办 is the
/// flag that turns it yellow and less than `due_soon_hours` left turns it blue.
pub fn light(state: AppealState, due: Option<Micros>, rework_count: i64, now: Micros, limits: &Limits) -> Light {
    let rules = LightRules { due_soon: DueSoon::Hours(limits.due_soon_hours), yellow_behind_points: 0.0, red_behind_points: f64::INFINITY };
    crate::duty::light(
        &Standing {
            phase: AppealFlow::phase(state),
            clock_runs: AppealFlow::clock_runs(state),
            due,
            now,
            working_days_left: None,
            behind_points: 0.0,
            flagged: state == AppealState::Returned || rework_count > 0,
        },
        &rules,
    )
}

/// A new appeal as typed by the hotline, the public page or an Open311 client.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct AppealInput {
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub long: Option<f64>,
    #[serde(default)]
    pub citizen_name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub urgency: String,
    /// The citizen asks that their identity be kept from the unit (GB/T 33358: 保密).
    #[serde(default)]
    pub confidential: bool,
    /// A link to a photo or document (Open311 `media_url`): http or https.
    #[serde(default)]
    pub media_url: String,
}

/// A checked appeal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewAppeal {
    pub channel: Channel,
    pub kind: Kind,
    pub category: String,
    pub content: String,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub citizen_name: Option<String>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub urgency: Urgency,
    pub confidential: bool,
    pub media_url: Option<String>,
}

fn enum_field<T>(field: &str, v: &str, default: Option<T>, parse: fn(&str) -> Option<T>) -> Result<T, DomainError> {
    if v.trim().is_empty() {
        return default.ok_or_else(|| DomainError::required(field));
    }
    parse(v).ok_or_else(|| DomainError::invalid(field).with_detail(v.trim().to_string()))
}

/// Phone numbers: digits with an optional leading + and separators; 7 to 15 digits.
pub fn check_phone(v: &str) -> Result<Option<String>, DomainError> {
    let t = v.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let shape = t.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'));
    if !shape || !(7..=15).contains(&digits.len()) {
        return Err(DomainError::invalid("phone"));
    }
    Ok(Some(digits))
}

impl AppealInput {
    pub fn validate(&self, default_channel: Channel) -> Result<NewAppeal, DomainError> {
        let channel = enum_field("channel", &self.channel, Some(default_channel), Channel::parse)?;
        let kind = enum_field("kind", &self.kind, Some(Kind::Complaint), Kind::parse)?;
        let urgency = enum_field("urgency", &self.urgency, Some(Urgency::Normal), Urgency::parse)?;
        let category = required_text("category", &self.category, 32)?;
        // Characters XML 1.0 cannot carry would make every published list unreadable.
        let content = required_text("content", &crate::publish::xml_clean(&self.content), 4000)?;
        // An Open311 description is optional in the spec: the client sends the service's name.
        if content.chars().count() < 5 && channel != Channel::Open311 {
            return Err(DomainError::field(ErrorCode::TooShort, "content").with_detail("5"));
        }
        let address = optional_text("address", &crate::publish::xml_clean(&self.address), 200)?;
        let media_url = optional_text("media_url", &self.media_url, 1000)?;
        if let Some(u) = &media_url {
            let scheme_ok = u.starts_with("https://") || u.starts_with("http://");
            if !scheme_ok || u.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(DomainError::invalid("media_url"));
            }
        }
        for (f, v, r) in [("lat", self.lat, 90.0), ("long", self.long, 180.0)] {
            if let Some(x) = v {
                if !x.is_finite() || x.abs() > r {
                    return Err(DomainError::field(ErrorCode::OutOfRange, f));
                }
            }
        }
        if self.lat.is_some() != self.long.is_some() {
            return Err(DomainError::required(if self.lat.is_some() { "long" } else { "lat" }));
        }
        let id_number = match self.id_number.trim() {
            "" => None,
            s if crate::checksum::resident_id_ok(s) => Some(s.to_ascii_uppercase()),
            _ => return Err(DomainError::invalid("id_number")),
        };
        Ok(NewAppeal {
            channel,
            kind,
            category,
            content,
            address,
            lat: self.lat,
            long: self.long,
            citizen_name: optional_text("citizen_name", &crate::publish::xml_clean(&self.citizen_name), 32)?,
            phone: check_phone(&self.phone)?,
            id_number,
            urgency,
            confidential: self.confidential,
            media_url,
        })
    }
}

/// 138****5678: the first three and last four digits of a phone number.
pub fn mask_phone(p: &str) -> String {
    let c: Vec<char> = p.chars().collect();
    if c.len() <= 4 {
        return "*".repeat(c.len());
    }
    let keep_head = if c.len() >= 11 { 3 } else { 0 };
    let tail = 4.min(c.len() - keep_head);
    let stars = c.len() - keep_head - tail;
    c[..keep_head].iter().collect::<String>() + &"*".repeat(stars) + &c[c.len() - tail..].iter().collect::<String>()
}

/// 110105********002X: the region and the last four characters of an ID number.
pub fn mask_id(id: &str) -> String {
    let c: Vec<char> = id.chars().collect();
    if c.len() < 10 {
        return "*".repeat(c.len());
    }
    c[..6].iter().collect::<String>() + &"*".repeat(c.len() - 10) + &c[c.len() - 4..].iter().collect::<String>()
}

/// 张**: the family name only.
pub fn mask_name(n: &str) -> String {
    let mut c = n.chars();
    match c.next() {
        Some(first) => first.to_string() + &"*".repeat(c.count().max(1)),
        None => String::new(),
    }
}

/// Tracking codes (查询码) are 12 characters of Crockford base 32 from 60 random bits,
/// grouped for reading aloud on the phone: `7K3M-Q9XA-2B4D`.
pub fn tracking_code(random: u64) -> String {
    const A: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut out = String::with_capacity(14);
    for i in 0..12 {
        if i == 4 || i == 8 {
            out.push('-');
        }
        let idx = usize::try_from((random >> (55 - 5 * i)) & 31).unwrap_or(0);
        out.push(char::from(A[idx]));
    }
    out
}

/// The citizen's rating code (评价码): 8 characters of Crockford base 32 from 40 random bits,
/// `7K3M-Q9XA`, handed out with the tracking code and needed to rate the reply. The tracking
/// code is public (the Open311 `service_request_id`); this one only the citizen has.
pub fn rating_code(random: u64) -> String {
    let full = tracking_code(random);
    full[..9].to_string()
}

/// A rating code as typed (the same forgiveness as tracking codes), or `None`.
pub fn normalize_rating_code(s: &str) -> Option<String> {
    let padded = format!("{}0000", s.trim());
    let n = normalize_code(&padded)?;
    (n.len() == 14 && s.chars().filter(|c| c.is_ascii_alphanumeric()).count() == 8).then(|| n[..9].to_string())
}

/// A tracking code as typed: case, spaces and dashes forgiven; I/L read as 1, O as 0.
pub fn normalize_code(s: &str) -> Option<String> {
    let clean: String = s
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{3000}'))
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            x => x,
        })
        .collect();
    if clean.len() != 12 || !clean.chars().all(|c| c.is_ascii_digit() || (c.is_ascii_uppercase() && !"ILOU".contains(c))) {
        return None;
    }
    Some(format!("{}-{}-{}", &clean[..4], &clean[4..8], &clean[8..]))
}

/// One category of the taxonomy (also an Open311 service).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub group: String,
    pub description: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The unit that usually owns it (a hint for routing; empty when it depends on the place).
    #[serde(default)]
    pub unit: String,
}

/// 检索签名 (search signature): 256 bits, one set for each character and each pair of
/// neighbouring characters of a text (ASCII letters folded, as `LIKE` folds them), at a place
/// fixed by a stable hash. A word can only occur in a text whose signature covers the word's
/// own: searches test the signature in an index and read only the appeals that pass. Long
/// texts fill the bits and simply always pass. Derived data: `luoshi appeals reindex` rebuilds it.
pub fn signature<'a>(texts: impl IntoIterator<Item = &'a str>) -> [i64; 4] {
    let mut bits = [0u64; 4];
    let mut set = |feature: &[char]| {
        // FNV-1a over the characters: the same on every node and in every version.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for c in feature {
            h ^= u64::from(u32::from(*c));
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        let i = h % 256;
        bits[(i / 64) as usize] |= 1 << (i % 64);
    };
    for t in texts {
        let mut prev: Option<char> = None;
        for c in t.chars().map(|c| c.to_ascii_lowercase()) {
            if c.is_whitespace() {
                prev = None;
                continue;
            }
            set(&[c]);
            if let Some(p) = prev {
                set(&[p, c]);
            }
            prev = Some(c);
        }
    }
    bits.map(|b| i64::from_ne_bytes(b.to_ne_bytes()))
}

/// Does a text's signature cover a word's (so the text may contain the word)?
pub fn covers(text: [i64; 4], word: [i64; 4]) -> bool {
    text.iter().zip(word).all(|(t, w)| t & w == w)
}

/// The shipped taxonomy (a county edits its own).
pub fn shipped_categories() -> Vec<Category> {
    serde_json::from_str(include_str!("../data/appeal-categories.json")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::shanghai;
    use chrono::{NaiveDate, TimeZone};

    const HOUR: i64 = 3_600_000_000;

    /// Every state against every action: each state but the first reached, closed and rejected
    /// final, the desk rates for a citizen only once replied, the phases agree with `is_open`.
    #[test]
    fn every_state_against_every_action() {
        let t = crate::duty::table::<AppealFlow>();
        for s in AppealState::ALL.iter().filter(|s| **s != AppealState::Received) {
            assert!(t.iter().any(|(_, _, to)| to == &Some(*s)), "{s:?} unreachable");
        }
        for done in [AppealState::Closed, AppealState::Rejected] {
            assert!(t.iter().filter(|(from, _, _)| *from == done).all(|(_, _, to)| to.is_none()));
        }
        for s in AppealState::ALL {
            assert_eq!(s.is_open(), !matches!(AppealFlow::phase(*s), Phase::Done | Phase::Cancelled), "{s:?}");
        }
        let may = |s| crate::duty::may::<AppealFlow>(s, &[AppealSide::Hotline, AppealSide::Citizen]);
        assert_eq!(may(AppealState::Replied), vec![AppealAction::Rate, AppealAction::Close]);
        assert_eq!(may(AppealState::Received), vec![AppealAction::Dispatch, AppealAction::Reject]);
        assert_eq!(crate::duty::may::<AppealFlow>(AppealState::Dispatched, &[AppealSide::Owner]), vec![AppealAction::Sign, AppealAction::GiveBack]);
    }

    #[test]
    fn the_loop_with_return_and_rework() {
        use AppealAction as A;
        use AppealState as S;
        let mut s = S::Received;
        for a in [A::Dispatch, A::GiveBack, A::Reassign, A::Sign, A::Reply] {
            s = a.apply(s, None, 0).unwrap();
        }
        assert_eq!(s, S::Replied);
        assert_eq!(A::Rate.apply(s, Some(Rating::Unsatisfied), 0).unwrap(), S::Dispatched, "first 不满意 → 重办");
        assert_eq!(A::Rate.apply(s, Some(Rating::Unsatisfied), 1).unwrap(), S::Closed, "the second rating is final");
        assert_eq!(A::Rate.apply(s, Some(Rating::Basic), 0).unwrap(), S::Closed);
        assert_eq!(A::Sign.apply(S::Closed, None, 0).unwrap_err().code, ErrorCode::Conflict);
        assert_eq!(A::RefuseReturn.apply(S::Returned, None, 0).unwrap(), S::Dispatched);
        assert_eq!(A::Reject.apply(S::Dispatched, None, 0).unwrap_err().code, ErrorCode::Conflict);
    }

    #[test]
    fn limits_on_the_calendar() {
        let cal = Calendar::shipped().unwrap();
        let l = Limits::default();
        // Friday 18 Sept 2026, 16:00 Beijing: a complaint has 13 working days; National Day
        // week (1-7 Oct) is off, Sunday 20 Sept and Saturday 10 Oct are make-up working days.
        let t = shanghai().with_ymd_and_hms(2026, 9, 18, 16, 0, 0).unwrap().timestamp_micros();
        let due = due_at(&cal, t, l.of(Kind::Complaint, Urgency::Normal)).unwrap();
        let day = crate::time::local_date(due - 1);
        assert!(day > NaiveDate::from_ymd_opt(2026, 10, 8).unwrap(), "{day}");
        assert_eq!(due_at(&cal, t, l.of(Kind::Help, Urgency::Critical)).unwrap(), t + 2 * HOUR);
        assert_eq!(light(AppealState::Signed, Some(due), 0, due + 1, &l), Light::Red);
        assert_eq!(light(AppealState::Signed, Some(due), 0, due - HOUR, &l), Light::Blue);
        assert_eq!(light(AppealState::Signed, Some(due), 0, t, &l), Light::Green);
        assert_eq!(light(AppealState::Closed, Some(due), 0, due + 1, &l), Light::Done);
    }

    #[test]
    fn masking_and_checks() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("83261234"), "****1234");
        assert_eq!(mask_id("11010519491231002X"), "110105********002X");
        assert_eq!(mask_name("张三丰"), "张**");
        let mut i = AppealInput { category: "road".into(), content: "路灯不亮已经一周了".into(), ..Default::default() };
        assert!(i.validate(Channel::Web).is_ok());
        i.id_number = "110105194912310021".into();
        assert_eq!(i.validate(Channel::Web).unwrap_err().field.as_deref(), Some("id_number"));
        i.id_number = "11010519491231002x".into();
        assert_eq!(i.validate(Channel::Web).unwrap().id_number.as_deref(), Some("11010519491231002X"));
        i.phone = "12ab".into();
        assert_eq!(i.validate(Channel::Web).unwrap_err().field.as_deref(), Some("phone"));
        i.phone = String::new();
        i.lat = Some(30.0);
        assert_eq!(i.validate(Channel::Web).unwrap_err().field.as_deref(), Some("long"));
    }

    #[test]
    fn signatures_filter_absent_words() {
        let text = signature(["城关镇解放路12号", "小区门口路灯不亮已经一周了，晚上出行很不安全"]);
        for w in ["路灯", "解放路", "不安全", "LED"] {
            let hit = covers(text, signature([w]));
            assert_eq!(hit, w != "LED", "{w}");
        }
        assert!(covers(signature(["Street LED lamp"]), signature(["led"])), "ASCII folds as LIKE does");
        // Of many words the text lacks, few pass: the search reads few rows it must discard.
        let absent = ["宅基地", "拖欠工资", "油烟扰民", "噪音", "停水", "物业费", "医保报销", "校车"];
        assert!(absent.iter().filter(|w| covers(text, signature([**w]))).count() <= 1);
    }

    #[test]
    fn tracking_codes_read_back() {
        let c = tracking_code(0x0123_4567_89AB_CDEF);
        assert_eq!(c.len(), 14);
        assert_eq!(normalize_code(&c.to_lowercase().replace('-', " ")), Some(c.clone()));
        assert!(normalize_code("short").is_none());
        assert!(shipped_categories().len() >= 12);
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A word in a text (either of two fields, any case of ASCII) is never filtered out by
        /// the signature; a word made of characters the text lacks is (almost always).
        #[test]
        fn signatures_never_hide_a_match(content in "\\PC{0,120}", address in "\\PC{0,30}", start in 0usize..200, len in 1usize..8) {
            let chars: Vec<char> = content.chars().collect();
            if !chars.is_empty() {
                let s = start % chars.len();
                let word: String = chars[s..(s + len).min(chars.len())].iter().collect::<String>().to_ascii_uppercase();
                for w in word.split_whitespace() {
                    prop_assert!(covers(signature([content.as_str(), address.as_str()]), signature([w])), "{w:?} in {content:?}");
                }
            }
        }

        /// Any input, JSON-shaped or not, is either a checked appeal or an error naming a field.
        #[test]
        fn validation_never_panics(kind in "\\PC{0,12}", category in "\\PC{0,40}", content in "\\PC{0,300}", phone in "[0-9+() -]{0,24}|\\PC{0,8}",
                                   id in "[0-9Xx]{0,20}", lat in proptest::option::of(proptest::num::f64::ANY), long in proptest::option::of(proptest::num::f64::ANY)) {
            let i = AppealInput { kind, category, content, phone, id_number: id, lat, long, ..Default::default() };
            match i.validate(Channel::Web) {
                Ok(a) => {
                    prop_assert!(a.content.chars().count() >= 5 && a.content.chars().count() <= 4000);
                    prop_assert!(a.lat.is_none_or(|x| x.abs() <= 90.0));
                }
                Err(e) => prop_assert!(e.field.is_some()),
            }
        }

        #[test]
        fn masks_and_codes_never_panic(s in "\\PC{0,40}", n in any::<u64>()) {
            let _ = (mask_phone(&s), mask_id(&s), mask_name(&s), normalize_code(&s));
            prop_assert_eq!(normalize_code(&tracking_code(n)), Some(tracking_code(n)));
        }
    }
}
