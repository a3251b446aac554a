//! CloudStack's volume state machine (`Volume.State` transitions).

use super::VolumeState;
use crate::Error;

/// What happens to a volume (`Volume.Event`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum VolumeEvent {
    CreateRequested,
    CopyRequested,
    OperationFailed,
    OperationSucceeded,
    OperationRetry,
    UploadRequested,
    MigrationRequested,
    MigrationCopyRequested,
    MigrationCopySucceeded,
    MigrationCopyFailed,
    SnapshotRequested,
    RevertSnapshotRequested,
    DestroyRequested,
    ExpungingRequested,
    ResizeRequested,
    AttachRequested,
    OperationTimeout,
    RecoverRequested,
    RestoreRequested,
    RestoreSucceeded,
    RestoreFailed,
}

use VolumeEvent as E;
use VolumeState as S;

/// (from, event, to, writes usage events).
const TRANSITIONS: &[(VolumeState, VolumeEvent, VolumeState, bool)] = &[
    (S::Allocated, E::CreateRequested, S::Creating, false),
    (S::Allocated, E::DestroyRequested, S::Destroy, false),
    (S::Allocated, E::OperationFailed, S::Allocated, false),
    (S::Allocated, E::OperationSucceeded, S::Allocated, false),
    (S::Allocated, E::UploadRequested, S::UploadOp, false),
    (S::Allocated, E::MigrationCopyRequested, S::Creating, false),
    (S::Creating, E::OperationRetry, S::Creating, false),
    (S::Creating, E::OperationFailed, S::Allocated, false),
    (S::Creating, E::OperationSucceeded, S::Ready, false),
    (S::Creating, E::DestroyRequested, S::Destroy, false),
    (S::Creating, E::CreateRequested, S::Creating, false),
    (S::Creating, E::MigrationCopyFailed, S::Allocated, false),
    (S::Creating, E::MigrationCopySucceeded, S::Ready, true),
    (S::Ready, E::CreateRequested, S::Creating, false),
    (S::Ready, E::ResizeRequested, S::Resizing, false),
    (S::Ready, E::OperationSucceeded, S::Ready, false),
    (S::Ready, E::OperationFailed, S::Ready, false),
    (S::Ready, E::DestroyRequested, S::Destroy, false),
    (S::Ready, E::SnapshotRequested, S::Snapshotting, false),
    (
        S::Ready,
        E::RevertSnapshotRequested,
        S::RevertSnapshotting,
        false,
    ),
    (S::Ready, E::MigrationRequested, S::Migrating, false),
    (S::Ready, E::AttachRequested, S::Attaching, false),
    (S::Ready, E::RestoreRequested, S::Restoring, false),
    (S::Resizing, E::OperationSucceeded, S::Ready, true),
    (S::Resizing, E::OperationFailed, S::Ready, false),
    (S::Uploaded, E::CopyRequested, S::Copying, false),
    (S::Uploaded, E::DestroyRequested, S::Destroy, false),
    (S::Copying, E::OperationSucceeded, S::Ready, true),
    (S::Copying, E::OperationFailed, S::Uploaded, false),
    (S::UploadOp, E::DestroyRequested, S::Destroy, false),
    (S::UploadOp, E::OperationSucceeded, S::Uploaded, false),
    (S::UploadOp, E::OperationFailed, S::Allocated, false),
    (S::Destroy, E::ExpungingRequested, S::Expunging, false),
    (S::Destroy, E::OperationSucceeded, S::Destroy, true),
    (S::Destroy, E::OperationFailed, S::Destroy, true),
    (S::Destroy, E::RecoverRequested, S::Ready, false),
    (S::Destroy, E::RestoreRequested, S::Restoring, false),
    (S::Expunging, E::ExpungingRequested, S::Expunging, false),
    (S::Expunging, E::OperationSucceeded, S::Expunged, false),
    (S::Expunging, E::OperationFailed, S::Destroy, false),
    (S::Expunged, E::ExpungingRequested, S::Expunged, false),
    (S::Expunged, E::OperationSucceeded, S::Expunged, false),
    (S::Expunged, E::OperationFailed, S::Expunged, false),
    (S::Expunged, E::RestoreRequested, S::Restoring, false),
    (S::Snapshotting, E::OperationSucceeded, S::Ready, false),
    (S::Snapshotting, E::OperationFailed, S::Ready, false),
    (
        S::RevertSnapshotting,
        E::OperationSucceeded,
        S::Ready,
        false,
    ),
    (S::RevertSnapshotting, E::OperationFailed, S::Ready, false),
    (S::Migrating, E::OperationSucceeded, S::Ready, false),
    (S::Migrating, E::OperationFailed, S::Ready, false),
    (S::Attaching, E::OperationSucceeded, S::Ready, false),
    (S::Attaching, E::OperationFailed, S::Ready, false),
    (
        S::NotUploaded,
        E::OperationTimeout,
        S::UploadAbandoned,
        false,
    ),
    (
        S::NotUploaded,
        E::UploadRequested,
        S::UploadInProgress,
        false,
    ),
    (S::NotUploaded, E::OperationSucceeded, S::Uploaded, false),
    (S::NotUploaded, E::OperationFailed, S::UploadError, false),
    (
        S::UploadInProgress,
        E::OperationSucceeded,
        S::Uploaded,
        false,
    ),
    (
        S::UploadInProgress,
        E::OperationFailed,
        S::UploadError,
        false,
    ),
    (
        S::UploadInProgress,
        E::OperationTimeout,
        S::UploadError,
        false,
    ),
    (S::UploadError, E::DestroyRequested, S::Destroy, false),
    (S::UploadAbandoned, E::DestroyRequested, S::Destroy, false),
    (S::Restoring, E::RestoreSucceeded, S::Ready, false),
    (S::Restoring, E::RestoreFailed, S::Ready, false),
];

/// A legal volume transition: (next state, writes usage events), or [`Error::IllegalTransition`].
///
/// ```
/// use cloudstack_db::storage::{volume_transition, VolumeEvent, VolumeState};
/// assert_eq!(volume_transition(VolumeState::Resizing, VolumeEvent::OperationSucceeded).unwrap(), (VolumeState::Ready, true));
/// assert!(volume_transition(VolumeState::Expunged, VolumeEvent::AttachRequested).is_err());
/// ```
pub fn volume_transition(
    from: VolumeState,
    event: VolumeEvent,
) -> Result<(VolumeState, bool), Error> {
    TRANSITIONS
        .iter()
        .find(|(f, e, _, _)| *f == from && *e == event)
        .map(|&(_, _, to, usage)| (to, usage))
        .ok_or_else(|| Error::IllegalTransition {
            entity: "volumes",
            from: from.to_string(),
            event: format!("{event:?}"),
        })
}
