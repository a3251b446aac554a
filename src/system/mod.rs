//! Schema bookkeeping: the `version` table and the `sequence` table that hands out ids.

mod default_admin;
mod schema_check;
mod sequence;
mod version;

pub use default_admin::{DEFAULT_ADMIN_ID, DEFAULT_ADMIN_PASSWORD, enable_default_admin};
pub use schema_check::{ColumnProblem, check_columns, name_unexpected_null};
pub use sequence::{NewSequence, Sequence};
pub use version::{NewVersion, Version};
