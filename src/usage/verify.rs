//! Checking billed usage: recompute a period's records from the helper tables without writing
//! anything, and compare them with the records already in `cloud_usage` — written by
//! CloudStack's usage server or by this crate.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use diesel::prelude::*;

use super::records::{Scope, for_account_steps, removed_since, window_records};
use super::{NewUsageRecord, UsagePeriod, UsageRecord, UsageType};
use crate::Database;
use crate::Result;
use crate::schema::cloud_usage::cloud_usage;
use crate::types::AccountId;

/// Usage types whose records `verify` does not recompute: CloudStack's VM snapshot parser marks
/// the helper rows it bills as processed, so after the run the rows it read are gone from the
/// query it read them with.
pub const NOT_RECOMPUTABLE: &[UsageType] = &[UsageType::VmSnapshot];

/// What differs between a recomputed record and the stored one.
#[derive(Debug, Clone, PartialEq)]
pub enum Difference {
    /// The recomputation has this record; `cloud_usage` has none like it.
    Missing {
        /// What was expected (description, display and amount).
        expected: String,
    },
    /// `cloud_usage` has this record (its id); the recomputation has none like it.
    Unexpected {
        /// `cloud_usage.id`.
        id: u64,
        /// What it says (description, display and amount).
        found: String,
    },
    /// Both have the record; these fields differ: (column, expected, found).
    Changed {
        /// `cloud_usage.id`.
        id: u64,
        /// `(column, expected, found)` per differing column.
        fields: Vec<(&'static str, String, String)>,
    },
}

/// One difference, with the record's account, type, resource and window.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordDifference {
    /// The account billed.
    pub account_id: AccountId,
    /// The usage type.
    pub usage_type: Option<UsageType>,
    /// `usage_id` (the resource: volume, address, rule, ...), when the type has one.
    pub usage_id: Option<u64>,
    /// `vm_instance_id`, when the type has one.
    pub vm_instance_id: Option<u64>,
    /// The record's start and end (whole seconds).
    pub start: DateTime<Utc>,
    /// See `start`.
    pub end: DateTime<Utc>,
    /// What differs.
    pub difference: Difference,
}

impl std::fmt::Display for RecordDifference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = self.usage_type.map_or("?", |t| t.name());
        write!(f, "account {} {kind}", self.account_id.get())?;
        if let Some(id) = self.usage_id {
            write!(f, " resource {id}")?;
        }
        if let Some(vm) = self.vm_instance_id {
            write!(f, " vm {vm}")?;
        }
        write!(
            f,
            " {}..{}: ",
            self.start.format("%Y-%m-%d %H:%M:%S"),
            self.end.format("%Y-%m-%d %H:%M:%S")
        )?;
        match &self.difference {
            Difference::Missing { expected } => write!(f, "missing ({expected})"),
            Difference::Unexpected { id, found } => write!(f, "unexpected record {id} ({found})"),
            Difference::Changed { id, fields } => {
                write!(f, "record {id} differs:")?;
                for (column, expected, found) in fields {
                    write!(f, " {column} expected {expected:?} found {found:?};")?;
                }
                Ok(())
            }
        }
    }
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyReport {
    /// Windows recomputed.
    pub windows: usize,
    /// Records recomputed.
    pub expected: u64,
    /// Records found in `cloud_usage` for those windows.
    pub found: u64,
    /// Every difference, in window, account and type order.
    pub differences: Vec<RecordDifference>,
}

/// A record reduced to what identifies it (account, type, resource, window and the parser's
/// other key parts) and what it says.
#[derive(Debug, Clone)]
struct Comparable {
    id: Option<u64>,
    fields: Vec<(&'static str, String)>,
}

type Key = (
    u64,
    u32,
    DateTime<Utc>,
    DateTime<Utc>,
    u64,
    Option<u64>,
    Option<u64>,
    Option<u64>,
    Option<u64>,
    Option<(Option<u32>, Option<u32>, Option<u32>)>,
    Option<u64>,
);

#[allow(clippy::too_many_arguments)]
fn key(
    account: u64,
    usage_type: Option<UsageType>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    zone: u64,
    usage_id: Option<u64>,
    vm: Option<u64>,
    offering: Option<u64>,
    network: Option<u64>,
    compute: (Option<u32>, Option<u32>, Option<u32>),
    size: Option<u64>,
) -> Key {
    let t = usage_type.map_or(0, |t| t.value());
    let is_vm = matches!(
        usage_type,
        Some(UsageType::RunningVm | UsageType::AllocatedVm)
    );
    // Volume records are keyed by size too (`VolumeUsageParser`).
    let keyed_size = (usage_type == Some(UsageType::Volume))
        .then_some(size)
        .flatten();
    (
        account,
        t,
        start,
        end,
        zone,
        usage_id,
        vm,
        offering,
        network,
        is_vm.then_some(compute),
        keyed_size,
    )
}

fn text<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "NULL".to_owned(), |v| v.to_string())
}

fn entry(r: &NewUsageRecord) -> (Key, Comparable) {
    let k = key(
        r.account_id.get(),
        r.usage_type,
        r.start_date,
        r.end_date,
        r.zone_id.get(),
        r.usage_id,
        r.vm_instance_id.map(|v| v.get()),
        r.offering_id,
        r.network_id.map(|n| n.get()),
        (r.cpu_cores, r.cpu_speed, r.memory),
        r.size,
    );
    let fields = vec![
        ("description", r.description.clone()),
        ("usage_display", r.usage_display.clone()),
        ("raw_usage", format!("{:?}", r.raw_usage)),
        ("domain_id", r.domain_id.get().to_string()),
        ("vm_name", text(r.vm_name.clone())),
        ("template_id", text(r.template_id.map(|t| t.get()))),
        ("size", text(r.size)),
        ("virtual_size", text(r.virtual_size)),
        ("type", text(r.resource_kind.clone())),
        ("is_hidden", r.is_hidden.to_string()),
        ("state", text(r.state.clone())),
    ];
    (
        k,
        Comparable {
            id: r.id.map(|id| id.get()),
            fields,
        },
    )
}

/// A stored record in the shape of a computed one.
fn as_new(r: &UsageRecord) -> NewUsageRecord {
    NewUsageRecord {
        id: Some(r.id),
        zone_id: r.zone_id,
        account_id: r.account_id,
        domain_id: r.domain_id,
        description: r.description.clone(),
        usage_display: r.usage_display.clone(),
        usage_type: r.usage_type,
        raw_usage: r.raw_usage,
        vm_instance_id: r.vm_instance_id,
        vm_name: r.vm_name.clone(),
        offering_id: r.offering_id,
        template_id: r.template_id,
        usage_id: r.usage_id,
        resource_kind: r.resource_kind.clone(),
        size: r.size,
        network_id: r.network_id,
        start_date: r.start_date,
        end_date: r.end_date,
        virtual_size: r.virtual_size,
        cpu_speed: r.cpu_speed,
        cpu_cores: r.cpu_cores,
        memory: r.memory,
        quota_calculated: Some(r.quota_calculated),
        is_hidden: r.is_hidden,
        state: r.state.clone(),
    }
}

fn summary(c: &Comparable) -> String {
    let get = |name: &str| {
        c.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
            .to_owned()
    };
    format!("{}, {}", get("description"), get("usage_display"))
}

/// Recomputes the records of `period`, cut into windows of `range` as a run over exactly that
/// period cuts it, from the helper tables as they are now — writing nothing — and lists every
/// difference with the records in `cloud_usage` whose start and end fall in one of those
/// windows. Types in [`NOT_RECOMPUTABLE`] are left out on both sides.
///
/// The helper tables must still hold what the runs read: rows ended after the period by events
/// that arrived late, or counters that changed since (bucket sizes are read as they are now),
/// show up as differences.
///
/// ```no_run
/// use cloudstack_db::usage::{UsagePeriod, verify};
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// let day = UsagePeriod::day(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
/// let report = verify(db, day, chrono::Duration::days(1))?;
/// for d in &report.differences {
///     println!("{d}");
/// }
/// # Ok(()) }
/// ```
pub fn verify(db: &Database, period: UsagePeriod, range: Duration) -> Result<VerifyReport> {
    let windows = period.windows(range);
    let removed_since = removed_since(period.start());
    db.usage().run(|conn| {
        let mut report = VerifyReport {
            windows: windows.len(),
            expected: 0,
            found: 0,
            differences: Vec::new(),
        };
        for window in &windows {
            let scope = Scope {
                window: *window,
                removed_since,
                settle_at: None,
            };
            let mut expected: BTreeMap<Key, Vec<Comparable>> = BTreeMap::new();
            for_account_steps(conn, |conn, accounts| {
                for r in window_records(conn, &scope, accounts)? {
                    if r.usage_type.is_some_and(|t| NOT_RECOMPUTABLE.contains(&t)) {
                        continue;
                    }
                    let (k, c) = entry(&r);
                    expected.entry(k).or_default().push(c);
                    report.expected += 1;
                }
                Ok(())
            })?;
            let stored: Vec<UsageRecord> = cloud_usage::table
                .filter(cloud_usage::start_date.ge(window.start().trunc_subsecs(0).naive_utc()))
                .filter(cloud_usage::end_date.le(window.end().trunc_subsecs(0).naive_utc()))
                .filter(
                    cloud_usage::usage_type
                        .ne_all(NOT_RECOMPUTABLE.iter().copied().map(Some))
                        .or(cloud_usage::usage_type.is_null()),
                )
                .order(cloud_usage::id)
                .select(UsageRecord::as_select())
                .load(conn)?;
            report.found += stored.len() as u64;
            let mut found: BTreeMap<Key, Vec<Comparable>> = BTreeMap::new();
            for r in &stored {
                let (k, c) = entry(&as_new(r));
                found.entry(k).or_default().push(c);
            }
            compare(expected, found, &mut report.differences);
        }
        Ok(report)
    })
}

fn compare(
    expected: BTreeMap<Key, Vec<Comparable>>,
    mut found: BTreeMap<Key, Vec<Comparable>>,
    out: &mut Vec<RecordDifference>,
) {
    let difference = |k: &Key, difference| RecordDifference {
        account_id: AccountId(k.0),
        usage_type: UsageType::from_value(k.1),
        usage_id: k.5,
        vm_instance_id: k.6,
        start: k.2,
        end: k.3,
        difference,
    };
    for (k, mut want) in expected {
        let mut have = found.remove(&k).unwrap_or_default();
        // Records sharing a key pair up by what they say.
        want.sort_by(|a, b| a.fields.cmp(&b.fields));
        have.sort_by(|a, b| a.fields.cmp(&b.fields));
        let pairs = want.len().min(have.len());
        for (w, h) in want.iter().zip(&have) {
            let fields: Vec<_> = w
                .fields
                .iter()
                .zip(&h.fields)
                .filter(|((_, a), (_, b))| a != b)
                .map(|((n, a), (_, b))| (*n, a.clone(), b.clone()))
                .collect();
            if !fields.is_empty() {
                out.push(difference(
                    &k,
                    Difference::Changed {
                        id: h.id.unwrap_or(0),
                        fields,
                    },
                ));
            }
        }
        for w in &want[pairs..] {
            out.push(difference(
                &k,
                Difference::Missing {
                    expected: summary(w),
                },
            ));
        }
        for h in &have[pairs..] {
            out.push(difference(
                &k,
                Difference::Unexpected {
                    id: h.id.unwrap_or(0),
                    found: summary(h),
                },
            ));
        }
    }
    for (k, have) in found {
        for h in have {
            out.push(difference(
                &k,
                Difference::Unexpected {
                    id: h.id.unwrap_or(0),
                    found: summary(&h),
                },
            ));
        }
    }
}
