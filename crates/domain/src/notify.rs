//! Notices that reach people (短信催办, 工作通知): who gets which notice of the ladder, the words
//! of a message, the grouping of what is due for one person into one message, retries, and the
//! masking of phone numbers wherever they are logged. No IO: the outbox and the senders are the
//! storage's and the web's.

use crate::duty::{str_enum, NoticeLevel};
use crate::user::Role;

str_enum!(
    /// A way a message reaches a person.
    Channel {
        /// 短信, through the county's contracted gateway (HTTP).
        Sms = "sms",
        /// 政务钉钉 / 企业微信 robot (webhook).
        Messenger = "messenger",
        /// 电子邮件 (SMTP).
        Email = "email",
    }
);

/// Who a notice of the ladder reaches in the unit it names: 催办 the unit's staff who handle
/// the duty, 督办 also the unit head, 通报 and 挂牌督办 the unit head and its overseeing leader.
/// (roles in the unit, whether the overseer too).
pub fn audience(level: NoticeLevel) -> (&'static [Role], bool) {
    match level {
        NoticeLevel::Reminder | NoticeLevel::ReportDue => (&[Role::UnitStaff], false),
        NoticeLevel::Notice => (&[Role::UnitStaff, Role::UnitManager], false),
        NoticeLevel::Report | NoticeLevel::Listed => (&[Role::UnitManager], true),
    }
}

/// A phone number as logged: the first three and the last four digits (138****5678).
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 8 {
        return "*".repeat(digits.len());
    }
    let (head, tail) = (&digits[..3], &digits[digits.len() - 4..]);
    format!("{}****{}", head.iter().collect::<String>(), tail.iter().collect::<String>())
}

/// An address as logged: a phone masked, an email's local part cut, a messenger id as it is.
pub fn mask_address(channel: Channel, address: &str) -> String {
    match channel {
        Channel::Sms => mask_phone(address),
        Channel::Email => match address.split_once('@') {
            Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('*')),
            None => "***".into(),
        },
        Channel::Messenger => address.to_string(),
    }
}

/// The words of the ladder's levels in a message.
pub fn level_word(level: &str) -> &'static str {
    match level {
        "reminder" => "催办",
        "notice" => "督办",
        "report" => "通报",
        "report_due" => "报送提醒",
        "listed" => "挂牌督办",
        "assigned" => "应急任务",
        _ => "提醒",
    }
}

/// One line of a message: the level, what it is about and by when. A citizen's appeal is named
/// by its number only (a title may carry the citizen's words).
pub fn line(level: &str, kind: &str, ref_id: i64, title: &str, unit: &str, deadline: &str) -> String {
    let what = if kind == "appeal" || title.trim().is_empty() { format!("{}第{ref_id}号", kind_word(kind)) } else { cut(title.trim(), 40) };
    let by = if deadline.is_empty() { String::new() } else { format!("，期限{deadline}") };
    format!("{}：{what}（{unit}{by}）", level_word(level))
}

/// The line of an emergency assignment to the person on duty: what and by when to sign.
pub fn urgent_line(title: &str, sign_by: &str) -> String {
    format!("应急任务：{}，请于{sign_by}前签收并报告", cut(title.trim(), 60))
}

/// A leader's morning summary: what is open in their sight by light, and this month's flow.
pub fn summary_text(name: &str, open: i64, red: i64, yellow: i64, opened_month: i64, on_time_month: i64, late_month: i64) -> String {
    format!(
        "{name}，早上好。您关注范围内在办事项{open}项，其中红灯{red}项、黄灯{yellow}项；本月新增{opened_month}项，按期办结{on_time_month}项、逾期办结{late_month}项。详情请见驾驶舱"
    )
}

fn kind_word(kind: &str) -> &'static str {
    match kind {
        "task" => "任务",
        "appeal" => "诉求工单",
        "hazard" => "隐患",
        "project" => "项目",
        "emergency_task" => "应急任务",
        _ => "事项",
    }
}

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// One message for one person: what is due, grouped (one line alone, or numbered lines).
pub fn compose(lines: &[String]) -> String {
    match lines {
        [one] => format!("【落实】{one}。请登录系统办理。"),
        _ => {
            let items: Vec<String> = lines.iter().enumerate().map(|(i, l)| format!("{}. {l}", i + 1)).collect();
            format!("【落实】您有{}项事项需要办理：\n{}\n请登录系统办理。", lines.len(), items.join("\n"))
        }
    }
}

/// Tries before a message is given up as failed.
pub const MAX_ATTEMPTS: i64 = 5;

/// When to try again after `attempts` failed tries (µs): 30 s, 1, 2, 4 min… at most an hour.
pub fn backoff(attempts: i64) -> i64 {
    let secs = 30_i64.saturating_mul(1_i64 << attempts.clamp(0, 7)).min(3600);
    secs * 1_000_000
}

/// The idempotency key of a batch: the same messages give the same key, so a receiver that saw
/// it already can drop a repeat after a crash.
pub fn batch_key(ids: &[i64]) -> String {
    use sha2::{Digest, Sha256};
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    let text = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    hex::encode(&Sha256::digest(text.as_bytes())[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_masked_and_appeals_named_by_number() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("+86 138-1234-5678"), "861****5678");
        assert_eq!(mask_address(Channel::Email, "wang@example.gov.cn"), "w***@example.gov.cn");
        assert_eq!(line("notice", "appeal", 42, "王某家门口噪音", "城关镇", "2026-12-03"), "督办：诉求工单第42号（城关镇，期限2026-12-03）");
        assert_eq!(line("reminder", "task", 7, "推进老旧小区改造", "县住建局", ""), "催办：推进老旧小区改造（县住建局）");
    }

    #[test]
    fn what_is_due_for_one_person_is_one_message() {
        assert_eq!(compose(&["催办：甲（乙）".into()]), "【落实】催办：甲（乙）。请登录系统办理。");
        let two = compose(&["催办：甲（乙）".into(), "督办：丙（丁）".into()]);
        assert!(two.starts_with("【落实】您有2项事项需要办理：\n1. 催办：甲（乙）\n2. 督办：丙（丁）"), "{two}");
        assert_eq!(batch_key(&[3, 1, 2]), batch_key(&[1, 2, 3]));
        assert_ne!(batch_key(&[1, 2]), batch_key(&[1, 2, 3]));
    }

    #[test]
    fn the_ladder_reaches_more_people_as_it_climbs() {
        assert_eq!(audience(NoticeLevel::Reminder), (&[Role::UnitStaff][..], false));
        assert!(audience(NoticeLevel::Notice).0.contains(&Role::UnitManager));
        assert_eq!(audience(NoticeLevel::Report), (&[Role::UnitManager][..], true));
        assert_eq!((backoff(0), backoff(1), backoff(20)), (30_000_000, 60_000_000, 3_600_000_000));
    }
}
