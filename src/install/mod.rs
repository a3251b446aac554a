//! What an installed schema carries besides the tables the aggregates model: the `version`
//! rows, the `sequence` rows ids come from, and whether a live database has the columns the crate
//! expects. The migrations themselves are [`crate::migrations`]; finishing a fresh install (the
//! default admin) is the identity aggregate's `first_start`.

mod adopt;
mod schema_check;
mod sequence;
mod version;

pub use adopt::{Adoption, adopt, version_refusal};
pub use schema_check::{
    ColumnProblem, check_columns, cloudstack_object_count, missing_objects, release_column_problems,
};
pub use sequence::{NewSequence, Sequence};
pub use version::{NewVersion, Version};
