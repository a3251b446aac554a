//! One r2d2 pool for one database, with helpers that run work on a pooled connection.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diesel::MysqlConnection;
use r2d2::ManageConnection;
use scheduled_thread_pool::ScheduledThreadPool;

use super::manager::{ConnectFailures, Failover, TracingErrorHandler};
use super::{ConnectionTarget, MysqlManager, PoolConfig, RetryPolicy};
use crate::{Error, Result};

/// A pool of connections to one database (`cloud` or `cloud_usage`). Cheap to clone.
///
/// ```no_run
/// use cloudstack_db::db::{DbPool, PoolConfig};
/// use diesel::RunQueryDsl;
///
/// let pool = DbPool::connect(&PoolConfig::from_url("mysql://root@127.0.0.1/cloud")?)?;
/// let n = pool.transaction(|conn| Ok(diesel::sql_query("DO 1").execute(conn)?))?;
/// # Ok::<(), cloudstack_db::Error>(())
/// ```
#[derive(Clone)]
pub struct DbPool {
    pool: r2d2::Pool<MysqlManager>,
    target: Arc<ConnectionTarget>,
    /// Dead connections found by calls so far; connections older than the last one are pinged.
    losses: Arc<AtomicU64>,
    validate_idle_after: Option<Duration>,
    failover: Failover,
    connect_failures: ConnectFailures,
    /// How long a checkout waits before asking whether connecting failed.
    connect_wait: Duration,
}

impl std::fmt::Debug for DbPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbPool")
            .field("target", &self.target)
            .field("state", &self.pool.state())
            .finish()
    }
}

/// How often a checkout waiting for a new connection asks whether connecting failed.
const CONNECT_FAILURE_CHECK: Duration = Duration::from_millis(200);

/// The pool's own housekeeping thread (r2d2 starts three per pool by default): it opens the
/// connections `min_idle` asks for and replaces dead ones. Each pool has its own, so a connect
/// that hangs until its timeout on one server delays no other pool.
fn housekeeping_thread() -> Arc<ScheduledThreadPool> {
    Arc::new(
        ScheduledThreadPool::builder()
            .num_threads(1)
            .thread_name_pattern("cloudstack-db-pool-{}")
            .build(),
    )
}

impl DbPool {
    /// Opens one connection to check the address and credentials (so a wrong password fails
    /// here, with [`Error::Connect`]), then builds the pool; it fills up to `min_idle` in the
    /// background.
    pub fn connect(config: &PoolConfig) -> Result<Self> {
        let manager = MysqlManager::new(config)?;
        drop(manager.connect()?);
        Ok(Self::build(config, manager))
    }

    /// A pool for a target another pool has just verified (no check connection).
    pub(crate) fn connect_verified(config: &PoolConfig) -> Result<Self> {
        Ok(Self::build(config, MysqlManager::new(config)?))
    }

    fn build(config: &PoolConfig, manager: MysqlManager) -> Self {
        let settings = &config.pool;
        let losses = manager.losses();
        let failover = manager.failover();
        let connect_failures = manager.failures();
        // A checkout that needs a new connection learns within this time whether connecting
        // failed: every server's connect timeout, and a second.
        let connect_wait = config
            .target
            .client
            .connect_timeout
            .max(Duration::from_secs(1))
            * u32::try_from(config.failover_hosts.len() + 1).unwrap_or(u32::MAX)
            + Duration::from_secs(1);
        let pool = r2d2::Pool::builder()
            .max_size(settings.max_size.max(1))
            .min_idle(settings.min_idle.map(|m| m.min(settings.max_size)))
            .connection_timeout(settings.connection_timeout)
            .idle_timeout(settings.idle_timeout)
            .max_lifetime(settings.max_lifetime)
            .test_on_check_out(false)
            .thread_pool(housekeeping_thread())
            .error_handler(Box::new(TracingErrorHandler))
            .build_unchecked(manager);
        Self {
            pool,
            target: Arc::new(config.target.clone()),
            losses,
            validate_idle_after: settings.validate_idle_after,
            failover,
            connect_failures,
            connect_wait,
        }
    }

    /// Where this pool connects to (prints without the password).
    pub fn target(&self) -> &ConnectionTarget {
        &self.target
    }

    /// Checks out a connection, waiting at most the configured connection timeout
    /// ([`Error::PoolTimeout`] after that). A connection used a moment ago is handed out without
    /// a round trip; one idle for longer than `validate_idle_after`, or older than the last dead
    /// connection a call found, is pinged first and replaced if dead (see
    /// [`super::PoolSettings`]).
    ///
    /// ```no_run
    /// # fn demo(pool: &cloudstack_db::db::DbPool) -> cloudstack_db::Result<()> {
    /// let mut conn = pool.get()?;
    /// let info = cloudstack_db::db::ServerInfo::query(&mut conn)?;
    /// # Ok(()) }
    /// ```
    pub fn get(&self) -> Result<PooledConnection> {
        self.get_timeout(self.pool.connection_timeout())
    }

    /// Like [`DbPool::get`] with another wait.
    pub fn get_timeout(&self, wait: Duration) -> Result<PooledConnection> {
        let started = Instant::now();
        let deadline = started + wait;
        let connect_deadline = started + self.connect_wait;
        loop {
            let now = Instant::now();
            let left = deadline.saturating_duration_since(now);
            // While a connect can still be under way, wait in short slices: once one has failed
            // since the checkout began, the server is unreachable or unresponsive and that is
            // the answer. After that the pool is just busy, and the rest of `wait` is waited.
            let connecting = connect_deadline.saturating_duration_since(now);
            let slice = if connecting.is_zero() {
                left
            } else {
                left.min(connecting).min(CONNECT_FAILURE_CHECK)
            };
            let got = match self.pool.get_timeout(slice.max(Duration::from_millis(1))) {
                Err(_) if slice < left => match self.connect_failures.since(started) {
                    Some(message) => return Err(Error::Connect(message)),
                    None => continue,
                },
                other => other,
            };
            let mut conn = got.map_err(|e| pool_error(e, wait))?;
            let losses = self.losses.load(Ordering::SeqCst);
            if !conn.needs_ping(losses, self.validate_idle_after) {
                return Ok(self.wrap(conn));
            }
            match diesel::r2d2::R2D2Connection::ping(&mut **conn) {
                Ok(()) => {
                    conn.confirm_alive(losses);
                    return Ok(self.wrap(conn));
                }
                Err(err) => {
                    tracing::info!(%err, "replacing a dead pooled connection before use");
                    self.losses.fetch_add(1, Ordering::SeqCst);
                    conn.mark_lost();
                }
            }
        }
    }

    fn wrap(&self, conn: r2d2::PooledConnection<MysqlManager>) -> PooledConnection {
        PooledConnection {
            conn,
            losses: self.losses.clone(),
        }
    }

    /// Runs `f` on a pooled connection, outside any transaction (each statement autocommits).
    /// If `f` fails with [`Error::ConnectionLost`], the connection is discarded.
    pub fn run<T>(&self, f: impl FnOnce(&mut MysqlConnection) -> Result<T>) -> Result<T> {
        let mut conn = self.get()?;
        conn.run(f)
    }

    /// Runs `f` in a transaction on a pooled connection (see [`super::transaction`]).
    ///
    /// ```no_run
    /// # use diesel::RunQueryDsl;
    /// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
    /// db.cloud().transaction(|conn| {
    ///     diesel::sql_query("UPDATE sequence SET value = value + 1 WHERE name = 'volume_seq'")
    ///         .execute(conn)?;
    ///     Ok(())
    /// })?;
    /// # Ok(()) }
    /// ```
    pub fn transaction<T>(&self, f: impl FnOnce(&mut MysqlConnection) -> Result<T>) -> Result<T> {
        self.run(|conn| super::transaction(conn, f))
    }

    /// Runs `f` in a transaction and runs the **whole** transaction again, on another
    /// connection where needed, whenever it certainly did not commit (see
    /// [`Error::certainly_not_committed`]): deadlocks and the other retryable aborts, a
    /// connection lost before COMMIT (a server restart, a `KILL`), a connection that could not
    /// be opened, and — when the pool has failover hosts — a server that refused the write as
    /// read-only (error 1290: new connections then go to the next server). A connection lost
    /// during COMMIT is [`Error::CommitUnknown`] and is never retried. At most
    /// `policy.max_attempts` attempts, with backoff between them.
    ///
    /// ```no_run
    /// # use diesel::RunQueryDsl;
    /// use cloudstack_db::db::RetryPolicy;
    /// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
    /// db.cloud().transaction_with_retry(&RetryPolicy::default(), |conn| {
    ///     diesel::sql_query("UPDATE sequence SET value = value + 1 WHERE name = 'volume_seq'")
    ///         .execute(conn)?;
    ///     Ok(())
    /// })?;
    /// # Ok(()) }
    /// ```
    pub fn transaction_with_retry<T>(
        &self,
        policy: &RetryPolicy,
        mut f: impl FnMut(&mut MysqlConnection) -> Result<T>,
    ) -> Result<T> {
        let worth_retrying = |err: &Error| {
            err.certainly_not_committed()
                || (err.is_read_only_server() && self.failover.has_alternatives())
        };
        super::retry::with_backoff(policy, worth_retrying, || {
            self.get().and_then(|mut conn| {
                let result = conn.run(|c| super::transaction(c, &mut f));
                if matches!(&result, Err(e) if e.is_read_only_server()) {
                    // A demoted primary (or a replica in the writer list): never write here
                    // again; new connections try the next server.
                    conn.mark_lost();
                    self.failover.move_past(conn.conn.server_index());
                }
                result
            })
        })
    }

    /// How long a caller waits for a free connection before [`Error::PoolTimeout`].
    ///
    /// ```no_run
    /// # fn demo(pool: &cloudstack_db::db::DbPool) {
    /// assert!(pool.connection_timeout() > std::time::Duration::ZERO);
    /// # }
    /// ```
    pub fn connection_timeout(&self) -> Duration {
        self.pool.connection_timeout()
    }

    /// The most connections this pool opens.
    ///
    /// ```no_run
    /// # fn demo(pool: &cloudstack_db::db::DbPool) {
    /// assert!(pool.max_size() >= 1);
    /// # }
    /// ```
    pub fn max_size(&self) -> u32 {
        self.pool.max_size()
    }

    /// Connections open and idle right now.
    ///
    /// ```no_run
    /// # fn demo(pool: &cloudstack_db::db::DbPool) {
    /// let (open, idle) = pool.state();
    /// assert!(idle <= open);
    /// # }
    /// ```
    pub fn state(&self) -> (u32, u32) {
        let s = self.pool.state();
        (s.connections, s.idle_connections)
    }
}

fn pool_error(err: r2d2::Error, waited: Duration) -> Error {
    match err.to_string().split_once(": ") {
        // r2d2 appends the last connection error when it could not open a connection.
        Some((_, last_error)) if !last_error.is_empty() => Error::Connect(last_error.to_owned()),
        _ => Error::PoolTimeout { waited },
    }
}

/// A connection checked out of a [`DbPool`]; it goes back when dropped.
///
/// It dereferences to Diesel's `MysqlConnection`, so it can be passed to every function of the
/// crate that takes `&mut MysqlConnection`.
pub struct PooledConnection {
    conn: r2d2::PooledConnection<MysqlManager>,
    losses: Arc<AtomicU64>,
}

impl PooledConnection {
    /// Runs `f`; a [`Error::ConnectionLost`] result marks this connection dead so the pool
    /// replaces it, and makes the pool ping its other connections before their next use. A NULL
    /// read where a value is required is named (see [`crate::name_unexpected_null`]).
    ///
    /// ```no_run
    /// # fn demo(pool: &cloudstack_db::db::DbPool) -> cloudstack_db::Result<()> {
    /// let mut conn = pool.get()?;
    /// let info = conn.run(|c| cloudstack_db::db::ServerInfo::query(c))?;
    /// # Ok(()) }
    /// ```
    pub fn run<T>(&mut self, f: impl FnOnce(&mut MysqlConnection) -> Result<T>) -> Result<T> {
        match f(&mut self.conn) {
            Err(err) if err.is_connection_lost() => {
                tracing::warn!(%err, "discarding a dead database connection");
                self.mark_lost();
                Err(err)
            }
            Err(err) => {
                super::abort_watch::drop_suspect_statements(&mut self.conn);
                Err(crate::error::name_unexpected_null(&mut self.conn, err))
            }
            ok => ok,
        }
    }

    /// Tells the pool not to reuse this connection (and to check the others before use).
    ///
    /// ```no_run
    /// # fn demo(pool: &cloudstack_db::db::DbPool) -> cloudstack_db::Result<()> {
    /// let mut conn = pool.get()?;
    /// conn.mark_lost();
    /// # Ok(()) }
    /// ```
    pub fn mark_lost(&mut self) {
        self.losses.fetch_add(1, Ordering::SeqCst);
        self.conn.mark_lost();
    }
}

impl Drop for PooledConnection {
    fn drop(&mut self) {
        self.conn.returned();
    }
}

impl Deref for PooledConnection {
    type Target = MysqlConnection;
    fn deref(&self) -> &MysqlConnection {
        &self.conn
    }
}

impl DerefMut for PooledConnection {
    fn deref_mut(&mut self) -> &mut MysqlConnection {
        &mut self.conn
    }
}
