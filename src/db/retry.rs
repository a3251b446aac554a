//! Transactions, savepoints and whole-transaction retry.

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;
use rand::Rng;

use crate::{Error, Result};

/// How [`transaction_with_retry`] retries: capped exponential backoff with full jitter.
///
/// ```
/// use std::time::Duration;
/// let p = cloudstack_db::db::RetryPolicy::default();
/// assert_eq!(p.max_attempts, 5);
/// assert!(p.delay_before(3) <= Duration::from_millis(40));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: u32,
    /// The delay cap of the first retry; doubled for each further one.
    pub base_delay: Duration,
    /// The largest delay between two attempts.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_secs(1),
        }
    }
}

impl RetryPolicy {
    /// A policy with `max_attempts` attempts and the default delays.
    ///
    /// ```
    /// assert_eq!(cloudstack_db::db::RetryPolicy::attempts(3).max_attempts, 3);
    /// ```
    pub fn attempts(max_attempts: u32) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            ..Self::default()
        }
    }

    /// A random delay in `[0, min(max_delay, base_delay * 2^(retry-1))]` before retry number
    /// `retry` (1 = the first retry).
    ///
    /// ```
    /// use std::time::Duration;
    /// let p = cloudstack_db::db::RetryPolicy::default();
    /// assert!(p.delay_before(1) <= Duration::from_millis(10));
    /// assert!(p.delay_before(30) <= Duration::from_secs(1));
    /// ```
    pub fn delay_before(&self, retry: u32) -> Duration {
        let exponent = retry.saturating_sub(1).min(20);
        let cap = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rand::rng().random_range(0..=nanos))
    }
}

/// Runs `f` in a transaction: BEGIN, then COMMIT if it returns `Ok`, ROLLBACK if it returns
/// `Err`. Called inside another transaction it uses a savepoint, so an inner failure rolls back
/// only the inner work.
///
/// A connection lost before COMMIT is [`crate::Error::ConnectionLost`] (the server rolled the
/// transaction back); lost during COMMIT it is [`crate::Error::CommitUnknown`].
///
/// ```no_run
/// use cloudstack_db::db::transaction;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// transaction(conn, |conn| {
///     diesel::sql_query("UPDATE sequence SET value = value + 1 WHERE name = 'volume_seq'")
///         .execute(conn)?;
///     Ok(())
/// })
/// # }
/// # use diesel::RunQueryDsl;
/// ```
pub fn transaction<T, F>(conn: &mut MysqlConnection, f: F) -> Result<T>
where
    F: FnOnce(&mut MysqlConnection) -> Result<T>,
{
    if in_transaction(conn) {
        let result = conn.transaction(f);
        if result.is_err() {
            super::abort_watch::drop_suspect_statements(conn);
        }
        return match result {
            // The server aborted the whole transaction (deadlock, Galera conflict) inside the
            // savepoint, so rolling back to the savepoint failed and Diesel reports that
            // instead: the cause is the abort, and the caller's transaction is gone.
            Err(err)
                if !err.is_retryable()
                    && super::abort_watch::watch(conn).is_some_and(|w| w.saw_abort()) =>
            {
                Err(Error::Retryable {
                    reason: crate::RetryReason::Deadlock,
                    message: format!("the server aborted the enclosing transaction ({err})"),
                })
            }
            other => other,
        };
    }
    super::abort_watch::drop_suspect_statements(conn);
    if let Some(watch) = super::abort_watch::watch(conn) {
        watch.reset();
    }
    let mut body_succeeded = false;
    let result = super::transaction_sql::top_level(conn, |conn| {
        let value = f(conn)?;
        if super::abort_watch::watch(conn).is_some_and(|w| w.saw_abort()) {
            // The server already rolled this transaction back; a COMMIT now would "succeed"
            // with nothing in it (Galera) — see `AbortWatch`.
            return Err(Error::Retryable {
                reason: crate::RetryReason::Deadlock,
                message:
                    "the server aborted this transaction and the error was handled inside it; \
                          it was not committed"
                        .into(),
            });
        }
        body_succeeded = true;
        Ok(value)
    });
    if result.is_err() {
        super::abort_watch::drop_suspect_statements(conn);
    }
    match result {
        // The body succeeded, so the error came from COMMIT (or the ROLLBACK after it).
        Err(Error::ConnectionLost { message }) if body_succeeded => {
            tracing::error!(%message, "connection lost during COMMIT: outcome unknown");
            Err(Error::CommitUnknown { message })
        }
        other => other,
    }
}

/// Whether `conn` is inside a transaction (so a new one would be a savepoint).
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// assert!(!cloudstack_db::db::in_transaction(conn));
/// # Ok(()) }
/// ```
pub fn in_transaction(conn: &mut MysqlConnection) -> bool {
    AnsiTransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()
        .ok()
        .flatten()
        .is_some()
}

/// Runs `f` in a transaction and, when the server aborts it for a retryable reason (deadlock
/// 1213, lock wait timeout 1205, MariaDB 1020, Galera conflicts — see [`crate::Error::is_retryable`]),
/// rolls back and runs the **whole** closure again after a backoff, up to
/// `policy.max_attempts` times. A single statement is never retried on its own.
///
/// Inside a caller's transaction there is nothing that can be retried safely — the server has
/// already rolled back the caller's work — so the closure runs once (in a savepoint) and a
/// retryable error is returned for the caller's own retry loop to handle.
///
/// ```no_run
/// use cloudstack_db::db::{transaction_with_retry, RetryPolicy};
/// # use diesel::RunQueryDsl;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let moved = transaction_with_retry(conn, &RetryPolicy::default(), |conn| {
///     Ok(diesel::sql_query("UPDATE account SET state = 'enabled' WHERE id = 2").execute(conn)?)
/// })?;
/// # Ok(()) }
/// ```
pub fn transaction_with_retry<T, F>(
    conn: &mut MysqlConnection,
    policy: &RetryPolicy,
    mut f: F,
) -> Result<T>
where
    F: FnMut(&mut MysqlConnection) -> Result<T>,
{
    if in_transaction(conn) {
        return transaction(conn, f);
    }
    with_backoff(policy, Error::is_retryable, || transaction(conn, &mut f))
}

/// Calls `attempt` until it succeeds, fails with an error `worth_retrying` rejects, or
/// `policy.max_attempts` attempts were made, sleeping [`RetryPolicy::delay_before`] between
/// attempts. The one retry loop of the crate: [`transaction_with_retry`] and
/// [`super::DbPool::transaction_with_retry`] differ only in what is worth retrying.
pub(crate) fn with_backoff<T>(
    policy: &RetryPolicy,
    worth_retrying: impl Fn(&Error) -> bool,
    mut attempt: impl FnMut() -> Result<T>,
) -> Result<T> {
    let mut made = 1;
    loop {
        match attempt() {
            Err(err) if worth_retrying(&err) && made < policy.max_attempts.max(1) => {
                let delay = policy.delay_before(made);
                tracing::debug!(%err, attempt = made, ?delay, "running the whole transaction again");
                std::thread::sleep(delay);
                made += 1;
            }
            Err(err) if worth_retrying(&err) => {
                tracing::warn!(%err, attempt = made, "transaction still failing after the last attempt");
                return Err(err);
            }
            other => return other,
        }
    }
}
