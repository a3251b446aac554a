//! The r2d2 connection manager: opens MySQL connections with CloudStack's session settings.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::R2D2Connection;

use super::{PoolConfig, SessionSettings};
use crate::{Error, Result, Secret};

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
    url: Secret,
    session_sql: String,
    session: SessionSettings,
    losses: Arc<AtomicU64>,
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
        Ok(Self {
            url: config.target.diesel_url(),
            session_sql: config.session.statements()?,
            session: config.session.clone(),
            losses: Arc::new(AtomicU64::new(0)),
        })
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

    fn connect(&self) -> Result<ManagedConnection> {
        let mut conn = MysqlConnection::establish(self.url.expose())?;
        conn.batch_execute(&self.session_sql)?;
        tracing::debug!("opened a database connection");
        Ok(ManagedConnection {
            conn,
            lost: false,
            alive_at_loss: self.losses.load(Ordering::SeqCst),
            idle_since: Instant::now(),
        })
    }

    fn is_valid(&self, conn: &mut ManagedConnection) -> Result<()> {
        conn.conn.ping().map_err(Error::from)
    }

    fn has_broken(&self, conn: &mut ManagedConnection) -> bool {
        conn.lost || conn.conn.is_broken()
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
