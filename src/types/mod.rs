//! Column types shared by every table: typed ids, UUIDs, UTC datetimes, integer booleans, the
//! machinery behind the enum columns, and the enums several aggregates share.
//!
//! Diesel's MySQL backend reads `datetime` as `NaiveDateTime`, `varchar` as `String` and
//! `int(1)` as an integer; the wrappers here ([`UtcDateTime`], [`UuidText`], [`IntBool`] and
//! [`OptionOf`]) convert at the edge, so model fields are `DateTime<Utc>`, `Uuid` and `bool`
//! (`#[diesel(deserialize_as = ..., serialize_as = ...)]` on the field).

mod enums;
mod ids;
mod vocabulary;
mod wrappers;

pub use enums::UnknownEnumValue;
pub(crate) use enums::{ordinal_enum, text_enum};
pub use ids::*;
pub use vocabulary::*;
pub use wrappers::{AutoIncrement, IntBool, OptionOf, UtcDateTime, UuidText};
