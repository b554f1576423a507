//! 群众诉求 (citizens' appeals): the 12345 work order, its loop 受理 → 派单 → 签收 → 办理 →
//! 答复 → 回访 → 办结 with 退单, 改派/驳回, 重办 and 不予受理; time limits from rule data on the
//! working-day calendar; masking of personal data. Pure: no IO.

mod codes;
mod flow;
mod intake;
mod taxonomy;

pub use codes::*;
pub use flow::*;
pub use intake::*;
pub use taxonomy::*;

use crate::duty::str_enum;
pub use crate::duty::{end_of_day, Limit};
use crate::error::{DomainError, ErrorCode};

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
        /// 直接答复办结 (hotline): a 咨询 answered on the call and closed, the answer recorded.
        Answer = "answer",
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
            AppealAction::Dispatch
            | AppealAction::Reject
            | AppealAction::Reassign
            | AppealAction::RefuseReturn
            | AppealAction::Close
            | AppealAction::Answer => AppealSide::Hotline,
            AppealAction::Sign | AppealAction::GiveBack | AppealAction::Reply => AppealSide::Owner,
            AppealAction::Rate => AppealSide::Citizen,
        }
    }

    /// The state after the action; the rework count decides what an unsatisfied rating does (the
    /// first sends it back for 重办, the second is final); only a 咨询 is answered at the desk. A
    /// wrong state (or kind) is a `conflict`.
    pub fn apply(self, from: AppealState, f: &AppealFacts) -> Result<AppealState, DomainError> {
        use AppealAction as A;
        use AppealState as S;
        let (rating, rework_count) = (f.rating, f.rework_count);
        Ok(match (self, from) {
            (A::Answer, S::Received) if f.consult => S::Closed,
            (A::Answer, S::Received) => return Err(DomainError::field(ErrorCode::Conflict, "answer").with_detail(f.kind.clone())),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::duty::{Light, Phase, Workflow};
    use crate::time::shanghai;
    use chrono::{NaiveDate, TimeZone};

    fn facts(rating: Option<Rating>, rework_count: i64) -> AppealFacts {
        AppealFacts::of("complaint", rework_count, rating)
    }

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
            s = a.apply(s, &AppealFacts::default()).unwrap();
        }
        assert_eq!(s, S::Replied);
        assert_eq!(A::Rate.apply(s, &facts(Some(Rating::Unsatisfied), 0)).unwrap(), S::Dispatched, "first 不满意 → 重办");
        assert_eq!(A::Rate.apply(s, &facts(Some(Rating::Unsatisfied), 1)).unwrap(), S::Closed, "the second rating is final");
        assert_eq!(A::Rate.apply(s, &facts(Some(Rating::Basic), 0)).unwrap(), S::Closed);
        assert_eq!(A::Sign.apply(S::Closed, &AppealFacts::default()).unwrap_err().code, ErrorCode::Conflict);
        assert_eq!(A::RefuseReturn.apply(S::Returned, &AppealFacts::default()).unwrap(), S::Dispatched);
        assert_eq!(A::Reject.apply(S::Dispatched, &AppealFacts::default()).unwrap_err().code, ErrorCode::Conflict);
        // 直接答复办结: a 咨询 only, and only before it is dispatched.
        let consult = AppealFacts { consult: true, kind: "consult".into(), ..AppealFacts::default() };
        assert_eq!(A::Answer.apply(S::Received, &consult).unwrap(), S::Closed);
        assert_eq!(A::Answer.apply(S::Dispatched, &consult).unwrap_err().code, ErrorCode::Conflict);
        let complaint = AppealFacts { kind: "complaint".into(), ..AppealFacts::default() };
        assert_eq!(A::Answer.apply(S::Received, &complaint).unwrap_err().field.as_deref(), Some("answer"));
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
