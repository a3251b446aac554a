//! The hot writes are fixed statements that each connection prepares once: after a first VM
//! with its ROOT volume (and their usage events), the next ones prepare nothing new. A statement
//! whose text changes from call to call (a `DEFAULT` for a `None`, a boxed query) would be
//! prepared again every time.

mod common;

use cloudstack_db::db::Tx;
use cloudstack_db::prelude::*;
use cloudstack_db_testing::count;
use common::session_status as status;
use diesel::MysqlConnection;

/// Statements prepared so far on `conn`'s session.
fn prepared(conn: &mut MysqlConnection) -> i64 {
    status(conn, "COM_STMT_PREPARE")
}

#[test]
fn creating_vms_with_root_volumes_prepares_each_statement_once_per_connection() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let zone = common::zone(conn).id;
    let root = |vm: &UserVmRow, name: &str| {
        vm.attached(&VolumeSpec {
            name: name.into(),
            account_id: AccountId(2),
            domain_id: DomainId(1),
            zone_id: zone,
            volume_type: cloudstack_db::storage::VolumeType::Root,
            disk_offering_id: DiskOfferingId(1),
            template_id: Some(TemplateId(4)),
            size: 8 << 30,
            instance_id: None,
            device_id: Some(0),
            format: None,
            provisioning_type: ProvisioningType::Thin,
            display_volume: true,
        })
    };
    let deploy = |conn: &mut MysqlConnection, i: usize| {
        Tx::run(conn, db, db.column_encryptor(), |tx| {
            let vm = vms::create(tx, &common::vm_spec(zone, &format!("vm-{i}")))?;
            let started =
                vms::transition(tx, &vm.instance, VmEvent::StartRequested, Some(Some(1)))?;
            volumes::create(tx, &root(&vm, &format!("ROOT-{i}")))?;
            Ok(started)
        })
        .unwrap()
    };
    deploy(conn, 0);
    // What one reading of the counter costs (Diesel prepares raw SQL for each call).
    let reading = -prepared(conn) + prepared(conn);
    let after_first = prepared(conn);
    for i in 1..4 {
        deploy(conn, i);
    }
    assert_eq!(
        prepared(conn) - after_first - reading,
        0,
        "the second and later deployments reuse every prepared statement"
    );
    // The resource accounting of a deployment (VM, cpu, memory; volume, primary storage; the
    // account and its domain) is a few statements, not one per type and owner.
    let before = status(conn, "COM_STMT_EXECUTE");
    deploy(conn, 4);
    let executed = status(conn, "COM_STMT_EXECUTE") - before - 1;
    // (18 today for this root-admin account, the transaction's BEGIN and COMMIT included: it
    // was 46 with a lock, limit and update statement per type and owner, and BEGIN and COMMIT
    // apart.)
    assert!(
        executed <= 18,
        "a deployment executed {executed} statements"
    );
    assert_eq!(
        count(conn, "SELECT COUNT(*) FROM usage_event").unwrap(),
        10,
        "a VM.CREATE and a VOLUME.CREATE per deployment"
    );
}
