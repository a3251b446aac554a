//! Property tests of the other write paths with hostile input (VM names: `tests/bad_input.rs`).
//! Every input is stored exactly and read back equal, or refused with a typed error naming the
//! field — never a panic — and a refusal leaves the tables as they were (checked by
//! `CHECKSUM TABLE`). Values that are already in the database (written by plain SQL, as another
//! tool or an older CloudStack might) read back as typed errors naming the column.
//!
//! Each property runs many cases against one pair of fresh databases.

mod common;

use cloudstack_db::db::Tx;
use std::cell::{Cell, RefCell};
use std::net::Ipv4Addr;

use cloudstack_db::compute::{VmEvent, vm_transition, vms};
use cloudstack_db::events::{EventLevel, log};
use cloudstack_db::identity::users::{self, UserSpec};
use cloudstack_db::identity::{AccountType, accounts};
use cloudstack_db::jobs::queue::{self, JobSpec};
use cloudstack_db::network::VlanType;
use cloudstack_db::network::public_ips::{self, RangeSpec};
use cloudstack_db::storage::VolumeType;
use cloudstack_db::storage::volumes::{self, VolumeSpec};
use cloudstack_db::types::ProvisioningType;
use cloudstack_db::types::*;
use cloudstack_db::{Error, Secret};
use cloudstack_db_testing::{TestDatabases, count};
use diesel::MysqlConnection;
use diesel::connection::SimpleConnection;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// A runner of `cases` cases. The seed is fixed so CI runs the same cases every time; set
/// `PROPTEST_RNG_SEED=<n>` to explore other ones.
fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        rng_seed: common::proptest_seed(),
        ..Config::default()
    })
}

#[derive(diesel::QueryableByName)]
struct Checksum {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>>)]
    #[diesel(column_name = Checksum)]
    checksum: Option<u64>,
}

/// `CHECKSUM TABLE` of each table, to show a refusal changed nothing.
fn checksums(conn: &mut MysqlConnection, tables: &[&str]) -> Vec<Option<u64>> {
    use diesel::RunQueryDsl;
    tables
        .iter()
        .map(|t| {
            diesel::sql_query(format!("CHECKSUM TABLE {t}"))
                .get_result::<Checksum>(conn)
                .unwrap()
                .checksum
        })
        .collect()
}

#[derive(diesel::QueryableByName)]
struct EventText {
    #[diesel(sql_type = diesel::sql_types::Text)]
    #[diesel(column_name = "type")]
    kind: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    description: String,
}

/// The outcome of one write: stored (and checked by the caller) or refused with a typed error
/// naming one of `fields`; anything else fails the case.
fn refused_naming(err: Error, fields: &[&str], input: &str) -> Result<(), TestCaseError> {
    match err {
        Error::InvalidValue { column, .. } => {
            prop_assert!(
                fields.iter().any(|f| column.contains(f)),
                "{input:?} refused naming {column}, expected one of {fields:?}"
            );
            Ok(())
        }
        other => Err(TestCaseError::fail(format!(
            "{input:?}: untyped refusal {other:?}"
        ))),
    }
}

#[test]
fn volume_names_and_sizes_are_stored_exactly_or_refused_naming_the_field() {
    common::log_to_file();
    let test = TestDatabases::new().unwrap();
    let db = test.database();
    let conn = &mut *db.cloud().get().unwrap();
    let zone = common::zone(conn).id;
    let sizes = prop_oneof![
        Just(0u64),
        Just(1u64),
        Just(i64::MAX as u64),
        Just(i64::MAX as u64 + 1),
        Just(u64::MAX),
        any::<u64>(),
    ];
    let tables = ["volumes", "usage_event", "sequence"];
    let shared = RefCell::new(db.cloud().get().unwrap());
    runner(40)
        .run(&(common::hostile_text(), sizes), |(name, size)| {
            let mut guard = shared.borrow_mut();
            let conn: &mut MysqlConnection = &mut guard;
            let before = checksums(conn, &tables);
            let spec = VolumeSpec {
                name: name.clone(),
                account_id: AccountId(2),
                domain_id: DomainId(1),
                zone_id: zone,
                volume_type: VolumeType::DataDisk,
                disk_offering_id: DiskOfferingId(1),
                template_id: None,
                size,
                instance_id: None,
                device_id: None,
                format: None,
                provisioning_type: ProvisioningType::Thin,
                display_volume: true,
            };
            match Tx::run(conn, db, None, |tx| volumes::create(tx, &spec)) {
                Ok(volume) => {
                    let read = volumes::find(conn, volume.id).unwrap();
                    prop_assert_eq!(read.name.as_deref(), Some(name.as_str()));
                    prop_assert_eq!(read.size, size);
                    prop_assert!(!name.trim().is_empty() && size > 0);
                }
                Err(err) => {
                    refused_naming(err, &["name", "size"], &format!("{name} / {size}"))?;
                    prop_assert_eq!(checksums(conn, &tables), before);
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn account_and_user_fields_are_stored_exactly_or_refused_naming_the_field() {
    common::log_to_file();
    let test = TestDatabases::new().unwrap();
    let db = test.database();
    let tables = ["account", "user"];
    let n = Cell::new(0);
    let shared = RefCell::new(db.cloud().get().unwrap());
    runner(32)
        .run(
            &(
                common::hostile_text(),
                common::hostile_text(),
                proptest::option::of(common::hostile_text()),
                proptest::option::of(common::hostile_text()),
                any::<String>(),
            ),
            |(account_name, username, firstname, email, password)| {
                let mut guard = shared.borrow_mut();
                let conn: &mut MysqlConnection = &mut guard;
                n.set(n.get() + 1);
                let n = n.get();
                let before = checksums(conn, &tables);
                // A counter keeps names unique where they are valid.
                let account_name = format!("{account_name}{n}");
                let account = match Tx::run(conn, &db, None, |tx| {
                    accounts::create(
                        tx,
                        &cloudstack_db::identity::accounts::AccountSpec::new(
                            DomainId(1),
                            account_name.to_string(),
                            AccountType::Normal,
                        ),
                    )
                }) {
                    Ok(account) => account,
                    Err(err) => {
                        refused_naming(err, &["account_name"], &account_name)?;
                        prop_assert_eq!(checksums(conn, &tables), before);
                        return Ok(());
                    }
                };
                prop_assert_eq!(account.account_name.as_deref(), Some(account_name.as_str()));
                let before = checksums(conn, &tables);
                let username = format!("{username}{n}");
                let spec = UserSpec {
                    username: username.clone(),
                    password: Secret::new(password.clone()),
                    account_id: account.id,
                    firstname: firstname.clone(),
                    lastname: None,
                    email: email.clone(),
                };
                match Tx::run(conn, &db, None, |tx| users::create(tx, &spec)) {
                    Ok(user) => {
                        prop_assert_eq!(&user.username, &username);
                        prop_assert_eq!(&user.firstname, &firstname);
                        prop_assert_eq!(&user.email, &email);
                        prop_assert!(!password.is_empty());
                    }
                    Err(err) => {
                        refused_naming(
                            err,
                            &["username", "password", "firstname", "email"],
                            &username,
                        )?;
                        prop_assert_eq!(checksums(conn, &tables), before);
                    }
                }
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn job_and_event_text_is_stored_exactly_or_refused_naming_the_field() {
    common::log_to_file();
    let test = TestDatabases::new().unwrap();
    let db = test.database();
    let tables = ["async_job", "event"];
    let shared = RefCell::new(db.cloud().get().unwrap());
    runner(32)
        .run(
            &(common::hostile_text(), common::hostile_text()),
            |(cmd, text)| {
                let mut guard = shared.borrow_mut();
                let conn: &mut MysqlConnection = &mut guard;
                let before = checksums(conn, &tables);
                let spec = JobSpec::new(cmd.clone(), text.clone(), UserId(2), AccountId(2), 1);
                match Tx::run(conn, &db, None, |tx| queue::submit(tx, &spec)) {
                    Ok(job) => {
                        let read = queue::find(conn, job.id).unwrap();
                        prop_assert_eq!(read.job_cmd.as_deref(), Some(cmd.as_str()));
                        prop_assert_eq!(read.job_cmd_info.as_deref(), Some(text.as_str()));
                    }
                    Err(err) => {
                        refused_naming(err, &["job_cmd", "job_cmd_info"], &cmd)?;
                        prop_assert_eq!(checksums(conn, &tables), before);
                    }
                }
                let before = checksums(conn, &tables);
                let new = log::event(
                    &cmd,
                    &text,
                    UserId(2),
                    AccountId(2),
                    DomainId(1),
                    EventLevel::Info,
                );
                match Tx::run(conn, &db, None, |tx| log::record(tx, new)) {
                    Ok(id) => {
                        use diesel::RunQueryDsl;
                        let read: EventText =
                            diesel::sql_query("SELECT type, description FROM event WHERE id = ?")
                                .bind::<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>, _>(
                                    id.get(),
                                )
                                .get_result(conn)
                                .unwrap();
                        prop_assert_eq!(&read.kind, &cmd);
                        prop_assert_eq!(&read.description, &text);
                    }
                    Err(err) => {
                        refused_naming(err, &["type", "description"], &text)?;
                        prop_assert_eq!(checksums(conn, &tables), before);
                    }
                }
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn ip_ranges_inside_their_subnet_are_created_whole_others_are_refused_naming_the_range() {
    common::log_to_file();
    let test = TestDatabases::new().unwrap();
    let db = test.database();
    let conn = &mut *db.cloud().get().unwrap();
    let zone = common::zone(conn).id;
    let network = common::public_range(conn, db, zone).network_id;
    let tables = ["vlan", "user_ip_address"];
    // Addresses near 10.1.0.0/16 (so some ranges fit, some cross the subnet, some are huge),
    // and any netmask-like value.
    let address = (0u32..0x0003_0000).prop_map(|o| Ipv4Addr::from(0x0A00_0000 + o));
    let prefix = prop_oneof![Just(24u32), Just(20), Just(16), 0u32..=32];
    let netmask = prop_oneof![
        prefix.prop_map(|p| Ipv4Addr::from(u32::MAX.checked_shl(32 - p).unwrap_or(0))),
        any::<u32>().prop_map(Ipv4Addr::from),
    ];
    let shared = RefCell::new(db.cloud().get().unwrap());
    runner(40)
        .run(
            &(address.clone(), address.clone(), address, netmask),
            |(start, end, gateway, netmask)| {
                let mut guard = shared.borrow_mut();
                let conn: &mut MysqlConnection = &mut guard;
                let before = checksums(conn, &tables);
                let spec = RangeSpec {
                    zone_id: zone,
                    network_id: network,
                    physical_network_id: 200,
                    vlan_tag: "untagged".into(),
                    gateway,
                    netmask,
                    start,
                    end,
                    ip6: None,
                    vlan_type: VlanType::VirtualNetwork,
                };
                match Tx::run(conn, &db, None, |tx| public_ips::create_range(tx, &spec)) {
                    Ok(vlan) => {
                        let addresses = count(
                            conn,
                            &format!("SELECT COUNT(*) FROM user_ip_address WHERE vlan_db_id = {}", vlan.id.get()),
                        )
                        .unwrap();
                        prop_assert_eq!(addresses as u32, u32::from(end) - u32::from(start) + 1);
                        prop_assert!(u32::from(start) <= u32::from(end));
                        let mask = u32::from(netmask);
                        prop_assert_eq!(u32::from(start) & mask, u32::from(gateway) & mask);
                        prop_assert_eq!(u32::from(end) & mask, u32::from(gateway) & mask);
                        // Remove it again so later ranges need not avoid it.
                        conn.batch_execute(&format!(
                            "DELETE FROM user_ip_address WHERE vlan_db_id = {0}; DELETE FROM vlan WHERE id = {0}",
                            vlan.id.get()
                        ))
                        .unwrap();
                    }
                    Err(Error::Conflict(_)) => {
                        prop_assert_eq!(checksums(conn, &tables), before);
                    }
                    Err(err) => {
                        refused_naming(err, &["ip4_range", "vlan_netmask"], &format!("{start}-{end} gw {gateway} mask {netmask}"))?;
                        prop_assert_eq!(checksums(conn, &tables), before);
                    }
                }
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn any_sequence_of_vm_events_follows_the_state_machine_and_illegal_ones_change_nothing() {
    common::log_to_file();
    let test = TestDatabases::new().unwrap();
    let db = test.database();
    let conn = &mut *db.cloud().get().unwrap();
    let zone = common::zone(conn).id;
    let events = proptest::sample::select(vec![
        VmEvent::StartRequested,
        VmEvent::StopRequested,
        VmEvent::DestroyRequested,
        VmEvent::RecoveryRequested,
        VmEvent::AgentReportStopped,
        VmEvent::AgentReportRunning,
        VmEvent::MigrationRequested,
        VmEvent::StorageMigrationRequested,
        VmEvent::ExpungeOperation,
        VmEvent::OperationSucceeded,
        VmEvent::OperationFailed,
        VmEvent::OperationFailedToError,
        VmEvent::OperationRetry,
        VmEvent::AgentReportShutdowned,
        VmEvent::AgentReportMigrated,
        VmEvent::RestoringRequested,
        VmEvent::RestoringFailed,
        VmEvent::RestoringSuccess,
        VmEvent::FollowAgentPowerOnReport,
        VmEvent::FollowAgentPowerOffReport,
    ]);
    let n = Cell::new(0);
    let shared = RefCell::new(db.cloud().get().unwrap());
    runner(24)
        .run(&proptest::collection::vec(events, 1..20), |sequence| {
            let mut guard = shared.borrow_mut();
            let conn: &mut MysqlConnection = &mut guard;
            n.set(n.get() + 1);
            let n = n.get();
            let mut vm = Tx::run(conn, db, None, |tx| {
                vms::create(tx, &common::vm_spec(zone, &format!("sm-{n}")))
            })
            .unwrap()
            .instance;
            for event in sequence {
                let host = Some(Some(1));
                match (
                    vm_transition(vm.state, event),
                    Tx::run(conn, &db, None, |tx| vms::transition(tx, &vm, event, host)),
                ) {
                    (Ok(expected), Ok(after)) => {
                        prop_assert_eq!(after.state, expected.to);
                        // A transition that changes neither state nor host writes nothing.
                        let changes = expected.to != vm.state || vm.host_id != Some(1);
                        prop_assert_eq!(after.update_count, vm.update_count + u64::from(changes));
                        let stored = vms::find(conn, vm.id).unwrap().instance;
                        prop_assert_eq!(stored.state, expected.to);
                        vm = after;
                    }
                    (Err(_), Err(Error::IllegalTransition { from, .. })) => {
                        prop_assert_eq!(from, vm.state.to_string());
                        let stored = vms::find(conn, vm.id).unwrap().instance;
                        prop_assert_eq!(stored.state, vm.state);
                        prop_assert_eq!(stored.update_count, vm.update_count);
                    }
                    (expected, got) => {
                        return Err(TestCaseError::fail(format!(
                            "{:?} on {}: expected {expected:?}, got {got:?}",
                            event, vm.state
                        )));
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn any_text_already_in_a_uuid_or_enum_column_reads_back_as_a_value_or_a_typed_error() {
    common::log_to_file();
    let test = TestDatabases::new().unwrap();
    let db = test.database();
    let conn = &mut *db.cloud().get().unwrap();
    let zone = common::zone(conn).id;
    let vm = Tx::run(conn, db, None, |tx| {
        vms::create(tx, &common::vm_spec(zone, "target"))
    })
    .unwrap()
    .instance;
    let uuid_like = prop_oneof![
        Just(uuid::Uuid::new_v4().to_string()),
        Just(uuid::Uuid::new_v4().to_string().to_uppercase()),
        "[0-9a-f-]{0,40}",
        "[ -~]{0,40}",
    ];
    let state_like = prop_oneof![
        Just("Running".to_owned()),
        Just("running".to_owned()),
        "[A-Za-z]{0,12}",
    ];
    let shared = RefCell::new(db.cloud().get().unwrap());
    let (read_back, refused) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    runner(40)
        .run(&(uuid_like, state_like), |(uuid_text, state_text)| {
            let mut guard = shared.borrow_mut();
            let conn: &mut MysqlConnection = &mut guard;
            use diesel::RunQueryDsl;
            let update =
                diesel::sql_query("UPDATE vm_instance SET uuid = ?, state = ? WHERE id = ?")
                    .bind::<diesel::sql_types::Text, _>(&uuid_text)
                    .bind::<diesel::sql_types::Text, _>(&state_text)
                    .bind::<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>, _>(vm.id.get())
                    .execute(conn);
            if let Err(err) = update {
                // Only a value its column cannot hold may be refused, and typed.
                let err = Error::from(err);
                prop_assert!(matches!(err, Error::InvalidValue { .. }), "{err:?}");
                refused.set(refused.get() + 1);
                return Ok(());
            }
            read_back.set(read_back.get() + 1);
            let uuid_ok = uuid::Uuid::parse_str(uuid_text.trim()).is_ok();
            let state_ok = cloudstack_db::compute::VmState::parse(&state_text).is_some();
            match vms::find(conn, vm.id) {
                Ok(row) => {
                    prop_assert!(
                        uuid_ok && state_ok,
                        "{uuid_text:?} / {state_text:?} accepted"
                    );
                    prop_assert_eq!(
                        row.instance.uuid.map(|u| u.to_string()),
                        Some(uuid_text.trim().to_lowercase())
                    );
                }
                Err(Error::InvalidValue { column, value, .. }) => {
                    prop_assert!(!(uuid_ok && state_ok));
                    prop_assert!(
                        column.contains("uuid") || column.contains("state"),
                        "{column}"
                    );
                    prop_assert!(value.is_some());
                }
                Err(other) => {
                    return Err(TestCaseError::fail(format!("untyped: {other:?}")));
                }
            }
            Ok(())
        })
        .unwrap();
    // Every generated value fits its column (uuid ≤ 40, state ≤ 12 characters): each case
    // must have been read back, none skipped.
    assert_eq!((read_back.get(), refused.get()), (40, 0));
}

#[test]
fn a_null_where_the_crate_expects_a_value_is_a_typed_error_naming_the_column() {
    common::log_to_file();
    let test = TestDatabases::new().unwrap();
    let db = test.database();
    let conn = &mut *db.cloud().get().unwrap();
    let zone = common::zone(conn).id;
    let vm = Tx::run(conn, db, None, |tx| {
        vms::create(tx, &common::vm_spec(zone, "drifted"))
    })
    .unwrap()
    .instance;
    // A database that drifted from the schema: a NOT NULL column made nullable and set NULL.
    conn.batch_execute(&format!(
        "ALTER TABLE vm_instance MODIFY instance_name varchar(255) NULL; \
         UPDATE vm_instance SET instance_name = NULL WHERE id = {}",
        vm.id.get()
    ))
    .unwrap();
    match db.cloud().run(|c| vms::find(c, vm.id)) {
        Err(Error::InvalidValue { column, reason, .. }) => {
            assert_eq!(column, "vm_instance.instance_name");
            assert!(reason.contains("NULL"), "{reason}");
        }
        other => panic!("expected InvalidValue, got {other:?}"),
    }
}
