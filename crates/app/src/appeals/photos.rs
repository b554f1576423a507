//! A citizen's photos of an appeal: checked and cleaned of their metadata before they are kept
//! (with the order, in its transaction), opened only by those who may see the order.

use super::*;
use crate::{Result, Who};
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::appeals as store;
use luoshi_storage::Db;

/// The most photos an appeal carries, and the largest photo.
pub const MAX_PHOTOS: usize = 3;
pub const MAX_PHOTO_BYTES: usize = 4 * 1024 * 1024;

/// Photos as sent: each checked (JPEG or PNG, at most [`MAX_PHOTO_BYTES`], at most
/// [`MAX_PHOTOS`]) and its camera metadata removed; refused whole if one is wrong.
pub fn clean_photos(sent: Vec<(String, Vec<u8>)>) -> Result<Vec<store::NewPhoto>> {
    if sent.len() > MAX_PHOTOS {
        return Err(DomainError::field(ErrorCode::TooLarge, "photos").with_detail(MAX_PHOTOS.to_string()).into());
    }
    sent.into_iter()
        .map(|(name, data)| {
            if data.len() > MAX_PHOTO_BYTES {
                return Err(DomainError::field(ErrorCode::TooLarge, "photo_size").with_detail(name).into());
            }
            let (content_type, data) = luoshi_ledger::clean_photo(&data).map_err(|e| e.with_detail(name.clone()))?;
            let name: String = name.chars().filter(|c| !c.is_control() && !matches!(c, '/' | '\\')).take(100).collect();
            Ok(store::NewPhoto { name, content_type: content_type.to_string(), data })
        })
        .collect()
}

/// A photo of a work order the caller may see: its content type and bytes.
pub async fn photo(db: &Db, who: &Who, id: i64, photo_id: i64) -> Result<(String, Vec<u8>)> {
    seen(db, who, id).await?;
    store::photo(db, id, photo_id).await?.ok_or_else(|| DomainError::not_found("photo").into())
}
