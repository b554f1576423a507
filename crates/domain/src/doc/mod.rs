//! 文件分解 (document breakdown): the outline of a Chinese official text and draft tasks.
//!
//! It reads the nesting real documents use, in any combination: `第X章` and `第X条`, `一、`,
//! `（一）`, `1.` and `1、`, `(1)`, `①`, and the enumerations written inside one paragraph,
//! `一是……二是……`, `首先/其次/再次/最后`, `第一/第二`. Each node keeps its exact byte span in the
//! original text. Page numbers and running headers left over from PDF copies are skipped.
//! Pure: no IO.

mod draft;
mod hant;
mod inline;
mod lines;
mod outline;
mod points;
mod units;
mod when;

pub use draft::*;
pub use hant::simplified;
pub use outline::*;
pub use points::{leaves, not_work, points, LeftOut, Point};
pub use units::{names_of, roles, NameIndex, Roles};
pub use when::{deadline, document_year, Hint};
