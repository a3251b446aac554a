//! A generated, deterministic usage history: many accounts' VMs started and stopped, volumes
//! created, resized and deleted, public addresses assigned and released — written straight
//! into `cloud.usage_event` in time order, as a busy cloud would have written them. For tests
//! and benchmarks of the usage job at scale.

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use cloudstack_db::events::usage_events::kinds;
use cloudstack_db::events::{NewUsageEvent, usage_event_for};
use cloudstack_db::identity::{AccountType, accounts};
use cloudstack_db::schema::cloud::usage_event;
use cloudstack_db::types::{AccountId, DomainId, TemplateId, ZoneId};
use cloudstack_db::{Database, Result};

/// What to generate.
///
/// ```
/// let spec = cloudstack_db_testing::HistorySpec::default();
/// assert_eq!((spec.accounts, spec.days), (20, 2));
/// ```
#[derive(Debug, Clone)]
pub struct HistorySpec {
    /// Accounts created (in the ROOT domain) to own the resources.
    pub accounts: u32,
    /// Stop once at least this many events were generated.
    pub events: u64,
    /// The first instant of the history.
    pub start: DateTime<Utc>,
    /// How many days it spans.
    pub days: u32,
    /// Seed of the generator: the same spec gives the same events.
    pub seed: u64,
}

impl Default for HistorySpec {
    fn default() -> Self {
        Self {
            accounts: 20,
            events: 10_000,
            start: DateTime::from_timestamp(1_795_392_000, 0).expect("valid"), // 2026-11-23 00:00 UTC
            days: 2,
            seed: 42,
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistorySummary {
    /// Usage events written.
    pub events: u64,
    /// Distinct VMs they are about.
    pub vms: u64,
    /// The accounts that own them.
    pub accounts: Vec<AccountId>,
}

const GIB: u64 = 1 << 30;
const ZONE: ZoneId = ZoneId(1);

/// Writes the history of `spec` into `db`'s `cloud.usage_event` (and its accounts into
/// `cloud.account`). Resource ids are synthetic: no VM, volume or address rows are created.
///
/// ```no_run
/// use cloudstack_db_testing::{generate_usage_history, HistorySpec, TestDatabases};
/// let test = TestDatabases::new()?;
/// let summary = generate_usage_history(test.database(), &HistorySpec::default())?;
/// assert!(summary.events >= 10_000);
/// # Ok::<(), cloudstack_db::Error>(())
/// ```
pub fn generate_usage_history(db: &Database, spec: &HistorySpec) -> Result<HistorySummary> {
    let accounts: Vec<AccountId> = db.write(|tx| {
        (0..spec.accounts.max(1))
            .map(|i| {
                accounts::create(
                    tx,
                    &cloudstack_db::identity::accounts::AccountSpec::new(
                        DomainId(1),
                        format!("usage-history-{}-{i}", spec.seed),
                        AccountType::Normal,
                    ),
                )
                .map(|a| a.id)
            })
            .collect()
    })?;
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let end = spec.start + Duration::days(i64::from(spec.days.max(1)));
    let mut events: Vec<NewUsageEvent> = Vec::new();
    let mut vm = 0u64;
    let mut next_ip = 1u64;
    while (events.len() as u64) < spec.events {
        vm += 1;
        let account = accounts[(vm as usize) % accounts.len()];
        let vm_id = 1_000_000 + vm;
        let root_id = 2_000_000 + vm;
        let name = format!("vm-{vm}");
        let event = |kind: &str, at: DateTime<Utc>, id: u64, name: &str| NewUsageEvent {
            created: at,
            ..usage_event_for(kind, account, ZONE, id, name)
        };
        let vm_event = |kind: &str, at| NewUsageEvent {
            offering_id: Some(1 + vm % 3),
            template_id: Some(TemplateId(4)),
            resource_type: Some("KVM".to_owned()),
            ..event(kind, at, vm_id, &name)
        };
        let mut at = spec.start + Duration::seconds(rng.random_range(0..86_400));
        events.push(vm_event(kinds::VM_CREATE, at));
        events.push(NewUsageEvent {
            template_id: Some(TemplateId(4)),
            size: Some(8 * GIB),
            ..event(kinds::VOLUME_CREATE, at, root_id, &format!("ROOT-{vm}"))
        });
        loop {
            at += Duration::seconds(rng.random_range(60..36_000));
            if at >= end {
                break;
            }
            events.push(vm_event(kinds::VM_START, at));
            let stop = at + Duration::seconds(rng.random_range(300..72_000));
            let assigned = at + Duration::seconds(rng.random_range(1..600));
            if assigned < end && rng.random_bool(0.25) {
                let address_id = next_ip;
                next_ip += 1;
                let address = format!(
                    "10.{}.{}.{}",
                    (address_id >> 16) & 255,
                    (address_id >> 8) & 255,
                    address_id & 255
                );
                let ip_event = |kind: &str, when| NewUsageEvent {
                    template_id: Some(TemplateId(0)),
                    size: Some(u64::from(address_id % 5 == 0)),
                    resource_type: Some("VirtualNetwork".to_owned()),
                    ..event(kind, when, address_id, &address)
                };
                events.push(ip_event(kinds::NET_IP_ASSIGN, assigned));
                let released = assigned + Duration::seconds(rng.random_range(60..90_000));
                if released < end {
                    events.push(ip_event(kinds::NET_IP_RELEASE, released));
                }
            }
            let when = at + Duration::seconds(rng.random_range(1..3_600));
            if when < end && rng.random_bool(0.1) {
                events.push(NewUsageEvent {
                    template_id: Some(TemplateId(4)),
                    size: Some(rng.random_range(9..64) * GIB),
                    ..event(kinds::VOLUME_RESIZE, when, root_id, &format!("ROOT-{vm}"))
                });
            }
            if stop >= end {
                break;
            }
            events.push(vm_event(kinds::VM_STOP, stop));
            at = stop;
            let gone = stop + Duration::seconds(60);
            if gone < end && rng.random_bool(0.15) {
                events.push(vm_event(kinds::VM_DESTROY, gone));
                events.push(event(
                    kinds::VOLUME_DELETE,
                    gone,
                    root_id,
                    &format!("ROOT-{vm}"),
                ));
                break;
            }
        }
    }
    // Ids in time order, as a live system assigns them (stable: a VM's same-second events
    // keep their order).
    events.sort_by_key(|e| e.created);
    let written = events.len() as u64;
    db.cloud().run(|conn| {
        use diesel::RunQueryDsl;
        for chunk in cloudstack_db::repo::owned_chunks(events, 4000) {
            diesel::insert_into(usage_event::table)
                .values(chunk)
                .execute(conn)?;
        }
        Ok(())
    })?;
    Ok(HistorySummary {
        events: written,
        vms: vm,
        accounts,
    })
}
