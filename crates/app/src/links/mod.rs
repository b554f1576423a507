//! The integration room: where one module feeds another without either importing the other.
//! Each link reads one module's records and writes through the other's use cases, idempotently
//! (the record it makes names its source), so a link missed at the moment is made by the
//! minute watch's sweep ([`sweep`]).

pub mod accident_incident;
pub mod appeal_proposal;
pub mod livelihood_debt;
pub mod livelihood_delivery;
pub mod project_problem;

use crate::Result;
use luoshi_storage::Db;

/// Make every link a write has not made yet (run by the minute watch); how many were made.
pub async fn sweep(db: &Db, now: i64) -> Result<usize> {
    Ok(accident_incident::sweep(db, now).await? + livelihood_delivery::sweep(db, now).await?)
}
