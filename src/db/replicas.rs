//! Reads routed to read replicas when they are healthy, and read-your-writes sessions.
//!
//! A [`ReadRouter`] holds the primary's pool and one pool per replica. A read that may be a few
//! seconds behind (lists, reports, usage queries — see `docs/scaling.md` for every read path)
//! goes to a replica that is reachable, replicating and at most `max_lag` behind; otherwise to
//! the primary. Anything followed by a write, every `FOR UPDATE`, optimistic state changes and
//! sequence fetches use the primary's pool directly.
//!
//! A [`ReadYourWrites`] session remembers the GTID of its last write and reads from a replica
//! only once that replica has applied it (`MASTER_GTID_WAIT` on MariaDB,
//! `WAIT_FOR_EXECUTED_GTID_SET` on MySQL), from the primary until then.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::{DbPool, PoolConfig, RetryPolicy, ServerFlavor, ServerInfo};
use crate::{Error, Result};

/// The longest a read waits for a replica's connection before using the primary.
const REPLICA_CHECKOUT_WAIT: Duration = Duration::from_secs(1);

/// Where a read went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadTarget {
    /// The primary.
    Primary,
    /// Replica number `n` (in the configured order).
    Replica(usize),
}

/// Reads for one database (`cloud` or `cloud_usage`): replicas when healthy, the primary
/// otherwise. Cheap to clone.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// use cloudstack_db::compute::vms::{self, VmFilter};
/// use cloudstack_db::repo::PageRequest;
/// let page = db.cloud_reads().run(|c| vms::list(c, &VmFilter::default(), &PageRequest::first(50)))?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ReadRouter {
    primary: DbPool,
    replicas: Arc<Vec<Replica>>,
    next: Arc<AtomicUsize>,
    max_lag: Duration,
    recheck_after: Duration,
    /// The primary's replication position as sampled at each health check, oldest first.
    positions: Arc<Mutex<VecDeque<Sample>>>,
}

/// The primary's position at one moment: everything up to it was committed by `at`.
#[derive(Debug, Clone)]
struct Sample {
    at: Instant,
    flavor: ServerFlavor,
    position: String,
}

#[derive(Debug)]
struct Replica {
    pool: DbPool,
    health: Mutex<Health>,
}

#[derive(Debug, Clone)]
struct Health {
    checked: Option<Instant>,
    usable: bool,
    why: String,
}

#[derive(QueryableByName)]
struct MariaDbReplicaStatus {
    #[diesel(sql_type = Text, column_name = "Slave_IO_Running")]
    io_running: String,
    #[diesel(sql_type = Text, column_name = "Slave_SQL_Running")]
    sql_running: String,
    #[diesel(sql_type = Nullable<BigInt>, column_name = "Seconds_Behind_Master")]
    behind: Option<i64>,
}

#[derive(QueryableByName)]
struct MySqlReplicaStatus {
    #[diesel(sql_type = Text, column_name = "Replica_IO_Running")]
    io_running: String,
    #[diesel(sql_type = Text, column_name = "Replica_SQL_Running")]
    sql_running: String,
    #[diesel(sql_type = Nullable<BigInt>, column_name = "Seconds_Behind_Source")]
    behind: Option<i64>,
}

impl ReadRouter {
    /// A router over `primary` and pools opened for `replicas` (lazily: a replica that is down
    /// when this is built is just skipped until it answers).
    pub(crate) fn new(
        primary: DbPool,
        replicas: &[PoolConfig],
        max_lag: Duration,
        recheck_after: Duration,
    ) -> Result<Self> {
        let replicas = replicas
            .iter()
            .map(|config| {
                Ok(Replica {
                    pool: DbPool::connect_verified(config)?,
                    health: Mutex::new(Health {
                        checked: None,
                        usable: false,
                        why: "not checked yet".into(),
                    }),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            primary,
            replicas: Arc::new(replicas),
            next: Arc::new(AtomicUsize::new(0)),
            max_lag,
            recheck_after,
            positions: Arc::new(Mutex::new(VecDeque::new())),
        })
    }

    /// Runs the read `f` on a healthy replica (taking turns between them), or on the primary
    /// when none is healthy. A replica that fails with a lost or refused connection is marked
    /// unhealthy and the read runs again elsewhere (a read is safe to repeat).
    ///
    /// ```no_run
    /// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
    /// let zones = db.cloud_reads().run(|c| cloudstack_db::catalog::zones::list_all(c))?;
    /// # Ok(()) }
    /// ```
    pub fn run<T>(&self, mut f: impl FnMut(&mut MysqlConnection) -> Result<T>) -> Result<T> {
        self.run_traced(&mut f).map(|(value, _)| value)
    }

    /// Like [`ReadRouter::run`], and says where the read went.
    ///
    /// ```no_run
    /// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
    /// use cloudstack_db::db::ReadTarget;
    /// let (_, target) = db.cloud_reads().run_traced(|c| cloudstack_db::catalog::zones::list_all(c))?;
    /// assert!(matches!(target, ReadTarget::Primary | ReadTarget::Replica(_)));
    /// # Ok(()) }
    /// ```
    pub fn run_traced<T>(
        &self,
        mut f: impl FnMut(&mut MysqlConnection) -> Result<T>,
    ) -> Result<(T, ReadTarget)> {
        match self.on_first_replica(|conn| f(conn).map(Some))? {
            Some(done) => Ok(done),
            None => self.on_primary(f),
        }
    }

    fn on_primary<T>(
        &self,
        f: impl FnOnce(&mut MysqlConnection) -> Result<T>,
    ) -> Result<(T, ReadTarget)> {
        self.primary
            .run(f)
            .map(|value| (value, ReadTarget::Primary))
    }

    /// Runs `attempt` on the usable replicas in turn (starting at the next in the rotation)
    /// until one gives `Some`; a replica that cannot be reached is marked unusable. `None` when
    /// no replica gave a value (the caller reads from the primary).
    fn on_first_replica<T>(
        &self,
        mut attempt: impl FnMut(&mut MysqlConnection) -> Result<Option<T>>,
    ) -> Result<Option<(T, ReadTarget)>> {
        let count = self.replicas.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        for step in 0..count {
            let index = (start + step) % count;
            if !self.usable(index) {
                continue;
            }
            match self.on_replica(index, &mut attempt) {
                Ok(Some(value)) => return Ok(Some((value, ReadTarget::Replica(index)))),
                Ok(None) => {}
                Err(err) if unreachable(&err) => self.mark_unusable(index, &err),
                Err(err) => return Err(err),
            }
        }
        Ok(None)
    }

    /// Whether replica `index` may serve reads now (checked at most every `recheck_after`).
    ///
    /// ```no_run
    /// # fn demo(db: &cloudstack_db::Database) {
    /// let usable = db.cloud_reads().replica_usable(0);
    /// # }
    /// ```
    pub fn replica_usable(&self, index: usize) -> bool {
        index < self.replicas.len() && self.usable(index)
    }

    /// Why replica `index` was last found unusable (`None`: usable, or not checked yet).
    ///
    /// ```no_run
    /// # fn demo(db: &cloudstack_db::Database) {
    /// if let Some(why) = db.cloud_reads().skip_reason(0) {
    ///     println!("replica 0 skipped: {why}");
    /// }
    /// # }
    /// ```
    pub fn skip_reason(&self, index: usize) -> Option<String> {
        let health = self
            .replicas
            .get(index)?
            .health
            .lock()
            .expect("replica health");
        (health.checked.is_some() && !health.usable).then(|| health.why.clone())
    }

    /// How many replicas are configured.
    ///
    /// ```no_run
    /// # fn demo(db: &cloudstack_db::Database) {
    /// println!("{} read replicas", db.cloud_reads().replica_count());
    /// # }
    /// ```
    pub fn replica_count(&self) -> usize {
        self.replicas.len()
    }

    /// The primary's pool (for reads that must see the latest committed data).
    ///
    /// ```no_run
    /// # fn demo(db: &cloudstack_db::Database) {
    /// assert_eq!(db.cloud_reads().primary().max_size(), db.cloud().max_size());
    /// # }
    /// ```
    pub fn primary(&self) -> &DbPool {
        &self.primary
    }

    fn on_replica<T>(
        &self,
        index: usize,
        f: impl FnOnce(&mut MysqlConnection) -> Result<T>,
    ) -> Result<T> {
        briefly(&self.replicas[index].pool, f)
    }

    fn usable(&self, index: usize) -> bool {
        let replica = &self.replicas[index];
        {
            let health = replica.health.lock().expect("replica health");
            if health
                .checked
                .is_some_and(|at| at.elapsed() < self.recheck_after)
            {
                return health.usable;
            }
        }
        let (usable, why) = match self.check(index) {
            Ok(None) => (true, String::new()),
            Ok(Some(why)) => (false, why),
            Err(err) => (false, err.to_string()),
        };
        let mut health = replica.health.lock().expect("replica health");
        if health.usable != usable || health.checked.is_none() {
            if usable {
                tracing::info!(replica = index, "read replica usable again");
            } else {
                tracing::warn!(replica = index, %why, "read replica skipped");
            }
        }
        *health = Health {
            checked: Some(Instant::now()),
            usable,
            why,
        };
        usable
    }

    fn mark_unusable(&self, index: usize, err: &Error) {
        tracing::warn!(replica = index, %err, "read replica failed, reading elsewhere");
        *self.replicas[index].health.lock().expect("replica health") = Health {
            checked: Some(Instant::now()),
            usable: false,
            why: err.to_string(),
        };
    }

    /// `None` when the replica is replicating within the lag bound, else why not.
    ///
    /// `Seconds_Behind_Master` alone is not trusted: it reads 0 while the link to the primary
    /// hangs (the I/O thread still says `Yes` until `slave_net_timeout`), and it has been seen
    /// within the bound during a `MASTER_DELAY` wait. So each check also samples the primary's
    /// GTID position (waiting at most [`REPLICA_CHECKOUT_WAIT`] for it), and the replica must
    /// have applied the newest sample that is at least `max_lag` old.
    fn check(&self, index: usize) -> Result<Option<String>> {
        let max_lag = self.max_lag.as_secs() as i64;
        let due = self.sample_primary();
        self.on_replica(index, |conn| {
            let (io, sql, behind) = match ServerInfo::query(conn)?.flavor {
                ServerFlavor::MariaDb => {
                    let rows: Vec<MariaDbReplicaStatus> =
                        diesel::sql_query("SHOW SLAVE STATUS").load(conn)?;
                    match rows.into_iter().next() {
                        Some(r) => (r.io_running, r.sql_running, r.behind),
                        None => return Ok(Some("not replicating from anywhere".into())),
                    }
                }
                ServerFlavor::MySql => {
                    let rows: Vec<MySqlReplicaStatus> =
                        diesel::sql_query("SHOW REPLICA STATUS").load(conn)?;
                    match rows.into_iter().next() {
                        Some(r) => (r.io_running, r.sql_running, r.behind),
                        None => return Ok(Some("not replicating from anywhere".into())),
                    }
                }
            };
            Ok(match behind {
                _ if sql != "Yes" => Some(format!("replication SQL thread is {sql}")),
                _ if io != "Yes" => Some(format!("replication I/O thread is {io}")),
                None => Some("lag unknown".into()),
                Some(secs) if secs > max_lag => Some(format!("{secs} s behind")),
                Some(_) => match &due {
                    Some(s) if !has_applied(conn, s.flavor, &s.position)? => Some(format!(
                        "behind: the primary's position of {:.1} s ago ({}) is not applied yet",
                        s.at.elapsed().as_secs_f64(),
                        s.position
                    )),
                    _ => None,
                },
            })
        })
    }

    /// Records the primary's position now and returns the newest earlier sample that is at
    /// least `max_lag` old (`None` when there is none yet: the check then rests on
    /// `Seconds_Behind_Master`). A primary without GTIDs, or one that does not answer in time,
    /// adds no sample.
    fn sample_primary(&self) -> Option<Sample> {
        let now = briefly(&self.primary, |c| {
            gtid_position(c, "@@global.gtid_binlog_pos")
        })
        .ok()
        .flatten();
        let mut samples = self.positions.lock().expect("primary positions");
        if let Some((flavor, position)) = now {
            samples.push_back(Sample {
                at: Instant::now(),
                flavor,
                position,
            });
        }
        // Keep the newest old-enough sample and everything after it.
        while samples
            .get(1)
            .is_some_and(|next| next.at.elapsed() >= self.max_lag)
        {
            samples.pop_front();
        }
        samples
            .front()
            .filter(|s| s.at.elapsed() >= self.max_lag)
            .cloned()
    }
}

/// Runs `f` on a connection of `pool`, waiting at most [`REPLICA_CHECKOUT_WAIT`] for one: a
/// health check must not hold a read up for a server that does not answer.
fn briefly<T>(pool: &DbPool, f: impl FnOnce(&mut MysqlConnection) -> Result<T>) -> Result<T> {
    let mut conn = pool.get_timeout(REPLICA_CHECKOUT_WAIT.min(pool.connection_timeout()))?;
    conn.run(f)
}

/// Errors after which a read can run again elsewhere.
fn unreachable(err: &Error) -> bool {
    err.is_connection_lost() || matches!(err, Error::Connect(_) | Error::PoolTimeout { .. })
}

/// A sequence of writes and reads that always sees its own writes: reads go to a replica only
/// once it has applied the session's last write, to the primary until then.
///
/// ```no_run
/// # use diesel::RunQueryDsl;
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// use cloudstack_db::db::RetryPolicy;
/// let mut session = db.read_your_writes();
/// session.write(&RetryPolicy::default(), |c| {
///     Ok(diesel::sql_query("UPDATE account SET state = 'enabled' WHERE id = 2").execute(c)?)
/// })?;
/// let admin = session.read(|c| cloudstack_db::identity::accounts::find(c, cloudstack_db::types::AccountId(2)))?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ReadYourWrites {
    router: ReadRouter,
    /// The GTID (set) of the last write, or `None` before any write.
    written: Option<Written>,
}

#[derive(Debug, Clone)]
enum Written {
    /// A MariaDB GTID (`domain-server-sequence`) or a MySQL GTID set.
    Gtid(ServerFlavor, String),
    /// The server reports no GTID (MySQL without `gtid_mode`): read from the primary.
    PrimaryOnly,
}

impl ReadYourWrites {
    pub(crate) fn new(router: ReadRouter) -> Self {
        Self {
            router,
            written: None,
        }
    }

    /// Runs `f` in a transaction on the primary (retried whole on deadlocks and the like) and
    /// remembers the position of its commit.
    pub fn write<T>(
        &mut self,
        policy: &RetryPolicy,
        f: impl FnMut(&mut MysqlConnection) -> Result<T>,
    ) -> Result<T> {
        let (value, written) = self.router.primary.run(|conn| {
            let value = super::transaction_with_retry(conn, policy, f)?;
            Ok((value, commit_position(conn)?))
        })?;
        self.written = Some(written);
        Ok(value)
    }

    /// Runs the read `f` where it sees every write of this session: any healthy replica before
    /// the first write, afterwards one that has applied the last write, else the primary.
    pub fn read<T>(&mut self, f: impl FnMut(&mut MysqlConnection) -> Result<T>) -> Result<T> {
        self.read_traced(f).map(|(value, _)| value)
    }

    /// Like [`ReadYourWrites::read`], and says where the read went.
    pub fn read_traced<T>(
        &mut self,
        mut f: impl FnMut(&mut MysqlConnection) -> Result<T>,
    ) -> Result<(T, ReadTarget)> {
        let (flavor, gtid) = match &self.written {
            None => return self.router.run_traced(f),
            Some(Written::PrimaryOnly) => return self.router.on_primary(f),
            Some(Written::Gtid(flavor, gtid)) => (*flavor, gtid.clone()),
        };
        let on_replica = self.router.on_first_replica(|conn| {
            if !has_applied(conn, flavor, &gtid)? {
                return Ok(None);
            }
            f(conn).map(Some)
        })?;
        match on_replica {
            Some(done) => Ok(done),
            None => self.router.on_primary(f),
        }
    }
}

#[derive(QueryableByName)]
struct Position {
    #[diesel(sql_type = Nullable<Text>)]
    position: Option<String>,
}

#[derive(QueryableByName)]
struct Waited {
    #[diesel(sql_type = Nullable<BigInt>)]
    waited: Option<i64>,
}

/// Where the session's last commit is in the replication stream.
fn commit_position(conn: &mut MysqlConnection) -> Result<Written> {
    Ok(match gtid_position(conn, "@@session.last_gtid")? {
        Some((flavor, p)) => Written::Gtid(flavor, p),
        None => Written::PrimaryOnly,
    })
}

/// The server's GTID position: `mariadb_variable` on MariaDB, `@@global.gtid_executed` on
/// MySQL; `None` when it is empty (no GTIDs).
fn gtid_position(
    conn: &mut MysqlConnection,
    mariadb_variable: &str,
) -> Result<Option<(ServerFlavor, String)>> {
    let flavor = ServerInfo::query(conn)?.flavor;
    let variable = match flavor {
        ServerFlavor::MariaDb => mariadb_variable,
        ServerFlavor::MySql => "@@global.gtid_executed",
    };
    let position: Position =
        diesel::sql_query(format!("SELECT {variable} AS position")).get_result(conn)?;
    Ok(position
        .position
        .filter(|p| !p.trim().is_empty())
        .map(|p| (flavor, p)))
}

/// Whether the server `conn` is on has applied `gtid` (without waiting).
fn has_applied(conn: &mut MysqlConnection, flavor: ServerFlavor, gtid: &str) -> Result<bool> {
    let (sql, reached) = match flavor {
        // 0: reached, -1: timed out.
        ServerFlavor::MariaDb => ("SELECT MASTER_GTID_WAIT(?, 0) AS waited", 0),
        // 0: reached, 1: timed out.
        ServerFlavor::MySql => ("SELECT WAIT_FOR_EXECUTED_GTID_SET(?, 0) AS waited", 0),
    };
    let waited: Waited = diesel::sql_query(sql)
        .bind::<Text, _>(gtid)
        .get_result(conn)?;
    Ok(waited.waited == Some(reached))
}
