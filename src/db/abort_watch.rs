//! Never COMMIT after the server aborted the transaction.
//!
//! On Galera a transaction aborted by a conflicting write set while it sat idle gets error 1213
//! on its *next* statement, whatever it is; a COMMIT after that succeeds and the transaction's
//! earlier writes are silently gone. Code inside a transaction that handles an error itself
//! (a lookup whose failure means "not found", say) would walk straight into that. Every pooled
//! connection therefore carries an [`AbortWatch`] (a Diesel instrumentation) that notes any
//! deadlock-class error, and [`super::transaction`] refuses to commit a transaction in which one
//! was seen: it rolls back and returns [`crate::Error::Retryable`], so
//! [`super::transaction_with_retry`] runs the whole transaction again.
//!
//! It cannot undo what ran after the swallowed error: the server ended the transaction with the
//! abort, so later statements of the closure ran in autocommit mode. Never treat an error inside
//! a transaction as an answer (the crate's own lookups use `repo::exists`).

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Notes deadlock-class errors (1213, Galera conflicts) on one connection. It also carries what
/// the connection's pool has learned about its database (its CloudStack release, see
/// [`super::schema_release`]), shared by the pool's connections so it is asked once per pool.
///
/// ```
/// let watch = cloudstack_db::db::AbortWatch::default();
/// assert!(!watch.saw_abort());
/// ```
#[derive(Debug, Default)]
pub struct AbortWatch {
    aborted: bool,
    release: Option<std::sync::Arc<std::sync::OnceLock<super::SchemaRelease>>>,
}

impl AbortWatch {
    /// A watch whose connection shares `release` with the other connections of its pool.
    pub(crate) fn sharing(
        release: std::sync::Arc<std::sync::OnceLock<super::SchemaRelease>>,
    ) -> Self {
        Self {
            aborted: false,
            release: Some(release),
        }
    }

    /// The pool's record of its database's release, when the connection has a pool.
    pub(crate) fn release(
        &self,
    ) -> Option<&std::sync::Arc<std::sync::OnceLock<super::SchemaRelease>>> {
        self.release.as_ref()
    }

    /// Whether an abort was seen since the last [`AbortWatch::reset`].
    pub fn saw_abort(&self) -> bool {
        self.aborted
    }

    /// Forgets what was seen (at the start of a transaction).
    pub fn reset(&mut self) {
        self.aborted = false;
    }
}

fn is_abort(err: &DieselError) -> bool {
    match err {
        DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        DieselError::DatabaseError(_, info) => {
            let m = info.message();
            m.starts_with("Deadlock found") || m.starts_with("WSREP detected deadlock")
        }
        _ => false,
    }
}

impl Instrumentation for AbortWatch {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::FinishQuery {
            error: Some(err), ..
        } = event
        {
            if is_abort(err) {
                self.aborted = true;
            }
        }
    }
}

/// The connection's watch, when it has one (pooled connections do).
pub(crate) fn watch(conn: &mut MysqlConnection) -> Option<&mut AbortWatch> {
    conn.instrumentation().downcast_mut::<AbortWatch>()
}
