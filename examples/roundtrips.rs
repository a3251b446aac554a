//! Counts the statements each crate path sends (global status counters, nothing else running).
use cloudstack_db::compute::vms;
use cloudstack_db::storage::volumes;
use cloudstack_db::testing::{TestDatabases, admin_connection};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

#[derive(QueryableByName, Debug)]
struct Status {
    #[diesel(sql_type = Text, column_name = "Variable_name")]
    name: String,
    #[diesel(sql_type = Text, column_name = "Value")]
    value: String,
}

fn counters(admin: &mut MysqlConnection) -> std::collections::BTreeMap<String, i64> {
    let rows: Vec<Status> = diesel::sql_query("SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions','Com_stmt_prepare','Com_stmt_execute','Com_stmt_close','Com_savepoint','Com_release_savepoint','Com_begin','Com_commit','Com_insert','Com_select','Com_update')").load(admin).unwrap();
    rows.into_iter().map(|r| (r.name, r.value.parse().unwrap())).collect()
}

fn main() {
    if std::env::var("TIMING").is_ok() { timing(); return; }
    if std::env::var("STATEMENTS").is_ok() { statements(); return; }
    let _ = BigInt;
    let test = TestDatabases::new().unwrap();
    let db = test.database();
    let mut admin = admin_connection().unwrap();
    let zone = db.cloud().run(|c| Ok(cloudstack_db::compute::zones_and_offerings::create_zone(c, cloudstack_db::compute::NewDataCenter { name: Some("z".into()), dns1: "8.8.8.8".into(), internal_dns1: "10.0.0.2".into(), ..Default::default() })?)).unwrap().id;
    let spec = |i: usize| cloudstack_db::compute::vms::UserVmSpec {
        name: format!("vm-{i}"), display_name: None, account_id: cloudstack_db::types::AccountId(2), domain_id: cloudstack_db::types::DomainId(1), user_id: cloudstack_db::types::UserId(2), zone_id: zone, service_offering_id: cloudstack_db::types::ServiceOfferingId(1), template_id: cloudstack_db::types::TemplateId(4), guest_os_id: 112, hypervisor_type: Some(cloudstack_db::compute::HypervisorType::Kvm), vnc_password: cloudstack_db::Secret::new("x"), ha_enabled: false, display_vm: true, user_data: None };
    let run = |i: usize| {
        db.cloud().transaction(|c| {
            let vm = vms::create(c, db, db.column_encryptor(), &spec(i))?.instance;
            volumes::create(c, db, &cloudstack_db::storage::volumes::VolumeSpec { name: format!("R{i}"), account_id: vm.account_id, domain_id: cloudstack_db::types::DomainId(1), zone_id: zone, volume_type: cloudstack_db::storage::VolumeType::Root, disk_offering_id: cloudstack_db::types::DiskOfferingId(1), template_id: Some(cloudstack_db::types::TemplateId(4)), size: 1 << 30, instance_id: Some(vm.id), device_id: Some(0), format: None, provisioning_type: cloudstack_db::storage::ProvisioningType::Thin, display_volume: true })?;
            Ok(vm)
        }).unwrap()
    };
    run(0);
    let before = counters(&mut admin);
    let n = 20;
    let mut vm = None;
    for i in 1..=n { vm = Some(run(i)); }
    let after = counters(&mut admin);
    println!("create vm + root, per call:");
    for (k, v) in &after { println!("  {k}: {:.1}", (v - before[k]) as f64 / n as f64); }
    let mut current = vm.unwrap();
    let before = counters(&mut admin);
    for _ in 0..n {
        for (e, h) in [(cloudstack_db::compute::VmEvent::StartRequested, Some(Some(1))), (cloudstack_db::compute::VmEvent::OperationSucceeded, None), (cloudstack_db::compute::VmEvent::StopRequested, None), (cloudstack_db::compute::VmEvent::OperationSucceeded, Some(None))] {
            current = db.cloud().run(|c| vms::transition(c, &current, e, h)).unwrap();
        }
    }
    let after = counters(&mut admin);
    println!("start+stop, per cycle:");
    for (k, v) in &after { println!("  {k}: {:.1}", (v - before[k]) as f64 / n as f64); }
    let before = counters(&mut admin);
    for _ in 0..n { db.cloud().run(|c| vms::find(c, current.id)).unwrap(); }
    let after = counters(&mut admin);
    println!("find, per call:");
    for (k, v) in &after { println!("  {k}: {:.1}", (v - before[k]) as f64 / n as f64); }
}

#[allow(dead_code)]
pub fn timing() {
    use cloudstack_db::repo::{IdSource, SequenceName};
    let test = TestDatabases::new().unwrap();
    let db = test.database();
    let t = std::time::Instant::now();
    for _ in 0..500 { db.next_id(SequenceName::VmInstance).unwrap(); }
    println!("next_id via Database: {:?}/call", t.elapsed() / 500);
    let mut c = db.cloud().get().unwrap();
    let t = std::time::Instant::now();
    for _ in 0..500 { cloudstack_db::repo::next_in_sequence(&mut c, SequenceName::VmInstance).unwrap(); }
    println!("next_in_sequence on held conn: {:?}/call", t.elapsed() / 500);
    let t = std::time::Instant::now();
    for _ in 0..500 { db.cloud().transaction(|_c| Ok(())).unwrap(); }
    println!("empty pool transaction: {:?}/call", t.elapsed() / 500);
    let t = std::time::Instant::now();
    for _ in 0..500 { cloudstack_db::db::transaction(&mut c, |c| cloudstack_db::db::transaction(c, |_c| Ok(()))).unwrap(); }
    println!("nested transaction on held conn: {:?}/call", t.elapsed() / 500);
    let enc = db.column_encryptor().unwrap();
    let t = std::time::Instant::now();
    for _ in 0..500 { enc.encrypt("x").unwrap(); }
    println!("encrypt: {:?}/call", t.elapsed() / 500);
}

#[allow(dead_code)]
pub fn statements() {
    use diesel::connection::SimpleConnection;
    let test = TestDatabases::new().unwrap();
    let db = test.database();
    let mut c = db.cloud().get().unwrap();
    let time = |label: &str, c: &mut MysqlConnection, f: &dyn Fn(&mut MysqlConnection)| {
        let t = std::time::Instant::now();
        for _ in 0..300 { f(c); }
        println!("{label}: {:?}", t.elapsed() / 300);
    };
    time("batch SELECT 1", &mut c, &|c| c.batch_execute("SELECT 1").unwrap());
    time("BEGIN+COMMIT", &mut c, &|c| c.batch_execute("BEGIN").and_then(|_| c.batch_execute("COMMIT")).unwrap());
    time("BEGIN+SAVEPOINT+RELEASE+COMMIT", &mut c, &|c| { c.batch_execute("BEGIN").unwrap(); c.batch_execute("SAVEPOINT a").unwrap(); c.batch_execute("RELEASE SAVEPOINT a").unwrap(); c.batch_execute("COMMIT").unwrap(); });
    time("diesel nested", &mut c, &|c| cloudstack_db::db::transaction(c, |c| cloudstack_db::db::transaction(c, |_c| Ok(()))).unwrap());
    time("diesel single", &mut c, &|c| cloudstack_db::db::transaction(c, |_c| Ok(())).unwrap());
}
