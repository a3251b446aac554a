//! Storage: volumes and their state machine, and volume snapshots. Imports the catalog (disk
//! offerings), never compute.

mod snapshot;
pub mod snapshots;
mod types;
mod volume;
mod volume_state_machine;
pub mod volumes;

pub use snapshot::Snapshot;
pub use types::*;
pub use volume::{NewVolume, Volume};
pub use volume_state_machine::{VolumeEvent, volume_transition};
pub use volumes::{VolumeChanges, VolumeFilter, VolumeSpec};
