//! 债务风险 → 民生实事: the screening consults the debt book ("可能增加政府债务风险的，不得列为
//! 初步候选项目"). The county's 债务率 is read here, where both modules meet, and handed to the
//! screening as plain data.

use crate::livelihood::screening::{self, ActInput};
use crate::{Result, Who};
use luoshi_domain::livelihood::{DebtStanding, ProposalState};
use luoshi_storage::Db;

/// The debt book's standing today (no 债务率 without the year's 综合财力 or an empty book).
pub async fn standing(db: &Db, now: i64) -> Result<DebtStanding> {
    let r = crate::debt::figures::ratios_on(db, luoshi_domain::time::local_date(now)).await?;
    Ok(DebtStanding { ratio_bp: r.indicators.debt_ratio_bp })
}

/// A screening action with the debt book consulted.
pub async fn act(db: &Db, who: &Who, id: i64, input: &ActInput, now: i64) -> Result<ProposalState> {
    let debt = standing(db, now).await?;
    screening::act(db, who, id, input, debt, now).await
}
