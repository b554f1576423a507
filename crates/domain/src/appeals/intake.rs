//! A new appeal as typed, and its validation (GB 11643 ID numbers, phone numbers, media links).

use super::*;
use crate::error::{optional_text, required_text, DomainError, ErrorCode};
use serde::{Deserialize, Serialize};

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

pub(super) fn enum_field<T>(field: &str, v: &str, default: Option<T>, parse: fn(&str) -> Option<T>) -> Result<T, DomainError> {
    if v.trim().is_empty() {
        return default.ok_or_else(|| DomainError::required(field));
    }
    parse(v).ok_or_else(|| DomainError::invalid(field).with_detail(v.trim().to_string()))
}

pub use crate::user::check_phone;

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
