//! What a billing system asks of the usage records: the records of an account for a period
//! (paged), totals per account and usage type, and totals per resource.

use chrono::SubsecRound;
use diesel::dsl::{count_star, sum};
use diesel::mysql::Mysql;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::{UsagePeriod, UsageRecord, UsageType};
use crate::Result;
use crate::repo::{Page, PageRequest};
use crate::schema::cloud_usage::cloud_usage;
use crate::types::{AccountId, DomainId};

/// Which records: every field set narrows the selection.
///
/// ```
/// use cloudstack_db::usage::{billing::RecordFilter, UsagePeriod, UsageType};
/// use cloudstack_db::types::AccountId;
/// let f = RecordFilter::account(AccountId(5)).of_type(UsageType::RunningVm);
/// assert_eq!(f.usage_type, Some(UsageType::RunningVm));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordFilter {
    /// Records of this account.
    pub account: Option<AccountId>,
    /// Records of accounts of this domain (not its subdomains).
    pub domain: Option<DomainId>,
    /// Records of this usage type.
    pub usage_type: Option<UsageType>,
    /// Records of this resource (`usage_id`: VM, volume or IP address id — ids are per
    /// resource kind, so combine it with `usage_type`).
    pub usage_id: Option<u64>,
    /// Records whose window lies within this period.
    pub period: Option<UsagePeriod>,
}

impl RecordFilter {
    /// The records of one account.
    pub fn account(account: AccountId) -> Self {
        Self {
            account: Some(account),
            ..Self::default()
        }
    }

    /// Also only records of `usage_type`.
    pub fn of_type(mut self, usage_type: UsageType) -> Self {
        self.usage_type = Some(usage_type);
        self
    }

    /// Also only records of resource `usage_id`.
    pub fn of_resource(mut self, usage_id: u64) -> Self {
        self.usage_id = Some(usage_id);
        self
    }

    /// Also only records whose window lies within `period`.
    pub fn within(mut self, period: UsagePeriod) -> Self {
        self.period = Some(period);
        self
    }

    /// The filter as one SQL condition.
    fn condition(&self) -> Box<dyn BoxableExpression<cloud_usage::table, Mysql, SqlType = Bool>> {
        let mut cond: Box<dyn BoxableExpression<cloud_usage::table, Mysql, SqlType = Bool>> =
            Box::new(cloud_usage::id.ge(0u64));
        if let Some(account) = self.account {
            cond = Box::new(cond.and(cloud_usage::account_id.eq(account.get())));
        }
        if let Some(domain) = self.domain {
            cond = Box::new(cond.and(cloud_usage::domain_id.eq(domain.get())));
        }
        if let Some(usage_type) = self.usage_type {
            cond = Box::new(
                cond.and(
                    cloud_usage::usage_type
                        .eq(usage_type.value())
                        .assume_not_null(),
                ),
            );
        }
        if let Some(usage_id) = self.usage_id {
            cond = Box::new(cond.and(cloud_usage::usage_id.eq(usage_id).assume_not_null()));
        }
        if let Some(period) = self.period {
            let start = period.start().trunc_subsecs(0).naive_utc();
            let end = period.end().trunc_subsecs(0).naive_utc();
            cond = Box::new(
                cond.and(cloud_usage::start_date.ge(start))
                    .and(cloud_usage::end_date.le(end)),
            );
        }
        cond
    }
}

/// One page of the records `filter` selects, in id order.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// use cloudstack_db::repo::PageRequest;
/// use cloudstack_db::types::AccountId;
/// use cloudstack_db::usage::billing::{list_records, RecordFilter};
/// let page = list_records(conn, &RecordFilter::account(AccountId(5)), &PageRequest::first(100))?;
/// for r in &page.items { println!("{} {}", r.description, r.usage_display); }
/// # Ok(()) }
/// ```
///
/// May read from a replica: run it on [`crate::Database::usage_reads`] when data a few
/// seconds old will do (see `docs/scaling.md`).
pub fn list_records(
    conn: &mut MysqlConnection,
    filter: &RecordFilter,
    page: &PageRequest,
) -> Result<Page<UsageRecord>> {
    let build = || cloud_usage::table.filter(filter.condition());
    crate::repo::keyset_page!(
        conn,
        page,
        build,
        cloud_usage::id,
        page.after_id(),
        UsageRecord,
        |r: &UsageRecord| r.id.get()
    )
}

/// Usage of one account (or resource) and type summed over the selected records.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageTotal {
    /// The account.
    pub account_id: AccountId,
    /// The usage type (`None` for records without one).
    pub usage_type: Option<UsageType>,
    /// The resource, for [`totals_by_resource`]; `None` in [`totals_by_account`].
    pub usage_id: Option<u64>,
    /// How many records were summed.
    pub records: i64,
    /// Sum of `raw_usage` (hours for time-based types).
    pub raw_usage: f64,
}

/// Sums per account and usage type, ordered by account then type.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection, day: cloudstack_db::usage::UsagePeriod) -> cloudstack_db::Result<()> {
/// use cloudstack_db::usage::billing::{totals_by_account, RecordFilter};
/// for t in totals_by_account(conn, &RecordFilter::default().within(day))? {
///     println!("account {} {:?}: {} h", t.account_id.get(), t.usage_type, t.raw_usage);
/// }
/// # Ok(()) }
/// ```
///
/// May read from a replica: run it on [`crate::Database::usage_reads`] when data a few
/// seconds old will do (see `docs/scaling.md`).
pub fn totals_by_account(
    conn: &mut MysqlConnection,
    filter: &RecordFilter,
) -> Result<Vec<UsageTotal>> {
    let rows: Vec<(u64, Option<UsageType>, i64, Option<f64>)> = cloud_usage::table
        .filter(filter.condition())
        .group_by((cloud_usage::account_id, cloud_usage::usage_type))
        .select((
            cloud_usage::account_id,
            cloud_usage::usage_type,
            count_star(),
            sum(cloud_usage::raw_usage),
        ))
        .order((cloud_usage::account_id, cloud_usage::usage_type))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(account, usage_type, records, raw)| UsageTotal {
            account_id: AccountId(account),
            usage_type,
            usage_id: None,
            records,
            raw_usage: raw.unwrap_or(0.0),
        })
        .collect())
}

/// account, usage type, resource, records, sum of raw usage.
type ResourceTotalRow = (u64, Option<UsageType>, Option<u64>, i64, Option<f64>);

/// Sums per account, usage type and resource, ordered by account, type and resource.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// use cloudstack_db::types::AccountId;
/// use cloudstack_db::usage::billing::{totals_by_resource, RecordFilter};
/// let per_vm = totals_by_resource(conn, &RecordFilter::account(AccountId(5)))?;
/// # Ok(()) }
/// ```
///
/// May read from a replica: run it on [`crate::Database::usage_reads`] when data a few
/// seconds old will do (see `docs/scaling.md`).
pub fn totals_by_resource(
    conn: &mut MysqlConnection,
    filter: &RecordFilter,
) -> Result<Vec<UsageTotal>> {
    let rows: Vec<ResourceTotalRow> = cloud_usage::table
        .filter(filter.condition())
        .group_by((
            cloud_usage::account_id,
            cloud_usage::usage_type,
            cloud_usage::usage_id,
        ))
        .select((
            cloud_usage::account_id,
            cloud_usage::usage_type,
            cloud_usage::usage_id,
            count_star(),
            sum(cloud_usage::raw_usage),
        ))
        .order((
            cloud_usage::account_id,
            cloud_usage::usage_type,
            cloud_usage::usage_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(account, usage_type, usage_id, records, raw)| UsageTotal {
            account_id: AccountId(account),
            usage_type,
            usage_id,
            records,
            raw_usage: raw.unwrap_or(0.0),
        })
        .collect())
}
