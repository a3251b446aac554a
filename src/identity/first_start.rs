//! What CloudStack's management server writes at its first start on a fresh database, for
//! deployments with no Java server (and the tour, and the tests): the `system` and `admin`
//! accounts and users, the admin's default security group, the default compute and disk
//! offerings, the system network offerings, and the admin enabled with the password `password`.
//!
//! Migrating (and the setup tool) leaves none of this, as CloudStack's own tool leaves none of
//! it: a 4.22 management server started on such a database runs its whole first start. When
//! [`first_start`] ran first, a Java server started later finds every row it looks for — by id
//! for the accounts and users, by name for the security group, by `unique_name` for the
//! offerings — and skips it (`../shared/cloudstack-schema/FIRST-START.md` §3): nothing is
//! written twice and nothing clashes. `configuration.init` is left NULL, so Java still runs the
//! part of its first start the crate does not model (the `configuration` rows of its `Config`
//! entries, network offerings, secrets); the rows themselves are the record of what ran here,
//! and a second call writes nothing.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::AccountState;
use super::password::hash_password;
use crate::Result;
use crate::catalog::{NewDiskOffering, NewServiceOffering, disk_offerings, service_offerings};
use crate::db::Tx;
use crate::resources::{Owner, create_counts};
use crate::schema::cloud::{disk_offering, service_offering, user};
use crate::types::{OfferingState, ProvisioningType, UserId};

/// The default admin user's id.
pub const DEFAULT_ADMIN_ID: UserId = UserId(2);
/// The password a fresh CloudStack install gives the admin user. Change it.
pub const DEFAULT_ADMIN_PASSWORD: &str = "password";

/// What one [`first_start`] wrote (all zero and `false` when it had run before).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FirstStart {
    /// Accounts 1 (`system`) and 2 (`admin`) written.
    pub accounts: u32,
    /// Users 1 (`system`) and 2 (`admin`) written.
    pub users: u32,
    /// The admin's `default` security group written.
    pub security_group: bool,
    /// Compute offerings written (`Small Instance`, `Medium Instance`), each with its
    /// compute-only disk offering.
    pub compute_offerings: u32,
    /// Disk offerings written (`Small`, `Medium`, `Large`, `Custom`).
    pub disk_offerings: u32,
    /// System network offerings written (`System-Public-Network` and the other five).
    pub network_offerings: u32,
    /// `resource_count` rows written for ROOT and accounts 1 and 2 (the types they lacked).
    pub resource_counts: u32,
    /// Whether user `admin` was enabled with the default password.
    pub admin_enabled: bool,
}

/// Writes what CloudStack's first start writes of the rows the crate models, each only when
/// missing, in Java's order and with Java's values (FIRST-START.md §2.1–2.4: accounts and
/// users, the security group, compute and disk offerings, the system network offerings), then
/// enables the admin ([`finish_fresh_install`]). The domain `ROOT` and the roles come from the migrations.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// use cloudstack_db::identity::first_start::first_start;
/// let wrote = db.write(first_start)?;
/// if wrote.admin_enabled {
///     eprintln!("admin enabled with the default password: change it");
/// }
/// # Ok(()) }
/// ```
pub fn first_start(tx: &mut Tx<'_>) -> Result<FirstStart> {
    let mut wrote = FirstStart::default();
    for (id, name) in [(1, "system"), (2, "admin")] {
        if !exists(tx, "SELECT COUNT(*) AS n FROM account WHERE id = ?", id)? {
            // ConfigurationServerImpl.saveUser: type ADMIN, role Root Admin, domain ROOT; every
            // other column its default (`created` stays NULL).
            diesel::sql_query(
                "INSERT INTO account (id, account_name, uuid, type, role_id, domain_id, `default`) \
                 VALUES (?, ?, UUID(), 1, 1, 1, 1)",
            )
            .bind::<BigInt, _>(id)
            .bind::<Text, _>(name)
            .execute(tx.conn())?;
            wrote.accounts += 1;
        }
        if !exists(tx, "SELECT COUNT(*) AS n FROM user WHERE id = ?", id)? {
            // The password is the text of RAND(): no hash, so nobody logs in with it; the admin
            // starts disabled until enabled below.
            let state = if id == 2 { "disabled" } else { "enabled" };
            diesel::sql_query(
                "INSERT INTO user (id, uuid, username, password, account_id, firstname, lastname, \
                 state, created, `default`) \
                 VALUES (?, UUID(), ?, RAND(), ?, ?, 'cloud', ?, UTC_TIMESTAMP(), 1)",
            )
            .bind::<BigInt, _>(id)
            .bind::<Text, _>(name)
            .bind::<BigInt, _>(id)
            .bind::<Text, _>(name)
            .bind::<Text, _>(state)
            .execute(tx.conn())?;
            wrote.users += 1;
        }
    }
    if !exists(
        tx,
        "SELECT COUNT(*) AS n FROM security_group WHERE account_id = ? AND name = 'default'",
        2,
    )? {
        diesel::sql_query(
            "INSERT INTO security_group (uuid, name, description, account_id, domain_id) \
             VALUES (UUID(), 'default', 'Default Security Group', 2, 1)",
        )
        .execute(tx.conn())?;
        wrote.security_group = true;
    }
    for (name, cpu, ram_mb, mhz) in [
        ("Small Instance", 1, 512, 500),
        ("Medium Instance", 1, 1024, 1000),
    ] {
        if compute_offering(tx, name, cpu, ram_mb, mhz)? {
            wrote.compute_offerings += 1;
        }
    }
    // CloudStack asks for `Large` twice; the second call finds the first.
    for (name, text, gib, customized) in [
        ("Small", "Small Disk, 5 GB", 5, false),
        ("Medium", "Medium Disk, 20 GB", 20, false),
        ("Large", "Large Disk, 100 GB", 100, false),
        ("Custom", "Custom Disk", 0, true),
    ] {
        if disk_offering_if_missing(tx, disk(name, text, gib << 30, customized, false))? {
            wrote.disk_offerings += 1;
        }
    }
    for (name, traffic, specify_vlan, specify_ip_ranges) in SYSTEM_NETWORK_OFFERINGS {
        if system_network_offering(tx, name, traffic, specify_vlan, specify_ip_ranges)? {
            wrote.network_offerings += 1;
        }
    }
    // Resource counts of ROOT and both accounts: the types they lack (updateResourceCount).
    for owner in [
        Owner::Domain(crate::types::DomainId(1)),
        Owner::Account(crate::types::AccountId(1)),
        Owner::Account(crate::types::AccountId(2)),
    ] {
        wrote.resource_counts += create_counts(tx, owner)? as u32;
    }
    wrote.admin_enabled = finish_fresh_install(tx)?;
    Ok(wrote)
}

/// The system network offerings CloudStack writes at every start, in its order (name, traffic
/// type, `specify_vlan`, `specify_ip_ranges`); `System-Public-Network` gets id 1 on a fresh
/// database. The two private-gateway offerings are Isolated guest offerings.
const SYSTEM_NETWORK_OFFERINGS: [(&str, &str, bool, bool); 6] = [
    ("System-Public-Network", "Public", false, true),
    ("System-Management-Network", "Management", false, false),
    ("System-Control-Network", "Control", false, false),
    ("System-Storage-Network", "Storage", false, true),
    (
        "System-Private-Gateway-Network-Offering",
        "Guest",
        true,
        false,
    ),
    (
        "System-Private-Gateway-Network-Offering-Without-Vlan",
        "Guest",
        false,
        false,
    ),
];

/// One system network offering as `NetworkOfferingVO`'s system constructors write it (no
/// service map), check-first on the unique name as `persistDefaultNetworkOffering` is.
fn system_network_offering(
    tx: &mut Tx<'_>,
    name: &str,
    traffic: &str,
    specify_vlan: bool,
    specify_ip_ranges: bool,
) -> Result<bool> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let found: Found =
        diesel::sql_query("SELECT COUNT(*) AS n FROM network_offerings WHERE unique_name = ?")
            .bind::<Text, _>(name)
            .get_result(tx.conn())?;
    if found.n > 0 {
        return Ok(false);
    }
    let guest = traffic == "Guest";
    diesel::sql_query(
        "INSERT INTO network_offerings (name, uuid, unique_name, display_text, nw_rate, mc_rate, \
         traffic_type, tags, system_only, specify_vlan, service_offering_id, conserve_mode, created, \
         `default`, availability, dedicated_lb_service, shared_source_nat_service, sort_key, \
         redundant_router_service, state, guest_type, elastic_ip_service, eip_associate_public_ip, \
         elastic_lb_service, specify_ip_ranges, inline, is_persistent, internal_lb, public_lb, \
         egress_default_policy, concurrent_connections, keep_alive_enabled, supports_streched_l2, \
         supports_public_access, for_vpc, service_package_id, supports_vm_autoscaling, network_mode, \
         routing_mode, specify_as_number) \
         VALUES (?, ?, ?, ?, 0, 0, ?, NULL, 1, ?, NULL, 1, UTC_TIMESTAMP(), 1, ?, 1, 0, 0, 0, \
         'Enabled', ?, 0, 1, 0, ?, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, NULL, 0, NULL, NULL, 0)",
    )
    .bind::<Text, _>(name)
    .bind::<Text, _>(uuid::Uuid::new_v4().to_string())
    .bind::<Text, _>(name)
    .bind::<Text, _>(format!("System Offering for {name}"))
    .bind::<Text, _>(traffic)
    .bind::<diesel::sql_types::Bool, _>(specify_vlan)
    .bind::<Text, _>(if guest { "Optional" } else { "Required" })
    .bind::<diesel::sql_types::Nullable<Text>, _>(guest.then_some("Isolated"))
    .bind::<diesel::sql_types::Bool, _>(specify_ip_ranges)
    .execute(tx.conn())?;
    Ok(true)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn exists(tx: &mut Tx<'_>, sql: &str, id: i64) -> Result<bool> {
    let found: Count = diesel::sql_query(sql)
        .bind::<BigInt, _>(id)
        .get_result(tx.conn())?;
    Ok(found.n > 0)
}

/// CloudStack's unique name of a default offering.
fn unique_name(name: &str) -> String {
    format!("Cloud.Com-{name}")
}

/// A default disk offering as `DiskOfferingVO` writes it: thin, Active, every column Java leaves
/// unset NULL or its Java default (the cache mode NULL, not the column's `none`).
fn disk(
    name: &str,
    text: &str,
    bytes: u64,
    customized: bool,
    compute_only: bool,
) -> NewDiskOffering {
    NewDiskOffering {
        name: name.to_owned(),
        display_text: Some(text.to_owned()),
        disk_size: bytes,
        unique_name: Some(unique_name(name)),
        customized,
        compute_only,
        provisioning_type: Some(ProvisioningType::Thin),
        state: Some(OfferingState::Active),
        display_offering: Some(true),
        sort_key: Some(0),
        encrypt: Some(false),
        ..NewDiskOffering::default()
    }
}

/// Writes `offering` unless a disk offering with its unique name exists (Java's
/// `persistDefaultDiskOffering` is check-first on it). Returns whether it wrote.
fn disk_offering_if_missing(tx: &mut Tx<'_>, offering: NewDiskOffering) -> Result<bool> {
    let found: i64 = disk_offering::table
        .filter(disk_offering::unique_name.eq(&offering.unique_name))
        .count()
        .get_result(tx.conn())?;
    if found > 0 {
        return Ok(false);
    }
    let made = disk_offerings::create(tx, &offering)?;
    diesel::update(disk_offering::table.find(made.id))
        .set(disk_offering::cache_mode.eq(None::<String>))
        .execute(tx.conn())?;
    Ok(true)
}

/// A default compute offering: its compute-only disk offering first, then the service offering
/// (both check-first on the unique name), as `createServiceOffering` does.
fn compute_offering(tx: &mut Tx<'_>, name: &str, cpu: u32, ram_mb: u64, mhz: u32) -> Result<bool> {
    let unique = unique_name(name);
    // `DiskOfferingVO`'s compute-only constructor marks the offering customized.
    disk_offering_if_missing(tx, disk(name, name, 0, true, true))?;
    let found: i64 = service_offering::table
        .filter(service_offering::unique_name.eq(&unique))
        .count()
        .get_result(tx.conn())?;
    if found > 0 {
        return Ok(false);
    }
    let disk_id = disk_offering::table
        .filter(disk_offering::unique_name.eq(&unique))
        .select(disk_offering::id)
        .first(tx.conn())?;
    let made = service_offerings::create(
        tx,
        &NewServiceOffering {
            name: name.to_owned(),
            display_text: Some(name.to_owned()),
            unique_name: Some(unique),
            cpu: Some(cpu),
            speed: Some(mhz),
            ram_size: Some(ram_mb),
            disk_offering_id: Some(disk_id),
            state: Some(OfferingState::Active),
            dynamic_scaling_enabled: true,
            sort_key: Some(0),
            ..NewServiceOffering::default()
        },
    )?;
    // ServiceOfferingVO writes no network or multicast rate: NULL, not the columns' defaults.
    diesel::update(service_offering::table.find(made.id))
        .set((
            service_offering::nw_rate.eq(None::<u16>),
            service_offering::mc_rate.eq(None::<u16>),
        ))
        .execute(tx.conn())?;
    Ok(true)
}

/// Enables user 2 (`admin`) with the password `password`, hashed CloudStack's default way, if
/// it is still `disabled` — what CloudStack's management server does at every start
/// (`enableAdminUser`). Returns whether it changed anything (a second call changes nothing).
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// use cloudstack_db::identity::first_start::finish_fresh_install;
/// if db.write(finish_fresh_install)? {
///     eprintln!("admin enabled with the default password: change it");
/// }
/// # Ok(()) }
/// ```
pub fn finish_fresh_install(tx: &mut Tx<'_>) -> Result<bool> {
    let conn = tx.conn();
    let disabled_admin = user::table
        .filter(user::id.eq(DEFAULT_ADMIN_ID))
        .filter(user::state.eq(AccountState::Disabled))
        .filter(user::removed.is_null());
    // Hashing takes 100,000 PBKDF2 rounds: only when there is something to enable.
    let waiting: i64 = disabled_admin.count().get_result(conn)?;
    if waiting == 0 {
        return Ok(false);
    }
    let hash = hash_password(DEFAULT_ADMIN_PASSWORD);
    let changed = diesel::update(disabled_admin)
        .set((
            user::password.eq(&hash),
            user::state.eq(AccountState::Enabled),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}
