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
    /// A statement failed in a way that can end a result set after rows were sent (see
    /// [`drop_suspect_statements`]).
    suspect_statements: bool,
    release: Option<std::sync::Arc<std::sync::OnceLock<super::SchemaRelease>>>,
}

impl AbortWatch {
    /// A watch whose connection shares `release` with the other connections of its pool.
    pub(crate) fn sharing(
        release: std::sync::Arc<std::sync::OnceLock<super::SchemaRelease>>,
    ) -> Self {
        Self {
            aborted: false,
            suspect_statements: false,
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

/// Errors the server can send in place of the rest of a result set, after some of its rows: a
/// locking read chosen as a deadlock victim or timed out waiting for a lock, a statement
/// killed or over its time limit.
fn may_cut_a_result_short(err: &DieselError) -> bool {
    is_abort(err)
        || matches!(err, DieselError::DatabaseError(_, info)
            if info.message().starts_with("Lock wait timeout exceeded")
                || info.message().starts_with("Query execution was interrupted"))
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
            if may_cut_a_result_short(err) {
                self.suspect_statements = true;
            }
        }
    }
}

/// Drops the connection's cached prepared statements if one of its statements failed in a way
/// that can cut a result set short ([`may_cut_a_result_short`]); they are prepared again on
/// next use.
///
/// When such an error arrives after rows (a locking read that sent the rows it could lock, then
/// lost a deadlock), libmysqlclient leaves the statement believing rows are still to come, and
/// Diesel keeps it cached: its next execution waits for those rows — for the whole read
/// timeout, with the server idle — or reads the next reply as them and the connection is
/// dropped ("Server has gone away"). Closing the statements clears that state. Called where a
/// transaction ends in error and before one begins.
pub(crate) fn drop_suspect_statements(conn: &mut MysqlConnection) {
    use diesel::connection::{CacheSize, Connection};
    if watch(conn).is_some_and(|w| std::mem::take(&mut w.suspect_statements)) {
        tracing::debug!("dropping cached statements after a statement cut short");
        conn.set_prepared_statement_cache_size(CacheSize::Disabled);
        conn.set_prepared_statement_cache_size(CacheSize::Unbounded);
    }
}

/// The connection's watch, when it has one (pooled connections do).
pub(crate) fn watch(conn: &mut MysqlConnection) -> Option<&mut AbortWatch> {
    conn.instrumentation().downcast_mut::<AbortWatch>()
}
