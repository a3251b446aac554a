//! The r2d2 connection manager: opens MySQL connections with CloudStack's session settings.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::R2D2Connection;

use super::{ConnectionTarget, PoolConfig, SessionSettings};
use crate::{Error, Result};

/// Opens connections for one pool and applies the session settings once per connection.
///
/// It implements r2d2's `ManageConnection`; there is normally no need to use it directly.
///
/// ```no_run
/// use cloudstack_db::db::{MysqlManager, PoolConfig};
/// use r2d2::ManageConnection;
///
/// let manager = MysqlManager::new(&PoolConfig::from_url("mysql://root@127.0.0.1/cloud")?)?;
/// let conn = manager.connect()?;
/// # Ok::<(), cloudstack_db::Error>(())
/// ```
pub struct MysqlManager {
    /// The primary, then the failover hosts.
    targets: Vec<ConnectionTarget>,
    /// Which of `targets` new connections go to first.
    failover: Failover,
    session_sql: String,
    session: SessionSettings,
    losses: Arc<AtomicU64>,
    failures: ConnectFailures,
    /// The CloudStack release of the pool's database, learned by the first connection that asks.
    release: Arc<std::sync::OnceLock<super::SchemaRelease>>,
}

impl std::fmt::Debug for MysqlManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MysqlManager")
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl MysqlManager {
    /// A manager for the configured target and session settings.
    pub fn new(config: &PoolConfig) -> Result<Self> {
        let targets = config.targets();
        Ok(Self {
            failover: Failover {
                current: Arc::new(AtomicUsize::new(0)),
                servers: targets.len(),
            },
            targets,
            session_sql: config.session.statements()?,
            session: config.session.clone(),
            losses: Arc::new(AtomicU64::new(0)),
            failures: ConnectFailures::default(),
            release: Arc::default(),
        })
    }

    /// The record of this manager's failed connects (shared with the pool).
    pub(crate) fn failures(&self) -> ConnectFailures {
        self.failures.clone()
    }

    /// The handle the pool uses to move new connections off a server.
    pub(crate) fn failover(&self) -> Failover {
        self.failover.clone()
    }

    /// How many dead connections calls have found so far (shared with the pool).
    pub(crate) fn losses(&self) -> Arc<AtomicU64> {
        self.losses.clone()
    }
}

/// A connection owned by the pool, with a flag that says it died while in use.
///
/// It dereferences to Diesel's `MysqlConnection`.
pub struct ManagedConnection {
    conn: MysqlConnection,
    lost: bool,
    /// The pool's loss count when this connection was last known to be alive.
    alive_at_loss: u64,
    /// When it last went back to the pool.
    idle_since: Instant,
    /// Which of the manager's servers it is connected to.
    server: usize,
}

impl ManagedConnection {
    /// Marks the connection as dead so the pool closes it instead of reusing it.
    pub fn mark_lost(&mut self) {
        self.lost = true;
    }

    /// Whether it must be pinged before use: it is older than the last dead connection found,
    /// or it sat idle for longer than `idle_limit`.
    pub(crate) fn needs_ping(&self, losses: u64, idle_limit: Option<std::time::Duration>) -> bool {
        self.alive_at_loss < losses || idle_limit.is_some_and(|l| self.idle_since.elapsed() > l)
    }

    /// Records a successful ping (or use) at loss count `losses`.
    pub(crate) fn confirm_alive(&mut self, losses: u64) {
        self.alive_at_loss = losses;
    }

    /// Which of the pool's servers (0: the primary, then the failover hosts) it is connected to.
    pub fn server_index(&self) -> usize {
        self.server
    }

    /// Records that it went back to the pool now.
    pub(crate) fn returned(&mut self) {
        self.idle_since = Instant::now();
    }
}

impl Deref for ManagedConnection {
    type Target = MysqlConnection;
    fn deref(&self) -> &MysqlConnection {
        &self.conn
    }
}

impl DerefMut for ManagedConnection {
    fn deref_mut(&mut self) -> &mut MysqlConnection {
        &mut self.conn
    }
}

impl r2d2::ManageConnection for MysqlManager {
    type Connection = ManagedConnection;
    type Error = Error;

    /// Opens a connection on the current server; when it cannot be reached, on the next ones in
    /// order (the first that answers becomes the current one).
    fn connect(&self) -> Result<ManagedConnection> {
        let first = self.failover.current();
        let mut last_error = None;
        for step in 0..self.targets.len() {
            let server = (first + step) % self.targets.len();
            match self.connect_to(server) {
                Ok(conn) => {
                    if server != first {
                        self.failover
                            .switch(first, server, "connected to the next server");
                    }
                    return Ok(conn);
                }
                Err(err) => {
                    if self.targets.len() > 1 {
                        tracing::warn!(server, %err, "database server unreachable");
                    }
                    last_error = Some(err);
                }
            }
        }
        let err =
            last_error.unwrap_or_else(|| Error::Config("no database server configured".into()));
        self.failures.record(&err);
        Err(err)
    }

    fn is_valid(&self, conn: &mut ManagedConnection) -> Result<()> {
        conn.conn.ping().map_err(Error::from)
    }

    fn has_broken(&self, conn: &mut ManagedConnection) -> bool {
        conn.lost || conn.server != self.failover.current() || conn.conn.is_broken()
    }
}

impl MysqlManager {
    fn connect_to(&self, server: usize) -> Result<ManagedConnection> {
        let mut conn = self.targets[server].connect()?;
        conn.batch_execute(&self.session_sql)?;
        conn.set_instrumentation(super::AbortWatch::sharing(self.release.clone()));
        tracing::debug!(server, "opened a database connection");
        Ok(ManagedConnection {
            conn,
            lost: false,
            alive_at_loss: self.losses.load(Ordering::SeqCst),
            idle_since: Instant::now(),
            server,
        })
    }
}

/// When a manager last failed to open a connection on every server, and why: a checkout that
/// waits for a new connection fails with that error once the connect has run out of time,
/// instead of waiting the pool's whole `connection_timeout`.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConnectFailures(Arc<std::sync::Mutex<Option<(Instant, String)>>>);

impl ConnectFailures {
    fn record(&self, err: &Error) {
        let message = match err {
            Error::Connect(m) => m.clone(),
            other => other.to_string(),
        };
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((Instant::now(), message));
    }

    /// The last failure's message, if it happened after `since`.
    pub(crate) fn since(&self, since: Instant) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .filter(|(at, _)| *at >= since)
            .map(|(_, m)| m.clone())
    }
}

/// Which server of a pool's list new connections go to.
#[derive(Debug, Clone)]
pub(crate) struct Failover {
    current: Arc<AtomicUsize>,
    servers: usize,
}

impl Failover {
    /// Makes new connections avoid server `index` (found read-only): they try the next server
    /// in the list first. Does nothing with a single server, or when another caller moved on.
    pub(crate) fn move_past(&self, index: usize) {
        if self.servers >= 2 {
            let next = (index + 1) % self.servers;
            self.switch(
                index,
                next,
                "the server refuses writes, new connections go to the next one",
            );
        }
    }

    /// The server new connections try first.
    fn current(&self) -> usize {
        self.current.load(Ordering::SeqCst)
    }

    /// Makes `to` the current server if `from` still is (another caller may have moved on).
    fn switch(&self, from: usize, to: usize, why: &str) {
        if self
            .current
            .compare_exchange(from, to, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            tracing::warn!(from, to, why, "database failover");
        }
    }

    /// Whether the pool has more than one server to go to.
    pub(crate) fn has_alternatives(&self) -> bool {
        self.servers > 1
    }
}

/// Sends r2d2's background connection errors to `tracing` (they carry no secrets).
#[derive(Debug)]
pub(crate) struct TracingErrorHandler;

impl r2d2::HandleError<Error> for TracingErrorHandler {
    fn handle_error(&self, error: Error) {
        tracing::warn!(%error, "database pool could not open a connection");
    }
}
