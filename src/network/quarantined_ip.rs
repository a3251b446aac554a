//! `cloud`.`quarantined_ips`: PublicIpQuarantineVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::cloud::quarantined_ips;
use crate::types::{AccountId, IpAddressId, OptionOf, UtcDateTime, UuidText};

/// A row of `cloud`.`quarantined_ips`: a released address kept for its previous owner until
/// `end_date`, or until `removed`.
///
/// ```no_run
/// use cloudstack_db::network::QuarantinedIp;
/// use cloudstack_db::schema::cloud::quarantined_ips;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<QuarantinedIp> = quarantined_ips::table.select(QuarantinedIp::as_select()).load(conn)?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = quarantined_ips, check_for_backend(diesel::mysql::Mysql))]
pub struct QuarantinedIp {
    /// `id` bigint(20) unsigned.
    pub id: u64,
    /// `uuid` varchar(255), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// The address. `public_ip_address_id` bigint(20) unsigned.
    pub public_ip_address_id: IpAddressId,
    /// Who released it. `previous_owner_id` bigint(20) unsigned.
    pub previous_owner_id: AccountId,
    /// `created` datetime.
    #[diesel(deserialize_as = UtcDateTime)]
    pub created: DateTime<Utc>,
    /// When the quarantine was ended early. `removed` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// When the quarantine ends. `end_date` datetime.
    #[diesel(deserialize_as = UtcDateTime)]
    pub end_date: DateTime<Utc>,
    /// Why it was ended early. `removal_reason` varchar(255), nullable.
    pub removal_reason: Option<String>,
    /// Who ended it early. `remover_account_id` bigint(20) unsigned, nullable.
    pub remover_account_id: Option<AccountId>,
}

impl QuarantinedIp {
    /// Whether the quarantine still holds at `at`.
    ///
    /// ```
    /// # use cloudstack_db::network::QuarantinedIp;
    /// # use cloudstack_db::types::*;
    /// use chrono::{Duration, Utc};
    /// let now = Utc::now();
    /// let q = QuarantinedIp { id: 1, uuid: None, public_ip_address_id: IpAddressId(5),
    ///     previous_owner_id: AccountId(7), created: now, removed: None,
    ///     end_date: now + Duration::minutes(10), removal_reason: None, remover_account_id: None };
    /// assert!(q.active_at(now) && !q.active_at(now + Duration::minutes(11)));
    /// ```
    pub fn active_at(&self, at: DateTime<Utc>) -> bool {
        match self.removed {
            Some(removed) => at < removed && at < self.end_date,
            None => at < self.end_date,
        }
    }
}
