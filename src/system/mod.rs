//! Schema bookkeeping: the `version` table and the `sequence` table that hands out ids.

mod sequence;
mod version;

pub use sequence::{NewSequence, Sequence};
pub use version::{NewVersion, Version};
