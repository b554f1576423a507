//! 公众评: citizens rate a chosen project on the public page, one rating per phone number and
//! project. The phone is kept only as a keyed hash (the key a secret every node shares), so the
//! ratings hold no number; the deputies' rating is a session of its own ([`super::sessions`]).

use crate::Result;
use luoshi_domain::livelihood::rating::{Public, Rating};
use luoshi_domain::livelihood::ProposalState;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::livelihood::proposals as store;
use luoshi_storage::Db;
use serde::Deserialize;

/// A citizen's rating as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PublicRatingInput {
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub rating: String,
}

/// The key a phone number is hashed with: made once, shared by every node.
async fn key(db: &Db) -> Result<String> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|_| DomainError::new(ErrorCode::Internal))?;
    luoshi_storage::sessions::secret(db, "livelihood_rating", &hex::encode(b)).await
}

fn phone_key(key: &str, digits: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(format!("{key}:rating:{digits}").as_bytes()))
}

/// A chosen project citizens may rate, or `not_found`.
pub async fn ratable(db: &Db, id: i64) -> Result<store::ProposalRow> {
    Ok(store::get(db, id).await?.filter(|p| p.state == ProposalState::Chosen).ok_or_else(|| DomainError::not_found("proposal"))?)
}

/// Rate a chosen project; a second rating from the same phone is refused naming the phone.
pub async fn rate_public(db: &Db, id: i64, input: &PublicRatingInput, now: i64) -> Result<()> {
    let p = ratable(db, id).await?;
    let rating = Rating::parse(&input.rating).ok_or_else(|| DomainError::invalid("rating").with_detail(input.rating.trim().to_string()))?;
    let digits = luoshi_domain::user::check_phone(&input.phone)?.ok_or_else(|| DomainError::required("phone"))?;
    let k = phone_key(&key(db).await?, &digits);
    let mut tx = db.begin_write().await?;
    let first = store::rate_public(&mut tx, &luoshi_storage::Actor::cli("public:livelihood"), p.id, &k, rating.as_str(), now).await?;
    if !first {
        return Err(DomainError::field(ErrorCode::Conflict, "phone").with_detail("rated").into());
    }
    tx.commit().await?;
    Ok(())
}

/// Citizens' ratings of these projects.
pub async fn public_of(db: &Db, ids: &[i64]) -> Result<std::collections::HashMap<i64, Public>> {
    Ok(store::public_ratings(db, ids).await?.into_iter().map(|(id, s, b, u)| (id, Public { satisfied: s, basic: b, unsatisfied: u })).collect())
}
