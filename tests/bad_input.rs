//! Property tests of the write paths with hostile input: every value is stored exactly or
//! refused with a typed error naming the column — never a panic, never a partial row.

mod common;

use cloudstack_db::Error;
use cloudstack_db::compute::vms;
use cloudstack_db::db::Tx;
use cloudstack_db_testing::count;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, rng_seed: common::proptest_seed(), ..ProptestConfig::default() })]

    #[test]
    fn a_vm_name_is_stored_exactly_or_refused_naming_the_column(name in common::hostile_text()) {
        let test = common::fresh();
        let db = test.database();
        let conn = &mut *db.cloud().get().unwrap();
        let zone = common::zone(conn).id;
        let before = count(conn, "SELECT COUNT(*) FROM vm_instance").unwrap();
        let sequence = "SELECT CAST(value AS SIGNED) FROM sequence WHERE name = 'vm_instance_seq'";
        let next_id = count(conn, sequence).unwrap();
        match Tx::run(conn, db, None, |tx| vms::create(tx, &common::vm_spec(zone, &name))) {
            Ok(vm) => {
                prop_assert!(!name.trim().is_empty());
                let read = vms::find(conn, vm.instance.id).unwrap();
                prop_assert_eq!(&read.instance.name, &name);
                prop_assert_eq!(count(conn, "SELECT COUNT(*) FROM vm_instance").unwrap(), before + 1);
            }
            Err(Error::InvalidValue { column, .. }) => {
                prop_assert!(column.contains("name"), "{}", column);
                prop_assert_eq!(count(conn, "SELECT COUNT(*) FROM vm_instance").unwrap(), before);
                prop_assert_eq!(count(conn, "SELECT COUNT(*) FROM usage_event").unwrap(), 0);
                prop_assert_eq!(count(conn, sequence).unwrap(), next_id, "no id taken");
            }
            Err(other) => prop_assert!(false, "untyped refusal of {:?}: {}", name, other),
        }
    }
}
