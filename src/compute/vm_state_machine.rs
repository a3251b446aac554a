//! CloudStack's VM state machine (`VirtualMachine.State` transitions), checked before any write.

use super::VmState;
use crate::Error;

/// What happens to a VM (`VirtualMachine.Event`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum VmEvent {
    StartRequested,
    StopRequested,
    DestroyRequested,
    RecoveryRequested,
    AgentReportStopped,
    AgentReportRunning,
    MigrationRequested,
    StorageMigrationRequested,
    ExpungeOperation,
    OperationSucceeded,
    OperationFailed,
    OperationFailedToError,
    OperationRetry,
    AgentReportShutdowned,
    AgentReportMigrated,
    RestoringRequested,
    RestoringFailed,
    RestoringSuccess,
    FollowAgentPowerOnReport,
    FollowAgentPowerOffReport,
}

use VmEvent as E;
use VmState as S;

/// (from, event, to, writes usage events) — CloudStack 4.22's table.
const TRANSITIONS: &[(VmState, VmEvent, VmState, bool)] = &[
    (S::Stopped, E::StartRequested, S::Starting, false),
    (S::Stopped, E::DestroyRequested, S::Destroyed, true),
    (S::Stopped, E::StopRequested, S::Stopped, false),
    (S::Stopped, E::AgentReportStopped, S::Stopped, false),
    (S::Stopped, E::OperationFailedToError, S::Error, true),
    (S::Stopped, E::OperationFailed, S::Stopped, false),
    (S::Stopped, E::ExpungeOperation, S::Expunging, true),
    (S::Stopped, E::AgentReportShutdowned, S::Stopped, false),
    (
        S::Stopped,
        E::StorageMigrationRequested,
        S::Migrating,
        false,
    ),
    (S::Stopped, E::FollowAgentPowerOnReport, S::Running, true),
    (S::Stopped, E::FollowAgentPowerOffReport, S::Stopped, false),
    (S::Stopped, E::RestoringRequested, S::Restoring, false),
    (S::Starting, E::OperationRetry, S::Starting, false),
    (S::Starting, E::OperationSucceeded, S::Running, true),
    (S::Starting, E::OperationFailed, S::Stopped, false),
    (S::Starting, E::AgentReportRunning, S::Running, true),
    (S::Starting, E::AgentReportStopped, S::Stopped, false),
    (S::Starting, E::AgentReportShutdowned, S::Stopped, false),
    (S::Starting, E::FollowAgentPowerOnReport, S::Running, true),
    (S::Starting, E::FollowAgentPowerOffReport, S::Stopped, false),
    (S::Destroyed, E::RecoveryRequested, S::Stopped, true),
    (S::Destroyed, E::ExpungeOperation, S::Expunging, false),
    (S::Destroyed, E::RestoringRequested, S::Restoring, false),
    (S::Running, E::MigrationRequested, S::Migrating, false),
    (S::Running, E::AgentReportRunning, S::Running, false),
    (S::Running, E::AgentReportStopped, S::Stopped, true),
    (S::Running, E::StopRequested, S::Stopping, false),
    (S::Running, E::AgentReportShutdowned, S::Stopped, true),
    (S::Running, E::AgentReportMigrated, S::Running, false),
    (S::Running, E::OperationSucceeded, S::Running, false),
    (S::Running, E::FollowAgentPowerOnReport, S::Running, false),
    (S::Running, E::FollowAgentPowerOffReport, S::Stopped, true),
    (S::Migrating, E::MigrationRequested, S::Migrating, false),
    (S::Migrating, E::OperationSucceeded, S::Running, false),
    (S::Migrating, E::OperationFailed, S::Running, false),
    (S::Migrating, E::AgentReportRunning, S::Running, false),
    (S::Migrating, E::AgentReportStopped, S::Stopped, false),
    (S::Migrating, E::AgentReportShutdowned, S::Stopped, false),
    (S::Migrating, E::FollowAgentPowerOnReport, S::Running, false),
    (
        S::Migrating,
        E::FollowAgentPowerOffReport,
        S::Stopped,
        false,
    ),
    (S::Stopping, E::OperationSucceeded, S::Stopped, true),
    (S::Stopping, E::OperationFailed, S::Running, false),
    (S::Stopping, E::AgentReportRunning, S::Running, false),
    (S::Stopping, E::AgentReportStopped, S::Stopped, true),
    (S::Stopping, E::StopRequested, S::Stopping, false),
    (S::Stopping, E::AgentReportShutdowned, S::Stopped, true),
    (S::Stopping, E::FollowAgentPowerOnReport, S::Running, false),
    (S::Stopping, E::FollowAgentPowerOffReport, S::Stopped, true),
    (S::Expunging, E::OperationFailed, S::Expunging, false),
    (S::Expunging, E::ExpungeOperation, S::Expunging, false),
    (S::Expunging, E::RestoringRequested, S::Restoring, false),
    (S::Error, E::DestroyRequested, S::Expunging, false),
    (S::Error, E::ExpungeOperation, S::Expunging, false),
    (S::Restoring, E::RestoringSuccess, S::Stopped, false),
    (S::Restoring, E::RestoringFailed, S::Stopped, false),
];

/// A legal VM transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VmTransition {
    /// The state before.
    pub from: VmState,
    /// The event.
    pub event: VmEvent,
    /// The state after.
    pub to: VmState,
    /// Whether CloudStack writes usage events for it (the `USAGE` impact).
    pub usage: bool,
}

/// The transition for `event` in state `from`, or [`Error::IllegalTransition`].
///
/// ```
/// use cloudstack_db::compute::{vm_transition, VmEvent, VmState};
/// let t = vm_transition(VmState::Starting, VmEvent::OperationSucceeded).unwrap();
/// assert_eq!((t.to, t.usage), (VmState::Running, true));
/// assert!(vm_transition(VmState::Running, VmEvent::StartRequested).is_err());
/// ```
pub fn vm_transition(from: VmState, event: VmEvent) -> Result<VmTransition, Error> {
    TRANSITIONS
        .iter()
        .find(|(f, e, _, _)| *f == from && *e == event)
        .map(|&(from, event, to, usage)| VmTransition {
            from,
            event,
            to,
            usage,
        })
        .ok_or_else(|| Error::IllegalTransition {
            entity: "vm_instance",
            from: from.to_string(),
            event: format!("{event:?}"),
        })
}

/// Every legal transition (CloudStack 4.22's table).
pub fn vm_transitions() -> impl Iterator<Item = VmTransition> {
    TRANSITIONS
        .iter()
        .map(|&(from, event, to, usage)| VmTransition {
            from,
            event,
            to,
            usage,
        })
}
