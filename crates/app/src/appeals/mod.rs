//! 群众诉求: intake from the hotline, the public page and Open311; routing suggestions;
//! duplicates; the loop 派单 → 签收 → 答复 → 回访 with 退单, 改派/驳回, 延期 and 重办; masking of
//! personal data for everyone but the hotline; the routing model's training.

mod act;
mod admin;
mod citizen;
mod extensions;
mod intake;
mod lists;
mod photos;
pub mod publication;
mod supervision;

pub use act::*;
pub use admin::*;
pub use citizen::*;
pub use extensions::*;
pub use intake::*;
pub use lists::*;
pub use photos::*;
pub(crate) use supervision::supervise_part;

use crate::{Result, Who};
use luoshi_domain::appeals::{self as dom, Limits};
use luoshi_domain::user::Role;
use luoshi_storage::appeals::Appeal;
use luoshi_storage::Db;

/// The label the model learns for appeals a township or village handled: 属地, resolved to
/// the place named in the text.
pub(super) const LOCAL: &str = "@local";
/// Fewer closed appeals than this and the model is not trusted; the catalogue decides.
pub const MIN_EXAMPLES: u32 = 50;
pub(super) const HOUR: i64 = 3_600_000_000;

/// Does the caller work the 12345 desk (the hotline, administrators, the system), who sees a
/// citizen's personal data? Which appeals anyone sees is the one sight ([`Who::sight`]).
pub fn is_desk(who: &Who) -> bool {
    matches!(who.role, None | Some(Role::Hotline | Role::Admin))
}

/// Hide personal data: names to the family name, phones and ID numbers to a few digits; a
/// confidential appeal hides them entirely.
pub fn mask(a: &mut Appeal) {
    if a.confidential {
        a.citizen_name = a.citizen_name.as_ref().map(|_| "（保密）".to_string());
        a.phone = a.phone.as_ref().map(|_| "（保密）".to_string());
        a.id_number = a.id_number.as_ref().map(|_| "（保密）".to_string());
        return;
    }
    a.citizen_name = a.citizen_name.as_deref().map(dom::mask_name);
    a.phone = a.phone.as_deref().map(dom::mask_phone);
    a.id_number = a.id_number.as_deref().map(dom::mask_id);
}

/// The time limits in force.
pub async fn limits(db: &Db, now: i64) -> Result<Limits> {
    let r = crate::RulesInForce::load(db, luoshi_domain::time::local_date(now)).await?;
    let d = Limits::default();
    let num = |key: &str, def: i64| -> i64 { r.int(key).unwrap_or(def) };
    Ok(Limits {
        consult_working_days: num("appeals.limit.consult_working_days", d.consult_working_days),
        help_working_days: num("appeals.limit.help_working_days", d.help_working_days),
        complaint_working_days: num("appeals.limit.complaint_working_days", d.complaint_working_days),
        report_working_days: num("appeals.limit.report_working_days", d.report_working_days),
        suggestion_working_days: num("appeals.limit.suggestion_working_days", d.suggestion_working_days),
        urgent_hours: num("appeals.limit.urgent_hours", d.urgent_hours),
        critical_hours: num("appeals.limit.critical_hours", d.critical_hours),
        due_soon_hours: num("appeals.light.due_soon_hours", d.due_soon_hours),
    })
}
