//! `cloud`.`mshost`: ManagementServerHostVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::cloud::mshost;
use crate::types::{OptionOf, UtcDateTime, UuidText, text_enum};

text_enum! {
    /// A management server's state (`ManagementServerHost.State`).
    ServerState in "mshost.state" {
        Up = "Up", Down = "Down", PreparingForMaintenance = "PreparingForMaintenance",
        Maintenance = "Maintenance", PreparingForShutDown = "PreparingForShutDown",
        ReadyToShutDown = "ReadyToShutDown", ShuttingDown = "ShuttingDown",
    }
}

/// A row of `cloud`.`mshost`: one management server of the cluster.
///
/// ```no_run
/// use cloudstack_db::servers::ManagementServer;
/// use cloudstack_db::schema::cloud::mshost;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<ManagementServer> = mshost::table.select(ManagementServer::as_select()).load(conn)?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = mshost, check_for_backend(diesel::mysql::Mysql))]
pub struct ManagementServer {
    /// `id` bigint(20) unsigned.
    pub id: u64,
    /// The server's identity (CloudStack: its MAC address as a number). `msid` bigint(20)
    /// unsigned, unique.
    pub msid: u64,
    /// The current run (its start time in milliseconds); 0 once invalidated. `runid` bigint(20).
    pub runid: i64,
    /// Host name. `name` varchar(255), nullable.
    pub name: Option<String>,
    /// `uuid` varchar(40), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `state` varchar(25), nullable.
    pub state: Option<ServerState>,
    /// Software version. `version` varchar(255), nullable.
    pub version: Option<String>,
    /// Address the peers reach it on. `service_ip` char(40).
    pub service_ip: String,
    /// Port the peers reach it on. `service_port` int(11).
    pub service_port: i32,
    /// Its last heartbeat, by the database's clock. `last_update` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub last_update: Option<DateTime<Utc>>,
    /// `removed` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// `alert_count` int(11).
    pub alert_count: i32,
}
