//! 应急协同 storage: plans with their levels, matrix and links ([`plans`]), the duty roster
//! ([`roster`]), incidents with their activations and log ([`incidents`]), the assignments an
//! activation hands out ([`assignments`]), warnings as CAP messages ([`alerts`]) and resources
//! ([`resources`]). Every change writes its duty line, trail entry and audit row in its
//! transaction.

pub mod alerts;
pub mod assignments;
pub mod incidents;
pub mod plans;
pub mod resources;
pub mod roster;

use luoshi_domain::duty::{Light, Phase};

/// The light a duty line carries as of a change: done or cancelled, red once its limit passed,
/// else green (the supervision run refines blue and the rest).
pub(crate) fn light_now(phase: Phase, due_at: Option<i64>, now: i64) -> Light {
    match phase {
        Phase::Done | Phase::Cancelled => Light::Done,
        Phase::Drafted => Light::None,
        _ if due_at.is_some_and(|d| d < now) => Light::Red,
        _ => Light::Green,
    }
}
