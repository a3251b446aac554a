//! The management servers of a cluster (`mshost`), registered, kept alive and marked down as
//! CloudStack's `ClusterManagerImpl` does — every time from the database's clock, so servers
//! whose clocks disagree still agree on who is alive. A [`ServerSession`] is a server's identity
//! for the job queue (`jobs::queue` takes its `job_msid`).

mod management_server;

use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{Datetime, Nullable};

pub use management_server::{ManagementServer, ServerState};

use crate::db::Tx;
use crate::repo::{Charset, check_text};
use crate::schema::cloud::mshost;
use crate::{Error, Result};

/// `cluster.heartbeat.threshold` default: a server silent this long is inactive (150 s).
pub const DEFAULT_THRESHOLD: Duration = Duration::from_millis(150_000);

/// What a starting server registers: its identity, where its peers reach it, and its run.
///
/// ```
/// use cloudstack_db::servers::Registration;
/// let me = Registration::new(0x0242_ac11_0002, "ms-1", "10.0.0.5");
/// assert_eq!((me.service_port, me.version.as_str()), (9090, env!("CARGO_PKG_VERSION")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The server's stable identity (CloudStack uses its MAC address as a number).
    pub msid: u64,
    /// This run (CloudStack: its start time in milliseconds); a restart is a new run.
    pub runid: i64,
    /// Host name.
    pub name: String,
    /// Software version.
    pub version: String,
    /// Address the peers reach it on.
    pub service_ip: String,
    /// Port the peers reach it on (CloudStack's cluster port, 9090).
    pub service_port: i32,
}

impl Registration {
    /// A registration for this run: `runid` = now in milliseconds, port 9090, this crate's
    /// version.
    pub fn new(msid: u64, name: &str, service_ip: &str) -> Self {
        Self {
            msid,
            runid: chrono::Utc::now().timestamp_millis(),
            name: name.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            service_ip: service_ip.to_owned(),
            service_port: 9090,
        }
    }
}

/// A registered server's run: what its heartbeats, job claims and completions carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ServerSession {
    /// `mshost.id`.
    pub id: u64,
    /// `mshost.msid`.
    pub msid: u64,
    /// `mshost.runid` of this run.
    pub runid: i64,
}

impl ServerSession {
    /// The msid as the job tables store it (`job_init_msid`, `job_executing_msid`, ...).
    ///
    /// ```
    /// let s = cloudstack_db::servers::ServerSession { id: 1, msid: 42, runid: 7 };
    /// assert_eq!(s.job_msid(), 42);
    /// ```
    pub fn job_msid(self) -> i64 {
        self.msid as i64
    }
}

fn db_now() -> diesel::expression::SqlLiteral<Datetime> {
    diesel::dsl::sql::<Datetime>("UTC_TIMESTAMP()")
}

/// Registers a starting server as `ClusterManagerImpl.start` does, in the caller's transaction:
/// a new `msid` gets a row (random uuid, `Up`, alert count 0); a known one gets this run's
/// runid, name, version, address and port, `removed` cleared and `Up` — `Maintenance` when it
/// was in or preparing for maintenance. `last_update` is the database's clock. Text longer
/// than its column is [`Error::InvalidValue`].
///
/// ```no_run
/// use cloudstack_db::servers::{self, Registration};
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// let me = db.write(|tx| servers::register(tx, &Registration::new(42, "ms-1", "10.0.0.5")))?;
/// # Ok(()) }
/// ```
pub fn register(tx: &mut Tx<'_>, me: &Registration) -> Result<ServerSession> {
    check_text("mshost.name", &me.name, 255, Charset::Utf8mb3)?;
    check_text("mshost.version", &me.version, 255, Charset::Utf8mb3)?;
    check_text("mshost.service_ip", &me.service_ip, 40, Charset::Utf8mb3)?;
    let conn = tx.conn();
    let known: Option<ManagementServer> = mshost::table
        .filter(mshost::msid.eq(me.msid))
        .select(ManagementServer::as_select())
        .for_update()
        .first(conn)
        .optional()?;
    let id = match known {
        Some(row) => {
            let state = match row.state {
                Some(ServerState::Maintenance | ServerState::PreparingForMaintenance) => {
                    ServerState::Maintenance
                }
                _ => ServerState::Up,
            };
            diesel::update(mshost::table.find(row.id))
                .set((
                    mshost::name.eq(Some(&me.name)),
                    mshost::version.eq(Some(&me.version)),
                    mshost::service_ip.eq(&me.service_ip),
                    mshost::service_port.eq(me.service_port),
                    mshost::last_update.eq(db_now().nullable()),
                    mshost::removed.eq(None::<chrono::NaiveDateTime>),
                    mshost::alert_count.eq(0),
                    mshost::runid.eq(me.runid),
                    mshost::state.eq(Some(state)),
                ))
                .execute(conn)?;
            row.id
        }
        None => {
            diesel::insert_into(mshost::table)
                .values((
                    mshost::msid.eq(me.msid),
                    mshost::runid.eq(me.runid),
                    mshost::name.eq(Some(&me.name)),
                    mshost::uuid.eq(Some(uuid::Uuid::new_v4().to_string())),
                    mshost::state.eq(Some(ServerState::Up)),
                    mshost::version.eq(Some(&me.version)),
                    mshost::service_ip.eq(&me.service_ip),
                    mshost::service_port.eq(me.service_port),
                    mshost::last_update.eq(db_now().nullable()),
                    mshost::alert_count.eq(0),
                ))
                .execute(conn)?;
            crate::repo::last_insert_id(conn)?
        }
    };
    Ok(ServerSession {
        id,
        msid: me.msid,
        runid: me.runid,
    })
}

/// A heartbeat (`ManagementServerHostDaoImpl.update(id, runid, lastUpdate)`): `last_update`
/// set to the database's clock, `removed` and the alert count cleared, a `Down` server `Up`
/// again — only while the row still carries this run. A run that another start replaced or
/// that was invalidated is [`Error::StaleState`] (CloudStack's invalid cluster session): the
/// server must stop acting as this run.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database, me: cloudstack_db::servers::ServerSession) -> cloudstack_db::Result<()> {
/// db.write(|tx| cloudstack_db::servers::heartbeat(tx, &me))?;
/// # Ok(()) }
/// ```
pub fn heartbeat(tx: &mut Tx<'_>, me: &ServerSession) -> Result<()> {
    let n = diesel::sql_query(
        "UPDATE `mshost` SET `last_update` = UTC_TIMESTAMP(), `removed` = NULL, `alert_count` = 0, \
         `state` = IF(`state` = 'Down', 'Up', `state`) WHERE `id` = ? AND `runid` = ?",
    )
    .bind::<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>, _>(me.id)
    .bind::<diesel::sql_types::BigInt, _>(me.runid)
    .execute(tx.conn())?;
    if n == 0 {
        return Err(Error::StaleState {
            entity: "mshost",
            id: me.id,
            detail: format!("run {} of msid {} is no longer valid", me.runid, me.msid),
        });
    }
    Ok(())
}

/// Checks, in the caller's transaction, that `me` is still the server's current run and the
/// registry does not have it `Down`: a replaced or invalidated run, or one marked down, is
/// [`Error::StaleState`] and must not act for the cluster. The row stays locked until the
/// transaction ends (`FOR UPDATE`: MariaDB has no `FOR SHARE`), so an invalidation waits for it.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database, me: cloudstack_db::servers::ServerSession) -> cloudstack_db::Result<()> {
/// db.write(|tx| cloudstack_db::servers::check_current(tx, &me))?;
/// # Ok(()) }
/// ```
pub fn check_current(tx: &mut Tx<'_>, me: &ServerSession) -> Result<()> {
    let state: Option<Option<ServerState>> = mshost::table
        .filter(mshost::id.eq(me.id))
        .filter(mshost::runid.eq(me.runid))
        .filter(mshost::removed.is_null())
        .select(mshost::state)
        .for_update()
        .first(tx.conn())
        .optional()?;
    match state {
        Some(state) if state != Some(ServerState::Down) => Ok(()),
        _ => Err(Error::StaleState {
            entity: "mshost",
            id: me.id,
            detail: format!("run {} of msid {} is not current", me.runid, me.msid),
        }),
    }
}

/// A stopping server (`ClusterManagerImpl.stop`): `Down`, or `Maintenance` when it was in or
/// preparing for maintenance; `last_update` from the database's clock.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database, me: cloudstack_db::servers::ServerSession) -> cloudstack_db::Result<()> {
/// db.write(|tx| cloudstack_db::servers::stop(tx, &me))?;
/// # Ok(()) }
/// ```
pub fn stop(tx: &mut Tx<'_>, me: &ServerSession) -> Result<()> {
    diesel::sql_query(
        "UPDATE `mshost` SET `state` = IF(`state` IN ('Maintenance', 'PreparingForMaintenance'), \
         'Maintenance', 'Down'), `last_update` = UTC_TIMESTAMP() WHERE `id` = ? AND `runid` = ?",
    )
    .bind::<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>, _>(me.id)
    .bind::<diesel::sql_types::BigInt, _>(me.runid)
    .execute(tx.conn())?;
    Ok(())
}

/// Ends another server's run (`invalidateRunSession`): runid 0 and `Down`, if it still has
/// `runid`; its next heartbeat is [`Error::StaleState`]. Returns whether it changed.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database, other: cloudstack_db::servers::ManagementServer) -> cloudstack_db::Result<()> {
/// db.write(|tx| cloudstack_db::servers::invalidate(tx, other.id, other.runid))?;
/// # Ok(()) }
/// ```
pub fn invalidate(tx: &mut Tx<'_>, id: u64, runid: i64) -> Result<bool> {
    let n = diesel::update(
        mshost::table
            .filter(mshost::id.eq(id))
            .filter(mshost::runid.eq(runid)),
    )
    .set((
        mshost::runid.eq(0),
        mshost::state.eq(Some(ServerState::Down)),
    ))
    .execute(tx.conn())?;
    Ok(n > 0)
}

/// The cut by the database's clock: now minus `threshold`.
fn cut(threshold: Duration) -> diesel::expression::SqlLiteral<Nullable<Datetime>> {
    diesel::dsl::sql::<Nullable<Datetime>>(&format!(
        "(UTC_TIMESTAMP() - INTERVAL {} MICROSECOND)",
        threshold.as_micros()
    ))
}

/// The servers that beat within `threshold` (`getActiveList`: `last_update` after the cut,
/// not removed), by id — the live ones, whatever state they report.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// use cloudstack_db::servers::{live, DEFAULT_THRESHOLD};
/// let peers = db.read(|c| live(c, DEFAULT_THRESHOLD))?;
/// # Ok(()) }
/// ```
pub fn live(conn: &mut MysqlConnection, threshold: Duration) -> Result<Vec<ManagementServer>> {
    Ok(mshost::table
        .filter(mshost::last_update.gt(cut(threshold)))
        .filter(mshost::removed.is_null())
        .order(mshost::id)
        .select(ManagementServer::as_select())
        .load(conn)?)
}

/// The servers silent for longer than `threshold` (`getInactiveList`), by id.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// let silent = db.read(|c| cloudstack_db::servers::inactive(c, cloudstack_db::servers::DEFAULT_THRESHOLD))?;
/// # Ok(()) }
/// ```
pub fn inactive(conn: &mut MysqlConnection, threshold: Duration) -> Result<Vec<ManagementServer>> {
    Ok(mshost::table
        .filter(mshost::last_update.le(cut(threshold)))
        .filter(mshost::removed.is_null())
        .order(mshost::id)
        .select(ManagementServer::as_select())
        .load(conn)?)
}

/// Marks `Down` the servers that report `Up` but were silent for longer than `threshold`
/// (`processInactiveNodes`), in the caller's transaction; returns them as they were. Their
/// jobs are then orphans (`jobs::queue::Orphaned::OfInactiveServers`).
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// use cloudstack_db::servers::{mark_inactive_down, DEFAULT_THRESHOLD};
/// for dead in db.write(|tx| mark_inactive_down(tx, DEFAULT_THRESHOLD))? {
///     println!("msid {} is down", dead.msid);
/// }
/// # Ok(()) }
/// ```
pub fn mark_inactive_down(tx: &mut Tx<'_>, threshold: Duration) -> Result<Vec<ManagementServer>> {
    let conn = tx.conn();
    let silent: Vec<ManagementServer> = mshost::table
        .filter(mshost::last_update.le(cut(threshold)))
        .filter(mshost::removed.is_null())
        .filter(mshost::state.eq(Some(ServerState::Up)))
        .order(mshost::id)
        .select(ManagementServer::as_select())
        .for_update()
        .load(conn)?;
    for server in &silent {
        diesel::update(
            mshost::table
                .filter(mshost::id.eq(server.id))
                .filter(mshost::runid.eq(server.runid)),
        )
        .set(mshost::state.eq(Some(ServerState::Down)))
        .execute(conn)?;
    }
    Ok(silent)
}
