//! A top-level transaction's BEGIN, COMMIT and ROLLBACK in one round trip each.
//!
//! Diesel sends them with `batch_execute`, which switches the server's multi-statement option
//! on before the statement and off after it: three round trips for every BEGIN and every
//! COMMIT, four of the six a one-statement transaction makes. Here they are prepared once per
//! connection and then executed, one round trip each, while Diesel's own transaction status is
//! kept exactly as Diesel keeps it, so savepoints nested inside (which still go through Diesel)
//! and Diesel's own checks see the same depth.
//!
//! A server that refuses to prepare them (MySQL's list of preparable statements is shorter than
//! MariaDB's; the refusal is `ER_UNSUPPORTED_PS`, 1295) is answered Diesel's way from then on:
//! the refusal is remembered for the process, so it costs one failed prepare.
//!
//! Diesel's `BeginTransaction`/`CommitTransaction`/`RollbackTransaction` instrumentation events
//! are not sent (their constructors are not public); the statements' own `StartQuery` and
//! `FinishQuery` events are.

use std::sync::atomic::{AtomicBool, Ordering};

use diesel::connection::{
    AnsiTransactionManager, SimpleConnection, TransactionDepthChange, TransactionManager,
    TransactionManagerStatus,
};
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::statement::cached_statement;

cached_statement! {
    /// Opens a transaction.
    Begin {} = "BEGIN"
}

cached_statement! {
    /// Commits the open transaction.
    Commit {} = "COMMIT"
}

cached_statement! {
    /// Rolls the open transaction back.
    Rollback {} = "ROLLBACK"
}

/// Set once a server refused to prepare one of the three statements.
static PREPARE_REFUSED: AtomicBool = AtomicBool::new(false);

/// Whether `err` is the server's refusal to prepare a statement of this kind.
fn is_prepare_refusal(err: &DieselError) -> bool {
    matches!(err, DieselError::DatabaseError(_, info)
        if info.message().contains("not supported in the prepared statement protocol"))
}

/// Runs `prepared` (one cached statement), or `text` through Diesel's `batch_execute` where the
/// server will not prepare it.
fn send(
    conn: &mut MysqlConnection,
    text: &str,
    prepared: impl FnOnce(&mut MysqlConnection) -> QueryResult<usize>,
) -> QueryResult<()> {
    if !PREPARE_REFUSED.load(Ordering::Relaxed) {
        match prepared(conn) {
            Err(err) if is_prepare_refusal(&err) => {
                tracing::debug!(
                    statement = text,
                    "the server does not prepare transaction control; sending it as text"
                );
                PREPARE_REFUSED.store(true, Ordering::Relaxed);
            }
            other => return other.map(drop),
        }
    }
    conn.batch_execute(text)
}

fn change_depth(conn: &mut MysqlConnection, change: TransactionDepthChange) -> QueryResult<()> {
    match AnsiTransactionManager::transaction_manager_status_mut(conn) {
        TransactionManagerStatus::Valid(status) => status.change_transaction_depth(change),
        TransactionManagerStatus::InError => Err(DieselError::BrokenTransactionManager),
    }
}

fn set_in_error(conn: &mut MysqlConnection) {
    AnsiTransactionManager::transaction_manager_status_mut(conn).set_in_error();
}

/// BEGIN on a connection outside any transaction.
fn begin(conn: &mut MysqlConnection) -> QueryResult<()> {
    if AnsiTransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()?
        .is_some()
    {
        return Err(DieselError::AlreadyInTransaction);
    }
    send(conn, "BEGIN", |c| Begin {}.execute(c))?;
    change_depth(conn, TransactionDepthChange::IncreaseDepth)
}

/// ROLLBACK of the top-level transaction; a failure leaves Diesel's status broken, as Diesel's
/// own rollback of a top-level transaction does.
fn rollback(conn: &mut MysqlConnection) -> QueryResult<()> {
    match send(conn, "ROLLBACK", |c| Rollback {}.execute(c)) {
        Ok(()) => match change_depth(conn, TransactionDepthChange::DecreaseDepth) {
            Ok(()) | Err(DieselError::NotInTransaction) => Ok(()),
            Err(err) => Err(err),
        },
        Err(err) => {
            set_in_error(conn);
            Err(err)
        }
    }
}

/// COMMIT of the top-level transaction; when it fails the transaction is rolled back, and if
/// that fails too the status is broken and both errors are returned, as with Diesel.
fn commit(conn: &mut MysqlConnection) -> QueryResult<()> {
    match send(conn, "COMMIT", |c| Commit {}.execute(c)) {
        Ok(()) => match change_depth(conn, TransactionDepthChange::DecreaseDepth) {
            Ok(()) | Err(DieselError::NotInTransaction) => Ok(()),
            Err(err) => Err(err),
        },
        Err(commit_error) => match rollback(conn) {
            Ok(()) => Err(commit_error),
            Err(rollback_error) => Err(DieselError::RollbackErrorOnCommit {
                rollback_error: Box::new(rollback_error),
                commit_error: Box::new(commit_error),
            }),
        },
    }
}

/// Runs `f` in a new top-level transaction with Diesel's semantics (`Connection::transaction`):
/// COMMIT on `Ok`, ROLLBACK on `Err` (the body's error is returned unless the rollback failed
/// for another reason than a broken connection state). `conn` must not be in a transaction.
pub(super) fn top_level<T, E, F>(conn: &mut MysqlConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut MysqlConnection) -> Result<T, E>,
    E: From<DieselError>,
{
    begin(conn)?;
    match f(conn) {
        Ok(value) => {
            commit(conn)?;
            Ok(value)
        }
        Err(body_error) => match rollback(conn) {
            Ok(()) | Err(DieselError::BrokenTransactionManager) => Err(body_error),
            Err(rollback_error) => Err(rollback_error.into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Info(&'static str);

    impl diesel::result::DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            self.0
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            None
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn database_error(message: &'static str) -> DieselError {
        DieselError::DatabaseError(
            diesel::result::DatabaseErrorKind::Unknown,
            Box::new(Info(message)),
        )
    }

    #[test]
    fn only_the_servers_refusal_to_prepare_selects_text() {
        // ER_UNSUPPORTED_PS as MySQL words it.
        assert!(is_prepare_refusal(&database_error(
            "This command is not supported in the prepared statement protocol yet"
        )));
        assert!(!is_prepare_refusal(&database_error(
            "Lost connection to server during query"
        )));
        assert!(!is_prepare_refusal(&DieselError::NotFound));
    }
}
