//! 评价, attachments, the extension rule and the six conditions of 容错免责.

use crate::duty::str_enum;
use crate::error::{required_text, DomainError, ErrorCode};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

str_enum!(
    /// 评价: the supervision office's grade of a closed task.
    Grade {
        Excellent = "excellent",
        Good = "good",
        Fair = "fair",
        Poor = "poor",
    }
);

/// The largest attachment accepted (10 MiB).
pub const MAX_ATTACHMENT: usize = 10 * 1024 * 1024;

/// Check an attachment's name and size; returns its content type (by extension, from a short
/// list of what government offices exchange).
pub fn check_attachment(name: &str, size: usize) -> Result<(String, &'static str), DomainError> {
    let name = required_text("name", name, 120)?;
    // Bidirectional controls make "报告\u{202E}fdp.exe" read as "报告exe.pdf"; control
    // characters have no place in a file name either.
    let bidi = |c: char| matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}');
    if name.contains(['/', '\\']) || name.starts_with('.') || name.chars().any(|c| bidi(c) || c.is_control()) {
        return Err(DomainError::invalid("name"));
    }
    if size == 0 {
        return Err(DomainError::required("file"));
    }
    if size > MAX_ATTACHMENT {
        return Err(DomainError::field(ErrorCode::TooLarge, "file").with_detail("10 MiB"));
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let ct = match ext.as_str() {
        "pdf" => "application/pdf",
        "ofd" => "application/ofd",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "txt" => "text/plain; charset=utf-8",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "wps" => "application/vnd.ms-works",
        "zip" => "application/zip",
        _ => return Err(DomainError::invalid("file").with_detail(ext)),
    };
    Ok((name, ct))
}

/// An extension request (延期申请): filed before the deadline, with a reason and a later date.
pub fn check_extension(today: NaiveDate, deadline: NaiveDate, new_deadline: NaiveDate, reason: &str, used: i64, max: i64) -> Result<String, DomainError> {
    // The core's one rule, with the task's day as the moment its day begins.
    let start_of_today = today.pred_opt().map(crate::duty::end_of_day).unwrap_or(i64::MIN);
    crate::duty::check_extension(start_of_today, Some(crate::duty::end_of_day(deadline)), crate::duty::end_of_day(new_deadline), reason, used, max)
}

/// The six conditions of 容错免责 (rules-cn.md §8); all must hold, each with evidence.
pub const EXEMPTION_CONDITIONS: [(&str, &str, &str); 6] = [
    ("lawful", "遵纪守法：符合决策部署，未违反禁止性规定", "Lawful: within the decisions, no prohibition broken"),
    ("duty", "改革创新、履职需要", "Reform, innovation or the needs of the duty"),
    ("diligent", "勤勉尽责：无主观故意，已履职尽责", "Diligent: no intent, duty done"),
    ("public_interest", "出于公心：未谋取私利", "In the public interest: no private gain"),
    ("due_process", "程序正当：经集体决策或事后及时报告", "Due process: collective decision or prompt report"),
    ("corrected", "知错就改：积极纠错、挽回损失", "Corrected: errors fixed, losses recovered"),
];

str_enum!(
    /// The procedure of an exemption application: 申请 → 受理 → 核实 → 集体认定 → 结果:
    /// 免责 (every condition met), 从轻减轻 (some met: a lighter consequence, with its reasons) or
    /// 不予免责.
    ExemptionState {
        Applied = "applied",
        Accepted = "accepted",
        Verified = "verified",
        Exempted = "exempted",
        Mitigated = "mitigated",
        NotExempted = "not_exempted",
        Rejected = "rejected",
    }
);

/// One condition as claimed and verified.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub key: String,
    pub met: bool,
    #[serde(default)]
    pub evidence: String,
}

/// The conditions not (yet) met with evidence, in the rule's order.
pub fn unmet_conditions(conditions: &[Condition]) -> Vec<&'static str> {
    EXEMPTION_CONDITIONS
        .iter()
        .map(|(key, _, _)| *key)
        .filter(|key| !conditions.iter().any(|c| c.key == *key && c.met && !c.evidence.trim().is_empty()))
        .collect()
}

/// Check a decision: 免责 only if every condition is met with evidence (the first missing is
/// named); 从轻减轻 if some are.
pub fn check_exemption_decision(conditions: &[Condition], outcome: ExemptionState) -> Result<(), DomainError> {
    let unmet = unmet_conditions(conditions);
    match outcome {
        ExemptionState::Exempted => match unmet.first() {
            Some(key) => Err(DomainError::field(ErrorCode::Invalid, "conditions").with_detail(key.to_string())),
            None => Ok(()),
        },
        ExemptionState::Mitigated if unmet.len() == EXEMPTION_CONDITIONS.len() => Err(DomainError::field(ErrorCode::Invalid, "mitigation")),
        _ => Ok(()),
    }
}
