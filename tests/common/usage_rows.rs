//! Usage histories written the way CloudStack's Java servers write them (plain `cloud` rows),
//! the usage job's runs, and its records, for the usage integration tests.

use chrono::{DateTime, Duration, TimeZone, Utc};
use cloudstack_db::Database;
use cloudstack_db::schema::cloud_usage::cloud_usage;
use cloudstack_db::usage::*;
use diesel::prelude::*;

pub fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap()
}

/// A usage event as `UsageEventUtils#publishUsageEvent` inserts it into `cloud.usage_event`,
/// with its `usage_event_details`.
#[derive(Debug, Clone)]
pub struct JavaEvent<'a> {
    pub kind: &'a str,
    pub account: u64,
    pub created: DateTime<Utc>,
    pub zone: u64,
    pub resource: u64,
    pub name: &'a str,
    pub offering: Option<u64>,
    pub template: Option<u64>,
    pub size: Option<u64>,
    pub virtual_size: Option<u64>,
    pub resource_type: Option<&'a str>,
    pub details: &'a [(&'a str, &'a str)],
}

impl<'a> JavaEvent<'a> {
    /// `kind` of `resource` for `account` at `created`, in zone 1, other columns NULL.
    pub fn new(
        kind: &'a str,
        account: u64,
        created: DateTime<Utc>,
        resource: u64,
        name: &'a str,
    ) -> Self {
        Self {
            kind,
            account,
            created,
            zone: 1,
            resource,
            name,
            offering: None,
            template: None,
            size: None,
            virtual_size: None,
            resource_type: None,
            details: &[],
        }
    }

    /// Inserts the event (and its details) into `cloud`.
    pub fn insert(&self, db: &Database) {
        let opt = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or("NULL".into());
        let text = |v: Option<&str>| v.map(|t| format!("'{t}'")).unwrap_or("NULL".into());
        db.cloud()
            .run(|conn| {
                diesel::sql_query(format!(
                    "INSERT INTO usage_event (type, account_id, created, zone_id, resource_id, \
                       resource_name, offering_id, template_id, size, virtual_size, resource_type) \
                     VALUES ('{}', {}, '{}', {}, {}, '{}', {}, {}, {}, {}, {})",
                    self.kind,
                    self.account,
                    self.created.format("%Y-%m-%d %H:%M:%S"),
                    self.zone,
                    self.resource,
                    self.name,
                    opt(self.offering),
                    opt(self.template),
                    opt(self.size),
                    opt(self.virtual_size),
                    text(self.resource_type),
                ))
                .execute(conn)?;
                let id = cloudstack_db::repo::last_insert_id(conn)?;
                for (k, v) in self.details {
                    diesel::sql_query(format!(
                        "INSERT INTO usage_event_details (usage_event_id, name, value) \
                         VALUES ({id}, '{k}', '{v}')"
                    ))
                    .execute(conn)?;
                }
                Ok(())
            })
            .unwrap();
    }
}

/// A usage event in zone 1 without a virtual size (see [`JavaEvent`]).
#[allow(clippy::too_many_arguments)]
pub fn event(
    db: &Database,
    kind: &str,
    account: u64,
    created: DateTime<Utc>,
    resource: u64,
    name: &str,
    offering: Option<u64>,
    template: Option<u64>,
    size: Option<u64>,
    resource_type: Option<&str>,
    details: &[(&str, &str)],
) {
    JavaEvent {
        offering,
        template,
        size,
        resource_type,
        details,
        ..JavaEvent::new(kind, account, created, resource, name)
    }
    .insert(db);
}

pub fn vm_event(
    db: &Database,
    kind: &str,
    account: u64,
    created: DateTime<Utc>,
    vm: u64,
    offering: u64,
    details: &[(&str, &str)],
) {
    event(
        db,
        kind,
        account,
        created,
        vm,
        "box",
        Some(offering),
        Some(4),
        None,
        Some("KVM"),
        details,
    );
}

/// An account as `AccountManagerImpl#createAccount` stores it, removed at `removed`.
pub fn account(db: &Database, name: &str, removed: Option<DateTime<Utc>>) -> u64 {
    db.cloud()
        .run(|conn| {
            diesel::sql_query(format!(
                "INSERT INTO account (account_name, uuid, type, domain_id, state, created, removed) \
                 VALUES ('{name}', UUID(), 0, 1, 'enabled', '2026-11-01 00:00:00', {})",
                removed
                    .map(|r| format!("'{}'", r.format("%Y-%m-%d %H:%M:%S")))
                    .unwrap_or("NULL".into())
            ))
            .execute(conn)?;
            cloudstack_db::repo::last_insert_id(conn)
        })
        .unwrap()
}

pub fn run(db: &Database, period: UsagePeriod, range: Duration) -> AggregationReport {
    let options = AggregationOptions {
        range,
        ..AggregationOptions::for_period(period)
    };
    let report = aggregate(db, &options, &mut |_| {}).unwrap();
    assert!(
        matches!(report.outcome, AggregationOutcome::Aggregated(_)),
        "{report:?}"
    );
    report
}

pub fn day(d: u32) -> UsagePeriod {
    UsagePeriod::day(chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap())
}

pub fn records(db: &Database) -> Vec<UsageRecord> {
    db.usage()
        .run(|conn| {
            Ok(cloud_usage::table
                .order((
                    cloud_usage::start_date,
                    cloud_usage::usage_type,
                    cloud_usage::id,
                ))
                .select(UsageRecord::as_select())
                .load(conn)?)
        })
        .unwrap()
}

/// Hours as CloudStack computes them from `ms` (single precision; checked against the JDK in
/// tests/usage_hours_vectors.rs).
pub fn hours(ms: u64) -> f64 {
    f64::from(ms as f32 / 1000f32 / 60f32 / 60f32)
}
